// SPDX-License-Identifier: GPL-2.0-or-later
/* slirp_helper.c - the network helper: libslirp between the sandbox's tap and the host
 *
 * The supervisor forks the helper once PID 1 has sent the tap descriptor.
 * libslirp parses every packet the sandbox builds, so the helper is treated
 * as the next thing to be taken over. It stays in the host's network
 * namespace (its sockets are the host's), and in this order:
 * 1. dies with the supervisor (PR_SET_PDEATHSIG), starts a session of its
 *    own (no controlling terminal, out of the caller's process group) and
 *    keeps only the tap, its status pipe and the sandbox's user and network
 *    namespaces (portfwd.c); stdin and stdout are /dev/null, stderr is a
 *    non-blocking pipe whose lines the supervisor forwards (supervise.c),
 *    never the caller's terminal;
 * 2. reads the host's /etc/resolv.conf (libslirp's DNS forwarder needs the
 *    upstream servers, also when they are 127.0.0.53: the helper's sockets
 *    are on the host's loopback) and binds the -p ports;
 * 3. isolates itself: a new user, mount and PID namespace; it forks there
 *    and the child, PID 1 of that namespace, goes on as the helper, while
 *    the parent only waits for it (a seccomp filter that allows nothing
 *    else, no descriptor); the root is an empty tmpfs holding only that
 *    resolv.conf (libslirp stats and re-reads it, slirp4netns#315); Landlock
 *    (Linux >= 5.13, where enabled) denies every filesystem access but
 *    reading that file, TCP bind (ABI 4) and signals and abstract sockets
 *    outside the helper (ABI 6); no capabilities, no_new_privs, and a
 *    seccomp allowlist: sockets of the internet families, ioctl FIONREAD
 *    and FIONBIO only, tkill/tgkill to itself only, no kill;
 * 4. writes "OK" (or the one-line error) to the status pipe and runs the
 *    event loop: poll() over the tap and libslirp's sockets, slirp timers;
 *    frames from the tap pass the host-loopback gate (netgate.c) first: it
 *    drops frames for the host's loopback or "this host" (127/8, 0/8, ::1,
 *    ::, their IPv4-mapped forms), which libslirp would connect to on the
 *    sandbox's behalf, and what would open a host socket for 10.0.2.2 /
 *    fd00::2, unless --allow-host-loopback; libslirp's own switch for that
 *    is closed too. -p forwards, TCP and UDP, do not go through libslirp
 *    (portfwd.c): their sockets inside are made by the socket factory, a
 *    child forked in step 2 that joins the sandbox's namespaces.
 * It exits when the tap is gone; the supervisor kills it (SIGKILL) when
 * PID 1 has exited, so it never outlives the sandbox.
 */
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <seccomp.h>
#include <slirp/libslirp.h>
#include <sys/capability.h>

#include "netgate.h"
#include "portfwd.h"
#include "syscalls.h"
#include "util.h"

/* slirp_new() and SlirpConfig came with libslirp 4.0; disable_dhcp (version 4) is optional */
#if defined(SLIRP_CONFIG_VERSION_MAX) && SLIRP_CONFIG_VERSION_MAX < 1
#error "libslirp >= 4.0 (slirp_new, SlirpConfig) is needed"
#endif

struct helper_timer {
	SlirpTimerCb cb;
	void *cb_opaque;
	int64_t expire_ms; /* -1: not armed */
	struct helper_timer *next;
};

struct helper {
	Slirp *slirp;
	int tap;
	struct pollfd *pfd;
	size_t n_pfd, cap_pfd;
	struct helper_timer *timers;
	struct portfwd *pf;  /* -p forwards (portfwd.c), NULL: libslirp's */
	struct netgate gate; /* the host-loopback gate (netgate.c) */
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
	struct helper *h = opaque;
	ssize_t n;

	do
		n = write(h->tap, buf, len);
	while (n < 0 && errno == EINTR);
	/* a full queue drops the frame; TCP retransmits */
	return n < 0 && errno != EAGAIN ? -1 : (ssize_t)len;
}

static void cb_guest_error(const char *msg, void *opaque)
{
	(void)opaque;
	sbx_debug("slirp: %s", msg);
}

static int64_t cb_clock_get_ns(void *opaque)
{
	(void)opaque;
	return now_ns();
}

static void *cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
	struct helper *h = opaque;
	struct helper_timer *t = xcalloc(1, sizeof(*t));

	t->cb = cb;
	t->cb_opaque = cb_opaque;
	t->expire_ms = -1;
	t->next = h->timers;
	h->timers = t;
	return t;
}

static void cb_timer_free(void *timer, void *opaque)
{
	struct helper *h = opaque;

	for (struct helper_timer **p = &h->timers; *p; p = &(*p)->next)
		if (*p == timer) {
			*p = (*p)->next;
			free(timer);
			return;
		}
}

static void cb_timer_mod(void *timer, int64_t expire_time, void *opaque)
{
	(void)opaque;
	((struct helper_timer *)timer)->expire_ms = expire_time;
}

static void cb_register_poll_fd(int fd, void *opaque)
{
	(void)fd;
	(void)opaque;
}

static void cb_unregister_poll_fd(int fd, void *opaque)
{
	(void)fd;
	(void)opaque;
}

static void cb_notify(void *opaque)
{
	(void)opaque;
}

static int add_pollfd(int fd, short events, void *opaque)
{
	struct helper *h = opaque;

	if (h->n_pfd == h->cap_pfd) {
		h->cap_pfd = h->cap_pfd ? h->cap_pfd * 2 : 64;
		h->pfd = realloc(h->pfd, h->cap_pfd * sizeof(*h->pfd));
		if (!h->pfd)
			_exit(SBX_EXIT_FAILURE);
	}
	h->pfd[h->n_pfd] = (struct pollfd){.fd = fd, .events = events};
	return (int)h->n_pfd++;
}

static short get_pollfd(int idx, void *opaque)
{
	return ((struct helper *)opaque)->pfd[idx].revents;
}

static int cb_add_poll(int fd, int events, void *opaque)
{
	short ev = 0;

	if (events & SLIRP_POLL_IN)
		ev |= POLLIN;
	if (events & SLIRP_POLL_OUT)
		ev |= POLLOUT;
	if (events & SLIRP_POLL_PRI)
		ev |= POLLPRI;
	return add_pollfd(fd, ev, opaque);
}

static int cb_get_revents(int idx, void *opaque)
{
	struct helper *h = opaque;
	short re = h->pfd[idx].revents;
	int ev = 0;

	if (re & POLLIN)
		ev |= SLIRP_POLL_IN;
	if (re & POLLOUT)
		ev |= SLIRP_POLL_OUT;
	if (re & POLLPRI)
		ev |= SLIRP_POLL_PRI;
	if (re & POLLERR)
		ev |= SLIRP_POLL_ERR;
	if (re & POLLHUP)
		ev |= SLIRP_POLL_HUP;
	return ev;
}

static const SlirpCb helper_callbacks = {
    .send_packet = cb_send_packet,
    .guest_error = cb_guest_error,
    .clock_get_ns = cb_clock_get_ns,
    .timer_new = cb_timer_new,
    .timer_free = cb_timer_free,
    .timer_mod = cb_timer_mod,
    .register_poll_fd = cb_register_poll_fd,
    .unregister_poll_fd = cb_unregister_poll_fd,
    .notify = cb_notify,
};

/* Reads the tap until it is empty; false when the tap is gone. */
static bool drain_tap(struct helper *h, uint8_t *buf, size_t size)
{
	for (;;) {
		ssize_t n = read(h->tap, buf, size);

		if (n > 0) {
			if (netgate_pass(&h->gate, buf, (size_t)n))
				slirp_input(h->slirp, buf, (int)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		return n < 0 && errno == EAGAIN;
	}
}

static _Noreturn void helper_loop(struct helper *h, unsigned mtu)
{
	size_t size = mtu + 64;
	uint8_t *buf = xmalloc(size);

	for (;;) {
		uint32_t timeout = UINT32_MAX;
		int64_t now_ms;
		int r;

		h->n_pfd = 0;
		cb_add_poll(h->tap, SLIRP_POLL_IN, h);
		slirp_pollfds_fill(h->slirp, &timeout, cb_add_poll, h);
		portfwd_fill(h->pf, add_pollfd, h);
		now_ms = now_ns() / 1000000;
		for (struct helper_timer *t = h->timers; t; t = t->next)
			if (t->expire_ms >= 0) {
				int64_t d = t->expire_ms - now_ms;

				if (d < 0)
					d = 0;
				if ((uint64_t)d < timeout)
					timeout = (uint32_t)d;
			}
		r = poll(h->pfd, h->n_pfd,
			 timeout == UINT32_MAX ? -1 : (int)(timeout > INT32_MAX ? INT32_MAX : timeout));
		if (r < 0 && errno != EINTR)
			_exit(SBX_EXIT_FAILURE);
		if (r > 0 && h->pfd[0].revents) {
			if (h->pfd[0].revents & (POLLERR | POLLHUP | POLLNVAL))
				_exit(0);
			if (!drain_tap(h, buf, size))
				_exit(0); /* the sandbox's network namespace is gone */
		}
		slirp_pollfds_poll(h->slirp, r < 0, cb_get_revents, h);
		if (r > 0)
			portfwd_handle(h->pf, get_pollfd, h);
		now_ms = now_ns() / 1000000;
		for (struct helper_timer *t = h->timers, *next; t; t = next) {
			next = t->next; /* the callback may free or re-arm timers */
			if (t->expire_ms >= 0 && t->expire_ms <= now_ms) {
				t->expire_ms = -1;
				t->cb(t->cb_opaque);
				break; /* the list may have changed: rescan next round */
			}
		}
	}
}

static int write_proc(const char *path, const char *val, struct sbx_error **err)
{
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || util_write_all(fd, val, strlen(val)) < 0)
		return sbx_error_set(err, errno, "`%s`", path);
	return 0;
}

/* The waiter's filter: it only waits for the helper and exits. */
static const char *const waiter_syscalls[] = {
    "wait4", "waitid", "exit", "exit_group", "rt_sigreturn", "restart_syscall",
};

/*
 * The parent of the helper's PID namespace: no descriptor, no capability,
 * nothing but waiting for the helper (PID 1 there) and exiting with its
 * status. It
 * stays for the supervisor's sake (it is the supervisor's child, which
 * net_helper_stop() kills: the helper then dies of its parent-death
 * signal).
 */
static _Noreturn void waiter_main(pid_t helper, int alive)
{
	cap_t none = cap_init();
	scmp_filter_ctx ctx;
	int st;

	if (alive > 0)
		sys_close_range(0, (unsigned)alive - 1, 0);
	sys_close_range((unsigned)alive + 1, ~0U, 0);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (!none || cap_set_proc(none) < 0)
		_exit(SBX_EXIT_FAILURE);
	cap_free(none);
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		_exit(SBX_EXIT_FAILURE);
	for (size_t i = 0; i < ARRAY_SIZE(waiter_syscalls); i++) {
		int nr = seccomp_syscall_resolve_name(waiter_syscalls[i]);

		if (nr != __NR_SCMP_ERROR && seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) < 0)
			_exit(SBX_EXIT_FAILURE);
	}
	if (seccomp_load(ctx) < 0)
		_exit(SBX_EXIT_FAILURE);
	while (waitpid(helper, &st, 0) < 0)
		if (errno != EINTR)
			_exit(SBX_EXIT_FAILURE);
	_exit(WIFEXITED(st) ? WEXITSTATUS(st) : SBX_EXIT_FAILURE);
}

/*
 * Whether the waiter still lives: it holds the write end of @alive open
 * until it exits. After the fork, getppid() is 0 in the new PID namespace
 * whether the parent lives or not (see init_set_parent_death()).
 */
static bool waiter_alive(int alive)
{
	struct pollfd p = {.fd = alive, .events = POLLIN};

	return poll(&p, 1, 0) == 0;
}

/*
 * Fork into the PID namespace unshared before: the child returns (PID 1
 * there, dying with the waiter) with *alive set (see waiter_alive()); the
 * parent becomes the waiter.
 */
static int enter_pid_namespace(int *alive, struct sbx_error **err)
{
	int p[2];
	pid_t child;

	if (pipe2(p, O_CLOEXEC) < 0)
		return sbx_error_set(err, errno, "pipe");
	child = fork();
	if (child < 0)
		return sbx_error_set(err, errno, "fork into the helper's PID namespace");
	if (child > 0) {
		close(p[0]);
		waiter_main(child, p[1]);
	}
	close(p[1]);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || !waiter_alive(p[0]))
		_exit(SBX_EXIT_FAILURE);
	*alive = p[0];
	return 0;
}

/*
 * A new user, mount and PID namespace (entered through a fork: see
 * enter_pid_namespace()) with an empty tmpfs as its root, holding only
 * etc/resolv.conf. The network namespace stays the host's.
 */
static int isolate_root(const char *resolv, int *alive, struct sbx_error **err)
{
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID) < 0)
		return sbx_error_set(err, errno, "new user namespace");
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
	if (write_proc("/proc/self/uid_map", map, err) < 0 ||
	    write_proc("/proc/self/setgroups", "deny", err) < 0)
		return -1;
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
	if (write_proc("/proc/self/gid_map", map, err) < 0)
		return -1;
	if (enter_pid_namespace(alive, err) < 0)
		return -1;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return sbx_error_set(err, errno, "make mounts private");
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=64k,mode=0755") < 0)
		return sbx_error_set(err, errno, "mount the helper's root");
	if (mkdir("/tmp/etc", 0755) < 0)
		return sbx_error_set(err, errno, "mkdir");
	if (util_write_file_at(AT_FDCWD, "/tmp/etc/resolv.conf", resolv, strlen(resolv), 0644, err) < 0)
		return -1;
	if (chdir("/tmp") < 0 || sys_pivot_root(".", ".") < 0 || umount2(".", MNT_DETACH) < 0 ||
	    chdir("/") < 0)
		return sbx_error_set(err, errno, "enter the helper's root");
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0)
		sbx_debug("helper: read-only root: %s", strerror(errno));
	return 0;
}

/**
 * isolate_landlock() - deny the helper every path but reading resolv.conf
 * @err:	error out-parameter
 *
 * In the helper's own root (after isolate_root()). Every filesystem right
 * the kernel's Landlock ABI knows is handled, and only READ_FILE on
 * /etc/resolv.conf is granted (libslirp re-reads it); TCP bind is denied
 * from ABI 4 (the -p ports are bound already), and from ABI 6 signals and
 * abstract unix sockets outside the helper's domain. A kernel without
 * Landlock, or with it disabled, is skipped (`sandbox doctor` says).
 *
 * Return: 0, or negative with *err set.
 */
static int isolate_landlock(struct sbx_error **err)
{
	struct sbx_landlock_ruleset_attr ra = {.handled_access_fs = SBX_LANDLOCK_ACCESS_FS_ABI1};
	struct sbx_landlock_path_beneath_attr rule = {.allowed_access = SBX_LANDLOCK_ACCESS_FS_READ_FILE};
	cleanup_close int ruleset = -1;
	cleanup_close int file = -1;
	int abi = sys_landlock_create_ruleset(NULL, 0, SBX_LANDLOCK_CREATE_RULESET_VERSION);

	if (abi < 0) {
		sbx_debug("helper: no Landlock: %s", strerror(errno));
		return 0;
	}
	if (abi >= 2)
		ra.handled_access_fs |= SBX_LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		ra.handled_access_fs |= SBX_LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 4)
		ra.handled_access_net = SBX_LANDLOCK_ACCESS_NET_BIND_TCP;
	if (abi >= 5)
		ra.handled_access_fs |= SBX_LANDLOCK_ACCESS_FS_IOCTL_DEV;
	if (abi >= 6)
		ra.scoped = SBX_LANDLOCK_SCOPE_ABSTRACT_UNIX | SBX_LANDLOCK_SCOPE_SIGNAL;
	ruleset = sys_landlock_create_ruleset(&ra, sizeof(ra), 0);
	if (ruleset < 0)
		return sbx_error_set(err, errno, "Landlock ruleset");
	file = open("/etc/resolv.conf", O_PATH | O_CLOEXEC);
	if (file < 0)
		return sbx_error_set(err, errno, "`/etc/resolv.conf`");
	rule.parent_fd = file;
	if (sys_landlock_add_rule(ruleset, SBX_LANDLOCK_RULE_PATH_BENEATH, &rule, 0) < 0)
		return sbx_error_set(err, errno, "Landlock rule for `/etc/resolv.conf`");
	/* restrict_self needs no_new_privs or CAP_SYS_ADMIN: we have the latter here */
	if (sys_landlock_restrict_self(ruleset, 0) < 0)
		return sbx_error_set(err, errno, "Landlock");
	return 0;
}

static const char *const helper_syscalls[] = {
    "read",
    "write",
    "readv",
    "writev",
    "recvfrom",
    "sendto",
    "recvmsg",
    "sendmsg",
    "recvmmsg",
    "sendmmsg",
    "connect",
    "bind",
    "listen",
    "accept",
    "accept4",
    "getsockname",
    "getpeername",
    "setsockopt",
    "getsockopt",
    "shutdown",
    "close",
    "poll",
    "ppoll",
    "fcntl",
    "clock_gettime",
    "gettimeofday",
    "nanosleep",
    "clock_nanosleep",
    "mmap",
    "munmap",
    "mremap",
    "brk",
    "madvise",
    "mprotect",
    "futex",
    "exit",
    "exit_group",
    "rt_sigreturn",
    "rt_sigprocmask",
    "getrandom",
    "getpid",
    "gettid",
    "stat",
    "fstat",
    "lstat",
    "newfstatat",
    "statx",
    "open",
    "openat",
    "lseek",
    "restart_syscall",
    "sched_yield",
    "getuid",
    "geteuid",
    "getgid",
    "getegid",
    "getppid",
    "prctl",
    "rt_sigaction",
    "splice",
    "pipe",
    "pipe2",
};

/*
 * The system calls the helper may make with some arguments only: sockets of
 * the internet families (the tap and the pipes exist); ioctl FIONREAD
 * (libslirp) and FIONBIO (the request numbers as 32 bits, as the kernel
 * reads them); tkill and tgkill to the helper itself (abort(), raise()),
 * whose pid and tid are known now and never change (single-threaded).
 */
static int add_arg_rules(scmp_filter_ctx ctx, struct sbx_error **err)
{
	const uint64_t self = (uint64_t)getpid();
	const struct {
		int nr;
		unsigned int n;
		struct scmp_arg_cmp cmp[2];
	} rules[] = {
	    {SCMP_SYS(socket), 1, {SCMP_A0(SCMP_CMP_EQ, AF_INET, 0)}},
	    {SCMP_SYS(socket), 1, {SCMP_A0(SCMP_CMP_EQ, AF_INET6, 0)}},
	    {SCMP_SYS(ioctl), 1, {SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, FIONREAD)}},
	    {SCMP_SYS(ioctl), 1, {SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, FIONBIO)}},
	    {SCMP_SYS(tkill), 1, {SCMP_A0(SCMP_CMP_EQ, self, 0)}},
	    {SCMP_SYS(tgkill), 2, {SCMP_A0(SCMP_CMP_EQ, self, 0), SCMP_A1(SCMP_CMP_EQ, self, 0)}},
	};

	for (size_t i = 0; i < ARRAY_SIZE(rules); i++)
		if (seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, rules[i].nr, rules[i].n, rules[i].cmp) < 0)
			return sbx_error_set(err, EINVAL, "seccomp rule %zu", i);
	return 0;
}

static int isolate_privileges(struct sbx_error **err)
{
	cap_t none = cap_init();
	scmp_filter_ctx ctx;
	int r;

	if (!none || cap_set_proc(none) < 0) {
		if (none)
			cap_free(none);
		return sbx_error_set(err, errno, "drop capabilities");
	}
	cap_free(none);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return sbx_error_set(err, errno, "set no_new_privs");
	ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	if (!ctx)
		return sbx_error_set(err, ENOMEM, "seccomp");
	for (size_t i = 0; i < ARRAY_SIZE(helper_syscalls); i++) {
		int nr = seccomp_syscall_resolve_name(helper_syscalls[i]);

		if (nr != __NR_SCMP_ERROR && seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) < 0) {
			seccomp_release(ctx);
			return sbx_error_set(err, EINVAL, "seccomp rule for %s", helper_syscalls[i]);
		}
	}
	if (add_arg_rules(ctx, err) < 0) {
		seccomp_release(ctx);
		return -1;
	}
	r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r < 0)
		return sbx_error_set(err, -r, "load the helper's seccomp filter");
	return 0;
}

/**
 * add_slirp_forward() - a -p forward through libslirp
 * @slirp:	the libslirp instance
 * @p:		the forward, when the socket factory could not start
 * @host:	its host address (net_publish_host_sockaddr())
 * @host_len:	size of @host
 *
 * libslirp keeps one address family from the host's socket to the sandbox,
 * so an [IPv6] HOSTIP forwards to fd00::100 (the server inside must listen
 * on IPv6, `::` for example), an IPv4 one to 10.0.2.100. libslirp shows a
 * UDP client on the host's loopback as 10.0.2.2, whose replies the closed
 * host loopback drops: this fallback serves other clients only.
 * slirp_add_hostxfwd() came with libslirp 4.5.
 *
 * Return: 0, or -1 with errno set.
 */
static int add_slirp_forward(Slirp *slirp, const struct net_publish *p, const struct sockaddr *host,
			     socklen_t host_len)
{
#if SLIRP_CHECK_VERSION(4, 5, 0)
	struct sockaddr_in6 guest6 = {.sin6_family = AF_INET6, .sin6_port = htons(p->guest_port)};
	struct sockaddr_in guest = {.sin_family = AF_INET, .sin_port = htons(p->guest_port)};

	inet_pton(AF_INET, "10.0.2.100", &guest.sin_addr);
	inet_pton(AF_INET6, "fd00::100", &guest6.sin6_addr);
	if (p->ipv6)
		return slirp_add_hostxfwd(slirp, host, host_len, (struct sockaddr *)&guest6, sizeof(guest6),
					  (p->udp ? SLIRP_HOSTFWD_UDP : 0) | SLIRP_HOSTFWD_V6ONLY);
	return slirp_add_hostxfwd(slirp, host, host_len, (struct sockaddr *)&guest, sizeof(guest),
				  p->udp ? SLIRP_HOSTFWD_UDP : 0);
#else
	struct in_addr guest;

	(void)host;
	(void)host_len;
	inet_pton(AF_INET, "10.0.2.100", &guest);
	if (p->ipv6) {
		errno = EAFNOSUPPORT; /* IPv6 forwards through libslirp need 4.5 */
		return -1;
	}
	return slirp_add_hostfwd(slirp, p->udp, p->host_addr, p->host_port, guest, p->guest_port);
#endif
}

/*
 * The helper's stdio: /dev/null for stdin and stdout, the log pipe for
 * stderr (non-blocking: a line the supervisor has no room for is lost, the
 * helper never waits for it). Nothing of the caller's terminal stays.
 */
static int helper_stdio(int log, struct sbx_error **err)
{
	cleanup_close int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null < 0)
		return sbx_error_set(err, errno, "open `/dev/null`");
	if (dup2(null, STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0 || dup2(log, STDERR_FILENO) < 0)
		return sbx_error_set(err, errno, "redirect the helper's stdio");
	if (log > STDERR_FILENO)
		close(log);
	if (fcntl(STDERR_FILENO, F_SETFL, fcntl(STDERR_FILENO, F_GETFL) | O_NONBLOCK) < 0)
		return sbx_error_set(err, errno, "make the helper's log non-blocking");
	return 0;
}

static _Noreturn void helper_main(int tap, int status, int log, pid_t parent,
				  const struct net_helper_config *cfg)
{
	cleanup_error struct sbx_error *err = NULL;
	struct helper h = {.tap = tap};
	cleanup_free char *resolv = NULL;
	SlirpConfig sc = {.version = SLIRP_CONFIG_VERSION_MAX < 4 ? SLIRP_CONFIG_VERSION_MAX : 4};
	sigset_t none;
	int alive = -1;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
		_exit(SBX_EXIT_FAILURE);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_IGN);
	{
		int keep[5] = {tap, status, log, cfg->userns_fd, cfg->netns_fd};

		portfwd_close_all_but(keep, ARRAY_SIZE(keep)); /* -1: none */
	}
	if (setsid() < 0) {
		sbx_error_set(&err, errno, "start a new session");
		goto fail;
	}
	if (helper_stdio(log, &err) < 0)
		goto fail;
	prctl(PR_SET_NAME, "sandbox-net", 0, 0, 0);
	if (util_read_file("/etc/resolv.conf", &resolv, NULL, NULL) < 0)
		resolv = xstrdup("");
	sc.in_enabled = true;
	inet_pton(AF_INET, "10.0.2.0", &sc.vnetwork);
	inet_pton(AF_INET, "255.255.255.0", &sc.vnetmask);
	inet_pton(AF_INET, "10.0.2.2", &sc.vhost);
	inet_pton(AF_INET, "10.0.2.15", &sc.vdhcp_start);
	inet_pton(AF_INET, "10.0.2.3", &sc.vnameserver);
	sc.in6_enabled = true;
	inet_pton(AF_INET6, "fd00::", &sc.vprefix_addr6);
	sc.vprefix_len = 64;
	inet_pton(AF_INET6, "fd00::2", &sc.vhost6);
	inet_pton(AF_INET6, "fd00::3", &sc.vnameserver6);
	sc.if_mtu = cfg->mtu;
	sc.if_mru = cfg->mtu;
	netgate_init(&h.gate, cfg->allow_host_loopback);
	sc.disable_host_loopback = !cfg->allow_host_loopback; /* a second layer behind the gate */
#if SLIRP_CONFIG_VERSION_MAX >= 4
	sc.disable_dhcp = true;
#endif
	h.slirp = slirp_new(&sc, &helper_callbacks, &h);
	if (!h.slirp) {
		sbx_error_set(&err, 0, "user-mode networking: libslirp refused its configuration");
		goto fail;
	}
	if (cfg->n_publish > 0 && cfg->userns_fd >= 0) {
		cleanup_error struct sbx_error *e = NULL;
		int factory;

		if (portfwd_factory_start(cfg->userns_fd, cfg->netns_fd, &factory, &e) < 0)
			sbx_debug("forwards through libslirp: %s", e->msg);
		else
			h.pf = portfwd_new(factory);
	}
	if (cfg->userns_fd >= 0)
		close(cfg->userns_fd);
	if (cfg->netns_fd >= 0)
		close(cfg->netns_fd);
	for (size_t i = 0; i < cfg->n_publish; i++) {
		const struct net_publish *p = &cfg->publish[i];
		struct sockaddr_storage host;
		socklen_t host_len = net_publish_host_sockaddr(p, &host);

		if (h.pf) {
			if (portfwd_listen(h.pf, (struct sockaddr *)&host, host_len, p->guest_port, p->udp,
					   &err) < 0)
				goto fail;
			continue;
		}
		if (add_slirp_forward(h.slirp, p, (struct sockaddr *)&host, host_len) < 0) {
			sbx_error_set(&err, errno, "-p: host port %u/%s", p->host_port,
				      p->udp ? "udp" : "tcp");
			goto fail;
		}
	}
	if (isolate_root(resolv, &alive, &err) < 0 || isolate_landlock(&err) < 0 ||
	    isolate_privileges(&err) < 0)
		goto fail;
	/* new credentials may have cleared the parent-death signal */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || !waiter_alive(alive))
		_exit(SBX_EXIT_FAILURE);
	close(alive);
	fcntl(tap, F_SETFL, fcntl(tap, F_GETFL) | O_NONBLOCK);
	if (util_write_all(status, "OK", 2) < 0)
		_exit(SBX_EXIT_FAILURE);
	close(status);
	helper_loop(&h, cfg->mtu);
fail:
	sbx_error_wrap(&err, "network helper");
	(void)!util_write_all(status, err->msg, strlen(err->msg));
	if (err->hint) {
		(void)!util_write_all(status, "\n", 1);
		(void)!util_write_all(status, err->hint, strlen(err->hint));
	}
	_exit(SBX_EXIT_FAILURE);
}

/**
 * net_helper_start() - fork the libslirp helper and wait until it serves
 * @tapfd:	the sandbox's tap (the caller still closes its copy)
 * @cfg:	MTU, host loopback, port forwards
 * @pid:	the helper's pid on success (for net_helper_stop())
 * @err:	error out-parameter
 *
 * Return: 0 once the helper has bound its ports and isolated itself,
 * negative with *err set (and no helper left) otherwise.
 */
int net_helper_start(int tapfd, const struct net_helper_config *cfg, struct net_helper *h,
		     struct sbx_error **err)
{
	cleanup_close int rd = -1, wr = -1, log_rd = -1, log_wr = -1;
	cleanup_pid pid_t child = 0;
	pid_t parent = getpid();
	char buf[1024];
	size_t len = 0;
	int fds[2];

	if (pipe2(fds, O_CLOEXEC) < 0)
		return sbx_error_set(err, errno, "pipe");
	rd = fds[0];
	wr = fds[1];
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
		return sbx_error_set(err, errno, "pipe");
	log_rd = fds[0];
	log_wr = fds[1];
	child = fork();
	if (child < 0)
		return sbx_error_set(err, errno, "fork the network helper");
	if (child == 0) {
		close(rd);
		close(log_rd);
		helper_main(tapfd, wr, log_wr, parent, cfg);
	}
	close(take_fd(&wr));
	close(take_fd(&log_wr));
	for (;;) {
		ssize_t n = read(rd, buf + len, sizeof(buf) - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == sizeof(buf) - 1)
			break;
	}
	buf[len] = '\0';
	if (strcmp(buf, "OK") != 0) {
		char *nl = strchr(buf, '\n');

		if (nl)
			*nl = '\0';
		sbx_error_set(err, 0, "%s", len ? buf : "network helper: exited during set-up");
		if (nl)
			sbx_error_hint(err, "%s", nl + 1);
		return -1;
	}
	h->pid = take_pid(&child);
	h->log = take_fd(&log_rd);
	return 0;
}

/**
 * net_helper_stop() - kill the helper, reap it if it is already gone
 * @h:		the helper; NET_HELPER_INIT (nothing to do) afterwards
 *
 * SIGKILL goes to the supervisor's child, the waiter of the helper's PID
 * namespace; the helper (PID 1 there) dies of its parent-death signal.
 * Its exit closes the last reference to the tap, and the kernel
 * unregisters the device there (synchronize_net(): ~15 ms). The supervisor
 * does not wait for that: the helper is dead to userspace once SIGKILL is
 * sent, and a zombie left is reaped when the supervisor exits.
 */
void net_helper_stop(struct net_helper *h)
{
	if (h->log >= 0)
		close(h->log);
	h->log = -1;
	if (h->pid <= 0)
		return;
	kill(h->pid, SIGKILL);
	(void)waitpid(h->pid, NULL, WNOHANG);
	h->pid = 0;
}
