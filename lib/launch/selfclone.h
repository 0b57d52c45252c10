/* SPDX-License-Identifier: GPL-2.0-or-later */
/* selfclone.h - run the commands that enter sandboxes from a sealed copy of the binary */
#ifndef SBX_SELFCLONE_H
#define SBX_SELFCLONE_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

bool selfclone_is_sealed(void);
int selfclone_ensure(char **argv, struct sbx_error **err);
int selfclone_ensure_via(char **argv, pid_t pid, struct sbx_error **err);

#endif /* SBX_SELFCLONE_H */
