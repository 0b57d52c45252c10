// SPDX-License-Identifier: GPL-2.0-or-later
/* help.c - the help texts: `sandbox help [COMMAND]`, -h of every command */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* one command's help; sandbox.c's table of subcommands has the same names */
struct cli_help {
	const char *name;
	const char *synopsis;
	const char *help;
};

static const char run_options_help[] =
    "Options:\n"
    "      --rm                      remove the sandbox when it exits\n"
    "  -d, --detach                  run in the background, print the id\n"
    "      --name NAME               name of the sandbox (unique per user; not hex\n"
    "                                digits only, which could be taken for an id)\n"
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
    "      --network slirp[:mtu=N]|none|host  network (default slirp: user-mode NAT;\n"
    "                                host shares the host's abstract unix sockets)\n"
    "  -p, --publish [HOSTIP:]HOSTPORT:PORT[/tcp|/udp]  forward a host port (slirp)\n"
    "      --allow-host-loopback     the host's 127.0.0.1 at 10.0.2.2 (slirp)\n"
    "      --dns IP                  nameserver for /etc/resolv.conf\n"
    "      --userns auto|keep-id|single  user namespace mapping (default auto);\n"
    "                                single keeps your supplementary groups\n"
    "      --cap-add CAP, --cap-drop CAP  adjust the capability set; with SYS_ADMIN\n"
    "                                the command may mount, but the sandbox's\n"
    "                                mounts stay locked (nested user namespace)\n"
    "      --security-opt seccomp=unconfined|FILE, no-new-privileges=false\n"
    "      --privileged              all capabilities, no seccomp, no masked paths\n"
    "      --memory SIZE, --pids-limit N, --cpus N  cgroup v2 limits\n"
    "      --platform OS/ARCH[/VARIANT]  the image of this platform (pulled if the\n"
    "                                local one is of another)\n"
    "      --pull missing|always|newer|never  when to pull an image reference\n"
    "                                (default missing; newer is always)\n"
    "  -h, --help                    this text\n";

static const struct cli_help helps[] = {
    {"run", "run [OPTIONS] IMAGE [CMD [ARG...]]",
     "Create and start a sandbox, wait for it and exit with its status.\n"
     "IMAGE is `host` (the host's / read-only with a private writable layer),\n"
     "a directory holding a root filesystem, or an image in the store\n"
     "(`sandbox import`; NAME[:TAG] finds localhost/NAME:TAG first), whose\n"
     "Entrypoint, Cmd, Env, WorkingDir and User apply under the options.\n"},
    {"shell", "shell [OPTIONS] [IMAGE]",
     "Interactive login shell in a sandbox (default IMAGE `host`), with $HOME\n"
     "and the current directory bound read-write (with the unix sockets and FIFOs\n"
     "in them: ssh-agent, gpg-agent, ...), your own uid (--userns keep-id) and the\n"
     "host's network (its abstract unix sockets too); a TTY when stdin is one.\n"
     "The writable layer is thrown away on exit, unless --name NAME is given:\n"
     "then the sandbox is kept, and the next `shell --name NAME` continues with\n"
     "its writable layer (`sandbox rm NAME` ends it).\n"},
    {"create", "create [OPTIONS] IMAGE [CMD [ARG...]]",
     "Configure a sandbox without starting it; print its id. Takes run's options\n"
     "(not -d, not --rm); the image is checked now (a reference that is not in\n"
     "the store is pulled). `sandbox start` starts it; `ps -a` shows it as\n"
     "created.\n"},
    {"start", "start [-a] [-i] SANDBOX...",
     "Start sandboxes made by `create`, or exited ones kept by `run` (without\n"
     "--rm), with the options they were made with and the writable layer they\n"
     "had. In the background, as `run -d` does, unless -a.\n"
     "\n"
     "Options:\n"
     "  -a, --attach            in the foreground: its output, its exit status\n"
     "                          (one sandbox; needed for one made with -t)\n"
     "  -i, --interactive       with -a: keep stdin open\n"
     "  -h, --help              this text\n"},
    {"exec", "exec [OPTIONS] SANDBOX CMD [ARG...]",
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
    {"ps", "ps [-a] [--format table|json]",
     "List running sandboxes: id, name, image, command, status, created.\n"
     "\n"
     "Options:\n"
     "  -a, --all               also the sandboxes that are not running\n"
     "      --format table|json  output format\n"
     "  -h, --help              this text\n"},
    {"stop", "stop [-t SECS] SANDBOX...",
     "Stop sandboxes: SIGTERM to the command, SIGKILL after the timeout.\n"
     "\n"
     "Options:\n"
     "  -t, --time SECS         seconds to wait before SIGKILL (default 10)\n"
     "  -h, --help              this text\n"},
    {"kill", "kill [-s SIG] SANDBOX...",
     "Send a signal to sandboxes (SIGKILL by default).\n"
     "\n"
     "Options:\n"
     "  -s, --signal SIG        signal name or number\n"
     "  -h, --help              this text\n"},
    {"rm", "rm [-f] SANDBOX...",
     "Remove sandboxes that are not running: writable layer, state, name.\n"
     "\n"
     "Options:\n"
     "  -f, --force             kill a running sandbox first\n"
     "  -h, --help              this text\n"},
    {"logs", "logs [-f] SANDBOX",
     "Print the output of a sandbox started with `run -d`.\n"
     "\n"
     "Options:\n"
     "  -f, --follow            keep printing while the sandbox runs\n"
     "  -h, --help              this text\n"},
    {"attach", "attach [--detach-keys KEYS] SANDBOX",
     "Connect the terminal to a sandbox started with `run -d -t` (or `start` of a\n"
     "-t one): its output is shown, and what is typed goes to it if it was started\n"
     "with -i. The detach keys (ctrl-p ctrl-q) leave it running and exit 0; when\n"
     "the sandbox ends, attach exits with the command's status.\n"
     "\n"
     "Options:\n"
     "      --detach-keys KEYS  keys that detach: ctrl-X or characters, comma-\n"
     "                          separated (default ctrl-p,ctrl-q)\n"
     "  -h, --help              this text\n"},
    {"prune", "prune",
     "Remove every sandbox that is not running (created ones too), the cgroups\n"
     "of sandboxes whose supervisor was killed, then the image store's blobs and\n"
     "layers that no image uses and the downloads interrupted pulls left.\n"},
    {"pull", "pull [--tls-verify=false] [--creds USER:PASS] [--platform OS/ARCH[/VARIANT]] IMAGE",
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
    {"login", "login -u USER [--password-stdin] REGISTRY",
     "Check USER and the password against REGISTRY, then store them (mode 0600)\n"
     "in $REGISTRY_AUTH_FILE or $XDG_RUNTIME_DIR/containers/auth.json.\n"
     "\n"
     "Options:\n"
     "  -u, --username USER     user name\n"
     "      --password-stdin    read the password from stdin\n"
     "      --tls-verify=false  do not check the registry's certificate\n"
     "  -h, --help              this text\n"},
    {"logout", "logout REGISTRY", "Remove the stored credentials for REGISTRY.\n"},
    {"import", "import FILE|DIR [NAME[:TAG]]",
     "Load an image into the store: a docker-archive tar (`docker save`), an OCI\n"
     "layout (directory or tar), or a rootfs tarball (plain, gzip or zstd).\n"
     "Every blob is checked against its digest, every layer against its diff_id.\n"
     "A short NAME is stored as localhost/NAME:TAG (TAG defaults to latest).\n"},
    {"images", "images [--format table|json]", "List the images in the store.\n"},
    {"rmi", "rmi [-f] IMAGE...",
     "Remove image names, then the blobs and layers no other image and no\n"
     "sandbox uses (a sandbox keeps the image it was made from). An image a\n"
     "kept sandbox was made from needs -f; a running sandbox's is never removed.\n"},
    {"inspect", "inspect [--format json] IMAGE|SANDBOX",
     "Print an image as JSON: manifest digest, config, and every layer's\n"
     "digest, diff_id and size.\n"},
    {"doctor", "doctor [--format text|json]",
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
    {"version", "version", "Print the version and the versions of the linked libraries.\n"},
    {"help", "help [COMMAND]", "Show help for sandbox or one of its commands.\n"},
    {NULL, NULL, NULL},
};

/**
 * cli_print_help() - help for one command, or for sandbox and the list of commands
 * @name:	command name, or NULL
 *
 * Return: 0, or 125 for an unknown command.
 */
int cli_print_help(const char *name)
{
	if (name) {
		for (const struct cli_help *c = helps; c->name; c++) {
			if (strcmp(c->name, name) == 0) {
				printf("Usage: sandbox %s\n\n%s", c->synopsis, c->help);
				if (strcmp(name, "run") == 0 || strcmp(name, "shell") == 0 ||
				    strcmp(name, "create") == 0)
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
	for (const struct cli_help *c = helps; c->name; c++)
		printf("  %s\n", c->synopsis);
	printf("\nGlobal options:\n"
	       "  --root DIR        store (default $XDG_DATA_HOME/sandbox or ~/.local/share/sandbox)\n"
	       "  --runroot DIR     live state (default $XDG_RUNTIME_DIR/sandbox or /tmp/sandbox-$UID)\n"
	       "                    (both must be yours, mode 0700, no symlink; made so when missing)\n"
	       "  --log-level LEVEL error, warn, info or debug\n"
	       "  --version         print the version\n"
	       "  -h, --help        this text (also `sandbox help COMMAND`)\n");
	return 0;
}
