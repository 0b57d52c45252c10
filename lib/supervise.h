/* SPDX-License-Identifier: GPL-2.0-or-later */
/* supervise.h - the supervisor's event loop: signals, pty relay, exit status
 *
 * Call order in `sandbox run` (the supervisor, host namespaces):
 *
 *   sigset_t saved;
 *   supervise_block_signals(&saved);          before clone: nothing is lost
 *   pid = clone(...);                          child: init_restore_signals(&saved)
 *                                              in the command before execve
 *   [-t: receive the pty master (tty_recv_fd), tty_raw_enter(STDIN_FILENO)]
 *   supervise_wait(&opts, &status, &err);
 *   [tty_raw_restore()]
 *   sigprocmask(SIG_SETMASK, &saved, NULL);    optional, once the child is reaped
 */
#ifndef SBX_SUPERVISE_H
#define SBX_SUPERVISE_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

struct supervise_opts {
	pid_t pid;	 /* PID 1 of the sandbox: a child of the caller */
	int pidfd;	 /* pidfd of @pid, or -1 (then SIGCHLD tells) */
	int pty_master;	 /* the sandbox's pty master, -1 without -t */
	bool stdin_open; /* -i: relay stdin to the pty */
};

void supervise_block_signals(sigset_t *saved);
int supervise_wait(const struct supervise_opts *o, int *exit_status, struct sbx_error **err);

#endif /* SBX_SUPERVISE_H */
