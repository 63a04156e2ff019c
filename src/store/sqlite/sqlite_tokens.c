/* sqlite_tokens.c - authorization codes, access and refresh tokens, token families and the
 * housekeeping that drops expired protocol state.
 *
 * The atomic steps of the protocol (code_consume, refresh_rotate, token_revoke) each run
 * in their own BEGIN IMMEDIATE transaction: the write lock is held from the first read, so
 * of parallel callers exactly one sees the row unused. Their "result" (QOC_ECONFLICT for a
 * reuse, QOC_ENOTFOUND for an expired code) is decided inside the transaction but handed
 * back only after the commit, because what they wrote (the used mark, the revocation)
 * must be durable whatever they answer. Inserts (code_create, tokens_issue) go through
 * group commit.
 */
#include "store/sqlite/sqlite_internal.h"

#include <string.h>

#include "core/log.h"
#include "store/store_check.h"
#include "store/store_codec.h"

#define CODE_COLUMNS                                                                               \
	"code_hash, client_id, account_id, redirect_uri, scope, nonce, code_challenge,"            \
	" auth_time, sid, family_id, created_at, expires_at, consumed_at"
#define TOKEN_COLUMNS                                                                              \
	"token_hash, kind, client_id, account_id, family_id, parent_hash, scope, sid,"             \
	" auth_time, created_at, expires_at, revoked_at, used_at"

/* Rows expired (or revoked) longer than this are purged. */
#define PURGE_GRACE_SECONDS 86400

static struct qoc_sqlite_sql sql_code_insert = {
    .text = "INSERT INTO auth_codes (code_hash, client_id, account_id, redirect_uri, scope,"
            " nonce, code_challenge, auth_time, sid, family_id, created_at, expires_at)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"};
/* The first redemption marks the code; RETURNING hands the row back in the same step. */
static struct qoc_sqlite_sql sql_code_claim = {
    .text = "UPDATE auth_codes SET consumed_at = ?2 WHERE code_hash = ?1 AND consumed_at IS NULL"
            " AND client_id = ?3 RETURNING " CODE_COLUMNS};
static struct qoc_sqlite_sql sql_code_get = {.text = "SELECT " CODE_COLUMNS
                                                     " FROM auth_codes WHERE code_hash = ?1"};
/* A token issued into a revoked family is born revoked (see family_revoke in store.h). */
static struct qoc_sqlite_sql sql_token_insert = {
    .text = "INSERT INTO tokens (token_hash, kind, client_id, account_id, family_id,"
            " parent_hash, scope, sid, auth_time, created_at, expires_at, revoked_at)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, nullif(?9, 0), ?10, ?11,"
            " (SELECT revoked_at FROM revoked_families WHERE family_id = ?5))"};
static struct qoc_sqlite_sql sql_token_get = {.text = "SELECT " TOKEN_COLUMNS
                                                      " FROM tokens WHERE token_hash = ?1"};
static struct qoc_sqlite_sql sql_token_use = {
    .text = "UPDATE tokens SET used_at = ?2"
            " WHERE token_hash = ?1 AND used_at IS NULL AND revoked_at IS NULL"};
static struct qoc_sqlite_sql sql_token_revoke = {
    .text = "UPDATE tokens SET revoked_at = ?2 WHERE token_hash = ?1 AND revoked_at IS NULL"};
static struct qoc_sqlite_sql sql_family_revoke = {
    .text = "UPDATE tokens SET revoked_at = ?2 WHERE family_id = ?1"
            " AND account_id IS NOT NULL AND revoked_at IS NULL"}; /* the partial index (0008) */
static struct qoc_sqlite_sql sql_family_mark = {
    .text = "INSERT INTO revoked_families (family_id, revoked_at) VALUES (?1, ?2)"
            " ON CONFLICT (family_id) DO NOTHING"};

/* Bounded batches: the sub-select picks at most ?2 rows through the expiry index. */
static struct qoc_sqlite_sql sql_purge[] = {
    {.text = "DELETE FROM tokens WHERE token_hash IN"
             " (SELECT token_hash FROM tokens WHERE expires_at < ?1 LIMIT ?2)"},
    {.text = "DELETE FROM auth_codes WHERE code_hash IN"
             " (SELECT code_hash FROM auth_codes WHERE expires_at < ?1 LIMIT ?2)"},
    {.text = "DELETE FROM auth_requests WHERE handle_hash IN"
             " (SELECT handle_hash FROM auth_requests WHERE expires_at < ?1 LIMIT ?2)"},
    {.text = "DELETE FROM sso_sessions WHERE id_hash IN"
             " (SELECT id_hash FROM sso_sessions WHERE expires_at < ?1 LIMIT ?2)"},
    {.text = "DELETE FROM revoked_families WHERE family_id IN"
             " (SELECT family_id FROM revoked_families WHERE revoked_at < ?1 LIMIT ?2)"},
};

/* --- rows --- */

static enum qoc_err read_code(struct qoc_arena *a, sqlite3_stmt *s, void *arg)
{
	struct qoc_auth_code *out = arg;
	enum qoc_err err;
	memset(out, 0, sizeof(*out));
	if ((err = qoc_sqlite_col_text(a, s, 0, &out->code_hash)) ||
	    (err = qoc_sqlite_col_text(a, s, 1, &out->client_id)) ||
	    (err = qoc_sqlite_col_text(a, s, 2, &out->account_id)) ||
	    (err = qoc_sqlite_col_text(a, s, 3, &out->redirect_uri)) ||
	    (err = qoc_sqlite_col_text(a, s, 4, &out->scope)) ||
	    (err = qoc_sqlite_col_text(a, s, 5, &out->nonce)) ||
	    (err = qoc_sqlite_col_text(a, s, 6, &out->code_challenge)) ||
	    (err = qoc_sqlite_col_text(a, s, 8, &out->sid)) ||
	    (err = qoc_sqlite_col_text(a, s, 9, &out->family_id)))
		return err;
	out->auth_time = sqlite3_column_int64(s, 7);
	out->created_at = sqlite3_column_int64(s, 10);
	out->expires_at = sqlite3_column_int64(s, 11);
	out->consumed_at = sqlite3_column_int64(s, 12); /* NULL reads as 0 */
	return QOC_OK;
}

static enum qoc_err read_token(struct qoc_arena *a, sqlite3_stmt *s, void *arg)
{
	struct qoc_token *out = arg;
	enum qoc_err err;
	memset(out, 0, sizeof(*out));
	const unsigned char *kind = sqlite3_column_text(s, 1);
	if (!kind)
		return QOC_ENOMEM; /* NOT NULL column: only a failed conversion gives NULL */
	out->kind = qoc_store_token_kind_parse((const char *)kind);
	if ((err = qoc_sqlite_col_text(a, s, 0, &out->token_hash)) ||
	    (err = qoc_sqlite_col_text(a, s, 2, &out->client_id)) ||
	    (err = qoc_sqlite_col_text(a, s, 3, &out->account_id)) ||
	    (err = qoc_sqlite_col_text(a, s, 4, &out->family_id)) ||
	    (err = qoc_sqlite_col_text(a, s, 5, &out->parent_hash)) ||
	    (err = qoc_sqlite_col_text(a, s, 6, &out->scope)) ||
	    (err = qoc_sqlite_col_text(a, s, 7, &out->sid)))
		return err;
	out->auth_time = sqlite3_column_int64(s, 8);
	out->created_at = sqlite3_column_int64(s, 9);
	out->expires_at = sqlite3_column_int64(s, 10);
	out->revoked_at = sqlite3_column_int64(s, 11);
	out->used_at = sqlite3_column_int64(s, 12);
	return QOC_OK;
}

/* On c: the one row sql returns, through read. sql takes ?1 = key (fmt "t"), or ?1 = key
 * and ?2 = now (fmt "ti"). QOC_ENOTFOUND: no row. A statement with RETURNING is stepped to
 * its end, so its change is complete. */
static enum qoc_err row_on(struct qoc_sqlite_conn *c, struct qoc_sqlite_sql *sql, const char *what,
                           const char *fmt, const char *key, int64_t now, qoc_sqlite_row_fn read,
                           struct qoc_arena *a, void *out)
{
	sqlite3_stmt *s;
	enum qoc_err err = qoc_sqlite_bound(c, sql, what, &s, fmt, key, now);
	if (err)
		return err;
	err = qoc_sqlite_step_row(c, s, what);
	if (!err)
		err = read(a, s, out);
	if (!err)
		err = qoc_sqlite_step_done(c, s, what);
	qoc_sqlite_stmt_done(s);
	return err;
}

/* Revokes every live token of the family and records the family as revoked. */
static enum qoc_err revoke_family_on(struct qoc_sqlite_conn *c, const char *family_id, int64_t now)
{
	enum qoc_err err =
	    qoc_sqlite_run(c, &sql_family_revoke, "family_revoke", NULL, "ti", family_id, now);
	if (!err)
		err = qoc_sqlite_run(c, &sql_family_mark, "family_revoke: mark", NULL, "ti",
		                     family_id, now);
	return err;
}

/* --- authorization codes --- */

static enum qoc_err code_insert(struct qoc_sqlite_conn *c, void *arg)
{
	const struct qoc_auth_code *k = arg;
	return qoc_sqlite_run(c, &sql_code_insert, "code_create", NULL, "tttttttittii",
	                      k->code_hash, k->client_id, k->account_id, k->redirect_uri, k->scope,
	                      k->nonce, k->code_challenge, k->auth_time, k->sid, k->family_id,
	                      k->created_at, k->expires_at);
}

enum qoc_err qoc_sqlite_code_create(struct qoc_store *base, const struct qoc_auth_code *code)
{
	if (!code || !qoc_store_is_hash(code->code_hash) || !qoc_store_nonempty(code->client_id) ||
	    !qoc_store_nonempty(code->account_id) || !qoc_store_nonempty(code->redirect_uri) ||
	    !code->scope || !qoc_store_nonempty(code->family_id))
		return QOC_EINVAL;
	return qoc_sqlite_batch_write(qoc_sqlite_from(base), code_insert, (void *)code);
}

struct consume_ctx {
	const char *code_hash;
	const char *client_id;
	int64_t now;
	struct qoc_arena *a;
	struct qoc_auth_code *out;
	enum qoc_err result; /* the answer once the transaction has committed */
};

static enum qoc_err consume_work(struct qoc_sqlite_conn *c, void *arg)
{
	struct consume_ctx *k = arg;
	k->result = QOC_OK; /* a batch may run this again (qoc_sqlite_batch_write) */
	sqlite3_stmt *s;
	enum qoc_err err = qoc_sqlite_bound(c, &sql_code_claim, "code_consume", &s, "tit",
	                                    k->code_hash, k->now, k->client_id);
	if (err)
		return err;
	if (!(err = qoc_sqlite_step_row(c, s, "code_consume")))
		err = read_code(k->a, s, k->out);
	if (!err)
		err = qoc_sqlite_step_done(c, s, "code_consume");
	qoc_sqlite_stmt_done(s);
	if (!err) {
		/* Claimed now. Expired: burnt all the same, so it cannot be tried again. */
		k->result = k->out->expires_at > k->now ? QOC_OK : QOC_ENOTFOUND;
		return QOC_OK;
	}
	if (err != QOC_ENOTFOUND)
		return err;
	/* Unknown, or claimed before: a reuse. */
	err = row_on(c, &sql_code_get, "code_consume: reread", "t", k->code_hash, 0, read_code,
	             k->a, k->out);
	if (err)
		return err; /* QOC_ENOTFOUND: unknown, nothing written */
	if (strcmp(k->out->client_id, k->client_id) != 0) {
		k->result = QOC_ENOTFOUND; /* another client's code: nothing written */
		return QOC_OK;
	}
	err = revoke_family_on(c, k->out->family_id, k->now);
	if (err)
		return err;
	k->result = QOC_ECONFLICT;
	return QOC_OK;
}

enum qoc_err qoc_sqlite_code_consume(struct qoc_store *base, struct qoc_arena *a,
                                     const char *code_hash, const char *client_id, int64_t now,
                                     struct qoc_auth_code *out)
{
	if (!a || !out || !qoc_store_is_hash(code_hash) || !qoc_store_nonempty(client_id))
		return QOC_EINVAL;
	struct consume_ctx k = {
	    .code_hash = code_hash, .client_id = client_id, .now = now, .a = a, .out = out};
	enum qoc_err err = qoc_sqlite_batch_write(qoc_sqlite_from(base), consume_work, &k);
	if (err)
		return err;
	if (k.result == QOC_ENOTFOUND)
		memset(out, 0, sizeof(*out));
	return k.result;
}

/* --- tokens --- */

/* Inserts t. With `from` (a rotation), the lineage comes from the old token. */
static enum qoc_err insert_token(struct qoc_sqlite_conn *c, const struct qoc_token *t,
                                 const struct qoc_token *from)
{
	const char *account = from ? from->account_id : t->account_id;
	const char *family = from ? from->family_id : t->family_id;
	const char *parent = from ? from->token_hash : t->parent_hash;
	const char *sid = from ? from->sid : t->sid;
	int64_t auth_time = from ? from->auth_time : t->auth_time;
	return qoc_sqlite_run(c, &sql_token_insert, "token insert", NULL, "ttttttttiii",
	                      t->token_hash, qoc_store_token_kind_name(t->kind), t->client_id,
	                      account, family, parent, t->scope, sid, auth_time, t->created_at,
	                      t->expires_at);
}

struct issue_ctx {
	const struct qoc_token *tokens;
	size_t n;
};

static enum qoc_err issue_work(struct qoc_sqlite_conn *c, void *arg)
{
	const struct issue_ctx *k = arg;
	enum qoc_err err = QOC_OK;
	for (size_t i = 0; i < k->n && !err; i++)
		err = insert_token(c, &k->tokens[i], NULL);
	return err;
}

enum qoc_err qoc_sqlite_tokens_issue(struct qoc_store *base, const struct qoc_token *tokens,
                                     size_t n)
{
	if (!tokens || n == 0 || n > 3)
		return QOC_EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!qoc_store_token_ok(&tokens[i]))
			return QOC_EINVAL;
	struct issue_ctx k = {.tokens = tokens, .n = n};
	return qoc_sqlite_batch_write(qoc_sqlite_from(base), issue_work, &k);
}

enum qoc_err qoc_sqlite_token_get(struct qoc_store *base, struct qoc_arena *a,
                                  const char *token_hash, struct qoc_token *out)
{
	if (!a || !out || !qoc_store_is_hash(token_hash))
		return QOC_EINVAL;
	return qoc_sqlite_read_one(qoc_sqlite_from(base), a, read_token, out, &sql_token_get,
	                           "token_get", "t", token_hash);
}

struct rotate_ctx {
	const char *old_hash, *client_id;
	int64_t now;
	const struct qoc_token *new_tokens;
	size_t n;
	struct qoc_arena *a;
	struct qoc_token *old;
	enum qoc_err result;
};

static enum qoc_err rotate_work(struct qoc_sqlite_conn *c, void *arg)
{
	struct rotate_ctx *k = arg;
	struct qoc_token *old = k->old;
	k->result = QOC_OK; /* a batch may run this again (qoc_sqlite_batch_write) */
	enum qoc_err err =
	    row_on(c, &sql_token_get, "refresh_rotate", "t", k->old_hash, 0, read_token, k->a, old);
	if (err)
		return err;
	if (old->kind != QOC_TOKEN_REFRESH || strcmp(old->client_id, k->client_id) != 0)
		return QOC_ENOTFOUND;
	if (old->used_at || old->revoked_at) {
		/* Presented again after its rotation (or revocation): stolen, or replayed.
		 * Checked before expiry: an old copy still says the family is compromised. */
		err = revoke_family_on(c, old->family_id, k->now);
		k->result = err ? err : QOC_ECONFLICT;
		return err;
	}
	if (old->expires_at <= k->now)
		return QOC_ENOTFOUND;
	int64_t changes = 0;
	err = qoc_sqlite_run(c, &sql_token_use, "refresh_rotate: use", &changes, "ti", k->old_hash,
	                     k->now);
	if (!err && changes != 1)
		err = QOC_EDB; /* impossible under the write lock: fail rather than issue twice */
	for (size_t i = 0; i < k->n && !err; i++)
		err = insert_token(c, &k->new_tokens[i], old);
	k->result = err;
	return err;
}

enum qoc_err qoc_sqlite_refresh_rotate(struct qoc_store *base, struct qoc_arena *a,
                                       const char *old_hash, const char *client_id, int64_t now,
                                       const struct qoc_token *new_tokens, size_t n,
                                       struct qoc_token *old_out)
{
	if (!a || !qoc_store_is_hash(old_hash) || !qoc_store_nonempty(client_id) || !new_tokens ||
	    n == 0 || n > 3)
		return QOC_EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!qoc_store_token_base_ok(&new_tokens[i]) ||
		    strcmp(new_tokens[i].client_id, client_id) != 0)
			return QOC_EINVAL;
	struct qoc_token old;
	struct rotate_ctx k = {.old_hash = old_hash,
	                       .client_id = client_id,
	                       .now = now,
	                       .new_tokens = new_tokens,
	                       .n = n,
	                       .a = a,
	                       .old = &old};
	enum qoc_err err = qoc_sqlite_batch_write(qoc_sqlite_from(base), rotate_work, &k);
	if (!err)
		err = k.result;
	if (old_out && (err == QOC_OK || err == QOC_ECONFLICT))
		*old_out = old;
	return err;
}

struct revoke_ctx {
	const char *token_hash, *client_id;
	int64_t now;
	struct qoc_arena a; /* the row's strings, for the duration of the call */
};

static enum qoc_err revoke_work(struct qoc_sqlite_conn *c, void *arg)
{
	struct revoke_ctx *k = arg;
	struct qoc_token t;
	enum qoc_err err =
	    row_on(c, &sql_token_get, "token_revoke", "t", k->token_hash, 0, read_token, &k->a, &t);
	if (err)
		return err;
	if (strcmp(t.client_id, k->client_id) != 0)
		return QOC_ENOTFOUND; /* RFC 7009 §2.1: only the client it was issued to */
	if (t.kind == QOC_TOKEN_REFRESH)
		return revoke_family_on(c, t.family_id, k->now);
	return qoc_sqlite_run(c, &sql_token_revoke, "token_revoke", NULL, "ti", k->token_hash,
	                      k->now);
}

enum qoc_err qoc_sqlite_token_revoke(struct qoc_store *base, const char *token_hash,
                                     const char *client_id, int64_t now)
{
	if (!qoc_store_is_hash(token_hash) || !qoc_store_nonempty(client_id))
		return QOC_EINVAL;
	struct revoke_ctx k = {.token_hash = token_hash, .client_id = client_id, .now = now};
	qoc_arena_init(&k.a, 0);
	enum qoc_err err = qoc_sqlite_write_tx(qoc_sqlite_from(base), revoke_work, &k);
	qoc_arena_release(&k.a);
	return err;
}

struct family_ctx {
	const char *family_id;
	int64_t now;
};

static enum qoc_err family_work(struct qoc_sqlite_conn *c, void *arg)
{
	const struct family_ctx *k = arg;
	return revoke_family_on(c, k->family_id, k->now);
}

enum qoc_err qoc_sqlite_family_revoke(struct qoc_store *base, const char *family_id, int64_t now)
{
	if (!qoc_store_nonempty(family_id))
		return QOC_EINVAL;
	struct family_ctx k = {.family_id = family_id, .now = now};
	return qoc_sqlite_write_tx(qoc_sqlite_from(base), family_work, &k);
}

/* --- housekeeping --- */

struct purge_ctx {
	int64_t before;
	int64_t limit;
	size_t deleted;
};

static enum qoc_err purge_work(struct qoc_sqlite_conn *c, void *arg)
{
	struct purge_ctx *k = arg;
	k->deleted = 0;
	for (size_t i = 0; i < sizeof(sql_purge) / sizeof(sql_purge[0]); i++) {
		int64_t changes = 0;
		enum qoc_err err = qoc_sqlite_run(c, &sql_purge[i], "tokens_purge_expired",
		                                  &changes, "ii", k->before, k->limit);
		if (err)
			return err;
		k->deleted += (size_t)changes;
	}
	return QOC_OK;
}

enum qoc_err qoc_sqlite_tokens_purge_expired(struct qoc_store *base, int64_t now, size_t limit,
                                             size_t *deleted)
{
	if (deleted)
		*deleted = 0;
	if (limit == 0 || limit > INT32_MAX)
		return QOC_EINVAL;
	struct purge_ctx k = {.before = now - PURGE_GRACE_SECONDS, .limit = (int64_t)limit};
	enum qoc_err err = qoc_sqlite_write_tx(qoc_sqlite_from(base), purge_work, &k);
	if (!err && deleted)
		*deleted = k.deleted;
	return err;
}
