// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_tar.c - libFuzzer target: the layer stream (plain, gzip, zstd) and the tar reader
 *
 * Input: a layer as it would come from a registry. Every member's name is
 * cleaned as the unpacker cleans it and its content read.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "layer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int member(void *arg, struct tar_reader *r, const struct tar_entry *e, struct sbx_error **err)
{
	char buf[4096], clean[PATH_MAX];
	size_t *n = arg;
	ssize_t k;

	layer_clean_path(e->path, clean, sizeof(clean));
	layer_clean_path(e->link, clean, sizeof(clean));
	for (size_t i = 0; i < e->n_xattrs; i++)
		*n += strlen(e->xattr_name[i]) + e->xattr_len[i];
	while ((k = layer_tar_read(r, buf, sizeof(buf), err)) > 0)
		*n += (size_t)k;
	return k < 0 ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbx_error *err = NULL;
	struct layer_stream s;
	char digest[LAYER_DIGEST_LEN];
	size_t n = 0;

	if (layer_stream_open(&s, -1, data, size, &err) == 0)
		layer_tar_walk(&s, member, &n, &err);
	layer_stream_digest(&s, digest);
	layer_stream_close(&s);
	sbx_error_free(err);
	return 0;
}
