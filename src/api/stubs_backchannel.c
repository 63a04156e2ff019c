/* stubs_backchannel.c - TEMPORARY: the back-channel handlers answer 501 until their real files
 * land (this file is deleted then). */
#include "api/handlers.h"

static enum qoc_err not_yet(struct qoc_http_resp *resp)
{
	return qoc_http_resp_problem(resp, 501, NULL, "not implemented yet");
}

#define STUB(name)                                                                            \
	enum qoc_err name(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)     \
	{                                                                                      \
		(void)req;                                                                     \
		(void)ctx;                                                                     \
		return not_yet(resp);                                                          \
	}

STUB(qoc_api_token)
STUB(qoc_api_userinfo)
STUB(qoc_api_introspect)
STUB(qoc_api_revoke)
