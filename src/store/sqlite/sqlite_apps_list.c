/* sqlite_apps_list.c - app_list: filtered, sorted, keyset-paginated.
 *
 * Each page is an index range scan that starts right after the cursor's (sort key,
 * client_id) and stops after limit + 1 matching rows, so page 500 costs what page 1 costs
 * (no OFFSET). The SQL differs per scope, sort, direction and first-or-later page so
 * that every variant is a plain range the planner serves from applications_team_name /
 * applications_team_created (one team) or applications_name / applications_created (all
 * teams); each variant is its own cached statement.
 */
#include "store/sqlite/sqlite_internal.h"

#include <string.h>

#include "store/store_codec.h"

/* ?1 team scope, ?2 status, ?3 type, ?4 folded q, ?5 limit, ?6 cursor key, ?7 cursor id */
#define SCOPE_ONE "a.team_id = ?1"
#define SCOPE_MANY "a.team_id IN (SELECT value FROM json_each(?1))"
#define SCOPE_ALL "?1 IS NULL"
#define FILTERS                                                                                    \
	" AND (?2 IS NULL OR a.status = ?2) AND (?3 IS NULL OR a.type = ?3)"                       \
	" AND (?4 IS NULL OR instr(a.name_norm, ?4) > 0 OR instr(a.client_id, ?4) > 0)"
#define LIST_SQL(scope, key, after, dir)                                                           \
	{                                                                                          \
		.text = "SELECT " QOC_SQLITE_APP_COLUMNS                                           \
		        " FROM applications a WHERE " scope FILTERS after " ORDER BY " key " " dir \
		        ", a.client_id " dir " LIMIT ?5"                                           \
	}
#define DIRS(scope, key)                                                                           \
	{                                                                                          \
		{LIST_SQL(scope, key, " AND ?6 IS NULL AND ?7 IS NULL", "ASC"),                    \
		 LIST_SQL(scope, key, " AND (" key ", a.client_id) > (?6, ?7)", "ASC")},           \
		{                                                                                  \
			LIST_SQL(scope, key, " AND ?6 IS NULL AND ?7 IS NULL", "DESC"),            \
			    LIST_SQL(scope, key, " AND (" key ", a.client_id) < (?6, ?7)", "DESC") \
		}                                                                                  \
	}
#define SORTS(scope)                                                                               \
	{                                                                                          \
		DIRS(scope, "a.name_norm"), DIRS(scope, "a.created_at")                            \
	}

/* [enum qoc_store_app_scope][sort][desc][after a cursor] */
static struct qoc_sqlite_sql sql_list[3][2][2][2] = {SORTS(SCOPE_ONE), SORTS(SCOPE_MANY),
                                                     SORTS(SCOPE_ALL)};

struct list_ctx {
	struct qoc_arena *a;
	const struct qoc_app_query *q;
	struct qoc_store_app_list l;
	struct qoc_app_page *out;
};

static enum qoc_err bind_list(struct qoc_sqlite_conn *c, struct list_ctx *ctx, sqlite3_stmt **s)
{
	const struct qoc_app_query *q = ctx->q;
	struct qoc_sqlite_sql *sql = &sql_list[ctx->l.scope][q->sort][q->desc][ctx->l.has_cursor];
	int64_t limit = (int64_t)ctx->l.limit + 1; /* one more: is there a next page? */
	if (!ctx->l.has_cursor)
		return qoc_sqlite_bound(c, sql, "app_list", s, "ttttitt", ctx->l.teams, q->status,
		                        q->type, ctx->l.q_norm, limit, (const char *)NULL,
		                        (const char *)NULL);
	if (q->sort == QOC_APP_SORT_NAME)
		return qoc_sqlite_bound(c, sql, "app_list", s, "ttttitt", ctx->l.teams, q->status,
		                        q->type, ctx->l.q_norm, limit, ctx->l.cur.name_norm,
		                        ctx->l.cur.client_id);
	return qoc_sqlite_bound(c, sql, "app_list", s, "ttttiit", ctx->l.teams, q->status, q->type,
	                        ctx->l.q_norm, limit, ctx->l.cur.created_at, ctx->l.cur.client_id);
}

static enum qoc_err list_work(struct qoc_sqlite_conn *c, void *arg)
{
	struct list_ctx *ctx = arg;
	struct qoc_app_page *out = ctx->out;
	sqlite3_stmt *s;
	enum qoc_err err = bind_list(c, ctx, &s);
	if (err)
		return err;
	out->items = qoc_arena_calloc(ctx->a, ctx->l.limit, sizeof(*out->items));
	if (!out->items) {
		err = QOC_ENOMEM;
		goto out;
	}
	while ((err = qoc_sqlite_step_row(c, s, "app_list")) == QOC_OK) {
		if (out->count == ctx->l.limit) {
			err = qoc_store_app_list_next_cursor(
			    ctx->a, ctx->q, &out->items[out->count - 1], &out->next_cursor);
			break;
		}
		err = qoc_sqlite_read_app(ctx->a, s, &out->items[out->count]);
		if (err)
			goto out;
		out->count++;
	}
	if (err == QOC_ENOTFOUND)
		err = QOC_OK; /* no more rows */
out:
	qoc_sqlite_stmt_done(s);
	return err;
}

enum qoc_err qoc_sqlite_app_list(struct qoc_store *base, struct qoc_arena *a,
                                 const struct qoc_app_query *q, struct qoc_app_page *out)
{
	if (!a || !q || !out)
		return QOC_EINVAL;
	memset(out, 0, sizeof(*out));
	struct list_ctx ctx = {.a = a, .q = q, .out = out};
	enum qoc_err err = qoc_store_app_list_prepare(a, q, &ctx.l);
	if (err)
		return err;
	if (ctx.l.no_team)
		return QOC_OK; /* no team to see: an empty page */
	err = qoc_sqlite_with_conn(qoc_sqlite_from(base), list_work, &ctx);
	if (err || out->count == 0) {
		memset(out, 0, sizeof(*out));
	}
	return err;
}
