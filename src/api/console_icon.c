/* console_icon.c - PUT/GET/DELETE /api/v1/applications/{client_id}/icon.
 *
 * GET is public: QOC Login's consent page shows the icon to people who are not members of
 * the application's team (login/pages.c). It serves the stored bytes with the type found
 * by sniffing at upload (never the uploader's claim) and nosniff, so nothing uploaded is
 * ever rendered as HTML or script. PUT and DELETE need developer or better. The rules
 * are console/icon.h's. */
#include <string.h>

#include "api/console.h"
#include "api/console_handlers.h"
#include "console/icon.h"

/* The accepted type the request's Content-Type names, NULL for another. */
static const char *declared_type(const struct qoc_http_req *req)
{
	static const char *const types[] = {"image/png", "image/jpeg", "image/webp"};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (qoc_http_content_type_is(req, types[i]))
			return types[i];
	return NULL;
}

enum qoc_err qoc_api_console_icon_put(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                      void *ctx)
{
	struct qoc_api *api = ctx;
	struct qoc_console_ctx c = qoc_console_ctx_of(api);
	struct qoc_console_problem p;
	struct qoc_console_caller who;
	struct qoc_console_app_ref ref;
	struct qoc_icon_info info;
	enum qoc_err err = qoc_console_auth(req, resp, api, &who);
	if (err || (err = qoc_console_app_access(req, resp, api, &who, QOC_ACT_EDIT, &ref)))
		return qoc_console_done(err);
	const char *declared = declared_type(req);
	if (!declared)
		return qoc_console_done(qoc_console_problem(
		    resp, 415,
		    "an icon is image/png, image/jpeg or image/webp (SVG is not accepted)"));
	if (req->body.len > QOC_ICON_MAX_BYTES)
		return qoc_console_done(qoc_console_problem(resp, 413, "the icon is over 256 KiB"));
	err = qoc_console_icon_set(&c, &who.actor, &ref, (const unsigned char *)req->body.ptr,
	                           req->body.len, declared, &info, &p);
	if (err)
		return qoc_console_done(qoc_console_answer(resp, err, &p));
	return qoc_http_resp_json(resp, 200,
	                          json_pack("{s:s,s:s,s:i,s:i}", "icon_url", req->path, "type",
	                                    info.type, "width", (int)info.width, "height",
	                                    (int)info.height));
}

enum qoc_err qoc_api_console_icon_get(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                      void *ctx)
{
	struct qoc_console_ctx c = qoc_console_ctx_of(ctx);
	const unsigned char *icon;
	size_t len;
	const char *type;
	enum qoc_err err = qoc_console_icon_get(&c, req->arena, qoc_http_param(req, "client_id"),
	                                        &icon, &len, &type);
	if (err)
		return qoc_console_done(qoc_console_store_error(resp, err));
	if ((err = qoc_http_resp_header(resp, "X-Content-Type-Options", "nosniff")) ||
	    (err = qoc_http_resp_header(resp, "Content-Security-Policy", "default-src 'none'")) ||
	    (err = qoc_http_resp_header(resp, "Cache-Control", "public, max-age=300")))
		return err;
	return qoc_http_resp_body(resp, 200, type, icon, len);
}

enum qoc_err qoc_api_console_icon_delete(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                         void *ctx)
{
	struct qoc_api *api = ctx;
	struct qoc_console_ctx c = qoc_console_ctx_of(api);
	struct qoc_console_problem p;
	struct qoc_console_caller who;
	struct qoc_console_app_ref ref;
	enum qoc_err err = qoc_console_auth(req, resp, api, &who);
	if (err || (err = qoc_console_app_access(req, resp, api, &who, QOC_ACT_EDIT, &ref)))
		return qoc_console_done(err);
	err = qoc_console_icon_clear(&c, &who.actor, &ref, &p);
	if (err)
		return qoc_console_done(qoc_console_answer(resp, err, &p));
	return qoc_http_resp_body(resp, 204, NULL, NULL, 0);
}
