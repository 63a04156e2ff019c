/* outcome.h - success, or which OAuth error, from what a handler answered.
 *
 * Handlers of the front channel name their error when they render it (an error page, a
 * redirect or a form_post carrying error=); the back channel's errors are read from the
 * response itself, so every exit of the token, userinfo, introspection and revocation
 * handlers is classified the same way without each one reporting:
 *   1. an error the handler noted;
 *   2. status >= 400 and a JSON body with a string "error" (RFC 6749 §5.2, RFC 7009,
 *      RFC 7662);
 *   3. status >= 400 and WWW-Authenticate carrying error="..." (RFC 6750 §3);
 *   4. status >= 400 otherwise: "server_error" for 5xx, "temporarily_unavailable" for
 *      429, else "http_<status>";
 *   5. success.
 * The code is kept only when it is a plain token ([A-Za-z0-9_.-], bounded); anything else
 * becomes "invalid_error_code", so an attacker cannot write free text into analytics.
 */
#ifndef QOC_ANALYTICS_OUTCOME_H
#define QOC_ANALYTICS_OUTCOME_H

#include <stddef.h>

#include "analytics/event.h"

/* body/body_len: the response body when its content type is JSON, else NULL. Any
 * argument but error may be NULL. error gets "" for a success. */
void qoc_an_outcome(unsigned status, const char *noted, const char *body, size_t body_len,
                    const char *www_authenticate, char error[QOC_AN_ERROR_MAX]);

#endif
