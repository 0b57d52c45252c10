// SPDX-License-Identifier: GPL-2.0-or-later
/* netgate.c - the host-loopback gate: which frames from the sandbox's tap reach libslirp
 *
 * libslirp turns the virtual host address (10.0.2.2, and for IPv6 every
 * address of fd00::/64 but the DNS forwarder fd00::3) and 255.255.255.255
 * into the host's loopback when it opens a host socket for the
 * sandbox: a UDP datagram, a TCP connection (its first SYN) or an ICMP echo.
 * Its own switch for that, disable_host_loopback, is closed unless
 * --allow-host-loopback, and the helper keeps a gate of its own in front of
 * slirp_input() too: a frame from the sandbox is dropped when it is:
 * - IPv4 or IPv6 that does not parse (libslirp would drop it too);
 * - addressed to the host's loopback or "this host" directly (127.0.0.0/8,
 *   0.0.0.0/8, ::1, ::, IPv4-mapped): libslirp would send it there as it
 *   is, and a sandbox with CAP_NET_RAW can write such frames to its tap;
 * - addressed to a gated address (above) and would make libslirp open a
 *   host socket: UDP, a TCP SYN that opens a connection (libslirp opens
 *   one for exactly the flags SYN without ACK, FIN, RST, URG), ICMPv4 echo
 *   to the broadcast address, fragments, anything else that is not ICMP
 *   (which libslirp answers itself for 10.0.2.2 and IPv6).
 * The subnet's broadcast address 10.0.2.255 is gated as well.
 *
 * Nothing needs to pass for -p forwards: the helper relays them itself
 * through sockets of the sandbox's namespace (portfwd.c), and their replies
 * never cross the tap. (An earlier gate let UDP "replies" to 10.0.2.2
 * through; libslirp shows a sender whose address really is 10.0.2.2 the
 * same way as a client on the host's loopback, so such a reply reached the
 * host's loopback.) Replies of TCP connections forwarded through libslirp
 * (the fallback when the socket factory cannot start) pass: they are not
 * SYNs.
 */
#include "netgate.h"

#include <string.h>

#define ETH_HLEN	      14
#define ETHERTYPE_IPV4	      0x0800
#define ETHERTYPE_IPV6	      0x86dd
#define PROTO_ICMP	      1
#define PROTO_TCP	      6
#define PROTO_UDP	      17
#define PROTO_ICMPV6	      58
#define TCP_FIN		      0x01
#define TCP_SYN		      0x02
#define TCP_RST		      0x04
#define TCP_ACK		      0x10
#define TCP_URG		      0x20
#define IPV4_VHOST	      0x0a000202u /* 10.0.2.2 */
#define IPV4_BROADCAST	      0xffffffffu
#define IPV4_SUBNET_BROADCAST 0x0a0002ffu /* 10.0.2.255 */

static const uint8_t ipv6_prefix[8] = {0xfd, 0}; /* fd00::/64 */
static const uint8_t ipv6_dns[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3};
static const uint8_t ipv6_allnodes[16] = {0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

/* A parsed IPv4 or IPv6 packet: what the gate looks at. */
struct packet {
	bool ipv6;
	uint8_t proto;
	bool fragment;	    /* IPv4: not the whole datagram */
	const uint8_t *src; /* 4 or 16 bytes */
	const uint8_t *dst;
	const uint8_t *l4; /* the transport header */
	size_t l4_len;
};

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/**
 * parse_frame() - the IP packet in an Ethernet frame
 * @frame:	the frame
 * @len:	its length
 * @pk:		out: the packet
 *
 * Return: 1 for IPv4 or IPv6 that parses, 0 for other frames (ARP: libslirp
 * answers them itself), -1 for IPv4 or IPv6 that does not parse.
 */
static int parse_frame(const uint8_t *frame, size_t len, struct packet *pk)
{
	const uint8_t *ip = frame + ETH_HLEN;
	size_t ip_len, hl, total;

	if (len < ETH_HLEN)
		return 0;
	ip_len = len - ETH_HLEN;
	memset(pk, 0, sizeof(*pk));
	switch (be16(frame + 12)) {
	case ETHERTYPE_IPV4:
		if (ip_len < 20 || ip[0] >> 4 != 4)
			return -1;
		hl = (size_t)(ip[0] & 0x0f) * 4;
		total = be16(ip + 2);
		if (hl < 20 || total < hl || total > ip_len)
			return -1;
		pk->proto = ip[9];
		pk->fragment = (be16(ip + 6) & 0x3fff) != 0; /* MF or an offset */
		pk->src = ip + 12;
		pk->dst = ip + 16;
		pk->l4 = ip + hl;
		pk->l4_len = total - hl;
		return 1;
	case ETHERTYPE_IPV6:
		if (ip_len < 40 || ip[0] >> 4 != 6)
			return -1;
		total = 40 + (size_t)be16(ip + 4);
		if (total > ip_len)
			return -1;
		/* libslirp takes no extension headers: proto is the transport */
		pk->ipv6 = true;
		pk->proto = ip[6];
		pk->src = ip + 8;
		pk->dst = ip + 24;
		pk->l4 = ip + 40;
		pk->l4_len = total - 40;
		return 1;
	default: return 0;
	}
}

/* 127.0.0.0/8, 0.0.0.0/8, ::1, :: and ::ffff:0:0/96: the host itself, whatever the port. */
static bool to_host_directly(const struct packet *pk)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	static const uint8_t zero[15] = {0};

	if (!pk->ipv6)
		return pk->dst[0] == 127 || pk->dst[0] == 0;
	return memcmp(pk->dst, mapped, sizeof(mapped)) == 0 ||
	       (memcmp(pk->dst, zero, sizeof(zero)) == 0 && pk->dst[15] <= 1);
}

/* An address libslirp turns into the host's loopback, or 10.0.2.255 (see the top of the file). */
static bool to_gated_address(const struct packet *pk)
{
	uint32_t d;

	if (pk->ipv6)
		return (memcmp(pk->dst, ipv6_prefix, sizeof(ipv6_prefix)) == 0 &&
			memcmp(pk->dst, ipv6_dns, sizeof(ipv6_dns)) != 0) ||
		       memcmp(pk->dst, ipv6_allnodes, sizeof(ipv6_allnodes)) == 0;
	d = be32(pk->dst);
	return d == IPV4_VHOST || d == IPV4_BROADCAST || d == IPV4_SUBNET_BROADCAST;
}

/**
 * netgate_init() - the gate
 * @g:		the gate
 * @open:	--allow-host-loopback: let every frame pass
 */
void netgate_init(struct netgate *g, bool open)
{
	memset(g, 0, sizeof(*g));
	g->open = open;
}

/**
 * netgate_pass() - whether a frame from the sandbox may reach libslirp
 * @g:		the gate
 * @frame:	an Ethernet frame read from the tap
 * @len:	its length
 *
 * Return: true to hand it to slirp_input(), false to drop it.
 */
bool netgate_pass(const struct netgate *g, const uint8_t *frame, size_t len)
{
	struct packet pk;
	int r;

	if (g->open)
		return true;
	r = parse_frame(frame, len, &pk);
	if (r <= 0)
		return r == 0;
	if (to_host_directly(&pk))
		return false;
	if (!to_gated_address(&pk))
		return true;
	if (pk.proto == PROTO_ICMPV6 && pk.ipv6)
		return true; /* neighbour discovery, echo: libslirp answers itself */
	if (pk.proto == PROTO_ICMP && !pk.ipv6)
		return be32(pk.dst) == IPV4_VHOST; /* an echo to the broadcast is sent on */
	if (pk.fragment)
		return false;
	if (pk.proto == PROTO_TCP)
		return pk.l4_len >= 14 &&
		       (pk.l4[13] & (TCP_SYN | TCP_ACK | TCP_FIN | TCP_RST | TCP_URG)) != TCP_SYN;
	return false;
}
