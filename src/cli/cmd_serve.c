#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "analytics/export.h"
#include "analytics/setup.h"
#include "api/api.h"
#include "cli/commands.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/logbuf.h"
#include "http/router.h"
#include "http/server.h"
#include "http/tls.h"
#include "mail/sender.h"
#include "oidc/keyring.h"
#include "store/purge.h"

/* glibc gives each thread that allocates an arena of its own, up to 8 per core; with the
 * connection, wait and offload threads (~40) each arena keeps its own high-water mark of
 * freed memory. Two arenas measured 3 MiB less peak RSS during password sign-ins (issue 3:
 * RSS < 64 MiB with two argon2id hashes of 19 MiB in flight) and no throughput change
 * (bench/protocol.sh). Set before any thread starts. MALLOC_ARENA_MAX in the environment
 * still wins, for anyone measuring otherwise. */
static void limit_malloc_arenas(void)
{
	if (!getenv("MALLOC_ARENA_MAX"))
		mallopt(M_ARENA_MAX, 2);
}

/* Each connection is a descriptor; the store, logs and pools need some more. Many systems
 * start processes with a soft limit of 1024, below the 1024 connections the server takes:
 * raise the soft limit towards the hard one (never lowered, never above the hard limit). */
static void raise_fd_limit(void)
{
	const rlim_t want = 4096;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		qoc_log_warn("cannot raise the open-file limit", "error=\"%s\"", strerror(errno));
}

/* SIGTERM, SIGINT and SIGHUP are blocked in every thread (the server's threads inherit the
 * mask) and taken synchronously here, so no handler runs at an arbitrary point. SIGHUP
 * (systemctl reload, contrib/qoc.service) is returned too: the caller reloads the TLS
 * certificate and waits again, so a reload never stops the server. */
static int wait_for_stop_signal(const sigset_t *set)
{
	for (;;) {
		int sig = 0;
		if (sigwait(set, &sig) == 0)
			return sig;
	}
}

/* tls_cert / tls_key: the files are read and checked before anything serves. */
static int load_tls(const struct qoc_config *c, struct qoc_tls **tls)
{
	*tls = NULL;
	if (!c->tls_cert)
		return QOC_EXIT_OK;
	if (!qoc_tls_supported()) {
		fprintf(stderr, "qoc: tls_cert: this libmicrohttpd was built without TLS (GnuTLS) "
		                "support; serve plain HTTP behind a TLS proxy instead\n");
		return QOC_EXIT_USAGE;
	}
	char msg[1024];
	enum qoc_err err = qoc_tls_new(c->tls_cert, c->tls_key, tls, msg, sizeof(msg));
	if (err) {
		fprintf(stderr, "qoc: config: %s\n", msg);
		return err == QOC_ENOMEM ? QOC_EXIT_FAIL : QOC_EXIT_USAGE;
	}
	return QOC_EXIT_OK;
}

/* SIGHUP (systemctl reload): the certificate files are read again; on any error the
 * current certificate stays (qoc_tls_reload logs why, naming the key). */
static void reload(struct qoc_tls *tls)
{
	char msg[1024];
	qoc_log_info("reload requested", "signal=SIGHUP reloaded=%s", tls ? "tls" : "none");
	if (tls)
		(void)qoc_tls_reload(tls, msg, sizeof(msg));
}

static int start_server(struct qoc_cli_ctx *ctx, struct qoc_router *router,
			struct qoc_tls *tls, struct qoc_http_server **srv)
{
	const struct qoc_config *c = &ctx->cfg;
	struct qoc_http_options opts = {
		.address = c->listen_host,
		.port = (uint16_t)c->listen_port,
		.threads = c->threads,
		.offload_threads = c->password_concurrency,
		.wait_threads = c->wait_threads,
		.connection_timeout_s = c->connection_timeout,
		.max_header_bytes = c->max_header_bytes,
		.max_uri_bytes = c->max_uri_bytes,
		.max_body_bytes = c->max_body_bytes,
		.max_form_fields = c->max_form_fields,
		.access_log = c->access_log,
		.max_connections_per_address = c->max_connections_per_address,
		.max_connections_per_proxy = c->max_connections_per_proxy,
		.request_head_timeout_s = c->request_head_timeout,
		.trusted_proxies = c->trusted_proxies,
		.tls = tls,
	};
	errno = 0;
	enum qoc_err err = qoc_http_server_start(&opts, router, srv);
	if (err == QOC_EIO && errno == EADDRINUSE) {
		fprintf(stderr, "qoc: listen: %s is already in use\n", c->listen);
		return QOC_EXIT_USAGE;
	}
	if (err) {
		fprintf(stderr, "qoc: listen: cannot serve on %s: %s\n", c->listen,
			errno ? strerror(errno) : qoc_strerror(err));
		return QOC_EXIT_USAGE;
	}
	return QOC_EXIT_OK;
}

/* The metrics listener (metrics_listen; docs/decisions/metrics.md): a server of its own
 * with one route, GET /metrics, two threads and none of the qoc_http_* counting, so
 * scrapes neither show in the traffic they measure nor compete with it for threads. */
static int start_metrics(struct qoc_cli_ctx *ctx, struct qoc_api *api, struct qoc_router **router,
                         struct qoc_http_server **srv)
{
	const struct qoc_config *c = &ctx->cfg;
	struct qoc_http_options opts = {
	    .address = c->metrics_host,
	    .port = (uint16_t)c->metrics_port,
	    .threads = 2,
	    .offload_threads = 1,
	    .wait_threads = 1,
	    .max_connections = 64,
	    .access_log = false,
	    .no_metrics = true,
	};
	if (!(*router = qoc_router_new()) || qoc_api_register_metrics(*router, api)) {
		fprintf(stderr, "qoc: out of memory\n");
		return QOC_EXIT_FAIL;
	}
	errno = 0;
	enum qoc_err err = qoc_http_server_start(&opts, *router, srv);
	if (err) {
		fprintf(stderr, "qoc: metrics_listen: cannot serve on %s: %s\n", c->metrics_listen,
		        errno ? strerror(errno) : qoc_strerror(err));
		return QOC_EXIT_USAGE;
	}
	qoc_log_info("serving metrics", "metrics_listen=%s path=/metrics", c->metrics_listen);
	return QOC_EXIT_OK;
}

/* The hint to create the first administrator shows only while there is none. */
static void print_welcome(struct qoc_cli_ctx *ctx)
{
	const struct qoc_config *c = &ctx->cfg;
	bool have_admin = false;
	enum qoc_err err = qoc_store_account_admin_exists(ctx->store, &have_admin);
	printf("QOC is serving on %s://%s%s%s:%u (issuer %s)\n"
	       "  Console: %s/console/ (sign in with an account made by qoc user add)\n"
	       "  Signing keys: %s/.well-known/jwks.json\n",
	       c->tls_cert ? "https" : "http", strchr(c->listen_host, ':') ? "[" : "", c->listen_host,
	       strchr(c->listen_host, ':') ? "]" : "", c->listen_port, c->issuer, c->issuer,
	       c->issuer);
	if (!err && !have_admin) {
		bool default_dir = strcmp(c->data_dir, "./data") == 0;
		printf("Create the first administrator in another terminal (it asks for the "
		       "password):\n  %s%s%sbuild/qoc user add --admin --email you@example.com "
		       "--name \"Your Name\"\n",
		       default_dir ? "" : "QOC_DATA_DIR=", default_dir ? "" : c->data_dir,
		       default_dir ? "" : " ");
	}
	fflush(stdout);
}

int qoc_cmd_serve(struct qoc_cli_ctx *ctx, int argc, char **argv)
{
	(void)argv;
	if (argc > 0) {
		fprintf(stderr, "qoc: serve takes no arguments besides --config\n");
		return QOC_EXIT_USAGE;
	}
	limit_malloc_arenas();
	raise_fd_limit();
	sigset_t stop_set;
	sigemptyset(&stop_set);
	sigaddset(&stop_set, SIGTERM);
	sigaddset(&stop_set, SIGINT);
	sigaddset(&stop_set, SIGHUP); /* reload (the TLS certificate), never a stop */
	pthread_sigmask(SIG_BLOCK, &stop_set, NULL);
	signal(SIGPIPE, SIG_IGN);

	unsigned applied = 0;
	/* Shared: qoc restore (exclusive) must not replace the store under a running server. */
	int rc = qoc_cli_ctx_lock(ctx, false);
	if (rc || (rc = qoc_cli_ctx_open(ctx, &applied)))
		return rc;
	if (applied)
		qoc_log_info("store migrated", "store=%s applied=%u", ctx->store->ops->name, applied);

	struct qoc_keyring_params kp = {
		.store = ctx->store,
		.clock = &qoc_clock_system,
		.master_key = ctx->master_key,
		.alg = ctx->cfg.signing_alg,
		.retention = ctx->cfg.key_retention,
	};
	bool created = false;
	enum qoc_err err = qoc_keyring_ensure(&kp, &created);
	if (err) {
		fprintf(stderr, "qoc: cannot make the first signing key: %s\n", qoc_strerror(err));
		return QOC_EXIT_FAIL;
	}

	struct qoc_api api;
	struct qoc_router *router = NULL;
	struct qoc_http_server *srv = NULL;
	struct qoc_router *metrics_router = NULL;
	struct qoc_http_server *metrics_srv = NULL;
	struct qoc_mailer *mailer = NULL;
	struct qoc_analytics *analytics = NULL;
	struct qoc_purger *purger = NULL;
	struct qoc_tls *tls = NULL;
	char msg[512] = "";
	if ((err = qoc_analytics_configure(&ctx->cfg, ctx->store, &qoc_clock_system, &analytics,
	                                   msg, sizeof(msg)))) {
		fprintf(stderr, "qoc: %s\n", msg[0] ? msg : qoc_strerror(err));
		return err == QOC_EINVAL ? QOC_EXIT_USAGE : QOC_EXIT_FAIL;
	}
	if ((err = qoc_api_init(&api, &ctx->cfg, ctx->store, &qoc_clock_system, ctx->master_key))) {
		fprintf(stderr, "qoc: cannot start: %s\n", qoc_strerror(err));
		qoc_analytics_free(analytics);
		return QOC_EXIT_FAIL;
	}
	router = qoc_router_new();
	if (!router || qoc_api_register(router, &api)) {
		fprintf(stderr, "qoc: out of memory\n");
		rc = QOC_EXIT_FAIL;
		goto out;
	}
	/* The mail sender runs while the server does: after the store opened, stopped after
	 * the HTTP server (no request can enqueue any more) and before the store closes. */
	if ((err = qoc_mailer_start(ctx->store, &ctx->cfg, &qoc_clock_system, &mailer))) {
		fprintf(stderr, "qoc: cannot start the mail sender: %s\n", qoc_strerror(err));
		rc = QOC_EXIT_FAIL;
		goto out;
	}
	api.mailer = mailer; /* before serving: read-only from here on */
	/* The analytics writer, like the mailer, outlives the HTTP server: stopped after it
	 * (no request can capture any more), so what was captured is written. */
	if (analytics && (err = qoc_analytics_start(analytics))) {
		fprintf(stderr, "qoc: cannot start the analytics writer: %s\n", qoc_strerror(err));
		rc = QOC_EXIT_FAIL;
		goto out;
	}
	api.analytics = analytics;
	/* The purge of expired state (store/purge.h) runs while the server does and is
	 * joined after it, before the store closes. */
	struct qoc_purge_options po = {
	    .store = ctx->store, .clock = &qoc_clock_system, .interval_s = ctx->cfg.purge_interval};
	if ((err = qoc_purger_start(&po, &purger))) {
		fprintf(stderr, "qoc: cannot start the purge: %s\n", qoc_strerror(err));
		rc = QOC_EXIT_FAIL;
		goto out;
	}
	api.purger = purger;
	/* From here on info lines (the access log) are written in batches (core/logbuf.h);
	 * the flusher inherits the blocked signals. Stopped, and everything written, below. */
	if (qoc_log_buffer_start(0) != QOC_OK)
		qoc_log_warn("log lines are written one by one", "reason=no_flusher");
	if (ctx->cfg.metrics_listen &&
	    (rc = start_metrics(ctx, &api, &metrics_router, &metrics_srv)))
		goto out;
	if ((rc = load_tls(&ctx->cfg, &tls)) || (rc = start_server(ctx, router, tls, &srv)))
		goto out;
	qoc_log_info("serving", "listen=%s issuer=%s store=%s threads=%u", ctx->cfg.listen,
		     ctx->cfg.issuer, ctx->store->ops->name, ctx->cfg.threads);
	print_welcome(ctx);

	int sig;
	while ((sig = wait_for_stop_signal(&stop_set)) == SIGHUP)
		reload(tls);
	qoc_log_info("stopping", "signal=%s grace_s=%u", sig == SIGINT ? "SIGINT" : "SIGTERM",
		     ctx->cfg.shutdown_timeout);
	qoc_http_server_stop(srv, ctx->cfg.shutdown_timeout * 1000u);
	qoc_log_info("stopped", "%s", "");
	rc = QOC_EXIT_OK;
out:
	qoc_http_server_stop(metrics_srv, 1000);
	qoc_router_free(metrics_router);
	qoc_tls_free(tls); /* the server that used it has stopped */
	qoc_purger_stop(purger);
	qoc_analytics_free(analytics); /* drains the queue */
	qoc_mailer_stop(mailer);
	qoc_router_free(router);
	qoc_api_release(&api);
	qoc_an_export_shutdown(); /* no request runs any more */
	qoc_log_buffer_stop();    /* every buffered line written */
	return rc;
}
