/* sqlite_util.c - prepared-statement cache, error mapping, transactions, column copies. */
#include "store/sqlite/sqlite_internal.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>

#include "core/log.h"

/* Slots are handed out once per SQL text for the whole process; the lock is only taken
 * the first time a text is used. */
static pthread_mutex_t slot_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned slots_used;

static unsigned slot_of(struct qoc_sqlite_sql *sql)
{
	unsigned slot = atomic_load_explicit(&sql->slot, memory_order_acquire);
	if (slot)
		return slot;
	pthread_mutex_lock(&slot_mu);
	slot = atomic_load_explicit(&sql->slot, memory_order_relaxed);
	if (!slot && slots_used < QOC_SQLITE_STMT_MAX) {
		slot = ++slots_used;
		atomic_store_explicit(&sql->slot, slot, memory_order_release);
	}
	pthread_mutex_unlock(&slot_mu);
	return slot; /* 0: the cache is full */
}

static void log_db_error(struct qoc_sqlite_conn *c, int rc, const char *what)
{
	char qmsg[256];
	qoc_log_error("store: sqlite error", "op=%s code=%d err=%s", what, rc,
	              qoc_log_quote(qmsg, sizeof(qmsg), c->db ? sqlite3_errmsg(c->db) : "closed"));
}

enum qoc_err qoc_sqlite_error(struct qoc_sqlite_conn *c, int rc, const char *what)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		/* A caller expected another code; still an error, never QOC_OK. */
		log_db_error(c, rc, what);
		return QOC_EDB;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		qoc_log_warn("store: database busy", "op=%s code=%d", what, rc);
		return QOC_EBUSY;
	case SQLITE_CONSTRAINT:
		if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
			return QOC_ECONFLICT; /* expected: the caller decides what it means */
		if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
			return QOC_ENOTFOUND; /* a row it references is gone (or never was) */
		log_db_error(c, rc, what);
		return QOC_EDB;
	case SQLITE_NOMEM:
		return QOC_ENOMEM;
	default:
		log_db_error(c, rc, what);
		return QOC_EDB;
	}
}

enum qoc_err qoc_sqlite_stmt(struct qoc_sqlite_conn *c, struct qoc_sqlite_sql *sql,
                             sqlite3_stmt **out)
{
	*out = NULL;
	unsigned slot = slot_of(sql);
	if (!slot) {
		qoc_log_error("store: statement cache full", "max=%d hint=QOC_SQLITE_STMT_MAX",
		              QOC_SQLITE_STMT_MAX);
		return QOC_EDB;
	}
	sqlite3_stmt **cell = &c->stmts[slot - 1];
	if (!*cell) {
		int rc =
		    sqlite3_prepare_v3(c->db, sql->text, -1, SQLITE_PREPARE_PERSISTENT, cell, NULL);
		if (rc != SQLITE_OK) {
			sqlite3_finalize(*cell);
			*cell = NULL;
			return qoc_sqlite_error(c, rc, "prepare");
		}
	}
	*out = *cell;
	return QOC_OK;
}

void qoc_sqlite_stmt_done(sqlite3_stmt *s)
{
	if (!s)
		return;
	sqlite3_reset(s); /* its return repeats the step's error, already handled */
	sqlite3_clear_bindings(s);
}

void qoc_sqlite_stmt_cache_clear(struct qoc_sqlite_conn *c)
{
	for (size_t i = 0; i < QOC_SQLITE_STMT_MAX; i++) {
		sqlite3_finalize(c->stmts[i]); /* NULL is a no-op */
		c->stmts[i] = NULL;
	}
}

enum qoc_err qoc_sqlite_step_done(struct qoc_sqlite_conn *c, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return QOC_OK;
	return qoc_sqlite_error(c, rc, what);
}

enum qoc_err qoc_sqlite_exec(struct qoc_sqlite_conn *c, struct qoc_sqlite_sql *sql)
{
	sqlite3_stmt *s;
	enum qoc_err err = qoc_sqlite_stmt(c, sql, &s);
	if (err)
		return err;
	err = qoc_sqlite_step_done(c, s, sql->text);
	qoc_sqlite_stmt_done(s);
	return err;
}

static struct qoc_sqlite_sql sql_begin = {.text = "BEGIN IMMEDIATE"};
static struct qoc_sqlite_sql sql_commit = {.text = "COMMIT"};
static struct qoc_sqlite_sql sql_rollback = {.text = "ROLLBACK"};

/* Undoes whatever the transaction did. Some errors (I/O, disk full) make SQLite roll back
 * on its own; then there is nothing left to do. A ROLLBACK that fails leaves the
 * connection inside the transaction, and qoc_sqlite_release() discards it. */
static void rollback(struct qoc_sqlite_conn *c)
{
	if (sqlite3_get_autocommit(c->db))
		return;
	if (qoc_sqlite_exec(c, &sql_rollback))
		qoc_log_error("store: rollback failed", "action=discard_connection");
}

enum qoc_err qoc_sqlite_with_conn(struct qoc_sqlite_store *st, qoc_sqlite_work_fn fn, void *arg)
{
	struct qoc_sqlite_conn *c;
	enum qoc_err err = qoc_sqlite_acquire(st, &c);
	if (err)
		return err;
	err = fn(c, arg);
	qoc_sqlite_release(c);
	return err;
}

enum qoc_err qoc_sqlite_tx_run(struct qoc_sqlite_conn *c, qoc_sqlite_work_fn fn, void *arg)
{
	enum qoc_err err = qoc_sqlite_exec(c, &sql_begin);
	if (err)
		return err;
	err = fn(c, arg);
	if (!err)
		err = qoc_sqlite_exec(c, &sql_commit);
	if (err)
		rollback(c);
	return err;
}

void qoc_sqlite_rollback(struct qoc_sqlite_conn *c)
{
	rollback(c);
}

enum qoc_err qoc_sqlite_write_tx(struct qoc_sqlite_store *st, qoc_sqlite_work_fn fn, void *arg)
{
	struct qoc_sqlite_conn *c;
	enum qoc_err err = qoc_sqlite_acquire(st, &c);
	if (err)
		return err;
	err = qoc_sqlite_tx_run(c, fn, arg);
	qoc_sqlite_release(c);
	return err;
}

static struct qoc_sqlite_sql sql_begin_read = {.text = "BEGIN DEFERRED"};

enum qoc_err qoc_sqlite_read_tx(struct qoc_sqlite_store *st, qoc_sqlite_work_fn fn, void *arg)
{
	struct qoc_sqlite_conn *c;
	enum qoc_err err = qoc_sqlite_acquire(st, &c);
	if (err)
		return err;
	err = qoc_sqlite_exec(c, &sql_begin_read);
	if (err)
		goto out_release;
	err = fn(c, arg);
	if (!err)
		err = qoc_sqlite_exec(c, &sql_commit);
	if (err)
		rollback(c);
out_release:
	qoc_sqlite_release(c);
	return err;
}

enum qoc_err qoc_sqlite_col_text(struct qoc_arena *a, sqlite3_stmt *s, int col, const char **out)
{
	*out = NULL;
	const unsigned char *text = sqlite3_column_text(s, col);
	if (!text) {
		/* NULL column, or SQLite ran out of memory converting it */
		if (sqlite3_column_type(s, col) != SQLITE_NULL)
			return QOC_ENOMEM;
		return QOC_OK;
	}
	int len = sqlite3_column_bytes(s, col);
	*out = qoc_arena_strndup(a, (const char *)text, (size_t)len);
	return *out ? QOC_OK : QOC_ENOMEM;
}

enum qoc_err qoc_sqlite_col_blob(struct qoc_arena *a, sqlite3_stmt *s, int col,
                                 const unsigned char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		return QOC_OK;
	const void *blob = sqlite3_column_blob(s, col);
	int n = sqlite3_column_bytes(s, col);
	if (n == 0)
		return QOC_OK; /* an empty blob: SQLite gives a NULL pointer for it */
	if (!blob)
		return QOC_ENOMEM;
	unsigned char *copy = qoc_arena_alloc(a, (size_t)n);
	if (!copy)
		return QOC_ENOMEM;
	memcpy(copy, blob, (size_t)n);
	*out = copy;
	*len = (size_t)n;
	return QOC_OK;
}

/* Binds ?1, ?2, ... from ap as fmt says (see qoc_sqlite_bound). */
static enum qoc_err bindv(struct qoc_sqlite_conn *c, sqlite3_stmt *s, const char *what,
                          const char *fmt, va_list ap)
{
	int rc = SQLITE_OK;
	for (int i = 0; fmt[i] && rc == SQLITE_OK; i++) {
		int col = i + 1;
		switch (fmt[i]) {
		case 't':
			rc = sqlite3_bind_text(s, col, va_arg(ap, const char *), -1, SQLITE_STATIC);
			break;
		case 'i':
			rc = sqlite3_bind_int64(s, col, va_arg(ap, int64_t));
			break;
		case 'b': {
			const void *p = va_arg(ap, const void *);
			size_t n = va_arg(ap, size_t);
			rc = p ? sqlite3_bind_blob64(s, col, p, n, SQLITE_STATIC)
			       : sqlite3_bind_null(s, col);
			break;
		}
		default:
			qoc_log_error("store: bad bind format", "op=%s fmt=%s", what, fmt);
			return QOC_EDB;
		}
	}
	return rc == SQLITE_OK ? QOC_OK : qoc_sqlite_error(c, rc, what);
}

enum qoc_err qoc_sqlite_bound(struct qoc_sqlite_conn *c, struct qoc_sqlite_sql *sql,
                              const char *what, sqlite3_stmt **out, const char *fmt, ...)
{
	sqlite3_stmt *s;
	enum qoc_err err = qoc_sqlite_stmt(c, sql, &s);
	*out = NULL;
	if (err)
		return err;
	va_list ap;
	va_start(ap, fmt);
	err = bindv(c, s, what, fmt, ap);
	va_end(ap);
	if (err) {
		qoc_sqlite_stmt_done(s);
		return err;
	}
	*out = s;
	return QOC_OK;
}

enum qoc_err qoc_sqlite_run(struct qoc_sqlite_conn *c, struct qoc_sqlite_sql *sql,
                            const char *what, int64_t *changes, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	enum qoc_err err = qoc_sqlite_runv(c, sql, what, changes, fmt, ap);
	va_end(ap);
	return err;
}

enum qoc_err qoc_sqlite_runv(struct qoc_sqlite_conn *c, struct qoc_sqlite_sql *sql,
                             const char *what, int64_t *changes, const char *fmt, va_list ap)
{
	sqlite3_stmt *s;
	enum qoc_err err = qoc_sqlite_stmt(c, sql, &s);
	if (err)
		return err;
	err = bindv(c, s, what, fmt, ap);
	if (!err)
		err = qoc_sqlite_step_done(c, s, what);
	if (!err && changes)
		*changes = sqlite3_changes64(c->db);
	qoc_sqlite_stmt_done(s);
	return err;
}

/* The arguments of write_one and read_one, handed to the work function (which may run
 * more than once: each run binds from its own copy of the list). */
struct one_ctx {
	struct qoc_sqlite_sql *sql;
	const char *what;
	const char *fmt;
	va_list *ap;
	struct qoc_arena *a;
	qoc_sqlite_row_fn read;
	void *out;
};

static enum qoc_err write_one_work(struct qoc_sqlite_conn *c, void *arg)
{
	struct one_ctx *o = arg;
	int64_t changes = 0;
	va_list ap;
	va_copy(ap, *o->ap);
	enum qoc_err err = qoc_sqlite_runv(c, o->sql, o->what, &changes, o->fmt, ap);
	va_end(ap);
	if (!err && changes == 0)
		err = QOC_ENOTFOUND;
	return err;
}

enum qoc_err qoc_sqlite_write_one(struct qoc_sqlite_store *st, struct qoc_sqlite_sql *sql,
                                  const char *what, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct one_ctx o = {.sql = sql, .what = what, .fmt = fmt, .ap = &ap};
	enum qoc_err err = qoc_sqlite_write_tx(st, write_one_work, &o);
	va_end(ap);
	return err;
}

static enum qoc_err read_one_work(struct qoc_sqlite_conn *c, void *arg)
{
	struct one_ctx *o = arg;
	sqlite3_stmt *s;
	enum qoc_err err = qoc_sqlite_stmt(c, o->sql, &s);
	if (err)
		return err;
	va_list ap;
	va_copy(ap, *o->ap);
	err = bindv(c, s, o->what, o->fmt, ap);
	va_end(ap);
	if (!err)
		err = qoc_sqlite_step_row(c, s, o->what);
	if (!err)
		err = o->read(o->a, s, o->out);
	qoc_sqlite_stmt_done(s);
	return err;
}

enum qoc_err qoc_sqlite_read_one(struct qoc_sqlite_store *st, struct qoc_arena *a,
                                 qoc_sqlite_row_fn read, void *out, struct qoc_sqlite_sql *sql,
                                 const char *what, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct one_ctx o = {
	    .sql = sql, .what = what, .fmt = fmt, .ap = &ap, .a = a, .read = read, .out = out};
	enum qoc_err err = qoc_sqlite_with_conn(st, read_one_work, &o);
	va_end(ap);
	return err;
}

enum qoc_err qoc_sqlite_step_row(struct qoc_sqlite_conn *c, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		return QOC_OK;
	if (rc == SQLITE_DONE)
		return QOC_ENOTFOUND;
	return qoc_sqlite_error(c, rc, what);
}

void *qoc_sqlite_push(struct qoc_arena *a, void **items, size_t *count, size_t *cap, size_t size)
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
