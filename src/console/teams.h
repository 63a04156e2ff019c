/* teams.h - the team use cases of the console: the caller's teams, a new team, and the
 * members of a team (list, add, change a role, remove), each written with its audit entry
 * ("team.create", "team.member.add", "team.member.role", "team.member.remove").
 *
 * Who may: any member lists the members; only a team admin adds, changes or removes one
 * (the ref's role, console/access.h, is checked by each function). A team always keeps an
 * admin, and a member who still owns applications of the team is not removed (transfer
 * them first): both are 409s with their own words.
 *
 * Ownership: strings passed in are borrowed for the call; what comes back lives in the
 * arena `a`. Errors and the problem they fill: console/access.h.
 */
#ifndef QOC_CONSOLE_TEAMS_H
#define QOC_CONSOLE_TEAMS_H

#include <stddef.h>

#include "console/access.h"

#define QOC_TEAMS_MUST_KEEP_ADMIN "the team must keep an admin"
#define QOC_TEAMS_OWNS_APPS "the member still owns applications: transfer them first"
#define QOC_TEAMS_ADDED_SUBJECT "You were added to a team"

/* The caller's teams with their role in each, the personal team first. */
enum qoc_err qoc_console_teams_of(const struct qoc_console_ctx *c, struct qoc_arena *a,
                                  const struct qoc_console_actor *who, struct qoc_team **out,
                                  size_t *count);

/* A new team named name (NULL: not given; the account name rules of console/accounts.h)
 * with the caller as its admin. *out is the team as made (role admin; id in a). EINVAL:
 * field "name". */
enum qoc_err qoc_console_team_create(const struct qoc_console_ctx *c, struct qoc_arena *a,
                                     const struct qoc_console_actor *who, const char *name,
                                     struct qoc_team *out, struct qoc_console_problem *p);

/* The members of the team (any member; the ref of qoc_console_team_open). */
enum qoc_err qoc_console_members_list(const struct qoc_console_ctx *c, struct qoc_arena *a,
                                      const struct qoc_console_team_ref *team,
                                      struct qoc_membership **out, size_t *count,
                                      struct qoc_console_problem *p);

/* Parses a role name: QOC_EINVAL (field "role") unless admin, developer or viewer. */
enum qoc_err qoc_console_role_of(const char *name, enum qoc_role *out,
                                 struct qoc_console_problem *p);

/* Adds the account with this email (NULL: not given) to the team as role (a role name)
 * and sends it the notice "You were added to a team". Team admins only (EPERM). EINVAL:
 * field "role" or "email" (no such account); ECONFLICT (no detail): already a member.
 * *out is the new membership (strings in a). */
enum qoc_err qoc_console_member_add(const struct qoc_console_ctx *c, struct qoc_arena *a,
                                    const struct qoc_console_actor *who,
                                    const struct qoc_console_team_ref *team, const char *email,
                                    const char *role, struct qoc_membership *out,
                                    struct qoc_console_problem *p);

/* Sets a member's role (a role name). Team admins only. ENOTFOUND: not a member;
 * ECONFLICT: QOC_TEAMS_MUST_KEEP_ADMIN. *out is the role set. */
enum qoc_err qoc_console_member_set_role(const struct qoc_console_ctx *c,
                                         const struct qoc_console_actor *who,
                                         const struct qoc_console_team_ref *team,
                                         const char *account_id, const char *role,
                                         enum qoc_role *out, struct qoc_console_problem *p);

/* Removes a member. Team admins only. ENOTFOUND: not a member; ECONFLICT:
 * QOC_TEAMS_MUST_KEEP_ADMIN or QOC_TEAMS_OWNS_APPS. */
enum qoc_err qoc_console_member_remove(const struct qoc_console_ctx *c,
                                       const struct qoc_console_actor *who,
                                       const struct qoc_console_team_ref *team,
                                       const char *account_id, struct qoc_console_problem *p);

#endif
