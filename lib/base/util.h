/* SPDX-License-Identifier: GPL-2.0-or-later */
/* util.h - cleanup attributes, ownership hand-off and small file helpers */
#ifndef SBX_UTIL_H
#define SBX_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "error.h"

void util_freep(void *p);
void util_closep(int *fd);
void util_fclosep(FILE **f);
void util_strvfreep(char ***v);
void util_kill_pidp(pid_t *pid);

#define cleanup_free   __attribute__((cleanup(util_freep)))
#define cleanup_close  __attribute__((cleanup(util_closep)))
#define cleanup_fclose __attribute__((cleanup(util_fclosep)))
#define cleanup_strv   __attribute__((cleanup(util_strvfreep)))
/* kills (SIGKILL) and reaps the child unless the pid was taken */
#define cleanup_pid __attribute__((cleanup(util_kill_pidp)))

/* Hand a cleanup variable's value to someone else. */
#define steal_pointer(pp)                                                                                    \
	({                                                                                                   \
		__typeof__(*(pp)) _p = *(pp);                                                                \
		*(pp) = NULL;                                                                                \
		_p;                                                                                          \
	})
#define take_fd(pfd)                                                                                         \
	({                                                                                                   \
		int _fd = *(pfd);                                                                            \
		*(pfd) = -1;                                                                                 \
		_fd;                                                                                         \
	})
#define take_pid(ppid)                                                                                       \
	({                                                                                                   \
		pid_t _p = *(ppid);                                                                          \
		*(ppid) = 0;                                                                                 \
		_p;                                                                                          \
	})

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A growable NULL-terminated array of strings. */
struct strv {
	char **v;
	size_t n;
};
int strv_push(struct strv *s, const char *str);
int strv_push_take(struct strv *s, char *str);
void strv_clear(struct strv *s);
void strv_env_dedup(struct strv *env);
size_t strv_len(char *const *v);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

ssize_t util_write_all(int fd, const void *buf, size_t len);
ssize_t util_read_all(int fd, void *buf, size_t len);
int util_write_file_at(int dirfd, const char *path, const char *data, size_t len, int mode,
		       struct sbx_error **err);
int util_read_fd(int fd, size_t max, const char *what, char **out, size_t *len, struct sbx_error **err);
int util_read_file(const char *path, char **out, size_t *len, struct sbx_error **err);
bool util_parse_u32n(const char *s, size_t len, uint32_t max, uint32_t *out);
int util_read_small(const char *path, char *buf, size_t size);
int util_mkdir_p(const char *path, mode_t mode, struct sbx_error **err);
int util_rm_rf(const char *path, struct sbx_error **err);
int util_rm_rf_at(int dirfd, const char *name, struct sbx_error **err);
bool util_parse_uint(const char *s, unsigned long long max, unsigned long long *out);
int util_random_hex(char *out, size_t nhex);
const char *util_basename(const char *p);

#endif /* SBX_UTIL_H */
