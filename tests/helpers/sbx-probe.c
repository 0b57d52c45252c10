/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sbx-probe.c - static test helper run inside sandboxes by the integration tests
 *
 * Built by tests/helpers/build.sh (and the Makefile target tests/helpers/sbx-probe):
 *   musl-gcc -static -Os -s -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror \
 *            -o tests/helpers/sbx-probe tests/helpers/sbx-probe.c
 * Only libc headers are used (musl-gcc cannot see <linux/...>), so the few kernel
 * constants needed are defined below.
 *
 * Every subcommand prints one short, stable line per fact so the shell tests can
 * compare output exactly; errno values are printed by name ("EPERM").
 * Exit status: 0 when the probed thing is as a hardened sandbox should have it
 * (or the operation succeeded), 1 otherwise, 2 for a usage error.
 */

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef SYS_close_range
#define SBX_NR_close_range SYS_close_range
#else
#define SBX_NR_close_range 436
#endif
#define KEYCTL_GET_KEYRING_ID	    0
#define KEYCTL_JOIN_SESSION_KEYRING 1
#define KEYCTL_SEARCH		    10
#define KEYCTL_READ		    11
#define KEY_SPEC_SESSION_KEYRING    (-3)

static const struct {
	int num;
	const char *name;
} errno_names[] = {
    {EPERM, "EPERM"},	  {ENOENT, "ENOENT"},	      {ESRCH, "ESRCH"},	  {EINTR, "EINTR"},
    {EIO, "EIO"},	  {ENXIO, "ENXIO"},	      {E2BIG, "E2BIG"},	  {EBADF, "EBADF"},
    {ECHILD, "ECHILD"},	  {EAGAIN, "EAGAIN"},	      {ENOMEM, "ENOMEM"}, {EACCES, "EACCES"},
    {EFAULT, "EFAULT"},	  {EBUSY, "EBUSY"},	      {EEXIST, "EEXIST"}, {ENODEV, "ENODEV"},
    {ENOTDIR, "ENOTDIR"}, {EISDIR, "EISDIR"},	      {EINVAL, "EINVAL"}, {ENFILE, "ENFILE"},
    {EMFILE, "EMFILE"},	  {ENOTTY, "ENOTTY"},	      {ENOSPC, "ENOSPC"}, {EROFS, "EROFS"},
    {ENOSYS, "ENOSYS"},	  {EOPNOTSUPP, "EOPNOTSUPP"}, {ENOKEY, "ENOKEY"}, {EKEYREVOKED, "EKEYREVOKED"},
};

/**
 * errno_name() - symbolic name of an errno value
 * @e:	errno value
 *
 * Return: "EPERM" etc., or "errno N" in a static buffer for unknown values
 */
static const char *errno_name(int e)
{
	static char buf[32];
	size_t i;

	for (i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (errno_names[i].num == e)
			return errno_names[i].name;
	snprintf(buf, sizeof(buf), "errno %d", e);
	return buf;
}

/**
 * parse_long() - parse a decimal number or exit with a usage error
 * @s:	text
 *
 * Return: the value
 */
static long parse_long(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end) {
		fprintf(stderr, "sbx-probe: not a number: %s\n", s);
		exit(2);
	}
	return v;
}

/* keyctl: docker's profile blocks keyctl (CVE-2016-0728 class bugs). */
static int cmd_keyctl(void)
{
	long r = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);

	if (r < 0) {
		int e = errno;

		printf("keyctl: %s\n", errno_name(e));
		return e == EPERM ? 0 : 1;
	}
	printf("keyctl: ok %ld\n", r);
	return 1;
}

/*
 * denied: try syscalls that the default seccomp profile must refuse with EPERM.
 * Arguments are chosen so that an unfiltered call fails harmlessly (bad
 * pointers, invalid flags) with some other errno, even for a privileged caller.
 */
static long try_syscall(const char *name, int *known)
{
	*known = 1;
	if (!strcmp(name, "keyctl"))
		return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
	if (!strcmp(name, "add_key"))
		return syscall(SYS_add_key, "user", NULL, NULL, 0, KEY_SPEC_SESSION_KEYRING);
	if (!strcmp(name, "request_key"))
		return syscall(SYS_request_key, "user", NULL, NULL, 0);
	if (!strcmp(name, "close_range")) /* first > last: EINVAL when allowed */
		return syscall(SBX_NR_close_range, 5U, 4U, 0U);
	if (!strcmp(name, "bpf"))
		return syscall(SYS_bpf, -1, NULL, 0);
	if (!strcmp(name, "perf_event_open"))
		return syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0);
	if (!strcmp(name, "userfaultfd"))
		return syscall(SYS_userfaultfd, -1);
	if (!strcmp(name, "kexec_load"))
		return syscall(SYS_kexec_load, 0, 0, NULL, 0xffffffffUL);
	if (!strcmp(name, "init_module"))
		return syscall(SYS_init_module, NULL, 0, "");
	if (!strcmp(name, "finit_module"))
		return syscall(SYS_finit_module, -1, "", 0);
	if (!strcmp(name, "delete_module"))
		return syscall(SYS_delete_module, "", O_NONBLOCK);
	if (!strcmp(name, "open_by_handle_at"))
		return syscall(SYS_open_by_handle_at, -1, NULL, 0);
	if (!strcmp(name, "reboot"))
		return syscall(SYS_reboot, 0, 0, 0, NULL);
	if (!strcmp(name, "swapon"))
		return syscall(SYS_swapon, NULL, 0);
	if (!strcmp(name, "acct"))
		return syscall(SYS_acct, "");
	if (!strcmp(name, "clock_settime"))
		return syscall(SYS_clock_settime, CLOCK_REALTIME, NULL);
	if (!strcmp(name, "iopl"))
		return syscall(SYS_iopl, 4);
	if (!strcmp(name, "ioperm"))
		return syscall(SYS_ioperm, 0x80, 1, 1);
	*known = 0;
	return -1;
}

static int cmd_denied(int argc, char **argv)
{
	int all_eperm = 1;
	int i;

	for (i = 0; i < argc; i++) {
		int known;
		long r;

		errno = 0;
		r = try_syscall(argv[i], &known);
		if (!known) {
			fprintf(stderr, "sbx-probe: unknown syscall name: %s\n", argv[i]);
			return 2;
		}
		if (r < 0) {
			printf("%s: %s\n", argv[i], errno_name(errno));
			if (errno != EPERM)
				all_eperm = 0;
		} else {
			printf("%s: ok\n", argv[i]);
			all_eperm = 0;
		}
	}
	return all_eperm ? 0 : 1;
}

/* status: the security-relevant lines of /proc/self/status, as the kernel prints them. */
static int cmd_status(void)
{
	static const char *const keys[] = {
	    "CapInh:", "CapPrm:", "CapEff:", "CapBnd:", "CapAmb:", "NoNewPrivs:", "Seccomp:"};
	char line[512];
	FILE *f = fopen("/proc/self/status", "re");
	size_t i;

	if (!f) {
		printf("status: %s\n", errno_name(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), f))
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!strncmp(line, keys[i], strlen(keys[i])))
				fputs(line, stdout);
	fclose(f);
	return 0;
}

/* zombies: number of processes in state Z visible in /proc. */
static int cmd_zombies(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	if (!d) {
		printf("zombies: %s\n", errno_name(errno));
		return 1;
	}
	while ((de = readdir(d))) {
		char path[300], buf[512], *p;
		ssize_t len;
		int fd;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		/* "pid (comm) S ...": comm may contain spaces and ')' */
		p = strrchr(buf, ')');
		if (p && p[1] == ' ' && p[2] == 'Z')
			n++;
	}
	closedir(d);
	printf("%d\n", n);
	return 0;
}

/*
 * doublefork: leave an orphan for PID 1. The child forks a grandchild and exits
 * at once; the grandchild sleeps 0.2 s and exits, re-parented to PID 1 (or the
 * nearest subreaper), which must reap it.
 */
static int cmd_doublefork(void)
{
	pid_t child = fork();

	if (child < 0) {
		printf("fork: %s\n", errno_name(errno));
		return 1;
	}
	if (child == 0) {
		pid_t grandchild = fork();

		if (grandchild == 0) {
			struct timespec ts = {0, 200 * 1000 * 1000};

			nanosleep(&ts, NULL);
			_exit(0);
		}
		_exit(grandchild < 0 ? 1 : 0);
	}
	if (waitpid(child, NULL, 0) < 0) {
		printf("waitpid: %s\n", errno_name(errno));
		return 1;
	}
	return 0;
}

/* setuid N / setgid N: raw syscalls, so libc cannot hide the kernel's answer. */
static int cmd_setid(const char *what, const char *arg)
{
	long id = parse_long(arg);
	long r;

	if (!strcmp(what, "setuid"))
		r = syscall(SYS_setresuid, id, id, id);
	else
		r = syscall(SYS_setresgid, id, id, id);
	if (r < 0) {
		printf("%s %ld: %s\n", what, id, errno_name(errno));
		return 1;
	}
	printf("%s %ld: ok uid=%ld gid=%ld\n", what, id, (long)getuid(), (long)getgid());
	return 0;
}

static int cmd_chown(const char *path, const char *uid, const char *gid)
{
	long u = parse_long(uid), g = parse_long(gid);

	if (chown(path, (uid_t)u, (gid_t)g) < 0) {
		printf("chown: %s\n", errno_name(errno));
		return 1;
	}
	printf("chown: ok\n");
	return 0;
}

/*
 * tiocsti [TEXT]: the default filter must refuse TIOCSTI (terminal input
 * injection) whatever fd 0 is; and without a filter, the caller's terminal
 * must not be ours to type into. TEXT (default a newline) is pushed byte by
 * byte into fd 0's input queue.
 */
static int cmd_tiocsti(const char *text)
{
	for (const char *c = text; *c; c++) {
		if (ioctl(0, TIOCSTI, c) < 0) {
			int e = errno;

			printf("tiocsti: %s\n", errno_name(e));
			return e == EPERM ? 0 : 1;
		}
	}
	printf("tiocsti: ok\n");
	return 1;
}

/*
 * keyring-run DESC CMD...: on the host, join a new session keyring, add a
 * "user" key DESC to it, print "key ID" and exec CMD (a sandbox that must
 * not reach the key), each argument KEYID of it replaced by ID.
 */
static int cmd_keyring_run(const char *desc, char **cmd)
{
	static char idbuf[32];
	long id;

	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0) {
		printf("keyring-run: join: %s\n", errno_name(errno));
		return 1;
	}
	id = syscall(SYS_add_key, "user", desc, "secret-payload", 14, KEY_SPEC_SESSION_KEYRING);
	if (id < 0) {
		printf("keyring-run: add_key: %s\n", errno_name(errno));
		return 1;
	}
	printf("key %ld\n", id);
	fflush(stdout);
	snprintf(idbuf, sizeof(idbuf), "%ld", id);
	for (char **a = cmd; *a; a++)
		if (!strcmp(*a, "KEYID"))
			*a = idbuf;
	execvp(cmd[0], cmd);
	printf("keyring-run: exec: %s\n", errno_name(errno));
	return 1;
}

/*
 * keysearch DESC [ID]: look for the "user" key DESC in the session keyring
 * and read it, and read the key with serial ID directly: "search: ok" or
 * the errno, "read: ok" or the errno. Exit 0 when nothing was found or read.
 */
static int cmd_keysearch(const char *desc, const char *id)
{
	char buf[64];
	long k = syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, "user", desc, 0);
	int leaked = 0;

	if (k < 0) {
		printf("search: %s\n", errno_name(errno));
	} else {
		leaked = 1;
		printf("search: ok\n");
	}
	if (id) {
		if (syscall(SYS_keyctl, KEYCTL_READ, parse_long(id), buf, sizeof(buf)) < 0) {
			printf("read: %s\n", errno_name(errno));
		} else {
			leaked = 1;
			printf("read: ok\n");
		}
	}
	return leaked;
}

/* The internet checksum of @len bytes, added to @sum (folded at the end). */
static uint16_t inet_csum(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * rawsyn IPV4 PORT: write TCP SYN frames for IPV4:PORT from
 * 10.0.2.100 straight onto eth0 (AF_PACKET, needs CAP_NET_RAW), past the
 * kernel's routing that keeps 127/8 on lo: what a sandbox would do to make
 * libslirp connect to the host's loopback. Prints "sent" or the errno.
 */
static int cmd_rawsyn(const char *ip, const char *port)
{
	static const uint8_t gw[6] = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02}; /* libslirp's 10.0.2.2 */
	uint8_t f[14 + 20 + 20] = {0}, *iph = f + 14, *tcp = f + 34, pseudo[12 + 20];
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_halen = 6};
	struct in_addr src, dst;
	struct ifreq ifr = {0};
	uint16_t c, dport = (uint16_t)parse_long(port);
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(0x0800));

	if (fd < 0 || inet_pton(AF_INET, ip, &dst) != 1 || inet_pton(AF_INET, "10.0.2.100", &src) != 1) {
		printf("rawsyn: %s\n", errno_name(errno));
		return 1;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "eth0");
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0 || !(sll.sll_ifindex = (int)if_nametoindex("eth0"))) {
		printf("rawsyn: eth0: %s\n", errno_name(errno));
		return 1;
	}
	memcpy(f, gw, 6);
	memcpy(f + 6, ifr.ifr_hwaddr.sa_data, 6);
	f[12] = 0x08;
	iph[0] = 0x45;
	iph[3] = 40;   /* total length */
	iph[6] = 0x40; /* DF */
	iph[8] = 64;
	iph[9] = 6; /* TCP */
	memcpy(iph + 12, &src, 4);
	memcpy(iph + 16, &dst, 4);
	c = inet_csum(iph, 20, 0);
	iph[10] = (uint8_t)(c >> 8);
	iph[11] = (uint8_t)c;
	tcp[0] = 0x9c; /* source port 40000 */
	tcp[1] = 0x40;
	tcp[2] = (uint8_t)(dport >> 8);
	tcp[3] = (uint8_t)dport;
	tcp[4] = 0x12; /* sequence number */
	tcp[12] = 5 << 4;
	tcp[13] = 0x02; /* SYN */
	tcp[14] = tcp[15] = 0xff;
	memcpy(pseudo, iph + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = 6;
	pseudo[10] = 0;
	pseudo[11] = 20;
	memcpy(pseudo + 12, tcp, 20);
	c = inet_csum(pseudo, sizeof(pseudo), 0);
	tcp[16] = (uint8_t)(c >> 8);
	tcp[17] = (uint8_t)c;
	memcpy(sll.sll_addr, gw, 6);
	sll.sll_protocol = htons(0x0800);
	/* for 2 s: a fresh link may drop frames for a moment (linkwatch) */
	for (int i = 0; i < 10; i++) {
		if (sendto(fd, f, sizeof(f), 0, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
			printf("rawsyn: send: %s\n", errno_name(errno));
			return 1;
		}
		usleep(200000);
	}
	printf("sent\n");
	return 0;
}

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

/*
 * sleep-sig SECS: print "ready", wait for a signal for up to SECS seconds; print
 * "signal N" and exit with status N (a handled signal, unlike 128+N for a kill),
 * or print "timeout" and exit 124.
 */
static int cmd_sleep_sig(const char *arg)
{
	static const int sigs[] = {SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGTERM, SIGWINCH, SIGALRM};
	long secs = parse_long(arg);
	struct sigaction sa;
	sigset_t none;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	printf("ready\n");
	fflush(stdout);
	alarm((unsigned)secs);
	while (!got_signal)
		pause();
	if (got_signal == SIGALRM) {
		printf("timeout\n");
		return 124;
	}
	printf("signal %d\n", (int)got_signal);
	return got_signal;
}

/* fds: every open descriptor but 0, 1, 2 (and the one used to list them). */
static int cmd_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d) {
		printf("fds: %s\n", errno_name(errno));
		return 1;
	}
	while ((de = readdir(d))) {
		char path[300], target[PATH_MAX];
		ssize_t len;
		int fd;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		fd = atoi(de->d_name);
		if (fd <= 2 || fd == dirfd(d))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		len = readlink(path, target, sizeof(target) - 1);
		if (len < 0)
			len = 0;
		target[len] = '\0';
		printf("%d -> %s\n", fd, target);
		n++;
	}
	closedir(d);
	return n ? 1 : 0;
}

/*
 * subreaper CMD [ARG...]: run CMD as a child subreaper (kept across execve), so
 * that processes it leaves behind are re-parented to it and can be found by the
 * test harness instead of vanishing under the host's init.
 */
static int cmd_subreaper(char **argv)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		fprintf(stderr, "sbx-probe: PR_SET_CHILD_SUBREAPER: %s\n", errno_name(errno));
		return 1;
	}
	execvp(argv[0], argv);
	fprintf(stderr, "sbx-probe: exec %s: %s\n", argv[0], errno_name(errno));
	return 127;
}

/**
 * cmd_alloc() - allocate and touch @mb MiB, one MiB at a time (memory limits)
 * @mb:	size in MiB (text)
 *
 * Prints "allocated N MB" when all of it was touched; an OOM kill ends the
 * process before that.
 *
 * Return: 0, or 1 when malloc failed
 */
/* The ones' complement sum of @len bytes, folded, added to @sum. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * rawudp DST PORT TEXT: one UDP datagram from eth0's address (10.0.2.100 or
 * fd00::100), port 40000, to DST:PORT, written as a frame on eth0 with a
 * packet socket (needs CAP_NET_RAW): the kernel's routing, which keeps
 * 127.0.0.1 and ::1 on lo, is not asked. Prints "sent".
 */
static int cmd_rawudp(const char *dst, const char *port, const char *text)
{
	static const uint8_t gw_mac[6] = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02};
	uint8_t pkt[1024] = {0}, *udp;
	size_t tlen = strlen(text), hl, ulen;
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_halen = 6};
	bool v6 = strchr(dst, ':') != NULL;
	uint16_t dport = (uint16_t)atoi(port);
	uint32_t sum;
	int fd;

	if (tlen > 512)
		return 2;
	hl = v6 ? 40 : 20;
	ulen = 8 + tlen;
	udp = pkt + hl;
	if (v6) {
		pkt[0] = 0x60;
		pkt[4] = (uint8_t)(ulen >> 8), pkt[5] = (uint8_t)ulen;
		pkt[6] = IPPROTO_UDP;
		pkt[7] = 64;
		if (inet_pton(AF_INET6, "fd00::100", pkt + 8) != 1 || inet_pton(AF_INET6, dst, pkt + 24) != 1)
			return 2;
		sum = csum_add(0, pkt + 8, 32) + (uint32_t)ulen + IPPROTO_UDP;
	} else {
		pkt[0] = 0x45;
		pkt[2] = (uint8_t)((hl + ulen) >> 8), pkt[3] = (uint8_t)(hl + ulen);
		pkt[8] = 64;
		pkt[9] = IPPROTO_UDP;
		if (inet_pton(AF_INET, "10.0.2.100", pkt + 12) != 1 || inet_pton(AF_INET, dst, pkt + 16) != 1)
			return 2;
		sum = csum_fold(csum_add(0, pkt, 20));
		pkt[10] = (uint8_t)(sum >> 8), pkt[11] = (uint8_t)sum;
		sum = csum_add(0, pkt + 12, 8) + (uint32_t)ulen + IPPROTO_UDP;
	}
	udp[0] = 40000 >> 8, udp[1] = 40000 & 0xff;
	udp[2] = (uint8_t)(dport >> 8), udp[3] = (uint8_t)dport;
	udp[4] = (uint8_t)(ulen >> 8), udp[5] = (uint8_t)ulen;
	memcpy(udp + 8, text, tlen);
	sum = csum_fold(csum_add(sum, udp, ulen));
	udp[6] = (uint8_t)(sum >> 8), udp[7] = (uint8_t)sum;

	sll.sll_protocol = htons(v6 ? 0x86dd : 0x0800);
	sll.sll_ifindex = (int)if_nametoindex("eth0");
	memcpy(sll.sll_addr, gw_mac, 6);
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || sll.sll_ifindex == 0) {
		printf("socket: %s\n", errno_name(errno));
		return 1;
	}
	if (sendto(fd, pkt, hl + ulen, 0, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		printf("sendto: %s\n", errno_name(errno));
		return 1;
	}
	close(fd);
	puts("sent");
	return 0;
}

static int cmd_alloc(const char *mb)
{
	long n = parse_long(mb);

	for (long i = 0; i < n; i++) {
		char *p = malloc(1 << 20);

		if (!p) {
			printf("malloc failed after %ld MB\n", i);
			return 1;
		}
		memset(p, 0x5a, 1 << 20);
	}
	printf("allocated %ld MB\n", n);
	return 0;
}

static void usage(void)
{
	fputs("usage: sbx-probe keyctl | denied SYSCALL... | status | zombies | doublefork\n"
	      "                 | setuid N | setgid N | chown PATH UID GID | tiocsti [TEXT]\n"
	      "                 | keyring-run DESC CMD... | keysearch DESC [ID] | rawsyn IPV4 PORT\n"
	      "                 | sleep-sig SECS | fds | subreaper CMD [ARG...] | alloc MB\n"
	      "                 | rawudp DST PORT TEXT\n",
	      stderr);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "keyctl") && argc == 2)
		return cmd_keyctl();
	if (!strcmp(cmd, "denied") && argc > 2)
		return cmd_denied(argc - 2, argv + 2);
	if (!strcmp(cmd, "status") && argc == 2)
		return cmd_status();
	if (!strcmp(cmd, "zombies") && argc == 2)
		return cmd_zombies();
	if (!strcmp(cmd, "doublefork") && argc == 2)
		return cmd_doublefork();
	if ((!strcmp(cmd, "setuid") || !strcmp(cmd, "setgid")) && argc == 3)
		return cmd_setid(cmd, argv[2]);
	if (!strcmp(cmd, "chown") && argc == 5)
		return cmd_chown(argv[2], argv[3], argv[4]);
	if (!strcmp(cmd, "tiocsti") && argc <= 3)
		return cmd_tiocsti(argc == 3 ? argv[2] : "\n");
	if (!strcmp(cmd, "rawsyn") && argc == 4)
		return cmd_rawsyn(argv[2], argv[3]);
	if (!strcmp(cmd, "keyring-run") && argc > 3)
		return cmd_keyring_run(argv[2], argv + 3);
	if (!strcmp(cmd, "keysearch") && argc <= 4 && argc >= 3)
		return cmd_keysearch(argv[2], argc == 4 ? argv[3] : NULL);
	if (!strcmp(cmd, "sleep-sig") && argc == 3)
		return cmd_sleep_sig(argv[2]);
	if (!strcmp(cmd, "fds") && argc == 2)
		return cmd_fds();
	if (!strcmp(cmd, "alloc") && argc == 3)
		return cmd_alloc(argv[2]);
	if (!strcmp(cmd, "subreaper") && argc > 2)
		return cmd_subreaper(argv + 2);
	if (!strcmp(cmd, "rawudp") && argc == 5)
		return cmd_rawudp(argv[2], argv[3], argv[4]);
	usage();
	return 2;
}
