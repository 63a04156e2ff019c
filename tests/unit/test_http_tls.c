/* Unit tests for src/http/tls.c: loading and checking the PEM files (errors name the key),
 * the priority string, and the reload: a connection keeps the credentials it handshook
 * with until it closes, new handshakes get the new ones, a bad file keeps the old ones.
 * The certificate callback is driven with real GnuTLS sessions whose pointer is a fake
 * connection (libmicrohttpd sets it to its struct MHD_Connection); ASan checks that the
 * old credentials are neither used after free nor leaked. Certificates come from the
 * openssl CLI, made in a temporary directory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/tls.h"

struct files {
	char dir[64];
	char cert[128], key[128];         /* what the server reads */
	char one_cert[128], one_key[128]; /* two self-signed P-256 pairs */
	char two_cert[128], two_key[128];
	char one_fp[65], two_fp[65];
};

static void run(const char *cmd)
{
	if (system(cmd) != 0)
		fail_msg("failed: %s", cmd);
}

static void copy(const char *from, const char *to)
{
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", from, to);
	run(cmd);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* SHA-256 of the certificate's DER, lower-case hex without colons (as qoc logs it). */
static void openssl_fingerprint(const char *cert, char out[65])
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "openssl x509 -in '%s' -noout -fingerprint -sha256", cert);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	char line[256] = "";
	assert_non_null(fgets(line, sizeof(line), p));
	pclose(p);
	const char *v = strchr(line, '=');
	assert_non_null(v);
	size_t n = 0;
	for (v++; *v && n < 64; v++)
		if (*v != ':' && *v != '\n')
			out[n++] = (char)(*v >= 'A' && *v <= 'F' ? *v + 32 : *v);
	out[n] = '\0';
	assert_int_equal(n, 64);
}

static void make_pair(const char *dir, const char *name, char *cert, char *key)
{
	snprintf(cert, 128, "%s/%s.pem", dir, name);
	snprintf(key, 128, "%s/%s.key", dir, name);
	char cmd[600];
	snprintf(
	    cmd, sizeof(cmd),
	    "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout '%s' "
	    "-out '%s' -days 2 -subj /CN=%s -addext subjectAltName=IP:127.0.0.1 2>/dev/null",
	    key, cert, name);
	run(cmd);
}

static int setup(void **state)
{
	struct files *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/qoc-tls-unit-XXXXXX");
	if (!f || !mkdtemp(f->dir))
		return -1;
	make_pair(f->dir, "one", f->one_cert, f->one_key);
	make_pair(f->dir, "two", f->two_cert, f->two_key);
	openssl_fingerprint(f->one_cert, f->one_fp);
	openssl_fingerprint(f->two_cert, f->two_fp);
	snprintf(f->cert, sizeof(f->cert), "%s/server.pem", f->dir);
	snprintf(f->key, sizeof(f->key), "%s/server.key", f->dir);
	copy(f->one_cert, f->cert);
	copy(f->one_key, f->key);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct files *f = *state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	run(cmd);
	free(f);
	return 0;
}

static void loads_and_fingerprints(void **state)
{
	struct files *f = *state;
	struct qoc_tls *tls = NULL;
	char msg[512] = "";
	assert_int_equal(qoc_tls_new(f->cert, f->key, &tls, msg, sizeof(msg)), QOC_OK);
	char fp[65];
	qoc_tls_fingerprint(tls, fp);
	assert_string_equal(fp, f->one_fp);
	qoc_tls_free(tls);
	qoc_tls_free(NULL);
	/* RSA and Ed25519 keys load too (PKCS#8 PEM, as openssl writes them). */
	const char *algs[] = {"-newkey rsa:2048", "-newkey ed25519"};
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		char cert[160], key[160], cmd[700], want[65];
		snprintf(cert, sizeof(cert), "%s/alg%zu.pem", f->dir, i);
		snprintf(key, sizeof(key), "%s/alg%zu.key", f->dir, i);
		snprintf(cmd, sizeof(cmd),
		         "openssl req -x509 %s -nodes -keyout '%s' -out '%s' -days 2 -subj /CN=alg "
		         "2>/dev/null",
		         algs[i], key, cert);
		run(cmd);
		assert_int_equal(qoc_tls_new(cert, key, &tls, msg, sizeof(msg)), QOC_OK);
		qoc_tls_fingerprint(tls, fp);
		openssl_fingerprint(cert, want);
		assert_string_equal(fp, want);
		qoc_tls_free(tls);
	}
}

static void expect_new_error(const char *cert, const char *key, enum qoc_err want,
                             const char *needle)
{
	struct qoc_tls *tls = (struct qoc_tls *)(uintptr_t)1;
	char msg[512] = "";
	assert_int_equal(qoc_tls_new(cert, key, &tls, msg, sizeof(msg)), want);
	assert_null(tls);
	if (!strstr(msg, needle))
		fail_msg("\"%s\" does not say \"%s\"", msg, needle);
}

static void errors_name_the_key(void **state)
{
	struct files *f = *state;
	char missing[160], garbage[160], empty[160];
	snprintf(missing, sizeof(missing), "%s/missing.pem", f->dir);
	snprintf(garbage, sizeof(garbage), "%s/garbage.pem", f->dir);
	snprintf(empty, sizeof(empty), "%s/empty.pem", f->dir);
	write_text(garbage,
	           "-----BEGIN CERTIFICATE-----\n!!not base64!!\n-----END CERTIFICATE-----\n");
	write_text(empty, "");
	expect_new_error(missing, f->one_key, QOC_EIO, "tls_cert (");
	expect_new_error(missing, f->one_key, QOC_EIO, "cannot read: No such file or directory");
	expect_new_error(f->one_cert, missing, QOC_EIO, "tls_key (");
	expect_new_error(f->dir, f->one_key, QOC_EIO, "tls_cert (");
	expect_new_error(garbage, f->one_key, QOC_EINVAL, "tls_cert (");
	expect_new_error(empty, f->one_key, QOC_EINVAL, "not a PEM certificate chain");
	expect_new_error(f->one_key, f->one_key, QOC_EINVAL, "not a PEM certificate chain");
	expect_new_error(f->one_cert, f->one_cert, QOC_EINVAL,
	                 "not an unencrypted PEM private key");
	expect_new_error(f->one_cert, f->two_key, QOC_EINVAL,
	                 "does not match the certificate in tls_cert");
	/* The chain must be sorted: server first, then its issuer (two did not issue one). */
	char chain[160], cmd[600];
	snprintf(chain, sizeof(chain), "%s/chain.pem", f->dir);
	snprintf(cmd, sizeof(cmd), "cat '%s' '%s' > '%s'", f->one_cert, f->two_cert, chain);
	run(cmd);
	expect_new_error(chain, f->one_key, QOC_EINVAL, "tls_cert (");
}

static void priorities_are_tls12_and_tls13_aead(void **state)
{
	(void)state;
	gnutls_priority_t p;
	const char *pos = NULL;
	assert_int_equal(gnutls_priority_init(&p, qoc_tls_priorities, &pos), 0);
	const unsigned *list;
	int n = gnutls_priority_protocol_list(p, &list);
	assert_int_equal(n, 2);
	for (int i = 0; i < n; i++)
		assert_true(list[i] == GNUTLS_TLS1_3 || list[i] == GNUTLS_TLS1_2);
	for (unsigned i = 0;; i++) {
		unsigned idx;
		if (gnutls_priority_get_cipher_suite_index(p, i, &idx) ==
		    GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		const char *name = gnutls_cipher_suite_info(idx, NULL, NULL, NULL, NULL, NULL);
		if (!name)
			continue; /* not in this list */
		if (!strstr(name, "GCM") && !strstr(name, "CHACHA20_POLY1305"))
			fail_msg("suite %s is not AEAD", name);
		if (strncmp(name, "TLS_AES", 7) && strncmp(name, "TLS_CHACHA20", 12) &&
		    strncmp(name, "TLS_ECDHE_", 10))
			fail_msg("suite %s has no forward secrecy", name);
	}
	gnutls_priority_deinit(p);
}

/* The certificate callback as libmicrohttpd calls it, for a session of fake connection c. */
static int handshake(gnutls_session_t s, gnutls_pcert_st **certs, unsigned *n)
{
	struct MHD_OptionItem opts[3];
	qoc_tls_daemon_options(opts);
	assert_int_equal(opts[0].option, MHD_OPTION_HTTPS_CERT_CALLBACK);
	assert_int_equal(opts[1].option, MHD_OPTION_HTTPS_PRIORITIES);
	assert_string_equal((const char *)opts[1].ptr_value, qoc_tls_priorities);
	assert_int_equal(opts[2].option, MHD_OPTION_END);
	gnutls_certificate_retrieve_function2 *cb =
	    (gnutls_certificate_retrieve_function2 *)opts[0].ptr_value;
	gnutls_privkey_t key = NULL;
	int rc = cb(s, NULL, 0, NULL, 0, certs, n, &key);
	if (rc == 0)
		assert_non_null(key);
	return rc;
}

static void fingerprint_of(const gnutls_pcert_st *c, char out[65])
{
	unsigned char md[32];
	size_t len = sizeof(md);
	assert_int_equal(gnutls_fingerprint(GNUTLS_DIG_SHA256, &c->cert, md, &len), 0);
	for (size_t i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static gnutls_session_t session_of(void *conn)
{
	gnutls_session_t s;
	assert_int_equal(gnutls_init(&s, GNUTLS_SERVER), 0);
	gnutls_session_set_ptr(s, conn);
	return s;
}

static void reload_keeps_open_connections_on_their_credentials(void **state)
{
	struct files *f = *state;
	struct qoc_tls *tls;
	char msg[512], fp[65];
	copy(f->one_cert, f->cert);
	copy(f->one_key, f->key);
	assert_int_equal(qoc_tls_new(f->cert, f->key, &tls, msg, sizeof(msg)), QOC_OK);
	/* Stand-ins for struct MHD_Connection: only their addresses matter. */
	static char conn_a, conn_b, conn_c;
	struct MHD_Connection *a = (void *)&conn_a, *b = (void *)&conn_b, *c = (void *)&conn_c;
	gnutls_session_t sa = session_of(a), sb = session_of(b), sc = session_of(c);
	unsigned base = qoc_tls_leases();

	assert_int_equal(qoc_tls_conn_open(tls, a), QOC_OK);
	gnutls_pcert_st *ca = NULL, *again = NULL, *cb_ = NULL;
	unsigned na = 0, n2 = 0;
	assert_int_equal(handshake(sa, &ca, &na), 0);
	assert_int_equal(na, 1);
	fingerprint_of(&ca[0], fp);
	assert_string_equal(fp, f->one_fp);
	assert_int_equal(qoc_tls_leases(), base + 1);

	/* New files, reload: new handshakes get two, the open connection keeps one. */
	copy(f->two_key, f->key);
	copy(f->two_cert, f->cert);
	assert_int_equal(qoc_tls_reload(tls, msg, sizeof(msg)), QOC_OK);
	qoc_tls_fingerprint(tls, fp);
	assert_string_equal(fp, f->two_fp);
	assert_int_equal(handshake(sa, &again, &n2), 0); /* a second callback, same session */
	assert_ptr_equal(again, ca);
	assert_int_equal(qoc_tls_conn_open(tls, b), QOC_OK);
	assert_int_equal(handshake(sb, &cb_, &n2), 0);
	fingerprint_of(&cb_[0], fp);
	assert_string_equal(fp, f->two_fp);

	/* A broken certificate, then a key that does not match: both keep two. */
	write_text(f->cert, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
	assert_int_not_equal(qoc_tls_reload(tls, msg, sizeof(msg)), QOC_OK);
	assert_non_null(strstr(msg, "tls_cert ("));
	copy(f->one_cert, f->cert);
	assert_int_equal(qoc_tls_reload(tls, msg, sizeof(msg)), QOC_EINVAL);
	assert_non_null(strstr(msg, "tls_key ("));
	assert_non_null(strstr(msg, "does not match"));
	qoc_tls_fingerprint(tls, fp);
	assert_string_equal(fp, f->two_fp);

	/* The first connection's credentials are still alive (ASan would see a freed read). */
	fingerprint_of(&ca[0], fp);
	assert_string_equal(fp, f->one_fp);
	qoc_tls_conn_close(a); /* the last user of one: freed now */
	assert_int_equal(qoc_tls_leases(), base + 1);

	/* A connection never opened has no lease: its handshake fails; closing it is a no-op. */
	gnutls_pcert_st *none = NULL;
	assert_int_equal(handshake(sc, &none, &n2), -1);
	qoc_tls_conn_close(c);
	/* Opened, closed before any handshake (no reference taken). */
	assert_int_equal(qoc_tls_conn_open(tls, c), QOC_OK);
	qoc_tls_conn_close(c);

	qoc_tls_conn_close(b);
	assert_int_equal(qoc_tls_leases(), base);
	gnutls_deinit(sa);
	gnutls_deinit(sb);
	gnutls_deinit(sc);
	qoc_tls_free(tls);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(loads_and_fingerprints),
	    cmocka_unit_test(errors_name_the_key),
	    cmocka_unit_test(priorities_are_tls12_and_tls13_aead),
	    cmocka_unit_test(reload_keeps_open_connections_on_their_credentials),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
