/* conn_guard.c - see conn_guard.h. */
#include "http/conn_guard.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"

/* How often the reaper looks, in ms: a head is cut at most this late. */
#define TICK_MS 200u
#define NS_PER_MS 1000000ull

struct slot {
	struct qoc_ip ip; /* IPv6: the /64 */
	unsigned count;
	bool proxy;
	int next; /* chain in its bucket, or the free list; -1 ends */
};

struct qoc_conn_guard {
	struct qoc_conn_guard_opts o;
	struct qoc_cidr_list proxies;
	pthread_mutex_t mu; /* slots, buckets, list; only at open / close / reaper tick */
	struct slot *slots;
	int *buckets;
	unsigned nbuckets; /* a power of two */
	int free_slot;
	struct qoc_conn_rec *head; /* open connections, for the reaper */
	_Atomic uint64_t now_ns;   /* coarse clock, kept by the reaper */
	pthread_t reaper;
	pthread_cond_t wake;
	bool reaper_running;
	bool stopping;
};

static bool to_ip(const struct sockaddr *sa, struct qoc_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (!sa)
		return false;
	if (sa->sa_family == AF_INET) {
		ip->b[10] = ip->b[11] = 0xff;
		memcpy(&ip->b[12], &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		memcpy(ip->b, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
		return true;
	}
	return false;
}

/* IPv6 clients get a /64 each (one subscriber's usual allocation), not an address each. */
static void group(struct qoc_ip *ip)
{
	if (!qoc_ip_is_v4(ip))
		memset(&ip->b[8], 0, 8);
}

static unsigned hash_ip(const struct qoc_ip *ip, unsigned nbuckets)
{
	uint64_t a, b;
	memcpy(&a, ip->b, 8);
	memcpy(&b, ip->b + 8, 8);
	uint64_t h = (a ^ (b * 0x9e3779b97f4a7c15ull)) * 0xff51afd7ed558ccdull;
	return (unsigned)(h >> 32) & (nbuckets - 1);
}

static int find(const struct qoc_conn_guard *g, const struct qoc_ip *ip)
{
	for (int i = g->buckets[hash_ip(ip, g->nbuckets)]; i >= 0; i = g->slots[i].next)
		if (!memcmp(g->slots[i].ip.b, ip->b, 16))
			return i;
	return -1;
}

static unsigned limit_of(const struct qoc_conn_guard *g, bool proxy)
{
	return proxy ? g->o.per_proxy : g->o.per_address;
}

static uint64_t clock_now(struct qoc_conn_guard *g)
{
	uint64_t now = qoc_monotonic_ns();
	atomic_store_explicit(&g->now_ns, now, memory_order_relaxed);
	return now;
}

static void *reaper_main(void *arg)
{
	struct qoc_conn_guard *g = arg;
	pthread_mutex_lock(&g->mu);
	while (!g->stopping) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += (long)TICK_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&g->wake, &g->mu, &ts);
		uint64_t now = clock_now(g);
		/* Under the mutex: a connection leaves the list before libmicrohttpd closes its
		 * socket, so every fd here is still that connection's. */
		for (struct qoc_conn_rec *r = g->head; r; r = r->next) {
			uint64_t d = atomic_load_explicit(&r->deadline_ns, memory_order_relaxed);
			if (d && d <= now) {
				atomic_store_explicit(&r->deadline_ns, 0, memory_order_relaxed);
				shutdown(r->fd, SHUT_RDWR);
			}
		}
	}
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

enum qoc_err qoc_conn_guard_start(const struct qoc_conn_guard_opts *o, struct qoc_conn_guard **out)
{
	*out = NULL;
	struct qoc_conn_guard *g = calloc(1, sizeof(*g));
	if (!g)
		return QOC_ENOMEM;
	g->o = *o;
	if (o->proxies)
		g->proxies = *o->proxies;
	g->o.proxies = &g->proxies;
	/* A slot per connection; libmicrohttpd can briefly exceed its limit by the accepting
	 * threads, hence the margin. */
	unsigned nslots = o->capacity + 64;
	g->nbuckets = 64;
	while (g->nbuckets < 2 * nslots)
		g->nbuckets *= 2;
	g->slots = calloc(nslots, sizeof(*g->slots));
	g->buckets = malloc(g->nbuckets * sizeof(*g->buckets));
	if (!g->slots || !g->buckets) {
		free(g->slots);
		free(g->buckets);
		free(g);
		return QOC_ENOMEM;
	}
	for (unsigned i = 0; i < g->nbuckets; i++)
		g->buckets[i] = -1;
	for (unsigned i = 0; i < nslots; i++)
		g->slots[i].next = i + 1 < nslots ? (int)i + 1 : -1;
	g->free_slot = 0;
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->wake, NULL);
	clock_now(g);
	if (pthread_create(&g->reaper, NULL, reaper_main, g) != 0) {
		qoc_conn_guard_free(g);
		return QOC_EIO;
	}
	g->reaper_running = true;
	*out = g;
	return QOC_OK;
}

void qoc_conn_guard_stop_reaper(struct qoc_conn_guard *g)
{
	if (!g || !g->reaper_running)
		return;
	pthread_mutex_lock(&g->mu);
	g->stopping = true;
	pthread_cond_signal(&g->wake);
	pthread_mutex_unlock(&g->mu);
	pthread_join(g->reaper, NULL);
	g->reaper_running = false;
}

void qoc_conn_guard_free(struct qoc_conn_guard *g)
{
	if (!g)
		return;
	qoc_conn_guard_stop_reaper(g);
	pthread_cond_destroy(&g->wake);
	pthread_mutex_destroy(&g->mu);
	free(g->slots);
	free(g->buckets);
	free(g);
}

bool qoc_conn_guard_admit(struct qoc_conn_guard *g, const struct sockaddr *addr)
{
	struct qoc_ip ip;
	if (!to_ip(addr, &ip))
		return true;
	bool proxy = qoc_cidr_list_contains(&g->proxies, &ip);
	unsigned limit = limit_of(g, proxy);
	if (!limit)
		return true;
	group(&ip);
	pthread_mutex_lock(&g->mu);
	int i = find(g, &ip);
	bool ok = i < 0 || g->slots[i].count < limit;
	pthread_mutex_unlock(&g->mu);
	return ok;
}

struct qoc_conn_rec *qoc_conn_guard_open(struct qoc_conn_guard *g, int fd,
                                         const struct sockaddr *addr)
{
	struct qoc_conn_rec *rec = malloc(sizeof(*rec));
	if (!rec)
		return NULL;
	rec->prev = NULL;
	rec->slot = -1;
	rec->fd = fd;
	uint64_t due = g->o.head_timeout_s
	                   ? atomic_load_explicit(&g->now_ns, memory_order_relaxed) +
	                         (uint64_t)g->o.head_timeout_s * 1000 * NS_PER_MS
	                   : 0;
	struct qoc_ip ip;
	bool have_ip = to_ip(addr, &ip);
	bool proxy = have_ip && qoc_cidr_list_contains(&g->proxies, &ip);
	group(&ip);
	pthread_mutex_lock(&g->mu);
	if (have_ip) {
		int i = find(g, &ip);
		if (i < 0 && g->free_slot >= 0) {
			i = g->free_slot;
			g->free_slot = g->slots[i].next;
			g->slots[i] = (struct slot){.ip = ip, .count = 0, .proxy = proxy};
			unsigned b = hash_ip(&ip, g->nbuckets);
			g->slots[i].next = g->buckets[b];
			g->buckets[b] = i;
		}
		if (i >= 0) {
			rec->slot = i;
			unsigned limit = limit_of(g, proxy);
			if (limit && g->slots[i].count >= limit)
				due = 1; /* past admit in a race: over the limit, cut at the next
				            tick */
			g->slots[i].count++;
		}
	}
	atomic_init(&rec->deadline_ns, due);
	rec->next = g->head;
	if (g->head)
		g->head->prev = rec;
	g->head = rec;
	pthread_mutex_unlock(&g->mu);
	return rec;
}

void qoc_conn_guard_close(struct qoc_conn_guard *g, struct qoc_conn_rec *rec)
{
	if (!rec)
		return;
	pthread_mutex_lock(&g->mu);
	if (rec->prev)
		rec->prev->next = rec->next;
	else
		g->head = rec->next;
	if (rec->next)
		rec->next->prev = rec->prev;
	int i = rec->slot;
	if (i >= 0 && --g->slots[i].count == 0) {
		int *p = &g->buckets[hash_ip(&g->slots[i].ip, g->nbuckets)];
		while (*p != i)
			p = &g->slots[*p].next;
		*p = g->slots[i].next;
		g->slots[i].next = g->free_slot;
		g->free_slot = i;
	}
	pthread_mutex_unlock(&g->mu);
	free(rec);
}

void qoc_conn_guard_head_next(struct qoc_conn_guard *g, struct qoc_conn_rec *rec)
{
	if (!g->o.head_timeout_s)
		return;
	uint64_t now = atomic_load_explicit(&g->now_ns, memory_order_relaxed);
	atomic_store_explicit(&rec->deadline_ns,
	                      now + (uint64_t)g->o.head_timeout_s * 1000 * NS_PER_MS,
	                      memory_order_relaxed);
}
