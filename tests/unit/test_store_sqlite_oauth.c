/* What only the SQLite backend can show about the OAuth state: group commit really shares
 * commits, isolates a failing write, and falls back write by write when the shared
 * transaction is lost; the schema's own guards; cascades from a deleted account (there
 * is no account_delete op yet, so raw SQL deletes it). */
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

#include <sqlite3.h>

#include "core/log.h"
#include "store/sqlite/sqlite_internal.h"
#include "store/store.h"
#include "store/store_oauth.h"
#include "support/store_contract_priv.h"
#include "support/tmpdb.h"

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

static void fx_open(struct fx *f, enum qoc_group_commit gc)
{
	struct qoc_store_options o = {.url = f->t.url, .group_commit = gc};
	assert_int_equal(qoc_store_open(&o, &f->st), QOC_OK);
	assert_int_equal(qoc_store_migrate(f->st, NULL), QOC_OK);
}

static sqlite3 *raw_open(const char *path)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	return db;
}

static sqlite3_int64 query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	sqlite3_int64 v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* --- group commit, driven through qoc_sqlite_batch_write --- */

#define GC_WRITERS 32

struct gc_writer {
	struct qoc_sqlite_store *st;
	int id;
	const char *family; /* what it inserts into revoked_families (a simple table) */
	bool poison;        /* drops the shared transaction, as an I/O error would */
	enum qoc_err err;
};

static struct qoc_sqlite_sql sql_gc_insert = {
    .text = "INSERT INTO revoked_families (family_id, revoked_at) VALUES (?1, 1)"};
static struct qoc_sqlite_sql sql_gc_rollback = {.text = "ROLLBACK"};

static enum qoc_err gc_write(struct qoc_sqlite_conn *c, void *arg)
{
	struct gc_writer *w = arg;
	enum qoc_err err = qoc_sqlite_run(c, &sql_gc_insert, "test", NULL, "t", w->family);
	if (!err && w->poison) {
		qoc_sqlite_exec(c, &sql_gc_rollback);
		return QOC_EDB;
	}
	return err;
}

static void *gc_thread(void *arg)
{
	struct gc_writer *w = arg;
	w->err = qoc_sqlite_batch_write(w->st, gc_write, w);
	return NULL;
}

/* Holds the write lock from another connection while the writers queue up, so that they
 * meet in the queue; then lets go and waits for them. */
static void run_gc_writers(struct fx *f, struct gc_writer *w, char (*fam)[16])
{
	sqlite3 *other = raw_open(f->t.path);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	pthread_t th[GC_WRITERS];
	for (int i = 0; i < GC_WRITERS; i++) {
		snprintf(fam[i], 16, "fam%d", i);
		if (!w[i].family)
			w[i].family = fam[i];
		w[i].st = qoc_sqlite_from(f->st);
		w[i].id = i;
		assert_int_equal(pthread_create(&th[i], NULL, gc_thread, &w[i]), 0);
		/* Writer 0 leads first, alone, blocked on the lock; the rest queue behind it
		 * and share the next batch. (Without the pause any writer could be that lone
		 * leader: a poisoned one leading alone has nothing to redo, so the test that
		 * wants a fallback failed about 1 run in 10.) */
		if (i == 0)
			usleep(50 * 1000);
	}
	usleep(300 * 1000);
	assert_int_equal(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	for (int i = 0; i < GC_WRITERS; i++)
		pthread_join(th[i], NULL);
}

static sqlite3_int64 families(struct fx *f)
{
	sqlite3 *db = raw_open(f->t.path);
	sqlite3_int64 n = query_int(db, "SELECT count(*) FROM revoked_families");
	sqlite3_close(db);
	return n;
}

static void queued_writes_share_commits_and_a_conflict_stays_its_own(void **state)
{
	struct fx *f = *state;
	fx_open(f, QOC_GROUP_COMMIT_DEFAULT);
	struct gc_writer first = {.st = qoc_sqlite_from(f->st), .family = "fam_taken"};
	assert_int_equal(qoc_sqlite_batch_write(first.st, gc_write, &first), QOC_OK);
	struct qoc_sqlite_batcher *b = &qoc_sqlite_from(f->st)->batcher;
	unsigned long long commits0 = b->commits;

	struct gc_writer w[GC_WRITERS] = {0};
	char fam[GC_WRITERS][16];
	w[7].family = "fam_taken";
	run_gc_writers(f, w, fam);
	for (int i = 0; i < GC_WRITERS; i++)
		assert_int_equal(w[i].err, i == 7 ? QOC_ECONFLICT : QOC_OK);
	unsigned long long commits = b->commits - commits0;
	/* The first writer leads alone while the lock is held; the rest share a commit or
	 * two. */
	assert_true(commits >= 2);
	assert_true(commits <= 4);
	assert_int_equal(b->fallbacks, 0);
	assert_int_equal(families(f), GC_WRITERS); /* 31 + fam_taken */
}

static void a_lost_shared_transaction_is_redone_write_by_write(void **state)
{
	struct fx *f = *state;
	fx_open(f, QOC_GROUP_COMMIT_DEFAULT);
	struct gc_writer w[GC_WRITERS] = {0};
	char fam[GC_WRITERS][16];
	w[5].poison = true;
	run_gc_writers(f, w, fam);
	for (int i = 0; i < GC_WRITERS; i++)
		assert_int_equal(w[i].err, i == 5 ? QOC_EDB : QOC_OK);
	assert_true(qoc_sqlite_from(f->st)->batcher.fallbacks >= 1);
	assert_int_equal(families(f), GC_WRITERS - 1);
}

static void without_group_commit_each_write_commits_alone(void **state)
{
	struct fx *f = *state;
	fx_open(f, QOC_GROUP_COMMIT_OFF);
	struct qoc_sqlite_batcher *b = &qoc_sqlite_from(f->st)->batcher;
	assert_int_equal(b->cap, 1);
	struct gc_writer w[GC_WRITERS] = {0};
	char fam[GC_WRITERS][16];
	run_gc_writers(f, w, fam);
	for (int i = 0; i < GC_WRITERS; i++)
		assert_int_equal(w[i].err, QOC_OK);
	assert_int_equal(b->commits, GC_WRITERS);
	assert_int_equal(b->writes, GC_WRITERS);
	assert_int_equal(families(f), GC_WRITERS);
}

/* --- schema --- */

static int raw_exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

#define HASH43 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

/* The schema refuses what the code refuses, for a writer that bypasses the code. */
static void the_schema_guards_tokens(void **state)
{
	struct fx *f = *state;
	fx_open(f, QOC_GROUP_COMMIT_DEFAULT);
	contract_oauth_people(f->st);
	sqlite3 *db = raw_open(f->t.path);
	assert_int_equal(raw_exec(db, "PRAGMA foreign_keys=ON"), SQLITE_OK);
	const char *cols = "INSERT INTO tokens (token_hash, kind, client_id, account_id, family_id,"
	                   " scope, created_at, expires_at) VALUES ";
	char sql[512];
	/* a raw token instead of its hash */
	snprintf(sql, sizeof(sql), "%s('qoc_at_raw', 'access', '%s', NULL, 'f', '', 1, 2)", cols,
	         CONTRACT_APP_A);
	assert_int_equal(raw_exec(db, sql), SQLITE_CONSTRAINT);
	/* a refresh token without an account (client_credentials) */
	snprintf(sql, sizeof(sql), "%s('%s', 'refresh', '%s', NULL, 'f', '', 1, 2)", cols, HASH43,
	         CONTRACT_APP_A);
	assert_int_equal(raw_exec(db, sql), SQLITE_CONSTRAINT);
	/* an unknown kind */
	snprintf(sql, sizeof(sql), "%s('%s', 'id', '%s', NULL, 'f', '', 1, 2)", cols, HASH43,
	         CONTRACT_APP_A);
	assert_int_equal(raw_exec(db, sql), SQLITE_CONSTRAINT);
	/* an application that does not exist */
	snprintf(sql, sizeof(sql), "%s('%s', 'access', 'qoc_client_x', NULL, 'f', '', 1, 2)", cols,
	         HASH43);
	assert_int_equal(raw_exec(db, sql), SQLITE_CONSTRAINT);
	snprintf(sql, sizeof(sql), "%s('%s', 'access', '%s', NULL, 'f', '', 1, 2)", cols, HASH43,
	         CONTRACT_APP_A);
	assert_int_equal(raw_exec(db, sql), SQLITE_OK);
	/* an access token is never "used" (only refresh tokens rotate) */
	assert_int_equal(raw_exec(db, "UPDATE tokens SET used_at = 5"), SQLITE_CONSTRAINT);
	sqlite3_close(db);
}

/* Deleting an account takes its sessions, requests, codes, tokens and consents with it. */
static void deleting_an_account_deletes_its_protocol_state(void **state)
{
	struct fx *f = *state;
	fx_open(f, QOC_GROUP_COMMIT_DEFAULT);
	contract_oauth_people(f->st);
	const char *h_s = contract_hash(&f->a, "s"), *h_c = contract_hash(&f->a, "c");
	const char *h_t = contract_hash(&f->a, "t"), *h_r = contract_hash(&f->a, "r");
	const char *h_b = contract_hash(&f->a, "b");
	struct qoc_sso_session s = {.id_hash = h_s,
	                            .sid = "sid",
	                            .account_id = "acct_2",
	                            .created_at = 1,
	                            .expires_at = 9999};
	assert_int_equal(qoc_store_session_create(f->st, &s), QOC_OK);
	struct qoc_auth_code c = {.code_hash = h_c,
	                          .client_id = CONTRACT_APP_A,
	                          .account_id = "acct_2",
	                          .redirect_uri = "https://a/cb",
	                          .scope = "",
	                          .family_id = "fam",
	                          .expires_at = 9999};
	assert_int_equal(qoc_store_code_create(f->st, &c), QOC_OK);
	struct qoc_token t = contract_token(h_t, QOC_TOKEN_REFRESH, "fam");
	t.account_id = "acct_2";
	assert_int_equal(qoc_store_tokens_issue(f->st, &t, 1), QOC_OK);
	struct qoc_auth_request r = {.handle_hash = h_r,
	                             .browser_hash = h_b,
	                             .client_id = CONTRACT_APP_A,
	                             .params = "{}",
	                             .expires_at = 9999};
	assert_int_equal(qoc_store_authreq_create(f->st, &r), QOC_OK);
	assert_int_equal(qoc_store_authreq_set_account(f->st, h_r, h_b, "acct_2", 5, 5), QOC_OK);
	assert_int_equal(qoc_store_consent_put(f->st, "acct_2", CONTRACT_APP_A, "openid", 1),
	                 QOC_OK);

	sqlite3 *db = raw_open(f->t.path);
	assert_int_equal(raw_exec(db, "PRAGMA foreign_keys=ON"), SQLITE_OK);
	assert_int_equal(raw_exec(db, "DELETE FROM accounts WHERE id = 'acct_2'"), SQLITE_OK);
	const char *tables[] = {"sso_sessions", "auth_codes", "tokens", "auth_requests",
	                        "consents"};
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		char sql[128];
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", tables[i]);
		assert_int_equal(query_int(db, sql), 0);
	}
	sqlite3_close(db);
}

/* The introspection hot path is one point read through the hash's unique index (no scan,
 * no temporary b-tree). */
static void token_get_is_an_index_point_read(void **state)
{
	struct fx *f = *state;
	fx_open(f, QOC_GROUP_COMMIT_DEFAULT);
	sqlite3 *db = raw_open(f->t.path);
	sqlite3_stmt *s = NULL;
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "EXPLAIN QUERY PLAN SELECT * FROM tokens"
	                                    " WHERE token_hash = ?1",
	                                    -1, &s, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	const char *detail = (const char *)sqlite3_column_text(s, 3);
	assert_non_null(strstr(detail, "SEARCH tokens USING"));
	assert_non_null(strstr(detail, "(token_hash=?)"));
	assert_int_equal(sqlite3_step(s), SQLITE_DONE); /* one step only */
	sqlite3_finalize(s);
	sqlite3_close(db);
}

int main(void)
{
	qoc_log_set_level(QOC_LOG_ERROR);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        queued_writes_share_commits_and_a_conflict_stays_its_own, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(a_lost_shared_transaction_is_redone_write_by_write,
	                                    fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(without_group_commit_each_write_commits_alone, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(the_schema_guards_tokens, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(deleting_an_account_deletes_its_protocol_state,
	                                    fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(token_get_is_an_index_point_read, fx_setup,
	                                    fx_teardown),
	};
	return cmocka_run_group_tests_name("store_sqlite_oauth", tests, NULL, NULL);
}
