/* logout.c - post-logout redirect rules (logout.h). */
#include "oidc/logout.h"

#include <string.h>

enum qoc_err qoc_logout_check(const struct qoc_app *app, const char *post_logout_redirect_uri)
{
	if (!post_logout_redirect_uri || !post_logout_redirect_uri[0])
		return QOC_EINVAL;
	for (size_t i = 0; i < app->logout_uris.count; i++) {
		if (strcmp(app->logout_uris.items[i], post_logout_redirect_uri) == 0)
			return QOC_OK;
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
