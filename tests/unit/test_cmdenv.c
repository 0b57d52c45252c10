// SPDX-License-Identifier: GPL-2.0-or-later
/* test_cmdenv.c - a command's environment: defaults, image Env, -e, TERM with a terminal */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "cmdenv.h"
#include "passwd.h"

static void assert_env(const struct strv *env, const char *const *want, size_t n)
{
	assert_int_equal(env->n, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(env->v[i], want[i]);
	assert_null(env->v[n]);
}

static void test_defaults_then_image_then_e(void **state)
{
	char *image_env[] = {"PATH=/image/bin", "LANG=C.UTF-8", "TERM=dumb", NULL};
	char *e[] = {"LANG=de_DE.UTF-8", "NEW=1"};
	struct strv user_env = {.v = e, .n = 2};
	struct passwd_creds cr = {.user = "app", .home = "/home/app"};
	static const char *const want[] = {
	    "HOSTNAME=box",	 "HOME=/home/app",   "USER=app",
	    "container=sandbox", "SANDBOX=0123",     "PATH=/image/bin",
	    "TERM=dumb",	 "LANG=de_DE.UTF-8", "NEW=1",
	};
	struct strv env = {0};

	(void)state;
	cmdenv_build(&(struct cmdenv_input){.hostname = "box",
					    .creds = &cr,
					    .tty = true,
					    .sandbox_id = "0123",
					    .image_env = image_env,
					    .user_env = &user_env},
		     &env);
	assert_env(&env, want, ARRAY_SIZE(want));
	strv_clear(&env);
}

static void test_minimal(void **state)
{
	struct passwd_creds cr = {0};
	static const char *const want[] = {"PATH=" SBX_DEFAULT_PATH, "HOME=/", "container=sandbox",
					   "SANDBOX=id"};
	struct strv env = {0};

	(void)state;
	cmdenv_build(&(struct cmdenv_input){.creds = &cr, .sandbox_id = "id"}, &env);
	assert_env(&env, want, ARRAY_SIZE(want));
	strv_clear(&env);
}

static void test_tty_term_is_xterm(void **state)
{
	struct passwd_creds cr = {0};
	static const char *const want[] = {"PATH=" SBX_DEFAULT_PATH, "HOME=/", "TERM=xterm",
					   "container=sandbox", "SANDBOX=id"};
	struct strv env = {0};

	(void)state;
	setenv("TERM", "sbx-host-term", 1);
	cmdenv_build(&(struct cmdenv_input){.creds = &cr, .tty = true, .sandbox_id = "id"}, &env);
	assert_env(&env, want, ARRAY_SIZE(want));
	strv_clear(&env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults_then_image_then_e),
	    cmocka_unit_test(test_minimal),
	    cmocka_unit_test(test_tty_term_is_xterm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
