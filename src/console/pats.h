/* pats.h - personal access tokens of the console API: issue one (shown once), resolve a
 * presented one to its account. The store keeps only qoc_token_hash(token).
 *
 * A token is "qoc_pat_" + base64url(32 random bytes) (43 characters): 256 bits, so an
 * equality look-up on its hash needs no constant-time compare (crypto/token.h).
 */
#ifndef QOC_CONSOLE_PATS_H
#define QOC_CONSOLE_PATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "console/access.h"
#include "store/store.h"

#define QOC_PAT_PREFIX "qoc_pat_"
#define QOC_PAT_BYTES 32
#define QOC_PAT_LEN (sizeof(QOC_PAT_PREFIX) - 1 + 43)
#define QOC_PAT_NAME_MAX 100
/* Longest lifetime a token may be given (--ttl, the API): one year. 0 means no expiry. */
#define QOC_PAT_TTL_MAX ((int64_t)366 * 24 * 3600)

/* Live (not revoked, not expired) tokens an account may hold at once (issue 13: a stolen
 * or runaway token cannot mint an unbounded number of others). */
#define QOC_PAT_LIVE_MAX 100

/* Whether a token made at now with ttl (0: no expiry) would outlive the token that asks
 * for it, which expires at parent_expires_at (0: never; a console session is no parent:
 * pass 0). A token cannot create a token that outlives it (issue 13). */
bool qoc_pat_outlives(int64_t now, int64_t ttl, int64_t parent_expires_at);

/* How many of pats[0..n-1] are live at now (not revoked, not expired). */
size_t qoc_pat_count_live(const struct qoc_pat *pats, size_t n, int64_t now);

/* Makes a token for account_id, valid for ttl seconds (0: no expiry; else 1 ..
 * QOC_PAT_TTL_MAX), stores its hash, appends the token to token_out (release it with
 * qoc_buf_release_secret) and writes the new id ("pat_" + 20 of [a-z0-9]) into
 * id_out (>= 32 bytes). QOC_EINVAL: bad ttl or a name over QOC_PAT_NAME_MAX bytes;
 * QOC_ELIMIT: the account already holds QOC_PAT_LIVE_MAX live tokens (counted before
 * the insert, not under its lock: parallel creations can pass the limit by at most
 * their number); QOC_ENOTFOUND: no such account; store errors. */
enum qoc_err qoc_pat_issue(struct qoc_store *st, const struct qoc_clock *clock,
                           const char *account_id, const char *name, int64_t ttl,
                           struct qoc_buf *token_out, char *id_out, size_t id_size);

/* Resolves a presented token: its form is checked first (prefix, length), then its hash
 * is looked up live at the clock's now, then the account. On QOC_OK *acct (and *pat, may
 * be NULL) are filled from arena a, and the token's last use is recorded (best effort).
 * QOC_ENOTFOUND: malformed, unknown, revoked, expired, or its account is gone; store
 * errors (the caller must then fail closed: 503, never 401 or 200). */
enum qoc_err qoc_pat_authenticate(struct qoc_store *st, struct qoc_arena *a,
                                  const struct qoc_clock *clock, const char *token, size_t len,
                                  struct qoc_account *acct, struct qoc_pat *pat);

/* --- the console's use cases (console/access.h: context, caller, problems) --- */

#define QOC_PAT_LIMIT_DETAIL                                                                       \
	"limit: at most 100 live personal access tokens per account; revoke one before creating "  \
	"another"

/* The caller's tokens (live, expired and revoked), for listing (no hashes shown). */
enum qoc_err qoc_console_pats_list(const struct qoc_console_ctx *c, struct qoc_arena *a,
                                   const struct qoc_console_actor *who, struct qoc_pat **out,
                                   size_t *count);

/* A new token for the caller (qoc_pat_issue), named name, living ttl seconds (0: no
 * expiry). parent_expires_at: the expiry of the token making the request (0: none, or a
 * console session): a token cannot make one that outlives it (EINVAL, field "ttl").
 * ELIMIT: QOC_PAT_LIMIT_DETAIL. On QOC_OK the token is appended to token_out (the caller
 * releases it with qoc_buf_release_secret), its id written to id_out (>= 32 bytes) and
 * *out describes it (strings borrowed from name and id_out). */
enum qoc_err qoc_console_pat_create(const struct qoc_console_ctx *c, struct qoc_arena *a,
                                    const struct qoc_console_actor *who, const char *name,
                                    int64_t ttl, int64_t parent_expires_at,
                                    struct qoc_buf *token_out, char *id_out, size_t id_size,
                                    struct qoc_pat *out, struct qoc_console_problem *p);

/* Revokes the caller's token id at now. ENOTFOUND: not a token of the caller. */
enum qoc_err qoc_console_pat_revoke(const struct qoc_console_ctx *c,
                                    const struct qoc_console_actor *who, const char *id);

#endif
