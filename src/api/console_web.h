/* console_web.h - the QOC Cloud Console web app (web/, issue 5) as served by qoc serve.
 *
 * The build (cmake/embed_web.cmake) runs `npm ci` and web/build.mjs, then turns every file
 * of the output into a struct qoc_console_asset in a generated C file, so the binary
 * carries the console and `make run` serves it with nothing else installed. Text files
 * come with a gzip copy made at build time (served when the browser accepts gzip).
 *
 * Routes (routes.c): GET /console -> 301 /console/, GET /console/ and /console/<anything>.
 * Literal routes under /console/ (the session routes: /console/login, /console/session,
 * /console/logout) are more specific than the catch-all and win.
 */
#ifndef QOC_API_CONSOLE_WEB_H
#define QOC_API_CONSOLE_WEB_H

#include <stdbool.h>
#include <stddef.h>

#include "http/http.h"

struct qoc_console_asset {
	const char *path;         /* relative to /console/, e.g. "assets/app-X1Y2.js"; NULL ends */
	const char *content_type; /* full header value */
	const unsigned char *data;
	size_t len;
	const unsigned char *gz; /* gzip of data, or NULL */
	size_t gz_len;
};

/* Generated (console_assets.c in the build directory). Ends with a NULL path; the
 * first entry is "index.html" when the console was built in, else the table is empty. */
extern const struct qoc_console_asset qoc_console_assets[];

/* The console's Content-Security-Policy: no inline script or style, same-origin only;
 * blob: images for the icon preview before upload (docs/decisions/console-web.md). */
#define QOC_CONSOLE_CSP                                                                            \
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "          \
	"connect-src 'self'; font-src 'self'; object-src 'none'; frame-ancestors 'none'; "         \
	"base-uri 'none'; form-action 'self'"

/* Whether an Accept-Encoding value (may be NULL) accepts gzip: a "gzip", "x-gzip" or "*"
 * coding whose q is not zero (RFC 9110 §12.5.3). */
bool qoc_console_accepts_gzip(const char *accept_encoding);

/* The asset at rel (the raw rest of the path after /console/), or NULL. Exact names only;
 * nothing is decoded, so "../" cannot name anything outside the table. */
const struct qoc_console_asset *qoc_console_asset_find(const struct qoc_console_asset *table,
                                                       const char *rel);

/* GET /console/ and GET /console/<rest>: the asset, or index.html for any other path outside
 * assets/ (client-side routes); a missing assets/ file is 404. */
qoc_http_handler_fn qoc_api_console_web;
/* GET /console: 301 to /console/. */
qoc_http_handler_fn qoc_api_console_web_root;

#endif
