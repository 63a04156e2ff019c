/* scope.h - OAuth 2.0 scopes (RFC 6749 §3.3) as a small value type.
 *
 *   scope       = scope-token *( SP scope-token )
 *   scope-token = 1*NQCHAR        NQCHAR = %x21 / %x23-5B / %x5D-7E
 *
 * Parsing is strict: exactly one space between tokens, none before the first or after the
 * last (an empty token is refused, not skipped), no other whitespace, no '"' or '\', no
 * byte outside printable ASCII. A token given twice is merged (the scope is a set).
 *
 * A struct qoc_scope owns its bytes (no pointers inside: it may be copied by assignment)
 * and keeps its tokens sorted by byte value, so the canonical string of a set is unique:
 * qoc_scope_format() of "openid email" and of "email openid" are both "email openid".
 *
 * Bounds: at most QOC_SCOPE_MAX_TOKENS distinct tokens and QOC_SCOPE_MAX_BYTES bytes of
 * canonical string; every operation keeps them (QOC_ELIMIT otherwise), so a formatted
 * scope always fits in char[QOC_SCOPE_MAX_BYTES + 1].
 */
#ifndef QOC_OAUTH_SCOPE_H
#define QOC_OAUTH_SCOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define QOC_SCOPE_MAX_TOKENS 32
#define QOC_SCOPE_MAX_BYTES 1024

/* The OpenID Connect scopes QOC knows (OIDC Core §5.4, §11). */
#define QOC_SCOPE_OPENID "openid"
#define QOC_SCOPE_PROFILE "profile"
#define QOC_SCOPE_EMAIL "email"
#define QOC_SCOPE_OFFLINE_ACCESS "offline_access"

struct qoc_scope {
	size_t count;                       /* distinct tokens */
	size_t bytes;                       /* length of the canonical string */
	size_t used;                        /* bytes of text in use */
	uint16_t off[QOC_SCOPE_MAX_TOKENS]; /* token i starts at text[off[i]], sorted */
	char text[QOC_SCOPE_MAX_BYTES + QOC_SCOPE_MAX_TOKENS]; /* tokens, each NUL-terminated */
};

/* The empty scope. */
void qoc_scope_init(struct qoc_scope *s);

/* Parses s[0..len) (not necessarily NUL-terminated) into *out. QOC_EINVAL: empty, an
 * empty token (leading, trailing or doubled space), a byte that is not NQCHAR. QOC_ELIMIT:
 * longer than QOC_SCOPE_MAX_BYTES or more than QOC_SCOPE_MAX_TOKENS distinct tokens.
 * *out is the empty scope on error. */
enum qoc_err qoc_scope_parse(const char *s, size_t len, struct qoc_scope *out);

/* Token i (0 <= i < count) in canonical order, NUL-terminated, inside *s. */
const char *qoc_scope_item(const struct qoc_scope *s, size_t i);

bool qoc_scope_contains(const struct qoc_scope *s, const char *token);

/* Is every token of sub in super? The empty scope is a subset of every scope. */
bool qoc_scope_is_subset(const struct qoc_scope *sub, const struct qoc_scope *super);

/* Adds one token (must be 1*NQCHAR, else QOC_EINVAL). Present already: QOC_OK, unchanged.
 * QOC_ELIMIT when a bound would be passed; *s is unchanged on error. */
enum qoc_err qoc_scope_add(struct qoc_scope *s, const char *token);

/* dst = dst ∪ add. QOC_ELIMIT when a bound would be passed; dst is unchanged then. */
enum qoc_err qoc_scope_union(struct qoc_scope *dst, const struct qoc_scope *add);

/* Removes token when present (no error when absent). */
void qoc_scope_remove(struct qoc_scope *s, const char *token);

/* Writes the canonical string (tokens in byte order, single spaces; "" for the empty scope)
 * and a NUL to out; returns its length (s->bytes). */
size_t qoc_scope_format(const struct qoc_scope *s, char out[QOC_SCOPE_MAX_BYTES + 1]);

/* Is token one of openid, profile, email, offline_access? */
bool qoc_scope_is_oidc(const char *token);

#endif
