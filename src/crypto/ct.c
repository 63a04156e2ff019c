#include "crypto/ct.h"

#include <openssl/crypto.h>

bool qoc_ct_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	/* On a length mismatch, compare a with itself so the work done (alen bytes) is the
	 * same as for a match; the result is then decided by the lengths alone. */
	const void *other = alen == blen ? b : a;
	int diff = alen ? CRYPTO_memcmp(a, other, alen) : 0;
	return (diff == 0) & (alen == blen);
}
