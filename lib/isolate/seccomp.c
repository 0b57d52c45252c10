// SPDX-License-Identifier: GPL-2.0-or-later
/* seccomp.c - seccomp filters: the built-in default and docker JSON profiles
 *
 * Theory of operation
 *
 * seccomp_build() turns the --security-opt seccomp= value into a compiled
 * filter: NULL means the built-in profile, "unconfined" means no filter,
 * anything else is a file in docker's JSON format. libseccomp builds its
 * rule database and generates the BPF program right there, so call it in
 * sandbox.c before anything starts: a bad profile is then a plain error
 * (exit 125), the profile path names a host file (not one under the
 * sandbox's root), and the costly part (about 1 ms, 1.6 ms with musl's
 * malloc) is done once, outside the sandboxed process. A profile file is
 * compiled in a short-lived child with a deadline, because libseccomp can
 * loop forever or corrupt its heap on some rule sets (see
 * compile_json_isolated()).
 *
 * The sandboxed process only hands the program to the kernel (under 0.1 ms,
 * mostly the kernel's per-syscall action cache), as late as possible, after
 * the mounts, pivot_root and the switch of user, so that the set-up is not
 * filtered and the command is:
 *
 *   no_new_privs on (the default): caps_apply() and setresuid() (in the
 *	order caps.c describes), then prctl(PR_SET_NO_NEW_PRIVS), then
 *	seccomp_load_filter(), then execve;
 *   no_new_privs off: the kernel only lets a process holding CAP_SYS_ADMIN
 *	in its user namespace install a filter without no_new_privs, so load
 *	it BEFORE caps_apply() and setresuid() (the default set has no
 *	CAP_SYS_ADMIN); the profile must then allow capset, prctl,
 *	setresuid/setgroups and execve, as the built-in one does. runc uses
 *	the same two orders.
 *
 * Nothing sets no_new_privs behind the caller's back (libseccomp's
 * SCMP_FLTATR_CTL_NNP is off, and the program is loaded with seccomp(2)
 * directly), and threads are not synchronised (no TSYNC: the process is
 * single-threaded at that point).
 *
 * The built-in profile is docker's default turned around: everything is
 * allowed except what docker refuses (EPERM), see default_rules[]. Rules
 * that docker lifts when the container holds a capability
 * ("excludes": {"caps": [...]}) are lifted here too when the set passed to
 * seccomp_build() has it, e.g. --cap-add SYS_ADMIN allows mount(2) again.
 * The native architecture and the ones the kernel also runs on it (x86 and
 * x32 on x86_64, arm on aarch64, s390 on s390x) are filtered alike; other
 * architectures are killed (libseccomp's bad-arch action).
 *
 * JSON profiles: honoured are defaultAction, defaultErrnoRet,
 * architectures or archMap (the entry of the native architecture and its
 * subArchitectures), flags (SECCOMP_FILTER_FLAG_LOG, _SPEC_ALLOW; _TSYNC is
 * accepted and ignored), and per entry of syscalls: names (or the older
 * name), action, errnoRet, args (index, value, valueTwo, op; several
 * comparisons of one argument become separate rules, as runc does),
 * includes/excludes with caps, arches (docker's names: amd64, arm64, ...)
 * and minKernel. Ignored: listenerPath, listenerMetadata, comment.
 * SCMP_ACT_NOTIFY is refused (no listener). Syscall names libseccomp does
 * not know are skipped, as docker does; a rule whose action is the default
 * one is skipped (libseccomp refuses those). Values are JSON integers up to
 * 2^63-1 (jansson refuses larger ones).
 */

/*
 * With -Ilib/isolate this lands in our seccomp.h, which goes on to libseccomp's with
 * #include_next; without it, in libseccomp's, and "seccomp.h" is ours.
 */
#define SBX_SECCOMP_WANT_LIBSECCOMP
#include <seccomp.h>
#include "seccomp.h"
#include "seccomp_internal.h"

#include <errno.h>
#include <jansson.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include "caps.h"
#include "util.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif
#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif
#ifndef SECCOMP_FILTER_FLAG_LOG
#define SECCOMP_FILTER_FLAG_LOG (1UL << 1)
#endif
#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
#endif

#define MAX_ERRNO 4095

static void unref_jsonp(json_t **j)
{
	json_decref(*j);
}

static void filter_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}

#define cleanup_json   __attribute__((cleanup(unref_jsonp)))
#define cleanup_filter __attribute__((cleanup(filter_releasep)))

/* Architectures: the native one, its compat ones and docker's names for it. */
struct arch_info {
	uint32_t token;
	const char *docker_names[3]; /* as in includes/excludes "arches" */
	uint32_t compat[2];	     /* also filtered by the built-in profile */
};

static const struct arch_info arch_table[] = {
    {SCMP_ARCH_X86_64, {"amd64", "x86_64", NULL}, {SCMP_ARCH_X86, SCMP_ARCH_X32}},
    {SCMP_ARCH_AARCH64, {"arm64", "aarch64", NULL}, {SCMP_ARCH_ARM, 0}},
    {SCMP_ARCH_X86, {"x86", "386", "i386"}, {0, 0}},
    {SCMP_ARCH_ARM, {"arm", NULL, NULL}, {0, 0}},
    {SCMP_ARCH_PPC64LE, {"ppc64le", NULL, NULL}, {0, 0}},
    {SCMP_ARCH_S390X, {"s390x", NULL, NULL}, {SCMP_ARCH_S390, 0}},
#ifdef SCMP_ARCH_RISCV64
    {SCMP_ARCH_RISCV64, {"riscv64", NULL, NULL}, {0, 0}},
#endif
};

/**
 * arch_native() - what arch_table[] knows of the architecture we run on
 *
 * Return: its entry, or NULL for one without compat architectures or
 * docker names here (only the native architecture is filtered then).
 */
static const struct arch_info *arch_native(void)
{
	uint32_t native = seccomp_arch_native();

	for (size_t i = 0; i < ARRAY_SIZE(arch_table); i++)
		if (arch_table[i].token == native)
			return &arch_table[i];
	return NULL;
}

/**
 * add_arch() - let a filter also cover an architecture
 * @ctx:	the filter
 * @token:	SCMP_ARCH_* value
 * @err:	error out-parameter
 *
 * Return: 0 (also when the filter already covers it), or a negative value
 * with *err set.
 */
static int add_arch(scmp_filter_ctx ctx, uint32_t token, struct sbx_error **err)
{
	int rc = seccomp_arch_add(ctx, token);

	if (rc < 0 && rc != -EEXIST)
		return sbx_error_set(err, -rc, "add architecture %#x to the seccomp filter", token);
	return 0;
}

/**
 * filter_new() - an empty filter with the attributes sandbox wants
 * @def_action:	action for every syscall no rule matches
 * @out:	set to the new filter
 * @err:	error out-parameter
 *
 * Return: 0, or a negative value with *err set.
 */
static int filter_new(uint32_t def_action, scmp_filter_ctx *out, struct sbx_error **err)
{
	cleanup_filter scmp_filter_ctx ctx = seccomp_init(def_action);
	static const struct {
		enum scmp_filter_attr attr;
		uint32_t value;
	} attrs[] = {
	    {SCMP_FLTATR_CTL_NNP, 0}, /* the caller sets no_new_privs */
	    {SCMP_FLTATR_CTL_TSYNC, 0},
	    /* a binary tree of syscall numbers rather than a list: the
	     * kernel loads it in half the time (its per-syscall action
	     * cache runs the filter for every number) and every filtered
	     * syscall of the sandbox walks a few nodes instead of all */
	    {SCMP_FLTATR_CTL_OPTIMIZE, 2},
	};

	if (!ctx)
		return sbx_error_set(err, 0,
				     "create a seccomp filter: default action not "
				     "supported by this kernel");
	for (size_t i = 0; i < ARRAY_SIZE(attrs); i++) {
		int rc = seccomp_attr_set(ctx, attrs[i].attr, attrs[i].value);

		if (rc < 0)
			return sbx_error_set(err, -rc, "set seccomp filter attribute %d", (int)attrs[i].attr);
	}
	*out = steal_pointer(&ctx);
	return 0;
}

/**
 * rule_add() - add one rule, with an error naming the syscall
 * @ctx:	the filter
 * @action:	SCMP_ACT_* value
 * @nr:		syscall number (or libseccomp pseudo number)
 * @name:	syscall name, for the error
 * @n:		number of comparisons in @cmp
 * @cmp:	argument comparisons, all of which must hold
 * @err:	error out-parameter
 *
 * Return: 0, or a negative value with *err set.
 */
static int rule_add(scmp_filter_ctx ctx, uint32_t action, int nr, const char *name, unsigned int n,
		    const struct scmp_arg_cmp *cmp, struct sbx_error **err)
{
	int rc = seccomp_rule_add_array(ctx, action, nr, n, cmp);

	if (rc < 0)
		return sbx_error_set(err, -rc, "seccomp rule for `%s`", name);
	return 0;
}

/* ------------------------------------------------------------------------
 * The built-in profile
 */

enum default_args {
	ARGS_NONE,	  /* the whole syscall */
	ARGS_CLONE_NS,	  /* clone with any CLONE_NEW* flag */
	ARGS_TTY_IOCTL,	  /* ioctl TIOCSTI and TIOCLINUX */
	ARGS_VSOCK,	  /* socket(AF_VSOCK, ...) */
	ARGS_PERSONALITY, /* personality other than docker's harmless ones */
};

struct default_rule {
	const char *name;
	int errnum;
	enum default_args args;
	uint64_t lifted_by; /* any of these capabilities lifts the rule */
};

#define CAP(x) CAPS_BIT(CAP_##x)

static const struct default_rule default_rules[] = {
    /* the kernel keyring is not namespaced */
    {"keyctl", EPERM, ARGS_NONE, 0},
    {"add_key", EPERM, ARGS_NONE, 0},
    {"request_key", EPERM, ARGS_NONE, 0},
    /* code into the kernel */
    {"kexec_load", EPERM, ARGS_NONE, 0},
    {"kexec_file_load", EPERM, ARGS_NONE, 0},
    {"init_module", EPERM, ARGS_NONE, CAP(SYS_MODULE)},
    {"finit_module", EPERM, ARGS_NONE, CAP(SYS_MODULE)},
    {"delete_module", EPERM, ARGS_NONE, CAP(SYS_MODULE)},
    {"create_module", EPERM, ARGS_NONE, 0},
    /* CVE-2014-3519 ("shocker"): any inode of a file system by handle */
    {"open_by_handle_at", EPERM, ARGS_NONE, CAP(DAC_READ_SEARCH)},
    /* large kernel attack surface */
    {"bpf", EPERM, ARGS_NONE, CAP(SYS_ADMIN) | CAP(BPF)},
    {"perf_event_open", EPERM, ARGS_NONE, CAP(SYS_ADMIN) | CAP(PERFMON)},
    {"userfaultfd", EPERM, ARGS_NONE, CAP(SYS_PTRACE)},
    {"io_uring_setup", EPERM, ARGS_NONE, 0}, /* as podman */
    {"io_uring_enter", EPERM, ARGS_NONE, 0},
    {"io_uring_register", EPERM, ARGS_NONE, 0},
    {"lookup_dcookie", EPERM, ARGS_NONE, CAP(SYS_ADMIN)},
    /* state of the whole host */
    {"reboot", EPERM, ARGS_NONE, CAP(SYS_BOOT)},
    {"swapon", EPERM, ARGS_NONE, 0},
    {"swapoff", EPERM, ARGS_NONE, 0},
    {"acct", EPERM, ARGS_NONE, CAP(SYS_PACCT)},
    {"settimeofday", EPERM, ARGS_NONE, CAP(SYS_TIME)},
    {"stime", EPERM, ARGS_NONE, CAP(SYS_TIME)},
    {"clock_settime", EPERM, ARGS_NONE, CAP(SYS_TIME)},
    {"clock_settime64", EPERM, ARGS_NONE, CAP(SYS_TIME)},
    /* adjtimex and clock_adjtime stay allowed, as in docker: changes need
     * CAP_SYS_TIME in the initial user namespace anyway, and reading is
     * how programs ask whether the clock is synchronised */
    {"iopl", EPERM, ARGS_NONE, CAP(SYS_RAWIO)},
    {"ioperm", EPERM, ARGS_NONE, CAP(SYS_RAWIO)},
    {"nfsservctl", EPERM, ARGS_NONE, 0},
    {"quotactl", EPERM, ARGS_NONE, CAP(SYS_ADMIN)},
    {"quotactl_fd", EPERM, ARGS_NONE, CAP(SYS_ADMIN)},
    {"syslog", EPERM, ARGS_NONE, CAP(SYS_ADMIN) | CAP(SYSLOG)},
    /* obsolete */
    {"vm86", EPERM, ARGS_NONE, 0},
    {"vm86old", EPERM, ARGS_NONE, 0},
    {"uselib", EPERM, ARGS_NONE, 0},
    {"ustat", EPERM, ARGS_NONE, 0},
    {"sysfs", EPERM, ARGS_NONE, 0},
    {"_sysctl", EPERM, ARGS_NONE, 0},
    {"get_kernel_syms", EPERM, ARGS_NONE, 0},
    {"query_module", EPERM, ARGS_NONE, 0},
    /* mounts and namespaces: the sandbox's own set-up is done by now */
    {"mount", EPERM, ARGS_NONE, CAP(SYS_ADMIN)},
    {"umount", EPERM, ARGS_NONE, CAP(SYS_ADMIN)},
    {"umount2", EPERM, ARGS_NONE, CAP(SYS_ADMIN)},
    {"move_mount", EPERM, ARGS_NONE, CAP(SYS_ADMIN)},
    {"fsopen", EPERM, ARGS_NONE, CAP(SYS_ADMIN)},
    {"fsmount", EPERM, ARGS_NONE, CAP(SYS_ADMIN)},
    {"fsconfig", EPERM, ARGS_NONE, CAP(SYS_ADMIN)},
    {"fspick", EPERM, ARGS_NONE, CAP(SYS_ADMIN)},
    {"open_tree", EPERM, ARGS_NONE, CAP(SYS_ADMIN)},
    {"mount_setattr", EPERM, ARGS_NONE, CAP(SYS_ADMIN)},
    {"pivot_root", EPERM, ARGS_NONE, CAP(SYS_ADMIN)},
    {"fanotify_init", EPERM, ARGS_NONE, CAP(SYS_ADMIN)},
    {"unshare", EPERM, ARGS_NONE, CAP(SYS_ADMIN)},
    {"setns", EPERM, ARGS_NONE, CAP(SYS_ADMIN)},
    {"clone", EPERM, ARGS_CLONE_NS, CAP(SYS_ADMIN)},
    /* clone3 passes its flags in memory, which a filter cannot read:
     * ENOSYS makes glibc fall back to clone (musl never uses clone3) */
    {"clone3", ENOSYS, ARGS_NONE, CAP(SYS_ADMIN)},
    /* CVE-2017-5226 (bubblewrap): pushing input into the terminal the
     * sandbox shares with the user */
    {"ioctl", EPERM, ARGS_TTY_IOCTL, 0},
    /* virtio-vsock reaches the hypervisor's host side, as docker's profile says */
    {"socket", EPERM, ARGS_VSOCK, 0},
    /* ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, MMAP_PAGE_ZERO, ... */
    {"personality", EPERM, ARGS_PERSONALITY, 0},
};

/**
 * add_clone_ns_rules() - refuse clone(2) with a namespace flag
 * @ctx:	the filter
 * @action:	action for such a clone
 * @nr:		number of clone
 * @err:	error out-parameter
 *
 * One rule per flag, since libseccomp ORs the rules of a syscall. The
 * kernel only looks at the low 32 bits of the flags, and so do the masks.
 *
 * Return: 0, or a negative value with *err set.
 */
static int add_clone_ns_rules(scmp_filter_ctx ctx, uint32_t action, int nr, struct sbx_error **err)
{
	static const uint64_t flags[] = {
	    CLONE_NEWNS,   CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
	    CLONE_NEWUSER, CLONE_NEWPID,    CLONE_NEWNET,
	};
	uint32_t native = seccomp_arch_native();
	/* s390 swaps the first two arguments of clone */
	unsigned int arg = (native == SCMP_ARCH_S390X || native == SCMP_ARCH_S390) ? 1 : 0;

	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		struct scmp_arg_cmp cmp = SCMP_CMP(arg, SCMP_CMP_MASKED_EQ, flags[i], flags[i]);

		if (rule_add(ctx, action, nr, "clone", 1, &cmp, err) < 0)
			return -1;
	}
	return 0;
}

/**
 * add_personality_rules() - refuse all but docker's harmless personas
 * @ctx:	the filter
 * @action:	action for the others
 * @nr:		number of personality
 * @err:	error out-parameter
 *
 * Allowed are PER_LINUX (0), PER_LINUX32 (8), UNAME26 (0x20000),
 * PER_LINUX32|UNAME26 (0x20008) and the query 0xffffffff, as in docker's
 * profile. libseccomp cannot AND two comparisons of one argument, and the
 * rules of a syscall are ORed, so the complement is written as masked
 * equalities "bit c clear and bit b set". With P the 30 bits other than 3
 * and 17, taken as a cycle:
 *  - "c clear, next(c) set" for each c in P matches every value whose P
 *    bits are neither all clear (the four harmless personas) nor all set;
 *  - "3 clear, b set" and "17 clear, b set" match the values whose P bits
 *    are all set but that are not 0xffffffff.
 * 32 rules, the fewest that can do it (each value with exactly one clear
 * bit needs a rule of its own). The kernel takes the argument as an
 * unsigned int: the masks leave the high half out.
 *
 * Return: 0, or a negative value with *err set.
 */
static int add_personality_rules(scmp_filter_ctx ctx, uint32_t action, int nr, struct sbx_error **err)
{
	unsigned int p[30] = {0}, np = 0;

	for (unsigned int b = 0; b < 32; b++)
		if (b != 3 && b != 17)
			p[np++] = b;
	for (unsigned int i = 0; i < np; i++) {
		uint64_t clear = UINT64_C(1) << p[i];
		uint64_t set = UINT64_C(1) << p[(i + 1) % np];
		struct scmp_arg_cmp cmp = SCMP_A0(SCMP_CMP_MASKED_EQ, clear | set, set);

		if (rule_add(ctx, action, nr, "personality", 1, &cmp, err) < 0)
			return -1;
	}
	for (unsigned int c = 3; c <= 17; c += 14) {
		uint64_t clear = UINT64_C(1) << c, set = UINT64_C(1) << p[0];
		struct scmp_arg_cmp cmp = SCMP_A0(SCMP_CMP_MASKED_EQ, clear | set, set);

		if (rule_add(ctx, action, nr, "personality", 1, &cmp, err) < 0)
			return -1;
	}
	return 0;
}

/**
 * build_default() - the built-in profile
 * @caps:	capability set of the sandbox: lifts rules as docker does
 * @out:	set to the filter
 * @err:	error out-parameter
 *
 * Return: 0, or a negative value with *err set.
 */
static int build_default(uint64_t caps, scmp_filter_ctx *out, struct sbx_error **err)
{
	const struct arch_info *native = arch_native();
	cleanup_filter scmp_filter_ctx ctx = NULL;

	if (filter_new(SCMP_ACT_ALLOW, &ctx, err) < 0)
		return -1;
	for (size_t i = 0; native && i < ARRAY_SIZE(native->compat); i++)
		if (native->compat[i] && add_arch(ctx, native->compat[i], err) < 0)
			return -1;

	for (size_t i = 0; i < ARRAY_SIZE(default_rules); i++) {
		const struct default_rule *r = &default_rules[i];
		uint32_t action = SCMP_ACT_ERRNO((uint32_t)r->errnum);
		int nr, rc = 0;

		if (r->lifted_by & caps)
			continue;
		nr = seccomp_syscall_resolve_name(r->name);
		if (nr == __NR_SCMP_ERROR) {
			/* an older libseccomp than the syscall */
			sbx_debug("seccomp: built-in profile: `%s` unknown to libseccomp", r->name);
			continue;
		}
		switch (r->args) {
		case ARGS_NONE: rc = rule_add(ctx, action, nr, r->name, 0, NULL, err); break;
		case ARGS_CLONE_NS: rc = add_clone_ns_rules(ctx, action, nr, err); break;
		case ARGS_TTY_IOCTL:
		case ARGS_VSOCK: {
			/* the kernel reads ioctl's cmd and socket's family as
			 * int: without the mask, a high bit would slip past
			 * (CVE-2019-10063) */
			static const uint32_t tty[] = {TIOCSTI, TIOCLINUX, 0}, vsock[] = {AF_VSOCK, 0};
			unsigned int arg = r->args == ARGS_VSOCK ? 0 : 1;

			for (const uint32_t *v = arg ? tty : vsock; *v && rc == 0; v++) {
				struct scmp_arg_cmp cmp = SCMP_CMP(arg, SCMP_CMP_MASKED_EQ, 0xffffffffu, *v);

				rc = rule_add(ctx, action, nr, r->name, 1, &cmp, err);
			}
			break;
		}
		case ARGS_PERSONALITY: rc = add_personality_rules(ctx, action, nr, err); break;
		}
		if (rc < 0)
			return sbx_error_wrap(err, "built-in seccomp profile");
	}
	*out = steal_pointer(&ctx);
	return 0;
}

/* ------------------------------------------------------------------------
 * docker's JSON profiles
 */

/* A rule with several comparisons, kept to spot what libseccomp loops on. */
struct json_rule {
	int nr;
	unsigned int n;
	struct scmp_arg_cmp cmp[6];
};

struct json_build {
	scmp_filter_ctx ctx;
	uint32_t def_action;
	uint64_t caps;
	const struct arch_info *native;
	unsigned int kernel[2];	 /* running kernel: major, minor */
	struct json_rule *rules; /* added so far with 2 to 6 comparisons */
	size_t n_rules;
};

static void json_build_freep(struct json_build *b)
{
	free(b->rules);
}

#define cleanup_json_build __attribute__((cleanup(json_build_freep)))

/**
 * parse_action() - an action name and its errnoRet as a SCMP_ACT_* value
 * @action:	the JSON value of "action" / "defaultAction"
 * @ret:	the JSON value of "errnoRet" / "defaultErrnoRet", or NULL
 * @where:	what is being parsed, for errors
 * @out:	set to the action
 * @err:	error out-parameter
 *
 * ERRNO and TRACE without a return value use EPERM, as runc does.
 *
 * Return: 0, or a negative value with *err set.
 */
static int parse_action(json_t *action, json_t *ret, const char *where, uint32_t *out, struct sbx_error **err)
{
	json_int_t data = EPERM;
	const char *name;

	if (!action)
		return sbx_error_set(err, 0, "%s: no action", where);
	if (!json_is_string(action))
		return sbx_error_set(err, 0, "%s: action is not a string", where);
	name = json_string_value(action);
	if (ret && !json_is_null(ret)) {
		if (!json_is_integer(ret))
			return sbx_error_set(err, 0, "%s: errnoRet is not an integer", where);
		data = json_integer_value(ret);
	}

	if (strcmp(name, "SCMP_ACT_ALLOW") == 0) {
		*out = SCMP_ACT_ALLOW;
	} else if (strcmp(name, "SCMP_ACT_ERRNO") == 0) {
		if (data < 0 || data > MAX_ERRNO)
			return sbx_error_set(err, 0, "%s: errnoRet %lld out of range 0..%d", where,
					     (long long)data, MAX_ERRNO);
		*out = SCMP_ACT_ERRNO((uint32_t)data);
	} else if (strcmp(name, "SCMP_ACT_TRACE") == 0) {
		if (data < 0 || data > 0xffff)
			return sbx_error_set(err, 0, "%s: errnoRet %lld out of range 0..65535", where,
					     (long long)data);
		*out = SCMP_ACT_TRACE((uint32_t)data);
	} else if (strcmp(name, "SCMP_ACT_KILL") == 0 || strcmp(name, "SCMP_ACT_KILL_THREAD") == 0) {
		*out = SCMP_ACT_KILL_THREAD;
	} else if (strcmp(name, "SCMP_ACT_KILL_PROCESS") == 0) {
		*out = SCMP_ACT_KILL_PROCESS;
	} else if (strcmp(name, "SCMP_ACT_TRAP") == 0) {
		*out = SCMP_ACT_TRAP;
	} else if (strcmp(name, "SCMP_ACT_LOG") == 0) {
		*out = SCMP_ACT_LOG;
	} else if (strcmp(name, "SCMP_ACT_NOTIFY") == 0) {
		return sbx_error_set(err, 0, "%s: action `SCMP_ACT_NOTIFY` is not supported", where);
	} else {
		return sbx_error_set(err, 0, "%s: unknown action `%s`", where, name);
	}
	return 0;
}

/**
 * arch_from_name() - "SCMP_ARCH_X86_64" to libseccomp's token
 * @name:	docker's name of the architecture
 *
 * Return: the token, or 0 when libseccomp does not know the architecture.
 */
static uint32_t arch_from_name(const char *name)
{
	char buf[32];
	size_t i;

	if (strncmp(name, "SCMP_ARCH_", 10) != 0)
		return 0;
	name += 10;
	for (i = 0; name[i] && i + 1 < sizeof(buf); i++)
		buf[i] = (char)((name[i] >= 'A' && name[i] <= 'Z') ? name[i] - 'A' + 'a' : name[i]);
	if (name[i])
		return 0;
	buf[i] = '\0';
	return seccomp_arch_resolve_name(buf);
}

/**
 * add_json_arch() - add one architecture named in the profile
 * @b:		build state
 * @name:	JSON value: "SCMP_ARCH_..."
 * @where:	for errors
 * @err:	error out-parameter
 *
 * Return: 0 (an architecture libseccomp does not know is skipped), or a
 * negative value with *err set.
 */
static int add_json_arch(struct json_build *b, json_t *name, const char *where, struct sbx_error **err)
{
	uint32_t token;

	if (!json_is_string(name))
		return sbx_error_set(err, 0, "%s: architecture is not a string", where);
	token = arch_from_name(json_string_value(name));
	if (!token) {
		sbx_debug("seccomp: skipping unknown architecture `%s`", json_string_value(name));
		return 0;
	}
	return add_arch(b->ctx, token, err);
}

/**
 * parse_arches() - "architectures" or "archMap"
 * @b:		build state
 * @root:	the profile
 * @err:	error out-parameter
 *
 * As docker: "architectures" adds each; "archMap" adds the entry of the
 * native architecture and its subArchitectures; both at once is an error.
 *
 * Return: 0, or a negative value with *err set.
 */
static int parse_arches(struct json_build *b, json_t *root, struct sbx_error **err)
{
	json_t *list = json_object_get(root, "architectures");
	json_t *map = json_object_get(root, "archMap");
	size_t i;

	if (list && !json_is_null(list) && map && !json_is_null(map))
		return sbx_error_set(err, 0, "both architectures and archMap are given");
	if (list && !json_is_null(list)) {
		if (!json_is_array(list))
			return sbx_error_set(err, 0, "architectures is not a list");
		for (i = 0; i < json_array_size(list); i++)
			if (add_json_arch(b, json_array_get(list, i), "architectures", err) < 0)
				return -1;
	}
	if (!map || json_is_null(map))
		return 0;
	if (!json_is_array(map))
		return sbx_error_set(err, 0, "archMap is not a list");
	for (i = 0; i < json_array_size(map); i++) {
		json_t *v = json_array_get(map, i);
		json_t *arch = json_object_get(v, "architecture");
		json_t *subs = json_object_get(v, "subArchitectures");

		if (!json_is_object(v) || !json_is_string(arch))
			return sbx_error_set(err, 0, "archMap[%zu]: no architecture", i);
		if (arch_from_name(json_string_value(arch)) != seccomp_arch_native())
			continue;
		if (add_json_arch(b, arch, "archMap", err) < 0)
			return -1;
		if (!subs || json_is_null(subs))
			continue;
		if (!json_is_array(subs))
			return sbx_error_set(err, 0,
					     "archMap[%zu]: subArchitectures is not a "
					     "list",
					     i);
		for (size_t j = 0; j < json_array_size(subs); j++)
			if (add_json_arch(b, json_array_get(subs, j), "archMap", err) < 0)
				return -1;
	}
	return 0;
}

/**
 * parse_flags() - "flags": filter flags of seccomp(2)
 * @b:		build state
 * @root:	the profile
 * @err:	error out-parameter
 *
 * Return: 0, or a negative value with *err set.
 */
static int parse_flags(struct json_build *b, json_t *root, struct sbx_error **err)
{
	json_t *flags = json_object_get(root, "flags");
	size_t i;

	if (!flags || json_is_null(flags))
		return 0;
	if (!json_is_array(flags))
		return sbx_error_set(err, 0, "flags is not a list");
	for (i = 0; i < json_array_size(flags); i++) {
		const char *f = json_string_value(json_array_get(flags, i));
		int rc = 0;

		if (!f)
			return sbx_error_set(err, 0, "flags[%zu] is not a string", i);
		if (strcmp(f, "SECCOMP_FILTER_FLAG_LOG") == 0)
			rc = seccomp_attr_set(b->ctx, SCMP_FLTATR_CTL_LOG, 1);
		else if (strcmp(f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
			rc = seccomp_attr_set(b->ctx, SCMP_FLTATR_CTL_SSB, 1);
		else if (strcmp(f, "SECCOMP_FILTER_FLAG_TSYNC") != 0)
			return sbx_error_set(err, 0, "flags[%zu]: unsupported flag `%s`", i, f);
		if (rc < 0)
			return sbx_error_set(err, -rc, "flags[%zu]: `%s`", i, f);
	}
	return 0;
}

/**
 * in_string_list() - whether a JSON list of strings holds a string
 * @list:	JSON array (anything else holds nothing)
 * @match:	called on each string; true ends the search
 * @data:	passed to @match
 *
 * Return: whether @match returned true for one of the strings.
 */
static bool in_string_list(json_t *list, bool (*match)(const char *, const void *), const void *data)
{
	for (size_t i = 0; i < json_array_size(list); i++) {
		const char *s = json_string_value(json_array_get(list, i));

		if (s && match(s, data))
			return true;
	}
	return false;
}

/* in_string_list() matchers: @data is the native arch_info or the caps */
static bool match_native_arch(const char *name, const void *data)
{
	const struct arch_info *native = data;

	for (size_t i = 0; native && i < ARRAY_SIZE(native->docker_names); i++)
		if (native->docker_names[i] && strcmp(name, native->docker_names[i]) == 0)
			return true;
	return false;
}

static bool match_missing_cap(const char *name, const void *data)
{
	int cap;

	return caps_parse_name(name, &cap) < 0 || !(*(const uint64_t *)data & CAPS_BIT(cap));
}

static bool match_held_cap(const char *name, const void *data)
{
	int cap;

	return caps_parse_name(name, &cap) == 0 && (*(const uint64_t *)data & CAPS_BIT(cap));
}

/**
 * kernel_at_least() - compare the running kernel with a minKernel value
 * @b:		build state (holds the running kernel's version)
 * @min:	JSON value such as "4.8"
 * @where:	for errors
 * @result:	set to whether the running kernel is at least @min
 * @err:	error out-parameter
 *
 * Return: 0, or a negative value with *err set for a malformed version.
 */
static int kernel_at_least(const struct json_build *b, json_t *min, const char *where, bool *result,
			   struct sbx_error **err)
{
	const char *s = json_string_value(min);
	unsigned int major, minor = 0;
	int n = 0;

	if (!s || (sscanf(s, "%u.%u%n", &major, &minor, &n) != 2 && sscanf(s, "%u%n", &major, &n) != 1) ||
	    s[n] != '\0')
		return sbx_error_set(err, 0, "%s: bad minKernel", where);
	*result = b->kernel[0] > major || (b->kernel[0] == major && b->kernel[1] >= minor);
	return 0;
}

/**
 * check_filter() - one "includes" or "excludes" object
 * @b:		build state
 * @filter:	the JSON object (NULL or null: nothing to check)
 * @include:	true for "includes", false for "excludes"
 * @where:	for errors
 * @applies:	cleared when the entry does not apply here
 * @err:	error out-parameter
 *
 * As docker: includes.caps needs every capability listed, includes.arches
 * the native architecture, includes.minKernel at least that kernel;
 * excludes.caps drops the entry when any is held, excludes.arches when the
 * native architecture is listed, excludes.minKernel from that kernel on.
 *
 * Return: 0, or a negative value with *err set.
 */
static int check_filter(const struct json_build *b, json_t *filter, bool include, const char *where,
			bool *applies, struct sbx_error **err)
{
	json_t *caps, *arches, *min;

	if (!filter || json_is_null(filter))
		return 0;
	if (!json_is_object(filter))
		return sbx_error_set(err, 0, "%s: %s is not an object", where,
				     include ? "includes" : "excludes");
	caps = json_object_get(filter, "caps");
	arches = json_object_get(filter, "arches");
	min = json_object_get(filter, "minKernel");
	if ((caps && !json_is_null(caps) && !json_is_array(caps)) ||
	    (arches && !json_is_null(arches) && !json_is_array(arches)))
		return sbx_error_set(err, 0, "%s: caps and arches must be lists", where);

	if (include) {
		if (caps && in_string_list(caps, match_missing_cap, &b->caps))
			*applies = false;
		if (arches && json_array_size(arches) > 0 &&
		    !in_string_list(arches, match_native_arch, b->native))
			*applies = false;
	} else {
		if (caps && in_string_list(caps, match_held_cap, &b->caps))
			*applies = false;
		if (arches && in_string_list(arches, match_native_arch, b->native))
			*applies = false;
	}
	if (min && !json_is_null(min)) {
		bool newer = false;

		if (kernel_at_least(b, min, where, &newer, err) < 0)
			return -1;
		if (newer != include)
			*applies = false;
	}
	return 0;
}

/**
 * parse_arg() - one element of "args"
 * @arg:	JSON object {index, value, valueTwo, op}
 * @where:	for errors
 * @out:	set to the comparison
 * @err:	error out-parameter
 *
 * For SCMP_CMP_MASKED_EQ, value is the mask and valueTwo the datum.
 *
 * Return: 0, or a negative value with *err set.
 */
static int parse_arg(json_t *arg, const char *where, struct scmp_arg_cmp *out, struct sbx_error **err)
{
	static const struct {
		const char *name;
		enum scmp_compare op;
	} ops[] = {
	    {"SCMP_CMP_NE", SCMP_CMP_NE},
	    {"SCMP_CMP_LT", SCMP_CMP_LT},
	    {"SCMP_CMP_LE", SCMP_CMP_LE},
	    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
	    {"SCMP_CMP_GE", SCMP_CMP_GE},
	    {"SCMP_CMP_GT", SCMP_CMP_GT},
	    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
	};
	json_t *index, *value, *value2, *op;
	const char *opname;

	if (!json_is_object(arg))
		return sbx_error_set(err, 0, "%s: not an object", where);
	index = json_object_get(arg, "index");
	value = json_object_get(arg, "value");
	value2 = json_object_get(arg, "valueTwo");
	op = json_object_get(arg, "op");
	if ((index && !json_is_integer(index)) || (value && !json_is_integer(value)) ||
	    (value2 && !json_is_integer(value2)))
		return sbx_error_set(err, 0, "%s: index, value and valueTwo must be integers", where);
	memset(out, 0, sizeof(*out));
	if (index) {
		json_int_t i = json_integer_value(index);

		if (i < 0 || i > 5)
			return sbx_error_set(err, 0, "%s: index %lld out of range 0..5", where, (long long)i);
		out->arg = (unsigned int)i;
	}
	out->datum_a = value ? (scmp_datum_t)json_integer_value(value) : 0;
	out->datum_b = value2 ? (scmp_datum_t)json_integer_value(value2) : 0;
	opname = json_string_value(op);
	if (!opname)
		return sbx_error_set(err, 0, "%s: no op", where);
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		if (strcmp(opname, ops[i].name) == 0) {
			out->op = ops[i].op;
			return 0;
		}
	}
	return sbx_error_set(err, 0, "%s: unknown op `%s`", where, opname);
}

static const char *const cmp_names[] = {
    [SCMP_CMP_NE] = "!=", [SCMP_CMP_LT] = "<", [SCMP_CMP_LE] = "<=",	   [SCMP_CMP_EQ] = "==",
    [SCMP_CMP_GE] = ">=", [SCMP_CMP_GT] = ">", [SCMP_CMP_MASKED_EQ] = "&",
};

/**
 * check_libseccomp_loop() - refuse a rule libseccomp would never finish adding
 * @b:		build state (the rules with several comparisons added so far)
 * @nr:		syscall number
 * @name:	syscall name, for the error
 * @n:		number of comparisons of the new rule
 * @cmp:	its comparisons
 * @where:	for errors
 * @err:	error out-parameter
 *
 * libseccomp (2.5.4, and 2.6.1 still) loops forever in seccomp_rule_add()
 * when two rules of one syscall, each with several comparisons, share a
 * comparison other than SCMP_CMP_EQ and SCMP_CMP_MASKED_EQ. Found by
 * fuzzing; the condition is what 60,000 random rule sets agreed with (no
 * loop it missed, a few harmless rule sets it refuses). Split rules have
 * one comparison each and are not concerned.
 *
 * Return: 0, or a negative value with *err set.
 */
static int check_libseccomp_loop(struct json_build *b, int nr, const char *name, unsigned int n,
				 const struct scmp_arg_cmp *cmp, const char *where, struct sbx_error **err)
{
	struct json_rule *r;

	if (n < 2)
		return 0;
	for (size_t i = 0; i < b->n_rules; i++) {
		const struct json_rule *old = &b->rules[i];

		if (old->nr != nr)
			continue;
		for (unsigned int x = 0; x < n; x++) {
			const struct scmp_arg_cmp *c = &cmp[x];

			if (c->op == SCMP_CMP_EQ || c->op == SCMP_CMP_MASKED_EQ)
				continue;
			for (unsigned int y = 0; y < old->n; y++) {
				const struct scmp_arg_cmp *o = &old->cmp[y];

				if (o->arg != c->arg || o->op != c->op || o->datum_a != c->datum_a ||
				    o->datum_b != c->datum_b)
					continue;
				sbx_error_set(err, 0,
					      "%s: two rules for `%s` with several "
					      "comparisons share `arg%u %s %llu`, which "
					      "libseccomp cannot combine",
					      where, name, c->arg, cmp_names[c->op],
					      (unsigned long long)c->datum_a);
				sbx_error_hint(err, "write the shared comparison once (one rule "
						    "with it and SCMP_CMP_EQ/MASKED_EQ alternatives), "
						    "or split the rules into one comparison each");
				return -EINVAL;
			}
		}
	}
	if (n > ARRAY_SIZE(r->cmp))
		return 0;
	r = realloc(b->rules, (b->n_rules + 1) * sizeof(*b->rules));
	if (!r)
		return sbx_error_set(err, ENOMEM, "%s", where);
	b->rules = r;
	r = &b->rules[b->n_rules++];
	r->nr = nr;
	r->n = n;
	memcpy(r->cmp, cmp, n * sizeof(*cmp));
	return 0;
}

/**
 * add_json_rules() - the rules of one syscall for one entry of "syscalls"
 * @b:		build state
 * @name:	syscall name
 * @action:	SCMP_ACT_* value
 * @n:		number of comparisons
 * @cmp:	the comparisons
 * @split:	several compare one argument: one rule per comparison
 * @where:	for errors
 * @err:	error out-parameter
 *
 * Return: 0 (also for a name libseccomp does not know: skipped), or a
 * negative value with *err set.
 */
static int add_json_rules(struct json_build *b, const char *name, uint32_t action, unsigned int n,
			  const struct scmp_arg_cmp *cmp, bool split, const char *where,
			  struct sbx_error **err)
{
	int nr = seccomp_syscall_resolve_name(name);

	if (nr == __NR_SCMP_ERROR) {
		sbx_debug("seccomp: skipping unknown syscall `%s`", name);
		return 0;
	}
	if (!split) {
		if (check_libseccomp_loop(b, nr, name, n, cmp, where, err) < 0)
			return -1;
		if (rule_add(b->ctx, action, nr, name, n, cmp, err) < 0)
			return sbx_error_wrap(err, "%s", where);
		return 0;
	}
	for (unsigned int i = 0; i < n; i++)
		if (rule_add(b->ctx, action, nr, name, 1, &cmp[i], err) < 0)
			return sbx_error_wrap(err, "%s", where);
	return 0;
}

/**
 * add_json_entry() - one entry of "syscalls"
 * @b:		build state
 * @entry:	the JSON object
 * @idx:	its index, for errors
 * @err:	error out-parameter
 *
 * Return: 0, or a negative value with *err set.
 */
static int add_json_entry(struct json_build *b, json_t *entry, size_t idx, struct sbx_error **err)
{
	cleanup_free struct scmp_arg_cmp *cmp = NULL;
	unsigned int n = 0, per_index[6] = {0};
	json_t *names, *name, *args;
	bool applies = true, split = false;
	char where[32];
	uint32_t action;
	size_t i;

	snprintf(where, sizeof(where), "syscalls[%zu]", idx);
	if (!json_is_object(entry))
		return sbx_error_set(err, 0, "%s: not an object", where);
	names = json_object_get(entry, "names");
	name = json_object_get(entry, "name");
	if (names && json_is_null(names))
		names = NULL;
	if (name && json_is_null(name))
		name = NULL;
	if (names && name)
		return sbx_error_set(err, 0, "%s: both name and names are given", where);
	if (!names && !name)
		return sbx_error_set(err, 0, "%s: no names", where);
	if ((names && !json_is_array(names)) || (name && !json_is_string(name)))
		return sbx_error_set(err, 0, "%s: names must be a list of strings", where);
	for (i = 0; i < json_array_size(names); i++)
		if (!json_is_string(json_array_get(names, i)))
			return sbx_error_set(err, 0, "%s: names must be a list of strings", where);

	if (parse_action(json_object_get(entry, "action"), json_object_get(entry, "errnoRet"), where, &action,
			 err) < 0)
		return -1;
	if (check_filter(b, json_object_get(entry, "includes"), true, where, &applies, err) < 0 ||
	    check_filter(b, json_object_get(entry, "excludes"), false, where, &applies, err) < 0)
		return -1;

	args = json_object_get(entry, "args");
	if (args && json_is_null(args))
		args = NULL;
	if (args && !json_is_array(args))
		return sbx_error_set(err, 0, "%s: args is not a list", where);
	cmp = xcalloc(json_array_size(args) + 1, sizeof(*cmp));
	for (i = 0; i < json_array_size(args); i++) {
		json_t *v = json_array_get(args, i);
		char argwhere[96];

		snprintf(argwhere, sizeof(argwhere), "%s.args[%zu]", where, i);
		if (parse_arg(v, argwhere, &cmp[n], err) < 0)
			return -1;
		/* more than one comparison of an argument: one rule each,
		 * as runc does (libseccomp refuses them in one rule) */
		if (++per_index[cmp[n].arg] > 1)
			split = true;
		n++;
	}
	if (!applies || action == b->def_action)
		return 0;

	if (name)
		return add_json_rules(b, json_string_value(name), action, n, cmp, split, where, err);
	for (i = 0; i < json_array_size(names); i++)
		if (add_json_rules(b, json_string_value(json_array_get(names, i)), action, n, cmp, split,
				   where, err) < 0)
			return -1;
	return 0;
}

/**
 * build_json() - a filter from a docker JSON profile
 * @buf:	the profile's text (need not be NUL-terminated)
 * @len:	its length
 * @caps:	capability set of the sandbox, for includes/excludes caps
 * @out:	set to the filter
 * @err:	error out-parameter
 *
 * Return: 0, or a negative value with *err set ("line L column C: ..." for
 * malformed JSON).
 */
static int build_json(const char *buf, size_t len, uint64_t caps, scmp_filter_ctx *out,
		      struct sbx_error **err)
{
	cleanup_json_build struct json_build b = {.caps = caps, .native = arch_native()};
	cleanup_filter scmp_filter_ctx ctx = NULL;
	cleanup_json json_t *root = NULL;
	json_t *syscalls;
	struct utsname uts;
	json_error_t jerr;
	size_t i;

	root = json_loadb(buf, len, 0, &jerr);
	if (!root)
		return sbx_error_set(err, 0, "line %d column %d: %s", jerr.line, jerr.column, jerr.text);
	if (!json_is_object(root))
		return sbx_error_set(err, 0, "not a JSON object");
	if (parse_action(json_object_get(root, "defaultAction"), json_object_get(root, "defaultErrnoRet"),
			 "defaultAction", &b.def_action, err) < 0)
		return -1;
	syscalls = json_object_get(root, "syscalls");
	if (!json_is_array(syscalls))
		return sbx_error_set(err, 0, "no syscalls list");
	if (uname(&uts) == 0 && sscanf(uts.release, "%u.%u", &b.kernel[0], &b.kernel[1]) != 2)
		b.kernel[0] = b.kernel[1] = 0;

	if (filter_new(b.def_action, &ctx, err) < 0)
		return -1;
	b.ctx = ctx;
	if (parse_arches(&b, root, err) < 0 || parse_flags(&b, root, err) < 0)
		return -1;
	for (i = 0; i < json_array_size(syscalls); i++)
		if (add_json_entry(&b, json_array_get(syscalls, i), i, err) < 0)
			return -1;
	if (json_object_get(root, "listenerPath"))
		sbx_debug("seccomp: ignoring listenerPath (no notify support)");
	*out = steal_pointer(&ctx);
	return 0;
}

/* ------------------------------------------------------------------------
 * Compiled filters and the public functions
 */

/* What seccomp_load_filter() hands the kernel: built once, loaded cheaply. */

/**
 * filter_compile() - turn libseccomp's rules into the BPF program to load
 * @ctx:	the filter as built
 * @out:	set to the compiled filter
 * @err:	error out-parameter
 *
 * libseccomp 2.5 only exports to a file descriptor, hence the memfd.
 * Generating the program is most of the cost of libseccomp's own
 * seccomp_load(); doing it here, before the sandbox starts, leaves only
 * the kernel's part for the sandboxed process.
 *
 * Return: 0, or a negative value with *err set.
 */
static int filter_compile(scmp_filter_ctx ctx, struct sbx_seccomp_filter **out, struct sbx_error **err)
{
	cleanup_close int fd = memfd_create("sandbox-seccomp", MFD_CLOEXEC);
	cleanup_free struct sbx_seccomp_filter *f = NULL;
	uint32_t log = 0, ssb = 0;
	struct stat st;
	size_t n;
	int rc;

	if (fd < 0)
		return sbx_error_set(err, errno, "compile the seccomp filter: memfd_create");
	rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0)
		return sbx_error_set(err, -rc, "compile the seccomp filter");
	if (fstat(fd, &st) < 0)
		return sbx_error_set(err, errno, "compile the seccomp filter: fstat");
	n = (size_t)st.st_size / sizeof(struct sock_filter);
	if (n == 0 || (size_t)st.st_size % sizeof(struct sock_filter))
		return sbx_error_set(err, 0, "compile the seccomp filter: %lld bytes of BPF",
				     (long long)st.st_size);
	if (n > BPF_MAXINSNS)
		return sbx_error_set(err, 0,
				     "seccomp filter too large: %zu instructions, "
				     "the kernel takes at most %d",
				     n, BPF_MAXINSNS);
	f = xcalloc(1, sizeof(*f) + n * sizeof(struct sock_filter));
	if (lseek(fd, 0, SEEK_SET) < 0 || util_read_all(fd, f->insns, n * sizeof(struct sock_filter)) !=
					      (ssize_t)(n * sizeof(struct sock_filter)))
		return sbx_error_set(err, errno, "compile the seccomp filter: read");
	f->len = (unsigned short)n;
	if (seccomp_attr_get(ctx, SCMP_FLTATR_CTL_LOG, &log) == 0 && log)
		f->flags |= SECCOMP_FILTER_FLAG_LOG;
	if (seccomp_attr_get(ctx, SCMP_FLTATR_CTL_SSB, &ssb) == 0 && ssb)
		f->flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
	*out = steal_pointer(&f);
	return 0;
}

/**
 * seccomp_build_from_json() - compile a docker JSON profile given as text
 * @buf:	the profile's text (need not be NUL-terminated)
 * @len:	its length
 * @caps:	capability set of the sandbox, for includes/excludes "caps"
 * @out:	set to the filter; free it with seccomp_filter_free()
 * @err:	error out-parameter
 *
 * Return: 0, or a negative value with *err set ("line L column C: ..." for
 * malformed JSON, "syscalls[N]: ..." for a bad entry).
 */
int seccomp_build_from_json(const char *buf, size_t len, uint64_t caps, struct sbx_seccomp_filter **out,
			    struct sbx_error **err)
{
	cleanup_filter scmp_filter_ctx ctx = NULL;

	*out = NULL;
	if (build_json(buf, len, caps, &ctx, err) < 0)
		return -1;
	return filter_compile(ctx, out, err);
}

/* What the compiling child sends back, followed by the message or the program. */
struct compile_reply {
	int32_t rc;	/* 0, or negative */
	int32_t errnum; /* of the error */
	uint32_t flags; /* of the filter */
	uint32_t len;	/* instructions, or bytes of the error message */
};

#define COMPILE_TIMEOUT_MS  5000
#define COMPILE_MAX_MESSAGE 4000

/**
 * compile_reply_write() - child side of compile_json_isolated()
 * @fd:		write end of the pipe
 * @filter:	the compiled filter, or NULL
 * @e:		the error when @filter is NULL
 */
static void compile_reply_write(int fd, const struct sbx_seccomp_filter *filter, const struct sbx_error *e)
{
	const char *msg = e && e->msg ? e->msg : "unknown error";
	struct compile_reply r = {0};

	if (filter) {
		r.flags = filter->flags;
		r.len = filter->len;
	} else {
		r.rc = -1;
		r.errnum = e ? e->errnum : 0;
		/* within what the parent reads: it stops there */
		r.len = (uint32_t)strnlen(msg, COMPILE_MAX_MESSAGE);
	}
	if (util_write_all(fd, &r, sizeof(r)) < 0)
		return;
	if (filter)
		util_write_all(fd, filter->insns, filter->len * sizeof(struct sock_filter));
	else
		util_write_all(fd, msg, r.len);
}

/**
 * compile_reply_read() - read what the compiling child sent, with a deadline
 * @fd:		read end of the pipe
 * @buf:	buffer of @size bytes
 * @size:	its size
 * @got:	set to the bytes read before end of file
 *
 * Return: 0, -ETIMEDOUT, or another negative errno value.
 */
static int compile_reply_read(int fd, char *buf, size_t size, size_t *got)
{
	struct timespec start, now;
	size_t n = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		long elapsed;
		ssize_t r;
		int pr;

		clock_gettime(CLOCK_MONOTONIC, &now);
		elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (elapsed >= COMPILE_TIMEOUT_MS)
			return -ETIMEDOUT;
		pr = poll(&pfd, 1, (int)(COMPILE_TIMEOUT_MS - elapsed));
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0)
			return -errno;
		if (pr == 0)
			return -ETIMEDOUT;
		r = read(fd, buf + n, size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0 || (n += (size_t)r) == size)
			break;
	}
	*got = n;
	return 0;
}

/**
 * compile_json_isolated() - seccomp_build_from_json() in a child process
 * @buf:	the profile's text
 * @len:	its length
 * @caps:	capability set of the sandbox
 * @out:	set to the filter
 * @err:	error out-parameter
 *
 * A profile file is user input, and libseccomp does not survive all of it:
 * it loops forever on some rule sets (2.5.4 and 2.6.1 alike; those known
 * are refused by check_libseccomp_loop() first) and 2.5 corrupts its heap
 * on programs past 65535 instructions (GHSA-2hqh-5c36-grrm, fixed in
 * 2.6.1). So a child compiles, and is killed after COMPILE_TIMEOUT_MS;
 * only its verdict and program come back.
 *
 * Return: 0, or a negative value with *err set.
 */
static int compile_json_isolated(const char *buf, size_t len, uint64_t caps, struct sbx_seccomp_filter **out,
				 struct sbx_error **err)
{
	size_t size =
	    sizeof(struct compile_reply) + BPF_MAXINSNS * sizeof(struct sock_filter) + COMPILE_MAX_MESSAGE;
	cleanup_close int rfd = -1, wfd = -1;
	cleanup_free char *reply = NULL;
	cleanup_pid pid_t pid = 0;
	struct compile_reply r;
	size_t got = 0;
	int p[2], rc, status;
	pid_t dead;

	if (pipe2(p, O_CLOEXEC) < 0)
		return sbx_error_set(err, errno, "compile the seccomp profile: pipe");
	rfd = p[0];
	wfd = p[1];
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return sbx_error_set(err, errno, "compile the seccomp profile: fork");
	if (pid == 0) {
		struct sbx_seccomp_filter *f = NULL;
		struct sbx_error *e = NULL;

		seccomp_build_from_json(buf, len, caps, &f, &e);
		compile_reply_write(wfd, f, e);
		_exit(0);
	}
	util_closep(&wfd);

	reply = xmalloc(size);
	rc = compile_reply_read(rfd, reply, size, &got);
	if (rc == -ETIMEDOUT) {
		sbx_error_set(err, 0, "libseccomp did not finish compiling the profile in %d s",
			      COMPILE_TIMEOUT_MS / 1000);
		sbx_error_hint(err, "libseccomp loops on two rules of one syscall that share a "
				    "comparison other than SCMP_CMP_EQ and then compare different "
				    "arguments: merge or reorder such rules");
		return -ETIMEDOUT;
	}
	if (rc < 0)
		return sbx_error_set(err, -rc, "compile the seccomp profile: read");
	do
		dead = waitpid(take_pid(&pid), &status, 0);
	while (dead < 0 && errno == EINTR);
	if (dead > 0 && WIFSIGNALED(status))
		return sbx_error_set(err, 0, "libseccomp crashed compiling the profile (signal %d)",
				     WTERMSIG(status));
	if (got < sizeof(r))
		return sbx_error_set(err, 0, "compile the seccomp profile: no answer");
	memcpy(&r, reply, sizeof(r));
	if (r.rc < 0) {
		size_t n = got - sizeof(r) < r.len ? got - sizeof(r) : r.len;

		return sbx_error_set(err, r.errnum, "%.*s", (int)n, reply + sizeof(r));
	}
	if (r.len == 0 || r.len > BPF_MAXINSNS || got != sizeof(r) + r.len * sizeof(struct sock_filter))
		return sbx_error_set(err, 0, "compile the seccomp profile: truncated answer");
	*out = xcalloc(1, sizeof(**out) + r.len * sizeof(struct sock_filter));
	(*out)->flags = r.flags;
	(*out)->len = (unsigned short)r.len;
	memcpy((*out)->insns, reply + sizeof(r), r.len * sizeof(struct sock_filter));
	return 0;
}

/**
 * seccomp_build() - compile the filter of a --security-opt seccomp= value
 * @profile:	NULL for the built-in profile, "unconfined", or a JSON file
 *		(read now: call this before pivot_root)
 * @caps:	capability set of the sandbox (from caps_compute()): lifts
 *		rules as docker does, e.g. CAP_SYS_ADMIN allows mount(2)
 * @out:	set to the filter, or NULL for "unconfined"; free it with
 *		seccomp_filter_free()
 * @err:	error out-parameter
 *
 * Return: 0, or a negative value with *err set.
 */
int seccomp_build(const char *profile, uint64_t caps, struct sbx_seccomp_filter **out, struct sbx_error **err)
{
	cleanup_filter scmp_filter_ctx ctx = NULL;
	cleanup_free char *buf = NULL;
	size_t len = 0;

	*out = NULL;
	if (profile && strcmp(profile, "unconfined") == 0)
		return 0;
	if (!profile) {
		/* the default set's filter is compiled into the binary at build time */
		if (seccomp_default_embedded(caps, out))
			return 0;
		if (build_default(caps, &ctx, err) < 0)
			return -1;
		return filter_compile(ctx, out, err);
	}
	if (util_read_file(profile, &buf, &len, err) < 0)
		return sbx_error_wrap(err, "seccomp profile");
	if (compile_json_isolated(buf, len, caps, out, err) < 0)
		return sbx_error_wrap(err, "seccomp profile `%s`", profile);
	return 0;
}

/**
 * seccomp_load_filter() - install a compiled filter on the calling thread
 * @filter:	from seccomp_build() (not NULL)
 * @err:	error out-parameter
 *
 * Needs no_new_privs, or CAP_SYS_ADMIN in the current user namespace.
 * Async-signal-safe until it fails, so it may run in a child of a
 * multithreaded parent.
 *
 * Return: 0, or a negative value with *err set.
 */
int seccomp_load_filter(const struct sbx_seccomp_filter *filter, struct sbx_error **err)
{
	struct sock_fprog prog = {
	    .len = filter->len,
	    .filter = (struct sock_filter *)filter->insns,
	};
	int saved;

	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, filter->flags, &prog) == 0)
		return 0;
	saved = errno;
	/* kernels before 3.17 only have the prctl, which takes no flags */
	if (saved == ENOSYS && filter->flags == 0 &&
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0L, 0L) == 0)
		return 0;
	sbx_error_set(err, saved, "load the seccomp filter");
	if (saved == EACCES)
		sbx_error_hint(err, "without no_new_privs the filter must be loaded while "
				    "CAP_SYS_ADMIN is held, before capabilities are dropped");
	return -saved;
}

/**
 * seccomp_filter_free() - free a filter from seccomp_build()
 * @filter:	the filter, or NULL
 */
void seccomp_filter_free(struct sbx_seccomp_filter *filter)
{
	free(filter);
}

/**
 * seccomp_filter_size() - number of BPF instructions of a compiled filter
 * @filter:	the filter, or NULL
 *
 * Return: the number, 0 for NULL (for debug output and tests).
 */
size_t seccomp_filter_size(const struct sbx_seccomp_filter *filter)
{
	return filter ? filter->len : 0;
}

/**
 * seccomp_load_profile() - compile and load a --security-opt seccomp= value
 * @profile:	NULL for the built-in profile, "unconfined", or a JSON file
 * @err:	error out-parameter
 *
 * A shortcut for seccomp_build() with the default capability set and
 * seccomp_load_filter(). It compiles in the calling process and reads the
 * profile file where that process is: a sandbox should rather build before
 * it forks and pivots, and only load in the child.
 *
 * Return: 0, or a negative value with *err set.
 */
int seccomp_load_profile(const char *profile, struct sbx_error **err)
{
	struct sbx_seccomp_filter *filter = NULL;
	int rc;

	if (seccomp_build(profile, CAPS_DEFAULT_SET, &filter, err) < 0)
		return -1;
	if (!filter)
		return 0;
	rc = seccomp_load_filter(filter, err);
	seccomp_filter_free(filter);
	return rc;
}

/**
 * seccomp_check_profile() - compile a profile without loading it
 * @profile:	NULL for the built-in profile, "unconfined", or a JSON file
 * @err:	error out-parameter
 *
 * For sandbox.c to refuse a bad --security-opt seccomp= before starting
 * anything. A caller that will start the sandbox anyway does better to
 * call seccomp_build() once and keep the filter.
 *
 * Return: 0, or a negative value with *err set.
 */
int seccomp_check_profile(const char *profile, struct sbx_error **err)
{
	struct sbx_seccomp_filter *filter = NULL;

	if (seccomp_build(profile, CAPS_DEFAULT_SET, &filter, err) < 0)
		return -1;
	seccomp_filter_free(filter);
	return 0;
}
