/* curl_lib.h - libcurl, loaded at first use (core/dynlib.h; only the SMTP sender needs it).
 *
 * The types and constants still come from <curl/curl.h>; the functions come through the
 * table below, each typed with typeof the real declaration (a mismatch does not compile).
 * Fields drop the curl_ prefix: curl.h makes curl_easy_setopt and curl_easy_getinfo
 * function-like macros, which would swallow `lib->curl_easy_setopt(`.
 */
#ifndef QOC_MAIL_CURL_LIB_H
#define QOC_MAIL_CURL_LIB_H

#include <curl/curl.h>
#include <stddef.h>

#include "core/err.h"

#define QOC_CURL_SONAME "libcurl.so.4" /* Debian 12: libcurl4 */

/* Every libcurl function QOC calls: X(name without the curl_ prefix). */
#define QOC_CURL_FUNCS(X)                                                                          \
	X(global_init)                                                                             \
	X(easy_init)                                                                               \
	X(easy_setopt)                                                                             \
	X(easy_perform)                                                                            \
	X(easy_getinfo)                                                                            \
	X(easy_strerror)                                                                           \
	X(easy_cleanup)                                                                            \
	X(slist_append)                                                                            \
	X(slist_free_all)

struct qoc_curl_lib {
	void *handle;
#define QOC_CURL_FIELD(f) typeof(curl_##f) *f;
	QOC_CURL_FUNCS(QOC_CURL_FIELD)
#undef QOC_CURL_FIELD
};

/* The process's libcurl: loaded and curl_global_init'ed exactly once, on the first call,
 * from any thread. NULL when it cannot be (library or symbol missing, global init failed):
 * the reason is logged once, at that first call, and *why (if not NULL) points to it for
 * the caller's own message. Never unloaded. */
const struct qoc_curl_lib *qoc_curl_lib(const char **why);

/* The loader itself, without global state, logging or curl_global_init: the test seam
 * (a bogus soname proves the missing-library path). See qoc_dynlib_load. */
enum qoc_err qoc_curl_lib_load(const char *soname, struct qoc_curl_lib *out, char *why,
                               size_t why_size);

#endif
