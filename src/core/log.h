/* log.h - logfmt lines on stderr.
 *
 * A line: `ts=2026-11-26T15:04:05.123Z level=info msg=... <fields> req=<id>`.
 * Fields are written by the caller in logfmt; values that may contain spaces or quotes go
 * through qoc_log_quote(). Never pass a secret, a token, a code or a password here.
 * The request id is per thread (set by the HTTP layer around each handler call).
 */
#ifndef QOC_CORE_LOG_H
#define QOC_CORE_LOG_H

#include <stddef.h>

enum qoc_log_level { QOC_LOG_DEBUG, QOC_LOG_INFO, QOC_LOG_WARN, QOC_LOG_ERROR };

void qoc_log_set_level(enum qoc_log_level level);
/* Parses "debug", "info", "warn", "error". Returns -1 when unknown. */
int qoc_log_level_parse(const char *s, enum qoc_log_level *out);

/* The id is copied (at most 63 bytes); NULL clears it. */
void qoc_log_set_request_id(const char *id);
const char *qoc_log_request_id(void);

void qoc_log(enum qoc_log_level level, const char *msg, const char *fields_fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define qoc_log_debug(msg, ...) qoc_log(QOC_LOG_DEBUG, msg, __VA_ARGS__)
#define qoc_log_info(msg, ...) qoc_log(QOC_LOG_INFO, msg, __VA_ARGS__)
#define qoc_log_warn(msg, ...) qoc_log(QOC_LOG_WARN, msg, __VA_ARGS__)
#define qoc_log_error(msg, ...) qoc_log(QOC_LOG_ERROR, msg, __VA_ARGS__)

/* Writes s as a logfmt value into out (quoted and escaped when needed, control
 * characters dropped, truncated to fit). Returns out. */
char *qoc_log_quote(char *out, size_t out_size, const char *s);

#endif
