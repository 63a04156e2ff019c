/* sqlite_accounts.c - accounts (people who sign in to the console) and, made with each,
 * its personal team. */
#include "store/sqlite/sqlite_internal.h"

#include <string.h>

#include "store/store_check.h"
#include "store/store_codec.h"

#define ACCOUNT_COLUMNS "id, email, name, password_hash, is_admin, created_at, personal_team_id"

static struct qoc_sqlite_sql sql_insert = {
    .text = "INSERT INTO accounts"
            " (id, email, email_norm, name, password_hash, is_admin, created_at,"
            " personal_team_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"};
static struct qoc_sqlite_sql sql_insert_team = {
    .text = "INSERT INTO teams (id, name, personal, created_at) VALUES (?1, ?2, 1, ?3)"};
static struct qoc_sqlite_sql sql_by_email = {.text = "SELECT " ACCOUNT_COLUMNS
                                                     " FROM accounts WHERE email_norm = ?1"};
static struct qoc_sqlite_sql sql_by_id = {.text = "SELECT " ACCOUNT_COLUMNS
                                                  " FROM accounts WHERE id = ?1"};
static struct qoc_sqlite_sql sql_admin_exists = {
    .text = "SELECT EXISTS (SELECT 1 FROM accounts WHERE is_admin <> 0)"};

struct create_ctx {
	const struct qoc_account *acct;
	struct qoc_store_account_enc enc;
};

static enum qoc_err insert_team(struct qoc_sqlite_conn *c, const struct create_ctx *ctx)
{
	const struct qoc_account *acct = ctx->acct;
	sqlite3_stmt *s;
	int rc;
	enum qoc_err err = qoc_sqlite_stmt(c, &sql_insert_team, &s);
	if (err)
		return err;
	if ((rc = sqlite3_bind_text(s, 1, ctx->enc.team_id, -1, SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 2, ctx->enc.team_name, -1, SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 3, acct->created_at)) != SQLITE_OK) {
		err = qoc_sqlite_error(c, rc, "account_create: bind team");
		goto out;
	}
	err = qoc_sqlite_step_done(c, s, "account_create: team");
out:
	qoc_sqlite_stmt_done(s);
	return err;
}

static enum qoc_err insert_account(struct qoc_sqlite_conn *c, const struct create_ctx *ctx)
{
	const struct qoc_account *acct = ctx->acct;
	sqlite3_stmt *s;
	int rc;
	enum qoc_err err = qoc_sqlite_stmt(c, &sql_insert, &s);
	if (err)
		return err;
	/* sqlite3_bind_text(NULL) binds SQL NULL, which is what name/password_hash want. */
	if ((rc = sqlite3_bind_text(s, 1, acct->id, -1, SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 2, acct->email, -1, SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 3, ctx->enc.email_norm, -1, SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 4, acct->name, -1, SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 5, acct->password_hash, -1, SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int(s, 6, acct->is_admin ? 1 : 0)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 7, acct->created_at)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 8, ctx->enc.team_id, -1, SQLITE_STATIC)) != SQLITE_OK) {
		err = qoc_sqlite_error(c, rc, "account_create: bind");
		goto out;
	}
	err = qoc_sqlite_step_done(c, s, "account_create");
out:
	qoc_sqlite_stmt_done(s);
	return err;
}

/* The team first: the account row names it, and the membership names both. */
static enum qoc_err create_work(struct qoc_sqlite_conn *c, void *arg)
{
	const struct create_ctx *ctx = arg;
	enum qoc_err err = insert_team(c, ctx);
	if (!err)
		err = insert_account(c, ctx);
	if (!err)
		err = qoc_sqlite_membership_insert(c, ctx->enc.team_id, ctx->acct->id,
		                                   QOC_ROLE_ADMIN, ctx->acct->created_at);
	return err;
}

enum qoc_err qoc_sqlite_account_create(struct qoc_store *base, const struct qoc_account *acct)
{
	if (!qoc_store_account_create_ok(acct))
		return QOC_EINVAL;
	struct qoc_arena tmp;
	qoc_arena_init(&tmp, 0);
	struct create_ctx ctx = {.acct = acct};
	enum qoc_err err = qoc_store_account_encode(&tmp, acct, &ctx.enc);
	if (!err)
		err = qoc_sqlite_write_tx(qoc_sqlite_from(base), create_work, &ctx);
	qoc_arena_release(&tmp);
	return err;
}

struct lookup_ctx {
	struct qoc_arena *a;
	struct qoc_sqlite_sql *sql;
	const char *key;
	struct qoc_account *out;
};

static enum qoc_err lookup_work(struct qoc_sqlite_conn *c, void *arg)
{
	struct lookup_ctx *ctx = arg;
	struct qoc_account *out = ctx->out;
	sqlite3_stmt *s;
	enum qoc_err err = qoc_sqlite_stmt(c, ctx->sql, &s);
	if (err)
		return err;
	int rc = sqlite3_bind_text(s, 1, ctx->key, -1, SQLITE_STATIC);
	if (rc != SQLITE_OK) {
		err = qoc_sqlite_error(c, rc, "account lookup: bind");
		goto out;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		err = QOC_ENOTFOUND;
		goto out;
	}
	if (rc != SQLITE_ROW) {
		err = qoc_sqlite_error(c, rc, "account lookup");
		goto out;
	}
	memset(out, 0, sizeof(*out));
	if ((err = qoc_sqlite_col_text(ctx->a, s, 0, &out->id)) ||
	    (err = qoc_sqlite_col_text(ctx->a, s, 1, &out->email)) ||
	    (err = qoc_sqlite_col_text(ctx->a, s, 2, &out->name)) ||
	    (err = qoc_sqlite_col_text(ctx->a, s, 3, &out->password_hash)) ||
	    (err = qoc_sqlite_col_text(ctx->a, s, 6, &out->personal_team_id)))
		goto out;
	out->is_admin = sqlite3_column_int(s, 4) != 0;
	out->created_at = sqlite3_column_int64(s, 5);
out:
	qoc_sqlite_stmt_done(s);
	return err;
}

enum qoc_err qoc_sqlite_account_by_email(struct qoc_store *base, struct qoc_arena *a,
                                         const char *email, struct qoc_account *out)
{
	if (!a || !out || !email || !email[0])
		return QOC_EINVAL;
	struct lookup_ctx ctx = {
	    .a = a, .sql = &sql_by_email, .out = out, .key = qoc_store_email_norm(a, email)};
	if (!ctx.key)
		return QOC_ENOMEM;
	return qoc_sqlite_with_conn(qoc_sqlite_from(base), lookup_work, &ctx);
}

enum qoc_err qoc_sqlite_account_by_id(struct qoc_store *base, struct qoc_arena *a, const char *id,
                                      struct qoc_account *out)
{
	if (!a || !out || !id || !id[0])
		return QOC_EINVAL;
	struct lookup_ctx ctx = {.a = a, .sql = &sql_by_id, .out = out, .key = id};
	return qoc_sqlite_with_conn(qoc_sqlite_from(base), lookup_work, &ctx);
}

static enum qoc_err admin_exists_work(struct qoc_sqlite_conn *c, void *arg)
{
	bool *out = arg;
	sqlite3_stmt *s;
	enum qoc_err err = qoc_sqlite_stmt(c, &sql_admin_exists, &s);
	if (err)
		return err;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(s, 0) != 0;
	else
		err = qoc_sqlite_error(c, rc, "account_admin_exists");
	qoc_sqlite_stmt_done(s);
	return err;
}

enum qoc_err qoc_sqlite_account_admin_exists(struct qoc_store *base, bool *out)
{
	*out = false;
	return qoc_sqlite_with_conn(qoc_sqlite_from(base), admin_exists_work, out);
}
