/* store_codec.h - encodings every store backend shares (no SQL here): string lists as
 * JSON arrays, an application's settings as the values its row binds, a token's kind as
 * text, and the opaque cursors of app_list.
 *
 * For backends only; callers of store.h see lists as struct qoc_str_list and cursors as
 * strings they pass back unchanged.
 */
#ifndef QOC_STORE_CODEC_H
#define QOC_STORE_CODEC_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/store.h"
#include "store/store_oauth.h"

/* A JSON array of the strings, e.g. ["https://a/cb","https://b/cb"], in a.
 * QOC_EINVAL: a NULL item, or an item that is not valid UTF-8; QOC_ENOMEM. */
enum qoc_err qoc_store_list_to_json(struct qoc_arena *a, const struct qoc_str_list *l,
                                    const char **out);
/* The inverse: array and strings in a. QOC_EINVAL when json is not an array of strings
 * (a corrupt row; the caller logs it) or a string holds a NUL. */
enum qoc_err qoc_store_list_from_json(struct qoc_arena *a, const char *json,
                                      struct qoc_str_list *out);

/* The encoded forms of an application's settings: the name as qoc_store_name_norm()
 * gives it and the lists as JSON arrays, all in the caller's (temporary) arena. */
struct qoc_store_app_enc {
	const char *name_norm, *redirect, *origins, *sso, *logout, *grants;
};

/* Fills e from app. QOC_EINVAL: a list item qoc_store_list_to_json refuses; QOC_ENOMEM. */
enum qoc_err qoc_store_app_encode(struct qoc_arena *a, const struct qoc_app *app,
                                  struct qoc_store_app_enc *e);

/* The values account_create binds beyond the account's own fields, in the caller's
 * (temporary) arena: the folded email, the personal team's id (personal_team_id, else
 * "team_" + id) and its name (the account's name, else its email). */
struct qoc_store_account_enc {
	const char *email_norm, *team_id, *team_name;
};

/* Fills e from acct. QOC_ENOMEM. */
enum qoc_err qoc_store_account_encode(struct qoc_arena *a, const struct qoc_account *acct,
                                      struct qoc_store_account_enc *e);

/* The kind column of a token: "refresh" or "access". */
const char *qoc_store_token_kind_name(enum qoc_token_kind kind);
/* The inverse: "refresh" is QOC_TOKEN_REFRESH, anything else QOC_TOKEN_ACCESS. */
enum qoc_token_kind qoc_store_token_kind_parse(const char *name);

/* True when s has the form of qoc_token_hash() output: exactly 43 base64url characters
 * (what every *_hash of store_oauth.h must be, so a raw secret is never stored). */
bool qoc_store_is_hash(const char *s);

/* True when s is the text of a JSON object (at most 64 KiB; the depth jansson allows). */
bool qoc_store_is_json_object(const char *s);

/* Where a page of app_list ended: the sort key and client_id of its last row. */
struct qoc_store_cursor {
	enum qoc_app_sort sort;
	bool desc;
	const char *name_norm; /* QOC_APP_SORT_NAME */
	int64_t created_at;    /* QOC_APP_SORT_CREATED */
	const char *client_id;
};

/* An app_list query made ready for a backend's SQL: which teams it scopes to, the folded
 * search text, the page size and the decoded cursor. Strings in the arena given to
 * qoc_store_app_list_prepare. */
enum qoc_store_app_scope { QOC_STORE_SCOPE_ONE, QOC_STORE_SCOPE_MANY, QOC_STORE_SCOPE_ALL };
struct qoc_store_app_list {
	enum qoc_store_app_scope scope;
	const char *teams;  /* a team id (ONE), a JSON array of them (MANY), NULL (ALL) */
	const char *q_norm; /* NULL: no search */
	size_t limit;       /* q->limit, or QOC_APP_LIST_DEFAULT_LIMIT for 0 */
	struct qoc_store_cursor cur;
	bool has_cursor;
	bool no_team; /* neither all_teams nor a team: the page is empty, nothing to read */
};

/* Checks q as app_list's contract says and fills out. QOC_EINVAL: limit over
 * QOC_APP_LIST_MAX_LIMIT, an unknown sort, a NULL team id, a cursor decode refuses or
 * one made for another sort or direction; QOC_ENOMEM. */
enum qoc_err qoc_store_app_list_prepare(struct qoc_arena *a, const struct qoc_app_query *q,
                                        struct qoc_store_app_list *out);
/* The cursor of the page that follows last, the last row of a full page (q's sort and
 * direction), in a. QOC_ENOMEM. */
enum qoc_err qoc_store_app_list_next_cursor(struct qoc_arena *a, const struct qoc_app_query *q,
                                            const struct qoc_app *last, const char **out);

/* Lower-case hex of a versioned, length-prefixed record, in a. NULL when out of memory. */
char *qoc_store_cursor_encode(struct qoc_arena *a, const struct qoc_store_cursor *c);
/* QOC_EINVAL for anything encode did not make: wrong length or characters, another
 * version, a missing or NUL-holding field, over QOC_STORE_CURSOR_MAX. Strings in a. */
enum qoc_err qoc_store_cursor_decode(struct qoc_arena *a, const char *s,
                                     struct qoc_store_cursor *out);

#endif
