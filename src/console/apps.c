/* apps.c - application use cases: create, secrets (regenerate, reveal, verify), status,
 * delete. The contract and the key labels are in apps.h. */
#include "console/apps.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"
#include "crypto/hash.h"
#include "crypto/seal.h"

#define SECRET_BUF_MAX 128 /* a clear secret is QOC_SECRET_LEN (54) bytes */
#define SEALED_BUF_MAX (QOC_SECRET_LEN + QOC_SEAL_OVERHEAD + 16)
#define AAD_MAX 128

enum qoc_err qoc_apps_ctx_init(struct qoc_apps_ctx *ctx, struct qoc_store *store,
                               const struct qoc_clock *clock, const uint8_t master_key[32])
{
	enum qoc_err err;
	memset(ctx, 0, sizeof(*ctx));
	ctx->store = store;
	ctx->clock = clock;
	ctx->master_key = master_key;
	if ((err = qoc_kdf(master_key, QOC_APPS_SECRET_HASH_LABEL, ctx->hash_key)))
		goto out;
	err = qoc_kdf(master_key, QOC_APPS_SEAL_LABEL, ctx->seal_key);
out:
	if (err)
		qoc_apps_ctx_release(ctx);
	return err;
}

void qoc_apps_ctx_release(struct qoc_apps_ctx *ctx)
{
	qoc_memwipe(ctx->hash_key, sizeof(ctx->hash_key));
	qoc_memwipe(ctx->seal_key, sizeof(ctx->seal_key));
}

void qoc_apps_secret_wipe(struct qoc_apps_secret *s)
{
	qoc_memwipe(s->value, sizeof(s->value));
	s->len = 0;
}

static int secret_aad(char *out, size_t size, const char *client_id)
{
	int n = snprintf(out, size, "%s%s", QOC_APPS_SECRET_AAD_PREFIX, client_id);
	return (n < 0 || (size_t)n >= size) ? -1 : n;
}

/* Makes a new secret for client_id: the clear value into *secret, its keyed hash into
 * hash and its sealed form appended to sealed (an empty buffer). */
static enum qoc_err new_secret(const struct qoc_apps_ctx *ctx, const char *client_id,
                               struct qoc_apps_secret *secret, uint8_t hash[QOC_SECRET_HASH_LEN],
                               struct qoc_buf *sealed)
{
	struct qoc_buf clear;
	char aad[AAD_MAX];
	enum qoc_err err;
	qoc_buf_init(&clear, SECRET_BUF_MAX);
	int aad_len = secret_aad(aad, sizeof(aad), client_id);
	if (aad_len < 0) {
		err = QOC_EINVAL;
		goto out;
	}
	if ((err = qoc_secret_new(&clear)))
		goto out;
	if (clear.len != QOC_SECRET_LEN) {
		err = QOC_ECRYPTO; /* our own invariant: token.c makes exactly this length */
		goto out;
	}
	if ((err = qoc_secret_hash(ctx->hash_key, clear.data, clear.len, hash)))
		goto out;
	if ((err = qoc_seal(ctx->seal_key, aad, (size_t)aad_len, clear.data, clear.len, sealed)))
		goto out;
	memcpy(secret->value, clear.data, clear.len + 1);
	secret->len = clear.len;
out:
	qoc_buf_release_secret(&clear);
	return err;
}

static struct qoc_audit_event audit_event(const struct qoc_apps_ctx *ctx,
                                          const struct qoc_apps_actor *actor, const char *action,
                                          const char *detail)
{
	return (struct qoc_audit_event){
	    .actor_id = actor->account_id,
	    .action = action,
	    .detail = detail,
	    .ip = actor->ip,
	    .at = qoc_clock_now(ctx->clock),
	};
}

/* JSON object text {k1: v1[, k2: v2]} (malloc'd), NULL when out of memory. */
static char *detail_json(const char *k1, const char *v1, const char *k2, const char *v2)
{
	json_t *o = json_object();
	char *text = NULL;
	if (!o || json_object_set_new(o, k1, json_string(v1)) != 0)
		goto out;
	if (k2 && json_object_set_new(o, k2, json_string(v2)) != 0)
		goto out;
	text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
out:
	json_decref(o);
	return text;
}

/* --- create --- */

void qoc_app_input_apply(const struct qoc_app_input *in, struct qoc_app *app)
{
	if (in->name)
		app->name = in->name;
	if (in->description)
		app->description = in->description;
	if (in->status)
		app->status = in->status;
	if (in->redirect_uris)
		app->redirect_uris = *in->redirect_uris;
	if (in->allowed_origins)
		app->allowed_origins = *in->allowed_origins;
	if (in->sso_redirect_uris)
		app->sso_redirect_uris = *in->sso_redirect_uris;
	if (in->logout_uris)
		app->logout_uris = *in->logout_uris;
	if (in->grant_types)
		app->grant_types = *in->grant_types;
	if (in->token_format)
		app->token_format = in->token_format;
	if (in->id_token_signed_response_alg)
		app->id_token_signed_response_alg = in->id_token_signed_response_alg;
	if (in->set & QOC_APP_SET_ACCESS_TOKEN_LIFETIME)
		app->access_token_lifetime = in->access_token_lifetime;
	if (in->set & QOC_APP_SET_REFRESH_TOKEN_LIFETIME)
		app->refresh_token_lifetime = in->refresh_token_lifetime;
	if (in->set & QOC_APP_SET_ID_TOKEN_LIFETIME)
		app->id_token_lifetime = in->id_token_lifetime;
	if (in->set & QOC_APP_SET_PKCE_REQUIRED)
		app->pkce_required = in->pkce_required;
}

/* Defaults for the type, then whatever the input gives. An unknown type takes web's
 * defaults and keeps the bad value, so qoc_app_rules_check names "type" along with every
 * other problem. app starts zeroed, so a NULL name or description stays NULL. */
static void settings_from_input(const struct qoc_app_input *in, struct qoc_app *app)
{
	if (qoc_app_defaults(in->type, app) != QOC_OK) {
		qoc_app_defaults("web", app);
		app->type = in->type;
	}
	app->team_id = in->team_id;
	app->owner_id = in->owner_id;
	qoc_app_input_apply(in, app);
}

static bool dup_str(struct qoc_arena *a, const char **s)
{
	if (!*s)
		return true;
	*s = qoc_arena_strdup(a, *s);
	return *s != NULL;
}

static bool dup_list(struct qoc_arena *a, struct qoc_str_list *l)
{
	if (l->count == 0) {
		l->items = NULL;
		return true;
	}
	const char **items = qoc_arena_calloc(a, l->count, sizeof(*items));
	if (!items)
		return false;
	for (size_t i = 0; i < l->count; i++)
		if (!(items[i] = qoc_arena_strdup(a, l->items[i])))
			return false;
	l->items = items;
	return true;
}

/* Makes app (what was just written) independent of the caller's input: every string and
 * list into the arena. Secret blobs are dropped, like app_list does. */
static enum qoc_err copy_to_arena(struct qoc_arena *a, struct qoc_app *app)
{
	app->secret_hash = app->secret_sealed = NULL;
	app->secret_hash_len = app->secret_sealed_len = 0;
	if (!app->description)
		app->description = "";
	const char **strs[] = {
	    &app->client_id, &app->team_id,      &app->owner_id,
	    &app->name,      &app->description,  &app->type,
	    &app->status,    &app->token_format, &app->id_token_signed_response_alg};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (!dup_str(a, strs[i]))
			return QOC_ENOMEM;
	struct qoc_str_list *lists[] = {&app->redirect_uris, &app->allowed_origins,
	                                &app->sso_redirect_uris, &app->logout_uris,
	                                &app->grant_types};
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if (!dup_list(a, lists[i]))
			return QOC_ENOMEM;
	return QOC_OK;
}

enum qoc_err qoc_apps_create(const struct qoc_apps_ctx *ctx, const struct qoc_apps_actor *actor,
                             const struct qoc_app_input *in, struct qoc_arena *a,
                             struct qoc_apps_created *out)
{
	struct qoc_app app = {0};
	char client_id[QOC_CLIENT_ID_LEN + 1];
	uint8_t hash[QOC_SECRET_HASH_LEN];
	struct qoc_buf sealed;
	char *detail = NULL;
	enum qoc_err err;
	memset(out, 0, sizeof(*out));
	qoc_buf_init(&sealed, SEALED_BUF_MAX);

	settings_from_input(in, &app);
	if (!qoc_app_rules_check(&app, &out->errors)) {
		err = QOC_EINVAL;
		goto out;
	}
	if ((err = qoc_token_client_id(client_id)))
		goto out;
	app.client_id = client_id;
	app.created_at = app.updated_at = qoc_clock_now(ctx->clock);
	app.revision = 1;
	if (!qoc_app_type_is_public(app.type)) {
		if ((err = new_secret(ctx, client_id, &out->secret, hash, &sealed)))
			goto out;
		app.secret_hash = hash;
		app.secret_hash_len = sizeof(hash);
		app.secret_sealed = (const unsigned char *)sealed.data;
		app.secret_sealed_len = sealed.len;
		app.secret_created_at = app.created_at;
	}
	if (!(detail = detail_json("name", app.name, "type", app.type))) {
		err = QOC_ENOMEM;
		goto out;
	}
	struct qoc_audit_event ev = audit_event(ctx, actor, QOC_APPS_AUDIT_CREATE, detail);
	ev.at = app.created_at;
	if ((err = qoc_store_app_create(ctx->store, &app, &ev)))
		goto out;
	out->app = app;
	err = copy_to_arena(a, &out->app);
out:
	if (err)
		qoc_apps_secret_wipe(&out->secret);
	free(detail);
	qoc_buf_release(&sealed);
	qoc_memwipe(hash, sizeof(hash));
	return err;
}

/* --- secrets --- */

enum qoc_err qoc_apps_regenerate_secret(const struct qoc_apps_ctx *ctx,
                                        const struct qoc_apps_actor *actor, const char *client_id,
                                        struct qoc_apps_secret *out)
{
	uint8_t hash[QOC_SECRET_HASH_LEN];
	struct qoc_buf sealed;
	enum qoc_err err;
	memset(out, 0, sizeof(*out));
	qoc_buf_init(&sealed, SEALED_BUF_MAX);
	if (!client_id || !*client_id) {
		err = QOC_EINVAL;
		goto out;
	}
	if ((err = new_secret(ctx, client_id, out, hash, &sealed)))
		goto out;
	struct qoc_audit_event ev = audit_event(ctx, actor, QOC_APPS_AUDIT_SECRET_REGENERATE, NULL);
	err = qoc_store_app_secret_replace(ctx->store, client_id, hash, sizeof(hash),
	                                   (const unsigned char *)sealed.data, sealed.len, &ev);
out:
	if (err)
		qoc_apps_secret_wipe(out);
	qoc_buf_release(&sealed);
	qoc_memwipe(hash, sizeof(hash));
	return err;
}

enum qoc_err qoc_apps_reveal_secret(const struct qoc_apps_ctx *ctx,
                                    const struct qoc_apps_actor *actor, const char *client_id,
                                    struct qoc_apps_secret *out)
{
	struct qoc_arena a;
	struct qoc_app app;
	struct qoc_buf clear;
	char aad[AAD_MAX];
	enum qoc_err err;
	memset(out, 0, sizeof(*out));
	qoc_arena_init(&a, 0);
	qoc_buf_init(&clear, SECRET_BUF_MAX);
	if (!client_id || !*client_id) {
		err = QOC_EINVAL;
		goto out;
	}
	if ((err = qoc_store_app_get(ctx->store, &a, client_id, &app)))
		goto out;
	if (!app.secret_sealed || app.secret_sealed_len == 0) {
		err = QOC_EPERM;
		goto out;
	}
	int aad_len = secret_aad(aad, sizeof(aad), app.client_id);
	if (aad_len < 0) {
		err = QOC_EINVAL;
		goto out;
	}
	if ((err = qoc_seal_open(ctx->seal_key, aad, (size_t)aad_len, app.secret_sealed,
	                         app.secret_sealed_len, &clear)))
		goto out;
	if (clear.len > QOC_SECRET_LEN) {
		err = QOC_ECRYPTO; /* authentic but not a secret we made: refuse to hand it out */
		goto out;
	}
	/* Audited before anything is handed out: no reveal without its entry. */
	struct qoc_audit_event ev = audit_event(ctx, actor, QOC_APPS_AUDIT_SECRET_REVEAL, NULL);
	struct qoc_audit_entry entry = {
	    .team_id = app.team_id,
	    .client_id = app.client_id,
	    .actor_id = ev.actor_id,
	    .action = ev.action,
	    .ip = ev.ip,
	    .at = ev.at,
	};
	if ((err = qoc_store_audit_append(ctx->store, &entry, NULL)))
		goto out;
	memcpy(out->value, qoc_buf_cstr(&clear), clear.len + 1);
	out->len = clear.len;
out:
	qoc_buf_release_secret(&clear);
	qoc_arena_release(&a);
	return err;
}

bool qoc_apps_verify_secret(const struct qoc_apps_ctx *ctx, const struct qoc_app *app,
                            const char *secret, size_t len)
{
	/* Stands in for the hash of an unknown or public client: the work is the same, the
	 * answer is always false (no secret hashes to a value we never compare truthfully). */
	static const uint8_t dummy[QOC_SECRET_HASH_LEN] = {0};
	bool real = app && app->secret_hash && app->secret_hash_len == QOC_SECRET_HASH_LEN;
	const uint8_t *stored = real ? app->secret_hash : dummy;
	if (!secret) {
		secret = "";
		len = 0;
	}
	bool match = qoc_secret_verify(ctx->hash_key, secret, len, stored);
	return match && real;
}

/* --- status, delete --- */

enum qoc_err qoc_apps_set_status(const struct qoc_apps_ctx *ctx, const struct qoc_apps_actor *actor,
                                 const char *client_id, const char *status)
{
	if (!client_id || !*client_id || !status)
		return QOC_EINVAL;
	if (strcmp(status, "active") != 0 && strcmp(status, "inactive") != 0 &&
	    strcmp(status, "suspended") != 0)
		return QOC_EINVAL;
	char *detail = detail_json("status", status, NULL, NULL);
	if (!detail)
		return QOC_ENOMEM;
	struct qoc_audit_event ev = audit_event(ctx, actor, QOC_APPS_AUDIT_STATUS, detail);
	enum qoc_err err = qoc_store_app_set_status(ctx->store, client_id, status, &ev);
	free(detail);
	if (!err && !strcmp(status, "suspended")) /* a security event (core/log.h) */
		qoc_log_event("app_suspended", "application suspended", "client_id=%s by=%s",
		              client_id, actor && actor->account_id ? actor->account_id : "-");
	return err;
}

enum qoc_err qoc_apps_delete(const struct qoc_apps_ctx *ctx, const struct qoc_apps_actor *actor,
                             const char *client_id)
{
	if (!client_id || !*client_id)
		return QOC_EINVAL;
	struct qoc_audit_event ev = audit_event(ctx, actor, QOC_APPS_AUDIT_DELETE, NULL);
	return qoc_store_app_delete(ctx->store, client_id, &ev);
}
