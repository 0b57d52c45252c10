/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tty.h - pseudo-terminals for -t, raw mode, descriptor passing, the stdin relay of -i
 *
 * With -t the pty is made *inside* the sandbox, on its own devpts instance
 * (PID 1: tty_open_pty()); the command makes the slave its controlling
 * terminal (tty_make_controlling()); PID 1 sends the master to the
 * supervisor over a SOCK_SEQPACKET socketpair (tty_send_fd() /
 * tty_recv_fd()), which relays it to its own terminal in raw mode
 * (tty_raw_enter(), supervise_wait(), tty_raw_restore()).
 */
#ifndef SBX_TTY_H
#define SBX_TTY_H

#include <stdbool.h>
#include <stddef.h>
#include <termios.h>

#include "error.h"

/* A terminal put in raw mode, and how to put it back. Zero-init is "inactive". */
struct tty_raw {
	int fd;
	bool active; /* raw mode applied, saved must be restored */
	struct termios saved;
};

/*
 * -i without -t on a terminal: the command's stdin is a pipe the supervisor
 * fills from the terminal (tty_input_relay_open()). Fields are -1 when unused.
 */
struct tty_input_relay {
	int term; /* the terminal, for the supervisor to read (or STDIN_FILENO) */
	int rd;	  /* the command's stdin */
	int wr;	  /* the supervisor's end, non-blocking */
};
#define TTY_INPUT_RELAY_INIT                                                                                 \
	{                                                                                                    \
		.term = -1, .rd = -1, .wr = -1                                                               \
	}

int tty_open_pty(int *master, int *slave, struct sbx_error **err);
int tty_new_session(struct sbx_error **err);
int tty_make_controlling(int slave, struct sbx_error **err);
int tty_send_fd(int sock, int fd, const void *data, size_t len, struct sbx_error **err);
int tty_recv_fd(int sock, int *fd, void *data, size_t len, struct sbx_error **err);
int tty_raw_enter(int fd, struct tty_raw *r, struct sbx_error **err);
void tty_raw_restore(struct tty_raw *r);
int tty_copy_winsize(int from, int to);
int tty_find_terminal(void);
int tty_input_relay_open(struct tty_input_relay *r, struct sbx_error **err);
int tty_input_relay_child(struct tty_input_relay *r, struct sbx_error **err);
void tty_input_relay_close(struct tty_input_relay *r);

#endif /* SBX_TTY_H */
