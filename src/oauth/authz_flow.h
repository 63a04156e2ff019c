/* authz_flow.h - what the authorization endpoint does next with a valid request, given the
 * browser's SSO session and the consent on record (OIDC Core §3.1.2.1 prompt and max_age,
 * §3.1.2.6 login_required / consent_required; issue 3 "An SSO session cookie lets a
 * signed-in user authorise further applications without typing a password again;
 * prompt=login and max_age force re-authentication").
 *
 * Pure: no store, no socket. The handler gathers the facts (session row, verified
 * id_token_hint subject, consent row) and encodes the answer.
 *
 * Rules:
 * - A session is usable unless: there is none; prompt has login or select_account (QOC
 *   has one account per browser, so select_account means "sign in again"); max_age is 0
 *   (OIDC Core §3.1.2.1: "max_age=0 is equivalent to prompt=login"); more than max_age
 *   seconds passed since auth_time; or the request's id_token_hint names another subject,
 *   or did not verify (the hint's subject is then unknown, so the session cannot be shown
 *   to be the one the client expects).
 * - Consent covers a request when the granted scope string parses and the requested scope
 *   is a subset of it, and prompt has no consent. First-party applications skip consent:
 *   the QOC Cloud Console (QOC_CONSOLE_CLIENT_ID, registered by the server itself) is the
 *   only one.
 * - With prompt=none nothing is shown: no usable session is login_required, missing
 *   consent is consent_required.
 */
#ifndef QOC_OAUTH_AUTHZ_FLOW_H
#define QOC_OAUTH_AUTHZ_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "oauth/scope.h"
#include "store/store.h"

enum qoc_authz_next {
	QOC_AUTHZ_NEXT_SIGNIN = 0,       /* show the sign-in form */
	QOC_AUTHZ_NEXT_CONSENT,          /* signed in: show the consent page */
	QOC_AUTHZ_NEXT_COMPLETE,         /* send the response now */
	QOC_AUTHZ_NEXT_LOGIN_REQUIRED,   /* prompt=none and no usable session */
	QOC_AUTHZ_NEXT_CONSENT_REQUIRED, /* prompt=none and consent missing */
};

/* The facts about the browser's SSO session, for one request. */
struct qoc_authz_session_facts {
	bool has_session;       /* a live session was found for the qoc_sso cookie */
	const char *account_id; /* the session's account */
	int64_t auth_time;      /* when it authenticated */
	bool hint_given;        /* the request carried an id_token_hint */
	const char *hint_sub;   /* its subject when it verified; NULL when it did not */
};

/* Is the session good enough for a request with this prompt (QOC_PROMPT_* bits) and
 * max_age (-1: absent) at now? See the rules above. */
bool qoc_authz_session_usable(const struct qoc_authz_session_facts *s, unsigned prompt,
                              int64_t max_age, int64_t now);

/* Does the consent on record (granted: its scope string, NULL when there is none) cover
 * requested, for a request with this prompt? first_party: skip consent. */
bool qoc_authz_consent_covers(const struct qoc_scope *requested, const char *granted,
                              unsigned prompt, bool first_party);

/* The next step. session_usable and consent_covered come from the two functions above
 * (consent_covered is ignored when the session is not usable). */
enum qoc_authz_next qoc_authz_next_step(unsigned prompt, bool session_usable, bool consent_covered);

/* The step after a sign-in on the pending request (the session is fresh by definition,
 * whatever prompt and max_age asked for): consent or completion. */
enum qoc_authz_next qoc_authz_next_after_signin(bool consent_covered);

/* The scope to record after an "allow": granted (the old consent, NULL: none) ∪ requested,
 * formatted into out. An old grant that no longer parses is replaced. QOC_ELIMIT when the
 * union passes the scope bounds (the request alone is then recorded). */
enum qoc_err qoc_authz_consent_union(const char *granted, const struct qoc_scope *requested,
                                     char out[QOC_SCOPE_MAX_BYTES + 1]);

/* The client id of the QOC Cloud Console, the one first-party application. The server
 * registers it at start (console/client.c); no other application can get this id
 * (the API makes client ids at random and never takes one from a caller). */
#define QOC_CONSOLE_CLIENT_ID "qoc_client_qoccloudconsole000000000"

/* Does app skip the consent page as a first-party application (the console)? */
bool qoc_authz_app_is_first_party(const struct qoc_app *app);

#endif
