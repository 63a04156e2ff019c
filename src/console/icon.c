/* icon.c - application icon sniffing (see icon.h). Reads only the header bytes each format
 * puts its dimensions in, with every offset checked against len. */
#include "console/icon.h"

#include <stdbool.h>
#include <string.h>

static uint32_t be16(const unsigned char *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}
static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static uint32_t le16(const unsigned char *p)
{
	return (uint32_t)p[1] << 8 | p[0];
}
static uint32_t le24(const unsigned char *p)
{
	return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* PNG: signature, then IHDR first (PNG spec §11.2.2). */
static bool png(const unsigned char *d, size_t len, struct qoc_icon_info *info)
{
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	if (len < 24 || memcmp(d, sig, 8) != 0 || memcmp(d + 12, "IHDR", 4) != 0)
		return false;
	info->type = "image/png";
	info->width = be32(d + 16);
	info->height = be32(d + 20);
	return true;
}

/* JPEG: walk the marker segments to the first SOFn (ITU T.81 B.2.2). */
static bool jpeg(const unsigned char *d, size_t len, struct qoc_icon_info *info)
{
	if (len < 4 || d[0] != 0xff || d[1] != 0xd8 || d[2] != 0xff)
		return false;
	size_t i = 2;
	while (i + 4 <= len) {
		if (d[i] != 0xff)
			return false;
		unsigned char m = d[i + 1];
		if (m == 0xff) { /* fill byte */
			i++;
			continue;
		}
		if (m == 0x01 || (m >= 0xd0 && m <= 0xd9)) { /* no length */
			i += 2;
			continue;
		}
		size_t seg = be16(d + i + 2);
		if (seg < 2 || i + 2 + seg > len)
			return false;
		if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc) {
			if (seg < 7)
				return false;
			info->type = "image/jpeg";
			info->height = be16(d + i + 5);
			info->width = be16(d + i + 7);
			return true;
		}
		i += 2 + seg;
	}
	return false;
}

/* WebP: RIFF container, first chunk VP8, VP8L or VP8X (RFC 9649 §2.5 - §2.7). */
static bool webp(const unsigned char *d, size_t len, struct qoc_icon_info *info)
{
	if (len < 30 || memcmp(d, "RIFF", 4) != 0 || memcmp(d + 8, "WEBP", 4) != 0)
		return false;
	info->type = "image/webp";
	if (!memcmp(d + 12, "VP8 ", 4) && d[23] == 0x9d && d[24] == 0x01 && d[25] == 0x2a) {
		info->width = le16(d + 26) & 0x3fff;
		info->height = le16(d + 28) & 0x3fff;
		return true;
	}
	if (!memcmp(d + 12, "VP8L", 4) && d[20] == 0x2f) {
		uint32_t bits = (uint32_t)d[21] | (uint32_t)d[22] << 8 | (uint32_t)d[23] << 16 |
		                (uint32_t)d[24] << 24;
		info->width = (bits & 0x3fff) + 1;
		info->height = ((bits >> 14) & 0x3fff) + 1;
		return true;
	}
	if (!memcmp(d + 12, "VP8X", 4)) {
		info->width = le24(d + 24) + 1;
		info->height = le24(d + 27) + 1;
		return true;
	}
	return false;
}

const char *qoc_icon_check(const unsigned char *data, size_t len, struct qoc_icon_info *info)
{
	memset(info, 0, sizeof(*info));
	if (!data || len == 0)
		return "the icon is empty";
	if (len > QOC_ICON_MAX_BYTES)
		return "the icon is over 256 KiB";
	if (!png(data, len, info) && !jpeg(data, len, info) && !webp(data, len, info)) {
		memset(info, 0, sizeof(*info));
		return "the icon must be a PNG, JPEG or WebP image (SVG is not accepted)";
	}
	if (info->width < QOC_ICON_MIN_PX || info->height < QOC_ICON_MIN_PX ||
	    info->width > QOC_ICON_MAX_PX || info->height > QOC_ICON_MAX_PX)
		return "the icon must be 16 to 2048 pixels wide and high";
	return NULL;
}

enum qoc_err qoc_console_icon_set(const struct qoc_console_ctx *c,
                                  const struct qoc_console_actor *who,
                                  const struct qoc_console_app_ref *ref, const unsigned char *data,
                                  size_t len, const char *declared, struct qoc_icon_info *info,
                                  struct qoc_console_problem *p)
{
	memset(p, 0, sizeof(*p));
	if (!qoc_console_app_may(who, ref, QOC_ACT_EDIT))
		return qoc_console_refuse(p, QOC_EPERM, NULL, QOC_CONSOLE_ROLE_REFUSED);
	const char *why = qoc_icon_check(data, len, info);
	if (!why && (!declared || strcmp(declared, info->type) != 0))
		why = "the image is not of the type its Content-Type says";
	if (why)
		return qoc_console_refuse(p, QOC_EINVAL, "icon", why);
	struct qoc_audit_event ev = qoc_console_event(c, who, "app.icon.set", NULL);
	return qoc_store_app_set_icon(c->store, ref->app.client_id, data, len, info->type, &ev);
}

enum qoc_err qoc_console_icon_clear(const struct qoc_console_ctx *c,
                                    const struct qoc_console_actor *who,
                                    const struct qoc_console_app_ref *ref,
                                    struct qoc_console_problem *p)
{
	memset(p, 0, sizeof(*p));
	if (!qoc_console_app_may(who, ref, QOC_ACT_EDIT))
		return qoc_console_refuse(p, QOC_EPERM, NULL, QOC_CONSOLE_ROLE_REFUSED);
	struct qoc_audit_event ev = qoc_console_event(c, who, "app.icon.clear", NULL);
	return qoc_store_app_clear_icon(c->store, ref->app.client_id, &ev);
}

enum qoc_err qoc_console_icon_get(const struct qoc_console_ctx *c, struct qoc_arena *a,
                                  const char *client_id, const unsigned char **icon, size_t *len,
                                  const char **type)
{
	if (!client_id)
		return QOC_ENOTFOUND;
	return qoc_store_app_get_icon(c->store, a, client_id, icon, len, type);
}
