/* redirect_uri.c - redirect URI and CORS origin rules.
 *
 * One parser (parse()) splits a URI into scheme, host, port and the rest (path and query)
 * and refuses whatever SECURITY.md "Redirect URIs" forbids; validation is that parser, and
 * matching compares the pieces it found. The parser is deliberately stricter than RFC 3986:
 * it refuses what a browser would rewrite before following (upper case in scheme or host,
 * dot segments, non-canonical IPv4), so that a registered URI is exactly what gets visited.
 */
#include "oauth/redirect_uri.h"
#include "core/str.h"
#include "oauth/public_suffix.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

/* Reasons, shown to users beside the field. Objects, not macros, so that a reason can be
 * recognised by its address. */
static const char r_empty[] = "must not be empty";
static const char r_too_long[] = "must be at most 2048 bytes long";
static const char r_dangerous[] = "javascript:, data:, vbscript: and file: URIs are never allowed";
static const char r_control[] = "must not contain spaces, control characters or NUL bytes";
static const char r_control_encoded[] =
    "must not contain control characters or NUL bytes, also not percent-encoded (%00 to %1F, "
    "%7F)";
static const char r_non_ascii[] =
    "must contain only ASCII characters: percent-encode others in the path and query, and write "
    "international domain names in punycode (xn--...)";
static const char r_backslash[] = "must not contain backslashes (\\)";
static const char r_fragment[] = "must not contain a fragment (#...)";
static const char r_bad_char[] = "contains a character that must be percent-encoded (one of \" < > "
                                 "[ ] ^ ` { | } outside an IPv6 host)";
static const char r_no_scheme[] =
    "must be an absolute URI that starts with a scheme, such as https://";
static const char r_scheme_case[] = "the scheme must be written in lower case";
static const char r_https[] =
    "must use https (http is allowed only for localhost, 127.0.0.1 or [::1])";
static const char r_custom_not_mobile[] =
    "must use https (custom schemes such as com.example.app: are allowed only for mobile apps)";
static const char r_custom_form[] = "a custom scheme must be a reverse domain name you control, "
                                    "such as com.example.app (RFC 8252 §7.1)";
static const char r_no_authority[] = "must have the form https://host/path (// after the scheme)";
static const char r_userinfo[] = "must not contain a user name or password (an @ before the host)";
static const char r_authority_percent[] = "must not contain percent signs (%) in the host or port";
static const char r_no_host[] = "must name a host";
static const char r_host_case[] = "the host must be written in lower case";
static const char r_host[] =
    "the host must be a domain name (letters, digits and hyphens in dot-separated labels of 1 to "
    "63 characters, 253 in all) or an IP address";
static const char r_ipv4[] =
    "an IPv4 address must be four numbers from 0 to 255 without leading zeros";
static const char r_ipv6[] = "an IPv6 address must be a valid address in brackets, such as [::1]";
static const char r_port[] = "the port must be a number from 1 to 65535 without leading zeros";
static const char r_wildcard_pos[] =
    "a wildcard may only be the whole leftmost DNS label, as in https://*.example.com/callback";
static const char r_wildcard_depth[] = "a wildcard must be followed by a domain name of at least "
                                       "two labels, as in https://*.example.com/callback";
static const char r_wildcard_public[] =
    "a wildcard must not cover a public suffix (Public Suffix List, publicsuffix.org): "
    "https://*.co.uk/... or https://*.github.io/... would match sites of other owners; put a "
    "domain you control after the *, as in https://*.example.co.uk/callback";
static const char r_wildcard_no_list[] =
    "wildcards are refused because this server cannot read its Public Suffix List (ask its "
    "operator to install Debian's publicsuffix package); register each URI exactly instead";
static const char r_wildcard_scheme[] = "wildcards are allowed only with https";
static const char r_percent[] = "every % must be followed by two hexadecimal digits";
static const char r_dot_segment[] = "the path must not contain . or .. segments";
static const char r_reserved_param[] =
    "must not already contain a code, state or iss query parameter (QOC adds them to the redirect)";
static const char r_origin_shape[] =
    "an origin is only scheme://host[:port], with no path (not even /), query or fragment";
static const char r_origin_wildcard[] = "an origin must name one host; wildcards are not allowed";
static const char r_origin_default_port[] =
    "leave out the default port (:443 for https, :80 for http); browsers never send it";

/* What a caller allows beyond the common rules. */
struct rules {
	bool custom_scheme; /* mobile apps: reverse-DNS private-use schemes (RFC 8252 §7.1) */
	bool wildcard;      /* registered redirect URIs: host "*.rest.of.host" */
	bool origin;        /* CORS origin: nothing after the authority */
};

/* The pieces of a URI that passed parse(). Slices point into the parsed URI. */
struct uri {
	struct qoc_str scheme; /* without the ':' */
	struct qoc_str host;   /* as written, IPv6 with its brackets; empty when none */
	struct qoc_str port;   /* digits; empty when absent */
	struct qoc_str rest;   /* everything after the authority (or the scheme): path, query */
	bool wildcard;         /* host is "*." followed by a domain name */
	bool loopback_http;    /* http on localhost, 127.0.0.1 or [::1] */
};

static struct qoc_str slice(struct qoc_str s, size_t from, size_t to)
{
	return (struct qoc_str){s.ptr + from, to - from};
}

static bool is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool has_char(struct qoc_str s, char c)
{
	return s.len > 0 && memchr(s.ptr, c, s.len) != NULL;
}

/* A DNS label as the wildcard matches it: [a-z0-9]([a-z0-9-]{0,61}[a-z0-9])? */
static bool is_lower_label(struct qoc_str s)
{
	if (s.len < 1 || s.len > 63 || s.ptr[0] == '-' || s.ptr[s.len - 1] == '-')
		return false;
	for (size_t i = 0; i < s.len; i++)
		if (!is_lower(s.ptr[i]) && !is_digit(s.ptr[i]) && s.ptr[i] != '-')
			return false;
	return true;
}

/* javascript: data: vbscript: file:, in any case, after any leading whitespace or control
 * characters (which browsers strip before they look at the scheme). */
static bool is_dangerous_scheme(struct qoc_str u)
{
	static const char *const bad[] = {"javascript", "data", "vbscript", "file"};
	size_t i = 0, start;
	while (i < u.len && (unsigned char)u.ptr[i] <= 0x20)
		i++;
	start = i;
	while (i < u.len && u.ptr[i] != ':')
		i++;
	if (i == u.len)
		return false;
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
		if (qoc_str_eq_nocase(slice(u, start, i), qoc_str_from(bad[k])))
			return true;
	return false;
}

/* A %XX escape at s[0..3) that decodes to a control character. */
static bool is_encoded_control(const char *s, size_t left)
{
	if (left < 3 || s[0] != '%' || qoc_hex_value(s[1]) < 0 || qoc_hex_value(s[2]) < 0)
		return false;
	int v = qoc_hex_value(s[1]) * 16 + qoc_hex_value(s[2]);
	return v < 0x20 || v == 0x7f;
}

bool qoc_redirect_uri_has_control(struct qoc_str uri)
{
	for (size_t i = 0; i < uri.len; i++) {
		unsigned char c = (unsigned char)uri.ptr[i];
		if (c < 0x20 || c == 0x7f || is_encoded_control(uri.ptr + i, uri.len - i))
			return true;
	}
	return false;
}

/* Bytes no part of a redirect URI may hold. '[' and ']' are left to the host and path. */
static const char *check_bytes(struct qoc_str u)
{
	for (size_t i = 0; i < u.len; i++) {
		unsigned char c = (unsigned char)u.ptr[i];
		if (c <= 0x20 || c == 0x7f)
			return r_control;
		if (c >= 0x80)
			return r_non_ascii;
		if (c == '\\')
			return r_backslash;
		if (c == '#')
			return r_fragment;
		if (strchr("\"<>^`{|}", c))
			return r_bad_char;
	}
	return NULL;
}

/* RFC 3986 §3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":", lower case only. */
static const char *parse_scheme(struct qoc_str u, struct uri *out)
{
	bool upper = false;
	size_t i = 0;
	if (!is_lower(u.ptr[0]) && !is_upper(u.ptr[0]))
		return r_no_scheme;
	for (; i < u.len && u.ptr[i] != ':'; i++) {
		char c = u.ptr[i];
		upper |= is_upper(c);
		if (!is_lower(c) && !is_upper(c) && !is_digit(c) && !strchr("+-.", c))
			return r_no_scheme;
	}
	if (i == u.len)
		return r_no_scheme;
	if (upper)
		return r_scheme_case;
	out->scheme = slice(u, 0, i);
	return NULL;
}

/* Number of dot-separated labels in `s` when every one is a lower-case DNS label, else 0. */
static size_t count_labels(struct qoc_str s)
{
	size_t labels = 0, start = 0;
	for (size_t i = 0; i <= s.len; i++) {
		if (i < s.len && s.ptr[i] != '.')
			continue;
		if (!is_lower_label(slice(s, start, i)))
			return 0;
		labels++;
		start = i + 1;
	}
	return labels;
}

/* RFC 8252 §7.1: a private-use scheme is a reverse domain name (com.example.app). */
static bool is_reverse_dns(struct qoc_str scheme)
{
	return count_labels(scheme) >= 2;
}

/* WHATWG URL "ends in a number": a host whose last label is all digits or 0x-hex is read
 * as an IPv4 address (0177.1, 2130706433, 0x7f.1), so it must be one in canonical form. */
static bool ends_in_number(struct qoc_str h)
{
	size_t start = h.len;
	while (start > 0 && h.ptr[start - 1] != '.')
		start--;
	struct qoc_str last = slice(h, start, h.len);
	size_t i = 0;
	if (last.len == 0)
		return false;
	if (last.len >= 2 && last.ptr[0] == '0' && last.ptr[1] == 'x') {
		for (i = 2; i < last.len && qoc_hex_value(last.ptr[i]) >= 0; i++)
			;
		return i == last.len;
	}
	for (; i < last.len && is_digit(last.ptr[i]); i++)
		;
	return i == last.len;
}

/* Four decimal numbers 0-255 without leading zeros. */
static bool is_ipv4(struct qoc_str h)
{
	size_t parts = 0, i = 0;
	for (;;) {
		size_t start = i;
		unsigned v = 0;
		while (i < h.len && is_digit(h.ptr[i]) && i - start < 3)
			v = v * 10 + (unsigned)(h.ptr[i++] - '0');
		if (i == start || v > 255 || (h.ptr[start] == '0' && i - start > 1))
			return false;
		if (++parts == 4)
			return i == h.len;
		if (i == h.len || h.ptr[i] != '.')
			return false;
		i++;
	}
}

/* A DNS name (RFC 1123 labels) or a canonical IPv4 address, lower case. */
static const char *check_host_name(struct qoc_str h)
{
	for (size_t i = 0; i < h.len; i++)
		if (is_upper(h.ptr[i]))
			return r_host_case;
	if (ends_in_number(h))
		return is_ipv4(h) ? NULL : r_ipv4;
	return h.len <= 253 && count_labels(h) > 0 ? NULL : r_host;
}

static const char *check_ipv6(struct qoc_str host)
{
	struct qoc_str in = slice(host, 1, host.len - 1);
	char buf[INET6_ADDRSTRLEN];
	struct in6_addr addr;
	if (in.len == 0 || in.len >= sizeof buf)
		return r_ipv6;
	for (size_t i = 0; i < in.len; i++) {
		char c = in.ptr[i];
		if (c >= 'A' && c <= 'F')
			return r_host_case;
		if (qoc_hex_value(c) < 0 && c != ':' && c != '.')
			return r_ipv6;
	}
	memcpy(buf, in.ptr, in.len);
	buf[in.len] = '\0';
	return inet_pton(AF_INET6, buf, &addr) == 1 ? NULL : r_ipv6;
}

static const char *check_port(struct qoc_str p)
{
	unsigned v = 0;
	if (p.len == 0 || p.len > 5 || p.ptr[0] == '0')
		return r_port;
	for (size_t i = 0; i < p.len; i++) {
		if (!is_digit(p.ptr[i]))
			return r_port;
		v = v * 10 + (unsigned)(p.ptr[i] - '0');
	}
	return v <= 65535 ? NULL : r_port;
}

/* `*` as the whole leftmost label, followed by a domain name of two or more labels. */
static const char *check_wildcard_host(struct qoc_str h, const struct rules *r)
{
	struct qoc_str suffix;
	const char *why;
	if (!r->wildcard)
		return r->origin ? r_origin_wildcard : r_wildcard_pos;
	if (h.ptr[0] != '*' || (h.len > 1 && h.ptr[1] != '.'))
		return r_wildcard_pos;
	suffix = slice(h, h.len > 1 ? 2 : 1, h.len);
	if (has_char(suffix, '*'))
		return r_wildcard_pos;
	if (!has_char(suffix, '.') || ends_in_number(suffix))
		return r_wildcard_depth;
	if ((why = check_host_name(suffix)))
		return why;
	/* Attack: `*` over a public suffix matches hosts that anyone can register (an open
	 * redirect to an attacker's site). Without the list nothing is known: fail closed. */
	switch (qoc_public_suffix_check(suffix)) {
	case QOC_PSL_NOT_PUBLIC:
		return NULL;
	case QOC_PSL_PUBLIC:
		return r_wildcard_public;
	case QOC_PSL_UNAVAILABLE:
		break;
	}
	return r_wildcard_no_list;
}

/* `a` starts right after "//". Sets host, port and rest. */
static const char *parse_authority(struct qoc_str a, const struct rules *r, bool custom,
                                   struct uri *out)
{
	size_t end = 0, colon;
	struct qoc_str auth;
	const char *why;
	while (end < a.len && a.ptr[end] != '/' && a.ptr[end] != '?')
		end++;
	auth = slice(a, 0, end);
	out->rest = slice(a, end, a.len);
	if (has_char(auth, '@'))
		return r_userinfo;
	if (has_char(auth, '%'))
		return r_authority_percent;
	if (auth.len > 0 && auth.ptr[0] == '[') {
		const char *close = memchr(auth.ptr, ']', auth.len);
		if (!close)
			return r_ipv6;
		colon = (size_t)(close - auth.ptr) + 1;
		if (colon < auth.len && auth.ptr[colon] != ':')
			return r_ipv6;
	} else {
		const char *c = memchr(auth.ptr, ':', auth.len);
		colon = c ? (size_t)(c - auth.ptr) : auth.len;
	}
	out->host = slice(auth, 0, colon);
	if (out->host.len == 0 && !custom)
		return r_no_host;
	if (colon < auth.len) {
		out->port = slice(auth, colon + 1, auth.len);
		if ((why = check_port(out->port)))
			return why;
	}
	if (out->host.len == 0)
		return NULL; /* custom schemes: "com.example.app:///cb" */
	if (out->host.ptr[0] == '[')
		return check_ipv6(out->host);
	if (has_char(out->host, '*')) {
		out->wildcard = true;
		return check_wildcard_host(out->host, r);
	}
	return check_host_name(out->host);
}

/* A path segment that browsers resolve: ".", "..", or either with %2e for a dot. */
static bool is_dot_segment(struct qoc_str seg)
{
	size_t dots = 0, i = 0;
	while (i < seg.len) {
		if (seg.ptr[i] == '.') {
			i++;
		} else if (seg.len - i >= 3 && seg.ptr[i] == '%' && seg.ptr[i + 1] == '2' &&
		           (seg.ptr[i + 2] == 'e' || seg.ptr[i + 2] == 'E')) {
			i += 3;
		} else {
			return false;
		}
		dots++;
	}
	return dots == 1 || dots == 2;
}

/* Query key equal to `name` once percent-decoded (form decoders decode keys). The
 * escapes were checked well-formed before. */
static bool key_is(struct qoc_str key, const char *name)
{
	size_t i = 0, j = 0;
	while (i < key.len) {
		char c = key.ptr[i];
		if (c == '%') {
			c = (char)(qoc_hex_value(key.ptr[i + 1]) * 16 +
			           qoc_hex_value(key.ptr[i + 2]));
			i += 3;
		} else {
			i++;
		}
		if (name[j] == '\0' || name[j] != c)
			return false;
		j++;
	}
	return name[j] == '\0';
}

static bool has_reserved_key(struct qoc_str query)
{
	size_t start = 0;
	for (size_t i = 0; i <= query.len; i++) {
		if (i < query.len && query.ptr[i] != '&')
			continue;
		struct qoc_str param = slice(query, start, i);
		const char *eq = memchr(param.ptr, '=', param.len);
		struct qoc_str key = eq ? slice(param, 0, (size_t)(eq - param.ptr)) : param;
		if (key_is(key, "code") || key_is(key, "state") || key_is(key, "iss"))
			return true;
		start = i + 1;
	}
	return false;
}

/* Path and query: no wildcard, well-formed escapes, no dot segments, no code/state/iss. */
static const char *check_rest(struct qoc_str rest)
{
	const char *q = rest.len ? memchr(rest.ptr, '?', rest.len) : NULL;
	size_t path_end = q ? (size_t)(q - rest.ptr) : rest.len, start = 0;
	for (size_t i = 0; i < rest.len; i++) {
		char c = rest.ptr[i];
		if (c == '*')
			return r_wildcard_pos;
		if (c == '[' || c == ']')
			return r_bad_char;
		if (c != '%')
			continue;
		if (rest.len - i < 3 || qoc_hex_value(rest.ptr[i + 1]) < 0 ||
		    qoc_hex_value(rest.ptr[i + 2]) < 0)
			return r_percent;
		/* Attack: %00, %0d%0a... decode to what check_bytes refuses raw (NUL cuts, header
		 * and log injection wherever the URI is decoded). */
		if (is_encoded_control(rest.ptr + i, rest.len - i))
			return r_control_encoded;
	}
	for (size_t i = 0; i <= path_end; i++) {
		if (i < path_end && rest.ptr[i] != '/')
			continue;
		if (is_dot_segment(slice(rest, start, i)))
			return r_dot_segment;
		start = i + 1;
	}
	if (q && has_reserved_key(slice(rest, path_end + 1, rest.len)))
		return r_reserved_param;
	return NULL;
}

/* The whole rule set. Returns NULL when `u` is acceptable under `r`, else the reason. */
static const char *parse(struct qoc_str u, const struct rules *r, struct uri *out)
{
	struct qoc_str after;
	bool https, http;
	const char *why;
	memset(out, 0, sizeof *out);
	if (u.len == 0)
		return r_empty;
	if (u.len > QOC_REDIRECT_URI_MAX)
		return r_too_long;
	if (is_dangerous_scheme(u))
		return r_dangerous;
	if ((why = check_bytes(u)) || (why = parse_scheme(u, out)))
		return why;
	after = slice(u, out->scheme.len + 1, u.len);
	https = qoc_str_eq_cstr(out->scheme, "https");
	http = qoc_str_eq_cstr(out->scheme, "http");
	if (!https && !http) {
		if (!r->custom_scheme)
			return r->origin ? r_https : r_custom_not_mobile;
		if (!is_reverse_dns(out->scheme))
			return r_custom_form;
	}
	if (qoc_str_starts_with(after, QOC_STR_LIT("//"))) {
		why = parse_authority(slice(after, 2, after.len), r, !https && !http, out);
		if (why)
			return why;
	} else if (https || http) {
		return r_no_authority;
	} else {
		out->rest = after;
	}
	if (out->wildcard && !https)
		return r_wildcard_scheme;
	if (http) {
		if (!qoc_str_eq_cstr(out->host, "localhost") &&
		    !qoc_str_eq_cstr(out->host, "127.0.0.1") &&
		    !qoc_str_eq_cstr(out->host, "[::1]"))
			return r_https;
		out->loopback_http = true;
	}
	if (r->origin && out->rest.len > 0)
		return r_origin_shape;
	return check_rest(out->rest);
}

static enum qoc_err report(const char *why, const char **reason)
{
	if (reason)
		*reason = why;
	return why ? QOC_EINVAL : QOC_OK;
}

enum qoc_err qoc_redirect_uri_validate(struct qoc_str uri, enum qoc_redirect_kind kind,
                                       const char **reason)
{
	const struct rules r = {.custom_scheme = kind == QOC_REDIRECT_MOBILE, .wildcard = true};
	struct uri u;
	return report(parse(uri, &r, &u), reason);
}

/* Registered URIs were checked against their app type when saved; here they get the
 * widest registration rules (any later tightening of the common rules still applies). */
static const struct rules registered_rules = {.custom_scheme = true, .wildcard = true};
static const struct rules requested_rules = {.custom_scheme = true};

/* `req` is host "<one label>.<suffix>" where the registered host is "*.<suffix>". */
static bool host_fills_wildcard(struct qoc_str req, struct qoc_str reg)
{
	struct qoc_str suffix = slice(reg, 1, reg.len); /* ".<suffix>" */
	if (req.len <= suffix.len)
		return false;
	struct qoc_str label = slice(req, 0, req.len - suffix.len);
	return qoc_str_eq(slice(req, label.len, req.len), suffix) && is_lower_label(label);
}

static bool parsed_match(struct qoc_str reg, const struct uri *g, struct qoc_str req,
                         const struct uri *q)
{
	if (qoc_str_eq(reg, req))
		return true;
	/* RFC 8252 §7.3: any port; scheme, host, path and query byte-exact. */
	if (g->loopback_http)
		return q->loopback_http && qoc_str_eq(g->host, q->host) &&
		       qoc_str_eq(g->rest, q->rest);
	if (g->wildcard)
		return qoc_str_eq_cstr(q->scheme, "https") &&
		       host_fills_wildcard(q->host, g->host) && qoc_str_eq(g->port, q->port) &&
		       qoc_str_eq(g->rest, q->rest);
	return false;
}

bool qoc_redirect_uri_matches(struct qoc_str registered, struct qoc_str requested)
{
	return qoc_redirect_uri_find(&registered, 1, requested) == 0;
}

ptrdiff_t qoc_redirect_uri_find(const struct qoc_str *registered, size_t n,
                                struct qoc_str requested)
{
	struct uri q, g;
	if (parse(requested, &requested_rules, &q))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!parse(registered[i], &registered_rules, &g) &&
		    parsed_match(registered[i], &g, requested, &q))
			return (ptrdiff_t)i;
	return -1;
}

enum qoc_err qoc_origin_validate(struct qoc_str origin, const char **reason)
{
	static const struct rules origin_rules = {.origin = true};
	struct uri u;
	const char *why = parse(origin, &origin_rules, &u);
	if (why == r_no_scheme && has_char(origin, '*'))
		why = r_origin_wildcard;
	if (!why && ((u.loopback_http && qoc_str_eq_cstr(u.port, "80")) ||
	             (!u.loopback_http && qoc_str_eq_cstr(u.port, "443"))))
		why = r_origin_default_port;
	return report(why, reason);
}

bool qoc_origin_matches(struct qoc_str registered, struct qoc_str request_origin)
{
	return qoc_str_eq(registered, request_origin) &&
	       qoc_origin_validate(registered, NULL) == QOC_OK;
}
