/* health.c - GET /healthz (the process answers) and GET /readyz (the store answers). */
#include <jansson.h>

#include "analytics/analytics.h"
#include "api/handlers.h"
#include "core/clock.h"
#include "store/purge.h"

/* The last purge round (issue 13): when it ran, rows deleted per kind (and since start),
 * what failed (per kind in "errors", the first in "error"; skipped: another node purged).
 * {"enabled": false} when no purge runs in this process; "last": null before the first. */
static json_t *purge_json(struct qoc_purger *p)
{
	if (!p)
		return json_pack("{s:b}", "enabled", 0);
	struct qoc_purge_report r;
	qoc_purger_last(p, &r);
	json_t *o =
	    json_pack("{s:b,s:I}", "enabled", 1, "interval_s", (json_int_t)qoc_purger_interval(p));
	if (!o)
		return NULL;
	if (!r.at) {
		json_object_set_new(o, "last", json_null());
		return o;
	}
	char at[32];
	json_t *deleted = json_object(), *total = json_object(), *errors = json_object();
	for (size_t i = 0; i < r.nkinds; i++) {
		json_object_set_new(deleted, r.kinds[i].kind,
		                    json_integer((json_int_t)r.kinds[i].deleted));
		json_object_set_new(total, r.kinds[i].kind,
		                    json_integer((json_int_t)r.kinds[i].total));
		if (r.kinds[i].err && r.kinds[i].err != QOC_ECONFLICT)
			json_object_set_new(errors, r.kinds[i].kind,
			                    json_string(qoc_strerror(r.kinds[i].err)));
	}
	json_t *last =
	    json_pack("{s:s,s:I,s:I,s:o,s:o,s:b,s:o}", "at", qoc_time_rfc3339(r.at, at, sizeof(at)),
	              "unix", (json_int_t)r.at, "rounds", (json_int_t)r.rounds, "deleted", deleted,
	              "deleted_total", total, "skipped", r.skipped, "errors", errors);
	if (last && r.err)
		json_object_set_new(last, "error", json_string(qoc_strerror(r.err)));
	json_object_set_new(o, "last", last);
	return o;
}

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
		                          json_pack("{s:s,s:s,s:s}", "status", "unavailable",
		                                    "store", api->store->ops->name, "error",
		                                    qoc_strerror(err)));
	}
	/* The capture queue's counters (issue 6): dropped > 0 means the writer cannot keep
	 * up (or the store fails: see failed); docs/decisions/analytics.md. */
	struct qoc_analytics_stats st;
	qoc_analytics_stats(api->analytics, &st);
	json_t *an =
	    api->analytics
	        ? json_pack("{s:b,s:I,s:I,s:I,s:I,s:I,s:I}", "enabled", 1, "queued",
	                    (json_int_t)st.queued, "captured", (json_int_t)st.captured, "dropped",
	                    (json_int_t)st.dropped, "written", (json_int_t)st.written, "skipped",
	                    (json_int_t)st.skipped, "failed", (json_int_t)st.failed)
	        : json_pack("{s:b}", "enabled", 0);
	return qoc_http_resp_json(resp, 200,
	                          json_pack("{s:s,s:s,s:o,s:o}", "status", "ready", "store",
	                                    api->store->ops->name, "analytics", an, "purge",
	                                    purge_json(api->purger)));
}
