/* api.c - builds and releases what every handler shares (struct qoc_api). */
#include "api/api.h"

#include <string.h>

#include "api/console.h"
#include "console/client.h"
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

/* On PostgreSQL (several nodes may share the database) every budget lives in the store;
 * one SQLite node keeps them in memory (no store round trip per request). */
static enum qoc_err share_throttles(struct qoc_api *api)
{
	struct {
		struct qoc_throttle *t;
		const char *name;
	} tables[] = {
	    {api->login_account, "login_acct"},   {api->login_address, "login_addr"},
	    {api->login_pair, "login_pair"},      {api->client_auth, "client_pair"},
	    {api->client_address, "client_addr"}, {api->signup_address, "signup_addr"},
	    {api->signup_all, "signup_all"},
	};
	uint8_t key[32];
	enum qoc_err err = QOC_OK;
	if (strcmp(api->store->ops->name, "postgres") != 0)
		return QOC_OK;
	if ((err = qoc_kdf(api->master_key, "qoc throttle keys v1", key)))
		return err;
	for (size_t i = 0; !err && i < sizeof(tables) / sizeof(tables[0]); i++)
		err = qoc_throttle_share(tables[i].t, api->store, key, tables[i].name);
	qoc_memwipe(key, sizeof(key));
	return err;
}

static enum qoc_err make_throttles(struct qoc_api *api)
{
	struct qoc_throttle_params acct = QOC_THROTTLE_ACCOUNT_WIDE_PARAMS;
	struct qoc_throttle_params addr = QOC_THROTTLE_ADDRESS_PARAMS;
	struct qoc_throttle_params pair = QOC_THROTTLE_PAIR_PARAMS;
	/* Client authentication: like an address, a confidential client's secret is high
	 * entropy, so this only slows down a misconfigured or hostile caller: 20 failures
	 * per (client, address), 50 per address, never per client alone. */
	struct qoc_throttle_params client = QOC_THROTTLE_ADDRESS_PARAMS;
	struct qoc_throttle_params client_addr = QOC_THROTTLE_ADDRESS_PARAMS;
	struct qoc_throttle_params signup = QOC_THROTTLE_SIGNUP_PARAMS;
	/* Sign-ups overall: 60 in a row without a minute's pause, then 10 s doubling up to a
	 * minute (a flood of fresh addresses slows to one sign-up per lock). */
	struct qoc_throttle_params signup_all = {
	    .max_failures = 60, .window = 60, .lock_base = 10, .lock_max = 60};
	client_addr.max_failures = 50;
	api->login_account = qoc_throttle_new(QOC_THROTTLE_DEFAULT_CAP, &acct);
	api->login_address = qoc_throttle_new(QOC_THROTTLE_DEFAULT_CAP, &addr);
	api->login_pair = qoc_throttle_new(QOC_THROTTLE_DEFAULT_CAP, &pair);
	api->client_auth = qoc_throttle_new(QOC_THROTTLE_DEFAULT_CAP, &client);
	api->client_address = qoc_throttle_new(QOC_THROTTLE_DEFAULT_CAP, &client_addr);
	api->signup_address = qoc_throttle_new(QOC_THROTTLE_DEFAULT_CAP, &signup);
	api->signup_all = qoc_throttle_new(1, &signup_all);
	if (!api->login_account || !api->login_address || !api->login_pair || !api->client_auth ||
	    !api->client_address || !api->signup_address || !api->signup_all)
		return QOC_ENOMEM;
	qoc_throttle_set_kind(api->login_account, QOC_METRICS_THROTTLE_LOGIN_ACCOUNT);
	qoc_throttle_set_kind(api->login_address, QOC_METRICS_THROTTLE_LOGIN_ADDRESS);
	qoc_throttle_set_kind(api->login_pair, QOC_METRICS_THROTTLE_LOGIN_PAIR);
	qoc_throttle_set_kind(api->client_auth, QOC_METRICS_THROTTLE_CLIENT_PAIR);
	qoc_throttle_set_kind(api->client_address, QOC_METRICS_THROTTLE_CLIENT_ADDRESS);
	qoc_throttle_set_kind(api->signup_address, QOC_METRICS_THROTTLE_SIGNUP_ADDRESS);
	qoc_throttle_set_kind(api->signup_all, QOC_METRICS_THROTTLE_SIGNUP_ALL);
	const char *proxies = api->cfg->trusted_proxies ? api->cfg->trusted_proxies : "";
	if (qoc_cidr_list_parse(proxies, &api->trusted_proxies) != QOC_OK)
		return QOC_EINVAL; /* the config check refused it already */
	return share_throttles(api);
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
	err = qoc_console_client_ensure(store, clock, cfg->issuer);
out:
	if (err)
		qoc_api_release(api);
	return err;
}

void qoc_api_release(struct qoc_api *api)
{
	qoc_origins_free(api->origins);
	qoc_last_used_free(api->last_used);
	qoc_throttle_free(api->signup_all);
	qoc_throttle_free(api->signup_address);
	qoc_throttle_free(api->client_address);
	qoc_throttle_free(api->client_auth);
	qoc_throttle_free(api->login_pair);
	qoc_throttle_free(api->login_address);
	qoc_throttle_free(api->login_account);
	qoc_discovery_release(&api->discovery);
	qoc_signer_free(api->signer);
	qoc_apps_ctx_release(&api->apps);
	qoc_memwipe(api->csrf_key, sizeof(api->csrf_key));
	memset(api, 0, sizeof(*api));
}
