/* Unit tests for analytics/geo.c: the tor-geoipdb format (IPv4 and its geoip6 companion)
 * loaded and binary-searched, unknowns as ZZ, refusal of malformed files; the installed
 * Debian file when present; and the MMDB path through libmaxminddb on a tiny database
 * this test writes itself, after the MaxMind DB File Format Specification 2.0 (no MMDB
 * file can be downloaded here). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analytics/geo.h"
#include "core/cidr.h"

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

/* The i-th of 26 * 26 two-letter codes: AA, AB, ... ZZ. */
static void code(unsigned i, char out[3])
{
	out[0] = (char)('A' + i / 26 % 26);
	out[1] = (char)('A' + i % 26);
	out[2] = '\0';
}

/* Writes n /24 ranges from 1.0.0.0 up, one code each (range i: code i), forwards or backwards
 * (the loader then sorts), with a gap /24 between neighbours and "??" for every 7th. */
static void write_many_codes(const char *path, unsigned n, bool backwards)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	for (unsigned k = 0; k < n; k++) {
		unsigned i = backwards ? n - 1 - k : k;
		unsigned long lo = 16777216UL + i * 512UL;
		char c[3];
		code(i, c);
		fprintf(f, "%lu,%lu,%s\n", lo, lo + 255, i % 7 == 3 ? "??" : c);
	}
	fclose(f);
}

/* A byte indexes the countries of a table; a file may still name more codes than a byte
 * holds (Debian's geoip6 names 258): those past the 254th still answer. */
static void more_country_codes_than_a_byte_indexes(void **state)
{
	(void)state;
	const unsigned n = 300;
	for (int backwards = 0; backwards <= 1; backwards++) {
		write_many_codes(v4, n, backwards);
		struct qoc_geo *g = NULL;
		const char *why = NULL;
		assert_int_equal(qoc_geo_open(v4, &g, &why), QOC_OK);
		assert_int_equal(qoc_geo_ranges(g), n);
		for (unsigned i = 0; i < n; i++) {
			unsigned long lo = 16777216UL + i * 512UL;
			char a[32], want[3];
			code(i, want);
			if (i % 7 == 3)
				memcpy(want, "ZZ", 3);
			snprintf(a, sizeof(a), "%lu.%lu.%lu.%lu", lo >> 24, lo >> 16 & 255,
			         lo >> 8 & 255, lo & 255);
			assert_string_equal(cc(g, a), want);
			snprintf(a, sizeof(a), "%lu.%lu.%lu.255", lo >> 24, lo >> 16 & 255,
			         lo >> 8 & 255);
			assert_string_equal(cc(g, a), want);
			snprintf(a, sizeof(a), "%lu.%lu.%lu.0", lo >> 24, lo >> 16 & 255,
			         (lo >> 8 & 255) + 1);
			assert_string_equal(cc(g, a), "ZZ"); /* the gap after it */
		}
		qoc_geo_free(g);
	}
}

/* The ends of the IPv4 space: a range from 0.0.0.0, one up to 255.255.255.255, one that is
 * only 255.255.255.255, and one that is the whole space. 0.0.0.0/8 and 224.0.0.0/3 are not
 * routable (always "ZZ"), so the answers are read just inside them. */
static void ipv4_space_ends(void **state)
{
	(void)state;
	const char *files[] = {
	    "0,16777471,AU\n3741319168,4294967295,US\n",
	    "3741319168,4294967295,US\n0,16777471,AU\n", /* out of order */
	    "0,16777471,AU\n3741319168,4294967294,US\n4294967295,4294967295,FR\n",
	    "4294967295,4294967295,FR\n3741319168,4294967294,US\n0,16777471,AU\n",
	    "0,16777471,AU\n3741319168,4294967295,US\n3741319169,4294967295,FR\n"
	    "4294967295,4294967295,FR\n", /* inside the last: dropped */
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		write_file(v4, files[i]);
		struct qoc_geo *g = NULL;
		assert_int_equal(qoc_geo_open(v4, &g, NULL), QOC_OK);
		assert_string_equal(cc(g, "1.0.0.0"), "AU");
		assert_string_equal(cc(g, "1.0.0.255"), "AU");
		assert_string_equal(cc(g, "1.0.1.0"), "ZZ");
		assert_string_equal(cc(g, "222.255.255.255"), "ZZ");
		assert_string_equal(cc(g, "223.0.0.0"), "US");
		assert_string_equal(cc(g, "223.255.255.255"), "US");
		assert_string_equal(cc(g, "::ffff:223.255.255.255"), "US");
		assert_string_equal(cc(g, "0.0.0.0"), "ZZ");
		assert_string_equal(cc(g, "255.255.255.255"), "ZZ");
		qoc_geo_free(g);
	}
	write_file(v4, "0,4294967295,NL\n");
	struct qoc_geo *g = NULL;
	assert_int_equal(qoc_geo_open(v4, &g, NULL), QOC_OK);
	assert_int_equal(qoc_geo_ranges(g), 1);
	assert_string_equal(cc(g, "1.0.0.0"), "NL");
	assert_string_equal(cc(g, "8.8.8.8"), "NL");
	assert_string_equal(cc(g, "223.255.255.255"), "NL");
	assert_string_equal(cc(g, "2001:4860::1"), "ZZ");
	qoc_geo_free(g);
	/* and the top of the IPv6 space (fe00::/9 is routable, fe80::/10 and ff00::/8 not) */
	char p6[128];
	snprintf(p6, sizeof(p6), "%s/geoip6", dir);
	write_file(p6, "fe00::,ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff,AU\n"
	               "ffff::,ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff,FR\n");
	assert_int_equal(qoc_geo_open(v4, &g, NULL), QOC_OK);
	assert_string_equal(cc(g, "fe00::1"), "AU");
	assert_string_equal(cc(g, "fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), "AU");
	assert_string_equal(cc(g, "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), "ZZ");
	assert_string_equal(cc(g, "8.8.8.8"), "NL");
	qoc_geo_free(g);
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

/* A range of a Debian file as this test reads it: IPv6 by its upper 64 bits, as the loader
 * keys it. */
struct ref_range {
	uint64_t lo, hi;
	size_t line;
	char cc[3];
};

static int cmp_ref(const void *x, const void *y)
{
	const struct ref_range *a = x, *b = y;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return a->line < b->line ? -1 : a->line > b->line;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

static uint64_t key6(const char *s)
{
	unsigned char b[16];
	assert_int_equal(inet_pton(AF_INET6, s, b), 1);
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

static size_t read_ref(const char *path, bool v6, struct ref_range **out)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = 0, cap = 0;
	struct ref_range *r = NULL;
	char line[256];
	while (fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
		if (line[0] == '#' || !c2)
			continue;
		*c1 = *c2 = '\0';
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			r = realloc(r, cap * sizeof(*r));
			assert_non_null(r);
		}
		r[n].lo = v6 ? key6(line) : strtoull(line, NULL, 10);
		r[n].hi = v6 ? key6(c1 + 1) : strtoull(c1 + 1, NULL, 10);
		r[n].line = n;
		memcpy(r[n].cc, c2 + 1, 2);
		r[n].cc[2] = '\0';
		n++;
	}
	fclose(f);
	qsort(r, n, sizeof(*r), cmp_ref);
	*out = r;
	return n;
}

static void key_text(bool v6, uint64_t k, char *a, size_t size)
{
	if (!v6) {
		snprintf(a, size, "%u.%u.%u.%u", (unsigned)(k >> 24), (unsigned)(k >> 16 & 255),
		         (unsigned)(k >> 8 & 255), (unsigned)(k & 255));
		return;
	}
	unsigned char b[16] = {0};
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(k >> (56 - 8 * i));
	assert_non_null(inet_ntop(AF_INET6, b, a, (socklen_t)size));
}

/* The answers of the loaded table against a plain model of the file: an address belongs to
 * the first range (by start, then file order) that holds it, "??" and no range answer "ZZ",
 * and so do the non-routable addresses. Sampled at both ends of every 13th range, just
 * outside them and in the middle. */
static void compare_with_file(const struct qoc_geo *g, const char *path, bool v6)
{
	struct ref_range *r;
	size_t n = read_ref(path, v6, &r), ns = 0;
	assert_true(n > 1000);
	uint64_t *s = malloc((n / 13 + 1) * 5 * sizeof(*s));
	assert_non_null(s);
	for (size_t i = 0; i < n; i += 13) {
		if (r[i].lo > 0)
			s[ns++] = r[i].lo - 1;
		s[ns++] = r[i].lo;
		s[ns++] = r[i].lo + (r[i].hi - r[i].lo) / 2;
		s[ns++] = r[i].hi;
		if (r[i].hi < (v6 ? UINT64_MAX : UINT32_MAX))
			s[ns++] = r[i].hi + 1;
	}
	qsort(s, ns, sizeof(*s), cmp_u64);
	size_t p = 0; /* ranges before p end before the sample */
	for (size_t i = 0; i < ns; i++) {
		char a[64], want[3] = "ZZ";
		struct qoc_ip ip;
		while (p < n && r[p].hi < s[i])
			p++;
		key_text(v6, s[i], a, sizeof(a));
		assert_true(qoc_ip_parse(a, strlen(a), &ip));
		if (p < n && r[p].lo <= s[i] && strcmp(r[p].cc, "??") != 0 &&
		    !qoc_ip_is_private(&ip))
			memcpy(want, r[p].cc, 3);
		if (strcmp(cc(g, a), want) != 0)
			fail_msg("%s: %s answers %s, the file says %s", path, a, cc(g, a), want);
	}
	free(s);
	free(r);
}

static void debian_files_answer_as_written(void **state)
{
	(void)state;
	if (access("/usr/share/tor/geoip", R_OK) != 0) {
		skip();
		return;
	}
	struct qoc_geo *g = NULL;
	const char *why = NULL;
	assert_int_equal(qoc_geo_open("/usr/share/tor/geoip", &g, &why), QOC_OK);
	compare_with_file(g, "/usr/share/tor/geoip", false);
	if (access("/usr/share/tor/geoip6", R_OK) == 0)
		compare_with_file(g, "/usr/share/tor/geoip6", true);
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
	    cmocka_unit_test_setup_teardown(more_country_codes_than_a_byte_indexes, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(ipv4_space_ends, setup, teardown),
	    cmocka_unit_test(debian_files_answer_as_written),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
