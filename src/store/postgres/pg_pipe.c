/* pg_pipe.c - write transactions in one round trip (libpq pipeline mode).
 *
 * tokens_issue, the write every token response waits for, is BEGIN, the family's shared
 * lock, one to three INSERTs and COMMIT: five round trips one after the other, each a
 * wake-up of the server's backend and of this thread. None of them needs an answer
 * before the next can be sent, so they go out together and the answers are read after:
 * one round trip. The statements are bound (and prepared, which needs its own round trip
 * the first time on a connection) before the pipeline starts, since a pipeline accepts
 * only asynchronous calls. */
#include "store/postgres/pg_internal.h"

#include <stdatomic.h>
#include <string.h>

#include "core/log.h"

/* Most statements one pipelined transaction queues (BEGIN and COMMIT not counted). */
#define PIPE_MAX 6
/* How often a transaction that lost a serialization race or a deadlock is run again. */
#define PIPE_ATTEMPTS 5

struct qoc_pg_pipe {
	struct qoc_pg_conn *c;
	int n;
	enum qoc_err err; /* the first error while queueing */
	const char *what[PIPE_MAX];
	struct qoc_pg_bound stmt[PIPE_MAX];
};

void qoc_pg_pipe_add(struct qoc_pg_pipe *p, struct qoc_pg_sql *sql, const char *what,
                     const char *fmt, ...)
{
	if (p->err)
		return;
	if (p->n == PIPE_MAX) {
		qoc_log_error("store: too many statements in a pipeline", "op=%s max=%d", what,
		              PIPE_MAX);
		p->err = QOC_EDB;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	p->err = qoc_pg_bind(p->c, sql, what, fmt, ap, &p->stmt[p->n]);
	va_end(ap);
	if (!p->err)
		p->what[p->n++] = what;
}

/* Reads one statement's result and the NULL that ends it. *first keeps the first error;
 * statements skipped after it (PGRES_PIPELINE_ABORTED) add nothing. */
static void read_result(struct qoc_pg_conn *c, const char *what, bool is_commit,
                        enum qoc_err *first)
{
	if (c->broken)
		return;
	PGresult *r = PQgetResult(c->db);
	ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	enum qoc_err err = QOC_OK;
	if (s == PGRES_PIPELINE_ABORTED) {
		err = QOC_OK;
	} else if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		err = qoc_pg_error(c, r, what);
	} else if (is_commit && strcmp(PQcmdStatus(r), "COMMIT") != 0) {
		qoc_log_error("store: postgres rolled back instead of committing", "status=%s",
		              PQcmdStatus(r));
		err = QOC_EDB;
	}
	PQclear(r);
	if (!*first)
		*first = err;
	if (!r || c->broken)
		return;
	r = PQgetResult(c->db); /* the end of this statement's results */
	if (r) {
		PQclear(r);
		c->broken = true; /* out of step: never reuse this connection */
		if (!*first)
			*first = QOC_EDB;
	}
}

static bool send_plain(struct qoc_pg_conn *c, const char *text)
{
	return PQsendQueryParams(c->db, text, 0, NULL, NULL, NULL, NULL, 0) == 1;
}

/* Sends BEGIN, the queued statements, COMMIT and a sync; reads every answer. */
static enum qoc_err run_pipeline(struct qoc_pg_pipe *p)
{
	struct qoc_pg_conn *c = p->c;
	if (PQenterPipelineMode(c->db) != 1)
		return qoc_pg_error(c, NULL, "pipeline");
	bool sent = send_plain(c, "BEGIN");
	for (int i = 0; sent && i < p->n; i++) {
		const struct qoc_pg_bound *b = &p->stmt[i];
		sent = PQsendQueryPrepared(c->db, b->name, b->n, b->values, b->lengths, b->formats,
		                           0) == 1;
	}
	sent = sent && send_plain(c, "COMMIT") && PQpipelineSync(c->db) == 1;
	if (!sent) {
		c->broken = true; /* whatever went out, its outcome is unknown */
		return qoc_pg_error(c, NULL, "pipeline: send");
	}
	enum qoc_err err = QOC_OK;
	read_result(c, "BEGIN", false, &err);
	for (int i = 0; i < p->n; i++)
		read_result(c, p->what[i], false, &err);
	read_result(c, "COMMIT", true, &err);
	if (c->broken)
		return err ? err : QOC_EBUSY;
	PGresult *r = PQgetResult(c->db);
	bool synced = r && PQresultStatus(r) == PGRES_PIPELINE_SYNC;
	PQclear(r);
	if (!synced || PQexitPipelineMode(c->db) != 1) {
		c->broken = true;
		return err ? err : QOC_EBUSY;
	}
	/* After an error the transaction block is still open (failed): end it. */
	if (PQtransactionStatus(c->db) != PQTRANS_IDLE && qoc_pg_command(c, "ROLLBACK"))
		c->broken = true;
	return err;
}

enum qoc_err qoc_pg_pipelined_tx(struct qoc_pg_store *st, qoc_pg_pipe_fn fn, void *arg)
{
	enum qoc_err err = QOC_EBUSY;
	for (int attempt = 0; attempt < PIPE_ATTEMPTS; attempt++) {
		struct qoc_pg_pipe p = {.n = 0};
		err = qoc_pg_acquire(st, &p.c);
		if (err)
			return err;
		err = fn(&p, arg);
		if (!err)
			err = p.err;
		if (!err)
			err = run_pipeline(&p);
		bool retry = p.c->retryable;
		qoc_pg_release(p.c);
		if (!err || !retry)
			break;
		atomic_fetch_add(&st->retries, 1);
	}
	return err;
}
