/* password.h - password hashing (argon2id, libsodium) and a limit on concurrent hashing.
 *
 * Hashes are libsodium's encoded strings ("$argon2id$v=19$m=19456,t=2,p=1$salt$hash")
 * at the OWASP Password Storage Cheat Sheet's first choice: argon2id, m = 19 MiB, t = 2,
 * p = 1. The encoded string carries its own parameters and salt, so old hashes keep
 * verifying after the parameters change; qoc_password_needs_rehash() tells the login
 * path when to store a fresh hash.
 *
 * Why a limiter: one hash takes ~10 ms of CPU and 19 MiB of memory on the reference
 * machine (ARCHITECTURE.md §4). A burst of logins, or an attacker posting passwords,
 * would otherwise occupy every server thread and hundreds of MiB, starving the token
 * endpoint and everything else. struct qoc_pwlimit lets at most `max_active` hashes run
 * at once and at most `max_waiting` callers wait for a slot; past that qoc_pwlimit_enter
 * answers QOC_EBUSY at once and the handler replies 503 with Retry-After instead of
 * parking yet another thread. Every call below that hashes (hash, verify, dummy_verify)
 * should run between qoc_pwlimit_enter and qoc_pwlimit_leave.
 *
 * Unknown accounts: qoc_password_dummy_verify() does the same work as a real verify
 * against a hash with the current parameters, so "no such user" and "wrong password"
 * take the same time and give the same answer (SECURITY.md "Passwords").
 *
 * Passwords are borrowed (pointer + length, any bytes, at most QOC_PASSWORD_MAX_LEN) and
 * never copied or logged; wiping them is the caller's job.
 */
#ifndef QOC_CRYPTO_PASSWORD_H
#define QOC_CRYPTO_PASSWORD_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/* Size of an encoded hash buffer, NUL included (crypto_pwhash_STRBYTES). */
#define QOC_PASSWORD_HASH_SIZE 128
/* Longer passwords are refused: hashing cost must not depend on attacker input size. */
#define QOC_PASSWORD_MAX_LEN 1024
#define QOC_PASSWORD_OPSLIMIT 2
#define QOC_PASSWORD_MEMLIMIT (19u * 1024 * 1024)

/* Hashes pw into out (NUL-terminated). QOC_EINVAL when len > QOC_PASSWORD_MAX_LEN,
 * QOC_ENOMEM when the 19 MiB cannot be had, QOC_ECRYPTO on another libsodium failure. */
enum qoc_err qoc_password_hash(const char *pw, size_t len, char out[QOC_PASSWORD_HASH_SIZE]);

/* Does pw match the encoded hash? false for a malformed or unsupported encoding too. */
bool qoc_password_verify(const char *encoded, const char *pw, size_t len);

/* Should this stored hash be replaced (other algorithm or parameters, or malformed)? */
bool qoc_password_needs_rehash(const char *encoded);

/* Burns the time of one qoc_password_verify() for an account that does not exist. */
void qoc_password_dummy_verify(const char *pw, size_t len);

struct qoc_pwlimit {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	unsigned max_active;
	unsigned max_waiting;
	unsigned active;  /* callers between enter and leave */
	unsigned waiting; /* callers blocked in enter */
};

/* max_active >= 1; max_waiting may be 0 (no waiting room: busy means QOC_EBUSY). */
enum qoc_err qoc_pwlimit_init(struct qoc_pwlimit *l, unsigned max_active, unsigned max_waiting);
/* No caller may be inside or waiting. */
void qoc_pwlimit_release(struct qoc_pwlimit *l);
/* QOC_OK: a slot is held, call qoc_pwlimit_leave when done. QOC_EBUSY: every slot is
 * taken and the waiting room is full; nothing is held. */
enum qoc_err qoc_pwlimit_enter(struct qoc_pwlimit *l);
void qoc_pwlimit_leave(struct qoc_pwlimit *l);

#endif
