// SPDX-License-Identifier: GPL-2.0-or-later
/* smoke.c - proves every static dependency links and works under musl
 *
 * Built by `make deps-smoke` with the same musl-cc, DEPS_CFLAGS and LIBS_*
 * as the sandbox binary, linked -static. Calls one function of each library
 * (and a little more where a link alone proves nothing), prints one line per
 * library, and exits non-zero on the first failure.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/capability.h>

#include <curl/curl.h>
#include <jansson.h>
#include <libslirp.h>
#include <seccomp.h>
#include <zlib.h>
#include <zstd.h>

/**
 * fail() - report a failed check
 * @what:	library and step that failed
 *
 * Return: 1, the exit status of main() on failure
 */
static int fail(const char *what)
{
	fprintf(stderr, "smoke: %s failed\n", what);
	return 1;
}

/**
 * smoke_cap() - read this process's capabilities with libcap
 *
 * Return: 0 on success, 1 on failure
 */
static int smoke_cap(void)
{
	cap_t caps = cap_get_proc();
	char *text;

	if (!caps)
		return fail("libcap cap_get_proc");
	text = cap_to_text(caps, NULL);
	if (!text) {
		cap_free(caps);
		return fail("libcap cap_to_text");
	}
	printf("libcap    caps \"%.40s\"\n", text);
	cap_free(text);
	cap_free(caps);
	return 0;
}

/**
 * smoke_seccomp() - build (but do not load) a filter with libseccomp
 *
 * Return: 0 on success, 1 on failure
 */
static int smoke_seccomp(void)
{
	const struct scmp_version *v = seccomp_version();
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);

	if (!ctx)
		return fail("libseccomp seccomp_init");
	if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(kexec_load), 0) < 0) {
		seccomp_release(ctx);
		return fail("libseccomp seccomp_rule_add");
	}
	seccomp_release(ctx);
	printf("seccomp   %u.%u.%u\n", v->major, v->minor, v->micro);
	return 0;
}

/**
 * smoke_jansson() - parse a small document with jansson
 *
 * Return: 0 on success, 1 on failure
 */
static int smoke_jansson(void)
{
	json_error_t error;
	json_t *root = json_loads("{\"schemaVersion\": 2}", 0, &error);
	json_int_t version;

	if (!root)
		return fail("jansson json_loads");
	version = json_integer_value(json_object_get(root, "schemaVersion"));
	json_decref(root);
	if (version != 2)
		return fail("jansson json_object_get");
	printf("jansson   %s\n", jansson_version_str());
	return 0;
}

/**
 * smoke_curl() - check libcurl's version and TLS backend
 *
 * Return: 0 on success, 1 on failure
 */
static int smoke_curl(void)
{
	const curl_version_info_data *info;
	CURL *curl;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return fail("curl curl_global_init");
	info = curl_version_info(CURLVERSION_NOW);
	if (!info->ssl_version || strncmp(info->ssl_version, "mbedTLS", 7) != 0 ||
	    !(info->features & CURL_VERSION_SSL))
		return fail("curl TLS backend (expected mbedTLS)");
	curl = curl_easy_init();
	if (!curl)
		return fail("curl curl_easy_init");
	curl_easy_cleanup(curl);
	curl_global_cleanup();
	printf("curl      %s\n", curl_version());
	return 0;
}

/* What image layers need is decompression: decode known frames rather than
 * round-trip, so the binary holds no compressor and its size is realistic. */
static const char smoke_text[] = "sandbox sandbox sandbox sandbox";

/**
 * smoke_zlib() - inflate a zlib stream made by `compress2(..., 9)`
 *
 * Return: 0 on success, 1 on failure
 */
static int smoke_zlib(void)
{
	static const unsigned char packed[] = {
	    0x78, 0xda, 0x2b, 0x4e, 0xcc, 0x4b, 0x49, 0xca, 0xaf, 0x50,
	    0x28, 0xc6, 0x4e, 0x03, 0x00, 0xc1, 0x63, 0x0c, 0x1d,
	};
	unsigned char out[sizeof(smoke_text)];
	uLongf out_len = sizeof(out);

	if (uncompress(out, &out_len, packed, sizeof(packed)) != Z_OK || out_len != sizeof(smoke_text) - 1 ||
	    memcmp(out, smoke_text, out_len) != 0)
		return fail("zlib uncompress");
	printf("zlib      %s\n", zlibVersion());
	return 0;
}

/**
 * smoke_zstd() - decompress a zstd frame made by `ZSTD_compress(..., 19)`
 *
 * Return: 0 on success, 1 on failure
 */
static int smoke_zstd(void)
{
	static const unsigned char packed[] = {
	    0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x1f, 0x75, 0x00, 0x00, 0x40, 0x73, 0x61,
	    0x6e, 0x64, 0x62, 0x6f, 0x78, 0x20, 0x01, 0x00, 0xeb, 0xcb, 0x05,
	};
	char out[sizeof(smoke_text)];
	size_t out_len = ZSTD_decompress(out, sizeof(out), packed, sizeof(packed));

	if (ZSTD_isError(out_len) || out_len != sizeof(smoke_text) - 1 ||
	    memcmp(out, smoke_text, out_len) != 0)
		return fail("zstd ZSTD_decompress");
	printf("zstd      %u\n", ZSTD_versionNumber());
	return 0;
}

/* libslirp callbacks: nothing is sent or timed, the instance is only created. */
static ssize_t smoke_slirp_send(const void *buf, size_t len, void *opaque)
{
	(void)buf, (void)opaque;
	return (ssize_t)len;
}

static void smoke_slirp_guest_error(const char *msg, void *opaque)
{
	(void)opaque;
	fprintf(stderr, "smoke: slirp: %s\n", msg);
}

static int64_t smoke_slirp_clock(void *opaque)
{
	(void)opaque;
	return 0;
}

static void *smoke_slirp_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
	static int timer;

	(void)cb, (void)cb_opaque, (void)opaque;
	return &timer;
}

static void smoke_slirp_timer_free(void *timer, void *opaque)
{
	(void)timer, (void)opaque;
}

static void smoke_slirp_timer_mod(void *timer, int64_t expire_time, void *opaque)
{
	(void)timer, (void)expire_time, (void)opaque;
}

static void smoke_slirp_fd(int fd, void *opaque)
{
	(void)fd, (void)opaque;
}

static void smoke_slirp_notify(void *opaque)
{
	(void)opaque;
}

/**
 * smoke_slirp() - create and destroy a libslirp instance (pulls in glib)
 *
 * Return: 0 on success, 1 on failure
 */
static int smoke_slirp(void)
{
	static const SlirpCb cb = {
	    .send_packet = smoke_slirp_send,
	    .guest_error = smoke_slirp_guest_error,
	    .clock_get_ns = smoke_slirp_clock,
	    .timer_new = smoke_slirp_timer_new,
	    .timer_free = smoke_slirp_timer_free,
	    .timer_mod = smoke_slirp_timer_mod,
	    .register_poll_fd = smoke_slirp_fd,
	    .unregister_poll_fd = smoke_slirp_fd,
	    .notify = smoke_slirp_notify,
	};
	SlirpConfig cfg = {
	    .version = 1,
	    .in_enabled = true,
	    .vnetwork.s_addr = htonl(0x0a000200), /* 10.0.2.0 */
	    .vnetmask.s_addr = htonl(0xffffff00),
	    .vhost.s_addr = htonl(0x0a000202),
	    .vdhcp_start.s_addr = htonl(0x0a00020f),
	    .vnameserver.s_addr = htonl(0x0a000203),
	};
	Slirp *slirp = slirp_new(&cfg, &cb, NULL);

	if (!slirp)
		return fail("libslirp slirp_new");
	slirp_cleanup(slirp);
	printf("slirp     %s\n", slirp_version_string());
	return 0;
}

int main(void)
{
	if (smoke_cap() || smoke_seccomp() || smoke_jansson() || smoke_curl() || smoke_zlib() ||
	    smoke_zstd() || smoke_slirp())
		return EXIT_FAILURE;
	printf("smoke: all libraries OK\n");
	return EXIT_SUCCESS;
}
