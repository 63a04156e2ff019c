/* store.h - the one storage interface of QOC.
 *
 * Callers see use cases, never SQL: each function below is one atomic unit of work in the
 * backend (a transaction where it touches more than one row). Backends (sqlite/, later
 * postgres/) fill a versioned table of function pointers, after curl's struct Curl_ssl.
 * SQL and dialects live only inside the backends.
 *
 * Ownership: every record a read returns is allocated from the arena the caller passes
 * and lives as long as that arena. Records passed in are only read during the call.
 * Thread safety: a struct qoc_store may be used from any number of threads at once; the
 * backend pools its connections. A caller never holds a connection between two calls.
 *
 * Errors (each op below lists the ones it can return besides these):
 *   QOC_EINVAL     a required argument is NULL or empty;
 *   QOC_ENOMEM     an allocation failed (the caller's arena included);
 *   QOC_EBUSY      no pooled connection became free, or the database stayed locked, within
 *                  busy_timeout_ms, or (PostgreSQL) the server cannot be reached; retry
 *                  later. Nothing was written, with one exception: when a PostgreSQL
 *                  connection breaks while its COMMIT is in flight, nobody can know whether
 *                  it committed; that is QOC_EBUSY too (never QOC_OK), and every op is safe
 *                  to retry in that sense (a retried redemption is seen as a reuse);
 *   QOC_EDB        anything else the database reported (logged once with its message);
 *                  for a write, nothing was committed.
 * Durability: a write that returns QOC_OK has committed; with QOC_SYNC_FULL (the default)
 * the commit is on stable storage before the call returns, so a 2xx built on it survives
 * a crash or power loss. Any other result from a write means it did not happen at all.
 */
#ifndef QOC_STORE_H
#define QOC_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/metrics.h"

/* Bumped whenever a member is added to or changed in struct qoc_store_ops. */
#define QOC_STORE_OPS_VERSION 10

#define QOC_STORE_DEFAULT_POOL_SIZE 4
#define QOC_STORE_MAX_POOL_SIZE 64
#define QOC_STORE_DEFAULT_BUSY_TIMEOUT_MS 5000

enum qoc_sync_mode { QOC_SYNC_FULL, QOC_SYNC_NORMAL };

/* Group commit: the writes of the protocol's hot path (tokens_issue, code_create,
 * code_consume, refresh_rotate, session_create, authreq_create, app_touch_last_used;
 * each under its own savepoint, so one winner stays one winner) from concurrent
 * callers share one transaction and one commit. Each caller still returns only after
 * the commit holding its write, with its own result. OFF commits every write alone (a
 * benchmark's baseline). Backends without it treat ON as OFF: PostgreSQL does (its own
 * WAL flush already shares fsyncs between concurrent commits of different connections). */
enum qoc_group_commit { QOC_GROUP_COMMIT_DEFAULT = 0, QOC_GROUP_COMMIT_ON, QOC_GROUP_COMMIT_OFF };

struct qoc_store_options {
	/* "sqlite:<path>", "sqlite://<path>" or a bare path: SQLite (the file is created when
	 * missing; ":memory:" is refused, a pool needs a shared file).
	 * "postgres://...", "postgresql://..." or a libpq "key=value ..." string: PostgreSQL.
	 * The url may carry a password: backends never log it. */
	const char *url;
	enum qoc_sync_mode sync; /* durability of a commit; FULL: a 2xx means on disk */
	unsigned pool_size;      /* connections; 0 picks QOC_STORE_DEFAULT_POOL_SIZE */
	/* How long a call waits for a free pooled connection, and then again for a database
	 * lock, before QOC_EBUSY; 0 picks QOC_STORE_DEFAULT_BUSY_TIMEOUT_MS. */
	unsigned busy_timeout_ms;
	enum qoc_group_commit group_commit; /* DEFAULT (0) is ON */
};

/* A JWS signing key. The private key is sealed (see crypto/seal.h) before it gets here. */
struct qoc_key_record {
	const char *kid;
	const char *alg;        /* "RS256", "PS256", "ES256", "EdDSA" */
	const char *public_jwk; /* JSON text of the public JWK */
	const unsigned char *sealed_private;
	size_t sealed_private_len;
	int64_t created_at;
	int64_t retired_at;    /* 0 while it is the active key */
	int64_t publish_until; /* 0 while active; retired keys stay in the JWKS until then */
};

struct qoc_account {
	const char *id;            /* "acct_..." made by the caller */
	const char *email;         /* as typed; uniqueness is case-insensitive (ASCII) */
	const char *name;          /* may be NULL */
	const char *password_hash; /* argon2id encoded string; NULL: no password login */
	bool is_admin;
	int64_t created_at;
	/* The id of the personal team account_create makes ("team_..."), chosen by the caller
	 * like every id. NULL on create: the store uses "team_" followed by the account id.
	 * Reads (account_by_email, account_by_id) fill it. */
	const char *personal_team_id;
};

/* A team role; the order is meaningful (role >= QOC_ROLE_DEVELOPER may edit). */
enum qoc_role { QOC_ROLE_NONE = 0, QOC_ROLE_VIEWER, QOC_ROLE_DEVELOPER, QOC_ROLE_ADMIN };

/* "admin", "developer", "viewer"; NULL for QOC_ROLE_NONE or an out-of-range value. */
const char *qoc_role_name(enum qoc_role role);
/* QOC_ROLE_NONE when s is NULL or not one of the three names (exact, lower case). */
enum qoc_role qoc_role_parse(const char *s);

struct qoc_team {
	const char *id; /* "team_..." made by the caller */
	const char *name;
	bool personal; /* the account's own team, made with the account */
	int64_t created_at;
	enum qoc_role role; /* teams_of_account: the account's role; QOC_ROLE_NONE elsewhere */
};

struct qoc_membership {
	const char *team_id;
	const char *account_id;
	enum qoc_role role;
	int64_t created_at;
	const char *email; /* team_members: the account's email and name (name may be NULL) */
	const char *name;
};

/* A list of strings: items[0..count-1], never NULL entries. items may be NULL when count
 * is 0. In records a read returns, the array and the strings are arena memory. */
struct qoc_str_list {
	const char **items;
	size_t count;
};

/* An application (OAuth client). The text fields hold the API's JSON values as they are
 * ("web", "active", "opaque", "RS256", grant type names); oauth/app_rules.h validates
 * them, the store only refuses what would break its own invariants. */
struct qoc_app {
	const char *client_id; /* "qoc_client_" + [a-z0-9]{24}, made by the caller */
	const char *team_id;
	const char *owner_id; /* an account that is a member of team_id */
	const char *name;
	const char *description; /* never NULL in reads ("" when empty); NULL writes "" */
	const char *type;        /* web | spa | mobile | service */
	const char *status;      /* active | inactive | suspended */
	struct qoc_str_list redirect_uris;
	struct qoc_str_list allowed_origins;
	struct qoc_str_list sso_redirect_uris;
	struct qoc_str_list logout_uris;
	struct qoc_str_list grant_types;
	int64_t access_token_lifetime; /* seconds */
	int64_t refresh_token_lifetime;
	int64_t id_token_lifetime;
	bool pkce_required;
	const char *token_format;                 /* opaque | jwt */
	const char *id_token_signed_response_alg; /* RS256 | PS256 | ES256 | EdDSA */
	/* Confidential clients (web, service) always have both, public ones (spa, mobile)
	 * never. secret_hash: keyed hash for verification; secret_sealed: the secret sealed
	 * under the master key, for reveal. app_list leaves both NULL (and lengths 0). */
	const unsigned char *secret_hash;
	size_t secret_hash_len;
	const unsigned char *secret_sealed;
	size_t secret_sealed_len;
	int64_t secret_created_at; /* 0 for public clients */
	const char *icon_type;     /* reads: the icon's media type, NULL when there is none */
	int64_t created_at;
	int64_t updated_at;
	int64_t last_used_at; /* 0: never used */
	/* Counts changes: 1 after app_create, +1 for every change after that. app_update
	 * writes only when the row is still at the revision the caller read. */
	int64_t revision;
};

enum qoc_app_sort { QOC_APP_SORT_NAME = 0, QOC_APP_SORT_CREATED };

#define QOC_APP_LIST_DEFAULT_LIMIT 20
#define QOC_APP_LIST_MAX_LIMIT 100
#define QOC_STORE_CURSOR_MAX 1024 /* bytes of a cursor string, longer ones are refused */

struct qoc_app_query {
	/* The teams to list from: the caller's teams, or the one team asked for after the
	 * caller checked membership. No team ids and all_teams false lists nothing. */
	const char *const *team_ids;
	size_t team_count;
	bool all_teams; /* every team (an instance admin's view); team_ids are then ignored */
	const char *status; /* NULL: any */
	const char *type;   /* NULL: any */
	/* NULL or "": no filter. Else a substring of the name or the client_id, ASCII letters
	 * compared case-insensitively. */
	const char *q;
	enum qoc_app_sort sort; /* name (case-insensitive, ASCII) or created_at; client_id
	                         * breaks ties, so the order is total */
	bool desc;
	size_t limit;       /* 0: QOC_APP_LIST_DEFAULT_LIMIT; over QOC_APP_LIST_MAX_LIMIT: EINVAL */
	const char *cursor; /* NULL: the first page; else a next_cursor from the same sort */
};

struct qoc_app_page {
	struct qoc_app *items; /* arena array; NULL when count is 0 */
	size_t count;
	/* Arena string to pass as the next query's cursor; NULL when this is the last page. */
	const char *next_cursor;
};

/* What a caller says about a change it makes; the op that makes the change writes it to
 * the audit log in the same transaction (with the team and application it concerns). */
struct qoc_audit_event {
	const char *actor_id; /* account id (or "system") */
	const char *action;   /* e.g. "app.create", "app.secret.regenerate" (console/ names them) */
	const char *detail;   /* JSON object text, or NULL */
	const char *ip;       /* the caller's address, or NULL */
	int64_t at;           /* when; also the time the op records (updated_at, ...) */
};

/* A stored audit row. */
struct qoc_audit_entry {
	int64_t id; /* increasing: newer entries have larger ids */
	const char *team_id;
	const char *client_id; /* NULL for team-level events */
	const char *actor_id;
	const char *action;
	const char *detail;
	const char *ip;
	int64_t at;
};

#define QOC_AUDIT_LIST_MAX_LIMIT 200

struct qoc_audit_query {
	const char *team_id;   /* exactly one of team_id and client_id */
	const char *client_id; /* the entries of one application (also after its deletion) */
	int64_t before_id;     /* 0: from the newest; else entries with id < before_id */
	size_t limit;          /* 1..QOC_AUDIT_LIST_MAX_LIMIT; 0: 50 */
};

struct qoc_audit_page {
	struct qoc_audit_entry *items; /* newest first; NULL when count is 0 */
	size_t count;
	int64_t next_before_id; /* 0 when this is the last page */
};

/* A personal access token of the console API. The token itself ("qoc_pat_" + base64url
 * of 32 random bytes) is shown once; the store keeps only token_hash (qoc_token_hash()
 * output, 43 base64url characters). */
struct qoc_pat {
	const char *id;         /* "pat_..." made by the caller */
	const char *account_id; /* whose token it is */
	const char *name;       /* a label chosen by the owner ("" allowed, never NULL in reads) */
	const char *token_hash;
	int64_t created_at;
	int64_t expires_at;   /* 0: never expires */
	int64_t last_used_at; /* 0: never used */
	int64_t revoked_at;   /* 0: not revoked */
};

struct qoc_store;

/* The records of the protocol state; defined, with the qoc_store_* calls on them, in
 * store/store_oauth.h. */
struct qoc_sso_session;
struct qoc_auth_request;
struct qoc_auth_code;
struct qoc_token;
/* The mail outbox's row; defined, with the qoc_store_outbox_* calls, in store/store_outbox.h. */
struct qoc_outbox_row;
/* Usage analytics; defined, with the qoc_store_analytics_* calls, in store/store_analytics.h. */
struct qoc_an_batch;
struct qoc_an_range;

/* One throttle budget's policy (login/throttle.h): max_failures >= 1 failures before the
 * first lock; a lock of lock_base seconds doubling per lock up to lock_max; window quiet
 * seconds forget the failures; a reservation not settled within pending_ttl seconds (a
 * node that died mid-attempt) stops counting. Calls: store/store_throttle.h. */
struct qoc_store_throttle_params {
	int64_t max_failures, window, lock_base, lock_max, pending_ttl;
};

struct qoc_store_ops {
	unsigned version; /* QOC_STORE_OPS_VERSION */
	const char *name; /* "sqlite", "postgres" */

	/* Closes every connection and frees st. No call may be running on st. */
	void (*close)(struct qoc_store *st);

	/* Applies pending migrations in order, each in its own transaction together with its
	 * schema_migrations row, so a crash leaves the schema at a whole version. Safe to run
	 * from several processes at once (each migration is applied once). *applied (may be
	 * NULL) counts the migrations this call applied: 0 when the schema was up to date.
	 * QOC_EDB (and a log line) when the database records a version newer than this binary
	 * knows: an older binary never writes to a newer schema. */
	enum qoc_err (*migrate)(struct qoc_store *st, unsigned *applied);

	/* QOC_OK when the store answers a trivial query. */
	enum qoc_err (*ping)(struct qoc_store *st);

	/* Signing keys. Each algorithm (key->alg: "RS256", "PS256", "ES256", "EdDSA") has at
	 * most one active key; keys of different algorithms are active side by side.
	 * key_rotate, one transaction: the active key *of key->alg*, if any, is retired
	 * (retired_at = now, publish_until = old_publish_until) and `key` is inserted as the
	 * active one of its alg (key->created_at is stored; its retired_at and publish_until
	 * are ignored). Active keys of other algorithms are untouched. At most one key per
	 * alg is ever active, however many callers rotate at once.
	 * QOC_ECONFLICT: key->kid is taken (nothing changed). */
	enum qoc_err (*key_rotate)(struct qoc_store *st, const struct qoc_key_record *key,
	                           int64_t now, int64_t old_publish_until);
	/* The active key of alg (compared exactly). QOC_ENOTFOUND when there is none;
	 * QOC_EINVAL when alg is NULL or empty. */
	enum qoc_err (*key_active)(struct qoc_store *st, struct qoc_arena *a, const char *alg,
	                           struct qoc_key_record *out);
	/* One consistent read: the active keys first (newest created_at first), then retired
	 * keys with publish_until > now, newest (created_at) first. *out is an arena array of
	 * *count records (NULL when *count is 0; an empty list is QOC_OK). */
	enum qoc_err (*key_list_published)(struct qoc_store *st, struct qoc_arena *a, int64_t now,
	                                   struct qoc_key_record **out, size_t *count);

	/* Accounts. One transaction: the account, its personal team (named after the
	 * account's name, or its email when it has none; personal; created_at of the
	 * account; id acct->personal_team_id, see struct qoc_account) and an admin
	 * membership. QOC_ECONFLICT when the id, the email (compared after
	 * qoc_store_email_norm) or the team id is taken: nothing is created; of concurrent
	 * creations with one email exactly one wins. QOC_EINVAL when id or email is NULL or
	 * empty. */
	enum qoc_err (*account_create)(struct qoc_store *st, const struct qoc_account *acct);
	/* Looks the email up case-insensitively (qoc_store_email_norm). QOC_ENOTFOUND when
	 * no account has it. out->email is the address as it was created. */
	enum qoc_err (*account_by_email)(struct qoc_store *st, struct qoc_arena *a,
	                                 const char *email, struct qoc_account *out);
	/* QOC_ENOTFOUND when no account has this id. */
	enum qoc_err (*account_by_id)(struct qoc_store *st, struct qoc_arena *a, const char *id,
	                              struct qoc_account *out);
	/* *out: whether any account is an instance admin (the start-up banner's hint). */
	enum qoc_err (*account_admin_exists)(struct qoc_store *st, bool *out);

	/* Teams. One transaction: the team (personal = false whatever team->personal says)
	 * and an admin membership for creator_id (at team->created_at), and the audit entry.
	 * QOC_ECONFLICT: the id is taken; QOC_ENOTFOUND: no such creator account. */
	enum qoc_err (*team_create)(struct qoc_store *st, const struct qoc_team *team,
	                            const char *creator_id, const struct qoc_audit_event *audit);
	/* The account's teams with its role in each: the personal team first, then by name
	 * (then id). An unknown account has no teams (QOC_OK, *count 0). */
	enum qoc_err (*teams_of_account)(struct qoc_store *st, struct qoc_arena *a,
	                                 const char *account_id, struct qoc_team **out,
	                                 size_t *count);
	/* The members with their email and name, by email. QOC_ENOTFOUND: no such team. */
	enum qoc_err (*team_members)(struct qoc_store *st, struct qoc_arena *a, const char *team_id,
	                             struct qoc_membership **out, size_t *count);
	/* Adds account_id to team_id with role, created_at audit->at, + audit entry.
	 * QOC_ECONFLICT: already a member; QOC_ENOTFOUND: no such team or account;
	 * QOC_EINVAL: role is not a role. */
	enum qoc_err (*member_add)(struct qoc_store *st, const char *team_id, const char *account_id,
	                           enum qoc_role role, const struct qoc_audit_event *audit);
	/* Changes a member's role (+ audit). QOC_ENOTFOUND: not a member; QOC_EPERM: it would
	 * leave the team without an admin (nothing changes). Setting the role it has is OK. */
	enum qoc_err (*member_set_role)(struct qoc_store *st, const char *team_id,
	                                const char *account_id, enum qoc_role role,
	                                const struct qoc_audit_event *audit);
	/* Removes a member (+ audit). QOC_ENOTFOUND: not a member; QOC_EPERM: the last admin;
	 * QOC_ECONFLICT: the member still owns applications of the team (transfer them
	 * first). Nothing changes on error. */
	enum qoc_err (*member_remove)(struct qoc_store *st, const char *team_id,
	                              const char *account_id, const struct qoc_audit_event *audit);
	/* The account's role in the team; QOC_ENOTFOUND when it is not a member (or either
	 * does not exist). */
	enum qoc_err (*membership_role)(struct qoc_store *st, const char *team_id,
	                                const char *account_id, enum qoc_role *out);

	/* Applications. Every change below is one transaction together with its audit
	 * entry (team and client_id of the application, the caller's event); every change
	 * sets updated_at = audit->at and bumps revision.
	 *
	 * app_create: inserts app (revision 1; created_at and updated_at from app;
	 * last_used_at 0; icon none). QOC_ECONFLICT: the client_id is taken;
	 * QOC_ENOTFOUND: no such team; QOC_EPERM: the owner is not a member of the team;
	 * QOC_EINVAL: a required field is missing, a list holds a NULL or invalid UTF-8
	 * string, or the secret does not fit the type (web/service need both secret blobs
	 * and a secret_created_at, spa/mobile must have none and pkce_required). */
	enum qoc_err (*app_create)(struct qoc_store *st, const struct qoc_app *app,
	                           const struct qoc_audit_event *audit);
	/* Everything but the icon bytes. QOC_ENOTFOUND. */
	enum qoc_err (*app_get)(struct qoc_store *st, struct qoc_arena *a, const char *client_id,
	                        struct qoc_app *out);
	/* app_get for the protocol's hot paths (client authentication, authorize, introspect,
	 * logout). May answer from a copy (store/app_cache.h) that the backend proves current:
	 * every change to the application, its secret, status or icon committed before the
	 * call is seen. Only last_used_at may lag (app_touch_last_used does not retire
	 * copies), so the console, which shows it, uses app_get. NULL: app_get is used. */
	enum qoc_err (*client_get)(struct qoc_store *st, struct qoc_arena *a,
	                           const char *client_id, struct qoc_app *out);
	/* One page in the query's order (keyset pagination, no offset: each page costs the
	 * same however deep). Secrets are not read (NULL). QOC_EINVAL: a limit over the
	 * maximum, or a cursor that is malformed or from the other sort. */
	enum qoc_err (*app_list)(struct qoc_store *st, struct qoc_arena *a,
	                         const struct qoc_app_query *q, struct qoc_app_page *out);
	/* Replaces the settings: name, description, status, the four URI lists, grant_types,
	 * the three lifetimes, pkce_required, token_format, id_token_signed_response_alg;
	 * nothing else is read but client_id and revision. Writes only when the stored
	 * revision is app->revision. QOC_ENOTFOUND; QOC_ECONFLICT: changed since it was read
	 * (nothing written); QOC_EINVAL as app_create (a public client with pkce off). */
	enum qoc_err (*app_update)(struct qoc_store *st, const struct qoc_app *app,
	                           const struct qoc_audit_event *audit);
	/* QOC_ENOTFOUND; QOC_EINVAL: not active, inactive or suspended. */
	enum qoc_err (*app_set_status)(struct qoc_store *st, const char *client_id,
	                               const char *status, const struct qoc_audit_event *audit);
	/* Replaces the secret (hash, sealed form, secret_created_at = audit->at): the old
	 * secret stops verifying with this commit. QOC_ENOTFOUND; QOC_EPERM: a public client
	 * (spa, mobile) has no secret; QOC_EINVAL: empty blobs. */
	enum qoc_err (*app_secret_replace)(struct qoc_store *st, const char *client_id,
	                                   const unsigned char *hash, size_t hash_len,
	                                   const unsigned char *sealed, size_t sealed_len,
	                                   const struct qoc_audit_event *audit);
	/* The icon bytes (checked by the caller: type and size) and media type.
	 * QOC_ENOTFOUND: no such application. */
	enum qoc_err (*app_set_icon)(struct qoc_store *st, const char *client_id,
	                             const unsigned char *icon, size_t icon_len,
	                             const char *icon_type, const struct qoc_audit_event *audit);
	/* QOC_ENOTFOUND: no such application (clearing a missing icon is QOC_OK, audited). */
	enum qoc_err (*app_clear_icon)(struct qoc_store *st, const char *client_id,
	                               const struct qoc_audit_event *audit);
	/* QOC_ENOTFOUND: no such application, or it has no icon. */
	enum qoc_err (*app_get_icon)(struct qoc_store *st, struct qoc_arena *a,
	                             const char *client_id, const unsigned char **icon,
	                             size_t *icon_len, const char **icon_type);
	/* Makes new_owner_id the owner. QOC_ENOTFOUND: no such application; QOC_EPERM: the
	 * new owner is not a member of the application's team (nothing changes). The old
	 * owner keeps their membership and role. */
	enum qoc_err (*app_transfer)(struct qoc_store *st, const char *client_id,
	                             const char *new_owner_id, const struct qoc_audit_event *audit);
	/* Deletes the application and everything that references it (icon now; codes,
	 * tokens, grants, analytics by ON DELETE CASCADE as they come), writing the audit
	 * entry in the same commit; the audit entries of the application stay.
	 * QOC_ENOTFOUND. */
	enum qoc_err (*app_delete)(struct qoc_store *st, const char *client_id,
	                           const struct qoc_audit_event *audit);
	/* last_used_at = max(last_used_at, at). No audit, no revision bump. QOC_OK also when
	 * the application does not exist (deleted meanwhile: nothing to record). */
	enum qoc_err (*app_touch_last_used)(struct qoc_store *st, const char *client_id,
	                                    int64_t at);

	/* Audit log. audit_append writes one entry (team_id, actor_id, action required;
	 * entry->id is ignored); *id (may be NULL) receives its id. QOC_EINVAL also when
	 * detail is not valid JSON. */
	enum qoc_err (*audit_append)(struct qoc_store *st, const struct qoc_audit_entry *entry,
	                             int64_t *id);
	/* Newest first. QOC_EINVAL: neither or both of team_id and client_id, or a limit
	 * over QOC_AUDIT_LIST_MAX_LIMIT. */
	enum qoc_err (*audit_list)(struct qoc_store *st, struct qoc_arena *a,
	                           const struct qoc_audit_query *q, struct qoc_audit_page *out);

	/* Personal access tokens. pat_create: QOC_ECONFLICT: the id or the hash is taken;
	 * QOC_ENOTFOUND: no such account; QOC_EINVAL: id, account_id or a token_hash that is
	 * not QOC_TOKEN_HASH_LEN base64url characters (so a raw token is never stored), or
	 * expires_at set and not after created_at. revoked_at and last_used_at are ignored. */
	enum qoc_err (*pat_create)(struct qoc_store *st, const struct qoc_pat *pat);
	/* The token with this hash if it is live at now (not revoked, not expired).
	 * QOC_ENOTFOUND otherwise. One indexed read, no write. */
	enum qoc_err (*pat_find)(struct qoc_store *st, struct qoc_arena *a, const char *token_hash,
	                         int64_t now, struct qoc_pat *out);
	/* Every token of the account (revoked and expired ones too), newest first (then id).
	 * *out is an arena array (NULL when *count is 0); an unknown account has none. */
	enum qoc_err (*pat_list)(struct qoc_store *st, struct qoc_arena *a, const char *account_id,
	                         struct qoc_pat **out, size_t *count);
	/* Revokes the account's token id (revoked_at = now; a revoked one keeps its first
	 * revocation time: QOC_OK). QOC_ENOTFOUND: no such token of this account. */
	enum qoc_err (*pat_revoke)(struct qoc_store *st, const char *account_id, const char *id,
	                           int64_t now);
	/* last_used_at = max(last_used_at, at). QOC_OK also when the token is gone. */
	enum qoc_err (*pat_touch)(struct qoc_store *st, const char *id, int64_t at);

	/* --- OAuth 2.0 / OpenID Connect state (records in store/store_oauth.h) ---
	 * Every *_hash argument and field is qoc_token_hash() output (43 base64url characters);
	 * anything else is QOC_EINVAL, so a raw secret is never stored. A row is live while
	 * now < expires_at; the calls that take `now` answer for an expired row as for an
	 * absent one (code_consume and refresh_rotate say what else they do with it).
	 * Deleting an application deletes its requests, codes, tokens and consents in the same
	 * commit; deleting an account, its sessions too. None of these writes is audited (they
	 * are protocol state, not management changes). */

	/* SSO sessions. session_create: QOC_ECONFLICT when id_hash or sid is taken;
	 * QOC_ENOTFOUND: no such account. Group-committed. */
	enum qoc_err (*session_create)(struct qoc_store *st, const struct qoc_sso_session *s);
	/* QOC_ENOTFOUND when absent or expired at now. */
	enum qoc_err (*session_get)(struct qoc_store *st, struct qoc_arena *a, const char *id_hash,
	                            int64_t now, struct qoc_sso_session *out);
	/* Sets expires_at (never shortens it) of a session live at now. QOC_ENOTFOUND. */
	enum qoc_err (*session_touch)(struct qoc_store *st, const char *id_hash, int64_t now,
	                              int64_t expires_at);
	/* Delete one session (sign-out, RP-initiated logout by sid). QOC_ENOTFOUND: absent. */
	enum qoc_err (*session_delete)(struct qoc_store *st, const char *id_hash);
	enum qoc_err (*session_delete_by_sid)(struct qoc_store *st, const char *sid);

	/* Pending authorization requests. The reads and changes below find a request only by
	 * its handle AND the browser_hash it was created with: another browser presenting the
	 * handle gets QOC_ENOTFOUND and changes nothing.
	 * authreq_create: QOC_ECONFLICT: handle taken; QOC_ENOTFOUND: no such application;
	 * QOC_EINVAL also when params is not a JSON object or account_id is set. Group-
	 * committed. */
	enum qoc_err (*authreq_create)(struct qoc_store *st, const struct qoc_auth_request *r);
	/* QOC_ENOTFOUND: absent, expired at now, or another browser. */
	enum qoc_err (*authreq_get)(struct qoc_store *st, struct qoc_arena *a,
	                            const char *handle_hash, const char *browser_hash, int64_t now,
	                            struct qoc_auth_request *out);
	/* Records who signed in (account_id, auth_time) on a request live at now; may be
	 * called again (re-authentication). QOC_ENOTFOUND: no such live request, or no such
	 * account. */
	enum qoc_err (*authreq_set_account)(struct qoc_store *st, const char *handle_hash,
	                                    const char *browser_hash, const char *account_id,
	                                    int64_t auth_time, int64_t now);
	/* Consumes the request: reads and deletes it in one transaction and returns the row,
	 * so of any number of parallel takes (a double-submitted consent form) exactly one
	 * gets QOC_OK. QOC_ENOTFOUND: already taken, absent, another browser, or expired (an
	 * expired request is deleted all the same). */
	enum qoc_err (*authreq_take)(struct qoc_store *st, struct qoc_arena *a,
	                             const char *handle_hash, const char *browser_hash, int64_t now,
	                             struct qoc_auth_request *out);
	/* Drops a request (the user denied or cancelled). QOC_ENOTFOUND: already gone. */
	enum qoc_err (*authreq_delete)(struct qoc_store *st, const char *handle_hash);

	/* Authorization codes. code_create stores code (consumed_at ignored). QOC_ECONFLICT:
	 * the hash is taken; QOC_ENOTFOUND: no such application or account. Group-committed. */
	enum qoc_err (*code_create)(struct qoc_store *st, const struct qoc_auth_code *code);
	/* Redeems a code, atomically, in one transaction committed (durably) before it returns:
	 *   QOC_OK         the first redemption of a live code: consumed_at = now, *out is the
	 *                  row. Of any number of parallel calls exactly one gets this.
	 *   QOC_ECONFLICT  already consumed (a reuse, RFC 6749 §4.1.2, SECURITY.md): every
	 *                  token of the code's family is revoked (revoked_at = now) and the
	 *                  family is marked revoked, so tokens still being issued into it are
	 *                  born revoked; *out is the row (consumed_at: the first redemption).
	 *   QOC_ENOTFOUND  unknown, or expired at now (then consumed all the same, so it can
	 *                  never be redeemed later), or issued to another client than
	 *                  client_id: then nothing is written, so the code stays valid for
	 *                  the client it was issued to (issue 13: a client that learnt
	 *                  another's code can neither redeem nor burn it).
	 * A failed PKCE check after QOC_OK needs nothing more: the code is already burnt. */
	enum qoc_err (*code_consume)(struct qoc_store *st, struct qoc_arena *a,
	                             const char *code_hash, const char *client_id, int64_t now,
	                             struct qoc_auth_code *out);

	/* Tokens. tokens_issue inserts tokens[0..n-1] (1 <= n <= 3) in one transaction:
	 * all or none. revoked_at and used_at are ignored; when the family was revoked
	 * (family_revoke, a reused code) they are stored revoked. QOC_ECONFLICT: a hash is
	 * taken; QOC_ENOTFOUND: no such application or account; QOC_EINVAL also for a refresh
	 * token without account_id. Group-committed. */
	enum qoc_err (*tokens_issue)(struct qoc_store *st, const struct qoc_token *tokens,
	                             size_t n);
	/* The row, whatever its state: the caller decides activity (expires_at, revoked_at,
	 * used_at, the application's status). One indexed read, no write. QOC_ENOTFOUND. */
	enum qoc_err (*token_get)(struct qoc_store *st, struct qoc_arena *a, const char *token_hash,
	                          struct qoc_token *out);
	/* Rotates a refresh token, atomically (one transaction, committed before it returns):
	 *   QOC_ENOTFOUND  unknown, not a refresh token, issued to another client, or expired
	 *                  at now (nothing changes);
	 *   QOC_ECONFLICT  already used or revoked (reuse, SECURITY.md): every token of its
	 *                  family, access tokens included, is revoked (revoked_at = now) and
	 *                  the family marked revoked; nothing is inserted;
	 *   QOC_OK         used_at = now and new_tokens[0..n-1] (1 <= n <= 3) inserted. Of
	 *                  parallel rotations of one token exactly one gets QOC_OK.
	 * Each new token takes account_id, family_id, sid and auth_time from the old one and
	 * parent_hash = old_hash (the caller's values of these are ignored); its client_id must
	 * be client_id (else QOC_EINVAL). *old_out (may be NULL) is the old row as it was
	 * before this call, on QOC_OK and QOC_ECONFLICT. */
	enum qoc_err (*refresh_rotate)(struct qoc_store *st, struct qoc_arena *a,
	                               const char *old_hash, const char *client_id, int64_t now,
	                               const struct qoc_token *new_tokens, size_t n,
	                               struct qoc_token *old_out);
	/* RFC 7009: revokes the token if it was issued to client_id; a refresh token takes its
	 * whole family with it (§2.1). Revoking a revoked token is QOC_OK. QOC_ENOTFOUND:
	 * unknown or another client's (the caller still answers 200). Any other error means
	 * nothing was revoked: fail closed. */
	enum qoc_err (*token_revoke)(struct qoc_store *st, const char *token_hash,
	                             const char *client_id, int64_t now);
	/* Revokes every live token of the family and marks the family revoked (even when it
	 * has no token yet). QOC_OK also when nothing was live. */
	enum qoc_err (*family_revoke)(struct qoc_store *st, const char *family_id, int64_t now);
	/* Housekeeping: deletes up to `limit` rows of each of tokens, codes, requests, sessions
	 * and revoked families that expired (or were revoked) more than a day before now.
	 * *deleted (may be NULL) counts them; call again while it is > 0. */
	enum qoc_err (*tokens_purge_expired)(struct qoc_store *st, int64_t now, size_t limit,
	                                     size_t *deleted);

	/* Consents. consent_get: the granted scope string (arena), QOC_ENOTFOUND when none.
	 * consent_put: upsert (the caller computes the union); QOC_ENOTFOUND: no such
	 * account or application. */
	enum qoc_err (*consent_get)(struct qoc_store *st, struct qoc_arena *a,
	                            const char *account_id, const char *client_id,
	                            const char **scope);
	enum qoc_err (*consent_put)(struct qoc_store *st, const char *account_id,
	                            const char *client_id, const char *scope, int64_t now);

	/* --- mail outbox (version 4, src/mail/) --------------------------------------------
	 * Each node's sender thread claims rows (outbox_claim) before it delivers them, so
	 * with several nodes on one store a message is delivered by one of them (still
	 * at-least-once: a sender that dies between delivery and mark_sent sends again).
	 * outbox_put: inserts row (to_addr, subject, body, created_at; attempts 0, due at
	 * created_at), durable before it returns; *id (may be NULL) gets its id. QOC_EINVAL: a
	 * NULL or empty field, created_at <= 0.
	 * outbox_due: unsent rows with next_attempt_at <= now, oldest due first, at most limit
	 * (1..QOC_OUTBOX_DUE_MAX); *rows is an arena array (NULL when *n is 0).
	 * outbox_mark_sent: sent_at = now. QOC_ENOTFOUND: no such unsent row.
	 * outbox_mark_failed: attempts + 1, last_error = error_text (may be NULL), and
	 * next_attempt_at (0: give up, the row is never due again). QOC_ENOTFOUND as above. */
	enum qoc_err (*outbox_put)(struct qoc_store *st, const struct qoc_outbox_row *row,
	                           int64_t *id);
	enum qoc_err (*outbox_due)(struct qoc_store *st, int64_t now, size_t limit,
	                           struct qoc_arena *a, struct qoc_outbox_row **rows, size_t *n);
	enum qoc_err (*outbox_mark_sent)(struct qoc_store *st, int64_t id, int64_t now);
	enum qoc_err (*outbox_mark_failed)(struct qoc_store *st, int64_t id, int64_t now,
	                                   int64_t next_attempt_at, const char *error_text);
	/* outbox_claim (version 7; several nodes, each with its sender, on one store): the
	 * rows outbox_due(now, limit) would return, and in the same transaction each of them
	 * gets next_attempt_at = lease_until, so no other sender (this node's or another's)
	 * gets it before then: of concurrent claims, each row goes to one. mark_sent and
	 * mark_failed end the lease; a sender that dies holding rows gives them back when the
	 * lease runs out. The rows read back show next_attempt_at as it was before the claim.
	 * QOC_EINVAL as outbox_due, and lease_until <= now. */
	enum qoc_err (*outbox_claim)(struct qoc_store *st, int64_t now, int64_t lease_until,
	                             size_t limit, struct qoc_arena *a, struct qoc_outbox_row **rows,
	                             size_t *n);
	/* --- end of mail outbox --- */

	/* --- usage analytics (version 6, src/analytics/) -----------------------------------
	 * analytics_append, one transaction: inserts the raw events and adds every hour
	 * delta to its hourly rollup (requests, errors, latency sum, histogram, dimension
	 * counts; an account not yet seen in that hour adds one to its distinct accounts) and
	 * the requests to the application's lifetime total. Events and deltas of an
	 * application that does not exist (deleted meanwhile, or a client id nobody
	 * registered) are skipped and counted in *skipped (may be NULL); that is not an
	 * error. QOC_EINVAL: more than QOC_AN_BATCH_MAX events or deltas, a NULL client_id,
	 * or an hour not a multiple of 3600. Durability is relaxed for this op only: QOC_OK
	 * means committed atomically, but a power loss may lose the last appended batches
	 * (the protocol's durable writes must not wait behind an fsync for analytics).
	 * analytics_query: the hourly rollups of client_id with from_hour <= hour < to_hour
	 * and the dimension counts summed over them (see struct qoc_an_range). An unknown
	 * application has none (QOC_OK, empty).
	 * analytics_lifetime: requests ever recorded for client_id (0 when none); purging
	 * rollups does not lower it.
	 * analytics_active_users: distinct accounts that, at now, hold a refresh token of
	 * client_id that is live (not expired, revoked or used), or any live token of
	 * client_id issued in an SSO session that is still live.
	 * analytics_purge: deletes up to limit raw events with at < events_before and up to
	 * limit hourly rollups (with their dimension and account rows) with hour <
	 * rollups_before; *deleted (may be NULL) counts them; call again while it is > 0.
	 * Deleting an application deletes its analytics (ON DELETE CASCADE). */
	enum qoc_err (*analytics_append)(struct qoc_store *st, const struct qoc_an_batch *b,
	                                 size_t *skipped);
	enum qoc_err (*analytics_query)(struct qoc_store *st, struct qoc_arena *a,
	                                const char *client_id, int64_t from_hour, int64_t to_hour,
	                                struct qoc_an_range *out);
	enum qoc_err (*analytics_lifetime)(struct qoc_store *st, const char *client_id,
	                                   int64_t *requests);
	enum qoc_err (*analytics_active_users)(struct qoc_store *st, const char *client_id,
	                                       int64_t now, int64_t *users);
	enum qoc_err (*analytics_purge)(struct qoc_store *st, int64_t events_before,
	                                int64_t rollups_before, size_t limit, size_t *deleted);
	/* --- end of usage analytics --- */

	/* --- throttles (store/store_throttle.h; the policy is login/throttle.h's) ---
	 * Budgets that hold across every node of one database. Each call is one atomic
	 * statement on the row of key (at most QOC_STORE_THROTTLE_KEY_MAX bytes); QOC_EINVAL
	 * for an empty or longer key or params out of range (max_failures < 1, window,
	 * lock_base or pending_ttl < 1, lock_max < lock_base).
	 * throttle_reserve: takes one attempt before the costly work when the key is not
	 * locked and its attempts in flight are under its budget (max_failures minus the
	 * failures counted, or 1 once they reached it). *granted says whether it did;
	 * *failures (may be NULL) gets the failures counted (0 after a quiet window);
	 * *locked_until (may be NULL) the end of the current lock (<= now: none).
	 * throttle_fail: counts one failure at now (settling a reservation when `reserved`),
	 * locking the key once max_failures are counted; *locked_until as above.
	 * throttle_cancel: settles a reservation without a failure (the attempt was right or
	 * never ran). A key without a row is QOC_OK.
	 * throttle_forget: deletes the key's row (QOC_OK when there is none).
	 * throttle_purge: deletes up to limit (1..10000) rows that remember nothing at now
	 * (quiet for their window and no reservation in flight); *deleted (may be NULL) counts
	 * them; call again while it is > 0. */
	enum qoc_err (*throttle_reserve)(struct qoc_store *st, const char *key,
	                                 const struct qoc_store_throttle_params *p, int64_t now,
	                                 bool *granted, int64_t *failures, int64_t *locked_until);
	enum qoc_err (*throttle_fail)(struct qoc_store *st, const char *key,
	                              const struct qoc_store_throttle_params *p, int64_t now,
	                              bool reserved, int64_t *locked_until);
	enum qoc_err (*throttle_cancel)(struct qoc_store *st, const char *key, int64_t now);
	enum qoc_err (*throttle_forget)(struct qoc_store *st, const char *key);
	enum qoc_err (*throttle_purge)(struct qoc_store *st, int64_t now, size_t limit,
	                               size_t *deleted);
	/* --- end of throttles --- */
	/* --- state purge (version 9, store/purge.h runs them; store/store_purge.h) ----------
	 * Each deletes up to `limit` (1..INT32_MAX, else QOC_EINVAL) rows of one kind that are
	 * dead at now, in one short write transaction of its own (so the SQLite write lock is
	 * held for one batch only); *deleted (may be NULL) counts them; call again while it
	 * equals limit. What "dead" means:
	 *   authreq_purge     pending authorization requests with expires_at <= now (nothing
	 *                     refers to one once it expired);
	 *   sessions_purge    SSO sessions expired more than a day before now;
	 *   codes_purge       codes expired more than a day before now (the day: a replayed
	 *                     code is still seen as a reuse and revokes its family);
	 *   tokens_purge      access and refresh tokens expired more than a day before now;
	 *   families_purge    revoked families marked more than a day before now.
	 * PostgreSQL: each transaction first takes pg_try_advisory_xact_lock on one key shared
	 * by every purge op, so of several nodes one deletes at a time; when another node
	 * holds it nothing is deleted and the answer is QOC_ECONFLICT (skip this round). */
	enum qoc_err (*authreq_purge)(struct qoc_store *st, int64_t now, size_t limit,
	                              size_t *deleted);
	enum qoc_err (*sessions_purge)(struct qoc_store *st, int64_t now, size_t limit,
	                               size_t *deleted);
	enum qoc_err (*codes_purge)(struct qoc_store *st, int64_t now, size_t limit,
	                            size_t *deleted);
	enum qoc_err (*tokens_purge)(struct qoc_store *st, int64_t now, size_t limit,
	                             size_t *deleted);
	enum qoc_err (*families_purge)(struct qoc_store *st, int64_t now, size_t limit,
	                               size_t *deleted);
	/* --- end of state purge --- */
	/* --- metrics (version 10, api/metrics.c) ---
	 * outbox_pending: *pending = outbox rows neither sent nor given up (due now or to be
	 * retried later), read at scrape time for qoc_mail_outbox_pending. */
	enum qoc_err (*outbox_pending)(struct qoc_store *st, int64_t *pending);
};

/* Every backend's handle starts with this. */
struct qoc_store {
	const struct qoc_store_ops *ops;
};

/* Picks the backend from opts->url and opens it (no migration: call qoc_store_migrate).
 * QOC_EINVAL for an empty or unknown url, a backend not built into this binary, or bad
 * options (pool_size over QOC_STORE_MAX_POOL_SIZE); QOC_EDB when the database cannot be
 * opened or configured; QOC_ENOMEM. Each failure is logged without the url (it may hold a
 * password). *out is NULL on error. */
enum qoc_err qoc_store_open(const struct qoc_store_options *opts, struct qoc_store **out);
/* NULL is a no-op. */
void qoc_store_close(struct qoc_store *st);

/* ---- backups (qoc backup, qoc restore; docs/operations.md) ----
 * Only the SQLite store is copied by qoc itself; PostgreSQL has pg_dump. */

/* The file a SQLite database url names (a pointer into url), or NULL when url names
 * PostgreSQL or nothing qoc knows. */
const char *qoc_store_sqlite_path(const char *url);

/* Writes a consistent copy of the SQLite store st, as of one moment, to path while st keeps
 * serving (readers and writers are not held up). path is created here, mode 0600.
 * QOC_ECONFLICT when path exists; QOC_EINVAL when st is not SQLite; QOC_EIO, QOC_EDB. */
enum qoc_err qoc_store_backup(struct qoc_store *st, const char *path);

/* Called by qoc_store_restore with the checked backup opened as a store (not migrated, not
 * yet in place): the caller's own checks (that the master key opens its sealed keys). A
 * non-zero result stops the restore with nothing changed. */
typedef enum qoc_err qoc_store_restore_check_fn(struct qoc_store *staged, void *arg);

/* Replaces the SQLite store that opts->url names with the backup file `from`. No process
 * may have the store open (the caller makes sure qoc serve is stopped). The backup must
 * pass SQLite's integrity check and carry a qoc schema no newer than this binary's
 * (*version gets its schema version); it is copied beside the store, opened with opts for
 * check(staged, arg), and only then renamed over the store, whose -wal and -shm are
 * removed. On any error the store is as it was. QOC_ENOTFOUND (no such file), QOC_EINVAL
 * (not an intact qoc store, or url is not SQLite), QOC_ECONFLICT (a newer schema), the
 * check's error, QOC_EIO, QOC_EDB. */
enum qoc_err qoc_store_restore(const struct qoc_store_options *opts, const char *from,
                               qoc_store_restore_check_fn *check, void *arg, unsigned *version);

/* The form in which emails are compared: ASCII letters lower-cased, every other byte kept
 * (so non-ASCII addresses compare byte-exact). Allocated from a; NULL when out of memory.
 * Every backend stores and looks up this form. */
char *qoc_store_email_norm(struct qoc_arena *a, const char *email);

/* The form application names are sorted and searched in: like qoc_store_email_norm
 * (ASCII letters lower-cased, other bytes kept). NULL when out of memory. */
char *qoc_store_name_norm(struct qoc_arena *a, const char *name);

/* Every qoc_store_* call below goes through here: its time and its failures are counted
 * per operation (core/metrics.h; two relaxed atomic adds and a clock read). */
#define QOC_STORE_TIMED(op, call)                                                                  \
	({                                                                                         \
		uint64_t qoc_store_t0_ = qoc_monotonic_ns();                                       \
		qoc_metrics_store_op(QOC_METRICS_STORE_##op, qoc_store_t0_, (call));               \
	})

static inline enum qoc_err qoc_store_migrate(struct qoc_store *st, unsigned *applied)
{
	return QOC_STORE_TIMED(migrate, st->ops->migrate(st, applied));
}
static inline enum qoc_err qoc_store_ping(struct qoc_store *st)
{
	return QOC_STORE_TIMED(ping, st->ops->ping(st));
}
static inline enum qoc_err qoc_store_key_rotate(struct qoc_store *st,
                                                const struct qoc_key_record *key, int64_t now,
                                                int64_t old_publish_until)
{
	return QOC_STORE_TIMED(key_rotate, st->ops->key_rotate(st, key, now, old_publish_until));
}
static inline enum qoc_err qoc_store_key_active(struct qoc_store *st, struct qoc_arena *a,
                                                const char *alg, struct qoc_key_record *out)
{
	return QOC_STORE_TIMED(key_active, st->ops->key_active(st, a, alg, out));
}
static inline enum qoc_err qoc_store_key_list_published(struct qoc_store *st, struct qoc_arena *a,
                                                        int64_t now, struct qoc_key_record **out,
                                                        size_t *count)
{
	return QOC_STORE_TIMED(key_list_published,
	                       st->ops->key_list_published(st, a, now, out, count));
}
static inline enum qoc_err qoc_store_account_create(struct qoc_store *st,
                                                    const struct qoc_account *acct)
{
	return QOC_STORE_TIMED(account_create, st->ops->account_create(st, acct));
}
static inline enum qoc_err qoc_store_account_by_email(struct qoc_store *st, struct qoc_arena *a,
                                                      const char *email, struct qoc_account *out)
{
	return QOC_STORE_TIMED(account_by_email, st->ops->account_by_email(st, a, email, out));
}

static inline enum qoc_err qoc_store_account_admin_exists(struct qoc_store *st, bool *out)
{
	return QOC_STORE_TIMED(account_admin_exists, st->ops->account_admin_exists(st, out));
}
static inline enum qoc_err qoc_store_account_by_id(struct qoc_store *st, struct qoc_arena *a,
                                                   const char *id, struct qoc_account *out)
{
	return QOC_STORE_TIMED(account_by_id, st->ops->account_by_id(st, a, id, out));
}
static inline enum qoc_err qoc_store_team_create(struct qoc_store *st, const struct qoc_team *team,
                                                 const char *creator_id,
                                                 const struct qoc_audit_event *audit)
{
	return QOC_STORE_TIMED(team_create, st->ops->team_create(st, team, creator_id, audit));
}
static inline enum qoc_err qoc_store_teams_of_account(struct qoc_store *st, struct qoc_arena *a,
                                                      const char *account_id,
                                                      struct qoc_team **out, size_t *count)
{
	return QOC_STORE_TIMED(teams_of_account,
	                       st->ops->teams_of_account(st, a, account_id, out, count));
}
static inline enum qoc_err qoc_store_team_members(struct qoc_store *st, struct qoc_arena *a,
                                                  const char *team_id,
                                                  struct qoc_membership **out, size_t *count)
{
	return QOC_STORE_TIMED(team_members, st->ops->team_members(st, a, team_id, out, count));
}
static inline enum qoc_err qoc_store_member_add(struct qoc_store *st, const char *team_id,
                                                const char *account_id, enum qoc_role role,
                                                const struct qoc_audit_event *audit)
{
	return QOC_STORE_TIMED(member_add,
	                       st->ops->member_add(st, team_id, account_id, role, audit));
}
static inline enum qoc_err qoc_store_member_set_role(struct qoc_store *st, const char *team_id,
                                                     const char *account_id, enum qoc_role role,
                                                     const struct qoc_audit_event *audit)
{
	return QOC_STORE_TIMED(member_set_role,
	                       st->ops->member_set_role(st, team_id, account_id, role, audit));
}
static inline enum qoc_err qoc_store_member_remove(struct qoc_store *st, const char *team_id,
                                                   const char *account_id,
                                                   const struct qoc_audit_event *audit)
{
	return QOC_STORE_TIMED(member_remove,
	                       st->ops->member_remove(st, team_id, account_id, audit));
}
static inline enum qoc_err qoc_store_membership_role(struct qoc_store *st, const char *team_id,
                                                     const char *account_id, enum qoc_role *out)
{
	return QOC_STORE_TIMED(membership_role,
	                       st->ops->membership_role(st, team_id, account_id, out));
}
static inline enum qoc_err qoc_store_app_create(struct qoc_store *st, const struct qoc_app *app,
                                                const struct qoc_audit_event *audit)
{
	return QOC_STORE_TIMED(app_create, st->ops->app_create(st, app, audit));
}
static inline enum qoc_err qoc_store_app_get(struct qoc_store *st, struct qoc_arena *a,
                                             const char *client_id, struct qoc_app *out)
{
	return QOC_STORE_TIMED(app_get, st->ops->app_get(st, a, client_id, out));
}
static inline enum qoc_err qoc_store_client_get(struct qoc_store *st, struct qoc_arena *a,
                                                const char *client_id, struct qoc_app *out)
{
	return QOC_STORE_TIMED(client_get, st->ops->client_get
	                                       ? st->ops->client_get(st, a, client_id, out)
	                                       : st->ops->app_get(st, a, client_id, out));
}
static inline enum qoc_err qoc_store_app_list(struct qoc_store *st, struct qoc_arena *a,
                                              const struct qoc_app_query *q,
                                              struct qoc_app_page *out)
{
	return QOC_STORE_TIMED(app_list, st->ops->app_list(st, a, q, out));
}
static inline enum qoc_err qoc_store_app_update(struct qoc_store *st, const struct qoc_app *app,
                                                const struct qoc_audit_event *audit)
{
	return QOC_STORE_TIMED(app_update, st->ops->app_update(st, app, audit));
}
static inline enum qoc_err qoc_store_app_set_status(struct qoc_store *st, const char *client_id,
                                                    const char *status,
                                                    const struct qoc_audit_event *audit)
{
	return QOC_STORE_TIMED(app_set_status,
	                       st->ops->app_set_status(st, client_id, status, audit));
}
static inline enum qoc_err
qoc_store_app_secret_replace(struct qoc_store *st, const char *client_id, const unsigned char *hash,
                             size_t hash_len, const unsigned char *sealed, size_t sealed_len,
                             const struct qoc_audit_event *audit)
{
	return QOC_STORE_TIMED(
	    app_secret_replace,
	    st->ops->app_secret_replace(st, client_id, hash, hash_len, sealed, sealed_len, audit));
}
static inline enum qoc_err qoc_store_app_set_icon(struct qoc_store *st, const char *client_id,
                                                  const unsigned char *icon, size_t icon_len,
                                                  const char *icon_type,
                                                  const struct qoc_audit_event *audit)
{
	return QOC_STORE_TIMED(
	    app_set_icon, st->ops->app_set_icon(st, client_id, icon, icon_len, icon_type, audit));
}
static inline enum qoc_err qoc_store_app_clear_icon(struct qoc_store *st, const char *client_id,
                                                    const struct qoc_audit_event *audit)
{
	return QOC_STORE_TIMED(app_clear_icon, st->ops->app_clear_icon(st, client_id, audit));
}
static inline enum qoc_err qoc_store_app_get_icon(struct qoc_store *st, struct qoc_arena *a,
                                                  const char *client_id, const unsigned char **icon,
                                                  size_t *icon_len, const char **icon_type)
{
	return QOC_STORE_TIMED(app_get_icon,
	                       st->ops->app_get_icon(st, a, client_id, icon, icon_len, icon_type));
}
static inline enum qoc_err qoc_store_app_transfer(struct qoc_store *st, const char *client_id,
                                                  const char *new_owner_id,
                                                  const struct qoc_audit_event *audit)
{
	return QOC_STORE_TIMED(app_transfer,
	                       st->ops->app_transfer(st, client_id, new_owner_id, audit));
}
static inline enum qoc_err qoc_store_app_delete(struct qoc_store *st, const char *client_id,
                                                const struct qoc_audit_event *audit)
{
	return QOC_STORE_TIMED(app_delete, st->ops->app_delete(st, client_id, audit));
}
static inline enum qoc_err qoc_store_app_touch_last_used(struct qoc_store *st,
                                                         const char *client_id, int64_t at)
{
	return QOC_STORE_TIMED(app_touch_last_used,
	                       st->ops->app_touch_last_used(st, client_id, at));
}
static inline enum qoc_err qoc_store_audit_append(struct qoc_store *st,
                                                  const struct qoc_audit_entry *entry, int64_t *id)
{
	return QOC_STORE_TIMED(audit_append, st->ops->audit_append(st, entry, id));
}
static inline enum qoc_err qoc_store_audit_list(struct qoc_store *st, struct qoc_arena *a,
                                                const struct qoc_audit_query *q,
                                                struct qoc_audit_page *out)
{
	return QOC_STORE_TIMED(audit_list, st->ops->audit_list(st, a, q, out));
}
static inline enum qoc_err qoc_store_pat_create(struct qoc_store *st, const struct qoc_pat *pat)
{
	return QOC_STORE_TIMED(pat_create, st->ops->pat_create(st, pat));
}
static inline enum qoc_err qoc_store_pat_find(struct qoc_store *st, struct qoc_arena *a,
                                              const char *token_hash, int64_t now,
                                              struct qoc_pat *out)
{
	return QOC_STORE_TIMED(pat_find, st->ops->pat_find(st, a, token_hash, now, out));
}
static inline enum qoc_err qoc_store_pat_list(struct qoc_store *st, struct qoc_arena *a,
                                              const char *account_id, struct qoc_pat **out,
                                              size_t *count)
{
	return QOC_STORE_TIMED(pat_list, st->ops->pat_list(st, a, account_id, out, count));
}
static inline enum qoc_err qoc_store_pat_revoke(struct qoc_store *st, const char *account_id,
                                                const char *id, int64_t now)
{
	return QOC_STORE_TIMED(pat_revoke, st->ops->pat_revoke(st, account_id, id, now));
}
static inline enum qoc_err qoc_store_pat_touch(struct qoc_store *st, const char *id, int64_t at)
{
	return QOC_STORE_TIMED(pat_touch, st->ops->pat_touch(st, id, at));
}

#endif
