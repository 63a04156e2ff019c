/* authorize.h - validation of an authorization request (RFC 6749 §3.1, §4.1.1, §4.2.1;
 * RFC 7636 §4.3; OIDC Core §3.1.2.1, §3.1.2.2, §3.2.2.1, §5.5, §6, §11; OAuth 2.0 Multiple
 * Response Type Encoding Practices; SECURITY.md "Redirect URIs", "Codes, PKCE, tokens").
 *
 * Pure: no store, no socket, no HTML. The handler decodes the query (GET) or the form body
 * (POST) with qoc_form_parse, reads the client id with qoc_authz_client_id, fetches that
 * application, and passes both here. What comes back is either a valid request, or an
 * error with what to do with it:
 *   - QOC_AUTHZ_SHOW: show an error page, never redirect (unknown or unusable client,
 *     missing or unregistered redirect URI, or a state that cannot be echoed exactly);
 *   - QOC_AUTHZ_REDIRECT: send the error to out->redirect_uri with out->response_mode,
 *     out->state (may be NULL) and iss (response.h).
 *
 * Order (SECURITY.md): client_id, then redirect_uri, then state, then everything else.
 * Parameters: one given twice is invalid_request (known or not); unknown ones are ignored;
 * empty ones count as absent.
 *
 * Decisions (docs/decisions/oauth-protocol-core.md):
 * - The redirect URI is looked up in redirect_uris, and for an OpenID request (a scope
 *   parameter that parses and contains openid) in sso_redirect_uris as well (issue 3).
 *   Absent, it defaults to the one registered redirect URI when there is exactly one and it
 *   has no wildcard (RFC 6749 §3.1.2.3); never for an OpenID request (OIDC Core §3.1.2.1).
 * - state longer than QOC_AUTHZ_STATE_MAX or given twice: shown, not redirected, because
 *   the error response would have to carry it (RFC 6749 §4.1.2.1) and it cannot be echoed.
 * - code_challenge without code_challenge_method is refused: the method then defaults to
 *   "plain" (RFC 7636 §4.3), which QOC does not support. A challenge on a response type
 *   without a code is ignored.
 * - offline_access (OIDC Core §11) is kept only for response_type=code, with openid, when
 *   the application may use refresh_token; otherwise it is dropped from the scope, silently
 *   (§11 "MUST ignore"). prompt=consent is not required: QOC's consent page always lists
 *   offline_access and first-party applications are trusted.
 * - Unknown prompt and display values are invalid_request; select_account is accepted
 *   (QOC has one account per browser session: the handler treats it like login).
 * - The claims parameter must be a JSON object whose userinfo and id_token members, when
 *   present, are objects of null/objects with an optional boolean "essential"; requests for
 *   claims QOC knows are returned as bit sets, others are ignored (OIDC Core §5.5).
 */
#ifndef QOC_OAUTH_AUTHORIZE_H
#define QOC_OAUTH_AUTHORIZE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "oauth/oauth_error.h"
#include "oauth/response.h"
#include "oauth/scope.h"
#include "store/store.h"

struct qoc_form;

/* Longest values accepted, in bytes; longer is invalid_request. */
#define QOC_AUTHZ_STATE_MAX 1024
#define QOC_AUTHZ_NONCE_MAX 1024
#define QOC_AUTHZ_HINT_MAX 1024 /* login_hint, ui_locales, acr_values */
#define QOC_AUTHZ_ID_TOKEN_HINT_MAX 8192
#define QOC_AUTHZ_CLAIMS_MAX 4096
#define QOC_AUTHZ_MAX_AGE_MAX 315360000 /* ten years: larger values are refused */

enum qoc_response_type {
	QOC_RESPONSE_TYPE_CODE = 0,
	QOC_RESPONSE_TYPE_TOKEN,
	QOC_RESPONSE_TYPE_ID_TOKEN,
	QOC_RESPONSE_TYPE_ID_TOKEN_TOKEN,
};

/* prompt (OIDC Core §3.1.2.1), a bit set. */
#define QOC_PROMPT_NONE 1u
#define QOC_PROMPT_LOGIN 2u
#define QOC_PROMPT_CONSENT 4u
#define QOC_PROMPT_SELECT_ACCOUNT 8u

enum qoc_display {
	QOC_DISPLAY_PAGE = 0, /* also when absent */
	QOC_DISPLAY_POPUP,
	QOC_DISPLAY_TOUCH,
	QOC_DISPLAY_WAP,
};

/* Claims QOC can release (OIDC Core §5.1), for the claims parameter's bit sets. */
#define QOC_CLAIM_SUB 1u
#define QOC_CLAIM_NAME 2u
#define QOC_CLAIM_EMAIL 4u
#define QOC_CLAIM_EMAIL_VERIFIED 8u
#define QOC_CLAIM_AUTH_TIME 16u
#define QOC_CLAIM_ACR 32u

/* Issuer-wide switches (discovery advertises the same). */
struct qoc_authz_policy {
	bool implicit;  /* token, id_token, id_token token offered at all (apps opt in too) */
	bool form_post; /* response_mode=form_post offered */
	/* When not NULL, a scope token outside this set is invalid_scope; NULL accepts any
	 * well-formed token (RFC 6749 §3.3 leaves it to the server). */
	const struct qoc_scope *scopes_supported;
};

enum qoc_authz_disposition {
	QOC_AUTHZ_VALID = 0,
	QOC_AUTHZ_SHOW,     /* error page only */
	QOC_AUTHZ_REDIRECT, /* error back to the client */
};

/* A validated request. Strings point into the form (its arena) or the app record and live
 * as long as they do; NULL when absent. */
struct qoc_authz_request {
	const char *client_id;
	/* The exact string the response goes to: the redirect_uri parameter as sent (it may
	 * differ from the registered one by a loopback port or a wildcard label), or the
	 * registered default. The code must remember it for the token request. */
	const char *redirect_uri;
	bool redirect_uri_given; /* the request carried redirect_uri (RFC 6749 §4.1.3) */
	enum qoc_response_type response_type;
	enum qoc_response_mode response_mode;
	struct qoc_scope scope; /* canonical; offline_access already dropped when not honoured */
	bool openid;            /* scope contains openid */
	bool offline_access;    /* scope contains offline_access (kept per the rule above) */
	const char *state;      /* byte-exact */
	const char *nonce;
	const char *code_challenge; /* S256; only for response_type=code */
	unsigned prompt;            /* QOC_PROMPT_* */
	int64_t max_age;            /* seconds, -1 when absent */
	const char *login_hint;
	const char *id_token_hint; /* not verified here: the handler checks the signature */
	const char *ui_locales;
	const char *acr_values;
	enum qoc_display display;
	const char *claims;                 /* JSON object text */
	unsigned claims_id_token;           /* QOC_CLAIM_* named in claims.id_token */
	unsigned claims_id_token_essential; /* ... with "essential": true */
	unsigned claims_userinfo;
	unsigned claims_userinfo_essential;
};

/* The client_id to fetch the application by: the parameter when it appears exactly once,
 * non-empty; NULL otherwise (then pass app NULL: the request is shown as an error). */
const char *qoc_authz_client_id(const struct qoc_form *form);

/* Validates the request. app: the application fetched by qoc_authz_client_id(form), NULL
 * when there is none; policy: the issuer's switches. Returns QOC_AUTHZ_VALID with *out
 * filled, or the disposition of the error in *err (code and static description; status is
 * 400 for a shown page). For QOC_AUTHZ_REDIRECT, out->redirect_uri, out->response_mode and
 * out->state are set for the error response; the other fields of *out are unspecified
 * after an error. QOC_ENOMEM inside (parsing the claims JSON) is reported as
 * temporarily_unavailable, redirected. */
enum qoc_authz_disposition qoc_authz_validate(const struct qoc_form *form,
                                              const struct qoc_app *app,
                                              const struct qoc_authz_policy *policy,
                                              struct qoc_authz_request *out,
                                              struct qoc_oauth_error *err);

/* "code", "token", "id_token", "id_token token". */
const char *qoc_response_type_name(enum qoc_response_type rt);

/* Does rt return an access token or ID token from the authorization endpoint (implicit)? */
bool qoc_response_type_is_implicit(enum qoc_response_type rt);

#endif
