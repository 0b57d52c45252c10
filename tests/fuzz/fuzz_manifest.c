// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_manifest.c - libFuzzer target: image manifests, indexes and configs (JSON)
 *
 * Input: one JSON document, read as a manifest, an index and a config.
 */
#include <stdint.h>
#include <stdlib.h>

#include "image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *json = (const char *)data;
	struct sbx_error *err = NULL;
	struct image_manifest m;
	struct image_config c;
	struct image_platform host, arm;
	char out[LAYER_DIGEST_LEN];

	if (image_manifest_parse(json, size, &m, &err) == 0)
		image_manifest_free(&m);
	sbx_error_free(err);
	err = NULL;
	image_platform_parse(NULL, &host, NULL);
	image_platform_parse("linux/arm/v7", &arm, NULL);
	image_index_pick(json, size, &host, out, &err);
	sbx_error_free(err);
	err = NULL;
	image_index_pick(json, size, &arm, out, &err);
	sbx_error_free(err);
	err = NULL;
	if (image_config_parse(json, size, &c, &err) == 0)
		image_config_free(&c);
	sbx_error_free(err);
	return 0;
}
