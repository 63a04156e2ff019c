/* replay_main.c - runs a libFuzzer target's seed corpus as a regression test, without
 * libFuzzer (so gcc's sanitizer build of `make check` runs it).
 *
 * Linked with one fuzz/fuzz_<name>.c: calls LLVMFuzzerInitialize when the target has one
 * (a weak reference), then LLVMFuzzerTestOneInput once per regular file of every directory
 * (or file) named on the command line, in directory order. A target that finds a broken
 * invariant aborts, and ASan/UBSan stop at the first error: either fails the ctest entry.
 * Inputs are read into an exactly sized heap copy, so a read past the end is caught as it
 * would be under libFuzzer. Usage: replay_<name> DIR|FILE...
 */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* The largest seed replayed; the seeds under version control are far smaller. */
#define REPLAY_MAX_INPUT (4u * 1024u * 1024u)

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return 1;
	}
	uint8_t *buf = malloc(REPLAY_MAX_INPUT);
	size_t n = buf ? fread(buf, 1, REPLAY_MAX_INPUT, f) : 0;
	int bad = !buf || ferror(f) || !feof(f);
	fclose(f);
	if (bad) {
		fprintf(stderr, "%s: unreadable or over %u bytes\n", path, REPLAY_MAX_INPUT);
		free(buf);
		return 1;
	}
	/* An exact-size copy: the target sees no slack past its input. */
	uint8_t *exact = malloc(n ? n : 1);
	if (!exact) {
		free(buf);
		return 1;
	}
	memcpy(exact, buf, n);
	free(buf);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	return 0;
}

static int run_path(const char *path, unsigned *count)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		perror(path);
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		++*count;
		return run_file(path);
	}
	struct dirent **names = NULL;
	int n = scandir(path, &names, NULL, alphasort);
	if (n < 0) {
		perror(path);
		return 1;
	}
	int status = 0;
	for (int i = 0; i < n; i++) {
		char full[4096];
		struct stat fst;
		if (names[i]->d_name[0] != '.' &&
		    (size_t)snprintf(full, sizeof(full), "%s/%s", path, names[i]->d_name) <
		        sizeof(full) &&
		    stat(full, &fst) == 0 && S_ISREG(fst.st_mode)) {
			++*count;
			status |= run_file(full);
		}
		free(names[i]);
	}
	free(names);
	return status;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR|FILE...\n", argv[0]);
		return 2;
	}
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	unsigned count = 0;
	int status = 0;
	for (int i = 1; i < argc; i++)
		status |= run_path(argv[i], &count);
	printf("%s: %u inputs replayed\n", argv[0], count);
	return status || count == 0 ? 1 : 0;
}
