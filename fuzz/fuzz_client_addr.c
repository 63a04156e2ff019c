/* fuzz_client_addr.c - libFuzzer target for the analytics input parsers: core/cidr.c (the
 * trusted_proxies list), analytics/client_addr.c (X-Forwarded-For, attacker-controlled),
 * analytics/outcome.c (an error body) and analytics/report.c's time parameter.
 *
 * Input: up to four NUL-separated parts: a CIDR list, a peer address, X-Forwarded-For
 * lines ('\n'-separated), a time parameter. Besides memory and UB errors it checks:
 *   - the client address is "" or parses back as an address;
 *   - an untrusted peer is always the client, whatever the header says;
 *   - an outcome error is a bounded token;
 *   - an accepted time (core/rfc3339.c for date-times) is from 1970 on.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/client_addr.h"
#include "analytics/outcome.h"
#include "analytics/report.h"
#include "core/cidr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			abort();                                                                   \
	} while (0)

#define MAX_INPUT 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[MAX_INPUT + 1];
	if (size > MAX_INPUT)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	const char *part[4] = {"", "", "", ""};
	char *p = buf;
	for (int i = 0; i < 4 && p <= buf + size; i++) {
		part[i] = p;
		p += strlen(p) + 1;
	}
	struct qoc_cidr_list trusted;
	if (qoc_cidr_list_parse(part[0], &trusted) != QOC_OK)
		trusted.count = 0;
	const char *xff[QOC_AN_XFF_MAX_HOPS];
	size_t n = 0;
	char lines[MAX_INPUT + 1];
	memcpy(lines, part[2], strlen(part[2]) + 1);
	for (char *s = lines; s && n < QOC_AN_XFF_MAX_HOPS;) {
		xff[n++] = s;
		s = strchr(s, '\n');
		if (s)
			*s++ = '\0';
	}
	char out[QOC_AN_ADDR_MAX];
	qoc_an_client_addr(part[1], xff, n, &trusted, out);
	struct qoc_ip peer, client;
	bool peer_ok = qoc_ip_parse(part[1], strlen(part[1]), &peer);
	CHECK(out[0] == '\0' || qoc_ip_parse(out, strlen(out), &client));
	CHECK(peer_ok || out[0] == '\0');
	if (peer_ok && !qoc_cidr_list_contains(&trusted, &peer)) {
		struct qoc_ip again;
		CHECK(qoc_ip_parse(out, strlen(out), &again) && memcmp(again.b, peer.b, 16) == 0);
	}
	char err[QOC_AN_ERROR_MAX];
	qoc_an_outcome(400, NULL, part[2], strlen(part[2]), part[3], err);
	CHECK(strlen(err) < QOC_AN_ERROR_MAX && strlen(err) > 0);
	for (const char *c = err; *c; c++)
		CHECK((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_' || *c == '.' || *c == '-');
	int64_t t = 0;
	CHECK(!qoc_an_parse_time(part[3], &t) || t >= 0);
	return 0;
}
