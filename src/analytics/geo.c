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

/* The tor-geoipdb ranges as a sorted list of boundaries: bound i covers the addresses from
 * start[i] up to start[i + 1] - 1 and belongs to country ci[i], or to no country when ci[i]
 * is 0 (a gap between two ranges, the space after the last one, or the database's own "??":
 * all three answer "ZZ"). IPv4 starts take 4 bytes, IPv6 starts 8 (the upper 64 bits of the
 * address: allocations and the database's boundaries are /64 or coarser, a boundary inside a
 * /64 would only blur that one /64), and the country 1 byte: an index into codes, the
 * distinct codes in the order the file first names them. Debian's IPv6 file names 258
 * codes, more than a byte can index, so index RARE sends the look-up to rare, a short list
 * of (bound, code) for the codes named after the table filled (4 bounds in Debian's file).
 * About 2 + 2.6 MB for Debian's IPv4 + IPv6 files (10 bytes a bound took 6.7 MB); a look-up
 * is one binary search. */
#define NCODES 254 /* indexes 1..254; 0 is no country, 255 is RARE */
#define RARE 255
#define CODE_SLOTS (26 * 26)

struct rare {
	size_t at; /* the bound */
	char cc[2];
};

struct bounds {
	bool wide;     /* IPv6: starts in s64, else in s32 */
	uint32_t *s32; /* IPv4 starts */
	uint64_t *s64; /* IPv6 starts */
	uint8_t *ci;   /* country of each bound: 0 none, 1..NCODES codes[ci - 1], RARE */
	size_t n, cap;
	char codes[NCODES][2];
	unsigned ncodes;
	uint8_t slot[CODE_SLOTS]; /* "AA".."ZZ" -> index into codes + 1 (0: not yet seen) */
	struct rare *rare;        /* ascending by at */
	size_t nrare;
	size_t ranges;    /* ranges read (what qoc_geo_ranges counts) */
	uint64_t last_lo; /* start of the last range appended */
	uint64_t last_hi; /* end of the last range appended */
	bool disorder;    /* a range started before the previous one started */
};

/* A range as read, for files that are not in order (sorted before they are appended). */
struct range {
	uint64_t lo, hi;
	char cc[2];
};

enum kind { GEO_NONE, GEO_MMDB, GEO_TOR };

struct qoc_geo {
	enum kind kind;
	MMDB_s mmdb;
	struct bounds v4, v6;
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

static uint64_t upper64(const uint8_t b[16])
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

static void bounds_free(struct bounds *t)
{
	bool wide = t->wide;
	free(t->s32);
	free(t->s64);
	free(t->ci);
	free(t->rare);
	memset(t, 0, sizeof(*t));
	t->wide = wide;
}

/* Resizes the arrays of t to hold ncap bounds. On failure t->cap stays: an array already
 * resized is at least as large as before when growing, and the shrink comes last. */
static enum qoc_err bounds_resize(struct bounds *t, size_t ncap)
{
	if (t->wide) {
		uint64_t *s = realloc(t->s64, ncap * sizeof(*s));
		if (!s)
			return QOC_ENOMEM;
		t->s64 = s;
	} else {
		uint32_t *s = realloc(t->s32, ncap * sizeof(*s));
		if (!s)
			return QOC_ENOMEM;
		t->s32 = s;
	}
	uint8_t *c = realloc(t->ci, ncap * sizeof(*c));
	if (!c)
		return QOC_ENOMEM;
	t->ci = c;
	t->cap = ncap;
	return QOC_OK;
}

/* The country index of cc for the next bound of t (cc NULL: no country); a code the table
 * has no room for goes to t->rare. */
static enum qoc_err country_index(struct bounds *t, const char *cc, uint8_t *out)
{
	*out = 0;
	if (!cc || cc[0] == '?') /* cc_ok: "??" is the only code that is not two letters */
		return QOC_OK;
	unsigned k = (unsigned)(cc[0] - 'A') * 26 + (unsigned)(cc[1] - 'A');
	if (!t->slot[k] && t->ncodes < NCODES) {
		memcpy(t->codes[t->ncodes++], cc, 2);
		t->slot[k] = (uint8_t)t->ncodes;
	}
	if (t->slot[k]) {
		*out = t->slot[k];
		return QOC_OK;
	}
	/* rare codes are rare: growing one entry at a time keeps the list exact */
	struct rare *r = realloc(t->rare, (t->nrare + 1) * sizeof(*r));
	if (!r)
		return QOC_ENOMEM;
	t->rare = r;
	r[t->nrare].at = t->n;
	memcpy(r[t->nrare].cc, cc, 2);
	t->nrare++;
	*out = RARE;
	return QOC_OK;
}

/* Appends a bound at start (an IPv4 table is only given starts that fit 32 bits). */
static enum qoc_err bounds_push(struct bounds *t, uint64_t start, const char *cc)
{
	enum qoc_err err;
	uint8_t ci;
	if (t->n == t->cap && (err = bounds_resize(t, t->cap ? t->cap * 2 : 1024)))
		return err;
	if ((err = country_index(t, cc, &ci)))
		return err;
	if (t->wide)
		t->s64[t->n] = start;
	else
		t->s32[t->n] = (uint32_t)start;
	t->ci[t->n] = ci;
	t->n++;
	return QOC_OK;
}

/* Appends [lo, hi] of cc after what t holds. A range that starts before the previous one
 * started sets t->disorder (the caller sorts and starts again); one that starts inside the
 * previous one loses its overlap (IPv6 ranges cut to /64 do that within one /64). */
static enum qoc_err bounds_add(struct bounds *t, uint64_t lo, uint64_t hi, const char cc[2])
{
	enum qoc_err err = QOC_OK;
	if (t->ranges && lo < t->last_lo) {
		t->disorder = true;
		return QOC_OK;
	}
	if (t->ranges && lo <= t->last_hi) {
		if (hi <= t->last_hi)
			return QOC_OK;
		lo = t->last_hi + 1;
	}
	if (t->ranges && lo > t->last_hi + 1)
		err = bounds_push(t, t->last_hi + 1, NULL);
	else if (!t->ranges && lo > 0)
		err = bounds_push(t, 0, NULL);
	if (!err)
		err = bounds_push(t, lo, cc);
	if (err)
		return err;
	t->last_lo = lo;
	t->last_hi = hi;
	t->ranges++;
	return QOC_OK;
}

/* Closes the table (the space after the last range belongs to nobody) and gives back what
 * the growth over-allocated. The growth only ever touched the pages it wrote (glibc serves
 * arrays this large from mmap and grows them with mremap), so the spare capacity was never
 * resident; the shrink returns it to the address space. */
static enum qoc_err bounds_finish(struct bounds *t, uint64_t max)
{
	if (t->ranges && t->last_hi < max) {
		enum qoc_err err = bounds_push(t, t->last_hi + 1, NULL);
		if (err)
			return err;
	}
	if (t->n && t->n < t->cap)
		(void)bounds_resize(t, t->n); /* a failed shrink keeps the larger arrays */
	return QOC_OK;
}

static int cmp_range(const void *x, const void *y)
{
	const struct range *a = x, *b = y;
	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

/* One line of either file: QOC_OK with *r, QOC_ENOTFOUND for a comment or a blank line,
 * QOC_EINVAL for a malformed one (a truncated or foreign file must not load half). */
static enum qoc_err parse_line(char *line, bool v6, struct range *r)
{
	const char *a, *b, *c;
	size_t na, nb, nc;
	if (line[0] == '#' || line[0] == '\n' || line[0] == '\r' || line[0] == '\0')
		return QOC_ENOTFOUND;
	if (!split3(line, &a, &na, &b, &nb, &c, &nc) || !cc_ok(c, nc))
		return QOC_EINVAL;
	memcpy(r->cc, c, 2);
	if (!v6) {
		uint32_t lo, hi;
		if (!parse_u32(a, na, &lo) || !parse_u32(b, nb, &hi) || hi < lo)
			return QOC_EINVAL;
		r->lo = lo;
		r->hi = hi;
		return QOC_OK;
	}
	struct qoc_ip lo, hi;
	if (!qoc_ip_parse(a, na, &lo) || !qoc_ip_parse(b, nb, &hi) || memcmp(hi.b, lo.b, 16) < 0)
		return QOC_EINVAL;
	r->lo = upper64(lo.b);
	r->hi = upper64(hi.b);
	return QOC_OK;
}

/* Calls fn for every range of the file, in file order. */
static enum qoc_err each_range(FILE *f, bool v6, enum qoc_err (*fn)(void *, const struct range *),
                               void *arg)
{
	char line[LINE_MAX_LEN];
	enum qoc_err err = QOC_OK;
	while (!err && fgets(line, sizeof(line), f)) {
		struct range r;
		if (!strchr(line, '\n') && !feof(f))
			return QOC_EINVAL; /* longer than any valid line */
		err = parse_line(line, v6, &r);
		if (err == QOC_ENOTFOUND)
			err = QOC_OK;
		else if (!err)
			err = fn(arg, &r);
	}
	if (!err && ferror(f))
		err = QOC_EIO;
	return err;
}

static enum qoc_err add_in_order(void *arg, const struct range *r)
{
	struct bounds *t = arg;
	return t->disorder ? QOC_OK : bounds_add(t, r->lo, r->hi, r->cc);
}

struct collected {
	struct range *r;
	size_t n, cap;
};

static enum qoc_err collect(void *arg, const struct range *r)
{
	struct collected *c = arg;
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 1024;
		struct range *p = realloc(c->r, ncap * sizeof(*p));
		if (!p)
			return QOC_ENOMEM;
		c->r = p;
		c->cap = ncap;
	}
	c->r[c->n++] = *r;
	return QOC_OK;
}

/* Loads one file into t. Debian's files are sorted: one pass straight into the table. A
 * file out of order is read again into a list, sorted, then added (a higher peak, for
 * files QOC does not ship with). */
static enum qoc_err load_text(struct bounds *t, FILE *f, bool v6)
{
	t->wide = v6;
	enum qoc_err err = each_range(f, v6, add_in_order, t);
	if (!err && t->disorder) {
		struct collected c = {0};
		bounds_free(t);
		rewind(f);
		err = each_range(f, v6, collect, &c);
		if (!err)
			qsort(c.r, c.n, sizeof(*c.r), cmp_range);
		for (size_t i = 0; !err && i < c.n; i++)
			err = bounds_add(t, c.r[i].lo, c.r[i].hi, c.r[i].cc);
		free(c.r);
	}
	return err ? err : bounds_finish(t, v6 ? UINT64_MAX : UINT32_MAX);
}

static enum qoc_err load_tor(struct qoc_geo *g, const char *path, const char **why)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		*why = "cannot be read";
		return QOC_EIO;
	}
	enum qoc_err err = load_text(&g->v4, f, false);
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
		err = load_text(&g->v6, f, true);
		fclose(f);
		if (err) {
			*why = "has a malformed IPv6 companion file (<path>6)";
			return err;
		}
	}
	if (g->v4.ranges == 0) {
		*why = "holds no ranges";
		return QOC_EINVAL;
	}
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
	bounds_free(&g->v4);
	bounds_free(&g->v6);
	free(g);
}

const char *qoc_geo_kind(const struct qoc_geo *g)
{
	static const char *const names[] = {"none", "mmdb", "tor-geoipdb"};
	return g ? names[g->kind] : "none";
}

size_t qoc_geo_ranges(const struct qoc_geo *g)
{
	return g ? g->v4.ranges + g->v6.ranges : 0;
}

/* The number of bounds that start at or before x: the bound of x is the one before. */
static size_t count_le32(const uint32_t *start, size_t n, uint32_t x)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (start[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static size_t count_le64(const uint64_t *start, size_t n, uint64_t x)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (start[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The country of x in t (NULL: none). */
static const char *find(const struct bounds *t, uint64_t x)
{
	size_t i = t->wide ? count_le64(t->s64, t->n, x) : count_le32(t->s32, t->n, (uint32_t)x);
	if (i == 0)
		return NULL; /* before the first bound (an empty table) */
	i--;
	if (t->ci[i] == 0)
		return NULL;
	if (t->ci[i] != RARE)
		return t->codes[t->ci[i] - 1];
	size_t lo = 0, hi = t->nrare; /* the entry for bound i: there is one */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->rare[mid].at < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->nrare && t->rare[lo].at == i ? t->rare[lo].cc : NULL;
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
	found = qoc_ip_is_v4(&ip) ? find(&g->v4, qoc_ip_v4(&ip)) : find(&g->v6, upper64(ip.b));
	if (found && found[0] != '?') {
		cc[0] = found[0];
		cc[1] = found[1];
	}
}
