/* export_pdf.c - the PDF report, drawn with cairo (see export.h).
 *
 * Two A4 pages: the headline figures and the requests-over-time chart, then the
 * geographic, endpoint and error charts. Everything is vector (cairo paths and text), so
 * the file is small and prints sharply; text stays text, so pdftotext reads the figures
 * back (the integration test does). Layout constants are in points (1/72 inch). cairo is
 * loaded at the first PDF (cairo_lib.h): every call goes through p->c.
 */
#include <stdio.h>
#include <string.h>

#include "analytics/cairo_lib.h"
#include "analytics/export.h"
#include "core/clock.h"

#define PAGE_W 595.0
#define PAGE_H 842.0
#define MARGIN 48.0
#define PAGES 2
#define BAR_ROWS_MAX 10 /* the longest lists show their top ten */
#define FONT "DejaVu Sans"

struct pdf {
	const struct qoc_cairo_lib *c;
	cairo_t *cr;
	const struct qoc_an_report *r;
	int page;
};

static cairo_status_t write_cb(void *closure, const unsigned char *data, unsigned int len)
{
	return qoc_buf_append(closure, data, len) == QOC_OK ? CAIRO_STATUS_SUCCESS
	                                                    : CAIRO_STATUS_WRITE_ERROR;
}

static void text(struct pdf *p, double x, double y, double size, bool bold, const char *s)
{
	const struct qoc_cairo_lib *c = p->c;
	cairo_t *cr = p->cr;
	c->select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
	                    bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	c->set_font_size(cr, size);
	c->move_to(cr, x, y);
	c->show_text(cr, s);
}

static void text_right(struct pdf *p, double right, double y, double size, const char *s)
{
	const struct qoc_cairo_lib *c = p->c;
	cairo_t *cr = p->cr;
	cairo_text_extents_t e;
	c->select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	c->set_font_size(cr, size);
	c->text_extents(cr, s, &e);
	c->move_to(cr, right - e.x_advance, y);
	c->show_text(cr, s);
}

static void rgb(struct pdf *p, unsigned hex)
{
	p->c->set_source_rgb(p->cr, ((hex >> 16) & 0xff) / 255.0, ((hex >> 8) & 0xff) / 255.0,
	                     (hex & 0xff) / 255.0);
}

static void footer(struct pdf *p)
{
	char s[32];
	snprintf(s, sizeof(s), "Page %d of %d", p->page, PAGES);
	rgb(p, 0x666666);
	text_right(p, PAGE_W - MARGIN, PAGE_H - 28, 9, s);
	text(p, MARGIN, PAGE_H - 28, 9, false, "QOC usage analytics");
}

static void figure_box(struct pdf *p, double x, double y, double w, const char *label,
                       const char *value)
{
	const struct qoc_cairo_lib *c = p->c;
	cairo_t *cr = p->cr;
	rgb(p, 0xf1f4f8);
	c->rectangle(cr, x, y, w, 64);
	c->fill(cr);
	rgb(p, 0x555555);
	text(p, x + 10, y + 20, 9, false, label);
	rgb(p, 0x111111);
	text(p, x + 10, y + 48, 18, true, value);
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
		figure_box(p, MARGIN + i * (w + 10), y, w, labels[i], v[i]);
	char more[128];
	if (any)
		snprintf(more, sizeof(more), "p95 response time %.2f ms  |  lifetime requests %lld",
		         r->p95_ms, (long long)r->lifetime);
	else
		snprintf(more, sizeof(more), "lifetime requests %lld", (long long)r->lifetime);
	rgb(p, 0x555555);
	text(p, MARGIN, y + 84, 9, false, more);
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
	const struct qoc_cairo_lib *c = p->c;
	cairo_t *cr = p->cr;
	const struct qoc_an_report *r = p->r;
	char s[64], t[32];
	double x0 = MARGIN + 36, w = PAGE_W - MARGIN - x0;
	int64_t max = series_max(r);
	rgb(p, 0x111111);
	text(p, MARGIN, y - 12, 13, true, "Requests over time");
	rgb(p, 0x999999);
	c->set_line_width(cr, 0.5);
	c->move_to(cr, x0, y);
	c->line_to(cr, x0, y + h);
	c->line_to(cr, x0 + w, y + h);
	c->stroke(cr);
	snprintf(s, sizeof(s), "%lld", (long long)max);
	text_right(p, x0 - 4, y + 8, 8, s);
	text_right(p, x0 - 4, y + h, 8, "0");
	if (r->nseries == 0)
		return;
	double bw = w / (double)r->nseries;
	for (size_t i = 0; max > 0 && i < r->nseries; i++) {
		double rh = h * (double)r->series[i].requests / (double)max;
		double eh = h * (double)r->series[i].errors / (double)max;
		rgb(p, 0x3b82f6);
		c->rectangle(cr, x0 + i * bw + bw * 0.1, y + h - rh, bw * 0.8, rh);
		c->fill(cr);
		rgb(p, 0xef4444);
		c->rectangle(cr, x0 + i * bw + bw * 0.1, y + h - eh, bw * 0.8, eh);
		c->fill(cr);
	}
	rgb(p, 0x555555);
	text(p, x0, y + h + 14, 8, false, qoc_time_rfc3339(r->series[0].start, t, sizeof(t)));
	text_right(p, x0 + w, y + h + 14, 8,
	           qoc_time_rfc3339(r->series[r->nseries - 1].start, t, sizeof(t)));
	text(p, x0, y + h + 28, 8, false,
	     "blue: requests, red: errors, per bucket (empty buckets included)");
}

/* Horizontal bars, one per key, with the count at the end. Returns the height used. */
static double bar_list(struct pdf *p, double y, const char *title, const struct qoc_an_kv *v,
                       size_t n, unsigned color)
{
	const struct qoc_cairo_lib *c = p->c;
	cairo_t *cr = p->cr;
	char s[48];
	double x0 = MARGIN + 90, w = PAGE_W - MARGIN - x0 - 50;
	rgb(p, 0x111111);
	text(p, MARGIN, y, 13, true, title);
	y += 10;
	if (n == 0) {
		rgb(p, 0x555555);
		text(p, MARGIN, y + 14, 9, false, "none in this range");
		return 44;
	}
	size_t rows = n < BAR_ROWS_MAX ? n : BAR_ROWS_MAX;
	int64_t max = v[0].n > 0 ? v[0].n : 1; /* sorted by count, descending */
	for (size_t i = 0; i < rows; i++) {
		double by = y + (double)i * 18;
		rgb(p, 0x333333);
		text(p, MARGIN, by + 12, 9, false, v[i].key);
		rgb(p, color);
		c->rectangle(cr, x0, by + 3, w * (double)v[i].n / (double)max, 11);
		c->fill(cr);
		snprintf(s, sizeof(s), "%lld", (long long)v[i].n);
		rgb(p, 0x333333);
		text(p, x0 + w * (double)v[i].n / (double)max + 6, by + 12, 9, false, s);
	}
	return 10 + (double)rows * 18 + 30;
}

static void page_one(struct pdf *p)
{
	const struct qoc_an_report *r = p->r;
	char s[256], f[32], t[32];
	rgb(p, 0x111111);
	text(p, MARGIN, 70, 22, true, "QOC usage report");
	snprintf(s, sizeof(s), "Application: %s (%s)", r->app_name ? r->app_name : r->client_id,
	         r->client_id);
	text(p, MARGIN, 96, 11, false, s);
	snprintf(s, sizeof(s), "Range: %s to %s, by %s", qoc_time_rfc3339(r->from, f, sizeof(f)),
	         qoc_time_rfc3339(r->to, t, sizeof(t)), qoc_an_granularity_name(r->granularity));
	text(p, MARGIN, 114, 11, false, s);
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

bool qoc_an_export_pdf_available(const char **why)
{
	return qoc_cairo_lib(why) != NULL;
}

enum qoc_err qoc_an_export_pdf(const struct qoc_an_report *r, struct qoc_buf *out)
{
	const struct qoc_cairo_lib *c = qoc_cairo_lib(NULL);
	if (!c)
		return QOC_EIO; /* logged once by the loader */
	cairo_surface_t *surface = c->pdf_surface_create_for_stream(write_cb, out, PAGE_W, PAGE_H);
	if (c->surface_status(surface) != CAIRO_STATUS_SUCCESS) {
		c->surface_destroy(surface);
		return QOC_ENOMEM;
	}
	c->pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, "QOC usage report");
	c->pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "QOC");
	cairo_t *cr = c->create(surface);
	struct pdf p = {.c = c, .cr = cr, .r = r, .page = 1};
	page_one(&p);
	c->show_page(cr);
	p.page = 2;
	page_two(&p);
	c->show_page(cr);
	cairo_status_t st = c->status(cr);
	c->destroy(cr);
	c->surface_finish(surface);
	if (st == CAIRO_STATUS_SUCCESS)
		st = c->surface_status(surface);
	c->surface_destroy(surface);
	if (st == CAIRO_STATUS_WRITE_ERROR)
		return QOC_ELIMIT; /* the buffer's bound */
	return st == CAIRO_STATUS_SUCCESS ? QOC_OK : QOC_EIO;
}

void qoc_an_export_shutdown(void)
{
	const struct qoc_cairo_lib *c = qoc_cairo_lib_if_loaded();
	if (!c)
		return; /* no PDF was made: nothing cached, and no reason to load cairo now */
	c->debug_reset_static_data();
	c->fc_fini();
}
