/* pgtest.h - databases on the throwaway PostgreSQL cluster of the tests (tests/pg/cluster.sh).
 *
 * ctest starts one cluster for the whole run (fixture "pg") and points QOCTEST_PG_STATE at
 * its state file; each test makes its own database on it and drops it afterwards. A test
 * that stops or restarts the server starts a private cluster instead (pgtest_cluster_*),
 * so it never disturbs the tests running beside it. */
#ifndef QOC_TEST_PGTEST_H
#define QOC_TEST_PGTEST_H

#include <stdbool.h>

struct pgtest_cluster {
	char state[256];    /* the state file */
	char conninfo[512]; /* superuser conninfo, no dbname */
	bool own;           /* started by pgtest_cluster_start (stopped by _stop) */
};

/* The shared cluster from QOCTEST_PG_STATE. false (and a message on stderr) when unset. */
bool pgtest_cluster_shared(struct pgtest_cluster *c);
/* Starts a private cluster (cluster.sh start); false when it cannot. */
bool pgtest_cluster_start(struct pgtest_cluster *c);
/* cluster.sh <cmd> (stop, restart, down, up) on c. 0 on success. */
int pgtest_cluster_cmd(struct pgtest_cluster *c, const char *cmd);

struct pgtest_db {
	char name[64];
	char url[640]; /* conninfo + dbname */
};

/* Creates a fresh, empty database on c. 0 on success. */
int pgtest_db_create(const struct pgtest_cluster *c, struct pgtest_db *db);
/* Drops it (terminating sessions still on it). */
void pgtest_db_drop(const struct pgtest_cluster *c, const struct pgtest_db *db);
/* Runs one SQL command on db as the superuser; 0 on success. For white-box tests. */
int pgtest_exec(const struct pgtest_db *db, const char *sql);

#endif
