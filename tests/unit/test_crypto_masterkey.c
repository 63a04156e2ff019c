/* Unit tests for src/crypto/masterkey: create, load, refuse loose permissions and bad files.
 * Each test runs in its own mkdtemp directory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/masterkey.h"

struct tmpdir {
	char dir[64];
	char path[128];
};

static int tmpdir_setup(void **state)
{
	struct tmpdir *t = calloc(1, sizeof(*t));
	if (!t)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/qoc-masterkey-XXXXXX");
	if (!mkdtemp(t->dir))
		return -1;
	snprintf(t->path, sizeof(t->path), "%s/master.key", t->dir);
	*state = t;
	return 0;
}

static int tmpdir_teardown(void **state)
{
	struct tmpdir *t = *state;
	DIR *d = opendir(t->dir);
	struct dirent *e;
	char p[512];
	while (d && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(p, sizeof(p), "%s/%s", t->dir, e->d_name);
			if (unlink(p) != 0)
				rmdir(p);
		}
	}
	if (d)
		closedir(d);
	rmdir(t->dir);
	free(t);
	return 0;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
}

static int count_entries(const char *dir)
{
	int n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return n;
}

static void master_key_created_then_loaded(void **state)
{
	struct tmpdir *t = *state;
	uint8_t k1[32], k2[32];
	bool created = false;
	assert_int_equal(qoc_master_key_load_or_create(t->path, k1, &created), QOC_OK);
	assert_true(created);
	struct stat st;
	assert_int_equal(stat(t->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 65);
	assert_int_equal(count_entries(t->dir), 1); /* no temporary file left behind */

	assert_int_equal(qoc_master_key_load_or_create(t->path, k2, &created), QOC_OK);
	assert_false(created);
	assert_memory_equal(k1, k2, 32);

	char text[80];
	FILE *f = fopen(t->path, "r");
	assert_non_null(f);
	assert_non_null(fgets(text, sizeof(text), f));
	fclose(f);
	assert_int_equal(strlen(text), 65);
	assert_int_equal(text[64], '\n');
}

/* SECURITY: a key file that group or others can read or write is refused. */
static void master_key_refuses_loose_permissions(void **state)
{
	struct tmpdir *t = *state;
	uint8_t k[32];
	const char *hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";
	const mode_t bad[] = {0640, 0604, 0620, 0602, 0660, 0644, 0666, 0610};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(t->path, hex, bad[i]);
		memset(k, 0xee, sizeof(k));
		assert_int_equal(qoc_master_key_load_or_create(t->path, k, NULL), QOC_EPERM);
		const uint8_t zero[32] = {0};
		assert_memory_equal(k, zero, 32); /* wiped on error */
	}
	assert_int_equal(chmod(t->path, 0600), 0);
	bool created = true;
	assert_int_equal(qoc_master_key_load_or_create(t->path, k, &created), QOC_OK);
	assert_false(created);
	assert_int_equal(k[0], 0);
	assert_int_equal(k[31], 0x1f);
	assert_int_equal(chmod(t->path, 0400), 0); /* read-only by the owner is fine */
	assert_int_equal(qoc_master_key_load_or_create(t->path, k, NULL), QOC_OK);
}

static void master_key_refuses_malformed_files(void **state)
{
	struct tmpdir *t = *state;
	uint8_t k[32];
	const char *bad[] = {
	    "",
	    "abc\n",
	    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1\n",
	    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f0\n",
	    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n\n",
	    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1g\n",
	    " 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(t->path, bad[i], 0600);
		assert_int_equal(qoc_master_key_load_or_create(t->path, k, NULL), QOC_EINVAL);
	}
	/* Upper case and no trailing newline are accepted. */
	write_file(t->path, "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
	           0600);
	assert_int_equal(qoc_master_key_load_or_create(t->path, k, NULL), QOC_OK);
	assert_int_equal(k[10], 0x0a);

	/* A directory where the file should be. */
	unlink(t->path);
	assert_int_equal(mkdir(t->path, 0700), 0);
	assert_int_equal(qoc_master_key_load_or_create(t->path, k, NULL), QOC_EINVAL);
	rmdir(t->path);

	char missing[200];
	snprintf(missing, sizeof(missing), "%s/no-such-dir/master.key", t->dir);
	assert_int_equal(qoc_master_key_load_or_create(missing, k, NULL), QOC_EIO);
	assert_int_equal(qoc_master_key_load_or_create("", k, NULL), QOC_EINVAL);
}

struct racer {
	const char *path;
	uint8_t key[32];
	bool created;
	enum qoc_err err;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	r->err = qoc_master_key_load_or_create(r->path, r->key, &r->created);
	return NULL;
}

/* Processes starting together on a fresh data directory agree on one key. */
static void master_key_creation_race_has_one_winner(void **state)
{
	struct tmpdir *t = *state;
	struct racer r[4];
	pthread_t th[4];
	for (int i = 0; i < 4; i++) {
		r[i] = (struct racer){.path = t->path};
		assert_int_equal(pthread_create(&th[i], NULL, race, &r[i]), 0);
	}
	int winners = 0;
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(r[i].err, QOC_OK);
		winners += r[i].created;
		assert_memory_equal(r[i].key, r[0].key, 32);
	}
	assert_int_equal(winners, 1);
	assert_int_equal(count_entries(t->dir), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(master_key_created_then_loaded, tmpdir_setup,
	                                    tmpdir_teardown),
	    cmocka_unit_test_setup_teardown(master_key_refuses_loose_permissions, tmpdir_setup,
	                                    tmpdir_teardown),
	    cmocka_unit_test_setup_teardown(master_key_refuses_malformed_files, tmpdir_setup,
	                                    tmpdir_teardown),
	    cmocka_unit_test_setup_teardown(master_key_creation_race_has_one_winner, tmpdir_setup,
	                                    tmpdir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
