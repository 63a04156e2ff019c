/* static.c - GET /login/static/{file}: the stylesheet and the form_post auto-submit script
 * of the QOC Login pages (login/assets.c). Exact names only (the catch-all is not decoded,
 * so nothing like "../" can match); anything else is 404. They carry the page security
 * headers too (nosniff matters most here) and are cached for a day: the paths carry no
 * version, so a longer life would keep an old stylesheet after an upgrade.
 */
#include <string.h>

#include "api/handlers.h"
#include "login/pages.h"

enum qoc_err qoc_api_login_static(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	(void)ctx;
	static const struct {
		const char *name;
		const char *type;
		const char *body;
	} files[] = {
	    {"login.css", "text/css; charset=utf-8", qoc_login_css},
	    {"autosubmit.js", "text/javascript; charset=utf-8", qoc_login_autosubmit_js},
	};
	const char *name = qoc_http_param(req, "*");
	for (size_t i = 0; name && i < sizeof(files) / sizeof(files[0]); i++) {
		if (strcmp(name, files[i].name) != 0)
			continue;
		enum qoc_err err = qoc_http_resp_body(resp, 200, files[i].type, files[i].body,
		                                      strlen(files[i].body));
		if (err || (err = qoc_http_resp_security_headers(resp)))
			return err;
		return qoc_http_resp_header(resp, "Cache-Control", "public, max-age=86400");
	}
	return qoc_http_resp_problem(resp, 404, NULL, NULL);
}
