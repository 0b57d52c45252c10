/* SPDX-License-Identifier: GPL-2.0-or-later */
/* layer.h - image layers: decompressing streams, a tar reader, unpacking inside a root */
#ifndef SBX_LAYER_H
#define SBX_LAYER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <mbedtls/sha256.h>

#include "error.h"

/* "sha256:" + 64 hex digits + NUL */
#define LAYER_DIGEST_LEN 72

enum layer_compression { LAYER_PLAIN, LAYER_GZIP, LAYER_ZSTD };

/* A decompressing reader over a descriptor or a buffer; it hashes what it
 * returns (the uncompressed bytes: a layer's diff_id). */
struct layer_stream {
	int fd; /* -1: reading mem */
	const uint8_t *mem;
	size_t mem_len;
	enum layer_compression comp;
	void *z;     /* z_stream or ZSTD_DStream */
	uint8_t *in; /* compressed input buffer */
	size_t in_len, in_pos;
	bool in_eof, frame_done;
	mbedtls_sha256_context hash;
	mbedtls_sha256_context raw_hash; /* of the bytes as read: the blob's digest */
	uint64_t out_total;
	uint64_t raw_total;
	struct layer_pipe *pipe; /* decompressing thread, or NULL */
};

int layer_stream_open(struct layer_stream *s, int fd, const uint8_t *mem, size_t mem_len,
		      struct sbx_error **err);
ssize_t layer_stream_read(struct layer_stream *s, void *buf, size_t n, struct sbx_error **err);
int layer_stream_drain(struct layer_stream *s, struct sbx_error **err);
void layer_stream_digest(struct layer_stream *s, char out[LAYER_DIGEST_LEN]);
void layer_stream_raw_digest(struct layer_stream *s, char out[LAYER_DIGEST_LEN]);
void layer_stream_raw_drain(struct layer_stream *s);
void layer_stream_close(struct layer_stream *s);
const char *layer_compression_name(enum layer_compression c);

/* One tar member, as the reader hands it to a callback. */
struct tar_entry {
	char *path;  /* as in the archive (pax, GNU long names resolved) */
	char *link;  /* symlink target / hardlink name */
	char type;   /* '0' file, '1' hardlink, '2' symlink, '3' char, '4' block, '5' dir, '6' fifo */
	mode_t mode; /* permission bits with setuid/setgid/sticky */
	uid_t uid;
	gid_t gid;
	uint64_t size;
	int64_t mtime;
	unsigned dev_major, dev_minor;
	size_t n_xattrs;
	char **xattr_name;
	char **xattr_value;
	size_t *xattr_len;
};

struct tar_reader;
typedef int (*tar_entry_fn)(void *arg, struct tar_reader *r, const struct tar_entry *e,
			    struct sbx_error **err);
int layer_tar_walk(struct layer_stream *s, tar_entry_fn fn, void *arg, struct sbx_error **err);
ssize_t layer_tar_read(struct tar_reader *r, void *buf, size_t n, struct sbx_error **err);

struct layer_unpack_opts {
	bool owners;	/* chown to the archive's owners (else all stay the unpacker's) */
	bool whiteouts; /* .wh.* entries become overlay whiteouts (layers) */
};

struct layer_unpack_stats {
	uint64_t entries;
	uint64_t devices_skipped;  /* device nodes are never created */
	uint64_t owners_collapsed; /* owners that have no ID in this namespace */
	uint64_t xattrs_skipped;   /* xattrs the kernel refused */
};

int layer_unpack(struct layer_stream *s, int rootfd, const struct layer_unpack_opts *o,
		 struct layer_unpack_stats *st, struct sbx_error **err);
size_t layer_clean_path(const char *in, char *out, size_t size);

#endif /* SBX_LAYER_H */
