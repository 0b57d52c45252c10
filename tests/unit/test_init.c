// SPDX-License-Identifier: GPL-2.0-or-later
/* test_init.c - unit tests of the PID-1 init and of the supervisor's signal handling
 *
 * The process chains are the real ones: top (a plain waiter, or a
 * supervisor running supervise_wait()) -> init (init_run()) -> command.
 * Each chain runs twice when the host allows it: with init as PID 1 of a new
 * PID namespace (unshare(CLONE_NEWUSER | CLONE_NEWPID)), and with init as a
 * child subreaper in ours. Every child reports through its exit status; the
 * test process never lets a child return into cmocka.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "init.h"
#include "supervise.h"
#include "syscalls.h"

#define TIMEOUT_MS 20000

/* The test process's signal mask: what a command gets back. */
static sigset_t test_mask;

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

static void assert_no_children_left(void)
{
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void wait_ready(int fd)
{
	char c;
	ssize_t n;

	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	assert_int_equal(n, 1);
}

/* ---- init_exit_status ---------------------------------------------------- */

static int status_of_exit(int code)
{
	pid_t p = fork();

	assert_true(p >= 0);
	if (p == 0)
		_exit(code);
	return reap(p);
}

static int status_of_signal(int sig)
{
	pid_t p = fork();

	assert_true(p >= 0);
	if (p == 0) {
		sigset_t all;

		signal(sig, SIG_DFL);
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		raise(sig);
		_exit(0);
	}
	return reap(p);
}

static void test_exit_status_codes(void **state)
{
	(void)state;
	assert_int_equal(init_exit_status(status_of_exit(0)), 0);
	assert_int_equal(init_exit_status(status_of_exit(3)), 3);
	assert_int_equal(init_exit_status(status_of_exit(255)), 255);
	assert_int_equal(init_exit_status(status_of_signal(SIGTERM)), 143);
	assert_int_equal(init_exit_status(status_of_signal(SIGKILL)), 137);
	/* Linux encodes a core dump as 0x80 | signal: the flag does not count */
	assert_int_equal(init_exit_status(0x80 | SIGSEGV), 128 + SIGSEGV);
}

static void test_exit_status_stopped_is_not_an_exit(void **state)
{
	int st;
	pid_t p;

	(void)state;
	p = fork();
	assert_true(p >= 0);
	if (p == 0) {
		raise(SIGSTOP);
		_exit(0);
	}
	assert_int_equal(waitpid(p, &st, WUNTRACED), p);
	assert_true(WIFSTOPPED(st));
	assert_int_equal(init_exit_status(st), 125);
	kill(p, SIGKILL);
	reap(p);
}

/* ---- process chains ------------------------------------------------------ */

struct cmd_arg {
	int ready_fd; /* the command writes one byte here when set up */
	int tty;      /* a pty slave to become the top's controlling tty, or -1 */
};

struct chain {
	void (*command)(const struct cmd_arg *a); /* runs as the command, must _exit */
	struct cmd_arg arg;
	bool pidns;	 /* init is PID 1 of a new PID namespace */
	bool supervised; /* top runs supervise_wait(), else a plain waitpid */
	bool use_pidfd;	 /* supervise_wait() gets a pidfd */
};

static _Noreturn void init_main(const struct chain *c, pid_t top)
{
	sigset_t unused;
	pid_t cmd;

	init_set_parent_death(top);
	/* a supervised init leaves top's session, as PID 1 of a sandbox does
	 * (launch_leave_caller_session()): the terminal signals top alone */
	if (c->supervised && setsid() < 0)
		_exit(125);
	if (getpid() != 1)
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	init_prepare_signals(&unused);
	cmd = fork();
	if (cmd < 0)
		_exit(124);
	if (cmd == 0) {
		init_restore_signals(&test_mask);
		/* outlives nothing, even when a broken init leaves it behind */
		alarm(TIMEOUT_MS / 1000 + 10);
		c->command(&c->arg);
		_exit(0);
	}
	init_run(cmd);
}

static _Noreturn void top_main(const struct chain *c, int info_fd)
{
	struct supervise_opts o = {.pidfd = -1, .pty_master = -1};
	struct sbx_error *err = NULL;
	pid_t self = getpid();
	sigset_t saved;
	pid_t init;
	int st;

	if (c->arg.tty >= 0) {
		/* a terminal whose ^C signals top, init and command alike */
		if (setsid() < 0 || ioctl(c->arg.tty, TIOCSCTTY, 0) < 0)
			_exit(120);
	}
	supervise_block_signals(&saved);
	if (c->pidns && unshare(CLONE_NEWUSER | CLONE_NEWPID) < 0) {
		pid_t none = -1;

		(void)!write(info_fd, &none, sizeof(none));
		_exit(77);
	}
	init = fork();
	if (init < 0)
		_exit(121);
	if (init == 0)
		init_main(c, self);
	(void)!write(info_fd, &init, sizeof(init));
	close(info_fd);
	if (!c->supervised) {
		while (waitpid(init, &st, 0) < 0)
			if (errno != EINTR)
				_exit(122);
		_exit(init_exit_status(st));
	}
	o.pid = init;
	if (c->use_pidfd)
		o.pidfd = sys_pidfd_open(init, 0);
	if (supervise_wait(&o, &st, &err) < 0) {
		fprintf(stderr, "supervise_wait: %s\n", err->msg);
		_exit(123);
	}
	_exit(st);
}

/*
 * Start a chain. Return the top's pid (its exit status is init's), with
 * init's pid in our namespace in *init_pid; or -1 when a PID namespace was
 * asked for and is not permitted here.
 */
static pid_t start_chain(const struct chain *c, pid_t *init_pid)
{
	pid_t top, init = -1;
	int info[2];

	assert_int_equal(pipe2(info, O_CLOEXEC), 0);
	top = fork();
	assert_true(top >= 0);
	if (top == 0) {
		close(info[0]);
		top_main(c, info[1]);
	}
	close(info[1]);
	assert_int_equal(read(info[0], &init, sizeof(init)), sizeof(init));
	close(info[0]);
	if (init < 0) {
		assert_int_equal(init_exit_status(reap(top)), 77);
		return -1;
	}
	*init_pid = init;
	return top;
}

/* Run a chain to its end and return the top's exit code; skip if not possible. */
static int run_chain(const struct chain *c)
{
	pid_t init;
	pid_t top = start_chain(c, &init);
	int code;

	if (top < 0) {
		print_message("PID namespace not permitted here: skipped\n");
		skip();
	}
	code = init_exit_status(reap(top));
	assert_no_children_left();
	return code;
}

/* ---- commands ------------------------------------------------------------ */

static _Noreturn void cmd_exit3(const struct cmd_arg *a)
{
	(void)a;
	_exit(3);
}

/*
 * Double-fork an orphan, then check that init reaps it once it exits: exit
 * 7 when it did, 99 when the orphan stayed a zombie.
 */
static _Noreturn void cmd_orphan_then_exit7(const struct cmd_arg *a)
{
	pid_t middle, orphan = -1;
	int p[2];

	(void)a;
	if (pipe2(p, O_CLOEXEC) < 0)
		_exit(98);
	middle = fork();
	if (middle < 0)
		_exit(98);
	if (middle == 0) {
		pid_t me = getpid();
		pid_t o = fork();

		if (o == 0) {
			/* exit only once orphaned: the exit goes to init */
			while (getppid() == me)
				sleep_ms(1);
			sleep_ms(20);
			_exit(0);
		}
		(void)!write(p[1], &o, sizeof(o));
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &orphan, sizeof(orphan)) != sizeof(orphan) || orphan <= 0)
		_exit(98);
	waitpid(middle, NULL, 0);
	/* kill(pid, 0) succeeds on a zombie, fails with ESRCH once reaped */
	for (int i = 0; i < 5000; i++) {
		if (kill(orphan, 0) < 0 && errno == ESRCH)
			_exit(7);
		sleep_ms(1);
	}
	_exit(99);
}

static _Noreturn void cmd_wait_for_signal(const struct cmd_arg *a)
{
	(void)!write(a->ready_fd, "r", 1);
	for (;;)
		pause();
}

static volatile sig_atomic_t sigint_count;

static void count_sigint(int sig)
{
	(void)sig;
	sigint_count++;
}

/* Count SIGINTs: exit with how many came within 300 ms of the first. */
static _Noreturn void cmd_count_sigint(const struct cmd_arg *a)
{
	struct sigaction sa = {.sa_handler = count_sigint};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	(void)!write(a->ready_fd, "r", 1);
	for (int i = 0; i < TIMEOUT_MS && !sigint_count; i++)
		sleep_ms(1);
	sleep_ms(300);
	_exit(sigint_count);
}

/* ---- init ---------------------------------------------------------------- */

static void check_orphan_reaped(bool pidns, bool supervised)
{
	struct chain c = {
	    .command = cmd_orphan_then_exit7,
	    .arg = {.ready_fd = -1, .tty = -1},
	    .pidns = pidns,
	    .supervised = supervised,
	    .use_pidfd = true,
	};

	assert_int_equal(run_chain(&c), 7);
}

static void test_init_reaps_orphans_pidns(void **state)
{
	(void)state;
	check_orphan_reaped(true, false);
}

static void test_init_reaps_orphans_subreaper(void **state)
{
	(void)state;
	check_orphan_reaped(false, false);
}

static void test_init_early_exit(void **state)
{
	struct chain c = {.command = cmd_exit3, .arg = {-1, -1}};

	(void)state;
	c.pidns = false;
	assert_int_equal(run_chain(&c), 3);
	c.pidns = true;
	assert_int_equal(run_chain(&c), 3);
}

/* Send @sig to init (or to the supervisor) once the command is ready; return the exit code. */
static int signal_chain(bool pidns, bool supervised, bool use_pidfd, int sig)
{
	struct chain c = {
	    .command = cmd_wait_for_signal,
	    .pidns = pidns,
	    .supervised = supervised,
	    .use_pidfd = use_pidfd,
	};
	pid_t top, init;
	int ready[2];
	int code;

	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	c.arg.ready_fd = ready[1];
	c.arg.tty = -1;
	top = start_chain(&c, &init);
	close(ready[1]);
	if (top < 0) {
		close(ready[0]);
		print_message("PID namespace not permitted here: skipped\n");
		skip();
	}
	wait_ready(ready[0]);
	close(ready[0]);
	assert_int_equal(kill(supervised ? top : init, sig), 0);
	code = init_exit_status(reap(top));
	assert_no_children_left();
	return code;
}

static void test_init_forwards_sigterm_pidns(void **state)
{
	(void)state;
	assert_int_equal(signal_chain(true, false, false, SIGTERM), 143);
}

static void test_init_forwards_sigterm_subreaper(void **state)
{
	(void)state;
	assert_int_equal(signal_chain(false, false, false, SIGTERM), 143);
	assert_int_equal(signal_chain(false, false, false, SIGUSR1), 128 + SIGUSR1);
}

/*
 * ^C on a terminal signals the whole foreground process group. Unsupervised,
 * top, init and command each get SIGINT with si_code SI_KERNEL, and init
 * must not forward it. Supervised, init and command are in a session of
 * their own and top alone gets it: top forwards it. Either way the command
 * must see exactly one.
 */
static int tty_sigint_chain(bool pidns, bool supervised)
{
	struct chain c = {
	    .command = cmd_count_sigint,
	    .pidns = pidns,
	    .supervised = supervised,
	    .use_pidfd = true,
	};
	int master, slave, ready[2];
	pid_t top, init;
	int code;

	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(master >= 0);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(slave >= 0);
	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	c.arg.ready_fd = ready[1];
	c.arg.tty = slave;
	top = start_chain(&c, &init);
	close(ready[1]);
	close(slave);
	if (top < 0) {
		close(ready[0]);
		close(master);
		print_message("PID namespace not permitted here: skipped\n");
		skip();
	}
	wait_ready(ready[0]);
	close(ready[0]);
	assert_int_equal(write(master, "\x03", 1), 1);
	code = init_exit_status(reap(top));
	close(master);
	assert_no_children_left();
	return code;
}

static void test_init_does_not_double_tty_signals(void **state)
{
	(void)state;
	assert_int_equal(tty_sigint_chain(false, false), 1);
	assert_int_equal(tty_sigint_chain(true, false), 1);
}

/* ---- parent death -------------------------------------------------------- */

static void test_parent_death_kills_child(void **state)
{
	pid_t guard;

	(void)state;
	guard = fork();
	assert_true(guard >= 0);
	if (guard == 0) {
		int ready[2], st;
		pid_t parent, orphan;

		/* the guard adopts the child once its parent is gone */
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
		if (pipe2(ready, O_CLOEXEC) < 0)
			_exit(10);
		parent = fork();
		if (parent == 0) {
			pid_t me = getpid();
			pid_t child = fork();

			if (child == 0) {
				init_set_parent_death(me);
				(void)!write(ready[1], "r", 1);
				for (;;)
					pause();
			}
			wait_ready(ready[0]);
			_exit(0);
		}
		if (waitpid(parent, &st, 0) != parent || st != 0)
			_exit(11);
		alarm(10);
		orphan = waitpid(-1, &st, 0);
		if (orphan <= 0)
			_exit(12);
		_exit(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? 0 : 13);
	}
	assert_int_equal(init_exit_status(reap(guard)), 0);
}

static void test_parent_gone_before_check(void **state)
{
	pid_t guard;

	(void)state;
	guard = fork();
	assert_true(guard >= 0);
	if (guard == 0) {
		pid_t parent;
		int st;

		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
		parent = fork();
		if (parent == 0) {
			pid_t me = getpid();

			if (fork() == 0) {
				while (getppid() == me)
					sleep_ms(1);
				/* too late: must not run on */
				init_set_parent_death(me);
				_exit(0);
			}
			_exit(0);
		}
		waitpid(parent, NULL, 0);
		alarm(10);
		if (waitpid(-1, &st, 0) <= 0)
			_exit(12);
		_exit(init_exit_status(st) == 125 ? 0 : 13);
	}
	assert_int_equal(init_exit_status(reap(guard)), 0);
}

/* ---- supervisor ---------------------------------------------------------- */

static void test_supervise_exit_status(void **state)
{
	struct chain c = {.command = cmd_exit3, .arg = {-1, -1}, .supervised = true};

	(void)state;
	c.use_pidfd = true;
	assert_int_equal(run_chain(&c), 3);
	c.use_pidfd = false;
	assert_int_equal(run_chain(&c), 3);
}

static void test_supervise_reaps_through_init_pidns(void **state)
{
	(void)state;
	check_orphan_reaped(true, true);
}

static void test_supervise_forwards_sigterm(void **state)
{
	(void)state;
	/* supervisor -> init -> command, with and without pidfd */
	assert_int_equal(signal_chain(false, true, true, SIGTERM), 143);
	assert_int_equal(signal_chain(false, true, false, SIGHUP), 128 + SIGHUP);
}

static void test_supervise_forwards_sigterm_pidns(void **state)
{
	(void)state;
	assert_int_equal(signal_chain(true, true, true, SIGTERM), 143);
	assert_int_equal(signal_chain(true, true, true, SIGQUIT), 128 + SIGQUIT);
}

static void test_supervise_does_not_double_tty_signals(void **state)
{
	(void)state;
	assert_int_equal(tty_sigint_chain(false, true), 1);
	assert_int_equal(tty_sigint_chain(true, true), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exit_status_codes),
	    cmocka_unit_test(test_exit_status_stopped_is_not_an_exit),
	    cmocka_unit_test(test_init_reaps_orphans_pidns),
	    cmocka_unit_test(test_init_reaps_orphans_subreaper),
	    cmocka_unit_test(test_init_early_exit),
	    cmocka_unit_test(test_init_forwards_sigterm_pidns),
	    cmocka_unit_test(test_init_forwards_sigterm_subreaper),
	    cmocka_unit_test(test_init_does_not_double_tty_signals),
	    cmocka_unit_test(test_parent_death_kills_child),
	    cmocka_unit_test(test_parent_gone_before_check),
	    cmocka_unit_test(test_supervise_exit_status),
	    cmocka_unit_test(test_supervise_reaps_through_init_pidns),
	    cmocka_unit_test(test_supervise_forwards_sigterm),
	    cmocka_unit_test(test_supervise_forwards_sigterm_pidns),
	    cmocka_unit_test(test_supervise_does_not_double_tty_signals),
	};

	sigprocmask(SIG_SETMASK, NULL, &test_mask);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
