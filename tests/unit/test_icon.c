/* Unit tests for src/console/icon.c: magic bytes and dimensions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "console/icon.h"

static size_t png_of(unsigned char *b, uint32_t w, uint32_t h)
{
	static const unsigned char head[16] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
	                                       0,    0,   0,   13,  'I',  'H',  'D',  'R'};
	memcpy(b, head, 16);
	for (int i = 0; i < 4; i++) {
		b[16 + i] = (unsigned char)(w >> (24 - 8 * i));
		b[20 + i] = (unsigned char)(h >> (24 - 8 * i));
	}
	memset(b + 24, 0, 16);
	return 40;
}

static void formats_and_dimensions(void **state)
{
	(void)state;
	unsigned char b[64];
	struct qoc_icon_info info;
	size_t n = png_of(b, 64, 48);
	assert_null(qoc_icon_check(b, n, &info));
	assert_string_equal(info.type, "image/png");
	assert_int_equal(info.width, 64);
	assert_int_equal(info.height, 48);
	n = png_of(b, 8, 64);
	assert_non_null(qoc_icon_check(b, n, &info));
	n = png_of(b, 64, 100000);
	assert_non_null(qoc_icon_check(b, n, &info));

	/* JPEG: SOI, APP0 (length 4), SOF0 with height 32, width 40. */
	static const unsigned char jpg[] = {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00,
	                                    0x00, 0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00,
	                                    0x20, 0x00, 0x28, 0x01, 0x01, 0x11, 0x00};
	assert_null(qoc_icon_check(jpg, sizeof(jpg), &info));
	assert_string_equal(info.type, "image/jpeg");
	assert_int_equal(info.width, 40);
	assert_int_equal(info.height, 32);
	assert_non_null(qoc_icon_check(jpg, 12, &info)); /* truncated */

	/* WebP VP8X, canvas 100 x 50. */
	unsigned char w[30] = {'R', 'I', 'F', 'F', 0,   0,   0,   0,
	                       'W', 'E', 'B', 'P', 'V', 'P', '8', 'X'};
	w[24] = 99;
	w[27] = 49;
	assert_null(qoc_icon_check(w, sizeof(w), &info));
	assert_string_equal(info.type, "image/webp");
	assert_int_equal(info.width, 100);
	assert_int_equal(info.height, 50);

	static const char svg[] = "<svg xmlns=\"http://www.w3.org/2000/svg\"><script/></svg>";
	assert_non_null(qoc_icon_check((const unsigned char *)svg, sizeof(svg) - 1, &info));
	assert_null(info.type);
	static const char gif[] = "GIF89a\x10\x00\x10\x00";
	assert_non_null(qoc_icon_check((const unsigned char *)gif, sizeof(gif) - 1, &info));
	assert_non_null(qoc_icon_check(b, 0, &info));
	assert_non_null(qoc_icon_check(b, QOC_ICON_MAX_BYTES + 1, &info));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(formats_and_dimensions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
