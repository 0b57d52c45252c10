// SPDX-License-Identifier: GPL-2.0-or-later
/* util.c - cleanup helpers, string vectors and small file helpers */
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

void util_freep(void *p)
{
	free(*(void **)p);
}

void util_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;

		close(*fd);
		errno = saved;
	}
	*fd = -1;
}

void util_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
	*f = NULL;
}

void util_strvfreep(char ***v)
{
	if (*v) {
		for (char **p = *v; *p; p++)
			free(*p);
		free(*v);
	}
	*v = NULL;
}

void util_kill_pidp(pid_t *pid)
{
	if (*pid > 0) {
		int saved = errno;

		kill(*pid, SIGKILL);
		while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
			;
		errno = saved;
	}
	*pid = 0;
}

static void oom(void)
{
	static const char m[] = "sandbox: out of memory\n";

	(void)!write(STDERR_FILENO, m, sizeof(m) - 1);
	_exit(125);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);

	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		oom();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	char *s;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	va_end(ap);
	return s;
}

int strv_push_take(struct strv *s, char *str)
{
	char **v = realloc(s->v, (s->n + 2) * sizeof(char *));

	if (!v)
		oom();
	s->v = v;
	s->v[s->n++] = str;
	s->v[s->n] = NULL;
	return 0;
}

int strv_push(struct strv *s, const char *str)
{
	return strv_push_take(s, xstrdup(str));
}

void strv_clear(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

/**
 * strv_env_dedup() - keep the last of the K=V entries with the same key
 * @env:	an environment being built, earlier entries first
 */
void strv_env_dedup(struct strv *env)
{
	size_t w = 0;

	for (size_t i = 0; i < env->n; i++) {
		const char *eq = strchr(env->v[i], '=');
		size_t kl = eq ? (size_t)(eq - env->v[i]) : strlen(env->v[i]);
		bool later = false;

		for (size_t j = i + 1; j < env->n && !later; j++)
			later = strncmp(env->v[j], env->v[i], kl) == 0 &&
				(env->v[j][kl] == '=' || !env->v[j][kl]);
		if (later)
			free(env->v[i]);
		else
			env->v[w++] = env->v[i];
	}
	env->n = w;
	if (env->v)
		env->v[w] = NULL;
}

size_t strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

ssize_t util_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t r = write(fd, p + done, len - done);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)r;
	}
	return (ssize_t)done;
}

ssize_t util_read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t r = read(fd, p + done, len - done);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

/**
 * util_write_file_at() - create or truncate a file and write data to it
 * @dirfd:	directory for a relative @path (AT_FDCWD for the cwd)
 * @path:	file to write
 * @data:	bytes to write
 * @len:	how many
 * @mode:	mode for a new file
 * @err:	error out-parameter
 *
 * Return: 0, or a negative value with *err set.
 */
int util_write_file_at(int dirfd, const char *path, const char *data, size_t len, int mode,
		       struct sbx_error **err)
{
	cleanup_close int fd =
	    openat(dirfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);

	if (fd < 0)
		return sbx_error_set(err, errno, "open `%s`", path);
	if (util_write_all(fd, data, len) < 0)
		return sbx_error_set(err, errno, "write `%s`", path);
	return 0;
}

/**
 * util_read_fd() - read what is left of @fd into a NUL-terminated buffer
 * @fd:		descriptor to read
 * @max:	refuse (EFBIG) contents longer than this
 * @what:	name for messages (a path)
 * @out:	set to the malloc'd contents
 * @len:	if not NULL, set to the length without the terminator
 * @err:	error out-parameter
 *
 * Return: 0, or a negative value with *err set.
 */
int util_read_fd(int fd, size_t max, const char *what, char **out, size_t *len, struct sbx_error **err)
{
	cleanup_free char *buf = NULL;
	size_t cap = 4096, n = 0;

	buf = xmalloc(cap);
	for (;;) {
		ssize_t r;

		if (n + 1 >= cap) {
			char *nb;

			if (cap > max)
				return sbx_error_set(err, EFBIG, "read `%s`", what);
			nb = realloc(buf, cap * 2);
			if (!nb)
				return sbx_error_set(err, ENOMEM, "read `%s`", what);
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return sbx_error_set(err, errno, "read `%s`", what);
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max)
		return sbx_error_set(err, EFBIG, "read `%s`", what);
	buf[n] = '\0';
	if (len)
		*len = n;
	*out = steal_pointer(&buf);
	return 0;
}

/**
 * util_read_file() - read a whole file into a NUL-terminated buffer
 * @path:	file to read
 * @out:	set to the malloc'd contents
 * @len:	if not NULL, set to the length without the terminator
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int util_read_file(const char *path, char **out, size_t *len, struct sbx_error **err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return sbx_error_set(err, errno, "open `%s`", path);
	return util_read_fd(fd, SIZE_MAX / 4, path, out, len, err);
}

/**
 * util_parse_u32n() - parse @len decimal digits (no sign, no spaces)
 * @s:		the digits
 * @len:	how many
 * @max:	largest value accepted
 * @out:	the value
 *
 * Return: true if valid.
 */
bool util_parse_u32n(const char *s, size_t len, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 10)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

/**
 * util_read_small() - read a small file (a sysctl, a pid) into @buf
 * @path:	file to read
 * @buf:	destination, NUL-terminated, trailing newline removed
 * @size:	size of @buf
 *
 * Return: number of bytes read, or -1 with errno set.
 */
int util_read_small(const char *path, char *buf, size_t size)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = util_read_all(fd, buf, size - 1);
	if (r < 0)
		return -1;
	buf[r] = '\0';
	while (r > 0 && buf[r - 1] == '\n')
		buf[--r] = '\0';
	return (int)r;
}

int util_mkdir_p(const char *path, mode_t mode, struct sbx_error **err)
{
	cleanup_free char *p = xstrdup(path);

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return sbx_error_set(err, errno, "mkdir `%s`", p);
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return sbx_error_set(err, errno, "mkdir `%s`", p);
	return 0;
}

/**
 * util_rm_rf_at() - remove @name below @dirfd recursively, never following
 *		     symlinks and never crossing into other mounts' contents
 * @parent:	directory holding @name
 * @name:	entry to remove
 * @err:	error out-parameter
 *
 * Directories whose mode denies us access (as left by a sandboxed process)
 * are made accessible first, since we own them.
 *
 * Return: 0 (also when @name does not exist), or negative with *err set.
 */
int util_rm_rf_at(int parent, const char *name, struct sbx_error **err)
{
	struct stat st;
	cleanup_close int fd = -1;
	DIR *d;
	struct dirent *de;
	int ret = 0;

	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : sbx_error_set(err, errno, "stat `%s`", name);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(parent, name, 0) < 0 && errno != ENOENT)
			return sbx_error_set(err, errno, "remove `%s`", name);
		return 0;
	}
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == EACCES) {
		fchmodat(parent, name, 0700, 0);
		fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return sbx_error_set(err, errno, "open `%s`", name);
	if ((st.st_mode & 0700) != 0700)
		fchmod(fd, 0700);
	d = fdopendir(fd);
	if (!d)
		return sbx_error_set(err, errno, "open `%s`", name);
	fd = -1; /* owned by d now */
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (util_rm_rf_at(dirfd(d), de->d_name, err) < 0) {
			ret = sbx_error_wrap(err, "`%s`", name);
			break;
		}
	}
	closedir(d);
	if (ret < 0)
		return ret;
	if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return sbx_error_set(err, errno, "remove `%s`", name);
	return 0;
}

int util_rm_rf(const char *path, struct sbx_error **err)
{
	return util_rm_rf_at(AT_FDCWD, path, err);
}

bool util_parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (max - (unsigned)(*s - '0')) / 10)
			return false;
		v = v * 10 + (unsigned)(*s - '0');
	}
	*out = v;
	return true;
}

int util_random_hex(char *out, size_t nhex)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char buf[64];
	size_t nbytes = (nhex + 1) / 2;

	if (nbytes > sizeof(buf))
		return -1;
	if (getrandom(buf, nbytes, 0) != (ssize_t)nbytes)
		return -1;
	for (size_t i = 0; i < nhex; i++)
		out[i] = hex[(buf[i / 2] >> ((i & 1) ? 0 : 4)) & 0xf];
	out[nhex] = '\0';
	return 0;
}

const char *util_basename(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}
