/* accounts.h - the account use cases shared by `qoc user add`, QOC Login sign-up and the
 * console API: validation of what a person typed, argon2id hashing, id generation.
 */
#ifndef QOC_CONSOLE_ACCOUNTS_H
#define QOC_CONSOLE_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/clock.h"
#include "core/err.h"
#include "store/store.h"

#define QOC_PASSWORD_MIN 8     /* NIST SP 800-63B §5.1.1.2 */
#define QOC_PASSWORD_MAX 1024  /* bounded: argon2id work must not depend on attacker length */
#define QOC_EMAIL_MAX 254      /* RFC 5321 §4.5.3.1.3 path limit less the brackets */
#define QOC_NAME_MAX 200

struct qoc_account_input {
	const char *email;
	const char *name;
	const char *password;  /* NULL: no password (sign-in impossible until one is set) */
	size_t password_len;
	bool is_admin;
};

/* NULL when valid, else a reason naming the field (static text). */
const char *qoc_account_check_email(const char *email);
const char *qoc_account_check_name(const char *name);
const char *qoc_account_check_password(const char *pw, size_t len);

/* Validates, hashes the password and stores the account. On success writes the new id
 * ("acct_" + 20 lower-case letters/digits) into id_out (>= 32 bytes).
 * QOC_EINVAL with *reason set for bad input; QOC_ECONFLICT when the email is taken. */
enum qoc_err qoc_account_create(struct qoc_store *st, const struct qoc_clock *clock,
				const struct qoc_account_input *in, char *id_out, size_t id_size,
				const char **reason);

/* Fills out with `prefix` + n characters from [a-z0-9] (no modulo bias), NUL-terminated. */
enum qoc_err qoc_random_id(const char *prefix, size_t n, char *out, size_t out_size);

#endif
