/* sqlite_accounts.c - accounts (people who sign in to the console). */
#include "store/sqlite/sqlite_internal.h"

#include <string.h>

static struct qoc_sqlite_sql sql_insert = {
    .text = "INSERT INTO accounts"
            " (id, email, email_norm, name, password_hash, is_admin, created_at)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"};
static struct qoc_sqlite_sql sql_by_email = {
    .text = "SELECT id, email, name, password_hash, is_admin, created_at"
            " FROM accounts WHERE email_norm = ?1"};

struct create_ctx {
	const struct qoc_account *acct;
	const char *email_norm;
};

static enum qoc_err create_work(struct qoc_sqlite_conn *c, void *arg)
{
	const struct create_ctx *ctx = arg;
	const struct qoc_account *acct = ctx->acct;
	sqlite3_stmt *s;
	int rc;
	enum qoc_err err = qoc_sqlite_stmt(c, &sql_insert, &s);
	if (err)
		return err;
	if ((rc = sqlite3_bind_text(s, 1, acct->id, -1, SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 2, acct->email, -1, SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 3, ctx->email_norm, -1, SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 4, acct->name, -1, SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 5, acct->password_hash, -1, SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int(s, 6, acct->is_admin ? 1 : 0)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 7, acct->created_at)) != SQLITE_OK) {
		err = qoc_sqlite_error(c, rc, "account_create: bind");
		goto out;
	}
	err = qoc_sqlite_step_done(c, s, "account_create");
out:
	qoc_sqlite_stmt_done(s);
	return err;
}

enum qoc_err qoc_sqlite_account_create(struct qoc_store *base, const struct qoc_account *acct)
{
	if (!acct || !acct->id || !acct->id[0] || !acct->email || !acct->email[0])
		return QOC_EINVAL;
	/* sqlite3_bind_text(NULL) binds SQL NULL, which is what name/password_hash want. */
	struct qoc_arena tmp;
	qoc_arena_init(&tmp, 0);
	enum qoc_err err = QOC_ENOMEM;
	struct create_ctx ctx = {.acct = acct,
	                         .email_norm = qoc_store_email_norm(&tmp, acct->email)};
	if (ctx.email_norm)
		err = qoc_sqlite_write_tx(qoc_sqlite_from(base), create_work, &ctx);
	qoc_arena_release(&tmp);
	return err;
}

struct by_email_ctx {
	struct qoc_arena *a;
	const char *email_norm;
	struct qoc_account *out;
};

static enum qoc_err by_email_work(struct qoc_sqlite_conn *c, void *arg)
{
	struct by_email_ctx *ctx = arg;
	struct qoc_account *out = ctx->out;
	sqlite3_stmt *s;
	enum qoc_err err = qoc_sqlite_stmt(c, &sql_by_email, &s);
	if (err)
		return err;
	int rc = sqlite3_bind_text(s, 1, ctx->email_norm, -1, SQLITE_STATIC);
	if (rc != SQLITE_OK) {
		err = qoc_sqlite_error(c, rc, "account_by_email: bind");
		goto out;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		err = QOC_ENOTFOUND;
		goto out;
	}
	if (rc != SQLITE_ROW) {
		err = qoc_sqlite_error(c, rc, "account_by_email");
		goto out;
	}
	memset(out, 0, sizeof(*out));
	if ((err = qoc_sqlite_col_text(ctx->a, s, 0, &out->id)) ||
	    (err = qoc_sqlite_col_text(ctx->a, s, 1, &out->email)) ||
	    (err = qoc_sqlite_col_text(ctx->a, s, 2, &out->name)) ||
	    (err = qoc_sqlite_col_text(ctx->a, s, 3, &out->password_hash)))
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
	struct by_email_ctx ctx = {
	    .a = a, .out = out, .email_norm = qoc_store_email_norm(a, email)};
	if (!ctx.email_norm)
		return QOC_ENOMEM;
	return qoc_sqlite_with_conn(qoc_sqlite_from(base), by_email_work, &ctx);
}
