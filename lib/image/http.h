/* SPDX-License-Identifier: GPL-2.0-or-later */
/* http.h - HTTP(S) over libcurl: single requests with retries, parallel resumable blob downloads */
#ifndef SBX_HTTP_H
#define SBX_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* TLS settings shared by every request to one registry. */
struct http {
	bool tls_verify;
	bool tty; /* stderr is a terminal: progress bars */
	char *cafile, *capath;
};

struct http_resp {
	long code;     /* of the last response (after redirects) */
	int curl_code; /* CURLcode of the transfer */
	char *body;    /* NUL-terminated */
	size_t len, cap;
	bool overflow;	      /* larger than HTTP_MAX_BODY */
	char *www_auth;	      /* WWW-Authenticate of the last response */
	char *ctype;	      /* Content-Type of the last response */
	bool redirected_away; /* the last response came from another scheme, host or port */
};

#define HTTP_MAX_BODY (16 << 20)

int http_get(const struct http *h, const char *url, const char *accept, const char *auth,
	     struct http_resp *rs, struct sbx_error **err);
void http_resp_reset(struct http_resp *rs);

/* ---- parallel blob downloads ---- */

#define HTTP_MAX_URLS 4

struct http_blob {
	const char *label;		 /* the digest, for progress and messages */
	const char *urls[HTTP_MAX_URLS]; /* sources, tried in this order */
	bool send_auth[HTTP_MAX_URLS];	 /* send the registry's Authorization to urls[i] */
	size_t n_urls;
	uint64_t size;	  /* from the descriptor; 0 when unknown */
	int fd;		  /* the bytes go here; may hold a prefix (resumed) */
	uint64_t resumed; /* out: bytes from an earlier run that were kept */
};

struct http_auth_ops {
	/* the "Authorization: ..." header to send now, or NULL */
	const char *(*header)(void *ctx);
	/* a 401 came with @challenge: renew the credentials */
	int (*renew)(void *ctx, const char *challenge, struct sbx_error **err);
	void *ctx;
};

struct http_download;

int http_download_start(const struct http *h, struct http_blob *blobs, size_t n, unsigned parallel,
			const struct http_auth_ops *auth, struct http_download **out, struct sbx_error **err);
int http_download_next(struct http_download *d, size_t *i, struct sbx_error **err);
bool http_download_again(struct http_download *d, size_t i);
void http_download_say(struct http_download *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void http_download_end(struct http_download *d);

#endif /* SBX_HTTP_H */
