/* apps.h - the application use cases shared by the console API and test fixtures:
 * create (defaults, validation, client id, secret), secret regeneration, reveal and
 * verification, status changes and deletion, each written with its audit entry.
 *
 * Authorization is the caller's: these functions do what `actor` asks without checking
 * the actor's role (console/app_manage.h checks the role matrix of issue 4 first; the test
 * fixture acts as the owner). The actor is only recorded in the audit log.
 *
 * Client secrets (ARCHITECTURE.md §5, docs/decisions/apps-secrets.md)
 * ---------------------------------------------------------------
 * Web and service applications get "qoc_secret_" + 43 base64url characters (32 random
 * bytes). The store keeps two things derived from it, each under its own subkey of the
 * master key (crypto/hash.h qoc_kdf):
 *
 *   secret_hash   = HMAC-SHA256(qoc_kdf(master, QOC_APPS_SECRET_HASH_LABEL), secret)
 *   secret_sealed = AES-256-GCM seal under qoc_kdf(master, QOC_APPS_SEAL_LABEL)
 *                   with AAD QOC_APPS_SECRET_AAD_PREFIX + client_id
 *
 * The three labels are a contract with every database ever written: changing one makes
 * every stored secret unverifiable (hash label) or unrevealable (seal label, AAD). A new
 * scheme gets a new label (" v2") and a migration that re-keys, never an edit here.
 * The AAD binds a sealed secret to its application, so a blob copied into another row
 * does not open there.
 *
 * Ownership: the context borrows store, clock and master key, which must outlive it;
 * it holds the two derived subkeys itself (wiped by qoc_apps_ctx_release). Records
 * passed in are only read during a call. Clear secrets come back in a struct
 * qoc_apps_secret, which the caller wipes with qoc_apps_secret_wipe as soon as it has
 * written them out.
 *
 * Errors besides those of store.h (QOC_ENOMEM, QOC_EBUSY, QOC_EDB: nothing written):
 *   QOC_EINVAL     invalid input; for create, the field errors say which and why;
 *   QOC_ENOTFOUND  no such application (or team, for create);
 *   QOC_EPERM      create: the owner is not a member of the team; secrets: a public
 *                  application (spa, mobile) has none;
 *   QOC_ECRYPTO    a sealed secret did not open (wrong master key, altered row).
 */
#ifndef QOC_CONSOLE_APPS_H
#define QOC_CONSOLE_APPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oauth/app_rules.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/err.h"
#include "crypto/seal.h"
#include "crypto/token.h"
#include "store/store.h"

/* Key derivation labels and the sealing AAD: see above, never change them. The labels
 * are crypto/'s purposes (one definition); tests/unit/test_apps.c pins the bytes, so an
 * edit in crypto/ fails a test instead of silently orphaning every stored secret. */
#define QOC_APPS_SECRET_HASH_LABEL QOC_SECRET_HASH_PURPOSE /* "qoc client-secret v1" */
#define QOC_APPS_SEAL_LABEL QOC_SEAL_PURPOSE               /* "qoc seal v1" */
#define QOC_APPS_SECRET_AAD_PREFIX "qoc client-secret:"

/* Audit actions written by this module. */
#define QOC_APPS_AUDIT_CREATE "app.create"
#define QOC_APPS_AUDIT_SECRET_REGENERATE "app.secret.regenerate"
#define QOC_APPS_AUDIT_SECRET_REVEAL "app.secret.reveal"
#define QOC_APPS_AUDIT_STATUS "app.status.change"
#define QOC_APPS_AUDIT_DELETE "app.delete"

struct qoc_apps_ctx {
	struct qoc_store *store;       /* borrowed */
	const struct qoc_clock *clock; /* borrowed */
	const uint8_t *master_key;     /* 32 bytes, borrowed */
	/* Derived by qoc_apps_ctx_init; private to apps.c. */
	uint8_t hash_key[32];
	uint8_t seal_key[32];
};

/* Who acts, for the audit log. */
struct qoc_apps_actor {
	const char *account_id; /* an account id, or "system" */
	const char *ip;         /* the caller's address, or NULL */
};

/* Derives the subkeys. QOC_ECRYPTO when OpenSSL fails (ctx is then wiped). */
enum qoc_err qoc_apps_ctx_init(struct qoc_apps_ctx *ctx, struct qoc_store *store,
                               const struct qoc_clock *clock, const uint8_t master_key[32]);
/* Wipes the subkeys. Safe on a zeroed or failed context. */
void qoc_apps_ctx_release(struct qoc_apps_ctx *ctx);

/* Scalar settings that were given (bits of struct qoc_app_input.set); the others take
 * the type's default. */
#define QOC_APP_SET_ACCESS_TOKEN_LIFETIME (1u << 0)
#define QOC_APP_SET_REFRESH_TOKEN_LIFETIME (1u << 1)
#define QOC_APP_SET_ID_TOKEN_LIFETIME (1u << 2)
#define QOC_APP_SET_PKCE_REQUIRED (1u << 3)

/* A new application. NULL pointers (and unset bits) take the defaults of the type
 * (oauth/app_rules.h qoc_app_defaults: active, authorization_code + refresh_token or
 * client_credentials for service, lifetimes 3600/2592000/3600, opaque, RS256, no URIs). */
struct qoc_app_input {
	const char *team_id;  /* required */
	const char *owner_id; /* required: a member of team_id */
	const char *type;     /* required: web | spa | mobile | service */
	const char *name;     /* required */
	const char *description;
	const char *status;
	const struct qoc_str_list *redirect_uris;
	const struct qoc_str_list *allowed_origins;
	const struct qoc_str_list *sso_redirect_uris;
	const struct qoc_str_list *logout_uris;
	const struct qoc_str_list *grant_types;
	const char *token_format;
	const char *id_token_signed_response_alg;
	unsigned set; /* QOC_APP_SET_* */
	int64_t access_token_lifetime;
	int64_t refresh_token_lifetime;
	int64_t id_token_lifetime;
	bool pkce_required;
};

/* Overlays what in holds (non-NULL strings and lists, set bits) onto app: the settings
 * part of a create (over the type's defaults) and of a PATCH (over the stored app). Team,
 * owner and type are not touched. */
void qoc_app_input_apply(const struct qoc_app_input *in, struct qoc_app *app);

/* A clear client secret: value is NUL-terminated, len 0 when there is none. */
struct qoc_apps_secret {
	char value[QOC_SECRET_LEN + 1];
	size_t len;
};

/* Overwrites the secret. */
void qoc_apps_secret_wipe(struct qoc_apps_secret *s);

struct qoc_apps_created {
	struct qoc_app app;            /* as stored (read back; arena memory, no secret blobs) */
	struct qoc_apps_secret secret; /* web/service: shown this once; spa/mobile: empty */
	struct qoc_app_errors errors;  /* QOC_EINVAL: each bad field */
};

/* Fills defaults for in->type, validates (qoc_app_rules_check; a bad or missing type is a
 * field error on "type"), makes the client id and, for web and service, the secret, and
 * stores the application with an "app.create" audit entry in one commit. The returned
 * record lives in `a`. On any error out->secret is empty. */
enum qoc_err qoc_apps_create(const struct qoc_apps_ctx *ctx, const struct qoc_apps_actor *actor,
                             const struct qoc_app_input *in, struct qoc_arena *a,
                             struct qoc_apps_created *out);

/* A new secret for a web or service application; the old one stops verifying in the same
 * commit that stores the new one (with its "app.secret.regenerate" audit entry). *out
 * receives the new secret (empty on error). */
enum qoc_err qoc_apps_regenerate_secret(const struct qoc_apps_ctx *ctx,
                                        const struct qoc_apps_actor *actor, const char *client_id,
                                        struct qoc_apps_secret *out);

/* Opens the sealed secret and writes an "app.secret.reveal" audit entry; the secret is
 * handed out only when the entry is committed (*out is empty on any error). */
enum qoc_err qoc_apps_reveal_secret(const struct qoc_apps_ctx *ctx,
                                    const struct qoc_apps_actor *actor, const char *client_id,
                                    struct qoc_apps_secret *out);

/* Does `secret` (len bytes, any content) match app's stored secret? Keyed hash and a
 * constant-time compare. app may be NULL (unknown client), public or without a secret:
 * the same work is done against a fixed value and the answer is false, so an unknown
 * client takes the same path and time (SECURITY.md "Token endpoint"). Does not check the
 * application's status. */
bool qoc_apps_verify_secret(const struct qoc_apps_ctx *ctx, const struct qoc_app *app,
                            const char *secret, size_t len);

/* Sets the status ("active", "inactive", "suspended") with an "app.status.change" audit
 * entry ({"status": ...}). Who may suspend is the caller's check. QOC_EINVAL: not a
 * status. */
enum qoc_err qoc_apps_set_status(const struct qoc_apps_ctx *ctx, const struct qoc_apps_actor *actor,
                                 const char *client_id, const char *status);

/* Deletes the application and everything of it, with an "app.delete" audit entry. The
 * console's "type the exact name" confirmation is the caller's check. */
enum qoc_err qoc_apps_delete(const struct qoc_apps_ctx *ctx, const struct qoc_apps_actor *actor,
                             const char *client_id);

#endif
