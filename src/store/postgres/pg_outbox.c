/* pg_outbox.c - the durable mail outbox (see the "mail outbox" block in store.h). */
#include "store/postgres/pg_internal.h"

#include <string.h>

#include "store/store_check.h"

#define OUTBOX_COLUMNS                                                                             \
	"id, to_addr, subject, body, created_at, attempts, next_attempt_at, sent_at, last_error"

static struct qoc_pg_sql sql_put = {
    .text = "INSERT INTO outbox (to_addr, subject, body, created_at, attempts, next_attempt_at)"
            " VALUES ($1, $2, $3, $4, 0, $4) RETURNING id"};
static struct qoc_pg_sql sql_due = {.text = "SELECT " OUTBOX_COLUMNS " FROM outbox"
                                            " WHERE sent_at IS NULL AND next_attempt_at <= $1"
                                            " ORDER BY next_attempt_at, id LIMIT $2"};
/* SKIP LOCKED: rows another node is claiming right now are left to it, not waited for;
 * the lease makes them not due for everyone else once it commits. */
static struct qoc_pg_sql sql_claim = {
    .text = "WITH d AS (SELECT id, next_attempt_at AS due_at FROM outbox"
            "  WHERE sent_at IS NULL AND next_attempt_at <= $1"
            "  ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED),"
            " u AS (UPDATE outbox o SET next_attempt_at = $3 FROM d WHERE o.id = d.id"
            "  RETURNING o.id, o.to_addr, o.subject, o.body, o.created_at, o.attempts,"
            "  d.due_at, o.sent_at, o.last_error)"
            " SELECT * FROM u ORDER BY due_at, id"};
static struct qoc_pg_sql sql_sent = {
    .text = "UPDATE outbox SET sent_at = $2 WHERE id = $1 AND sent_at IS NULL"};
/* $2 = 0 gives up: NULL is never <= now. */
static struct qoc_pg_sql sql_failed = {
    .text = "UPDATE outbox SET attempts = attempts + 1, last_error = $3,"
            " next_attempt_at = nullif($2, 0) WHERE id = $1 AND sent_at IS NULL"};

static struct qoc_pg_sql sql_pending = {
    .text = "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND next_attempt_at IS NOT NULL"};

struct put_ctx {
	const struct qoc_outbox_row *row;
	int64_t id;
};

static enum qoc_err put_work(struct qoc_pg_conn *c, void *arg)
{
	struct put_ctx *ctx = arg;
	const struct qoc_outbox_row *r = ctx->row;
	PGresult *res;
	enum qoc_err err = qoc_pg_exec(c, &sql_put, "outbox_put", &res, "ttti", r->to_addr,
	                               r->subject, r->body, r->created_at);
	if (err)
		return err;
	ctx->id = qoc_pg_col_int(res, 0, 0);
	PQclear(res);
	return QOC_OK;
}

enum qoc_err qoc_pg_outbox_put(struct qoc_store *base, const struct qoc_outbox_row *row,
                               int64_t *id)
{
	if (!qoc_store_outbox_row_ok(row))
		return QOC_EINVAL;
	struct put_ctx ctx = {.row = row};
	enum qoc_err err = qoc_pg_with_conn(qoc_pg_from(base), false, put_work, &ctx);
	if (!err && id)
		*id = ctx.id;
	return err;
}

struct due_ctx {
	struct qoc_arena *a;
	int64_t now;
	int64_t lease_until; /* 0: only read (outbox_due); else claim until then */
	size_t limit;
	struct qoc_outbox_row *rows;
	size_t n;
};

static enum qoc_err read_row(struct qoc_arena *a, const PGresult *res, int i,
                             struct qoc_outbox_row *r)
{
	enum qoc_err err;
	r->id = qoc_pg_col_int(res, i, 0);
	r->created_at = qoc_pg_col_int(res, i, 4);
	r->attempts = qoc_pg_col_int(res, i, 5);
	r->next_attempt_at = qoc_pg_col_int(res, i, 6);
	r->sent_at = qoc_pg_col_int(res, i, 7);
	if ((err = qoc_pg_col_text(a, res, i, 1, &r->to_addr)) ||
	    (err = qoc_pg_col_text(a, res, i, 2, &r->subject)) ||
	    (err = qoc_pg_col_text(a, res, i, 3, &r->body)) ||
	    (err = qoc_pg_col_text(a, res, i, 8, &r->last_error)))
		return err;
	return QOC_OK;
}

static enum qoc_err due_work(struct qoc_pg_conn *c, void *arg)
{
	struct due_ctx *ctx = arg;
	PGresult *res;
	ctx->n = 0;
	enum qoc_err err =
	    ctx->lease_until
	        ? qoc_pg_exec(c, &sql_claim, "outbox_claim", &res, "iii", ctx->now,
	                      (int64_t)ctx->limit, ctx->lease_until)
	        : qoc_pg_exec(c, &sql_due, "outbox_due", &res, "ii", ctx->now, (int64_t)ctx->limit);
	if (err)
		return err;
	ctx->rows = qoc_arena_calloc(ctx->a, ctx->limit, sizeof(*ctx->rows));
	if (!ctx->rows)
		err = QOC_ENOMEM;
	for (int i = 0; !err && i < PQntuples(res) && ctx->n < ctx->limit; i++) {
		err = read_row(ctx->a, res, i, &ctx->rows[ctx->n]);
		if (!err)
			ctx->n++;
	}
	PQclear(res);
	return err;
}

enum qoc_err qoc_pg_outbox_due(struct qoc_store *base, int64_t now, size_t limit,
                               struct qoc_arena *a, struct qoc_outbox_row **rows, size_t *n)
{
	if (!a || !rows || !n)
		return QOC_EINVAL;
	*rows = NULL;
	*n = 0;
	if (!qoc_store_outbox_limit_ok(limit))
		return QOC_EINVAL;
	struct due_ctx ctx = {.a = a, .now = now, .limit = limit};
	enum qoc_err err = qoc_pg_with_conn(qoc_pg_from(base), true, due_work, &ctx);
	if (!err && ctx.n) {
		*rows = ctx.rows;
		*n = ctx.n;
	}
	return err;
}

enum qoc_err qoc_pg_outbox_mark_sent(struct qoc_store *base, int64_t id, int64_t now)
{
	if (id <= 0)
		return QOC_EINVAL;
	return qoc_pg_write_one(qoc_pg_from(base), &sql_sent, "outbox_mark_sent", "ii", id, now);
}

enum qoc_err qoc_pg_outbox_mark_failed(struct qoc_store *base, int64_t id, int64_t now,
                                       int64_t next_attempt_at, const char *error_text)
{
	(void)now;
	if (id <= 0 || next_attempt_at < 0)
		return QOC_EINVAL;
	return qoc_pg_write_one(qoc_pg_from(base), &sql_failed, "outbox_mark_failed", "iit", id,
	                        next_attempt_at, error_text);
}

enum qoc_err qoc_pg_outbox_claim(struct qoc_store *base, int64_t now, int64_t lease_until,
                                 size_t limit, struct qoc_arena *a, struct qoc_outbox_row **rows,
                                 size_t *n)
{
	if (!a || !rows || !n)
		return QOC_EINVAL;
	*rows = NULL;
	*n = 0;
	if (!qoc_store_outbox_limit_ok(limit) || lease_until <= now)
		return QOC_EINVAL;
	struct due_ctx ctx = {.a = a, .now = now, .limit = limit, .lease_until = lease_until};
	/* One statement, committed when it returns; not repeated on a lost connection (the
	 * rows it may have leased come back when the lease runs out). */
	enum qoc_err err = qoc_pg_with_conn(qoc_pg_from(base), false, due_work, &ctx);
	if (!err && ctx.n) {
		*rows = ctx.rows;
		*n = ctx.n;
	}
	return err;
}

static enum qoc_err pending_work(struct qoc_pg_conn *c, void *arg)
{
	PGresult *res;
	enum qoc_err err = qoc_pg_exec(c, &sql_pending, "outbox_pending", &res, "");
	if (err)
		return err;
	*(int64_t *)arg = qoc_pg_col_int(res, 0, 0);
	PQclear(res);
	return QOC_OK;
}

enum qoc_err qoc_pg_outbox_pending(struct qoc_store *base, int64_t *pending)
{
	if (!pending)
		return QOC_EINVAL;
	*pending = 0;
	return qoc_pg_with_conn(qoc_pg_from(base), true, pending_work, pending);
}
