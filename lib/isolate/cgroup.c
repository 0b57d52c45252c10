// SPDX-License-Identifier: GPL-2.0-or-later
/* cgroup.c - cgroup v2 delegation: a cgroup with memory, pids and cpu limits per sandbox
 *
 * Theory of operation
 *
 * Only when --memory, --pids-limit or --cpus is given does a sandbox get a
 * cgroup of its own; without them it stays in the caller's cgroup (in a
 * cgroup namespace rooted there) and nothing here runs.
 *
 * 1. The cgroup2 hierarchy is the `cgroup2` line of /proc/self/mountinfo
 *    (/sys/fs/cgroup on a pure v2 host, /sys/fs/cgroup/unified on a hybrid
 *    one), the caller's cgroup C the `0::` line of /proc/self/cgroup. A
 *    controller missing from the hierarchy's root is bound to cgroup v1 (or
 *    not built): no delegation can fix that, and that is said first.
 * 2. The base B, where `sandbox-<id>` is created, must be delegated to the
 *    caller: the directory, its cgroup.procs and cgroup.subtree_control
 *    owned (writable) by them, as systemd's Delegate=yes leaves them.
 *    - C is delegated and the supervisor is alone in it (`systemd-run --user
 *      --scope -p Delegate=yes sandbox ...`): B = C. cgroup v2's "no
 *      internal processes" rule forbids enabling controllers for children of
 *      a cgroup that has processes, so the supervisor first moves itself into
 *      the leaf C/sandbox-supervisor.
 *    - C holds other processes too (the user's shell) but its parent P is
 *      delegated (C is a scope or service inside user@UID.service): B = P,
 *      the sandbox's cgroup is a sibling of C and the supervisor stays where
 *      it is. Moving PID 1 from C to P/sandbox-<id> needs write access to
 *      P's cgroup.procs (their common ancestor), which delegation gives.
 *    - Otherwise the limits cannot be enforced: exit 125 with the reason and
 *      the fix. sandbox does not ask the user's systemd for a delegated
 *      transient scope over D-Bus (the static binary has no D-Bus client);
 *      the hint names the systemd-run command that does it.
 * 3. The needed controllers are enabled in B's cgroup.subtree_control,
 *    B/sandbox-<id> is created and its memory.max (memory.swap.max = 0),
 *    pids.max and cpu.max ("QUOTA 100000") written, all before clone.
 * 4. PID 1 is cloned WITHOUT CLONE_NEWCGROUP: the supervisor writes its pid
 *    into B/sandbox-<id>/cgroup.procs right after clone, before sending
 *    MSG_MAPS_DONE, and only then does PID 1 unshare(CLONE_NEWCGROUP), so
 *    the namespace's root is its own cgroup (`0::/` inside). clone3's
 *    CLONE_INTO_CGROUP would place it atomically, but the kernel copies the
 *    namespaces before it attaches the child to the target cgroup, so a
 *    CLONE_NEWCGROUP in the same call would be rooted at the supervisor's
 *    cgroup. Nothing of the command runs before the move: PID 1 waits for
 *    MSG_MAPS_DONE first.
 * 5. After the sandbox exits: memory.events' oom_kill is read (the OOM
 *    message), then cgroup.kill empties the cgroup and it is removed. The
 *    supervisor holds an flock on RUNROOT/.cgroup-sandbox-<id>.lock while
 *    the sandbox lives (PID 1 inherits it too): a cgroup whose lock can be
 *    taken was left by a supervisor killed with SIGKILL and is removed by the
 *    next run that uses the same base (a `sandbox-*` cgroup without a lock
 *    file only when it has no processes and is older than a minute).
 * Limits on the delegated base itself (memory.max of user@UID.service) are
 * the caller's systemd's business and stay as they are. The sandbox's own
 * limit files belong to the caller, who is root inside: that they cannot be
 * rewritten from inside rests on the hierarchy's `nsdelegate` mount option
 * (systemd sets it), which denies writes to a cgroup namespace's root from
 * within; the cgroup2 mount inside is read-only besides (--privileged: rw).
 */
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h> /* isfinite: a macro, no libm */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define SUPERVISOR_LEAF	    "sandbox-supervisor"
#define STALE_UNLOCKED_SECS 60
#define CPU_PERIOD	    100000

static const char delegate_hint[] =
    "run it in a delegated cgroup: `systemd-run --user --scope -p Delegate=yes sandbox run ...`; "
    "if that fails too, delegate the controllers to user managers with a drop-in "
    "/etc/systemd/system/user@.service.d/delegate.conf containing `[Service]` and "
    "`Delegate=cpu cpuset io memory pids` (then `systemctl daemon-reload` and log in again; "
    "`loginctl enable-linger` for users without a login session)";

bool cgroup_limits_requested(const struct cgroup_limits *l)
{
	return l->memory >= 0 || l->pids >= 0 || l->cpus > 0;
}

/**
 * cgroup_parse_proc_self() - the cgroup v2 path from /proc/self/cgroup
 * @text:	contents of /proc/self/cgroup
 * @path:	set to a copy of the path of the `0::` line
 *
 * Return: 0, or -1 when there is no `0::` line (cgroup v1 only).
 */
int cgroup_parse_proc_self(const char *text, char **path)
{
	for (const char *l = text; l && *l;) {
		const char *end = strchrnul(l, '\n');

		if (strncmp(l, "0::", 3) == 0) {
			*path = strndup(l + 3, (size_t)(end - l - 3));
			return *path ? 0 : -1;
		}
		l = *end ? end + 1 : end;
	}
	return -1;
}

/* Undo mountinfo's octal escapes (\040 for a space) in place. */
static void unescape_octal(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
		    r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/**
 * cgroup_parse_mountinfo() - find the cgroup2 mount in /proc/self/mountinfo
 * @text:	contents of /proc/self/mountinfo
 * @mount_point: set to the mount point (unescaped)
 * @root:	set to the cgroup the mount shows as its root (field 4)
 *
 * /sys/fs/cgroup (pure v2) is preferred; otherwise the first cgroup2 mount
 * (/sys/fs/cgroup/unified on a hybrid host).
 *
 * Return: 0, or -1 when no cgroup2 filesystem is mounted.
 */
int cgroup_parse_mountinfo(const char *text, char **mount_point, char **root)
{
	char *best_mp = NULL, *best_root = NULL;

	for (const char *l = text; l && *l;) {
		const char *end = strchrnul(l, '\n');
		cleanup_free char *line = strndup(l, (size_t)(end - l));
		char *f[5] = {0}, *save = NULL, *sep, *fstype;
		int n = 0;

		l = *end ? end + 1 : end;
		if (!line)
			continue;
		sep = strstr(line, " - ");
		if (!sep)
			continue;
		*sep = '\0';
		fstype = strtok_r(sep + 3, " ", &save);
		if (!fstype || strcmp(fstype, "cgroup2") != 0)
			continue;
		save = NULL;
		for (char *tok = strtok_r(line, " ", &save); tok && n < 5; tok = strtok_r(NULL, " ", &save))
			f[n++] = tok;
		if (n < 5)
			continue;
		unescape_octal(f[3]);
		unescape_octal(f[4]);
		if (!best_mp || strcmp(f[4], "/sys/fs/cgroup") == 0) {
			free(best_mp);
			free(best_root);
			best_mp = xstrdup(f[4]);
			best_root = xstrdup(f[3]);
		}
	}
	if (!best_mp)
		return -1;
	*mount_point = best_mp;
	*root = best_root;
	return 0;
}

/**
 * cgroup_resolve() - where a cgroup of /proc/self/cgroup is in the mount
 * @mount_point: the cgroup2 mount point
 * @mount_root:	the cgroup it shows as its root
 * @cgroup_path: a cgroup path as /proc/self/cgroup shows it
 *
 * Return: the absolute path (malloc'd), or NULL when the cgroup is not
 * below the mount's root (a mount of another cgroup namespace).
 */
char *cgroup_resolve(const char *mount_point, const char *mount_root, const char *cgroup_path)
{
	size_t rl = strlen(mount_root);
	const char *rest;

	while (rl > 1 && mount_root[rl - 1] == '/')
		rl--;
	if (rl == 1 && mount_root[0] == '/')
		rest = cgroup_path;
	else if (strncmp(cgroup_path, mount_root, rl) == 0 && (cgroup_path[rl] == '/' || !cgroup_path[rl]))
		rest = cgroup_path + rl;
	else
		return NULL;
	if (strstr(rest, "/..") || rest[0] == '.')
		return NULL;
	while (*rest == '/')
		rest++;
	return *rest ? xasprintf("%s/%s", mount_point, rest) : xstrdup(mount_point);
}

/* Whether the space-separated @list contains @word. */
bool cgroup_has_word(const char *list, const char *word)
{
	size_t wl = strlen(word);

	for (const char *p = list; p && *p;) {
		p += strspn(p, " \t\n");
		if (strncmp(p, word, wl) == 0 && (!p[wl] || strchr(" \t\n", p[wl])))
			return true;
		p += strcspn(p, " \t\n");
	}
	return false;
}

/**
 * cgroup_key_value() - a value from a flat-keyed file (memory.events, cpu.stat)
 * @text:	the file's contents
 * @key:	the key
 *
 * Return: the value, or -1 when the key is missing.
 */
long long cgroup_key_value(const char *text, const char *key)
{
	size_t kl = strlen(key);

	for (const char *l = text; l && *l;) {
		const char *end = strchrnul(l, '\n');

		if (strncmp(l, key, kl) == 0 && l[kl] == ' ')
			return strtoll(l + kl + 1, NULL, 10);
		l = *end ? end + 1 : end;
	}
	return -1;
}

/* memory.max as the user would write it: 64M, 1G, 1536K, or bytes. */
void cgroup_format_size(int64_t bytes, char *buf, size_t size)
{
	static const char units[] = "KMGT";
	int u = -1;

	while (bytes > 0 && bytes % 1024 == 0 && u < 3) {
		bytes /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, size, "%lld", (long long)bytes);
	else
		snprintf(buf, size, "%lld%c", (long long)bytes, units[u]);
}

/**
 * cgroup_cpu_max() - cpu.max for --cpus: "QUOTA 100000"
 * @cpus:	number of CPUs (> 0)
 * @buf:	output
 * @size:	size of @buf
 *
 * The quota is rounded to the microsecond and at least 1000 (the kernel's
 * minimum).
 *
 * Return: 0, or -1 for a value that is not a positive finite number.
 */
int cgroup_cpu_max(double cpus, char *buf, size_t size)
{
	long long quota;

	if (!(cpus > 0) || !isfinite(cpus) || cpus > 1e6)
		return -1;
	quota = (long long)(cpus * CPU_PERIOD + 0.5);
	if (quota < 1000)
		quota = 1000;
	snprintf(buf, size, "%lld %d", quota, CPU_PERIOD);
	return 0;
}

/* ---- files of a cgroup ------------------------------------------------- */

static int cg_write(const char *dir, const char *file, const char *value, struct sbx_error **err)
{
	cleanup_free char *p = xasprintf("%s/%s", dir, file);
	cleanup_close int fd = open(p, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || util_write_all(fd, value, strlen(value)) < 0)
		return err ? sbx_error_set(err, errno, "write `%s` to `%s`", value, p) : -1;
	return 0;
}

static char *cg_read(const char *dir, const char *file)
{
	cleanup_free char *p = xasprintf("%s/%s", dir, file);
	char *text = NULL;

	size_t len = 0;

	if (util_read_file(p, &text, &len, NULL) < 0)
		return NULL;
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
		text[--len] = '\0';
	return text;
}

/* Delegated to us: the directory and the two files a manager of it writes. */
static bool delegated(const char *dir)
{
	cleanup_free char *procs = xasprintf("%s/cgroup.procs", dir);
	cleanup_free char *subtree = xasprintf("%s/cgroup.subtree_control", dir);

	return faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) == 0 &&
	       faccessat(AT_FDCWD, procs, W_OK, AT_EACCESS) == 0 &&
	       faccessat(AT_FDCWD, subtree, W_OK, AT_EACCESS) == 0;
}

/* Owner of @dir for messages, or -1. */
static long owner_of(const char *dir)
{
	struct stat st;

	return stat(dir, &st) == 0 ? (long)st.st_uid : -1;
}

/* Only the calling process is in @dir. */
static bool alone_in(const char *dir)
{
	cleanup_free char *procs = cg_read(dir, "cgroup.procs");
	pid_t self = getpid();

	if (!procs)
		return false;
	for (char *p = procs; *p;) {
		char *end;
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		if (v != self)
			return false;
		p = end + strspn(end, "\n");
	}
	return true;
}

/* Whether @dir's cgroup.events says `populated 1`. */
static bool populated(const char *dir)
{
	cleanup_free char *ev = cg_read(dir, "cgroup.events");

	return ev && cgroup_key_value(ev, "populated") > 0;
}

/**
 * kill_and_remove() - kill every process in a cgroup, then remove it
 * @dir:	absolute path of the cgroup (a leaf)
 *
 * cgroup.kill (Linux 5.14) SIGKILLs everything in it at once; older kernels
 * get a kill(2) of each pid in cgroup.procs until it is empty.
 *
 * Return: 0, or -1 with errno set when it could not be removed.
 */
static int kill_and_remove(const char *dir)
{
	bool have_kill = cg_write(dir, "cgroup.kill", "1", NULL) == 0;

	for (int i = 0; i < 400 && populated(dir); i++) {
		struct timespec ts = {0, 5 * 1000 * 1000};

		if (!have_kill) {
			cleanup_free char *procs = cg_read(dir, "cgroup.procs");

			for (char *p = procs; p && *p;) {
				char *end;
				long v = strtol(p, &end, 10);

				if (end == p)
					break;
				if (v > 0)
					kill((pid_t)v, SIGKILL);
				p = end + strspn(end, "\n");
			}
		}
		nanosleep(&ts, NULL);
	}
	for (int i = 0; i < 50; i++) {
		struct timespec ts = {0, 10 * 1000 * 1000};

		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -1;
		nanosleep(&ts, NULL);
	}
	return -1;
}

/**
 * prune_stale() - remove `sandbox-*` cgroups of supervisors that are gone
 * @base:	the delegated cgroup that holds them
 * @lockdir:	RUNROOT (the lock files)
 * @own:	name of the cgroup being created now (skipped)
 */
static void prune_stale(const char *base, const char *lockdir, const char *own)
{
	struct dirent *de;
	DIR *d = opendir(base);

	if (!d)
		return;
	while ((de = readdir(d))) {
		cleanup_free char *dir = NULL, *lock = NULL;
		cleanup_close int fd = -1;
		struct stat st;

		if (strncmp(de->d_name, "sandbox-", 8) != 0 || strcmp(de->d_name, own) == 0)
			continue;
		dir = xasprintf("%s/%s", base, de->d_name);
		if (strcmp(de->d_name, SUPERVISOR_LEAF) == 0) {
			/* empty once its supervisors exited; EBUSY while one lives */
			if (!populated(dir))
				(void)!rmdir(dir);
			continue;
		}
		lock = xasprintf("%s/.cgroup-%s.lock", lockdir, de->d_name);
		fd = open(lock, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
		if (fd >= 0) {
			if (flock(fd, LOCK_EX | LOCK_NB) < 0)
				continue; /* its supervisor (or PID 1) lives */
		} else if (populated(dir) || stat(dir, &st) < 0 ||
			   time(NULL) - st.st_ctime < STALE_UNLOCKED_SECS) {
			/* another runroot's, or one being set up right now */
			continue;
		}
		if (kill_and_remove(dir) == 0) {
			sbx_debug("removed the stale cgroup `%s`", dir);
			if (fd >= 0)
				unlink(lock);
		} else {
			sbx_debug("stale cgroup `%s`: %s", dir, strerror(errno));
		}
	}
	closedir(d);
}

/**
 * cgroup_prune() - `prune`: remove the cgroups of sandboxes whose supervisor
 *		    is gone (killed with SIGKILL)
 * @runroot:	RUNROOT (the lock files)
 *
 * Looks where cgroup_create() makes them: in the caller's cgroup and in its
 * parent, where they are delegated to the caller. Without cgroup v2 or
 * delegation there is nothing to do.
 */
void cgroup_prune(const char *runroot)
{
	cleanup_free char *mountinfo = NULL, *self_text = NULL, *mp = NULL, *mroot = NULL;
	cleanup_free char *self_rel = NULL, *self = NULL;
	char *slash;

	if (util_read_file("/proc/self/mountinfo", &mountinfo, NULL, NULL) < 0 ||
	    cgroup_parse_mountinfo(mountinfo, &mp, &mroot) < 0 ||
	    util_read_file("/proc/self/cgroup", &self_text, NULL, NULL) < 0 ||
	    cgroup_parse_proc_self(self_text, &self_rel) < 0 || !(self = cgroup_resolve(mp, mroot, self_rel)))
		return;
	if (delegated(self))
		prune_stale(self, runroot, "");
	slash = strrchr(self, '/');
	if (strcmp(self, mp) != 0 && slash && (size_t)(slash - self) >= strlen(mp)) {
		*slash = '\0';
		if (delegated(self))
			prune_stale(self, runroot, "");
	}
}

/* ---- choosing and preparing the base ----------------------------------- */

struct needed {
	const char *name;
	const char *flag;
};

/* Every controller of @need is in @dir's cgroup.controllers. */
static bool has_controllers(const char *dir, const struct needed *need, size_t n)
{
	cleanup_free char *avail = cg_read(dir, "cgroup.controllers");

	for (size_t i = 0; i < n; i++)
		if (!avail || !cgroup_has_word(avail, need[i].name))
			return false;
	return true;
}

/**
 * find_base() - the delegated cgroup to create sandbox-<id> in
 * @mount_point: cgroup2 mount point
 * @self:	absolute path of the caller's cgroup
 * @need:	the controllers needed
 * @n:		how many
 * @base:	set to the chosen base (malloc'd)
 * @move_self:	set when the supervisor must first move into a leaf of @base
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
static int find_base(const char *mount_point, const char *self, const struct needed *need, size_t n,
		     char **base, bool *move_self, struct sbx_error **err)
{
	size_t ml = strlen(mount_point);
	const char *rel = self[ml] ? self + ml : "/";
	bool at_top = strcmp(self, mount_point) == 0;
	cleanup_free char *parent = xstrdup(self);
	char *slash = strrchr(parent, '/');

	/* alone in it, and it has what we need (else its parent may enable it) */
	if (!at_top && delegated(self) && alone_in(self) && has_controllers(self, need, n)) {
		*base = xstrdup(self);
		*move_self = true;
		return 0;
	}
	if (!at_top && slash && (size_t)(slash - parent) >= ml) {
		*slash = '\0';
		if (delegated(parent)) {
			*base = steal_pointer(&parent);
			*move_self = false;
			return 0;
		}
	}
	if (delegated(self)) {
		sbx_error_set(
		    err, 0,
		    "resource limits cannot be enforced: your cgroup `%s` is delegated to you but holds "
		    "other processes too, and its parent is not yours (cgroup v2 allows controllers only "
		    "for cgroups without processes of their own)",
		    rel);
	} else {
		sbx_error_set(
		    err, 0,
		    "resource limits cannot be enforced: your cgroup `%s` is not delegated to you "
		    "(owned by uid %ld), and sandbox does not ask systemd for a delegated scope over "
		    "D-Bus itself",
		    rel, owner_of(self));
	}
	sbx_error_hint(err, "%s", delegate_hint);
	return -1;
}

/**
 * enter_leaf() - move the calling process into @base/sandbox-supervisor
 * @base:	the delegated cgroup
 * @err:	error out-parameter
 *
 * A concurrent run may remove an empty leaf between our mkdir and write
 * (prune_stale): retried.
 *
 * Return: 0, or negative with *err set.
 */
static int enter_leaf(const char *base, struct sbx_error **err)
{
	cleanup_free char *leaf = xasprintf("%s/" SUPERVISOR_LEAF, base);
	int e = 0;

	for (int i = 0; i < 5; i++) {
		if (mkdir(leaf, 0755) < 0 && errno != EEXIST)
			return sbx_error_set(err, errno, "create the cgroup `%s`", leaf);
		if (cg_write(leaf, "cgroup.procs", "0", NULL) == 0)
			return 0;
		e = errno;
		if (e != ENOENT)
			break;
	}
	return sbx_error_set(err, e, "move the supervisor into the cgroup `%s`", leaf);
}

/**
 * enable_controllers() - make the controllers available to @base's children
 * @base:	the delegated cgroup
 * @rel:	its path in the hierarchy, for messages
 * @need:	the controllers
 * @n:		how many
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set (naming the controller).
 */
static int enable_controllers(const char *base, const char *rel, const struct needed *need, size_t n,
			      struct sbx_error **err)
{
	cleanup_free char *avail = cg_read(base, "cgroup.controllers");
	cleanup_free char *enabled = cg_read(base, "cgroup.subtree_control");

	for (size_t i = 0; i < n; i++) {
		cleanup_free char *plus = NULL;

		if (enabled && cgroup_has_word(enabled, need[i].name))
			continue;
		if (!avail || !cgroup_has_word(avail, need[i].name)) {
			sbx_error_set(
			    err, 0, "%s: the %s controller is not delegated to your cgroup `%s` (it has: %s)",
			    need[i].flag, need[i].name, rel, avail && *avail ? avail : "none");
			sbx_error_hint(err, "%s", delegate_hint);
			return -1;
		}
		plus = xasprintf("+%s", need[i].name);
		if (cg_write(base, "cgroup.subtree_control", plus, err) < 0) {
			if ((*err)->errnum == EBUSY)
				sbx_error_hint(err, "the cgroup `%s` holds processes of its own; %s", rel,
					       delegate_hint);
			return sbx_error_wrap(err, "%s: enable the %s controller", need[i].flag,
					      need[i].name);
		}
	}
	return 0;
}

/**
 * cgroup_create() - make the sandbox's cgroup with its limits (before clone)
 * @l:		the limits; nothing is done without any
 * @short_id:	the sandbox's short id: the cgroup is `sandbox-<short_id>`
 * @runroot:	RUNROOT: the lock file is RUNROOT/.cgroup-sandbox-<id>.lock
 * @cg:		filled (cg->path stays NULL without limits)
 * @err:	error out-parameter
 *
 * See the theory of operation at the top of this file. On failure nothing
 * is left behind but the supervisor's own move into a leaf.
 *
 * Return: 0, or negative with *err set (exit code 125).
 */
int cgroup_create(const struct cgroup_limits *l, const char *short_id, const char *runroot,
		  struct cgroup_sandbox *cg, struct sbx_error **err)
{
	cleanup_free char *mountinfo = NULL, *self_text = NULL, *mp = NULL, *mroot = NULL;
	cleanup_free char *self_rel = NULL, *self = NULL, *base = NULL, *top = NULL, *path = NULL;
	cleanup_free char *lockdir = NULL, *name = NULL;
	struct needed need[3];
	size_t n = 0;
	bool move_self = false;
	char buf[64];

	if (!cgroup_limits_requested(l)) {
		sbx_debug("no resource limits: no cgroup of its own");
		return 0;
	}
	if (l->memory >= 0)
		need[n++] = (struct needed){"memory", "--memory"};
	if (l->pids >= 0)
		need[n++] = (struct needed){"pids", "--pids-limit"};
	if (l->cpus > 0)
		need[n++] = (struct needed){"cpu", "--cpus"};

	if (util_read_file("/proc/self/mountinfo", &mountinfo, NULL, err) < 0)
		return sbx_error_wrap(err, "find the cgroup2 mount");
	if (cgroup_parse_mountinfo(mountinfo, &mp, &mroot) < 0) {
		sbx_error_set(err, 0,
			      "%s: resource limits cannot be enforced: no cgroup v2 hierarchy is mounted "
			      "(this host uses cgroup v1 only)",
			      need[0].flag);
		sbx_error_hint(
		    err, "boot with cgroup v2 (systemd.unified_cgroup_hierarchy=1 on the kernel command "
			 "line), as every current distribution does by default");
		return -1;
	}
	if (util_read_file("/proc/self/cgroup", &self_text, NULL, err) < 0)
		return sbx_error_wrap(err, "find your cgroup");
	if (cgroup_parse_proc_self(self_text, &self_rel) < 0)
		return sbx_error_set(
		    err, 0, "resource limits cannot be enforced: /proc/self/cgroup has no cgroup v2 entry");
	self = cgroup_resolve(mp, mroot, self_rel);
	if (!self)
		return sbx_error_set(err, 0,
				     "resource limits cannot be enforced: your cgroup `%s` is not visible in "
				     "the cgroup2 mount `%s`",
				     self_rel, mp);

	/* a controller missing from the hierarchy's root: bound to v1 */
	top = cg_read(mp, "cgroup.controllers");
	for (size_t i = 0; i < n; i++) {
		if (top && cgroup_has_word(top, need[i].name))
			continue;
		sbx_error_set(
		    err, 0,
		    "%s: resource limits cannot be enforced: the %s controller is not available in cgroup v2 "
		    "on this host (the hierarchy at `%s` has: %s)%s",
		    need[i].flag, need[i].name, mp, top && *top ? top : "none",
		    strcmp(mp, "/sys/fs/cgroup") != 0 ? "; it is bound to cgroup v1 (hybrid layout)" : "");
		sbx_error_hint(err,
			       "boot with a pure cgroup v2 layout (systemd.unified_cgroup_hierarchy=1 on the "
			       "kernel command line), then delegate it: `systemd-run --user --scope -p "
			       "Delegate=yes sandbox run ...`");
		return -1;
	}

	if (find_base(mp, self, need, n, &base, &move_self, err) < 0)
		return -1;
	name = xasprintf("sandbox-%s", short_id);
	lockdir = xstrdup(runroot);
	prune_stale(base, lockdir, name);
	if (move_self && enter_leaf(base, err) < 0)
		return -1;
	{
		const char *rel = base + strlen(mp);

		if (enable_controllers(base, *rel ? rel : "/", need, n, err) < 0)
			return -1;
	}

	cg->lockpath = xasprintf("%s/.cgroup-%s.lock", lockdir, name);
	cg->lockfd = open(cg->lockpath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (cg->lockfd < 0 || flock(cg->lockfd, LOCK_EX | LOCK_NB) < 0) {
		sbx_error_set(err, errno, "lock `%s`", cg->lockpath);
		cgroup_destroy(cg);
		return -1;
	}
	path = xasprintf("%s/%s", base, name);
	if (mkdir(path, 0755) < 0) {
		sbx_error_set(err, errno, "create the cgroup `%s`", path);
		cgroup_destroy(cg);
		return -1;
	}
	cg->path = steal_pointer(&path);
	sbx_debug("cgroup `%s`%s", cg->path, move_self ? " (supervisor moved to " SUPERVISOR_LEAF ")" : "");

	if (l->memory >= 0) {
		snprintf(buf, sizeof(buf), "%lld", (long long)l->memory);
		if (cg_write(cg->path, "memory.max", buf, err) < 0)
			goto fail;
		/* without swap accounting (CONFIG_MEMCG_SWAP=n) the file is missing */
		if (cg_write(cg->path, "memory.swap.max", "0", NULL) < 0)
			sbx_debug("memory.swap.max: %s", strerror(errno));
		cg->memory = l->memory;
	}
	if (l->pids >= 0) {
		snprintf(buf, sizeof(buf), "%lld", (long long)l->pids);
		if (cg_write(cg->path, "pids.max", buf, err) < 0)
			goto fail;
	}
	if (l->cpus > 0) {
		if (cgroup_cpu_max(l->cpus, buf, sizeof(buf)) < 0) {
			sbx_error_set(err, EINVAL, "--cpus %g", l->cpus);
			goto fail;
		}
		if (cg_write(cg->path, "cpu.max", buf, err) < 0)
			goto fail;
	}
	return 0;
fail:
	sbx_error_wrap(err, "set the limits of the sandbox's cgroup");
	cgroup_destroy(cg);
	return -1;
}

/**
 * cgroup_enter() - move a process (PID 1 of the sandbox) into the cgroup
 * @cg:		the sandbox's cgroup (nothing is done without one)
 * @pid:	the process
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int cgroup_enter(const struct cgroup_sandbox *cg, pid_t pid, struct sbx_error **err)
{
	char buf[32];

	if (!cg->path)
		return 0;
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	if (cg_write(cg->path, "cgroup.procs", buf, err) < 0)
		return sbx_error_wrap(err, "move the sandbox into its cgroup");
	return 0;
}

/**
 * cgroup_oom_kills() - how many processes the OOM killer killed in the cgroup
 * @cg:		the sandbox's cgroup
 *
 * Return: memory.events' oom_kill, 0 without a memory limit or a cgroup.
 */
long long cgroup_oom_kills(const struct cgroup_sandbox *cg)
{
	cleanup_free char *ev = NULL;
	long long v;

	if (!cg->path || cg->memory < 0)
		return 0;
	ev = cg_read(cg->path, "memory.events");
	v = ev ? cgroup_key_value(ev, "oom_kill") : -1;
	return v > 0 ? v : 0;
}

/**
 * cgroup_destroy() - kill what is left in the cgroup and remove it
 * @cg:		the sandbox's cgroup; emptied (calling it again does nothing)
 */
void cgroup_destroy(struct cgroup_sandbox *cg)
{
	if (cg->path && kill_and_remove(cg->path) < 0)
		sbx_warn("cannot remove the cgroup `%s`: %s (the next run removes it)", cg->path,
			 strerror(errno));
	else if (cg->lockpath)
		unlink(cg->lockpath);
	if (cg->lockfd >= 0)
		close(cg->lockfd);
	free(cg->path);
	free(cg->lockpath);
	*cg = (struct cgroup_sandbox)CGROUP_SANDBOX_INIT;
}
