/* oauth_error.h - protocol errors as data (RFC 6749 §4.1.2.1, §4.2.2.1, §5.2; RFC 6750 §3.1;
 * OIDC Core §3.1.2.6).
 *
 * Every decision function of src/oauth/ reports a refusal as a struct qoc_oauth_error; the
 * handler renders it in one place: as JSON (qoc_oauth_error_json) at the token,
 * introspection and revocation endpoints, as redirect parameters (response.h) or as an
 * error page at the authorization endpoint.
 *
 * Ownership: code and description are static strings. A description never holds data from
 * the request (no echo of a parameter value: it would be an injection vector into the
 * client's logs or pages); it says which rule was broken, in plain words.
 */
#ifndef QOC_OAUTH_ERROR_H
#define QOC_OAUTH_ERROR_H

#include <jansson.h>

#include "core/err.h"

/* RFC 6749 §4.1.2.1 and §5.2 */
#define QOC_OAUTH_INVALID_REQUEST "invalid_request"
#define QOC_OAUTH_INVALID_CLIENT "invalid_client"
#define QOC_OAUTH_INVALID_GRANT "invalid_grant"
#define QOC_OAUTH_UNAUTHORIZED_CLIENT "unauthorized_client"
#define QOC_OAUTH_UNSUPPORTED_GRANT_TYPE "unsupported_grant_type"
#define QOC_OAUTH_INVALID_SCOPE "invalid_scope"
#define QOC_OAUTH_ACCESS_DENIED "access_denied"
#define QOC_OAUTH_UNSUPPORTED_RESPONSE_TYPE "unsupported_response_type"
#define QOC_OAUTH_SERVER_ERROR "server_error"
#define QOC_OAUTH_TEMPORARILY_UNAVAILABLE "temporarily_unavailable"
/* OIDC Core §3.1.2.6 */
#define QOC_OAUTH_LOGIN_REQUIRED "login_required"
#define QOC_OAUTH_CONSENT_REQUIRED "consent_required"
#define QOC_OAUTH_INTERACTION_REQUIRED "interaction_required"
#define QOC_OAUTH_ACCOUNT_SELECTION_REQUIRED "account_selection_required"
#define QOC_OAUTH_REQUEST_NOT_SUPPORTED "request_not_supported"
#define QOC_OAUTH_REQUEST_URI_NOT_SUPPORTED "request_uri_not_supported"
/* RFC 7009 §2.2.1 */
#define QOC_OAUTH_UNSUPPORTED_TOKEN_TYPE "unsupported_token_type"
/* RFC 6750 §3.1 */
#define QOC_OAUTH_INVALID_TOKEN "invalid_token"
#define QOC_OAUTH_INSUFFICIENT_SCOPE "insufficient_scope"

struct qoc_oauth_error {
	const char *code;        /* one of the QOC_OAUTH_* codes above; static */
	const char *description; /* static text, never attacker data; may be NULL */
	unsigned status;         /* HTTP status when rendered as JSON: 400, 401, 403, 500, 503 */
};

/* The HTTP status a code is answered with at the token and resource endpoints:
 * invalid_client and invalid_token 401 (RFC 6749 §5.2, RFC 6750 §3.1), insufficient_scope
 * 403, server_error 500, temporarily_unavailable 503, everything else 400. */
unsigned qoc_oauth_error_status(const char *code);

/* An error with the status qoc_oauth_error_status(code). */
struct qoc_oauth_error qoc_oauth_error_make(const char *code, const char *description);

/* Sets *err (when err is not NULL) to qoc_oauth_error_make(code, description) and returns
 * QOC_EINVAL, so a validator can `return qoc_oauth_fail(err, ..., "...")`. */
enum qoc_err qoc_oauth_fail(struct qoc_oauth_error *err, const char *code, const char *description);

/* The protocol error for an internal failure: QOC_ENOMEM and QOC_EBUSY are
 * temporarily_unavailable (503: retry later, STYLE.md), anything else server_error (500).
 * The description is generic: the cause goes to the log, not to the client. */
struct qoc_oauth_error qoc_oauth_error_internal(enum qoc_err cause);

/* {"error": code, "error_description": description} (the description member only when
 * there is one; RFC 6749 §5.2). A new reference the caller owns, NULL when out of memory
 * or when err->code is NULL. */
json_t *qoc_oauth_error_json(const struct qoc_oauth_error *err);

#endif
