/* app_json.c - the JSON form of an application (see app_json.h). */
#include "api/app_json.h"

#include <string.h>
#include <time.h>

bool qoc_rfc3339(int64_t t, char out[QOC_RFC3339_SIZE])
{
	struct tm tm;
	time_t tt = (time_t)t;
	if (t < 0 || !gmtime_r(&tt, &tm) || tm.tm_year + 1900 > 9999)
		return false;
	return strftime(out, QOC_RFC3339_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm) == QOC_RFC3339_SIZE - 1;
}

/* A time, or null for 0 (never). */
static json_t *time_json(int64_t t)
{
	char buf[QOC_RFC3339_SIZE];
	if (t == 0 || !qoc_rfc3339(t, buf))
		return json_null();
	return json_string(buf);
}

static json_t *list_json(const struct qoc_str_list *l)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < l->count; i++)
		if (json_array_append_new(arr, json_string(l->items[i])) != 0) {
			json_decref(arr);
			return NULL;
		}
	return arr;
}

static json_t *warnings_json(const struct qoc_app *app)
{
	json_t *w = json_array();
	for (size_t i = 0; w && i < app->grant_types.count; i++)
		if (qoc_app_grant_is_legacy(app->grant_types.items[i]))
			json_array_append_new(
			    w,
			    json_pack("{s:s,s:s}", "field", "grant_types", "message",
			              "implicit is a legacy grant (OAuth 2.0 Security BCP): prefer "
			              "authorization_code with PKCE"));
	return w;
}

static json_t *icon_url_json(const struct qoc_app *app)
{
	if (!app->icon_type)
		return json_null();
	char url[128];
	int n = snprintf(url, sizeof(url), "/api/v1/applications/%s/icon", app->client_id);
	return n > 0 && (size_t)n < sizeof(url) ? json_string(url) : json_null();
}

json_t *qoc_app_json_encode(const struct qoc_app *app)
{
	return json_pack(
	    "{s:s,s:s,s:s,s:s,s:s,s:o*,s:o*,s:o*,s:o*,s:I,s:I,s:I,s:o*,s:b,s:s,s:s,s:s,s:s,"
	    "s:o*,s:o*,s:o*,s:o*,s:o*,s:o*}",
	    "client_id", app->client_id, "name", app->name, "description",
	    app->description ? app->description : "", "type", app->type, "status", app->status,
	    "redirect_uris", list_json(&app->redirect_uris), "allowed_origins",
	    list_json(&app->allowed_origins), "sso_redirect_uris",
	    list_json(&app->sso_redirect_uris), "logout_uris", list_json(&app->logout_uris),
	    "access_token_lifetime", (json_int_t)app->access_token_lifetime,
	    "refresh_token_lifetime", (json_int_t)app->refresh_token_lifetime, "id_token_lifetime",
	    (json_int_t)app->id_token_lifetime, "grant_types", list_json(&app->grant_types),
	    "pkce_required", app->pkce_required, "token_format", app->token_format,
	    "id_token_signed_response_alg", app->id_token_signed_response_alg, "team", app->team_id,
	    "owner", app->owner_id, "icon_url", icon_url_json(app), "created_at",
	    time_json(app->created_at), "updated_at", time_json(app->updated_at), "last_used_at",
	    time_json(app->last_used_at), "secret_created_at", time_json(app->secret_created_at),
	    "warnings", warnings_json(app));
}

static void add_error(struct qoc_app_errors *errs, const char *field, const char *message)
{
	if (errs->count == QOC_APP_ERRORS_MAX) {
		errs->truncated = true;
		return;
	}
	errs->items[errs->count++] = (struct qoc_field_error){field, -1, message};
}

struct decode {
	const json_t *obj;
	struct qoc_arena *a;
	struct qoc_app_errors *errs;
};

static const char *get_string(struct decode *d, const char *key)
{
	json_t *v = json_object_get(d->obj, key);
	if (!v)
		return NULL;
	if (!json_is_string(v)) {
		add_error(d->errs, key, "must be a string");
		return NULL;
	}
	return json_string_value(v);
}

static bool get_int(struct decode *d, const char *key, int64_t *out)
{
	json_t *v = json_object_get(d->obj, key);
	if (!v)
		return false;
	if (!json_is_integer(v)) {
		add_error(d->errs, key, "must be an integer (seconds)");
		return false;
	}
	*out = json_integer_value(v);
	return true;
}

static enum qoc_err get_list(struct decode *d, const char *key, struct qoc_str_list *l,
                             const struct qoc_str_list **out)
{
	json_t *v = json_object_get(d->obj, key);
	if (!v)
		return QOC_OK;
	size_t n = json_is_array(v) ? json_array_size(v) : 0;
	if (!json_is_array(v) || n > QOC_APP_URIS_MAX) {
		add_error(d->errs, key,
		          json_is_array(v) ? "too many entries" : "must be an array of strings");
		return QOC_OK;
	}
	l->items = n ? qoc_arena_alloc(d->a, n * sizeof(*l->items)) : NULL;
	if (n && !l->items)
		return QOC_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(v, i);
		if (!json_is_string(e)) {
			add_error(d->errs, key, "must be an array of strings");
			return QOC_OK;
		}
		l->items[i] = json_string_value(e);
	}
	l->count = n;
	*out = l;
	return QOC_OK;
}

/* The fields a body may hold, by mode; anything else is named as an error. */
static bool known_field(const char *key, enum qoc_app_json_mode mode)
{
	static const char *const writable[] = {"name",
	                                       "description",
	                                       "status",
	                                       "redirect_uris",
	                                       "allowed_origins",
	                                       "sso_redirect_uris",
	                                       "logout_uris",
	                                       "grant_types",
	                                       "access_token_lifetime",
	                                       "refresh_token_lifetime",
	                                       "id_token_lifetime",
	                                       "pkce_required",
	                                       "token_format",
	                                       "id_token_signed_response_alg"};
	for (size_t i = 0; i < sizeof(writable) / sizeof(writable[0]); i++)
		if (!strcmp(key, writable[i]))
			return true;
	return mode == QOC_APP_JSON_CREATE && (!strcmp(key, "type") || !strcmp(key, "team"));
}

static enum qoc_err check_keys(struct decode *d, enum qoc_app_json_mode mode)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)d->obj, key, v)
	{
		(void)v;
		if (known_field(key, mode))
			continue;
		const char *copy = qoc_arena_strdup(d->a, key);
		if (!copy)
			return QOC_ENOMEM;
		add_error(d->errs, copy, "unknown or read-only field");
	}
	return QOC_OK;
}

enum qoc_err qoc_app_json_decode(const json_t *obj, enum qoc_app_json_mode mode,
                                 struct qoc_arena *a, struct qoc_app_input *in,
                                 struct qoc_app_errors *errs)
{
	memset(in, 0, sizeof(*in));
	memset(errs, 0, sizeof(*errs));
	struct decode d = {obj, a, errs};
	struct qoc_str_list *lists = qoc_arena_alloc(a, 5 * sizeof(*lists));
	if (!lists)
		return QOC_ENOMEM;
	memset(lists, 0, 5 * sizeof(*lists));
	enum qoc_err err = check_keys(&d, mode);
	if (!err)
		err = get_list(&d, "redirect_uris", &lists[0], &in->redirect_uris);
	if (!err)
		err = get_list(&d, "allowed_origins", &lists[1], &in->allowed_origins);
	if (!err)
		err = get_list(&d, "sso_redirect_uris", &lists[2], &in->sso_redirect_uris);
	if (!err)
		err = get_list(&d, "logout_uris", &lists[3], &in->logout_uris);
	if (!err)
		err = get_list(&d, "grant_types", &lists[4], &in->grant_types);
	if (err)
		return err;
	if (mode == QOC_APP_JSON_CREATE) {
		in->type = get_string(&d, "type");
		in->team_id = get_string(&d, "team");
	}
	in->name = get_string(&d, "name");
	in->description = get_string(&d, "description");
	in->status = get_string(&d, "status");
	in->token_format = get_string(&d, "token_format");
	in->id_token_signed_response_alg = get_string(&d, "id_token_signed_response_alg");
	if (get_int(&d, "access_token_lifetime", &in->access_token_lifetime))
		in->set |= QOC_APP_SET_ACCESS_TOKEN_LIFETIME;
	if (get_int(&d, "refresh_token_lifetime", &in->refresh_token_lifetime))
		in->set |= QOC_APP_SET_REFRESH_TOKEN_LIFETIME;
	if (get_int(&d, "id_token_lifetime", &in->id_token_lifetime))
		in->set |= QOC_APP_SET_ID_TOKEN_LIFETIME;
	json_t *pk = json_object_get(obj, "pkce_required");
	if (pk && !json_is_boolean(pk))
		add_error(errs, "pkce_required", "must be true or false");
	else if (pk) {
		in->pkce_required = json_is_true(pk);
		in->set |= QOC_APP_SET_PKCE_REQUIRED;
	}
	return errs->count ? QOC_EINVAL : QOC_OK;
}

json_t *qoc_app_errors_json(const struct qoc_app_errors *errs)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < errs->count; i++) {
		const struct qoc_field_error *e = &errs->items[i];
		/* Named fields are ours (short, ASCII) and get their index appended; an unknown
		 * field's name is the caller's and goes out whole (valid UTF-8: it came from a
		 * parsed JSON key), never cut in the middle of a character. */
		char field[96];
		if (e->index >= 0)
			snprintf(field, sizeof(field), "%s[%d]", e->field, e->index);
		const char *name = e->index >= 0 ? field : e->field;
		if (json_array_append_new(
		        arr, json_pack("{s:s,s:s}", "field", name, "message", e->message)) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}
