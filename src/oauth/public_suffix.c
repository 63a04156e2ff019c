/* public_suffix.c - see public_suffix.h. */
#include "oauth/public_suffix.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include <libpsl.h>

#include "core/log.h"

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static atomic_bool loaded_or_loading;
static const char *list_file = QOC_PUBLIC_SUFFIX_FILE;
static psl_ctx_t *list; /* written once under load_once, read-only afterwards */

static void load(void)
{
	atomic_store(&loaded_or_loading, true);
	list = psl_load_file(list_file);
	if (!list)
		qoc_log_warn("public suffix list unreadable: wildcard redirect URIs are refused "
		             "(install Debian's publicsuffix package)",
		             "file=%s", list_file);
}

bool qoc_public_suffix_use_file(const char *path)
{
	if (atomic_load(&loaded_or_loading))
		return false;
	list_file = path;
	return true;
}

enum qoc_psl_answer qoc_public_suffix_check(struct qoc_str domain)
{
	char name[254];
	pthread_once(&load_once, load);
	if (!list)
		return QOC_PSL_UNAVAILABLE;
	if (domain.len >= sizeof name)
		return QOC_PSL_PUBLIC;
	memcpy(name, domain.ptr, domain.len);
	name[domain.len] = '\0';
	return psl_is_public_suffix(list, name) ? QOC_PSL_PUBLIC : QOC_PSL_NOT_PUBLIC;
}
