/* fuzz_authorize.c - libFuzzer target for src/oauth/authorize (and response.c behind it).
 *
 * Input: a raw query string. It goes through the form decoder (as the handler does) and,
 * when it decodes, into qoc_authz_validate with a fixed web application (several redirect
 * URIs, an SSO URI, a loopback URI) under two issuer policies. Besides memory and UB errors
 * it checks what callers rely on:
 *   - a valid request has a client_id, a redirect URI registered for it (SSO ones only for
 *     OpenID requests), a state of at most 1024 bytes, a canonical scope within bounds, and
 *     no error;
 *   - a refusal has a known code and a description in the RFC 6749 §5.2 character set;
 *     one that is redirected has a redirect URI;
 *   - the response built for it (query, fragment or form_post) carries iss, and state comes
 *     back byte-exact through the decoder.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/form.h"
#include "oauth/authorize.h"
#include "oauth/redirect_uri.h"
#include "oauth/response.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			abort();                                                                   \
	} while (0)

static const char *uris[] = {"https://app.example.com/cb", "https://app.example.com/cb2?x=1",
                             "http://127.0.0.1/loop", "https://*.tenant.example.com/cb"};
static const char *sso[] = {"https://sso.example.com/cb"};
static const char *grants[] = {"authorization_code", "refresh_token", "implicit"};

static const struct qoc_app app = {
    .client_id = "qoc_client_fuzz",
    .type = "web",
    .status = "active",
    .redirect_uris = {uris, 4},
    .sso_redirect_uris = {sso, 1},
    .grant_types = {grants, 3},
};

static bool description_ok(const char *d)
{
	if (!d || !d[0])
		return false;
	for (const unsigned char *p = (const unsigned char *)d; *p; p++)
		if (!(*p == 0x20 || *p == 0x21 || (*p >= 0x23 && *p <= 0x5B) ||
		      (*p >= 0x5D && *p <= 0x7E)))
			return false;
	return true;
}

static bool registered(const struct qoc_str_list *l, const char *uri)
{
	for (size_t i = 0; i < l->count; i++)
		if (qoc_redirect_uri_matches(qoc_str_from(l->items[i]), qoc_str_from(uri)))
			return true;
	return false;
}

/* Builds the response and checks iss and state survive the trip. */
static void check_response(const struct qoc_authz_request *r, const struct qoc_oauth_error *e)
{
	struct qoc_authz_response resp = {
	    .state = r->state, .iss = "https://id.example.com", .expires_in = -1};
	if (e)
		resp.error = e->code, resp.error_description = e->description;
	else
		resp.code = "qoc_code_x";
	if (r->response_mode == QOC_RESPONSE_MODE_FORM_POST) {
		struct qoc_authz_params p;
		CHECK(qoc_authz_response_params(&resp, &p) == QOC_OK);
		return;
	}
	struct qoc_buf b;
	struct qoc_arena a;
	struct qoc_form f;
	const char *v = NULL;
	qoc_buf_init(&b, 16384);
	qoc_arena_init(&a, 0);
	enum qoc_err err =
	    qoc_authz_response_location(r->redirect_uri, r->response_mode, &resp, &b);
	CHECK(err == QOC_OK || err == QOC_ELIMIT);
	if (err == QOC_OK) {
		const char *s = qoc_buf_cstr(&b);
		const char *sep =
		    strchr(s, r->response_mode == QOC_RESPONSE_MODE_FRAGMENT ? '#' : '?');
		CHECK(sep);
		CHECK(qoc_form_parse(&a, sep + 1, strlen(sep + 1), 64, &f) == QOC_OK);
		CHECK(qoc_form_get(&f, "iss", &v) == QOC_OK);
		CHECK(strcmp(v, resp.iss) == 0);
		if (r->state) {
			CHECK(qoc_form_get(&f, "state", &v) == QOC_OK);
			CHECK(strcmp(v, r->state) == 0);
		}
	}
	qoc_arena_release(&a);
	qoc_buf_release(&b);
}

static void run(const struct qoc_form *f, const struct qoc_authz_policy *policy)
{
	struct qoc_authz_request r;
	struct qoc_oauth_error e;
	enum qoc_authz_disposition d = qoc_authz_validate(f, &app, policy, &r, &e);
	if (d == QOC_AUTHZ_VALID) {
		CHECK(e.code == NULL);
		CHECK(r.client_id && strcmp(r.client_id, app.client_id) == 0);
		CHECK(r.redirect_uri && !strchr(r.redirect_uri, '*'));
		CHECK(registered(&app.redirect_uris, r.redirect_uri) ||
		      (r.openid && registered(&app.sso_redirect_uris, r.redirect_uri)));
		CHECK(!r.state || strlen(r.state) <= QOC_AUTHZ_STATE_MAX);
		CHECK(r.scope.count <= QOC_SCOPE_MAX_TOKENS &&
		      r.scope.bytes <= QOC_SCOPE_MAX_BYTES);
		CHECK(r.max_age >= -1);
		CHECK(!(r.prompt & QOC_PROMPT_NONE) || r.prompt == QOC_PROMPT_NONE);
		CHECK(r.response_type == QOC_RESPONSE_TYPE_CODE || policy->implicit);
		CHECK(r.response_mode != QOC_RESPONSE_MODE_FORM_POST || policy->form_post);
		CHECK(!(r.response_type != QOC_RESPONSE_TYPE_CODE &&
		        r.response_mode == QOC_RESPONSE_MODE_QUERY));
		check_response(&r, NULL);
		return;
	}
	CHECK(d == QOC_AUTHZ_SHOW || d == QOC_AUTHZ_REDIRECT);
	CHECK(e.code && description_ok(e.description));
	if (d == QOC_AUTHZ_REDIRECT) {
		CHECK(r.redirect_uri);
		check_response(&r, &e);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qoc_arena a;
	struct qoc_form f;
	if (size > 16384)
		return 0;
	qoc_arena_init(&a, 0);
	if (qoc_form_parse(&a, (const char *)data, size, 64, &f) == QOC_OK) {
		struct qoc_authz_policy open = {.implicit = true, .form_post = true};
		struct qoc_authz_policy closed = {0};
		run(&f, &open);
		run(&f, &closed);
	}
	qoc_arena_release(&a);
	return 0;
}
