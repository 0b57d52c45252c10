/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cgroup.h - cgroup v2 delegation: a cgroup with memory, pids and cpu limits per sandbox
 *
 * Call order in the supervisor (run.c):
 *
 *   struct cgroup_sandbox cg = CGROUP_SANDBOX_INIT;
 *   cgroup_create(&limits, short_id, runroot, &cg, &err);   before clone; no-op
 *                                                         without limits
 *   pid = clone(... without CLONE_NEWCGROUP when cg.path ...);
 *   cgroup_enter(&cg, pid, &err);                          before PID 1 runs
 *                                                         anything of its own;
 *                                                         PID 1 then unshares
 *                                                         CLONE_NEWCGROUP
 *   ... wait ...
 *   cgroup_oom_kills(&cg);                                 after exit
 *   cgroup_destroy(&cg);                                   always (idempotent)
 */
#ifndef SBX_CGROUP_H
#define SBX_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

struct cgroup_limits {
	int64_t memory; /* bytes; -1: no limit */
	int64_t pids;	/* -1: no limit */
	double cpus;	/* 0: no limit */
};

struct cgroup_sandbox {
	char *path;	/* absolute path of <delegated>/sandbox-<id>; NULL: none */
	int lockfd;	/* flock held while the sandbox lives (stale detection) */
	char *lockpath; /* RUNROOT/.cgroup-sandbox-<id>.lock */
	int64_t memory; /* memory.max written, for the OOM message */
};

#define CGROUP_SANDBOX_INIT                                                                                  \
	{                                                                                                    \
		.path = NULL, .lockfd = -1, .lockpath = NULL, .memory = -1                                   \
	}

bool cgroup_limits_requested(const struct cgroup_limits *l);
void cgroup_prune(const char *runroot);
int cgroup_create(const struct cgroup_limits *l, const char *short_id, const char *runroot,
		  struct cgroup_sandbox *cg, struct sbx_error **err);
int cgroup_enter(const struct cgroup_sandbox *cg, pid_t pid, struct sbx_error **err);
long long cgroup_oom_kills(const struct cgroup_sandbox *cg);
void cgroup_destroy(struct cgroup_sandbox *cg);

/* Parsers and formatters, exposed for the unit tests. */
int cgroup_parse_proc_self(const char *text, char **path);
int cgroup_parse_mountinfo(const char *text, char **mount_point, char **root);
char *cgroup_resolve(const char *mount_point, const char *mount_root, const char *cgroup_path);
bool cgroup_has_word(const char *list, const char *word);
long long cgroup_key_value(const char *text, const char *key);
void cgroup_format_size(int64_t bytes, char *buf, size_t size);
int cgroup_cpu_max(double cpus, char *buf, size_t size);

#endif /* SBX_CGROUP_H */
