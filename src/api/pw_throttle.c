/* pw_throttle.c - see pw_throttle.h. */
#include "api/pw_throttle.h"

#include <ctype.h>
#include <string.h>

#include "api/backchannel.h"
#include "core/log.h"
#include "login/throttle.h"

/* The email as typed, trimmed and lower-cased (arena). */
static char *account_name(struct qoc_arena *a, const char *email)
{
	const char *e = email ? email : "";
	size_t len = strlen(e);
	while (len && isspace((unsigned char)*e))
		e++, len--;
	while (len && isspace((unsigned char)e[len - 1]))
		len--;
	char *s = qoc_arena_printf(a, "%.*s", (int)len, e);
	for (char *c = s; c && *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return s;
}

/* The request ended before the check was settled (an aborted offload): give back. */
static void release(void *arg)
{
	struct qoc_pw_guard *g = arg;
	if (g->settled)
		return;
	int64_t now = qoc_clock_now(g->api->clock);
	g->settled = true;
	qoc_throttle_cancel(g->api->login_pair, g->pair, now);
	qoc_throttle_cancel(g->api->login_address, g->addr, now);
	if (g->acct_reserved)
		qoc_throttle_cancel(g->api->login_account, g->acct, now);
}

/* Security events (log.h) name the budget and the client address, never the email as
 * typed: a password typed into the email field must not reach the log. */
static enum qoc_err refused(const struct qoc_pw_guard *g, const char *budget, int64_t wait)
{
	qoc_log_event("signin_throttled", "password check refused: too many failures",
	              "budget=%s addr=%s retry_after=%lld", budget, g->addr + 3, (long long)wait);
	return QOC_OK;
}

enum qoc_err qoc_pw_guard_begin(struct qoc_api *api, struct qoc_http_req *req, const char *email,
                                struct qoc_pw_guard *g, int64_t *retry_after)
{
	char addr[QOC_AN_ADDR_MAX];
	int64_t now = qoc_clock_now(api->clock), wait = 0, failures = 0;
	memset(g, 0, sizeof(*g));
	g->api = api;
	g->settled = true;
	*retry_after = 0;
	qoc_api_client_addr(api, req, addr);
	const char *acct = account_name(req->arena, email);
	if (!acct)
		return QOC_ENOMEM;
	g->acct = qoc_arena_printf(req->arena, "acct:%s", acct);
	g->addr = qoc_arena_printf(req->arena, "ip:%s", addr);
	g->pair = qoc_arena_printf(req->arena, "acct:%s|ip:%s", acct, addr);
	if (!g->acct || !g->addr || !g->pair)
		return QOC_ENOMEM;
	if (!qoc_throttle_reserve(api->login_pair, g->pair, now, &wait, &failures)) {
		*retry_after = wait;
		return refused(g, "account_and_address", wait);
	}
	if (!qoc_throttle_reserve(api->login_address, g->addr, now, &wait, NULL)) {
		qoc_throttle_cancel(api->login_pair, g->pair, now);
		*retry_after = wait;
		return refused(g, "address", wait);
	}
	/* The account-wide budget binds only addresses that already failed for it. */
	if (failures > 0) {
		if (!qoc_throttle_reserve(api->login_account, g->acct, now, &wait, NULL)) {
			qoc_throttle_cancel(api->login_pair, g->pair, now);
			qoc_throttle_cancel(api->login_address, g->addr, now);
			*retry_after = wait;
			return refused(g, "account", wait);
		}
		g->acct_reserved = true;
	}
	g->settled = false;
	if (qoc_arena_on_release(req->arena, release, g)) {
		release(g);
		return QOC_ENOMEM;
	}
	return QOC_OK;
}

/* After a failure: one event when it locked a budget (the attempts it refuses until the
 * lock ends are signin_throttled events). Only failed attempts pay for these look-ups. */
static void log_locks(const struct qoc_pw_guard *g, int64_t now)
{
	struct qoc_api *api = g->api;
	int64_t wait = 0, w;
	bool pair = !qoc_throttle_check(api->login_pair, g->pair, now, &w);
	wait = pair ? w : wait;
	bool addr = !qoc_throttle_check(api->login_address, g->addr, now, &w);
	wait = addr && w > wait ? w : wait;
	bool acct = !qoc_throttle_check(api->login_account, g->acct, now, &w);
	wait = acct && w > wait ? w : wait;
	if (!pair && !addr && !acct)
		return;
	qoc_log_event("signin_locked", "sign-in locked after failed passwords",
	              "account=%s account_and_address=%s address=%s addr=%s lock_s=%lld",
	              acct ? "locked" : "open", pair ? "locked" : "open", addr ? "locked" : "open",
	              g->addr + 3, (long long)wait);
}

void qoc_pw_guard_end(struct qoc_pw_guard *g, bool right)
{
	if (g->settled)
		return;
	g->settled = true;
	struct qoc_api *api = g->api;
	int64_t now = qoc_clock_now(api->clock);
	if (right) {
		qoc_throttle_success(api->login_pair, g->pair);
		qoc_throttle_cancel(api->login_address, g->addr, now);
		if (g->acct_reserved)
			qoc_throttle_cancel(api->login_account, g->acct, now);
		return;
	}
	(void)qoc_throttle_fail_reserved(api->login_pair, g->pair, now);
	(void)qoc_throttle_fail_reserved(api->login_address, g->addr, now);
	if (g->acct_reserved)
		(void)qoc_throttle_fail_reserved(api->login_account, g->acct, now);
	else
		(void)qoc_throttle_fail(api->login_account, g->acct, now);
	log_locks(g, now);
}
