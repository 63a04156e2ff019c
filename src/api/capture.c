/* capture.c - see capture.h. */
#include "api/capture.h"
#include "api/backchannel.h"

#include <string.h>
#include <strings.h>

#include "analytics/analytics.h"
#include "analytics/client_addr.h"
#include "analytics/outcome.h"
#include "api/handlers.h"
#include "core/clock.h"

struct note {
	uint64_t start_ns;
	enum qoc_endpoint ep;
	bool have_client;
	struct qoc_analytics_event ev; /* filled as the handler notes */
	char error[QOC_AN_ERROR_MAX];
};

static struct note *note_of(struct qoc_http_req *req)
{
	return req->app_note;
}

void qoc_api_note_client(struct qoc_http_req *req, const char *client_id)
{
	struct note *n = note_of(req);
	if (n && client_id)
		n->have_client = qoc_an_copy(n->ev.client_id, sizeof(n->ev.client_id), client_id);
}

void qoc_api_note_account(struct qoc_http_req *req, const char *account_id)
{
	struct note *n = note_of(req);
	if (n && account_id)
		(void)qoc_an_copy(n->ev.account_id, sizeof(n->ev.account_id), account_id);
}

void qoc_api_note_error(struct qoc_http_req *req, const char *error)
{
	struct note *n = note_of(req);
	if (n && error)
		(void)qoc_an_copy(n->error, sizeof(n->error), error);
}

static bool is_json(const struct qoc_http_resp *resp)
{
	const char *ct = resp->content_type;
	return ct && (strncmp(ct, "application/json", 16) == 0 ||
	              strncmp(ct, "application/problem+json", 24) == 0);
}

static void record(struct qoc_api *api, struct qoc_http_req *req, const struct qoc_http_resp *resp,
                   struct note *n, enum qoc_err err)
{
	unsigned status = resp->status;
	if (err == QOC_ENOMEM)
		status = 503; /* what the server sends for it */
	else if (err && !status)
		status = 500;
	uint64_t us = (qoc_monotonic_ns() - n->start_ns) / 1000;
	n->ev.latency_us = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
	n->ev.status = (uint16_t)status;
	n->ev.endpoint = (uint8_t)n->ep;
	n->ev.at = qoc_clock_now(api->clock);
	qoc_api_client_addr(api, req, n->ev.addr);
	bool json = is_json(resp) && status >= 400;
	qoc_an_outcome(status, n->error, json ? resp->body.data : NULL, json ? resp->body.len : 0,
	               qoc_http_resp_get_header(resp, "WWW-Authenticate"), n->ev.error);
	(void)qoc_analytics_record(api->analytics, &n->ev); /* a drop is counted there */
}

static enum qoc_err captured(enum qoc_endpoint ep, qoc_http_handler_fn *inner,
                             struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	struct qoc_api *api = ctx;
	if (!api->analytics || req->method == QOC_HTTP_OPTIONS)
		return inner(req, resp, ctx);
	struct note *n = req->app_note;
	if (!n) { /* the first call (a resumed one finds its note) */
		n = qoc_arena_calloc(req->arena, 1, sizeof(*n));
		if (!n)
			return inner(req, resp, ctx); /* not captured rather than not answered */
		n->start_ns = qoc_monotonic_ns();
		n->ep = ep;
		req->app_note = n;
	}
	enum qoc_err err = inner(req, resp, ctx);
	if (err != QOC_EPENDING && n->have_client)
		record(api, req, resp, n, err);
	return err;
}

#define CAPTURED(name, ep, inner)                                                                  \
	enum qoc_err name(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)         \
	{                                                                                          \
		return captured(ep, inner, req, resp, ctx);                                        \
	}

CAPTURED(qoc_api_authorize_captured, QOC_EP_AUTHORIZE, qoc_api_authorize)
CAPTURED(qoc_api_login_submit_captured, QOC_EP_AUTHORIZE, qoc_api_login_submit)
CAPTURED(qoc_api_consent_submit_captured, QOC_EP_AUTHORIZE, qoc_api_consent_submit)
CAPTURED(qoc_api_token_captured, QOC_EP_TOKEN, qoc_api_token)
CAPTURED(qoc_api_userinfo_captured, QOC_EP_USERINFO, qoc_api_userinfo)
CAPTURED(qoc_api_introspect_captured, QOC_EP_INTROSPECT, qoc_api_introspect)
CAPTURED(qoc_api_revoke_captured, QOC_EP_REVOKE, qoc_api_revoke)
CAPTURED(qoc_api_logout_captured, QOC_EP_LOGOUT, qoc_api_logout)
