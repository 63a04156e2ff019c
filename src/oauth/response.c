/* response.c - authorization responses: parameter list and Location URL. */
#include "oauth/response.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

const char *qoc_response_mode_name(enum qoc_response_mode mode)
{
	switch (mode) {
	case QOC_RESPONSE_MODE_QUERY:
		return "query";
	case QOC_RESPONSE_MODE_FRAGMENT:
		return "fragment";
	case QOC_RESPONSE_MODE_FORM_POST:
		return "form_post";
	}
	return "query";
}

/* NULL: absent; "": refused (an empty value would read as absent on the other side). */
static bool push(struct qoc_authz_params *p, const char *name, const char *value, bool *bad)
{
	if (!value)
		return false;
	if (value[0] == '\0') {
		*bad = true;
		return false;
	}
	p->name[p->count] = name;
	p->value[p->count] = value;
	p->count++;
	return true;
}

enum qoc_err qoc_authz_response_params(const struct qoc_authz_response *r,
                                       struct qoc_authz_params *out)
{
	bool bad = false;
	out->count = 0;
	out->expires_in_text[0] = '\0';
	bool success = false;
	if (r->expires_in >= 0)
		snprintf(out->expires_in_text, sizeof(out->expires_in_text), "%" PRId64,
		         r->expires_in);
	success |= push(out, "code", r->code, &bad);
	push(out, "state", r->state, &bad);
	if (!push(out, "iss", r->iss, &bad))
		bad = true; /* RFC 9207 §2: always */
	success |= push(out, "id_token", r->id_token, &bad);
	success |= push(out, "access_token", r->access_token, &bad);
	push(out, "token_type", r->token_type, &bad);
	push(out, "expires_in", r->expires_in >= 0 ? out->expires_in_text : NULL, &bad);
	push(out, "scope", r->scope, &bad);
	bool error = push(out, "error", r->error, &bad);
	if (!error && r->error_description)
		bad = true;
	push(out, "error_description", r->error_description, &bad);
	if (bad || success == error) {
		out->count = 0;
		return QOC_EINVAL;
	}
	return QOC_OK;
}

/* RFC 3986 §2.3 */
static bool unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

/* Appends without restoring on error; the public functions restore. */
static enum qoc_err encode(const char *s, size_t len, struct qoc_buf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	enum qoc_err err = QOC_OK;
	for (size_t i = 0; i < len && !err; i++) {
		unsigned char c = (unsigned char)s[i];
		if (unreserved(c)) {
			err = qoc_buf_append_char(out, (char)c);
		} else {
			char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
			err = qoc_buf_append(out, esc, sizeof(esc));
		}
	}
	return err;
}

enum qoc_err qoc_oauth_percent_encode(const char *s, size_t len, struct qoc_buf *out)
{
	size_t mark = out->len;
	enum qoc_err err = encode(s, len, out);
	if (err)
		qoc_buf_truncate(out, mark);
	return err;
}

/* The separator before the first parameter. */
static const char *separator(const char *uri, enum qoc_response_mode mode)
{
	if (mode == QOC_RESPONSE_MODE_FRAGMENT)
		return "#";
	const char *q = strchr(uri, '?');
	if (!q)
		return "?";
	size_t len = strlen(uri);
	if (uri[len - 1] == '?' || uri[len - 1] == '&')
		return "";
	return "&";
}

enum qoc_err qoc_authz_response_location(const char *redirect_uri, enum qoc_response_mode mode,
                                         const struct qoc_authz_response *r, struct qoc_buf *out)
{
	struct qoc_authz_params p;
	size_t mark = out->len;
	enum qoc_err err = QOC_EINVAL;
	if (mode == QOC_RESPONSE_MODE_FORM_POST || !redirect_uri || redirect_uri[0] == '\0' ||
	    strchr(redirect_uri, '#'))
		goto out;
	err = qoc_authz_response_params(r, &p);
	if (err)
		goto out;
	err = qoc_buf_append_cstr(out, redirect_uri);
	if (!err)
		err = qoc_buf_append_cstr(out, separator(redirect_uri, mode));
	for (size_t i = 0; i < p.count && !err; i++) {
		if (i > 0)
			err = qoc_buf_append_char(out, '&');
		if (!err)
			err = qoc_buf_append_cstr(out, p.name[i]);
		if (!err)
			err = qoc_buf_append_char(out, '=');
		if (!err)
			err = encode(p.value[i], strlen(p.value[i]), out);
	}
out:
	if (err)
		qoc_buf_truncate(out, mark);
	return err;
}
