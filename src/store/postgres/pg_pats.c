/* pg_pats.c - personal access tokens of the console API. Only token hashes are stored. */
#include "store/postgres/pg_internal.h"

#include <string.h>

#include "store/store_check.h"
#include "store/store_codec.h"

#define PAT_COLUMNS                                                                                \
	"id, account_id, name, token_hash, created_at, coalesce(expires_at, 0),"                   \
	" coalesce(last_used_at, 0), coalesce(revoked_at, 0)"

static struct qoc_pg_sql sql_insert = {
    .text = "INSERT INTO personal_access_tokens"
            " (id, account_id, name, token_hash, created_at, expires_at)"
            " VALUES ($1, $2, $3, $4, $5, nullif($6, 0))"};
static struct qoc_pg_sql sql_find = {
    .text = "SELECT " PAT_COLUMNS " FROM personal_access_tokens WHERE token_hash = $1"
            " AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)"};
static struct qoc_pg_sql sql_list = {.text = "SELECT " PAT_COLUMNS
                                             " FROM personal_access_tokens WHERE account_id = $1"
                                             " ORDER BY created_at DESC, id"};
static struct qoc_pg_sql sql_revoke = {
    .text = "UPDATE personal_access_tokens SET revoked_at = coalesce(revoked_at, $3)"
            " WHERE account_id = $1 AND id = $2"};
static struct qoc_pg_sql sql_touch = {
    .text =
        "UPDATE personal_access_tokens SET last_used_at = greatest(coalesce(last_used_at, 0), $2)"
        " WHERE id = $1"};

static enum qoc_err read_pat(struct qoc_arena *a, const PGresult *r, int row, void *arg)
{
	struct qoc_pat *out = arg;
	enum qoc_err err;
	memset(out, 0, sizeof(*out));
	if ((err = qoc_pg_col_text(a, r, row, 0, &out->id)) ||
	    (err = qoc_pg_col_text(a, r, row, 1, &out->account_id)) ||
	    (err = qoc_pg_col_text(a, r, row, 2, &out->name)) ||
	    (err = qoc_pg_col_text(a, r, row, 3, &out->token_hash)))
		return err;
	out->created_at = qoc_pg_col_int(r, row, 4);
	out->expires_at = qoc_pg_col_int(r, row, 5);
	out->last_used_at = qoc_pg_col_int(r, row, 6);
	out->revoked_at = qoc_pg_col_int(r, row, 7);
	return QOC_OK;
}

enum qoc_err qoc_pg_pat_create(struct qoc_store *base, const struct qoc_pat *p)
{
	if (!p || !qoc_store_nonempty(p->id) || !qoc_store_nonempty(p->account_id) ||
	    !qoc_store_is_hash(p->token_hash) || p->expires_at < 0 ||
	    (p->expires_at && p->expires_at <= p->created_at))
		return QOC_EINVAL;
	return qoc_pg_write_one(qoc_pg_from(base), &sql_insert, "pat_create", "ttttii", p->id,
	                        p->account_id, p->name ? p->name : "", p->token_hash, p->created_at,
	                        p->expires_at);
}

enum qoc_err qoc_pg_pat_find(struct qoc_store *base, struct qoc_arena *a, const char *token_hash,
                             int64_t now, struct qoc_pat *out)
{
	if (!a || !out || !qoc_store_is_hash(token_hash))
		return QOC_EINVAL;
	return qoc_pg_read_one(qoc_pg_from(base), a, read_pat, out, &sql_find, "pat_find", "ti",
	                       token_hash, now);
}

struct list_ctx {
	struct qoc_arena *a;
	const char *account_id;
	struct qoc_pat *items;
	size_t count, cap;
};

static enum qoc_err list_work(struct qoc_pg_conn *c, void *arg)
{
	struct list_ctx *ctx = arg;
	PGresult *r;
	enum qoc_err err = qoc_pg_exec(c, &sql_list, "pat_list", &r, "t", ctx->account_id);
	if (err)
		return err;
	ctx->items = NULL;
	ctx->count = ctx->cap = 0;
	for (int i = 0; i < PQntuples(r) && !err; i++) {
		struct qoc_pat *p =
		    qoc_pg_push(ctx->a, (void **)&ctx->items, &ctx->count, &ctx->cap, sizeof(*p));
		err = p ? read_pat(ctx->a, r, i, p) : QOC_ENOMEM;
	}
	PQclear(r);
	return err;
}

enum qoc_err qoc_pg_pat_list(struct qoc_store *base, struct qoc_arena *a, const char *account_id,
                             struct qoc_pat **out, size_t *count)
{
	if (!a || !out || !count || !qoc_store_nonempty(account_id))
		return QOC_EINVAL;
	struct list_ctx ctx = {.a = a, .account_id = account_id};
	enum qoc_err err = qoc_pg_with_conn(qoc_pg_from(base), true, list_work, &ctx);
	*out = err ? NULL : ctx.items;
	*count = err ? 0 : ctx.count;
	return err;
}

enum qoc_err qoc_pg_pat_revoke(struct qoc_store *base, const char *account_id, const char *id,
                               int64_t now)
{
	if (!qoc_store_nonempty(account_id) || !qoc_store_nonempty(id))
		return QOC_EINVAL;
	return qoc_pg_write_one(qoc_pg_from(base), &sql_revoke, "pat_revoke", "tti", account_id, id,
	                        now);
}

enum qoc_err qoc_pg_pat_touch(struct qoc_store *base, const char *id, int64_t at)
{
	if (!qoc_store_nonempty(id))
		return QOC_EINVAL;
	enum qoc_err err =
	    qoc_pg_write_one(qoc_pg_from(base), &sql_touch, "pat_touch", "ti", id, at);
	return err == QOC_ENOTFOUND ? QOC_OK : err;
}
