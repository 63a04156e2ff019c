/* oauth_testutil.h - helpers shared by the tests of src/oauth (header-only: each test is its
 * own executable). */
#ifndef QOC_TESTS_OAUTH_TESTUTIL_H
#define QOC_TESTS_OAUTH_TESTUTIL_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/form.h"
#include "oauth/oauth_error.h"
#include "store/store.h"

/* RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E (no '"', no '\'). */
static inline bool oauth_description_ok(const char *d)
{
	if (!d)
		return true;
	for (const unsigned char *p = (const unsigned char *)d; *p; p++)
		if (!(*p == 0x20 || *p == 0x21 || (*p >= 0x23 && *p <= 0x5B) ||
		      (*p >= 0x5D && *p <= 0x7E)))
			return false;
	return d[0] != '\0';
}

/* RFC 6749 §5.2: error is one of the registered codes' charset (%x20-21 / %x23-5B / %x5D-7E)
 * and one of ours. */
static inline bool oauth_code_known(const char *c)
{
	static const char *const codes[] = {
	    QOC_OAUTH_INVALID_REQUEST,        QOC_OAUTH_INVALID_CLIENT,
	    QOC_OAUTH_INVALID_GRANT,          QOC_OAUTH_UNAUTHORIZED_CLIENT,
	    QOC_OAUTH_UNSUPPORTED_GRANT_TYPE, QOC_OAUTH_INVALID_SCOPE,
	    QOC_OAUTH_ACCESS_DENIED,          QOC_OAUTH_UNSUPPORTED_RESPONSE_TYPE,
	    QOC_OAUTH_SERVER_ERROR,           QOC_OAUTH_TEMPORARILY_UNAVAILABLE,
	    QOC_OAUTH_LOGIN_REQUIRED,         QOC_OAUTH_CONSENT_REQUIRED,
	    QOC_OAUTH_INTERACTION_REQUIRED,   QOC_OAUTH_ACCOUNT_SELECTION_REQUIRED,
	    QOC_OAUTH_REQUEST_NOT_SUPPORTED,  QOC_OAUTH_REQUEST_URI_NOT_SUPPORTED,
	    QOC_OAUTH_INVALID_TOKEN,          QOC_OAUTH_INSUFFICIENT_SCOPE};
	for (size_t i = 0; c && i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(c, codes[i]) == 0)
			return true;
	return false;
}

/* Decodes a query string into *f (fields in a); fails the test on a decoding error. */
static inline bool oauth_form(struct qoc_arena *a, const char *query, struct qoc_form *f)
{
	return qoc_form_parse(a, query, strlen(query), 64, f) == QOC_OK;
}

/* A struct qoc_str_list over a static array (compound literals in a function would die with
 * it). */
#define OAUTH_LIST(arr) ((struct qoc_str_list){(arr), sizeof(arr) / sizeof((arr)[0])})
#define OAUTH_EMPTY_LIST ((struct qoc_str_list){NULL, 0})

#endif
