/* mail.h - outgoing mail: validation, the durable outbox, the MIME message.
 *
 * A caller (transfer notices, invitations) calls qoc_mail_enqueue() inside its use case;
 * the row is durable when it returns and the sender thread (mail/sender.h) delivers it
 * later, so no request ever waits on SMTP. Call qoc_mailer_kick() after enqueueing to have
 * it sent now rather than at the sender's next poll.
 */
#ifndef QOC_MAIL_MAIL_H
#define QOC_MAIL_MAIL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

struct qoc_store;

/* All three are read during the call only. text is UTF-8; any line ending is fine. */
struct qoc_mail_message {
	const char *to;      /* one bare address: local@domain */
	const char *subject; /* UTF-8, no CR or LF */
	const char *text;    /* the plain-text body */
};

/* Bounds on what enqueue accepts. */
#define QOC_MAIL_MAX_SUBJECT 200
#define QOC_MAIL_MAX_TEXT (256u * 1024u)

/* Validates m and stores it in the outbox (created_at = now). QOC_EINVAL: a NULL or empty
 * field, an address that is not one bare local@domain in printable ASCII, a CR or LF (or
 * any other control character) in to or subject (header injection), a subject or text
 * over its bound or not valid UTF-8. Store errors as store.h says; QOC_OK means durable. */
enum qoc_err qoc_mail_enqueue(struct qoc_store *st, const struct qoc_mail_message *m, int64_t now);

/* True when addr is one bare address as enqueue requires. */
bool qoc_mail_address_ok(const char *addr);

/* Appends the whole RFC 5322 message to out: From, To, Subject (an RFC 2047 encoded-word
 * when not ASCII), Date (RFC 5322 §3.3, UTC), Message-ID (message_id without the angle
 * brackets, which this adds), MIME-Version, Content-Type text/plain; charset=utf-8,
 * Content-Transfer-Encoding 7bit (ASCII, lines <= 998) or quoted-printable (anything
 * else); every line ends in CRLF. Dot-stuffing is the SMTP client's job (curl does it).
 * QOC_EINVAL when from, to or message_id is not acceptable or subject has a CR/LF;
 * QOC_ELIMIT when out's bound is reached (out is then left with a partial message). */
enum qoc_err qoc_mail_format(const struct qoc_mail_message *msg, const char *from, int64_t date,
                             const char *message_id, struct qoc_buf *out);

#endif
