// SPDX-License-Identifier: GPL-2.0-or-later
/* test_seccomp.c - unit tests of lib/isolate/seccomp.c: JSON profiles, the default filter */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "caps.h"
/* by path: with libseccomp's include directory ahead of -Ilib/isolate, a plain
 * "seccomp.h" would be libseccomp's header of the same name */
#include "../../lib/isolate/seccomp.h"
#include "launch.h"

#define SKIP_STATUS 77

#ifndef SYS_clone3
#define SYS_clone3 435
#endif

/* Checks inside a forked child, where cmocka's assertions must not run. */
#define CHILD_CHECK(cond)                                                                                    \
	do {                                                                                                 \
		if (!(cond)) {                                                                               \
			fprintf(stderr,                                                                      \
				"%s:%d: child check failed: %s "                                             \
				"(errno %d)\n",                                                              \
				__FILE__, __LINE__, #cond, errno);                                           \
			_exit(1);                                                                            \
		}                                                                                            \
	} while (0)

/* a syscall that the filter refused with @e */
#define REFUSED(call, e) ((call) == -1 && errno == (e))

/**
 * build_json() - seccomp_build_from_json() on a string, keeping the message
 * @json:	the profile
 * @msg:	if not NULL, set to a copy of the error message (NULL if none)
 *
 * Return: what seccomp_build_from_json() returned.
 */
static int build_json(const char *json, char **msg)
{
	struct sbx_seccomp_filter *f = NULL;
	struct sbx_error *err = NULL;
	int rc;

	rc = seccomp_build_from_json(json, strlen(json), CAPS_DEFAULT_SET, &f, &err);
	if (msg)
		*msg = err && err->msg ? strdup(err->msg) : NULL;
	if (rc == 0)
		assert_true(seccomp_filter_size(f) > 0);
	else
		assert_null(f);
	seccomp_filter_free(f);
	sbx_error_free(err);
	return rc;
}

static void expect_json_error(const char *json, const char *want)
{
	char *msg = NULL;

	if (build_json(json, &msg) == 0)
		fail_msg("accepted: %s", json);
	assert_non_null(msg);
	if (!strstr(msg, want))
		fail_msg("message \"%s\" lacks \"%s\"", msg, want);
	free(msg);
}

static void test_json_syntax_error(void **state)
{
	(void)state;
	expect_json_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n \"syscalls\": [,]}", "line 2 column");
	expect_json_error("", "line 1 column");
	expect_json_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\"", "line 1 column");
	expect_json_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": []} x",
			  "end of file expected");
}

static void test_json_unknown_action(void **state)
{
	(void)state;
	expect_json_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
			  "{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ERRNO\"},"
			  "{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_FROB\"}]}",
			  "syscalls[1]: unknown action `SCMP_ACT_FROB`");
	expect_json_error("{\"defaultAction\": \"ALLOW\", \"syscalls\": []}",
			  "defaultAction: unknown action `ALLOW`");
	expect_json_error("{\"defaultAction\": 1, \"syscalls\": []}", "not a string");
	expect_json_error("{\"syscalls\": []}", "defaultAction: no action");
	expect_json_error("{\"defaultAction\": \"SCMP_ACT_NOTIFY\", \"syscalls\": []}", "not supported");
}

static void test_json_missing_syscalls(void **state)
{
	(void)state;
	expect_json_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\"}", "no syscalls list");
	expect_json_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": {}}", "no syscalls list");
	expect_json_error("[]", "not a JSON object");
	expect_json_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
			  "{\"action\": \"SCMP_ACT_ERRNO\"}]}",
			  "syscalls[0]: no names");
}

static void test_json_bad_entries(void **state)
{
	static const struct {
		const char *entry;
		const char *want;
	} cases[] = {
	    {"{\"names\": [\"getpid\"], \"name\": \"getpid\", \"action\": \"SCMP_ACT_ERRNO\"}",
	     "both name and names"},
	    {"{\"names\": [1], \"action\": \"SCMP_ACT_ERRNO\"}", "list of strings"},
	    {"{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 5000}", "out of range"},
	    {"{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": \"1\"}",
	     "errnoRet is not an integer"},
	    {"{\"names\": [\"dup\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": "
	     "[{\"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}",
	     "syscalls[0].args[0]: index 6 out of range"},
	    {"{\"names\": [\"dup\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": "
	     "[{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_FOO\"}]}",
	     "unknown op `SCMP_CMP_FOO`"},
	    {"{\"names\": [\"dup\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": "
	     "[{\"index\": 0, \"value\": 1}]}",
	     "no op"},
	    {"{\"names\": [\"dup\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": {}}", "args is not a list"},
	    {"{\"names\": [\"dup\"], \"action\": \"SCMP_ACT_ERRNO\", "
	     "\"includes\": {\"minKernel\": \"four\"}}",
	     "bad minKernel"},
	    {"17", "not an object"},
	};
	char json[1024];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(json, sizeof(json), "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [%s]}",
			 cases[i].entry);
		expect_json_error(json, cases[i].want);
	}
	expect_json_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [],"
			  "\"architectures\": [\"SCMP_ARCH_X86\"], \"archMap\": []}",
			  "both architectures and archMap");
	expect_json_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [],"
			  "\"flags\": [\"SECCOMP_FILTER_FLAG_FROB\"]}",
			  "unsupported flag");
}

/* A small profile in docker's format, using most of what is honoured. */
static const char small_profile[] =
    "{\n"
    "  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n"
    "  \"archMap\": [\n"
    "    {\"architecture\": \"SCMP_ARCH_X86_64\",\n"
    "     \"subArchitectures\": [\"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"]},\n"
    "    {\"architecture\": \"SCMP_ARCH_AARCH64\", \"subArchitectures\": [\"SCMP_ARCH_ARM\"]}\n"
    "  ],\n"
    "  \"syscalls\": [\n"
    "    {\"names\": [\"getppid\", \"no_such_syscall_xyz\"], \"action\": \"SCMP_ACT_ERRNO\",\n"
    "     \"errnoRet\": 38, \"comment\": \"unknown names are skipped\"},\n"
    "    {\"name\": \"dup\", \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 77,\n"
    "     \"args\": [{\"index\": 0, \"value\": 1000, \"valueTwo\": 0, \"op\": \"SCMP_CMP_EQ\"}]},\n"
    "    {\"names\": [\"dup2\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 75,\n"
    "     \"args\": [{\"index\": 1, \"value\": 1001, \"op\": \"SCMP_CMP_EQ\"},\n"
    "              {\"index\": 1, \"value\": 1002, \"op\": \"SCMP_CMP_EQ\"}]},\n"
    "    {\"names\": [\"umask\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 76,\n"
    "     \"args\": [{\"index\": 0, \"value\": 4095, \"valueTwo\": 18, \"op\": \"SCMP_CMP_MASKED_EQ\"}]},\n"
    "    {\"names\": [\"getuid\"], \"action\": \"SCMP_ACT_ERRNO\",\n"
    "     \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}},\n"
    "    {\"names\": [\"getgid\"], \"action\": \"SCMP_ACT_ERRNO\",\n"
    "     \"excludes\": {\"caps\": [\"CAP_CHOWN\"]}},\n"
    "    {\"names\": [\"getegid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 74,\n"
    "     \"includes\": {\"arches\": [\"amd64\", \"arm64\", \"x86\", \"arm\", \"ppc64le\",\n"
    "                                 \"s390x\", \"riscv64\"], \"minKernel\": \"3.0\"}},\n"
    "    {\"names\": [\"geteuid\"], \"action\": \"SCMP_ACT_ERRNO\",\n"
    "     \"includes\": {\"minKernel\": \"999.0\"}},\n"
    "    {\"names\": [\"getpgrp\"], \"action\": \"SCMP_ACT_ERRNO\",\n"
    "     \"excludes\": {\"arches\": [\"amd64\", \"arm64\", \"x86\", \"arm\", \"ppc64le\",\n"
    "                                 \"s390x\", \"riscv64\"]}},\n"
    "    {\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
    "     \"comment\": \"same as the default: skipped\"},\n"
    "    {\"names\": [\"getsid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 0}\n"
    "  ]\n"
    "}\n";

static void test_json_small_profile_builds(void **state)
{
	char *msg = NULL;

	(void)state;
	if (build_json(small_profile, &msg) < 0)
		fail_msg("small profile refused: %s", msg);
	/* the older single "architectures" list, and a default action of ERRNO
	 * with a rule of the same action (skipped) */
	assert_int_equal(build_json("{\"defaultAction\": \"SCMP_ACT_ERRNO\", "
				    "\"defaultErrnoRet\": 1, "
				    "\"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", "
				    "\"SCMP_ARCH_X32\", \"SCMP_ARCH_NOSUCH\"], "
				    "\"flags\": [\"SECCOMP_FILTER_FLAG_TSYNC\"], "
				    "\"syscalls\": [{\"names\": [\"read\", \"write\"], "
				    "\"action\": \"SCMP_ACT_ALLOW\"}, {\"names\": [\"bdflush\"], "
				    "\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1}]}",
				    NULL),
			 0);
	/* a profile with nothing but unknown syscalls still builds */
	assert_int_equal(build_json("{\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", "
				    "\"syscalls\": [{\"names\": [\"frob\"], "
				    "\"action\": \"SCMP_ACT_LOG\"}]}",
				    NULL),
			 0);
}

/**
 * write_temp() - write @text to a new file under /tmp
 * @text:	contents
 *
 * Return: the malloc'd path.
 */
static char *write_temp(const char *text)
{
	char *path = strdup("/tmp/test_seccomp_XXXXXX");
	int fd = mkostemp(path, O_CLOEXEC);
	size_t len = strlen(text);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

static void test_file_errors_name_the_file(void **state)
{
	char *path = write_temp("{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n\"syscalls\": [\n}");
	struct sbx_error *err = NULL;
	char want[128];

	(void)state;
	assert_true(seccomp_check_profile(path, &err) < 0);
	snprintf(want, sizeof(want), "seccomp profile `%s`: line 3 column 1: ", path);
	if (strncmp(err->msg, want, strlen(want)) != 0)
		fail_msg("message \"%s\" does not start with \"%s\"", err->msg, want);
	sbx_error_free(err);
	err = NULL;
	unlink(path);

	assert_true(seccomp_check_profile(path, &err) < 0);
	assert_int_equal(err->errnum, ENOENT);
	assert_non_null(strstr(err->msg, path));
	sbx_error_free(err);
	free(path);

	path = write_temp(small_profile);
	err = NULL;
	assert_int_equal(seccomp_check_profile(path, &err), 0);
	assert_null(err);
	unlink(path);
	free(path);
}

/* libseccomp loops forever on this (2.5.4 and 2.6.1): refused */
static void test_libseccomp_loop_refused(void **state)
{
	static const char loop[] = "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
				   "{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": ["
				   "{\"index\": 0, \"value\": 9, \"op\": \"SCMP_CMP_GT\"},"
				   "{\"index\": 1, \"value\": 1, \"op\": \"SCMP_CMP_LT\"}]},"
				   "{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": ["
				   "{\"index\": 0, \"value\": 9, \"op\": \"SCMP_CMP_GT\"},"
				   "{\"index\": 2, \"value\": 1, \"op\": \"SCMP_CMP_LT\"}]}]}";
	char *path = write_temp(loop);
	struct sbx_error *err = NULL;

	(void)state;
	expect_json_error(loop, "syscalls[1]: two rules for `kill` with several comparisons "
				"share `arg0 > 9`");
	assert_true(seccomp_check_profile(path, &err) < 0);
	assert_non_null(strstr(err->msg, path));
	assert_non_null(strstr(err->msg, "libseccomp cannot combine"));
	sbx_error_free(err);
	unlink(path);
	free(path);
	/* what libseccomp can do: the same comparisons with == */
	assert_int_equal(build_json("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
				    "{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": ["
				    "{\"index\": 0, \"value\": 9, \"op\": \"SCMP_CMP_EQ\"},"
				    "{\"index\": 1, \"value\": 1, \"op\": \"SCMP_CMP_LT\"}]},"
				    "{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": ["
				    "{\"index\": 0, \"value\": 9, \"op\": \"SCMP_CMP_EQ\"},"
				    "{\"index\": 2, \"value\": 1, \"op\": \"SCMP_CMP_LT\"}]}]}",
				    NULL),
			 0);
}

static void test_unconfined_and_default_build(void **state)
{
	struct sbx_seccomp_filter *f = (void *)1;
	struct sbx_error *err = NULL;

	(void)state;
	assert_int_equal(seccomp_build("unconfined", CAPS_DEFAULT_SET, &f, &err), 0);
	assert_null(f);
	assert_int_equal(seccomp_check_profile("unconfined", &err), 0);
	assert_int_equal(seccomp_check_profile(NULL, &err), 0);
	assert_int_equal(seccomp_build(NULL, CAPS_DEFAULT_SET, &f, &err), 0);
	assert_non_null(f);
	assert_true(seccomp_filter_size(f) > 0 && seccomp_filter_size(f) <= 4096);
	seccomp_filter_free(f);
	assert_null(err);
}

/**
 * run_child() - run @fn in a forked child and return its exit status
 * @fn:		exits 0 (pass), 1 (fail) or SKIP_STATUS; returning is a pass
 *
 * Return: the exit status, or 128 + signal if the child was killed.
 */
static int run_child(void (*fn)(void))
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		fn();
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* no_new_privs, then a filter: what the sandbox does before exec */
static void child_load(const char *profile)
{
	struct sbx_error *err = NULL;

	CHILD_CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) == 0);
	if (seccomp_load_profile(profile, &err) < 0) {
		fprintf(stderr, "load: %s\n", err->msg);
		_exit(1);
	}
}

/* clone(2) like fork with extra flags; a child that gets through exits */
static long clone_flags(unsigned long flags)
{
	long rc = syscall(SYS_clone, flags | SIGCHLD, 0L, 0L, 0L, 0L);

	if (rc == 0)
		_exit(0);
	if (rc > 0)
		waitpid((pid_t)rc, NULL, 0);
	return rc;
}

static bool personality_allowed(unsigned long v)
{
	v &= 0xffffffffUL;
	return v == 0 || v == 8 || v == 0x20000 || v == 0x20008 || v == 0xffffffffUL;
}

/* personality(@v) gives EPERM exactly when docker's profile says so */
static void check_personality(unsigned long v)
{
	long rc = syscall(SYS_personality, v);

	if (personality_allowed(v)) {
		if (rc < 0) {
			fprintf(stderr, "personality(%#lx) refused\n", v);
			_exit(1);
		}
		syscall(SYS_personality, 0UL);
	} else if (!(rc == -1 && errno == EPERM)) {
		fprintf(stderr, "personality(%#lx) allowed\n", v);
		_exit(1);
	}
}

static void child_default_filter(void)
{
	pid_t pid;

	child_load(NULL);
	CHILD_CHECK(getpid() == (pid_t)syscall(SYS_getpid));
	CHILD_CHECK(syscall(SYS_getppid) > 0);
	CHILD_CHECK(REFUSED(syscall(SYS_keyctl, 0L, 0L, 0L, 0L, 0L), EPERM));
	CHILD_CHECK(REFUSED(syscall(SYS_add_key, "user", "x", "y", 1L, 0L), EPERM));
	CHILD_CHECK(REFUSED(unshare(CLONE_NEWUSER), EPERM));
	CHILD_CHECK(REFUSED(unshare(CLONE_NEWNS), EPERM));
	CHILD_CHECK(REFUSED(setns(0, 0), EPERM));
	CHILD_CHECK(REFUSED(ioctl(0, TIOCSTI, "x"), EPERM));
	CHILD_CHECK(REFUSED(ioctl(0, TIOCLINUX, "x"), EPERM));
	/* the kernel reads cmd as 32 bits: a high bit must not slip past */
	CHILD_CHECK(REFUSED(syscall(SYS_ioctl, 0L, (1UL << 32) | TIOCSTI, "x"), EPERM));
	CHILD_CHECK(!REFUSED(ioctl(0, TCGETS, NULL), EPERM));
	/* vsock reaches the hypervisor; the family is an int too */
	CHILD_CHECK(REFUSED(socket(AF_VSOCK, SOCK_STREAM, 0), EPERM));
	CHILD_CHECK(REFUSED(syscall(SYS_socket, (1L << 32) | AF_VSOCK, (long)SOCK_DGRAM, 0L), EPERM));
	{
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		CHILD_CHECK(fd >= 0);
		close(fd);
	}
	/* targets that do not exist: should the filter fail, the kernel says
	 * ENOENT rather than change the host's mounts */
	CHILD_CHECK(REFUSED(mount("/", "/nonexistent/x", NULL, MS_BIND, NULL), EPERM));
	CHILD_CHECK(REFUSED(umount2("/nonexistent/x", MNT_DETACH), EPERM));
	CHILD_CHECK(REFUSED(syscall(SYS_pivot_root, "/nonexistent/x", "/nonexistent/y"), EPERM));
	CHILD_CHECK(REFUSED(syscall(SYS_bpf, 0L, NULL, 0L), EPERM));
	CHILD_CHECK(REFUSED(syscall(SYS_io_uring_setup, 1L, NULL), EPERM));
	CHILD_CHECK(REFUSED(syscall(SYS_open_by_handle_at, -1L, NULL, 0L), EPERM));
	CHILD_CHECK(REFUSED(syscall(SYS_clone3, NULL, 0L), ENOSYS));
	CHILD_CHECK(REFUSED(clone_flags(CLONE_NEWUSER), EPERM));
	CHILD_CHECK(REFUSED(clone_flags(CLONE_NEWNET), EPERM));
	CHILD_CHECK(REFUSED(clone_flags(CLONE_NEWPID | CLONE_FILES), EPERM));
	CHILD_CHECK(REFUSED(clone_flags((1UL << 32) | CLONE_NEWNS), EPERM));
	/* plain clone and fork still work */
	CHILD_CHECK(clone_flags(0) > 0);
	pid = fork();
	if (pid == 0)
		_exit(0);
	CHILD_CHECK(pid > 0 && waitpid(pid, NULL, 0) == pid);
	/* allowed by docker on kernels >= 4.8 */
	CHILD_CHECK(!REFUSED(syscall(SYS_name_to_handle_at, -1L, "", NULL, NULL, 0L), EPERM));
	CHILD_CHECK(!REFUSED(syscall(SYS_kcmp, getpid(), getpid(), 0L, 0L, 0L), EPERM));

	CHILD_CHECK(syscall(SYS_personality, 0xffffffffUL) >= 0);
	CHILD_CHECK(REFUSED(personality(ADDR_NO_RANDOMIZE), EPERM));
	CHILD_CHECK(REFUSED(personality(READ_IMPLIES_EXEC), EPERM));
	CHILD_CHECK(personality(PER_LINUX32) >= 0 && personality(PER_LINUX) >= 0);
	for (unsigned int b = 0; b < 32; b++) {
		unsigned long bit = 1UL << b;

		check_personality(bit);
		check_personality(0xffffffffUL & ~bit);
		check_personality(0x20008UL | bit);
		check_personality((0xffffffffUL & ~bit) | (1UL << 40));
	}
	/* periodic patterns over the 30 bits other than 3 and 17, with every
	 * combination of those two: what a wrong cover of the complement
	 * (see add_personality_rules()) would let through */
	for (unsigned int period = 1; period <= 30; period++) {
		for (unsigned int phase = 0; phase < 2 * period; phase++) {
			unsigned long v = 0;

			for (unsigned int b = 0, k = 0; b < 32; b++) {
				if (b == 3 || b == 17)
					continue;
				if (((k + phase) / period) % 2 == 0)
					v |= 1UL << b;
				k++;
			}
			for (unsigned long extra = 0; extra < 4; extra++) {
				unsigned long e = ((extra & 1) << 3) | ((extra & 2) << 16);

				check_personality(v | e);
				check_personality((~v & 0xfffdfff7UL) | e);
			}
		}
	}
	srand(1);
	for (int i = 0; i < 20000; i++) {
		unsigned long v = ((unsigned long)rand() << 16) ^ (unsigned long)rand();

		check_personality(v & 0xffffffffUL);
		check_personality(v & 0x20008UL);
	}
}

static void test_default_filter(void **state)
{
	(void)state;
	assert_int_equal(run_child(child_default_filter), 0);
}

#if defined(__x86_64__)
/* i386 keyctl (288) through int 0x80: the x86 part of the filter */
static void child_i386_keyctl(void)
{
	long rc = 288;

	child_load(NULL);
	/* the kernel zeroes r8-r11 on the way back from int 0x80 */
	__asm__ volatile("int $0x80"
			 : "+a"(rc)
			 : "b"(0), "c"(0), "d"(0)
			 : "memory", "r8", "r9", "r10", "r11");
	CHILD_CHECK(rc == -EPERM);
	/* x32 keyctl: refused before the kernel looks whether x32 is on */
	errno = 0;
	CHILD_CHECK(REFUSED(syscall(0x40000000L | 250L, 0L, 0L, 0L, 0L, 0L), EPERM));
}

static void test_compat_arches(void **state)
{
	int rc;

	(void)state;
	rc = run_child(child_i386_keyctl);
	if (rc == 128 + SIGSEGV) {
		fprintf(stderr, "skipped: kernel without IA32 emulation\n");
		skip();
	}
	assert_int_equal(rc, 0);
}
#endif

/* --cap-add SYS_ADMIN lifts what docker lifts */
static void child_default_with_sys_admin(void)
{
	struct sbx_seccomp_filter *f = NULL;
	struct sbx_error *err = NULL;

	CHILD_CHECK(seccomp_build(NULL, CAPS_DEFAULT_SET | CAPS_BIT(CAP_SYS_ADMIN), &f, &err) == 0);
	CHILD_CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) == 0);
	CHILD_CHECK(seccomp_load_filter(f, &err) == 0);
	/* clone3 reaches the kernel, which rejects the NULL argument */
	CHILD_CHECK(syscall(SYS_clone3, NULL, 0L) == -1 && errno != ENOSYS);
	CHILD_CHECK(REFUSED(syscall(SYS_keyctl, 0L, 0L, 0L, 0L, 0L), EPERM));
	seccomp_filter_free(f);
}

static void test_default_filter_caps(void **state)
{
	(void)state;
	assert_int_equal(run_child(child_default_with_sys_admin), 0);
}

static char *small_profile_path;

static void child_small_profile(void)
{
	child_load(small_profile_path);
	CHILD_CHECK(REFUSED(syscall(SYS_getppid), ENOSYS)); /* libc's getppid() cannot fail */
	CHILD_CHECK(REFUSED(dup(1000), 77));
	CHILD_CHECK(REFUSED(dup(1001), EBADF));
	CHILD_CHECK(REFUSED(dup2(0, 1001), 75));
	CHILD_CHECK(REFUSED(dup2(0, 1002), 75));
	CHILD_CHECK(dup2(0, 1003) == 1003);
	/* masked: (mask & 4095) == 18 */
	CHILD_CHECK(REFUSED(syscall(SYS_umask, 0x1012L), 76));
	CHILD_CHECK(syscall(SYS_umask, 077L) >= 0);
	CHILD_CHECK(syscall(SYS_getuid) >= 0);		/* includes CAP_SYS_ADMIN: not held */
	CHILD_CHECK(syscall(SYS_getgid) >= 0);		/* excludes CAP_CHOWN: held */
	CHILD_CHECK(REFUSED(syscall(SYS_getegid), 74)); /* includes this arch */
	CHILD_CHECK(syscall(SYS_geteuid) >= 0);		/* minKernel 999.0 */
	CHILD_CHECK(syscall(SYS_getpgrp) >= 0);		/* excludes this arch */
	CHILD_CHECK(syscall(SYS_getpid) > 0);
	/* errnoRet 0: the syscall "succeeds" without running */
	CHILD_CHECK(syscall(SYS_getsid, 0L) == 0);
}

static void test_small_profile_loads(void **state)
{
	int rc;

	(void)state;
	small_profile_path = write_temp(small_profile);
	rc = run_child(child_small_profile);
	unlink(small_profile_path);
	free(small_profile_path);
	assert_int_equal(rc, 0);
}

static void child_unconfined(void)
{
	child_load("unconfined");
	CHILD_CHECK(!REFUSED(syscall(SYS_keyctl, 0L, 0L, 0L, 0L, 0L), EPERM));
}

static void test_unconfined_loads_nothing(void **state)
{
	(void)state;
	assert_int_equal(run_child(child_unconfined), 0);
}

/* A filter of the host that refuses close_range (ENOSYS, then EPERM). */
static const char *const no_close_range[] = {
    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"close_range\"], "
    "\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38}]}",
    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"close_range\"], "
    "\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1}]}",
};
static char *no_close_range_path;

/* launch_mark_fds_cloexec() still marks every descriptor, through /proc/self/fd. */
static void child_mark_cloexec_fallback(void)
{
	struct sbx_error *err = NULL;
	int p[2];

	CHILD_CHECK(pipe(p) == 0);
	child_load(no_close_range_path);
	CHILD_CHECK(REFUSED(syscall(SYS_close_range, 3U, ~0U, 4U), ENOSYS) ||
		    REFUSED(syscall(SYS_close_range, 3U, ~0U, 4U), EPERM));
	CHILD_CHECK(launch_mark_fds_cloexec(&err) == 0);
	CHILD_CHECK(fcntl(p[0], F_GETFD) == FD_CLOEXEC && fcntl(p[1], F_GETFD) == FD_CLOEXEC);
	CHILD_CHECK(fcntl(2, F_GETFD) == 0);
}

static void test_mark_cloexec_fallback(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(no_close_range); i++) {
		int rc;

		no_close_range_path = write_temp(no_close_range[i]);
		rc = run_child(child_mark_cloexec_fallback);
		unlink(no_close_range_path);
		free(no_close_range_path);
		assert_int_equal(rc, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_syntax_error),
		cmocka_unit_test(test_json_unknown_action),
		cmocka_unit_test(test_json_missing_syscalls),
		cmocka_unit_test(test_json_bad_entries),
		cmocka_unit_test(test_json_small_profile_builds),
		cmocka_unit_test(test_file_errors_name_the_file),
		cmocka_unit_test(test_libseccomp_loop_refused),
		cmocka_unit_test(test_unconfined_and_default_build),
		cmocka_unit_test(test_default_filter),
#if defined(__x86_64__)
		cmocka_unit_test(test_compat_arches),
#endif
		cmocka_unit_test(test_default_filter_caps),
		cmocka_unit_test(test_small_profile_loads),
		cmocka_unit_test(test_unconfined_loads_nothing),
		cmocka_unit_test(test_mark_cloexec_fallback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
