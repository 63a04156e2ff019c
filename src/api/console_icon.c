/* console_icon.c - PUT/GET/DELETE /api/v1/applications/{client_id}/icon.
 *
 * GET is public: QOC Login's consent page shows the icon to people who are not members of
 * the application's team (login/pages.c). It serves the stored bytes with the type found
 * by sniffing at upload (never the uploader's claim) and nosniff, so nothing uploaded is
 * ever rendered as HTML or script. PUT and DELETE need developer or better. */
#include <string.h>

#include "api/console.h"
#include "api/console_handlers.h"
#include "console/icon.h"

enum qoc_err qoc_api_console_icon_put(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                      void *ctx)
{
	struct qoc_api *api = ctx;
	struct qoc_console_caller who;
	struct qoc_app app;
	enum qoc_role role;
	struct qoc_icon_info info;
	enum qoc_err err = qoc_console_auth(req, resp, api, &who);
	if (err || (err = qoc_console_app_access(req, resp, api, &who, QOC_ACT_EDIT, &app, &role)))
		return qoc_console_done(err);
	if (!qoc_http_content_type_is(req, "image/png") &&
	    !qoc_http_content_type_is(req, "image/jpeg") &&
	    !qoc_http_content_type_is(req, "image/webp"))
		return qoc_console_done(qoc_console_problem(
		    resp, 415,
		    "an icon is image/png, image/jpeg or image/webp (SVG is not accepted)"));
	if (req->body.len > QOC_ICON_MAX_BYTES)
		return qoc_console_done(qoc_console_problem(resp, 413, "the icon is over 256 KiB"));
	const char *why =
	    qoc_icon_check((const unsigned char *)req->body.ptr, req->body.len, &info);
	if (!why && !qoc_http_content_type_is(req, info.type))
		why = "the image is not of the type its Content-Type says";
	if (why)
		return qoc_console_done(qoc_console_field_error(resp, "icon", why));
	struct qoc_audit_event ev = qoc_console_event(req, api, &who, "app.icon.set", NULL);
	err =
	    qoc_store_app_set_icon(api->store, app.client_id, (const unsigned char *)req->body.ptr,
	                           req->body.len, info.type, &ev);
	if (err)
		return qoc_console_done(qoc_console_store_error(resp, err));
	return qoc_http_resp_json(resp, 200,
	                          json_pack("{s:s,s:s,s:i,s:i}", "icon_url", req->path, "type",
	                                    info.type, "width", (int)info.width, "height",
	                                    (int)info.height));
}

enum qoc_err qoc_api_console_icon_get(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                      void *ctx)
{
	struct qoc_api *api = ctx;
	const unsigned char *icon;
	size_t len;
	const char *type;
	enum qoc_err err = qoc_store_app_get_icon(
	    api->store, req->arena, qoc_http_param(req, "client_id"), &icon, &len, &type);
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
	struct qoc_console_caller who;
	struct qoc_app app;
	enum qoc_role role;
	enum qoc_err err = qoc_console_auth(req, resp, api, &who);
	if (err || (err = qoc_console_app_access(req, resp, api, &who, QOC_ACT_EDIT, &app, &role)))
		return qoc_console_done(err);
	struct qoc_audit_event ev = qoc_console_event(req, api, &who, "app.icon.clear", NULL);
	err = qoc_store_app_clear_icon(api->store, app.client_id, &ev);
	if (err)
		return qoc_console_done(qoc_console_store_error(resp, err));
	return qoc_http_resp_body(resp, 204, NULL, NULL, 0);
}
