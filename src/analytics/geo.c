/* geo.c - see geo.h. */
#include "analytics/geo.h"

#include <errno.h>
#include <maxminddb.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cidr.h"

struct range4 {
	uint32_t lo, hi;
	char cc[2];
};

/* IPv6 ranges by their upper 64 bits: allocations and the database's boundaries are /64 or
 * coarser (a boundary inside a /64 would only blur that one /64), and it halves the table. */
struct range6 {
	uint64_t lo, hi;
	char cc[2];
};

enum kind { GEO_NONE, GEO_MMDB, GEO_TOR };

struct qoc_geo {
	enum kind kind;
	MMDB_s mmdb;
	struct range4 *v4;
	size_t n4;
	struct range6 *v6;
	size_t n6;
};

#define LINE_MAX_LEN 256

static bool cc_ok(const char *s, size_t n)
{
	return n == 2 && ((s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z') ||
	                  (s[0] == '?' && s[1] == '?'));
}

static bool parse_u32(const char *s, size_t n, uint32_t *out)
{
	uint64_t v = 0;
	if (n == 0 || n > 10)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* Splits "a,b,CC" (trailing newline stripped). */
static bool split3(char *line, const char **a, size_t *na, const char **b, size_t *nb,
                   const char **c, size_t *nc)
{
	line[strcspn(line, "\r\n")] = '\0';
	char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
	if (!c2)
		return false;
	*a = line;
	*na = (size_t)(c1 - line);
	*b = c1 + 1;
	*nb = (size_t)(c2 - c1 - 1);
	*c = c2 + 1;
	*nc = strlen(c2 + 1);
	return true;
}

static void *grow(void *p, size_t *cap, size_t size)
{
	size_t ncap = *cap ? *cap * 2 : 4096;
	void *q = realloc(p, ncap * size);
	if (q)
		*cap = ncap;
	return q;
}

static int cmp4(const void *x, const void *y)
{
	const struct range4 *a = x, *b = y;
	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

static int cmp6(const void *x, const void *y)
{
	const struct range6 *a = x, *b = y;
	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

static uint64_t upper64(const uint8_t b[16])
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

/* One line of either file; comments and blank lines are skipped, a malformed line is
 * an error (a truncated or foreign file must not load half). */
static enum qoc_err add_line(struct qoc_geo *g, char *line, bool v6, size_t *cap)
{
	const char *a, *b, *c;
	size_t na, nb, nc;
	if (line[0] == '#' || line[0] == '\n' || line[0] == '\r' || line[0] == '\0')
		return QOC_OK;
	if (!split3(line, &a, &na, &b, &nb, &c, &nc) || !cc_ok(c, nc))
		return QOC_EINVAL;
	if (!v6) {
		struct range4 r;
		if (!parse_u32(a, na, &r.lo) || !parse_u32(b, nb, &r.hi) || r.hi < r.lo)
			return QOC_EINVAL;
		memcpy(r.cc, c, 2);
		if (g->n4 == *cap && !(g->v4 = grow(g->v4, cap, sizeof(r))))
			return QOC_ENOMEM;
		g->v4[g->n4++] = r;
		return QOC_OK;
	}
	struct range6 r;
	struct qoc_ip lo, hi;
	if (!qoc_ip_parse(a, na, &lo) || !qoc_ip_parse(b, nb, &hi) || memcmp(hi.b, lo.b, 16) < 0)
		return QOC_EINVAL;
	r.lo = upper64(lo.b);
	r.hi = upper64(hi.b);
	memcpy(r.cc, c, 2);
	if (g->n6 == *cap && !(g->v6 = grow(g->v6, cap, sizeof(r))))
		return QOC_ENOMEM;
	g->v6[g->n6++] = r;
	return QOC_OK;
}

static enum qoc_err load_text(struct qoc_geo *g, FILE *f, bool v6)
{
	char line[LINE_MAX_LEN];
	size_t cap = 0;
	enum qoc_err err = QOC_OK;
	while (!err && fgets(line, sizeof(line), f)) {
		if (!strchr(line, '\n') && !feof(f))
			err = QOC_EINVAL; /* longer than any valid line */
		else
			err = add_line(g, line, v6, &cap);
	}
	if (!err && ferror(f))
		err = QOC_EIO;
	return err;
}

static enum qoc_err load_tor(struct qoc_geo *g, const char *path, const char **why)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		*why = "cannot be read";
		return QOC_EIO;
	}
	enum qoc_err err = load_text(g, f, false);
	fclose(f);
	if (err) {
		*why = "is neither an MMDB file nor tor-geoipdb ranges";
		return err;
	}
	size_t plen = strlen(path);
	char *p6 = malloc(plen + 2);
	if (!p6)
		return QOC_ENOMEM;
	memcpy(p6, path, plen);
	memcpy(p6 + plen, "6", 2);
	f = fopen(p6, "r");
	free(p6);
	if (f) { /* optional: IPv6 addresses are then unknown */
		err = load_text(g, f, true);
		fclose(f);
		if (err) {
			*why = "has a malformed IPv6 companion file (<path>6)";
			return err;
		}
	}
	if (g->n4 == 0) {
		*why = "holds no ranges";
		return QOC_EINVAL;
	}
	/* Give back what the doubling over-allocated (up to half the tables). */
	struct range4 *v4 = realloc(g->v4, g->n4 * sizeof(*g->v4));
	if (v4)
		g->v4 = v4;
	if (g->n6) {
		struct range6 *v6 = realloc(g->v6, g->n6 * sizeof(*g->v6));
		if (v6)
			g->v6 = v6;
	}
	qsort(g->v4, g->n4, sizeof(*g->v4), cmp4);
	if (g->n6)
		qsort(g->v6, g->n6, sizeof(*g->v6), cmp6);
	g->kind = GEO_TOR;
	return QOC_OK;
}

enum qoc_err qoc_geo_open(const char *path, struct qoc_geo **out, const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	*why = NULL;
	*out = NULL;
	struct qoc_geo *g = calloc(1, sizeof(*g));
	if (!g)
		return QOC_ENOMEM;
	enum qoc_err err = QOC_OK;
	if (path && path[0]) {
		int rc = MMDB_open(path, MMDB_MODE_MMAP, &g->mmdb);
		if (rc == MMDB_SUCCESS)
			g->kind = GEO_MMDB;
		else if (rc == MMDB_FILE_OPEN_ERROR) {
			*why = "cannot be read";
			err = QOC_EIO;
		} else
			err = load_tor(g, path, why);
	}
	if (err) {
		qoc_geo_free(g);
		return err;
	}
	*out = g;
	return QOC_OK;
}

void qoc_geo_free(struct qoc_geo *g)
{
	if (!g)
		return;
	if (g->kind == GEO_MMDB)
		MMDB_close(&g->mmdb);
	free(g->v4);
	free(g->v6);
	free(g);
}

const char *qoc_geo_kind(const struct qoc_geo *g)
{
	static const char *const names[] = {"none", "mmdb", "tor-geoipdb"};
	return g ? names[g->kind] : "none";
}

size_t qoc_geo_ranges(const struct qoc_geo *g)
{
	return g ? g->n4 + g->n6 : 0;
}

static const char *find4(const struct qoc_geo *g, uint32_t ip)
{
	size_t lo = 0, hi = g->n4; /* the last range with r.lo <= ip */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (g->v4[mid].lo <= ip)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || g->v4[lo - 1].hi < ip)
		return NULL;
	return g->v4[lo - 1].cc;
}

static const char *find6(const struct qoc_geo *g, const uint8_t ip[16])
{
	uint64_t x = upper64(ip);
	size_t lo = 0, hi = g->n6;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (g->v6[mid].lo <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || g->v6[lo - 1].hi < x)
		return NULL;
	return g->v6[lo - 1].cc;
}

static bool mmdb_cc(const struct qoc_geo *g, const char *addr, char cc[3])
{
	int gai = 0, merr = 0;
	MMDB_lookup_result_s r = MMDB_lookup_string((MMDB_s *)&g->mmdb, addr, &gai, &merr);
	if (gai || merr != MMDB_SUCCESS || !r.found_entry)
		return false;
	MMDB_entry_data_s d;
	if ((MMDB_get_value(&r.entry, &d, "country", "iso_code", NULL) != MMDB_SUCCESS ||
	     !d.has_data) &&
	    (MMDB_get_value(&r.entry, &d, "registered_country", "iso_code", NULL) != MMDB_SUCCESS ||
	     !d.has_data))
		return false;
	if (d.type != MMDB_DATA_TYPE_UTF8_STRING || !cc_ok(d.utf8_string, d.data_size))
		return false;
	memcpy(cc, d.utf8_string, 2);
	cc[2] = '\0';
	return true;
}

void qoc_geo_country(const struct qoc_geo *g, const char *addr, char cc[3])
{
	struct qoc_ip ip;
	const char *found = NULL;
	memcpy(cc, "ZZ", 3);
	if (!g || !addr || !qoc_ip_parse(addr, strlen(addr), &ip) || qoc_ip_is_private(&ip))
		return;
	if (g->kind == GEO_MMDB) {
		if (mmdb_cc(g, addr, cc) && strcmp(cc, "??") == 0)
			memcpy(cc, "ZZ", 3);
		return;
	}
	if (g->kind != GEO_TOR)
		return;
	found = qoc_ip_is_v4(&ip) ? find4(g, qoc_ip_v4(&ip)) : find6(g, ip.b);
	if (found && found[0] != '?') {
		cc[0] = found[0];
		cc[1] = found[1];
	}
}
