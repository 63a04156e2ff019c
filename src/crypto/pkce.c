#include "crypto/pkce.h"

#include <stdint.h>

#include "crypto/b64.h"
#include "crypto/ct.h"
#include "crypto/hash.h"

/* RFC 7636 §4.1: unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~" */
static bool unreserved(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

bool qoc_pkce_verifier_valid(const char *s, size_t len)
{
	if (len < QOC_PKCE_VERIFIER_MIN || len > QOC_PKCE_VERIFIER_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!unreserved(s[i]))
			return false;
	}
	return true;
}

bool qoc_pkce_challenge_valid(const char *s, size_t len)
{
	uint8_t digest[QOC_SHA256_LEN];
	size_t n = 0;
	return len == QOC_PKCE_CHALLENGE_LEN &&
	       qoc_b64url_decode_to(s, len, digest, sizeof(digest), &n) == QOC_OK &&
	       n == QOC_SHA256_LEN;
}

enum qoc_err qoc_pkce_s256(const char *verifier, size_t len, char out[QOC_PKCE_CHALLENGE_LEN + 1])
{
	uint8_t digest[QOC_SHA256_LEN];
	if (!qoc_pkce_verifier_valid(verifier, len))
		return QOC_EINVAL;
	enum qoc_err err = qoc_hash_sha256(verifier, len, digest);
	if (!err)
		err = qoc_b64url_encode_to(digest, sizeof(digest), out, QOC_PKCE_CHALLENGE_LEN + 1,
		                           NULL);
	return err;
}

bool qoc_pkce_check(const char *verifier, size_t vlen, const char *challenge, size_t clen)
{
	char computed[QOC_PKCE_CHALLENGE_LEN + 1];
	if (qoc_pkce_s256(verifier, vlen, computed) != QOC_OK)
		return false;
	return qoc_ct_equal(computed, QOC_PKCE_CHALLENGE_LEN, challenge, clen);
}
