/* sqlite_store.h - the SQLite backend's entry points, for store.c only.
 *
 * Deliberately free of <sqlite3.h>: the backend's internals are in sqlite_internal.h. */
#ifndef QOC_STORE_SQLITE_STORE_H
#define QOC_STORE_SQLITE_STORE_H

#include "store/store.h"

extern const struct qoc_store_ops qoc_sqlite_ops;

/* Opens (creating when missing) the database file at path with opts' pool size, timeout
 * and sync mode. Every pooled connection is opened and configured here, so a bad path or
 * an unwritable directory fails now rather than on the first request. */
enum qoc_err qoc_sqlite_open(const struct qoc_store_options *opts, const char *path,
                             struct qoc_store **out);

/* qoc backup / qoc restore (sqlite_backup.c; store.h has the contract). */
enum qoc_err qoc_sqlite_backup(struct qoc_store *st, const char *path);
/* Checks the backup `from` and copies it to staged = db_path + ".restore" (0600). */
enum qoc_err qoc_sqlite_restore_stage(const char *db_path, const char *from, char *staged,
                                      size_t staged_size, unsigned *version);
/* Puts the stage in place of db_path (dropping db_path's -wal and -shm). */
enum qoc_err qoc_sqlite_restore_commit(const char *db_path);
/* Removes the stage and what opening it left beside it. */
void qoc_sqlite_restore_abort(const char *db_path);

#endif
