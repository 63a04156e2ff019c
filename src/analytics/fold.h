/* fold.h - a batch of captured events as the store's append: the raw rows plus their sums
 * per (application, hour), so the store adds one delta per hour instead of one per event.
 * Pure: no store, no clock. */
#ifndef QOC_ANALYTICS_FOLD_H
#define QOC_ANALYTICS_FOLD_H

#include <stddef.h>

#include "analytics/event.h"
#include "core/arena.h"
#include "core/err.h"
#include "store/store_analytics.h"

/* Folds ev[0..n) (country already set; n <= QOC_AN_BATCH_MAX) into *out, every array and
 * string from a (the events are referenced, not copied: keep them until out is used).
 * QOC_EINVAL: n too large; QOC_ENOMEM. */
enum qoc_err qoc_an_fold(const struct qoc_analytics_event *ev, size_t n, struct qoc_arena *a,
                         struct qoc_an_batch *out);

#endif
