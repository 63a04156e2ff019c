/* origins.c - the registered CORS origins, snapshotted (origins.h). */
#include "oauth/origins.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/log.h"

/* An immutable sorted array of malloc'd strings, shared by reference count. */
struct snapshot {
	char **items;
	size_t count;
	unsigned refs; /* under the mutex */
};

struct qoc_origins {
	struct qoc_store *store;
	int64_t interval;
	pthread_mutex_t mu;
	struct snapshot *snap; /* NULL until the first load succeeds */
	int64_t checked_at;    /* when the last rebuild started */
	bool loaded;
	bool refreshing;
};

static void snapshot_free(struct snapshot *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->count; i++)
		free(s->items[i]);
	free(s->items);
	free(s);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static enum qoc_err add_app(struct snapshot *s, size_t *cap, const struct qoc_app *app)
{
	for (size_t i = 0; i < app->allowed_origins.count; i++) {
		if (s->count == QOC_ORIGINS_MAX)
			return QOC_ELIMIT;
		if (s->count == *cap) {
			size_t n = *cap ? *cap * 2 : 64;
			char **p = realloc(s->items, n * sizeof(*p));
			if (!p)
				return QOC_ENOMEM;
			s->items = p;
			*cap = n;
		}
		if (!(s->items[s->count] = strdup(app->allowed_origins.items[i])))
			return QOC_ENOMEM;
		s->count++;
	}
	return QOC_OK;
}

/* Reads every active application's origins, page by page. */
static enum qoc_err build(struct qoc_store *st, struct snapshot **out)
{
	struct snapshot *s = calloc(1, sizeof(*s));
	size_t cap = 0;
	struct qoc_arena a;
	enum qoc_err err = s ? QOC_OK : QOC_ENOMEM;
	struct qoc_app_query q = {.all_teams = true,
	                          .status = "active",
	                          .sort = QOC_APP_SORT_CREATED,
	                          .limit = QOC_APP_LIST_MAX_LIMIT};
	qoc_arena_init(&a, 0);
	while (!err) {
		struct qoc_app_page page;
		if ((err = qoc_store_app_list(st, &a, &q, &page)))
			break;
		for (size_t i = 0; !err && i < page.count; i++)
			err = add_app(s, &cap, &page.items[i]);
		if (err || !page.next_cursor)
			break;
		/* The cursor lives in the arena: keep it across the reset. */
		char cursor[QOC_STORE_CURSOR_MAX + 1];
		size_t n = strnlen(page.next_cursor, QOC_STORE_CURSOR_MAX);
		memcpy(cursor, page.next_cursor, n);
		cursor[n] = '\0';
		qoc_arena_release(&a);
		qoc_arena_init(&a, 0);
		q.cursor = qoc_arena_strdup(&a, cursor);
		err = q.cursor ? QOC_OK : QOC_ENOMEM;
	}
	qoc_arena_release(&a);
	if (err == QOC_ELIMIT) {
		qoc_log_warn("cors: too many registered origins, the rest are ignored", "max=%d",
		             QOC_ORIGINS_MAX);
		err = QOC_OK;
	}
	if (err) {
		snapshot_free(s);
		return err;
	}
	qsort(s->items, s->count, sizeof(*s->items), cmp_str);
	s->refs = 1;
	*out = s;
	return QOC_OK;
}

enum qoc_err qoc_origins_new(struct qoc_store *st, int64_t interval, struct qoc_origins **out)
{
	*out = NULL;
	if (!st || interval < 1)
		return QOC_EINVAL;
	struct qoc_origins *o = calloc(1, sizeof(*o));
	if (!o)
		return QOC_ENOMEM;
	o->store = st;
	o->interval = interval;
	if (pthread_mutex_init(&o->mu, NULL) != 0) {
		free(o);
		return QOC_ENOMEM;
	}
	*out = o;
	return QOC_OK;
}

void qoc_origins_free(struct qoc_origins *o)
{
	if (!o)
		return;
	snapshot_free(o->snap);
	pthread_mutex_destroy(&o->mu);
	free(o);
}

static void put(struct qoc_origins *o, struct snapshot *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&o->mu);
	bool last = --s->refs == 0;
	pthread_mutex_unlock(&o->mu);
	if (last)
		snapshot_free(s);
}

/* Rebuilds when the snapshot is max_age seconds old or more (one caller at a time);
 * returns a reference to the current snapshot. */
static struct snapshot *get(struct qoc_origins *o, int64_t now, int64_t max_age)
{
	pthread_mutex_lock(&o->mu);
	bool due =
	    !o->refreshing && (!o->loaded || now - o->checked_at >= max_age || now < o->checked_at);
	if (due) {
		o->refreshing = true;
		o->checked_at = now;
		pthread_mutex_unlock(&o->mu);
		struct snapshot *fresh = NULL;
		enum qoc_err err = build(o->store, &fresh);
		if (err)
			qoc_log_error("cors: cannot read the registered origins", "err=%s",
			              qoc_strerror(err));
		pthread_mutex_lock(&o->mu);
		struct snapshot *old = NULL;
		if (fresh) {
			old = o->snap;
			o->snap = fresh;
			o->loaded = true;
		}
		o->refreshing = false;
		if (old && --old->refs == 0) {
			pthread_mutex_unlock(&o->mu);
			snapshot_free(old);
			pthread_mutex_lock(&o->mu);
		}
	}
	struct snapshot *s = o->snap;
	if (s)
		s->refs++;
	pthread_mutex_unlock(&o->mu);
	return s;
}

bool qoc_origins_allowed(struct qoc_origins *o, const char *origin, int64_t now)
{
	if (!o || !origin || !origin[0])
		return false;
	struct snapshot *s = get(o, now, o->interval);
	bool found = s && bsearch(&origin, s->items, s->count, sizeof(*s->items), cmp_str);
	put(o, s);
	if (found)
		return true;
	/* A miss may be an application registered a moment ago: look again, at most once a
	 * second (so misses cannot make every request a scan). */
	s = get(o, now, 1);
	found = s && bsearch(&origin, s->items, s->count, sizeof(*s->items), cmp_str);
	put(o, s);
	return found;
}

bool qoc_origins_app_allows(const struct qoc_app *app, const char *origin)
{
	if (!app || !origin)
		return false;
	for (size_t i = 0; i < app->allowed_origins.count; i++)
		if (strcmp(app->allowed_origins.items[i], origin) == 0)
			return true;
	return false;
}
