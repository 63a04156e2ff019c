/* Unit tests for src/oidc/discovery.c: every member with its exact value (OpenID Connect
 * Discovery 1.0 §3, RFC 8414 §2), for an issuer with and without a path. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "oidc/discovery.h"

static json_t *parse(const char *text, size_t len)
{
	json_error_t e;
	json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
	assert_non_null(j);
	assert_true(json_is_object(j));
	return j;
}

static void assert_str(const json_t *doc, const char *member, const char *want)
{
	const json_t *v = json_object_get(doc, member);
	if (!json_is_string(v))
		fail_msg("%s is not a string", member);
	assert_string_equal(json_string_value(v), want);
}

static void assert_list(const json_t *doc, const char *member, const char *const *want)
{
	const json_t *v = json_object_get(doc, member);
	if (!json_is_array(v))
		fail_msg("%s is not an array", member);
	size_t n = 0;
	while (want[n])
		n++;
	assert_int_equal(json_array_size(v), n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(json_string_value(json_array_get(v, i)), want[i]);
}

static void assert_bool(const json_t *doc, const char *member, bool want)
{
	const json_t *v = json_object_get(doc, member);
	if (!json_is_boolean(v))
		fail_msg("%s is not a boolean", member);
	assert_int_equal(json_is_true(v), want);
}

#define L(...) ((const char *const[]){__VA_ARGS__, NULL})

static void check_document(const json_t *d, const char *iss)
{
	char url[256];
	/* Discovery §3 REQUIRED: issuer, authorization_endpoint, token_endpoint (not implicit
	 * only), jwks_uri, response_types_supported, subject_types_supported,
	 * id_token_signing_alg_values_supported. */
	assert_str(d, "issuer", iss);
	static const char *const ep[][2] = {
	    {"authorization_endpoint", "/oauth2/authorize"},
	    {"token_endpoint", "/oauth2/token"},
	    {"userinfo_endpoint", "/oauth2/userinfo"},
	    {"jwks_uri", "/.well-known/jwks.json"},
	    {"introspection_endpoint", "/oauth2/introspect"},
	    {"revocation_endpoint", "/oauth2/revoke"},
	    {"end_session_endpoint", "/oauth2/logout"},
	};
	for (size_t i = 0; i < sizeof(ep) / sizeof(ep[0]); i++) {
		snprintf(url, sizeof(url), "%s%s", iss, ep[i][1]);
		assert_str(d, ep[i][0], url);
	}
	assert_null(json_object_get(d, "registration_endpoint"));
	assert_list(d, "scopes_supported", L("openid", "profile", "email", "offline_access"));
	assert_list(d, "response_types_supported",
	            L("code", "token", "id_token", "id_token token"));
	assert_list(d, "response_modes_supported", L("query", "fragment", "form_post"));
	assert_list(d, "grant_types_supported",
	            L("authorization_code", "refresh_token", "client_credentials", "implicit"));
	assert_list(d, "subject_types_supported", L("public"));
	assert_list(d, "id_token_signing_alg_values_supported",
	            L("RS256", "PS256", "ES256", "EdDSA"));
	assert_list(d, "token_endpoint_auth_methods_supported",
	            L("client_secret_basic", "client_secret_post", "none"));
	assert_list(d, "introspection_endpoint_auth_methods_supported",
	            L("client_secret_basic", "client_secret_post"));
	assert_list(d, "revocation_endpoint_auth_methods_supported",
	            L("client_secret_basic", "client_secret_post"));
	assert_list(d, "code_challenge_methods_supported", L("S256")); /* RFC 7636, SECURITY.md */
	assert_list(d, "claims_supported",
	            L("sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "azp", "at_hash",
	              "sid", "name", "email", "email_verified"));
	assert_list(d, "prompt_values_supported", L("none", "login", "consent"));
	assert_list(d, "ui_locales_supported", L("en"));
	assert_bool(d, "authorization_response_iss_parameter_supported", true); /* RFC 9207 §3 */
	assert_bool(d, "request_parameter_supported", false);
	assert_bool(d, "request_uri_parameter_supported", false);
	assert_bool(d, "claims_parameter_supported", true);
	assert_bool(d, "frontchannel_logout_supported", false);
	assert_bool(d, "backchannel_logout_supported", false);
	/* Nothing else: issuer + 7 endpoints + 13 lists + 6 booleans. */
	assert_int_equal(json_object_size(d), 27);
}

static void documents_for(const char *iss, const char *openid_path, const char *oauth_path)
{
	struct qoc_discovery d;
	assert_int_equal(qoc_discovery_init(&d, iss), QOC_OK);
	json_t *o = parse(d.openid, d.openid_len), *a = parse(d.oauth, d.oauth_len);
	check_document(o, iss);
	check_document(a, iss);
	/* RFC 8414 §3: the values in both documents agree. */
	assert_true(json_equal(o, a));
	assert_int_equal(strlen(d.openid), d.openid_len);
	assert_string_equal(d.openid_path, openid_path); /* Discovery §4.1 */
	assert_string_equal(d.oauth_path, oauth_path);   /* RFC 8414 §3.1 */
	json_decref(o);
	json_decref(a);
	qoc_discovery_release(&d);
	assert_null(d.openid);
	qoc_discovery_release(&d); /* twice is harmless */
}

static void issuer_without_a_path(void **state)
{
	(void)state;
	documents_for("https://login.example.com", "/.well-known/openid-configuration",
	              "/.well-known/oauth-authorization-server");
	documents_for("http://localhost:8080", "/.well-known/openid-configuration",
	              "/.well-known/oauth-authorization-server");
}

static void issuer_with_a_path(void **state)
{
	(void)state;
	documents_for("https://example.com/tenant/a", "/tenant/a/.well-known/openid-configuration",
	              "/.well-known/oauth-authorization-server/tenant/a");
}

/* Discovery §3 / RFC 8414 §2: issuer is an https (http on loopback, our config's rule)
 * URL with no query or fragment. */
static void bad_issuers_are_refused(void **state)
{
	(void)state;
	static const char *const bad[] = {
	    "",
	    "example.com",
	    "ftp://example.com",
	    "https://",
	    "https:///path",
	    "https://example.com/",
	    "https://example.com?x=1",
	    "https://example.com#f",
	    "https://exa mple.com",
	    "javascript://x",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct qoc_discovery d;
		assert_int_equal(qoc_discovery_init(&d, bad[i]), QOC_EINVAL);
		assert_null(d.openid);
	}
	struct qoc_discovery d;
	assert_int_equal(qoc_discovery_init(&d, NULL), QOC_EINVAL);
}

/* The JSON is escaped by the encoder, not spliced: an issuer with a quote stays a string. */
static void issuer_text_is_json_escaped(void **state)
{
	(void)state;
	struct qoc_discovery d;
	assert_int_equal(qoc_discovery_init(&d, "https://example.com/a\"b"), QOC_OK);
	json_t *o = parse(d.openid, d.openid_len);
	assert_str(o, "issuer", "https://example.com/a\"b");
	json_decref(o);
	qoc_discovery_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(issuer_without_a_path),
	    cmocka_unit_test(issuer_with_a_path),
	    cmocka_unit_test(bad_issuers_are_refused),
	    cmocka_unit_test(issuer_text_is_json_escaped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
