/* Unit tests for src/oauth/redirect_uri: registration-time validation, request-time
 * matching and CORS origins. Each row names the clause it tests; "SECURITY.md" means the
 * "Redirect URIs" section of /work/shared/SECURITY.md. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "oauth/public_suffix.h"
#include "oauth/redirect_uri.h"

/* A phrase from each reason, so a row fails when the wrong rule refuses the URI. */
#define WHY_EMPTY "must not be empty"
#define WHY_LONG "2048 bytes"
#define WHY_DANGER "javascript:, data:, vbscript: and file:"
#define WHY_CONTROL "control characters"
#define WHY_ASCII "only ASCII"
#define WHY_BACKSLASH "backslash"
#define WHY_FRAGMENT "fragment"
#define WHY_ENCODE "must be percent-encoded"
#define WHY_SCHEME "absolute URI that starts with a scheme"
#define WHY_SCHEME_CASE "scheme must be written in lower case"
#define WHY_HTTPS "http is allowed only for localhost, 127.0.0.1 or [::1]"
#define WHY_CUSTOM "allowed only for mobile apps"
#define WHY_REVERSE_DNS "reverse domain name"
#define WHY_SLASHES "https://host/path"
#define WHY_USERINFO "user name or password"
#define WHY_AUTH_PERCENT "percent signs (%) in the host"
#define WHY_NO_HOST "must name a host"
#define WHY_HOST_CASE "host must be written in lower case"
#define WHY_HOST "host must be a domain name"
#define WHY_IPV4 "IPv4 address"
#define WHY_IPV6 "IPv6 address"
#define WHY_PORT "port must be a number from 1 to 65535"
#define WHY_WILD_POS "whole leftmost DNS label"
#define WHY_WILD_DEPTH "at least two labels"
#define WHY_WILD_HTTP "wildcards are allowed only with https"
#define WHY_PERCENT "two hexadecimal digits"
#define WHY_DOTS ". or .. segments"
#define WHY_RESERVED "code, state or iss"
#define WHY_ORIGIN "scheme://host[:port]"
#define WHY_ORIGIN_WILD "wildcards are not allowed"
#define WHY_DEFAULT_PORT "default port"
#define WHY_WILD_PUBLIC "must not cover a public suffix"
#define WHY_CONTROL_ENC "also not percent-encoded (%00 to %1F, %7F)"

enum {
	WEB = QOC_REDIRECT_WEB,
	SPA = QOC_REDIRECT_SPA,
	SVC = QOC_REDIRECT_SERVICE,
	MOB = QOC_REDIRECT_MOBILE
};

/* ---- Registration-time validation ---------------------------------------------------- */

struct vrow {
	const char *uri;
	size_t len; /* 0: strlen(uri); set for rows with a NUL inside */
	int kind;
	const char *why; /* NULL: accepted; else a phrase the reason must contain */
};

/* clang-format off */
#define OK(u, k) { (u), 0, (k), NULL }
#define NO(u, k, w) { (u), 0, (k), (w) }
#define NO_N(u, k, w) { (u), sizeof(u) - 1, (k), (w) } /* explicit length: NUL inside */

static const struct vrow validate_rows[] = {
	/* ARCHITECTURE.md §5: https for every app type */
	OK("https://example.com/cb", WEB),
	OK("https://example.com/cb", SPA),
	OK("https://example.com/cb", SVC),
	OK("https://example.com/cb", MOB),
	OK("https://app.example.com/auth/callback", WEB),
	/* RFC 6749 §3.1.2: a query component is allowed and kept */
	OK("https://example.com/cb?tenant=a&x=1", WEB),
	OK("https://example.com", WEB),          /* RFC 3986 §3.3: empty path */
	OK("https://example.com/", WEB),
	OK("https://example.com:443/cb", WEB),   /* RFC 3986 §3.2.3: explicit port kept as is */
	OK("https://example.com:8443/cb", WEB),
	OK("https://example.com:1/cb", WEB),     /* SECURITY.md: port 1-65535 */
	OK("https://example.com:65535/cb", WEB),
	OK("https://xn--bcher-kva.example/cb", WEB), /* RFC 5891: IDN as A-label */
	OK("https://a-b.c-d.example/cb", WEB),   /* RFC 1123 §2.1: hyphens inside labels */
	OK("https://1.example.com/cb", WEB),     /* RFC 1123 §2.1: label may start with digit */
	OK("https://intranet/cb", WEB),          /* single-label DNS name */
	OK("https://localhost/cb", WEB),
	OK("https://203.0.113.7/cb", WEB),       /* IPv4 literal */
	OK("https://[2001:db8::1]:8443/cb", WEB), /* RFC 3986 §3.2.2: IPv6 literal */
	OK("https://example.com/a/b;p=1/c%20d?q=%26&r", WEB), /* RFC 3986 §2.1: escapes kept */
	OK("https://example.com/%63b", WEB),     /* escapes allowed (never decoded) */
	OK("https://example.com/cb?xcode=1&codes=2&states=3&issuer=4", WEB), /* not reserved */
	OK("https://example.com/cb?Code=1", WEB), /* query keys are case-sensitive */
	OK("https://example.com/@evil.com", WEB), /* '@' in the path is not userinfo */
	OK("https://example.com/...", WEB),       /* three dots are a name, not a dot segment */
	/* SECURITY.md: http only on loopback; RFC 8252 §7.3, §8.3 */
	OK("http://localhost/cb", WEB),
	OK("http://localhost:3000/callback", SPA),
	OK("http://127.0.0.1/cb", MOB),
	OK("http://127.0.0.1:8080/cb", MOB),
	OK("http://[::1]/cb", MOB),
	OK("http://[::1]:8080/cb", MOB),
	NO("http://example.com/cb", WEB, WHY_HTTPS),
	NO("http://localhost.evil.com/cb", WEB, WHY_HTTPS),
	NO("http://127.0.0.1.nip.io/cb", WEB, WHY_HTTPS),
	NO("http://127.0.0.2/cb", WEB, WHY_HTTPS),      /* only the three listed hosts */
	NO("http://[::2]/cb", WEB, WHY_HTTPS),
	NO("http://[0:0:0:0:0:0:0:1]/cb", WEB, WHY_HTTPS), /* only the [::1] spelling */
	NO("http://10.0.0.1/cb", MOB, WHY_HTTPS),
	/* RFC 6749 §3.1.2: absolute URI */
	NO("", WEB, WHY_EMPTY),
	NO("/cb", WEB, WHY_SCHEME),
	NO("//example.com/cb", WEB, WHY_SCHEME),
	NO("example.com/cb", WEB, WHY_SCHEME),
	NO("1https://example.com/cb", WEB, WHY_SCHEME),
	NO("https:example.com/cb", WEB, WHY_SLASHES),
	NO("https:/example.com/cb", WEB, WHY_SLASHES),
	NO("https:///cb", WEB, WHY_NO_HOST),
	NO("https://", WEB, WHY_NO_HOST),
	NO("https://:443/cb", WEB, WHY_NO_HOST),
	/* RFC 3986 §3.1: schemes are written in lower case; no case folding here */
	NO("HTTPS://example.com/cb", WEB, WHY_SCHEME_CASE),
	NO("Https://example.com/cb", WEB, WHY_SCHEME_CASE),
	NO("HTTP://localhost/cb", MOB, WHY_SCHEME_CASE), /* not a custom scheme either */
	/* SECURITY.md: javascript: data: vbscript: file:, any case, leading whitespace */
	NO("javascript:alert(1)", WEB, WHY_DANGER),
	NO("javascript:alert(1)", MOB, WHY_DANGER),
	NO("JaVaScRiPt:alert(1)", MOB, WHY_DANGER),
	NO(" javascript:alert(1)", WEB, WHY_DANGER),
	NO("\t\n javascript:alert(1)", MOB, WHY_DANGER),
	NO("javascript://example.com/%0aalert(1)", MOB, WHY_DANGER),
	NO("data:text/html,<script>alert(1)</script>", MOB, WHY_DANGER),
	NO("DATA:text/html;base64,PHNjcmlwdD4=", MOB, WHY_DANGER),
	NO("vbscript:msgbox(1)", MOB, WHY_DANGER),
	NO("VBScript:msgbox(1)", MOB, WHY_DANGER),
	NO("file:///etc/passwd", MOB, WHY_DANGER),
	NO("FILE://localhost/etc/passwd", MOB, WHY_DANGER),
	NO("java\tscript:alert(1)", MOB, WHY_CONTROL), /* browsers strip the tab: refused */
	/* ARCHITECTURE.md §5 + RFC 8252 §7.1: custom schemes, mobile only, reverse DNS */
	OK("com.example.app:/callback", MOB),
	OK("com.example.app:/oauth2redirect/example-provider", MOB),
	OK("com.example.app://callback", MOB),
	OK("com.example.app:callback", MOB),
	OK("io.x-y.app1:/cb", MOB),
	NO("com.example.app:/callback", WEB, WHY_CUSTOM),
	NO("com.example.app:/callback", SPA, WHY_CUSTOM),
	NO("com.example.app:/callback", SVC, WHY_CUSTOM),
	NO("myapp://callback", MOB, WHY_REVERSE_DNS),    /* no dot */
	NO("myapp://callback", WEB, WHY_CUSTOM),
	NO("ftp://example.com/cb", MOB, WHY_REVERSE_DNS),
	NO("intent://cb", MOB, WHY_REVERSE_DNS),
	NO("com.Example.app:/cb", MOB, WHY_SCHEME_CASE),
	NO("com..app:/cb", MOB, WHY_REVERSE_DNS),
	NO(".com.app:/cb", MOB, WHY_SCHEME),
	NO("com.app.:/cb", MOB, WHY_REVERSE_DNS),
	NO("com.-app:/cb", MOB, WHY_REVERSE_DNS),
	NO("com+x.app:/cb", MOB, WHY_REVERSE_DNS),
	NO("com.example.app://user@host/cb", MOB, WHY_USERINFO),
	NO("com.example.app://*.example.com/cb", MOB, WHY_WILD_HTTP),
	NO("com.example.app:/cb#x", MOB, WHY_FRAGMENT),
	NO("com.example.app:/cb?code=1", MOB, WHY_RESERVED),
	/* SECURITY.md: userinfo; RFC 3986 §3.2.1 */
	NO("https://user@example.com/cb", WEB, WHY_USERINFO),
	NO("https://user:pass@example.com/cb", WEB, WHY_USERINFO),
	NO("https://@example.com/cb", WEB, WHY_USERINFO),
	NO("https://example.com@evil.com/cb", WEB, WHY_USERINFO),
	NO("http://localhost@evil.com/cb", WEB, WHY_USERINFO),
	NO("https://*.example.com@evil.com/cb", WEB, WHY_USERINFO),
	/* SECURITY.md: backslashes */
	NO("https://example.com\\@evil.com/", WEB, WHY_BACKSLASH),
	NO("https://example.com\\cb", WEB, WHY_BACKSLASH),
	NO("https:\\\\example.com/cb", WEB, WHY_BACKSLASH),
	/* SECURITY.md: fragments; RFC 6749 §3.1.2 */
	NO("https://example.com/cb#frag", WEB, WHY_FRAGMENT),
	NO("https://example.com/cb#", WEB, WHY_FRAGMENT),
	NO("https://example.com#@evil.com/cb", WEB, WHY_FRAGMENT),
	/* SECURITY.md: percent signs in the authority */
	NO("https://exa%6dple.com/", WEB, WHY_AUTH_PERCENT),
	NO("https://example.com%2f.evil.com/", WEB, WHY_AUTH_PERCENT),
	NO("https://[fe80::1%25eth0]/cb", WEB, WHY_AUTH_PERCENT),
	NO("https://example.com:%34%34%33/cb", WEB, WHY_AUTH_PERCENT),
	/* SECURITY.md: control characters, NUL, spaces */
	NO("https://example.com/c b", WEB, WHY_CONTROL),
	NO("https://example.com/cb\r\nSet-Cookie:x=1", WEB, WHY_CONTROL),
	NO("https://example.com/cb\x7f", WEB, WHY_CONTROL),
	NO_N("https://example.com/c\0b", WEB, WHY_CONTROL),
	NO_N("https://example.com\0.evil.com/cb", WEB, WHY_CONTROL),
	NO_N("\0https://example.com/cb", WEB, WHY_CONTROL),
	NO("https://example.com/cb ", WEB, WHY_CONTROL),
	/* RFC 3986 §2: only ASCII; hosts as A-labels (RFC 5891) */
	NO("https://b\xc3\xbc\x63her.example/cb", WEB, WHY_ASCII),
	NO("https://example.com/caf\xc3\xa9", WEB, WHY_ASCII),
	NO("https://example.com/\xe2\x80\xae", WEB, WHY_ASCII), /* U+202E RTL override */
	/* RFC 3986 §2.2: characters outside the grammar */
	NO("https://example.com/<script>", WEB, WHY_ENCODE),
	NO("https://example.com/cb?x=\"y\"", WEB, WHY_ENCODE),
	NO("https://example.com/{cb}", WEB, WHY_ENCODE),
	NO("https://example.com/a|b", WEB, WHY_ENCODE),
	NO("https://example.com/a^b", WEB, WHY_ENCODE),
	NO("https://example.com/a`b", WEB, WHY_ENCODE),
	NO("https://example.com/cb?a[]=1", WEB, WHY_ENCODE),
	/* RFC 3986 §2.1: well-formed escapes */
	NO("https://example.com/%", WEB, WHY_PERCENT),
	NO("https://example.com/%6", WEB, WHY_PERCENT),
	NO("https://example.com/%zz", WEB, WHY_PERCENT),
	NO("https://example.com/cb?x=%g1", WEB, WHY_PERCENT),
	/* RFC 3986 §5.2.4: dot segments (browsers resolve them, also as %2e) */
	NO("https://example.com/cb/../cb", WEB, WHY_DOTS),
	NO("https://example.com/./cb", WEB, WHY_DOTS),
	NO("https://example.com/cb/..", WEB, WHY_DOTS),
	NO("https://example.com/cb/%2e%2e/x", WEB, WHY_DOTS),
	NO("https://example.com/cb/.%2E/x", WEB, WHY_DOTS),
	NO("https://example.com/%2e/cb", WEB, WHY_DOTS),
	OK("https://example.com/cb?x=../y", WEB), /* the query is not a path */
	/* SECURITY.md: over-long values: see validate_limits_length */
	/* SECURITY.md: no code, state or iss already in the query; RFC 6749 §4.1.2, RFC 9207 §2 */
	NO("https://example.com/cb?code=x", WEB, WHY_RESERVED),
	NO("https://example.com/cb?state=", WEB, WHY_RESERVED),
	NO("https://example.com/cb?iss=https://qoc.example", WEB, WHY_RESERVED),
	NO("https://example.com/cb?foo=1&code=2", WEB, WHY_RESERVED),
	NO("https://example.com/cb?code", WEB, WHY_RESERVED),
	NO("https://example.com/cb?a=1&state", WEB, WHY_RESERVED),
	NO("https://example.com/cb?c%6fde=1", WEB, WHY_RESERVED), /* form decoders decode keys */
	NO("https://example.com/cb?%69%73%73=1", WEB, WHY_RESERVED),
	NO("http://localhost:3000/cb?state=1", SPA, WHY_RESERVED),
	/* RFC 3986 §3.2.2 + RFC 1123 §2.1: host is a DNS name or IP literal */
	NO("https://Example.com/cb", WEB, WHY_HOST_CASE),
	NO("https://EXAMPLE.COM/cb", WEB, WHY_HOST_CASE),
	NO("http://LOCALHOST/cb", WEB, WHY_HOST_CASE),
	NO("https://[2001:DB8::1]/cb", WEB, WHY_HOST_CASE),
	NO("https://exa_mple.com/cb", WEB, WHY_HOST),
	NO("https://-example.com/cb", WEB, WHY_HOST),
	NO("https://example-.com/cb", WEB, WHY_HOST),
	NO("https://example..com/cb", WEB, WHY_HOST),
	NO("https://.example.com/cb", WEB, WHY_HOST),
	NO("https://example.com./cb", WEB, WHY_HOST),
	NO("https://a!b.com/cb", WEB, WHY_HOST),
	NO("https://example.com'/cb", WEB, WHY_HOST),
	NO("https://[::1/cb", WEB, WHY_IPV6),
	NO("https://[::1]x/cb", WEB, WHY_IPV6),
	NO("https://[]/cb", WEB, WHY_IPV6),
	NO("https://[::g]/cb", WEB, WHY_IPV6),
	NO("https://[1:2:3:4:5:6:7:8:9]/cb", WEB, WHY_IPV6),
	NO("https://[v1.x]/cb", WEB, WHY_IPV6),
	NO("https://[127.0.0.1]/cb", WEB, WHY_IPV6),
	NO("https://ex[am]ple.com/cb", WEB, WHY_HOST),
	/* WHATWG URL IPv4 parser: numeric hosts must be canonical dotted quads */
	NO("https://256.0.0.1/cb", WEB, WHY_IPV4),
	NO("https://1.2.3/cb", WEB, WHY_IPV4),
	NO("https://1.2.3.4.5/cb", WEB, WHY_IPV4),
	NO("http://0177.0.0.1/cb", WEB, WHY_IPV4),
	NO("http://2130706433/cb", WEB, WHY_IPV4),
	NO("http://0x7f.0.0.1/cb", WEB, WHY_IPV4),
	NO("http://127.1/cb", WEB, WHY_IPV4),
	NO("https://example.0x1f/cb", WEB, WHY_IPV4),
	NO("https://example.123/cb", WEB, WHY_IPV4),
	OK("https://0.0.0.0/cb", WEB),
	OK("https://example.0xg/cb", WEB), /* not a number: an ordinary label */
	/* SECURITY.md + RFC 3986 §3.2.3: port 1-65535, digits only */
	NO("https://example.com:0/cb", WEB, WHY_PORT),
	NO("https://example.com:65536/cb", WEB, WHY_PORT),
	NO("https://example.com:99999/cb", WEB, WHY_PORT),
	NO("https://example.com:100000/cb", WEB, WHY_PORT),
	NO("https://example.com:/cb", WEB, WHY_PORT),
	NO("https://example.com:0443/cb", WEB, WHY_PORT),
	NO("https://example.com:44a/cb", WEB, WHY_PORT),
	NO("https://example.com:+443/cb", WEB, WHY_PORT),
	NO("https://example.com:-1/cb", WEB, WHY_PORT),
	NO("https://example.com:443:443/cb", WEB, WHY_PORT),
	NO("https://::1/cb", WEB, WHY_NO_HOST),
	NO("http://[::1]:0/cb", WEB, WHY_PORT),
	/* SECURITY.md: wildcards only as https:// + *.rest.of.host[:port]/path[?query] */
	OK("https://*.example.com/cb", WEB),
	OK("https://*.example.com", WEB),
	OK("https://*.example.com:8443/cb?x=1", SPA),
	OK("https://*.a.b.example.com/cb", WEB),
	OK("https://*.example.com/cb", MOB),
	NO("https://*.com/", WEB, WHY_WILD_DEPTH),
	NO("https://*/cb", WEB, WHY_WILD_DEPTH),
	NO("https://*./cb", WEB, WHY_WILD_DEPTH),
	NO("https://*.localhost/cb", WEB, WHY_WILD_DEPTH),
	NO("https://*.0.0.1/cb", WEB, WHY_WILD_DEPTH),
	NO("https://*.1.2.3.4/cb", WEB, WHY_WILD_DEPTH),
	NO("https://a*.example.com/cb", WEB, WHY_WILD_POS),
	NO("https://*a.example.com/cb", WEB, WHY_WILD_POS),
	NO("https://example.*.com/cb", WEB, WHY_WILD_POS),
	NO("https://example.com.*/cb", WEB, WHY_WILD_POS),
	NO("https://*.*.example.com/cb", WEB, WHY_WILD_POS),
	NO("https://**.example.com/cb", WEB, WHY_WILD_POS),
	NO("https://example.com/*", WEB, WHY_WILD_POS),
	NO("https://example.com/cb/*/x", WEB, WHY_WILD_POS),
	NO("https://example.com/cb?x=*", WEB, WHY_WILD_POS),
	NO("https://example.com:*/cb", WEB, WHY_PORT),
	NO("https://*.example.com/*", WEB, WHY_WILD_POS),
	NO("http://*.example.com/cb", WEB, WHY_WILD_HTTP),
	NO("http://*.localhost/cb", WEB, WHY_WILD_DEPTH),
	NO("https://*.Example.com/cb", WEB, WHY_HOST_CASE),
	NO("https://*.example..com/cb", WEB, WHY_HOST),
	NO("https://*.example.com/cb?code=1", WEB, WHY_RESERVED),
	/* Attack: a wildcard over a public suffix (Public Suffix List, ICANN and PRIVATE
	 * sections) matches hosts anyone can register: an open redirect to their site. */
	NO("https://*.co.uk/cb", WEB, WHY_WILD_PUBLIC),
	NO("https://*.github.io/cb", WEB, WHY_WILD_PUBLIC),          /* PRIVATE section */
	NO("https://*.com.au/cb", SPA, WHY_WILD_PUBLIC),
	NO("https://*.s3.amazonaws.com/cb", WEB, WHY_WILD_PUBLIC),    /* PRIVATE section */
	NO("https://*.herokuapp.com/cb", MOB, WHY_WILD_PUBLIC),
	NO("https://*.anything.ck/cb", WEB, WHY_WILD_PUBLIC),         /* list rule *.ck */
	OK("https://*.example.co.uk/cb", WEB),
	OK("https://*.ada.github.io/cb", WEB),
	OK("https://*.www.ck/cb", WEB),                               /* list exception !www.ck */
	/* Attack: percent-encoded control characters decode to what is refused raw (NUL cuts
	 * the URI, CR LF splits headers and logs), in any hex case, path and query. */
	NO("https://example.com/cb%00", WEB, WHY_CONTROL_ENC),
	NO("https://example.com/cb%0d%0aSet-Cookie:x=1", WEB, WHY_CONTROL_ENC),
	NO("https://example.com/cb%0D%0A", WEB, WHY_CONTROL_ENC),
	NO("https://example.com/cb?x=%0a", WEB, WHY_CONTROL_ENC),
	NO("https://example.com/%1f", WEB, WHY_CONTROL_ENC),
	NO("https://example.com/%1F", SPA, WHY_CONTROL_ENC),
	NO("https://example.com/%7f", WEB, WHY_CONTROL_ENC),
	NO("https://example.com/%7F", WEB, WHY_CONTROL_ENC),
	NO("https://example.com/a%09b", WEB, WHY_CONTROL_ENC),
	NO("https://*.example.com/cb%00", WEB, WHY_CONTROL_ENC),
	NO("com.example.app:/cb%0a", MOB, WHY_CONTROL_ENC),
	NO("http://localhost:8080/cb%00", WEB, WHY_CONTROL_ENC),
	NO("https://example.com/cb?%00=1", WEB, WHY_CONTROL_ENC),
	OK("https://example.com/a%20b", WEB),  /* a space is not a control character */
	OK("https://example.com/%7e%2F%80%ff", WEB),
};
/* clang-format on */

static void check_validate_row(size_t i, const struct vrow *r)
{
	struct qoc_str uri = {r->uri, r->len ? r->len : strlen(r->uri)};
	const char *reason = "sentinel";
	enum qoc_err err = qoc_redirect_uri_validate(uri, (enum qoc_redirect_kind)r->kind, &reason);
	if (!r->why) {
		if (err != QOC_OK || reason != NULL)
			fail_msg("row %zu \"%s\" (kind %d): refused, \"%s\"", i, r->uri, r->kind,
			         reason ? reason : "(null)");
		return;
	}
	if (err != QOC_EINVAL || !reason)
		fail_msg("row %zu \"%s\" (kind %d): accepted, wanted \"%s\"", i, r->uri, r->kind,
		         r->why);
	if (!strstr(reason, r->why))
		fail_msg("row %zu \"%s\" (kind %d): reason \"%s\", wanted \"%s\"", i, r->uri,
		         r->kind, reason, r->why);
}

static void validate_follows_every_rule(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof validate_rows / sizeof validate_rows[0]; i++)
		check_validate_row(i, &validate_rows[i]);
}

/* SECURITY.md: over-long values. 2048 bytes is the limit, also under the loopback rule. */
static void validate_limits_length(void **state)
{
	(void)state;
	static char uri[QOC_REDIRECT_URI_MAX + 2];
	const char *reason = NULL;
	memset(uri, 'a', sizeof uri);
	memcpy(uri, "https://example.com/", 20);
	assert_int_equal(qoc_redirect_uri_validate((struct qoc_str){uri, QOC_REDIRECT_URI_MAX},
	                                           QOC_REDIRECT_WEB, &reason),
	                 QOC_OK);
	assert_int_equal(qoc_redirect_uri_validate((struct qoc_str){uri, QOC_REDIRECT_URI_MAX + 1},
	                                           QOC_REDIRECT_WEB, &reason),
	                 QOC_EINVAL);
	assert_non_null(strstr(reason, WHY_LONG));
	assert_true(qoc_redirect_uri_matches((struct qoc_str){uri, QOC_REDIRECT_URI_MAX},
	                                     (struct qoc_str){uri, QOC_REDIRECT_URI_MAX}));
	assert_false(qoc_redirect_uri_matches((struct qoc_str){uri, QOC_REDIRECT_URI_MAX + 1},
	                                      (struct qoc_str){uri, QOC_REDIRECT_URI_MAX + 1}));

	/* RFC 1035 §2.3.4: hosts of at most 253 bytes, labels of at most 63. */
	char host[8 + 254 + 1];
	memset(host, 'a', sizeof host);
	memcpy(host, "https://", 8);
	for (size_t i = 8 + 50; i < 8 + 254; i += 51)
		host[i] = '.';
	host[8 + 254] = '/';
	assert_int_equal(qoc_redirect_uri_validate((struct qoc_str){host, sizeof host},
	                                           QOC_REDIRECT_WEB, &reason),
	                 QOC_EINVAL);
	assert_non_null(strstr(reason, WHY_HOST));
	assert_int_equal(
	    qoc_redirect_uri_validate((struct qoc_str){host, 8 + 253}, QOC_REDIRECT_WEB, &reason),
	    QOC_OK);
	char label[8 + 64 + 5];
	memcpy(label, "https://", 8);
	memset(label + 8, 'a', 64);
	memcpy(label + 8 + 64, ".com/", 5);
	assert_int_equal(qoc_redirect_uri_validate((struct qoc_str){label, sizeof label},
	                                           QOC_REDIRECT_WEB, &reason),
	                 QOC_EINVAL);
	assert_non_null(strstr(reason, WHY_HOST));
	memmove(label + 8, label + 9, sizeof label - 9); /* 63 a's */
	assert_int_equal(qoc_redirect_uri_validate((struct qoc_str){label, sizeof label - 1},
	                                           QOC_REDIRECT_WEB, &reason),
	                 QOC_OK);
}

/* The reason argument is optional, and reasons are static, never caller data. */
static void validate_reason_contract(void **state)
{
	(void)state;
	const char *reason = "sentinel";
	assert_int_equal(
	    qoc_redirect_uri_validate(QOC_STR_LIT("https://a.example/"), QOC_REDIRECT_WEB, NULL),
	    QOC_OK);
	assert_int_equal(qoc_redirect_uri_validate(QOC_STR_LIT("ftp://x"), QOC_REDIRECT_WEB, NULL),
	                 QOC_EINVAL);
	assert_int_equal(qoc_redirect_uri_validate(QOC_STR_NULL, QOC_REDIRECT_WEB, &reason),
	                 QOC_EINVAL);
	assert_non_null(strstr(reason, WHY_EMPTY));
	char uri[] = "https://evil-marker.example.com/cb#x";
	assert_int_equal(qoc_redirect_uri_validate(qoc_str_from(uri), QOC_REDIRECT_WEB, &reason),
	                 QOC_EINVAL);
	assert_null(strstr(reason, "evil-marker"));
}

/* ---- Request-time matching ----------------------------------------------------------- */

struct mrow {
	const char *reg;
	const char *req;
	size_t req_len; /* 0: strlen(req) */
	bool match;
};

/* clang-format off */
#define YES(g, q) { (g), (q), 0, true }
#define NOT(g, q) { (g), (q), 0, false }
#define NOT_N(g, q) { (g), (q), sizeof(q) - 1, false }

static const struct mrow match_rows[] = {
	/* RFC 6749 §3.1.2.3, SECURITY.md: exact byte comparison */
	YES("https://example.com/cb", "https://example.com/cb"),
	YES("https://example.com/cb?x=1", "https://example.com/cb?x=1"),
	YES("com.example.app:/callback", "com.example.app:/callback"),
	YES("https://example.com:443/cb", "https://example.com:443/cb"),
	YES("https://[2001:db8::1]/cb", "https://[2001:db8::1]/cb"),
	/* SECURITY.md: no case folding */
	NOT("https://example.com/cb", "HTTPS://example.com/cb"),
	NOT("https://example.com/cb", "https://EXAMPLE.com/cb"),
	NOT("https://example.com/cb", "https://example.com/CB"),
	NOT("https://example.com/CB", "https://example.com/cb"),
	NOT("com.example.app:/cb", "COM.example.app:/cb"),
	/* SECURITY.md: no path normalisation */
	NOT("https://example.com/cb", "https://example.com/cb/../cb"),
	NOT("https://example.com/cb", "https://example.com/./cb"),
	NOT("https://example.com/cb", "https://example.com//cb"),
	/* SECURITY.md: no percent-decoding */
	NOT("https://example.com/cb", "https://example.com/%63b"),
	NOT("https://example.com/%63b", "https://example.com/cb"),
	NOT("https://example.com/a%2Fb", "https://example.com/a%2fb"),
	/* SECURITY.md: no prefix matching; query and trailing slash are part of the URI */
	NOT("https://example.com/cb", "https://example.com/cb?x=1"),
	NOT("https://example.com/cb?x=1", "https://example.com/cb"),
	NOT("https://example.com/cb?x=1", "https://example.com/cb?x=1&y=2"),
	NOT("https://example.com/cb", "https://example.com/cb/"),
	NOT("https://example.com/cb/", "https://example.com/cb"),
	NOT("https://example.com", "https://example.com/"),
	NOT("https://example.com/cb", "https://example.com/cb/extra"),
	NOT("https://example.com/cb", "https://example.com/cbx"),
	NOT("https://example.com/cb", "https://example.com/c"),
	NOT("https://example.com/cb", "https://example.com.evil.com/cb"),
	/* SECURITY.md: only loopback may differ in port (byte-exact otherwise) */
	NOT("https://example.com:443/cb", "https://example.com/cb"),
	NOT("https://example.com/cb", "https://example.com:443/cb"),
	NOT("https://example.com:8443/cb", "https://example.com:9443/cb"),
	NOT("https://localhost:3000/cb", "https://localhost:4000/cb"), /* https is not §7.3 */
	/* RFC 8252 §7.3: loopback http matches any port, the rest byte-exact */
	YES("http://127.0.0.1/cb", "http://127.0.0.1:51004/cb"),
	YES("http://127.0.0.1:8080/cb", "http://127.0.0.1/cb"),
	YES("http://127.0.0.1:8080/cb", "http://127.0.0.1:9090/cb"),
	YES("http://[::1]/cb", "http://[::1]:8080/cb"),
	YES("http://[::1]:8080/cb", "http://[::1]/cb"),
	YES("http://localhost/cb", "http://localhost:3000/cb"),
	YES("http://localhost:3000/cb", "http://localhost:4000/cb"),
	YES("http://localhost:3000", "http://localhost:1"),
	YES("http://localhost/cb?x=1", "http://localhost:65535/cb?x=1"),
	NOT("http://localhost:3000/cb", "http://localhost:3000/cb/"),
	NOT("http://localhost:3000/cb", "http://localhost:4000/cb?x=1"),
	NOT("http://localhost:3000/cb", "http://localhost:4000/CB"),
	NOT("http://localhost:3000/cb", "http://127.0.0.1:3000/cb"), /* RFC 8252 §8.3: no cross */
	NOT("http://127.0.0.1/cb", "http://[::1]/cb"),
	NOT("http://localhost/cb", "https://localhost/cb"),
	NOT("https://localhost/cb", "http://localhost/cb"),
	NOT("http://localhost/cb", "http://localhost.evil.com/cb"),
	NOT("http://127.0.0.1/cb", "http://127.0.0.1.nip.io/cb"),
	NOT("http://localhost/cb", "http://localhost:0/cb"),
	NOT("http://localhost/cb", "http://localhost:65536/cb"),
	NOT("http://localhost/cb", "http://localhost:/cb"),
	NOT("http://localhost/cb", "http://localhost:08080/cb"),
	NOT("http://localhost/cb", "http://localhost:80@evil.com/cb"),
	NOT("http://localhost/cb", "http://LOCALHOST:8080/cb"),
	NOT("http://127.0.0.1/cb", "http://127.1:8080/cb"),
	/* SECURITY.md wildcards: exactly one lower-case DNS label in place of '*' */
	YES("https://*.example.com/cb", "https://a.example.com/cb"),
	YES("https://*.example.com/cb", "https://tenant-42.example.com/cb"),
	YES("https://*.example.com/cb", "https://0.example.com/cb"),
	YES("https://*.example.com/cb", "https://xn--bcher-kva.example.com/cb"),
	YES("https://*.example.com:8443/cb?x=1", "https://a.example.com:8443/cb?x=1"),
	YES("https://*.example.com", "https://a.example.com"),
	NOT("https://*.example.com/cb", "https://a.b.example.com/cb"),
	NOT("https://*.example.com/cb", "https://.example.com/cb"),
	NOT("https://*.example.com/cb", "https://example.com/cb"),
	NOT("https://*.example.com/cb", "https://evil.com/.example.com/cb"),
	NOT("https://*.example.com/cb", "https://a.example.com.evil.com/cb"),
	NOT("https://*.example.com/cb", "https://aexample.com/cb"),
	NOT("https://*.example.com/cb", "https://a.example.com/cb/extra"),
	NOT("https://*.example.com/cb", "https://a.example.com/cb?x=1"),
	NOT("https://*.example.com/cb", "https://a.example.com/CB"),
	NOT("https://*.example.com/cb", "https://a.example.com:444/cb"),
	NOT("https://*.example.com/cb", "https://a.example.com:443/cb"),
	NOT("https://*.example.com:8443/cb", "https://a.example.com/cb"),
	NOT("https://*.example.com:8443/cb", "https://a.example.com:9443/cb"),
	NOT("https://*.example.com/cb", "http://a.example.com/cb"),
	NOT("https://*.example.com/cb", "HTTPS://a.example.com/cb"),
	NOT("https://*.example.com/cb", "https://A.example.com/cb"), /* no case folding */
	NOT("https://*.example.com/cb", "https://a.EXAMPLE.com/cb"),
	NOT("https://*.example.com/cb", "https://b\xc3\xbc\x63her.example.com/cb"), /* raw IDN */
	NOT("https://*.example.com/cb", "https://-a.example.com/cb"),
	NOT("https://*.example.com/cb", "https://a-.example.com/cb"),
	NOT("https://*.example.com/cb", "https://a_b.example.com/cb"),
	NOT("https://*.example.com/cb", "https://%61.example.com/cb"),
	NOT("https://*.example.com/cb", "https://*.example.com/cb"), /* '*' is not a label */
	NOT("https://*.example.com/cb", "https://user@a.example.com/cb"),
	NOT("https://*.example.com/cb", "https://a.example.com/cb#x"),
	NOT("https://*.example.com/cb",
		"https://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.com/cb"),
	YES("https://*.example.com/cb",
		"https://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.com/cb"),
	NOT("https://a.example.com/cb", "https://*.example.com/cb"), /* not the other way */
	/* The requested URI is itself checked (SECURITY.md: "and at request time") */
	NOT("https://example.com/cb", "https://example.com/cb#frag"),
	NOT("https://example.com/cb", "https://user@example.com/cb"),
	NOT("https://example.com/cb", "https://example.com\\@evil.com/"),
	NOT("https://example.com/cb", "https://exa%6dple.com/cb"),
	NOT("https://example.com/cb", " https://example.com/cb"),
	NOT("https://example.com/cb", "https://example.com/cb "),
	NOT("https://example.com/cb", "https://example.com/cb?code=x"),
	NOT_N("https://example.com/cb", "https://example.com/cb\0"),
	NOT_N("https://example.com/cb", "https://example.com\0/cb"),
	NOT_N("http://localhost/cb", "http://localhost:8080/cb\0evil"),
	NOT("https://example.com/cb", ""),
	/* Registered URIs are re-checked too: one saved before a rule existed never matches */
	NOT("https://example.com/cb?code=1", "https://example.com/cb?code=1"),
	NOT("https://example.com/cb#x", "https://example.com/cb#x"),
	NOT("http://example.com/cb", "http://example.com/cb"),
	NOT("javascript:alert(1)", "javascript:alert(1)"),
	NOT("myapp://cb", "myapp://cb"),
	NOT("", ""),
	NOT("https://*.com/cb", "https://a.com/cb"),
	NOT("https://a*.example.com/cb", "https://ab.example.com/cb"),
	/* Attack: a wildcard over a public suffix saved before the rule never matches */
	NOT("https://*.github.io/cb", "https://evil.github.io/cb"),
	NOT("https://*.co.uk/cb", "https://evil.co.uk/cb"),
	YES("https://*.ada.github.io/cb", "https://docs.ada.github.io/cb"),
	/* Attack: percent-encoded control characters, requested or registered */
	NOT("https://example.com/cb", "https://example.com/cb%00"),
	NOT("https://example.com/cb%0a", "https://example.com/cb%0a"),
	NOT("https://example.com/cb?x=1", "https://example.com/cb?x=1%0D%0A"),
	NOT("http://localhost/cb", "http://localhost:8080/cb%7F"),
	NOT("https://*.example.com/cb", "https://a.example.com/cb%1f"),
};
/* clang-format on */

static void matches_follows_every_rule(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof match_rows / sizeof match_rows[0]; i++) {
		const struct mrow *r = &match_rows[i];
		struct qoc_str reg = qoc_str_from(r->reg);
		struct qoc_str req = {r->req, r->req_len ? r->req_len : strlen(r->req)};
		if (qoc_redirect_uri_matches(reg, req) != r->match)
			fail_msg("row %zu: \"%s\" vs \"%s\": wanted %s", i, r->reg, r->req,
			         r->match ? "match" : "no match");
		/* A match implies a requested URI that passes validation. */
		if (r->match)
			assert_int_equal(qoc_redirect_uri_validate(req, QOC_REDIRECT_MOBILE, NULL),
			                 QOC_OK);
	}
}

/* RFC 6749 §3.1.2.3: every valid non-wildcard URI matches itself (reflexive). */
static void matches_is_reflexive_for_valid_uris(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof validate_rows / sizeof validate_rows[0]; i++) {
		const struct vrow *r = &validate_rows[i];
		struct qoc_str uri = {r->uri, r->len ? r->len : strlen(r->uri)};
		bool wildcard = memchr(uri.ptr, '*', uri.len) != NULL;
		/* Registered URIs are matched under the widest (mobile) rules. */
		bool valid = qoc_redirect_uri_validate(uri, QOC_REDIRECT_MOBILE, NULL) == QOC_OK;
		if (qoc_redirect_uri_matches(uri, uri) != (valid && !wildcard))
			fail_msg("row %zu \"%s\": matches itself? wanted %d", i, r->uri,
			         valid && !wildcard);
	}
}

static void find_returns_the_first_match(void **state)
{
	(void)state;
	const struct qoc_str reg[] = {
	    QOC_STR_LIT("https://example.com/cb"),
	    QOC_STR_LIT("https://example.com/cb?code=1"), /* invalid: skipped */
	    QOC_STR_LIT("https://*.example.com/cb"),
	    QOC_STR_LIT("https://a.example.com/cb"),
	    QOC_STR_LIT("http://127.0.0.1/cb"),
	    QOC_STR_LIT("com.example.app:/cb"),
	};
	size_t n = sizeof reg / sizeof reg[0];
	assert_int_equal(qoc_redirect_uri_find(reg, n, QOC_STR_LIT("https://example.com/cb")), 0);
	assert_int_equal(qoc_redirect_uri_find(reg, n, QOC_STR_LIT("https://a.example.com/cb")), 2);
	assert_int_equal(qoc_redirect_uri_find(reg, n, QOC_STR_LIT("https://b.example.com/cb")), 2);
	assert_int_equal(qoc_redirect_uri_find(reg, n, QOC_STR_LIT("http://127.0.0.1:5000/cb")), 4);
	assert_int_equal(qoc_redirect_uri_find(reg, n, QOC_STR_LIT("com.example.app:/cb")), 5);
	assert_int_equal(
	    qoc_redirect_uri_find(reg, n, QOC_STR_LIT("https://example.com/cb?code=1")), -1);
	assert_int_equal(qoc_redirect_uri_find(reg, n, QOC_STR_LIT("https://example.com/cb/")), -1);
	assert_int_equal(qoc_redirect_uri_find(reg, n, QOC_STR_LIT("https://a.b.example.com/cb")),
	                 -1);
	assert_int_equal(qoc_redirect_uri_find(NULL, 0, QOC_STR_LIT("https://example.com/cb")), -1);
	assert_int_equal(qoc_redirect_uri_find(reg, 1, QOC_STR_NULL), -1);
}

/* ---- CORS origins -------------------------------------------------------------------- */

/* clang-format off */
static const struct vrow origin_rows[] = {
	/* SECURITY.md Browser: exact registered origins; RFC 6454 §6.2 serialisation */
	OK("https://yourapp.com", 0),
	OK("https://app.yourapp.com", 0),
	OK("https://app.yourapp.com:8443", 0),
	OK("http://localhost:3000", 0),
	OK("http://localhost", 0),
	OK("http://127.0.0.1:5173", 0),
	OK("http://[::1]:8080", 0),
	OK("https://[2001:db8::1]", 0),
	OK("https://localhost:3000", 0),
	/* exactly scheme://host[:port] */
	NO("https://yourapp.com/", 0, WHY_ORIGIN),
	NO("https://yourapp.com/app", 0, WHY_ORIGIN),
	NO("https://yourapp.com?x=1", 0, WHY_ORIGIN),
	NO("https://yourapp.com#x", 0, WHY_FRAGMENT),
	NO("https://user@yourapp.com", 0, WHY_USERINFO),
	NO("https://yourapp.com\\", 0, WHY_BACKSLASH),
	NO("https://your%61pp.com", 0, WHY_AUTH_PERCENT),
	NO("yourapp.com", 0, WHY_SCHEME),
	NO("//yourapp.com", 0, WHY_SCHEME),
	NO("null", 0, WHY_SCHEME),
	NO("", 0, WHY_EMPTY),
	/* no wildcard */
	NO("*", 0, WHY_ORIGIN_WILD),
	NO("https://*.yourapp.com", 0, WHY_ORIGIN_WILD),
	NO("https://*", 0, WHY_ORIGIN_WILD),
	/* https, or http on loopback */
	NO("http://yourapp.com", 0, WHY_HTTPS),
	NO("http://localhost.evil.com", 0, WHY_HTTPS),
	NO("com.example.app://x", 0, WHY_HTTPS),
	NO("javascript:alert(1)", 0, WHY_DANGER),
	NO("HTTPS://yourapp.com", 0, WHY_SCHEME_CASE),
	NO("https://YourApp.com", 0, WHY_HOST_CASE), /* browsers send the host in lower case */
	/* RFC 6454 §6.2: the default port is never serialised */
	NO("https://yourapp.com:443", 0, WHY_DEFAULT_PORT),
	NO("http://localhost:80", 0, WHY_DEFAULT_PORT),
	OK("http://localhost:443", 0),
	OK("https://yourapp.com:80", 0),
	NO("https://yourapp.com:0", 0, WHY_PORT),
	NO("https://yourapp.com:", 0, WHY_PORT),
	NO_N("https://your\0app.com", 0, WHY_CONTROL),
	NO("https://yourapp.com ", 0, WHY_CONTROL),
};
/* clang-format on */

static void origin_validate_follows_every_rule(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof origin_rows / sizeof origin_rows[0]; i++) {
		const struct vrow *r = &origin_rows[i];
		struct qoc_str o = {r->uri, r->len ? r->len : strlen(r->uri)};
		const char *reason = "sentinel";
		enum qoc_err err = qoc_origin_validate(o, &reason);
		if (!r->why && (err != QOC_OK || reason))
			fail_msg("origin row %zu \"%s\": refused, \"%s\"", i, r->uri,
			         reason ? reason : "(null)");
		if (r->why && (err != QOC_EINVAL || !reason || !strstr(reason, r->why)))
			fail_msg("origin row %zu \"%s\": reason \"%s\", wanted \"%s\"", i, r->uri,
			         reason ? reason : "(accepted)", r->why);
		/* A valid origin matches itself; an invalid one never does. */
		assert_int_equal(qoc_origin_matches(o, o), r->why == NULL);
	}
}

/* SECURITY.md Browser: "only for the exact origins an application registered" */
/* Attack: control characters raw or percent-encoded, any hex case (for the logout check). */
static void has_control_raw_or_encoded(void **state)
{
	(void)state;
	static const char *const yes[] = {"a%00", "%0a", "%0D",  "x%1f",  "x%1F",
	                                  "%7f",  "%7F", "a\tb", "a\x7f", "%0d%0a"};
	static const char *const no[] = {
	    "https://a.example/cb", "%20", "%7e", "%80", "%0", "%0g", "%", "%2F%41"};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (!qoc_redirect_uri_has_control(qoc_str_from(yes[i])))
			fail_msg("\"%s\": no control found", yes[i]);
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (qoc_redirect_uri_has_control(qoc_str_from(no[i])))
			fail_msg("\"%s\": a control found", no[i]);
	assert_true(qoc_redirect_uri_has_control((struct qoc_str){"a\0b", 3}));
}

/* Debian's list through libpsl, both sections, list wildcards and exceptions; names the
 * lookups of redirect_uri.c rely on. */
static void public_suffix_list_answers(void **state)
{
	(void)state;
	assert_int_equal(qoc_public_suffix_check(QOC_STR_LIT("co.uk")), QOC_PSL_PUBLIC);
	assert_int_equal(qoc_public_suffix_check(QOC_STR_LIT("github.io")), QOC_PSL_PUBLIC);
	assert_int_equal(qoc_public_suffix_check(QOC_STR_LIT("com")), QOC_PSL_PUBLIC);
	assert_int_equal(qoc_public_suffix_check(QOC_STR_LIT("foo.ck")), QOC_PSL_PUBLIC);
	assert_int_equal(qoc_public_suffix_check(QOC_STR_LIT("www.ck")), QOC_PSL_NOT_PUBLIC);
	assert_int_equal(qoc_public_suffix_check(QOC_STR_LIT("example.co.uk")), QOC_PSL_NOT_PUBLIC);
	assert_int_equal(qoc_public_suffix_check(QOC_STR_LIT("ada.github.io")), QOC_PSL_NOT_PUBLIC);
	assert_int_equal(qoc_public_suffix_check(QOC_STR_LIT("example.com")), QOC_PSL_NOT_PUBLIC);
	/* The list is loaded: the file can no longer be swapped. */
	assert_false(qoc_public_suffix_use_file("/dev/null"));
}

static void origin_matches_exactly(void **state)
{
	(void)state;
	struct qoc_str reg = QOC_STR_LIT("https://app.yourapp.com");
	assert_true(qoc_origin_matches(reg, QOC_STR_LIT("https://app.yourapp.com")));
	assert_false(qoc_origin_matches(reg, QOC_STR_LIT("https://APP.yourapp.com")));
	assert_false(qoc_origin_matches(reg, QOC_STR_LIT("https://app.yourapp.com/")));
	assert_false(qoc_origin_matches(reg, QOC_STR_LIT("https://app.yourapp.com:443")));
	assert_false(qoc_origin_matches(reg, QOC_STR_LIT("https://app.yourapp.com.evil.com")));
	assert_false(qoc_origin_matches(reg, QOC_STR_LIT("https://evil-app.yourapp.com")));
	assert_false(qoc_origin_matches(reg, QOC_STR_LIT("http://app.yourapp.com")));
	assert_false(qoc_origin_matches(reg, QOC_STR_LIT("https://app.yourapp.co")));
	assert_false(qoc_origin_matches(reg, QOC_STR_LIT("null")));
	assert_false(qoc_origin_matches(reg, QOC_STR_NULL));
	/* Loopback origins are exact too: no RFC 8252 port exception for CORS. */
	struct qoc_str local = QOC_STR_LIT("http://localhost:3000");
	assert_true(qoc_origin_matches(local, QOC_STR_LIT("http://localhost:3000")));
	assert_false(qoc_origin_matches(local, QOC_STR_LIT("http://localhost:3001")));
	assert_false(qoc_origin_matches(local, QOC_STR_LIT("http://localhost")));
	assert_false(qoc_origin_matches(QOC_STR_NULL, QOC_STR_NULL));
	assert_false(qoc_origin_matches(QOC_STR_LIT("*"), QOC_STR_LIT("*")));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(validate_follows_every_rule),
	    cmocka_unit_test(validate_limits_length),
	    cmocka_unit_test(validate_reason_contract),
	    cmocka_unit_test(matches_follows_every_rule),
	    cmocka_unit_test(matches_is_reflexive_for_valid_uris),
	    cmocka_unit_test(find_returns_the_first_match),
	    cmocka_unit_test(origin_validate_follows_every_rule),
	    cmocka_unit_test(origin_matches_exactly),
	    cmocka_unit_test(public_suffix_list_answers),
	    cmocka_unit_test(has_control_raw_or_encoded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
