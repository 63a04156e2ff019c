/* handlers.h - every HTTP handler of qoc, registered in routes.c. Each has the
 * qoc_http_handler_fn signature and gets the struct qoc_api as ctx. */
#ifndef QOC_API_HANDLERS_H
#define QOC_API_HANDLERS_H

#include "api/api.h"
#include "http/http.h"

qoc_http_handler_fn qoc_api_healthz;
qoc_http_handler_fn qoc_api_readyz;
qoc_http_handler_fn qoc_api_jwks;

#endif
