// SPDX-License-Identifier: GPL-2.0-or-later
/* test_safepath.c - paths inside a root never lead out of it (openat2 and the walk) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safepath.h"
#include "util.h"

struct fixture {
	char dir[64]; /* holds root/ and outside/ */
	int rootfd;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char p[PATH_MAX];

	strcpy(f->dir, "/tmp/sbx-safepathXXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
#define MK(fmt, ...) (snprintf(p, sizeof(p), fmt, __VA_ARGS__), p)
	if (mkdir(MK("%s/root", f->dir), 0755) || mkdir(MK("%s/outside", f->dir), 0755) ||
	    mkdir(MK("%s/root/etc", f->dir), 0755) || mkdir(MK("%s/root/real", f->dir), 0755))
		return -1;
	close(open(MK("%s/outside/secret", f->dir), O_CREAT | O_WRONLY, 0600));
	close(open(MK("%s/root/etc/passwd", f->dir), O_CREAT | O_WRONLY, 0644));
	/* hostile links: absolute, relative climbing, chained, a loop */
	if (symlink("/etc/passwd", MK("%s/root/abs", f->dir)) ||
	    symlink("../../outside/secret", MK("%s/root/etc/rel", f->dir)) ||
	    symlink("../../../../outside", MK("%s/root/up", f->dir)) ||
	    symlink("up", MK("%s/root/chain", f->dir)) || symlink("loop", MK("%s/root/loop", f->dir)) ||
	    symlink("/real", MK("%s/root/dirlink", f->dir)) ||
	    symlink("../nowhere/file", MK("%s/root/etc/dangling", f->dir)))
		return -1;
#undef MK
	snprintf(p, sizeof(p), "%s/root", f->dir);
	f->rootfd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	*state = f;
	return f->rootfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	close(f->rootfd);
	util_rm_rf(f->dir, NULL);
	free(f);
	safepath_force_walk = false;
	return 0;
}

/* @fd must be the file @rel below root/ */
static void assert_is(struct fixture *f, int fd, const char *rel)
{
	char p[PATH_MAX];
	struct stat a, b;

	snprintf(p, sizeof(p), "%s/root/%s", f->dir, rel);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(stat(p, &b), 0);
	assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	close(fd);
}

static void run_cases(void **state)
{
	struct fixture *f = *state;
	struct sbx_error *err = NULL;
	int fd;

	/* an absolute link resolves against the root, not the host */
	assert_is(f, safepath_open(f->rootfd, "abs", O_PATH, &err), "etc/passwd");
	/* `..` stops at the root */
	assert_is(f, safepath_open(f->rootfd, "../../../etc/passwd", O_PATH, &err), "etc/passwd");
	assert_is(f, safepath_open(f->rootfd, "/real/../../..", O_PATH | O_DIRECTORY, &err), ".");
	/* relative links that climb out end at the root's own names */
	fd = safepath_open(f->rootfd, "etc/rel", O_PATH, &err);
	assert_true(fd < 0); /* root/outside/secret does not exist */
	sbx_error_free(err);
	err = NULL;
	fd = safepath_open(f->rootfd, "chain/secret", O_PATH, &err);
	assert_true(fd < 0);
	sbx_error_free(err);
	err = NULL;
	/* loops end with ELOOP */
	fd = safepath_open(f->rootfd, "loop", O_PATH, &err);
	assert_true(fd < 0);
	assert_int_equal(err->errnum, ELOOP);
	sbx_error_free(err);
	err = NULL;
	/* O_NOFOLLOW gives the link itself */
	fd = safepath_open(f->rootfd, "abs", O_PATH | O_NOFOLLOW, &err);
	assert_true(fd >= 0);
	close(fd);
	/* mkdir -p through a link to a directory stays inside */
	assert_int_equal(safepath_mkdir_p(f->rootfd, "dirlink/a/b", 0755, &err), 0);
	assert_is(f, safepath_open(f->rootfd, "real/a/b", O_PATH | O_DIRECTORY, &err), "real/a/b");
	/* mkdir -p through a dangling link that climbs out fails, and creates
	 * nothing outside the root */
	assert_true(safepath_mkdir_p(f->rootfd, "up/made", 0755, &err) < 0);
	sbx_error_free(err);
	err = NULL;
	{
		char p[PATH_MAX];
		struct stat st;

		snprintf(p, sizeof(p), "%s/outside/made", f->dir);
		assert_int_not_equal(stat(p, &st), 0);
	}
	/* a file created through an absolute link lands inside */
	fd = safepath_create_file(f->rootfd, "/abs-new/file", 0644, &err);
	assert_true(fd >= 0);
	close(fd);
	assert_is(f, safepath_open(f->rootfd, "abs-new/file", O_PATH, &err), "abs-new/file");
	/* a file in the way of a directory */
	assert_true(safepath_mkdir_p(f->rootfd, "etc/passwd/x", 0755, &err) < 0);
	sbx_error_free(err);
}

/* @path resolves to @want (1: exists, 0: missing), of which @existing exists */
static void assert_resolves(struct fixture *f, const char *path, int want, const char *resolved,
			    const char *existing)
{
	struct sbx_error *err = NULL;
	char *got = NULL;
	size_t n = 99;

	assert_int_equal(safepath_resolve(f->rootfd, path, &got, &n, &err), want);
	assert_null(err);
	assert_string_equal(got, resolved);
	assert_int_equal(n, strlen(existing));
	assert_memory_equal(got, existing, n);
	free(got);
}

/* safepath_resolve() names what mkdir -p would create, links resolved in the root */
static void test_resolve(void **state)
{
	struct fixture *f = *state;
	struct sbx_error *err = NULL;
	char *got = NULL;

	assert_resolves(f, "/etc/passwd", 1, "etc/passwd", "etc/passwd");
	assert_resolves(f, "abs", 1, "etc/passwd", "etc/passwd");
	assert_resolves(f, "/", 1, "", "");
	assert_resolves(f, "/real/../../etc/./", 1, "etc", "etc");
	assert_resolves(f, "dirlink/x/y", 0, "real/x/y", "real");
	assert_resolves(f, "etc/x", 0, "etc/x", "etc");
	/* a link that climbs out names the root's own path */
	assert_resolves(f, "up/made", 0, "outside/made", "");
	assert_resolves(f, "chain/secret", 0, "outside/secret", "");
	assert_resolves(f, "/new//dir/", 0, "new//dir/", "");
	/* a dangling link names a file, not a directory */
	assert_resolves(f, "etc/dangling", 0, "nowhere/file", "");
	assert_true(safepath_resolve(f->rootfd, "loop", &got, NULL, &err) < 0);
	assert_int_equal(err->errnum, ELOOP);
	sbx_error_free(err);
	err = NULL;
	assert_true(safepath_resolve(f->rootfd, "etc/passwd/x", &got, NULL, &err) < 0);
	assert_int_equal(err->errnum, ENOTDIR);
	sbx_error_free(err);
	err = NULL;
	/* `..` below a missing directory would depend on what mkdir -p makes */
	assert_true(safepath_resolve(f->rootfd, "new/../etc", &got, NULL, &err) < 0);
	assert_null(got);
	sbx_error_free(err);
}

static void test_openat2(void **state)
{
	safepath_force_walk = false;
	run_cases(state);
}

static void test_walk(void **state)
{
	safepath_force_walk = true;
	run_cases(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_openat2, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_walk, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_resolve, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
