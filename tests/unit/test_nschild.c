// SPDX-License-Identifier: GPL-2.0-or-later
/* test_nschild.c - the child that waits for "go" and reports back: result, error, death, abort */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nschild.h"

static int child_ok(void *arg, int sock, char *result, size_t size, struct sbx_error **err)
{
	(void)sock;
	(void)err;
	snprintf(result, size, "did %s", (const char *)arg);
	return 0;
}

static int child_fails(void *arg, int sock, char *result, size_t size, struct sbx_error **err)
{
	(void)arg;
	(void)sock;
	(void)result;
	(void)size;
	sbx_error_set_code(err, SBX_ERR_IMAGE_NOT_LOCAL, ENOENT, "image `%s`", "x");
	sbx_error_wrap(err, "in the child");
	sbx_error_hint(err, "pull it");
	sbx_error_exit_code(err, 3);
	return -1;
}

static int child_dies(void *arg, int sock, char *result, size_t size, struct sbx_error **err)
{
	(void)arg;
	(void)sock;
	(void)result;
	(void)size;
	(void)err;
	_exit(7);
}

static void start(struct nschild *c, nschild_fn fn, void *arg)
{
	cleanup_error struct sbx_error *err = NULL;
	struct nschild_opts o = {.clone_flags = 0, .what = "the test's child", .fn = fn, .arg = arg};

	assert_int_equal(nschild_start(&o, c, &err), 0);
	assert_true(c->pid > 0);
	assert_true(c->sock >= 0);
}

static void test_result(void **state)
{
	cleanup_error struct sbx_error *err = NULL;
	struct nschild c;
	char out[64];

	(void)state;
	start(&c, child_ok, "it");
	/* the child waits for go: nothing to read yet */
	assert_int_equal(recv(c.sock, out, sizeof(out), MSG_DONTWAIT), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(nschild_go(&c, &err), 0);
	assert_int_equal(nschild_finish(&c, out, sizeof(out), &err), 0);
	assert_string_equal(out, "did it");
	assert_int_equal(c.pid, 0);
	assert_int_equal(c.sock, -1);
}

/* The child's error arrives whole: message, hint, errnum, code, exit status. */
static void test_error_report(void **state)
{
	cleanup_error struct sbx_error *err = NULL;
	struct nschild c;

	(void)state;
	start(&c, child_fails, NULL);
	assert_int_equal(nschild_go(&c, &err), 0);
	assert_int_equal(nschild_finish(&c, NULL, 0, &err), -ENOENT);
	assert_string_equal(err->msg, "in the child: image `x`: No such file or directory");
	assert_string_equal(err->hint, "pull it");
	assert_int_equal(err->errnum, ENOENT);
	assert_true(sbx_error_is(err, SBX_ERR_IMAGE_NOT_LOCAL));
	assert_int_equal(err->exit_code, 3);
}

static void test_death_without_report(void **state)
{
	cleanup_error struct sbx_error *err = NULL;
	struct nschild c;

	(void)state;
	start(&c, child_dies, NULL);
	assert_int_equal(nschild_go(&c, &err), 0);
	assert_true(nschild_finish(&c, NULL, 0, &err) < 0);
	assert_string_equal(err->msg, "the test's child died (status 1792)");
}

/* Without go the child never runs its function; abort kills and reaps it. */
static void test_abort(void **state)
{
	struct nschild c;
	pid_t pid;

	(void)state;
	start(&c, child_dies, NULL);
	pid = c.pid;
	nschild_abort(&c);
	assert_int_equal(c.pid, 0);
	assert_int_equal(c.sock, -1);
	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(errno, ESRCH);
	nschild_abort(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_result),
	    cmocka_unit_test(test_error_report),
	    cmocka_unit_test(test_death_without_report),
	    cmocka_unit_test(test_abort),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
