// SPDX-License-Identifier: GPL-2.0-or-later
/* layer.c - image layers: decompressing streams, a tar reader, unpacking inside a root
 *
 * A layer is a tar stream (ustar, pax with long names and SCHILY.xattr.*
 * records, GNU long names), plain, gzip (zlib; concatenated members) or
 * zstd. The stream hashes the uncompressed bytes as it returns them, so
 * the diff_id is known when the last entry has been written.
 *
 * Unpacking trusts nothing in the archive: every name is cleaned lexically
 * (`..` stops at the root, leading `/` dropped), its parent directory is
 * opened with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) through
 * safepath (a symlink in the layer pointing anywhere resolves inside the
 * layer), and the last component is created with *at() calls that never
 * follow it. Hardlink targets are resolved the same way. Device nodes are
 * skipped and counted; `.wh.NAME` becomes an overlay whiteout (char 0:0,
 * allowed in a user namespace) and `.wh..wh..opq` sets user.overlay.opaque
 * on its directory (read by overlayfs mounted with `userxattr`).
 *
 * Speed: a compressed layer read from a file is decompressed by a second
 * thread into a ring of chunks while the caller hashes, parses and writes
 * (what `tar -xzf` gets from running gzip in its own process). zlib rather
 * than libdeflate: libdeflate only inflates whole buffers (a layer would have
 * to be held in memory), and ISA-L's igzip is x86-only assembly; zlib's
 * inflate is within 10-20% of them on layer-sized streams and is already
 * built for libcurl.
 */
#include "layer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "safepath.h"
#include "util.h"

#define IN_BUF	 (256 * 1024)
#define MAX_META (1 << 20) /* pax headers and GNU long names */

#define CHUNK	 (1 << 20)
#define N_CHUNKS 4

/* The decompressing thread's ring of chunks (producer: pipe_thread). */
struct layer_pipe {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint8_t *buf[N_CHUNKS];
	size_t len[N_CHUNKS];
	size_t head, count, pos; /* consumer's chunk, filled chunks, offset in head */
	bool done, stop;
	struct sbx_error *err; /* the producer's error, handed over at the end */
};

static ssize_t decompress(struct layer_stream *s, void *buf, size_t n, struct sbx_error **err);
static void pipe_start(struct layer_stream *s);

const char *layer_compression_name(enum layer_compression c)
{
	return c == LAYER_GZIP ? "gzip" : c == LAYER_ZSTD ? "zstd" : "none";
}

/* Raw input: the descriptor, or the rest of the buffer. */
static ssize_t raw_read(struct layer_stream *s, uint8_t *buf, size_t n)
{
	ssize_t r;

	if (s->fd < 0) {
		r = (ssize_t)(s->mem_len < n ? s->mem_len : n);
		memcpy(buf, s->mem, (size_t)r);
		s->mem += r;
		s->mem_len -= (size_t)r;
	} else {
		do
			r = read(s->fd, buf, n);
		while (r < 0 && errno == EINTR);
	}
	if (r > 0) {
		mbedtls_sha256_update_ret(&s->raw_hash, buf, (size_t)r);
		s->raw_total += (uint64_t)r;
	}
	return r;
}

static int fill_input(struct layer_stream *s, struct sbx_error **err)
{
	ssize_t r;

	if (s->in_pos < s->in_len || s->in_eof)
		return 0;
	r = raw_read(s, s->in, IN_BUF);
	if (r < 0)
		return sbx_error_set(err, errno, "read layer");
	s->in_len = (size_t)r;
	s->in_pos = 0;
	if (r == 0)
		s->in_eof = true;
	return 0;
}

/**
 * layer_stream_open() - start reading a (compressed) layer
 * @s:		the stream to set up
 * @fd:		descriptor to read, or -1 to read @mem
 * @mem:	buffer (with fd -1)
 * @mem_len:	its length
 * @err:	error out-parameter
 *
 * The compression is recognised by its magic (gzip 1f 8b, zstd 28 b5 2f fd).
 *
 * Return: 0, or negative with *err set.
 */
int layer_stream_open(struct layer_stream *s, int fd, const uint8_t *mem, size_t mem_len,
		      struct sbx_error **err)
{
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->mem = mem;
	s->mem_len = mem_len;
	s->in = xmalloc(IN_BUF);
	mbedtls_sha256_init(&s->hash);
	mbedtls_sha256_starts_ret(&s->hash, 0);
	mbedtls_sha256_init(&s->raw_hash);
	mbedtls_sha256_starts_ret(&s->raw_hash, 0);
	if (fill_input(s, err) < 0)
		return -1;
	while (s->in_len < 4 && !s->in_eof) {
		ssize_t r = raw_read(s, s->in + s->in_len, IN_BUF - s->in_len);

		if (r < 0)
			return sbx_error_set(err, errno, "read layer");
		if (r == 0)
			s->in_eof = true;
		s->in_len += (size_t)r;
	}
	if (s->in_len >= 2 && s->in[0] == 0x1f && s->in[1] == 0x8b) {
		z_stream *z = xcalloc(1, sizeof(*z));

		if (inflateInit2(z, 15 + 16) != Z_OK) {
			free(z);
			return sbx_error_set(err, ENOMEM, "gzip: inflateInit");
		}
		s->z = z;
		s->comp = LAYER_GZIP;
	} else if (s->in_len >= 4 && s->in[0] == 0x28 && s->in[1] == 0xb5 && s->in[2] == 0x2f &&
		   s->in[3] == 0xfd) {
		s->z = ZSTD_createDStream();
		if (!s->z)
			return sbx_error_set(err, ENOMEM, "zstd: create stream");
		s->comp = LAYER_ZSTD;
	}
	if (s->comp != LAYER_PLAIN && fd >= 0)
		pipe_start(s);
	return 0;
}

static ssize_t read_gzip(struct layer_stream *s, uint8_t *buf, size_t n, struct sbx_error **err)
{
	z_stream *z = s->z;

	for (;;) {
		int r;

		if (fill_input(s, err) < 0)
			return -1;
		if (s->in_pos == s->in_len)
			return s->frame_done ? 0 : sbx_error_set(err, 0, "gzip: truncated stream");
		if (s->frame_done) {
			/* another member follows (pigz, concatenated files) */
			inflateReset(z);
			s->frame_done = false;
		}
		z->next_in = s->in + s->in_pos;
		z->avail_in = (uInt)(s->in_len - s->in_pos);
		z->next_out = buf;
		z->avail_out = (uInt)n;
		r = inflate(z, Z_NO_FLUSH);
		s->in_pos = s->in_len - z->avail_in;
		if (r == Z_STREAM_END)
			s->frame_done = true;
		else if (r != Z_OK && r != Z_BUF_ERROR)
			return sbx_error_set(err, 0, "gzip: %s", z->msg ? z->msg : "corrupt stream");
		if (z->avail_out < n)
			return (ssize_t)(n - z->avail_out);
	}
}

static ssize_t read_zstd(struct layer_stream *s, uint8_t *buf, size_t n, struct sbx_error **err)
{
	for (;;) {
		ZSTD_inBuffer in;
		ZSTD_outBuffer out = {buf, n, 0};
		size_t r;

		if (fill_input(s, err) < 0)
			return -1;
		/* at the end of the input the decoder may still hold output */
		in.src = s->in + s->in_pos;
		in.size = s->in_len - s->in_pos;
		in.pos = 0;
		r = ZSTD_decompressStream(s->z, &out, &in);
		s->in_pos += in.pos;
		if (ZSTD_isError(r))
			return sbx_error_set(err, 0, "zstd: %s", ZSTD_getErrorName(r));
		/* with no input a finished decoder asks for the next frame's
		 * header (r > 0): only progress tells whether a frame is open */
		if (in.pos > 0 || out.pos > 0)
			s->frame_done = r == 0;
		if (out.pos > 0)
			return (ssize_t)out.pos;
		if (s->in_pos == s->in_len && s->in_eof)
			return s->frame_done ? 0 : sbx_error_set(err, 0, "zstd: truncated stream");
	}
}

static void *pipe_thread(void *arg)
{
	struct layer_stream *s = arg;
	struct layer_pipe *p = s->pipe;

	for (;;) {
		struct sbx_error *e = NULL;
		size_t slot, got = 0;
		ssize_t r = 0;

		pthread_mutex_lock(&p->mu);
		while (p->count == N_CHUNKS && !p->stop)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->stop) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		slot = (p->head + p->count) % N_CHUNKS;
		pthread_mutex_unlock(&p->mu);
		while (got < CHUNK && (r = decompress(s, p->buf[slot] + got, CHUNK - got, &e)) > 0)
			got += (size_t)r;
		pthread_mutex_lock(&p->mu);
		if (got) {
			p->len[slot] = got;
			p->count++;
		}
		if (r <= 0) {
			p->done = true;
			p->err = e;
		}
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		if (r <= 0)
			return NULL;
	}
}

/* Start the thread (a compressed layer read from a descriptor). */
static void pipe_start(struct layer_stream *s)
{
	struct layer_pipe *p = xcalloc(1, sizeof(*p));

	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	for (int i = 0; i < N_CHUNKS; i++)
		p->buf[i] = xmalloc(CHUNK);
	s->pipe = p;
	if (pthread_create(&p->thread, NULL, pipe_thread, s) != 0) {
		for (int i = 0; i < N_CHUNKS; i++)
			free(p->buf[i]);
		free(p);
		s->pipe = NULL; /* decompress in this thread instead */
	}
}

static ssize_t pipe_read(struct layer_stream *s, uint8_t *buf, size_t n, struct sbx_error **err)
{
	struct layer_pipe *p = s->pipe;
	size_t k;

	pthread_mutex_lock(&p->mu);
	while (p->count == 0 && !p->done)
		pthread_cond_wait(&p->cv, &p->mu);
	if (p->count == 0) {
		struct sbx_error *e = p->err;

		pthread_mutex_unlock(&p->mu);
		if (!e)
			return 0;
		sbx_error_set(err, e->errnum, "%s", e->msg);
		return -1;
	}
	pthread_mutex_unlock(&p->mu);
	/* the head chunk is the consumer's alone until count drops */
	k = p->len[p->head] - p->pos < n ? p->len[p->head] - p->pos : n;
	memcpy(buf, p->buf[p->head] + p->pos, k);
	p->pos += k;
	if (p->pos == p->len[p->head]) {
		pthread_mutex_lock(&p->mu);
		p->head = (p->head + 1) % N_CHUNKS;
		p->pos = 0;
		p->count--;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	return (ssize_t)k;
}

static void pipe_stop(struct layer_stream *s)
{
	struct layer_pipe *p = s->pipe;

	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	for (int i = 0; i < N_CHUNKS; i++)
		free(p->buf[i]);
	sbx_error_free(p->err);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p);
	s->pipe = NULL;
}

static ssize_t decompress(struct layer_stream *s, void *buf, size_t n, struct sbx_error **err)
{
	ssize_t r;

	if (s->comp == LAYER_GZIP) {
		r = read_gzip(s, buf, n, err);
	} else if (s->comp == LAYER_ZSTD) {
		r = read_zstd(s, buf, n, err);
	} else {
		if (fill_input(s, err) < 0)
			return -1;
		r = (ssize_t)(s->in_len - s->in_pos < n ? s->in_len - s->in_pos : n);
		memcpy(buf, s->in + s->in_pos, (size_t)r);
		s->in_pos += (size_t)r;
	}
	return r;
}

/**
 * layer_stream_read() - read uncompressed bytes
 * @s:		stream
 * @buf:	destination
 * @n:		its size
 * @err:	error out-parameter
 *
 * Return: bytes read (0 at the end), or negative with *err set; a
 * truncated or corrupt compressed stream is an error.
 */
ssize_t layer_stream_read(struct layer_stream *s, void *buf, size_t n, struct sbx_error **err)
{
	ssize_t r;

	if (n == 0)
		return 0;
	r = s->pipe ? pipe_read(s, buf, n, err) : decompress(s, buf, n, err);
	if (r > 0) {
		mbedtls_sha256_update_ret(&s->hash, buf, (size_t)r);
		s->out_total += (uint64_t)r;
	}
	return r;
}

/* Read exactly @n bytes; a short stream is "truncated". */
static int read_full(struct layer_stream *s, void *buf, size_t n, struct sbx_error **err)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = layer_stream_read(s, (uint8_t *)buf + got, n - got, err);

		if (r < 0)
			return -1;
		if (r == 0)
			return sbx_error_set(err, 0, "tar: truncated archive");
		got += (size_t)r;
	}
	return 0;
}

/**
 * layer_stream_drain() - read to the end (the rest counts for the digest)
 * @s:		stream
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int layer_stream_drain(struct layer_stream *s, struct sbx_error **err)
{
	uint8_t buf[16384];
	ssize_t r;

	while ((r = layer_stream_read(s, buf, sizeof(buf), err)) > 0)
		;
	return r < 0 ? -1 : 0;
}

static void finish(mbedtls_sha256_context *h, char out[LAYER_DIGEST_LEN])
{
	unsigned char d[32];

	mbedtls_sha256_finish_ret(h, d);
	memcpy(out, "sha256:", 7);
	for (int i = 0; i < 32; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", d[i]);
}

/**
 * layer_stream_digest() - "sha256:HEX" of the uncompressed bytes read so far
 *			   (a layer's diff_id)
 * @s:		stream (finished: no more reads)
 * @out:	the digest
 */
void layer_stream_digest(struct layer_stream *s, char out[LAYER_DIGEST_LEN])
{
	finish(&s->hash, out);
}

/**
 * layer_stream_raw_digest() - "sha256:HEX" of the bytes read from the input
 *			       (compressed as they were): the blob's digest
 * @s:		stream, read to its end
 * @out:	the digest
 */
void layer_stream_raw_digest(struct layer_stream *s, char out[LAYER_DIGEST_LEN])
{
	finish(&s->raw_hash, out);
}

/**
 * layer_stream_raw_drain() - after a failed read, hash the rest of the input
 *			      as it is (for layer_stream_raw_digest())
 * @s:		stream; not readable any more afterwards
 *
 * So that an archive that is what its manifest says, but holds something
 * the unpacker refuses, is reported for that reason rather than as a digest
 * mismatch.
 */
void layer_stream_raw_drain(struct layer_stream *s)
{
	uint8_t buf[16384];

	pipe_stop(s);
	while (raw_read(s, buf, sizeof(buf)) > 0)
		;
}

void layer_stream_close(struct layer_stream *s)
{
	pipe_stop(s);
	if (s->comp == LAYER_GZIP && s->z) {
		inflateEnd(s->z);
		free(s->z);
	} else if (s->comp == LAYER_ZSTD && s->z) {
		ZSTD_freeDStream(s->z);
	}
	s->z = NULL;
	mbedtls_sha256_free(&s->hash);
	mbedtls_sha256_free(&s->raw_hash);
	free(s->in);
	s->in = NULL;
}

/* ---- tar ----------------------------------------------------------------- */

struct tar_reader {
	struct layer_stream *s;
	uint64_t left; /* content bytes of the current entry not read yet */
};

/**
 * layer_tar_read() - read the current entry's content
 * @r:		reader (inside a tar_entry_fn)
 * @buf:	destination
 * @n:		its size
 * @err:	error out-parameter
 *
 * Return: bytes read (0 at the end of the entry), or negative with *err set.
 */
ssize_t layer_tar_read(struct tar_reader *r, void *buf, size_t n, struct sbx_error **err)
{
	if (n > r->left)
		n = (size_t)r->left;
	if (n == 0)
		return 0;
	if (read_full(r->s, buf, n, err) < 0)
		return -1;
	r->left -= n;
	return (ssize_t)n;
}

static int skip(struct layer_stream *s, uint64_t n, struct sbx_error **err)
{
	uint8_t buf[16384];

	while (n > 0) {
		size_t k = n < sizeof(buf) ? (size_t)n : sizeof(buf);

		if (read_full(s, buf, k, err) < 0)
			return -1;
		n -= k;
	}
	return 0;
}

/* Octal, or GNU base-256 for big values; false when malformed. */
static bool parse_num(const char *f, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (len && ((unsigned char)f[0] & 0x80)) {
		if ((unsigned char)f[0] != 0x80)
			return false; /* negative base-256 */
		for (i = 1; i < len; i++) {
			if (v >> 56)
				return false;
			v = (v << 8) | (unsigned char)f[i];
		}
		*out = v;
		return true;
	}
	while (i < len && (f[i] == ' ' || f[i] == '\0'))
		i++;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 60)
			return false;
		v = v * 8 + (uint64_t)(f[i] - '0');
	}
	for (; i < len; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return false;
	*out = v;
	return true;
}

struct pending {
	char *path, *link;
	bool has_size, has_uid, has_gid, has_mtime;
	uint64_t size, uid, gid;
	int64_t mtime;
	struct tar_entry xa; /* only the xattr arrays are used */
};

static void xattrs_free(struct tar_entry *e)
{
	for (size_t i = 0; i < e->n_xattrs; i++) {
		free(e->xattr_name[i]);
		free(e->xattr_value[i]);
	}
	free(e->xattr_name);
	free(e->xattr_value);
	free(e->xattr_len);
	e->xattr_name = e->xattr_value = NULL;
	e->xattr_len = NULL;
	e->n_xattrs = 0;
}

static void pending_clear(struct pending *p)
{
	free(p->path);
	free(p->link);
	xattrs_free(&p->xa);
	memset(p, 0, sizeof(*p));
}

/* Records "LEN key=value\n" of a pax extended header. */
static int parse_pax(const char *buf, size_t len, struct pending *p, struct sbx_error **err)
{
	size_t pos = 0;

	while (pos < len) {
		unsigned long long rl = 0;
		size_t i = pos, kl;
		const char *key, *eq, *val, *end;

		while (i < len && buf[i] >= '0' && buf[i] <= '9' && rl < len)
			rl = rl * 10 + (unsigned long long)(buf[i++] - '0');
		if (i >= len || buf[i] != ' ' || rl == 0 || rl > len - pos || buf[pos + rl - 1] != '\n')
			return sbx_error_set(err, 0, "tar: malformed pax header");
		key = buf + i + 1;
		end = buf + pos + rl - 1;
		eq = memchr(key, '=', (size_t)(end - key));
		if (!eq)
			return sbx_error_set(err, 0, "tar: malformed pax record");
		kl = (size_t)(eq - key);
		val = eq + 1;
		pos += rl;
#define KEY(s) (kl == sizeof(s) - 1 && memcmp(key, s, kl) == 0)
		if (KEY("path")) {
			free(p->path);
			p->path = strndup(val, (size_t)(end - val));
		} else if (KEY("linkpath")) {
			free(p->link);
			p->link = strndup(val, (size_t)(end - val));
		} else if (KEY("size") || KEY("uid") || KEY("gid") || KEY("mtime")) {
			char num[32];
			unsigned long long v;
			size_t nl = (size_t)(end - val);
			char *dot;

			if (nl >= sizeof(num))
				return sbx_error_set(err, 0, "tar: pax number too long");
			memcpy(num, val, nl);
			num[nl] = '\0';
			dot = strchr(num, '.');
			if (dot && KEY("mtime"))
				*dot = '\0';
			if (!util_parse_uint(num, KEY("size") ? (1ULL << 62) : UINT32_MAX, &v)) {
				if (KEY("mtime"))
					continue; /* negative or odd times: ignored */
				return sbx_error_set(err, 0, "tar: bad pax number `%s`", num);
			}
			if (KEY("size"))
				p->size = v, p->has_size = true;
			else if (KEY("uid"))
				p->uid = v, p->has_uid = true;
			else if (KEY("gid"))
				p->gid = v, p->has_gid = true;
			else
				p->mtime = (int64_t)v, p->has_mtime = true;
		} else if (kl > 13 && memcmp(key, "SCHILY.xattr.", 13) == 0) {
			size_t n = p->xa.n_xattrs;

			p->xa.xattr_name = realloc(p->xa.xattr_name, (n + 1) * sizeof(char *));
			p->xa.xattr_value = realloc(p->xa.xattr_value, (n + 1) * sizeof(char *));
			p->xa.xattr_len = realloc(p->xa.xattr_len, (n + 1) * sizeof(size_t));
			if (!p->xa.xattr_name || !p->xa.xattr_value || !p->xa.xattr_len)
				abort();
			p->xa.xattr_name[n] = strndup(key + 13, kl - 13);
			p->xa.xattr_len[n] = (size_t)(end - val);
			p->xa.xattr_value[n] = xmalloc(p->xa.xattr_len[n] + 1);
			memcpy(p->xa.xattr_value[n], val, p->xa.xattr_len[n]);
			p->xa.n_xattrs = n + 1;
		} else if (kl > 11 && memcmp(key, "GNU.sparse.", 11) == 0) {
			return sbx_error_set(err, 0, "tar: sparse files are not supported");
		}
#undef KEY
	}
	return 0;
}

static int read_meta(struct layer_stream *s, uint64_t size, char **out, struct sbx_error **err)
{
	char *buf;

	if (size > MAX_META)
		return sbx_error_set(err, 0, "tar: extended header of %llu bytes", (unsigned long long)size);
	buf = xmalloc((size_t)size + 1);
	if (read_full(s, buf, (size_t)size, err) < 0 || skip(s, (512 - size % 512) % 512, err) < 0) {
		free(buf);
		return -1;
	}
	buf[size] = '\0';
	*out = buf;
	return 0;
}

/**
 * layer_tar_walk() - call @fn for every member of the tar stream @s
 * @s:		stream
 * @fn:		callback; may read the content with layer_tar_read()
 * @arg:	its argument
 * @err:	error out-parameter
 *
 * The end of the archive is two zero blocks, or the end of the stream at a
 * header boundary (as GNU tar accepts); the stream is drained after it so
 * that the digest covers every byte. Anything else that ends early is an
 * error ("truncated").
 *
 * Return: 0, or negative with *err set (the callback's error included).
 */
int layer_tar_walk(struct layer_stream *s, tar_entry_fn fn, void *arg, struct sbx_error **err)
{
	struct pending p = {0};
	unsigned char h[512];
	int zero_blocks = 0, ret = -1;

	for (;;) {
		struct tar_reader r = {.s = s};
		struct tar_entry e = {0};
		uint64_t size, v;
		size_t got = 0;
		unsigned sum = 0, want;
		char name[257];
		bool ustar;

		while (got < sizeof(h)) {
			ssize_t n = layer_stream_read(s, h + got, sizeof(h) - got, err);

			if (n < 0)
				goto out;
			if (n == 0)
				break;
			got += (size_t)n;
		}
		if (got == 0) {
			if (p.path || p.link || p.has_size) {
				sbx_error_set(err, 0, "tar: truncated archive");
				goto out;
			}
			break;
		}
		if (got < sizeof(h)) {
			sbx_error_set(err, 0, "tar: truncated archive");
			goto out;
		}
		for (size_t i = 0; i < 512; i++)
			sum += (i >= 148 && i < 156) ? ' ' : h[i];
		if (sum == 8 * ' ' && !h[0] && !h[156]) {
			bool all = true;

			for (size_t i = 0; i < 512 && all; i++)
				all = h[i] == 0;
			if (all) {
				if (++zero_blocks == 2)
					break;
				continue;
			}
		}
		zero_blocks = 0;
		if (!parse_num((char *)h + 148, 8, &v) || (want = (unsigned)v) != sum) {
			sbx_error_set(err, 0, "tar: bad header checksum");
			goto out;
		}
		if (!parse_num((char *)h + 124, 12, &size)) {
			sbx_error_set(err, 0, "tar: bad size field");
			goto out;
		}
		if (p.has_size)
			size = p.size;
		if (size > (1ULL << 62)) {
			sbx_error_set(err, 0, "tar: entry too large");
			goto out;
		}
		switch (h[156]) {
		case 'x':
		case 'L':
		case 'K': {
			char *meta = NULL;

			if (read_meta(s, size, &meta, err) < 0)
				goto out;
			if (h[156] == 'x') {
				int r2 = parse_pax(meta, (size_t)size, &p, err);

				free(meta);
				if (r2 < 0)
					goto out;
			} else if (h[156] == 'L') {
				free(p.path);
				p.path = meta;
			} else {
				free(p.link);
				p.link = meta;
			}
			continue;
		}
		case 'g':
		case 'V':
			if (skip(s, size + (512 - size % 512) % 512, err) < 0)
				goto out;
			continue;
		default: break;
		}
		ustar = memcmp(h + 257, "ustar", 5) == 0;
		if (ustar && h[345]) {
			snprintf(name, sizeof(name), "%.155s/%.100s", (char *)h + 345, (char *)h);
		} else {
			snprintf(name, sizeof(name), "%.100s", (char *)h);
		}
		e.path = p.path ? p.path : name;
		{
			char lname[101];

			snprintf(lname, sizeof(lname), "%.100s", (char *)h + 157);
			e.link = p.link ? p.link : lname;
			e.type = h[156] == '\0' || h[156] == '7' ? '0' : (char)h[156];
			if (!parse_num((char *)h + 100, 8, &v))
				v = 0644;
			e.mode = (mode_t)(v & 07777);
			if (!parse_num((char *)h + 108, 8, &v))
				v = 0;
			e.uid = p.has_uid ? (uid_t)p.uid : (uid_t)v;
			if (!parse_num((char *)h + 116, 8, &v))
				v = 0;
			e.gid = p.has_gid ? (gid_t)p.gid : (gid_t)v;
			if (!parse_num((char *)h + 136, 12, &v))
				v = 0;
			e.mtime = p.has_mtime ? p.mtime : (int64_t)v;
			if (parse_num((char *)h + 329, 8, &v))
				e.dev_major = (unsigned)v;
			if (parse_num((char *)h + 337, 8, &v))
				e.dev_minor = (unsigned)v;
			/* a directory given as '0' with a trailing slash (old tars) */
			if (e.type == '0' && e.path[0] && e.path[strlen(e.path) - 1] == '/')
				e.type = '5';
			if (e.type != '0')
				size = e.type == '5' || e.type == '1' || e.type == '2' || e.type == '3' ||
					       e.type == '4' || e.type == '6'
					   ? 0
					   : size;
			e.size = size;
			e.n_xattrs = p.xa.n_xattrs;
			e.xattr_name = p.xa.xattr_name;
			e.xattr_value = p.xa.xattr_value;
			e.xattr_len = p.xa.xattr_len;
			r.left = size;
			if (fn(arg, &r, &e, err) < 0)
				goto out;
		}
		if (skip(s, r.left + (512 - size % 512) % 512, err) < 0)
			goto out;
		pending_clear(&p);
	}
	ret = layer_stream_drain(s, err);
out:
	pending_clear(&p);
	return ret;
}

/* ---- unpack -------------------------------------------------------------- */

/**
 * layer_clean_path() - a tar member name as a path relative to the root
 * @in:		name from the archive
 * @out:	cleaned path: no leading `/`, no `.` or empty components, `..`
 *		removes the previous component and stops at the root
 * @size:	size of @out
 *
 * Return: length of @out (0: the root itself), or (size_t)-1 when too long.
 */
size_t layer_clean_path(const char *in, char *out, size_t size)
{
	size_t len = 0;

	while (*in) {
		const char *end;
		size_t cl;

		while (*in == '/')
			in++;
		end = strchrnul(in, '/');
		cl = (size_t)(end - in);
		if (cl == 0 || (cl == 1 && in[0] == '.')) {
			/* nothing */
		} else if (cl == 2 && in[0] == '.' && in[1] == '.') {
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
		} else {
			if (len + (len ? 1 : 0) + cl + 1 > size)
				return (size_t)-1;
			if (len)
				out[len++] = '/';
			memcpy(out + len, in, cl);
			len += cl;
		}
		in = end;
	}
	if (size)
		out[len] = '\0';
	return len;
}

struct unpacker {
	int rootfd;
	const struct layer_unpack_opts *o;
	struct layer_unpack_stats *st;
	char *cached; /* parent path of cachefd */
	int cachefd;
	uint8_t *buf;
};

static void cache_drop(struct unpacker *u)
{
	free(u->cached);
	u->cached = NULL;
	if (u->cachefd >= 0)
		close(u->cachefd);
	u->cachefd = -1;
}

/* The parent directory of a cleaned path, created when missing. */
static int open_parent(struct unpacker *u, const char *parent, struct sbx_error **err)
{
	int fd;

	if (u->cached && strcmp(u->cached, parent) == 0)
		return u->cachefd;
	cache_drop(u);
	fd = safepath_open(u->rootfd, *parent ? parent : ".", O_PATH | O_DIRECTORY, NULL);
	if (fd < 0) {
		if (safepath_mkdir_p(u->rootfd, parent, 0755, err) < 0)
			return -1;
		fd = safepath_open(u->rootfd, parent, O_PATH | O_DIRECTORY, err);
		if (fd < 0)
			return -1;
	}
	u->cached = xstrdup(parent);
	u->cachefd = fd;
	return fd;
}

/* Remove whatever is at @name (a directory with its contents). */
static int remove_at(int dirfd, const char *name, bool keep_dir, struct sbx_error **err)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : sbx_error_set(err, errno, "stat `%s`", name);
	if (S_ISDIR(st.st_mode)) {
		if (keep_dir)
			return 0;
		return util_rm_rf_at(dirfd, name, err);
	}
	if (unlinkat(dirfd, name, 0) < 0)
		return sbx_error_set(err, errno, "remove `%s`", name);
	return 0;
}

/* Return: true when the owner changed (which clears setuid and setgid). */
static bool set_owner(struct unpacker *u, int dirfd, const char *name, int fd, const struct tar_entry *e)
{
	int r;

	if (!u->o->owners || (e->uid == 0 && e->gid == 0))
		return false;
	r = fd >= 0 ? fchown(fd, e->uid, e->gid) : fchownat(dirfd, name, e->uid, e->gid, AT_SYMLINK_NOFOLLOW);
	if (r < 0 && errno == EINVAL)
		u->st->owners_collapsed++; /* no such ID in this namespace: stays the caller's */
	return r == 0;
}

static void set_xattrs(struct unpacker *u, int fd, const struct tar_entry *e)
{
	for (size_t i = 0; i < e->n_xattrs; i++) {
		/* overlay's own metadata in a layer would change how it is read */
		if (strncmp(e->xattr_name[i], "trusted.overlay.", 16) == 0 ||
		    strncmp(e->xattr_name[i], "user.overlay.", 13) == 0 ||
		    fsetxattr(fd, e->xattr_name[i], e->xattr_value[i], e->xattr_len[i], 0) < 0)
			u->st->xattrs_skipped++;
	}
}

static int write_file(struct unpacker *u, int pfd, const char *name, struct tar_reader *r,
		      const struct tar_entry *e, struct sbx_error **err)
{
	cleanup_close int fd = -1;
	struct timespec ts[2] = {{.tv_nsec = UTIME_OMIT}, {.tv_sec = e->mtime}};
	ssize_t n;

	/* created with its final mode (the umask is 0 while unpacking): one
	 * syscall less per file than a chmod; O_EXCL first, since most
	 * names are new */
	fd = openat(pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, e->mode & 07777);
	if (fd < 0 && errno == EEXIST) {
		if (remove_at(pfd, name, false, err) < 0)
			return -1;
		fd = openat(pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, e->mode & 07777);
	}
	if (fd < 0)
		return sbx_error_set(err, errno, "create `%s`", e->path);
	while ((n = layer_tar_read(r, u->buf, IN_BUF, err)) > 0)
		if (util_write_all(fd, u->buf, (size_t)n) < 0)
			return sbx_error_set(err, errno, "write `%s`", e->path);
	if (n < 0)
		return -1;
	/* open() does not set setuid, setgid or sticky bits, and chown
	 * clears the first two: those files get a chmod after the chown */
	set_owner(u, -1, NULL, fd, e);
	if ((e->mode & 07000) && fchmod(fd, e->mode) < 0)
		return sbx_error_set(err, errno, "chmod `%s`", e->path);
	set_xattrs(u, fd, e);
	futimens(fd, ts);
	return 0;
}

static int whiteout(struct unpacker *u, int pfd, const char *parent, const char *base, struct sbx_error **err)
{
	const char *victim = base + 4;

	if (strcmp(base, ".wh..wh..opq") == 0) {
		cleanup_close int dfd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (dfd < 0 || fsetxattr(dfd, "user.overlay.opaque", "y", 1, 0) < 0)
			return sbx_error_set(err, errno, "mark `%s` opaque (user.overlay.opaque)",
					     *parent ? parent : "/");
		return 0;
	}
	if (strncmp(victim, ".wh.", 4) == 0)
		return 0; /* other AUFS metadata (.wh..wh.plnk, ...) */
	if (!*victim || strcmp(victim, ".") == 0 || strcmp(victim, "..") == 0 || strchr(victim, '/'))
		return sbx_error_set(err, 0, "whiteout `%s/%s`: not a file name", parent, base);
	if (remove_at(pfd, victim, false, err) < 0)
		return -1;
	if (mknodat(pfd, victim, S_IFCHR | 0, makedev(0, 0)) < 0)
		return sbx_error_set(err, errno, "whiteout `%s/%s`", parent, victim);
	(void)u;
	return 0;
}

static int unpack_entry(void *arg, struct tar_reader *r, const struct tar_entry *e, struct sbx_error **err)
{
	struct unpacker *u = arg;
	char path[PATH_MAX], parent[PATH_MAX];
	const char *base;
	char *slash;
	size_t len;
	int pfd;

	u->st->entries++;
	len = layer_clean_path(e->path, path, sizeof(path));
	if (len == (size_t)-1)
		return sbx_error_set(err, ENAMETOOLONG, "tar entry `%.64s...`", e->path);
	if (len == 0) {
		/* the root itself ("./"): its mode and owner */
		if (e->type == '5' && u->o->owners) {
			fchmod(u->rootfd, e->mode);
		}
		return 0;
	}
	memcpy(parent, path, len + 1);
	slash = strrchr(parent, '/');
	if (slash) {
		*slash = '\0';
		base = path + (slash - parent) + 1;
	} else {
		parent[0] = '\0';
		base = path;
	}
	if (e->type == '3' || e->type == '4') {
		u->st->devices_skipped++;
		return 0;
	}
	pfd = open_parent(u, parent, err);
	if (pfd < 0)
		return sbx_error_wrap(err, "tar entry `%s`", e->path);
	if (u->o->whiteouts && strncmp(base, ".wh.", 4) == 0) {
		int ret = whiteout(u, pfd, parent, base, err);

		cache_drop(u);
		return ret;
	}
	switch (e->type) {
	case '0': return write_file(u, pfd, base, r, e, err);
	case '5': {
		struct stat st;
		cleanup_close int dfd = -1;

		/* a new directory gets its final mode from mkdir (umask 0); it
		 * is opened only for an owner, xattrs or the bits mkdir drops */
		if (mkdirat(pfd, base, e->mode & 0777) == 0) {
			if (!(u->o->owners && (e->uid || e->gid)) && !e->n_xattrs && !(e->mode & 07000))
				return 0;
		} else if (errno != EEXIST) {
			return sbx_error_set(err, errno, "mkdir `%s`", e->path);
		} else if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode)) {
			if (remove_at(pfd, base, false, err) < 0)
				return -1;
			if (mkdirat(pfd, base, 0700) < 0)
				return sbx_error_set(err, errno, "mkdir `%s`", e->path);
		}
		dfd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dfd < 0)
			return sbx_error_set(err, errno, "open `%s`", e->path);
		set_owner(u, -1, NULL, dfd, e);
		set_xattrs(u, dfd, e);
		if (fchmod(dfd, e->mode) < 0)
			return sbx_error_set(err, errno, "chmod `%s`", e->path);
		return 0;
	}
	case '2': {
		struct timespec ts[2] = {{.tv_nsec = UTIME_OMIT}, {.tv_sec = e->mtime}};

		cache_drop(u); /* the cached parent may now be reached differently */
		pfd = open_parent(u, parent, err);
		if (pfd < 0 || remove_at(pfd, base, false, err) < 0)
			return -1;
		if (symlinkat(e->link, pfd, base) < 0)
			return sbx_error_set(err, errno, "symlink `%s`", e->path);
		set_owner(u, pfd, base, -1, e);
		utimensat(pfd, base, ts, AT_SYMLINK_NOFOLLOW);
		cache_drop(u);
		return 0;
	}
	case '1': {
		char target[PATH_MAX], tparent[PATH_MAX];
		cleanup_close int tfd = -1;
		const char *tbase;
		size_t tl = layer_clean_path(e->link, target, sizeof(target));

		if (tl == (size_t)-1 || tl == 0)
			return sbx_error_set(err, EINVAL, "hardlink `%s` to `%s`", e->path, e->link);
		memcpy(tparent, target, tl + 1);
		slash = strrchr(tparent, '/');
		if (slash) {
			*slash = '\0';
			tbase = target + (slash - tparent) + 1;
		} else {
			tparent[0] = '\0';
			tbase = target;
		}
		tfd = safepath_open(u->rootfd, *tparent ? tparent : ".", O_PATH | O_DIRECTORY, err);
		if (tfd < 0)
			return sbx_error_wrap(err, "hardlink `%s` to `%s`", e->path, e->link);
		if (strcmp(target, path) == 0)
			return 0;
		if (remove_at(pfd, base, false, err) < 0)
			return -1;
		/* linkat never follows a symlink named by the target: the link is
		 * to the symlink itself, inside the layer */
		if (linkat(tfd, tbase, pfd, base, 0) < 0)
			return sbx_error_set(err, errno, "hardlink `%s` to `%s`", e->path, e->link);
		return 0;
	}
	case '6':
		if (remove_at(pfd, base, false, err) < 0)
			return -1;
		if (mkfifoat(pfd, base, e->mode) < 0)
			return sbx_error_set(err, errno, "mkfifo `%s`", e->path);
		set_owner(u, pfd, base, -1, e);
		return 0;
	default:
		/* unknown types are skipped, as GNU tar treats them as files
		 * only when they carry content, which is then skipped */
		return 0;
	}
}

/**
 * layer_unpack() - write the tar stream @s into the directory @rootfd
 * @s:		stream (positioned at the start)
 * @rootfd:	directory to unpack into; nothing outside it is touched
 * @o:		owners and whiteout handling
 * @st:		counters (zeroed first)
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set (the directory is then half
 * written: unpack into a temporary directory).
 */
int layer_unpack(struct layer_stream *s, int rootfd, const struct layer_unpack_opts *o,
		 struct layer_unpack_stats *st, struct sbx_error **err)
{
	struct unpacker u = {.rootfd = rootfd, .o = o, .st = st, .cachefd = -1};
	int ret;

	mode_t mask = umask(0);

	memset(st, 0, sizeof(*st));
	u.buf = xmalloc(IN_BUF);
	ret = layer_tar_walk(s, unpack_entry, &u, err);
	umask(mask);
	cache_drop(&u);
	free(u.buf);
	return ret;
}
