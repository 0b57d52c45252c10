/* SPDX-License-Identifier: GPL-2.0-or-later */
/* caps.h - capability sets: parse names, compute --cap-add/--cap-drop, apply
 *
 * A set is a uint64_t with bit N standing for capability N (CAP_CHOWN = 0).
 * All capabilities here live inside the sandbox's user namespace: they
 * grant nothing over the host.
 */
#ifndef SBX_CAPS_H
#define SBX_CAPS_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/capability.h>

#include "error.h"
#include "util.h"

#define CAPS_BIT(cap) (UINT64_C(1) << (cap))

/* podman's default set (containers.conf default_capabilities) */
#define CAPS_DEFAULT_SET                                                                                     \
	(CAPS_BIT(CAP_CHOWN) | CAPS_BIT(CAP_DAC_OVERRIDE) | CAPS_BIT(CAP_FOWNER) | CAPS_BIT(CAP_FSETID) |    \
	 CAPS_BIT(CAP_KILL) | CAPS_BIT(CAP_NET_BIND_SERVICE) | CAPS_BIT(CAP_SETFCAP) |                       \
	 CAPS_BIT(CAP_SETGID) | CAPS_BIT(CAP_SETPCAP) | CAPS_BIT(CAP_SETUID) | CAPS_BIT(CAP_SYS_CHROOT))

int caps_parse_name(const char *name, int *cap);
uint64_t caps_kernel_set(void);
int caps_compute(const struct strv *add, const struct strv *drop, bool privileged, uint64_t *set,
		 struct sbx_error **err);
int caps_apply(uint64_t set, struct sbx_error **err);
char *caps_format(uint64_t set);

#endif /* SBX_CAPS_H */
