#include "console/accounts.h"

#include <string.h>

#include "core/mem.h"
#include "core/random.h"
#include "crypto/password.h"

const char *qoc_account_check_email(const char *email)
{
	size_t len = strlen(email);
	if (len == 0)
		return "email is required";
	if (len > QOC_EMAIL_MAX)
		return "email is longer than 254 characters";
	const char *at = strchr(email, '@');
	if (!at || at == email || strchr(at + 1, '@'))
		return "email must look like name@example.com";
	const char *domain = at + 1;
	const char *dot = strchr(domain, '.');
	if (!dot || dot == domain || domain[strlen(domain) - 1] == '.')
		return "email must look like name@example.com";
	for (const unsigned char *p = (const unsigned char *)email; *p; p++)
		if (*p <= 0x20 || *p == 0x7f || *p == '<' || *p == '>' || *p == ',' || *p == ';' ||
		    *p == '"' || *p == '\\')
			return "email must not contain spaces, quotes or control characters";
	return NULL;
}

const char *qoc_account_check_name(const char *name)
{
	size_t len = strlen(name);
	if (len == 0)
		return "name is required";
	if (len > QOC_NAME_MAX)
		return "name is longer than 200 characters";
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return "name must not contain control characters";
	return NULL;
}

const char *qoc_account_check_password(const char *pw, size_t len)
{
	if (len < QOC_PASSWORD_MIN)
		return "password must be at least 8 characters";
	if (len > QOC_PASSWORD_MAX)
		return "password must be at most 1024 characters";
	if (memchr(pw, '\0', len))
		return "password must not contain a NUL character";
	return NULL;
}

enum qoc_err qoc_random_id(const char *prefix, size_t n, char *out, size_t out_size)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	size_t plen = strlen(prefix);
	if (plen + n + 1 > out_size)
		return QOC_ELIMIT;
	memcpy(out, prefix, plen);
	size_t i = 0;
	while (i < n) {
		unsigned char r[32];
		enum qoc_err err = qoc_random_bytes(r, sizeof(r));
		if (err)
			return err;
		/* 252 = 7 * 36: reject above it so every character is equally likely. */
		for (size_t j = 0; j < sizeof(r) && i < n; j++)
			if (r[j] < 252)
				out[plen + i++] = alphabet[r[j] % 36];
	}
	out[plen + n] = '\0';
	return QOC_OK;
}

enum qoc_err qoc_account_create(struct qoc_store *st, const struct qoc_clock *clock,
				const struct qoc_account_input *in, char *id_out, size_t id_size,
				const char **reason)
{
	char hash[QOC_PASSWORD_HASH_SIZE];
	enum qoc_err err;
	*reason = NULL;
	if ((*reason = qoc_account_check_email(in->email)) ||
	    (*reason = qoc_account_check_name(in->name)) ||
	    (in->password && (*reason = qoc_account_check_password(in->password, in->password_len))))
		return QOC_EINVAL;
	if ((err = qoc_random_id("acct_", 20, id_out, id_size)))
		return err;
	if (in->password && (err = qoc_password_hash(in->password, in->password_len, hash)))
		goto out;
	struct qoc_account acct = {
		.id = id_out,
		.email = in->email,
		.name = in->name,
		.password_hash = in->password ? hash : NULL,
		.is_admin = in->is_admin,
		.created_at = qoc_clock_now(clock),
	};
	err = qoc_store_account_create(st, &acct);
	if (err == QOC_ECONFLICT)
		*reason = "an account with this email already exists";
out:
	qoc_memwipe(hash, sizeof(hash));
	return err;
}
