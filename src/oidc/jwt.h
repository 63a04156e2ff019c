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

#include "core/buf.h"
#include "core/err.h"
#include "crypto/sigkey.h"

/* QOC_EINVAL: no key, a key without a private part or algorithm; QOC_ENOMEM. */
enum qoc_err qoc_jwt_sign(const struct qoc_sigkey *key, const json_t *claims, const char *typ,
                          struct qoc_buf *out);

/* json_object_set_new(obj, name, json_string(value)) reporting failure as an error:
 * QOC_EINVAL when value is not valid UTF-8, QOC_ENOMEM otherwise. */
enum qoc_err qoc_jwt_set_string(json_t *obj, const char *name, const char *value);
/* The same for an integer. */
enum qoc_err qoc_jwt_set_int(json_t *obj, const char *name, int64_t value);

#endif
