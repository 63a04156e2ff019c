/* pg_analytics.c - usage analytics: raw events, hourly rollups, lifetime totals (see the
 * "usage analytics" block in store.h and migration 0002_analytics).
 *
 * Several nodes write at once, each from its own analytics writer. Rollups grow by
 * INSERT ... ON CONFLICT DO UPDATE (atomic per row in PostgreSQL), an hour's distinct
 * accounts by INSERT ... ON CONFLICT DO NOTHING (counted only when this node inserted
 * it), so concurrent batches add up exactly. Two batches touching the same rows in
 * another order can deadlock; PostgreSQL breaks it and qoc_pg_tx runs the loser again.
 * The application's row is share-locked while its analytics are appended, so a deletion
 * on another node waits for the batch (and then takes its rows with it) instead of
 * failing it. */
#include "store/postgres/pg_internal.h"
#include "store/store_analytics.h"

#include <string.h>

#include "store/store_check.h"

static struct qoc_pg_sql sql_app_lock = {
    .text = "SELECT 1 FROM applications WHERE client_id = $1 FOR KEY SHARE"};
static struct qoc_pg_sql sql_event = {
    .text = "INSERT INTO analytics_events (client_id, at, endpoint, status, error, latency_us,"
            " account_id, country) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"};
#define H_ADD(i) " h" #i " = analytics_hourly.h" #i " + excluded.h" #i
static struct qoc_pg_sql sql_hour = {
    .text =
        "INSERT INTO analytics_hourly (client_id, hour, requests, errors, latency_us_sum,"
        " accounts, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9, h10, h11, h12, h13, h14, h15)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,"
        " $17, $18, $19, $20, $21, $22)"
        " ON CONFLICT (client_id, hour) DO UPDATE SET"
        " requests = analytics_hourly.requests + excluded.requests,"
        " errors = analytics_hourly.errors + excluded.errors,"
        " latency_us_sum = analytics_hourly.latency_us_sum + excluded.latency_us_sum,"
        " accounts = analytics_hourly.accounts + excluded.accounts," H_ADD(0) "," H_ADD(1) "," H_ADD(2) "," H_ADD(3) "," H_ADD(4) "," H_ADD(5) "," H_ADD(
            6) "," H_ADD(7) "," H_ADD(8) "," H_ADD(9) "," H_ADD(10) "," H_ADD(11) "," H_ADD(12) "," H_ADD(13) "," H_ADD(14) "," H_ADD(15)};
static struct qoc_pg_sql sql_dim = {
    .text = "INSERT INTO analytics_hourly_dims (client_id, hour, dim, key, n)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (client_id, hour, dim, key)"
            " DO UPDATE SET n = analytics_hourly_dims.n + excluded.n"};
static struct qoc_pg_sql sql_account = {
    .text = "INSERT INTO analytics_hourly_accounts (client_id, hour, account_id)"
            " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"};
static struct qoc_pg_sql sql_total = {
    .text = "INSERT INTO analytics_totals (client_id, requests) VALUES ($1, $2)"
            " ON CONFLICT (client_id) DO UPDATE SET"
            " requests = analytics_totals.requests + excluded.requests"};

static struct qoc_pg_sql sql_q_hours = {
    .text = "SELECT hour, requests, errors, latency_us_sum, accounts, h0, h1, h2, h3, h4, h5,"
            " h6, h7, h8, h9, h10, h11, h12, h13, h14, h15 FROM analytics_hourly"
            " WHERE client_id = $1 AND hour >= $2 AND hour < $3 ORDER BY hour"};
static struct qoc_pg_sql sql_q_dims = {
    .text = "SELECT dim, key, sum(n) AS total FROM analytics_hourly_dims"
            " WHERE client_id = $1 AND hour >= $2 AND hour < $3"
            " GROUP BY dim, key ORDER BY dim, total DESC, key"};
static struct qoc_pg_sql sql_lifetime = {
    .text = "SELECT requests FROM analytics_totals WHERE client_id = $1"};
/* A refresh token still usable, or any token of a session still signed in. */
static struct qoc_pg_sql sql_active = {
    .text = "SELECT count(DISTINCT t.account_id) FROM tokens t"
            " WHERE t.client_id = $1 AND t.account_id IS NOT NULL AND t.revoked_at IS NULL"
            " AND t.expires_at > $2 AND ((t.kind = 'refresh' AND t.used_at IS NULL)"
            " OR (t.sid IS NOT NULL AND EXISTS (SELECT 1 FROM sso_sessions s"
            " WHERE s.sid = t.sid AND s.account_id = t.account_id AND s.expires_at > $2)))"};
static struct qoc_pg_sql sql_purge[] = {
    /* The oldest ids first (see the migration): no index on `at` to keep per event. */
    {.text = "DELETE FROM analytics_events WHERE id IN (SELECT id FROM"
             " (SELECT id, at FROM analytics_events ORDER BY id LIMIT $2) x WHERE at < $1)"},
    {.text = "DELETE FROM analytics_hourly_dims WHERE (client_id, hour, dim, key) IN"
             " (SELECT client_id, hour, dim, key FROM analytics_hourly_dims"
             " WHERE hour < $1 LIMIT $2)"},
    {.text = "DELETE FROM analytics_hourly_accounts WHERE (client_id, hour, account_id) IN"
             " (SELECT client_id, hour, account_id FROM analytics_hourly_accounts"
             " WHERE hour < $1 LIMIT $2)"},
    {.text = "DELETE FROM analytics_hourly WHERE (client_id, hour) IN"
             " (SELECT client_id, hour FROM analytics_hourly WHERE hour < $1 LIMIT $2)"},
};

/* --- append --- */

struct append_ctx {
	const struct qoc_an_batch *b;
	size_t skipped;
	const char *known_id; /* the last application looked up (batches hold few) */
	bool known;
};

/* Whether the application exists, share-locking its row until the commit if so. */
static enum qoc_err app_exists(struct qoc_pg_conn *c, struct append_ctx *k, const char *id,
                               bool *exists)
{
	if (k->known_id && strcmp(k->known_id, id) == 0) {
		*exists = k->known;
		return QOC_OK;
	}
	PGresult *r;
	enum qoc_err err = qoc_pg_exec(c, &sql_app_lock, "analytics_append: app", &r, "t", id);
	if (err)
		return err;
	k->known_id = id;
	k->known = *exists = PQntuples(r) > 0;
	PQclear(r);
	return QOC_OK;
}

static enum qoc_err put_event(struct qoc_pg_conn *c, const struct qoc_an_event_row *e)
{
	return qoc_pg_run(c, &sql_event, "analytics_append: event", NULL, "titititt", e->client_id,
	                  e->at, e->endpoint, (int64_t)e->status, e->error, e->latency_us,
	                  e->account_id, e->country);
}

static enum qoc_err put_hour(struct qoc_pg_conn *c, const struct qoc_an_hour_delta *h)
{
	int64_t added = 0;
	enum qoc_err err = QOC_OK;
	for (size_t i = 0; !err && i < h->naccounts; i++) {
		int64_t changes = 0;
		err = qoc_pg_run(c, &sql_account, "analytics_append: account", &changes, "tit",
		                 h->client_id, h->hour, h->accounts[i]);
		added += changes;
	}
	const int64_t *x = h->hist;
	if (!err)
		err = qoc_pg_run(c, &sql_hour, "analytics_append: hour", NULL,
		                 "tiiiiiiiiiiiiiiiiiiiii", h->client_id, h->hour, h->requests,
		                 h->errors, h->latency_us_sum, added, x[0], x[1], x[2], x[3], x[4],
		                 x[5], x[6], x[7], x[8], x[9], x[10], x[11], x[12], x[13], x[14],
		                 x[15]);
	for (size_t i = 0; !err && i < h->ndims; i++)
		err = qoc_pg_run(c, &sql_dim, "analytics_append: dim", NULL, "titti", h->client_id,
		                 h->hour, h->dims[i].dim, h->dims[i].key, h->dims[i].n);
	if (!err)
		err = qoc_pg_run(c, &sql_total, "analytics_append: total", NULL, "ti", h->client_id,
		                 h->requests);
	return err;
}

static enum qoc_err append_work(struct qoc_pg_conn *c, void *arg)
{
	struct append_ctx *k = arg;
	const struct qoc_an_batch *b = k->b;
	bool exists;
	k->skipped = 0;
	k->known_id = NULL;
	/* Analytics are informative: this transaction's commit does not wait for the WAL
	 * flush (atomic all the same; a crash may lose the last batches), so it never slows
	 * the protocol's durable commits. SET LOCAL ends with the transaction. */
	enum qoc_err err = qoc_pg_command(c, "SET LOCAL synchronous_commit = off");
	for (size_t i = 0; !err && i < b->nevents; i++) {
		if ((err = app_exists(c, k, b->events[i].client_id, &exists)))
			break;
		if (!exists)
			k->skipped++;
		else
			err = put_event(c, &b->events[i]);
	}
	for (size_t i = 0; !err && i < b->nhours; i++) {
		if ((err = app_exists(c, k, b->hours[i].client_id, &exists)))
			break;
		if (exists)
			err = put_hour(c, &b->hours[i]);
	}
	return err;
}

enum qoc_err qoc_pg_analytics_append(struct qoc_store *base, const struct qoc_an_batch *b,
                                     size_t *skipped)
{
	if (skipped)
		*skipped = 0;
	if (!qoc_store_an_batch_ok(b))
		return QOC_EINVAL;
	if (b->nevents == 0 && b->nhours == 0)
		return QOC_OK;
	struct append_ctx k = {.b = b};
	enum qoc_err err = qoc_pg_tx(qoc_pg_from(base), append_work, &k);
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

static enum qoc_err read_hours(struct qoc_pg_conn *c, struct query_ctx *k)
{
	PGresult *r;
	enum qoc_err err = qoc_pg_exec(c, &sql_q_hours, "analytics_query: hours", &r, "tii",
	                               k->client_id, k->from, k->to);
	if (err)
		return err;
	for (int row = 0; row < PQntuples(r); row++) {
		struct qoc_an_hour *h = qoc_pg_push(k->a, (void **)&k->out->hours, &k->out->nhours,
		                                    &k->hcap, sizeof(*h));
		if (!h) {
			err = QOC_ENOMEM;
			break;
		}
		h->hour = qoc_pg_col_int(r, row, 0);
		h->requests = qoc_pg_col_int(r, row, 1);
		h->errors = qoc_pg_col_int(r, row, 2);
		h->latency_us_sum = qoc_pg_col_int(r, row, 3);
		h->accounts = qoc_pg_col_int(r, row, 4);
		for (int i = 0; i < QOC_AN_HIST_BUCKETS; i++)
			h->hist[i] = qoc_pg_col_int(r, row, 5 + i);
	}
	PQclear(r);
	return err;
}

static enum qoc_err read_dims(struct qoc_pg_conn *c, struct query_ctx *k)
{
	PGresult *r;
	enum qoc_err err = qoc_pg_exec(c, &sql_q_dims, "analytics_query: dims", &r, "tii",
	                               k->client_id, k->from, k->to);
	if (err)
		return err;
	for (int row = 0; !err && row < PQntuples(r); row++) {
		struct qoc_an_dim_count *d =
		    qoc_pg_push(k->a, (void **)&k->out->dims, &k->out->ndims, &k->dcap, sizeof(*d));
		if (!d) {
			err = QOC_ENOMEM;
			break;
		}
		d->n = qoc_pg_col_int(r, row, 2);
		if (!(err = qoc_pg_col_text(k->a, r, row, 0, &d->dim)))
			err = qoc_pg_col_text(k->a, r, row, 1, &d->key);
	}
	PQclear(r);
	return err;
}

static enum qoc_err query_work(struct qoc_pg_conn *c, void *arg)
{
	struct query_ctx *k = arg;
	memset(k->out, 0, sizeof(*k->out));
	k->hcap = k->dcap = 0;
	enum qoc_err err = read_hours(c, k);
	return err ? err : read_dims(c, k);
}

enum qoc_err qoc_pg_analytics_query(struct qoc_store *base, struct qoc_arena *a,
                                    const char *client_id, int64_t from_hour, int64_t to_hour,
                                    struct qoc_an_range *out)
{
	if (!a || !out || !qoc_store_nonempty(client_id))
		return QOC_EINVAL;
	memset(out, 0, sizeof(*out));
	struct query_ctx k = {
	    .a = a, .client_id = client_id, .from = from_hour, .to = to_hour, .out = out};
	/* One snapshot: the hours and the dimensions agree while writers append. */
	return qoc_pg_read_tx(qoc_pg_from(base), query_work, &k);
}

/* --- single figures --- */

struct count_ctx {
	struct qoc_pg_sql *sql;
	const char *what;
	const char *client_id;
	int64_t now;
	bool with_now;
	int64_t n;
};

static enum qoc_err count_work(struct qoc_pg_conn *c, void *arg)
{
	struct count_ctx *k = arg;
	PGresult *r;
	enum qoc_err err = k->with_now
	                       ? qoc_pg_exec(c, k->sql, k->what, &r, "ti", k->client_id, k->now)
	                       : qoc_pg_exec(c, k->sql, k->what, &r, "t", k->client_id);
	if (err)
		return err;
	k->n = PQntuples(r) > 0 ? qoc_pg_col_int(r, 0, 0) : 0;
	PQclear(r);
	return QOC_OK;
}

enum qoc_err qoc_pg_analytics_lifetime(struct qoc_store *base, const char *client_id,
                                       int64_t *requests)
{
	if (!qoc_store_nonempty(client_id) || !requests)
		return QOC_EINVAL;
	struct count_ctx k = {
	    .sql = &sql_lifetime, .what = "analytics_lifetime", .client_id = client_id};
	enum qoc_err err = qoc_pg_with_conn(qoc_pg_from(base), true, count_work, &k);
	*requests = err ? 0 : k.n;
	return err;
}

enum qoc_err qoc_pg_analytics_active_users(struct qoc_store *base, const char *client_id,
                                           int64_t now, int64_t *users)
{
	if (!qoc_store_nonempty(client_id) || !users)
		return QOC_EINVAL;
	struct count_ctx k = {.sql = &sql_active,
	                      .what = "analytics_active_users",
	                      .client_id = client_id,
	                      .now = now,
	                      .with_now = true};
	enum qoc_err err = qoc_pg_with_conn(qoc_pg_from(base), true, count_work, &k);
	*users = err ? 0 : k.n;
	return err;
}

/* --- purge --- */

struct purge_ctx {
	int64_t events_before, rollups_before, limit;
	size_t deleted;
};

static enum qoc_err purge_work(struct qoc_pg_conn *c, void *arg)
{
	struct purge_ctx *k = arg;
	k->deleted = 0;
	for (size_t i = 0; i < sizeof(sql_purge) / sizeof(sql_purge[0]); i++) {
		int64_t changes = 0;
		enum qoc_err err =
		    qoc_pg_run(c, &sql_purge[i], "analytics_purge", &changes, "ii",
		               i == 0 ? k->events_before : k->rollups_before, k->limit);
		if (err)
			return err;
		k->deleted += (size_t)changes;
	}
	return QOC_OK;
}

enum qoc_err qoc_pg_analytics_purge(struct qoc_store *base, int64_t events_before,
                                    int64_t rollups_before, size_t limit, size_t *deleted)
{
	if (deleted)
		*deleted = 0;
	if (limit == 0 || limit > INT32_MAX)
		return QOC_EINVAL;
	struct purge_ctx k = {.events_before = events_before,
	                      .rollups_before = rollups_before,
	                      .limit = (int64_t)limit};
	enum qoc_err err = qoc_pg_tx(qoc_pg_from(base), purge_work, &k);
	if (!err && deleted)
		*deleted = k.deleted;
	return err;
}
