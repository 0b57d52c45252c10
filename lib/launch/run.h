/* SPDX-License-Identifier: GPL-2.0-or-later */
/* run.h - create, start and wait for one sandbox */
#ifndef SBX_RUN_H
#define SBX_RUN_H

#include "error.h"
#include "options.h"

#include <stdbool.h>
#include <stdint.h>

struct passwd_creds;
struct sbx_seccomp_filter;
struct userns_plan;

/* The privilege drop of a sandbox's command, shared by `run` and `exec`. */
struct run_privs {
	uint64_t caps;				 /* bounding and effective set */
	const struct sbx_seccomp_filter *filter; /* NULL: unconfined */
	bool no_new_privs;
	bool can_setgroups;		/* setgroups(2) allowed inside */
	const struct userns_plan *plan; /* which ids exist inside */
};

int run_sandbox(struct sbx_run_opts *o, int *exit_status, struct sbx_error **err);
int run_drop_privileges(const struct run_privs *p, struct passwd_creds *creds, struct sbx_error **err);
int run_find_and_exec(char **argv, char **envp, bool login);
int run_leave_caller_session(struct sbx_error **err);
int run_mark_fds_cloexec(struct sbx_error **err);
int run_close_fds_above_stdio(struct sbx_error **err);
int run_prepare_stdio(int pty_slave, bool interactive, const char *workdir, struct sbx_error **err);

#endif /* SBX_RUN_H */
