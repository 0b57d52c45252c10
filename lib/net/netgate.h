/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netgate.h - the host-loopback gate: which frames from the sandbox's tap reach libslirp */
#ifndef SBX_NETGATE_H
#define SBX_NETGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct netgate {
	bool open; /* --allow-host-loopback: every frame passes */
};

void netgate_init(struct netgate *g, bool open);
bool netgate_pass(const struct netgate *g, const uint8_t *frame, size_t len);

#endif /* SBX_NETGATE_H */
