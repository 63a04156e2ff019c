/* log.c - rendering log lines (log.h); writing them is logbuf.c's job. */
#include "core/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/logbuf.h"

static _Atomic int min_level = QOC_LOG_INFO;
static _Atomic int out_format = QOC_LOG_LOGFMT;
static _Thread_local char request_id[64];

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void qoc_log_set_level(enum qoc_log_level level)
{
	atomic_store(&min_level, (int)level);
}

int qoc_log_level_parse(const char *s, enum qoc_log_level *out)
{
	for (int i = 0; i < 4; i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum qoc_log_level)i;
			return 0;
		}
	}
	return -1;
}

void qoc_log_set_format(enum qoc_log_format format)
{
	atomic_store(&out_format, (int)format);
}

int qoc_log_format_parse(const char *s, enum qoc_log_format *out)
{
	if (strcmp(s, "logfmt") == 0)
		*out = QOC_LOG_LOGFMT;
	else if (strcmp(s, "json") == 0)
		*out = QOC_LOG_JSON;
	else
		return -1;
	return 0;
}

void qoc_log_set_request_id(const char *id)
{
	if (!id) {
		request_id[0] = '\0';
		return;
	}
	size_t n = strnlen(id, sizeof(request_id) - 1);
	memcpy(request_id, id, n);
	request_id[n] = '\0';
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

/* ---- rendering ---- */

/* An output window: bytes go in while they fit under lim; the first that does not clears
 * ok (nothing partial is kept by callers that roll back to a mark). */
struct w {
	char *p;
	size_t n, lim;
	bool ok;
};

static void put(struct w *w, const char *s, size_t len)
{
	if (!w->ok || len > w->lim - w->n) {
		w->ok = false;
		return;
	}
	memcpy(w->p + w->n, s, len);
	w->n += len;
}

static void puts_(struct w *w, const char *s)
{
	put(w, s, strlen(s));
}

/* Length of the UTF-8 sequence at s (of at most len bytes), or 0 when it is not one
 * (overlong forms, surrogates and values past U+10FFFF included). */
static size_t utf8_len(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];
	size_t n;
	unsigned char lo = 0x80, hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/* s[0..len) as the inside of a JSON string. unescape: read logfmt's \" and \\ first. */
static void put_json_text(struct w *w, const char *s, size_t len, bool unescape)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < len && w->ok;) {
		unsigned char c = u[i];
		if (unescape && c == '\\' && i + 1 < len) {
			c = u[++i];
		}
		if (c == '"' || c == '\\') {
			char e[2] = {'\\', (char)c};
			put(w, e, 2);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			/* Control characters are spaces in every format (one event, one line). */
			if (c < 0x20)
				put(w, " ", 1);
			else
				put(w, e, 6);
			i++;
		} else if (c < 0x80) {
			put(w, (const char *)u + i, 1);
			i++;
		} else {
			size_t n = utf8_len(u + i, len - i);
			if (n) {
				put(w, (const char *)u + i, n);
				i += n;
			} else {
				put(w, "\\ufffd", 6);
				i++;
			}
		}
	}
}

static void put_json_string(struct w *w, const char *s, size_t len, bool unescape)
{
	put(w, "\"", 1);
	put_json_text(w, s, len, unescape);
	put(w, "\"", 1);
}

/* The next logfmt field of *pp: key [k, k+klen), value [v, v+vlen), quoted or not.
 * Returns false at the end. Words without '=' after an unquoted value continue it; other
 * words without '=' are skipped. */
struct field {
	const char *k, *v;
	size_t klen, vlen;
	bool quoted;
};

static bool next_field(const char **pp, struct field *f)
{
	const char *p = *pp;
	for (;;) {
		while (*p == ' ')
			p++;
		if (!*p) {
			*pp = p;
			return false;
		}
		const char *k = p;
		while (*p && *p != ' ' && *p != '=')
			p++;
		if (*p == '=' && p > k) {
			f->k = k;
			f->klen = (size_t)(p - k);
			p++;
			break;
		}
		while (*p && *p != ' ') /* a word without a key: skipped */
			p++;
	}
	if (*p == '"') {
		f->quoted = true;
		f->v = ++p;
		while (*p && *p != '"') {
			if (*p == '\\' && p[1])
				p++;
			p++;
		}
		f->vlen = (size_t)(p - f->v);
		if (*p == '"')
			p++;
		*pp = p;
		return true;
	}
	f->quoted = false;
	f->v = p;
	const char *end = p;
	for (;;) {
		while (*end && *end != ' ')
			end++;
		f->vlen = (size_t)(end - f->v);
		const char *q = end;
		while (*q == ' ')
			q++;
		const char *word = q;
		while (*q && *q != ' ' && *q != '=')
			q++;
		if (q == word || *q == '=' || *word == '"')
			break; /* the end, or the next field */
		end = q;       /* a word without '=': part of this value */
	}
	*pp = end;
	return true;
}

static size_t render_json(char *out, size_t size, enum qoc_log_level level, const char *ts,
                          const char *msg, const char *fields, const char *req)
{
	/* Room kept for the req member and "}\n" (and the NUL). */
	size_t req_len = req ? strnlen(req, 63) : 0;
	size_t tail = 2 + 1;
	size_t req_room = req_len ? 9 + 6 * req_len : 0;
	if (tail + req_room + 64 > size) /* a tiny buffer (never qoc_log's): no req */
		req_len = req_room = 0;
	struct w w = {.p = out, .n = 0, .lim = size - tail - req_room, .ok = true};
	put(&w, "{\"ts\":", 6);
	put_json_string(&w, ts, strlen(ts), false);
	put(&w, ",\"level\":\"", 10);
	puts_(&w, level_names[level]);
	put(&w, "\",\"msg\":", 8);
	put_json_string(&w, msg, strlen(msg), false);
	if (!w.ok) { /* only a huge msg gets here: keep the line valid */
		w.ok = true;
		w.n = 0;
		put(&w, "{\"ts\":", 6);
		put_json_string(&w, ts, strlen(ts), false);
		put(&w, ",\"level\":\"", 10);
		puts_(&w, level_names[level]);
		put(&w, "\",\"msg\":\"\"", 10);
	}
	struct field f;
	const char *p = fields ? fields : "";
	while (next_field(&p, &f)) {
		size_t mark = w.n;
		put(&w, ",", 1);
		put_json_string(&w, f.k, f.klen, false);
		put(&w, ":", 1);
		put_json_string(&w, f.v, f.vlen, f.quoted);
		if (!w.ok) { /* does not fit: the line ends before this field */
			w.n = mark;
			w.ok = true;
			break;
		}
	}
	w.lim = size - tail;
	if (req_len) {
		put(&w, ",\"req\":", 7);
		put_json_string(&w, req, req_len, false);
	}
	w.lim = size - 1;
	put(&w, "}\n", 2);
	out[w.n] = '\0';
	return w.n;
}

/* Appends s[0..n) to out at *len, cut to lim. */
static void append(char *out, size_t *len, size_t lim, const char *s, size_t n)
{
	if (n > lim - *len)
		n = lim - *len;
	memcpy(out + *len, s, n);
	*len += n;
}

/* Control characters a caller may have let through become spaces: one event, one line.
 * Branch-free, so the compiler may vectorise it (it runs over every access line). */
static void blank_controls(char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		s[i] = (char)(c < 0x20 ? ' ' : c);
	}
}

/* "ts=... level=... msg=..." into out; returns its length (lim: the most it may use). The
 * parts are ours (msg goes through qoc_log_quote): no control character in them. */
static size_t logfmt_head(char *out, size_t lim, enum qoc_log_level level, const char *ts,
                          const char *msg)
{
	char qmsg[256];
	size_t len = 0;
	/* memcpy, not snprintf: this runs once per request (the access log). */
	append(out, &len, lim, "ts=", 3);
	append(out, &len, lim, ts, strlen(ts));
	append(out, &len, lim, " level=", 7);
	append(out, &len, lim, level_names[level], strlen(level_names[level]));
	append(out, &len, lim, " msg=", 5);
	qoc_log_quote(qmsg, sizeof(qmsg), msg);
	append(out, &len, lim, qmsg, strlen(qmsg));
	return len;
}

/* " req=<id>\n" and the NUL after out[0..len); size as given to the renderer. */
static size_t logfmt_tail(char *out, size_t len, size_t size, const char *req)
{
	size_t lim = size - 2; /* the newline and the NUL */
	if (req && req[0] && len + 5 < lim) {
		size_t at = len;
		append(out, &len, lim, " req=", 5);
		append(out, &len, lim, req, strnlen(req, 63));
		blank_controls(out + at, len - at);
	}
	out[len++] = '\n';
	out[len] = '\0';
	return len;
}

static size_t render_logfmt(char *out, size_t size, enum qoc_log_level level, const char *ts,
                            const char *msg, const char *fields, const char *req)
{
	size_t lim = size - 2;
	size_t len = logfmt_head(out, lim, level, ts, msg);
	if (fields && fields[0] && len + 1 < lim) {
		out[len++] = ' ';
		size_t at = len;
		append(out, &len, lim, fields, strlen(fields));
		blank_controls(out + at, len - at);
	}
	return logfmt_tail(out, len, size, req);
}

size_t qoc_log_render(char *out, size_t size, enum qoc_log_format format, enum qoc_log_level level,
                      const char *ts, const char *msg, const char *fields, const char *req)
{
	if ((unsigned)level > QOC_LOG_ERROR)
		level = QOC_LOG_ERROR;
	if (format == QOC_LOG_JSON)
		return render_json(out, size, level, ts, msg, fields, req);
	return render_logfmt(out, size, level, ts, msg, fields, req);
}

/* "2026-11-26T15:04:05.123Z": the date and time part is made once a second per thread
 * (gmtime_r takes glibc's time zone lock on every call). */
static void now_text(char out[64])
{
	static _Thread_local time_t cached_sec = (time_t)-1;
	static _Thread_local char cached[48];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec != cached_sec) {
		struct tm tm;
		gmtime_r(&ts.tv_sec, &tm);
		snprintf(cached, sizeof(cached), "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
		         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		cached_sec = ts.tv_sec;
	}
	size_t n = strlen(cached);
	memcpy(out, cached, n);
	long ms = ts.tv_nsec / 1000000;
	out[n++] = '.';
	out[n++] = (char)('0' + ms / 100);
	out[n++] = (char)('0' + ms / 10 % 10);
	out[n++] = (char)('0' + ms % 10);
	out[n++] = 'Z';
	out[n] = '\0';
}

/* The logfmt line of qoc_log, the fields formatted straight into it (one copy less than
 * qoc_log_render, the same text). */
static size_t logfmt_line(char *line, size_t size, enum qoc_log_level level, const char *ts,
                          const char *msg, const char *fields_fmt, va_list ap)
{
	size_t lim = size - 2;
	size_t len = logfmt_head(line, lim, level, ts, msg);
	if (fields_fmt && fields_fmt[0] && len + 1 < lim) {
		size_t at = len + 1;
		line[len] = ' ';
		int m = vsnprintf(line + at, lim - at + 1, fields_fmt, ap);
		size_t fl = m < 0 ? 0 : (size_t)m > lim - at ? lim - at : (size_t)m;
		if (fl) { /* an empty field text adds nothing, not even its space */
			blank_controls(line + at, fl);
			len = at + fl;
		}
	}
	return logfmt_tail(line, len, size, request_id);
}

void qoc_log(enum qoc_log_level level, const char *msg, const char *fields_fmt, ...)
{
	if ((int)level < atomic_load_explicit(&min_level, memory_order_relaxed))
		return;
	char ts[64], line[QOC_LOG_LINE_MAX];
	now_text(ts);
	enum qoc_log_format format =
	    (enum qoc_log_format)atomic_load_explicit(&out_format, memory_order_relaxed);
	size_t n;
	va_list ap;
	va_start(ap, fields_fmt);
	if (format == QOC_LOG_LOGFMT) {
		n = logfmt_line(line, sizeof(line), level, ts, msg, fields_fmt, ap);
	} else {
		char fields[2048] = "";
		if (fields_fmt && fields_fmt[0])
			vsnprintf(fields, sizeof(fields), fields_fmt, ap);
		n = qoc_log_render(line, sizeof(line), format, level, ts, msg, fields, request_id);
	}
	va_end(ap);
	qoc_logbuf_write(line, n, level <= QOC_LOG_INFO);
}
