/* offload.h - the small worker pool behind qoc_http_offload (internal to src/http/).
 *
 * Jobs are intrusive (the server embeds one in each request), so queueing allocates
 * nothing and cannot fail once a slot is reserved. The queue is bounded: reserve a slot
 * first (it fails when the queue is full or the pool is stopping), then push.
 *
 * A pool thread pops a job, runs work(arg) with the job's request id as its log id, and
 * then calls done(job). done is the last time the pool touches the job: the owner may
 * free it from then on. When the pool stops, queued jobs are not run: done is called with
 * job->cancelled set.
 */
#ifndef QOC_HTTP_OFFLOAD_H
#define QOC_HTTP_OFFLOAD_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "http/http.h"

struct qoc_offload_job {
	struct qoc_offload_job *next; /* pool-private */
	qoc_http_work_fn *work;
	void *arg;
	void (*done)(struct qoc_offload_job *job); /* on a pool thread (see push) */
	const char *request_id;                    /* for log lines; may be NULL */
	bool cancelled;                            /* set by the pool when stopping */
};

struct qoc_offload_pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct qoc_offload_job *head;
	struct qoc_offload_job *tail;
	size_t queued;   /* pushed, not yet popped */
	size_t reserved; /* reserved, not yet pushed */
	size_t cap;
	pthread_t *threads;
	unsigned nthreads;
	bool stopping;
};

/* Starts `threads` (>= 1) threads with a queue of at most queue_cap (>= 1) jobs.
 * QOC_EINVAL, QOC_ENOMEM, QOC_EIO (thread creation failed; nothing is left running). */
enum qoc_err qoc_offload_pool_start(struct qoc_offload_pool *pool, unsigned threads,
                                    size_t queue_cap);
/* Takes a queue slot; false when the queue is full or the pool is stopping. */
bool qoc_offload_pool_reserve(struct qoc_offload_pool *pool);
/* Queues job into a slot taken by qoc_offload_pool_reserve. Never fails: when the pool
 * has begun stopping meanwhile, the job is cancelled at once (done runs on the caller's
 * thread, with job->cancelled set). */
void qoc_offload_pool_push(struct qoc_offload_pool *pool, struct qoc_offload_job *job);
/* Refuses new reservations, cancels queued jobs (their done runs with cancelled set), waits
 * for running jobs and joins the threads. push stays safe to call afterwards. */
void qoc_offload_pool_stop(struct qoc_offload_pool *pool);
/* Frees the pool's memory, once no thread can call reserve or push any more. */
void qoc_offload_pool_release(struct qoc_offload_pool *pool);

#endif
