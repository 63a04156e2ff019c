/* config.h - the one configuration table of QOC (after Redis's static_configs[]).
 *
 * Sources, later ones winning: built-in defaults, a `key = value` file (--config FILE),
 * then environment variables QOC_<KEY> (key upper-cased). Every value is parsed and
 * validated by qoc_config_load(); the first problem is reported in one line that names
 * the key and where it came from, and the caller exits with status 2. An unknown key in
 * the file and an unknown QOC_* environment variable are errors too, so a typo never
 * silently does nothing.
 *
 * Strings in struct qoc_config are owned by it (qoc_config_release frees them).
 */
#ifndef QOC_CORE_CONFIG_H
#define QOC_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct qoc_config {
	char *data_dir;            /* data_dir: SQLite file, master key, mail files */
	char *database;            /* database: sqlite:<path> or postgres://... */
	char *listen;              /* listen: host:port as given */
	char *listen_host;         /* derived: "127.0.0.1", "::1", ... */
	unsigned listen_port;      /* derived */
	char *issuer;              /* issuer: URL without trailing slash */
	char *smtp_url;            /* smtp_url: NULL when unset */
	char *mail_from;           /* mail_from: sender address; NULL: qoc@<issuer host> */
	char *geoip;               /* geoip: MMDB path or Debian tor-geoipdb file */
	char *log_level;           /* log_level: debug|info|warn|error */
	char *log_format;          /* log_format: logfmt|json */
	bool access_log;           /* access_log */
	unsigned threads;          /* threads: HTTP worker threads */
	char *sqlite_synchronous;  /* sqlite_synchronous: full|normal */
	unsigned db_pool_size;     /* db_pool_size */
	unsigned db_busy_timeout_ms; /* db_busy_timeout_ms */
	uint64_t max_body_bytes;   /* max_body_bytes */
	uint64_t max_header_bytes; /* max_header_bytes */
	uint64_t max_uri_bytes;    /* max_uri_bytes */
	unsigned max_form_fields;  /* max_form_fields */
	unsigned json_max_depth;   /* json_max_depth */
	unsigned connection_timeout; /* connection_timeout: seconds a slow client may idle */
	unsigned request_head_timeout; /* request_head_timeout: seconds for a whole request head */
	unsigned max_connections_per_address; /* max_connections_per_address */
	unsigned max_connections_per_proxy;   /* max_connections_per_proxy: 0 = overall limit */
	unsigned shutdown_timeout; /* shutdown_timeout: seconds in-flight requests get at stop */
	char *signing_alg;         /* signing_alg: RS256|PS256|ES256|EdDSA rotated by keys rotate */
	char *access_token_alg;    /* access_token_alg: alg of JWT access tokens (ES256) */
	unsigned key_retention;    /* key_retention: seconds a retired key stays published */
	unsigned password_concurrency; /* password_concurrency: parallel argon2id hashes */
	unsigned wait_threads;     /* wait_threads: requests waiting on a commit at once */
	bool signup;               /* signup: self sign-up on the QOC Login pages */
	bool analytics;            /* analytics: capture protocol requests (on|off) */
	char *trusted_proxies;     /* trusted_proxies: CIDRs whose X-Forwarded-For is believed */
	unsigned analytics_retention_days; /* analytics_retention_days: raw events kept */
	unsigned analytics_queue_size;     /* analytics_queue_size: events waiting for the writer */
	unsigned analytics_flush_ms;       /* analytics_flush_ms: longest wait before a write */
	unsigned purge_interval;           /* purge_interval: seconds between purge rounds */
	unsigned pending_per_browser;      /* pending_per_browser: pending authorizations kept */
	unsigned pending_per_address;      /* pending_per_address: the same per client address */
	char *metrics_listen;  /* metrics_listen: host:port of the metrics listener; NULL: none */
	char *metrics_host;    /* derived: its host */
	unsigned metrics_port; /* derived: its port */
	char *tls_cert;            /* tls_cert: PEM certificate chain; NULL: plain HTTP */
	char *tls_key;             /* tls_key: PEM private key of tls_cert; NULL with it */
};

/* Fills cfg with defaults, then reads `file` (NULL: none) and `envp` (NULL: environ).
 * On error returns QOC_EINVAL (or QOC_EIO for an unreadable file) and writes one line
 * naming the key into err_msg. cfg must be released in every case. */
enum qoc_err qoc_config_load(struct qoc_config *cfg, const char *file, char *const *envp,
			     char *err_msg, size_t err_size);
void qoc_config_release(struct qoc_config *cfg);

/* The table, for documentation checks and `qoc help`: name of key i (lower case), or
 * NULL past the end; its one-line meaning. */
const char *qoc_config_key_name(size_t i);
const char *qoc_config_key_help(size_t i);

/* True when the issuer's host is a loopback name or address. */
bool qoc_config_issuer_is_loopback(const struct qoc_config *cfg);

#endif
