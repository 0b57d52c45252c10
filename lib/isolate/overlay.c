// SPDX-License-Identifier: GPL-2.0-or-later
/* overlay.c - kernel overlayfs mounts inside the user namespace
 *
 * overlayfs may be mounted by root of a user namespace since Linux 5.11.
 * `userxattr` makes it keep its metadata (opaque directories, redirects) in
 * user.overlay.* xattrs, the only ones an unprivileged mounter may set; it
 * needs an upper filesystem with user xattrs (ext4, xfs, btrfs; tmpfs from
 * 6.6). Without it the kernel falls back to no-xattr mode, in which removing
 * a directory that exists in a lower layer fails with EIO, so it is tried
 * first and dropped only when the kernel rejects the option.
 *
 * `volatile` (Linux >= 5.10) skips every sync of the upper layer, including
 * the one at unmount that otherwise makes a sandbox's exit wait for the
 * disk; it is used for writable layers that are thrown away anyway.
 *
 * Many layers: Linux >= 6.8 takes each lower directory in its own
 * `lowerdir+` fsconfig() call (no length limit; recent kernels refuse a
 * `:`-joined `lowerdir` through fsconfig). Older kernels parse the options
 * into one page (legacy mount data, 4 KiB), which ~100 store paths of 80
 * characters overflow: there the lowers are opened and named by the short
 * /proc/self/fd/N links of those descriptors once the joined string gets
 * long (overlay resolves each path, magic links included, at fsconfig time).
 */
#include "overlay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "syscalls.h"
#include "util.h"

/* The kernel's own words on a failed fsconfig (overlayfs explains itself). */
static void kernel_reason(int fsfd, char *buf, size_t size)
{
	ssize_t n;

	buf[0] = '\0';
	while ((n = read(fsfd, buf, size - 1)) > 0) {
		buf[n] = '\0';
		if (n > 2 && buf[0] == 'e' && buf[1] == ' ')
			return; /* "e overlay: ...": the error line */
	}
	buf[0] = '\0';
}

bool overlay_force_joined_lowers;

/* Linux >= 6.8 has `lowerdir+` (one fsconfig() call per lower layer). */
static bool kernel_has_lowerdir_plus(void)
{
	struct utsname u;
	unsigned major = 0, minor = 0;

	if (overlay_force_joined_lowers || uname(&u) < 0 || sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 8);
}

/*
 * The lowers as one `:`-joined option; past LOWERS_MAX bytes each is named
 * by /proc/self/fd/N of an O_PATH descriptor kept in @fds (closed by the
 * caller after the mount is created).
 */
#define LOWERS_MAX 3000
static char *join_lowers(const struct overlay_layers *l, int *fds)
{
	size_t len = 1;
	bool short_names;
	char *lowers;

	for (size_t i = 0; i < l->n_lowers; i++)
		len += strlen(l->lowers[i]) * 2 + 1;
	short_names = len > LOWERS_MAX;
	if (short_names)
		len = l->n_lowers * 32 + 1;
	lowers = xcalloc(1, len);
	for (size_t i = 0; i < l->n_lowers; i++) {
		char *p = lowers + strlen(lowers);
		char name[32];
		const char *path = l->lowers[i];

		if (short_names) {
			fds[i] = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
			snprintf(name, sizeof(name), "/proc/self/fd/%d", fds[i]);
			path = name;
		}
		if (i)
			*p++ = ':';
		/* with fsconfig only `:` (and the escape itself) are special */
		for (const char *c = path; *c; c++) {
			if (*c == ':' || *c == '\\')
				*p++ = '\\';
			*p++ = *c;
		}
		*p = '\0';
	}
	return lowers;
}

static int set_lowers(int fs, const struct overlay_layers *l, int *fds)
{
	cleanup_free char *lowers = NULL;

	if (kernel_has_lowerdir_plus()) {
		for (size_t i = 0; i < l->n_lowers; i++)
			if (sys_fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir+", l->lowers[i], 0) < 0)
				return -1;
		return 0;
	}
	lowers = join_lowers(l, fds);
	return sys_fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir", lowers, 0);
}

static void close_fds(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
}

static int try_fsmount(const struct overlay_layers *l, bool userxattr, int *mntfd, char *why, size_t whylen)
{
	cleanup_close int fs = sys_fsopen("overlay", FSOPEN_CLOEXEC);
	int *fds = xmalloc((l->n_lowers + 1) * sizeof(int));
	int fd;

	why[0] = '\0';
	for (size_t i = 0; i < l->n_lowers; i++)
		fds[i] = -1;
	if (fs < 0) {
		int e = errno;

		close_fds(fds, l->n_lowers);
		return -e;
	}
	if (sys_fsconfig(fs, FSCONFIG_SET_STRING, "source", "overlay", 0) < 0 || set_lowers(fs, l, fds) < 0 ||
	    (l->upper && (sys_fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", l->upper, 0) < 0 ||
			  sys_fsconfig(fs, FSCONFIG_SET_STRING, "workdir", l->work, 0) < 0)) ||
	    (l->upper && l->volatile_upper && sys_fsconfig(fs, FSCONFIG_SET_FLAG, "volatile", NULL, 0) < 0) ||
	    (userxattr && sys_fsconfig(fs, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0) ||
	    sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		int e = errno;

		kernel_reason(fs, why, whylen);
		close_fds(fds, l->n_lowers);
		return -e;
	}
	close_fds(fds, l->n_lowers);
	fd = sys_fsmount(fs, FSMOUNT_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	*mntfd = fd;
	return 0;
}

/**
 * overlay_mount_fd() - create an overlay mount of @l, not attached anywhere
 * @l:		layers (two lowers at least when there is no upper)
 * @mntfd:	set to the detached mount (attach it with move_mount)
 * @err:	error out-parameter
 *
 * Uses the new mount API: each option is its own fsconfig() call, so no
 * mount option page limits the number of layers, and the kernel's reason
 * for a refusal can be read back and shown.
 *
 * Return: 0, or negative with *err set and a hint that explains the usual
 * causes of the kernel's refusal.
 */
int overlay_mount_fd(const struct overlay_layers *l, int *mntfd, struct sbx_error **err)
{
	char why[256];
	int r;

	r = try_fsmount(l, true, mntfd, why, sizeof(why));
	if (r == -EINVAL) {
		char why2[256];

		/* a kernel without userxattr, or an upper fs without user xattrs */
		if (try_fsmount(l, false, mntfd, why2, sizeof(why2)) == 0)
			return 0;
	}
	if (r == 0)
		return 0;
	sbx_error_set(err, -r, "mount overlay (lowerdir `%s`%s%s%s)%s%s", l->n_lowers ? l->lowers[0] : "",
		      l->upper ? ", upperdir `" : "", l->upper ? l->upper : "", l->upper ? "`" : "",
		      why[0] ? ": " : "", why[0] ? why + 2 : "");
	if (r == -ENOSYS || r == -EPERM || r == -ENODEV)
		sbx_error_hint(err,
			       "overlayfs in a user namespace needs Linux >= 5.11; see `sandbox doctor`");
	else if (r == -ELOOP)
		sbx_error_hint(err, "the writable layer must not be inside an image layer (overlayfs refuses "
				    "overlapping layers)");
	else if (r == -EINVAL)
		sbx_error_hint(err, "the kernel refused the layers: a lower directory with mounts below it, "
				    "or an upper filesystem overlayfs cannot use");
	return -1;
}
