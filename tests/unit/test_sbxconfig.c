// SPDX-License-Identifier: GPL-2.0-or-later
/* test_sbxconfig.c - config.json: the writer's exact text, the round trip, a lenient reader */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sbxconfig.h"
#include "util.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static char tmpdir[64];

static int setup_tmp(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_sbxconfig.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
	(void)state;
	return util_rm_rf(tmpdir, NULL);
}

/* A started sandbox's configuration, every field set. */
static void full_config(struct sbx_config *c)
{
	memset(c, 0, sizeof(*c));
	c->id = xstrdup(ID);
	c->name = xstrdup("web");
	c->image = xstrdup("localhost/busy:v1");
	strv_push(&c->command, "sh");
	strv_push(&c->command, "-c");
	strv_push(&c->command, "echo \"hi\"");
	c->created = 1765100000;
	c->detach = true;
	strv_push(&c->args, "-d");
	strv_push(&c->args, "localhost/busy:v1");
	c->image_digest = xstrdup("sha256:" ID);
	c->has_exec = true;
	c->caps = 0xa80425fbULL | (1ULL << 63);
	c->user = xstrdup("0:0");
	c->cgroup = xstrdup("/sys/fs/cgroup/x");
	c->hostname = xstrdup("0123456789ab");
	c->seccomp = xstrdup("unconfined");
	c->no_new_privs = true;
	c->init = true;
	c->own_netns = false;
	c->memory = 67108864;
	c->pids_limit = -1;
	c->cpus = 1.5;
	strv_push(&c->env, "A=1");
	strv_push(&c->env, "B=two words");
}

/* The exact text: the keys, their order and types are the schema. */
static void test_writer_text(void **state)
{
	cleanup_error struct sbx_error *err = NULL;
	cleanup_free char *path = xasprintf("%s/config.json", tmpdir), *text = NULL;
	struct sbx_config c;
	size_t len;

	(void)state;
	full_config(&c);
	assert_int_equal(sbxconfig_write(tmpdir, &c, &err), 0);
	assert_int_equal(util_read_file(path, &text, &len, &err), 0);
	assert_string_equal(
	    text,
	    "{\"id\":\"" ID "\",\"name\":\"web\",\"image\":\"localhost/busy:v1\","
	    "\"command\":[\"sh\",\"-c\",\"echo \\\"hi\\\"\"],\"created\":1765100000,\"rm\":false,"
	    "\"detach\":true,\"args\":[\"-d\",\"localhost/busy:v1\"],\"image_digest\":\"sha256:" ID "\","
	    "\"caps\":\"80000000a80425fb\",\"user\":\"0:0\",\"cgroup\":\"/sys/fs/cgroup/x\","
	    "\"hostname\":\"0123456789ab\",\"workdir\":null,\"seccomp\":\"unconfined\","
	    "\"no_new_privs\":true,\"privileged\":false,\"init\":true,\"own_netns\":false,"
	    "\"memory\":67108864,\"pids_limit\":null,\"cpus\":1.5,\"env\":[\"A=1\",\"B=two words\"]}");
	assert_int_equal(access(path, F_OK), 0);
	free(text);
	text = xasprintf("%s/.config.json.tmp", tmpdir);
	assert_int_not_equal(access(text, F_OK), 0);
	sbxconfig_free(&c);
}

static void assert_strv_equal(const struct strv *a, const struct strv *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++)
		assert_string_equal(a->v[i], b->v[i]);
}

static void test_round_trip(void **state)
{
	cleanup_error struct sbx_error *err = NULL;
	cleanup_free char *path = xasprintf("%s/config.json", tmpdir);
	struct sbx_config c, r;

	(void)state;
	full_config(&c);
	assert_int_equal(sbxconfig_write(tmpdir, &c, &err), 0);
	assert_int_equal(sbxconfig_load(path, &r, &err), 0);
	assert_string_equal(r.id, c.id);
	assert_string_equal(r.name, c.name);
	assert_string_equal(r.image, c.image);
	assert_strv_equal(&r.command, &c.command);
	assert_int_equal(r.created, c.created);
	assert_false(r.rm);
	assert_true(r.detach);
	assert_strv_equal(&r.args, &c.args);
	assert_false(r.created_only);
	assert_string_equal(r.image_digest, c.image_digest);
	assert_true(r.has_exec);
	assert_true(r.caps == c.caps);
	assert_string_equal(r.user, c.user);
	assert_string_equal(r.cgroup, c.cgroup);
	assert_string_equal(r.hostname, c.hostname);
	assert_null(r.workdir);
	assert_string_equal(r.seccomp, c.seccomp);
	assert_true(r.no_new_privs);
	assert_false(r.privileged);
	assert_true(r.init);
	assert_false(r.own_netns);
	assert_int_equal(r.memory, c.memory);
	assert_int_equal(r.pids_limit, -1);
	assert_true(r.cpus == 1.5);
	assert_strv_equal(&r.env, &c.env);
	sbxconfig_free(&r);
	sbxconfig_free(&c);
	assert_null(c.id);
}

/* `create` of a sandbox never started: no exec part, created_only. */
static void test_created_only(void **state)
{
	cleanup_error struct sbx_error *err = NULL;
	cleanup_free char *path = xasprintf("%s/config.json", tmpdir), *text = NULL;
	struct sbx_config c = {.id = xstrdup(ID), .created = 7, .rm = true, .created_only = true}, r;
	size_t len;

	(void)state;
	assert_int_equal(sbxconfig_write(tmpdir, &c, &err), 0);
	assert_int_equal(util_read_file(path, &text, &len, &err), 0);
	assert_string_equal(text,
			    "{\"id\":\"" ID "\",\"name\":null,\"image\":null,\"command\":[],\"created\":7,"
			    "\"rm\":true,\"detach\":false,\"created_only\":true}");
	assert_int_equal(sbxconfig_load(path, &r, &err), 0);
	assert_true(r.created_only);
	assert_false(r.has_exec);
	assert_int_equal(r.args.n, 0);
	assert_null(r.args.v);
	sbxconfig_free(&r);
	sbxconfig_free(&c);
}

/* The file is in the user's store: wrong types count as absent, old files get the defaults. */
static void test_lenient_reader(void **state)
{
	static const char text[] = "{\"name\":5,\"command\":[\"a\",7,null,\"b\"],\"created\":\"x\","
				   "\"caps\":\"ff\",\"memory\":1.5,\"cpus\":-2,\"env\":{\"A\":1},\"rm\":1}";
	cleanup_error struct sbx_error *err = NULL;
	struct sbx_config c;

	(void)state;
	assert_int_equal(sbxconfig_parse(text, strlen(text), &c, &err), 0);
	assert_null(c.id);
	assert_null(c.name);
	assert_int_equal(c.command.n, 2);
	assert_string_equal(c.command.v[0], "a");
	assert_string_equal(c.command.v[1], "b");
	assert_int_equal(c.created, 0);
	assert_false(c.rm);
	assert_true(c.has_exec);
	assert_true(c.caps == 0xff);
	assert_true(c.init);
	assert_true(c.own_netns);
	assert_int_equal(c.memory, -1);
	assert_int_equal(c.pids_limit, -1);
	assert_true(c.cpus == 0);
	assert_int_equal(c.env.n, 0);
	sbxconfig_free(&c);
}

static void test_not_an_object(void **state)
{
	static const char *const bad[] = {"", "[]", "\"x\"", "{\"id\":", "{} x", "null"};
	struct sbx_config c;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		cleanup_error struct sbx_error *err = NULL;

		assert_true(sbxconfig_parse(bad[i], strlen(bad[i]), &c, &err) < 0);
		assert_non_null(err);
		assert_non_null(strstr(err->msg, "config.json"));
		assert_null(c.id);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_writer_text, setup_tmp, teardown_tmp),
	    cmocka_unit_test_setup_teardown(test_round_trip, setup_tmp, teardown_tmp),
	    cmocka_unit_test_setup_teardown(test_created_only, setup_tmp, teardown_tmp),
	    cmocka_unit_test(test_lenient_reader),
	    cmocka_unit_test(test_not_an_object),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
