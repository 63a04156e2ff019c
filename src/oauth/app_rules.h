/* app_rules.h - what a valid application looks like, and the defaults of each type.
 *
 * Pure: no store, no HTTP, no allocation. The API decodes a request into a struct qoc_app,
 * fills what the request left out with qoc_app_defaults(), and calls
 * qoc_app_rules_check() before anything is written; each problem comes back as a field
 * error named by the API's JSON field, ready for an RFC 9457 `errors` list.
 *
 * Decisions (docs/decisions/apps-store-and-rules.md):
 * - Redirect URIs are never required, whatever the type and status: an application with
 *   authorization_code and no redirect URI is valid, it just cannot complete an
 *   authorization request until one is added (the authorization endpoint shows its error
 *   page). Requiring one would make "create, then configure" impossible and tie the check
 *   to status changes.
 * - The same URI rules (qoc_redirect_uri_validate, by application type) apply to
 *   redirect_uris, sso_redirect_uris and logout_uris; allowed_origins use
 *   qoc_origin_validate.
 * - Lengths of name and description count Unicode code points; both must be valid UTF-8
 *   without control characters (description may hold tab and line breaks).
 */
#ifndef QOC_CONSOLE_APP_RULES_H
#define QOC_CONSOLE_APP_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "store/store.h"

/* Bounds, inclusive. Lengths of text in characters (code points), of URIs in bytes. */
#define QOC_APP_NAME_MAX 100
#define QOC_APP_DESCRIPTION_MAX 1000
#define QOC_APP_ACCESS_TOKEN_LIFETIME_MIN 60
#define QOC_APP_ACCESS_TOKEN_LIFETIME_MAX 86400 /* 1 day */
#define QOC_APP_REFRESH_TOKEN_LIFETIME_MIN 300
#define QOC_APP_REFRESH_TOKEN_LIFETIME_MAX 31536000 /* 365 days */
#define QOC_APP_ID_TOKEN_LIFETIME_MIN 60
#define QOC_APP_ID_TOKEN_LIFETIME_MAX 86400
#define QOC_APP_URIS_MAX 50 /* entries in each URI or origin list */
#define QOC_APP_URI_MAX_BYTES 2048

/* The name of the first-party application QOC registers itself (console/client.c). No
 * other application may take it, nor a variant of it in case or spacing (issue 13: a
 * look-alike consent page "QOC Cloud Console wants to access your QOC account"). */
#define QOC_CONSOLE_APP_NAME "QOC Cloud Console"

/* Whether name is a first-party application's name up to case (ASCII, and fullwidth
 * forms folded to ASCII) and whitespace (ASCII and Unicode spaces, zero-width ones
 * included, are ignored wherever they stand). name must be valid UTF-8. */
bool qoc_app_name_reserved(const char *name);

/* Defaults (ARCHITECTURE.md §5). */
#define QOC_APP_DEFAULT_ACCESS_TOKEN_LIFETIME 3600
#define QOC_APP_DEFAULT_REFRESH_TOKEN_LIFETIME 2592000 /* 30 days */
#define QOC_APP_DEFAULT_ID_TOKEN_LIFETIME 3600

struct qoc_field_error {
	const char *field;   /* the API's JSON name, e.g. "redirect_uris" */
	int index;           /* the list entry concerned, or -1 for the field as a whole */
	const char *message; /* static text for the person who typed it; never caller data */
};

/* More problems than this are not listed (truncated says so). */
#define QOC_APP_ERRORS_MAX 32

struct qoc_app_errors {
	struct qoc_field_error items[QOC_APP_ERRORS_MAX];
	size_t count;
	bool truncated;
};

/* Sets the settings of a new application of `type` ("web", "spa", "mobile", "service"):
 * type and status ("active"), the three lifetimes, grant_types (authorization_code +
 * refresh_token; service: client_credentials only), pkce_required (true for spa and
 * mobile, false otherwise), token_format "opaque", id_token_signed_response_alg "RS256",
 * and empty URI lists. Everything else (ids, name, description, secrets, times) is left
 * alone. Strings and arrays set are static. QOC_EINVAL (app untouched) for another type. */
enum qoc_err qoc_app_defaults(const char *type, struct qoc_app *app);

/* Checks every setting of app (the fields listed in the API as writable: name,
 * description, type, status, the four URI lists, the three lifetimes, grant_types,
 * pkce_required, token_format, id_token_signed_response_alg) and lists each problem in
 * *errs (reset first). Returns true when there is none. Ids, secrets and times are not
 * looked at. */
bool qoc_app_rules_check(const struct qoc_app *app, struct qoc_app_errors *errs);

/* spa and mobile: no secret, PKCE always. */
bool qoc_app_type_is_public(const char *type);

/* Is grant (e.g. "client_credentials") in app->grant_types? */
bool qoc_app_allows_grant(const struct qoc_app *app, const char *grant);

/* implicit: allowed for compatibility, to be shown as legacy. */
bool qoc_app_grant_is_legacy(const char *grant);

#endif
