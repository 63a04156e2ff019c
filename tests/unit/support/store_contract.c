/* store_contract.c - the store contract suite (see store_contract.h).
 *
 * Only store.h is used here: anything a test needs to know about a backend's insides
 * belongs in that backend's own test program. Threads record their results and the main
 * thread asserts, since cmocka's asserts must not fire off the main thread.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/store_contract.h"
#include "support/store_contract_priv.h"

static const struct store_contract_backend *backend;

int contract_setup_fresh(void **state)
{
	struct contract_fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	if (backend->open(backend->arg, &f->st, &f->ctx) != QOC_OK) {
		free(f);
		return -1;
	}
	qoc_arena_init(&f->a, 0);
	*state = f;
	return 0;
}

int contract_setup_migrated(void **state)
{
	if (contract_setup_fresh(state) != 0)
		return -1;
	struct contract_fixture *f = *state;
	unsigned applied = 0;
	return qoc_store_migrate(f->st, &applied) == QOC_OK && applied > 0 ? 0 : -1;
}

void contract_reopen(struct contract_fixture *f)
{
	assert_non_null(backend->reopen);
	assert_int_equal(backend->reopen(backend->arg, &f->st, f->ctx), QOC_OK);
}

int contract_teardown(void **state)
{
	struct contract_fixture *f = *state;
	if (!f)
		return 0;
	qoc_arena_release(&f->a);
	backend->close(backend->arg, f->st, f->ctx);
	free(f);
	return 0;
}

/* --- migrations, ping --- */

static void migrate_twice_applies_nothing_the_second_time(void **state)
{
	struct contract_fixture *f = *state;
	unsigned applied = 99;
	assert_int_equal(qoc_store_migrate(f->st, &applied), QOC_OK);
	assert_true(applied >= 1);
	assert_int_equal(qoc_store_migrate(f->st, &applied), QOC_OK);
	assert_int_equal(applied, 0);
	assert_int_equal(qoc_store_migrate(f->st, NULL), QOC_OK);
}

static void ping_answers(void **state)
{
	struct contract_fixture *f = *state;
	assert_int_equal(qoc_store_ping(f->st), QOC_OK);
	assert_non_null(f->st->ops->name);
	assert_int_equal(f->st->ops->version, QOC_STORE_OPS_VERSION);
}

/* --- signing keys --- */

static const unsigned char sealed[] = {0x00, 0x01, 0xfe, 0xff, 0x00, 0x42};

static struct qoc_key_record key(const char *kid, int64_t created_at)
{
	return (struct qoc_key_record){
	    .kid = kid,
	    .alg = "ES256",
	    .public_jwk = "{\"kty\":\"EC\",\"crv\":\"P-256\"}",
	    .sealed_private = sealed,
	    .sealed_private_len = sizeof(sealed),
	    .created_at = created_at,
	};
}

static void no_keys_yet(void **state)
{
	struct contract_fixture *f = *state;
	struct qoc_key_record k;
	assert_int_equal(qoc_store_key_active(f->st, &f->a, "ES256", &k), QOC_ENOTFOUND);
	struct qoc_key_record *list = (void *)1;
	size_t n = 99;
	assert_int_equal(qoc_store_key_list_published(f->st, &f->a, 1000, &list, &n), QOC_OK);
	assert_int_equal(n, 0);
	assert_null(list);
}

static void assert_kids(struct qoc_key_record *list, size_t n, const char *const *kids, size_t want)
{
	assert_int_equal(n, want);
	for (size_t i = 0; i < want; i++)
		assert_string_equal(list[i].kid, kids[i]);
}

static void rotation_retires_the_active_key_and_publishes_until(void **state)
{
	struct contract_fixture *f = *state;
	struct qoc_key_record k1 = key("k1", 1000), k2 = key("k2", 2000), k3 = key("k3", 3000);
	struct qoc_key_record got, *list;
	size_t n;

	/* The first key becomes active; old_publish_until has nothing to apply to. */
	assert_int_equal(qoc_store_key_rotate(f->st, &k1, 1000, 9999), QOC_OK);
	assert_int_equal(qoc_store_key_active(f->st, &f->a, "ES256", &got), QOC_OK);
	assert_string_equal(got.kid, "k1");
	assert_string_equal(got.alg, "ES256");
	assert_string_equal(got.public_jwk, k1.public_jwk);
	assert_int_equal(got.sealed_private_len, sizeof(sealed));
	assert_memory_equal(got.sealed_private, sealed, sizeof(sealed));
	assert_int_equal(got.created_at, 1000);
	assert_int_equal(got.retired_at, 0);
	assert_int_equal(got.publish_until, 0);

	/* The second retires the first: retired_at = now, publish_until as asked. */
	assert_int_equal(qoc_store_key_rotate(f->st, &k2, 2000, 5000), QOC_OK);
	assert_int_equal(qoc_store_key_active(f->st, &f->a, "ES256", &got), QOC_OK);
	assert_string_equal(got.kid, "k2");
	assert_int_equal(qoc_store_key_list_published(f->st, &f->a, 2500, &list, &n), QOC_OK);
	assert_kids(list, n, (const char *const[]){"k2", "k1"}, 2);
	assert_int_equal(list[0].retired_at, 0);
	assert_int_equal(list[1].retired_at, 2000);
	assert_int_equal(list[1].publish_until, 5000);
	assert_memory_equal(list[1].sealed_private, sealed, sizeof(sealed));

	/* A third: the first keeps its own publish_until (only the active key is retired). */
	assert_int_equal(qoc_store_key_rotate(f->st, &k3, 3000, 6000), QOC_OK);
	assert_int_equal(qoc_store_key_list_published(f->st, &f->a, 3500, &list, &n), QOC_OK);
	assert_kids(list, n, (const char *const[]){"k3", "k2", "k1"}, 3);
	assert_int_equal(list[1].retired_at, 3000);
	assert_int_equal(list[1].publish_until, 6000);
	assert_int_equal(list[2].publish_until, 5000);

	/* Past publish_until a retired key is gone from the published set. */
	assert_int_equal(qoc_store_key_list_published(f->st, &f->a, 5000, &list, &n), QOC_OK);
	assert_kids(list, n, (const char *const[]){"k3", "k2"}, 2);
	assert_int_equal(qoc_store_key_list_published(f->st, &f->a, 6000, &list, &n), QOC_OK);
	assert_kids(list, n, (const char *const[]){"k3"}, 1);
}

static void rotation_with_a_taken_kid_changes_nothing(void **state)
{
	struct contract_fixture *f = *state;
	struct qoc_key_record k1 = key("k1", 1000), k2 = key("k2", 2000), again = key("k1", 3000);
	struct qoc_key_record got, *list;
	size_t n;
	assert_int_equal(qoc_store_key_rotate(f->st, &k1, 1000, 0), QOC_OK);
	assert_int_equal(qoc_store_key_rotate(f->st, &k2, 2000, 4000), QOC_OK);
	assert_int_equal(qoc_store_key_rotate(f->st, &again, 3000, 9000), QOC_ECONFLICT);
	/* The whole rotation rolled back: k2 is still active, k1 keeps its window. */
	assert_int_equal(qoc_store_key_active(f->st, &f->a, "ES256", &got), QOC_OK);
	assert_string_equal(got.kid, "k2");
	assert_int_equal(qoc_store_key_list_published(f->st, &f->a, 2500, &list, &n), QOC_OK);
	assert_kids(list, n, (const char *const[]){"k2", "k1"}, 2);
	assert_int_equal(list[1].publish_until, 4000);
}

static void rotation_rejects_incomplete_keys(void **state)
{
	struct contract_fixture *f = *state;
	struct qoc_key_record k = key("", 1);
	assert_int_equal(qoc_store_key_rotate(f->st, &k, 1, 2), QOC_EINVAL);
	k = key("k", 1);
	k.sealed_private_len = 0;
	assert_int_equal(qoc_store_key_rotate(f->st, &k, 1, 2), QOC_EINVAL);
	k = key("k", 1);
	k.alg = NULL;
	assert_int_equal(qoc_store_key_rotate(f->st, &k, 1, 2), QOC_EINVAL);
	assert_int_equal(qoc_store_key_rotate(f->st, NULL, 1, 2), QOC_EINVAL);
	struct qoc_key_record got;
	assert_int_equal(qoc_store_key_active(f->st, &f->a, NULL, &got), QOC_EINVAL);
	assert_int_equal(qoc_store_key_active(f->st, &f->a, "", &got), QOC_EINVAL);
}

/* One active key per algorithm (0004_keys_per_alg): rotating an RS256 key retires the
 * active RS256 key and leaves the active ES256 key alone. */
static void rotation_retires_only_the_key_of_the_same_alg(void **state)
{
	struct contract_fixture *f = *state;
	struct qoc_key_record e1 = key("e1", 1000), r1 = key("r1", 1100), r2 = key("r2", 2000);
	struct qoc_key_record got, *list;
	size_t n;
	r1.alg = r2.alg = "RS256";
	assert_int_equal(qoc_store_key_rotate(f->st, &e1, 1000, 9000), QOC_OK);
	assert_int_equal(qoc_store_key_rotate(f->st, &r1, 1100, 9000), QOC_OK);
	assert_int_equal(qoc_store_key_active(f->st, &f->a, "ES256", &got), QOC_OK);
	assert_string_equal(got.kid, "e1");
	assert_int_equal(qoc_store_key_active(f->st, &f->a, "RS256", &got), QOC_OK);
	assert_string_equal(got.kid, "r1");
	assert_int_equal(qoc_store_key_active(f->st, &f->a, "EdDSA", &got), QOC_ENOTFOUND);
	assert_int_equal(qoc_store_key_active(f->st, &f->a, "rs256", &got), QOC_ENOTFOUND);

	assert_int_equal(qoc_store_key_rotate(f->st, &r2, 2000, 5000), QOC_OK);
	assert_int_equal(qoc_store_key_active(f->st, &f->a, "ES256", &got), QOC_OK);
	assert_string_equal(got.kid, "e1");
	assert_int_equal(got.retired_at, 0);
	assert_int_equal(qoc_store_key_active(f->st, &f->a, "RS256", &got), QOC_OK);
	assert_string_equal(got.kid, "r2");
	/* Active keys first (newest first), then the retired one. */
	assert_int_equal(qoc_store_key_list_published(f->st, &f->a, 2500, &list, &n), QOC_OK);
	assert_kids(list, n, (const char *const[]){"r2", "e1", "r1"}, 3);
	assert_int_equal(list[0].retired_at, 0);
	assert_int_equal(list[1].retired_at, 0);
	assert_int_equal(list[2].retired_at, 2000);
	assert_int_equal(list[2].publish_until, 5000);
}

#define ROTATORS 4
#define ROTATIONS 10

struct rotator {
	struct qoc_store *st;
	int id;
	enum qoc_err results[ROTATIONS];
};

static void *rotate_thread(void *arg)
{
	struct rotator *r = arg;
	for (int i = 0; i < ROTATIONS; i++) {
		char kid[32];
		snprintf(kid, sizeof(kid), "t%d-k%d", r->id, i);
		struct qoc_key_record k = key(kid, 1000 + i);
		k.alg = r->id % 2 ? "RS256" : "ES256"; /* two algorithms race side by side */
		r->results[i] = qoc_store_key_rotate(r->st, &k, 1000 + i, INT64_MAX);
	}
	return NULL;
}

static void concurrent_rotations_leave_one_active_key_per_alg(void **state)
{
	struct contract_fixture *f = *state;
	struct rotator r[ROTATORS];
	pthread_t th[ROTATORS];
	for (int i = 0; i < ROTATORS; i++) {
		r[i] = (struct rotator){.st = f->st, .id = i};
		assert_int_equal(pthread_create(&th[i], NULL, rotate_thread, &r[i]), 0);
	}
	for (int i = 0; i < ROTATORS; i++)
		pthread_join(th[i], NULL);

	size_t ok = 0, ok_alg[2] = {0, 0}; /* [0] ES256 (even ids), [1] RS256 (odd ids) */
	for (int i = 0; i < ROTATORS; i++) {
		for (int j = 0; j < ROTATIONS; j++) {
			enum qoc_err e = r[i].results[j];
			assert_true(e == QOC_OK || e == QOC_EBUSY);
			ok += (e == QOC_OK);
			ok_alg[i % 2] += (e == QOC_OK);
		}
	}
	assert_true(ok >= 1);
	struct qoc_key_record *list;
	size_t n;
	assert_int_equal(qoc_store_key_list_published(f->st, &f->a, 5000, &list, &n), QOC_OK);
	assert_int_equal(n, ok); /* every successful rotation kept its key, all published */
	static const char *const algs[2] = {"ES256", "RS256"};
	for (int a = 0; a < 2; a++) {
		size_t active_count = 0;
		const char *active_kid = NULL;
		for (size_t i = 0; i < n; i++) {
			if (list[i].retired_at == 0 && strcmp(list[i].alg, algs[a]) == 0) {
				active_count++;
				active_kid = list[i].kid;
			}
		}
		assert_int_equal(active_count, ok_alg[a] ? 1 : 0);
		struct qoc_key_record active;
		enum qoc_err e = qoc_store_key_active(f->st, &f->a, algs[a], &active);
		assert_int_equal(e, ok_alg[a] ? QOC_OK : QOC_ENOTFOUND);
		if (active_kid)
			assert_string_equal(active.kid, active_kid);
	}
	assert_int_equal(list[0].retired_at, 0); /* active keys come first */
}

/* --- accounts --- */

static void account_create_then_find_by_email_any_case(void **state)
{
	struct contract_fixture *f = *state;
	struct qoc_account in = {
	    .id = "acct_1",
	    .email = "Ada.Lovelace@Example.COM",
	    .name = "Ada Lovelace",
	    .password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
	    .is_admin = true,
	    .created_at = 1700000000,
	};
	struct qoc_account out;
	assert_int_equal(qoc_store_account_create(f->st, &in), QOC_OK);
	const char *forms[] = {"ada.lovelace@example.com", "ADA.LOVELACE@EXAMPLE.COM",
	                       "Ada.Lovelace@Example.COM"};
	for (size_t i = 0; i < 3; i++) {
		memset(&out, 0, sizeof(out));
		assert_int_equal(qoc_store_account_by_email(f->st, &f->a, forms[i], &out), QOC_OK);
		assert_string_equal(out.id, "acct_1");
		assert_string_equal(out.email, in.email); /* as typed */
		assert_string_equal(out.name, in.name);
		assert_string_equal(out.password_hash, in.password_hash);
		assert_true(out.is_admin);
		assert_int_equal(out.created_at, in.created_at);
	}

	/* Optional fields round-trip as NULL. */
	struct qoc_account bare = {.id = "acct_2", .email = "b@example.com", .created_at = 5};
	assert_int_equal(qoc_store_account_create(f->st, &bare), QOC_OK);
	assert_int_equal(qoc_store_account_by_email(f->st, &f->a, "B@example.com", &out), QOC_OK);
	assert_string_equal(out.id, "acct_2");
	assert_null(out.name);
	assert_null(out.password_hash);
	assert_false(out.is_admin);
}

static void account_duplicates_conflict(void **state)
{
	struct contract_fixture *f = *state;
	struct qoc_account a = {.id = "acct_1", .email = "dup@example.com", .created_at = 1};
	assert_int_equal(qoc_store_account_create(f->st, &a), QOC_OK);
	struct qoc_account same_email = {.id = "acct_2", .email = "DUP@Example.Com"};
	assert_int_equal(qoc_store_account_create(f->st, &same_email), QOC_ECONFLICT);
	struct qoc_account same_id = {.id = "acct_1", .email = "other@example.com"};
	assert_int_equal(qoc_store_account_create(f->st, &same_id), QOC_ECONFLICT);
	/* The failed creations left nothing behind. */
	struct qoc_account out;
	assert_int_equal(qoc_store_account_by_email(f->st, &f->a, "other@example.com", &out),
	                 QOC_ENOTFOUND);
	assert_int_equal(qoc_store_account_by_email(f->st, &f->a, "dup@example.com", &out), QOC_OK);
	assert_string_equal(out.id, "acct_1");
}

static void account_unknown_and_invalid(void **state)
{
	struct contract_fixture *f = *state;
	struct qoc_account out;
	assert_int_equal(qoc_store_account_by_email(f->st, &f->a, "nobody@example.com", &out),
	                 QOC_ENOTFOUND);
	assert_int_equal(qoc_store_account_by_email(f->st, &f->a, "", &out), QOC_EINVAL);
	struct qoc_account no_email = {.id = "acct_1", .email = ""};
	assert_int_equal(qoc_store_account_create(f->st, &no_email), QOC_EINVAL);
	struct qoc_account no_id = {.id = NULL, .email = "x@example.com"};
	assert_int_equal(qoc_store_account_create(f->st, &no_id), QOC_EINVAL);
}

static void account_email_folding_is_ascii_only(void **state)
{
	struct contract_fixture *f = *state;
	/* "É" and "é" are different bytes: only ASCII letters are folded (store.h). */
	struct qoc_account upper = {.id = "acct_1", .email = "\xc3\x89mile@example.com"};
	struct qoc_account lower = {.id = "acct_2", .email = "\xc3\xa9mile@EXAMPLE.com"};
	struct qoc_account out;
	assert_int_equal(qoc_store_account_create(f->st, &upper), QOC_OK);
	assert_int_equal(qoc_store_account_create(f->st, &lower), QOC_OK);
	assert_int_equal(qoc_store_account_by_email(f->st, &f->a, "\xc3\xa9mile@example.com", &out),
	                 QOC_OK);
	assert_string_equal(out.id, "acct_2");
}

/* Out of memory while copying results (here: an arena whose budget is spent) is a clean
 * QOC_ENOMEM, and the store serves the next call normally. */
static void a_full_arena_gives_enomem_and_the_store_carries_on(void **state)
{
	struct contract_fixture *f = *state;
	struct qoc_key_record k1 = key("k1", 1000), got, *list;
	struct qoc_account acct = {.id = "acct_1", .email = "mem@example.com"}, out;
	size_t n;
	assert_int_equal(qoc_store_key_rotate(f->st, &k1, 1000, 0), QOC_OK);
	assert_int_equal(qoc_store_account_create(f->st, &acct), QOC_OK);

	struct qoc_arena tiny;
	qoc_arena_init(&tiny, 64); /* smaller than one chunk: every allocation fails */
	assert_int_equal(qoc_store_key_active(f->st, &tiny, "ES256", &got), QOC_ENOMEM);
	assert_int_equal(qoc_store_key_list_published(f->st, &tiny, 0, &list, &n), QOC_ENOMEM);
	assert_int_equal(qoc_store_account_by_email(f->st, &tiny, "mem@example.com", &out),
	                 QOC_ENOMEM);
	qoc_arena_release(&tiny);

	assert_int_equal(qoc_store_key_active(f->st, &f->a, "ES256", &got), QOC_OK);
	assert_string_equal(got.kid, "k1");
	assert_int_equal(qoc_store_account_by_email(f->st, &f->a, "mem@example.com", &out), QOC_OK);
}

/* --- many writers --- */

#define WRITERS 8
#define WRITES 25

struct writer {
	struct qoc_store *st;
	int id;
	const char *shared_email; /* when set: every writer creates this one email once */
	enum qoc_err results[WRITES];
};

static void *write_thread(void *arg)
{
	struct writer *w = arg;
	int n = w->shared_email ? 1 : WRITES;
	for (int i = 0; i < n; i++) {
		char id[32], email[64];
		snprintf(id, sizeof(id), "acct_w%d_%d", w->id, i);
		snprintf(email, sizeof(email), "Writer%d.%d@example.com", w->id, i);
		struct qoc_account a = {.id = id,
		                        .email = w->shared_email ? w->shared_email : email,
		                        .name = "writer",
		                        .created_at = i};
		w->results[i] = qoc_store_account_create(w->st, &a);
		if (i % 5 == 4 && !w->shared_email) {
			/* Mix in reads: they run alongside the writers. */
			struct qoc_arena a2;
			qoc_arena_init(&a2, 0);
			struct qoc_account out;
			enum qoc_err e = qoc_store_account_by_email(w->st, &a2, email, &out);
			if (e != QOC_OK && w->results[i] == QOC_OK)
				w->results[i] = e; /* read-your-write failed: reported below */
			qoc_arena_release(&a2);
		}
	}
	return NULL;
}

static void run_writers(struct qoc_store *st, struct writer *w, const char *shared_email)
{
	pthread_t th[WRITERS];
	for (int i = 0; i < WRITERS; i++) {
		w[i] = (struct writer){.st = st, .id = i, .shared_email = shared_email};
		assert_int_equal(pthread_create(&th[i], NULL, write_thread, &w[i]), 0);
	}
	for (int i = 0; i < WRITERS; i++)
		pthread_join(th[i], NULL);
}

static void many_concurrent_writers_succeed_or_fail_cleanly(void **state)
{
	struct contract_fixture *f = *state;
	struct writer w[WRITERS];
	run_writers(f->st, w, NULL);
	size_t ok = 0;
	for (int i = 0; i < WRITERS; i++) {
		for (int j = 0; j < WRITES; j++) {
			enum qoc_err e = w[i].results[j];
			if (e != QOC_OK && e != QOC_EBUSY)
				fail_msg("writer %d write %d: %s", i, j, qoc_strerror(e));
			ok += (e == QOC_OK);
		}
	}
	/* Every acknowledged write is there. */
	for (int i = 0; i < WRITERS; i++) {
		for (int j = 0; j < WRITES; j++) {
			if (w[i].results[j] != QOC_OK)
				continue;
			char email[64];
			struct qoc_account out;
			snprintf(email, sizeof(email), "writer%d.%d@EXAMPLE.com", i, j);
			assert_int_equal(qoc_store_account_by_email(f->st, &f->a, email, &out),
			                 QOC_OK);
		}
	}
	assert_true(ok > 0);
}

static void concurrent_creations_of_one_email_have_one_winner(void **state)
{
	struct contract_fixture *f = *state;
	struct writer w[WRITERS];
	run_writers(f->st, w, "race@example.com");
	int ok = 0, conflict = 0;
	for (int i = 0; i < WRITERS; i++) {
		ok += (w[i].results[0] == QOC_OK);
		conflict += (w[i].results[0] == QOC_ECONFLICT);
	}
	assert_int_equal(ok, 1);
	assert_int_equal(conflict, WRITERS - 1);
}

int store_contract_run(const struct store_contract_backend *b)
{
	backend = b;
	char name[64];
	snprintf(name, sizeof(name), "store_contract(%s)", b->name);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(migrate_twice_applies_nothing_the_second_time,
	                                    contract_setup_fresh, contract_teardown),
	    cmocka_unit_test_setup_teardown(ping_answers, contract_setup_migrated, contract_teardown),
	    cmocka_unit_test_setup_teardown(no_keys_yet, contract_setup_migrated, contract_teardown),
	    cmocka_unit_test_setup_teardown(rotation_retires_the_active_key_and_publishes_until,
	                                    contract_setup_migrated, contract_teardown),
	    cmocka_unit_test_setup_teardown(rotation_with_a_taken_kid_changes_nothing,
	                                    contract_setup_migrated, contract_teardown),
	    cmocka_unit_test_setup_teardown(rotation_rejects_incomplete_keys, contract_setup_migrated,
	                                    contract_teardown),
	    cmocka_unit_test_setup_teardown(rotation_retires_only_the_key_of_the_same_alg,
	                                    contract_setup_migrated, contract_teardown),
	    cmocka_unit_test_setup_teardown(concurrent_rotations_leave_one_active_key_per_alg,
	                                    contract_setup_migrated, contract_teardown),
	    cmocka_unit_test_setup_teardown(account_create_then_find_by_email_any_case,
	                                    contract_setup_migrated, contract_teardown),
	    cmocka_unit_test_setup_teardown(account_duplicates_conflict, contract_setup_migrated, contract_teardown),
	    cmocka_unit_test_setup_teardown(account_unknown_and_invalid, contract_setup_migrated, contract_teardown),
	    cmocka_unit_test_setup_teardown(account_email_folding_is_ascii_only, contract_setup_migrated,
	                                    contract_teardown),
	    cmocka_unit_test_setup_teardown(a_full_arena_gives_enomem_and_the_store_carries_on,
	                                    contract_setup_migrated, contract_teardown),
	    cmocka_unit_test_setup_teardown(many_concurrent_writers_succeed_or_fail_cleanly,
	                                    contract_setup_migrated, contract_teardown),
	    cmocka_unit_test_setup_teardown(concurrent_creations_of_one_email_have_one_winner,
	                                    contract_setup_migrated, contract_teardown),
	};
	int failed =
	    _cmocka_run_group_tests(name, tests, sizeof(tests) / sizeof(tests[0]), NULL, NULL);
	snprintf(name, sizeof(name), "store_contract_teams(%s)", b->name);
	failed += store_contract_teams_run(name);
	snprintf(name, sizeof(name), "store_contract_apps(%s)", b->name);
	failed += store_contract_apps_run(name);
	snprintf(name, sizeof(name), "store_contract_oauth(%s)", b->name);
	failed += store_contract_oauth_run(name);
	snprintf(name, sizeof(name), "store_contract_tokens(%s)", b->name);
	failed += store_contract_tokens_run(name);
	snprintf(name, sizeof(name), "store_contract_oauth_race(%s)", b->name);
	failed += store_contract_oauth_race_run(name);
	snprintf(name, sizeof(name), "store_contract_pats(%s)", b->name);
	failed += store_contract_pats_run(name);
	snprintf(name, sizeof(name), "store_contract_outbox(%s)", b->name);
	failed += store_contract_outbox_run(name);
	snprintf(name, sizeof(name), "store_contract_analytics(%s)", b->name);
	failed += store_contract_analytics_run(name);
	snprintf(name, sizeof(name), "store_contract_throttle(%s)", b->name);
	failed += store_contract_throttle_run(name);
	snprintf(name, sizeof(name), "store_contract_purge(%s)", b->name);
	failed += store_contract_purge_run(name);
	return failed;
}
