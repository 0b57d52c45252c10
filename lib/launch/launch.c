// SPDX-License-Identifier: GPL-2.0-or-later
/* launch.c - the last steps of a sandbox's command, shared by `run` and `exec`:
 *	      session, stdio, descriptor sweep, privilege drop, execve
 */
#include "launch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <sys/capability.h>

#include "caps.h"
#include "cmdenv.h"
#include "passwd.h"
#include "safepath.h"
#include "seccomp.h"
#include "syscalls.h"
#include "tty.h"
#include "userns.h"
#include "util.h"

/**
 * launch_find_and_exec() - execve @argv, searching PATH of the new environment
 * @argv:	command and arguments
 * @envp:	environment
 * @login:	prefix argv[0] with `-` (a login shell)
 *
 * Return: only on failure: 127 when not found, 126 when not executable.
 */
int launch_find_and_exec(char **argv, char **envp, bool login)
{
	const char *file = argv[0], *path = SBX_DEFAULT_PATH;
	char buf[PATH_MAX];
	int saved = ENOENT;
	char *a0 = argv[0];

	for (char **e = envp; *e; e++)
		if (strncmp(*e, "PATH=", 5) == 0)
			path = *e + 5;
	if (login)
		argv[0] = xasprintf("-%s", util_basename(a0));
	if (strchr(file, '/')) {
		execve(file, argv, envp);
		saved = errno;
	} else {
		for (const char *p = path; *p;) {
			const char *end = strchrnul(p, ':');
			int n = snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(end - p), p, end == p ? "" : "/",
					 file);

			if (n > 0 && (size_t)n < sizeof(buf)) {
				execve(buf, argv, envp);
				if (errno != ENOENT && errno != ENOTDIR)
					saved = errno;
			}
			p = *end ? end + 1 : end;
		}
	}
	sbx_log(SBX_LOG_ERROR, "exec `%s`: %s", file, strerror(saved));
	return saved == ENOENT || saved == ENOTDIR ? SBX_EXIT_NOT_FOUND : SBX_EXIT_CANNOT_EXEC;
}

/**
 * launch_drop_bounding() - drop every capability not in @keep from the
 *			    bounding set
 * @keep:	the capabilities to keep
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int launch_drop_bounding(uint64_t keep, struct sbx_error **err)
{
	for (int cap = 0; cap <= 63; cap++) {
		if (keep & (1ULL << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
			if (errno == EINVAL)
				break; /* above the kernel's last capability */
			return sbx_error_set(err, errno, "drop capability %d from the bounding set", cap);
		}
	}
	return 0;
}

/*
 * After setresuid() to a non-root user the kernel has cleared the permitted,
 * effective and ambient sets; the inheritable set is cleared here.
 */
static int clear_caps(struct sbx_error **err)
{
	cap_t empty = cap_init();
	int r;

	if (!empty)
		return sbx_error_set(err, errno, "clear capabilities");
	r = cap_set_proc(empty);
	cap_free(empty);
	if (r < 0)
		return sbx_error_set(err, errno, "clear capabilities");
	return 0;
}

/**
 * launch_drop_privileges() - the command's privilege drop, shared by `run` and
 *			   `exec`: bounding set, groups, user, capabilities,
 *			   no_new_privs and the seccomp filter, in that order
 * @p:		what to apply
 * @creds:	the user (its groups are filtered to those mapped inside)
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set (the caller must not exec then).
 */
int launch_drop_privileges(const struct launch_privs *p, struct passwd_creds *creds, struct sbx_error **err)
{
	bool root = creds->uid == 0;

	/* without no_new_privs, loading a filter needs CAP_SYS_ADMIN: do it
	 * while we still have it, as runc does */
	if (!p->no_new_privs && p->filter && seccomp_load_filter(p->filter, err) < 0)
		return -1;
	if (launch_drop_bounding(p->caps, err) < 0)
		return -1;
	if (p->can_setgroups) {
		size_t n = 0;

		/* groups of the image without an ID outside cannot be joined */
		for (size_t i = 0; i < creds->n_groups; i++)
			if (userns_gid_mapped(p->plan, creds->groups[i]))
				creds->groups[n++] = creds->groups[i];
		if (setgroups(n, creds->groups) < 0)
			return sbx_error_set(err, errno, "setgroups");
	}
	if (setresgid(creds->gid, creds->gid, creds->gid) < 0) {
		sbx_error_set(err, errno, "setgid %u", (unsigned)creds->gid);
		if (!userns_gid_mapped(p->plan, creds->gid))
			sbx_error_hint(err, "gid %u is not mapped in the user namespace (see /etc/subgid)",
				       (unsigned)creds->gid);
		return -1;
	}
	if (setresuid(creds->uid, creds->uid, creds->uid) < 0) {
		sbx_error_set(err, errno, "setuid %u", (unsigned)creds->uid);
		if (!userns_uid_mapped(p->plan, creds->uid))
			sbx_error_hint(err, "uid %u is not mapped in the user namespace (see /etc/subuid)",
				       (unsigned)creds->uid);
		return -1;
	}
	if (root) {
		if (caps_apply(p->caps, err) < 0)
			return -1;
	} else if (clear_caps(err) < 0) {
		return -1;
	}
	if (p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return sbx_error_set(err, errno, "set no_new_privs");
	if (p->no_new_privs && p->filter && seccomp_load_filter(p->filter, err) < 0)
		return -1;
	return 0;
}

/**
 * launch_leave_caller_session() - a session and a session keyring of our own
 * @err:	error out-parameter
 *
 * Called first in every process that starts a sandbox's processes (PID 1,
 * the child of `sandbox exec`). The caller's session and process group
 * are left (tty_new_session()): nothing inside holds the caller's terminal
 * as its controlling terminal (no TIOCSTI into the user's shell, whatever
 * the seccomp profile), and kill(0, ...) or a signal to the process group
 * cannot reach the caller's shell or pipeline.
 *
 * The session keyring is inherited across fork and exec: the caller's
 * (pam_keyinit's, with the user's keys) would be searchable and readable,
 * as its possessor, by a sandbox allowed keyctl (--privileged,
 * seccomp=unconfined). A new anonymous one is joined instead, as runc and
 * crun do. A kernel without keys (ENOSYS), or a host seccomp filter that
 * refuses keyctl (EPERM, then refused inside too), is fine.
 *
 * Return: 0, or negative with *err set.
 */
int launch_leave_caller_session(struct sbx_error **err)
{
	if (tty_new_session(err) < 0)
		return -1;
	if (sys_keyctl_join_session(NULL) < 0 && errno != ENOSYS && errno != EPERM) {
		int e = errno;

		sbx_error_set(err, e, "join a new session keyring");
		if (e == EDQUOT)
			sbx_error_hint(err,
				       "the user's key quota is used up (see /proc/sys/kernel/keys/maxkeys)");
		return -1;
	}
	return 0;
}

/*
 * Without -t, stdout and stderr may be the caller's terminal, which the
 * user's shell opened read-write: in a session of its own the sandbox could
 * read what the user types at the shell through them, out of reach of job
 * control (SIGTTIN is for a controlling terminal only). Such a descriptor
 * is replaced by a write-only open of the same terminal. Where the terminal
 * cannot be opened again (another user's), it is kept as it is.
 */
static void terminal_write_only(int fd)
{
	int flags = fcntl(fd, F_GETFL);
	char path[32];
	int w;

	if (flags < 0 || (flags & O_ACCMODE) == O_WRONLY || !isatty(fd))
		return;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	w = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC | (flags & (O_APPEND | O_NONBLOCK)));
	if (w < 0) {
		sbx_debug("fd %d stays the terminal as opened: reopen it write-only: %s", fd,
			  strerror(errno));
		return;
	}
	if (dup2(w, fd) < 0)
		sbx_debug("fd %d stays the terminal as opened: %s", fd, strerror(errno));
	close(w);
}

/**
 * launch_prepare_stdio() - the command's terminal, stdin and working directory,
 *			 in its own process right before the privilege drop
 * @pty_slave:	the pty's slave (-t): made the controlling terminal and 0/1/2
 * @interactive: -i: keep stdin (a pipe from the supervisor when it was the
 *		caller's terminal: tty_input_relay_open()); otherwise stdin is
 *		/dev/null (without -t)
 * @workdir:	directory to change to
 * @err:	error out-parameter
 *
 * Shared by `run` and `exec`. Without -t, a terminal as stdout or stderr
 * becomes write-only (terminal_write_only()).
 *
 * Return: 0, or negative with *err set.
 */
int launch_prepare_stdio(int pty_slave, bool interactive, const char *workdir, struct sbx_error **err)
{
	if (pty_slave >= 0 && tty_make_controlling(pty_slave, err) < 0)
		return -1;
	if (!interactive && pty_slave < 0) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (null >= 0 && null != STDIN_FILENO) {
			dup2(null, STDIN_FILENO);
			close(null);
		}
	}
	if (pty_slave < 0) {
		terminal_write_only(STDOUT_FILENO);
		terminal_write_only(STDERR_FILENO);
	}
	/* no descriptor of the host may be open while the working directory
	 * is resolved (CVE-2024-21626): nothing above 2 is needed from here on */
	if (launch_close_fds_above_stdio(err) < 0)
		return -1;
	if (safepath_chdir(workdir, err) < 0)
		return sbx_error_wrap(err, "working directory `%s`", workdir);
	return 0;
}

/**
 * sweep_fds() - close, or mark close-on-exec, every descriptor above 2
 * @close_them:	true: close them; false: mark them FD_CLOEXEC
 * @err:	error out-parameter
 *
 * close_range(2) first; before Linux 5.9 (5.11 for CLOSE_RANGE_CLOEXEC), or
 * where a filter of the host refuses it, each descriptor listed in
 * /proc/self/fd is handled one by one.
 *
 * Return: 0, or negative with *err set (the caller must not exec then).
 */
static int sweep_fds(bool close_them, struct sbx_error **err)
{
	const char *what = close_them ? "close" : "mark close-on-exec";
	cleanup_close int dfd = -1;
	DIR *d;
	struct dirent *e;

	if (sys_close_range(3, ~0U, close_them ? 0 : CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	sbx_debug("close_range: %s: %s /proc/self/fd one by one", strerror(errno), what);
	dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || !(d = fdopendir(dfd)))
		return sbx_error_set(err, errno, "%s descriptors: `/proc/self/fd`", what);
	dfd = -1; /* the DIR owns it now */
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);
		int r = 0;

		if (fd <= 2 || fd == dirfd(d))
			continue;
		r = close_them ? close(fd) : fcntl(fd, F_SETFD, FD_CLOEXEC);
		if (r < 0 && errno != EBADF) {
			int saved = errno;

			closedir(d);
			return sbx_error_set(err, saved, "%s descriptor %d", what, fd);
		}
	}
	closedir(d);
	return 0;
}

/**
 * launch_mark_fds_cloexec() - mark every descriptor above 2 close-on-exec
 * @err:	error out-parameter
 *
 * Called before the seccomp filter is loaded: a profile that does not
 * allow close_range(2) would otherwise make it fail and leave descriptors
 * of the caller (inherited without O_CLOEXEC) open in the command.
 *
 * Return: 0, or negative with *err set (the caller must not exec then).
 */
int launch_mark_fds_cloexec(struct sbx_error **err)
{
	return sweep_fds(false, err);
}

/**
 * launch_close_fds_above_stdio() - close every descriptor above 2
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int launch_close_fds_above_stdio(struct sbx_error **err)
{
	return sweep_fds(true, err);
}
