/* metrics.c - GET /metrics on the metrics listener (metrics_listen): the registry of
 * core/metrics.h, then what is read at scrape time: the analytics queue, the mail outbox,
 * and the process (core/procstat.h). docs/decisions/metrics.md. */
#include <math.h>

#include "analytics/analytics.h"
#include "api/handlers.h"
#include "core/metrics.h"
#include "core/procstat.h"
#include "http/router.h"
#include "store/store_outbox.h"

static enum qoc_err write_one(struct qoc_buf *b, const char *name, const char *type,
                              const char *help, double value)
{
	enum qoc_err err = qoc_metrics_write_family(b, name, type, help);
	return err ? err : qoc_metrics_write_sample(b, name, NULL, NULL, value);
}

/* Analytics off: every value 0 (the families stay, so dashboards keep their series). */
static enum qoc_err write_analytics(struct qoc_buf *b, struct qoc_analytics *an)
{
	struct qoc_analytics_stats st = {0};
	if (an)
		qoc_analytics_stats(an, &st);
	static const char name[] = "qoc_analytics_events_total";
	const struct {
		const char *outcome;
		uint64_t n;
	} rows[] = {{"captured", st.captured},
	            {"dropped", st.dropped},
	            {"written", st.written},
	            {"skipped", st.skipped},
	            {"failed", st.failed}};
	enum qoc_err err = write_one(b, "qoc_analytics_queue_depth", "gauge",
	                             "Analytics events waiting for the writer", (double)st.queued);
	if (!err)
		err = qoc_metrics_write_family(
		    b, name, "counter",
		    "Analytics events by outcome (dropped: the queue was full; skipped: unknown "
		    "application; failed: lost to a store error)");
	for (size_t i = 0; !err && i < sizeof(rows) / sizeof(rows[0]); i++)
		err = qoc_metrics_write_sample(b, name, "outcome", rows[i].outcome,
		                               (double)rows[i].n);
	return err;
}

/* The outbox is the store's (every node's): one count query per scrape. NaN when the
 * store does not answer. */
static enum qoc_err write_outbox(struct qoc_buf *b, struct qoc_store *store)
{
	int64_t pending = 0;
	double v = qoc_store_outbox_pending(store, &pending) == QOC_OK ? (double)pending : NAN;
	return write_one(b, "qoc_mail_outbox_pending", "gauge",
	                 "Mails in the outbox neither sent nor given up", v);
}

static enum qoc_err write_process(struct qoc_buf *b)
{
	struct qoc_procstat p;
	qoc_procstat_read(&p);
	const struct {
		const char *name, *type, *help;
		double v;
	} rows[] = {
	    {"process_cpu_seconds_total", "counter",
	     "Total user and system CPU time spent in seconds", p.cpu_seconds},
	    {"process_resident_memory_bytes", "gauge", "Resident memory size in bytes",
	     p.resident_bytes},
	    {"process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes",
	     p.virtual_bytes},
	    {"process_open_fds", "gauge", "Number of open file descriptors", p.open_fds},
	    {"process_max_fds", "gauge", "Maximum number of open file descriptors", p.max_fds},
	    {"process_start_time_seconds", "gauge",
	     "Start time of the process since unix epoch in seconds", p.start_time},
	    {"process_threads", "gauge", "Number of OS threads in the process", p.threads},
	};
	enum qoc_err err = QOC_OK;
	for (size_t i = 0; !err && i < sizeof(rows) / sizeof(rows[0]); i++)
		err = write_one(b, rows[i].name, rows[i].type, rows[i].help, rows[i].v);
	return err;
}

enum qoc_err qoc_api_metrics(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	struct qoc_api *api = ctx;
	(void)req;
	qoc_buf_reset(&resp->body);
	enum qoc_err err = qoc_metrics_render(&resp->body);
	if (!err)
		err = write_analytics(&resp->body, api->analytics);
	if (!err)
		err = write_outbox(&resp->body, api->store);
	if (!err)
		err = write_process(&resp->body);
	if (err)
		return err == QOC_ELIMIT ? QOC_ENOMEM : err; /* 503 either way: try again */
	resp->status = 200;
	resp->content_type = QOC_METRICS_CONTENT_TYPE;
	return qoc_http_resp_header(resp, "Cache-Control", "no-store");
}

enum qoc_err qoc_api_register_metrics(struct qoc_router *r, struct qoc_api *api)
{
	return qoc_router_add(r, "GET", "/metrics", qoc_api_metrics, api);
}
