/* purge.h - the background purge of expired protocol state (issue 13 section 4).
 *
 * One job: every interval, run each step of a table (one store op per kind of state:
 * store/store_purge.h) in batches of `batch` rows, each batch its own short transaction,
 * with a pause between batches so the SQLite write lock is never held for long and the
 * protocol's writes get in between. A kind stops when a batch comes back short (nothing
 * more is dead) or after max_batches (the rest waits for the next round). On PostgreSQL
 * a step answers QOC_ECONFLICT while another node purges: the round ends there, skipped.
 *
 * Another kind of state is one line in qoc_purge_steps (purge.c): its store op has the
 * qoc_purge_fn shape. Time is injected (opts.clock), and so is the pause (opts.pause), so
 * a test runs rounds without sleeping.
 *
 * Thread safety: qoc_purge_round is the caller's; a qoc_purger runs it on a thread of its
 * own and qoc_purger_last may be called from any thread.
 */
#ifndef QOC_STORE_PURGE_RUN_H
#define QOC_STORE_PURGE_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/clock.h"
#include "core/err.h"
#include "store/store.h"

/* Rows one batch (one transaction) deletes, at most. */
#define QOC_PURGE_BATCH 500
/* Pause between two batches, milliseconds. */
#define QOC_PURGE_PAUSE_MS 50
/* Batches of one kind in one round (then the next round goes on). */
#define QOC_PURGE_MAX_BATCHES 200
/* Most steps a table may have. */
#define QOC_PURGE_STEPS_MAX 16

/* One kind's store op: deletes up to limit rows dead at now, *deleted counts them. */
typedef enum qoc_err (*qoc_purge_fn)(struct qoc_store *st, int64_t now, size_t limit,
                                     size_t *deleted);

struct qoc_purge_step {
	const char *kind; /* a static name, the key in /readyz */
	qoc_purge_fn fn;
};

/* The steps `qoc serve` runs, in order; qoc_purge_step_count of them. */
extern const struct qoc_purge_step qoc_purge_steps[];
extern const size_t qoc_purge_step_count;

struct qoc_purge_options {
	struct qoc_store *store;
	const struct qoc_clock *clock;
	unsigned interval_s;                /* between the starts of two rounds (qoc_purger only) */
	size_t batch;                       /* 0: QOC_PURGE_BATCH */
	unsigned pause_ms;                  /* 0: QOC_PURGE_PAUSE_MS */
	unsigned max_batches;               /* 0: QOC_PURGE_MAX_BATCHES */
	const struct qoc_purge_step *steps; /* NULL: qoc_purge_steps */
	size_t nsteps;
	/* Waits ms between batches; false: stop the round now. NULL: nanosleep. */
	bool (*pause)(void *ctx, unsigned ms);
	void *pause_ctx;
};

/* What the last round did. */
struct qoc_purge_report {
	int64_t at;      /* when it started (opts.clock); 0: no round yet */
	uint64_t rounds; /* rounds run so far (qoc_purger) */
	size_t nkinds;
	struct {
		const char *kind;
		uint64_t deleted; /* in this round */
		uint64_t
		    total; /* in every round of the qoc_purger so far (0 from qoc_purge_round) */
		enum qoc_err err; /* QOC_OK, or why this kind stopped */
	} kinds[QOC_PURGE_STEPS_MAX];
	enum qoc_err err; /* the first error of the round (QOC_ECONFLICT is not one) */
	bool skipped;     /* another node was purging (PostgreSQL) */
	bool stopped;     /* cut short by a stop */
};

/* Runs one round now and fills *out (may be NULL). Returns out->err. QOC_EINVAL: no
 * store or clock, or more than QOC_PURGE_STEPS_MAX steps. */
enum qoc_err qoc_purge_round(const struct qoc_purge_options *o, struct qoc_purge_report *out);

struct qoc_purger;
/* Starts the thread: a first round at once, then one every interval_s (>= 1). *o is
 * copied; o->pause must be NULL (the thread's pause is its stop-aware wait). */
enum qoc_err qoc_purger_start(const struct qoc_purge_options *o, struct qoc_purger **out);
/* Stops (a batch in flight finishes) and joins it; frees p. NULL: no-op. */
void qoc_purger_stop(struct qoc_purger *p);
/* A copy of the last round's report (zeroed when p is NULL or none ran yet). */
void qoc_purger_last(struct qoc_purger *p, struct qoc_purge_report *out);
/* interval_s of p (0 when p is NULL). */
unsigned qoc_purger_interval(const struct qoc_purger *p);

#endif
