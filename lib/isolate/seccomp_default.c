// SPDX-License-Identifier: GPL-2.0-or-later
/* seccomp_default.c - the built-in filter for the default capability set,
 *		       compiled at build time
 *
 * libseccomp needs about 1.5 ms (static musl) to turn the built-in rules
 * into BPF: as much as the rest of a sandbox's start. The filter for the
 * default capability set never changes for a given build, so the Makefile
 * compiles it once with deps/gen-seccomp.c (the same code and the same
 * libseccomp version) into build/gen/seccomp-default.inc, and a start only
 * copies it. Any other capability set or profile is compiled at run time.
 */
#include "seccomp_internal.h"

#include <stdlib.h>
#include <string.h>

#include "caps.h"

bool seccomp_no_embedded;

#ifdef SBX_SECCOMP_DEFAULT_INC
#include SBX_SECCOMP_DEFAULT_INC
#endif

/**
 * seccomp_default_embedded() - the built-in filter for @caps, if embedded
 * @caps:	capability set of the sandbox
 * @out:	set to a new filter (free with seccomp_filter_free())
 *
 * Return: true when @out was set; false when it must be compiled now.
 */
bool seccomp_default_embedded(uint64_t caps, struct sbx_seccomp_filter **out)
{
#ifdef SBX_SECCOMP_DEFAULT_INC
	size_t n = sizeof(default_insns) / sizeof(default_insns[0]);
	struct sbx_seccomp_filter *f;

	if (seccomp_no_embedded || caps != CAPS_DEFAULT_SET || caps != default_caps)
		return false;
	f = malloc(sizeof(*f) + sizeof(default_insns));
	if (!f)
		return false;
	f->flags = default_flags;
	f->len = (unsigned short)n;
	memcpy(f->insns, default_insns, sizeof(default_insns));
	*out = f;
	return true;
#else
	(void)caps;
	(void)out;
	return false;
#endif
}
