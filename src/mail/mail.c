/* mail.c - validation, enqueue into the outbox, and the MIME message (RFC 5322, RFC 2045,
 * RFC 2047). */
#include "mail/mail.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/store_outbox.h"

bool qoc_mail_address_ok(const char *addr)
{
	if (!addr)
		return false;
	size_t n = strlen(addr), at = 0, ats = 0;
	if (n < 3 || n > 254)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)addr[i];
		/* Printable ASCII without the specials that make a list, a display name or a
		 * route (RFC 5322 §3.2.3); CR and LF fall out with every control character. */
		if (ch <= 0x20 || ch >= 0x7f || strchr("<>()[],;:\\\"", ch))
			return false;
		if (ch == '@') {
			at = i;
			ats++;
		}
	}
	return ats == 1 && at > 0 && at + 1 < n && addr[n - 1] != '.';
}

/* Well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
static bool utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		size_t k = c < 0x80                 ? 0
		           : c >= 0xc2 && c <= 0xdf ? 1
		           : c >= 0xe0 && c <= 0xef ? 2
		           : c >= 0xf0 && c <= 0xf4 ? 3
		                                    : 9;
		if (k == 9 || n - i <= k)
			return false; /* a bad lead byte, or the sequence runs past the end */
		unsigned lo = 0x80, hi = 0xbf;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
		else if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
		for (size_t j = 1; j <= k; j++) {
			unsigned char d = s[i + j];
			if (d < (j == 1 ? lo : 0x80) || d > (j == 1 ? hi : 0xbf))
				return false;
		}
		i += k + 1;
	}
	return true;
}

/* A header value: no control character at all (CR, LF, NUL, TAB... refused). */
static bool header_text_ok(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

static bool message_ok(const struct qoc_mail_message *m)
{
	if (!m || !qoc_mail_address_ok(m->to) || !m->subject || !m->text)
		return false;
	size_t sn = strlen(m->subject), tn = strlen(m->text);
	return sn > 0 && sn <= QOC_MAIL_MAX_SUBJECT && tn <= QOC_MAIL_MAX_TEXT &&
	       header_text_ok(m->subject) && utf8_ok((const unsigned char *)m->subject, sn) &&
	       utf8_ok((const unsigned char *)m->text, tn);
}

enum qoc_err qoc_mail_enqueue(struct qoc_store *st, const struct qoc_mail_message *m, int64_t now)
{
	if (!st || !message_ok(m) || now <= 0)
		return QOC_EINVAL;
	struct qoc_outbox_row row = {
	    .to_addr = m->to, .subject = m->subject, .body = m->text, .created_at = now};
	return qoc_store_outbox_put(st, &row, NULL);
}

/* --- the message --- */

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Standard base64 with padding (RFC 4648 §4), as RFC 2047's "B" encoding wants. */
static enum qoc_err append_b64(struct qoc_buf *out, const unsigned char *p, size_t n)
{
	enum qoc_err err = QOC_OK;
	for (size_t i = 0; i < n && !err; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		char q[4] = {b64_alphabet[(v >> 18) & 63], b64_alphabet[(v >> 12) & 63],
		             i + 1 < n ? b64_alphabet[(v >> 6) & 63] : '=',
		             i + 2 < n ? b64_alphabet[v & 63] : '='};
		err = qoc_buf_append(out, q, 4);
	}
	return err;
}

static bool needs_encoding(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p >= 0x80)
			return true;
	return strstr(s, "=?") != NULL; /* would read as an encoded-word */
}

/* RFC 2047 §2: each encoded-word at most 75 characters, so at most 45 bytes of text
 * (60 of base64) each; a word never splits a UTF-8 sequence (§5 (3)). Words are folded
 * onto continuation lines. */
static enum qoc_err append_subject(struct qoc_buf *out, const char *subject)
{
	enum qoc_err err = qoc_buf_append_cstr(out, "Subject: ");
	if (err || !needs_encoding(subject))
		return err ? err : qoc_buf_printf(out, "%s\r\n", subject);
	const unsigned char *p = (const unsigned char *)subject;
	size_t n = strlen(subject), i = 0;
	while (i < n && !err) {
		size_t k = n - i < 45 ? n - i : 45;
		while (k > 0 && i + k < n && (p[i + k] & 0xc0) == 0x80)
			k--; /* back off to the start of a character */
		if ((i && (err = qoc_buf_append_cstr(out, "\r\n "))) ||
		    (err = qoc_buf_append_cstr(out, "=?UTF-8?B?")) ||
		    (err = append_b64(out, p + i, k)) || (err = qoc_buf_append_cstr(out, "?=")))
			return err;
		i += k;
	}
	return err ? err : qoc_buf_append_cstr(out, "\r\n");
}

/* RFC 5322 §3.3 in UTC, with English names whatever the locale. */
static enum qoc_err append_date(struct qoc_buf *out, int64_t date)
{
	static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t t = (time_t)date;
	struct tm tm;
	if (!gmtime_r(&t, &tm))
		return QOC_EINVAL;
	return qoc_buf_printf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
	                      days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
	                      tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Length of the line at s (up to, not including, CR, LF or NUL) and of its ending. */
static size_t line_len(const char *s, size_t *eol)
{
	size_t n = strcspn(s, "\r\n");
	*eol = s[n] == '\r' && s[n + 1] == '\n' ? 2 : s[n] ? 1 : 0;
	return n;
}

/* 7bit is possible when the text is ASCII without control characters (TAB aside) and no
 * line passes 998 octets (RFC 5322 §2.1.1). */
static bool fits_7bit(const char *text)
{
	for (const char *s = text; *s;) {
		size_t eol, n = line_len(s, &eol);
		if (n > 998)
			return false;
		for (size_t i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)s[i];
			if (ch >= 0x7f || (ch < 0x20 && ch != '\t'))
				return false;
		}
		s += n + eol;
	}
	return true;
}

/* Every line, whatever its ending (CRLF, LF, CR), ends in CRLF. */
static enum qoc_err append_body_7bit(struct qoc_buf *out, const char *text)
{
	enum qoc_err err = QOC_OK;
	for (const char *s = text; *s && !err;) {
		size_t eol, n = line_len(s, &eol);
		if (!(err = qoc_buf_append(out, s, n)))
			err = qoc_buf_append_cstr(out, "\r\n");
		s += n + eol;
	}
	return err;
}

/* RFC 2045 §6.7: lines of at most 76 characters (soft breaks "="), '=' and non-ASCII as
 * =XX, a space or tab at the end of a line encoded too. */
static enum qoc_err append_qp_line(struct qoc_buf *out, const unsigned char *s, size_t n)
{
	enum qoc_err err = QOC_OK;
	size_t col = 0;
	for (size_t i = 0; i < n && !err; i++) {
		unsigned char ch = s[i];
		bool last = i + 1 == n;
		bool raw =
		    (ch >= 0x21 && ch <= 0x7e && ch != '=') || ((ch == ' ' || ch == '\t') && !last);
		char tok[4];
		size_t k = raw ? 1 : 3;
		if (raw)
			tok[0] = (char)ch;
		else
			snprintf(tok, sizeof(tok), "=%02X", ch);
		/* Room for the token and, unless the line ends here, a soft break's '='. */
		if (col + k > (last ? 76u : 75u)) {
			err = qoc_buf_append_cstr(out, "=\r\n");
			col = 0;
		}
		if (!err)
			err = qoc_buf_append(out, tok, k);
		col += k;
	}
	return err ? err : qoc_buf_append_cstr(out, "\r\n");
}

static enum qoc_err append_body_qp(struct qoc_buf *out, const char *text)
{
	enum qoc_err err = QOC_OK;
	for (const char *s = text; *s && !err;) {
		size_t eol, n = line_len(s, &eol);
		err = append_qp_line(out, (const unsigned char *)s, n);
		s += n + eol;
	}
	return err;
}

enum qoc_err qoc_mail_format(const struct qoc_mail_message *msg, const char *from, int64_t date,
                             const char *message_id, struct qoc_buf *out)
{
	if (!msg || !out || !qoc_mail_address_ok(from) || !qoc_mail_address_ok(msg->to) ||
	    !msg->subject || !header_text_ok(msg->subject) || !msg->text || !message_id ||
	    !message_id[0] || !header_text_ok(message_id) || strpbrk(message_id, "<> "))
		return QOC_EINVAL;
	bool qp = !fits_7bit(msg->text);
	enum qoc_err err;
	if ((err = qoc_buf_printf(out, "From: %s\r\nTo: %s\r\n", from, msg->to)) ||
	    (err = append_subject(out, msg->subject)) || (err = append_date(out, date)) ||
	    (err = qoc_buf_printf(out,
	                          "Message-ID: <%s>\r\nMIME-Version: 1.0\r\n"
	                          "Content-Type: text/plain; charset=utf-8\r\n"
	                          "Content-Transfer-Encoding: %s\r\n\r\n",
	                          message_id, qp ? "quoted-printable" : "7bit")))
		return err;
	return qp ? append_body_qp(out, msg->text) : append_body_7bit(out, msg->text);
}
