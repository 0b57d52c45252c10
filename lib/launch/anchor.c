// SPDX-License-Identifier: GPL-2.0-or-later
/* anchor.c - what a sandbox's PID 1 is in (namespaces, root), recorded for `exec`
 *
 * Theory of operation:
 *
 * `sandbox exec` cannot look at PID 1 itself: our init never exec'd, its
 * memory belongs to the host's user namespace and it is not dumpable, so
 * the kernel refuses us its /proc/1/ns and /proc/1/root (exec.c joins
 * through a child of PID 1 instead). But a child is whatever the command
 * made of itself: it may have chroot()ed into a fake tree, or entered
 * namespaces of its own (a nested user namespace needs no privilege), and
 * an exec that followed it would show the inspector the tree the command
 * chose, with that tree's /etc/passwd for -u.
 *
 * So PID 1 records, once its root is final and before anything of the
 * user's runs, the device and inode numbers of its namespaces and its root
 * (anchor_record()). With CAP_SYS_ADMIN in the command's set those are the
 * nested user namespace and the locked copy of the mount namespace PID 1
 * moved into before (mntlock.c), which the command inherits: a command that
 * unshares a user and mount namespace of its own then (it may) is not
 * followed either. It sends them to the supervisor, which keeps them in
 * RUNROOT/<id>/anchor (anchor_write(), written before the pid file that
 * makes the sandbox "running"; anchor_read() is the one reader). exec
 * joins only a process whose namespaces all match (anchor_check_ns()),
 * checks its own namespaces again after setns(2) (the process could have
 * moved in between), and takes a root only when it is PID 1's
 * (anchor_enter_root()).
 */
#include "anchor.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

const char *const anchor_ns_names[ANCHOR_N_NS] = {"user", "mnt", "pid", "uts", "ipc", "net", "cgroup"};
const int anchor_ns_flags[ANCHOR_N_NS] = {CLONE_NEWUSER, CLONE_NEWNS,  CLONE_NEWPID,   CLONE_NEWUTS,
					  CLONE_NEWIPC,	 CLONE_NEWNET, CLONE_NEWCGROUP};

/**
 * anchor_record() - the namespaces and the root of this process (PID 1,
 *		     after its root is set up)
 * @a:		filled
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int anchor_record(struct anchor *a, struct sbx_error **err)
{
	struct stat st;

	memset(a, 0, sizeof(*a));
	for (int i = 0; i < ANCHOR_N_NS; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/self/ns/%s", anchor_ns_names[i]);
		if (stat(path, &st) < 0)
			return sbx_error_set(err, errno, "stat `%s`", path);
		a->ns_dev = st.st_dev;
		a->ns_ino[i] = st.st_ino;
	}
	if (stat("/", &st) < 0)
		return sbx_error_set(err, errno, "stat `/`");
	a->root_dev = st.st_dev;
	a->root_ino = st.st_ino;
	return 0;
}

/**
 * anchor_write() - keep @a in @rundir/anchor
 * @rundir:	RUNROOT/<id>
 * @a:		what PID 1 recorded
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int anchor_write(const char *rundir, const struct anchor *a, struct sbx_error **err)
{
	cleanup_free char *path = xasprintf("%s/anchor", rundir);
	cleanup_free char *tmp = xasprintf("%s/.anchor.tmp", rundir);
	char buf[1024];
	int n;

	n = snprintf(buf, sizeof(buf), "root %llu %llu\nnsfs %llu\n", a->root_dev, a->root_ino, a->ns_dev);
	for (int i = 0; i < ANCHOR_N_NS; i++)
		n +=
		    snprintf(buf + n, sizeof(buf) - (size_t)n, "%s %llu\n", anchor_ns_names[i], a->ns_ino[i]);
	if (util_write_file_at(AT_FDCWD, tmp, buf, (size_t)n, 0644, err) < 0)
		return -1;
	if (rename(tmp, path) < 0)
		return sbx_error_set(err, errno, "rename `%s`", tmp);
	return 0;
}

/**
 * anchor_read() - what anchor_write() kept
 * @rundir:	RUNROOT/<id>
 * @a:		filled
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set (missing or incomplete).
 */
int anchor_read(const char *rundir, struct anchor *a, struct sbx_error **err)
{
	cleanup_free char *path = xasprintf("%s/anchor", rundir);
	char buf[1024];
	unsigned seen = 0;

	memset(a, 0, sizeof(*a));
	if (util_read_small(path, buf, sizeof(buf)) < 0)
		return sbx_error_set(err, errno, "read `%s`", path);
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		char key[16];
		unsigned long long x, y;
		int k = sscanf(line, "%15s %llu %llu", key, &x, &y);

		if (k == 3 && strcmp(key, "root") == 0) {
			a->root_dev = x;
			a->root_ino = y;
			seen |= 1U << ANCHOR_N_NS;
		} else if (k == 2 && strcmp(key, "nsfs") == 0) {
			a->ns_dev = x;
			seen |= 1U << (ANCHOR_N_NS + 1);
		} else if (k == 2) {
			for (int i = 0; i < ANCHOR_N_NS; i++) {
				if (strcmp(key, anchor_ns_names[i]) == 0) {
					a->ns_ino[i] = x;
					seen |= 1U << i;
				}
			}
		}
	}
	if (seen != (1U << (ANCHOR_N_NS + 2)) - 1)
		return sbx_error_set(err, EINVAL, "`%s` is incomplete", path);
	return 0;
}

/**
 * anchor_check_ns() - whether a process is in the sandbox's namespaces
 * @procfd:	O_PATH descriptor of /proc/PID: a process of the sandbox
 *		before we join it, or our own after the setns()
 * @joined:	@procfd is ours after joining: setns(CLONE_NEWPID) changes
 *		only pid_for_children
 * @a:		what PID 1 recorded
 * @own_netns:	the sandbox has its own network namespace (else it is
 *		not joined, and not compared)
 * @err:	error out-parameter
 *
 * Return: 0 when every namespace is PID 1's, negative with *err set.
 */
int anchor_check_ns(int procfd, bool joined, const struct anchor *a, bool own_netns, struct sbx_error **err)
{
	for (int i = 0; i < ANCHOR_N_NS; i++) {
		char path[64];
		struct stat st;

		if (i == ANCHOR_NET && !own_netns)
			continue;
		snprintf(path, sizeof(path), "ns/%s%s", anchor_ns_names[i],
			 i == ANCHOR_PID && joined ? "_for_children" : "");
		if (fstatat(procfd, path, &st, 0) < 0)
			return sbx_error_set(err, errno, "stat `%s`", path);
		if (st.st_dev != a->ns_dev || st.st_ino != a->ns_ino[i])
			return sbx_error_set(err, 0, "the %s namespace is not the one of the sandbox's PID 1",
					     anchor_ns_names[i]);
	}
	return 0;
}

/* Whether @fd (or the working directory, for AT_FDCWD) is PID 1's root. */
static bool is_anchor_root(int fd, const struct anchor *a)
{
	struct stat st;

	if (fd == AT_FDCWD ? stat(".", &st) < 0 : fstat(fd, &st) < 0)
		return false;
	return st.st_dev == a->root_dev && st.st_ino == a->root_ino;
}

/**
 * anchor_enter_root() - make PID 1's root ours, after joining the sandbox's
 *			 mount namespace
 * @a:		what PID 1 recorded
 * @rootfd:	O_PATH descriptor of the root of the process joined, opened
 *		before the setns(), or -1
 * @err:	error out-parameter
 *
 * Joining the mount namespace puts us at the root of its mount tree, which
 * is PID 1's root, unless something was mounted over it since: then the
 * joined process's root is taken if it is PID 1's (the command's own root
 * is whatever it chroot()ed into, and is never taken otherwise).
 *
 * Return: 0, or negative with *err set (PID 1's root is out of reach).
 */
int anchor_enter_root(const struct anchor *a, int rootfd, struct sbx_error **err)
{
	if (chdir("/") < 0)
		return sbx_error_set(err, errno, "chdir `/`");
	if (is_anchor_root(AT_FDCWD, a))
		return 0;
	if (rootfd >= 0 && is_anchor_root(rootfd, a)) {
		if (fchdir(rootfd) < 0 || chroot(".") < 0 || chdir("/") < 0)
			return sbx_error_set(err, errno, "enter the root of the sandbox's PID 1");
		return 0;
	}
	return sbx_error_set(err, 0,
			     "the root of the sandbox's PID 1 is out of reach "
			     "(something was mounted over it)");
}
