// SPDX-License-Identifier: GPL-2.0-or-later
/* import.c - `import`: docker-archive tars, OCI layouts (directory or tar) and rootfs tarballs
 *
 * An OCI layout is copied blob by blob (every digest checked); a
 * docker-archive (`docker save`) gets an OCI manifest written for it; a
 * plain rootfs tarball becomes one layer with a minimal config. Layers are
 * unpacked straight from the archive (store_layer_unpack_fd()), never kept
 * as blobs. Runs in the store's user namespace with its lock held; on any
 * failure the names are not written and image_gc() takes back what this
 * import stored.
 */
#include "image.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmdenv.h"
#include "image_internal.h"
#include "safepath.h"
#include "store.h"
#include "util.h"

struct import_job {
	const char *root;
	const char *src;
	const char *name; /* NAME[:TAG] given, or NULL */
};

static const char *layer_media_type(enum layer_compression c)
{
	return c == LAYER_GZIP	 ? "application/vnd.oci.image.layer.v1.tar+gzip"
	       : c == LAYER_ZSTD ? "application/vnd.oci.image.layer.v1.tar+zstd"
				 : "application/vnd.oci.image.layer.v1.tar";
}

/* Digest, size and compression of a layer archive that need not be unpacked. */
static int describe_archive(int fd, struct store_layer_info *info, struct sbx_error **err)
{
	cleanup_free uint8_t *buf = xmalloc(1 << 20);
	mbedtls_sha256_context h;
	unsigned char d[32];
	ssize_t n;

	memset(info, 0, sizeof(*info));
	mbedtls_sha256_init(&h);
	mbedtls_sha256_starts_ret(&h, 0);
	while ((n = read(fd, buf, 1 << 20)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			mbedtls_sha256_free(&h);
			return sbx_error_set(err, errno, "read layer");
		}
		if (info->size == 0 && n >= 4)
			info->comp = buf[0] == 0x1f && buf[1] == 0x8b ? LAYER_GZIP
				     : buf[0] == 0x28 && buf[1] == 0xb5 && buf[2] == 0x2f && buf[3] == 0xfd
					 ? LAYER_ZSTD
					 : LAYER_PLAIN;
		mbedtls_sha256_update_ret(&h, buf, (size_t)n);
		info->size += (uint64_t)n;
	}
	mbedtls_sha256_finish_ret(&h, d);
	mbedtls_sha256_free(&h);
	memcpy(info->digest, "sha256:", 7);
	for (int i = 0; i < 32; i++)
		snprintf(info->digest + 7 + 2 * i, 3, "%02x", d[i]);
	return 0;
}

/* localhost/NAME:TAG for a short NAME[:TAG], the full form otherwise. */
static int import_name(const char *given, char **out, struct sbx_error **err)
{
	struct image_ref r;

	if (image_ref_parse(given, &r, err) < 0)
		return -1;
	if (r.digest) {
		image_ref_free(&r);
		return sbx_error_set(err, 0, "image name `%s`: a digest cannot be a name", given);
	}
	if (r.short_name)
		*out = xasprintf("localhost/%s:%s", r.given_repo, r.tag);
	else
		*out = image_ref_string(&r);
	image_ref_free(&r);
	return 0;
}

/* A default name from a file name: lowercase, [a-z0-9._-], extensions off. */
static char *name_from_path(const char *path)
{
	cleanup_free char *b = xstrdup(util_basename(path));
	static const char *const ext[] = {".tar.gz", ".tgz", ".tar.zst", ".tar", ".oci"};
	size_t w = 0;

	for (size_t i = 0; i < ARRAY_SIZE(ext); i++) {
		size_t bl = strlen(b), el = strlen(ext[i]);

		if (bl > el && strcmp(b + bl - el, ext[i]) == 0) {
			b[bl - el] = '\0';
			break;
		}
	}
	for (size_t i = 0; b[i]; i++) {
		char c = (char)tolower((unsigned char)b[i]);

		if (isalnum((unsigned char)c) ||
		    ((c == '.' || c == '_' || c == '-') && w && isalnum((unsigned char)b[w - 1])))
			b[w++] = c;
	}
	while (w && !isalnum((unsigned char)b[w - 1]))
		w--;
	b[w] = '\0';
	return w ? xasprintf("localhost/%s:latest", b) : xstrdup("localhost/imported:latest");
}

static int index_add(struct store *s, json_t *index, const char *name, const char *digest)
{
	json_t *imgs = json_object_get(index, "images"), *e;
	size_t i;

	(void)s;
	for (i = 0; i < json_array_size(imgs);) {
		e = json_array_get(imgs, i);
		if (strcmp(json_string_value(json_object_get(e, "name")) ?: "", name) == 0)
			json_array_remove(imgs, i);
		else
			i++;
	}
	return json_array_append_new(imgs, json_pack("{s:s, s:s, s:I}", "name", name, "digest", digest,
						     "created", (json_int_t)time(NULL)));
}

/* Put the JSON @j as a blob; its digest in @out. */
static int put_json(struct store *s, json_t *j, char out[LAYER_DIGEST_LEN], uint64_t *size,
		    struct sbx_error **err)
{
	cleanup_free char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);

	if (!text)
		return sbx_error_set(err, ENOMEM, "serialise JSON");
	return store_blob_put(s, -1, (const uint8_t *)text, strlen(text), NULL, out, size, err);
}

/**
 * open_regular() - open @fd's file for reading only if it is a regular file
 * @fd:		opened with O_NONBLOCK (so that a FIFO's open did not block)
 * @err:	error out-parameter
 *
 * A FIFO would block the read forever with the store lock held, a device
 * is never image content: both are refused. O_NONBLOCK is cleared.
 *
 * Return: @fd, or negative with *err set (@fd closed).
 */
static int open_regular(int fd, struct sbx_error **err)
{
	struct stat st;
	int flags;

	if (fstat(fd, &st) < 0 || (flags = fcntl(fd, F_GETFL)) < 0 ||
	    (S_ISREG(st.st_mode) && fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0)) {
		int e = errno;

		close(fd);
		return sbx_error_set(err, e, "stat");
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return sbx_error_set(err, 0, "not a regular file (%s)",
				     S_ISFIFO(st.st_mode)			  ? "a FIFO"
				     : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device"
				     : S_ISSOCK(st.st_mode)			  ? "a socket"
				     : S_ISDIR(st.st_mode)			  ? "a directory"
										  : "a special file");
	}
	return fd;
}

/* The member @path of the archive (resolved inside @dirfd), a regular file. */
static int open_member(int dirfd, const char *path, struct sbx_error **err)
{
	int fd = safepath_open(dirfd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, err);

	if (fd < 0 || (fd = open_regular(fd, err)) < 0)
		return sbx_error_wrap(err, "archive member `%s`", path);
	return fd;
}

static int read_member(int dirfd, const char *path, char **buf, size_t *len, struct sbx_error **err)
{
	cleanup_close int fd = open_member(dirfd, path, err);

	if (fd < 0)
		return -1;
	return util_read_fd(fd, MAX_JSON, path, buf, len, err);
}

/* Unpack the archive @path inside @dirfd (checked against @want, @want_diff_id). */
static int unpack_member(struct store *s, int dirfd, const char *path, const char *want,
			 const char *want_diff_id, struct store_layer_info *info, struct sbx_error **err)
{
	cleanup_close int fd = -1;

	if (want_diff_id && store_digest_valid(want_diff_id) && store_layer_exists(s, want_diff_id)) {
		/* unpacked already; a docker archive's manifest still needs
		 * the archive's digest */
		if (!want) {
			fd = open_member(dirfd, path, err);
			if (fd < 0)
				return -1;
			if (describe_archive(fd, info, err) < 0)
				return sbx_error_wrap(err, "archive member `%s`", path);
		}
		return 0;
	}
	fd = open_member(dirfd, path, err);
	if (fd < 0)
		return -1;
	return store_layer_unpack_fd(s, fd, want, want_diff_id, info, err);
}

/* OCI layout: index.json -> manifest -> config and layers. */
static int import_oci(struct store *s, int dirfd, char manifest_digest[LAYER_DIGEST_LEN], char **refname,
		      struct sbx_error **err)
{
	cleanup_free char *ibuf = NULL, *mbuf = NULL, *cbuf = NULL, *path = NULL;
	struct image_manifest m = {0};
	struct image_config c = {0};
	struct image_platform host;
	size_t il, ml, cl;
	json_t *idx, *first;
	const char *mt;
	int ret = -1;

	image_platform_parse(NULL, &host, NULL);
	if (read_member(dirfd, "index.json", &ibuf, &il, err) < 0)
		return -1;
	idx = image_parse_json(ibuf, il, "OCI index.json", err);
	if (!idx)
		return -1;
	first = json_array_get(json_object_get(idx, "manifests"), 0);
	if (json_string_value(
		json_object_get(json_object_get(first, "annotations"), "org.opencontainers.image.ref.name")))
		*refname = xstrdup(json_string_value(json_object_get(json_object_get(first, "annotations"),
								     "org.opencontainers.image.ref.name")));
	json_decref(idx);
	if (image_index_pick(ibuf, il, &host, manifest_digest, err) < 0)
		return sbx_error_wrap(err, "OCI index.json");
	for (int depth = 0;; depth++) {
		free(path);
		free(mbuf);
		mbuf = NULL;
		path = xasprintf("blobs/sha256/%s", manifest_digest + 7);
		if (read_member(dirfd, path, &mbuf, &ml, err) < 0)
			return -1;
		idx = image_parse_json(mbuf, ml, "manifest", err);
		if (!idx)
			return -1;
		mt = json_string_value(json_object_get(idx, "mediaType"));
		if (depth < 4 &&
		    ((mt && (strcmp(mt, MT_OCI_INDEX) == 0 || strcmp(mt, MT_DOCKER_LIST) == 0)) ||
		     (!mt && json_object_get(idx, "manifests")))) {
			json_decref(idx);
			if (image_index_pick(mbuf, ml, &host, manifest_digest, err) < 0)
				return -1;
			continue;
		}
		json_decref(idx);
		break;
	}
	if (image_manifest_parse(mbuf, ml, &m, err) < 0)
		return -1;
	if (store_blob_put(s, -1, (const uint8_t *)mbuf, ml, manifest_digest, NULL, NULL, err) < 0)
		goto out;
	free(path);
	path = xasprintf("blobs/sha256/%s", m.config + 7);
	if (read_member(dirfd, path, &cbuf, &cl, err) < 0 || image_config_parse(cbuf, cl, &c, err) < 0 ||
	    store_blob_put(s, -1, (const uint8_t *)cbuf, cl, m.config, NULL, NULL, err) < 0)
		goto out;
	if (c.n_diff_ids != m.n_layers) {
		sbx_error_set(err, 0, "image: %zu layers but %zu diff_ids in its config", m.n_layers,
			      c.n_diff_ids);
		goto out;
	}
	/* layer archives are checked while they are unpacked, not copied */
	for (size_t i = 0; i < m.n_layers; i++) {
		struct store_layer_info info;

		free(path);
		path = xasprintf("blobs/sha256/%s", m.layers[i].digest + 7);
		if (unpack_member(s, dirfd, path, m.layers[i].digest, c.diff_ids[i], &info, err) < 0)
			goto out;
	}
	ret = 0;
out:
	image_manifest_free(&m);
	image_config_free(&c);
	return ret;
}

/* docker save: manifest.json [{Config, RepoTags, Layers}]. */
static int import_docker(struct store *s, int dirfd, char manifest_digest[LAYER_DIGEST_LEN], json_t *tags,
			 struct sbx_error **err)
{
	cleanup_free char *buf = NULL, *cbuf = NULL;
	struct image_config c = {0};
	json_t *list, *e, *layers, *l, *man = NULL, *ldescs;
	char cfg[LAYER_DIGEST_LEN];
	uint64_t csize;
	size_t len, cl, i;
	int ret = -1;

	if (read_member(dirfd, "manifest.json", &buf, &len, err) < 0)
		return -1;
	list = json_loadb(buf, len, 0, NULL);
	if (!json_is_array(list) || json_array_size(list) == 0 || !json_is_object(json_array_get(list, 0))) {
		json_decref(list);
		return sbx_error_set(err, 0,
				     "docker archive: manifest.json: bad JSON (want an array of images)");
	}
	if (json_array_size(list) > 1)
		sbx_warn("docker archive holds %zu images: importing the first", json_array_size(list));
	e = json_array_get(list, 0);
	if (json_is_array(json_object_get(e, "RepoTags")))
		json_array_extend(tags, json_object_get(e, "RepoTags"));
	layers = json_object_get(e, "Layers");
	if (!json_string_value(json_object_get(e, "Config")) || !json_is_array(layers)) {
		sbx_error_set(err, 0, "docker archive: manifest.json: no Config or Layers");
		goto out;
	}
	if (read_member(dirfd, json_string_value(json_object_get(e, "Config")), &cbuf, &cl, err) < 0 ||
	    image_config_parse(cbuf, cl, &c, err) < 0 ||
	    store_blob_put(s, -1, (const uint8_t *)cbuf, cl, NULL, cfg, &csize, err) < 0)
		goto out;
	if (c.n_diff_ids != json_array_size(layers)) {
		sbx_error_set(err, 0, "docker archive: %zu layers but %zu diff_ids", json_array_size(layers),
			      c.n_diff_ids);
		goto out;
	}
	ldescs = json_array();
	man = json_pack("{s:i, s:s, s:{s:s, s:s, s:I}, s:o}", "schemaVersion", 2, "mediaType",
			MT_OCI_MANIFEST, "config", "mediaType", "application/vnd.oci.image.config.v1+json",
			"digest", cfg, "size", (json_int_t)csize, "layers", ldescs);
	json_array_foreach(layers, i, l)
	{
		struct store_layer_info info;

		if (!json_string_value(l)) {
			sbx_error_set(err, 0, "docker archive: manifest.json: a layer is not a path");
			goto out;
		}
		if (unpack_member(s, dirfd, json_string_value(l), NULL, c.diff_ids[i], &info, err) < 0)
			goto out;
		json_array_append_new(ldescs,
				      json_pack("{s:s, s:s, s:I}", "mediaType", layer_media_type(info.comp),
						"digest", info.digest, "size", (json_int_t)info.size));
	}
	ret = put_json(s, man, manifest_digest, NULL, err);
out:
	json_decref(man);
	json_decref(list);
	image_config_free(&c);
	return ret;
}

/* A plain rootfs tarball: one layer and a minimal config. */
static int import_rootfs(struct store *s, int fd, char manifest_digest[LAYER_DIGEST_LEN],
			 struct sbx_error **err)
{
	char cfg[LAYER_DIGEST_LEN], now[32];
	struct store_layer_info info;
	uint64_t csize;
	json_t *config, *man;
	time_t t = time(NULL);
	int ret;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return sbx_error_set(err, errno, "rewind");
	if (store_layer_unpack_fd(s, fd, NULL, NULL, &info, err) < 0)
		return -1;
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	config = json_pack("{s:s, s:s, s:s, s:{s:[s]}, s:{s:s, s:[s]}}", "created", now, "architecture",
			   "amd64", "os", "linux", "config", "Env", "PATH=" SBX_DEFAULT_PATH, "rootfs",
			   "type", "layers", "diff_ids", info.diff_id);
	ret = put_json(s, config, cfg, &csize, err);
	json_decref(config);
	if (ret < 0)
		return -1;
	man = json_pack("{s:i, s:s, s:{s:s, s:s, s:I}, s:[{s:s, s:s, s:I}]}", "schemaVersion", 2, "mediaType",
			MT_OCI_MANIFEST, "config", "mediaType", "application/vnd.oci.image.config.v1+json",
			"digest", cfg, "size", (json_int_t)csize, "layers", "mediaType",
			layer_media_type(info.comp), "digest", info.digest, "size", (json_int_t)info.size);
	ret = put_json(s, man, manifest_digest, NULL, err);
	json_decref(man);
	return ret;
}

struct archive_kind {
	bool docker, oci;
};

static int note_member(void *arg, struct tar_reader *r, const struct tar_entry *e, struct sbx_error **err)
{
	struct archive_kind *k = arg;
	char p[256];

	(void)r;
	(void)err;
	if (layer_clean_path(e->path, p, sizeof(p)) == (size_t)-1)
		return 0;
	if (strcmp(p, "manifest.json") == 0)
		k->docker = true;
	else if (strcmp(p, "oci-layout") == 0 || strcmp(p, "index.json") == 0)
		k->oci = true;
	return 0;
}

/* one import, run in the store's user namespace (store_in_userns()) */
struct import_ctx {
	struct import_job *j;
	int fd;	     /* the source: a regular file, or -1 */
	int dirfd;   /* the directory layout: the source's, or the archive's unpacked */
	bool is_dir; /* the source is a directory */
	struct archive_kind kind;
	struct store s;
	bool have_store; /* s is open (and locked) */
	char *tmp;	 /* the archive unpacked: its path under ROOT/tmp */
	char digest[LAYER_DIGEST_LEN];
	char *refname; /* an OCI layout's org.opencontainers.image.ref.name */
	json_t *tags;  /* a docker archive's RepoTags */
	json_t *index;
};

/**
 * open_source() - the file or directory to import, before the store's lock
 * @c:		context
 * @err:	error out-parameter
 *
 * Never a FIFO, whose open or read blocks.
 *
 * Return: 0, or negative with *err set.
 */
static int open_source(struct import_ctx *c, struct sbx_error **err)
{
	struct stat st;

	c->fd = open(c->j->src, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (c->fd < 0 || fstat(c->fd, &st) < 0)
		return sbx_error_set(err, errno, "import `%s`", c->j->src);
	c->is_dir = S_ISDIR(st.st_mode);
	if (c->is_dir) {
		c->dirfd = take_fd(&c->fd);
		return 0;
	}
	c->fd = open_regular(take_fd(&c->fd), err);
	if (c->fd < 0)
		return sbx_error_wrap(err, "import `%s`", c->j->src);
	return 0;
}

/**
 * kind_of_dir() - a directory is an OCI layout (index.json) or a docker
 *		   archive unpacked (manifest.json)
 * @c:		context
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
static int kind_of_dir(struct import_ctx *c, struct sbx_error **err)
{
	struct stat st;

	/* not followed: a symlink is resolved inside the directory when read */
	c->kind.oci = fstatat(c->dirfd, "index.json", &st, AT_SYMLINK_NOFOLLOW) == 0;
	c->kind.docker = !c->kind.oci && fstatat(c->dirfd, "manifest.json", &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (!c->kind.oci && !c->kind.docker)
		return sbx_error_set(err, 0,
				     "import `%s`: a directory without index.json (OCI layout) or "
				     "manifest.json (docker archive)",
				     c->j->src);
	return 0;
}

/**
 * unpack_archive() - a tar file: a docker archive or an OCI layout is
 *		      unpacked into a directory of the store's tmp/; anything
 *		      else is a rootfs tarball, imported as it is
 * @c:		context
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
static int unpack_archive(struct import_ctx *c, struct sbx_error **err)
{
	struct layer_unpack_opts o = {0};
	struct layer_unpack_stats us;
	struct layer_stream ls;
	int r;

	if (layer_stream_open(&ls, c->fd, NULL, 0, err) < 0) {
		layer_stream_close(&ls);
		return -1;
	}
	r = layer_tar_walk(&ls, note_member, &c->kind, err);
	layer_stream_close(&ls);
	if (r < 0)
		return -1;
	if (!c->kind.docker && !c->kind.oci)
		return 0;
	if (lseek(c->fd, 0, SEEK_SET) < 0 || store_tmpdir(&c->s, &c->tmp, &c->dirfd, err) < 0)
		return -1;
	if (layer_stream_open(&ls, c->fd, NULL, 0, err) < 0) {
		layer_stream_close(&ls);
		return -1;
	}
	r = layer_unpack(&ls, c->dirfd, &o, &us, err);
	layer_stream_close(&ls);
	if (r < 0)
		return -1;
	if (c->kind.oci)
		c->kind.docker = false;
	return 0;
}

/**
 * import_blobs() - the image's blobs and layers into the store
 * @c:		context: c->digest is its manifest's
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
static int import_blobs(struct import_ctx *c, struct sbx_error **err)
{
	if (c->kind.oci)
		return import_oci(&c->s, c->dirfd, c->digest, &c->refname, err);
	if (c->kind.docker)
		return import_docker(&c->s, c->dirfd, c->digest, c->tags, err);
	return import_rootfs(&c->s, c->fd, c->digest, err);
}

/**
 * name_image() - the image's names in the index: the one given, else a
 *		  docker archive's tags, else from the file's name (and an OCI
 *		  layout's ref.name)
 * @c:		context
 * @result:	"Loaded image: NAME" lines
 * @size:	size of @result
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
static int name_image(struct import_ctx *c, char *result, size_t size, struct sbx_error **err)
{
	cleanup_free char *name = NULL;
	json_t *t;
	size_t i;

	if (c->j->name) {
		if (import_name(c->j->name, &name, err) < 0)
			return -1;
		index_add(&c->s, c->index, name, c->digest);
		snprintf(result, size, "Loaded image: %s\n", name);
		return 0;
	}
	if (json_array_size(c->tags) > 0) {
		size_t off = 0;

		json_array_foreach(c->tags, i, t)
		{
			cleanup_free char *n = NULL;

			if (!json_string_value(t) || import_name(json_string_value(t), &n, err) < 0)
				return -1;
			index_add(&c->s, c->index, n, c->digest);
			off += (size_t)snprintf(result + off, off < size ? size - off : 0,
						"Loaded image: %s\n", n);
			if (off >= size)
				off = size;
		}
		/* a docker archive names docker.io images by their short names */
		return 0;
	}
	name = name_from_path(c->j->src);
	if (c->refname && (strchr(c->refname, '/') || strchr(c->refname, ':'))) {
		/* an OCI ref.name that is a whole reference */
		free(name);
		name = NULL;
		if (import_name(c->refname, &name, err) < 0)
			return -1;
	} else if (c->refname) {
		/* the usual ref.name: a tag */
		char *colon = strrchr(name, ':');
		cleanup_free char *n = NULL;

		*colon = '\0';
		n = xasprintf("%s:%s", name, c->refname);
		free(name);
		name = NULL;
		if (import_name(n, &name, err) < 0)
			return -1;
	}
	index_add(&c->s, c->index, name, c->digest);
	snprintf(result, size, "Loaded image: %s\n", name);
	return 0;
}

/**
 * import_ctx_free() - close the store (after a failure, with the blobs this
 *		       import stored and no image names collected again first)
 * @c:		context
 * @failed:	the import failed
 */
static void import_ctx_free(struct import_ctx *c, bool failed)
{
	json_decref(c->index);
	json_decref(c->tags);
	if (c->have_store && failed) {
		/* the store as it was (the lock is still held) */
		cleanup_error struct sbx_error *e2 = NULL;
		json_t *idx = NULL;
		int nb, nl;

		if (store_index_load(&c->s, &idx, &e2) == 0)
			image_gc(&c->s, idx, NULL, 0, &nb, &nl, &e2);
		json_decref(idx);
	}
	if (c->have_store)
		store_close(&c->s);
	free(c->refname);
	free(c->tmp);
	if (c->fd >= 0)
		close(c->fd);
	if (c->dirfd >= 0)
		close(c->dirfd);
}

/**
 * import_phases() - open, detect, unpack, store and name one import
 * @c:		context
 * @result:	"Loaded image: NAME" lines
 * @size:	size of @result
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
static int import_phases(struct import_ctx *c, char *result, size_t size, struct sbx_error **err)
{
	int ret;

	ret = open_source(c, err);
	if (ret < 0)
		return ret;
	ret = store_open(&c->s, c->j->root, true, err);
	if (ret < 0)
		return ret;
	c->have_store = true;
	if (c->is_dir) {
		ret = kind_of_dir(c, err);
		if (ret < 0)
			return ret;
	} else {
		ret = unpack_archive(c, err);
		if (ret < 0)
			return sbx_error_wrap(err, "import `%s`", c->j->src);
	}
	ret = import_blobs(c, err);
	if (ret < 0)
		return sbx_error_wrap(err, "import `%s`", c->j->src);
	ret = store_index_load(&c->s, &c->index, err);
	if (ret < 0)
		return ret;
	ret = name_image(c, result, size, err);
	if (ret < 0)
		return ret;
	ret = store_index_save(&c->s, c->index, err);
	if (ret < 0)
		return ret;
	if (c->s.totals.devices_skipped)
		sbx_warn("import: %llu device nodes skipped (a sandbox gets its own /dev)",
			 (unsigned long long)c->s.totals.devices_skipped);
	if (c->s.totals.owners_collapsed)
		sbx_warn("import: %llu files keep your own uid/gid: a single-ID user namespace has no other "
			 "IDs (see `sandbox doctor`)",
			 (unsigned long long)c->s.totals.owners_collapsed);
	return 0;
}

static int do_import(void *arg, char *result, size_t size, struct sbx_error **err)
{
	struct import_ctx c = {.j = arg, .fd = -1, .dirfd = -1, .tags = json_array()};
	int ret;

	ret = import_phases(&c, result, size, err);
	import_ctx_free(&c, ret < 0);
	return ret < 0 ? -1 : 0;
}

/**
 * image_import() - import a docker archive, an OCI layout or a rootfs tarball
 * @root:	ROOT
 * @src:	file or directory
 * @name:	NAME[:TAG] (stored as localhost/NAME:TAG), or NULL
 * @report:	"Loaded image: NAME" lines
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set (the store unchanged).
 */
int image_import(const char *root, const char *src, const char *name, char **report, struct sbx_error **err)
{
	struct import_job j = {root, src, name};
	char out[8192] = "";

	if (name) {
		cleanup_free char *n = NULL;

		if (import_name(name, &n, err) < 0)
			return -1;
	}
	if (store_in_userns(do_import, &j, out, sizeof(out), err) < 0)
		return -1;
	*report = xstrdup(out);
	return 0;
}
