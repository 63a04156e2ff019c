/* Unit tests for src/core/log.c (rendering logfmt and JSON lines) and src/core/logbuf.c
 * (per-thread buffers, the flusher, nothing lost or interleaved). */
#define _GNU_SOURCE /* memmem */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/logbuf.h"

#define TS "2026-12-07T10:00:00.123Z"

static size_t render(char *out, enum qoc_log_format f, enum qoc_log_level level, const char *msg,
                     const char *fields, const char *req)
{
	size_t n = qoc_log_render(out, QOC_LOG_LINE_MAX, f, level, TS, msg, fields, req);
	assert_true(n > 0 && n < QOC_LOG_LINE_MAX);
	assert_int_equal(strlen(out), n);
	assert_int_equal(out[n - 1], '\n');
	assert_null(memchr(out, '\n', n - 1)); /* one event, one line */
	return n;
}

/* The JSON line parsed back (jansson: the whole line is one object). */
static json_t *parse(const char *line)
{
	json_error_t e;
	json_t *j = json_loads(line, JSON_REJECT_DUPLICATES, &e);
	if (!j)
		fail_msg("not JSON (%s): %s", e.text, line);
	assert_true(json_is_object(j));
	return j;
}

static const char *member(json_t *j, const char *key)
{
	json_t *v = json_object_get(j, key);
	if (!json_is_string(v))
		fail_msg("member %s is not a string", key);
	return json_string_value(v);
}

static void logfmt_line_has_every_part(void **state)
{
	(void)state;
	char line[QOC_LOG_LINE_MAX];
	render(line, QOC_LOG_LOGFMT, QOC_LOG_INFO, "http", "method=GET path=/x status=200",
	       "0123abcd");
	assert_string_equal(line, "ts=" TS " level=info msg=http method=GET path=/x status=200 "
	                          "req=0123abcd\n");
	render(line, QOC_LOG_LOGFMT, QOC_LOG_WARN, "a b", "", NULL);
	assert_string_equal(line, "ts=" TS " level=warn msg=\"a b\"\n");
	/* A caller's stray control characters become spaces. */
	render(line, QOC_LOG_LOGFMT, QOC_LOG_ERROR, "m", "k=a\nb\tc", "");
	assert_string_equal(line, "ts=" TS " level=error msg=m k=a b c\n");
}

static void logfmt_long_line_is_cut_and_ends_in_a_newline(void **state)
{
	(void)state;
	char *fields = malloc(10000);
	memset(fields, 'x', 9999);
	memcpy(fields, "k=", 2);
	fields[9999] = '\0';
	char line[QOC_LOG_LINE_MAX];
	size_t n = render(line, QOC_LOG_LOGFMT, QOC_LOG_INFO, "m", fields, "r");
	assert_int_equal(n, QOC_LOG_LINE_MAX - 1);
	free(fields);
}

static void json_line_has_the_same_fields_in_order(void **state)
{
	(void)state;
	char line[QOC_LOG_LINE_MAX];
	render(line, QOC_LOG_JSON, QOC_LOG_INFO, "http",
	       "method=GET path=/.well-known/jwks.json status=200 dur_ms=0.120", "0123abcd");
	assert_string_equal(line,
	                    "{\"ts\":\"" TS "\",\"level\":\"info\",\"msg\":\"http\","
	                    "\"method\":\"GET\",\"path\":\"/.well-known/jwks.json\","
	                    "\"status\":\"200\",\"dur_ms\":\"0.120\",\"req\":\"0123abcd\"}\n");
	json_t *j = parse(line);
	const char *keys[] = {"ts", "level", "msg", "method", "path", "status", "dur_ms", "req"};
	size_t i = 0;
	const char *k;
	json_t *v;
	json_object_foreach(j, k, v)
	{
		assert_true(i < 8);
		assert_string_equal(k, keys[i++]);
	}
	assert_int_equal(i, 8);
	json_decref(j);
	/* No request id, no fields: just the three. */
	render(line, QOC_LOG_JSON, QOC_LOG_ERROR, "stopped", NULL, "");
	assert_string_equal(line, "{\"ts\":\"" TS "\",\"level\":\"error\",\"msg\":\"stopped\"}\n");
}

static void json_escapes_what_logfmt_quotes(void **state)
{
	(void)state;
	char line[QOC_LOG_LINE_MAX], q[256];
	char fields[512];
	/* A value quoted by qoc_log_quote comes back as the text it quoted. */
	const char *nasty = "say \"hi\" \\ back=slash";
	snprintf(fields, sizeof(fields), "detail=%s n=1", qoc_log_quote(q, sizeof(q), nasty));
	render(line, QOC_LOG_JSON, QOC_LOG_INFO, "m \"quoted\" \\", fields, "r");
	json_t *j = parse(line);
	assert_string_equal(member(j, "msg"), "m \"quoted\" \\");
	assert_string_equal(member(j, "detail"), nasty);
	assert_string_equal(member(j, "n"), "1");
	json_decref(j);

	/* An unquoted value with spaces (err=%s with qoc_strerror) stays one value; a word
	 * without a key before any field is dropped. */
	render(line, QOC_LOG_JSON, QOC_LOG_WARN, "m", "loose err=out of memory what=x y=", NULL);
	j = parse(line);
	assert_string_equal(member(j, "err"), "out of memory");
	assert_string_equal(member(j, "what"), "x");
	assert_string_equal(member(j, "y"), "");
	assert_null(json_object_get(j, "loose"));
	assert_int_equal(json_object_size(j), 6);
	json_decref(j);

	/* Control characters are spaces, DEL is escaped, UTF-8 is kept, other bytes become
	 * U+FFFD: every line is valid JSON in valid UTF-8. */
	render(line, QOC_LOG_JSON, QOC_LOG_INFO, "m",
	       "a=x\x01y b=caf\xc3\xa9 c=\xff\xfe d=\xc0\xaf e=\xed\xa0\x80 f=\x7f", NULL);
	j = parse(line);
	assert_string_equal(member(j, "a"), "x y");
	assert_string_equal(member(j, "b"), "caf\xc3\xa9");
	assert_string_equal(member(j, "c"), "\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(member(j, "d"), "\xef\xbf\xbd\xef\xbf\xbd"); /* overlong '/' */
	assert_string_equal(member(j, "e"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* surrogate */
	assert_string_equal(member(j, "f"), "\x7f");
	json_decref(j);

	/* A quote left open runs to the end; an escaped quote does not close it. */
	render(line, QOC_LOG_JSON, QOC_LOG_INFO, "m", "a=\"x\\\" y=1", NULL);
	j = parse(line);
	assert_string_equal(member(j, "a"), "x\" y=1");
	json_decref(j);
}

static void json_long_line_stays_valid_and_keeps_req(void **state)
{
	(void)state;
	/* 400 fields that grow when escaped: the line is cut before a field, never inside. */
	char *fields = malloc(20000);
	size_t n = 0;
	for (int i = 0; i < 400; i++)
		n += (size_t)snprintf(fields + n, 20000 - n, "k%03d=\"\\\"\\\"\\\"\x01\x01\" ", i);
	char line[QOC_LOG_LINE_MAX];
	render(line, QOC_LOG_JSON, QOC_LOG_INFO, "m", fields, "0123456789abcdef");
	json_t *j = parse(line);
	assert_string_equal(member(j, "req"), "0123456789abcdef");
	assert_string_equal(member(j, "k000"), "\"\"\"  ");
	assert_true(json_object_size(j) > 10 && json_object_size(j) < 404);
	json_decref(j);
	free(fields);
}

static void formats_and_levels_parse(void **state)
{
	(void)state;
	enum qoc_log_format f = QOC_LOG_JSON;
	assert_int_equal(qoc_log_format_parse("logfmt", &f), 0);
	assert_int_equal(f, QOC_LOG_LOGFMT);
	assert_int_equal(qoc_log_format_parse("json", &f), 0);
	assert_int_equal(f, QOC_LOG_JSON);
	assert_int_equal(qoc_log_format_parse("JSON", &f), -1);
	assert_int_equal(qoc_log_format_parse("", &f), -1);
}

/* ---- logbuf: lines through the buffers into a file ---- */

static FILE *capture(void)
{
	FILE *f = tmpfile();
	assert_non_null(f);
	qoc_logbuf_set_fd(fileno(f));
	return f;
}

static char *read_all(FILE *f, size_t *len)
{
	fflush(f);
	long size = lseek(fileno(f), 0, SEEK_END);
	assert_true(size >= 0);
	char *s = malloc((size_t)size + 1);
	assert_int_equal(pread(fileno(f), s, (size_t)size, 0), size);
	s[size] = '\0';
	*len = (size_t)size;
	return s;
}

#define THREADS 8
#define LINES 3000

static void *writer(void *arg)
{
	int t = (int)(intptr_t)arg;
	char id[32];
	snprintf(id, sizeof(id), "t%d", t);
	qoc_log_set_request_id(id);
	for (int i = 0; i < LINES; i++) {
		if (i % 1000 == 999) /* warnings go at once, after this thread's earlier lines */
			qoc_log_warn("w", "t=%d i=%d pad=%s", t, i, "................");
		else
			qoc_log_info("i", "t=%d i=%d pad=%s", t, i, "................");
	}
	return NULL; /* the thread ends: its buffer is written by the key destructor */
}

/* Every line of every thread, whole and in its thread's order, and nothing else. */
static void check_lines(const char *text, size_t len, int threads, int lines)
{
	int *next = calloc((size_t)threads, sizeof(int));
	size_t count = 0;
	for (const char *p = text; p < text + len;) {
		const char *nl = memchr(p, '\n', (size_t)(text + len - p));
		assert_non_null(nl);
		int t = -1, i = -1;
		const char *f = memmem(p, (size_t)(nl - p), " t=", 3); /* not strstr: O(n) */
		assert_non_null(f);
		assert_int_equal(sscanf(f, " t=%d i=%d", &t, &i), 2);
		assert_true(t >= 0 && t < threads);
		assert_int_equal(i, next[t]);
		next[t]++;
		/* whole: the line ends with its own request id */
		char tail[16];
		int tl = snprintf(tail, sizeof(tail), "req=t%d", t);
		assert_true(nl - p > tl);
		assert_memory_equal(nl - tl, tail, (size_t)tl);
		count++;
		p = nl + 1;
	}
	for (int t = 0; t < threads; t++)
		assert_int_equal(next[t], lines);
	assert_int_equal(count, (size_t)threads * (size_t)lines);
	free(next);
}

static void buffered_lines_are_all_written_whole_and_in_order(void **state)
{
	(void)state;
	FILE *f = capture();
	assert_int_equal(qoc_log_buffer_start(5), QOC_OK);
	pthread_t th[THREADS];
	for (int t = 0; t < THREADS; t++)
		assert_int_equal(pthread_create(&th[t], NULL, writer, (void *)(intptr_t)t), 0);
	for (int t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	/* Each thread wrote its buffer out as it ended: all there before any stop. */
	size_t len;
	char *text = read_all(f, &len);
	check_lines(text, len, THREADS, LINES);
	free(text);
	qoc_log_buffer_stop();
	text = read_all(f, &len);
	check_lines(text, len, THREADS, LINES);
	free(text);
	qoc_logbuf_set_fd(2);
	fclose(f);
}

static void the_flusher_writes_without_a_stop(void **state)
{
	(void)state;
	FILE *f = capture();
	assert_int_equal(qoc_log_buffer_start(10), QOC_OK);
	qoc_log_set_request_id("flush");
	qoc_log_info("one", "k=%d", 1);
	size_t len = 0;
	char *text = NULL;
	/* The flusher writes it within about 10 ms; give a loaded machine 5 s. */
	for (int i = 0; i < 500; i++) {
		free(text);
		text = read_all(f, &len);
		if (len)
			break;
		nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
	}
	assert_true(len > 0);
	assert_non_null(strstr(text, "msg=one k=1 req=flush\n"));
	free(text);
	qoc_log_buffer_stop();
	qoc_log_set_request_id(NULL);
	qoc_logbuf_set_fd(2);
	fclose(f);
}

static void a_full_buffer_is_written_by_its_thread(void **state)
{
	(void)state;
	FILE *f = capture();
	assert_int_equal(qoc_log_buffer_start(1000), QOC_OK); /* the flusher waits a second */
	qoc_log_set_request_id("t0");
	/* ~100 bytes a line: 32 KiB hold ~330; 2000 lines fill the buffer several times. */
	for (int i = 0; i < 2000; i++)
		qoc_log_info("i", "t=0 i=%d", i);
	size_t len;
	char *text = read_all(f, &len);
	assert_true(len > QOC_LOGBUF_SIZE / 2); /* written before any flush or stop */
	free(text);
	qoc_log_buffer_stop();
	text = read_all(f, &len);
	check_lines(text, len, 1, 2000);
	free(text);
	qoc_log_set_request_id(NULL);
	qoc_logbuf_set_fd(2);
	fclose(f);
}

static void without_buffering_lines_go_at_once(void **state)
{
	(void)state;
	FILE *f = capture();
	qoc_log_set_request_id("t0");
	qoc_log_info("i", "t=0 i=%d", 0);
	size_t len;
	char *text = read_all(f, &len);
	check_lines(text, len, 1, 1);
	free(text);
	qoc_log_set_request_id(NULL);
	qoc_logbuf_set_fd(2);
	fclose(f);
}

static void json_lines_through_qoc_log_parse(void **state)
{
	(void)state;
	FILE *f = capture();
	qoc_log_set_format(QOC_LOG_JSON);
	qoc_log_set_request_id("abc");
	char q[64];
	qoc_log_info("http", "method=%s path=%s status=%u", "GET",
	             qoc_log_quote(q, sizeof(q), "/a b\"c"), 200u);
	qoc_log_set_format(QOC_LOG_LOGFMT);
	size_t len;
	char *text = read_all(f, &len);
	assert_true(len > 0 && text[len - 1] == '\n');
	json_t *j = parse(text);
	assert_string_equal(member(j, "path"), "/a b\"c");
	assert_string_equal(member(j, "req"), "abc");
	json_decref(j);
	free(text);
	qoc_log_set_request_id(NULL);
	qoc_logbuf_set_fd(2);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(logfmt_line_has_every_part),
	    cmocka_unit_test(logfmt_long_line_is_cut_and_ends_in_a_newline),
	    cmocka_unit_test(json_line_has_the_same_fields_in_order),
	    cmocka_unit_test(json_escapes_what_logfmt_quotes),
	    cmocka_unit_test(json_long_line_stays_valid_and_keeps_req),
	    cmocka_unit_test(formats_and_levels_parse),
	    cmocka_unit_test(without_buffering_lines_go_at_once),
	    cmocka_unit_test(buffered_lines_are_all_written_whole_and_in_order),
	    cmocka_unit_test(the_flusher_writes_without_a_stop),
	    cmocka_unit_test(a_full_buffer_is_written_by_its_thread),
	    cmocka_unit_test(json_lines_through_qoc_log_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
