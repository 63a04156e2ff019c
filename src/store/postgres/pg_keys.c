/* pg_keys.c - JWS signing keys: rotation and the published set (JWKS). */
#include "store/postgres/pg_internal.h"

#include <string.h>

#define KEY_COLUMNS "kid, alg, public_jwk, sealed_private, created_at, retired_at, publish_until"

/* Rotations of one alg are serialized by an advisory lock, so two nodes rotating at once
 * both succeed, one after the other, and one key of the alg stays active. */
static struct qoc_pg_sql sql_lock = {
    .text = "SELECT pg_advisory_xact_lock(hashtextextended('qoc key_rotate ' || $1, 0))"};
static struct qoc_pg_sql sql_retire = {
    .text = "UPDATE signing_keys SET retired_at = $1, publish_until = $2"
            " WHERE retired_at IS NULL AND alg = $3"};
static struct qoc_pg_sql sql_insert = {
    .text = "INSERT INTO signing_keys (kid, alg, public_jwk, sealed_private, created_at)"
            " VALUES ($1, $2, $3, $4, $5)"};
static struct qoc_pg_sql sql_active = {
    .text = "SELECT " KEY_COLUMNS " FROM signing_keys WHERE retired_at IS NULL AND alg = $1"};
static struct qoc_pg_sql sql_published = {
    .text = "SELECT " KEY_COLUMNS " FROM signing_keys"
            " WHERE retired_at IS NULL OR publish_until > $1"
            " ORDER BY retired_at IS NOT NULL, created_at DESC, kid"};

static bool is_empty(const char *s)
{
	return !s || !s[0];
}

static enum qoc_err read_key(struct qoc_arena *a, const PGresult *r, int row, void *arg)
{
	struct qoc_key_record *out = arg;
	memset(out, 0, sizeof(*out));
	enum qoc_err err;
	if ((err = qoc_pg_col_text(a, r, row, 0, &out->kid)) ||
	    (err = qoc_pg_col_text(a, r, row, 1, &out->alg)) ||
	    (err = qoc_pg_col_text(a, r, row, 2, &out->public_jwk)) ||
	    (err = qoc_pg_col_blob(a, r, row, 3, &out->sealed_private, &out->sealed_private_len)))
		return err;
	out->created_at = qoc_pg_col_int(r, row, 4);
	out->retired_at = qoc_pg_col_int(r, row, 5);
	out->publish_until = qoc_pg_col_int(r, row, 6);
	return QOC_OK;
}

struct rotate_ctx {
	const struct qoc_key_record *key;
	int64_t now;
	int64_t old_publish_until;
};

static enum qoc_err rotate_work(struct qoc_pg_conn *c, void *arg)
{
	const struct rotate_ctx *ctx = arg;
	const struct qoc_key_record *k = ctx->key;
	PGresult *r;
	enum qoc_err err = qoc_pg_exec(c, &sql_lock, "key_rotate: lock", &r, "t", k->alg);
	if (err)
		return err;
	PQclear(r);
	err = qoc_pg_run(c, &sql_retire, "key_rotate: retire", NULL, "iit", ctx->now,
	                 ctx->old_publish_until, k->alg);
	if (!err)
		err = qoc_pg_run(c, &sql_insert, "key_rotate: insert", NULL, "tttbi", k->kid,
		                 k->alg, k->public_jwk, (const void *)k->sealed_private,
		                 k->sealed_private_len, k->created_at);
	return err;
}

enum qoc_err qoc_pg_key_rotate(struct qoc_store *base, const struct qoc_key_record *key,
                               int64_t now, int64_t old_publish_until)
{
	if (!key || is_empty(key->kid) || is_empty(key->alg) || is_empty(key->public_jwk) ||
	    !key->sealed_private || key->sealed_private_len == 0)
		return QOC_EINVAL;
	struct rotate_ctx ctx = {.key = key, .now = now, .old_publish_until = old_publish_until};
	return qoc_pg_tx(qoc_pg_from(base), rotate_work, &ctx);
}

enum qoc_err qoc_pg_key_active(struct qoc_store *base, struct qoc_arena *a, const char *alg,
                               struct qoc_key_record *out)
{
	if (!a || !out || is_empty(alg))
		return QOC_EINVAL;
	return qoc_pg_read_one(qoc_pg_from(base), a, read_key, out, &sql_active, "key_active", "t",
	                       alg);
}

struct list_ctx {
	struct qoc_arena *a;
	int64_t now;
	struct qoc_key_record *keys;
	size_t count, cap;
};

static enum qoc_err list_work(struct qoc_pg_conn *c, void *arg)
{
	struct list_ctx *ctx = arg;
	PGresult *r;
	enum qoc_err err = qoc_pg_exec(c, &sql_published, "key_list_published", &r, "i", ctx->now);
	if (err)
		return err;
	ctx->keys = NULL;
	ctx->count = ctx->cap = 0;
	for (int i = 0; i < PQntuples(r) && !err; i++) {
		struct qoc_key_record *k =
		    qoc_pg_push(ctx->a, (void **)&ctx->keys, &ctx->count, &ctx->cap, sizeof(*k));
		err = k ? read_key(ctx->a, r, i, k) : QOC_ENOMEM;
	}
	PQclear(r);
	return err;
}

enum qoc_err qoc_pg_key_list_published(struct qoc_store *base, struct qoc_arena *a, int64_t now,
                                       struct qoc_key_record **out, size_t *count)
{
	if (!a || !out || !count)
		return QOC_EINVAL;
	*out = NULL;
	*count = 0;
	struct list_ctx ctx = {.a = a, .now = now};
	enum qoc_err err = qoc_pg_with_conn(qoc_pg_from(base), true, list_work, &ctx);
	if (err)
		return err;
	*out = ctx.count ? ctx.keys : NULL;
	*count = ctx.count;
	return QOC_OK;
}
