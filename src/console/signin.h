/* signin.h - the console signs its users in through QOC Login as a first-party OAuth
 * client (issue 5: "Sign in through QOC Login (the console is a first-party client; no
 * second password form)"). The pure parts, tested without a socket
 * (tests/unit/test_console_signin.c); the handlers are src/api/console_session.c.
 *
 * The flow (docs/decisions/console-session.md):
 *   GET /console/login?next=P   makes a random transaction id T (256 bits) and sets the
 *       short-lived cookie QOC_CONSOLE_TX_COOKIE = T "." base64url(P), then 303 to
 *       /oauth2/authorize with client_id QOC_CONSOLE_CLIENT_ID, redirect_uri
 *       <issuer>/console/callback, state = HMAC(key, T, "console state") and the S256
 *       challenge of verifier = HMAC(key, T, "console pkce") (login/csrf.h derivation):
 *       nothing is stored until a code comes back, and only this browser (holding T)
 *       can finish the sign-in it started.
 *   GET /console/callback       checks state against the cookie, redeems the code in
 *       process (the token endpoint's own code exchange: one use, PKCE, exact redirect
 *       URI) and keeps the opaque access token it gets as the session: the cookie
 *       QOC_CONSOLE_SESSION_COOKIE (HttpOnly, SameSite=Strict, Secure on https). The
 *       store holds only its hash; revoking it ends the session everywhere.
 *   API calls                   the cookie authenticates the /api/v1 routes; a state-changing
 *       method also needs X-CSRF-Token = HMAC(key, hash(session token), "console csrf"),
 *       which GET /console/session hands to the page.
 */
#ifndef QOC_CONSOLE_SIGNIN_H
#define QOC_CONSOLE_SIGNIN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"

#define QOC_CONSOLE_TX_COOKIE "qoc_console_tx"
#define QOC_CONSOLE_SESSION_COOKIE "qoc_console"
#define QOC_CONSOLE_CSRF_HEADER "X-CSRF-Token"
/* The transaction cookie lives as long as a pending authorization request may. */
#define QOC_CONSOLE_TX_LIFETIME 600
/* Longest `next` path kept across a sign-in. */
#define QOC_CONSOLE_NEXT_MAX 512
/* Where a sign-in lands without a (valid) next. */
#define QOC_CONSOLE_HOME "/console/"
#define QOC_CONSOLE_CALLBACK_PATH "/console/callback"

/* HMAC purposes (login/csrf.h qoc_csrf_token) of the values derived from T or the
 * session token's hash. */
#define QOC_CONSOLE_PURPOSE_STATE "console state"
#define QOC_CONSOLE_PURPOSE_PKCE "console pkce"
#define QOC_CONSOLE_PURPOSE_CSRF "console csrf"

/* Is `next` a console path a sign-in may land on? "/console" or "/console/..." of
 * printable ASCII without '\\', "//" or a ".." segment, at most QOC_CONSOLE_NEXT_MAX
 * bytes: never another origin (no open redirect), never outside the console. */
bool qoc_console_next_valid(const char *next);

/* The transaction cookie's value: txid "." base64url(next), into out (arena).
 * QOC_EINVAL: txid empty or holding '.', or next not valid. */
enum qoc_err qoc_console_tx_encode(struct qoc_arena *a, const char *txid, const char *next,
                                   const char **out);

/* Splits a transaction cookie. QOC_EINVAL when it is malformed or its next is not valid
 * (the caller starts again); *txid and *next are arena strings. */
enum qoc_err qoc_console_tx_decode(struct qoc_arena *a, const char *value, const char **txid,
                                   const char **next);

#endif
