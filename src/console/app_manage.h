/* app_manage.h - the console's application use cases with the role matrix of issue 4
 * ("Who can do what"): list, create, change (PATCH), delete, reveal or regenerate the
 * secret. Each checks the caller's role (console/access.h) and then does its work through
 * console/apps.h (which checks no role) or the store, with its audit entry.
 *
 * Who may:
 *   list      the caller's teams, or one team the caller is in; every team (all) or any
 *             one team without membership: instance admins only;
 *   create    developer and up in the team (default: the caller's personal team); only an
 *             instance admin creates an application suspended;
 *   change    developer and up; suspending or lifting a suspension: instance admins only;
 *             an instance admin outside the team changes the status and nothing else;
 *   delete    the owner or a team admin, confirmed by the exact name;
 *   secrets   developer and up.
 * The console's own application is never changed (QOC_CONSOLE_FIRST_PARTY).
 *
 * Ownership: inputs are borrowed for the call; records and texts that come back live in
 * the arena `a`. Errors and the problem they fill: console/access.h; where a use case has
 * a list of field errors (create, change), QOC_EINVAL with p->field NULL means that list.
 */
#ifndef QOC_CONSOLE_APP_MANAGE_H
#define QOC_CONSOLE_APP_MANAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "console/access.h"
#include "console/apps.h"

/* A page of the applications the caller may list. team: NULL or a team id; all: every
 * team (instance admins). q holds the decoded filters, sort and cursor; its team fields
 * are set here. EINVAL: field "cursor" (not a cursor of this listing). */
enum qoc_err qoc_console_apps_list(const struct qoc_console_ctx *c, struct qoc_arena *a,
                                   const struct qoc_console_actor *who, const char *team, bool all,
                                   struct qoc_app_query *q, struct qoc_app_page *out,
                                   struct qoc_console_problem *p);

/* Creates the application `in` describes (in->owner_id is ignored: the caller owns it;
 * in->team_id NULL: the caller's personal team). EINVAL: field "team" (not a team of the
 * caller), "status", or out->errors (p->field NULL). The clear secret in out->secret is
 * the caller's to wipe (qoc_apps_secret_wipe), also on error. */
enum qoc_err qoc_console_app_create(const struct qoc_console_ctx *c, struct qoc_arena *a,
                                    const struct qoc_console_actor *who,
                                    const struct qoc_app_input *in, struct qoc_apps_created *out,
                                    struct qoc_console_problem *p);

/* Applies a PATCH to ref->app: in holds the decoded fields, fields[0..nfields) the names
 * the request set (in its order, for the audit detail). Checks who may (above), the rules
 * of the result (errs, EINVAL with p->field NULL), writes it ("app.update", or
 * QOC_APPS_AUDIT_STATUS for the status alone) and reads it back into ref->app.
 * ECONFLICT (no detail): changed meanwhile. */
enum qoc_err qoc_console_app_patch(const struct qoc_console_ctx *c, struct qoc_arena *a,
                                   const struct qoc_console_actor *who,
                                   struct qoc_console_app_ref *ref, const struct qoc_app_input *in,
                                   const char *const *fields, size_t nfields,
                                   struct qoc_app_errors *errs, struct qoc_console_problem *p);

/* Deletes ref->app when confirm (NULL: not given) is its exact name. EINVAL: field
 * "confirm_name". */
enum qoc_err qoc_console_app_delete(const struct qoc_console_ctx *c,
                                    const struct qoc_console_actor *who,
                                    const struct qoc_console_app_ref *ref, const char *confirm,
                                    struct qoc_console_problem *p);

/* Reveals (audited) or, with regenerate, replaces the secret of ref->app into *out (the
 * caller wipes it). ECONFLICT: a public client (spa, mobile) has no secret. */
enum qoc_err qoc_console_app_secret(const struct qoc_console_ctx *c,
                                    const struct qoc_console_actor *who,
                                    const struct qoc_console_app_ref *ref, bool regenerate,
                                    struct qoc_apps_secret *out, struct qoc_console_problem *p);

#endif
