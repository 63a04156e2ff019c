/* store_contract_priv.h - what the contract suite's files share (see store_contract.h).
 * The suite is split by area so each file stays readable; all of it sees only store.h. */
#ifndef QOC_TEST_STORE_CONTRACT_PRIV_H
#define QOC_TEST_STORE_CONTRACT_PRIV_H

#include "store/store.h"

struct contract_fixture {
	struct qoc_store *st;
	void *ctx;
	struct qoc_arena a;
};

/* cmocka setups and teardown: a fresh store (migrated or not) per test. */
int contract_setup_fresh(void **state);
int contract_setup_migrated(void **state);
int contract_teardown(void **state);

/* The groups of store_contract_teams.c and store_contract_apps.c; failed test counts. */
int store_contract_teams_run(const char *group_name);
int store_contract_apps_run(const char *group_name);

#endif
