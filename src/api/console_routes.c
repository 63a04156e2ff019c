/* console_routes.c - the route table of the console API (/api/v1) and of the console web
 * app's session (/console/login, callback, session, logout): one line per route. */
#include "api/console_handlers.h"

enum qoc_err qoc_api_register_console(struct qoc_router *r, struct qoc_api *api)
{
	static const struct {
		const char *method;
		const char *pattern;
		qoc_http_handler_fn *handler;
		unsigned flags; /* QOC_ROUTE_WAITS: it writes to the store (wait pool) */
	} routes[] = {
		{ "GET", "/console/login", qoc_api_console_login, 0 },
		{ "GET", "/console/callback", qoc_api_console_callback, QOC_ROUTE_WAITS },
		{ "GET", "/console/session", qoc_api_console_session, 0 },
		{ "POST", "/console/logout", qoc_api_console_logout, QOC_ROUTE_WAITS },
		{ "GET", "/api/v1/me", qoc_api_console_me, 0 },
		{ "GET", "/api/v1/tokens", qoc_api_console_tokens_list, 0 },
		{ "POST", "/api/v1/tokens", qoc_api_console_tokens_create, QOC_ROUTE_WAITS },
		{ "DELETE", "/api/v1/tokens/{token_id}", qoc_api_console_tokens_revoke, QOC_ROUTE_WAITS },
		{ "GET", "/api/v1/teams", qoc_api_console_teams_list, 0 },
		{ "POST", "/api/v1/teams", qoc_api_console_teams_create, QOC_ROUTE_WAITS },
		{ "GET", "/api/v1/teams/{team_id}/members", qoc_api_console_members_list, 0 },
		{ "POST", "/api/v1/teams/{team_id}/members", qoc_api_console_members_add, QOC_ROUTE_WAITS },
		{ "PATCH", "/api/v1/teams/{team_id}/members/{account_id}", qoc_api_console_members_update, QOC_ROUTE_WAITS },
		{ "DELETE", "/api/v1/teams/{team_id}/members/{account_id}", qoc_api_console_members_remove, QOC_ROUTE_WAITS },

		{ "GET", "/api/v1/applications", qoc_api_console_apps_list, 0 },
		{ "POST", "/api/v1/applications", qoc_api_console_apps_create, QOC_ROUTE_WAITS },
		{ "GET", "/api/v1/applications/{client_id}", qoc_api_console_app_get, 0 },
		{ "PATCH", "/api/v1/applications/{client_id}", qoc_api_console_app_patch, QOC_ROUTE_WAITS },
		{ "DELETE", "/api/v1/applications/{client_id}", qoc_api_console_app_delete, QOC_ROUTE_WAITS },
		{ "GET", "/api/v1/applications/{client_id}/credentials", qoc_api_console_app_reveal, 0 },
		{ "POST", "/api/v1/applications/{client_id}/secret", qoc_api_console_app_regenerate, QOC_ROUTE_WAITS },
		{ "PUT", "/api/v1/applications/{client_id}/icon", qoc_api_console_icon_put, QOC_ROUTE_WAITS },
		{ "GET", "/api/v1/applications/{client_id}/icon", qoc_api_console_icon_get, 0 },
		{ "DELETE", "/api/v1/applications/{client_id}/icon", qoc_api_console_icon_delete, QOC_ROUTE_WAITS },
		{ "POST", "/api/v1/applications/{client_id}/transfer", qoc_api_console_app_transfer, QOC_ROUTE_WAITS },
		{ "GET", "/api/v1/applications/{client_id}/audit", qoc_api_console_app_audit, 0 },
		{ "GET", "/api/v1/audit", qoc_api_console_team_audit, 0 },
		{ "GET", "/api/v1/applications/{client_id}/analytics", qoc_api_console_app_analytics, 0 },
		{ "GET", "/api/v1/applications/{client_id}/analytics/export",
		  qoc_api_console_app_analytics_export, 0 },
	};
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		enum qoc_err err = qoc_router_add_flags(r, routes[i].method, routes[i].pattern,
							routes[i].handler, api, routes[i].flags);
		if (err)
			return err;
	}
	return QOC_OK;
}
