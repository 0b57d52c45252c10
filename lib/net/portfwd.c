// SPDX-License-Identifier: GPL-2.0-or-later
/* portfwd.c - TCP and UDP -p forwards into the sandbox's network namespace
 *
 * libslirp's host forwarding copies every byte through its own TCP stack
 * and the tap. For TCP forwards the network helper does better: it listens
 * on the host port itself and, for each client, connects a socket that was
 * created inside the sandbox's network namespace to 10.0.2.100:PORT, then
 * moves the bytes between the two sockets with splice(2) through a pipe per
 * direction (as pasta and rootlessport do, without copies to user space).
 *
 * Sockets belong to the network namespace they were created in. They come
 * from the socket factory: a child of the helper forked before the helper
 * isolates itself, which joins the sandbox's user and network namespaces
 * (the caller owns that user namespace, as slirp4netns relies on), drops
 * every capability, sets no_new_privs and a seccomp filter that allows
 * little more than socket() and sendmsg(), and then answers each one-byte
 * request with a new unconnected socket (SCM_RIGHTS): TCP, or UDP of either
 * family. It dies with the helper (PR_SET_PDEATHSIG).
 *
 * UDP forwards are relayed the same way, not through libslirp: the helper
 * owns the host's socket, so recvfrom() names the real client, and for each
 * client (a bounded table, PORTFWD_UDP_FLOWS; a flow idle for
 * PORTFWD_UDP_IDLE_MS is closed, the least recently used one makes room) a
 * UDP socket of the sandbox's namespace connected to the forward's port
 * carries its datagrams in and the replies out, to that client alone. The
 * sandbox's replies never leave its namespace through the tap, so no frame
 * to the virtual host 10.0.2.2 needs to pass the host-loopback gate.
 *
 * The host side may be IPv4 or IPv6 (-p '[::1]:8080:80'); TCP goes to
 * 10.0.2.100 inside, UDP to 10.0.2.100 or, for an [IPv6] HOSTIP, fd00::100
 * (the family libslirp's UDP forwards kept). The sandbox sees forwarded
 * connections and datagrams come from its own address: the client's
 * address is not kept.
 */
#include "portfwd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <seccomp.h>
#include <sys/capability.h>

#include "syscalls.h"
#include "tty.h"
#include "util.h"

#define PORTFWD_PIPE_SIZE   (1 << 20)
#define PORTFWD_ROUNDS	    16	   /* splice rounds per connection and wake-up */
#define PORTFWD_UDP_FLOWS   128	   /* UDP clients relayed at once */
#define PORTFWD_UDP_IDLE_MS 120000 /* a UDP flow with no datagram this long is closed */
#define PORTFWD_UDP_ROUNDS  32	   /* datagrams per socket and wake-up */
#define PORTFWD_DGRAM_MAX   65536  /* more than any UDP payload */

/* what the socket factory makes for a request byte */
enum { FACTORY_TCP = 1, FACTORY_UDP4, FACTORY_UDP6 };

struct fwd_listener {
	int fd;
	uint16_t guest_port;
	bool udp;
	bool guest_ipv6; /* UDP: to fd00::100 rather than 10.0.2.100 */
	int idx;
};

/* One client of a UDP forward. */
struct udp_flow {
	int fd;	  /* inside the sandbox, connected to the forward's port */
	size_t l; /* its listener, an index of portfwd.l */
	struct sockaddr_storage client;
	socklen_t client_len;
	int64_t last_ms; /* the last datagram either way */
	int idx;
	struct udp_flow *next;
};

struct fwd_conn {
	int fd[2];	/* 0: the host's client, 1: inside the sandbox */
	int pipe[2][2]; /* pipe[d]: bytes read from fd[d], for fd[!d] */
	size_t pending[2];
	size_t cap;
	bool eof[2], shut[2], connecting;
	int idx[2];
	struct fwd_conn *next;
};

struct portfwd {
	int factory;
	struct fwd_listener *l;
	size_t n_l;
	struct fwd_conn *conns;
	struct udp_flow *flows;
	size_t n_flows;
	uint8_t *dgram; /* PORTFWD_DGRAM_MAX bytes */
};

static const char *const factory_syscalls[] = {
    "socket",	  "sendmsg",	  "recvfrom",	     "recvmsg", "read",	  "write", "close",   "exit",
    "exit_group", "rt_sigreturn", "restart_syscall", "mmap",	"munmap", "brk",   "madvise",
};

static _Noreturn void factory_main(int sock, int userns, int netns)
{
	scmp_filter_ctx ctx;
	cap_t none;

	if (setns(userns, CLONE_NEWUSER) < 0 || setns(netns, CLONE_NEWNET) < 0)
		_exit(SBX_EXIT_FAILURE);
	close(userns);
	close(netns);
	none = cap_init();
	if (!none || cap_set_proc(none) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		_exit(SBX_EXIT_FAILURE);
	cap_free(none);
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		_exit(SBX_EXIT_FAILURE);
	for (size_t i = 0; i < ARRAY_SIZE(factory_syscalls); i++) {
		int nr = seccomp_syscall_resolve_name(factory_syscalls[i]);

		if (nr != __NR_SCMP_ERROR && seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) < 0)
			_exit(SBX_EXIT_FAILURE);
	}
	if (seccomp_load(ctx) < 0)
		_exit(SBX_EXIT_FAILURE);
	for (;;) {
		char req;
		ssize_t n = recv(sock, &req, 1, 0);
		int fd;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(0);
		/* a socket of the sandbox's network namespace, or none (fd -1) */
		if (req == FACTORY_UDP6)
			fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		else if (req == FACTORY_UDP4)
			fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		else
			fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (tty_send_fd(sock, fd, NULL, 0, NULL) < 0)
			_exit(0);
		if (fd >= 0)
			close(fd);
	}
}

/**
 * portfwd_close_all_but() - close every descriptor above 2 except @keep
 * @keep:	descriptors to keep (the array is sorted in place)
 * @n:		how many
 */
void portfwd_close_all_but(int *keep, size_t n)
{
	int lo = 3;

	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (keep[j] < keep[i]) {
				int t = keep[i];

				keep[i] = keep[j];
				keep[j] = t;
			}
	for (size_t i = 0; i < n; i++) {
		if (keep[i] < lo)
			continue;
		if (keep[i] > lo)
			sys_close_range((unsigned)lo, (unsigned)keep[i] - 1, 0);
		lo = keep[i] + 1;
	}
	sys_close_range((unsigned)lo, ~0U, 0);
}

/**
 * portfwd_factory_start() - fork the socket factory (see the top of the file)
 * @userns:	the sandbox's user namespace (PID 1 opened /proc/self/ns/user
 *		and sent it: once it is the init it is not dumpable, and
 *		neither its /proc/PID/ns files nor setns(pidfd) are open to us)
 * @netns:	the sandbox's network namespace, likewise
 * @sock:	the helper's end of the request socket, on success
 * @err:	error out-parameter
 *
 * Call it before the helper isolates itself; every descriptor above 2 but
 * the factory's own is closed in the child. The caller keeps @userns and
 * @netns.
 *
 * Return: 0, or negative with *err set.
 */
int portfwd_factory_start(int userns, int netns, int *sock, struct sbx_error **err)
{
	pid_t parent = getpid(), child;
	int sv[2];

	if (userns < 0 || netns < 0)
		return sbx_error_set(err, EBADF, "the sandbox's namespaces");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return sbx_error_set(err, errno, "socketpair");
	child = fork();
	if (child < 0) {
		close(sv[0]);
		close(sv[1]);
		return sbx_error_set(err, errno, "fork the socket factory");
	}
	if (child == 0) {
		int keep[3] = {sv[1], userns, netns};

		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
			_exit(SBX_EXIT_FAILURE);
		portfwd_close_all_but(keep, 3);
		prctl(PR_SET_NAME, "sandbox-netfwd", 0, 0, 0);
		factory_main(sv[1], userns, netns);
	}
	close(sv[1]);
	*sock = sv[0];
	return 0;
}

struct portfwd *portfwd_new(int factory)
{
	struct portfwd *pf = xcalloc(1, sizeof(*pf));

	pf->factory = factory;
	pf->dgram = xmalloc(PORTFWD_DGRAM_MAX);
	return pf;
}

/**
 * portfwd_listen() - listen on a host port for one TCP or UDP forward
 * @pf:		the forwarder
 * @host:	address and port to bind: an IPv6 one IPv6-only (`[::]` is
 *		every IPv6 address); IPv4 INADDR_ANY is every IPv4 and IPv6
 *		address (a dual-stack socket on [::], as docker listens), IPv4
 *		only where the host has no IPv6
 * @host_len:	size of @host
 * @guest_port:	port of 10.0.2.100 inside (TCP: IPv4 whatever @host is;
 *		UDP: fd00::100 for an IPv6 @host)
 * @udp:	a UDP forward (a bound socket, no listen())
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int portfwd_listen(struct portfwd *pf, const struct sockaddr *host, socklen_t host_len, uint16_t guest_port,
		   bool udp, struct sbx_error **err)
{
	const int type = (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC;
	const char *proto = udp ? "udp" : "tcp";
	const struct sockaddr_in *sa = (const struct sockaddr_in *)host;
	uint16_t host_port = ntohs(
	    host->sa_family == AF_INET6 ? ((const struct sockaddr_in6 *)host)->sin6_port : sa->sin_port);
	struct sockaddr_in6 sa6 = {
	    .sin6_family = AF_INET6, .sin6_port = htons(host_port), .sin6_addr = in6addr_any};
	cleanup_close int fd = -1;
	int one = 1, zero = 0;

	if (host->sa_family == AF_INET6) {
		fd = socket(AF_INET6, type, 0);
		if (fd < 0 || setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0 ||
		    (!udp && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) ||
		    bind(fd, host, host_len) < 0)
			return sbx_error_set(err, errno, "-p: host port %u/%s", host_port, proto);
	} else if (sa->sin_addr.s_addr == htonl(INADDR_ANY)) {
		fd = socket(AF_INET6, type, 0);
		if (fd >= 0 && (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) < 0 ||
				(!udp && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) ||
				bind(fd, (struct sockaddr *)&sa6, sizeof(sa6)) < 0)) {
			if (errno != EAFNOSUPPORT && errno != EADDRNOTAVAIL)
				return sbx_error_set(err, errno, "-p: host port %u/%s", host_port, proto);
			close(take_fd(&fd));
		}
	}
	if (fd < 0) {
		fd = socket(AF_INET, type, 0);
		if (fd < 0)
			return sbx_error_set(err, errno, "-p: socket");
		if (!udp)
			(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, host, host_len) < 0)
			return sbx_error_set(err, errno, "-p: host port %u/%s", host_port, proto);
	}
	if (!udp && listen(fd, 128) < 0)
		return sbx_error_set(err, errno, "-p: host port %u/%s", host_port, proto);
	pf->l = realloc(pf->l, (pf->n_l + 1) * sizeof(*pf->l));
	if (!pf->l)
		return sbx_error_set(err, ENOMEM, "-p");
	pf->l[pf->n_l++] = (struct fwd_listener){.fd = take_fd(&fd),
						 .guest_port = guest_port,
						 .udp = udp,
						 .guest_ipv6 = udp && host->sa_family == AF_INET6,
						 .idx = -1};
	return 0;
}

static int factory_socket(struct portfwd *pf, char req)
{
	cleanup_error struct sbx_error *e = NULL;
	char zero;
	int fd = -1;

	if (send(pf->factory, &req, 1, MSG_NOSIGNAL) != 1)
		return -1;
	if (tty_recv_fd(pf->factory, &fd, &zero, 1, &e) < 0)
		return -1;
	return fd;
}

static void conn_free(struct fwd_conn *c)
{
	for (int d = 0; d < 2; d++) {
		if (c->fd[d] >= 0)
			close(c->fd[d]);
		for (int i = 0; i < 2; i++)
			if (c->pipe[d][i] >= 0)
				close(c->pipe[d][i]);
	}
	free(c);
}

static void accept_one(struct portfwd *pf, struct fwd_listener *l)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(l->guest_port)};
	int client = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), one = 1;
	struct fwd_conn *c;

	if (client < 0)
		return;
	c = xcalloc(1, sizeof(*c));
	c->fd[0] = client;
	c->fd[1] = factory_socket(pf, FACTORY_TCP);
	c->idx[0] = c->idx[1] = -1;
	for (int d = 0; d < 2; d++)
		c->pipe[d][0] = c->pipe[d][1] = -1;
	if (c->fd[1] < 0)
		goto drop;
	for (int d = 0; d < 2; d++) {
		if (pipe2(c->pipe[d], O_NONBLOCK | O_CLOEXEC) < 0)
			goto drop;
		(void)fcntl(c->pipe[d][1], F_SETPIPE_SZ, PORTFWD_PIPE_SIZE);
	}
	c->cap = (size_t)fcntl(c->pipe[0][1], F_GETPIPE_SZ);
	if ((ssize_t)c->cap <= 0 || (size_t)fcntl(c->pipe[1][1], F_GETPIPE_SZ) < c->cap)
		c->cap = 65536;
	fcntl(c->fd[1], F_SETFL, fcntl(c->fd[1], F_GETFL) | O_NONBLOCK);
	(void)setsockopt(c->fd[0], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	(void)setsockopt(c->fd[1], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	inet_pton(AF_INET, "10.0.2.100", &to.sin_addr);
	if (connect(c->fd[1], (struct sockaddr *)&to, sizeof(to)) < 0) {
		if (errno != EINPROGRESS)
			goto drop;
		c->connecting = true;
	}
	c->next = pf->conns;
	pf->conns = c;
	return;
drop:
	conn_free(c);
}

/* Moves what can be moved now. Return: false when the connection is done. */
static bool conn_pump(struct fwd_conn *c)
{
	for (int d = 0; d < 2; d++) {
		int out = c->fd[!d];

		for (int round = 0; round < PORTFWD_ROUNDS; round++) {
			bool progress = false;
			ssize_t n;

			if (!c->eof[d] && c->pending[d] < c->cap && !(d == 1 && c->connecting)) {
				n = splice(c->fd[d], NULL, c->pipe[d][1], NULL, c->cap - c->pending[d],
					   SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
				if (n > 0) {
					c->pending[d] += (size_t)n;
					progress = true;
				} else if (n == 0) {
					c->eof[d] = true;
				} else if (errno != EAGAIN && errno != EINTR) {
					return false;
				}
			}
			if (!c->connecting && c->pending[d] > 0) {
				n = splice(c->pipe[d][0], NULL, out, NULL, c->pending[d],
					   SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
				if (n > 0) {
					c->pending[d] -= (size_t)n;
					progress = true;
				} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
					return false;
				}
			}
			if (!progress)
				break;
		}
		if (c->eof[d] && c->pending[d] == 0 && !c->shut[d] && !c->connecting) {
			shutdown(out, SHUT_WR);
			c->shut[d] = true;
		}
	}
	return !(c->shut[0] && c->shut[1]);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Whether two addresses recvfrom() gave are the same client (family, address, port). */
static bool same_client(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)a, *b6 = (const struct sockaddr_in6 *)b;
	const struct sockaddr_in *a4 = (const struct sockaddr_in *)a, *b4 = (const struct sockaddr_in *)b;

	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET6)
		return a6->sin6_port == b6->sin6_port && a6->sin6_scope_id == b6->sin6_scope_id &&
		       memcmp(&a6->sin6_addr, &b6->sin6_addr, sizeof(a6->sin6_addr)) == 0;
	return a->ss_family == AF_INET && a4->sin_port == b4->sin_port &&
	       a4->sin_addr.s_addr == b4->sin_addr.s_addr;
}

static void flow_unlink(struct portfwd *pf, struct udp_flow **p)
{
	struct udp_flow *f = *p;

	*p = f->next;
	close(f->fd);
	free(f);
	pf->n_flows--;
}

/**
 * flow_new() - a flow for a new client of a UDP forward
 * @pf:		the forwarder
 * @li:		the forward's listener (index)
 * @client:	the client's address, as recvfrom() gave it
 * @client_len:	its length
 *
 * With the table full, the least recently used flow is closed first. The
 * new flow's socket comes from the factory, non-blocking, connected to the
 * forward's port of the sandbox's own address.
 *
 * Return: the flow (first in pf->flows), or NULL (the datagram is dropped).
 */
static struct udp_flow *flow_new(struct portfwd *pf, size_t li, const struct sockaddr_storage *client,
				 socklen_t client_len)
{
	const struct fwd_listener *l = &pf->l[li];
	struct sockaddr_in6 to6 = {.sin6_family = AF_INET6, .sin6_port = htons(l->guest_port)};
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(l->guest_port)};
	struct udp_flow *f;
	int fd;

	if (pf->n_flows >= PORTFWD_UDP_FLOWS) {
		struct udp_flow **oldest = &pf->flows;

		for (struct udp_flow **p = &pf->flows; *p; p = &(*p)->next)
			if ((*p)->last_ms < (*oldest)->last_ms)
				oldest = p;
		flow_unlink(pf, oldest);
	}
	fd = factory_socket(pf, l->guest_ipv6 ? FACTORY_UDP6 : FACTORY_UDP4);
	if (fd < 0)
		return NULL;
	inet_pton(AF_INET, "10.0.2.100", &to.sin_addr);
	inet_pton(AF_INET6, "fd00::100", &to6.sin6_addr);
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0 ||
	    (l->guest_ipv6 ? connect(fd, (struct sockaddr *)&to6, sizeof(to6))
			   : connect(fd, (struct sockaddr *)&to, sizeof(to))) < 0) {
		close(fd);
		return NULL;
	}
	f = xcalloc(1, sizeof(*f));
	f->fd = fd;
	f->l = li;
	f->client = *client;
	f->client_len = client_len;
	f->idx = -1;
	f->next = pf->flows;
	pf->flows = f;
	pf->n_flows++;
	return f;
}

/* Datagrams from the host's clients of UDP forward @li into the sandbox. */
static void udp_from_clients(struct portfwd *pf, size_t li, int64_t now)
{
	for (int round = 0; round < PORTFWD_UDP_ROUNDS; round++) {
		struct sockaddr_storage from;
		socklen_t from_len = sizeof(from);
		struct udp_flow *f;
		ssize_t n = recvfrom(pf->l[li].fd, pf->dgram, PORTFWD_DGRAM_MAX, MSG_DONTWAIT,
				     (struct sockaddr *)&from, &from_len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return;
		for (f = pf->flows; f; f = f->next)
			if (f->l == li && same_client(&f->client, &from))
				break;
		if (!f)
			f = flow_new(pf, li, &from, from_len);
		if (!f)
			continue;
		f->last_ms = now;
		/* a full queue or no server inside (ECONNREFUSED) drops it, as UDP may */
		(void)send(f->fd, pf->dgram, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
	}
}

/* The sandbox's replies on flow @f, to its client alone. */
static void udp_to_client(struct portfwd *pf, struct udp_flow *f, int64_t now)
{
	for (int round = 0; round < PORTFWD_UDP_ROUNDS; round++) {
		ssize_t n = recv(f->fd, pf->dgram, PORTFWD_DGRAM_MAX, MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return; /* EAGAIN, or an error the socket reported (and cleared) */
		f->last_ms = now;
		(void)sendto(pf->l[f->l].fd, pf->dgram, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL,
			     (struct sockaddr *)&f->client, f->client_len);
	}
}

/* Relays the UDP forwards' datagrams and closes idle flows. */
static void udp_handle(struct portfwd *pf, short (*revents)(int idx, void *opaque), void *opaque)
{
	int64_t now = now_ms();

	for (struct udp_flow **p = &pf->flows; *p;) {
		struct udp_flow *f = *p;

		if (f->idx >= 0 && revents(f->idx, opaque))
			udp_to_client(pf, f, now);
		if (now - f->last_ms > PORTFWD_UDP_IDLE_MS)
			flow_unlink(pf, p);
		else
			p = &f->next;
	}
	for (size_t i = 0; i < pf->n_l; i++)
		if (pf->l[i].udp && pf->l[i].idx >= 0 && (revents(pf->l[i].idx, opaque) & POLLIN))
			udp_from_clients(pf, i, now);
}

/**
 * portfwd_fill() - register the listeners and connections for poll()
 * @pf:		the forwarder (NULL: nothing)
 * @add:	appends a pollfd, returns its index
 * @opaque:	for @add
 */
void portfwd_fill(struct portfwd *pf, int (*add)(int fd, short events, void *opaque), void *opaque)
{
	if (!pf)
		return;
	for (size_t i = 0; i < pf->n_l; i++)
		pf->l[i].idx = add(pf->l[i].fd, POLLIN, opaque);
	for (struct fwd_conn *c = pf->conns; c; c = c->next) {
		short ev0 = 0, ev1 = 0;

		if (!c->eof[0] && c->pending[0] < c->cap)
			ev0 |= POLLIN;
		if (c->pending[1] > 0)
			ev0 |= POLLOUT;
		if (c->connecting) {
			ev1 = POLLOUT;
		} else {
			if (!c->eof[1] && c->pending[1] < c->cap)
				ev1 |= POLLIN;
			if (c->pending[0] > 0)
				ev1 |= POLLOUT;
		}
		c->idx[0] = add(c->fd[0], ev0, opaque);
		c->idx[1] = add(c->fd[1], ev1, opaque);
	}
	for (struct udp_flow *f = pf->flows; f; f = f->next)
		f->idx = add(f->fd, POLLIN, opaque);
}

/**
 * portfwd_handle() - accept new clients, move bytes and datagrams, close finished connections and idle flows
 * @pf:		the forwarder (NULL: nothing)
 * @revents:	the poll() result for an index portfwd_fill() got
 * @opaque:	for @revents
 */
void portfwd_handle(struct portfwd *pf, short (*revents)(int idx, void *opaque), void *opaque)
{
	if (!pf)
		return;
	for (struct fwd_conn **p = &pf->conns; *p;) {
		struct fwd_conn *c = *p;
		short r0 = c->idx[0] >= 0 ? revents(c->idx[0], opaque) : 0;
		short r1 = c->idx[1] >= 0 ? revents(c->idx[1], opaque) : 0;
		bool alive = true;

		if (!r0 && !r1) {
			p = &c->next;
			continue;
		}
		if (c->connecting && r1) {
			int e = 0;
			socklen_t len = sizeof(e);

			if (getsockopt(c->fd[1], SOL_SOCKET, SO_ERROR, &e, &len) < 0 || e)
				alive = false;
			else
				c->connecting = false;
		}
		if (alive)
			alive = conn_pump(c);
		if (alive) {
			p = &c->next;
		} else {
			*p = c->next;
			conn_free(c);
		}
	}
	udp_handle(pf, revents, opaque);
	for (size_t i = 0; i < pf->n_l; i++)
		if (!pf->l[i].udp && pf->l[i].idx >= 0 && (revents(pf->l[i].idx, opaque) & POLLIN))
			for (int k = 0; k < 32; k++) {
				struct fwd_conn *before = pf->conns;

				accept_one(pf, &pf->l[i]);
				if (pf->conns == before)
					break;
				if (!pf->conns->connecting && !conn_pump(pf->conns)) {
					struct fwd_conn *c = pf->conns;

					pf->conns = c->next;
					conn_free(c);
				}
			}
}
