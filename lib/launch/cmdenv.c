// SPDX-License-Identifier: GPL-2.0-or-later
/* cmdenv.c - the environment a command in a sandbox starts with (run, exec, shell) */
#include "cmdenv.h"

#include "passwd.h"

/**
 * cmdenv_build() - the environment block of a sandbox's command
 * @in:		what it is made of
 * @env:	appended to (normally empty); NULL-terminated
 *
 * Defaults first: PATH, HOSTNAME, HOME and USER of the user the command
 * runs as, TERM=xterm with a terminal (as docker and podman set for run and
 * exec alike: the caller's $TERM may name a terminal the image has no
 * terminfo for; `shell` passes the caller's TERM on as an -e entry),
 * container=sandbox and SANDBOX=ID. Then the image config's Env, then -e:
 * of the entries with the same name only the last one is kept.
 */
void cmdenv_build(const struct cmdenv_input *in, struct strv *env)
{
	const struct passwd_creds *cr = in->creds;

	strv_push(env, "PATH=" SBX_DEFAULT_PATH);
	if (in->hostname)
		strv_push_take(env, xasprintf("HOSTNAME=%s", in->hostname));
	strv_push_take(env, xasprintf("HOME=%s", cr->home ? cr->home : "/"));
	if (cr->user)
		strv_push_take(env, xasprintf("USER=%s", cr->user));
	if (in->tty)
		strv_push(env, "TERM=xterm");
	strv_push(env, "container=sandbox");
	strv_push_take(env, xasprintf("SANDBOX=%s", in->sandbox_id));
	for (char *const *e = in->image_env; e && *e; e++)
		strv_push(env, *e);
	for (size_t i = 0; in->user_env && i < in->user_env->n; i++)
		strv_push(env, in->user_env->v[i]);
	strv_env_dedup(env);
}
