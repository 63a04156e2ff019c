/* discovery.c - the two discovery documents (OIDC Discovery §4, RFC 8414 §3), built once at
 * start-up: public, cacheable, CORS open to any origin. */
#include <string.h>

#include "api/handlers.h"

enum qoc_err qoc_api_discovery(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	struct qoc_api *api = ctx;
	const struct qoc_discovery *d = &api->discovery;
	bool oauth = strcmp(req->path, "/.well-known/oauth-authorization-server") == 0;
	enum qoc_err err = qoc_http_resp_body(resp, 200, "application/json",
					      oauth ? d->oauth : d->openid,
					      oauth ? d->oauth_len : d->openid_len);
	if (err)
		return err;
	qoc_http_resp_header(resp, "Cache-Control", "public, max-age=3600");
	return qoc_http_resp_header(resp, "Access-Control-Allow-Origin", "*");
}
