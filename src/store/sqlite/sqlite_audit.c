/* sqlite_audit.c - the audit log: entries written inside other ops' transactions, appends
 * on their own, and newest-first listing by team or application. */
#include "store/sqlite/sqlite_internal.h"

#include <string.h>

#include "store/store_check.h"

#define AUDIT_COLUMNS "id, team_id, client_id, actor_id, action, detail, ip, at"

/* json_valid() here rather than only in the table's CHECK: a CHECK failure is a logged
 * database error, a bad detail is the caller's mistake (QOC_EINVAL). */
static struct qoc_sqlite_sql sql_insert = {
    .text = "INSERT INTO audit_log (team_id, client_id, actor_id, action, detail, ip, at)"
            " SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE ?5 IS NULL OR json_valid(?5)"};
/* before_id 0 reads as "no bound": ids start at 1. */
static struct qoc_sqlite_sql sql_by_team = {
    .text = "SELECT " AUDIT_COLUMNS " FROM audit_log"
            " WHERE team_id = ?1 AND (?2 = 0 OR id < ?2) ORDER BY id DESC LIMIT ?3"};
static struct qoc_sqlite_sql sql_by_client = {
    .text = "SELECT " AUDIT_COLUMNS " FROM audit_log"
            " WHERE client_id = ?1 AND (?2 = 0 OR id < ?2) ORDER BY id DESC LIMIT ?3"};

enum qoc_err qoc_sqlite_audit_insert(struct qoc_sqlite_conn *c, const char *team_id,
                                     const char *client_id, const struct qoc_audit_event *ev)
{
	if (!qoc_store_audit_event_ok(ev) || !qoc_store_nonempty(team_id))
		return QOC_EINVAL;
	int64_t changes = 0;
	enum qoc_err err =
	    qoc_sqlite_run(c, &sql_insert, "audit: insert", &changes, "tttttti", team_id, client_id,
	                   ev->actor_id, ev->action, ev->detail, ev->ip, ev->at);
	if (!err && changes != 1)
		err = QOC_EINVAL; /* detail is not JSON */
	return err;
}

struct append_ctx {
	const struct qoc_audit_entry *e;
	int64_t id;
};

static enum qoc_err append_work(struct qoc_sqlite_conn *c, void *arg)
{
	struct append_ctx *ctx = arg;
	const struct qoc_audit_entry *e = ctx->e;
	struct qoc_audit_event ev = {.actor_id = e->actor_id,
	                             .action = e->action,
	                             .detail = e->detail,
	                             .ip = e->ip,
	                             .at = e->at};
	enum qoc_err err = qoc_sqlite_audit_insert(c, e->team_id, e->client_id, &ev);
	if (!err)
		ctx->id = sqlite3_last_insert_rowid(c->db);
	return err;
}

enum qoc_err qoc_sqlite_audit_append(struct qoc_store *base, const struct qoc_audit_entry *entry,
                                     int64_t *id)
{
	if (!qoc_store_audit_entry_ok(entry))
		return QOC_EINVAL;
	struct append_ctx ctx = {.e = entry};
	enum qoc_err err = qoc_sqlite_write_tx(qoc_sqlite_from(base), append_work, &ctx);
	if (!err && id)
		*id = ctx.id;
	return err;
}

struct list_ctx {
	struct qoc_arena *a;
	const struct qoc_audit_query *q;
	size_t limit;
	struct qoc_audit_page *out;
};

static enum qoc_err read_entry(struct qoc_arena *a, sqlite3_stmt *s, struct qoc_audit_entry *e)
{
	enum qoc_err err;
	e->id = sqlite3_column_int64(s, 0);
	e->at = sqlite3_column_int64(s, 7);
	if ((err = qoc_sqlite_col_text(a, s, 1, &e->team_id)) ||
	    (err = qoc_sqlite_col_text(a, s, 2, &e->client_id)) ||
	    (err = qoc_sqlite_col_text(a, s, 3, &e->actor_id)) ||
	    (err = qoc_sqlite_col_text(a, s, 4, &e->action)) ||
	    (err = qoc_sqlite_col_text(a, s, 5, &e->detail)) ||
	    (err = qoc_sqlite_col_text(a, s, 6, &e->ip)))
		return err;
	return QOC_OK;
}

/* Reads limit + 1 rows: the extra one only says whether another page exists. */
static enum qoc_err list_work(struct qoc_sqlite_conn *c, void *arg)
{
	struct list_ctx *ctx = arg;
	const struct qoc_audit_query *q = ctx->q;
	struct qoc_audit_page *out = ctx->out;
	bool by_team = q->team_id != NULL;
	sqlite3_stmt *s;
	enum qoc_err err = qoc_sqlite_bound(
	    c, by_team ? &sql_by_team : &sql_by_client, "audit_list", &s, "tii",
	    by_team ? q->team_id : q->client_id, q->before_id, (int64_t)ctx->limit + 1);
	if (err)
		return err;
	out->items = qoc_arena_calloc(ctx->a, ctx->limit, sizeof(*out->items));
	if (!out->items) {
		err = QOC_ENOMEM;
		goto out;
	}
	while ((err = qoc_sqlite_step_row(c, s, "audit_list")) == QOC_OK) {
		if (out->count == ctx->limit) {
			out->next_before_id = out->items[out->count - 1].id;
			break;
		}
		err = read_entry(ctx->a, s, &out->items[out->count]);
		if (err)
			goto out;
		out->count++;
	}
	if (err == QOC_ENOTFOUND)
		err = QOC_OK; /* the end of the rows */
out:
	qoc_sqlite_stmt_done(s);
	return err;
}

enum qoc_err qoc_sqlite_audit_list(struct qoc_store *base, struct qoc_arena *a,
                                   const struct qoc_audit_query *q, struct qoc_audit_page *out)
{
	if (!a || !q || !out)
		return QOC_EINVAL;
	memset(out, 0, sizeof(*out));
	if (!qoc_store_audit_query_ok(q))
		return QOC_EINVAL;
	struct list_ctx ctx = {.a = a, .q = q, .out = out, .limit = qoc_store_audit_page_limit(q)};
	enum qoc_err err = qoc_sqlite_with_conn(qoc_sqlite_from(base), list_work, &ctx);
	if (err || out->count == 0) {
		out->items = NULL;
		out->count = 0;
		out->next_before_id = 0;
	}
	return err;
}
