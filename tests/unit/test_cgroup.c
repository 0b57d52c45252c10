// SPDX-License-Identifier: GPL-2.0-or-later
/* test_cgroup.c - unit tests for the cgroup module's parsers and formatters */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"

static void test_proc_self(void **state)
{
	char *p = NULL;

	(void)state;
	assert_int_equal(cgroup_parse_proc_self(
			     "0::/user.slice/user-1000.slice/user@1000.service/app.slice/x.scope\n", &p),
			 0);
	assert_string_equal(p, "/user.slice/user-1000.slice/user@1000.service/app.slice/x.scope");
	free(p);
	/* hybrid: v1 lines first, the unified line last */
	assert_int_equal(cgroup_parse_proc_self("9:name=systemd:/\n4:memory:/a\n1:cpu:/\n0::/\n", &p), 0);
	assert_string_equal(p, "/");
	free(p);
	/* v1 only */
	assert_int_equal(cgroup_parse_proc_self("4:memory:/a\n1:cpu:/\n", &p), -1);
	assert_int_equal(cgroup_parse_proc_self("", &p), -1);
}

static const char mi_pure[] = "22 1 0:21 / / rw - ext4 /dev/sda1 rw\n"
			      "30 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - "
			      "cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n";
static const char mi_hybrid[] = "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
				"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
				"35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n";
static const char mi_escaped[] = "41 31 0:38 /user.slice /mnt/my\\040cgroups rw - cgroup2 cgroup2 rw\n";

static void test_mountinfo(void **state)
{
	char *mp = NULL, *root = NULL;

	(void)state;
	assert_int_equal(cgroup_parse_mountinfo(mi_pure, &mp, &root), 0);
	assert_string_equal(mp, "/sys/fs/cgroup");
	assert_string_equal(root, "/");
	free(mp);
	free(root);
	assert_int_equal(cgroup_parse_mountinfo(mi_hybrid, &mp, &root), 0);
	assert_string_equal(mp, "/sys/fs/cgroup/unified");
	free(mp);
	free(root);
	assert_int_equal(cgroup_parse_mountinfo(mi_escaped, &mp, &root), 0);
	assert_string_equal(mp, "/mnt/my cgroups");
	assert_string_equal(root, "/user.slice");
	free(mp);
	free(root);
	assert_int_equal(cgroup_parse_mountinfo(
			     "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n", &mp, &root),
			 -1);
}

static void test_resolve(void **state)
{
	char *p;

	(void)state;
	p = cgroup_resolve("/sys/fs/cgroup", "/", "/user.slice/a.scope");
	assert_string_equal(p, "/sys/fs/cgroup/user.slice/a.scope");
	free(p);
	p = cgroup_resolve("/sys/fs/cgroup/unified", "/", "/");
	assert_string_equal(p, "/sys/fs/cgroup/unified");
	free(p);
	p = cgroup_resolve("/mnt/cg", "/user.slice", "/user.slice/a.scope");
	assert_string_equal(p, "/mnt/cg/a.scope");
	free(p);
	assert_null(cgroup_resolve("/mnt/cg", "/user.slice", "/system.slice/b.service"));
	assert_null(cgroup_resolve("/mnt/cg", "/user.slice", "/user.slicex/a"));
	assert_null(cgroup_resolve("/sys/fs/cgroup", "/", "/../../outside"));
}

static void test_words_and_keys(void **state)
{
	(void)state;
	assert_true(cgroup_has_word("cpuset cpu io memory pids", "cpu"));
	assert_true(cgroup_has_word("cpuset cpu io memory pids\n", "pids"));
	assert_false(cgroup_has_word("cpuset io memory", "cpu"));
	assert_false(cgroup_has_word("hugetlb", "memory"));
	assert_false(cgroup_has_word("", "memory"));
	assert_int_equal(cgroup_key_value("low 0\nhigh 0\nmax 12\noom 3\noom_kill 2\n", "oom_kill"), 2);
	assert_int_equal(cgroup_key_value("low 0\nhigh 0\nmax 12\noom 3\noom_kill 2\n", "oom"), 3);
	assert_int_equal(cgroup_key_value("populated 1\nfrozen 0\n", "populated"), 1);
	assert_int_equal(cgroup_key_value("populated 1\n", "missing"), -1);
}

static void test_format(void **state)
{
	char b[64];

	(void)state;
	cgroup_format_size(64LL << 20, b, sizeof(b));
	assert_string_equal(b, "64M");
	cgroup_format_size(2LL << 30, b, sizeof(b));
	assert_string_equal(b, "2G");
	cgroup_format_size(1536LL << 10, b, sizeof(b));
	assert_string_equal(b, "1536K");
	cgroup_format_size(1000, b, sizeof(b));
	assert_string_equal(b, "1000");
	assert_int_equal(cgroup_cpu_max(0.2, b, sizeof(b)), 0);
	assert_string_equal(b, "20000 100000");
	assert_int_equal(cgroup_cpu_max(1.5, b, sizeof(b)), 0);
	assert_string_equal(b, "150000 100000");
	assert_int_equal(cgroup_cpu_max(0.001, b, sizeof(b)), 0);
	assert_string_equal(b, "1000 100000");
	assert_int_equal(cgroup_cpu_max(0, b, sizeof(b)), -1);
	assert_int_equal(cgroup_cpu_max(-1, b, sizeof(b)), -1);
}

static void test_no_limits_no_cgroup(void **state)
{
	struct cgroup_limits l = {.memory = -1, .pids = -1, .cpus = 0};
	struct cgroup_sandbox cg = CGROUP_SANDBOX_INIT;
	struct sbx_error *err = NULL;

	(void)state;
	assert_false(cgroup_limits_requested(&l));
	assert_int_equal(cgroup_create(&l, "0123456789ab", "/nonexistent", &cg, &err), 0);
	assert_null(cg.path);
	assert_null(err);
	assert_int_equal(cgroup_enter(&cg, 1, &err), 0);
	assert_int_equal(cgroup_oom_kills(&cg), 0);
	cgroup_destroy(&cg);
	l.pids = 10;
	assert_true(cgroup_limits_requested(&l));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_proc_self), cmocka_unit_test(test_mountinfo),
	    cmocka_unit_test(test_resolve),   cmocka_unit_test(test_words_and_keys),
	    cmocka_unit_test(test_format),    cmocka_unit_test(test_no_limits_no_cgroup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
