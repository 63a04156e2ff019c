/* console_routes.c - the route table of the console API (/api/v1) and of the console web
 * app's session (/console/login, callback, session, logout): one line per route. */
#include "api/console_handlers.h"

enum qoc_err qoc_api_register_console(struct qoc_router *r, struct qoc_api *api)
{
	static const struct {
		const char *method;
		const char *pattern;
		qoc_http_handler_fn *handler;
	} routes[] = {
		{ "GET", "/console/login", qoc_api_console_login },
		{ "GET", "/console/callback", qoc_api_console_callback },
		{ "GET", "/console/session", qoc_api_console_session },
		{ "POST", "/console/logout", qoc_api_console_logout },
		{ "GET", "/api/v1/me", qoc_api_console_me },
		{ "GET", "/api/v1/tokens", qoc_api_console_tokens_list },
		{ "POST", "/api/v1/tokens", qoc_api_console_tokens_create },
		{ "DELETE", "/api/v1/tokens/{token_id}", qoc_api_console_tokens_revoke },
		{ "GET", "/api/v1/teams", qoc_api_console_teams_list },
		{ "POST", "/api/v1/teams", qoc_api_console_teams_create },
		{ "GET", "/api/v1/teams/{team_id}/members", qoc_api_console_members_list },
		{ "POST", "/api/v1/teams/{team_id}/members", qoc_api_console_members_add },
		{ "PATCH", "/api/v1/teams/{team_id}/members/{account_id}", qoc_api_console_members_update },
		{ "DELETE", "/api/v1/teams/{team_id}/members/{account_id}", qoc_api_console_members_remove },

		{ "GET", "/api/v1/applications", qoc_api_console_apps_list },
		{ "POST", "/api/v1/applications", qoc_api_console_apps_create },
		{ "GET", "/api/v1/applications/{client_id}", qoc_api_console_app_get },
		{ "PATCH", "/api/v1/applications/{client_id}", qoc_api_console_app_patch },
		{ "DELETE", "/api/v1/applications/{client_id}", qoc_api_console_app_delete },
		{ "GET", "/api/v1/applications/{client_id}/credentials", qoc_api_console_app_reveal },
		{ "POST", "/api/v1/applications/{client_id}/secret", qoc_api_console_app_regenerate },
		{ "PUT", "/api/v1/applications/{client_id}/icon", qoc_api_console_icon_put },
		{ "GET", "/api/v1/applications/{client_id}/icon", qoc_api_console_icon_get },
		{ "DELETE", "/api/v1/applications/{client_id}/icon", qoc_api_console_icon_delete },
		{ "POST", "/api/v1/applications/{client_id}/transfer", qoc_api_console_app_transfer },
		{ "GET", "/api/v1/applications/{client_id}/audit", qoc_api_console_app_audit },
		{ "GET", "/api/v1/audit", qoc_api_console_team_audit },
		{ "GET", "/api/v1/applications/{client_id}/analytics", qoc_api_console_app_analytics },
		{ "GET", "/api/v1/applications/{client_id}/analytics/export",
		  qoc_api_console_app_analytics_export },
	};
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		enum qoc_err err = qoc_router_add(r, routes[i].method, routes[i].pattern,
						  routes[i].handler, api);
		if (err)
			return err;
	}
	return QOC_OK;
}
