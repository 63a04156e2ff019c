#include "crypto/password.h"

#include <string.h>

#include <sodium.h>

_Static_assert(QOC_PASSWORD_HASH_SIZE == crypto_pwhash_STRBYTES, "encoded hash size");

/* A hash made once with the current parameters (of a password nobody uses); verifying
 * against it costs what a real verify costs. test_crypto_password checks that its
 * parameters stay the current ones. */
static const char dummy_hash[QOC_PASSWORD_HASH_SIZE] =
    "$argon2id$v=19$m=19456,t=2,p=1$25wX+oIkiCw+y+KyKKVPiA$"
    "omY/OBYfLchOR6IpVONVx0FC+3HoXsuzN0xjhmY78DM";

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static bool sodium_ready;

static void sodium_start(void)
{
	sodium_ready = sodium_init() >= 0;
}

static bool ready(void)
{
	pthread_once(&sodium_once, sodium_start);
	return sodium_ready;
}

/* libsodium declares its encoded-hash parameters as char[crypto_pwhash_STRBYTES]: copy
 * the caller's string (from the store, any length) into a buffer of exactly that size.
 * false when it is not a NUL-terminated string that fits. */
static bool copy_encoded(const char *encoded, char out[QOC_PASSWORD_HASH_SIZE])
{
	size_t n = encoded ? strnlen(encoded, QOC_PASSWORD_HASH_SIZE) : QOC_PASSWORD_HASH_SIZE;
	if (n >= QOC_PASSWORD_HASH_SIZE)
		return false;
	memset(out, 0, QOC_PASSWORD_HASH_SIZE);
	memcpy(out, encoded, n);
	return true;
}

enum qoc_err qoc_password_hash(const char *pw, size_t len, char out[QOC_PASSWORD_HASH_SIZE])
{
	if (len > QOC_PASSWORD_MAX_LEN)
		return QOC_EINVAL;
	if (!ready())
		return QOC_ECRYPTO;
	if (crypto_pwhash_str_alg(out, pw, len, QOC_PASSWORD_OPSLIMIT, QOC_PASSWORD_MEMLIMIT,
	                          crypto_pwhash_ALG_ARGON2ID13) != 0)
		return QOC_ENOMEM; /* the only way it fails with valid parameters */
	return QOC_OK;
}

bool qoc_password_verify(const char *encoded, const char *pw, size_t len)
{
	char str[QOC_PASSWORD_HASH_SIZE];
	if (len > QOC_PASSWORD_MAX_LEN || !copy_encoded(encoded, str) || !ready())
		return false;
	return crypto_pwhash_str_verify(str, pw, len) == 0;
}

bool qoc_password_needs_rehash(const char *encoded)
{
	char str[QOC_PASSWORD_HASH_SIZE];
	if (!copy_encoded(encoded, str) || !ready())
		return true;
	/* libsodium would accept argon2i at the same parameters; we want argon2id. */
	if (strncmp(str, crypto_pwhash_argon2id_STRPREFIX,
	            sizeof(crypto_pwhash_argon2id_STRPREFIX) - 1) != 0)
		return true;
	return crypto_pwhash_str_needs_rehash(str, QOC_PASSWORD_OPSLIMIT, QOC_PASSWORD_MEMLIMIT) !=
	       0;
}

void qoc_password_dummy_verify(const char *pw, size_t len)
{
	(void)qoc_password_verify(dummy_hash, pw, len);
}

enum qoc_err qoc_pwlimit_init(struct qoc_pwlimit *l, unsigned max_active, unsigned max_waiting)
{
	if (max_active == 0)
		return QOC_EINVAL;
	l->max_active = max_active;
	l->max_waiting = max_waiting;
	l->active = l->waiting = 0;
	if (pthread_mutex_init(&l->lock, NULL) != 0)
		return QOC_ENOMEM;
	if (pthread_cond_init(&l->freed, NULL) != 0) {
		pthread_mutex_destroy(&l->lock);
		return QOC_ENOMEM;
	}
	return QOC_OK;
}

void qoc_pwlimit_release(struct qoc_pwlimit *l)
{
	pthread_cond_destroy(&l->freed);
	pthread_mutex_destroy(&l->lock);
}

enum qoc_err qoc_pwlimit_enter(struct qoc_pwlimit *l)
{
	enum qoc_err err = QOC_OK;
	pthread_mutex_lock(&l->lock);
	if (l->active >= l->max_active) {
		if (l->waiting >= l->max_waiting) {
			err = QOC_EBUSY;
			goto out;
		}
		l->waiting++;
		while (l->active >= l->max_active)
			pthread_cond_wait(&l->freed, &l->lock);
		l->waiting--;
	}
	l->active++;
out:
	pthread_mutex_unlock(&l->lock);
	return err;
}

void qoc_pwlimit_leave(struct qoc_pwlimit *l)
{
	pthread_mutex_lock(&l->lock);
	l->active--;
	pthread_cond_signal(&l->freed);
	pthread_mutex_unlock(&l->lock);
}
