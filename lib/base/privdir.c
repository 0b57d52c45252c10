// SPDX-License-Identifier: GPL-2.0-or-later
/* privdir.c - directories only the caller may use: the store (ROOT) and the live state (RUNROOT)
 *
 * Theory of operation
 *
 * RUNROOT defaults to /tmp/sandbox-$UID when XDG_RUNTIME_DIR is unset (ssh
 * without pam_systemd, su, cron). Any local user can create that name
 * first and fill it: sandboxes that `ps` lists, pid files that make `stop`
 * signal a process of their choosing, sockets that `attach` writes the
 * terminal's input to, cgroup paths that `exec` enters. So nothing below
 * RUNROOT or ROOT is read before the directory itself has been checked:
 * opened with O_NOFOLLOW (a symlink is refused, never followed), then
 * fstat()ed on that descriptor: a directory, owned by the caller, with no
 * permission bits for group or others (mode 0700). A directory that does
 * not exist is created 0700 first and checked the same way, so a name that
 * another user made between the mkdir and the open fails the check.
 *
 * The paths are used after the check (the supervisor, overlay options and
 * error messages need them), so privdir_check_parents() also makes sure
 * that nobody else can swap the directory for another one afterwards: the
 * canonical path (read back from the descriptor, so no symlink is left in
 * it) is used from then on, and each of its ancestors must belong to root
 * or the caller and, when others may write to it, have the sticky bit set
 * (as /tmp has), which keeps them from renaming what is ours. Two
 * exceptions: the caller's own directory that only the caller's user
 * private group may also write to (umask 002 on Fedora/RHEL makes
 * ~/.local/share 0775), and, nested in a container, an ancestor of its
 * unmapped root that nobody else may write to, or a sticky one right below
 * / (/tmp). A group-writable directory
 * of root's (a team's /srv/team, 2775) is refused: any member of the group
 * could swap the store for one of theirs.
 */
#include "privdir.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* Why @st is not a directory only we use; 0 when it is. */
static int check_stat(const struct stat *st, struct sbx_error **err)
{
	uid_t me = getuid();

	if (!S_ISDIR(st->st_mode))
		return sbx_error_set(err, 0, "not a directory");
	if (st->st_uid != me)
		return sbx_error_set(err, 0, "owned by uid %u, not you (uid %u)", (unsigned)st->st_uid,
				     (unsigned)me);
	if (st->st_mode & 077)
		return sbx_error_set(err, 0, "mode %04o, must be 0700", (unsigned)(st->st_mode & 07777));
	return 0;
}

/* Open @path (no symlink as its last component) as a directory; -errno. */
static int open_nofollow(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/**
 * privdir_open() - open a directory only the caller may use, creating it
 *		    when missing
 * @path:	the directory (ROOT or RUNROOT)
 * @create:	create it (and missing parents) with mode 0700 when missing
 * @err:	error out-parameter; the message says why, for the caller to
 *		prefix with the path ("owned by uid 1234, not you (uid 1000)",
 *		"mode 0755, must be 0700", "is a symlink")
 *
 * Return: an O_RDONLY | O_DIRECTORY | O_CLOEXEC descriptor of the checked
 * directory, or negative with *err set (-ENOENT without @create when it
 * does not exist).
 */
int privdir_open(const char *path, bool create, struct sbx_error **err)
{
	cleanup_close int fd = open_nofollow(path);
	struct stat st;

	if (fd == -ENOENT && create) {
		if (util_mkdir_p(path, 0700, err) < 0)
			return -1;
		fd = open_nofollow(path);
	}
	if (fd == -ELOOP || fd == -ENOTDIR) {
		if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
			return sbx_error_set(err, 0, "is a symlink");
		return sbx_error_set(err, 0, "not a directory");
	}
	if (fd < 0)
		return sbx_error_set(err, -fd, "open");
	if (fstat(fd, &st) < 0)
		return sbx_error_set(err, errno, "stat");
	if (check_stat(&st, err) < 0)
		return -1;
	return take_fd(&fd);
}

/*
 * The owner that files of unmapped users show inside a user namespace that
 * is not the initial one (the kernel's overflowuid): when we run nested in
 * a container, / and /tmp belong to its unmapped root. (uid_t)-1 in the
 * initial user namespace, where that uid is a real user (nobody).
 */
static uid_t unmapped_owner(void)
{
	char map[128], ov[32];
	unsigned a, b, c;

	if (util_read_small("/proc/self/uid_map", map, sizeof(map)) < 0 ||
	    (sscanf(map, "%u %u %u", &a, &b, &c) == 3 && a == 0 && b == 0 && c == 4294967295u))
		return (uid_t)-1;
	if (util_read_small("/proc/sys/kernel/overflowuid", ov, sizeof(ov)) < 0 || sscanf(ov, "%u", &a) != 1)
		return 65534;
	return (uid_t)a;
}

/*
 * Whether @gid is the caller's user private group (Fedora, RHEL, Debian's
 * default: a group of the user's own, so umask 002 leaves ~/.local/share
 * 0775): the caller's primary group, named as the user, with no members
 * listed. A shared primary group (SUSE's `users`) lists none either, as its
 * members have it as their primary group: the name tells them apart. A
 * group or user the files in /etc do not know (the binary is static: no
 * NSS) is not taken for one.
 */
static bool own_private_group(gid_t gid)
{
	struct passwd *pw;
	struct group *gr;

	if (gid != getgid() || !(pw = getpwuid(getuid())) || !pw->pw_name)
		return false;
	/* getgrgid() reuses the buffer getpwuid() does not: keep the name */
	cleanup_free char *user = xstrdup(pw->pw_name);

	gr = getgrgid(gid);
	return gr && gr->gr_name && strcmp(gr->gr_name, user) == 0 && (!gr->gr_mem || !gr->gr_mem[0]);
}

/*
 * Why a user other than root and @me could rename entries of the ancestor
 * @st, or NULL when none can.
 */
static const char *others_may_rename(const char *path, const struct stat *st, uid_t me, uid_t unmapped)
{
	mode_t w = st->st_mode & 022;
	const char *slash = strrchr(path, '/');

	if (st->st_uid == unmapped) {
		/* an unmapped owner may be the container's root or any user
		 * outside it: trusted only as long as nobody else may write,
		 * or for a sticky directory right below / (/tmp), which only
		 * the owner of / (checked too: nobody else writes there) made */
		if ((st->st_mode & S_ISVTX) && slash == path && path[1])
			return NULL;
		if (w || (st->st_mode & S_ISVTX))
			return "owned by an unmapped user, and others may write to it";
		return NULL;
	}
	if (st->st_uid != 0 && st->st_uid != me)
		return "owned by another user"; /* its owner may chmod it */
	if (st->st_uid == me && w == 020 && own_private_group(st->st_gid))
		return NULL; /* group-writable for our own private group only */
	if (w && !(st->st_mode & S_ISVTX))
		return "others may write to it, no sticky bit";
	return NULL;
}

/**
 * privdir_check_parents() - the canonical path of a checked directory, and
 *			     whether all its ancestors keep it in place
 * @fd:		descriptor from privdir_open()
 * @canonical:	set to the directory's path without symlinks (malloc'd)
 * @elsewhere:	the hint's other way out ("pass --root DIR")
 * @err:	error out-parameter
 *
 * An ancestor that another user owns, or may write to without the sticky
 * bit, lets them rename our directory away and put one of theirs in its
 * place after it was checked. Root's are fine; ours too, also when only our
 * user private group may write to it (own_private_group()); so are those of
 * an unmapped owner in a nested user namespace (unmapped_owner()) that
 * nobody else may write to: such an owner may be any user outside, so a
 * sticky one (an outer user's /tmp-like directory) is refused too, but for
 * one right below / such as /tmp itself (only the owner of / made it).
 *
 * Return: 0, or negative with *err set.
 */
int privdir_check_parents(int fd, char **canonical, const char *elsewhere, struct sbx_error **err)
{
	char link[64], buf[PATH_MAX];
	cleanup_free char *p = NULL;
	uid_t me = getuid(), unmapped = unmapped_owner();
	const char *why;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, sizeof(buf) - 1);
	if (n <= 0 || buf[0] != '/')
		return sbx_error_set(err, n < 0 ? errno : 0, "the path of a directory (is /proc mounted?)");
	buf[n] = '\0';
	p = xstrdup(buf);
	/* each ancestor, innermost first: cut at the last slash */
	for (char *slash = strrchr(p, '/'); slash; slash = strrchr(p, '/')) {
		struct stat st;

		if (slash == p) {
			if (!p[1])
				break;
			p[1] = '\0'; /* the root directory is the last */
		} else {
			*slash = '\0';
		}
		if (lstat(p, &st) < 0)
			return sbx_error_set(err, errno, "stat `%s`", p);
		if ((why = others_may_rename(p, &st, me, unmapped))) {
			sbx_error_set(
			    err, 0, "its parent `%s` has mode %04o, uid %u, gid %u (%s): they may move it", p,
			    (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, (unsigned)st.st_gid, why);
			if (st.st_uid == 0 || st.st_uid == me)
				sbx_error_hint(err,
					       "make `%s` writable by you and root only (chmod go-w), or %s",
					       p, elsewhere);
			else
				sbx_error_hint(err, "%s: a directory of yours, in one others cannot move",
					       elsewhere);
			return -1;
		}
	}
	*canonical = xstrdup(buf);
	return 0;
}
