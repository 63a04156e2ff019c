/* pg_util.c - prepared statements, parameter binding, error mapping, transactions with
 * retry and reconnection, column conversions. */
#include "store/postgres/pg_internal.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

/* libpq's type OIDs (pg_type.h is a server header). */
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_TEXT 25

/* How often a transaction that lost a serialization race or a deadlock is run again. */
#define TX_ATTEMPTS 5

static pthread_mutex_t slot_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned slots_used;

static unsigned slot_of(struct qoc_pg_sql *sql)
{
	unsigned slot = atomic_load_explicit(&sql->slot, memory_order_acquire);
	if (slot)
		return slot;
	pthread_mutex_lock(&slot_mu);
	slot = atomic_load_explicit(&sql->slot, memory_order_relaxed);
	if (!slot && slots_used < QOC_PG_STMT_MAX) {
		slot = ++slots_used;
		atomic_store_explicit(&sql->slot, slot, memory_order_release);
	}
	pthread_mutex_unlock(&slot_mu);
	return slot;
}

static bool state_is(const char *state, const char *want)
{
	return state && strncmp(state, want, strlen(want)) == 0;
}

enum qoc_err qoc_pg_error(struct qoc_pg_conn *c, const PGresult *res, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	bool gone = !c->db || PQstatus(c->db) != CONNECTION_OK;
	/* Class 08: connection exception; 57P01..57P03: the server is shutting down,
	 * crashed, or cannot accept connections yet. */
	if (gone || !state || state_is(state, "08") || state_is(state, "57P0")) {
		c->broken = true;
		qoc_log_warn("store: postgres connection lost", "op=%s state=%s", what,
		             state ? state : "none");
		return QOC_EBUSY;
	}
	if (strcmp(state, "23505") == 0)
		return QOC_ECONFLICT; /* unique violation: the caller decides what it means */
	if (strcmp(state, "23503") == 0)
		return QOC_ENOTFOUND; /* a referenced row is gone (or never was) */
	/* Class 22, data exception: a value the server refuses (bytes that are not UTF-8,
	 * a number out of range) came from the caller. */
	if (state_is(state, "22"))
		return QOC_EINVAL;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0) {
		c->retryable = true; /* serialization failure, deadlock: run it again */
		return QOC_EBUSY;
	}
	/* 55P03 lock_not_available (lock_timeout), 57014 query_canceled (statement_timeout),
	 * class 53: insufficient resources (too many connections, disk full). */
	if (strcmp(state, "55P03") == 0 || strcmp(state, "57014") == 0 || state_is(state, "53")) {
		qoc_log_warn("store: database busy", "op=%s state=%s", what, state);
		return QOC_EBUSY;
	}
	char qmsg[256];
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	qoc_log_error("store: postgres error", "op=%s state=%s err=%s", what, state,
	              qoc_log_quote(qmsg, sizeof(qmsg), msg ? msg : "?"));
	return QOC_EDB;
}

/* The prepared statement's name: its slot, the same on every connection. */
static void stmt_name(char *out, size_t size, unsigned slot)
{
	snprintf(out, size, "q%u", slot);
}

static enum qoc_err prepare(struct qoc_pg_conn *c, struct qoc_pg_sql *sql, unsigned slot,
                            const char *fmt, int n)
{
	Oid types[QOC_PG_MAX_PARAMS];
	for (int i = 0; i < n; i++)
		types[i] = fmt[i] == 'i' ? OID_INT8 : fmt[i] == 'b' ? OID_BYTEA : OID_TEXT;
	char name[16];
	stmt_name(name, sizeof(name), slot);
	PGresult *r = PQprepare(c->db, name, sql->text, n, types);
	enum qoc_err err = QOC_OK;
	if (!r || PQresultStatus(r) != PGRES_COMMAND_OK)
		err = qoc_pg_error(c, r, "prepare");
	PQclear(r);
	if (!err)
		c->prepared[slot - 1] = true;
	return err;
}

enum qoc_err qoc_pg_bind(struct qoc_pg_conn *c, struct qoc_pg_sql *sql, const char *what,
                         const char *fmt, va_list ap, struct qoc_pg_bound *b)
{
	b->n = (int)strlen(fmt);
	if (b->n > QOC_PG_MAX_PARAMS) {
		qoc_log_error("store: too many parameters", "op=%s n=%d", what, b->n);
		return QOC_EDB;
	}
	unsigned slot = slot_of(sql);
	if (!slot) {
		qoc_log_error("store: statement cache full", "max=%d hint=QOC_PG_STMT_MAX",
		              QOC_PG_STMT_MAX);
		return QOC_EDB;
	}
	for (int i = 0; i < b->n; i++) {
		b->lengths[i] = 0;
		b->formats[i] = 0;
		switch (fmt[i]) {
		case 't':
			b->values[i] = va_arg(ap, const char *);
			break;
		case 'i':
			snprintf(b->ints[i], sizeof(b->ints[i]), "%" PRId64, va_arg(ap, int64_t));
			b->values[i] = b->ints[i];
			break;
		case 'b': {
			const void *p = va_arg(ap, const void *);
			size_t len = va_arg(ap, size_t);
			if (len > INT32_MAX)
				return QOC_EINVAL;
			b->values[i] = p;
			b->lengths[i] = (int)len;
			b->formats[i] = 1; /* binary: the bytes as they are */
			break;
		}
		default:
			qoc_log_error("store: bad bind format", "op=%s fmt=%s", what, fmt);
			return QOC_EDB;
		}
	}
	enum qoc_err err;
	if (!c->prepared[slot - 1] && (err = prepare(c, sql, slot, fmt, b->n)))
		return err;
	stmt_name(b->name, sizeof(b->name), slot);
	return QOC_OK;
}

enum qoc_err qoc_pg_execv(struct qoc_pg_conn *c, struct qoc_pg_sql *sql, const char *what,
                          PGresult **out, const char *fmt, va_list ap)
{
	*out = NULL;
	struct qoc_pg_bound b;
	enum qoc_err err = qoc_pg_bind(c, sql, what, fmt, ap, &b);
	if (err)
		return err;
	PGresult *r = PQexecPrepared(c->db, b.name, b.n, b.values, b.lengths, b.formats, 0);
	ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
		err = qoc_pg_error(c, r, what);
		PQclear(r);
		return err;
	}
	*out = r;
	return QOC_OK;
}

enum qoc_err qoc_pg_exec(struct qoc_pg_conn *c, struct qoc_pg_sql *sql, const char *what,
                         PGresult **out, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	enum qoc_err err = qoc_pg_execv(c, sql, what, out, fmt, ap);
	va_end(ap);
	return err;
}

enum qoc_err qoc_pg_runv(struct qoc_pg_conn *c, struct qoc_pg_sql *sql, const char *what,
                         int64_t *changes, const char *fmt, va_list ap)
{
	PGresult *r;
	enum qoc_err err = qoc_pg_execv(c, sql, what, &r, fmt, ap);
	if (err)
		return err;
	if (changes) {
		const char *t = PQcmdTuples(r);
		*changes = t && t[0] ? strtoll(t, NULL, 10) : 0;
	}
	PQclear(r);
	return QOC_OK;
}

enum qoc_err qoc_pg_run(struct qoc_pg_conn *c, struct qoc_pg_sql *sql, const char *what,
                        int64_t *changes, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	enum qoc_err err = qoc_pg_runv(c, sql, what, changes, fmt, ap);
	va_end(ap);
	return err;
}

enum qoc_err qoc_pg_command(struct qoc_pg_conn *c, const char *text)
{
	PGresult *r = PQexec(c->db, text);
	enum qoc_err err = QOC_OK;
	ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		err = qoc_pg_error(c, r, text);
	PQclear(r);
	return err;
}

enum qoc_err qoc_pg_with_conn(struct qoc_pg_store *st, bool idempotent, qoc_pg_work_fn fn,
                              void *arg)
{
	enum qoc_err err = QOC_EBUSY;
	for (int attempt = 0; attempt < 2; attempt++) {
		struct qoc_pg_conn *c;
		err = qoc_pg_acquire(st, &c);
		if (err)
			return err;
		err = fn(c, arg);
		bool again = c->broken && idempotent;
		qoc_pg_release(c);
		if (!again)
			break;
		atomic_fetch_add(&st->retries, 1);
	}
	return err;
}

static void rollback(struct qoc_pg_conn *c)
{
	if (!c->db || c->broken || PQtransactionStatus(c->db) == PQTRANS_IDLE)
		return;
	if (qoc_pg_command(c, "ROLLBACK"))
		c->broken = true; /* release drops it */
}

/* COMMIT, believed only when the server says it committed: COMMIT of a transaction
 * that had failed is answered "ROLLBACK" with a success status. */
enum qoc_err qoc_pg_commit(struct qoc_pg_conn *c)
{
	PGresult *r = PQexec(c->db, "COMMIT");
	enum qoc_err err = QOC_OK;
	if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
		err = qoc_pg_error(c, r, "COMMIT");
	} else if (strcmp(PQcmdStatus(r), "COMMIT") != 0) {
		qoc_log_error("store: postgres rolled back instead of committing", "status=%s",
		              PQcmdStatus(r));
		err = QOC_EDB;
	}
	PQclear(r);
	return err;
}

/* One attempt: BEGIN, fn, COMMIT. *begun says whether the server accepted BEGIN (before
 * that, a lost connection cannot have written anything). */
static enum qoc_err tx_once(struct qoc_pg_conn *c, const char *begin, qoc_pg_work_fn fn, void *arg,
                            bool *begun)
{
	*begun = false;
	enum qoc_err err = qoc_pg_command(c, begin);
	if (err)
		return err;
	*begun = true;
	err = fn(c, arg);
	if (!err) {
		/* An error here is either "rolled back" (a deferred check, a serialization
		 * failure) or "unknown" (the connection went): never a success. */
		err = qoc_pg_commit(c);
		if (err && !c->broken)
			rollback(c);
		return err;
	}
	rollback(c);
	return err;
}

static enum qoc_err tx_run(struct qoc_pg_store *st, const char *begin, qoc_pg_work_fn fn, void *arg)
{
	enum qoc_err err = QOC_EBUSY;
	int reconnects = 0;
	for (int attempt = 0; attempt < TX_ATTEMPTS; attempt++) {
		struct qoc_pg_conn *c;
		bool begun;
		err = qoc_pg_acquire(st, &c);
		if (err)
			return err;
		err = tx_once(c, begin, fn, arg, &begun);
		bool retry = c->retryable || (c->broken && !begun && reconnects++ == 0);
		qoc_pg_release(c);
		if (!err || !retry)
			break;
		atomic_fetch_add(&st->retries, 1);
	}
	return err;
}

enum qoc_err qoc_pg_tx(struct qoc_pg_store *st, qoc_pg_work_fn fn, void *arg)
{
	return tx_run(st, "BEGIN", fn, arg);
}

enum qoc_err qoc_pg_read_tx(struct qoc_pg_store *st, qoc_pg_work_fn fn, void *arg)
{
	return tx_run(st, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", fn, arg);
}

/* The arguments of write_one and read_one for their work functions, which may run more
 * than once: each run binds from its own copy of the list. */
struct one_ctx {
	struct qoc_pg_sql *sql;
	const char *what;
	const char *fmt;
	va_list *ap;
	struct qoc_arena *a;
	qoc_pg_row_fn read;
	void *out;
};

static enum qoc_err write_one_work(struct qoc_pg_conn *c, void *arg)
{
	struct one_ctx *o = arg;
	int64_t changes = 0;
	va_list ap;
	va_copy(ap, *o->ap);
	enum qoc_err err = qoc_pg_runv(c, o->sql, o->what, &changes, o->fmt, ap);
	va_end(ap);
	if (!err && changes == 0)
		err = QOC_ENOTFOUND;
	return err;
}

enum qoc_err qoc_pg_write_one(struct qoc_pg_store *st, struct qoc_pg_sql *sql, const char *what,
                              const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct one_ctx o = {.sql = sql, .what = what, .fmt = fmt, .ap = &ap};
	/* One statement commits on its own; a lost connection leaves its outcome unknown,
	 * so it is not repeated (QOC_EBUSY). */
	enum qoc_err err = qoc_pg_with_conn(st, false, write_one_work, &o);
	va_end(ap);
	return err;
}

static enum qoc_err read_rows(struct qoc_pg_conn *c, struct one_ctx *o, va_list ap)
{
	PGresult *r;
	enum qoc_err err = qoc_pg_execv(c, o->sql, o->what, &r, o->fmt, ap);
	if (err)
		return err;
	err = PQntuples(r) > 0 ? o->read(o->a, r, 0, o->out) : QOC_ENOTFOUND;
	PQclear(r);
	return err;
}

static enum qoc_err read_one_work(struct qoc_pg_conn *c, void *arg)
{
	struct one_ctx *o = arg;
	va_list ap;
	va_copy(ap, *o->ap);
	enum qoc_err err = read_rows(c, o, ap);
	va_end(ap);
	return err;
}

enum qoc_err qoc_pg_read_one(struct qoc_pg_store *st, struct qoc_arena *a, qoc_pg_row_fn read,
                             void *out, struct qoc_pg_sql *sql, const char *what, const char *fmt,
                             ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct one_ctx o = {
	    .sql = sql, .what = what, .fmt = fmt, .ap = &ap, .a = a, .read = read, .out = out};
	enum qoc_err err = qoc_pg_with_conn(st, true, read_one_work, &o);
	va_end(ap);
	return err;
}

enum qoc_err qoc_pg_row_on(struct qoc_pg_conn *c, struct qoc_pg_sql *sql, const char *what,
                           qoc_pg_row_fn read, struct qoc_arena *a, void *out, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct one_ctx o = {.sql = sql, .what = what, .fmt = fmt, .a = a, .read = read, .out = out};
	enum qoc_err err = read_rows(c, &o, ap);
	va_end(ap);
	return err;
}

enum qoc_err qoc_pg_col_text(struct qoc_arena *a, const PGresult *r, int row, int col,
                             const char **out)
{
	*out = NULL;
	if (PQgetisnull(r, row, col))
		return QOC_OK;
	*out = qoc_arena_strndup(a, PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col));
	return *out ? QOC_OK : QOC_ENOMEM;
}

enum qoc_err qoc_pg_col_blob(struct qoc_arena *a, const PGresult *r, int row, int col,
                             const unsigned char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	if (PQgetisnull(r, row, col))
		return QOC_OK;
	size_t n = 0;
	unsigned char *raw = PQunescapeBytea((const unsigned char *)PQgetvalue(r, row, col), &n);
	if (!raw)
		return QOC_ENOMEM;
	enum qoc_err err = QOC_OK;
	if (n) {
		unsigned char *copy = qoc_arena_alloc(a, n);
		if (copy) {
			memcpy(copy, raw, n);
			*out = copy;
			*len = n;
		} else {
			err = QOC_ENOMEM;
		}
	}
	explicit_bzero(raw, n); /* sealed secrets pass through here */
	PQfreemem(raw);
	return err;
}

int64_t qoc_pg_col_int(const PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return 0;
	return (int64_t)strtoll(PQgetvalue(r, row, col), NULL, 10);
}

bool qoc_pg_col_bool(const PGresult *r, int row, int col)
{
	return !PQgetisnull(r, row, col) && PQgetvalue(r, row, col)[0] == 't';
}

void *qoc_pg_push(struct qoc_arena *a, void **items, size_t *count, size_t *cap, size_t size)
{
	if (*count == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		char *grown = qoc_arena_calloc(a, ncap, size);
		if (!grown)
			return NULL;
		if (*count)
			memcpy(grown, *items, *count * size);
		*items = grown;
		*cap = ncap;
	}
	char *slot = (char *)*items + (*count)++ * size;
	memset(slot, 0, size);
	return slot;
}

bool qoc_pg_json_valid(const char *s)
{
	json_t *v = json_loads(s, JSON_DECODE_ANY, NULL);
	bool ok = v != NULL;
	json_decref(v);
	return ok;
}

static struct qoc_pg_sql sql_family_lock = {
    .text = "SELECT pg_advisory_xact_lock(hashtextextended($1, 7243))"};
/* pg_tokens.c queues the same shared lock in a pipeline (keep the two texts alike). */
static struct qoc_pg_sql sql_family_lock_shared = {
    .text = "SELECT pg_advisory_xact_lock_shared(hashtextextended($1, 7243))"};

enum qoc_err qoc_pg_family_lock(struct qoc_pg_conn *c, const char *family_id, bool exclusive)
{
	PGresult *r;
	enum qoc_err err = qoc_pg_exec(c, exclusive ? &sql_family_lock : &sql_family_lock_shared,
	                               "family lock", &r, "t", family_id);
	if (!err)
		PQclear(r);
	return err;
}
