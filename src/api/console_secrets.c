/* console_secrets.c - reveal (GET .../credentials, audited) and regenerate (POST .../secret)
 * a client secret. The only responses besides create that hold client_secret; both are
 * Cache-Control: no-store. */
#include <string.h>

#include "api/console.h"
#include "api/console_handlers.h"

typedef enum qoc_err secret_fn(const struct qoc_apps_ctx *ctx, const struct qoc_apps_actor *actor,
                               const char *client_id, struct qoc_apps_secret *out);

static enum qoc_err secret_handler(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                   struct qoc_api *api, secret_fn *fn)
{
	struct qoc_console_caller who;
	struct qoc_app app;
	enum qoc_role role;
	struct qoc_apps_secret secret = {0};
	enum qoc_err err = qoc_console_auth(req, resp, api, &who);
	if (err ||
	    (err = qoc_console_app_access(req, resp, api, &who, QOC_ACT_CREDENTIALS, &app, &role)))
		goto out;
	struct qoc_apps_actor actor = {who.acct.id, req->remote_addr[0] ? req->remote_addr : NULL};
	err = fn(&api->apps, &actor, app.client_id, &secret);
	if (err == QOC_EPERM) {
		err = qoc_console_problem(resp, 409, "a public client (spa, mobile) has no secret");
		goto out;
	}
	if (err) {
		err = qoc_console_store_error(resp, err);
		goto out;
	}
	if ((err = qoc_http_resp_header(resp, "Cache-Control", "no-store")))
		goto out;
	err = qoc_http_resp_json(
	    resp, 200,
	    json_pack("{s:s,s:s}", "client_id", app.client_id, "client_secret", secret.value));
out:
	qoc_apps_secret_wipe(&secret);
	return qoc_console_done(err);
}

enum qoc_err qoc_api_console_app_reveal(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                        void *ctx)
{
	return secret_handler(req, resp, ctx, qoc_apps_reveal_secret);
}

enum qoc_err qoc_api_console_app_regenerate(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                            void *ctx)
{
	return secret_handler(req, resp, ctx, qoc_apps_regenerate_secret);
}
