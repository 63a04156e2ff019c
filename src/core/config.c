#include "core/config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/cidr.h"

extern char **environ;

enum ctype { C_STRING, C_UINT, C_U64, C_BOOL, C_ENUM };

/* A validator sees the parsed config after every source has been read. Returns NULL or
 * a reason (static text). */
typedef const char *config_check_fn(struct qoc_config *cfg);

struct cdef {
	const char *name;
	enum ctype type;
	size_t offset;
	const char *def;     /* default as text; NULL: unset (strings only) */
	uint64_t min, max;   /* numeric bounds */
	const char *choices; /* C_ENUM: "a|b|c" */
	const char *help;
};

#define OFF(f) offsetof(struct qoc_config, f)

/* Every key, once. qoc.conf.example and docs/configuration.md document each of them (a
 * unit test checks). */
static const struct cdef defs[] = {
	{ "data_dir", C_STRING, OFF(data_dir), "./data", 0, 0, NULL,
	  "directory for the SQLite file, the master key (0600) and mail files" },
	{ "database", C_STRING, OFF(database), NULL, 0, 0, NULL,
	  "sqlite:<path> (default sqlite:<data_dir>/qoc.db), postgres://user:pass@host/db or a libpq key=value string" },
	{ "listen", C_STRING, OFF(listen), "127.0.0.1:8080", 0, 0, NULL,
	  "address and port to serve on, host:port ([v6]:port for IPv6)" },
	{ "issuer", C_STRING, OFF(issuer), NULL, 0, 0, NULL,
	  "issuer URL (default http://localhost:<port>); https unless the host is loopback" },
	{ "smtp_url", C_STRING, OFF(smtp_url), NULL, 0, 0, NULL,
	  "smtp://host:port for outgoing mail; unset writes mail to <data_dir>/mail/*.eml" },
	{ "mail_from", C_STRING, OFF(mail_from), NULL, 0, 0, NULL,
	  "sender address of outgoing mail; unset: qoc@<issuer host>" },
	{ "geoip", C_STRING, OFF(geoip), "/usr/share/tor/geoip", 0, 0, NULL,
	  "MMDB country database, or Debian tor-geoipdb's IPv4 ranges file (the default)" },
	{ "log_level", C_ENUM, OFF(log_level), "info", 0, 0, "debug|info|warn|error",
	  "least severe log level written to stderr" },
	{ "log_format", C_ENUM, OFF(log_format), "logfmt", 0, 0, "logfmt|json",
	  "log lines as logfmt or as one JSON object a line" },
	{ "access_log", C_BOOL, OFF(access_log), "true", 0, 0, NULL,
	  "one log line per HTTP request (never a query string, token or secret)" },
	{ "threads", C_UINT, OFF(threads), "0", 0, 256, NULL,
	  "HTTP worker threads; 0 picks two per core" },
	{ "wait_threads", C_UINT, OFF(wait_threads), "32", 1, 256, NULL,
	  "threads that hold requests waiting on a database commit (they share one fsync)" },
	{ "sqlite_synchronous", C_ENUM, OFF(sqlite_synchronous), "full", 0, 0, "full|normal",
	  "SQLite durability: full (an answered write is on disk) or normal (WAL, faster)" },
	{ "db_pool_size", C_UINT, OFF(db_pool_size), "0", 0, 256, NULL,
	  "database connections; 0 picks threads + 2" },
	{ "db_busy_timeout_ms", C_UINT, OFF(db_busy_timeout_ms), "5000", 1, 600000, NULL,
	  "how long a request waits for a database lock or connection, in milliseconds" },
	{ "max_body_bytes", C_U64, OFF(max_body_bytes), "1048576", 1024, 64u << 20, NULL,
	  "largest request body accepted (413 beyond)" },
	{ "max_header_bytes", C_U64, OFF(max_header_bytes), "16384", 1024, 1u << 20, NULL,
	  "largest total size of request headers (431 beyond)" },
	{ "max_uri_bytes", C_U64, OFF(max_uri_bytes), "8192", 256, 1u << 20, NULL,
	  "longest request target, path plus query (414 beyond)" },
	{ "max_form_fields", C_UINT, OFF(max_form_fields), "64", 1, 10000, NULL,
	  "most fields in a query string or form body (400 beyond)" },
	{ "json_max_depth", C_UINT, OFF(json_max_depth), "32", 2, 1000, NULL,
	  "deepest nesting accepted in a JSON request body" },
	{ "connection_timeout", C_UINT, OFF(connection_timeout), "30", 1, 3600, NULL,
	  "seconds an idle or slow client connection is kept" },
	{ "request_head_timeout", C_UINT, OFF(request_head_timeout), "10", 1, 3600, NULL,
	  "seconds a request head (request line and header fields) may take in all, however slowly its bytes arrive" },
	{ "max_connections_per_address", C_UINT, OFF(max_connections_per_address), "64", 1, 65535,
	  NULL, "connections one client address (IPv6: one /64) may hold at once; more are closed at accept" },
	{ "max_connections_per_proxy", C_UINT, OFF(max_connections_per_proxy), "0", 0, 65535, NULL,
	  "connections one trusted_proxies address may hold at once; 0: only the overall limit (1024)" },
	{ "shutdown_timeout", C_UINT, OFF(shutdown_timeout), "10", 0, 600, NULL,
	  "seconds in-flight requests get to finish on SIGTERM/SIGINT" },
	{ "signing_alg", C_ENUM, OFF(signing_alg), "RS256", 0, 0, "RS256|PS256|ES256|EdDSA",
	  "algorithm whose key `qoc keys rotate` replaces (every algorithm has an active key)" },
	{ "access_token_alg", C_ENUM, OFF(access_token_alg), "ES256", 0, 0,
	  "RS256|PS256|ES256|EdDSA", "algorithm of RFC 9068 JWT access tokens" },
	{ "key_retention", C_UINT, OFF(key_retention), "86400", 60, 31536000, NULL,
	  "seconds a retired signing key stays in the JWKS (>= the longest token lifetime)" },
	{ "password_concurrency", C_UINT, OFF(password_concurrency), "0", 0, 64, NULL,
	  "password hashes (argon2id, 19 MiB each) run at once; 0 picks one per core" },
	{ "signup", C_BOOL, OFF(signup), "true", 0, 0, NULL,
	  "whether QOC Login offers self sign-up" },
	{ "analytics", C_BOOL, OFF(analytics), "true", 0, 0, NULL,
	  "record usage analytics of every protocol request (off: nothing is captured)" },
	{ "trusted_proxies", C_STRING, OFF(trusted_proxies), "", 0, 0, NULL,
	  "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed" },
	{ "analytics_retention_days", C_UINT, OFF(analytics_retention_days), "30", 1, 3650, NULL,
	  "days raw analytics events are kept (hourly rollups: 13 months)" },
	{ "analytics_queue_size", C_UINT, OFF(analytics_queue_size), "16384", 16, 4194304, NULL,
	  "analytics events waiting for the writer; beyond it events are dropped and counted" },
	{ "analytics_flush_ms", C_UINT, OFF(analytics_flush_ms), "1000", 10, 60000, NULL,
	  "longest time, in milliseconds, a captured event waits before it is written" },
	{ "purge_interval", C_UINT, OFF(purge_interval), "60", 1, 86400, NULL,
	  "seconds between two rounds of the purge of expired codes, tokens, requests and sessions" },
	{ "pending_per_browser", C_UINT, OFF(pending_per_browser), "16", 1, 1000, NULL,
	  "pending authorization requests kept per browser (the oldest beyond is dropped)" },
	{ "pending_per_address", C_UINT, OFF(pending_per_address), "256", 1, 1000000, NULL,
	  "pending authorization requests kept per client address (the oldest beyond is dropped)" },
	{ "metrics_listen", C_STRING, OFF(metrics_listen), "", 0, 0, NULL,
	  "host:port of a second listener serving only GET /metrics (Prometheus); empty: none. Keep it on loopback" },
	{ "tls_cert", C_STRING, OFF(tls_cert), NULL, 0, 0, NULL,
	  "PEM certificate chain (server first): listen serves HTTPS; reloaded on SIGHUP" },
	{ "tls_key", C_STRING, OFF(tls_key), NULL, 0, 0, NULL,
	  "PEM private key of tls_cert (set both or neither); reloaded on SIGHUP" },
};

#define NDEFS (sizeof(defs) / sizeof(defs[0]))

const char *qoc_config_key_name(size_t i)
{
	return i < NDEFS ? defs[i].name : NULL;
}

const char *qoc_config_key_help(size_t i)
{
	return i < NDEFS ? defs[i].help : NULL;
}

static void errf(char *err, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void errf(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
}

static const struct cdef *find_def(const char *name, size_t len)
{
	for (size_t i = 0; i < NDEFS; i++)
		if (strlen(defs[i].name) == len && strncasecmp(defs[i].name, name, len) == 0)
			return &defs[i];
	return NULL;
}

static bool parse_u64(const char *s, uint64_t *out)
{
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

static bool enum_has(const char *choices, const char *v)
{
	size_t n = strlen(v);
	for (const char *p = choices; *p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == n && strncmp(p, v, n) == 0)
			return true;
		p += len + (bar ? 1 : 0);
	}
	return false;
}

/* Stores one value. Returns NULL or a reason. */
static const char *set_value(struct qoc_config *cfg, const struct cdef *d, const char *v)
{
	char *base = (char *)cfg;
	switch (d->type) {
	case C_STRING:
	case C_ENUM: {
		if (d->type == C_ENUM && !enum_has(d->choices, v))
			return d->choices; /* the caller says "must be one of" */
		char **slot = (char **)(void *)(base + d->offset);
		char *copy = strdup(v);
		if (!copy)
			return "out of memory";
		free(*slot);
		*slot = copy;
		return NULL;
	}
	case C_BOOL: {
		bool *slot = (bool *)(void *)(base + d->offset);
		if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on") || !strcmp(v, "1"))
			*slot = true;
		else if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off") || !strcmp(v, "0"))
			*slot = false;
		else
			return "must be true or false";
		return NULL;
	}
	case C_UINT:
	case C_U64: {
		uint64_t n;
		if (!parse_u64(v, &n))
			return "must be a whole number";
		if (n < d->min || n > d->max)
			return "is out of range";
		if (d->type == C_UINT)
			*(unsigned *)(void *)(base + d->offset) = (unsigned)n;
		else
			*(uint64_t *)(void *)(base + d->offset) = n;
		return NULL;
	}
	}
	return "unknown type";
}

static enum qoc_err apply(struct qoc_config *cfg, const struct cdef *d, const char *v,
			  const char *where, char *err, size_t size)
{
	const char *why = set_value(cfg, d, v);
	if (!why)
		return QOC_OK;
	if (d->type == C_ENUM && why == d->choices)
		errf(err, size, "config: %s (%s): \"%s\" must be one of %s", d->name, where, v,
		     d->choices);
	else if (d->type == C_UINT || d->type == C_U64)
		errf(err, size, "config: %s (%s): \"%s\" %s (%llu..%llu)", d->name, where, v, why,
		     (unsigned long long)d->min, (unsigned long long)d->max);
	else
		errf(err, size, "config: %s (%s): \"%s\" %s", d->name, where, v, why);
	return QOC_EINVAL;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}

static enum qoc_err read_file(struct qoc_config *cfg, const char *path, char *err, size_t size)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		errf(err, size, "config: cannot read %s: %s", path, strerror(errno));
		return QOC_EIO;
	}
	enum qoc_err rc = QOC_OK;
	char line[4096];
	unsigned lineno = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		char where[512];
		snprintf(where, sizeof(where), "%s:%u", path, lineno);
		if (!strchr(line, '\n') && !feof(f)) {
			errf(err, size, "config: %s: line too long", where);
			rc = QOC_EINVAL;
			break;
		}
		char *s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			errf(err, size, "config: %s: expected `key = value`", where);
			rc = QOC_EINVAL;
			break;
		}
		*eq = '\0';
		char *key = trim(s), *val = trim(eq + 1);
		size_t vlen = strlen(val);
		if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"') {
			val[vlen - 1] = '\0';
			val++;
		}
		const struct cdef *d = find_def(key, strlen(key));
		if (!d) {
			errf(err, size, "config: %s: unknown key \"%s\"", where, key);
			rc = QOC_EINVAL;
			break;
		}
		if ((rc = apply(cfg, d, val, where, err, size)))
			break;
	}
	fclose(f);
	return rc;
}

static enum qoc_err read_env(struct qoc_config *cfg, char *const *envp, char *err, size_t size)
{
	for (char *const *e = envp; *e; e++) {
		if (strncmp(*e, "QOC_", 4) != 0)
			continue;
		const char *name = *e + 4;
		const char *eq = strchr(name, '=');
		if (!eq)
			continue;
		size_t len = (size_t)(eq - name);
		if (len == 6 && strncmp(name, "CONFIG", 6) == 0)
			continue; /* names the file, not a key */
		const struct cdef *d = find_def(name, len);
		if (!d) {
			errf(err, size, "config: unknown environment variable QOC_%.*s", (int)len, name);
			return QOC_EINVAL;
		}
		char where[80];
		snprintf(where, sizeof(where), "environment QOC_%.*s", (int)len, name);
		enum qoc_err rc = apply(cfg, d, eq + 1, where, err, size);
		if (rc)
			return rc;
	}
	return QOC_OK;
}

/* Splits "host:port" / "[v6]:port" of a listen key into *host_out and *port_out. */
static const char *parse_listen(const char *s, char **host_out, unsigned *port_out)
{
	const char *host = s, *colon;
	size_t hlen;
	if (*s == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':')
			return "must be host:port or [ipv6]:port";
		host = s + 1;
		hlen = (size_t)(close - host);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || strchr(s, ':') != colon)
			return "must be host:port or [ipv6]:port";
		hlen = (size_t)(colon - s);
	}
	uint64_t port;
	if (hlen == 0 || !parse_u64(colon + 1, &port) || port < 1 || port > 65535)
		return "needs a host and a port from 1 to 65535";
	free(*host_out);
	*host_out = strndup(host, hlen);
	if (!*host_out)
		return "out of memory";
	*port_out = (unsigned)port;
	return NULL;
}

static bool host_is_loopback(const char *host, size_t len)
{
	static const char *const names[] = { "localhost", "127.0.0.1", "[::1]", "::1" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == len && strncasecmp(names[i], host, len) == 0)
			return true;
	return false;
}

/* Host part of an http(s) URL: pointer and length. */
static bool url_host(const char *url, const char **host, size_t *len)
{
	const char *p = strstr(url, "://");
	if (!p)
		return false;
	p += 3;
	size_t n = strcspn(p, "/?#");
	const char *end = p + n;
	const char *colon = NULL;
	if (*p == '[') {
		const char *close = memchr(p, ']', n);
		if (!close)
			return false;
		*host = p;
		*len = (size_t)(close - p) + 1;
		return true;
	}
	colon = memchr(p, ':', n);
	*host = p;
	*len = (size_t)((colon ? colon : end) - p);
	return *len > 0;
}

bool qoc_config_issuer_is_loopback(const struct qoc_config *cfg)
{
	const char *h;
	size_t n;
	return cfg->issuer && url_host(cfg->issuer, &h, &n) && host_is_loopback(h, n);
}

/* One bare address: printable ASCII without spaces or the characters that would make it
 * a list or a display name, exactly one '@' between non-empty parts. Lives here (not in
 * mail/) because core does not depend on mail; mail/ checks recipients the same way. */
static bool mail_from_ok(const char *s)
{
	size_t n = strlen(s), at = 0, ats = 0;
	if (n == 0 || n > 254)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch <= 0x20 || ch >= 0x7f || strchr("<>()[],;:\\\"", ch))
			return false;
		if (ch == '@') {
			at = i;
			ats++;
		}
	}
	return ats == 1 && at > 0 && at + 1 < n;
}

static const char *check_issuer(struct qoc_config *cfg)
{
	const char *u = cfg->issuer;
	bool https = strncmp(u, "https://", 8) == 0, http = strncmp(u, "http://", 7) == 0;
	const char *h;
	size_t n;
	if ((!https && !http) || !url_host(u, &h, &n))
		return "must be an absolute http(s) URL";
	if (strpbrk(u, "?#@ \t\\") != NULL)
		return "must not carry a query, fragment, user info or spaces";
	if (http && !host_is_loopback(h, n))
		return "must use https unless its host is localhost, 127.0.0.1 or [::1]";
	size_t len = strlen(u);
	if (u[len - 1] == '/')
		return "must not end with a slash";
	return NULL;
}

/* sqlite:<path>, postgres:// or postgresql:// URLs, or a libpq "host=... dbname=..."
 * string (its first word a keyword followed by '='). */
static bool database_ok(const char *s)
{
	if (strncmp(s, "sqlite:", 7) == 0 || strncmp(s, "postgres://", 11) == 0 ||
	    strncmp(s, "postgresql://", 13) == 0)
		return true;
	while (*s == ' ' || *s == '\t')
		s++;
	const char *w = s;
	while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_')
		s++;
	if (s == w)
		return false;
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == '=';
}

/* Empty: no metrics listener. Else host:port like listen, on another port than it. */
static const char *check_metrics_listen(struct qoc_config *cfg)
{
	if (!cfg->metrics_listen)
		return NULL;
	const char *why = parse_listen(cfg->metrics_listen, &cfg->metrics_host, &cfg->metrics_port);
	if (!why && cfg->metrics_port == cfg->listen_port)
		why = "must use another port than listen";
	return why;
}

/* Defaults that depend on other keys, then checks across keys. */
static enum qoc_err finish(struct qoc_config *cfg, char *err, size_t size)
{
	const char *why;
	if ((why = parse_listen(cfg->listen, &cfg->listen_host, &cfg->listen_port))) {
		errf(err, size, "config: listen: \"%s\" %s", cfg->listen, why);
		return QOC_EINVAL;
	}
	if ((why = check_metrics_listen(cfg))) {
		errf(err, size, "config: metrics_listen: \"%s\" %s", cfg->metrics_listen, why);
		return QOC_EINVAL;
	}
	if (!cfg->database) {
		struct qoc_buf b;
		qoc_buf_init(&b, PATH_MAX + 16);
		if (qoc_buf_printf(&b, "sqlite:%s/qoc.db", cfg->data_dir)) {
			qoc_buf_release(&b);
			errf(err, size, "config: data_dir: path too long");
			return QOC_EINVAL;
		}
		cfg->database = b.data;
	}
	/* HTTPS here: the files are read (and checked) by qoc serve, not by every command. */
	if (!cfg->tls_cert != !cfg->tls_key) {
		errf(err, size, "config: %s: must be set together with %s (both or neither)",
		     cfg->tls_cert ? "tls_key" : "tls_cert", cfg->tls_cert ? "tls_cert" : "tls_key");
		return QOC_EINVAL;
	}
	if (!cfg->issuer) {
		char tmp[64];
		snprintf(tmp, sizeof(tmp), "%s://localhost:%u", cfg->tls_cert ? "https" : "http",
		         cfg->listen_port);
		cfg->issuer = strdup(tmp);
		if (!cfg->issuer)
			return QOC_ENOMEM;
	}
	if ((why = check_issuer(cfg))) {
		errf(err, size, "config: issuer: \"%s\" %s", cfg->issuer, why);
		return QOC_EINVAL;
	}
	if (cfg->data_dir[0] == '\0') {
		errf(err, size, "config: data_dir: must not be empty");
		return QOC_EINVAL;
	}
	if (!database_ok(cfg->database)) {
		errf(err, size, "config: database: must be sqlite:<path>, postgres://... or a libpq "
		                "key=value string");
		return QOC_EINVAL;
	}
	if (cfg->smtp_url && strncmp(cfg->smtp_url, "smtp://", 7) && strncmp(cfg->smtp_url, "smtps://", 8)) {
		errf(err, size, "config: smtp_url: must start with smtp:// or smtps://");
		return QOC_EINVAL;
	}
	if (cfg->mail_from && !mail_from_ok(cfg->mail_from)) {
		errf(err, size, "config: mail_from: must be one address (local@domain, printable ASCII)");
		return QOC_EINVAL;
	}
	struct qoc_cidr_list proxies;
	enum qoc_err perr = qoc_cidr_list_parse(cfg->trusted_proxies, &proxies);
	if (perr) {
		errf(err, size, "config: trusted_proxies: \"%s\" %s", cfg->trusted_proxies,
		     perr == QOC_ELIMIT ? "holds too many ranges (64 at most)"
		                        : "must be a comma-separated list of CIDRs (10.0.0.0/8, ::1)");
		return QOC_EINVAL;
	}
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	if (cores < 1)
		cores = 1;
	if (cfg->threads == 0)
		cfg->threads = (unsigned)(cores * 2);
	if (cfg->db_pool_size == 0)
		cfg->db_pool_size = cfg->threads + 2;
	if (cfg->password_concurrency == 0)
		cfg->password_concurrency = (unsigned)cores;
	return QOC_OK;
}

static void unset_if_empty(char **slot)
{
	if (*slot && !(*slot)[0]) {
		free(*slot);
		*slot = NULL;
	}
}

enum qoc_err qoc_config_load(struct qoc_config *cfg, const char *file, char *const *envp,
			     char *err, size_t size)
{
	memset(cfg, 0, sizeof(*cfg));
	if (size)
		err[0] = '\0';
	for (size_t i = 0; i < NDEFS; i++) {
		if (!defs[i].def)
			continue;
		enum qoc_err rc = apply(cfg, &defs[i], defs[i].def, "default", err, size);
		if (rc)
			return rc;
	}
	enum qoc_err rc;
	if (file && (rc = read_file(cfg, file, err, size)))
		return rc;
	if ((rc = read_env(cfg, envp ? envp : environ, err, size)))
		return rc;
	/* Empty strings in optional keys mean unset. */
	if (cfg->smtp_url && !cfg->smtp_url[0]) {
		free(cfg->smtp_url);
		cfg->smtp_url = NULL;
	}
	if (cfg->mail_from && !cfg->mail_from[0]) {
		free(cfg->mail_from);
		cfg->mail_from = NULL;
	}
	if (cfg->issuer && !cfg->issuer[0]) {
		free(cfg->issuer);
		cfg->issuer = NULL;
	}
	if (cfg->database && !cfg->database[0]) {
		free(cfg->database);
		cfg->database = NULL;
	}
	if (cfg->metrics_listen && !cfg->metrics_listen[0]) {
		free(cfg->metrics_listen);
		cfg->metrics_listen = NULL;
	}
	unset_if_empty(&cfg->tls_cert);
	unset_if_empty(&cfg->tls_key);
	return finish(cfg, err, size);
}

void qoc_config_release(struct qoc_config *cfg)
{
	for (size_t i = 0; i < NDEFS; i++) {
		if (defs[i].type != C_STRING && defs[i].type != C_ENUM)
			continue;
		char **slot = (char **)(void *)((char *)cfg + defs[i].offset);
		free(*slot);
		*slot = NULL;
	}
	free(cfg->listen_host);
	cfg->listen_host = NULL;
	free(cfg->metrics_host);
	cfg->metrics_host = NULL;
}
