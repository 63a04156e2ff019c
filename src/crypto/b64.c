#include "crypto/b64.h"

#include <stdbool.h>
#include <stdlib.h>

#include "core/mem.h"

/* The two alphabets differ only in the values 62 and 63, and in padding. */
struct variant {
	unsigned c62;
	unsigned c63;
	bool padded;
};

static const struct variant url_variant = {'-', '_', false};
static const struct variant std_variant = {'+', '/', true};

/* Branch-free comparisons on small unsigned values (< 2^31): all ones or zero.
 * Used so the time taken does not depend on which characters a secret holds. */
static unsigned lt_mask(unsigned a, unsigned b)
{
	return 0u - ((a - b) >> 31);
}

static unsigned range_mask(unsigned c, unsigned lo, unsigned hi)
{
	return ~lt_mask(c, lo) & ~lt_mask(hi, c);
}

static char encode_value(const struct variant *var, unsigned v)
{
	unsigned c = (lt_mask(v, 26) & ('A' + v)) | (range_mask(v, 26, 51) & ('a' + v - 26)) |
	             (range_mask(v, 52, 61) & ('0' + v - 52)) | (range_mask(v, 62, 62) & var->c62) |
	             (range_mask(v, 63, 63) & var->c63);
	return (char)c;
}

/* The 6-bit value of c, or a value above 63 when c is not in the alphabet. */
static unsigned decode_char(const struct variant *var, unsigned char ch)
{
	unsigned c = ch;
	unsigned v =
	    (range_mask(c, 'A', 'Z') & (c - 'A' + 1)) | (range_mask(c, 'a', 'z') & (c - 'a' + 27)) |
	    (range_mask(c, '0', '9') & (c - '0' + 53)) | (range_mask(c, var->c62, var->c62) & 63) |
	    (range_mask(c, var->c63, var->c63) & 64);
	return v - 1; /* 0 (not in the alphabet) wraps to a huge value */
}

static void encode(const struct variant *var, const uint8_t *in, size_t len, char *out)
{
	size_t o = 0, i = 0;
	for (; i + 3 <= len; i += 3) {
		uint32_t w = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = encode_value(var, w >> 18);
		out[o++] = encode_value(var, (w >> 12) & 63);
		out[o++] = encode_value(var, (w >> 6) & 63);
		out[o++] = encode_value(var, w & 63);
	}
	if (len - i == 1) {
		out[o++] = encode_value(var, in[i] >> 2);
		out[o++] = encode_value(var, (in[i] & 3u) << 4);
	} else if (len - i == 2) {
		uint32_t w = (uint32_t)in[i] << 8 | in[i + 1];
		out[o++] = encode_value(var, w >> 10);
		out[o++] = encode_value(var, (w >> 4) & 63);
		out[o++] = encode_value(var, (w & 15u) << 2);
	}
	out[o] = '\0';
}

/* Checks the shape (length, padding) and gives the number of alphabet characters and the
 * decoded size. Shape is public: it depends only on the length and the trailing '='. */
static enum qoc_err decode_shape(const struct variant *var, const char *in, size_t len,
                                 size_t *chars, size_t *n)
{
	if (var->padded) {
		if (len % 4 != 0)
			return QOC_EINVAL;
		if (len > 0 && in[len - 1] == '=')
			len--;
		if (len > 0 && in[len - 1] == '=')
			len--;
	}
	if (len % 4 == 1)
		return QOC_EINVAL;
	*chars = len;
	*n = qoc_b64url_decoded_len(len);
	return QOC_OK;
}

static enum qoc_err decode(const struct variant *var, const char *in, size_t len, uint8_t *out,
                           size_t out_size, size_t *out_len)
{
	size_t chars, n;
	enum qoc_err err = decode_shape(var, in, len, &chars, &n);
	if (err)
		return err;
	if (n > out_size)
		return QOC_ELIMIT;
	uint32_t acc = 0, bad = 0;
	unsigned bits = 0;
	size_t o = 0;
	for (size_t i = 0; i < chars; i++) {
		unsigned v = decode_char(var, (unsigned char)in[i]);
		bad |= v >> 6;
		acc = acc << 6 | (v & 63);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	/* RFC 4648 §3.5: the unused bits of the last character must be zero. */
	bad |= acc & ((1u << bits) - 1);
	if (bad) {
		qoc_memwipe(out, n);
		return QOC_EINVAL;
	}
	*out_len = o;
	return QOC_OK;
}

/* Decodes through a temporary the size of the result, so `out` grows at most once. */
static enum qoc_err decode_buf(const struct variant *var, const char *in, size_t len,
                               struct qoc_buf *out)
{
	size_t chars, n, got = 0;
	enum qoc_err err = decode_shape(var, in, len, &chars, &n);
	if (err)
		return err;
	if (n > out->max - out->len)
		return QOC_ELIMIT;
	uint8_t *tmp = malloc(n ? n : 1);
	if (!tmp)
		return QOC_ENOMEM;
	err = decode(var, in, len, tmp, n, &got);
	if (!err)
		err = qoc_buf_append(out, tmp, got);
	qoc_memwipe(tmp, n);
	free(tmp);
	return err;
}

enum qoc_err qoc_b64url_encode_to(const void *in, size_t len, char *out, size_t out_size,
                                  size_t *out_len)
{
	size_t n = qoc_b64url_encoded_len(len);
	if (len > (SIZE_MAX - 4) / 4 * 3 || out_size < n + 1)
		return QOC_ELIMIT;
	encode(&url_variant, in, len, out);
	if (out_len)
		*out_len = n;
	return QOC_OK;
}

enum qoc_err qoc_b64url_encode(const void *in, size_t len, struct qoc_buf *out)
{
	if (len > (SIZE_MAX - 4) / 4 * 3)
		return QOC_ELIMIT;
	size_t n = qoc_b64url_encoded_len(len);
	if (n > out->max - out->len)
		return QOC_ELIMIT;
	char *tmp = malloc(n + 1);
	if (!tmp)
		return QOC_ENOMEM;
	encode(&url_variant, in, len, tmp);
	enum qoc_err err = qoc_buf_append(out, tmp, n);
	qoc_memwipe(tmp, n + 1);
	free(tmp);
	return err;
}

enum qoc_err qoc_b64url_decode_to(const char *in, size_t len, uint8_t *out, size_t out_size,
                                  size_t *out_len)
{
	return decode(&url_variant, in, len, out, out_size, out_len);
}

enum qoc_err qoc_b64url_decode(const char *in, size_t len, struct qoc_buf *out)
{
	return decode_buf(&url_variant, in, len, out);
}

enum qoc_err qoc_b64_decode(const char *in, size_t len, struct qoc_buf *out)
{
	return decode_buf(&std_variant, in, len, out);
}
