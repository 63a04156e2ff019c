/* Unit tests for src/core: bounded buffers, arenas, slices, errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/random.h"
#include "core/str.h"

static void buf_respects_its_maximum(void **state)
{
	(void)state;
	struct qoc_buf b;
	qoc_buf_init(&b, 8);
	assert_int_equal(qoc_buf_append_cstr(&b, "12345"), QOC_OK);
	assert_int_equal(qoc_buf_append_cstr(&b, "678"), QOC_OK);
	assert_int_equal(qoc_buf_append_cstr(&b, "9"), QOC_ELIMIT);
	assert_string_equal(qoc_buf_cstr(&b), "12345678");
	assert_int_equal(qoc_buf_printf(&b, "%d", 1), QOC_ELIMIT);
	assert_int_equal(b.len, 8);
	qoc_buf_reset(&b);
	assert_int_equal(qoc_buf_printf(&b, "%s-%d", "ab", 42), QOC_OK);
	assert_string_equal(qoc_buf_cstr(&b), "ab-42");
	qoc_buf_release_secret(&b);
	assert_null(b.data);
	assert_string_equal(qoc_buf_cstr(&b), "");
}

static void buf_empty_is_empty_string(void **state)
{
	(void)state;
	struct qoc_buf b;
	qoc_buf_init(&b, 0);
	assert_string_equal(qoc_buf_cstr(&b), "");
	assert_int_equal(qoc_buf_append(&b, "", 0), QOC_OK);
	assert_int_equal(qoc_buf_append(&b, "x", 1), QOC_ELIMIT);
	qoc_buf_release(&b);
}

static int cleanup_calls;
static void count_cleanup(void *arg)
{
	int *order = arg;
	*order = ++cleanup_calls;
}

static void arena_allocates_aligned_and_runs_cleanups_in_reverse(void **state)
{
	(void)state;
	struct qoc_arena a;
	qoc_arena_init(&a, 0);
	for (int i = 0; i < 1000; i++) {
		void *p = qoc_arena_alloc(&a, (size_t)(i % 50) + 1);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
	}
	char *big = qoc_arena_alloc(&a, 100000);
	assert_non_null(big);
	memset(big, 'x', 100000);
	assert_string_equal(qoc_arena_strndup(&a, "hello world", 5), "hello");
	assert_string_equal(qoc_arena_printf(&a, "%s=%d", "n", 7), "n=7");
	int first = 0, second = 0;
	cleanup_calls = 0;
	assert_int_equal(qoc_arena_on_release(&a, count_cleanup, &first), 0);
	assert_int_equal(qoc_arena_on_release(&a, count_cleanup, &second), 0);
	qoc_arena_release(&a);
	assert_int_equal(second, 1);
	assert_int_equal(first, 2);
}

static void arena_budget_is_a_hard_limit(void **state)
{
	(void)state;
	struct qoc_arena a;
	qoc_arena_init(&a, 64 * 1024);
	assert_null(qoc_arena_alloc(&a, 128 * 1024));
	size_t got = 0;
	while (qoc_arena_alloc(&a, 1000))
		got += 1000;
	assert_true(got < 64 * 1024);
	assert_true(got > 32 * 1024);
	qoc_arena_release(&a);
	assert_null(qoc_arena_calloc(&a, SIZE_MAX / 2, 4));
	qoc_arena_release(&a);
}

static void str_helpers(void **state)
{
	(void)state;
	assert_true(qoc_str_eq(QOC_STR_LIT("abc"), qoc_str_from("abc")));
	assert_false(qoc_str_eq(QOC_STR_LIT("abc"), QOC_STR_LIT("abd")));
	assert_true(qoc_str_eq_nocase(QOC_STR_LIT("Content-Type"), QOC_STR_LIT("content-type")));
	assert_true(qoc_str_starts_with(QOC_STR_LIT("Bearer x"), QOC_STR_LIT("Bearer ")));
	assert_string_equal(qoc_strerror(QOC_ELIMIT), "limit exceeded");
	assert_string_equal(qoc_strerror((enum qoc_err)999), "unknown error");
}

static void log_quote_escapes_and_drops_control_chars(void **state)
{
	(void)state;
	char out[64];
	assert_string_equal(qoc_log_quote(out, sizeof(out), "plain"), "plain");
	assert_string_equal(qoc_log_quote(out, sizeof(out), "a b"), "\"a b\"");
	assert_string_equal(qoc_log_quote(out, sizeof(out), "x\"y\n"), "\"x\\\"y\"");
	assert_string_equal(qoc_log_quote(out, sizeof(out), ""), "\"\"");
	char tiny[4];
	qoc_log_quote(tiny, sizeof(tiny), "abcdefgh");
	assert_true(strlen(tiny) < sizeof(tiny));
}

static void time_formats_rfc3339(void **state)
{
	(void)state;
	char out[32];
	assert_string_equal(qoc_time_rfc3339(0, out, sizeof(out)), "1970-01-01T00:00:00Z");
	assert_string_equal(qoc_time_rfc3339(1795705445, out, sizeof(out)), "2026-11-26T15:04:05Z");
}

static void random_fills(void **state)
{
	(void)state;
	unsigned char a[32] = { 0 }, b[32] = { 0 };
	assert_int_equal(qoc_random_bytes(a, sizeof(a)), QOC_OK);
	assert_int_equal(qoc_random_fill(&qoc_random_system, b, sizeof(b)), QOC_OK);
	assert_memory_not_equal(a, b, sizeof(a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buf_respects_its_maximum),
		cmocka_unit_test(buf_empty_is_empty_string),
		cmocka_unit_test(arena_allocates_aligned_and_runs_cleanups_in_reverse),
		cmocka_unit_test(arena_budget_is_a_hard_limit),
		cmocka_unit_test(str_helpers),
		cmocka_unit_test(log_quote_escapes_and_drops_control_chars),
		cmocka_unit_test(time_formats_rfc3339),
		cmocka_unit_test(random_fills),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
