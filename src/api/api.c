/* api.c - builds and releases what every handler shares (struct qoc_api). */
#include "api/api.h"

#include <string.h>

#include "api/console.h"
#include "core/mem.h"
#include "crypto/hash.h"
#include "login/csrf.h"
#include "login/throttle.h"
#include "oauth/last_used.h"
#include "oauth/origins.h"
#include "oidc/signer.h"

/* "Last used" is written at most once a minute per application. */
#define LAST_USED_INTERVAL 60
/* Seconds a snapshot of the registered CORS origins answers preflights (origins.h). */
#define ORIGINS_INTERVAL 10

static enum qoc_err make_throttles(struct qoc_api *api)
{
	struct qoc_throttle_params acct = QOC_THROTTLE_ACCOUNT_PARAMS;
	struct qoc_throttle_params addr = QOC_THROTTLE_ADDRESS_PARAMS;
	/* Client authentication: like an address, a confidential client's secret is high
	 * entropy, so this only slows down a misconfigured or hostile caller. */
	struct qoc_throttle_params client = QOC_THROTTLE_ADDRESS_PARAMS;
	api->login_account = qoc_throttle_new(QOC_THROTTLE_DEFAULT_CAP, &acct);
	api->login_address = qoc_throttle_new(QOC_THROTTLE_DEFAULT_CAP, &addr);
	api->client_auth = qoc_throttle_new(QOC_THROTTLE_DEFAULT_CAP, &client);
	if (!api->login_account || !api->login_address || !api->client_auth)
		return QOC_ENOMEM;
	return QOC_OK;
}

enum qoc_err qoc_api_init(struct qoc_api *api, const struct qoc_config *cfg,
			  struct qoc_store *store, const struct qoc_clock *clock,
			  const uint8_t master_key[32])
{
	enum qoc_err err;
	memset(api, 0, sizeof(*api));
	api->cfg = cfg;
	api->store = store;
	api->clock = clock;
	api->master_key = master_key;
	api->secure_cookies = strncmp(cfg->issuer, "https://", 8) == 0;
	api->authz_policy.implicit = true; /* each application still has to enable it */
	api->authz_policy.form_post = true;
	api->authz_policy.scopes_supported = NULL;

	if ((err = qoc_apps_ctx_init(&api->apps, store, clock, master_key)))
		goto out;
	if ((err = qoc_kdf(master_key, QOC_CSRF_KEY_PURPOSE, api->csrf_key)))
		goto out;
	if ((err = qoc_signer_new(store, master_key, qoc_clock_now(clock), &api->signer)))
		goto out;
	if ((err = qoc_discovery_init(&api->discovery, cfg->issuer)))
		goto out;
	if ((err = make_throttles(api)))
		goto out;
	if ((err = qoc_last_used_new(store, LAST_USED_INTERVAL, &api->last_used)))
		goto out;
	if ((err = qoc_origins_new(store, ORIGINS_INTERVAL, &api->origins)))
		goto out;
	if (cfg->access_token_alg) /* unset: the default of access_token_jwt.h */
		api->access_token_alg =
		    qoc_sigkey_alg_parse(cfg->access_token_alg, strlen(cfg->access_token_alg));
	/* The console signs in through QOC Login: its application must exist. */
	err = qoc_api_console_client_ensure(api);
out:
	if (err)
		qoc_api_release(api);
	return err;
}

void qoc_api_release(struct qoc_api *api)
{
	qoc_origins_free(api->origins);
	qoc_last_used_free(api->last_used);
	qoc_throttle_free(api->client_auth);
	qoc_throttle_free(api->login_address);
	qoc_throttle_free(api->login_account);
	qoc_discovery_release(&api->discovery);
	qoc_signer_free(api->signer);
	qoc_apps_ctx_release(&api->apps);
	qoc_memwipe(api->csrf_key, sizeof(api->csrf_key));
	memset(api, 0, sizeof(*api));
}
