/* jwks.c - GET /.well-known/jwks.json: the issuer's public signing keys. Public and
 * cacheable, so CORS is open to any origin (SECURITY.md lists JWKS among the browser
 * endpoints). */
#include "api/handlers.h"
#include "core/buf.h"
#include "oidc/keyring.h"

#define JWKS_MAX (256u * 1024)

enum qoc_err qoc_api_jwks(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	(void)req;
	struct qoc_api *api = ctx;
	struct qoc_buf out;
	qoc_buf_init(&out, JWKS_MAX);
	enum qoc_err err = qoc_keyring_jwks(api->store, api->clock, &out);
	if (err)
		goto out;
	if ((err = qoc_http_resp_body(resp, 200, "application/jwk-set+json", out.data, out.len)))
		goto out;
	/* Short: a rotated key must reach verifiers well before its first token does. */
	qoc_http_resp_header(resp, "Cache-Control", "public, max-age=300");
	qoc_http_resp_header(resp, "Access-Control-Allow-Origin", "*");
out:
	qoc_buf_release(&out);
	return err;
}
