/* store_oauth.h - the records of the OAuth 2.0 / OpenID Connect protocol state and the
 * qoc_store_* calls on them. The contract of each call (atomicity, errors) is on its op in
 * store/store.h; ownership is as everywhere in the store: records passed in are only read
 * during the call, records read back live in the caller's arena.
 *
 * Secrets never reach the store. Each *_hash is qoc_token_hash() of a secret (a cookie
 * value, a handle, a code, a token): 43 base64url characters. Times are Unix seconds; a
 * row is live while now < expires_at. Ids (sid, family_id) are random public strings the
 * caller makes.
 */
#ifndef QOC_STORE_OAUTH_H
#define QOC_STORE_OAUTH_H

#include "store/store.h"

/* A signed-in browser (the SSO session cookie). */
struct qoc_sso_session {
	const char *id_hash;    /* hash of the cookie value */
	const char *sid;        /* public random id: the OIDC `sid` claim, logout by sid */
	const char *account_id; /* who signed in */
	int64_t auth_time;      /* when they last authenticated */
	int64_t created_at;
	int64_t expires_at;
};

/* Longest auth_request addr (an IPv6 address in text form fits). */
#define QOC_STORE_ADDR_MAX 64

/* The state between /authorize and the sign-in and consent forms. */
struct qoc_auth_request {
	const char *handle_hash;  /* hash of the unguessable handle in the forms */
	const char *browser_hash; /* hash of the browser-binding cookie value */
	const char *client_id;
	const char *params;     /* JSON object text of the validated request (redirect_uri,
	                         * scope, state, nonce, code_challenge, response_type,
	                         * response_mode, prompt, max_age, ...) */
	const char *account_id; /* NULL until the user signs in (authreq_set_account) */
	int64_t auth_time;      /* 0 until then */
	int64_t created_at;
	int64_t expires_at;
	/* authreq_create only (version 9): the client address (analytics' form, 1..64
	 * characters; NULL: none), and the bounds kept after the insert, in the same
	 * transaction: beyond keep_per_browser requests of this browser_hash, and beyond
	 * keep_per_addr of this addr, the oldest (created_at, then insertion order) are
	 * deleted. 0: no bound. Reads return addr (NULL for none) and the bounds as 0. */
	const char *addr;
	unsigned keep_per_browser;
	unsigned keep_per_addr;
};

struct qoc_auth_code {
	const char *code_hash;
	const char *client_id;
	const char *account_id;
	const char *redirect_uri;   /* the exact string of the authorization request */
	const char *scope;          /* granted, space-separated; may be "" */
	const char *nonce;          /* NULL: none */
	const char *code_challenge; /* the S256 challenge; NULL: none */
	int64_t auth_time;
	const char *sid;       /* the SSO session's sid; NULL: none */
	const char *family_id; /* groups every token issued from this code */
	int64_t created_at;
	int64_t expires_at;
	int64_t consumed_at; /* 0: not yet; code_create ignores it */
};

enum qoc_token_kind { QOC_TOKEN_ACCESS = 1, QOC_TOKEN_REFRESH = 2 };

/* An access or a refresh token. */
struct qoc_token {
	const char *token_hash;
	enum qoc_token_kind kind;
	const char *client_id;
	const char *account_id;  /* NULL for client_credentials (never a refresh token) */
	const char *family_id;   /* the grant it descends from */
	const char *parent_hash; /* the refresh token whose rotation issued it; NULL: none */
	const char *scope;       /* space-separated; may be "" */
	const char *sid;         /* NULL: none */
	int64_t auth_time;       /* 0: none */
	int64_t created_at;
	int64_t expires_at;
	int64_t revoked_at; /* 0: not revoked */
	int64_t used_at;    /* refresh tokens: when rotated; 0: not yet */
};

static inline enum qoc_err qoc_store_session_create(struct qoc_store *st,
                                                    const struct qoc_sso_session *s)
{
	return QOC_STORE_TIMED(session_create, st->ops->session_create(st, s));
}
static inline enum qoc_err qoc_store_session_get(struct qoc_store *st, struct qoc_arena *a,
                                                 const char *id_hash, int64_t now,
                                                 struct qoc_sso_session *out)
{
	return QOC_STORE_TIMED(session_get, st->ops->session_get(st, a, id_hash, now, out));
}
static inline enum qoc_err qoc_store_session_touch(struct qoc_store *st, const char *id_hash,
                                                   int64_t now, int64_t expires_at)
{
	return QOC_STORE_TIMED(session_touch, st->ops->session_touch(st, id_hash, now, expires_at));
}
static inline enum qoc_err qoc_store_session_delete(struct qoc_store *st, const char *id_hash)
{
	return QOC_STORE_TIMED(session_delete, st->ops->session_delete(st, id_hash));
}
static inline enum qoc_err qoc_store_session_delete_by_sid(struct qoc_store *st, const char *sid)
{
	return QOC_STORE_TIMED(session_delete_by_sid, st->ops->session_delete_by_sid(st, sid));
}
static inline enum qoc_err qoc_store_authreq_create(struct qoc_store *st,
                                                    const struct qoc_auth_request *r)
{
	return QOC_STORE_TIMED(authreq_create, st->ops->authreq_create(st, r));
}
static inline enum qoc_err qoc_store_authreq_get(struct qoc_store *st, struct qoc_arena *a,
                                                 const char *handle_hash, const char *browser_hash,
                                                 int64_t now, struct qoc_auth_request *out)
{
	return QOC_STORE_TIMED(authreq_get,
	                       st->ops->authreq_get(st, a, handle_hash, browser_hash, now, out));
}
static inline enum qoc_err qoc_store_authreq_set_account(struct qoc_store *st,
                                                         const char *handle_hash,
                                                         const char *browser_hash,
                                                         const char *account_id, int64_t auth_time,
                                                         int64_t now)
{
	return QOC_STORE_TIMED(authreq_set_account,
	                       st->ops->authreq_set_account(st, handle_hash, browser_hash,
	                                                    account_id, auth_time, now));
}
static inline enum qoc_err qoc_store_authreq_take(struct qoc_store *st, struct qoc_arena *a,
                                                  const char *handle_hash, const char *browser_hash,
                                                  int64_t now, struct qoc_auth_request *out)
{
	return QOC_STORE_TIMED(authreq_take,
	                       st->ops->authreq_take(st, a, handle_hash, browser_hash, now, out));
}
static inline enum qoc_err qoc_store_authreq_delete(struct qoc_store *st, const char *handle_hash)
{
	return QOC_STORE_TIMED(authreq_delete, st->ops->authreq_delete(st, handle_hash));
}
static inline enum qoc_err qoc_store_code_create(struct qoc_store *st,
                                                 const struct qoc_auth_code *code)
{
	return QOC_STORE_TIMED(code_create, st->ops->code_create(st, code));
}
static inline enum qoc_err qoc_store_code_consume(struct qoc_store *st, struct qoc_arena *a,
                                                  const char *code_hash, const char *client_id,
                                                  int64_t now, struct qoc_auth_code *out)
{
	return QOC_STORE_TIMED(code_consume,
	                       st->ops->code_consume(st, a, code_hash, client_id, now, out));
}
static inline enum qoc_err qoc_store_tokens_issue(struct qoc_store *st,
                                                  const struct qoc_token *tokens, size_t n)
{
	return QOC_STORE_TIMED(tokens_issue, st->ops->tokens_issue(st, tokens, n));
}
static inline enum qoc_err qoc_store_token_get(struct qoc_store *st, struct qoc_arena *a,
                                               const char *token_hash, struct qoc_token *out)
{
	return QOC_STORE_TIMED(token_get, st->ops->token_get(st, a, token_hash, out));
}
static inline enum qoc_err qoc_store_refresh_rotate(struct qoc_store *st, struct qoc_arena *a,
                                                    const char *old_hash, const char *client_id,
                                                    int64_t now, const struct qoc_token *new_tokens,
                                                    size_t n, struct qoc_token *old_out)
{
	return QOC_STORE_TIMED(
	    refresh_rotate,
	    st->ops->refresh_rotate(st, a, old_hash, client_id, now, new_tokens, n, old_out));
}
static inline enum qoc_err qoc_store_token_revoke(struct qoc_store *st, const char *token_hash,
                                                  const char *client_id, int64_t now)
{
	return QOC_STORE_TIMED(token_revoke, st->ops->token_revoke(st, token_hash, client_id, now));
}
static inline enum qoc_err qoc_store_family_revoke(struct qoc_store *st, const char *family_id,
                                                   int64_t now)
{
	return QOC_STORE_TIMED(family_revoke, st->ops->family_revoke(st, family_id, now));
}
static inline enum qoc_err qoc_store_tokens_purge_expired(struct qoc_store *st, int64_t now,
                                                          size_t limit, size_t *deleted)
{
	return QOC_STORE_TIMED(tokens_purge_expired,
	                       st->ops->tokens_purge_expired(st, now, limit, deleted));
}
static inline enum qoc_err qoc_store_consent_get(struct qoc_store *st, struct qoc_arena *a,
                                                 const char *account_id, const char *client_id,
                                                 const char **scope)
{
	return QOC_STORE_TIMED(consent_get,
	                       st->ops->consent_get(st, a, account_id, client_id, scope));
}
static inline enum qoc_err qoc_store_consent_put(struct qoc_store *st, const char *account_id,
                                                 const char *client_id, const char *scope,
                                                 int64_t now)
{
	return QOC_STORE_TIMED(consent_put,
	                       st->ops->consent_put(st, account_id, client_id, scope, now));
}

#endif
