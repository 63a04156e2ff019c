/* console_handlers.h - the handlers of the console API (/api/v1/...), registered by
 * console_routes.c. Each gets the struct qoc_api as ctx. */
#ifndef QOC_API_CONSOLE_HANDLERS_H
#define QOC_API_CONSOLE_HANDLERS_H

#include "api/api.h"
#include "http/http.h"

/* Adds every /api/v1 route to r (called once by qoc_api_register). */
enum qoc_err qoc_api_register_console(struct qoc_router *r, struct qoc_api *api);

/* console_session.c: the console web app's sign-in and session (console/signin.h) */
qoc_http_handler_fn qoc_api_console_login;    /* GET /console/login */
qoc_http_handler_fn qoc_api_console_callback; /* GET /console/callback */
qoc_http_handler_fn qoc_api_console_session;  /* GET /console/session */
qoc_http_handler_fn qoc_api_console_logout;   /* POST /console/logout */

/* console_teams.c */
qoc_http_handler_fn qoc_api_console_me;             /* GET /api/v1/me */
qoc_http_handler_fn qoc_api_console_teams_list;     /* GET /api/v1/teams */
qoc_http_handler_fn qoc_api_console_teams_create;   /* POST /api/v1/teams */
qoc_http_handler_fn qoc_api_console_members_list;   /* GET .../teams/{team_id}/members */
qoc_http_handler_fn qoc_api_console_members_add;    /* POST .../teams/{team_id}/members */
qoc_http_handler_fn qoc_api_console_members_update; /* PATCH .../members/{account_id} */
qoc_http_handler_fn qoc_api_console_members_remove; /* DELETE .../members/{account_id} */

/* console_apps.c */
qoc_http_handler_fn qoc_api_console_apps_list;   /* GET /api/v1/applications */
qoc_http_handler_fn qoc_api_console_apps_create; /* POST /api/v1/applications */
qoc_http_handler_fn qoc_api_console_app_get;     /* GET .../applications/{client_id} */
qoc_http_handler_fn qoc_api_console_app_patch;   /* PATCH .../applications/{client_id} */
qoc_http_handler_fn qoc_api_console_app_delete;  /* DELETE .../applications/{client_id} */

/* console_secrets.c */
qoc_http_handler_fn qoc_api_console_app_reveal;     /* GET .../{client_id}/credentials */
qoc_http_handler_fn qoc_api_console_app_regenerate; /* POST .../{client_id}/secret */

/* console_icon.c */
qoc_http_handler_fn qoc_api_console_icon_put;    /* PUT .../{client_id}/icon */
qoc_http_handler_fn qoc_api_console_icon_get;    /* GET .../{client_id}/icon (public) */
qoc_http_handler_fn qoc_api_console_icon_delete; /* DELETE .../{client_id}/icon */

/* console_transfer.c */
qoc_http_handler_fn qoc_api_console_app_transfer; /* POST .../{client_id}/transfer */

/* console_audit.c */
qoc_http_handler_fn qoc_api_console_app_audit;  /* GET .../{client_id}/audit */
qoc_http_handler_fn qoc_api_console_team_audit; /* GET /api/v1/audit */

/* console_analytics.c */
qoc_http_handler_fn qoc_api_console_app_analytics;        /* GET .../{client_id}/analytics */
qoc_http_handler_fn qoc_api_console_app_analytics_export; /* GET .../analytics/export */

/* console_tokens.c */
qoc_http_handler_fn qoc_api_console_tokens_list;   /* GET /api/v1/tokens */
qoc_http_handler_fn qoc_api_console_tokens_create; /* POST /api/v1/tokens */
qoc_http_handler_fn qoc_api_console_tokens_revoke; /* DELETE /api/v1/tokens/{token_id} */

#endif
