/* health.c - GET /healthz (the process answers) and GET /readyz (the store answers). */
#include <jansson.h>

#include "analytics/analytics.h"
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
	/* The capture queue's counters (issue 6): dropped > 0 means the writer cannot keep
	 * up (or the store fails: see failed); docs/decisions/analytics.md. */
	struct qoc_analytics_stats st;
	qoc_analytics_stats(api->analytics, &st);
	json_t *an = api->analytics
	                 ? json_pack("{s:b,s:I,s:I,s:I,s:I,s:I,s:I}", "enabled", 1, "queued",
	                             (json_int_t)st.queued, "captured", (json_int_t)st.captured,
	                             "dropped", (json_int_t)st.dropped, "written",
	                             (json_int_t)st.written, "skipped", (json_int_t)st.skipped,
	                             "failed", (json_int_t)st.failed)
	                 : json_pack("{s:b}", "enabled", 0);
	return qoc_http_resp_json(resp, 200, json_pack("{s:s,s:s,s:o}", "status", "ready", "store",
						       api->store->ops->name, "analytics", an));
}
