// SPDX-License-Identifier: GPL-2.0-or-later
/* test_passwd.c - unit tests of lib/base/passwd.c: passwd/group parsing and `-u` resolution */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "passwd.h"
#include "safepath.h"
#include "util.h"

static const char passwd[] = "root:x:0:0:root:/root:/bin/bash\n"
			     "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
			     "# a comment:x:5:5::/:\n"
			     "\n"
			     "+nisuser::::::\n"
			     "bad line without colons\n"
			     "badnum:x:abc:1::/:\n"
			     "badgid:x:3:-1::/:\n"
			     "short:x:7\n"
			     ":x:8:8::/:\n"
			     "toomany:x:9:9:g:/h:/s:extra\n"
			     "huge:x:4294967295:0::/:\n"
			     "alice:x:1000:1000:Alice,,,:/home/alice:/bin/zsh\r\n"
			     "alice:x:1001:1001:second alice:/home/alice2:/bin/sh\n"
			     "four:x:77:78\n"
			     "nohome:x:79:79:::\n"
			     "bob:x:1002:1002::/home/bob:/bin/sh"; /* no final newline */

static const char group[] = "root:x:0:\n"
			    "wheel:x:10:alice,bob\n"
			    "tty:x:5:\n"
			    "audio:x:29:bob\n"
			    "video:x:44:alice\n"
			    "again:x:10:alice\n"
			    "prefix:x:50:alic,alice2,xalice\n"
			    "broken:x:zz:alice\n"
			    "nomembers:x:60\n"
			    "users:x:100:root,alice\n";

#define PW passwd, sizeof(passwd) - 1
#define GR group, sizeof(group) - 1

static void user(const char *spec, struct passwd_entry *e)
{
	struct sbx_error *err = NULL;

	assert_int_equal(passwd_parse_user(PW, spec, e, &err), 0);
	assert_null(err);
}

static void test_user_by_name(void **state)
{
	struct passwd_entry e;

	(void)state;
	user("root", &e);
	assert_true(e.in_file);
	assert_string_equal(e.name, "root");
	assert_int_equal(e.uid, 0);
	assert_int_equal(e.gid, 0);
	assert_string_equal(e.home, "/root");
	assert_string_equal(e.shell, "/bin/bash");
	passwd_entry_free(&e);

	/* first match wins; CRLF stripped */
	user("alice", &e);
	assert_int_equal(e.uid, 1000);
	assert_string_equal(e.home, "/home/alice");
	assert_string_equal(e.shell, "/bin/zsh");
	passwd_entry_free(&e);

	/* last line without newline */
	user("bob", &e);
	assert_int_equal(e.uid, 1002);
	assert_string_equal(e.shell, "/bin/sh");
	passwd_entry_free(&e);

	/* four fields are enough; empty home is `/` */
	user("four", &e);
	assert_int_equal(e.uid, 77);
	assert_int_equal(e.gid, 78);
	assert_string_equal(e.home, "/");
	assert_null(e.shell);
	passwd_entry_free(&e);
	user("nohome", &e);
	assert_string_equal(e.home, "/");
	passwd_entry_free(&e);
}

static void test_user_by_uid(void **state)
{
	struct passwd_entry e;

	(void)state;
	user("1001", &e);
	assert_true(e.in_file);
	assert_string_equal(e.name, "alice");
	assert_string_equal(e.home, "/home/alice2");
	passwd_entry_free(&e);

	/* a numeric uid without a line is fine: gid 0, home / */
	user("1234", &e);
	assert_false(e.in_file);
	assert_null(e.name);
	assert_int_equal(e.uid, 1234);
	assert_int_equal(e.gid, 0);
	assert_string_equal(e.home, "/");
	assert_null(e.shell);
	passwd_entry_free(&e);

	/* a malformed line does not match its uid */
	user("3", &e);
	assert_false(e.in_file);
	passwd_entry_free(&e);
}

static void test_user_unknown(void **state)
{
	struct sbx_error *err = NULL;
	struct passwd_entry e;

	(void)state;
	assert_int_equal(passwd_parse_user(PW, "nobody", &e, &err), -ENOENT);
	assert_non_null(err);
	assert_string_equal(err->msg, "unknown user `nobody`");
	sbx_error_free(err);
	err = NULL;

	/* names only on malformed or comment lines do not exist */
	const char *absent[] = {"badnum",      "badgid",   "short",	 "toomany", "huge",
				"# a comment", "+nisuser", "4294967295", "-1",	    "alice:x"};
	for (size_t i = 0; i < ARRAY_SIZE(absent); i++) {
		assert_int_equal(passwd_parse_user(PW, absent[i], &e, &err), -ENOENT);
		sbx_error_free(err);
		err = NULL;
	}
	assert_true(passwd_parse_user(PW, "", &e, &err) < 0);
	sbx_error_free(err);
}

static void test_user_embedded_nul(void **state)
{
	const char buf[] = "ev\0l:x:5:5::/:\nok:x:6:6::/:\n";
	struct sbx_error *err = NULL;
	struct passwd_entry e;

	(void)state;
	assert_int_equal(passwd_parse_user(buf, sizeof(buf) - 1, "5", &e, &err), 0);
	assert_false(e.in_file);
	passwd_entry_free(&e);
	assert_int_equal(passwd_parse_user(buf, sizeof(buf) - 1, "ok", &e, &err), 0);
	assert_int_equal(e.uid, 6);
	passwd_entry_free(&e);
	/* the length is honoured: "ok" is cut off */
	assert_int_equal(passwd_parse_user(buf, 20, "ok", &e, &err), -ENOENT);
	sbx_error_free(err);
}

static void test_group(void **state)
{
	struct sbx_error *err = NULL;
	struct group_entry g;

	(void)state;
	assert_int_equal(passwd_parse_group(GR, "audio", &g, &err), 0);
	assert_true(g.in_file);
	assert_int_equal(g.gid, 29);
	passwd_group_entry_free(&g);
	assert_int_equal(passwd_parse_group(GR, "10", &g, &err), 0);
	assert_string_equal(g.name, "wheel");
	passwd_group_entry_free(&g);
	assert_int_equal(passwd_parse_group(GR, "nomembers", &g, &err), 0);
	assert_int_equal(g.gid, 60);
	passwd_group_entry_free(&g);
	assert_int_equal(passwd_parse_group(GR, "4321", &g, &err), 0);
	assert_false(g.in_file);
	assert_null(g.name);
	assert_int_equal(g.gid, 4321);
	passwd_group_entry_free(&g);
	assert_int_equal(passwd_parse_group(GR, "broken", &g, &err), -ENOENT);
	assert_string_equal(err->msg, "unknown group `broken`");
	sbx_error_free(err);
}

static void test_supplementary(void **state)
{
	struct sbx_error *err = NULL;
	gid_t *gids;
	size_t n;

	(void)state;
	assert_int_equal(passwd_parse_supplementary(GR, "alice", &gids, &n, &err), 0);
	/* wheel, video, users; "again" repeats gid 10; prefix/broken do not match */
	assert_int_equal(n, 3);
	assert_int_equal(gids[0], 10);
	assert_int_equal(gids[1], 44);
	assert_int_equal(gids[2], 100);
	free(gids);
	assert_int_equal(passwd_parse_supplementary(GR, "daemon", &gids, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_null(gids);
}

static void resolve(const char *spec, struct passwd_creds *c)
{
	struct sbx_error *err = NULL;

	assert_int_equal(passwd_resolve_spec_buf(PW, GR, spec, c, &err), 0);
	assert_null(err);
}

static void test_resolve_spec(void **state)
{
	struct sbx_error *err = NULL;
	struct passwd_creds c;

	(void)state;
	resolve("alice", &c);
	assert_int_equal(c.uid, 1000);
	assert_int_equal(c.gid, 1000);
	assert_string_equal(c.user, "alice");
	assert_string_equal(c.home, "/home/alice");
	assert_int_equal(c.n_groups, 3);
	assert_int_equal(c.groups[0], 10);
	passwd_creds_free(&c);

	/* an explicit group: no supplementary groups (runc) */
	resolve("alice:audio", &c);
	assert_int_equal(c.uid, 1000);
	assert_int_equal(c.gid, 29);
	assert_int_equal(c.n_groups, 0);
	assert_null(c.groups);
	passwd_creds_free(&c);

	resolve("alice:4321", &c);
	assert_int_equal(c.gid, 4321);
	passwd_creds_free(&c);

	resolve("1234", &c);
	assert_int_equal(c.uid, 1234);
	assert_int_equal(c.gid, 0);
	assert_null(c.user);
	assert_string_equal(c.home, "/");
	assert_int_equal(c.n_groups, 0);
	passwd_creds_free(&c);

	resolve("1234:5", &c);
	assert_int_equal(c.gid, 5);
	passwd_creds_free(&c);

	resolve("0", &c);
	assert_string_equal(c.user, "root");
	assert_int_equal(c.n_groups, 1);
	assert_int_equal(c.groups[0], 100);
	passwd_creds_free(&c);

	assert_int_equal(passwd_resolve_spec_buf(PW, GR, "nobody", &c, &err), -ENOENT);
	sbx_error_free(err);
	err = NULL;
	assert_int_equal(passwd_resolve_spec_buf(PW, GR, "alice:nogroup", &c, &err), -ENOENT);
	assert_string_equal(err->msg, "unknown group `nogroup`");
	sbx_error_free(err);
	err = NULL;
	const char *invalid[] = {"", ":5", "alice:", ":"};
	for (size_t i = 0; i < ARRAY_SIZE(invalid); i++) {
		assert_int_equal(passwd_resolve_spec_buf(PW, GR, invalid[i], &c, &err), -EINVAL);
		assert_non_null(strstr(err->msg, "expected USER[:GROUP]"));
		sbx_error_free(err);
		err = NULL;
	}
	/* the group part may not hold another colon */
	assert_true(passwd_resolve_spec_buf(PW, GR, "alice:x:y", &c, &err) < 0);
	sbx_error_free(err);
	/* empty files: numbers only */
	resolve("5:6", &c);
	passwd_creds_free(&c);
	assert_int_equal(passwd_resolve_spec_buf("", 0, "", 0, "7:8", &c, NULL), 0);
	assert_int_equal(c.uid, 7);
	assert_int_equal(c.gid, 8);
	passwd_creds_free(&c);
}

static void test_parse_id(void **state)
{
	uint32_t v;

	(void)state;
	assert_true(passwd_parse_id("0", 1, &v) && v == 0);
	assert_true(passwd_parse_id("4294967294", 10, &v) && v == 4294967294u);
	assert_false(passwd_parse_id("4294967295", 10, &v));
	assert_false(passwd_parse_id("99999999999", 11, &v));
	assert_false(passwd_parse_id("", 0, &v));
	assert_false(passwd_parse_id("1a", 2, &v));
	assert_false(passwd_parse_id(" 1", 2, &v));
	assert_true(passwd_parse_id("12x", 2, &v) && v == 12);
}

/* ---- files inside a root ---- */

static char root[64];

static void put(const char *rel, const char *text)
{
	cleanup_free char *path = xasprintf("%s/%s", root, rel);

	assert_int_equal(util_write_file_at(AT_FDCWD, path, text, strlen(text), 0644, NULL), 0);
}

static int setup_root(void **state)
{
	cleanup_free char *etc = NULL;

	(void)state;
	snprintf(root, sizeof(root), "/tmp/test_passwd.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	etc = xasprintf("%s/etc", root);
	mkdir(etc, 0755);
	return 0;
}

static int teardown_root(void **state)
{
	(void)state;
	safepath_force_walk = false;
	return util_rm_rf(root, NULL);
}

static void check_root_lookups(void)
{
	cleanup_free char *link = xasprintf("%s/etc/passwd", root);
	struct sbx_error *err = NULL;
	int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct passwd_entry e;
	struct passwd_creds c;
	struct group_entry g;
	gid_t *gids;
	size_t n;

	assert_true(rootfd >= 0);
	/* no files: numbers resolve, names do not */
	assert_int_equal(passwd_resolve_spec(rootfd, "1000:1000", &c, &err), 0);
	assert_int_equal(c.uid, 1000);
	passwd_creds_free(&c);
	assert_int_equal(passwd_resolve_spec(rootfd, "app", &c, &err), -ENOENT);
	assert_non_null(err->hint);
	sbx_error_free(err);
	err = NULL;

	/* an absolute symlink resolves inside the root, not on the host */
	put("etc/passwd.real", "app:x:4000:4001::/srv/app:/bin/sh\n");
	put("etc/group", "extra:x:4002:app\n");
	assert_int_equal(symlink("/etc/passwd.real", link), 0);
	assert_int_equal(passwd_lookup(rootfd, "/etc/passwd", "app", &e, &err), 0);
	assert_int_equal(e.uid, 4000);
	passwd_entry_free(&e);
	assert_int_equal(passwd_lookup(rootfd, "/etc/passwd", "root", &e, &err), -ENOENT);
	assert_non_null(strstr(err->msg, "`/etc/passwd`: unknown user `root`"));
	sbx_error_free(err);
	err = NULL;
	assert_int_equal(passwd_group_lookup(rootfd, "/etc/group", "extra", &g, &err), 0);
	assert_int_equal(g.gid, 4002);
	passwd_group_entry_free(&g);
	assert_int_equal(passwd_supplementary_lookup(rootfd, "/etc/group", "app", &gids, &n, &err), 0);
	assert_int_equal(n, 1);
	free(gids);
	assert_int_equal(passwd_resolve_spec(rootfd, "app", &c, &err), 0);
	assert_int_equal(c.gid, 4001);
	assert_int_equal(c.n_groups, 1);
	assert_int_equal(c.groups[0], 4002);
	assert_string_equal(c.home, "/srv/app");
	passwd_creds_free(&c);

	/* a symlink pointing out with `..` stays inside too */
	unlink(link);
	assert_int_equal(symlink("../../../../../../../etc/passwd.real", link), 0);
	assert_int_equal(passwd_lookup(rootfd, "/etc/passwd", "app", &e, &err), 0);
	passwd_entry_free(&e);

	/* a FIFO is refused, not read (it would block) */
	unlink(link);
	assert_int_equal(mkfifo(link, 0644), 0);
	assert_true(passwd_lookup(rootfd, "/etc/passwd", "0", &e, &err) < 0);
	assert_non_null(strstr(err->msg, "not a regular file"));
	sbx_error_free(err);
	err = NULL;
	unlink(link);
	close(rootfd);
}

static void test_lookup_in_root(void **state)
{
	(void)state;
	check_root_lookups();
}

static void test_lookup_in_root_walk(void **state)
{
	(void)state;
	safepath_force_walk = true; /* the fallback for kernels without openat2 */
	check_root_lookups();
	safepath_force_walk = false;
}

static void test_lookup_host(void **state)
{
	struct sbx_error *err = NULL;
	struct passwd_entry e;

	(void)state;
	/* every Linux host has a root line */
	assert_int_equal(passwd_lookup(AT_FDCWD, "/etc/passwd", "0", &e, &err), 0);
	assert_true(e.in_file);
	assert_string_equal(e.name, "root");
	passwd_entry_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_user_by_name),
	    cmocka_unit_test(test_user_by_uid),
	    cmocka_unit_test(test_user_unknown),
	    cmocka_unit_test(test_user_embedded_nul),
	    cmocka_unit_test(test_group),
	    cmocka_unit_test(test_supplementary),
	    cmocka_unit_test(test_resolve_spec),
	    cmocka_unit_test(test_parse_id),
	    cmocka_unit_test_setup_teardown(test_lookup_in_root, setup_root, teardown_root),
	    cmocka_unit_test_setup_teardown(test_lookup_in_root_walk, setup_root, teardown_root),
	    cmocka_unit_test(test_lookup_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
