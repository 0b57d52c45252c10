// SPDX-License-Identifier: GPL-2.0-or-later
/* store.c - the content-addressed image store: blobs, unpacked layers, the name index
 *
 * Layout under ROOT (see shared/CLI.md):
 *   blobs/sha256/<hex>	verified blobs (manifests, configs; layer archives
 *				when a writer keeps them: imports do not)
 *   layers/<hex>/		unpacked layers, keyed by diff_id
 *   layer-sizes/<hex>	the size of each one's uncompressed tar (`images`)
 *   images.json		{"images": [{"name", "digest", "created"}]}: name ->
 *				manifest digest
 *   tmp/			work in progress; emptied by the next writer
 *   downloads/<hex>		layer blobs a pull has begun to download, kept
 *				so that the next pull resumes them (HTTP Range);
 *				never read as blobs: the digest is checked as
 *				the completed file is unpacked. `prune` empties it
 *   store.lock		flock()ed exclusively by every writer
 *
 * Theory of operation: a writer (import, rmi, prune; later pull) holds the
 * exclusive lock for its whole run, so two imports of one image serialise
 * and the second finds every blob and layer present. Nothing becomes
 * visible before it is complete and verified: a blob is streamed into tmp/
 * while hashed and renamed into blobs/ only when its digest matches; a
 * layer archive is read once, hashed as read (its digest) and uncompressed
 * (its diff_id) while unpacked into tmp/, and renamed into layers/ only
 * when both match; images.json is replaced by rename. A registry client
 * (`pull`, to come) slots in the same way: manifests and configs through
 * store_blob_put(), each layer through store_layer_unpack_fd() on the
 * download stream (or store_blob_put() then store_layer_unpack()), then
 * the name through store_index_load()/store_index_save(), all inside
 * store_in_userns() with the lock held. A writer killed at
 * any point leaves only tmp/ entries, which the next writer removes while
 * it holds the lock. Readers (run, images, inspect) take no lock: every
 * name they can see is complete.
 *
 * Unpacked layers keep their owners (uid 1000 in the image is the caller's
 * subordinate uid 999 + base on disk), so writers run inside a user
 * namespace with the caller's full subordinate mapping (store_in_userns()),
 * where they may create and remove such files.
 */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "privdir.h"
#include "nschild.h"
#include "syscalls.h"
#include "userns.h"
#include "util.h"

bool store_single_id;

/* How long a writer waits for the store's lock before it gives up. */
#define STORE_LOCK_WAIT_S 600

/**
 * store_digest_valid() - is @digest "sha256:" and 64 lowercase hex digits
 * @digest:	the string
 *
 * Return: true when it is (so it can name a file).
 */
bool store_digest_valid(const char *digest)
{
	if (!digest || strncmp(digest, "sha256:", 7) != 0 || strlen(digest) != 71)
		return false;
	for (const char *p = digest + 7; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

/* Remove everything in tmp/ (a killed writer's leftovers); lock held. */
static void clean_tmp(struct store *s)
{
	cleanup_error struct sbx_error *e = NULL;

	if (util_rm_rf_at(s->fd, "tmp", &e) < 0)
		sbx_debug("store: clean tmp: %s", e->msg);
	mkdirat(s->fd, "tmp", 0700);
}

/**
 * lock_store() - take the writers' lock, waiting at most STORE_LOCK_WAIT_S
 * @s:		store with lockfd open
 * @err:	error out-parameter
 *
 * A writer holds the lock for its whole run (a pull of a large image takes
 * minutes); one that hangs must not hang every later writer for good.
 *
 * Return: 0, or negative with *err set.
 */
static int lock_store(struct store *s, struct sbx_error **err)
{
	struct timespec t0, now;
	bool said = false;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (flock(s->lockfd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return sbx_error_set(err, errno, "lock `%s/store.lock`", s->root);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec >= STORE_LOCK_WAIT_S)
			return sbx_error_set(
			    err, 0,
			    "`%s/store.lock`: another import, pull, rmi or prune has held the "
			    "store for %d s",
			    s->root, STORE_LOCK_WAIT_S);
		if (!said && now.tv_sec - t0.tv_sec >= 2) {
			sbx_warn("waiting for `%s/store.lock`: another import, pull, rmi or prune is running",
				 s->root);
			said = true;
		}
		usleep(50 * 1000);
	}
	return 0;
}

/**
 * store_open() - open (and create) the store at @root
 * @s:		filled
 * @root:	ROOT
 * @write:	take the writer's lock (and clean up tmp/)
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int store_open(struct store *s, const char *root, bool write, struct sbx_error **err)
{
	memset(s, 0, sizeof(*s));
	s->fd = s->lockfd = -1;
	s->root = xstrdup(root);
	/* ours alone (privdir.c), as the command line checked it first */
	s->fd = privdir_open(root, write, err);
	if (s->fd == -ENOENT && !write) {
		s->fd = -1;
		if (err) {
			sbx_error_free(*err);
			*err = NULL;
		}
		return 0; /* an empty store */
	}
	if (s->fd < 0) {
		s->fd = -1;
		sbx_error_wrap(err, "store `%s`", root);
		goto fail;
	}
	if (!write)
		return 0;
	if ((mkdirat(s->fd, "blobs", 0700) < 0 && errno != EEXIST) ||
	    (mkdirat(s->fd, "blobs/sha256", 0700) < 0 && errno != EEXIST)) {
		sbx_error_set(err, errno, "store `%s/blobs/sha256`", root);
		goto fail;
	}
	if ((mkdirat(s->fd, "layers", 0700) < 0 && errno != EEXIST)) {
		sbx_error_set(err, errno, "store `%s/layers`", root);
		goto fail;
	}
	s->lockfd = openat(s->fd, "store.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->lockfd < 0) {
		sbx_error_set(err, errno, "store lock `%s/store.lock`", root);
		goto fail;
	}
	if (lock_store(s, err) < 0)
		goto fail;
	clean_tmp(s);
	return 0;
fail:
	store_close(s);
	return -1;
}

void store_close(struct store *s)
{
	if (s->lockfd >= 0) {
		clean_tmp(s);
		close(s->lockfd);
	}
	if (s->fd >= 0)
		close(s->fd);
	free(s->root);
	s->root = NULL;
	s->fd = s->lockfd = -1;
}

static char *blob_rel(const char *digest)
{
	return xasprintf("blobs/sha256/%s", digest + 7);
}

/**
 * store_tmpdir() - a fresh directory under tmp/
 * @s:		store (writer)
 * @path:	its path relative to ROOT
 * @fd:		an O_RDONLY descriptor of it
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int store_tmpdir(struct store *s, char **path, int *fd, struct sbx_error **err)
{
	char hex[17];

	util_random_hex(hex, 16);
	*path = xasprintf("tmp/%s", hex);
	if (mkdirat(s->fd, *path, 0755) < 0 ||
	    (*fd = openat(s->fd, *path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		sbx_error_set(err, errno, "mkdir `%s/%s`", s->root, *path);
		free(*path);
		*path = NULL;
		return -1;
	}
	return 0;
}

/**
 * store_blob_put() - copy a blob into the store, verifying its digest
 * @s:		store (writer)
 * @srcfd:	read from this descriptor to its end, or -1 for @mem
 * @mem:	the blob in memory (srcfd -1)
 * @len:	its length
 * @want:	expected "sha256:..." digest, or NULL to take what it hashes to
 * @out:	the digest (may be NULL)
 * @size:	the blob's size (may be NULL)
 * @err:	error out-parameter
 *
 * Streams into tmp/ while hashing; renames into blobs/sha256/ only when
 * the digest matches. A blob already present is not written again.
 *
 * Return: 0, or negative with *err set (the store unchanged).
 */
int store_blob_put(struct store *s, int srcfd, const uint8_t *mem, size_t len, const char *want,
		   char out[LAYER_DIGEST_LEN], uint64_t *size, struct sbx_error **err)
{
	cleanup_free char *tmp = NULL, *dst = NULL;
	cleanup_free uint8_t *buf = NULL;
	cleanup_close int fd = -1;
	mbedtls_sha256_context h;
	char digest[LAYER_DIGEST_LEN];
	unsigned char d[32];
	uint64_t total = 0;
	char hex[17];

	if (want && !store_digest_valid(want))
		return sbx_error_set(err, 0, "blob digest `%.80s`: not a sha256 digest", want);
	util_random_hex(hex, 16);
	tmp = xasprintf("tmp/blob-%s", hex);
	fd = openat(s->fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return sbx_error_set(err, errno, "create `%s/%s`", s->root, tmp);
	mbedtls_sha256_init(&h);
	mbedtls_sha256_starts_ret(&h, 0);
	if (srcfd >= 0) {
		ssize_t n;

		buf = xmalloc(1 << 20);
		while ((n = read(srcfd, buf, 1 << 20)) != 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 || util_write_all(fd, buf, (size_t)n) < 0) {
				int e = errno;

				mbedtls_sha256_free(&h);
				unlinkat(s->fd, tmp, 0);
				return sbx_error_set(err, e, "copy blob");
			}
			mbedtls_sha256_update_ret(&h, buf, (size_t)n);
			total += (uint64_t)n;
		}
	} else {
		if (util_write_all(fd, mem, len) < 0) {
			int e = errno;

			mbedtls_sha256_free(&h);
			unlinkat(s->fd, tmp, 0);
			return sbx_error_set(err, e, "write blob");
		}
		mbedtls_sha256_update_ret(&h, mem, len);
		total = len;
	}
	mbedtls_sha256_finish_ret(&h, d);
	mbedtls_sha256_free(&h);
	memcpy(digest, "sha256:", 7);
	for (int i = 0; i < 32; i++)
		snprintf(digest + 7 + 2 * i, 3, "%02x", d[i]);
	if (want && strcmp(want, digest) != 0) {
		unlinkat(s->fd, tmp, 0);
		return sbx_error_set(err, 0, "blob `%s`: digest mismatch (content hashes to `%s`)", want,
				     digest);
	}
	dst = blob_rel(digest);
	if (renameat(s->fd, tmp, s->fd, dst) < 0) {
		int e = errno;

		unlinkat(s->fd, tmp, 0);
		return sbx_error_set(err, e, "store blob `%s`", digest);
	}
	if (out)
		memcpy(out, digest, LAYER_DIGEST_LEN);
	if (size)
		*size = total;
	return 0;
}

bool store_blob_exists(struct store *s, const char *digest)
{
	cleanup_free char *p = NULL;

	if (s->fd < 0 || !store_digest_valid(digest))
		return false;
	p = blob_rel(digest);
	return faccessat(s->fd, p, F_OK, 0) == 0;
}

/**
 * store_blob_open() - open a stored blob for reading
 * @s:		store
 * @digest:	its digest
 * @err:	error out-parameter
 *
 * Return: the descriptor, or negative with *err set.
 */
int store_blob_open(struct store *s, const char *digest, struct sbx_error **err)
{
	cleanup_free char *p = NULL;
	int fd;

	if (!store_digest_valid(digest))
		return sbx_error_set(err, 0, "blob `%.80s`: not a sha256 digest", digest);
	if (s->fd < 0)
		return sbx_error_set(err, ENOENT, "blob `%s`", digest);
	p = blob_rel(digest);
	fd = openat(s->fd, p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return sbx_error_set(err, errno, "blob `%s`", digest);
	return fd;
}

/**
 * store_blob_read() - read a small stored blob (a manifest or config)
 * @s:		store
 * @digest:	its digest
 * @max:	refuse larger blobs
 * @out:	NUL-terminated contents
 * @len:	its length (may be NULL)
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int store_blob_read(struct store *s, const char *digest, size_t max, char **out, size_t *len,
		    struct sbx_error **err)
{
	cleanup_close int fd = store_blob_open(s, digest, err);

	if (fd < 0)
		return -1;
	return util_read_fd(fd, max, digest, out, len, err);
}

int store_blob_remove(struct store *s, const char *digest)
{
	cleanup_free char *p = NULL;

	if (!store_digest_valid(digest))
		return -1;
	p = blob_rel(digest);
	return unlinkat(s->fd, p, 0);
}

/**
 * store_download_open() - the download file of layer blob @digest
 * @s:		store (writer)
 * @digest:	the blob's digest
 * @fd:		read-write, created empty or holding what an earlier pull got
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int store_download_open(struct store *s, const char *digest, int *fd, struct sbx_error **err)
{
	char name[96];

	if (!store_digest_valid(digest))
		return sbx_error_set(err, 0, "blob digest `%.80s`: not a sha256 digest", digest);
	if (mkdirat(s->fd, "downloads", 0700) < 0 && errno != EEXIST)
		return sbx_error_set(err, errno, "store `%s/downloads`", s->root);
	snprintf(name, sizeof(name), "downloads/%s", digest + 7);
	*fd = openat(s->fd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (*fd < 0)
		return sbx_error_set(err, errno, "store `%s/%s`", s->root, name);
	return 0;
}

/* Remove the download file of @digest (done, or not worth resuming). */
void store_download_remove(struct store *s, const char *digest)
{
	char name[96];

	if (!store_digest_valid(digest))
		return;
	snprintf(name, sizeof(name), "downloads/%s", digest + 7);
	unlinkat(s->fd, name, 0);
}

/* Remove every download file: `prune`. Returns how many there were. */
int store_downloads_clear(struct store *s)
{
	cleanup_error struct sbx_error *e = NULL;
	cleanup_close int dfd = openat(s->fd, "downloads", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	int n = 0;
	DIR *d;

	if (dfd < 0 || !(d = fdopendir(dfd)))
		return 0;
	dfd = -1; /* the DIR has it */
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	if (util_rm_rf_at(s->fd, "downloads", &e) < 0)
		sbx_debug("store: clear downloads: %s", e->msg);
	return n;
}

char *store_layer_path(const struct store *s, const char *diff_id)
{
	return xasprintf("%s/layers/%s", s->root, diff_id + 7);
}

bool store_layer_exists(struct store *s, const char *diff_id)
{
	cleanup_free char *p = NULL;

	if (s->fd < 0 || !store_digest_valid(diff_id))
		return false;
	p = xasprintf("layers/%s", diff_id + 7);
	return faccessat(s->fd, p, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/**
 * store_layer_unpack_fd() - unpack a layer archive under its diff_id, checking
 *			     its digest on the way (one pass, no copy of the archive)
 * @s:		store (writer, inside the user namespace)
 * @fd:		the archive (any compression), read to its end
 * @want:	expected digest of the archive as read, or NULL
 * @want_diff_id: expected diff_id (from the image config), or NULL
 * @out:	digest, diff_id, size and compression found (may be NULL)
 * @err:	error out-parameter
 *
 * Unpacks into tmp/ and renames into layers/ only when the archive hashes
 * to @want and its uncompressed stream to @want_diff_id. Nothing is read
 * when @want_diff_id is already unpacked (its content was checked then).
 *
 * Return: 0, or negative with *err set.
 */
int store_layer_unpack_fd(struct store *s, int fd, const char *want, const char *want_diff_id,
			  struct store_layer_info *out, struct sbx_error **err)
{
	struct layer_unpack_opts o = {.owners = true, .whiteouts = true};
	struct layer_unpack_stats st;
	cleanup_free char *tmp = NULL, *dst = NULL;
	cleanup_close int dirfd = -1;
	struct store_layer_info info = {.comp = LAYER_PLAIN};
	struct layer_stream ls;
	int r;

	if (want_diff_id && !store_digest_valid(want_diff_id))
		return sbx_error_set(err, 0, "diff_id `%.80s`: not a sha256 digest", want_diff_id);
	if (want && !store_digest_valid(want))
		return sbx_error_set(err, 0, "layer digest `%.80s`: not a sha256 digest", want);
	if (want_diff_id && store_layer_exists(s, want_diff_id)) {
		if (out) {
			memset(out, 0, sizeof(*out));
			memcpy(out->diff_id, want_diff_id, LAYER_DIGEST_LEN);
			if (want)
				memcpy(out->digest, want, LAYER_DIGEST_LEN);
		}
		return 0;
	}
	if (store_tmpdir(s, &tmp, &dirfd, err) < 0)
		return -1;
	if (layer_stream_open(&ls, fd, NULL, 0, err) < 0) {
		layer_stream_close(&ls);
		return sbx_error_wrap(err, "layer `%s`", want ? want : "archive");
	}
	r = layer_unpack(&ls, dirfd, &o, &st, err);
	if (r < 0)
		layer_stream_raw_drain(&ls);
	info.comp = ls.comp;
	info.size = ls.raw_total;
	info.unpacked = ls.out_total;
	layer_stream_digest(&ls, info.diff_id);
	layer_stream_raw_digest(&ls, info.digest);
	layer_stream_close(&ls);
	if (want && strcmp(want, info.digest) != 0) {
		/* the archive is not what the manifest names: its content,
		 * whatever the unpacker said about it, is not used */
		sbx_error_free(*err);
		*err = NULL;
		return sbx_error_set(err, 0, "layer `%s`: digest mismatch (content hashes to `%s`)", want,
				     info.digest);
	}
	if (r < 0)
		return sbx_error_wrap(err, "layer `%s`", info.digest);
	if (want_diff_id && strcmp(want_diff_id, info.diff_id) != 0)
		return sbx_error_set(
		    err, 0,
		    "layer `%s`: diff_id mismatch (the image config says `%s`, the content hashes to `%s`)",
		    info.digest, want_diff_id, info.diff_id);
	s->totals.entries += st.entries;
	s->totals.devices_skipped += st.devices_skipped;
	s->totals.owners_collapsed += st.owners_collapsed;
	s->totals.xattrs_skipped += st.xattrs_skipped;
	if (out)
		*out = info;
	if (store_layer_exists(s, info.diff_id))
		return 0;
	fchmod(dirfd, 0755);
	dst = xasprintf("layers/%s", info.diff_id + 7);
	if (renameat(s->fd, tmp, s->fd, dst) < 0)
		return sbx_error_set(err, errno, "store layer `%s`", info.diff_id);
	{
		/* for `images` (best effort: without it the archive's size is shown) */
		cleanup_error struct sbx_error *e = NULL;
		cleanup_free char *p = xasprintf("layer-sizes/%s", info.diff_id + 7);
		char num[32];
		int n = snprintf(num, sizeof(num), "%llu\n", (unsigned long long)info.unpacked);

		if ((mkdirat(s->fd, "layer-sizes", 0700) < 0 && errno != EEXIST) ||
		    util_write_file_at(s->fd, p, num, (size_t)n, 0600, &e) < 0)
			sbx_debug("layer `%s`: its size is not recorded", info.diff_id);
	}
	return 0;
}

/**
 * store_layer_size() - the size of an unpacked layer's uncompressed tar
 * @s:		store
 * @diff_id:	the layer
 *
 * Return: the size, or 0 when it was not recorded.
 */
uint64_t store_layer_size(struct store *s, const char *diff_id)
{
	cleanup_free char *p = NULL;
	char buf[32];
	int fd;
	ssize_t n;

	if (s->fd < 0 || !store_digest_valid(diff_id))
		return 0;
	p = xasprintf("layer-sizes/%s", diff_id + 7);
	fd = openat(s->fd, p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtoull(buf, NULL, 10);
}

/**
 * store_layer_unpack() - unpack a stored layer blob under its diff_id
 * @s:		store (writer, inside the user namespace)
 * @blob:	digest of the layer blob (any compression), in blobs/
 * @want_diff_id: expected diff_id (from the image config), or NULL
 * @out_diff_id: the diff_id it hashed to (may be NULL)
 * @err:	error out-parameter
 *
 * For blobs stored first (a registry pull may keep them): see
 * store_layer_unpack_fd().
 *
 * Return: 0, or negative with *err set.
 */
int store_layer_unpack(struct store *s, const char *blob, const char *want_diff_id,
		       char out_diff_id[LAYER_DIGEST_LEN], struct sbx_error **err)
{
	struct store_layer_info info;
	cleanup_close int fd = -1;

	if (want_diff_id && store_digest_valid(want_diff_id) && store_layer_exists(s, want_diff_id)) {
		if (out_diff_id)
			memcpy(out_diff_id, want_diff_id, LAYER_DIGEST_LEN);
		return 0;
	}
	fd = store_blob_open(s, blob, err);
	if (fd < 0)
		return -1;
	if (store_layer_unpack_fd(s, fd, blob, want_diff_id, &info, err) < 0)
		return -1;
	if (out_diff_id)
		memcpy(out_diff_id, info.diff_id, LAYER_DIGEST_LEN);
	return 0;
}

/**
 * store_layer_remove() - remove an unpacked layer (inside the user namespace)
 * @s:		store (writer)
 * @diff_id:	the layer
 * @err:	error out-parameter
 *
 * Moved into tmp/ first, so that a half-removed layer is never visible.
 *
 * Return: 0, or negative with *err set.
 */
int store_layer_remove(struct store *s, const char *diff_id, struct sbx_error **err)
{
	cleanup_free char *src = NULL, *tmp = NULL;
	char hex[17];

	if (!store_digest_valid(diff_id))
		return sbx_error_set(err, EINVAL, "layer `%.80s`", diff_id);
	util_random_hex(hex, 16);
	src = xasprintf("layers/%s", diff_id + 7);
	tmp = xasprintf("tmp/rm-%s", hex);
	{
		cleanup_free char *sz = xasprintf("layer-sizes/%s", diff_id + 7);

		unlinkat(s->fd, sz, 0);
	}
	if (renameat(s->fd, src, s->fd, tmp) < 0)
		return errno == ENOENT ? 0 : sbx_error_set(err, errno, "remove layer `%s`", diff_id);
	return util_rm_rf_at(s->fd, tmp, err);
}

/**
 * store_index_load() - the name index (an empty one when there is none)
 * @s:		store
 * @out:	{"images": [...]}
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int store_index_load(struct store *s, json_t **out, struct sbx_error **err)
{
	cleanup_free char *buf = NULL;
	cleanup_close int fd = -1;
	json_error_t je;
	json_t *j;

	fd = s->fd >= 0 ? openat(s->fd, "images.json", O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
	if (fd < 0) {
		if (s->fd >= 0 && errno != ENOENT)
			return sbx_error_set(err, errno, "`%s/images.json`", s->root);
		*out = json_pack("{s:[]}", "images");
		return 0;
	}
	if (util_read_fd(fd, 64 << 20, "images.json", &buf, NULL, err) < 0)
		return -1;
	j = json_loads(buf, 0, &je);
	if (!j || !json_is_array(json_object_get(j, "images"))) {
		json_decref(j);
		return sbx_error_set(err, 0, "`%s/images.json`: %s", s->root,
				     j ? "no `images` array" : je.text);
	}
	*out = j;
	return 0;
}

/**
 * store_index_save() - replace images.json atomically (writer's lock held)
 * @s:		store (writer)
 * @index:	the new index
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int store_index_save(struct store *s, json_t *index, struct sbx_error **err)
{
	cleanup_free char *text = json_dumps(index, JSON_INDENT(1) | JSON_SORT_KEYS);
	cleanup_close int fd = -1;

	if (!text)
		return sbx_error_set(err, ENOMEM, "serialise images.json");
	fd = openat(s->fd, "tmp/images.json", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || util_write_all(fd, text, strlen(text)) < 0 || util_write_all(fd, "\n", 1) < 0 ||
	    fsync(fd) < 0)
		return sbx_error_set(err, errno, "write `%s/tmp/images.json`", s->root);
	if (renameat(s->fd, "tmp/images.json", s->fd, "images.json") < 0)
		return sbx_error_set(err, errno, "replace `%s/images.json`", s->root);
	return 0;
}

/* ---- the writers' user namespace ---------------------------------------- */

struct writer_job {
	store_userns_fn fn;
	void *arg;
	const struct userns_plan *plan;
};

/* The writer's side of store_in_userns(), after the maps are written. */
static int writer_main(void *arg, int sock, char *result, size_t size, struct sbx_error **err)
{
	struct writer_job *j = arg;

	(void)sock;
	store_single_id = j->plan->n_uid <= 1 && (j->plan->n_uid == 0 || j->plan->uid[0].count <= 1);
	return j->fn(j->arg, result, size, err);
}

/**
 * store_in_userns() - run @fn in a child inside a user namespace with the
 *		       caller's full subordinate mapping
 * @fn:		what to run (its error comes back, see nschild.h)
 * @arg:	its argument (the child has a copy of our memory)
 * @result:	text @fn writes for the caller (what it did), copied back
 * @size:	its size
 * @err:	error out-parameter
 *
 * The child is root in the new namespace with every capability over files
 * of mapped owners: it may chown to any mapped ID, create whiteouts (char
 * 0:0) and remove what an earlier unpack created. A killed `sandbox
 * import` takes its writer with it: what it left is only in tmp/.
 *
 * Return: 0, or negative with *err set (@fn's error included).
 */
int store_in_userns(store_userns_fn fn, void *arg, char *result, size_t size, struct sbx_error **err)
{
	struct userns_plan plan;
	struct writer_job j = {.fn = fn, .arg = arg, .plan = &plan};
	struct nschild_opts no = {.clone_flags = CLONE_NEWUSER,
				  .die_with_parent = true,
				  .what = "the store's helper process",
				  .fn = writer_main,
				  .arg = &j};
	struct nschild child;
	int ret = -1;

	memset(&plan, 0, sizeof(plan));
	if (userns_plan_make(SBX_USERNS_AUTO, &plan, err) < 0)
		return -1;
	if (nschild_start(&no, &child, err) < 0)
		goto out;
	if (userns_write_maps(child.pid, &plan, err) < 0 || nschild_go(&child, err) < 0) {
		nschild_abort(&child);
		goto out;
	}
	ret = nschild_finish(&child, result, size, err) < 0 ? -1 : 0;
out:
	userns_plan_free(&plan);
	return ret;
}
