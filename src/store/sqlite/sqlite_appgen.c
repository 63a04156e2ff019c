/* sqlite_appgen.c - the applications' change counter, shared by every process that opens
 * the database, and the hooks that move it (see store/app_cache.h for what it guards).
 *
 * The counter is 8 bytes at the start of "<database>-appgen", a file next to the database
 * (like SQLite's own -wal and -shm) mapped MAP_SHARED: `qoc serve`, the `qoc` commands
 * and the tests' fixture all see one value. Reading it costs a load, where even a one-row
 * query costs a read transaction (two shared-memory locks and their fcntl calls).
 *
 * Every connection has an update hook: a row of `applications` or `application_icons`
 * inserted, changed or deleted (foreign-key cascades included, whichever store call did it)
 * marks the connection. Its WAL hook, which SQLite calls after the commit is durable,
 * moves the counter; a rollback clears the mark. A reader loads the counter before it
 * reads a row, so a copy is never newer than its tag says and a change committed after the
 * load retires it. The one write let through is app_touch_last_used: it only moves
 * last_used_at, which no protocol path reads, and it comes once a minute per application.
 *
 * Writes made outside qoc (the sqlite3 shell) do not move the counter: change
 * applications through qoc, or restart it after such an edit (docs/decisions/store-sqlite.md).
 */
#include "store/sqlite/sqlite_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"

#define APPGEN_FILE_SIZE 4096

static enum qoc_err map_counter(struct qoc_sqlite_store *st)
{
	char path[4096];
	int n = snprintf(path, sizeof(path), "%s-appgen", st->path);
	if (n < 0 || (size_t)n >= sizeof(path))
		return QOC_EINVAL;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return QOC_EIO;
	enum qoc_err err = QOC_EIO;
	struct stat sb;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
		goto out;
	/* Growing a shorter file keeps what it holds: two processes may race here. */
	if (sb.st_size < APPGEN_FILE_SIZE && ftruncate(fd, APPGEN_FILE_SIZE) != 0)
		goto out;
	void *map = mmap(NULL, APPGEN_FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		goto out;
	st->appgen.map = map;
	st->appgen.counter = map;
	err = QOC_OK;
out:
	close(fd); /* the mapping stays */
	return err;
}

void qoc_sqlite_appgen_open(struct qoc_sqlite_store *st)
{
	enum qoc_err err = map_counter(st);
	if (!err && (err = qoc_app_cache_new(&st->appgen.apps)))
		qoc_sqlite_appgen_close(st);
	if (err) {
		char qpath[256];
		qoc_log_warn("store: no application change counter, applications are read on every "
		             "request", "path=%s-appgen err=\"%s\" errno=%d",
		             qoc_log_quote(qpath, sizeof(qpath), st->path), qoc_strerror(err), errno);
	}
}

void qoc_sqlite_appgen_close(struct qoc_sqlite_store *st)
{
	qoc_app_cache_free(st->appgen.apps);
	st->appgen.apps = NULL;
	if (st->appgen.map)
		munmap(st->appgen.map, APPGEN_FILE_SIZE);
	st->appgen.map = NULL;
	st->appgen.counter = NULL;
}

static void update_hook(void *arg, int op, const char *db, const char *table, sqlite3_int64 row)
{
	(void)op;
	(void)db;
	(void)row;
	struct qoc_sqlite_conn *c = arg;
	if (strcmp(table, "application_icons") == 0 ||
	    (strcmp(table, "applications") == 0 && !c->touching_last_used))
		c->apps_changed = true;
}

static void rollback_hook(void *arg)
{
	struct qoc_sqlite_conn *c = arg;
	c->apps_changed = false;
}

void qoc_sqlite_appgen_hooks(struct qoc_sqlite_conn *c)
{
	c->apps_changed = false;
	sqlite3_update_hook(c->db, update_hook, c);
	sqlite3_rollback_hook(c->db, rollback_hook, c);
}

void qoc_sqlite_appgen_committed(struct qoc_sqlite_conn *c)
{
	if (!c->apps_changed)
		return;
	c->apps_changed = false;
	struct qoc_sqlite_store *st = c->store;
	if (st->appgen.counter)
		atomic_fetch_add(st->appgen.counter, 1);
}

uint64_t qoc_sqlite_appgen_load(struct qoc_sqlite_store *st)
{
	return st->appgen.counter ? atomic_load(st->appgen.counter) : 0;
}
