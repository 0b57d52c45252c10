/* SPDX-License-Identifier: GPL-2.0-or-later */
/* syscalls.h - raw system call wrappers and kernel constants musl lacks */
#ifndef SBX_SYSCALLS_H
#define SBX_SYSCALLS_H

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <linux/mount.h>

#ifndef __NR_openat2
#define __NR_openat2 437
#endif
#ifndef __NR_close_range
#define __NR_close_range 436
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal 424
#endif
#ifndef __NR_mount_setattr
#define __NR_mount_setattr 442
#endif
#ifndef __NR_open_tree
#define __NR_open_tree 428
#endif
#ifndef __NR_move_mount
#define __NR_move_mount 429
#endif
#ifndef __NR_fsopen
#define __NR_fsopen 430
#endif
#ifndef __NR_fsconfig
#define __NR_fsconfig 431
#endif
#ifndef __NR_fsmount
#define __NR_fsmount 432
#endif

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule	     445
#define __NR_landlock_restrict_self  446
#endif

/* Landlock (Linux >= 5.13): the ABI version says which rights exist */
#define SBX_LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#define SBX_LANDLOCK_RULE_PATH_BENEATH	    1
#define SBX_LANDLOCK_ACCESS_FS_READ_FILE    (1ULL << 2)
#define SBX_LANDLOCK_ACCESS_FS_ABI1	    ((1ULL << 13) - 1) /* EXECUTE .. MAKE_SYM */
#define SBX_LANDLOCK_ACCESS_FS_REFER	    (1ULL << 13)       /* ABI 2 */
#define SBX_LANDLOCK_ACCESS_FS_TRUNCATE	    (1ULL << 14)       /* ABI 3 */
#define SBX_LANDLOCK_ACCESS_FS_IOCTL_DEV    (1ULL << 15)       /* ABI 5 */
#define SBX_LANDLOCK_ACCESS_NET_BIND_TCP    (1ULL << 0)	       /* ABI 4 */
#define SBX_LANDLOCK_SCOPE_ABSTRACT_UNIX    (1ULL << 0)	       /* ABI 6 */
#define SBX_LANDLOCK_SCOPE_SIGNAL	    (1ULL << 1)	       /* ABI 6 */

struct sbx_landlock_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net; /* ABI 4 */
	uint64_t scoped;	     /* ABI 6 */
};

struct sbx_landlock_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

static inline int sys_landlock_create_ruleset(const struct sbx_landlock_ruleset_attr *attr, size_t size,
					      uint32_t flags)
{
	return (int)syscall(__NR_landlock_create_ruleset, attr, size, flags);
}

static inline int sys_landlock_add_rule(int ruleset, int type, const void *attr, uint32_t flags)
{
	return (int)syscall(__NR_landlock_add_rule, ruleset, type, attr, flags);
}

static inline int sys_landlock_restrict_self(int ruleset, uint32_t flags)
{
	return (int)syscall(__NR_landlock_restrict_self, ruleset, flags);
}

#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* openat2(2) */
struct sbx_open_how {
	uint64_t flags;
	uint64_t mode;
	uint64_t resolve;
};
#ifndef RESOLVE_NO_XDEV
#define RESOLVE_NO_XDEV	      0x01
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_NO_SYMLINKS   0x04
#define RESOLVE_BENEATH	      0x08
#define RESOLVE_IN_ROOT	      0x10
#endif

static inline int sys_openat2(int dirfd, const char *path, struct sbx_open_how *how)
{
	return (int)syscall(__NR_openat2, dirfd, path, how, sizeof(*how));
}

static inline int sys_close_range(unsigned int first, unsigned int last, unsigned int flags)
{
	return (int)syscall(__NR_close_range, first, last, flags);
}

/* keyctl(KEYCTL_JOIN_SESSION_KEYRING, @name): NULL makes a new anonymous keyring */
static inline long sys_keyctl_join_session(const char *name)
{
	return syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name, 0, 0, 0);
}

static inline int sys_pidfd_open(pid_t pid, unsigned int flags)
{
	return (int)syscall(__NR_pidfd_open, pid, flags);
}

static inline int sys_pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned int flags)
{
	return (int)syscall(__NR_pidfd_send_signal, pidfd, sig, info, flags);
}

static inline int sys_mount_setattr(int dirfd, const char *path, unsigned int flags, struct mount_attr *attr)
{
	return (int)syscall(__NR_mount_setattr, dirfd, path, flags, attr, sizeof(*attr));
}

static inline int sys_open_tree(int dirfd, const char *path, unsigned int flags)
{
	return (int)syscall(__NR_open_tree, dirfd, path, flags);
}

static inline int sys_move_mount(int from_dirfd, const char *from, int to_dirfd, const char *to,
				 unsigned int flags)
{
	return (int)syscall(__NR_move_mount, from_dirfd, from, to_dirfd, to, flags);
}

static inline int sys_fsopen(const char *fsname, unsigned int flags)
{
	return (int)syscall(__NR_fsopen, fsname, flags);
}

static inline int sys_fsconfig(int fd, unsigned int cmd, const char *key, const void *value, int aux)
{
	return (int)syscall(__NR_fsconfig, fd, cmd, key, value, aux);
}

static inline int sys_fsmount(int fd, unsigned int flags, unsigned int attr_flags)
{
	return (int)syscall(__NR_fsmount, fd, flags, attr_flags);
}

static inline int sys_pivot_root(const char *new_root, const char *put_old)
{
	return (int)syscall(SYS_pivot_root, new_root, put_old);
}

/*
 * fork()-like clone with namespace flags: the child runs on a copy of the
 * parent's stack, as with fork. Safe here because the child never returns
 * into libc state shared with threads (sandbox is single-threaded).
 */
static inline pid_t sys_clone_fork(unsigned long flags)
{
	return (pid_t)syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
}

#endif /* SBX_SYSCALLS_H */
