/* arena.h - one memory pool per request (after h2o_mem_pool_t / ngx_pool_t).
 *
 * Everything allocated from an arena lives until qoc_arena_release(), which also runs the
 * registered cleanups in reverse order. An arena has a byte budget: an allocation that
 * would pass it fails (returns NULL) like an out-of-memory, so a hostile request cannot
 * grow the process without bound. Not thread-safe: one arena, one thread at a time.
 */
#ifndef QOC_CORE_ARENA_H
#define QOC_CORE_ARENA_H

#include <stddef.h>

#include "core/str.h"

struct qoc_arena_chunk;
struct qoc_arena_cleanup;

struct qoc_arena {
	struct qoc_arena_chunk *chunks;
	struct qoc_arena_cleanup *cleanups;
	size_t used;   /* bytes taken from malloc so far */
	size_t budget; /* maximum for used; 0 means QOC_ARENA_DEFAULT_BUDGET */
};

#define QOC_ARENA_DEFAULT_BUDGET (8u << 20)

void qoc_arena_init(struct qoc_arena *a, size_t budget);
/* Runs cleanups (last registered first), frees every chunk. The arena can be reused. */
void qoc_arena_release(struct qoc_arena *a);

/* Aligned for any type. NULL when out of memory or over budget. */
void *qoc_arena_alloc(struct qoc_arena *a, size_t size);
void *qoc_arena_calloc(struct qoc_arena *a, size_t n, size_t size);
/* Copies and NUL-terminates. NULL when out of memory. */
char *qoc_arena_strndup(struct qoc_arena *a, const char *s, size_t len);
char *qoc_arena_strdup(struct qoc_arena *a, const char *s);
static inline char *qoc_arena_cstr(struct qoc_arena *a, struct qoc_str s)
{
	return qoc_arena_strndup(a, s.ptr ? s.ptr : "", s.len);
}
char *qoc_arena_printf(struct qoc_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* fn(arg) runs at release. Returns 0, or -1 when out of memory (fn is then called now). */
int qoc_arena_on_release(struct qoc_arena *a, void (*fn)(void *), void *arg);

#endif
