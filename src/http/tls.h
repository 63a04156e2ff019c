/* tls.h - HTTPS for the server: the certificate and key GnuTLS presents, reloadable.
 *
 * libmicrohttpd does the TLS (with GnuTLS, as Debian builds it); this module owns what it
 * presents. A struct qoc_tls holds the current credentials (certificate chain + private
 * key, read from two PEM files) in a refcounted holder. libmicrohttpd asks for them once
 * per handshake through MHD_OPTION_HTTPS_CERT_CALLBACK; each TLS connection takes a
 * reference at its handshake and drops it when libmicrohttpd reports the connection
 * closed (after it freed the GnuTLS session), so qoc_tls_reload() can swap in new files
 * at any time: connections already open keep the credentials they started with, new
 * handshakes get the new ones, nothing is freed while a session may still use it, and a
 * bad new file leaves the old credentials in place. docs/decisions/tls.md says why.
 *
 * Thread safety: every function may be called from any thread; qoc_tls_free only after
 * every server that used tls stopped.
 */
#ifndef QOC_HTTP_TLS_H
#define QOC_HTTP_TLS_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/* The GnuTLS priority string the server uses: TLS 1.3 and 1.2 only, AEAD ciphers
 * (AES-GCM, ChaCha20-Poly1305), ECDHE key exchange (docs/decisions/tls.md). */
extern const char qoc_tls_priorities[];

/* Longest certificate chain accepted in tls_cert. */
#define QOC_TLS_MAX_CHAIN 16
/* Largest tls_cert / tls_key file read. */
#define QOC_TLS_MAX_FILE (1024 * 1024)

struct qoc_tls;

/* Whether this libmicrohttpd was built with TLS and the certificate callback. */
bool qoc_tls_supported(void);

/* Reads and checks cert_path (PEM chain, server certificate first) and key_path (an
 * unencrypted PEM private key that must match the server certificate). On error *out
 * is NULL and msg holds one line naming the key, e.g. "tls_key (/etc/qoc/key.pem):
 * does not match the certificate in tls_cert". Errors: QOC_EIO (unreadable file),
 * QOC_EINVAL (not PEM, no certificate, unsorted or too long chain, key mismatch),
 * QOC_ECRYPTO (GnuTLS failed otherwise), QOC_ENOMEM. The paths are copied. */
enum qoc_err qoc_tls_new(const char *cert_path, const char *key_path, struct qoc_tls **out,
                         char *msg, size_t msg_size);

/* Reads both files again. On QOC_OK new handshakes present the new certificate (open
 * connections keep theirs); on any error (as qoc_tls_new) the current credentials stay
 * and msg names the key. Logs the outcome. */
enum qoc_err qoc_tls_reload(struct qoc_tls *tls, char *msg, size_t msg_size);

/* SHA-256 fingerprint of the server certificate new handshakes get, lower-case hex. */
void qoc_tls_fingerprint(struct qoc_tls *tls, char out[65]);

/* Frees tls (NULL is a no-op). Every server using it must have stopped. */
void qoc_tls_free(struct qoc_tls *tls);

/* ---- for http/server.c ---- */

/* Fills opts (an MHD_OPTION_ARRAY of 3 items) with the certificate callback and the
 * priority string; the daemon needs MHD_USE_TLS too. */
void qoc_tls_daemon_options(struct MHD_OptionItem opts[3]);

/* A connection of a daemon serving tls opened (MHD_CONNECTION_NOTIFY_STARTED): from now
 * on its handshake finds tls. QOC_ENOMEM: its handshake will fail (the client sees the
 * connection closed). */
enum qoc_err qoc_tls_conn_open(struct qoc_tls *tls, struct MHD_Connection *conn);
/* The connection closed (MHD_CONNECTION_NOTIFY_CLOSED): drops its reference. Unknown
 * connections are a no-op. */
void qoc_tls_conn_close(struct MHD_Connection *conn);

/* Connections holding a reference on some credentials now (tests, diagnostics). */
unsigned qoc_tls_leases(void);

#endif
