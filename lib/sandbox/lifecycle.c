// SPDX-License-Identifier: GPL-2.0-or-later
/* lifecycle.c - sandboxes after `run`: detach, look up, list, stop, kill, rm, logs, prune
 *
 * Theory of operation
 *
 * There is no daemon: each sandbox has its supervisor (the `sandbox run`
 * process) and files.
 *   - `run -d` forks twice (the supervisor is in a session of its own and
 *     no child of the caller's shell) and waits on a pipe: the supervisor
 *     writes "OK <id>" once the command runs (run.c, detach_notify()) or
 *     "ERR <code>" and the message when the sandbox could not start; its
 *     own output and the command's go to ctr.log in the sandbox's directory.
 *   - Whether a sandbox runs is decided from RUNROOT/<id>/pid: PID 1 and the
 *     supervisor, each with its start time from /proc/PID/stat. A pid whose
 *     process has another start time was reused: the sandbox is gone. PID 1
 *     dies with its supervisor (PR_SET_PDEATHSIG), so after a crash of the
 *     supervisor the sandbox shows as exited, never as running.
 *   - Signals go to PID 1 through a pidfd opened and then checked against the
 *     recorded start time, so they cannot hit a process that reused the pid.
 *     Our init forwards SIGTERM and friends to the command.
 *   - `rm` removes the store directory and the name; what a dead supervisor
 *     left in RUNROOT too. Files of subordinate ids in a writable layer are
 *     removed from a user namespace that maps them.
 */
#include "lifecycle.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nschild.h"
#include "run.h"
#include "syscalls.h"
#include "userns.h"
#include "util.h"

/* How long to wait for the supervisor to clean up after PID 1 died. */
#define SUPERVISOR_WAIT_MS 5000

static bool is_id(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	return n == STATE_ID_LEN;
}

static bool is_hex_prefix(const char *s)
{
	if (!*s || strlen(s) > STATE_ID_LEN)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/* Whether @pid is the process that started at @start. */
static bool proc_alive(pid_t pid, unsigned long long start)
{
	unsigned long long now;

	return pid > 0 && state_proc_start_time(pid, &now) == 0 && now == start;
}

/* The config.json in @dirfd (see state_open_file()), or NULL (freed with
 * sbxconfig_free() and free()). */
static struct sbx_config *load_config(int dirfd)
{
	cleanup_close int fd = dirfd >= 0 ? state_open_file(dirfd, "config.json") : -1;
	cleanup_free char *text = NULL;
	struct sbx_config *c;
	struct stat st;
	ssize_t n;

	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size > (1 << 20))
		return NULL;
	text = xcalloc(1, (size_t)st.st_size + 1);
	n = util_read_all(fd, text, (size_t)st.st_size);
	if (n < 0)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	if (sbxconfig_parse(text, (size_t)n, c, NULL) < 0) {
		sbxconfig_free(c);
		free(c);
		return NULL;
	}
	return c;
}

/**
 * load() - read what the files say about sandbox @id
 * @g:		ROOT and RUNROOT
 * @id:		full id
 * @sb:		filled (release with lifecycle_free())
 *
 * Only directories and files of the caller's are read, none through a
 * symlink (state_open_entry(), state_open_file()): what another user put in
 * the runroot before it became 0700 does not count.
 *
 * Return: 0, or -1 when the sandbox has neither directory.
 */
static int load(const struct sbx_global *g, const char *id, struct lc_sandbox *sb)
{
	cleanup_free char *sandboxes = xasprintf("%s/sandboxes", g->root);
	cleanup_close int dfd = state_open_entry(sandboxes, id);
	cleanup_close int rfd = state_open_entry(g->runroot, id);
	struct sbx_config *c;
	char buf[128];

	memset(sb, 0, sizeof(*sb));
	snprintf(sb->id, sizeof(sb->id), "%s", id);
	sb->exit_code = -1;
	if (dfd >= 0)
		sb->dir = xasprintf("%s/%s", sandboxes, id);
	if (rfd >= 0)
		sb->rundir = xasprintf("%s/%s", g->runroot, id);
	if (!sb->dir && !sb->rundir)
		return -1;
	c = load_config(dfd >= 0 ? dfd : rfd);
	if (!c && dfd >= 0)
		c = load_config(rfd);
	sb->config = c;
	sb->name = c && c->name ? xstrdup(c->name) : NULL;
	sb->image = xstrdup(c && c->image ? c->image : "?");
	sb->created = c ? c->created : 0;
	{
		size_t len = 1;

		for (size_t i = 0; c && i < c->command.n; i++)
			len += strlen(c->command.v[i]) + 1;
		sb->command = xcalloc(len, 1);
		for (size_t i = 0; c && i < c->command.n; i++) {
			if (i)
				strcat(sb->command, " ");
			strcat(sb->command, c->command.v[i]);
		}
	}
	if (sb->rundir) {
		int pid = 0, sup = 0;

		if (state_read_small(rfd, "pid", buf, sizeof(buf)) > 0 &&
		    sscanf(buf, "%d %llu %d %llu", &pid, &sb->pid_start, &sup, &sb->sup_start) >= 2) {
			sb->pid = pid;
			sb->sup = sup;
			sb->status = proc_alive(sb->pid, sb->pid_start) ? LC_RUNNING : LC_EXITED;
		} else {
			/* starting, unless its supervisor died during set-up */
			sb->status = LC_CREATED;
			if (state_read_small(rfd, "supervisor", buf, sizeof(buf)) > 0 &&
			    sscanf(buf, "%d %llu", &sup, &sb->sup_start) == 2) {
				sb->sup = sup;
				if (!proc_alive(sb->sup, sb->sup_start))
					sb->status = LC_EXITED;
			}
		}
	} else {
		sb->status = c && c->created_only ? LC_NEW : LC_EXITED;
	}
	if (sb->status == LC_EXITED && sb->dir) {
		int code;

		if (state_read_small(dfd, "exit", buf, sizeof(buf)) > 0 && sscanf(buf, "%d", &code) == 1) {
			sb->exit_code = code;
			sb->oom = strstr(buf, "oom") != NULL;
		}
	}
	return 0;
}

void lifecycle_free(struct lc_sandbox *sb)
{
	free(sb->dir);
	free(sb->rundir);
	free(sb->name);
	free(sb->image);
	free(sb->command);
	if (sb->config)
		sbxconfig_free(sb->config);
	free(sb->config);
	memset(sb, 0, sizeof(*sb));
}

void lifecycle_free_list(struct lc_sandbox *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		lifecycle_free(&v[i]);
	free(v);
}

/* Add the ids of @dir's entries that start with @prefix to @ids (no duplicates). */
static void collect_ids(const char *dir, const char *prefix, struct strv *ids)
{
	size_t pl = strlen(prefix);
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		bool dup = false;

		if (!is_id(de->d_name) || strncmp(de->d_name, prefix, pl) != 0)
			continue;
		for (size_t i = 0; i < ids->n && !dup; i++)
			dup = strcmp(ids->v[i], de->d_name) == 0;
		if (!dup)
			strv_push(ids, de->d_name);
	}
	closedir(d);
}

/**
 * lifecycle_name_looks_like_id() - whether a name could be taken for an id
 * @name:	a proposed --name
 *
 * Lower-case hex digits only: a full id or a prefix of one, now or of a
 * sandbox made later. `--name` refuses such names, so that a name never
 * shadows an id (lifecycle_find()).
 *
 * Return: true for such a name.
 */
bool lifecycle_name_looks_like_id(const char *name)
{
	return *name && strspn(name, "0123456789abcdef") == strlen(name);
}

/* The id ROOT/names/@name points to, into @id; -1 when there is none. */
static int read_name_link(const struct sbx_global *g, const char *name, char id[STATE_ID_LEN + 1])
{
	cleanup_free char *link = NULL;
	ssize_t n;

	if (!*name || strchr(name, '/') || name[0] == '.')
		return -1;
	link = xasprintf("%s/names/%s", g->root, name);
	n = readlink(link, id, STATE_ID_LEN + 1);
	if (n != STATE_ID_LEN)
		return -1;
	id[n] = '\0';
	return is_id(id) ? 0 : -1;
}

/**
 * lifecycle_find() - the sandbox a user means: a full id, a name or a
 *		      unique prefix of an id, in that order (docker's)
 * @g:		ROOT and RUNROOT
 * @what:	as the user typed it
 * @sb:		filled on success (release with lifecycle_free())
 * @err:	error out-parameter
 *
 * An exact id always wins, so a name made after another sandbox's id (by
 * an older sandbox, or in the store by hand) cannot shadow it. A name that
 * is also the start of another sandbox's id is ambiguous and refused: the
 * user may have meant either.
 *
 * Return: 0, or negative with *err set (unknown or ambiguous).
 */
int lifecycle_find(const struct sbx_global *g, const char *what, struct lc_sandbox *sb,
		   struct sbx_error **err)
{
	struct strv ids = {0};
	char named[STATE_ID_LEN + 1];
	bool have_name;
	int ret;

	if (is_id(what) && load(g, what, sb) == 0)
		return 0;
	have_name = read_name_link(g, what, named) == 0 && load(g, named, sb) == 0;
	if (is_hex_prefix(what)) {
		cleanup_free char *sandboxes = xasprintf("%s/sandboxes", g->root);

		collect_ids(sandboxes, what, &ids);
		collect_ids(g->runroot, what, &ids);
	}
	if (have_name) {
		for (size_t i = 0; i < ids.n; i++) {
			if (strcmp(ids.v[i], named) == 0)
				continue;
			strv_clear(&ids);
			lifecycle_free(sb);
			return sbx_error_set(err, 0,
					     "%s: ambiguous: the name of one sandbox and the start of "
					     "another's id (give the full id)",
					     what);
		}
		strv_clear(&ids);
		return 0;
	}
	if (ids.n == 0)
		ret = sbx_error_set(err, 0, "%s: no such sandbox", what);
	else if (ids.n > 1)
		ret = sbx_error_set(err, 0, "%s: ambiguous sandbox id (%zu sandboxes match; give more of it)",
				    what, ids.n);
	else if (load(g, ids.v[0], sb) < 0)
		ret = sbx_error_set(err, 0, "%s: no such sandbox", what);
	else
		ret = 0;
	strv_clear(&ids);
	return ret;
}

static int cmp_created(const void *a, const void *b)
{
	const struct lc_sandbox *x = a, *y = b;

	if (x->created != y->created)
		return x->created > y->created ? -1 : 1;
	return strcmp(x->id, y->id);
}

/**
 * lifecycle_list() - every sandbox of the store and the runroot
 * @g:		ROOT and RUNROOT
 * @all:	also those that are not running
 * @out:	set to an array, newest first (lifecycle_free_list())
 * @n:		its length
 *
 * Return: 0.
 */
int lifecycle_list(const struct sbx_global *g, bool all, struct lc_sandbox **out, size_t *n)
{
	cleanup_free char *sandboxes = xasprintf("%s/sandboxes", g->root);
	struct strv ids = {0};
	struct lc_sandbox *v;
	size_t k = 0;

	collect_ids(sandboxes, "", &ids);
	collect_ids(g->runroot, "", &ids);
	v = xcalloc(ids.n + 1, sizeof(*v));
	for (size_t i = 0; i < ids.n; i++) {
		if (load(g, ids.v[i], &v[k]) < 0)
			continue;
		if (!all && (v[k].status == LC_EXITED || v[k].status == LC_NEW)) {
			lifecycle_free(&v[k]);
			continue;
		}
		k++;
	}
	strv_clear(&ids);
	qsort(v, k, sizeof(*v), cmp_created);
	*out = v;
	*n = k;
	return 0;
}

static void status_text(const struct lc_sandbox *sb, char *buf, size_t size)
{
	if (sb->status == LC_RUNNING)
		snprintf(buf, size, "running");
	else if (sb->status == LC_CREATED || sb->status == LC_NEW)
		snprintf(buf, size, "created"); /* starting, or never started: podman's Created */
	else if (sb->oom)
		snprintf(buf, size, "OOM-killed");
	else if (sb->exit_code >= 0)
		snprintf(buf, size, "exited (%d)", sb->exit_code);
	else
		snprintf(buf, size, "exited (unknown)");
}

static void ago_text(long long created, char *buf, size_t size)
{
	long long d = (long long)time(NULL) - created;

	if (created <= 0)
		snprintf(buf, size, "?");
	else if (d < 60)
		snprintf(buf, size, "%lld seconds ago", d < 0 ? 0 : d);
	else if (d < 3600)
		snprintf(buf, size, "%lld minutes ago", d / 60);
	else if (d < 86400 * 2)
		snprintf(buf, size, "%lld hours ago", d / 3600);
	else
		snprintf(buf, size, "%lld days ago", d / 86400);
}

/*
 * Current memory and pids of a running sandbox with a cgroup of its own
 * (limits requested): false when it has none or it is not running.
 */
static bool cgroup_usage(const struct lc_sandbox *sb, unsigned long long *mem, unsigned long long *pids)
{
	const char *cg = sb->status == LC_RUNNING && sb->config ? sb->config->cgroup : NULL;
	char path[4096], buf[64];

	if (!cg)
		return false;
	snprintf(path, sizeof(path), "%s/memory.current", cg);
	if (util_read_small(path, buf, sizeof(buf)) <= 0)
		return false;
	*mem = strtoull(buf, NULL, 10);
	snprintf(path, sizeof(path), "%s/pids.current", cg);
	if (util_read_small(path, buf, sizeof(buf)) <= 0)
		return false;
	*pids = strtoull(buf, NULL, 10);
	return true;
}

struct sbuf {
	char *s;
	size_t len, cap;
};

static void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (b->len + (size_t)n + 1 > b->cap) {
		b->cap = (b->len + (size_t)n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		if (!b->s)
			abort();
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/**
 * lifecycle_format_table() - `ps` as a table: id (12), name, image,
 *			      command, status, created
 * @v:		sandboxes
 * @n:		how many
 *
 * Return: the malloc'd text.
 */
char *lifecycle_format_table(const struct lc_sandbox *v, size_t n)
{
	struct sbuf b = {0};
	bool usage = false;
	unsigned long long mem, pids;

	/* MEM and PIDS columns when some sandbox has a cgroup (limits) */
	for (size_t i = 0; i < n && !usage; i++)
		usage = cgroup_usage(&v[i], &mem, &pids);
	sbuf_printf(&b, "%-12s  %-16s  %-20s  %-24s  %-16s  %-16s%s\n", "SANDBOX ID", "NAME", "IMAGE",
		    "COMMAND", "STATUS", "CREATED", usage ? "  MEM        PIDS" : "");
	for (size_t i = 0; i < n; i++) {
		char status[32], ago[32], cmd[25], tail[24];
		const char *img = v[i].image;
		size_t il = strlen(img);

		status_text(&v[i], status, sizeof(status));
		ago_text(v[i].created, ago, sizeof(ago));
		snprintf(cmd, sizeof(cmd), "%s", v[i].command[0] ? v[i].command : "(shell)");
		/* the end of a path says more; a reference is shown whole, as podman does */
		if (img[0] == '/' && il > 20) {
			snprintf(tail, sizeof(tail), "...%s", img + il - 17);
			img = tail;
		}
		sbuf_printf(&b, "%.12s  %-16s  %-20s  %-24s  %-16s  %-16s", v[i].id,
			    v[i].name ? v[i].name : "-", img, cmd, status, ago);
		if (usage && cgroup_usage(&v[i], &mem, &pids))
			sbuf_printf(&b, "  %-9.1fM  %llu", (double)mem / (1024.0 * 1024.0), pids);
		else if (usage)
			sbuf_printf(&b, "  %-10s  %s", "-", "-");
		sbuf_printf(&b, "\n");
	}
	return b.s;
}

/**
 * lifecycle_format_json() - `ps --format json`: an array of objects with id,
 *			     name, image, command, status, exit_code, oom,
 *			     created, pid
 * @v:		sandboxes
 * @n:		how many
 *
 * Return: the malloc'd text, with a final newline.
 */
char *lifecycle_format_json(const struct lc_sandbox *v, size_t n)
{
	json_t *a = json_array();
	unsigned long long mem, pids;
	char *s, *out;

	for (size_t i = 0; i < n; i++) {
		static const char *const st[] = {"created", "running", "exited", "created"};
		json_t *o = json_object();
		const struct sbx_config *c = v[i].config;
		json_t *cmd = json_array();

		json_object_set_new(o, "id", json_string(v[i].id));
		json_object_set_new(o, "name", v[i].name ? json_string(v[i].name) : json_null());
		json_object_set_new(o, "image", json_string(v[i].image));
		for (size_t k = 0; c && k < c->command.n; k++)
			json_array_append_new(cmd, json_string(c->command.v[k]));
		json_object_set_new(o, "command", cmd);
		json_object_set_new(o, "status", json_string(v[i].oom ? "oom-killed" : st[v[i].status]));
		json_object_set_new(o, "exit_code",
				    v[i].exit_code >= 0 ? json_integer(v[i].exit_code) : json_null());
		json_object_set_new(o, "oom", json_boolean(v[i].oom));
		json_object_set_new(o, "created", json_integer(v[i].created));
		json_object_set_new(o, "pid",
				    v[i].status == LC_RUNNING ? json_integer(v[i].pid) : json_null());
		if (cgroup_usage(&v[i], &mem, &pids)) {
			json_object_set_new(o, "memory_current", json_integer((json_int_t)mem));
			json_object_set_new(o, "pids_current", json_integer((json_int_t)pids));
		}
		json_array_append_new(a, o);
	}
	s = json_dumps(a, JSON_INDENT(2));
	json_decref(a);
	out = xasprintf("%s\n", s ? s : "[]");
	free(s);
	return out;
}

/**
 * lifecycle_running() - look again whether PID 1 of @sb lives
 * @sb:		the sandbox
 *
 * Return: true if it does (status is updated).
 */
bool lifecycle_running(struct lc_sandbox *sb)
{
	if (sb->status == LC_RUNNING && !proc_alive(sb->pid, sb->pid_start))
		sb->status = LC_EXITED;
	return sb->status == LC_RUNNING;
}

/* A pidfd for @pid, checked to be the process that started at @start. */
static int open_checked_pidfd(pid_t pid, unsigned long long start)
{
	int fd;

	if (pid <= 0)
		return -1;
	fd = sys_pidfd_open(pid, 0);
	if (fd < 0)
		return -1;
	if (!proc_alive(pid, start)) {
		close(fd);
		errno = ESRCH;
		return -1;
	}
	return fd;
}

/* Wait up to @ms for the process behind @pidfd to exit. */
static bool wait_pidfd(int pidfd, int ms)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	int r;

	do
		r = poll(&p, 1, ms);
	while (r < 0 && errno == EINTR);
	return r > 0;
}

/**
 * lifecycle_kill() - send a signal to PID 1 of a running sandbox
 * @sb:		the sandbox
 * @sig:	signal number
 * @err:	error out-parameter
 *
 * Our init forwards SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and
 * SIGWINCH to the command; SIGKILL ends the whole sandbox.
 *
 * Return: 0, or negative with *err set.
 */
int lifecycle_kill(struct lc_sandbox *sb, int sig, struct sbx_error **err)
{
	cleanup_close int fd = -1;

	if (!lifecycle_running(sb))
		return sbx_error_set(err, 0, "%.12s: the sandbox is not running", sb->id);
	fd = open_checked_pidfd(sb->pid, sb->pid_start);
	if (fd < 0) {
		if (errno == ESRCH)
			return sbx_error_set(err, 0, "%.12s: the sandbox is not running", sb->id);
		/* no pidfd_open (Linux < 5.3): the start time was just checked */
		if (kill(sb->pid, sig) < 0)
			return sbx_error_set(err, errno, "%.12s: send signal %d", sb->id, sig);
		return 0;
	}
	if (sys_pidfd_send_signal(fd, sig, NULL, 0) < 0 && errno != ESRCH)
		return sbx_error_set(err, errno, "%.12s: send signal %d", sb->id, sig);
	return 0;
}

/* After PID 1 is gone: let the supervisor record the status and clean up. */
static void wait_supervisor(struct lc_sandbox *sb)
{
	cleanup_close int fd = open_checked_pidfd(sb->sup, sb->sup_start);

	if (fd >= 0)
		wait_pidfd(fd, SUPERVISOR_WAIT_MS);
}

/**
 * lifecycle_stop() - SIGTERM, then SIGKILL after @timeout_s seconds
 * @sb:		the sandbox; a stopped one is left alone
 * @timeout_s:	grace period
 * @err:	error out-parameter
 *
 * Returns once the sandbox is gone and its supervisor has cleaned up.
 *
 * Return: 0, or negative with *err set.
 */
int lifecycle_stop(struct lc_sandbox *sb, int timeout_s, struct sbx_error **err)
{
	cleanup_close int fd = -1;

	if (!lifecycle_running(sb))
		return 0;
	fd = open_checked_pidfd(sb->pid, sb->pid_start);
	if (fd < 0) {
		if (errno == ESRCH)
			return 0;
		return sbx_error_set(err, errno, "%.12s: open a pidfd", sb->id);
	}
	if (timeout_s > 0 && sys_pidfd_send_signal(fd, SIGTERM, NULL, 0) == 0 &&
	    wait_pidfd(fd, timeout_s > 1000000 ? 1000000000 : timeout_s * 1000)) {
		wait_supervisor(sb);
		sb->status = LC_EXITED;
		return 0;
	}
	if (sys_pidfd_send_signal(fd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
		return sbx_error_set(err, errno, "%.12s: kill", sb->id);
	if (!wait_pidfd(fd, SUPERVISOR_WAIT_MS))
		return sbx_error_set(err, 0, "%.12s: PID 1 did not exit after SIGKILL", sb->id);
	wait_supervisor(sb);
	sb->status = LC_EXITED;
	return 0;
}

/* The child's side of rm_rf_in_userns(). */
static int rm_rf_child(void *arg, int sock, char *result, size_t size, struct sbx_error **err)
{
	(void)sock;
	(void)result;
	(void)size;
	return util_rm_rf(arg, err);
}

/*
 * Remove @path from a user namespace that maps our subordinate ids, for the
 * files a sandbox created as another user inside.
 */
static int rm_rf_in_userns(const char *path, struct sbx_error **err)
{
	struct nschild_opts no = {.clone_flags = CLONE_NEWUSER,
				  .what = "the removal's helper process",
				  .fn = rm_rf_child,
				  .arg = (void *)path};
	struct userns_plan plan;
	struct nschild child;
	int ret = -1;

	if (userns_plan_make(SBX_USERNS_AUTO, &plan, err) < 0)
		return -1;
	if (nschild_start(&no, &child, err) < 0)
		goto out;
	if (userns_write_maps(child.pid, &plan, err) < 0 || nschild_go(&child, err) < 0) {
		nschild_abort(&child);
		goto out;
	}
	ret = nschild_finish(&child, NULL, 0, err);
out:
	userns_plan_free(&plan);
	return ret;
}

static int remove_tree(const char *path, struct sbx_error **err)
{
	cleanup_error struct sbx_error *first = NULL;

	if (util_rm_rf(path, &first) == 0)
		return 0;
	if (rm_rf_in_userns(path, err) == 0)
		return 0;
	sbx_error_free(*err);
	*err = steal_pointer(&first);
	return -1;
}

/**
 * lifecycle_rm() - remove a sandbox: store directory, live state, name
 * @g:		ROOT (for the name)
 * @sb:		the sandbox
 * @force:	kill it first if it runs; without, a running one is refused
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set (nothing changed when refused).
 */
int lifecycle_rm(const struct sbx_global *g, struct lc_sandbox *sb, bool force, struct sbx_error **err)
{
	lifecycle_running(sb);
	if (sb->status != LC_EXITED && sb->status != LC_NEW && !force) {
		sbx_error_set(err, 0, "%s: the sandbox is %s", sb->name ? sb->name : sb->id,
			      sb->status == LC_RUNNING ? "running" : "starting");
		sbx_error_hint(err, "stop it first (`sandbox stop %s`), or use `sandbox rm -f`",
			       sb->name ? sb->name : sb->id);
		return -1;
	}
	if (sb->status == LC_RUNNING && lifecycle_stop(sb, 0, err) < 0)
		return -1;
	if (sb->rundir && remove_tree(sb->rundir, err) < 0)
		return -1;
	if (sb->dir && remove_tree(sb->dir, err) < 0)
		return -1;
	if (sb->name) {
		cleanup_free char *link = xasprintf("%s/names/%s", g->root, sb->name);
		char target[STATE_ID_LEN + 2];
		ssize_t n = readlink(link, target, sizeof(target) - 1);

		if (n == STATE_ID_LEN && strncmp(target, sb->id, STATE_ID_LEN) == 0)
			unlink(link);
	}
	return 0;
}

/**
 * lifecycle_logs() - copy the log of a detached sandbox to stdout
 * @sb:		the sandbox
 * @follow:	keep copying while it runs
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int lifecycle_logs(struct lc_sandbox *sb, bool follow, struct sbx_error **err)
{
	cleanup_close int fd = -1;
	char buf[65536];

	for (int i = 0; i < 2 && fd < 0; i++) {
		const char *d = i == 0 ? sb->dir : sb->rundir;
		cleanup_free char *p = d ? xasprintf("%s/ctr.log", d) : NULL;

		if (p)
			fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd < 0)
		return sbx_error_set(err, 0, "%s: the sandbox has no log (only `run -d` keeps one)",
				     sb->name ? sb->name : sb->id);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return sbx_error_set(err, errno, "read the log");
		if (n > 0) {
			if (util_write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
				return 0; /* stdout closed: nothing more to do */
			continue;
		}
		if (!follow)
			return 0;
		if (!lifecycle_running(sb)) {
			/* what the supervisor wrote last */
			wait_supervisor(sb);
			while ((n = read(fd, buf, sizeof(buf))) > 0)
				util_write_all(STDOUT_FILENO, buf, (size_t)n);
			return 0;
		}
		usleep(50000);
	}
}

/**
 * lifecycle_parse_signal() - a signal by number or name (`TERM`, `SIGTERM`)
 * @s:		as given
 *
 * Return: the signal number, or -1.
 */
int lifecycle_parse_signal(const char *s)
{
	static const struct {
		const char *name;
		int sig;
	} sigs[] = {
	    {"HUP", SIGHUP},   {"INT", SIGINT},	    {"QUIT", SIGQUIT}, {"KILL", SIGKILL}, {"USR1", SIGUSR1},
	    {"USR2", SIGUSR2}, {"TERM", SIGTERM},   {"STOP", SIGSTOP}, {"CONT", SIGCONT}, {"ALRM", SIGALRM},
	    {"PIPE", SIGPIPE}, {"WINCH", SIGWINCH}, {"ABRT", SIGABRT}, {"TSTP", SIGTSTP},
	};
	unsigned long long v;

	if (util_parse_uint(s, 64, &v))
		return (int)v; /* 0: only check that it runs */
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		if (strcasecmp(s, sigs[i].name) == 0)
			return sigs[i].sig;
	return -1;
}

/**
 * lifecycle_clear_stale() - remove the live state an exited sandbox left
 * @sb:		the sandbox, exited (its supervisor killed: RUNROOT/<id> stayed)
 * @err:	error out-parameter
 *
 * Before it starts again (`start`, `shell --name`), which makes it anew.
 *
 * Return: 0, or negative with *err set.
 */
int lifecycle_clear_stale(struct lc_sandbox *sb, struct sbx_error **err)
{
	lifecycle_running(sb);
	if (!sb->rundir || (sb->status != LC_EXITED && sb->status != LC_NEW))
		return 0;
	if (remove_tree(sb->rundir, err) < 0)
		return -1;
	free(sb->rundir);
	sb->rundir = NULL;
	return 0;
}

/**
 * lifecycle_reuse_named() - `shell --name NAME`: start the exited sandbox of
 *			     that name again, with its writable layer
 * @o:		options; o->reuse_id is set when there is one to reuse
 * @err:	error out-parameter (it runs, or was made from another image)
 *
 * Return: 0, or negative with *err set.
 */
int lifecycle_reuse_named(struct sbx_run_opts *o, struct sbx_error **err)
{
	cleanup_error struct sbx_error *none = NULL;
	cleanup_free char *abs = NULL;
	struct lc_sandbox sb;
	const char *img;
	int ret = 0;

	if (!o->name || lifecycle_find(o->global, o->name, &sb, &none) < 0)
		return 0;
	if (!sb.name || strcmp(sb.name, o->name) != 0) {
		lifecycle_free(&sb);
		return 0; /* an id prefix, not the name: a new sandbox */
	}
	img = strcmp(o->image, "host") == 0 ? "host" : (abs = realpath(o->image, NULL)) ? abs : o->image;
	if (sb.status == LC_NEW) {
		ret = sbx_error_set(err, 0, "%s: the sandbox was made by `sandbox create`", o->name);
		sbx_error_hint(err, "start it with `sandbox start -a %s`", o->name);
	} else if (sb.status != LC_EXITED) {
		ret = sbx_error_set(err, 0, "%s: the sandbox is running", o->name);
		sbx_error_hint(err, "enter it with `sandbox exec -it %s /bin/sh`", o->name);
	} else if (strcmp(sb.image, img) != 0) {
		ret = sbx_error_set(err, 0, "%s: the sandbox was made from the image `%s`, not `%s`", o->name,
				    sb.image, img);
		sbx_error_hint(err, "`sandbox rm %s` to start afresh, or another --name", o->name);
	} else if ((ret = lifecycle_clear_stale(&sb, err)) == 0) {
		o->reuse_id = xstrdup(sb.id);
	}
	lifecycle_free(&sb);
	return ret;
}

/**
 * lifecycle_run_detached() - `run -d`: start the sandbox under a supervisor
 *			      of its own and return once its command runs
 * @o:		options (o->detach is set)
 * @id:		set to the full id (STATE_ID_LEN + 1 bytes)
 * @err:	error out-parameter (the sandbox's own error when it could
 *		not start, with its exit code)
 *
 * Return: 0, or negative with *err set.
 */
int lifecycle_run_detached(struct sbx_run_opts *o, char *id, struct sbx_error **err)
{
	int p[2];
	pid_t pid;
	char buf[4096];
	size_t len = 0;
	int st;

	if (pipe2(p, O_CLOEXEC) < 0)
		return sbx_error_set(err, errno, "pipe");
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return sbx_error_set(err, errno, "fork");
	}
	if (pid == 0) {
		cleanup_error struct sbx_error *e = NULL;
		int status = 0;

		close(p[0]);
		setsid();
		pid = fork();
		if (pid != 0)
			_exit(pid < 0 ? SBX_EXIT_FAILURE : 0);
		o->notify_fd = p[1];
		if (run_sandbox(o, &status, &e) < 0) {
			if (o->notify_fd >= 0) {
				char *m = xasprintf("ERR %d\n%s\n%s",
						    e->exit_code ? e->exit_code : SBX_EXIT_FAILURE,
						    e->msg ? e->msg : "failed", e->hint ? e->hint : "");

				(void)!write(o->notify_fd, m, strlen(m));
			}
			_exit(SBX_EXIT_FAILURE);
		}
		_exit(status & 0xff);
	}
	close(p[1]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	for (;;) {
		ssize_t n = read(p[0], buf + len, sizeof(buf) - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (strncmp(buf, "OK ", 3) == 0 && strchr(buf, '\n'))
			break;
		if (len == sizeof(buf) - 1)
			break;
	}
	close(p[0]);
	buf[len] = '\0';
	if (strncmp(buf, "OK ", 3) == 0 && len >= 3 + STATE_ID_LEN) {
		memcpy(id, buf + 3, STATE_ID_LEN);
		id[STATE_ID_LEN] = '\0';
		return 0;
	}
	if (strncmp(buf, "ERR ", 4) == 0) {
		char *msg = strchr(buf, '\n');
		char *hint = msg ? strchr(msg + 1, '\n') : NULL;
		int code = atoi(buf + 4);

		if (hint)
			*hint++ = '\0';
		sbx_error_set(err, 0, "%s", msg ? msg + 1 : "failed");
		(*err)->exit_code = code > 0 ? code : SBX_EXIT_FAILURE;
		if (hint && *hint)
			sbx_error_hint(err, "%s", hint);
		return -1;
	}
	return sbx_error_set(err, 0, "the sandbox's supervisor exited before the sandbox started");
}
