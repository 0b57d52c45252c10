/* SPDX-License-Identifier: GPL-2.0-or-later */
/* net.h - user-mode networking: -p specs, the sandbox's tap, the libslirp helper */
#ifndef SBX_NET_H
#define SBX_NET_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "error.h"

#define NET_MTU_DEFAULT 65520
#define NET_MTU_MIN	1280  /* IPv6's minimum */
#define NET_MTU_MAX	65521 /* libslirp's IF_MTU_MAX */
#define NET_TAP_NAME	"eth0"

/* -p [HOSTIP:]HOSTPORT:PORT[/tcp|/udp]; HOSTIP is IPv4 or [IPv6] */
struct net_publish {
	bool udp;
	bool ipv6;		    /* HOSTIP was [IPv6]: host_addr6, not host_addr */
	struct in_addr host_addr;   /* INADDR_ANY without HOSTIP */
	struct in6_addr host_addr6; /* in6addr_any for [::] */
	uint16_t host_port;
	uint16_t guest_port;
};

/* What the helper needs besides the tap. */
struct net_helper_config {
	unsigned mtu;
	bool allow_host_loopback;
	const struct net_publish *publish;
	size_t n_publish;
	int userns_fd, netns_fd; /* the sandbox's (-1: none): TCP forwards splice into it */
};

int net_parse_publish(const char *spec, struct net_publish *out, struct sbx_error **err);
int net_parse_slirp_options(const char *opts, unsigned *mtu, struct sbx_error **err);
socklen_t net_publish_host_sockaddr(const struct net_publish *p, struct sockaddr_storage *ss);
int net_check_publish(const struct net_publish *p, size_t n, struct sbx_error **err);
int net_check_tun(struct sbx_error **err);
int net_setup_sandbox(unsigned mtu, int *tapfd, struct sbx_error **err);
/* A running helper: its pid, and the read end of the pipe that is its stderr. */
struct net_helper {
	pid_t pid; /* 0: none */
	int log;   /* -1: none; the supervisor forwards its lines (supervise.c) */
};
#define NET_HELPER_INIT                                                                                      \
	{                                                                                                    \
		.pid = 0, .log = -1                                                                          \
	}

int net_helper_start(int tapfd, const struct net_helper_config *cfg, struct net_helper *h,
		     struct sbx_error **err);
void net_helper_stop(struct net_helper *h);

#endif /* SBX_NET_H */
