/* crypto_testutil.h - small helpers shared by the tests/unit/test_crypto_*.c files. */
#ifndef QOC_TEST_CRYPTO_TESTUTIL_H
#define QOC_TEST_CRYPTO_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Decodes the hex string hex into out (which must hold strlen(hex)/2 bytes); returns the
 * byte count, or (size_t)-1 when hex is not valid hex. Test data only. */
static inline size_t test_unhex(const char *hex, uint8_t *out)
{
	size_t n = strlen(hex);
	if (n % 2)
		return (size_t)-1;
	for (size_t i = 0; i < n; i += 2) {
		unsigned v = 0;
		for (size_t j = 0; j < 2; j++) {
			char c = hex[i + j];
			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				v |= (unsigned)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				v |= (unsigned)(c - 'A' + 10);
			else
				return (size_t)-1;
		}
		out[i / 2] = (uint8_t)v;
	}
	return n / 2;
}

/* Lower-case hex of in[len] into out (2 * len + 1 bytes). */
static inline char *test_hex(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
	return out;
}

#endif
