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
	} routes[] = {
		{ "GET", "/healthz", qoc_api_healthz },
		{ "GET", "/readyz", qoc_api_readyz },
		{ "GET", "/.well-known/jwks.json", qoc_api_jwks },
		{ "GET", "/.well-known/openid-configuration", qoc_api_discovery },
		{ "GET", "/.well-known/oauth-authorization-server", qoc_api_discovery },

		{ "GET", "/oauth2/authorize", qoc_api_authorize_captured },
		{ "POST", "/oauth2/authorize", qoc_api_authorize_captured },
		{ "GET", "/login", qoc_api_login_page },
		{ "POST", "/login", qoc_api_login_submit_captured },
		{ "GET", "/login/signup", qoc_api_signup_page },
		{ "POST", "/login/signup", qoc_api_signup_submit },
		{ "GET", "/login/consent", qoc_api_consent_page },
		{ "POST", "/login/consent", qoc_api_consent_submit_captured },
		{ "GET", "/oauth2/logout", qoc_api_logout_captured },
		{ "POST", "/oauth2/logout", qoc_api_logout_captured },
		{ "GET", "/login/static/*", qoc_api_login_static },

		{ "GET", "/oauth2/token", qoc_api_token_captured }, /* 405 with no-store */
		{ "POST", "/oauth2/token", qoc_api_token_captured },
		{ "OPTIONS", "/oauth2/token", qoc_api_token },
		{ "GET", "/oauth2/userinfo", qoc_api_userinfo_captured },
		{ "POST", "/oauth2/userinfo", qoc_api_userinfo_captured },
		{ "OPTIONS", "/oauth2/userinfo", qoc_api_userinfo },
		{ "POST", "/oauth2/introspect", qoc_api_introspect_captured },
		{ "POST", "/oauth2/revoke", qoc_api_revoke_captured },
		{ "OPTIONS", "/oauth2/revoke", qoc_api_revoke },

		/* The console web app; the console session routes (/console/login, ...) are
		 * literal and beat the catch-all. */
		{ "GET", "/console", qoc_api_console_web_root },
		{ "GET", "/console/*", qoc_api_console_web },
	};
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		enum qoc_err err = qoc_router_add(r, routes[i].method, routes[i].pattern,
						  routes[i].handler, api);
		if (err)
			return err;
	}
	return qoc_api_register_console(r, api);
}
