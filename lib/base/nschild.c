// SPDX-License-Identifier: GPL-2.0-or-later
/* nschild.c - a child in new namespaces that waits for the parent's "go" and reports back
 *
 * See nschild.h for the sequence. The child is a fork (sys_clone_fork with
 * CLONE_NEW* flags), not an exec: it runs with a copy of the parent's
 * memory and ends with _exit().
 */
#include "nschild.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "syscalls.h"
#include "userns.h"
#include "util.h"

/* The one message the child sends at the end. */
struct nschild_report {
	int failed;
	int errnum;
	int code;
	int exit_code;
	char msg[2048];
	char hint[512];
	char result[8192];
};

/**
 * child_main() - the child's side: wait for "go", run the function, report
 * @o:		what to run
 * @sock:	the child's end of the channel
 * @parent:	the parent's pid (for the death-signal race)
 *
 * Return: never; the child's exit status is 0 after a success.
 */
static void __attribute__((noreturn)) child_main(const struct nschild_opts *o, int sock, pid_t parent)
{
	struct nschild_report *r = xcalloc(1, sizeof(*r));
	cleanup_error struct sbx_error *e = NULL;
	ssize_t n;
	char go;

	if (o->die_with_parent) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(SBX_EXIT_FAILURE);
	}
	do
		n = recv(sock, &go, 1, 0);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(SBX_EXIT_FAILURE);
	if (o->fn(o->arg, sock, r->result, sizeof(r->result), &e) < 0) {
		r->failed = 1;
		r->errnum = e ? e->errnum : 0;
		r->code = e ? (int)e->code : SBX_ERR_GENERIC;
		r->exit_code = e && e->exit_code ? e->exit_code : SBX_EXIT_FAILURE;
		snprintf(r->msg, sizeof(r->msg), "%s", e && e->msg ? e->msg : "failed");
		if (e && e->hint)
			snprintf(r->hint, sizeof(r->hint), "%s", e->hint);
	}
	(void)!send(sock, r, sizeof(*r), MSG_NOSIGNAL);
	_exit(r->failed ? SBX_EXIT_FAILURE : 0);
}

/**
 * nschild_start() - fork a child into new namespaces; it waits for "go"
 * @o:		namespaces, function, argument
 * @c:		filled: the child's pid and the parent's end of the channel
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set (no child left).
 */
int nschild_start(const struct nschild_opts *o, struct nschild *c, struct sbx_error **err)
{
	pid_t parent = getpid();
	int sv[2];

	c->pid = 0;
	c->sock = -1;
	c->what = o->what;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return sbx_error_set(err, errno, "socketpair");
	c->pid = sys_clone_fork(o->clone_flags);
	if (c->pid < 0) {
		int saved = errno;

		close(sv[0]);
		close(sv[1]);
		c->pid = 0;
		if (o->clone_flags & CLONE_NEWUSER)
			return userns_explain_clone_failure(saved, err);
		return sbx_error_set(err, saved, "clone");
	}
	if (c->pid == 0) {
		close(sv[0]);
		child_main(o, sv[1], parent);
	}
	close(sv[1]);
	c->sock = sv[0];
	return 0;
}

/**
 * nschild_go() - let the child run its function
 * @c:		the child
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int nschild_go(struct nschild *c, struct sbx_error **err)
{
	if (send(c->sock, "g", 1, MSG_NOSIGNAL) != 1)
		return sbx_error_set(err, errno, "%s: start", c->what);
	return 0;
}

/* Reap the child, retrying on EINTR; its wait status in @status. */
static void reap(struct nschild *c, int *status)
{
	*status = 0;
	if (c->pid <= 0)
		return;
	while (waitpid(c->pid, status, 0) < 0 && errno == EINTR)
		;
	c->pid = 0;
}

/**
 * nschild_finish() - the child's report, then reap it
 * @c:		the child, after nschild_go()
 * @result:	the result text of a success, or NULL
 * @size:	its size
 * @err:	error out-parameter: the child's own error as it reported it
 *
 * Return: 0, or negative with *err set.
 */
int nschild_finish(struct nschild *c, char *result, size_t size, struct sbx_error **err)
{
	cleanup_free struct nschild_report *r = xcalloc(1, sizeof(*r));
	ssize_t n;
	int status;

	do
		n = recv(c->sock, r, sizeof(*r), 0);
	while (n < 0 && errno == EINTR);
	reap(c, &status);
	close(c->sock);
	c->sock = -1;
	if (n == (ssize_t)sizeof(*r) && r->failed) {
		r->msg[sizeof(r->msg) - 1] = '\0';
		r->hint[sizeof(r->hint) - 1] = '\0';
		sbx_error_set_code(err, (enum sbx_error_code)r->code, 0, "%s", r->msg);
		if (!sbx_error_is(*err, SBX_ERR_NOMEM))
			(*err)->errnum = r->errnum;
		sbx_error_exit_code(err, r->exit_code);
		if (r->hint[0])
			sbx_error_hint(err, "%s", r->hint);
		return r->errnum > 0 ? -r->errnum : -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return sbx_error_set(err, 0, "%s died (status %d)", c->what, status);
	if (n != (ssize_t)sizeof(*r))
		return sbx_error_set(err, 0, "%s exited without a report", c->what);
	r->result[sizeof(r->result) - 1] = '\0';
	if (result && size)
		snprintf(result, size, "%s", r->result);
	return 0;
}

/**
 * nschild_abort() - kill and reap a child that will not get its "go"
 * @c:		the child (nothing happens when there is none)
 */
void nschild_abort(struct nschild *c)
{
	int status;

	if (c->pid > 0)
		kill(c->pid, SIGKILL);
	reap(c, &status);
	if (c->sock >= 0)
		close(c->sock);
	c->sock = -1;
}
