/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netgate.h - the host-loopback gate: which frames from the sandbox's tap reach libslirp */
#ifndef SBX_NETGATE_H
#define SBX_NETGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net.h"

#define NETGATE_MAX_FLOWS 64	 /* UDP forward flows remembered at once */
#define NETGATE_FLOW_MS	  120000 /* a flow's replies are let through this long after its last datagram in */

/* A client on the host's loopback that sent a datagram through a UDP -p forward. */
struct netgate_flow {
	bool used;
	bool ipv6;
	uint16_t guest_port; /* the forward's port inside the sandbox */
	uint16_t host_port;  /* the client's port, as the sandbox sees it on 10.0.2.2 / fd00::2 */
	int64_t expire_ms;
};

struct netgate {
	bool open; /* --allow-host-loopback: every frame passes */
	const struct net_publish *publish;
	size_t n_publish;
	struct netgate_flow flows[NETGATE_MAX_FLOWS];
};

void netgate_init(struct netgate *g, bool open, const struct net_publish *publish, size_t n_publish);
bool netgate_pass(struct netgate *g, const uint8_t *frame, size_t len, int64_t now_ms);
void netgate_note(struct netgate *g, const uint8_t *frame, size_t len, int64_t now_ms);
bool netgate_has_udp_forward(const struct net_publish *publish, size_t n_publish);

#endif /* SBX_NETGATE_H */
