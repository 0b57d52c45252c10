// SPDX-License-Identifier: GPL-2.0-or-later
/* run.c - create, start and wait for one sandbox
 *
 * Theory of operation (who runs where, who holds which descriptor):
 *
 * 1. The supervisor (the `sandbox run` process, host namespaces) checks
 *    everything it can before any namespace exists (image, flags, caps,
 *    seccomp profile, ID mapping plan), creates the state directories,
 *    blocks the signals it forwards, and clone()s PID 1 into new user,
 *    mount, PID, UTS, IPC, cgroup (and network) namespaces. The two talk
 *    over a SOCK_SEQPACKET socketpair (`sync`).
 * 2. The supervisor writes PID 1's uid/gid maps (newuidmap and newgidmap
 *    run concurrently, or a single-ID map written directly) and sends
 *    MSG_MAPS_DONE.
 * 2b. With --network slirp (the default) PID 1 first brings up lo and the
 *    tap eth0 of its network namespace (net.c) and sends the tap with
 *    MSG_NET_TAP; the supervisor forks the network helper (slirp_helper.c:
 *    libslirp, -p ports, then it isolates itself) and reports its one-line
 *    error if it fails. The helper is killed when PID 1 has exited.
 * 2c. Before that, with CAP_SYS_ADMIN in the command's set, PID 1 creates
 *    the command's user namespace, nested in its own, and joins the
 *    network, UTS and IPC namespaces made with it (mntlock.c); the
 *    supervisor cloned PID 1 without those three then.
 * 3. PID 1, now root of its user namespace with every capability in it,
 *    leaves the caller's session and session keyring (a new session with
 *    no controlling terminal, a new anonymous keyring: what every process
 *    of the sandbox inherits), builds and enters the root (rootfs.c), resolves the user, working
 *    directory and environment inside it, opens the pty in the sandbox's
 *    devpts (-t), and sends MSG_READY (with the pty master) or MSG_ERROR
 *    (the one line the supervisor prints; exit 125). MSG_READY carries
 *    PID 1's namespaces and root (anchor.c), which `exec` joins. With
 *    CAP_SYS_ADMIN PID 1 first moves, once the root is built, into the
 *    nested user namespace and a copy of its mount namespace, where every
 *    mount is locked (mntlock_enter()): those are the sandbox's from then
 *    on, for the command and for exec.
 * 4. With -t the supervisor sets the pty's window size and raw mode, then
 *    sends MSG_GO. PID 1 forks the command (PID 2) and becomes the init
 *    (init.c); with --init=false it execs the command itself.
 * 5. The command (with CAP_SYS_ADMIN: in PID 1's nested user namespace and
 *    locked mount namespace, as forked) closes every descriptor above 2
 *    (before the seccomp filter, which
 *    might not allow close_range, and before the working directory is
 *    resolved inside the root), drops the bounding set, switches user,
 *    sets the capabilities, no_new_privs and the seccomp filter, and execs
 *    (launch.c: the same steps as the command of `sandbox exec`).
 * 6. The supervisor relays the pty (or, with -i and no -t on a terminal,
 *    the terminal into the pipe PID 1 made stdin before leaving the
 *    caller's session: tty_input_relay_open()), forwards signals and waits
 *    for PID 1 (supervise.c), then removes RUNROOT/<id> (and ROOT/sandboxes/<id> with
 *    --rm). The sandbox's mounts live in its own mount namespace and
 *    vanish with it; PID 1 dies with the supervisor (PR_SET_PDEATHSIG) and
 *    takes the whole PID namespace with it.
 * 7. The supervisor records the command's status (ROOT/sandboxes/<id>/exit,
 *    `ps -a`). With -d it runs in a session of its own (lifecycle.c): its
 *    output and the command's go to ctr.log from before the clone on, and it
 *    tells the waiting `sandbox run -d` once the command runs. With -d -t
 *    it keeps the pty master, and serves `sandbox attach` on
 *    RUNROOT/<id>/attach.sock (supervise.c).
 */
#include "run.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sys/capability.h>

#include "anchor.h"
#include "caps.h"
#include "cgroup.h"
#include "cmdenv.h"
#include "image.h"
#include "registry.h"
#include "init.h"
#include "launch.h"
#include "mntlock.h"
#include "net.h"
#include "passwd.h"
#include "rootfs.h"
#include "safepath.h"
#include "seccomp.h"
#include "state.h"
#include "supervise.h"
#include "syscalls.h"
#include "tty.h"
#include "userns.h"
#include "util.h"

enum { MSG_MAPS_DONE = 1, MSG_READY, MSG_ERROR, MSG_GO };
enum { MSG_NET_TAP = 16 }; /* PID 1 -> supervisor: the tap (--network slirp) */

struct sync_msg {
	int type;
	int exit_code;
	char msg[2048];
	char hint[512];
	struct anchor anchor; /* MSG_READY: PID 1's namespaces and root, for exec */
};

struct run_ctx {
	struct sbx_run_opts *o;
	struct state_sandbox st;
	struct userns_plan plan;
	struct rootfs_spec rs;
	char **lowers; /* image layers, topmost first */
	size_t n_lowers;
	struct image_run image; /* an image from the store: its config */
	bool host;
	uint64_t caps;
	struct sbx_seccomp_filter *filter; /* NULL: unconfined */
	char *hostname;
	char *etc_hostname, *etc_hosts, *etc_resolv;
	int sync;		      /* our end of the socketpair */
	struct cgroup_sandbox cg;     /* own cgroup with the limits (cgroup.c) */
	struct net_publish *publish;  /* parsed -p specs */
	struct net_helper net_helper; /* libslirp helper (slirp_helper.c) */
	sigset_t saved_mask;
	bool lock_mounts;	      /* CAP_SYS_ADMIN: the command's mounts are locked */
	struct mntlock mntlock;	      /* its user namespace (mntlock.c) */
	struct tty_input_relay input; /* -i without -t on a terminal: stdin's pipe */
	/* the supervisor's side, once PID 1 is cloned */
	pid_t pid;	    /* PID 1; 0 once reaped (or never cloned) */
	int pidfd;	    /* its pidfd, or -1 */
	int pty_master;	    /* -t: the pty master PID 1 sent, or -1 */
	struct tty_raw raw; /* -i -t: the caller's terminal in raw mode */
	int attach_listen;  /* -d -t: RUNROOT/<id>/attach.sock, or -1 */
};

/* Namespaces created with the nested user namespace when mounts are locked. */
#define MNTLOCK_NS_FLAGS ((unsigned long)(CLONE_NEWUTS | CLONE_NEWIPC))

/**
 * resolve_image() - turn the IMAGE argument into layers
 * @c:		context; lowers and host are set
 * @err:	error out-parameter
 *
 * `host`, or a directory (an argument with a `/` or starting with `.`).
 * Anything else is an image reference, looked up in the image store
 * (image.c): its layers become the lower directories, topmost first.
 *
 * Return: 0, or negative with *err set.
 */
static int resolve_image(struct run_ctx *c, struct sbx_error **err)
{
	const char *img = c->o->image;
	struct stat st;
	char *abs;

	if (strcmp(img, "host") == 0) {
		c->host = true;
		return 0;
	}
	if (img[0] != '.' && img[0] != '/' && (!strchr(img, '/') || access(img, F_OK) < 0)) {
		if (registry_resolve_or_pull(c->o->global->root, img, c->o->platform, c->o->pull_policy,
					     &c->image, err) < 0)
			return -1;
		options_pin_image(c->o, c->image.name, c->image.digest);
		c->lowers = steal_pointer(&c->image.lowers);
		c->n_lowers = c->image.n_lowers;
		c->image.n_lowers = 0;
		return 0;
	}
	abs = realpath(img, NULL);
	if (!abs)
		return sbx_error_set(err, errno, "rootfs `%s`", img);
	if (stat(abs, &st) < 0 || !S_ISDIR(st.st_mode)) {
		free(abs);
		return sbx_error_set(err, ENOTDIR, "rootfs `%s`", img);
	}
	c->lowers = xcalloc(2, sizeof(char *));
	c->lowers[0] = abs;
	c->n_lowers = 1;
	return 0;
}

static void send_error(int sock, struct sbx_error *e)
{
	struct sync_msg m = {.type = MSG_ERROR, .exit_code = e ? e->exit_code : 125};

	snprintf(m.msg, sizeof(m.msg), "%s", e && e->msg ? e->msg : "sandbox setup failed");
	if (e && e->hint)
		snprintf(m.hint, sizeof(m.hint), "%s", e->hint);
	(void)!send(sock, &m, sizeof(m), MSG_NOSIGNAL);
}

static int recv_type(int sock, int want, int *fd, struct sync_msg *m)
{
	ssize_t n;

	if (fd) {
		cleanup_error struct sbx_error *e = NULL;

		n = tty_recv_fd(sock, fd, m, sizeof(*m), &e);
	} else {
		do
			n = recv(sock, m, sizeof(*m), 0);
		while (n < 0 && errno == EINTR);
	}
	if (n <= 0)
		return -1;
	return m->type == want ? 0 : m->type;
}

/* ---- in the sandbox ---------------------------------------------------- */

struct exec_plan {
	struct passwd_creds creds;
	char *workdir;
	struct strv env;
	char **argv;
	int pty_slave;
};

static const char *env_get(const struct strv *env, const char *key)
{
	size_t kl = strlen(key);

	for (size_t i = env->n; i-- > 0;)
		if (strncmp(env->v[i], key, kl) == 0 && env->v[i][kl] == '=')
			return env->v[i] + kl + 1;
	return NULL;
}

/**
 * plan_exec() - resolve user, working directory, environment and command
 *		 inside the new root (PID 1, after rootfs_setup)
 * @c:		context
 * @x:		filled on success
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
static int plan_exec(struct run_ctx *c, struct exec_plan *x, struct sbx_error **err)
{
	struct sbx_run_opts *o = c->o;
	cleanup_close int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	const struct image_config *ic = &c->image.config;
	const char *workdir = o->workdir ? o->workdir : ic->workdir;
	char spec[64];
	const char *user = o->user ? o->user : ic->user;

	if (!user) {
		snprintf(spec, sizeof(spec), "%u:%u", (unsigned)c->plan.run_uid, (unsigned)c->plan.run_gid);
		user = spec;
	}
	if (passwd_resolve_spec(rootfd, user, &x->creds, err) < 0)
		return sbx_error_wrap(err, "user `%s`", user);
	if (!o->user && c->plan.run_uid == 0) {
		/* the image's root: no supplementary groups beyond its own */
	}
	x->workdir = xstrdup(workdir ? workdir : (o->login_shell && x->creds.home ? x->creds.home : "/"));
	if (workdir) {
		cleanup_close int wfd = safepath_open(rootfd, workdir, O_PATH | O_DIRECTORY, NULL);

		if (wfd < 0 && (safepath_mkdir_p(rootfd, workdir, 0755, err) < 0))
			return sbx_error_wrap(err, "working directory `%s`", workdir);
	}
	cmdenv_build(&(struct cmdenv_input){.hostname = c->hostname,
					    .creds = &x->creds,
					    .tty = o->tty,
					    .sandbox_id = c->st.id,
					    .image_env = ic->env,
					    .user_env = &o->env},
		     &x->env);
	if (!o->entrypoint && (ic->entrypoint || ic->cmd)) {
		/* docker's rule: Entrypoint + (the operands, else Cmd);
		 * --entrypoint (already in o->argv) drops both */
		struct strv v = {0};
		char *const *rest = o->argv && o->argv[0] ? o->argv : ic->cmd;

		for (char **e = ic->entrypoint; e && *e; e++)
			strv_push(&v, *e);
		for (char *const *e = rest; e && *e; e++)
			strv_push(&v, *e);
		if (v.n) {
			x->argv = v.v;
			return 0;
		}
	}
	if (o->argv && o->argv[0]) {
		x->argv = o->argv;
	} else {
		const char *sh = x->creds.shell ? x->creds.shell : "/bin/sh";
		const char *env_shell = o->login_shell ? env_get(&o->env, "SHELL") : NULL;

		if (env_shell && access(env_shell, X_OK) == 0)
			sh = env_shell;
		x->argv = xcalloc(2, sizeof(char *));
		x->argv[0] = xstrdup(sh);
	}
	return 0;
}

/**
 * exec_command() - last steps in the command's process, then execve
 * @c:		context
 * @x:		what plan_exec() resolved
 *
 * Return: never on success; the exit status to use on failure.
 */
static int exec_command(struct run_ctx *c, struct exec_plan *x)
{
	cleanup_error struct sbx_error *err = NULL;
	struct sbx_run_opts *o = c->o;

	init_restore_signals(&c->saved_mask);
	if (launch_prepare_stdio(x->pty_slave, o->interactive, x->workdir, &err) < 0)
		goto fail;
	{
		struct launch_privs p = {
		    .caps = c->caps,
		    .filter = c->filter,
		    .no_new_privs = o->no_new_privs,
		    .can_setgroups = userns_can_setgroups(&c->plan),
		    .plan = &c->plan,
		};

		if (launch_drop_privileges(&p, &x->creds, &err) < 0)
			goto fail;
	}
	sbx_debug_phase("exec");
	return launch_find_and_exec(x->argv, x->env.v, o->login_shell);
fail:
	sbx_log(SBX_LOG_ERROR, "%s", err->msg);
	return SBX_EXIT_FAILURE;
}

/**
 * sandbox_pid1() - the sandbox's first process: mounts, then init or exec
 * @c:		context (a copy of the supervisor's, as after fork)
 *
 * Never returns.
 */
static _Noreturn void sandbox_pid1(struct run_ctx *c)
{
	cleanup_error struct sbx_error *err = NULL;
	struct exec_plan x = {.pty_slave = -1};
	struct sync_msg m;
	int master = -1;
	pid_t cmd;

	init_set_parent_death(0);
	if (!c->o->privileged && !c->o->seccomp_profile)
		seccomp_build(NULL, c->caps, &c->filter, &err);
	if (recv_type(c->sync, MSG_MAPS_DONE, NULL, &m) != 0)
		_exit(SBX_EXIT_FAILURE);
	/* nothing inside keeps the caller's terminal open for reading */
	if (err || tty_input_relay_child(&c->input, &err) < 0 || launch_leave_caller_session(&err) < 0)
		goto fail;
	/* the supervisor moved us into our cgroup: root the namespace there */
	if (c->cg.path && unshare(CLONE_NEWCGROUP) < 0) {
		sbx_error_set(&err, errno, "create the cgroup namespace");
		goto fail;
	}
	if (userns_can_setgroups(&c->plan) && setgroups(0, NULL) < 0) {
		sbx_error_set(&err, errno, "setgroups");
		goto fail;
	}
	if (c->lock_mounts &&
	    mntlock_prepare(&c->plan, MNTLOCK_NS_FLAGS | (c->rs.own_netns ? CLONE_NEWNET : 0UL), &c->mntlock,
			    &err) < 0)
		goto fail;
	if (sethostname(c->hostname, strlen(c->hostname)) < 0) {
		sbx_error_set(&err, errno, "set hostname `%s`", c->hostname);
		goto fail;
	}
	if (c->o->network == SBX_NET_SLIRP) {
		int tap = -1;

		sbx_debug_phase("net");
		if (net_setup_sandbox(c->o->net_mtu, &tap, &err) < 0)
			goto fail;
		m.type = MSG_NET_TAP;
		if (tty_send_fd(c->sync, tap, &m, sizeof(m.type), &err) < 0)
			_exit(SBX_EXIT_FAILURE);
		close(tap);
		/* then our user and network namespaces, for the helper's TCP
		 * forwards (portfwd.c); -1 (none sent) makes it use libslirp's */
		for (int i = 0; i < 2; i++) {
			int ns = open(i ? "/proc/self/ns/net" : "/proc/self/ns/user", O_RDONLY | O_CLOEXEC);

			if (tty_send_fd(c->sync, ns, &m, sizeof(m.type), &err) < 0)
				_exit(SBX_EXIT_FAILURE);
			if (ns >= 0)
				close(ns);
		}
	}
	sbx_debug_phase("rootfs");
	if (rootfs_setup(&c->rs, &err) < 0)
		goto fail;
	sbx_debug_phase("rootfs done");
	/* the namespaces the command runs in and exec joins: PID 1's, so
	 * that the anchor names them (mntlock.c) */
	if (c->lock_mounts) {
		if (mntlock_enter(&c->mntlock, &err) < 0)
			goto fail;
		/* setns(CLONE_NEWUSER) changed our credentials */
		init_set_parent_death(0);
	}
	if (plan_exec(c, &x, &err) < 0)
		goto fail;
	if (anchor_record(&m.anchor, &err) < 0)
		goto fail;
	if (c->o->tty) {
		if (tty_open_pty(&master, &x.pty_slave, &err) < 0)
			goto fail;
		m.type = MSG_READY;
		if (tty_send_fd(c->sync, master, &m, sizeof(m), &err) < 0)
			_exit(SBX_EXIT_FAILURE);
		close(master);
		if (recv_type(c->sync, MSG_GO, NULL, &m) != 0)
			_exit(SBX_EXIT_FAILURE);
	} else {
		m.type = MSG_READY;
		if (send(c->sync, &m, sizeof(m), MSG_NOSIGNAL) < 0)
			_exit(SBX_EXIT_FAILURE);
	}
	if (!c->o->init) {
		close(c->sync);
		_exit(exec_command(c, &x));
	}
	init_prepare_signals(NULL);
	/* not dumpable from the command's fork on, not only once init_run()
	 * starts: whoever ptraces us gets our descriptors (the socket to the
	 * supervisor) and memory (the caller's environment) */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	cmd = fork();
	if (cmd < 0) {
		sbx_log(SBX_LOG_ERROR, "fork the command: %s", strerror(errno));
		_exit(SBX_EXIT_FAILURE);
	}
	if (cmd == 0)
		_exit(exec_command(c, &x));
	close(c->sync);
	if (x.pty_slave >= 0)
		close(x.pty_slave);
	if (caps_apply(0, &err) < 0 || launch_drop_bounding(0, &err) < 0)
		sbx_debug("init keeps its capabilities: %s", err->msg);
	init_run(cmd);
fail:
	send_error(c->sync, err);
	_exit(SBX_EXIT_FAILURE);
}

/* ---- in the supervisor ------------------------------------------------- */

/**
 * prepare_files() - the sandbox's directories and config; runs while
 *		     newuidmap and newgidmap write the maps
 * @c:		context
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
static int prepare_files(struct run_ctx *c, struct sbx_error **err)
{
	struct sbx_run_opts *o = c->o;
	bool disk_layer = !o->read_only && !o->rm;
	cleanup_free char *user =
	    o->user ? NULL : xasprintf("%u:%u", (unsigned)c->plan.run_uid, (unsigned)c->plan.run_gid);
	struct state_exec_info x = {
	    .caps = c->caps,
	    .user = o->user ? o->user : user,
	    .cgroup = c->cg.path,
	    .hostname = c->hostname,
	};

	/* -d made them before the clone, for the log */
	if (!c->st.have_rundir && state_mkdirs(&c->st, !o->rm, disk_layer, err) < 0)
		return -1;
	return state_write_config(&c->st, o,
				  c->host	  ? "host"
				  : c->image.name ? c->image.name
						  : c->lowers[0],
				  &x, err);
}

/**
 * read_image_hosts() - the image's /etc/hosts, read on the host side
 * @root:	the image's directory, or its topmost layer
 *
 * The path is resolved inside @root: an image's `etc/hosts ->
 * /home/USER/.ssh/id_rsa` (or `etc -> /home/USER/.ssh`) names a file of
 * the image, never one of the host. Only a regular file under 1 MiB is
 * read (O_NONBLOCK: a FIFO does not block the open).
 *
 * Return: the malloc'd contents, or NULL.
 */
static char *read_image_hosts(const char *root)
{
	cleanup_close int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	cleanup_close int fd = -1;
	struct stat st;
	char *hosts = NULL;

	if (rootfd < 0)
		return NULL;
	fd = safepath_open(rootfd, "/etc/hosts", O_RDONLY | O_NONBLOCK | O_NOCTTY, NULL);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size >= (1 << 20))
		return NULL;
	if (util_read_fd(fd, 1 << 20, "/etc/hosts", &hosts, NULL, NULL) < 0)
		return NULL;
	return hosts;
}

/**
 * generate_etc() - contents of the sandbox's /etc/hostname, hosts and
 *		    resolv.conf (written by PID 1 into its own tmpfs)
 * @c:		context
 */
static void generate_etc(struct run_ctx *c)
{
	cleanup_free char *hosts = NULL;
	const char *base = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";

	if (c->host)
		util_read_file("/etc/hosts", &hosts, NULL, NULL);
	else
		hosts = read_image_hosts(c->lowers[0]);
	if (hosts && *hosts)
		base = hosts;
	c->etc_hostname = xasprintf("%s\n", c->hostname);
	c->etc_hosts =
	    xasprintf("%s%s127.0.1.1\t%s\n", base, base[strlen(base) - 1] == '\n' ? "" : "\n", c->hostname);
	if (c->o->dns)
		c->etc_resolv = xasprintf("nameserver %s\n", c->o->dns);
	else if (c->o->network == SBX_NET_SLIRP)
		c->etc_resolv = xstrdup("nameserver 10.0.2.3\n"); /* libslirp's DNS forwarder */
	else if (util_read_file("/etc/resolv.conf", &c->etc_resolv, NULL, NULL) < 0)
		c->etc_resolv = xstrdup("");
}

/**
 * caller_home() - the real path of the caller's home directory, for the
 *		   `host` image's overlay over it
 *
 * $HOME, or the passwd entry's home when it is unset, resolved here, in
 * the caller's mount namespace: a home reached through a symlink
 * (Silverblue's /home -> var/home, /home/USER -> /data/users/USER, an
 * autofs map) is overlaid where it really is, which the symlinks inside
 * the root lead to as they do on the host.
 *
 * Return: an allocated absolute path, or NULL when there is none.
 */
static char *caller_home(void)
{
	const char *home = getenv("HOME");

	if (!home || !*home) {
		struct passwd *pw = getpwuid(getuid());

		home = pw ? pw->pw_dir : NULL;
	}
	return home && *home ? realpath(home, NULL) : NULL;
}

/**
 * prepare() - every check and every file before the namespaces exist
 * @c:		context
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set (nothing left behind).
 */
static int prepare(struct run_ctx *c, struct sbx_error **err)
{
	struct sbx_run_opts *o = c->o;

	if (resolve_image(c, err) < 0)
		return -1;
	if (o->publish.n && o->network != SBX_NET_SLIRP)
		return sbx_error_set(err, 0, "-p `%s`: port forwarding needs `--network slirp`",
				     o->publish.v[0]);
	if (o->network == SBX_NET_SLIRP) {
		c->publish = xcalloc(o->publish.n + 1, sizeof(*c->publish));
		for (size_t i = 0; i < o->publish.n; i++)
			if (net_parse_publish(o->publish.v[i], &c->publish[i], err) < 0)
				return -1;
		if (net_check_publish(c->publish, o->publish.n, err) < 0 || net_check_tun(err) < 0)
			return -1;
	}
	if (caps_compute(&o->cap_add, &o->cap_drop, o->privileged, &c->caps, err) < 0)
		return sbx_error_wrap(err, "--cap-add/--cap-drop");
	/* root with CAP_SYS_ADMIN in PID 1's namespaces could undo the masks
	 * and the read-only binds: the command gets a nested one (mntlock.c) */
	c->lock_mounts = c->caps & (1ULL << CAP_SYS_ADMIN);
	/* a profile file is read and checked now; the built-in filter is
	 * compiled by PID 1 while the ID-mapping helpers run */
	if (!o->privileged && o->seccomp_profile &&
	    seccomp_build(o->seccomp_profile, c->caps, &c->filter, err) < 0)
		return -1;
	for (size_t i = 0; i < o->n_volumes; i++) {
		struct stat st;

		if (stat(o->volumes[i].source, &st) < 0)
			return sbx_error_set(err, errno, "volume `%s:%s`: `%s`", o->volumes[i].source,
					     o->volumes[i].target, o->volumes[i].source);
	}
	if (userns_plan_make(o->userns, &c->plan, err) < 0)
		return -1;
	if (o->reuse_id ? state_reuse(o->global, o->reuse_id, &c->st, err) < 0
			: state_alloc(o->global, o->name, &c->st, err) < 0)
		return -1;
	c->hostname = o->hostname ? xstrdup(o->hostname) : xasprintf("%.*s", STATE_SHORT_ID_LEN, c->st.id);
	c->rs.host = c->host;
	generate_etc(c);
	c->rs.etc_hostname = c->etc_hostname;
	c->rs.etc_hosts = c->etc_hosts;
	c->rs.etc_resolv = c->etc_resolv;
	c->rs.lowers = c->lowers;
	c->rs.n_lowers = c->n_lowers;
	c->rs.read_only = o->read_only;
	if (!c->host && !o->read_only && !o->rm) {
		/* --rm: the writable layer lives in memory, nothing to clean up */
		c->rs.upper = xasprintf("%s/upper", c->st.dir);
		c->rs.work = xasprintf("%s/work", c->st.dir);
	}
	if (c->host && !o->read_only && !o->rm)
		c->rs.persist_upper = xasprintf("%s/upper", c->st.dir);
	c->rs.own_netns = o->network != SBX_NET_HOST;
	c->rs.gid_tty_mapped = userns_gid_mapped(&c->plan, 5);
	c->rs.privileged = o->privileged;
	c->rs.caller_uid = c->plan.run_uid;
	if (c->host)
		c->rs.caller_home = caller_home();
	c->rs.volumes = o->volumes;
	c->rs.n_volumes = o->n_volumes;
	c->rs.tmpfs = o->tmpfs;
	c->rs.n_tmpfs = o->n_tmpfs;
	{
		struct cgroup_limits lim = {.memory = o->memory, .pids = o->pids_limit, .cpus = o->cpus};
		char short_id[STATE_SHORT_ID_LEN + 1];

		snprintf(short_id, sizeof(short_id), "%.*s", STATE_SHORT_ID_LEN, c->st.id);
		if (cgroup_create(&lim, short_id, o->global->runroot, &c->cg, err) < 0)
			return -1;
		c->rs.cgroup_mount = c->cg.path != NULL;
	}
	return 0;
}

/**
 * detach_output() - -d: the sandbox's directories now, and its output (and
 *		     the supervisor's) to ctr.log there
 * @c:		context
 * @err:	error out-parameter
 *
 * The log lives in ROOT/sandboxes/<id>/ (RUNROOT/<id>/ with --rm) and
 * outlives the sandbox with it. Called before the clone, so the sandbox's
 * command inherits it as stdout and stderr; stdin is /dev/null.
 *
 * Return: 0, or negative with *err set.
 */
static int detach_output(struct run_ctx *c, struct sbx_error **err)
{
	struct sbx_run_opts *o = c->o;
	cleanup_free char *log = NULL;
	cleanup_close int fd = -1;
	cleanup_close int null = -1;

	if (state_mkdirs(&c->st, !o->rm, !o->read_only && !o->rm, err) < 0)
		return -1;
	log = xasprintf("%s/ctr.log", c->st.have_dir ? c->st.dir : c->st.rundir);
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return sbx_error_set(err, errno, "create the log `%s`", log);
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0)
		return sbx_error_set(err, errno, "open `/dev/null`");
	if (dup2(null, STDIN_FILENO) < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0)
		return sbx_error_set(err, errno, "redirect the output to `%s`", log);
	return 0;
}

/* -d: tell the waiting `sandbox run -d` that the command has started. */
static void detach_notify(struct run_ctx *c)
{
	char buf[STATE_ID_LEN + 8];
	int n;

	if (c->o->notify_fd < 0)
		return;
	n = snprintf(buf, sizeof(buf), "OK %s\n", c->st.id);
	(void)!write(c->o->notify_fd, buf, (size_t)n);
	close(c->o->notify_fd);
	c->o->notify_fd = -1;
}

/**
 * first_warning() - whether a warning is due: once per runroot (boot)
 * @c:		context
 * @name:	the warning's marker file in the runroot
 *
 * Return: true the first time for @name.
 */
static bool first_warning(const struct run_ctx *c, const char *name)
{
	cleanup_free char *marker = xasprintf("%s/%s", c->o->global->runroot, name);
	int fd = open(marker, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0 && errno == EEXIST)
		return false;
	if (fd >= 0)
		close(fd);
	return true;
}

/**
 * warn_userns_once() - say once what a single-ID user namespace costs: the
 *			full map is missing, the caller's groups are kept
 * @c:		context
 */
static void warn_userns_once(const struct run_ctx *c)
{
	int kept;

	if (c->plan.fallback_reason && first_warning(c, ".single-id-warned"))
		sbx_warn("using a single-ID user namespace: %s%s%s", c->plan.fallback_reason,
			 c->plan.fallback_hint ? "; " : "",
			 c->plan.fallback_hint ? c->plan.fallback_hint : "");
	kept = userns_kept_groups(&c->plan);
	if (kept > 0 && first_warning(c, ".groups-kept-warned"))
		sbx_warn(
		    "a single-ID user namespace keeps your %d supplementary group%s (setgroups is denied): "
		    "host files and sockets of those groups stay reachable inside",
		    kept, kept == 1 ? "" : "s");
}

/**
 * pid1_failed() - the error of a PID 1 that did not send what was expected
 * @r:		recv_type()'s result (not 0)
 * @m:		the message received (MSG_ERROR: PID 1's error)
 * @err:	error out-parameter
 *
 * Return: -1, with *err set.
 */
static int pid1_failed(int r, const struct sync_msg *m, struct sbx_error **err)
{
	if (r != MSG_ERROR)
		return sbx_error_set(err, 0, "the sandbox's first process died during set-up");
	sbx_error_set(err, 0, "%s", m->msg);
	(*err)->exit_code = m->exit_code ? m->exit_code : SBX_EXIT_FAILURE;
	if (m->hint[0])
		sbx_error_hint(err, "%s", m->hint);
	return -1;
}

/**
 * clone_pid1() - clone PID 1 into its namespaces (it runs sandbox_pid1())
 * @c:		context: c->pid, c->pidfd and c->sync are set
 * @err:	error out-parameter
 *
 * Return: 0 in the supervisor, or negative with *err set.
 */
static int clone_pid1(struct run_ctx *c, struct sbx_error **err)
{
	unsigned long flags =
	    CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP;
	int sv[2];
	pid_t pid;

	warn_userns_once(c);
	if (c->cg.path)
		flags &= ~(unsigned long)CLONE_NEWCGROUP; /* PID 1 unshares it once moved */
	if (c->o->network != SBX_NET_HOST)
		flags |= CLONE_NEWNET;
	if (c->lock_mounts) /* PID 1 joins those the nested user namespace owns */
		flags &= ~(MNTLOCK_NS_FLAGS | CLONE_NEWNET);
	/* after detach_output(): -d has /dev/null as stdin */
	if (c->o->interactive && !c->o->tty && tty_input_relay_open(&c->input, err) < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return sbx_error_set(err, errno, "socketpair");
	supervise_block_signals(&c->saved_mask);
	pid = sys_clone_fork(flags);
	if (pid < 0) {
		int e = errno;

		init_restore_signals(&c->saved_mask);
		close(sv[0]);
		close(sv[1]);
		userns_explain_clone_failure(e, err);
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		c->sync = sv[1];
		sandbox_pid1(c);
	}
	close(sv[1]);
	c->sync = sv[0];
	c->pid = pid;
	/* PID 1 has stdin's pipe: nothing of the supervisor's keeps it */
	if (c->input.rd >= 0)
		close(take_fd(&c->input.rd));
	c->pidfd = sys_pidfd_open(pid, 0);
	return 0;
}

/**
 * write_maps() - PID 1's uid/gid maps, the sandbox's files meanwhile, then
 *		  MSG_MAPS_DONE
 * @c:		context
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
static int write_maps(struct run_ctx *c, struct sbx_error **err)
{
	struct userns_maps_job *job = NULL;
	struct sync_msg m;

	if (userns_write_maps_start(c->pid, &c->plan, &job, err) < 0)
		return -1;
	if (prepare_files(c, err) < 0) {
		userns_write_maps_cancel(job);
		return -1;
	}
	if (userns_write_maps_finish(job, err) < 0)
		return -1;
	sbx_debug_phase("maps done");
	m.type = MSG_MAPS_DONE;
	if (send(c->sync, &m, sizeof(m.type), MSG_NOSIGNAL) < 0)
		return sbx_error_set(err, errno, "start the sandbox");
	return 0;
}

/**
 * start_net_helper() - --network slirp: PID 1's tap and namespaces to the
 *			network helper, forked now
 * @c:		context
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
static int start_net_helper(struct run_ctx *c, struct sbx_error **err)
{
	struct sbx_run_opts *o = c->o;
	cleanup_close int tap = -1, userns = -1, netns = -1;
	struct net_helper_config nc = {.mtu = o->net_mtu,
				       .allow_host_loopback = o->allow_host_loopback,
				       .publish = c->publish,
				       .n_publish = o->publish.n};
	struct sync_msg m;
	int r;

	r = recv_type(c->sync, MSG_NET_TAP, &tap, &m);
	if (r == 0)
		r = recv_type(c->sync, MSG_NET_TAP, &userns, &m);
	if (r == 0)
		r = recv_type(c->sync, MSG_NET_TAP, &netns, &m);
	if (r != 0)
		return pid1_failed(r, &m, err);
	nc.userns_fd = userns;
	nc.netns_fd = netns;
	sbx_debug_phase("net helper");
	return net_helper_start(tap, &nc, &c->net_helper, err);
}

/**
 * wait_ready() - wait for PID 1's MSG_READY (-t: with the pty master), then
 *		  record where `exec` enters and the pid file
 * @c:		context
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
static int wait_ready(struct run_ctx *c, struct sbx_error **err)
{
	struct sync_msg m;
	int r;

	r = recv_type(c->sync, MSG_READY, c->o->tty ? &c->pty_master : NULL, &m);
	if (r != 0)
		return pid1_failed(r, &m, err);
	sbx_debug_phase("ready");
	/* before the pid file: exec needs it once the sandbox is running */
	if (anchor_write(c->st.rundir, &m.anchor, err) < 0 || state_write_pid(&c->st, c->pid, err) < 0)
		return -1;
	return 0;
}

/**
 * start_command() - -t: the pty's size, raw mode and MSG_GO (and with -d
 *		     the attach socket); then tell `run -d` the command runs
 * @c:		context
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
static int start_command(struct run_ctx *c, struct sbx_error **err)
{
	struct sbx_run_opts *o = c->o;
	struct sync_msg m;
	int term;

	if (!o->tty) {
		detach_notify(c);
		return 0;
	}
	term = tty_find_terminal();
	if (term >= 0) {
		tty_copy_winsize(term, c->pty_master);
		if (o->interactive && isatty(STDIN_FILENO) && tty_raw_enter(STDIN_FILENO, &c->raw, err) < 0)
			return -1;
	}
	m.type = MSG_GO;
	if (send(c->sync, &m, sizeof(m.type), MSG_NOSIGNAL) < 0)
		return sbx_error_set(err, errno, "start the command");
	/* -d -t: the pty's output goes to the log, and to `sandbox attach` */
	if (o->detach) {
		c->attach_listen = supervise_attach_listen(c->st.rundir, err);
		if (c->attach_listen < 0)
			return -1;
	}
	detach_notify(c);
	return 0;
}

/**
 * supervise_command() - relay and forward until PID 1 has exited and is reaped
 * @c:		context: c->pid is 0 on success
 * @exit_status: the command's status
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set (PID 1 may still run).
 */
static int supervise_command(struct run_ctx *c, int *exit_status, struct sbx_error **err)
{
	int stdin_pipe = take_fd(&c->input.wr); /* supervise_wait() closes it */
	struct supervise_opts so = {
	    .pid = c->pid,
	    .pidfd = c->pidfd,
	    .pty_master = c->pty_master,
	    .stdin_open = c->o->interactive,
	    .attach = c->attach_listen >= 0,
	    .attach_listen = c->attach_listen,
	    .helper_log = c->net_helper.log,
	    .input = c->input.term >= 0 ? c->input.term : STDIN_FILENO,
	    .stdin_pipe = stdin_pipe,
	};
	int ret;

	ret = supervise_wait(&so, exit_status, err);
	/* a client that connects from now on gets ECONNRESET, not a hang */
	if (c->attach_listen >= 0)
		close(take_fd(&c->attach_listen));
	sbx_debug_phase("exited");
	if (ret < 0)
		return ret;
	c->pid = 0;
	return 0;
}

/**
 * record_exit() - the command's status for `ps -a`, and what the OOM killer did
 * @c:		context
 * @exit_status: the command's status
 */
static void record_exit(struct run_ctx *c, int exit_status)
{
	cleanup_error struct sbx_error *e = NULL;
	char size[32];

	if (state_write_exit(&c->st, exit_status, cgroup_oom_kills(&c->cg) > 0, &e) < 0)
		sbx_warn("%s", e->msg);
	if (cgroup_oom_kills(&c->cg) <= 0)
		return;
	cgroup_format_size(c->cg.memory, size, sizeof(size));
	if (exit_status == 128 + SIGKILL)
		sbx_log(SBX_LOG_ERROR, "command killed by the OOM killer (memory.max=%s)", size);
	else
		sbx_warn("the OOM killer killed a process in the sandbox (memory.max=%s)", size);
}

/**
 * run_ctx_free() - kill and reap a PID 1 still there, and undo the rest
 * @c:		context
 * @failed:	the sandbox did not run: its state goes too (as with --rm)
 */
static void run_ctx_free(struct run_ctx *c, bool failed)
{
	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	net_helper_stop(&c->net_helper);
	tty_input_relay_close(&c->input);
	tty_raw_restore(&c->raw);
	if (c->pty_master >= 0)
		close(c->pty_master);
	if (c->sync >= 0)
		close(c->sync);
	cgroup_destroy(&c->cg);
	if (failed || c->o->rm)
		state_remove(&c->st);
	else
		state_remove_rundir(&c->st);
	sbx_debug_phase("cleaned up");
	state_free(&c->st);
	userns_plan_free(&c->plan);
	seccomp_filter_free(c->filter);
	for (size_t i = 0; i < c->n_lowers; i++)
		free(c->lowers[i]);
	free(c->lowers);
	image_run_free(&c->image);
	free(c->publish);
	free(c->hostname);
	free(c->etc_hostname);
	free(c->etc_hosts);
	free(c->etc_resolv);
	free((char *)c->rs.upper);
	free((char *)c->rs.work);
	free((char *)c->rs.persist_upper);
	free((char *)c->rs.caller_home);
	if (c->attach_listen >= 0)
		close(c->attach_listen);
	if (c->pidfd >= 0)
		close(c->pidfd);
}

/**
 * run_phases() - the supervisor's phases, from the options to the command's exit
 * @c:		context
 * @exit_status: the command's status (128+N for signal N) on success
 * @err:	error out-parameter
 *
 * Return: 0 when the sandbox ran, negative with *err set otherwise.
 */
static int run_phases(struct run_ctx *c, int *exit_status, struct sbx_error **err)
{
	int ret;

	sbx_debug_phase("prepare");
	ret = prepare(c, err);
	if (ret < 0)
		return ret;
	if (c->o->detach) {
		ret = detach_output(c, err);
		if (ret < 0)
			return ret;
	}
	sbx_debug_phase("clone");
	ret = clone_pid1(c, err);
	if (ret < 0)
		return ret;
	ret = cgroup_enter(&c->cg, c->pid, err);
	if (ret < 0)
		return ret;
	sbx_debug_phase("maps");
	ret = write_maps(c, err);
	if (ret < 0)
		return ret;
	if (c->o->network == SBX_NET_SLIRP) {
		ret = start_net_helper(c, err);
		if (ret < 0)
			return ret;
	}
	ret = wait_ready(c, err);
	if (ret < 0)
		return ret;
	ret = start_command(c, err);
	if (ret < 0)
		return ret;
	ret = supervise_command(c, exit_status, err);
	if (ret < 0)
		return ret;
	record_exit(c, *exit_status);
	return 0;
}

/**
 * run_sandbox() - run one sandbox in the foreground and wait for it
 * @o:		options
 * @exit_status: the command's status (128+N for signal N) on success
 * @err:	error out-parameter (exit code in (*err)->exit_code)
 *
 * Return: 0 when the sandbox ran (whatever its status), negative with *err
 * set when it could not be started; nothing is left behind then.
 */
int run_sandbox(struct sbx_run_opts *o, int *exit_status, struct sbx_error **err)
{
	struct run_ctx c = {.o = o,
			    .sync = -1,
			    .cg = CGROUP_SANDBOX_INIT,
			    .mntlock = MNTLOCK_INIT,
			    .net_helper = NET_HELPER_INIT,
			    .input = TTY_INPUT_RELAY_INIT,
			    .pidfd = -1,
			    .pty_master = -1,
			    .raw = {.fd = -1},
			    .attach_listen = -1};
	int ret;

	ret = run_phases(&c, exit_status, err);
	run_ctx_free(&c, ret < 0);
	return ret;
}
