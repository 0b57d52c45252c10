// SPDX-License-Identifier: GPL-2.0-or-later
/* selfclone.c - run the commands that enter sandboxes from a sealed copy of the binary
 *
 * Theory of operation (CVE-2019-5736, runc's "cloned_binary"):
 *
 * The kernel resolves a script's interpreter in the context of the process
 * that calls execve(2). A process of ours that execs a user command inside
 * a sandbox (run's command under init or with --init=false, exec's child)
 * still has our binary as its /proc/self/exe at that moment, so a script
 * starting `#!/proc/self/exe` makes the kernel load *our binary* inside the
 * sandbox, and while that runs anything in the sandbox can open
 * /proc/PID/exe: the host's file. Installed the rootless way it belongs to
 * the caller, who is root in the sandbox, so it can be rewritten once it
 * exits, and the user's next `sandbox` is the attacker's.
 *
 * So `run`, `shell`, `start` and `exec` first re-execute themselves from a
 * memfd holding a copy of the binary, sealed against every change
 * (F_SEAL_SEAL, SHRINK, GROW, WRITE): every process they fork (the
 * supervisor, PID 1, the command before its execve, the network helper,
 * exec's child) then has that memfd as its executable, which nobody can
 * write. `run`, `shell` and `start` copy the binary (1.8 MB from the page
 * cache: about a millisecond of a start-up of 40); `exec` takes the copy the
 * sandbox's supervisor runs from when it is one of the same file
 * (selfclone_ensure_via()), and copies otherwise. A process that already runs from
 * such a memfd (F_GET_SEALS on /proc/self/exe says so) goes on; the
 * environment marker only stops a loop on a kernel that would not keep the
 * seals, and is removed again before anything else runs.
 */
#include "selfclone.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "syscalls.h"
#include "util.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

#define SELFCLONE_MARKER "_SANDBOX_SEALED_EXE"

static const int selfclone_seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;

extern char **environ;

/**
 * selfclone_is_sealed() - whether this process runs from a sealed memfd
 *
 * Return: true when /proc/self/exe carries every seal selfclone_ensure() sets.
 */
bool selfclone_is_sealed(void)
{
	cleanup_close int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int seals;

	if (fd < 0)
		return false;
	seals = fcntl(fd, F_GET_SEALS);
	return seals >= 0 && (seals & selfclone_seals) == selfclone_seals;
}

/*
 * The name of the copy of the file @st describes: its device, inode, ctime
 * (which nobody but root can set back) and size, so that `sandbox exec`
 * knows a supervisor's copy of this very binary without reading it.
 */
static void copy_name(const struct stat *st, char *buf, size_t size)
{
	snprintf(buf, size, "sandbox:%llx:%llx:%lld.%09ld:%lld", (unsigned long long)st->st_dev,
		 (unsigned long long)st->st_ino, (long long)st->st_ctim.tv_sec, (long)st->st_ctim.tv_nsec,
		 (long long)st->st_size);
}

/* A memfd named @name that may be executed (MFD_EXEC: Linux >= 6.3 asks for it). */
static int memfd_for_exec(const char *name, struct sbx_error **err)
{
	int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);

	if (fd < 0 && errno == EINVAL)
		fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return sbx_error_set(err, errno, "memfd_create");
	return fd;
}

/* Copy all of @src (@size bytes) into @dst: sendfile, else read and write. */
static int copy_all(int dst, int src, off_t size, struct sbx_error **err)
{
	char buf[65536];
	off_t done = 0;

	while (done < size) {
		ssize_t n = sendfile(dst, src, NULL, (size_t)(size - done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EINVAL || errno == ENOSYS))
			break;
		if (n < 0)
			return sbx_error_set(err, errno, "copy the binary");
		if (n == 0)
			return sbx_error_set(err, EIO, "copy the binary: it shrank");
		done += n;
	}
	while (done < size) {
		ssize_t n = read(src, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return sbx_error_set(err, n < 0 ? errno : EIO, "copy the binary");
		if (util_write_all(dst, buf, (size_t)n) < 0)
			return sbx_error_set(err, errno, "copy the binary");
		done += n;
	}
	return 0;
}

/**
 * sealed_copy() - a sealed memfd holding a copy of /proc/self/exe
 * @err:	error out-parameter
 *
 * Return: the memfd (close-on-exec), or negative with *err set.
 */
static int sealed_copy(struct sbx_error **err)
{
	cleanup_close int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	cleanup_close int mfd = -1;
	struct stat st;
	char name[128];

	if (exe < 0 || fstat(exe, &st) < 0)
		return sbx_error_set(err, errno, "open `/proc/self/exe`");
	copy_name(&st, name, sizeof(name));
	mfd = memfd_for_exec(name, err);
	if (mfd < 0)
		return -1;
	if (copy_all(mfd, exe, st.st_size, err) < 0)
		return -1;
	if (fcntl(mfd, F_ADD_SEALS, selfclone_seals) < 0)
		return sbx_error_set(err, errno, "seal the copy of the binary");
	return take_fd(&mfd);
}

/* Run the sealed copy @mfd with @argv; returns only on failure. */
static int exec_sealed(int mfd, char **argv, struct sbx_error **err)
{
	int e;

	if (setenv(SELFCLONE_MARKER, "1", 1) < 0)
		return sbx_error_set(err, errno, "setenv");
	fexecve(mfd, argv, environ);
	e = errno;
	unsetenv(SELFCLONE_MARKER);
	sbx_error_set(err, e, "execute the sealed copy of the binary");
	if (e == EACCES || e == EPERM)
		sbx_error_hint(err, "memfds may not be executed here (sysctl vm.memfd_noexec=2?)");
	return -1;
}

/* Whether this process already runs from a sealed copy (then go on). */
static bool running_sealed(char **argv, struct sbx_error **err)
{
	if (selfclone_is_sealed()) {
		unsetenv(SELFCLONE_MARKER);
		/* the kernel named us after the memfd: `ps` shows what was typed */
		prctl(PR_SET_NAME, util_basename(argv[0]), 0, 0, 0);
		return true;
	}
	if (getenv(SELFCLONE_MARKER)) {
		unsetenv(SELFCLONE_MARKER);
		sbx_error_set(err, 0, "the kernel did not keep the seals of the binary's copy");
	}
	return false;
}

/**
 * selfclone_ensure() - re-execute from a sealed memfd copy unless already
 *			running from one
 * @argv:	our argv, passed on unchanged
 * @err:	error out-parameter
 *
 * Return: 0 when this process runs from the sealed copy (then the marker
 * is gone from the environment); does not return when it re-executed;
 * negative with *err set when it cannot (the caller must not go on: it
 * would expose the binary to the sandbox).
 */
int selfclone_ensure(char **argv, struct sbx_error **err)
{
	cleanup_close int mfd = -1;

	if (running_sealed(argv, err))
		return 0;
	if (*err)
		return -1;
	mfd = sealed_copy(err);
	if (mfd < 0)
		return sbx_error_wrap(err, "run from a sealed copy of the binary");
	return exec_sealed(mfd, argv, err);
}

/* Whether @fd is a sealed copy of the binary with the identity @want. */
static bool is_sealed_copy_of(int fd, const char *want)
{
	char link[64], target[320];
	int seals = fcntl(fd, F_GET_SEALS);
	ssize_t n;

	if (seals < 0 || (seals & selfclone_seals) != selfclone_seals)
		return false;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	/* the kernel shows a memfd as `/memfd:NAME (deleted)` */
	return strncmp(target, "/memfd:", 7) == 0 && strncmp(target + 7, want, strlen(want)) == 0 &&
	       strcmp(target + 7 + strlen(want), " (deleted)") == 0;
}

/* Whether the process of the /proc directory @procdir is in our user namespace. */
static bool same_user_ns(int procdir)
{
	struct stat mine, theirs;

	return stat("/proc/self/ns/user", &mine) == 0 && fstatat(procdir, "ns/user", &theirs, 0) == 0 &&
	       mine.st_dev == theirs.st_dev && mine.st_ino == theirs.st_ino;
}

/**
 * selfclone_ensure_via() - selfclone_ensure(), reusing the sealed copy
 *			    another process runs from when it is ours
 * @argv:	our argv, passed on unchanged
 * @pid:	a process that ran selfclone_ensure() (a sandbox's supervisor)
 * @err:	error out-parameter
 *
 * `sandbox exec` is worth a millisecond less: the supervisor of the
 * sandbox it enters keeps a sealed copy alive. It is taken when it carries
 * every seal (nobody can change it any more) and was copied from our very
 * file: the copy's name holds the device, inode, ctime and size of the file
 * it was made from (copy_name()); an older sandbox's copy differs. The
 * process must be in our own user namespace, looked up through its /proc
 * directory (a reused pid makes the lookups fail): a sandbox's processes
 * run as the caller's uid seen from here and could have made a sealed
 * memfd with the expected name.
 *
 * Return: as selfclone_ensure().
 */
int selfclone_ensure_via(char **argv, pid_t pid, struct sbx_error **err)
{
	cleanup_close int procdir = -1;
	cleanup_close int theirs = -1;
	struct stat st;
	char path[64], name[128];

	if (running_sealed(argv, err))
		return 0;
	if (*err || pid <= 0)
		return *err ? -1 : selfclone_ensure(argv, err);
	if (stat("/proc/self/exe", &st) < 0)
		return selfclone_ensure(argv, err);
	copy_name(&st, name, sizeof(name));
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	procdir = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* only a process of our own user namespace: one in a sandbox (the
	 * caller's uid from here, its pid maybe reused) must never hand us
	 * a memfd of its making to run on the host */
	if (procdir >= 0 && same_user_ns(procdir))
		theirs = openat(procdir, "exe", O_RDONLY | O_CLOEXEC);
	if (theirs >= 0 && is_sealed_copy_of(theirs, name) && exec_sealed(theirs, argv, err) < 0) {
		/* a process running from it may have changed its mode (the
		 * seals keep its bytes, not its inode's metadata): copy */
		sbx_debug("exec from the supervisor's copy: %s", (*err)->msg);
		sbx_error_free(*err);
		*err = NULL;
	}
	return selfclone_ensure(argv, err);
}
