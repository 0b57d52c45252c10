// SPDX-License-Identifier: GPL-2.0-or-later
/* net.c - user-mode networking: -p specs, checks, and the sandbox's own interfaces
 *
 * Who does what (see also run.c's theory of operation and slirp_helper.c):
 * - the supervisor parses and checks the -p specs (net_parse_publish(),
 *   net_check_publish(): the sysctl, a bind test) and /dev/net/tun
 *   (net_check_tun()) before any namespace exists;
 * - PID 1, root of its user namespace and alone in its new network
 *   namespace, brings up `lo`, creates the tap device eth0, gives it
 *   10.0.2.100/24 and fd00::100/64 with default routes through 10.0.2.2 and
 *   fd00::2 (ioctls, no `ip` binary), opens ping sockets to its groups
 *   (net.ipv4.ping_group_range), and sends the tap descriptor to the
 *   supervisor (net_setup_sandbox());
 * - the supervisor hands it to the libslirp helper (net_helper_start()).
 */
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <net/route.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_tun.h>

#include "util.h"

/* <linux/ipv6.h> and <linux/ipv6_route.h> clash with libc's netinet headers */
struct net_in6_ifreq {
	struct in6_addr addr;
	uint32_t prefixlen;
	int ifindex;
};

struct net_in6_rtmsg {
	struct in6_addr dst, src, gateway;
	uint32_t type;
	uint16_t dst_len, src_len;
	uint32_t metric;
	unsigned long info;
	uint32_t flags;
	int ifindex;
};

static bool parse_port(const char *s, size_t len, uint16_t *out)
{
	uint32_t v;

	if (!util_parse_u32n(s, len, 65535, &v) || v == 0)
		return false;
	*out = (uint16_t)v;
	return true;
}

/**
 * parse_host_ip6() - the "[IPv6]:" in front of HOSTPORT:PORT
 * @spec:	the -p value, starting with `[`
 * @end:	where the protocol suffix starts (or the end of @spec)
 * @out:	ipv6 and host_addr6 set on success
 * @rest:	set to HOSTPORT:PORT on success
 * @err:	error out-parameter
 *
 * Refuses what cannot be bound as written: scoped and link-local addresses
 * (they need a zone, which -p does not take, as docker's does not) and
 * IPv4-mapped ones (the listening socket is IPv6-only).
 *
 * Return: 0, or negative with *err set.
 */
static int parse_host_ip6(const char *spec, const char *end, struct net_publish *out, const char **rest,
			  struct sbx_error **err)
{
	const char *close = memchr(spec, ']', (size_t)(end - spec));
	char ip[INET6_ADDRSTRLEN];
	size_t n;

	if (!close)
		return sbx_error_set(err, 0, "-p `%s`: `]` missing after the IPv6 host address", spec);
	n = (size_t)(close - spec - 1);
	if (n == 0)
		return sbx_error_set(err, 0, "-p `%s`: empty host address `[]`", spec);
	if (close[1] != ':')
		return sbx_error_set(err, 0, "-p `%s`: expected `:` after `]` ([HOSTIP]:HOSTPORT:PORT)",
				     spec);
	if (memchr(spec + 1, '%', n))
		return sbx_error_set(
		    err, 0, "-p `%s`: scoped IPv6 host addresses (`%%ZONE`) are not supported", spec);
	if (n >= sizeof(ip))
		return sbx_error_set(err, 0, "-p `%s`: invalid host address", spec);
	memcpy(ip, spec + 1, n);
	ip[n] = '\0';
	if (inet_pton(AF_INET6, ip, &out->host_addr6) != 1)
		return sbx_error_set(err, 0, "-p `%s`: invalid IPv6 host address `%s`", spec, ip);
	if (IN6_IS_ADDR_LINKLOCAL(&out->host_addr6))
		return sbx_error_set(
		    err, 0, "-p `%s`: link-local (scoped) IPv6 host addresses are not supported", spec);
	if (IN6_IS_ADDR_V4MAPPED(&out->host_addr6)) {
		char ip4[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &out->host_addr6.s6_addr[12], ip4, sizeof(ip4));
		return sbx_error_set(
		    err, 0, "-p `%s`: IPv4-mapped host address: write it as %s, without brackets", spec, ip4);
	}
	out->ipv6 = true;
	*rest = close + 2;
	return 0;
}

/**
 * net_parse_publish() - parse one -p value
 * @spec:	[HOSTIP:]HOSTPORT:PORT[/tcp|/udp]
 * @out:	filled on success
 * @err:	error out-parameter
 *
 * HOSTIP is an IPv4 address or an IPv6 one in brackets (`[::1]:8080:80`);
 * without it the forward listens on every host address (0.0.0.0, and [::]
 * for TCP), as docker does.
 *
 * Return: 0, or negative with *err set.
 */
int net_parse_publish(const char *spec, struct net_publish *out, struct sbx_error **err)
{
	const char *slash = strchr(spec, '/'), *end, *ports = spec, *c1, *c2;
	char ip[INET_ADDRSTRLEN];

	memset(out, 0, sizeof(*out));
	out->host_addr.s_addr = htonl(INADDR_ANY);
	end = slash ? slash : spec + strlen(spec);
	if (slash) {
		if (strcmp(slash, "/tcp") == 0)
			out->udp = false;
		else if (strcmp(slash, "/udp") == 0)
			out->udp = true;
		else
			return sbx_error_set(err, 0, "-p `%s`: protocol must be tcp or udp", spec);
	}
	if (spec[0] == '[' && parse_host_ip6(spec, end, out, &ports, err) < 0)
		return -1;
	c2 = memrchr(ports, ':', (size_t)(end - ports));
	if (!c2)
		return sbx_error_set(err, 0, "-p `%s`: expected [HOSTIP:]HOSTPORT:PORT[/tcp|/udp]", spec);
	c1 = memrchr(ports, ':', (size_t)(c2 - ports));
	if (c1 && out->ipv6)
		return sbx_error_set(err, 0, "-p `%s`: expected [HOSTIP]:HOSTPORT:PORT[/tcp|/udp]", spec);
	if (c1) {
		size_t n = (size_t)(c1 - spec);

		if (memchr(spec, ':', n))
			return sbx_error_set(err, 0,
					     "-p `%s`: an IPv6 host address goes in brackets: [%.*s]:%s",
					     spec, (int)n, spec, c1 + 1);
		if (n == 0 || n >= sizeof(ip))
			return sbx_error_set(err, 0, "-p `%s`: invalid host address", spec);
		memcpy(ip, spec, n);
		ip[n] = '\0';
		if (inet_pton(AF_INET, ip, &out->host_addr) != 1)
			return sbx_error_set(err, 0, "-p `%s`: invalid host address `%s`", spec, ip);
		ports = c1 + 1;
	}
	if (!parse_port(ports, (size_t)(c2 - ports), &out->host_port))
		return sbx_error_set(err, 0, "-p `%s`: host port must be 1-65535", spec);
	if (!parse_port(c2 + 1, (size_t)(end - c2 - 1), &out->guest_port))
		return sbx_error_set(err, 0, "-p `%s`: port must be 1-65535", spec);
	return 0;
}

/**
 * net_parse_slirp_options() - the part after `slirp:` in --network
 * @opts:	comma-separated: mtu=N
 * @mtu:	set when given
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int net_parse_slirp_options(const char *opts, unsigned *mtu, struct sbx_error **err)
{
	const char *p = opts;

	while (*p) {
		const char *end = strchrnul(p, ',');
		uint32_t v;

		if (strncmp(p, "mtu=", 4) == 0 &&
		    util_parse_u32n(p + 4, (size_t)(end - p - 4), NET_MTU_MAX, &v) && v >= NET_MTU_MIN)
			*mtu = v;
		else
			return sbx_error_set(err, 0, "--network slirp: invalid option `%.*s` (mtu=%d..%d)",
					     (int)(end - p), p, NET_MTU_MIN, NET_MTU_MAX);
		p = *end ? end + 1 : end;
	}
	return 0;
}

/**
 * net_publish_host_sockaddr() - the host address and port a forward listens on
 * @p:		the forward
 * @ss:		filled with a sockaddr_in or, for an [IPv6] HOSTIP, a sockaddr_in6
 *
 * Return: the length of the address in @ss.
 */
socklen_t net_publish_host_sockaddr(const struct net_publish *p, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *sa6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *sa = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (p->ipv6) {
		sa6->sin6_family = AF_INET6;
		sa6->sin6_port = htons(p->host_port);
		sa6->sin6_addr = p->host_addr6;
		return sizeof(*sa6);
	}
	sa->sin_family = AF_INET;
	sa->sin_port = htons(p->host_port);
	sa->sin_addr = p->host_addr;
	return sizeof(*sa);
}

/*
 * Two forwards of one protocol and host port both bind it, except an IPv4
 * HOSTIP next to an [IPv6] one (without HOSTIP, a forward listens on [::] too).
 */
static bool publish_same_port(const struct net_publish *a, const struct net_publish *b)
{
	const struct net_publish *v4 = a->ipv6 ? b : a;

	if (a->host_port != b->host_port || a->udp != b->udp)
		return false;
	return a->ipv6 == b->ipv6 || v4->host_addr.s_addr == htonl(INADDR_ANY);
}

/**
 * net_check_publish() - refuse forwards that cannot work, before starting
 * @p:		the forwards
 * @n:		how many
 * @err:	error out-parameter
 *
 * Binds each host port once (and closes it) so that a port in use or below
 * net.ipv4.ip_unprivileged_port_start (which applies to IPv6 too) is named
 * now, not by the helper. An [IPv6] HOSTIP is bound IPv6-only, as the
 * helper binds it.
 *
 * Return: 0, or negative with *err set.
 */
int net_check_publish(const struct net_publish *p, size_t n, struct sbx_error **err)
{
	for (size_t i = 0; i < n; i++) {
		struct sockaddr_storage ss;
		socklen_t len = net_publish_host_sockaddr(&p[i], &ss);
		int family = p[i].ipv6 ? AF_INET6 : AF_INET;
		cleanup_close int fd =
		    socket(family, (p[i].udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
		const char *proto = p[i].udp ? "udp" : "tcp";
		char ip[INET6_ADDRSTRLEN] = "?";
		int one = 1, e;

		inet_ntop(family, p[i].ipv6 ? (const void *)&p[i].host_addr6 : (const void *)&p[i].host_addr,
			  ip, sizeof(ip));
		if (fd < 0 && p[i].ipv6)
			return sbx_error_set(err, errno, "-p: host address %s", ip);
		if (fd < 0)
			return sbx_error_set(err, errno, "-p: socket");
		for (size_t j = 0; j < i; j++)
			if (publish_same_port(&p[j], &p[i]))
				return sbx_error_set(err, 0, "-p: host port %u/%s is given twice",
						     p[i].host_port, proto);
		if (!p[i].udp)
			(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (p[i].ipv6)
			(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&ss, len) == 0)
			continue;
		e = errno;
		if (e == EACCES) {
			char v[32] = "?";

			util_read_small("/proc/sys/net/ipv4/ip_unprivileged_port_start", v, sizeof(v));
			v[strcspn(v, "\n")] = '\0';
			sbx_error_set(err, 0,
				      "-p: host port %u/%s is privileged (below "
				      "net.ipv4.ip_unprivileged_port_start = %s)",
				      p[i].host_port, proto, v);
			sbx_error_hint(err, "use a host port >= %s", v);
			return -1;
		}
		if (e == EADDRINUSE)
			return sbx_error_set(err, 0, "-p: host port %u/%s is already in use", p[i].host_port,
					     proto);
		if (e == EADDRNOTAVAIL)
			return sbx_error_set(err, e, "-p: host address %s", ip);
		return sbx_error_set(err, e, "-p: host port %u/%s", p[i].host_port, proto);
	}
	return 0;
}

/**
 * net_check_tun() - /dev/net/tun opens (the sandbox's tap needs it)
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set (and a hint).
 */
int net_check_tun(struct sbx_error **err)
{
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	sbx_error_set(err, errno, "user-mode networking: `/dev/net/tun`");
	sbx_error_hint(err, "run with `--network none`, or see `sandbox doctor`");
	return -1;
}

static int if_flags_up(int sock, const char *name, struct sbx_error **err)
{
	struct ifreq ifr = {0};

	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0)
		return sbx_error_set(err, errno, "interface `%s`", name);
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0)
		return sbx_error_set(err, errno, "bring up `%s`", name);
	return 0;
}

static int set_in4(int sock, unsigned long req, const char *addr, const char *what, struct sbx_error **err)
{
	struct ifreq ifr = {0};
	struct sockaddr_in *sa = (struct sockaddr_in *)&ifr.ifr_addr;

	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", NET_TAP_NAME);
	sa->sin_family = AF_INET;
	inet_pton(AF_INET, addr, &sa->sin_addr);
	if (ioctl(sock, req, &ifr) < 0)
		return sbx_error_set(err, errno, "%s %s on `%s`", what, addr, NET_TAP_NAME);
	return 0;
}

static void write_sysctl(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || util_write_all(fd, val, strlen(val)) < 0)
		sbx_debug("`%s`: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* Members of ping sockets: every group mapped into the user namespace. */
static void open_ping_sockets(void)
{
	cleanup_free char *map = NULL;
	unsigned long long in, out, count, top = 0;
	bool zero = false;
	char val[64];

	if (util_read_file("/proc/self/gid_map", &map, NULL, NULL) < 0)
		return;
	/* both ends of the range must be mapped; the gids between need not */
	for (char *l = map; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (sscanf(l, "%llu %llu %llu", &in, &out, &count) == 3 && count > 0) {
			zero |= in == 0;
			if (in + count - 1 > top)
				top = in + count - 1;
		}
	if (!zero)
		return;
	if (top > 2147483647ULL)
		top = 2147483647ULL;
	snprintf(val, sizeof(val), "0 %llu\n", top);
	write_sysctl("/proc/sys/net/ipv4/ping_group_range", val);
}

static int setup_ipv6(int ifindex, struct sbx_error **err)
{
	cleanup_close int s6 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct net_in6_ifreq ifr6 = {.prefixlen = 64, .ifindex = ifindex};
	struct net_in6_rtmsg rt = {.flags = RTF_UP | RTF_GATEWAY, .metric = 1, .ifindex = ifindex};

	if (s6 < 0) {
		sbx_debug("no IPv6 in the sandbox: %s", strerror(errno));
		return 0;
	}
	inet_pton(AF_INET6, "fd00::100", &ifr6.addr);
	if (ioctl(s6, SIOCSIFADDR, &ifr6) < 0)
		return sbx_error_set(err, errno, "address fd00::100/64 on `%s`", NET_TAP_NAME);
	inet_pton(AF_INET6, "fd00::2", &rt.gateway);
	if (ioctl(s6, SIOCADDRT, &rt) < 0 && errno != EEXIST)
		return sbx_error_set(err, errno, "IPv6 default route via fd00::2");
	return 0;
}

/**
 * net_setup_sandbox() - lo, eth0 and routes in the sandbox's network namespace
 * @mtu:	MTU of eth0
 * @tapfd:	the tap's descriptor, for the helper, on success
 * @err:	error out-parameter
 *
 * Runs in PID 1 with CAP_NET_ADMIN over its own network namespace.
 *
 * Return: 0, or negative with *err set.
 */
int net_setup_sandbox(unsigned mtu, int *tapfd, struct sbx_error **err)
{
	cleanup_close int tap = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	cleanup_close int s4 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = {0};
	struct rtentry rt;
	struct sockaddr_in *sa;
	int ifindex;

	if (tap < 0) {
		sbx_error_set(err, errno, "user-mode networking: `/dev/net/tun`");
		sbx_error_hint(err, "run with `--network none`, or see `sandbox doctor`");
		return -1;
	}
	if (s4 < 0)
		return sbx_error_set(err, errno, "socket");
	if (if_flags_up(s4, "lo", err) < 0)
		return -1;
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", NET_TAP_NAME);
	if (ioctl(tap, TUNSETIFF, &ifr) < 0)
		return sbx_error_set(err, errno, "create the tap device `%s`", NET_TAP_NAME);
	ifr.ifr_mtu = (int)mtu;
	if (ioctl(s4, SIOCSIFMTU, &ifr) < 0)
		return sbx_error_set(err, errno, "MTU %u on `%s`", mtu, NET_TAP_NAME);
	/* fd00::100 is usable at once: no duplicate address detection on a
	 * link whose only other end is libslirp */
	write_sysctl("/proc/sys/net/ipv6/conf/" NET_TAP_NAME "/accept_dad", "0");
	/* no second address from libslirp's router advertisements: the kernel
	 * would answer from it, and a UDP forward's replies must come from
	 * fd00::100 (the forward's address; the helper's gate lets only those
	 * reach a client on the host's loopback) */
	write_sysctl("/proc/sys/net/ipv6/conf/" NET_TAP_NAME "/autoconf", "0");
	if (set_in4(s4, SIOCSIFADDR, "10.0.2.100", "address", err) < 0 ||
	    set_in4(s4, SIOCSIFNETMASK, "255.255.255.0", "netmask", err) < 0 ||
	    if_flags_up(s4, NET_TAP_NAME, err) < 0)
		return -1;
	memset(&rt, 0, sizeof(rt));
	sa = (struct sockaddr_in *)&rt.rt_dst;
	sa->sin_family = AF_INET;
	sa = (struct sockaddr_in *)&rt.rt_genmask;
	sa->sin_family = AF_INET;
	sa = (struct sockaddr_in *)&rt.rt_gateway;
	sa->sin_family = AF_INET;
	inet_pton(AF_INET, "10.0.2.2", &sa->sin_addr);
	rt.rt_flags = RTF_UP | RTF_GATEWAY;
	if (ioctl(s4, SIOCADDRT, &rt) < 0)
		return sbx_error_set(err, errno, "default route via 10.0.2.2");
	ifindex = (int)if_nametoindex(NET_TAP_NAME);
	if (setup_ipv6(ifindex, err) < 0)
		return -1;
	open_ping_sockets();
	*tapfd = take_fd(&tap);
	return 0;
}
