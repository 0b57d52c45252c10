// SPDX-License-Identifier: GPL-2.0-or-later
/* caps.c - capability sets: parse names, compute --cap-add/--cap-drop, apply
 *
 * Theory of operation
 *
 * sandbox.c turns --cap-add/--cap-drop/--privileged into one set with
 * caps_compute() before anything starts, so a bad name is a plain usage
 * error (exit 125). The sandboxed process, root in its user namespace with
 * every capability, calls caps_apply() after its mounts are done and right
 * before exec:
 *
 *   1. ambient set cleared (nothing leaks into a non-root exec);
 *   2. bounding set reduced to the set: what is gone from it can never come
 *      back, not even through a file capability or a setuid-root binary;
 *   3. permitted = effective = the set, inheritable = empty.
 *
 * Inheritable is deliberately left empty rather than equal to the set: an
 * inheritable capability survives setuid() to a non-root user and is then
 * granted by exec of any file whose inheritable file capabilities name it
 * (CVE-2022-24769 in moby, CVE-2022-27649 in podman). For root the kernel
 * computes the new permitted set from the bounding set alone, so root loses
 * nothing by this.
 *
 * Running the command as a non-root user (-u): either call caps_apply()
 * first and then setresuid() (the kernel empties permitted and effective
 * since PR_SET_KEEPCAPS is off; this needs CAP_SETUID/CAP_SETGID still in
 * the set), or set PR_SET_KEEPCAPS, setresuid(), then caps_apply() (always
 * works: caps_apply() raises effective back from the kept permitted set to
 * shrink the bounding set). Either way the non-root command ends up with an
 * empty permitted set after exec and the bounding set limits what a file
 * capability can give it, as docker does for non-root users.
 * Shrinking the bounding set needs CAP_SETPCAP: after a setresuid() to
 * non-root WITHOUT keepcaps nothing is left to do it with, and caps_apply()
 * fails unless the bounding set is already within the set.
 */
#include "caps.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT		 47
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

static void caps_cap_freep(cap_t *c)
{
	if (*c)
		cap_free(*c);
}

#define cleanup_cap __attribute__((cleanup(caps_cap_freep)))

/**
 * caps_parse_name() - turn a capability name into its number
 * @name:	"CAP_NET_RAW", "NET_RAW" or "net_raw" (any case); "ALL" is
 *		not a capability and is left to the caller
 * @cap:	set to the capability number on success
 *
 * Names are those libcap knows (capabilities(7)); numbers are not accepted.
 *
 * Return: 0, or -EINVAL for an unknown or malformed name.
 */
int caps_parse_name(const char *name, int *cap)
{
	char buf[64];
	cap_value_t value;
	size_t len = 0;

	if (!name || !*name)
		return -EINVAL;
	if (strncasecmp(name, "cap_", 4) != 0) {
		memcpy(buf, "cap_", 4);
		len = 4;
	}
	for (const char *p = name; *p; p++) {
		/* libcap's lookup also takes numbers and stops at the first
		 * character that is not part of a name: be strict here */
		if (!isalpha((unsigned char)*p) && *p != '_')
			return -EINVAL;
		if (len + 1 >= sizeof(buf))
			return -EINVAL;
		buf[len++] = (char)tolower((unsigned char)*p);
	}
	buf[len] = '\0';
	if (cap_from_name(buf, &value) < 0 || value < 0 || value > 63)
		return -EINVAL;
	*cap = (int)value;
	return 0;
}

/**
 * caps_kernel_set() - every capability the running kernel knows
 *
 * libcap probes the kernel (PR_CAPBSET_READ) once at start-up, so this
 * needs no /proc.
 *
 * Return: the set of capabilities 0..cap_last_cap.
 */
uint64_t caps_kernel_set(void)
{
	int n = (int)cap_max_bits();

	if (n <= 0)
		n = CAP_LAST_CAP + 1;
	if (n >= 64)
		return UINT64_MAX;
	return CAPS_BIT(n) - 1;
}

/**
 * parse_list() - parse one --cap-add or --cap-drop list
 * @list:	names as given by the user (may be NULL)
 * @mask:	set to the capabilities named
 * @all:	set to whether "ALL" (any case) is in the list
 * @err:	error out-parameter
 *
 * Return: 0, or a negative value with *err set ("unknown capability `X`").
 */
static int parse_list(const struct strv *list, uint64_t *mask, bool *all, struct sbx_error **err)
{
	*mask = 0;
	*all = false;
	for (size_t i = 0; list && i < list->n; i++) {
		const char *name = list->v[i];
		int cap;

		if (strcasecmp(name, "ALL") == 0) {
			*all = true;
			continue;
		}
		if (caps_parse_name(name, &cap) < 0) {
			sbx_error_set(err, 0, "unknown capability `%s`", name);
			sbx_error_hint(err, "capability names are those of capabilities(7), "
					    "e.g. NET_RAW or CAP_NET_RAW, or ALL");
			return -EINVAL;
		}
		*mask |= CAPS_BIT(cap);
	}
	return 0;
}

/**
 * caps_compute() - the capability set of a sandbox, with docker's semantics
 * @add:	--cap-add names (may be NULL)
 * @drop:	--cap-drop names (may be NULL)
 * @privileged:	--privileged: every capability the kernel knows
 * @set:	set to the result
 * @err:	error out-parameter
 *
 * As docker's TweakCapabilities: "ALL" in @add gives every capability the
 * kernel knows minus those in @drop; otherwise "ALL" in @drop gives exactly
 * @add; otherwise the default set minus @drop plus @add (so a capability in
 * both lists is kept). A capability the kernel does not know may end up in
 * the set; caps_apply() ignores it.
 *
 * Return: 0, or a negative value with *err set for an unknown name.
 */
int caps_compute(const struct strv *add, const struct strv *drop, bool privileged, uint64_t *set,
		 struct sbx_error **err)
{
	uint64_t add_mask, drop_mask;
	bool add_all, drop_all;

	if (parse_list(add, &add_mask, &add_all, err) < 0 || parse_list(drop, &drop_mask, &drop_all, err) < 0)
		return -EINVAL;
	if (privileged)
		*set = caps_kernel_set();
	else if (add_all)
		*set = caps_kernel_set() & ~drop_mask;
	else if (drop_all)
		*set = add_mask;
	else
		*set = (CAPS_DEFAULT_SET & ~drop_mask) | add_mask;
	return 0;
}

/**
 * raise_effective() - make effective equal to permitted
 * @err:	error out-parameter
 *
 * After PR_SET_KEEPCAPS and a setresuid() to non-root the kernel keeps
 * permitted but empties effective; CAP_SETPCAP must be effective again to
 * shrink the bounding set.
 *
 * Return: 0, or a negative value with *err set.
 */
static int raise_effective(struct sbx_error **err)
{
	cleanup_cap cap_t cur = cap_get_proc();
	cap_flag_value_t perm, eff;

	if (!cur)
		return sbx_error_set(err, errno, "read the process capabilities");
	if (cap_get_flag(cur, CAP_SETPCAP, CAP_PERMITTED, &perm) < 0 ||
	    cap_get_flag(cur, CAP_SETPCAP, CAP_EFFECTIVE, &eff) < 0)
		return sbx_error_set(err, errno, "read the process capabilities");
	if (perm != CAP_SET || eff == CAP_SET)
		return 0;
	if (cap_fill(cur, CAP_EFFECTIVE, CAP_PERMITTED) < 0 || cap_set_proc(cur) < 0)
		return sbx_error_set(err, errno, "raise the effective capabilities");
	return 0;
}

/**
 * caps_apply() - reduce the calling process to a capability set
 * @set:	capabilities to keep (bits the kernel does not know are ignored)
 * @err:	error out-parameter
 *
 * Clears the ambient set, drops from the bounding set every capability
 * not in @set, then sets permitted = effective = @set (limited to what is
 * permitted now) and inheritable = empty. See the top of this file for the
 * order with setresuid() and why inheritable stays empty.
 *
 * Return: 0, or a negative value with *err set.
 */
int caps_apply(uint64_t set, struct sbx_error **err)
{
	int last = (int)cap_max_bits();
	cleanup_cap cap_t cur = NULL;
	cleanup_cap cap_t next = NULL;

	if (last <= 0 || last > 64)
		last = 64;
	set &= caps_kernel_set();

	if (raise_effective(err) < 0)
		return -1;
	/* EINVAL: kernel < 4.3 has no ambient set, so nothing to clear */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0L, 0L, 0L) < 0 && errno != EINVAL)
		return sbx_error_set(err, errno, "clear the ambient capabilities");

	for (int c = 0; c < last; c++) {
		if (set & CAPS_BIT(c))
			continue;
		if (prctl(PR_CAPBSET_READ, (unsigned long)c, 0L, 0L, 0L) != 1)
			continue;
		if (prctl(PR_CAPBSET_DROP, (unsigned long)c, 0L, 0L, 0L) < 0) {
			int saved = errno;
			char *name = cap_to_name((cap_value_t)c);

			sbx_error_set(err, saved, "drop `%s` from the bounding set", name ? name : "?");
			cap_free(name);
			if (saved == EPERM)
				sbx_error_hint(err, "the bounding set can only shrink while "
						    "CAP_SETPCAP is held: apply capabilities "
						    "before switching to a non-root user");
			return -saved;
		}
	}

	cur = cap_get_proc();
	next = cap_init();
	if (!cur || !next)
		return sbx_error_set(err, errno, "read the process capabilities");
	for (int c = 0; c < last; c++) {
		cap_value_t v = (cap_value_t)c;
		cap_flag_value_t perm;

		if (!(set & CAPS_BIT(c)))
			continue;
		if (cap_get_flag(cur, v, CAP_PERMITTED, &perm) < 0)
			return sbx_error_set(err, errno, "read the process capabilities");
		if (perm != CAP_SET)
			continue; /* not ours to keep: e.g. already non-root */
		if (cap_set_flag(next, CAP_PERMITTED, 1, &v, CAP_SET) < 0 ||
		    cap_set_flag(next, CAP_EFFECTIVE, 1, &v, CAP_SET) < 0)
			return sbx_error_set(err, errno, "set capability %d", c);
	}
	if (cap_set_proc(next) < 0)
		return sbx_error_set(err, errno, "set the process capabilities");
	return 0;
}

/**
 * caps_format() - a capability set as text, for inspect and debug output
 * @set:	the set
 *
 * Return: a malloc'd comma list such as "CAP_CHOWN,CAP_KILL" in numeric
 * order ("" for the empty set); numbers libcap has no name for read "CAP_41".
 */
char *caps_format(uint64_t set)
{
	size_t len = 0, size = 1;
	char *out;

	for (int c = 0; c < 64; c++)
		if (set & CAPS_BIT(c))
			size += 32; /* longest name is 23 characters */
	out = xmalloc(size);
	out[0] = '\0';
	for (int c = 0; c < 64; c++) {
		char *name;
		int n;

		if (!(set & CAPS_BIT(c)))
			continue;
		name = cap_to_name((cap_value_t)c);
		if (name && strncasecmp(name, "cap_", 4) == 0)
			n = snprintf(out + len, size - len, "%sCAP_%s", len ? "," : "", name + 4);
		else
			n = snprintf(out + len, size - len, "%sCAP_%d", len ? "," : "", c);
		cap_free(name);
		if (n < 0 || (size_t)n >= size - len)
			break;
		for (size_t i = len; i < len + (size_t)n; i++)
			out[i] = (char)toupper((unsigned char)out[i]);
		len += (size_t)n;
	}
	return out;
}
