/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sbxconfig.h - config.json of a sandbox: the schema, its one writer and its one reader */
#ifndef SBX_SBXCONFIG_H
#define SBX_SBXCONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "error.h"
#include "util.h"

/*
 * ROOT/sandboxes/<id>/config.json (RUNROOT/<id>/config.json with --rm):
 * what a sandbox was made from, for ps/inspect, `start` (args), gc (the
 * pinned image) and `exec` (the rest). Written by `create`/`run`
 * (state_write_config()), read by lifecycle.c for every other command.
 * The file is in the user's store: the reader takes anything, and a field
 * of the wrong type counts as absent.
 */
struct sbx_config {
	char *id;
	char *name;	     /* --name, or NULL */
	char *image;	     /* IMAGE as resolved, or NULL */
	struct strv command; /* the command as given (empty for the image's) */
	long long created;   /* seconds since the epoch */
	bool rm, detach;
	struct strv args;   /* run's flags and operands, for `start`; empty for shell */
	bool created_only;  /* made by `create`, never started */
	char *image_digest; /* the image pinned, or NULL */

	/* What `exec` reapplies; written when the sandbox was started. */
	bool has_exec;	/* the fields below were written ("caps" present) */
	uint64_t caps;	/* capability set of the command */
	char *user;	/* default user (`-u` as given, or UID:GID) */
	char *cgroup;	/* the sandbox's own cgroup, or NULL */
	char *hostname; /* or NULL */
	char *workdir;	/* -w, or NULL */
	char *seccomp;	/* "unconfined", a profile's absolute path, or NULL (default) */
	bool no_new_privs, privileged;
	bool init;	      /* our init is PID 1 (default true) */
	bool own_netns;	      /* not --network host (default true) */
	long long memory;     /* bytes, -1 for none */
	long long pids_limit; /* -1 for none */
	double cpus;	      /* 0 for none */
	struct strv env;      /* -e entries, normalised */
};

json_t *sbxconfig_to_json(const struct sbx_config *c);
int sbxconfig_write(const char *dir, const struct sbx_config *c, struct sbx_error **err);
int sbxconfig_parse(const char *text, size_t len, struct sbx_config *c, struct sbx_error **err);
int sbxconfig_load(const char *path, struct sbx_config *c, struct sbx_error **err);
void sbxconfig_free(struct sbx_config *c);

#endif /* SBX_SBXCONFIG_H */
