/* console_secrets.c - reveal (GET .../credentials, audited) and regenerate (POST .../secret)
 * a client secret. The only responses besides create that hold client_secret; both are
 * Cache-Control: no-store. */
#include <string.h>

#include "api/console.h"
#include "api/console_handlers.h"
#include "console/app_manage.h"

static enum qoc_err secret_handler(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                   struct qoc_api *api, bool regenerate)
{
	struct qoc_console_ctx c = qoc_console_ctx_of(api);
	struct qoc_console_problem p;
	struct qoc_console_caller who;
	struct qoc_console_app_ref ref;
	struct qoc_apps_secret secret = {0};
	enum qoc_err err = qoc_console_auth(req, resp, api, &who);
	if (err || (err = qoc_console_app_access(req, resp, api, &who, QOC_ACT_CREDENTIALS, &ref)))
		goto out;
	err = qoc_console_app_secret(&c, &who.actor, &ref, regenerate, &secret, &p);
	if (err) {
		err = qoc_console_answer(resp, err, &p);
		goto out;
	}
	if ((err = qoc_http_resp_header(resp, "Cache-Control", "no-store")))
		goto out;
	err = qoc_http_resp_json(
	    resp, 200,
	    json_pack("{s:s,s:s}", "client_id", ref.app.client_id, "client_secret", secret.value));
out:
	qoc_apps_secret_wipe(&secret);
	return qoc_console_done(err);
}

enum qoc_err qoc_api_console_app_reveal(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                        void *ctx)
{
	return secret_handler(req, resp, ctx, false);
}

enum qoc_err qoc_api_console_app_regenerate(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                            void *ctx)
{
	return secret_handler(req, resp, ctx, true);
}
