// SPDX-License-Identifier: GPL-2.0-or-later
/* cli_run.c - run, shell and exec: their flags, then a sandbox or a command in one */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec.h"
#include "image.h"
#include "lifecycle.h"
#include "net.h"
#include "options.h"
#include "registry.h"
#include "run.h"
#include "state.h"
#include "util.h"

enum {
	OPT_RM = 256,
	OPT_NAME,
	OPT_ENV_FILE,
	OPT_ENTRYPOINT,
	OPT_INIT,
	OPT_HOSTNAME,
	OPT_TMPFS,
	OPT_READ_ONLY,
	OPT_NETWORK,
	OPT_ALLOW_HOST_LOOPBACK,
	OPT_DNS,
	OPT_USERNS,
	OPT_MEMORY,
	OPT_PIDS_LIMIT,
	OPT_CPUS,
	OPT_CAP_ADD,
	OPT_CAP_DROP,
	OPT_SECURITY_OPT,
	OPT_PRIVILEGED,
	OPT_PLATFORM,
	OPT_PULL,
};

static const struct option run_longopts[] = {
    {"rm", no_argument, NULL, OPT_RM},
    {"detach", no_argument, NULL, 'd'},
    {"name", required_argument, NULL, OPT_NAME},
    {"interactive", no_argument, NULL, 'i'},
    {"tty", no_argument, NULL, 't'},
    {"env", required_argument, NULL, 'e'},
    {"env-file", required_argument, NULL, OPT_ENV_FILE},
    {"workdir", required_argument, NULL, 'w'},
    {"user", required_argument, NULL, 'u'},
    {"entrypoint", required_argument, NULL, OPT_ENTRYPOINT},
    {"init", optional_argument, NULL, OPT_INIT},
    {"hostname", required_argument, NULL, OPT_HOSTNAME},
    {"volume", required_argument, NULL, 'v'},
    {"tmpfs", required_argument, NULL, OPT_TMPFS},
    {"read-only", no_argument, NULL, OPT_READ_ONLY},
    {"network", required_argument, NULL, OPT_NETWORK},
    {"net", required_argument, NULL, OPT_NETWORK},
    {"publish", required_argument, NULL, 'p'},
    {"allow-host-loopback", no_argument, NULL, OPT_ALLOW_HOST_LOOPBACK},
    {"dns", required_argument, NULL, OPT_DNS},
    {"userns", required_argument, NULL, OPT_USERNS},
    {"memory", required_argument, NULL, OPT_MEMORY},
    {"pids-limit", required_argument, NULL, OPT_PIDS_LIMIT},
    {"cpus", required_argument, NULL, OPT_CPUS},
    {"cap-add", required_argument, NULL, OPT_CAP_ADD},
    {"cap-drop", required_argument, NULL, OPT_CAP_DROP},
    {"security-opt", required_argument, NULL, OPT_SECURITY_OPT},
    {"privileged", no_argument, NULL, OPT_PRIVILEGED},
    {"platform", required_argument, NULL, OPT_PLATFORM},
    {"pull", required_argument, NULL, OPT_PULL},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static bool parse_bool(const char *s, bool *out)
{
	if (!s || strcmp(s, "true") == 0) {
		*out = true;
		return true;
	}
	if (strcmp(s, "false") == 0) {
		*out = false;
		return true;
	}
	return false;
}

/* The long name of run's option @c. */
static const char *long_name(int c)
{
	for (const struct option *l = run_longopts; l->name; l++)
		if (l->val == c)
			return l->name;
	return "?";
}

/*
 * Keep flag @c (just parsed) in o->args the way `start` can parse it again
 * later, from anywhere: environment variables and --env-file as the values
 * they had now, volume sources and a seccomp profile as absolute paths. -d
 * and --rm are the start's own business; --pull was done (the image is
 * pinned).
 */
static void record_flag(struct sbx_run_opts *o, int c, size_t env_before)
{
	if (c == 'e' || c == OPT_ENV_FILE) {
		for (size_t i = env_before; i < o->env.n; i++)
			strv_push_take(&o->args, xasprintf("--env=%s", o->env.v[i]));
	} else if (c == 'v') {
		/* the source as parsed: absolute (a relative one was resolved here) */
		const struct sbx_volume *v = &o->volumes[o->n_volumes - 1];

		strv_push_take(
		    &o->args, xasprintf("--volume=%s:%s%s", v->source, v->target, v->read_only ? ":ro" : ""));
	} else if (c == OPT_SECURITY_OPT && strncmp(optarg, "seccomp", 7) == 0 && optarg[8] != '/' &&
		   strcmp(optarg + 8, "unconfined") != 0) {
		cleanup_free char *abs = realpath(optarg + 8, NULL);

		strv_push_take(&o->args, xasprintf("--security-opt=seccomp=%s", abs ? abs : optarg + 8));
	} else if (c != 'd' && c != OPT_RM && c != OPT_PULL) {
		strv_push_take(&o->args, optarg ? xasprintf("--%s=%s", long_name(c), optarg)
						: xasprintf("--%s", long_name(c)));
	}
}

/**
 * parse_run_options() - parse the flags shared by run and shell
 * @cmd:	command name for messages
 * @o:		filled
 * @argc:	argument count (starting with the command name)
 * @argv:	arguments
 *
 * Return: index of the first operand (IMAGE), -1 after printing an error,
 * or -2 when help was printed.
 */
static int parse_run_options(const char *cmd, struct sbx_run_opts *o, int argc, char **argv)
{
	cleanup_error struct sbx_error *err = NULL;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+dite:w:u:v:p:h", run_longopts, NULL)) != -1) {
		size_t env_before = o->env.n;

		switch (c) {
		case OPT_RM: o->rm = true; break;
		case 'd': o->detach = true; break;
		case OPT_NAME:
			if (!*optarg || strchr(optarg, '/') || optarg[0] == '.')
				return cli_usage_error(cmd, "invalid --name `%s`", optarg), -1;
			if (lifecycle_name_looks_like_id(optarg))
				return cli_usage_error(cmd,
						       "--name `%s`: hex digits only could be taken for a "
						       "sandbox id",
						       optarg),
				       -1;
			o->name = optarg;
			break;
		case 'i': o->interactive = true; break;
		case 't': o->tty = true; break;
		case 'e':
			if (strchr(optarg, '=')) {
				strv_push(&o->env, optarg);
			} else if (getenv(optarg)) {
				strv_push_take(&o->env, xasprintf("%s=%s", optarg, getenv(optarg)));
			}
			break;
		case OPT_ENV_FILE:
			if (options_parse_env_file(optarg, &o->env, &err) < 0)
				return cli_report(err), -1;
			break;
		case 'w':
			if (optarg[0] != '/')
				return cli_usage_error(cmd, "--workdir `%s` must be an absolute path",
						       optarg),
				       -1;
			o->workdir = optarg;
			break;
		case 'u': o->user = optarg; break;
		case OPT_ENTRYPOINT: o->entrypoint = optarg; break;
		case OPT_INIT:
			if (!parse_bool(optarg, &o->init))
				return cli_usage_error(cmd, "--init takes true or false, not `%s`", optarg),
				       -1;
			break;
		case OPT_HOSTNAME:
			if (!*optarg || strlen(optarg) > 64)
				return cli_usage_error(cmd, "invalid --hostname `%s`", optarg), -1;
			o->hostname = optarg;
			break;
		case 'v':
			o->volumes = realloc(o->volumes, (o->n_volumes + 1) * sizeof(*o->volumes));
			if (!o->volumes || options_parse_volume(optarg, &o->volumes[o->n_volumes], &err) < 0)
				return cli_report(err), -1;
			o->n_volumes++;
			break;
		case OPT_TMPFS:
			o->tmpfs = realloc(o->tmpfs, (o->n_tmpfs + 1) * sizeof(*o->tmpfs));
			if (!o->tmpfs || options_parse_tmpfs(optarg, &o->tmpfs[o->n_tmpfs], &err) < 0)
				return cli_report(err), -1;
			o->n_tmpfs++;
			break;
		case OPT_READ_ONLY: o->read_only = true; break;
		case OPT_NETWORK:
			if (strcmp(optarg, "none") == 0)
				o->network = SBX_NET_NONE;
			else if (strcmp(optarg, "host") == 0)
				o->network = SBX_NET_HOST;
			else if (strcmp(optarg, "slirp") == 0)
				o->network = SBX_NET_SLIRP;
			else if (strncmp(optarg, "slirp:", 6) == 0) {
				o->network = SBX_NET_SLIRP;
				if (net_parse_slirp_options(optarg + 6, &o->net_mtu, &err) < 0)
					return cli_report(err), -1;
			} else
				return cli_usage_error(cmd,
						       "invalid --network `%s` (slirp[:mtu=N], none or host)",
						       optarg),
				       -1;
			break;
		case 'p': strv_push(&o->publish, optarg); break;
		case OPT_ALLOW_HOST_LOOPBACK: o->allow_host_loopback = true; break;
		case OPT_DNS: o->dns = optarg; break;
		case OPT_USERNS:
			if (strcmp(optarg, "auto") == 0)
				o->userns = SBX_USERNS_AUTO;
			else if (strcmp(optarg, "keep-id") == 0)
				o->userns = SBX_USERNS_KEEP_ID;
			else if (strcmp(optarg, "single") == 0)
				o->userns = SBX_USERNS_SINGLE;
			else
				return cli_usage_error(cmd, "invalid --userns `%s` (auto, keep-id or single)",
						       optarg),
				       -1;
			break;
		case OPT_MEMORY:
			if (options_parse_size(optarg, &o->memory) < 0)
				return cli_usage_error(cmd, "invalid --memory `%s`", optarg), -1;
			break;
		case OPT_PIDS_LIMIT: {
			unsigned long long v;

			if (!util_parse_uint(optarg, INT32_MAX, &v) || v == 0)
				return cli_usage_error(cmd, "invalid --pids-limit `%s`", optarg), -1;
			o->pids_limit = (int64_t)v;
			break;
		}
		case OPT_CPUS: {
			char *end;

			errno = 0;
			o->cpus = strtod(optarg, &end);
			if (errno || *end || !(o->cpus > 0) || o->cpus > 1024)
				return cli_usage_error(cmd, "invalid --cpus `%s`", optarg), -1;
			break;
		}
		case OPT_CAP_ADD: strv_push(&o->cap_add, optarg); break;
		case OPT_CAP_DROP: strv_push(&o->cap_drop, optarg); break;
		case OPT_SECURITY_OPT:
			if (strncmp(optarg, "seccomp=", 8) == 0 || strncmp(optarg, "seccomp:", 8) == 0)
				o->seccomp_profile = optarg + 8;
			else if (strcmp(optarg, "no-new-privileges") == 0 ||
				 strcmp(optarg, "no-new-privileges=true") == 0)
				o->no_new_privs = true;
			else if (strcmp(optarg, "no-new-privileges=false") == 0)
				o->no_new_privs = false;
			else
				return cli_usage_error(cmd, "unsupported --security-opt `%s`", optarg), -1;
			break;
		case OPT_PRIVILEGED: o->privileged = true; break;
		case OPT_PLATFORM: {
			struct image_platform p;

			if (image_platform_parse(optarg, &p, &err) < 0)
				return cli_usage_error(cmd, "--platform: %s", err->msg), -1;
			o->platform = optarg;
			break;
		}
		case OPT_PULL:
			if (strcmp(optarg, "missing") == 0)
				o->pull_policy = REGISTRY_PULL_MISSING;
			else if (strcmp(optarg, "always") == 0 || strcmp(optarg, "newer") == 0)
				o->pull_policy = REGISTRY_PULL_ALWAYS;
			else if (strcmp(optarg, "never") == 0)
				o->pull_policy = REGISTRY_PULL_NEVER;
			else
				return cli_usage_error(
					   cmd, "invalid --pull `%s` (missing, always, newer or never)",
					   optarg),
				       -1;
			break;
		case 'h': return -2;
		case '?':
		default:
			if (optopt && optopt < 256)
				return cli_usage_error(cmd, "unknown flag `-%c`", (char)optopt), -1;
			return cli_usage_error(cmd, "unknown flag `%s`", argv[optind - 1]), -1;
		case ':': return cli_usage_error(cmd, "flag `%s` needs a value", argv[optind - 1]), -1;
		}
		record_flag(o, c, env_before);
	}
	return optind;
}

/**
 * finish_run() - run the sandbox of run and shell, or start it detached
 * @o:		options, complete
 *
 * Return: the command's exit status, 0 after -d printed the id, or 125.
 */
static int finish_run(struct sbx_run_opts *o)
{
	cleanup_error struct sbx_error *err = NULL;
	int status = 0;

	if (o->detach) {
		char id[STATE_ID_LEN + 1];

		if (lifecycle_run_detached(o, id, &err) < 0)
			return cli_report(err);
		printf("%s\n", id);
		return 0;
	}
	if (run_sandbox(o, &status, &err) < 0)
		return cli_report(err);
	return status;
}

/* Build argv from --entrypoint and the operands after IMAGE. */
static void set_command(struct sbx_run_opts *o, int argc, char **argv, int first)
{
	size_t n = (size_t)(argc - first) + 1;
	char **v = xcalloc(n + 1, sizeof(char *));
	size_t k = 0;

	if (o->entrypoint)
		v[k++] = o->entrypoint;
	for (int i = first; i < argc; i++)
		v[k++] = argv[i];
	v[k] = NULL;
	if (k)
		o->argv = v;
	else
		free(v);
}

/* Does IMAGE name a root filesystem directory (run.c's rule), not a reference? */
static bool image_is_path(const char *img)
{
	return img[0] == '.' || img[0] == '/' || (strchr(img, '/') && access(img, F_OK) == 0);
}

/* Keep IMAGE (a directory as an absolute path) and the command in o->args. */
static void record_operands(struct sbx_run_opts *o, int argc, char **argv, int first)
{
	char *abs = strcmp(argv[first], "host") != 0 && image_is_path(argv[first])
			? realpath(argv[first], NULL)
			: NULL;

	o->args_image = o->args.n;
	strv_push_take(&o->args, abs ? abs : xstrdup(argv[first]));
	for (int i = first + 1; i < argc; i++)
		strv_push(&o->args, argv[i]);
}

/**
 * cmd_run() - `sandbox run`: create and start a sandbox, wait for it
 * @g:		global options
 * @argc:	argument count
 * @argv:	arguments, from `run`
 *
 * Return: the command's exit status (or 0 after -d printed the id), 125 on an error.
 */
int cmd_run(struct sbx_global *g, int argc, char **argv)
{
	struct sbx_run_opts o;
	int first, ret;

	options_run_init(&o, g);
	first = parse_run_options("run", &o, argc, argv);
	if (first == -2) {
		options_run_free(&o);
		return cli_print_help("run");
	}
	if (first < 0) {
		options_run_free(&o);
		return SBX_EXIT_FAILURE;
	}
	if (first >= argc) {
		options_run_free(&o);
		return cli_usage_error("run", "%s", "missing IMAGE");
	}
	o.image = argv[first];
	set_command(&o, argc, argv, first + 1);
	record_operands(&o, argc, argv, first);
	ret = cli_open_dirs(g, STATE_DIR_ROOT | STATE_DIR_RUNROOT);
	if (ret == 0)
		ret = finish_run(&o);
	free(o.argv);
	options_run_free(&o);
	return ret;
}

/**
 * cmd_create() - `sandbox create`: a sandbox configured, not started
 * @g:		global options
 * @argc:	argument count
 * @argv:	arguments, from `create`
 *
 * Takes run's flags (not -d, not --rm), checks the image (pulling a
 * reference that is not local, as podman does), reserves the name and
 * writes ROOT/sandboxes/<id>/config.json with the flags and operands,
 * normalised, for `sandbox start`. Prints the id.
 *
 * Return: 0, or 125 on an error (nothing left behind).
 */
int cmd_create(struct sbx_global *g, int argc, char **argv)
{
	cleanup_error struct sbx_error *err = NULL;
	struct sbx_run_opts o;
	struct state_sandbox st = {0};
	struct image_run img = {0};
	cleanup_free char *abs = NULL;
	const char *image = "host";
	int first, ret = SBX_EXIT_FAILURE;

	options_run_init(&o, g);
	first = parse_run_options("create", &o, argc, argv);
	if (first == -2)
		ret = cli_print_help("create");
	else if (first >= 0 && first >= argc)
		ret = cli_usage_error("create", "%s", "missing IMAGE");
	else if (first >= 0 && o.detach)
		ret = cli_usage_error("create", "%s", "-d: a created sandbox starts with `sandbox start`");
	else if (first >= 0 && o.rm)
		ret = cli_usage_error(
		    "create", "%s",
		    "--rm: a created sandbox is kept until `sandbox rm` (use `sandbox run --rm`)");
	if (first < 0 || first >= argc || o.detach || o.rm)
		goto out;
	ret = cli_open_dirs(g, STATE_DIR_ROOT | STATE_DIR_RUNROOT);
	if (ret)
		goto out;
	ret = SBX_EXIT_FAILURE;
	o.image = argv[first];
	set_command(&o, argc, argv, first + 1);
	record_operands(&o, argc, argv, first);
	if (strcmp(o.image, "host") != 0 && image_is_path(o.image)) {
		struct stat sst;

		abs = realpath(o.image, NULL);
		if (!abs || stat(abs, &sst) < 0 || !S_ISDIR(sst.st_mode)) {
			sbx_error_set(&err, abs ? ENOTDIR : errno, "rootfs `%s`", o.image);
			ret = cli_report(err);
			goto out;
		}
		image = abs;
	} else if (strcmp(o.image, "host") != 0) {
		if (registry_resolve_or_pull(g->root, o.image, o.platform, o.pull_policy, &img, &err) < 0) {
			ret = cli_report(err);
			goto out;
		}
		image = img.name;
		options_pin_image(&o, img.name, img.digest);
	}
	o.create_only = true;
	if (state_alloc(g, o.name, &st, &err) < 0) {
		ret = cli_report(err);
		goto out;
	}
	if (mkdir(st.dir, 0700) < 0)
		sbx_error_set(&err, errno, "mkdir `%s`", st.dir);
	else
		st.have_dir = true;
	if (err || state_write_config(&st, &o, image, NULL, &err) < 0) {
		ret = cli_report(err);
		state_remove(&st);
	} else {
		printf("%s\n", st.id);
		ret = 0;
	}
	state_free(&st);
out:
	image_run_free(&img);
	free(o.argv);
	options_run_free(&o);
	return ret;
}

/* `start` of one sandbox: run it again from the flags in its config.json. */
static int start_one(struct sbx_global *g, const char *what, bool attach, bool interactive)
{
	cleanup_error struct sbx_error *err = NULL;
	struct sbx_run_opts o;
	struct lc_sandbox sb;
	struct strv v = {0};
	int first, ret = SBX_EXIT_FAILURE;

	if (lifecycle_find(g, what, &sb, &err) < 0)
		return cli_report(err);
	if (lifecycle_running(&sb) || sb.status == LC_CREATED) {
		/* podman: starting a running container is no error */
		lifecycle_free(&sb);
		printf("%s\n", what);
		return 0;
	}
	if (!sb.config || sb.config->args.n == 0) {
		sbx_error_set(
		    &err, 0, "%s: made by `sandbox shell` or by an older sandbox: it cannot be started again",
		    what);
		sbx_error_hint(&err, "`sandbox shell --name NAME` starts a named shell again");
		lifecycle_free(&sb);
		return cli_report(err);
	}
	strv_push(&v, "start");
	for (size_t i = 0; i < sb.config->args.n; i++)
		strv_push(&v, sb.config->args.v[i]);
	options_run_init(&o, g);
	first = parse_run_options("start", &o, (int)v.n, v.v);
	if (first < 1 || (size_t)first >= v.n) {
		if (first != -1)
			cli_usage_error("start", "%s: its config.json has no IMAGE", what);
		goto out;
	}
	o.image = v.v[first];
	set_command(&o, (int)v.n, v.v, first + 1);
	record_operands(&o, (int)v.n, v.v, first);
	o.reuse_id = sb.id;
	if (lifecycle_clear_stale(&sb, &err) < 0) {
		ret = cli_report(err);
		goto out;
	}
	if (attach) {
		o.interactive = o.interactive || interactive;
		ret = finish_run(&o);
	} else {
		char id[STATE_ID_LEN + 1];

		o.detach = true;
		if (lifecycle_run_detached(&o, id, &err) < 0) {
			ret = cli_report(err);
		} else {
			printf("%s\n", what);
			ret = 0;
		}
	}
out:
	free(o.argv);
	options_run_free(&o);
	strv_clear(&v);
	lifecycle_free(&sb);
	return ret;
}

/**
 * cmd_start() - `sandbox start`: start created or exited sandboxes again
 * @g:		global options
 * @argc:	argument count
 * @argv:	arguments, from `start`
 *
 * In the background (as podman does), or with -a in the foreground with the
 * command's output and status. The writable layer is the one the sandbox
 * had.
 *
 * Return: 0 (with -a the command's status), 125 on an error.
 */
int cmd_start(struct sbx_global *g, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"attach", no_argument, NULL, 'a'},
	    {"interactive", no_argument, NULL, 'i'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	bool attach = false, interactive = false;
	int c, ret = 0;

	optind = 1;
	opterr = 0;
	while ((c = cli_next_opt(argc, argv, "+aih", longopts)) != -1) {
		switch (c) {
		case 'a': attach = true; break;
		case 'i': interactive = true; break;
		case 'h': return cli_print_help("start");
		default: return cli_bad_flag("start", argv, c);
		}
	}
	if (optind >= argc)
		return cli_usage_error("start", "%s", "missing SANDBOX");
	if (attach && argc - optind > 1)
		return cli_usage_error("start", "%s", "-a: one sandbox at a time");
	if ((ret = cli_open_dirs(g, STATE_DIR_ROOT | STATE_DIR_RUNROOT)))
		return ret;
	if (attach)
		return start_one(g, argv[optind], true, interactive);
	for (int i = optind; i < argc; i++) {
		int r = start_one(g, argv[i], false, interactive);

		if (r)
			ret = r;
	}
	return ret;
}

/* Bind @path read-write at the same place, unless a bound directory holds it. */
static void add_volume(struct sbx_run_opts *o, const char *path)
{
	for (size_t i = 0; i < o->n_volumes; i++) {
		size_t l = strlen(o->volumes[i].source);

		if (strncmp(path, o->volumes[i].source, l) == 0 && (path[l] == '/' || !path[l]))
			return; /* already inside a bound directory */
	}
	o->volumes = realloc(o->volumes, (o->n_volumes + 1) * sizeof(*o->volumes));
	if (!o->volumes)
		abort();
	o->volumes[o->n_volumes].source = xstrdup(path);
	o->volumes[o->n_volumes].target = xstrdup(path);
	o->volumes[o->n_volumes].read_only = false;
	o->n_volumes++;
}

/**
 * cmd_shell() - `sandbox shell`: an interactive login shell in a sandbox
 * @g:		global options
 * @argc:	argument count
 * @argv:	arguments, from `shell`
 *
 * Defaults differ from run: --userns keep-id, the host's network, $HOME
 * and the current directory bound, the writable layer thrown away unless
 * --name.
 *
 * Return: the shell's exit status, 125 on an error.
 */
int cmd_shell(struct sbx_global *g, int argc, char **argv)
{
	static const char *const pass_env[] = {"TERM",	"LANG",	   "LANGUAGE", "COLORTERM",
					       "SHELL", "LOGNAME", "DISPLAY",  "WAYLAND_DISPLAY"};
	struct sbx_run_opts o;
	char cwd[PATH_MAX];
	const char *home = getenv("HOME");
	int first, ret;

	options_run_init(&o, g);
	o.userns = SBX_USERNS_KEEP_ID;
	o.network = SBX_NET_HOST;
	o.interactive = true;
	o.tty = isatty(STDIN_FILENO);
	o.login_shell = true;
	o.rm = true;
	for (size_t i = 0; i < ARRAY_SIZE(pass_env); i++)
		if (getenv(pass_env[i]))
			strv_push_take(&o.env, xasprintf("%s=%s", pass_env[i], getenv(pass_env[i])));
	for (char **e = environ; *e; e++)
		if (strncmp(*e, "LC_", 3) == 0)
			strv_push(&o.env, *e);
	first = parse_run_options("shell", &o, argc, argv);
	strv_clear(&o.args); /* a shell is started again by `shell --name`, not `start` */
	if (first == -2) {
		options_run_free(&o);
		return cli_print_help("shell");
	}
	if (first < 0) {
		options_run_free(&o);
		return SBX_EXIT_FAILURE;
	}
	if (o.detach) {
		options_run_free(&o);
		return cli_usage_error("shell", "%s", "-d: a shell is interactive (use `sandbox run -d`)");
	}
	if (argc - first > 1) {
		options_run_free(&o);
		return cli_usage_error("shell", "unexpected argument `%s` (a command? use `sandbox run`)",
				       argv[first + 1]);
	}
	o.image = first < argc ? argv[first] : "host";
	if ((ret = cli_open_dirs(g, STATE_DIR_ROOT | STATE_DIR_RUNROOT))) {
		options_run_free(&o);
		return ret;
	}
	if (o.name) {
		cleanup_error struct sbx_error *err = NULL;

		/* a named shell keeps its writable layer for the next one */
		o.rm = false;
		if (lifecycle_reuse_named(&o, &err) < 0) {
			options_run_free(&o);
			return cli_report(err);
		}
	}
	if (home && home[0] == '/' && access(home, F_OK) == 0)
		add_volume(&o, home);
	if (getcwd(cwd, sizeof(cwd)) && strcmp(cwd, "/") != 0)
		add_volume(&o, cwd);
	if (getcwd(cwd, sizeof(cwd)) && !o.workdir)
		o.workdir = cwd;
	ret = finish_run(&o);
	free((char *)o.reuse_id);
	options_run_free(&o);
	return ret;
}

/**
 * cmd_exec() - `sandbox exec`: a command in a running sandbox
 * @g:		global options
 * @argc:	argument count
 * @argv:	arguments, from `exec`
 *
 * Return: the command's exit status, 125 on an error.
 */
int cmd_exec(struct sbx_global *g, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"interactive", no_argument, NULL, 'i'},
	    {"tty", no_argument, NULL, 't'},
	    {"user", required_argument, NULL, 'u'},
	    {"env", required_argument, NULL, 'e'},
	    {"workdir", required_argument, NULL, 'w'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	cleanup_error struct sbx_error *err = NULL;
	struct exec_opts xo = {0};
	int c, status = 0, ret;

	optind = 1;
	opterr = 0;
	while ((c = cli_next_opt(argc, argv, "+itu:e:w:h", longopts)) != -1) {
		switch (c) {
		case 'i': xo.interactive = true; break;
		case 't': xo.tty = true; break;
		case 'u': xo.user = optarg; break;
		case 'e':
			if (strchr(optarg, '='))
				strv_push(&xo.env, optarg);
			else if (getenv(optarg))
				strv_push_take(&xo.env, xasprintf("%s=%s", optarg, getenv(optarg)));
			break;
		case 'w':
			if (optarg[0] != '/') {
				strv_clear(&xo.env);
				return cli_usage_error("exec", "--workdir `%s` must be an absolute path",
						       optarg);
			}
			xo.workdir = optarg;
			break;
		case 'h': strv_clear(&xo.env); return cli_print_help("exec");
		default: strv_clear(&xo.env); return cli_bad_flag("exec", argv, c);
		}
	}
	if (argc - optind < 2) {
		strv_clear(&xo.env);
		return cli_usage_error("exec", "%s", argc - optind < 1 ? "missing SANDBOX" : "missing CMD");
	}
	xo.sandbox = argv[optind];
	xo.argv = argv + optind + 1;
	if ((ret = cli_open_dirs(g, STATE_DIR_ROOT | STATE_DIR_RUNROOT))) {
		strv_clear(&xo.env);
		return ret;
	}
	ret = exec_in_sandbox(g, &xo, &status, &err);
	strv_clear(&xo.env);
	return ret < 0 ? cli_report(err) : status;
}
