/* last_used.h - "Last used" of an application, coalesced.
 *
 * Every successful protocol call counts as a use (issue 3), but writing the application row
 * on every request would put a write on the hot read paths (introspection, userinfo). So a
 * use is written at most once per `interval` seconds per application: a small fixed-size,
 * thread-safe table remembers when each client was last written. A client that does not fit
 * the table is written every time (correct, only slower), so the table needs no eviction.
 */
#ifndef QOC_OAUTH_LAST_USED_H
#define QOC_OAUTH_LAST_USED_H

#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

#define QOC_LAST_USED_SLOTS 4096

struct qoc_last_used;

/* store is borrowed. interval: seconds between two writes for one client (>= 1). */
enum qoc_err qoc_last_used_new(struct qoc_store *store, int64_t interval, struct qoc_last_used **out);
void qoc_last_used_free(struct qoc_last_used *lu);

/* Records a use of client_id at now; writes it through when due. Errors of the write are
 * returned but a caller answering a protocol request may ignore them: "last used" is
 * informative, never a security decision. */
enum qoc_err qoc_last_used_note(struct qoc_last_used *lu, const char *client_id, int64_t now);

#endif
