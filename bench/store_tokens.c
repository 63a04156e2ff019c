/* store_tokens.c - durable opaque-token inserts through the store, with and without group
 * commit, and the introspection read that follows.
 *
 * What the issue's "client_credentials, opaque token stored durably" workload asks of the
 * store, without HTTP: THREADS callers each issue one access token after another
 * (tokens_issue, n = 1, synchronous=FULL) for SECONDS, once with group commit and once
 * without, on a fresh database each; then the same number of callers read random issued
 * tokens back (token_get) for SECONDS. Prints tokens/s, mean latency, and the ratio.
 *
 * Usage: bench_store_tokens [SECONDS [THREADS [DIR]]]   (defaults 5, 64, $TMPDIR or /tmp)
 * Build: cmake -DQOC_BENCH=ON -DCMAKE_BUILD_TYPE=Release ... (no sanitizers for figures).
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "store/store.h"
#include "store/store_oauth.h"

#define CLIENT_ID "qoc_client_benchbenchbenchbenchbenc"
#define MAX_THREADS 256

struct bench {
	struct qoc_store *st;
	atomic_bool stop;
	int threads;
	uint64_t issued_per_thread[MAX_THREADS]; /* the read phase picks from these */
};

struct worker {
	struct bench *b;
	int id;
	uint64_t ok, failed, ns;
	unsigned seed;
};

/* 43 base64url characters, distinct per (thread, n): the form of a qoc_token_hash(). */
static void token_hash(char out[44], int thread, uint64_t n)
{
	int len = snprintf(out, 44, "b%03d_%016" PRIx64, thread, n);
	memset(out + len, 'A', (size_t)(43 - len));
	out[43] = '\0';
}

static void *issue_thread(void *arg)
{
	struct worker *w = arg;
	char hash[44];
	while (!atomic_load(&w->b->stop)) {
		token_hash(hash, w->id, w->ok + w->failed);
		struct qoc_token t = {.token_hash = hash,
		                      .kind = QOC_TOKEN_ACCESS,
		                      .client_id = CLIENT_ID,
		                      .family_id = hash,
		                      .scope = "api:read",
		                      .created_at = 1000,
		                      .expires_at = 4600};
		uint64_t t0 = qoc_monotonic_ns();
		enum qoc_err err = qoc_store_tokens_issue(w->b->st, &t, 1);
		w->ns += qoc_monotonic_ns() - t0;
		if (err)
			w->failed++;
		else
			w->ok++;
	}
	w->b->issued_per_thread[w->id] = w->ok + w->failed; /* hashes used, some maybe failed */
	return NULL;
}

static void *read_thread(void *arg)
{
	struct worker *w = arg;
	struct qoc_arena a;
	qoc_arena_init(&a, 0);
	char hash[44];
	while (!atomic_load(&w->b->stop)) {
		int th = (int)(rand_r(&w->seed) % (unsigned)w->b->threads);
		uint64_t n = w->b->issued_per_thread[th];
		if (n == 0)
			continue;
		token_hash(hash, th, (uint64_t)rand_r(&w->seed) % n);
		struct qoc_token t;
		uint64_t t0 = qoc_monotonic_ns();
		enum qoc_err err = qoc_store_token_get(w->b->st, &a, hash, &t);
		w->ns += qoc_monotonic_ns() - t0;
		if (err == QOC_OK || err == QOC_ENOTFOUND) /* a failed issue leaves a hole */
			w->ok++;
		else
			w->failed++;
		qoc_arena_release(&a);
	}
	qoc_arena_release(&a);
	return NULL;
}

/* Runs fn on b->threads threads for `seconds`; returns operations per second. */
static double run_phase(struct bench *b, void *(*fn)(void *), int seconds, const char *label)
{
	static struct worker w[MAX_THREADS];
	pthread_t th[MAX_THREADS];
	atomic_store(&b->stop, false);
	uint64_t t0 = qoc_monotonic_ns();
	for (int i = 0; i < b->threads; i++) {
		w[i] = (struct worker){.b = b, .id = i, .seed = (unsigned)i * 7919u + 1};
		if (pthread_create(&th[i], NULL, fn, &w[i]) != 0) {
			fprintf(stderr, "pthread_create failed\n");
			exit(1);
		}
	}
	sleep((unsigned)seconds);
	atomic_store(&b->stop, true);
	uint64_t ok = 0, failed = 0, ns = 0;
	for (int i = 0; i < b->threads; i++) {
		pthread_join(th[i], NULL);
		ok += w[i].ok;
		failed += w[i].failed;
		ns += w[i].ns;
	}
	double secs = (double)(qoc_monotonic_ns() - t0) / 1e9;
	double rate = (double)ok / secs;
	printf("%-34s %10.0f /s   mean %7.1f us   ok %" PRIu64 " failed %" PRIu64 "\n", label, rate,
	       ok + failed ? (double)ns / 1e3 / (double)(ok + failed) : 0.0, ok, failed);
	return rate;
}

/* A fresh database with one account and one confidential application. */
static struct qoc_store *open_store(const char *dir, enum qoc_group_commit gc, char *url,
                                    size_t url_size)
{
	snprintf(url, url_size, "sqlite:%s/bench-%s.db", dir,
	         gc == QOC_GROUP_COMMIT_OFF ? "nogc" : "gc");
	unlink(url + strlen("sqlite:"));
	struct qoc_store_options o = {.url = url, .sync = QOC_SYNC_FULL, .group_commit = gc};
	struct qoc_store *st;
	if (qoc_store_open(&o, &st) || qoc_store_migrate(st, NULL)) {
		fprintf(stderr, "cannot open %s\n", url);
		exit(1);
	}
	static const char *grants[] = {"client_credentials"};
	static const unsigned char secret[] = {1, 2, 3};
	struct qoc_account acct = {.id = "acct_bench", .email = "bench@example.com"};
	struct qoc_audit_event ev = {.actor_id = "acct_bench", .action = "bench", .at = 1};
	struct qoc_app app = {.client_id = CLIENT_ID,
	                      .team_id = "team_acct_bench",
	                      .owner_id = "acct_bench",
	                      .name = "bench",
	                      .type = "service",
	                      .status = "active",
	                      .grant_types = {grants, 1},
	                      .access_token_lifetime = 3600,
	                      .refresh_token_lifetime = 3600,
	                      .id_token_lifetime = 3600,
	                      .token_format = "opaque",
	                      .id_token_signed_response_alg = "ES256",
	                      .secret_hash = secret,
	                      .secret_hash_len = sizeof(secret),
	                      .secret_sealed = secret,
	                      .secret_sealed_len = sizeof(secret),
	                      .secret_created_at = 1};
	if (qoc_store_account_create(st, &acct) || qoc_store_app_create(st, &app, &ev)) {
		fprintf(stderr, "cannot create the bench application\n");
		exit(1);
	}
	return st;
}

static void remove_db(const char *url)
{
	const char *path = url + strlen("sqlite:");
	char p[600];
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 5;
	int threads = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 64;
	const char *tmp = getenv("TMPDIR");
	const char *dir = argc > 3 ? argv[3] : (tmp && tmp[0] ? tmp : "/tmp");
	if (seconds < 1 || threads < 1 || threads > MAX_THREADS) {
		fprintf(stderr, "usage: %s [SECONDS [THREADS(1..%d) [DIR]]]\n", argv[0],
		        MAX_THREADS);
		return 2;
	}
	qoc_log_set_level(QOC_LOG_INFO); /* the store's group-commit totals at close */
	printf("store_tokens: sqlite WAL synchronous=FULL, %d threads, %d s per phase, dir %s\n",
	       threads, seconds, dir);
	static struct bench b;
	char url_gc[512], url_nogc[512];

	b.threads = threads;
	b.st = open_store(dir, QOC_GROUP_COMMIT_OFF, url_nogc, sizeof(url_nogc));
	double off = run_phase(&b, issue_thread, seconds, "tokens_issue, group commit off");
	qoc_store_close(b.st);
	remove_db(url_nogc);

	b.st = open_store(dir, QOC_GROUP_COMMIT_ON, url_gc, sizeof(url_gc));
	double on = run_phase(&b, issue_thread, seconds, "tokens_issue, group commit on");
	run_phase(&b, read_thread, seconds, "token_get (introspection read)");
	qoc_store_close(b.st);
	remove_db(url_gc);

	printf("group commit speed-up: %.2fx (target: >= 15000 durable tokens/s)\n",
	       off > 0 ? on / off : 0.0);
	return 0;
}
