// SPDX-License-Identifier: GPL-2.0-or-later
/* tty.c - pseudo-terminals for -t, raw mode, descriptor passing, the stdin relay of -i
 *
 * Theory of operation: the pty of `run -t` belongs to the sandbox. PID 1
 * opens it on the sandbox's own devpts instance (mounted with newinstance
 * at /dev/pts, /dev/ptmx a symlink to pts/ptmx) so that the command cannot
 * see or reach the host's ptys, and so that the slave's owner is an ID
 * that exists inside. The command (PID 2) makes the slave its controlling
 * terminal in a session of its own; PID 1 keeps nothing of it and sends the
 * master to the supervisor, the only process outside the sandbox that
 * holds a pty descriptor. The supervisor puts its own terminal in raw mode
 * and relays bytes (supervise.c): ^C, ^Z, ... reach the inner pty as bytes
 * and the inner line discipline turns them into signals for the command.
 */
#include "tty.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* Most descriptors one message may carry before we call it an error. */
#define TTY_MAX_FDS 4

/**
 * tty_find_terminal() - the caller's terminal, if any
 *
 * Return: the first of 0, 1, 2 that is a terminal, or -1.
 */
int tty_find_terminal(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (isatty(fd))
			return fd;
	return -1;
}

/**
 * tty_open_pty() - open a new pseudo-terminal pair
 * @master:	set to the master side (O_CLOEXEC)
 * @slave:	set to the slave side (O_CLOEXEC, O_NOCTTY)
 * @err:	error out-parameter
 *
 * Opens /dev/ptmx, which inside the sandbox leads to the sandbox's own
 * devpts instance. The slave is opened with TIOCGPTPEER (Linux >= 4.13)
 * from the master itself: opening "/dev/pts/N" by name follows whatever is
 * mounted or linked at that path, which need not be the devpts instance
 * behind /dev/ptmx (the path confusion TIOCGPTPEER was added against); the
 * name is only the fallback for older kernels. The new pty gets
 * the window size of the caller's terminal, if it has one, so the command
 * starts with the right size.
 *
 * Return: 0, or a negative value with *err set.
 */
int tty_open_pty(int *master, int *slave, struct sbx_error **err)
{
	cleanup_close int m = -1;
	cleanup_close int s = -1;
	int term;

	m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return sbx_error_set(err, errno, "open `/dev/ptmx`");
	if (unlockpt(m) < 0)
		return sbx_error_set(err, errno, "unlock the pty of `/dev/ptmx`");
	s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0) {
		unsigned int n;
		char path[64];

		if (ioctl(m, TIOCGPTN, &n) < 0)
			return sbx_error_set(err, errno, "get the pty number of `/dev/ptmx`");
		snprintf(path, sizeof(path), "/dev/pts/%u", n);
		s = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (s < 0)
			return sbx_error_set(err, errno, "open the pty slave `%s`", path);
	}
	term = tty_find_terminal();
	if (term >= 0) {
		tty_copy_winsize(term, s); /* best effort */
	} else {
		/* no terminal (run -d -t): the size docker and podman give */
		struct winsize ws = {.ws_row = 24, .ws_col = 80};

		ioctl(s, TIOCSWINSZ, &ws);
	}
	*master = take_fd(&m);
	*slave = take_fd(&s);
	return 0;
}

/**
 * tty_new_session() - be the leader of a session of one's own
 * @err:	error out-parameter
 *
 * setsid(2), unless the caller leads a session already (PID 1 of a
 * sandbox with --init=false did it before). The new session has no
 * controlling terminal: the caller's terminal is then not ours, so
 * TIOCSTI on it fails (EPERM without CAP_SYS_ADMIN in the initial user
 * namespace), no signal of its line discipline reaches us, and kill(0, ...)
 * reaches our own process group only.
 *
 * Return: 0, or a negative value with *err set.
 */
int tty_new_session(struct sbx_error **err)
{
	if (getsid(0) == getpid())
		return 0;
	if (setsid() < 0)
		return sbx_error_set(err, errno, "start a new session");
	return 0;
}

/**
 * tty_make_controlling() - make a pty slave the controlling terminal and stdio
 * @slave:	the slave from tty_open_pty()
 * @err:	error out-parameter
 *
 * Starts a new session (tty_new_session()), makes @slave its controlling terminal and
 * duplicates it onto 0, 1 and 2 without O_CLOEXEC, so that they survive
 * execve. @slave itself is closed when it is not one of 0, 1, 2.
 *
 * Return: 0, or a negative value with *err set.
 */
int tty_make_controlling(int slave, struct sbx_error **err)
{
	if (tty_new_session(err) < 0)
		return -1;
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return sbx_error_set(err, errno, "make the pty the controlling terminal");
	for (int fd = 0; fd <= 2; fd++) {
		if (fd == slave) {
			/* dup2(fd, fd) is a no-op that would keep O_CLOEXEC */
			int flags = fcntl(fd, F_GETFD);

			if (flags < 0 || fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) < 0)
				return sbx_error_set(err, errno, "clear close-on-exec on fd %d", fd);
		} else if (dup2(slave, fd) < 0) {
			return sbx_error_set(err, errno, "duplicate the pty onto fd %d", fd);
		}
	}
	if (slave > 2)
		close(slave);
	return 0;
}

/**
 * tty_send_fd() - send a descriptor and a small payload in one message
 * @sock:	a SOCK_SEQPACKET (or SOCK_STREAM) unix socket
 * @fd:		descriptor to pass, or -1 to send the payload alone
 * @data:	payload; one zero byte is sent when @len is 0 (a message needs one)
 * @len:	payload length
 * @err:	error out-parameter
 *
 * Return: 0, or a negative value with *err set.
 */
int tty_send_fd(int sock, int fd, const void *data, size_t len, struct sbx_error **err)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	char zero = 0;
	struct iovec iov = {.iov_base = (void *)data, .iov_len = len};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	if (len == 0) {
		iov.iov_base = &zero;
		iov.iov_len = 1;
	}
	if (fd >= 0) {
		struct cmsghdr *cmsg;

		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return sbx_error_set(err, errno, "send a descriptor");
	if ((size_t)n != iov.iov_len)
		return sbx_error_set(err, EMSGSIZE, "send a descriptor: short write");
	return 0;
}

/* Take the descriptors out of a received message: the first to *fd, close the rest. */
static int take_rights(struct msghdr *msg, int *fd)
{
	int extra = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		size_t n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int got;

			memcpy(&got, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (*fd < 0) {
				*fd = got;
			} else {
				close(got);
				extra++;
			}
		}
	}
	return extra;
}

/**
 * tty_recv_fd() - receive a message sent by tty_send_fd()
 * @sock:	the other end of tty_send_fd()'s socket
 * @fd:		set to the received descriptor (O_CLOEXEC), or -1 if none came
 * @data:	buffer for the payload
 * @len:	its size: a longer payload is an error (0 matches a 0-length send)
 * @err:	error out-parameter
 *
 * A message carrying more than one descriptor, or a payload longer than
 * @len, is refused (and the descriptors closed). The peer closing the
 * socket is an error with errno ECONNRESET.
 *
 * Return: the payload length (0 for a 0-length send), or a negative value
 * with *err set and *fd == -1.
 */
int tty_recv_fd(int sock, int *fd, void *data, size_t len, struct sbx_error **err)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * TTY_MAX_FDS)];
	} u;
	char zero;
	struct iovec iov = {.iov_base = data, .iov_len = len};
	struct msghdr msg = {
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = u.buf,
	    .msg_controllen = sizeof(u.buf),
	};
	cleanup_close int got = -1;
	ssize_t n;

	*fd = -1;
	if (len == 0) {
		iov.iov_base = &zero;
		iov.iov_len = 1;
	}
	memset(&u, 0, sizeof(u));
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return sbx_error_set(err, errno, "receive a descriptor");
	if (take_rights(&msg, &got) > 0)
		return sbx_error_set(err, EPROTO, "receive a descriptor: more than one came");
	if (msg.msg_flags & MSG_CTRUNC)
		return sbx_error_set(err, EMSGSIZE, "receive a descriptor: control data truncated");
	if (msg.msg_flags & MSG_TRUNC)
		return sbx_error_set(err, EMSGSIZE, "receive a descriptor: payload longer than %zu bytes",
				     len);
	if (n == 0)
		return sbx_error_set(err, ECONNRESET, "receive a descriptor");
	*fd = take_fd(&got);
	return len == 0 ? 0 : (int)n;
}

/**
 * tty_raw_enter() - put a terminal in raw mode (as cfmakeraw(3))
 * @fd:		the terminal
 * @r:		filled with what tty_raw_restore() needs; zero-initialise it
 * @err:	error out-parameter
 *
 * No echo, no line editing, no signal keys, no CR/NL translation, 8 bits,
 * read returns as soon as one byte is there. Calling it again on an active
 * @r changes nothing (the first saved state is what gets restored).
 *
 * Return: 0, or a negative value with *err set (and the terminal as it was).
 */
int tty_raw_enter(int fd, struct tty_raw *r, struct sbx_error **err)
{
	struct termios raw;

	if (r->active)
		return 0;
	if (tcgetattr(fd, &r->saved) < 0)
		return sbx_error_set(err, errno, "get the terminal attributes of fd %d", fd);
	r->fd = fd;
	raw = r->saved;
	cfmakeraw(&raw);
	/* active first: tcsetattr may apply part of the change and fail */
	r->active = true;
	if (tcsetattr(fd, TCSANOW, &raw) < 0) {
		int saved_errno = errno;

		tty_raw_restore(r);
		return sbx_error_set(err, saved_errno, "put the terminal on fd %d in raw mode", fd);
	}
	return 0;
}

/**
 * tty_raw_restore() - give a terminal back the attributes tty_raw_enter() saved
 * @r:		as filled by tty_raw_enter(); may be NULL or inactive
 *
 * Idempotent, preserves errno, and uses only tcsetattr (async-signal-safe),
 * so it may be called from an atexit handler or a fatal-signal handler as
 * well as on the normal path.
 */
void tty_raw_restore(struct tty_raw *r)
{
	int saved_errno = errno;

	if (!r || !r->active)
		return;
	while (tcsetattr(r->fd, TCSANOW, &r->saved) < 0 && errno == EINTR)
		;
	/* cleared after: a handler interrupting us restores once more, harmless */
	r->active = false;
	errno = saved_errno;
}

/**
 * tty_copy_winsize() - give a terminal the window size of another
 * @from:	terminal to read the size of
 * @to:		terminal (or pty master) to set it on; its foreground
 *		process group gets SIGWINCH from the kernel if it changed
 *
 * Return: 0, or -errno.
 */
int tty_copy_winsize(int from, int to)
{
	struct winsize ws;

	if (ioctl(from, TIOCGWINSZ, &ws) < 0)
		return -errno;
	if (ioctl(to, TIOCSWINSZ, &ws) < 0)
		return -errno;
	return 0;
}

/*
 * Stdin's terminal, opened again for reading (O_NONBLOCK): through
 * /proc/self/fd/0, or, for a terminal of another user (su without a pty of
 * its own) that is our controlling terminal, through /dev/tty, which checks
 * no owner. Return the descriptor, or -1.
 */
static int reopen_stdin_terminal(void)
{
	const int flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	struct stat in, st;
	int fd;

	if (fstat(STDIN_FILENO, &in) < 0)
		return -1;
	fd = open("/proc/self/fd/0", flags);
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == in.st_rdev && isatty(fd))
		return fd;
	if (fd >= 0)
		close(fd);
	/* TIOCGSID fails unless stdin is our controlling terminal, which
	 * /dev/tty then is (its inode is /dev/tty's: no device to compare) */
	if (tcgetsid(STDIN_FILENO) < 0)
		return -1;
	return open("/dev/tty", flags);
}

/**
 * tty_input_relay_open() - a pipe as the command's stdin, when stdin is a terminal
 * @r:		set up (or left as TTY_INPUT_RELAY_INIT when stdin is no terminal)
 * @err:	error out-parameter
 *
 * With -i and no -t the command would read the caller's terminal itself,
 * from a session of its own: job control never stops it, and a sandbox in
 * the background would read the keys typed at the user's shell. Instead
 * the command reads a pipe (@r->rd), and the supervisor, which stays in
 * the caller's process group, relays the terminal into it (@r->wr, made
 * non-blocking): in the background its read of the terminal stops it
 * with SIGTTIN, as for any job. docker and podman relay through pipes too.
 *
 * The supervisor reads the terminal through @r->term, an open file
 * description of its own (O_NONBLOCK): the user's shell shares the one on
 * stdin, whose flags are not ours to change, and a read that lost a line
 * to another reader of the terminal (or to the shell while job control
 * had us stopped) must not block the event loop. A terminal that cannot
 * be opened again (another user's, not our controlling terminal: no job
 * control then) is read through stdin itself. Nothing is done when stdin is no terminal: a pipe
 * or a file stays the command's stdin as it is.
 *
 * Return: 0, or a negative value with *err set (nothing left open).
 */
int tty_input_relay_open(struct tty_input_relay *r, struct sbx_error **err)
{
	cleanup_close int term = -1;
	int p[2];

	*r = (struct tty_input_relay)TTY_INPUT_RELAY_INIT;
	if (!isatty(STDIN_FILENO))
		return 0;
	term = reopen_stdin_terminal();
	if (term < 0)
		sbx_debug("read the terminal through stdin: it cannot be opened again");
	if (pipe2(p, O_CLOEXEC) < 0)
		return sbx_error_set(err, errno, "create the pipe for the command's stdin");
	if (fcntl(p[1], F_SETFL, O_NONBLOCK) < 0) {
		int e = errno;

		close(p[0]);
		close(p[1]);
		return sbx_error_set(err, e, "make the command's stdin pipe non-blocking");
	}
	r->rd = p[0];
	r->wr = p[1];
	r->term = term >= 0 ? take_fd(&term) : STDIN_FILENO;
	return 0;
}

/**
 * tty_input_relay_child() - the pipe as stdin, in the process that forks the command
 * @r:		from tty_input_relay_open() (a copy, after fork or clone)
 * @err:	error out-parameter
 *
 * Makes @r->rd stdin and closes the supervisor's ends here, so that its
 * close of the write end is the command's EOF. Nothing is done without a
 * relay.
 *
 * Return: 0, or a negative value with *err set.
 */
int tty_input_relay_child(struct tty_input_relay *r, struct sbx_error **err)
{
	if (r->rd < 0)
		return 0;
	if (dup2(r->rd, STDIN_FILENO) < 0)
		return sbx_error_set(err, errno, "make the input pipe stdin");
	tty_input_relay_close(r);
	return 0;
}

/**
 * tty_input_relay_close() - close what is left of a relay
 * @r:		from tty_input_relay_open(); fields already taken are -1
 *
 * Stdin itself (@r->term when the terminal was not opened again) stays.
 */
void tty_input_relay_close(struct tty_input_relay *r)
{
	if (r->rd >= 0)
		close(take_fd(&r->rd));
	if (r->wr >= 0)
		close(take_fd(&r->wr));
	if (r->term > STDERR_FILENO)
		close(r->term);
	r->term = -1;
}
