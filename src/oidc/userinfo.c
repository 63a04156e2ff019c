/* userinfo.c - claims by scope (userinfo.h). */
#include "oidc/userinfo.h"

#include <stdlib.h>
#include <string.h>

bool qoc_userinfo_scope_has(const char *scope, const char *name)
{
	size_t n = strlen(name);
	if (!scope || n == 0)
		return false;
	for (const char *p = scope; *p;) {
		while (*p == ' ')
			p++;
		const char *end = strchr(p, ' ');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && memcmp(p, name, n) == 0)
			return true;
		p += len;
	}
	return false;
}

enum qoc_err qoc_userinfo_add_claims(json_t *obj, const char *scope, const struct qoc_account *acct)
{
	int rc = 0;
	if (qoc_userinfo_scope_has(scope, "profile") && acct->name && acct->name[0])
		rc = json_object_set_new(obj, "name", json_string(acct->name));
	if (rc == 0 && qoc_userinfo_scope_has(scope, "email") && acct->email) {
		rc = json_object_set_new(obj, "email", json_string(acct->email));
		/* No address verification exists yet: never claim one. */
		if (rc == 0)
			rc = json_object_set_new(obj, "email_verified", json_false());
	}
	return rc ? QOC_ENOMEM : QOC_OK;
}

enum qoc_err qoc_userinfo_json(const char *scope, const struct qoc_account *acct,
                               struct qoc_buf *out)
{
	if (!acct || !acct->id || !acct->id[0])
		return QOC_EINVAL;
	char *text = NULL;
	enum qoc_err err = QOC_ENOMEM;
	json_t *obj = json_object();
	if (!obj || json_object_set_new(obj, "sub", json_string(acct->id)))
		goto out;
	if ((err = qoc_userinfo_add_claims(obj, scope, acct)))
		goto out;
	err = QOC_ENOMEM;
	if (!(text = json_dumps(obj, JSON_COMPACT)))
		goto out;
	err = qoc_buf_append_cstr(out, text);
out:
	free(text);
	json_decref(obj);
	return err;
}
