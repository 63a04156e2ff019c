/* metrics.h - the process's metrics and their Prometheus text exposition (format 0.0.4).
 *
 * One fixed registry (metrics.c), like the config table: every family, its labels and
 * every value each label can take are known at compile time, except the route label,
 * whose values are the router's patterns, interned at start-up (at most
 * QOC_METRICS_MAX_ROUTES; more share the value "other"). So the number of series is
 * bounded whatever the traffic: a raw path, a client id or an address is never a label.
 * docs/decisions/metrics.md; docs/operations.md "Monitoring" lists every metric.
 *
 * Cost on the hot path: an increment is one relaxed atomic add on a static array; a
 * histogram observation is two (its bucket and its sum; the count is the sum of the
 * buckets, added up at scrape). No lock, no allocation, no system call; the caller
 * reads the clock (qoc_monotonic_ns, a vDSO call) where it times something.
 *
 * Thread safety: everything here may be called from any thread at any time, rendering
 * included (a scrape sees each cell's latest value, not one instant across cells).
 */
#ifndef QOC_CORE_METRICS_H
#define QOC_CORE_METRICS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"

/* Route label values besides "none" (requests that matched no route, or were refused
 * before routing) and "other" (patterns past this many). */
#define QOC_METRICS_MAX_ROUTES 160

/* The Content-Type of an exposition. */
#define QOC_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* ---- label values (each enum lists one label's values, in the order of its table) ---- */

enum qoc_metrics_grant {
	QOC_METRICS_GRANT_AUTHORIZATION_CODE,
	QOC_METRICS_GRANT_REFRESH_TOKEN,
	QOC_METRICS_GRANT_CLIENT_CREDENTIALS,
	QOC_METRICS_GRANT_IMPLICIT,
	QOC_METRICS_GRANT_COUNT
};

enum qoc_metrics_token_format {
	QOC_METRICS_FORMAT_OPAQUE,
	QOC_METRICS_FORMAT_JWT,
	QOC_METRICS_FORMAT_COUNT
};

/* Sign-in outcomes. An unknown email is wrong_password too: the sign-in takes the same
 * path and gives the same answer for both, and so does this count. */
enum qoc_metrics_signin {
	QOC_METRICS_SIGNIN_SUCCESS,
	QOC_METRICS_SIGNIN_WRONG_PASSWORD,
	QOC_METRICS_SIGNIN_THROTTLED,
	QOC_METRICS_SIGNIN_ERROR,
	QOC_METRICS_SIGNIN_COUNT
};

/* The throttle tables (api/api.c), named as in the store when shared. */
enum qoc_metrics_throttle {
	QOC_METRICS_THROTTLE_NONE = 0, /* a table without a kind: not counted */
	QOC_METRICS_THROTTLE_LOGIN_ACCOUNT,
	QOC_METRICS_THROTTLE_LOGIN_ADDRESS,
	QOC_METRICS_THROTTLE_LOGIN_PAIR,
	QOC_METRICS_THROTTLE_CLIENT_PAIR,
	QOC_METRICS_THROTTLE_CLIENT_ADDRESS,
	QOC_METRICS_THROTTLE_SIGNUP_ADDRESS,
	QOC_METRICS_THROTTLE_SIGNUP_ALL,
	QOC_METRICS_THROTTLE_COUNT
};

enum qoc_metrics_alg {
	QOC_METRICS_ALG_RS256,
	QOC_METRICS_ALG_PS256,
	QOC_METRICS_ALG_ES256,
	QOC_METRICS_ALG_EDDSA,
	QOC_METRICS_ALG_COUNT
};

enum qoc_metrics_sig_op { QOC_METRICS_SIGN, QOC_METRICS_VERIFY, QOC_METRICS_SIG_OP_COUNT };

enum qoc_metrics_mail {
	QOC_METRICS_MAIL_SENT,
	QOC_METRICS_MAIL_FAILED,   /* to be retried */
	QOC_METRICS_MAIL_GIVEN_UP, /* the last attempt failed */
	QOC_METRICS_MAIL_COUNT
};

/* Every operation of the store interface (store/store.h), as its op label. */
/* clang-format off */
#define QOC_METRICS_STORE_OPS(X)                                                                   \
	X(migrate) X(ping) X(key_rotate) X(key_active) X(key_list_published) X(account_create)     \
	X(account_by_email) X(account_admin_exists) X(account_by_id) X(team_create)              \
	X(teams_of_account) X(team_members) X(member_add) X(member_set_role) X(member_remove)     \
	X(membership_role) X(app_create)                                                          \
	X(app_get) X(client_get) X(app_list) X(app_update) X(app_set_status)                      \
	X(app_secret_replace) X(app_set_icon) X(app_clear_icon) X(app_get_icon) X(app_transfer)   \
	X(app_delete) X(app_touch_last_used) X(audit_append) X(audit_list) X(pat_create)          \
	X(pat_find) X(pat_list) X(pat_revoke) X(pat_touch) X(analytics_append)                    \
	X(analytics_query) X(analytics_lifetime) X(analytics_active_users) X(analytics_purge)     \
	X(session_create) X(session_get) X(session_touch) X(session_delete)                       \
	X(session_delete_by_sid) X(authreq_create) X(authreq_get) X(authreq_set_account)          \
	X(authreq_take) X(authreq_delete) X(code_create) X(code_consume) X(tokens_issue)          \
	X(token_get) X(refresh_rotate) X(token_revoke) X(family_revoke)                           \
	X(tokens_purge_expired) X(consent_get) X(consent_put) X(outbox_put) X(outbox_due)         \
	X(outbox_mark_sent) X(outbox_mark_failed) X(outbox_claim) X(outbox_pending)               \
	X(authreq_purge) X(sessions_purge) X(codes_purge) X(tokens_purge) X(families_purge)       \
	X(throttle_reserve) X(throttle_fail) X(throttle_cancel) X(throttle_forget)                \
	X(throttle_purge)

enum qoc_metrics_store_op {
#define QOC_METRICS_STORE_OP_ENUM(name) QOC_METRICS_STORE_##name,
	QOC_METRICS_STORE_OPS(QOC_METRICS_STORE_OP_ENUM)
#undef QOC_METRICS_STORE_OP_ENUM
	QOC_METRICS_STORE_OP_COUNT
};
/* clang-format on */

/* ---- the cells (metrics.c; named here only so the increments below can be inline) ---- */

extern _Atomic uint64_t qoc_metrics_tokens_cells[QOC_METRICS_GRANT_COUNT][QOC_METRICS_FORMAT_COUNT];
extern _Atomic uint64_t qoc_metrics_signin_cells[QOC_METRICS_SIGNIN_COUNT];
extern _Atomic uint64_t qoc_metrics_throttle_cells[QOC_METRICS_THROTTLE_COUNT];
extern _Atomic uint64_t qoc_metrics_sig_cells[QOC_METRICS_ALG_COUNT][QOC_METRICS_SIG_OP_COUNT];
extern _Atomic uint64_t qoc_metrics_mail_cells[QOC_METRICS_MAIL_COUNT];
extern _Atomic uint64_t qoc_metrics_store_error_cells[QOC_METRICS_STORE_OP_COUNT];
extern _Atomic uint64_t qoc_metrics_pool_timeout_cells[1];
extern _Atomic int64_t qoc_metrics_open_connections;

#define QOC_METRICS_INC(cell) atomic_fetch_add_explicit(&(cell), 1, memory_order_relaxed)

/* ---- counting (one line at each call site) ---- */

/* A request answered (or given up: status 0) after dur_ns, on the route interned as
 * route (0: none). */
void qoc_metrics_http_request(unsigned route, unsigned status, uint64_t dur_ns);

/* The route label id of a router pattern: the same id for the same text, 1..MAX_ROUTES,
 * or MAX_ROUTES + 1 ("other") once the table is full. Takes a lock: call while building
 * routers, never per request. */
unsigned qoc_metrics_route_intern(const char *pattern);

/* A connection of the main listener opened (+1) or closed (-1). */
static inline void qoc_metrics_connection(int delta)
{
	atomic_fetch_add_explicit(&qoc_metrics_open_connections, delta, memory_order_relaxed);
}

static inline void qoc_metrics_token_issued(enum qoc_metrics_grant g, bool jwt)
{
	if ((unsigned)g < QOC_METRICS_GRANT_COUNT)
		QOC_METRICS_INC(qoc_metrics_tokens_cells[g][jwt ? QOC_METRICS_FORMAT_JWT
		                                                : QOC_METRICS_FORMAT_OPAQUE]);
}

static inline void qoc_metrics_signin(enum qoc_metrics_signin outcome)
{
	if ((unsigned)outcome < QOC_METRICS_SIGNIN_COUNT)
		QOC_METRICS_INC(qoc_metrics_signin_cells[outcome]);
}

static inline void qoc_metrics_throttle_refused(enum qoc_metrics_throttle kind)
{
	if (kind != QOC_METRICS_THROTTLE_NONE && (unsigned)kind < QOC_METRICS_THROTTLE_COUNT)
		QOC_METRICS_INC(qoc_metrics_throttle_cells[kind]);
}

static inline void qoc_metrics_signature(enum qoc_metrics_alg alg, enum qoc_metrics_sig_op op)
{
	if ((unsigned)alg < QOC_METRICS_ALG_COUNT && (unsigned)op < QOC_METRICS_SIG_OP_COUNT)
		QOC_METRICS_INC(qoc_metrics_sig_cells[alg][op]);
}

static inline void qoc_metrics_mail(enum qoc_metrics_mail result)
{
	if ((unsigned)result < QOC_METRICS_MAIL_COUNT)
		QOC_METRICS_INC(qoc_metrics_mail_cells[result]);
}

/* A store operation that started at t0 (qoc_monotonic_ns) ended now with err. The
 * errors that mean the store failed (QOC_EDB, QOC_EBUSY, QOC_EIO, QOC_ENOMEM; not
 * QOC_ENOTFOUND or QOC_ECONFLICT, which are answers) are counted too. Returns err. */
enum qoc_err qoc_metrics_store_op(enum qoc_metrics_store_op op, uint64_t t0, enum qoc_err err);

/* A caller waited from t0 for a pooled store connection; timed_out: it got none. */
void qoc_metrics_pool_wait(uint64_t t0, bool timed_out);

/* ---- exposition ---- */

/* Appends every family of the registry in the text format 0.0.4 (HELP, TYPE, samples;
 * histograms with cumulative buckets, +Inf, _sum and _count). Route families show only
 * the series that counted something; the others show every label combination.
 * QOC_ELIMIT past the buffer's bound, QOC_ENOMEM. */
enum qoc_err qoc_metrics_render(struct qoc_buf *out);

/* For values read at scrape time (process, queues): appends a family's HELP and TYPE
 * (type "counter" or "gauge"), then each of its samples: name, with one label when
 * label is not NULL, and the value (an integral one without a fraction; NaN and
 * infinities as the format spells them). */
enum qoc_err qoc_metrics_write_family(struct qoc_buf *out, const char *name, const char *type,
                                      const char *help);
enum qoc_err qoc_metrics_write_sample(struct qoc_buf *out, const char *name, const char *label,
                                      const char *label_value, double value);

/* Appends s as a label value: backslash, double quote and line feed escaped. */
enum qoc_err qoc_metrics_write_label_value(struct qoc_buf *out, const char *s);

/* Tests: every counter and histogram back to zero (routes stay interned). */
void qoc_metrics_reset(void);

#endif
