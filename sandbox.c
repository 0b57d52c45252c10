// SPDX-License-Identifier: GPL-2.0-or-later
/* sandbox.c - command line: global options, the subcommand table, flags */
#include <errno.h>
#include <jansson.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/doctor.h"
#include "lib/error.h"
#include "lib/exec.h"
#include "lib/image.h"
#include "lib/lifecycle.h"
#include "lib/net.h"
#include "lib/options.h"
#include "lib/registry.h"
#include "lib/run.h"
#include "lib/state.h"
#include "lib/util.h"
#include "lib/version.h"

struct command {
	const char *name;
	int (*fn)(struct sbx_global *g, int argc, char **argv);
	const char *synopsis;
	const char *help;
};

static const struct command commands[];

/* Print *err as the one error line (plus hint) and return its exit code. */
static int report(struct sbx_error *err)
{
	int code = err && err->exit_code ? err->exit_code : SBX_EXIT_FAILURE;

	sbx_log(SBX_LOG_ERROR, "%s", err && err->msg ? err->msg : "failed");
	if (err && err->hint)
		dprintf(STDERR_FILENO, "hint: %s\n", err->hint);
	return code;
}

static int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One line for a bad command line, a hint line, and exit code 125. */
static int usage_error(const char *cmd, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	dprintf(STDERR_FILENO, "sandbox: %s: %s\nhint: see `sandbox help %s`\n", cmd, what, cmd);
	return SBX_EXIT_FAILURE;
}

static const char run_options_help[] =
    "Options:\n"
    "      --rm                      remove the sandbox when it exits\n"
    "  -d, --detach                  run in the background, print the id\n"
    "      --name NAME               name of the sandbox (unique per user)\n"
    "  -i, --interactive             keep stdin open\n"
    "  -t, --tty                     allocate a pseudo-terminal\n"
    "  -e, --env K=V                 set an environment variable\n"
    "      --env-file FILE           read environment variables from FILE\n"
    "  -w, --workdir DIR             working directory inside\n"
    "  -u, --user UID[:GID]|NAME[:GROUP]  user inside\n"
    "      --entrypoint CMD          run CMD with the command as its arguments\n"
    "      --init[=true|false]       PID 1 is sandbox's init (default true)\n"
    "      --hostname NAME           UTS hostname (default: the short id)\n"
    "  -v, --volume HOST:PATH[:ro|rw]  bind mount\n"
    "      --tmpfs PATH[:OPTIONS]    tmpfs mount (docker syntax)\n"
    "      --read-only               no writable layer\n"
    "      --network slirp[:mtu=N]|none|host  network (default slirp: user-mode NAT)\n"
    "  -p, --publish [HOSTIP:]HOSTPORT:PORT[/tcp|/udp]  forward a host port (slirp)\n"
    "      --allow-host-loopback     the host's 127.0.0.1 at 10.0.2.2 (slirp)\n"
    "      --dns IP                  nameserver for /etc/resolv.conf\n"
    "      --userns auto|keep-id|single  user namespace mapping (default auto)\n"
    "      --cap-add CAP, --cap-drop CAP  adjust the capability set\n"
    "      --security-opt seccomp=unconfined|FILE, no-new-privileges=false\n"
    "      --privileged              all capabilities, no seccomp, no masked paths\n"
    "      --memory SIZE, --pids-limit N, --cpus N  cgroup v2 limits\n"
    "  -h, --help                    this text\n";

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
		switch (c) {
		case OPT_RM: o->rm = true; break;
		case 'd': o->detach = true; break;
		case OPT_NAME:
			if (!*optarg || strchr(optarg, '/') || optarg[0] == '.')
				return usage_error(cmd, "invalid --name `%s`", optarg), -1;
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
				return report(err), -1;
			break;
		case 'w':
			if (optarg[0] != '/')
				return usage_error(cmd, "--workdir `%s` must be an absolute path", optarg),
				       -1;
			o->workdir = optarg;
			break;
		case 'u': o->user = optarg; break;
		case OPT_ENTRYPOINT: o->entrypoint = optarg; break;
		case OPT_INIT:
			if (!parse_bool(optarg, &o->init))
				return usage_error(cmd, "--init takes true or false, not `%s`", optarg), -1;
			break;
		case OPT_HOSTNAME:
			if (!*optarg || strlen(optarg) > 64)
				return usage_error(cmd, "invalid --hostname `%s`", optarg), -1;
			o->hostname = optarg;
			break;
		case 'v':
			o->volumes = realloc(o->volumes, (o->n_volumes + 1) * sizeof(*o->volumes));
			if (!o->volumes || options_parse_volume(optarg, &o->volumes[o->n_volumes], &err) < 0)
				return report(err), -1;
			o->n_volumes++;
			break;
		case OPT_TMPFS:
			o->tmpfs = realloc(o->tmpfs, (o->n_tmpfs + 1) * sizeof(*o->tmpfs));
			if (!o->tmpfs || options_parse_tmpfs(optarg, &o->tmpfs[o->n_tmpfs], &err) < 0)
				return report(err), -1;
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
					return report(err), -1;
			} else
				return usage_error(cmd,
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
				return usage_error(cmd, "invalid --userns `%s` (auto, keep-id or single)",
						   optarg),
				       -1;
			break;
		case OPT_MEMORY:
			if (options_parse_size(optarg, &o->memory) < 0)
				return usage_error(cmd, "invalid --memory `%s`", optarg), -1;
			break;
		case OPT_PIDS_LIMIT: {
			unsigned long long v;

			if (!util_parse_uint(optarg, INT32_MAX, &v) || v == 0)
				return usage_error(cmd, "invalid --pids-limit `%s`", optarg), -1;
			o->pids_limit = (int64_t)v;
			break;
		}
		case OPT_CPUS: {
			char *end;

			errno = 0;
			o->cpus = strtod(optarg, &end);
			if (errno || *end || !(o->cpus > 0) || o->cpus > 1024)
				return usage_error(cmd, "invalid --cpus `%s`", optarg), -1;
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
				return usage_error(cmd, "unsupported --security-opt `%s`", optarg), -1;
			break;
		case OPT_PRIVILEGED: o->privileged = true; break;
		case 'h': return -2;
		case '?':
		default:
			if (optopt && optopt < 256)
				return usage_error(cmd, "unknown flag `-%c`", (char)optopt), -1;
			return usage_error(cmd, "unknown flag `%s`", argv[optind - 1]), -1;
		case ':': return usage_error(cmd, "flag `%s` needs a value", argv[optind - 1]), -1;
		}
	}
	return optind;
}

static int print_help(const char *name);

static int finish_run(struct sbx_run_opts *o)
{
	cleanup_error struct sbx_error *err = NULL;
	int status = 0;

	if (o->detach) {
		char id[STATE_ID_LEN + 1];

		if (o->tty)
			return usage_error("run", "%s", "-d with -t is not supported yet");
		if (lifecycle_run_detached(o, id, &err) < 0)
			return report(err);
		printf("%s\n", id);
		return 0;
	}
	if (run_sandbox(o, &status, &err) < 0)
		return report(err);
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

static int cmd_run(struct sbx_global *g, int argc, char **argv)
{
	struct sbx_run_opts o;
	int first, ret;

	options_run_init(&o, g);
	first = parse_run_options("run", &o, argc, argv);
	if (first == -2) {
		options_run_free(&o);
		return print_help("run");
	}
	if (first < 0) {
		options_run_free(&o);
		return SBX_EXIT_FAILURE;
	}
	if (first >= argc) {
		options_run_free(&o);
		return usage_error("run", "%s", "missing IMAGE");
	}
	o.image = argv[first];
	set_command(&o, argc, argv, first + 1);
	ret = finish_run(&o);
	free(o.argv);
	options_run_free(&o);
	return ret;
}

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

static int cmd_shell(struct sbx_global *g, int argc, char **argv)
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
	if (first == -2) {
		options_run_free(&o);
		return print_help("shell");
	}
	if (first < 0) {
		options_run_free(&o);
		return SBX_EXIT_FAILURE;
	}
	if (o.detach) {
		options_run_free(&o);
		return usage_error("shell", "%s", "-d: a shell is interactive (use `sandbox run -d`)");
	}
	if (argc - first > 1) {
		options_run_free(&o);
		return usage_error("shell", "unexpected argument `%s` (a command? use `sandbox run`)",
				   argv[first + 1]);
	}
	o.image = first < argc ? argv[first] : "host";
	if (o.name) {
		cleanup_error struct sbx_error *err = NULL;

		/* a named shell keeps its writable layer for the next one */
		o.rm = false;
		if (lifecycle_reuse_named(&o, &err) < 0) {
			options_run_free(&o);
			return report(err);
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

/* `COMMAND --help` / `-h` for commands that take no other flag. */
static bool wants_help(int argc, char **argv)
{
	return argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
}

static int cmd_version(struct sbx_global *g, int argc, char **argv)
{
	(void)g;
	if (wants_help(argc, argv))
		return print_help("version");
	version_print();
	return 0;
}

static int cmd_help(struct sbx_global *g, int argc, char **argv)
{
	(void)g;
	if (wants_help(argc, argv))
		return print_help("help");
	return print_help(argc > 1 ? argv[1] : NULL);
}

static int cmd_doctor(struct sbx_global *g, int argc, char **argv)
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
			return print_help("doctor");
		if (c == 'f' && (strcmp(optarg, "json") == 0 || strcmp(optarg, "text") == 0))
			json = optarg[0] == 'j';
		else if (c == 'f')
			return usage_error("doctor", "invalid --format `%s` (text or json)", optarg);
		else
			return usage_error("doctor", "unknown flag `%s`", argv[optind - 1]);
	}
	if (optind < argc)
		return usage_error("doctor", "unexpected argument `%s`", argv[optind]);
	doctor_run(g, &r);
	out = json ? doctor_format_json(&r) : doctor_format_text(&r);
	fputs(out, stdout);
	ret = doctor_report_ok(&r) ? 0 : 1;
	free(out);
	doctor_report_free(&r);
	return ret;
}

/* Parse flags with getopt_long; "+" stops at the first operand. */
static int next_opt(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
	return getopt_long(argc, argv, shortopts, longopts, NULL);
}

static int bad_flag(const char *cmd, char **argv, int c)
{
	if (c == ':')
		return usage_error(cmd, "flag `%s` needs a value", argv[optind - 1]);
	if (optopt && optopt < 256)
		return usage_error(cmd, "unknown flag `-%c` (or it needs a value)", (char)optopt);
	return usage_error(cmd, "unknown flag `%s` (or it needs a value)", argv[optind - 1]);
}

static int cmd_exec(struct sbx_global *g, int argc, char **argv)
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
	while ((c = next_opt(argc, argv, "+itu:e:w:h", longopts)) != -1) {
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
				return usage_error("exec", "--workdir `%s` must be an absolute path", optarg);
			}
			xo.workdir = optarg;
			break;
		case 'h': strv_clear(&xo.env); return print_help("exec");
		default: strv_clear(&xo.env); return bad_flag("exec", argv, c);
		}
	}
	if (argc - optind < 2) {
		strv_clear(&xo.env);
		return usage_error("exec", "%s", argc - optind < 1 ? "missing SANDBOX" : "missing CMD");
	}
	xo.sandbox = argv[optind];
	xo.argv = argv + optind + 1;
	ret = exec_in_sandbox(g, &xo, &status, &err);
	strv_clear(&xo.env);
	return ret < 0 ? report(err) : status;
}

static int cmd_ps(struct sbx_global *g, int argc, char **argv)
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
	while ((c = next_opt(argc, argv, "+ah", longopts)) != -1) {
		if (c == 'a')
			all = true;
		else if (c == 'f' && (strcmp(optarg, "json") == 0 || strcmp(optarg, "table") == 0))
			json = optarg[0] == 'j';
		else if (c == 'f')
			return usage_error("ps", "invalid --format `%s` (table or json)", optarg);
		else if (c == 'h')
			return print_help("ps");
		else
			return bad_flag("ps", argv, c);
	}
	if (optind < argc)
		return usage_error("ps", "unexpected argument `%s`", argv[optind]);
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
		return usage_error(cmd, "%s", "missing SANDBOX");
	for (int i = optind; i < argc; i++) {
		cleanup_error struct sbx_error *err = NULL;
		struct lc_sandbox sb;
		int r;

		if (lifecycle_find(g, argv[i], &sb, &err) < 0) {
			ret = report(err);
			continue;
		}
		if (a == LC_STOP)
			r = lifecycle_stop(&sb, arg, &err);
		else if (a == LC_KILL)
			r = lifecycle_kill(&sb, arg, &err);
		else
			r = lifecycle_rm(g, &sb, arg, &err);
		if (r < 0)
			ret = report(err);
		else
			printf("%s\n", argv[i]);
		lifecycle_free(&sb);
	}
	return ret;
}

static int cmd_stop(struct sbx_global *g, int argc, char **argv)
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
	while ((c = next_opt(argc, argv, "+t:h", longopts)) != -1) {
		if (c == 't' && !util_parse_uint(optarg, 1000000, &secs))
			return usage_error("stop", "invalid --time `%s` (seconds)", optarg);
		else if (c == 'h')
			return print_help("stop");
		else if (c != 't')
			return bad_flag("stop", argv, c);
	}
	return lifecycle_each(g, "stop", argc, argv, LC_STOP, (int)secs);
}

static int cmd_kill(struct sbx_global *g, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"signal", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c, sig = SIGKILL;

	optind = 1;
	opterr = 0;
	while ((c = next_opt(argc, argv, "+s:h", longopts)) != -1) {
		if (c == 's' && (sig = lifecycle_parse_signal(optarg)) < 0)
			return usage_error("kill", "invalid --signal `%s`", optarg);
		else if (c == 'h')
			return print_help("kill");
		else if (c != 's')
			return bad_flag("kill", argv, c);
	}
	return lifecycle_each(g, "kill", argc, argv, LC_KILL, sig);
}

static int cmd_rm(struct sbx_global *g, int argc, char **argv)
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
	while ((c = next_opt(argc, argv, "+fh", longopts)) != -1) {
		if (c == 'f')
			force = true;
		else if (c == 'h')
			return print_help("rm");
		else
			return bad_flag("rm", argv, c);
	}
	return lifecycle_each(g, "rm", argc, argv, LC_RM, force);
}

static int cmd_logs(struct sbx_global *g, int argc, char **argv)
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
	while ((c = next_opt(argc, argv, "+fh", longopts)) != -1) {
		if (c == 'f')
			follow = true;
		else if (c == 'h')
			return print_help("logs");
		else
			return bad_flag("logs", argv, c);
	}
	if (optind >= argc)
		return usage_error("logs", "%s", "missing SANDBOX");
	if (argc - optind > 1)
		return usage_error("logs", "unexpected argument `%s`", argv[optind + 1]);
	if (lifecycle_find(g, argv[optind], &sb, &err) < 0)
		return report(err);
	fflush(stdout);
	r = lifecycle_logs(&sb, follow, &err);
	lifecycle_free(&sb);
	return r < 0 ? report(err) : 0;
}

static int cmd_prune(struct sbx_global *g, int argc, char **argv)
{
	struct lc_sandbox *v;
	size_t n;
	int ret = 0;

	if (wants_help(argc, argv))
		return print_help("prune");
	if (argc > 1)
		return usage_error("prune", "unexpected argument `%s`", argv[1]);
	lifecycle_list(g, true, &v, &n);
	for (size_t i = 0; i < n; i++) {
		cleanup_error struct sbx_error *err = NULL;

		if (v[i].status != LC_EXITED)
			continue;
		if (lifecycle_rm(g, &v[i], false, &err) < 0)
			ret = report(err);
		else
			printf("%s\n", v[i].id);
	}
	lifecycle_free_list(v, n);
	/* then the image store: blobs and layers no image uses (image.c) */
	{
		cleanup_error struct sbx_error *err = NULL;
		char *out = NULL;

		if (image_prune(g->root, &out, &err) < 0)
			ret = report(err);
		else
			fputs(out, stdout);
		free(out);
	}
	return ret;
}

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
			return print_help(cmd), -2;
		if (c == 'f' && force)
			*force = true;
		else if (c == 'F' && json && (strcmp(optarg, "json") == 0 || strcmp(optarg, "table") == 0))
			*json = optarg[0] == 'j';
		else if (c == 'F' && json)
			return usage_error(cmd, "invalid --format `%s` (table or json)", optarg), -1;
		else
			return usage_error(cmd, "unknown flag `%s`", argv[optind - 1]), -1;
	}
	return optind;
}

static int cmd_import(struct sbx_global *g, int argc, char **argv)
{
	cleanup_error struct sbx_error *err = NULL;
	char *out = NULL;
	int first = image_flags("import", argc, argv, NULL, NULL);

	if (first < 0)
		return first == -2 ? 0 : SBX_EXIT_FAILURE;
	if (argc - first < 1 || argc - first > 2)
		return usage_error("import", "%s",
				   argc - first < 1 ? "missing FILE or DIR" : "too many arguments");
	if (image_import(g->root, argv[first], argc - first > 1 ? argv[first + 1] : NULL, &out, &err) < 0)
		return report(err);
	fputs(out, stdout);
	free(out);
	return 0;
}

static int cmd_pull(struct sbx_global *g, int argc, char **argv)
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
	while ((c = next_opt(argc, argv, "+qh", longopts)) != -1) {
		if (c == 'h')
			return print_help("pull");
		if (c == 'T' && (strcmp(optarg, "true") == 0 || strcmp(optarg, "false") == 0))
			o.tls_verify = optarg[0] == 't';
		else if (c == 'T')
			return usage_error("pull", "invalid --tls-verify `%s` (true or false)", optarg);
		else if (c == 'c')
			o.creds = optarg;
		else if (c == 'P' && image_platform_parse(optarg, &plat, &err) < 0)
			return usage_error("pull", "--platform: %s", err->msg);
		else if (c == 'P')
			o.platform = optarg;
		else if (c == 'F')
			o.foreign_layers = true;
		else if (c == 'q')
			o.quiet = true;
		else
			return bad_flag("pull", argv, c);
	}
	if (argc - optind != 1)
		return usage_error("pull", "%s", optind >= argc ? "missing IMAGE" : "too many arguments");
	if (registry_pull(g->root, argv[optind], &o, &out, &err) < 0)
		return report(err);
	fputs(out, stdout);
	free(out);
	return 0;
}

static int cmd_login(struct sbx_global *g, int argc, char **argv)
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
	while ((c = next_opt(argc, argv, "+u:h", longopts)) != -1) {
		if (c == 'h')
			return print_help("login");
		if (c == 'u')
			user = optarg;
		else if (c == 'P')
			from_stdin = true;
		else if (c == 'T' && (strcmp(optarg, "true") == 0 || strcmp(optarg, "false") == 0))
			o.tls_verify = optarg[0] == 't';
		else
			return bad_flag("login", argv, c);
	}
	if (argc - optind != 1)
		return usage_error("login", "%s", optind >= argc ? "missing REGISTRY" : "too many arguments");
	if (!user)
		return usage_error("login", "%s", "missing -u USER");
	if (from_stdin) {
		size_t n = fread(pass, 1, sizeof(pass) - 1, stdin);

		pass[n] = '\0';
		while (n && (pass[n - 1] == '\n' || pass[n - 1] == '\r'))
			pass[--n] = '\0';
	} else {
		char *p = isatty(STDIN_FILENO) ? getpass("Password: ") : NULL;

		if (!p)
			return usage_error("login", "%s",
					   "no TTY to ask for the password: use --password-stdin");
		snprintf(pass, sizeof(pass), "%s", p);
	}
	if (!pass[0])
		return usage_error("login", "%s", "empty password");
	if (registry_login(argv[optind], user, pass, &o, &err) < 0)
		return report(err);
	puts("Login Succeeded!");
	return 0;
}

static int cmd_logout(struct sbx_global *g, int argc, char **argv)
{
	cleanup_error struct sbx_error *err = NULL;

	(void)g;
	if (wants_help(argc, argv))
		return print_help("logout");
	if (argc != 2)
		return usage_error("logout", "%s", argc < 2 ? "missing REGISTRY" : "too many arguments");
	if (registry_logout(argv[1], &err) < 0)
		return report(err);
	printf("Removed login credentials for %s\n", argv[1]);
	return 0;
}

static int cmd_images(struct sbx_global *g, int argc, char **argv)
{
	cleanup_error struct sbx_error *err = NULL;
	bool json = false;
	char *out = NULL;
	int first = image_flags("images", argc, argv, NULL, &json);

	if (first < 0)
		return first == -2 ? 0 : SBX_EXIT_FAILURE;
	if (first < argc)
		return usage_error("images", "unexpected argument `%s`", argv[first]);
	if (image_list(g->root, json, &out, &err) < 0)
		return report(err);
	fputs(out, stdout);
	free(out);
	return 0;
}

static int cmd_rmi(struct sbx_global *g, int argc, char **argv)
{
	cleanup_error struct sbx_error *err = NULL;
	bool force = false;
	char *out = NULL;
	int first = image_flags("rmi", argc, argv, &force, NULL);

	if (first < 0)
		return first == -2 ? 0 : SBX_EXIT_FAILURE;
	if (first >= argc)
		return usage_error("rmi", "%s", "missing IMAGE");
	{
		struct lc_sandbox *v = NULL;
		size_t n = 0;
		int r;

		lifecycle_list(g, false, &v, &n);
		struct image_user live[n + 1];
		for (size_t i = 0; i < n; i++)
			live[i] = (struct image_user){v[i].image, v[i].id};
		r = image_remove(g->root, argv + first, (size_t)(argc - first), force, live, n, &out, &err);
		lifecycle_free_list(v, n);
		if (r < 0)
			return report(err);
	}
	fputs(out, stdout);
	free(out);
	return 0;
}

static int cmd_inspect(struct sbx_global *g, int argc, char **argv)
{
	cleanup_error struct sbx_error *err = NULL;
	bool json = true;
	char *out = NULL;
	int first = image_flags("inspect", argc, argv, NULL, &json);

	if (first < 0)
		return first == -2 ? 0 : SBX_EXIT_FAILURE;
	if (argc - first != 1)
		return usage_error("inspect", "%s", first >= argc ? "missing IMAGE" : "one IMAGE at a time");
	if (image_inspect(g->root, argv[first], &out, &err) < 0) {
		cleanup_error struct sbx_error *serr = NULL;
		struct lc_sandbox sb;

		/* not an image: a sandbox, by name or id prefix */
		if (lifecycle_find(g, argv[first], &sb, &serr) < 0)
			return report(err);
		out = lifecycle_format_json(&sb, 1);
		if (sb.config) {
			/* the sandbox's status with its whole config (limits, caps, ...) */
			json_t *arr = json_loads(out, 0, NULL), *o = json_array_get(arr, 0);
			char *s;

			if (o)
				json_object_set(o, "config", (json_t *)sb.config);
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

static const struct command commands[] = {
    {"run", cmd_run, "run [OPTIONS] IMAGE [CMD [ARG...]]",
     "Create and start a sandbox, wait for it and exit with its status.\n"
     "IMAGE is `host` (the host's / read-only with a private writable layer),\n"
     "a directory holding a root filesystem, or an image in the store\n"
     "(`sandbox import`; NAME[:TAG] finds localhost/NAME:TAG first), whose\n"
     "Entrypoint, Cmd, Env, WorkingDir and User apply under the options.\n"},
    {"shell", cmd_shell, "shell [OPTIONS] [IMAGE]",
     "Interactive login shell in a sandbox (default IMAGE `host`), with $HOME\n"
     "and the current directory bound read-write, your own uid (--userns keep-id)\n"
     "and the host's network; a TTY when stdin is one. The writable layer is\n"
     "thrown away on exit, unless --name NAME is given: then the sandbox is\n"
     "kept, and the next `shell --name NAME` continues with its writable layer\n"
     "(`sandbox rm NAME` ends it).\n"},
    {"exec", cmd_exec, "exec [OPTIONS] SANDBOX CMD [ARG...]",
     "Run a command inside a running sandbox: its namespaces, cgroup,\n"
     "capabilities, seccomp filter and no_new_privs. Exits with its status.\n"
     "\n"
     "Options:\n"
     "  -i, --interactive       keep stdin open\n"
     "  -t, --tty               allocate a pseudo-terminal in the sandbox\n"
     "  -u, --user UID[:GID]|NAME[:GROUP]  user inside (default: the sandbox's)\n"
     "  -e, --env K=V           set an environment variable\n"
     "  -w, --workdir DIR       working directory inside\n"
     "  -h, --help              this text\n"},
    {"ps", cmd_ps, "ps [-a] [--format table|json]",
     "List running sandboxes: id, name, image, command, status, created.\n"
     "\n"
     "Options:\n"
     "  -a, --all               also the sandboxes that are not running\n"
     "      --format table|json  output format\n"
     "  -h, --help              this text\n"},
    {"stop", cmd_stop, "stop [-t SECS] SANDBOX...",
     "Stop sandboxes: SIGTERM to the command, SIGKILL after the timeout.\n"
     "\n"
     "Options:\n"
     "  -t, --time SECS         seconds to wait before SIGKILL (default 10)\n"
     "  -h, --help              this text\n"},
    {"kill", cmd_kill, "kill [-s SIG] SANDBOX...",
     "Send a signal to sandboxes (SIGKILL by default).\n"
     "\n"
     "Options:\n"
     "  -s, --signal SIG        signal name or number\n"
     "  -h, --help              this text\n"},
    {"rm", cmd_rm, "rm [-f] SANDBOX...",
     "Remove sandboxes that are not running: writable layer, state, name.\n"
     "\n"
     "Options:\n"
     "  -f, --force             kill a running sandbox first\n"
     "  -h, --help              this text\n"},
    {"logs", cmd_logs, "logs [-f] SANDBOX",
     "Print the output of a sandbox started with `run -d`.\n"
     "\n"
     "Options:\n"
     "  -f, --follow            keep printing while the sandbox runs\n"
     "  -h, --help              this text\n"},
    {"prune", cmd_prune, "prune",
     "Remove every sandbox that is not running, then the image store's\n"
     "blobs and layers that no image uses.\n"},
    {"pull", cmd_pull, "pull [--tls-verify=false] [--creds USER:PASS] [--platform OS/ARCH[/VARIANT]] IMAGE",
     "Fetch an image from a registry (OCI distribution API v2) into the store.\n"
     "An index is resolved to this machine's linux/ARCH manifest (or --platform's);\n"
     "every blob is checked against its digest, every layer against its diff_id.\n"
     "Layers download four at a time and are unpacked as each completes; a pull\n"
     "that was interrupted resumes its unfinished layer downloads (HTTP Range).\n"
     "Progress bars on a terminal, one line per layer otherwise.\n"
     "Credentials: --creds, then $REGISTRY_AUTH_FILE,\n"
     "$XDG_RUNTIME_DIR/containers/auth.json, ~/.docker/config.json.\n"
     "\n"
     "Options:\n"
     "      --tls-verify=false  do not check the registry's certificate, and fall\n"
     "                          back to plain HTTP when it does not speak TLS\n"
     "      --creds USER:PASS   credentials for this pull\n"
     "      --platform OS/ARCH[/VARIANT]  the image to pick from an index\n"
     "                          (linux/arm64, linux/arm/v7; default this machine's)\n"
     "      --allow-foreign-layers  fetch non-distributable layers from the URLs\n"
     "                          their descriptors give (refused otherwise)\n"
     "  -q, --quiet             no progress and no per-layer lines\n"
     "  -h, --help              this text\n"},
    {"login", cmd_login, "login -u USER [--password-stdin] REGISTRY",
     "Check USER and the password against REGISTRY, then store them (mode 0600)\n"
     "in $REGISTRY_AUTH_FILE or $XDG_RUNTIME_DIR/containers/auth.json.\n"
     "\n"
     "Options:\n"
     "  -u, --username USER     user name\n"
     "      --password-stdin    read the password from stdin\n"
     "      --tls-verify=false  do not check the registry's certificate\n"
     "  -h, --help              this text\n"},
    {"logout", cmd_logout, "logout REGISTRY", "Remove the stored credentials for REGISTRY.\n"},
    {"import", cmd_import, "import FILE|DIR [NAME[:TAG]]",
     "Load an image into the store: a docker-archive tar (`docker save`), an OCI\n"
     "layout (directory or tar), or a rootfs tarball (plain, gzip or zstd).\n"
     "Every blob is checked against its digest, every layer against its diff_id.\n"
     "A short NAME is stored as localhost/NAME:TAG (TAG defaults to latest).\n"},
    {"images", cmd_images, "images [--format table|json]", "List the images in the store.\n"},
    {"rmi", cmd_rmi, "rmi [-f] IMAGE...",
     "Remove image names, then the blobs and layers no other image uses.\n"},
    {"inspect", cmd_inspect, "inspect [--format json] IMAGE|SANDBOX",
     "Print an image as JSON: manifest digest, config, and every layer's\n"
     "digest, diff_id and size.\n"},
    {"doctor", cmd_doctor, "doctor [--format text|json]",
     "Check this host: kernel, user namespaces, newuidmap/newgidmap, your\n"
     "/etc/subuid and /etc/subgid ranges, overlayfs in a user namespace (tried\n"
     "for real), user xattrs on the store, cgroup v2 delegation, /dev/net/tun,\n"
     "ping_group_range and seccomp. One line per check: ok, warn or missing,\n"
     "what was found and, for a problem, the command that fixes it.\n"
     "Exits 0 when everything `run` needs works (warn lines are optional\n"
     "features), 1 otherwise.\n"
     "\n"
     "Options:\n"
     "      --format text|json  output format (json: an array of objects\n"
     "                          {check, status, detail, fix, required})\n"
     "  -h, --help              this text\n"},
    {"version", cmd_version, "version", "Print the version and the versions of the linked libraries.\n"},
    {"help", cmd_help, "help [COMMAND]", "Show help for sandbox or one of its commands.\n"},
    {NULL, NULL, NULL, NULL},
};

static int print_help(const char *name)
{
	if (name) {
		for (const struct command *c = commands; c->name; c++) {
			if (strcmp(c->name, name) == 0) {
				printf("Usage: sandbox %s\n\n%s", c->synopsis, c->help);
				if (c->fn == cmd_run || c->fn == cmd_shell)
					printf("\n%s", run_options_help);
				return 0;
			}
		}
		dprintf(STDERR_FILENO, "sandbox: help: unknown command `%s`\n", name);
		return SBX_EXIT_FAILURE;
	}
	printf("Usage: sandbox [GLOBAL OPTIONS] COMMAND [ARGS...]\n\n"
	       "Rootless sandboxes: user namespaces, an overlay root, no daemon.\n\n"
	       "Commands:\n");
	for (const struct command *c = commands; c->name; c++)
		printf("  %s\n", c->synopsis);
	printf("\nGlobal options:\n"
	       "  --root DIR        store (default $XDG_DATA_HOME/sandbox or ~/.local/share/sandbox)\n"
	       "  --runroot DIR     live state (default $XDG_RUNTIME_DIR/sandbox or /tmp/sandbox-$UID)\n"
	       "  --log-level LEVEL error, warn, info or debug\n"
	       "  --version         print the version\n"
	       "  -h, --help        this text (also `sandbox help COMMAND`)\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct sbx_global g = {0};
	cleanup_error struct sbx_error *err = NULL;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i], *val = NULL;
		const char *eq = strchr(a, '=');
		size_t nl = eq ? (size_t)(eq - a) : strlen(a);

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
			return print_help(NULL);
		if (strcmp(a, "--version") == 0 || strcmp(a, "-v") == 0) {
			version_print();
			return 0;
		}
		if ((nl == 6 && strncmp(a, "--root", 6) == 0) ||
		    (nl == 9 && strncmp(a, "--runroot", 9) == 0) ||
		    (nl == 11 && strncmp(a, "--log-level", 11) == 0)) {
			val = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
			if (!val)
				return usage_error("sandbox", "flag `%s` needs a value", a);
			if (a[2] == 'l') {
				if (sbx_log_parse_level(val, &sbx_log_level) < 0)
					return usage_error("sandbox", "invalid --log-level `%s`", val);
			} else if (a[2] == 'r' && a[3] == 'o') {
				g.root = xstrdup(val);
			} else {
				g.runroot = xstrdup(val);
			}
			continue;
		}
		return usage_error("sandbox", "unknown flag `%s`", a);
	}
	if (i >= argc)
		return print_help(NULL), SBX_EXIT_FAILURE;
	if (state_default_dirs(&g, &err) < 0)
		return report(err);
	for (const struct command *c = commands; c->name; c++) {
		if (strcmp(c->name, argv[i]) == 0) {
			int ret = c->fn(&g, argc - i, argv + i);

			free(g.root);
			free(g.runroot);
			return ret;
		}
	}
	dprintf(STDERR_FILENO, "sandbox: %s: unknown command\nhint: see `sandbox --help`\n", argv[i]);
	return SBX_EXIT_FAILURE;
}
