/* ct.h - constant-time comparison.
 *
 * For secrets and MACs: client secrets' keyed hashes, PKCE challenges, CSRF tokens. The
 * time taken depends on the lengths only, never on where the first difference is, and a
 * length mismatch does not return early (it still compares alen bytes). Lengths are not
 * hidden: compare fixed-size values (hashes) when the length itself is secret.
 */
#ifndef QOC_CRYPTO_CT_H
#define QOC_CRYPTO_CT_H

#include <stdbool.h>
#include <stddef.h>

/* true when alen == blen and the bytes are equal. NULL is allowed with a length of 0. */
bool qoc_ct_equal(const void *a, size_t alen, const void *b, size_t blen);

#endif
