/* SPDX-License-Identifier: GPL-2.0-or-later */
/* safepath.h - open and create paths inside a root without leaving it */
#ifndef SBX_SAFEPATH_H
#define SBX_SAFEPATH_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

int safepath_open(int rootfd, const char *path, int flags, struct sbx_error **err);
int safepath_open_walk(int rootfd, const char *path, int flags, struct sbx_error **err);
int safepath_mkdir_p(int rootfd, const char *path, mode_t mode, struct sbx_error **err);
int safepath_chdir(const char *path, struct sbx_error **err);
int safepath_create_file(int rootfd, const char *path, mode_t mode, struct sbx_error **err);
int safepath_resolve(int rootfd, const char *path, char **resolved, size_t *existing, struct sbx_error **err);
extern bool safepath_force_walk;

#endif /* SBX_SAFEPATH_H */
