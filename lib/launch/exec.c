// SPDX-License-Identifier: GPL-2.0-or-later
/* exec.c - run a process inside a running sandbox (`sandbox exec`)
 *
 * Theory of operation (all in the `sandbox exec` process unless said):
 *
 * 1. Find the sandbox (lifecycle.c) and check that PID 1 lives: a pidfd is
 *    opened, then the recorded start time is checked, so the pidfd names
 *    PID 1 of this sandbox and not a process that reused its pid. We make
 *    ourselves non-dumpable first: nothing in the sandbox may ptrace us or
 *    the child before it drops its privileges (execve undoes it).
 * 2. Still in the host's namespaces: compile the seccomp filter the
 *    sandbox's command got (config.json keeps the profile, the capability
 *    set, no_new_privs), read which ids are mapped (/proc/PID/uid_map,
 *    gid_map, setgroups), and move into the sandbox's cgroup if it has one.
 * 3. Join through a child of PID 1 (the command, PID 2, or an orphan the
 *    init adopted; join_via_command() says why not through our init) the
 *    user namespace first, then mount, PID, UTS, IPC, network and cgroup:
 *    one setns(pidfd, flags) (Linux >= 5.8), else one setns() per
 *    /proc/PID/ns/NAME descriptor, opened before the first one (PID 1 is not
 *    dumpable, so those are closed to us: Linux >= 5.8 is needed in practice;
 *    with CAP_SYS_ADMIN it is required: once in the nested user namespace,
 *    a setns() into the PID and cgroup namespaces, which belong to the
 *    outer one, is refused).
 *    The host network (--network host) is left out. Only a process whose
 *    namespaces are all those PID 1 recorded at start (anchor.c) is joined,
 *    and ours are checked again afterwards: a command that made namespaces
 *    of its own, or chroot()ed into a tree of its choice, does not decide
 *    where exec lands. With CAP_SYS_ADMIN those are the nested user
 *    namespace and the locked copy of the mount namespace PID 1 moved into
 *    once at start (mntlock.c), never ones the command unshared later.
 *    Joining the mount namespace puts our root and working directory at the
 *    root of its mount tree, which must be PID 1's root (or the joined
 *    process's root must be, when something was mounted over it).
 * 4. Resolve the user in the sandbox's /etc/passwd, open a pty on its devpts
 *    (-t), and fork: setns(CLONE_NEWPID) only applies to children. The
 *    child drops privileges exactly as run's command does
 *    (launch_drop_privileges()) and execs.
 * 5. We stay as its parent: relay the pty and forward signals
 *    (supervise_wait()), reap it (no zombie is left), and exit with its
 *    status. If the sandbox stops, the kernel kills the child with the PID
 *    namespace.
 */
#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "anchor.h"
#include "cmdenv.h"
#include "init.h"
#include "launch.h"
#include "lifecycle.h"
#include "passwd.h"
#include "run.h"
#include "seccomp.h"
#include "selfclone.h"
#include "supervise.h"
#include "syscalls.h"
#include "tty.h"
#include "userns.h"

/* Parse a uid_map/gid_map into @r; return the number of lines. */
static size_t read_map(pid_t pid, const char *which, struct userns_range *r, size_t max)
{
	cleanup_free char *text = NULL;
	char path[64];
	size_t n = 0;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, which);
	if (util_read_file(path, &text, NULL, NULL) < 0)
		return 0;
	for (char *line = text; line && *line && n < max;) {
		char *next = strchr(line, '\n');
		unsigned a, b, c;

		if (next)
			*next++ = '\0';
		if (sscanf(line, "%u %u %u", &a, &b, &c) == 3)
			r[n++] = (struct userns_range){.inside = a, .outside = b, .count = c};
		line = next;
	}
	return n;
}

/**
 * join_namespaces() - setns into every namespace of @pid we do not share
 * @pid:	a process of the sandbox (checked against the anchor first)
 * @pidfd:	its pidfd
 * @own_netns:	the sandbox has its own network namespace
 * @err:	error out-parameter
 *
 * Joining the mount namespace puts our root and working directory at the
 * root of its mount tree: the sandbox's root (anchor_enter_root() checks).
 *
 * Return: 0, or negative with *err set.
 */
static int join_namespaces(pid_t pid, int pidfd, bool own_netns, struct sbx_error **err)
{
	int fds[ANCHOR_N_NS];
	int flags = 0, ret = 0;

	/* the network namespace is the only one a sandbox may share with the host */
	for (int i = 0; i < ANCHOR_N_NS; i++)
		if (i != ANCHOR_NET || own_netns)
			flags |= anchor_ns_flags[i];
	if (pidfd >= 0 && setns(pidfd, flags) == 0)
		return 0;
	if (pidfd >= 0 && errno != EINVAL)
		return sbx_error_set(err, errno, "join the sandbox's namespaces");
	/* before Linux 5.8: one descriptor per namespace, all opened first */
	for (int i = 0; i < ANCHOR_N_NS; i++) {
		char path[64];

		fds[i] = -1;
		if (!(flags & anchor_ns_flags[i]) || ret < 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, anchor_ns_names[i]);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			ret =
			    sbx_error_set(err, errno, "open `%s` (setns with a pidfd needs Linux 5.8)", path);
	}
	for (int i = 0; i < ANCHOR_N_NS && ret == 0; i++)
		if (fds[i] >= 0 && setns(fds[i], anchor_ns_flags[i]) < 0)
			ret =
			    sbx_error_set(err, errno, "join the sandbox's %s namespace", anchor_ns_names[i]);
	for (int i = 0; i < ANCHOR_N_NS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return ret;
}

/* The parent pid of @pid (field 4 of /proc/PID/stat), or -1. */
static pid_t proc_ppid(pid_t pid)
{
	char path[64], buf[512];
	const char *p;
	int ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (util_read_small(path, buf, sizeof(buf)) < 0 || !(p = strrchr(buf, ')')))
		return -1;
	if (sscanf(p + 1, " %*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

/**
 * join_checked() - join the namespaces of @pid if they are all PID 1's
 * @pid:	a process of the sandbox
 * @pidfd:	its pidfd, opened before @pid was checked
 * @a:		PID 1's namespaces and root
 * @own_netns:	the sandbox has its own network namespace
 * @rootfd:	set to an O_PATH descriptor of its root (-1 if unavailable)
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set (nothing joined when the namespaces
 * of @pid are not PID 1's).
 */
static int join_checked(pid_t pid, int pidfd, const struct anchor *a, bool own_netns, int *rootfd,
			struct sbx_error **err)
{
	cleanup_close int procfd = -1;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	procfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return sbx_error_set(err, errno, "open `%s`", path);
	if (anchor_check_ns(procfd, false, a, own_netns, err) < 0)
		return -1;
	if (*rootfd >= 0)
		close(take_fd(rootfd));
	*rootfd = openat(procfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return join_namespaces(pid, pidfd, own_netns, err);
}

/**
 * join_via_command() - join the namespaces through a child of PID 1
 * @pid1:	PID 1 of the sandbox (our init)
 * @a:		PID 1's namespaces and root
 * @own_netns:	the sandbox has its own network namespace
 * @rootfd:	set to an O_PATH descriptor of the root of the child joined
 * @err:	error out-parameter
 *
 * Our init is not dumpable (nothing inside may ptrace it), and it never
 * exec'd, so its memory belongs to the host's user namespace: the kernel
 * refuses us its namespaces (a ptrace access check). Its children (the
 * command, PID 2, and orphans it adopted) exec'd inside: join through the
 * first one, checked to be a child of PID 1 after its pidfd was opened,
 * that is still in every namespace of PID 1 (a command may have made
 * namespaces of its own: with CAP_SYS_ADMIN, even a mount namespace).
 *
 * Return: 0, or negative with *err set.
 */
static int join_via_command(pid_t pid1, const struct anchor *a, bool own_netns, int *rootfd,
			    struct sbx_error **err)
{
	char path[64];
	int ret = -1;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid1, (int)pid1);
	/* a command just forked is not dumpable until its execve (its /proc
	 * files are closed to us, EACCES): wait for it, at most a second */
	for (int attempt = 0; attempt < 100; attempt++) {
		cleanup_free char *children = NULL;
		bool not_yet = false;

		if (util_read_file(path, &children, NULL, NULL) < 0 || !children[0])
			return sbx_error_set(err, 0,
					     "the sandbox's command has exited: the sandbox is stopping");
		for (char *tok = strtok(children, " \n"); tok; tok = strtok(NULL, " \n")) {
			cleanup_close int fd = -1;
			pid_t c = (pid_t)atoi(tok);

			if (c <= 0 || (fd = sys_pidfd_open(c, 0)) < 0 || proc_ppid(c) != pid1)
				continue;
			sbx_error_free(*err);
			*err = NULL;
			ret = join_checked(c, fd, a, own_netns, rootfd, err);
			if (ret == 0)
				return 0;
			not_yet |= (*err)->errnum == EACCES;
			sbx_debug("exec: not through pid %d: %s", (int)c, (*err)->msg);
		}
		if (!not_yet)
			break;
		usleep(10000);
	}
	if (ret < 0 && *err)
		return sbx_error_wrap(err, "no process of the sandbox is in its namespaces");
	return sbx_error_set(err, 0, "the sandbox's command has exited: the sandbox is stopping");
}

/**
 * enter_sandbox() - join the sandbox's namespaces and its root, checked
 *		     against what its PID 1 recorded (anchor.c)
 * @sb:		the sandbox
 * @pidfd:	pidfd of its PID 1
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
static int enter_sandbox(struct lc_sandbox *sb, int pidfd, struct sbx_error **err)
{
	const struct sbx_config *c = sb->config;
	bool own_netns = c->own_netns;
	cleanup_close int self = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
	cleanup_close int rootfd = -1;
	struct anchor a;
	int ret;

	if (self < 0)
		return sbx_error_set(err, errno, "open `/proc/self`");
	if (!sb->rundir || anchor_read(sb->rundir, &a, err) < 0)
		return sbx_error_wrap(err,
				      "the sandbox was started by an older sandbox: exec needs its settings");
	/* with --init=false PID 1 is the command: it exec'd inside */
	ret = !c->init ? join_checked(sb->pid, pidfd, &a, own_netns, &rootfd, err)
		       : join_via_command(sb->pid, &a, own_netns, &rootfd, err);
	if (ret < 0)
		return sbx_error_wrap(err, "enter the sandbox");
	/* the process may have moved between the check and the setns */
	if (anchor_check_ns(self, true, &a, own_netns, err) < 0 || anchor_enter_root(&a, rootfd, err) < 0)
		return sbx_error_wrap(err, "enter the sandbox");
	return 0;
}

struct exec_child {
	struct launch_privs privs;
	struct passwd_creds creds;
	struct strv env;
	const char *workdir;
	char **argv;
	int pty_slave;
	bool interactive;
	struct tty_input_relay input; /* -i without -t on a terminal: stdin's pipe */
	sigset_t saved_mask;
};

/* In the forked child (inside the PID namespace): never returns. */
static _Noreturn void exec_child(struct exec_child *x)
{
	cleanup_error struct sbx_error *err = NULL;

	init_restore_signals(&x->saved_mask);
	if (tty_input_relay_child(&x->input, &err) < 0 || launch_leave_caller_session(&err) < 0 ||
	    launch_prepare_stdio(x->pty_slave, x->interactive, x->workdir, &err) < 0)
		goto fail;
	if (launch_mark_fds_cloexec(&err) < 0 || launch_drop_privileges(&x->privs, &x->creds, &err) < 0)
		goto fail;
	_exit(launch_find_and_exec(x->argv, x->env.v, false));
fail:
	sbx_log(SBX_LOG_ERROR, "%s", err->msg);
	_exit(SBX_EXIT_FAILURE);
}

/* `sandbox exec`'s state, from the sandbox found to the command reaped */
struct exec_ctx {
	const struct sbx_global *g;
	struct exec_opts *xo;
	struct lc_sandbox sb;
	bool have_sb;			 /* sb was found: lifecycle_free() it */
	const struct sbx_config *config; /* sb's config.json */
	struct exec_child x;
	struct userns_plan plan;
	struct sbx_seccomp_filter *filter;
	struct tty_raw raw;
	int pidfd;   /* the sandbox's PID 1 */
	int childfd; /* the command's child */
	int rootfd;  /* the sandbox's root, once entered */
	int master;  /* -t: the pty master */
	pid_t child; /* killed and reaped by exec_ctx_free() unless 0 */
};

/**
 * find_sandbox() - the running sandbox @xo names, its settings and a pidfd
 *		    of its PID 1
 * @c:		context
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
static int find_sandbox(struct exec_ctx *c, struct sbx_error **err)
{
	const char *name = c->xo->sandbox;

	if (lifecycle_find(c->g, name, &c->sb, err) < 0)
		return -1;
	c->have_sb = true;
	/* never from the host's file (CVE-2019-5736): the copy its supervisor runs from */
	if (selfclone_ensure_via(c->g->argv, lifecycle_running(&c->sb) ? c->sb.sup : 0, err) < 0)
		return -1;
	/* nothing in the sandbox may ptrace us, or the child before its
	 * privileges are dropped (runc's CVE-2016-9962): execve makes the
	 * command dumpable again */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	c->config = c->sb.config;
	if (!lifecycle_running(&c->sb))
		return sbx_error_set(err, 0, "%s: the sandbox is not running", name);
	if (!c->config || !c->config->has_exec)
		return sbx_error_set(
		    err, 0, "%s: the sandbox was started by an older sandbox: exec needs its settings", name);
	c->pidfd = sys_pidfd_open(c->sb.pid, 0);
	if (c->pidfd < 0 && errno != ENOSYS)
		return sbx_error_set(err, 0, "%s: the sandbox is not running", name);
	if (!lifecycle_running(&c->sb))
		return sbx_error_set(err, 0, "%s: the sandbox is not running", name);
	return 0;
}

/**
 * load_privileges() - the command's privileges: the sandbox's capabilities,
 *		       seccomp filter, no_new_privs, setgroups and id maps
 * @c:		context
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
static int load_privileges(struct exec_ctx *c, struct sbx_error **err)
{
	unsigned long long caps = c->config->caps;
	char buf[16], path[64];

	if (seccomp_build(c->config->seccomp, caps, &c->filter, err) < 0)
		return -1;
	c->x.privs.caps = caps;
	c->x.privs.filter = c->filter;
	c->x.privs.no_new_privs = c->config->no_new_privs;
	snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)c->sb.pid);
	c->x.privs.can_setgroups = util_read_small(path, buf, sizeof(buf)) > 0 && strcmp(buf, "allow") == 0;
	c->plan.n_uid = read_map(c->sb.pid, "uid_map", c->plan.uid, USERNS_MAX_LINES);
	c->plan.n_gid = read_map(c->sb.pid, "gid_map", c->plan.gid, USERNS_MAX_LINES);
	c->x.privs.plan = &c->plan;
	return 0;
}

/**
 * join_cgroup() - move this process into the sandbox's cgroup, if it has one
 * @c:		context
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
static int join_cgroup(struct exec_ctx *c, struct sbx_error **err)
{
	cleanup_free char *procs = NULL;

	if (!c->config->cgroup)
		return 0;
	procs = xasprintf("%s/cgroup.procs", c->config->cgroup);
	if (util_write_file_at(AT_FDCWD, procs, "0", 1, 0644, err) < 0)
		return sbx_error_wrap(err, "join the sandbox's cgroup");
	return 0;
}

/**
 * enter_root() - the sandbox's namespaces and root; the user, inside it
 * @c:		context
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
static int enter_root(struct exec_ctx *c, struct sbx_error **err)
{
	const char *user;

	/* the terminal is opened again through the host's /proc, not the sandbox's */
	if (c->xo->interactive && !c->xo->tty && tty_input_relay_open(&c->x.input, err) < 0)
		return -1;
	if (enter_sandbox(&c->sb, c->pidfd, err) < 0)
		return -1;
	/* our root is the sandbox's now */
	c->rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	user = c->xo->user ? c->xo->user : c->config->user;
	if (passwd_resolve_spec(c->rootfd, user ? user : "0:0", &c->x.creds, err) < 0)
		return sbx_error_wrap(err, "user `%s`", user ? user : "0:0");
	return 0;
}

/**
 * build_env() - the command's working directory, environment and arguments
 * @c:		context
 */
static void build_env(struct exec_ctx *c)
{
	struct exec_opts *xo = c->xo;
	struct exec_child *x = &c->x;
	const struct sbx_config *cfg = c->config;

	x->workdir = xo->workdir ? xo->workdir : cfg->workdir ? cfg->workdir : "/";
	cmdenv_build(&(struct cmdenv_input){.hostname = cfg->hostname,
					    .creds = &x->creds,
					    .tty = xo->tty,
					    .sandbox_id = c->sb.id,
					    .image_env = cfg->env.v,
					    .user_env = &xo->env},
		     &x->env);
	x->argv = xo->argv;
}

/**
 * start_child() - fork the command's process (exec_child()); -i -t: the
 *		   caller's terminal in raw mode
 * @c:		context
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
static int start_child(struct exec_ctx *c, struct sbx_error **err)
{
	pid_t child;

	if (c->xo->tty && tty_open_pty(&c->master, &c->x.pty_slave, err) < 0)
		return -1;
	supervise_block_signals(&c->x.saved_mask);
	child = fork();
	if (child < 0)
		return sbx_error_set(err, errno, "fork");
	if (child == 0)
		exec_child(&c->x);
	c->child = child;
	if (c->x.pty_slave >= 0) {
		close(c->x.pty_slave);
		c->x.pty_slave = -1;
	}
	if (c->x.input.rd >= 0)
		close(take_fd(&c->x.input.rd));
	c->childfd = sys_pidfd_open(child, 0);
	if (c->master >= 0 && c->xo->interactive && isatty(STDIN_FILENO) &&
	    tty_raw_enter(STDIN_FILENO, &c->raw, err) < 0)
		return -1;
	return 0;
}

/**
 * supervise_child() - relay and forward until the command has exited
 * @c:		context: c->child is 0 once reaped
 * @exit_status: the command's status
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
static int supervise_child(struct exec_ctx *c, int *exit_status, struct sbx_error **err)
{
	int stdin_pipe = take_fd(&c->x.input.wr); /* supervise_wait() closes it */
	struct supervise_opts so = {
	    .pid = c->child,
	    .pidfd = c->childfd,
	    .pty_master = c->master,
	    .stdin_open = c->xo->interactive,
	    .input = c->x.input.term >= 0 ? c->x.input.term : STDIN_FILENO,
	    .stdin_pipe = stdin_pipe,
	};
	int ret;

	ret = supervise_wait(&so, exit_status, err);
	if (ret < 0)
		return ret;
	c->child = 0;
	return 0;
}

/**
 * exec_ctx_free() - kill and reap a command still there, then undo the rest
 * @c:		context
 */
static void exec_ctx_free(struct exec_ctx *c)
{
	if (c->child > 0) {
		kill(c->child, SIGKILL);
		while (waitpid(c->child, NULL, 0) < 0 && errno == EINTR)
			;
	}
	tty_raw_restore(&c->raw);
	tty_input_relay_close(&c->x.input);
	if (c->master >= 0)
		close(c->master);
	if (c->x.pty_slave >= 0)
		close(c->x.pty_slave);
	strv_clear(&c->x.env);
	passwd_creds_free(&c->x.creds);
	seccomp_filter_free(c->filter);
	if (c->have_sb)
		lifecycle_free(&c->sb);
	if (c->rootfd >= 0)
		close(c->rootfd);
	if (c->childfd >= 0)
		close(c->childfd);
	if (c->pidfd >= 0)
		close(c->pidfd);
}

/**
 * exec_phases() - `sandbox exec`'s phases, from the name to the command's exit
 * @c:		context
 * @exit_status: the command's status (128+N for signal N)
 * @err:	error out-parameter
 *
 * Return: 0 when the command ran, negative with *err set otherwise.
 */
static int exec_phases(struct exec_ctx *c, int *exit_status, struct sbx_error **err)
{
	int ret;

	ret = find_sandbox(c, err);
	if (ret < 0)
		return ret;
	ret = load_privileges(c, err);
	if (ret < 0)
		return ret;
	ret = join_cgroup(c, err);
	if (ret < 0)
		return ret;
	ret = enter_root(c, err);
	if (ret < 0)
		return ret;
	build_env(c);
	ret = start_child(c, err);
	if (ret < 0)
		return ret;
	return supervise_child(c, exit_status, err);
}

/**
 * exec_in_sandbox() - `sandbox exec`: run a command in a running sandbox
 * @g:		ROOT and RUNROOT
 * @xo:		what to run, and how
 * @exit_status:	the command's status (128+N for signal N)
 * @err:	error out-parameter
 *
 * Return: 0 when the command ran (whatever its status), negative with *err
 * set when it could not be started.
 */
int exec_in_sandbox(const struct sbx_global *g, struct exec_opts *xo, int *exit_status,
		    struct sbx_error **err)
{
	struct exec_ctx c = {
	    .g = g,
	    .xo = xo,
	    .x = {.pty_slave = -1, .interactive = xo->interactive, .input = TTY_INPUT_RELAY_INIT},
	    .raw = {.fd = -1},
	    .pidfd = -1,
	    .childfd = -1,
	    .rootfd = -1,
	    .master = -1};
	int ret;

	ret = exec_phases(&c, exit_status, err);
	exec_ctx_free(&c);
	return ret;
}
