/* Unit tests for src/core/rfc3339: the RFC 3339 §5.6 date-time grammar, whole. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/rfc3339.h"

#define T_2026_12_06 1796515200LL /* 2026-12-06T00:00:00Z */

struct row {
	const char *s;
	int64_t t;
};

/* clang-format off */
static const struct row good[] = {
	/* RFC 3339 §5.6 time-secfrac: what a browser's Date.prototype.toISOString() sends */
	{"2026-12-06T21:50:00.123Z", T_2026_12_06 + 78600},
	{"2026-12-06T21:50:00Z", T_2026_12_06 + 78600},
	{"2026-12-06T21:50:00.9Z", T_2026_12_06 + 78600},          /* rounded down */
	{"2026-12-06T21:50:00.123456789012345678901234567890Z", T_2026_12_06 + 78600},
	/* §5.6 time-numoffset: local time minus the offset is UTC */
	{"2026-12-06T23:50:00+02:00", T_2026_12_06 + 78600},
	{"2026-12-06T23:50:00.5+02:00", T_2026_12_06 + 78600},
	{"2026-12-06T16:20:00-05:30", T_2026_12_06 + 78600},
	{"2026-12-07T09:50:00+12:00", T_2026_12_06 + 78600},       /* another local day */
	{"2026-12-06T00:00:00+23:59", T_2026_12_06 - 86340},
	/* §4.3: -00:00 is UTC with an unknown local offset; +00:00 is UTC */
	{"2026-12-06T21:50:00-00:00", T_2026_12_06 + 78600},
	{"2026-12-06T21:50:00+00:00", T_2026_12_06 + 78600},
	/* §5.6 NOTE: "T" and "Z" may be lower case */
	{"2026-12-06t21:50:00z", T_2026_12_06 + 78600},
	{"2026-12-06t21:50:00.123z", T_2026_12_06 + 78600},
	/* §5.7 leap seconds: 23:59:60 UTC on a month's last day reads as 23:59:59 */
	{"2016-12-31T23:59:60Z", 1483228799},
	{"2016-12-31T23:59:60.5Z", 1483228799},
	{"2015-06-30T23:59:60Z", 1435708799},
	{"1990-12-31T15:59:60-08:00", 662687999},                  /* the RFC's own example */
	/* §5.7: dates, leap years */
	{"1970-01-01T00:00:00Z", 0},
	{"2024-02-29T00:00:00Z", 1709164800},
	{"2000-02-29T00:00:00Z", 951782400},
	{"1969-12-31T23:59:59Z", -1},
	{"0000-01-01T00:00:00Z", -62167219200},
	{"9999-12-31T23:59:59Z", 253402300799},
};

static const char *const bad[] = {
	"",
	"2026-12-06",                   /* a full-date alone is not a date-time */
	"2026-12-06T21:50:00",          /* the offset is required */
	"2026-12-06T21:50Z",            /* seconds are required */
	"2026-12-06 21:50:00Z",         /* the separator is T (a space is not in the grammar) */
	"2026-12-06T21:50:00.Z",        /* a fraction has at least one digit */
	"2026-12-06T21:50:00,5Z",
	"2026-12-06T21:50:00+0200",     /* the offset has a colon */
	"2026-12-06T21:50:00+02",
	"2026-12-06T21:50:00+24:00",    /* offset hours 00-23 */
	"2026-12-06T21:50:00+02:60",
	"2026-12-06T21:50:00 02:00",    /* an unescaped '+' read as a space */
	"2026-12-06T24:00:00Z",         /* hour 00-23 */
	"2026-12-06T21:60:00Z",
	"2026-12-06T21:50:61Z",
	"2026-12-06T21:50:60Z",         /* no leap second mid-day */
	"2016-12-30T23:59:60Z",         /* nor at the end of a day that ends no month */
	"2016-12-31T23:59:60+01:00",    /* 22:59:60 UTC */
	"2026-02-29T00:00:00Z",         /* 2026 is not a leap year */
	"1900-02-29T00:00:00Z",         /* nor is 1900 */
	"2026-04-31T00:00:00Z",
	"2026-13-01T00:00:00Z",
	"2026-00-01T00:00:00Z",
	"2026-12-00T00:00:00Z",
	"+2026-12-06T21:50:00Z",
	"26-12-06T21:50:00Z",
	"2026-12-06T21:50:00Zjunk",     /* nothing after the offset */
	"2026-12-06T21:50:00.123Z ",
	"2026-12-06T21:50:00+02:00:00",
	"2026-1a-06T21:50:00Z",
	"2026-12-06T2l:50:00Z",
	"2026-12-06X21:50:00Z",
	"\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x96-12-06T21:50:00Z", /* fullwidth digits */
};
/* clang-format on */

static void accepts_every_rfc3339_date_time(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		int64_t t = 42;
		if (!qoc_rfc3339_parse(good[i].s, strlen(good[i].s), &t))
			fail_msg("\"%s\" refused", good[i].s);
		if (t != good[i].t)
			fail_msg("\"%s\": %lld, wanted %lld", good[i].s, (long long)t,
			         (long long)good[i].t);
	}
}

static void refuses_everything_else(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t t = 42;
		if (qoc_rfc3339_parse(bad[i], strlen(bad[i]), &t))
			fail_msg("\"%s\" accepted as %lld", bad[i], (long long)t);
		assert_int_equal(t, 42); /* untouched */
	}
	assert_false(qoc_rfc3339_parse(NULL, 0, &(int64_t){0}));
}

/* The length is the caller's: no NUL needed, and nothing past len is read or accepted. */
static void reads_only_len_bytes(void **state)
{
	(void)state;
	const char s[] = "2026-12-06T21:50:00.123Zxyz";
	int64_t t = 0;
	assert_true(qoc_rfc3339_parse(s, 24, &t));
	assert_int_equal(t, T_2026_12_06 + 78600);
	assert_false(qoc_rfc3339_parse(s, 23, &t)); /* the Z cut off */
	assert_false(qoc_rfc3339_parse(s, 19, &t));
	char nul[] = "2026-12-06T21:50:00Z";
	assert_false(qoc_rfc3339_parse(nul, sizeof nul, &t)); /* the NUL is a byte too */
}

static void days_from_civil(void **state)
{
	(void)state;
	assert_int_equal(qoc_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(qoc_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(qoc_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(qoc_days_from_civil(2026, 12, 6), T_2026_12_06 / 86400);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(accepts_every_rfc3339_date_time),
	    cmocka_unit_test(refuses_everything_else),
	    cmocka_unit_test(reads_only_len_bytes),
	    cmocka_unit_test(days_from_civil),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
