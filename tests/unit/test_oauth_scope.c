/* Unit tests for src/oauth/scope: RFC 6749 §3.3 syntax, set operations, bounds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "oauth/scope.h"

struct row {
	const char *in;
	size_t len; /* 0: strlen(in) */
	enum qoc_err want;
	const char *canonical; /* when QOC_OK */
};

/* clang-format off */
static const struct row rows[] = {
	/* RFC 6749 §3.3: scope-token *( SP scope-token ) */
	{"openid", 0, QOC_OK, "openid"},
	{"openid profile email", 0, QOC_OK, "email openid profile"},
	{"email openid", 0, QOC_OK, "email openid"},
	/* RFC 6749 §3.3: order does not matter, so the canonical form is sorted */
	{"profile openid", 0, QOC_OK, "openid profile"},
	/* brief: duplicates are merged (a scope is a set) */
	{"openid openid email", 0, QOC_OK, "email openid"},
	/* RFC 6749 §3.3: NQCHAR = %x21 / %x23-5B / %x5D-7E */
	{"api:read https://api.example.com/x !#[]", 0, QOC_OK,
	 "!#[] api:read https://api.example.com/x"},
	{"a~}", 0, QOC_OK, "a~}"},
	/* RFC 6749 §3.3: empty tokens are not scope-tokens */
	{"", 0, QOC_EINVAL, NULL},
	{" openid", 0, QOC_EINVAL, NULL},
	{"openid ", 0, QOC_EINVAL, NULL},
	{"openid  email", 0, QOC_EINVAL, NULL},
	{" ", 0, QOC_EINVAL, NULL},
	/* RFC 6749 §3.3: only SP separates; '"' and '\' are not NQCHAR */
	{"openid\temail", 0, QOC_EINVAL, NULL},
	{"openid\nemail", 0, QOC_EINVAL, NULL},
	{"a\"b", 0, QOC_EINVAL, NULL},
	{"a\\b", 0, QOC_EINVAL, NULL},
	{"caf\xc3\xa9", 0, QOC_EINVAL, NULL},
	{"a\x7f", 0, QOC_EINVAL, NULL},
	{"open\0id", 7, QOC_EINVAL, NULL},
};
/* clang-format on */

static void parse_follows_rfc6749_3_3(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct qoc_scope s;
		char out[QOC_SCOPE_MAX_BYTES + 1];
		size_t len = rows[i].len ? rows[i].len : strlen(rows[i].in);
		enum qoc_err got = qoc_scope_parse(rows[i].in, len, &s);
		if (got != rows[i].want)
			fail_msg("row %zu (%s): got %d, want %d", i, rows[i].in, got, rows[i].want);
		qoc_scope_format(&s, out);
		assert_string_equal(out, rows[i].canonical ? rows[i].canonical : "");
	}
}

/* brief: at most 32 scopes and 1024 bytes */
static void parse_enforces_bounds(void **state)
{
	(void)state;
	char buf[2048];
	struct qoc_scope s;
	size_t n = 0;
	for (int i = 0; i < 32; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%ss%02d", i ? " " : "", i);
	assert_int_equal(qoc_scope_parse(buf, n, &s), QOC_OK);
	assert_int_equal(s.count, 32);
	/* 33 distinct tokens */
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, " s32");
	assert_int_equal(qoc_scope_parse(buf, n, &s), QOC_ELIMIT);
	assert_int_equal(s.count, 0);
	/* 33 tokens of which two are equal: 32 distinct, accepted */
	n = 0;
	for (int i = 0; i < 33; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%ss%02d", i ? " " : "", i % 32);
	assert_int_equal(qoc_scope_parse(buf, n, &s), QOC_OK);
	assert_int_equal(s.count, 32);
	/* 1024 bytes exactly, then 1025 */
	memset(buf, 'a', 1025);
	assert_int_equal(qoc_scope_parse(buf, 1024, &s), QOC_OK);
	char out[QOC_SCOPE_MAX_BYTES + 1];
	assert_int_equal(qoc_scope_format(&s, out), 1024);
	assert_int_equal(qoc_scope_parse(buf, 1025, &s), QOC_ELIMIT);
}

static struct qoc_scope parsed(const char *s)
{
	struct qoc_scope sc;
	assert_int_equal(qoc_scope_parse(s, strlen(s), &sc), QOC_OK);
	return sc;
}

static void contains_and_subset(void **state)
{
	(void)state;
	struct qoc_scope a = parsed("openid email");
	struct qoc_scope b = parsed("email");
	struct qoc_scope empty;
	qoc_scope_init(&empty);
	assert_true(qoc_scope_contains(&a, "openid"));
	assert_false(qoc_scope_contains(&a, "open"));
	assert_false(qoc_scope_contains(&a, "openidx"));
	assert_false(qoc_scope_contains(&b, "openid"));
	/* RFC 6749 §6: a narrower scope is a subset */
	assert_true(qoc_scope_is_subset(&b, &a));
	assert_false(qoc_scope_is_subset(&a, &b));
	assert_true(qoc_scope_is_subset(&a, &a));
	assert_true(qoc_scope_is_subset(&empty, &b));
	assert_false(qoc_scope_is_subset(&b, &empty));
}

static void union_add_remove(void **state)
{
	(void)state;
	char out[QOC_SCOPE_MAX_BYTES + 1];
	struct qoc_scope a = parsed("openid email");
	struct qoc_scope b = parsed("profile email");
	assert_int_equal(qoc_scope_union(&a, &b), QOC_OK);
	qoc_scope_format(&a, out);
	assert_string_equal(out, "email openid profile");
	assert_int_equal(qoc_scope_add(&a, "api"), QOC_OK);
	assert_int_equal(qoc_scope_add(&a, "api"), QOC_OK);
	assert_int_equal(qoc_scope_add(&a, "a b"), QOC_EINVAL);
	assert_int_equal(qoc_scope_add(&a, ""), QOC_EINVAL);
	qoc_scope_format(&a, out);
	assert_string_equal(out, "api email openid profile");
	qoc_scope_remove(&a, "openid");
	qoc_scope_remove(&a, "absent");
	qoc_scope_format(&a, out);
	assert_string_equal(out, "api email profile");
	assert_string_equal(qoc_scope_item(&a, 0), "api");
	assert_null(qoc_scope_item(&a, 3));

	/* A union past 32 tokens fails and leaves dst alone. */
	char buf[512];
	size_t n = 0;
	for (int i = 0; i < 30; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%sx%02d", i ? " " : "", i);
	struct qoc_scope big;
	assert_int_equal(qoc_scope_parse(buf, n, &big), QOC_OK);
	struct qoc_scope three = parsed("p q r");
	assert_int_equal(qoc_scope_union(&big, &three), QOC_ELIMIT);
	assert_int_equal(big.count, 30);
	assert_false(qoc_scope_contains(&big, "p"));

	/* A union past 1024 bytes fails too. */
	char long_tok[700];
	memset(long_tok, 'a', sizeof(long_tok) - 1);
	long_tok[sizeof(long_tok) - 1] = '\0';
	struct qoc_scope l1, l2;
	qoc_scope_init(&l1);
	assert_int_equal(qoc_scope_add(&l1, long_tok), QOC_OK);
	long_tok[0] = 'b';
	qoc_scope_init(&l2);
	assert_int_equal(qoc_scope_add(&l2, long_tok), QOC_OK);
	assert_int_equal(qoc_scope_union(&l1, &l2), QOC_ELIMIT);
	assert_int_equal(l1.count, 1);

	/* Copies are independent (no pointers inside). */
	struct qoc_scope c = parsed("x y");
	struct qoc_scope d = c;
	qoc_scope_remove(&c, "x");
	assert_true(qoc_scope_contains(&d, "x"));
	assert_string_equal(qoc_scope_item(&d, 1), "y");
}

/* OIDC Core §5.4, §11 */
static void oidc_scopes_are_known(void **state)
{
	(void)state;
	assert_true(qoc_scope_is_oidc("openid"));
	assert_true(qoc_scope_is_oidc("profile"));
	assert_true(qoc_scope_is_oidc("email"));
	assert_true(qoc_scope_is_oidc("offline_access"));
	assert_false(qoc_scope_is_oidc("address"));
	assert_false(qoc_scope_is_oidc("OpenID"));
	assert_false(qoc_scope_is_oidc(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parse_follows_rfc6749_3_3), cmocka_unit_test(parse_enforces_bounds),
	    cmocka_unit_test(contains_and_subset),       cmocka_unit_test(union_add_remove),
	    cmocka_unit_test(oidc_scopes_are_known),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
