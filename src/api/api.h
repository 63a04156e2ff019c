/* api.h - the HTTP surface of qoc: which handler serves which route.
 *
 * Handlers are thin: decode the request, call the domain, encode the response. They get
 * what they need through struct qoc_api (borrowed; it outlives the server).
 */
#ifndef QOC_API_H
#define QOC_API_H

#include "core/clock.h"
#include "core/config.h"
#include "core/err.h"
#include "http/router.h"
#include "store/store.h"

struct qoc_api {
	const struct qoc_config *cfg;
	struct qoc_store *store;
	const struct qoc_clock *clock;
};

/* Adds every route to r. */
enum qoc_err qoc_api_register(struct qoc_router *r, struct qoc_api *api);

#endif
