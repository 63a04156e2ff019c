/* handlers.h - every HTTP handler of qoc, registered in routes.c. Each has the
 * qoc_http_handler_fn signature and gets the struct qoc_api as ctx. */
#ifndef QOC_API_HANDLERS_H
#define QOC_API_HANDLERS_H

#include "api/api.h"
#include "http/http.h"

/* health.c */
qoc_http_handler_fn qoc_api_healthz;
qoc_http_handler_fn qoc_api_readyz;
/* metrics.c (the metrics listener only) */
qoc_http_handler_fn qoc_api_metrics;
/* jwks.c, discovery.c */
qoc_http_handler_fn qoc_api_jwks;
qoc_http_handler_fn qoc_api_discovery;

/* The browser side of QOC Login (authorize.c, login.c, consent.c, logout.c, static.c). */
qoc_http_handler_fn qoc_api_authorize;      /* GET, POST /oauth2/authorize */
qoc_http_handler_fn qoc_api_login_page;     /* GET /login */
qoc_http_handler_fn qoc_api_login_submit;   /* POST /login */
qoc_http_handler_fn qoc_api_signup_page;    /* GET /login/signup */
qoc_http_handler_fn qoc_api_signup_submit;  /* POST /login/signup */
qoc_http_handler_fn qoc_api_consent_page;   /* GET /login/consent */
qoc_http_handler_fn qoc_api_consent_submit; /* POST /login/consent */
qoc_http_handler_fn qoc_api_logout;         /* GET, POST /oauth2/logout */
qoc_http_handler_fn qoc_api_login_static;   /* GET /login/static/... */

/* The back channel (token.c, userinfo.c, introspect.c, revoke.c). */
qoc_http_handler_fn qoc_api_token;      /* POST, OPTIONS /oauth2/token */
qoc_http_handler_fn qoc_api_userinfo;   /* GET, POST, OPTIONS /oauth2/userinfo */
qoc_http_handler_fn qoc_api_introspect; /* POST /oauth2/introspect */
qoc_http_handler_fn qoc_api_revoke;     /* POST, OPTIONS /oauth2/revoke */

#endif
