// SPDX-License-Identifier: GPL-2.0-or-later
/* mntlock.c - lock the sandbox's mounts under a nested user namespace
 *
 * Theory of operation. PID 1 builds the root (rootfs.c) in a mount
 * namespace its own user namespace U1 owns, so root of U1 may undo any of
 * it: unmount the masks over /proc, remount a read-only bind of the caller's
 * directories read-write. That is harmless while the command has no
 * CAP_SYS_ADMIN; with --cap-add SYS_ADMIN (ALL, --privileged) the command
 * runs in a user namespace U2, a child of U1, and in a mount namespace U2
 * owns, copied from PID 1's after the root is built. The kernel marks every
 * mount copied into a less privileged mount namespace MNT_LOCKED, with its
 * read-only, nosuid, nodev, noexec and atime flags locked too: root of U2
 * can mount on top, but not unmount, move or remount what it was given
 * (bubblewrap does the same). U2 maps exactly the IDs of U1 (identity), so
 * files and users look the same.
 *
 * A capability only counts in the namespaces its user namespace owns, so
 * the network, UTS and IPC namespaces are created together with U2, before
 * the network and the root are set up (PID 1 joins them): --cap-add
 * NET_ADMIN, NET_RAW, NET_BIND_SERVICE and sethostname keep working for the
 * command. The PID and cgroup namespaces stay U1's: with CAP_SYS_ADMIN the
 * command still cannot mount a new /proc or cgroup2 (a fresh proc would
 * also show what the masks hide, which the kernel refuses anyway).
 *
 * Stages, all in PID 1 before the root is built (mntlock_prepare()):
 *  1. clone a holder H with CLONE_NEWUSER and the other new namespaces; H
 *     sends its /proc/self directory (the host's /proc still answers
 *     /proc/PID with host PIDs: the sandbox's PID of H would name another
 *     process there) and waits for the socket to close;
 *  2. PID 1, root of U1 (the parent of U2), writes H's uid_map and gid_map
 *     (only a writer in the parent namespace may map more than one ID),
 *     opens H's user namespace, joins its network, UTS and IPC namespaces;
 *  3. closes the socket and reaps H.
 * Once the root is built (mntlock_enter(), PID 1 again): setns() into U2
 * and unshare(CLONE_NEWNS), once. PID 1 itself is then in U2 and the locked
 * copy M2, and every process of the sandbox is forked from it: the command
 * (run does not unshare per process), and PID 1's anchor (anchor.c) records
 * U2 and M2, so `sandbox exec` joins exactly those, checked by identity. A
 * command that unshares namespaces of its own (it may, with CAP_SYS_ADMIN)
 * does not take exec there. Nothing is left in U1's mount namespace M1,
 * whose mounts were not locked: it goes away with PID 1's move. PID 1 needs
 * nothing of U1 after the root is built (its capabilities in U2 cover the
 * network, UTS and IPC namespaces; the PID and cgroup namespaces are only
 * waited in).
 */
#include "mntlock.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "syscalls.h"
#include "tty.h"
#include "util.h"

/* The namespaces PID 1 joins, created with U2 (so that U2 owns them). */
static const struct {
	const char *name;
	int flag;
} joined[] = {
    {"net", CLONE_NEWNET},
    {"uts", CLONE_NEWUTS},
    {"ipc", CLONE_NEWIPC},
};

/* In H: hand over our /proc/self, wait until PID 1 is done. Never returns. */
static _Noreturn void holder(int sock)
{
	int self;
	char b;

	/* our /proc files belong to us, so PID 1 may write our maps */
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	self = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (self < 0 || tty_send_fd(sock, self, NULL, 0, NULL) < 0)
		_exit(1);
	while (read(sock, &b, 1) > 0)
		;
	_exit(0);
}

/**
 * write_identity_map() - map in a child user namespace the IDs its parent maps
 * @procfd:	/proc/PID of a process in the child namespace
 * @file:	"uid_map" or "gid_map"
 * @r:		the parent namespace's map (only inside and count are used)
 * @n:		number of lines
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
static int write_identity_map(int procfd, const char *file, const struct userns_range *r, size_t n,
			      struct sbx_error **err)
{
	cleanup_free char *buf = xcalloc(n ? n : 1, 40);
	cleanup_close int fd = -1;
	size_t len = 0;

	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, 40, "%u %u %u\n", r[i].inside, r[i].inside, r[i].count);
	fd = openat(procfd, file, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len)
		return sbx_error_set(err, errno, "write the nested user namespace's %s", file);
	return 0;
}

/**
 * adopt_holder() - map the holder's user namespace, keep it, join its others
 * @p:		the ID plan of PID 1's user namespace
 * @procfd:	/proc/PID of the holder
 * @nsflags:	which of net, uts, ipc the holder created
 * @ml:		set: userns
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
static int adopt_holder(const struct userns_plan *p, int procfd, unsigned long nsflags, struct mntlock *ml,
			struct sbx_error **err)
{
	if (write_identity_map(procfd, "uid_map", p->uid, p->n_uid, err) < 0 ||
	    write_identity_map(procfd, "gid_map", p->gid, p->n_gid, err) < 0)
		return -1;
	ml->userns = openat(procfd, "ns/user", O_RDONLY | O_CLOEXEC);
	if (ml->userns < 0)
		return sbx_error_set(err, errno, "open the nested user namespace");
	for (size_t i = 0; i < ARRAY_SIZE(joined); i++) {
		cleanup_close int fd = -1;
		char path[16];

		if (!(nsflags & (unsigned long)joined[i].flag))
			continue;
		snprintf(path, sizeof(path), "ns/%s", joined[i].name);
		fd = openat(procfd, path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, joined[i].flag) < 0)
			return sbx_error_set(err, errno, "join the nested %s namespace", joined[i].name);
	}
	return 0;
}

/**
 * mntlock_prepare() - create the command's user namespace, a child of ours
 *		       (stages 1-3 above); in PID 1 before the root is built
 * @p:		the ID plan of PID 1's user namespace (mapped already)
 * @nsflags:	CLONE_NEWNET, CLONE_NEWUTS, CLONE_NEWIPC: created with it and
 *		joined by the caller, so that the command's capabilities
 *		apply there
 * @ml:		set to the new user namespace
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int mntlock_prepare(const struct userns_plan *p, unsigned long nsflags, struct mntlock *ml,
		    struct sbx_error **err)
{
	cleanup_close int procfd = -1;
	int sv[2], ret, status;
	pid_t h;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return sbx_error_set(err, errno, "socketpair");
	h = sys_clone_fork(CLONE_NEWUSER | nsflags);
	if (h < 0) {
		sbx_error_set(err, errno, "create the nested user namespace");
		close(sv[0]);
		close(sv[1]);
		return sbx_error_wrap(err, "lock the mounts");
	}
	if (h == 0) {
		close(sv[0]);
		holder(sv[1]);
	}
	close(sv[1]);
	ret = tty_recv_fd(sv[0], &procfd, NULL, 0, err);
	if (ret == 0 && procfd < 0)
		ret = sbx_error_set(err, EPROTO, "the nested user namespace's holder failed");
	if (ret == 0)
		ret = adopt_holder(p, procfd, nsflags, ml, err);
	close(sv[0]);
	while (waitpid(h, &status, 0) < 0 && errno == EINTR)
		;
	return ret < 0 ? sbx_error_wrap(err, "lock the mounts") : 0;
}

/**
 * mntlock_enter() - move PID 1 into the nested user namespace and a copy of
 *		     its mount namespace, where every mount is locked; once,
 *		     after the root is built and before anything of the user's
 *		     is forked; a no-op when mntlock_prepare() was not called
 * @ml:		from mntlock_prepare(); its descriptor is closed
 * @err:	error out-parameter
 *
 * The copy made here is the sandbox's mount namespace from then on: the
 * command inherits it and exec joins it (PID 1's anchor names it).
 *
 * Return: 0, or negative with *err set.
 */
int mntlock_enter(struct mntlock *ml, struct sbx_error **err)
{
	cleanup_close int userns = ml->userns;

	ml->userns = -1;
	if (userns < 0)
		return 0;
	if (setns(userns, CLONE_NEWUSER) < 0)
		return sbx_error_set(err, errno, "join the nested user namespace");
	if (unshare(CLONE_NEWNS) < 0)
		return sbx_error_set(err, errno, "copy the mount namespace (locks the mounts)");
	return 0;
}
