/* store_contract_priv.h - what the contract suite's files share (see store_contract.h).
 * The suite is split by area so each file stays readable; all of it sees only store.h. */
#ifndef QOC_TEST_STORE_CONTRACT_PRIV_H
#define QOC_TEST_STORE_CONTRACT_PRIV_H

#include "store/store.h"
#include "store/store_oauth.h"

struct contract_fixture {
	struct qoc_store *st;
	void *ctx;
	struct qoc_arena a;
};

/* cmocka setups and teardown: a fresh store (migrated or not) per test. */
int contract_setup_fresh(void **state);
int contract_setup_migrated(void **state);
int contract_teardown(void **state);

/* Closes and reopens the fixture's store on the same database (the backend's reopen). */
void contract_reopen(struct contract_fixture *f);

/* The groups of the suite's other files; each returns its failed test count. */
int store_contract_teams_run(const char *group_name);
int store_contract_apps_run(const char *group_name);
int store_contract_oauth_run(const char *group_name);
int store_contract_tokens_run(const char *group_name);
int store_contract_oauth_race_run(const char *group_name);
int store_contract_pats_run(const char *group_name);
int store_contract_outbox_run(const char *group_name);
int store_contract_analytics_run(const char *group_name);
int store_contract_throttle_run(const char *group_name);
int store_contract_purge_run(const char *group_name);

/* store_contract_oauth.c: what the OAuth tests share. */
#define CONTRACT_APP_A "qoc_client_aaaaaaaaaaaaaaaaaaaaaaaa"
#define CONTRACT_APP_B "qoc_client_bbbbbbbbbbbbbbbbbbbbbbbb"
/* acct_1 (owns both applications, in its personal team) and acct_2; CONTRACT_APP_A (web)
 * and CONTRACT_APP_B (spa). */
void contract_oauth_people(struct qoc_store *st);
/* A string of the form of qoc_token_hash() output (43 base64url characters), distinct for
 * each distinct label (base64url characters, at most 40). In a. */
const char *contract_hash(struct qoc_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A token of CONTRACT_APP_A for acct_1 in family fam (sid_1, auth_time 900), created at
 * 1000, expiring at 5000. */
struct qoc_token contract_token(const char *hash, enum qoc_token_kind kind, const char *fam);

#endif
