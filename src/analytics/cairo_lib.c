/* cairo_lib.c - cairo through dlopen (see cairo_lib.h). */
#include "analytics/cairo_lib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>

#include "core/dynlib.h"
#include "core/log.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct qoc_dynlib_sym cairo_syms[] = {
#define QOC_CAIRO_SYM(f) {"cairo_" #f, offsetof(struct qoc_cairo_lib, f)},
    QOC_CAIRO_FUNCS(QOC_CAIRO_SYM)
#undef QOC_CAIRO_SYM
};

static const struct qoc_dynlib_sym fc_syms[] = {
    {"FcFini", offsetof(struct qoc_cairo_lib, fc_fini)},
};

enum qoc_err qoc_cairo_lib_load(const char *soname, struct qoc_cairo_lib *out, char *why,
                                size_t why_size)
{
	enum qoc_err err = qoc_dynlib_load(soname, cairo_syms, COUNT(cairo_syms), out, &out->handle,
	                                   why, why_size);
	if (err)
		return err;
	err = qoc_dynlib_load(QOC_FONTCONFIG_SONAME, fc_syms, COUNT(fc_syms), out, &out->fc_handle,
	                      why, why_size);
	if (err) {
		dlclose(out->handle);
		out->handle = NULL;
	}
	return err;
}

/* Written once under cairo_once; cairo_ok is published last, atomically, for
 * qoc_cairo_lib_if_loaded (which does not go through the once). */
static pthread_once_t cairo_once = PTHREAD_ONCE_INIT;
static struct qoc_cairo_lib cairo_lib;
static _Atomic(const struct qoc_cairo_lib *) cairo_ok;
static char cairo_why[256];

static void cairo_load_once(void)
{
	if (qoc_cairo_lib_load(QOC_CAIRO_SONAME, &cairo_lib, cairo_why, sizeof(cairo_why))) {
		char q[320];
		qoc_log_error("analytics: cairo unavailable, no PDF export", "error=%s",
		              qoc_log_quote(q, sizeof(q), cairo_why));
		return;
	}
	atomic_store(&cairo_ok, &cairo_lib);
}

const struct qoc_cairo_lib *qoc_cairo_lib(const char **why)
{
	pthread_once(&cairo_once, cairo_load_once);
	const struct qoc_cairo_lib *c = atomic_load(&cairo_ok);
	if (why)
		*why = c ? NULL : cairo_why;
	return c;
}

const struct qoc_cairo_lib *qoc_cairo_lib_if_loaded(void)
{
	return atomic_load(&cairo_ok);
}
