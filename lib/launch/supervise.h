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
 *   [-i without -t on a terminal: tty_input_relay_open() before clone, the
 *    child takes ->rd as stdin; ->term and ->wr as o->input, o->stdin_pipe]
 *   supervise_wait(&opts, &status, &err);
 *   [tty_raw_restore()]
 *   sigprocmask(SIG_SETMASK, &saved, NULL);    optional, once the child is reaped
 *
 * -d -t: before telling `run -d` that the sandbox started, the supervisor
 * listens on RUNROOT/<id>/attach.sock (supervise_attach_listen()) and
 * passes the socket as o->attach_listen (o->attach set: zero-initialised
 * options serve no attach); `sandbox attach` connects with
 * supervise_attach_connect() and speaks the frames below (supervise.c has
 * the protocol).
 */
#ifndef SBX_SUPERVISE_H
#define SBX_SUPERVISE_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

struct supervise_opts {
	pid_t pid;	   /* PID 1 of the sandbox: a child of the caller */
	int pidfd;	   /* pidfd of @pid, or -1 (then SIGCHLD tells) */
	int pty_master;	   /* the sandbox's pty master, -1 without -t */
	bool stdin_open;   /* -i: relay stdin (or an attached client's input) to the pty */
	bool attach;	   /* -d -t: serve `sandbox attach` on attach_listen */
	int attach_listen; /* the listening attach socket (supervise_attach_listen()) */
	int helper_log;	   /* the network helper's stderr pipe (> 2), or 0 or -1: none */
	int input;	   /* where stdin is read (0: STDIN_FILENO; tty_input_relay.term) */
	int stdin_pipe;	   /* -i without -t on a terminal: the command's stdin pipe, write end
			    * (> 2; supervise_wait() closes it), or 0 or -1: none */
};

/* The attach socket, in the sandbox's RUNROOT/<id> */
#define SUPERVISE_ATTACH_SOCK "attach.sock"

/* Frames on the attach socket: type, 2-byte big-endian length, payload. */
enum supervise_frame {
	ATTACH_DATA = 0,   /* both ways: pty output, or input for the pty */
	ATTACH_RESIZE = 1, /* client: rows, cols (2 bytes each, big-endian) */
	ATTACH_HELLO = 2,  /* supervisor, first: 1 byte of ATTACH_HELLO_* flags */
	ATTACH_BUSY = 3,   /* supervisor: another client is attached; then EOF */
	ATTACH_EXIT = 4,   /* supervisor: 1 byte, the command's exit status; then EOF */
};
#define ATTACH_HEADER_SIZE 3
#define ATTACH_MAX_PAYLOAD 4096
#define ATTACH_HELLO_STDIN 0x01 /* started with -i: input is relayed */

void supervise_block_signals(sigset_t *saved);
int supervise_wait(const struct supervise_opts *o, int *exit_status, struct sbx_error **err);
int supervise_attach_listen(const char *rundir, struct sbx_error **err);
int supervise_attach_connect(const char *rundir, struct sbx_error **err);

#endif /* SBX_SUPERVISE_H */
