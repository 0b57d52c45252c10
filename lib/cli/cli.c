// SPDX-License-Identifier: GPL-2.0-or-later
/* cli.c - what the subcommands share: error and usage messages, flag parsing */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "state.h"

/**
 * cli_report() - print *err as the one error line (plus hint)
 * @err:	the error, or NULL
 *
 * Return: its exit code (125 unless it set another).
 */
int cli_report(struct sbx_error *err)
{
	int code = err && err->exit_code ? err->exit_code : SBX_EXIT_FAILURE;

	sbx_log(SBX_LOG_ERROR, "%s", err && err->msg ? err->msg : "failed");
	if (err && err->hint)
		dprintf(STDERR_FILENO, "hint: %s\n", err->hint);
	return code;
}

/**
 * cli_usage_error() - one line for a bad command line, and a hint line
 * @cmd:	command name, also for the hint `sandbox help CMD`
 * @fmt:	what is wrong, printf format
 *
 * Return: exit code 125.
 */
int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	dprintf(STDERR_FILENO, "sandbox: %s: %s\nhint: see `sandbox help %s`\n", cmd, what, cmd);
	return SBX_EXIT_FAILURE;
}

/* `COMMAND --help` / `-h` for commands that take no other flag. */
bool cli_wants_help(int argc, char **argv)
{
	return argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
}

/* Parse flags with getopt_long; "+" stops at the first operand. */
int cli_next_opt(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
	return getopt_long(argc, argv, shortopts, longopts, NULL);
}

/**
 * cli_bad_flag() - the usage error for what getopt_long() did not accept
 * @cmd:	command name
 * @argv:	arguments given to getopt_long()
 * @c:		what getopt_long() returned: ':' for a missing value, else '?'
 *		or a flag the command does not take there
 *
 * Return: exit code 125.
 */
int cli_bad_flag(const char *cmd, char **argv, int c)
{
	if (c == ':')
		return cli_usage_error(cmd, "flag `%s` needs a value", argv[optind - 1]);
	if (optopt && optopt < 256)
		return cli_usage_error(cmd, "unknown flag `-%c` (or it needs a value)", (char)optopt);
	return cli_usage_error(cmd, "unknown flag `%s` (or it needs a value)", argv[optind - 1]);
}

/**
 * cli_open_dirs() - check (and create) the store and the runroot before a
 *		     command reads anything in them
 * @g:		global options (their paths become canonical)
 * @which:	STATE_DIR_ROOT, STATE_DIR_RUNROOT or both
 *
 * Return: 0, or the exit code after the error was printed.
 */
int cli_open_dirs(struct sbx_global *g, unsigned which)
{
	cleanup_error struct sbx_error *err = NULL;

	if (state_open_dirs(g, which, &err) < 0)
		return cli_report(err);
	return 0;
}
