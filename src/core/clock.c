#include "core/clock.h"

#include <stdio.h>
#include <time.h>

static int64_t system_now(void *ctx)
{
	(void)ctx;
	return (int64_t)time(NULL);
}

const struct qoc_clock qoc_clock_system = { system_now, NULL };

uint64_t qoc_monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void qoc_monotonic_deadline(struct timespec *ts, unsigned ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += (time_t)(ms / 1000);
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

char *qoc_time_rfc3339(int64_t t, char *out, size_t out_size)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || strftime(out, out_size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		if (out_size)
			out[0] = '\0';
	}
	return out;
}
