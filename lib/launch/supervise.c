// SPDX-License-Identifier: GPL-2.0-or-later
/* supervise.c - the supervisor's event loop: signals, pty relay, exit status
 *
 * Theory of operation
 *
 * `sandbox run` stays in the host namespaces as the supervisor of PID 1 of
 * the sandbox (our init, or the command itself with --init=false), its
 * direct child. It waits for that child in one epoll loop, and exits with
 * its status:
 *   - the signals it handles are blocked from before clone
 *     (supervise_block_signals()) and taken from a signalfd, so none is
 *     lost, and none kills the supervisor while the sandbox lives;
 *   - SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 are forwarded to
 *     PID 1, which forwards them to the command. The sandbox's processes
 *     are in a session of their own, outside the caller's foreground
 *     process group (launch_leave_caller_session()): ^C, ^\ or a hangup of
 *     the caller's terminal reach the supervisor alone, which stays in
 *     that group for job control, and are forwarded like a kill(1). With
 *     -i -t the host terminal is raw and the keys arrive as bytes on the
 *     inner pty instead; ^Z stops the sandbox's process group, then the
 *     supervisor (suspend());
 *   - with a pty, SIGWINCH copies the host terminal's size to the master
 *     (the kernel then sends SIGWINCH to the command), stdin is relayed to
 *     the master (with -i; on EOF the supervisor stops reading, as podman
 *     does) and the master to stdout. The master is non-blocking; stdin and
 *     stdout are left as they are, since their open file descriptions are
 *     shared with the user's shell;
 *   - with -i and no pty, when stdin is a terminal, the command's stdin is
 *     a pipe (tty_input_relay_open()) and the terminal is relayed into it;
 *     EOF (^D) closes the pipe. The terminal is read through o->input, a
 *     non-blocking open of its own where possible, and only once epoll
 *     reports input. In the background that read stops the supervisor with
 *     SIGTTIN (normal job control): the sandbox, in a session of its own,
 *     never reads the keys typed at the user's shell;
 *   - PID 1's exit is seen on its pidfd (or by SIGCHLD without one); the
 *     pty output still buffered is then relayed before returning.
 * SIGPIPE is blocked too: a closed stdout turns into EPIPE, the output is
 * discarded, and the supervisor lives on to restore the terminal and report
 * the status.
 *
 * The network helper's stderr is a pipe (slirp_helper.c), never the
 * caller's terminal: the supervisor reads it and writes its lines to its own
 * stderr (the terminal, or ctr.log with -d), each cut at
 * HELPER_LOG_LINE_MAX bytes and with control characters and bytes above
 * 0x7e replaced by `?`, so that a helper taken over by the sandbox cannot
 * send escape sequences to the user's terminal.
 *
 * Attach (-d -t only)
 *
 * A detached supervisor with a pty writes the pty's output to ctr.log (its
 * stdout) and listens on RUNROOT/<id>/attach.sock (SOCK_STREAM, 0600 in the
 * 0700 rundir, gone with it) for `sandbox attach`. It serves one client at
 * a time; a second one gets ATTACH_BUSY and is closed. Both directions
 * carry frames of a 1-byte type, a 2-byte big-endian length and at most
 * ATTACH_MAX_PAYLOAD bytes (supervise.h):
 *   - supervisor -> client: ATTACH_HELLO first (flag: input is relayed,
 *     i.e. the sandbox was started with -i, as podman attaches stdin only
 *     then), ATTACH_DATA with the pty's output (also still written to the
 *     log), and when PID 1 has exited and the pty is drained, ATTACH_EXIT
 *     with the command's status, then EOF;
 *   - client -> supervisor: ATTACH_DATA, written to the master with -i
 *     (dropped without), and ATTACH_RESIZE (rows, cols) set on the master.
 * The detach keys are the client's business: it just closes the socket.
 * The supervisor never blocks on a client: the client socket is
 * non-blocking, output frames wait in a bounded queue, and a frame that
 * does not fit is dropped whole (the log has everything), so a stuck
 * client cannot stall the sandbox. A malformed frame ends the connection.
 */
#include "supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "init.h"
#include "syscalls.h"
#include "tty.h"
#include "util.h"

#define RELAY_BUF_SIZE 4096
/* How long to wait for the last pty output after PID 1 exited. */
#define DRAIN_TIMEOUT_MS 1000
/* Output frames queued for a slow attach client, at most. */
#define ATTACH_QUEUE_SIZE (256 * 1024)
/* The longest line of the network helper's log passed on. */
#define HELPER_LOG_LINE_MAX 512

/* Signals the supervisor passes on to PID 1. */
static const int forwarded_signals[] = {
    SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2,
};

enum ev_source { EV_SIGNAL, EV_PIDFD, EV_MASTER, EV_STDIN, EV_PIPE, EV_LISTEN, EV_CLIENT, EV_HELPER_LOG };

struct supervisor {
	const struct supervise_opts *o;
	int ep;			/* epoll instance */
	int sfd;		/* signalfd */
	int master;		/* o->pty_master, -1 once the slave side closed */
	uint32_t master_events; /* what the master is registered for */
	int input;		/* where stdin is read: o->input */
	int pipe;		/* o->stdin_pipe (ours to close), -1 once closed */
	bool pipe_polled;	/* the pipe is in the epoll set (for EPOLLOUT) */
	int sink;		/* where input goes: the master or the pipe, -1 once gone */
	bool stdin_relay;	/* still relaying stdin */
	bool stdin_polled;	/* stdin is in the epoll set */
	bool stdin_pollable;	/* epoll takes it (not a regular file or /dev/null) */
	bool stdout_broken;	/* writes to stdout failed: discard the output */
	size_t in_len, in_off;	/* stdin bytes not yet written to the master */
	char in[RELAY_BUF_SIZE];
	bool exited;
	int wstatus;
	/* the attached client (-d -t), see "Attach" above */
	int client;		/* -1: none */
	uint32_t client_events; /* what it is registered for */
	size_t cin_len;		/* bytes of incoming frames in cin */
	char cin[ATTACH_HEADER_SIZE + ATTACH_MAX_PAYLOAD];
	char *cout;		   /* queued outgoing frames (ATTACH_QUEUE_SIZE) */
	size_t cout_off, cout_len; /* unsent bytes are cout[cout_off..cout_len) */
	/* the network helper's log, see the top of the file */
	bool log_open;
	size_t log_len; /* bytes of an unfinished line in log */
	char log[HELPER_LOG_LINE_MAX];
};

static void supervise_signal_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	sigaddset(set, SIGWINCH);
	sigaddset(set, SIGPIPE);
	sigaddset(set, SIGTSTP);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded_signals); i++)
		sigaddset(set, forwarded_signals[i]);
}

/**
 * supervise_block_signals() - block the supervisor's signals, before clone
 * @saved:	set to the mask in effect before; the sandbox's command
 *		restores it with init_restore_signals() before execve
 *
 * Blocks SIGCHLD, SIGWINCH, SIGPIPE, SIGTSTP and the forwarded signals. Call it
 * before clone, so that a signal that comes before supervise_wait() is
 * pending, not lost (and does not kill the supervisor), and so that PID 1
 * starts with them blocked (it drops signals it neither blocks nor
 * handles). A SIGCHLD set to SIG_IGN (or SA_NOCLDWAIT) is reset to the
 * default: with it the kernel reaps children itself and the exit status
 * of the sandbox would be lost.
 */
void supervise_block_signals(sigset_t *saved)
{
	struct sigaction sa;
	sigset_t set;

	if (sigaction(SIGCHLD, NULL, &sa) == 0 &&
	    ((!(sa.sa_flags & SA_SIGINFO) && sa.sa_handler == SIG_IGN) || (sa.sa_flags & SA_NOCLDWAIT))) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_DFL;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGCHLD, &sa, NULL);
	}
	supervise_signal_set(&set);
	sigprocmask(SIG_BLOCK, &set, saved);
}

static bool is_forwarded(int signo)
{
	for (size_t i = 0; i < ARRAY_SIZE(forwarded_signals); i++)
		if (forwarded_signals[i] == signo)
			return true;
	return false;
}

static void forward_signal(const struct supervisor *s, int signo)
{
	/* once reaped, the pid may belong to someone else */
	if (s->exited)
		return;
	/* PID 1 is our unreaped child: neither its pid nor its pidfd is stale */
	if (s->o->pidfd >= 0) {
		if (sys_pidfd_send_signal(s->o->pidfd, signo, NULL, 0) == 0 || errno != ENOSYS)
			return;
	}
	kill(s->o->pid, signo);
}

/* Reap PID 1 if it has exited; @block: it is known to have (pidfd readable). */
static int check_exited(struct supervisor *s, bool block, struct sbx_error **err)
{
	pid_t p;
	int st;

	/* SIGCHLD and the pidfd both tell, often in one batch of events */
	if (s->exited)
		return 0;
	do
		p = waitpid(s->o->pid, &st, block ? 0 : WNOHANG);
	while (p < 0 && errno == EINTR);
	if (p < 0)
		return sbx_error_set(err, errno, "wait for the sandbox (pid %d)", (int)s->o->pid);
	if (p == s->o->pid) {
		s->exited = true;
		s->wstatus = st;
	}
	return 0;
}

/* Write all of @buf to stdout; on failure note it and drop the output from now on. */
static void write_stdout(struct supervisor *s, const char *buf, size_t len)
{
	while (len > 0 && !s->stdout_broken) {
		ssize_t n = write(STDOUT_FILENO, buf, len);

		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && errno == EAGAIN) {
			/* someone made the shared description non-blocking */
			struct pollfd p = {.fd = STDOUT_FILENO, .events = POLLOUT};

			poll(&p, 1, -1);
		} else {
			sbx_debug("relay the pty to stdout: %s: discarding the output",
				  n < 0 ? strerror(errno) : "nothing written");
			s->stdout_broken = true;
		}
	}
}

/* The slave side is gone (every descriptor of it closed): stop relaying. */
static void master_gone(struct supervisor *s)
{
	if (s->master < 0)
		return;
	epoll_ctl(s->ep, EPOLL_CTL_DEL, s->master, NULL);
	s->master = -1;
	s->master_events = 0;
	s->sink = -1;
	s->stdin_relay = false;
	s->in_len = s->in_off = 0;
}

/* The end of the input on the command's stdin pipe: close it, the command reads EOF. */
static void pipe_close(struct supervisor *s)
{
	if (s->pipe < 0)
		return;
	if (s->pipe_polled)
		epoll_ctl(s->ep, EPOLL_CTL_DEL, s->pipe, NULL);
	close(s->pipe);
	s->pipe = -1;
	s->pipe_polled = false;
	s->sink = -1;
	s->stdin_relay = false;
	s->in_len = s->in_off = 0;
}

static void client_send(struct supervisor *s, enum supervise_frame type, const void *data, size_t len);

/*
 * Read what the master has once: level-triggered epoll brings us back for
 * the rest. Return the byte count, 0 when there is nothing now, -1 when
 * the slave side has closed.
 */
static ssize_t master_to_stdout(struct supervisor *s)
{
	char buf[RELAY_BUF_SIZE];
	ssize_t n;

	do
		n = read(s->master, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		write_stdout(s, buf, (size_t)n);
		client_send(s, ATTACH_DATA, buf, (size_t)n);
		return n;
	}
	if (n < 0 && errno == EAGAIN)
		return 0;
	/* EIO: no slave descriptor is open any more */
	master_gone(s);
	return -1;
}

/* Write buffered stdin bytes to the master or the pipe until done or it is full. */
static void flush_stdin(struct supervisor *s)
{
	while (s->in_off < s->in_len && s->sink >= 0) {
		ssize_t n = write(s->sink, s->in + s->in_off, s->in_len - s->in_off);

		if (n > 0) {
			s->in_off += (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && errno == EAGAIN) {
			return; /* EPOLLOUT brings us back */
		} else if (s->sink == s->pipe) {
			/* EPIPE: nothing inside reads its stdin any more */
			sbx_debug("relay stdin: %s: stop", n < 0 ? strerror(errno) : "nothing written");
			pipe_close(s);
			break;
		} else {
			/* EIO: the slave side closed; the read side sees it too */
			s->stdin_relay = false;
			break;
		}
	}
	s->in_off = s->in_len = 0;
}

static long elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}
/* Forget the attached client; the next one may come. */
static void client_drop(struct supervisor *s)
{
	if (s->client < 0)
		return;
	epoll_ctl(s->ep, EPOLL_CTL_DEL, s->client, NULL);
	close(s->client);
	s->client = -1;
	s->client_events = 0;
	s->cin_len = 0;
	s->cout_off = s->cout_len = 0;
}

/* Send what is queued for the client, as far as it takes it now. */
static void client_flush(struct supervisor *s)
{
	while (s->client >= 0 && s->cout_off < s->cout_len) {
		ssize_t n = send(s->client, s->cout + s->cout_off, s->cout_len - s->cout_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			s->cout_off += (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return; /* EPOLLOUT brings us back */
		} else {
			sbx_debug("attach: send to the client: %s", n < 0 ? strerror(errno) : "nothing sent");
			client_drop(s);
			return;
		}
	}
	s->cout_off = s->cout_len = 0;
}

/* Queue one frame for the client (whole, or not at all if the queue is full) and send. */
static void client_send(struct supervisor *s, enum supervise_frame type, const void *data, size_t len)
{
	if (s->client < 0)
		return;
	if (s->cout_off > 0 && s->cout_len + ATTACH_HEADER_SIZE + len > ATTACH_QUEUE_SIZE) {
		memmove(s->cout, s->cout + s->cout_off, s->cout_len - s->cout_off);
		s->cout_len -= s->cout_off;
		s->cout_off = 0;
	}
	if (s->cout_len + ATTACH_HEADER_SIZE + len > ATTACH_QUEUE_SIZE) {
		sbx_debug("attach: the client is slow: %zu bytes of output dropped", len);
		return;
	}
	s->cout[s->cout_len++] = (char)type;
	s->cout[s->cout_len++] = (char)(len >> 8);
	s->cout[s->cout_len++] = (char)(len & 0xff);
	memcpy(s->cout + s->cout_len, data, len);
	s->cout_len += len;
	client_flush(s);
}

/* A new connection on the attach socket: the client, or a second one turned away. */
static void client_accept(struct supervisor *s)
{
	int fd = accept4(s->o->attach_listen, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	uint8_t flags = 0;

	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = EV_CLIENT};

	if (fd < 0)
		return; /* EAGAIN, or the client gave up already */
	if (s->client >= 0) {
		static const char busy[ATTACH_HEADER_SIZE] = {ATTACH_BUSY, 0, 0};

		(void)!send(fd, busy, sizeof(busy), MSG_NOSIGNAL | MSG_DONTWAIT);
		close(fd);
		return;
	}
	if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		close(fd);
		return;
	}
	s->client = fd;
	s->client_events = EPOLLIN;
	sbx_debug("attach: a client attached");
	if (s->o->stdin_open && s->master >= 0)
		flags |= ATTACH_HELLO_STDIN;
	client_send(s, ATTACH_HELLO, &flags, 1);
}

/*
 * Act on the complete frames the client sent, until one's input has to
 * wait for the master (s->in is busy): the rest stays in cin for later.
 */
static void client_process(struct supervisor *s)
{
	size_t off = 0;

	while (s->client >= 0 && s->in_len == 0 && s->cin_len - off >= ATTACH_HEADER_SIZE) {
		const unsigned char *h = (const unsigned char *)s->cin + off;
		size_t len = (size_t)h[1] << 8 | h[2];

		if (len > ATTACH_MAX_PAYLOAD || (h[0] != ATTACH_DATA && h[0] != ATTACH_RESIZE)) {
			sbx_debug("attach: malformed frame (type %u, length %zu): client dropped", h[0], len);
			client_drop(s);
			return;
		}
		if (s->cin_len - off < ATTACH_HEADER_SIZE + len)
			break;
		if (h[0] == ATTACH_RESIZE && len == 4 && s->master >= 0) {
			struct winsize ws = {.ws_row = (unsigned short)(h[3] << 8 | h[4]),
					     .ws_col = (unsigned short)(h[5] << 8 | h[6])};

			if (ws.ws_row > 0 && ws.ws_col > 0)
				ioctl(s->master, TIOCSWINSZ, &ws);
		} else if (h[0] == ATTACH_DATA && len > 0 && s->o->stdin_open && s->master >= 0) {
			memcpy(s->in, h + ATTACH_HEADER_SIZE, len);
			s->in_len = len;
			s->in_off = 0;
			flush_stdin(s);
		}
		off += ATTACH_HEADER_SIZE + len;
	}
	if (off > 0 && s->client >= 0) {
		memmove(s->cin, s->cin + off, s->cin_len - off);
		s->cin_len -= off;
	}
}

/* Read what the client sent; EOF (detached) or an error ends the connection. */
static void client_read(struct supervisor *s)
{
	ssize_t n;

	if (s->cin_len == sizeof(s->cin))
		return;
	do
		n = recv(s->client, s->cin + s->cin_len, sizeof(s->cin) - s->cin_len, MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n <= 0) {
		sbx_debug("attach: the client detached");
		client_drop(s);
		return;
	}
	s->cin_len += (size_t)n;
	client_process(s);
}

/* Watch the client for what it can do now: input while there is room, output while queued. */
static void client_update_interest(struct supervisor *s)
{
	uint32_t want;

	if (s->client < 0)
		return;
	want = (s->cin_len < sizeof(s->cin) ? EPOLLIN : 0) | (s->cout_off < s->cout_len ? EPOLLOUT : 0);
	if (want != s->client_events) {
		struct epoll_event ev = {.events = want, .data.u32 = EV_CLIENT};

		if (epoll_ctl(s->ep, EPOLL_CTL_MOD, s->client, &ev) < 0) {
			client_drop(s);
			return;
		}
		s->client_events = want;
	}
}

/* The sandbox has ended: tell the client the status, give it a moment to take the rest, close. */
static void client_finish(struct supervisor *s, int exit_status)
{
	uint8_t st = (uint8_t)exit_status;
	struct timespec start;

	client_send(s, ATTACH_EXIT, &st, 1);
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (s->client >= 0 && s->cout_off < s->cout_len) {
		struct pollfd p = {.fd = s->client, .events = POLLOUT};
		long left = DRAIN_TIMEOUT_MS - elapsed_ms(&start);

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		client_flush(s);
	}
	client_drop(s);
}

/*
 * Read stdin once (the terminal: job control may stop us here) and pass
 * it on. EOF, or an error such as EIO from a hung-up terminal or from a
 * read in the background with SIGTTIN ignored, ends the relay; on the pipe
 * the command then reads EOF.
 */
static void stdin_to_sink(struct supervisor *s)
{
	ssize_t n;

	do
		n = read(s->input, s->in, sizeof(s->in));
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		s->in_len = (size_t)n;
		s->in_off = 0;
		flush_stdin(s);
		return;
	}
	if (n < 0 && errno == EAGAIN)
		return; /* another reader of the terminal took the input first */
	s->stdin_relay = false;
	pipe_close(s);
}

/*
 * Register for what we can handle now: no stdin while its bytes wait for
 * the master or the pipe, which are watched for room (EPOLLOUT) then.
 */
static int update_interest(struct supervisor *s, struct sbx_error **err)
{
	bool want_stdin = s->stdin_relay && s->stdin_pollable && s->in_len == 0 && s->sink >= 0;
	bool want_pipe = s->pipe >= 0 && s->in_len > 0;

	if (s->master >= 0) {
		uint32_t want = EPOLLIN | (s->in_len > 0 ? EPOLLOUT : 0);

		if (want != s->master_events) {
			struct epoll_event ev = {.events = want, .data.u32 = EV_MASTER};

			if (epoll_ctl(s->ep, EPOLL_CTL_MOD, s->master, &ev) < 0)
				return sbx_error_set(err, errno, "watch the pty master");
			s->master_events = want;
		}
	}
	if (want_pipe != s->pipe_polled) {
		struct epoll_event ev = {.events = EPOLLOUT, .data.u32 = EV_PIPE};

		if (!want_pipe)
			epoll_ctl(s->ep, EPOLL_CTL_DEL, s->pipe, NULL);
		else if (epoll_ctl(s->ep, EPOLL_CTL_ADD, s->pipe, &ev) < 0)
			return sbx_error_set(err, errno, "watch the command's stdin pipe");
		s->pipe_polled = want_pipe;
	}
	if (want_stdin != s->stdin_polled) {
		struct epoll_event ev = {.events = EPOLLIN, .data.u32 = EV_STDIN};

		if (!want_stdin) {
			epoll_ctl(s->ep, EPOLL_CTL_DEL, s->input, NULL);
		} else if (epoll_ctl(s->ep, EPOLL_CTL_ADD, s->input, &ev) < 0) {
			/* EPERM: a regular file or /dev/null, read it without epoll */
			if (errno == EPERM)
				s->stdin_pollable = false;
			else
				s->stdin_relay = false;
			return 0;
		}
		s->stdin_polled = want_stdin;
	}
	return 0;
}

static void resize_pty(const struct supervisor *s)
{
	int term = tty_find_terminal();

	if (term >= 0 && s->master >= 0)
		tty_copy_winsize(term, s->master);
}

/* Write one line of the helper's log to stderr, made harmless for a terminal. */
static void helper_log_line(const char *p, size_t n)
{
	char line[HELPER_LOG_LINE_MAX + 1];

	for (size_t i = 0; i < n; i++)
		line[i] = p[i] == '\t' || (p[i] >= 0x20 && p[i] < 0x7f) ? p[i] : '?';
	line[n] = '\n';
	(void)!write(STDERR_FILENO, line, n + 1);
}

/*
 * Read what the helper logged and pass the complete lines on (a line of
 * HELPER_LOG_LINE_MAX bytes without its end goes as it is). Return the
 * byte count, 0 when there is nothing now, -1 at EOF (the helper is gone:
 * the rest is passed on and the pipe no longer watched).
 */
static ssize_t helper_log_read(struct supervisor *s)
{
	ssize_t n;
	char *nl;

	do
		n = read(s->o->helper_log, s->log + s->log_len, sizeof(s->log) - s->log_len);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n <= 0) {
		if (s->log_len)
			helper_log_line(s->log, s->log_len);
		s->log_len = 0;
		epoll_ctl(s->ep, EPOLL_CTL_DEL, s->o->helper_log, NULL);
		s->log_open = false;
		return -1;
	}
	s->log_len += (size_t)n;
	while ((nl = memchr(s->log, '\n', s->log_len))) {
		size_t len = (size_t)(nl - s->log);

		helper_log_line(s->log, len);
		memmove(s->log, nl + 1, s->log_len - len - 1);
		s->log_len -= len + 1;
	}
	if (s->log_len == sizeof(s->log)) {
		helper_log_line(s->log, s->log_len);
		s->log_len = 0;
	}
	return n;
}

/*
 * ^Z at the caller's terminal (or a SIGTSTP sent to us): without a pty,
 * stop the sandbox's process group (PID 1's, or the exec'd process's) with
 * SIGSTOP first: it is in a session of its own, out of reach of the
 * terminal's SIGTSTP (which an orphaned group would ignore anyway), and
 * would go on reading the terminal behind the user's shell. Then stop
 * ourselves, as a job of the shell; its `fg` or `bg` (SIGCONT) resumes us,
 * and we resume the group. With a pty the command's keys go to the inner
 * pty, and we only stop, as before.
 */
static void suspend(const struct supervisor *s)
{
	bool group = s->o->pty_master < 0 && !s->exited;
	sigset_t tstp;

	if (group)
		kill(-s->o->pid, SIGSTOP);
	/* the default action of SIGTSTP, for the shell's "Stopped"; it does
	 * nothing in an orphaned process group, and the group goes on */
	sigemptyset(&tstp);
	sigaddset(&tstp, SIGTSTP);
	raise(SIGTSTP);
	sigprocmask(SIG_UNBLOCK, &tstp, NULL);
	sigprocmask(SIG_BLOCK, &tstp, NULL);
	if (group)
		kill(-s->o->pid, SIGCONT);
}

/* Take every pending signal from the signalfd and act on it. */
static int handle_signals(struct supervisor *s, struct sbx_error **err)
{
	for (;;) {
		struct signalfd_siginfo si;
		ssize_t n = read(s->sfd, &si, sizeof(si));
		int signo;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n != (ssize_t)sizeof(si))
			return sbx_error_set(err, n < 0 ? errno : EIO, "read the signalfd");
		signo = (int)si.ssi_signo;
		if (signo == SIGCHLD) {
			if (check_exited(s, false, err) < 0)
				return -1;
		} else if (signo == SIGWINCH) {
			resize_pty(s);
		} else if (signo == SIGTSTP) {
			suspend(s);
		} else if (is_forwarded(signo)) {
			sbx_debug("forward signal %d to the sandbox", signo);
			forward_signal(s, signo);
		}
		/* SIGPIPE: the write that caused it saw EPIPE */
	}
}

/*
 * Relay what the pty still holds after PID 1 exited. With the PID namespace
 * gone every slave descriptor is closed, so the master reads the rest and
 * then EIO; the deadline only matters if a slave descriptor escaped.
 */
static void drain_master(struct supervisor *s)
{
	struct timespec start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (s->master >= 0) {
		struct pollfd p = {.fd = s->master, .events = POLLIN};
		long left = DRAIN_TIMEOUT_MS - elapsed_ms(&start);
		ssize_t n = master_to_stdout(s);

		if (n != 0)
			continue;
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
	}
}

/**
 * supervise_wait() - wait for the sandbox, forwarding signals and relaying the pty
 * @o:		what to wait for; o->pid must be a child of the caller
 * @exit_status:	set to init_exit_status() of o->pid
 * @err:	error out-parameter
 *
 * Runs the supervisor's event loop (see the top of this file) until o->pid
 * has exited and is reaped, then relays the output still in the pty.
 * o->pty_master is made non-blocking and is not closed (the caller owns
 * it); o->stdin_pipe is ours: it is closed at the end of the input (the
 * command's EOF) or before returning. The signals of
 * supervise_block_signals() are blocked, if the caller has not already,
 * and stay blocked: the caller restores its mask. Only
 * o->pid is ever waited for, so other children of the caller are left to
 * whoever owns them.
 *
 * Return: 0 with *exit_status set, or a negative value with *err set (the
 * sandbox may then still run: the caller kills and reaps it).
 */
int supervise_wait(const struct supervise_opts *o, int *exit_status, struct sbx_error **err)
{
	int in_pipe = o->stdin_pipe > STDERR_FILENO ? o->stdin_pipe : -1;
	struct supervisor s = {
	    .o = o,
	    .master = o->pty_master,
	    .input = o->input,
	    .pipe = in_pipe,
	    .sink = o->pty_master >= 0 ? o->pty_master : in_pipe,
	    /* detached, stdin is /dev/null: input comes from an attached client */
	    .stdin_relay = (o->pty_master >= 0 && o->stdin_open && !o->attach) || in_pipe >= 0,
	    .stdin_pollable = true,
	    .client = -1,
	};
	cleanup_free char *cout = NULL;
	cleanup_close int ep = -1;
	cleanup_close int sfd = -1;
	struct epoll_event ev;
	sigset_t set;

	supervise_signal_set(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0) {
		sbx_error_set(err, errno, "create a signalfd");
		goto fail;
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0) {
		sbx_error_set(err, errno, "create an epoll instance");
		goto fail;
	}
	s.ep = ep;
	s.sfd = sfd;

	ev = (struct epoll_event){.events = EPOLLIN, .data.u32 = EV_SIGNAL};
	if (epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev) < 0) {
		sbx_error_set(err, errno, "watch the signalfd");
		goto fail;
	}
	if (o->pidfd >= 0) {
		ev = (struct epoll_event){.events = EPOLLIN, .data.u32 = EV_PIDFD};
		if (epoll_ctl(ep, EPOLL_CTL_ADD, o->pidfd, &ev) < 0) {
			sbx_error_set(err, errno, "watch the pidfd of the sandbox");
			goto fail;
		}
	}
	if (s.master >= 0) {
		int flags = fcntl(s.master, F_GETFL);

		if (flags < 0 || fcntl(s.master, F_SETFL, flags | O_NONBLOCK) < 0) {
			sbx_error_set(err, errno, "make the pty master non-blocking");
			goto fail;
		}
		ev = (struct epoll_event){.events = EPOLLIN, .data.u32 = EV_MASTER};
		if (epoll_ctl(ep, EPOLL_CTL_ADD, s.master, &ev) < 0) {
			sbx_error_set(err, errno, "watch the pty master");
			goto fail;
		}
		s.master_events = EPOLLIN;
		resize_pty(&s);
	}
	if (o->helper_log > STDERR_FILENO) {
		ev = (struct epoll_event){.events = EPOLLIN, .data.u32 = EV_HELPER_LOG};
		if (epoll_ctl(ep, EPOLL_CTL_ADD, o->helper_log, &ev) < 0) {
			sbx_error_set(err, errno, "watch the network helper's log");
			goto fail;
		}
		s.log_open = true;
	}
	if (o->attach && s.master >= 0) {
		cout = xmalloc(ATTACH_QUEUE_SIZE);
		s.cout = cout;
		ev = (struct epoll_event){.events = EPOLLIN, .data.u32 = EV_LISTEN};
		if (epoll_ctl(ep, EPOLL_CTL_ADD, o->attach_listen, &ev) < 0) {
			sbx_error_set(err, errno, "watch the attach socket");
			goto fail;
		}
	}

	/* in case SIGCHLD was not blocked before clone and got lost */
	if (check_exited(&s, false, err) < 0)
		goto fail;

	while (!s.exited) {
		struct epoll_event evs[8];
		int timeout = -1;
		int n;

		if (s.client >= 0 && s.in_len == 0)
			client_process(&s);
		client_update_interest(&s);
		if (update_interest(&s, err) < 0)
			goto fail;
		if (s.stdin_relay && !s.stdin_pollable && s.in_len == 0 && s.sink >= 0) {
			/* a regular file or /dev/null: read never blocks */
			stdin_to_sink(&s);
			if (update_interest(&s, err) < 0)
				goto fail;
			if (s.stdin_relay && s.in_len == 0)
				timeout = 0;
		}
		n = epoll_wait(ep, evs, ARRAY_SIZE(evs), timeout);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			sbx_error_set(err, errno, "wait for events");
			goto fail;
		}
		for (int i = 0; i < n; i++) {
			uint32_t e = evs[i].events;

			switch (evs[i].data.u32) {
			case EV_SIGNAL:
				if (handle_signals(&s, err) < 0)
					goto fail;
				break;
			case EV_PIDFD:
				if (check_exited(&s, true, err) < 0)
					goto fail;
				break;
			case EV_MASTER:
				if ((e & EPOLLOUT) && s.master >= 0)
					flush_stdin(&s);
				if ((e & (EPOLLIN | EPOLLHUP | EPOLLERR)) && s.master >= 0)
					master_to_stdout(&s);
				break;
			case EV_STDIN:
				if (s.stdin_relay && s.in_len == 0)
					stdin_to_sink(&s);
				break;
			case EV_PIPE:
				if (s.pipe >= 0)
					flush_stdin(&s);
				break;
			case EV_LISTEN: client_accept(&s); break;
			case EV_HELPER_LOG:
				if (s.log_open)
					helper_log_read(&s);
				break;
			case EV_CLIENT:
				if ((e & EPOLLOUT) && s.client >= 0)
					client_flush(&s);
				if ((e & (EPOLLHUP | EPOLLERR)) && s.cin_len == sizeof(s.cin))
					client_drop(&s); /* gone, and we cannot read its EOF now */
				if ((e & (EPOLLIN | EPOLLHUP | EPOLLERR)) && s.client >= 0)
					client_read(&s);
				break;
			}
		}
	}

	pipe_close(&s);
	drain_master(&s);
	while (s.log_open && helper_log_read(&s) > 0)
		;
	/* a SIGPIPE from the last writes must not hit the caller when it unblocks */
	handle_signals(&s, NULL);
	*exit_status = init_exit_status(s.wstatus);
	client_finish(&s, *exit_status);
	return 0;
fail:
	pipe_close(&s);
	client_drop(&s);
	return -1;
}

/*
 * The address of RUNROOT/<id>/attach.sock. A path too long for sun_path
 * (a long RUNROOT) goes through /proc/self/fd/N of the directory, opened
 * into *dirfd, which the caller closes after bind or connect.
 */
static int attach_addr(const char *rundir, struct sockaddr_un *sa, int *dirfd, struct sbx_error **err)
{
	int n;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	n = snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/%s", rundir, SUPERVISE_ATTACH_SOCK);
	if (n > 0 && (size_t)n < sizeof(sa->sun_path))
		return 0;
	*dirfd = open(rundir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*dirfd < 0)
		return sbx_error_set(err, errno, "open `%s`", rundir);
	snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/%s", *dirfd, SUPERVISE_ATTACH_SOCK);
	return 0;
}

/**
 * supervise_attach_listen() - listen for `sandbox attach` in a sandbox's rundir
 * @rundir:	RUNROOT/<id> (mode 0700); the socket goes away with it
 * @err:	error out-parameter
 *
 * Return: the listening socket (non-blocking, close-on-exec, mode 0600),
 * for supervise_opts.attach_listen, or a negative value with *err set.
 */
int supervise_attach_listen(const char *rundir, struct sbx_error **err)
{
	cleanup_close int dirfd = -1;
	cleanup_close int fd = -1;
	struct sockaddr_un sa;
	mode_t old;
	int r;

	if (attach_addr(rundir, &sa, &dirfd, err) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return sbx_error_set(err, errno, "create the attach socket");
	/* the mode comes from the umask at bind time; the supervisor is single-threaded */
	old = umask(0177);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0 || listen(fd, 4) < 0)
		return sbx_error_set(err, errno, "listen on `%s/%s`", rundir, SUPERVISE_ATTACH_SOCK);
	return take_fd(&fd);
}

/**
 * supervise_attach_connect() - connect to the attach socket of a sandbox
 * @rundir:	RUNROOT/<id>
 * @err:	error out-parameter; (*err)->errnum is ENOENT when there is no
 *		socket (not started with -d -t), ECONNREFUSED when nobody
 *		listens any more (the sandbox has ended)
 *
 * Return: the connected socket (blocking, close-on-exec), or a negative
 * value with *err set.
 */
int supervise_attach_connect(const char *rundir, struct sbx_error **err)
{
	cleanup_close int dirfd = -1;
	cleanup_close int fd = -1;
	struct sockaddr_un sa;
	int r;

	if (attach_addr(rundir, &sa, &dirfd, err) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return sbx_error_set(err, errno, "create a socket");
	do
		r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return sbx_error_set(err, errno, "connect to `%s/%s`", rundir, SUPERVISE_ATTACH_SOCK);
	return take_fd(&fd);
}
