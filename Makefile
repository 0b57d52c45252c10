# SPDX-License-Identifier: GPL-2.0-or-later
# Makefile - static musl build of sandbox, tests, sanitizers, fuzzing, benchmarks

include deps/deps.mk

VERSION ?= 0.1.0
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/vendor-completions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
DESTDIR ?=

WARN := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wformat=2
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) -DSBX_VERSION='"$(VERSION)"'
HARDEN := -D_FORTIFY_SOURCE=2 -fstack-protector-strong
OPT := -O2 -ffunction-sections -fdata-sections

# lib/ is the library, a folder per layer; lib/cli/ is the command line (flags,
# help, tables and JSON), used by sandbox.c only: the library never calls it.
# Every folder is on the quote include path: "util.h" wherever util.h lives.
CLI_DIR := lib/cli
ALL_SRCS := $(sort $(wildcard lib/*.c lib/*/*.c))
CLI_SRCS := $(filter $(CLI_DIR)/%,$(ALL_SRCS))
LIB_SRCS := $(filter-out $(CLI_DIR)/%,$(ALL_SRCS))
LIB_HDRS := $(wildcard lib/*.h lib/*/*.h)
LIB_DIRS := lib $(patsubst %/,%,$(sort $(dir $(wildcard lib/*/*.c lib/*/*.h))))
INCLUDES := $(addprefix -iquote ,$(LIB_DIRS))

# --- the product: one static musl binary ------------------------------------
MUSL_OBJS := $(ALL_SRCS:lib/%.c=build/musl/%.o) build/musl/sandbox.o
MUSL_LIBS := $(LIBS_SLIRP) $(LIBS_SECCOMP) $(LIBS_JANSSON) $(LIBS_CAP) $(LIBS_ZSTD) $(LIBS_CURL)

all: sandbox

Q := $(if $(V),,@)

# The built-in seccomp filter, compiled at build time (seccomp_default.c).
# The generator is linked from the product's own musl objects and static
# libraries (the same rules and libseccomp), seccomp_default.c compiled without
# the table it makes: the build needs no glibc -dev packages.
SECCOMP_DEFAULT_SRC := $(filter %/seccomp_default.c,$(LIB_SRCS))
SECCOMP_DEFAULT_OBJ := $(SECCOMP_DEFAULT_SRC:lib/%.c=build/musl/%.o)
GEN_OBJS := $(filter-out $(SECCOMP_DEFAULT_OBJ),$(LIB_SRCS:lib/%.c=build/musl/%.o))

build/gen/libsbx-gen.a: $(GEN_OBJS) build/gen/seccomp_default_none.o | build/gen
	$(Q)rm -f $@ && ar rcs $@ $^

build/gen/seccomp_default_none.o: $(SECCOMP_DEFAULT_SRC) $(LIB_HDRS) $(DEPS_STAMP) | build/gen
	$(Q)$(MUSL_CC) $(BASE_CFLAGS) $(OPT) $(DEPS_CFLAGS) $(INCLUDES) -c $< -o $@

build/gen/seccomp-default.inc: deps/gen-seccomp.c build/gen/libsbx-gen.a | build/gen
	@$(if $(Q),echo "  GEN     $@")
	$(Q)$(MUSL_CC) $(BASE_CFLAGS) -Wno-missing-prototypes -O1 $(DEPS_CFLAGS) $(INCLUDES) -static -Wl,--gc-sections \
		deps/gen-seccomp.c build/gen/libsbx-gen.a $(MUSL_LIBS) -o build/gen/gen-seccomp
	$(Q)build/gen/gen-seccomp > $@.tmp && mv $@.tmp $@

$(SECCOMP_DEFAULT_OBJ): $(SECCOMP_DEFAULT_SRC) build/gen/seccomp-default.inc $(LIB_HDRS) $(DEPS_STAMP) | build/musl
	@$(if $(Q),echo "  CC      $<")
	@mkdir -p $(@D)
	$(Q)$(MUSL_CC) $(BASE_CFLAGS) $(HARDEN) $(OPT) $(DEPS_CFLAGS) $(INCLUDES) -iquote build/gen \
		-DSBX_SECCOMP_DEFAULT_INC='"seccomp-default.inc"' -c $< -o $@

build/musl/%.o: lib/%.c $(LIB_HDRS) $(DEPS_STAMP) | build/musl
	@$(if $(Q),echo "  CC      $<")
	@mkdir -p $(@D)
	$(Q)$(MUSL_CC) $(BASE_CFLAGS) $(HARDEN) $(OPT) $(DEPS_CFLAGS) $(INCLUDES) -c $< -o $@

build/musl/sandbox.o: sandbox.c $(LIB_HDRS) $(DEPS_STAMP) | build/musl
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(MUSL_CC) $(BASE_CFLAGS) $(HARDEN) $(OPT) $(DEPS_CFLAGS) $(INCLUDES) -c $< -o $@

sandbox: $(MUSL_OBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(MUSL_CC) -static -Wl,--gc-sections -o build/sandbox.unstripped $(MUSL_OBJS) $(MUSL_LIBS)
	$(Q)strip -o $@ build/sandbox.unstripped
	@echo "sandbox: $$(stat -c %s $@) bytes stripped, $$(file -b $@ | grep -o 'statically linked')"

# --- glibc builds: unit tests, sanitizers -----------------------------------
GLIBC_LIBS := -lslirp -lglib-2.0 -lseccomp -ljansson -lcap -lzstd -lcurl -lz -lmbedtls -lmbedx509 -lmbedcrypto
GLIBC_OBJS := $(LIB_SRCS:lib/%.c=build/glibc/%.o)

build/glibc/%.o: lib/%.c $(LIB_HDRS) | build/glibc
	@$(if $(Q),echo "  CC      $@")
	@mkdir -p $(@D)
	$(Q)$(CC) $(BASE_CFLAGS) $(INCLUDES) -O1 -g -c $< -o $@

build/glibc/libsbx.a: $(GLIBC_OBJS)
	rm -f $@ && ar rcs $@ $^

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=build/unit/%)

build/unit/%: tests/unit/%.c build/glibc/libsbx.a | build/unit
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(BASE_CFLAGS) -Wno-missing-prototypes -O1 -g $(INCLUDES) $< build/glibc/libsbx.a -lcmocka $(GLIBC_LIBS) -o $@

build/unit/test_seccomp_default: tests/unit/test_seccomp_default.c build/gen/seccomp-default.inc build/glibc/libsbx.a | build/unit
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(BASE_CFLAGS) -Wno-missing-prototypes -O1 -g $(INCLUDES) -iquote build/gen \
		-DSBX_SECCOMP_DEFAULT_INC='"seccomp-default.inc"' $< build/glibc/libsbx.a -lcmocka $(GLIBC_LIBS) -o $@

unit: $(UNIT_BINS)

tests/helpers/sbx-probe: tests/helpers/sbx-probe.c $(DEPS_STAMP)
	$(MUSL_CC) -std=c11 -D_GNU_SOURCE -Wall -Wextra -O2 -static -o $@ $<

ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer
build/asan/sandbox: $(ALL_SRCS) sandbox.c $(LIB_HDRS) | build/asan
	$(CC) $(BASE_CFLAGS) $(INCLUDES) -O1 -g $(ASAN_FLAGS) -o $@ $(ALL_SRCS) sandbox.c $(GLIBC_LIBS)

# --- tests ------------------------------------------------------------------
check: sandbox unit tests/helpers/sbx-probe
	bash tests/run.sh

# the README's first command on a fresh Debian 12 (as root, needs the Debian archive)
fresh:
	bash tests/fresh/run.sh

asan: build/asan/sandbox unit tests/helpers/sbx-probe
	SANDBOX_BIN=$(abspath build/asan/sandbox) ASAN_OPTIONS=detect_leaks=0 bash tests/run.sh

FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=build/fuzz/%)
FUZZ_SECONDS ?= 10

# the library, without the command line
build/fuzz/%: tests/fuzz/%.c $(LIB_SRCS) $(LIB_HDRS) | build/fuzz
	clang $(BASE_CFLAGS) -Wno-missing-prototypes -O1 -g -fsanitize=fuzzer,address,undefined $(INCLUDES) $< \
		$(LIB_SRCS) $(GLIBC_LIBS) -o $@

# each target runs FUZZ_SECONDS from the seeds in tests/fuzz/corpus/<target>
fuzz: $(FUZZ_BINS)
	@n=0; for f in $(FUZZ_BINS); do t=$$(basename $$f); echo "fuzz: $$t ($(FUZZ_SECONDS) s)"; \
		mkdir -p build/fuzz/corpus/$$t; cp -n tests/fuzz/corpus/$$t/* build/fuzz/corpus/$$t/ 2>/dev/null; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=0 build/fuzz/corpus/$$t >build/fuzz/$$t.log 2>&1 \
		|| { tail -30 build/fuzz/$$t.log; echo "$$n passed, 1 failed"; exit 1; }; n=$$((n + 1)); done; \
		echo "$$n passed, 0 failed"

bench: sandbox tests/helpers/sbx-probe
	bash bench/startup.sh
	bash bench/exec.sh

# --- style ------------------------------------------------------------------
FORMAT_SRCS = sandbox.c $(wildcard lib/*.c lib/*.h lib/*/*.c lib/*/*.h tests/unit/*.c tests/fuzz/*.c tests/helpers/*.c deps/*.c)
# every shell script of tests/, bench/, rootfs-tools/, deps/ and .ci/
SHELL_SCRIPTS = $(sort $(foreach d,tests bench rootfs-tools deps .ci,$(wildcard $(d)/*.sh $(d)/*/*.sh $(d)/*/*/*.sh)) \
	.ci/run tests/vm/init)
LINTERS := lint-format lint-cppcheck lint-shell

format:
	clang-format -i $(FORMAT_SRCS)

# each linter once; the last line is `N passed, N failed, 0 skipped`
lint:
	@p=0; f=0; for l in $(LINTERS); do \
		if $(MAKE) --no-print-directory $$l; then echo "ok - $$l"; p=$$((p + 1)); \
		else echo "not ok - $$l"; f=$$((f + 1)); fi; \
	done; echo "$$p passed, $$f failed, 0 skipped"; [ $$f -eq 0 ]

lint-format:
	clang-format --dry-run --Werror $(FORMAT_SRCS)

# jansson's loop macros from deps/cppcheck-jansson.cfg (cppcheck stops on a
# loop made by a macro it does not know)
lint-cppcheck:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr \
		-D_GNU_SOURCE --library=deps/cppcheck-jansson.cfg --suppress=missingIncludeSystem \
		$(addprefix -I,$(LIB_DIRS)) sandbox.c $(ALL_SRCS)

# settings in .shellcheckrc
lint-shell:
	shellcheck $(SHELL_SCRIPTS)

# --- install ----------------------------------------------------------------
install: sandbox
	install -D -m 0755 sandbox $(DESTDIR)$(BINDIR)/sandbox
	install -D -m 0644 sandbox.1 $(DESTDIR)$(MANDIR)/man1/sandbox.1
	install -D -m 0644 completions/sandbox.bash $(DESTDIR)$(BASHCOMPDIR)/sandbox
	install -D -m 0644 completions/_sandbox $(DESTDIR)$(ZSHCOMPDIR)/_sandbox
	install -D -m 0644 completions/sandbox.fish $(DESTDIR)$(FISHCOMPDIR)/sandbox.fish

build/musl build/glibc build/unit build/asan build/fuzz build/gen:
	mkdir -p $@

clean:
	rm -rf build/musl build/glibc build/unit build/asan build/fuzz build/gen build/sandbox.unstripped sandbox tests/helpers/sbx-probe

.PHONY: all unit check fresh asan fuzz bench format lint $(LINTERS) install clean
