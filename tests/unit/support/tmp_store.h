/* tmp_store.h - a migrated SQLite store in a fresh temporary directory, for unit tests of
 * modules that sit on the store (keyring, accounts). */
#ifndef QOC_TEST_TMP_STORE_H
#define QOC_TEST_TMP_STORE_H

#include "store/store.h"

struct tmp_store {
	char dir[64];
	struct qoc_store *st;
};

/* Fails the running cmocka test when the store cannot be made. */
void tmp_store_open(struct tmp_store *t);
/* Closes the store and deletes the directory. */
void tmp_store_close(struct tmp_store *t);

#endif
