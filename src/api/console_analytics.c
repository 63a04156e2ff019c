/* console_analytics.c - GET /api/v1/applications/{client_id}/analytics and .../export
 * (issue 6). Any member of the application's team (viewer and up) reads them; another
 * team's application is 404 (console.h). Decode the range, load the report
 * (analytics/report.h), encode it (analytics/export.h).
 *
 * Query: from, to (Unix seconds, YYYY-MM-DD or any RFC 3339 date-time; to defaults to now, from to
 * 7 days before `to` for hourly and 30 days otherwise), granularity (hour|day|week,
 * default day); export also format (csv|json|pdf, default json). The range is aligned
 * outward to whole buckets (report.h).
 */
#include <stdio.h>
#include <string.h>

#include "analytics/export.h"
#include "analytics/report.h"
#include "api/console.h"
#include "api/console_handlers.h"

#define DAY 86400
#define EXPORT_MAX (8u << 20) /* the largest report (400 days by hour) is far below */

/* The 422 for a from/to that qoc_an_parse_time refused: names the forms it takes. A space
 * in the value is almost always a '+' offset sent unescaped (form decoding reads '+' as a
 * space), so that case says how to send it. */
static enum qoc_err time_error(struct qoc_http_resp *resp, const char *field, const char *value)
{
	if (strchr(value, ' '))
		return qoc_console_field_error(resp, field,
		                               "must be an RFC 3339 date-time; a + in an offset "
		                               "must be sent as %2B in a query "
		                               "(2026-12-06T23:50:00%2B02:00)");
	return qoc_console_field_error(
	    resp, field,
	    "must be an RFC 3339 date-time such as 2026-12-06T21:50:00.123Z or "
	    "2026-12-06T23:50:00+02:00, a date YYYY-MM-DD (UTC) or Unix seconds, from 1970 on");
}

struct range_params {
	int64_t from, to;
	enum qoc_an_granularity g;
	const char *format;
};

static enum qoc_err read_params(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                struct qoc_api *api, bool with_format, struct range_params *p)
{
	struct qoc_form f;
	const char *from = NULL, *to = NULL, *gran = NULL;
	enum qoc_err err = qoc_http_form_query(req, &f);
	if (err == QOC_ENOMEM)
		return err;
	if (err || qoc_form_has_duplicate(&f, NULL))
		return qoc_console_problem(resp, 400, "malformed or repeated query parameters");
	(void)qoc_form_get(&f, "from", &from);
	(void)qoc_form_get(&f, "to", &to);
	(void)qoc_form_get(&f, "granularity", &gran);
	p->format = "json";
	if (with_format)
		(void)qoc_form_get(&f, "format", &p->format);
	if (!p->format ||
	    (strcmp(p->format, "json") && strcmp(p->format, "csv") && strcmp(p->format, "pdf")))
		return qoc_console_field_error(resp, "format", "must be csv, json or pdf");
	p->g = QOC_AN_DAY;
	if (gran && !qoc_an_granularity_parse(gran, &p->g))
		return qoc_console_field_error(resp, "granularity", "must be hour, day or week");
	p->to = qoc_clock_now(api->clock);
	if (to && !qoc_an_parse_time(to, &p->to))
		return time_error(resp, "to", to);
	p->from = p->to - (p->g == QOC_AN_HOUR ? 7 : 30) * (int64_t)DAY;
	if (from && !qoc_an_parse_time(from, &p->from))
		return time_error(resp, "from", from);
	err = qoc_an_align_range(&p->from, &p->to, p->g);
	if (err == QOC_EINVAL)
		return qoc_console_field_error(resp, "from", "must be before to");
	if (err)
		return qoc_console_field_error(resp, "to", "the range is longer than 400 days");
	return QOC_OK;
}

/* Authenticates, checks access, reads the range and loads the report. */
static enum qoc_err load(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx,
                         bool with_format, struct range_params *p, struct qoc_an_report *r)
{
	struct qoc_api *api = ctx;
	struct qoc_console_caller who;
	struct qoc_console_app_ref ref;
	enum qoc_err err = qoc_console_auth(req, resp, api, &who);
	if (err || (err = qoc_console_app_access(req, resp, api, &who, QOC_ACT_READ, &ref)) ||
	    (err = read_params(req, resp, api, with_format, p)))
		return err;
	err = qoc_an_report_load(api->store, req->arena, ref.app.client_id, p->from, p->to, p->g,
	                         qoc_clock_now(api->clock), r);
	if (err)
		return qoc_console_store_error(resp, err);
	r->app_name = ref.app.name;
	return QOC_OK;
}

static enum qoc_err send(struct qoc_http_resp *resp, const struct qoc_an_report *r,
                         const char *format, bool attachment)
{
	struct qoc_buf b;
	const char *type = "application/json";
	enum qoc_err err;
	qoc_buf_init(&b, EXPORT_MAX);
	if (strcmp(format, "csv") == 0) {
		type = "text/csv; charset=utf-8; header=present";
		err = qoc_an_export_csv(r, &b);
	} else if (strcmp(format, "pdf") == 0) {
		const char *why;
		if (!qoc_an_export_pdf_available(&why)) {
			/* cairo is loaded at the first PDF, not linked: it may be missing. */
			char detail[320];
			snprintf(detail, sizeof(detail), "PDF export unavailable: %s", why);
			qoc_buf_release(&b);
			return qoc_console_problem(resp, 503, detail);
		}
		type = "application/pdf";
		err = qoc_an_export_pdf(r, &b);
	} else {
		err = qoc_an_export_json(r, &b);
	}
	if (!err)
		err = qoc_http_resp_body(resp, 200, type, b.data ? b.data : "", b.len);
	qoc_buf_release(&b);
	if (!err && attachment) {
		char name[160], disp[200];
		qoc_an_export_filename(r, format, name, sizeof(name));
		snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", name);
		err = qoc_http_resp_header(resp, "Content-Disposition", disp);
	}
	if (!err)
		err = qoc_http_resp_header(resp, "Cache-Control", "no-store");
	return err;
}

enum qoc_err qoc_api_console_app_analytics(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                           void *ctx)
{
	struct range_params p;
	struct qoc_an_report r;
	enum qoc_err err = load(req, resp, ctx, false, &p, &r);
	if (err)
		return qoc_console_done(err);
	return send(resp, &r, "json", false);
}

enum qoc_err qoc_api_console_app_analytics_export(struct qoc_http_req *req,
                                                  struct qoc_http_resp *resp, void *ctx)
{
	struct range_params p;
	struct qoc_an_report r;
	enum qoc_err err = load(req, resp, ctx, true, &p, &r);
	if (err)
		return qoc_console_done(err);
	return qoc_console_done(send(resp, &r, p.format, true)); /* 503 problem: no cairo */
}
