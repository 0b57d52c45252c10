/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lifecycle.h - sandboxes after `run`: detach, look up, list, stop, kill, rm, logs, prune
 *
 * A sandbox is known by its store directory ROOT/sandboxes/<id> (not --rm)
 * and, while it lives, RUNROOT/<id>. The state is read from files only (no
 * daemon): RUNROOT/<id>/pid holds PID 1 and the supervisor with their start
 * times (a reused pid has another one), ROOT/sandboxes/<id>/exit the
 * command's status once the supervisor saw it end.
 */
#ifndef SBX_LIFECYCLE_H
#define SBX_LIFECYCLE_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "options.h"
#include "sbxconfig.h"
#include "state.h"

enum lc_status {
	LC_CREATED, /* live state, no PID 1 recorded yet: starting */
	LC_RUNNING,
	LC_EXITED,
	LC_NEW, /* made by `create`, never started */
};

struct lc_sandbox {
	char id[STATE_ID_LEN + 1];
	char *dir;    /* ROOT/sandboxes/<id> if it exists */
	char *rundir; /* RUNROOT/<id> if it exists */
	char *name;
	char *image;
	char *command;	   /* argv joined by blanks ("" for the default) */
	long long created; /* seconds since the epoch */
	pid_t pid;	   /* PID 1 (host pid), 0 if unknown */
	unsigned long long pid_start;
	pid_t sup; /* the supervisor, 0 if unknown */
	unsigned long long sup_start;
	enum lc_status status;
	int exit_code; /* -1: unknown */
	bool oom;
	struct sbx_config *config; /* config.json, or NULL when unreadable */
};

int lifecycle_run_detached(struct sbx_run_opts *o, char *id, struct sbx_error **err);
bool lifecycle_name_looks_like_id(const char *name);
int lifecycle_find(const struct sbx_global *g, const char *what, struct lc_sandbox *sb,
		   struct sbx_error **err);
int lifecycle_list(const struct sbx_global *g, bool all, struct lc_sandbox **out, size_t *n);
void lifecycle_free(struct lc_sandbox *sb);
void lifecycle_free_list(struct lc_sandbox *v, size_t n);
char *lifecycle_format_table(const struct lc_sandbox *v, size_t n);
char *lifecycle_format_json(const struct lc_sandbox *v, size_t n);
bool lifecycle_running(struct lc_sandbox *sb);
int lifecycle_kill(struct lc_sandbox *sb, int sig, struct sbx_error **err);
int lifecycle_stop(struct lc_sandbox *sb, int timeout_s, struct sbx_error **err);
int lifecycle_rm(const struct sbx_global *g, struct lc_sandbox *sb, bool force, struct sbx_error **err);
int lifecycle_logs(struct lc_sandbox *sb, bool follow, struct sbx_error **err);
int lifecycle_parse_signal(const char *s);
int lifecycle_clear_stale(struct lc_sandbox *sb, struct sbx_error **err);
int lifecycle_reuse_named(struct sbx_run_opts *o, struct sbx_error **err);

#endif /* SBX_LIFECYCLE_H */
