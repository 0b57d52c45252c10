// SPDX-License-Identifier: GPL-2.0-or-later
/* options.c - parsing of option values shared by run, shell and create */
#include "options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

void options_run_init(struct sbx_run_opts *o, const struct sbx_global *g)
{
	memset(o, 0, sizeof(*o));
	o->global = g;
	o->init = true;
	o->no_new_privs = true;
	/* own network namespace with user-mode NAT (net.c, slirp_helper.c) */
	o->network = SBX_NET_SLIRP;
	o->net_mtu = 65520;
	o->userns = SBX_USERNS_AUTO;
	o->memory = -1;
	o->pids_limit = -1;
	o->notify_fd = -1;
}

void options_run_free(struct sbx_run_opts *o)
{
	for (size_t i = 0; i < o->n_volumes; i++) {
		free(o->volumes[i].source);
		free(o->volumes[i].target);
	}
	free(o->volumes);
	for (size_t i = 0; i < o->n_tmpfs; i++) {
		free(o->tmpfs[i].target);
		free(o->tmpfs[i].data);
	}
	free(o->tmpfs);
	strv_clear(&o->env);
	strv_clear(&o->publish);
	strv_clear(&o->cap_add);
	strv_clear(&o->cap_drop);
	strv_clear(&o->args);
}

/**
 * options_pin_image() - the image reference resolved to @name@@digest
 * @o:		options; IMAGE in o->args becomes NAME@DIGEST, so that `start`
 *		finds this very image after the tag moved (as podman pins the
 *		image id), and config.json records the digest
 * @name:	the image's name in the store
 * @digest:	its manifest digest
 */
void options_pin_image(struct sbx_run_opts *o, const char *name, const char *digest)
{
	o->image_digest = digest;
	if (o->args_image >= o->args.n || !name || !digest || !*digest)
		return;
	free(o->args.v[o->args_image]);
	o->args.v[o->args_image] = strchr(name, '@') ? xstrdup(name) : xasprintf("%s@%s", name, digest);
}

/* Collapse "//" and "/./", drop a trailing "/"; ".." is refused by callers. */
static char *clean_path(const char *p)
{
	char *out = xmalloc(strlen(p) + 2), *o = out;

	for (const char *s = p; *s;) {
		if (*s == '/') {
			while (*s == '/')
				s++;
			if (s[0] == '.' && (s[1] == '/' || !s[1])) {
				s++;
				continue;
			}
			*o++ = '/';
			continue;
		}
		*o++ = *s++;
	}
	if (o > out + 1 && o[-1] == '/')
		o--;
	if (o == out)
		*o++ = '/';
	*o = '\0';
	return out;
}

static bool has_dotdot(const char *p)
{
	for (const char *s = p; (s = strstr(s, "..")); s += 2)
		if ((s == p || s[-1] == '/') && (s[2] == '/' || !s[2]))
			return true;
	return false;
}

/**
 * options_parse_volume() - parse `-v HOSTPATH:PATH[:ro|rw]`
 * @spec:	the argument
 * @out:	filled on success (strings are owned by @out)
 * @err:	error out-parameter
 *
 * HOSTPATH must be absolute or start with `.` (made absolute against the
 * current directory); PATH must be absolute and free of `..`. Options are a
 * comma list of ro, rw, z, Z (the SELinux labels are accepted and ignored,
 * as podman does on hosts without SELinux).
 *
 * Return: 0, or negative with *err set.
 */
int options_parse_volume(const char *spec, struct sbx_volume *out, struct sbx_error **err)
{
	cleanup_free char *copy = xstrdup(spec);
	char *src = copy, *dst, *opts;

	memset(out, 0, sizeof(*out));
	dst = strchr(src, ':');
	if (!dst || dst == src)
		return sbx_error_set(err, 0, "invalid volume `%s`: expected HOSTPATH:PATH[:ro|rw]", spec);
	*dst++ = '\0';
	opts = strchr(dst, ':');
	if (opts)
		*opts++ = '\0';
	if (src[0] != '/' && src[0] != '.')
		return sbx_error_set(
		    err, 0, "invalid volume `%s`: named volumes are not supported, HOSTPATH must be a path",
		    spec);
	if (dst[0] != '/' || has_dotdot(dst))
		return sbx_error_set(err, 0, "invalid volume `%s`: PATH must be absolute and without `..`",
				     spec);
	if (opts) {
		for (char *o = strtok(opts, ","); o; o = strtok(NULL, ",")) {
			if (strcmp(o, "ro") == 0)
				out->read_only = true;
			else if (strcmp(o, "rw") == 0)
				out->read_only = false;
			else if (strcmp(o, "z") != 0 && strcmp(o, "Z") != 0)
				return sbx_error_set(err, 0, "invalid volume `%s`: unknown option `%s`", spec,
						     o);
		}
	}
	if (src[0] == '/') {
		out->source = clean_path(src);
	} else {
		char *abs = realpath(src, NULL);

		if (!abs)
			return sbx_error_set(err, errno, "volume `%s`: `%s`", spec, src);
		out->source = abs;
	}
	out->target = clean_path(dst);
	return 0;
}

/**
 * options_parse_tmpfs() - parse `--tmpfs PATH[:OPTIONS]` (docker's syntax)
 * @spec:	the argument
 * @out:	filled on success
 * @err:	error out-parameter
 *
 * Mount flags (ro, rw, noexec, exec, nosuid, suid, nodev, dev) become MS_*
 * flags; everything else (size=, mode=, nr_inodes=, uid=, gid=) is passed to
 * the kernel. The default is nosuid,nodev,noexec as in docker.
 *
 * Return: 0, or negative with *err set.
 */
int options_parse_tmpfs(const char *spec, struct sbx_tmpfs *out, struct sbx_error **err)
{
	static const struct {
		const char *name;
		unsigned long set, clear;
	} flags[] = {
	    {"ro", MS_RDONLY, 0},	  {"rw", 0, MS_RDONLY},	    {"noexec", MS_NOEXEC, 0},
	    {"exec", 0, MS_NOEXEC},	  {"nosuid", MS_NOSUID, 0}, {"suid", 0, MS_NOSUID},
	    {"nodev", MS_NODEV, 0},	  {"dev", 0, MS_NODEV},	    {"noatime", MS_NOATIME, 0},
	    {"relatime", MS_RELATIME, 0},
	};
	cleanup_free char *copy = xstrdup(spec);
	char *opts = strchr(copy, ':');
	struct strv data = {0};

	memset(out, 0, sizeof(*out));
	if (opts)
		*opts++ = '\0';
	if (copy[0] != '/' || has_dotdot(copy))
		return sbx_error_set(err, 0, "invalid --tmpfs `%s`: PATH must be absolute and without `..`",
				     spec);
	out->flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	for (char *o = opts ? strtok(opts, ",") : NULL; o; o = strtok(NULL, ",")) {
		bool known = false;

		for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
			if (strcmp(o, flags[i].name) == 0) {
				out->flags = (out->flags | flags[i].set) & ~flags[i].clear;
				known = true;
			}
		}
		if (known)
			continue;
		if (!strchr(o, '=') ||
		    (strncmp(o, "size=", 5) && strncmp(o, "mode=", 5) && strncmp(o, "nr_inodes=", 10) &&
		     strncmp(o, "uid=", 4) && strncmp(o, "gid=", 4))) {
			strv_clear(&data);
			return sbx_error_set(err, 0, "invalid --tmpfs `%s`: unknown option `%s`", spec, o);
		}
		strv_push(&data, o);
	}
	if (data.n) {
		size_t len = 0;

		for (size_t i = 0; i < data.n; i++)
			len += strlen(data.v[i]) + 1;
		out->data = xcalloc(1, len + 1);
		for (size_t i = 0; i < data.n; i++) {
			if (i)
				strcat(out->data, ",");
			strcat(out->data, data.v[i]);
		}
	}
	strv_clear(&data);
	out->target = clean_path(copy);
	return 0;
}

/**
 * options_parse_size() - parse a size such as `64m`, `1g`, `512k`, `4096b`
 * @s:		the text (binary units, as docker's --memory)
 * @out:	bytes
 *
 * Return: 0, or -1 when malformed or out of range.
 */
int options_parse_size(const char *s, int64_t *out)
{
	cleanup_free char *num = xstrdup(s);
	size_t n = strlen(num);
	unsigned long long v, mult = 1;

	if (n == 0)
		return -1;
	switch (num[n - 1]) {
	case 'b':
	case 'B':
		mult = 1;
		num[--n] = '\0';
		break;
	case 'k':
	case 'K':
		mult = 1ULL << 10;
		num[--n] = '\0';
		break;
	case 'm':
	case 'M':
		mult = 1ULL << 20;
		num[--n] = '\0';
		break;
	case 'g':
	case 'G':
		mult = 1ULL << 30;
		num[--n] = '\0';
		break;
	default: break;
	}
	if (!util_parse_uint(num, INT64_MAX / mult, &v) || v == 0)
		return -1;
	*out = (int64_t)(v * mult);
	return 0;
}

/**
 * options_parse_env_file() - read `--env-file`: K=V lines, # comments, and
 *			      bare K taken from the caller's environment
 * @path:	the file
 * @env:	lines are appended here
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int options_parse_env_file(const char *path, struct strv *env, struct sbx_error **err)
{
	cleanup_free char *buf = NULL;
	char *save = NULL;

	if (util_read_file(path, &buf, NULL, err) < 0)
		return sbx_error_wrap(err, "--env-file");
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(line);

		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line || *line == '#')
			continue;
		if (line[0] == '=')
			return sbx_error_set(err, 0, "--env-file `%s`: invalid line `%s`", path, line);
		if (strchr(line, '=')) {
			strv_push(env, line);
		} else {
			const char *v = getenv(line);

			if (v)
				strv_push_take(env, xasprintf("%s=%s", line, v));
		}
	}
	return 0;
}
