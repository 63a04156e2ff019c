/* conn_guard.h - per-address connection limits and the request-head deadline (internal to
 * src/http/; docs/decisions/http-connections.md).
 *
 * libmicrohttpd's own timeout restarts on every byte, so a client that dribbles its head
 * (slowloris) holds a connection for ever, and one address could hold them all. The guard
 * counts connections per client address (IPv6 per /64) in a small hashed table under one
 * mutex, touched only when a connection opens or closes; a light reaper thread shuts down
 * (shutdown(2)) the socket of a connection whose request head is overdue, which makes
 * libmicrohttpd close it. The hot path (a keep-alive request) only stores a deadline in the
 * connection's record: no lock, no system call (the reaper keeps a coarse clock).
 */
#ifndef QOC_HTTP_CONN_GUARD_H
#define QOC_HTTP_CONN_GUARD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/cidr.h"
#include "core/err.h"

struct qoc_conn_guard_opts {
	unsigned capacity;    /* connections at once (libmicrohttpd's limit); > 0 */
	unsigned per_address; /* connections per client address; 0: no limit */
	unsigned per_proxy;   /* ... per trusted proxy address; 0: only capacity */
	unsigned
	    head_timeout_s; /* whole request head, from connect or the previous answer; 0: off */
	const struct qoc_cidr_list *proxies; /* copied; NULL: none */
};

struct qoc_conn_guard;

/* One open connection. */
struct qoc_conn_rec {
	struct qoc_conn_rec *prev, *next;
	int slot; /* its address's slot in the table, -1 when not counted */
	int fd;
	_Atomic uint64_t deadline_ns; /* head due by then; 0: no head pending */
};

/* Starts the reaper thread. QOC_ENOMEM, QOC_EIO (no thread). */
enum qoc_err qoc_conn_guard_start(const struct qoc_conn_guard_opts *o, struct qoc_conn_guard **out);
/* Stops the reaper; the guard stays usable for open/close until freed. NULL: no-op. */
void qoc_conn_guard_stop_reaper(struct qoc_conn_guard *g);
/* Frees the guard once no connection is left (after the daemon stopped). NULL: no-op. */
void qoc_conn_guard_free(struct qoc_conn_guard *g);

/* The accept policy: false when addr already has its limit of connections. */
bool qoc_conn_guard_admit(struct qoc_conn_guard *g, const struct sockaddr *addr);
/* A connection opened (fd, peer addr): counts it and starts its head deadline. NULL when
 * out of memory (the connection is then neither counted nor guarded). A connection that
 * got past admit in a race and is over its address's limit is cut at the next tick. */
struct qoc_conn_rec *qoc_conn_guard_open(struct qoc_conn_guard *g, int fd,
                                         const struct sockaddr *addr);
/* The connection closed (before its socket is): uncounts and frees rec. NULL: no-op. */
void qoc_conn_guard_close(struct qoc_conn_guard *g, struct qoc_conn_rec *rec);

/* The request head is complete: no deadline until the answer. */
static inline void qoc_conn_rec_head_done(struct qoc_conn_rec *rec)
{
	atomic_store_explicit(&rec->deadline_ns, 0, memory_order_relaxed);
}
/* An answer is done: the next request's head is due within the timeout. */
void qoc_conn_guard_head_next(struct qoc_conn_guard *g, struct qoc_conn_rec *rec);

#endif
