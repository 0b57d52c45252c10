// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_ref.c - libFuzzer target: image references `[REGISTRY/]NAME[:TAG][@sha256:DIGEST]`
 *
 * Input: the reference. A parsed reference must print back to a string that
 * parses to the same thing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = strndup((const char *)data, size);
	struct sbx_error *err = NULL;
	struct image_ref r, r2;

	if (image_ref_parse(s, &r, &err) == 0) {
		char *full = image_ref_string(&r), *again;

		if (image_ref_parse(full, &r2, &err) != 0)
			abort();
		again = image_ref_string(&r2);
		if (strcmp(full, again) != 0)
			abort();
		free(again);
		free(full);
		image_ref_free(&r2);
		image_ref_free(&r);
	}
	sbx_error_free(err);
	free(s);
	return 0;
}
