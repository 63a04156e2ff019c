/* sqlite_keys.c - JWS signing keys: rotation and the published set (JWKS). */
#include "store/sqlite/sqlite_internal.h"

#include <string.h>

#define KEY_COLUMNS "kid, alg, public_jwk, sealed_private, created_at, retired_at, publish_until"

static struct qoc_sqlite_sql sql_retire = {
    .text = "UPDATE signing_keys SET retired_at = ?1, publish_until = ?2"
            " WHERE retired_at IS NULL AND alg = ?3"};
static struct qoc_sqlite_sql sql_insert = {
    .text = "INSERT INTO signing_keys (kid, alg, public_jwk, sealed_private, created_at)"
            " VALUES (?1, ?2, ?3, ?4, ?5)"};
static struct qoc_sqlite_sql sql_active = {
    .text = "SELECT " KEY_COLUMNS " FROM signing_keys WHERE retired_at IS NULL AND alg = ?1"};
/* Active keys first, then retired ones, newest first; kid breaks ties so the order never
 * depends on the query plan. */
static struct qoc_sqlite_sql sql_published = {
    .text = "SELECT " KEY_COLUMNS " FROM signing_keys"
            " WHERE retired_at IS NULL OR publish_until > ?1"
            " ORDER BY retired_at IS NOT NULL, created_at DESC, kid"};

static bool is_empty(const char *s)
{
	return !s || !s[0];
}

/* Copies the current row (KEY_COLUMNS order) into out, strings and blob from a. */
static enum qoc_err read_key(struct qoc_arena *a, sqlite3_stmt *s, struct qoc_key_record *out)
{
	memset(out, 0, sizeof(*out));
	enum qoc_err err;
	if ((err = qoc_sqlite_col_text(a, s, 0, &out->kid)) ||
	    (err = qoc_sqlite_col_text(a, s, 1, &out->alg)) ||
	    (err = qoc_sqlite_col_text(a, s, 2, &out->public_jwk)) ||
	    (err = qoc_sqlite_col_blob(a, s, 3, &out->sealed_private, &out->sealed_private_len)))
		return err;
	out->created_at = sqlite3_column_int64(s, 4);
	out->retired_at = sqlite3_column_int64(s, 5); /* NULL (active) reads as 0 */
	out->publish_until = sqlite3_column_int64(s, 6);
	return QOC_OK;
}

struct rotate_ctx {
	const struct qoc_key_record *key;
	int64_t now;
	int64_t old_publish_until;
};

static enum qoc_err rotate_work(struct qoc_sqlite_conn *c, void *arg)
{
	const struct rotate_ctx *ctx = arg;
	const struct qoc_key_record *k = ctx->key;
	sqlite3_stmt *s = NULL;
	int rc;
	enum qoc_err err = qoc_sqlite_stmt(c, &sql_retire, &s);
	if (err)
		goto out;
	if ((rc = sqlite3_bind_int64(s, 1, ctx->now)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 2, ctx->old_publish_until)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 3, k->alg, -1, SQLITE_STATIC)) != SQLITE_OK) {
		err = qoc_sqlite_error(c, rc, "key_rotate: bind");
		goto out;
	}
	err = qoc_sqlite_step_done(c, s, "key_rotate: retire");
	qoc_sqlite_stmt_done(s);
	s = NULL;
	if (err)
		goto out;

	err = qoc_sqlite_stmt(c, &sql_insert, &s);
	if (err)
		goto out;
	if ((rc = sqlite3_bind_text(s, 1, k->kid, -1, SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 2, k->alg, -1, SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 3, k->public_jwk, -1, SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_blob64(s, 4, k->sealed_private, k->sealed_private_len,
	                              SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 5, k->created_at)) != SQLITE_OK) {
		err = qoc_sqlite_error(c, rc, "key_rotate: bind");
		goto out;
	}
	err = qoc_sqlite_step_done(c, s, "key_rotate: insert");
out:
	qoc_sqlite_stmt_done(s);
	return err;
}

enum qoc_err qoc_sqlite_key_rotate(struct qoc_store *base, const struct qoc_key_record *key,
                                   int64_t now, int64_t old_publish_until)
{
	if (!key || is_empty(key->kid) || is_empty(key->alg) || is_empty(key->public_jwk) ||
	    !key->sealed_private || key->sealed_private_len == 0)
		return QOC_EINVAL;
	struct rotate_ctx ctx = {.key = key, .now = now, .old_publish_until = old_publish_until};
	return qoc_sqlite_write_tx(qoc_sqlite_from(base), rotate_work, &ctx);
}

struct active_ctx {
	struct qoc_arena *a;
	const char *alg;
	struct qoc_key_record *out;
};

static enum qoc_err active_work(struct qoc_sqlite_conn *c, void *arg)
{
	struct active_ctx *ctx = arg;
	sqlite3_stmt *s;
	enum qoc_err err = qoc_sqlite_stmt(c, &sql_active, &s);
	if (err)
		return err;
	int rc = sqlite3_bind_text(s, 1, ctx->alg, -1, SQLITE_STATIC);
	if (rc != SQLITE_OK) {
		err = qoc_sqlite_error(c, rc, "key_active: bind");
		qoc_sqlite_stmt_done(s);
		return err;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		err = read_key(ctx->a, s, ctx->out);
	else if (rc == SQLITE_DONE)
		err = QOC_ENOTFOUND;
	else
		err = qoc_sqlite_error(c, rc, "key_active");
	qoc_sqlite_stmt_done(s);
	return err;
}

enum qoc_err qoc_sqlite_key_active(struct qoc_store *base, struct qoc_arena *a, const char *alg,
                                   struct qoc_key_record *out)
{
	if (!a || !out || is_empty(alg))
		return QOC_EINVAL;
	struct active_ctx ctx = {.a = a, .alg = alg, .out = out};
	return qoc_sqlite_with_conn(qoc_sqlite_from(base), active_work, &ctx);
}

struct list_ctx {
	struct qoc_arena *a;
	int64_t now;
	struct qoc_key_record *keys;
	size_t count;
	size_t cap;
};

/* Appends a zeroed record to ctx->keys, doubling the arena array when full. */
static struct qoc_key_record *list_push(struct list_ctx *ctx)
{
	if (ctx->count == ctx->cap) {
		size_t cap = ctx->cap ? ctx->cap * 2 : 4;
		struct qoc_key_record *keys = qoc_arena_calloc(ctx->a, cap, sizeof(*keys));
		if (!keys)
			return NULL;
		if (ctx->count)
			memcpy(keys, ctx->keys, ctx->count * sizeof(*keys));
		ctx->keys = keys;
		ctx->cap = cap;
	}
	return &ctx->keys[ctx->count++];
}

static enum qoc_err list_work(struct qoc_sqlite_conn *c, void *arg)
{
	struct list_ctx *ctx = arg;
	sqlite3_stmt *s;
	enum qoc_err err = qoc_sqlite_stmt(c, &sql_published, &s);
	if (err)
		return err;
	int rc = sqlite3_bind_int64(s, 1, ctx->now);
	if (rc != SQLITE_OK) {
		err = qoc_sqlite_error(c, rc, "key_list_published: bind");
		goto out;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct qoc_key_record *k = list_push(ctx);
		if (!k) {
			err = QOC_ENOMEM;
			goto out;
		}
		err = read_key(ctx->a, s, k);
		if (err)
			goto out;
	}
	if (rc != SQLITE_DONE)
		err = qoc_sqlite_error(c, rc, "key_list_published");
out:
	qoc_sqlite_stmt_done(s);
	return err;
}

enum qoc_err qoc_sqlite_key_list_published(struct qoc_store *base, struct qoc_arena *a, int64_t now,
                                           struct qoc_key_record **out, size_t *count)
{
	if (!a || !out || !count)
		return QOC_EINVAL;
	*out = NULL;
	*count = 0;
	struct list_ctx ctx = {.a = a, .now = now};
	enum qoc_err err = qoc_sqlite_with_conn(qoc_sqlite_from(base), list_work, &ctx);
	if (err)
		return err;
	*out = ctx.count ? ctx.keys : NULL;
	*count = ctx.count;
	return QOC_OK;
}
