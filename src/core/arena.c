#include "core/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		free(c);
	}
	a->used = 0;
}

static struct qoc_arena_chunk *new_chunk(struct qoc_arena *a, size_t size)
{
	size_t total = sizeof(struct qoc_arena_chunk) + size;
	if (total < size || a->used + total > a->budget)
		return NULL;
	struct qoc_arena_chunk *c = malloc(total);
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
