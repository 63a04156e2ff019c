/* Unit tests for src/core/config.c: defaults, file, environment, validation messages. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"

static char *const no_env[] = { NULL };

static void defaults_are_documented_values(void **state)
{
	(void)state;
	struct qoc_config c;
	char err[256];
	assert_int_equal(qoc_config_load(&c, NULL, no_env, err, sizeof(err)), QOC_OK);
	assert_string_equal(c.data_dir, "./data");
	assert_string_equal(c.database, "sqlite:./data/qoc.db");
	assert_string_equal(c.listen_host, "127.0.0.1");
	assert_int_equal(c.listen_port, 8080);
	assert_string_equal(c.issuer, "http://localhost:8080");
	assert_null(c.smtp_url);
	assert_null(c.mail_from);
	assert_string_equal(c.sqlite_synchronous, "full");
	assert_string_equal(c.signing_alg, "RS256");
	assert_string_equal(c.access_token_alg, "ES256");
	assert_true(c.signup);
	assert_true(c.threads >= 2);
	assert_true(qoc_config_issuer_is_loopback(&c));
	qoc_config_release(&c);
}

static char *write_tmp(const char *text)
{
	static char path[64];
	snprintf(path, sizeof(path), "/tmp/qoc-config-test-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void file_then_environment_override(void **state)
{
	(void)state;
	char *path = write_tmp("# comment\n\nlisten = 127.0.0.1:9090\ndata_dir = \"/tmp/x\"\n"
			       "SQLITE_SYNCHRONOUS=normal\n");
	char *env[] = { "QOC_DATA_DIR=/tmp/y", "OTHER=1", "QOC_ACCESS_LOG=off", "QOC_CONFIG=ignored",
			NULL };
	struct qoc_config c;
	char err[256];
	assert_int_equal(qoc_config_load(&c, path, env, err, sizeof(err)), QOC_OK);
	assert_int_equal(c.listen_port, 9090);
	assert_string_equal(c.data_dir, "/tmp/y");
	assert_string_equal(c.database, "sqlite:/tmp/y/qoc.db");
	assert_string_equal(c.issuer, "http://localhost:9090");
	assert_string_equal(c.sqlite_synchronous, "normal");
	assert_false(c.access_log);
	qoc_config_release(&c);
	unlink(path);
}

/* Each bad input names its key (and the file line or the variable). */
static void expect_error(const char *file_text, char **env, const char *needle)
{
	char *path = file_text ? write_tmp(file_text) : NULL;
	struct qoc_config c;
	char err[256];
	assert_int_not_equal(qoc_config_load(&c, path, env ? env : no_env, err, sizeof(err)), QOC_OK);
	if (!strstr(err, needle))
		fail_msg("error \"%s\" does not name \"%s\"", err, needle);
	qoc_config_release(&c);
	if (path)
		unlink(path);
}

static void bad_values_name_the_key(void **state)
{
	(void)state;
	expect_error("listn = 1\n", NULL, "unknown key \"listn\"");
	expect_error("listen 1\n", NULL, "expected `key = value`");
	expect_error("threads = many\n", NULL, "threads");
	expect_error("threads = 100000\n", NULL, "out of range");
	expect_error("log_level = loud\n", NULL, "log_level");
	expect_error("access_log = maybe\n", NULL, "access_log");
	expect_error(NULL, (char *[]){ "QOC_LISTEN=nope", NULL }, "listen");
	expect_error(NULL, (char *[]){ "QOC_LISTEN=127.0.0.1:70000", NULL }, "listen");
	expect_error(NULL, (char *[]){ "QOC_LISTN=127.0.0.1:1", NULL }, "QOC_LISTN");
	expect_error(NULL, (char *[]){ "QOC_ISSUER=http://example.com", NULL }, "issuer");
	expect_error(NULL, (char *[]){ "QOC_ISSUER=https://example.com/", NULL }, "issuer");
	expect_error(NULL, (char *[]){ "QOC_ISSUER=https://example.com?x", NULL }, "issuer");
	expect_error(NULL, (char *[]){ "QOC_DATABASE=mysql://x", NULL }, "database");
	expect_error(NULL, (char *[]){ "QOC_SMTP_URL=http://x", NULL }, "smtp_url");
	expect_error(NULL, (char *[]){ "QOC_MAIL_FROM=Qoc <qoc@example.com>", NULL }, "mail_from");
	expect_error(NULL, (char *[]){ "QOC_MAIL_FROM=qoc@example.com\r\nBcc: x@y.z", NULL },
		     "mail_from");
	expect_error(NULL, (char *[]){ "QOC_MAIL_FROM=nobody", NULL }, "mail_from");
	expect_error(NULL, (char *[]){ "QOC_SIGNING_ALG=HS256", NULL }, "signing_alg");
	expect_error(NULL, (char *[]){ "QOC_ACCESS_TOKEN_ALG=none", NULL }, "access_token_alg");
	expect_error(NULL, (char *[]){ "QOC_MAX_BODY_BYTES=-1", NULL }, "max_body_bytes");
	expect_error("threads = 2\n", (char *[]){ "QOC_THREADS=x", NULL }, "environment QOC_THREADS");
	expect_error("\n\nthreads = x\n", NULL, ":3");
	/* issue 6 */
	expect_error(NULL, (char *[]){ "QOC_TRUSTED_PROXIES=10.0.0.0/33", NULL }, "trusted_proxies");
	expect_error(NULL, (char *[]){ "QOC_TRUSTED_PROXIES=10.0.0.0/8,,::1", NULL }, "trusted_proxies");
	expect_error(NULL, (char *[]){ "QOC_TRUSTED_PROXIES=proxy.example.com", NULL }, "trusted_proxies");
	expect_error(NULL, (char *[]){ "QOC_ANALYTICS=sometimes", NULL }, "analytics");
	expect_error(NULL, (char *[]){ "QOC_ANALYTICS_RETENTION_DAYS=0", NULL }, "analytics_retention_days");
	expect_error(NULL, (char *[]){ "QOC_ANALYTICS_QUEUE_SIZE=1", NULL }, "analytics_queue_size");
	expect_error(NULL, (char *[]){ "QOC_ANALYTICS_FLUSH_MS=5", NULL }, "analytics_flush_ms");
}

static void analytics_keys(void **state)
{
	(void)state;
	struct qoc_config c;
	char err[256];
	assert_int_equal(qoc_config_load(&c, NULL, no_env, err, sizeof(err)), QOC_OK);
	assert_true(c.analytics);
	assert_string_equal(c.trusted_proxies, ""); /* nobody's X-Forwarded-For is believed */
	assert_int_equal(c.analytics_retention_days, 30);
	assert_int_equal(c.analytics_queue_size, 16384);
	assert_int_equal(c.analytics_flush_ms, 1000);
	assert_string_equal(c.geoip, "/usr/share/tor/geoip");
	qoc_config_release(&c);
	char *env[] = { "QOC_ANALYTICS=off", "QOC_TRUSTED_PROXIES= 10.0.0.0/8, ::1 ",
	                "QOC_ANALYTICS_RETENTION_DAYS=7", NULL };
	assert_int_equal(qoc_config_load(&c, NULL, env, err, sizeof(err)), QOC_OK);
	assert_false(c.analytics);
	assert_int_equal(c.analytics_retention_days, 7);
	qoc_config_release(&c);
}

static void https_issuer_and_ipv6_listen(void **state)
{
	(void)state;
	char *env[] = { "QOC_ISSUER=https://id.example.com", "QOC_LISTEN=[::1]:8443", NULL };
	struct qoc_config c;
	char err[256];
	assert_int_equal(qoc_config_load(&c, NULL, env, err, sizeof(err)), QOC_OK);
	assert_string_equal(c.listen_host, "::1");
	assert_int_equal(c.listen_port, 8443);
	assert_false(qoc_config_issuer_is_loopback(&c));
	qoc_config_release(&c);
}

/* Issue 20 HTTPS: tls_cert and tls_key come together; with them the default issuer is
 * https. The files themselves are read by qoc serve (tests/integration/tls.test.mjs). */
static void tls_keys_both_or_neither(void **state)
{
	(void)state;
	expect_error(NULL, (char *[]){ "QOC_TLS_CERT=/etc/qoc/cert.pem", NULL },
		     "tls_key: must be set together with tls_cert");
	expect_error("tls_key = /etc/qoc/key.pem\n", NULL,
		     "tls_cert: must be set together with tls_key");
	char *env[] = { "QOC_TLS_CERT=/c.pem", "QOC_TLS_KEY=/k.pem", "QOC_LISTEN=127.0.0.1:8443",
			NULL };
	struct qoc_config c;
	char err[256];
	assert_int_equal(qoc_config_load(&c, NULL, env, err, sizeof(err)), QOC_OK);
	assert_string_equal(c.tls_cert, "/c.pem");
	assert_string_equal(c.tls_key, "/k.pem");
	assert_string_equal(c.issuer, "https://localhost:8443");
	qoc_config_release(&c);
	/* Empty means unset, for both. */
	char *empty[] = { "QOC_TLS_CERT=", "QOC_TLS_KEY=", NULL };
	assert_int_equal(qoc_config_load(&c, NULL, empty, err, sizeof(err)), QOC_OK);
	assert_null(c.tls_cert);
	assert_null(c.tls_key);
	assert_string_equal(c.issuer, "http://localhost:8080");
	qoc_config_release(&c);
}

/* Issue 7: the PostgreSQL forms of database are accepted as given (the store parses them). */
static void postgres_database_urls_are_accepted(void **state)
{
	(void)state;
	const char *ok[] = { "QOC_DATABASE=postgres://qoc:pw@db:5432/qoc",
			     "QOC_DATABASE=postgresql:///qoc?host=/run/postgresql",
			     "QOC_DATABASE=host=/run/postgresql dbname=qoc",
			     "QOC_DATABASE=  dbname = qoc" };
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char *env[] = { (char *)ok[i], NULL };
		struct qoc_config c;
		char err[256];
		assert_int_equal(qoc_config_load(&c, NULL, env, err, sizeof(err)), QOC_OK);
		assert_string_equal(c.database, strchr(ok[i], '=') + 1);
		qoc_config_release(&c);
	}
	expect_error(NULL, (char *[]){ "QOC_DATABASE=/var/lib/qoc.db", NULL }, "database");
	expect_error(NULL, (char *[]){ "QOC_DATABASE==x", NULL }, "database");
}

static void missing_file_is_an_error(void **state)
{
	(void)state;
	struct qoc_config c;
	char err[256];
	assert_int_equal(qoc_config_load(&c, "/nonexistent/qoc.conf", no_env, err, sizeof(err)),
			 QOC_EIO);
	assert_non_null(strstr(err, "/nonexistent/qoc.conf"));
	qoc_config_release(&c);
}

/* issue 20: metrics_listen is off by default; when set, host:port like listen, another port. */
static void metrics_listen_key(void **state)
{
	(void)state;
	struct qoc_config c;
	char err[256];
	assert_int_equal(qoc_config_load(&c, NULL, no_env, err, sizeof(err)), QOC_OK);
	assert_null(c.metrics_listen);
	assert_null(c.metrics_host);
	qoc_config_release(&c);
	char *env[] = { "QOC_METRICS_LISTEN=[::1]:9464", NULL };
	assert_int_equal(qoc_config_load(&c, NULL, env, err, sizeof(err)), QOC_OK);
	assert_string_equal(c.metrics_host, "::1");
	assert_int_equal(c.metrics_port, 9464);
	qoc_config_release(&c);
	char *empty[] = { "QOC_METRICS_LISTEN=", NULL };
	assert_int_equal(qoc_config_load(&c, NULL, empty, err, sizeof(err)), QOC_OK);
	assert_null(c.metrics_listen);
	qoc_config_release(&c);
	expect_error(NULL, (char *[]){ "QOC_METRICS_LISTEN=9464", NULL }, "config: metrics_listen:");
	expect_error(NULL, (char *[]){ "QOC_METRICS_LISTEN=127.0.0.1:0", NULL }, "metrics_listen");
	expect_error("listen = 127.0.0.1:9464\nmetrics_listen = 127.0.0.1:9464\n", NULL,
	             "metrics_listen: \"127.0.0.1:9464\" must use another port than listen");
}

/* qoc.conf.example and docs/configuration.md document every key of the table. */
static void every_key_is_documented(void **state)
{
	(void)state;
	const char *docs[] = { QOC_SOURCE_DIR "/qoc.conf.example",
			       QOC_SOURCE_DIR "/docs/configuration.md" };
	for (size_t d = 0; d < 2; d++) {
		FILE *f = fopen(docs[d], "r");
		assert_non_null(f);
		static char text[65536];
		size_t n = fread(text, 1, sizeof(text) - 1, f);
		text[n] = '\0';
		fclose(f);
		for (size_t i = 0; qoc_config_key_name(i); i++) {
			char upper[64];
			const char *k = qoc_config_key_name(i);
			size_t j = 0;
			for (; k[j] && j < sizeof(upper) - 1; j++)
				upper[j] = (char)(k[j] >= 'a' && k[j] <= 'z' ? k[j] - 32 : k[j]);
			upper[j] = '\0';
			if (!strstr(text, k) || !strstr(text, upper))
				fail_msg("%s does not document %s / QOC_%s", docs[d], k, upper);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_are_documented_values),
		cmocka_unit_test(file_then_environment_override),
		cmocka_unit_test(bad_values_name_the_key),
		cmocka_unit_test(analytics_keys),
		cmocka_unit_test(https_issuer_and_ipv6_listen),
		cmocka_unit_test(postgres_database_urls_are_accepted),
		cmocka_unit_test(missing_file_is_an_error),
		cmocka_unit_test(metrics_listen_key),
		cmocka_unit_test(every_key_is_documented),
		cmocka_unit_test(tls_keys_both_or_neither),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
