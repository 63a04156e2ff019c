/* mail/mail.c: validation, enqueue and the MIME message. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "mail/mail.h"
#include "store/store_outbox.h"
#include "support/tmp_store.h"

/* 2026-11-26T15:04:05Z, a Thursday. */
#define T0 1795705445

static char *format(const struct qoc_mail_message *m, struct qoc_buf *b)
{
	qoc_buf_init(b, 1u << 20);
	assert_int_equal(
	    qoc_mail_format(m, "qoc@login.example.com", T0, "7.1@login.example.com", b), QOC_OK);
	return (char *)qoc_buf_cstr(b);
}

/* Every line break is CRLF: no bare CR, no bare LF. */
static void assert_crlf_only(const char *s)
{
	for (size_t i = 0; s[i]; i++) {
		if (s[i] == '\n')
			assert_true(i > 0 && s[i - 1] == '\r');
		if (s[i] == '\r')
			assert_int_equal(s[i + 1], '\n');
	}
}

/* RFC 5322 §3.6: the required and the MIME headers, then a blank line and the body. */
static void ascii_message_has_every_header(void **state)
{
	(void)state;
	struct qoc_mail_message m = {"ada@example.com", "Your application", "Hello Ada,\nbye.\n"};
	struct qoc_buf b;
	const char *s = format(&m, &b);
	assert_string_equal(s, "From: qoc@login.example.com\r\n"
	                       "To: ada@example.com\r\n"
	                       "Subject: Your application\r\n"
	                       "Date: Thu, 26 Nov 2026 15:04:05 +0000\r\n"
	                       "Message-ID: <7.1@login.example.com>\r\n"
	                       "MIME-Version: 1.0\r\n"
	                       "Content-Type: text/plain; charset=utf-8\r\n"
	                       "Content-Transfer-Encoding: 7bit\r\n"
	                       "\r\n"
	                       "Hello Ada,\r\nbye.\r\n");
	qoc_buf_release(&b);
}

/* RFC 2047 §2, §5: UTF-8 "B" encoded-words of at most 75 characters that never split a
 * character, folded on continuation lines. */
static void non_ascii_subject_is_an_encoded_word(void **state)
{
	(void)state;
	struct qoc_mail_message m = {"ada@example.com", "Café", "x"};
	struct qoc_buf b;
	const char *s = format(&m, &b);
	assert_non_null(strstr(s, "\r\nSubject: =?UTF-8?B?Q2Fmw6k=?=\r\n"));
	qoc_buf_release(&b);

	/* 30 two-byte characters: 60 bytes, more than one word holds. */
	char subj[61 + 1] = "";
	for (int i = 0; i < 30; i++)
		strcat(subj, "é");
	m.subject = subj;
	s = format(&m, &b);
	const char *h = strstr(s, "Subject: ");
	assert_non_null(h);
	const char *w1 = strstr(h, "=?UTF-8?B?"), *e1 = strstr(w1, "?=");
	assert_true(e1 - w1 + 2 <= 75);
	assert_memory_equal(e1, "?=\r\n =?UTF-8?B?", 15); /* folded */
	/* 44 bytes (22 whole characters) in the first word, 16 in the second. */
	assert_string_equal(
	    h,
	    "Subject: =?UTF-8?B?w6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6k=?=\r\n"
	    " =?UTF-8?B?w6nDqcOpw6nDqcOpw6nDqQ==?=\r\n"
	    "Date: Thu, 26 Nov 2026 15:04:05 +0000\r\n"
	    "Message-ID: <7.1@login.example.com>\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: 7bit\r\n\r\nx\r\n");
	qoc_buf_release(&b);
}

/* RFC 2045 §6.7: non-ASCII text is quoted-printable, lines at most 76 characters. */
static void non_ascii_text_is_quoted_printable(void **state)
{
	(void)state;
	char text[400] = "Grüße = regards \nline two\r\n";
	for (int i = 0; i < 200; i++)
		strcat(text, "a");
	struct qoc_mail_message m = {"ada@example.com", "s", text};
	struct qoc_buf b;
	const char *s = format(&m, &b);
	assert_non_null(strstr(s, "Content-Transfer-Encoding: quoted-printable\r\n"));
	const char *body = strstr(s, "\r\n\r\n") + 4;
	assert_memory_equal(body, "Gr=C3=BC=C3=9Fe =3D regards=20\r\nline two\r\n", 41);
	assert_crlf_only(s);
	for (const char *p = body; *p;) {
		const char *e = strstr(p, "\r\n");
		assert_true(e - p <= 76);
		p = e + 2;
	}
	qoc_buf_release(&b);
}

static void line_endings_become_crlf(void **state)
{
	(void)state;
	struct qoc_mail_message m = {"ada@example.com", "s", "a\rb\nc\r\n.d\n\n"};
	struct qoc_buf b;
	const char *s = format(&m, &b);
	assert_string_equal(strstr(s, "\r\n\r\n") + 4, "a\r\nb\r\nc\r\n.d\r\n\r\n");
	assert_crlf_only(s);
	qoc_buf_release(&b);
}

static void header_injection_is_refused(void **state)
{
	(void)state;
	struct qoc_buf b;
	qoc_buf_init(&b, 1u << 20);
	const char *bad_to[] = {"ada@example.com\r\nBcc: eve@example.com",
	                        "ada@example.com\n",
	                        "a\rda@example.com",
	                        "Ada <ada@example.com>",
	                        "a@b@c.d",
	                        "ada@",
	                        "@example.com",
	                        "ada example@x.org",
	                        "a,b@x.org",
	                        ""};
	for (size_t i = 0; i < sizeof(bad_to) / sizeof(bad_to[0]); i++) {
		struct qoc_mail_message m = {bad_to[i], "s", "t"};
		assert_false(qoc_mail_address_ok(bad_to[i]));
		assert_int_equal(qoc_mail_format(&m, "qoc@x.org", T0, "1@x", &b), QOC_EINVAL);
	}
	struct qoc_mail_message m = {"ada@example.com", "Hi\r\nBcc: eve@example.com", "t"};
	assert_int_equal(qoc_mail_format(&m, "qoc@x.org", T0, "1@x", &b), QOC_EINVAL);
	m.subject = "ok";
	assert_int_equal(qoc_mail_format(&m, "qoc@x.org\r\nX: y", T0, "1@x", &b), QOC_EINVAL);
	assert_int_equal(qoc_mail_format(&m, "qoc@x.org", T0, "1@x>\r\nX: y", &b), QOC_EINVAL);
	assert_int_equal(b.len, 0);
	qoc_buf_release(&b);
}

static void enqueue_validates_then_stores(void **state)
{
	(void)state;
	struct tmp_store t;
	tmp_store_open(&t);
	struct qoc_mail_message m = {"ada@example.com", "Hi\nBcc: eve@example.com", "t"};
	assert_int_equal(qoc_mail_enqueue(t.st, &m, T0), QOC_EINVAL);
	m.subject = "Hi\rthere";
	assert_int_equal(qoc_mail_enqueue(t.st, &m, T0), QOC_EINVAL);
	m.subject = "\xc3\x28"; /* not UTF-8 */
	assert_int_equal(qoc_mail_enqueue(t.st, &m, T0), QOC_EINVAL);
	m.subject = "Hi";
	m.to = "eve@example.com\n";
	assert_int_equal(qoc_mail_enqueue(t.st, &m, T0), QOC_EINVAL);
	m.to = "ada@example.com";
	m.text = NULL;
	assert_int_equal(qoc_mail_enqueue(t.st, &m, T0), QOC_EINVAL);
	m.text = "Hello\n";
	assert_int_equal(qoc_mail_enqueue(t.st, &m, T0), QOC_OK);

	struct qoc_arena a;
	qoc_arena_init(&a, 0);
	struct qoc_outbox_row *rows;
	size_t n;
	assert_int_equal(qoc_store_outbox_due(t.st, T0, 10, &a, &rows, &n), QOC_OK);
	assert_int_equal(n, 1); /* only the valid one */
	assert_string_equal(rows[0].to_addr, "ada@example.com");
	assert_string_equal(rows[0].subject, "Hi");
	assert_string_equal(rows[0].body, "Hello\n");
	assert_int_equal(rows[0].created_at, T0);
	qoc_arena_release(&a);
	tmp_store_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ascii_message_has_every_header),
	    cmocka_unit_test(non_ascii_subject_is_an_encoded_word),
	    cmocka_unit_test(non_ascii_text_is_quoted_printable),
	    cmocka_unit_test(line_endings_become_crlf),
	    cmocka_unit_test(header_injection_is_refused),
	    cmocka_unit_test(enqueue_validates_then_stores),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
