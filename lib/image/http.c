// SPDX-License-Identifier: GPL-2.0-or-later
/* http.c - HTTP(S) over libcurl: single requests with retries, parallel resumable blob downloads
 *
 * http_get() is one request (manifests, configs, tokens) into memory, tried
 * again with backoff on 5xx, 429 and dropped or timed-out connections.
 *
 * Blob downloads: http_download_start() starts a thread that drives a curl
 * multi handle with up to @parallel transfers at once. Each blob is written
 * to its own fd with pwrite() at the offset its bytes belong to; a blob whose
 * fd already holds a prefix (a download killed earlier, or a connection
 * dropped a moment ago) is asked for the rest with `Range: bytes=N-`. A 206
 * must start at N; a 200 (the server ignores ranges) starts over at 0; a 416
 * truncates and starts over. Each blob has its own list of sources (foreign
 * layer URLs, then the registry) and retries with backoff. A 401 asks the
 * caller to renew its credentials once (a token that expired mid-pull),
 * but only when it came from the registry itself: a 401 from a host a
 * redirect led to is an error (it would pick the realm the password goes to).
 * The caller's thread takes finished blobs with http_download_next() as they
 * complete (unpacking one while the others still download) and may hand
 * one back with http_download_again() (a resumed file whose digest did not
 * match: downloaded once more from scratch). The thread owns every transfer
 * and per-blob state; the mutex guards only the queue of finished blobs, the
 * first error and the terminal. On a terminal the thread draws one progress
 * bar per active transfer (redrawn in place, at most five times a second);
 * http_download_say() prints a line above them.
 */
#include "http.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "tls.h"
#include "util.h"

#define MAX_ATTEMPTS 4

static char *header_value(const char *line, size_t len, const char *name)
{
	size_t nl = strlen(name);
	const char *v;
	size_t vl;

	if (len <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return NULL;
	v = line + nl + 1;
	vl = len - nl - 1;
	while (vl && (*v == ' ' || *v == '\t'))
		v++, vl--;
	while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
		vl--;
	return strndup(v, vl);
}

/* The status code of a status line "HTTP/1.1 206 Partial Content", or -1. */
static long status_line(const char *p, size_t len)
{
	const char *sp;

	if (len < 5 || strncmp(p, "HTTP/", 5) != 0 || !(sp = memchr(p, ' ', len)))
		return -1;
	return strtol(sp + 1, NULL, 10);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Errors worth another try: the server or the path may be better soon. */
static bool transient(CURLcode cc, long code)
{
	switch (cc) {
	case CURLE_OK: return code >= 500 || code == 429 || code == 408;
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM: return true;
	default: return false;
	}
}

/* Options every request shares: redirects without credentials, timeouts, TLS. */
static void easy_setup(CURL *c, const struct http *h, const char *url, struct curl_slist *hdrs, char *ebuf)
{
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "sandbox");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
	/* a custom Authorization header never follows a redirect to another host,
	 * port or scheme (curl >= 7.83, CVE-2022-27776; 15-registry.sh tests it) */
	curl_easy_setopt(c, CURLOPT_UNRESTRICTED_AUTH, 0L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	/* no redirect from https down to plain http while TLS is checked */
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR,
			 h->tls_verify && strncmp(url, "https:", 6) == 0 ? "https" : "http,https");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (!h->tls_verify) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	} else {
		if (h->cafile)
			curl_easy_setopt(c, CURLOPT_CAINFO, h->cafile);
		if (h->capath)
			curl_easy_setopt(c, CURLOPT_CAPATH, h->capath);
		tls_curl_setup(c); /* registries reached by IP address */
	}
}

/* Scheme, host and port of @url, for same_origin(); 0 when it parses. */
static int url_origin(const char *url, char **scheme, char **host, char **port)
{
	CURLU *u = curl_url();
	int ret = -1;

	*scheme = *host = *port = NULL;
	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, port, CURLU_DEFAULT_PORT) == CURLUE_OK)
		ret = 0;
	curl_url_cleanup(u);
	return ret;
}

/**
 * same_origin() - whether the response @c ended with came from the scheme,
 *		   host and port of @url
 * @c:		a finished transfer (redirects followed)
 * @url:	the URL it was asked for
 *
 * A 401 is an invitation to send credentials to the realm it names; one from
 * a host a redirect led to (a blob's storage host) must not be accepted, or
 * that host chooses where the registry's password goes.
 *
 * Return: true when the final response came from @url's origin.
 */
static bool same_origin(CURL *c, const char *url)
{
	char *eff = NULL, *s1 = NULL, *h1 = NULL, *p1 = NULL, *s2 = NULL, *h2 = NULL, *p2 = NULL;
	bool same;

	if (curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &eff) != CURLE_OK || !eff)
		return false;
	same = url_origin(url, &s1, &h1, &p1) == 0 && url_origin(eff, &s2, &h2, &p2) == 0 &&
	       strcasecmp(s1, s2) == 0 && strcasecmp(h1, h2) == 0 && strcmp(p1, p2) == 0;
	curl_free(s1);
	curl_free(h1);
	curl_free(p1);
	curl_free(s2);
	curl_free(h2);
	curl_free(p2);
	return same;
}

/* ---- single requests --------------------------------------------------------- */

static size_t on_body(char *p, size_t sz, size_t n, void *arg)
{
	struct http_resp *rs = arg;
	size_t len = sz * n;

	if (rs->len + len > HTTP_MAX_BODY) {
		rs->overflow = true;
		return 0;
	}
	if (rs->len + len + 1 > rs->cap) {
		rs->cap = (rs->len + len + 1) * 2;
		rs->body = realloc(rs->body, rs->cap);
		if (!rs->body)
			abort();
	}
	memcpy(rs->body + rs->len, p, len);
	rs->len += len;
	rs->body[rs->len] = '\0';
	return len;
}

static size_t on_header(char *p, size_t sz, size_t n, void *arg)
{
	struct http_resp *rs = arg;
	size_t len = sz * n;
	long code = status_line(p, len);
	char *v;

	if (code >= 0) {
		/* a new response (after a redirect): its own headers */
		free(rs->www_auth);
		free(rs->ctype);
		rs->www_auth = rs->ctype = NULL;
		rs->code = code;
	}
	if ((v = header_value(p, len, "WWW-Authenticate"))) {
		free(rs->www_auth);
		rs->www_auth = v;
	} else if ((v = header_value(p, len, "Content-Type"))) {
		free(rs->ctype);
		rs->ctype = v;
	}
	return len;
}

void http_resp_reset(struct http_resp *rs)
{
	free(rs->body);
	free(rs->www_auth);
	free(rs->ctype);
	memset(rs, 0, sizeof(*rs));
}

/**
 * http_get() - GET @url into memory, with retries
 * @h:		TLS settings
 * @url:	absolute URL
 * @accept:	an "Accept: ..." header, or NULL
 * @auth:	an "Authorization: ..." header, or NULL
 * @rs:		the response (reset first; http_resp_reset() it after)
 * @err:	error out-parameter
 *
 * Any HTTP status is a success here (the caller judges it); transport
 * failures after the retries are errors, rs->curl_code tells which.
 *
 * Return: 0, or negative with *err set.
 */
int http_get(const struct http *h, const char *url, const char *accept, const char *auth,
	     struct http_resp *rs, struct sbx_error **err)
{
	for (int attempt = 0;; attempt++) {
		CURL *c = curl_easy_init();
		struct curl_slist *hl = NULL;
		char ebuf[CURL_ERROR_SIZE] = "";
		CURLcode cc;

		if (!c)
			return sbx_error_set(err, ENOMEM, "curl_easy_init");
		http_resp_reset(rs);
		if (accept)
			hl = curl_slist_append(hl, accept);
		if (auth)
			hl = curl_slist_append(hl, auth);
		hl = curl_slist_append(hl, "Docker-Distribution-API-Version: registry/2.0");
		easy_setup(c, h, url, hl, ebuf);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, rs);
		curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(c, CURLOPT_HEADERDATA, rs);
		cc = curl_easy_perform(c);
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &rs->code);
		rs->curl_code = (int)cc;
		rs->redirected_away = !same_origin(c, url);
		curl_slist_free_all(hl);
		curl_easy_cleanup(c);
		if (transient(cc, rs->code) && attempt < MAX_ATTEMPTS - 1) {
			sleep(1u << attempt);
			continue;
		}
		if (cc == CURLE_WRITE_ERROR && rs->overflow)
			return sbx_error_set(err, 0, "%s: response larger than %d MB", url,
					     HTTP_MAX_BODY >> 20);
		if (cc != CURLE_OK)
			return sbx_error_set(err, 0, "%s: %s", url, ebuf[0] ? ebuf : curl_easy_strerror(cc));
		return 0;
	}
}

/* ---- parallel blob downloads ------------------------------------------------- */

enum blob_phase { B_WAITING, B_ACTIVE, B_DONE };

/* Per blob, owned by the download thread. */
struct blob_state {
	enum blob_phase phase;
	int attempts;	  /* at the current source */
	size_t src;	  /* index into urls */
	bool renewed;	  /* credentials renewed once for it */
	uint64_t have;	  /* bytes in its fd */
	double next_try;  /* not before this (monotonic seconds) */
	bool fresh_again; /* handed back once already */
};

/* One transfer in flight. */
struct xfer {
	struct http_download *d;
	size_t i;
	CURL *c;
	struct curl_slist *hdrs;
	char ebuf[CURL_ERROR_SIZE];
	long code;	/* of the response being received */
	uint64_t start; /* the offset asked for */
	uint64_t off;	/* where the next byte goes */
	bool decided;	/* the first body byte came: 200 vs 206 handled */
	bool has_range; /* Content-Range seen */
	uint64_t range_start;
	char *www_auth;
	bool bad_range, too_big;
	int write_errno;
};

struct http_download {
	const struct http *h;
	struct http_blob *b;
	struct blob_state *bs;
	size_t n;
	unsigned parallel;
	struct http_auth_ops auth;
	CURLM *m;
	struct xfer **active; /* [parallel] */
	pthread_t thread;
	bool started;

	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* under mu */
	size_t *done, n_done, done_taken; /* finished blobs, in order */
	size_t *again, n_again;		  /* handed back by the caller */
	size_t remaining;		  /* not yet taken by the caller */
	struct sbx_error *err;		  /* the first failure */
	bool stop;
	int lines; /* progress lines on the terminal */
};

static size_t blob_header(char *p, size_t sz, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = sz * n;
	long code = status_line(p, len);
	char *v;

	if (code >= 0) {
		x->code = code;
		x->has_range = false;
		free(x->www_auth);
		x->www_auth = NULL;
	} else if ((v = header_value(p, len, "Content-Range"))) {
		unsigned long long a;

		if (sscanf(v, "bytes %llu-", &a) == 1) {
			x->has_range = true;
			x->range_start = a;
		}
		free(v);
	} else if ((v = header_value(p, len, "WWW-Authenticate"))) {
		free(x->www_auth);
		x->www_auth = v;
	}
	return len;
}

static size_t blob_body(char *p, size_t sz, size_t n, void *arg)
{
	struct xfer *x = arg;
	struct http_blob *b = &x->d->b[x->i];
	size_t len = sz * n, w = 0;

	if (x->code / 100 != 2)
		return len; /* an error page: not the blob */
	if (!x->decided) {
		x->decided = true;
		if (x->code == 206 && (!x->has_range || x->range_start != x->start)) {
			x->bad_range = true;
			return 0;
		}
		if (x->code != 206 && x->start) {
			/* the whole blob came: start over */
			if (ftruncate(b->fd, 0) < 0) {
				x->write_errno = errno;
				return 0;
			}
			x->off = 0;
			b->resumed = 0;
		}
	}
	if (b->size && x->off + len > b->size) {
		x->too_big = true;
		return 0;
	}
	while (w < len) {
		ssize_t r = pwrite(b->fd, p + w, len - w, (off_t)(x->off + w));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			x->write_errno = r < 0 ? errno : EIO;
			return 0;
		}
		w += (size_t)r;
	}
	x->off += len;
	return len;
}

static void fail(struct http_download *d, struct sbx_error *e)
{
	pthread_mutex_lock(&d->mu);
	if (!d->err)
		d->err = e;
	else
		sbx_error_free(e);
	pthread_cond_broadcast(&d->cv);
	pthread_mutex_unlock(&d->mu);
}

static void finished(struct http_download *d, size_t i)
{
	d->bs[i].phase = B_DONE;
	pthread_mutex_lock(&d->mu);
	d->done[d->n_done++] = i;
	pthread_cond_broadcast(&d->cv);
	pthread_mutex_unlock(&d->mu);
}

/* Erase the progress bars (mu held). */
static void progress_clear(struct http_download *d)
{
	if (d->lines > 0)
		fprintf(stderr, "\033[%dA\033[J", d->lines);
	d->lines = 0;
}

static void progress_draw(struct http_download *d)
{
	pthread_mutex_lock(&d->mu);
	progress_clear(d);
	for (unsigned k = 0; k < d->parallel; k++) {
		struct xfer *x = d->active[k];
		char bar[21];
		uint64_t total;
		unsigned fill = 0;

		if (!x)
			continue;
		total = d->b[x->i].size;
		if (total)
			fill = (unsigned)(20.0 * (double)x->off / (double)total);
		memset(bar, '#', fill > 20 ? 20 : fill);
		memset(bar + (fill > 20 ? 20 : fill), '.', 20 - (fill > 20 ? 20 : fill));
		bar[20] = '\0';
		fprintf(stderr, "Copying blob %.19s [%s] %6.1f / %6.1f MB\n", d->b[x->i].label, bar,
			(double)x->off / 1e6, (double)total / 1e6);
		d->lines++;
	}
	fflush(stderr);
	pthread_mutex_unlock(&d->mu);
}

static int start_xfer(struct http_download *d, size_t i, unsigned slot, struct sbx_error **err)
{
	struct http_blob *b = &d->b[i];
	struct blob_state *bs = &d->bs[i];
	struct xfer *x;
	const char *a;
	char range[64];

	if (b->size && bs->have == b->size) {
		finished(d, i); /* all there from an earlier run; the caller checks the digest */
		return 0;
	}
	x = calloc(1, sizeof(*x));
	if (!x || !(x->c = curl_easy_init())) {
		free(x);
		return sbx_error_set(err, ENOMEM, "curl_easy_init");
	}
	x->d = d;
	x->i = i;
	x->start = x->off = bs->have;
	if (b->send_auth[bs->src] && d->auth.header && (a = d->auth.header(d->auth.ctx)))
		x->hdrs = curl_slist_append(x->hdrs, a);
	if (bs->have) {
		snprintf(range, sizeof(range), "Range: bytes=%llu-", (unsigned long long)bs->have);
		x->hdrs = curl_slist_append(x->hdrs, range);
	}
	x->hdrs = curl_slist_append(x->hdrs, "Docker-Distribution-API-Version: registry/2.0");
	easy_setup(x->c, d->h, b->urls[bs->src], x->hdrs, x->ebuf);
	curl_easy_setopt(x->c, CURLOPT_WRITEFUNCTION, blob_body);
	curl_easy_setopt(x->c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->c, CURLOPT_HEADERFUNCTION, blob_header);
	curl_easy_setopt(x->c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(x->c, CURLOPT_PRIVATE, x);
	if (!x->hdrs || curl_multi_add_handle(d->m, x->c) != CURLM_OK) {
		curl_easy_cleanup(x->c);
		curl_slist_free_all(x->hdrs);
		free(x);
		return sbx_error_set(err, ENOMEM, "blob `%s`: start the download", b->label);
	}
	bs->phase = B_ACTIVE;
	d->active[slot] = x;
	return 0;
}

static void xfer_free(struct http_download *d, struct xfer *x)
{
	for (unsigned k = 0; k < d->parallel; k++)
		if (d->active[k] == x)
			d->active[k] = NULL;
	curl_multi_remove_handle(d->m, x->c);
	curl_easy_cleanup(x->c);
	curl_slist_free_all(x->hdrs);
	free(x->www_auth);
	free(x);
}

/* Start blob @i over from byte 0 (its prefix is not what the server has). */
static int restart_blob(struct http_download *d, size_t i, struct sbx_error **err)
{
	if (ftruncate(d->b[i].fd, 0) < 0)
		return sbx_error_set(err, errno, "blob `%s`: truncate the download", d->b[i].label);
	d->bs[i].have = 0;
	d->b[i].resumed = 0;
	return 0;
}

/* A transfer ended with @cc: done, again (when, from where), or failed. */
static int end_xfer(struct http_download *d, struct xfer *x, CURLcode cc, struct sbx_error **err)
{
	size_t i = x->i;
	struct http_blob *b = &d->b[i];
	struct blob_state *bs = &d->bs[i];
	const char *url = b->urls[bs->src];
	long code = 0;

	curl_easy_getinfo(x->c, CURLINFO_RESPONSE_CODE, &code);
	if (x->decided || (cc == CURLE_OK && code / 100 == 2))
		bs->have = x->off;
	bs->phase = B_WAITING;
	bs->next_try = 0;
	if (x->write_errno)
		return sbx_error_set(err, x->write_errno, "blob `%s`: write the download", b->label);
	if (x->too_big)
		return sbx_error_set(err, 0,
				     "blob `%s`: %s sends more than the %llu bytes the manifest gives",
				     b->label, url, (unsigned long long)b->size);
	if (x->bad_range || (cc == CURLE_OK && code == 416)) {
		if (++bs->attempts >= MAX_ATTEMPTS)
			return sbx_error_set(err, 0, "blob `%s`: %s answers ranges wrongly", b->label, url);
		return restart_blob(d, i, err);
	}
	if (cc == CURLE_OK && code == 206 && b->size && bs->have < b->size && x->off > x->start) {
		/* a server that sends ranges in pieces: ask for the rest */
		return 0;
	}
	if (cc == CURLE_OK && code / 100 == 2) {
		if (b->size && bs->have != b->size)
			return sbx_error_set(err, 0, "blob `%s`: %llu bytes, the manifest gives %llu",
					     b->label, (unsigned long long)bs->have,
					     (unsigned long long)b->size);
		finished(d, i);
		return 0;
	}
	if (cc == CURLE_OK && code == 401 && b->send_auth[bs->src] && d->auth.renew && !bs->renewed) {
		if (!same_origin(x->c, url))
			return sbx_error_set(err, 0,
					     "blob `%s`: %s redirected to a host that asks for credentials "
					     "(HTTP 401): they go only to the registry",
					     b->label, url);
		bs->renewed = true;
		return d->auth.renew(d->auth.ctx, x->www_auth, err);
	}
	if (transient(cc, code) && ++bs->attempts < MAX_ATTEMPTS) {
		bs->next_try = now_s() + (double)(1u << (bs->attempts - 1));
		sbx_debug("blob %s: try %d again in %us (%s)", b->label, bs->attempts + 1,
			  1u << (bs->attempts - 1), cc ? curl_easy_strerror(cc) : "HTTP error");
		return 0;
	}
	if (bs->src + 1 < b->n_urls) {
		sbx_debug("blob %s: %s failed, next source", b->label, url);
		bs->src++;
		bs->attempts = 0;
		bs->renewed = false;
		return 0;
	}
	if (cc != CURLE_OK)
		return sbx_error_set(err, 0, "blob `%s`: %s: %s", b->label, url,
				     x->ebuf[0] ? x->ebuf : curl_easy_strerror(cc));
	if (code == 404)
		return sbx_error_set(err, 0, "blob `%s`: not found at %s", b->label, url);
	if (code == 401 || code == 403)
		return sbx_error_set(err, 0, "blob `%s`: %s answers HTTP %ld (no access)", b->label, url,
				     code);
	return sbx_error_set(err, 0, "blob `%s`: %s answers HTTP %ld", b->label, url, code);
}

static void *download_thread(void *arg)
{
	struct http_download *d = arg;
	double last_draw = 0;

	for (;;) {
		struct sbx_error *e = NULL;
		unsigned n_active = 0;
		double now = now_s(), wait_until = now + 1.0;
		int running = 0, left;
		CURLMsg *msg;

		pthread_mutex_lock(&d->mu);
		bool stop = d->stop || d->err;
		size_t again[d->n_again + 1], n_again = d->n_again;
		memcpy(again, d->again, n_again * sizeof(*again));
		d->n_again = 0;
		pthread_mutex_unlock(&d->mu);
		if (stop)
			break;
		for (size_t k = 0; k < n_again; k++) {
			if (restart_blob(d, again[k], &e) < 0)
				goto failed;
			d->bs[again[k]].phase = B_WAITING;
			d->bs[again[k]].attempts = 0;
			d->bs[again[k]].next_try = 0;
		}
		for (unsigned k = 0; k < d->parallel; k++)
			n_active += d->active[k] != NULL;
		for (size_t i = 0; i < d->n && n_active < d->parallel; i++) {
			if (d->bs[i].phase != B_WAITING)
				continue;
			if (d->bs[i].next_try > now) {
				if (d->bs[i].next_try < wait_until)
					wait_until = d->bs[i].next_try;
				continue;
			}
			unsigned slot = 0;
			while (d->active[slot])
				slot++;
			if (start_xfer(d, i, slot, &e) < 0)
				goto failed;
			n_active += d->active[slot] != NULL;
		}
		if (curl_multi_perform(d->m, &running) != CURLM_OK) {
			sbx_error_set(&e, 0, "downloads: curl_multi_perform failed");
			goto failed;
		}
		while ((msg = curl_multi_info_read(d->m, &left))) {
			struct xfer *x = NULL;
			int r;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
			r = end_xfer(d, x, msg->data.result, &e);
			xfer_free(d, x);
			if (r < 0)
				goto failed;
		}
		if (d->h->tty && now - last_draw >= 0.2) {
			last_draw = now;
			progress_draw(d);
		}
		{
			int ms = (int)((wait_until - now_s()) * 1000);

			curl_multi_poll(d->m, NULL, 0, ms < 1 ? 1 : ms > 200 ? 200 : ms, NULL);
		}
		continue;
	failed:
		fail(d, e);
		break;
	}
	for (unsigned k = 0; k < d->parallel; k++)
		if (d->active[k])
			xfer_free(d, d->active[k]);
	if (d->h->tty) {
		pthread_mutex_lock(&d->mu);
		progress_clear(d);
		pthread_mutex_unlock(&d->mu);
	}
	return NULL;
}

/**
 * http_download_start() - download @n blobs, @parallel at a time, in a thread
 * @h:		TLS settings (and whether to draw progress bars)
 * @blobs:	what to download; each fd may hold a prefix of its blob, which
 *		is kept and completed with a Range request
 * @n:		how many
 * @parallel:	transfers at once
 * @auth:	the registry's credentials (may be NULL)
 * @out:	the download, for http_download_next() and http_download_end()
 * @err:	error out-parameter
 *
 * Return: 0, or negative with *err set.
 */
int http_download_start(const struct http *h, struct http_blob *blobs, size_t n, unsigned parallel,
			const struct http_auth_ops *auth, struct http_download **out, struct sbx_error **err)
{
	struct http_download *d = xmalloc(sizeof(*d));
	int r;

	memset(d, 0, sizeof(*d));
	d->h = h;
	d->b = blobs;
	d->n = d->remaining = n;
	d->parallel = parallel ? parallel : 1;
	if (auth)
		d->auth = *auth;
	d->bs = xmalloc((n + 1) * sizeof(*d->bs));
	memset(d->bs, 0, (n + 1) * sizeof(*d->bs));
	d->done = xmalloc(2 * (n + 1) * sizeof(*d->done));
	d->again = xmalloc((n + 1) * sizeof(*d->again));
	d->active = xmalloc(d->parallel * sizeof(*d->active));
	memset(d->active, 0, d->parallel * sizeof(*d->active));
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->cv, NULL);
	for (size_t i = 0; i < n; i++) {
		struct stat st;

		if (fstat(blobs[i].fd, &st) < 0) {
			sbx_error_set(err, errno, "blob `%s`: the download file", blobs[i].label);
			goto fail;
		}
		d->bs[i].have = (uint64_t)st.st_size;
		if (blobs[i].size && d->bs[i].have > blobs[i].size && restart_blob(d, i, err) < 0)
			goto fail;
		blobs[i].resumed = d->bs[i].have;
	}
	d->m = curl_multi_init();
	if (!d->m) {
		sbx_error_set(err, ENOMEM, "curl_multi_init");
		goto fail;
	}
	{
		pthread_attr_t attr;

		/* room for the token renewal's HTTP and JSON (musl's default is 128 KiB) */
		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, 1 << 20);
		r = pthread_create(&d->thread, &attr, download_thread, d);
		pthread_attr_destroy(&attr);
	}
	if (r != 0) {
		sbx_error_set(err, r, "start the download thread");
		goto fail;
	}
	d->started = true;
	*out = d;
	return 0;
fail:
	http_download_end(d);
	return -1;
}

/**
 * http_download_next() - wait for the next finished blob
 * @d:		the download
 * @i:		its index in the array given to http_download_start()
 * @err:	error out-parameter (the first failed blob, after its retries)
 *
 * Return: 1 with *@i set, 0 when every blob was handed out, negative with
 * *err set.
 */
int http_download_next(struct http_download *d, size_t *i, struct sbx_error **err)
{
	int ret;

	pthread_mutex_lock(&d->mu);
	while (!d->err && d->done_taken == d->n_done && d->remaining)
		pthread_cond_wait(&d->cv, &d->mu);
	if (d->err) {
		*err = d->err;
		d->err = NULL;
		d->stop = true;
		ret = -1;
	} else if (d->done_taken < d->n_done) {
		*i = d->done[d->done_taken++];
		d->remaining--;
		ret = 1;
	} else {
		ret = 0;
	}
	pthread_mutex_unlock(&d->mu);
	return ret;
}

/**
 * http_download_again() - download blob @i once more, from its first byte
 * @d:		the download
 * @i:		a blob http_download_next() handed out
 *
 * For a blob that was completed from an earlier run's prefix and does not
 * hash to its digest. Once per blob.
 *
 * Return: true when it is downloaded again, false when it was already.
 */
bool http_download_again(struct http_download *d, size_t i)
{
	bool ok;

	pthread_mutex_lock(&d->mu);
	ok = !d->bs[i].fresh_again;
	if (ok) {
		d->bs[i].fresh_again = true;
		d->again[d->n_again++] = i;
		d->remaining++;
	}
	pthread_mutex_unlock(&d->mu);
	if (ok)
		curl_multi_wakeup(d->m);
	return ok;
}

/**
 * http_download_say() - print a line to stderr above the progress bars
 * @d:		the download
 * @fmt:	printf format
 */
void http_download_say(struct http_download *d, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&d->mu);
	progress_clear(d);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
	pthread_mutex_unlock(&d->mu);
}

/**
 * http_download_end() - stop what is still running and free @d
 * @d:		the download (may be NULL)
 */
void http_download_end(struct http_download *d)
{
	if (!d)
		return;
	if (d->started) {
		pthread_mutex_lock(&d->mu);
		d->stop = true;
		pthread_mutex_unlock(&d->mu);
		curl_multi_wakeup(d->m);
		pthread_join(d->thread, NULL);
	}
	if (d->m)
		curl_multi_cleanup(d->m);
	sbx_error_free(d->err);
	pthread_mutex_destroy(&d->mu);
	pthread_cond_destroy(&d->cv);
	free(d->bs);
	free(d->done);
	free(d->again);
	free(d->active);
	free(d);
}
