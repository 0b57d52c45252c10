/* SPDX-License-Identifier: GPL-2.0-or-later */
/* portfwd.h - TCP and UDP -p forwards into the sandbox's network namespace */
#ifndef SBX_PORTFWD_H
#define SBX_PORTFWD_H

#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "error.h"

struct portfwd;

void portfwd_close_all_but(int *keep, size_t n);
int portfwd_factory_start(int userns, int netns, int *sock, struct sbx_error **err);
struct portfwd *portfwd_new(int factory);
int portfwd_listen(struct portfwd *pf, const struct sockaddr *host, socklen_t host_len, uint16_t guest_port,
		   bool udp, struct sbx_error **err);
void portfwd_fill(struct portfwd *pf, int (*add)(int fd, short events, void *opaque), void *opaque);
void portfwd_handle(struct portfwd *pf, short (*revents)(int idx, void *opaque), void *opaque);

#endif /* SBX_PORTFWD_H */
