/* client_auth.c - client credentials: extraction and verdict. */
#include "oauth/client_auth.h"
#include "core/str.h"

#include <string.h>

#include "oauth/app_rules.h"
#include "core/buf.h"
#include "core/mem.h"
#include "crypto/b64.h"
#include "crypto/token.h"
#include "core/form.h"

enum param { ABSENT, ONE, TWICE };

static enum param get(const struct qoc_form *form, const char *name, const char **v)
{
	enum qoc_err e = form ? qoc_form_get(form, name, v) : QOC_ENOTFOUND;
	if (!form)
		*v = NULL;
	return e == QOC_OK ? ONE : e == QOC_ECONFLICT ? TWICE : ABSENT;
}

static enum qoc_err invalid_client(struct qoc_oauth_error *err, const char *description)
{
	return qoc_oauth_fail(err, QOC_OAUTH_INVALID_CLIENT, description);
}

static void wipe_cstr(void *p)
{
	qoc_memwipe(p, strlen(p));
}

/* application/x-www-form-urlencoded decoding of one Basic part (RFC 6749 §2.3.1) into a
 * zeroed arena buffer that is wiped when the arena is released, so no copy of a secret
 * outlives the request, not even a half-decoded one. QOC_EINVAL: bad escape, NUL, invalid
 * UTF-8. */
static enum qoc_err urldecode_secret(struct qoc_arena *a, const char *s, size_t len, char **out,
                                     size_t *out_len)
{
	char *dst = qoc_arena_calloc(a, 1, len + 1);
	if (!dst)
		return QOC_ENOMEM;
	if (qoc_arena_on_release(a, wipe_cstr, dst) != 0)
		return QOC_ENOMEM;
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			int h = i + 2 < len ? qoc_hex_value((unsigned char)s[i + 1]) : -1;
			int l = i + 2 < len ? qoc_hex_value((unsigned char)s[i + 2]) : -1;
			if (h < 0 || l < 0)
				return QOC_EINVAL;
			c = (unsigned char)(h * 16 + l);
			i += 2;
		} else if (c == '+') {
			c = ' ';
		}
		if (c == '\0')
			return QOC_EINVAL;
		dst[o++] = (char)c;
	}
	if (!qoc_utf8_valid(dst, o))
		return QOC_EINVAL;
	*out = dst;
	*out_len = o;
	return QOC_OK;
}

/* "Basic" (any case, RFC 7617 §2) SP+ token68. */
static const char *basic_token(const char *h)
{
	if (strlen(h) < 6 || !qoc_str_eq_nocase((struct qoc_str){h, 5}, QOC_STR_LIT("Basic")) ||
	    h[5] != ' ')
		return NULL;
	h += 5;
	while (*h == ' ')
		h++;
	return *h ? h : NULL;
}

static enum qoc_err parse_basic(struct qoc_arena *a, const char *header,
                                struct qoc_client_creds *out, struct qoc_oauth_error *err)
{
	struct qoc_buf raw;
	char *id = NULL, *secret = NULL;
	size_t id_len = 0;
	enum qoc_err e = QOC_OK;
	qoc_buf_init(&raw, QOC_CLIENT_AUTH_HEADER_MAX);
	const char *b64 = basic_token(header);
	if (!b64 || strlen(header) > QOC_CLIENT_AUTH_HEADER_MAX) {
		e = invalid_client(err, "the Authorization header must be Basic credentials");
		goto out;
	}
	if (qoc_b64_decode(b64, strlen(b64), &raw) != QOC_OK || raw.len == 0) {
		e = invalid_client(err, "the Basic credentials are not valid base64");
		goto out;
	}
	const char *colon = memchr(raw.data, ':', raw.len);
	if (!colon || colon == raw.data || colon == raw.data + raw.len - 1) {
		e = invalid_client(err, "the Basic credentials must be client_id:client_secret");
		goto out;
	}
	size_t n = (size_t)(colon - raw.data);
	e = urldecode_secret(a, raw.data, n, &id, &id_len);
	if (!e)
		e = urldecode_secret(a, colon + 1, raw.len - n - 1, &secret, &out->secret_len);
	if (e == QOC_EINVAL ||
	    (!e && (id_len > QOC_CLIENT_ID_MAX || out->secret_len > QOC_CLIENT_SECRET_MAX)))
		e = invalid_client(err, "the Basic credentials are not validly form-encoded");
	if (e)
		goto out;
	out->method = QOC_CLIENT_AUTH_SECRET_BASIC;
	out->client_id = id;
	out->secret = secret;
out:
	if (e == QOC_ENOMEM)
		*err = qoc_oauth_error_internal(e);
	qoc_buf_release_secret(&raw);
	return e;
}

static enum qoc_err from_body(const char *id, const char *secret, struct qoc_client_creds *out,
                              struct qoc_oauth_error *err)
{
	if (!id && secret)
		return qoc_oauth_fail(err, QOC_OAUTH_INVALID_REQUEST,
		                      "client_secret is given without client_id");
	if (!id) /* RFC 6749 §5.2: no client authentication included */
		return invalid_client(err, "client authentication is required");
	if (strlen(id) > QOC_CLIENT_ID_MAX || (secret && strlen(secret) > QOC_CLIENT_SECRET_MAX))
		return invalid_client(err, "client_id or client_secret is too long");
	out->client_id = id;
	out->secret = secret;
	out->secret_len = secret ? strlen(secret) : 0;
	out->method = secret ? QOC_CLIENT_AUTH_SECRET_POST : QOC_CLIENT_AUTH_NONE;
	return QOC_OK;
}

enum qoc_err qoc_client_creds_extract(struct qoc_arena *arena, const char *authorization,
                                      const struct qoc_form *body, bool query_has_credentials,
                                      struct qoc_client_creds *out, struct qoc_oauth_error *err)
{
	const char *id = NULL, *secret = NULL;
	memset(out, 0, sizeof(*out));
	out->authorization_header = authorization != NULL;
	if (query_has_credentials) /* RFC 6749 §2.3.1: never in the request URI */
		return qoc_oauth_fail(err, QOC_OAUTH_INVALID_REQUEST,
		                      "client credentials must not be sent in the query string");
	enum param pid = get(body, "client_id", &id);
	enum param psecret = get(body, "client_secret", &secret);
	if (pid == TWICE || psecret == TWICE)
		return qoc_oauth_fail(err, QOC_OAUTH_INVALID_REQUEST,
		                      "client_id or client_secret is given more than once");
	if (!authorization)
		return from_body(id, secret, out, err);
	if (secret) /* SECURITY.md: one auth method per request */
		return qoc_oauth_fail(err, QOC_OAUTH_INVALID_REQUEST,
		                      "use one client authentication method, not Basic and "
		                      "client_secret together");
	enum qoc_err e = parse_basic(arena, authorization, out, err);
	if (e)
		return e;
	if (id && strcmp(id, out->client_id) != 0) {
		out->client_id = NULL;
		out->secret = NULL;
		return qoc_oauth_fail(err, QOC_OAUTH_INVALID_REQUEST,
		                      "client_id in the body differs from the Basic credentials");
	}
	return QOC_OK;
}

/* Stands in for the stored hash of an unknown client (or of a public one, which has none),
 * so the same HMAC and compare run. No secret hashes to it but by a 2^-256 chance, and the
 * verdict ignores a match anyway. */
static const uint8_t dummy_hash[QOC_SECRET_HASH_LEN] = {
    0x71, 0x6f, 0x63, 0x20, 0x64, 0x75, 0x6d, 0x6d, 0x79, 0x20, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74,
    0x20, 0x73, 0x65, 0x63, 0x72, 0x65, 0x74, 0x20, 0x68, 0x61, 0x73, 0x68, 0x20, 0x76, 0x31, 0x00};

enum qoc_err qoc_client_authenticate(const struct qoc_client_creds *creds,
                                     const struct qoc_app *app, const uint8_t key[32],
                                     struct qoc_oauth_error *err)
{
	bool known = creds->client_id && app && app->client_id &&
	             strcmp(app->client_id, creds->client_id) == 0;
	bool public_client = known && qoc_app_type_is_public(app->type);
	bool ok;
	if (creds->secret) {
		const uint8_t *stored = dummy_hash;
		if (known && !public_client && app->secret_hash &&
		    app->secret_hash_len == QOC_SECRET_HASH_LEN)
			stored = app->secret_hash;
		bool match = qoc_secret_verify(key, creds->secret, creds->secret_len, stored);
		ok = match && stored != dummy_hash;
	} else {
		/* none: public clients only (RFC 6749 §2.1: confidential ones must authenticate) */
		ok = known && public_client && creds->method == QOC_CLIENT_AUTH_NONE;
	}
	if (!ok) {
		qoc_oauth_fail(err, QOC_OAUTH_INVALID_CLIENT, "client authentication failed");
		return QOC_EPERM;
	}
	if (!app->status || strcmp(app->status, "active") != 0) {
		qoc_oauth_fail(err, QOC_OAUTH_INVALID_CLIENT, "the application is not active");
		return QOC_EPERM;
	}
	return QOC_OK;
}

const char *qoc_client_auth_challenge(const struct qoc_client_creds *creds,
                                      const struct qoc_oauth_error *err)
{
	if (creds->authorization_header && err && err->code &&
	    strcmp(err->code, QOC_OAUTH_INVALID_CLIENT) == 0)
		return QOC_CLIENT_AUTH_REALM_CHALLENGE;
	return NULL;
}

const char *qoc_client_auth_method_name(enum qoc_client_auth_method m)
{
	switch (m) {
	case QOC_CLIENT_AUTH_SECRET_BASIC:
		return "client_secret_basic";
	case QOC_CLIENT_AUTH_SECRET_POST:
		return "client_secret_post";
	case QOC_CLIENT_AUTH_NONE:
		return "none";
	}
	return "none";
}
