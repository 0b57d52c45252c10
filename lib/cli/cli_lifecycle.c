// SPDX-License-Identifier: GPL-2.0-or-later
/* cli_lifecycle.c - ps, stop, kill, rm, logs and prune: the sandboxes after `run` */
#include "cli.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "image.h"
#include "lifecycle.h"
#include "state.h"
#include "util.h"

/**
 * cmd_ps() - `sandbox ps`: list sandboxes
 * @g:		global options
 * @argc:	argument count
 * @argv:	arguments, from `ps`
 *
 * Return: 0, or 125 for a bad command line.
 */
int cmd_ps(struct sbx_global *g, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct lc_sandbox *v;
	bool all = false, json = false;
	size_t n;
	char *out;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = cli_next_opt(argc, argv, "+ah", longopts)) != -1) {
		if (c == 'a')
			all = true;
		else if (c == 'f' && (strcmp(optarg, "json") == 0 || strcmp(optarg, "table") == 0))
			json = optarg[0] == 'j';
		else if (c == 'f')
			return cli_usage_error("ps", "invalid --format `%s` (table or json)", optarg);
		else if (c == 'h')
			return cli_print_help("ps");
		else
			return cli_bad_flag("ps", argv, c);
	}
	if (optind < argc)
		return cli_usage_error("ps", "unexpected argument `%s`", argv[optind]);
	if ((c = cli_open_dirs(g, STATE_DIR_ROOT_READ | STATE_DIR_RUNROOT)))
		return c;
	lifecycle_list(g, all, &v, &n);
	out = json ? lifecycle_format_json(v, n) : lifecycle_format_table(v, n);
	fputs(out, stdout);
	free(out);
	lifecycle_free_list(v, n);
	return 0;
}

enum lc_action { LC_STOP, LC_KILL, LC_RM };

/* stop, kill and rm: one action on each SANDBOX operand; the ids of those done are printed. */
static int lifecycle_each(struct sbx_global *g, const char *cmd, int argc, char **argv, enum lc_action a,
			  int arg)
{
	int ret = 0;

	if (optind >= argc)
		return cli_usage_error(cmd, "%s", "missing SANDBOX");
	if ((ret = cli_open_dirs(g, STATE_DIR_ROOT | STATE_DIR_RUNROOT)))
		return ret;
	for (int i = optind; i < argc; i++) {
		cleanup_error struct sbx_error *err = NULL;
		struct lc_sandbox sb;
		int r;

		if (lifecycle_find(g, argv[i], &sb, &err) < 0) {
			ret = cli_report(err);
			continue;
		}
		if (a == LC_STOP)
			r = lifecycle_stop(&sb, arg, &err);
		else if (a == LC_KILL)
			r = lifecycle_kill(&sb, arg, &err);
		else
			r = lifecycle_rm(g, &sb, arg, &err);
		if (r < 0)
			ret = cli_report(err);
		else
			printf("%s\n", argv[i]);
		lifecycle_free(&sb);
	}
	return ret;
}

/**
 * cmd_stop() - `sandbox stop`: SIGTERM, then SIGKILL after the timeout
 * @g:		global options
 * @argc:	argument count
 * @argv:	arguments, from `stop`
 *
 * Return: 0, or the exit code of the last failure.
 */
int cmd_stop(struct sbx_global *g, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"time", required_argument, NULL, 't'},
	    {"timeout", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	unsigned long long secs = 10;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = cli_next_opt(argc, argv, "+t:h", longopts)) != -1) {
		if (c == 't' && !util_parse_uint(optarg, 1000000, &secs))
			return cli_usage_error("stop", "invalid --time `%s` (seconds)", optarg);
		else if (c == 'h')
			return cli_print_help("stop");
		else if (c != 't')
			return cli_bad_flag("stop", argv, c);
	}
	return lifecycle_each(g, "stop", argc, argv, LC_STOP, (int)secs);
}

/**
 * cmd_kill() - `sandbox kill`: send a signal to sandboxes
 * @g:		global options
 * @argc:	argument count
 * @argv:	arguments, from `kill`
 *
 * Return: 0, or the exit code of the last failure.
 */
int cmd_kill(struct sbx_global *g, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"signal", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c, sig = SIGKILL;

	optind = 1;
	opterr = 0;
	while ((c = cli_next_opt(argc, argv, "+s:h", longopts)) != -1) {
		if (c == 's' && (sig = lifecycle_parse_signal(optarg)) < 0)
			return cli_usage_error("kill", "invalid --signal `%s`", optarg);
		else if (c == 'h')
			return cli_print_help("kill");
		else if (c != 's')
			return cli_bad_flag("kill", argv, c);
	}
	return lifecycle_each(g, "kill", argc, argv, LC_KILL, sig);
}

/**
 * cmd_rm() - `sandbox rm`: remove sandboxes
 * @g:		global options
 * @argc:	argument count
 * @argv:	arguments, from `rm`
 *
 * Return: 0, or the exit code of the last failure.
 */
int cmd_rm(struct sbx_global *g, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"force", no_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	bool force = false;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = cli_next_opt(argc, argv, "+fh", longopts)) != -1) {
		if (c == 'f')
			force = true;
		else if (c == 'h')
			return cli_print_help("rm");
		else
			return cli_bad_flag("rm", argv, c);
	}
	return lifecycle_each(g, "rm", argc, argv, LC_RM, force);
}

/**
 * cmd_logs() - `sandbox logs`: the output of a detached sandbox
 * @g:		global options
 * @argc:	argument count
 * @argv:	arguments, from `logs`
 *
 * Return: 0, or 125 on an error.
 */
int cmd_logs(struct sbx_global *g, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"follow", no_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	cleanup_error struct sbx_error *err = NULL;
	struct lc_sandbox sb;
	bool follow = false;
	int c, r;

	optind = 1;
	opterr = 0;
	while ((c = cli_next_opt(argc, argv, "+fh", longopts)) != -1) {
		if (c == 'f')
			follow = true;
		else if (c == 'h')
			return cli_print_help("logs");
		else
			return cli_bad_flag("logs", argv, c);
	}
	if (optind >= argc)
		return cli_usage_error("logs", "%s", "missing SANDBOX");
	if (argc - optind > 1)
		return cli_usage_error("logs", "unexpected argument `%s`", argv[optind + 1]);
	if ((r = cli_open_dirs(g, STATE_DIR_ROOT | STATE_DIR_RUNROOT)))
		return r;
	if (lifecycle_find(g, argv[optind], &sb, &err) < 0)
		return cli_report(err);
	fflush(stdout);
	r = lifecycle_logs(&sb, follow, &err);
	lifecycle_free(&sb);
	return r < 0 ? cli_report(err) : 0;
}

/**
 * cmd_prune() - `sandbox prune`: remove exited sandboxes and unused blobs and layers
 * @g:		global options
 * @argc:	argument count
 * @argv:	arguments, from `prune`
 *
 * Return: 0, or the exit code of the last failure.
 */
int cmd_prune(struct sbx_global *g, int argc, char **argv)
{
	struct lc_sandbox *v;
	size_t n;
	int ret = 0;

	if (cli_wants_help(argc, argv))
		return cli_print_help("prune");
	if (argc > 1)
		return cli_usage_error("prune", "unexpected argument `%s`", argv[1]);
	if ((ret = cli_open_dirs(g, STATE_DIR_ROOT | STATE_DIR_RUNROOT)))
		return ret;
	lifecycle_list(g, true, &v, &n);
	for (size_t i = 0; i < n; i++) {
		cleanup_error struct sbx_error *err = NULL;

		if (v[i].status != LC_EXITED && v[i].status != LC_NEW)
			continue;
		if (lifecycle_rm(g, &v[i], false, &err) < 0)
			ret = cli_report(err);
		else
			printf("%s\n", v[i].id);
	}
	lifecycle_free_list(v, n);
	/* cgroups of sandboxes whose supervisor was killed (cgroup.c) */
	cgroup_prune(g->runroot);
	/* then the image store: blobs and layers no image and no sandbox uses (image.c) */
	{
		cleanup_error struct sbx_error *err = NULL;
		struct lc_sandbox *sv = NULL;
		size_t sn = 0;
		struct image_user *u = cli_image_users(g, &sv, &sn);
		char *out = NULL;

		if (image_prune(g->root, u, sn, &out, &err) < 0)
			ret = cli_report(err);
		else
			fputs(out, stdout);
		free(out);
		free(u);
		lifecycle_free_list(sv, sn);
	}
	return ret;
}
