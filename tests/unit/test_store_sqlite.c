/* The SQLite store: the contract suite, then what only SQLite has (pragmas, the file on
 * disk, the pool, lock timeouts). Every test works in its own mkdtemp directory, removed
 * afterwards. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/clock.h"
#include "core/log.h"
#include "store/migration.h"
#include "store/sqlite/sqlite_internal.h"
#include "store/store.h"
#include "support/store_contract.h"
#include "support/store_contract_priv.h" /* contract_oauth_people, CONTRACT_APP_A */
#include "support/tmpdb.h"

static struct qoc_store_options opts_for(const struct tmpdb *t)
{
	return (struct qoc_store_options){.url = t->url, .sync = QOC_SYNC_FULL};
}

/* --- the contract, on SQLite (arg: the enum qoc_group_commit to open with) --- */

static struct qoc_store_options backend_opts(void *arg, const struct tmpdb *t)
{
	struct qoc_store_options o = opts_for(t);
	o.group_commit = *(const enum qoc_group_commit *)arg;
	return o;
}

static enum qoc_err backend_open(void *arg, struct qoc_store **st, void **ctx)
{
	struct tmpdb *t = calloc(1, sizeof(*t));
	if (!t)
		return QOC_ENOMEM;
	if (tmpdb_make(t) != 0) {
		free(t);
		return QOC_EIO;
	}
	struct qoc_store_options o = backend_opts(arg, t);
	enum qoc_err err = qoc_store_open(&o, st);
	if (err) {
		tmpdb_remove(t);
		free(t);
		return err;
	}
	*ctx = t;
	return QOC_OK;
}

static void backend_close(void *arg, struct qoc_store *st, void *ctx)
{
	(void)arg;
	qoc_store_close(st);
	tmpdb_remove(ctx);
	free(ctx);
}

static enum qoc_err backend_reopen(void *arg, struct qoc_store **st, void *ctx)
{
	qoc_store_close(*st);
	*st = NULL;
	struct qoc_store_options o = backend_opts(arg, ctx);
	return qoc_store_open(&o, st);
}

/* --- SQLite-only fixture: a directory, the store opened on demand --- */

struct fx {
	struct tmpdb t;
	struct qoc_store *st;
	struct qoc_arena a;
};

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	if (!f || tmpdb_make(&f->t) != 0) {
		free(f);
		return -1;
	}
	qoc_arena_init(&f->a, 0);
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;
	qoc_store_close(f->st);
	qoc_arena_release(&f->a);
	tmpdb_remove(&f->t);
	free(f);
	return 0;
}

static void fx_open(struct fx *f, const struct qoc_store_options *o)
{
	qoc_store_close(f->st);
	f->st = NULL;
	assert_int_equal(qoc_store_open(o, &f->st), QOC_OK);
}

static void fx_open_migrated(struct fx *f)
{
	struct qoc_store_options o = opts_for(&f->t);
	fx_open(f, &o);
	assert_int_equal(qoc_store_migrate(f->st, NULL), QOC_OK);
}

/* The mode bits of t's database file plus suffix; -1 when it does not exist. */
static int file_mode(const struct tmpdb *t, const char *suffix)
{
	char p[400];
	snprintf(p, sizeof(p), "%s%s", t->path, suffix);
	struct stat sb;
	return stat(p, &sb) == 0 ? (int)(sb.st_mode & 0777) : -1;
}

/* attack: another local user reads the hashes and sealed secrets, or writes the WAL.
 * Whatever the umask, qoc.db and the -wal and -shm SQLite gives its mode, and -appgen,
 * are 0600; files left looser are narrowed at the next open (issue 13 section 4). */
static void database_files_are_private_whatever_the_umask(void **state)
{
	struct fx *f = *state;
	static const char *const sides[] = {"", "-wal", "-shm", "-appgen"};
	mode_t old = umask(0);
	fx_open_migrated(f);
	umask(old);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(file_mode(&f->t, sides[i]), 0600);
	qoc_store_close(f->st);
	f->st = NULL;
	for (size_t i = 0; i < 4; i++) {
		char p[400];
		snprintf(p, sizeof(p), "%s%s", f->t.path, sides[i]);
		if (file_mode(&f->t, sides[i]) >= 0)
			assert_int_equal(chmod(p, 0666), 0);
	}
	struct qoc_store_options o = opts_for(&f->t);
	fx_open(f, &o);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(file_mode(&f->t, sides[i]), 0600);
}

/* How many migrations this binary carries. */
static unsigned embedded_migrations(void)
{
	unsigned n = 0;
	while (qoc_sqlite_migrations[n].version)
		n++;
	return n;
}

/* One integer or text answer from a statement on a raw connection. */
static sqlite3_int64 query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	sqlite3_int64 v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void query_text(sqlite3 *db, const char *sql, char *out, size_t size)
{
	sqlite3_stmt *s = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	snprintf(out, size, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
}

static sqlite3 *raw_open(const char *path)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	return db;
}

/* Every pooled connection, not just one, has the settings. */
static void assert_pool_pragmas(struct qoc_store *st, unsigned n, int synchronous)
{
	struct qoc_sqlite_store *sst = qoc_sqlite_from(st);
	struct qoc_sqlite_conn *held[QOC_STORE_MAX_POOL_SIZE];
	assert_int_equal(sst->pool_size, n);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(qoc_sqlite_acquire(sst, &held[i]), QOC_OK);
		char mode[16];
		query_text(held[i]->db, "PRAGMA journal_mode", mode, sizeof(mode));
		assert_string_equal(mode, "wal");
		assert_int_equal(query_int(held[i]->db, "PRAGMA synchronous"), synchronous);
		assert_int_equal(query_int(held[i]->db, "PRAGMA foreign_keys"), 1);
		assert_int_equal(query_int(held[i]->db, "PRAGMA busy_timeout"), 5000);
	}
	for (unsigned i = 0; i < n; i++)
		qoc_sqlite_release(held[i]);
}

static void pragmas_are_applied_on_every_connection(void **state)
{
	struct fx *f = *state;
	struct qoc_store_options o = opts_for(&f->t);
	fx_open(f, &o);
	assert_int_equal(qoc_store_migrate(f->st, NULL), QOC_OK);
	assert_string_equal(f->st->ops->name, "sqlite");
	assert_pool_pragmas(f->st, QOC_STORE_DEFAULT_POOL_SIZE, 2 /* FULL */);

	o.sync = QOC_SYNC_NORMAL;
	o.pool_size = 2;
	fx_open(f, &o);
	assert_pool_pragmas(f->st, 2, 1 /* NORMAL */);

	/* WAL is a property of the file: another opener sees it too. */
	sqlite3 *db = raw_open(f->t.path);
	char mode[16];
	query_text(db, "PRAGMA journal_mode", mode, sizeof(mode));
	assert_string_equal(mode, "wal");
	assert_int_equal(query_int(db, "SELECT count(*) FROM schema_migrations"),
	                 embedded_migrations());
	sqlite3_close(db);
}

static void reopening_keeps_the_data(void **state)
{
	struct fx *f = *state;
	fx_open_migrated(f);
	struct qoc_account acct = {.id = "acct_1", .email = "keep@example.com", .created_at = 7};
	const unsigned char sealed[] = {1, 2, 3};
	struct qoc_key_record k = {.kid = "k1",
	                           .alg = "EdDSA",
	                           .public_jwk = "{}",
	                           .sealed_private = sealed,
	                           .sealed_private_len = 3,
	                           .created_at = 10};
	assert_int_equal(qoc_store_account_create(f->st, &acct), QOC_OK);
	assert_int_equal(qoc_store_key_rotate(f->st, &k, 10, 0), QOC_OK);

	struct qoc_store_options o = opts_for(&f->t);
	fx_open(f, &o); /* closes the first handle */
	unsigned applied = 99;
	assert_int_equal(qoc_store_migrate(f->st, &applied), QOC_OK);
	assert_int_equal(applied, 0);
	struct qoc_account out;
	assert_int_equal(qoc_store_account_by_email(f->st, &f->a, "KEEP@example.com", &out),
	                 QOC_OK);
	assert_string_equal(out.id, "acct_1");
	struct qoc_key_record got;
	assert_int_equal(qoc_store_key_active(f->st, &f->a, "EdDSA", &got), QOC_OK);
	assert_string_equal(got.kid, "k1");
	assert_memory_equal(got.sealed_private, sealed, 3);
}

static void a_database_from_a_newer_binary_is_refused(void **state)
{
	struct fx *f = *state;
	fx_open_migrated(f);
	qoc_store_close(f->st);
	f->st = NULL;

	sqlite3 *db = raw_open(f->t.path);
	assert_int_equal(
	    sqlite3_exec(db, "INSERT INTO schema_migrations VALUES (9999, '9999_future', 0)", NULL,
	                 NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);

	struct qoc_store_options o = opts_for(&f->t);
	fx_open(f, &o);
	unsigned applied = 99;
	assert_int_equal(qoc_store_migrate(f->st, &applied), QOC_EDB);
	assert_int_equal(applied, 0);
}

static void migrations_are_recorded_with_their_names(void **state)
{
	struct fx *f = *state;
	fx_open_migrated(f);
	sqlite3 *db = raw_open(f->t.path);
	char name[64];
	query_text(db, "SELECT name FROM schema_migrations WHERE version = 1", name, sizeof(name));
	assert_string_equal(name, "0001_init");
	int64_t now = qoc_clock_now(&qoc_clock_system);
	sqlite3_int64 at =
	    query_int(db, "SELECT applied_at FROM schema_migrations WHERE version = 1");
	assert_true(at > now - 60 && at <= now + 1);
	sqlite3_close(db);
}

/* The schema itself, not only the code, keeps a second key of one algorithm from being
 * active (0004_keys_per_alg); keys of other algorithms are active beside it. */
static void the_schema_allows_one_active_key_per_alg(void **state)
{
	struct fx *f = *state;
	fx_open_migrated(f);
	sqlite3 *db = raw_open(f->t.path);
	const char *insert_a = "INSERT INTO signing_keys (kid, alg, public_jwk, sealed_private,"
	                       " created_at) VALUES ('a', 'ES256', '{}', x'00', 1)";
	const char *insert_b = "INSERT INTO signing_keys (kid, alg, public_jwk, sealed_private,"
	                       " created_at) VALUES ('b', 'ES256', '{}', x'00', 2)";
	assert_int_equal(sqlite3_exec(db, insert_a, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, insert_b, NULL, NULL, NULL), SQLITE_CONSTRAINT);
	const char *insert_c = "INSERT INTO signing_keys (kid, alg, public_jwk, sealed_private,"
	                       " created_at) VALUES ('c', 'RS256', '{}', x'00', 3)";
	assert_int_equal(sqlite3_exec(db, insert_c, NULL, NULL, NULL), SQLITE_OK);
	/* Retired without a publish_until is refused too. */
	assert_int_equal(
	    sqlite3_exec(db, "UPDATE signing_keys SET retired_at = 5", NULL, NULL, NULL),
	    SQLITE_CONSTRAINT);
	/* STRICT: a text where an integer belongs is refused. */
	assert_int_equal(sqlite3_exec(db,
	                              "INSERT INTO accounts (id, email, email_norm, created_at)"
	                              " VALUES ('i', 'e', 'e', 'yesterday')",
	                              NULL, NULL, NULL),
	                 SQLITE_CONSTRAINT);
	sqlite3_close(db);
}

/* 0008: the family index is partial (tokens with an account); the family revocation
 * (sqlite_tokens.c) must still find its rows through it, not by scanning every token. */
static void family_revocation_uses_the_partial_index(void **state)
{
	struct fx *f = *state;
	fx_open_migrated(f);
	struct qoc_sqlite_conn *c;
	assert_int_equal(qoc_sqlite_acquire(qoc_sqlite_from(f->st), &c), QOC_OK);
	sqlite3_stmt *s = NULL;
	assert_int_equal(sqlite3_prepare_v2(c->db,
	                                    "EXPLAIN QUERY PLAN UPDATE tokens SET revoked_at = 1"
	                                    " WHERE family_id = 'f' AND account_id IS NOT NULL"
	                                    " AND revoked_at IS NULL",
	                                    -1, &s, NULL),
	                 SQLITE_OK);
	bool indexed = false;
	while (sqlite3_step(s) == SQLITE_ROW)
		indexed = indexed || strstr((const char *)sqlite3_column_text(s, 3),
		                            "USING INDEX tokens_family") != NULL;
	sqlite3_finalize(s);
	qoc_sqlite_release(c);
	assert_true(indexed);
}

static void an_exhausted_pool_answers_busy_after_the_timeout(void **state)
{
	struct fx *f = *state;
	struct qoc_store_options o = opts_for(&f->t);
	o.pool_size = 1;
	o.busy_timeout_ms = 200;
	fx_open(f, &o);
	struct qoc_sqlite_conn *held;
	assert_int_equal(qoc_sqlite_acquire(qoc_sqlite_from(f->st), &held), QOC_OK);

	uint64_t t0 = qoc_monotonic_ns();
	assert_int_equal(qoc_store_ping(f->st), QOC_EBUSY);
	uint64_t waited_ms = (qoc_monotonic_ns() - t0) / 1000000;
	assert_true(waited_ms >= 190);
	assert_true(waited_ms < 2000);

	qoc_sqlite_release(held);
	assert_int_equal(qoc_store_ping(f->st), QOC_OK);
}

/* Another process holding the write lock past busy_timeout: a clean QOC_EBUSY, never
 * QOC_EDB; readers still read (WAL); once the lock is gone, the write goes through. */
static void a_locked_database_answers_busy_not_db_error(void **state)
{
	struct fx *f = *state;
	struct qoc_store_options o = opts_for(&f->t);
	o.busy_timeout_ms = 150;
	fx_open(f, &o);
	assert_int_equal(qoc_store_migrate(f->st, NULL), QOC_OK);

	sqlite3 *other = raw_open(f->t.path);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	struct qoc_account acct = {.id = "acct_1", .email = "locked@example.com"};
	uint64_t t0 = qoc_monotonic_ns();
	assert_int_equal(qoc_store_account_create(f->st, &acct), QOC_EBUSY);
	assert_true((qoc_monotonic_ns() - t0) / 1000000 >= 140); /* it waited for the lock */
	const unsigned char sealed[] = {9};
	struct qoc_key_record k = {.kid = "k",
	                           .alg = "ES256",
	                           .public_jwk = "{}",
	                           .sealed_private = sealed,
	                           .sealed_private_len = 1};
	assert_int_equal(qoc_store_key_rotate(f->st, &k, 1, 2), QOC_EBUSY);
	assert_int_equal(qoc_store_ping(f->st), QOC_OK);
	struct qoc_account out;
	assert_int_equal(qoc_store_account_by_email(f->st, &f->a, "locked@example.com", &out),
	                 QOC_ENOTFOUND);
	assert_int_equal(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);

	assert_int_equal(qoc_store_account_create(f->st, &acct), QOC_OK);
}

/* After failures (conflict, busy, not found) every pooled connection is back outside any
 * transaction with no statement left running, and its cache holds prepared statements. */
static void failures_leave_connections_clean(void **state)
{
	struct fx *f = *state;
	struct qoc_store_options o = opts_for(&f->t);
	o.pool_size = 1; /* every call below goes through this one connection */
	fx_open(f, &o);
	assert_int_equal(qoc_store_migrate(f->st, NULL), QOC_OK);
	struct qoc_account acct = {.id = "acct_1", .email = "x@example.com"};
	assert_int_equal(qoc_store_account_create(f->st, &acct), QOC_OK);
	assert_int_equal(qoc_store_account_create(f->st, &acct), QOC_ECONFLICT);
	struct qoc_account out;
	assert_int_equal(qoc_store_account_by_email(f->st, &f->a, "y@example.com", &out),
	                 QOC_ENOTFOUND);
	struct qoc_key_record k;
	assert_int_equal(qoc_store_key_active(f->st, &f->a, "ES256", &k), QOC_ENOTFOUND);

	struct qoc_sqlite_conn *c;
	assert_int_equal(qoc_sqlite_acquire(qoc_sqlite_from(f->st), &c), QOC_OK);
	assert_true(sqlite3_get_autocommit(c->db));
	int live = 0;
	for (sqlite3_stmt *s = sqlite3_next_stmt(c->db, NULL); s; s = sqlite3_next_stmt(c->db, s)) {
		assert_false(sqlite3_stmt_busy(s));
		live++;
	}
	assert_true(live >= 4); /* cached, not re-prepared per call */
	sqlite3_stmt *before = NULL;
	for (int i = 0; i < QOC_SQLITE_STMT_MAX && !before; i++)
		before = c->stmts[i];
	qoc_sqlite_release(c);

	/* The same statement object serves the next call. */
	assert_int_equal(qoc_store_account_by_email(f->st, &f->a, "x@example.com", &out), QOC_OK);
	assert_int_equal(qoc_sqlite_acquire(qoc_sqlite_from(f->st), &c), QOC_OK);
	int live_after = 0;
	for (sqlite3_stmt *s = sqlite3_next_stmt(c->db, NULL); s; s = sqlite3_next_stmt(c->db, s))
		live_after++;
	assert_int_equal(live_after, live);
	bool still_cached = false;
	for (int i = 0; i < QOC_SQLITE_STMT_MAX; i++)
		still_cached = still_cached || c->stmts[i] == before;
	assert_true(still_cached);
	qoc_sqlite_release(c);
}

struct migrator {
	const char *url;
	enum qoc_err open_err, err;
	unsigned applied;
};

static void *migrate_thread(void *arg)
{
	struct migrator *m = arg;
	struct qoc_store_options o = {.url = m->url, .pool_size = 1};
	struct qoc_store *st;
	m->open_err = qoc_store_open(&o, &st);
	if (m->open_err)
		return NULL;
	m->err = qoc_store_migrate(st, &m->applied);
	qoc_store_close(st);
	return NULL;
}

/* Two handles (as two processes would) migrating one file at once: each version is
 * applied exactly once, and both end up at the same schema. */
static void concurrent_migrations_apply_each_version_once(void **state)
{
	struct fx *f = *state;
	enum { N = 4 };
	struct migrator m[N];
	pthread_t th[N];
	/* Create the file first: several openers racing to create and switch it to WAL is
	 * SQLite's business, not the point here. */
	struct qoc_store_options o = opts_for(&f->t);
	fx_open(f, &o);
	for (int i = 0; i < N; i++) {
		m[i] = (struct migrator){.url = f->t.url};
		assert_int_equal(pthread_create(&th[i], NULL, migrate_thread, &m[i]), 0);
	}
	unsigned total = 0;
	for (int i = 0; i < N; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(m[i].open_err, QOC_OK);
		assert_int_equal(m[i].err, QOC_OK);
		total += m[i].applied;
	}
	assert_int_equal(total, embedded_migrations()); /* each applied by exactly one */
	unsigned applied = 99;
	assert_int_equal(qoc_store_migrate(f->st, &applied), QOC_OK);
	assert_int_equal(applied, 0);
}

/* qoc_sqlite_release() repairs what a buggy op could leave behind: a running statement is
 * reset (no pinned snapshot), a connection still in a transaction is closed and reopened
 * by the next acquire (never handed on mid-transaction). */
static void release_repairs_a_dirty_connection(void **state)
{
	struct fx *f = *state;
	struct qoc_store_options o = opts_for(&f->t);
	o.pool_size = 1;
	fx_open(f, &o);
	assert_int_equal(qoc_store_migrate(f->st, NULL), QOC_OK);
	struct qoc_sqlite_store *sst = qoc_sqlite_from(f->st);

	static struct qoc_sqlite_sql sql_many = {.text = "SELECT 1 UNION ALL SELECT 2"};
	struct qoc_sqlite_conn *c;
	sqlite3_stmt *s;
	assert_int_equal(qoc_sqlite_acquire(sst, &c), QOC_OK);
	assert_int_equal(qoc_sqlite_stmt(c, &sql_many, &s), QOC_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	qoc_sqlite_release(c); /* the "bug": s still running */
	assert_false(sqlite3_stmt_busy(s));

	assert_int_equal(qoc_sqlite_acquire(sst, &c), QOC_OK);
	assert_int_equal(sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	qoc_sqlite_release(c); /* the "bug": still inside a transaction, holding the lock */
	assert_null(c->db);

	/* The write lock went with the closed connection, and the pool still works. */
	struct qoc_account acct = {.id = "acct_1", .email = "after@example.com"};
	assert_int_equal(qoc_store_account_create(f->st, &acct), QOC_OK);
	assert_int_equal(qoc_sqlite_acquire(sst, &c), QOC_OK);
	assert_non_null(c->db);
	assert_int_equal(query_int(c->db, "PRAGMA foreign_keys"), 1);
	qoc_sqlite_release(c);
}

/* Commits past the WAL threshold wake the checkpoint thread, which copies the WAL into
 * the database file; the committing connections do not checkpoint themselves. */
static void write_accounts(struct qoc_store *st, const char *prefix, int n)
{
	for (int i = 0; i < n; i++) {
		char id[32], email[64];
		snprintf(id, sizeof(id), "acct_%s%d", prefix, i);
		snprintf(email, sizeof(email), "%s%d@example.com", prefix, i);
		struct qoc_account acct = {.id = id, .email = email};
		assert_int_equal(qoc_store_account_create(st, &acct), QOC_OK);
	}
}

static void checkpoints_run_on_their_own_thread(void **state)
{
	struct fx *f = *state;
	fx_open_migrated(f);
	struct qoc_sqlite_store *sst = qoc_sqlite_from(f->st);
	struct qoc_sqlite_conn *c;
	assert_int_equal(qoc_sqlite_acquire(sst, &c), QOC_OK); /* an empty WAL to start from */
	assert_int_equal(sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL,
	                                           NULL),
	                 SQLITE_OK);
	qoc_sqlite_release(c);
	sst->checkpointer.pages = 16; /* inline only past 64 */
	write_accounts(f->st, "a", 6);
	for (int i = 0; i < 200 && atomic_load(&sst->checkpointer.runs) == 0; i++)
		usleep(10 * 1000);
	assert_true(atomic_load(&sst->checkpointer.runs) > 0);
	assert_int_equal(atomic_load(&sst->checkpointer.inline_runs), 0);
	assert_true(atomic_load(&sst->checkpointer.frames) > 0); /* pages reached the file */

	/* Without the thread (stopped), a commit past the threshold checkpoints inline. */
	qoc_sqlite_checkpointer_stop(sst);
	write_accounts(f->st, "b", 20);
	assert_true(atomic_load(&sst->checkpointer.inline_runs) > 0);
	struct qoc_account got;
	assert_int_equal(qoc_store_account_by_email(f->st, &f->a, "b19@example.com", &got),
	                 QOC_OK);
}

/* The app cache's counter is shared through "<db>-appgen" by every process on the
 * database: changes made through a second handle (another `qoc` process: the CLI, the
 * tests' fixture) retire the first handle's copies; last_used_at alone does not. */
static void app_copies_follow_changes_from_other_handles(void **state)
{
	struct fx *f = *state;
	fx_open_migrated(f);
	struct qoc_store_options o = opts_for(&f->t);
	struct qoc_store *other = NULL;
	assert_int_equal(qoc_store_open(&o, &other), QOC_OK);
	char gen_path[400];
	snprintf(gen_path, sizeof(gen_path), "%s-appgen", f->t.path);
	assert_int_equal(access(gen_path, F_OK), 0);

	contract_oauth_people(other);
	struct qoc_app_cache *cache = qoc_sqlite_from(f->st)->appgen.apps;
	assert_non_null(cache);
	struct qoc_app_cache_stats before, after;
	qoc_app_cache_stats(cache, &before);
	struct qoc_app app;
	assert_int_equal(qoc_store_client_get(f->st, &f->a, CONTRACT_APP_A, &app), QOC_OK);
	assert_int_equal(qoc_store_client_get(f->st, &f->a, CONTRACT_APP_A, &app), QOC_OK);
	assert_string_equal(app.status, "active");
	qoc_app_cache_stats(cache, &after);
	assert_int_equal(after.misses - before.misses, 1);
	assert_int_equal(after.hits - before.hits, 1);

	/* last used, written by the other handle: the copy stays */
	assert_int_equal(qoc_store_app_touch_last_used(other, CONTRACT_APP_A, 7000), QOC_OK);
	assert_int_equal(qoc_store_client_get(f->st, &f->a, CONTRACT_APP_A, &app), QOC_OK);
	qoc_app_cache_stats(cache, &before);
	assert_int_equal(before.hits - after.hits, 1);
	assert_int_equal(qoc_store_app_get(f->st, &f->a, CONTRACT_APP_A, &app), QOC_OK);
	assert_int_equal(app.last_used_at, 7000); /* app_get reads the row */

	/* suspended by the other handle: the next read sees it */
	struct qoc_audit_event ev = {.actor_id = "acct_1", .action = "app.suspend", .at = 8000};
	assert_int_equal(qoc_store_app_set_status(other, CONTRACT_APP_A, "suspended", &ev), QOC_OK);
	assert_int_equal(qoc_store_client_get(f->st, &f->a, CONTRACT_APP_A, &app), QOC_OK);
	assert_string_equal(app.status, "suspended");
	assert_int_equal(qoc_store_client_get(f->st, &f->a, CONTRACT_APP_A, &app), QOC_OK);
	assert_string_equal(app.status, "suspended");

	/* a write that fails changes nothing, and a rolled-back change leaves no mark */
	struct qoc_sqlite_conn *c;
	assert_int_equal(qoc_sqlite_acquire(qoc_sqlite_from(other), &c), QOC_OK);
	uint64_t gen = qoc_sqlite_appgen_load(qoc_sqlite_from(f->st));
	assert_int_equal(sqlite3_exec(c->db,
	                              "BEGIN; UPDATE applications SET name = 'x'; ROLLBACK;",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	assert_false(c->apps_changed);
	assert_int_equal(qoc_sqlite_appgen_load(qoc_sqlite_from(f->st)), gen);
	/* a change committed through any statement moves it */
	assert_int_equal(sqlite3_exec(c->db, "UPDATE applications SET name = 'renamed'", NULL,
	                              NULL, NULL),
	                 SQLITE_OK);
	assert_true(qoc_sqlite_appgen_load(qoc_sqlite_from(f->st)) > gen);
	qoc_sqlite_release(c);
	assert_int_equal(qoc_store_client_get(f->st, &f->a, CONTRACT_APP_A, &app), QOC_OK);
	assert_string_equal(app.name, "renamed");

	/* deleted by the other handle: gone at once */
	assert_int_equal(qoc_store_app_delete(other, CONTRACT_APP_A, &ev), QOC_OK);
	assert_int_equal(qoc_store_client_get(f->st, &f->a, CONTRACT_APP_A, &app), QOC_ENOTFOUND);
	qoc_store_close(other);
}

/* Accounts made before 0002 get their personal team when it is applied, with the id the
 * store derives ("team_" + account id) and an admin membership. */
static void migration_0002_gives_old_accounts_a_personal_team(void **state)
{
	struct fx *f = *state;
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open_v2(f->t.path, &db,
	                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
	                 SQLITE_OK);
	assert_int_equal(qoc_sqlite_migrations[0].version, 1);
	assert_int_equal(sqlite3_exec(db,
	                              "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,"
	                              " name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT;"
	                              "INSERT INTO schema_migrations VALUES (1, '0001_init', 0);",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, qoc_sqlite_migrations[0].sql, NULL, NULL, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
	                              "INSERT INTO accounts (id, email, email_norm, name, created_at)"
	                              " VALUES ('acct_old', 'Old@x.org', 'old@x.org', NULL, 42)",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(db);

	struct qoc_store_options o = opts_for(&f->t);
	fx_open(f, &o);
	unsigned applied = 0;
	assert_int_equal(qoc_store_migrate(f->st, &applied), QOC_OK);
	assert_int_equal(applied, embedded_migrations() - 1);
	struct qoc_team *teams;
	size_t n;
	assert_int_equal(qoc_store_teams_of_account(f->st, &f->a, "acct_old", &teams, &n), QOC_OK);
	assert_int_equal(n, 1);
	assert_string_equal(teams[0].id, "team_acct_old");
	assert_string_equal(teams[0].name, "Old@x.org");
	assert_true(teams[0].personal);
	assert_int_equal(teams[0].role, QOC_ROLE_ADMIN);
	assert_int_equal(teams[0].created_at, 42);
	struct qoc_account out;
	assert_int_equal(qoc_store_account_by_id(f->st, &f->a, "acct_old", &out), QOC_OK);
	assert_string_equal(out.personal_team_id, "team_acct_old");
}

/* A database from before 0004 (one active key, whatever its alg) upgrades with its key
 * still active, and then takes an active key of another algorithm beside it. */
static void migration_0004_keeps_the_active_key(void **state)
{
	struct fx *f = *state;
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open_v2(f->t.path, &db,
	                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
	                 SQLITE_OK);
	assert_int_equal(qoc_sqlite_migrations[1].version, 2);
	assert_int_equal(sqlite3_exec(db,
	                              "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,"
	                              " name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT;"
	                              "INSERT INTO schema_migrations VALUES (1, '0001_init', 0);"
	                              "INSERT INTO schema_migrations VALUES (2, '0002_teams_apps', 0);",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	for (int i = 0; i < 2; i++)
		assert_int_equal(sqlite3_exec(db, qoc_sqlite_migrations[i].sql, NULL, NULL, NULL),
		                 SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
	                              "INSERT INTO signing_keys (kid, alg, public_jwk, sealed_private,"
	                              " created_at) VALUES ('old', 'RS256', '{}', x'01', 5)",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(db);

	struct qoc_store_options o = opts_for(&f->t);
	fx_open(f, &o);
	unsigned applied = 0;
	assert_int_equal(qoc_store_migrate(f->st, &applied), QOC_OK);
	assert_int_equal(applied, embedded_migrations() - 2);
	struct qoc_key_record got;
	assert_int_equal(qoc_store_key_active(f->st, &f->a, "RS256", &got), QOC_OK);
	assert_string_equal(got.kid, "old");
	const unsigned char sealed[] = {2};
	struct qoc_key_record k = {.kid = "new", .alg = "ES256", .public_jwk = "{}",
	                           .sealed_private = sealed, .sealed_private_len = 1,
	                           .created_at = 10};
	assert_int_equal(qoc_store_key_rotate(f->st, &k, 10, 100), QOC_OK);
	assert_int_equal(qoc_store_key_active(f->st, &f->a, "RS256", &got), QOC_OK);
	assert_string_equal(got.kid, "old");
	assert_int_equal(got.retired_at, 0);
}

/* The schema itself keeps an application's owner inside its team and a public client
 * without a secret, whatever code writes to it. */
static void the_schema_guards_applications(void **state)
{
	struct fx *f = *state;
	fx_open_migrated(f);
	struct qoc_account a1 = {.id = "acct_1", .email = "1@x.org"};
	struct qoc_account a2 = {.id = "acct_2", .email = "2@x.org"};
	assert_int_equal(qoc_store_account_create(f->st, &a1), QOC_OK);
	assert_int_equal(qoc_store_account_create(f->st, &a2), QOC_OK);
	sqlite3 *db = raw_open(f->t.path);
	assert_int_equal(sqlite3_exec(db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL), SQLITE_OK);
	const char *cols = "INSERT INTO applications (client_id, team_id, owner_id, name, name_norm,"
	                   " type, status, access_token_lifetime, refresh_token_lifetime,"
	                   " id_token_lifetime, pkce_required, token_format,"
	                   " id_token_signed_response_alg, secret_hash, secret_sealed,"
	                   " secret_created_at, created_at, updated_at) VALUES ";
	char sql[1024];
	/* acct_2 is not a member of acct_1's personal team */
	snprintf(sql, sizeof(sql), "%s ('c1', 'team_acct_1', 'acct_2', 'n', 'n', 'web', 'active',"
	         " 1, 1, 1, 0, 'opaque', 'RS256', x'01', x'02', 1, 1, 1)", cols);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_CONSTRAINT);
	/* a public client with a secret */
	snprintf(sql, sizeof(sql), "%s ('c2', 'team_acct_1', 'acct_1', 'n', 'n', 'spa', 'active',"
	         " 1, 1, 1, 1, 'opaque', 'RS256', x'01', x'02', 1, 1, 1)", cols);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_CONSTRAINT);
	/* a confidential client without one */
	snprintf(sql, sizeof(sql), "%s ('c3', 'team_acct_1', 'acct_1', 'n', 'n', 'web', 'active',"
	         " 1, 1, 1, 0, 'opaque', 'RS256', NULL, NULL, NULL, 1, 1)", cols);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_CONSTRAINT);
	snprintf(sql, sizeof(sql), "%s ('c4', 'team_acct_1', 'acct_1', 'n', 'n', 'web', 'active',"
	         " 1, 1, 1, 0, 'opaque', 'RS256', x'01', x'02', 1, 1, 1)", cols);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	/* Deleting the application leaves its audit rows (no foreign key). */
	assert_int_equal(sqlite3_exec(db,
	                              "INSERT INTO audit_log (team_id, client_id, actor_id, action,"
	                              " at) VALUES ('team_acct_1', 'c4', 'acct_1', 'x', 1);"
	                              "DELETE FROM applications WHERE client_id = 'c4'",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	assert_int_equal(query_int(db, "SELECT count(*) FROM audit_log WHERE client_id = 'c4'"), 1);
	sqlite3_close(db);
}

static void urls_pick_the_backend(void **state)
{
	struct fx *f = *state;
	struct qoc_store *st = (void *)1;
	/* PostgreSQL URLs and libpq strings go to the PostgreSQL backend (here: a server
	 * that is not there, so QOC_EDB at open), never to SQLite as a file name. */
	const char *to_postgres[] = {
	    "postgresql:///qoc?host=/nonexistent-qoc-dir",
	    "postgres://qoc:secret@%2Fnonexistent-qoc-dir/qoc",
	    "host=/nonexistent-qoc-dir dbname=qoc",
	    "  dbname = qoc host=/nonexistent-qoc-dir",
	};
	for (size_t i = 0; i < sizeof(to_postgres) / sizeof(to_postgres[0]); i++) {
		struct qoc_store_options o = {.url = to_postgres[i]};
		assert_int_equal(qoc_store_open(&o, &st), QOC_EDB);
		assert_null(st);
	}
	const char *refused[] = {
	    "mysql://db/qoc",
	    "",
	    ":memory:",
	    "sqlite::memory:",
	    "sqlite:",
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct qoc_store_options o = {.url = refused[i]};
		assert_int_equal(qoc_store_open(&o, &st), QOC_EINVAL);
		assert_null(st);
	}
	struct qoc_store_options none = {.url = NULL};
	assert_int_equal(qoc_store_open(&none, &st), QOC_EINVAL);
	struct qoc_store_options big = {.url = f->t.url, .pool_size = QOC_STORE_MAX_POOL_SIZE + 1};
	assert_int_equal(qoc_store_open(&big, &st), QOC_EINVAL);

	/* A directory that does not exist: the open itself fails, not the first request. */
	char missing[400];
	snprintf(missing, sizeof(missing), "sqlite:%s/no/such/dir/qoc.db", f->t.dir);
	struct qoc_store_options bad = {.url = missing};
	assert_int_equal(qoc_store_open(&bad, &st), QOC_EDB);
	assert_null(st);

	/* sqlite:<path>, sqlite://<path> and a bare path all open the same file. */
	char url2[400];
	snprintf(url2, sizeof(url2), "sqlite://%s", f->t.path);
	const char *same[] = {f->t.url, url2, f->t.path};
	for (size_t i = 0; i < 3; i++) {
		struct qoc_store_options o = {.url = same[i], .pool_size = 1};
		fx_open(f, &o);
		unsigned applied = 99;
		assert_int_equal(qoc_store_migrate(f->st, &applied), QOC_OK);
		assert_int_equal(applied, i == 0 ? embedded_migrations() : 0);
	}
}

static void email_norm_folds_ascii_only(void **state)
{
	struct fx *f = *state;
	assert_string_equal(qoc_store_email_norm(&f->a, "MiXeD@Example.ORG"), "mixed@example.org");
	assert_string_equal(qoc_store_email_norm(&f->a, "\xc3\x89@X"), "\xc3\x89@x");
	assert_string_equal(qoc_store_email_norm(&f->a, ""), "");
}

int main(void)
{
	/* The error paths under test log on purpose; keep the output to real problems. */
	qoc_log_set_level(QOC_LOG_ERROR);
	/* The whole contract twice: with group commit (the default) and without, so the
	 * batched writes behave exactly as the plain ones. */
	static const enum qoc_group_commit gc_default = QOC_GROUP_COMMIT_DEFAULT;
	static const enum qoc_group_commit gc_off = QOC_GROUP_COMMIT_OFF;
	static const struct store_contract_backend sqlite_backend = {
	    .name = "sqlite",
	    .open = backend_open,
	    .close = backend_close,
	    .reopen = backend_reopen,
	    .arg = (void *)&gc_default,
	};
	static const struct store_contract_backend sqlite_no_gc_backend = {
	    .name = "sqlite, group commit off",
	    .open = backend_open,
	    .close = backend_close,
	    .reopen = backend_reopen,
	    .arg = (void *)&gc_off,
	};
	int failed = store_contract_run(&sqlite_backend);
	failed += store_contract_run(&sqlite_no_gc_backend);

	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(pragmas_are_applied_on_every_connection, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(reopening_keeps_the_data, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(a_database_from_a_newer_binary_is_refused, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(migrations_are_recorded_with_their_names, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(the_schema_allows_one_active_key_per_alg, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(migration_0004_keeps_the_active_key, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(family_revocation_uses_the_partial_index, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(an_exhausted_pool_answers_busy_after_the_timeout,
	                                    fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(a_locked_database_answers_busy_not_db_error, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(failures_leave_connections_clean, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(concurrent_migrations_apply_each_version_once, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(app_copies_follow_changes_from_other_handles, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(checkpoints_run_on_their_own_thread, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(release_repairs_a_dirty_connection, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(migration_0002_gives_old_accounts_a_personal_team,
	                                    fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(the_schema_guards_applications, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(urls_pick_the_backend, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(database_files_are_private_whatever_the_umask, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(email_norm_folds_ascii_only, fx_setup, fx_teardown),
	};
	failed += cmocka_run_group_tests_name("store_sqlite", tests, NULL, NULL);
	return failed;
}
