/* SPDX-License-Identifier: GPL-2.0-or-later */
/* seccomp.h - seccomp filters: the built-in default and docker JSON profiles
 *
 * A struct sbx_seccomp_filter is a compiled filter (BPF), built where the
 * profile file can be read and loaded later, in the sandboxed process,
 * with one system call. Typical use (see the top of seccomp.c for the
 * order with capabilities and no_new_privs):
 *
 *	struct sbx_seccomp_filter *filter = NULL;
 *	if (seccomp_build(opts->seccomp_profile, caps, &filter, &err) < 0)
 *		... (bad profile: exit 125 before anything started)
 *	... fork, mounts, pivot_root, caps_apply(), setresuid(), NNP ...
 *	if (filter && seccomp_load_filter(filter, &err) < 0) ...
 *	seccomp_filter_free(filter);
 */
#ifndef SBX_SECCOMP_H
#define SBX_SECCOMP_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct sbx_seccomp_filter;

int seccomp_build(const char *profile, uint64_t caps, struct sbx_seccomp_filter **out,
		  struct sbx_error **err);
int seccomp_build_from_json(const char *buf, size_t len, uint64_t caps, struct sbx_seccomp_filter **out,
			    struct sbx_error **err);
int seccomp_load_filter(const struct sbx_seccomp_filter *filter, struct sbx_error **err);
void seccomp_filter_free(struct sbx_seccomp_filter *filter);
size_t seccomp_filter_size(const struct sbx_seccomp_filter *filter);

int seccomp_load_profile(const char *profile, struct sbx_error **err);
int seccomp_check_profile(const char *profile, struct sbx_error **err);

#endif /* SBX_SECCOMP_H */

/*
 * With -Ilib/isolate, `#include <seccomp.h>` finds this file instead of libseccomp's.
 * seccomp.c defines SBX_SECCOMP_WANT_LIBSECCOMP and includes <seccomp.h>:
 * when that lands here, go on to the next <seccomp.h> in the search path,
 * libseccomp's (whose guard is _SECCOMP_H). Nothing else needs libseccomp's
 * header: struct sbx_seccomp_filter is opaque.
 */
#if defined(SBX_SECCOMP_WANT_LIBSECCOMP) && !defined(_SECCOMP_H)
#include_next <seccomp.h>
#endif
