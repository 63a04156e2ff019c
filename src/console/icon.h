/* icon.h - what an application icon may be: PNG, JPEG or WebP, told by its magic bytes
 * (never by what the uploader claims), with dimensions read from the image header, at most
 * QOC_ICON_MAX_BYTES. SVG (scriptable), GIF and anything else is refused. Pure: no I/O.
 */
#ifndef QOC_CONSOLE_ICON_H
#define QOC_CONSOLE_ICON_H

#include <stddef.h>
#include <stdint.h>

#define QOC_ICON_MAX_BYTES (256 * 1024)
#define QOC_ICON_MIN_PX 16
#define QOC_ICON_MAX_PX 2048

struct qoc_icon_info {
	const char *type; /* "image/png", "image/jpeg", "image/webp" (static) */
	uint32_t width, height;
};

/* NULL when data[0..len) is an acceptable icon (info filled), else why not (static text). */
const char *qoc_icon_check(const unsigned char *data, size_t len, struct qoc_icon_info *info);

#endif
