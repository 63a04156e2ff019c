/* tmpdb.h - a temporary directory holding one SQLite database, for the store tests. */
#ifndef QOC_TEST_TMPDB_H
#define QOC_TEST_TMPDB_H

struct tmpdb {
	char dir[256];
	char path[300]; /* <dir>/qoc.db */
	char url[320];  /* sqlite:<path> */
};

/* Makes a fresh directory under $TMPDIR (or /tmp). 0, or -1 when it cannot. */
int tmpdb_make(struct tmpdb *t);
/* Removes the directory and what SQLite left in it (db, -wal, -shm). */
void tmpdb_remove(struct tmpdb *t);

#endif
