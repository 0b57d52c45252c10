// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_sbxconfig.c - libFuzzer target: a sandbox's config.json (sbxconfig.c's reader)
 *
 * Input: the file's contents. config.json sits in the user's store, so the
 * reader must take anything; what it read is written back out (the writer
 * must take whatever the reader gives it) and read again, which must give
 * the same JSON.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbxconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbx_error *err = NULL;
	struct sbx_config c, again;
	char *s1, *s2;
	json_t *j;

	if (sbxconfig_parse((const char *)data, size, &c, &err) < 0) {
		sbx_error_free(err);
		return 0;
	}
	j = sbxconfig_to_json(&c);
	s1 = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!s1 || sbxconfig_parse(s1, strlen(s1), &again, &err) < 0)
		abort();
	j = sbxconfig_to_json(&again);
	s2 = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!s2 || strcmp(s1, s2) != 0)
		abort();
	free(s1);
	free(s2);
	sbxconfig_free(&again);
	sbxconfig_free(&c);
	return 0;
}
