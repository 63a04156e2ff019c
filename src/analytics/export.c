/* export.c - the JSON and CSV encoders (see export.h); the PDF is in export_pdf.c. */
#include "analytics/export.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"

#define TIME_TEXT 32

static const char *when(int64_t t, char buf[TIME_TEXT])
{
	return qoc_time_rfc3339(t, buf, TIME_TEXT);
}

/* null while there is no request in the range: a rate of nothing is not 0. */
static json_t *figure(const struct qoc_an_report *r, double v)
{
	return r->total_requests > 0 ? json_real(v) : json_null();
}

static json_t *kv_array(const struct qoc_an_kv *v, size_t n, const char *kname, const char *vname)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < n; i++)
		if (json_array_append_new(arr, json_pack("{s:s,s:I}", kname, v[i].key, vname,
		                                         (json_int_t)v[i].n)) != 0) {
			json_decref(arr);
			return NULL;
		}
	return arr;
}

static json_t *series_array(const struct qoc_an_report *r)
{
	char t[TIME_TEXT];
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < r->nseries; i++)
		if (json_array_append_new(
		        arr, json_pack("{s:s,s:I,s:I}", "start", when(r->series[i].start, t),
		                       "requests", (json_int_t)r->series[i].requests, "errors",
		                       (json_int_t)r->series[i].errors)) != 0) {
			json_decref(arr);
			return NULL;
		}
	return arr;
}

static int dump_cb(const char *buffer, size_t size, void *data)
{
	return qoc_buf_append(data, buffer, size) == QOC_OK ? 0 : -1;
}

enum qoc_err qoc_an_export_json(const struct qoc_an_report *r, struct qoc_buf *out)
{
	char f[TIME_TEXT], t[TIME_TEXT];
	json_t *doc = json_pack(
	    "{s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "client_id", r->client_id,
	    "from", when(r->from, f), "to", when(r->to, t), "granularity",
	    qoc_an_granularity_name(r->granularity), "total_requests",
	    (json_int_t)r->total_requests, "total_requests_lifetime", (json_int_t)r->lifetime,
	    "active_users", (json_int_t)r->active_users, "success_rate", figure(r, r->success_rate),
	    "avg_response_ms", figure(r, r->avg_ms), "p95_response_ms", figure(r, r->p95_ms),
	    "series", series_array(r), "countries",
	    kv_array(r->countries, r->ncountries, "country", "requests"), "endpoints",
	    kv_array(r->endpoints, r->nendpoints, "endpoint", "requests"), "errors",
	    kv_array(r->errors, r->nerrors, "error", "count"));
	if (!doc)
		return QOC_ENOMEM;
	/* 10 significant digits: 0.8333 prints as 0.8333, not 0.83330000000000004. */
	int rc = json_dump_callback(doc, dump_cb, out, JSON_COMPACT | JSON_REAL_PRECISION(10));
	json_decref(doc);
	return rc == 0 ? QOC_OK : QOC_ELIMIT;
}

/* One CSV field (RFC 4180 §2.6-2.7: quoted when it holds ',', '"', CR or LF). */
static enum qoc_err field(struct qoc_buf *b, const char *s)
{
	if (!strpbrk(s, ",\"\r\n"))
		return qoc_buf_append_cstr(b, s);
	enum qoc_err err = qoc_buf_append_char(b, '"');
	for (; !err && *s; s++)
		err = *s == '"' ? qoc_buf_append(b, "\"\"", 2) : qoc_buf_append_char(b, *s);
	return err ? err : qoc_buf_append_char(b, '"');
}

static enum qoc_err row(struct qoc_buf *b, const char *section, const char *key, const char *value,
                        const char *errors)
{
	enum qoc_err err;
	if ((err = field(b, section)) || (err = qoc_buf_append_char(b, ',')) ||
	    (err = field(b, key)) || (err = qoc_buf_append_char(b, ',')) ||
	    (err = field(b, value)) || (err = qoc_buf_append_char(b, ',')) ||
	    (err = field(b, errors)))
		return err;
	return qoc_buf_append(b, "\r\n", 2);
}

static enum qoc_err summary(const struct qoc_an_report *r, struct qoc_buf *b)
{
	char v[6][32], f[TIME_TEXT], t[TIME_TEXT];
	snprintf(v[0], sizeof(v[0]), "%lld", (long long)r->total_requests);
	snprintf(v[1], sizeof(v[1]), "%lld", (long long)r->lifetime);
	snprintf(v[2], sizeof(v[2]), "%lld", (long long)r->active_users);
	const bool any = r->total_requests > 0; /* else the rates are empty fields */
	snprintf(v[3], sizeof(v[3]), any ? "%.4f" : "", r->success_rate);
	snprintf(v[4], sizeof(v[4]), any ? "%.2f" : "", r->avg_ms);
	snprintf(v[5], sizeof(v[5]), any ? "%.2f" : "", r->p95_ms);
	static const char *const names[] = {"total_requests",  "total_requests_lifetime",
	                                    "active_users",    "success_rate",
	                                    "avg_response_ms", "p95_response_ms"};
	enum qoc_err err = QOC_OK;
	for (int i = 0; !err && i < 6; i++)
		err = row(b, "summary", names[i], v[i], "");
	if (!err)
		err = row(b, "summary", "from", when(r->from, f), "");
	if (!err)
		err = row(b, "summary", "to", when(r->to, t), "");
	if (!err)
		err = row(b, "summary", "granularity", qoc_an_granularity_name(r->granularity), "");
	return err;
}

static enum qoc_err kv_rows(struct qoc_buf *b, const char *section, const struct qoc_an_kv *v,
                            size_t n)
{
	enum qoc_err err = QOC_OK;
	char num[32];
	for (size_t i = 0; !err && i < n; i++) {
		snprintf(num, sizeof(num), "%lld", (long long)v[i].n);
		err = row(b, section, v[i].key, num, "");
	}
	return err;
}

enum qoc_err qoc_an_export_csv(const struct qoc_an_report *r, struct qoc_buf *out)
{
	char t[TIME_TEXT], req[32], errs[32];
	enum qoc_err err = row(out, "section", "key", "value", "errors");
	if (!err)
		err = summary(r, out);
	for (size_t i = 0; !err && i < r->nseries; i++) {
		snprintf(req, sizeof(req), "%lld", (long long)r->series[i].requests);
		snprintf(errs, sizeof(errs), "%lld", (long long)r->series[i].errors);
		err = row(out, "series", when(r->series[i].start, t), req, errs);
	}
	if (!err)
		err = kv_rows(out, "country", r->countries, r->ncountries);
	if (!err)
		err = kv_rows(out, "endpoint", r->endpoints, r->nendpoints);
	if (!err)
		err = kv_rows(out, "error", r->errors, r->nerrors);
	return err;
}

static void ymd(int64_t t, char out[9])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || strftime(out, 9, "%Y%m%d", &tm) == 0)
		memcpy(out, "00000000", 9);
}

void qoc_an_export_filename(const struct qoc_an_report *r, const char *ext, char *out, size_t size)
{
	char f[9], t[9];
	ymd(r->from, f);
	ymd(r->to - 1, t); /* the last day the range covers */
	snprintf(out, size, "qoc-analytics-%s-%s-%s.%s", r->client_id, f, t, ext);
}
