/* routes.c - the route table: one line per route, nothing else. */
#include "api/api.h"
#include "api/handlers.h"
#include "api/console_handlers.h"
#include "api/capture.h"
#include "api/console_web.h"

enum qoc_err qoc_api_register(struct qoc_router *r, struct qoc_api *api)
{
	static const struct {
		const char *method;
		const char *pattern;
		qoc_http_handler_fn *handler;
		unsigned flags; /* QOC_ROUTE_WAITS: it writes to the store (wait pool) */
	} routes[] = {
		{ "GET", "/healthz", qoc_api_healthz, 0 },
		{ "GET", "/readyz", qoc_api_readyz, 0 },
		{ "GET", "/.well-known/jwks.json", qoc_api_jwks, 0 },
		{ "GET", "/.well-known/openid-configuration", qoc_api_discovery, 0 },
		{ "GET", "/.well-known/oauth-authorization-server", qoc_api_discovery, 0 },

		{ "GET", "/oauth2/authorize", qoc_api_authorize_captured, QOC_ROUTE_WAITS },
		{ "POST", "/oauth2/authorize", qoc_api_authorize_captured, QOC_ROUTE_WAITS },
		{ "GET", "/login", qoc_api_login_page, 0 },
		{ "POST", "/login", qoc_api_login_submit_captured, QOC_ROUTE_WAITS },
		{ "GET", "/login/signup", qoc_api_signup_page, 0 },
		{ "POST", "/login/signup", qoc_api_signup_submit, QOC_ROUTE_WAITS },
		{ "GET", "/login/consent", qoc_api_consent_page, 0 },
		{ "POST", "/login/consent", qoc_api_consent_submit_captured, QOC_ROUTE_WAITS },
		{ "GET", "/oauth2/logout", qoc_api_logout_captured, QOC_ROUTE_WAITS },
		{ "POST", "/oauth2/logout", qoc_api_logout_captured, QOC_ROUTE_WAITS },
		{ "GET", "/login/static/*", qoc_api_login_static, 0 },

		{ "GET", "/oauth2/token", qoc_api_token_captured, 0 }, /* 405 with no-store */
		{ "POST", "/oauth2/token", qoc_api_token_captured, 0 },
		{ "OPTIONS", "/oauth2/token", qoc_api_token, 0 },
		{ "GET", "/oauth2/userinfo", qoc_api_userinfo_captured, 0 },
		{ "POST", "/oauth2/userinfo", qoc_api_userinfo_captured, 0 },
		{ "OPTIONS", "/oauth2/userinfo", qoc_api_userinfo, 0 },
		{ "POST", "/oauth2/introspect", qoc_api_introspect_captured, 0 },
		{ "POST", "/oauth2/revoke", qoc_api_revoke_captured, QOC_ROUTE_WAITS },
		{ "OPTIONS", "/oauth2/revoke", qoc_api_revoke, 0 },

		/* The console web app; the console session routes (/console/login, ...) are
		 * literal and beat the catch-all. */
		{ "GET", "/console", qoc_api_console_web_root, 0 },
		{ "GET", "/console/*", qoc_api_console_web, 0 },
	};
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		enum qoc_err err = qoc_router_add_flags(r, routes[i].method, routes[i].pattern,
							routes[i].handler, api, routes[i].flags);
		if (err)
			return err;
	}
	return qoc_api_register_console(r, api);
}
