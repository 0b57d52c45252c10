// SPDX-License-Identifier: GPL-2.0-or-later
/* cli_info.c - doctor, version and help: this host and this program */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"
#include "version.h"

/**
 * cmd_version() - `sandbox version`: this program and its libraries
 * @g:		global options
 * @argc:	argument count
 * @argv:	arguments, from `version`
 *
 * Return: 0.
 */
int cmd_version(struct sbx_global *g, int argc, char **argv)
{
	(void)g;
	if (cli_wants_help(argc, argv))
		return cli_print_help("version");
	version_print();
	return 0;
}

/**
 * cmd_help() - `sandbox help [COMMAND]`
 * @g:		global options
 * @argc:	argument count
 * @argv:	arguments, from `help`
 *
 * Return: 0, or 125 for an unknown command.
 */
int cmd_help(struct sbx_global *g, int argc, char **argv)
{
	(void)g;
	if (cli_wants_help(argc, argv))
		return cli_print_help("help");
	return cli_print_help(argc > 1 ? argv[1] : NULL);
}

/**
 * cmd_doctor() - `sandbox doctor`: check what this host offers
 * @g:		global options
 * @argc:	argument count
 * @argv:	arguments, from `doctor`
 *
 * Return: 0 when everything `run` needs works, 1 otherwise, 125 for a bad
 * command line.
 */
int cmd_doctor(struct sbx_global *g, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct doctor_report r;
	bool json = false;
	char *out;
	int c, ret;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		if (c == 'h')
			return cli_print_help("doctor");
		if (c == 'f' && (strcmp(optarg, "json") == 0 || strcmp(optarg, "text") == 0))
			json = optarg[0] == 'j';
		else if (c == 'f')
			return cli_usage_error("doctor", "invalid --format `%s` (text or json)", optarg);
		else
			return cli_usage_error("doctor", "unknown flag `%s`", argv[optind - 1]);
	}
	if (optind < argc)
		return cli_usage_error("doctor", "unexpected argument `%s`", argv[optind]);
	doctor_run(g, &r);
	out = json ? doctor_format_json(&r) : doctor_format_text(&r);
	fputs(out, stdout);
	ret = doctor_report_ok(&r) ? 0 : 1;
	free(out);
	doctor_report_free(&r);
	return ret;
}
