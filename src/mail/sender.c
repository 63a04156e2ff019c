/* sender.c - the outbox's delivery thread: SMTP with libcurl, or .eml files. */
#include "mail/sender.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/metrics.h"
#include "mail/curl_lib.h"
#include "mail/mail.h"
#include "store/store_outbox.h"

struct qoc_mailer {
	struct qoc_store *st;
	const struct qoc_clock *clock;
	char *smtp_url; /* NULL: write files; may hold a password, never logged */
	char *from;     /* envelope and From: address */
	char *domain;   /* right-hand side of Message-IDs */
	char *mail_dir; /* <data_dir>/mail */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool kicked;      /* under mu */
	atomic_bool stop; /* read without mu by the curl progress callback */
};

/* A formatted message's bound: the text, quoted-printable at worst (x3 plus soft breaks),
 * and the headers. */
#define MESSAGE_MAX (QOC_MAIL_MAX_TEXT * 4u + 16384u)

int64_t qoc_mailer_backoff(int64_t n)
{
	int64_t s = QOC_MAILER_BACKOFF_MIN_S;
	for (int64_t i = 1; i < n && s < QOC_MAILER_BACKOFF_MAX_S; i++)
		s *= 2;
	return s < QOC_MAILER_BACKOFF_MAX_S ? s : QOC_MAILER_BACKOFF_MAX_S;
}

/* --- SMTP --- */

struct upload {
	const char *p;
	size_t left;
};

static size_t read_cb(char *dst, size_t size, size_t nmemb, void *arg)
{
	struct upload *u = arg;
	size_t n = size * nmemb < u->left ? size * nmemb : u->left;
	memcpy(dst, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

/* Non-zero aborts the transfer: stop() does not wait for a slow server. */
static int progress_cb(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	(void)dt, (void)dn, (void)ut, (void)un;
	struct qoc_mailer *m = arg;
	return atomic_load(&m->stop) ? 1 : 0;
}

static enum qoc_err send_smtp(struct qoc_mailer *m, const char *to, const struct qoc_buf *msg,
                              char *why, size_t why_size)
{
	/* Loaded at the first message (curl_lib.h); missing, it fails like an unreachable
	 * server: the row stays in the outbox and is retried. */
	const char *unavailable;
	const struct qoc_curl_lib *cl = qoc_curl_lib(&unavailable);
	if (!cl) {
		snprintf(why, why_size, "smtp: %s", unavailable);
		return QOC_EIO;
	}
	char rcpt_s[300], from_s[300];
	snprintf(rcpt_s, sizeof(rcpt_s), "<%s>", to);
	snprintf(from_s, sizeof(from_s), "<%s>", m->from);
	struct upload u = {msg->data, msg->len};
	struct curl_slist *rcpt = cl->slist_append(NULL, rcpt_s);
	CURL *c = cl->easy_init();
	enum qoc_err err = QOC_ENOMEM;
	if (!c || !rcpt) {
		snprintf(why, why_size, "smtp: out of memory");
		goto out;
	}
	cl->easy_setopt(c, CURLOPT_URL, m->smtp_url);
	cl->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	cl->easy_setopt(c, CURLOPT_MAIL_FROM, from_s);
	cl->easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	cl->easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	cl->easy_setopt(c, CURLOPT_READDATA, &u);
	cl->easy_setopt(c, CURLOPT_UPLOAD, 1L);
	cl->easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	cl->easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)QOC_MAILER_CONNECT_TIMEOUT_S);
	cl->easy_setopt(c, CURLOPT_TIMEOUT, (long)QOC_MAILER_TIMEOUT_S);
	cl->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	cl->easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	cl->easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
	cl->easy_setopt(c, CURLOPT_XFERINFODATA, m);
	CURLcode rc = cl->easy_perform(c);
	if (rc == CURLE_OK) {
		err = QOC_OK;
		goto out;
	}
	/* curl's own text and the server's reply code only: never the URL. */
	long code = 0;
	cl->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	snprintf(why, why_size, "smtp: %s (reply %ld)", cl->easy_strerror(rc), code);
	err = QOC_EIO;
out:
	cl->easy_cleanup(c);
	cl->slist_free_all(rcpt);
	return err;
}

/* --- .eml files --- */

static enum qoc_err write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return QOC_EIO;
		p += w;
		n -= (size_t)w;
	}
	return QOC_OK;
}

static void fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

/* Temp file, fsync, rename: a reader never sees half a message. */
static enum qoc_err write_eml(struct qoc_mailer *m, struct qoc_arena *a, int64_t id,
                              const struct qoc_buf *msg, char *why, size_t why_size)
{
	char *path = qoc_arena_printf(a, "%s/%lld.eml", m->mail_dir, (long long)id);
	char *tmp = qoc_arena_printf(a, "%s/.%lld.eml.tmp", m->mail_dir, (long long)id);
	if (!path || !tmp) {
		snprintf(why, why_size, "file: out of memory");
		return QOC_ENOMEM;
	}
	enum qoc_err err = QOC_EIO;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		snprintf(why, why_size, "file: open: %s", strerror(errno));
		return err;
	}
	if (write_all(fd, msg->data, msg->len) || fsync(fd) != 0) {
		snprintf(why, why_size, "file: write: %s", strerror(errno));
		close(fd);
		unlink(tmp);
		return err;
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		snprintf(why, why_size, "file: rename: %s", strerror(errno));
		unlink(tmp);
		return err;
	}
	fsync_dir(m->mail_dir);
	char q[512];
	qoc_log_info("mail written", "id=%lld path=%s", (long long)id,
	             qoc_log_quote(q, sizeof(q), path));
	return QOC_OK;
}

/* --- one row, one batch --- */

/* The message is made from the row alone (Date = created_at, Message-ID from the id), so
 * every retry sends the same bytes. QOC_EINVAL: the row cannot be sent at all. */
static enum qoc_err deliver(struct qoc_mailer *m, struct qoc_arena *a,
                            const struct qoc_outbox_row *r, char *why, size_t why_size)
{
	struct qoc_mail_message msg = {.to = r->to_addr, .subject = r->subject, .text = r->body};
	char *mid = qoc_arena_printf(a, "%lld.%lld@%s", (long long)r->id, (long long)r->created_at,
	                             m->domain);
	struct qoc_buf b;
	qoc_buf_init(&b, MESSAGE_MAX);
	enum qoc_err err =
	    mid ? qoc_mail_format(&msg, m->from, r->created_at, mid, &b) : QOC_ENOMEM;
	if (err) {
		snprintf(why, why_size, "format: %s", qoc_strerror(err));
		goto out;
	}
	if (m->smtp_url)
		err = send_smtp(m, r->to_addr, &b, why, why_size);
	else
		err = write_eml(m, a, r->id, &b, why, why_size);
out:
	qoc_buf_release(&b);
	return err;
}

static void record(struct qoc_mailer *m, const struct qoc_outbox_row *r, enum qoc_err err,
                   const char *why)
{
	int64_t now = qoc_clock_now(m->clock);
	char q[320];
	if (!err) {
		qoc_metrics_mail(QOC_METRICS_MAIL_SENT);
		if (m->smtp_url)
			qoc_log_info("mail sent", "id=%lld via=smtp", (long long)r->id);
		err = qoc_store_outbox_mark_sent(m->st, r->id, now);
		if (err) /* it went out: at worst it goes out again */
			qoc_log_warn("mail: cannot mark sent", "id=%lld err=%s", (long long)r->id,
			             qoc_strerror(err));
		return;
	}
	int64_t attempts = r->attempts + 1;
	bool give_up = err == QOC_EINVAL || attempts >= QOC_MAILER_MAX_ATTEMPTS;
	int64_t next = give_up ? 0 : now + qoc_mailer_backoff(attempts);
	qoc_metrics_mail(give_up ? QOC_METRICS_MAIL_GIVEN_UP : QOC_METRICS_MAIL_FAILED);
	qoc_log(give_up ? QOC_LOG_ERROR : QOC_LOG_WARN, give_up ? "mail given up" : "mail failed",
	        "id=%lld attempts=%lld retry_at=%lld error=%s", (long long)r->id,
	        (long long)attempts, (long long)next, qoc_log_quote(q, sizeof(q), why));
	if ((err = qoc_store_outbox_mark_failed(m->st, r->id, now, next, why)))
		qoc_log_warn("mail: cannot mark failed", "id=%lld err=%s", (long long)r->id,
		             qoc_strerror(err));
}

/* Delivers up to one batch; returns how many rows were due (a full batch: call again). */
static size_t run_batch(struct qoc_mailer *m)
{
	struct qoc_arena a;
	qoc_arena_init(&a, 0);
	struct qoc_outbox_row *rows = NULL;
	size_t n = 0;
	/* Claimed, not just read: with several nodes on one store, each row goes to one
	 * sender. The lease covers the whole batch at its worst (every delivery running into
	 * its timeouts); a sender that stops or dies meanwhile gives its rows back then. */
	int64_t now = qoc_clock_now(m->clock);
	enum qoc_err err = qoc_store_outbox_claim(m->st, now, now + QOC_MAILER_LEASE_S,
	                                          QOC_MAILER_BATCH, &a, &rows, &n);
	if (err) {
		qoc_log_warn("mail: cannot read the outbox", "err=%s", qoc_strerror(err));
		n = 0;
	}
	for (size_t i = 0; i < n && !atomic_load(&m->stop); i++) {
		char why[256] = "";
		err = deliver(m, &a, &rows[i], why, sizeof(why));
		if (atomic_load(&m->stop) && err)
			break; /* aborted by stop: due again when the lease ends, not a failure */
		record(m, &rows[i], err, why);
	}
	qoc_arena_release(&a);
	return n;
}

static void wait_for_work(struct qoc_mailer *m)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += QOC_MAILER_POLL_S;
	pthread_mutex_lock(&m->mu);
	while (!m->kicked && !atomic_load(&m->stop))
		if (pthread_cond_timedwait(&m->cv, &m->mu, &until) == ETIMEDOUT)
			break;
	m->kicked = false;
	pthread_mutex_unlock(&m->mu);
}

static void *mailer_main(void *arg)
{
	struct qoc_mailer *m = arg;
	while (!atomic_load(&m->stop)) {
		wait_for_work(m);
		while (!atomic_load(&m->stop) && run_batch(m) == QOC_MAILER_BATCH)
			;
	}
	return NULL;
}

/* --- life cycle --- */

/* The host of the issuer URL, for the default sender and Message-IDs ("localhost" for an
 * IP-literal or anything odd). */
static char *issuer_host(const char *issuer)
{
	const char *h = issuer ? strstr(issuer, "://") : NULL;
	if (!h || h[3] == '[' || h[3] == '\0')
		return strdup("localhost");
	h += 3;
	return strndup(h, strcspn(h, ":/?#"));
}

static void mailer_free(struct qoc_mailer *m)
{
	if (!m)
		return;
	free(m->smtp_url);
	free(m->from);
	free(m->domain);
	free(m->mail_dir);
	pthread_cond_destroy(&m->cv);
	pthread_mutex_destroy(&m->mu);
	free(m);
}

static enum qoc_err mailer_new(const struct qoc_config *cfg, struct qoc_mailer **out)
{
	struct qoc_mailer *m = calloc(1, sizeof(*m));
	if (!m)
		return QOC_ENOMEM;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&m->cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&m->mu, NULL);
	atomic_init(&m->stop, false);
	m->kicked = true; /* a first pass at once: rows left from before a restart */
	m->domain = issuer_host(cfg->issuer);
	m->from = cfg->mail_from ? strdup(cfg->mail_from)
	                         : (m->domain ? malloc(strlen(m->domain) + 5) : NULL);
	if (m->from && !cfg->mail_from)
		snprintf(m->from, strlen(m->domain) + 5, "qoc@%s", m->domain);
	m->smtp_url = cfg->smtp_url ? strdup(cfg->smtp_url) : NULL;
	m->mail_dir = malloc(strlen(cfg->data_dir) + 6);
	if (m->mail_dir)
		snprintf(m->mail_dir, strlen(cfg->data_dir) + 6, "%s/mail", cfg->data_dir);
	if (!m->domain || !m->from || !m->mail_dir || (cfg->smtp_url && !m->smtp_url)) {
		mailer_free(m);
		return QOC_ENOMEM;
	}
	*out = m;
	return QOC_OK;
}

enum qoc_err qoc_mailer_start(struct qoc_store *st, const struct qoc_config *cfg,
                              const struct qoc_clock *clock, struct qoc_mailer **out)
{
	if (!out)
		return QOC_EINVAL;
	*out = NULL;
	if (!st || !cfg || !clock || !cfg->data_dir)
		return QOC_EINVAL;
	struct qoc_mailer *m = NULL;
	enum qoc_err err = mailer_new(cfg, &m);
	if (err)
		return err;
	m->st = st;
	m->clock = clock;
	if (!qoc_mail_address_ok(m->from)) {
		/* Caught here, not at the first message: every message would be refused. */
		char q[320];
		qoc_log_error("mail: the sender address is not one bare address", "from=%s",
		              qoc_log_quote(q, sizeof(q), m->from));
		mailer_free(m);
		return QOC_EINVAL;
	}
	if (!m->smtp_url && mkdir(m->mail_dir, 0700) != 0 && errno != EEXIST) {
		char q[512];
		qoc_log_error("mail: cannot make the mail directory", "path=%s error=%s",
		              qoc_log_quote(q, sizeof(q), m->mail_dir), strerror(errno));
		mailer_free(m);
		return QOC_EIO;
	}
	if (pthread_create(&m->thread, NULL, mailer_main, m) != 0) {
		mailer_free(m);
		return QOC_ENOMEM;
	}
	qoc_log_info("mail sender started", "via=%s", m->smtp_url ? "smtp" : "files");
	*out = m;
	return QOC_OK;
}

void qoc_mailer_kick(struct qoc_mailer *m)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->mu);
	m->kicked = true;
	pthread_cond_signal(&m->cv);
	pthread_mutex_unlock(&m->mu);
}

void qoc_mailer_stop(struct qoc_mailer *m)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->mu);
	atomic_store(&m->stop, true);
	pthread_cond_signal(&m->cv);
	pthread_mutex_unlock(&m->mu);
	pthread_join(m->thread, NULL);
	mailer_free(m);
}
