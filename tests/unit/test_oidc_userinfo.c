/* Unit tests for src/oidc/userinfo.c: claims by scope (OIDC Core §5.3.2, §5.4). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "oidc/userinfo.h"

static const struct qoc_account ada = {.id = "acct_1", .email = "Ada@Example.com", .name = "Ada L"};

static void expect(const char *scope, const struct qoc_account *acct, const char *want)
{
	struct qoc_buf b;
	qoc_buf_init(&b, 4096);
	assert_int_equal(qoc_userinfo_json(scope, acct, &b), QOC_OK);
	assert_string_equal(qoc_buf_cstr(&b), want);
	qoc_buf_release(&b);
}

/* §5.3.2: sub always; §5.4: profile -> name, email -> email + email_verified (false: no
 * verification exists yet, userinfo.h). */
static void claims_follow_the_scope(void **state)
{
	(void)state;
	expect("openid", &ada, "{\"sub\":\"acct_1\"}");
	expect(NULL, &ada, "{\"sub\":\"acct_1\"}");
	expect("openid profile", &ada, "{\"sub\":\"acct_1\",\"name\":\"Ada L\"}");
	expect("openid email", &ada,
	       "{\"sub\":\"acct_1\",\"email\":\"Ada@Example.com\",\"email_verified\":false}");
	expect("email openid profile", &ada,
	       "{\"sub\":\"acct_1\",\"name\":\"Ada L\",\"email\":\"Ada@Example.com\","
	       "\"email_verified\":false}");
	/* Names are exact (RFC 6749 §3.3 scope tokens are case-sensitive), not substrings. */
	expect("openid Profile EMAIL profiles emailx", &ada, "{\"sub\":\"acct_1\"}");
	expect("  openid   profile  ", &ada, "{\"sub\":\"acct_1\",\"name\":\"Ada L\"}");
	/* No name on the account: the claim is left out, not null (§5.3.2). */
	struct qoc_account noname = {.id = "acct_2", .email = "b@example.com"};
	expect("openid profile", &noname, "{\"sub\":\"acct_2\"}");
}

static void scope_has(void **state)
{
	(void)state;
	assert_true(qoc_userinfo_scope_has("openid profile", "profile"));
	assert_true(qoc_userinfo_scope_has("profile", "profile"));
	assert_false(qoc_userinfo_scope_has("openid profil", "profile"));
	assert_false(qoc_userinfo_scope_has("", "openid"));
	assert_false(qoc_userinfo_scope_has(NULL, "openid"));
	assert_false(qoc_userinfo_scope_has("openid", ""));
}

static void account_is_required(void **state)
{
	(void)state;
	struct qoc_buf b;
	qoc_buf_init(&b, 4096);
	assert_int_equal(qoc_userinfo_json("openid", NULL, &b), QOC_EINVAL);
	struct qoc_account noid = {.email = "x@example.com"};
	assert_int_equal(qoc_userinfo_json("openid", &noid, &b), QOC_EINVAL);
	assert_int_equal(b.len, 0);
	qoc_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(claims_follow_the_scope),
	    cmocka_unit_test(scope_has),
	    cmocka_unit_test(account_is_required),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
