/* transfer.h - handing an application to another member of its team.
 *
 * The owner or a team admin (QOC_ACT_OWNER) confirms with their own password: the use case
 * is three steps because the argon2id check must run on the offload pool, never on a
 * connection thread (the API also throttles the guesses, api/pw_throttle.h):
 *   1. qoc_console_transfer_new_owner   who it goes to (an account id, or an email);
 *   2. qoc_console_transfer_password_ok the caller's password (slow; any thread);
 *   3. qoc_console_transfer_commit      the transfer with its "app.transfer" audit entry
 *                                       ({"from": old owner, "to": new owner}), then the
 *                                       notice "An application was transferred to you" to
 *                                       the new owner through the context's notifier.
 * A wrong password changes nothing (EPERM); a new owner outside the team is EINVAL (field
 * "new_owner"). The old owner keeps their membership and role.
 *
 * Ownership: strings are borrowed for the call; records that come back live in arena a.
 * Errors and problems: console/access.h.
 */
#ifndef QOC_CONSOLE_TRANSFER_H
#define QOC_CONSOLE_TRANSFER_H

#include <stdbool.h>
#include <stddef.h>

#include "console/access.h"

#define QOC_TRANSFER_SUBJECT "An application was transferred to you"

/* The account new_owner names ("...@...": an email, else an account id; NULL: not
 * given) into *out, after checking the caller may transfer ref->app. EINVAL: field
 * "new_owner" (no such account). */
enum qoc_err qoc_console_transfer_new_owner(const struct qoc_console_ctx *c, struct qoc_arena *a,
                                            const struct qoc_console_actor *who,
                                            const struct qoc_console_app_ref *ref,
                                            const char *new_owner, struct qoc_account *out,
                                            struct qoc_console_problem *p);

/* Is pw (len bytes, at most QOC_PASSWORD_MAX_LEN) the caller's password? An account
 * without one does the same work and gets false. argon2id: seconds of CPU, call it on
 * the offload pool. */
bool qoc_console_transfer_password_ok(const struct qoc_console_actor *who, const char *pw,
                                      size_t len);

/* Transfers ref->app to new_owner when password_ok (else EPERM "the password is not
 * correct"), reads it back into ref->app and sends the notice. EINVAL: field "new_owner"
 * (not a member of the team). */
enum qoc_err qoc_console_transfer_commit(const struct qoc_console_ctx *c, struct qoc_arena *a,
                                         const struct qoc_console_actor *who,
                                         struct qoc_console_app_ref *ref,
                                         const struct qoc_account *new_owner, bool password_ok,
                                         struct qoc_console_problem *p);

#endif
