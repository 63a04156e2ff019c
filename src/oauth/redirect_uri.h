/* redirect_uri.h - redirect URI and CORS origin rules (SECURITY.md "Redirect URIs",
 * ARCHITECTURE.md §5, RFC 6749 §3.1.2, RFC 8252 §7, RFC 9700 §4.1).
 *
 * Pure functions: no allocation, nothing retained; the one I/O is the Public Suffix List a
 * wildcard is checked against (public_suffix.h: loaded once, at the first wildcard; without
 * it every wildcard is refused). Every slice is only read during the call. Reasons are static strings, written for the person who typed the URI (the
 * console and the API show them beside the field); they never contain caller data.
 *
 * Matching is an exact byte comparison with two exceptions: an http loopback URI
 * (localhost, 127.0.0.1, [::1]) matches whatever the port (RFC 8252 §7.3), and a registered
 * https URI whose host is `*.rest.of.host` matches exactly one lower-case DNS label in place
 * of the `*`.
 * Both URIs of a comparison are validated first; an invalid one never matches.
 *
 * The token endpoint does not use these matchers: it compares the redirect_uri it is given
 * with qoc_str_eq() against the exact URI the code was issued to.
 */
#ifndef QOC_OAUTH_REDIRECT_URI_H
#define QOC_OAUTH_REDIRECT_URI_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/str.h"

/* Longest redirect URI or origin accepted, in bytes. */
#define QOC_REDIRECT_URI_MAX 2048

/* The application type a URI is registered for. Only mobile apps may use custom
 * (private-use) schemes; every type may use https, http on loopback and wildcards. */
enum qoc_redirect_kind {
	QOC_REDIRECT_WEB,
	QOC_REDIRECT_SPA,
	QOC_REDIRECT_SERVICE,
	QOC_REDIRECT_MOBILE,
};

/* Registration-time check of one redirect URI (also for SSO and post-logout URIs).
 * Returns QOC_OK, or QOC_EINVAL with *reason naming the rule broken. On QOC_OK *reason is
 * set to NULL. reason may be NULL. */
enum qoc_err qoc_redirect_uri_validate(struct qoc_str uri, enum qoc_redirect_kind kind,
                                       const char **reason);

/* Does uri hold a control character (0x00-0x1F, 0x7F), raw or percent-encoded in any hex
 * case (%00-%1F, %7F)? For callers that compare byte-exact without the full rules (the
 * post-logout redirect): such a URI is never followed. */
bool qoc_redirect_uri_has_control(struct qoc_str uri);

/* Request-time: does `requested` (the redirect_uri parameter) match `registered`?
 * True only when both pass validation (registered as a mobile app would, since custom
 * schemes were checked against the app type at registration; requested with no wildcard)
 * and they are byte-equal or differ only as the two exceptions above allow. */
bool qoc_redirect_uri_matches(struct qoc_str registered, struct qoc_str requested);

/* Index of the first of registered[0..n) that `requested` matches, or -1. registered may
 * be NULL when n is 0. */
ptrdiff_t qoc_redirect_uri_find(const struct qoc_str *registered, size_t n,
                                struct qoc_str requested);

/* Registration-time check of an allowed CORS origin: exactly scheme://host[:port], https
 * or http on loopback, no path (not even "/"), query, fragment, userinfo or wildcard, and no
 * default port (browsers never send one in Origin). Same contract as validate above. */
enum qoc_err qoc_origin_validate(struct qoc_str origin, const char **reason);

/* Request-time: is the Origin header `request_origin` the registered origin? Exact byte
 * comparison; false when `registered` is not a valid origin. */
bool qoc_origin_matches(struct qoc_str registered, struct qoc_str request_origin);

#endif
