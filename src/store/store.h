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
 * backend pools its connections.
 * Errors: QOC_ENOTFOUND (no such row), QOC_ECONFLICT (unique key taken, or a lost race),
 * QOC_EBUSY (pool or database busy past its timeout; retry later), QOC_EDB (anything else).
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

enum qoc_sync_mode { QOC_SYNC_FULL, QOC_SYNC_NORMAL };

struct qoc_store_options {
	const char *url;              /* "sqlite:<path>" (or a bare path); "postgres://..." */
	enum qoc_sync_mode sync;      /* durability of a commit; FULL: a 2xx means on disk */
	unsigned pool_size;           /* connections; 0 picks a default */
	unsigned busy_timeout_ms;     /* how long a writer waits for a lock */
};

/* A JWS signing key. The private key is sealed (see crypto/seal.h) before it gets here. */
struct qoc_key_record {
	const char *kid;
	const char *alg;              /* "RS256", "ES256", "EdDSA" */
	const char *public_jwk;       /* JSON text of the public JWK */
	const unsigned char *sealed_private;
	size_t sealed_private_len;
	int64_t created_at;
	int64_t retired_at;           /* 0 while it is the active key */
	int64_t publish_until;        /* 0 while active; retired keys stay in the JWKS until then */
};

struct qoc_account {
	const char *id;               /* "acct_..." made by the caller */
	const char *email;            /* as typed; uniqueness is case-insensitive */
	const char *name;
	const char *password_hash;    /* argon2id encoded string; NULL: no password login */
	bool is_admin;
	int64_t created_at;
};

struct qoc_store;

struct qoc_store_ops {
	unsigned version;             /* QOC_STORE_OPS_VERSION */
	const char *name;             /* "sqlite", "postgres" */

	void (*close)(struct qoc_store *st);
	/* Applies pending migrations in order, each in its own transaction; *applied counts them. */
	enum qoc_err (*migrate)(struct qoc_store *st, unsigned *applied);
	/* QOC_OK when the store answers a trivial query. */
	enum qoc_err (*ping)(struct qoc_store *st);

	/* Signing keys. key_rotate atomically retires the active key (retired_at = now,
	 * publish_until = old_publish_until) and makes `key` the active one. */
	enum qoc_err (*key_rotate)(struct qoc_store *st, const struct qoc_key_record *key,
				   int64_t now, int64_t old_publish_until);
	enum qoc_err (*key_active)(struct qoc_store *st, struct qoc_arena *a,
				   struct qoc_key_record *out);
	/* The active key first, then retired keys with publish_until > now, newest first. */
	enum qoc_err (*key_list_published)(struct qoc_store *st, struct qoc_arena *a, int64_t now,
					   struct qoc_key_record **out, size_t *count);

	/* Accounts. QOC_ECONFLICT when the email (case-insensitively) or id is taken. */
	enum qoc_err (*account_create)(struct qoc_store *st, const struct qoc_account *acct);
	enum qoc_err (*account_by_email)(struct qoc_store *st, struct qoc_arena *a,
					 const char *email, struct qoc_account *out);
};

/* Every backend's handle starts with this. */
struct qoc_store {
	const struct qoc_store_ops *ops;
};

/* Picks the backend from opts->url. QOC_EINVAL for an unknown scheme, QOC_EDB when the
 * database cannot be opened. *out is NULL on error. */
enum qoc_err qoc_store_open(const struct qoc_store_options *opts, struct qoc_store **out);
/* NULL is a no-op. */
void qoc_store_close(struct qoc_store *st);

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
static inline enum qoc_err qoc_store_key_list_published(struct qoc_store *st,
							struct qoc_arena *a, int64_t now,
							struct qoc_key_record **out, size_t *count)
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
