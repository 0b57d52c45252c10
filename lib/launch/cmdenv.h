/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmdenv.h - the environment a command in a sandbox starts with (run, exec, shell) */
#ifndef SBX_CMDENV_H
#define SBX_CMDENV_H

#include <stdbool.h>

#include "util.h"

struct passwd_creds;

/* PATH for a command whose image sets none (docker's and podman's). */
#define SBX_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* What the environment block is made of, in the order it is built. */
struct cmdenv_input {
	const char *hostname;		  /* HOSTNAME, or NULL for none */
	const struct passwd_creds *creds; /* HOME and USER of the resolved user */
	bool tty;			  /* TERM=xterm with a terminal */
	const char *sandbox_id;		  /* SANDBOX */
	char *const *image_env;		  /* run: the image config's Env; exec: the sandbox's -e
					  entries (config.json); NULL-terminated, or NULL */
	const struct strv *user_env;	  /* -e/--env-file entries, or NULL */
};

void cmdenv_build(const struct cmdenv_input *in, struct strv *env);

#endif /* SBX_CMDENV_H */
