/* client.h - the QOC Cloud Console's own OAuth application (QOC_CONSOLE_CLIENT_ID, see
 * client.c for what it is and why) and the store reads and writes of its sessions (the
 * console's opaque access tokens, console/signin.h).
 *
 * Ownership: st and clock are borrowed for the call; records come back in arena a.
 * Errors: the store's (store/store.h); QOC_ELIMIT when the issuer is too long for the
 * callback URL.
 */
#ifndef QOC_CONSOLE_CLIENT_H
#define QOC_CONSOLE_CLIENT_H

#include <stdint.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/err.h"
#include "store/store.h"

/* How long a console sign-in lasts (the access token that is the session). */
#define QOC_CONSOLE_SESSION_LIFETIME (8 * 3600)

/* Registers (or brings up to date) the console's application, redirecting to
 * issuer + "/console/callback", and its built-in owner account. Safe to race on several
 * nodes (a lost create or update is read again). Logs and returns a failure. */
enum qoc_err qoc_console_client_ensure(struct qoc_store *st, const struct qoc_clock *clock,
                                       const char *issuer);

/* The console's application. QOC_EDB when it is missing (it is registered at every
 * start, so that is a broken store). */
enum qoc_err qoc_console_client_get(struct qoc_store *st, struct qoc_arena *a, struct qoc_app *out);

/* The account a live console session belongs to. QOC_ENOTFOUND: gone meanwhile. */
enum qoc_err qoc_console_session_account(struct qoc_store *st, struct qoc_arena *a,
                                         const char *account_id, struct qoc_account *out);

/* Ends the console session whose access token hashes to token_hash (already ended or
 * unknown: QOC_OK). */
enum qoc_err qoc_console_session_revoke(struct qoc_store *st, const char *token_hash, int64_t now);

#endif
