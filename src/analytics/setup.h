/* setup.h - the analytics of `qoc serve` from the configuration: the geo database, the
 * trusted proxies and the queue (analytics.h). */
#ifndef QOC_ANALYTICS_SETUP_H
#define QOC_ANALYTICS_SETUP_H

#include <stddef.h>

#include "analytics/analytics.h"
#include "core/config.h"

/* *out is NULL when cfg->analytics is off (QOC_OK). The default geoip file missing (no
 * tor-geoipdb installed) is a warning and every country is "ZZ"; a configured file that
 * cannot be read or parsed is QOC_EINVAL with a line naming the key in msg. */
enum qoc_err qoc_analytics_configure(const struct qoc_config *cfg, struct qoc_store *store,
                                     const struct qoc_clock *clock, struct qoc_analytics **out,
                                     char *msg, size_t msg_size);

#endif
