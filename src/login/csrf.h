/* csrf.h - CSRF tokens bound to the browser (SECURITY.md "Browser and console": login,
 * consent and every state-changing action are CSRF-protected and bound to the browser
 * session that started them).
 *
 * token = base64url(HMAC-SHA256(key, browser_id || 0x00 || purpose)), 43 characters.
 *
 * How the login handlers use it (they come later; this is their contract):
 *   1. Browser binding. The first QOC Login page a browser sees sets the cookie
 *      QOC_CSRF_BROWSER_COOKIE ("qoc_b") to a fresh random id (qoc_token_new("", 32), 256
 *      bits), HttpOnly, SameSite=Lax, Path=/, Secure when the issuer is https, a session
 *      cookie. A request without it (or with two, qoc_cookie_count > 1) gets a new one and,
 *      if it was a POST, the "expired" error page: never a token for an unbound browser.
 *   2. Forms. Every form carries a hidden field csrf = qoc_csrf_token(key, qoc_b, purpose)
 *      with one purpose per form (QOC_CSRF_LOGIN, _SIGNUP, _CONSENT, _LOGOUT), so a token
 *      lifted from the sign-in form cannot approve a consent. The handler checks
 *      qoc_csrf_check() with the cookie of the POST before reading anything else of it;
 *      a failure is the "expired" error page (403) and changes nothing.
 *   3. Pending authorization requests. /authorize stores the request under a random handle
 *      (qoc_token_new, >= 128 bits) together with qoc_token_hash(qoc_b). Every later step
 *      (sign-in, sign-up, consent) loads the request by handle AND compares the stored
 *      hash with the hash of the presenting browser's qoc_b, so a handle copied into
 *      another browser (a phishing link, a leaked URL) is useless there.
 *   4. The key is qoc_kdf(master, QOC_CSRF_KEY_PURPOSE): one per deployment, shared by all
 *      nodes (they share the master key), so any node verifies any node's tokens.
 *      Rotating the master key invalidates the forms open at that moment, nothing else.
 * The session cookie (the SSO session, rotated at sign-in) is a separate cookie; qoc_b is
 * only a binding and authenticates nothing by itself, so it does not need to rotate.
 * Tokens carry no expiry: they live as long as the browser binding, and the pending
 * request they protect has its own short lifetime.
 *
 * Ownership: all inputs borrowed; out is a caller buffer.
 */
#ifndef QOC_LOGIN_CSRF_H
#define QOC_LOGIN_CSRF_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

#define QOC_CSRF_KEY_LEN 32
/* base64url of an HMAC-SHA256, without the NUL. */
#define QOC_CSRF_TOKEN_LEN 43
/* The qoc_kdf() purpose of the CSRF key. */
#define QOC_CSRF_KEY_PURPOSE "qoc csrf v1"
/* The browser-binding cookie. */
#define QOC_CSRF_BROWSER_COOKIE "qoc_b"

/* One purpose per form. */
#define QOC_CSRF_LOGIN "login"
#define QOC_CSRF_SIGNUP "signup"
#define QOC_CSRF_CONSENT "consent"
#define QOC_CSRF_LOGOUT "logout"

/* Writes the token for (browser_id, purpose) and a NUL into out. QOC_EINVAL when
 * browser_id or purpose is NULL or empty (a token bound to nothing would be accepted
 * from any browser); QOC_ELIMIT when browser_id and purpose together pass 511 bytes (a
 * hostile cookie); QOC_ECRYPTO when OpenSSL fails. */
enum qoc_err qoc_csrf_token(const uint8_t key[QOC_CSRF_KEY_LEN], const char *browser_id,
                            const char *purpose, char out[QOC_CSRF_TOKEN_LEN + 1]);

/* Is `presented` the token for (browser_id, purpose)? Compared in constant time. false
 * also for NULL or empty arguments and when hashing fails (fails closed). */
bool qoc_csrf_check(const uint8_t key[QOC_CSRF_KEY_LEN], const char *browser_id,
                    const char *purpose, const char *presented);

#endif
