// SPDX-License-Identifier: GPL-2.0-or-later
/* test_userns.c - unit tests of lib/isolate/userns.c: /etc/subuid parsing, map plans, map writing */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "userns.h"
#include "util.h"

#define R(i, o, c) ((struct userns_range){(i), (o), (c)})

static void assert_range(const struct userns_range *r, uint32_t inside, uint32_t outside, uint32_t count)
{
	assert_int_equal(r->inside, inside);
	assert_int_equal(r->outside, outside);
	assert_int_equal(r->count, count);
}

static size_t parse(const char *text, const char *user, uid_t uid, struct userns_range *out, size_t max)
{
	struct sbx_error *err = NULL;
	size_t n = 99;

	assert_int_equal(userns_subid_parse(text, strlen(text), user, uid, out, max, &n, &err), 0);
	assert_null(err);
	return n;
}

/* ---- /etc/subuid ---- */

static void test_subid_by_name(void **state)
{
	struct userns_range r[8];

	(void)state;
	assert_int_equal(parse("alice:100000:65536\n", "alice", 1000, r, 8), 1);
	assert_int_equal(r[0].outside, 100000);
	assert_int_equal(r[0].count, 65536);
	assert_int_equal(r[0].inside, 0);
	/* no trailing newline, CRLF, blanks around */
	assert_int_equal(parse("alice:5:6", "alice", 1000, r, 8), 1);
	assert_int_equal(parse("  alice:5:6 \r\n", "alice", 1000, r, 8), 1);
	assert_int_equal(r[0].outside, 5);
	assert_int_equal(r[0].count, 6);
}

static void test_subid_by_uid(void **state)
{
	struct userns_range r[8];

	(void)state;
	assert_int_equal(parse("1000:200000:65536\n", "alice", 1000, r, 8), 1);
	assert_int_equal(r[0].outside, 200000);
	/* unknown name: by uid only */
	assert_int_equal(parse("alice:1:2\n1000:3:4\n", NULL, 1000, r, 8), 1);
	assert_int_equal(r[0].outside, 3);
	/* leading zeros are still the number */
	assert_int_equal(parse("01000:3:4\n", NULL, 1000, r, 8), 1);
}

static void test_subid_several(void **state)
{
	const char *text = "alice:100000:65536\n"
			   "bob:165536:65536\n"
			   "1000:300000:10\n"
			   "alice:400000:5\n";
	struct userns_range r[8];

	(void)state;
	assert_int_equal(parse(text, "alice", 1000, r, 8), 3);
	assert_int_equal(r[0].outside, 100000);
	assert_int_equal(r[1].outside, 300000);
	assert_int_equal(r[2].outside, 400000);
	assert_int_equal(r[2].count, 5);
	/* max: the rest is ignored */
	assert_int_equal(parse(text, "alice", 1000, r, 2), 2);
	assert_int_equal(r[1].outside, 300000);
}

static void test_subid_comments(void **state)
{
	const char *text = "# subordinate ids\n"
			   "\n"
			   "   \n"
			   "\t# indented comment alice:1:2\n"
			   "#alice:7:8\n"
			   "alice:9:10\n";
	struct userns_range r[8];

	(void)state;
	assert_int_equal(parse(text, "alice", 1000, r, 8), 1);
	assert_int_equal(r[0].outside, 9);
	assert_int_equal(parse("", "alice", 1000, r, 8), 0);
	assert_int_equal(parse("\n\n\n", "alice", 1000, r, 8), 0);
}

static void test_subid_malformed(void **state)
{
	const char *text = "alice\n"
			   "alice:1\n"
			   "alice:1:2:3\n"
			   "alice::5\n"
			   "alice:5:\n"
			   ":1:2\n"
			   "alice:abc:5\n"
			   "alice:0x10:5\n"
			   "alice:-1:5\n"
			   "alice:+1:5\n"
			   "alice: 1:5\n"
			   "alice:1:0\n"
			   "alice:12345678901:1\n"
			   "alice:7:8\n";
	struct userns_range r[8];

	(void)state;
	assert_int_equal(parse(text, "alice", 1000, r, 8), 1);
	assert_int_equal(r[0].outside, 7);
	assert_int_equal(r[0].count, 8);
}

static void test_subid_overflow(void **state)
{
	struct userns_range r[8];

	(void)state;
	/* the last id must be at most 4294967294 */
	assert_int_equal(parse("alice:4294967295:1\n", "alice", 1000, r, 8), 0);
	assert_int_equal(parse("alice:4294967296:1\n", "alice", 1000, r, 8), 0);
	assert_int_equal(parse("alice:1:4294967295\n", "alice", 1000, r, 8), 0);
	assert_int_equal(parse("alice:4000000000:300000000\n", "alice", 1000, r, 8), 0);
	assert_int_equal(parse("alice:4294967294:1\n", "alice", 1000, r, 8), 1);
	assert_int_equal(parse("alice:0:4294967295\n", "alice", 1000, r, 8), 1);
	assert_int_equal(r[0].count, 4294967295u);
}

static void test_subid_other_users(void **state)
{
	const char *text = "bob:1:2\n"
			   "alice2:3:4\n"
			   "alic:5:6\n"
			   "Alice:7:8\n"
			   "1001:9:10\n"
			   "10000:11:12\n"
			   "100:13:14\n";
	struct userns_range r[8];

	(void)state;
	assert_int_equal(parse(text, "alice", 1000, r, 8), 0);
}

static void test_subid_not_terminated(void **state)
{
	const char text[] = "alice:1:2\nalice:3:4";
	struct userns_range r[8];
	struct sbx_error *err = NULL;
	size_t n;

	(void)state;
	/* the length ends inside the second line: "alice:3" is malformed */
	assert_int_equal(userns_subid_parse(text, sizeof(text) - 3, "alice", 1000, r, 8, &n, &err), 0);
	assert_int_equal(n, 1);
	/* an embedded NUL makes the line malformed */
	assert_int_equal(userns_subid_parse("alice:1\0:2\nalice:3:4", 20, "alice", 1000, r, 8, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].outside, 3);
}

static void test_subid_first_free(void **state)
{
	const char *text = "bob:100000:65536\n"
			   "carol:165536:65536\n"
			   "# dave:900000:10\n"
			   "broken:990000\n"
			   "erin:1000:10\n";

	(void)state;
	assert_int_equal(userns_subid_first_free(text, strlen(text)), 231072);
	assert_int_equal(userns_subid_first_free("", 0), 100000);
	assert_int_equal(userns_subid_first_free("x:10:20\n", 8), 100000);
	/* no room left at the top: fall back to the conventional start */
	assert_int_equal(userns_subid_first_free("x:4294950000:10\n", 17), 100000);
	assert_int_equal(userns_subid_first_free("x:4294800000:10\n", 17), 4294800010u);
}

/* ---- plans ---- */

static struct userns_host host(uid_t uid, const struct userns_range *sub, size_t n)
{
	return (struct userns_host){
	    .uid = uid,
	    .gid = uid,
	    .user = "alice",
	    .subuid = sub,
	    .n_subuid = n,
	    .subgid = sub,
	    .n_subgid = n,
	    .newuidmap = "/usr/bin/newuidmap",
	    .newgidmap = "/usr/bin/newgidmap",
	};
}

static void compute(enum sbx_userns_mode mode, const struct userns_host *h, struct userns_plan *p)
{
	struct sbx_error *err = NULL;

	assert_int_equal(userns_plan_compute(mode, h, p, &err), 0);
	assert_null(err);
}

static void test_plan_auto_one_range(void **state)
{
	struct userns_range sub[] = {R(0, 100000, 65536)};
	struct userns_host h = host(1000, sub, 1);
	struct userns_plan p;

	(void)state;
	compute(SBX_USERNS_AUTO, &h, &p);
	assert_true(p.use_helpers);
	assert_null(p.fallback_reason);
	assert_string_equal(p.newuidmap, "/usr/bin/newuidmap");
	assert_int_equal(p.run_uid, 0);
	assert_int_equal(p.run_gid, 0);
	assert_int_equal(p.n_uid, 2);
	assert_range(&p.uid[0], 0, 1000, 1);
	assert_range(&p.uid[1], 1, 100000, 65536);
	assert_int_equal(p.n_gid, 2);
	assert_range(&p.gid[1], 1, 100000, 65536);
	assert_true(userns_uid_mapped(&p, 0));
	assert_true(userns_uid_mapped(&p, 65536));
	assert_false(userns_uid_mapped(&p, 65537));
	assert_true(userns_gid_mapped(&p, 5));
	assert_int_equal(userns_count(p.uid, p.n_uid), 65537);
	assert_true(userns_can_setgroups(&p));
	userns_plan_free(&p);
}

static void test_plan_auto_two_ranges(void **state)
{
	struct userns_range sub[] = {R(0, 100000, 65536), R(0, 300000, 1000)};
	struct userns_host h = host(1000, sub, 2);
	struct userns_plan p;

	(void)state;
	compute(SBX_USERNS_AUTO, &h, &p);
	assert_int_equal(p.n_uid, 3);
	assert_range(&p.uid[0], 0, 1000, 1);
	assert_range(&p.uid[1], 1, 100000, 65536);
	assert_range(&p.uid[2], 65537, 300000, 1000);
	assert_int_equal(userns_count(p.gid, p.n_gid), 66537);
	userns_plan_free(&p);
}

static void test_plan_merge_and_dedup(void **state)
{
	/* adjacent ranges merge; a range listed twice (by name and by uid) counts once */
	struct userns_range sub[] = {R(0, 100000, 65536), R(0, 165536, 65536), R(0, 100000, 65536),
				     R(0, 100050, 200000)};
	struct userns_host h = host(1000, sub, 4);
	struct userns_plan p;

	(void)state;
	compute(SBX_USERNS_AUTO, &h, &p);
	assert_int_equal(p.n_uid, 2);
	assert_range(&p.uid[1], 1, 100000, 200050);
	userns_plan_free(&p);
}

static void test_plan_own_id_in_range(void **state)
{
	/* the caller's own uid inside a subordinate range is not mapped twice,
	 * and its line is never merged with a subordinate one (newuidmap) */
	struct userns_range sub[] = {R(0, 999, 3)};
	struct userns_range adj[] = {R(0, 1001, 10)};
	struct userns_host h = host(1000, sub, 1);
	struct userns_plan p;

	(void)state;
	compute(SBX_USERNS_AUTO, &h, &p);
	assert_int_equal(p.n_uid, 3);
	assert_range(&p.uid[0], 0, 1000, 1);
	assert_range(&p.uid[1], 1, 999, 1);
	assert_range(&p.uid[2], 2, 1001, 1);
	userns_plan_free(&p);

	h = host(1000, adj, 1);
	compute(SBX_USERNS_AUTO, &h, &p);
	assert_int_equal(p.n_uid, 2);
	assert_range(&p.uid[0], 0, 1000, 1);
	assert_range(&p.uid[1], 1, 1001, 10);
	userns_plan_free(&p);
}

static void test_plan_keep_id(void **state)
{
	struct userns_range sub[] = {R(0, 100000, 65536)};
	struct userns_host h = host(1000, sub, 1);
	struct userns_plan p;

	(void)state;
	compute(SBX_USERNS_KEEP_ID, &h, &p);
	assert_true(p.use_helpers);
	assert_int_equal(p.run_uid, 1000);
	assert_int_equal(p.run_gid, 1000);
	assert_int_equal(p.n_uid, 3);
	assert_range(&p.uid[0], 0, 100000, 1000);
	assert_range(&p.uid[1], 1000, 1000, 1);
	assert_range(&p.uid[2], 1001, 101000, 64536);
	assert_int_equal(userns_count(p.uid, p.n_uid), 65537);
	assert_true(userns_uid_mapped(&p, 0));
	assert_true(userns_uid_mapped(&p, 65536));
	assert_false(userns_uid_mapped(&p, 65537));
	userns_plan_free(&p);
}

static void test_plan_keep_id_two_ranges(void **state)
{
	struct userns_range sub[] = {R(0, 100000, 500), R(0, 200000, 65536)};
	struct userns_host h = host(1000, sub, 2);
	struct userns_plan p;

	(void)state;
	compute(SBX_USERNS_KEEP_ID, &h, &p);
	assert_int_equal(p.n_uid, 4);
	assert_range(&p.uid[0], 0, 100000, 500);
	assert_range(&p.uid[1], 500, 200000, 500);
	assert_range(&p.uid[2], 1000, 1000, 1);
	assert_range(&p.uid[3], 1001, 200500, 65036);
	userns_plan_free(&p);
}

static void test_plan_keep_id_small_range(void **state)
{
	/* fewer subordinate ids than the uid: 0..9 mapped, a gap, then uid -> uid */
	struct userns_range sub[] = {R(0, 100000, 10)};
	struct userns_host h = host(1000, sub, 1);
	struct userns_plan p;

	(void)state;
	compute(SBX_USERNS_KEEP_ID, &h, &p);
	assert_int_equal(p.n_uid, 2);
	assert_range(&p.uid[0], 0, 100000, 10);
	assert_range(&p.uid[1], 1000, 1000, 1);
	assert_false(userns_uid_mapped(&p, 10));
	assert_false(userns_uid_mapped(&p, 1001));
	userns_plan_free(&p);
}

static void test_plan_keep_id_root(void **state)
{
	/* keep-id for uid 0 is auto */
	struct userns_range sub[] = {R(0, 100000, 65536)};
	struct userns_host h = host(0, sub, 1);
	struct userns_plan p;

	(void)state;
	compute(SBX_USERNS_KEEP_ID, &h, &p);
	assert_int_equal(p.n_uid, 2);
	assert_range(&p.uid[0], 0, 0, 1);
	assert_range(&p.uid[1], 1, 100000, 65536);
	userns_plan_free(&p);
}

static void test_plan_single(void **state)
{
	struct userns_range sub[] = {R(0, 100000, 65536)};
	struct userns_host h = host(1000, sub, 1);
	struct userns_plan p;

	(void)state;
	compute(SBX_USERNS_SINGLE, &h, &p);
	assert_false(p.use_helpers);
	assert_null(p.fallback_reason);
	assert_null(p.newuidmap);
	assert_int_equal(p.n_uid, 1);
	assert_int_equal(p.n_gid, 1);
	assert_range(&p.uid[0], 0, 1000, 1);
	assert_range(&p.gid[0], 0, 1000, 1);
	assert_false(userns_gid_mapped(&p, 5));
	assert_false(userns_can_setgroups(&p));
	userns_plan_free(&p);
}

static void test_plan_fallback_no_range(void **state)
{
	struct userns_host h = host(1000, NULL, 0);
	struct userns_plan p;

	(void)state;
	compute(SBX_USERNS_AUTO, &h, &p);
	assert_false(p.use_helpers);
	assert_null(p.newuidmap);
	assert_int_equal(p.n_uid, 1);
	assert_range(&p.uid[0], 0, 1000, 1);
	assert_range(&p.gid[0], 0, 1000, 1);
	assert_non_null(p.fallback_reason);
	assert_non_null(strstr(p.fallback_reason, "no /etc/subuid range for `alice` (uid 1000)"));
	assert_non_null(strstr(p.fallback_reason, "no /etc/subgid range"));
	assert_non_null(p.fallback_hint);
	assert_string_equal(p.fallback_hint, "as root: usermod --add-subuids 100000-165535 "
					     "--add-subgids 100000-165535 alice");
	userns_plan_free(&p);

	/* the suggested ranges overlap no one's */
	h.free_subuid = 231072;
	h.free_subgid = 300000;
	compute(SBX_USERNS_AUTO, &h, &p);
	assert_string_equal(p.fallback_hint, "as root: usermod --add-subuids 231072-296607 "
					     "--add-subgids 300000-365535 alice");
	userns_plan_free(&p);

	/* keep-id falls back to uid -> uid */
	compute(SBX_USERNS_KEEP_ID, &h, &p);
	assert_non_null(p.fallback_reason);
	assert_int_equal(p.run_uid, 1000);
	assert_range(&p.uid[0], 1000, 1000, 1);
	assert_range(&p.gid[0], 1000, 1000, 1);
	userns_plan_free(&p);
}

static void test_plan_fallback_gid_side(void **state)
{
	struct userns_range sub[] = {R(0, 100000, 65536)};
	struct userns_host h = host(1000, sub, 1);
	struct userns_plan p;

	(void)state;
	h.n_subgid = 0;
	h.user = NULL;
	compute(SBX_USERNS_AUTO, &h, &p);
	assert_false(p.use_helpers);
	assert_int_equal(p.n_uid, 1);
	assert_string_equal(p.fallback_reason, "no /etc/subgid range for uid 1000");
	assert_non_null(strstr(p.fallback_hint, "`1000:100000:65536` to /etc/subgid"));
	userns_plan_free(&p);

	/* a range that holds only the caller's own id is no range */
	sub[0] = R(0, 1000, 1);
	h = host(1000, sub, 1);
	compute(SBX_USERNS_AUTO, &h, &p);
	assert_false(p.use_helpers);
	assert_non_null(strstr(p.fallback_reason, "no /etc/subuid range"));
	userns_plan_free(&p);
}

static void test_plan_fallback_no_helper(void **state)
{
	struct userns_range sub[] = {R(0, 100000, 65536)};
	struct userns_host h = host(1000, sub, 1);
	struct userns_plan p;

	(void)state;
	h.newgidmap = NULL;
	compute(SBX_USERNS_AUTO, &h, &p);
	assert_false(p.use_helpers);
	assert_string_equal(p.fallback_reason, "newgidmap not found");
	assert_non_null(strstr(p.fallback_hint, "uidmap"));
	userns_plan_free(&p);

	h.newgidmap = "/usr/bin/newgidmap";
	h.newuidmap = NULL;
	h.helper_problem = "`/usr/bin/newuidmap` is neither setuid root nor has file capabilities";
	compute(SBX_USERNS_AUTO, &h, &p);
	assert_string_equal(p.fallback_reason, h.helper_problem);
	assert_int_equal(p.n_uid, 1);
	userns_plan_free(&p);
}

static void check_kernel_limits(const struct userns_plan *p, uint32_t own_inside, uint32_t own)
{
	char buf[16384];
	int len;
	bool own_found = false;

	assert_true(p->n_uid <= USERNS_MAX_LINES);
	len = userns_format_map(p->uid, p->n_uid, buf, sizeof(buf));
	assert_true(len > 0 && len < 4096);
	for (size_t i = 0; i < p->n_uid; i++) {
		if (p->uid[i].inside == own_inside && p->uid[i].outside == own && p->uid[i].count == 1)
			own_found = true;
		for (size_t j = 0; j < i; j++) {
			assert_true(p->uid[j].inside + (uint64_t)p->uid[j].count <= p->uid[i].inside);
			assert_true(p->uid[j].outside + (uint64_t)p->uid[j].count <= p->uid[i].outside ||
				    p->uid[i].outside + (uint64_t)p->uid[i].count <= p->uid[j].outside);
		}
	}
	assert_true(own_found);
}

static void test_plan_line_cap(void **state)
{
	struct userns_range sub[USERNS_MAX_SUBID];
	struct userns_host h;
	struct userns_plan p;

	(void)state;
	/* 1000 disjoint single ids: cut to the kernel's limits */
	for (size_t i = 0; i < 1000; i++)
		sub[i] = R(0, (uint32_t)(100000 + 2 * i), 1);
	h = host(1000, sub, 1000);
	compute(SBX_USERNS_AUTO, &h, &p);
	assert_true(p.use_helpers);
	check_kernel_limits(&p, 0, 1000);
	assert_true(p.n_uid > 200);
	assert_range(&p.uid[1], 1, 100000, 1);
	userns_plan_free(&p);

	compute(SBX_USERNS_KEEP_ID, &h, &p);
	check_kernel_limits(&p, 1000, 1000);
	assert_true(userns_uid_mapped(&p, 0));
	userns_plan_free(&p);

	/* long numbers: the 4096-byte limit bites before 340 lines */
	for (size_t i = 0; i < 340; i++)
		sub[i] = R(0, (uint32_t)(4000000000u + 2 * i), 1);
	h = host(1000, sub, 340);
	compute(SBX_USERNS_AUTO, &h, &p);
	check_kernel_limits(&p, 0, 1000);
	assert_true(p.n_uid < 340);
	userns_plan_free(&p);

	/* 1000 adjacent ranges merge into one line */
	for (size_t i = 0; i < 1000; i++)
		sub[i] = R(0, (uint32_t)(100000 + 10 * i), 10);
	h = host(1000, sub, 1000);
	compute(SBX_USERNS_AUTO, &h, &p);
	assert_int_equal(p.n_uid, 2);
	assert_range(&p.uid[1], 1, 100000, 10000);
	userns_plan_free(&p);
}

static void test_plan_huge_range(void **state)
{
	/* inside ids stop at 4294967294 */
	struct userns_range sub[] = {R(0, 0, 4294967295u)};
	struct userns_host h = host(1000, sub, 1);
	struct userns_plan p;

	(void)state;
	compute(SBX_USERNS_AUTO, &h, &p);
	check_kernel_limits(&p, 0, 1000);
	for (size_t i = 0; i < p.n_uid; i++)
		assert_true((uint64_t)p.uid[i].inside + p.uid[i].count <= 4294967295u);
	assert_int_equal(userns_count(p.uid, p.n_uid), 4294967295u);
	userns_plan_free(&p);
}

static void test_plan_invalid(void **state)
{
	struct userns_host h = host(1000, NULL, 0);
	struct sbx_error *err = NULL;
	struct userns_plan p;

	(void)state;
	assert_true(userns_plan_compute((enum sbx_userns_mode)42, &h, &p, &err) < 0);
	assert_non_null(err);
	sbx_error_free(err);
	err = NULL;
	h.uid = (uid_t)-1;
	assert_true(userns_plan_compute(SBX_USERNS_SINGLE, &h, &p, &err) < 0);
	sbx_error_free(err);
}

static void test_format_map(void **state)
{
	struct userns_range r[] = {R(0, 1000, 1), R(1, 100000, 65536)};
	char buf[64], small[10];

	(void)state;
	assert_int_equal(userns_format_map(r, 2, buf, sizeof(buf)), 24);
	assert_string_equal(buf, "0 1000 1\n1 100000 65536\n");
	assert_int_equal(userns_format_map(r, 2, small, sizeof(small)), -1);
}

/* ---- helpers, map writing, clone failures ---- */

static char tmpdir[64];

static char *write_script(const char *name, const char *body)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	chmod(path, 0755);
	return path;
}

static int setup_tmp(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_userns.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
	(void)state;
	return util_rm_rf(tmpdir, NULL);
}

static void test_find_helper(void **state)
{
	struct userns_helper_problem problem;
	char *path, *fake;
	const char *old = getenv("PATH");
	char *saved = old ? xstrdup(old) : NULL;

	(void)state;
	assert_int_equal(userns_find_helper("sbx-no-such-helper", &path, &problem), -1);
	assert_null(path);
	assert_int_equal(problem.fault, USERNS_HELPER_ABSENT);
	assert_null(problem.candidate);
	assert_string_equal(problem.text, "sbx-no-such-helper not found");
	userns_helper_problem_free(&problem);

	/* a plain executable in PATH is not a usable helper */
	fake = write_script("sbx-fake-helper", "exit 0");
	setenv("PATH", tmpdir, 1);
	assert_int_equal(userns_find_helper("sbx-fake-helper", &path, &problem), -1);
	assert_int_equal(problem.fault, USERNS_HELPER_UNPRIVILEGED);
	assert_string_equal(problem.candidate, fake);
	assert_non_null(strstr(problem.text, "neither setuid root nor has file capabilities"));
	assert_non_null(strstr(problem.text, fake));
	userns_helper_problem_free(&problem);
	assert_null(problem.text);
	free(fake);
	if (saved)
		setenv("PATH", saved, 1);
	free(saved);
}

static struct userns_plan *fake_plan(const char *uidmap, const char *gidmap)
{
	struct userns_range sub[] = {R(0, 200000, 65536)};
	struct userns_host h = host(1000, sub, 1);
	struct userns_plan *p = xmalloc(sizeof(*p));

	h.newuidmap = uidmap;
	h.newgidmap = gidmap;
	compute(SBX_USERNS_AUTO, &h, p);
	return p;
}

static void test_write_maps_fake_helpers(void **state)
{
	cleanup_free char *ok = NULL, *args = NULL, *outfile = NULL, *got = NULL;
	struct sbx_error *err = NULL;
	struct userns_plan *p;

	(void)state;
	outfile = xasprintf("%s/args", tmpdir);
	args = xasprintf("echo \"$0 $*\" >> %s", outfile);
	ok = write_script("ok-helper", args);
	p = fake_plan(ok, ok);
	assert_int_equal(userns_write_maps(4242, p, &err), 0);
	assert_null(err);
	assert_int_equal(util_read_file(outfile, &got, NULL, &err), 0);
	assert_non_null(strstr(got, "ok-helper 4242 0 1000 1 1 200000 65536\n"));
	/* both ran */
	assert_non_null(strstr(strstr(got, "\n") + 1, "ok-helper 4242 0 1000 1 1 200000 65536\n"));
	userns_plan_free(p);
	free(p);
}

static void test_write_maps_start_finish(void **state)
{
	cleanup_free char *slow = NULL, *ok = NULL;
	struct userns_maps_job *job = NULL;
	struct sbx_error *err = NULL;
	struct timespec t0, t1;
	struct userns_plan *p;

	(void)state;
	ok = write_script("ok3", "exit 0");
	slow = write_script("slow", "exec sleep 10");
	p = fake_plan(ok, ok);
	assert_int_equal(userns_write_maps_start(4242, p, &job, &err), 0);
	assert_non_null(job);
	assert_int_equal(userns_write_maps_finish(job, &err), 0);
	assert_null(err);
	assert_int_equal(userns_write_maps_finish(NULL, &err), 0);
	userns_plan_free(p);
	free(p);

	/* cancel kills and reaps a helper that hangs */
	p = fake_plan(slow, ok);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(userns_write_maps_start(4242, p, &job, &err), 0);
	userns_write_maps_cancel(job);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 5);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1); /* nothing left to reap */
	assert_int_equal(errno, ECHILD);
	userns_plan_free(p);
	free(p);
}

static void test_write_maps_helper_fails(void **state)
{
	cleanup_free char *ok = NULL, *bad = NULL, *sig = NULL;
	struct sbx_error *err = NULL;
	struct userns_plan *p;

	(void)state;
	ok = write_script("ok2", "exit 0");
	bad = write_script("newgidmap",
			   "echo 'newgidmap: gid range [1-65537) -> [300000-365536) not allowed' >&2\n"
			   "echo 'second line' >&2\nexit 1");
	p = fake_plan(ok, bad);
	assert_true(userns_write_maps(4242, p, &err) < 0);
	assert_non_null(err);
	assert_non_null(strstr(err->msg, "write gid map of process 4242"));
	assert_non_null(strstr(err->msg, bad));
	assert_non_null(strstr(err->msg, "exit status 1"));
	assert_non_null(strstr(err->msg, "gid range [1-65537) -> [300000-365536) not allowed"));
	assert_null(strstr(err->msg, "second line"));
	assert_non_null(err->hint);
	assert_string_equal(err->hint, "add `alice:300000:65536` to /etc/subgid (as root: usermod "
				       "--add-subgids 300000-365535 alice)");
	sbx_error_free(err);
	err = NULL;
	userns_plan_free(p);
	free(p);

	/* killed by a signal, no output: the hint names the plan's range */
	sig = write_script("sig", "kill -9 $$");
	p = fake_plan(sig, ok);
	assert_true(userns_write_maps(4242, p, &err) < 0);
	assert_non_null(strstr(err->msg, "uid map"));
	assert_non_null(strstr(err->msg, "killed by signal 9"));
	assert_non_null(strstr(err->hint, "`alice:200000:65536` to /etc/subuid"));
	sbx_error_free(err);
	err = NULL;
	userns_plan_free(p);
	free(p);

	/* a helper that vanished */
	p = fake_plan("/nonexistent/newuidmap", ok);
	assert_true(userns_write_maps(4242, p, &err) < 0);
	assert_non_null(strstr(err->msg, "/nonexistent/newuidmap"));
	sbx_error_free(err);
	userns_plan_free(p);
	free(p);
}

/* Clone a child into a new user namespace, map it with a single-ID plan and
 * read its uid_map back: the real thing, as whichever user runs the tests. */
static void test_write_maps_direct(void **state)
{
	struct userns_host h = {.uid = geteuid(), .gid = getegid()};
	int go[2], back[2], status;
	struct sbx_error *err = NULL;
	struct userns_plan p;
	char buf[256], want[64];
	ssize_t n;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe2(go, O_CLOEXEC), 0);
	assert_int_equal(pipe2(back, O_CLOEXEC), 0);
	pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
	if (pid < 0) {
		print_message("clone(CLONE_NEWUSER): %s: skipped\n", strerror(errno));
		skip();
	}
	if (pid == 0) {
		char c, map[256];
		int fd, len;

		close(go[1]);
		close(back[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
		len = fd < 0 ? -1 : (int)read(fd, map, sizeof(map));
		if (len < 0)
			_exit(2);
		len += snprintf(map + len, sizeof(map) - (size_t)len, "|%d", (int)getuid());
		if (write(back[1], map, (size_t)len) != len)
			_exit(3);
		_exit(0);
	}
	close(go[0]);
	close(back[1]);
	compute(SBX_USERNS_SINGLE, &h, &p);
	assert_int_equal(userns_write_maps(pid, &p, &err), 0);
	assert_null(err);
	assert_int_equal(write(go[1], "x", 1), 1);
	n = read(back[0], buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	snprintf(want, sizeof(want), "%u", (unsigned)geteuid());
	assert_non_null(strstr(buf, want));
	assert_non_null(strstr(buf, "|0")); /* root inside */
	close(go[1]);
	close(back[0]);
	userns_plan_free(&p);
}

static void test_explain_clone_failure(void **state)
{
	struct sbx_error *err = NULL;

	(void)state;
	assert_int_equal(userns_explain_clone_failure(ENOSPC, &err), -ENOSPC);
	assert_int_equal(err->errnum, ENOSPC);
	assert_non_null(strstr(err->msg, "max_user_namespaces"));
	assert_non_null(err->hint);
	assert_non_null(strstr(err->hint, "sysctl"));
	sbx_error_free(err);
	err = NULL;

	assert_int_equal(userns_explain_clone_failure(EPERM, &err), -EPERM);
	assert_int_equal(err->errnum, EPERM);
	assert_non_null(err->msg);
	assert_non_null(err->hint);
	sbx_error_free(err);
	err = NULL;

	assert_int_equal(userns_explain_clone_failure(ENOMEM, &err), -ENOMEM);
	assert_non_null(strstr(err->msg, "create user namespace"));
	sbx_error_free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_subid_by_name),
	    cmocka_unit_test(test_subid_by_uid),
	    cmocka_unit_test(test_subid_several),
	    cmocka_unit_test(test_subid_comments),
	    cmocka_unit_test(test_subid_malformed),
	    cmocka_unit_test(test_subid_overflow),
	    cmocka_unit_test(test_subid_other_users),
	    cmocka_unit_test(test_subid_not_terminated),
	    cmocka_unit_test(test_subid_first_free),
	    cmocka_unit_test(test_plan_auto_one_range),
	    cmocka_unit_test(test_plan_auto_two_ranges),
	    cmocka_unit_test(test_plan_merge_and_dedup),
	    cmocka_unit_test(test_plan_own_id_in_range),
	    cmocka_unit_test(test_plan_keep_id),
	    cmocka_unit_test(test_plan_keep_id_two_ranges),
	    cmocka_unit_test(test_plan_keep_id_small_range),
	    cmocka_unit_test(test_plan_keep_id_root),
	    cmocka_unit_test(test_plan_single),
	    cmocka_unit_test(test_plan_fallback_no_range),
	    cmocka_unit_test(test_plan_fallback_gid_side),
	    cmocka_unit_test(test_plan_fallback_no_helper),
	    cmocka_unit_test(test_plan_line_cap),
	    cmocka_unit_test(test_plan_huge_range),
	    cmocka_unit_test(test_plan_invalid),
	    cmocka_unit_test(test_format_map),
	    cmocka_unit_test_setup_teardown(test_find_helper, setup_tmp, teardown_tmp),
	    cmocka_unit_test_setup_teardown(test_write_maps_fake_helpers, setup_tmp, teardown_tmp),
	    cmocka_unit_test_setup_teardown(test_write_maps_start_finish, setup_tmp, teardown_tmp),
	    cmocka_unit_test_setup_teardown(test_write_maps_helper_fails, setup_tmp, teardown_tmp),
	    cmocka_unit_test(test_write_maps_direct),
	    cmocka_unit_test(test_explain_clone_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
