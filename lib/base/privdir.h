/* SPDX-License-Identifier: GPL-2.0-or-later */
/* privdir.h - directories only the caller may use: the store (ROOT) and the live state (RUNROOT) */
#ifndef SBX_PRIVDIR_H
#define SBX_PRIVDIR_H

#include <stdbool.h>

#include "error.h"

int privdir_open(const char *path, bool create, struct sbx_error **err);
int privdir_check_parents(int fd, char **canonical, const char *elsewhere, struct sbx_error **err);

#endif /* SBX_PRIVDIR_H */
