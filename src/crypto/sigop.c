#include "crypto/sigop.h"

#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "core/metrics.h"

/* Why sharing the templates is safe. A template is set up completely in qoc_sigop_new,
 * before the key is published, and never used for an operation itself: every call
 * duplicates it and works on the duplicate only.
 *  - EVP_PKEY_CTX_dup(const EVP_PKEY_CTX *) (OpenSSL 3.0 crypto/evp/pmeth_lib.c) reads
 *    the template, takes references on the key, key manager and signature method with
 *    their atomic up_ref functions, and calls the provider's dupctx (rsa_dupctx,
 *    ecdsa_dupctx in providers/implementations/signature/), which copies the provider
 *    context and again only takes references. Nothing in the template is written.
 *  - EVP_MD_CTX_copy_ex(out, const EVP_MD_CTX *in) (crypto/evp/digest.c) copies *in,
 *    up_refs its digest and duplicates its EVP_PKEY_CTX the same way (the EdDSA case).
 *  - The EVP_MD is a fetched, reference-counted method object: EVP_Digest only reads it
 *    and up_refs it.
 * openssl-threads(7): objects are thread-safe as long as the functions called on them do
 * not modify them. The duplicates are per call and never shared. */
struct qoc_sigop {
	enum qoc_jws_alg alg;
	EVP_MD *md;          /* SHA-256 (RS256, PS256, ES256); NULL for EdDSA */
	EVP_PKEY_CTX *sign;  /* after EVP_PKEY_sign_init + parameters; NULL: cannot sign */
	EVP_PKEY_CTX *check; /* after EVP_PKEY_verify_init + parameters */
	EVP_MD_CTX *ed_sign; /* EdDSA: after EVP_DigestSignInit_ex; NULL: cannot sign */
	EVP_MD_CTX *ed_check;
};

/* A sign or verify context for a hash-then-sign algorithm over a SHA-256 digest we
 * compute ourselves; the signature bytes are those EVP_DigestSign gives for the same
 * parameters (it hashes and then calls the same provider sign function). */
static EVP_PKEY_CTX *prehash_template(EVP_PKEY *pkey, enum qoc_jws_alg alg, EVP_MD *md, bool sign)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	bool ok = ctx && (sign ? EVP_PKEY_sign_init(ctx) : EVP_PKEY_verify_init(ctx)) == 1 &&
	          EVP_PKEY_CTX_set_signature_md(ctx, md) == 1;
	if (ok && alg == QOC_JWS_RS256)
		ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1;
	else if (ok && alg == QOC_JWS_PS256) /* RFC 7518 §3.5: MGF1 with SHA-256, salt = 32 */
		ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) == 1 &&
		     EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
		     EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) == 1;
	if (!ok) {
		EVP_PKEY_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* Ed25519 signs the message itself (RFC 8037 §3.1): a DigestSign context with no
 * digest, for EVP_DigestSign's one-shot call. */
static EVP_MD_CTX *eddsa_template(EVP_PKEY *pkey, bool sign)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	if (m && (sign ? EVP_DigestSignInit_ex(m, NULL, NULL, NULL, NULL, pkey, NULL)
	               : EVP_DigestVerifyInit_ex(m, NULL, NULL, NULL, NULL, pkey, NULL)) == 1)
		return m;
	EVP_MD_CTX_free(m);
	return NULL;
}

enum qoc_err qoc_sigop_new(EVP_PKEY *pkey, enum qoc_jws_alg alg, bool can_sign,
                           struct qoc_sigop **out)
{
	struct qoc_sigop *op;
	bool ok;

	*out = NULL;
	if (!qoc_sigkey_alg_name(alg))
		return QOC_EINVAL;
	op = calloc(1, sizeof(*op));
	if (!op)
		return QOC_ENOMEM;
	op->alg = alg;
	if (alg == QOC_JWS_EDDSA) {
		op->ed_check = eddsa_template(pkey, false);
		ok = op->ed_check && (!can_sign || (op->ed_sign = eddsa_template(pkey, true)));
	} else {
		op->md = EVP_MD_fetch(NULL, "SHA256", NULL);
		ok = op->md && (op->check = prehash_template(pkey, alg, op->md, false)) &&
		     (!can_sign || (op->sign = prehash_template(pkey, alg, op->md, true)));
	}
	if (!ok) {
		ERR_clear_error();
		qoc_sigop_free(op);
		return QOC_ECRYPTO;
	}
	*out = op;
	return QOC_OK;
}

void qoc_sigop_free(struct qoc_sigop *op)
{
	if (!op)
		return;
	EVP_PKEY_CTX_free(op->sign);
	EVP_PKEY_CTX_free(op->check);
	EVP_MD_CTX_free(op->ed_sign);
	EVP_MD_CTX_free(op->ed_check);
	EVP_MD_free(op->md);
	free(op);
}

/* A private copy of an EdDSA template; NULL when out of memory. */
static EVP_MD_CTX *ed_copy(const EVP_MD_CTX *tmpl)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	if (m && EVP_MD_CTX_copy_ex(m, tmpl) != 1) {
		EVP_MD_CTX_free(m);
		m = NULL;
	}
	return m;
}

/* The alg label of qoc_signatures_total (core/metrics.h). */
static enum qoc_metrics_alg metric_alg(enum qoc_jws_alg alg)
{
	switch (alg) {
	case QOC_JWS_RS256:
		return QOC_METRICS_ALG_RS256;
	case QOC_JWS_PS256:
		return QOC_METRICS_ALG_PS256;
	case QOC_JWS_ES256:
		return QOC_METRICS_ALG_ES256;
	case QOC_JWS_EDDSA:
		return QOC_METRICS_ALG_EDDSA;
	case QOC_JWS_ALG_UNSET:
		break;
	}
	return QOC_METRICS_ALG_COUNT; /* not counted */
}

enum qoc_err qoc_sigop_sign(const struct qoc_sigop *op, const void *data, size_t len, uint8_t *sig,
                            size_t *siglen)
{
	uint8_t digest[EVP_MAX_MD_SIZE];
	unsigned dlen = 0;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_MD_CTX *m = NULL;
	enum qoc_err err = QOC_ENOMEM;

	if (!op->sign && !op->ed_sign)
		return QOC_EINVAL;
	qoc_metrics_signature(metric_alg(op->alg), QOC_METRICS_SIGN);
	if (op->alg == QOC_JWS_EDDSA) {
		m = ed_copy(op->ed_sign);
		if (m)
			err = EVP_DigestSign(m, sig, siglen, data, len) == 1 ? QOC_OK : QOC_ECRYPTO;
		goto out;
	}
	if (EVP_Digest(data, len, digest, &dlen, op->md, NULL) != 1) {
		err = QOC_ECRYPTO;
		goto out;
	}
	ctx = EVP_PKEY_CTX_dup(op->sign);
	if (ctx)
		err = EVP_PKEY_sign(ctx, sig, siglen, digest, dlen) == 1 ? QOC_OK : QOC_ECRYPTO;
out:
	if (err)
		ERR_clear_error();
	EVP_PKEY_CTX_free(ctx);
	EVP_MD_CTX_free(m);
	return err;
}

enum qoc_err qoc_sigop_verify(const struct qoc_sigop *op, const void *data, size_t len,
                              const uint8_t *sig, size_t siglen)
{
	uint8_t digest[EVP_MAX_MD_SIZE];
	unsigned dlen = 0;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_MD_CTX *m = NULL;
	enum qoc_err err = QOC_ENOMEM;

	qoc_metrics_signature(metric_alg(op->alg), QOC_METRICS_VERIFY);
	if (op->alg == QOC_JWS_EDDSA) {
		m = ed_copy(op->ed_check);
		if (m)
			err =
			    EVP_DigestVerify(m, sig, siglen, data, len) == 1 ? QOC_OK : QOC_ECRYPTO;
		goto out;
	}
	if (EVP_Digest(data, len, digest, &dlen, op->md, NULL) != 1) {
		err = QOC_ECRYPTO;
		goto out;
	}
	ctx = EVP_PKEY_CTX_dup(op->check);
	if (ctx)
		err = EVP_PKEY_verify(ctx, sig, siglen, digest, dlen) == 1 ? QOC_OK : QOC_ECRYPTO;
out:
	ERR_clear_error();
	EVP_PKEY_CTX_free(ctx);
	EVP_MD_CTX_free(m);
	return err;
}
