/* throttle.c - bounded failure counters with exponential lock-outs (see throttle.h).
 *
 * Layout: one array of `cap` entries allocated at creation, a power-of-two bucket array
 * of chain heads, and an intrusive doubly-linked LRU list, all by 32-bit index (NIL ends
 * a list). One mutex guards everything: sign-ins are argon2id-bound (hundreds a second),
 * and every operation here is a hash and a few pointer moves.
 */
#include "login/throttle.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/random.h"
#include "crypto/hash.h"

#define NIL UINT32_MAX
#define KEY_LEN 16
/* How many least-recently-used entries eviction looks at for one that is not locked. */
#define EVICT_SCAN 8

struct entry {
	uint8_t key[KEY_LEN]; /* the first 128 bits of HMAC(table key, key string) */
	uint32_t chain;       /* next in the bucket, or in the free list */
	uint32_t prev, next;  /* LRU neighbours: prev is more recent */
	uint32_t failures;
	uint32_t locks; /* lock-outs so far: the next one lasts lock_base * 2^locks */
	int64_t last_fail;
	int64_t locked_until;
};

struct qoc_throttle {
	pthread_mutex_t mu;
	struct qoc_throttle_params p;
	uint8_t hkey[QOC_SHA256_LEN];
	struct entry *e;
	uint32_t *bucket;
	uint32_t mask;       /* bucket count - 1 */
	uint32_t cap;        /* entries allocated */
	uint32_t fresh;      /* entries [fresh, cap) have never been used */
	uint32_t free_list;  /* entries released by qoc_throttle_success */
	uint32_t head, tail; /* LRU: head most recent */
	size_t count;
};

static bool params_valid(const struct qoc_throttle_params *p)
{
	return p && p->max_failures >= 1 && p->window >= 1 && p->lock_base >= 1 &&
	       p->lock_max >= p->lock_base;
}

struct qoc_throttle *qoc_throttle_new(size_t cap, const struct qoc_throttle_params *params)
{
	if (cap < 1 || cap > QOC_THROTTLE_MAX_CAP || !params_valid(params))
		return NULL;
	struct qoc_throttle *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	uint32_t nb = 1;
	while (nb < cap)
		nb <<= 1;
	t->e = calloc(cap, sizeof *t->e);
	t->bucket = malloc(nb * sizeof *t->bucket);
	if (!t->e || !t->bucket || qoc_random_bytes(t->hkey, sizeof t->hkey) ||
	    pthread_mutex_init(&t->mu, NULL)) {
		free(t->e);
		free(t->bucket);
		free(t);
		return NULL;
	}
	memset(t->bucket, 0xFF, nb * sizeof *t->bucket); /* every head NIL */
	t->p = *params;
	t->mask = nb - 1;
	t->cap = (uint32_t)cap;
	t->free_list = t->head = t->tail = NIL;
	return t;
}

void qoc_throttle_free(struct qoc_throttle *t)
{
	if (!t)
		return;
	pthread_mutex_destroy(&t->mu);
	qoc_memwipe(t->hkey, sizeof t->hkey);
	free(t->e);
	free(t->bucket);
	free(t);
}

/* Outside the lock: the HMAC is the only costly step. */
static enum qoc_err hash_key(const struct qoc_throttle *t, const char *key, uint8_t out[KEY_LEN])
{
	uint8_t mac[QOC_SHA256_LEN];
	const char *k = key ? key : "";
	enum qoc_err err = qoc_hash_hmac_sha256(t->hkey, sizeof t->hkey, k, strlen(k), mac);
	memcpy(out, mac, KEY_LEN);
	qoc_memwipe(mac, sizeof mac);
	return err;
}

static uint32_t *head_of(struct qoc_throttle *t, const uint8_t key[KEY_LEN])
{
	uint32_t h;
	memcpy(&h, key, sizeof h); /* uniform: an HMAC under a secret key */
	return &t->bucket[h & t->mask];
}

static uint32_t find(struct qoc_throttle *t, const uint8_t key[KEY_LEN])
{
	for (uint32_t i = *head_of(t, key); i != NIL; i = t->e[i].chain)
		if (memcmp(t->e[i].key, key, KEY_LEN) == 0)
			return i;
	return NIL;
}

static void lru_unlink(struct qoc_throttle *t, uint32_t i)
{
	struct entry *e = &t->e[i];
	if (e->prev != NIL)
		t->e[e->prev].next = e->next;
	else
		t->head = e->next;
	if (e->next != NIL)
		t->e[e->next].prev = e->prev;
	else
		t->tail = e->prev;
	e->prev = e->next = NIL;
}

static void lru_push_front(struct qoc_throttle *t, uint32_t i)
{
	struct entry *e = &t->e[i];
	e->prev = NIL;
	e->next = t->head;
	if (t->head != NIL)
		t->e[t->head].prev = i;
	t->head = i;
	if (t->tail == NIL)
		t->tail = i;
}

static void touch(struct qoc_throttle *t, uint32_t i)
{
	if (t->head != i) {
		lru_unlink(t, i);
		lru_push_front(t, i);
	}
}

/* Unlinks entry i from its bucket and the LRU list; the caller reuses or frees it. */
static void detach(struct qoc_throttle *t, uint32_t i)
{
	uint32_t *link = head_of(t, t->e[i].key);
	while (*link != i)
		link = &t->e[*link].chain;
	*link = t->e[i].chain;
	lru_unlink(t, i);
	t->count--;
}

static void forget(struct qoc_throttle *t, uint32_t i)
{
	detach(t, i);
	t->e[i].chain = t->free_list;
	t->free_list = i;
}

/* A slot for a new key: a never-used entry, a forgotten one, or the least recently used
 * one that is not locked at `now` (the very least recently used if the first EVICT_SCAN
 * are all locked). */
static uint32_t take_slot(struct qoc_throttle *t, int64_t now)
{
	if (t->fresh < t->cap)
		return t->fresh++;
	if (t->free_list != NIL) {
		uint32_t i = t->free_list;
		t->free_list = t->e[i].chain;
		return i;
	}
	uint32_t victim = t->tail;
	uint32_t i = t->tail;
	for (int n = 0; n < EVICT_SCAN && i != NIL; n++, i = t->e[i].prev) {
		if (t->e[i].locked_until <= now) {
			victim = i;
			break;
		}
	}
	detach(t, victim);
	return victim;
}

static uint32_t insert(struct qoc_throttle *t, const uint8_t key[KEY_LEN], int64_t now)
{
	uint32_t i = take_slot(t, now);
	struct entry *e = &t->e[i];
	memset(e, 0, sizeof *e);
	memcpy(e->key, key, KEY_LEN);
	uint32_t *head = head_of(t, key);
	e->chain = *head;
	*head = i;
	e->prev = e->next = NIL;
	lru_push_front(t, i);
	t->count++;
	return i;
}

/* Nothing left to remember: the quiet period has passed since the last failure or, when
 * the key was locked, since the lock ended (a locked key cannot fail, so its quiet period
 * starts when it may try again; otherwise a lock as long as the window would forget the
 * back-off the moment it ends). */
static bool stale(const struct qoc_throttle *t, const struct entry *e, int64_t now)
{
	int64_t since = e->locked_until > e->last_fail ? e->locked_until : e->last_fail;
	return now - since >= t->p.window;
}

bool qoc_throttle_check(struct qoc_throttle *t, const char *key, int64_t now, int64_t *retry_after)
{
	uint8_t k[KEY_LEN];
	int64_t wait = 0;
	if (hash_key(t, key, k)) {
		wait = 1; /* fail closed */
		goto out;
	}
	pthread_mutex_lock(&t->mu);
	uint32_t i = find(t, k);
	if (i != NIL && stale(t, &t->e[i], now)) {
		forget(t, i);
	} else if (i != NIL) {
		touch(t, i); /* a key under attack stays in the table */
		if (t->e[i].locked_until > now)
			wait = t->e[i].locked_until - now;
	}
	pthread_mutex_unlock(&t->mu);
out:
	if (retry_after)
		*retry_after = wait;
	return wait == 0;
}

/* lock_base * 2^locks, at most lock_max, without overflow. */
static int64_t lock_length(const struct qoc_throttle_params *p, uint32_t locks)
{
	int64_t len = p->lock_base;
	for (uint32_t n = 0; n < locks && len < p->lock_max; n++)
		len = len > p->lock_max / 2 ? p->lock_max : len * 2;
	return len < p->lock_max ? len : p->lock_max;
}

enum qoc_err qoc_throttle_fail(struct qoc_throttle *t, const char *key, int64_t now)
{
	uint8_t k[KEY_LEN];
	enum qoc_err err = hash_key(t, key, k);
	if (err)
		return err;
	pthread_mutex_lock(&t->mu);
	uint32_t i = find(t, k);
	if (i == NIL) {
		i = insert(t, k, now);
	} else {
		touch(t, i);
		if (stale(t, &t->e[i], now))
			t->e[i].failures = t->e[i].locks = 0;
	}
	struct entry *e = &t->e[i];
	if (e->failures < UINT32_MAX)
		e->failures++;
	e->last_fail = now;
	if (e->failures >= t->p.max_failures) {
		int64_t until = now + lock_length(&t->p, e->locks);
		if (until > e->locked_until)
			e->locked_until = until;
		if (e->locks < UINT32_MAX)
			e->locks++;
	}
	pthread_mutex_unlock(&t->mu);
	return QOC_OK;
}

void qoc_throttle_success(struct qoc_throttle *t, const char *key)
{
	uint8_t k[KEY_LEN];
	if (hash_key(t, key, k))
		return;
	pthread_mutex_lock(&t->mu);
	uint32_t i = find(t, k);
	if (i != NIL)
		forget(t, i);
	pthread_mutex_unlock(&t->mu);
}

size_t qoc_throttle_count(struct qoc_throttle *t)
{
	pthread_mutex_lock(&t->mu);
	size_t n = t->count;
	pthread_mutex_unlock(&t->mu);
	return n;
}
