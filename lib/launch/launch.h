/* SPDX-License-Identifier: GPL-2.0-or-later */
/* launch.h - the last steps of a sandbox's command, shared by `run` and `exec` */
#ifndef SBX_LAUNCH_H
#define SBX_LAUNCH_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

struct passwd_creds;
struct sbx_seccomp_filter;
struct userns_plan;

/* The privilege drop of a sandbox's command, shared by `run` and `exec`. */
struct launch_privs {
	uint64_t caps;				 /* bounding and effective set */
	const struct sbx_seccomp_filter *filter; /* NULL: unconfined */
	bool no_new_privs;
	bool can_setgroups;		/* setgroups(2) allowed inside */
	const struct userns_plan *plan; /* which ids exist inside */
};

int launch_drop_bounding(uint64_t keep, struct sbx_error **err);
int launch_drop_privileges(const struct launch_privs *p, struct passwd_creds *creds, struct sbx_error **err);
int launch_find_and_exec(char **argv, char **envp, bool login);
int launch_leave_caller_session(struct sbx_error **err);
int launch_mark_fds_cloexec(struct sbx_error **err);
int launch_close_fds_above_stdio(struct sbx_error **err);
int launch_prepare_stdio(int pty_slave, bool interactive, const char *workdir, struct sbx_error **err);

#endif /* SBX_LAUNCH_H */
