/* export.h - an analytics report as JSON (the API's document, also the JSON export), CSV
 * and PDF. Each encoder writes into a bounded buffer the caller owns (QOC_ELIMIT past its
 * maximum). The layouts are documented in docs/decisions/analytics.md.
 *
 * CSV (RFC 4180: CRLF line ends, one header row, fields quoted when they hold a comma,
 * quote, CR or LF): one table with the columns section,key,value,errors:
 *   summary,<figure>,<value>,        total_requests, total_requests_lifetime, active_users,
 *                                    success_rate, avg_response_ms, p95_response_ms, from,
 *                                    to, granularity
 *   series,<bucket start>,<requests>,<errors>    one row per bucket, empty ones included
 *   country,<CC>,<requests>,
 *   endpoint,<name>,<requests>,
 *   error,<code>,<count>,
 */
#ifndef QOC_ANALYTICS_EXPORT_H
#define QOC_ANALYTICS_EXPORT_H

#include "analytics/report.h"
#include "core/buf.h"
#include "core/err.h"

#include <stdbool.h>

enum qoc_err qoc_an_export_json(const struct qoc_an_report *r, struct qoc_buf *out);
enum qoc_err qoc_an_export_csv(const struct qoc_an_report *r, struct qoc_buf *out);
/* A PDF made with cairo: title, application, range, the four headline figures, the
 * charts (requests over time, countries, endpoints, errors) as vector graphics, page
 * numbers. QOC_ENOMEM / QOC_ELIMIT / QOC_EIO (cairo failed or is not installed). */
enum qoc_err qoc_an_export_pdf(const struct qoc_an_report *r, struct qoc_buf *out);
/* Whether PDFs can be made: loads cairo on the first call (it is not linked; see
 * analytics/cairo_lib.h). If not, *why (if not NULL) says why, e.g. "libcairo.so.2 not
 * found (...)"; the text is static. */
bool qoc_an_export_pdf_available(const char **why);

/* Releases the process-wide font caches cairo and fontconfig keep after the first PDF
 * (so a leak checker sees a clean exit); a no-op if no PDF was ever made (cairo is not
 * loaded for it). Call once at exit, when no export runs. */
void qoc_an_export_shutdown(void);

/* The download's file name: "qoc-analytics-<client_id>-<from date>-<to date>.<ext>"
 * (dates YYYYMMDD, UTC; client ids are [a-z0-9_]), into out[size]. */
void qoc_an_export_filename(const struct qoc_an_report *r, const char *ext, char *out, size_t size);

#endif
