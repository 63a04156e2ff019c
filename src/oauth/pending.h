/* pending.h - a validated authorization request as the JSON object the store keeps while
 * the browser is on the sign-in and consent pages (store_oauth.h struct qoc_auth_request
 * `params`), and back.
 *
 * Pure: jansson only. Kept: everything the response and the code need (redirect_uri and
 * whether it was given, response_type, response_mode, canonical scope, state byte-exact,
 * nonce, code_challenge, prompt, max_age, login_hint, the claims bit sets). Not kept:
 * id_token_hint, ui_locales, display, acr_values and the claims text: they were used (or
 * ignored) when the request was decided and matter no more.
 *
 * Decoding is strict (the row is ours, but a store is not a trust boundary to shrug at):
 * every member must have its type, enums their range, the scope must parse; anything else
 * is QOC_EINVAL and the handler shows the "expired" page.
 */
#ifndef QOC_OAUTH_PENDING_H
#define QOC_OAUTH_PENDING_H

#include "core/arena.h"
#include "core/err.h"
#include "oauth/authorize.h"

/* Longest params text encode produces (bounded by the request's own limits). */
#define QOC_PENDING_MAX 16384

/* The JSON object text of r (its client_id is not included: the row has its own), in
 * *out (arena). QOC_ENOMEM, QOC_EINVAL (r has no redirect_uri). */
enum qoc_err qoc_pending_encode(const struct qoc_authz_request *r, struct qoc_arena *a,
                                const char **out);

/* Fills *out from params (NUL-terminated JSON text); out->client_id = client_id (borrowed).
 * Strings are copied into the arena. Fields not kept are NULL / 0 (display PAGE). */
enum qoc_err qoc_pending_decode(const char *params, const char *client_id, struct qoc_arena *a,
                                struct qoc_authz_request *out);

#endif
