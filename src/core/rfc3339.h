/* rfc3339.h - parse an RFC 3339 §5.6 date-time into Unix seconds.
 *
 *   date-time = full-date "T" full-time          ("t" too, §5.6 NOTE)
 *   full-date = 4DIGIT "-" 2DIGIT "-" 2DIGIT      (the day checked against month and year)
 *   full-time = 2DIGIT ":" 2DIGIT ":" 2DIGIT ["." 1*DIGIT] ("Z" / "z" / ("+" / "-") hh ":" mm)
 *
 * Accepted: every string of that grammar, whatever the year (0000-9999) and however many
 * fraction digits. The fraction is dropped (the result is the whole second, floor), the
 * offset is subtracted, and "-00:00" (§4.3, "UTC, local offset unknown") is read as "Z".
 * Leap seconds (§5.7): second 60 is accepted only where one can occur, at 23:59:60 UTC
 * (after the offset) on the last day of a month, and reads as 23:59:59 of that day, since
 * Unix time has no second 60 and the instant belongs to the day it names.
 * Refused: anything else, including a space for the "T", a missing offset, hour 24, an
 * offset hour over 23, and trailing bytes.
 *
 * Pure: no locale, no time zone database, no allocation; s need not be NUL-terminated.
 */
#ifndef QOC_CORE_RFC3339_H
#define QOC_CORE_RFC3339_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* true and *out = the Unix time (seconds, may be negative before 1970) when s[0..len) is
 * an RFC 3339 date-time; false and *out untouched otherwise. */
bool qoc_rfc3339_parse(const char *s, size_t len, int64_t *out);

/* Days from 1970-01-01 to the proleptic Gregorian date y-m-d (m 1-12, d 1-31), negative
 * before it. No range check: callers validate the date. */
int64_t qoc_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
