/* grant.h - the three grants of the token endpoint as use cases (RFC 6749 §4.1.3, §4.4, §6;
 * OIDC Core §3.1.3, §12; SECURITY.md "Codes, PKCE, tokens").
 *
 * The handler authenticates the client, parses the form (token_req.h) and calls
 * qoc_grant_run with the authenticated, active application; this module does everything
 * that touches the store and mints tokens (issue.h), so it is tested on a temporary store
 * without a socket (tests/unit/test_oauth_grant.c).
 *
 *   authorization_code  code_consume (atomic: one winner; a reuse revokes the code's
 *                       family in the store) -> qoc_token_code_check (client, expiry, exact
 *                       redirect_uri, PKCE; the code is burned whatever it says) -> access
 *                       token, refresh token (rule below), ID token when scope has openid
 *                       (nonce, auth_time, sid, at_hash).
 *   refresh_token       token_get (scope narrowing is checked against the grant before
 *                       anything is written) -> refresh_rotate (atomic: one winner; a used
 *                       or revoked token revokes its family, access tokens included) -> new
 *                       access + refresh token (+ ID token without nonce when openid).
 *   client_credentials  access token only: no refresh token, no ID token, no account.
 *
 * Decisions (docs/decisions/token-endpoint.md):
 * - Refresh tokens from a code: only when the application has the refresh_token grant, and
 *   for an OpenID request (scope has openid) only when offline_access was granted (OIDC
 *   Core §11). A plain OAuth request gets one whenever the application allows the grant.
 * - The code's redirect_uri is always required at the token endpoint: the store keeps the
 *   URI the code went to, not whether the authorization request named it.
 * - A rotated refresh token keeps the scope of the grant (RFC 6749 §6: "identical"); a
 *   narrowed scope applies to the new access and ID tokens only. Its lifetime starts again
 *   from the rotation (sliding, per application refresh_token_lifetime).
 * - Tokens are written (durably) before the ID token is signed and before anything is
 *   returned, so a 200 only ever carries tokens the store holds.
 *
 * Results: QOC_OK with *out (token strings in the arena); QOC_EINVAL with *err (a protocol
 * refusal: invalid_grant, invalid_scope, ...); any other error is internal (the store or
 * the signer failed) and *err is qoc_oauth_error_internal of it.
 */
#ifndef QOC_OAUTH_GRANT_H
#define QOC_OAUTH_GRANT_H

#include "core/arena.h"
#include "core/err.h"
#include "oauth/issue.h"
#include "oauth/oauth_error.h"
#include "oauth/token_req.h"
#include "store/store.h"

/* app: the authenticated, active client; req: qoc_token_request_parse's result for it.
 * An access token issued counts in qoc_tokens_issued_total (core/metrics.h). */
enum qoc_err qoc_grant_run(const struct qoc_issue_ctx *ctx, const struct qoc_app *app,
                           const struct qoc_token_request *req, struct qoc_arena *a,
                           struct qoc_issued *out, struct qoc_oauth_error *err);

/* The three steps qoc_grant_run dispatches to (same contract). */
enum qoc_err qoc_grant_code_exchange(const struct qoc_issue_ctx *ctx, const struct qoc_app *app,
                                     const struct qoc_token_request *req, struct qoc_arena *a,
                                     struct qoc_issued *out, struct qoc_oauth_error *err);
enum qoc_err qoc_grant_refresh(const struct qoc_issue_ctx *ctx, const struct qoc_app *app,
                               const struct qoc_token_request *req, struct qoc_arena *a,
                               struct qoc_issued *out, struct qoc_oauth_error *err);
enum qoc_err qoc_grant_client_credentials(const struct qoc_issue_ctx *ctx,
                                          const struct qoc_app *app,
                                          const struct qoc_token_request *req, struct qoc_arena *a,
                                          struct qoc_issued *out, struct qoc_oauth_error *err);

/* The refresh rule above: does a code grant of `scope` to app come with a refresh token? */
bool qoc_grant_code_wants_refresh(const struct qoc_app *app, const char *scope);

#endif
