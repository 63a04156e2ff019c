/* sqlite_outbox.c - the durable mail outbox (see the "mail outbox" block in store.h). */
#include "store/sqlite/sqlite_internal.h"
#include "store/store_outbox.h"

#include <string.h>

#include "store/store_check.h"

#define OUTBOX_COLUMNS                                                                             \
	"id, to_addr, subject, body, created_at, attempts, next_attempt_at, sent_at, last_error"

static struct qoc_sqlite_sql sql_put = {
    .text = "INSERT INTO outbox (to_addr, subject, body, created_at, attempts, next_attempt_at)"
            " VALUES (?1, ?2, ?3, ?4, 0, ?4)"};
static struct qoc_sqlite_sql sql_due = {.text = "SELECT " OUTBOX_COLUMNS " FROM outbox"
                                                " WHERE sent_at IS NULL AND next_attempt_at <= ?1"
                                                " ORDER BY next_attempt_at, id LIMIT ?2"};
static struct qoc_sqlite_sql sql_lease = {
    .text = "UPDATE outbox SET next_attempt_at = ?2 WHERE id = ?1 AND sent_at IS NULL"};
static struct qoc_sqlite_sql sql_sent = {
    .text = "UPDATE outbox SET sent_at = ?2 WHERE id = ?1 AND sent_at IS NULL"};
/* ?2 = 0 gives up: NULL is never <= now. */
static struct qoc_sqlite_sql sql_failed = {
    .text = "UPDATE outbox SET attempts = attempts + 1, last_error = ?3,"
            " next_attempt_at = CASE WHEN ?2 = 0 THEN NULL ELSE ?2 END"
            " WHERE id = ?1 AND sent_at IS NULL"};

static struct qoc_sqlite_sql sql_pending = {
    .text = "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND next_attempt_at IS NOT NULL"};

struct put_ctx {
	const struct qoc_outbox_row *row;
	int64_t id;
};

static enum qoc_err put_work(struct qoc_sqlite_conn *c, void *arg)
{
	struct put_ctx *ctx = arg;
	const struct qoc_outbox_row *r = ctx->row;
	enum qoc_err err = qoc_sqlite_run(c, &sql_put, "outbox_put", NULL, "ttti", r->to_addr,
	                                  r->subject, r->body, r->created_at);
	if (!err)
		ctx->id = sqlite3_last_insert_rowid(c->db);
	return err;
}

enum qoc_err qoc_sqlite_outbox_put(struct qoc_store *base, const struct qoc_outbox_row *row,
                                   int64_t *id)
{
	if (!qoc_store_outbox_row_ok(row))
		return QOC_EINVAL;
	struct put_ctx ctx = {.row = row};
	enum qoc_err err = qoc_sqlite_write_tx(qoc_sqlite_from(base), put_work, &ctx);
	if (!err && id)
		*id = ctx.id;
	return err;
}

struct due_ctx {
	struct qoc_arena *a;
	int64_t now;
	size_t limit;
	struct qoc_outbox_row *rows;
	size_t n;
};

static enum qoc_err read_row(struct qoc_arena *a, sqlite3_stmt *s, struct qoc_outbox_row *r)
{
	enum qoc_err err;
	r->id = sqlite3_column_int64(s, 0);
	r->created_at = sqlite3_column_int64(s, 4);
	r->attempts = sqlite3_column_int64(s, 5);
	r->next_attempt_at = sqlite3_column_int64(s, 6); /* NULL reads as 0: given up */
	r->sent_at = sqlite3_column_int64(s, 7);
	if ((err = qoc_sqlite_col_text(a, s, 1, &r->to_addr)) ||
	    (err = qoc_sqlite_col_text(a, s, 2, &r->subject)) ||
	    (err = qoc_sqlite_col_text(a, s, 3, &r->body)) ||
	    (err = qoc_sqlite_col_text(a, s, 8, &r->last_error)))
		return err;
	return QOC_OK;
}

static enum qoc_err due_work(struct qoc_sqlite_conn *c, void *arg)
{
	struct due_ctx *ctx = arg;
	sqlite3_stmt *s;
	enum qoc_err err =
	    qoc_sqlite_bound(c, &sql_due, "outbox_due", &s, "ii", ctx->now, (int64_t)ctx->limit);
	if (err)
		return err;
	ctx->rows = qoc_arena_calloc(ctx->a, ctx->limit, sizeof(*ctx->rows));
	if (!ctx->rows) {
		err = QOC_ENOMEM;
		goto out;
	}
	while (ctx->n < ctx->limit && (err = qoc_sqlite_step_row(c, s, "outbox_due")) == QOC_OK) {
		if ((err = read_row(ctx->a, s, &ctx->rows[ctx->n])))
			goto out;
		ctx->n++;
	}
	if (err == QOC_ENOTFOUND)
		err = QOC_OK; /* the end of the rows */
out:
	qoc_sqlite_stmt_done(s);
	return err;
}

enum qoc_err qoc_sqlite_outbox_due(struct qoc_store *base, int64_t now, size_t limit,
                                   struct qoc_arena *a, struct qoc_outbox_row **rows, size_t *n)
{
	if (!a || !rows || !n)
		return QOC_EINVAL;
	*rows = NULL;
	*n = 0;
	if (!qoc_store_outbox_limit_ok(limit))
		return QOC_EINVAL;
	struct due_ctx ctx = {.a = a, .now = now, .limit = limit};
	enum qoc_err err = qoc_sqlite_with_conn(qoc_sqlite_from(base), due_work, &ctx);
	if (!err && ctx.n) {
		*rows = ctx.rows;
		*n = ctx.n;
	}
	return err;
}

enum qoc_err qoc_sqlite_outbox_mark_sent(struct qoc_store *base, int64_t id, int64_t now)
{
	if (id <= 0)
		return QOC_EINVAL;
	return qoc_sqlite_write_one(qoc_sqlite_from(base), &sql_sent, "outbox_mark_sent", "ii", id,
	                            now);
}

enum qoc_err qoc_sqlite_outbox_mark_failed(struct qoc_store *base, int64_t id, int64_t now,
                                           int64_t next_attempt_at, const char *error_text)
{
	(void)now; /* no column for the attempt's time: next_attempt_at says what matters */
	if (id <= 0 || next_attempt_at < 0)
		return QOC_EINVAL;
	return qoc_sqlite_write_one(qoc_sqlite_from(base), &sql_failed, "outbox_mark_failed", "iit",
	                            id, next_attempt_at, error_text);
}

struct claim_ctx {
	struct due_ctx due;
	int64_t lease_until;
};

/* Under the write lock (BEGIN IMMEDIATE): read the due rows, then lease each. */
static enum qoc_err claim_work(struct qoc_sqlite_conn *c, void *arg)
{
	struct claim_ctx *ctx = arg;
	ctx->due.n = 0;
	enum qoc_err err = due_work(c, &ctx->due);
	for (size_t i = 0; !err && i < ctx->due.n; i++)
		err = qoc_sqlite_run(c, &sql_lease, "outbox_claim", NULL, "ii", ctx->due.rows[i].id,
		                     ctx->lease_until);
	return err;
}

enum qoc_err qoc_sqlite_outbox_claim(struct qoc_store *base, int64_t now, int64_t lease_until,
                                     size_t limit, struct qoc_arena *a,
                                     struct qoc_outbox_row **rows, size_t *n)
{
	if (!a || !rows || !n)
		return QOC_EINVAL;
	*rows = NULL;
	*n = 0;
	if (!qoc_store_outbox_limit_ok(limit) || lease_until <= now)
		return QOC_EINVAL;
	struct claim_ctx ctx = {.due = {.a = a, .now = now, .limit = limit},
	                        .lease_until = lease_until};
	enum qoc_err err = qoc_sqlite_write_tx(qoc_sqlite_from(base), claim_work, &ctx);
	if (!err && ctx.due.n) {
		*rows = ctx.due.rows;
		*n = ctx.due.n;
	}
	return err;
}

static enum qoc_err pending_work(struct qoc_sqlite_conn *c, void *arg)
{
	sqlite3_stmt *s;
	enum qoc_err err = qoc_sqlite_bound(c, &sql_pending, "outbox_pending", &s, "");
	if (err)
		return err;
	err = qoc_sqlite_step_row(c, s, "outbox_pending");
	if (!err)
		*(int64_t *)arg = sqlite3_column_int64(s, 0);
	qoc_sqlite_stmt_done(s);
	return err;
}

enum qoc_err qoc_sqlite_outbox_pending(struct qoc_store *base, int64_t *pending)
{
	if (!pending)
		return QOC_EINVAL;
	*pending = 0;
	return qoc_sqlite_with_conn(qoc_sqlite_from(base), pending_work, pending);
}
