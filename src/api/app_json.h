/* app_json.h - the JSON form of an application in the console API (issue 4's field list),
 * both ways. Pure: no store, no HTTP.
 *
 * Encoding: every field of the list, times as RFC 3339 UTC ("2026-11-26T16:32:08Z"),
 * null for times that never happened (last_used_at, secret_created_at of a public
 * client) and for a missing icon, plus "warnings" (a list of {field, message}; implicit
 * is legacy). Secrets never appear: the three responses that show one add it themselves.
 *
 * Decoding: a request body (an object) into a struct qoc_app_input. Fields that are
 * absent stay NULL / unset (create: the type's default; PATCH: unchanged). A field of the
 * wrong JSON type, an unknown field, or a read-only field (client_id, owner, times, ...)
 * is a field error; nothing is looked at beyond the form (qoc_app_rules_check does the
 * rules). Strings and lists point into obj or the arena: they live as long as both.
 */
#ifndef QOC_API_APP_JSON_H
#define QOC_API_APP_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "oauth/app_rules.h"
#include "console/apps.h"
#include "core/arena.h"
#include "store/store.h"

/* "YYYY-MM-DDTHH:MM:SSZ" and a NUL. */
#define QOC_RFC3339_SIZE 21

/* t (Unix seconds) as RFC 3339 UTC into out. false when t is out of gmtime's range. */
bool qoc_rfc3339(int64_t t, char out[QOC_RFC3339_SIZE]);

/* A new JSON object for app (as read from the store); NULL when out of memory. */
json_t *qoc_app_json_encode(const struct qoc_app *app);

/* Which body a decode reads: POST (type and team allowed) or PATCH (neither). */
enum qoc_app_json_mode { QOC_APP_JSON_CREATE, QOC_APP_JSON_PATCH };

/* Decodes obj into *in (zeroed first). Field errors go to *errs (reset first); the
 * field name of an unknown field is copied into a. Returns QOC_OK when there is none,
 * QOC_EINVAL when there are, QOC_ENOMEM. */
enum qoc_err qoc_app_json_decode(const json_t *obj, enum qoc_app_json_mode mode,
                                 struct qoc_arena *a, struct qoc_app_input *in,
                                 struct qoc_app_errors *errs);

/* [{field, message}] for errs (index > -1 gives "field[index]"); NULL when out of memory. */
json_t *qoc_app_errors_json(const struct qoc_app_errors *errs);

#endif
