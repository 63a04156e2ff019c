/* jwks.c - GET /.well-known/jwks.json: the issuer's public signing keys. Public and
 * cacheable, so CORS is open to any origin (SECURITY.md lists JWKS among the browser
 * endpoints). Served from the signer's snapshot (oidc/signer.h): no store read per
 * request; a rotated key shows within QOC_SIGNER_REFRESH_S seconds. */
#include "api/handlers.h"
#include "core/buf.h"
#include "oidc/signer.h"

enum qoc_err qoc_api_jwks(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	(void)req;
	struct qoc_api *api = ctx;
	struct qoc_buf out;
	qoc_buf_init(&out, QOC_SIGNER_JWKS_MAX);
	enum qoc_err err = qoc_signer_jwks(api->signer, qoc_clock_now(api->clock), &out);
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
