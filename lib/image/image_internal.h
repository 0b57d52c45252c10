/* SPDX-License-Identifier: GPL-2.0-or-later */
/* image_internal.h - what image.c shares with import.c and registry.c */
#ifndef SBX_IMAGE_INTERNAL_H
#define SBX_IMAGE_INTERNAL_H

#include <jansson.h>

#include "error.h"
#include "store.h"

#define MAX_JSON	   (16 << 20)
#define MT_OCI_MANIFEST	   "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX	   "application/vnd.oci.image.index.v1+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST	   "application/vnd.docker.distribution.manifest.list.v2+json"

json_t *image_parse_json(const char *json, size_t len, const char *what, struct sbx_error **err);
struct image_user;
int image_gc(struct store *s, json_t *index, const struct image_user *users, size_t n_users, int *blobs,
	     int *layers, struct sbx_error **err);

#endif /* SBX_IMAGE_INTERNAL_H */
