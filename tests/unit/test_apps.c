/* Unit tests for src/console/apps.c (application use cases) on a real SQLite store. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "console/accounts.h"
#include "console/apps.h"
#include "crypto/hash.h"
#include "crypto/seal.h"
#include "support/tmp_store.h"

#define NOW 1795705445

static int64_t fixed_now(void *ctx)
{
	return *(int64_t *)ctx;
}

static const uint8_t master[32] = {
    0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe,
    0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78, 0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0,
};

/* One store, one account (with its personal team) and a context per test. */
struct fx {
	struct tmp_store t;
	int64_t now;
	struct qoc_clock clock;
	struct qoc_apps_ctx ctx;
	char account_id[32];
	char team_id[64];
	struct qoc_apps_actor actor;
	struct qoc_arena a;
};

static int setup(void **state)
{
	static struct fx f;
	memset(&f, 0, sizeof(f));
	tmp_store_open(&f.t);
	f.now = NOW;
	f.clock = (struct qoc_clock){fixed_now, &f.now};
	struct qoc_account_input in = {"ada@example.com", "Ada", NULL, 0, false};
	const char *why = NULL;
	assert_int_equal(
	    qoc_account_create(f.t.st, &f.clock, &in, f.account_id, sizeof(f.account_id), &why),
	    QOC_OK);
	snprintf(f.team_id, sizeof(f.team_id), "team_%s", f.account_id);
	assert_int_equal(qoc_apps_ctx_init(&f.ctx, f.t.st, &f.clock, master), QOC_OK);
	f.actor = (struct qoc_apps_actor){f.account_id, "192.0.2.7"};
	qoc_arena_init(&f.a, 0);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	qoc_arena_release(&f->a);
	qoc_apps_ctx_release(&f->ctx);
	tmp_store_close(&f->t);
	return 0;
}

static struct qoc_app_input input(struct fx *f, const char *type, const char *name)
{
	return (struct qoc_app_input){
	    .team_id = f->team_id, .owner_id = f->account_id, .type = type, .name = name};
}

static void create_ok(struct fx *f, const char *type, struct qoc_apps_created *out)
{
	struct qoc_app_input in = input(f, type, "My app");
	assert_int_equal(qoc_apps_create(&f->ctx, &f->actor, &in, &f->a, out), QOC_OK);
}

static bool contains(const unsigned char *hay, size_t n, const char *needle, size_t m)
{
	for (size_t i = 0; i + m <= n; i++)
		if (!memcmp(hay + i, needle, m))
			return true;
	return false;
}

static bool has_field_error(const struct qoc_app_errors *e, const char *field, int index)
{
	for (size_t i = 0; i < e->count; i++)
		if (!strcmp(e->items[i].field, field) && e->items[i].index == index)
			return true;
	return false;
}

/* The newest audit entries of one application, newest first. */
static struct qoc_audit_page audit_of(struct fx *f, const char *client_id)
{
	struct qoc_audit_query q = {.client_id = client_id, .limit = 50};
	struct qoc_audit_page page;
	assert_int_equal(qoc_store_audit_list(f->t.st, &f->a, &q, &page), QOC_OK);
	return page;
}

static void labels_are_a_fixed_contract(void **state)
{
	(void)state;
	/* Changing any of these makes every stored secret unverifiable or unrevealable. */
	assert_string_equal(QOC_APPS_SECRET_HASH_LABEL, "qoc client-secret v1");
	assert_string_equal(QOC_APPS_SEAL_LABEL, "qoc seal v1");
	assert_string_equal(QOC_APPS_SECRET_AAD_PREFIX, "qoc client-secret:");
}

static void assert_client_id_form(const char *id)
{
	assert_int_equal(strlen(id), QOC_CLIENT_ID_LEN);
	assert_int_equal(strncmp(id, "qoc_client_", 11), 0);
	for (const char *p = id + 11; *p; p++)
		assert_non_null(strchr("abcdefghijklmnopqrstuvwxyz0123456789", *p));
	assert_true(qoc_token_client_id_valid(id, strlen(id)));
}

static void assert_secret_form(const struct qoc_apps_secret *s)
{
	assert_int_equal(s->len, 11 + 43);
	assert_int_equal(strlen(s->value), s->len);
	assert_int_equal(strncmp(s->value, "qoc_secret_", 11), 0);
	for (const char *p = s->value + 11; *p; p++)
		assert_non_null(
		    strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", *p));
	assert_true(qoc_secret_valid(s->value, s->len));
}

static void create_each_type(void **state)
{
	struct fx *f = *state;
	const char *types[] = {"web", "spa", "mobile", "service"};
	const bool confidential[] = {true, false, false, true};
	for (size_t i = 0; i < 4; i++) {
		struct qoc_apps_created c;
		create_ok(f, types[i], &c);
		assert_client_id_form(c.app.client_id);
		assert_string_equal(c.app.type, types[i]);
		assert_string_equal(c.app.status, "active");
		assert_string_equal(c.app.team_id, f->team_id);
		assert_string_equal(c.app.owner_id, f->account_id);
		assert_int_equal(c.app.created_at, NOW);
		assert_int_equal(c.app.access_token_lifetime, 3600);
		assert_int_equal(c.app.refresh_token_lifetime, 2592000);
		assert_int_equal(c.app.id_token_lifetime, 3600);
		assert_int_equal(c.app.pkce_required, !confidential[i]);
		assert_null(c.app.secret_hash);
		struct qoc_app got;
		assert_int_equal(qoc_store_app_get(f->t.st, &f->a, c.app.client_id, &got), QOC_OK);
		if (confidential[i]) {
			assert_secret_form(&c.secret);
			assert_int_equal(got.secret_hash_len, QOC_SECRET_HASH_LEN);
			assert_int_equal(got.secret_sealed_len, c.secret.len + QOC_SEAL_OVERHEAD);
			assert_int_equal(got.secret_created_at, NOW);
			/* The clear secret is nowhere in what the store keeps. */
			assert_false(contains(got.secret_sealed, got.secret_sealed_len,
			                      c.secret.value + 11, 8));
			assert_true(
			    qoc_apps_verify_secret(&f->ctx, &got, c.secret.value, c.secret.len));
		} else {
			assert_int_equal(c.secret.len, 0);
			assert_string_equal(c.secret.value, "");
			assert_null(got.secret_hash);
			assert_null(got.secret_sealed);
			assert_false(qoc_apps_verify_secret(&f->ctx, &got, "", 0));
		}
		if (!strcmp(types[i], "service")) {
			assert_int_equal(c.app.grant_types.count, 1);
			assert_string_equal(c.app.grant_types.items[0], "client_credentials");
		} else {
			assert_int_equal(c.app.grant_types.count, 2);
			assert_string_equal(c.app.grant_types.items[0], "authorization_code");
		}
		qoc_apps_secret_wipe(&c.secret);
	}
}

static void create_takes_the_given_settings(void **state)
{
	struct fx *f = *state;
	const char *uris[] = {"https://app.example.com/cb", "http://127.0.0.1/cb"};
	const char *grants[] = {"authorization_code", "refresh_token", "client_credentials"};
	struct qoc_str_list uri_list = {uris, 2}, grant_list = {grants, 3};
	struct qoc_app_input in = input(f, "web", "Settings");
	in.description = "described";
	in.status = "inactive";
	in.redirect_uris = &uri_list;
	in.grant_types = &grant_list;
	in.token_format = "jwt";
	in.id_token_signed_response_alg = "ES256";
	in.set = QOC_APP_SET_ACCESS_TOKEN_LIFETIME | QOC_APP_SET_PKCE_REQUIRED;
	in.access_token_lifetime = 600;
	in.pkce_required = true;
	struct qoc_apps_created c;
	assert_int_equal(qoc_apps_create(&f->ctx, &f->actor, &in, &f->a, &c), QOC_OK);
	qoc_apps_secret_wipe(&c.secret);
	struct qoc_app got;
	assert_int_equal(qoc_store_app_get(f->t.st, &f->a, c.app.client_id, &got), QOC_OK);
	assert_string_equal(got.description, "described");
	assert_string_equal(got.status, "inactive");
	assert_int_equal(got.redirect_uris.count, 2);
	assert_string_equal(got.redirect_uris.items[1], "http://127.0.0.1/cb");
	assert_int_equal(got.grant_types.count, 3);
	assert_string_equal(got.token_format, "jwt");
	assert_string_equal(got.id_token_signed_response_alg, "ES256");
	assert_int_equal(got.access_token_lifetime, 600);
	assert_int_equal(got.refresh_token_lifetime, 2592000); /* not set: default */
	assert_true(got.pkce_required);
	/* The returned record does not point into the caller's input. */
	assert_ptr_not_equal(c.app.redirect_uris.items, uris);
	assert_ptr_not_equal(c.app.redirect_uris.items[0], uris[0]);
	assert_string_equal(c.app.redirect_uris.items[0], uris[0]);
}

static void validation_errors_per_field(void **state)
{
	struct fx *f = *state;
	const char *uris[] = {"https://ok.example/cb", "http://evil.example/cb"};
	const char *grants[] = {"client_credentials"};
	struct qoc_str_list uri_list = {uris, 2}, grant_list = {grants, 1};
	struct qoc_app_input in = input(f, "spa", "");
	in.redirect_uris = &uri_list;
	in.grant_types = &grant_list;
	in.set = QOC_APP_SET_ACCESS_TOKEN_LIFETIME;
	in.access_token_lifetime = 5;
	struct qoc_apps_created c;
	assert_int_equal(qoc_apps_create(&f->ctx, &f->actor, &in, &f->a, &c), QOC_EINVAL);
	assert_true(has_field_error(&c.errors, "name", -1));
	assert_true(has_field_error(&c.errors, "redirect_uris", 1));
	assert_false(has_field_error(&c.errors, "redirect_uris", 0));
	assert_true(has_field_error(&c.errors, "access_token_lifetime", -1));
	assert_true(
	    has_field_error(&c.errors, "grant_types", 0)); /* no client_credentials for spa */
	assert_int_equal(c.secret.len, 0);

	struct qoc_app_input bad_type = input(f, "desktop", "X");
	assert_int_equal(qoc_apps_create(&f->ctx, &f->actor, &bad_type, &f->a, &c), QOC_EINVAL);
	assert_true(has_field_error(&c.errors, "type", -1));
	assert_int_equal(c.errors.count, 1);
	struct qoc_app_input no_type = input(f, NULL, "X");
	assert_int_equal(qoc_apps_create(&f->ctx, &f->actor, &no_type, &f->a, &c), QOC_EINVAL);
	assert_true(has_field_error(&c.errors, "type", -1));

	/* Nothing was written. */
	const char *teams[] = {f->team_id};
	struct qoc_app_query q = {.team_ids = teams, .team_count = 1};
	struct qoc_app_page page;
	assert_int_equal(qoc_store_app_list(f->t.st, &f->a, &q, &page), QOC_OK);
	assert_int_equal(page.count, 0);
}

static void create_refuses_unknown_team_and_non_member(void **state)
{
	struct fx *f = *state;
	struct qoc_apps_created c;
	struct qoc_app_input in = input(f, "web", "X");
	in.team_id = "team_nosuch";
	assert_int_equal(qoc_apps_create(&f->ctx, &f->actor, &in, &f->a, &c), QOC_ENOTFOUND);
	assert_int_equal(c.secret.len, 0);

	struct qoc_account_input other = {"bob@example.com", "Bob", NULL, 0, false};
	char bob[32];
	const char *why;
	assert_int_equal(qoc_account_create(f->t.st, &f->clock, &other, bob, sizeof(bob), &why),
	                 QOC_OK);
	in = input(f, "web", "X");
	in.owner_id = bob; /* not a member of Ada's personal team */
	assert_int_equal(qoc_apps_create(&f->ctx, &f->actor, &in, &f->a, &c), QOC_EPERM);
	assert_int_equal(c.secret.len, 0);
}

static void regenerate_invalidates_the_old_secret(void **state)
{
	struct fx *f = *state;
	struct qoc_apps_created c;
	create_ok(f, "web", &c);
	struct qoc_apps_secret fresh;
	f->now = NOW + 60;
	assert_int_equal(qoc_apps_regenerate_secret(&f->ctx, &f->actor, c.app.client_id, &fresh),
	                 QOC_OK);
	assert_secret_form(&fresh);
	assert_string_not_equal(fresh.value, c.secret.value);

	struct qoc_app got;
	assert_int_equal(qoc_store_app_get(f->t.st, &f->a, c.app.client_id, &got), QOC_OK);
	assert_false(qoc_apps_verify_secret(&f->ctx, &got, c.secret.value, c.secret.len));
	assert_true(qoc_apps_verify_secret(&f->ctx, &got, fresh.value, fresh.len));
	assert_int_equal(got.secret_created_at, NOW + 60);

	struct qoc_apps_secret revealed;
	assert_int_equal(qoc_apps_reveal_secret(&f->ctx, &f->actor, c.app.client_id, &revealed),
	                 QOC_OK);
	assert_string_equal(revealed.value, fresh.value);

	assert_int_equal(
	    qoc_apps_regenerate_secret(&f->ctx, &f->actor, "qoc_client_nosuch", &fresh),
	    QOC_ENOTFOUND);
	assert_int_equal(fresh.len, 0);
	qoc_apps_secret_wipe(&revealed);
	qoc_apps_secret_wipe(&c.secret);
}

static void reveal_returns_the_created_secret_and_is_audited(void **state)
{
	struct fx *f = *state;
	struct qoc_apps_created c;
	create_ok(f, "service", &c);
	struct qoc_apps_secret s;
	f->now = NOW + 5;
	assert_int_equal(qoc_apps_reveal_secret(&f->ctx, &f->actor, c.app.client_id, &s), QOC_OK);
	assert_int_equal(s.len, c.secret.len);
	assert_string_equal(s.value, c.secret.value);

	struct qoc_audit_page page = audit_of(f, c.app.client_id);
	assert_int_equal(page.count, 2);
	assert_string_equal(page.items[0].action, "app.secret.reveal");
	assert_string_equal(page.items[0].actor_id, f->account_id);
	assert_string_equal(page.items[0].ip, "192.0.2.7");
	assert_string_equal(page.items[0].team_id, f->team_id);
	assert_int_equal(page.items[0].at, NOW + 5);
	assert_null(strstr(page.items[0].detail ? page.items[0].detail : "", "qoc_secret_"));

	assert_int_equal(qoc_apps_reveal_secret(&f->ctx, &f->actor, "qoc_client_nosuch", &s),
	                 QOC_ENOTFOUND);
	assert_int_equal(s.len, 0);
	qoc_apps_secret_wipe(&c.secret);
}

static void public_clients_have_no_secret(void **state)
{
	struct fx *f = *state;
	struct qoc_apps_created c;
	create_ok(f, "mobile", &c);
	struct qoc_apps_secret s;
	assert_int_equal(qoc_apps_regenerate_secret(&f->ctx, &f->actor, c.app.client_id, &s),
	                 QOC_EPERM);
	assert_int_equal(qoc_apps_reveal_secret(&f->ctx, &f->actor, c.app.client_id, &s),
	                 QOC_EPERM);
	assert_int_equal(s.len, 0);
	assert_int_equal(audit_of(f, c.app.client_id).count, 1); /* only the creation */
}

/* The stored forms follow the documented contract, computed here independently. */
static void stored_forms_follow_the_labels(void **state)
{
	struct fx *f = *state;
	struct qoc_apps_created a, b;
	create_ok(f, "web", &a);
	create_ok(f, "web", &b);
	struct qoc_app got_a;
	assert_int_equal(qoc_store_app_get(f->t.st, &f->a, a.app.client_id, &got_a), QOC_OK);

	uint8_t hkey[32], skey[32], h[QOC_SECRET_HASH_LEN];
	assert_int_equal(qoc_kdf(master, "qoc client-secret v1", hkey), QOC_OK);
	assert_int_equal(qoc_kdf(master, "qoc seal v1", skey), QOC_OK);
	assert_int_equal(qoc_secret_hash(hkey, a.secret.value, a.secret.len, h), QOC_OK);
	assert_memory_equal(h, got_a.secret_hash, sizeof(h));

	char aad_a[96], aad_b[96];
	snprintf(aad_a, sizeof(aad_a), "qoc client-secret:%s", a.app.client_id);
	snprintf(aad_b, sizeof(aad_b), "qoc client-secret:%s", b.app.client_id);
	struct qoc_buf out;
	qoc_buf_init(&out, 256);
	/* A's sealed secret does not open as B's (a blob copied into another row). */
	assert_int_equal(qoc_seal_open(skey, aad_b, strlen(aad_b), got_a.secret_sealed,
	                               got_a.secret_sealed_len, &out),
	                 QOC_ECRYPTO);
	assert_int_equal(out.len, 0);
	/* Nor under the master key itself, nor under the hashing key. */
	assert_int_equal(qoc_seal_open(master, aad_a, strlen(aad_a), got_a.secret_sealed,
	                               got_a.secret_sealed_len, &out),
	                 QOC_ECRYPTO);
	assert_int_equal(qoc_seal_open(hkey, aad_a, strlen(aad_a), got_a.secret_sealed,
	                               got_a.secret_sealed_len, &out),
	                 QOC_ECRYPTO);
	assert_int_equal(qoc_seal_open(skey, aad_a, strlen(aad_a), got_a.secret_sealed,
	                               got_a.secret_sealed_len, &out),
	                 QOC_OK);
	assert_string_equal(qoc_buf_cstr(&out), a.secret.value);
	qoc_buf_release_secret(&out);

	/* A blob swapped into B's row: B's reveal fails closed and writes no entry. */
	assert_int_equal(
	    qoc_store_app_secret_replace(
	        f->t.st, b.app.client_id, got_a.secret_hash, got_a.secret_hash_len,
	        got_a.secret_sealed, got_a.secret_sealed_len,
	        &(struct qoc_audit_event){.actor_id = "system", .action = "test.swap", .at = NOW}),
	    QOC_OK);
	struct qoc_apps_secret s;
	assert_int_equal(qoc_apps_reveal_secret(&f->ctx, &f->actor, b.app.client_id, &s),
	                 QOC_ECRYPTO);
	assert_int_equal(s.len, 0);
	assert_string_equal(audit_of(f, b.app.client_id).items[0].action, "test.swap");

	/* Another master key opens nothing. */
	uint8_t other_master[32];
	memcpy(other_master, master, 32);
	other_master[0] ^= 1;
	struct qoc_apps_ctx other;
	assert_int_equal(qoc_apps_ctx_init(&other, f->t.st, &f->clock, other_master), QOC_OK);
	assert_int_equal(qoc_apps_reveal_secret(&other, &f->actor, a.app.client_id, &s),
	                 QOC_ECRYPTO);
	assert_false(qoc_apps_verify_secret(&other, &got_a, a.secret.value, a.secret.len));
	qoc_apps_ctx_release(&other);
	qoc_apps_secret_wipe(&a.secret);
	qoc_apps_secret_wipe(&b.secret);
}

static void verify_refuses_wrong_and_unknown(void **state)
{
	struct fx *f = *state;
	struct qoc_apps_created c;
	create_ok(f, "web", &c);
	struct qoc_app got;
	assert_int_equal(qoc_store_app_get(f->t.st, &f->a, c.app.client_id, &got), QOC_OK);
	char wrong[QOC_SECRET_LEN + 1];
	memcpy(wrong, c.secret.value, sizeof(wrong));
	wrong[QOC_SECRET_LEN - 1] = wrong[QOC_SECRET_LEN - 1] == 'A' ? 'B' : 'A';
	assert_false(qoc_apps_verify_secret(&f->ctx, &got, wrong, QOC_SECRET_LEN));
	assert_false(qoc_apps_verify_secret(&f->ctx, &got, c.secret.value, c.secret.len - 1));
	assert_false(qoc_apps_verify_secret(&f->ctx, &got, "", 0));
	assert_false(qoc_apps_verify_secret(&f->ctx, &got, NULL, 0));
	/* Unknown client: same path, always false. */
	assert_false(qoc_apps_verify_secret(&f->ctx, NULL, c.secret.value, c.secret.len));
	/* A stored hash of the wrong length is never compared as a match. */
	got.secret_hash_len = 16;
	assert_false(qoc_apps_verify_secret(&f->ctx, &got, c.secret.value, c.secret.len));
	qoc_apps_secret_wipe(&c.secret);
}

static void audit_entries_for_create_regenerate_reveal(void **state)
{
	struct fx *f = *state;
	struct qoc_apps_created c;
	create_ok(f, "web", &c);
	struct qoc_apps_secret s;
	f->now = NOW + 1;
	assert_int_equal(qoc_apps_regenerate_secret(&f->ctx, &f->actor, c.app.client_id, &s),
	                 QOC_OK);
	f->now = NOW + 2;
	assert_int_equal(qoc_apps_reveal_secret(&f->ctx, &f->actor, c.app.client_id, &s), QOC_OK);
	struct qoc_audit_page page = audit_of(f, c.app.client_id);
	assert_int_equal(page.count, 3);
	const char *want[] = {"app.secret.reveal", "app.secret.regenerate", "app.create"};
	for (size_t i = 0; i < 3; i++) {
		assert_string_equal(page.items[i].action, want[i]);
		assert_string_equal(page.items[i].client_id, c.app.client_id);
		assert_string_equal(page.items[i].actor_id, f->account_id);
		assert_int_equal(page.items[i].at, NOW + 2 - (int64_t)i);
	}
	assert_non_null(strstr(page.items[2].detail, "\"type\":\"web\""));
	assert_non_null(strstr(page.items[2].detail, "\"name\":\"My app\""));
	/* No secret in any entry. */
	for (size_t i = 0; i < 3; i++)
		assert_null(
		    strstr(page.items[i].detail ? page.items[i].detail : "", "qoc_secret_"));
	qoc_apps_secret_wipe(&s);
	qoc_apps_secret_wipe(&c.secret);
}

static void status_and_delete(void **state)
{
	struct fx *f = *state;
	struct qoc_apps_created c;
	create_ok(f, "spa", &c);
	assert_int_equal(qoc_apps_set_status(&f->ctx, &f->actor, c.app.client_id, "suspended"),
	                 QOC_OK);
	assert_int_equal(qoc_apps_set_status(&f->ctx, &f->actor, c.app.client_id, "paused"),
	                 QOC_EINVAL);
	assert_int_equal(qoc_apps_set_status(&f->ctx, &f->actor, "qoc_client_nosuch", "active"),
	                 QOC_ENOTFOUND);
	struct qoc_app got;
	assert_int_equal(qoc_store_app_get(f->t.st, &f->a, c.app.client_id, &got), QOC_OK);
	assert_string_equal(got.status, "suspended");

	assert_int_equal(qoc_apps_delete(&f->ctx, &f->actor, c.app.client_id), QOC_OK);
	assert_int_equal(qoc_store_app_get(f->t.st, &f->a, c.app.client_id, &got), QOC_ENOTFOUND);
	assert_int_equal(qoc_apps_delete(&f->ctx, &f->actor, c.app.client_id), QOC_ENOTFOUND);
	struct qoc_audit_page page = audit_of(f, c.app.client_id);
	assert_int_equal(page.count, 3);
	assert_string_equal(page.items[0].action, "app.delete");
	assert_string_equal(page.items[1].action, "app.status.change");
	assert_string_equal(page.items[1].detail, "{\"status\":\"suspended\"}");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(labels_are_a_fixed_contract),
	    T(create_each_type),
	    T(create_takes_the_given_settings),
	    T(validation_errors_per_field),
	    T(create_refuses_unknown_team_and_non_member),
	    T(regenerate_invalidates_the_old_secret),
	    T(reveal_returns_the_created_secret_and_is_audited),
	    T(public_clients_have_no_secret),
	    T(stored_forms_follow_the_labels),
	    T(verify_refuses_wrong_and_unknown),
	    T(audit_entries_for_create_regenerate_reveal),
	    T(status_and_delete),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
