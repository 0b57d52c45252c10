# SPDX-License-Identifier: GPL-2.0-or-later
# deps.mk - static musl dependencies: compiler, flags, link lines and targets
#
# Included by the top-level Makefile, run from the repository root. Objects
# and the binary should depend on $(DEPS_STAMP) (it changes only when a
# library is rebuilt), compile with $(MUSL_CC) $(DEPS_CFLAGS) and link
# -static with the LIBS_* they use; each LIBS_* is complete and in static
# link order (a library before what it needs). The libraries are built with
# -ffunction-sections -fdata-sections: link with -Wl,--gc-sections.
#
# This file defines no default goal: the including Makefile's stays.

DEPS_DEFAULT_GOAL_SAVED := $(.DEFAULT_GOAL)

DEPS_PREFIX := $(abspath build/deps)
DEPS_LIBDIR := $(DEPS_PREFIX)/lib
MUSL_CC := $(DEPS_PREFIX)/bin/musl-cc
DEPS_STAMP := $(DEPS_PREFIX)/.stamp-all

# The headers compile clean under the project's -Werror warning set (checked
# by deps-smoke). libslirp.h 4.7 needs no glib header; glib's dirs are there
# for code that includes <glib.h> alongside it.
DEPS_CFLAGS := -I$(DEPS_PREFIX)/include \
	-I$(DEPS_PREFIX)/include/slirp \
	-I$(DEPS_PREFIX)/include/glib-2.0 \
	-I$(DEPS_LIBDIR)/glib-2.0/include

LIBS_ZLIB := $(DEPS_LIBDIR)/libz.a
LIBS_ZSTD := $(DEPS_LIBDIR)/libzstd.a
LIBS_CAP := $(DEPS_LIBDIR)/libcap.a
LIBS_SECCOMP := $(DEPS_LIBDIR)/libseccomp.a
LIBS_JANSSON := $(DEPS_LIBDIR)/libjansson.a
# glib's GRegex needs pcre2; libslirp does not use it, so the linker drops it.
# iconv, intl, pthread and libm are all in musl's libc.
LIBS_SLIRP := $(DEPS_LIBDIR)/libslirp.a $(DEPS_LIBDIR)/libglib-2.0.a $(DEPS_LIBDIR)/libpcre2-8.a
LIBS_CURL := $(DEPS_LIBDIR)/libcurl.a $(DEPS_LIBDIR)/libmbedtls.a \
	$(DEPS_LIBDIR)/libmbedx509.a $(DEPS_LIBDIR)/libmbedcrypto.a $(LIBS_ZLIB)
# Everything, in a valid order.
DEPS_LIBS := $(LIBS_SLIRP) $(LIBS_CURL) $(LIBS_JANSSON) $(LIBS_SECCOMP) $(LIBS_CAP) $(LIBS_ZSTD)

# deps/build.sh keeps per-package stamps: when only one version or recipe
# changed, only that package (and what builds on it) is rebuilt.
$(DEPS_STAMP): deps/versions.mk deps/build.sh
	bash deps/build.sh

.PHONY: deps deps-clean deps-smoke
deps: $(DEPS_STAMP)

deps-clean:
	rm -rf $(DEPS_PREFIX)

# Same compiler flags as the project (warnings included), linked -static.
DEPS_SMOKE := $(DEPS_PREFIX)/smoke
DEPS_SMOKE_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Wshadow \
	-Wmissing-prototypes -Wformat=2 -ffunction-sections -fdata-sections

$(DEPS_SMOKE): deps/smoke.c $(DEPS_STAMP)
	$(MUSL_CC) $(DEPS_SMOKE_CFLAGS) $(DEPS_CFLAGS) -static -Wl,--gc-sections \
		-o $@ deps/smoke.c $(DEPS_LIBS)

deps-smoke: $(DEPS_SMOKE)
	$(DEPS_SMOKE)
	@f=$$(file $(DEPS_SMOKE)) && echo "$$f" && case "$$f" in \
		*"statically linked"*) ;; *) echo "deps-smoke: not static" >&2; exit 1 ;; esac
	@strip -o $(DEPS_SMOKE).stripped $(DEPS_SMOKE)
	@echo "deps-smoke: $$(stat -c %s $(DEPS_SMOKE).stripped) bytes stripped" \
		"($$(stat -c %s $(DEPS_SMOKE)) unstripped)"

.DEFAULT_GOAL := $(DEPS_DEFAULT_GOAL_SAVED)
