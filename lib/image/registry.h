/* SPDX-License-Identifier: GPL-2.0-or-later */
/* registry.h - OCI distribution API v2 client: pull, login, logout */
#ifndef SBX_REGISTRY_H
#define SBX_REGISTRY_H

#include <stdbool.h>

#include "error.h"

struct registry_opts {
	bool tls_verify;      /* true unless --tls-verify=false */
	const char *creds;    /* "USER:PASS" from --creds, or NULL */
	const char *platform; /* "OS/ARCH[/VARIANT]" from --platform, or NULL: this host's */
	bool foreign_layers;
	bool quiet; /* -q: no progress, no per-layer lines */ /* --allow-foreign-layers: fetch
								 non-distributable layers from their URLs */
};

int registry_pull(const char *root, const char *ref, const struct registry_opts *o, char **report,
		  struct sbx_error **err);
/* run/create --pull: when an image reference is pulled */
enum registry_pull_policy {
	REGISTRY_PULL_MISSING, /* when it is not in the store (default) */
	REGISTRY_PULL_ALWAYS,  /* every time (--pull=always, --pull=newer) */
	REGISTRY_PULL_NEVER,   /* never: not in the store is an error */
};

struct image_run;
int registry_resolve_or_pull(const char *root, const char *ref, const char *platform,
			     enum registry_pull_policy policy, struct image_run *out, struct sbx_error **err);
int registry_login(const char *registry, const char *user, const char *pass, const struct registry_opts *o,
		   struct sbx_error **err);
int registry_logout(const char *registry, struct sbx_error **err);

#endif /* SBX_REGISTRY_H */
