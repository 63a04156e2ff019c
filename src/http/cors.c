/* cors.c - CORS headers and preflight answers. See cors.h. */
#include "http/cors.h"

#include <stdio.h>
#include <string.h>

bool qoc_cors_origin_allowed(const struct qoc_cors_policy *policy, const char *origin)
{
	if (policy->any_origin)
		return true;
	if (!origin || !origin[0] || strcmp(origin, "null") == 0)
		return false;
	for (size_t i = 0; i < policy->origin_count; i++)
		if (policy->origins[i] && strcmp(policy->origins[i], origin) == 0)
			return true;
	return policy->origin_allowed && policy->origin_allowed(policy->origin_ctx, origin);
}

/* True when `method` is one of the comma-separated tokens of list. */
static bool method_listed(const char *list, const char *method)
{
	size_t mlen = strlen(method);
	if (!list || mlen == 0)
		return false;
	const char *p = list;
	while (*p) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		size_t n = strcspn(p, ", \t");
		if (n == mlen && memcmp(p, method, n) == 0)
			return true;
		p += n;
	}
	return false;
}

static enum qoc_err add_allow_origin(const struct qoc_cors_policy *policy, const char *origin,
                                     struct qoc_http_resp *resp)
{
	return qoc_http_resp_header(resp, "Access-Control-Allow-Origin",
	                            policy->any_origin ? "*" : origin);
}

static enum qoc_err answer_preflight(const struct qoc_cors_policy *policy, const char *origin,
                                     bool allowed, const char *method, struct qoc_http_resp *resp)
{
	if (!allowed || !method_listed(policy->allow_methods, method))
		return qoc_http_resp_problem(resp, 403, NULL, "CORS preflight not allowed");
	enum qoc_err err = qoc_http_resp_body(resp, 204, NULL, "", 0);
	if (!err)
		err = add_allow_origin(policy, origin, resp);
	if (!err)
		err = qoc_http_resp_header(resp, "Access-Control-Allow-Methods",
		                           policy->allow_methods);
	if (!err && policy->allow_headers)
		err = qoc_http_resp_header(resp, "Access-Control-Allow-Headers",
		                           policy->allow_headers);
	if (!err && policy->max_age) {
		char age[24];
		snprintf(age, sizeof(age), "%u", policy->max_age);
		err = qoc_http_resp_header(resp, "Access-Control-Max-Age", age);
	}
	return err;
}

enum qoc_err qoc_cors_apply(const struct qoc_cors_policy *policy, const struct qoc_http_req *req,
                            struct qoc_http_resp *resp, enum qoc_cors_outcome *outcome)
{
	enum qoc_err err = QOC_OK;
	const char *origin = qoc_http_header(req, "Origin");
	*outcome = QOC_CORS_NONE;
	if (!policy->any_origin) {
		/* The answer depends on Origin even when it is absent (Fetch §3.2.5 caching). */
		err = qoc_http_resp_header(resp, "Vary", "Origin");
		if (err)
			return err;
	}
	if (!origin)
		return QOC_OK;
	/* A repeated Origin header is ambiguous: treat it as not allowed. */
	bool allowed =
	    qoc_http_header_count(req, "Origin") == 1 && qoc_cors_origin_allowed(policy, origin);
	const char *acrm = qoc_http_header(req, "Access-Control-Request-Method");
	if (req->method == QOC_HTTP_OPTIONS && acrm) {
		*outcome = QOC_CORS_PREFLIGHT;
		return answer_preflight(policy, origin, allowed, acrm, resp);
	}
	if (!allowed) {
		*outcome = QOC_CORS_DENIED;
		return QOC_OK;
	}
	err = add_allow_origin(policy, origin, resp);
	if (!err && policy->expose_headers)
		err = qoc_http_resp_header(resp, "Access-Control-Expose-Headers",
		                           policy->expose_headers);
	if (!err)
		*outcome = QOC_CORS_ALLOWED;
	return err;
}
