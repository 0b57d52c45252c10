// SPDX-License-Identifier: GPL-2.0-or-later
/* cli_attach.c - attach: the terminal of a sandbox started with -d -t
 *
 * The client side of the attach socket of supervise.c (the protocol is
 * described there): it connects, puts the local terminal in raw mode when
 * the sandbox takes input (-i) and stdin is a terminal, sends the window
 * size and its changes, relays stdin and the pty's output, and ends when
 * the sandbox does (with the command's status) or on the detach keys
 * (status 0, the sandbox runs on). The terminal is restored on every way
 * out: the signals that would end us are taken from a signalfd.
 */
#include "cli.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lifecycle.h"
#include "supervise.h"
#include "tty.h"
#include "util.h"

#define DETACH_KEYS_MAX 16
/* How long to wait for the exit file when the connection ended without a status. */
#define EXIT_FILE_WAIT_MS 5000

struct attach_client {
	const char *name; /* the SANDBOX operand, for messages */
	int sock;
	bool input;	 /* the sandbox takes input (ATTACH_HELLO_STDIN) */
	bool stdin_open; /* still reading stdin */
	unsigned char keys[DETACH_KEYS_MAX];
	size_t n_keys, matched; /* matched: how many detach keys were typed so far (held back) */
	size_t in_len;		/* bytes of incoming frames in in[] */
	unsigned char in[ATTACH_HEADER_SIZE + ATTACH_MAX_PAYLOAD];
};

/**
 * parse_detach_keys() - docker's --detach-keys: `ctrl-X` or single characters, comma-separated
 * @s:		as given (`ctrl-p,ctrl-q`)
 * @keys:	set to the bytes, DETACH_KEYS_MAX at most
 * @n:		set to their count
 *
 * X is a letter, or one of @ [ \ ] ^ _ (the other control characters).
 *
 * Return: 0, or -1 if @s is not valid.
 */
static int parse_detach_keys(const char *s, unsigned char *keys, size_t *n)
{
	*n = 0;
	while (*s) {
		const char *end = strchrnul(s, ',');
		size_t len = (size_t)(end - s);
		int c;

		if (*n == DETACH_KEYS_MAX)
			return -1;
		if (len == 1) {
			c = (unsigned char)*s;
		} else if (len == 6 && strncasecmp(s, "ctrl-", 5) == 0) {
			c = (unsigned char)s[5];
			if (c >= 'a' && c <= 'z')
				c = c - 'a' + 'A';
			if (c < '@' || c > '_')
				return -1;
			c -= '@';
		} else {
			return -1;
		}
		keys[(*n)++] = (unsigned char)c;
		s = *end ? end + 1 : end;
		if (*end && !*s)
			return -1; /* a trailing comma */
	}
	return *n > 0 ? 0 : -1;
}

/* Send one frame, all of it; the supervisor never stops reading for long. */
static int send_frame(struct attach_client *a, enum supervise_frame type, const void *data, size_t len)
{
	unsigned char h[ATTACH_HEADER_SIZE] = {(unsigned char)type, (unsigned char)(len >> 8),
					       (unsigned char)(len & 0xff)};
	struct iovec iov[2] = {{.iov_base = h, .iov_len = sizeof(h)},
			       {.iov_base = (void *)data, .iov_len = len}};
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};

	while (iov[0].iov_len + iov[1].iov_len > 0) {
		ssize_t n = sendmsg(a->sock, &msg, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		for (int i = 0; i < 2; i++) {
			size_t k = (size_t)n < iov[i].iov_len ? (size_t)n : iov[i].iov_len;

			iov[i].iov_base = (char *)iov[i].iov_base + k;
			iov[i].iov_len -= k;
			n -= (ssize_t)k;
		}
	}
	return 0;
}

/* Send the size of our terminal, if we have one. */
static void send_winsize(struct attach_client *a)
{
	int term = tty_find_terminal();
	struct winsize ws;
	unsigned char b[4];

	if (term < 0 || ioctl(term, TIOCGWINSZ, &ws) < 0 || ws.ws_row == 0 || ws.ws_col == 0)
		return;
	b[0] = (unsigned char)(ws.ws_row >> 8);
	b[1] = (unsigned char)(ws.ws_row & 0xff);
	b[2] = (unsigned char)(ws.ws_col >> 8);
	b[3] = (unsigned char)(ws.ws_col & 0xff);
	send_frame(a, ATTACH_RESIZE, b, sizeof(b));
}

/*
 * Relay what was typed, holding back a prefix of the detach keys until it
 * is complete (then return 1: detach) or broken (then send it after all).
 */
static int relay_input(struct attach_client *a, const unsigned char *buf, size_t len)
{
	unsigned char out[ATTACH_MAX_PAYLOAD];
	size_t n = 0;
	int detach = 0;

	for (size_t i = 0; i < len && !detach; i++) {
		if (buf[i] == a->keys[a->matched]) {
			if (++a->matched == a->n_keys)
				detach = 1;
			continue;
		}
		/* out has room: at most len (< sizeof(out) - DETACH_KEYS_MAX) plus the held keys */
		memcpy(out + n, a->keys, a->matched);
		n += a->matched;
		a->matched = 0;
		if (buf[i] == a->keys[0]) {
			if (++a->matched == a->n_keys)
				detach = 1;
			continue;
		}
		out[n++] = buf[i];
	}
	/* what was typed before the detach keys still goes */
	if (n > 0 && a->input && send_frame(a, ATTACH_DATA, out, n) < 0)
		return -1;
	return detach;
}

/* Read the next frame into a->in; return its type, -1 on EOF or a broken connection. */
static int read_frame(struct attach_client *a, size_t *len)
{
	for (;;) {
		ssize_t n;

		if (a->in_len >= ATTACH_HEADER_SIZE) {
			*len = (size_t)a->in[1] << 8 | a->in[2];
			if (*len > ATTACH_MAX_PAYLOAD)
				return -1;
			if (a->in_len >= ATTACH_HEADER_SIZE + *len)
				return a->in[0];
		}
		do
			n = recv(a->sock, a->in + a->in_len, sizeof(a->in) - a->in_len, 0);
		while (n < 0 && errno == EINTR);
		if (n <= 0)
			return -1;
		a->in_len += (size_t)n;
	}
}

/* Drop the frame read_frame() returned. */
static void consume_frame(struct attach_client *a, size_t len)
{
	size_t total = ATTACH_HEADER_SIZE + len;

	memmove(a->in, a->in + total, a->in_len - total);
	a->in_len -= total;
}

/*
 * The connection ended without a status (the supervisor was killed, or the
 * sandbox ended as we connected): take it from the sandbox's exit file.
 */
static int status_from_exit_file(struct sbx_global *g, const char *name)
{
	struct timespec ts = {.tv_nsec = 50 * 1000 * 1000};

	for (int i = 0; i < EXIT_FILE_WAIT_MS / 50; i++) {
		cleanup_error struct sbx_error *err = NULL;
		struct lc_sandbox sb;
		int code = -1;
		bool running;

		if (lifecycle_find(g, name, &sb, &err) < 0)
			break;
		running = lifecycle_running(&sb) || sb.status == LC_CREATED;
		if (!running)
			code = sb.exit_code;
		lifecycle_free(&sb);
		if (code >= 0)
			return code;
		nanosleep(&ts, NULL);
	}
	sbx_log(SBX_LOG_ERROR, "attach: %s: the connection to the sandbox ended without its exit status",
		name);
	return SBX_EXIT_FAILURE;
}

/* Handle the frames that arrived; return 1 when the sandbox ended (*status set), -1 on EOF. */
static int handle_output(struct attach_client *a, int *status)
{
	ssize_t n;

	if (a->in_len < sizeof(a->in)) {
		do
			n = recv(a->sock, a->in + a->in_len, sizeof(a->in) - a->in_len, MSG_DONTWAIT);
		while (n < 0 && errno == EINTR);
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			return -1;
		a->in_len += (size_t)n;
	}
	while (a->in_len >= ATTACH_HEADER_SIZE) {
		size_t len = (size_t)a->in[1] << 8 | a->in[2];

		if (len > ATTACH_MAX_PAYLOAD)
			return -1;
		if (a->in_len < ATTACH_HEADER_SIZE + len)
			break;
		if (a->in[0] == ATTACH_DATA) {
			util_write_all(STDOUT_FILENO, a->in + ATTACH_HEADER_SIZE, len);
		} else if (a->in[0] == ATTACH_EXIT && len == 1) {
			*status = a->in[ATTACH_HEADER_SIZE];
			return 1;
		}
		consume_frame(a, len);
	}
	return 0;
}

/*
 * The relay loop. Return 0 on the detach keys, 1 when the sandbox ended
 * (*status set), -1 when the connection ended without a status, or 128+N
 * for an ending signal N.
 */
static int attach_loop(struct attach_client *a, int sfd, int *status)
{
	for (;;) {
		struct pollfd p[3] = {
		    {.fd = a->sock, .events = POLLIN},
		    {.fd = sfd, .events = POLLIN},
		    {.fd = a->stdin_open ? STDIN_FILENO : -1, .events = POLLIN},
		};
		int r;

		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (p[0].revents) {
			r = handle_output(a, status);
			if (r != 0)
				return r;
		}
		if (p[1].revents) {
			struct signalfd_siginfo si;

			while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo == SIGWINCH)
					send_winsize(a);
				else if (si.ssi_signo != SIGPIPE)
					return 128 + (int)si.ssi_signo;
			}
		}
		if (p[2].revents) {
			unsigned char buf[ATTACH_MAX_PAYLOAD - DETACH_KEYS_MAX];
			ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0) {
				/* EOF: keep the output coming, as podman does */
				a->stdin_open = false;
				continue;
			}
			r = relay_input(a, buf, (size_t)n);
			if (r == 1)
				return 0;
			if (r < 0)
				return -1;
		}
	}
}

/*
 * Connect to the attach socket of a running sandbox and read its greeting.
 * Return 0 (a->sock, a->input set), or the exit code after reporting.
 */
static int attach_connect(struct sbx_global *g, struct attach_client *a)
{
	cleanup_error struct sbx_error *err = NULL;
	struct lc_sandbox sb;
	size_t len = 0;
	int type;

	if (lifecycle_find(g, a->name, &sb, &err) < 0)
		return cli_report(err);
	if (!lifecycle_running(&sb)) {
		lifecycle_free(&sb);
		sbx_log(SBX_LOG_ERROR, "attach: %s: the sandbox is not running", a->name);
		return SBX_EXIT_FAILURE;
	}
	a->sock = sb.rundir ? supervise_attach_connect(sb.rundir, &err) : -1;
	lifecycle_free(&sb);
	if (a->sock < 0) {
		if (!err || err->errnum == ENOENT)
			sbx_log(SBX_LOG_ERROR, "attach: %s: not started with -t: use `sandbox logs -f`",
				a->name);
		else if (err->errnum == ECONNREFUSED)
			sbx_log(SBX_LOG_ERROR, "attach: %s: the sandbox is not running", a->name);
		else
			sbx_log(SBX_LOG_ERROR, "attach: %s: %s", a->name, err->msg);
		return SBX_EXIT_FAILURE;
	}
	type = read_frame(a, &len);
	if (type == ATTACH_BUSY) {
		sbx_log(SBX_LOG_ERROR, "attach: %s: already attached", a->name);
		return SBX_EXIT_FAILURE;
	}
	if (type != ATTACH_HELLO || len != 1) {
		/* it ended while we connected */
		return status_from_exit_file(g, a->name);
	}
	a->input = a->in[ATTACH_HEADER_SIZE] & ATTACH_HELLO_STDIN;
	consume_frame(a, len);
	return 0;
}

/**
 * cmd_attach() - `sandbox attach`: the terminal of a sandbox started with -d -t
 * @g:		global options
 * @argc:	argument count
 * @argv:	arguments, from `attach`
 *
 * Return: the command's exit status when the sandbox ends while attached,
 * 0 on the detach keys, 125 on an error.
 */
int cmd_attach(struct sbx_global *g, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"detach-keys", required_argument, NULL, 'k'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct attach_client a = {.sock = -1};
	struct tty_raw raw = {.fd = -1};
	cleanup_close int sfd = -1;
	sigset_t set, saved;
	int c, r, status = 0;

	parse_detach_keys("ctrl-p,ctrl-q", a.keys, &a.n_keys);
	optind = 1;
	opterr = 0;
	while ((c = cli_next_opt(argc, argv, "+h", longopts)) != -1) {
		if (c == 'k' && parse_detach_keys(optarg, a.keys, &a.n_keys) < 0)
			return cli_usage_error("attach", "invalid --detach-keys `%s` (like ctrl-p,ctrl-q)",
					       optarg);
		else if (c == 'h')
			return cli_print_help("attach");
		else if (c != 'k')
			return cli_bad_flag("attach", argv, c);
	}
	if (optind >= argc)
		return cli_usage_error("attach", "%s", "missing SANDBOX");
	if (argc - optind > 1)
		return cli_usage_error("attach", "unexpected argument `%s`", argv[optind + 1]);
	a.name = argv[optind];
	if ((r = cli_open_dirs(g, STATE_DIR_ROOT | STATE_DIR_RUNROOT)))
		return r;

	r = attach_connect(g, &a);
	if (r != 0 || a.sock < 0) {
		if (a.sock >= 0)
			close(a.sock);
		return r;
	}
	/* from here on, the signals that would end us come from the signalfd */
	sigemptyset(&set);
	sigaddset(&set, SIGWINCH);
	sigaddset(&set, SIGPIPE);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigprocmask(SIG_BLOCK, &set, &saved);
	sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0) {
		sbx_log(SBX_LOG_ERROR, "attach: create a signalfd: %s", strerror(errno));
		close(a.sock);
		sigprocmask(SIG_SETMASK, &saved, NULL);
		return SBX_EXIT_FAILURE;
	}
	a.stdin_open = a.input;
	if (a.input && isatty(STDIN_FILENO)) {
		cleanup_error struct sbx_error *err = NULL;

		if (tty_raw_enter(STDIN_FILENO, &raw, &err) < 0) {
			close(a.sock);
			sigprocmask(SIG_SETMASK, &saved, NULL);
			return cli_report(err);
		}
	}
	send_winsize(&a);
	fflush(stdout);
	r = attach_loop(&a, sfd, &status);
	tty_raw_restore(&raw);
	close(a.sock);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	if (r == 1)
		return status;
	if (r < 0)
		return status_from_exit_file(g, a.name);
	return r;
}
