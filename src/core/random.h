/* random.h - the CSPRNG, injectable.
 *
 * qoc_random_system reads the kernel CSPRNG (getrandom). Tests may inject a deterministic
 * source; production code only ever uses the system one.
 */
#ifndef QOC_CORE_RANDOM_H
#define QOC_CORE_RANDOM_H

#include <stddef.h>

#include "core/err.h"

struct qoc_random {
	enum qoc_err (*fill)(void *ctx, void *buf, size_t len);
	void *ctx;
};

extern const struct qoc_random qoc_random_system;

static inline enum qoc_err qoc_random_fill(const struct qoc_random *r, void *buf, size_t len)
{
	return r->fill(r->ctx, buf, len);
}

/* Shorthand for the system CSPRNG. */
enum qoc_err qoc_random_bytes(void *buf, size_t len);

#endif
