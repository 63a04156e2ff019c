/* sqlite_store.c - the SQLite backend's handle: open/close, connection pool, per-connection
 * settings, ping, and the ops table. */
#include "store/sqlite/sqlite_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"

static void conn_close(struct qoc_sqlite_conn *c)
{
	if (!c->db)
		return;
	qoc_sqlite_stmt_cache_clear(c);
	if (sqlite3_close(c->db) != SQLITE_OK) {
		/* A statement outside the cache is still alive: a bug, but never leak the file. */
		qoc_log_error("store: sqlite connection closed with live statements",
		              "action=close_v2");
		sqlite3_close_v2(c->db);
	}
	c->db = NULL;
}

/* Reads the one-row answer of a pragma that reports its new value (journal_mode). */
static enum qoc_err pragma_text(struct qoc_sqlite_conn *c, const char *sql, char *out,
                                size_t out_size)
{
	sqlite3_stmt *s = NULL;
	enum qoc_err err;
	int rc = sqlite3_prepare_v2(c->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK) {
		err = qoc_sqlite_error(c, rc, sql);
		goto out;
	}
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		err = qoc_sqlite_error(c, rc, sql);
		goto out;
	}
	const unsigned char *v = sqlite3_column_text(s, 0);
	snprintf(out, out_size, "%s", v ? (const char *)v : "");
	err = QOC_OK;
out:
	sqlite3_finalize(s);
	return err;
}

static enum qoc_err pragma_exec(struct qoc_sqlite_conn *c, const char *sql)
{
	int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? QOC_OK : qoc_sqlite_error(c, rc, sql);
}

/* Opens c and applies the settings every connection must have: WAL (readers never block
 * the writer), a busy timeout, foreign keys, and the configured synchronous level
 * (FULL: each commit is fsynced before it returns). */
static enum qoc_err conn_open(struct qoc_sqlite_store *st, struct qoc_sqlite_conn *c)
{
	enum qoc_err err;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
	int rc = sqlite3_open_v2(st->path, &c->db, flags, NULL);
	if (rc != SQLITE_OK) {
		err = c->db ? qoc_sqlite_error(c, rc, "open") : QOC_ENOMEM;
		goto fail;
	}
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, (int)st->busy_timeout_ms);
	/* No writable_schema or similar ways for SQL to corrupt the file. */
	sqlite3_db_config(c->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);

	char mode[16];
	err = pragma_text(c, "PRAGMA journal_mode=WAL", mode, sizeof(mode));
	if (err)
		goto fail;
	if (strcmp(mode, "wal") != 0) {
		qoc_log_error("store: sqlite refused WAL journal mode", "journal_mode=%s", mode);
		err = QOC_EDB;
		goto fail;
	}
	err = pragma_exec(c, st->sync == QOC_SYNC_NORMAL ? "PRAGMA synchronous=NORMAL"
	                                                 : "PRAGMA synchronous=FULL");
	if (err)
		goto fail;
	err = pragma_exec(c, "PRAGMA foreign_keys=ON");
	if (err)
		goto fail;
	/* After each commit: the applications' counter, then SQLite's checkpoint-in-commit
	 * replaced (sqlite_appgen.c, sqlite_checkpoint.c). */
	qoc_sqlite_appgen_hooks(c);
	sqlite3_wal_hook(c->db, qoc_sqlite_wal_hook, c);
	return QOC_OK;
fail:
	conn_close(c);
	return err;
}

enum qoc_err qoc_sqlite_acquire(struct qoc_sqlite_store *st, struct qoc_sqlite_conn **out)
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
	struct qoc_sqlite_conn *c = st->free_list;
	st->free_list = c->next_free;
	pthread_mutex_unlock(&st->mu);
	qoc_metrics_pool_wait(t0, false);

	if (!c->db) {
		enum qoc_err err = conn_open(st, c);
		if (err) {
			qoc_sqlite_release(c);
			return err;
		}
	}
	*out = c;
	return QOC_OK;
}

void qoc_sqlite_release(struct qoc_sqlite_conn *c)
{
	struct qoc_sqlite_store *st = c->store;
	if (c->db) {
		/* Every path resets its statements; one left running would pin an old snapshot
		 * (stale reads, a WAL that never checkpoints). Repair it and say so. */
		for (sqlite3_stmt *s = sqlite3_next_stmt(c->db, NULL); s;
		     s = sqlite3_next_stmt(c->db, s)) {
			if (sqlite3_stmt_busy(s)) {
				qoc_log_error("store: statement left running", "action=reset");
				qoc_sqlite_stmt_done(s);
			}
		}
		if (!sqlite3_get_autocommit(c->db)) {
			qoc_log_error("store: connection returned inside a transaction",
			              "action=close");
			conn_close(c);
		}
	}
	pthread_mutex_lock(&st->mu);
	c->next_free = st->free_list;
	st->free_list = c;
	pthread_cond_signal(&st->cv);
	pthread_mutex_unlock(&st->mu);
}

/* Closes every connection and frees the handle (also undoes a half-done open). */
static void store_free(struct qoc_sqlite_store *st)
{
	qoc_sqlite_checkpointer_stop(st);
	conn_close(&st->checkpointer.conn);
	for (unsigned i = 0; i < st->pool_size; i++)
		conn_close(&st->conns[i]);
	qoc_sqlite_appgen_close(st);
	pthread_mutex_destroy(&st->batcher.mu);
	pthread_cond_destroy(&st->cv);
	pthread_mutex_destroy(&st->mu);
	free(st->path);
	free(st);
}

static void sqlite_close(struct qoc_store *base)
{
	struct qoc_sqlite_store *st = qoc_sqlite_from(base);
	unsigned free_count = 0;
	for (struct qoc_sqlite_conn *c = st->free_list; c; c = c->next_free)
		free_count++;
	if (free_count != st->pool_size)
		qoc_log_error("store: closed while connections are in use", "in_use=%u",
		              st->pool_size - free_count);
	struct qoc_sqlite_batcher *b = &st->batcher;
	if (b->writes)
		qoc_log_info("store: group commit totals",
		             "commits=%llu writes=%llu fallbacks=%llu",
		             (unsigned long long)b->commits, (unsigned long long)b->writes,
		             (unsigned long long)b->fallbacks);
	store_free(st);
}

static enum qoc_err ping_work(struct qoc_sqlite_conn *c, void *arg)
{
	(void)arg;
	static struct qoc_sqlite_sql sql_ping = {.text = "SELECT 1"};
	sqlite3_stmt *s;
	enum qoc_err err = qoc_sqlite_stmt(c, &sql_ping, &s);
	if (err)
		return err;
	int rc = sqlite3_step(s);
	err = rc == SQLITE_ROW ? QOC_OK : qoc_sqlite_error(c, rc, "ping");
	qoc_sqlite_stmt_done(s);
	return err;
}

static enum qoc_err sqlite_ping(struct qoc_store *base)
{
	return qoc_sqlite_with_conn(qoc_sqlite_from(base), ping_work, NULL);
}

const struct qoc_store_ops qoc_sqlite_ops = {
    .version = QOC_STORE_OPS_VERSION,
    .name = "sqlite",
    .close = sqlite_close,
    .migrate = qoc_sqlite_migrate,
    .ping = sqlite_ping,
    .key_rotate = qoc_sqlite_key_rotate,
    .key_active = qoc_sqlite_key_active,
    .key_list_published = qoc_sqlite_key_list_published,
    .account_create = qoc_sqlite_account_create,
    .account_by_email = qoc_sqlite_account_by_email,
    .account_by_id = qoc_sqlite_account_by_id,
    .account_admin_exists = qoc_sqlite_account_admin_exists,
    .team_create = qoc_sqlite_team_create,
    .teams_of_account = qoc_sqlite_teams_of_account,
    .team_members = qoc_sqlite_team_members,
    .member_add = qoc_sqlite_member_add,
    .member_set_role = qoc_sqlite_member_set_role,
    .member_remove = qoc_sqlite_member_remove,
    .membership_role = qoc_sqlite_membership_role,
    .app_create = qoc_sqlite_app_create,
    .app_get = qoc_sqlite_app_get,
    .client_get = qoc_sqlite_client_get,
    .app_list = qoc_sqlite_app_list,
    .app_update = qoc_sqlite_app_update,
    .app_set_status = qoc_sqlite_app_set_status,
    .app_secret_replace = qoc_sqlite_app_secret_replace,
    .app_set_icon = qoc_sqlite_app_set_icon,
    .app_clear_icon = qoc_sqlite_app_clear_icon,
    .app_get_icon = qoc_sqlite_app_get_icon,
    .app_transfer = qoc_sqlite_app_transfer,
    .app_delete = qoc_sqlite_app_delete,
    .app_touch_last_used = qoc_sqlite_app_touch_last_used,
    .audit_append = qoc_sqlite_audit_append,
    .audit_list = qoc_sqlite_audit_list,
    .pat_create = qoc_sqlite_pat_create,
    .pat_find = qoc_sqlite_pat_find,
    .pat_list = qoc_sqlite_pat_list,
    .pat_revoke = qoc_sqlite_pat_revoke,
    .pat_touch = qoc_sqlite_pat_touch,
    .session_create = qoc_sqlite_session_create,
    .session_get = qoc_sqlite_session_get,
    .session_touch = qoc_sqlite_session_touch,
    .session_delete = qoc_sqlite_session_delete,
    .session_delete_by_sid = qoc_sqlite_session_delete_by_sid,
    .authreq_create = qoc_sqlite_authreq_create,
    .authreq_get = qoc_sqlite_authreq_get,
    .authreq_set_account = qoc_sqlite_authreq_set_account,
    .authreq_take = qoc_sqlite_authreq_take,
    .authreq_delete = qoc_sqlite_authreq_delete,
    .code_create = qoc_sqlite_code_create,
    .code_consume = qoc_sqlite_code_consume,
    .tokens_issue = qoc_sqlite_tokens_issue,
    .token_get = qoc_sqlite_token_get,
    .refresh_rotate = qoc_sqlite_refresh_rotate,
    .token_revoke = qoc_sqlite_token_revoke,
    .family_revoke = qoc_sqlite_family_revoke,
    .tokens_purge_expired = qoc_sqlite_tokens_purge_expired,
    .consent_get = qoc_sqlite_consent_get,
    .consent_put = qoc_sqlite_consent_put,
    /* mail outbox */
    .outbox_put = qoc_sqlite_outbox_put,
    .outbox_due = qoc_sqlite_outbox_due,
    .outbox_mark_sent = qoc_sqlite_outbox_mark_sent,
    .outbox_mark_failed = qoc_sqlite_outbox_mark_failed,
    .outbox_claim = qoc_sqlite_outbox_claim,
    .outbox_pending = qoc_sqlite_outbox_pending,
    /* usage analytics */
    .analytics_append = qoc_sqlite_analytics_append,
    .analytics_query = qoc_sqlite_analytics_query,
    .analytics_lifetime = qoc_sqlite_analytics_lifetime,
    .analytics_active_users = qoc_sqlite_analytics_active_users,
    .analytics_purge = qoc_sqlite_analytics_purge,
    /* throttles */
    .throttle_reserve = qoc_sqlite_throttle_reserve,
    .throttle_fail = qoc_sqlite_throttle_fail,
    .throttle_cancel = qoc_sqlite_throttle_cancel,
    .throttle_forget = qoc_sqlite_throttle_forget,
    .throttle_purge = qoc_sqlite_throttle_purge,
    /* state purge */
    .authreq_purge = qoc_sqlite_authreq_purge,
    .sessions_purge = qoc_sqlite_sessions_purge,
    .codes_purge = qoc_sqlite_codes_purge,
    .tokens_purge = qoc_sqlite_tokens_purge,
    .families_purge = qoc_sqlite_families_purge,
};

/* Allocates the handle with its pool array; the mutex and condvar (on the monotonic clock,
 * so a wall-clock jump cannot stretch or cut a wait) are ready on success. */
static enum qoc_err store_new(const struct qoc_store_options *opts, const char *path,
                              struct qoc_sqlite_store **out)
{
	enum qoc_err err = QOC_ENOMEM;
	unsigned n = opts->pool_size ? opts->pool_size : QOC_STORE_DEFAULT_POOL_SIZE;
	struct qoc_sqlite_store *st = calloc(1, sizeof(*st) + n * sizeof(st->conns[0]));
	if (!st)
		goto fail;
	st->path = strdup(path);
	if (!st->path)
		goto fail_st;
	pthread_condattr_t ca;
	if (pthread_condattr_init(&ca) != 0)
		goto fail_path;
	int rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (rc == 0)
		rc = pthread_cond_init(&st->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (rc != 0)
		goto fail_path;
	if (pthread_mutex_init(&st->mu, NULL) != 0)
		goto fail_cv;
	if (pthread_mutex_init(&st->batcher.mu, NULL) != 0)
		goto fail_mu;
	st->batcher.cap = opts->group_commit == QOC_GROUP_COMMIT_OFF ? 1 : QOC_SQLITE_BATCH_MAX;
	st->base.ops = &qoc_sqlite_ops;
	st->sync = opts->sync;
	st->busy_timeout_ms =
	    opts->busy_timeout_ms ? opts->busy_timeout_ms : QOC_STORE_DEFAULT_BUSY_TIMEOUT_MS;
	st->pool_size = n;
	st->checkpointer.pages = QOC_SQLITE_CHECKPOINT_PAGES;
	*out = st;
	return QOC_OK;
fail_mu:
	pthread_mutex_destroy(&st->mu);
fail_cv:
	pthread_cond_destroy(&st->cv);
fail_path:
	free(st->path);
fail_st:
	free(st);
fail:
	return err;
}

/* Process-wide, before SQLite's first use. Memory statistics are off: with them every
 * sqlite3_malloc and free takes one global mutex shared by all the pool's connections,
 * and qoc never reads them. */
static void global_config(void)
{
	if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK)
		qoc_log_warn("store: sqlite was initialised before its settings", "setting=memstatus");
}

void qoc_sqlite_global_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, global_config);
}

enum qoc_err qoc_sqlite_open(const struct qoc_store_options *opts, const char *path,
                             struct qoc_store **out)
{
	*out = NULL;
	qoc_sqlite_global_init();
	if (!path[0] || strcmp(path, ":memory:") == 0) {
		qoc_log_error("store: sqlite needs a database file path",
		              "hint=\"sqlite:<data dir>/qoc.db\"");
		return QOC_EINVAL;
	}
	if (opts->busy_timeout_ms > (unsigned)INT32_MAX) {
		qoc_log_error("store: busy_timeout_ms too large", "busy_timeout_ms=%u",
		              opts->busy_timeout_ms);
		return QOC_EINVAL;
	}
	/* SQLite gives -wal and -shm the database file's mode: make it 0600 first. */
	enum qoc_err err = qoc_sqlite_files_private(path);
	if (err)
		return err;
	struct qoc_sqlite_store *st;
	if ((err = store_new(opts, path, &st)))
		return err;
	qoc_sqlite_appgen_open(st); /* before the first connection: its hooks move the counter */
	/* Opened one after another here, so the first switches the file to WAL alone. */
	for (unsigned i = 0; i < st->pool_size; i++) {
		struct qoc_sqlite_conn *c = &st->conns[i];
		c->store = st;
		err = conn_open(st, c);
		if (err) {
			char qpath[256];
			qoc_log_error("store: cannot open sqlite database", "path=%s err=\"%s\"",
			              qoc_log_quote(qpath, sizeof(qpath), path), qoc_strerror(err));
			store_free(st);
			return err;
		}
		c->next_free = st->free_list;
		st->free_list = c;
	}
	/* The checkpoint thread's own connection, set up as the pool's. */
	st->checkpointer.conn.store = st;
	err = conn_open(st, &st->checkpointer.conn);
	if (!err)
		err = qoc_sqlite_checkpointer_start(st);
	if (err) {
		store_free(st);
		return err;
	}
	*out = &st->base;
	return QOC_OK;
}
