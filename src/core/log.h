/* log.h - log lines on stderr, logfmt (the default) or JSON.
 *
 * A logfmt line: `ts=2026-11-26T15:04:05.123Z level=info msg=... <fields> req=<id>`.
 * A JSON line (log_format = json): one object with the same members, in the same order:
 * `{"ts":"...","level":"info","msg":"...",<fields>,"req":"<id>"}`; every field value is a
 * JSON string (numbers too, so a field never changes type), escaped, valid UTF-8.
 *
 * Fields are written by the caller in logfmt (`key=value key2="a b"`); values that may
 * contain spaces or quotes go through qoc_log_quote(). Never pass a secret, a token, a
 * code or a password here. The request id is per thread (set by the HTTP layer around
 * each handler call).
 *
 * Security events (docs/operations.md "The log") carry a field `event=<name>` first and
 * are warnings; they name what happened and to which client or address, never a secret
 * or an email typed into a form.
 *
 * Writing: one line is one write(2) of whole lines, never interleaved with another line.
 * Until qoc_log_buffer_start (core/logbuf.h) every line is written at once; after it, info
 * and debug lines go through the calling thread's buffer (written at most ~100 ms later,
 * or at once when the buffer fills), while warnings and errors are still written at once
 * (after the thread's own buffered lines, so one thread's lines keep their order).
 */
#ifndef QOC_CORE_LOG_H
#define QOC_CORE_LOG_H

#include <stddef.h>

enum qoc_log_level { QOC_LOG_DEBUG, QOC_LOG_INFO, QOC_LOG_WARN, QOC_LOG_ERROR };
enum qoc_log_format { QOC_LOG_LOGFMT, QOC_LOG_JSON };

/* The longest line written, newline included; longer ones are cut at a field boundary
 * (JSON) or at the end (logfmt). */
#define QOC_LOG_LINE_MAX 4096

void qoc_log_set_level(enum qoc_log_level level);
/* Parses "debug", "info", "warn", "error". Returns -1 when unknown. */
int qoc_log_level_parse(const char *s, enum qoc_log_level *out);

void qoc_log_set_format(enum qoc_log_format format);
/* Parses "logfmt", "json". Returns -1 when unknown. */
int qoc_log_format_parse(const char *s, enum qoc_log_format *out);

/* The id is copied (at most 63 bytes); NULL clears it. */
void qoc_log_set_request_id(const char *id);
const char *qoc_log_request_id(void);

void qoc_log(enum qoc_log_level level, const char *msg, const char *fields_fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define qoc_log_debug(msg, ...) qoc_log(QOC_LOG_DEBUG, msg, __VA_ARGS__)
#define qoc_log_info(msg, ...) qoc_log(QOC_LOG_INFO, msg, __VA_ARGS__)
#define qoc_log_warn(msg, ...) qoc_log(QOC_LOG_WARN, msg, __VA_ARGS__)
#define qoc_log_error(msg, ...) qoc_log(QOC_LOG_ERROR, msg, __VA_ARGS__)

/* A security event (see the top): a warning whose first field is event=<name>, e.g.
 *   qoc_log_event("code_reuse", "authorization code reused", "client_id=%s", qid);
 * name and the fields format are string literals. */
#define qoc_log_event(name, msg, ...) qoc_log(QOC_LOG_WARN, msg, "event=" name " " __VA_ARGS__)

/* Writes s as a logfmt value into out (quoted and escaped when needed, control
 * characters dropped, truncated to fit). Returns out. */
char *qoc_log_quote(char *out, size_t out_size, const char *s);

/* Renders one line, newline included, into out (size >= 64) and returns its length
 * (< size). ts is the time as text ("2026-11-26T15:04:05.123Z"); fields is the logfmt
 * text of the caller (may be NULL or empty); req may be NULL or empty (no req member).
 * Pure: no state, no I/O (qoc_log uses it; so do the tests).
 *
 * JSON reads the fields as logfmt: `key=value` or `key="quoted \" value"`; a word without
 * `=` after an unquoted value continues that value (`err=out of memory` is one value);
 * other words without `=` are dropped. Control characters become spaces; bytes that are
 * not UTF-8 become U+FFFD. */
size_t qoc_log_render(char *out, size_t size, enum qoc_log_format format, enum qoc_log_level level,
                      const char *ts, const char *msg, const char *fields, const char *req);

#endif
