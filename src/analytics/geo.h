/* geo.h - country of an IP address.
 *
 * Two sources: an MMDB file (GeoLite2-Country, DB-IP Country Lite: libmaxminddb reads
 * country.iso_code, else registered_country.iso_code), or Debian's tor-geoipdb text files
 * (`geoip`: "from,to,CC" with IPv4 addresses as integers; `geoip6` beside it: "from,to,CC"
 * with IPv6 addresses), loaded into sorted range tables and binary-searched.
 * Private, loopback and other non-routable addresses, addresses in no range, and the
 * database's own "??" all answer "ZZ" (ISO 3166 user-assigned: unknown).
 *
 * Thread safety: after qoc_geo_open a handle is read-only; lookups may run in parallel.
 */
#ifndef QOC_ANALYTICS_GEO_H
#define QOC_ANALYTICS_GEO_H

#include <stddef.h>

#include "core/err.h"

struct qoc_geo;

/* Opens path: MMDB when the file is one, else the tor-geoipdb format (and path + "6" for
 * IPv6 when that file exists). path NULL or "": a handle that answers "ZZ" to everything.
 * QOC_EIO: the file cannot be read; QOC_EINVAL: neither format (why, when not NULL, gets
 * a short static reason); QOC_ENOMEM. */
enum qoc_err qoc_geo_open(const char *path, struct qoc_geo **out, const char **why);
void qoc_geo_free(struct qoc_geo *g);

/* "mmdb", "tor-geoipdb" or "none". */
const char *qoc_geo_kind(const struct qoc_geo *g);
/* Ranges loaded (tor-geoipdb; 0 otherwise). */
size_t qoc_geo_ranges(const struct qoc_geo *g);

/* The country of addr (text form) into cc ("DE", "ZZ"). g NULL answers "ZZ". */
void qoc_geo_country(const struct qoc_geo *g, const char *addr, char cc[3]);

#endif
