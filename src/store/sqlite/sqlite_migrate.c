/* sqlite_migrate.c - applies the embedded migrations (src/store/sqlite/migrations/). */
#include "store/sqlite/sqlite_internal.h"

#include "core/clock.h"
#include "core/log.h"
#include "store/migration.h"
#include "store/store_check.h"

static struct qoc_sqlite_sql sql_bootstrap = {.text =
                                                  "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                                  " version INTEGER PRIMARY KEY,"
                                                  " name TEXT NOT NULL,"
                                                  " applied_at INTEGER NOT NULL"
                                                  ") STRICT"};
static struct qoc_sqlite_sql sql_max_version = {
    .text = "SELECT coalesce(max(version), 0) FROM schema_migrations"};
static struct qoc_sqlite_sql sql_is_applied = {
    .text = "SELECT 1 FROM schema_migrations WHERE version = ?1"};
static struct qoc_sqlite_sql sql_record = {
    .text = "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)"};

/* Creates schema_migrations when missing and refuses a schema newer than the binary. */
static enum qoc_err bootstrap_work(struct qoc_sqlite_conn *c, void *arg)
{
	int known = *(const int *)arg;
	sqlite3_stmt *s = NULL;
	enum qoc_err err = qoc_sqlite_exec(c, &sql_bootstrap);
	if (err)
		goto out;
	err = qoc_sqlite_stmt(c, &sql_max_version, &s);
	if (err)
		goto out;
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		err = qoc_sqlite_error(c, rc, "migrate: read version");
		goto out;
	}
	sqlite3_int64 have = sqlite3_column_int64(s, 0);
	if (have > known) {
		qoc_log_error("store: database schema is newer than this binary; refusing it",
		              "db_version=%lld known_version=%d hint=\"upgrade qoc\"",
		              (long long)have, known);
		err = QOC_EDB;
		goto out;
	}
out:
	qoc_sqlite_stmt_done(s);
	return err;
}

struct apply_ctx {
	const struct qoc_migration *m;
	bool applied;
};

/* Runs inside the migration's own transaction: the schema change and its record commit
 * together or not at all. The check is made under the write lock, so two processes
 * migrating at once apply each version once. */
static enum qoc_err apply_work(struct qoc_sqlite_conn *c, void *arg)
{
	struct apply_ctx *ctx = arg;
	const struct qoc_migration *m = ctx->m;
	sqlite3_stmt *s = NULL;
	char *errmsg = NULL;
	enum qoc_err err = qoc_sqlite_stmt(c, &sql_is_applied, &s);
	if (err)
		goto out;
	int rc = sqlite3_bind_int64(s, 1, m->version);
	if (rc != SQLITE_OK) {
		err = qoc_sqlite_error(c, rc, "migrate: bind");
		goto out;
	}
	rc = sqlite3_step(s);
	qoc_sqlite_stmt_done(s);
	s = NULL;
	if (rc == SQLITE_ROW)
		goto out; /* already there */
	if (rc != SQLITE_DONE) {
		err = qoc_sqlite_error(c, rc, "migrate: check version");
		goto out;
	}

	rc = sqlite3_exec(c->db, m->sql, NULL, NULL, &errmsg);
	if (rc != SQLITE_OK) {
		char qmsg[256];
		qoc_log_error("store: migration failed", "version=%d name=%s err=%s", m->version,
		              m->name, qoc_log_quote(qmsg, sizeof(qmsg), errmsg ? errmsg : "?"));
		err = (rc & 0xff) == SQLITE_BUSY ? QOC_EBUSY : QOC_EDB;
		goto out;
	}
	err = qoc_sqlite_stmt(c, &sql_record, &s);
	if (err)
		goto out;
	if ((rc = sqlite3_bind_int64(s, 1, m->version)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(s, 2, m->name, -1, SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 3, qoc_clock_now(&qoc_clock_system))) != SQLITE_OK) {
		err = qoc_sqlite_error(c, rc, "migrate: bind");
		goto out;
	}
	err = qoc_sqlite_step_done(c, s, "migrate: record version");
	if (!err)
		ctx->applied = true;
out:
	sqlite3_free(errmsg);
	qoc_sqlite_stmt_done(s);
	return err;
}

enum qoc_err qoc_sqlite_migrate(struct qoc_store *base, unsigned *applied)
{
	struct qoc_sqlite_store *st = qoc_sqlite_from(base);
	unsigned n = 0;
	if (applied)
		*applied = 0;
	int known = qoc_store_migrations_newest(qoc_sqlite_migrations);
	if (known < 0)
		return QOC_EDB;
	enum qoc_err err = qoc_sqlite_write_tx(st, bootstrap_work, &known);
	if (err)
		return err;
	for (const struct qoc_migration *m = qoc_sqlite_migrations; m->version; m++) {
		struct apply_ctx ctx = {.m = m, .applied = false};
		err = qoc_sqlite_write_tx(st, apply_work, &ctx);
		if (err)
			break;
		if (ctx.applied) {
			n++;
			qoc_log_info("store: migration applied", "version=%d name=%s", m->version,
			             m->name);
		}
	}
	if (applied)
		*applied = n;
	return err;
}
