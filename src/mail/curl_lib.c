/* curl_lib.c - libcurl through dlopen (see curl_lib.h). */
#include "mail/curl_lib.h"

#include <pthread.h>
#include <stdio.h>

#include "core/dynlib.h"
#include "core/log.h"

static const struct qoc_dynlib_sym curl_syms[] = {
#define QOC_CURL_SYM(f) {"curl_" #f, offsetof(struct qoc_curl_lib, f)},
    QOC_CURL_FUNCS(QOC_CURL_SYM)
#undef QOC_CURL_SYM
};

enum qoc_err qoc_curl_lib_load(const char *soname, struct qoc_curl_lib *out, char *why,
                               size_t why_size)
{
	return qoc_dynlib_load(soname, curl_syms, sizeof(curl_syms) / sizeof(curl_syms[0]), out,
	                       &out->handle, why, why_size);
}

/* Written once under curl_once, read only after it: no lock needed. */
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static struct qoc_curl_lib curl_lib;
static const struct qoc_curl_lib *curl_ok;
static char curl_why[256];

static void curl_load_once(void)
{
	char q[320];
	if (qoc_curl_lib_load(QOC_CURL_SONAME, &curl_lib, curl_why, sizeof(curl_why))) {
		qoc_log_error("mail: libcurl unavailable, SMTP mail stays in the outbox",
		              "error=%s", qoc_log_quote(q, sizeof(q), curl_why));
		return;
	}
	/* Not thread-safe in every libcurl build: pthread_once makes it run once. */
	CURLcode rc = curl_lib.global_init(CURL_GLOBAL_DEFAULT);
	if (rc != CURLE_OK) {
		snprintf(curl_why, sizeof(curl_why), "curl_global_init failed: %s",
		         curl_lib.easy_strerror(rc));
		qoc_log_error("mail: libcurl unavailable, SMTP mail stays in the outbox",
		              "error=%s", qoc_log_quote(q, sizeof(q), curl_why));
		return;
	}
	curl_ok = &curl_lib;
}

const struct qoc_curl_lib *qoc_curl_lib(const char **why)
{
	pthread_once(&curl_once, curl_load_once);
	if (why)
		*why = curl_ok ? NULL : curl_why;
	return curl_ok;
}
