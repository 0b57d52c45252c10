// SPDX-License-Identifier: GPL-2.0-or-later
/* test_image.c - manifests, indexes and image configs: what is read, what is refused */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "util.h"

#define D(c)                                                                                                 \
	"sha256:" c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c  \
	    c c c c c c c c c c c c c c c c c c c

static void test_manifest(void **state)
{
	static const char oci[] =
	    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
	    "\"config\":{\"digest\":\"" D(
		"a") "\",\"size\":12},"
		     "\"layers\":[{\"mediaType\":\"application/"
		     "vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" D(
			 "b") "\",\"size\":34},"
			      "{\"mediaType\":\"application/"
			      "vnd.docker.image.rootfs.diff.tar.gzip\",\"digest\":\"" D(
				  "c") "\",\"size\":5}]}";
	cleanup_error struct sbx_error *err = NULL;
	struct image_manifest m;

	(void)state;
	assert_int_equal(image_manifest_parse(oci, strlen(oci), &m, &err), 0);
	assert_string_equal(m.config, D("a"));
	assert_int_equal(m.config_size, 12);
	assert_int_equal(m.n_layers, 2);
	assert_string_equal(m.layers[0].digest, D("b"));
	assert_int_equal(m.layers[0].size, 34);
	assert_string_equal(m.layers[1].digest, D("c"));
	image_manifest_free(&m);
}

static void test_manifest_refused(void **state)
{
	static const char *const bad[][2] = {
	    {"{\"schemaVersion\":1,\"fsLayers\":[]}", "schema version 1"},
	    {"{\"schemaVersion\":2,\"mediaType\":\"application/"
	     "vnd.oci.image.index.v1+json\",\"manifests\":[]}",
	     "index"},
	    {"{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:xyz\"},\"layers\":[]}", "digest"},
	    {"{\"schemaVersion\":2,\"config\":{\"digest\":\"" D("a") "\"}}", "layers"},
	    {"{\"schemaVersion\":2,\"config\":{\"digest\":\"" D(
		 "a") "\"},\"layers\":[{\"digest\":\"../../etc\"}]}",
	     "digest"},
	    {"[1,2]", "not a JSON object"},
	    {"{\"schemaVersion\":2,", "bad JSON"},
	    {"{\"a\":1,\"a\":2}", "bad JSON"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		cleanup_error struct sbx_error *err = NULL;
		struct image_manifest m;

		assert_int_equal(image_manifest_parse(bad[i][0], strlen(bad[i][0]), &m, &err), -1);
		if (!strstr(err->msg, bad[i][1]))
			fail_msg("case %zu: `%s` lacks `%s`", i, err->msg, bad[i][1]);
	}
}

static void test_index_pick(void **state)
{
	static const char idx[] =
	    "{\"schemaVersion\":2,\"manifests\":["
	    "{\"digest\":\"" D(
		"1") "\",\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\"}},"
		     "{\"digest\":\"" D(
			 "2") "\",\"platform\":{\"architecture\":\"amd64\",\"os\":\"windows\"}},"
			      "{\"digest\":\"" D(
				  "4") "\",\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\","
				       "\"variant\":\"v6\"}},"
				       "{\"digest\":\"" D(
					   "5") "\",\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\","
						"\"variant\":\"v7\"}},"
						"{\"digest\":\"" D("3") "\",\"platform\":{\"architecture\":"
									"\"amd64\",\"os\":\"linux\"}}]}";
	static const char *const pick[][2] = {
	    {"linux/amd64", D("3")},   {"linux/arm64", D("1")},	 {"linux/arm64/v8", D("1")},
	    {"linux/arm/v7", D("5")},  {"linux/arm/v6", D("4")}, {"linux/arm", D("4")},
	    {"windows/amd64", D("2")},
	};
	cleanup_error struct sbx_error *err = NULL;
	struct image_platform p;
	char out[LAYER_DIGEST_LEN];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(pick); i++) {
		assert_int_equal(image_platform_parse(pick[i][0], &p, &err), 0);
		assert_int_equal(image_index_pick(idx, strlen(idx), &p, out, &err), 0);
		if (strcmp(out, pick[i][1]) != 0)
			fail_msg("%s picked %s", pick[i][0], out);
	}
	assert_int_equal(image_platform_parse("linux/riscv64", &p, &err), 0);
	assert_int_equal(image_index_pick(idx, strlen(idx), &p, out, &err), -1);
	assert_non_null(strstr(err->msg, "no image for linux/riscv64"));
	assert_non_null(strstr(err->msg, "linux/arm/v7"));
	sbx_error_free(err);
	err = NULL;
	assert_int_equal(image_platform_parse("linux/arm64/v9", &p, &err), 0);
	assert_int_equal(image_index_pick(idx, strlen(idx), &p, out, &err), -1);
	/* the host's default: linux and some architecture, any variant */
	assert_int_equal(image_platform_parse(NULL, &p, &err), 0);
	assert_string_equal(p.os, "linux");
	assert_string_equal(p.variant, "");
}

static void test_platform_parse(void **state)
{
	static const char *const bad[] = {"linux",	  "linux/",	      "/amd64",
					  "linux/amd64/", "linux/amd64/v1/x", "Linux/AMD64",
					  "linux/amd64 ", "linux//v7",	      ""};
	struct image_platform p;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		cleanup_error struct sbx_error *err = NULL;

		if (image_platform_parse(bad[i], &p, &err) != -1)
			fail_msg("`%s` accepted", bad[i]);
		assert_non_null(strstr(err->msg, "OS/ARCH"));
	}
}

static void test_foreign_urls(void **state)
{
	static const char good[] = "{\"schemaVersion\":2,\"config\":{\"digest\":\"" D(
	    "a") "\"},\"layers\":[{\"mediaType\":"
		 "\"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip\",\"digest\":\"" D(
		     "b") "\","
			  "\"size\":3,\"urls\":[\"https://example.com/b\",\"http://e.org/"
			  "b\"]},{\"digest\":\"" D("c") "\"}]}";
	static const char *const bad[] = {
	    "[\"ftp://example.com/b\"]",
	    "\"https://example.com/b\"",
	    "[1]",
	    "[\"https://a/1\",\"https://a/2\",\"https://a/3\",\"https://a/4\"]",
	    "[\"https://a/\\r\\nX: y\"]",
	};
	cleanup_error struct sbx_error *err = NULL;
	struct image_manifest m;

	(void)state;
	assert_int_equal(image_manifest_parse(good, strlen(good), &m, &err), 0);
	assert_int_equal(m.n_layers, 2);
	assert_true(m.layers[0].foreign);
	assert_string_equal(m.layers[0].urls[0], "https://example.com/b");
	assert_string_equal(m.layers[0].urls[1], "http://e.org/b");
	assert_null(m.layers[0].urls[2]);
	assert_false(m.layers[1].foreign);
	assert_null(m.layers[1].urls);
	image_manifest_free(&m);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		cleanup_free char *j = NULL;

		j = xasprintf("{\"schemaVersion\":2,\"config\":{\"digest\":\"" D(
				  "a") "\"},\"layers\":"
				       "[{\"digest\":\"" D("b") "\",\"urls\":%s}]}",
			      bad[i]);
		sbx_error_free(err);
		err = NULL;
		if (image_manifest_parse(j, strlen(j), &m, &err) != -1)
			fail_msg("urls %s accepted", bad[i]);
		assert_non_null(strstr(err->msg, "urls"));
	}
}

static void test_config(void **state)
{
	static const char cfg[] =
	    "{\"architecture\":\"amd64\",\"config\":{\"Entrypoint\":[\"/bin/sh\",\"-c\"],\"Cmd\":[\"echo "
	    "hi\"],"
	    "\"Env\":[\"A=1\",\"B=2\"],\"WorkingDir\":\"/w\",\"User\":\"app:grp\"},"
	    "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D("d") "\",\"" D("e") "\"]}}";
	static const char minimal[] =
	    "{\"rootfs\":{\"diff_ids\":[]},\"config\":{\"Cmd\":null,\"User\":\"\"}}";
	cleanup_error struct sbx_error *err = NULL;
	struct image_config c;

	(void)state;
	assert_int_equal(image_config_parse(cfg, strlen(cfg), &c, &err), 0);
	assert_string_equal(c.entrypoint[0], "/bin/sh");
	assert_string_equal(c.entrypoint[1], "-c");
	assert_null(c.entrypoint[2]);
	assert_string_equal(c.cmd[0], "echo hi");
	assert_string_equal(c.env[1], "B=2");
	assert_string_equal(c.workdir, "/w");
	assert_string_equal(c.user, "app:grp");
	assert_int_equal(c.n_diff_ids, 2);
	assert_string_equal(c.diff_ids[1], D("e"));
	image_config_free(&c);
	assert_int_equal(image_config_parse(minimal, strlen(minimal), &c, &err), 0);
	assert_null(c.cmd);
	assert_null(c.user);
	assert_int_equal(c.n_diff_ids, 0);
	image_config_free(&c);
}

static void test_config_refused(void **state)
{
	static const char *const bad[] = {
	    "{\"config\":{}}",
	    "{\"rootfs\":{\"diff_ids\":[\"sha256:short\"]}}",
	    "{\"rootfs\":{\"diff_ids\":[]},\"config\":{\"Cmd\":\"not an array\"}}",
	    "{\"rootfs\":{\"diff_ids\":[]},\"config\":{\"Env\":[1]}}",
	    "not json",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		cleanup_error struct sbx_error *err = NULL;
		struct image_config c;

		assert_int_equal(image_config_parse(bad[i], strlen(bad[i]), &c, &err), -1);
		assert_non_null(err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_manifest),	   cmocka_unit_test(test_manifest_refused),
	    cmocka_unit_test(test_index_pick),	   cmocka_unit_test(test_platform_parse),
	    cmocka_unit_test(test_foreign_urls),   cmocka_unit_test(test_config),
	    cmocka_unit_test(test_config_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
