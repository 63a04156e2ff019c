/* store/app_cache.c without a database: copies are whole and independent, tagged with
 * their generation, bounded, and safe to use from several threads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "store/app_cache.h"

static const char *redirects[] = {"https://a.example.com/cb", "http://localhost:8080/cb"};
static const char *grants[] = {"authorization_code", "refresh_token", "client_credentials"};
static const unsigned char hash[] = {1, 2, 3, 4, 5, 6, 7, 8};
static const unsigned char sealed[] = {9, 9, 9};

static struct qoc_app sample(const char *client_id)
{
	return (struct qoc_app){.client_id = client_id,
	                        .team_id = "team_1",
	                        .owner_id = "acct_1",
	                        .name = "Sample",
	                        .description = "",
	                        .type = "web",
	                        .status = "active",
	                        .redirect_uris = {redirects, 2},
	                        .grant_types = {grants, 3},
	                        .access_token_lifetime = 3600,
	                        .refresh_token_lifetime = 86400,
	                        .id_token_lifetime = 600,
	                        .pkce_required = true,
	                        .token_format = "jwt",
	                        .id_token_signed_response_alg = "ES256",
	                        .secret_hash = hash,
	                        .secret_hash_len = sizeof(hash),
	                        .secret_sealed = sealed,
	                        .secret_sealed_len = sizeof(sealed),
	                        .secret_created_at = 5,
	                        .icon_type = "image/png",
	                        .created_at = 1,
	                        .updated_at = 2,
	                        .last_used_at = 3,
	                        .revision = 4};
}

static void assert_in(const void *p, const void *lo, size_t n)
{
	assert_true((const char *)p >= (const char *)lo && (const char *)p < (const char *)lo + n);
}

static void a_copy_is_whole_and_owned_by_the_arena(void **state)
{
	(void)state;
	struct qoc_app_cache *c;
	assert_int_equal(qoc_app_cache_new(&c), QOC_OK);
	char id[] = "qoc_client_aaaaaaaaaaaaaaaaaaaaaaaa";
	struct qoc_app in = sample(id);
	qoc_app_cache_put(c, &in, 7);
	id[11] = 'z'; /* the cache kept its own copy of everything */

	struct qoc_arena a;
	qoc_arena_init(&a, 0);
	struct qoc_app out;
	assert_int_equal(qoc_app_cache_get(c, &a, "qoc_client_aaaaaaaaaaaaaaaaaaaaaaaa", 7, &out),
	                 QOC_OK);
	assert_string_equal(out.client_id, "qoc_client_aaaaaaaaaaaaaaaaaaaaaaaa");
	assert_string_equal(out.team_id, "team_1");
	assert_string_equal(out.description, "");
	assert_string_equal(out.token_format, "jwt");
	assert_string_equal(out.id_token_signed_response_alg, "ES256");
	assert_string_equal(out.icon_type, "image/png");
	assert_int_equal(out.redirect_uris.count, 2);
	assert_string_equal(out.redirect_uris.items[1], "http://localhost:8080/cb");
	assert_int_equal(out.grant_types.count, 3);
	assert_string_equal(out.grant_types.items[2], "client_credentials");
	assert_int_equal(out.allowed_origins.count, 0);
	assert_null(out.allowed_origins.items);
	assert_memory_equal(out.secret_hash, hash, sizeof(hash));
	assert_memory_equal(out.secret_sealed, sealed, sizeof(sealed));
	assert_int_equal(out.access_token_lifetime, 3600);
	assert_true(out.pkce_required);
	assert_int_equal(out.revision, 4);
	assert_int_equal(out.last_used_at, 3);

	/* A second copy lives elsewhere: changing one leaves the other (and the cache) as is. */
	struct qoc_app again;
	assert_int_equal(qoc_app_cache_get(c, &a, "qoc_client_aaaaaaaaaaaaaaaaaaaaaaaa", 7, &again),
	                 QOC_OK);
	assert_ptr_not_equal(again.name, out.name);
	((char *)out.name)[0] = 'X';
	((unsigned char *)out.secret_hash)[0] = 0xff;
	assert_string_equal(again.name, "Sample");
	assert_int_equal(again.secret_hash[0], 1);
	/* every pointer of a copy points into one block (the list arrays come first) */
	const void *block = again.redirect_uris.items;
	assert_in(again.grant_types.items, block, 1024);
	assert_in(again.grant_types.items[0], block, 1024);
	assert_in(again.client_id, block, 1024);
	assert_in(again.icon_type, block, 1024);
	assert_in(again.secret_sealed, block, 1024);
	qoc_arena_release(&a);
	qoc_app_cache_free(c);
}

static void another_generation_is_a_miss(void **state)
{
	(void)state;
	struct qoc_app_cache *c;
	assert_int_equal(qoc_app_cache_new(&c), QOC_OK);
	struct qoc_arena a;
	qoc_arena_init(&a, 0);
	struct qoc_app in = sample("qoc_client_b"), out;
	assert_int_equal(qoc_app_cache_get(c, &a, "qoc_client_b", 1, &out), QOC_ENOTFOUND);
	qoc_app_cache_put(c, &in, 1);
	assert_int_equal(qoc_app_cache_get(c, &a, "qoc_client_b", 2, &out), QOC_ENOTFOUND);
	assert_int_equal(qoc_app_cache_get(c, &a, "qoc_client_c", 1, &out), QOC_ENOTFOUND);

	/* A copy of a later generation is never replaced by one of an earlier. */
	in.status = "suspended";
	qoc_app_cache_put(c, &in, 3);
	in.status = "active";
	qoc_app_cache_put(c, &in, 2);
	assert_int_equal(qoc_app_cache_get(c, &a, "qoc_client_b", 3, &out), QOC_OK);
	assert_string_equal(out.status, "suspended");

	struct qoc_app_cache_stats st;
	qoc_app_cache_stats(c, &st);
	assert_int_equal(st.hits, 1);
	assert_int_equal(st.misses, 3);
	assert_int_equal(st.puts, 2);

	/* An arena without room: ENOMEM, not a miss. */
	struct qoc_arena tiny;
	qoc_arena_init(&tiny, 64);
	assert_int_equal(qoc_app_cache_get(c, &tiny, "qoc_client_b", 3, &out), QOC_ENOMEM);
	qoc_arena_release(&tiny);
	qoc_arena_release(&a);
	qoc_app_cache_free(c);
}

/* More applications than entries: the cache stays bounded, and the most recently used
 * copies are the ones kept. */
static void it_is_bounded_and_keeps_the_recently_used(void **state)
{
	(void)state;
	struct qoc_app_cache *c;
	assert_int_equal(qoc_app_cache_new(&c), QOC_OK);
	struct qoc_arena a;
	qoc_arena_init(&a, 0);
	enum { N = QOC_APP_CACHE_SETS * QOC_APP_CACHE_WAYS * 4 };
	char ids[N][40];
	for (int i = 0; i < N; i++) {
		snprintf(ids[i], sizeof(ids[i]), "qoc_client_%024d", i);
		struct qoc_app in = sample(ids[i]);
		qoc_app_cache_put(c, &in, 1);
	}
	int kept = 0;
	struct qoc_app out;
	for (int i = 0; i < N; i++)
		kept += qoc_app_cache_get(c, &a, ids[i], 1, &out) == QOC_OK;
	assert_true(kept <= QOC_APP_CACHE_SETS * QOC_APP_CACHE_WAYS);
	assert_true(kept >= QOC_APP_CACHE_SETS * QOC_APP_CACHE_WAYS / 2);
	/* the last put of all is always there */
	assert_int_equal(qoc_app_cache_get(c, &a, ids[N - 1], 1, &out), QOC_OK);
	/* too long an id is not kept, and is a plain miss */
	char long_id[100];
	memset(long_id, 'x', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	struct qoc_app in = sample(long_id);
	qoc_app_cache_put(c, &in, 1);
	assert_int_equal(qoc_app_cache_get(c, &a, long_id, 1, &out), QOC_ENOTFOUND);
	qoc_arena_release(&a);
	qoc_app_cache_free(c);
}

struct worker {
	struct qoc_app_cache *c;
	int id;
	int bad;
};

static void *hammer(void *arg)
{
	struct worker *w = arg;
	char id[40];
	for (int i = 0; i < 2000; i++) {
		struct qoc_arena a;
		qoc_arena_init(&a, 0);
		snprintf(id, sizeof(id), "qoc_client_%d", (i + w->id) % 8);
		uint64_t gen = (uint64_t)(i / 100);
		struct qoc_app out;
		if (qoc_app_cache_get(w->c, &a, id, gen, &out) == QOC_OK) {
			if (strcmp(out.client_id, id) != 0 || out.redirect_uris.count != 2 ||
			    strcmp(out.redirect_uris.items[0], "https://a.example.com/cb") != 0)
				w->bad++;
		} else {
			struct qoc_app in = sample(id);
			qoc_app_cache_put(w->c, &in, gen);
		}
		qoc_arena_release(&a);
	}
	return NULL;
}

static void threads_share_it(void **state)
{
	(void)state;
	struct qoc_app_cache *c;
	assert_int_equal(qoc_app_cache_new(&c), QOC_OK);
	pthread_t t[4];
	struct worker w[4];
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){.c = c, .id = i};
		assert_int_equal(pthread_create(&t[i], NULL, hammer, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].bad, 0);
	}
	struct qoc_app_cache_stats st;
	qoc_app_cache_stats(c, &st);
	assert_true(st.hits > 0);
	qoc_app_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_copy_is_whole_and_owned_by_the_arena),
	    cmocka_unit_test(another_generation_is_a_miss),
	    cmocka_unit_test(it_is_bounded_and_keeps_the_recently_used),
	    cmocka_unit_test(threads_share_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
