/* sqlite_analytics.c - usage analytics: raw events, hourly rollups, lifetime totals (see
 * the "usage analytics" block in store.h and migration 0007). */
#include "store/sqlite/sqlite_internal.h"
#include "store/store_analytics.h"

#include <string.h>

#include "store/store_check.h"

static struct qoc_sqlite_sql sql_app_exists = {
    .text = "SELECT 1 FROM applications WHERE client_id = ?1"};
#define EVENT_INSERT                                                                               \
	"INSERT INTO analytics_events (client_id, at, endpoint, status, error, latency_us,"        \
	" account_id, country) VALUES "
#define EVENT_ROW "(?, ?, ?, ?, ?, ?, ?, ?)"
#define EVENT_ROWS_4 EVENT_ROW ", " EVENT_ROW ", " EVENT_ROW ", " EVENT_ROW
#define EVENT_ROWS_16 EVENT_ROWS_4 ", " EVENT_ROWS_4 ", " EVENT_ROWS_4 ", " EVENT_ROWS_4
/* Raw events go in 32 rows a statement (then one by one): one step per 32 rows instead of
 * per row, about half the cost of a captured event in the writer (bench_analytics_query). */
#define EVENTS_PER_INSERT 32
static struct qoc_sqlite_sql sql_event = {.text = EVENT_INSERT EVENT_ROW};
static struct qoc_sqlite_sql sql_events = {.text = EVENT_INSERT EVENT_ROWS_16 ", " EVENT_ROWS_16};
static struct qoc_sqlite_sql sql_hour = {
    .text = "INSERT INTO analytics_hourly (client_id, hour, requests, errors, latency_us_sum,"
            " accounts, h0,h1,h2,h3,h4,h5,h6,h7,h8,h9,h10,h11,h12,h13,h14,h15) VALUES (?1, ?2, ?3, "
            "?4, ?5, ?6, ?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22)"
            " ON CONFLICT (client_id, hour) DO UPDATE SET"
            " requests = requests + excluded.requests, errors = errors + excluded.errors,"
            " latency_us_sum = latency_us_sum + excluded.latency_us_sum,"
            " accounts = accounts + excluded.accounts, "
            "h0 = h0 + excluded.h0, "
            "h1 = h1 + excluded.h1, "
            "h2 = h2 + excluded.h2, "
            "h3 = h3 + excluded.h3, "
            "h4 = h4 + excluded.h4, "
            "h5 = h5 + excluded.h5, "
            "h6 = h6 + excluded.h6, "
            "h7 = h7 + excluded.h7, "
            "h8 = h8 + excluded.h8, "
            "h9 = h9 + excluded.h9, "
            "h10 = h10 + excluded.h10, "
            "h11 = h11 + excluded.h11, "
            "h12 = h12 + excluded.h12, "
            "h13 = h13 + excluded.h13, "
            "h14 = h14 + excluded.h14, "
            "h15 = h15 + excluded.h15"};
static struct qoc_sqlite_sql sql_dim = {
    .text = "INSERT INTO analytics_hourly_dims (client_id, hour, dim, key, n)"
            " VALUES (?1, ?2, ?3, ?4, ?5)"
            " ON CONFLICT (client_id, hour, dim, key) DO UPDATE SET n = n + excluded.n"};
static struct qoc_sqlite_sql sql_account = {
    .text = "INSERT INTO analytics_hourly_accounts (client_id, hour, account_id)"
            " VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING"};
/* Analytics are informative: their commits skip the fsync (WAL + NORMAL is still atomic;
 * a power loss may lose the last batches). A commit holds the one write lock of the
 * database until its fsync returns, so an fsync per batch would stall the protocol's own
 * durable writes behind it. The connection goes back to the store's level afterwards. */
static struct qoc_sqlite_sql sql_sync_normal = {.text = "PRAGMA synchronous=NORMAL"};
static struct qoc_sqlite_sql sql_sync_full = {.text = "PRAGMA synchronous=FULL"};

static struct qoc_sqlite_sql sql_total = {
    .text = "INSERT INTO analytics_totals (client_id, requests) VALUES (?1, ?2)"
            " ON CONFLICT (client_id) DO UPDATE SET requests = requests + excluded.requests"};

static struct qoc_sqlite_sql sql_q_hours = {
    .text = "SELECT hour, requests, errors, latency_us_sum, accounts, "
            "h0,h1,h2,h3,h4,h5,h6,h7,h8,h9,h10,h11,h12,h13,h14,h15"
            " FROM analytics_hourly WHERE client_id = ?1 AND hour >= ?2 AND hour < ?3"
            " ORDER BY hour"};
static struct qoc_sqlite_sql sql_q_dims = {
    .text = "SELECT dim, key, sum(n) AS total FROM analytics_hourly_dims"
            " WHERE client_id = ?1 AND hour >= ?2 AND hour < ?3"
            " GROUP BY dim, key ORDER BY dim, total DESC, key"};
static struct qoc_sqlite_sql sql_lifetime = {
    .text = "SELECT requests FROM analytics_totals WHERE client_id = ?1"};
/* A refresh token still usable, or any token of a session still signed in. */
static struct qoc_sqlite_sql sql_active = {
    .text = "SELECT count(DISTINCT t.account_id) FROM tokens t"
            " WHERE t.client_id = ?1 AND t.account_id IS NOT NULL AND t.revoked_at IS NULL"
            " AND t.expires_at > ?2 AND ((t.kind = 'refresh' AND t.used_at IS NULL)"
            " OR (t.sid IS NOT NULL AND EXISTS (SELECT 1 FROM sso_sessions s"
            " WHERE s.sid = t.sid AND s.account_id = t.account_id AND s.expires_at > ?2)))"};
static struct qoc_sqlite_sql sql_purge[] = {
    /* The oldest ids first (events are appended in capture order, so they are the oldest
     * events; a batch's few seconds of reordering do not matter to a retention in days):
     * a walk of the rowid from its start, no index on `at` to maintain per event. */
    {.text = "DELETE FROM analytics_events WHERE id IN (SELECT id FROM"
             " (SELECT id, at FROM analytics_events ORDER BY id LIMIT ?2) WHERE at < ?1)"},
    {.text = "DELETE FROM analytics_hourly_dims WHERE (client_id, hour, dim, key) IN"
             " (SELECT client_id, hour, dim, key FROM analytics_hourly_dims"
             " WHERE hour < ?1 LIMIT ?2)"},
    {.text = "DELETE FROM analytics_hourly_accounts WHERE (client_id, hour, account_id) IN"
             " (SELECT client_id, hour, account_id FROM analytics_hourly_accounts"
             " WHERE hour < ?1 LIMIT ?2)"},
    {.text = "DELETE FROM analytics_hourly WHERE (client_id, hour) IN"
             " (SELECT client_id, hour FROM analytics_hourly WHERE hour < ?1 LIMIT ?2)"},
};

/* --- append --- */

struct append_ctx {
	const struct qoc_an_batch *b;
	size_t skipped;
	/* The last application looked up (batches hold few distinct ones). */
	const char *known_id;
	bool known;
};

static enum qoc_err app_exists(struct qoc_sqlite_conn *c, struct append_ctx *k, const char *id,
                               bool *exists)
{
	if (k->known_id && strcmp(k->known_id, id) == 0) {
		*exists = k->known;
		return QOC_OK;
	}
	sqlite3_stmt *s;
	enum qoc_err err =
	    qoc_sqlite_bound(c, &sql_app_exists, "analytics_append: app", &s, "t", id);
	if (err)
		return err;
	err = qoc_sqlite_step_row(c, s, "analytics_append: app");
	qoc_sqlite_stmt_done(s);
	if (err && err != QOC_ENOTFOUND)
		return err;
	k->known_id = id;
	k->known = *exists = err == QOC_OK;
	return QOC_OK;
}

static int bind_event(sqlite3_stmt *s, int base, const struct qoc_an_event_row *e)
{
	int rc = sqlite3_bind_text(s, base + 1, e->client_id, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, base + 2, e->at);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, base + 3, e->endpoint, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, base + 4, (sqlite3_int64)e->status);
	if (rc == SQLITE_OK)
		rc = e->error ? sqlite3_bind_text(s, base + 5, e->error, -1, SQLITE_STATIC)
		              : sqlite3_bind_null(s, base + 5);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, base + 6, e->latency_us);
	if (rc == SQLITE_OK)
		rc = e->account_id
		         ? sqlite3_bind_text(s, base + 7, e->account_id, -1, SQLITE_STATIC)
		         : sqlite3_bind_null(s, base + 7);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, base + 8, e->country, -1, SQLITE_STATIC);
	return rc;
}

/* Inserts ev[0..n), n == 1 or EVENTS_PER_INSERT. */
static enum qoc_err put_events(struct qoc_sqlite_conn *c, const struct qoc_an_event_row *const *ev,
                               size_t n)
{
	sqlite3_stmt *s;
	enum qoc_err err = qoc_sqlite_stmt(c, n == 1 ? &sql_event : &sql_events, &s);
	if (err)
		return err;
	int rc = SQLITE_OK;
	for (size_t i = 0; rc == SQLITE_OK && i < n; i++)
		rc = bind_event(s, (int)i * 8, ev[i]);
	err = rc == SQLITE_OK ? qoc_sqlite_step_done(c, s, "analytics_append: events")
	                      : qoc_sqlite_error(c, rc, "analytics_append: bind event");
	qoc_sqlite_stmt_done(s);
	return err;
}

/* The distinct accounts of the hour that are new to it. */
static enum qoc_err put_accounts(struct qoc_sqlite_conn *c, const struct qoc_an_hour_delta *h,
                                 int64_t *added)
{
	*added = 0;
	for (size_t i = 0; i < h->naccounts; i++) {
		int64_t changes = 0;
		enum qoc_err err =
		    qoc_sqlite_run(c, &sql_account, "analytics_append: account", &changes, "tit",
		                   h->client_id, h->hour, h->accounts[i]);
		if (err)
			return err;
		*added += changes;
	}
	return QOC_OK;
}

static enum qoc_err put_hour(struct qoc_sqlite_conn *c, const struct qoc_an_hour_delta *h)
{
	int64_t added;
	sqlite3_stmt *s;
	enum qoc_err err = put_accounts(c, h, &added);
	if (err || (err = qoc_sqlite_stmt(c, &sql_hour, &s)))
		return err;
	int rc = sqlite3_bind_text(s, 1, h->client_id, -1, SQLITE_STATIC);
	int64_t v[5] = {h->hour, h->requests, h->errors, h->latency_us_sum, added};
	for (int i = 0; rc == SQLITE_OK && i < 5; i++)
		rc = sqlite3_bind_int64(s, 2 + i, v[i]);
	for (int i = 0; rc == SQLITE_OK && i < QOC_AN_HIST_BUCKETS; i++)
		rc = sqlite3_bind_int64(s, 7 + i, h->hist[i]);
	err = rc == SQLITE_OK ? qoc_sqlite_step_done(c, s, "analytics_append: hour")
	                      : qoc_sqlite_error(c, rc, "analytics_append: bind");
	qoc_sqlite_stmt_done(s);
	for (size_t i = 0; !err && i < h->ndims; i++)
		err = qoc_sqlite_run(c, &sql_dim, "analytics_append: dim", NULL, "titti",
		                     h->client_id, h->hour, h->dims[i].dim, h->dims[i].key,
		                     h->dims[i].n);
	if (!err)
		err = qoc_sqlite_run(c, &sql_total, "analytics_append: total", NULL, "ti",
		                     h->client_id, h->requests);
	return err;
}

static enum qoc_err append_work(struct qoc_sqlite_conn *c, void *arg)
{
	struct append_ctx *k = arg;
	const struct qoc_an_batch *b = k->b;
	enum qoc_err err = QOC_OK;
	bool exists;
	k->skipped = 0;
	k->known_id = NULL;
	const struct qoc_an_event_row *pending[EVENTS_PER_INSERT];
	size_t np = 0;
	for (size_t i = 0; !err && i < b->nevents; i++) {
		if ((err = app_exists(c, k, b->events[i].client_id, &exists)))
			break;
		if (!exists) {
			k->skipped++;
			continue;
		}
		pending[np++] = &b->events[i];
		if (np == EVENTS_PER_INSERT) {
			err = put_events(c, pending, np);
			np = 0;
		}
	}
	for (size_t i = 0; !err && i < np; i++) /* the rest, one by one */
		err = put_events(c, &pending[i], 1);
	for (size_t i = 0; !err && i < b->nhours; i++) {
		if ((err = app_exists(c, k, b->hours[i].client_id, &exists)))
			break;
		if (exists)
			err = put_hour(c, &b->hours[i]);
	}
	return err;
}

enum qoc_err qoc_sqlite_analytics_append(struct qoc_store *base, const struct qoc_an_batch *b,
                                         size_t *skipped)
{
	if (skipped)
		*skipped = 0;
	if (!qoc_store_an_batch_ok(b))
		return QOC_EINVAL;
	if (b->nevents == 0 && b->nhours == 0)
		return QOC_OK;
	struct append_ctx k = {.b = b};
	struct qoc_sqlite_store *st = qoc_sqlite_from(base);
	struct qoc_sqlite_conn *c;
	enum qoc_err err = qoc_sqlite_acquire(st, &c);
	if (err)
		return err;
	bool relax = st->sync == QOC_SYNC_FULL;
	if (relax && (err = qoc_sqlite_exec(c, &sql_sync_normal)))
		goto out;
	err = qoc_sqlite_tx_run(c, append_work, &k);
	if (relax) {
		enum qoc_err back = qoc_sqlite_exec(c, &sql_sync_full);
		if (back && c->db) { /* never hand a relaxed connection to a durable write */
			qoc_sqlite_stmt_cache_clear(c);
			sqlite3_close_v2(c->db);
			c->db = NULL; /* reopened by the next acquire */
		}
	}
out:
	qoc_sqlite_release(c);
	if (!err && skipped)
		*skipped = k.skipped;
	return err;
}

/* --- query --- */

struct query_ctx {
	struct qoc_arena *a;
	const char *client_id;
	int64_t from, to;
	struct qoc_an_range *out;
	size_t hcap, dcap;
};

static enum qoc_err read_hours(struct qoc_sqlite_conn *c, struct query_ctx *k)
{
	sqlite3_stmt *s;
	enum qoc_err err = qoc_sqlite_bound(c, &sql_q_hours, "analytics_query: hours", &s, "tii",
	                                    k->client_id, k->from, k->to);
	if (err)
		return err;
	while ((err = qoc_sqlite_step_row(c, s, "analytics_query: hours")) == QOC_OK) {
		struct qoc_an_hour *h = qoc_sqlite_push(k->a, (void **)&k->out->hours,
		                                        &k->out->nhours, &k->hcap, sizeof(*h));
		if (!h) {
			err = QOC_ENOMEM;
			break;
		}
		h->hour = sqlite3_column_int64(s, 0);
		h->requests = sqlite3_column_int64(s, 1);
		h->errors = sqlite3_column_int64(s, 2);
		h->latency_us_sum = sqlite3_column_int64(s, 3);
		h->accounts = sqlite3_column_int64(s, 4);
		for (int i = 0; i < QOC_AN_HIST_BUCKETS; i++)
			h->hist[i] = sqlite3_column_int64(s, 5 + i);
	}
	qoc_sqlite_stmt_done(s);
	return err == QOC_ENOTFOUND ? QOC_OK : err;
}

static enum qoc_err read_dims(struct qoc_sqlite_conn *c, struct query_ctx *k)
{
	sqlite3_stmt *s;
	enum qoc_err err = qoc_sqlite_bound(c, &sql_q_dims, "analytics_query: dims", &s, "tii",
	                                    k->client_id, k->from, k->to);
	if (err)
		return err;
	while ((err = qoc_sqlite_step_row(c, s, "analytics_query: dims")) == QOC_OK) {
		struct qoc_an_dim_count *d = qoc_sqlite_push(k->a, (void **)&k->out->dims,
		                                             &k->out->ndims, &k->dcap, sizeof(*d));
		if (!d) {
			err = QOC_ENOMEM;
			break;
		}
		d->n = sqlite3_column_int64(s, 2);
		if ((err = qoc_sqlite_col_text(k->a, s, 0, &d->dim)) ||
		    (err = qoc_sqlite_col_text(k->a, s, 1, &d->key)))
			break;
	}
	qoc_sqlite_stmt_done(s);
	return err == QOC_ENOTFOUND ? QOC_OK : err;
}

static enum qoc_err query_work(struct qoc_sqlite_conn *c, void *arg)
{
	struct query_ctx *k = arg;
	memset(k->out, 0, sizeof(*k->out));
	k->hcap = k->dcap = 0;
	enum qoc_err err = read_hours(c, k);
	return err ? err : read_dims(c, k);
}

enum qoc_err qoc_sqlite_analytics_query(struct qoc_store *base, struct qoc_arena *a,
                                        const char *client_id, int64_t from_hour, int64_t to_hour,
                                        struct qoc_an_range *out)
{
	if (!a || !out || !qoc_store_nonempty(client_id))
		return QOC_EINVAL;
	memset(out, 0, sizeof(*out));
	struct query_ctx k = {
	    .a = a, .client_id = client_id, .from = from_hour, .to = to_hour, .out = out};
	/* One snapshot: the hours and the dimensions agree even while the writer appends. */
	return qoc_sqlite_read_tx(qoc_sqlite_from(base), query_work, &k);
}

/* --- single figures --- */

struct count_ctx {
	struct qoc_sqlite_sql *sql;
	const char *what;
	const char *client_id;
	int64_t now;
	bool with_now;
	int64_t n;
};

static enum qoc_err count_work(struct qoc_sqlite_conn *c, void *arg)
{
	struct count_ctx *k = arg;
	sqlite3_stmt *s;
	enum qoc_err err =
	    k->with_now ? qoc_sqlite_bound(c, k->sql, k->what, &s, "ti", k->client_id, k->now)
	                : qoc_sqlite_bound(c, k->sql, k->what, &s, "t", k->client_id);
	if (err)
		return err;
	err = qoc_sqlite_step_row(c, s, k->what);
	k->n = err == QOC_OK ? sqlite3_column_int64(s, 0) : 0;
	qoc_sqlite_stmt_done(s);
	return err == QOC_ENOTFOUND ? QOC_OK : err;
}

enum qoc_err qoc_sqlite_analytics_lifetime(struct qoc_store *base, const char *client_id,
                                           int64_t *requests)
{
	if (!qoc_store_nonempty(client_id) || !requests)
		return QOC_EINVAL;
	struct count_ctx k = {
	    .sql = &sql_lifetime, .what = "analytics_lifetime", .client_id = client_id};
	enum qoc_err err = qoc_sqlite_with_conn(qoc_sqlite_from(base), count_work, &k);
	*requests = err ? 0 : k.n;
	return err;
}

enum qoc_err qoc_sqlite_analytics_active_users(struct qoc_store *base, const char *client_id,
                                               int64_t now, int64_t *users)
{
	if (!qoc_store_nonempty(client_id) || !users)
		return QOC_EINVAL;
	struct count_ctx k = {.sql = &sql_active,
	                      .what = "analytics_active_users",
	                      .client_id = client_id,
	                      .now = now,
	                      .with_now = true};
	enum qoc_err err = qoc_sqlite_with_conn(qoc_sqlite_from(base), count_work, &k);
	*users = err ? 0 : k.n;
	return err;
}

/* --- purge --- */

struct purge_ctx {
	int64_t events_before, rollups_before, limit;
	size_t deleted;
};

static enum qoc_err purge_work(struct qoc_sqlite_conn *c, void *arg)
{
	struct purge_ctx *k = arg;
	k->deleted = 0;
	for (size_t i = 0; i < sizeof(sql_purge) / sizeof(sql_purge[0]); i++) {
		int64_t changes = 0;
		enum qoc_err err =
		    qoc_sqlite_run(c, &sql_purge[i], "analytics_purge", &changes, "ii",
		                   i == 0 ? k->events_before : k->rollups_before, k->limit);
		if (err)
			return err;
		k->deleted += (size_t)changes;
	}
	return QOC_OK;
}

enum qoc_err qoc_sqlite_analytics_purge(struct qoc_store *base, int64_t events_before,
                                        int64_t rollups_before, size_t limit, size_t *deleted)
{
	if (deleted)
		*deleted = 0;
	if (limit == 0 || limit > INT32_MAX)
		return QOC_EINVAL;
	struct purge_ctx k = {.events_before = events_before,
	                      .rollups_before = rollups_before,
	                      .limit = (int64_t)limit};
	enum qoc_err err = qoc_sqlite_write_tx(qoc_sqlite_from(base), purge_work, &k);
	if (!err && deleted)
		*deleted = k.deleted;
	return err;
}
