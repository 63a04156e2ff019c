/* migration.h - an embedded, numbered schema migration (see cmake/embed_sql.cmake). */
#ifndef QOC_STORE_MIGRATION_H
#define QOC_STORE_MIGRATION_H

struct qoc_migration {
	int version;      /* from the file name, strictly increasing */
	const char *name; /* file name without .sql */
	const char *sql;  /* the whole script, applied in one transaction */
};

/* Terminated by an entry with version 0. */
extern const struct qoc_migration qoc_sqlite_migrations[];
extern const struct qoc_migration qoc_pg_migrations[];

#endif
