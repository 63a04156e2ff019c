/* sender.h - the background thread that delivers the outbox.
 *
 * One thread per server. It wakes on qoc_mailer_kick() or every QOC_MAILER_POLL_S seconds,
 * claims due rows (store outbox_claim, at most QOC_MAILER_BATCH at a time, leased for
 * QOC_MAILER_LEASE_S so that another node's sender leaves them alone) and delivers each:
 *   - smtp_url set: over SMTP with libcurl (STARTTLS when the server offers it, connect
 *     and transfer timeouts); envelope and From are mail_from, else qoc@<issuer host>;
 *   - smtp_url unset: written to <data_dir>/mail/<id>.eml (0600, temp file + rename),
 *     and the path is logged.
 * A failed delivery is retried QOC_MAILER_BACKOFF_MIN_S later, doubling up to
 * QOC_MAILER_BACKOFF_MAX_S; after QOC_MAILER_MAX_ATTEMPTS failures the row is given up
 * (kept, never due again) and an error is logged. Times come from the injected clock, so
 * a test with a pinned clock decides when a retry is due. The SMTP URL (it may carry a
 * password) is never logged nor stored in last_error.
 * Delivery is at-least-once: a crash between a delivery and its mark_sent sends again
 * (once the lease has run out).
 */
#ifndef QOC_MAIL_SENDER_H
#define QOC_MAIL_SENDER_H

#include <stdint.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/err.h"

struct qoc_store;
struct qoc_mailer;

#define QOC_MAILER_POLL_S 10
#define QOC_MAILER_BATCH 16
#define QOC_MAILER_BACKOFF_MIN_S 30
#define QOC_MAILER_BACKOFF_MAX_S 3600
#define QOC_MAILER_MAX_ATTEMPTS 10
#define QOC_MAILER_CONNECT_TIMEOUT_S 10
#define QOC_MAILER_TIMEOUT_S 60
/* How long claimed rows stay with this sender: a whole batch running into its timeouts. */
#define QOC_MAILER_LEASE_S                                                                         \
	(QOC_MAILER_BATCH * (QOC_MAILER_CONNECT_TIMEOUT_S + QOC_MAILER_TIMEOUT_S) + 60)

/* Starts the thread. st and clock must outlive the mailer; cfg is copied (smtp_url,
 * mail_from, issuer, data_dir). QOC_EIO when <data_dir>/mail cannot be made (no SMTP),
 * QOC_ENOMEM, QOC_EINVAL for a NULL argument or a sender address (mail_from, or
 * qoc@<issuer host>) that qoc_mail_address_ok() refuses. *out is NULL on error. */
enum qoc_err qoc_mailer_start(struct qoc_store *st, const struct qoc_config *cfg,
                              const struct qoc_clock *clock, struct qoc_mailer **out);
/* Wakes the thread to look for due rows now. Cheap; safe from any thread; NULL no-op. */
void qoc_mailer_kick(struct qoc_mailer *m);
/* Stops and joins the thread, then frees m. A delivery in flight is aborted (curl's
 * progress callback sees the stop) and stays due, so the wait is bounded by about a
 * second plus one file write. NULL is a no-op. */
void qoc_mailer_stop(struct qoc_mailer *m);

/* Seconds to wait after the n-th failed attempt (n >= 1): 30, 60, 120, ... <= 3600. */
int64_t qoc_mailer_backoff(int64_t n);

#endif
