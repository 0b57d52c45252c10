/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli.h - the subcommands of the command line and the helpers they share
 *
 * The cmd_*() functions are the front end, not the library: each parses its
 * command's flags, calls into lib/ and prints the result or the error. They
 * take the global options, and argc/argv starting with the command's name;
 * they return the process exit code. sandbox.c holds the table that maps
 * names to them and main(); help.c the help texts.
 */
#ifndef SBX_CLI_H
#define SBX_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include "error.h"
#include "options.h"

struct image_user;
struct lc_sandbox;

/* cli.c: messages, exit codes, flag parsing */
int cli_report(struct sbx_error *err);
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool cli_wants_help(int argc, char **argv);
int cli_next_opt(int argc, char **argv, const char *shortopts, const struct option *longopts);
int cli_bad_flag(const char *cmd, char **argv, int c);
int cli_open_dirs(struct sbx_global *g, unsigned which);
struct image_user *cli_image_users(struct sbx_global *g, struct lc_sandbox **v, size_t *n);

/* help.c: `sandbox help [COMMAND]` and every command's -h */
int cli_print_help(const char *name);

/* cli_run.c: a new sandbox, or a command in a running one */
int cmd_run(struct sbx_global *g, int argc, char **argv);
int cmd_create(struct sbx_global *g, int argc, char **argv);
int cmd_start(struct sbx_global *g, int argc, char **argv);
int cmd_shell(struct sbx_global *g, int argc, char **argv);
int cmd_exec(struct sbx_global *g, int argc, char **argv);

/* cli_lifecycle.c: the sandboxes after `run` */
int cmd_ps(struct sbx_global *g, int argc, char **argv);
int cmd_stop(struct sbx_global *g, int argc, char **argv);
int cmd_kill(struct sbx_global *g, int argc, char **argv);
int cmd_rm(struct sbx_global *g, int argc, char **argv);
int cmd_logs(struct sbx_global *g, int argc, char **argv);
int cmd_prune(struct sbx_global *g, int argc, char **argv);

/* cli_attach.c: the terminal of a detached -t sandbox */
int cmd_attach(struct sbx_global *g, int argc, char **argv);

/* cli_image.c: the image store and registries */
int cmd_pull(struct sbx_global *g, int argc, char **argv);
int cmd_login(struct sbx_global *g, int argc, char **argv);
int cmd_logout(struct sbx_global *g, int argc, char **argv);
int cmd_import(struct sbx_global *g, int argc, char **argv);
int cmd_images(struct sbx_global *g, int argc, char **argv);
int cmd_rmi(struct sbx_global *g, int argc, char **argv);
int cmd_inspect(struct sbx_global *g, int argc, char **argv);

/* cli_info.c: this host and this program */
int cmd_doctor(struct sbx_global *g, int argc, char **argv);
int cmd_version(struct sbx_global *g, int argc, char **argv);
int cmd_help(struct sbx_global *g, int argc, char **argv);

#endif /* SBX_CLI_H */
