/* fuzz_redirect_uri.c - libFuzzer target for src/oauth/redirect_uri.
 *
 * Input: one byte choosing the app type, then "registered\nrequested" (the first '\n'
 * splits; the requested part may hold more of them). Besides memory and UB errors it checks
 * the properties callers rely on:
 *   - validate answers QOC_OK with a NULL reason or QOC_EINVAL with a non-empty one;
 *   - a URI valid for any app type is valid for a mobile app (the widest rules);
 *   - a match implies both URIs pass validation, and a match that is not byte-equal needs a
 *     loopback http or a wildcard registered URI;
 *   - matching is reflexive for valid URIs without a wildcard, and find agrees with matches;
 *   - a valid origin is a valid redirect URI and matches itself;
 *   - a valid URI holds no control character, raw or percent-encoded (issue 13).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oauth/redirect_uri.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			abort();                                                                   \
	} while (0)

static bool is_valid(struct qoc_str uri, enum qoc_redirect_kind kind)
{
	const char *reason = "sentinel";
	enum qoc_err err = qoc_redirect_uri_validate(uri, kind, &reason);
	CHECK(err == QOC_OK || err == QOC_EINVAL);
	CHECK(err == QOC_OK ? reason == NULL : reason != NULL && reason[0] != '\0');
	return err == QOC_OK;
}

static void check_one(struct qoc_str uri, enum qoc_redirect_kind kind)
{
	bool valid = is_valid(uri, kind);
	bool valid_mobile = is_valid(uri, QOC_REDIRECT_MOBILE);
	const char *reason = "sentinel";
	CHECK(!valid || valid_mobile);
	CHECK(!valid_mobile || !qoc_redirect_uri_has_control(uri));
	if (valid_mobile && !memchr(uri.ptr, '*', uri.len)) {
		CHECK(qoc_redirect_uri_matches(uri, uri));
		CHECK(qoc_redirect_uri_find(&uri, 1, uri) == 0);
	}
	if (qoc_origin_validate(uri, &reason) == QOC_OK) {
		CHECK(reason == NULL);
		CHECK(is_valid(uri, QOC_REDIRECT_WEB));
		CHECK(qoc_origin_matches(uri, uri));
	} else {
		CHECK(reason != NULL && !qoc_origin_matches(uri, uri));
	}
}

static bool starts_with(struct qoc_str s, const char *prefix)
{
	return qoc_str_starts_with(s, qoc_str_from(prefix));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	enum qoc_redirect_kind kind = (enum qoc_redirect_kind)(data[0] % 4);
	const char *in = (const char *)data + 1;
	size_t len = size - 1;
	const char *nl = memchr(in, '\n', len);
	struct qoc_str whole = {in, len};
	struct qoc_str reg = {in, nl ? (size_t)(nl - in) : len};
	struct qoc_str req = nl ? (struct qoc_str){nl + 1, len - reg.len - 1} : whole;

	check_one(whole, kind);
	check_one(reg, kind);
	if (nl)
		check_one(req, kind);

	bool match = qoc_redirect_uri_matches(reg, req);
	CHECK((qoc_redirect_uri_find(&reg, 1, req) == 0) == match);
	if (match) {
		CHECK(is_valid(reg, QOC_REDIRECT_MOBILE));
		CHECK(is_valid(req, QOC_REDIRECT_MOBILE));
		CHECK(!memchr(req.ptr, '*', req.len));
		CHECK(qoc_str_eq(reg, req) || starts_with(reg, "http://") ||
		      starts_with(reg, "https://*."));
	}
	if (qoc_origin_matches(reg, req))
		CHECK(qoc_str_eq(reg, req));
	return 0;
}
