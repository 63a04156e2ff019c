/* pg_migrate.c - applies the embedded migrations (src/store/postgres/migrations/).
 *
 * The whole run holds a session-level advisory lock on one connection, so two processes
 * (two nodes starting at once, `qoc migrate` beside `qoc serve`) migrate one after the
 * other: the second finds every version applied. Each migration is one transaction with
 * its schema_migrations row (PostgreSQL's DDL is transactional). */
#include "store/postgres/pg_internal.h"

#include <stdlib.h>

#include "core/clock.h"
#include "core/log.h"
#include "store/migration.h"
#include "store/store_check.h"

/* The advisory lock key of migrations: "qocmigr" in ASCII, any fixed number would do. */
#define MIGRATE_LOCK "8247078624555390322"

static struct qoc_pg_sql sql_max_version = {
    .text = "SELECT coalesce(max(version), 0) FROM schema_migrations"};
static struct qoc_pg_sql sql_is_applied = {
    .text = "SELECT 1 FROM schema_migrations WHERE version = $1"};
static struct qoc_pg_sql sql_record = {
    .text = "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)"};

static enum qoc_err check_version(struct qoc_pg_conn *c, int known)
{
	PGresult *r;
	enum qoc_err err = qoc_pg_exec(c, &sql_max_version, "migrate: read version", &r, "");
	if (err)
		return err;
	int64_t have = qoc_pg_col_int(r, 0, 0);
	PQclear(r);
	if (have > known) {
		qoc_log_error("store: database schema is newer than this binary; refusing it",
		              "db_version=%lld known_version=%d hint=\"upgrade qoc\"",
		              (long long)have, known);
		return QOC_EDB;
	}
	return QOC_OK;
}

/* Applies m unless it is recorded, in one transaction. *applied: whether it ran. */
static enum qoc_err apply_one(struct qoc_pg_conn *c, const struct qoc_migration *m, bool *applied)
{
	*applied = false;
	enum qoc_err err = qoc_pg_command(c, "BEGIN");
	if (err)
		return err;
	PGresult *r;
	err =
	    qoc_pg_exec(c, &sql_is_applied, "migrate: check version", &r, "i", (int64_t)m->version);
	if (err)
		goto fail;
	int have = PQntuples(r);
	PQclear(r);
	if (have) {
		err = qoc_pg_commit(c);
		return err;
	}
	PGresult *x = PQexec(c->db, m->sql);
	if (!x || PQresultStatus(x) != PGRES_COMMAND_OK) {
		err = qoc_pg_error(c, x, m->name);
		PQclear(x);
		qoc_log_error("store: migration failed", "version=%d name=%s", m->version, m->name);
		goto fail;
	}
	PQclear(x);
	err = qoc_pg_run(c, &sql_record, "migrate: record version", NULL, "iti",
	                 (int64_t)m->version, m->name, qoc_clock_now(&qoc_clock_system));
	if (err)
		goto fail;
	err = qoc_pg_commit(c);
	if (!err)
		*applied = true;
	return err;
fail:
	if (!c->broken)
		qoc_pg_command(c, "ROLLBACK");
	return err;
}

enum qoc_err qoc_pg_migrate(struct qoc_store *base, unsigned *applied)
{
	struct qoc_pg_store *st = qoc_pg_from(base);
	unsigned n = 0;
	if (applied)
		*applied = 0;
	int known = qoc_store_migrations_newest(qoc_pg_migrations);
	if (known < 0)
		return QOC_EDB;
	struct qoc_pg_conn *c;
	enum qoc_err err = qoc_pg_acquire(st, &c);
	if (err)
		return err;
	/* Session-level: held across the transactions below, released at the end (or when
	 * the connection dies). */
	err = qoc_pg_command(c, "SELECT pg_advisory_lock(" MIGRATE_LOCK ")");
	if (err)
		goto out;
	err = qoc_pg_command(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	                        " version bigint PRIMARY KEY,"
	                        " name text NOT NULL,"
	                        " applied_at bigint NOT NULL)");
	if (!err)
		err = check_version(c, known);
	for (const struct qoc_migration *m = qoc_pg_migrations; !err && m->version; m++) {
		bool did = false;
		err = apply_one(c, m, &did);
		if (!err && did) {
			n++;
			qoc_log_info("store: migration applied", "version=%d name=%s", m->version,
			             m->name);
		}
	}
	if (!c->broken)
		(void)qoc_pg_command(c, "SELECT pg_advisory_unlock(" MIGRATE_LOCK ")");
out:
	qoc_pg_release(c);
	if (applied)
		*applied = n;
	return err;
}
