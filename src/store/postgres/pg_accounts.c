/* pg_accounts.c - accounts and, made with each, its personal team. */
#include "store/postgres/pg_internal.h"

#include <string.h>

#include "store/store_check.h"
#include "store/store_codec.h"

#define ACCOUNT_COLUMNS "id, email, name, password_hash, is_admin, created_at, personal_team_id"

static struct qoc_pg_sql sql_insert = {
    .text = "INSERT INTO accounts"
            " (id, email, email_norm, name, password_hash, is_admin, created_at,"
            " personal_team_id) VALUES ($1, $2, $3, $4, $5, $6 <> 0, $7, $8)"};
static struct qoc_pg_sql sql_insert_team = {
    .text = "INSERT INTO teams (id, name, personal, created_at) VALUES ($1, $2, true, $3)"};
static struct qoc_pg_sql sql_by_email = {.text = "SELECT " ACCOUNT_COLUMNS
                                                 " FROM accounts WHERE email_norm = $1"};
static struct qoc_pg_sql sql_by_id = {.text =
                                          "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE id = $1"};
static struct qoc_pg_sql sql_admin_exists = {.text =
                                                 "SELECT 1 FROM accounts WHERE is_admin LIMIT 1"};

struct create_ctx {
	const struct qoc_account *acct;
	struct qoc_store_account_enc enc;
};

/* The team first: the account row names it, and the membership names both. */
static enum qoc_err create_work(struct qoc_pg_conn *c, void *arg)
{
	const struct create_ctx *ctx = arg;
	const struct qoc_account *acct = ctx->acct;
	enum qoc_err err = qoc_pg_run(c, &sql_insert_team, "account_create: team", NULL, "tti",
	                              ctx->enc.team_id, ctx->enc.team_name, acct->created_at);
	if (!err)
		err = qoc_pg_run(c, &sql_insert, "account_create", NULL, "tttttiit", acct->id,
		                 acct->email, ctx->enc.email_norm, acct->name, acct->password_hash,
		                 (int64_t)(acct->is_admin ? 1 : 0), acct->created_at,
		                 ctx->enc.team_id);
	if (!err)
		err = qoc_pg_membership_insert(c, ctx->enc.team_id, acct->id, QOC_ROLE_ADMIN,
		                               acct->created_at);
	return err;
}

enum qoc_err qoc_pg_account_create(struct qoc_store *base, const struct qoc_account *acct)
{
	if (!qoc_store_account_create_ok(acct))
		return QOC_EINVAL;
	struct qoc_arena tmp;
	qoc_arena_init(&tmp, 0);
	struct create_ctx ctx = {.acct = acct};
	enum qoc_err err = qoc_store_account_encode(&tmp, acct, &ctx.enc);
	if (!err)
		err = qoc_pg_tx(qoc_pg_from(base), create_work, &ctx);
	qoc_arena_release(&tmp);
	return err;
}

static enum qoc_err read_account(struct qoc_arena *a, const PGresult *r, int row, void *arg)
{
	struct qoc_account *out = arg;
	enum qoc_err err;
	memset(out, 0, sizeof(*out));
	if ((err = qoc_pg_col_text(a, r, row, 0, &out->id)) ||
	    (err = qoc_pg_col_text(a, r, row, 1, &out->email)) ||
	    (err = qoc_pg_col_text(a, r, row, 2, &out->name)) ||
	    (err = qoc_pg_col_text(a, r, row, 3, &out->password_hash)) ||
	    (err = qoc_pg_col_text(a, r, row, 6, &out->personal_team_id)))
		return err;
	out->is_admin = qoc_pg_col_bool(r, row, 4);
	out->created_at = qoc_pg_col_int(r, row, 5);
	return QOC_OK;
}

enum qoc_err qoc_pg_account_by_email(struct qoc_store *base, struct qoc_arena *a, const char *email,
                                     struct qoc_account *out)
{
	if (!a || !out || !email || !email[0])
		return QOC_EINVAL;
	const char *norm = qoc_store_email_norm(a, email);
	if (!norm)
		return QOC_ENOMEM;
	return qoc_pg_read_one(qoc_pg_from(base), a, read_account, out, &sql_by_email,
	                       "account_by_email", "t", norm);
}

enum qoc_err qoc_pg_account_by_id(struct qoc_store *base, struct qoc_arena *a, const char *id,
                                  struct qoc_account *out)
{
	if (!a || !out || !id || !id[0])
		return QOC_EINVAL;
	return qoc_pg_read_one(qoc_pg_from(base), a, read_account, out, &sql_by_id, "account_by_id",
	                       "t", id);
}

static enum qoc_err read_nothing(struct qoc_arena *a, const PGresult *r, int row, void *arg)
{
	(void)a, (void)r, (void)row, (void)arg;
	return QOC_OK;
}

enum qoc_err qoc_pg_account_admin_exists(struct qoc_store *base, bool *out)
{
	struct qoc_arena a;
	qoc_arena_init(&a, 0);
	enum qoc_err err = qoc_pg_read_one(qoc_pg_from(base), &a, read_nothing, NULL,
	                                   &sql_admin_exists, "account_admin_exists", "");
	qoc_arena_release(&a);
	*out = err == QOC_OK;
	return err == QOC_ENOTFOUND ? QOC_OK : err;
}
