/* pg_audit.c - the audit log: entries written inside other ops' transactions, appends on
 * their own, and newest-first listing by team or application. */
#include "store/postgres/pg_internal.h"

#include <string.h>

#include "store/store_check.h"

#define AUDIT_COLUMNS "id, team_id, client_id, actor_id, action, detail, ip, at"

static struct qoc_pg_sql sql_insert = {
    .text = "INSERT INTO audit_log (team_id, client_id, actor_id, action, detail, ip, at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"};
/* before_id 0 reads as "no bound": ids start at 1. */
static struct qoc_pg_sql sql_by_team = {
    .text = "SELECT " AUDIT_COLUMNS " FROM audit_log"
            " WHERE team_id = $1 AND ($2 = 0 OR id < $2) ORDER BY id DESC LIMIT $3"};
static struct qoc_pg_sql sql_by_client = {
    .text = "SELECT " AUDIT_COLUMNS " FROM audit_log"
            " WHERE client_id = $1 AND ($2 = 0 OR id < $2) ORDER BY id DESC LIMIT $3"};

/* Writes the entry; *id (may be NULL) gets its id. */
static enum qoc_err insert(struct qoc_pg_conn *c, const char *team_id, const char *client_id,
                           const struct qoc_audit_event *ev, int64_t *id)
{
	if (!qoc_store_audit_event_ok(ev) || !qoc_store_nonempty(team_id))
		return QOC_EINVAL;
	/* Checked here, not by the table: a bad detail is the caller's mistake (QOC_EINVAL),
	 * not a database error. */
	if (ev->detail && !qoc_pg_json_valid(ev->detail))
		return QOC_EINVAL;
	PGresult *r;
	enum qoc_err err =
	    qoc_pg_exec(c, &sql_insert, "audit: insert", &r, "tttttti", team_id, client_id,
	                ev->actor_id, ev->action, ev->detail, ev->ip, ev->at);
	if (err)
		return err;
	if (id)
		*id = qoc_pg_col_int(r, 0, 0);
	PQclear(r);
	return QOC_OK;
}

enum qoc_err qoc_pg_audit_insert(struct qoc_pg_conn *c, const char *team_id, const char *client_id,
                                 const struct qoc_audit_event *ev)
{
	return insert(c, team_id, client_id, ev, NULL);
}

struct append_ctx {
	const struct qoc_audit_entry *e;
	int64_t id;
};

static enum qoc_err append_work(struct qoc_pg_conn *c, void *arg)
{
	struct append_ctx *ctx = arg;
	const struct qoc_audit_entry *e = ctx->e;
	struct qoc_audit_event ev = {.actor_id = e->actor_id,
	                             .action = e->action,
	                             .detail = e->detail,
	                             .ip = e->ip,
	                             .at = e->at};
	return insert(c, e->team_id, e->client_id, &ev, &ctx->id);
}

enum qoc_err qoc_pg_audit_append(struct qoc_store *base, const struct qoc_audit_entry *entry,
                                 int64_t *id)
{
	if (!qoc_store_audit_entry_ok(entry))
		return QOC_EINVAL;
	struct append_ctx ctx = {.e = entry};
	/* One INSERT commits on its own; not repeated when the connection breaks. */
	enum qoc_err err = qoc_pg_with_conn(qoc_pg_from(base), false, append_work, &ctx);
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

static enum qoc_err read_entry(struct qoc_arena *a, const PGresult *r, int row,
                               struct qoc_audit_entry *e)
{
	enum qoc_err err;
	e->id = qoc_pg_col_int(r, row, 0);
	e->at = qoc_pg_col_int(r, row, 7);
	if ((err = qoc_pg_col_text(a, r, row, 1, &e->team_id)) ||
	    (err = qoc_pg_col_text(a, r, row, 2, &e->client_id)) ||
	    (err = qoc_pg_col_text(a, r, row, 3, &e->actor_id)) ||
	    (err = qoc_pg_col_text(a, r, row, 4, &e->action)) ||
	    (err = qoc_pg_col_text(a, r, row, 5, &e->detail)) ||
	    (err = qoc_pg_col_text(a, r, row, 6, &e->ip)))
		return err;
	return QOC_OK;
}

/* Reads limit + 1 rows: the extra one only says whether another page exists. */
static enum qoc_err list_work(struct qoc_pg_conn *c, void *arg)
{
	struct list_ctx *ctx = arg;
	const struct qoc_audit_query *q = ctx->q;
	struct qoc_audit_page *out = ctx->out;
	bool by_team = q->team_id != NULL;
	PGresult *r;
	out->count = 0;
	out->next_before_id = 0;
	enum qoc_err err =
	    qoc_pg_exec(c, by_team ? &sql_by_team : &sql_by_client, "audit_list", &r, "tii",
	                by_team ? q->team_id : q->client_id, q->before_id, (int64_t)ctx->limit + 1);
	if (err)
		return err;
	out->items = qoc_arena_calloc(ctx->a, ctx->limit, sizeof(*out->items));
	if (!out->items) {
		err = QOC_ENOMEM;
		goto out;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		if (out->count == ctx->limit) {
			out->next_before_id = out->items[out->count - 1].id;
			break;
		}
		err = read_entry(ctx->a, r, i, &out->items[out->count]);
		if (err)
			goto out;
		out->count++;
	}
out:
	PQclear(r);
	return err;
}

enum qoc_err qoc_pg_audit_list(struct qoc_store *base, struct qoc_arena *a,
                               const struct qoc_audit_query *q, struct qoc_audit_page *out)
{
	if (!a || !q || !out)
		return QOC_EINVAL;
	memset(out, 0, sizeof(*out));
	if (!qoc_store_audit_query_ok(q))
		return QOC_EINVAL;
	struct list_ctx ctx = {.a = a, .q = q, .out = out, .limit = qoc_store_audit_page_limit(q)};
	enum qoc_err err = qoc_pg_with_conn(qoc_pg_from(base), true, list_work, &ctx);
	if (err || out->count == 0) {
		out->items = NULL;
		out->count = 0;
		out->next_before_id = 0;
	}
	return err;
}
