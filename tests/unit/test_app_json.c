/* Unit tests for src/api/app_json.c: the JSON form of an application, both ways. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "api/app_json.h"

static void rfc3339_is_utc_seconds(void **state)
{
	(void)state;
	char buf[QOC_RFC3339_SIZE];
	assert_true(qoc_rfc3339(0, buf));
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	assert_true(qoc_rfc3339(1795705445, buf));
	assert_string_equal(buf, "2026-11-26T15:04:05Z");
	assert_false(qoc_rfc3339(-1, buf));
}

static void encode_has_every_field_and_no_secret(void **state)
{
	(void)state;
	const char *grants[] = {"authorization_code", "implicit"};
	struct qoc_app app = {.client_id = "qoc_client_abc",
	                      .team_id = "team_1",
	                      .owner_id = "acct_1",
	                      .name = "Shop",
	                      .type = "web",
	                      .status = "active",
	                      .grant_types = {grants, 2},
	                      .token_format = "opaque",
	                      .id_token_signed_response_alg = "RS256",
	                      .created_at = 1795705445,
	                      .updated_at = 1795705445,
	                      .icon_type = "image/png",
	                      .secret_hash = (const unsigned char *)"x",
	                      .secret_hash_len = 1};
	json_t *j = qoc_app_json_encode(&app);
	assert_non_null(j);
	static const char *const fields[] = {"client_id",
	                                     "name",
	                                     "description",
	                                     "type",
	                                     "status",
	                                     "redirect_uris",
	                                     "allowed_origins",
	                                     "sso_redirect_uris",
	                                     "logout_uris",
	                                     "access_token_lifetime",
	                                     "refresh_token_lifetime",
	                                     "id_token_lifetime",
	                                     "grant_types",
	                                     "pkce_required",
	                                     "token_format",
	                                     "id_token_signed_response_alg",
	                                     "team",
	                                     "owner",
	                                     "icon_url",
	                                     "created_at",
	                                     "updated_at",
	                                     "last_used_at",
	                                     "secret_created_at",
	                                     "warnings"};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		assert_non_null(json_object_get(j, fields[i]));
	assert_int_equal(json_object_size(j), sizeof(fields) / sizeof(fields[0]));
	assert_true(json_is_null(json_object_get(j, "last_used_at")));
	assert_string_equal(json_string_value(json_object_get(j, "icon_url")),
	                    "/api/v1/applications/qoc_client_abc/icon");
	assert_int_equal(json_array_size(json_object_get(j, "warnings")), 1); /* implicit */
	json_decref(j);
}

static void decode_create_and_patch(void **state)
{
	(void)state;
	struct qoc_arena a;
	qoc_arena_init(&a, 0);
	struct qoc_app_input in;
	struct qoc_app_errors errs;
	json_t *ok = json_loads("{\"type\":\"web\",\"name\":\"Shop\",\"team\":\"team_1\","
	                        "\"redirect_uris\":[\"https://a.example/cb\"],"
	                        "\"access_token_lifetime\":600,\"pkce_required\":true}",
	                        0, NULL);
	assert_int_equal(qoc_app_json_decode(ok, QOC_APP_JSON_CREATE, &a, &in, &errs), QOC_OK);
	assert_string_equal(in.type, "web");
	assert_string_equal(in.team_id, "team_1");
	assert_int_equal(in.redirect_uris->count, 1);
	assert_int_equal(in.access_token_lifetime, 600);
	assert_true(in.set & QOC_APP_SET_ACCESS_TOKEN_LIFETIME);
	assert_true(in.set & QOC_APP_SET_PKCE_REQUIRED);
	assert_null(in.grant_types);
	/* PATCH: type and team are read-only. */
	assert_int_equal(qoc_app_json_decode(ok, QOC_APP_JSON_PATCH, &a, &in, &errs), QOC_EINVAL);
	assert_int_equal(errs.count, 2);
	json_decref(ok);

	json_t *bad = json_loads("{\"name\":1,\"redirect_uris\":[1],\"pkce_required\":\"yes\","
	                         "\"id_token_lifetime\":1.5,\"colour\":\"red\"}",
	                         0, NULL);
	assert_int_equal(qoc_app_json_decode(bad, QOC_APP_JSON_CREATE, &a, &in, &errs), QOC_EINVAL);
	assert_int_equal(errs.count, 5);
	bool named = false;
	for (size_t i = 0; i < errs.count; i++)
		named |= !strcmp(errs.items[i].field, "colour");
	assert_true(named);
	json_t *list = qoc_app_errors_json(&errs);
	assert_int_equal(json_array_size(list), 5);
	json_decref(list);
	json_decref(bad);

	struct qoc_app app = {.name = "Old", .access_token_lifetime = 3600};
	json_t *p = json_loads("{\"name\":\"New\"}", 0, NULL);
	assert_int_equal(qoc_app_json_decode(p, QOC_APP_JSON_PATCH, &a, &in, &errs), QOC_OK);
	qoc_app_input_apply(&in, &app);
	assert_string_equal(app.name, "New");
	assert_int_equal(app.access_token_lifetime, 3600);
	json_decref(p);
	qoc_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rfc3339_is_utc_seconds),
	    cmocka_unit_test(encode_has_every_field_and_no_secret),
	    cmocka_unit_test(decode_create_and_patch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
