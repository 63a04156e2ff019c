/* analytics.h - capture of protocol requests: a bounded in-memory queue drained in
 * batches by one background writer thread (issue 6).
 *
 * qoc_analytics_record never blocks on the store or on space: it takes a mutex for the
 * copy of one fixed-size event, and when the queue is full the event is dropped and
 * counted (qoc_analytics_stats; /readyz shows it, the writer logs it). The writer wakes
 * when a batch is ready or flush_ms after the oldest waiting event, looks up each
 * event's country (geo.h), folds the batch (fold.h) and appends it to the store in one
 * transaction. Once an hour it also purges raw events past the retention and rollups
 * past 13 months.
 *
 * Lifecycle: _new (nothing runs), _start (the thread), _stop (drains what is queued,
 * then joins), _free. Without _start, qoc_analytics_flush drains in the caller's thread
 * (tests). Thread safety: record, stats and flush from any thread.
 */
#ifndef QOC_ANALYTICS_ANALYTICS_H
#define QOC_ANALYTICS_ANALYTICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analytics/event.h"
#include "analytics/geo.h"
#include "core/cidr.h"
#include "core/clock.h"
#include "core/err.h"
#include "store/store.h"

/* Most events one store append carries. */
#define QOC_AN_WRITE_BATCH 1024
/* Rollups are kept this long (13 months of 31 days). */
#define QOC_AN_ROLLUP_RETENTION_SECONDS (13 * 31 * 86400LL)

struct qoc_analytics_options {
	struct qoc_store *store;       /* borrowed */
	const struct qoc_clock *clock; /* borrowed; stamps events and drives purges */
	struct qoc_geo *geo;           /* owned by the analytics from _new on (may be NULL) */
	struct qoc_cidr_list trusted;  /* proxies whose X-Forwarded-For is believed */
	size_t queue_size;             /* >= 1 */
	unsigned flush_ms;             /* >= 1 */
	unsigned retention_days;       /* raw events; >= 1 */
};

struct qoc_analytics_stats {
	uint64_t captured; /* accepted into the queue */
	uint64_t dropped;  /* refused: the queue was full */
	uint64_t written;  /* stored */
	uint64_t skipped;  /* of an application that does not exist */
	uint64_t failed;   /* lost to a store error */
	size_t queued;     /* waiting now */
};

struct qoc_analytics;

/* QOC_EINVAL: missing store or clock, a zero size; QOC_ENOMEM. On error the geo handle
 * is freed too. */
enum qoc_err qoc_analytics_new(const struct qoc_analytics_options *opts,
                               struct qoc_analytics **out);
/* Starts the writer. QOC_EIO when the thread cannot be made. */
enum qoc_err qoc_analytics_start(struct qoc_analytics *an);
/* Stops accepting, writes what is queued, joins the writer. NULL and not started: no-op. */
void qoc_analytics_stop(struct qoc_analytics *an);
void qoc_analytics_free(struct qoc_analytics *an);

/* The proxies (for the request side's client address). */
const struct qoc_cidr_list *qoc_analytics_trusted(const struct qoc_analytics *an);
/* Now, from the injected clock. */
int64_t qoc_analytics_now(const struct qoc_analytics *an);

/* Queues a copy of ev (country is set later by the writer). false: dropped (full, or
 * stopped). an NULL (capture off): false, nothing counted. */
bool qoc_analytics_record(struct qoc_analytics *an, const struct qoc_analytics_event *ev);

/* Writes everything queued now, in the caller's thread; returns the first store error.
 * Safe while the writer runs (they take turns). */
enum qoc_err qoc_analytics_flush(struct qoc_analytics *an);

void qoc_analytics_stats(struct qoc_analytics *an, struct qoc_analytics_stats *out);

#endif
