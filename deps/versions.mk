# SPDX-License-Identifier: GPL-2.0-or-later
# versions.mk - the one place where the static dependencies are pinned
#
# Each library is a Debian bookworm source package: <KEY>_SRC is its source
# name, <KEY>_VERSION the exact version and <KEY>_DSC_SHA256 the sha256 of its
# .dsc file. The .dsc lists the sha256 of every tarball, so pinning it pins
# the whole source; deps/build.sh checks both. Only plain `NAME := value`
# lines: deps/build.sh parses this file itself, the Makefile includes it.
# Keep this file free of rules (it is included before the default goal).
#
# To bump a package: `apt-cache showsrc SRC` for the new version, run
# `apt-get source --download-only SRC=VERSION` in a scratch directory,
# `sha256sum SRC_*.dsc`, edit the three lines, run deps/build.sh.

# Build order (a library comes after those it depends on).
DEPS_PACKAGES := zlib zstd ffi pcre2 glib slirp cap seccomp mbedtls curl jansson

ZLIB_SRC := zlib
ZLIB_VERSION := 1:1.2.13.dfsg-1
ZLIB_DSC_SHA256 := 3fa1e6b2fc525062aa88207dda52fed8e045373c809d362fe8a2bfbf7cf515a8

ZSTD_SRC := libzstd
ZSTD_VERSION := 1.5.4+dfsg2-5
ZSTD_DSC_SHA256 := 8f602f92b575aa8b5e979196fb6ee82d78f233521dc9636526d3ecba1f63c1b1

# libffi and pcre2 are only there because glib's build insists on them
# (gobject, GRegex); neither ends up in the sandbox binary.
FFI_SRC := libffi
FFI_VERSION := 3.4.4-1
FFI_DSC_SHA256 := 21c9ef156b6766535cb014e0765142c8104ffbcd73f003ecfa80cfb314baa4f0

# 10.42-1+deb12u2 is listed by bookworm-security but its files are not on the
# archive (404 on the .dsc), so the bookworm release is pinned.
PCRE2_SRC := pcre2
PCRE2_VERSION := 10.42-1
PCRE2_DSC_SHA256 := 726dafe7a8d07332d4df61edf23f384ddb158b2b263846273d1103b6b9a7c176

GLIB_SRC := glib2.0
GLIB_VERSION := 2.74.6-2+deb12u9
GLIB_DSC_SHA256 := bd8e8cd8d251c2365a02258bf4d6c44721289ac44c3a2477c140ce253bdb4b41

SLIRP_SRC := libslirp
SLIRP_VERSION := 4.7.0-1
SLIRP_DSC_SHA256 := 18803d3341ed2b4b5ca7974ddfcfd23c5a6196a817f05a9fca0aa269e136fafd

CAP_SRC := libcap2
CAP_VERSION := 1:2.66-4+deb12u3
CAP_DSC_SHA256 := 56b6fa8db84a0e80b48522cbcafb0353282a7dbb5605c81b021e0862b120d1c9

SECCOMP_SRC := libseccomp
SECCOMP_VERSION := 2.5.4-1+deb12u1
SECCOMP_DSC_SHA256 := 0ab1448c7206ee928f97a24d04300cfd3bb26babb4238c82fb71f507b5148595

# mbedTLS 2.28.3 in bookworm carries no security patches (upstream fixed
# CVE-2023-43615, CVE-2024-23170, CVE-2024-23775, CVE-2024-28960 and
# CVE-2025-27809/27810 in 2.28.5..2.28.10): revisit before a release.
MBEDTLS_SRC := mbedtls
MBEDTLS_VERSION := 2.28.3-1
MBEDTLS_DSC_SHA256 := a8bf91b5ffb40654efb0ebe0c962ac1e87b8eed5e104880982eaa70dd4bb33e3

CURL_SRC := curl
CURL_VERSION := 7.88.1-10+deb12u15
CURL_DSC_SHA256 := 2744f12e3aef161c0361743fa1b318296b122e566e47f381e4a63320fbcc23f4

JANSSON_SRC := jansson
JANSSON_VERSION := 2.14-2
JANSSON_DSC_SHA256 := 6296ddd9c0a022bd1b70074aefb171cfcdf5694a04ffd32b35fd66097621af87
