/* fuzz_form.c - libFuzzer target for the form/query decoder and the Cookie parser.
 *
 * Every input goes through qoc_form_parse (as a body and with a tiny field bound),
 * qoc_form_decode (both '+' rules) and qoc_cookie_parse, and the documented invariants of
 * their results are checked: decoded strings are NUL-free valid UTF-8 of the stated length,
 * duplicates are reported consistently, cookie values stay within cookie-octet.
 *   CC=clang cmake -S . -B build/fuzz -DQOC_FUZZ=ON -DQOC_TESTS=OFF && cmake --build build/fuzz
 *   build/fuzz/fuzz_form -dict=fuzz/form.dict fuzz/corpus/form
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "http/cookie.h"
#include "core/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
	if (!cond)
		abort();
}

static void check_form(const struct qoc_form *f)
{
	for (size_t i = 0; i < f->count; i++) {
		const struct qoc_form_field *x = &f->fields[i];
		check(x->name[0] != '\0');
		check(strlen(x->value) == x->value_len);
		check(qoc_utf8_valid(x->name, strlen(x->name)));
		check(qoc_utf8_valid(x->value, x->value_len));
		const char *v;
		enum qoc_err err = qoc_form_get(f, x->name, &v);
		size_t same = 0;
		for (size_t j = 0; j < f->count; j++)
			same += strcmp(f->fields[j].name, x->name) == 0;
		if (same > 1)
			check(err == QOC_ECONFLICT && qoc_form_has_duplicate(f, NULL));
		else if (x->value[0])
			check(err == QOC_OK && v == x->value);
		else
			check(err == QOC_ENOTFOUND);
	}
}

static void fuzz_form(struct qoc_arena *a, const char *s, size_t n)
{
	struct qoc_form f;
	enum qoc_err err = qoc_form_parse(a, s, n, 64, &f);
	check(err == QOC_OK || err == QOC_EINVAL || err == QOC_ELIMIT || err == QOC_ENOMEM);
	if (err == QOC_OK)
		check_form(&f);
	else
		check(f.count == 0);
	err = qoc_form_parse(a, s, n, 2, &f);
	if (err == QOC_OK)
		check(f.count <= 2);
	for (int plus = 0; plus < 2; plus++) {
		char *out;
		size_t len;
		err = qoc_form_decode(a, s, n, plus, &out, &len);
		if (err == QOC_OK)
			check(len <= n && strlen(out) == len && qoc_utf8_valid(out, len));
	}
}

static void fuzz_cookie(struct qoc_arena *a, const char *s, size_t n)
{
	struct qoc_cookie_jar jar = { 0 };
	enum qoc_err err = qoc_cookie_parse(a, s, n, &jar);
	check(err == QOC_OK || err == QOC_ELIMIT || err == QOC_ENOMEM);
	check(jar.count <= QOC_COOKIE_MAX_COUNT);
	for (size_t i = 0; i < jar.count; i++) {
		check(jar.items[i].name[0] != '\0');
		for (const char *p = jar.items[i].value; *p; p++)
			check(*p > 0x20 && *p < 0x7f && *p != '"' && *p != ',' && *p != ';' &&
			      *p != '\\');
		check(qoc_cookie_get(&jar, jar.items[i].name) != NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qoc_arena a;
	qoc_arena_init(&a, 1 << 20);
	fuzz_form(&a, (const char *)data, size);
	fuzz_cookie(&a, (const char *)data, size);
	qoc_arena_release(&a);
	return 0;
}
