/* sqlite_checkpoint.c - WAL checkpoints on a thread of their own (see sqlite_internal.h).
 *
 * SQLite's default checkpoints every 1000 WAL pages, inside the COMMIT of whichever
 * connection crossed the mark. Under group commit that is the batch leader: every writer
 * queued behind it waits while it copies pages into the database file and fsyncs it (12%
 * of the server's CPU on the durable token workload, all of it on the commit path). Here
 * each connection's WAL hook only reports the WAL's size; past `pages` it wakes this
 * thread, which runs a PASSIVE checkpoint (never blocks readers or writers) on its own
 * connection. Checkpointing less often also writes a page once for all the versions the
 * WAL holds of it. Should the thread fall behind (a long reader pins the WAL), the
 * committing connection checkpoints inline at 4 x pages, so the WAL stays bounded as
 * before.
 */
#include "store/sqlite/sqlite_internal.h"

#include "core/log.h"

static void *checkpoint_main(void *arg)
{
	struct qoc_sqlite_store *st = arg;
	struct qoc_sqlite_checkpointer *k = &st->checkpointer;
	pthread_mutex_lock(&k->mu);
	for (;;) {
		while (!k->wanted && !k->stop)
			pthread_cond_wait(&k->cv, &k->mu);
		if (k->stop)
			break;
		k->wanted = false;
		pthread_mutex_unlock(&k->mu);
		int log = 0, done = 0;
		int rc = sqlite3_wal_checkpoint_v2(k->conn.db, NULL, SQLITE_CHECKPOINT_PASSIVE,
		                                   &log, &done);
		if (rc != SQLITE_OK && rc != SQLITE_BUSY)
			qoc_log_warn("store: wal checkpoint failed", "err=\"%s\"",
			             sqlite3_errmsg(k->conn.db));
		if (rc == SQLITE_OK && done > 0)
			atomic_fetch_add(&k->frames, (unsigned)done);
		atomic_fetch_add(&k->runs, 1);
		pthread_mutex_lock(&k->mu);
	}
	pthread_mutex_unlock(&k->mu);
	return NULL;
}

int qoc_sqlite_wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct qoc_sqlite_conn *c = arg;
	qoc_sqlite_appgen_committed(c);
	struct qoc_sqlite_store *st = c->store;
	struct qoc_sqlite_checkpointer *k = &st->checkpointer;
	if (pages < 0 || (unsigned)pages < k->pages)
		return SQLITE_OK;
	if (!atomic_load(&k->started) || (unsigned)pages >= 4 * k->pages) {
		/* No thread, or it cannot keep up: the old way, on this connection. */
		(void)sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		atomic_fetch_add(&k->inline_runs, 1);
		return SQLITE_OK;
	}
	pthread_mutex_lock(&k->mu);
	k->wanted = true;
	pthread_cond_signal(&k->cv);
	pthread_mutex_unlock(&k->mu);
	return SQLITE_OK;
}

enum qoc_err qoc_sqlite_checkpointer_start(struct qoc_sqlite_store *st)
{
	struct qoc_sqlite_checkpointer *k = &st->checkpointer;
	if (pthread_mutex_init(&k->mu, NULL) != 0)
		return QOC_ENOMEM;
	if (pthread_cond_init(&k->cv, NULL) != 0)
		goto fail_mu;
	if (pthread_create(&k->thread, NULL, checkpoint_main, st) != 0)
		goto fail_cv;
	k->started = true;
	return QOC_OK;
fail_cv:
	pthread_cond_destroy(&k->cv);
fail_mu:
	pthread_mutex_destroy(&k->mu);
	return QOC_ENOMEM;
}

void qoc_sqlite_checkpointer_stop(struct qoc_sqlite_store *st)
{
	struct qoc_sqlite_checkpointer *k = &st->checkpointer;
	if (!k->started)
		return;
	pthread_mutex_lock(&k->mu);
	k->stop = true;
	pthread_cond_signal(&k->cv);
	pthread_mutex_unlock(&k->mu);
	pthread_join(k->thread, NULL);
	k->started = false; /* connections still open checkpoint inline from now on */
	pthread_cond_destroy(&k->cv);
	pthread_mutex_destroy(&k->mu);
}
