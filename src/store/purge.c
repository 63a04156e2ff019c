/* purge.c - the background purge (see purge.h). */
#include "store/purge.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "store/store_purge.h"
#include "store/store_throttle.h"

/* The table: one line per kind of expired state. Pending requests first: they are what
 * an anonymous client can make. */
const struct qoc_purge_step qoc_purge_steps[] = {
    {"auth_requests", qoc_store_authreq_purge},
    {"auth_codes", qoc_store_codes_purge},
    {"tokens", qoc_store_tokens_purge},
    {"sso_sessions", qoc_store_sessions_purge},
    {"revoked_families", qoc_store_families_purge},
    {"throttles", qoc_store_throttle_purge},
};
const size_t qoc_purge_step_count = sizeof(qoc_purge_steps) / sizeof(qoc_purge_steps[0]);

static bool sleep_ms(void *ctx, unsigned ms)
{
	(void)ctx;
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	return true;
}

/* Runs one kind until a short batch, an error, max batches or a stop. *stop: the pause
 * said stop. */
static enum qoc_err run_step(const struct qoc_purge_options *o, const struct qoc_purge_step *s,
                             int64_t now, uint64_t *deleted, bool *first, bool *stop)
{
	size_t batch = o->batch ? o->batch : QOC_PURGE_BATCH;
	unsigned pause = o->pause_ms ? o->pause_ms : QOC_PURGE_PAUSE_MS;
	unsigned max = o->max_batches ? o->max_batches : QOC_PURGE_MAX_BATCHES;
	bool (*wait)(void *, unsigned) = o->pause ? o->pause : sleep_ms;
	for (unsigned i = 0; i < max; i++) {
		/* Every batch after the round's first waits: the lock is free between two. */
		if (!*first && !wait(o->pause_ctx, pause)) {
			*stop = true;
			return QOC_OK;
		}
		*first = false;
		size_t n = 0;
		enum qoc_err err = s->fn(o->store, now, batch, &n);
		if (err)
			return err;
		*deleted += n;
		if (n < batch)
			break;
	}
	return QOC_OK;
}

enum qoc_err qoc_purge_round(const struct qoc_purge_options *o, struct qoc_purge_report *out)
{
	struct qoc_purge_report r;
	memset(&r, 0, sizeof(r));
	const struct qoc_purge_step *steps = o && o->steps ? o->steps : qoc_purge_steps;
	size_t n = o && o->steps ? o->nsteps : qoc_purge_step_count;
	if (!o || !o->store || !o->clock || n > QOC_PURGE_STEPS_MAX) {
		r.err = QOC_EINVAL;
		goto out;
	}
	int64_t now = qoc_clock_now(o->clock);
	r.at = now;
	bool first = true;
	for (size_t i = 0; i < n; i++) {
		r.kinds[i].kind = steps[i].kind;
		r.nkinds = i + 1;
		if (r.skipped || r.stopped)
			continue; /* listed with 0, not run */
		enum qoc_err err =
		    run_step(o, &steps[i], now, &r.kinds[i].deleted, &first, &r.stopped);
		r.kinds[i].err = err;
		if (err == QOC_ECONFLICT)
			r.skipped = true; /* another node holds the purge: its round, not ours */
		else if (err && !r.err)
			r.err = err; /* this kind failed; the others still run */
	}
out:
	if (out)
		*out = r;
	return r.err;
}

/* --- the thread --- */

struct qoc_purger {
	struct qoc_purge_options o;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv; /* CLOCK_MONOTONIC */
	bool stopping;
	struct qoc_purge_report last;
};

/* Waits up to ms or until stop; false when stopping. */
static bool wait_or_stop(void *ctx, unsigned ms)
{
	struct qoc_purger *p = ctx;
	struct timespec ts;
	qoc_monotonic_deadline(&ts, ms);
	pthread_mutex_lock(&p->mu);
	while (!p->stopping && pthread_cond_timedwait(&p->cv, &p->mu, &ts) != ETIMEDOUT)
		;
	bool go = !p->stopping;
	pthread_mutex_unlock(&p->mu);
	return go;
}

static void log_round(const struct qoc_purge_report *r)
{
	uint64_t total = 0;
	for (size_t i = 0; i < r->nkinds; i++)
		total += r->kinds[i].deleted;
	if (r->err)
		qoc_log_warn("purge: round failed", "err=%s deleted=%llu", qoc_strerror(r->err),
		             (unsigned long long)total);
	else if (total)
		qoc_log_info("purge: expired state deleted", "rows=%llu",
		             (unsigned long long)total);
}

static void *purger_main(void *arg)
{
	struct qoc_purger *p = arg;
	struct qoc_purge_options o = p->o;
	o.pause = wait_or_stop;
	o.pause_ctx = p;
	uint64_t rounds = 0, totals[QOC_PURGE_STEPS_MAX] = {0};
	do {
		struct qoc_purge_report r;
		(void)qoc_purge_round(&o, &r);
		r.rounds = ++rounds;
		for (size_t i = 0; i < r.nkinds; i++)
			r.kinds[i].total = totals[i] += r.kinds[i].deleted;
		log_round(&r);
		pthread_mutex_lock(&p->mu);
		p->last = r;
		pthread_mutex_unlock(&p->mu);
	} while (wait_or_stop(p, p->o.interval_s * 1000u));
	return NULL;
}

enum qoc_err qoc_purger_start(const struct qoc_purge_options *o, struct qoc_purger **out)
{
	*out = NULL;
	if (!o || !o->store || !o->clock || o->pause || o->interval_s == 0 ||
	    o->interval_s > 86400 || (o->steps && o->nsteps > QOC_PURGE_STEPS_MAX))
		return QOC_EINVAL;
	struct qoc_purger *p = calloc(1, sizeof(*p));
	if (!p)
		return QOC_ENOMEM;
	p->o = *o;
	pthread_condattr_t ca;
	if (pthread_condattr_init(&ca) != 0)
		goto fail;
	int rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (rc == 0)
		rc = pthread_cond_init(&p->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (rc != 0)
		goto fail;
	if (pthread_mutex_init(&p->mu, NULL) != 0)
		goto fail_cv;
	if (pthread_create(&p->thread, NULL, purger_main, p) != 0)
		goto fail_mu;
	*out = p;
	return QOC_OK;
fail_mu:
	pthread_mutex_destroy(&p->mu);
fail_cv:
	pthread_cond_destroy(&p->cv);
fail:
	free(p);
	return QOC_ENOMEM;
}

void qoc_purger_stop(struct qoc_purger *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stopping = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

void qoc_purger_last(struct qoc_purger *p, struct qoc_purge_report *out)
{
	memset(out, 0, sizeof(*out));
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	*out = p->last;
	pthread_mutex_unlock(&p->mu);
}

unsigned qoc_purger_interval(const struct qoc_purger *p)
{
	return p ? p->o.interval_s : 0;
}
