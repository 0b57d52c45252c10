// SPDX-License-Identifier: GPL-2.0-or-later
/* cli_image.c - pull, login, logout, import, images, rmi and inspect: images and registries */
#include "cli.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "lifecycle.h"
#include "registry.h"
#include "state.h"
#include "util.h"

/* Flags of the image commands: -f/--force, --format table|json, -h. */
static int image_flags(const char *cmd, int argc, char **argv, bool *force, bool *json)
{
	static const struct option longopts[] = {
	    {"force", no_argument, NULL, 'f'},
	    {"format", required_argument, NULL, 'F'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, force ? "+fh" : "+h", longopts, NULL)) != -1) {
		if (c == 'h')
			return cli_print_help(cmd), -2;
		if (c == 'f' && force)
			*force = true;
		else if (c == 'F' && json && (strcmp(optarg, "json") == 0 || strcmp(optarg, "table") == 0))
			*json = optarg[0] == 'j';
		else if (c == 'F' && json)
			return cli_usage_error(cmd, "invalid --format `%s` (table or json)", optarg), -1;
		else
			return cli_usage_error(cmd, "unknown flag `%s`", argv[optind - 1]), -1;
	}
	return optind;
}

/**
 * cmd_import() - `sandbox import`: load an image archive, layout or rootfs tarball
 * @g:		global options
 * @argc:	argument count
 * @argv:	arguments, from `import`
 *
 * Return: 0, or 125 on an error.
 */
int cmd_import(struct sbx_global *g, int argc, char **argv)
{
	cleanup_error struct sbx_error *err = NULL;
	char *out = NULL;
	int ret, first = image_flags("import", argc, argv, NULL, NULL);

	if (first < 0)
		return first == -2 ? 0 : SBX_EXIT_FAILURE;
	if (argc - first < 1 || argc - first > 2)
		return cli_usage_error("import", "%s",
				       argc - first < 1 ? "missing FILE or DIR" : "too many arguments");
	if ((ret = cli_open_dirs(g, STATE_DIR_ROOT)))
		return ret;
	if (image_import(g->root, argv[first], argc - first > 1 ? argv[first + 1] : NULL, &out, &err) < 0)
		return cli_report(err);
	fputs(out, stdout);
	free(out);
	return 0;
}

/**
 * cmd_pull() - `sandbox pull`: fetch an image from a registry into the store
 * @g:		global options
 * @argc:	argument count
 * @argv:	arguments, from `pull`
 *
 * Return: 0, or 125 on an error.
 */
int cmd_pull(struct sbx_global *g, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"tls-verify", required_argument, NULL, 'T'},
	    {"creds", required_argument, NULL, 'c'},
	    {"platform", required_argument, NULL, 'P'},
	    {"allow-foreign-layers", no_argument, NULL, 'F'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	cleanup_error struct sbx_error *err = NULL;
	struct registry_opts o = {.tls_verify = true};
	struct image_platform plat;
	char *out = NULL;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = cli_next_opt(argc, argv, "+qh", longopts)) != -1) {
		if (c == 'h')
			return cli_print_help("pull");
		if (c == 'T' && (strcmp(optarg, "true") == 0 || strcmp(optarg, "false") == 0))
			o.tls_verify = optarg[0] == 't';
		else if (c == 'T')
			return cli_usage_error("pull", "invalid --tls-verify `%s` (true or false)", optarg);
		else if (c == 'c')
			o.creds = optarg;
		else if (c == 'P' && image_platform_parse(optarg, &plat, &err) < 0)
			return cli_usage_error("pull", "--platform: %s", err->msg);
		else if (c == 'P')
			o.platform = optarg;
		else if (c == 'F')
			o.foreign_layers = true;
		else if (c == 'q')
			o.quiet = true;
		else
			return cli_bad_flag("pull", argv, c);
	}
	if (argc - optind != 1)
		return cli_usage_error("pull", "%s", optind >= argc ? "missing IMAGE" : "too many arguments");
	if ((c = cli_open_dirs(g, STATE_DIR_ROOT)))
		return c;
	if (registry_pull(g->root, argv[optind], &o, &out, &err) < 0)
		return cli_report(err);
	fputs(out, stdout);
	free(out);
	return 0;
}

/**
 * cmd_login() - `sandbox login`: check and store credentials for a registry
 * @g:		global options
 * @argc:	argument count
 * @argv:	arguments, from `login`
 *
 * Return: 0, or 125 on an error.
 */
int cmd_login(struct sbx_global *g, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"username", required_argument, NULL, 'u'},
	    {"password-stdin", no_argument, NULL, 'P'},
	    {"tls-verify", required_argument, NULL, 'T'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	cleanup_error struct sbx_error *err = NULL;
	struct registry_opts o = {.tls_verify = true};
	const char *user = NULL;
	char pass[1024] = "";
	bool from_stdin = false;
	int c;

	(void)g;
	optind = 1;
	opterr = 0;
	while ((c = cli_next_opt(argc, argv, "+u:h", longopts)) != -1) {
		if (c == 'h')
			return cli_print_help("login");
		if (c == 'u')
			user = optarg;
		else if (c == 'P')
			from_stdin = true;
		else if (c == 'T' && (strcmp(optarg, "true") == 0 || strcmp(optarg, "false") == 0))
			o.tls_verify = optarg[0] == 't';
		else
			return cli_bad_flag("login", argv, c);
	}
	if (argc - optind != 1)
		return cli_usage_error("login", "%s",
				       optind >= argc ? "missing REGISTRY" : "too many arguments");
	if (!user)
		return cli_usage_error("login", "%s", "missing -u USER");
	if (from_stdin) {
		size_t n = fread(pass, 1, sizeof(pass) - 1, stdin);

		pass[n] = '\0';
		while (n && (pass[n - 1] == '\n' || pass[n - 1] == '\r'))
			pass[--n] = '\0';
	} else {
		char *p = isatty(STDIN_FILENO) ? getpass("Password: ") : NULL;

		if (!p)
			return cli_usage_error("login", "%s",
					       "no TTY to ask for the password: use --password-stdin");
		snprintf(pass, sizeof(pass), "%s", p);
	}
	if (!pass[0])
		return cli_usage_error("login", "%s", "empty password");
	if (registry_login(argv[optind], user, pass, &o, &err) < 0)
		return cli_report(err);
	puts("Login Succeeded!");
	return 0;
}

/**
 * cmd_logout() - `sandbox logout`: remove the stored credentials for a registry
 * @g:		global options
 * @argc:	argument count
 * @argv:	arguments, from `logout`
 *
 * Return: 0, or 125 on an error.
 */
int cmd_logout(struct sbx_global *g, int argc, char **argv)
{
	cleanup_error struct sbx_error *err = NULL;

	(void)g;
	if (cli_wants_help(argc, argv))
		return cli_print_help("logout");
	if (argc != 2)
		return cli_usage_error("logout", "%s", argc < 2 ? "missing REGISTRY" : "too many arguments");
	if (registry_logout(argv[1], &err) < 0)
		return cli_report(err);
	printf("Removed login credentials for %s\n", argv[1]);
	return 0;
}

/**
 * cmd_images() - `sandbox images`: list the images in the store
 * @g:		global options
 * @argc:	argument count
 * @argv:	arguments, from `images`
 *
 * Return: 0, or 125 on an error.
 */
int cmd_images(struct sbx_global *g, int argc, char **argv)
{
	cleanup_error struct sbx_error *err = NULL;
	bool json = false;
	char *out = NULL;
	int ret, first = image_flags("images", argc, argv, NULL, &json);

	if (first < 0)
		return first == -2 ? 0 : SBX_EXIT_FAILURE;
	if (first < argc)
		return cli_usage_error("images", "unexpected argument `%s`", argv[first]);
	if ((ret = cli_open_dirs(g, STATE_DIR_ROOT_READ)))
		return ret;
	if (image_list(g->root, json, &out, &err) < 0)
		return cli_report(err);
	fputs(out, stdout);
	free(out);
	return 0;
}

/**
 * cli_image_users() - every sandbox and the image it was made from, for
 *		       rmi and prune
 * @g:		global options
 * @v:		the sandboxes (lifecycle_free_list() them after)
 * @n:		how many
 *
 * Return: an array of *@n (free() it; its strings belong to *@v).
 */
struct image_user *cli_image_users(struct sbx_global *g, struct lc_sandbox **v, size_t *n)
{
	struct image_user *u;

	*v = NULL;
	*n = 0;
	lifecycle_list(g, true, v, n);
	u = xcalloc(*n + 1, sizeof(*u));
	for (size_t i = 0; i < *n; i++) {
		const char *d = (*v)[i].config ? (*v)[i].config->image_digest : NULL;

		u[i] = (struct image_user){(*v)[i].image, (*v)[i].id, d,
					   lifecycle_running(&(*v)[i]) || (*v)[i].status == LC_CREATED};
	}
	return u;
}

/**
 * cmd_rmi() - `sandbox rmi`: remove images, then what no other image uses
 * @g:		global options
 * @argc:	argument count
 * @argv:	arguments, from `rmi`
 *
 * Return: 0, or 125 on an error.
 */
int cmd_rmi(struct sbx_global *g, int argc, char **argv)
{
	cleanup_error struct sbx_error *err = NULL;
	bool force = false;
	char *out = NULL;
	struct stat st;
	int ret, first = image_flags("rmi", argc, argv, &force, NULL);

	if (first < 0)
		return first == -2 ? 0 : SBX_EXIT_FAILURE;
	if (first >= argc)
		return cli_usage_error("rmi", "%s", "missing IMAGE");
	if ((ret = cli_open_dirs(g, STATE_DIR_ROOT_READ | STATE_DIR_RUNROOT)))
		return ret;
	if (lstat(g->root, &st) < 0 && errno == ENOENT) {
		/* no store: nothing in it, and not made for that */
		sbx_error_set(&err, 0, "image `%s`: not in the local store", argv[first]);
		return cli_report(err);
	}
	{
		struct lc_sandbox *v = NULL;
		size_t n = 0;
		struct image_user *u = cli_image_users(g, &v, &n);
		int r = image_remove(g->root, argv + first, (size_t)(argc - first), force, u, n, &out, &err);

		free(u);
		lifecycle_free_list(v, n);
		if (r < 0)
			return cli_report(err);
	}
	fputs(out, stdout);
	free(out);
	return 0;
}

/**
 * cmd_inspect() - `sandbox inspect`: an image, or else a sandbox, as JSON
 * @g:		global options
 * @argc:	argument count
 * @argv:	arguments, from `inspect`
 *
 * Return: 0, or 125 on an error.
 */
int cmd_inspect(struct sbx_global *g, int argc, char **argv)
{
	cleanup_error struct sbx_error *err = NULL;
	bool json = true;
	char *out = NULL;
	int ret, first = image_flags("inspect", argc, argv, NULL, &json);

	if (first < 0)
		return first == -2 ? 0 : SBX_EXIT_FAILURE;
	if (argc - first != 1)
		return cli_usage_error("inspect", "%s",
				       first >= argc ? "missing IMAGE" : "one IMAGE at a time");
	if ((ret = cli_open_dirs(g, STATE_DIR_ROOT_READ | STATE_DIR_RUNROOT)))
		return ret;
	if (image_inspect(g->root, argv[first], &out, &err) < 0) {
		cleanup_error struct sbx_error *serr = NULL;
		struct lc_sandbox sb;

		/* not an image: a sandbox, by name or id prefix */
		if (lifecycle_find(g, argv[first], &sb, &serr) < 0)
			return cli_report(err);
		out = lifecycle_format_json(&sb, 1);
		if (sb.config) {
			/* the sandbox's status with its whole config (limits, caps, ...) */
			json_t *arr = json_loads(out, 0, NULL), *o = json_array_get(arr, 0);
			char *s;

			if (o)
				json_object_set_new(o, "config", sbxconfig_to_json(sb.config));
			s = json_dumps(o ? o : arr, JSON_INDENT(2));
			free(out);
			out = xasprintf("%s\n", s ? s : "{}");
			free(s);
			json_decref(arr);
		}
		lifecycle_free(&sb);
	}
	fputs(out, stdout);
	free(out);
	return 0;
}
