/* password_verify.c - the wall time of a wrong-password verify against a real argon2id
 * hash and of qoc_password_dummy_verify (an unknown account), and their ratio.
 *
 *   build: cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DQOC_BENCH=ON -DQOC_TESTS=OFF
 *   run:   build/bench/bench_password_verify [rounds, default 20]
 *
 * SECURITY.md "Passwords": same time for an unknown account. The unit test
 * (test_crypto_password, dummy_verify_does_the_work_of_a_real_verify) proves the same work
 * is computed; this is the figure, which only means something on an idle machine. Rounds
 * alternate real and dummy so load drift hits both; the median of each is printed, and the
 * minimum (the work without scheduling noise).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/password.h"

#define MAX_ROUNDS 1000

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	static double real[MAX_ROUNDS], dummy[MAX_ROUNDS];
	char stored[QOC_PASSWORD_HASH_SIZE];
	long rounds = argc > 1 ? strtol(argv[1], NULL, 10) : 20;
	if (rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "usage: %s [rounds 1-%d]\n", argv[0], MAX_ROUNDS);
		return 2;
	}
	if (qoc_password_hash("right password", 14, stored) != QOC_OK) {
		fprintf(stderr, "hashing failed\n");
		return 1;
	}
	for (long i = 0; i < rounds; i++) {
		double t = now_ms();
		if (qoc_password_verify(stored, "wrong password", 14)) {
			fprintf(stderr, "a wrong password verified\n");
			return 1;
		}
		real[i] = now_ms() - t;
		t = now_ms();
		qoc_password_dummy_verify("wrong password", 14);
		dummy[i] = now_ms() - t;
	}
	qsort(real, (size_t)rounds, sizeof real[0], cmp);
	qsort(dummy, (size_t)rounds, sizeof dummy[0], cmp);
	double rm = real[rounds / 2], dm = dummy[rounds / 2];
	printf("real verify   median %7.2f ms  min %7.2f ms\n", rm, real[0]);
	printf("dummy verify  median %7.2f ms  min %7.2f ms\n", dm, dummy[0]);
	printf("dummy/real    median %7.3f     min %7.3f   (%ld rounds each)\n", dm / rm,
	       dummy[0] / real[0], rounds);
	return 0;
}
