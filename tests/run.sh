#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh - THE test command (`make check` calls it): unit, integration and VM tests
#
# Usage: tests/run.sh [--keep] [FILTER...]
#   FILTER   run only the parts whose name contains one of these words, e.g.
#            `tests/run.sh 02-userns test_options` (integration files by name,
#            unit test binaries by name, `vm` for the VM suite)
#   --keep   keep the temporary directories (also: T_KEEP=1)
#
# As root it only prepares the stage (tests/setup-root.sh: users sbxtest and
# sbxnosub, subordinate ranges, /dev/net/tun), copies the binary, the unit test
# binaries, tests/, rootfs-tools/, completions/ and sandbox.1 to a fresh
# world-readable directory (with debootstrap, also the Debian image it caches in
# build/test-cache/: SBX_DEBIAN_TAR; a busybox rootfs owned by root:
# SBX_ROOTOWNED_ROOTFS), and runs
# the suite there as `sbxtest`, then the no-subordinate-range cases as `sbxnosub`.
# Root never runs a sandbox test itself.
# As a normal user it runs the suite as that user and says what it skips and why.
#
# Environment: SANDBOX_BIN (binary to test, default ./sandbox; `make asan` sets it),
# and the T_* variables of tests/lib/tap.sh (T_VERBOSE, T_TIMEOUT, T_KEEP).
# The last line of the output is `N passed, N failed, N skipped`; the exit status
# is non-zero iff something failed.
set -u

TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC_DIR=$(cd "$TESTS_DIR/.." && pwd)
TEST_USER=${SBX_TEST_USER:-sbxtest}
NOSUB_USER=${SBX_NOSUB_USER:-sbxnosub}

as_user=0
role=self
work=
counts_file=
filters=()
while [ "$#" -gt 0 ]; do
	case $1 in
	--as-user) as_user=1 ;;
	--role)
		role=$2
		shift
		;;
	--work)
		work=$2
		shift
		;;
	--counts)
		counts_file=$2
		shift
		;;
	--keep) export T_KEEP=1 ;;
	-h | --help)
		awk 'NR > 2 && /^#/ { sub(/^# ?/, ""); print; next } NR > 2 { exit }' "${BASH_SOURCE[0]}"
		exit 0
		;;
	-*)
		echo "run.sh: unknown option $1" >&2
		exit 2
		;;
	*) filters+=("$1") ;;
	esac
	shift
done

PASSED=0
FAILED=0
SKIPPED=0

# selected NAME: true when no filter is given or NAME contains one.
selected() {
	local f
	[ "${#filters[@]}" -eq 0 ] && return 0
	for f in "${filters[@]}"; do
		[[ $1 == *"$f"* ]] && return 0
	done
	return 1
}

# add_counts P F S
add_counts() {
	PASSED=$((PASSED + $1))
	FAILED=$((FAILED + $2))
	SKIPPED=$((SKIPPED + $3))
}

# ---------------------------------------------------------------------------
# Root: prepare the stage, then run as the test users.
# ---------------------------------------------------------------------------

# Remove the stage and the test users' per-test directories that a failed
# cleanup may have left (files of subordinate ids need root), unless T_KEEP=1.
cleanup_stage() {
	[ "${T_KEEP:-0}" = 1 ] && return
	[ -n "${STAGE:-}" ] || return
	# only this run's (tap.sh lists them): another run may be going on at the same time
	local d
	while read -r d; do
		case $d in
		/tmp/sbxt.*) rm -rf -- "$d" 2>/dev/null ;;
		esac
	done < <(cat "$STAGE/tmp-list" 2>/dev/null)
	rm -rf -- "$STAGE"
	[ -n "${HOMES_STAGE:-}" ] && rm -rf -- "$HOMES_STAGE"
}
# The debootstrapped Debian image (16-docker-registry.sh's acceptance line): a
# `debootstrap --variant=minbase bookworm` tarball made by rootfs-tools/mk-debian-rootfs.sh,
# cached in build/test-cache/ of the checkout (made again when 30 days old).
DEBIAN_CACHE=build/test-cache/debian-bookworm-minbase.tar.gz
# debian_cache_root STAGE: as root, make the cache when needed and copy it into STAGE
# (the checkout may not be readable by the test user); prints one `# ...` line.
debian_cache_root() {
	local cache=$SRC_DIR/$DEBIAN_CACHE why=
	mkdir -p "$(dirname "$cache")"
	if [ -z "$(find "$cache" -maxdepth 0 -mtime -30 2>/dev/null)" ]; then
		if ! command -v debootstrap >/dev/null 2>&1; then
			why="debootstrap is not installed (apt-get install debootstrap)"
		else
			echo "# making the debootstrapped Debian image (once, about a minute): $cache"
			# one builder at a time: another run may be making it too
			(
				flock 9
				[ -n "$(find "$cache" -maxdepth 0 -mtime -30 2>/dev/null)" ] ||
					bash "$SRC_DIR/rootfs-tools/mk-debian-rootfs.sh" "$cache" bookworm
			) 9>"$cache.lock" || why="rootfs-tools/mk-debian-rootfs.sh failed"
		fi
	fi
	if [ -f "$cache" ]; then
		# an old one that could not be made again still does
		mkdir -p "$1/$(dirname "$DEBIAN_CACHE")"
		cp "$cache" "$1/$DEBIAN_CACHE" && chmod a+r "$1/$DEBIAN_CACHE" &&
			echo "# the debootstrapped Debian image is available ($cache${why:+; older than 30 days, not made again: $why})" &&
			return
		why="cannot copy $cache to the stage"
	fi
	echo "# no debootstrapped Debian image: ${why:-$cache is missing}; its test skips"
}

# rootowned_root STAGE: as root, a busybox rootfs owned by root in STAGE, as
# debootstrap or an admin leaves a shared one (18-rootfs-dirs.sh runs it as the
# test user, who cannot chown); prints its path, nothing when it cannot be made.
rootowned_root() {
	local dir=$1/rootfs-rootowned
	selected 18-rootfs-dirs.sh || return 0
	if bash "$TESTS_DIR/helpers/build.sh" "$1/rootowned-probe" >&2 &&
		bash "$SRC_DIR/rootfs-tools/mk-busybox-rootfs.sh" --probe "$1/rootowned-probe" "$dir" >&2; then
		echo "$dir"
	else
		echo "# no root-owned rootfs (building it failed): 18-rootfs-dirs.sh skips" >&2
	fi
}

run_as_root() {
	local stage bin user w rc p f s rootowned
	echo "# preparing the stage as root (tests/setup-root.sh)"
	if ! bash "$TESTS_DIR/setup-root.sh"; then
		echo "run.sh: tests/setup-root.sh failed" >&2
		echo "0 passed, 1 failed, 0 skipped"
		exit 1
	fi

	stage=$(mktemp -d /tmp/sandbox-tests.XXXXXX) || exit 1
	chmod 755 "$stage"
	STAGE=$stage
	install -m 0666 /dev/null "$STAGE/tmp-list"
	trap cleanup_stage EXIT
	trap 'exit 130' INT TERM

	bin=${SANDBOX_BIN:-$SRC_DIR/sandbox}
	if [ -f "$bin" ]; then
		cp "$bin" "$stage/sandbox"
	else
		echo "# warning: no sandbox binary at $bin (run make)"
	fi
	mkdir -p "$stage/build/unit"
	if [ -d "$SRC_DIR/build/unit" ]; then
		find "$SRC_DIR/build/unit" -maxdepth 1 -type f -name 'test_*' -perm -u+x \
			-exec cp -p {} "$stage/build/unit/" \;
	fi
	cp -a "$SRC_DIR/tests" "$SRC_DIR/rootfs-tools" "$stage/"
	# what tests/integration/10-completions.sh checks
	cp -a "$SRC_DIR/completions" "$SRC_DIR/sandbox.1" "$stage/" 2>/dev/null
	debian_cache_root "$stage"
	chmod -R a+rX "$stage"
	# after the chmod: the tree keeps its own modes (/root 0700)
	rootowned=$(rootowned_root "$stage")

	# Failing newuidmap/newgidmap that pass the tool's "setuid root" check; the
	# kernel ignores the setuid bit of scripts, so they run unprivileged.
	mkdir -p "$stage/fake-idmap"
	for f in newuidmap newgidmap; do
		printf '#!/bin/sh\necho "%s: write to %s_map failed: Operation not permitted" >&2\nexit 1\n' \
			"$f" "${f:3:1}id" >"$stage/fake-idmap/$f"
		chmod 4755 "$stage/fake-idmap/$f"
	done

	# another user's directory that anyone may write to, as an attacker leaves
	# /tmp/sandbox-$UID for its victim (integration/18-runroot.sh)
	install -d -m 0777 -o "$NOSUB_USER" -g "$NOSUB_USER" "$stage/foreign"
	# and a sticky one, as another user's /tmp-like directory
	install -d -m 1777 -o "$NOSUB_USER" -g "$NOSUB_USER" "$stage/foreign-sticky"
	# a runroot of the test user's (0700 now) holding a sandbox another user put
	# there while it was open to all (integration/18-runroot.sh)
	local planted
	planted=$stage/planted-run/bad1$(printf '%060d' 1)
	install -d -m 0700 -o "$TEST_USER" -g "$TEST_USER" "$stage/planted-run"
	install -d -m 0755 -o "$NOSUB_USER" -g "$NOSUB_USER" "$planted"
	printf '{"name":"planted-foreign","image":"host","command":["sleep"],"created":1}\n' >"$planted/config.json"
	echo "1 1 1 1" >"$planted/pid"
	chown "$NOSUB_USER:$NOSUB_USER" "$planted/config.json" "$planted/pid"
	# homes the test user could not make (integration/18-mount-escapes.sh): in a
	# root-owned 0711 directory it cannot list, `USER`, and `link` ->
	# `deep/USER` (a home reached through a symlink, /home -> var/home).
	# Top-level, two levels deep as /home/USER: the host image's /tmp is its own.
	HOMES_STAGE=$(mktemp -d /sbx-test-homes.XXXXXX) || exit 1
	chmod 0711 "$HOMES_STAGE"
	mkdir -m 0755 "$HOMES_STAGE/deep"
	install -d -m 0700 -o "$TEST_USER" -g "$TEST_USER" "$HOMES_STAGE/$TEST_USER" "$HOMES_STAGE/deep/$TEST_USER"
	ln -s "deep/$TEST_USER" "$HOMES_STAGE/link"
	for user in "$TEST_USER" "$NOSUB_USER"; do
		w=$stage/work-$user
		mkdir -p "$w"
		chown "$user:" "$w"
		chmod 700 "$w"
	done

	cd "$stage" || exit 1
	for user in "$TEST_USER" "$NOSUB_USER"; do
		w=$stage/work-$user
		if [ "$user" = "$TEST_USER" ]; then r=main; else r=nosub; fi
		echo "# running the ${r} suite as $user in $stage"
		rc=0
		runuser -u "$user" -- env -i \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			HOME="$(getent passwd "$user" | cut -d: -f6)" USER="$user" LOGNAME="$user" \
			SHELL=/bin/bash LANG=C.UTF-8 TERM="${TERM:-dumb}" CI="${CI:-}" \
			SANDBOX_BIN="$stage/sandbox" SBX_FAKE_IDMAP_DIR="$stage/fake-idmap" \
			SBX_FOREIGN_DIR="$stage/foreign" SBX_HOMES_DIR="$HOMES_STAGE" \
			SBX_PLANTED_RUNROOT="$stage/planted-run" SBX_FOREIGN_STICKY="$stage/foreign-sticky" \
			ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" \
			LSAN_OPTIONS="${LSAN_OPTIONS:-}" \
			T_VERBOSE="${T_VERBOSE:-0}" T_KEEP="${T_KEEP:-0}" T_TIMEOUT="${T_TIMEOUT:-30}" \
			T_FILTER="${T_FILTER:-}" SBX_DEBIAN_TAR="$stage/$DEBIAN_CACHE" T_TMP_LIST="$stage/tmp-list" \
			SBX_ROOTOWNED_ROOTFS="$rootowned" \
			bash "$stage/tests/run.sh" --as-user --role "$r" --work "$w" \
			--counts "$w/counts" "${filters[@]}" || rc=$?
		if read -r p f s <"$w/counts" 2>/dev/null; then
			add_counts "$p" "$f" "$s"
		else
			echo "not ok - the $r suite as $user ended without counts (exit status $rc)"
			add_counts 0 1 0
		fi
	done
	[ "${T_KEEP:-0}" = 1 ] && echo "# kept $stage"
}

# ---------------------------------------------------------------------------
# Unprivileged: the suite itself.
# ---------------------------------------------------------------------------

# parse_tap_summary LOG: "P F S" from the last `# N passed, N failed, N skipped`.
parse_tap_summary() {
	sed -n -E 's/^# ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3/p' "$1" | tail -n 1
}

# parse_plain_summary LOG: "P F S" from a last `N passed, N failed[, N skipped]` line.
parse_plain_summary() {
	sed -n -E 's/^(# )?([A-Za-z-]+: )?([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?$/\3 \4 \6/p' "$1" |
		tail -n 1 | awk '{ print $1, $2, ($3 == "" ? 0 : $3) }'
}

# run_unit_tests: every executable build/unit/test_*, cmocka's summaries counted.
run_unit_tests() {
	local dir=$PWD/build/unit t name log rc p f s line n
	local -a bins=()
	if [ -d "$dir" ]; then
		for t in "$dir"/test_*; do
			[ -f "$t" ] && [ -x "$t" ] && bins+=("$t")
		done
	fi
	if [ "${#bins[@]}" -eq 0 ]; then
		echo "# unit: no unit test binaries in build/unit (make builds them)"
		return
	fi
	for t in "${bins[@]}"; do
		name=${t##*/}
		selected "$name" || selected unit || continue
		log=$work/unit-$name.log
		rc=0
		CMOCKA_MESSAGE_OUTPUT=stdout timeout -k 5 300 "$t" </dev/null >"$log" 2>&1 || rc=$?
		p=0 f=0 s=0
		while IFS= read -r line; do
			case $line in
			'[  PASSED  ] '*' test(s).')
				n=${line#\[  PASSED  \] }
				p=$((p + ${n%% *}))
				;;
			'[  FAILED  ] '*' test(s), listed below:')
				n=${line#\[  FAILED  \] }
				f=$((f + ${n%% *}))
				;;
			'[  SKIPPED ] '*' test(s), listed below:')
				n=${line#\[  SKIPPED \] }
				s=$((s + ${n%% *}))
				;;
			esac
		done <"$log"
		if [ "$rc" -eq 77 ] && [ $((p + f + s)) -eq 0 ]; then
			s=1
		elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			f=1 # crashed, timed out, or not a cmocka program
		elif [ $((p + f + s)) -eq 0 ]; then
			p=1
		fi
		if [ "$f" -gt 0 ]; then
			echo "not ok - unit $name: $p passed, $f failed, $s skipped (exit status $rc)"
			sed 's/^/#   /' "$log"
		else
			echo "ok - unit $name: $p passed, $f failed, $s skipped"
		fi
		add_counts "$p" "$f" "$s"
	done
}

# run_tap_file FILE [SKIP-REASON]
run_tap_file() {
	local file=$1 skip=${2:-} name log rc summary
	name=${file#"$PWD"/tests/}
	log=$work/$(echo "$name" | tr / _).log
	rc=0
	T_SKIP_ALL=$skip timeout -k 10 900 bash "$file" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	summary=$(parse_tap_summary "$log")
	if [ -z "$summary" ]; then
		echo "not ok - $name ended without a summary (exit status $rc)"
		add_counts 0 1 0
		return
	fi
	# shellcheck disable=SC2086 # "P F S"
	add_counts $summary
	if [ "$rc" -ne 0 ] && [ "$(echo "$summary" | cut -d' ' -f2)" = 0 ]; then
		echo "not ok - $name exited with status $rc"
		add_counts 0 1 0
	fi
}

run_vm_suite() {
	local log rc summary
	[ -f tests/vm/run.sh ] || return 0
	selected vm || return 0
	if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
		echo "# skip: tests/vm/run.sh: qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)"
		add_counts 0 0 1
		return
	fi
	log=$work/vm.log
	timeout -k 10 1800 bash tests/vm/run.sh 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	summary=$(parse_plain_summary "$log")
	if [ -z "$summary" ]; then
		if [ "$rc" -eq 0 ]; then summary="1 0 0"; else summary="0 1 0"; fi
	fi
	# shellcheck disable=SC2086 # "P F S"
	add_counts $summary
}

run_as_user() {
	local own_work=0 subuid_reason='' nosub_reason='' f
	if [ -z "$work" ]; then
		work=$(mktemp -d /tmp/sandbox-tests.XXXXXX) || exit 1
		own_work=1
		# shellcheck disable=SC2064 # expand $work now
		trap "[ \"\${T_KEEP:-0}\" = 1 ] || rm -rf -- '$work'" EXIT
	fi
	trap 'exit 130' INT TERM
	cd "$(dirname "$TESTS_DIR")" || exit 1

	export SANDBOX=${SANDBOX_BIN:-$PWD/sandbox}
	case $SANDBOX in /*) ;; *) SANDBOX=$PWD/$SANDBOX ;; esac
	unset SANDBOX_BIN

	# Subordinate ids: what cannot be tested here, and why.
	# shellcheck source=tests/lib/subid.sh
	. "$TESTS_DIR/lib/subid.sh"
	subuid_reason=$(subid_missing_reason)
	if [ -n "$subuid_reason" ]; then
		export SBX_NO_SUBUID="$subuid_reason"
		if [ "$role" = nosub ]; then
			echo "# $(id -un) has no subordinate ranges, on purpose"
		else
			echo "# skip: tests that need a subordinate id range: $subuid_reason"
		fi
		nosub_reason=
	else
		nosub_reason="needs root to prepare (a second user without subordinate ranges, $NOSUB_USER: run tests/run.sh as root)"
	fi

	echo "# role $role as $(id -un) (uid $(id -u)); sandbox: $SANDBOX"
	if [ "$role" != nosub ]; then
		run_unit_tests
	fi

	if [ ! -x "$SANDBOX" ]; then
		echo "not ok - the sandbox binary $SANDBOX does not exist (run make); integration tests not run"
		add_counts 0 1 0
	else
		# Built once per run: the probe and the busybox root filesystem.
		if ! bash tests/helpers/build.sh "$work/sbx-probe" ||
			! bash rootfs-tools/mk-busybox-rootfs.sh --probe "$work/sbx-probe" "$work/rootfs"; then
			echo "not ok - building the busybox rootfs failed; integration tests not run"
			add_counts 0 1 0
		else
			export SBX_PROBE=$work/sbx-probe BUSYBOX_ROOTFS=$work/rootfs
			# the debootstrapped Debian image: root's copy, else this checkout's cache
			SBX_DEBIAN_TAR=${SBX_DEBIAN_TAR:-$PWD/$DEBIAN_CACHE}
			if [ -r "$SBX_DEBIAN_TAR" ]; then
				export SBX_DEBIAN_TAR
				[ "$as_user" = 1 ] || echo "# the debootstrapped Debian image is available ($SBX_DEBIAN_TAR)"
			else
				unset SBX_DEBIAN_TAR
				[ "$as_user" = 1 ] || echo "# no debootstrapped Debian image: run tests/run.sh as root once (needs debootstrap); its test skips"
			fi
			if [ "$role" != nosub ]; then
				for f in "$PWD"/tests/integration/*.sh; do
					[ -f "$f" ] && selected "${f##*/}" && run_tap_file "$f"
				done
			fi
			if [ "$role" = nosub ] || [ "$role" = self ]; then
				if [ "$role" = self ] && [ -n "$nosub_reason" ]; then
					echo "# skip: tests for a user without subordinate ids: $nosub_reason"
				fi
				for f in "$PWD"/tests/integration/nosub/*.sh; do
					[ -f "$f" ] && selected "nosub/${f##*/}" && run_tap_file "$f" "$nosub_reason"
				done
			fi
		fi
	fi

	if [ "$role" != nosub ]; then
		run_vm_suite
	fi

	if [ -n "$counts_file" ]; then
		echo "$PASSED $FAILED $SKIPPED" >"$counts_file"
		echo "# $(id -un): $PASSED passed, $FAILED failed, $SKIPPED skipped"
	else
		[ "$own_work" = 1 ] && [ "${T_KEEP:-0}" = 1 ] && echo "# kept $work"
		echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
	fi
	[ "$FAILED" -eq 0 ]
}

if [ "$(id -u)" -eq 0 ] && [ "$as_user" = 0 ]; then
	run_as_root
	echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
	[ "$FAILED" -eq 0 ]
	exit
fi
if [ "$(id -u)" -eq 0 ]; then
	echo "run.sh: the suite does not run as root (root only prepares the stage)" >&2
	exit 2
fi
run_as_user
