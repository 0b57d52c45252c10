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
 */
#include "overlay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "util.h"

/**
 * overlay_escape() - escape a path for overlayfs' option parser
 * @path:	a directory path
 *
 * `,` separates mount options, `:` separates lower layers and `\` escapes
 * both, so each of them is preceded by a backslash.
 *
 * Return: a new string.
 */
char *overlay_escape(const char *path)
{
	char *out = xmalloc(strlen(path) * 2 + 1), *o = out;

	for (const char *p = path; *p; p++) {
		if (*p == ',' || *p == ':' || *p == '\\')
			*o++ = '\\';
		*o++ = *p;
	}
	*o = '\0';
	return out;
}

static char *build_options(const struct overlay_layers *l, bool userxattr)
{
	size_t cap = 256, len = 0;
	char *s = xmalloc(cap);

#define APPEND(str)                                                            \
	do {                                                                   \
		size_t _n = strlen(str);                                       \
		while (len + _n + 1 > cap) {                                   \
			cap *= 2;                                              \
			s = realloc(s, cap);                                   \
			if (!s)                                                \
				abort();                                       \
		}                                                              \
		memcpy(s + len, str, _n + 1);                                  \
		len += _n;                                                     \
	} while (0)

	APPEND("lowerdir=");
	for (size_t i = 0; i < l->n_lowers; i++) {
		cleanup_free char *e = overlay_escape(l->lowers[i]);

		if (i)
			APPEND(":");
		APPEND(e);
	}
	if (l->upper) {
		cleanup_free char *u = overlay_escape(l->upper);
		cleanup_free char *w = overlay_escape(l->work);

		APPEND(",upperdir=");
		APPEND(u);
		APPEND(",workdir=");
		APPEND(w);
	}
	if (l->upper && l->volatile_upper)
		APPEND(",volatile");
	if (userxattr)
		APPEND(",userxattr");
#undef APPEND
	return s;
}

/**
 * overlay_mount() - mount an overlay of @l on @target
 * @target:	existing directory to mount on
 * @l:		layers; a single lower without upper is turned into a
 *		read-only bind by the caller, overlayfs needs 2 lowers then
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set and a hint that explains the usual
 * causes of the kernel's refusal.
 */
int overlay_mount(const char *target, const struct overlay_layers *l, struct sbx_error **err)
{
	cleanup_free char *opts = build_options(l, true);
	int saved;

	if ((size_t)getpagesize() <= strlen(opts))
		return sbx_error_set(err, E2BIG, "mount overlay on `%s`: %zu layers make the mount options longer than a page",
				     target, l->n_lowers);
	if (mount("overlay", target, "overlay", 0, opts) == 0)
		return 0;
	saved = errno;
	if (saved == EINVAL) {
		cleanup_free char *plain = build_options(l, false);

		if (mount("overlay", target, "overlay", 0, plain) == 0)
			return 0;
		saved = errno;
	}
	sbx_error_set(err, saved, "mount overlay on `%s` (lowerdir `%s`%s%s)", target,
		      l->n_lowers ? l->lowers[0] : "", l->upper ? ", upperdir " : "",
		      l->upper ? l->upper : "");
	if (saved == EPERM || saved == ENODEV)
		sbx_error_hint(err, "overlayfs in a user namespace needs Linux >= 5.11; see `sandbox doctor`");
	else if (saved == ELOOP)
		sbx_error_hint(err, "the writable layer must not be inside an image layer (overlayfs refuses overlapping layers)");
	else if (saved == EINVAL)
		sbx_error_hint(err, "the kernel refused the layers: a lower directory with mounts below it, or an upper filesystem overlayfs cannot use (see `dmesg`)");
	return -1;
}
