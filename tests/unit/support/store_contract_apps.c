/* store_contract_apps.c - the contract for applications and the audit log (see
 * store_contract.h). Only store.h is used. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "support/store_contract_priv.h"

static const struct qoc_audit_event ev = {
    .actor_id = "acct_1", .action = "app.change", .ip = "2001:db8::1", .at = 5000};

static const unsigned char hash1[] = {1, 2, 3, 4}, sealed1[] = {9, 8, 7};
static const unsigned char hash2[] = {5, 6, 7, 8}, sealed2[] = {6, 5};
static const char *redirects[] = {"https://app.example.com/cb", "http://localhost/cb"};
static const char *origins[] = {"https://app.example.com"};
static const char *grants[] = {"authorization_code", "refresh_token"};

/* Two accounts; acct_1 is admin of team_acct_1 (personal) and of team_shared, where
 * acct_2 is a developer; acct_2 also has its own personal team. */
static void make_people(struct qoc_store *st)
{
	struct qoc_account a1 = {.id = "acct_1", .email = "one@example.com", .created_at = 1};
	struct qoc_account a2 = {.id = "acct_2", .email = "two@example.com", .created_at = 1};
	struct qoc_team t = {.id = "team_shared", .name = "Shared", .created_at = 2};
	assert_int_equal(qoc_store_account_create(st, &a1), QOC_OK);
	assert_int_equal(qoc_store_account_create(st, &a2), QOC_OK);
	assert_int_equal(qoc_store_team_create(st, &t, "acct_1", &ev), QOC_OK);
	assert_int_equal(qoc_store_member_add(st, "team_shared", "acct_2", QOC_ROLE_DEVELOPER, &ev),
	                 QOC_OK);
}

static struct qoc_app app_of(const char *client_id, const char *team, const char *name,
                             const char *type, int64_t created_at)
{
	bool pub = strcmp(type, "spa") == 0 || strcmp(type, "mobile") == 0;
	return (struct qoc_app){
	    .client_id = client_id,
	    .team_id = team,
	    .owner_id = "acct_1",
	    .name = name,
	    .description = "about it",
	    .type = type,
	    .status = "active",
	    .redirect_uris = {redirects, 2},
	    .allowed_origins = {origins, 1},
	    .grant_types = {grants, 2},
	    .access_token_lifetime = 3600,
	    .refresh_token_lifetime = 2592000,
	    .id_token_lifetime = 3600,
	    .pkce_required = pub,
	    .token_format = "opaque",
	    .id_token_signed_response_alg = "RS256",
	    .secret_hash = pub ? NULL : hash1,
	    .secret_hash_len = pub ? 0 : sizeof(hash1),
	    .secret_sealed = pub ? NULL : sealed1,
	    .secret_sealed_len = pub ? 0 : sizeof(sealed1),
	    .secret_created_at = pub ? 0 : (created_at > 0 ? created_at : 1),
	    .created_at = created_at,
	    .updated_at = created_at,
	};
}

static void assert_list(struct qoc_str_list l, const char **want, size_t n)
{
	assert_int_equal(l.count, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(l.items[i], want[i]);
}

static size_t audit_count(struct contract_fixture *f, const char *team, const char *client)
{
	struct qoc_audit_query q = {
	    .team_id = team, .client_id = client, .limit = QOC_AUDIT_LIST_MAX_LIMIT};
	struct qoc_audit_page p;
	assert_int_equal(qoc_store_audit_list(f->st, &f->a, &q, &p), QOC_OK);
	return p.count;
}

static void app_create_then_get(void **state)
{
	struct contract_fixture *f = *state;
	make_people(f->st);
	struct qoc_app in = app_of("qoc_client_aaa", "team_shared", "Billing", "web", 100);
	in.logout_uris = (struct qoc_str_list){redirects, 1};
	assert_int_equal(qoc_store_app_create(f->st, &in, &ev), QOC_OK);
	struct qoc_app out;
	assert_int_equal(qoc_store_app_get(f->st, &f->a, "qoc_client_aaa", &out), QOC_OK);
	assert_string_equal(out.client_id, "qoc_client_aaa");
	assert_string_equal(out.team_id, "team_shared");
	assert_string_equal(out.owner_id, "acct_1");
	assert_string_equal(out.name, "Billing");
	assert_string_equal(out.description, "about it");
	assert_string_equal(out.type, "web");
	assert_string_equal(out.status, "active");
	assert_list(out.redirect_uris, redirects, 2);
	assert_list(out.allowed_origins, origins, 1);
	assert_list(out.sso_redirect_uris, NULL, 0);
	assert_list(out.logout_uris, redirects, 1);
	assert_list(out.grant_types, grants, 2);
	assert_int_equal(out.access_token_lifetime, 3600);
	assert_int_equal(out.refresh_token_lifetime, 2592000);
	assert_int_equal(out.id_token_lifetime, 3600);
	assert_false(out.pkce_required);
	assert_string_equal(out.token_format, "opaque");
	assert_string_equal(out.id_token_signed_response_alg, "RS256");
	assert_int_equal(out.secret_hash_len, sizeof(hash1));
	assert_memory_equal(out.secret_hash, hash1, sizeof(hash1));
	assert_int_equal(out.secret_sealed_len, sizeof(sealed1));
	assert_memory_equal(out.secret_sealed, sealed1, sizeof(sealed1));
	assert_int_equal(out.secret_created_at, 100);
	assert_null(out.icon_type);
	assert_int_equal(out.created_at, 100);
	assert_int_equal(out.updated_at, 100);
	assert_int_equal(out.last_used_at, 0);
	assert_int_equal(out.revision, 1);

	/* A public client: no secret; a NULL description reads as "". */
	struct qoc_app spa = app_of("qoc_client_bbb", "team_shared", "Front", "spa", 100);
	spa.description = NULL;
	assert_int_equal(qoc_store_app_create(f->st, &spa, &ev), QOC_OK);
	assert_int_equal(qoc_store_app_get(f->st, &f->a, "qoc_client_bbb", &out), QOC_OK);
	assert_null(out.secret_hash);
	assert_null(out.secret_sealed);
	assert_int_equal(out.secret_created_at, 0);
	assert_true(out.pkce_required);
	assert_string_equal(out.description, "");

	assert_int_equal(audit_count(f, NULL, "qoc_client_aaa"), 1);
	assert_int_equal(qoc_store_app_get(f->st, &f->a, "qoc_client_zzz", &out), QOC_ENOTFOUND);
}

static void app_create_refusals_change_nothing(void **state)
{
	struct contract_fixture *f = *state;
	make_people(f->st);
	struct qoc_app ok = app_of("qoc_client_aaa", "team_shared", "A", "web", 1);
	assert_int_equal(qoc_store_app_create(f->st, &ok, &ev), QOC_OK);
	assert_int_equal(qoc_store_app_create(f->st, &ok, &ev), QOC_ECONFLICT);

	struct qoc_app a = app_of("qoc_client_b", "team_nope", "B", "web", 1);
	assert_int_equal(qoc_store_app_create(f->st, &a, &ev), QOC_ENOTFOUND);
	a = app_of("qoc_client_b", "team_acct_2", "B", "web", 1); /* acct_1 is not in it */
	assert_int_equal(qoc_store_app_create(f->st, &a, &ev), QOC_EPERM);
	a = app_of("qoc_client_b", "team_shared", "B", "spa", 1);
	a.secret_hash = hash1, a.secret_hash_len = sizeof(hash1); /* public client + secret */
	assert_int_equal(qoc_store_app_create(f->st, &a, &ev), QOC_EINVAL);
	a = app_of("qoc_client_b", "team_shared", "B", "mobile", 1);
	a.pkce_required = false;
	assert_int_equal(qoc_store_app_create(f->st, &a, &ev), QOC_EINVAL);
	a = app_of("qoc_client_b", "team_shared", "B", "service", 1);
	a.secret_sealed = NULL, a.secret_sealed_len = 0; /* confidential without its secret */
	assert_int_equal(qoc_store_app_create(f->st, &a, &ev), QOC_EINVAL);
	a = app_of("qoc_client_b", "team_shared", "B", "desktop", 1);
	assert_int_equal(qoc_store_app_create(f->st, &a, &ev), QOC_EINVAL);
	a = app_of("qoc_client_b", "team_shared", "B", "web", 1);
	a.status = "paused";
	assert_int_equal(qoc_store_app_create(f->st, &a, &ev), QOC_EINVAL);
	a = app_of("qoc_client_b", "team_shared", "B", "web", 1);
	const char *bad_utf8[] = {"https://x.example/\xff"};
	a.redirect_uris = (struct qoc_str_list){bad_utf8, 1};
	assert_int_equal(qoc_store_app_create(f->st, &a, &ev), QOC_EINVAL);
	a = app_of("qoc_client_b", "team_shared", "B", "web", 1);
	assert_int_equal(qoc_store_app_create(f->st, &a, NULL), QOC_EINVAL);
	struct qoc_audit_event bad_detail = ev;
	bad_detail.detail = "{not json";
	assert_int_equal(qoc_store_app_create(f->st, &a, &bad_detail), QOC_EINVAL);

	struct qoc_app out;
	assert_int_equal(qoc_store_app_get(f->st, &f->a, "qoc_client_b", &out), QOC_ENOTFOUND);
	assert_int_equal(audit_count(f, NULL, "qoc_client_b"), 0);
}

static void app_update_is_optimistic(void **state)
{
	struct contract_fixture *f = *state;
	make_people(f->st);
	struct qoc_app in = app_of("qoc_client_aaa", "team_shared", "Old", "web", 100);
	assert_int_equal(qoc_store_app_create(f->st, &in, &ev), QOC_OK);
	struct qoc_app app;
	assert_int_equal(qoc_store_app_get(f->st, &f->a, "qoc_client_aaa", &app), QOC_OK);
	app.name = "New name";
	app.description = "changed";
	app.status = "inactive";
	app.redirect_uris = (struct qoc_str_list){NULL, 0};
	app.sso_redirect_uris = (struct qoc_str_list){redirects, 2};
	app.grant_types = (struct qoc_str_list){grants, 1};
	app.access_token_lifetime = 60;
	app.pkce_required = true;
	app.token_format = "jwt";
	app.id_token_signed_response_alg = "ES256";
	app.type = "spa";        /* not a setting: ignored */
	app.owner_id = "acct_2"; /* not a setting: ignored */
	struct qoc_audit_event later = ev;
	later.at = 7000;
	assert_int_equal(qoc_store_app_update(f->st, &app, &later), QOC_OK);

	struct qoc_app out;
	assert_int_equal(qoc_store_app_get(f->st, &f->a, "qoc_client_aaa", &out), QOC_OK);
	assert_string_equal(out.name, "New name");
	assert_string_equal(out.description, "changed");
	assert_string_equal(out.status, "inactive");
	assert_int_equal(out.redirect_uris.count, 0);
	assert_list(out.sso_redirect_uris, redirects, 2);
	assert_list(out.grant_types, grants, 1);
	assert_int_equal(out.access_token_lifetime, 60);
	assert_true(out.pkce_required);
	assert_string_equal(out.token_format, "jwt");
	assert_string_equal(out.id_token_signed_response_alg, "ES256");
	assert_string_equal(out.type, "web");
	assert_string_equal(out.owner_id, "acct_1");
	assert_int_equal(out.updated_at, 7000);
	assert_int_equal(out.created_at, 100);
	assert_int_equal(out.revision, 2);
	assert_memory_equal(out.secret_hash, hash1, sizeof(hash1)); /* secrets untouched */

	/* app still says revision 1: someone changed it since; nothing is written. */
	app.name = "Lost update";
	assert_int_equal(qoc_store_app_update(f->st, &app, &later), QOC_ECONFLICT);
	assert_int_equal(qoc_store_app_get(f->st, &f->a, "qoc_client_aaa", &out), QOC_OK);
	assert_string_equal(out.name, "New name");
	assert_int_equal(audit_count(f, NULL, "qoc_client_aaa"), 2);

	app.client_id = "qoc_client_none";
	assert_int_equal(qoc_store_app_update(f->st, &app, &later), QOC_ENOTFOUND);
	out.token_format = "paseto";
	assert_int_equal(qoc_store_app_update(f->st, &out, &later), QOC_EINVAL);
}

static void app_status_icon_and_last_used(void **state)
{
	struct contract_fixture *f = *state;
	make_people(f->st);
	struct qoc_app in = app_of("qoc_client_aaa", "team_shared", "A", "mobile", 100);
	assert_int_equal(qoc_store_app_create(f->st, &in, &ev), QOC_OK);
	struct qoc_app out;
	assert_int_equal(qoc_store_app_set_status(f->st, "qoc_client_aaa", "suspended", &ev),
	                 QOC_OK);
	assert_int_equal(qoc_store_app_set_status(f->st, "qoc_client_aaa", "gone", &ev),
	                 QOC_EINVAL);
	assert_int_equal(qoc_store_app_set_status(f->st, "qoc_client_x", "active", &ev),
	                 QOC_ENOTFOUND);
	assert_int_equal(qoc_store_app_get(f->st, &f->a, "qoc_client_aaa", &out), QOC_OK);
	assert_string_equal(out.status, "suspended");
	assert_int_equal(out.revision, 2);

	const unsigned char png[] = {0x89, 'P', 'N', 'G', 0, 1, 2};
	const unsigned char *icon;
	size_t len;
	const char *type;
	assert_int_equal(qoc_store_app_get_icon(f->st, &f->a, "qoc_client_aaa", &icon, &len, &type),
	                 QOC_ENOTFOUND);
	assert_int_equal(
	    qoc_store_app_set_icon(f->st, "qoc_client_aaa", png, sizeof(png), "image/png", &ev),
	    QOC_OK);
	assert_int_equal(qoc_store_app_get_icon(f->st, &f->a, "qoc_client_aaa", &icon, &len, &type),
	                 QOC_OK);
	assert_int_equal(len, sizeof(png));
	assert_memory_equal(icon, png, sizeof(png));
	assert_string_equal(type, "image/png");
	assert_int_equal(qoc_store_app_set_icon(f->st, "qoc_client_aaa", png, 3, "image/webp", &ev),
	                 QOC_OK);
	assert_int_equal(qoc_store_app_get(f->st, &f->a, "qoc_client_aaa", &out), QOC_OK);
	assert_string_equal(out.icon_type, "image/webp");
	assert_int_equal(qoc_store_app_clear_icon(f->st, "qoc_client_aaa", &ev), QOC_OK);
	assert_int_equal(qoc_store_app_get_icon(f->st, &f->a, "qoc_client_aaa", &icon, &len, &type),
	                 QOC_ENOTFOUND);
	assert_int_equal(qoc_store_app_set_icon(f->st, "qoc_client_x", png, 3, "image/png", &ev),
	                 QOC_ENOTFOUND);

	/* last_used_at only moves forward, and is not a change (no revision, no audit). */
	size_t audits = audit_count(f, NULL, "qoc_client_aaa");
	assert_int_equal(qoc_store_app_touch_last_used(f->st, "qoc_client_aaa", 9000), QOC_OK);
	assert_int_equal(qoc_store_app_touch_last_used(f->st, "qoc_client_aaa", 8000), QOC_OK);
	assert_int_equal(qoc_store_app_touch_last_used(f->st, "qoc_client_x", 8000), QOC_OK);
	assert_int_equal(qoc_store_app_get(f->st, &f->a, "qoc_client_aaa", &out), QOC_OK);
	assert_int_equal(out.last_used_at, 9000);
	assert_int_equal(out.revision, 5); /* status, icon, icon, clear */
	assert_int_equal(audit_count(f, NULL, "qoc_client_aaa"), audits);
}

static void secret_replace_forgets_the_old_one(void **state)
{
	struct contract_fixture *f = *state;
	make_people(f->st);
	struct qoc_app in = app_of("qoc_client_aaa", "team_shared", "A", "service", 100);
	assert_int_equal(qoc_store_app_create(f->st, &in, &ev), QOC_OK);
	struct qoc_audit_event regen = ev;
	regen.action = "app.secret.regenerate";
	regen.at = 6000;
	assert_int_equal(qoc_store_app_secret_replace(f->st, "qoc_client_aaa", hash2, sizeof(hash2),
	                                              sealed2, sizeof(sealed2), &regen),
	                 QOC_OK);
	struct qoc_app out;
	assert_int_equal(qoc_store_app_get(f->st, &f->a, "qoc_client_aaa", &out), QOC_OK);
	assert_int_equal(out.secret_hash_len, sizeof(hash2));
	assert_memory_equal(out.secret_hash, hash2, sizeof(hash2));
	assert_int_equal(out.secret_sealed_len, sizeof(sealed2));
	assert_memory_equal(out.secret_sealed, sealed2, sizeof(sealed2));
	assert_int_equal(out.secret_created_at, 6000);

	struct qoc_audit_query q = {.client_id = "qoc_client_aaa"};
	struct qoc_audit_page p;
	assert_int_equal(qoc_store_audit_list(f->st, &f->a, &q, &p), QOC_OK);
	assert_int_equal(p.count, 2);
	assert_string_equal(p.items[0].action, "app.secret.regenerate");
	assert_string_equal(p.items[0].team_id, "team_shared");

	struct qoc_app spa = app_of("qoc_client_bbb", "team_shared", "B", "spa", 100);
	assert_int_equal(qoc_store_app_create(f->st, &spa, &ev), QOC_OK);
	assert_int_equal(qoc_store_app_secret_replace(f->st, "qoc_client_bbb", hash2, sizeof(hash2),
	                                              sealed2, sizeof(sealed2), &ev),
	                 QOC_EPERM);
	assert_int_equal(qoc_store_app_secret_replace(f->st, "qoc_client_none", hash2,
	                                              sizeof(hash2), sealed2, sizeof(sealed2), &ev),
	                 QOC_ENOTFOUND);
	assert_int_equal(qoc_store_app_secret_replace(f->st, "qoc_client_aaa", hash2, 0, sealed2,
	                                              sizeof(sealed2), &ev),
	                 QOC_EINVAL);
}

/* client_get (the protocol's read, which a backend may answer from a copy): every change
 * committed before the call is seen, whichever store call made it (issue 3: "takes effect
 * on the next request"). Each step reads twice, so a backend that keeps copies serves the
 * second read from one. */
static void client_get_sees_every_change(void **state)
{
	struct contract_fixture *f = *state;
	make_people(f->st);
	struct qoc_app in = app_of("qoc_client_aaa", "team_shared", "A", "web", 100);
	assert_int_equal(qoc_store_app_create(f->st, &in, &ev), QOC_OK);
	struct qoc_app out;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(qoc_store_client_get(f->st, &f->a, "qoc_client_aaa", &out), QOC_OK);
		assert_string_equal(out.status, "active");
		assert_int_equal(out.secret_hash_len, sizeof(hash1));
		assert_memory_equal(out.secret_hash, hash1, sizeof(hash1));
		assert_list(out.redirect_uris, redirects, 2);
		assert_list(out.grant_types, grants, 2);
		assert_string_equal(out.description, "about it");
		assert_null(out.icon_type);
	}
	assert_int_equal(qoc_store_client_get(f->st, &f->a, "qoc_client_none", &out),
	                 QOC_ENOTFOUND);

	assert_int_equal(qoc_store_app_set_status(f->st, "qoc_client_aaa", "suspended", &ev),
	                 QOC_OK);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(qoc_store_client_get(f->st, &f->a, "qoc_client_aaa", &out), QOC_OK);
		assert_string_equal(out.status, "suspended");
	}
	assert_int_equal(qoc_store_app_secret_replace(f->st, "qoc_client_aaa", hash2, sizeof(hash2),
	                                              sealed2, sizeof(sealed2), &ev),
	                 QOC_OK);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(qoc_store_client_get(f->st, &f->a, "qoc_client_aaa", &out), QOC_OK);
		assert_memory_equal(out.secret_hash, hash2, sizeof(hash2));
		assert_memory_equal(out.secret_sealed, sealed2, sizeof(sealed2));
	}
	const unsigned char png[] = {0x89, 'P', 'N', 'G'};
	assert_int_equal(
	    qoc_store_app_set_icon(f->st, "qoc_client_aaa", png, sizeof(png), "image/png", &ev),
	    QOC_OK);
	assert_int_equal(qoc_store_client_get(f->st, &f->a, "qoc_client_aaa", &out), QOC_OK);
	assert_string_equal(out.icon_type, "image/png");
	struct qoc_app upd = out;
	const char *one[] = {"https://other.example.com/cb"};
	upd.redirect_uris = (struct qoc_str_list){one, 1};
	upd.access_token_lifetime = 60;
	assert_int_equal(qoc_store_app_update(f->st, &upd, &ev), QOC_OK);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(qoc_store_client_get(f->st, &f->a, "qoc_client_aaa", &out), QOC_OK);
		assert_list(out.redirect_uris, one, 1);
		assert_int_equal(out.access_token_lifetime, 60);
	}
	assert_int_equal(qoc_store_app_delete(f->st, "qoc_client_aaa", &ev), QOC_OK);
	assert_int_equal(qoc_store_client_get(f->st, &f->a, "qoc_client_aaa", &out),
	                 QOC_ENOTFOUND);
}

static void transfer_needs_a_team_member(void **state)
{
	struct contract_fixture *f = *state;
	make_people(f->st);
	struct qoc_account a3 = {.id = "acct_3", .email = "three@example.com"};
	assert_int_equal(qoc_store_account_create(f->st, &a3), QOC_OK);
	struct qoc_app in = app_of("qoc_client_aaa", "team_shared", "A", "web", 100);
	assert_int_equal(qoc_store_app_create(f->st, &in, &ev), QOC_OK);
	size_t audits = audit_count(f, "team_shared", NULL);

	struct qoc_app out;
	assert_int_equal(qoc_store_app_transfer(f->st, "qoc_client_aaa", "acct_3", &ev), QOC_EPERM);
	assert_int_equal(qoc_store_app_transfer(f->st, "qoc_client_aaa", "acct_zz", &ev),
	                 QOC_EPERM);
	assert_int_equal(qoc_store_app_get(f->st, &f->a, "qoc_client_aaa", &out), QOC_OK);
	assert_string_equal(out.owner_id, "acct_1");
	assert_int_equal(out.revision, 1);
	assert_int_equal(audit_count(f, "team_shared", NULL), audits);
	assert_int_equal(qoc_store_app_transfer(f->st, "qoc_client_x", "acct_2", &ev),
	                 QOC_ENOTFOUND);

	/* An owner cannot leave the team while owning its applications. */
	assert_int_equal(qoc_store_member_remove(f->st, "team_shared", "acct_2", &ev), QOC_OK);
	assert_int_equal(qoc_store_member_add(f->st, "team_shared", "acct_2", QOC_ROLE_VIEWER, &ev),
	                 QOC_OK);
	assert_int_equal(qoc_store_app_transfer(f->st, "qoc_client_aaa", "acct_2", &ev), QOC_OK);
	assert_int_equal(qoc_store_app_get(f->st, &f->a, "qoc_client_aaa", &out), QOC_OK);
	assert_string_equal(out.owner_id, "acct_2");
	assert_int_equal(out.revision, 2);
	assert_int_equal(qoc_store_member_remove(f->st, "team_shared", "acct_2", &ev),
	                 QOC_ECONFLICT);
	/* The old owner keeps their role. */
	enum qoc_role role;
	assert_int_equal(qoc_store_membership_role(f->st, "team_shared", "acct_1", &role), QOC_OK);
	assert_int_equal(role, QOC_ROLE_ADMIN);
}

static void delete_keeps_the_audit(void **state)
{
	struct contract_fixture *f = *state;
	make_people(f->st);
	struct qoc_app in = app_of("qoc_client_aaa", "team_shared", "A", "web", 100);
	assert_int_equal(qoc_store_app_create(f->st, &in, &ev), QOC_OK);
	const unsigned char png[] = {1, 2, 3};
	assert_int_equal(
	    qoc_store_app_set_icon(f->st, "qoc_client_aaa", png, sizeof(png), "image/png", &ev),
	    QOC_OK);
	struct qoc_audit_event del = ev;
	del.action = "app.delete";
	del.detail = "{\"name\":\"A\"}";
	assert_int_equal(qoc_store_app_delete(f->st, "qoc_client_aaa", &del), QOC_OK);

	struct qoc_app out;
	const unsigned char *icon;
	size_t len;
	const char *type;
	assert_int_equal(qoc_store_app_get(f->st, &f->a, "qoc_client_aaa", &out), QOC_ENOTFOUND);
	assert_int_equal(qoc_store_app_get_icon(f->st, &f->a, "qoc_client_aaa", &icon, &len, &type),
	                 QOC_ENOTFOUND);
	assert_int_equal(qoc_store_app_delete(f->st, "qoc_client_aaa", &del), QOC_ENOTFOUND);

	struct qoc_audit_query q = {.client_id = "qoc_client_aaa"};
	struct qoc_audit_page p;
	assert_int_equal(qoc_store_audit_list(f->st, &f->a, &q, &p), QOC_OK);
	assert_int_equal(p.count, 3); /* create, icon, delete */
	assert_string_equal(p.items[0].action, "app.delete");
	assert_string_equal(p.items[0].detail, "{\"name\":\"A\"}");
	assert_string_equal(p.items[0].team_id, "team_shared");

	/* The same client_id can never come back by accident: the caller makes random ones;
	 * the store would accept it (the row is gone), which the test only notes. */
	struct qoc_app_query lq = {.team_ids = (const char *const[]){"team_shared"},
	                           .team_count = 1};
	struct qoc_app_page page;
	assert_int_equal(qoc_store_app_list(f->st, &f->a, &lq, &page), QOC_OK);
	assert_int_equal(page.count, 0);
}

static void audit_lists_newest_first_in_pages(void **state)
{
	struct contract_fixture *f = *state;
	int64_t ids[30];
	for (int i = 0; i < 30; i++) {
		char detail[32];
		snprintf(detail, sizeof(detail), "{\"i\":%d}", i);
		struct qoc_audit_entry e = {.team_id = i % 2 ? "team_odd" : "team_even",
		                            .client_id = i % 3 ? NULL : "qoc_client_3",
		                            .actor_id = "acct_1",
		                            .action = "test",
		                            .detail = detail,
		                            .at = 100 + i};
		assert_int_equal(qoc_store_audit_append(f->st, &e, &ids[i]), QOC_OK);
		assert_true(i == 0 || ids[i] > ids[i - 1]);
	}
	struct qoc_audit_query q = {.team_id = "team_even", .limit = 4};
	struct qoc_audit_page p;
	int want = 28, pages = 0;
	do {
		assert_int_equal(qoc_store_audit_list(f->st, &f->a, &q, &p), QOC_OK);
		for (size_t i = 0; i < p.count; i++, want -= 2) {
			assert_int_equal(p.items[i].id, ids[want]);
			assert_int_equal(p.items[i].at, 100 + want);
			assert_string_equal(p.items[i].team_id, "team_even");
		}
		q.before_id = p.next_before_id;
		pages++;
	} while (p.next_before_id);
	assert_int_equal(want, -2); /* all 15, in order */
	assert_int_equal(pages, 4);

	struct qoc_audit_query qc = {.client_id = "qoc_client_3"};
	assert_int_equal(qoc_store_audit_list(f->st, &f->a, &qc, &p), QOC_OK);
	assert_int_equal(p.count, 10);
	assert_int_equal(p.items[0].id, ids[27]);
	assert_int_equal(p.next_before_id, 0);

	struct qoc_audit_query both = {.team_id = "t", .client_id = "c"}, neither = {0};
	struct qoc_audit_query big = {.team_id = "t", .limit = QOC_AUDIT_LIST_MAX_LIMIT + 1};
	assert_int_equal(qoc_store_audit_list(f->st, &f->a, &both, &p), QOC_EINVAL);
	assert_int_equal(qoc_store_audit_list(f->st, &f->a, &neither, &p), QOC_EINVAL);
	assert_int_equal(qoc_store_audit_list(f->st, &f->a, &big, &p), QOC_EINVAL);
	struct qoc_audit_entry bad = {
	    .team_id = "t", .actor_id = "a", .action = "x", .detail = "nope"};
	assert_int_equal(qoc_store_audit_append(f->st, &bad, NULL), QOC_EINVAL);
	bad.detail = NULL;
	bad.action = "";
	assert_int_equal(qoc_store_audit_append(f->st, &bad, NULL), QOC_EINVAL);
}

/* --- listing --- */

static void create(struct contract_fixture *f, const char *id, const char *team, const char *owner,
                   const char *name, const char *type, const char *status, int64_t created_at)
{
	struct qoc_app a = app_of(id, team, name, type, created_at);
	a.owner_id = owner;
	a.status = status;
	assert_int_equal(qoc_store_app_create(f->st, &a, &ev), QOC_OK);
}

static void assert_page(struct contract_fixture *f, const struct qoc_app_query *q,
                        const char *const *want, size_t n)
{
	struct qoc_app_page p;
	assert_int_equal(qoc_store_app_list(f->st, &f->a, q, &p), QOC_OK);
	assert_int_equal(p.count, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(p.items[i].client_id, want[i]);
	assert_null(p.next_cursor);
	if (n) {
		assert_null(p.items[0].secret_hash); /* lists never carry secrets */
		assert_int_equal(p.items[0].grant_types.count, 2);
	}
}

#define IDS(...)                                                                                   \
	(const char *const[]){__VA_ARGS__}, sizeof((const char *[]){__VA_ARGS__}) / sizeof(char *)

static void list_filters_and_orders(void **state)
{
	struct contract_fixture *f = *state;
	make_people(f->st);
	create(f, "qoc_client_b1", "team_shared", "acct_1", "beta", "web", "active", 10);
	create(f, "qoc_client_a2", "team_shared", "acct_1", "Alpha", "spa", "inactive", 30);
	create(f, "qoc_client_g3", "team_shared", "acct_2", "gamma", "service", "active", 20);
	create(f, "qoc_client_a4", "team_shared", "acct_1", "alpha", "web", "suspended", 40);
	create(f, "qoc_client_d5", "team_acct_1", "acct_1", "Delta", "web", "active", 5);
	create(f, "qoc_client_o6", "team_acct_2", "acct_2", "Other", "web", "active", 50);

	struct qoc_app_query q = {.team_ids = (const char *const[]){"team_shared"},
	                          .team_count = 1};
	/* Names compare case-insensitively; client_id breaks the alpha/Alpha tie. */
	assert_page(f, &q, IDS("qoc_client_a2", "qoc_client_a4", "qoc_client_b1", "qoc_client_g3"));
	q.desc = true;
	assert_page(f, &q, IDS("qoc_client_g3", "qoc_client_b1", "qoc_client_a4", "qoc_client_a2"));
	q.sort = QOC_APP_SORT_CREATED;
	assert_page(f, &q, IDS("qoc_client_a4", "qoc_client_a2", "qoc_client_g3", "qoc_client_b1"));
	q.desc = false;
	assert_page(f, &q, IDS("qoc_client_b1", "qoc_client_g3", "qoc_client_a2", "qoc_client_a4"));

	q.sort = QOC_APP_SORT_NAME;
	q.status = "active";
	assert_page(f, &q, IDS("qoc_client_b1", "qoc_client_g3"));
	q.status = NULL;
	q.type = "web";
	assert_page(f, &q, IDS("qoc_client_a4", "qoc_client_b1"));
	q.type = NULL;
	q.q = "ALP";
	assert_page(f, &q, IDS("qoc_client_a2", "qoc_client_a4"));
	q.q = "CLIENT_G";
	assert_page(f, &q, IDS("qoc_client_g3"));
	q.q = "zzz";
	assert_page(f, &q, NULL, 0);
	q.q = "";
	q.status = "active";
	q.type = "service";
	assert_page(f, &q, IDS("qoc_client_g3"));

	/* Several teams, all teams, no team. */
	struct qoc_app_query two = {.team_ids = (const char *const[]){"team_shared", "team_acct_1"},
	                            .team_count = 2};
	assert_page(f, &two,
	            IDS("qoc_client_a2", "qoc_client_a4", "qoc_client_b1", "qoc_client_d5",
	                "qoc_client_g3"));
	struct qoc_app_query all = {.all_teams = true, .sort = QOC_APP_SORT_CREATED, .desc = true};
	assert_page(f, &all,
	            IDS("qoc_client_o6", "qoc_client_a4", "qoc_client_a2", "qoc_client_g3",
	                "qoc_client_b1", "qoc_client_d5"));
	struct qoc_app_query none = {0};
	assert_page(f, &none, NULL, 0);

	struct qoc_app_page p;
	struct qoc_app_query big = q;
	big.limit = QOC_APP_LIST_MAX_LIMIT + 1;
	assert_int_equal(qoc_store_app_list(f->st, &f->a, &big, &p), QOC_EINVAL);
}

#define MANY 250
#define PAGE 20

/* Pages through the MANY applications in q's order, checking each page continues the
 * order of the one before and that every application comes exactly once. */
static void walk_all(struct contract_fixture *f, struct qoc_app_query q)
{
	static bool seen[MANY];
	memset(seen, 0, sizeof(seen));
	size_t total = 0, pages = 0;
	char prev_name[64] = "", prev_id[64] = "";
	int64_t prev_created = 0;
	q.limit = PAGE;
	q.cursor = NULL;
	do {
		struct qoc_app_page p;
		assert_int_equal(qoc_store_app_list(f->st, &f->a, &q, &p), QOC_OK);
		assert_true(p.count == PAGE || !p.next_cursor);
		for (size_t i = 0; i < p.count; i++, total++) {
			const struct qoc_app *a = &p.items[i];
			int idx = -1;
			assert_int_equal(sscanf(a->client_id, "qoc_client_x%d", &idx), 1);
			assert_true(idx >= 0 && idx < MANY);
			assert_false(seen[idx]);
			seen[idx] = true;
			if (total) {
				int c = q.sort == QOC_APP_SORT_NAME
				            ? strcmp(a->name, prev_name)
				            : (a->created_at > prev_created) -
				                  (a->created_at < prev_created);
				if (c == 0)
					c = strcmp(a->client_id, prev_id);
				assert_true(q.desc ? c < 0 : c > 0);
			}
			snprintf(prev_name, sizeof(prev_name), "%s", a->name);
			snprintf(prev_id, sizeof(prev_id), "%s", a->client_id);
			prev_created = a->created_at;
		}
		q.cursor = p.next_cursor;
		pages++;
	} while (q.cursor);
	assert_int_equal(total, MANY);
	assert_int_equal(pages, (MANY + PAGE - 1) / PAGE);
}

static void pagination_visits_each_app_once_in_order(void **state)
{
	struct contract_fixture *f = *state;
	make_people(f->st);
	for (int i = 0; i < MANY; i++) {
		char id[40], name[40];
		snprintf(id, sizeof(id), "qoc_client_x%03d", i);
		/* Names (all one case) in another order than ids; created_at with many ties. */
		snprintf(name, sizeof(name), "app %03d", (i * 97) % MANY);
		create(f, id, "team_shared", "acct_1", name, "web", "active", 1000 + (i * 31) % 17);
	}
	create(f, "qoc_client_other", "team_acct_2", "acct_2", "app 000", "web", "active", 1000);
	struct qoc_app_query q = {.team_ids = (const char *const[]){"team_shared"},
	                          .team_count = 1};
	for (int sort = 0; sort < 2; sort++) {
		for (int desc = 0; desc < 2; desc++) {
			q.sort = (enum qoc_app_sort)sort;
			q.desc = desc;
			walk_all(f, q);
		}
	}
}

static void tampered_cursors_are_refused(void **state)
{
	struct contract_fixture *f = *state;
	make_people(f->st);
	for (int i = 0; i < 5; i++) {
		char id[40];
		snprintf(id, sizeof(id), "qoc_client_c%d", i);
		create(f, id, "team_shared", "acct_1", id, "web", "active", i);
	}
	struct qoc_app_query q = {
	    .team_ids = (const char *const[]){"team_shared"}, .team_count = 1, .limit = 2};
	struct qoc_app_page p;
	assert_int_equal(qoc_store_app_list(f->st, &f->a, &q, &p), QOC_OK);
	assert_non_null(p.next_cursor);
	const char *good = p.next_cursor;
	size_t n = strlen(good);

	char buf[2100];
	const char *bad[] = {"",
	                     "zz",
	                     "0",
	                     "abc",
	                     "00",
	                     "31",
	                     "316e61",
	                     "316e6139393a",
	                     "326e61313a616263" /* version 2 */,
	                     "316e61313a61" /* no id */};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		q.cursor = bad[i];
		assert_int_equal(qoc_store_app_list(f->st, &f->a, &q, &p), QOC_EINVAL);
	}
	/* Every single-character change and every truncation of the good cursor is refused
	 * or lands somewhere harmless; none crashes. */
	for (size_t i = 0; i < n; i++) {
		for (const char *c = "0f9aG~"; *c; c++) {
			snprintf(buf, sizeof(buf), "%s", good);
			buf[i] = *c;
			q.cursor = buf;
			enum qoc_err e = qoc_store_app_list(f->st, &f->a, &q, &p);
			assert_true(e == QOC_OK || e == QOC_EINVAL);
		}
		snprintf(buf, sizeof(buf), "%.*s", (int)i, good);
		q.cursor = buf;
		enum qoc_err e = qoc_store_app_list(f->st, &f->a, &q, &p);
		assert_true(e == QOC_OK || e == QOC_EINVAL);
	}
	memset(buf, 'a', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	q.cursor = buf;
	assert_int_equal(qoc_store_app_list(f->st, &f->a, &q, &p), QOC_EINVAL);

	/* A cursor belongs to its order. */
	q.cursor = good;
	q.desc = true;
	assert_int_equal(qoc_store_app_list(f->st, &f->a, &q, &p), QOC_EINVAL);
	q.desc = false;
	q.sort = QOC_APP_SORT_CREATED;
	assert_int_equal(qoc_store_app_list(f->st, &f->a, &q, &p), QOC_EINVAL);
	q.sort = QOC_APP_SORT_NAME;
	assert_int_equal(qoc_store_app_list(f->st, &f->a, &q, &p), QOC_OK);
	assert_int_equal(p.count, 2);
	assert_string_equal(p.items[0].client_id, "qoc_client_c2");
}

#define CREATORS 8
#define CREATES 10

struct creator {
	struct qoc_store *st;
	int id;
	enum qoc_err results[CREATES];
};

static void *create_thread(void *arg)
{
	struct creator *c = arg;
	for (int i = 0; i < CREATES; i++) {
		char id[40], name[40];
		snprintf(id, sizeof(id), "qoc_client_t%dn%d", c->id, i);
		snprintf(name, sizeof(name), "thread %d app %d", c->id, i);
		struct qoc_app a = app_of(id, "team_shared", name, i % 2 ? "spa" : "web", i);
		c->results[i] = qoc_store_app_create(c->st, &a, &ev);
	}
	return NULL;
}

static void concurrent_app_creation(void **state)
{
	struct contract_fixture *f = *state;
	make_people(f->st);
	struct creator c[CREATORS];
	pthread_t th[CREATORS];
	for (int i = 0; i < CREATORS; i++) {
		c[i] = (struct creator){.st = f->st, .id = i};
		assert_int_equal(pthread_create(&th[i], NULL, create_thread, &c[i]), 0);
	}
	for (int i = 0; i < CREATORS; i++)
		pthread_join(th[i], NULL);
	size_t ok = 0;
	for (int i = 0; i < CREATORS; i++) {
		for (int j = 0; j < CREATES; j++) {
			enum qoc_err e = c[i].results[j];
			if (e != QOC_OK && e != QOC_EBUSY)
				fail_msg("creator %d app %d: %s", i, j, qoc_strerror(e));
			ok += (e == QOC_OK);
		}
	}
	assert_true(ok > 0);
	/* Every acknowledged creation is listed, with its audit entry. */
	struct qoc_app_query q = {.team_ids = (const char *const[]){"team_shared"},
	                          .team_count = 1,
	                          .limit = QOC_APP_LIST_MAX_LIMIT};
	struct qoc_app_page p;
	assert_int_equal(qoc_store_app_list(f->st, &f->a, &q, &p), QOC_OK);
	assert_int_equal(p.count, ok);
	struct qoc_audit_query aq = {.team_id = "team_shared", .limit = QOC_AUDIT_LIST_MAX_LIMIT};
	struct qoc_audit_page ap;
	assert_int_equal(qoc_store_audit_list(f->st, &f->a, &aq, &ap), QOC_OK);
	assert_int_equal(ap.count, ok + 2); /* + team creation, member add */
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, contract_setup_migrated, contract_teardown)

int store_contract_apps_run(const char *group_name)
{
	const struct CMUnitTest tests[] = {
	    T(app_create_then_get),
	    T(app_create_refusals_change_nothing),
	    T(app_update_is_optimistic),
	    T(app_status_icon_and_last_used),
	    T(secret_replace_forgets_the_old_one),
	    T(client_get_sees_every_change),
	    T(transfer_needs_a_team_member),
	    T(delete_keeps_the_audit),
	    T(audit_lists_newest_first_in_pages),
	    T(list_filters_and_orders),
	    T(pagination_visits_each_app_once_in_order),
	    T(tampered_cursors_are_refused),
	    T(concurrent_app_creation),
	};
	return _cmocka_run_group_tests(group_name, tests, sizeof(tests) / sizeof(tests[0]), NULL,
	                               NULL);
}
