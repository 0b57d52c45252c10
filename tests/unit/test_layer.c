// SPDX-License-Identifier: GPL-2.0-or-later
/* test_layer.c - tar reader, decompression, unpacking inside a root, many overlay lowers */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "layer.h"
#include "overlay.h"
#include "util.h"

/* ---- a small tar writer -------------------------------------------------- */

struct tarbuf {
	uint8_t *p;
	size_t len;
};

static void put(struct tarbuf *t, const void *d, size_t n)
{
	t->p = realloc(t->p, t->len + n + 512);
	memcpy(t->p + t->len, d, n);
	t->len += n;
	if (n % 512) {
		memset(t->p + t->len, 0, 512 - n % 512);
		t->len += 512 - n % 512;
	}
}

static void header(struct tarbuf *t, const char *name, char type, unsigned mode, unsigned uid, size_t size,
		   const char *link)
{
	unsigned char h[512] = {0};
	unsigned sum = 0;

	snprintf((char *)h, 100, "%s", name);
	snprintf((char *)h + 100, 8, "%07o", mode);
	snprintf((char *)h + 108, 8, "%07o", uid);
	snprintf((char *)h + 116, 8, "%07o", uid);
	snprintf((char *)h + 124, 12, "%011zo", size);
	snprintf((char *)h + 136, 12, "%011o", 1700000000u);
	h[156] = (unsigned char)type;
	if (link)
		snprintf((char *)h + 157, 100, "%s", link);
	memcpy(h + 257,
	       "ustar\0"
	       "00",
	       8);
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	put(t, h, 512);
}

static void file(struct tarbuf *t, const char *name, const char *data, unsigned mode)
{
	header(t, name, '0', mode, 0, strlen(data), NULL);
	if (*data)
		put(t, data, strlen(data));
}

static void pax(struct tarbuf *t, const char *key, const char *val)
{
	char rec[1200];
	size_t n = strlen(key) + strlen(val) + 3, d = 1;

	while (snprintf(NULL, 0, "%zu", n + d) > (int)d)
		d++;
	snprintf(rec, sizeof(rec), "%zu %s=%s\n", n + d, key, val);
	header(t, "PaxHeader", 'x', 0644, 0, strlen(rec), NULL);
	put(t, rec, strlen(rec));
}

static void gnu_long(struct tarbuf *t, const char *name)
{
	header(t, "././@LongLink", 'L', 0644, 0, strlen(name) + 1, NULL);
	put(t, name, strlen(name) + 1);
}

static void end(struct tarbuf *t)
{
	uint8_t z[1024] = {0};

	put(t, z, sizeof(z));
}

/* ---- fixture ------------------------------------------------------------- */

struct fixture {
	char dir[64];
	char root[96];
	char outside[96];
	int rootfd;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	strcpy(f->dir, "/tmp/sbx-layerXXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->root, sizeof(f->root), "%s/root", f->dir);
	snprintf(f->outside, sizeof(f->outside), "%s/outside", f->dir);
	if (mkdir(f->root, 0755) || mkdir(f->outside, 0755))
		return -1;
	f->rootfd = open(f->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	*state = f;
	return f->rootfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	close(f->rootfd);
	util_rm_rf(f->dir, NULL);
	free(f);
	return 0;
}

static int unpack_mem(struct fixture *f, const uint8_t *p, size_t len, bool whiteouts, char *digest,
		      struct sbx_error **err)
{
	struct layer_unpack_opts o = {.owners = false, .whiteouts = whiteouts};
	struct layer_unpack_stats st;
	struct layer_stream s;
	int r;

	r = layer_stream_open(&s, -1, p, len, err);
	if (r == 0)
		r = layer_unpack(&s, f->rootfd, &o, &st, err);
	if (digest)
		layer_stream_digest(&s, digest);
	layer_stream_close(&s);
	return r;
}

static char *slurp(struct fixture *f, const char *rel)
{
	char p[PATH_MAX];
	char *out = NULL;

	snprintf(p, sizeof(p), "%s/%s", f->root, rel);
	if (util_read_file(p, &out, NULL, NULL) < 0)
		return NULL;
	return out;
}

/* ---- tests ----------------------------------------------------------------- */

static void test_clean_path(void **state)
{
	static const char *const cases[][2] = {
	    {"a/b", "a/b"},   {"./a//b/", "a/b"}, {"/etc/passwd", "etc/passwd"},
	    {"../../x", "x"}, {"a/../../b", "b"}, {"a/./b/../c", "a/c"},
	    {"./", ""},	      {"..", ""},	  {"/../..//.", ""},
	};
	char out[PATH_MAX];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		layer_clean_path(cases[i][0], out, sizeof(out));
		assert_string_equal(out, cases[i][1]);
	}
	assert_true(layer_clean_path("abcdef", out, 4) == (size_t)-1);
}

static void test_ustar_basic(void **state)
{
	struct fixture *f = *state;
	cleanup_error struct sbx_error *err = NULL;
	struct tarbuf t = {0};
	struct stat a, b;
	char p[PATH_MAX], link[64];
	char *s;

	header(&t, "./dir/", '5', 0750, 0, 0, NULL);
	file(&t, "dir/file", "hello\n", 04755);
	header(&t, "dir/hard", '1', 0644, 0, 0, "dir/file");
	header(&t, "dir/sym", '2', 0777, 0, 0, "/etc/passwd");
	file(&t, "implicit/parent/f", "p\n", 0600);
	header(&t, "dev/null", '3', 0666, 0, 0, NULL);
	end(&t);
	assert_int_equal(unpack_mem(f, t.p, t.len, true, NULL, &err), 0);
	s = slurp(f, "dir/file");
	assert_non_null(s);
	assert_string_equal(s, "hello\n");
	free(s);
	snprintf(p, sizeof(p), "%s/dir/file", f->root);
	assert_int_equal(stat(p, &a), 0);
	assert_int_equal(a.st_mode & 07777, 04755);
	snprintf(p, sizeof(p), "%s/dir/hard", f->root);
	assert_int_equal(stat(p, &b), 0);
	assert_true(a.st_ino == b.st_ino);
	snprintf(p, sizeof(p), "%s/dir/sym", f->root);
	assert_int_equal(readlink(p, link, sizeof(link)), 11);
	assert_memory_equal(link, "/etc/passwd", 11);
	snprintf(p, sizeof(p), "%s/dir", f->root);
	assert_int_equal(stat(p, &a), 0);
	assert_int_equal(a.st_mode & 07777, 0750);
	s = slurp(f, "implicit/parent/f");
	assert_non_null(s);
	free(s);
	snprintf(p, sizeof(p), "%s/dev/null", f->root);
	assert_int_equal(lstat(p, &a), -1); /* device nodes are skipped */
	free(t.p);
}

static void test_long_names(void **state)
{
	struct fixture *f = *state;
	cleanup_error struct sbx_error *err = NULL;
	struct tarbuf t = {0};
	char name[300], gname[300], p[PATH_MAX], val[16];
	char *s;

	memset(name, 'p', 220);
	memcpy(name, "d/", 2);
	name[220] = '\0';
	memset(gname, 'g', 180);
	memcpy(gname, "d/", 2);
	gname[180] = '\0';
	header(&t, "d", '5', 0755, 0, 0, NULL);
	pax(&t, "path", name);
	file(&t, "ignored-short-name", "pax\n", 0644);
	pax(&t, "SCHILY.xattr.user.test", "xval");
	file(&t, "d/xattr", "x\n", 0644);
	gnu_long(&t, gname);
	file(&t, "ignored-gnu", "gnu\n", 0644);
	end(&t);
	assert_int_equal(unpack_mem(f, t.p, t.len, true, NULL, &err), 0);
	s = slurp(f, name);
	assert_non_null(s);
	assert_string_equal(s, "pax\n");
	free(s);
	s = slurp(f, gname);
	assert_non_null(s);
	assert_string_equal(s, "gnu\n");
	free(s);
	s = slurp(f, "ignored-short-name");
	assert_null(s);
	snprintf(p, sizeof(p), "%s/d/xattr", f->root);
	if (getxattr(p, "user.test", val, sizeof(val)) >= 0)
		assert_memory_equal(val, "xval", 4);
	else
		assert_true(errno == ENOTSUP || errno == ENODATA); /* fs without user xattrs */
	free(t.p);
}

static void test_compressions_same_diff_id(void **state)
{
	struct fixture *f = *state;
	cleanup_error struct sbx_error *err = NULL;
	struct tarbuf t = {0};
	char d1[LAYER_DIGEST_LEN], d2[LAYER_DIGEST_LEN], d3[LAYER_DIGEST_LEN];
	uint8_t gz[8192], *zs;
	z_stream z = {0};
	size_t zl;

	file(&t, "a", "compress me compress me compress me\n", 0644);
	end(&t);
	assert_int_equal(unpack_mem(f, t.p, t.len, true, d1, &err), 0);
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = t.p;
	z.avail_in = (uInt)t.len;
	z.next_out = gz;
	z.avail_out = sizeof(gz);
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	deflateEnd(&z);
	assert_int_equal(unpack_mem(f, gz, z.total_out, true, d2, &err), 0);
	assert_string_equal(d1, d2);
	zs = malloc(ZSTD_compressBound(t.len));
	zl = ZSTD_compress(zs, ZSTD_compressBound(t.len), t.p, t.len, 3);
	assert_false(ZSTD_isError(zl));
	assert_int_equal(unpack_mem(f, zs, zl, true, d3, &err), 0);
	assert_string_equal(d1, d3);
	/* truncated compressed streams are errors, not short layers */
	assert_int_equal(unpack_mem(f, gz, z.total_out / 2, true, NULL, &err), -1);
	assert_non_null(strstr(err->msg, "truncated"));
	sbx_error_free(err);
	err = NULL;
	assert_int_equal(unpack_mem(f, zs, zl - 3, true, NULL, &err), -1);
	assert_non_null(strstr(err->msg, "truncated"));
	free(zs);
	free(t.p);
}

static void test_broken_tars(void **state)
{
	struct fixture *f = *state;
	struct tarbuf t = {0};

	file(&t, "a", "0123456789abcdef", 0644);
	end(&t);
	{
		cleanup_error struct sbx_error *err = NULL;

		/* cut inside the content */
		assert_int_equal(unpack_mem(f, t.p, 512 + 8, true, NULL, &err), -1);
		assert_non_null(strstr(err->msg, "truncated"));
	}
	{
		cleanup_error struct sbx_error *err = NULL;

		t.p[0] ^= 1; /* checksum no longer matches */
		assert_int_equal(unpack_mem(f, t.p, t.len, true, NULL, &err), -1);
		assert_non_null(strstr(err->msg, "checksum"));
	}
	free(t.p);
}

/* Nothing is ever written outside the root, whatever the names say. */
static void test_hostile(void **state)
{
	struct fixture *f = *state;
	char rel[PATH_MAX], p[PATH_MAX], secret[PATH_MAX / 2];
	struct tarbuf t = {0};
	struct stat st;

	snprintf(secret, sizeof(secret), "%s/secret", f->outside);
	close(open(secret, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
	snprintf(rel, sizeof(rel), "../../../../../../..%s/dotdot", f->outside);
	file(&t, rel, "x", 0644);
	snprintf(rel, sizeof(rel), "%s/absolute", f->outside);
	file(&t, rel, "x", 0644);
	header(&t, "evil", '2', 0777, 0, 0, "../outside");
	file(&t, "evil/through", "x", 0644);
	header(&t, "up", '2', 0777, 0, 0, "../../../../../../..");
	snprintf(rel, sizeof(rel), "up%s/up", f->outside);
	file(&t, rel, "x", 0644);
	end(&t);
	{
		cleanup_error struct sbx_error *err = NULL;

		unpack_mem(f, t.p, t.len, true, NULL, &err);
	}
	free(t.p);
	memset(&t, 0, sizeof(t));
	snprintf(rel, sizeof(rel), "../../../../../..%s", secret);
	header(&t, "hl", '1', 0644, 0, 0, rel);
	end(&t);
	{
		cleanup_error struct sbx_error *err = NULL;

		assert_int_equal(unpack_mem(f, t.p, t.len, true, NULL, &err), -1);
	}
	free(t.p);
	memset(&t, 0, sizeof(t));
	header(&t, "sub", '5', 0755, 0, 0, NULL);
	file(&t, "sub/.wh..", "", 0644);
	end(&t);
	{
		cleanup_error struct sbx_error *err = NULL;

		assert_int_equal(unpack_mem(f, t.p, t.len, true, NULL, &err), -1);
		assert_non_null(strstr(err->msg, "not a file name"));
	}
	free(t.p);
	assert_int_equal(stat(secret, &st), 0);
	assert_int_equal(st.st_nlink, 1);
	for (const char *n = "dotdot\0absolute\0through\0up\0"; *n; n += strlen(n) + 1) {
		snprintf(p, sizeof(p), "%s/%s", f->outside, n);
		assert_int_equal(lstat(p, &st), -1);
	}
	snprintf(p, sizeof(p), "%s/sub", f->root);
	assert_int_equal(lstat(p, &st), 0);
}

/* In a user namespace (as the store's writer is): whiteouts and opaque dirs. */
static void test_whiteouts_in_userns(void **state)
{
	struct fixture *f = *state;
	pid_t pid;
	int status;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		cleanup_error struct sbx_error *err = NULL;
		char map[64];
		uid_t uid = getuid();
		gid_t gid = getgid();
		struct tarbuf t = {0};
		struct stat st;
		char p[PATH_MAX], v[4];

		if (unshare(CLONE_NEWUSER) < 0)
			_exit(77);
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
		util_write_file_at(AT_FDCWD, "/proc/self/uid_map", map, strlen(map), 0, NULL);
		util_write_file_at(AT_FDCWD, "/proc/self/setgroups", "deny", 4, 0, NULL);
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
		util_write_file_at(AT_FDCWD, "/proc/self/gid_map", map, strlen(map), 0, NULL);
		file(&t, "d/gone", "x", 0644);
		file(&t, "d/.wh.gone", "", 0644);
		file(&t, "d/.wh..wh..opq", "", 0644);
		end(&t);
		if (unpack_mem(f, t.p, t.len, true, NULL, &err) < 0) {
			if (err->errnum == EPERM || err->errnum == ENOTSUP)
				_exit(77); /* no whiteouts or user xattrs on this /tmp */
			fprintf(stderr, "%s\n", err->msg);
			_exit(1);
		}
		snprintf(p, sizeof(p), "%s/d/gone", f->root);
		if (lstat(p, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(0, 0))
			_exit(2);
		snprintf(p, sizeof(p), "%s/d", f->root);
		if (getxattr(p, "user.overlay.opaque", v, sizeof(v)) != 1 || v[0] != 'y')
			_exit(3);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* 128 lowers: lowerdir+ (Linux >= 6.8) and the joined string of older
 * kernels with /proc/self/fd names. */
static void test_overlay_128_lowers(void **state)
{
	struct fixture *f = *state;
	pid_t pid;
	int status;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *lowers[128];
		char map[64];
		uid_t uid = getuid();
		gid_t gid = getgid();

		for (int i = 0; i < 128; i++) {
			char p[PATH_MAX];

			lowers[i] = xasprintf(
			    "%s/root/layer-with-a-rather-long-name-like-a-sha256-digest-%03d", f->dir, i);
			mkdir(lowers[i], 0755);
			snprintf(p, sizeof(p), "%s/f%03d", lowers[i], i);
			close(open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
		}
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
			_exit(77);
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
		util_write_file_at(AT_FDCWD, "/proc/self/uid_map", map, strlen(map), 0, NULL);
		util_write_file_at(AT_FDCWD, "/proc/self/setgroups", "deny", 4, 0, NULL);
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
		util_write_file_at(AT_FDCWD, "/proc/self/gid_map", map, strlen(map), 0, NULL);
		for (int mode = 0; mode < 2; mode++) {
			cleanup_error struct sbx_error *err = NULL;
			struct overlay_layers l = {.lowers = lowers, .n_lowers = 128};
			int fd;

			overlay_force_joined_lowers = mode == 1;
			if (overlay_mount_fd(&l, &fd, &err) < 0) {
				if (err->errnum == EPERM || err->errnum == ENODEV)
					_exit(77);
				/* a kernel >= 6.8 may refuse the joined form (see overlay.c) */
				if (mode == 1)
					continue;
				fprintf(stderr, "mode %d: %s\n", mode, err->msg);
				_exit(1);
			}
			if (faccessat(fd, "f000", F_OK, 0) < 0 || faccessat(fd, "f127", F_OK, 0) < 0)
				_exit(2);
			close(fd);
		}
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_clean_path),
	    cmocka_unit_test_setup_teardown(test_ustar_basic, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_long_names, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_compressions_same_diff_id, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_broken_tars, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_whiteouts_in_userns, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_overlay_128_lowers, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
