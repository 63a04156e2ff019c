/* console.h - what the console API's handlers (console_*.c) share: who is calling, the
 * strict JSON body, problem responses, and the answers to the console use cases (the
 * rules and role checks themselves are console/'s: console/access.h).
 *
 * Authentication (qoc_console_auth): `Authorization: Bearer qoc_pat_...` (a personal
 * access token, console/pats.h), or, without an Authorization header, the console web
 * app's session cookie (console/signin.h), which also needs X-CSRF-Token on every
 * state-changing request. Nothing else in the handlers knows how the caller was
 * authenticated.
 *
 * Every helper that answers (returns QOC_EPERM with resp set) leaves the handler only to
 * return QOC_OK: `if ((err = qoc_console_auth(...))) return qoc_console_done(err);`.
 */
#ifndef QOC_API_CONSOLE_H
#define QOC_API_CONSOLE_H

#include <jansson.h>
#include <stdbool.h>

#include "api/api.h"
#include "oauth/app_rules.h"
#include "console/access.h"
#include "console/signin.h"
#include "crypto/token.h"
#include "login/csrf.h"
#include "http/http.h"
#include "store/store.h"

/* The console web app's cookie session (console_session.c, console/signin.h). */
struct qoc_console_session {
	struct qoc_account acct;                 /* arena memory of the request */
	char token_hash[QOC_TOKEN_HASH_LEN + 1]; /* the session's access token */
	char csrf[QOC_CSRF_TOKEN_LEN + 1];       /* what X-CSRF-Token must say */
	int64_t expires_at;
};

/* The live session of the request's console cookie: a live opaque access token of the
 * console application (which is active) and its account. QOC_ENOTFOUND when there is
 * none; other errors: the store failed (fail closed). */
enum qoc_err qoc_console_session_find(struct qoc_http_req *req, struct qoc_api *api,
                                      struct qoc_console_session *out);
/* Is presented the session's CSRF token (constant-time)? false for NULL. */
bool qoc_console_session_csrf_ok(const struct qoc_console_session *s, const char *presented);

/* Largest JSON body the console API reads (icons have their own bound). */
#define QOC_CONSOLE_JSON_MAX (64 * 1024)

struct qoc_console_caller {
	struct qoc_account acct; /* arena memory of the request */
	struct qoc_console_actor actor; /* acct and the client address, for the use cases */
	bool via_session;        /* false: a personal access token */
	int64_t pat_expires_at;  /* via a token: its expiry (0: none); 0 for a session */
};

/* A handler's result after a helper answered: QOC_EPERM means "response set". */
static inline enum qoc_err qoc_console_done(enum qoc_err err)
{
	return err == QOC_EPERM ? QOC_OK : err;
}

/* Authenticates the caller. QOC_EPERM with a 401 (WWW-Authenticate: Bearer) set when
 * there is no valid credential; QOC_EBUSY/QOC_EDB with a 503 set when the store fails. */
enum qoc_err qoc_console_auth(struct qoc_http_req *req, struct qoc_http_resp *resp,
                              struct qoc_api *api, struct qoc_console_caller *who);

/* The body as a JSON object: 415 unless Content-Type is application/json, 413 over
 * QOC_CONSOLE_JSON_MAX, 400 for invalid JSON or UTF-8, duplicate keys or not an object
 * (each QOC_EPERM with resp set). *out is owned by the caller (json_decref). */
enum qoc_err qoc_console_json_body(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                   json_t **out);

/* A 4xx/5xx problem; returns QOC_EPERM (or the error of building it). */
enum qoc_err qoc_console_problem(struct qoc_http_resp *resp, unsigned status, const char *detail);
/* 422 problem with an `errors` list; returns QOC_EPERM (or QOC_ENOMEM). */
enum qoc_err qoc_console_field_errors(struct qoc_http_resp *resp,
                                      const struct qoc_app_errors *errs);
/* 422 naming one field. */
enum qoc_err qoc_console_field_error(struct qoc_http_resp *resp, const char *field,
                                     const char *message);
/* 422 naming the first member of obj that is not in keys (NULL-terminated); QOC_OK
 * when there is none. */
enum qoc_err qoc_console_only_keys(struct qoc_http_resp *resp, const json_t *obj,
                                   const char *const *keys);
/* A store or domain error as a response: ENOTFOUND 404, ECONFLICT 409, EBUSY 503, ... */
enum qoc_err qoc_console_store_error(struct qoc_http_resp *resp, enum qoc_err err);

/* The answer to a use case's refusal (console/access.h has the mapping: EINVAL 422 naming
 * p->field, ELIMIT 422, EPERM 403, ECONFLICT 409, then qoc_console_store_error). Returns
 * QOC_EPERM with resp set (or QOC_ENOMEM). */
enum qoc_err qoc_console_answer(struct qoc_http_resp *resp, enum qoc_err err,
                                const struct qoc_console_problem *p);

/* The context of the console use cases: the api's store, clock, apps context, and the
 * outbox as notifier. */
struct qoc_console_ctx qoc_console_ctx_of(struct qoc_api *api);

/* The caller's role in the team {team_id} (console/access.h qoc_console_team_open),
 * answered: 404 when not a member (or no such team), 403 below min. */
enum qoc_err qoc_console_team_role(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                   struct qoc_api *api, const struct qoc_console_caller *who,
                                   enum qoc_role min, struct qoc_console_team_ref *team);

/* Loads the application {client_id} and checks act against the caller's role
 * (qoc_console_app_open), answered: 404 when it does not exist or the caller is not a
 * member of its team (never 403 then), 403 when the role is too low. On QOC_OK *ref holds
 * the application (arena) and the caller's role. */
enum qoc_err qoc_console_app_access(struct qoc_http_req *req, struct qoc_http_resp *resp,
                                    struct qoc_api *api, const struct qoc_console_caller *who,
                                    enum qoc_console_action act, struct qoc_console_app_ref *ref);

#endif
