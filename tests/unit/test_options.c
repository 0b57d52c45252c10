// SPDX-License-Identifier: GPL-2.0-or-later
/* test_options.c - unit tests for -v, --tmpfs, size and --env-file parsing */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "options.h"

static void free_volume(struct sbx_volume *v)
{
	free(v->source);
	free(v->target);
}

static void test_volume_ok(void **state)
{
	struct sbx_volume v;
	struct sbx_error *err = NULL;

	(void)state;
	assert_int_equal(options_parse_volume("/srv/data:/data", &v, &err), 0);
	assert_string_equal(v.source, "/srv/data");
	assert_string_equal(v.target, "/data");
	assert_false(v.read_only);
	free_volume(&v);

	assert_int_equal(options_parse_volume("/srv//x/./:/mnt/y/:ro", &v, &err), 0);
	assert_string_equal(v.source, "/srv/x");
	assert_string_equal(v.target, "/mnt/y");
	assert_true(v.read_only);
	free_volume(&v);

	assert_int_equal(options_parse_volume("/a:/b:rw,z", &v, &err), 0);
	assert_false(v.read_only);
	free_volume(&v);

	/* relative host paths are made absolute */
	assert_int_equal(options_parse_volume(".:/cwd", &v, &err), 0);
	assert_true(v.source[0] == '/');
	free_volume(&v);
}

static void test_volume_bad(void **state)
{
	static const char *const bad[] = {
	    "/only-one-part", ":/x", "/a:relative", "/a:/b:bogus", "name:/x", "/a:/b/../c", "/a:..", "/a:",
	};
	struct sbx_volume v;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sbx_error *err = NULL;

		assert_true(options_parse_volume(bad[i], &v, &err) < 0);
		assert_non_null(err);
		assert_non_null(strstr(err->msg, bad[i][0] ? "volume" : "volume"));
		assert_int_equal(err->exit_code, 125);
		sbx_error_free(err);
	}
}

static void test_tmpfs(void **state)
{
	struct sbx_tmpfs t;
	struct sbx_error *err = NULL;

	(void)state;
	assert_int_equal(options_parse_tmpfs("/run", &t, &err), 0);
	assert_string_equal(t.target, "/run");
	assert_int_equal(t.flags, MS_NOSUID | MS_NODEV | MS_NOEXEC);
	assert_null(t.data);
	free(t.target);

	assert_int_equal(options_parse_tmpfs("/run:rw,size=64m,mode=1777,exec", &t, &err), 0);
	assert_int_equal(t.flags, MS_NOSUID | MS_NODEV);
	assert_string_equal(t.data, "size=64m,mode=1777");
	free(t.target);
	free(t.data);

	assert_int_equal(options_parse_tmpfs("/x:ro", &t, &err), 0);
	assert_true(t.flags & MS_RDONLY);
	free(t.target);

	assert_true(options_parse_tmpfs("relative", &t, &err) < 0);
	sbx_error_free(err);
	err = NULL;
	assert_true(options_parse_tmpfs("/x:bogus", &t, &err) < 0);
	sbx_error_free(err);
	err = NULL;
	assert_true(options_parse_tmpfs("/x:uid=0,context=evil", &t, &err) < 0);
	sbx_error_free(err);
}

static void test_size(void **state)
{
	int64_t v;

	(void)state;
	assert_int_equal(options_parse_size("64m", &v), 0);
	assert_int_equal(v, 64LL << 20);
	assert_int_equal(options_parse_size("1G", &v), 0);
	assert_int_equal(v, 1LL << 30);
	assert_int_equal(options_parse_size("512k", &v), 0);
	assert_int_equal(v, 512LL << 10);
	assert_int_equal(options_parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(options_parse_size("10b", &v), 0);
	assert_int_equal(v, 10);
	assert_true(options_parse_size("", &v) < 0);
	assert_true(options_parse_size("m", &v) < 0);
	assert_true(options_parse_size("0", &v) < 0);
	assert_true(options_parse_size("-5m", &v) < 0);
	assert_true(options_parse_size("1.5g", &v) < 0);
	assert_true(options_parse_size("99999999999999999999g", &v) < 0);
	assert_true(options_parse_size("9999999999999g", &v) < 0);
}

static void test_env_file(void **state)
{
	char path[] = "/tmp/sbx-envXXXXXX";
	int fd = mkstemp(path);
	struct strv env = {0};
	struct sbx_error *err = NULL;
	static const char content[] =
	    "# comment\nA=1\n\n  B=two words\r\nFROM_CALLER\nNOT_SET_ANYWHERE_XYZ\n";

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, sizeof(content) - 1), (ssize_t)sizeof(content) - 1);
	close(fd);
	setenv("FROM_CALLER", "x", 1);
	assert_int_equal(options_parse_env_file(path, &env, &err), 0);
	assert_int_equal(env.n, 3);
	assert_string_equal(env.v[0], "A=1");
	assert_string_equal(env.v[1], "B=two words");
	assert_string_equal(env.v[2], "FROM_CALLER=x");
	strv_clear(&env);

	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "=bad\n", 5), 5);
	close(fd);
	assert_true(options_parse_env_file(path, &env, &err) < 0);
	sbx_error_free(err);
	err = NULL;
	unlink(path);
	assert_true(options_parse_env_file(path, &env, &err) < 0);
	assert_non_null(strstr(err->msg, "--env-file"));
	sbx_error_free(err);
	strv_clear(&env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_volume_ok), cmocka_unit_test(test_volume_bad), cmocka_unit_test(test_tmpfs),
	    cmocka_unit_test(test_size),      cmocka_unit_test(test_env_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
