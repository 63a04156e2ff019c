/* pw_throttle.h - the one throttle of every password check: sign-in (login.c) and the
 * console's password re-checks (console_transfer.c). docs/decisions/throttles.md.
 *
 * Budgets, each reserved before the argon2id work (login/throttle.h "Atomic budgets"):
 *   pair    (account, client address): 5 failures;
 *   address (client address):          20 failures;
 *   account (account, every address):  10 failures, but consulted only for an address
 *           that already failed for this account, so an attacker who knows only the
 *           victim's email locks the addresses that guess, never the victim signing in
 *           from an address without failures.
 * The account is the email as typed, trimmed and lower-cased, whether or not it exists
 * (a lock says nothing about existence); the address is the client address as analytics
 * computes it (X-Forwarded-For only from trusted_proxies, qoc_api_client_addr).
 * A wrong password counts on all three (the account even when not consulted); a right
 * one forgets the pair and gives the other reservations back (it clears neither the
 * address, which might be shared with an attacker, nor the account-wide count, which an
 * attacker's own right password on another account must not reset).
 */
#ifndef QOC_API_PW_THROTTLE_H
#define QOC_API_PW_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>

#include "api/api.h"
#include "http/http.h"

struct qoc_pw_guard {
	struct qoc_api *api;
	const char *pair, *addr, *acct; /* keys, in the request's arena */
	bool acct_reserved;
	bool settled;
};

/* Reserves one password check for email from req's client address. QOC_OK with
 * *retry_after 0: go ahead, then call qoc_pw_guard_end exactly once (if the request ends
 * first, the reservations are given back when its arena is released). QOC_OK with
 * *retry_after >= 1: refused, answer 429 with it; nothing to settle. QOC_ENOMEM. */
enum qoc_err qoc_pw_guard_begin(struct qoc_api *api, struct qoc_http_req *req, const char *email,
                                struct qoc_pw_guard *g, int64_t *retry_after);

/* Settles the check: right (forget the pair, give back the rest) or wrong (a failure on
 * every budget). No-op when already settled. */
void qoc_pw_guard_end(struct qoc_pw_guard *g, bool right);

#endif
