// SPDX-License-Identifier: GPL-2.0-or-later
/* sandbox.c - command line: global options, the subcommand table, main() */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "error.h"
#include "options.h"
#include "selfclone.h"
#include "state.h"
#include "util.h"
#include "version.h"

/* the subcommands; their help texts are in lib/cli/help.c */
struct command {
	const char *name;
	int (*fn)(struct sbx_global *g, int argc, char **argv);
};

static const struct command commands[] = {
    {"run", cmd_run},	      {"shell", cmd_shell},   {"create", cmd_create},
    {"start", cmd_start},     {"exec", cmd_exec},     {"ps", cmd_ps},
    {"stop", cmd_stop},	      {"kill", cmd_kill},     {"rm", cmd_rm},
    {"logs", cmd_logs},	      {"attach", cmd_attach}, {"prune", cmd_prune},
    {"pull", cmd_pull},	      {"login", cmd_login},   {"logout", cmd_logout},
    {"import", cmd_import},   {"images", cmd_images}, {"rmi", cmd_rmi},
    {"inspect", cmd_inspect}, {"doctor", cmd_doctor}, {"version", cmd_version},
    {"help", cmd_help},	      {NULL, NULL},
};

int main(int argc, char **argv)
{
	struct sbx_global g = {.argv = argv};
	cleanup_error struct sbx_error *err = NULL;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i], *val = NULL;
		const char *eq = strchr(a, '=');
		size_t nl = eq ? (size_t)(eq - a) : strlen(a);

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
			return cli_print_help(NULL);
		if (strcmp(a, "--version") == 0 || strcmp(a, "-v") == 0) {
			version_print();
			return 0;
		}
		if ((nl == 6 && strncmp(a, "--root", 6) == 0) ||
		    (nl == 9 && strncmp(a, "--runroot", 9) == 0) ||
		    (nl == 11 && strncmp(a, "--log-level", 11) == 0)) {
			val = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
			if (!val)
				return cli_usage_error("sandbox", "flag `%s` needs a value", a);
			if (a[2] == 'l') {
				if (sbx_log_parse_level(val, &sbx_log_level) < 0)
					return cli_usage_error("sandbox", "invalid --log-level `%s`", val);
			} else if (a[2] == 'r' && a[3] == 'o') {
				g.root = xstrdup(val);
			} else {
				g.runroot = xstrdup(val);
			}
			continue;
		}
		return cli_usage_error("sandbox", "unknown flag `%s`", a);
	}
	if (i >= argc)
		return cli_print_help(NULL), SBX_EXIT_FAILURE;
	if (state_default_dirs(&g, &err) < 0)
		return cli_report(err);
	for (const struct command *c = commands; c->name; c++) {
		if (strcmp(c->name, argv[i]) == 0) {
			int ret;

			/* what enters a sandbox never runs from the host's file
			 * (CVE-2019-5736); exec does it once it knows the sandbox */
			if ((c->fn == cmd_run || c->fn == cmd_shell || c->fn == cmd_start) &&
			    selfclone_ensure(argv, &err) < 0)
				return cli_report(err);
			ret = c->fn(&g, argc - i, argv + i);

			free(g.root);
			free(g.runroot);
			return ret;
		}
	}
	dprintf(STDERR_FILENO, "sandbox: %s: unknown command\nhint: see `sandbox --help`\n", argv[i]);
	return SBX_EXIT_FAILURE;
}
