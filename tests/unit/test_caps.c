// SPDX-License-Identifier: GPL-2.0-or-later
/* test_caps.c - unit tests of lib/isolate/caps.c: names, --cap-add/--cap-drop, apply */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "caps.h"

#define SKIP_STATUS 77

/* Checks inside a forked child, where cmocka's assertions must not run. */
#define CHILD_CHECK(cond)                                                                                    \
	do {                                                                                                 \
		if (!(cond)) {                                                                               \
			fprintf(stderr, "%s:%d: child check failed: %s\n", __FILE__, __LINE__, #cond);       \
			_exit(1);                                                                            \
		}                                                                                            \
	} while (0)

static void set_from(struct strv *s, const char *const *names)
{
	for (; names && *names; names++)
		strv_push(s, *names);
}

/**
 * compute() - caps_compute() on NULL-terminated lists of names
 * @add:	names for --cap-add, or NULL
 * @drop:	names for --cap-drop, or NULL
 * @privileged:	--privileged
 * @set:	result
 * @msg:	if not NULL, set to a copy of the error message (or NULL)
 *
 * Return: what caps_compute() returned.
 */
static int compute(const char *const *add, const char *const *drop, bool privileged, uint64_t *set,
		   char **msg)
{
	struct strv a = {0}, d = {0};
	struct sbx_error *err = NULL;
	int rc;

	set_from(&a, add);
	set_from(&d, drop);
	rc = caps_compute(&a, &d, privileged, set, &err);
	if (msg)
		*msg = err && err->msg ? strdup(err->msg) : NULL;
	sbx_error_free(err);
	strv_clear(&a);
	strv_clear(&d);
	return rc;
}

static void test_parse_name_forms(void **state)
{
	static const char *const forms[] = {
	    "CAP_NET_RAW", "NET_RAW", "net_raw", "cap_net_raw", "Cap_Net_Raw", "nEt_RaW",
	};
	int cap;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
		cap = -1;
		assert_int_equal(caps_parse_name(forms[i], &cap), 0);
		assert_int_equal(cap, CAP_NET_RAW);
	}
	assert_int_equal(caps_parse_name("CHOWN", &cap), 0);
	assert_int_equal(cap, CAP_CHOWN);
	assert_int_equal(caps_parse_name("sys_admin", &cap), 0);
	assert_int_equal(cap, CAP_SYS_ADMIN);
	assert_int_equal(caps_parse_name("CAP_SETFCAP", &cap), 0);
	assert_int_equal(cap, CAP_SETFCAP);
}

static void test_parse_name_invalid(void **state)
{
	static const char *const bad[] = {
	    "",	       "ALL",
	    "all",     "CAP_",
	    "cap_",    "NET_RAWX",
	    "NET_RA",  "13",
	    "CAP_13",  "net raw",
	    "NET-RAW", "CAP_CAP_CHOWN",
	    " CHOWN",  "CHOWN ",
	    "CHOWN\n", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	};
	int cap = 1234;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (caps_parse_name(bad[i], &cap) != -EINVAL)
			fail_msg("caps_parse_name(\"%s\") accepted", bad[i]);
	}
	assert_int_equal(caps_parse_name(NULL, &cap), -EINVAL);
	assert_int_equal(cap, 1234); /* untouched on failure */
}

static void test_default_set(void **state)
{
	uint64_t set = 0;

	(void)state;
	assert_int_equal(compute(NULL, NULL, false, &set, NULL), 0);
	assert_true(set == CAPS_DEFAULT_SET);
	/* podman's 11 */
	assert_int_equal(__builtin_popcountll(set), 11);
	assert_true(set & CAPS_BIT(CAP_NET_BIND_SERVICE));
	assert_false(set & CAPS_BIT(CAP_NET_RAW));
	assert_false(set & CAPS_BIT(CAP_SYS_ADMIN));
	assert_false(set & CAPS_BIT(CAP_MKNOD));
	assert_false(set & CAPS_BIT(CAP_AUDIT_WRITE));
}

static void test_add_drop(void **state)
{
	static const char *const add[] = {"NET_RAW", "cap_sys_ptrace", NULL};
	static const char *const drop[] = {"CAP_CHOWN", "kill", NULL};
	static const char *const both[] = {"SYS_ADMIN", NULL};
	uint64_t set = 0;

	(void)state;
	assert_int_equal(compute(add, drop, false, &set, NULL), 0);
	assert_true(set == ((CAPS_DEFAULT_SET & ~(CAPS_BIT(CAP_CHOWN) | CAPS_BIT(CAP_KILL))) |
			    CAPS_BIT(CAP_NET_RAW) | CAPS_BIT(CAP_SYS_PTRACE)));
	/* in both lists: docker drops first, then adds */
	assert_int_equal(compute(both, both, false, &set, NULL), 0);
	assert_true(set == (CAPS_DEFAULT_SET | CAPS_BIT(CAP_SYS_ADMIN)));
	/* dropping what is not there is fine */
	assert_int_equal(compute(NULL, both, false, &set, NULL), 0);
	assert_true(set == CAPS_DEFAULT_SET);
}

static void test_all(void **state)
{
	static const char *const all[] = {"ALL", NULL};
	static const char *const all_lower[] = {"all", NULL};
	static const char *const chown_[] = {"CHOWN", NULL};
	static const char *const raw[] = {"NET_RAW", NULL};
	uint64_t kernel = caps_kernel_set(), set = 0;

	(void)state;
	assert_int_equal(compute(all, NULL, false, &set, NULL), 0);
	assert_true(set == kernel);
	assert_int_equal(compute(all_lower, chown_, false, &set, NULL), 0);
	assert_true(set == (kernel & ~CAPS_BIT(CAP_CHOWN)));
	assert_int_equal(compute(raw, all, false, &set, NULL), 0);
	assert_true(set == CAPS_BIT(CAP_NET_RAW));
	assert_int_equal(compute(NULL, all_lower, false, &set, NULL), 0);
	assert_true(set == 0);
	/* docker: ALL in --cap-add wins over ALL in --cap-drop */
	assert_int_equal(compute(all, all, false, &set, NULL), 0);
	assert_true(set == kernel);
}

static void test_privileged(void **state)
{
	static const char *const chown_[] = {"CHOWN", NULL};
	uint64_t set = 0;
	char buf[16] = "";
	FILE *f;
	int last = -1;

	(void)state;
	assert_int_equal(compute(NULL, chown_, true, &set, NULL), 0);
	assert_true(set == caps_kernel_set());
	f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	if (f) {
		if (fgets(buf, sizeof(buf), f))
			last = atoi(buf);
		fclose(f);
	}
	if (last > 0 && last < 63)
		assert_true(set == (CAPS_BIT(last + 1) - 1));
	assert_true((set & CAPS_DEFAULT_SET) == CAPS_DEFAULT_SET);
}

static void test_unknown_name(void **state)
{
	static const char *const bad[] = {"NET_RAW", "CAP_FROBNICATE", NULL};
	uint64_t set = 42;
	char *msg = NULL;

	(void)state;
	assert_true(compute(bad, NULL, false, &set, &msg) < 0);
	assert_non_null(msg);
	assert_string_equal(msg, "unknown capability `CAP_FROBNICATE`");
	free(msg);
	msg = NULL;
	assert_true(compute(NULL, bad, false, &set, &msg) < 0);
	assert_string_equal(msg, "unknown capability `CAP_FROBNICATE`");
	free(msg);
	/* a typo is reported even with --privileged */
	assert_true(compute(bad, NULL, true, &set, NULL) < 0);
	assert_true(set == 42);
}

static void test_format(void **state)
{
	char *s;

	(void)state;
	s = caps_format(CAPS_DEFAULT_SET);
	assert_string_equal(s, "CAP_CHOWN,CAP_DAC_OVERRIDE,CAP_FOWNER,CAP_FSETID,CAP_KILL,"
			       "CAP_SETGID,CAP_SETUID,CAP_SETPCAP,CAP_NET_BIND_SERVICE,"
			       "CAP_SYS_CHROOT,CAP_SETFCAP");
	free(s);
	s = caps_format(0);
	assert_string_equal(s, "");
	free(s);
	s = caps_format(CAPS_BIT(CAP_KILL) | CAPS_BIT(62));
	assert_string_equal(s, "CAP_KILL,CAP_62");
	free(s);
	s = caps_format(UINT64_MAX);
	assert_non_null(strstr(s, "CAP_SYS_ADMIN,"));
	free(s);
}

/**
 * run_child() - run @fn in a forked child and collect its verdict
 * @fn:		exits 0 (pass), 1 (fail) or SKIP_STATUS
 *
 * Return: the child's exit status, or -1 if it was killed.
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
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void expect_child(void (*fn)(void), const char *skip_why)
{
	int rc = run_child(fn);

	if (rc == SKIP_STATUS) {
		fprintf(stderr, "skipped: %s\n", skip_why);
		skip();
	}
	assert_int_equal(rc, 0);
}

/* Bits of one capability set of the calling process. */
static uint64_t proc_set(cap_flag_t which)
{
	cap_t c = cap_get_proc();
	uint64_t set = 0;

	CHILD_CHECK(c != NULL);
	for (int i = 0; i <= CAP_LAST_CAP && i < 64; i++) {
		cap_flag_value_t v;

		if (cap_get_flag(c, (cap_value_t)i, which, &v) == 0 && v == CAP_SET)
			set |= CAPS_BIT(i);
	}
	cap_free(c);
	return set;
}

static uint64_t bounding_set(void)
{
	uint64_t set = 0;

	for (int i = 0; i < 64; i++)
		if (prctl(PR_CAPBSET_READ, (unsigned long)i, 0L, 0L, 0L) == 1)
			set |= CAPS_BIT(i);
	return set;
}

static void child_apply_in_userns(void)
{
	struct sbx_error *err = NULL;
	uint64_t want = CAPS_DEFAULT_SET | CAPS_BIT(CAP_NET_RAW);

	if (unshare(CLONE_NEWUSER) < 0)
		_exit(SKIP_STATUS);
	/* root of a new user namespace: everything */
	CHILD_CHECK((proc_set(CAP_EFFECTIVE) & CAPS_BIT(CAP_SYS_ADMIN)) != 0);
	/* bit 62 is unknown to every kernel: must be ignored, not fail */
	CHILD_CHECK(caps_apply(want | CAPS_BIT(62), &err) == 0);
	CHILD_CHECK(proc_set(CAP_PERMITTED) == want);
	CHILD_CHECK(proc_set(CAP_EFFECTIVE) == want);
	CHILD_CHECK(proc_set(CAP_INHERITABLE) == 0);
	CHILD_CHECK(bounding_set() == want);
	CHILD_CHECK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_CHOWN, 0L, 0L) == 0);
	/* what is gone stays gone: applying a bigger set gives nothing back */
	CHILD_CHECK(caps_apply(want | CAPS_BIT(CAP_SYS_ADMIN), &err) == 0);
	CHILD_CHECK(bounding_set() == want);
	CHILD_CHECK(proc_set(CAP_EFFECTIVE) == want);
	CHILD_CHECK(caps_apply(0, &err) == 0);
	CHILD_CHECK(proc_set(CAP_PERMITTED) == 0 && bounding_set() == 0);
	sbx_error_free(err);
}

static void test_apply_userns(void **state)
{
	(void)state;
	expect_child(child_apply_in_userns, "no unprivileged user namespaces here");
}

/* -u USER with PR_SET_KEEPCAPS: setresuid() first, then caps_apply() */
static void child_apply_after_setuid_keepcaps(void)
{
	struct sbx_error *err = NULL;

	if (geteuid() != 0)
		_exit(SKIP_STATUS);
	CHILD_CHECK(prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L) == 0);
	CHILD_CHECK(setresgid(65534, 65534, 65534) == 0);
	CHILD_CHECK(setresuid(65534, 65534, 65534) == 0);
	CHILD_CHECK(proc_set(CAP_EFFECTIVE) == 0);
	CHILD_CHECK(caps_apply(CAPS_DEFAULT_SET, &err) == 0);
	CHILD_CHECK(bounding_set() == (CAPS_DEFAULT_SET & caps_kernel_set()));
	CHILD_CHECK(proc_set(CAP_PERMITTED) == CAPS_DEFAULT_SET);
	CHILD_CHECK(proc_set(CAP_INHERITABLE) == 0);
	sbx_error_free(err);
}

static void test_apply_after_setuid_keepcaps(void **state)
{
	(void)state;
	expect_child(child_apply_after_setuid_keepcaps, "needs root to switch users");
}

/* setresuid() without keepcaps: nothing left to shrink the bounding set */
static void child_apply_after_setuid_plain(void)
{
	struct sbx_error *err = NULL;

	if (geteuid() != 0)
		_exit(SKIP_STATUS);
	CHILD_CHECK(setresgid(65534, 65534, 65534) == 0);
	CHILD_CHECK(setresuid(65534, 65534, 65534) == 0);
	CHILD_CHECK(caps_apply(CAPS_DEFAULT_SET, &err) == -EPERM);
	CHILD_CHECK(err && err->hint && strstr(err->msg, "bounding set"));
	sbx_error_free(err);
	err = NULL;
	/* nothing to drop: it clears ambient and the (already empty) rest */
	CHILD_CHECK(caps_apply(caps_kernel_set(), &err) == 0);
	CHILD_CHECK(proc_set(CAP_PERMITTED) == 0 && proc_set(CAP_INHERITABLE) == 0);
}

static void test_apply_after_setuid_plain(void **state)
{
	(void)state;
	expect_child(child_apply_after_setuid_plain, "needs root to switch users");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_name_forms),
	    cmocka_unit_test(test_parse_name_invalid),
	    cmocka_unit_test(test_default_set),
	    cmocka_unit_test(test_add_drop),
	    cmocka_unit_test(test_all),
	    cmocka_unit_test(test_privileged),
	    cmocka_unit_test(test_unknown_name),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_apply_userns),
	    cmocka_unit_test(test_apply_after_setuid_keepcaps),
	    cmocka_unit_test(test_apply_after_setuid_plain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
