/* audit.h - reading the audit log from the console: an application's entries or a team's,
 * newest first, paged by the id of the last entry seen. Any member of the team (viewer and
 * up) reads them; another team's log is 404 (QOC_ENOTFOUND), never 403.
 *
 * Ownership: q is the caller's (its filters read, its team or client id set here); the
 * page lives in the arena `a`. Errors: console/access.h.
 */
#ifndef QOC_CONSOLE_AUDIT_H
#define QOC_CONSOLE_AUDIT_H

#include "console/access.h"

/* The entries of ref->app (the ref of qoc_console_app_open with QOC_ACT_READ). */
enum qoc_err qoc_console_audit_app(const struct qoc_console_ctx *c, struct qoc_arena *a,
                                   const struct qoc_console_actor *who,
                                   const struct qoc_console_app_ref *ref, struct qoc_audit_query *q,
                                   struct qoc_audit_page *out);

/* The entries of team_id (NULL: the caller's personal team), the caller a member. */
enum qoc_err qoc_console_audit_team(const struct qoc_console_ctx *c, struct qoc_arena *a,
                                    const struct qoc_console_actor *who, const char *team_id,
                                    struct qoc_audit_query *q, struct qoc_audit_page *out);

#endif
