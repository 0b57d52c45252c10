// SPDX-License-Identifier: GPL-2.0-or-later
/* init.c - the minimal init that runs as PID 1 inside a sandbox
 *
 * Theory of operation
 *
 * The supervisor (`sandbox run`, host namespaces) clones the child with
 * CLONE_NEWUSER | CLONE_NEWPID | ...; that child is PID 1 of the sandbox.
 * After it has set up the mounts it forks the command (PID 2) and becomes
 * this init, which
 *   - reaps every child, including orphans the kernel reparents to it, so
 *     that no zombie piles up;
 *   - forwards SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and
 *     SIGWINCH to the command, unless the kernel generated the signal
 *     (si_code SI_KERNEL: a terminal's line discipline signals its whole
 *     foreground process group, the command got its own copy already;
 *     PID 1 has no controlling terminal, so this is a safeguard only);
 *   - exits with the command's status (128+N for a death by signal N), which
 *     tears down the PID namespace: the kernel SIGKILLs what is left;
 *   - is not dumpable, so nothing inside can ptrace it or open its
 *     /proc/1/{mem,fd,environ};
 *   - dies with SIGKILL when the supervisor dies (PR_SET_PDEATHSIG).
 *
 * Signals: PID 1 of a PID namespace receives only the signals it handles:
 * one with the default disposition is dropped, whether sent from inside or
 * from the parent namespace (SIGKILL and SIGSTOP from outside excepted). A
 * *blocked* signal is never dropped, though: it stays pending until it is
 * taken with signalfd(2). So init blocks the signals it handles before it
 * forks the command (init_prepare_signals()): nothing sent in between is
 * lost, and the command restores the supervisor's original mask and the
 * default dispositions before execve (init_restore_signals()). The
 * supervisor itself had blocked the same signals before clone
 * (supervise_block_signals()), so PID 1 is never without them blocked.
 *
 * Everything here that runs as PID 1 ends with _exit(), never returns.
 */
#include "init.h"

#include <errno.h>
#include <string.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "syscalls.h"
#include "util.h"

/* Signals init passes on to the command. */
static const int forwarded_signals[] = {
    SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH,
};

/**
 * init_exit_status() - the exit status a shell would report for a wait status
 * @wstatus:	status filled by waitpid(2)
 *
 * Return: WEXITSTATUS() for a normal exit, 128 + the signal number for a
 * death by signal (the core-dump flag does not matter), SBX_EXIT_FAILURE
 * for anything else (a stopped or continued status is not an exit).
 */
int init_exit_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return SBX_EXIT_FAILURE;
}

static void init_signal_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded_signals); i++)
		sigaddset(set, forwarded_signals[i]);
}

static bool is_forwarded(int signo)
{
	for (size_t i = 0; i < ARRAY_SIZE(forwarded_signals); i++)
		if (forwarded_signals[i] == signo)
			return true;
	return false;
}

/**
 * init_prepare_signals() - block the signals init handles, before the fork
 * @saved:	set to the signal mask in effect before (may be NULL)
 *
 * Blocks SIGCHLD and the forwarded signals, so that a signal sent to PID 1
 * between now and init_run() stays pending instead of being dropped (PID 1
 * drops signals it has no handler for) and an early exit of the command is
 * not missed. Inside the sandbox the mask in effect is already the
 * supervisor's blocked mask, so @saved is usually not what the command
 * should get: it restores the supervisor's original mask instead (see
 * init.h).
 */
void init_prepare_signals(sigset_t *saved)
{
	sigset_t set;

	init_signal_set(&set);
	sigprocmask(SIG_BLOCK, &set, saved);
}

/**
 * init_restore_signals() - give the command a clean signal state before exec
 * @saved:	the mask to install: the supervisor's mask from before it
 *		blocked its signals (supervise_block_signals())
 *
 * Resets every disposition to the default (execve resets handlers, but a
 * signal the supervisor ignores would stay ignored in the command), then
 * installs @saved. Only async-signal-safe calls: usable between fork and
 * exec.
 */
void init_restore_signals(const sigset_t *saved)
{
	struct sigaction sa = {.sa_handler = SIG_DFL};

	sigemptyset(&sa.sa_mask);
	for (int sig = 1; sig < _NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		/* the C library's reserved real-time signals fail: harmless */
		sigaction(sig, &sa, NULL);
	}
	sigprocmask(SIG_SETMASK, saved, NULL);
}

/**
 * init_set_parent_death() - die with SIGKILL when the supervisor dies
 * @expected_ppid:	the supervisor's getpid(), taken before clone; or 0 for
 *			a child cloned into a new PID namespace (then only 0
 *			is accepted from getppid())
 *
 * Call it first thing in the child after clone: PR_SET_PDEATHSIG fires only
 * for a parent that dies after it was set, so the function then checks that
 * the parent has not died already, and calls _exit(125) if it has.
 *
 * In the same PID namespace getppid() is @expected_ppid while the parent
 * lives. In a new PID namespace getppid() is 0, and stays 0 when the parent
 * dies (the child is reparented to a reaper outside its namespace): the
 * check cannot see it there. The caller closes that window with its sync
 * socket: the supervisor holds the other end, so the child's first read
 * from it returns EOF (0) if the supervisor is gone, and the child must
 * treat that as "_exit(125)".
 *
 * The kernel clears the parent-death signal when the process's credentials
 * change (setuid/setgid to another *kernel* id, a set-user-ID exec):
 * set it again after such a change in PID 1. A new PID namespace makes the
 * rest of the sandbox die with PID 1.
 */
void init_set_parent_death(pid_t expected_ppid)
{
	pid_t ppid;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) {
		sbx_log(SBX_LOG_ERROR, "set the parent-death signal: %s", strerror(errno));
		_exit(SBX_EXIT_FAILURE);
	}
	ppid = getppid();
	if (ppid != expected_ppid && ppid != 0) {
		sbx_debug("parent %d exited before the sandbox started", (int)expected_ppid);
		_exit(SBX_EXIT_FAILURE);
	}
}

/*
 * Close every descriptor above stderr: the sync socket, a pty slave, ...
 * Init needs none of them, and holding a pty slave would keep the
 * supervisor from seeing EIO on the master when the command's side closes.
 */
static void close_inherited_fds(void)
{
	long max;

	if (sys_close_range(3, ~0U, 0) == 0)
		return;
	max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (int fd = 3; fd < max; fd++)
		close(fd);
}

/*
 * Reap every child that has exited. Return true once @cmd was reaped, with
 * its wait status in *status.
 */
static bool reap_children(pid_t cmd, int *status)
{
	bool done = false;

	for (;;) {
		int st;
		pid_t p = waitpid(-1, &st, WNOHANG);

		if (p < 0 && errno == EINTR)
			continue;
		if (p < 0 && errno == ECHILD && !done) {
			/* somebody else reaped the command: cannot happen */
			*status = SBX_EXIT_FAILURE << 8;
			return true;
		}
		if (p <= 0)
			return done;
		if (p == cmd) {
			*status = st;
			done = true;
		}
	}
}

/*
 * Wait for the next blocked signal: from the signalfd, or with
 * sigwaitinfo() when there is none (signalfd failed: out of memory or
 * descriptors). Returns the signal number and its si_code.
 */
static int next_signal(int *sfd, const sigset_t *set, int *code)
{
	for (;;) {
		if (*sfd >= 0) {
			struct signalfd_siginfo si;
			ssize_t n = read(*sfd, &si, sizeof(si));

			if (n == (ssize_t)sizeof(si)) {
				*code = si.ssi_code;
				return (int)si.ssi_signo;
			}
			if (n < 0 && errno == EINTR)
				continue;
			close(*sfd);
			*sfd = -1;
		} else {
			siginfo_t info;
			int sig = sigwaitinfo(set, &info);

			if (sig > 0) {
				*code = info.si_code;
				return sig;
			}
		}
	}
}

/**
 * init_run() - be PID 1: reap, forward signals, exit with the command
 * @cmd:	pid of the command, forked after init_prepare_signals()
 *
 * Closes every descriptor above 2, makes itself non-dumpable, and loops on a
 * signalfd. Exits with init_exit_status() of the command as soon as the
 * command is reaped; the other processes of the sandbox are then killed by
 * the kernel (PID namespace teardown).
 */
_Noreturn void init_run(pid_t cmd)
{
	sigset_t set;
	int status;
	int sfd;

	if (cmd <= 0)
		_exit(SBX_EXIT_FAILURE);
	/* no ptrace, no /proc/1/mem from inside; also clears core dumps */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	close_inherited_fds();

	init_signal_set(&set);
	/* already blocked if the caller followed init.h; harmless otherwise */
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);

	/* the command may have exited before we got here */
	if (reap_children(cmd, &status))
		_exit(init_exit_status(status));

	for (;;) {
		int code = 0;
		int signo = next_signal(&sfd, &set, &code);

		if (signo == SIGCHLD) {
			/* SIGCHLDs coalesce: one may stand for many children */
			if (reap_children(cmd, &status))
				_exit(init_exit_status(status));
		} else if (is_forwarded(signo) && code != SI_KERNEL) {
			/*
			 * The command is not reaped yet, so its pid cannot
			 * have been reused.
			 */
			kill(cmd, signo);
		}
	}
}
