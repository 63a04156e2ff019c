/* transfer.c - an application to another member of its team (see transfer.h). */
#include "console/transfer.h"

#include <string.h>

#include "crypto/password.h"

static enum qoc_err may_transfer(const struct qoc_console_actor *who,
                                 const struct qoc_console_app_ref *ref,
                                 struct qoc_console_problem *p)
{
	memset(p, 0, sizeof(*p));
	if (!qoc_console_app_may(who, ref, QOC_ACT_OWNER))
		return qoc_console_refuse(p, QOC_EPERM, NULL, QOC_CONSOLE_ROLE_REFUSED);
	return QOC_OK;
}

enum qoc_err qoc_console_transfer_new_owner(const struct qoc_console_ctx *c, struct qoc_arena *a,
                                            const struct qoc_console_actor *who,
                                            const struct qoc_console_app_ref *ref,
                                            const char *new_owner, struct qoc_account *out,
                                            struct qoc_console_problem *p)
{
	memset(out, 0, sizeof(*out));
	enum qoc_err err = may_transfer(who, ref, p);
	if (err)
		return err;
	err = !new_owner               ? QOC_ENOTFOUND
	      : strchr(new_owner, '@') ? qoc_store_account_by_email(c->store, a, new_owner, out)
	                               : qoc_store_account_by_id(c->store, a, new_owner, out);
	if (err == QOC_ENOTFOUND || err == QOC_EINVAL)
		return qoc_console_refuse(p, QOC_EINVAL, "new_owner", "no such account");
	return err;
}

bool qoc_console_transfer_password_ok(const struct qoc_console_actor *who, const char *pw,
                                      size_t len)
{
	if (who->password_hash)
		return qoc_password_verify(who->password_hash, pw, len);
	qoc_password_dummy_verify(pw, len);
	return false;
}

enum qoc_err qoc_console_transfer_commit(const struct qoc_console_ctx *c, struct qoc_arena *a,
                                         const struct qoc_console_actor *who,
                                         struct qoc_console_app_ref *ref,
                                         const struct qoc_account *new_owner, bool password_ok,
                                         struct qoc_console_problem *p)
{
	enum qoc_err err = may_transfer(who, ref, p);
	if (err)
		return err;
	if (!password_ok)
		return qoc_console_refuse(p, QOC_EPERM, NULL, "the password is not correct");
	char *detail = qoc_arena_printf(a, "{\"from\":\"%s\",\"to\":\"%s\"}", ref->app.owner_id,
	                                new_owner->id);
	if (!detail)
		return QOC_ENOMEM;
	struct qoc_audit_event ev = qoc_console_event(c, who, "app.transfer", detail);
	err = qoc_store_app_transfer(c->store, ref->app.client_id, new_owner->id, &ev);
	if (err == QOC_EPERM)
		return qoc_console_refuse(p, QOC_EINVAL, "new_owner",
		                          "must be a member of the team");
	if (err || (err = qoc_store_app_get(c->store, a, ref->app.client_id, &ref->app)))
		return err;
	const char *text =
	    qoc_arena_printf(a, "%s transferred the application \"%s\" (%s) to you.\n", who->email,
	                     ref->app.name, ref->app.client_id);
	qoc_console_notice(c, new_owner->email, QOC_TRANSFER_SUBJECT, text);
	return QOC_OK;
}
