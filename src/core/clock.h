/* clock.h - injectable time. Domain code takes a struct qoc_clock so tests can pin it. */
#ifndef QOC_CORE_CLOCK_H
#define QOC_CORE_CLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct qoc_clock {
	int64_t (*now)(void *ctx); /* seconds since the Unix epoch */
	void *ctx;
};

/* The real wall clock. */
extern const struct qoc_clock qoc_clock_system;

static inline int64_t qoc_clock_now(const struct qoc_clock *c)
{
	return c->now(c->ctx);
}

/* Monotonic nanoseconds, for durations only. */
uint64_t qoc_monotonic_ns(void);

/* *ts = the CLOCK_MONOTONIC time ms milliseconds from now: the deadline of a
 * pthread_cond_timedwait on a condition variable set to that clock. */
void qoc_monotonic_deadline(struct timespec *ts, unsigned ms);

/* Formats t as RFC 3339 UTC ("2026-11-26T15:04:05Z") into out (>= 21 bytes). */
char *qoc_time_rfc3339(int64_t t, char *out, size_t out_size);

#endif
