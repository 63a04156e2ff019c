/* client.c - the QOC Cloud Console registers itself as an OAuth application.
 *
 * The console signs its users in through QOC Login like any client (console/signin.h), so
 * it needs a row in the store: codes and tokens reference their application. At every
 * start the server makes sure that row exists and matches what the console needs:
 *   client id  QOC_CONSOLE_CLIENT_ID (fixed: every node and every restart agree on it);
 *   type spa   a public client: no secret to keep, PKCE always (the verifier is derived
 *              from a server key and the browser's transaction cookie);
 *   grants     authorization_code only (no refresh token: a session that ends, ends);
 *   redirect   <issuer>/console/callback (follows QOC_ISSUER when it changes);
 *   tokens     opaque access tokens living QOC_CONSOLE_SESSION_LIFETIME: the access token
 *              is the console session, so it must be revocable (sign out).
 * It belongs to a built-in account that can never sign in (no password, an address in
 * the reserved .invalid domain) and that account's personal team, so no user is a member
 * and only an instance admin sees it (read-only: the console's role checks refuse any change).
 * Several nodes starting at once race benignly: a lost create or update is read again.
 */
#include <stdio.h>
#include <string.h>

#include "console/client.h"

#include "oauth/app_rules.h"
#include "core/log.h"
#include "oauth/authz_flow.h"
#include "store/store_oauth.h"

#define CONSOLE_ACCOUNT_ID "acct_qoccloudconsole"
#define CONSOLE_ACCOUNT_EMAIL "console@qoc.invalid"
#define CONSOLE_NAME QOC_CONSOLE_APP_NAME /* reserved: no other application may take it */
#define CONSOLE_DESCRIPTION "The QOC Cloud Console, built into QOC. Managed by QOC itself."
#define ATTEMPTS 4

static const char *console_grants[] = {"authorization_code"};

static bool same_list(const struct qoc_str_list *a, const struct qoc_str_list *b)
{
	if (a->count != b->count)
		return false;
	for (size_t i = 0; i < a->count; i++)
		if (strcmp(a->items[i], b->items[i]) != 0)
			return false;
	return true;
}

/* The settings the console needs, over whatever else app holds. */
static void want(struct qoc_app *app, const char **redirect)
{
	app->name = CONSOLE_NAME;
	app->description = CONSOLE_DESCRIPTION;
	app->status = "active";
	app->redirect_uris = (struct qoc_str_list){redirect, 1};
	app->allowed_origins = (struct qoc_str_list){NULL, 0};
	app->sso_redirect_uris = (struct qoc_str_list){NULL, 0};
	app->logout_uris = (struct qoc_str_list){NULL, 0};
	app->grant_types = (struct qoc_str_list){console_grants, 1};
	app->access_token_lifetime = QOC_CONSOLE_SESSION_LIFETIME;
	app->pkce_required = true;
	app->token_format = "opaque";
}

static bool matches(const struct qoc_app *have, const char *redirect)
{
	const char *r[] = {redirect};
	struct qoc_str_list rl = {r, 1}, gl = {console_grants, 1};
	return !strcmp(have->type, "spa") && !strcmp(have->status, "active") &&
	       !strcmp(have->token_format, "opaque") && have->pkce_required &&
	       have->access_token_lifetime == QOC_CONSOLE_SESSION_LIFETIME &&
	       same_list(&have->redirect_uris, &rl) && same_list(&have->grant_types, &gl) &&
	       !strcmp(have->name, CONSOLE_NAME) && have->allowed_origins.count == 0 &&
	       have->sso_redirect_uris.count == 0 && have->logout_uris.count == 0;
}

static enum qoc_err ensure_account(struct qoc_store *st, struct qoc_arena *a, int64_t now)
{
	struct qoc_account acct;
	enum qoc_err err = qoc_store_account_by_id(st, a, CONSOLE_ACCOUNT_ID, &acct);
	if (err != QOC_ENOTFOUND)
		return err;
	struct qoc_account mk = {.id = CONSOLE_ACCOUNT_ID,
	                         .email = CONSOLE_ACCOUNT_EMAIL,
	                         .name = CONSOLE_NAME,
	                         .password_hash = NULL,
	                         .created_at = now};
	err = qoc_store_account_create(st, &mk);
	return err == QOC_ECONFLICT ? QOC_OK : err; /* another node made it meanwhile */
}

static enum qoc_err create(struct qoc_store *st, struct qoc_arena *a, const char **redirect,
                           int64_t now)
{
	enum qoc_err err = ensure_account(st, a, now);
	if (err)
		return err;
	struct qoc_app app = {0};
	if ((err = qoc_app_defaults("spa", &app)))
		return err;
	want(&app, redirect);
	app.client_id = QOC_CONSOLE_CLIENT_ID;
	app.team_id = "team_" CONSOLE_ACCOUNT_ID; /* the account's personal team (store.h) */
	app.owner_id = CONSOLE_ACCOUNT_ID;
	app.type = "spa";
	app.created_at = app.updated_at = now;
	struct qoc_audit_event ev = {.actor_id = "system", .action = "app.create", .at = now};
	return qoc_store_app_create(st, &app, &ev);
}

enum qoc_err qoc_console_client_ensure(struct qoc_store *st, const struct qoc_clock *clock,
                                       const char *issuer)
{
	char redirect[1024];
	int n = snprintf(redirect, sizeof(redirect), "%s/console/callback", issuer);
	if (n < 0 || (size_t)n >= sizeof(redirect))
		return QOC_ELIMIT;
	const char *r[] = {redirect};
	int64_t now = qoc_clock_now(clock);
	enum qoc_err err = QOC_ECONFLICT;
	for (int i = 0; i < ATTEMPTS && err == QOC_ECONFLICT; i++) {
		struct qoc_arena a;
		struct qoc_app app;
		qoc_arena_init(&a, 64 * 1024);
		err = qoc_store_app_get(st, &a, QOC_CONSOLE_CLIENT_ID, &app);
		if (err == QOC_ENOTFOUND) {
			err = create(st, &a, r, now);
		} else if (!err && !matches(&app, redirect)) {
			want(&app, r);
			struct qoc_audit_event ev = {
			    .actor_id = "system", .action = "app.update", .at = now};
			err = qoc_store_app_update(st, &app, &ev);
		}
		qoc_arena_release(&a);
	}
	if (err)
		qoc_log_error("console: cannot register the console application", "err=%s",
		              qoc_strerror(err));
	return err;
}

enum qoc_err qoc_console_client_get(struct qoc_store *st, struct qoc_arena *a, struct qoc_app *out)
{
	enum qoc_err err = qoc_store_app_get(st, a, QOC_CONSOLE_CLIENT_ID, out);
	return err == QOC_ENOTFOUND ? QOC_EDB : err; /* registered at every start */
}

enum qoc_err qoc_console_session_account(struct qoc_store *st, struct qoc_arena *a,
                                         const char *account_id, struct qoc_account *out)
{
	return qoc_store_account_by_id(st, a, account_id, out);
}

enum qoc_err qoc_console_session_revoke(struct qoc_store *st, const char *token_hash, int64_t now)
{
	enum qoc_err err = qoc_store_token_revoke(st, token_hash, QOC_CONSOLE_CLIENT_ID, now);
	return err == QOC_ENOTFOUND ? QOC_OK : err; /* already gone: signed out all the same */
}
