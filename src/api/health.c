/* health.c - GET /healthz (the process answers) and GET /readyz (the store answers). */
#include <jansson.h>

#include "api/handlers.h"

enum qoc_err qoc_api_healthz(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	(void)req;
	(void)ctx;
	return qoc_http_resp_json(resp, 200, json_pack("{s:s}", "status", "ok"));
}

enum qoc_err qoc_api_readyz(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	(void)req;
	struct qoc_api *api = ctx;
	enum qoc_err err = qoc_store_ping(api->store);
	qoc_http_resp_header(resp, "Cache-Control", "no-store");
	if (err) {
		qoc_http_resp_header(resp, "Retry-After", "1");
		return qoc_http_resp_json(resp, 503,
					  json_pack("{s:s,s:s,s:s}", "status", "unavailable", "store",
						    api->store->ops->name, "error", qoc_strerror(err)));
	}
	return qoc_http_resp_json(resp, 200, json_pack("{s:s,s:s}", "status", "ready", "store",
						       api->store->ops->name));
}
