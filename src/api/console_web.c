/* console_web.c - GET /console/<rest>: the embedded console web app (console_web.h).
 *
 * Headers: the console CSP (no inline script: the SPA is one same-origin module), the page
 * security headers of SECURITY.md (X-Frame-Options, nosniff, no referrer), and caching by
 * kind: index.html is revalidated on every load (it names the current asset files), the
 * assets carry a content hash in their name and never change, so they are immutable.
 */
#include <string.h>
#include <strings.h>

#include "api/console_web.h"

#define ASSET_DIR "assets/"

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* q is zero: "0", "0.", "0.0", "0.00", "0.000" (RFC 9110 §12.4.2 qvalue). */
static bool q_is_zero(const char *p, size_t n)
{
	if (n == 0 || p[0] != '0')
		return false;
	if (n == 1)
		return true;
	if (p[1] != '.' || n > 5)
		return false;
	for (size_t i = 2; i < n; i++)
		if (p[i] != '0')
			return false;
	return true;
}

enum coding { OTHER, GZIP, STAR };

/* One element "coding *( OWS ; OWS param )" of [s, s+n): which coding, and is its q zero. */
static enum coding parse_element(const char *s, size_t n, bool *zero)
{
	while (n && is_space(*s))
		s++, n--;
	size_t name = 0;
	while (name < n && s[name] != ';' && !is_space(s[name]))
		name++;
	enum coding c = OTHER;
	if ((name == 4 && strncasecmp(s, "gzip", 4) == 0) ||
	    (name == 6 && strncasecmp(s, "x-gzip", 6) == 0))
		c = GZIP;
	else if (name == 1 && s[0] == '*')
		c = STAR;
	*zero = false;
	for (size_t i = name; i < n; i++) {
		if (s[i] != ';')
			continue;
		size_t j = i + 1;
		while (j < n && is_space(s[j]))
			j++;
		if (j + 2 <= n && (s[j] == 'q' || s[j] == 'Q') && s[j + 1] == '=') {
			size_t v = j + 2, e = v;
			while (e < n && s[e] != ';' && !is_space(s[e]))
				e++;
			*zero = q_is_zero(s + v, e - v);
		}
	}
	return c;
}

/* An explicit gzip element decides; otherwise a "*" does; otherwise no. */
bool qoc_console_accepts_gzip(const char *ae)
{
	int gzip = -1, star = -1; /* -1: not named; 0: q=0; 1: acceptable */
	for (const char *p = ae; p && *p;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		bool zero;
		enum coding c = parse_element(p, n, &zero);
		if (c == GZIP && gzip != 0)
			gzip = !zero;
		else if (c == STAR && star != 0)
			star = !zero;
		p = end ? end + 1 : p + n;
	}
	return gzip >= 0 ? gzip == 1 : star == 1;
}

const struct qoc_console_asset *qoc_console_asset_find(const struct qoc_console_asset *table,
                                                       const char *rel)
{
	for (const struct qoc_console_asset *a = table; rel && a->path; a++)
		if (strcmp(a->path, rel) == 0)
			return a;
	return NULL;
}

static enum qoc_err send_asset(struct qoc_http_req *req, struct qoc_http_resp *resp,
                               const struct qoc_console_asset *a, bool is_index)
{
	bool gz = a->gz && qoc_console_accepts_gzip(qoc_http_header(req, "Accept-Encoding"));
	enum qoc_err err = qoc_http_resp_body(resp, 200, a->content_type, gz ? a->gz : a->data,
	                                      gz ? a->gz_len : a->len);
	if (!err)
		err = qoc_http_resp_header(resp, "Content-Security-Policy", QOC_CONSOLE_CSP);
	if (!err)
		err = qoc_http_resp_header(resp, "X-Frame-Options", "DENY");
	if (!err)
		err = qoc_http_resp_header(resp, "X-Content-Type-Options", "nosniff");
	if (!err)
		err = qoc_http_resp_header(resp, "Referrer-Policy", "no-referrer");
	if (!err)
		err = qoc_http_resp_header(resp, "Cache-Control",
		                           is_index ? "no-cache"
		                                    : "public, max-age=31536000, immutable");
	if (!err && a->gz)
		err = qoc_http_resp_header(resp, "Vary", "Accept-Encoding");
	if (!err && gz)
		err = qoc_http_resp_header(resp, "Content-Encoding", "gzip");
	return err;
}

enum qoc_err qoc_api_console_web(struct qoc_http_req *req, struct qoc_http_resp *resp, void *ctx)
{
	(void)ctx;
	const char *rel = qoc_http_param(req, "*");
	if (!rel)
		rel = "";
	const struct qoc_console_asset *a = qoc_console_asset_find(qoc_console_assets, rel);
	if (a)
		return send_asset(req, resp, a, strcmp(a->path, "index.html") == 0);
	/* A missing asset is a 404 (an HTML page under a .js name helps nobody); any other
	 * path is a client-side route of the app. */
	if (strncmp(rel, ASSET_DIR, strlen(ASSET_DIR)) == 0)
		return qoc_http_resp_problem(resp, 404, NULL, NULL);
	const struct qoc_console_asset *index =
	    qoc_console_asset_find(qoc_console_assets, "index.html");
	if (!index)
		return qoc_http_resp_problem(resp, 404, "Not Found",
		                             "this qoc was built without the console web app");
	return send_asset(req, resp, index, true);
}

enum qoc_err qoc_api_console_web_root(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                      void *ctx)
{
	(void)req;
	(void)ctx;
	return qoc_http_resp_redirect(resp, 301, "/console/");
}
