/* sign_bench.c - ID tokens and RFC 9068 JWT access tokens signed per second, per
 * algorithm, from several threads (default 2: the cores of this machine), through the
 * same code the token endpoint uses (oidc/signer + oidc/id_token + oidc/access_token_jwt).
 *
 *   build: cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DQOC_BENCH=ON -DQOC_TESTS=OFF
 *   run:   build/bench/bench_sign_bench [seconds per workload, default 3] [threads, default 2]
 *
 * Keys live in a throw-away SQLite store in a temporary directory. No network, no store
 * write per token: this is the signing cost that bounds the HTTP figures of issue 3.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/random.h"
#include "crypto/jws.h"
#include "oidc/access_token_jwt.h"
#include "oidc/id_token.h"
#include "oidc/keyring.h"
#include "oidc/signer.h"
#include "store/store.h"

#define MAX_THREADS 64

struct job {
	struct qoc_signer *signer;
	enum qoc_jws_alg alg;
	int kind; /* 0: ID token, 1: JWT access token, 2: bare JWS of a fixed payload */
	double seconds;
	atomic_long *count;
	atomic_int *failed;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int sign_one(const struct job *j, struct qoc_buf *out)
{
	int64_t now = (int64_t)time(NULL);
	static const char at[] = "qoc_at_dGhpcyBpcyBhbiBhY2Nlc3MgdG9rZW4";
	if (j->kind == 2) { /* the floor: one signature, no claims, no key look-up */
		static const char payload[] =
		    "{\"iss\":\"https://login.example.com\",\"sub\":\"acct_0123456789abcdef\","
		    "\"aud\":\"qoc_client_benchbenchbenchbench\",\"exp\":1795709045,"
		    "\"iat\":1795705445,\"azp\":\"qoc_client_benchbenchbenchbench\"}";
		struct qoc_signer_ref ref;
		if (qoc_signer_get(j->signer, j->alg, now, &ref))
			return 0;
		enum qoc_err err = qoc_jws_sign(ref.key, payload, sizeof(payload) - 1, NULL, out);
		qoc_signer_put(&ref);
		return err == QOC_OK;
	}
	if (j->kind == 1) {
		struct qoc_access_token_jwt_params p = {
		    .issuer = "https://login.example.com",
		    .sub = "qoc_client_benchbenchbenchbench",
		    .client_id = "qoc_client_benchbenchbenchbench",
		    .scope = "api:read api:write",
		    .now = now,
		    .lifetime = 3600,
		};
		return qoc_access_token_jwt_issue(j->signer, j->alg, &p, out, NULL) == QOC_OK;
	}
	struct qoc_app app = {
	    .client_id = "qoc_client_benchbenchbenchbench",
	    .id_token_lifetime = 3600,
	    .id_token_signed_response_alg = qoc_sigkey_alg_name(j->alg),
	};
	struct qoc_id_token_params p = {
	    .issuer = "https://login.example.com",
	    .sub = "acct_0123456789abcdef",
	    .now = now,
	    .auth_time = now - 10,
	    .nonce = "n-0S6_WzA2Mj",
	    .sid = "sid_0123456789",
	    .access_token = at,
	    .access_token_len = sizeof(at) - 1,
	};
	return qoc_id_token_issue(j->signer, &app, &p, out) == QOC_OK;
}

static void *worker(void *arg)
{
	const struct job *j = arg;
	struct qoc_buf out;
	qoc_buf_init(&out, 16384);
	long n = 0;
	double end = now_s() + j->seconds;
	while (now_s() < end) {
		for (int i = 0; i < 16; i++) { /* check the clock every 16 tokens */
			qoc_buf_reset(&out);
			if (!sign_one(j, &out)) {
				atomic_store(j->failed, 1);
				goto done;
			}
			n++;
		}
	}
done:
	atomic_fetch_add(j->count, n);
	qoc_buf_release(&out);
	return NULL;
}

static double run(struct qoc_signer *s, enum qoc_jws_alg alg, int kind, double secs, int threads)
{
	atomic_long count = 0;
	atomic_int failed = 0;
	struct job j = {s, alg, kind, secs, &count, &failed};
	pthread_t th[MAX_THREADS];
	double t0 = now_s();
	for (int i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, worker, &j);
	for (int i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	double took = now_s() - t0;
	return atomic_load(&failed) ? -1.0 : (double)atomic_load(&count) / took;
}

static int open_store(char *dir, struct qoc_store **st)
{
	char url[128];
	snprintf(url, sizeof(url), "sqlite:%s/qoc.db", dir);
	struct qoc_store_options o = {.url = url, .sync = QOC_SYNC_NORMAL};
	return qoc_store_open(&o, st) || qoc_store_migrate(*st, NULL);
}

static void remove_store(const char *dir)
{
	static const char *const files[] = {"qoc.db", "qoc.db-wal", "qoc.db-shm"};
	char p[256];
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		unlink(p);
	}
	rmdir(dir);
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? strtod(argv[1], NULL) : 3.0;
	long threads = argc > 2 ? strtol(argv[2], NULL, 10) : 2;
	if (secs <= 0 || threads < 1 || threads > MAX_THREADS) {
		fprintf(stderr, "usage: %s [seconds > 0] [threads 1..%d]\n", argv[0], MAX_THREADS);
		return 2;
	}
	qoc_log_set_level(QOC_LOG_WARN);
	char dir[] = "/tmp/qoc-bench-XXXXXX";
	uint8_t master[32];
	struct qoc_store *st = NULL;
	struct qoc_signer *signer = NULL;
	int rc = 1;
	if (!mkdtemp(dir) || qoc_random_bytes(master, sizeof(master)) || open_store(dir, &st))
		goto out;
	struct qoc_keyring_params kp = {st, &qoc_clock_system, master, "RS256", 86400, 0};
	bool created;
	if (qoc_keyring_ensure(&kp, &created) ||
	    qoc_signer_new(st, master, (int64_t)time(NULL), &signer))
		goto out;
	printf("sign_bench: %ld threads, %.1f s per workload, tokens/s\n", threads, secs);
	printf("%-8s %12s %12s %12s\n", "alg", "id_token", "at+jwt", "bare jws");
	for (size_t i = 0; i < QOC_KEYRING_ALG_COUNT; i++) {
		enum qoc_jws_alg alg = qoc_keyring_algs[i];
		double id = run(signer, alg, 0, secs, (int)threads);
		double at = run(signer, alg, 1, secs, (int)threads);
		double raw = run(signer, alg, 2, secs, (int)threads);
		printf("%-8s %12.0f %12.0f %12.0f\n", qoc_sigkey_alg_name(alg), id, at, raw);
		fflush(stdout);
	}
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "sign_bench: set-up failed\n");
	qoc_signer_free(signer);
	qoc_store_close(st);
	remove_store(dir);
	return rc;
}
