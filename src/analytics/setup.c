/* setup.c - see setup.h. */
#include "analytics/setup.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"

#define DEFAULT_GEOIP "/usr/share/tor/geoip"

enum qoc_err qoc_analytics_configure(const struct qoc_config *cfg, struct qoc_store *store,
                                     const struct qoc_clock *clock, struct qoc_analytics **out,
                                     char *msg, size_t msg_size)
{
	struct qoc_analytics_options o = {
	    .store = store,
	    .clock = clock,
	    .queue_size = cfg->analytics_queue_size,
	    .flush_ms = cfg->analytics_flush_ms,
	    .retention_days = cfg->analytics_retention_days,
	};
	*out = NULL;
	if (!cfg->analytics)
		return QOC_OK;
	if (qoc_cidr_list_parse(cfg->trusted_proxies, &o.trusted) != QOC_OK) {
		snprintf(msg, msg_size, "config: trusted_proxies: not a list of CIDRs");
		return QOC_EINVAL; /* config.c refused it already; kept for other callers */
	}
	const char *path = cfg->geoip && cfg->geoip[0] ? cfg->geoip : NULL;
	const char *why = NULL;
	bool is_default = path && strcmp(path, DEFAULT_GEOIP) == 0;
	enum qoc_err err = QOC_OK;
	if (is_default && access(path, R_OK) != 0) {
		qoc_log_warn("analytics: no country database",
		             "geoip=%s hint=\"install tor-geoipdb\"", path);
		path = NULL;
	}
	if ((err = qoc_geo_open(path, &o.geo, &why))) {
		snprintf(msg, msg_size, "config: geoip: \"%s\" %s", cfg->geoip,
		         why ? why : qoc_strerror(err));
		return err == QOC_ENOMEM ? err : QOC_EINVAL;
	}
	qoc_log_info("analytics: countries", "source=%s ranges=%zu", qoc_geo_kind(o.geo),
	             qoc_geo_ranges(o.geo));
	return qoc_analytics_new(&o, out);
}
