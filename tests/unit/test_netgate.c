// SPDX-License-Identifier: GPL-2.0-or-later
/* test_netgate.c - unit tests for the host-loopback gate in front of libslirp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>

#include "netgate.h"

#define GUEST4 "10.0.2.100"
#define VHOST4 "10.0.2.2"
#define GUEST6 "fd00::100"
#define VHOST6 "fd00::2"

struct frame {
	uint8_t b[128];
	size_t len;
};

/* An Ethernet frame with an IPv4 or IPv6 header and @l4_len bytes of transport header. */
static struct frame ip_frame(const char *src, const char *dst, uint8_t proto, const uint8_t *l4,
			     size_t l4_len)
{
	struct frame f = {0};
	uint8_t *ip = f.b + 14;

	if (strchr(dst, ':')) {
		f.b[12] = 0x86, f.b[13] = 0xdd;
		ip[0] = 0x60;
		ip[4] = (uint8_t)(l4_len >> 8), ip[5] = (uint8_t)l4_len;
		ip[6] = proto;
		ip[7] = 64;
		assert_int_equal(inet_pton(AF_INET6, src, ip + 8), 1);
		assert_int_equal(inet_pton(AF_INET6, dst, ip + 24), 1);
		memcpy(ip + 40, l4, l4_len);
		f.len = 14 + 40 + l4_len;
	} else {
		f.b[12] = 0x08, f.b[13] = 0x00;
		ip[0] = 0x45;
		ip[2] = (uint8_t)((20 + l4_len) >> 8), ip[3] = (uint8_t)(20 + l4_len);
		ip[8] = 64;
		ip[9] = proto;
		assert_int_equal(inet_pton(AF_INET, src, ip + 12), 1);
		assert_int_equal(inet_pton(AF_INET, dst, ip + 16), 1);
		memcpy(ip + 20, l4, l4_len);
		f.len = 14 + 20 + l4_len;
	}
	return f;
}

static struct frame udp(const char *src, uint16_t sport, const char *dst, uint16_t dport)
{
	uint8_t h[12] = {(uint8_t)(sport >> 8),
			 (uint8_t)sport,
			 (uint8_t)(dport >> 8),
			 (uint8_t)dport,
			 0,
			 12,
			 0,
			 0,
			 'd',
			 'a',
			 't',
			 'a'};

	return ip_frame(src, dst, 17, h, sizeof(h));
}

static struct frame tcp(const char *src, const char *dst, uint16_t dport, uint8_t flags)
{
	uint8_t h[20] = {0x9c, 0x40, (uint8_t)(dport >> 8), (uint8_t)dport};

	h[12] = 5 << 4;
	h[13] = flags;
	return ip_frame(src, dst, 6, h, sizeof(h));
}

static struct frame icmp(const char *src, const char *dst)
{
	uint8_t h[8] = {strchr(dst, ':') ? 128 : 8};

	return ip_frame(src, dst, strchr(dst, ':') ? 58 : 1, h, sizeof(h));
}

/* -p 5353:53/udp, -p [::1]:5353:53/udp and -p 8080:80 (TCP) */
static const struct net_publish fwd[] = {
    {.udp = true, .host_port = 5353, .guest_port = 53},
    {.udp = true, .ipv6 = true, .host_port = 5353, .guest_port = 53},
    {.host_port = 8080, .guest_port = 80},
};

static bool pass(struct netgate *g, struct frame f, int64_t now)
{
	return netgate_pass(g, f.b, f.len, now);
}

static void note(struct netgate *g, struct frame f, int64_t now)
{
	netgate_note(g, f.b, f.len, now);
}

static void test_open_gate_passes_all(void **state)
{
	struct netgate g;

	(void)state;
	netgate_init(&g, true, fwd, 3);
	assert_true(pass(&g, udp(GUEST4, 53, VHOST4, 40000), 0));
	assert_true(pass(&g, udp(GUEST4, 53, "127.0.0.1", 40000), 0));
	assert_true(pass(&g, tcp(GUEST4, VHOST4, 22, 0x02), 0));
}

static void test_udp_reply_of_a_flow(void **state)
{
	struct netgate g;

	(void)state;
	netgate_init(&g, false, fwd, 3);
	/* nothing came in yet: the sandbox cannot start this */
	assert_false(pass(&g, udp(GUEST4, 53, VHOST4, 40000), 1000));
	note(&g, udp(VHOST4, 40000, GUEST4, 53), 1000);
	assert_true(pass(&g, udp(GUEST4, 53, VHOST4, 40000), 1001));
	/* only from the forward's port and address, only to the client's port */
	assert_false(pass(&g, udp(GUEST4, 54, VHOST4, 40000), 1001));
	assert_false(pass(&g, udp("10.0.2.101", 53, VHOST4, 40000), 1001));
	assert_false(pass(&g, udp(GUEST4, 53, VHOST4, 40001), 1001));
	assert_false(pass(&g, udp(GUEST4, 53, "255.255.255.255", 40000), 1001));
	/* the subnet's broadcast would make libslirp show every sender to the forward as 10.0.2.2 */
	assert_false(pass(&g, udp(GUEST4, 53, "10.0.2.255", 40000), 1001));
	assert_false(pass(&g, udp(GUEST4, 40000, "10.0.2.255", 53), 1001));
	assert_false(pass(&g, tcp(GUEST4, "10.0.2.255", 22, 0x02), 1001));
	/* other addresses of the subnet are not the host's loopback */
	assert_true(pass(&g, udp(GUEST4, 53, "10.0.2.50", 40000), 1001));
	/* not another address family's */
	assert_false(pass(&g, udp(GUEST6, 53, VHOST6, 40000), 1001));
	/* bounded in time, renewed by the next datagram in */
	assert_true(pass(&g, udp(GUEST4, 53, VHOST4, 40000), 1000 + NETGATE_FLOW_MS - 1));
	assert_false(pass(&g, udp(GUEST4, 53, VHOST4, 40000), 1000 + NETGATE_FLOW_MS));
	note(&g, udp(VHOST4, 40000, GUEST4, 53), 1000 + NETGATE_FLOW_MS);
	assert_true(pass(&g, udp(GUEST4, 53, VHOST4, 40000), 1000 + NETGATE_FLOW_MS + 1));
}

static void test_udp_reply_ipv6(void **state)
{
	struct netgate g;

	(void)state;
	netgate_init(&g, false, fwd, 3);
	assert_false(pass(&g, udp(GUEST6, 53, VHOST6, 40000), 0));
	note(&g, udp(VHOST6, 40000, GUEST6, 53), 0);
	assert_true(pass(&g, udp(GUEST6, 53, VHOST6, 40000), 1));
	/* a source libslirp would not find the forward's socket for */
	assert_false(pass(&g, udp("fd00::5054:ff:fe12:3456", 53, VHOST6, 40000), 1));
	/* every fd00::/64 address but the DNS forwarder is the host's loopback */
	assert_false(pass(&g, udp(GUEST6, 53, "fd00::7", 40000), 1));
	assert_false(pass(&g, udp(GUEST6, 53, "ff02::1", 40000), 1));
	assert_false(pass(&g, udp(GUEST4, 53, VHOST4, 40000), 1));
}

static void test_only_udp_forwards_are_learnt(void **state)
{
	struct netgate g;

	(void)state;
	netgate_init(&g, false, fwd, 3);
	/* the TCP forward's port, a port nobody forwards, a source that is not the host */
	note(&g, udp(VHOST4, 40000, GUEST4, 80), 0);
	note(&g, udp(VHOST4, 40000, GUEST4, 54), 0);
	note(&g, udp("192.0.2.1", 40000, GUEST4, 53), 0);
	assert_false(pass(&g, udp(GUEST4, 80, VHOST4, 40000), 1));
	assert_false(pass(&g, udp(GUEST4, 54, VHOST4, 40000), 1));
	assert_false(pass(&g, udp(GUEST4, 53, VHOST4, 40000), 1));
	/* no forwards at all */
	netgate_init(&g, false, NULL, 0);
	note(&g, udp(VHOST4, 40000, GUEST4, 53), 0);
	assert_false(pass(&g, udp(GUEST4, 53, VHOST4, 40000), 1));
	assert_false(netgate_has_udp_forward(fwd + 2, 1));
	assert_true(netgate_has_udp_forward(fwd, 3));
}

static void test_tcp_and_icmp(void **state)
{
	struct netgate g;

	(void)state;
	netgate_init(&g, false, fwd, 3);
	/* a SYN opens a connection to the host's loopback; the rest belongs to a forwarded one */
	assert_false(pass(&g, tcp(GUEST4, VHOST4, 22, 0x02), 0));
	assert_false(pass(&g, tcp(GUEST6, VHOST6, 22, 0x02), 0));
	assert_false(pass(&g, tcp(GUEST4, "255.255.255.255", 22, 0x02), 0));
	assert_true(pass(&g, tcp(GUEST4, VHOST4, 22, 0x10), 0));
	assert_true(pass(&g, tcp(GUEST4, VHOST4, 22, 0x12), 0));
	assert_true(pass(&g, tcp(GUEST4, "192.0.2.1", 22, 0x02), 0));
	/* libslirp answers echoes to 10.0.2.2 and IPv6 itself; one to the broadcast goes out */
	assert_true(pass(&g, icmp(GUEST4, VHOST4), 0));
	assert_true(pass(&g, icmp(GUEST6, VHOST6), 0));
	assert_false(pass(&g, icmp(GUEST4, "255.255.255.255"), 0));
	/* DNS forwarder and other hosts */
	assert_true(pass(&g, udp(GUEST4, 40000, "10.0.2.3", 53), 0));
	assert_true(pass(&g, udp(GUEST6, 40000, "fd00::3", 53), 0));
	assert_true(pass(&g, udp(GUEST4, 40000, "192.0.2.1", 53), 0));
	assert_true(pass(&g, udp(GUEST6, 40000, "2001:db8::1", 53), 0));
}

static void test_host_directly(void **state)
{
	struct netgate g;

	(void)state;
	netgate_init(&g, false, fwd, 3);
	assert_false(pass(&g, udp(GUEST4, 40000, "127.0.0.1", 53), 0));
	assert_false(pass(&g, udp(GUEST4, 40000, "127.1.2.3", 53), 0));
	assert_false(pass(&g, udp(GUEST4, 40000, "0.0.0.0", 53), 0));
	assert_false(pass(&g, tcp(GUEST4, "127.0.0.1", 22, 0x10), 0));
	assert_false(pass(&g, icmp(GUEST4, "127.0.0.1"), 0));
	assert_false(pass(&g, udp(GUEST6, 40000, "::1", 53), 0));
	assert_false(pass(&g, udp(GUEST6, 40000, "::", 53), 0));
	assert_false(pass(&g, udp(GUEST6, 40000, "::ffff:127.0.0.1", 53), 0));
	assert_false(pass(&g, tcp(GUEST6, "::1", 22, 0x10), 0));
}

static void test_malformed_and_fragments(void **state)
{
	struct netgate g;
	struct frame f;

	(void)state;
	netgate_init(&g, false, fwd, 3);
	note(&g, udp(VHOST4, 40000, GUEST4, 53), 0);
	f = udp(GUEST4, 53, VHOST4, 40000);
	assert_true(pass(&g, f, 1));
	f.b[14 + 6] = 0x20; /* more fragments */
	assert_false(pass(&g, f, 1));
	f.b[14 + 6] = 0x00, f.b[14 + 7] = 0x01; /* an offset */
	assert_false(pass(&g, f, 1));
	f = udp(GUEST4, 53, VHOST4, 40000);
	f.b[14] = 0x44; /* header shorter than 20 bytes */
	assert_false(pass(&g, f, 1));
	f = udp(GUEST4, 53, VHOST4, 40000);
	f.b[14 + 3] += 1; /* total length beyond the frame */
	assert_false(pass(&g, f, 1));
	f = udp(GUEST4, 53, VHOST4, 40000);
	assert_false(netgate_pass(&g, f.b, 14 + 19, 1)); /* frame shorter than an IPv4 header */
	f = udp(GUEST6, 53, VHOST6, 40000);
	f.b[14 + 5] += 1; /* payload length beyond the frame */
	assert_false(pass(&g, f, 1));
	f = udp(GUEST4, 53, VHOST4, 40000);
	f.b[14] = 0x65; /* IPv6 version in an IPv4 frame */
	assert_false(pass(&g, f, 1));
	/* not IP: ARP, and frames too short for an Ethernet header, are libslirp's */
	f = udp(GUEST4, 53, VHOST4, 40000);
	f.b[12] = 0x08, f.b[13] = 0x06;
	assert_true(pass(&g, f, 1));
	assert_true(netgate_pass(&g, f.b, 10, 1));
	/* a datagram cut short (UDP header incomplete) teaches nothing */
	netgate_init(&g, false, fwd, 3);
	f = udp(VHOST4, 40000, GUEST4, 53);
	f.b[14 + 3] = 20 + 7;
	note(&g, f, 0);
	assert_false(pass(&g, udp(GUEST4, 53, VHOST4, 40000), 1));
}

static void test_flow_table_bounded(void **state)
{
	struct netgate g;
	unsigned n = NETGATE_MAX_FLOWS * 3, allowed = 0;

	(void)state;
	netgate_init(&g, false, fwd, 3);
	for (unsigned i = 0; i < n; i++)
		note(&g, udp(VHOST4, (uint16_t)(20000 + i), GUEST4, 53), i);
	for (unsigned i = 0; i < n; i++)
		allowed += pass(&g, udp(GUEST4, 53, VHOST4, (uint16_t)(20000 + i)), n);
	assert_int_equal(allowed, NETGATE_MAX_FLOWS);
	/* the newest ones stay */
	assert_true(pass(&g, udp(GUEST4, 53, VHOST4, (uint16_t)(20000 + n - 1)), n));
	assert_false(pass(&g, udp(GUEST4, 53, VHOST4, 20000), n));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_open_gate_passes_all),
	    cmocka_unit_test(test_udp_reply_of_a_flow),
	    cmocka_unit_test(test_udp_reply_ipv6),
	    cmocka_unit_test(test_only_udp_forwards_are_learnt),
	    cmocka_unit_test(test_tcp_and_icmp),
	    cmocka_unit_test(test_host_directly),
	    cmocka_unit_test(test_malformed_and_fragments),
	    cmocka_unit_test(test_flow_table_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
