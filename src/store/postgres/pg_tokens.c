/* pg_tokens.c - authorization codes, access and refresh tokens, token families and the
 * housekeeping that drops expired protocol state.
 *
 * How each atomic step keeps "exactly one winner" across any number of nodes (READ
 * COMMITTED transactions):
 *   code_consume   a conditional UPDATE ... WHERE consumed_at IS NULL RETURNING: a second
 *                  redeemer blocks on the row lock, re-checks the condition after the first
 *                  commits, and finds nothing to claim;
 *   refresh_rotate the old token's row is read FOR UPDATE, so rotations of one token run
 *                  one after the other and the second sees used_at set;
 *   families       an issue into a family takes a shared advisory lock on it, a revocation
 *                  an exclusive one: a revocation either commits first (the issue then
 *                  reads its tombstone and stores its tokens revoked) or waits for the
 *                  issue to commit (and then revokes its tokens too).
 * A reuse's revocation is committed before the call answers QOC_ECONFLICT.
 */
#include "store/postgres/pg_internal.h"

#include <string.h>

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

static struct qoc_pg_sql sql_code_insert = {
    .text = "INSERT INTO auth_codes (code_hash, client_id, account_id, redirect_uri, scope,"
            " nonce, code_challenge, auth_time, sid, family_id, created_at, expires_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"};
static struct qoc_pg_sql sql_code_claim = {
    .text = "UPDATE auth_codes SET consumed_at = $2 WHERE code_hash = $1 AND consumed_at IS NULL"
            " AND client_id = $3 RETURNING " CODE_COLUMNS};
static struct qoc_pg_sql sql_code_get = {.text = "SELECT " CODE_COLUMNS
                                                 " FROM auth_codes WHERE code_hash = $1"};
static struct qoc_pg_sql sql_token_insert = {
    .text = "INSERT INTO tokens (token_hash, kind, client_id, account_id, family_id,"
            " parent_hash, scope, sid, auth_time, created_at, expires_at, revoked_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, nullif($9, 0), $10, $11,"
            " (SELECT revoked_at FROM revoked_families WHERE family_id = $5))"};
static struct qoc_pg_sql sql_token_get = {.text = "SELECT " TOKEN_COLUMNS
                                                  " FROM tokens WHERE token_hash = $1"};
static struct qoc_pg_sql sql_token_lock = {.text = "SELECT " TOKEN_COLUMNS
                                                   " FROM tokens WHERE token_hash = $1 FOR UPDATE"};
static struct qoc_pg_sql sql_token_use = {
    .text = "UPDATE tokens SET used_at = $2"
            " WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL"};
static struct qoc_pg_sql sql_token_revoke = {
    .text = "UPDATE tokens SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL"};
static struct qoc_pg_sql sql_family_revoke = {
    .text = "UPDATE tokens SET revoked_at = $2 WHERE family_id = $1"
            " AND account_id IS NOT NULL AND revoked_at IS NULL"}; /* the partial index (0003) */
static struct qoc_pg_sql sql_family_mark = {
    .text = "INSERT INTO revoked_families (family_id, revoked_at) VALUES ($1, $2)"
            " ON CONFLICT (family_id) DO NOTHING"};

static struct qoc_pg_sql sql_purge[] = {
    {.text = "DELETE FROM tokens WHERE token_hash IN"
             " (SELECT token_hash FROM tokens WHERE expires_at < $1 LIMIT $2)"},
    {.text = "DELETE FROM auth_codes WHERE code_hash IN"
             " (SELECT code_hash FROM auth_codes WHERE expires_at < $1 LIMIT $2)"},
    {.text = "DELETE FROM auth_requests WHERE handle_hash IN"
             " (SELECT handle_hash FROM auth_requests WHERE expires_at < $1 LIMIT $2)"},
    {.text = "DELETE FROM sso_sessions WHERE id_hash IN"
             " (SELECT id_hash FROM sso_sessions WHERE expires_at < $1 LIMIT $2)"},
    {.text = "DELETE FROM revoked_families WHERE family_id IN"
             " (SELECT family_id FROM revoked_families WHERE revoked_at < $1 LIMIT $2)"},
};

static enum qoc_err read_code(struct qoc_arena *a, const PGresult *r, int row, void *arg)
{
	struct qoc_auth_code *out = arg;
	enum qoc_err err;
	memset(out, 0, sizeof(*out));
	if ((err = qoc_pg_col_text(a, r, row, 0, &out->code_hash)) ||
	    (err = qoc_pg_col_text(a, r, row, 1, &out->client_id)) ||
	    (err = qoc_pg_col_text(a, r, row, 2, &out->account_id)) ||
	    (err = qoc_pg_col_text(a, r, row, 3, &out->redirect_uri)) ||
	    (err = qoc_pg_col_text(a, r, row, 4, &out->scope)) ||
	    (err = qoc_pg_col_text(a, r, row, 5, &out->nonce)) ||
	    (err = qoc_pg_col_text(a, r, row, 6, &out->code_challenge)) ||
	    (err = qoc_pg_col_text(a, r, row, 8, &out->sid)) ||
	    (err = qoc_pg_col_text(a, r, row, 9, &out->family_id)))
		return err;
	out->auth_time = qoc_pg_col_int(r, row, 7);
	out->created_at = qoc_pg_col_int(r, row, 10);
	out->expires_at = qoc_pg_col_int(r, row, 11);
	out->consumed_at = qoc_pg_col_int(r, row, 12);
	return QOC_OK;
}

static enum qoc_err read_token(struct qoc_arena *a, const PGresult *r, int row, void *arg)
{
	struct qoc_token *out = arg;
	enum qoc_err err;
	memset(out, 0, sizeof(*out));
	out->kind = qoc_store_token_kind_parse(PQgetvalue(r, row, 1));
	if ((err = qoc_pg_col_text(a, r, row, 0, &out->token_hash)) ||
	    (err = qoc_pg_col_text(a, r, row, 2, &out->client_id)) ||
	    (err = qoc_pg_col_text(a, r, row, 3, &out->account_id)) ||
	    (err = qoc_pg_col_text(a, r, row, 4, &out->family_id)) ||
	    (err = qoc_pg_col_text(a, r, row, 5, &out->parent_hash)) ||
	    (err = qoc_pg_col_text(a, r, row, 6, &out->scope)) ||
	    (err = qoc_pg_col_text(a, r, row, 7, &out->sid)))
		return err;
	out->auth_time = qoc_pg_col_int(r, row, 8);
	out->created_at = qoc_pg_col_int(r, row, 9);
	out->expires_at = qoc_pg_col_int(r, row, 10);
	out->revoked_at = qoc_pg_col_int(r, row, 11);
	out->used_at = qoc_pg_col_int(r, row, 12);
	return QOC_OK;
}

/* Revokes every live token of the family and records the family as revoked, under the
 * family's exclusive lock. */
static enum qoc_err revoke_family_on(struct qoc_pg_conn *c, const char *family_id, int64_t now)
{
	enum qoc_err err = qoc_pg_family_lock(c, family_id, true);
	if (!err)
		err =
		    qoc_pg_run(c, &sql_family_revoke, "family_revoke", NULL, "ti", family_id, now);
	if (!err)
		err = qoc_pg_run(c, &sql_family_mark, "family_revoke: mark", NULL, "ti", family_id,
		                 now);
	return err;
}

/* --- authorization codes --- */

enum qoc_err qoc_pg_code_create(struct qoc_store *base, const struct qoc_auth_code *k)
{
	if (!k || !qoc_store_is_hash(k->code_hash) || !qoc_store_nonempty(k->client_id) ||
	    !qoc_store_nonempty(k->account_id) || !qoc_store_nonempty(k->redirect_uri) ||
	    !k->scope || !qoc_store_nonempty(k->family_id))
		return QOC_EINVAL;
	return qoc_pg_write_one(qoc_pg_from(base), &sql_code_insert, "code_create", "tttttttittii",
	                        k->code_hash, k->client_id, k->account_id, k->redirect_uri,
	                        k->scope, k->nonce, k->code_challenge, k->auth_time, k->sid,
	                        k->family_id, k->created_at, k->expires_at);
}

struct consume_ctx {
	const char *code_hash;
	const char *client_id;
	int64_t now;
	struct qoc_arena *a;
	struct qoc_auth_code *out;
	enum qoc_err result; /* the answer once the transaction has committed */
};

static enum qoc_err consume_work(struct qoc_pg_conn *c, void *arg)
{
	struct consume_ctx *k = arg;
	k->result = QOC_EDB;
	enum qoc_err err = qoc_pg_row_on(c, &sql_code_claim, "code_consume", read_code, k->a,
	                                 k->out, "tit", k->code_hash, k->now, k->client_id);
	if (!err) {
		/* Claimed now. Expired: burnt all the same, so it cannot be tried again. */
		k->result = k->out->expires_at > k->now ? QOC_OK : QOC_ENOTFOUND;
		return QOC_OK;
	}
	if (err != QOC_ENOTFOUND)
		return err;
	/* Unknown, or claimed before (here or on another node): a reuse. */
	err = qoc_pg_row_on(c, &sql_code_get, "code_consume: reread", read_code, k->a, k->out, "t",
	                    k->code_hash);
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

enum qoc_err qoc_pg_code_consume(struct qoc_store *base, struct qoc_arena *a, const char *code_hash,
                                 const char *client_id, int64_t now, struct qoc_auth_code *out)
{
	if (!a || !out || !qoc_store_is_hash(code_hash) || !qoc_store_nonempty(client_id))
		return QOC_EINVAL;
	struct consume_ctx k = {
	    .code_hash = code_hash, .client_id = client_id, .now = now, .a = a, .out = out};
	enum qoc_err err = qoc_pg_tx(qoc_pg_from(base), consume_work, &k);
	if (err)
		return err;
	if (k.result == QOC_ENOTFOUND)
		memset(out, 0, sizeof(*out));
	return k.result;
}

/* --- tokens --- */

static enum qoc_err insert_token(struct qoc_pg_conn *c, const struct qoc_token *t,
                                 const struct qoc_token *from)
{
	const char *account = from ? from->account_id : t->account_id;
	const char *family = from ? from->family_id : t->family_id;
	const char *parent = from ? from->token_hash : t->parent_hash;
	const char *sid = from ? from->sid : t->sid;
	int64_t auth_time = from ? from->auth_time : t->auth_time;
	return qoc_pg_run(c, &sql_token_insert, "token insert", NULL, "ttttttttiii", t->token_hash,
	                  qoc_store_token_kind_name(t->kind), t->client_id, account, family, parent,
	                  t->scope, sid, auth_time, t->created_at, t->expires_at);
}

struct issue_ctx {
	const struct qoc_token *tokens;
	size_t n;
};

static struct qoc_pg_sql sql_family_lock_shared = {
    .text = "SELECT pg_advisory_xact_lock_shared(hashtextextended($1, 7243))"};

/* Queued, not run: BEGIN, the shared lock of each family (before any insert reads its
 * tombstone), the inserts and COMMIT go out in one round trip (pg_pipe.c). The lock is
 * the same one qoc_pg_family_lock takes. */
static enum qoc_err issue_queue(struct qoc_pg_pipe *p, void *arg)
{
	const struct issue_ctx *k = arg;
	for (size_t i = 0; i < k->n; i++) {
		bool seen = false;
		for (size_t j = 0; j < i; j++)
			seen = seen || strcmp(k->tokens[j].family_id, k->tokens[i].family_id) == 0;
		if (!seen)
			qoc_pg_pipe_add(p, &sql_family_lock_shared, "tokens_issue: family lock",
			                "t", k->tokens[i].family_id);
	}
	for (size_t i = 0; i < k->n; i++) {
		const struct qoc_token *t = &k->tokens[i];
		qoc_pg_pipe_add(p, &sql_token_insert, "tokens_issue", "ttttttttiii", t->token_hash,
		                qoc_store_token_kind_name(t->kind), t->client_id, t->account_id,
		                t->family_id, t->parent_hash, t->scope, t->sid, t->auth_time,
		                t->created_at, t->expires_at);
	}
	return QOC_OK;
}

enum qoc_err qoc_pg_tokens_issue(struct qoc_store *base, const struct qoc_token *tokens, size_t n)
{
	if (!tokens || n == 0 || n > 3)
		return QOC_EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!qoc_store_token_ok(&tokens[i]))
			return QOC_EINVAL;
	struct issue_ctx k = {.tokens = tokens, .n = n};
	return qoc_pg_pipelined_tx(qoc_pg_from(base), issue_queue, &k);
}

enum qoc_err qoc_pg_token_get(struct qoc_store *base, struct qoc_arena *a, const char *token_hash,
                              struct qoc_token *out)
{
	if (!a || !out || !qoc_store_is_hash(token_hash))
		return QOC_EINVAL;
	return qoc_pg_read_one(qoc_pg_from(base), a, read_token, out, &sql_token_get, "token_get",
	                       "t", token_hash);
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

static enum qoc_err rotate_work(struct qoc_pg_conn *c, void *arg)
{
	struct rotate_ctx *k = arg;
	struct qoc_token *old = k->old;
	k->result = QOC_EDB;
	/* The family first (it never changes), then the row: every path that locks both
	 * takes them in this order, so rotation and revocation cannot deadlock. */
	enum qoc_err err = qoc_pg_row_on(c, &sql_token_get, "refresh_rotate: family", read_token,
	                                 k->a, old, "t", k->old_hash);
	if (!err)
		err = qoc_pg_family_lock(c, old->family_id, true);
	if (!err)
		err = qoc_pg_row_on(c, &sql_token_lock, "refresh_rotate", read_token, k->a, old,
		                    "t", k->old_hash);
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
	err = qoc_pg_run(c, &sql_token_use, "refresh_rotate: use", &changes, "ti", k->old_hash,
	                 k->now);
	if (!err && changes != 1)
		err = QOC_EDB; /* impossible under the row lock: fail rather than issue twice */
	for (size_t i = 0; i < k->n && !err; i++)
		err = insert_token(c, &k->new_tokens[i], old);
	k->result = err;
	return err;
}

enum qoc_err qoc_pg_refresh_rotate(struct qoc_store *base, struct qoc_arena *a,
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
	memset(&old, 0, sizeof(old));
	struct rotate_ctx k = {.old_hash = old_hash,
	                       .client_id = client_id,
	                       .now = now,
	                       .new_tokens = new_tokens,
	                       .n = n,
	                       .a = a,
	                       .old = &old};
	enum qoc_err err = qoc_pg_tx(qoc_pg_from(base), rotate_work, &k);
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

static enum qoc_err revoke_work(struct qoc_pg_conn *c, void *arg)
{
	struct revoke_ctx *k = arg;
	struct qoc_token t;
	enum qoc_err err = qoc_pg_row_on(c, &sql_token_get, "token_revoke", read_token, &k->a, &t,
	                                 "t", k->token_hash);
	if (err)
		return err;
	if (strcmp(t.client_id, k->client_id) != 0)
		return QOC_ENOTFOUND; /* RFC 7009 §2.1: only the client it was issued to */
	if (t.kind == QOC_TOKEN_REFRESH)
		return revoke_family_on(c, t.family_id, k->now);
	return qoc_pg_run(c, &sql_token_revoke, "token_revoke", NULL, "ti", k->token_hash, k->now);
}

enum qoc_err qoc_pg_token_revoke(struct qoc_store *base, const char *token_hash,
                                 const char *client_id, int64_t now)
{
	if (!qoc_store_is_hash(token_hash) || !qoc_store_nonempty(client_id))
		return QOC_EINVAL;
	struct revoke_ctx k = {.token_hash = token_hash, .client_id = client_id, .now = now};
	qoc_arena_init(&k.a, 0);
	enum qoc_err err = qoc_pg_tx(qoc_pg_from(base), revoke_work, &k);
	qoc_arena_release(&k.a);
	return err;
}

struct family_ctx {
	const char *family_id;
	int64_t now;
};

static enum qoc_err family_work(struct qoc_pg_conn *c, void *arg)
{
	const struct family_ctx *k = arg;
	return revoke_family_on(c, k->family_id, k->now);
}

enum qoc_err qoc_pg_family_revoke(struct qoc_store *base, const char *family_id, int64_t now)
{
	if (!qoc_store_nonempty(family_id))
		return QOC_EINVAL;
	struct family_ctx k = {.family_id = family_id, .now = now};
	return qoc_pg_tx(qoc_pg_from(base), family_work, &k);
}

/* --- housekeeping --- */

struct purge_ctx {
	int64_t before;
	int64_t limit;
	size_t deleted;
};

static enum qoc_err purge_work(struct qoc_pg_conn *c, void *arg)
{
	struct purge_ctx *k = arg;
	k->deleted = 0;
	for (size_t i = 0; i < sizeof(sql_purge) / sizeof(sql_purge[0]); i++) {
		int64_t changes = 0;
		enum qoc_err err = qoc_pg_run(c, &sql_purge[i], "tokens_purge_expired", &changes,
		                              "ii", k->before, k->limit);
		if (err)
			return err;
		k->deleted += (size_t)changes;
	}
	return QOC_OK;
}

enum qoc_err qoc_pg_tokens_purge_expired(struct qoc_store *base, int64_t now, size_t limit,
                                         size_t *deleted)
{
	if (deleted)
		*deleted = 0;
	if (limit == 0 || limit > INT32_MAX)
		return QOC_EINVAL;
	struct purge_ctx k = {.before = now - PURGE_GRACE_SECONDS, .limit = (int64_t)limit};
	enum qoc_err err = qoc_pg_tx(qoc_pg_from(base), purge_work, &k);
	if (!err && deleted)
		*deleted = k.deleted;
	return err;
}
