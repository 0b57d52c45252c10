/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exec.h - run a process inside a running sandbox (`sandbox exec`) */
#ifndef SBX_EXEC_H
#define SBX_EXEC_H

#include <stdbool.h>

#include "error.h"
#include "options.h"
#include "util.h"

struct exec_opts {
	const char *sandbox; /* name, id or id prefix */
	char **argv;	     /* command and arguments */
	bool interactive;    /* -i: keep stdin open */
	bool tty;	     /* -t: a pty on the sandbox's devpts */
	const char *user;    /* -u, NULL: the sandbox's user */
	const char *workdir; /* -w, NULL: the sandbox's */
	struct strv env;     /* -e K=V, after the sandbox's own */
};

int exec_in_sandbox(const struct sbx_global *g, struct exec_opts *xo, int *exit_status,
		    struct sbx_error **err);

#endif /* SBX_EXEC_H */
