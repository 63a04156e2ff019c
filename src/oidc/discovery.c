/* discovery.c - provider metadata (discovery.h). */
#include "oidc/discovery.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

#define PATH_MAX_LEN 2048

/* Endpoint members: the issuer URL + path. There is no registration_endpoint: clients are
 * registered in the console, not dynamically (OIDC Dynamic Registration is not offered). */
static const struct {
	const char *member;
	const char *path;
} endpoints[] = {
    {"authorization_endpoint", "/oauth2/authorize"},  {"token_endpoint", "/oauth2/token"},
    {"userinfo_endpoint", "/oauth2/userinfo"},        {"jwks_uri", "/.well-known/jwks.json"},
    {"introspection_endpoint", "/oauth2/introspect"}, {"revocation_endpoint", "/oauth2/revoke"},
    {"end_session_endpoint", "/oauth2/logout"},
};

#define LIST(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Array members, in the order they are written. */
static const struct {
	const char *member;
	const char *const *values;
} lists[] = {
    {"scopes_supported", LIST("openid", "profile", "email", "offline_access")},
    {"response_types_supported", LIST("code", "token", "id_token", "id_token token")},
    {"response_modes_supported", LIST("query", "fragment", "form_post")},
    {"grant_types_supported",
     LIST("authorization_code", "refresh_token", "client_credentials", "implicit")},
    {"subject_types_supported", LIST("public")},
    {"id_token_signing_alg_values_supported", LIST("RS256", "PS256", "ES256", "EdDSA")},
    {"token_endpoint_auth_methods_supported",
     LIST("client_secret_basic", "client_secret_post", "none")},
    {"introspection_endpoint_auth_methods_supported",
     LIST("client_secret_basic", "client_secret_post")},
    {"revocation_endpoint_auth_methods_supported",
     LIST("client_secret_basic", "client_secret_post")},
    {"code_challenge_methods_supported", LIST("S256")},
    {"claims_supported", LIST("sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "azp",
                              "at_hash", "sid", "name", "email", "email_verified")},
    {"prompt_values_supported", LIST("none", "login", "consent")},
    {"ui_locales_supported", LIST("en")},
};

/* Boolean members. */
static const struct {
	const char *member;
	bool value;
} flags[] = {
    {"authorization_response_iss_parameter_supported", true}, /* RFC 9207 §3 */
    {"request_parameter_supported", false},
    {"request_uri_parameter_supported", false},
    {"claims_parameter_supported", true},
    {"frontchannel_logout_supported", false},
    {"backchannel_logout_supported", false},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The path part of an absolute URL ("" when there is none); NULL when it is not
 * "http(s)://authority[/path]" without query or fragment, or ends with '/'. */
static const char *issuer_path(const char *issuer)
{
	const char *rest;
	if (strncmp(issuer, "https://", 8) == 0)
		rest = issuer + 8;
	else if (strncmp(issuer, "http://", 7) == 0)
		rest = issuer + 7;
	else
		return NULL;
	size_t len = strlen(issuer);
	if (len > PATH_MAX_LEN || !*rest || *rest == '/' || strpbrk(issuer, "?# \t\r\n") ||
	    issuer[len - 1] == '/')
		return NULL;
	const char *slash = strchr(rest, '/');
	return slash ? slash : rest + strlen(rest);
}

static int add_string(json_t *doc, const char *member, const char *value)
{
	return json_object_set_new(doc, member, json_string(value));
}

static json_t *document(const char *issuer)
{
	json_t *doc = json_object();
	int rc = doc ? add_string(doc, "issuer", issuer) : -1;
	char url[PATH_MAX_LEN + 64];
	for (size_t i = 0; rc == 0 && i < COUNT(endpoints); i++) {
		int n = snprintf(url, sizeof(url), "%s%s", issuer, endpoints[i].path);
		rc = (n < 0 || (size_t)n >= sizeof(url))
		         ? -1
		         : add_string(doc, endpoints[i].member, url);
	}
	for (size_t i = 0; rc == 0 && i < COUNT(lists); i++) {
		json_t *arr = json_array();
		for (const char *const *v = lists[i].values; arr && rc == 0 && *v; v++)
			rc = json_array_append_new(arr, json_string(*v));
		rc = (!arr || rc) ? (json_decref(arr), -1)
		                  : json_object_set_new(doc, lists[i].member, arr);
	}
	for (size_t i = 0; rc == 0 && i < COUNT(flags); i++)
		rc = json_object_set_new(doc, flags[i].member, json_boolean(flags[i].value));
	if (rc) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

static char *join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 1);
	if (s) {
		memcpy(s, a, la);
		memcpy(s + la, b, lb + 1);
	}
	return s;
}

enum qoc_err qoc_discovery_init(struct qoc_discovery *d, const char *issuer)
{
	memset(d, 0, sizeof(*d));
	const char *path = issuer ? issuer_path(issuer) : NULL;
	if (!path)
		return QOC_EINVAL;
	enum qoc_err err = QOC_ENOMEM;
	json_t *doc = document(issuer);
	if (!doc)
		goto out;
	/* Both documents carry the same members (RFC 8414 §3: the values must agree). */
	d->openid = json_dumps(doc, JSON_COMPACT);
	d->oauth = json_dumps(doc, JSON_COMPACT);
	d->openid_path = join(path, "/.well-known/openid-configuration");
	d->oauth_path = join("/.well-known/oauth-authorization-server", path);
	if (!d->openid || !d->oauth || !d->openid_path || !d->oauth_path)
		goto out;
	d->openid_len = strlen(d->openid);
	d->oauth_len = strlen(d->oauth);
	err = d->openid_len > QOC_DISCOVERY_MAX ? QOC_ELIMIT : QOC_OK;
out:
	json_decref(doc);
	if (err)
		qoc_discovery_release(d);
	return err;
}

void qoc_discovery_release(struct qoc_discovery *d)
{
	free(d->openid);
	free(d->oauth);
	free(d->openid_path);
	free(d->oauth_path);
	memset(d, 0, sizeof(*d));
}
