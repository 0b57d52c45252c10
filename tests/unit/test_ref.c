// SPDX-License-Identifier: GPL-2.0-or-later
/* test_ref.c - image reference parsing: registries, docker.io short names, tags, digests */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "util.h"

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_valid(void **state)
{
	static const char *const cases[][2] = {
	    {"alpine", "docker.io/library/alpine:latest"},
	    {"alpine:3.19", "docker.io/library/alpine:3.19"},
	    {"user/app", "docker.io/user/app:latest"},
	    {"docker.io/alpine", "docker.io/library/alpine:latest"},
	    {"localhost/busy:v1", "localhost/busy:v1"},
	    {"127.0.0.1:5000/debian:bookworm", "127.0.0.1:5000/debian:bookworm"},
	    {"registry.example.com/a/b/c:t_1.x-y", "registry.example.com/a/b/c:t_1.x-y"},
	    {"quay.io/x@sha256:" D64, "quay.io/x@sha256:" D64},
	    {"quay.io/x:t@sha256:" D64, "quay.io/x:t@sha256:" D64},
	    {"my_app", "docker.io/library/my_app:latest"},
	    {"a__b", "docker.io/library/a__b:latest"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cleanup_error struct sbx_error *err = NULL;
		struct image_ref r;
		char *s;

		assert_int_equal(image_ref_parse(cases[i][0], &r, &err), 0);
		s = image_ref_string(&r);
		assert_string_equal(s, cases[i][1]);
		free(s);
		image_ref_free(&r);
	}
}

static void test_short_name_flag(void **state)
{
	cleanup_error struct sbx_error *err = NULL;
	struct image_ref r;

	(void)state;
	assert_int_equal(image_ref_parse("busy:v1", &r, &err), 0);
	assert_true(r.short_name);
	assert_string_equal(r.given_repo, "busy");
	assert_string_equal(r.tag, "v1");
	image_ref_free(&r);
	assert_int_equal(image_ref_parse("localhost/busy", &r, &err), 0);
	assert_false(r.short_name);
	assert_string_equal(r.registry, "localhost");
	image_ref_free(&r);
}

static void test_invalid(void **state)
{
	static const char *const bad[] = {
	    "",		  "UPPER", "a/", "/a",	"a//b", "a:",	 "a:-tag",	   "a@sha256:abc",
	    "a@md5:" D64, ".a",	   "a-", "a/B", "a b",	"a:t:u", "-registry.io/x", "a..b/c d",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		cleanup_error struct sbx_error *err = NULL;
		struct image_ref r;

		assert_int_equal(image_ref_parse(bad[i], &r, &err), -1);
		assert_non_null(err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid),
	    cmocka_unit_test(test_short_name_flag),
	    cmocka_unit_test(test_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
