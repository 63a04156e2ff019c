/* routes.c - the route table: one line per route, nothing else. */
#include "api/api.h"
#include "api/handlers.h"

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
	};
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		enum qoc_err err = qoc_router_add(r, routes[i].method, routes[i].pattern,
						  routes[i].handler, api);
		if (err)
			return err;
	}
	return QOC_OK;
}
