/* Unit tests for analytics/geo.c: the tor-geoipdb format (IPv4 and its geoip6 companion)
 * loaded and binary-searched, unknowns as ZZ, refusal of malformed files; the installed
 * Debian file when present; and the MMDB path through libmaxminddb on a tiny database
 * this test writes itself, after the MaxMind DB File Format Specification 2.0 (no MMDB
 * file can be downloaded here). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analytics/geo.h"

static char dir[64];
static char v4[96];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/qoc-geo-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(v4, sizeof(v4), "%s/geoip", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char p[128];
	snprintf(p, sizeof(p), "%s/geoip", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/geoip6", dir);
	unlink(p);
	rmdir(dir);
	return 0;
}

static const char *cc(const struct qoc_geo *g, const char *addr)
{
	static char out[3];
	qoc_geo_country(g, addr, out);
	return out;
}

/* 16777216 = 1.0.0.0; ranges deliberately out of order (the loader sorts). */
#define V4_RANGES                                                                                  \
	"# comment\n"                                                                              \
	"\n"                                                                                       \
	"33554432,33554687,JP\n"   /* 2.0.0.0 - 2.0.0.255 */                                       \
	"16777216,16777471,DE\n"   /* 1.0.0.0 - 1.0.0.255 */                                       \
	"16777472,16777727,??\n"   /* 1.0.1.0 - 1.0.1.255 */                                       \
	"134744064,134744319,US\n" /* 8.8.8.0 - 8.8.8.255 */

static void tor_ranges_are_binary_searched(void **state)
{
	(void)state;
	write_file(v4, V4_RANGES);
	struct qoc_geo *g = NULL;
	assert_int_equal(qoc_geo_open(v4, &g, NULL), QOC_OK);
	assert_string_equal(qoc_geo_kind(g), "tor-geoipdb");
	assert_int_equal(qoc_geo_ranges(g), 4);
	assert_string_equal(cc(g, "1.0.0.0"), "DE"); /* both ends are inside */
	assert_string_equal(cc(g, "1.0.0.255"), "DE");
	assert_string_equal(cc(g, "2.0.0.77"), "JP");
	assert_string_equal(cc(g, "8.8.8.8"), "US");
	assert_string_equal(cc(g, "::ffff:8.8.8.8"), "US");
	assert_string_equal(cc(g, "1.0.1.1"), "ZZ");       /* the file's own "??" */
	assert_string_equal(cc(g, "2.0.1.0"), "ZZ");       /* in no range */
	assert_string_equal(cc(g, "0.255.255.255"), "ZZ"); /* before the first */
	assert_string_equal(cc(g, "9.9.9.9"), "ZZ");       /* after the last */
	assert_string_equal(cc(g, "127.0.0.1"), "ZZ");     /* loopback */
	assert_string_equal(cc(g, "10.1.2.3"), "ZZ");      /* private */
	assert_string_equal(cc(g, "2001:4860::1"), "ZZ");  /* no geoip6 file */
	assert_string_equal(cc(g, "not an address"), "ZZ");
	assert_string_equal(cc(g, NULL), "ZZ");
	qoc_geo_free(g);
}

/* The same ranges in order (Debian's files are: they load in one pass) give the same
 * answers; overlapping ranges out of order keep the earlier start's country. */
static void sorted_and_overlapping_ranges(void **state)
{
	(void)state;
	write_file(v4, "16777216,16777471,DE\n16777472,16777727,??\n33554432,33554687,JP\n"
	               "134744064,134744319,US\n");
	struct qoc_geo *g = NULL;
	assert_int_equal(qoc_geo_open(v4, &g, NULL), QOC_OK);
	assert_int_equal(qoc_geo_ranges(g), 4);
	assert_string_equal(cc(g, "1.0.0.0"), "DE");
	assert_string_equal(cc(g, "1.0.0.255"), "DE");
	assert_string_equal(cc(g, "1.0.1.1"), "ZZ");
	assert_string_equal(cc(g, "1.0.2.0"), "ZZ"); /* the gap before 2.0.0.0 */
	assert_string_equal(cc(g, "2.0.0.0"), "JP");
	assert_string_equal(cc(g, "2.0.0.255"), "JP");
	assert_string_equal(cc(g, "2.0.1.0"), "ZZ");
	assert_string_equal(cc(g, "8.8.8.255"), "US");
	assert_string_equal(cc(g, "8.8.9.0"), "ZZ");
	assert_string_equal(cc(g, "255.255.255.255"), "ZZ");
	qoc_geo_free(g);
	/* 2.0.0.0-2.0.0.255 JP, then 2.0.0.128-2.0.1.255 FR given first: sorted by start,
	 * the overlap stays JP and the rest is FR */
	write_file(v4, "33554560,33554943,FR\n33554432,33554687,JP\n");
	assert_int_equal(qoc_geo_open(v4, &g, NULL), QOC_OK);
	assert_string_equal(cc(g, "2.0.0.200"), "JP");
	assert_string_equal(cc(g, "2.0.1.9"), "FR");
	assert_string_equal(cc(g, "2.0.2.0"), "ZZ");
	assert_string_equal(cc(g, "1.255.255.255"), "ZZ");
	qoc_geo_free(g);
}

static void geoip6_companion_file(void **state)
{
	(void)state;
	char p6[128];
	snprintf(p6, sizeof(p6), "%s/geoip6", dir);
	write_file(v4, V4_RANGES);
	write_file(p6, "2001:4860::,2001:4860:ffff:ffff:ffff:ffff:ffff:ffff,US\n"
	               "2001:200::,2001:200:ffff:ffff:ffff:ffff:ffff:ffff,JP\n");
	struct qoc_geo *g = NULL;
	assert_int_equal(qoc_geo_open(v4, &g, NULL), QOC_OK);
	assert_int_equal(qoc_geo_ranges(g), 6);
	assert_string_equal(cc(g, "2001:4860::8888"), "US");
	assert_string_equal(cc(g, "2001:200::1"), "JP");
	assert_string_equal(cc(g, "2001:201::1"), "ZZ");
	assert_string_equal(cc(g, "fe80::1"), "ZZ");
	assert_string_equal(cc(g, "1.0.0.9"), "DE");
	qoc_geo_free(g);
	write_file(p6, "2001:4860::,nope,US\n");
	const char *why = NULL;
	assert_int_equal(qoc_geo_open(v4, &g, &why), QOC_EINVAL);
	assert_null(g);
	assert_non_null(why);
}

static void malformed_and_missing_files_are_refused(void **state)
{
	(void)state;
	const char *bad[] = {
	    "1,2\n",    "1,2,DEU\n",        "2,1,DE\n", "x,2,DE\n", "1,99999999999,DE\n",
	    "1,2,de\n", "# only comments\n"};
	struct qoc_geo *g = NULL;
	const char *why;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(v4, bad[i]);
		why = NULL;
		assert_int_equal(qoc_geo_open(v4, &g, &why), QOC_EINVAL);
		assert_null(g);
		assert_non_null(why);
	}
	char missing[128];
	snprintf(missing, sizeof(missing), "%s/none", dir);
	assert_int_equal(qoc_geo_open(missing, &g, &why), QOC_EIO);
	assert_string_equal(why, "cannot be read");
	/* no path: a handle that knows nothing */
	assert_int_equal(qoc_geo_open(NULL, &g, NULL), QOC_OK);
	assert_string_equal(qoc_geo_kind(g), "none");
	assert_string_equal(cc(g, "8.8.8.8"), "ZZ");
	qoc_geo_free(g);
	qoc_geo_free(NULL);
	assert_string_equal(cc(NULL, "8.8.8.8"), "ZZ");
}

/* --- a minimal MMDB writer (MaxMind DB format 2.0), enough for one IPv4 /24 --- */

struct mm {
	unsigned char b[1024];
	size_t n;
};

static void put(struct mm *m, const void *p, size_t n)
{
	assert_true(m->n + n <= sizeof(m->b));
	memcpy(m->b + m->n, p, n);
	m->n += n;
}
static void byte(struct mm *m, unsigned v)
{
	unsigned char c = (unsigned char)v;
	put(m, &c, 1);
}
/* A field of type 1..7 (control byte: type << 5 | size) or extended (type 0, then type - 7). */
static void ctrl(struct mm *m, unsigned type, unsigned size)
{
	assert_true(size < 29);
	if (type <= 7) {
		byte(m, type << 5 | size);
	} else {
		byte(m, size);
		byte(m, type - 7);
	}
}
static void str(struct mm *m, const char *s)
{
	ctrl(m, 2, (unsigned)strlen(s));
	put(m, s, strlen(s));
}
static void uint_(struct mm *m, unsigned type, unsigned v) /* uint16 (5), uint32 (6), uint64 (9) */
{
	if (v == 0) {
		ctrl(m, type, 0);
	} else if (v < 256) {
		ctrl(m, type, 1);
		byte(m, v);
	} else {
		ctrl(m, type, 2);
		byte(m, v >> 8);
		byte(m, v & 255);
	}
}

/* An IPv4 tree of 24 nodes along the bits of a.b.c.0/24: the other branch of each node is
 * "not found" (node_count), the 25th bit's both branches point at one record:
 * {"country": {"iso_code": cc}}. */
static void write_mmdb(const char *path, const unsigned char net[3], const char *cc)
{
	struct mm m = {0};
	const unsigned nodes = 24, empty = nodes, data = nodes + 16; /* data record at offset 0 */
	for (unsigned i = 0; i < nodes; i++) {
		unsigned bit = (net[i / 8] >> (7 - i % 8)) & 1;
		unsigned on_path = i + 1 < nodes ? i + 1 : data;
		unsigned left = bit ? empty : on_path, right = bit ? on_path : empty;
		unsigned char rec[6] = {left >> 16,  left >> 8 & 255,  left & 255,
		                        right >> 16, right >> 8 & 255, right & 255};
		put(&m, rec, 6);
	}
	put(&m, (unsigned char[16]){0}, 16); /* the data section separator */
	ctrl(&m, 7, 1);
	str(&m, "country");
	ctrl(&m, 7, 1);
	str(&m, "iso_code");
	str(&m, cc);
	put(&m, "\xab\xcd\xefMaxMind.com", 14);
	ctrl(&m, 7, 9);
	str(&m, "node_count");
	uint_(&m, 6, nodes);
	str(&m, "record_size");
	uint_(&m, 5, 24);
	str(&m, "ip_version");
	uint_(&m, 5, 4);
	str(&m, "database_type");
	str(&m, "QOC-Test-Country");
	str(&m, "languages");
	ctrl(&m, 11, 1);
	str(&m, "en");
	str(&m, "binary_format_major_version");
	uint_(&m, 5, 2);
	str(&m, "binary_format_minor_version");
	uint_(&m, 5, 0);
	str(&m, "build_epoch");
	uint_(&m, 9, 1);
	str(&m, "description");
	ctrl(&m, 7, 1);
	str(&m, "en");
	str(&m, "test");
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(m.b, 1, m.n, f), m.n);
	fclose(f);
}

static void mmdb_country_look_up(void **state)
{
	(void)state;
	char p[128];
	snprintf(p, sizeof(p), "%s/geoip", dir); /* the name does not matter, the content does */
	write_mmdb(p, (const unsigned char[3]){81, 2, 69}, "DE");
	struct qoc_geo *g = NULL;
	const char *why = NULL;
	assert_int_equal(qoc_geo_open(p, &g, &why), QOC_OK);
	assert_string_equal(qoc_geo_kind(g), "mmdb");
	assert_string_equal(cc(g, "81.2.69.160"), "DE");
	assert_string_equal(cc(g, "81.2.69.0"), "DE");
	assert_string_equal(cc(g, "81.2.70.1"), "ZZ");   /* not in the database */
	assert_string_equal(cc(g, "10.0.0.1"), "ZZ");    /* private: never looked up */
	assert_string_equal(cc(g, "2001:db8::1"), "ZZ"); /* IPv6 in an IPv4 database */
	qoc_geo_free(g);
	write_mmdb(p, (const unsigned char[3]){81, 2, 69}, "??"); /* the database's own unknown */
	assert_int_equal(qoc_geo_open(p, &g, NULL), QOC_OK);
	assert_string_equal(cc(g, "81.2.69.160"), "ZZ");
	qoc_geo_free(g);
}

/* The file `make run` installs: an address of its first German range is German. */
static void debian_tor_geoipdb(void **state)
{
	(void)state;
	FILE *f = fopen("/usr/share/tor/geoip", "r");
	if (!f) {
		skip();
		return;
	}
	char line[128];
	unsigned long lo = 0, hi = 0;
	char c[3] = "";
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lu,%lu,%2s", &lo, &hi, c) == 3 && strcmp(c, "DE") == 0)
			break;
	fclose(f);
	assert_string_equal(c, "DE");
	char addr[32];
	unsigned long ip = lo + (hi - lo) / 2;
	snprintf(addr, sizeof(addr), "%lu.%lu.%lu.%lu", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255,
	         ip & 255);
	struct qoc_geo *g = NULL;
	assert_int_equal(qoc_geo_open("/usr/share/tor/geoip", &g, NULL), QOC_OK);
	assert_true(qoc_geo_ranges(g) > 100000);
	assert_string_equal(cc(g, addr), "DE");
	assert_string_equal(cc(g, "192.168.1.1"), "ZZ");
	qoc_geo_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(tor_ranges_are_binary_searched, setup, teardown),
	    cmocka_unit_test_setup_teardown(sorted_and_overlapping_ranges, setup, teardown),
	    cmocka_unit_test_setup_teardown(geoip6_companion_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(malformed_and_missing_files_are_refused, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(mmdb_country_look_up, setup, teardown),
	    cmocka_unit_test(debian_tor_geoipdb),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
