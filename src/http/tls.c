/* tls.c - the credentials libmicrohttpd's TLS presents, swapped on reload.
 *
 * Two structures:
 *   struct creds   one loaded certificate chain + key, immutable once published, freed
 *                  when its last reference goes (the qoc_tls's own, and one per
 *                  connection that handshook with it);
 *   leases         which connection holds which creds: a small hash table keyed by the
 *                  struct MHD_Connection (GnuTLS's session pointer is the connection, as
 *                  libmicrohttpd sets it). The certificate callback gets only the GnuTLS
 *                  session, so it finds its qoc_tls here too.
 * A connection's lease is made when libmicrohttpd reports the connection started, filled
 * at its first handshake callback, and dropped when libmicrohttpd reports it closed. In
 * 0.9.75 that report comes after gnutls_deinit() (MHD_cleanup_connections) or before any
 * handshake (a connection that failed to start), so GnuTLS never reads a freed key, and
 * the connection (the key) is not freed before its report, so no lease is mistaken for
 * another connection's.
 *
 * Locks: leases_lock guards the table; tls->lock guards tls->current. The callback takes
 * leases_lock then tls->lock (to take a reference on current); reload takes only
 * tls->lock, for the pointer swap. Neither is held while a file is read or parsed.
 */
#include "http/tls.h"

#include <errno.h>
#include <fcntl.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"

/* docs/decisions/tls.md: SECURE128 (no export, RC4, 3DES, SHA-1 signatures), then only
 * TLS 1.3 and 1.2, AEAD ciphers, ECDHE for TLS 1.2 (no static RSA, no finite-field DHE),
 * X25519 and the NIST P-256 / P-384 groups. The client's order among these is kept (all
 * are strong; a client without AES instructions prefers ChaCha20). */
const char qoc_tls_priorities[] =
    "SECURE128:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
    ":-CIPHER-ALL:+AES-256-GCM:+AES-128-GCM:+CHACHA20-POLY1305:-MAC-ALL:+AEAD"
    ":-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA"
    ":-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1";

struct creds {
	atomic_uint refs;
	unsigned ncerts;
	gnutls_pcert_st certs[QOC_TLS_MAX_CHAIN];
	gnutls_privkey_t key;
	char fingerprint[65]; /* SHA-256 of certs[0], hex */
	time_t not_before, not_after;
};

struct qoc_tls {
	pthread_mutex_t lock;
	struct creds *current; /* holds one reference */
	char *cert_path, *key_path;
};

/* ---- loading ---- */

static void msgf(char *msg, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void msgf(char *msg, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (size)
		vsnprintf(msg, size, fmt, ap);
	va_end(ap);
}

static void creds_free(struct creds *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < c->ncerts; i++)
		gnutls_pcert_deinit(&c->certs[i]);
	if (c->key)
		gnutls_privkey_deinit(c->key);
	free(c);
}

static void creds_release(struct creds *c)
{
	if (c && atomic_fetch_sub(&c->refs, 1) == 1)
		creds_free(c);
}

/* The whole file into a malloc'ed buffer (at most QOC_TLS_MAX_FILE bytes). */
static enum qoc_err read_file(const char *path, gnutls_datum_t *out, const char **why)
{
	out->data = NULL;
	out->size = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*why = strerror(errno);
		return QOC_EIO;
	}
	enum qoc_err err = QOC_OK;
	struct stat st;
	if (fstat(fd, &st) != 0) {
		*why = strerror(errno);
		err = QOC_EIO;
	} else if (!S_ISREG(st.st_mode)) {
		*why = "not a regular file";
		err = QOC_EIO;
	} else if (st.st_size > QOC_TLS_MAX_FILE) {
		*why = "larger than 1 MiB";
		err = QOC_EINVAL;
	}
	size_t cap = err ? 0 : (size_t)st.st_size + 1, len = 0;
	unsigned char *buf = err ? NULL : malloc(cap);
	if (!err && !buf)
		err = QOC_ENOMEM;
	while (!err) {
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*why = strerror(errno);
			err = QOC_EIO;
		} else if (n == 0) {
			break;
		} else if ((len += (size_t)n) == cap) {
			*why = "changed while being read";
			err = QOC_EIO;
		}
	}
	close(fd);
	if (err) {
		if (buf)
			qoc_memwipe(buf, cap);
		free(buf);
		if (err == QOC_ENOMEM)
			*why = "out of memory";
		return err;
	}
	out->data = buf;
	out->size = (unsigned)len;
	return QOC_OK;
}

static void datum_wipe_free(gnutls_datum_t *d)
{
	if (d->data)
		qoc_memwipe(d->data, d->size);
	free(d->data);
	d->data = NULL;
	d->size = 0;
}

/* Whether key's public half is the one in cert: both SubjectPublicKeyInfo, DER-compared. */
static bool key_matches(gnutls_privkey_t key, gnutls_pcert_st *cert)
{
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t a = {NULL, 0}, b = {NULL, 0};
	bool same = gnutls_pubkey_init(&pub) == 0 &&
	            gnutls_pubkey_import_privkey(pub, key, 0, 0) == 0 &&
	            gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &a) == 0 &&
	            gnutls_pubkey_export2(cert->pubkey, GNUTLS_X509_FMT_DER, &b) == 0 &&
	            a.size == b.size && memcmp(a.data, b.data, a.size) == 0;
	gnutls_free(a.data);
	gnutls_free(b.data);
	if (pub)
		gnutls_pubkey_deinit(pub);
	return same;
}

/* Fingerprint and validity period of the server certificate. */
static enum qoc_err describe(struct creds *c)
{
	unsigned char md[32];
	size_t mdlen = sizeof(md);
	if (gnutls_fingerprint(GNUTLS_DIG_SHA256, &c->certs[0].cert, md, &mdlen) != 0 ||
	    mdlen != sizeof(md))
		return QOC_ECRYPTO;
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < sizeof(md); i++) {
		c->fingerprint[2 * i] = hex[md[i] >> 4];
		c->fingerprint[2 * i + 1] = hex[md[i] & 15];
	}
	c->fingerprint[64] = '\0';
	gnutls_x509_crt_t crt;
	if (gnutls_pcert_export_x509(&c->certs[0], &crt) != 0)
		return QOC_ECRYPTO;
	c->not_before = gnutls_x509_crt_get_activation_time(crt);
	c->not_after = gnutls_x509_crt_get_expiration_time(crt);
	gnutls_x509_crt_deinit(crt);
	return QOC_OK;
}

static enum qoc_err load_chain(struct creds *c, const char *path, char *msg, size_t size)
{
	const char *why = NULL;
	gnutls_datum_t pem;
	enum qoc_err err = read_file(path, &pem, &why);
	if (err) {
		msgf(msg, size, "tls_cert (%s): cannot read: %s", path, why);
		return err;
	}
	unsigned n = QOC_TLS_MAX_CHAIN;
	int rc = gnutls_pcert_list_import_x509_raw(c->certs, &n, &pem, GNUTLS_X509_FMT_PEM,
	                                           GNUTLS_X509_CRT_LIST_FAIL_IF_UNSORTED);
	datum_wipe_free(&pem);
	if (rc == GNUTLS_E_SHORT_MEMORY_BUFFER) {
		msgf(msg, size, "tls_cert (%s): more than %d certificates", path,
		     QOC_TLS_MAX_CHAIN);
		return QOC_EINVAL;
	}
	if (rc < 0 || n == 0) {
		msgf(msg, size, "tls_cert (%s): not a PEM certificate chain (server first): %s",
		     path, rc < 0 ? gnutls_strerror(rc) : "no certificate");
		return QOC_EINVAL;
	}
	c->ncerts = n;
	if (describe(c)) {
		msgf(msg, size, "tls_cert (%s): cannot read the certificate", path);
		return QOC_ECRYPTO;
	}
	return QOC_OK;
}

static enum qoc_err load_key(struct creds *c, const char *path, char *msg, size_t size)
{
	const char *why = NULL;
	gnutls_datum_t pem;
	enum qoc_err err = read_file(path, &pem, &why);
	if (err) {
		msgf(msg, size, "tls_key (%s): cannot read: %s", path, why);
		return err;
	}
	int rc = gnutls_privkey_init(&c->key);
	if (rc == 0)
		rc = gnutls_privkey_import_x509_raw(c->key, &pem, GNUTLS_X509_FMT_PEM, NULL, 0);
	datum_wipe_free(&pem);
	if (rc < 0) {
		msgf(msg, size, "tls_key (%s): not an unencrypted PEM private key: %s", path,
		     gnutls_strerror(rc));
		return QOC_EINVAL;
	}
	return QOC_OK;
}

/* A new creds with one reference, or NULL with msg set. */
static enum qoc_err creds_load(const char *cert_path, const char *key_path, struct creds **out,
                               char *msg, size_t size)
{
	*out = NULL;
	struct creds *c = calloc(1, sizeof(*c));
	if (!c) {
		msgf(msg, size, "tls_cert: out of memory");
		return QOC_ENOMEM;
	}
	atomic_init(&c->refs, 1);
	enum qoc_err err = load_chain(c, cert_path, msg, size);
	if (!err)
		err = load_key(c, key_path, msg, size);
	if (!err && !key_matches(c->key, &c->certs[0])) {
		msgf(msg, size, "tls_key (%s): does not match the certificate in tls_cert (%s)",
		     key_path, cert_path);
		err = QOC_EINVAL;
	}
	if (err) {
		creds_free(c);
		return err;
	}
	*out = c;
	return QOC_OK;
}

static void log_loaded(const char *what, const struct creds *c)
{
	char nb[32] = "?", na[32] = "?";
	struct tm tm;
	if (c->not_before != (time_t)-1 && gmtime_r(&c->not_before, &tm))
		strftime(nb, sizeof(nb), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (c->not_after != (time_t)-1 && gmtime_r(&c->not_after, &tm))
		strftime(na, sizeof(na), "%Y-%m-%dT%H:%M:%SZ", &tm);
	qoc_log_info(what, "sha256=%s chain=%u not_before=%s not_after=%s", c->fingerprint,
	             c->ncerts, nb, na);
	time_t now = time(NULL);
	if (c->not_after != (time_t)-1 && now > c->not_after)
		qoc_log_warn("tls certificate has expired", "sha256=%s not_after=%s",
		             c->fingerprint, na);
	else if (c->not_before != (time_t)-1 && now < c->not_before)
		qoc_log_warn("tls certificate is not valid yet", "sha256=%s not_before=%s",
		             c->fingerprint, nb);
}

/* ---- the holder ---- */

bool qoc_tls_supported(void)
{
	return MHD_is_feature_supported(MHD_FEATURE_TLS) == MHD_YES &&
	       MHD_is_feature_supported(MHD_FEATURE_HTTPS_CERT_CALLBACK) == MHD_YES;
}

enum qoc_err qoc_tls_new(const char *cert_path, const char *key_path, struct qoc_tls **out,
                         char *msg, size_t msg_size)
{
	*out = NULL;
	struct qoc_tls *tls = calloc(1, sizeof(*tls));
	if (!tls || !(tls->cert_path = strdup(cert_path)) || !(tls->key_path = strdup(key_path)) ||
	    pthread_mutex_init(&tls->lock, NULL) != 0) {
		if (tls) {
			free(tls->cert_path);
			free(tls->key_path);
		}
		free(tls);
		msgf(msg, msg_size, "tls_cert: out of memory");
		return QOC_ENOMEM;
	}
	enum qoc_err err = creds_load(cert_path, key_path, &tls->current, msg, msg_size);
	if (err) {
		qoc_tls_free(tls);
		return err;
	}
	log_loaded("tls certificate loaded", tls->current);
	*out = tls;
	return QOC_OK;
}

enum qoc_err qoc_tls_reload(struct qoc_tls *tls, char *msg, size_t msg_size)
{
	struct creds *fresh;
	enum qoc_err err = creds_load(tls->cert_path, tls->key_path, &fresh, msg, msg_size);
	if (err) {
		char quoted[1200];
		qoc_log_error("tls reload failed, the previous certificate stays", "error=%s",
		              qoc_log_quote(quoted, sizeof(quoted), msg));
		return err;
	}
	pthread_mutex_lock(&tls->lock);
	struct creds *old = tls->current;
	tls->current = fresh;
	pthread_mutex_unlock(&tls->lock);
	log_loaded("tls certificate reloaded", fresh);
	creds_release(old); /* freed now, or when the last connection that uses it closes */
	return QOC_OK;
}

void qoc_tls_fingerprint(struct qoc_tls *tls, char out[65])
{
	pthread_mutex_lock(&tls->lock);
	memcpy(out, tls->current->fingerprint, 65);
	pthread_mutex_unlock(&tls->lock);
}

void qoc_tls_free(struct qoc_tls *tls)
{
	if (!tls)
		return;
	creds_release(tls->current);
	pthread_mutex_destroy(&tls->lock);
	free(tls->cert_path);
	free(tls->key_path);
	free(tls);
}

/* ---- leases: connection -> (tls, creds) ---- */

#define LEASE_BUCKETS 1024u

struct lease {
	struct lease *next;
	const struct MHD_Connection *conn;
	struct qoc_tls *tls;
	struct creds *creds; /* NULL until the first handshake callback */
};

static pthread_mutex_t leases_lock = PTHREAD_MUTEX_INITIALIZER;
static struct lease *leases[LEASE_BUCKETS];
static unsigned lease_count;

static size_t bucket_of(const struct MHD_Connection *conn)
{
	uint64_t h = (uint64_t)(uintptr_t)conn * 0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 54) % LEASE_BUCKETS;
}

enum qoc_err qoc_tls_conn_open(struct qoc_tls *tls, struct MHD_Connection *conn)
{
	struct lease *l = malloc(sizeof(*l));
	if (!l)
		return QOC_ENOMEM;
	l->conn = conn;
	l->tls = tls;
	l->creds = NULL;
	size_t b = bucket_of(conn);
	pthread_mutex_lock(&leases_lock);
	l->next = leases[b];
	leases[b] = l;
	lease_count++;
	pthread_mutex_unlock(&leases_lock);
	return QOC_OK;
}

void qoc_tls_conn_close(struct MHD_Connection *conn)
{
	size_t b = bucket_of(conn);
	struct lease *found = NULL;
	pthread_mutex_lock(&leases_lock);
	for (struct lease **p = &leases[b]; *p; p = &(*p)->next) {
		if ((*p)->conn == conn) {
			found = *p;
			*p = found->next;
			lease_count--;
			break;
		}
	}
	pthread_mutex_unlock(&leases_lock);
	if (found) {
		creds_release(found->creds);
		free(found);
	}
}

unsigned qoc_tls_leases(void)
{
	pthread_mutex_lock(&leases_lock);
	unsigned n = 0;
	for (size_t b = 0; b < LEASE_BUCKETS; b++)
		for (const struct lease *l = leases[b]; l; l = l->next)
			n += l->creds != NULL;
	pthread_mutex_unlock(&leases_lock);
	return n;
}

/* The credentials conn's handshake presents: the ones it already holds (a second
 * callback in one session, e.g. a renegotiation), else a new reference on current. */
static struct creds *lease_creds(const struct MHD_Connection *conn)
{
	struct creds *c = NULL;
	pthread_mutex_lock(&leases_lock);
	for (struct lease *l = leases[bucket_of(conn)]; l; l = l->next) {
		if (l->conn != conn)
			continue;
		if (!l->creds) {
			pthread_mutex_lock(&l->tls->lock);
			l->creds = l->tls->current;
			atomic_fetch_add(&l->creds->refs, 1);
			pthread_mutex_unlock(&l->tls->lock);
		}
		c = l->creds;
		break;
	}
	pthread_mutex_unlock(&leases_lock);
	return c;
}

/* gnutls_certificate_retrieve_function2: GnuTLS neither copies nor frees what it gets
 * (the lease keeps it alive until the connection closed). */
static int retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_rdn, int nreqs,
                    const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
                    gnutls_pcert_st **pcert, unsigned int *pcert_length, gnutls_privkey_t *privkey)
{
	(void)req_ca_rdn, (void)nreqs, (void)pk_algos, (void)pk_algos_length;
	struct creds *c = lease_creds(gnutls_session_get_ptr(session));
	if (!c)
		return -1; /* no lease (out of memory at open): fail this handshake */
	*pcert = c->certs;
	*pcert_length = c->ncerts;
	*privkey = c->key;
	return 0;
}

void qoc_tls_daemon_options(struct MHD_OptionItem opts[3])
{
	gnutls_certificate_retrieve_function2 *cb = retrieve;
	opts[0] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_CERT_CALLBACK, 0, (void *)cb};
	opts[1] =
	    (struct MHD_OptionItem){MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)qoc_tls_priorities};
	opts[2] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
}
