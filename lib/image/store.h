/* SPDX-License-Identifier: GPL-2.0-or-later */
/* store.h - the content-addressed image store: blobs, unpacked layers, the name index */
#ifndef SBX_STORE_H
#define SBX_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "error.h"
#include "layer.h"

struct store {
	char *root;			  /* ROOT */
	int fd;				  /* ROOT, checked (privdir_open()) */
	int lockfd;			  /* ROOT/store.lock, flock()ed exclusively; -1 read-only */
	struct layer_unpack_stats totals; /* summed over this session's unpacks */
};

int store_open(struct store *s, const char *root, bool write, struct sbx_error **err);
void store_close(struct store *s);

bool store_digest_valid(const char *digest);
int store_blob_put(struct store *s, int srcfd, const uint8_t *mem, size_t len, const char *want,
		   char out[LAYER_DIGEST_LEN], uint64_t *size, struct sbx_error **err);
bool store_blob_exists(struct store *s, const char *digest);
int store_blob_open(struct store *s, const char *digest, struct sbx_error **err);
int store_blob_read(struct store *s, const char *digest, size_t max, char **out, size_t *len,
		    struct sbx_error **err);
int store_blob_remove(struct store *s, const char *digest);

char *store_layer_path(const struct store *s, const char *diff_id);
bool store_layer_exists(struct store *s, const char *diff_id);
/* What store_layer_unpack_fd() found out about a layer archive. */
struct store_layer_info {
	char digest[LAYER_DIGEST_LEN];	/* of the archive as read */
	char diff_id[LAYER_DIGEST_LEN]; /* of the uncompressed tar */
	uint64_t size;			/* of the archive */
	uint64_t unpacked;		/* of the uncompressed tar */
	enum layer_compression comp;
};

int store_layer_unpack_fd(struct store *s, int fd, const char *want, const char *want_diff_id,
			  struct store_layer_info *out, struct sbx_error **err);
int store_layer_unpack(struct store *s, const char *blob, const char *want_diff_id,
		       char out_diff_id[LAYER_DIGEST_LEN], struct sbx_error **err);
int store_layer_remove(struct store *s, const char *diff_id, struct sbx_error **err);
uint64_t store_layer_size(struct store *s, const char *diff_id);
int store_download_open(struct store *s, const char *digest, int *fd, struct sbx_error **err);
void store_download_remove(struct store *s, const char *digest);
int store_downloads_clear(struct store *s);
int store_tmpdir(struct store *s, char **path, int *fd, struct sbx_error **err);

int store_index_load(struct store *s, json_t **out, struct sbx_error **err);
int store_index_save(struct store *s, json_t *index, struct sbx_error **err);

typedef int (*store_userns_fn)(void *arg, char *result, size_t size, struct sbx_error **err);
/* true in store_in_userns()'s child when only the caller's own ID is mapped */
extern bool store_single_id;
int store_in_userns(store_userns_fn fn, void *arg, char *result, size_t size, struct sbx_error **err);

#endif /* SBX_STORE_H */
