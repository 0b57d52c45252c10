// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_subid.c - libFuzzer target: /etc/subuid parsing and the map plans built from it
 *
 * Build: clang -fsanitize=fuzzer,address,undefined -iquote lib/base -iquote lib/isolate \
 *        tests/fuzz/fuzz_subid.c \
 *        lib/isolate/userns.c lib/base/passwd.c lib/base/safepath.c lib/base/error.c lib/base/util.c
 * Besides memory errors, it aborts when a plan breaks what the kernel and
 * newuidmap require: at most 340 lines, less than 4096 bytes of text, no
 * overlapping inside or outside ranges, the caller's own id on a line of
 * its own, ids below 4294967295.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "userns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_map(const struct userns_range *r, size_t n, uint32_t own_inside, uint32_t own)
{
	char buf[16384];
	bool own_found = false;
	int len;

	if (n == 0 || n > USERNS_MAX_LINES)
		abort();
	len = userns_format_map(r, n, buf, sizeof(buf));
	if (len <= 0 || len >= 4096)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (r[i].count == 0 || (uint64_t)r[i].inside + r[i].count > UINT32_MAX ||
		    (uint64_t)r[i].outside + r[i].count > UINT32_MAX)
			abort();
		if (r[i].inside == own_inside && r[i].outside == own && r[i].count == 1)
			own_found = true;
		for (size_t j = 0; j < i; j++) {
			if ((uint64_t)r[j].inside + r[j].count > r[i].inside)
				abort(); /* sorted, disjoint inside */
			if (!((uint64_t)r[j].outside + r[j].count <= r[i].outside ||
			      (uint64_t)r[i].outside + r[i].count <= r[j].outside))
				abort(); /* disjoint outside */
		}
	}
	if (!own_found)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct userns_range ranges[USERNS_MAX_SUBID];
	static struct userns_plan plan;
	struct userns_host h = {.user = "alice", .newuidmap = "/u", .newgidmap = "/g"};
	uint32_t own = 1000;
	size_t n = 0;

	/* the first 4 bytes pick the caller's uid, so keep-id meets every layout */
	if (size >= 4) {
		memcpy(&own, data, 4);
		if (own == UINT32_MAX)
			own--;
		data += 4;
		size -= 4;
	}
	if (userns_subid_parse((const char *)data, size, "alice", own, ranges, USERNS_MAX_SUBID, &n, NULL) <
	    0)
		abort();
	for (size_t i = 0; i < n; i++)
		if (ranges[i].count == 0 || (uint64_t)ranges[i].outside + ranges[i].count > UINT32_MAX)
			abort();
	h.uid = own;
	h.gid = own;
	h.subuid = h.subgid = ranges;
	h.n_subuid = h.n_subgid = n;
	for (int m = SBX_USERNS_AUTO; m <= SBX_USERNS_SINGLE; m++) {
		uint32_t own_inside = m == SBX_USERNS_KEEP_ID ? own : 0;

		if (userns_plan_compute((enum sbx_userns_mode)m, &h, &plan, NULL) < 0)
			abort();
		check_map(plan.uid, plan.n_uid, own_inside, own);
		check_map(plan.gid, plan.n_gid, own_inside, own);
		if (!userns_uid_mapped(&plan, own_inside))
			abort();
		if (plan.use_helpers != (m != SBX_USERNS_SINGLE && plan.n_uid > 1 && plan.n_gid > 1))
			abort();
		userns_plan_free(&plan);
	}
	return 0;
}
