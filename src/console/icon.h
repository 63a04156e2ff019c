/* icon.h - what an application icon may be: PNG, JPEG or WebP, told by its magic bytes
 * (never by what the uploader claims), with dimensions read from the image header, at most
 * QOC_ICON_MAX_BYTES. SVG (scriptable), GIF and anything else is refused. qoc_icon_check is
 * pure (no I/O); the use cases below (set, clear: developer and up, audited "app.icon.set"
 * and "app.icon.clear"; get: public, for QOC Login's consent page) go through the store.
 * Errors and problems: console/access.h.
 */
#ifndef QOC_CONSOLE_ICON_H
#define QOC_CONSOLE_ICON_H

#include <stddef.h>
#include <stdint.h>

#include "console/access.h"

#define QOC_ICON_MAX_BYTES (256 * 1024)
#define QOC_ICON_MIN_PX 16
#define QOC_ICON_MAX_PX 2048

struct qoc_icon_info {
	const char *type; /* "image/png", "image/jpeg", "image/webp" (static) */
	uint32_t width, height;
};

/* NULL when data[0..len) is an acceptable icon (info filled), else why not (static text). */
const char *qoc_icon_check(const unsigned char *data, size_t len, struct qoc_icon_info *info);

/* Stores data[0..len) as the icon of ref->app when it is an acceptable icon of the type
 * `declared` (what the request's Content-Type said: "image/png", "image/jpeg" or
 * "image/webp"); *info describes it. EINVAL: field "icon" (why, static text). data is
 * only read during the call. */
enum qoc_err qoc_console_icon_set(const struct qoc_console_ctx *c,
                                  const struct qoc_console_actor *who,
                                  const struct qoc_console_app_ref *ref, const unsigned char *data,
                                  size_t len, const char *declared, struct qoc_icon_info *info,
                                  struct qoc_console_problem *p);

/* Removes the icon of ref->app (removing none is OK, audited too). */
enum qoc_err qoc_console_icon_clear(const struct qoc_console_ctx *c,
                                    const struct qoc_console_actor *who,
                                    const struct qoc_console_app_ref *ref,
                                    struct qoc_console_problem *p);

/* The icon of client_id (anyone may read it): bytes and type in arena a. ENOTFOUND: no
 * such application or no icon. */
enum qoc_err qoc_console_icon_get(const struct qoc_console_ctx *c, struct qoc_arena *a,
                                  const char *client_id, const unsigned char **icon, size_t *len,
                                  const char **type);

#endif
