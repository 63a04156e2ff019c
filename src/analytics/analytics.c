/* analytics.c - the capture queue and its writer thread (see analytics.h). */
#include "analytics/analytics.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analytics/fold.h"
#include "core/arena.h"
#include "core/log.h"
#include "store/store_analytics.h"

#define PURGE_EVERY_SECONDS 3600
#define PURGE_LIMIT 10000
#define PURGE_ROUNDS_MAX 100 /* per hour: a million rows; the rest waits for the next hour */
#define DROP_LOG_EVERY_SECONDS 60

struct qoc_analytics {
	struct qoc_analytics_options o;
	pthread_mutex_t mu;  /* guards the ring, the stats and the flags */
	pthread_cond_t cv;   /* the writer waits on it */
	pthread_mutex_t wmu; /* one drain at a time (writer thread or flush) */
	struct qoc_analytics_event *ring;
	size_t head, count;
	struct qoc_analytics_stats st;
	bool started, stopping, stopped;
	pthread_t thread;
	int64_t next_purge;
	uint64_t dropped_logged;
	int64_t drop_logged_at;
	struct qoc_analytics_event batch[QOC_AN_WRITE_BATCH]; /* the drain's copy (under wmu) */
};

enum qoc_err qoc_analytics_new(const struct qoc_analytics_options *opts, struct qoc_analytics **out)
{
	*out = NULL;
	if (!opts->store || !opts->clock || opts->queue_size == 0 || opts->flush_ms == 0 ||
	    opts->retention_days == 0) {
		qoc_geo_free(opts->geo);
		return QOC_EINVAL;
	}
	struct qoc_analytics *an = calloc(1, sizeof(*an));
	if (an)
		an->ring = calloc(opts->queue_size, sizeof(*an->ring));
	if (!an || !an->ring) {
		free(an);
		qoc_geo_free(opts->geo);
		return QOC_ENOMEM;
	}
	an->o = *opts;
	pthread_mutex_init(&an->mu, NULL);
	pthread_mutex_init(&an->wmu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&an->cv, &ca);
	pthread_condattr_destroy(&ca);
	*out = an;
	return QOC_OK;
}

const struct qoc_cidr_list *qoc_analytics_trusted(const struct qoc_analytics *an)
{
	return &an->o.trusted;
}

int64_t qoc_analytics_now(const struct qoc_analytics *an)
{
	return qoc_clock_now(an->o.clock);
}

bool qoc_analytics_record(struct qoc_analytics *an, const struct qoc_analytics_event *ev)
{
	if (!an)
		return false;
	bool ok = false, wake = false;
	pthread_mutex_lock(&an->mu);
	if (an->stopped || an->count == an->o.queue_size) {
		an->st.dropped++;
	} else {
		an->ring[(an->head + an->count) % an->o.queue_size] = *ev;
		an->count++;
		an->st.captured++;
		ok = true;
		wake = an->count == QOC_AN_WRITE_BATCH; /* a full batch: no need to wait */
	}
	pthread_mutex_unlock(&an->mu);
	if (wake)
		pthread_cond_signal(&an->cv);
	return ok;
}

/* Moves up to QOC_AN_WRITE_BATCH queued events into an->batch (caller holds wmu). */
static size_t take(struct qoc_analytics *an)
{
	pthread_mutex_lock(&an->mu);
	size_t n = an->count < QOC_AN_WRITE_BATCH ? an->count : QOC_AN_WRITE_BATCH;
	for (size_t i = 0; i < n; i++)
		an->batch[i] = an->ring[(an->head + i) % an->o.queue_size];
	an->head = (an->head + n) % an->o.queue_size;
	an->count -= n;
	pthread_mutex_unlock(&an->mu);
	return n;
}

static void count(struct qoc_analytics *an, uint64_t written, uint64_t skipped, uint64_t failed)
{
	pthread_mutex_lock(&an->mu);
	an->st.written += written;
	an->st.skipped += skipped;
	an->st.failed += failed;
	pthread_mutex_unlock(&an->mu);
}

/* Writes an->batch[0..n): countries, fold, one append. */
static enum qoc_err write_batch(struct qoc_analytics *an, size_t n)
{
	struct qoc_arena a;
	struct qoc_an_batch b;
	size_t skipped = 0;
	for (size_t i = 0; i < n; i++)
		qoc_geo_country(an->o.geo, an->batch[i].addr, an->batch[i].country);
	qoc_arena_init(&a, 64u << 20); /* n * (row + delta + dims) stays far below */
	enum qoc_err err = qoc_an_fold(an->batch, n, &a, &b);
	if (!err)
		err = qoc_store_analytics_append(an->o.store, &b, &skipped);
	qoc_arena_release(&a);
	if (err) {
		qoc_log_warn("analytics: events lost", "count=%zu err=%s", n, qoc_strerror(err));
		count(an, 0, 0, n);
	} else {
		count(an, n - skipped, skipped, 0);
	}
	return err;
}

static enum qoc_err drain(struct qoc_analytics *an)
{
	enum qoc_err first = QOC_OK;
	pthread_mutex_lock(&an->wmu);
	size_t n;
	while ((n = take(an)) > 0) {
		enum qoc_err err = write_batch(an, n);
		if (err && !first)
			first = err;
	}
	pthread_mutex_unlock(&an->wmu);
	return first;
}

enum qoc_err qoc_analytics_flush(struct qoc_analytics *an)
{
	return an ? drain(an) : QOC_OK;
}

static void purge(struct qoc_analytics *an, int64_t now)
{
	int64_t events_before = now - (int64_t)an->o.retention_days * 86400;
	int64_t rollups_before = now - QOC_AN_ROLLUP_RETENTION_SECONDS;
	size_t deleted = 0, total = 0;
	for (int i = 0; i < PURGE_ROUNDS_MAX; i++) {
		if (qoc_store_analytics_purge(an->o.store, events_before, rollups_before,
		                              PURGE_LIMIT, &deleted) != QOC_OK ||
		    deleted == 0)
			break;
		total += deleted;
	}
	if (total)
		qoc_log_info("analytics: purged", "rows=%zu", total);
}

static void log_drops(struct qoc_analytics *an, int64_t now)
{
	pthread_mutex_lock(&an->mu);
	uint64_t dropped = an->st.dropped;
	pthread_mutex_unlock(&an->mu);
	if (dropped == an->dropped_logged || now - an->drop_logged_at < DROP_LOG_EVERY_SECONDS)
		return;
	qoc_log_warn("analytics: queue full, events dropped", "dropped_total=%llu new=%llu",
	             (unsigned long long)dropped,
	             (unsigned long long)(dropped - an->dropped_logged));
	an->dropped_logged = dropped;
	an->drop_logged_at = now;
}

static void *writer(void *arg)
{
	struct qoc_analytics *an = arg;
	for (;;) {
		struct timespec ts;
		qoc_monotonic_deadline(&ts, an->o.flush_ms);
		pthread_mutex_lock(&an->mu);
		/* Sleep until a full batch, the flush deadline, or stop. */
		while (!an->stopping && an->count < QOC_AN_WRITE_BATCH &&
		       pthread_cond_timedwait(&an->cv, &an->mu, &ts) != ETIMEDOUT)
			;
		bool stopping = an->stopping;
		pthread_mutex_unlock(&an->mu);
		(void)drain(an);
		int64_t now = qoc_clock_now(an->o.clock);
		log_drops(an, now);
		if (now >= an->next_purge) {
			an->next_purge = now + PURGE_EVERY_SECONDS;
			purge(an, now);
		}
		if (stopping)
			break;
	}
	return NULL;
}

enum qoc_err qoc_analytics_start(struct qoc_analytics *an)
{
	if (pthread_create(&an->thread, NULL, writer, an) != 0)
		return QOC_EIO;
	an->started = true;
	return QOC_OK;
}

void qoc_analytics_stop(struct qoc_analytics *an)
{
	if (!an)
		return;
	pthread_mutex_lock(&an->mu);
	an->stopping = true;
	an->stopped = true; /* record refuses from now on */
	pthread_mutex_unlock(&an->mu);
	pthread_cond_signal(&an->cv);
	if (an->started) {
		pthread_join(an->thread, NULL);
		an->started = false;
	}
	(void)drain(an);
}

void qoc_analytics_free(struct qoc_analytics *an)
{
	if (!an)
		return;
	qoc_analytics_stop(an);
	pthread_cond_destroy(&an->cv);
	pthread_mutex_destroy(&an->mu);
	pthread_mutex_destroy(&an->wmu);
	qoc_geo_free(an->o.geo);
	free(an->ring);
	free(an);
}

void qoc_analytics_stats(struct qoc_analytics *an, struct qoc_analytics_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!an)
		return;
	pthread_mutex_lock(&an->mu);
	*out = an->st;
	out->queued = an->count;
	pthread_mutex_unlock(&an->mu);
}
