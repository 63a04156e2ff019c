/* teams.c - teams and their members (see teams.h). */
#include "console/teams.h"

#include <string.h>

#include "console/accounts.h"

enum qoc_err qoc_console_teams_of(const struct qoc_console_ctx *c, struct qoc_arena *a,
                                  const struct qoc_console_actor *who, struct qoc_team **out,
                                  size_t *count)
{
	return qoc_store_teams_of_account(c->store, a, who->account_id, out, count);
}

enum qoc_err qoc_console_team_create(const struct qoc_console_ctx *c, struct qoc_arena *a,
                                     const struct qoc_console_actor *who, const char *name,
                                     struct qoc_team *out, struct qoc_console_problem *p)
{
	memset(out, 0, sizeof(*out));
	memset(p, 0, sizeof(*p));
	const char *why = name ? qoc_account_check_name(name) : "is required (a string)";
	if (why)
		return qoc_console_refuse(p, QOC_EINVAL, "name", why);
	char id[32];
	enum qoc_err err = qoc_random_id("team_", 20, id, sizeof(id));
	if (err)
		return err;
	struct qoc_audit_event ev = qoc_console_event(c, who, "team.create", NULL);
	struct qoc_team t = {.id = id, .name = name, .created_at = ev.at, .role = QOC_ROLE_ADMIN};
	if ((err = qoc_store_team_create(c->store, &t, who->account_id, &ev)))
		return err;
	if (!(t.id = qoc_arena_strdup(a, id)) || !(t.name = qoc_arena_strdup(a, name)))
		return QOC_ENOMEM;
	*out = t;
	return QOC_OK;
}

enum qoc_err qoc_console_members_list(const struct qoc_console_ctx *c, struct qoc_arena *a,
                                      const struct qoc_console_team_ref *team,
                                      struct qoc_membership **out, size_t *count,
                                      struct qoc_console_problem *p)
{
	memset(p, 0, sizeof(*p));
	*out = NULL;
	*count = 0;
	if (team->role < QOC_ROLE_VIEWER)
		return qoc_console_refuse(p, QOC_EPERM, NULL, QOC_CONSOLE_ROLE_REFUSED);
	return qoc_store_team_members(c->store, a, team->team_id, out, count);
}

enum qoc_err qoc_console_role_of(const char *name, enum qoc_role *out,
                                 struct qoc_console_problem *p)
{
	*out = qoc_role_parse(name);
	if (*out == QOC_ROLE_NONE)
		return qoc_console_refuse(p, QOC_EINVAL, "role",
		                          "must be admin, developer or viewer");
	return QOC_OK;
}

static enum qoc_err admin_only(const struct qoc_console_team_ref *team,
                               struct qoc_console_problem *p)
{
	memset(p, 0, sizeof(*p));
	if (team->role != QOC_ROLE_ADMIN)
		return qoc_console_refuse(p, QOC_EPERM, NULL, QOC_CONSOLE_ROLE_REFUSED);
	return QOC_OK;
}

enum qoc_err qoc_console_member_add(const struct qoc_console_ctx *c, struct qoc_arena *a,
                                    const struct qoc_console_actor *who,
                                    const struct qoc_console_team_ref *team, const char *email,
                                    const char *role_name, struct qoc_membership *out,
                                    struct qoc_console_problem *p)
{
	enum qoc_role role;
	struct qoc_account acct;
	memset(out, 0, sizeof(*out));
	enum qoc_err err = admin_only(team, p);
	if (err || (err = qoc_console_role_of(role_name, &role, p)))
		return err;
	err = email ? qoc_store_account_by_email(c->store, a, email, &acct) : QOC_ENOTFOUND;
	if (err == QOC_ENOTFOUND)
		return qoc_console_refuse(p, QOC_EINVAL, "email", "no account has this email");
	struct qoc_audit_event ev = qoc_console_event(c, who, "team.member.add", NULL);
	if (err || (err = qoc_store_member_add(c->store, team->team_id, acct.id, role, &ev)))
		return err;
	const char *text = qoc_arena_printf(a, "%s added you to a team on QOC as %s.\n", who->email,
	                                    qoc_role_name(role));
	/* best effort: the membership stands whatever the mail does */
	qoc_console_notice(c, acct.email, QOC_TEAMS_ADDED_SUBJECT, text);
	*out = (struct qoc_membership){.team_id = team->team_id,
	                               .account_id = acct.id,
	                               .email = acct.email,
	                               .name = acct.name,
	                               .role = role,
	                               .created_at = ev.at};
	return QOC_OK;
}

enum qoc_err qoc_console_member_set_role(const struct qoc_console_ctx *c,
                                         const struct qoc_console_actor *who,
                                         const struct qoc_console_team_ref *team,
                                         const char *account_id, const char *role_name,
                                         enum qoc_role *out, struct qoc_console_problem *p)
{
	enum qoc_err err = admin_only(team, p);
	if (err || (err = qoc_console_role_of(role_name, out, p)))
		return err;
	struct qoc_audit_event ev = qoc_console_event(c, who, "team.member.role", NULL);
	err = qoc_store_member_set_role(c->store, team->team_id, account_id, *out, &ev);
	if (err == QOC_EPERM)
		return qoc_console_refuse(p, QOC_ECONFLICT, NULL, QOC_TEAMS_MUST_KEEP_ADMIN);
	return err;
}

enum qoc_err qoc_console_member_remove(const struct qoc_console_ctx *c,
                                       const struct qoc_console_actor *who,
                                       const struct qoc_console_team_ref *team,
                                       const char *account_id, struct qoc_console_problem *p)
{
	enum qoc_err err = admin_only(team, p);
	if (err)
		return err;
	struct qoc_audit_event ev = qoc_console_event(c, who, "team.member.remove", NULL);
	err = qoc_store_member_remove(c->store, team->team_id, account_id, &ev);
	if (err == QOC_EPERM)
		return qoc_console_refuse(p, QOC_ECONFLICT, NULL, QOC_TEAMS_MUST_KEEP_ADMIN);
	if (err == QOC_ECONFLICT)
		return qoc_console_refuse(p, QOC_ECONFLICT, NULL, QOC_TEAMS_OWNS_APPS);
	return err;
}
