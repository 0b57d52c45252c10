/* SPDX-License-Identifier: GPL-2.0-or-later */
/* anchor.h - what a sandbox's PID 1 is in (namespaces, root), recorded for `exec` */
#ifndef SBX_ANCHOR_H
#define SBX_ANCHOR_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

/* The namespaces, in the order of anchor_ns_names[]. */
enum { ANCHOR_USER, ANCHOR_MNT, ANCHOR_PID, ANCHOR_UTS, ANCHOR_IPC, ANCHOR_NET, ANCHOR_CGROUP, ANCHOR_N_NS };

extern const char *const anchor_ns_names[ANCHOR_N_NS];
extern const int anchor_ns_flags[ANCHOR_N_NS];

/* Device and inode numbers: of each namespace (nsfs) and of the root. */
struct anchor {
	unsigned long long ns_dev;
	unsigned long long ns_ino[ANCHOR_N_NS];
	unsigned long long root_dev, root_ino;
};

int anchor_record(struct anchor *a, struct sbx_error **err);
int anchor_write(const char *rundir, const struct anchor *a, struct sbx_error **err);
int anchor_read(const char *rundir, struct anchor *a, struct sbx_error **err);
int anchor_check_ns(int procfd, bool joined, const struct anchor *a, bool own_netns, struct sbx_error **err);
int anchor_enter_root(const struct anchor *a, int rootfd, struct sbx_error **err);

#endif /* SBX_ANCHOR_H */
