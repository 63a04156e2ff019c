/* mail/sender.c: the delivery thread, with a pinned clock.
 *   - without smtp_url: .eml files (content, 0600), failures back off and finally give up;
 *   - with smtp_url: a real local SMTP sink (Debian's python3-aiosmtpd, its Mailbox
 *     handler writing a Maildir) on a free loopback port; once with the sink up, once
 *     with it down first (the retry, due later, succeeds).
 * The SMTP tests are skipped when /usr/bin/python3 or aiosmtpd is missing
 * (scripts/deps.sh test installs it). */
#define _GNU_SOURCE /* nftw */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mail/mail.h"
#include "mail/sender.h"
#include "store/store_outbox.h"
#include "support/tmp_store.h"

extern char **environ;

#define T0 1795705445

static _Atomic int64_t pinned;

static int64_t pinned_now(void *ctx)
{
	(void)ctx;
	return atomic_load(&pinned);
}

static const struct qoc_clock clock_pinned = {pinned_now, NULL};

struct fixture {
	struct tmp_store t;
	struct qoc_config cfg;
	char smtp_url[64];
	char box[128]; /* the sink's Maildir */
	pid_t sink;
	unsigned short port;
	struct qoc_mailer *m;
};

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb, (void)flag, (void)f;
	return remove(p);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	tmp_store_open(&f->t);
	f->cfg.data_dir = f->t.dir;
	f->cfg.issuer = "http://localhost:8080";
	atomic_store(&pinned, T0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	qoc_mailer_stop(f->m);
	if (f->sink > 0) {
		kill(f->sink, SIGTERM);
		waitpid(f->sink, NULL, 0);
	}
	char mail[128];
	snprintf(mail, sizeof(mail), "%s/mail", f->t.dir);
	nftw(mail, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	nftw(f->box, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	tmp_store_close(&f->t);
	free(f);
	return 0;
}

static int64_t enqueue(struct fixture *f, const char *subject)
{
	struct qoc_mail_message msg = {"ada@example.com", subject, "Hello Ada,\n.\nGrüße\n"};
	assert_int_equal(qoc_mail_enqueue(f->t.st, &msg, atomic_load(&pinned)), QOC_OK);
	qoc_mailer_kick(f->m);
	return 1; /* each test enqueues one message into a fresh store */
}

/* Waits (10 s at most) until the unsent row has `attempts` failures; *next_out gets its
 * next_attempt_at. With attempts_given_up, waits until no unsent row is due at all. */
static void wait_attempts(struct fixture *f, int64_t attempts, int64_t *next_out)
{
	for (int i = 0; i < 1000; i++) {
		struct qoc_arena a;
		qoc_arena_init(&a, 0);
		struct qoc_outbox_row *rows;
		size_t n;
		assert_int_equal(qoc_store_outbox_due(f->t.st, INT64_MAX, 1, &a, &rows, &n),
		                 QOC_OK);
		bool done = attempts < 0 ? n == 0 : (n == 1 && rows[0].attempts == attempts);
		if (done && n == 1) {
			*next_out = rows[0].next_attempt_at;
			assert_non_null(rows[0].last_error);
			assert_null(strstr(rows[0].last_error, "smtp://")); /* never the URL */
		}
		qoc_arena_release(&a);
		if (done)
			return;
		usleep(10000);
	}
	fail_msg("the sender did not record attempt %lld", (long long)attempts);
}

/* The whole file, NUL-terminated, or NULL when it is not there (yet). */
static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	return buf;
}

static char *wait_file(const char *path)
{
	for (int i = 0; i < 1000; i++) {
		char *s = slurp(path);
		if (s)
			return s;
		usleep(10000);
	}
	fail_msg("%s did not appear", path);
	return NULL;
}

static void eml_is_written_atomically_with_0600(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(qoc_mailer_start(f->t.st, &f->cfg, &clock_pinned, &f->m), QOC_OK);
	int64_t id = enqueue(f, "Welcome");
	char path[160];
	snprintf(path, sizeof(path), "%s/mail/%lld.eml", f->t.dir, (long long)id);
	const char *s = wait_file(path);
	assert_non_null(
	    strstr(s, "From: qoc@localhost\r\nTo: ada@example.com\r\nSubject: Welcome\r\n"));
	assert_non_null(strstr(s, "Date: Thu, 26 Nov 2026 15:04:05 +0000\r\n"));
	assert_non_null(strstr(s, "Message-ID: <1.1795705445@localhost>\r\n"));
	assert_non_null(strstr(s, "\r\n\r\nHello Ada,\r\n.\r\nGr=C3=BC=C3=9Fe\r\n"));
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	wait_attempts(f, -1, NULL); /* marked sent: nothing due any more */
	qoc_mailer_stop(f->m);
	f->m = NULL;
}

static void failures_back_off_then_give_up(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(qoc_mailer_backoff(1), 30);
	assert_int_equal(qoc_mailer_backoff(2), 60);
	assert_int_equal(qoc_mailer_backoff(7), 1920);
	assert_int_equal(qoc_mailer_backoff(8), 3600);
	assert_int_equal(qoc_mailer_backoff(1000), 3600);

	assert_int_equal(qoc_mailer_start(f->t.st, &f->cfg, &clock_pinned, &f->m), QOC_OK);
	char mail[128];
	snprintf(mail, sizeof(mail), "%s/mail", f->t.dir);
	assert_int_equal(rmdir(mail), 0); /* a file where the directory was: writes fail */
	FILE *fp = fopen(mail, "w");
	assert_non_null(fp);
	fclose(fp);
	enqueue(f, "Retry me");
	int64_t next = 0;
	wait_attempts(f, 1, &next);
	assert_int_equal(next, T0 + 30);
	for (int64_t k = 2; k < QOC_MAILER_MAX_ATTEMPTS; k++) {
		atomic_store(&pinned, next);
		qoc_mailer_kick(f->m);
		int64_t prev = next;
		wait_attempts(f, k, &next);
		assert_int_equal(next, prev + qoc_mailer_backoff(k));
	}
	atomic_store(&pinned, next);
	qoc_mailer_kick(f->m);
	wait_attempts(f, -1, NULL); /* the last attempt gave up: never due again */
	unlink(mail);
}

static void failure_then_retry_succeeds(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(qoc_mailer_start(f->t.st, &f->cfg, &clock_pinned, &f->m), QOC_OK);
	char mail[128];
	snprintf(mail, sizeof(mail), "%s/mail", f->t.dir);
	assert_int_equal(rmdir(mail), 0);
	FILE *fp = fopen(mail, "w");
	assert_non_null(fp);
	fclose(fp);
	int64_t id = enqueue(f, "Later");
	int64_t next = 0;
	wait_attempts(f, 1, &next);
	unlink(mail);
	assert_int_equal(mkdir(mail, 0700), 0);
	qoc_mailer_kick(f->m); /* not due yet: nothing happens */
	usleep(100000);
	char path[160];
	snprintf(path, sizeof(path), "%s/%lld.eml", mail, (long long)id);
	assert_null(slurp(path));
	atomic_store(&pinned, next);
	qoc_mailer_kick(f->m);
	assert_non_null(strstr(wait_file(path), "Subject: Later\r\n"));
}

/* --- through a real SMTP sink --- */

static bool sink_available(void)
{
	struct stat sb;
	return access("/usr/bin/python3", X_OK) == 0 &&
	       stat("/usr/lib/python3/dist-packages/aiosmtpd", &sb) == 0;
}

/* A port nothing listens on now (the kernel's pick, closed again). */
static unsigned short free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

static bool port_open(unsigned short port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET,
	                         .sin_port = htons(port),
	                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

static void sink_start(struct fixture *f)
{
	char listen[32];
	snprintf(listen, sizeof(listen), "127.0.0.1:%u", f->port);
	char *argv[] = {"/usr/bin/python3",          "-m",   "aiosmtpd", "-n", "-l", listen, "-c",
	                "aiosmtpd.handlers.Mailbox", f->box, NULL};
	assert_int_equal(posix_spawn(&f->sink, argv[0], NULL, NULL, argv, environ), 0);
	for (int i = 0; i < 1000 && !port_open(f->port); i++)
		usleep(10000);
	assert_true(port_open(f->port));
}

/* The first message of the Maildir's new/, waiting for it. */
static char *sink_read(struct fixture *f)
{
	char dir[160], path[512];
	snprintf(dir, sizeof(dir), "%s/new", f->box);
	for (int i = 0; i < 1000; i++) {
		DIR *d = opendir(dir);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			closedir(d);
			return slurp(path);
		}
		if (d)
			closedir(d);
		usleep(10000);
	}
	fail_msg("no message reached the sink");
	return NULL;
}

static void smtp_setup(struct fixture *f)
{
	f->port = free_port();
	snprintf(f->smtp_url, sizeof(f->smtp_url), "smtp://127.0.0.1:%u", f->port);
	snprintf(f->box, sizeof(f->box), "%s/box", f->t.dir);
	f->cfg.smtp_url = f->smtp_url;
	f->cfg.mail_from = "noreply@login.example.com";
}

static void assert_delivered(const char *s)
{
	assert_non_null(strstr(s, "X-MailFrom: noreply@login.example.com"));
	assert_non_null(strstr(s, "X-RcptTo: ada@example.com"));
	assert_non_null(strstr(s, "To: ada@example.com"));
	assert_non_null(strstr(s, "Subject: =?UTF-8?B?V2lsbGtvbW1lbiwgQ2Fmw6k=?="));
	/* The sink keeps the body as sent; "." went through dot-stuffing and back. */
	assert_non_null(strstr(s, "Hello Ada,\n.\nGr=C3=BC=C3=9Fe"));
}

static void smtp_delivers_to_a_real_sink(void **state)
{
	struct fixture *f = *state;
	if (!sink_available())
		skip();
	smtp_setup(f);
	sink_start(f);
	assert_int_equal(qoc_mailer_start(f->t.st, &f->cfg, &clock_pinned, &f->m), QOC_OK);
	enqueue(f, "Willkommen, Café");
	assert_delivered(sink_read(f));
	wait_attempts(f, -1, NULL); /* marked sent */
}

static void smtp_sink_down_then_retry_succeeds(void **state)
{
	struct fixture *f = *state;
	if (!sink_available())
		skip();
	smtp_setup(f);
	assert_int_equal(qoc_mailer_start(f->t.st, &f->cfg, &clock_pinned, &f->m), QOC_OK);
	enqueue(f, "Willkommen, Café");
	int64_t next = 0;
	wait_attempts(f, 1, &next); /* connection refused */
	assert_int_equal(next, T0 + QOC_MAILER_BACKOFF_MIN_S);
	sink_start(f);
	atomic_store(&pinned, next);
	qoc_mailer_kick(f->m);
	assert_delivered(sink_read(f));
}

/* A server that accepts and never says a word: stop() still returns at once (the
 * transfer is aborted by the progress callback, not left to the 60 s timeout), and the
 * aborted row is not counted as a failure. */
static void stop_aborts_a_hanging_delivery(void **state)
{
	struct fixture *f = *state;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	snprintf(f->smtp_url, sizeof(f->smtp_url), "smtp://127.0.0.1:%u", ntohs(sa.sin_port));
	f->cfg.smtp_url = f->smtp_url;
	assert_int_equal(qoc_mailer_start(f->t.st, &f->cfg, &clock_pinned, &f->m), QOC_OK);
	enqueue(f, "Hang");
	usleep(300000); /* the sender is now waiting for a greeting */
	uint64_t t = qoc_monotonic_ns();
	qoc_mailer_stop(f->m);
	f->m = NULL;
	assert_true(qoc_monotonic_ns() - t < 3000000000u);
	close(fd);
	struct qoc_arena a;
	qoc_arena_init(&a, 0);
	struct qoc_outbox_row *rows;
	size_t n;
	/* Not a failure: the row stays claimed by this sender until its lease ends, then is
	 * due again (for any node's sender) with no attempt counted. */
	assert_int_equal(qoc_store_outbox_due(f->t.st, T0, 1, &a, &rows, &n), QOC_OK);
	assert_int_equal(n, 0);
	assert_int_equal(qoc_store_outbox_due(f->t.st, T0 + QOC_MAILER_LEASE_S, 1, &a, &rows, &n),
	                 QOC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].attempts, 0);
	qoc_arena_release(&a);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(eml_is_written_atomically_with_0600, setup, teardown),
	    cmocka_unit_test_setup_teardown(failures_back_off_then_give_up, setup, teardown),
	    cmocka_unit_test_setup_teardown(failure_then_retry_succeeds, setup, teardown),
	    cmocka_unit_test_setup_teardown(smtp_delivers_to_a_real_sink, setup, teardown),
	    cmocka_unit_test_setup_teardown(smtp_sink_down_then_retry_succeeds, setup, teardown),
	    cmocka_unit_test_setup_teardown(stop_aborts_a_hanging_delivery, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
