/* fuzz_icon.c - libFuzzer target for the icon sniffer (console/icon.c) and the JSON decode
 * of an application (api/app_json.c): both read attacker bytes.
 *
 * Checks: an accepted icon has one of the three types and dimensions within the bounds; a
 * refused one leaves no type; the app decode of any JSON object either succeeds or lists
 * at most QOC_APP_ERRORS_MAX errors, each with a field and a message.
 *   CC=clang cmake -S . -B build/fuzz -DQOC_FUZZ=ON -DQOC_TESTS=OFF && cmake --build build/fuzz
 *   build/fuzz/fuzz_icon fuzz/corpus/icon
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/app_json.h"
#include "console/icon.h"
#include "core/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
	if (!cond)
		abort();
}

static void check_icon(const uint8_t *data, size_t size)
{
	struct qoc_icon_info info;
	const char *why = qoc_icon_check(data, size, &info);
	if (!why) {
		check(info.type && (!strcmp(info.type, "image/png") || !strcmp(info.type, "image/jpeg") ||
		                    !strcmp(info.type, "image/webp")));
		check(info.width >= QOC_ICON_MIN_PX && info.width <= QOC_ICON_MAX_PX);
		check(info.height >= QOC_ICON_MIN_PX && info.height <= QOC_ICON_MAX_PX);
	}
}

static void check_app_json(const uint8_t *data, size_t size)
{
	json_t *obj = NULL;
	if (qoc_json_parse((const char *)data, size, NULL, &obj, NULL, 0) != QOC_OK)
		return;
	if (json_is_object(obj)) {
		struct qoc_arena a;
		qoc_arena_init(&a, 0);
		struct qoc_app_input in;
		struct qoc_app_errors errs;
		for (int mode = 0; mode < 2; mode++) {
			enum qoc_err err = qoc_app_json_decode(obj, (enum qoc_app_json_mode)mode, &a, &in,
			                                       &errs);
			check(err == QOC_OK || err == QOC_EINVAL || err == QOC_ENOMEM);
			check((err == QOC_EINVAL) == (errs.count > 0));
			for (size_t i = 0; i < errs.count; i++)
				check(errs.items[i].field && errs.items[i].message);
			json_decref(qoc_app_errors_json(&errs));
		}
		qoc_arena_release(&a);
	}
	json_decref(obj);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_icon(data, size);
	check_app_json(data, size);
	return 0;
}
