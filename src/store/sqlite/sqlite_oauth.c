/* sqlite_oauth.c - SSO sessions, pending authorization requests and consents.
 * Codes and tokens are in sqlite_tokens.c. */
#include "store/sqlite/sqlite_internal.h"

#include <string.h>

#include "store/store_check.h"
#include "store/store_codec.h"

#define SESSION_COLUMNS "id_hash, sid, account_id, auth_time, created_at, expires_at"
#define AUTHREQ_COLUMNS                                                                            \
	"handle_hash, browser_hash, client_id, params, account_id, auth_time, created_at,"         \
	" expires_at, addr"

static struct qoc_sqlite_sql sql_session_insert = {
    .text = "INSERT INTO sso_sessions (" SESSION_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)"};
static struct qoc_sqlite_sql sql_session_get = {
    .text = "SELECT " SESSION_COLUMNS " FROM sso_sessions WHERE id_hash = ?1 AND expires_at > ?2"};
static struct qoc_sqlite_sql sql_session_touch = {
    .text = "UPDATE sso_sessions SET expires_at = max(expires_at, ?3)"
            " WHERE id_hash = ?1 AND expires_at > ?2"};
static struct qoc_sqlite_sql sql_session_delete = {
    .text = "DELETE FROM sso_sessions WHERE id_hash = ?1"};
static struct qoc_sqlite_sql sql_session_delete_sid = {
    .text = "DELETE FROM sso_sessions WHERE sid = ?1"};

static struct qoc_sqlite_sql sql_authreq_insert = {
    .text = "INSERT INTO auth_requests (handle_hash, browser_hash, client_id, params,"
            " created_at, expires_at, addr) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"};
/* The bounds (0010): everything of this browser (address) but the newest ?2, walked
 * newest first through auth_requests_browser (auth_requests_addr). */
static struct qoc_sqlite_sql sql_authreq_evict_browser = {
    .text = "DELETE FROM auth_requests WHERE rowid IN (SELECT rowid FROM auth_requests"
            " WHERE browser_hash = ?1 ORDER BY created_at DESC, rowid DESC LIMIT -1 OFFSET ?2)"};
static struct qoc_sqlite_sql sql_authreq_evict_addr = {
    .text = "DELETE FROM auth_requests WHERE rowid IN (SELECT rowid FROM auth_requests"
            " WHERE addr = ?1 ORDER BY created_at DESC, rowid DESC LIMIT -1 OFFSET ?2)"};
static struct qoc_sqlite_sql sql_authreq_get = {
    .text = "SELECT " AUTHREQ_COLUMNS " FROM auth_requests"
            " WHERE handle_hash = ?1 AND browser_hash = ?2 AND expires_at > ?3"};
static struct qoc_sqlite_sql sql_authreq_set_account = {
    .text = "UPDATE auth_requests SET account_id = ?3, auth_time = ?4"
            " WHERE handle_hash = ?1 AND browser_hash = ?2 AND expires_at > ?5"};
/* RETURNING: the row is deleted by the first step, and the same step hands it back. */
static struct qoc_sqlite_sql sql_authreq_take = {
    .text = "DELETE FROM auth_requests WHERE handle_hash = ?1 AND browser_hash = ?2"
            " RETURNING " AUTHREQ_COLUMNS};
static struct qoc_sqlite_sql sql_authreq_delete = {
    .text = "DELETE FROM auth_requests WHERE handle_hash = ?1"};

static struct qoc_sqlite_sql sql_consent_get = {
    .text = "SELECT scope FROM consents WHERE account_id = ?1 AND client_id = ?2"};
static struct qoc_sqlite_sql sql_consent_put = {
    .text = "INSERT INTO consents (account_id, client_id, scope, created_at, updated_at)"
            " VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (account_id, client_id)"
            " DO UPDATE SET scope = excluded.scope, updated_at = excluded.updated_at"};

/* --- SSO sessions --- */

static enum qoc_err read_session(struct qoc_arena *a, sqlite3_stmt *s, void *arg)
{
	struct qoc_sso_session *out = arg;
	enum qoc_err err;
	memset(out, 0, sizeof(*out));
	if ((err = qoc_sqlite_col_text(a, s, 0, &out->id_hash)) ||
	    (err = qoc_sqlite_col_text(a, s, 1, &out->sid)) ||
	    (err = qoc_sqlite_col_text(a, s, 2, &out->account_id)))
		return err;
	out->auth_time = sqlite3_column_int64(s, 3);
	out->created_at = sqlite3_column_int64(s, 4);
	out->expires_at = sqlite3_column_int64(s, 5);
	return QOC_OK;
}

static enum qoc_err session_insert(struct qoc_sqlite_conn *c, void *arg)
{
	const struct qoc_sso_session *s = arg;
	return qoc_sqlite_run(c, &sql_session_insert, "session_create", NULL, "tttiii", s->id_hash,
	                      s->sid, s->account_id, s->auth_time, s->created_at, s->expires_at);
}

enum qoc_err qoc_sqlite_session_create(struct qoc_store *base, const struct qoc_sso_session *s)
{
	if (!s || !qoc_store_is_hash(s->id_hash) || !qoc_store_nonempty(s->sid) ||
	    !qoc_store_nonempty(s->account_id))
		return QOC_EINVAL;
	return qoc_sqlite_batch_write(qoc_sqlite_from(base), session_insert, (void *)s);
}

enum qoc_err qoc_sqlite_session_get(struct qoc_store *base, struct qoc_arena *a,
                                    const char *id_hash, int64_t now, struct qoc_sso_session *out)
{
	if (!qoc_store_is_hash(id_hash) || !out)
		return QOC_EINVAL;
	return qoc_sqlite_read_one(qoc_sqlite_from(base), a, read_session, out, &sql_session_get,
	                           "session_get", "ti", id_hash, now);
}

enum qoc_err qoc_sqlite_session_touch(struct qoc_store *base, const char *id_hash, int64_t now,
                                      int64_t expires_at)
{
	if (!qoc_store_is_hash(id_hash))
		return QOC_EINVAL;
	return qoc_sqlite_write_one(qoc_sqlite_from(base), &sql_session_touch, "session_touch",
	                            "tii", id_hash, now, expires_at);
}

enum qoc_err qoc_sqlite_session_delete(struct qoc_store *base, const char *id_hash)
{
	if (!qoc_store_is_hash(id_hash))
		return QOC_EINVAL;
	return qoc_sqlite_write_one(qoc_sqlite_from(base), &sql_session_delete, "session_delete",
	                            "t", id_hash);
}

enum qoc_err qoc_sqlite_session_delete_by_sid(struct qoc_store *base, const char *sid)
{
	if (!qoc_store_nonempty(sid))
		return QOC_EINVAL;
	return qoc_sqlite_write_one(qoc_sqlite_from(base), &sql_session_delete_sid,
	                            "session_delete_by_sid", "t", sid);
}

/* --- authorization requests --- */

static enum qoc_err read_authreq(struct qoc_arena *a, sqlite3_stmt *s, void *arg)
{
	struct qoc_auth_request *out = arg;
	enum qoc_err err;
	memset(out, 0, sizeof(*out));
	if ((err = qoc_sqlite_col_text(a, s, 0, &out->handle_hash)) ||
	    (err = qoc_sqlite_col_text(a, s, 1, &out->browser_hash)) ||
	    (err = qoc_sqlite_col_text(a, s, 2, &out->client_id)) ||
	    (err = qoc_sqlite_col_text(a, s, 3, &out->params)) ||
	    (err = qoc_sqlite_col_text(a, s, 4, &out->account_id)))
		return err;
	out->auth_time = sqlite3_column_int64(s, 5); /* NULL reads as 0 */
	out->created_at = sqlite3_column_int64(s, 6);
	out->expires_at = sqlite3_column_int64(s, 7);
	return qoc_sqlite_col_text(a, s, 8, &out->addr);
}

static enum qoc_err authreq_insert(struct qoc_sqlite_conn *c, void *arg)
{
	const struct qoc_auth_request *r = arg;
	const char *addr = r->addr && r->addr[0] ? r->addr : NULL;
	enum qoc_err err = qoc_sqlite_run(c, &sql_authreq_insert, "authreq_create", NULL, "ttttiit",
	                                  r->handle_hash, r->browser_hash, r->client_id, r->params,
	                                  r->created_at, r->expires_at, addr);
	if (!err && r->keep_per_browser)
		err = qoc_sqlite_run(c, &sql_authreq_evict_browser, "authreq_create", NULL, "ti",
		                     r->browser_hash, (int64_t)r->keep_per_browser);
	if (!err && addr && r->keep_per_addr)
		err = qoc_sqlite_run(c, &sql_authreq_evict_addr, "authreq_create", NULL, "ti", addr,
		                     (int64_t)r->keep_per_addr);
	return err;
}

enum qoc_err qoc_sqlite_authreq_create(struct qoc_store *base, const struct qoc_auth_request *r)
{
	if (!r || !qoc_store_is_hash(r->handle_hash) || !qoc_store_is_hash(r->browser_hash) ||
	    !qoc_store_nonempty(r->client_id) || !qoc_store_is_json_object(r->params) ||
	    r->account_id || (r->addr && strlen(r->addr) > QOC_STORE_ADDR_MAX))
		return QOC_EINVAL;
	return qoc_sqlite_batch_write(qoc_sqlite_from(base), authreq_insert, (void *)r);
}

enum qoc_err qoc_sqlite_authreq_get(struct qoc_store *base, struct qoc_arena *a,
                                    const char *handle_hash, const char *browser_hash, int64_t now,
                                    struct qoc_auth_request *out)
{
	if (!qoc_store_is_hash(handle_hash) || !qoc_store_is_hash(browser_hash) || !out)
		return QOC_EINVAL;
	return qoc_sqlite_read_one(qoc_sqlite_from(base), a, read_authreq, out, &sql_authreq_get,
	                           "authreq_get", "tti", handle_hash, browser_hash, now);
}

enum qoc_err qoc_sqlite_authreq_set_account(struct qoc_store *base, const char *handle_hash,
                                            const char *browser_hash, const char *account_id,
                                            int64_t auth_time, int64_t now)
{
	if (!qoc_store_is_hash(handle_hash) || !qoc_store_is_hash(browser_hash) ||
	    !qoc_store_nonempty(account_id))
		return QOC_EINVAL;
	return qoc_sqlite_write_one(qoc_sqlite_from(base), &sql_authreq_set_account,
	                            "authreq_set_account", "tttii", handle_hash, browser_hash,
	                            account_id, auth_time, now);
}

struct take_ctx {
	const char *handle_hash, *browser_hash;
	int64_t now;
	struct qoc_arena *a;
	struct qoc_auth_request *out;
	enum qoc_err result; /* what the caller gets once the delete is committed */
};

static enum qoc_err take_work(struct qoc_sqlite_conn *c, void *arg)
{
	struct take_ctx *t = arg;
	sqlite3_stmt *s;
	enum qoc_err err = qoc_sqlite_bound(c, &sql_authreq_take, "authreq_take", &s, "tt",
	                                    t->handle_hash, t->browser_hash);
	if (err)
		return err;
	err = qoc_sqlite_step_row(c, s, "authreq_take");
	if (!err)
		err = read_authreq(t->a, s, t->out);
	if (!err) /* to the end of the statement, so the delete is complete */
		err = qoc_sqlite_step_done(c, s, "authreq_take");
	qoc_sqlite_stmt_done(s);
	if (err)
		return err; /* QOC_ENOTFOUND: nothing was deleted, nothing to commit */
	/* An expired request is gone all the same: commit the delete, answer not found. */
	t->result = t->out->expires_at > t->now ? QOC_OK : QOC_ENOTFOUND;
	return QOC_OK;
}

enum qoc_err qoc_sqlite_authreq_take(struct qoc_store *base, struct qoc_arena *a,
                                     const char *handle_hash, const char *browser_hash, int64_t now,
                                     struct qoc_auth_request *out)
{
	if (!qoc_store_is_hash(handle_hash) || !qoc_store_is_hash(browser_hash) || !out)
		return QOC_EINVAL;
	struct take_ctx t = {.handle_hash = handle_hash,
	                     .browser_hash = browser_hash,
	                     .now = now,
	                     .a = a,
	                     .out = out};
	enum qoc_err err = qoc_sqlite_write_tx(qoc_sqlite_from(base), take_work, &t);
	if (!err && t.result)
		memset(out, 0, sizeof(*out));
	return err ? err : t.result;
}

enum qoc_err qoc_sqlite_authreq_delete(struct qoc_store *base, const char *handle_hash)
{
	if (!qoc_store_is_hash(handle_hash))
		return QOC_EINVAL;
	return qoc_sqlite_write_one(qoc_sqlite_from(base), &sql_authreq_delete, "authreq_delete",
	                            "t", handle_hash);
}

/* --- consents --- */

static enum qoc_err read_scope(struct qoc_arena *a, sqlite3_stmt *s, void *out)
{
	return qoc_sqlite_col_text(a, s, 0, out);
}

enum qoc_err qoc_sqlite_consent_get(struct qoc_store *base, struct qoc_arena *a,
                                    const char *account_id, const char *client_id,
                                    const char **scope)
{
	if (!qoc_store_nonempty(account_id) || !qoc_store_nonempty(client_id) || !scope)
		return QOC_EINVAL;
	*scope = NULL;
	return qoc_sqlite_read_one(qoc_sqlite_from(base), a, read_scope, (void *)scope,
	                           &sql_consent_get, "consent_get", "tt", account_id, client_id);
}

enum qoc_err qoc_sqlite_consent_put(struct qoc_store *base, const char *account_id,
                                    const char *client_id, const char *scope, int64_t now)
{
	if (!qoc_store_nonempty(account_id) || !qoc_store_nonempty(client_id) || !scope)
		return QOC_EINVAL;
	return qoc_sqlite_write_one(qoc_sqlite_from(base), &sql_consent_put, "consent_put", "ttti",
	                            account_id, client_id, scope, now);
}
