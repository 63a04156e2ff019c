/* discovery.h - the provider metadata documents, built once at start-up.
 *
 * Two documents with the same members (OpenID Connect Discovery 1.0 §3 and RFC 8414 §2;
 * RFC 8414 §3 wants the values of both to agree, and OpenID-only members such as
 * userinfo_endpoint are registered OAuth metadata too, RFC 8414 §7.1.2), so one client
 * library or the other reads the same facts. Each is compact JSON text in an immutable
 * heap buffer made by qoc_discovery_init: a handler sends it as it is (no JSON work, no
 * allocation per request, for the >= 100,000 requests/s target).
 *
 * Endpoints are the issuer URL plus a fixed path ("<issuer>/oauth2/authorize", ...), so an
 * issuer with a path ("https://example.com/tenant") gets endpoints under that path. The
 * well-known paths the HTTP layer routes differ for an issuer with a path:
 *   OpenID: <issuer path> + "/.well-known/openid-configuration" (Discovery §4.1)
 *   OAuth:  "/.well-known/oauth-authorization-server" + <issuer path> (RFC 8414 §3.1)
 *
 * Ownership: the struct owns its strings; qoc_discovery_release frees them. After init it
 * is read-only, so any number of threads may read it at once.
 */
#ifndef QOC_OIDC_DISCOVERY_H
#define QOC_OIDC_DISCOVERY_H

#include <stddef.h>

#include "core/err.h"

#define QOC_DISCOVERY_MAX (16u * 1024)

struct qoc_discovery {
	char *openid; /* /.well-known/openid-configuration body */
	size_t openid_len;
	char *oauth; /* /.well-known/oauth-authorization-server body */
	size_t oauth_len;
	char *openid_path; /* the request paths that serve them (see above) */
	char *oauth_path;
};

/* Builds both documents for issuer: an absolute http(s) URL without query, fragment or
 * trailing slash (OIDC Discovery §3, RFC 8414 §2 "issuer"); QOC_EINVAL otherwise, and
 * QOC_ENOMEM. On error d is left released (safe to release again). */
enum qoc_err qoc_discovery_init(struct qoc_discovery *d, const char *issuer);

/* Frees the strings; d is zeroed. */
void qoc_discovery_release(struct qoc_discovery *d);

#endif
