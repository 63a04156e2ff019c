/* app_cache.c - see app_cache.h.
 *
 * An entry keeps its row as one flat block: the list arrays, then the blobs, then every
 * string, with the struct's pointers aimed into the block. A hit copies the block into the
 * caller's arena with one memcpy and moves each pointer by the distance between the two
 * blocks, so a caller owns its copy exactly as if it came from the store.
 */
#include "store/app_cache.h"

#include <openssl/crypto.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"

/* Every pointer member of struct qoc_app, by kind. A member added to the struct must be
 * added here too: until it is, this size check stops the build (a pointer this file did
 * not copy would point into a released arena). */
#define APP_STRINGS(X)                                                                        \
	X(client_id) X(team_id) X(owner_id) X(name) X(description) X(type) X(status)            \
	X(token_format) X(id_token_signed_response_alg) X(icon_type)
#define APP_LISTS(X)                                                                          \
	X(redirect_uris) X(allowed_origins) X(sso_redirect_uris) X(logout_uris) X(grant_types)
#define APP_BLOBS(X) X(secret_hash, secret_hash_len) X(secret_sealed, secret_sealed_len)
_Static_assert(sizeof(struct qoc_app) == 10 * sizeof(char *) + 5 * sizeof(struct qoc_str_list) +
                                             2 * (sizeof(void *) + sizeof(size_t)) +
                                             8 * sizeof(int64_t) + sizeof(int64_t),
               "struct qoc_app changed: update APP_STRINGS/APP_LISTS/APP_BLOBS");

#define ID_MAX 64 /* longer client ids are not kept (the store's are 35 characters) */

struct entry {
	unsigned char *blob; /* NULL: the way is empty */
	size_t size;
	uint64_t gen;
	uint32_t hash;
	_Atomic uint64_t used; /* the set's tick at the last hit: the oldest is replaced */
	struct qoc_app app;    /* pointers into blob */
};

struct set {
	pthread_rwlock_t lock; /* gets read-lock, puts write-lock */
	_Atomic uint64_t tick;
	struct entry ways[QOC_APP_CACHE_WAYS];
};

struct qoc_app_cache {
	_Atomic uint64_t hits, misses, puts;
	struct set sets[QOC_APP_CACHE_SETS];
};

/* Appends n bytes of src at *off in buf (buf NULL: only counts). Returns the copy. */
static void *put_bytes(unsigned char *buf, size_t *off, const void *src, size_t n)
{
	void *dst = buf ? buf + *off : NULL;
	if (dst && n)
		memcpy(dst, src, n);
	*off += n;
	return dst;
}

static const char *put_str(unsigned char *buf, size_t *off, const char *s)
{
	return s ? put_bytes(buf, off, s, strlen(s) + 1) : NULL;
}

/* Lays src out flat in buf (pointer arrays first, so they are aligned as buf is) and
 * points dst into it; with buf NULL only measures. Returns the block's size. */
static size_t flatten(const struct qoc_app *src, unsigned char *buf, struct qoc_app *dst)
{
	struct qoc_app scratch;
	if (!dst)
		dst = &scratch;
	*dst = *src;
	size_t off = 0;
#define LIST_ARRAY(f)                                                                         \
	dst->f.items = src->f.count ? put_bytes(buf, &off, src->f.items,                          \
	                                        src->f.count * sizeof(src->f.items[0]))           \
	                            : NULL;
	APP_LISTS(LIST_ARRAY)
#undef LIST_ARRAY
#define BLOB(p, n) dst->p = src->p ? put_bytes(buf, &off, src->p, src->n) : NULL;
	APP_BLOBS(BLOB)
#undef BLOB
#define STRING(f) dst->f = put_str(buf, &off, src->f);
	APP_STRINGS(STRING)
#undef STRING
#define LIST_ITEMS(f)                                                                         \
	for (size_t i = 0; i < src->f.count; i++) {                                               \
		const char *s = put_str(buf, &off, src->f.items[i]);                                  \
		if (buf)                                                                              \
			dst->f.items[i] = s;                                                              \
	}
	APP_LISTS(LIST_ITEMS)
#undef LIST_ITEMS
	return off;
}

/* app points into from; after a memcpy of the block to `to`, aims it at `to`. */
static void relocate(struct qoc_app *app, const unsigned char *from, unsigned char *to)
{
#define MOVE(p) ((p) ? (void *)(to + ((const unsigned char *)(p) - from)) : NULL)
#define STRING(f) app->f = MOVE(app->f);
	APP_STRINGS(STRING)
#undef STRING
#define BLOB(p, n) app->p = MOVE(app->p);
	APP_BLOBS(BLOB)
#undef BLOB
#define LIST(f)                                                                               \
	app->f.items = MOVE(app->f.items);                                                        \
	for (size_t i = 0; i < app->f.count; i++)                                                 \
		app->f.items[i] = MOVE(app->f.items[i]);
	APP_LISTS(LIST)
#undef LIST
#undef MOVE
}

static void entry_drop(struct entry *e)
{
	if (e->blob) {
		OPENSSL_cleanse(e->blob, e->size); /* the secret hash and sealed secret */
		free(e->blob);
	}
	e->blob = NULL;
	e->size = 0;
	memset(&e->app, 0, sizeof(e->app));
}

enum qoc_err qoc_app_cache_new(struct qoc_app_cache **out)
{
	*out = NULL;
	struct qoc_app_cache *c = calloc(1, sizeof(*c));
	if (!c)
		return QOC_ENOMEM;
	for (unsigned i = 0; i < QOC_APP_CACHE_SETS; i++) {
		if (pthread_rwlock_init(&c->sets[i].lock, NULL) != 0) {
			while (i--)
				pthread_rwlock_destroy(&c->sets[i].lock);
			free(c);
			return QOC_ENOMEM;
		}
	}
	*out = c;
	return QOC_OK;
}

void qoc_app_cache_free(struct qoc_app_cache *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < QOC_APP_CACHE_SETS; i++) {
		for (unsigned w = 0; w < QOC_APP_CACHE_WAYS; w++)
			entry_drop(&c->sets[i].ways[w]);
		pthread_rwlock_destroy(&c->sets[i].lock);
	}
	free(c);
}

static bool same_id(const struct entry *e, uint32_t h, const char *client_id)
{
	return e->blob && e->hash == h && strcmp(e->app.client_id, client_id) == 0;
}

enum qoc_err qoc_app_cache_get(struct qoc_app_cache *c, struct qoc_arena *a,
                               const char *client_id, uint64_t gen, struct qoc_app *out)
{
	uint32_t h = qoc_str_hash(client_id);
	struct set *s = &c->sets[h % QOC_APP_CACHE_SETS];
	enum qoc_err err = QOC_ENOTFOUND;
	pthread_rwlock_rdlock(&s->lock);
	for (unsigned w = 0; w < QOC_APP_CACHE_WAYS; w++) {
		struct entry *e = &s->ways[w];
		if (!same_id(e, h, client_id))
			continue;
		if (e->gen != gen)
			break; /* changed since: the caller reads the row and puts it back */
		unsigned char *copy = qoc_arena_alloc(a, e->size);
		if (!copy) {
			err = QOC_ENOMEM;
			break;
		}
		memcpy(copy, e->blob, e->size);
		*out = e->app;
		relocate(out, e->blob, copy);
		atomic_store_explicit(&e->used, atomic_fetch_add_explicit(&s->tick, 1, memory_order_relaxed),
		                      memory_order_relaxed);
		err = QOC_OK;
		break;
	}
	pthread_rwlock_unlock(&s->lock);
	atomic_fetch_add_explicit(err == QOC_OK ? &c->hits : &c->misses, 1, memory_order_relaxed);
	return err;
}

void qoc_app_cache_put(struct qoc_app_cache *c, const struct qoc_app *app, uint64_t gen)
{
	if (!app->client_id || strlen(app->client_id) >= ID_MAX)
		return;
	struct entry fresh = {.gen = gen, .hash = qoc_str_hash(app->client_id)};
	fresh.size = flatten(app, NULL, NULL);
	fresh.blob = malloc(fresh.size);
	if (!fresh.blob)
		return;
	flatten(app, fresh.blob, &fresh.app);

	struct set *s = &c->sets[fresh.hash % QOC_APP_CACHE_SETS];
	pthread_rwlock_wrlock(&s->lock);
	struct entry *victim = NULL;
	for (unsigned w = 0; w < QOC_APP_CACHE_WAYS && !victim; w++)
		if (same_id(&s->ways[w], fresh.hash, app->client_id))
			victim = &s->ways[w];
	if (victim && victim->gen > gen) {
		/* Another reader kept a copy read after a later change: it stays. */
		pthread_rwlock_unlock(&s->lock);
		entry_drop(&fresh);
		return;
	}
	for (unsigned w = 0; w < QOC_APP_CACHE_WAYS && !victim; w++)
		if (!s->ways[w].blob)
			victim = &s->ways[w];
	if (!victim) {
		victim = &s->ways[0];
		for (unsigned w = 1; w < QOC_APP_CACHE_WAYS; w++)
			if (atomic_load_explicit(&s->ways[w].used, memory_order_relaxed) <
			    atomic_load_explicit(&victim->used, memory_order_relaxed))
				victim = &s->ways[w];
	}
	entry_drop(victim);
	victim->blob = fresh.blob;
	victim->size = fresh.size;
	victim->gen = fresh.gen;
	victim->hash = fresh.hash;
	victim->app = fresh.app;
	atomic_store_explicit(&victim->used,
	                      atomic_fetch_add_explicit(&s->tick, 1, memory_order_relaxed),
	                      memory_order_relaxed);
	pthread_rwlock_unlock(&s->lock);
	atomic_fetch_add_explicit(&c->puts, 1, memory_order_relaxed);
}

void qoc_app_cache_stats(struct qoc_app_cache *c, struct qoc_app_cache_stats *out)
{
	out->hits = atomic_load(&c->hits);
	out->misses = atomic_load(&c->misses);
	out->puts = atomic_load(&c->puts);
}
