/* sqlite_batch.c - group commit: concurrent single-row writes share one transaction and
 * one fsync (see qoc_sqlite_batch_write in sqlite_internal.h).
 *
 * With synchronous=FULL a commit costs an fsync (~150 us here), which caps one writer at
 * a few thousand commits a second whatever the CPU. Writes that arrive while a commit is
 * on the disk queue up; the next leader runs them all in one transaction, so the fsync is
 * paid once per batch instead of once per write. Nobody waits on purpose: a batch closes
 * when the queue is empty (or at cap), so a lone write costs what it did before.
 * Every caller still returns only after the commit that holds its write.
 */
#include "store/sqlite/sqlite_internal.h"

#include <semaphore.h>
#include <stdatomic.h>

#include "core/log.h"

struct qoc_sqlite_batch_item {
	qoc_sqlite_work_fn fn;
	void *arg;
	enum qoc_err err; /* set by the leader before it posts `wake` */
	bool lead;        /* set before `wake` is posted: the item is the head, lead a batch */
	/* The caller sleeps here until its write is done or it must lead. A semaphore rather
	 * than a condition variable: the leader wakes callers after letting go of the queue
	 * lock (no woken caller then blocks on it), and glibc's sem_post does not touch the
	 * semaphore once the waiter can return, so the waiter may destroy it at once. */
	sem_t wake;
	struct qoc_sqlite_batch_item *next;
};

static struct qoc_sqlite_sql sql_begin = {.text = "BEGIN IMMEDIATE"};
static struct qoc_sqlite_sql sql_commit = {.text = "COMMIT"};
static struct qoc_sqlite_sql sql_savepoint = {.text = "SAVEPOINT qoc_batch_item"};
static struct qoc_sqlite_sql sql_release = {.text = "RELEASE qoc_batch_item"};
static struct qoc_sqlite_sql sql_rollback_to = {.text = "ROLLBACK TO qoc_batch_item"};

/* One write inside the open shared transaction, under a savepoint so that its failure
 * undoes its own changes only. False when the shared transaction itself is lost (SQLite
 * rolls back on its own after an I/O error or a full disk) or a savepoint step failed:
 * then the whole batch is redone write by write. */
static bool run_item(struct qoc_sqlite_conn *c, struct qoc_sqlite_batch_item *it)
{
	if (qoc_sqlite_exec(c, &sql_savepoint))
		return false;
	it->err = it->fn(c, it->arg);
	if (sqlite3_get_autocommit(c->db))
		return false;
	if (it->err && qoc_sqlite_exec(c, &sql_rollback_to))
		return false;
	return qoc_sqlite_exec(c, &sql_release) == QOC_OK;
}

/* Runs the n writes in one transaction. QOC_OK: committed, each item's err is its own
 * result. Otherwise everything is rolled back; *begun tells whether BEGIN succeeded (when
 * it did not, the lock or the connection is the problem, and redoing each write alone
 * would only wait n times as long). */
static enum qoc_err shared_tx(struct qoc_sqlite_conn *c, struct qoc_sqlite_batch_item **items,
                              size_t n, bool *begun)
{
	*begun = false;
	enum qoc_err err = qoc_sqlite_exec(c, &sql_begin);
	if (err)
		return err;
	*begun = true;
	for (size_t i = 0; i < n; i++) {
		if (!run_item(c, items[i])) {
			err = QOC_EDB;
			goto fail;
		}
	}
	err = qoc_sqlite_exec(c, &sql_commit);
	if (!err)
		return QOC_OK;
fail:
	qoc_sqlite_rollback(c);
	return err;
}

/* Runs a batch on one pooled connection and sets every item's err. */
static void run_batch(struct qoc_sqlite_store *st, struct qoc_sqlite_batch_item **items, size_t n)
{
	struct qoc_sqlite_batcher *b = &st->batcher;
	struct qoc_sqlite_conn *c;
	enum qoc_err err = qoc_sqlite_acquire(st, &c);
	if (err)
		goto fail_all;
	atomic_fetch_add(&b->commits, 1);
	atomic_fetch_add(&b->writes, n);
	if (n == 1) { /* a transaction of its own: no savepoint needed */
		items[0]->err = qoc_sqlite_tx_run(c, items[0]->fn, items[0]->arg);
		goto out_release;
	}
	bool begun;
	err = shared_tx(c, items, n, &begun);
	if (!err)
		goto out_release;
	if (!begun) {
		qoc_sqlite_release(c);
		goto fail_all;
	}
	/* One write may have broken the shared transaction: give each its own, so only the
	 * bad one fails (and a unique violation is still its caller's QOC_ECONFLICT). */
	qoc_log_warn("store: group commit failed, retrying its writes one by one", "writes=%zu", n);
	atomic_fetch_add(&b->fallbacks, 1);
	for (size_t i = 0; i < n; i++)
		items[i]->err = qoc_sqlite_tx_run(c, items[i]->fn, items[i]->arg);
out_release:
	qoc_sqlite_release(c);
	return;
fail_all:
	for (size_t i = 0; i < n; i++)
		items[i]->err = err;
}

/* Run by the head of the queue. Takes up to cap items (its own first) under the lock, runs
 * them without it (others keep queueing meanwhile), unlinks them, then wakes their callers
 * and hands the lead to the new head, if any. */
static void lead(struct qoc_sqlite_store *st, struct qoc_sqlite_batcher *b)
{
	struct qoc_sqlite_batch_item *items[QOC_SQLITE_BATCH_MAX];
	size_t n = 0;
	pthread_mutex_lock(&b->mu);
	for (struct qoc_sqlite_batch_item *it = b->head; it && n < b->cap; it = it->next)
		items[n++] = it;
	pthread_mutex_unlock(&b->mu);

	run_batch(st, items, n);

	pthread_mutex_lock(&b->mu);
	struct qoc_sqlite_batch_item *next = items[n - 1]->next; /* appends write it under mu */
	b->head = next;
	if (!next)
		b->tail = NULL;
	pthread_mutex_unlock(&b->mu);
	/* items[0] is the caller itself. After its post an item's caller may return and
	 * its stack frame is gone: nothing reads an item after posting it. */
	for (size_t i = 1; i < n; i++)
		sem_post(&items[i]->wake);
	if (next) {
		next->lead = true;
		sem_post(&next->wake);
	}
}

enum qoc_err qoc_sqlite_batch_write(struct qoc_sqlite_store *st, qoc_sqlite_work_fn fn, void *arg)
{
	struct qoc_sqlite_batcher *b = &st->batcher;
	struct qoc_sqlite_batch_item me = {.fn = fn, .arg = arg, .err = QOC_EDB};
	if (sem_init(&me.wake, 0, 0) != 0)
		return QOC_ENOMEM;
	pthread_mutex_lock(&b->mu);
	if (b->tail)
		b->tail->next = &me;
	else
		b->head = &me;
	b->tail = &me;
	bool leader = b->head == &me;
	pthread_mutex_unlock(&b->mu);
	if (!leader) {
		while (sem_wait(&me.wake) != 0) /* EINTR: a signal handler ran */
			;
		leader = me.lead; /* written by the previous leader before its post */
	}
	if (leader)
		lead(st, b);
	sem_destroy(&me.wake);
	return me.err;
}
