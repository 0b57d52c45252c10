/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nschild.h - a child in new namespaces that waits for the parent's "go" and reports back */
#ifndef SBX_NSCHILD_H
#define SBX_NSCHILD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/*
 * The plumbing of every "child in a new user namespace": the parent forks
 * the child into its namespaces, sets it up from outside (uid/gid maps
 * with newuidmap), says "go"; the child then works as root of its
 * namespace and reports back one struct sbx_error (errnum, code, exit
 * code, message, hint: all survive the trip) or success with a short
 * result text.
 *
 *	nschild_start(&opts, &c, err)	fork; the child waits
 *	userns_write_maps(c.pid, ...)	the parent's set-up
 *	nschild_go(&c, err)		the child runs opts.fn
 *	nschild_finish(&c, ...)		its report, then reap
 *	nschild_abort(&c)		instead of go/finish on a failure
 *
 * Both sides talk over one SOCK_SEQPACKET socketpair (c.sock in the
 * parent, the @sock argument of opts.fn in the child), so a richer
 * protocol fits on the same channel: run.c's set-up of a sandbox (its
 * `sync` socket: MSG_MAPS_DONE is the go, MSG_NET_TAP and the pty pass
 * descriptors with SCM_RIGHTS, MSG_READY or MSG_ERROR end it) is this
 * with more messages between go and the report. When the launch module
 * takes over run.c's start-up, its child is an opts.fn that sends those
 * messages on @sock and returns its error, and send_error()/MSG_ERROR
 * becomes this report.
 */

/* What the child runs after "go"; @result (@size bytes) is copied back. */
typedef int (*nschild_fn)(void *arg, int sock, char *result, size_t size, struct sbx_error **err);

struct nschild_opts {
	unsigned long clone_flags; /* CLONE_NEW* */
	bool die_with_parent;	   /* SIGKILL when the parent dies (PR_SET_PDEATHSIG) */
	const char *what;	   /* "the store's helper process", for messages */
	nschild_fn fn;
	void *arg; /* the child has a copy of the parent's memory */
};

struct nschild {
	pid_t pid; /* the child, 0 once reaped */
	int sock;  /* the parent's end of the channel */
	const char *what;
};

int nschild_start(const struct nschild_opts *o, struct nschild *c, struct sbx_error **err);
int nschild_go(struct nschild *c, struct sbx_error **err);
int nschild_finish(struct nschild *c, char *result, size_t size, struct sbx_error **err);
void nschild_abort(struct nschild *c);

#endif /* SBX_NSCHILD_H */
