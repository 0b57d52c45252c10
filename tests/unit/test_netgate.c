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

static bool pass(struct netgate *g, struct frame f)
{
	return netgate_pass(g, f.b, f.len);
}

static void test_open_gate_passes_all(void **state)
{
	struct netgate g;

	(void)state;
	netgate_init(&g, true);
	assert_true(pass(&g, udp(GUEST4, 53, VHOST4, 40000)));
	assert_true(pass(&g, udp(GUEST4, 53, "127.0.0.1", 40000)));
	assert_true(pass(&g, tcp(GUEST4, VHOST4, 22, 0x02)));
}

/*
 * UDP to the virtual host is dropped whatever the ports: -p forwards are
 * relayed through sockets inside the sandbox (portfwd.c), so no reply of
 * theirs crosses the tap, and a sender outside whose address really is
 * 10.0.2.2 teaches the gate nothing.
 */
static void test_udp_to_vhost_dropped(void **state)
{
	struct netgate g;

	(void)state;
	netgate_init(&g, false);
	assert_false(pass(&g, udp(GUEST4, 53, VHOST4, 40000)));
	assert_false(pass(&g, udp(GUEST4, 5300, VHOST4, 9999)));
	assert_false(pass(&g, udp(GUEST4, 53, "255.255.255.255", 40000)));
	assert_false(pass(&g, udp(GUEST4, 53, "10.0.2.255", 40000)));
	assert_false(pass(&g, tcp(GUEST4, "10.0.2.255", 22, 0x02)));
	assert_false(pass(&g, udp(GUEST6, 53, VHOST6, 40000)));
	/* every fd00::/64 address but the DNS forwarder is the host's loopback */
	assert_false(pass(&g, udp(GUEST6, 53, "fd00::7", 40000)));
	assert_false(pass(&g, udp(GUEST6, 53, "ff02::1", 40000)));
	/* other addresses of the subnet are not the host's loopback */
	assert_true(pass(&g, udp(GUEST4, 53, "10.0.2.50", 40000)));
}

static void test_tcp_and_icmp(void **state)
{
	struct netgate g;

	(void)state;
	netgate_init(&g, false);
	/* a SYN opens a connection to the host's loopback; the rest belongs to a forwarded one */
	assert_false(pass(&g, tcp(GUEST4, VHOST4, 22, 0x02)));
	assert_false(pass(&g, tcp(GUEST6, VHOST6, 22, 0x02)));
	assert_false(pass(&g, tcp(GUEST4, "255.255.255.255", 22, 0x02)));
	assert_true(pass(&g, tcp(GUEST4, VHOST4, 22, 0x10)));
	assert_true(pass(&g, tcp(GUEST4, VHOST4, 22, 0x12)));
	assert_true(pass(&g, tcp(GUEST4, "192.0.2.1", 22, 0x02)));
	/* libslirp answers echoes to 10.0.2.2 and IPv6 itself; one to the broadcast goes out */
	assert_true(pass(&g, icmp(GUEST4, VHOST4)));
	assert_true(pass(&g, icmp(GUEST6, VHOST6)));
	assert_false(pass(&g, icmp(GUEST4, "255.255.255.255")));
	/* DNS forwarder and other hosts */
	assert_true(pass(&g, udp(GUEST4, 40000, "10.0.2.3", 53)));
	assert_true(pass(&g, udp(GUEST6, 40000, "fd00::3", 53)));
	assert_true(pass(&g, udp(GUEST4, 40000, "192.0.2.1", 53)));
	assert_true(pass(&g, udp(GUEST6, 40000, "2001:db8::1", 53)));
}

static void test_host_directly(void **state)
{
	struct netgate g;

	(void)state;
	netgate_init(&g, false);
	assert_false(pass(&g, udp(GUEST4, 40000, "127.0.0.1", 53)));
	assert_false(pass(&g, udp(GUEST4, 40000, "127.1.2.3", 53)));
	assert_false(pass(&g, udp(GUEST4, 40000, "0.0.0.0", 53)));
	assert_false(pass(&g, tcp(GUEST4, "127.0.0.1", 22, 0x10)));
	assert_false(pass(&g, icmp(GUEST4, "127.0.0.1")));
	assert_false(pass(&g, udp(GUEST6, 40000, "::1", 53)));
	assert_false(pass(&g, udp(GUEST6, 40000, "::", 53)));
	assert_false(pass(&g, udp(GUEST6, 40000, "::ffff:127.0.0.1", 53)));
	assert_false(pass(&g, tcp(GUEST6, "::1", 22, 0x10)));
}

static void test_malformed_and_fragments(void **state)
{
	struct netgate g;
	struct frame f;

	(void)state;
	netgate_init(&g, false);
	f = tcp(GUEST4, VHOST4, 22, 0x10);
	assert_true(pass(&g, f));
	f.b[14 + 6] = 0x20; /* more fragments */
	assert_false(pass(&g, f));
	f.b[14 + 6] = 0x00, f.b[14 + 7] = 0x01; /* an offset */
	assert_false(pass(&g, f));
	/* well-formed, these pass (not to the host); broken, they do not */
	assert_true(pass(&g, udp(GUEST4, 53, "192.0.2.1", 40000)));
	assert_true(pass(&g, udp(GUEST6, 53, "2001:db8::1", 40000)));
	f = udp(GUEST4, 53, "192.0.2.1", 40000);
	f.b[14] = 0x44; /* header shorter than 20 bytes */
	assert_false(pass(&g, f));
	f = udp(GUEST4, 53, "192.0.2.1", 40000);
	f.b[14 + 3] += 1; /* total length beyond the frame */
	assert_false(pass(&g, f));
	f = udp(GUEST4, 53, "192.0.2.1", 40000);
	assert_false(netgate_pass(&g, f.b, 14 + 19)); /* frame shorter than an IPv4 header */
	f = udp(GUEST6, 53, "2001:db8::1", 40000);
	f.b[14 + 5] += 1; /* payload length beyond the frame */
	assert_false(pass(&g, f));
	f = udp(GUEST4, 53, "192.0.2.1", 40000);
	f.b[14] = 0x65; /* IPv6 version in an IPv4 frame */
	assert_false(pass(&g, f));
	/* not IP: ARP, and frames too short for an Ethernet header, are libslirp's */
	f = udp(GUEST4, 53, VHOST4, 40000);
	f.b[12] = 0x08, f.b[13] = 0x06;
	assert_true(pass(&g, f));
	assert_true(netgate_pass(&g, f.b, 10));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_open_gate_passes_all),
	    cmocka_unit_test(test_udp_to_vhost_dropped),
	    cmocka_unit_test(test_tcp_and_icmp),
	    cmocka_unit_test(test_host_directly),
	    cmocka_unit_test(test_malformed_and_fragments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
