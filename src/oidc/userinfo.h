/* userinfo.h - the claims about the signed-in account that a scope grants.
 *
 * OIDC Core §5.4 maps scopes to claims; QOC has these:
 *   (always)  sub                      §5.3.2: sub is always returned
 *   profile   name                     (omitted when the account has no name, §5.3.2)
 *   email     email, email_verified    email_verified is false for now: QOC does not yet
 *                                      verify addresses, and claiming true would let a
 *                                      relying party trust an address nobody proved
 * The same mapping fills the ID token when no access token is issued (§5.4,
 * response_type=id_token; see id_token.h).
 *
 * A scope is the space-separated list of RFC 6749 §3.3; names compare exactly
 * (case-sensitive).
 */
#ifndef QOC_OIDC_USERINFO_H
#define QOC_OIDC_USERINFO_H

#include <stdbool.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"

/* Does the space-separated scope (NULL: empty) contain name exactly? */
bool qoc_userinfo_scope_has(const char *scope, const char *name);

/* Adds name / email / email_verified to obj as scope grants them (never sub).
 * QOC_ENOMEM. */
enum qoc_err qoc_userinfo_add_claims(json_t *obj, const char *scope,
                                     const struct qoc_account *acct);

/* Appends the UserInfo response body (§5.3.2): a JSON object with sub = acct->id and the
 * claims of the scope. QOC_EINVAL: no account id. */
enum qoc_err qoc_userinfo_json(const char *scope, const struct qoc_account *acct,
                               struct qoc_buf *out);

#endif
