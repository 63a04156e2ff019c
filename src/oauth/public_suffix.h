/* public_suffix.h - is a domain a public suffix (co.uk, github.io)? For redirect URI
 * wildcards: a `*` label followed by a suffix must not cover names that other people register.
 *
 * The list is the Public Suffix List (publicsuffix.org) as Debian ships it (package
 * publicsuffix, QOC_PUBLIC_SUFFIX_FILE), ICANN and PRIVATE sections both, read with
 * libpsl's psl_load_file. It is loaded once, at the first question, and never changes
 * afterwards; libpsl's lookups only read it, so any thread may ask.
 *
 * A missing or unreadable file is logged once (warn) and every question answers
 * QOC_PSL_UNAVAILABLE: callers fail closed (redirect_uri.c refuses wildcards).
 * Debian updates the file with the package; a running server keeps the list it loaded.
 */
#ifndef QOC_OAUTH_PUBLIC_SUFFIX_H
#define QOC_OAUTH_PUBLIC_SUFFIX_H

#include <stdbool.h>

#include "core/str.h"

#define QOC_PUBLIC_SUFFIX_FILE "/usr/share/publicsuffix/public_suffix_list.dat"

enum qoc_psl_answer {
	QOC_PSL_NOT_PUBLIC, /* a name one owner controls (example.co.uk, me.github.io) */
	QOC_PSL_PUBLIC,     /* listed, or covered by a list wildcard (*.ck) or exception */
	QOC_PSL_UNAVAILABLE /* the list could not be loaded */
};

/* domain: lower-case ASCII (punycode for IDNs), no trailing dot; longer than 253 bytes
 * answers QOC_PSL_PUBLIC (never a host anyway). Loads the list at the first call. */
enum qoc_psl_answer qoc_public_suffix_check(struct qoc_str domain);

/* Test seam: the file the first question loads instead of QOC_PUBLIC_SUFFIX_FILE.
 * false (and nothing changes) once the list is loaded. path is borrowed for the life of
 * the process. */
bool qoc_public_suffix_use_file(const char *path);

#endif
