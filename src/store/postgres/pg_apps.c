/* pg_apps.c - applications: create, read, and every change, each in one transaction
 * with its audit entry. Listing is in pg_apps_list.c. */
#include "store/postgres/pg_internal.h"

#include <string.h>

#include "core/log.h"
#include "store/store_check.h"
#include "store/store_codec.h"

static struct qoc_pg_sql sql_insert = {
    .text = "INSERT INTO applications (client_id, team_id, owner_id, name, name_norm,"
            " description, type, status, redirect_uris, allowed_origins, sso_redirect_uris,"
            " logout_uris, grant_types, access_token_lifetime, refresh_token_lifetime,"
            " id_token_lifetime, pkce_required, token_format, id_token_signed_response_alg,"
            " secret_hash, secret_sealed, secret_created_at, created_at, updated_at, revision)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,"
            " $17 <> 0, $18, $19, $20, $21, nullif($22, 0), $23, $24, 1)"};
static struct qoc_pg_sql sql_get = {.text = "SELECT " QOC_PG_APP_COLUMNS
                                            ", a.secret_hash, a.secret_sealed"
                                            " FROM applications a WHERE a.client_id = $1"};
/* Every change locks the row first: changes of one application are serialized across
 * nodes, and the revision check of app_update is made under that lock. */
static struct qoc_pg_sql sql_head = {
    .text = "SELECT team_id, type, owner_id, revision FROM applications WHERE client_id = $1"
            " FOR UPDATE"};
static struct qoc_pg_sql sql_team_exists = {.text = "SELECT 1 FROM teams WHERE id = $1"};
static struct qoc_pg_sql sql_update = {
    .text = "UPDATE applications SET name = $2, name_norm = $3, description = $4, status = $5,"
            " redirect_uris = $6, allowed_origins = $7, sso_redirect_uris = $8,"
            " logout_uris = $9, grant_types = $10, access_token_lifetime = $11,"
            " refresh_token_lifetime = $12, id_token_lifetime = $13, pkce_required = $14 <> 0,"
            " token_format = $15, id_token_signed_response_alg = $16, updated_at = $17,"
            " revision = revision + 1 WHERE client_id = $1"};
static struct qoc_pg_sql sql_set_status = {
    .text = "UPDATE applications SET status = $2, updated_at = $3, revision = revision + 1"
            " WHERE client_id = $1"};
static struct qoc_pg_sql sql_set_secret = {
    .text = "UPDATE applications SET secret_hash = $2, secret_sealed = $3,"
            " secret_created_at = $4, updated_at = $4, revision = revision + 1"
            " WHERE client_id = $1"};
static struct qoc_pg_sql sql_set_owner = {
    .text = "UPDATE applications SET owner_id = $2, updated_at = $3, revision = revision + 1"
            " WHERE client_id = $1"};
static struct qoc_pg_sql sql_bump = {
    .text = "UPDATE applications SET updated_at = $2, revision = revision + 1"
            " WHERE client_id = $1"};
static struct qoc_pg_sql sql_icon_put = {
    .text = "INSERT INTO application_icons (client_id, icon_type, icon) VALUES ($1, $2, $3)"
            " ON CONFLICT (client_id) DO UPDATE SET icon_type = excluded.icon_type,"
            " icon = excluded.icon"};
static struct qoc_pg_sql sql_icon_delete = {
    .text = "DELETE FROM application_icons WHERE client_id = $1"};
static struct qoc_pg_sql sql_icon_get = {
    .text = "SELECT icon_type, icon FROM application_icons WHERE client_id = $1"};
static struct qoc_pg_sql sql_delete = {.text = "DELETE FROM applications WHERE client_id = $1"};
static struct qoc_pg_sql sql_touch = {
    .text = "UPDATE applications SET last_used_at = $2"
            " WHERE client_id = $1 AND (last_used_at IS NULL OR last_used_at < $2)"};

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
	enum qoc_err (*apply)(struct qoc_pg_conn *c, struct change_ctx *ctx);
};

static enum qoc_err read_head_row(struct qoc_arena *a, const PGresult *r, int row, void *arg)
{
	struct app_head *h = arg;
	enum qoc_err err;
	if ((err = qoc_pg_col_text(a, r, row, 0, &h->team_id)) ||
	    (err = qoc_pg_col_text(a, r, row, 1, &h->type)) ||
	    (err = qoc_pg_col_text(a, r, row, 2, &h->owner_id)))
		return err;
	h->revision = qoc_pg_col_int(r, row, 3);
	return QOC_OK;
}

static enum qoc_err read_head(struct qoc_pg_conn *c, struct change_ctx *ctx)
{
	return qoc_pg_row_on(c, &sql_head, "app: head", read_head_row, ctx->tmp, &ctx->head, "t",
	                     ctx->client_id);
}

/* Reads the row (QOC_ENOTFOUND), applies the op, writes the audit entry. */
static enum qoc_err change_work(struct qoc_pg_conn *c, void *arg)
{
	struct change_ctx *ctx = arg;
	enum qoc_err err = read_head(c, ctx);
	if (!err)
		err = ctx->apply(c, ctx);
	if (!err)
		err = qoc_pg_audit_insert(c, ctx->head.team_id, ctx->client_id, ctx->audit);
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
		err = qoc_pg_tx(qoc_pg_from(base), change_work, ctx);
	qoc_arena_release(&tmp);
	return err;
}

/* --- create --- */

static enum qoc_err insert_app(struct qoc_pg_conn *c, const struct qoc_app *app,
                               const struct qoc_store_app_enc *e)
{
	return qoc_pg_run(
	    c, &sql_insert, "app_create", NULL, "tttttttttttttiiiittbbiii", app->client_id,
	    app->team_id, app->owner_id, app->name, e->name_norm,
	    app->description ? app->description : "", app->type, app->status, e->redirect,
	    e->origins, e->sso, e->logout, e->grants, app->access_token_lifetime,
	    app->refresh_token_lifetime, app->id_token_lifetime, (int64_t)app->pkce_required,
	    app->token_format, app->id_token_signed_response_alg, (const void *)app->secret_hash,
	    app->secret_hash_len, (const void *)app->secret_sealed, app->secret_sealed_len,
	    app->secret_created_at, app->created_at, app->updated_at);
}

static enum qoc_err create_work(struct qoc_pg_conn *c, void *arg)
{
	struct change_ctx *ctx = arg;
	const struct qoc_app *app = ctx->app;
	PGresult *r;
	enum qoc_role role;
	enum qoc_err err =
	    qoc_pg_exec(c, &sql_team_exists, "app_create: team", &r, "t", app->team_id);
	if (err)
		return err;
	err = PQntuples(r) > 0 ? QOC_OK : QOC_ENOTFOUND;
	PQclear(r);
	if (!err) {
		err = qoc_pg_role_in(c, app->team_id, app->owner_id, &role);
		if (err == QOC_ENOTFOUND)
			err = QOC_EPERM; /* the owner must be a member of the team */
	}
	if (!err)
		err = insert_app(c, app, &ctx->enc);
	if (!err)
		err = qoc_pg_audit_insert(c, app->team_id, app->client_id, ctx->audit);
	return err;
}

enum qoc_err qoc_pg_app_create(struct qoc_store *base, const struct qoc_app *app,
                               const struct qoc_audit_event *audit)
{
	if (!app || !qoc_store_app_create_ok(app) || !qoc_store_audit_event_ok(audit))
		return QOC_EINVAL;
	struct qoc_arena tmp;
	qoc_arena_init(&tmp, 0);
	struct change_ctx ctx = {.app = app, .audit = audit, .tmp = &tmp};
	enum qoc_err err = qoc_store_app_encode(&tmp, app, &ctx.enc);
	if (!err)
		err = qoc_pg_tx(qoc_pg_from(base), create_work, &ctx);
	qoc_arena_release(&tmp);
	return err;
}

/* --- changes --- */

static enum qoc_err apply_update(struct qoc_pg_conn *c, struct change_ctx *ctx)
{
	const struct qoc_app *app = ctx->app;
	const struct qoc_store_app_enc *e = &ctx->enc;
	if (ctx->head.revision != app->revision)
		return QOC_ECONFLICT; /* changed since the caller read it */
	if (qoc_store_app_is_public(ctx->head.type) && !app->pkce_required)
		return QOC_EINVAL;
	return qoc_pg_run(c, &sql_update, "app_update", NULL, "ttttttttttiiiitti", app->client_id,
	                  app->name, e->name_norm, app->description ? app->description : "",
	                  app->status, e->redirect, e->origins, e->sso, e->logout, e->grants,
	                  app->access_token_lifetime, app->refresh_token_lifetime,
	                  app->id_token_lifetime, (int64_t)app->pkce_required, app->token_format,
	                  app->id_token_signed_response_alg, ctx->audit->at);
}

enum qoc_err qoc_pg_app_update(struct qoc_store *base, const struct qoc_app *app,
                               const struct qoc_audit_event *audit)
{
	if (!app || !qoc_store_app_settings_ok(app))
		return QOC_EINVAL;
	struct change_ctx ctx = {
	    .client_id = app->client_id, .audit = audit, .app = app, .apply = apply_update};
	return run_change(base, &ctx);
}

static enum qoc_err apply_status(struct qoc_pg_conn *c, struct change_ctx *ctx)
{
	return qoc_pg_run(c, &sql_set_status, "app_set_status", NULL, "tti", ctx->client_id,
	                  ctx->text, ctx->audit->at);
}

enum qoc_err qoc_pg_app_set_status(struct qoc_store *base, const char *client_id,
                                   const char *status, const struct qoc_audit_event *audit)
{
	if (!qoc_store_app_status_ok(status))
		return QOC_EINVAL;
	struct change_ctx ctx = {
	    .client_id = client_id, .audit = audit, .text = status, .apply = apply_status};
	return run_change(base, &ctx);
}

static enum qoc_err apply_secret(struct qoc_pg_conn *c, struct change_ctx *ctx)
{
	if (qoc_store_app_is_public(ctx->head.type))
		return QOC_EPERM;
	return qoc_pg_run(c, &sql_set_secret, "app_secret_replace", NULL, "tbbi", ctx->client_id,
	                  (const void *)ctx->b1, ctx->n1, (const void *)ctx->b2, ctx->n2,
	                  ctx->audit->at);
}

enum qoc_err qoc_pg_app_secret_replace(struct qoc_store *base, const char *client_id,
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

static enum qoc_err apply_icon(struct qoc_pg_conn *c, struct change_ctx *ctx)
{
	enum qoc_err err;
	if (ctx->b1)
		err = qoc_pg_run(c, &sql_icon_put, "app_set_icon", NULL, "ttb", ctx->client_id,
		                 ctx->text, (const void *)ctx->b1, ctx->n1);
	else
		err = qoc_pg_run(c, &sql_icon_delete, "app_clear_icon", NULL, "t", ctx->client_id);
	if (!err)
		err = qoc_pg_run(c, &sql_bump, "app icon: bump", NULL, "ti", ctx->client_id,
		                 ctx->audit->at);
	return err;
}

enum qoc_err qoc_pg_app_set_icon(struct qoc_store *base, const char *client_id,
                                 const unsigned char *icon, size_t icon_len, const char *icon_type,
                                 const struct qoc_audit_event *audit)
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

enum qoc_err qoc_pg_app_clear_icon(struct qoc_store *base, const char *client_id,
                                   const struct qoc_audit_event *audit)
{
	struct change_ctx ctx = {.client_id = client_id, .audit = audit, .apply = apply_icon};
	return run_change(base, &ctx);
}

static enum qoc_err apply_transfer(struct qoc_pg_conn *c, struct change_ctx *ctx)
{
	enum qoc_role role;
	enum qoc_err err = qoc_pg_role_in(c, ctx->head.team_id, ctx->text, &role);
	if (err == QOC_ENOTFOUND)
		return QOC_EPERM; /* the new owner must be a member of the application's team */
	if (err)
		return err;
	return qoc_pg_run(c, &sql_set_owner, "app_transfer", NULL, "tti", ctx->client_id, ctx->text,
	                  ctx->audit->at);
}

enum qoc_err qoc_pg_app_transfer(struct qoc_store *base, const char *client_id,
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
static enum qoc_err apply_delete(struct qoc_pg_conn *c, struct change_ctx *ctx)
{
	return qoc_pg_run(c, &sql_delete, "app_delete", NULL, "t", ctx->client_id);
}

enum qoc_err qoc_pg_app_delete(struct qoc_store *base, const char *client_id,
                               const struct qoc_audit_event *audit)
{
	struct change_ctx ctx = {.client_id = client_id, .audit = audit, .apply = apply_delete};
	return run_change(base, &ctx);
}

struct touch_ctx {
	const char *client_id;
	int64_t at;
};

static enum qoc_err touch_work(struct qoc_pg_conn *c, void *arg)
{
	const struct touch_ctx *t = arg;
	return qoc_pg_run(c, &sql_touch, "app_touch_last_used", NULL, "ti", t->client_id, t->at);
}

enum qoc_err qoc_pg_app_touch_last_used(struct qoc_store *base, const char *client_id, int64_t at)
{
	if (!qoc_store_nonempty(client_id))
		return QOC_EINVAL;
	/* One autocommit statement; repeating it is harmless (max), so a lost connection is
	 * retried on a fresh one. */
	struct touch_ctx t = {.client_id = client_id, .at = at};
	return qoc_pg_with_conn(qoc_pg_from(base), true, touch_work, &t);
}

/* --- reads --- */

/* A JSON list column; a value that is not an array of strings is a corrupt row. */
static enum qoc_err col_list(struct qoc_arena *a, const PGresult *r, int row, int col,
                             struct qoc_str_list *out)
{
	enum qoc_err err = qoc_store_list_from_json(
	    a, PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col), out);
	if (err == QOC_EINVAL) {
		qoc_log_error("store: application row holds a malformed list", "column=%d", col);
		err = QOC_EDB;
	}
	return err;
}

enum qoc_err qoc_pg_read_app(struct qoc_arena *a, const PGresult *r, int row, struct qoc_app *out)
{
	enum qoc_err err;
	memset(out, 0, sizeof(*out));
	if ((err = qoc_pg_col_text(a, r, row, 0, &out->client_id)) ||
	    (err = qoc_pg_col_text(a, r, row, 1, &out->team_id)) ||
	    (err = qoc_pg_col_text(a, r, row, 2, &out->owner_id)) ||
	    (err = qoc_pg_col_text(a, r, row, 3, &out->name)) ||
	    (err = qoc_pg_col_text(a, r, row, 4, &out->description)) ||
	    (err = qoc_pg_col_text(a, r, row, 5, &out->type)) ||
	    (err = qoc_pg_col_text(a, r, row, 6, &out->status)) ||
	    (err = col_list(a, r, row, 7, &out->redirect_uris)) ||
	    (err = col_list(a, r, row, 8, &out->allowed_origins)) ||
	    (err = col_list(a, r, row, 9, &out->sso_redirect_uris)) ||
	    (err = col_list(a, r, row, 10, &out->logout_uris)) ||
	    (err = col_list(a, r, row, 11, &out->grant_types)) ||
	    (err = qoc_pg_col_text(a, r, row, 16, &out->token_format)) ||
	    (err = qoc_pg_col_text(a, r, row, 17, &out->id_token_signed_response_alg)) ||
	    (err = qoc_pg_col_text(a, r, row, 23, &out->icon_type)))
		return err;
	out->access_token_lifetime = qoc_pg_col_int(r, row, 12);
	out->refresh_token_lifetime = qoc_pg_col_int(r, row, 13);
	out->id_token_lifetime = qoc_pg_col_int(r, row, 14);
	out->pkce_required = qoc_pg_col_bool(r, row, 15);
	out->secret_created_at = qoc_pg_col_int(r, row, 18); /* NULL reads as 0 */
	out->created_at = qoc_pg_col_int(r, row, 19);
	out->updated_at = qoc_pg_col_int(r, row, 20);
	out->last_used_at = qoc_pg_col_int(r, row, 21);
	out->revision = qoc_pg_col_int(r, row, 22);
	return QOC_OK;
}

struct get_ctx {
	const unsigned char **icon;
	size_t *icon_len;
	const char **icon_type;
};

static enum qoc_err read_full(struct qoc_arena *a, const PGresult *r, int row, void *arg)
{
	struct qoc_app *out = arg;
	enum qoc_err err = qoc_pg_read_app(a, r, row, out);
	if (!err &&
	    !(err = qoc_pg_col_blob(a, r, row, 24, &out->secret_hash, &out->secret_hash_len)))
		err = qoc_pg_col_blob(a, r, row, 25, &out->secret_sealed, &out->secret_sealed_len);
	return err;
}

enum qoc_err qoc_pg_app_get(struct qoc_store *base, struct qoc_arena *a, const char *client_id,
                            struct qoc_app *out)
{
	if (!a || !out || !qoc_store_nonempty(client_id))
		return QOC_EINVAL;
	return qoc_pg_read_one(qoc_pg_from(base), a, read_full, out, &sql_get, "app_get", "t",
	                       client_id);
}

static enum qoc_err read_icon(struct qoc_arena *a, const PGresult *r, int row, void *arg)
{
	struct get_ctx *ctx = arg;
	enum qoc_err err = qoc_pg_col_text(a, r, row, 0, ctx->icon_type);
	if (!err)
		err = qoc_pg_col_blob(a, r, row, 1, ctx->icon, ctx->icon_len);
	return err;
}

enum qoc_err qoc_pg_app_get_icon(struct qoc_store *base, struct qoc_arena *a, const char *client_id,
                                 const unsigned char **icon, size_t *icon_len,
                                 const char **icon_type)
{
	if (!a || !icon || !icon_len || !icon_type || !qoc_store_nonempty(client_id))
		return QOC_EINVAL;
	*icon = NULL;
	*icon_len = 0;
	*icon_type = NULL;
	struct get_ctx ctx = {.icon = icon, .icon_len = icon_len, .icon_type = icon_type};
	return qoc_pg_read_one(qoc_pg_from(base), a, read_icon, &ctx, &sql_icon_get, "app_get_icon",
	                       "t", client_id);
}
