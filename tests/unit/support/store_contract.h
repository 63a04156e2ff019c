/* store_contract.h - the behaviour every store backend must have, written once.
 *
 * A backend's test program describes how to get a fresh store and hands that to
 * store_contract_run(), which runs the whole suite (one cmocka group) against it:
 *
 *     static const struct store_contract_backend b = { "sqlite", open_fn, close_fn, reopen_fn, NULL };
 *     failed += store_contract_run(&b);
 *
 * Each test gets its own empty database, so tests may run in any order.
 */
#ifndef QOC_TEST_STORE_CONTRACT_H
#define QOC_TEST_STORE_CONTRACT_H

#include "core/err.h"
#include "store/store.h"

struct store_contract_backend {
	const char *name;
	/* Opens a store on a new, empty database (not migrated). *ctx is the backend's
	 * per-test state, passed back to close. */
	enum qoc_err (*open)(void *arg, struct qoc_store **st, void **ctx);
	/* Closes st and deletes its database. */
	void (*close)(void *arg, struct qoc_store *st, void *ctx);
	/* Closes *st and opens the same database again (what survives is what was
	 * committed). */
	enum qoc_err (*reopen)(void *arg, struct qoc_store **st, void *ctx);
	void *arg;
};

/* Runs the suite; returns the number of failed tests. */
int store_contract_run(const struct store_contract_backend *b);

#endif
