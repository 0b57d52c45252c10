// SPDX-License-Identifier: GPL-2.0-or-later
/* state.c - a sandbox's directories: ROOT/sandboxes/<id> and RUNROOT/<id>
 *
 * ROOT (the store, persistent) holds ROOT/sandboxes/<id>/{config.json,
 * upper, work} for sandboxes that outlive their run (not --rm, whose
 * writable layer lives in memory) and ROOT/names/<name>, a symlink to the
 * id: symlink(2) is atomic, which makes names unique per user without a
 * lock. RUNROOT (live state, usually on a tmpfs) holds RUNROOT/<id>/pid
 * (and config.json with --rm), removed when the sandbox exits.
 */
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "privdir.h"
#include "sbxconfig.h"
#include "util.h"

/**
 * state_default_dirs() - fill in ROOT and RUNROOT where the user gave none
 * @g:		global options; NULL members are set
 * @err:	error out-parameter
 *
 * ROOT: $SANDBOX_ROOT, $XDG_DATA_HOME/sandbox, ~/.local/share/sandbox.
 * RUNROOT: $SANDBOX_RUNROOT, $XDG_RUNTIME_DIR/sandbox, /tmp/sandbox-$UID.
 *
 * Return: 0, or negative with *err set.
 */
int state_default_dirs(struct sbx_global *g, struct sbx_error **err)
{
	const char *e;

	if (!g->root && (e = getenv("SANDBOX_ROOT")) && *e)
		g->root = xstrdup(e);
	if (!g->root && (e = getenv("XDG_DATA_HOME")) && *e == '/')
		g->root = xasprintf("%s/sandbox", e);
	if (!g->root && (e = getenv("HOME")) && *e == '/')
		g->root = xasprintf("%s/.local/share/sandbox", e);
	if (!g->root)
		return sbx_error_set(err, 0, "no store directory: set HOME, XDG_DATA_HOME or --root");
	if (!g->runroot && (e = getenv("SANDBOX_RUNROOT")) && *e)
		g->runroot = xstrdup(e);
	if (!g->runroot && (e = getenv("XDG_RUNTIME_DIR")) && *e == '/' && access(e, W_OK) == 0)
		g->runroot = xasprintf("%s/sandbox", e);
	if (!g->runroot)
		g->runroot = xasprintf("/tmp/sandbox-%u", (unsigned)getuid());
	return 0;
}

/*
 * Check (and, with @create, make) ROOT or RUNROOT; its canonical path
 * replaces *@dir. Without @create a missing one is left alone: 0.
 */
static int open_one(char **dir, bool runroot, bool create, struct sbx_error **err)
{
	const char *elsewhere = runroot ? "set XDG_RUNTIME_DIR or pass --runroot DIR" : "pass --root DIR";
	cleanup_close int fd = privdir_open(*dir, create, err);
	char *canonical = NULL;

	if (fd == -ENOENT && !create) {
		sbx_error_free(*err);
		*err = NULL;
		return 0; /* nothing in it to read */
	}
	if (fd < 0) {
		sbx_error_wrap(err, "%s `%s`", runroot ? "runroot" : "store", *dir);
		sbx_error_hint(err, "%s: a directory of yours, mode 0700", elsewhere);
		return -1;
	}
	/* its hint names the parent */
	if (privdir_check_parents(fd, &canonical, elsewhere, err) < 0)
		return sbx_error_wrap(err, "%s `%s`", runroot ? "runroot" : "store", *dir);
	free(*dir);
	*dir = canonical;
	return 0;
}

/**
 * state_open_dirs() - check ROOT and RUNROOT before anything below them is
 *		       read, creating them (mode 0700) when missing
 * @g:		global options, from state_default_dirs(); the paths are
 *		replaced by their canonical forms
 * @which:	STATE_DIR_ROOT, STATE_DIR_RUNROOT or both; STATE_DIR_ROOT_READ
 *		instead of STATE_DIR_ROOT for a command that only reads the
 *		store (a missing one is empty, not created)
 * @err:	error out-parameter: one line naming the directory and why it
 *		is refused (not ours, not 0700, a symlink), with a hint
 *
 * Every command that reads or writes sandboxes or images calls this after
 * parsing its flags (lib/base/privdir.c says why).
 *
 * Return: 0, or negative with *err set.
 */
int state_open_dirs(struct sbx_global *g, unsigned which, struct sbx_error **err)
{
	if ((which & (STATE_DIR_ROOT | STATE_DIR_ROOT_READ)) &&
	    open_one(&g->root, false, !(which & STATE_DIR_ROOT_READ), err) < 0)
		return -1;
	if ((which & STATE_DIR_RUNROOT) && open_one(&g->runroot, true, true, err) < 0)
		return -1;
	return 0;
}

/**
 * state_open_entry() - open a sandbox's directory for reading what is in it
 * @parent:	ROOT/sandboxes or RUNROOT (checked by state_open_dirs())
 * @id:		the sandbox's full id
 *
 * The directory must be the caller's and no symlink: entries planted in a
 * runroot before it was made 0700 (or by whoever owned it then) are not
 * read, whatever their names say.
 *
 * Return: an O_DIRECTORY | O_CLOEXEC descriptor, or -1 (missing, a
 * symlink, or another user's: the sandbox has no such directory).
 */
int state_open_entry(const char *parent, const char *id)
{
	cleanup_free char *path = xasprintf("%s/%s", parent, id);
	cleanup_close int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0 || st.st_uid != getuid())
		return -1;
	return take_fd(&fd);
}

/**
 * state_open_file() - open a file of a sandbox's directory for reading
 * @dirfd:	from state_open_entry()
 * @name:	"pid", "config.json", ...
 *
 * A regular file of the caller's only: no symlink followed, no FIFO or
 * device opened (O_NONBLOCK | O_NOCTTY until fstat() said what it is).
 *
 * Return: a descriptor, or -1.
 */
int state_open_file(int dirfd, const char *name)
{
	cleanup_close int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != getuid())
		return -1;
	return take_fd(&fd);
}

/**
 * state_read_small() - util_read_small() of a file state_open_file() accepts
 * @dirfd:	from state_open_entry(), or -1
 * @name:	the file's name in it
 * @buf:	filled, NUL-terminated, trailing newlines removed
 * @size:	of @buf
 *
 * Return: its length, or -1.
 */
int state_read_small(int dirfd, const char *name, char *buf, size_t size)
{
	cleanup_close int fd = dirfd >= 0 ? state_open_file(dirfd, name) : -1;
	ssize_t r;

	if (fd < 0 || (r = util_read_all(fd, buf, size - 1)) < 0)
		return -1;
	buf[r] = '\0';
	while (r > 0 && buf[r - 1] == '\n')
		buf[--r] = '\0';
	return (int)r;
}

static int ensure_private_dir(const char *path, struct sbx_error **err)
{
	struct stat st;

	if (mkdir(path, 0700) == 0)
		return 0;
	if (errno == ENOENT) {
		if (util_mkdir_p(path, 0700, err) < 0)
			return -1;
		return 0;
	}
	if (errno != EEXIST)
		return sbx_error_set(err, errno, "mkdir `%s`", path);
	if (lstat(path, &st) < 0)
		return sbx_error_set(err, errno, "stat `%s`", path);
	if (!S_ISDIR(st.st_mode) || st.st_uid != getuid())
		return sbx_error_set(err, EPERM, "`%s` is not a directory of uid %u", path,
				     (unsigned)getuid());
	return 0;
}

/**
 * state_alloc() - allocate an id and the paths of a new sandbox, and
 *		   reserve its name
 * @g:		ROOT and RUNROOT
 * @name:	--name or NULL; refused when taken
 * @st:		filled on success; release with state_remove() and state_free()
 * @err:	error out-parameter
 *
 * Nothing but the name link is created: state_mkdirs() does the rest, so
 * it can run while the ID-mapping helpers do their work.
 *
 * Return: 0, or negative with *err set (nothing is left behind).
 */
int state_alloc(const struct sbx_global *g, const char *name, struct state_sandbox *st,
		struct sbx_error **err)
{
	cleanup_free char *sandboxes = xasprintf("%s/sandboxes", g->root);

	memset(st, 0, sizeof(*st));
	if (util_random_hex(st->id, STATE_ID_LEN) < 0)
		return sbx_error_set(err, errno, "generate a sandbox id");
	if (ensure_private_dir(sandboxes, err) < 0 || ensure_private_dir(g->runroot, err) < 0)
		return -1;
	if (name) {
		cleanup_free char *names = xasprintf("%s/names", g->root);

		if (ensure_private_dir(names, err) < 0)
			return -1;
		st->name_link = xasprintf("%s/%s", names, name);
		if (symlink(st->id, st->name_link) < 0) {
			int e = errno;

			free(st->name_link);
			st->name_link = NULL;
			if (e == EEXIST)
				return sbx_error_set(
				    err, 0, "--name `%s`: the name is already in use by a sandbox", name);
			return sbx_error_set(err, e, "reserve the name `%s`", name);
		}
	}
	st->dir = xasprintf("%s/%s", sandboxes, st->id);
	st->rundir = xasprintf("%s/%s", g->runroot, st->id);
	return 0;
}

/**
 * state_reuse() - the paths of an exited sandbox that starts again with its
 *		   writable layer (`shell --name NAME`)
 * @g:		ROOT and RUNROOT
 * @id:		its full id
 * @st:		filled on success; state_remove() then leaves the store
 *		directory and the name alone
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int state_reuse(const struct sbx_global *g, const char *id, struct state_sandbox *st, struct sbx_error **err)
{
	memset(st, 0, sizeof(*st));
	if (strlen(id) != STATE_ID_LEN)
		return sbx_error_set(err, EINVAL, "sandbox id `%s`", id);
	memcpy(st->id, id, STATE_ID_LEN + 1);
	if (ensure_private_dir(g->runroot, err) < 0)
		return -1;
	st->dir = xasprintf("%s/sandboxes/%s", g->root, id);
	st->rundir = xasprintf("%s/%s", g->runroot, id);
	st->reused = true;
	return 0;
}

static int mkdir_in(const char *dir, const char *name, mode_t mode, struct sbx_error **err)
{
	cleanup_free char *p = xasprintf("%s/%s", dir, name);

	if (mkdir(p, mode) < 0)
		return sbx_error_set(err, errno, "mkdir `%s`", p);
	return 0;
}

/**
 * state_mkdirs() - create RUNROOT/<id> and, for a sandbox that outlives its
 *		    run, ROOT/sandboxes/<id>
 * @st:		from state_alloc()
 * @store_dir:	create ROOT/sandboxes/<id> (not for --rm)
 * @layer_dirs:	create upper/ and work/ there for a writable layer on disk
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set (the caller calls state_remove()).
 */
int state_mkdirs(struct state_sandbox *st, bool store_dir, bool layer_dirs, struct sbx_error **err)
{
	if (mkdir(st->rundir, 0700) < 0)
		return sbx_error_set(err, errno, "mkdir `%s`", st->rundir);
	st->have_rundir = true;
	{
		/* the supervisor, for `ps` until PID 1 is recorded */
		cleanup_free char *sup = xasprintf("%s/supervisor", st->rundir);
		unsigned long long start = 0;
		char buf[48];
		int n;

		state_proc_start_time(getpid(), &start);
		n = snprintf(buf, sizeof(buf), "%d %llu\n", (int)getpid(), start);
		if (util_write_file_at(AT_FDCWD, sup, buf, (size_t)n, 0644, err) < 0)
			return -1;
	}
	if (!store_dir)
		return 0;
	if (st->reused) {
		cleanup_free char *exitf = xasprintf("%s/exit", st->dir);
		cleanup_free char *up = xasprintf("%s/upper", st->dir);
		cleanup_free char *wk = xasprintf("%s/work", st->dir);

		st->have_dir = true;
		unlink(exitf);
		if (layer_dirs &&
		    ((mkdir(up, 0755) < 0 && errno != EEXIST) || (mkdir(wk, 0700) < 0 && errno != EEXIST)))
			return sbx_error_set(err, errno, "mkdir `%s`", up);
		return 0;
	}
	if (mkdir(st->dir, 0700) < 0)
		return sbx_error_set(err, errno, "mkdir `%s`", st->dir);
	st->have_dir = true;
	if (layer_dirs &&
	    (mkdir_in(st->dir, "upper", 0755, err) < 0 || mkdir_in(st->dir, "work", 0700, err) < 0))
		return -1;
	return 0;
}

/**
 * state_write_config() - write config.json in ROOT/sandboxes/<id>, or in
 *			  RUNROOT/<id> for a sandbox without one (--rm)
 * @st:		the sandbox
 * @o:		its options
 * @image:	the image as resolved (a path, `host`, or a reference)
 * @x:		what `exec` reapplies (capabilities, seccomp, user, cgroup)
 * @err:	error out-parameter
 *
 * The schema is struct sbx_config (sbxconfig.h).
 *
 * Return: 0, or negative with *err set.
 */
int state_write_config(const struct state_sandbox *st, const struct sbx_run_opts *o, const char *image,
		       const struct state_exec_info *x, struct sbx_error **err)
{
	struct sbx_config c = {
	    .id = xstrdup(st->id),
	    .name = o->name ? xstrdup(o->name) : NULL,
	    .image = image ? xstrdup(image) : NULL,
	    .rm = o->rm,
	    .detach = o->detach,
	    .created_only = o->create_only,
	    .image_digest = o->image_digest ? xstrdup(o->image_digest) : NULL,
	};
	struct timespec ts;
	int ret;

	clock_gettime(CLOCK_REALTIME, &ts);
	c.created = (long long)ts.tv_sec;
	for (char **a = o->argv; a && *a; a++)
		strv_push(&c.command, *a);
	for (size_t i = 0; i < o->args.n; i++)
		strv_push(&c.args, o->args.v[i]);
	if (x) {
		c.has_exec = true;
		c.caps = x->caps;
		c.user = x->user ? xstrdup(x->user) : NULL;
		c.cgroup = x->cgroup ? xstrdup(x->cgroup) : NULL;
		c.hostname = x->hostname ? xstrdup(x->hostname) : NULL;
		c.workdir = o->workdir ? xstrdup(o->workdir) : NULL;
		if (o->privileged || (o->seccomp_profile && strcmp(o->seccomp_profile, "unconfined") == 0)) {
			c.seccomp = xstrdup("unconfined");
		} else if (o->seccomp_profile) {
			c.seccomp = realpath(o->seccomp_profile, NULL);
			if (!c.seccomp)
				c.seccomp = xstrdup(o->seccomp_profile);
		}
		c.no_new_privs = o->no_new_privs;
		c.privileged = o->privileged;
		c.init = o->init;
		c.own_netns = o->network != SBX_NET_HOST;
		c.memory = o->memory >= 0 ? o->memory : -1;
		c.pids_limit = o->pids_limit >= 0 ? o->pids_limit : -1;
		c.cpus = o->cpus > 0 ? o->cpus : 0;
		for (size_t i = 0; i < o->env.n; i++)
			strv_push(&c.env, o->env.v[i]);
	}
	ret = sbxconfig_write(st->have_dir ? st->dir : st->rundir, &c, err);
	sbxconfig_free(&c);
	return ret;
}

/**
 * state_proc_start_time() - start time of a process (field 22 of
 *			     /proc/PID/stat, clock ticks after boot)
 * @pid:	the process
 * @start:	set on success
 *
 * With the pid, it names one process for good: a reused pid has another
 * start time.
 *
 * Return: 0, or -1 when the process does not exist or is a zombie.
 */
int state_proc_start_time(pid_t pid, unsigned long long *start)
{
	char path[64], buf[1024];
	const char *p;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (util_read_small(path, buf, sizeof(buf)) < 0)
		return -1;
	/* the command name (field 2) may hold spaces and parentheses */
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	/* field 3 (the state) starts at p + 2: a zombie is not running */
	p += 2;
	if (*p == 'Z' || *p == 'X' || *p == 'x')
		return -1;
	for (n = 3; n < 22 && p; n++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p || sscanf(p, "%llu", start) != 1)
		return -1;
	return 0;
}

/**
 * state_write_pid() - record PID 1 of the sandbox and its supervisor (host
 *		       pids and start times) in RUNROOT/<id>/pid: the sandbox
 *		       is running
 * @st:		the sandbox
 * @pid:	PID 1 as the host sees it
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int state_write_pid(const struct state_sandbox *st, pid_t pid, struct sbx_error **err)
{
	cleanup_free char *path = xasprintf("%s/pid", st->rundir);
	cleanup_free char *tmp = xasprintf("%s/.pid.tmp", st->rundir);
	unsigned long long start = 0, sup_start = 0;
	char buf[96];
	int n;

	state_proc_start_time(pid, &start);
	state_proc_start_time(getpid(), &sup_start);
	/* PID 1 and the supervisor, each with its start time */
	n = snprintf(buf, sizeof(buf), "%d %llu %d %llu\n", (int)pid, start, (int)getpid(), sup_start);
	if (util_write_file_at(AT_FDCWD, tmp, buf, (size_t)n, 0644, err) < 0)
		return -1;
	if (rename(tmp, path) < 0)
		return sbx_error_set(err, errno, "rename `%s`", tmp);
	return 0;
}

/**
 * state_write_exit() - record the command's exit status in
 *			ROOT/sandboxes/<id>/exit (`ps -a` shows it)
 * @st:		the sandbox; nothing is written without a store directory
 * @status:	exit status (128+N for signal N)
 * @oom:	the OOM killer killed a process of the sandbox
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int state_write_exit(const struct state_sandbox *st, int status, bool oom, struct sbx_error **err)
{
	cleanup_free char *path = NULL;
	char buf[32];
	int n;

	if (!st->have_dir)
		return 0;
	path = xasprintf("%s/exit", st->dir);
	n = snprintf(buf, sizeof(buf), "%d%s\n", status, oom ? " oom" : "");
	return util_write_file_at(AT_FDCWD, path, buf, (size_t)n, 0644, err);
}

/**
 * state_remove_rundir() - remove RUNROOT/<id> (the sandbox has exited)
 * @st:		the sandbox
 *
 * The mount point and the layers directory are empty in the caller's
 * mount namespace (the mounts lived in the sandbox's own, gone with it).
 */
void state_remove_rundir(struct state_sandbox *st)
{
	cleanup_error struct sbx_error *err = NULL;

	if (!st->have_rundir)
		return;
	if (util_rm_rf(st->rundir, &err) < 0)
		sbx_warn("cannot remove `%s`: %s", st->rundir, err->msg);
	st->have_rundir = false;
}

/**
 * state_remove() - remove everything of the sandbox: live state, writable
 *		    layer, config and name
 * @st:		the sandbox
 */
void state_remove(struct state_sandbox *st)
{
	cleanup_error struct sbx_error *err = NULL;

	state_remove_rundir(st);
	if (st->reused)
		return; /* the kept writable layer outlives a failed start */
	if (st->have_dir && util_rm_rf(st->dir, &err) < 0)
		sbx_warn("cannot remove `%s`: %s", st->dir, err->msg);
	st->have_dir = false;
	if (st->name_link && unlink(st->name_link) < 0 && errno != ENOENT)
		sbx_warn("cannot remove `%s`: %s", st->name_link, strerror(errno));
	free(st->name_link);
	st->name_link = NULL;
}

void state_free(struct state_sandbox *st)
{
	free(st->dir);
	free(st->rundir);
	free(st->name_link);
	memset(st, 0, sizeof(*st));
}
