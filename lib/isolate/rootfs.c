// SPDX-License-Identifier: GPL-2.0-or-later
/* rootfs.c - the sandbox's mount namespace: root, /proc, /dev, binds, pivot
 *
 * Theory of operation. rootfs_setup() runs in the sandbox's first process
 * (PID 1 of the new PID namespace), which is root of the new user namespace
 * and owns the new mount namespace, after the supervisor wrote its ID maps.
 * It creates the new root as a detached mount (new mount API) and attaches
 * it on top of `/`: path lookups start at the process's root, below that
 * mount, so the host's tree stays visible for -v sources and /dev nodes
 * while the new root is filled through its descriptor. No directory of the
 * host is a mount point of the sandbox, so nothing has to be unmounted from
 * the caller's side when it exits (removing such a directory costs a
 * synchronous unmount of the whole tree from a dying namespace: tens of ms).
 * Then it pivot_root()s into the new root, detaches the old one, and last
 * masks /proc and /sys paths. Every path inside the new root is opened
 * through safepath (RESOLVE_IN_ROOT), and mounts are attached to those
 * descriptors (move_mount or /proc/self/fd/N), never to a path string the
 * image could redirect with a symlink.
 *
 * The `host` image cannot be one overlay with lowerdir=/: the kernel refuses
 * to clone a mount that has mounts locked on top of it (the host's /proc,
 * /sys, /dev are locked in a user namespace). And the root directory of an
 * overlay shows the owner of its upper directory, which cannot be the
 * host's root (unmapped): an overlay over /etc would let root inside create
 * /etc/x. So the root is a tmpfs holding read-only binds of the host's
 * top-level entries, with a private writable overlay on every directory
 * the caller owns, at the top level or one below (/home/USER, /srv/X), and
 * on $HOME at its real path, wherever that is: what the caller can write
 * on the host it can write inside, to the private layer; everything else
 * stays unwritable, as on the host. With --read-only those overlays stay,
 * without an upper layer: a read-only bind would not stop connect() on the
 * caller's unix sockets (ssh-agent, gpg-agent, ssh ControlMaster) or open()
 * of its FIFOs, an overlay does (its inodes are not the sockets' and
 * pipes'); where overlayfs refuses a directory, it is empty inside. /tmp,
 * /var/tmp and /run are fresh tmpfs. The writable layers live on a private
 * tmpfs: an upper directory on the host's root filesystem would be inside
 * its own lower layer (ELOOP).
 *
 * An image's mount points (/proc, /sys, /dev, the generated /etc files, -v
 * and --tmpfs targets) cannot always be created in its writable layer: the
 * root may have none (--read-only), and in a tree owned by someone the user
 * namespace does not map (a root-owned directory) overlayfs copies nothing
 * up (EOVERFLOW) and root inside may not add entries. Those the image lacks
 * are then made in a layer of their own on the staging tmpfs, the lowest
 * lower layer: its entries show only where no image layer has one, so the
 * image's own directories keep their owners and modes (docker's init layer,
 * without touching the image). An image of the store with a writable layer
 * needs none (its files are the caller's). In a tree of unmapped owners
 * /tmp and /var/tmp, which their mode lets everyone write, get a tmpfs of
 * that mode.
 */
#include "rootfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/stat.h>

#include "overlay.h"
#include "safepath.h"
#include "syscalls.h"
#include "util.h"

#define FD_PATH_MAX 32
/* staging directory in a host root: the writable layers and generated files */
#define STAGE_DIR ".sandbox-stage"
/* what a file of an owner the user namespace does not map shows as (the
 * kernel's default overflowuid and overflowgid) */
#define OVERFLOW_ID 65534

static void fd_path(char buf[FD_PATH_MAX], int fd)
{
	snprintf(buf, FD_PATH_MAX, "/proc/self/fd/%d", fd);
}

/**
 * mount_fs_in_root() - mount a new filesystem on a directory inside the root
 * @rootfd:	descriptor of the new root
 * @path:	target inside it (created when missing)
 * @fstype:	filesystem type, also used as the source name
 * @flags:	MS_* flags
 * @data:	filesystem options or NULL
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
static int mount_fs_in_root(int rootfd, const char *path, const char *fstype, unsigned long flags,
			    const char *data, struct sbx_error **err)
{
	cleanup_close int fd = -1;
	char p[FD_PATH_MAX];

	if (safepath_mkdir_p(rootfd, path, 0755, err) < 0)
		return sbx_error_wrap(err, "mount %s on `%s`", fstype, path);
	fd = safepath_open(rootfd, path, O_PATH | O_DIRECTORY, err);
	if (fd < 0)
		return sbx_error_wrap(err, "mount %s", fstype);
	fd_path(p, fd);
	if (mount(fstype, p, fstype, flags, data) < 0)
		return sbx_error_set(err, errno, "mount %s on `%s`", fstype, path);
	return 0;
}

/**
 * attach_tree() - attach a detached mount tree on a path in the root
 * @tree:	from open_tree(OPEN_TREE_CLONE) (consumed)
 * @what:	name of the source, for messages
 * @rootfd:	descriptor of the new root
 * @target:	path inside the root; created as a directory or file like @tree
 * @read_only:	make the whole tree read-only first
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
static int attach_tree(int tree, const char *what, int rootfd, const char *target, bool read_only,
		       struct sbx_error **err)
{
	cleanup_close int t = tree, tfd = -1;
	struct stat st;

	if (fstat(t, &st) < 0)
		return sbx_error_set(err, errno, "stat `%s`", what);
	if (read_only) {
		struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};

		if (sys_mount_setattr(t, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr) < 0)
			return sbx_error_set(err, errno, "make bind of `%s` read-only", what);
	}
	if (S_ISDIR(st.st_mode)) {
		if (safepath_mkdir_p(rootfd, target, 0755, err) < 0)
			return sbx_error_wrap(err, "bind `%s`", what);
		tfd = safepath_open(rootfd, target, O_PATH | O_DIRECTORY, err);
	} else {
		tfd = safepath_create_file(rootfd, target, 0644, err);
	}
	if (tfd < 0)
		return sbx_error_wrap(err, "bind `%s`", what);
	if (sys_move_mount(t, "", tfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return sbx_error_set(err, errno, "bind `%s` on `%s`", what, target);
	return 0;
}

/**
 * bind_into_root() - bind a host path (recursively) onto a path in the root
 * @src:	host path (file or directory)
 * @rootfd:	descriptor of the new root
 * @target:	path inside the root; created (file or directory like @src)
 * @read_only:	make the whole bound tree read-only
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
static int bind_into_root(const char *src, int rootfd, const char *target, bool read_only,
			  struct sbx_error **err)
{
	int tree = sys_open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);

	if (tree < 0)
		return sbx_error_set(err, errno, "bind `%s`", src);
	return attach_tree(tree, src, rootfd, target, read_only, err);
}

/**
 * new_tmpfs_on_root() - create a tmpfs and attach it on top of `/`
 * @mode:	mode of its root directory
 * @err:	error out-parameter
 *
 * Path lookups start at the process's root, below the new mount, so the
 * host's tree stays reachable through `/...` paths while the tmpfs is
 * reachable through the returned descriptor.
 *
 * Return: the mount's descriptor, or negative with *err set.
 */
static int new_tmpfs_on_root(const char *mode, struct sbx_error **err)
{
	cleanup_close int fs = sys_fsopen("tmpfs", FSOPEN_CLOEXEC);
	int fd;

	if (fs < 0 || sys_fsconfig(fs, FSCONFIG_SET_STRING, "mode", mode, 0) < 0 ||
	    sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return sbx_error_set(err, errno, "create a tmpfs");
	fd = sys_fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	if (fd < 0)
		return sbx_error_set(err, errno, "create a tmpfs");
	if (sys_move_mount(fd, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) < 0) {
		close(fd);
		return sbx_error_set(err, errno, "attach a tmpfs");
	}
	return fd;
}

/**
 * write_generated() - write hostname, hosts and resolv.conf into @dirfd
 * @s:		the spec (contents)
 * @dirfd:	a directory on the staging tmpfs
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
static int write_generated(const struct rootfs_spec *s, int dirfd, struct sbx_error **err)
{
	const char *names[] = {"hostname", "hosts", "resolv.conf"};
	const char *data[] = {s->etc_hostname, s->etc_hosts, s->etc_resolv};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (util_write_file_at(dirfd, names[i], data[i], strlen(data[i]), 0644, err) < 0)
			return -1;
	return 0;
}

/**
 * host_covered_has() - whether @path or a directory above it is covered
 * @c:		the directories host_overlay() covered
 * @path:	absolute, canonical host path
 *
 * Return: true if @path is inside one of @c's directories (or is one).
 */
static bool host_covered_has(const struct strv *c, const char *path)
{
	for (size_t i = 0; i < c->n; i++) {
		size_t len = strlen(c->v[i]);

		if (strncmp(path, c->v[i], len) == 0 && (path[len] == '\0' || path[len] == '/'))
			return true;
	}
	return false;
}

/**
 * host_bound_by_volume() - whether a volume's target is @path or above it
 * @s:		the spec
 * @path:	absolute host path (the same path inside)
 *
 * Return: true if a -v puts something of the caller's choice over @path.
 */
static bool host_bound_by_volume(const struct rootfs_spec *s, const char *path)
{
	for (size_t i = 0; i < s->n_volumes; i++) {
		const char *t = s->volumes[i].target;
		size_t len = strlen(t);

		while (len > 1 && t[len - 1] == '/')
			len--;
		if (strncmp(path, t, len) == 0 && (path[len] == '\0' || path[len] == '/' || len == 1))
			return true;
	}
	return false;
}

/**
 * host_empty_dir() - an empty read-only tmpfs where overlayfs refused a
 *		      directory of the caller's
 * @s:		the spec
 * @rootfd:	the new root
 * @src:	absolute host path of the directory
 * @st:		its stat
 * @why:	overlayfs's error
 *
 * A read-only bind instead would show the caller's unix sockets and FIFOs
 * in it to connect() and open() (host_overlay()): the directory is empty
 * inside, and one line says so and how to get it.
 *
 * Return: 0, or -errno.
 */
static int host_empty_dir(const struct rootfs_spec *s, int rootfd, const char *src, const struct stat *st,
			  const struct sbx_error *why)
{
	cleanup_close int fs = sys_fsopen("tmpfs", FSOPEN_CLOEXEC);
	cleanup_error struct sbx_error *aerr = NULL;
	char mode[8];
	int fd;

	snprintf(mode, sizeof(mode), "%o", (unsigned)(st->st_mode & 07777));
	if (fs < 0 || sys_fsconfig(fs, FSCONFIG_SET_STRING, "mode", mode, 0) < 0 ||
	    sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -errno;
	fd = sys_fsmount(fs, FSMOUNT_CLOEXEC,
			 MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	if (fd < 0)
		return -errno;
	if (attach_tree(fd, src, rootfd, src + 1, false, &aerr) < 0)
		return -(aerr->errnum ? aerr->errnum : EINVAL);
	sbx_debug("`%s`: %s", src, why->msg);
	if (!host_bound_by_volume(s, src))
		sbx_warn("`%s` is empty inside: overlayfs refused it (%s); bind it with -v to see it", src,
			 strerror(why->errnum ? why->errnum : EINVAL));
	return 0;
}

/**
 * host_overlay() - a private writable layer over the caller's host
 *		    directory @src, attached at the same path in the root
 * @s:		the spec
 * @rootfd:	the new root
 * @stage:	path of the staging tmpfs
 * @src:	absolute host path of a directory the caller owns
 * @st:		its stat
 * @cov:	@src is added to it
 *
 * The overlay's root directory shows the upper directory's owner and mode,
 * so the upper directory gets those of @src (the caller owns both). With
 * --read-only there is no upper directory: a second, empty lower one makes
 * the overlay a read-only one. Either way the overlay stands between the
 * sandbox and the caller's unix sockets and FIFOs: connect() and open()
 * through it reach overlayfs's own inodes, never a server or a reader of
 * the caller's (a read-only bind would not stop them). Where overlayfs
 * refuses @src, it is an empty directory inside (host_empty_dir()).
 *
 * Return: 0, or -errno.
 */
static int host_overlay(const struct rootfs_spec *s, int rootfd, const char *stage, const char *src,
			const struct stat *st, struct strv *cov)
{
	cleanup_free char *name = xstrdup(src + 1);
	cleanup_free char *up = NULL, *wk = NULL;
	cleanup_error struct sbx_error *oerr = NULL;
	char *lowers[1] = {(char *)src};
	struct overlay_layers l = {.lowers = lowers, .n_lowers = 1, .volatile_upper = true};
	int ovl = -1, ret;

	strv_push(cov, src);
	for (char *p = name; *p; p++)
		if (*p == '/')
			*p = ':';
	if (s->read_only) {
		cleanup_free char *empty = xasprintf("%s/empty", stage);
		char *ro_lowers[2] = {(char *)src, empty};
		struct overlay_layers rl = {.lowers = ro_lowers, .n_lowers = 2};

		if (mkdir(empty, 0755) < 0 && errno != EEXIST)
			return -errno;
		if (overlay_mount_fd(&rl, &ovl, &oerr) < 0)
			goto refused;
		goto attach;
	}
	/* overlayfs refuses an upper directory inside its own lower one
	 * (ELOOP): over the directory holding the store the writable layer
	 * stays in memory (`shell` binds $HOME read-write anyway) */
	if (s->persist_upper &&
	    !(strncmp(s->persist_upper, src, strlen(src)) == 0 && s->persist_upper[strlen(src)] == '/')) {
		up = xasprintf("%s/%s.u", s->persist_upper, name);
		wk = xasprintf("%s/%s.w", s->persist_upper, name);
		if ((mkdir(up, 0755) < 0 && errno != EEXIST) || (mkdir(wk, 0700) < 0 && errno != EEXIST)) {
			sbx_debug("`%s`: the writable layer stays in memory: %s", src, strerror(errno));
		} else {
			struct overlay_layers pl = {.lowers = lowers, .n_lowers = 1, .upper = up, .work = wk};

			(void)!chown(up, st->st_uid, st->st_gid);
			(void)!chmod(up, st->st_mode & 07777);
			if (overlay_mount_fd(&pl, &ovl, &oerr) == 0)
				goto attach;
			sbx_debug("`%s`: the writable layer stays in memory: %s", src, oerr->msg);
			sbx_error_free(oerr);
			oerr = NULL;
		}
		free(up);
		free(wk);
	}
	up = xasprintf("%s/%s.u", stage, name);
	wk = xasprintf("%s/%s.w", stage, name);
	if (mkdir(up, 0755) < 0 || mkdir(wk, 0700) < 0)
		return -errno;
	(void)!chown(up, st->st_uid, st->st_gid);
	(void)!chmod(up, st->st_mode & 07777);
	l.upper = up;
	l.work = wk;
	if (overlay_mount_fd(&l, &ovl, &oerr) < 0)
		goto refused;
attach:
	if (attach_tree(ovl, src, rootfd, src + 1, false, &oerr) < 0) {
		sbx_debug("`%s`: %s", src, oerr->msg);
		return -(oerr->errnum ? oerr->errnum : EINVAL);
	}
	return 0;
refused:
	ret = host_empty_dir(s, rootfd, src, st, oerr);
	if (ret < 0)
		sbx_debug("`%s`: an empty directory instead: %s", src, strerror(-ret));
	return ret;
}

/**
 * host_caller_dirs() - private writable layers over the caller's own
 *			directories one level below a host directory it does
 *			not own (/home/USER, /var/mail/USER, /srv/PROJECT)
 * @s:		the spec
 * @rootfd:	the new root
 * @stage:	path of the staging tmpfs
 * @parent:	absolute host path, bound read-only in the root
 * @cov:	the directories overlaid are added to it
 * @err:	error out-parameter
 *
 * A @parent the caller cannot list (/home with mode 0711) gets none here:
 * the caller's $HOME in it still gets its own (host_home()).
 *
 * Return: 0, or negative with *err set.
 */
static int host_caller_dirs(const struct rootfs_spec *s, int rootfd, const char *stage, const char *parent,
			    struct strv *cov, struct sbx_error **err)
{
	DIR *d = opendir(parent);
	struct dirent *de;
	int ret = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) && ret == 0) {
		cleanup_free char *src = NULL;
		struct stat st;

		if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		src = xasprintf("%s/%s", parent, de->d_name);
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode) ||
		    st.st_uid != s->caller_uid)
			continue;
		ret = host_overlay(s, rootfd, stage, src, &st, cov);
		if (ret < 0)
			ret = sbx_error_set(err, -ret, "overlay `%s`", src);
	}
	closedir(d);
	return ret;
}

/**
 * host_home() - an overlay over the caller's home directory, unless it or
 *		 a directory above it has one already
 * @s:		the spec
 * @rootfd:	the new root
 * @stage:	path of the staging tmpfs
 * @cov:	the directories overlaid so far
 * @err:	error out-parameter
 *
 * Where the sockets of ssh, gpg and editors usually are, at any depth
 * (/home/GROUP/USER), below a directory the caller cannot list (/home
 * with mode 0711), and where a symlink leads: s->caller_home is the real
 * path, resolved in the caller's namespace (run.c). Other directories of
 * the caller's deeper than two levels stay read-only binds (SECURITY.md).
 *
 * Return: 0, or negative with *err set.
 */
static int host_home(const struct rootfs_spec *s, int rootfd, const char *stage, struct strv *cov,
		     struct sbx_error **err)
{
	static const char *const own[] = {"/proc/", "/sys/", "/dev/", "/run/", "/tmp/", "/var/tmp/"};
	const char *home = s->caller_home;
	struct stat st;
	int ret;

	if (!home || home[0] != '/' || !home[1] || strstr(home, "//") || strstr(home, "/./") ||
	    strstr(home, "/../") || home[strlen(home) - 1] == '/')
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(own); i++)
		if (strncmp(home, own[i], strlen(own[i])) == 0)
			return 0;
	if (strncmp(home, "/" STAGE_DIR, strlen("/" STAGE_DIR)) == 0 || host_covered_has(cov, home))
		return 0;
	if (lstat(home, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != s->caller_uid)
		return 0;
	ret = host_overlay(s, rootfd, stage, home, &st, cov);
	return ret < 0 ? sbx_error_set(err, -ret, "overlay `%s`", home) : 0;
}

/**
 * host_root() - build the `host` image: one overlay per top-level directory
 * @s:		the spec
 * @rootfd:	the new root, a tmpfs
 * @stage:	"/proc/self/fd/N" path of the staging tmpfs for the upper layers
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
static int host_root(const struct rootfs_spec *s, int rootfd, const char *stage, struct sbx_error **err)
{
	static const char *const own[] = {"proc", "sys", "dev", "run", "tmp", STAGE_DIR};
	struct strv cov = {0};
	struct dirent *de;
	DIR *d;
	int ret = 0;

	d = opendir("/");
	if (!d)
		return sbx_error_set(err, errno, "open `/`");
	while ((de = readdir(d)) && ret == 0) {
		const char *n = de->d_name;
		cleanup_free char *src = NULL;
		bool skip = false;
		struct stat st;

		if (n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2])))
			continue;
		for (size_t i = 0; i < ARRAY_SIZE(own); i++)
			skip |= strcmp(n, own[i]) == 0;
		if (skip) {
			if (strcmp(n, STAGE_DIR) != 0 && mkdirat(rootfd, n, 0755) < 0 && errno != EEXIST)
				ret = sbx_error_set(err, errno, "mkdir `/%s`", n);
			continue;
		}
		src = xasprintf("/%s", n);
		if (fstatat(AT_FDCWD, src, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t len = readlink(src, target, sizeof(target) - 1);

			if (len < 0)
				continue;
			target[len] = '\0';
			if (symlinkat(target, rootfd, n) < 0)
				ret = sbx_error_set(err, errno, "symlink `/%s`", n);
			continue;
		}
		if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
			continue;
		if (S_ISDIR(st.st_mode) && st.st_uid == s->caller_uid) {
			ret = host_overlay(s, rootfd, stage, src, &st, &cov);
			if (ret < 0)
				ret = sbx_error_set(err, -ret, "overlay `%s`", src);
			continue;
		}
		ret = bind_into_root(src, rootfd, n, true, err);
		if (ret == 0 && S_ISDIR(st.st_mode))
			ret = host_caller_dirs(s, rootfd, stage, src, &cov, err);
	}
	closedir(d);
	if (ret == 0)
		ret = host_home(s, rootfd, stage, &cov, err);
	strv_clear(&cov);
	return ret;
}

/**
 * image_view() - the image's layers merged, to look paths up in before the
 *		  root is mounted
 * @s:		the spec
 * @viewfd:	set to the image's directory (one layer) or to a detached
 *		read-only overlay of its layers
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
static int image_view(const struct rootfs_spec *s, int *viewfd, struct sbx_error **err)
{
	struct overlay_layers l = {.lowers = s->lowers, .n_lowers = s->n_lowers};

	if (s->n_lowers > 1)
		return overlay_mount_fd(&l, viewfd, err);
	*viewfd = open(s->lowers[0], O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*viewfd < 0)
		return sbx_error_set(err, errno, "open `%s`", s->lowers[0]);
	return 0;
}

/**
 * add_mount_point() - make @path in the mount point layer if the image
 *		       lacks it and the root cannot take it
 * @s:		the spec
 * @viewfd:	the image (image_view())
 * @layerfd:	the mount point layer
 * @path:	mount target inside the root
 * @dir:	a directory; else an empty file
 *
 * The entry goes where @path leads in the image, its symlinks followed as
 * the mount will follow them (/var/run/x may be /run/x). With a writable
 * layer it is needed only below a directory of an owner or group the user
 * namespace does not map (it shows as OVERFLOW_ID): elsewhere the mount
 * creates its target in the writable layer, and the root needs no layer
 * more. A path the image makes impossible (a file in the way, a symlink
 * loop) is left to the mount, which says why.
 *
 * Return: true when an entry was made.
 */
static bool add_mount_point(const struct rootfs_spec *s, int viewfd, int layerfd, const char *path, bool dir)
{
	cleanup_error struct sbx_error *e = NULL;
	cleanup_free char *where = NULL;
	size_t existing;
	int fd;

	if (safepath_resolve(viewfd, path, &where, &existing, &e) != 0)
		return false;
	if (!s->read_only) {
		cleanup_free char *parent = xstrdup(where);
		cleanup_close int pfd = -1;
		struct stat st;

		parent[existing] = '\0';
		pfd = safepath_open(viewfd, *parent ? parent : ".", O_PATH | O_DIRECTORY, NULL);
		if (pfd >= 0 && fstat(pfd, &st) == 0 && st.st_uid != OVERFLOW_ID && st.st_gid != OVERFLOW_ID)
			return false;
	}
	if (dir) {
		if (safepath_mkdir_p(layerfd, where, 0755, &e) == 0)
			return true;
	} else {
		fd = safepath_create_file(layerfd, where, 0644, &e);
		if (fd >= 0) {
			close(fd);
			return true;
		}
	}
	sbx_debug("mount point `%s`: %s", path, e->msg);
	return false;
}

/**
 * mount_point_layer() - the mount points the image lacks, in a layer below
 *			 the image's (see the theory of operation)
 * @s:		the spec
 * @basefd:	the staging tmpfs; the layer is its `layer` directory
 * @viewfd:	set to the image_view() the layer was made from (the caller
 *		closes it)
 * @added:	set to whether the layer holds anything
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
static int mount_point_layer(const struct rootfs_spec *s, int basefd, int *viewfd, bool *added,
			     struct sbx_error **err)
{
	static const char *const dirs[] = {"proc", "sys", "dev"};
	static const char *const files[] = {"etc/hostname", "etc/hosts", "etc/resolv.conf"};
	cleanup_close int layer = -1;
	int view;

	*added = false;
	if (mkdirat(basefd, "layer", 0755) < 0 ||
	    (layer = openat(basefd, "layer", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return sbx_error_set(err, errno, "mkdir the mount point layer");
	if (image_view(s, viewfd, err) < 0)
		return sbx_error_wrap(err, "look for the image's mount points");
	view = *viewfd;
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		*added |= add_mount_point(s, view, layer, dirs[i], true);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		*added |= add_mount_point(s, view, layer, files[i], false);
	for (size_t i = 0; i < s->n_volumes; i++) {
		struct stat st;

		/* a file or a directory, as attach_tree() will make it */
		*added |= add_mount_point(s, view, layer, s->volumes[i].target,
					  stat(s->volumes[i].source, &st) < 0 || S_ISDIR(st.st_mode));
	}
	for (size_t i = 0; i < s->n_tmpfs; i++)
		*added |= add_mount_point(s, view, layer, s->tmpfs[i].target, true);
	return 0;
}

/**
 * image_root() - mount the image's layers (and writable layer) as the root
 * @s:		the spec
 * @basefd:	the staging tmpfs (on top of `/`): the root is mounted on its
 *		`root` directory, a writable layer in memory goes to `upper`
 * @stage:	"/proc/self/fd/N" path of @basefd
 * @rootfd:	set to the new root
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
static int image_root(const struct rootfs_spec *s, int basefd, const char *stage, int *rootfd,
		      struct sbx_error **err)
{
	cleanup_free char **lowers = xcalloc(s->n_lowers + 1, sizeof(char *));
	struct overlay_layers l = {lowers, s->n_lowers, s->upper, s->work, s->volatile_upper};
	cleanup_free char *up = NULL, *wk = NULL, *layer = NULL;
	cleanup_close int mp = -1, view = -1;
	bool added = false;
	int tree;

	if (mkdirat(basefd, "root", 0755) < 0)
		return sbx_error_set(err, errno, "mkdir the root's mount point");
	memcpy(lowers, s->lowers, s->n_lowers * sizeof(char *));
	/* Several layers are an image of the store, whose files are the
	 * caller's: a writable layer takes its mount points, and looking for
	 * them first would cost an overlay mount more. */
	if ((s->read_only || s->n_lowers == 1) && mount_point_layer(s, basefd, &view, &added, err) < 0)
		return -1;
	if (added) {
		layer = xasprintf("%s/layer", stage);
		lowers[l.n_lowers++] = layer;
	}
	if (s->read_only) {
		l.upper = l.work = NULL;
	} else if (!s->upper) {
		up = xasprintf("%s/upper", stage);
		wk = xasprintf("%s/work", stage);
		if (mkdir(up, 0755) < 0 || mkdir(wk, 0700) < 0)
			return sbx_error_set(err, errno, "mkdir the writable layer");
		l.upper = up;
		l.work = wk;
		l.volatile_upper = true;
	}
	if (!l.upper && l.n_lowers == 1) {
		struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};

		tree =
		    sys_open_tree(AT_FDCWD, s->lowers[0], OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		if (tree < 0)
			return sbx_error_set(err, errno, "bind `%s`", s->lowers[0]);
		if (sys_mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr) < 0) {
			close(tree);
			return sbx_error_set(err, errno, "make `%s` read-only", s->lowers[0]);
		}
	} else if (!l.upper && !added && s->n_lowers > 1) {
		tree = take_fd(&view); /* that very overlay */
	} else if (overlay_mount_fd(&l, &tree, err) < 0) {
		return -1;
	}
	mp = openat(basefd, "root", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (mp < 0 ||
	    sys_move_mount(tree, "", mp, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
		int e = errno;

		close(tree);
		return sbx_error_set(err, e, "attach the root");
	}
	*rootfd = tree;
	return 0;
}

/**
 * private_tmp_dirs() - a tmpfs on /tmp and /var/tmp where their mode lets
 *			everyone write but the writable layer cannot take
 *			writes (their owner is not mapped)
 * @rootfd:	the new root, with a writable layer
 * @err:	error out-parameter
 *
 * overlayfs copies up nothing whose owner or group the user namespace does
 * not map (EOVERFLOW), so in a tree owned by root nothing could be created
 * in a 1777 /tmp. Such an owner shows as OVERFLOW_ID, which a mapped id may
 * be too: changing the directory's mode to itself (a copy-up) tells them
 * apart. The tmpfs gets the directory's mode; what the tree has there is
 * hidden, as on a system that mounts a tmpfs on /tmp.
 *
 * Return: 0, or negative with *err set.
 */
static int private_tmp_dirs(int rootfd, struct sbx_error **err)
{
	static const char *const dirs[] = {"tmp", "var/tmp"};

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		cleanup_close int fd =
		    safepath_open(rootfd, dirs[i], O_PATH | O_DIRECTORY | O_NOFOLLOW, NULL);
		char p[FD_PATH_MAX], opts[32];
		struct stat st;

		if (fd < 0 || fstat(fd, &st) < 0 || !(st.st_mode & S_IWOTH) ||
		    (st.st_uid != OVERFLOW_ID && st.st_gid != OVERFLOW_ID))
			continue;
		fd_path(p, fd);
		if (chmod(p, st.st_mode & 07777) == 0)
			continue;
		snprintf(opts, sizeof(opts), "mode=%04o", (unsigned)(st.st_mode & 07777));
		if (mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
			return sbx_error_set(err, errno, "mount tmpfs on `/%s`", dirs[i]);
	}
	return 0;
}

/**
 * mount_cgroup2() - cgroup2 at /sys/fs/cgroup, showing the sandbox's cgroup
 *		     namespace (its own cgroup as the root)
 * @rootfd:	descriptor of the new root
 * @rw:		writable (--privileged); read-only otherwise, as docker does
 * @err:	error out-parameter
 *
 * Over a /sys bound from the host the hierarchy's superblock may already be
 * mounted at that very place, and the kernel refuses to stack a filesystem
 * on its own root (EBUSY): a tmpfs goes in between then.
 *
 * Return: 0, or negative with *err set.
 */
static int mount_cgroup2(int rootfd, bool rw, struct sbx_error **err)
{
	unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC | (rw ? 0 : MS_RDONLY);

	if (mount_fs_in_root(rootfd, "sys/fs/cgroup", "cgroup2", flags, NULL, err) == 0)
		return 0;
	if ((*err)->errnum != EBUSY)
		return -1;
	sbx_error_cleanup(err);
	if (mount_fs_in_root(rootfd, "sys/fs/cgroup", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			     "mode=0755,size=16k", err) < 0)
		return -1;
	return mount_fs_in_root(rootfd, "sys/fs/cgroup", "cgroup2", flags, NULL, err);
}

static int setup_dev(const struct rootfs_spec *s, int rootfd, struct sbx_error **err)
{
	static const char *const nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
	static const char *const links[][2] = {
	    {"/proc/self/fd", "dev/fd"},       {"/proc/self/fd/0", "dev/stdin"},
	    {"/proc/self/fd/1", "dev/stdout"}, {"/proc/self/fd/2", "dev/stderr"},
	    {"pts/ptmx", "dev/ptmx"},	       {"/proc/kcore", "dev/core"},
	};
	cleanup_close int devfd = -1;
	char opts[96];

	if (mount_fs_in_root(rootfd, "dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=65536k", err) < 0)
		return -1;
	devfd = safepath_open(rootfd, "dev", O_PATH | O_DIRECTORY, err);
	if (devfd < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(nodes); i++) {
		cleanup_free char *src = xasprintf("/dev/%s", nodes[i]);
		cleanup_free char *dst = xasprintf("dev/%s", nodes[i]);

		if (bind_into_root(src, rootfd, dst, false, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		if (symlinkat(links[i][0], devfd, links[i][1] + 4) < 0)
			return sbx_error_set(err, errno, "symlink `/%s`", links[i][1]);
	snprintf(opts, sizeof(opts), "newinstance,ptmxmode=0666,mode=0620%s",
		 s->gid_tty_mapped ? ",gid=5" : "");
	if (mount_fs_in_root(rootfd, "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, opts, err) < 0)
		return -1;
	if (mount_fs_in_root(rootfd, "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			     "mode=1777,size=65536k", err) < 0)
		return -1;
	if (mount_fs_in_root(rootfd, "dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err) < 0)
		return -1;
	return 0;
}

static int bind_generated(int genfd, const char *name, int rootfd, const char *dst, struct sbx_error **err)
{
	int tree = sys_open_tree(genfd, name, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

	if (tree < 0)
		return sbx_error_set(err, errno, "bind the generated /etc/%s", name);
	return attach_tree(tree, name, rootfd, dst, false, err);
}

/**
 * bind_etc_file() - put a generated /etc file (hostname, hosts, resolv.conf)
 *		     in place
 * @s:		the spec
 * @rootfd:	descriptor of the new root
 * @genfd:	directory of the generated files
 * @name:	file name there and in /etc
 * @err:	error out-parameter
 *
 * A missing file is created when the root is writable; a symlink is replaced
 * in the writable layer, or, where that is not allowed (the host's /etc),
 * its target is created inside the root (e.g. /run/systemd/resolve/...).
 * With neither possible the file is left as the image has it (debug log).
 *
 * Return: 0, or negative with *err set.
 */
static int bind_etc_file(const struct rootfs_spec *s, int rootfd, int genfd, const char *name,
			 struct sbx_error **err)
{
	cleanup_free char *dst = xasprintf("etc/%s", name);
	cleanup_close int etc = -1;
	struct stat st;

	etc = safepath_open(rootfd, "etc", O_PATH | O_DIRECTORY, NULL);
	if (etc < 0) {
		if (s->read_only)
			return 0;
		if (safepath_mkdir_p(rootfd, "etc", 0755, err) < 0)
			return -1;
		etc = safepath_open(rootfd, "etc", O_PATH | O_DIRECTORY, err);
		if (etc < 0)
			return -1;
	}
	if (fstatat(etc, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n;

		if (unlinkat(etc, name, 0) == 0)
			return bind_generated(genfd, name, rootfd, dst, err);
		n = readlinkat(etc, name, target, sizeof(target) - 1);
		if (n <= 0)
			return 0;
		target[n] = '\0';
		free(dst);
		dst = target[0] == '/' ? xstrdup(target) : xasprintf("etc/%s", target);
	} else if (s->read_only && fstatat(etc, name, &st, 0) < 0) {
		sbx_debug("no /etc/%s in a read-only root: left out", name);
		return 0;
	}
	if (bind_generated(genfd, name, rootfd, dst, err) < 0) {
		if (s->host) {
			sbx_debug("/etc/%s left as the host has it: %s", name, (*err)->msg);
			sbx_error_cleanup(err);
			return 0;
		}
		return -1;
	}
	return 0;
}

static int cmp_depth(const void *a, const void *b)
{
	const struct sbx_volume *const *va = a, *const *vb = b;
	int da = 0, db = 0;

	for (const char *p = (*va)->target; *p; p++)
		da += *p == '/';
	for (const char *p = (*vb)->target; *p; p++)
		db += *p == '/';
	return da - db;
}

static int setup_volumes(const struct rootfs_spec *s, int rootfd, struct sbx_error **err)
{
	cleanup_free const struct sbx_volume **order = xcalloc(s->n_volumes, sizeof(*order));

	for (size_t i = 0; i < s->n_volumes; i++)
		order[i] = &s->volumes[i];
	/* parents before children, as docker does; stable for equal depth */
	qsort(order, s->n_volumes, sizeof(*order), cmp_depth);
	for (size_t i = 0; i < s->n_volumes; i++) {
		if (bind_into_root(order[i]->source, rootfd, order[i]->target, order[i]->read_only, err) < 0)
			return sbx_error_wrap(err, "volume `%s:%s`", order[i]->source, order[i]->target);
	}
	for (size_t i = 0; i < s->n_tmpfs; i++) {
		if (mount_fs_in_root(rootfd, s->tmpfs[i].target, "tmpfs", s->tmpfs[i].flags, s->tmpfs[i].data,
				     err) < 0)
			return sbx_error_wrap(err, "--tmpfs `%s`", s->tmpfs[i].target);
	}
	return 0;
}

/* The id of the mount @path (relative to @dirfd) is on, or 0. */
static uint64_t mount_id(int dirfd, const char *path, int flags)
{
	struct statx stx = {0};

	if (syscall(SYS_statx, dirfd, path, flags, STATX_MNT_ID, &stx) < 0 || !(stx.stx_mask & STATX_MNT_ID))
		return 0;
	return stx.stx_mnt_id;
}

/**
 * enter_root() - make @rootfd, attached above `/`, the root
 * @rootfd:	the new root mount
 * @err:	error out-parameter
 *
 * pivot_root(".", ".") puts the old root on top of the new one. The mounts
 * stacked there (the old root, and the staging tmpfs stacked on it) must
 * all go: `..` of the root follows mounts stacked on it, so any one left
 * would be a way out. They are detached until `/..` is the new root
 * itself. pivot_root() fails with EINVAL when the current root is the
 * initramfs (rootfs), which cannot be moved: then the new root, already on
 * top of it, is chroot()ed into, as switch_root does.
 *
 * Return: 0, or negative with *err set.
 */
static int enter_root(int rootfd, struct sbx_error **err)
{
	uint64_t root_id = mount_id(rootfd, "", AT_EMPTY_PATH);
	int i;

	if (fchdir(rootfd) < 0)
		return sbx_error_set(err, errno, "chdir to the new root");
	if (sys_pivot_root(".", ".") < 0) {
		if (errno != EINVAL)
			return sbx_error_set(err, errno, "pivot_root");
		if (chroot(".") < 0)
			return sbx_error_set(err, errno, "chroot to the new root");
	}
	if (chdir("/") < 0)
		return sbx_error_set(err, errno, "chdir `/`");
	for (i = 0; i < 8 && root_id && mount_id(AT_FDCWD, "/..", 0) != root_id; i++)
		if (umount2("/..", MNT_DETACH) < 0)
			return sbx_error_set(err, errno, "detach the old root");
	if (!root_id || mount_id(AT_FDCWD, "/..", 0) != root_id)
		return sbx_error_set(err, 0, "detach the old root: it is still reachable");
	return 0;
}

/* What podman masks and makes read-only by default. */
static const char *const masked_paths[] = {
    "/proc/acpi",	"/proc/kcore",	     "/proc/keys",	  "/proc/latency_stats",
    "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
    "/sys/firmware",	"/sys/fs/selinux",   "/sys/dev/block",	  "/sys/devices/virtual/powercap",
};
static const char *const readonly_paths[] = {
    "/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

static int mask_paths(struct sbx_error **err)
{
	for (size_t i = 0; i < ARRAY_SIZE(masked_paths); i++) {
		const char *p = masked_paths[i];
		struct stat st;

		if (lstat(p, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (mount("tmpfs", p, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
				  "size=0,mode=0755") < 0)
				return sbx_error_set(err, errno, "mask `%s`", p);
		} else if (mount("/dev/null", p, NULL, MS_BIND, NULL) < 0) {
			return sbx_error_set(err, errno, "mask `%s`", p);
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(readonly_paths); i++) {
		const char *p = readonly_paths[i];
		struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
						      MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC};
		cleanup_close int tree =
		    sys_open_tree(AT_FDCWD, p, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);

		if (tree < 0) {
			if (errno == ENOENT)
				continue;
			return sbx_error_set(err, errno, "bind `%s`", p);
		}
		if (sys_mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr) < 0 ||
		    sys_move_mount(tree, "", AT_FDCWD, p, MOVE_MOUNT_F_EMPTY_PATH) < 0)
			return sbx_error_set(err, errno, "make `%s` read-only", p);
	}
	return 0;
}

/**
 * rootfs_setup() - build the sandbox's root and enter it
 * @s:		what to mount
 * @err:	error out-parameter
 *
 * Runs in the sandbox's PID 1, root of its user namespace. On return the
 * process's root and working directory are the new root.
 *
 * Return: 0, or negative with *err set.
 */
int rootfs_setup(const struct rootfs_spec *s, struct sbx_error **err)
{
	cleanup_close int basefd = -1, rootfd = -1, stagefd = -1, genfd = -1;
	unsigned long sysflags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
	char stage[FD_PATH_MAX];

	/* private, not slave: a mount the host makes later below a read-only
	 * bind (a USB stick, FUSE, an automount) would arrive with its own,
	 * writable flags (SECURITY.md) */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return sbx_error_set(err, errno, "make mounts private");
	basefd = new_tmpfs_on_root("0755", err);
	if (basefd < 0)
		return -1;
	if (s->host) {
		/* the base is the root; the staging tmpfs is detached before pivot */
		rootfd = dup(basefd);
		if (rootfd < 0 ||
		    mount_fs_in_root(rootfd, STAGE_DIR, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700", err) < 0)
			return rootfd < 0 ? sbx_error_set(err, errno, "dup") : -1;
		stagefd = safepath_open(rootfd, STAGE_DIR, O_PATH | O_DIRECTORY, err);
		if (stagefd < 0)
			return -1;
		fd_path(stage, stagefd);
		if (host_root(s, rootfd, stage, err) < 0)
			return -1;
	} else {
		stagefd = dup(basefd);
		if (stagefd < 0)
			return sbx_error_set(err, errno, "dup");
		fd_path(stage, stagefd);
		if (image_root(s, basefd, stage, &rootfd, err) < 0)
			return -1;
		if (!s->read_only && private_tmp_dirs(rootfd, err) < 0)
			return -1;
	}
	if (mkdirat(stagefd, "gen", 0755) < 0 ||
	    (genfd = openat(stagefd, "gen", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return sbx_error_set(err, errno, "mkdir for the generated files");
	if (write_generated(s, genfd, err) < 0)
		return -1;
	if (mount_fs_in_root(rootfd, "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err) < 0)
		return -1;
	if (!s->own_netns || mount_fs_in_root(rootfd, "sys", "sysfs", sysflags, NULL, err) < 0) {
		/* sysfs shows the network namespace that mounts it */
		sbx_error_cleanup(err);
		if (bind_into_root("/sys", rootfd, "sys", true, err) < 0)
			return -1;
	}
	if (s->cgroup_mount && mount_cgroup2(rootfd, s->privileged, err) < 0)
		return -1;
	if (setup_dev(s, rootfd, err) < 0)
		return -1;
	if (s->host) {
		if (mount_fs_in_root(rootfd, "tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", err) < 0 ||
		    mount_fs_in_root(rootfd, "run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755", err) < 0)
			return -1;
		/* as /tmp, also with --read-only: the host's would show the
		 * caller's sockets and FIFOs there */
		{
			cleanup_close int vt = safepath_open(rootfd, "var/tmp", O_PATH | O_DIRECTORY, NULL);

			if (vt >= 0 && mount_fs_in_root(rootfd, "var/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
							"mode=1777", err) < 0)
				return -1;
		}
	}
	if (bind_etc_file(s, rootfd, genfd, "hostname", err) < 0 ||
	    bind_etc_file(s, rootfd, genfd, "hosts", err) < 0 ||
	    bind_etc_file(s, rootfd, genfd, "resolv.conf", err) < 0)
		return -1;
	if (setup_volumes(s, rootfd, err) < 0)
		return -1;
	if (s->host) {
		/* the overlays and binds hold what they need of the staging tmpfs */
		struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};

		if (umount2(stage, MNT_DETACH) < 0 || unlinkat(rootfd, STAGE_DIR, AT_REMOVEDIR) < 0)
			return sbx_error_set(err, errno, "remove the staging directory");
		/* the host's / is not writable by the caller either */
		if (sys_mount_setattr(rootfd, "", AT_EMPTY_PATH, &attr) < 0)
			return sbx_error_set(err, errno, "make `/` read-only");
	}
	if (enter_root(rootfd, err) < 0)
		return -1;
	if (!s->privileged && mask_paths(err) < 0)
		return -1;
	return 0;
}
