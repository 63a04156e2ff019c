/* cairo_lib.h - cairo, loaded at first use (core/dynlib.h; only the PDF report needs it).
 *
 * The types and constants still come from <cairo.h> and <cairo-pdf.h>; the functions come
 * through the table below, each typed with typeof the real declaration (a mismatch does
 * not compile). Fields drop the cairo_ prefix: lib->show_text(cr, s).
 */
#ifndef QOC_ANALYTICS_CAIRO_LIB_H
#define QOC_ANALYTICS_CAIRO_LIB_H

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <stddef.h>

#include "core/err.h"

#define QOC_CAIRO_SONAME "libcairo.so.2"           /* Debian 12: libcairo2 */
#define QOC_FONTCONFIG_SONAME "libfontconfig.so.1" /* cairo's own dependency */

/* Every cairo function QOC calls: X(name without the cairo_ prefix). */
#define QOC_CAIRO_FUNCS(X)                                                                         \
	X(create)                                                                                  \
	X(destroy)                                                                                 \
	X(status)                                                                                  \
	X(show_page)                                                                               \
	X(select_font_face)                                                                        \
	X(set_font_size)                                                                           \
	X(text_extents)                                                                            \
	X(show_text)                                                                               \
	X(set_source_rgb)                                                                          \
	X(set_line_width)                                                                          \
	X(move_to)                                                                                 \
	X(line_to)                                                                                 \
	X(rectangle)                                                                               \
	X(fill)                                                                                    \
	X(stroke)                                                                                  \
	X(surface_status)                                                                          \
	X(surface_finish)                                                                          \
	X(surface_destroy)                                                                         \
	X(pdf_surface_create_for_stream)                                                           \
	X(pdf_surface_set_metadata)                                                                \
	X(debug_reset_static_data)

struct qoc_cairo_lib {
	void *handle;    /* libcairo.so.2 */
	void *fc_handle; /* libfontconfig.so.1, already mapped by cairo */
#define QOC_CAIRO_FIELD(f) typeof(cairo_##f) *f;
	QOC_CAIRO_FUNCS(QOC_CAIRO_FIELD)
#undef QOC_CAIRO_FIELD
	typeof(FcFini) *fc_fini;
};

/* The process's cairo: loaded exactly once, on the first call, from any thread. NULL when
 * it cannot be (library or symbol missing): the reason is logged once, at that first call,
 * and *why (if not NULL) points to it, e.g. "libcairo.so.2 not found (...)". Never
 * unloaded. */
const struct qoc_cairo_lib *qoc_cairo_lib(const char **why);

/* The table if an earlier qoc_cairo_lib() loaded it, else NULL; never loads (shutdown
 * releases cairo's caches only if cairo ever ran). */
const struct qoc_cairo_lib *qoc_cairo_lib_if_loaded(void);

/* The loader itself, without global state or logging: the test seam (a bogus soname proves
 * the missing-library path). See qoc_dynlib_load. */
enum qoc_err qoc_cairo_lib_load(const char *soname, struct qoc_cairo_lib *out, char *why,
                                size_t why_size);

#endif
