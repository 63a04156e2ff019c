/* token_req.h - token request validation (RFC 6749 §4.1.3, §4.4.2, §5.2, §6; RFC 7636 §4.5,
 * §4.6; OIDC Core §3.1.3.2, §11; SECURITY.md "Codes, PKCE, tokens").
 *
 * Pure: no store, no crypto beyond the PKCE hash. The handler, after client
 * authentication (client_auth.h):
 *   1. qoc_token_request_parse(form, app): the form alone, before the store is touched;
 *   2. for authorization_code: consumes the code atomically in the store (whatever
 *      happens next, the code is burned), maps the consumed record to a struct
 *      qoc_code_binding and calls qoc_token_code_check;
 *      for refresh_token: rotates the token and calls qoc_token_refresh_scope with the
 *      scope it was granted;
 *      for client_credentials: nothing more (the scope is checked in step 1).
 *
 * Decisions (docs/decisions/oauth-protocol-core.md):
 * - Any parameter given twice is invalid_request, as at the authorization endpoint.
 * - A malformed code_verifier (not 43-128 of [A-Za-z0-9-._~]) is invalid_request in step 1:
 *   the code survives, which costs nothing (a well-formed wrong verifier burns it).
 * - Every mismatch between the request and the consumed code is invalid_grant (RFC 6749
 *   §5.2), including a redirect_uri missing when the authorization request had one.
 * - client_credentials: confidential clients only (public ones are unauthorized_client);
 *   the scope may not contain openid or offline_access (no ID token, no refresh token for
 *   a client acting for itself).
 */
#ifndef QOC_OAUTH_TOKEN_REQ_H
#define QOC_OAUTH_TOKEN_REQ_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "oauth/oauth_error.h"
#include "oauth/scope.h"
#include "store/store.h"

struct qoc_form;

/* Longest code / refresh token accepted (bytes); longer ones cannot be ours. */
#define QOC_TOKEN_REQ_TOKEN_MAX 512

enum qoc_grant {
	QOC_GRANT_AUTHORIZATION_CODE = 0,
	QOC_GRANT_REFRESH_TOKEN,
	QOC_GRANT_CLIENT_CREDENTIALS,
};

/* The validated form. Strings point into the form (its arena); NULL when absent. */
struct qoc_token_request {
	enum qoc_grant grant;
	const char *code;          /* authorization_code: required */
	const char *redirect_uri;  /* authorization_code: as sent */
	const char *code_verifier; /* authorization_code: well-formed when present */
	const char *refresh_token; /* refresh_token: required */
	bool scope_given;          /* refresh_token, client_credentials */
	struct qoc_scope scope;    /* empty when not given */
};

/* What the token endpoint needs of a consumed authorization code. The handler maps the
 * store's record onto it (struct qoc_auth_code, added to store.h elsewhere); the strings
 * are borrowed for the call. */
struct qoc_code_binding {
	const char *client_id;
	/* The URI the code was delivered to (qoc_authz_request.redirect_uri). */
	const char *redirect_uri;
	/* The authorization request carried redirect_uri (qoc_authz_request.redirect_uri_given):
	 * the token request must then carry the identical string (RFC 6749 §4.1.3). */
	bool redirect_uri_required;
	const char *code_challenge; /* S256, NULL when the request had none */
	int64_t expires_at;         /* unix seconds; the code is dead from this second on */
};

/* "authorization_code", "refresh_token", "client_credentials". */
const char *qoc_grant_name(enum qoc_grant g);

/* Step 1. app: the authenticated client. QOC_OK with *out filled, or QOC_EINVAL with *err:
 * invalid_request (missing grant_type or a required parameter, a parameter given twice, a
 * malformed code_verifier, an over-long value), unsupported_grant_type (unknown),
 * unauthorized_client (not enabled for the app, or client_credentials for a public client),
 * invalid_scope (malformed scope; openid or offline_access with client_credentials). */
enum qoc_err qoc_token_request_parse(const struct qoc_form *form, const struct qoc_app *app,
                                     struct qoc_token_request *out, struct qoc_oauth_error *err);

/* Step 2 for authorization_code: does the consumed code belong to this request? Checks, in
 * order: the client (a code of another client), expiry (now >= expires_at), redirect_uri
 * (byte-exact), PKCE: a challenge needs a verifier, a verifier needs a challenge (a
 * downgrade otherwise), an app that requires PKCE needs a challenge, and S256(verifier)
 * must equal the challenge (constant-time). QOC_OK, or QOC_EINVAL with *err invalid_grant;
 * the code stays burned whatever the answer. */
enum qoc_err qoc_token_code_check(const struct qoc_token_request *req,
                                  const struct qoc_code_binding *code, const struct qoc_app *app,
                                  int64_t now, struct qoc_oauth_error *err);

/* Step 2 for refresh_token: the scope of the new tokens. Not given: the original; given: it
 * must be a subset of the original (RFC 6749 §6: no escalation), else QOC_EINVAL with
 * invalid_scope. */
enum qoc_err qoc_token_refresh_scope(const struct qoc_token_request *req,
                                     const struct qoc_scope *original, struct qoc_scope *granted,
                                     struct qoc_oauth_error *err);

#endif
