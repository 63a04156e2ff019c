/* app_rules.c - application settings: defaults per type and field-by-field validation. */
#include "oauth/app_rules.h"

#include <string.h>

#include "oauth/redirect_uri.h"

static const char *const types[] = {"web", "spa", "mobile", "service", NULL};
static const char *const statuses[] = {"active", "inactive", "suspended", NULL};
static const char *const formats[] = {"opaque", "jwt", NULL};
static const char *const algs[] = {"RS256", "PS256", "ES256", "EdDSA", NULL};
static const char *const grant_names[] = {"authorization_code", "refresh_token",
                                          "client_credentials", "implicit", NULL};

static const char *default_grants[] = {"authorization_code", "refresh_token"};
static const char *service_grants[] = {"client_credentials"};

static bool one_of(const char *s, const char *const *set)
{
	for (; s && *set; set++)
		if (strcmp(s, *set) == 0)
			return true;
	return false;
}

static bool is(const char *s, const char *want)
{
	return s && strcmp(s, want) == 0;
}

bool qoc_app_type_is_public(const char *type)
{
	return is(type, "spa") || is(type, "mobile");
}

bool qoc_app_grant_is_legacy(const char *grant)
{
	return is(grant, "implicit");
}

bool qoc_app_allows_grant(const struct qoc_app *app, const char *grant)
{
	for (size_t i = 0; i < app->grant_types.count; i++)
		if (is(app->grant_types.items[i], grant))
			return true;
	return false;
}

enum qoc_err qoc_app_defaults(const char *type, struct qoc_app *app)
{
	if (!one_of(type, types))
		return QOC_EINVAL;
	bool service = is(type, "service");
	for (size_t i = 0; types[i]; i++)
		if (strcmp(type, types[i]) == 0)
			app->type = types[i]; /* static, like every string set here */
	app->status = statuses[0];
	app->redirect_uris = (struct qoc_str_list){NULL, 0};
	app->allowed_origins = (struct qoc_str_list){NULL, 0};
	app->sso_redirect_uris = (struct qoc_str_list){NULL, 0};
	app->logout_uris = (struct qoc_str_list){NULL, 0};
	app->grant_types = service ? (struct qoc_str_list){service_grants, 1}
	                           : (struct qoc_str_list){default_grants, 2};
	app->access_token_lifetime = QOC_APP_DEFAULT_ACCESS_TOKEN_LIFETIME;
	app->refresh_token_lifetime = QOC_APP_DEFAULT_REFRESH_TOKEN_LIFETIME;
	app->id_token_lifetime = QOC_APP_DEFAULT_ID_TOKEN_LIFETIME;
	app->pkce_required = qoc_app_type_is_public(type);
	app->token_format = formats[0];
	app->id_token_signed_response_alg = algs[0];
	return QOC_OK;
}

static void add(struct qoc_app_errors *e, const char *field, int index, const char *message)
{
	if (e->count == QOC_APP_ERRORS_MAX) {
		e->truncated = true;
		return;
	}
	e->items[e->count++] = (struct qoc_field_error){field, index, message};
}

/* --- text --- */

enum text_problem { TEXT_OK, TEXT_BAD_UTF8, TEXT_CONTROL };

/* Walks s as UTF-8 (no overlong forms, surrogates or code points past U+10FFFF), counting
 * code points into *chars and refusing C0 and C1 controls and DEL, except that
 * allow_breaks lets tab, CR and LF through. */
static enum text_problem scan_text(const char *s, bool allow_breaks, size_t *chars)
{
	const unsigned char *p = (const unsigned char *)s;
	*chars = 0;
	while (*p) {
		unsigned c = *p, len, min;
		if (c < 0x80)
			len = 1, min = 0;
		else if ((c & 0xe0) == 0xc0)
			len = 2, min = 0x80, c &= 0x1f;
		else if ((c & 0xf0) == 0xe0)
			len = 3, min = 0x800, c &= 0x0f;
		else if ((c & 0xf8) == 0xf0)
			len = 4, min = 0x10000, c &= 0x07;
		else
			return TEXT_BAD_UTF8;
		for (unsigned i = 1; i < len; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return TEXT_BAD_UTF8; /* also stops at the NUL */
			c = c << 6 | (p[i] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return TEXT_BAD_UTF8;
		bool is_break = c == '\t' || c == '\n' || c == '\r';
		if ((c < 0x20 || (c >= 0x7f && c <= 0x9f)) && !(allow_breaks && is_break))
			return TEXT_CONTROL;
		p += len;
		(*chars)++;
	}
	return TEXT_OK;
}

static bool blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

/* Unicode white space and the invisible format characters a look-alike could pad with. */
static bool ignorable(unsigned c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0 || c == 0x1680 || c == 0x180e ||
	       (c >= 0x2000 && c <= 0x200f) || c == 0x2028 || c == 0x2029 ||
	       (c >= 0x202a && c <= 0x202f) || c == 0x205f || c == 0x2060 || c == 0x3000 ||
	       c == 0xfeff;
}

/* The next code point of valid UTF-8 at *p (advanced); 0 at the end. */
static unsigned next_cp(const unsigned char **p)
{
	unsigned c = **p;
	unsigned len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : 4;
	if (!c)
		return 0;
	if (len > 1)
		c &= 0x7f >> len;
	for (unsigned i = 1; i < len && (*p)[i]; i++)
		c = c << 6 | ((*p)[i] & 0x3f);
	*p += len;
	return c;
}

bool qoc_app_name_reserved(const char *name)
{
	static const char *const reserved[] = {QOC_CONSOLE_APP_NAME, NULL};
	for (size_t r = 0; name && reserved[r]; r++) {
		const unsigned char *p = (const unsigned char *)name;
		const unsigned char *q = (const unsigned char *)reserved[r];
		bool same = true;
		for (;;) {
			unsigned a = next_cp(&p);
			while (a && ignorable(a))
				a = next_cp(&p);
			while (*q == ' ')
				q++;
			if (a >= 0xff01 && a <= 0xff5e)
				a -= 0xfee0; /* fullwidth ASCII */
			unsigned b = *q ? (unsigned)*q++ : 0;
			if (a >= 'A' && a <= 'Z')
				a += 'a' - 'A';
			if (b >= 'A' && b <= 'Z')
				b += 'a' - 'A';
			if (a != b) {
				same = false;
				break;
			}
			if (!a)
				break;
		}
		if (same)
			return true;
	}
	return false;
}

static void check_name(const struct qoc_app *app, struct qoc_app_errors *e)
{
	size_t chars;
	if (!app->name || !app->name[0]) {
		add(e, "name", -1, "is required");
		return;
	}
	enum text_problem t = scan_text(app->name, false, &chars);
	if (t == TEXT_BAD_UTF8)
		add(e, "name", -1, "must be valid UTF-8");
	else if (t == TEXT_CONTROL)
		add(e, "name", -1, "must not contain control characters");
	else if (blank(app->name))
		add(e, "name", -1, "must not be blank");
	else if (chars > QOC_APP_NAME_MAX)
		add(e, "name", -1, "must be at most 100 characters");
	else if (qoc_app_name_reserved(app->name))
		add(e, "name", -1,
		    "is reserved for a first-party application of QOC (\"" QOC_CONSOLE_APP_NAME
		    "\")");
}

static void check_description(const struct qoc_app *app, struct qoc_app_errors *e)
{
	size_t chars;
	if (!app->description)
		return; /* none: stored as "" */
	enum text_problem t = scan_text(app->description, true, &chars);
	if (t == TEXT_BAD_UTF8)
		add(e, "description", -1, "must be valid UTF-8");
	else if (t == TEXT_CONTROL)
		add(e, "description", -1, "must not contain control characters");
	else if (chars > QOC_APP_DESCRIPTION_MAX)
		add(e, "description", -1, "must be at most 1000 characters");
}

/* --- enumerations, lifetimes --- */

static void check_choices(const struct qoc_app *app, struct qoc_app_errors *e)
{
	if (!one_of(app->type, types))
		add(e, "type", -1, "must be one of web, spa, mobile, service");
	if (!one_of(app->status, statuses))
		add(e, "status", -1, "must be one of active, inactive, suspended");
	if (!one_of(app->token_format, formats))
		add(e, "token_format", -1, "must be opaque or jwt");
	if (!one_of(app->id_token_signed_response_alg, algs))
		add(e, "id_token_signed_response_alg", -1,
		    "must be one of RS256, PS256, ES256, EdDSA");
	if (qoc_app_type_is_public(app->type) && !app->pkce_required)
		add(e, "pkce_required", -1, "must be true for public clients (spa, mobile)");
}

static void check_lifetimes(const struct qoc_app *app, struct qoc_app_errors *e)
{
	if (app->access_token_lifetime < QOC_APP_ACCESS_TOKEN_LIFETIME_MIN ||
	    app->access_token_lifetime > QOC_APP_ACCESS_TOKEN_LIFETIME_MAX)
		add(e, "access_token_lifetime", -1, "must be between 60 and 86400 seconds");
	if (app->refresh_token_lifetime < QOC_APP_REFRESH_TOKEN_LIFETIME_MIN ||
	    app->refresh_token_lifetime > QOC_APP_REFRESH_TOKEN_LIFETIME_MAX)
		add(e, "refresh_token_lifetime", -1, "must be between 300 and 31536000 seconds");
	if (app->id_token_lifetime < QOC_APP_ID_TOKEN_LIFETIME_MIN ||
	    app->id_token_lifetime > QOC_APP_ID_TOKEN_LIFETIME_MAX)
		add(e, "id_token_lifetime", -1, "must be between 60 and 86400 seconds");
}

/* --- grant types --- */

/* Index of the first entry of l before `before` equal to s, or -1. */
static int earlier_index(const struct qoc_str_list *l, size_t before, const char *s)
{
	for (size_t i = 0; i < before; i++)
		if (l->items[i] && strcmp(l->items[i], s) == 0)
			return (int)i;
	return -1;
}

static void check_grants(const struct qoc_app *app, struct qoc_app_errors *e)
{
	const struct qoc_str_list *g = &app->grant_types;
	const char *f = "grant_types";
	if (g->count == 0) {
		add(e, f, -1, "needs at least one grant type");
		return;
	}
	for (size_t i = 0; i < g->count; i++) {
		const char *s = g->items[i];
		if (!one_of(s, grant_names))
			add(e, f, (int)i,
			    "must be authorization_code, refresh_token, client_credentials or "
			    "implicit");
		else if (earlier_index(g, i, s) >= 0)
			add(e, f, (int)i, "is listed twice");
		else if (is(s, "client_credentials") && qoc_app_type_is_public(app->type))
			add(e, f, (int)i,
			    "client_credentials needs a confidential client (web or service)");
		else if (is(s, "implicit") && is(app->type, "service"))
			add(e, f, (int)i, "implicit is not available to service applications");
		else if (is(s, "refresh_token") && !qoc_app_allows_grant(app, "authorization_code"))
			add(e, f, (int)i, "refresh_token needs authorization_code");
	}
}

/* --- URIs and origins --- */

static enum qoc_redirect_kind kind_of(const char *type)
{
	if (is(type, "spa"))
		return QOC_REDIRECT_SPA;
	if (is(type, "mobile"))
		return QOC_REDIRECT_MOBILE;
	if (is(type, "service"))
		return QOC_REDIRECT_SERVICE;
	return QOC_REDIRECT_WEB; /* also for an invalid type: no custom schemes */
}

/* One list: its size, each entry's length, duplicates (byte-exact), and the URI rules of
 * oauth/redirect_uri.h (origins when is_origin). */
static void check_uri_list(const struct qoc_str_list *l, const char *field, bool is_origin,
                           const char *type, struct qoc_app_errors *e)
{
	if (l->count > QOC_APP_URIS_MAX) {
		add(e, field, -1, "must have at most 50 entries");
		return;
	}
	for (size_t i = 0; i < l->count; i++) {
		const char *s = l->items[i], *reason = NULL;
		if (!s || !s[0]) {
			add(e, field, (int)i, "must not be empty");
			continue;
		}
		struct qoc_str uri = qoc_str_from(s);
		if (uri.len > QOC_APP_URI_MAX_BYTES) {
			add(e, field, (int)i, "must be at most 2048 bytes");
			continue;
		}
		enum qoc_err err = is_origin
		                       ? qoc_origin_validate(uri, &reason)
		                       : qoc_redirect_uri_validate(uri, kind_of(type), &reason);
		if (err)
			add(e, field, (int)i, reason ? reason : "is not allowed");
		else if (earlier_index(l, i, s) >= 0)
			add(e, field, (int)i, "is listed twice");
	}
}

bool qoc_app_rules_check(const struct qoc_app *app, struct qoc_app_errors *errs)
{
	memset(errs, 0, sizeof(*errs));
	check_name(app, errs);
	check_description(app, errs);
	check_choices(app, errs);
	check_uri_list(&app->redirect_uris, "redirect_uris", false, app->type, errs);
	check_uri_list(&app->allowed_origins, "allowed_origins", true, app->type, errs);
	check_uri_list(&app->sso_redirect_uris, "sso_redirect_uris", false, app->type, errs);
	check_uri_list(&app->logout_uris, "logout_uris", false, app->type, errs);
	check_lifetimes(app, errs);
	check_grants(app, errs);
	return errs->count == 0 && !errs->truncated;
}
