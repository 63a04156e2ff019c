/* export_pdf.c - the PDF report, drawn with cairo (see export.h).
 *
 * Two A4 pages: the headline figures and the requests-over-time chart, then the
 * geographic, endpoint and error charts. Everything is vector (cairo paths and text), so
 * the file is small and prints sharply; text stays text, so pdftotext reads the figures
 * back (the integration test does). Layout constants are in points (1/72 inch).
 */
#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <stdio.h>
#include <string.h>

#include "analytics/export.h"
#include "core/clock.h"

#define PAGE_W 595.0
#define PAGE_H 842.0
#define MARGIN 48.0
#define PAGES 2
#define BAR_ROWS_MAX 10 /* the longest lists show their top ten */
#define FONT "DejaVu Sans"

struct pdf {
	cairo_t *cr;
	const struct qoc_an_report *r;
	int page;
};

static cairo_status_t write_cb(void *closure, const unsigned char *data, unsigned int len)
{
	return qoc_buf_append(closure, data, len) == QOC_OK ? CAIRO_STATUS_SUCCESS
	                                                    : CAIRO_STATUS_WRITE_ERROR;
}

static void text(cairo_t *cr, double x, double y, double size, bool bold, const char *s)
{
	cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
	                       bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
	cairo_move_to(cr, x, y);
	cairo_show_text(cr, s);
}

static void text_right(cairo_t *cr, double right, double y, double size, const char *s)
{
	cairo_text_extents_t e;
	cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
	cairo_text_extents(cr, s, &e);
	cairo_move_to(cr, right - e.x_advance, y);
	cairo_show_text(cr, s);
}

static void rgb(cairo_t *cr, unsigned hex)
{
	cairo_set_source_rgb(cr, ((hex >> 16) & 0xff) / 255.0, ((hex >> 8) & 0xff) / 255.0,
	                     (hex & 0xff) / 255.0);
}

static void footer(struct pdf *p)
{
	char s[32];
	snprintf(s, sizeof(s), "Page %d of %d", p->page, PAGES);
	rgb(p->cr, 0x666666);
	text_right(p->cr, PAGE_W - MARGIN, PAGE_H - 28, 9, s);
	text(p->cr, MARGIN, PAGE_H - 28, 9, false, "QOC usage analytics");
}

static void figure_box(cairo_t *cr, double x, double y, double w, const char *label,
                       const char *value)
{
	rgb(cr, 0xf1f4f8);
	cairo_rectangle(cr, x, y, w, 64);
	cairo_fill(cr);
	rgb(cr, 0x555555);
	text(cr, x + 10, y + 20, 9, false, label);
	rgb(cr, 0x111111);
	text(cr, x + 10, y + 48, 18, true, value);
}

static void headline(struct pdf *p, double y)
{
	const struct qoc_an_report *r = p->r;
	char v[4][48];
	bool any = r->total_requests > 0;
	snprintf(v[0], sizeof(v[0]), "%lld", (long long)r->total_requests);
	snprintf(v[1], sizeof(v[1]), "%lld", (long long)r->active_users);
	if (any) {
		snprintf(v[2], sizeof(v[2]), "%.2f%%", r->success_rate * 100.0);
		snprintf(v[3], sizeof(v[3]), "%.2f ms", r->avg_ms);
	} else {
		snprintf(v[2], sizeof(v[2]), "n/a");
		snprintf(v[3], sizeof(v[3]), "n/a");
	}
	static const char *const labels[] = {"Total Requests", "Active Users", "Success Rate",
	                                     "Average Response Time"};
	double w = (PAGE_W - 2 * MARGIN - 3 * 10) / 4;
	for (int i = 0; i < 4; i++)
		figure_box(p->cr, MARGIN + i * (w + 10), y, w, labels[i], v[i]);
	char more[128];
	if (any)
		snprintf(more, sizeof(more), "p95 response time %.2f ms  |  lifetime requests %lld",
		         r->p95_ms, (long long)r->lifetime);
	else
		snprintf(more, sizeof(more), "lifetime requests %lld", (long long)r->lifetime);
	rgb(p->cr, 0x555555);
	text(p->cr, MARGIN, y + 84, 9, false, more);
}

static int64_t series_max(const struct qoc_an_report *r)
{
	int64_t m = 0;
	for (size_t i = 0; i < r->nseries; i++)
		if (r->series[i].requests > m)
			m = r->series[i].requests;
	return m;
}

/* Requests (blue) and errors (red) per bucket, as bars over a y axis with its maximum. */
static void time_chart(struct pdf *p, double y, double h)
{
	cairo_t *cr = p->cr;
	const struct qoc_an_report *r = p->r;
	char s[64], t[32];
	double x0 = MARGIN + 36, w = PAGE_W - MARGIN - x0;
	int64_t max = series_max(r);
	rgb(cr, 0x111111);
	text(cr, MARGIN, y - 12, 13, true, "Requests over time");
	rgb(cr, 0x999999);
	cairo_set_line_width(cr, 0.5);
	cairo_move_to(cr, x0, y);
	cairo_line_to(cr, x0, y + h);
	cairo_line_to(cr, x0 + w, y + h);
	cairo_stroke(cr);
	snprintf(s, sizeof(s), "%lld", (long long)max);
	text_right(cr, x0 - 4, y + 8, 8, s);
	text_right(cr, x0 - 4, y + h, 8, "0");
	if (r->nseries == 0)
		return;
	double bw = w / (double)r->nseries;
	for (size_t i = 0; max > 0 && i < r->nseries; i++) {
		double rh = h * (double)r->series[i].requests / (double)max;
		double eh = h * (double)r->series[i].errors / (double)max;
		rgb(cr, 0x3b82f6);
		cairo_rectangle(cr, x0 + i * bw + bw * 0.1, y + h - rh, bw * 0.8, rh);
		cairo_fill(cr);
		rgb(cr, 0xef4444);
		cairo_rectangle(cr, x0 + i * bw + bw * 0.1, y + h - eh, bw * 0.8, eh);
		cairo_fill(cr);
	}
	rgb(cr, 0x555555);
	text(cr, x0, y + h + 14, 8, false, qoc_time_rfc3339(r->series[0].start, t, sizeof(t)));
	text_right(cr, x0 + w, y + h + 14, 8,
	           qoc_time_rfc3339(r->series[r->nseries - 1].start, t, sizeof(t)));
	text(cr, x0, y + h + 28, 8, false,
	     "blue: requests, red: errors, per bucket (empty buckets included)");
}

/* Horizontal bars, one per key, with the count at the end. Returns the height used. */
static double bar_list(struct pdf *p, double y, const char *title, const struct qoc_an_kv *v,
                       size_t n, unsigned color)
{
	cairo_t *cr = p->cr;
	char s[48];
	double x0 = MARGIN + 90, w = PAGE_W - MARGIN - x0 - 50;
	rgb(cr, 0x111111);
	text(cr, MARGIN, y, 13, true, title);
	y += 10;
	if (n == 0) {
		rgb(cr, 0x555555);
		text(cr, MARGIN, y + 14, 9, false, "none in this range");
		return 44;
	}
	size_t rows = n < BAR_ROWS_MAX ? n : BAR_ROWS_MAX;
	int64_t max = v[0].n > 0 ? v[0].n : 1; /* sorted by count, descending */
	for (size_t i = 0; i < rows; i++) {
		double by = y + (double)i * 18;
		rgb(cr, 0x333333);
		text(cr, MARGIN, by + 12, 9, false, v[i].key);
		rgb(cr, color);
		cairo_rectangle(cr, x0, by + 3, w * (double)v[i].n / (double)max, 11);
		cairo_fill(cr);
		snprintf(s, sizeof(s), "%lld", (long long)v[i].n);
		rgb(cr, 0x333333);
		text(cr, x0 + w * (double)v[i].n / (double)max + 6, by + 12, 9, false, s);
	}
	return 10 + (double)rows * 18 + 30;
}

static void page_one(struct pdf *p)
{
	cairo_t *cr = p->cr;
	const struct qoc_an_report *r = p->r;
	char s[256], f[32], t[32];
	rgb(cr, 0x111111);
	text(cr, MARGIN, 70, 22, true, "QOC usage report");
	snprintf(s, sizeof(s), "Application: %s (%s)", r->app_name ? r->app_name : r->client_id,
	         r->client_id);
	text(cr, MARGIN, 96, 11, false, s);
	snprintf(s, sizeof(s), "Range: %s to %s, by %s", qoc_time_rfc3339(r->from, f, sizeof(f)),
	         qoc_time_rfc3339(r->to, t, sizeof(t)), qoc_an_granularity_name(r->granularity));
	text(cr, MARGIN, 114, 11, false, s);
	headline(p, 136);
	time_chart(p, 280, 220);
	footer(p);
}

static void page_two(struct pdf *p)
{
	const struct qoc_an_report *r = p->r;
	double y = 70;
	y += bar_list(p, y, "Geographic distribution", r->countries, r->ncountries, 0x10b981);
	y += bar_list(p, y, "Popular endpoints", r->endpoints, r->nendpoints, 0x3b82f6);
	char s[64];
	if (r->total_requests > 0)
		snprintf(s, sizeof(s), "Error rates and types (error rate %.2f%%)",
		         (1.0 - r->success_rate) * 100.0);
	else
		snprintf(s, sizeof(s), "Error rates and types");
	bar_list(p, y, s, r->errors, r->nerrors, 0xef4444);
	footer(p);
}

enum qoc_err qoc_an_export_pdf(const struct qoc_an_report *r, struct qoc_buf *out)
{
	cairo_surface_t *surface =
	    cairo_pdf_surface_create_for_stream(write_cb, out, PAGE_W, PAGE_H);
	if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(surface);
		return QOC_ENOMEM;
	}
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, "QOC usage report");
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "QOC");
	cairo_t *cr = cairo_create(surface);
	struct pdf p = {.cr = cr, .r = r, .page = 1};
	page_one(&p);
	cairo_show_page(cr);
	p.page = 2;
	page_two(&p);
	cairo_show_page(cr);
	cairo_status_t st = cairo_status(cr);
	cairo_destroy(cr);
	cairo_surface_finish(surface);
	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_status(surface);
	cairo_surface_destroy(surface);
	if (st == CAIRO_STATUS_WRITE_ERROR)
		return QOC_ELIMIT; /* the buffer's bound */
	return st == CAIRO_STATUS_SUCCESS ? QOC_OK : QOC_EIO;
}

void qoc_an_export_shutdown(void)
{
	cairo_debug_reset_static_data();
	FcFini();
}
