// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_passwd.c - libFuzzer target: /etc/passwd and /etc/group parsing and `-u` resolution
 *
 * Build: clang -fsanitize=fuzzer,address,undefined -iquote lib/base tests/fuzz/fuzz_passwd.c \
 *        lib/base/passwd.c lib/base/safepath.c lib/base/error.c lib/base/util.c
 * Input: `SPEC\n` then the passwd text, a NUL byte, the group text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "passwd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const specs[] = {"root", "0", "alice", "1000", "alice:wheel", "0:0"};
	const char *buf = (const char *)data, *nl, *nul;
	struct passwd_creds creds;
	struct passwd_entry pw;
	struct group_entry gr;
	size_t pw_len, gr_len = 0;
	const char *group = "";
	char spec[64];
	gid_t *gids;
	size_t n;

	nl = memchr(buf, '\n', size < sizeof(spec) ? size : sizeof(spec));
	if (!nl)
		return 0;
	memcpy(spec, buf, (size_t)(nl - buf));
	spec[nl - buf] = '\0';
	buf = nl + 1;
	size -= (size_t)(buf - (const char *)data);
	nul = memchr(buf, '\0', size);
	pw_len = nul ? (size_t)(nul - buf) : size;
	if (nul) {
		group = nul + 1;
		gr_len = size - pw_len - 1;
	}

	if (passwd_resolve_spec_buf(buf, pw_len, group, gr_len, spec, &creds, NULL) == 0) {
		if (!creds.home || (uint32_t)creds.uid == UINT32_MAX || (creds.n_groups && !creds.groups))
			abort();
		passwd_creds_free(&creds);
	}
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		if (passwd_parse_user(buf, pw_len, specs[i], &pw, NULL) == 0) {
			if (pw.in_file != (pw.name != NULL) || !pw.home)
				abort();
			if (pw.name && (strchr(pw.name, ':') || strchr(pw.name, '\n')))
				abort();
			passwd_entry_free(&pw);
		}
		if (passwd_parse_group(group, gr_len, specs[i], &gr, NULL) == 0)
			passwd_group_entry_free(&gr);
		if (passwd_parse_supplementary(group, gr_len, specs[i], &gids, &n, NULL) == 0) {
			for (size_t a = 0; a < n; a++)
				for (size_t b = 0; b < a; b++)
					if (gids[a] == gids[b])
						abort();
			free(gids);
		}
	}
	return 0;
}
