/* client_auth.h - client authentication at the token, introspection and revocation
 * endpoints (RFC 6749 §2.3.1, §3.2.1, §5.2; RFC 7617; SECURITY.md "Token endpoint").
 *
 * Two steps, so the handler can fetch the application in between:
 *   1. qoc_client_creds_extract: which method the request uses and the credentials, from
 *      the Authorization header and the form body; no store, no crypto.
 *   2. qoc_client_authenticate: the verdict against the application record (NULL when no
 *      application has the client id), in time that does not depend on whether it exists.
 *
 * Methods: client_secret_basic (Authorization: Basic base64(urlenc(id) ":" urlenc(secret)),
 * each part form-url-decoded after base64, RFC 6749 §2.3.1), client_secret_post (client_id
 * and client_secret in the body) and none (client_id alone in the body: public clients).
 *
 * Decisions (docs/decisions/oauth-protocol-core.md):
 * - Credentials in the query string are invalid_request (RFC 6749 §2.3.1 "MUST NOT").
 * - One method per request: Basic plus client_secret in the body is invalid_request; Basic
 *   plus a body client_id is accepted only when it names the same client (clients such as
 *   those following RFC 6749 §3.2.1 send it), else invalid_request.
 * - An Authorization header with another scheme, malformed base64, a missing ':' or an
 *   empty id or secret is invalid_client (401).
 * - A public client (spa, mobile) that presents a secret is refused (invalid_client): it has
 *   none, so the request is either misconfigured or a guess; the keyed hash still runs so
 *   the answer takes the time a confidential client's would.
 * - A confidential client (web, service) may not use none; an application that is not
 *   active is invalid_client (after the secret check, so status does not shorten the path).
 *
 * Whenever the error is invalid_client and creds.authorization_header is set, the handler
 * adds `WWW-Authenticate: Basic realm="qoc"` (RFC 6749 §5.2): qoc_client_auth_challenge().
 */
#ifndef QOC_OAUTH_CLIENT_AUTH_H
#define QOC_OAUTH_CLIENT_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "oauth/oauth_error.h"
#include "store/store.h"

struct qoc_form;

/* Longest accepted Authorization header value, client id and client secret (bytes). */
#define QOC_CLIENT_AUTH_HEADER_MAX 1024
#define QOC_CLIENT_ID_MAX 128
#define QOC_CLIENT_SECRET_MAX 256

#define QOC_CLIENT_AUTH_REALM_CHALLENGE "Basic realm=\"qoc\""

enum qoc_client_auth_method {
	QOC_CLIENT_AUTH_SECRET_BASIC = 0,
	QOC_CLIENT_AUTH_SECRET_POST,
	QOC_CLIENT_AUTH_NONE,
};

struct qoc_client_creds {
	enum qoc_client_auth_method method;
	const char *client_id; /* arena memory (decoded), never NULL after success */
	/* arena memory, NULL for none; wiped when the arena is released (a cleanup is
	 * registered for Basic secrets, which are copies; body secrets are the form's and the
	 * form's arena is the caller's to wipe) */
	const char *secret;
	size_t secret_len;
	/* The request had an Authorization header (set even when extraction fails). */
	bool authorization_header;
};

/* Reads the credentials. authorization: the Authorization header value or NULL; body: the
 * decoded form body; query_has_credentials: the query string held client_id or
 * client_secret. QOC_OK, QOC_EINVAL with *err (invalid_request 400 or invalid_client 401),
 * or QOC_ENOMEM (arena). */
enum qoc_err qoc_client_creds_extract(struct qoc_arena *arena, const char *authorization,
                                      const struct qoc_form *body, bool query_has_credentials,
                                      struct qoc_client_creds *out, struct qoc_oauth_error *err);

/* The verdict. app: the record fetched by creds->client_id, or NULL; key: the 32-byte
 * client-secret hashing key (qoc_kdf(master, QOC_SECRET_HASH_PURPOSE)). QOC_OK when the
 * client is authenticated, else QOC_EPERM with *err invalid_client (401). For any creds
 * carrying a secret exactly one keyed hash and one constant-time compare run, whether the
 * application exists or not. */
enum qoc_err qoc_client_authenticate(const struct qoc_client_creds *creds,
                                     const struct qoc_app *app, const uint8_t key[32],
                                     struct qoc_oauth_error *err);

/* The WWW-Authenticate value to send with err, or NULL: QOC_CLIENT_AUTH_REALM_CHALLENGE when
 * err is invalid_client and the request used the Authorization header. */
const char *qoc_client_auth_challenge(const struct qoc_client_creds *creds,
                                      const struct qoc_oauth_error *err);

/* "client_secret_basic", "client_secret_post", "none". */
const char *qoc_client_auth_method_name(enum qoc_client_auth_method m);

#endif
