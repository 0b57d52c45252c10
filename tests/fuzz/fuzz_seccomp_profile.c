// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_seccomp_profile.c - libFuzzer target: docker JSON seccomp profiles
 *
 * Feeds the input as a profile to seccomp_build_from_json(): JSON parsing,
 * the profile's rules into libseccomp, and the BPF compilation, without
 * loading anything. The first byte picks the capability set, so that
 * includes/excludes "caps" go both ways.
 *
 *   clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
 *	-iquote lib/base -iquote lib/isolate tests/fuzz/fuzz_seccomp_profile.c lib/isolate/seccomp.c
 *lib/isolate/caps.c \ lib/base/error.c lib/base/util.c -lseccomp -ljansson -lcap -o fuzz_seccomp_profile
 *   ./fuzz_seccomp_profile -timeout=5 -max_total_time=30 -dict=DICT CORPUS_DIR
 *
 * Start the corpus from a real profile (docker's default.json, or the
 * small one in tests/unit/test_seccomp.c) and give a dictionary of the
 * key and SCMP_* names: from nothing, 30 s do not get past JSON syntax.
 * The target runs libseccomp in-process so that ASan sees what it does.
 * The rule sets libseccomp loops on are refused before it sees them
 * (check_libseccomp_loop() in lib/isolate/seccomp.c); should fuzzing find another
 * loop, -timeout reports it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "caps.h"
/* by path: with libseccomp's include directory ahead of -Ilib/isolate, a plain
 * "seccomp.h" would be libseccomp's header of the same name */
#include "../../lib/isolate/seccomp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/*
 * libseccomp 2.5.4 leaks tree nodes when a rule is merged into an existing
 * one that it overlaps (reproduced without sandbox's code: dup2 with
 * "a0 == 1001 && a1 == 1002", then "a1 == 1001", then "a1 == 1002"). A
 * profile is built once per process, so it does not matter to sandbox.
 * libseccomp has no frame pointers, so the fast unwinder stops inside it:
 * match the shared library, or its allocator (zmalloc) when static.
 */
const char *__lsan_default_suppressions(void)
{
	return "leak:libseccomp.so\nleak:zmalloc\nleak:seccomp_rule_add_array\n";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbx_seccomp_filter *filter = NULL;
	struct sbx_error *err = NULL;
	uint64_t caps = CAPS_DEFAULT_SET;
	int rc;

	if (size > 0 && data[0] == ' ')
		caps = UINT64_MAX; /* leading blank: JSON still parses */
	rc = seccomp_build_from_json((const char *)data, size, caps, &filter, &err);
	/* exactly one of a filter or an error with a message */
	if (rc == 0 && (!filter || err))
		abort();
	if (rc < 0 && (filter || !err || !err->msg))
		abort();
	if (filter && (seccomp_filter_size(filter) == 0 || seccomp_filter_size(filter) > 4096))
		abort();
	seccomp_filter_free(filter);
	sbx_error_free(err);
	return 0;
}
