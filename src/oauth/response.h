/* response.h - the authorization response sent back through the browser (RFC 6749 §4.1.2,
 * §4.1.2.1, §4.2.2, §4.2.2.1; OAuth 2.0 Multiple Response Type Encoding Practices §2-§3;
 * OAuth 2.0 Form Post Response Mode; RFC 9207).
 *
 * Pure: no I/O. Every string is borrowed for the call only (qoc_authz_params borrows them
 * for as long as it is used). The caller bounds the Location URL with the maximum of the
 * qoc_buf it passes.
 *
 * Rules:
 * - iss is required in every response, success or error (RFC 9207 §2): QOC_EINVAL without.
 * - A response is either a success (code and/or access_token and/or id_token) or an error
 *   (error, optional error_description): QOC_EINVAL for neither or both.
 * - Values are copied byte for byte (state included: it comes back exactly as it was sent,
 *   never truncated); every byte but the RFC 3986 unreserved characters
 *   (ALPHA DIGIT - . _ ~) is percent-encoded with upper-case hex (a space is %20, which
 *   every application/x-www-form-urlencoded and RFC 3986 decoder reads as a space).
 * - query: the parameters are appended to the redirect URI's query: after '?' when it has
 *   none, after '&' when it has one ("?" or a trailing '&' are not doubled). A redirect URI
 *   with a fragment is refused (QOC_EINVAL; registered URIs never have one).
 * - fragment: '#' and the parameters.
 * - form_post: there is no Location; qoc_authz_response_params gives the fields for the
 *   auto-submitting HTML form, which the page renderer escapes.
 */
#ifndef QOC_OAUTH_RESPONSE_H
#define QOC_OAUTH_RESPONSE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

enum qoc_response_mode {
	QOC_RESPONSE_MODE_QUERY = 0,
	QOC_RESPONSE_MODE_FRAGMENT,
	QOC_RESPONSE_MODE_FORM_POST,
};

/* "query", "fragment", "form_post". */
const char *qoc_response_mode_name(enum qoc_response_mode mode);

/* The parameters of one response; NULL (or expires_in < 0) leaves one out. */
struct qoc_authz_response {
	const char *code;
	const char *state; /* exactly as received; NULL when the request had none */
	const char *iss;   /* required: the issuer identifier */
	const char *id_token;
	const char *access_token;
	const char *token_type; /* "Bearer" with an access_token */
	int64_t expires_in;     /* seconds; < 0: absent */
	const char *scope;      /* canonical; RFC 6749 §4.2.2, when it differs from the request */
	const char *error;
	const char *error_description;
};

#define QOC_AUTHZ_RESPONSE_MAX_PARAMS 10

/* The parameters in the order they are sent: code, state, iss, id_token, access_token,
 * token_type, expires_in, scope, error, error_description (absent ones skipped).
 * value[i] points into the response, except expires_in's, which points into
 * expires_in_text: use the struct where it was filled (do not copy it). */
struct qoc_authz_params {
	size_t count;
	const char *name[QOC_AUTHZ_RESPONSE_MAX_PARAMS];
	const char *value[QOC_AUTHZ_RESPONSE_MAX_PARAMS];
	char expires_in_text[24];
};

/* Fills *out from r. QOC_EINVAL when r breaks the rules above (no iss, neither or both of
 * success and error, an empty string given). */
enum qoc_err qoc_authz_response_params(const struct qoc_authz_response *r,
                                       struct qoc_authz_params *out);

/* Appends the Location URL (redirect_uri plus the encoded parameters) to out for the query
 * or fragment mode. QOC_EINVAL: form_post, a redirect_uri that is empty or has a fragment,
 * or r breaks the rules. QOC_ELIMIT: out's maximum. On error out is as it was. */
enum qoc_err qoc_authz_response_location(const char *redirect_uri, enum qoc_response_mode mode,
                                         const struct qoc_authz_response *r, struct qoc_buf *out);

/* Appends s[0..len) percent-encoded as described above. QOC_ELIMIT: out's maximum (out is
 * then as it was). */
enum qoc_err qoc_oauth_percent_encode(const char *s, size_t len, struct qoc_buf *out);

#endif
