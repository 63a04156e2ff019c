/* pg_internal.h - shared by the PostgreSQL backend's files (and its white-box tests).
 *
 * Nothing outside src/store/postgres/ and tests/unit/test_store_postgres*.c includes this:
 * it is the only header that pulls in <libpq-fe.h>.
 *
 * The handle holds a fixed pool of libpq connections (db_pool_size). A call takes one
 * connection for its whole unit of work (qoc_pg_with_conn / qoc_pg_tx), so a connection
 * is used by one thread at a time. Each connection prepares a statement the first time it
 * runs it (PQprepare, named by the text's slot) and keeps it for its lifetime; a
 * connection that broke (server restart, network) is dropped and opened again by the next
 * call that takes it, with its statements prepared afresh.
 *
 * Parameters: every statement takes $1, $2, ... bound from a format string, one letter
 * each: 't' const char * (NULL binds SQL NULL), 'i' int64_t, 'b' const void *, size_t
 * (bytea, sent binary; a NULL pointer binds SQL NULL). Their types are declared when the
 * statement is prepared (text, int8, bytea), so SQL never depends on type inference.
 * Results come back as text; the column helpers convert them.
 */
#ifndef QOC_STORE_PG_INTERNAL_H
#define QOC_STORE_PG_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <libpq-fe.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/postgres/pg_store.h"
#include "store/store.h"
#include "store/store_analytics.h"
#include "store/store_oauth.h"
#include "store/store_outbox.h"

/* Distinct SQL texts the backend may prepare; raise it when "statement cache full" shows. */
#define QOC_PG_STMT_MAX 192
/* Most parameters one statement takes. */
#define QOC_PG_MAX_PARAMS 32

/* One SQL text, defined `static` next to the code that runs it (as in sqlite/). slot is 0
 * until the text is first used; then its index + 1, the same on every connection. */
struct qoc_pg_sql {
	const char *text;
	_Atomic unsigned slot;
};

struct qoc_pg_store;

struct qoc_pg_conn {
	PGconn *db; /* NULL: not connected (a failure dropped it); the next acquire connects */
	struct qoc_pg_store *store;
	struct qoc_pg_conn *next_free;
	bool broken;    /* the last error said the connection is gone: drop it on release */
	bool retryable; /* the last error was a serialization failure or a deadlock */
	bool prepared[QOC_PG_STMT_MAX];
};

struct qoc_pg_store {
	struct qoc_store base; /* first: a struct qoc_store * converts to this */
	char *conninfo;        /* may hold a password: never logged */
	enum qoc_sync_mode sync;
	unsigned busy_timeout_ms;
	unsigned pool_size;
	pthread_mutex_t mu; /* guards free_list */
	pthread_cond_t cv;  /* signalled when a connection goes back on free_list */
	struct qoc_pg_conn *free_list;
	/* After a failed connect, calls fail at once (QOC_EBUSY) until this CLOCK_MONOTONIC
	 * time in ms instead of each trying again: during an outage against a host that drops
	 * packets, every request would otherwise hold its thread for connect_timeout. */
	_Atomic long long down_until_ms;
	/* Counters for tests: connections (re)opened, and calls retried on a fresh one. */
	_Atomic unsigned long long connects;
	_Atomic unsigned long long retries;
	struct qoc_pg_conn conns[]; /* pool_size of them */
};

static inline struct qoc_pg_store *qoc_pg_from(struct qoc_store *st)
{
	return (struct qoc_pg_store *)st;
}

/* --- the pool (pg_store.c) --- */

/* Takes a free connection (waiting up to busy_timeout_ms), connecting it when it has none
 * or when the server closed it while it was idle. QOC_EBUSY: no connection came free, or
 * the server cannot be reached (it is restarting, or down): retry later. */
enum qoc_err qoc_pg_acquire(struct qoc_pg_store *st, struct qoc_pg_conn **out);
/* Gives c back. A connection left inside a transaction, or marked broken, is closed. */
void qoc_pg_release(struct qoc_pg_conn *c);
/* Closes c's connection now (the next acquire reconnects). */
void qoc_pg_drop(struct qoc_pg_conn *c);

/* --- statements, errors, transactions (pg_util.c) --- */

/* Maps a failed result (res may be NULL: no result at all) to the store's errors and
 * marks c: a lost connection (class 08, admin shutdown, no result) -> QOC_EBUSY and
 * c->broken; unique violation -> QOC_ECONFLICT; foreign key -> QOC_ENOTFOUND; lock or
 * statement timeout, too many connections -> QOC_EBUSY; serialization failure or deadlock
 * -> QOC_EBUSY and c->retryable (qoc_pg_tx retries those); a data exception (class 22:
 * bytes that are not UTF-8, a number out of range) -> QOC_EINVAL; anything else QOC_EDB, logged
 * with `what` and the server's primary message (never parameters or the detail line). */
enum qoc_err qoc_pg_error(struct qoc_pg_conn *c, const PGresult *res, const char *what);

/* A statement's parameters bound from a format string, ready to send. */
struct qoc_pg_bound {
	int n;
	char name[16]; /* the prepared statement's name */
	const char *values[QOC_PG_MAX_PARAMS];
	int lengths[QOC_PG_MAX_PARAMS];
	int formats[QOC_PG_MAX_PARAMS];
	char ints[QOC_PG_MAX_PARAMS][24];
};
/* Binds fmt's arguments into b, preparing sql on c first when it is not yet. */
enum qoc_err qoc_pg_bind(struct qoc_pg_conn *c, struct qoc_pg_sql *sql, const char *what,
                         const char *fmt, va_list ap, struct qoc_pg_bound *b);

/* Runs sql with parameters bound from fmt (see the top of this file). On QOC_OK *out is
 * the result (rows or a command status), which the caller PQclear()s. */
enum qoc_err qoc_pg_exec(struct qoc_pg_conn *c, struct qoc_pg_sql *sql, const char *what,
                         PGresult **out, const char *fmt, ...);
enum qoc_err qoc_pg_execv(struct qoc_pg_conn *c, struct qoc_pg_sql *sql, const char *what,
                          PGresult **out, const char *fmt, va_list ap);
/* qoc_pg_exec for a write: *changes (may be NULL) gets the number of rows it changed. */
enum qoc_err qoc_pg_run(struct qoc_pg_conn *c, struct qoc_pg_sql *sql, const char *what,
                        int64_t *changes, const char *fmt, ...);
enum qoc_err qoc_pg_runv(struct qoc_pg_conn *c, struct qoc_pg_sql *sql, const char *what,
                         int64_t *changes, const char *fmt, va_list ap);
/* A parameterless command (BEGIN, COMMIT, ROLLBACK, SET, SELECT of a lock function)
 * through the simple protocol; its rows, if any, are dropped. */
enum qoc_err qoc_pg_command(struct qoc_pg_conn *c, const char *text);

/* COMMIT on c: QOC_OK only when the server answers that it committed (COMMIT of a failed
 * transaction is answered "ROLLBACK", which is QOC_EDB here). */
enum qoc_err qoc_pg_commit(struct qoc_pg_conn *c);

typedef enum qoc_err (*qoc_pg_work_fn)(struct qoc_pg_conn *c, void *arg);
/* Copies row `row` of r into out (arena a). */
typedef enum qoc_err (*qoc_pg_row_fn)(struct qoc_arena *a, const PGresult *r, int row, void *out);

/* Runs fn on a pooled connection, each statement on its own (autocommit). For reads and
 * single-statement writes. When the connection turns out broken, fn runs once more on a
 * fresh connection, but only if `idempotent` (a read, or a write that is safe to repeat):
 * a write whose connection broke may or may not have committed. */
enum qoc_err qoc_pg_with_conn(struct qoc_pg_store *st, bool idempotent, qoc_pg_work_fn fn,
                              void *arg);
/* Runs fn inside BEGIN ... COMMIT (READ COMMITTED: the atomic steps lock what they
 * decide on, SELECT ... FOR UPDATE or a conditional UPDATE). QOC_OK only when COMMIT
 * succeeded. A serialization failure or deadlock rolls back and runs fn again (a few
 * times), so fn must reset its outputs first. A connection lost before BEGIN was answered
 * is retried on a fresh one; lost later, the outcome is unknown: QOC_EBUSY, never QOC_OK. */
enum qoc_err qoc_pg_tx(struct qoc_pg_store *st, qoc_pg_work_fn fn, void *arg);
/* A write transaction in one round trip (libpq pipeline mode): fn only queues its
 * statements (qoc_pg_pipe_add; it reads nothing back), then BEGIN, the statements and
 * COMMIT go out together and their results are read. For writes that decide nothing on
 * what they read (tokens_issue). QOC_OK only when every statement succeeded and COMMIT
 * said COMMIT; a deadlock or serialization failure runs fn again, as qoc_pg_tx. */
struct qoc_pg_pipe;
typedef enum qoc_err (*qoc_pg_pipe_fn)(struct qoc_pg_pipe *p, void *arg);
enum qoc_err qoc_pg_pipelined_tx(struct qoc_pg_store *st, qoc_pg_pipe_fn fn, void *arg);
/* Queues one statement (parameters bound from fmt, copied at once). Errors are kept in p
 * and reported by qoc_pg_pipelined_tx. */
void qoc_pg_pipe_add(struct qoc_pg_pipe *p, struct qoc_pg_sql *sql, const char *what,
                     const char *fmt, ...);

/* Runs fn inside BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY: one snapshot. */
enum qoc_err qoc_pg_read_tx(struct qoc_pg_store *st, qoc_pg_work_fn fn, void *arg);

/* One statement on its own (autocommit). QOC_ENOTFOUND when it changed no row. */
enum qoc_err qoc_pg_write_one(struct qoc_pg_store *st, struct qoc_pg_sql *sql, const char *what,
                              const char *fmt, ...);
/* One query: its first row through read into out. QOC_ENOTFOUND when it has none. */
enum qoc_err qoc_pg_read_one(struct qoc_pg_store *st, struct qoc_arena *a, qoc_pg_row_fn read,
                             void *out, struct qoc_pg_sql *sql, const char *what, const char *fmt,
                             ...);
/* On c: the first row of sql through read. QOC_ENOTFOUND when it returns none. */
enum qoc_err qoc_pg_row_on(struct qoc_pg_conn *c, struct qoc_pg_sql *sql, const char *what,
                           qoc_pg_row_fn read, struct qoc_arena *a, void *out, const char *fmt,
                           ...);

/* Column copies into the arena. A NULL column gives NULL (and length 0). */
enum qoc_err qoc_pg_col_text(struct qoc_arena *a, const PGresult *r, int row, int col,
                             const char **out);
enum qoc_err qoc_pg_col_blob(struct qoc_arena *a, const PGresult *r, int row, int col,
                             const unsigned char **out, size_t *len);
/* An int8/int4 column; NULL reads as 0. */
int64_t qoc_pg_col_int(const PGresult *r, int row, int col);
/* A boolean column ("t"); NULL reads as false. */
bool qoc_pg_col_bool(const PGresult *r, int row, int col);

/* Appends a zeroed element (see qoc_sqlite_push). NULL when out of memory. */
void *qoc_pg_push(struct qoc_arena *a, void **items, size_t *count, size_t *cap, size_t size);

/* True when s is valid JSON text of any kind (audit detail). */
bool qoc_pg_json_valid(const char *s);

/* Takes a transaction-scoped advisory lock on the family (shared: issuing into it;
 * exclusive: revoking it), so an issue and a revocation of one family are ordered and a
 * token issued into a family revoked meanwhile is born revoked (see store-postgres.md). */
enum qoc_err qoc_pg_family_lock(struct qoc_pg_conn *c, const char *family_id, bool exclusive);

/* --- ops (one file per area) --- */

enum qoc_err qoc_pg_migrate(struct qoc_store *st, unsigned *applied);

enum qoc_err qoc_pg_key_rotate(struct qoc_store *st, const struct qoc_key_record *key, int64_t now,
                               int64_t old_publish_until);
enum qoc_err qoc_pg_key_active(struct qoc_store *st, struct qoc_arena *a, const char *alg,
                               struct qoc_key_record *out);
enum qoc_err qoc_pg_key_list_published(struct qoc_store *st, struct qoc_arena *a, int64_t now,
                                       struct qoc_key_record **out, size_t *count);

enum qoc_err qoc_pg_account_create(struct qoc_store *st, const struct qoc_account *acct);
enum qoc_err qoc_pg_account_by_email(struct qoc_store *st, struct qoc_arena *a, const char *email,
                                     struct qoc_account *out);
enum qoc_err qoc_pg_account_by_id(struct qoc_store *st, struct qoc_arena *a, const char *id,
                                  struct qoc_account *out);
enum qoc_err qoc_pg_account_admin_exists(struct qoc_store *st, bool *out);

enum qoc_err qoc_pg_team_create(struct qoc_store *st, const struct qoc_team *team,
                                const char *creator_id, const struct qoc_audit_event *audit);
enum qoc_err qoc_pg_teams_of_account(struct qoc_store *st, struct qoc_arena *a,
                                     const char *account_id, struct qoc_team **out, size_t *count);
enum qoc_err qoc_pg_team_members(struct qoc_store *st, struct qoc_arena *a, const char *team_id,
                                 struct qoc_membership **out, size_t *count);
enum qoc_err qoc_pg_member_add(struct qoc_store *st, const char *team_id, const char *account_id,
                               enum qoc_role role, const struct qoc_audit_event *audit);
enum qoc_err qoc_pg_member_set_role(struct qoc_store *st, const char *team_id,
                                    const char *account_id, enum qoc_role role,
                                    const struct qoc_audit_event *audit);
enum qoc_err qoc_pg_member_remove(struct qoc_store *st, const char *team_id, const char *account_id,
                                  const struct qoc_audit_event *audit);
enum qoc_err qoc_pg_membership_role(struct qoc_store *st, const char *team_id,
                                    const char *account_id, enum qoc_role *out);
enum qoc_err qoc_pg_membership_insert(struct qoc_pg_conn *c, const char *team_id,
                                      const char *account_id, enum qoc_role role,
                                      int64_t created_at);
enum qoc_err qoc_pg_role_in(struct qoc_pg_conn *c, const char *team_id, const char *account_id,
                            enum qoc_role *out);

enum qoc_err qoc_pg_app_create(struct qoc_store *st, const struct qoc_app *app,
                               const struct qoc_audit_event *audit);
enum qoc_err qoc_pg_app_get(struct qoc_store *st, struct qoc_arena *a, const char *client_id,
                            struct qoc_app *out);
enum qoc_err qoc_pg_app_list(struct qoc_store *st, struct qoc_arena *a,
                             const struct qoc_app_query *q, struct qoc_app_page *out);
enum qoc_err qoc_pg_app_update(struct qoc_store *st, const struct qoc_app *app,
                               const struct qoc_audit_event *audit);
enum qoc_err qoc_pg_app_set_status(struct qoc_store *st, const char *client_id, const char *status,
                                   const struct qoc_audit_event *audit);
enum qoc_err qoc_pg_app_secret_replace(struct qoc_store *st, const char *client_id,
                                       const unsigned char *hash, size_t hash_len,
                                       const unsigned char *sealed, size_t sealed_len,
                                       const struct qoc_audit_event *audit);
enum qoc_err qoc_pg_app_set_icon(struct qoc_store *st, const char *client_id,
                                 const unsigned char *icon, size_t icon_len, const char *icon_type,
                                 const struct qoc_audit_event *audit);
enum qoc_err qoc_pg_app_clear_icon(struct qoc_store *st, const char *client_id,
                                   const struct qoc_audit_event *audit);
enum qoc_err qoc_pg_app_get_icon(struct qoc_store *st, struct qoc_arena *a, const char *client_id,
                                 const unsigned char **icon, size_t *icon_len,
                                 const char **icon_type);
enum qoc_err qoc_pg_app_transfer(struct qoc_store *st, const char *client_id,
                                 const char *new_owner_id, const struct qoc_audit_event *audit);
enum qoc_err qoc_pg_app_delete(struct qoc_store *st, const char *client_id,
                               const struct qoc_audit_event *audit);
enum qoc_err qoc_pg_app_touch_last_used(struct qoc_store *st, const char *client_id, int64_t at);
/* The columns every application read selects, in the order qoc_pg_read_app reads. */
#define QOC_PG_APP_COLUMNS                                                                         \
	"a.client_id, a.team_id, a.owner_id, a.name, a.description, a.type, a.status,"             \
	" a.redirect_uris, a.allowed_origins, a.sso_redirect_uris, a.logout_uris, a.grant_types,"  \
	" a.access_token_lifetime, a.refresh_token_lifetime, a.id_token_lifetime,"                 \
	" a.pkce_required, a.token_format, a.id_token_signed_response_alg,"                        \
	" a.secret_created_at, a.created_at, a.updated_at, a.last_used_at, a.revision,"            \
	" (SELECT icon_type FROM application_icons i WHERE i.client_id = a.client_id)"
enum qoc_err qoc_pg_read_app(struct qoc_arena *a, const PGresult *r, int row, struct qoc_app *out);

enum qoc_err qoc_pg_session_create(struct qoc_store *st, const struct qoc_sso_session *s);
enum qoc_err qoc_pg_session_get(struct qoc_store *st, struct qoc_arena *a, const char *id_hash,
                                int64_t now, struct qoc_sso_session *out);
enum qoc_err qoc_pg_session_touch(struct qoc_store *st, const char *id_hash, int64_t now,
                                  int64_t expires_at);
enum qoc_err qoc_pg_session_delete(struct qoc_store *st, const char *id_hash);
enum qoc_err qoc_pg_session_delete_by_sid(struct qoc_store *st, const char *sid);
enum qoc_err qoc_pg_authreq_create(struct qoc_store *st, const struct qoc_auth_request *r);
enum qoc_err qoc_pg_authreq_get(struct qoc_store *st, struct qoc_arena *a, const char *handle_hash,
                                const char *browser_hash, int64_t now,
                                struct qoc_auth_request *out);
enum qoc_err qoc_pg_authreq_set_account(struct qoc_store *st, const char *handle_hash,
                                        const char *browser_hash, const char *account_id,
                                        int64_t auth_time, int64_t now);
enum qoc_err qoc_pg_authreq_take(struct qoc_store *st, struct qoc_arena *a, const char *handle_hash,
                                 const char *browser_hash, int64_t now,
                                 struct qoc_auth_request *out);
enum qoc_err qoc_pg_authreq_delete(struct qoc_store *st, const char *handle_hash);
enum qoc_err qoc_pg_consent_get(struct qoc_store *st, struct qoc_arena *a, const char *account_id,
                                const char *client_id, const char **scope);
enum qoc_err qoc_pg_consent_put(struct qoc_store *st, const char *account_id, const char *client_id,
                                const char *scope, int64_t now);

enum qoc_err qoc_pg_code_create(struct qoc_store *st, const struct qoc_auth_code *code);
enum qoc_err qoc_pg_code_consume(struct qoc_store *st, struct qoc_arena *a, const char *code_hash,
                                 const char *client_id, int64_t now, struct qoc_auth_code *out);
enum qoc_err qoc_pg_tokens_issue(struct qoc_store *st, const struct qoc_token *tokens, size_t n);
enum qoc_err qoc_pg_token_get(struct qoc_store *st, struct qoc_arena *a, const char *token_hash,
                              struct qoc_token *out);
enum qoc_err qoc_pg_refresh_rotate(struct qoc_store *st, struct qoc_arena *a, const char *old_hash,
                                   const char *client_id, int64_t now,
                                   const struct qoc_token *new_tokens, size_t n,
                                   struct qoc_token *old_out);
enum qoc_err qoc_pg_token_revoke(struct qoc_store *st, const char *token_hash,
                                 const char *client_id, int64_t now);
enum qoc_err qoc_pg_family_revoke(struct qoc_store *st, const char *family_id, int64_t now);
enum qoc_err qoc_pg_tokens_purge_expired(struct qoc_store *st, int64_t now, size_t limit,
                                         size_t *deleted);

enum qoc_err qoc_pg_pat_create(struct qoc_store *st, const struct qoc_pat *pat);
enum qoc_err qoc_pg_pat_find(struct qoc_store *st, struct qoc_arena *a, const char *token_hash,
                             int64_t now, struct qoc_pat *out);
enum qoc_err qoc_pg_pat_list(struct qoc_store *st, struct qoc_arena *a, const char *account_id,
                             struct qoc_pat **out, size_t *count);
enum qoc_err qoc_pg_pat_revoke(struct qoc_store *st, const char *account_id, const char *id,
                               int64_t now);
enum qoc_err qoc_pg_pat_touch(struct qoc_store *st, const char *id, int64_t at);

enum qoc_err qoc_pg_audit_append(struct qoc_store *st, const struct qoc_audit_entry *entry,
                                 int64_t *id);
enum qoc_err qoc_pg_audit_list(struct qoc_store *st, struct qoc_arena *a,
                               const struct qoc_audit_query *q, struct qoc_audit_page *out);
/* Inside a caller's transaction: the entry for ev. QOC_EINVAL: ev lacks actor_id or
 * action, or its detail is not JSON. */
enum qoc_err qoc_pg_audit_insert(struct qoc_pg_conn *c, const char *team_id, const char *client_id,
                                 const struct qoc_audit_event *ev);

enum qoc_err qoc_pg_outbox_put(struct qoc_store *st, const struct qoc_outbox_row *row, int64_t *id);
enum qoc_err qoc_pg_outbox_due(struct qoc_store *st, int64_t now, size_t limit, struct qoc_arena *a,
                               struct qoc_outbox_row **rows, size_t *n);
enum qoc_err qoc_pg_outbox_mark_sent(struct qoc_store *st, int64_t id, int64_t now);
enum qoc_err qoc_pg_outbox_mark_failed(struct qoc_store *st, int64_t id, int64_t now,
                                       int64_t next_attempt_at, const char *error_text);
enum qoc_err qoc_pg_outbox_claim(struct qoc_store *st, int64_t now, int64_t lease_until,
                                 size_t limit, struct qoc_arena *a, struct qoc_outbox_row **rows,
                                 size_t *n);
enum qoc_err qoc_pg_outbox_pending(struct qoc_store *st, int64_t *pending);

enum qoc_err qoc_pg_analytics_append(struct qoc_store *st, const struct qoc_an_batch *b,
                                     size_t *skipped);
enum qoc_err qoc_pg_analytics_query(struct qoc_store *st, struct qoc_arena *a,
                                    const char *client_id, int64_t from_hour, int64_t to_hour,
                                    struct qoc_an_range *out);
enum qoc_err qoc_pg_analytics_lifetime(struct qoc_store *st, const char *client_id,
                                       int64_t *requests);
enum qoc_err qoc_pg_analytics_active_users(struct qoc_store *st, const char *client_id, int64_t now,
                                           int64_t *users);
enum qoc_err qoc_pg_analytics_purge(struct qoc_store *st, int64_t events_before,
                                    int64_t rollups_before, size_t limit, size_t *deleted);

/* throttles (pg_throttle.c) */
enum qoc_err qoc_pg_throttle_reserve(struct qoc_store *st, const char *key,
                                 const struct qoc_store_throttle_params *p, int64_t now,
                                 bool *granted, int64_t *failures, int64_t *locked_until);
enum qoc_err qoc_pg_throttle_fail(struct qoc_store *st, const char *key,
                              const struct qoc_store_throttle_params *p, int64_t now,
                              bool reserved, int64_t *locked_until);
enum qoc_err qoc_pg_throttle_cancel(struct qoc_store *st, const char *key, int64_t now);
enum qoc_err qoc_pg_throttle_forget(struct qoc_store *st, const char *key);
enum qoc_err qoc_pg_throttle_purge(struct qoc_store *st, int64_t now, size_t limit, size_t *deleted);
/* pg_purge.c (state purge) */
enum qoc_err qoc_pg_authreq_purge(struct qoc_store *st, int64_t now, size_t limit, size_t *deleted);
enum qoc_err qoc_pg_sessions_purge(struct qoc_store *st, int64_t now, size_t limit,
                                   size_t *deleted);
enum qoc_err qoc_pg_codes_purge(struct qoc_store *st, int64_t now, size_t limit, size_t *deleted);
enum qoc_err qoc_pg_tokens_purge(struct qoc_store *st, int64_t now, size_t limit, size_t *deleted);
enum qoc_err qoc_pg_families_purge(struct qoc_store *st, int64_t now, size_t limit,
                                   size_t *deleted);

#endif
