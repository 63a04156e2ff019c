/* The PostgreSQL store: the whole contract suite on the shared throwaway cluster (a fresh
 * database per test), then what only PostgreSQL has: migrations from two processes at
 * once under the advisory lock, a schema from a newer binary, and reconnection after the
 * server restarts or goes away (on a private cluster, so the tests running beside this
 * one never see the outage).
 *
 * Needs the cluster ctest starts (fixture "pg", QOCTEST_PG_STATE); exits 77 (skipped)
 * with a message when run without it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "store/migration.h"
#include "store/postgres/pg_internal.h"
#include "store/store.h"
#include "store/store_oauth.h"
#include "store/store_purge.h"
#include "support/pgtest.h"
#include "support/store_contract.h"

static struct pgtest_cluster shared;

/* --- the contract, on PostgreSQL --- */

static enum qoc_err contract_open(void *arg, struct qoc_store **st, void **ctx)
{
	(void)arg;
	struct pgtest_db *db = calloc(1, sizeof(*db));
	if (!db)
		return QOC_ENOMEM;
	if (pgtest_db_create(&shared, db) != 0) {
		free(db);
		return QOC_EDB;
	}
	struct qoc_store_options o = {.url = db->url, .pool_size = 8};
	enum qoc_err err = qoc_store_open(&o, st);
	if (err) {
		pgtest_db_drop(&shared, db);
		free(db);
		return err;
	}
	*ctx = db;
	return QOC_OK;
}

static void contract_close(void *arg, struct qoc_store *st, void *ctx)
{
	(void)arg;
	qoc_store_close(st);
	pgtest_db_drop(&shared, ctx);
	free(ctx);
}

static enum qoc_err contract_reopen(void *arg, struct qoc_store **st, void *ctx)
{
	(void)arg;
	qoc_store_close(*st);
	*st = NULL;
	struct pgtest_db *db = ctx;
	struct qoc_store_options o = {.url = db->url, .pool_size = 8};
	return qoc_store_open(&o, st);
}

/* --- PostgreSQL-only --- */

struct fx {
	struct pgtest_cluster *cluster;
	struct pgtest_cluster own; /* the private one, for outage tests */
	struct pgtest_db db;
	struct qoc_store *st;
	struct qoc_arena a;
};

static int fx_setup_on(void **state, bool private_cluster)
{
	struct fx *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	f->cluster = &shared;
	if (private_cluster) {
		if (!pgtest_cluster_start(&f->own)) {
			free(f);
			return -1;
		}
		f->cluster = &f->own;
	}
	if (pgtest_db_create(f->cluster, &f->db) != 0) {
		if (private_cluster)
			pgtest_cluster_cmd(&f->own, "stop");
		free(f);
		return -1;
	}
	qoc_arena_init(&f->a, 0);
	*state = f;
	return 0;
}

static int fx_setup(void **state)
{
	return fx_setup_on(state, false);
}

static int fx_setup_private(void **state)
{
	return fx_setup_on(state, true);
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;
	qoc_store_close(f->st);
	qoc_arena_release(&f->a);
	if (f->cluster->own) {
		pgtest_cluster_cmd(f->cluster, "stop");
	} else {
		pgtest_db_drop(f->cluster, &f->db);
	}
	free(f);
	return 0;
}

static void fx_open_migrated(struct fx *f, unsigned pool)
{
	struct qoc_store_options o = {.url = f->db.url, .pool_size = pool, .busy_timeout_ms = 2000};
	assert_int_equal(qoc_store_open(&o, &f->st), QOC_OK);
	assert_int_equal(qoc_store_migrate(f->st, NULL), QOC_OK);
}

static unsigned embedded_migrations(void)
{
	unsigned n = 0;
	while (qoc_pg_migrations[n].version)
		n++;
	return n;
}

struct migrator {
	const char *url;
	pthread_barrier_t *start;
	enum qoc_err err;
	unsigned applied;
};

static void *migrate_thread(void *arg)
{
	struct migrator *m = arg;
	struct qoc_store *st = NULL;
	struct qoc_store_options o = {.url = m->url, .pool_size = 2};
	m->err = qoc_store_open(&o, &st);
	pthread_barrier_wait(m->start);
	if (!m->err)
		m->err = qoc_store_migrate(st, &m->applied);
	qoc_store_close(st);
	return NULL;
}

/* Issue 7: "qoc migrate is safe to run from two nodes at once". Four stores (each its
 * own connections, as four processes would have) migrate one empty database together:
 * all succeed and each migration is applied exactly once. */
static void migrations_from_several_nodes_at_once_apply_each_version_once(void **state)
{
	struct fx *f = *state;
	enum { N = 4 };
	pthread_barrier_t start;
	pthread_barrier_init(&start, NULL, N);
	struct migrator m[N];
	pthread_t t[N];
	for (int i = 0; i < N; i++) {
		m[i] = (struct migrator){.url = f->db.url, .start = &start};
		assert_int_equal(pthread_create(&t[i], NULL, migrate_thread, &m[i]), 0);
	}
	unsigned total = 0;
	for (int i = 0; i < N; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(m[i].err, QOC_OK);
		total += m[i].applied;
	}
	pthread_barrier_destroy(&start);
	assert_int_equal(total, embedded_migrations());
}

static void a_database_from_a_newer_binary_is_refused(void **state)
{
	struct fx *f = *state;
	fx_open_migrated(f, 2);
	assert_int_equal(pgtest_exec(&f->db, "INSERT INTO schema_migrations VALUES "
	                                     "(9999, '9999_future', 1)"),
	                 0);
	unsigned applied = 7;
	assert_int_equal(qoc_store_migrate(f->st, &applied), QOC_EDB);
	assert_int_equal(applied, 0);
}

/* A URL that cannot connect fails the open (not the first request), and the log says so
 * without the URL: it may hold a password. stderr (where the log goes) is captured. */
static void a_url_that_cannot_connect_fails_at_open_without_logging_it(void **state)
{
	(void)state;
	qoc_log_set_level(QOC_LOG_DEBUG);
	char path[] = "/tmp/qoc-pgtest-log-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	int saved = dup(2);
	dup2(fd, 2);
	struct qoc_store *st = (void *)1;
	struct qoc_store_options o1 = {
	    .url = "host=/nonexistent-qoc-socket-dir port=1 user=nobody password=s3cr3t dbname=x"};
	enum qoc_err e1 = qoc_store_open(&o1, &st);
	struct qoc_store_options o2 = {
	    .url = "postgres://nobody:s3cr3t@%2Fnonexistent-qoc-socket-dir/x"};
	enum qoc_err e2 = qoc_store_open(&o2, &st);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	qoc_log_set_level(QOC_LOG_ERROR);
	char buf[8192];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	unlink(path);
	assert_int_equal(e1, QOC_EDB);
	assert_int_equal(e2, QOC_EDB);
	assert_null(st);
	assert_true(n > 0); /* it did log the failure */
	buf[n] = '\0';
	assert_null(strstr(buf, "s3cr3t"));
}

/* COMMIT of a transaction in which a statement failed is answered "ROLLBACK" with a
 * success status by PostgreSQL: the store must not take that for a commit. */
static void a_commit_that_rolled_back_is_an_error(void **state)
{
	struct fx *f = *state;
	fx_open_migrated(f, 1);
	struct qoc_pg_conn *c;
	assert_int_equal(qoc_pg_acquire(qoc_pg_from(f->st), &c), QOC_OK);
	assert_int_equal(qoc_pg_command(c, "BEGIN"), QOC_OK);
	assert_int_equal(qoc_pg_command(c, "INSERT INTO teams (id, name, created_at)"
	                                   " VALUES ('t1', 'T', 1)"),
	                 QOC_OK);
	assert_int_equal(qoc_pg_command(c, "SELECT 1/0"), QOC_EINVAL); /* class 22 */
	assert_int_equal(qoc_pg_commit(c), QOC_EDB);
	qoc_pg_release(c);
	assert_int_equal(pgtest_exec(&f->db,
	                             "DO $$ BEGIN IF EXISTS (SELECT 1 FROM teams WHERE id = 't1')"
	                             " THEN RAISE 'committed'; END IF; END $$"),
	                 0);
}

/* Several nodes purge one database: one at a time (issue 13). While another session (a
 * node in the middle of a batch) holds the purge's advisory lock, a purge op deletes
 * nothing and answers QOC_ECONFLICT at once; once that node committed, it runs. */
static void a_purge_skips_while_another_node_purges(void **state)
{
	struct fx *f = *state;
	fx_open_migrated(f, 2);
	struct qoc_pg_conn *c;
	assert_int_equal(qoc_pg_acquire(qoc_pg_from(f->st), &c), QOC_OK);
	assert_int_equal(qoc_pg_command(c, "BEGIN"), QOC_OK);
	assert_int_equal(qoc_pg_command(c, "SELECT pg_advisory_xact_lock(31929145247494759)"),
	                 QOC_OK);
	size_t n = 99;
	assert_int_equal(qoc_store_authreq_purge(f->st, 1000, 10, &n), QOC_ECONFLICT);
	assert_int_equal(n, 0);
	assert_int_equal(qoc_store_tokens_purge(f->st, 1000, 10, &n), QOC_ECONFLICT);
	assert_int_equal(qoc_pg_commit(c), QOC_OK);
	qoc_pg_release(c);
	assert_int_equal(qoc_store_authreq_purge(f->st, 1000, 10, &n), QOC_OK);
	assert_int_equal(n, 0);
}

static void seed_account(struct qoc_store *st, const char *id, const char *email)
{
	struct qoc_account acct = {.id = id, .email = email, .created_at = 1};
	assert_int_equal(qoc_store_account_create(st, &acct), QOC_OK);
}

/* Issue 7: "reconnect after the server restarts". Every pooled connection was cut by the
 * restart; the next calls notice it (the server's goodbye is waiting on the idle socket)
 * and reconnect, so reads and writes succeed at once. */
static void every_connection_reconnects_after_a_server_restart(void **state)
{
	struct fx *f = *state;
	fx_open_migrated(f, 3);
	seed_account(f->st, "acct_before", "before@example.com");
	struct qoc_pg_store *pg = qoc_pg_from(f->st);
	unsigned long long connects = pg->connects;
	assert_int_equal(pgtest_cluster_cmd(f->cluster, "restart"), 0);
	for (int i = 0; i < 6; i++) { /* more calls than connections: each one is renewed */
		struct qoc_account out;
		assert_int_equal(
		    qoc_store_account_by_email(f->st, &f->a, "before@example.com", &out), QOC_OK);
	}
	seed_account(f->st, "acct_after", "after@example.com");
	assert_int_equal(qoc_store_ping(f->st), QOC_OK);
	assert_true(pg->connects > connects);
}

/* Issue 7: "requests during the outage get 503 with Retry-After, none crash, none report
 * a success that was not committed": the store answers QOC_EBUSY (what the handlers turn
 * into 503) to reads and writes while the server is down, and a write reported as
 * failed is really absent afterwards. */
static void an_outage_is_ebusy_and_the_store_recovers(void **state)
{
	struct fx *f = *state;
	fx_open_migrated(f, 2);
	seed_account(f->st, "acct_1", "one@example.com");
	assert_int_equal(pgtest_cluster_cmd(f->cluster, "down"), 0);
	struct qoc_account out;
	assert_int_equal(qoc_store_ping(f->st), QOC_EBUSY);
	assert_int_equal(qoc_store_account_by_email(f->st, &f->a, "one@example.com", &out),
	                 QOC_EBUSY);
	struct qoc_account lost = {.id = "acct_lost", .email = "lost@example.com", .created_at = 1};
	assert_int_equal(qoc_store_account_create(f->st, &lost), QOC_EBUSY);
	struct qoc_token t = {.token_hash = "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh",
	                      .kind = QOC_TOKEN_ACCESS,
	                      .client_id = "qoc_client_x",
	                      .family_id = "fam",
	                      .scope = "",
	                      .created_at = 1,
	                      .expires_at = 2};
	assert_int_equal(qoc_store_tokens_issue(f->st, &t, 1), QOC_EBUSY);
	assert_int_equal(pgtest_cluster_cmd(f->cluster, "up"), 0);
	/* Calls fail fast for a moment after a failed connect (RECONNECT_PAUSE_MS): a client
	 * retrying as Retry-After says gets through. */
	enum qoc_err err = QOC_EBUSY;
	for (int i = 0; i < 30 && err == QOC_EBUSY; i++) {
		err = qoc_store_ping(f->st);
		if (err == QOC_EBUSY)
			usleep(100000);
	}
	assert_int_equal(err, QOC_OK);
	assert_int_equal(qoc_store_account_by_email(f->st, &f->a, "one@example.com", &out), QOC_OK);
	assert_int_equal(qoc_store_account_by_email(f->st, &f->a, "lost@example.com", &out),
	                 QOC_ENOTFOUND);
	assert_int_equal(qoc_store_account_create(f->st, &lost), QOC_OK);
}

/* Every pooled connection busy: the next caller waits busy_timeout_ms, then QOC_EBUSY. */
static void a_pool_with_no_free_connection_is_ebusy(void **state)
{
	struct fx *f = *state;
	struct qoc_store_options o = {.url = f->db.url, .pool_size = 1, .busy_timeout_ms = 200};
	assert_int_equal(qoc_store_open(&o, &f->st), QOC_OK);
	struct qoc_pg_conn *held;
	assert_int_equal(qoc_pg_acquire(qoc_pg_from(f->st), &held), QOC_OK);
	assert_int_equal(qoc_store_ping(f->st), QOC_EBUSY);
	qoc_pg_release(held);
	assert_int_equal(qoc_store_ping(f->st), QOC_OK);
}

int main(void)
{
	qoc_log_set_level(QOC_LOG_ERROR);
	if (!pgtest_cluster_shared(&shared)) {
		fprintf(stderr, "test_store_postgres: skipped (no PostgreSQL test cluster)\n");
		return 77;
	}
	static const struct store_contract_backend pg_backend = {
	    .name = "postgres",
	    .open = contract_open,
	    .close = contract_close,
	    .reopen = contract_reopen,
	};
	int failed = store_contract_run(&pg_backend);

	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        migrations_from_several_nodes_at_once_apply_each_version_once, fx_setup,
	        fx_teardown),
	    cmocka_unit_test_setup_teardown(a_database_from_a_newer_binary_is_refused, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test(a_url_that_cannot_connect_fails_at_open_without_logging_it),
	    cmocka_unit_test_setup_teardown(a_commit_that_rolled_back_is_an_error, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(a_pool_with_no_free_connection_is_ebusy, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(a_purge_skips_while_another_node_purges, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(every_connection_reconnects_after_a_server_restart,
	                                    fx_setup_private, fx_teardown),
	    cmocka_unit_test_setup_teardown(an_outage_is_ebusy_and_the_store_recovers,
	                                    fx_setup_private, fx_teardown),
	};
	failed += cmocka_run_group_tests_name("store_postgres", tests, NULL, NULL);
	return failed ? 1 : 0;
}
