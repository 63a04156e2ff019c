/* pg_store.h - the PostgreSQL backend's entry points, for store.c only.
 *
 * Deliberately free of <libpq-fe.h>: the backend's internals are in pg_internal.h. */
#ifndef QOC_STORE_PG_STORE_H
#define QOC_STORE_PG_STORE_H

#include "store/store.h"

extern const struct qoc_store_ops qoc_pg_ops;

/* Opens a pool of opts->pool_size connections to the database that conninfo (a
 * postgres:// URL or a libpq "key=value ..." string) names. The first connection is made
 * here, so a wrong host, database or password fails at start-up (QOC_EDB, logged without
 * the conninfo); the others connect on first use. */
enum qoc_err qoc_pg_open(const struct qoc_store_options *opts, const char *conninfo,
                         struct qoc_store **out);

#endif
