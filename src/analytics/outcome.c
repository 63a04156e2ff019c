/* outcome.c - see outcome.h. */
#include "analytics/outcome.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#define JSON_BODY_MAX (16 * 1024) /* error bodies are small; a large one is not an error */

static void keep(const char *s, size_t n, char error[QOC_AN_ERROR_MAX])
{
	bool ok = n > 0 && n < QOC_AN_ERROR_MAX;
	for (size_t i = 0; ok && i < n; i++) {
		char c = s[i];
		ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		     c == '_' || c == '.' || c == '-';
	}
	if (!ok) {
		s = "invalid_error_code";
		n = strlen(s);
	}
	memcpy(error, s, n);
	error[n] = '\0';
}

static bool from_json(const char *body, size_t len, char error[QOC_AN_ERROR_MAX])
{
	if (!body || len == 0 || len > JSON_BODY_MAX)
		return false;
	json_t *doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
	const char *e = doc ? json_string_value(json_object_get(doc, "error")) : NULL;
	if (e)
		keep(e, strlen(e), error);
	json_decref(doc);
	return e != NULL;
}

/* error="..." in a Bearer challenge. */
static bool from_challenge(const char *h, char error[QOC_AN_ERROR_MAX])
{
	const char *p = h ? strstr(h, "error=\"") : NULL;
	if (!p)
		return false;
	p += 7;
	const char *end = strchr(p, '"');
	if (!end)
		return false;
	keep(p, (size_t)(end - p), error);
	return true;
}

void qoc_an_outcome(unsigned status, const char *noted, const char *body, size_t body_len,
                    const char *www_authenticate, char error[QOC_AN_ERROR_MAX])
{
	error[0] = '\0';
	if (noted && noted[0]) {
		keep(noted, strlen(noted), error);
		return;
	}
	if (status < 400)
		return;
	if (from_json(body, body_len, error) || from_challenge(www_authenticate, error))
		return;
	if (status >= 500)
		keep("server_error", 12, error);
	else if (status == 429)
		keep("temporarily_unavailable", 23, error);
	else
		snprintf(error, QOC_AN_ERROR_MAX, "http_%u", status);
}
