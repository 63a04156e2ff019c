/* cookie.h - Cookie request header parsing and Set-Cookie building.
 *
 * Pure functions. Parsing follows the server side of RFC 6265 (§4.2.1 syntax, §5.4 how user
 * agents serialise it): "a=1; b=2". Parsing is lenient about what it skips and strict
 * about what it returns: a pair without '=', with an empty or non-token name, or with a
 * value outside cookie-octet (§4.1.1) is ignored, never half-returned.
 *
 * Building is strict: we only ever emit names that are RFC 7230 tokens and values from a
 * safe alphabet (ALPHA DIGIT - . _ ~ ! * + / = : @), which covers base64url, base64 and
 * the identifiers QOC issues; anything else is QOC_EINVAL, so a Set-Cookie can never be
 * split or extended by a value.
 */
#ifndef QOC_HTTP_COOKIE_H
#define QOC_HTTP_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

/* Cookies taken from one request; more is QOC_ELIMIT (a cookie-tossing attempt or junk). */
#define QOC_COOKIE_MAX_COUNT 64

struct qoc_cookie {
	const char *name;  /* NUL-terminated, arena memory */
	const char *value; /* NUL-terminated, surrounding DQUOTEs removed, arena memory */
};

/* Zero-initialise, then feed every Cookie header of the request to qoc_cookie_parse. */
struct qoc_cookie_jar {
	struct qoc_cookie *items; /* arena memory */
	size_t count;
	size_t cap;
};

/* Appends the cookies of one Cookie header value (header[0..len)) to *jar, copying them into
 * the arena. QOC_ELIMIT past QOC_COOKIE_MAX_COUNT, QOC_ENOMEM when the arena is exhausted. */
enum qoc_err qoc_cookie_parse(struct qoc_arena *arena, const char *header, size_t len,
                              struct qoc_cookie_jar *jar);

/* The value of the first cookie called `name` (case-sensitive), or NULL. When a browser
 * sends the same name twice (cookies from different paths or a parent domain), RFC 6265
 * §5.4 puts the longer path first; QOC's cookies all use Path=/ and host-only domains. */
const char *qoc_cookie_get(const struct qoc_cookie_jar *jar, const char *name);

/* How many cookies called `name` the jar holds (to refuse ambiguous session cookies). */
size_t qoc_cookie_count(const struct qoc_cookie_jar *jar, const char *name);

enum qoc_cookie_same_site {
	QOC_COOKIE_SAMESITE_LAX = 0, /* the default: a zeroed opts struct gives Lax */
	QOC_COOKIE_SAMESITE_STRICT,
	QOC_COOKIE_SAMESITE_NONE, /* requires secure */
};

/* max_age (as Go's net/http): > 0 seconds; QOC_COOKIE_SESSION (0) omits Max-Age, a session
 * cookie; QOC_COOKIE_DELETE (< 0) sends Max-Age=0, which removes the cookie. */
#define QOC_COOKIE_SESSION ((int64_t)0)
#define QOC_COOKIE_DELETE ((int64_t)-1)

struct qoc_cookie_opts {
	int64_t max_age;
	bool http_only;
	enum qoc_cookie_same_site same_site;
	bool secure;      /* set when the issuer is https (SECURITY.md) */
	const char *path; /* NULL: "/" */
};

/* HttpOnly, SameSite=Lax, Path=/, session, not Secure. */
#define QOC_COOKIE_OPTS_DEFAULT                                                                    \
	((struct qoc_cookie_opts){.max_age = QOC_COOKIE_SESSION,                                   \
	                          .http_only = true,                                               \
	                          .same_site = QOC_COOKIE_SAMESITE_LAX,                            \
	                          .secure = false,                                                 \
	                          .path = "/"})

/* True when every byte of value is in the safe alphabet above (the empty value is). */
bool qoc_cookie_value_safe(const char *value);

/* Appends a Set-Cookie header value ("name=value; Path=/; Max-Age=60; HttpOnly;
 * SameSite=Lax") to out. QOC_EINVAL: name not a token, value outside the safe alphabet,
 * path not starting with '/' or holding ';' or a control byte, SameSite=None without
 * secure, a "__Host-" name without secure and Path=/, a "__Secure-" name without secure.
 * QOC_ELIMIT / QOC_ENOMEM from the buffer (out is then unchanged). */
enum qoc_err qoc_cookie_build(struct qoc_buf *out, const char *name, const char *value,
                              const struct qoc_cookie_opts *opts);

#endif
