/* offload.c - bounded worker pool for slow handler work. See offload.h. */
#include "http/offload.h"

#include <stdlib.h>

#include "core/log.h"

static void *worker_main(void *arg)
{
	struct qoc_offload_pool *pool = arg;
	pthread_mutex_lock(&pool->mu);
	for (;;) {
		while (!pool->head && !pool->stopping)
			pthread_cond_wait(&pool->cv, &pool->mu);
		struct qoc_offload_job *job = pool->head;
		if (!job)
			break; /* stopping and drained */
		pool->head = job->next;
		if (!pool->head)
			pool->tail = NULL;
		pool->queued--;
		job->cancelled = pool->stopping;
		pthread_mutex_unlock(&pool->mu);

		if (!job->cancelled) {
			qoc_log_set_request_id(job->request_id);
			job->work(job->arg);
			qoc_log_set_request_id(NULL);
		}
		job->done(job); /* the job may be freed from here on */

		pthread_mutex_lock(&pool->mu);
	}
	pthread_mutex_unlock(&pool->mu);
	return NULL;
}

enum qoc_err qoc_offload_pool_start(struct qoc_offload_pool *pool, unsigned threads,
                                    size_t queue_cap)
{
	enum qoc_err err = QOC_OK;
	if (threads == 0 || queue_cap == 0)
		return QOC_EINVAL;
	*pool = (struct qoc_offload_pool){.cap = queue_cap};
	pool->threads = calloc(threads, sizeof(*pool->threads));
	if (!pool->threads)
		return QOC_ENOMEM;
	pthread_mutex_init(&pool->mu, NULL);
	pthread_cond_init(&pool->cv, NULL);
	for (unsigned i = 0; i < threads; i++) {
		if (pthread_create(&pool->threads[i], NULL, worker_main, pool) != 0) {
			err = QOC_EIO;
			goto out;
		}
		pool->nthreads++;
	}
out:
	if (err) {
		qoc_offload_pool_stop(pool);
		qoc_offload_pool_release(pool);
	}
	return err;
}

bool qoc_offload_pool_reserve(struct qoc_offload_pool *pool)
{
	bool ok;
	pthread_mutex_lock(&pool->mu);
	ok = !pool->stopping && pool->queued + pool->reserved < pool->cap;
	if (ok)
		pool->reserved++;
	pthread_mutex_unlock(&pool->mu);
	return ok;
}

void qoc_offload_pool_push(struct qoc_offload_pool *pool, struct qoc_offload_job *job)
{
	job->next = NULL;
	job->cancelled = false;
	pthread_mutex_lock(&pool->mu);
	pool->reserved--;
	if (pool->stopping) {
		/* The threads may be gone already: nobody else would ever call done. */
		pthread_mutex_unlock(&pool->mu);
		job->cancelled = true;
		job->done(job);
		return;
	}
	pool->queued++;
	if (pool->tail)
		pool->tail->next = job;
	else
		pool->head = job;
	pool->tail = job;
	pthread_cond_signal(&pool->cv);
	pthread_mutex_unlock(&pool->mu);
}

void qoc_offload_pool_stop(struct qoc_offload_pool *pool)
{
	pthread_mutex_lock(&pool->mu);
	pool->stopping = true;
	pthread_cond_broadcast(&pool->cv);
	pthread_mutex_unlock(&pool->mu);
	for (unsigned i = 0; i < pool->nthreads; i++)
		pthread_join(pool->threads[i], NULL);
	pool->nthreads = 0;
}

void qoc_offload_pool_release(struct qoc_offload_pool *pool)
{
	free(pool->threads);
	pool->threads = NULL;
	pthread_cond_destroy(&pool->cv);
	pthread_mutex_destroy(&pool->mu);
}
