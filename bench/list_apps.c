/* list_apps.c - listing 10,000 applications page by page (issue 4: "a benchmark under
 * bench/ prints the time per page (target < 5 ms at p99)").
 *
 * Fills a fresh SQLite store with N applications in one team (spa: no secret to make),
 * then walks every page of GET /api/v1/applications' query - keyset pagination, 20 per
 * page, by name and by created_at, both orders - timing each page: the store read
 * (qoc_store_app_list) plus the JSON encoding the handler does (qoc_app_json_encode of
 * every item, then json_dumps). Prints p50, p99 and max per page for each order.
 *
 * Usage: bench_list_apps [N [LIMIT [DIR]]]   (defaults 10000, 20, $TMPDIR or /tmp)
 * Build: cmake -DQOC_BENCH=ON -DCMAKE_BUILD_TYPE=Release ... (no sanitizers for figures).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/app_json.h"
#include "oauth/app_rules.h"
#include "store/store.h"

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int fill(struct qoc_store *st, int n)
{
	struct qoc_account acct = {
	    .id = "acct_bench", .email = "bench@example.com", .created_at = 1};
	if (qoc_store_account_create(st, &acct) != QOC_OK)
		return -1;
	struct qoc_audit_event ev = {.actor_id = "acct_bench", .action = "app.create"};
	for (int i = 0; i < n; i++) {
		char id[40], name[32];
		snprintf(id, sizeof(id), "qoc_client_%024d", i);
		/* Names in an order unrelated to creation, so both sorts do real work. */
		snprintf(name, sizeof(name), "App %05d",
		         (int)(((unsigned)i * 7919u) % (unsigned)n));
		struct qoc_app app = {.client_id = id,
		                      .team_id = "team_acct_bench",
		                      .owner_id = "acct_bench",
		                      .name = name,
		                      .created_at = 1000 + i,
		                      .updated_at = 1000 + i};
		qoc_app_defaults("spa", &app);
		ev.at = app.created_at;
		if (qoc_store_app_create(st, &app, &ev) != QOC_OK)
			return -1;
	}
	return 0;
}

/* Walks every page of one order; returns the number of pages, times in ns[]. */
static size_t walk(struct qoc_store *st, enum qoc_app_sort sort, bool desc, size_t limit,
                   uint64_t *ns, size_t max_pages, size_t *items)
{
	const char *team = "team_acct_bench";
	char cursor[QOC_STORE_CURSOR_MAX + 1] = "";
	size_t pages = 0;
	*items = 0;
	for (; pages < max_pages; pages++) {
		struct qoc_arena a;
		qoc_arena_init(&a, 0);
		struct qoc_app_query q = {.team_ids = &team,
		                          .team_count = 1,
		                          .sort = sort,
		                          .desc = desc,
		                          .limit = limit,
		                          .cursor = cursor[0] ? cursor : NULL};
		struct qoc_app_page page;
		uint64_t t0 = now_ns();
		enum qoc_err err = qoc_store_app_list(st, &a, &q, &page);
		json_t *arr = json_array();
		for (size_t i = 0; !err && i < page.count; i++)
			json_array_append_new(arr, qoc_app_json_encode(&page.items[i]));
		char *text = json_dumps(arr, JSON_COMPACT);
		ns[pages] = now_ns() - t0;
		free(text);
		json_decref(arr);
		if (err) {
			fprintf(stderr, "app_list: %s\n", qoc_strerror(err));
			qoc_arena_release(&a);
			return 0;
		}
		*items += page.count;
		bool last = !page.next_cursor;
		if (!last)
			snprintf(cursor, sizeof(cursor), "%s", page.next_cursor);
		qoc_arena_release(&a);
		if (last)
			return pages + 1;
	}
	return pages;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10000;
	size_t limit = argc > 2 ? (size_t)atoi(argv[2]) : 20;
	const char *tmp = argc > 3 ? argv[3] : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	char path[512];
	snprintf(path, sizeof(path), "%s/qoc-bench-list-%d.db", tmp, (int)getpid());
	struct qoc_store_options opts = {.url = path, .sync = QOC_SYNC_NORMAL};
	struct qoc_store *st;
	if (n < 1 || limit < 1 || limit > QOC_APP_LIST_MAX_LIMIT ||
	    qoc_store_open(&opts, &st) != QOC_OK || qoc_store_migrate(st, NULL) != QOC_OK) {
		fprintf(stderr, "usage: bench_list_apps [N [LIMIT(1..100) [DIR]]]\n");
		return 2;
	}
	uint64_t t0 = now_ns();
	if (fill(st, n) != 0) {
		fprintf(stderr, "fill failed\n");
		return 1;
	}
	printf("filled %d applications in %.1f s; pages of %zu\n", n, (now_ns() - t0) / 1e9, limit);
	size_t max_pages = (size_t)n / limit + 2;
	uint64_t *ns = calloc(max_pages, sizeof(*ns));
	static const struct {
		const char *label;
		enum qoc_app_sort sort;
		bool desc;
	} orders[] = {{"name asc", QOC_APP_SORT_NAME, false},
	              {"name desc", QOC_APP_SORT_NAME, true},
	              {"created_at asc", QOC_APP_SORT_CREATED, false},
	              {"created_at desc", QOC_APP_SORT_CREATED, true}};
	int rc = 0;
	for (size_t o = 0; ns && o < sizeof(orders) / sizeof(orders[0]); o++) {
		size_t items;
		size_t pages =
		    walk(st, orders[o].sort, orders[o].desc, limit, ns, max_pages, &items);
		if (!pages || items != (size_t)n) {
			fprintf(stderr, "%s: saw %zu of %d items\n", orders[o].label, items, n);
			rc = 1;
			continue;
		}
		qsort(ns, pages, sizeof(*ns), cmp_u64);
		double p99 = ns[(pages * 99) / 100] / 1e6;
		printf("%-16s %4zu pages  p50 %.3f ms  p99 %.3f ms  max %.3f ms  %s\n",
		       orders[o].label, pages, ns[pages / 2] / 1e6, p99, ns[pages - 1] / 1e6,
		       p99 < 5.0 ? "(target < 5 ms: met)" : "(target < 5 ms: MISSED)");
	}
	free(ns);
	qoc_store_close(st);
	unlink(path);
	char side[600];
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
	return rc;
}
