/* sqlite_backup.c - `qoc backup` and `qoc restore` for the SQLite store.
 *
 * Backup copies the live database with SQLite's online backup API in ONE step
 * (sqlite3_backup_step(-1)): the whole copy is read inside one read transaction, which in
 * WAL mode never blocks writers and never restarts, so the copy is the state of one
 * moment while the server goes on committing. A copy made in several steps would restart
 * from the first page after every write of another connection, forever under load.
 *
 * Restore never writes the live file in place: the backup is checked (SQLite's
 * integrity_check, a qoc schema no newer than this binary), copied into "<db>.restore"
 * next to the database, and only after the caller's own checks renamed over it (the
 * old -wal and -shm removed first, so no stale log is replayed into the restored file).
 *
 * Every file made here is created mode 0600 before SQLite opens it: a store holds
 * password hashes and sealed secrets.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "store/migration.h"
#include "store/sqlite/sqlite_internal.h"
#include "store/store_check.h"

/* path + suffix into out; false when it does not fit. */
static bool path_with(char *out, size_t size, const char *path, const char *suffix)
{
	int n = snprintf(out, size, "%s%s", path, suffix);
	return n >= 0 && (size_t)n < size;
}

/* Creates path as an empty file of mode 0600 (whatever the umask); QOC_ECONFLICT when it
 * exists. */
static enum qoc_err create_private(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EEXIST ? QOC_ECONFLICT : QOC_EIO;
	enum qoc_err err = fchmod(fd, 0600) == 0 ? QOC_OK : QOC_EIO;
	close(fd);
	return err;
}

static enum qoc_err fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return QOC_EIO;
	enum qoc_err err = fsync(fd) == 0 ? QOC_OK : QOC_EIO;
	close(fd);
	return err;
}

/* The directory part of path ("." when it has none) is fsynced, so a rename in it is
 * durable. */
static enum qoc_err fsync_dir_of(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	if (!slash)
		return fsync_path(".");
	size_t n = (size_t)(slash - path);
	if (n == 0)
		n = 1; /* "/file" */
	if (n >= sizeof(dir))
		return QOC_ELIMIT;
	memcpy(dir, path, n);
	dir[n] = '\0';
	return fsync_path(dir);
}

/* Copies all of src's main database into the file dest (created here, 0600) in one step. */
static enum qoc_err copy_db(sqlite3 *src, const char *dest)
{
	enum qoc_err err = create_private(dest);
	if (err)
		return err;
	sqlite3 *out = NULL;
	int rc = sqlite3_open_v2(dest, &out, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_backup *b = sqlite3_backup_init(out, "main", src, "main");
		if (!b)
			rc = sqlite3_errcode(out);
		else {
			do {
				rc = sqlite3_backup_step(b, -1);
				if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
					sqlite3_sleep(20);
			} while (rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
			int frc = sqlite3_backup_finish(b);
			if (rc == SQLITE_DONE)
				rc = frc;
		}
	}
	if (rc != SQLITE_OK)
		qoc_log_error("store: backup copy failed", "error=\"%s\"",
		              out ? sqlite3_errmsg(out) : sqlite3_errstr(rc));
	sqlite3_close(out);
	err = rc == SQLITE_OK ? fsync_path(dest) : rc == SQLITE_NOMEM ? QOC_ENOMEM : QOC_EDB;
	if (err)
		unlink(dest);
	return err;
}

struct backup_arg {
	const char *path;
};

static enum qoc_err backup_work(struct qoc_sqlite_conn *c, void *arg)
{
	const struct backup_arg *b = arg;
	return copy_db(c->db, b->path);
}

enum qoc_err qoc_sqlite_backup(struct qoc_store *st, const char *path)
{
	struct backup_arg b = {.path = path};
	enum qoc_err err = qoc_sqlite_with_conn(qoc_sqlite_from(st), backup_work, &b);
	if (!err)
		err = fsync_dir_of(path);
	return err;
}

/* One text value of a one-row query on db ("" when it has no row). */
static bool query_text(sqlite3 *db, const char *sql, char *out, size_t size)
{
	sqlite3_stmt *s = NULL;
	bool ok = sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK;
	out[0] = '\0';
	if (ok) {
		int rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			const unsigned char *t = sqlite3_column_text(s, 0);
			snprintf(out, size, "%s", t ? (const char *)t : "");
		} else
			ok = rc == SQLITE_DONE;
	}
	sqlite3_finalize(s);
	return ok;
}

/* Checks that from is an intact qoc store this binary can serve: QOC_EINVAL (not a
 * database, damaged, not a qoc store), QOC_ECONFLICT (a newer schema). */
static enum qoc_err check_backup(sqlite3 *db, unsigned *version)
{
	char text[64];
	if (!query_text(db, "PRAGMA integrity_check", text, sizeof(text)) ||
	    strcmp(text, "ok") != 0) {
		qoc_log_error("store: restore: the backup fails SQLite's integrity check",
		              "result=\"%s\"", text);
		return QOC_EINVAL;
	}
	if (!query_text(db, "SELECT coalesce(max(version), 0) FROM schema_migrations", text,
	                sizeof(text))) {
		qoc_log_error("store: restore: the file is not a qoc store",
		              "hint=\"no schema_migrations table\"");
		return QOC_EINVAL;
	}
	long v = strtol(text, NULL, 10);
	int known = qoc_store_migrations_newest(qoc_sqlite_migrations);
	if (v <= 0 || v > known) {
		qoc_log_error("store: restore: the backup's schema is not one this binary knows",
		              "backup_version=%ld newest_known=%d", v, known);
		return v > known ? QOC_ECONFLICT : QOC_EINVAL;
	}
	*version = (unsigned)v;
	return QOC_OK;
}

enum qoc_err qoc_sqlite_restore_stage(const char *db_path, const char *from, char *staged,
                                      size_t staged_size, unsigned *version)
{
	if (!path_with(staged, staged_size, db_path, ".restore"))
		return QOC_ELIMIT;
	struct stat fst;
	if (stat(from, &fst) != 0 || !S_ISREG(fst.st_mode)) {
		qoc_log_error("store: restore: no such backup file", "path=%s", from);
		return QOC_ENOTFOUND;
	}
	qoc_sqlite_global_init();
	qoc_sqlite_restore_abort(db_path); /* a stage an interrupted restore left */
	sqlite3 *src = NULL;
	enum qoc_err err = QOC_EDB;
	if (sqlite3_open_v2(from, &src, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
		sqlite3_busy_timeout(src, 5000);
		err = check_backup(src, version);
		if (!err)
			err = copy_db(src, staged);
	} else
		qoc_log_error("store: restore: cannot open the backup", "path=%s", from);
	sqlite3_close(src);
	return err;
}

enum qoc_err qoc_sqlite_restore_commit(const char *db_path)
{
	char staged[4096], wal[4096], shm[4096];
	if (!path_with(staged, sizeof(staged), db_path, ".restore") ||
	    !path_with(wal, sizeof(wal), db_path, "-wal") ||
	    !path_with(shm, sizeof(shm), db_path, "-shm"))
		return QOC_ELIMIT;
	/* The live file's log belongs to the old contents: replaying it into the restored
	 * file would corrupt it. */
	char staged_wal[4096];
	struct stat wst;
	if (!path_with(staged_wal, sizeof(staged_wal), db_path, ".restore-wal"))
		return QOC_ELIMIT;
	if (stat(staged_wal, &wst) == 0 && wst.st_size > 0)
		return QOC_EIO; /* the stage was written to after the copy: not what was checked */
	if ((unlink(wal) != 0 && errno != ENOENT) || (unlink(shm) != 0 && errno != ENOENT))
		return QOC_EIO;
	if (rename(staged, db_path) != 0)
		return QOC_EIO;
	qoc_sqlite_restore_abort(db_path); /* what opening the stage left beside it */
	return fsync_dir_of(db_path);
}

void qoc_sqlite_restore_abort(const char *db_path)
{
	static const char *const suffixes[] = {".restore", ".restore-wal", ".restore-shm",
	                                       ".restore-appgen", ".restore-journal"};
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		char p[4096];
		if (path_with(p, sizeof(p), db_path, suffixes[i]))
			(void)unlink(p);
	}
}
