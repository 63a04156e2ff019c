#include "support/tmp_store.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void tmp_store_open(struct tmp_store *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/qoc-unit-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	char url[128];
	snprintf(url, sizeof(url), "sqlite:%s/qoc.db", t->dir);
	struct qoc_store_options o = { .url = url, .sync = QOC_SYNC_NORMAL, .pool_size = 4 };
	assert_int_equal(qoc_store_open(&o, &t->st), QOC_OK);
	unsigned applied = 0;
	assert_int_equal(qoc_store_migrate(t->st, &applied), QOC_OK);
}

void tmp_store_close(struct tmp_store *t)
{
	qoc_store_close(t->st);
	t->st = NULL;
	DIR *d = opendir(t->dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			char p[512];
			snprintf(p, sizeof(p), "%s/%s", t->dir, e->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(t->dir);
}
