/* Unit tests for src/oauth/authz_flow: when the SSO session is good enough, when consent
 * covers a request, and what prompt=none turns a missing step into (OIDC Core §3.1.2.1,
 * §3.1.2.6; issue 3 "prompt=login and max_age force re-authentication"). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "oauth/authorize.h"
#include "oauth/authz_flow.h"

#define NOW 1700000000

static struct qoc_authz_session_facts session(int64_t auth_time)
{
	return (struct qoc_authz_session_facts){
	    .has_session = true, .account_id = "acct_a", .auth_time = auth_time};
}

static struct qoc_scope scope(const char *s)
{
	struct qoc_scope out;
	qoc_scope_init(&out);
	if (s[0])
		assert_int_equal(qoc_scope_parse(s, strlen(s), &out), QOC_OK);
	return out;
}

static void no_session_is_not_usable(void **state)
{
	(void)state;
	struct qoc_authz_session_facts none = {0};
	assert_false(qoc_authz_session_usable(&none, 0, -1, NOW));
	struct qoc_authz_session_facts s = session(NOW - 10);
	assert_true(qoc_authz_session_usable(&s, 0, -1, NOW));
}

/* OIDC Core §3.1.2.1 prompt=login, select_account: re-authenticate. */
static void prompt_login_and_select_account_force_signin(void **state)
{
	(void)state;
	struct qoc_authz_session_facts s = session(NOW);
	assert_false(qoc_authz_session_usable(&s, QOC_PROMPT_LOGIN, -1, NOW));
	assert_false(qoc_authz_session_usable(&s, QOC_PROMPT_SELECT_ACCOUNT, -1, NOW));
	assert_true(qoc_authz_session_usable(&s, QOC_PROMPT_CONSENT, -1, NOW));
	assert_true(qoc_authz_session_usable(&s, QOC_PROMPT_NONE, -1, NOW));
}

/* OIDC Core §3.1.2.1 max_age: elapsed > max_age re-authenticates; max_age=0 is
 * prompt=login even within the same second. */
static void max_age_bounds_the_session(void **state)
{
	(void)state;
	struct qoc_authz_session_facts s = session(NOW - 100);
	assert_true(qoc_authz_session_usable(&s, 0, 100, NOW));
	assert_false(qoc_authz_session_usable(&s, 0, 99, NOW));
	struct qoc_authz_session_facts fresh = session(NOW);
	assert_false(qoc_authz_session_usable(&fresh, 0, 0, NOW));
	assert_true(qoc_authz_session_usable(&fresh, 0, 1, NOW));
}

/* OIDC Core §3.1.2.1 id_token_hint: the session must be the hinted subject's. */
static void id_token_hint_must_name_the_session_account(void **state)
{
	(void)state;
	struct qoc_authz_session_facts s = session(NOW);
	s.hint_given = true;
	s.hint_sub = "acct_a";
	assert_true(qoc_authz_session_usable(&s, 0, -1, NOW));
	s.hint_sub = "acct_b";
	assert_false(qoc_authz_session_usable(&s, 0, -1, NOW));
	s.hint_sub = NULL; /* did not verify */
	assert_false(qoc_authz_session_usable(&s, 0, -1, NOW));
}

static void consent_covers_subsets_only(void **state)
{
	(void)state;
	struct qoc_scope req = scope("openid email");
	assert_true(qoc_authz_consent_covers(&req, "email openid profile", 0, false));
	assert_true(qoc_authz_consent_covers(&req, "email openid", 0, false));
	assert_false(qoc_authz_consent_covers(&req, "openid", 0, false));
	assert_false(qoc_authz_consent_covers(&req, NULL, 0, false));
	assert_false(qoc_authz_consent_covers(&req, "bad  scope", 0, false));
	struct qoc_scope empty = scope("");
	assert_true(qoc_authz_consent_covers(&empty, "", 0, false));
	assert_false(qoc_authz_consent_covers(&empty, NULL, 0, false));
	/* OIDC Core §3.1.2.1 prompt=consent: ask again */
	assert_false(qoc_authz_consent_covers(&req, "email openid", QOC_PROMPT_CONSENT, false));
	/* issue 3: first-party applications skip consent */
	assert_true(qoc_authz_consent_covers(&req, NULL, 0, true));
	assert_false(qoc_authz_app_is_first_party(NULL));
}

/* OIDC Core §3.1.2.6: prompt=none answers login_required / consent_required. */
static void next_step_table(void **state)
{
	(void)state;
	assert_int_equal(qoc_authz_next_step(0, false, true), QOC_AUTHZ_NEXT_SIGNIN);
	assert_int_equal(qoc_authz_next_step(0, true, false), QOC_AUTHZ_NEXT_CONSENT);
	assert_int_equal(qoc_authz_next_step(0, true, true), QOC_AUTHZ_NEXT_COMPLETE);
	assert_int_equal(qoc_authz_next_step(QOC_PROMPT_NONE, false, true),
	                 QOC_AUTHZ_NEXT_LOGIN_REQUIRED);
	assert_int_equal(qoc_authz_next_step(QOC_PROMPT_NONE, true, false),
	                 QOC_AUTHZ_NEXT_CONSENT_REQUIRED);
	assert_int_equal(qoc_authz_next_step(QOC_PROMPT_NONE, true, true), QOC_AUTHZ_NEXT_COMPLETE);
	assert_int_equal(qoc_authz_next_after_signin(false), QOC_AUTHZ_NEXT_CONSENT);
	assert_int_equal(qoc_authz_next_after_signin(true), QOC_AUTHZ_NEXT_COMPLETE);
}

static void consent_union_merges(void **state)
{
	(void)state;
	char out[QOC_SCOPE_MAX_BYTES + 1];
	struct qoc_scope req = scope("openid email");
	assert_int_equal(qoc_authz_consent_union("profile openid", &req, out), QOC_OK);
	assert_string_equal(out, "email openid profile");
	assert_int_equal(qoc_authz_consent_union(NULL, &req, out), QOC_OK);
	assert_string_equal(out, "email openid");
	assert_int_equal(qoc_authz_consent_union("", &req, out), QOC_OK);
	assert_string_equal(out, "email openid");
	assert_int_equal(qoc_authz_consent_union("not  parsable", &req, out), QOC_OK);
	assert_string_equal(out, "email openid");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(no_session_is_not_usable),
	    cmocka_unit_test(prompt_login_and_select_account_force_signin),
	    cmocka_unit_test(max_age_bounds_the_session),
	    cmocka_unit_test(id_token_hint_must_name_the_session_account),
	    cmocka_unit_test(consent_covers_subsets_only),
	    cmocka_unit_test(next_step_table),
	    cmocka_unit_test(consent_union_merges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
