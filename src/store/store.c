/* store.c - picks a backend from the store url and checks it speaks our ops version. */
#include "store/store.h"

#include <string.h>

#include "core/log.h"
#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* libpq's "host=db dbname=qoc ..." form: the first word is a keyword followed by '='. */
static bool is_libpq_conninfo(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	const char *w = s;
	while (is_alpha(*s) || *s == '_')
		s++;
	if (s == w)
		return false;
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == '=';
}

/* "scheme://" with an RFC 3986 scheme name. */
static bool has_url_scheme(const char *s)
{
	if (!is_alpha(*s))
		return false;
	while (is_alpha(*s) || (*s >= '0' && *s <= '9') || *s == '+' || *s == '-' || *s == '.')
		s++;
	return starts_with(s, "://");
}

/* Checked before a backend is used at all: a table built against another layout of
 * struct qoc_store_ops must not be called through. */
static bool ops_compatible(const struct qoc_store_ops *ops)
{
	if (ops->version == QOC_STORE_OPS_VERSION)
		return true;
	qoc_log_error("store: backend ops version mismatch", "backend=%s version=%u want=%u",
	              ops->name, ops->version, (unsigned)QOC_STORE_OPS_VERSION);
	return false;
}

const char *qoc_store_sqlite_path(const char *url)
{
	if (!url || starts_with(url, "postgres://") || starts_with(url, "postgresql://") ||
	    is_libpq_conninfo(url))
		return NULL;
	if (starts_with(url, "sqlite://"))
		return url + strlen("sqlite://");
	if (starts_with(url, "sqlite:"))
		return url + strlen("sqlite:");
	return has_url_scheme(url) ? NULL : url;
}

enum qoc_err qoc_store_open(const struct qoc_store_options *opts, struct qoc_store **out)
{
	*out = NULL;
	if (!opts || !opts->url || !opts->url[0]) {
		qoc_log_error("store: no database url given", "key=QOC_DATABASE");
		return QOC_EINVAL;
	}
	if (opts->pool_size > QOC_STORE_MAX_POOL_SIZE) {
		qoc_log_error("store: pool_size too large", "pool_size=%u max=%u", opts->pool_size,
		              (unsigned)QOC_STORE_MAX_POOL_SIZE);
		return QOC_EINVAL;
	}
	const char *url = opts->url;
	if (starts_with(url, "postgres://") || starts_with(url, "postgresql://") ||
	    is_libpq_conninfo(url)) {
		if (!ops_compatible(&qoc_pg_ops))
			return QOC_EINVAL;
		return qoc_pg_open(opts, url, out);
	}
	const char *path = qoc_store_sqlite_path(url);
	if (!path) {
		qoc_log_error("store: unknown database url scheme",
		              "hint=\"use sqlite:<path> or postgres://...\"");
		return QOC_EINVAL;
	}
	if (!ops_compatible(&qoc_sqlite_ops))
		return QOC_EINVAL;
	return qoc_sqlite_open(opts, path, out);
}

void qoc_store_close(struct qoc_store *st)
{
	if (st)
		st->ops->close(st);
}

char *qoc_store_email_norm(struct qoc_arena *a, const char *email)
{
	char *norm = qoc_arena_strdup(a, email);
	if (!norm)
		return NULL;
	for (char *p = norm; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return norm;
}

char *qoc_store_name_norm(struct qoc_arena *a, const char *name)
{
	return qoc_store_email_norm(a, name); /* the same folding, named for its use */
}

static const char *const role_names[] = {
    [QOC_ROLE_VIEWER] = "viewer",
    [QOC_ROLE_DEVELOPER] = "developer",
    [QOC_ROLE_ADMIN] = "admin",
};

const char *qoc_role_name(enum qoc_role role)
{
	if (role <= QOC_ROLE_NONE || role > QOC_ROLE_ADMIN)
		return NULL;
	return role_names[role];
}

enum qoc_role qoc_role_parse(const char *s)
{
	if (!s)
		return QOC_ROLE_NONE;
	for (int r = QOC_ROLE_VIEWER; r <= QOC_ROLE_ADMIN; r++)
		if (strcmp(s, role_names[r]) == 0)
			return (enum qoc_role)r;
	return QOC_ROLE_NONE;
}

enum qoc_err qoc_store_backup(struct qoc_store *st, const char *path)
{
	if (!st || st->ops != &qoc_sqlite_ops)
		return QOC_EINVAL;
	return qoc_sqlite_backup(st, path);
}

enum qoc_err qoc_store_restore(const struct qoc_store_options *opts, const char *from,
                               qoc_store_restore_check_fn *check, void *arg, unsigned *version)
{
	const char *path = opts ? qoc_store_sqlite_path(opts->url) : NULL;
	if (!path || !*path)
		return QOC_EINVAL;
	char staged[4096];
	enum qoc_err err = qoc_sqlite_restore_stage(path, from, staged, sizeof(staged), version);
	if (!err && check) {
		struct qoc_store_options sopts = *opts;
		sopts.url = staged;
		struct qoc_store *st = NULL;
		err = qoc_sqlite_open(&sopts, staged, &st);
		if (!err)
			err = check(st, arg);
		qoc_store_close(st);
	}
	if (!err)
		err = qoc_sqlite_restore_commit(path);
	if (err)
		qoc_sqlite_restore_abort(path);
	return err;
}
