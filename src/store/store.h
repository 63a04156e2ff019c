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
 *                  busy_timeout_ms; nothing was written; retry later;
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

/* Bumped whenever a member is added to or changed in struct qoc_store_ops. */
#define QOC_STORE_OPS_VERSION 1

#define QOC_STORE_DEFAULT_POOL_SIZE 4
#define QOC_STORE_MAX_POOL_SIZE 64
#define QOC_STORE_DEFAULT_BUSY_TIMEOUT_MS 5000

enum qoc_sync_mode { QOC_SYNC_FULL, QOC_SYNC_NORMAL };

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
};

/* A JWS signing key. The private key is sealed (see crypto/seal.h) before it gets here. */
struct qoc_key_record {
	const char *kid;
	const char *alg;        /* "RS256", "ES256", "EdDSA" */
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
};

struct qoc_store;

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

	/* Signing keys. One transaction: the active key, if any, is retired (retired_at = now,
	 * publish_until = old_publish_until) and `key` is inserted as the active one
	 * (key->created_at is stored; its retired_at and publish_until are ignored). At most
	 * one key is ever active, however many callers rotate at once.
	 * QOC_ECONFLICT: key->kid is taken (nothing changed). */
	enum qoc_err (*key_rotate)(struct qoc_store *st, const struct qoc_key_record *key,
	                           int64_t now, int64_t old_publish_until);
	/* The active key. QOC_ENOTFOUND when no key was ever made. */
	enum qoc_err (*key_active)(struct qoc_store *st, struct qoc_arena *a,
	                           struct qoc_key_record *out);
	/* One consistent read: the active key first, then retired keys with
	 * publish_until > now, newest (created_at) first. *out is an arena array of *count
	 * records (NULL when *count is 0; an empty list is QOC_OK). */
	enum qoc_err (*key_list_published)(struct qoc_store *st, struct qoc_arena *a, int64_t now,
	                                   struct qoc_key_record **out, size_t *count);

	/* Accounts. One row. QOC_ECONFLICT when the id or the email (compared after
	 * qoc_store_email_norm) is taken; of concurrent creations with one email exactly one
	 * wins. QOC_EINVAL when id or email is NULL or empty. */
	enum qoc_err (*account_create)(struct qoc_store *st, const struct qoc_account *acct);
	/* Looks the email up case-insensitively (qoc_store_email_norm). QOC_ENOTFOUND when
	 * no account has it. out->email is the address as it was created. */
	enum qoc_err (*account_by_email)(struct qoc_store *st, struct qoc_arena *a,
	                                 const char *email, struct qoc_account *out);
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

/* The form in which emails are compared: ASCII letters lower-cased, every other byte kept
 * (so non-ASCII addresses compare byte-exact). Allocated from a; NULL when out of memory.
 * Every backend stores and looks up this form. */
char *qoc_store_email_norm(struct qoc_arena *a, const char *email);

static inline enum qoc_err qoc_store_migrate(struct qoc_store *st, unsigned *applied)
{
	return st->ops->migrate(st, applied);
}
static inline enum qoc_err qoc_store_ping(struct qoc_store *st)
{
	return st->ops->ping(st);
}
static inline enum qoc_err qoc_store_key_rotate(struct qoc_store *st,
                                                const struct qoc_key_record *key, int64_t now,
                                                int64_t old_publish_until)
{
	return st->ops->key_rotate(st, key, now, old_publish_until);
}
static inline enum qoc_err qoc_store_key_active(struct qoc_store *st, struct qoc_arena *a,
                                                struct qoc_key_record *out)
{
	return st->ops->key_active(st, a, out);
}
static inline enum qoc_err qoc_store_key_list_published(struct qoc_store *st, struct qoc_arena *a,
                                                        int64_t now, struct qoc_key_record **out,
                                                        size_t *count)
{
	return st->ops->key_list_published(st, a, now, out, count);
}
static inline enum qoc_err qoc_store_account_create(struct qoc_store *st,
                                                    const struct qoc_account *acct)
{
	return st->ops->account_create(st, acct);
}
static inline enum qoc_err qoc_store_account_by_email(struct qoc_store *st, struct qoc_arena *a,
                                                      const char *email, struct qoc_account *out)
{
	return st->ops->account_by_email(st, a, email, out);
}

#endif
