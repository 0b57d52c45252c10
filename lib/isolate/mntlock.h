/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mntlock.h - lock the sandbox's mounts under a nested user namespace */
#ifndef SBX_MNTLOCK_H
#define SBX_MNTLOCK_H

#include "error.h"
#include "userns.h"

/* The nested user namespace PID 1 moves into (a child of its own); -1: mounts not locked. */
struct mntlock {
	int userns;
};

#define MNTLOCK_INIT                                                                                         \
	{                                                                                                    \
		.userns = -1                                                                                 \
	}

int mntlock_prepare(const struct userns_plan *p, unsigned long nsflags, struct mntlock *ml,
		    struct sbx_error **err);
int mntlock_enter(struct mntlock *ml, struct sbx_error **err);

#endif /* SBX_MNTLOCK_H */
