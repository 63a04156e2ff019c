/* sqlite_internal.h - shared by the SQLite backend's files (and its white-box tests).
 *
 * Nothing outside src/store/sqlite/ and tests/unit/test_store_sqlite.c includes this: it
 * is the only header that pulls in <sqlite3.h>.
 *
 * The handle holds a fixed pool of connections. A call takes one connection for its whole
 * unit of work (qoc_sqlite_with_conn / qoc_sqlite_write_tx), so a connection is only ever
 * used by one thread at a time and can be opened SQLITE_OPEN_NOMUTEX. Each connection
 * keeps its prepared statements (SQLITE_PREPARE_PERSISTENT) for its lifetime.
 */
#ifndef QOC_STORE_SQLITE_INTERNAL_H
#define QOC_STORE_SQLITE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <sqlite3.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"
#include "store/store_oauth.h"
#include "store/store_outbox.h"
#include "store/store_analytics.h"
#include "store/app_cache.h"

/* Distinct SQL texts the whole backend may cache; raise it when a new statement is
 * refused with "statement cache full" (it costs a pointer per slot per connection). */
#define QOC_SQLITE_STMT_MAX 128

/* One SQL text, defined `static` next to the code that runs it. slot is 0 until the text
 * is first prepared on any connection; it is then the text's index + 1 in every
 * connection's cache, assigned once for the process. Only sqlite_util.c touches slot.
 * Define one as `static struct qoc_sqlite_sql sql_x = { .text = "SELECT ..." };`. */
struct qoc_sqlite_sql {
	const char *text;
	_Atomic unsigned slot;
};

struct qoc_sqlite_store;

struct qoc_sqlite_conn {
	sqlite3 *db; /* NULL after a failure left it unusable: reopened by the next acquire */
	struct qoc_sqlite_store *store;
	struct qoc_sqlite_conn *next_free;
	/* sqlite_appgen.c: an application row changed in the open transaction (update hook),
	 * and the write that only moves last_used_at, which the hook lets pass. */
	bool apps_changed;
	bool touching_last_used;
	sqlite3_stmt *stmts[QOC_SQLITE_STMT_MAX];
};

/* Writes shared per commit, at most (group commit). */
#define QOC_SQLITE_BATCH_MAX 256

struct qoc_sqlite_batch_item;

/* The group-commit queue: callers append their write; the caller at the head leads, runs
 * up to cap queued writes in one transaction, wakes their callers and hands the lead to
 * the next head (after LevelDB's writer queue: no thread of its own). */
struct qoc_sqlite_batcher {
	pthread_mutex_t mu; /* guards head, tail and the items' next links */
	struct qoc_sqlite_batch_item *head, *tail;
	unsigned cap; /* QOC_SQLITE_BATCH_MAX, or 1 with group commit off */
	/* Counters for tests and benchmarks. */
	_Atomic unsigned long long commits;   /* transactions run by the queue */
	_Atomic unsigned long long writes;    /* writes they carried */
	_Atomic unsigned long long fallbacks; /* shared transactions redone write by write */
};

/* WAL pages after which the checkpoint thread runs (16 MiB at 4 KiB pages). */
#define QOC_SQLITE_CHECKPOINT_PAGES 4096

/* The checkpoint thread (sqlite_checkpoint.c): one connection of its own (opened and
 * closed by sqlite_store.c like a pool connection), woken by the connections' WAL hook. */
struct qoc_sqlite_checkpointer {
	unsigned pages; /* threshold, QOC_SQLITE_CHECKPOINT_PAGES (tests set less) */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	struct qoc_sqlite_conn conn;
	atomic_bool started;
	bool wanted, stop;       /* under mu */
	atomic_uint runs;        /* checkpoints run by the thread */
	atomic_uint frames;      /* WAL frames they copied into the database file */
	atomic_uint inline_runs; /* run by a committing connection instead */
};

/* The applications' change counter (sqlite_appgen.c): one 64-bit count in the file
 * "<database>-appgen", mapped shared by every process that opens the database, moved after
 * each commit that changed an application row. NULL counter: not mapped, no app cache. */
struct qoc_sqlite_appgen {
	_Atomic uint64_t *counter;
	void *map;
	struct qoc_app_cache *apps; /* client_get's copies (store/app_cache.h) */
};

struct qoc_sqlite_store {
	struct qoc_store base; /* first: a struct qoc_store * converts to this */
	struct qoc_sqlite_appgen appgen;
	struct qoc_sqlite_batcher batcher;
	struct qoc_sqlite_checkpointer checkpointer;
	char *path;
	enum qoc_sync_mode sync;
	unsigned busy_timeout_ms;
	unsigned pool_size;
	pthread_mutex_t mu; /* guards free_list */
	pthread_cond_t cv;  /* signalled when a connection goes back on free_list */
	struct qoc_sqlite_conn *free_list;
	struct qoc_sqlite_conn conns[]; /* pool_size of them */
};

static inline struct qoc_sqlite_store *qoc_sqlite_from(struct qoc_store *st)
{
	return (struct qoc_sqlite_store *)st;
}

/* --- WAL checkpoints (sqlite_checkpoint.c) --- */

/* Starts the thread on st->checkpointer.conn, already open. QOC_ENOMEM. */
enum qoc_err qoc_sqlite_checkpointer_start(struct qoc_sqlite_store *st);
/* Stops and joins it (its connection stays open); later commits checkpoint inline. No-op
 * when not started. */
void qoc_sqlite_checkpointer_stop(struct qoc_sqlite_store *st);
/* sqlite3_wal_hook callback of every connection (arg: the connection): runs after each
 * commit; moves the applications' counter (sqlite_appgen.c), then checkpoints if due. */
int qoc_sqlite_wal_hook(void *arg, sqlite3 *db, const char *name, int pages);

/* --- the applications' change counter (sqlite_appgen.c) --- */

/* Maps st->path + "-appgen" (created when missing) and makes the cache. A failure is
 * logged and leaves both off: client_get then reads every time. */
void qoc_sqlite_appgen_open(struct qoc_sqlite_store *st);
void qoc_sqlite_appgen_close(struct qoc_sqlite_store *st);
/* Installs c's update and rollback hooks (c->store set, c->db open). */
void qoc_sqlite_appgen_hooks(struct qoc_sqlite_conn *c);
/* From the WAL hook, after a commit: moves the counter if the commit changed an
 * application. */
void qoc_sqlite_appgen_committed(struct qoc_sqlite_conn *c);
/* The counter's value now (0 when not mapped). */
uint64_t qoc_sqlite_appgen_load(struct qoc_sqlite_store *st);

/* --- the pool (sqlite_store.c) --- */

/* Process-wide SQLite settings, once, before any connection is opened (every entry point
 * that opens a database calls it first). */
void qoc_sqlite_global_init(void);

/* Takes a free connection, waiting up to busy_timeout_ms for one. QOC_EBUSY when none
 * came free; QOC_EDB when a connection had to be reopened and could not be. */
enum qoc_err qoc_sqlite_acquire(struct qoc_sqlite_store *st, struct qoc_sqlite_conn **out);
/* Gives c back. A connection still inside a transaction (a failed ROLLBACK) is closed
 * rather than handed to the next caller. */
void qoc_sqlite_release(struct qoc_sqlite_conn *c);

/* --- statements, errors, transactions (sqlite_util.c) --- */

/* Maps an SQLite result code to the store's errors: BUSY/LOCKED -> QOC_EBUSY, a UNIQUE or
 * PRIMARY KEY violation -> QOC_ECONFLICT, a FOREIGN KEY violation -> QOC_ENOTFOUND (a
 * referenced row is missing), NOMEM -> QOC_ENOMEM, anything else -> QOC_EDB, logged with
 * `what` and the connection's message. */
enum qoc_err qoc_sqlite_error(struct qoc_sqlite_conn *c, int rc, const char *what);

/* The connection's prepared statement for sql, prepared on first use. The caller binds,
 * steps, and must call qoc_sqlite_stmt_done() on every path. */
enum qoc_err qoc_sqlite_stmt(struct qoc_sqlite_conn *c, struct qoc_sqlite_sql *sql,
                             sqlite3_stmt **out);
/* Resets s (ending its read) and clears its bindings (so no pointer to the caller's data
 * outlives the call). NULL is a no-op. */
void qoc_sqlite_stmt_done(sqlite3_stmt *s);
/* Finalizes every cached statement of c (before closing it). */
void qoc_sqlite_stmt_cache_clear(struct qoc_sqlite_conn *c);

/* Runs a statement that takes no parameters and returns no rows. */
enum qoc_err qoc_sqlite_exec(struct qoc_sqlite_conn *c, struct qoc_sqlite_sql *sql);

/* Steps s expecting SQLITE_DONE (a write). */
enum qoc_err qoc_sqlite_step_done(struct qoc_sqlite_conn *c, sqlite3_stmt *s, const char *what);

/* Prepares sql (cached) and binds ?1, ?2, ... from the arguments as fmt says, one letter
 * each: 't' const char * (NULL binds SQL NULL), 'i' int64_t, 'b' const void *, size_t (a
 * NULL pointer binds SQL NULL). Bound memory must outlive the statement's use. On QOC_OK
 * the caller steps *out and calls qoc_sqlite_stmt_done(*out). */
enum qoc_err qoc_sqlite_bound(struct qoc_sqlite_conn *c, struct qoc_sqlite_sql *sql,
                              const char *what, sqlite3_stmt **out, const char *fmt, ...);
/* Prepares, binds (as qoc_sqlite_bound), steps to SQLITE_DONE and resets: one write.
 * *changes (may be NULL) receives the number of rows it changed. */
enum qoc_err qoc_sqlite_run(struct qoc_sqlite_conn *c, struct qoc_sqlite_sql *sql, const char *what,
                            int64_t *changes, const char *fmt, ...);
/* qoc_sqlite_run with the arguments in a va_list. */
enum qoc_err qoc_sqlite_runv(struct qoc_sqlite_conn *c, struct qoc_sqlite_sql *sql,
                             const char *what, int64_t *changes, const char *fmt, va_list ap);

/* Copies the current row of s into out (arena a). */
typedef enum qoc_err (*qoc_sqlite_row_fn)(struct qoc_arena *a, sqlite3_stmt *s, void *out);

/* One statement (bound as qoc_sqlite_bound) in its own write transaction (write_tx).
 * QOC_ENOTFOUND when it changed no row. */
enum qoc_err qoc_sqlite_write_one(struct qoc_sqlite_store *st, struct qoc_sqlite_sql *sql,
                                  const char *what, const char *fmt, ...);
/* One query on a pooled connection: its first row goes through read into out.
 * QOC_ENOTFOUND when it has none. */
enum qoc_err qoc_sqlite_read_one(struct qoc_sqlite_store *st, struct qoc_arena *a,
                                 qoc_sqlite_row_fn read, void *out, struct qoc_sqlite_sql *sql,
                                 const char *what, const char *fmt, ...);

/* Steps s expecting a row: QOC_OK on a row, QOC_ENOTFOUND when there is none. */
enum qoc_err qoc_sqlite_step_row(struct qoc_sqlite_conn *c, sqlite3_stmt *s, const char *what);

typedef enum qoc_err (*qoc_sqlite_work_fn)(struct qoc_sqlite_conn *c, void *arg);

/* Runs fn on a pooled connection (reads: each statement is its own consistent snapshot). */
enum qoc_err qoc_sqlite_with_conn(struct qoc_sqlite_store *st, qoc_sqlite_work_fn fn, void *arg);
/* Runs fn inside BEGIN IMMEDIATE ... COMMIT on a pooled connection. The write lock is
 * taken up front, so two writers never deadlock upgrading a read lock. QOC_OK only when
 * COMMIT succeeded; any error from fn or COMMIT rolls everything back. */
enum qoc_err qoc_sqlite_write_tx(struct qoc_sqlite_store *st, qoc_sqlite_work_fn fn, void *arg);

/* qoc_sqlite_write_tx on a connection the caller holds. */
enum qoc_err qoc_sqlite_tx_run(struct qoc_sqlite_conn *c, qoc_sqlite_work_fn fn, void *arg);
/* Rolls back the transaction c is in, if any (a failed ROLLBACK is logged; release then
 * discards the connection). */
void qoc_sqlite_rollback(struct qoc_sqlite_conn *c);

/* Group commit (sqlite_batch.c). Like qoc_sqlite_write_tx - fn runs in a write
 * transaction and QOC_OK means committed - but concurrent callers' fns share one
 * transaction and one commit (up to batcher.cap of them). Each fn runs under its own
 * savepoint, so its error undoes only its own changes and is its caller's result. When the
 * shared transaction fails as a whole (COMMIT, a lost transaction), every fn of it runs
 * again alone, in its own transaction. So fn must: write only through c, never
 * BEGIN/COMMIT, and give the same result when run again (reset any output in arg first).
 * With group commit off (cap 1) each fn gets its own transaction, in arrival order. */
enum qoc_err qoc_sqlite_batch_write(struct qoc_sqlite_store *st, qoc_sqlite_work_fn fn, void *arg);

/* Runs fn inside BEGIN DEFERRED ... COMMIT: its statements read one snapshot. */
enum qoc_err qoc_sqlite_read_tx(struct qoc_sqlite_store *st, qoc_sqlite_work_fn fn, void *arg);

/* Column copies into the arena. A NULL column gives NULL (and length 0). */
enum qoc_err qoc_sqlite_col_text(struct qoc_arena *a, sqlite3_stmt *s, int col, const char **out);
enum qoc_err qoc_sqlite_col_blob(struct qoc_arena *a, sqlite3_stmt *s, int col,
                                 const unsigned char **out, size_t *len);

/* Appends a zeroed element of size bytes to the arena array *items (*count used, *cap
 * allocated), doubling it when full (the old array stays in the arena until release).
 * NULL when out of memory. */
void *qoc_sqlite_push(struct qoc_arena *a, void **items, size_t *count, size_t *cap, size_t size);

/* --- ops (one file per area) --- */

enum qoc_err qoc_sqlite_migrate(struct qoc_store *st, unsigned *applied);

enum qoc_err qoc_sqlite_key_rotate(struct qoc_store *st, const struct qoc_key_record *key,
                                   int64_t now, int64_t old_publish_until);
enum qoc_err qoc_sqlite_key_active(struct qoc_store *st, struct qoc_arena *a, const char *alg,
                                   struct qoc_key_record *out);
enum qoc_err qoc_sqlite_key_list_published(struct qoc_store *st, struct qoc_arena *a, int64_t now,
                                           struct qoc_key_record **out, size_t *count);

enum qoc_err qoc_sqlite_account_create(struct qoc_store *st, const struct qoc_account *acct);
enum qoc_err qoc_sqlite_account_by_email(struct qoc_store *st, struct qoc_arena *a,
                                         const char *email, struct qoc_account *out);
enum qoc_err qoc_sqlite_account_by_id(struct qoc_store *st, struct qoc_arena *a, const char *id,
                                      struct qoc_account *out);
enum qoc_err qoc_sqlite_account_admin_exists(struct qoc_store *st, bool *out);

/* sqlite_teams.c */
enum qoc_err qoc_sqlite_team_create(struct qoc_store *st, const struct qoc_team *team,
                                    const char *creator_id, const struct qoc_audit_event *audit);
enum qoc_err qoc_sqlite_teams_of_account(struct qoc_store *st, struct qoc_arena *a,
                                         const char *account_id, struct qoc_team **out,
                                         size_t *count);
enum qoc_err qoc_sqlite_team_members(struct qoc_store *st, struct qoc_arena *a, const char *team_id,
                                     struct qoc_membership **out, size_t *count);
enum qoc_err qoc_sqlite_member_add(struct qoc_store *st, const char *team_id,
                                   const char *account_id, enum qoc_role role,
                                   const struct qoc_audit_event *audit);
enum qoc_err qoc_sqlite_member_set_role(struct qoc_store *st, const char *team_id,
                                        const char *account_id, enum qoc_role role,
                                        const struct qoc_audit_event *audit);
enum qoc_err qoc_sqlite_member_remove(struct qoc_store *st, const char *team_id,
                                      const char *account_id, const struct qoc_audit_event *audit);
enum qoc_err qoc_sqlite_membership_role(struct qoc_store *st, const char *team_id,
                                        const char *account_id, enum qoc_role *out);
/* Inside a caller's transaction: one membership row. */
enum qoc_err qoc_sqlite_membership_insert(struct qoc_sqlite_conn *c, const char *team_id,
                                          const char *account_id, enum qoc_role role,
                                          int64_t created_at);
/* On c: the account's role in the team; QOC_ENOTFOUND when it is not a member. */
enum qoc_err qoc_sqlite_role_in(struct qoc_sqlite_conn *c, const char *team_id,
                                const char *account_id, enum qoc_role *out);

/* sqlite_apps.c, sqlite_apps_list.c */
enum qoc_err qoc_sqlite_app_create(struct qoc_store *st, const struct qoc_app *app,
                                   const struct qoc_audit_event *audit);
enum qoc_err qoc_sqlite_app_get(struct qoc_store *st, struct qoc_arena *a, const char *client_id,
                                struct qoc_app *out);
enum qoc_err qoc_sqlite_client_get(struct qoc_store *st, struct qoc_arena *a,
                                   const char *client_id, struct qoc_app *out);
enum qoc_err qoc_sqlite_app_list(struct qoc_store *st, struct qoc_arena *a,
                                 const struct qoc_app_query *q, struct qoc_app_page *out);
enum qoc_err qoc_sqlite_app_update(struct qoc_store *st, const struct qoc_app *app,
                                   const struct qoc_audit_event *audit);
enum qoc_err qoc_sqlite_app_set_status(struct qoc_store *st, const char *client_id,
                                       const char *status, const struct qoc_audit_event *audit);
enum qoc_err qoc_sqlite_app_secret_replace(struct qoc_store *st, const char *client_id,
                                           const unsigned char *hash, size_t hash_len,
                                           const unsigned char *sealed, size_t sealed_len,
                                           const struct qoc_audit_event *audit);
enum qoc_err qoc_sqlite_app_set_icon(struct qoc_store *st, const char *client_id,
                                     const unsigned char *icon, size_t icon_len,
                                     const char *icon_type, const struct qoc_audit_event *audit);
enum qoc_err qoc_sqlite_app_clear_icon(struct qoc_store *st, const char *client_id,
                                       const struct qoc_audit_event *audit);
enum qoc_err qoc_sqlite_app_get_icon(struct qoc_store *st, struct qoc_arena *a,
                                     const char *client_id, const unsigned char **icon,
                                     size_t *icon_len, const char **icon_type);
enum qoc_err qoc_sqlite_app_transfer(struct qoc_store *st, const char *client_id,
                                     const char *new_owner_id, const struct qoc_audit_event *audit);
enum qoc_err qoc_sqlite_app_delete(struct qoc_store *st, const char *client_id,
                                   const struct qoc_audit_event *audit);
enum qoc_err qoc_sqlite_app_touch_last_used(struct qoc_store *st, const char *client_id,
                                            int64_t at);
/* The columns every application read selects, in the order qoc_sqlite_read_app reads. */
#define QOC_SQLITE_APP_COLUMNS                                                                     \
	"a.client_id, a.team_id, a.owner_id, a.name, a.description, a.type, a.status,"             \
	" a.redirect_uris, a.allowed_origins, a.sso_redirect_uris, a.logout_uris, a.grant_types,"  \
	" a.access_token_lifetime, a.refresh_token_lifetime, a.id_token_lifetime,"                 \
	" a.pkce_required, a.token_format, a.id_token_signed_response_alg,"                        \
	" a.secret_created_at, a.created_at, a.updated_at, a.last_used_at, a.revision,"            \
	" (SELECT icon_type FROM application_icons i WHERE i.client_id = a.client_id)"
/* Copies the current row (QOC_SQLITE_APP_COLUMNS) into out, from a; secrets untouched. */
enum qoc_err qoc_sqlite_read_app(struct qoc_arena *a, sqlite3_stmt *s, struct qoc_app *out);

/* sqlite_oauth.c: SSO sessions, authorization requests, consents */
enum qoc_err qoc_sqlite_session_create(struct qoc_store *st, const struct qoc_sso_session *s);
enum qoc_err qoc_sqlite_session_get(struct qoc_store *st, struct qoc_arena *a, const char *id_hash,
                                    int64_t now, struct qoc_sso_session *out);
enum qoc_err qoc_sqlite_session_touch(struct qoc_store *st, const char *id_hash, int64_t now,
                                      int64_t expires_at);
enum qoc_err qoc_sqlite_session_delete(struct qoc_store *st, const char *id_hash);
enum qoc_err qoc_sqlite_session_delete_by_sid(struct qoc_store *st, const char *sid);
enum qoc_err qoc_sqlite_authreq_create(struct qoc_store *st, const struct qoc_auth_request *r);
enum qoc_err qoc_sqlite_authreq_get(struct qoc_store *st, struct qoc_arena *a,
                                    const char *handle_hash, const char *browser_hash, int64_t now,
                                    struct qoc_auth_request *out);
enum qoc_err qoc_sqlite_authreq_set_account(struct qoc_store *st, const char *handle_hash,
                                            const char *browser_hash, const char *account_id,
                                            int64_t auth_time, int64_t now);
enum qoc_err qoc_sqlite_authreq_take(struct qoc_store *st, struct qoc_arena *a,
                                     const char *handle_hash, const char *browser_hash, int64_t now,
                                     struct qoc_auth_request *out);
enum qoc_err qoc_sqlite_authreq_delete(struct qoc_store *st, const char *handle_hash);
enum qoc_err qoc_sqlite_consent_get(struct qoc_store *st, struct qoc_arena *a,
                                    const char *account_id, const char *client_id,
                                    const char **scope);
enum qoc_err qoc_sqlite_consent_put(struct qoc_store *st, const char *account_id,
                                    const char *client_id, const char *scope, int64_t now);

/* sqlite_tokens.c: authorization codes, tokens, families, housekeeping */
enum qoc_err qoc_sqlite_code_create(struct qoc_store *st, const struct qoc_auth_code *code);
enum qoc_err qoc_sqlite_code_consume(struct qoc_store *st, struct qoc_arena *a,
                                     const char *code_hash, const char *client_id, int64_t now,
                                     struct qoc_auth_code *out);
enum qoc_err qoc_sqlite_tokens_issue(struct qoc_store *st, const struct qoc_token *tokens,
                                     size_t n);
enum qoc_err qoc_sqlite_token_get(struct qoc_store *st, struct qoc_arena *a, const char *token_hash,
                                  struct qoc_token *out);
enum qoc_err qoc_sqlite_refresh_rotate(struct qoc_store *st, struct qoc_arena *a,
                                       const char *old_hash, const char *client_id, int64_t now,
                                       const struct qoc_token *new_tokens, size_t n,
                                       struct qoc_token *old_out);
enum qoc_err qoc_sqlite_token_revoke(struct qoc_store *st, const char *token_hash,
                                     const char *client_id, int64_t now);
enum qoc_err qoc_sqlite_family_revoke(struct qoc_store *st, const char *family_id, int64_t now);
enum qoc_err qoc_sqlite_tokens_purge_expired(struct qoc_store *st, int64_t now, size_t limit,
                                             size_t *deleted);

/* sqlite_pats.c: personal access tokens */
enum qoc_err qoc_sqlite_pat_create(struct qoc_store *st, const struct qoc_pat *pat);
enum qoc_err qoc_sqlite_pat_find(struct qoc_store *st, struct qoc_arena *a, const char *token_hash,
                                 int64_t now, struct qoc_pat *out);
enum qoc_err qoc_sqlite_pat_list(struct qoc_store *st, struct qoc_arena *a, const char *account_id,
                                 struct qoc_pat **out, size_t *count);
enum qoc_err qoc_sqlite_pat_revoke(struct qoc_store *st, const char *account_id, const char *id,
                                   int64_t now);
enum qoc_err qoc_sqlite_pat_touch(struct qoc_store *st, const char *id, int64_t at);

/* sqlite_audit.c */
enum qoc_err qoc_sqlite_audit_append(struct qoc_store *st, const struct qoc_audit_entry *entry,
                                     int64_t *id);
enum qoc_err qoc_sqlite_audit_list(struct qoc_store *st, struct qoc_arena *a,
                                   const struct qoc_audit_query *q, struct qoc_audit_page *out);
/* Inside a caller's transaction: the entry for ev about team_id (and client_id, may be
 * NULL). QOC_EINVAL when ev lacks actor_id or action, or its detail is not JSON. */
enum qoc_err qoc_sqlite_audit_insert(struct qoc_sqlite_conn *c, const char *team_id,
                                     const char *client_id, const struct qoc_audit_event *ev);

/* sqlite_outbox.c (mail outbox) */
enum qoc_err qoc_sqlite_outbox_put(struct qoc_store *st, const struct qoc_outbox_row *row,
                                   int64_t *id);
enum qoc_err qoc_sqlite_outbox_due(struct qoc_store *st, int64_t now, size_t limit,
                                   struct qoc_arena *a, struct qoc_outbox_row **rows, size_t *n);
enum qoc_err qoc_sqlite_outbox_mark_sent(struct qoc_store *st, int64_t id, int64_t now);
enum qoc_err qoc_sqlite_outbox_mark_failed(struct qoc_store *st, int64_t id, int64_t now,
                                           int64_t next_attempt_at, const char *error_text);
enum qoc_err qoc_sqlite_outbox_claim(struct qoc_store *st, int64_t now, int64_t lease_until,
                                     size_t limit, struct qoc_arena *a,
                                     struct qoc_outbox_row **rows, size_t *n);
enum qoc_err qoc_sqlite_outbox_pending(struct qoc_store *st, int64_t *pending);

/* sqlite_analytics.c (usage analytics) */
enum qoc_err qoc_sqlite_analytics_append(struct qoc_store *st, const struct qoc_an_batch *b,
                                         size_t *skipped);
enum qoc_err qoc_sqlite_analytics_query(struct qoc_store *st, struct qoc_arena *a,
                                        const char *client_id, int64_t from_hour, int64_t to_hour,
                                        struct qoc_an_range *out);
enum qoc_err qoc_sqlite_analytics_lifetime(struct qoc_store *st, const char *client_id,
                                           int64_t *requests);
enum qoc_err qoc_sqlite_analytics_active_users(struct qoc_store *st, const char *client_id,
                                               int64_t now, int64_t *users);
enum qoc_err qoc_sqlite_analytics_purge(struct qoc_store *st, int64_t events_before,
                                        int64_t rollups_before, size_t limit, size_t *deleted);

/* throttles (sqlite_throttle.c) */
enum qoc_err qoc_sqlite_throttle_reserve(struct qoc_store *st, const char *key,
                                 const struct qoc_store_throttle_params *p, int64_t now,
                                 bool *granted, int64_t *failures, int64_t *locked_until);
enum qoc_err qoc_sqlite_throttle_fail(struct qoc_store *st, const char *key,
                              const struct qoc_store_throttle_params *p, int64_t now,
                              bool reserved, int64_t *locked_until);
enum qoc_err qoc_sqlite_throttle_cancel(struct qoc_store *st, const char *key, int64_t now);
enum qoc_err qoc_sqlite_throttle_forget(struct qoc_store *st, const char *key);
enum qoc_err qoc_sqlite_throttle_purge(struct qoc_store *st, int64_t now, size_t limit, size_t *deleted);
/* sqlite_purge.c (state purge) */
enum qoc_err qoc_sqlite_authreq_purge(struct qoc_store *st, int64_t now, size_t limit,
                                      size_t *deleted);
enum qoc_err qoc_sqlite_sessions_purge(struct qoc_store *st, int64_t now, size_t limit,
                                       size_t *deleted);
enum qoc_err qoc_sqlite_codes_purge(struct qoc_store *st, int64_t now, size_t limit,
                                    size_t *deleted);
enum qoc_err qoc_sqlite_tokens_purge(struct qoc_store *st, int64_t now, size_t limit,
                                     size_t *deleted);
enum qoc_err qoc_sqlite_families_purge(struct qoc_store *st, int64_t now, size_t limit,
                                       size_t *deleted);

/* sqlite_files.c: the database's files are the owner's only (0600) whatever the umask.
 * Creates path 0600 when missing, and narrows path and its -wal, -shm and -appgen files
 * to 0600 when they exist with more. Logged failures: QOC_EDB when the database cannot be
 * opened or created, QOC_EIO when a file cannot be narrowed. */
enum qoc_err qoc_sqlite_files_private(const char *path);

#endif
