/* authz_flow.c - SSO session, consent and prompt decisions of the authorization endpoint. */
#include "oauth/authz_flow.h"

#include <string.h>

#include "oauth/authorize.h"

bool qoc_authz_session_usable(const struct qoc_authz_session_facts *s, unsigned prompt,
                              int64_t max_age, int64_t now)
{
	if (!s->has_session || !s->account_id)
		return false;
	if (prompt & (QOC_PROMPT_LOGIN | QOC_PROMPT_SELECT_ACCOUNT))
		return false;
	/* OIDC Core §3.1.2.1: max_age=0 is prompt=login; else re-authenticate when the
	 * elapsed time is greater than max_age. max_age is bounded (ten years) and auth_time
	 * is ours, so the subtraction cannot overflow. */
	if (max_age == 0)
		return false;
	if (max_age > 0 && now - s->auth_time > max_age)
		return false;
	if (s->hint_given && (!s->hint_sub || strcmp(s->hint_sub, s->account_id) != 0))
		return false;
	return true;
}

bool qoc_authz_consent_covers(const struct qoc_scope *requested, const char *granted,
                              unsigned prompt, bool first_party)
{
	if (prompt & QOC_PROMPT_CONSENT)
		return false;
	if (first_party)
		return true;
	if (!granted)
		return false;
	struct qoc_scope g;
	/* "" is a valid grant (an empty-scope request was allowed) but not a valid scope. */
	if (granted[0] == '\0')
		qoc_scope_init(&g);
	else if (qoc_scope_parse(granted, strlen(granted), &g) != QOC_OK)
		return false;
	return qoc_scope_is_subset(requested, &g);
}

enum qoc_authz_next qoc_authz_next_step(unsigned prompt, bool session_usable, bool consent_covered)
{
	bool none = (prompt & QOC_PROMPT_NONE) != 0;
	if (!session_usable)
		return none ? QOC_AUTHZ_NEXT_LOGIN_REQUIRED : QOC_AUTHZ_NEXT_SIGNIN;
	if (!consent_covered)
		return none ? QOC_AUTHZ_NEXT_CONSENT_REQUIRED : QOC_AUTHZ_NEXT_CONSENT;
	return QOC_AUTHZ_NEXT_COMPLETE;
}

enum qoc_authz_next qoc_authz_next_after_signin(bool consent_covered)
{
	return consent_covered ? QOC_AUTHZ_NEXT_COMPLETE : QOC_AUTHZ_NEXT_CONSENT;
}

enum qoc_err qoc_authz_consent_union(const char *granted, const struct qoc_scope *requested,
                                     char out[QOC_SCOPE_MAX_BYTES + 1])
{
	struct qoc_scope u;
	qoc_scope_init(&u);
	if (granted && granted[0] && qoc_scope_parse(granted, strlen(granted), &u) != QOC_OK)
		qoc_scope_init(&u);
	enum qoc_err err = qoc_scope_union(&u, requested);
	if (err) {
		qoc_scope_format(requested, out);
		return err;
	}
	qoc_scope_format(&u, out);
	return QOC_OK;
}

bool qoc_authz_app_is_first_party(const struct qoc_app *app)
{
	return app && app->client_id && strcmp(app->client_id, QOC_CONSOLE_CLIENT_ID) == 0;
}
