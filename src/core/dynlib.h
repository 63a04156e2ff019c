/* dynlib.h - optional shared libraries, loaded at first use with dlopen.
 *
 * libcurl (SMTP) and cairo (the PDF report) are not linked: a server that never sends
 * SMTP mail or draws a PDF never maps them or their dependencies (docs/decisions/
 * lazy-libraries.md). Each user keeps its own table of typed function pointers (see
 * mail/curl_lib.h) and describes it with an array of qoc_dynlib_sym; this fills it.
 */
#ifndef QOC_CORE_DYNLIB_H
#define QOC_CORE_DYNLIB_H

#include <stddef.h>

#include "core/err.h"

/* One function of a table: its exported name and where its pointer lives in the table
 * (offsetof of a function-pointer field). */
struct qoc_dynlib_sym {
	const char *name;
	size_t offset;
};

/* Opens soname (an exact SONAME such as "libcurl.so.4"; RTLD_NOW | RTLD_LOCAL) and stores
 * the address of every syms[i].name at table + syms[i].offset. On success *handle is the
 * library (never closed: the pointers stay valid for the life of the process). On failure
 * nothing stays open, *handle is NULL, and why says which library or which symbol is
 * missing (dlerror's text): QOC_ENOTFOUND. Thread-safe as dlopen is; callers load once
 * (pthread_once) and log the reason themselves. */
enum qoc_err qoc_dynlib_load(const char *soname, const struct qoc_dynlib_sym *syms, size_t nsyms,
                             void *table, void **handle, char *why, size_t why_size);

#endif
