/* sqlite_teams.c - teams and memberships: roles, and the rule that a team never loses its
 * last admin. Every check runs under the write lock (BEGIN IMMEDIATE) of the change it
 * guards, so two concurrent demotions cannot both pass "there is another admin". */
#include "store/sqlite/sqlite_internal.h"

#include <string.h>

#include "store/store_check.h"

static struct qoc_sqlite_sql sql_team_insert = {
    .text = "INSERT INTO teams (id, name, personal, created_at) VALUES (?1, ?2, 0, ?3)"};
static struct qoc_sqlite_sql sql_member_insert = {
    .text = "INSERT INTO memberships (team_id, account_id, role, created_at)"
            " VALUES (?1, ?2, ?3, ?4)"};
static struct qoc_sqlite_sql sql_role = {
    .text = "SELECT role FROM memberships WHERE team_id = ?1 AND account_id = ?2"};
static struct qoc_sqlite_sql sql_team_exists = {.text = "SELECT 1 FROM teams WHERE id = ?1"};
static struct qoc_sqlite_sql sql_account_exists = {.text = "SELECT 1 FROM accounts WHERE id = ?1"};
static struct qoc_sqlite_sql sql_other_admins = {
    .text = "SELECT count(*) FROM memberships"
            " WHERE team_id = ?1 AND role = 'admin' AND account_id <> ?2"};
static struct qoc_sqlite_sql sql_owns_apps = {
    .text = "SELECT 1 FROM applications WHERE team_id = ?1 AND owner_id = ?2 LIMIT 1"};
static struct qoc_sqlite_sql sql_set_role = {
    .text = "UPDATE memberships SET role = ?3 WHERE team_id = ?1 AND account_id = ?2"};
static struct qoc_sqlite_sql sql_remove = {
    .text = "DELETE FROM memberships WHERE team_id = ?1 AND account_id = ?2"};
static struct qoc_sqlite_sql sql_teams_of = {
    .text = "SELECT t.id, t.name, t.personal, t.created_at, m.role"
            " FROM memberships m JOIN teams t ON t.id = m.team_id WHERE m.account_id = ?1"
            " ORDER BY t.personal DESC, t.name, t.id"};
static struct qoc_sqlite_sql sql_members = {
    .text = "SELECT m.team_id, m.account_id, m.role, m.created_at, a.email, a.name"
            " FROM memberships m JOIN accounts a ON a.id = m.account_id"
            " WHERE m.team_id = ?1 ORDER BY a.email_norm, a.id"};

enum qoc_err qoc_sqlite_membership_insert(struct qoc_sqlite_conn *c, const char *team_id,
                                          const char *account_id, enum qoc_role role,
                                          int64_t created_at)
{
	const char *name = qoc_role_name(role);
	if (!name)
		return QOC_EINVAL;
	return qoc_sqlite_run(c, &sql_member_insert, "membership: insert", NULL, "ttti", team_id,
	                      account_id, name, created_at);
}

/* QOC_OK when sql (one text parameter) returns a row, QOC_ENOTFOUND when not. */
static enum qoc_err row_exists(struct qoc_sqlite_conn *c, struct qoc_sqlite_sql *sql,
                               const char *key)
{
	sqlite3_stmt *s;
	enum qoc_err err = qoc_sqlite_bound(c, sql, "exists", &s, "t", key);
	if (err)
		return err;
	err = qoc_sqlite_step_row(c, s, "exists");
	qoc_sqlite_stmt_done(s);
	return err;
}

/* One integer from a statement with two text parameters. */
static enum qoc_err query_count(struct qoc_sqlite_conn *c, struct qoc_sqlite_sql *sql,
                                const char *p1, const char *p2, int64_t *out)
{
	sqlite3_stmt *s;
	enum qoc_err err = qoc_sqlite_bound(c, sql, "count", &s, "tt", p1, p2);
	if (err)
		return err;
	err = qoc_sqlite_step_row(c, s, "count");
	*out = err ? 0 : sqlite3_column_int64(s, 0);
	if (err == QOC_ENOTFOUND) /* "SELECT 1 ... LIMIT 1" without a row */
		err = QOC_OK;
	qoc_sqlite_stmt_done(s);
	return err;
}

enum qoc_err qoc_sqlite_role_in(struct qoc_sqlite_conn *c, const char *team_id,
                                const char *account_id, enum qoc_role *out)
{
	sqlite3_stmt *s;
	*out = QOC_ROLE_NONE;
	enum qoc_err err =
	    qoc_sqlite_bound(c, &sql_role, "membership_role", &s, "tt", team_id, account_id);
	if (err)
		return err;
	err = qoc_sqlite_step_row(c, s, "membership_role");
	if (!err) {
		*out = qoc_role_parse((const char *)sqlite3_column_text(s, 0));
		if (*out == QOC_ROLE_NONE)
			err = QOC_EDB; /* the CHECK constraint makes this impossible */
	}
	qoc_sqlite_stmt_done(s);
	return err;
}

struct team_ctx {
	const struct qoc_team *team;
	const char *team_id;
	const char *account_id;
	enum qoc_role role;
	const struct qoc_audit_event *audit;
};

static enum qoc_err team_create_work(struct qoc_sqlite_conn *c, void *arg)
{
	const struct team_ctx *ctx = arg;
	const struct qoc_team *t = ctx->team;
	enum qoc_err err = row_exists(c, &sql_account_exists, ctx->account_id);
	if (!err)
		err = qoc_sqlite_run(c, &sql_team_insert, "team_create", NULL, "tti", t->id,
		                     t->name, t->created_at);
	if (!err)
		err = qoc_sqlite_membership_insert(c, t->id, ctx->account_id, QOC_ROLE_ADMIN,
		                                   t->created_at);
	if (!err)
		err = qoc_sqlite_audit_insert(c, t->id, NULL, ctx->audit);
	return err;
}

enum qoc_err qoc_sqlite_team_create(struct qoc_store *base, const struct qoc_team *team,
                                    const char *creator_id, const struct qoc_audit_event *audit)
{
	if (!qoc_store_team_create_ok(team, creator_id, audit))
		return QOC_EINVAL;
	struct team_ctx ctx = {.team = team, .account_id = creator_id, .audit = audit};
	return qoc_sqlite_write_tx(qoc_sqlite_from(base), team_create_work, &ctx);
}

static enum qoc_err member_add_work(struct qoc_sqlite_conn *c, void *arg)
{
	const struct team_ctx *ctx = arg;
	enum qoc_err err = row_exists(c, &sql_team_exists, ctx->team_id);
	if (!err)
		err = row_exists(c, &sql_account_exists, ctx->account_id);
	if (!err)
		err = qoc_sqlite_membership_insert(c, ctx->team_id, ctx->account_id, ctx->role,
		                                   ctx->audit->at);
	if (!err)
		err = qoc_sqlite_audit_insert(c, ctx->team_id, NULL, ctx->audit);
	return err;
}

/* The change would leave no admin: the member is an admin and no one else is. */
static enum qoc_err check_keeps_an_admin(struct qoc_sqlite_conn *c, const struct team_ctx *ctx,
                                         enum qoc_role current)
{
	if (current != QOC_ROLE_ADMIN || ctx->role == QOC_ROLE_ADMIN)
		return QOC_OK;
	int64_t others = 0;
	enum qoc_err err =
	    query_count(c, &sql_other_admins, ctx->team_id, ctx->account_id, &others);
	if (!err && others == 0)
		err = QOC_EPERM;
	return err;
}

static enum qoc_err set_role_work(struct qoc_sqlite_conn *c, void *arg)
{
	const struct team_ctx *ctx = arg;
	enum qoc_role current;
	enum qoc_err err = qoc_sqlite_role_in(c, ctx->team_id, ctx->account_id, &current);
	if (!err)
		err = check_keeps_an_admin(c, ctx, current);
	if (!err)
		err = qoc_sqlite_run(c, &sql_set_role, "member_set_role", NULL, "ttt", ctx->team_id,
		                     ctx->account_id, qoc_role_name(ctx->role));
	if (!err)
		err = qoc_sqlite_audit_insert(c, ctx->team_id, NULL, ctx->audit);
	return err;
}

static enum qoc_err remove_work(struct qoc_sqlite_conn *c, void *arg)
{
	const struct team_ctx *ctx = arg;
	enum qoc_role current;
	int64_t owns = 0;
	enum qoc_err err = qoc_sqlite_role_in(c, ctx->team_id, ctx->account_id, &current);
	if (!err)
		err = check_keeps_an_admin(c, ctx, current); /* ctx->role is NONE: a demotion */
	if (!err)
		err = query_count(c, &sql_owns_apps, ctx->team_id, ctx->account_id, &owns);
	if (!err && owns)
		err = QOC_ECONFLICT;
	if (!err)
		err = qoc_sqlite_run(c, &sql_remove, "member_remove", NULL, "tt", ctx->team_id,
		                     ctx->account_id);
	if (!err)
		err = qoc_sqlite_audit_insert(c, ctx->team_id, NULL, ctx->audit);
	return err;
}

static enum qoc_err member_change(struct qoc_store *base, qoc_sqlite_work_fn fn,
                                  const char *team_id, const char *account_id, enum qoc_role role,
                                  const struct qoc_audit_event *audit)
{
	if (!qoc_store_nonempty(team_id) || !qoc_store_nonempty(account_id) ||
	    !qoc_store_audit_event_ok(audit))
		return QOC_EINVAL;
	struct team_ctx ctx = {
	    .team_id = team_id, .account_id = account_id, .role = role, .audit = audit};
	return qoc_sqlite_write_tx(qoc_sqlite_from(base), fn, &ctx);
}

enum qoc_err qoc_sqlite_member_add(struct qoc_store *base, const char *team_id,
                                   const char *account_id, enum qoc_role role,
                                   const struct qoc_audit_event *audit)
{
	if (!qoc_role_name(role))
		return QOC_EINVAL;
	return member_change(base, member_add_work, team_id, account_id, role, audit);
}

enum qoc_err qoc_sqlite_member_set_role(struct qoc_store *base, const char *team_id,
                                        const char *account_id, enum qoc_role role,
                                        const struct qoc_audit_event *audit)
{
	if (!qoc_role_name(role))
		return QOC_EINVAL;
	return member_change(base, set_role_work, team_id, account_id, role, audit);
}

enum qoc_err qoc_sqlite_member_remove(struct qoc_store *base, const char *team_id,
                                      const char *account_id, const struct qoc_audit_event *audit)
{
	return member_change(base, remove_work, team_id, account_id, QOC_ROLE_NONE, audit);
}

static enum qoc_err role_work(struct qoc_sqlite_conn *c, void *arg)
{
	struct team_ctx *ctx = arg;
	return qoc_sqlite_role_in(c, ctx->team_id, ctx->account_id, &ctx->role);
}

enum qoc_err qoc_sqlite_membership_role(struct qoc_store *base, const char *team_id,
                                        const char *account_id, enum qoc_role *out)
{
	if (!out)
		return QOC_EINVAL;
	*out = QOC_ROLE_NONE;
	if (!qoc_store_nonempty(team_id) || !qoc_store_nonempty(account_id))
		return QOC_EINVAL;
	struct team_ctx ctx = {.team_id = team_id, .account_id = account_id};
	enum qoc_err err = qoc_sqlite_with_conn(qoc_sqlite_from(base), role_work, &ctx);
	if (!err)
		*out = ctx.role;
	return err;
}

struct teams_ctx {
	struct qoc_arena *a;
	const char *key;
	void *items;
	size_t count, cap;
};

static enum qoc_err teams_of_work(struct qoc_sqlite_conn *c, void *arg)
{
	struct teams_ctx *ctx = arg;
	sqlite3_stmt *s;
	enum qoc_err err =
	    qoc_sqlite_bound(c, &sql_teams_of, "teams_of_account", &s, "t", ctx->key);
	if (err)
		return err;
	while ((err = qoc_sqlite_step_row(c, s, "teams_of_account")) == QOC_OK) {
		struct qoc_team *t =
		    qoc_sqlite_push(ctx->a, &ctx->items, &ctx->count, &ctx->cap, sizeof(*t));
		if (!t) {
			err = QOC_ENOMEM;
			break;
		}
		if ((err = qoc_sqlite_col_text(ctx->a, s, 0, &t->id)) ||
		    (err = qoc_sqlite_col_text(ctx->a, s, 1, &t->name)))
			break;
		t->personal = sqlite3_column_int(s, 2) != 0;
		t->created_at = sqlite3_column_int64(s, 3);
		t->role = qoc_role_parse((const char *)sqlite3_column_text(s, 4));
	}
	if (err == QOC_ENOTFOUND)
		err = QOC_OK;
	qoc_sqlite_stmt_done(s);
	return err;
}

enum qoc_err qoc_sqlite_teams_of_account(struct qoc_store *base, struct qoc_arena *a,
                                         const char *account_id, struct qoc_team **out,
                                         size_t *count)
{
	if (!a || !out || !count || !qoc_store_nonempty(account_id))
		return QOC_EINVAL;
	*out = NULL;
	*count = 0;
	struct teams_ctx ctx = {.a = a, .key = account_id};
	enum qoc_err err = qoc_sqlite_with_conn(qoc_sqlite_from(base), teams_of_work, &ctx);
	if (!err && ctx.count) {
		*out = ctx.items;
		*count = ctx.count;
	}
	return err;
}

static enum qoc_err read_member(struct qoc_arena *a, sqlite3_stmt *s, struct qoc_membership *m)
{
	enum qoc_err err;
	if ((err = qoc_sqlite_col_text(a, s, 0, &m->team_id)) ||
	    (err = qoc_sqlite_col_text(a, s, 1, &m->account_id)) ||
	    (err = qoc_sqlite_col_text(a, s, 4, &m->email)) ||
	    (err = qoc_sqlite_col_text(a, s, 5, &m->name)))
		return err;
	m->role = qoc_role_parse((const char *)sqlite3_column_text(s, 2));
	m->created_at = sqlite3_column_int64(s, 3);
	return QOC_OK;
}

/* The team's existence and its members in one snapshot (a read transaction), so a team
 * deleted in between cannot show as "exists, no members". */
static enum qoc_err members_work(struct qoc_sqlite_conn *c, void *arg)
{
	struct teams_ctx *ctx = arg;
	sqlite3_stmt *s = NULL;
	enum qoc_err err = row_exists(c, &sql_team_exists, ctx->key);
	if (err)
		return err;
	err = qoc_sqlite_bound(c, &sql_members, "team_members", &s, "t", ctx->key);
	if (err)
		return err;
	while ((err = qoc_sqlite_step_row(c, s, "team_members")) == QOC_OK) {
		struct qoc_membership *m =
		    qoc_sqlite_push(ctx->a, &ctx->items, &ctx->count, &ctx->cap, sizeof(*m));
		if (!m) {
			err = QOC_ENOMEM;
			break;
		}
		if ((err = read_member(ctx->a, s, m)))
			break;
	}
	if (err == QOC_ENOTFOUND)
		err = QOC_OK;
	qoc_sqlite_stmt_done(s);
	return err;
}

enum qoc_err qoc_sqlite_team_members(struct qoc_store *base, struct qoc_arena *a,
                                     const char *team_id, struct qoc_membership **out,
                                     size_t *count)
{
	if (!a || !out || !count || !qoc_store_nonempty(team_id))
		return QOC_EINVAL;
	*out = NULL;
	*count = 0;
	struct teams_ctx ctx = {.a = a, .key = team_id};
	enum qoc_err err = qoc_sqlite_read_tx(qoc_sqlite_from(base), members_work, &ctx);
	if (!err && ctx.count) {
		*out = ctx.items;
		*count = ctx.count;
	}
	return err;
}
