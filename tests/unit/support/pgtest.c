#include "support/pgtest.h"

#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool read_state(struct pgtest_cluster *c)
{
	FILE *f = fopen(c->state, "r");
	if (!f)
		return false;
	char line[768];
	bool ok = false;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "CONNINFO='", 10) != 0)
			continue;
		char *end = strchr(line + 10, '\'');
		if (!end || (size_t)(end - (line + 10)) >= sizeof(c->conninfo))
			break;
		*end = '\0';
		snprintf(c->conninfo, sizeof(c->conninfo), "%s", line + 10);
		ok = true;
	}
	fclose(f);
	return ok;
}

bool pgtest_cluster_shared(struct pgtest_cluster *c)
{
	memset(c, 0, sizeof(*c));
	const char *s = getenv("QOCTEST_PG_STATE");
	if (!s || !*s) {
		fprintf(stderr,
		        "QOCTEST_PG_STATE is not set: run through ctest (fixture pg), or "
		        "tests/pg/cluster.sh start FILE and export QOCTEST_PG_STATE=FILE\n");
		return false;
	}
	snprintf(c->state, sizeof(c->state), "%s", s);
	if (!read_state(c)) {
		fprintf(stderr, "cannot read the cluster state %s\n", c->state);
		return false;
	}
	return true;
}

int pgtest_cluster_cmd(struct pgtest_cluster *c, const char *cmd)
{
	char line[1024];
	snprintf(line, sizeof(line), "%s/tests/pg/cluster.sh %s %s", QOC_SOURCE_DIR, cmd, c->state);
	return system(line) == 0 ? 0 : -1;
}

bool pgtest_cluster_start(struct pgtest_cluster *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->state, sizeof(c->state), "/tmp/qoc-pgtest-%ld.state", (long)getpid());
	if (pgtest_cluster_cmd(c, "start") != 0 || !read_state(c))
		return false;
	c->own = true;
	return true;
}

static int admin_exec(const char *conninfo, const char *dbname, const char *sql)
{
	const char *const keys[] = {"dbname", "dbname", NULL};
	const char *const vals[] = {conninfo, dbname, NULL};
	PGconn *db = PQconnectdbParams(keys, vals, 1);
	int rc = -1;
	if (PQstatus(db) == CONNECTION_OK) {
		PGresult *r = PQexec(db, sql);
		ExecStatusType s = PQresultStatus(r);
		rc = (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) ? 0 : -1;
		if (rc)
			fprintf(stderr, "pgtest: %s: %s", sql, PQerrorMessage(db));
		PQclear(r);
	} else {
		fprintf(stderr, "pgtest: connect: %s", PQerrorMessage(db));
	}
	PQfinish(db);
	return rc;
}

static atomic_uint counter;

int pgtest_db_create(const struct pgtest_cluster *c, struct pgtest_db *db)
{
	snprintf(db->name, sizeof(db->name), "qoc_u_%ld_%u", (long)getpid(),
	         atomic_fetch_add(&counter, 1));
	snprintf(db->url, sizeof(db->url), "%s dbname=%s", c->conninfo, db->name);
	char sql[128];
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", db->name);
	return admin_exec(c->conninfo, "postgres", sql);
}

void pgtest_db_drop(const struct pgtest_cluster *c, const struct pgtest_db *db)
{
	char sql[128];
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", db->name);
	(void)admin_exec(c->conninfo, "postgres", sql);
}

int pgtest_exec(const struct pgtest_db *db, const char *sql)
{
	return admin_exec(db->url, db->name, sql);
}
