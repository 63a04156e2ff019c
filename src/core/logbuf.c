/* logbuf.c - per-thread log buffers and their flusher (logbuf.h).
 *
 * Locks, always taken in this order: list_mu (the list of buffers), a buffer's mu (its
 * bytes), write_mu (the file descriptor). The flusher writes a buffer while holding its
 * mu: that thread's next line waits for one write(2), every other thread goes on.
 */
#include "core/logbuf.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

struct logbuf {
	pthread_mutex_t mu;
	struct logbuf *next; /* the list; never unlinked */
	bool owned;          /* a live thread logs into it (under list_mu) */
	size_t len;          /* bytes of whole lines in data (under mu) */
	char data[QOC_LOGBUF_SIZE];
};

static pthread_mutex_t list_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t write_mu = PTHREAD_MUTEX_INITIALIZER;
static struct logbuf *head; /* under list_mu */
static _Atomic bool active; /* batching: between start and stop */
static _Atomic int out_fd = 2;
static _Thread_local struct logbuf *mine;

static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static pthread_key_t exit_key;
static bool have_key;

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	bool running, stop, atexit_set;
	unsigned ms;
} fl = {.mu = PTHREAD_MUTEX_INITIALIZER};

void qoc_logbuf_set_fd(int fd)
{
	atomic_store(&out_fd, fd);
}

/* Writes every byte of iov[0..cnt) (caller holds write_mu). A descriptor that refuses
 * (closed, EPIPE) loses the lines: a log never stops the server. */
static void write_iov(struct iovec *v, int cnt)
{
	int fd = atomic_load(&out_fd);
	int i = 0;
	while (i < cnt && v[i].iov_len == 0)
		i++;
	while (i < cnt) {
		ssize_t w = writev(fd, v + i, cnt - i);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) { /* a non-blocking stderr */
				struct pollfd p = {.fd = fd, .events = POLLOUT};
				if (poll(&p, 1, 1000) > 0)
					continue;
			}
			return;
		}
		size_t k = (size_t)w;
		while (i < cnt && k >= v[i].iov_len)
			k -= v[i++].iov_len;
		if (i < cnt) {
			v[i].iov_base = (char *)v[i].iov_base + k;
			v[i].iov_len -= k;
		}
	}
}

static void write_two(const char *a, size_t alen, const char *b, size_t blen)
{
	struct iovec v[2] = {{.iov_base = (void *)a, .iov_len = alen},
	                     {.iov_base = (void *)b, .iov_len = blen}};
	pthread_mutex_lock(&write_mu);
	write_iov(v, 2);
	pthread_mutex_unlock(&write_mu);
}

/* Writes b's lines (caller holds b->mu). */
static void drain(struct logbuf *b)
{
	if (b->len)
		write_two(b->data, b->len, NULL, 0);
	b->len = 0;
}

static void flush_all(void)
{
	pthread_mutex_lock(&list_mu);
	for (struct logbuf *b = head; b; b = b->next) {
		pthread_mutex_lock(&b->mu);
		drain(b);
		pthread_mutex_unlock(&b->mu);
	}
	pthread_mutex_unlock(&list_mu);
}

void qoc_log_flush(void)
{
	flush_all();
}

/* A thread ends (MHD's pool at stop, an offload pool): its lines go out, its buffer goes
 * back to the list for the next thread. */
static void on_thread_exit(void *arg)
{
	struct logbuf *b = arg;
	pthread_mutex_lock(&b->mu);
	drain(b);
	pthread_mutex_unlock(&b->mu);
	mine = NULL;
	pthread_mutex_lock(&list_mu);
	b->owned = false;
	pthread_mutex_unlock(&list_mu);
}

static void make_key(void)
{
	have_key = pthread_key_create(&exit_key, on_thread_exit) == 0;
}

/* This thread's buffer: a free one of the list, or a new one. NULL when out of memory
 * (the line is then written at once). */
static struct logbuf *adopt(void)
{
	pthread_once(&key_once, make_key);
	if (!have_key)
		return NULL; /* no way to write it out when the thread ends */
	pthread_mutex_lock(&list_mu);
	struct logbuf *b = head;
	while (b && b->owned)
		b = b->next;
	if (!b && (b = malloc(sizeof(*b)))) {
		pthread_mutex_init(&b->mu, NULL);
		b->len = 0;
		b->next = head;
		head = b;
	}
	if (b)
		b->owned = true;
	pthread_mutex_unlock(&list_mu);
	if (b && pthread_setspecific(exit_key, b) != 0) {
		pthread_mutex_lock(&list_mu);
		b->owned = false;
		pthread_mutex_unlock(&list_mu);
		return NULL;
	}
	mine = b;
	return b;
}

void qoc_logbuf_write(const char *line, size_t len, bool buffered)
{
	struct logbuf *b = mine;
	if (buffered && atomic_load(&active) && (b || (b = adopt()))) {
		pthread_mutex_lock(&b->mu);
		/* Checked again under the lock: stop clears it before writing every buffer. */
		if (atomic_load(&active) && len <= sizeof(b->data)) {
			if (len > sizeof(b->data) - b->len)
				drain(b); /* full: this thread writes it now */
			memcpy(b->data + b->len, line, len);
			b->len += len;
			pthread_mutex_unlock(&b->mu);
			return;
		}
		pthread_mutex_unlock(&b->mu);
	}
	if (b) { /* at once, after this thread's earlier lines */
		pthread_mutex_lock(&b->mu);
		write_two(b->data, b->len, line, len);
		b->len = 0;
		pthread_mutex_unlock(&b->mu);
		return;
	}
	write_two(line, len, NULL, 0);
}

static void *flusher(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&fl.mu);
	while (!fl.stop) {
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC, &t);
		t.tv_nsec += (long)fl.ms * 1000000L;
		t.tv_sec += t.tv_nsec / 1000000000L;
		t.tv_nsec %= 1000000000L;
		while (!fl.stop && pthread_cond_timedwait(&fl.cv, &fl.mu, &t) != ETIMEDOUT)
			;
		if (fl.stop)
			break;
		pthread_mutex_unlock(&fl.mu);
		flush_all();
		pthread_mutex_lock(&fl.mu);
	}
	pthread_mutex_unlock(&fl.mu);
	return NULL;
}

static void flush_at_exit(void)
{
	atomic_store(&active, false);
	flush_all();
}

enum qoc_err qoc_log_buffer_start(unsigned flush_ms)
{
	enum qoc_err err = QOC_OK;
	pthread_mutex_lock(&fl.mu);
	if (fl.running)
		goto out;
	fl.ms = flush_ms == 0 ? QOC_LOGBUF_FLUSH_MS : flush_ms > 1000 ? 1000 : flush_ms;
	fl.stop = false;
	pthread_condattr_t ca;
	if (pthread_condattr_init(&ca) != 0) {
		err = QOC_ENOMEM;
		goto out;
	}
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	int rc = pthread_cond_init(&fl.cv, &ca);
	pthread_condattr_destroy(&ca);
	if (rc != 0) {
		err = QOC_ENOMEM;
		goto out;
	}
	if (!fl.atexit_set)
		fl.atexit_set = atexit(flush_at_exit) == 0;
	atomic_store(&active, true);
	if (pthread_create(&fl.thread, NULL, flusher, NULL) != 0) {
		atomic_store(&active, false);
		pthread_cond_destroy(&fl.cv);
		err = QOC_EIO;
		goto out;
	}
	fl.running = true;
out:
	pthread_mutex_unlock(&fl.mu);
	return err;
}

void qoc_log_buffer_stop(void)
{
	pthread_mutex_lock(&fl.mu);
	bool was = fl.running;
	atomic_store(&active, false);
	if (was) {
		fl.stop = true;
		pthread_cond_signal(&fl.cv);
	}
	pthread_mutex_unlock(&fl.mu);
	if (was) {
		pthread_join(fl.thread, NULL);
		pthread_mutex_lock(&fl.mu);
		fl.running = false;
		pthread_cond_destroy(&fl.cv);
		pthread_mutex_unlock(&fl.mu);
	}
	flush_all();
}
