/* SPDX-License-Identifier: GPL-2.0-or-later */
/* overlay.h - kernel overlayfs mounts inside the user namespace */
#ifndef SBX_OVERLAY_H
#define SBX_OVERLAY_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct overlay_layers {
	char *const *lowers; /* lower directories, topmost first */
	size_t n_lowers;
	const char *upper; /* NULL: read-only overlay */
	const char *work;
	bool volatile_upper; /* no syncs: the upper layer is thrown away */
};

/* tests: use the joined `lowerdir` of kernels before 6.8 */
extern bool overlay_force_joined_lowers;
int overlay_mount_fd(const struct overlay_layers *l, int *mntfd, struct sbx_error **err);

#endif /* SBX_OVERLAY_H */
