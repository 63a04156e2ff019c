/* csrf.c - HMAC tokens binding a form to a browser and a purpose (see csrf.h). */
#include "login/csrf.h"

#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "crypto/b64.h"
#include "crypto/ct.h"
#include "crypto/hash.h"

/* Longest browser id + purpose we MAC; ids are 43 characters, purposes a word. A bound
 * keeps a hostile cookie from costing more than one small HMAC. */
#define MAX_INPUT 512

enum qoc_err qoc_csrf_token(const uint8_t key[QOC_CSRF_KEY_LEN], const char *browser_id,
                            const char *purpose, char out[QOC_CSRF_TOKEN_LEN + 1])
{
	enum qoc_err err = QOC_EINVAL;
	uint8_t mac[QOC_SHA256_LEN];
	struct qoc_buf msg;
	qoc_buf_init(&msg, MAX_INPUT);
	out[0] = '\0';
	if (!browser_id || !browser_id[0] || !purpose || !purpose[0])
		goto out;
	/* The 0x00 separator cannot occur inside either C string, so (id, purpose) pairs
	 * map to distinct messages: ("ab", "c") and ("a", "bc") differ. */
	err = qoc_buf_append(&msg, browser_id, strlen(browser_id) + 1);
	if (!err)
		err = qoc_buf_append_cstr(&msg, purpose);
	if (err)
		goto out;
	err = qoc_hash_hmac_sha256(key, QOC_CSRF_KEY_LEN, msg.data, msg.len, mac);
	if (err)
		goto out;
	err = qoc_b64url_encode_to(mac, sizeof mac, out, QOC_CSRF_TOKEN_LEN + 1, NULL);
out:
	qoc_memwipe(mac, sizeof mac);
	qoc_buf_release(&msg);
	return err;
}

bool qoc_csrf_check(const uint8_t key[QOC_CSRF_KEY_LEN], const char *browser_id,
                    const char *purpose, const char *presented)
{
	char want[QOC_CSRF_TOKEN_LEN + 1];
	if (!presented || !presented[0])
		return false;
	if (qoc_csrf_token(key, browser_id, purpose, want) != QOC_OK)
		return false;
	/* Bounded strlen: a presented value longer than a token is wrong whatever it holds. */
	size_t len = strnlen(presented, QOC_CSRF_TOKEN_LEN + 1);
	bool ok = qoc_ct_equal(want, QOC_CSRF_TOKEN_LEN, presented, len);
	qoc_memwipe(want, sizeof want);
	return ok;
}
