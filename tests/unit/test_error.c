// SPDX-License-Identifier: GPL-2.0-or-later
/* test_error.c - the error module: messages with context, codes, hints, out of memory */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"

static void test_set_and_wrap(void **state)
{
	cleanup_error struct sbx_error *err = NULL;

	(void)state;
	assert_int_equal(sbx_error_set(&err, EINVAL, "lowerdir `%s`", "/y"), -EINVAL);
	assert_non_null(err);
	assert_string_equal(err->msg, "lowerdir `/y`: Invalid argument");
	assert_int_equal(err->errnum, EINVAL);
	assert_int_equal(err->exit_code, SBX_EXIT_FAILURE);
	assert_int_equal(err->code, SBX_ERR_GENERIC);
	assert_int_equal(sbx_error_wrap(&err, "mount overlay on `%s`", "/x"), -EINVAL);
	assert_string_equal(err->msg, "mount overlay on `/x`: lowerdir `/y`: Invalid argument");
}

static void test_no_errnum(void **state)
{
	cleanup_error struct sbx_error *err = NULL;

	(void)state;
	assert_int_equal(sbx_error_set(&err, 0, "bad %s", "input"), -1);
	assert_string_equal(err->msg, "bad input");
	assert_int_equal(err->errnum, 0);
	assert_int_equal(sbx_error_wrap(&err, "ctx"), -1);
	assert_string_equal(err->msg, "ctx: bad input");
}

static void test_set_replaces(void **state)
{
	cleanup_error struct sbx_error *err = NULL;

	(void)state;
	sbx_error_set_code(&err, SBX_ERR_IMAGE_NOT_LOCAL, 0, "first");
	sbx_error_hint(&err, "hint one");
	sbx_error_set(&err, ENOENT, "second");
	assert_string_equal(err->msg, "second: No such file or directory");
	assert_null(err->hint);
	assert_int_equal(err->code, SBX_ERR_GENERIC);
}

static void test_code_survives_wrap(void **state)
{
	cleanup_error struct sbx_error *err = NULL;

	(void)state;
	assert_int_equal(sbx_error_set_code(&err, SBX_ERR_IMAGE_NOT_LOCAL, 0, "image `%s`: gone", "a"), -1);
	assert_true(sbx_error_is(err, SBX_ERR_IMAGE_NOT_LOCAL));
	assert_false(sbx_error_is(err, SBX_ERR_NOMEM));
	sbx_error_wrap(&err, "run");
	sbx_error_hint(&err, "pull it (`sandbox pull %s`)", "a");
	assert_true(sbx_error_is(err, SBX_ERR_IMAGE_NOT_LOCAL));
	assert_string_equal(err->msg, "run: image `a`: gone");
	assert_string_equal(err->hint, "pull it (`sandbox pull a`)");
	assert_false(sbx_error_is(NULL, SBX_ERR_GENERIC));
}

static void test_hint_and_exit_code(void **state)
{
	cleanup_error struct sbx_error *err = NULL;

	(void)state;
	sbx_error_set(&err, 0, "not found");
	sbx_error_exit_code(&err, SBX_EXIT_NOT_FOUND);
	assert_int_equal(err->exit_code, SBX_EXIT_NOT_FOUND);
	sbx_error_hint(&err, "one");
	sbx_error_hint(&err, "two %d", 2);
	assert_string_equal(err->hint, "two 2");
}

static void test_null_err(void **state)
{
	(void)state;
	assert_int_equal(sbx_error_set(NULL, EPERM, "x"), -EPERM);
	assert_int_equal(sbx_error_set(NULL, 0, "x"), -1);
	assert_int_equal(sbx_error_wrap(NULL, "x"), -1);
	sbx_error_hint(NULL, "x");
	sbx_error_exit_code(NULL, 1);
	sbx_error_free(NULL);
}

/*
 * Out of memory, for real: a child caps its address space at what it
 * already maps, so the message of a new error cannot be allocated. *err
 * must then be the static out-of-memory error, which wrap, hint, exit_code
 * and free leave alone.
 */
static int oom_child(void)
{
	size_t big = 4u << 20;
	char *arg = malloc(big), *p;
	struct sbx_error *err = NULL;
	struct rlimit rl;
	long pages = 0;
	FILE *f;
	int ret;

	if (!arg)
		return 10;
	memset(arg, 'x', big - 1);
	arg[big - 1] = '\0';
	f = fopen("/proc/self/statm", "re");
	if (!f || fscanf(f, "%ld", &pages) != 1)
		return 11;
	fclose(f);
	rl.rlim_cur = rl.rlim_max = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE);
	if (setrlimit(RLIMIT_AS, &rl) < 0)
		return 12;
	p = malloc(big);
	if (p)
		return 13; /* the cap did not bite: nothing tested */
	ret = sbx_error_set(&err, EIO, "%s", arg);
	if (ret != -ENOMEM || !err || err->errnum != ENOMEM || !sbx_error_is(err, SBX_ERR_NOMEM))
		return 14;
	if (strcmp(err->msg, "out of memory") != 0 || err->exit_code != SBX_EXIT_FAILURE)
		return 15;
	if (sbx_error_wrap(&err, "%s", arg) != -ENOMEM || strcmp(err->msg, "out of memory") != 0)
		return 16;
	sbx_error_hint(&err, "h");
	sbx_error_exit_code(&err, 3);
	if (err->hint || err->exit_code != SBX_EXIT_FAILURE)
		return 17;
	sbx_error_free(err);
	sbx_error_free(err);
	err = NULL;
	if (sbx_error_set(&err, 0, "%s", arg) != -ENOMEM || !sbx_error_is(err, SBX_ERR_NOMEM))
		return 18;
	sbx_error_cleanup(&err);
	return err ? 19 : 0;
}

static void test_out_of_memory(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(oom_child());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_set_and_wrap),       cmocka_unit_test(test_no_errnum),
	    cmocka_unit_test(test_set_replaces),       cmocka_unit_test(test_code_survives_wrap),
	    cmocka_unit_test(test_hint_and_exit_code), cmocka_unit_test(test_null_err),
	    cmocka_unit_test(test_out_of_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
