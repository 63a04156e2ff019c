/* stubs_browser.c - TEMPORARY: the browser-side handlers answer 501 until their real files
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

STUB(qoc_api_authorize)
STUB(qoc_api_login_page)
STUB(qoc_api_login_submit)
STUB(qoc_api_signup_page)
STUB(qoc_api_signup_submit)
STUB(qoc_api_consent_page)
STUB(qoc_api_consent_submit)
STUB(qoc_api_logout)
STUB(qoc_api_login_static)
