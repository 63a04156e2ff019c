/* backchannel.c - helpers of the back-channel handlers (backchannel.h). */
#include "api/backchannel.h"
#include "api/capture.h"

#include <string.h>
#include <strings.h>

#include "analytics/client_addr.h"
#include "core/log.h"
#include "http/cors.h"
#include "login/throttle.h"
#include "oauth/origins.h"

/* Preflight answers are cached this long by browsers (seconds). */
#define PREFLIGHT_MAX_AGE 600

enum qoc_err qoc_api_no_store(struct qoc_http_resp *resp)
{
	enum qoc_err err = qoc_http_resp_header(resp, "Cache-Control", "no-store");
	return err ? err : qoc_http_resp_header(resp, "Pragma", "no-cache");
}

enum qoc_err qoc_api_oauth_error(struct qoc_http_resp *resp, const struct qoc_oauth_error *err,
                                 const char *challenge)
{
	enum qoc_err e = qoc_http_resp_json(resp, err->status, qoc_oauth_error_json(err));
	if (!e && challenge)
		e = qoc_http_resp_header(resp, "WWW-Authenticate", challenge);
	if (!e && err->status == 503)
		e = qoc_http_resp_header(resp, "Retry-After", "1");
	return e;
}

enum qoc_err qoc_api_internal(struct qoc_http_resp *resp, const char *what, enum qoc_err cause)
{
	qoc_log_error("request failed", "what=%s err=%s", what, qoc_strerror(cause));
	struct qoc_oauth_error e = qoc_oauth_error_internal(cause);
	enum qoc_err err = qoc_api_oauth_error(resp, &e, NULL);
	/* Out of memory: let the server answer its own 503 (it may not fit a JSON body). */
	return err ? err : (cause == QOC_ENOMEM ? QOC_ENOMEM : QOC_OK);
}

bool qoc_api_query_has(struct qoc_http_req *req, const char *const *names, size_t n)
{
	if (!req->query || !req->query[0])
		return false;
	struct qoc_form q;
	if (qoc_http_form_query(req, &q) != QOC_OK)
		return true;
	for (size_t i = 0; i < q.count; i++)
		for (size_t k = 0; k < n; k++)
			if (strcmp(q.fields[i].name, names[k]) == 0)
				return true;
	return false;
}

static enum qoc_err refuse(struct qoc_http_resp *resp, const struct qoc_api_client *c,
                           const struct qoc_oauth_error *oe)
{
	enum qoc_err err = qoc_api_oauth_error(resp, oe, qoc_client_auth_challenge(&c->creds, oe));
	return err ? err : QOC_EINVAL;
}

static enum qoc_err throttled(struct qoc_http_resp *resp, int64_t retry_after)
{
	char v[24];
	struct qoc_oauth_error oe =
	    qoc_oauth_error_make(QOC_OAUTH_TEMPORARILY_UNAVAILABLE,
	                         "too many failed client authentications; retry later");
	oe.status = 429;
	snprintf(v, sizeof(v), "%lld", (long long)retry_after);
	enum qoc_err err = qoc_http_resp_json(resp, 429, qoc_oauth_error_json(&oe));
	if (!err)
		err = qoc_http_resp_header(resp, "Retry-After", v);
	return err ? err : QOC_EINVAL;
}

void qoc_api_client_addr(const struct qoc_api *api, const struct qoc_http_req *req,
                         char out[QOC_AN_ADDR_MAX])
{
	const char *xff[QOC_AN_XFF_MAX_HOPS];
	size_t n = 0;
	for (size_t i = 0; i < req->header_count && n < QOC_AN_XFF_MAX_HOPS; i++)
		if (strcasecmp(req->headers[i].name, "X-Forwarded-For") == 0)
			xff[n++] = req->headers[i].value;
	qoc_an_client_addr(req->remote_addr, xff, n, &api->trusted_proxies, out);
	if (!out[0]) /* no parsable peer (a unit test's fake request): its text as given */
		snprintf(out, QOC_AN_ADDR_MAX, "%s", req->remote_addr);
}

/* Steps 1-2: the body and the credentials in it or in the Authorization header. */
static enum qoc_err read_creds(struct qoc_http_req *req, struct qoc_api_client *out,
                               struct qoc_oauth_error *oe)
{
	static const char *const cred_names[] = {"client_id", "client_secret"};
	enum qoc_err err = qoc_http_form_body(req, &out->form);
	if (err == QOC_ENOMEM)
		return err;
	if (err)
		return qoc_oauth_fail(oe, QOC_OAUTH_INVALID_REQUEST,
		                      "the body must be application/x-www-form-urlencoded");
	if (qoc_http_header_count(req, "Authorization") > 1)
		return qoc_oauth_fail(oe, QOC_OAUTH_INVALID_REQUEST,
		                      "the Authorization header is given more than once");
	bool in_query = qoc_api_query_has(req, cred_names, 2);
	return qoc_client_creds_extract(req->arena, qoc_http_header(req, "Authorization"),
	                                &out->form, in_query, &out->creds, oe);
}

/* The client-authentication throttle's keys: the address, and (presented id, address). */
struct auth_keys {
	char *pair, *addr;
};

static enum qoc_err auth_keys(struct qoc_api *api, struct qoc_http_req *req, const char *client_id,
                              struct auth_keys *k)
{
	char addr[QOC_AN_ADDR_MAX];
	qoc_api_client_addr(api, req, addr);
	k->addr = qoc_arena_printf(req->arena, "ip:%s", addr);
	k->pair = qoc_arena_printf(req->arena, "client:%s|ip:%s", client_id, addr);
	return k->addr && k->pair ? QOC_OK : QOC_ENOMEM;
}

enum qoc_err qoc_api_client_auth(struct qoc_api *api, struct qoc_http_req *req,
                                 struct qoc_http_resp *resp, struct qoc_api_client *out)
{
	struct qoc_oauth_error oe = {0};
	int64_t now = qoc_clock_now(api->clock), retry = 0;
	memset(out, 0, sizeof(*out));
	enum qoc_err err = read_creds(req, out, &oe);
	if (err == QOC_ENOMEM)
		return err;
	if (err)
		return refuse(resp, out, &oe);
	qoc_api_note_client(req, out->creds.client_id);
	/* Keyed by the client address and by (presented id, address), never by the id alone:
	 * one address sending wrong secrets for a client locks only itself, so the client
	 * keeps working from everywhere else. A lock says nothing about existence. Failures
	 * only write (the checks are memory lookups, on PostgreSQL too). */
	struct auth_keys k = {0};
	if (!qoc_throttle_idle(api->client_auth) || !qoc_throttle_idle(api->client_address)) {
		if ((err = auth_keys(api, req, out->creds.client_id, &k)))
			return err;
		int64_t retry2 = 0;
		bool free_pair = qoc_throttle_check(api->client_auth, k.pair, now, &retry);
		bool free_addr = qoc_throttle_check(api->client_address, k.addr, now, &retry2);
		if (!free_pair || !free_addr) {
			char qid[160];
			qoc_log_event("client_auth_throttled",
			              "client authentication refused: too many failures",
			              "client_id=%s addr=%s budget=%s",
			              qoc_log_quote(qid, sizeof(qid), out->creds.client_id),
			              k.addr + 3, free_addr ? "client_and_address" : "address");
			return throttled(resp, retry > retry2 ? retry : retry2);
		}
	} /* else nothing is counted anywhere: no key to build or look up (the common case) */
	err = qoc_store_client_get(api->store, req->arena, out->creds.client_id, &out->app);
	if (err && err != QOC_ENOTFOUND) {
		err = qoc_api_internal(resp, "client_auth.app_get", err);
		return err ? err : QOC_EDB;
	}
	out->app_found = !err;
	err = qoc_client_authenticate(&out->creds, out->app_found ? &out->app : NULL,
	                              api->apps.hash_key, &oe);
	if (err) {
		if (k.pair || !auth_keys(api, req, out->creds.client_id, &k)) {
			(void)qoc_throttle_fail(api->client_auth, k.pair, now);
			(void)qoc_throttle_fail(api->client_address, k.addr, now);
		}
		return refuse(resp, out, &oe);
	}
	return QOC_OK;
}

static bool registered_origin(void *ctx, const char *origin)
{
	struct qoc_api *api = ctx;
	return qoc_origins_allowed(api->origins, origin, qoc_clock_now(api->clock));
}

static bool app_origin(void *ctx, const char *origin)
{
	return qoc_origins_app_allows(ctx, origin);
}

enum qoc_err qoc_api_cors(struct qoc_api *api, struct qoc_http_req *req, struct qoc_http_resp *resp,
                          const struct qoc_app *app)
{
	if (!qoc_http_header(req, "Origin"))
		return QOC_OK; /* not cross-origin: nothing to look up */
	struct qoc_cors_policy p = {
	    .origin_allowed = app ? app_origin : registered_origin,
	    .origin_ctx = app ? (void *)app : (void *)api,
	    .expose_headers = "WWW-Authenticate",
	};
	enum qoc_cors_outcome outcome;
	return qoc_cors_apply(&p, req, resp, &outcome);
}

enum qoc_err qoc_api_options(struct qoc_api *api, struct qoc_http_req *req,
                             struct qoc_http_resp *resp, const char *methods)
{
	struct qoc_cors_policy p = {
	    .origin_allowed = registered_origin,
	    .origin_ctx = api,
	    .allow_methods = methods,
	    .allow_headers = "Authorization, Content-Type",
	    .max_age = PREFLIGHT_MAX_AGE,
	};
	enum qoc_cors_outcome outcome;
	enum qoc_err err = qoc_cors_apply(&p, req, resp, &outcome);
	if (err || outcome == QOC_CORS_PREFLIGHT)
		return err;
	char allow[64];
	snprintf(allow, sizeof(allow), "%s, OPTIONS", methods);
	err = qoc_http_resp_body(resp, 204, NULL, "", 0);
	return err ? err : qoc_http_resp_header(resp, "Allow", allow);
}

struct qoc_issue_ctx qoc_api_issue_ctx(const struct qoc_api *api)
{
	return (struct qoc_issue_ctx){.store = api->store,
	                              .signer = api->signer,
	                              .clock = api->clock,
	                              .issuer = api->cfg->issuer,
	                              .access_token_alg = api->access_token_alg};
}

struct qoc_introspect_ctx qoc_api_introspect_ctx(const struct qoc_api *api)
{
	return (struct qoc_introspect_ctx){
	    .store = api->store, .signer = api->signer, .issuer = api->cfg->issuer};
}
