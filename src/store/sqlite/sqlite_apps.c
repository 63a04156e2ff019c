/* sqlite_apps.c - applications: create, read, and every change, each in one transaction
 * with its audit entry. Listing is in sqlite_apps_list.c. */
#include "store/sqlite/sqlite_internal.h"

#include <string.h>

#include "core/log.h"
#include "store/store_check.h"
#include "store/store_codec.h"

static struct qoc_sqlite_sql sql_insert = {
    .text = "INSERT INTO applications (client_id, team_id, owner_id, name, name_norm,"
            " description, type, status, redirect_uris, allowed_origins, sso_redirect_uris,"
            " logout_uris, grant_types, access_token_lifetime, refresh_token_lifetime,"
            " id_token_lifetime, pkce_required, token_format, id_token_signed_response_alg,"
            " secret_hash, secret_sealed, secret_created_at, created_at, updated_at, revision)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
            " ?17, ?18, ?19, ?20, ?21, nullif(?22, 0), ?23, ?24, 1)"};
static struct qoc_sqlite_sql sql_get = {.text = "SELECT " QOC_SQLITE_APP_COLUMNS
                                                ", a.secret_hash, a.secret_sealed"
                                                " FROM applications a WHERE a.client_id = ?1"};
static struct qoc_sqlite_sql sql_head = {
    .text = "SELECT team_id, type, owner_id, revision FROM applications WHERE client_id = ?1"};
static struct qoc_sqlite_sql sql_team_exists = {.text = "SELECT 1 FROM teams WHERE id = ?1"};
static struct qoc_sqlite_sql sql_update = {
    .text = "UPDATE applications SET name = ?2, name_norm = ?3, description = ?4, status = ?5,"
            " redirect_uris = ?6, allowed_origins = ?7, sso_redirect_uris = ?8,"
            " logout_uris = ?9, grant_types = ?10, access_token_lifetime = ?11,"
            " refresh_token_lifetime = ?12, id_token_lifetime = ?13, pkce_required = ?14,"
            " token_format = ?15, id_token_signed_response_alg = ?16, updated_at = ?17,"
            " revision = revision + 1 WHERE client_id = ?1"};
static struct qoc_sqlite_sql sql_set_status = {
    .text = "UPDATE applications SET status = ?2, updated_at = ?3, revision = revision + 1"
            " WHERE client_id = ?1"};
static struct qoc_sqlite_sql sql_set_secret = {
    .text = "UPDATE applications SET secret_hash = ?2, secret_sealed = ?3,"
            " secret_created_at = ?4, updated_at = ?4, revision = revision + 1"
            " WHERE client_id = ?1"};
static struct qoc_sqlite_sql sql_set_owner = {
    .text = "UPDATE applications SET owner_id = ?2, updated_at = ?3, revision = revision + 1"
            " WHERE client_id = ?1"};
static struct qoc_sqlite_sql sql_bump = {
    .text = "UPDATE applications SET updated_at = ?2, revision = revision + 1"
            " WHERE client_id = ?1"};
static struct qoc_sqlite_sql sql_icon_put = {
    .text = "INSERT INTO application_icons (client_id, icon_type, icon) VALUES (?1, ?2, ?3)"
            " ON CONFLICT (client_id) DO UPDATE SET icon_type = ?2, icon = ?3"};
static struct qoc_sqlite_sql sql_icon_delete = {
    .text = "DELETE FROM application_icons WHERE client_id = ?1"};
static struct qoc_sqlite_sql sql_icon_get = {
    .text = "SELECT icon_type, icon FROM application_icons WHERE client_id = ?1"};
static struct qoc_sqlite_sql sql_delete = {.text = "DELETE FROM applications WHERE client_id = ?1"};
static struct qoc_sqlite_sql sql_touch = {
    .text = "UPDATE applications SET last_used_at = ?2"
            " WHERE client_id = ?1 AND (last_used_at IS NULL OR last_used_at < ?2)"};

/* The row an op changes: what it checks and what its audit entry names. */
struct app_head {
	const char *team_id, *type, *owner_id;
	int64_t revision;
};

struct change_ctx {
	const char *client_id;
	const struct qoc_audit_event *audit;
	struct qoc_arena *tmp;
	struct app_head head;
	/* op arguments */
	const struct qoc_app *app;
	struct qoc_store_app_enc enc;
	const char *text; /* status, new owner, icon type */
	const unsigned char *b1, *b2;
	size_t n1, n2;
	enum qoc_err (*apply)(struct qoc_sqlite_conn *c, struct change_ctx *ctx);
};

static enum qoc_err read_head(struct qoc_sqlite_conn *c, struct change_ctx *ctx)
{
	sqlite3_stmt *s;
	enum qoc_err err = qoc_sqlite_bound(c, &sql_head, "app: head", &s, "t", ctx->client_id);
	if (err)
		return err;
	err = qoc_sqlite_step_row(c, s, "app: head");
	if (!err && ((err = qoc_sqlite_col_text(ctx->tmp, s, 0, &ctx->head.team_id)) ||
	             (err = qoc_sqlite_col_text(ctx->tmp, s, 1, &ctx->head.type)) ||
	             (err = qoc_sqlite_col_text(ctx->tmp, s, 2, &ctx->head.owner_id))))
		goto out;
	if (!err)
		ctx->head.revision = sqlite3_column_int64(s, 3);
out:
	qoc_sqlite_stmt_done(s);
	return err;
}

/* Reads the row (QOC_ENOTFOUND), applies the op, writes the audit entry. */
static enum qoc_err change_work(struct qoc_sqlite_conn *c, void *arg)
{
	struct change_ctx *ctx = arg;
	enum qoc_err err = read_head(c, ctx);
	if (!err)
		err = ctx->apply(c, ctx);
	if (!err)
		err = qoc_sqlite_audit_insert(c, ctx->head.team_id, ctx->client_id, ctx->audit);
	return err;
}

static enum qoc_err run_change(struct qoc_store *base, struct change_ctx *ctx)
{
	if (!qoc_store_nonempty(ctx->client_id) || !qoc_store_audit_event_ok(ctx->audit))
		return QOC_EINVAL;
	struct qoc_arena tmp;
	qoc_arena_init(&tmp, 0);
	ctx->tmp = &tmp;
	enum qoc_err err = QOC_OK;
	if (ctx->app)
		err = qoc_store_app_encode(&tmp, ctx->app, &ctx->enc);
	if (!err)
		err = qoc_sqlite_write_tx(qoc_sqlite_from(base), change_work, ctx);
	qoc_arena_release(&tmp);
	return err;
}

/* --- create --- */

static enum qoc_err insert_app(struct qoc_sqlite_conn *c, const struct qoc_app *app,
                               const struct qoc_store_app_enc *e)
{
	return qoc_sqlite_run(
	    c, &sql_insert, "app_create", NULL, "tttttttttttttiiiittbbiii", app->client_id,
	    app->team_id, app->owner_id, app->name, e->name_norm,
	    app->description ? app->description : "", app->type, app->status, e->redirect,
	    e->origins, e->sso, e->logout, e->grants, app->access_token_lifetime,
	    app->refresh_token_lifetime, app->id_token_lifetime, (int64_t)app->pkce_required,
	    app->token_format, app->id_token_signed_response_alg, (const void *)app->secret_hash,
	    app->secret_hash_len, (const void *)app->secret_sealed, app->secret_sealed_len,
	    app->secret_created_at, app->created_at, app->updated_at);
}

static enum qoc_err create_work(struct qoc_sqlite_conn *c, void *arg)
{
	struct change_ctx *ctx = arg;
	const struct qoc_app *app = ctx->app;
	sqlite3_stmt *s;
	enum qoc_role role;
	enum qoc_err err =
	    qoc_sqlite_bound(c, &sql_team_exists, "app_create: team", &s, "t", app->team_id);
	if (err)
		return err;
	err = qoc_sqlite_step_row(c, s, "app_create: team");
	qoc_sqlite_stmt_done(s);
	if (!err) {
		err = qoc_sqlite_role_in(c, app->team_id, app->owner_id, &role);
		if (err == QOC_ENOTFOUND)
			err = QOC_EPERM; /* the owner must be a member of the team */
	}
	if (!err)
		err = insert_app(c, app, &ctx->enc);
	if (!err)
		err = qoc_sqlite_audit_insert(c, app->team_id, app->client_id, ctx->audit);
	return err;
}

enum qoc_err qoc_sqlite_app_create(struct qoc_store *base, const struct qoc_app *app,
                                   const struct qoc_audit_event *audit)
{
	if (!app || !qoc_store_app_create_ok(app) || !qoc_store_audit_event_ok(audit))
		return QOC_EINVAL;
	struct qoc_arena tmp;
	qoc_arena_init(&tmp, 0);
	struct change_ctx ctx = {.app = app, .audit = audit, .tmp = &tmp};
	enum qoc_err err = qoc_store_app_encode(&tmp, app, &ctx.enc);
	if (!err)
		err = qoc_sqlite_write_tx(qoc_sqlite_from(base), create_work, &ctx);
	qoc_arena_release(&tmp);
	return err;
}

/* --- changes --- */

static enum qoc_err apply_update(struct qoc_sqlite_conn *c, struct change_ctx *ctx)
{
	const struct qoc_app *app = ctx->app;
	const struct qoc_store_app_enc *e = &ctx->enc;
	if (ctx->head.revision != app->revision)
		return QOC_ECONFLICT; /* changed since the caller read it */
	if (qoc_store_app_is_public(ctx->head.type) && !app->pkce_required)
		return QOC_EINVAL;
	return qoc_sqlite_run(
	    c, &sql_update, "app_update", NULL, "ttttttttttiiiitti", app->client_id, app->name,
	    e->name_norm, app->description ? app->description : "", app->status, e->redirect,
	    e->origins, e->sso, e->logout, e->grants, app->access_token_lifetime,
	    app->refresh_token_lifetime, app->id_token_lifetime, (int64_t)app->pkce_required,
	    app->token_format, app->id_token_signed_response_alg, ctx->audit->at);
}

enum qoc_err qoc_sqlite_app_update(struct qoc_store *base, const struct qoc_app *app,
                                   const struct qoc_audit_event *audit)
{
	if (!app || !qoc_store_app_settings_ok(app))
		return QOC_EINVAL;
	struct change_ctx ctx = {
	    .client_id = app->client_id, .audit = audit, .app = app, .apply = apply_update};
	return run_change(base, &ctx);
}

static enum qoc_err apply_status(struct qoc_sqlite_conn *c, struct change_ctx *ctx)
{
	return qoc_sqlite_run(c, &sql_set_status, "app_set_status", NULL, "tti", ctx->client_id,
	                      ctx->text, ctx->audit->at);
}

enum qoc_err qoc_sqlite_app_set_status(struct qoc_store *base, const char *client_id,
                                       const char *status, const struct qoc_audit_event *audit)
{
	if (!qoc_store_app_status_ok(status))
		return QOC_EINVAL;
	struct change_ctx ctx = {
	    .client_id = client_id, .audit = audit, .text = status, .apply = apply_status};
	return run_change(base, &ctx);
}

static enum qoc_err apply_secret(struct qoc_sqlite_conn *c, struct change_ctx *ctx)
{
	if (qoc_store_app_is_public(ctx->head.type))
		return QOC_EPERM;
	return qoc_sqlite_run(c, &sql_set_secret, "app_secret_replace", NULL, "tbbi",
	                      ctx->client_id, (const void *)ctx->b1, ctx->n1, (const void *)ctx->b2,
	                      ctx->n2, ctx->audit->at);
}

enum qoc_err qoc_sqlite_app_secret_replace(struct qoc_store *base, const char *client_id,
                                           const unsigned char *hash, size_t hash_len,
                                           const unsigned char *sealed, size_t sealed_len,
                                           const struct qoc_audit_event *audit)
{
	if (!hash || !hash_len || !sealed || !sealed_len || (audit && audit->at <= 0))
		return QOC_EINVAL;
	struct change_ctx ctx = {.client_id = client_id,
	                         .audit = audit,
	                         .b1 = hash,
	                         .n1 = hash_len,
	                         .b2 = sealed,
	                         .n2 = sealed_len,
	                         .apply = apply_secret};
	return run_change(base, &ctx);
}

static enum qoc_err apply_icon(struct qoc_sqlite_conn *c, struct change_ctx *ctx)
{
	enum qoc_err err;
	if (ctx->b1)
		err = qoc_sqlite_run(c, &sql_icon_put, "app_set_icon", NULL, "ttb", ctx->client_id,
		                     ctx->text, (const void *)ctx->b1, ctx->n1);
	else
		err = qoc_sqlite_run(c, &sql_icon_delete, "app_clear_icon", NULL, "t",
		                     ctx->client_id);
	if (!err)
		err = qoc_sqlite_run(c, &sql_bump, "app icon: bump", NULL, "ti", ctx->client_id,
		                     ctx->audit->at);
	return err;
}

enum qoc_err qoc_sqlite_app_set_icon(struct qoc_store *base, const char *client_id,
                                     const unsigned char *icon, size_t icon_len,
                                     const char *icon_type, const struct qoc_audit_event *audit)
{
	if (!icon || !icon_len || !qoc_store_nonempty(icon_type))
		return QOC_EINVAL;
	struct change_ctx ctx = {.client_id = client_id,
	                         .audit = audit,
	                         .b1 = icon,
	                         .n1 = icon_len,
	                         .text = icon_type,
	                         .apply = apply_icon};
	return run_change(base, &ctx);
}

enum qoc_err qoc_sqlite_app_clear_icon(struct qoc_store *base, const char *client_id,
                                       const struct qoc_audit_event *audit)
{
	struct change_ctx ctx = {.client_id = client_id, .audit = audit, .apply = apply_icon};
	return run_change(base, &ctx);
}

static enum qoc_err apply_transfer(struct qoc_sqlite_conn *c, struct change_ctx *ctx)
{
	enum qoc_role role;
	enum qoc_err err = qoc_sqlite_role_in(c, ctx->head.team_id, ctx->text, &role);
	if (err == QOC_ENOTFOUND)
		return QOC_EPERM; /* the new owner must be a member of the application's team */
	if (err)
		return err;
	return qoc_sqlite_run(c, &sql_set_owner, "app_transfer", NULL, "tti", ctx->client_id,
	                      ctx->text, ctx->audit->at);
}

enum qoc_err qoc_sqlite_app_transfer(struct qoc_store *base, const char *client_id,
                                     const char *new_owner_id, const struct qoc_audit_event *audit)
{
	if (!qoc_store_nonempty(new_owner_id))
		return QOC_EINVAL;
	struct change_ctx ctx = {
	    .client_id = client_id, .audit = audit, .text = new_owner_id, .apply = apply_transfer};
	return run_change(base, &ctx);
}

/* ON DELETE CASCADE takes the icon (and, as they are added, codes, tokens, grants and
 * analytics) in this same statement; audit_log has no foreign key, so it stays. */
static enum qoc_err apply_delete(struct qoc_sqlite_conn *c, struct change_ctx *ctx)
{
	return qoc_sqlite_run(c, &sql_delete, "app_delete", NULL, "t", ctx->client_id);
}

enum qoc_err qoc_sqlite_app_delete(struct qoc_store *base, const char *client_id,
                                   const struct qoc_audit_event *audit)
{
	struct change_ctx ctx = {.client_id = client_id, .audit = audit, .apply = apply_delete};
	return run_change(base, &ctx);
}

struct touch_ctx {
	const char *client_id;
	int64_t at;
};

static enum qoc_err touch_work(struct qoc_sqlite_conn *c, void *arg)
{
	const struct touch_ctx *t = arg;
	/* Only last_used_at moves: cached copies stay valid (sqlite_appgen.c). */
	c->touching_last_used = true;
	enum qoc_err err = qoc_sqlite_run(c, &sql_touch, "app_touch_last_used", NULL, "ti",
	                                  t->client_id, t->at);
	c->touching_last_used = false;
	return err;
}

enum qoc_err qoc_sqlite_app_touch_last_used(struct qoc_store *base, const char *client_id,
                                            int64_t at)
{
	if (!qoc_store_nonempty(client_id))
		return QOC_EINVAL;
	/* Every successful protocol call may touch: share the commit with the other writes. */
	struct touch_ctx t = {.client_id = client_id, .at = at};
	return qoc_sqlite_batch_write(qoc_sqlite_from(base), touch_work, &t);
}

/* --- reads --- */

/* A JSON list column; a value that is not an array of strings is a corrupt row. */
static enum qoc_err col_list(struct qoc_arena *a, sqlite3_stmt *s, int col,
                             struct qoc_str_list *out)
{
	enum qoc_err err =
	    qoc_store_list_from_json(a, (const char *)sqlite3_column_text(s, col), out);
	if (err == QOC_EINVAL) {
		qoc_log_error("store: application row holds a malformed list", "column=%d", col);
		err = QOC_EDB;
	}
	return err;
}

enum qoc_err qoc_sqlite_read_app(struct qoc_arena *a, sqlite3_stmt *s, struct qoc_app *out)
{
	enum qoc_err err;
	memset(out, 0, sizeof(*out));
	if ((err = qoc_sqlite_col_text(a, s, 0, &out->client_id)) ||
	    (err = qoc_sqlite_col_text(a, s, 1, &out->team_id)) ||
	    (err = qoc_sqlite_col_text(a, s, 2, &out->owner_id)) ||
	    (err = qoc_sqlite_col_text(a, s, 3, &out->name)) ||
	    (err = qoc_sqlite_col_text(a, s, 4, &out->description)) ||
	    (err = qoc_sqlite_col_text(a, s, 5, &out->type)) ||
	    (err = qoc_sqlite_col_text(a, s, 6, &out->status)) ||
	    (err = col_list(a, s, 7, &out->redirect_uris)) ||
	    (err = col_list(a, s, 8, &out->allowed_origins)) ||
	    (err = col_list(a, s, 9, &out->sso_redirect_uris)) ||
	    (err = col_list(a, s, 10, &out->logout_uris)) ||
	    (err = col_list(a, s, 11, &out->grant_types)) ||
	    (err = qoc_sqlite_col_text(a, s, 16, &out->token_format)) ||
	    (err = qoc_sqlite_col_text(a, s, 17, &out->id_token_signed_response_alg)) ||
	    (err = qoc_sqlite_col_text(a, s, 23, &out->icon_type)))
		return err;
	out->access_token_lifetime = sqlite3_column_int64(s, 12);
	out->refresh_token_lifetime = sqlite3_column_int64(s, 13);
	out->id_token_lifetime = sqlite3_column_int64(s, 14);
	out->pkce_required = sqlite3_column_int(s, 15) != 0;
	out->secret_created_at = sqlite3_column_int64(s, 18); /* NULL reads as 0 */
	out->created_at = sqlite3_column_int64(s, 19);
	out->updated_at = sqlite3_column_int64(s, 20);
	out->last_used_at = sqlite3_column_int64(s, 21);
	out->revision = sqlite3_column_int64(s, 22);
	return QOC_OK;
}

struct get_ctx {
	struct qoc_arena *a;
	const char *client_id;
	struct qoc_app *app;
	const unsigned char **icon;
	size_t *icon_len;
	const char **icon_type;
};

static enum qoc_err get_work(struct qoc_sqlite_conn *c, void *arg)
{
	struct get_ctx *ctx = arg;
	struct qoc_app *out = ctx->app;
	sqlite3_stmt *s;
	enum qoc_err err = qoc_sqlite_bound(c, &sql_get, "app_get", &s, "t", ctx->client_id);
	if (err)
		return err;
	err = qoc_sqlite_step_row(c, s, "app_get");
	if (!err)
		err = qoc_sqlite_read_app(ctx->a, s, out);
	if (!err &&
	    !(err = qoc_sqlite_col_blob(ctx->a, s, 24, &out->secret_hash, &out->secret_hash_len)))
		err = qoc_sqlite_col_blob(ctx->a, s, 25, &out->secret_sealed,
		                          &out->secret_sealed_len);
	qoc_sqlite_stmt_done(s);
	return err;
}

enum qoc_err qoc_sqlite_app_get(struct qoc_store *base, struct qoc_arena *a, const char *client_id,
                                struct qoc_app *out)
{
	if (!a || !out || !qoc_store_nonempty(client_id))
		return QOC_EINVAL;
	struct get_ctx ctx = {.a = a, .client_id = client_id, .app = out};
	return qoc_sqlite_with_conn(qoc_sqlite_from(base), get_work, &ctx);
}

/* The counter is loaded before the row is read: a change committed in between moves it
 * past the copy's tag, so the copy is never served stale (sqlite_appgen.c). */
enum qoc_err qoc_sqlite_client_get(struct qoc_store *base, struct qoc_arena *a,
                                   const char *client_id, struct qoc_app *out)
{
	struct qoc_sqlite_store *st = qoc_sqlite_from(base);
	if (!st->appgen.apps || !a || !out || !qoc_store_nonempty(client_id))
		return qoc_sqlite_app_get(base, a, client_id, out);
	uint64_t gen = qoc_sqlite_appgen_load(st);
	enum qoc_err err = qoc_app_cache_get(st->appgen.apps, a, client_id, gen, out);
	if (err != QOC_ENOTFOUND)
		return err;
	err = qoc_sqlite_app_get(base, a, client_id, out);
	if (!err)
		qoc_app_cache_put(st->appgen.apps, out, gen);
	return err;
}

static enum qoc_err icon_work(struct qoc_sqlite_conn *c, void *arg)
{
	struct get_ctx *ctx = arg;
	sqlite3_stmt *s;
	enum qoc_err err =
	    qoc_sqlite_bound(c, &sql_icon_get, "app_get_icon", &s, "t", ctx->client_id);
	if (err)
		return err;
	err = qoc_sqlite_step_row(c, s, "app_get_icon");
	if (!err && !(err = qoc_sqlite_col_text(ctx->a, s, 0, ctx->icon_type)))
		err = qoc_sqlite_col_blob(ctx->a, s, 1, ctx->icon, ctx->icon_len);
	qoc_sqlite_stmt_done(s);
	return err;
}

enum qoc_err qoc_sqlite_app_get_icon(struct qoc_store *base, struct qoc_arena *a,
                                     const char *client_id, const unsigned char **icon,
                                     size_t *icon_len, const char **icon_type)
{
	if (!a || !icon || !icon_len || !icon_type || !qoc_store_nonempty(client_id))
		return QOC_EINVAL;
	*icon = NULL;
	*icon_len = 0;
	*icon_type = NULL;
	struct get_ctx ctx = {.a = a,
	                      .client_id = client_id,
	                      .icon = icon,
	                      .icon_len = icon_len,
	                      .icon_type = icon_type};
	return qoc_sqlite_with_conn(qoc_sqlite_from(base), icon_work, &ctx);
}
