/* logout.c - post-logout redirect rules (logout.h). */
#include "oauth/logout.h"

#include <string.h>

#include "oauth/redirect_uri.h"

enum qoc_err qoc_logout_check(const struct qoc_app *app, const char *post_logout_redirect_uri)
{
	if (!post_logout_redirect_uri || !post_logout_redirect_uri[0])
		return QOC_EINVAL;
	for (size_t i = 0; i < app->logout_uris.count; i++) {
		/* Byte-exact; a URI registered before control characters were refused also
		 * percent-encoded (%0d%0a) is never followed. */
		if (strcmp(app->logout_uris.items[i], post_logout_redirect_uri) == 0)
			return qoc_redirect_uri_has_control(qoc_str_from(post_logout_redirect_uri))
			           ? QOC_EPERM
			           : QOC_OK;
	}
	return QOC_EPERM;
}

enum qoc_err qoc_logout_redirect_allowed(const struct qoc_app *app,
                                         const struct qoc_id_token_hint *hint,
                                         const char *post_logout_redirect_uri)
{
	if (!post_logout_redirect_uri || !post_logout_redirect_uri[0])
		return QOC_EINVAL;
	if (!hint || !hint->client_id || !app->client_id ||
	    strcmp(hint->client_id, app->client_id) != 0)
		return QOC_EPERM;
	return qoc_logout_check(app, post_logout_redirect_uri);
}
