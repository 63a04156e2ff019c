/* api.h - the HTTP surface of qoc: which handler serves which route, and the shared
 * state handlers reach through their ctx.
 *
 * Handlers are thin: decode the request, call the domain, encode the response. They get
 * everything through struct qoc_api (ctx of every route). It is built once by
 * qoc_api_init before the server starts and released after it stops; every member is
 * read-only while serving, or thread-safe by itself (store, signer, throttles).
 */
#ifndef QOC_API_H
#define QOC_API_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "console/apps.h"
#include "core/clock.h"
#include "core/cidr.h"
#include "core/config.h"
#include "core/err.h"
#include "crypto/sigkey.h"
#include "http/router.h"
#include "oauth/authorize.h"
#include "oidc/discovery.h"
#include "store/store.h"

struct qoc_signer;
struct qoc_throttle;
struct qoc_last_used;
struct qoc_mailer;
struct qoc_origins;
struct qoc_analytics;

struct qoc_purger;

struct qoc_api {
	const struct qoc_config *cfg;
	struct qoc_store *store;
	const struct qoc_clock *clock;
	const uint8_t *master_key;        /* 32 bytes, borrowed */

	struct qoc_apps_ctx apps;         /* client secret hashing and sealing subkeys */
	uint8_t csrf_key[32];             /* qoc_kdf(master, QOC_CSRF_KEY_PURPOSE) */
	struct qoc_signer *signer;        /* signing keys per algorithm, refreshed from the store */
	struct qoc_discovery discovery;   /* both discovery documents, built once */
	struct qoc_authz_policy authz_policy;
	bool secure_cookies;              /* the issuer is https */

	/* Throttles (docs/decisions/throttles.md); shared through the store on PostgreSQL. */
	struct qoc_throttle *login_account; /* failed sign-ins per account (failing addresses) */
	struct qoc_throttle *login_address; /* failed sign-ins per client address */
	struct qoc_throttle *login_pair;    /* failed sign-ins per (account, client address) */
	struct qoc_throttle *client_auth;   /* failed client auth per (client id, address) */
	struct qoc_throttle *client_address; /* failed client authentications per address */
	struct qoc_throttle *signup_address; /* sign-ups per client address */
	struct qoc_throttle *signup_all;     /* sign-ups overall */
	atomic_uint signup_hashing;          /* sign-up hashes on the offload pool right now */
	struct qoc_cidr_list trusted_proxies; /* cfg->trusted_proxies, for client addresses */
	struct qoc_last_used *last_used;    /* coalesced "last used" writes */


	/* The mail sender (mail/sender.h), set by `qoc serve` once it runs, so a handler that
	 * enqueued a message (transfer notice, invitation) can wake it. NULL (tests, before
	 * start): the sender still finds the message at its next poll. */
	struct qoc_mailer *mailer;
	struct qoc_origins *origins;        /* every active app's CORS origins, for preflights */
	enum qoc_jws_alg access_token_alg;  /* JWT access tokens (cfg->access_token_alg) */
	/* Usage analytics (analytics/analytics.h), set by `qoc serve` before it serves; NULL:
	 * capture off (tests, analytics = off). Not owned by the api. */
	struct qoc_analytics *analytics;
	/* The state purge (store/purge.h), set by `qoc serve` before it serves, for /readyz;
	 * NULL: none runs (tests). Not owned by the api. */
	struct qoc_purger *purger;
};

/* Builds everything handlers share. cfg, store and master_key are borrowed and must
 * outlive the api. On error everything made so far is released. */
enum qoc_err qoc_api_init(struct qoc_api *api, const struct qoc_config *cfg,
			  struct qoc_store *store, const struct qoc_clock *clock,
			  const uint8_t master_key[32]);
void qoc_api_release(struct qoc_api *api);

/* Adds every route to r. */
enum qoc_err qoc_api_register(struct qoc_router *r, struct qoc_api *api);
/* The metrics listener's routes (api/metrics.c): GET /metrics, nothing else. */
enum qoc_err qoc_api_register_metrics(struct qoc_router *r, struct qoc_api *api);

#endif
