#include "core/arena.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define SPARE_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define SPARE_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define SPARE_POISON(p, n) ((void)(p), (void)(n))
#define SPARE_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define CHUNK_SIZE 4096
#define ALIGN 16

struct qoc_arena_chunk {
	struct qoc_arena_chunk *next;
	size_t size;   /* usable bytes in mem */
	size_t off;
	_Alignas(ALIGN) unsigned char mem[];
};

struct qoc_arena_cleanup {
	struct qoc_arena_cleanup *next;
	void (*fn)(void *);
	void *arg;
};

/* Spare standard chunks, per thread (after h2o's recycling allocator). A request arena takes
 * and gives back the same few 4 KiB chunks; through malloc they took its shared arenas'
 * lock each time, and the connection threads queued on it (half of the server's futex
 * calls on introspection). A thread keeps up to SPARE_MAX (64 KiB) and frees them when it
 * exits. Under AddressSanitizer a spare chunk is poisoned, so a use after release is still
 * caught. */
#define SPARE_MAX 16
static __thread struct qoc_arena_chunk *spare;
static __thread unsigned spare_count;
static __thread bool spare_registered;
static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;
static bool spare_key_ok;

static void spare_free_all(void *unused)
{
	(void)unused;
	while (spare) {
		struct qoc_arena_chunk *c = spare;
		SPARE_UNPOISON(c, sizeof(*c) + CHUNK_SIZE);
		spare = c->next;
		free(c);
	}
	spare_count = 0;
}

/* exit() runs no key destructor for the thread that calls it: free its spares here. */
static void spare_free_at_exit(void)
{
	spare_free_all(NULL);
}

static void spare_key_make(void)
{
	spare_key_ok = pthread_key_create(&spare_key, spare_free_all) == 0 &&
	               atexit(spare_free_at_exit) == 0;
}

/* Keeps c for this thread's next arena; false when there is no room (free it). */
static bool spare_put(struct qoc_arena_chunk *c)
{
	if (c->size != CHUNK_SIZE || spare_count >= SPARE_MAX)
		return false;
	if (!spare_registered) {
		/* The key's destructor frees the spares when the thread exits. */
		pthread_once(&spare_once, spare_key_make);
		if (!spare_key_ok || pthread_setspecific(spare_key, &spare_registered) != 0)
			return false;
		spare_registered = true;
	}
	c->next = spare;
	spare = c;
	spare_count++;
	SPARE_POISON(c, sizeof(*c) + CHUNK_SIZE);
	return true;
}

static struct qoc_arena_chunk *spare_take(void)
{
	struct qoc_arena_chunk *c = spare;
	if (c) {
		SPARE_UNPOISON(c, sizeof(*c) + CHUNK_SIZE);
		spare = c->next;
		spare_count--;
	}
	return c;
}

void qoc_arena_init(struct qoc_arena *a, size_t budget)
{
	a->chunks = NULL;
	a->cleanups = NULL;
	a->used = 0;
	a->budget = budget ? budget : QOC_ARENA_DEFAULT_BUDGET;
}

void qoc_arena_release(struct qoc_arena *a)
{
	while (a->cleanups) {
		struct qoc_arena_cleanup *c = a->cleanups;
		a->cleanups = c->next;
		c->fn(c->arg); /* c itself lives in a chunk: freed below */
	}
	while (a->chunks) {
		struct qoc_arena_chunk *c = a->chunks;
		a->chunks = c->next;
		if (!spare_put(c))
			free(c);
	}
	a->used = 0;
}

static struct qoc_arena_chunk *new_chunk(struct qoc_arena *a, size_t size)
{
	size_t total = sizeof(struct qoc_arena_chunk) + size;
	if (total < size || a->used + total > a->budget)
		return NULL;
	struct qoc_arena_chunk *c = size == CHUNK_SIZE ? spare_take() : NULL;
	if (!c)
		c = malloc(total);
	if (!c)
		return NULL;
	a->used += total;
	c->size = size;
	c->off = 0;
	return c;
}

void *qoc_arena_alloc(struct qoc_arena *a, size_t size)
{
	if (size > SIZE_MAX - ALIGN)
		return NULL;
	size = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (size == 0)
		size = ALIGN;
	struct qoc_arena_chunk *c = a->chunks;
	if (c && c->size - c->off >= size) {
		void *p = c->mem + c->off;
		c->off += size;
		return p;
	}
	if (size > CHUNK_SIZE / 4) {
		/* Large: its own chunk, linked behind the current one so the current keeps serving. */
		struct qoc_arena_chunk *big = new_chunk(a, size);
		if (!big)
			return NULL;
		big->off = size;
		if (c) {
			big->next = c->next;
			c->next = big;
		} else {
			big->next = NULL;
			a->chunks = big;
		}
		return big->mem;
	}
	struct qoc_arena_chunk *n = new_chunk(a, CHUNK_SIZE);
	if (!n)
		return NULL;
	n->next = a->chunks;
	a->chunks = n;
	n->off = size;
	return n->mem;
}

void *qoc_arena_calloc(struct qoc_arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	void *p = qoc_arena_alloc(a, n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

char *qoc_arena_strndup(struct qoc_arena *a, const char *s, size_t len)
{
	if (len == SIZE_MAX)
		return NULL;
	char *p = qoc_arena_alloc(a, len + 1);
	if (!p)
		return NULL;
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *qoc_arena_strdup(struct qoc_arena *a, const char *s)
{
	return qoc_arena_strndup(a, s, strlen(s));
}

char *qoc_arena_printf(struct qoc_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *p = qoc_arena_alloc(a, (size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

int qoc_arena_on_release(struct qoc_arena *a, void (*fn)(void *), void *arg)
{
	struct qoc_arena_cleanup *c = qoc_arena_alloc(a, sizeof(*c));
	if (!c) {
		fn(arg);
		return -1;
	}
	c->fn = fn;
	c->arg = arg;
	c->next = a->cleanups;
	a->cleanups = c;
	return 0;
}
