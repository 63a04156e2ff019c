/* json_depth.h - nesting depth of a JSON text, found before any parser sees it, so a hostile
 * document nested a million levels deep costs one linear scan and nothing more. */
#ifndef QOC_CORE_JSON_DEPTH_H
#define QOC_CORE_JSON_DEPTH_H

#include <stdbool.h>
#include <stddef.h>

/* Deepest container nesting of data[0..len), counting only brackets outside strings, or a
 * value > max as soon as it passes max (the scan stops there). */
unsigned qoc_json_depth(const char *data, size_t len, unsigned max);

#endif
