/* core/dynlib.c, mail/curl_lib.c, analytics/cairo_lib.c: libcurl and cairo are not linked
 * but loaded at first use (docs/decisions/lazy-libraries.md).
 *   - before first use neither library is mapped (the binary does not link them);
 *   - the real SONAMEs load and every function of each table resolves;
 *   - a missing library or symbol is QOC_ENOTFOUND with a reason naming it, nothing
 *     stays open, nothing crashes;
 *   - the process-wide loaders run once and return the same table every time.
 * Tests run in this order (the first one needs a process that has not loaded them). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "analytics/cairo_lib.h"
#include "analytics/export.h"
#include "core/dynlib.h"
#include "mail/curl_lib.h"

static bool mapped(const char *name)
{
	FILE *f = fopen("/proc/self/maps", "r");
	assert_non_null(f);
	char line[4096];
	bool found = false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, name) != NULL;
	fclose(f);
	return found;
}

static void not_mapped_before_first_use(void **state)
{
	(void)state;
	assert_false(mapped("libcurl.so"));
	assert_false(mapped("libcairo.so"));
	assert_null(qoc_cairo_lib_if_loaded());
	qoc_an_export_shutdown(); /* a no-op, and does not load cairo */
	assert_false(mapped("libcairo.so"));
}

static void curl_resolves_every_function(void **state)
{
	(void)state;
	struct qoc_curl_lib lib;
	memset(&lib, 0, sizeof(lib));
	char why[256] = "";
	assert_int_equal(qoc_curl_lib_load(QOC_CURL_SONAME, &lib, why, sizeof(why)), QOC_OK);
	assert_non_null(lib.handle);
#define CHECK(f) assert_non_null(lib.f);
	QOC_CURL_FUNCS(CHECK)
#undef CHECK
	assert_string_equal(lib.easy_strerror(CURLE_OK), "No error");
	/* Not closed: libcurl's constructor allocates, and unmapping would orphan that (as
	 * the server, the test keeps what it loaded; a second dlopen shares it). */
}

static void cairo_resolves_every_function(void **state)
{
	(void)state;
	struct qoc_cairo_lib lib;
	memset(&lib, 0, sizeof(lib));
	char why[256] = "";
	assert_int_equal(qoc_cairo_lib_load(QOC_CAIRO_SONAME, &lib, why, sizeof(why)), QOC_OK);
	assert_non_null(lib.handle);
	assert_non_null(lib.fc_handle);
#define CHECK(f) assert_non_null(lib.f);
	QOC_CAIRO_FUNCS(CHECK)
#undef CHECK
	assert_non_null(lib.fc_fini);
}

static void missing_library_is_a_clear_error(void **state)
{
	(void)state;
	struct qoc_curl_lib cl;
	struct qoc_cairo_lib ca;
	memset(&cl, 0, sizeof(cl));
	memset(&ca, 0, sizeof(ca));
	char why[256] = "";
	assert_int_equal(qoc_curl_lib_load("libcurl-qoctest-missing.so.4", &cl, why, sizeof(why)),
	                 QOC_ENOTFOUND);
	assert_null(cl.handle);
	assert_non_null(strstr(why, "libcurl-qoctest-missing.so.4 not found"));
	why[0] = '\0';
	assert_int_equal(qoc_cairo_lib_load("libcairo-qoctest-missing.so.2", &ca, why, sizeof(why)),
	                 QOC_ENOTFOUND);
	assert_null(ca.handle);
	assert_non_null(strstr(why, "libcairo-qoctest-missing.so.2 not found"));
}

struct one_fn {
	void *handle;
	void (*fn)(void);
};

static void missing_symbol_is_a_clear_error(void **state)
{
	(void)state;
	static const struct qoc_dynlib_sym syms[] = {
	    {"curl_easy_init", offsetof(struct one_fn, fn)},
	    {"curl_qoctest_no_such_function", offsetof(struct one_fn, fn)},
	};
	struct one_fn t = {(void *)&t, NULL};
	char why[256] = "";
	assert_int_equal(qoc_dynlib_load(QOC_CURL_SONAME, syms, 2, &t, &t.handle, why, sizeof(why)),
	                 QOC_ENOTFOUND);
	assert_null(t.handle);
	assert_string_equal(why, "libcurl.so.4 has no symbol curl_qoctest_no_such_function");
}

static void process_loaders_run_once(void **state)
{
	(void)state;
	const char *why = "unset";
	const struct qoc_curl_lib *c = qoc_curl_lib(&why);
	assert_non_null(c);
	assert_null(why);
	assert_ptr_equal(qoc_curl_lib(NULL), c);
	why = "unset";
	assert_true(qoc_an_export_pdf_available(&why));
	assert_null(why);
	const struct qoc_cairo_lib *k = qoc_cairo_lib(NULL);
	assert_non_null(k);
	assert_ptr_equal(qoc_cairo_lib_if_loaded(), k);
	assert_true(mapped("libcurl.so.4"));
	assert_true(mapped("libcairo.so.2"));
	qoc_an_export_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(not_mapped_before_first_use),
	    cmocka_unit_test(curl_resolves_every_function),
	    cmocka_unit_test(cairo_resolves_every_function),
	    cmocka_unit_test(missing_library_is_a_clear_error),
	    cmocka_unit_test(missing_symbol_is_a_clear_error),
	    cmocka_unit_test(process_loaders_run_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
