/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rootfs.h - the sandbox's mount namespace: root, /proc, /dev, binds, pivot */
#ifndef SBX_ROOTFS_H
#define SBX_ROOTFS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "options.h"

struct rootfs_spec {
	bool host;	     /* the host's / is the image */
	char *const *lowers; /* image layers, topmost first (not host) */
	size_t n_lowers;
	const char *upper; /* writable layer in the store; NULL: in memory */
	const char *work;
	bool volatile_upper;	   /* the writable layer is thrown away (--rm) */
	const char *persist_upper; /* host: writable layers kept in this directory
				      (ROOT/sandboxes/<id>/upper), NULL: in memory */
	bool read_only;		   /* no writable layer at all */
	const char *etc_hostname;  /* contents of the generated /etc files */
	const char *etc_hosts;
	const char *etc_resolv;
	bool own_netns;		 /* sysfs can be mounted fresh */
	bool cgroup_mount;	 /* cgroup2 at /sys/fs/cgroup (own cgroup namespace) */
	bool gid_tty_mapped;	 /* gid 5 exists inside: devpts gid=5 */
	bool privileged;	 /* no masked or read-only /proc paths */
	uid_t caller_uid;	 /* the caller's uid as seen inside */
	const char *caller_home; /* host: real path of the caller's $HOME (overlaid) or NULL */
	const struct sbx_volume *volumes;
	size_t n_volumes;
	const struct sbx_tmpfs *tmpfs;
	size_t n_tmpfs;
};

int rootfs_setup(const struct rootfs_spec *s, struct sbx_error **err);

#endif /* SBX_ROOTFS_H */
