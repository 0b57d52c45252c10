/* SPDX-License-Identifier: GPL-2.0-or-later */
/* seccomp_internal.h - the compiled filter, shared by seccomp.c and seccomp_default.c */
#ifndef SBX_SECCOMP_INTERNAL_H
#define SBX_SECCOMP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/filter.h>

struct sbx_seccomp_filter {
	unsigned int flags; /* SECCOMP_FILTER_FLAG_* */
	unsigned short len; /* instructions */
	struct sock_filter insns[];
};

/* Tests set it to compare the embedded filter with one compiled now. */
extern bool seccomp_no_embedded;

bool seccomp_default_embedded(uint64_t caps, struct sbx_seccomp_filter **out);

#endif /* SBX_SECCOMP_INTERNAL_H */
