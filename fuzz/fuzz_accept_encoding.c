/* fuzz_accept_encoding.c - libFuzzer target for the Accept-Encoding parser of the console
 * web app (api/console_web.c, qoc_console_accepts_gzip).
 *
 * Input: a header value (cut at the first NUL, as a header would be). Besides memory and
 * UB errors it checks what the handler relies on:
 *   - a value naming neither gzip (any case) nor '*' never accepts gzip;
 *   - the answer does not change when an unrelated coding is appended ("..., br").
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/console_web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			abort();                                                                   \
	} while (0)

static bool mentions(const char *s, const char *what)
{
	size_t n = strlen(what);
	for (; *s; s++)
		if (strncasecmp(s, what, n) == 0)
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *s = malloc(size + 8);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	bool yes = qoc_console_accepts_gzip(s);
	if (!mentions(s, "gzip") && !strchr(s, '*'))
		CHECK(!yes);
	/* Appending an unrelated coding changes nothing (the value cut at a NUL as above). */
	size_t len = strlen(s);
	memcpy(s + len, ", br", 5);
	CHECK(qoc_console_accepts_gzip(s) == yes);
	free(s);
	return 0;
}
