/* SPDX-License-Identifier: GPL-2.0-or-later */
/* options.h - the options of one sandbox, filled by sandbox.c, read by lib/ */
#ifndef SBX_OPTIONS_H
#define SBX_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util.h"

enum sbx_userns_mode {
	SBX_USERNS_AUTO,    /* root = caller, 1..N = subordinate range */
	SBX_USERNS_KEEP_ID, /* caller's uid/gid are the same inside */
	SBX_USERNS_SINGLE,  /* only root = caller */
};

enum sbx_network_mode {
	SBX_NET_SLIRP,
	SBX_NET_NONE,
	SBX_NET_HOST,
};

/* -v HOSTPATH:PATH[:ro|rw] */
struct sbx_volume {
	char *source; /* absolute host path */
	char *target; /* absolute path inside */
	bool read_only;
};

/* --tmpfs PATH[:OPTIONS] */
struct sbx_tmpfs {
	char *target;
	unsigned long flags; /* MS_* flags from OPTIONS */
	char *data;	     /* remaining options for the kernel, e.g. "size=64m,mode=1777" */
};

/* Global options (before the subcommand). */
struct sbx_global {
	char *root;    /* store: ROOT/sandboxes/<id>/... */
	char *runroot; /* live state: RUNROOT/<id>/ */
	char **argv;   /* the process's, to re-execute it (selfclone.c) */
};

struct sbx_run_opts {
	const struct sbx_global *global;

	/* what to run */
	char *image;	 /* "host", a rootfs directory, or a reference */
	char *platform;	 /* --platform OS/ARCH[/VARIANT] for a reference, or NULL */
	int pull_policy; /* --pull: enum registry_pull_policy (0: missing) */
	char **argv;	 /* command (NULL: image default or shell) */
	char *entrypoint;
	struct strv env; /* K=V, in order of precedence (later wins) */
	char *workdir;
	char *user;	  /* -u as given, resolved inside */
	bool init;	  /* PID 1 is our init (default true) */
	bool login_shell; /* `shell`: argv[0] gets a leading '-' */

	/* lifecycle */
	char *name;
	bool rm;
	bool detach;
	int notify_fd;		  /* -d: "OK <id>" once the command started; -1 */
	const char *reuse_id;	  /* start this exited sandbox again (`shell --name`, `start`) */
	struct strv args;	  /* run's flags and operands, normalised, for `start` (config.json) */
	size_t args_image;	  /* where IMAGE is in args */
	const char *image_digest; /* the manifest an image reference resolved to, or NULL */
	bool create_only;	  /* `create`: configured, never started */
	bool interactive;
	bool tty;

	/* filesystem */
	bool read_only;
	struct sbx_volume *volumes;
	size_t n_volumes;
	struct sbx_tmpfs *tmpfs;
	size_t n_tmpfs;
	char *hostname;

	/* isolation */
	enum sbx_userns_mode userns;
	enum sbx_network_mode network;
	unsigned net_mtu;    /* slirp: MTU of the sandbox's eth0 */
	struct strv publish; /* -p specs, validated by the network module */
	bool allow_host_loopback;
	char *dns;
	struct strv cap_add;
	struct strv cap_drop;
	char *seccomp_profile; /* NULL: built-in; "unconfined"; or a file */
	bool no_new_privs;     /* default true */
	bool privileged;

	/* resources (cgroup v2) */
	int64_t memory;	    /* bytes, -1 unset */
	int64_t pids_limit; /* -1 unset */
	double cpus;	    /* 0 unset */
};

void options_run_init(struct sbx_run_opts *o, const struct sbx_global *g);
void options_run_free(struct sbx_run_opts *o);
void options_pin_image(struct sbx_run_opts *o, const char *name, const char *digest);
int options_parse_volume(const char *spec, struct sbx_volume *out, struct sbx_error **err);
int options_parse_tmpfs(const char *spec, struct sbx_tmpfs *out, struct sbx_error **err);
int options_parse_size(const char *s, int64_t *out);
int options_parse_env_file(const char *path, struct strv *env, struct sbx_error **err);

#endif /* SBX_OPTIONS_H */
