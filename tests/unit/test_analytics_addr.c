/* Unit tests for core/cidr.c and analytics/client_addr.c: CIDR parsing and matching, the
 * trusted-proxy walk of X-Forwarded-For, private ranges. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "analytics/client_addr.h"
#include "core/cidr.h"

static bool in(const char *cidr, const char *ip)
{
	struct qoc_cidr c;
	struct qoc_ip a;
	assert_true(qoc_cidr_parse(cidr, strlen(cidr), &c));
	assert_true(qoc_ip_parse(ip, strlen(ip), &a));
	return qoc_cidr_contains(&c, &a);
}

static void cidr_matching(void **state)
{
	(void)state;
	assert_true(in("10.0.0.0/8", "10.255.1.2"));
	assert_false(in("10.0.0.0/8", "11.0.0.1"));
	assert_true(in("10.1.2.3/8", "10.9.9.9")); /* host bits are cleared */
	assert_true(in("192.168.1.7", "192.168.1.7"));
	assert_false(in("192.168.1.7", "192.168.1.8"));
	assert_true(in("0.0.0.0/0", "8.8.8.8"));
	assert_false(in("0.0.0.0/0", "2001:db8::1"));     /* an IPv4 prefix covers IPv4 only */
	assert_true(in("10.0.0.0/8", "::ffff:10.1.2.3")); /* mapped peers of a dual-stack socket */
	assert_true(in("2001:db8::/32", "2001:db8:ffff::1"));
	assert_false(in("2001:db8::/32", "2001:db9::1"));
	assert_true(in("::1", "::1"));
	assert_true(in("::/0", "fe80::1"));
	struct qoc_cidr c;
	const char *bad[] = {"",        "10.0.0.0/33", "10.0.0.0/",   "10.0.0/8",    "::/129",
	                     "a.b.c.d", "10.0.0.0/8x", "10.0.0.0/-1", "1.2.3.4/1234"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(qoc_cidr_parse(bad[i], strlen(bad[i]), &c));
}

static void cidr_lists(void **state)
{
	(void)state;
	struct qoc_cidr_list l;
	assert_int_equal(qoc_cidr_list_parse("", &l), QOC_OK);
	assert_int_equal(l.count, 0);
	assert_int_equal(qoc_cidr_list_parse(NULL, &l), QOC_OK);
	assert_int_equal(qoc_cidr_list_parse(" 127.0.0.1/32 , ::1,10.0.0.0/8 ", &l), QOC_OK);
	assert_int_equal(l.count, 3);
	assert_int_equal(qoc_cidr_list_parse("10.0.0.0/8,,::1", &l), QOC_EINVAL);
	assert_int_equal(qoc_cidr_list_parse("10.0.0.0/8,", &l), QOC_EINVAL);
	assert_int_equal(qoc_cidr_list_parse("10.0.0.0/8, nope", &l), QOC_EINVAL);
	char many[2048];
	size_t len = 0;
	for (int i = 0; i <= QOC_CIDR_LIST_MAX; i++)
		len += (size_t)snprintf(many + len, sizeof(many) - len, "%s10.0.0.1", i ? "," : "");
	assert_int_equal(qoc_cidr_list_parse(many, &l), QOC_ELIMIT);
}

static void private_addresses(void **state)
{
	(void)state;
	const char *priv[] = {"127.0.0.1",   "10.1.1.1",   "172.16.5.4", "192.168.0.1",
	                      "169.254.1.1", "100.64.0.1", "::1",        "fd00::1",
	                      "fe80::1",     "0.0.0.0",    "::"};
	const char *pub[] = {"8.8.8.8", "1.178.10.5", "2a00:1450::1", "172.32.0.1"};
	struct qoc_ip ip;
	for (size_t i = 0; i < sizeof(priv) / sizeof(priv[0]); i++) {
		assert_true(qoc_ip_parse(priv[i], strlen(priv[i]), &ip));
		assert_true(qoc_ip_is_private(&ip));
	}
	for (size_t i = 0; i < sizeof(pub) / sizeof(pub[0]); i++) {
		assert_true(qoc_ip_parse(pub[i], strlen(pub[i]), &ip));
		assert_false(qoc_ip_is_private(&ip));
	}
}

static const char *addr(const char *trusted, const char *peer, const char *const *xff, size_t n)
{
	static char out[QOC_AN_ADDR_MAX];
	struct qoc_cidr_list l;
	assert_int_equal(qoc_cidr_list_parse(trusted, &l), QOC_OK);
	qoc_an_client_addr(peer, xff, n, &l, out);
	return out;
}

static void forwarded_for_only_from_trusted_proxies(void **state)
{
	(void)state;
	const char *one[] = {"203.0.113.9"};
	/* no proxies trusted: the header is the client's word, ignored */
	assert_string_equal(addr("", "198.51.100.1", one, 1), "198.51.100.1");
	/* an untrusted peer cannot speak for anyone */
	assert_string_equal(addr("10.0.0.0/8", "198.51.100.1", one, 1), "198.51.100.1");
	/* a trusted peer: the hop it appended */
	assert_string_equal(addr("10.0.0.0/8", "10.0.0.2", one, 1), "203.0.113.9");
	/* the rightmost untrusted hop wins; what the client wrote left of it is ignored */
	const char *chain[] = {"1.1.1.1, 203.0.113.9, 10.0.0.7"};
	assert_string_equal(addr("10.0.0.0/8", "10.0.0.2", chain, 1), "203.0.113.9");
	/* several header lines are one list, in order */
	const char *lines[] = {"1.1.1.1, 203.0.113.9", "10.0.0.7"};
	assert_string_equal(addr("10.0.0.0/8", "10.0.0.2", lines, 2), "203.0.113.9");
	/* every hop trusted: the leftmost */
	const char *all[] = {"10.0.0.9, 10.0.0.8"};
	assert_string_equal(addr("10.0.0.0/8", "10.0.0.2", all, 1), "10.0.0.9");
	/* a malformed hop stops the walk at the last good address */
	const char *junk[] = {"203.0.113.9, garbage, 10.0.0.7"};
	assert_string_equal(addr("10.0.0.0/8", "10.0.0.2", junk, 1), "10.0.0.7");
	/* ports and IPv6 brackets are stripped; mapped peers print as IPv4 */
	const char *ports[] = {"[2001:db8::5]:443, 203.0.113.9:8080"};
	assert_string_equal(addr("10.0.0.0/8, 203.0.113.0/24", "::ffff:10.0.0.2", ports, 1),
	                    "2001:db8::5");
	/* no header: the peer */
	assert_string_equal(addr("127.0.0.1", "127.0.0.1", NULL, 0), "127.0.0.1");
	/* an unknown peer gives nothing */
	assert_string_equal(addr("", "", one, 1), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(cidr_matching),
	    cmocka_unit_test(cidr_lists),
	    cmocka_unit_test(private_addresses),
	    cmocka_unit_test(forwarded_for_only_from_trusted_proxies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
