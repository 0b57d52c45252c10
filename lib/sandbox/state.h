/* SPDX-License-Identifier: GPL-2.0-or-later */
/* state.h - a sandbox's directories: ROOT/sandboxes/<id> and RUNROOT/<id> */
#ifndef SBX_STATE_H
#define SBX_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "options.h"

#define STATE_ID_LEN	   64
#define STATE_SHORT_ID_LEN 12

struct state_sandbox {
	char id[STATE_ID_LEN + 1];
	char *dir;	 /* ROOT/sandboxes/<id>: config.json, upper/, work/ */
	char *rundir;	 /* RUNROOT/<id>: pid (config.json with --rm) */
	char *name_link; /* ROOT/names/<name> -> id, or NULL */
	bool have_dir, have_rundir;
	bool reused; /* an exited sandbox started again (`shell --name`):
			its store directory is never removed on failure */
};

int state_alloc(const struct sbx_global *g, const char *name, struct state_sandbox *st,
		struct sbx_error **err);
int state_reuse(const struct sbx_global *g, const char *id, struct state_sandbox *st, struct sbx_error **err);
int state_mkdirs(struct state_sandbox *st, bool store_dir, bool layer_dirs, struct sbx_error **err);
/* What `exec` needs to enter a running sandbox the way `run` set it up. */
struct state_exec_info {
	uint64_t caps;	    /* capability set of the command */
	const char *user;   /* default user (`-u` as given, or UID:GID) */
	const char *cgroup; /* the sandbox's own cgroup, or NULL */
	const char *hostname;
};

int state_write_config(const struct state_sandbox *st, const struct sbx_run_opts *o, const char *image,
		       const struct state_exec_info *x, struct sbx_error **err);
int state_write_pid(const struct state_sandbox *st, pid_t pid, struct sbx_error **err);
int state_write_exit(const struct state_sandbox *st, int status, bool oom, struct sbx_error **err);
int state_proc_start_time(pid_t pid, unsigned long long *start);
void state_remove_rundir(struct state_sandbox *st);
void state_remove(struct state_sandbox *st);
void state_free(struct state_sandbox *st);
int state_open_entry(const char *parent, const char *id);
int state_open_file(int dirfd, const char *name);
int state_read_small(int dirfd, const char *name, char *buf, size_t size);
int state_default_dirs(struct sbx_global *g, struct sbx_error **err);

/* state_open_dirs(): which directories a command uses */
#define STATE_DIR_ROOT	    1u
#define STATE_DIR_RUNROOT   2u
#define STATE_DIR_ROOT_READ 4u /* ROOT, only read: not created when missing */
int state_open_dirs(struct sbx_global *g, unsigned which, struct sbx_error **err);

#endif /* SBX_STATE_H */
