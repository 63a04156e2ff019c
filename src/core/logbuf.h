/* logbuf.h - how log lines reach the log: written at once, or batched per thread.
 *
 * Why: one write(2) per request line cost ~11% of discovery's throughput (issue 20);
 * batching turns a thousand lines into a few writes.
 *
 * Before qoc_log_buffer_start, and after qoc_log_buffer_stop, every line is written at
 * once. In between, a buffered line (info and debug: qoc_log passes buffered = true) is
 * appended to its thread's buffer (QOC_LOGBUF_SIZE bytes, taken at the thread's first
 * line), and a flusher thread writes every buffer's lines every flush_ms. A buffer that
 * would overflow is written at once by its own thread, before the new line goes in; a
 * line that is not buffered (warnings, errors) is written at once, after its thread's
 * buffered lines. So no line is lost or cut, and one thread's lines keep their order;
 * lines of different threads may come out of time order by up to flush_ms.
 *
 * Buffers belong to one list and are never freed while the process runs: a thread that
 * ends writes its buffer out (pthread key destructor) and leaves it to the next new
 * thread, so the list is as long as the most threads that ever logged at once. Every
 * write is whole lines, one write(2) call at a time under one lock (partial writes are
 * continued, EINTR retried), so lines of different threads never interleave.
 * qoc_log_buffer_stop (and exit(), through atexit) writes out everything.
 */
#ifndef QOC_CORE_LOGBUF_H
#define QOC_CORE_LOGBUF_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define QOC_LOGBUF_SIZE (32u * 1024u)
/* The flusher's period: a buffered line is written at most about this late. */
#define QOC_LOGBUF_FLUSH_MS 50u

/* Starts batching (flush_ms: 1..1000; 0 picks QOC_LOGBUF_FLUSH_MS). QOC_OK when started or
 * already running; QOC_ENOMEM or QOC_EIO (no thread): lines stay written at once. */
enum qoc_err qoc_log_buffer_start(unsigned flush_ms);
/* Stops the flusher, writes every buffer out and goes back to writing at once. Safe to
 * call when not started, and while other threads log. */
void qoc_log_buffer_stop(void);
/* Writes every buffer out now (any thread). */
void qoc_log_flush(void);

/* One rendered line (or several, each ending in '\n'), from qoc_log. */
void qoc_logbuf_write(const char *line, size_t len, bool buffered);

/* Where lines go: stderr (2) unless a test says otherwise. */
void qoc_logbuf_set_fd(int fd);

#endif
