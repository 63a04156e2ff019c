/* throttle.c - bounded failure counters with exponential lock-outs (see throttle.h).
 *
 * Layout: one array of `cap` entries allocated at creation, a power-of-two bucket array
 * of chain heads, and an intrusive doubly-linked LRU list, all by 32-bit index (NIL ends
 * a list). One mutex guards everything: sign-ins are argon2id-bound (hundreds a second),
 * and every operation here is a hash and a few pointer moves.
 */
#include "login/throttle.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/random.h"
#include "crypto/hash.h"
#include "store/store_throttle.h"

#define NIL UINT32_MAX
#define KEY_LEN 16
/* How many least-recently-used entries eviction looks at for one that is not locked. */
#define EVICT_SCAN 8

struct entry {
	uint8_t key[KEY_LEN]; /* the first 128 bits of HMAC(table key, key string) */
	uint32_t chain;       /* next in the bucket, or in the free list */
	uint32_t prev, next;  /* LRU neighbours: prev is more recent */
	uint32_t failures;
	uint32_t locks;   /* lock-outs so far: the next one lasts lock_base * 2^locks */
	uint32_t pending; /* reservations not settled yet (counted until pending_until) */
	int64_t last_fail;
	int64_t locked_until;
	int64_t pending_until;
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
	_Atomic size_t live; /* count, readable without mu (qoc_throttle_idle) */
	/* Shared (qoc_throttle_share): the budgets live in the store; the table above only
	 * mirrors the locks the store reported, for qoc_throttle_check. */
	struct qoc_store *store;
	char name[32];
	enum qoc_metrics_throttle kind; /* its qoc_throttle_refusals_total label */
};

static bool params_valid(const struct qoc_throttle_params *p)
{
	return p && p->max_failures >= 1 && p->window >= 1 && p->lock_base >= 1 &&
	       p->lock_max >= p->lock_base && p->pending_ttl >= 0;
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
	if (!t->p.pending_ttl)
		t->p.pending_ttl = QOC_THROTTLE_PENDING_TTL;
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
	atomic_store_explicit(&t->live, t->count, memory_order_relaxed);
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
	atomic_store_explicit(&t->live, t->count, memory_order_relaxed);
	return i;
}

/* Nothing left to remember: the quiet period has passed since the last failure or, when
 * the key was locked, since the lock ended (a locked key cannot fail, so its quiet period
 * starts when it may try again; otherwise a lock as long as the window would forget the
 * back-off the moment it ends). */
static bool quiet(const struct qoc_throttle *t, const struct entry *e, int64_t now)
{
	int64_t since = e->locked_until > e->last_fail ? e->locked_until : e->last_fail;
	return now - since >= t->p.window;
}

/* Quiet, and no reservation in flight. */
static bool stale(const struct qoc_throttle *t, const struct entry *e, int64_t now)
{
	return quiet(t, e, now) && !(e->pending && e->pending_until > now);
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
	if (wait)
		qoc_metrics_throttle_refused(t->kind);
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

/* The store key of a hashed key: "<table name>:<hex>". */
static void store_key(const struct qoc_throttle *t, const uint8_t k[KEY_LEN], char *out,
                      size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = (size_t)snprintf(out, size, "%s:", t->name);
	for (size_t i = 0; i < KEY_LEN && n + 2 < size; i++) {
		out[n++] = hex[k[i] >> 4];
		out[n++] = hex[k[i] & 15];
	}
	out[n < size ? n : size - 1] = '\0';
}

#define STORE_KEY_SIZE (sizeof(((struct qoc_throttle *)0)->name) + 2 * KEY_LEN + 2)

static struct qoc_store_throttle_params store_params(const struct qoc_throttle *t)
{
	return (struct qoc_store_throttle_params){.max_failures = t->p.max_failures,
	                                          .window = t->p.window,
	                                          .lock_base = t->p.lock_base,
	                                          .lock_max = t->p.lock_max,
	                                          .pending_ttl = t->p.pending_ttl};
}

/* The entry of k, made when missing, its count reset when its window passed. */
static struct entry *entry_for(struct qoc_throttle *t, const uint8_t k[KEY_LEN], int64_t now)
{
	uint32_t i = find(t, k);
	if (i == NIL) {
		i = insert(t, k, now);
	} else {
		touch(t, i);
		if (quiet(t, &t->e[i], now))
			t->e[i].failures = t->e[i].locks = 0;
	}
	return &t->e[i];
}

/* Shared: a lock the store reported, mirrored for qoc_throttle_check. */
static void mirror_lock(struct qoc_throttle *t, const uint8_t k[KEY_LEN], int64_t now,
                        int64_t until)
{
	if (until <= now)
		return;
	pthread_mutex_lock(&t->mu);
	struct entry *e = entry_for(t, k, now);
	if (until > e->locked_until)
		e->locked_until = until;
	if (now > e->last_fail)
		e->last_fail = now;
	pthread_mutex_unlock(&t->mu);
}

static uint32_t live_pending(const struct entry *e, int64_t now)
{
	return e->pending_until > now ? e->pending : 0;
}

/* Counts one failure at now, settling a reservation when `reserved`. */
static enum qoc_err fail_at(struct qoc_throttle *t, const char *key, int64_t now, bool reserved)
{
	uint8_t k[KEY_LEN];
	enum qoc_err err = hash_key(t, key, k);
	if (err)
		return err;
	if (t->store) {
		char sk[STORE_KEY_SIZE];
		struct qoc_store_throttle_params sp = store_params(t);
		int64_t until = 0;
		store_key(t, k, sk, sizeof(sk));
		err = qoc_store_throttle_fail(t->store, sk, &sp, now, reserved, &until);
		if (err)
			qoc_log_warn("throttle: failure not counted", "table=%s err=%s", t->name,
			             qoc_strerror(err));
		mirror_lock(t, k, now, until);
		return err;
	}
	pthread_mutex_lock(&t->mu);
	struct entry *e = entry_for(t, k, now);
	if (reserved) {
		uint32_t p = live_pending(e, now);
		e->pending = p ? p - 1 : 0;
	}
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

enum qoc_err qoc_throttle_fail(struct qoc_throttle *t, const char *key, int64_t now)
{
	return fail_at(t, key, now, false);
}

enum qoc_err qoc_throttle_fail_reserved(struct qoc_throttle *t, const char *key, int64_t now)
{
	return fail_at(t, key, now, true);
}

bool qoc_throttle_reserve(struct qoc_throttle *t, const char *key, int64_t now,
                          int64_t *retry_after, int64_t *failures)
{
	uint8_t k[KEY_LEN];
	int64_t wait = 1, counted = 0; /* fail closed */
	bool granted = false;
	if (hash_key(t, key, k))
		goto out;
	if (t->store) {
		char sk[STORE_KEY_SIZE];
		struct qoc_store_throttle_params sp = store_params(t);
		int64_t until = 0;
		store_key(t, k, sk, sizeof(sk));
		enum qoc_err err =
		    qoc_store_throttle_reserve(t->store, sk, &sp, now, &granted, &counted, &until);
		if (err)
			qoc_log_warn("throttle: reservation failed", "table=%s err=%s", t->name,
			             qoc_strerror(err));
		mirror_lock(t, k, now, until);
		wait = granted ? 0 : until > now ? until - now : 1;
		goto out;
	}
	pthread_mutex_lock(&t->mu);
	struct entry *e = entry_for(t, k, now);
	uint32_t p = live_pending(e, now);
	uint32_t budget = e->failures < t->p.max_failures ? t->p.max_failures - e->failures : 1;
	counted = e->failures;
	if (e->locked_until > now) {
		wait = e->locked_until - now;
	} else if (p < budget) {
		e->pending = p + 1;
		e->pending_until = now + t->p.pending_ttl;
		granted = true;
		wait = 0;
	}
	pthread_mutex_unlock(&t->mu);
out:
	if (retry_after)
		*retry_after = wait;
	if (failures)
		*failures = counted;
	if (!granted)
		qoc_metrics_throttle_refused(t->kind);
	return granted;
}

void qoc_throttle_set_kind(struct qoc_throttle *t, enum qoc_metrics_throttle kind)
{
	t->kind = kind;
}

void qoc_throttle_cancel(struct qoc_throttle *t, const char *key, int64_t now)
{
	uint8_t k[KEY_LEN];
	if (hash_key(t, key, k))
		return;
	if (t->store) {
		char sk[STORE_KEY_SIZE];
		store_key(t, k, sk, sizeof(sk));
		(void)qoc_store_throttle_cancel(t->store, sk, now);
		return;
	}
	pthread_mutex_lock(&t->mu);
	uint32_t i = find(t, k);
	if (i != NIL) {
		uint32_t p = live_pending(&t->e[i], now);
		t->e[i].pending = p ? p - 1 : 0;
	}
	pthread_mutex_unlock(&t->mu);
}

enum qoc_err qoc_throttle_share(struct qoc_throttle *t, struct qoc_store *store,
                                const uint8_t key[32], const char *name)
{
	size_t len = name ? strlen(name) : 0;
	if (!store || !key || len == 0 || len >= sizeof(t->name))
		return QOC_EINVAL;
	enum qoc_err err = qoc_hash_hmac_sha256(key, 32, name, len, t->hkey);
	if (err)
		return err;
	memcpy(t->name, name, len + 1);
	t->store = store;
	return QOC_OK;
}

void qoc_throttle_success(struct qoc_throttle *t, const char *key)
{
	uint8_t k[KEY_LEN];
	if (hash_key(t, key, k))
		return;
	if (t->store) {
		char sk[STORE_KEY_SIZE];
		store_key(t, k, sk, sizeof(sk));
		(void)qoc_store_throttle_forget(t->store, sk);
	}
	pthread_mutex_lock(&t->mu);
	uint32_t i = find(t, k);
	if (i != NIL)
		forget(t, i);
	pthread_mutex_unlock(&t->mu);
}

bool qoc_throttle_idle(struct qoc_throttle *t)
{
	return atomic_load_explicit(&t->live, memory_order_relaxed) == 0;
}

size_t qoc_throttle_count(struct qoc_throttle *t)
{
	pthread_mutex_lock(&t->mu);
	size_t n = t->count;
	pthread_mutex_unlock(&t->mu);
	return n;
}
