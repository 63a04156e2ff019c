#include "core/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static _Atomic int min_level = QOC_LOG_INFO;
static _Thread_local char request_id[64];

void qoc_log_set_level(enum qoc_log_level level)
{
	atomic_store(&min_level, (int)level);
}

int qoc_log_level_parse(const char *s, enum qoc_log_level *out)
{
	static const char *const names[] = { "debug", "info", "warn", "error" };
	for (int i = 0; i < 4; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum qoc_log_level)i;
			return 0;
		}
	}
	return -1;
}

void qoc_log_set_request_id(const char *id)
{
	if (!id) {
		request_id[0] = '\0';
		return;
	}
	snprintf(request_id, sizeof(request_id), "%s", id);
}

const char *qoc_log_request_id(void)
{
	return request_id;
}

char *qoc_log_quote(char *out, size_t out_size, const char *s)
{
	if (out_size == 0)
		return out;
	bool quote = (s[0] == '\0');
	for (const char *p = s; *p; p++)
		if (*p == ' ' || *p == '"' || *p == '=' || *p == '\\')
			quote = true;
	size_t o = 0;
	if (quote && o + 1 < out_size)
		out[o++] = '"';
	for (const char *p = s; *p && o + 3 < out_size; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c == 0x7f)
			continue;
		if (c == '"' || c == '\\')
			out[o++] = '\\';
		out[o++] = (char)c;
	}
	if (quote && o + 1 < out_size)
		out[o++] = '"';
	out[o] = '\0';
	return out;
}

void qoc_log(enum qoc_log_level level, const char *msg, const char *fields_fmt, ...)
{
	static const char *const names[] = { "debug", "info", "warn", "error" };
	if ((int)level < atomic_load(&min_level))
		return;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char line[2048];
	char qmsg[256];
	int n = snprintf(line, sizeof(line),
			 "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ level=%s msg=%s", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
			 ts.tv_nsec / 1000000, names[level], qoc_log_quote(qmsg, sizeof(qmsg), msg));
	if (n < 0 || (size_t)n >= sizeof(line))
		n = (int)sizeof(line) - 1;
	if (fields_fmt && fields_fmt[0] && (size_t)n + 1 < sizeof(line)) {
		line[n++] = ' ';
		va_list ap;
		va_start(ap, fields_fmt);
		int m = vsnprintf(line + n, sizeof(line) - (size_t)n, fields_fmt, ap);
		va_end(ap);
		if (m > 0)
			n += m;
		if ((size_t)n >= sizeof(line))
			n = (int)sizeof(line) - 1;
	}
	if (request_id[0] && (size_t)n + 1 < sizeof(line)) {
		int m = snprintf(line + n, sizeof(line) - (size_t)n, " req=%s", request_id);
		if (m > 0)
			n += m;
		if ((size_t)n >= sizeof(line))
			n = (int)sizeof(line) - 1;
	}
	/* Drop control characters a caller may have let through: one event, one line. */
	for (int i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20)
			line[i] = ' ';
	line[n++] = '\n';
	fwrite(line, 1, (size_t)n, stderr);
}
