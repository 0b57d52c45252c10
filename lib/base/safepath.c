// SPDX-License-Identifier: GPL-2.0-or-later
/* safepath.c - open and create paths inside a root without leaving it
 *
 * Every path that names something inside a sandbox's root filesystem (an
 * image the user did not write, possibly hostile) is resolved relative to an
 * O_PATH descriptor of that root, so that neither `..` nor absolute or
 * relative symlinks can lead outside of it. openat2(RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS) does this in the kernel (Linux >= 5.6); on older
 * kernels (ENOSYS) safepath_open_walk() walks the path one component at a
 * time with O_NOFOLLOW, resolving symlinks itself against the root.
 */
#include "safepath.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "syscalls.h"
#include "util.h"

bool safepath_force_walk;

#define MAX_SYMLINKS 40

/**
 * safepath_open_walk() - resolve @path inside @rootfd one component at a time
 * @rootfd:	O_PATH (or O_DIRECTORY) descriptor of the root
 * @path:	path inside the root, absolute or relative to it
 * @flags:	open flags for the last component (O_CLOEXEC is always added)
 * @err:	error out-parameter
 *
 * Symlinks are read and their targets resolved against @rootfd and `..`
 * never goes above the root: the semantics of RESOLVE_IN_ROOT. The final
 * component is followed unless @flags has O_NOFOLLOW; it is created when
 * @flags has O_CREAT.
 *
 * Return: the new descriptor, or negative with *err set.
 */
int safepath_open_walk(int rootfd, const char *path, int flags, struct sbx_error **err)
{
	cleanup_free char *work = xstrdup(path);
	cleanup_free int *stack = xcalloc(PATH_MAX, sizeof(int));
	size_t depth = 0;
	int links = 0, cur, ret = -1;
	char *rest = work;

	cur = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0)
		return sbx_error_set(err, errno, "open root");
	for (;;) {
		char *comp, target[PATH_MAX];
		struct stat st;
		bool last = true;
		ssize_t n;
		int fd;

		while (*rest == '/')
			rest++;
		if (!*rest) {
			/* the path named a directory (or the root itself) */
			ret = openat(cur, ".", (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW)) | O_CLOEXEC);
			if (ret < 0)
				ret = sbx_error_set(err, errno, "open `%s`", path);
			break;
		}
		comp = rest;
		rest = strchrnul(rest, '/');
		for (char *p = rest; *p; p++)
			if (*p != '/')
				last = false;
		if (*rest)
			*rest++ = '\0';
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			if (depth > 0) {
				close(cur);
				cur = stack[--depth];
			}
			continue;
		}
		if (fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT && last && (flags & O_CREAT)) {
				ret = openat(cur, comp, flags | O_NOFOLLOW | O_CLOEXEC, 0644);
				if (ret < 0)
					ret = sbx_error_set(err, errno, "create `%s`", path);
				break;
			}
			ret = sbx_error_set(err, errno, "open `%s`", path);
			break;
		}
		if (S_ISLNK(st.st_mode) && !(last && (flags & O_NOFOLLOW))) {
			char *nw;

			n = readlinkat(cur, comp, target, sizeof(target) - 1);
			if (n < 0 || ++links > MAX_SYMLINKS) {
				ret = sbx_error_set(err, n < 0 ? errno : ELOOP, "open `%s`", path);
				break;
			}
			target[n] = '\0';
			nw = xasprintf("%s/%s", target, rest);
			free(work);
			rest = work = nw;
			if (target[0] == '/') {
				while (depth > 0)
					close(stack[--depth]);
				close(cur);
				cur = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
				if (cur < 0)
					return sbx_error_set(err, errno, "open root");
			}
			continue;
		}
		if (last) {
			ret = openat(cur, comp, (flags & ~O_CREAT) | O_NOFOLLOW | O_CLOEXEC);
			if (ret < 0)
				ret = sbx_error_set(err, errno, "open `%s`", path);
			break;
		}
		if (!S_ISDIR(st.st_mode)) {
			ret = sbx_error_set(err, ENOTDIR, "open `%s`", path);
			break;
		}
		fd = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			ret = sbx_error_set(err, errno, "open `%s`", path);
			break;
		}
		if (depth >= PATH_MAX) {
			close(fd);
			ret = sbx_error_set(err, ENAMETOOLONG, "open `%s`", path);
			break;
		}
		stack[depth++] = cur;
		cur = fd;
	}
	close(cur);
	while (depth > 0)
		close(stack[--depth]);
	return ret;
}

/**
 * safepath_open() - open @path inside the root @rootfd
 * @rootfd:	descriptor of the root directory
 * @path:	path inside it
 * @flags:	open flags (O_CLOEXEC is always added)
 * @err:	error out-parameter
 *
 * Uses openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), or the checked
 * walk when the kernel lacks openat2 (or safepath_force_walk is set).
 *
 * Return: the new descriptor, or negative with *err set.
 */
int safepath_open(int rootfd, const char *path, int flags, struct sbx_error **err)
{
	struct sbx_open_how how = {
	    .flags = (uint64_t)(flags | O_CLOEXEC),
	    .mode = (flags & O_CREAT) ? 0644 : 0,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	if (!safepath_force_walk) {
		fd = sys_openat2(rootfd, path, &how);
		if (fd >= 0)
			return fd;
		if (errno != ENOSYS)
			return sbx_error_set(err, errno, "open `%s`", path);
	}
	return safepath_open_walk(rootfd, path, flags, err);
}

/**
 * safepath_mkdir_p() - create @path and its missing parents inside @rootfd
 * @rootfd:	descriptor of the root directory
 * @path:	directory to create
 * @mode:	mode of new directories
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set (ENOTDIR when a component exists
 * and is not a directory).
 */
int safepath_mkdir_p(int rootfd, const char *path, mode_t mode, struct sbx_error **err)
{
	cleanup_free char *p = xstrdup(path);
	char *s = p;

	for (;;) {
		char saved;
		int fd;

		while (*s == '/')
			s++;
		s = strchrnul(s, '/');
		saved = *s;
		*s = '\0';
		fd = safepath_open(rootfd, p, O_PATH | O_DIRECTORY, NULL);
		if (fd >= 0) {
			close(fd);
		} else {
			cleanup_free char *parent = xstrdup(p);
			char *slash = strrchr(parent, '/');
			const char *name = slash ? slash + 1 : parent;
			cleanup_close int pfd = -1;

			if (slash)
				*slash = '\0';
			pfd = safepath_open(rootfd, slash ? (*parent ? parent : "/") : ".",
					    O_PATH | O_DIRECTORY, err);
			if (pfd < 0)
				return sbx_error_wrap(err, "mkdir `%s`", path);
			if (mkdirat(pfd, name, mode) < 0 && errno != EEXIST)
				return sbx_error_set(err, errno, "mkdir `%s`", p);
			fd = safepath_open(rootfd, p, O_PATH | O_DIRECTORY, err);
			if (fd < 0)
				return sbx_error_wrap(err, "mkdir `%s`", path);
			close(fd);
		}
		*s = saved;
		if (!saved)
			break;
	}
	return 0;
}

/**
 * safepath_create_file() - make sure a regular file exists at @path
 * @rootfd:	descriptor of the root directory
 * @path:	file to create (parents are created)
 * @mode:	mode of a new file
 * @err:	error out-parameter
 *
 * Return: an O_PATH descriptor of the file, or negative with *err set.
 */
int safepath_create_file(int rootfd, const char *path, mode_t mode, struct sbx_error **err)
{
	cleanup_free char *parent = xstrdup(path);
	char *slash = strrchr(parent, '/');
	int fd;

	fd = safepath_open(rootfd, path, O_PATH, NULL);
	if (fd >= 0)
		return fd;
	if (slash && slash != parent) {
		*slash = '\0';
		if (safepath_mkdir_p(rootfd, parent, 0755, err) < 0)
			return -1;
	}
	fd = safepath_open(rootfd, path, O_WRONLY | O_CREAT | O_NOFOLLOW, err);
	if (fd < 0)
		return -1;
	fchmod(fd, mode);
	close(fd);
	return safepath_open(rootfd, path, O_PATH, err);
}

/**
 * safepath_chdir() - change to @path resolved inside our own root, and make
 *		      sure the working directory is below that root
 * @path:	directory inside the root (absolute, or relative to the root)
 * @err:	error out-parameter
 *
 * A plain chdir(2) follows magic links: with a descriptor of the host still
 * open, `/proc/self/fd/N` would put the working directory outside the
 * sandbox (CVE-2024-21626), where relative paths reach the caller's files.
 * The caller closes every descriptor it does not need first; the path is
 * then resolved as RESOLVE_IN_ROOT does, without magic links, and the
 * kernel's getcwd(2) must name a path below our root afterwards (it
 * prefixes `(unreachable)` otherwise).
 *
 * Return: 0, or negative with *err set.
 */
int safepath_chdir(const char *path, struct sbx_error **err)
{
	cleanup_close int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	cleanup_close int fd = -1;
	char cwd[PATH_MAX];
	long n;

	if (rootfd < 0)
		return sbx_error_set(err, errno, "open the root");
	fd = safepath_open(rootfd, path, O_PATH | O_DIRECTORY, err);
	if (fd < 0)
		return -1;
	if (fchdir(fd) < 0)
		return sbx_error_set(err, errno, "chdir");
	/* the raw system call: a C library may hide the `(unreachable)` form */
	n = syscall(SYS_getcwd, cwd, sizeof(cwd));
	if (n < 0)
		return sbx_error_set(err, errno, "getcwd");
	if (n == 0 || cwd[0] != '/')
		return sbx_error_set(err, EXDEV, "outside the sandbox's root");
	return 0;
}

/* Whether the path @p (components separated by `/`) has a `..` component. */
static bool has_dotdot(const char *p)
{
	for (const char *s = p; (s = strstr(s, "..")); s += 2)
		if ((s == p || s[-1] == '/') && (s[2] == '/' || !s[2]))
			return true;
	return false;
}

/**
 * safepath_resolve() - where @path leads inside @rootfd, as far as it exists
 * @rootfd:	descriptor of the root directory
 * @path:	path inside it
 * @resolved:	set to the path, relative to the root, that @path names
 *		with the symlinks of its existing part resolved (the final
 *		component's too) the way safepath_open() resolves them, and
 *		without `.` or `..`; when a part is missing, the missing rest
 *		follows as given: what safepath_mkdir_p() or
 *		safepath_create_file() would create. Freed by the caller.
 * @existing:	set to the length of the part of *@resolved that exists (a
 *		directory, or all of it), or NULL
 * @err:	error out-parameter
 *
 * Only looks: nothing is opened but directories (O_PATH), nothing created.
 *
 * Return: 1 when all of @path exists, 0 when a part is missing, or negative
 * with *err set (a component that is not a directory, a symlink loop, a
 * `..` below a missing component).
 */
int safepath_resolve(int rootfd, const char *path, char **resolved, size_t *existing, struct sbx_error **err)
{
	cleanup_free char *work = xstrdup(path);
	cleanup_free char *canon = xcalloc(1, PATH_MAX);
	cleanup_free int *stack = xcalloc(PATH_MAX, sizeof(int));
	size_t depth = 0, len = 0;
	int links = 0, cur, ret;
	char *rest = work;

	*resolved = NULL;
	cur = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0)
		return sbx_error_set(err, errno, "open root");
	for (;;) {
		char *comp, target[PATH_MAX];
		struct stat st;
		ssize_t n;
		int fd;

		while (*rest == '/')
			rest++;
		if (!*rest) {
			ret = 1;
			break;
		}
		comp = rest;
		rest = strchrnul(rest, '/');
		if (*rest)
			*rest++ = '\0';
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			if (depth > 0) {
				close(cur);
				cur = stack[--depth];
				while (len > 0 && canon[len - 1] != '/')
					len--;
				len -= len > 0;
				canon[len] = '\0';
			}
			continue;
		}
		if (fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT) {
				ret = sbx_error_set(err, errno, "open `%s`", path);
				break;
			}
			if (has_dotdot(rest)) {
				ret = sbx_error_set(err, ENOENT, "resolve `%s`: `..` below a missing `%s`",
						    path, comp);
				break;
			}
			*resolved =
			    xasprintf("%s%s%s%s%s", canon, len ? "/" : "", comp, *rest ? "/" : "", rest);
			if (existing)
				*existing = len;
			ret = 0;
			break;
		}
		if (S_ISLNK(st.st_mode)) {
			char *nw;

			n = readlinkat(cur, comp, target, sizeof(target) - 1);
			if (n < 0 || ++links > MAX_SYMLINKS) {
				ret = sbx_error_set(err, n < 0 ? errno : ELOOP, "open `%s`", path);
				break;
			}
			target[n] = '\0';
			/* no `/` after a last component: it need not be a directory */
			nw = xasprintf("%s%s%s", target, *rest ? "/" : "", rest);
			free(work);
			rest = work = nw;
			if (target[0] == '/') {
				while (depth > 0)
					close(stack[--depth]);
				len = 0;
				canon[0] = '\0';
				close(cur);
				cur = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
				if (cur < 0)
					return sbx_error_set(err, errno, "open root");
			}
			continue;
		}
		if (len + strlen(comp) + 2 > PATH_MAX || depth >= PATH_MAX) {
			ret = sbx_error_set(err, ENAMETOOLONG, "open `%s`", path);
			break;
		}
		len += (size_t)snprintf(canon + len, PATH_MAX - len, "%s%s", len ? "/" : "", comp);
		if (!S_ISDIR(st.st_mode)) {
			while (*rest == '/')
				rest++;
			ret = *rest ? sbx_error_set(err, ENOTDIR, "open `%s`", path) : 1;
			break;
		}
		fd = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			ret = sbx_error_set(err, errno, "open `%s`", path);
			break;
		}
		stack[depth++] = cur;
		cur = fd;
	}
	close(cur);
	while (depth > 0)
		close(stack[--depth]);
	if (ret == 1) {
		*resolved = xstrdup(canon);
		if (existing)
			*existing = len;
	}
	return ret;
}
