/* jwt.h - a JSON claims object signed as a compact JWS (RFC 7519 §7.1), shared by the ID
 * token and the JWT access token.
 *
 * The payload is the object's compact JSON text in insertion order; the header is
 * {"alg", "kid", "typ": typ}. Ownership: claims and key are borrowed; the token is
 * appended to out on success only.
 */
#ifndef QOC_OIDC_JWT_H
#define QOC_OIDC_JWT_H

#include <stdint.h>

#include <jansson.h>
#include <stdbool.h>

#include "core/buf.h"
#include "core/err.h"
#include "crypto/sigkey.h"

/* QOC_EINVAL: no key, a key without a private part or algorithm; QOC_ENOMEM. */
enum qoc_err qoc_jwt_sign(const struct qoc_sigkey *key, const json_t *claims, const char *typ,
                          struct qoc_buf *out);
/* The same for claims already written as compact JSON text (core/jsonw.h). */
enum qoc_err qoc_jwt_sign_text(const struct qoc_sigkey *key, const char *claims, size_t len,
                               const char *typ, struct qoc_buf *out);

/* json_object_set_new(obj, name, json_string(value)) reporting failure as an error:
 * QOC_EINVAL when value is not valid UTF-8, QOC_ENOMEM otherwise. */
enum qoc_err qoc_jwt_set_string(json_t *obj, const char *name, const char *value);
/* The same for an integer. */
enum qoc_err qoc_jwt_set_int(json_t *obj, const char *name, int64_t value);

/* For verifiers. Reads the kid from a compact JWS header without trusting anything else in
 * it (the kid only picks a published key; the JWS verifier parses the same header again,
 * strictly, and checks that its kid is the one the key was found by), after checking
 * `typ` case-insensitively (RFC 7515 §4.1.9): typ NULL skips the check; typ_required
 * refuses a header without typ, otherwise only a different typ is refused (QOC_EPERM).
 * QOC_EINVAL for a malformed header or kid, QOC_ELIMIT for an oversized header. */
enum qoc_err qoc_jwt_peek_kid(const char *token, size_t len, const char *typ, bool typ_required,
                              char kid[QOC_SIGKEY_KID_MAX + 1], size_t *kid_len);

/* A qoc_jws_key_lookup_fn for one key (ctx): it answers only under that key's own kid. */
const struct qoc_sigkey *qoc_jwt_lookup_one(void *ctx, const char *kid, size_t kid_len);

/* aud (a string or an array of strings) names want. */
bool qoc_jwt_has_audience(const json_t *aud, const char *want);

#endif
