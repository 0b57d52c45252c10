/* SPDX-License-Identifier: GPL-2.0-or-later */
/* image.h - image references, manifests and configs, import, list, remove, inspect */
#ifndef SBX_IMAGE_H
#define SBX_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "error.h"
#include "layer.h"

/* [REGISTRY/]NAME[:TAG][@sha256:DIGEST] */
struct image_ref {
	char *registry;	  /* "docker.io" when none was given */
	char *repo;	  /* "library/alpine" */
	char *tag;	  /* "latest" unless only a digest was given (then NULL) */
	char *digest;	  /* NULL or "sha256:..." */
	char *given_repo; /* the name as written, without registry ("alpine") */
	bool short_name;  /* no registry in the string */
};

int image_ref_parse(const char *s, struct image_ref *r, struct sbx_error **err);
char *image_ref_string(const struct image_ref *r);
void image_ref_free(struct image_ref *r);

/* An image's platform, as an index names it. */
struct image_platform {
	char os[32], arch[32], variant[32];
};

struct image_layer_desc {
	char *media_type;
	char digest[LAYER_DIGEST_LEN];
	uint64_t size;
	bool foreign; /* non-distributable: a registry may not have it */
	char **urls;  /* where a foreign layer is fetched from, or NULL */
};

struct image_manifest {
	char config[LAYER_DIGEST_LEN];
	uint64_t config_size;
	struct image_layer_desc *layers;
	size_t n_layers;
};

int image_manifest_parse(const char *json, size_t len, struct image_manifest *m, struct sbx_error **err);
void image_manifest_free(struct image_manifest *m);
int image_platform_parse(const char *s, struct image_platform *p, struct sbx_error **err);
bool image_platform_matches(const struct image_platform *have, const struct image_platform *want);
int image_index_pick(const char *json, size_t len, const struct image_platform *want,
		     char out[LAYER_DIGEST_LEN], struct sbx_error **err);

/* What `run` takes from an image config. */
struct image_config {
	struct image_platform platform; /* os, architecture, variant ("" when not given) */
	char **entrypoint;		/* NULL-terminated, or NULL */
	char **cmd;
	char **env;
	char *workdir;
	char *user;
	char **diff_ids; /* rootfs.diff_ids */
	size_t n_diff_ids;
};

int image_config_parse(const char *json, size_t len, struct image_config *c, struct sbx_error **err);
void image_config_free(struct image_config *c);

/* An image found for `run`: layer directories topmost first, and its config. */
struct image_run {
	char *name;
	char digest[LAYER_DIGEST_LEN]; /* its manifest's */
	char **lowers;
	size_t n_lowers;
	struct image_config config;
};

int image_resolve(const char *root, const char *ref, struct image_run *out, struct sbx_error **err);
void image_run_free(struct image_run *r);

int image_import(const char *root, const char *src, const char *name, char **report, struct sbx_error **err);
/*
 * A sandbox and the image it was made from: rmi never removes the image of a
 * running one; no sandbox's manifest (@digest) is garbage-collected.
 */
struct image_user {
	const char *image;
	const char *id;
	const char *digest; /* manifest digest it was made from, or NULL */
	bool running;
};

int image_remove(const char *root, char *const *refs, size_t n, bool force, const struct image_user *users,
		 size_t n_users, char **report, struct sbx_error **err);
int image_prune(const char *root, const struct image_user *users, size_t n_users, char **report,
		struct sbx_error **err);
int image_list(const char *root, bool json, char **out, struct sbx_error **err);
int image_inspect(const char *root, const char *ref, char **out, struct sbx_error **err);

#endif /* SBX_IMAGE_H */
