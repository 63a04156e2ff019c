/* Unit tests for src/oauth/client_auth: extraction of client credentials (RFC 6749 §2.3.1)
 * and the verdict (SECURITY.md "Token endpoint"). qoc_secret_verify is wrapped at link time
 * (-Wl,--wrap, see CMakeLists.txt) so the tests can count the keyed-hash checks: an unknown
 * client must take the same path as a known one. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "crypto/token.h"
#include "oauth/client_auth.h"
#include "oauth_testutil.h"

#define SECRET "qoc_secret_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
/* base64("qoc_client_web:" SECRET) */
#define BASIC_WEB                                                                                  \
	"Basic "                                                                                   \
	"cW9jX2NsaWVudF93ZWI6cW9jX3NlY3JldF9BQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB"     \
	"QUFBQUFB"

bool __real_qoc_secret_verify(const uint8_t key[32], const char *secret, size_t len,
                              const uint8_t stored[QOC_SECRET_HASH_LEN]);
bool __wrap_qoc_secret_verify(const uint8_t key[32], const char *secret, size_t len,
                              const uint8_t stored[QOC_SECRET_HASH_LEN]);

static int verify_calls;

bool __wrap_qoc_secret_verify(const uint8_t key[32], const char *secret, size_t len,
                              const uint8_t stored[QOC_SECRET_HASH_LEN])
{
	verify_calls++;
	return __real_qoc_secret_verify(key, secret, len, stored);
}

static const uint8_t key[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                                17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
static uint8_t web_hash[QOC_SECRET_HASH_LEN];
static const char *grants[] = {"authorization_code", "refresh_token"};
static struct qoc_app web, spa, inactive, no_hash;

static int setup(void **state)
{
	(void)state;
	assert_int_equal(qoc_secret_hash(key, SECRET, strlen(SECRET), web_hash), QOC_OK);
	web = (struct qoc_app){.client_id = "qoc_client_web",
	                       .type = "web",
	                       .status = "active",
	                       .grant_types = OAUTH_LIST(grants),
	                       .secret_hash = web_hash,
	                       .secret_hash_len = sizeof(web_hash)};
	spa = (struct qoc_app){.client_id = "qoc_client_spa",
	                       .type = "spa",
	                       .status = "active",
	                       .grant_types = OAUTH_LIST(grants),
	                       .pkce_required = true};
	inactive = web;
	inactive.status = "inactive";
	no_hash = web;
	no_hash.secret_hash = NULL;
	no_hash.secret_hash_len = 0;
	return 0;
}

struct xrow {
	const char *clause;
	const char *authorization; /* NULL: none */
	const char *body;
	bool query_creds;
	const char *code; /* NULL: extracted */
	enum qoc_client_auth_method method;
	const char *client_id;
	const char *secret;
};

#define IREQ QOC_OAUTH_INVALID_REQUEST
#define ICLI QOC_OAUTH_INVALID_CLIENT
#define B QOC_CLIENT_AUTH_SECRET_BASIC
#define P QOC_CLIENT_AUTH_SECRET_POST
#define N QOC_CLIENT_AUTH_NONE

/* clang-format off */
static const struct xrow xrows[] = {
	{"RFC 6749 §2.3.1: client_secret_basic", BASIC_WEB, "grant_type=x", false, NULL, B, "qoc_client_web", SECRET},
	{"RFC 7617 §2: the scheme is case-insensitive", "bAsIc  cW9jX2NsaWVudF93ZWI6d3Jvbmc=", "", false, NULL, B, "qoc_client_web", "wrong"},
	{"RFC 6749 §2.3.1: form-url-decoded after base64", "Basic cW9jJTVGY2xpZW50JTVGd2ViOnFvYyU1RnNlY3JldCU1RkFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=", "", false, NULL, B, "qoc_client_web", SECRET},
	{"RFC 6749 §2.3.1: '+' is a space, %3A a colon", "Basic cW9jX2NsaWVudF93ZWI6YSUzQWIrYw==", "", false, NULL, B, "qoc_client_web", "a:b c"},
	{"RFC 6749 §3.2.1: Basic with the same client_id in the body", BASIC_WEB, "client_id=qoc_client_web", false, NULL, B, "qoc_client_web", SECRET},
	{"RFC 6749 §2.3.1: client_secret_post", NULL, "client_id=qoc_client_web&client_secret=" SECRET, false, NULL, P, "qoc_client_web", SECRET},
	{"RFC 6749 §2.1: none (public clients)", NULL, "client_id=qoc_client_spa&grant_type=x", false, NULL, N, "qoc_client_spa", NULL},
	{"SECURITY.md: empty client_secret is absent", NULL, "client_id=qoc_client_spa&client_secret=", false, NULL, N, "qoc_client_spa", NULL},
	{"SECURITY.md: credentials never in the query", NULL, "client_id=qoc_client_web&client_secret=" SECRET, true, IREQ, 0, NULL, NULL},
	{"SECURITY.md: credentials never in the query (with Basic)", BASIC_WEB, "", true, IREQ, 0, NULL, NULL},
	{"SECURITY.md: one auth method per request", BASIC_WEB, "client_id=qoc_client_web&client_secret=" SECRET, false, IREQ, 0, NULL, NULL},
	{"SECURITY.md: one auth method per request (secret only)", BASIC_WEB, "client_secret=" SECRET, false, IREQ, 0, NULL, NULL},
	{"SECURITY.md: Basic and another client_id in the body", BASIC_WEB, "client_id=qoc_client_spa", false, IREQ, 0, NULL, NULL},
	{"SECURITY.md: client_id twice", NULL, "client_id=a&client_id=a", false, IREQ, 0, NULL, NULL},
	{"SECURITY.md: client_secret twice", NULL, "client_id=a&client_secret=x&client_secret=x", false, IREQ, 0, NULL, NULL},
	{"RFC 6749 §5.2: a secret without a client_id", NULL, "client_secret=" SECRET, false, IREQ, 0, NULL, NULL},
	{"RFC 6749 §5.2: no client authentication", NULL, "grant_type=x", false, ICLI, 0, NULL, NULL},
	{"RFC 6749 §5.2: another scheme", "Bearer abc", "", false, ICLI, 0, NULL, NULL},
	{"RFC 7617 §2: scheme without credentials", "Basic ", "", false, ICLI, 0, NULL, NULL},
	{"RFC 7617 §2: scheme only", "Basic", "", false, ICLI, 0, NULL, NULL},
	{"RFC 7617 §2: no space after the scheme", "BasicX cW9j", "", false, ICLI, 0, NULL, NULL},
	{"RFC 4648 §4: malformed base64", "Basic cW9j!!", "", false, ICLI, 0, NULL, NULL},
	{"RFC 4648 §3.2: missing padding", "Basic cW9jX2NsaWVudF93ZWI6d3Jvbmc", "", false, ICLI, 0, NULL, NULL},
	{"RFC 7617 §2: no colon", "Basic cW9jX2NsaWVudF93ZWI=", "", false, ICLI, 0, NULL, NULL},
	{"RFC 7617 §2: empty user-id", "Basic OnFvY19zZWNyZXRfQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQQ==", "", false, ICLI, 0, NULL, NULL},
	{"RFC 6749 §2.3.1: empty password", "Basic cW9jX2NsaWVudF93ZWI6", "", false, ICLI, 0, NULL, NULL},
	{"RFC 6749 §2.3.1: bad escape", "Basic cW9jX2NsaWVudF93ZWI6JVpa", "", false, ICLI, 0, NULL, NULL},
	{"RFC 6749 §2.3.1: NUL byte", "Basic cW9jX2NsaWVudF93ZWI6JTAw", "", false, ICLI, 0, NULL, NULL},
	{"RFC 6749 §2.3.1: invalid UTF-8", "Basic cW9jX2NsaWVudF93ZWI6/w==", "", false, ICLI, 0, NULL, NULL},
};
/* clang-format on */

static void extraction_follows_rfc6749_2_3_1(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(xrows) / sizeof(xrows[0]); i++) {
		const struct xrow *r = &xrows[i];
		struct qoc_arena a;
		struct qoc_form f;
		struct qoc_client_creds c;
		struct qoc_oauth_error e = {0};
		qoc_arena_init(&a, 0);
		assert_true(oauth_form(&a, r->body, &f));
		enum qoc_err got =
		    qoc_client_creds_extract(&a, r->authorization, &f, r->query_creds, &c, &e);
		if (!r->code) {
			if (got != QOC_OK)
				fail_msg("row %zu (%s): %d %s", i, r->clause, got, e.code);
			assert_int_equal(c.method, r->method);
			assert_string_equal(c.client_id, r->client_id);
			if (r->secret) {
				assert_string_equal(c.secret, r->secret);
				assert_int_equal(c.secret_len, strlen(r->secret));
			} else {
				assert_null(c.secret);
			}
		} else {
			if (got != QOC_EINVAL || !e.code || strcmp(e.code, r->code) != 0)
				fail_msg("row %zu (%s): %d %s, want %s", i, r->clause, got,
				         e.code ? e.code : "-", r->code);
			assert_true(oauth_description_ok(e.description));
			assert_int_equal(e.status, strcmp(r->code, ICLI) == 0 ? 401 : 400);
		}
		assert_int_equal(c.authorization_header, r->authorization != NULL);
		qoc_arena_release(&a);
	}
}

/* RFC 6749 §5.2: 401 with WWW-Authenticate when the Authorization header was used */
static void challenge_only_after_basic(void **state)
{
	(void)state;
	struct qoc_client_creds c = {.authorization_header = true};
	struct qoc_oauth_error e = qoc_oauth_error_make(ICLI, "x");
	assert_string_equal(qoc_client_auth_challenge(&c, &e), "Basic realm=\"qoc\"");
	e = qoc_oauth_error_make(IREQ, "x");
	assert_null(qoc_client_auth_challenge(&c, &e));
	c.authorization_header = false;
	e = qoc_oauth_error_make(ICLI, "x");
	assert_null(qoc_client_auth_challenge(&c, &e));
	assert_string_equal(qoc_client_auth_method_name(B), "client_secret_basic");
	assert_string_equal(qoc_client_auth_method_name(P), "client_secret_post");
	assert_string_equal(qoc_client_auth_method_name(N), "none");
}

struct vrow {
	const char *clause;
	enum qoc_client_auth_method method;
	const char *client_id;
	const char *secret;
	const struct qoc_app *app;
	bool ok;
	const char *description; /* the refusal's */
	int hashes;              /* keyed-hash checks expected */
};

#define FAILED "client authentication failed"

static void verdicts(void **state)
{
	(void)state;
	/* clang-format off */
	const struct vrow rows[] = {
		{"RFC 6749 §2.3.1: right secret (Basic)", B, "qoc_client_web", SECRET, &web, true, NULL, 1},
		{"RFC 6749 §2.3.1: right secret (post)", P, "qoc_client_web", SECRET, &web, true, NULL, 1},
		{"RFC 6749 §5.2: wrong secret", B, "qoc_client_web", "qoc_secret_BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &web, false, FAILED, 1},
		{"RFC 6749 §5.2: a prefix of the secret", P, "qoc_client_web", "qoc_secret_", &web, false, FAILED, 1},
		{"SECURITY.md: unknown client, same path", B, "nobody", SECRET, NULL, false, FAILED, 1},
		{"SECURITY.md: record of another client, same path", B, "nobody", SECRET, &web, false, FAILED, 1},
		{"SECURITY.md: unknown client with none", N, "nobody", NULL, NULL, false, FAILED, 0},
		{"RFC 6749 §2.1: confidential client with none", N, "qoc_client_web", NULL, &web, false, FAILED, 0},
		{"RFC 6749 §2.1: public client with none", N, "qoc_client_spa", NULL, &spa, true, NULL, 0},
		{"decision: public client presenting a secret", P, "qoc_client_spa", SECRET, &spa, false, FAILED, 1},
		{"SECURITY.md: confidential client without a stored hash", B, "qoc_client_web", SECRET, &no_hash, false, FAILED, 1},
		{"SECURITY.md: inactive app, right secret", B, "qoc_client_web", SECRET, &inactive, false, "the application is not active", 1},
		{"SECURITY.md: inactive app, wrong secret", B, "qoc_client_web", "x", &inactive, false, FAILED, 1},
	};
	/* clang-format on */
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct vrow *r = &rows[i];
		struct qoc_client_creds c = {.method = r->method,
		                             .client_id = r->client_id,
		                             .secret = r->secret,
		                             .secret_len = r->secret ? strlen(r->secret) : 0};
		struct qoc_oauth_error e = {0};
		verify_calls = 0;
		enum qoc_err got = qoc_client_authenticate(&c, r->app, key, &e);
		if ((got == QOC_OK) != r->ok)
			fail_msg("row %zu (%s): %d", i, r->clause, got);
		if (!r->ok) {
			assert_int_equal(got, QOC_EPERM);
			assert_string_equal(e.code, ICLI);
			assert_int_equal(e.status, 401);
			assert_string_equal(e.description, r->description);
		}
		if (verify_calls != r->hashes)
			fail_msg("row %zu (%s): %d keyed-hash checks, want %d", i, r->clause,
			         verify_calls, r->hashes);
	}
}

/* SECURITY.md: secrets are wiped; the Basic copy is registered for wiping with the arena */
static void basic_secret_is_wiped_with_the_arena(void **state)
{
	(void)state;
	struct qoc_arena a;
	struct qoc_form f;
	struct qoc_client_creds c;
	struct qoc_oauth_error e;
	qoc_arena_init(&a, 0);
	assert_true(oauth_form(&a, "", &f));
	assert_int_equal(qoc_client_creds_extract(&a, BASIC_WEB, &f, false, &c, &e), QOC_OK);
	assert_non_null(a.cleanups); /* wipe_cstr registered for id and secret */
	qoc_arena_release(&a);

	/* an arena too small: 503, not a crash */
	qoc_arena_init(&a, 64);
	f.count = 0;
	f.fields = NULL;
	assert_int_equal(qoc_client_creds_extract(&a, BASIC_WEB, &f, false, &c, &e), QOC_ENOMEM);
	assert_string_equal(e.code, QOC_OAUTH_TEMPORARILY_UNAVAILABLE);
	qoc_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(extraction_follows_rfc6749_2_3_1),
	    cmocka_unit_test(challenge_only_after_basic),
	    cmocka_unit_test(verdicts),
	    cmocka_unit_test(basic_secret_is_wiped_with_the_arena),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
