/* SPDX-License-Identifier: GPL-2.0-or-later */
/* state.h - a sandbox's directories: ROOT/sandboxes/<id> and RUNROOT/<id> */
#ifndef SBX_STATE_H
#define SBX_STATE_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "options.h"

#define STATE_ID_LEN 64
#define STATE_SHORT_ID_LEN 12

struct state_sandbox {
	char id[STATE_ID_LEN + 1];
	char *dir;		/* ROOT/sandboxes/<id>: config.json, upper/, work/ */
	char *rundir;		/* RUNROOT/<id>: pid (config.json with --rm) */
	char *name_link;	/* ROOT/names/<name> -> id, or NULL */
	bool have_dir, have_rundir;
};

int state_alloc(const struct sbx_global *g, const char *name, struct state_sandbox *st,
		struct sbx_error **err);
int state_mkdirs(struct state_sandbox *st, bool store_dir, bool layer_dirs, struct sbx_error **err);
int state_write_config(const struct state_sandbox *st, const struct sbx_run_opts *o,
		       const char *image, struct sbx_error **err);
int state_write_pid(const struct state_sandbox *st, pid_t pid, struct sbx_error **err);
void state_remove_rundir(struct state_sandbox *st);
void state_remove(struct state_sandbox *st);
void state_free(struct state_sandbox *st);
int state_default_dirs(struct sbx_global *g, struct sbx_error **err);

#endif /* SBX_STATE_H */
