// SPDX-License-Identifier: GPL-2.0-or-later
/* doctor.c - `sandbox doctor`: check what rootless sandboxes need on this host
 *
 * Theory of operation
 *
 * Each check looks at one thing `run` uses and reports ok, warn (an optional
 * feature is missing or degraded: the sandbox still runs) or missing, what it
 * found, and for every problem the exact command or file that fixes it. The
 * checks try things for real where a sysctl or a version number could lie
 * (distribution kernels backport and restrict): a throwaway child creates a
 * user namespace; another one creates a user and a mount namespace, maps
 * itself, and mounts overlayfs over a private tmpfs the way `run` builds its
 * writable layers (overlay_mount_fd(), `userxattr`), then changes the mount's
 * attributes with mount_setattr(2). The children are killed and reaped on
 * every path (cleanup_pid), and they touch nothing outside their own mount
 * namespace: the tmpfs vanishes with them. The only file created on the host
 * is an unnamed O_TMPFILE (or a unique name unlinked at once) in the store's
 * directory, to see whether its filesystem takes user xattrs.
 *
 * `run` needs the kernel, user namespaces, overlayfs in a user namespace and
 * seccomp (its default filter): those checks are `required`, and
 * doctor_report_ok() is false when one of them is missing. Everything else
 * (subordinate ids, the setuid helpers, cgroup v2 delegation, /dev/net/tun,
 * ping_group_range, user xattrs on the store) only degrades what a sandbox
 * can do, and is a warning.
 *
 * Everything here is cheap (a few small /proc and /etc files, two short-lived
 * children): the whole report takes a few milliseconds.
 */
#include "doctor.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <linux/seccomp.h>

#include "overlay.h"
#include "passwd.h"
#include "syscalls.h"
#include "userns.h"
#include "util.h"

#define DOCTOR_MAX_CHECKS 16
/* How long a throwaway child may take before it is killed. */
#define CHILD_TIMEOUT_MS 5000
/* Controllers that --memory, --pids-limit and --cpus need. */
static const char *const limit_controllers[] = {"cpu", "memory", "pids"};

static const char grub_fix[] = "boot with systemd.unified_cgroup_hierarchy=1 (Debian/Ubuntu: add it to "
			       "GRUB_CMDLINE_LINUX in /etc/default/grub, run update-grub and reboot)";
static const char delegate_fix[] =
    "as root: mkdir -p /etc/systemd/system/user@.service.d && printf "
    "'[Service]\\nDelegate=cpu cpuset io memory pids\\n' > "
    "/etc/systemd/system/user@.service.d/delegate.conf && systemctl daemon-reload; "
    "then log in again";

/**
 * check_set() - fill in the result of a check
 * @c:		the check
 * @s:		its status
 * @detail:	what was found (malloc'd, taken)
 * @fix:	NULL, or how to fix it (malloc'd, taken)
 */
static void check_set(struct doctor_check *c, enum doctor_status s, char *detail, char *fix)
{
	free(c->detail);
	free(c->fix);
	c->status = s;
	c->detail = detail;
	c->fix = fix;
}

/**
 * check_add() - append a check to the report
 * @r:		the report
 * @name:	the check's stable name
 * @required:	`run` cannot work without it
 *
 * Return: the new check, ok with no detail until check_set().
 */
static struct doctor_check *check_add(struct doctor_report *r, const char *name, bool required)
{
	struct doctor_check *c = &r->checks[r->n++];

	c->name = name;
	c->required = required;
	c->status = DOCTOR_OK;
	return c;
}

/* A sysctl's value with blanks squeezed ("1\t0" -> "1 0"); false if absent. */
static bool read_sysctl(const char *path, char *buf, size_t size)
{
	char *w = buf;

	if (util_read_small(path, buf, size) < 0)
		return false;
	for (const char *p = buf; *p; p++) {
		if (*p == ' ' || *p == '\t') {
			if (w > buf && w[-1] != ' ')
				*w++ = ' ';
		} else {
			*w++ = *p;
		}
	}
	*w = '\0';
	return true;
}

/**
 * os_install() - the command that installs a package on this distribution
 * @debian:	package name on Debian and Ubuntu
 * @fedora:	package name on Fedora, RHEL and their kin
 *
 * Reads ID and ID_LIKE of /etc/os-release; an unknown distribution gets both.
 *
 * Return: "as root: ..." (malloc'd).
 */
static char *os_install(const char *debian, const char *fedora)
{
	cleanup_free char *buf = NULL;
	size_t len;
	const char *ids;

	if (util_read_file("/etc/os-release", &buf, &len, NULL) < 0)
		ids = "";
	else
		ids = buf;
	if (strstr(ids, "debian") || strstr(ids, "ubuntu"))
		return xasprintf("as root: apt-get install %s", debian);
	if (strstr(ids, "fedora") || strstr(ids, "rhel") || strstr(ids, "centos"))
		return xasprintf("as root: dnf install %s", fedora);
	return xasprintf("as root: apt-get install %s (Debian/Ubuntu) or dnf install %s (Fedora)", debian,
			 fedora);
}

/* ---- kernel ------------------------------------------------------------ */

/**
 * check_kernel() - Linux >= 5.12, and mount_setattr(2) callable
 * @c:		the check
 *
 * 5.11 allows overlayfs in a user namespace, 5.12 brought mount_setattr(2),
 * which `run` uses to make its mounts read-only. The syscall is also probed
 * for ENOSYS: a container's seccomp filter may hide it on a new kernel.
 */
static void check_kernel(struct doctor_check *c)
{
	struct mount_attr attr = {0};
	unsigned int major = 0, minor = 0;
	struct utsname u;
	int e = 0;

	if (uname(&u) < 0 || sscanf(u.release, "%u.%u", &major, &minor) != 2) {
		check_set(c, DOCTOR_MISSING, xstrdup("cannot read the kernel version (uname)"), NULL);
		return;
	}
	if (major < 5 || (major == 5 && minor < 12)) {
		check_set(c, DOCTOR_MISSING,
			  xasprintf("Linux %s: overlayfs in a user namespace needs 5.11, "
				    "mount_setattr(2) needs 5.12",
				    u.release),
			  xstrdup("install a kernel >= 5.12 (your distribution's newer or backports "
				  "kernel) and reboot"));
		return;
	}
	/* EPERM without CAP_SYS_ADMIN here: the overlay check tries it in a user namespace */
	if (sys_mount_setattr(-1, "", AT_EMPTY_PATH, &attr) < 0)
		e = errno;
	if (e == ENOSYS) {
		check_set(c, DOCTOR_MISSING,
			  xasprintf("Linux %s, but mount_setattr(2) fails with ENOSYS: a seccomp filter "
				    "(is this a container?) hides it",
				    u.release),
			  xstrdup("run sandbox on the host, or allow mount_setattr in the container's "
				  "seccomp profile"));
		return;
	}
	check_set(c, DOCTOR_OK, xasprintf("Linux %s (>= 5.12)", u.release), NULL);
}

/* ---- user namespaces --------------------------------------------------- */

/**
 * check_userns() - user namespace sysctls, and creating one for real
 * @c:		the check
 */
static void check_userns(struct doctor_check *c)
{
	char clone[32], max[32], aa[32], sysctls[160] = "";
	bool have_clone = read_sysctl("/proc/sys/kernel/unprivileged_userns_clone", clone, sizeof(clone));
	bool have_max = read_sysctl("/proc/sys/user/max_user_namespaces", max, sizeof(max));
	bool have_aa = read_sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", aa, sizeof(aa));
	size_t o = 0;
	pid_t pid;

	if (have_max)
		o += (size_t)snprintf(sysctls + o, sizeof(sysctls) - o, "user.max_user_namespaces = %s", max);
	if (have_clone && o < sizeof(sysctls))
		o += (size_t)snprintf(sysctls + o, sizeof(sysctls) - o,
				      "%skernel.unprivileged_userns_clone = %s", o ? ", " : "", clone);
	if (have_aa && o < sizeof(sysctls))
		snprintf(sysctls + o, sizeof(sysctls) - o,
			 "%skernel.apparmor_restrict_unprivileged_userns = %s", o ? ", " : "", aa);

	pid = sys_clone_fork(CLONE_NEWUSER);
	if (pid == 0)
		_exit(0);
	if (pid < 0) {
		cleanup_error struct sbx_error *err = NULL;
		int e = errno;

		userns_explain_clone_failure(e, &err);
		check_set(c, DOCTOR_MISSING,
			  xasprintf("%s%s%s", err && err->msg ? err->msg : "create a user namespace",
				    *sysctls ? "; " : "", sysctls),
			  err && err->hint ? xstrdup(err->hint) : NULL);
		return;
	}
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (have_aa && strcmp(aa, "1") == 0) {
		check_set(c, DOCTOR_WARN,
			  xasprintf("created one, but AppArmor restricts unprivileged user namespaces "
				    "(%s): capabilities inside are denied unless a profile allows "
				    "`userns,`",
				    sysctls),
			  xstrdup("as root: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 "
				  "(persist it in /etc/sysctl.d/), or give sandbox an AppArmor profile "
				  "with `userns,`"));
		return;
	}
	check_set(c, DOCTOR_OK,
		  xasprintf("created one%s%s%s", *sysctls ? " (" : "", sysctls, *sysctls ? ")" : ""), NULL);
}

/* ---- newuidmap / newgidmap --------------------------------------------- */

/**
 * check_helper() - a usable setuid (or file-capability) newuidmap/newgidmap
 * @c:		the check
 * @name:	"newuidmap" or "newgidmap"
 *
 * Without them a sandbox gets a single-ID map (root inside = you).
 */
static void check_helper(struct doctor_check *c, const char *name)
{
	cleanup_free char *path = NULL;
	struct userns_helper_problem problem;
	const char *cand;
	struct stat st;

	if (userns_find_helper(name, &path, &problem) == 0) {
		bool suid = stat(path, &st) == 0 && (st.st_mode & S_ISUID) && st.st_uid == 0;

		check_set(c, DOCTOR_OK,
			  xasprintf("`%s` (%s)", path, suid ? "setuid root" : "file capabilities"), NULL);
		return;
	}
	cand = problem.candidate;
	switch (problem.fault) {
	case USERNS_HELPER_UNPRIVILEGED:
		check_set(
		    c, DOCTOR_WARN, xasprintf("%s: sandboxes get a single-ID mapping", problem.text),
		    xasprintf("as root: chmod u+s %s (or setcap cap_set%cid+ep %s)", cand, name[3], cand));
		break;
	case USERNS_HELPER_NOSUID_MOUNT:
		check_set(c, DOCTOR_WARN, xasprintf("%s: sandboxes get a single-ID mapping", problem.text),
			  xstrdup("remount that filesystem without nosuid (its line in /etc/fstab), or "
				  "install the helpers on another one"));
		break;
	case USERNS_HELPER_NOT_EXECUTABLE:
	case USERNS_HELPER_ABSENT:
		check_set(c, DOCTOR_WARN, xasprintf("%s: sandboxes get a single-ID mapping", problem.text),
			  os_install("uidmap", "shadow-utils"));
		break;
	}
	userns_helper_problem_free(&problem);
}

/* ---- /etc/subuid, /etc/subgid ------------------------------------------ */

/* The nsswitch.conf `subid:` source, if one other than `files` is set. */
static char *nsswitch_subid(void)
{
	cleanup_free char *buf = NULL;
	size_t len;
	char *p, *end;

	if (util_read_file("/etc/nsswitch.conf", &buf, &len, NULL) < 0)
		return NULL;
	for (p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, "subid:", 6) != 0)
			continue;
		p += 6;
		p += strspn(p, " \t");
		end = p + strcspn(p, " \t\n#");
		if (end == p || (end - p == 5 && strncmp(p, "files", 5) == 0))
			return NULL;
		return xasprintf("%.*s", (int)(end - p), p);
	}
	return NULL;
}

struct subid_facts {
	uid_t uid;
	char *user;	    /* name for messages and usermod, NULL if unknown */
	bool user_from_env; /* not in /etc/passwd (SSSD/LDAP?): $USER */
	uint64_t count[2];  /* ids in the caller's ranges: subuid, subgid */
	uint32_t first[2];  /* first id of the first range */
	uint32_t free[2];   /* where a new range would overlap no one's */
	bool unreadable[2];
};

/**
 * subid_gather() - the caller's name and ranges in /etc/subuid and /etc/subgid
 * @f:		filled
 */
static void subid_gather(struct subid_facts *f)
{
	static const char *const files[2] = {"/etc/subuid", "/etc/subgid"};
	struct passwd_entry pw = {0};
	char uidstr[16];

	memset(f, 0, sizeof(*f));
	f->uid = geteuid();
	snprintf(uidstr, sizeof(uidstr), "%u", (unsigned)f->uid);
	if (passwd_lookup(AT_FDCWD, "/etc/passwd", uidstr, &pw, NULL) == 0 && pw.in_file && pw.name) {
		f->user = xstrdup(pw.name);
	} else {
		const char *env = getenv("USER") ? getenv("USER") : getenv("LOGNAME");

		if (env && *env && !strchr(env, ':') && !strchr(env, '\n') && !strchr(env, ' ')) {
			f->user = xstrdup(env);
			f->user_from_env = true;
		}
	}
	passwd_entry_free(&pw);

	for (int i = 0; i < 2; i++) {
		cleanup_free struct userns_range *r = xcalloc(USERNS_MAX_SUBID, sizeof(*r));
		cleanup_free char *buf = NULL;
		size_t len = 0, n = 0;

		f->free[i] = 100000;
		if (passwd_read_file(AT_FDCWD, files[i], &buf, &len, NULL) < 0) {
			f->unreadable[i] = access(files[i], F_OK) == 0;
			continue;
		}
		/* newgidmap, too, matches /etc/subgid lines by user name or uid */
		userns_subid_parse(buf, len, f->user, f->uid, r, USERNS_MAX_SUBID, &n, NULL);
		f->count[i] = userns_count(r, n);
		f->first[i] = n ? r[0].outside : 0;
		f->free[i] = userns_subid_first_free(buf, len);
	}
}

/**
 * check_subids() - the caller's subordinate id ranges
 * @cu:		the subuid check
 * @cg:		the subgid check
 *
 * Without a range in both files `--userns auto` and `keep-id` fall back to a
 * single-ID map (as run warns). One usermod command adds what is missing.
 */
static void check_subids(struct doctor_check *cu, struct doctor_check *cg)
{
	struct doctor_check *c[2] = {cu, cg};
	static const char *const files[2] = {"/etc/subuid", "/etc/subgid"};
	cleanup_free char *who = NULL, *usermod = NULL, *nss = NULL;
	struct subid_facts f;

	subid_gather(&f);
	nss = nsswitch_subid();
	who = f.user ? xasprintf("`%s`%s", f.user, f.user_from_env ? " (not in /etc/passwd: SSSD/LDAP?)" : "")
		     : xasprintf("uid %u", (unsigned)f.uid);
	if (f.count[0] == 0 || f.count[1] == 0) {
		cleanup_free char *u = xasprintf("--add-subuids %u-%u", f.free[0], f.free[0] + 65535);
		cleanup_free char *g = xasprintf("--add-subgids %u-%u", f.free[1], f.free[1] + 65535);

		if (f.user)
			usermod = xasprintf("as root: usermod %s%s%s %s", f.count[0] ? "" : u,
					    f.count[0] || f.count[1] ? "" : " ", f.count[1] ? "" : g, f.user);
	}
	for (int i = 0; i < 2; i++) {
		char *fix;

		if (f.count[i]) {
			check_set(c[i], DOCTOR_OK,
				  xasprintf("%s: %llu ids from %u", who, (unsigned long long)f.count[i],
					    f.first[i]),
				  NULL);
			continue;
		}
		if (i == 1 && f.count[0] == 0 && usermod)
			fix = xstrdup("the usermod command of the subuid line adds both ranges");
		else if (usermod)
			fix = xstrdup(usermod);
		else
			fix = xasprintf("as root: add `%u:%u:65536` to %s", (unsigned)f.uid, f.free[i],
					files[i]);
		if (nss) {
			char *more = xasprintf("%s; or configure `%s` (nsswitch `subid:`) to return a range",
					       fix, nss);

			free(fix);
			fix = more;
		}
		check_set(c[i], DOCTOR_WARN,
			  xasprintf("%s %s for %s: sandboxes get a single-ID mapping (root inside = you)",
				    f.unreadable[i] ? "cannot read the ranges of" : "no range in", files[i],
				    who),
			  fix);
		if (f.unreadable[i]) {
			free(c[i]->fix);
			c[i]->fix = xasprintf("as root: chmod 0644 %s", files[i]);
		}
	}
	free(f.user);
}

/* ---- overlayfs in a user namespace -------------------------------------- */

/**
 * child_write() - write a whole small file, for the overlay child
 * @path:	/proc/self/...
 * @data:	contents
 *
 * Return: 0, or -1 with errno set.
 */
static int child_write(const char *path, const char *data)
{
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(data);

	if (fd < 0)
		return -1;
	return write(fd, data, len) == (ssize_t)len ? 0 : -1;
}

/**
 * overlay_child() - in a throwaway child: mount an overlay as `run` does
 * @out:	pipe to the parent: "STATUS\tDETAIL[\tFIX]"
 *
 * Creates a user and a mount namespace, maps itself (root inside = the
 * caller: a single line needs no helper), attaches a tmpfs on top of `/`
 * (only in this namespace), and mounts overlayfs with an upper layer on it,
 * with `userxattr` when the kernel takes it. Then the overlay's attributes
 * are changed with mount_setattr(2), and a directory of the lower layer is
 * removed and created again: an opaque directory, which needs user xattrs
 * on the upper filesystem (tmpfs has them since Linux 6.6).
 */
static __attribute__((noreturn)) void overlay_child(int out)
{
	cleanup_error struct sbx_error *err = NULL;
	char map[64], stage[64], lower[96], upper[96], work[96], mnt[96], dir[128];
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV};
	char *lowers[1] = {lower};
	struct overlay_layers l = {
	    .lowers = lowers,
	    .n_lowers = 1,
	    .upper = upper,
	    .work = work,
	    .volatile_upper = true,
	};
	unsigned int uid = (unsigned int)geteuid(), gid = (unsigned int)getegid();
	int fs, tmp, ovl = -1;
	bool xattrs;
	const char *what;
	char *line;

	what = "create user and mount namespaces";
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		goto fail;
	/* (the ids were read before unshare: now they are the overflow ids) */
	what = "map root to yourself";
	snprintf(map, sizeof(map), "0 %u 1", uid);
	if (child_write("/proc/self/uid_map", map) < 0)
		goto fail;
	snprintf(map, sizeof(map), "0 %u 1", gid);
	if (child_write("/proc/self/setgroups", "deny") < 0 || child_write("/proc/self/gid_map", map) < 0)
		goto fail;
	what = "mount a tmpfs in the user namespace";
	fs = sys_fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0 || sys_fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0700", 0) < 0 ||
	    sys_fsconfig(fs, FSCONFIG_SET_STRING, "size", "1m", 0) < 0 ||
	    sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		goto fail;
	tmp = sys_fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	if (tmp < 0 || sys_move_mount(tmp, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) < 0)
		goto fail;
	snprintf(stage, sizeof(stage), "/proc/self/fd/%d", tmp);
	snprintf(lower, sizeof(lower), "%s/lower", stage);
	snprintf(upper, sizeof(upper), "%s/upper", stage);
	snprintf(work, sizeof(work), "%s/work", stage);
	snprintf(mnt, sizeof(mnt), "%s/mnt", stage);
	snprintf(dir, sizeof(dir), "%s/lower/dir", stage);
	what = "create the layers";
	if (mkdir(lower, 0755) < 0 || mkdir(upper, 0755) < 0 || mkdir(work, 0700) < 0 ||
	    mkdir(mnt, 0755) < 0 || mkdir(dir, 0755) < 0)
		goto fail;
	xattrs = setxattr(upper, "user.sandbox-doctor", "1", 1, 0) == 0;

	if (overlay_mount_fd(&l, &ovl, &err) < 0) {
		line = xasprintf("missing\t%s\t%s", err->msg,
				 err->hint ? err->hint
					   : "overlayfs in a user namespace needs Linux >= 5.11 "
					     "(and CONFIG_OVERLAY_FS)");
		goto report;
	}
	what = "mount_setattr(2) on the overlay";
	if (sys_mount_setattr(ovl, "", AT_EMPTY_PATH, &attr) < 0)
		goto fail;
	what = "attach the overlay";
	if (sys_move_mount(ovl, "", AT_FDCWD, mnt, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		goto fail;
	snprintf(dir, sizeof(dir), "%s/dir", mnt);
	if (rmdir(dir) < 0 || mkdir(dir, 0755) < 0) {
		int e = errno;

		line = xasprintf("warn\toverlayfs mounts in a user namespace, but removing and "
				 "re-creating a directory of a lower layer fails (%s): the "
				 "writable layer's filesystem has no user xattrs%s\t%s",
				 strerror(e), xattrs ? "" : " (tmpfs has them since Linux 6.6)",
				 "upgrade to Linux >= 6.6 (user xattrs on tmpfs)");
		goto report;
	}
	line = xasprintf("ok\tmounted in a user namespace, upper layer on tmpfs%s; mount_setattr works",
			 xattrs ? " with userxattr" : "");
	goto report;
fail:
	line = xasprintf("missing\t%s: %s\t%s", what, strerror(errno),
			 "overlayfs in a user namespace needs Linux >= 5.11; a container's seccomp "
			 "filter or an LSM can forbid mounts (run sandbox on the host)");
report:
	util_write_all(out, line, strlen(line));
	_exit(0);
}

/**
 * check_overlay() - overlayfs inside a user namespace, tried for real
 * @c:		the check
 */
static void check_overlay(struct doctor_check *c)
{
	cleanup_close int rfd = -1, wfd = -1;
	cleanup_pid pid_t pid = 0;
	char buf[1024];
	size_t len = 0;
	int fds[2];
	char *detail, *fix;
	enum doctor_status s;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		check_set(c, DOCTOR_MISSING, xasprintf("pipe: %s", strerror(errno)), NULL);
		return;
	}
	rfd = fds[0];
	wfd = fds[1];
	pid = fork();
	if (pid < 0) {
		pid = 0;
		check_set(c, DOCTOR_MISSING, xasprintf("fork: %s", strerror(errno)), NULL);
		return;
	}
	if (pid == 0) {
		close(rfd);
		overlay_child(wfd);
	}
	close(take_fd(&wfd));
	for (;;) {
		struct pollfd p = {.fd = rfd, .events = POLLIN};
		ssize_t n;

		if (poll(&p, 1, CHILD_TIMEOUT_MS) <= 0)
			break;
		n = read(rfd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == sizeof(buf) - 1)
			break;
	}
	buf[len] = '\0';
	detail = strchr(buf, '\t');
	if (!detail) {
		check_set(c, DOCTOR_MISSING, xstrdup("the test child died without an answer"), NULL);
		return;
	}
	*detail++ = '\0';
	fix = strchr(detail, '\t');
	if (fix)
		*fix++ = '\0';
	s = strcmp(buf, "ok") == 0 ? DOCTOR_OK : strcmp(buf, "warn") == 0 ? DOCTOR_WARN : DOCTOR_MISSING;
	check_set(c, s, xstrdup(detail), s != DOCTOR_OK && fix && *fix ? xstrdup(fix) : NULL);
}

/* ---- user xattrs on the store ------------------------------------------ */

/* A filesystem's name from its statfs magic, for messages. */
static const char *fs_name(long type)
{
	switch ((unsigned long)type) {
	case 0xEF53: return "ext4";
	case 0x58465342: return "xfs";
	case 0x9123683E: return "btrfs";
	case 0x01021994: return "tmpfs";
	case 0x794C7630: return "overlayfs";
	case 0x6969: return "nfs";
	case 0x2FC12FC1: return "zfs";
	case 0xF2F52010: return "f2fs";
	case 0x65735546: return "fuse";
	case 0xFF534D42: return "cifs";
	default: return NULL;
	}
}

/**
 * check_xattr() - whether the store's filesystem takes user.* xattrs
 * @c:		the check
 * @root:	the store directory (may not exist yet)
 *
 * Persistent writable layers live in the store; overlayfs keeps opaque
 * directories and redirects there as user.overlay.* xattrs (`userxattr`).
 * The test file is an O_TMPFILE where the filesystem allows it, else a
 * unique name unlinked right away.
 */
static void check_xattr(struct doctor_check *c, const char *root)
{
	cleanup_free char *dir = xstrdup(root ? root : "/");
	cleanup_close int fd = -1;
	const char *fsn;
	char fsbuf[32];
	struct statfs sfs;
	int e = 0;

	/* the nearest existing ancestor: the store is created on first use */
	while (access(dir, F_OK) < 0 && strcmp(dir, "/") != 0) {
		char *slash = strrchr(dir, '/');

		if (slash == dir)
			dir[1] = '\0';
		else if (slash)
			*slash = '\0';
		else
			break;
	}
	if (statfs(dir, &sfs) < 0)
		sfs.f_type = 0;
	fsn = fs_name(sfs.f_type);
	if (!fsn) {
		snprintf(fsbuf, sizeof(fsbuf), "filesystem 0x%lx", (unsigned long)sfs.f_type);
		fsn = fsbuf;
	}
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0 && errno != EACCES && errno != EPERM && errno != EROFS) {
		char name[24] = ".sandbox-doctor-";
		cleanup_free char *path = NULL;

		util_random_hex(name + 16, 6);
		path = xasprintf("%s/%s", dir, name);
		fd = open(path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
		if (fd >= 0)
			unlink(path);
	}
	if (fd < 0) {
		check_set(c, DOCTOR_WARN, xasprintf("cannot test `%s` (%s): %s", dir, fsn, strerror(errno)),
			  xstrdup("choose a writable store: sandbox --root DIR or SANDBOX_ROOT=DIR"));
		return;
	}
	if (fsetxattr(fd, "user.sandbox-doctor", "1", 1, 0) < 0)
		e = errno;
	if (e == 0) {
		check_set(c, DOCTOR_OK, xasprintf("`%s` (%s) takes user xattrs", dir, fsn), NULL);
		return;
	}
	check_set(c, DOCTOR_WARN,
		  xasprintf("`%s` (%s) takes no user xattrs (%s): persistent writable layers "
			    "cannot have opaque directories (removing a directory of the image fails)",
			    dir, fsn, strerror(e)),
		  xstrdup("put the store on ext4, xfs or btrfs: sandbox --root DIR or SANDBOX_ROOT=DIR "
			  "(or mount it with user_xattr)"));
}

/* ---- cgroup v2 ----------------------------------------------------------- */

/* Whether a space-separated list holds @word. */
static bool has_word(const char *list, const char *word)
{
	size_t wl = strlen(word);

	for (const char *p = list; p && *p;) {
		size_t n = strcspn(p, " \n");

		if (n == wl && strncmp(p, word, wl) == 0)
			return true;
		p += n;
		p += strspn(p, " \n");
	}
	return false;
}

/**
 * cgroup_mounts() - the first cgroup2 mount point, and whether v1 is mounted
 * @v2:		set to the cgroup2 mount point (malloc'd) or NULL
 * @v1:		set to true if any cgroup v1 hierarchy is mounted
 */
static void cgroup_mounts(char **v2, bool *v1)
{
	cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];

	*v2 = NULL;
	*v1 = false;
	while (f && fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - "), *mp, *end;
		int field = 0;

		if (!sep)
			continue;
		/* fields: id parent major:minor root mountpoint ... */
		for (mp = line; *mp && field < 4; mp++)
			if (*mp == ' ')
				field++;
		end = strchr(mp, ' ');
		if (!end)
			continue;
		if (strncmp(sep + 3, "cgroup2 ", 8) == 0 && !*v2)
			*v2 = xasprintf("%.*s", (int)(end - mp), mp);
		else if (strncmp(sep + 3, "cgroup ", 7) == 0)
			*v1 = true;
	}
}

/**
 * check_cgroup() - cgroup v2, and which controllers the caller may use
 * @c:		the check
 *
 * --memory, --pids-limit and --cpus need the memory, pids and cpu
 * controllers on the unified hierarchy, in a cgroup the caller owns
 * (delegated, as systemd does for user@.service with Delegate=).
 */
static void check_cgroup(struct doctor_check *c)
{
	cleanup_free char *v2 = NULL, *own = NULL, *dir = NULL, *path = NULL;
	char rootc[512] = "", ownc[512] = "", missing[64] = "", line[4096];
	cleanup_fclose FILE *f = NULL;
	bool v1;
	struct stat st;

	cgroup_mounts(&v2, &v1);
	if (!v2) {
		check_set(c, DOCTOR_WARN,
			  xstrdup("no cgroup2 mount (cgroup v1 only): --memory, --pids-limit and --cpus "
				  "cannot be enforced"),
			  xstrdup(grub_fix));
		return;
	}
	path = xasprintf("%s/cgroup.controllers", v2);
	util_read_small(path, rootc, sizeof(rootc));
	for (size_t i = 0; i < ARRAY_SIZE(limit_controllers); i++) {
		if (!has_word(rootc, limit_controllers[i])) {
			size_t o = strlen(missing);

			snprintf(missing + o, sizeof(missing) - o, "%s%s", o ? ", " : "",
				 limit_controllers[i]);
		}
	}
	if (v1 && *missing) {
		check_set(c, DOCTOR_WARN,
			  xasprintf("hybrid layout: cgroup2 at `%s` lacks %s (bound to cgroup v1): "
				    "--memory, --pids-limit and --cpus cannot be enforced",
				    v2, missing),
			  xstrdup(grub_fix));
		return;
	}

	f = fopen("/proc/self/cgroup", "re");
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			own = xstrdup(line + 3);
		}
	if (!own) {
		check_set(c, DOCTOR_WARN,
			  xasprintf("cgroup2 at `%s`, but this process is in none of its cgroups", v2),
			  xstrdup(grub_fix));
		return;
	}
	dir = xasprintf("%s%s", v2, strcmp(own, "/") == 0 ? "" : own);
	free(path);
	path = xasprintf("%s/cgroup.controllers", dir);
	util_read_small(path, ownc, sizeof(ownc));
	free(path);
	path = xasprintf("%s/cgroup.subtree_control", dir);
	if (stat(dir, &st) < 0 || st.st_uid != geteuid() || access(path, W_OK) < 0) {
		check_set(c, DOCTOR_WARN,
			  xasprintf("cgroup v2, but your cgroup `%s` is not delegated to you (owner uid %u): "
				    "--memory, --pids-limit and --cpus cannot be enforced",
				    own, stat(dir, &st) == 0 ? (unsigned)st.st_uid : 0u),
			  xasprintf("run sandbox in a delegated scope: systemd-run --user --scope "
				    "-p Delegate=yes sandbox ...; or %s",
				    delegate_fix));
		return;
	}
	missing[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(limit_controllers); i++) {
		if (!has_word(ownc, limit_controllers[i])) {
			size_t o = strlen(missing);

			snprintf(missing + o, sizeof(missing) - o, "%s%s", o ? ", " : "",
				 limit_controllers[i]);
		}
	}
	if (*missing) {
		check_set(c, DOCTOR_WARN,
			  xasprintf("cgroup v2, `%s` is yours, delegated controllers: %s; missing: %s "
				    "(the matching limits cannot be enforced)",
				    own, *ownc ? ownc : "none", missing),
			  xstrdup(delegate_fix));
		return;
	}
	check_set(c, DOCTOR_OK, xasprintf("cgroup v2, `%s` is yours, delegated controllers: %s", own, ownc),
		  NULL);
}

/* ---- /dev/net/tun, ping, seccomp ----------------------------------------- */

/**
 * check_tun() - /dev/net/tun exists and opens
 * @c:		the check
 */
static void check_tun(struct doctor_check *c)
{
	cleanup_close int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	int e = errno;

	if (fd >= 0) {
		check_set(c, DOCTOR_OK, xstrdup("`/dev/net/tun` opens (for user-mode networking)"), NULL);
		return;
	}
	if (e == ENOENT)
		check_set(c, DOCTOR_WARN,
			  xstrdup("no `/dev/net/tun`: the default network (slirp) needs it; use `--network "
				  "none` or `host`"),
			  xstrdup("as root: modprobe tun (or: mkdir -p /dev/net && mknod -m 0666 "
				  "/dev/net/tun c 10 200)"));
	else
		check_set(
		    c, DOCTOR_WARN,
		    xasprintf("cannot open `/dev/net/tun` (%s): the default network (slirp) needs it; "
			      "use `--network none` or `host`",
			      strerror(e)),
		    xstrdup(e == EACCES ? "as root: chmod 0666 /dev/net/tun" : "as root: modprobe tun"));
}

/**
 * check_ping() - whether the caller's groups may open ICMP echo sockets
 * @c:		the check
 *
 * Inside a sandbox on the host network ping uses an unprivileged ICMP
 * socket: the kernel checks the caller's host gids against this range.
 */
static void check_ping(struct doctor_check *c)
{
	char range[64];
	unsigned long lo, hi;
	gid_t groups[256];
	int n;
	bool in = false;

	if (!read_sysctl("/proc/sys/net/ipv4/ping_group_range", range, sizeof(range)) ||
	    sscanf(range, "%lu %lu", &lo, &hi) != 2) {
		check_set(c, DOCTOR_WARN, xstrdup("no net.ipv4.ping_group_range (no IPv4?)"), NULL);
		return;
	}
	in = getegid() >= lo && getegid() <= hi;
	n = getgroups(ARRAY_SIZE(groups), groups);
	for (int i = 0; i < n && !in; i++)
		in = groups[i] >= lo && groups[i] <= hi;
	if (in) {
		check_set(
		    c, DOCTOR_OK,
		    xasprintf("net.ipv4.ping_group_range = %s includes gid %u", range, (unsigned)getegid()),
		    NULL);
		return;
	}
	check_set(c, DOCTOR_WARN,
		  xasprintf("net.ipv4.ping_group_range = %s excludes your groups (gid %u): ping in "
			    "a sandbox on the host network fails",
			    range, (unsigned)getegid()),
		  xstrdup("as root: sysctl -w net.ipv4.ping_group_range='0 2147483647' (persist it "
			  "in /etc/sysctl.d/)"));
}

/**
 * check_seccomp() - seccomp filters are available
 * @c:		the check
 *
 * `run` installs its default filter unless told otherwise. A NULL filter
 * program gets EFAULT from a kernel with filter mode, EINVAL without.
 */
static void check_seccomp(struct doctor_check *c)
{
	char status[4096];
	const char *field;
	int e = 0;

	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0 && errno == EINVAL) {
		check_set(c, DOCTOR_MISSING, xstrdup("the kernel has no seccomp (CONFIG_SECCOMP)"),
			  xstrdup("a kernel with CONFIG_SECCOMP_FILTER=y; meanwhile run with "
				  "--security-opt seccomp=unconfined"));
		return;
	}
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, NULL, 0, 0) < 0)
		e = errno;
	if (e == EINVAL) {
		check_set(c, DOCTOR_MISSING,
			  xstrdup("the kernel has no seccomp filters (CONFIG_SECCOMP_FILTER)"),
			  xstrdup("a kernel with CONFIG_SECCOMP_FILTER=y; meanwhile run with "
				  "--security-opt seccomp=unconfined"));
		return;
	}
	status[0] = '\0';
	util_read_small("/proc/self/status", status, sizeof(status));
	field = strstr(status, "\nSeccomp:");
	if (field && strtol(field + 9, NULL, 10) == 2)
		check_set(c, DOCTOR_OK,
			  xstrdup("filters available (this process is already filtered: "
				  "its filter applies inside too)"),
			  NULL);
	else
		check_set(c, DOCTOR_OK, xstrdup("filters available"), NULL);
}

/**
 * check_landlock() - Landlock, with which the network helper denies itself
 *		      every path
 * @c:		the check
 *
 * Optional: without it the helper keeps its other walls (namespaces, an
 * empty root, no capabilities, seccomp).
 */
static void check_landlock(struct doctor_check *c)
{
	int abi = sys_landlock_create_ruleset(NULL, 0, SBX_LANDLOCK_CREATE_RULESET_VERSION);
	int e = errno;

	if (abi >= 0) {
		check_set(c, DOCTOR_OK, xasprintf("ABI %d: the network helper denies itself every path", abi),
			  NULL);
		return;
	}
	check_set(c, DOCTOR_WARN,
		  xasprintf("no Landlock (%s): the network helper is confined without it",
			    e == EOPNOTSUPP ? "disabled at boot" : strerror(e)),
		  xstrdup(e == EOPNOTSUPP ? "add landlock to the kernel's lsm= boot parameter"
					  : "Linux >= 5.13 with CONFIG_SECURITY_LANDLOCK=y"));
}

/* ---- the report ---------------------------------------------------------- */

/**
 * doctor_run() - run every check
 * @g:		global options (the store directory)
 * @r:		filled (free with doctor_report_free())
 */
void doctor_run(const struct sbx_global *g, struct doctor_report *r)
{
	struct doctor_check *cu, *cg;

	r->checks = xcalloc(DOCTOR_MAX_CHECKS, sizeof(*r->checks));
	r->n = 0;
	check_kernel(check_add(r, "kernel", true));
	check_userns(check_add(r, "userns", true));
	check_helper(check_add(r, "newuidmap", false), "newuidmap");
	check_helper(check_add(r, "newgidmap", false), "newgidmap");
	cu = check_add(r, "subuid", false);
	cg = check_add(r, "subgid", false);
	check_subids(cu, cg);
	check_overlay(check_add(r, "overlay", true));
	check_xattr(check_add(r, "xattr", false), g ? g->root : NULL);
	check_cgroup(check_add(r, "cgroup", false));
	check_tun(check_add(r, "tun", false));
	check_ping(check_add(r, "ping", false));
	check_seccomp(check_add(r, "seccomp", true));
	check_landlock(check_add(r, "landlock", false));
}

/**
 * doctor_report_ok() - whether everything `run` needs works
 * @r:		the report
 *
 * Return: false if a required check is missing.
 */
bool doctor_report_ok(const struct doctor_report *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->checks[i].required && r->checks[i].status == DOCTOR_MISSING)
			return false;
	return true;
}

const char *doctor_status_name(enum doctor_status s)
{
	return s == DOCTOR_OK ? "ok" : s == DOCTOR_WARN ? "warn" : "missing";
}

/**
 * doctor_format_text() - one line per check
 * @r:		the report
 *
 * "STATUS  NAME  DETAIL[; fix: FIX]", columns aligned.
 *
 * Return: the text (malloc'd).
 */
char *doctor_format_text(const struct doctor_report *r)
{
	char *out = xstrdup("");

	for (size_t i = 0; i < r->n; i++) {
		const struct doctor_check *c = &r->checks[i];
		char *next =
		    xasprintf("%s%-8s %-10s %s%s%s\n", out, doctor_status_name(c->status), c->name,
			      c->detail ? c->detail : "", c->fix ? "; fix: " : "", c->fix ? c->fix : "");

		free(out);
		out = next;
	}
	return out;
}

/* A JSON string of @s; bytes that are not UTF-8 (a path) become `?`. */
static json_t *json_text(const char *s)
{
	cleanup_free char *copy = NULL;
	json_t *j = json_string(s);

	if (j)
		return j;
	copy = xstrdup(s);
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	if (!j)
		abort();
	return j;
}

/**
 * doctor_format_json() - the report as a JSON array
 * @r:		the report
 *
 * Each check is {"check", "status", "detail", "fix" (null when none),
 * "required"}.
 *
 * Return: the text with a trailing newline (malloc'd).
 */
char *doctor_format_json(const struct doctor_report *r)
{
	json_t *a = json_array();
	char *s, *out;

	for (size_t i = 0; i < r->n; i++) {
		const struct doctor_check *c = &r->checks[i];

		json_t *o = json_object();

		json_object_set_new(o, "check", json_string(c->name));
		json_object_set_new(o, "status", json_string(doctor_status_name(c->status)));
		json_object_set_new(o, "detail", json_text(c->detail ? c->detail : ""));
		json_object_set_new(o, "fix", c->fix ? json_text(c->fix) : json_null());
		json_object_set_new(o, "required", json_boolean(c->required));
		json_array_append_new(a, o);
	}
	s = json_dumps(a, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(a);
	if (!s)
		abort();
	out = xasprintf("%s\n", s);
	free(s);
	return out;
}

/**
 * doctor_report_free() - free what a report owns
 * @r:		the report
 */
void doctor_report_free(struct doctor_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->checks[i].detail);
		free(r->checks[i].fix);
	}
	free(r->checks);
	r->checks = NULL;
	r->n = 0;
}
