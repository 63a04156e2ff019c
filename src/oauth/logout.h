/* logout.h - where an RP-initiated logout may send the browser (OpenID Connect
 * RP-Initiated Logout 1.0 §3; SECURITY.md: "Logout redirects only to a registered
 * post-logout URI, and only with a valid id_token_hint").
 *
 * The post_logout_redirect_uri must be byte-for-byte one of the application's logout
 * URIs (§3: "MUST have been previously registered"; no normalisation, no prefix, no
 * wildcard, like redirect URIs). Without a valid hint the OP does not know which client
 * is asking, so it shows its own confirmation page and never redirects.
 */
#ifndef QOC_OIDC_LOGOUT_H
#define QOC_OIDC_LOGOUT_H

#include "core/err.h"
#include "oidc/id_token_hint.h"
#include "store/store.h"

/* QOC_OK when uri is exactly one of app->logout_uris; QOC_EPERM when it is not;
 * QOC_EINVAL when uri is NULL or empty. */
enum qoc_err qoc_logout_check(const struct qoc_app *app, const char *post_logout_redirect_uri);

/* The whole rule: QOC_OK only when hint is a verified hint (qoc_id_token_hint_verify; NULL
 * when the request had none or it did not verify) issued to app, and the URI passes
 * qoc_logout_check. QOC_EPERM otherwise (QOC_EINVAL for an empty URI). */
enum qoc_err qoc_logout_redirect_allowed(const struct qoc_app *app,
                                         const struct qoc_id_token_hint *hint,
                                         const char *post_logout_redirect_uri);

#endif
