/* rfc3339.c - see rfc3339.h. */
#include "core/rfc3339.h"

/* n decimal digits at s into *v. */
static bool digits(const char *s, unsigned n, unsigned *v)
{
	unsigned x = 0;
	for (unsigned i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		x = x * 10 + (unsigned)(s[i] - '0');
	}
	*v = x;
	return true;
}

static bool is_leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* RFC 3339 §5.7: the last day of month m in year y. */
static unsigned month_days(unsigned y, unsigned m)
{
	static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* H. Hinnant's days_from_civil: exact for every proleptic Gregorian date. */
int64_t qoc_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Day of the month (1-31) of the date `days` after 1970-01-01 (Hinnant's civil_from_days). */
static unsigned day_of_month(int64_t days)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	return (unsigned)(doy - (153 * mp + 2) / 5 + 1);
}

/* "Z", "z" or ("+" / "-") hh ":" mm at s[0..n): *offset in seconds east of UTC. */
static bool parse_offset(const char *s, size_t n, int64_t *offset)
{
	unsigned oh, om;
	if (n == 1 && (s[0] == 'Z' || s[0] == 'z')) {
		*offset = 0;
		return true;
	}
	if (n != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' || !digits(s + 1, 2, &oh) ||
	    !digits(s + 4, 2, &om) || oh > 23 || om > 59)
		return false;
	*offset = (s[0] == '-' ? -1 : 1) * (int64_t)(oh * 3600 + om * 60);
	return true;
}

bool qoc_rfc3339_parse(const char *s, size_t len, int64_t *out)
{
	unsigned y, mo, d, h, mi, sec;
	size_t i = 19;
	int64_t offset, t;
	if (!s || len < 20)
		return false;
	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2, &h) ||
	    s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &sec))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 || mi > 59 || sec > 60)
		return false;
	if (s[i] == '.') {
		size_t start = ++i;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == start)
			return false;
	}
	if (!parse_offset(s + i, len - i, &offset))
		return false;
	t = qoc_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + (sec == 60 ? 59 : sec);
	t -= offset;
	if (sec == 60) {
		/* §5.7: only 23:59:60 UTC on a month's last day; t is now that day's 23:59:59. */
		int64_t day = t >= 0 ? t / 86400 : (t - 86399) / 86400;
		if (t - day * 86400 != 86399 || day_of_month(day + 1) != 1)
			return false;
	}
	*out = t;
	return true;
}
