// SPDX-License-Identifier: GPL-2.0-or-later
/* test_tty.c - unit tests of ptys, raw mode, fd passing and the supervisor's pty relay
 *
 * Everything runs on the host's /dev/ptmx. The relay tests play the real
 * roles: a forked supervisor (stdin and stdout redirected to pipes) runs
 * supervise_wait() on the master, its child makes the slave its
 * controlling terminal as the sandbox's command does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "init.h"
#include "supervise.h"
#include "syscalls.h"
#include "tty.h"

#define TIMEOUT_MS 20000

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Wait for a child, at most TIMEOUT_MS; kill it and fail the test after that. */
static int reap(pid_t pid)
{
	int st = 0;

	for (int i = 0; i < TIMEOUT_MS; i++) {
		pid_t p = waitpid(pid, &st, WNOHANG);

		if (p == pid)
			return st;
		if (p < 0 && errno != EINTR)
			fail_msg("waitpid %d: %s", (int)pid, strerror(errno));
		sleep_ms(1);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	fail_msg("process %d still running after %d ms", (int)pid, TIMEOUT_MS);
	return -1;
}

static bool is_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	return flags >= 0 && (flags & FD_CLOEXEC);
}

/* ---- descriptor passing -------------------------------------------------- */

static void seqpacket_pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
}

static void test_fd_passing_roundtrip(void **state)
{
	struct sbx_error *err = NULL;
	int sv[2], p[2], fd = -1;
	char buf[16] = {0};

	(void)state;
	seqpacket_pair(sv);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(tty_send_fd(sv[0], p[1], "hello", 5, &err), 0);
	assert_int_equal(tty_recv_fd(sv[1], &fd, buf, sizeof(buf), &err), 5);
	assert_null(err);
	assert_memory_equal(buf, "hello", 5);
	assert_true(fd >= 0);
	assert_int_not_equal(fd, p[1]);
	assert_true(is_cloexec(fd));
	/* it is the same pipe */
	close(p[1]);
	assert_int_equal(write(fd, "x", 1), 1);
	assert_int_equal(read(p[0], buf, 1), 1);
	assert_int_equal(buf[0], 'x');
	close(fd);
	close(p[0]);
	close(sv[0]);
	close(sv[1]);
}

static void test_fd_passing_without_fd(void **state)
{
	struct sbx_error *err = NULL;
	int sv[2], fd = 42;
	char buf[8] = {0};

	(void)state;
	seqpacket_pair(sv);
	assert_int_equal(tty_send_fd(sv[0], -1, "abc", 3, &err), 0);
	assert_int_equal(tty_recv_fd(sv[1], &fd, buf, sizeof(buf), &err), 3);
	assert_int_equal(fd, -1);
	assert_string_equal(buf, "abc");
	close(sv[0]);
	close(sv[1]);
}

static void test_fd_passing_zero_payload(void **state)
{
	struct sbx_error *err = NULL;
	int sv[2], fd = -1;

	(void)state;
	seqpacket_pair(sv);
	assert_int_equal(tty_send_fd(sv[0], STDERR_FILENO, NULL, 0, &err), 0);
	assert_int_equal(tty_recv_fd(sv[1], &fd, NULL, 0, &err), 0);
	assert_true(fd > STDERR_FILENO);
	close(fd);
	close(sv[0]);
	close(sv[1]);
}

static void test_fd_passing_errors(void **state)
{
	struct sbx_error *err = NULL;
	int sv[2], p[2], fd = 42;
	char buf[4];

	(void)state;
	/* a payload longer than the buffer is refused, the fd does not leak out */
	seqpacket_pair(sv);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(tty_send_fd(sv[0], p[0], "0123456789", 10, &err), 0);
	assert_true(tty_recv_fd(sv[1], &fd, buf, sizeof(buf), &err) < 0);
	assert_int_equal(fd, -1);
	assert_non_null(err);
	assert_int_equal(err->errnum, EMSGSIZE);
	sbx_error_free(err);
	err = NULL;

	/* the peer closing is ECONNRESET */
	close(sv[0]);
	fd = 42;
	assert_int_equal(tty_recv_fd(sv[1], &fd, buf, sizeof(buf), &err), -ECONNRESET);
	assert_int_equal(fd, -1);
	assert_non_null(err);
	sbx_error_free(err);
	err = NULL;

	/* sending on a closed socket is an error, not a SIGPIPE */
	assert_true(tty_send_fd(sv[1], p[1], "x", 1, &err) < 0);
	assert_int_equal(err->errnum, EPIPE);
	sbx_error_free(err);
	close(sv[1]);
	close(p[0]);
	close(p[1]);
}

/* ---- ptys ---------------------------------------------------------------- */

static void open_pty(int *master, int *slave)
{
	struct sbx_error *err = NULL;

	if (tty_open_pty(master, slave, &err) < 0) {
		print_message("tty_open_pty: %s\n", err->msg);
		sbx_error_free(err);
		fail();
	}
}

static void test_open_pty(void **state)
{
	char buf[32] = {0};
	char *name, *slave_name;
	int master, slave;

	(void)state;
	open_pty(&master, &slave);
	assert_true(is_cloexec(master));
	assert_true(is_cloexec(slave));
	assert_true(isatty(slave));
	/* the slave is the master's own peer */
	name = strdup(ptsname(master));
	slave_name = ttyname(slave);
	assert_non_null(slave_name);
	assert_string_equal(name, slave_name);
	free(name);
	/* and bytes flow */
	assert_int_equal(write(master, "ping\n", 5), 5);
	assert_int_equal(read(slave, buf, sizeof(buf)), 5);
	assert_string_equal(buf, "ping\n");
	close(master);
	close(slave);
}

/* O_NOCTTY: a session leader without a terminal does not get the new pty. */
static void test_open_pty_does_not_become_controlling(void **state)
{
	pid_t p;

	(void)state;
	p = fork();
	assert_true(p >= 0);
	if (p == 0) {
		int m, s;

		if (setsid() < 0 || tty_open_pty(&m, &s, NULL) < 0)
			_exit(2);
		_exit(open("/dev/tty", O_RDWR | O_CLOEXEC) < 0 && errno == ENXIO ? 0 : 1);
	}
	assert_int_equal(init_exit_status(reap(p)), 0);
}

/* Child: become the pty's controlling process; exit 0 when all is as it should be. */
static _Noreturn void check_controlling(int slave)
{
	int code = 0;

	if (tty_make_controlling(slave, NULL) < 0)
		_exit(2);
	for (int fd = 0; fd <= 2; fd++) {
		if (!isatty(fd))
			code |= 4;
		if (is_cloexec(fd))
			code |= 8;
	}
	if (tcgetsid(0) != getpid())
		code |= 16;
	if (slave > 2 && fcntl(slave, F_GETFD) >= 0)
		code |= 32;
	if (open("/dev/tty", O_RDWR | O_CLOEXEC) < 0)
		code |= 64;
	_exit(code);
}

static void test_make_controlling(void **state)
{
	int master, slave;
	pid_t p;

	(void)state;
	open_pty(&master, &slave);
	p = fork();
	assert_true(p >= 0);
	if (p == 0)
		check_controlling(slave);
	assert_int_equal(init_exit_status(reap(p)), 0);

	/* a slave that already is fd 0 (with O_CLOEXEC) must lose O_CLOEXEC */
	p = fork();
	assert_true(p >= 0);
	if (p == 0) {
		if (dup3(slave, 0, O_CLOEXEC) < 0)
			_exit(3);
		close(slave);
		check_controlling(0);
	}
	assert_int_equal(init_exit_status(reap(p)), 0);
	close(master);
	close(slave);
}

static void test_raw_enter_restore(void **state)
{
	struct tty_raw r = {.fd = -1};
	struct sbx_error *err = NULL;
	struct termios orig, now;
	int master, slave;

	(void)state;
	open_pty(&master, &slave);
	assert_int_equal(tcgetattr(slave, &orig), 0);

	assert_int_equal(tty_raw_enter(slave, &r, &err), 0);
	assert_true(r.active);
	assert_int_equal(tcgetattr(slave, &now), 0);
	assert_int_equal(now.c_lflag & (ICANON | ECHO | ISIG | IEXTEN), 0);
	assert_int_equal(now.c_iflag & (ICRNL | IXON | BRKINT), 0);
	assert_int_equal(now.c_oflag & OPOST, 0);
	assert_int_equal(now.c_cflag & CSIZE, CS8);
	assert_int_equal(now.c_cc[VMIN], 1);
	assert_int_equal(now.c_cc[VTIME], 0);
	/* entering again keeps the first saved state */
	assert_int_equal(tty_raw_enter(slave, &r, &err), 0);

	tty_raw_restore(&r);
	assert_false(r.active);
	assert_int_equal(tcgetattr(slave, &now), 0);
	assert_int_equal(now.c_iflag, orig.c_iflag);
	assert_int_equal(now.c_oflag, orig.c_oflag);
	assert_int_equal(now.c_cflag, orig.c_cflag);
	assert_int_equal(now.c_lflag, orig.c_lflag);
	assert_memory_equal(now.c_cc, orig.c_cc, sizeof(orig.c_cc));
	assert_int_equal(cfgetispeed(&now), cfgetispeed(&orig));
	assert_int_equal(cfgetospeed(&now), cfgetospeed(&orig));

	/* a second restore does nothing: a later change stays */
	now.c_lflag &= ~ECHO;
	assert_int_equal(tcsetattr(slave, TCSANOW, &now), 0);
	errno = EXDEV;
	tty_raw_restore(&r);
	assert_int_equal(errno, EXDEV);
	assert_int_equal(tcgetattr(slave, &now), 0);
	assert_int_equal(now.c_lflag & ECHO, 0);

	/* zero-initialised and NULL are inactive */
	{
		struct tty_raw zero = {0};

		tty_raw_restore(&zero);
		tty_raw_restore(NULL);
	}
	close(master);
	close(slave);
}

static void test_raw_enter_not_a_tty(void **state)
{
	struct tty_raw r = {.fd = -1};
	struct sbx_error *err = NULL;
	int p[2];

	(void)state;
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_true(tty_raw_enter(p[0], &r, &err) < 0);
	assert_false(r.active);
	assert_int_equal(err->errnum, ENOTTY);
	sbx_error_free(err);
	tty_raw_restore(&r);
	close(p[0]);
	close(p[1]);
}

static void set_winsize(int fd, unsigned short rows, unsigned short cols)
{
	struct winsize ws = {.ws_row = rows, .ws_col = cols};

	assert_int_equal(ioctl(fd, TIOCSWINSZ, &ws), 0);
}

static void test_copy_winsize(void **state)
{
	int am, as, bm, bs, p[2];
	struct winsize ws;

	(void)state;
	open_pty(&am, &as);
	open_pty(&bm, &bs);
	set_winsize(as, 30, 100);
	assert_int_equal(tty_copy_winsize(as, bm), 0);
	assert_int_equal(ioctl(bs, TIOCGWINSZ, &ws), 0);
	assert_int_equal(ws.ws_row, 30);
	assert_int_equal(ws.ws_col, 100);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(tty_copy_winsize(p[0], bm), -ENOTTY);
	close(p[0]);
	close(p[1]);
	close(am);
	close(as);
	close(bm);
	close(bs);
}

/* ---- the supervisor's pty relay ------------------------------------------ */

struct relay_test {
	int stdin_fd;  /* the supervisor's stdin */
	int stderr_fd; /* its stderr (a terminal for the winsize test), or -1 */
	bool ctty;     /* stderr_fd becomes the supervisor's controlling tty */
	bool stdin_open;
	bool use_pidfd;
	void (*command)(void); /* runs on the pty, must _exit */
};

/* Fork a supervisor; return its pid, its stdout in *out. */
static pid_t start_supervisor(const struct relay_test *t, int *out)
{
	int o[2];
	pid_t sup;

	assert_int_equal(pipe2(o, O_CLOEXEC), 0);
	sup = fork();
	assert_true(sup >= 0);
	if (sup == 0) {
		struct supervise_opts so = {.pty_master = -1, .pidfd = -1};
		int master, slave, status;
		sigset_t saved;
		pid_t cmd;

		if (dup2(t->stdin_fd, 0) < 0 || dup2(o[1], 1) < 0)
			_exit(120);
		if (t->stderr_fd >= 0 && dup2(t->stderr_fd, 2) < 0)
			_exit(120);
		if (t->ctty && (setsid() < 0 || ioctl(2, TIOCSCTTY, 0) < 0))
			_exit(120);
		supervise_block_signals(&saved);
		if (tty_open_pty(&master, &slave, NULL) < 0)
			_exit(121);
		cmd = fork();
		if (cmd < 0)
			_exit(122);
		if (cmd == 0) {
			init_restore_signals(&saved);
			alarm(TIMEOUT_MS / 1000 + 10);
			close(master);
			if (tty_make_controlling(slave, NULL) < 0)
				_exit(123);
			t->command();
			_exit(0);
		}
		close(slave);
		so.pid = cmd;
		so.pty_master = master;
		so.stdin_open = t->stdin_open;
		if (t->use_pidfd)
			so.pidfd = sys_pidfd_open(cmd, 0);
		if (supervise_wait(&so, &status, NULL) < 0)
			_exit(124);
		_exit(status);
	}
	close(o[1]);
	*out = o[0];
	return sup;
}

/*
 * Read the supervisor's stdout until EOF (or until @until shows up, when
 * not NULL). Return a malloc'd NUL-terminated string.
 */
static char *read_output(int fd, const char *until, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);

	assert_non_null(buf);
	for (int waited = 0; waited < TIMEOUT_MS;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t r;

		buf[n] = '\0';
		if (until && strstr(buf, until))
			break;
		if (poll(&p, 1, 100) == 0) {
			waited += 100;
			continue;
		}
		if (n + 1024 >= cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static _Noreturn void cmd_echo_line(void)
{
	char line[128];
	ssize_t n = read(0, line, sizeof(line) - 1);

	if (n <= 0)
		_exit(9);
	line[n] = '\0';
	printf("got: %s", line);
	fflush(stdout);
	_exit(5);
}

static void test_supervise_relays_stdin_and_output(void **state)
{
	struct relay_test t = {.stderr_fd = -1, .stdin_open = true, .command = cmd_echo_line};
	int in[2], out;
	pid_t sup;
	char *s;

	(void)state;
	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	t.stdin_fd = in[0];
	for (int pidfd = 0; pidfd <= 1; pidfd++) {
		t.use_pidfd = pidfd;
		sup = start_supervisor(&t, &out);
		assert_int_equal(write(in[1], "hello\n", 6), 6);
		s = read_output(out, NULL, NULL);
		close(out);
		assert_int_equal(init_exit_status(reap(sup)), 5);
		/* the command's answer, after the pty's echo, with ONLCR's \r */
		assert_non_null(strstr(s, "got: hello\r\n"));
		free(s);
	}
	close(in[0]);
	close(in[1]);
}

/* stdin a regular file: not pollable, read without epoll */
static void test_supervise_stdin_regular_file(void **state)
{
	struct relay_test t = {
	    .stderr_fd = -1, .stdin_open = true, .use_pidfd = true, .command = cmd_echo_line};
	int mfd, out;
	pid_t sup;
	char *s;

	(void)state;
	mfd = memfd_create("stdin", MFD_CLOEXEC);
	assert_true(mfd >= 0);
	assert_int_equal(write(mfd, "from a file\n", 12), 12);
	assert_int_equal(lseek(mfd, 0, SEEK_SET), 0);
	t.stdin_fd = mfd;
	sup = start_supervisor(&t, &out);
	s = read_output(out, NULL, NULL);
	close(out);
	assert_int_equal(init_exit_status(reap(sup)), 5);
	assert_non_null(strstr(s, "got: from a file\r\n"));
	free(s);
	close(mfd);
}

static _Noreturn void cmd_big_output(void)
{
	char chunk[1000];

	memset(chunk, 'x', sizeof(chunk));
	for (int i = 0; i < 200; i++)
		if (write(1, chunk, sizeof(chunk)) != (ssize_t)sizeof(chunk))
			_exit(8);
	_exit(0);
}

/* All output written before the exit arrives: the supervisor drains the pty. */
static void test_supervise_drains_output(void **state)
{
	struct relay_test t = {
	    .stderr_fd = -1, .stdin_open = true, .use_pidfd = true, .command = cmd_big_output};
	size_t len, xs = 0;
	int out;
	pid_t sup;
	char *s;

	(void)state;
	/* stdin /dev/null: epoll refuses it, EOF at once */
	t.stdin_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(t.stdin_fd >= 0);
	sup = start_supervisor(&t, &out);
	s = read_output(out, NULL, &len);
	close(out);
	assert_int_equal(init_exit_status(reap(sup)), 0);
	for (size_t i = 0; i < len; i++)
		xs += s[i] == 'x';
	assert_int_equal(xs, 200000);
	free(s);
	close(t.stdin_fd);
}

static volatile sig_atomic_t got_winch;

static void on_winch(int sig)
{
	(void)sig;
	got_winch = 1;
}

/*
 * The pty starts with the size of the supervisor's terminal (33x77), and
 * follows it (44x88) on SIGWINCH: the command sees its own SIGWINCH.
 */
static _Noreturn void cmd_winsize(void)
{
	struct sigaction sa = {.sa_handler = on_winch};
	struct winsize ws;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGWINCH, &sa, NULL);
	if (ioctl(0, TIOCGWINSZ, &ws) < 0 || ws.ws_row != 33 || ws.ws_col != 77)
		_exit(2);
	(void)!write(1, "ready\n", 6);
	for (int i = 0; i < TIMEOUT_MS && !got_winch; i++)
		sleep_ms(1);
	if (ioctl(0, TIOCGWINSZ, &ws) < 0 || ws.ws_row != 44 || ws.ws_col != 88)
		_exit(3);
	_exit(0);
}

static void test_supervise_follows_window_size(void **state)
{
	struct relay_test t = {.stdin_open = false, .use_pidfd = true, .command = cmd_winsize};
	int term_m, term_s, out;
	pid_t sup;
	char *s;

	(void)state;
	/* the user's terminal: the supervisor's stderr */
	open_pty(&term_m, &term_s);
	set_winsize(term_s, 33, 77);
	t.stderr_fd = term_s;
	t.stdin_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(t.stdin_fd >= 0);
	sup = start_supervisor(&t, &out);
	s = read_output(out, "ready", NULL);
	assert_non_null(strstr(s, "ready"));
	free(s);
	set_winsize(term_s, 44, 88);
	assert_int_equal(kill(sup, SIGWINCH), 0);
	s = read_output(out, NULL, NULL);
	free(s);
	close(out);
	assert_int_equal(init_exit_status(reap(sup)), 0);
	close(t.stdin_fd);
	close(term_m);
	close(term_s);
}

static _Noreturn void cmd_sleep_on_pty(void)
{
	(void)!write(1, "ready\n", 6);
	for (;;)
		pause();
}

/* Start cmd_sleep_on_pty under a supervisor, signal it, return the exit code. */
static int signal_pty_supervisor(bool from_terminal, int sig)
{
	struct relay_test t = {.stdin_open = false, .use_pidfd = true, .command = cmd_sleep_on_pty};
	int term_m, term_s, out;
	pid_t sup;
	char *s;
	int code;

	open_pty(&term_m, &term_s);
	t.stderr_fd = term_s;
	t.ctty = true;
	t.stdin_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(t.stdin_fd >= 0);
	sup = start_supervisor(&t, &out);
	s = read_output(out, "ready", NULL);
	assert_non_null(strstr(s, "ready"));
	free(s);
	if (from_terminal) {
		/* ^C on the supervisor's own terminal: SIGINT with SI_KERNEL */
		assert_int_equal(sig, SIGINT);
		assert_int_equal(write(term_m, "\x03", 1), 1);
	} else {
		assert_int_equal(kill(sup, sig), 0);
	}
	s = read_output(out, NULL, NULL);
	free(s);
	close(out);
	code = init_exit_status(reap(sup));
	close(t.stdin_fd);
	close(term_m);
	close(term_s);
	return code;
}

/*
 * With a pty the command has a session of its own: the terminal's signals
 * do not reach it, so the supervisor forwards them, SI_KERNEL or not.
 */
static void test_supervise_forwards_with_pty(void **state)
{
	(void)state;
	assert_int_equal(signal_pty_supervisor(false, SIGTERM), 143);
	assert_int_equal(signal_pty_supervisor(true, SIGINT), 130);
}

/*
 * The network helper's log (supervise_opts.helper_log): whole lines to
 * stderr, a line cut every 512 bytes, control bytes and bytes above 0x7e
 * replaced by '?', an unfinished last line ended at EOF.
 */
static void test_supervise_helper_log(void **state)
{
	char expect[1024], in[1024];
	int logp[2], errp[2];
	size_t n = 0;
	const char *xs;
	char *out;
	pid_t sup;

	(void)state;

	n += (size_t)snprintf(in, sizeof(in), "plain\nesc\x1b[2J\x07\x9b bell\n");
	xs = in + n;
	memset(in + n, 'x', 600);
	n += 600;
	n += (size_t)snprintf(in + n, sizeof(in) - n, "\npartial");
	snprintf(expect, sizeof(expect), "plain\nesc?[2J?? bell\n%.512s\n%.88s\npartial\n", xs, xs);
	assert_int_equal(pipe2(logp, O_CLOEXEC), 0);
	assert_int_equal(pipe2(errp, O_CLOEXEC), 0);
	assert_int_equal(write(logp[1], in, n), (ssize_t)n);
	close(logp[1]);
	sup = fork();
	assert_true(sup >= 0);
	if (sup == 0) {
		struct supervise_opts so = {.pidfd = -1, .pty_master = -1, .helper_log = logp[0]};
		sigset_t saved;
		int st;

		if (dup2(errp[1], 2) < 0)
			_exit(120);
		supervise_block_signals(&saved);
		so.pid = fork();
		if (so.pid == 0)
			_exit(0);
		_exit(so.pid > 0 && supervise_wait(&so, &st, NULL) == 0 ? st : 121);
	}
	close(logp[0]);
	close(errp[1]);
	out = read_output(errp[0], NULL, NULL);
	close(errp[0]);
	assert_int_equal(init_exit_status(reap(sup)), 0);
	assert_string_equal(out, expect);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fd_passing_roundtrip),
	    cmocka_unit_test(test_fd_passing_without_fd),
	    cmocka_unit_test(test_fd_passing_zero_payload),
	    cmocka_unit_test(test_fd_passing_errors),
	    cmocka_unit_test(test_open_pty),
	    cmocka_unit_test(test_open_pty_does_not_become_controlling),
	    cmocka_unit_test(test_make_controlling),
	    cmocka_unit_test(test_raw_enter_restore),
	    cmocka_unit_test(test_raw_enter_not_a_tty),
	    cmocka_unit_test(test_copy_winsize),
	    cmocka_unit_test(test_supervise_relays_stdin_and_output),
	    cmocka_unit_test(test_supervise_stdin_regular_file),
	    cmocka_unit_test(test_supervise_drains_output),
	    cmocka_unit_test(test_supervise_follows_window_size),
	    cmocka_unit_test(test_supervise_forwards_with_pty),
	    cmocka_unit_test(test_supervise_helper_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
