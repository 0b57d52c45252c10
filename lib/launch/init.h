/* SPDX-License-Identifier: GPL-2.0-or-later */
/* init.h - the minimal init that runs as PID 1 inside a sandbox
 *
 * Call order (see the theory of operation at the top of init.c):
 *
 *   supervisor, before clone:  supervise_block_signals(&sup_saved);
 *   child (PID 1), first:      init_set_parent_death(0);  (new PID namespace)
 *   PID 1, after the mounts:   init_prepare_signals(&unused);
 *                              cmd = fork();
 *   command (PID 2):           init_restore_signals(&sup_saved); execve(...);
 *   PID 1:                     close what it does not need; init_run(cmd);
 *
 * With --init=false PID 1 calls init_restore_signals(&sup_saved) and execs
 * the command itself.
 */
#ifndef SBX_INIT_H
#define SBX_INIT_H

#include <signal.h>
#include <sys/types.h>

int init_exit_status(int wstatus);
void init_prepare_signals(sigset_t *saved);
void init_restore_signals(const sigset_t *saved);
void init_set_parent_death(pid_t expected_ppid);
_Noreturn void init_run(pid_t cmd);

#endif /* SBX_INIT_H */
