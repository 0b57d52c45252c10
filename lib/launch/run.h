/* SPDX-License-Identifier: GPL-2.0-or-later */
/* run.h - create, start and wait for one sandbox */
#ifndef SBX_RUN_H
#define SBX_RUN_H

#include "error.h"
#include "options.h"

int run_sandbox(struct sbx_run_opts *o, int *exit_status, struct sbx_error **err);

#endif /* SBX_RUN_H */
