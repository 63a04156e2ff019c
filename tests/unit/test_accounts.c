/* Unit tests for src/console/accounts.c on a real SQLite store. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "console/accounts.h"
#include "crypto/password.h"
#include "support/tmp_store.h"

static int64_t fixed_now(void *ctx)
{
	(void)ctx;
	return 1795705445;
}
static const struct qoc_clock fixed_clock = { fixed_now, NULL };

static void email_rules(void **state)
{
	(void)state;
	assert_null(qoc_account_check_email("ada@example.com"));
	assert_non_null(qoc_account_check_email(""));
	assert_non_null(qoc_account_check_email("ada"));
	assert_non_null(qoc_account_check_email("@example.com"));
	assert_non_null(qoc_account_check_email("ada@example"));
	assert_non_null(qoc_account_check_email("ada@@example.com"));
	assert_non_null(qoc_account_check_email("a da@example.com"));
	assert_non_null(qoc_account_check_email("ada@example.com\n"));
	char longmail[300];
	memset(longmail, 'a', sizeof(longmail));
	memcpy(longmail + 280, "@example.com", 13);
	assert_non_null(qoc_account_check_email(longmail));
}

static void name_and_password_rules(void **state)
{
	(void)state;
	assert_null(qoc_account_check_name("Ada Lovelace"));
	assert_non_null(qoc_account_check_name(""));
	assert_non_null(qoc_account_check_name("Ada\x01"));
	assert_null(qoc_account_check_password("12345678", 8));
	assert_non_null(qoc_account_check_password("1234567", 7));
	assert_non_null(qoc_account_check_password("1234\0" "5678", 9));
	static char huge[QOC_PASSWORD_MAX + 1];
	memset(huge, 'x', sizeof(huge));
	assert_non_null(qoc_account_check_password(huge, sizeof(huge)));
}

static void random_ids_have_the_form(void **state)
{
	(void)state;
	char a[32], b[32];
	assert_int_equal(qoc_random_id("acct_", 20, a, sizeof(a)), QOC_OK);
	assert_int_equal(qoc_random_id("acct_", 20, b, sizeof(b)), QOC_OK);
	assert_int_equal(strlen(a), 25);
	assert_int_equal(strncmp(a, "acct_", 5), 0);
	for (size_t i = 5; i < 25; i++)
		assert_non_null(strchr("abcdefghijklmnopqrstuvwxyz0123456789", a[i]));
	assert_string_not_equal(a, b);
	assert_int_equal(qoc_random_id("acct_", 40, a, sizeof(a)), QOC_ELIMIT);
}

static void create_hashes_and_refuses_duplicates(void **state)
{
	(void)state;
	struct tmp_store t;
	tmp_store_open(&t);
	struct qoc_account_input in = { "Ada@Example.com", "Ada", "correct horse", 13, true };
	char id[32];
	const char *why = NULL;
	assert_int_equal(qoc_account_create(t.st, &fixed_clock, &in, id, sizeof(id), &why), QOC_OK);

	struct qoc_arena a;
	qoc_arena_init(&a, 0);
	struct qoc_account got;
	assert_int_equal(qoc_store_account_by_email(t.st, &a, "ada@example.COM", &got), QOC_OK);
	assert_string_equal(got.id, id);
	assert_true(got.is_admin);
	assert_int_equal(got.created_at, 1795705445);
	assert_null(strstr(got.password_hash, "correct horse"));
	assert_true(qoc_password_verify(got.password_hash, "correct horse", 13));
	assert_false(qoc_password_verify(got.password_hash, "correct horsf", 13));
	qoc_arena_release(&a);

	struct qoc_account_input dup = { "ADA@example.com", "Other", "another pass", 12, false };
	assert_int_equal(qoc_account_create(t.st, &fixed_clock, &dup, id, sizeof(id), &why),
			 QOC_ECONFLICT);
	assert_non_null(strstr(why, "already exists"));

	struct qoc_account_input bad = { "nope", "X", "long enough", 11, false };
	assert_int_equal(qoc_account_create(t.st, &fixed_clock, &bad, id, sizeof(id), &why),
			 QOC_EINVAL);
	assert_non_null(strstr(why, "email"));
	tmp_store_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(email_rules),
		cmocka_unit_test(name_and_password_rules),
		cmocka_unit_test(random_ids_have_the_form),
		cmocka_unit_test(create_hashes_and_refuses_duplicates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
