/* pg_store.c - the PostgreSQL backend's handle: open/close, the connection pool with
 * reconnection, per-connection settings, ping, and the ops table. */
#include "store/postgres/pg_internal.h"

#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"

/* Seconds libpq waits for a connection to be set up (it has no finer unit). */
#define CONNECT_TIMEOUT_S "3"

/* The last time a failed connect was logged (CLOCK_MONOTONIC seconds): during an outage
 * every request tries to connect, and one line a second says enough. */
static _Atomic long long last_connect_log;

/* How long calls fail fast after a failed connect (see down_until_ms). */
#define RECONNECT_PAUSE_MS 200

static long long mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec;
}

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void quiet_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message; /* "relation already exists, skipping" and the like: nothing to act on */
}

void qoc_pg_drop(struct qoc_pg_conn *c)
{
	if (c->db)
		PQfinish(c->db);
	c->db = NULL;
	c->broken = false;
	c->retryable = false;
	memset(c->prepared, 0, sizeof(c->prepared));
}

/* Connects c and applies the settings every connection has: lock_timeout (a row lock
 * waited on longer than busy_timeout_ms is QOC_EBUSY, as SQLite's busy timeout) and
 * synchronous_commit (on: a commit is flushed to the server's disk before it returns;
 * off for sqlite_synchronous = normal, the same trade). */
static enum qoc_err conn_open(struct qoc_pg_store *st, struct qoc_pg_conn *c)
{
	/* The defaults come first: anything the operator's conninfo says overrides them.
	 * Over TCP, keepalives and tcp_user_timeout bound how long a request can hang on a
	 * server that vanished without closing the connection (a partition, a dead host):
	 * about 30 s, after which the call fails with QOC_EBUSY and the pool reconnects. */
	const char *const keys[] = {
	    "connect_timeout",  "application_name", "keepalives_idle", "keepalives_interval",
	    "keepalives_count", "tcp_user_timeout", "dbname",          NULL};
	const char *const vals[] = {CONNECT_TIMEOUT_S, "qoc",        "10", "5", "3",
	                            "30000",           st->conninfo, NULL};
	qoc_pg_drop(c);
	if (mono_ms() < atomic_load(&st->down_until_ms))
		return QOC_EBUSY; /* a connect just failed: do not pile up more attempts */
	c->db = PQconnectdbParams(keys, vals, 1);
	if (!c->db)
		return QOC_ENOMEM;
	if (PQstatus(c->db) != CONNECTION_OK) {
		atomic_store(&st->down_until_ms, mono_ms() + RECONNECT_PAUSE_MS);
		long long now = mono_s(), last = atomic_load(&last_connect_log);
		if (now != last && atomic_compare_exchange_strong(&last_connect_log, &last, now)) {
			char qmsg[256];
			/* libpq's message names host and user at most, never the password. */
			qoc_log_warn("store: cannot connect to postgres", "err=%s",
			             qoc_log_quote(qmsg, sizeof(qmsg), PQerrorMessage(c->db)));
		}
		qoc_pg_drop(c);
		return QOC_EBUSY;
	}
	PQsetNoticeProcessor(c->db, quiet_notice, NULL);
	char set[160];
	snprintf(set, sizeof(set), "SET lock_timeout = %u; SET synchronous_commit = %s",
	         st->busy_timeout_ms, st->sync == QOC_SYNC_NORMAL ? "off" : "on");
	enum qoc_err err = qoc_pg_command(c, set);
	if (err) {
		qoc_pg_drop(c);
		return err;
	}
	atomic_fetch_add(&st->connects, 1);
	return QOC_OK;
}

/* A connection that has input while idle was closed by the server (a restart sends a
 * FATAL message and hangs up) or is otherwise out of step: drop it rather than find out
 * halfway through a transaction. */
static bool idle_conn_ok(struct qoc_pg_conn *c)
{
	if (PQstatus(c->db) != CONNECTION_OK)
		return false;
	struct pollfd p = {.fd = PQsocket(c->db), .events = POLLIN};
	if (p.fd < 0)
		return false;
	int n = poll(&p, 1, 0);
	return n == 0;
}

enum qoc_err qoc_pg_acquire(struct qoc_pg_store *st, struct qoc_pg_conn **out)
{
	*out = NULL;
	struct timespec deadline;
	uint64_t t0 = qoc_monotonic_ns();
	qoc_monotonic_deadline(&deadline, st->busy_timeout_ms);
	pthread_mutex_lock(&st->mu);
	while (!st->free_list) {
		int rc = pthread_cond_timedwait(&st->cv, &st->mu, &deadline);
		if (rc == ETIMEDOUT && !st->free_list) {
			pthread_mutex_unlock(&st->mu);
			qoc_metrics_pool_wait(t0, true);
			qoc_log_warn("store: no free database connection",
			             "pool_size=%u waited_ms=%u", st->pool_size,
			             st->busy_timeout_ms);
			return QOC_EBUSY;
		}
	}
	struct qoc_pg_conn *c = st->free_list;
	st->free_list = c->next_free;
	pthread_mutex_unlock(&st->mu);
	qoc_metrics_pool_wait(t0, false);

	if (c->db && !idle_conn_ok(c))
		qoc_pg_drop(c);
	if (!c->db) {
		enum qoc_err err = conn_open(st, c);
		if (err) {
			qoc_pg_release(c);
			return err;
		}
	}
	*out = c;
	return QOC_OK;
}

void qoc_pg_release(struct qoc_pg_conn *c)
{
	struct qoc_pg_store *st = c->store;
	if (c->db && (c->broken || PQstatus(c->db) != CONNECTION_OK ||
	              PQtransactionStatus(c->db) != PQTRANS_IDLE)) {
		if (!c->broken && PQstatus(c->db) == CONNECTION_OK)
			qoc_log_error("store: connection returned inside a transaction",
			              "action=close");
		qoc_pg_drop(c);
	}
	c->retryable = false;
	pthread_mutex_lock(&st->mu);
	c->next_free = st->free_list;
	st->free_list = c;
	pthread_cond_signal(&st->cv);
	pthread_mutex_unlock(&st->mu);
}

static void store_free(struct qoc_pg_store *st)
{
	for (unsigned i = 0; i < st->pool_size; i++)
		qoc_pg_drop(&st->conns[i]);
	pthread_cond_destroy(&st->cv);
	pthread_mutex_destroy(&st->mu);
	if (st->conninfo) {
		explicit_bzero(st->conninfo, strlen(st->conninfo)); /* it may hold a password */
		free(st->conninfo);
	}
	free(st);
}

static void pg_close(struct qoc_store *base)
{
	struct qoc_pg_store *st = qoc_pg_from(base);
	unsigned free_count = 0;
	for (struct qoc_pg_conn *c = st->free_list; c; c = c->next_free)
		free_count++;
	if (free_count != st->pool_size)
		qoc_log_error("store: closed while connections are in use", "in_use=%u",
		              st->pool_size - free_count);
	store_free(st);
}

static struct qoc_pg_sql sql_ping = {.text = "SELECT 1"};

static enum qoc_err ping_work(struct qoc_pg_conn *c, void *arg)
{
	(void)arg;
	PGresult *r;
	enum qoc_err err = qoc_pg_exec(c, &sql_ping, "ping", &r, "");
	if (!err)
		PQclear(r);
	return err;
}

static enum qoc_err pg_ping(struct qoc_store *base)
{
	return qoc_pg_with_conn(qoc_pg_from(base), true, ping_work, NULL);
}

const struct qoc_store_ops qoc_pg_ops = {
    .version = QOC_STORE_OPS_VERSION,
    .name = "postgres",
    .close = pg_close,
    .migrate = qoc_pg_migrate,
    .ping = pg_ping,
    .key_rotate = qoc_pg_key_rotate,
    .key_active = qoc_pg_key_active,
    .key_list_published = qoc_pg_key_list_published,
    .account_create = qoc_pg_account_create,
    .account_by_email = qoc_pg_account_by_email,
    .account_by_id = qoc_pg_account_by_id,
    .account_admin_exists = qoc_pg_account_admin_exists,
    .team_create = qoc_pg_team_create,
    .teams_of_account = qoc_pg_teams_of_account,
    .team_members = qoc_pg_team_members,
    .member_add = qoc_pg_member_add,
    .member_set_role = qoc_pg_member_set_role,
    .member_remove = qoc_pg_member_remove,
    .membership_role = qoc_pg_membership_role,
    .app_create = qoc_pg_app_create,
    .app_get = qoc_pg_app_get,
    .app_list = qoc_pg_app_list,
    .app_update = qoc_pg_app_update,
    .app_set_status = qoc_pg_app_set_status,
    .app_secret_replace = qoc_pg_app_secret_replace,
    .app_set_icon = qoc_pg_app_set_icon,
    .app_clear_icon = qoc_pg_app_clear_icon,
    .app_get_icon = qoc_pg_app_get_icon,
    .app_transfer = qoc_pg_app_transfer,
    .app_delete = qoc_pg_app_delete,
    .app_touch_last_used = qoc_pg_app_touch_last_used,
    .audit_append = qoc_pg_audit_append,
    .audit_list = qoc_pg_audit_list,
    .pat_create = qoc_pg_pat_create,
    .pat_find = qoc_pg_pat_find,
    .pat_list = qoc_pg_pat_list,
    .pat_revoke = qoc_pg_pat_revoke,
    .pat_touch = qoc_pg_pat_touch,
    .session_create = qoc_pg_session_create,
    .session_get = qoc_pg_session_get,
    .session_touch = qoc_pg_session_touch,
    .session_delete = qoc_pg_session_delete,
    .session_delete_by_sid = qoc_pg_session_delete_by_sid,
    .authreq_create = qoc_pg_authreq_create,
    .authreq_get = qoc_pg_authreq_get,
    .authreq_set_account = qoc_pg_authreq_set_account,
    .authreq_take = qoc_pg_authreq_take,
    .authreq_delete = qoc_pg_authreq_delete,
    .code_create = qoc_pg_code_create,
    .code_consume = qoc_pg_code_consume,
    .tokens_issue = qoc_pg_tokens_issue,
    .token_get = qoc_pg_token_get,
    .refresh_rotate = qoc_pg_refresh_rotate,
    .token_revoke = qoc_pg_token_revoke,
    .family_revoke = qoc_pg_family_revoke,
    .tokens_purge_expired = qoc_pg_tokens_purge_expired,
    .consent_get = qoc_pg_consent_get,
    .consent_put = qoc_pg_consent_put,
    .outbox_put = qoc_pg_outbox_put,
    .outbox_due = qoc_pg_outbox_due,
    .outbox_mark_sent = qoc_pg_outbox_mark_sent,
    .outbox_mark_failed = qoc_pg_outbox_mark_failed,
    .outbox_claim = qoc_pg_outbox_claim,
    .outbox_pending = qoc_pg_outbox_pending,
    .analytics_append = qoc_pg_analytics_append,
    .analytics_query = qoc_pg_analytics_query,
    .analytics_lifetime = qoc_pg_analytics_lifetime,
    .analytics_active_users = qoc_pg_analytics_active_users,
    .analytics_purge = qoc_pg_analytics_purge,
    /* throttles */
    .throttle_reserve = qoc_pg_throttle_reserve,
    .throttle_fail = qoc_pg_throttle_fail,
    .throttle_cancel = qoc_pg_throttle_cancel,
    .throttle_forget = qoc_pg_throttle_forget,
    .throttle_purge = qoc_pg_throttle_purge,
    /* state purge */
    .authreq_purge = qoc_pg_authreq_purge,
    .sessions_purge = qoc_pg_sessions_purge,
    .codes_purge = qoc_pg_codes_purge,
    .tokens_purge = qoc_pg_tokens_purge,
    .families_purge = qoc_pg_families_purge,
};

enum qoc_err qoc_pg_open(const struct qoc_store_options *opts, const char *conninfo,
                         struct qoc_store **out)
{
	*out = NULL;
	if (opts->busy_timeout_ms > 3600u * 1000u) {
		qoc_log_error("store: busy_timeout_ms too large", "busy_timeout_ms=%u",
		              opts->busy_timeout_ms);
		return QOC_EINVAL;
	}
	unsigned n = opts->pool_size ? opts->pool_size : QOC_STORE_DEFAULT_POOL_SIZE;
	struct qoc_pg_store *st = calloc(1, sizeof(*st) + n * sizeof(st->conns[0]));
	if (!st)
		return QOC_ENOMEM;
	st->conninfo = strdup(conninfo);
	if (!st->conninfo) {
		free(st);
		return QOC_ENOMEM;
	}
	pthread_condattr_t ca;
	int rc = pthread_condattr_init(&ca);
	if (rc == 0) {
		rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		if (rc == 0)
			rc = pthread_cond_init(&st->cv, &ca);
		pthread_condattr_destroy(&ca);
	}
	if (rc != 0) {
		free(st->conninfo);
		free(st);
		return QOC_ENOMEM;
	}
	if (pthread_mutex_init(&st->mu, NULL) != 0) {
		pthread_cond_destroy(&st->cv);
		free(st->conninfo);
		free(st);
		return QOC_ENOMEM;
	}
	st->base.ops = &qoc_pg_ops;
	st->sync = opts->sync;
	st->busy_timeout_ms =
	    opts->busy_timeout_ms ? opts->busy_timeout_ms : QOC_STORE_DEFAULT_BUSY_TIMEOUT_MS;
	st->pool_size = n;
	for (unsigned i = 0; i < n; i++) {
		struct qoc_pg_conn *c = &st->conns[i];
		c->store = st;
		c->next_free = st->free_list;
		st->free_list = c;
	}
	/* One connection now: a wrong host, database or password fails at start-up. */
	enum qoc_err err = conn_open(st, st->free_list);
	if (err) {
		qoc_log_error("store: cannot open the postgres database",
		              "hint=\"check QOC_DATABASE (not logged: it may hold a password)\"");
		store_free(st);
		return err == QOC_ENOMEM ? QOC_ENOMEM : QOC_EDB;
	}
	*out = &st->base;
	return QOC_OK;
}
