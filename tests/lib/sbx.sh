# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# sbx.sh - helpers for the sandbox integration tests (sourced; sources tap.sh)
#
# Environment (set by tests/run.sh; defaults let one file run on its own):
#   SANDBOX          absolute path of the binary under test (SANDBOX_BIN overrides;
#                    default: ./sandbox of this checkout)
#   BUSYBOX_ROOTFS   busybox root filesystem with /bin/sbx-probe (built on demand
#                    into /tmp/sandbox-tests-$UID-N/ when unset)
#   SBX_PROBE        host path of the sbx-probe helper
#   SBX_NO_SUBUID    non-empty: why subordinate-id tests must skip (set by run.sh)
# Per test (t_hook_setup): SANDBOX_ROOT=$T_TMP/root, SANDBOX_RUNROOT=$T_TMP/run,
# XDG_RUNTIME_DIR/XDG_DATA_HOME unset so nothing touches the caller's real store.

SBX_TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SBX_SRC_DIR=$(cd "$SBX_TESTS_DIR/.." && pwd)

# shellcheck source=tests/lib/tap.sh
. "$SBX_TESTS_DIR/lib/tap.sh"

if [ -n "${SANDBOX_BIN:-}" ]; then
	SANDBOX=$SANDBOX_BIN
fi
SANDBOX=${SANDBOX:-$SBX_SRC_DIR/sandbox}
case $SANDBOX in
/*) ;;
*) SANDBOX=$(pwd)/$SANDBOX ;;
esac
export SANDBOX

# Build the probe and the busybox rootfs once per user when a file runs alone.
if [ -z "${BUSYBOX_ROOTFS:-}" ] && [ "${1:-}" != "--t-run-one" ]; then
	# one cache per user and checkout (another checkout may have another probe)
	sbx_cache=/tmp/sandbox-tests-$(id -u)-$(printf '%s' "$SBX_SRC_DIR" | cksum | cut -d' ' -f1)
	mkdir -p "$sbx_cache"
	if ! bash "$SBX_TESTS_DIR/helpers/build.sh" "$sbx_cache/sbx-probe" ||
		! bash "$SBX_SRC_DIR/rootfs-tools/mk-busybox-rootfs.sh" --probe "$sbx_cache/sbx-probe" \
			"$sbx_cache/rootfs" >&2; then
		echo "Bail out! cannot build the busybox rootfs"
		exit 1
	fi
	BUSYBOX_ROOTFS=$sbx_cache/rootfs
	SBX_PROBE=$sbx_cache/sbx-probe
fi
export BUSYBOX_ROOTFS=${BUSYBOX_ROOTFS:-}
export SBX_PROBE=${SBX_PROBE:-}
# Each test process is a child subreaper: what a sandbox leaves behind stays
# findable (sbx_stray_pids).
if [ -x "$SBX_PROBE" ]; then
	T_WRAPPER=("$SBX_PROBE" subreaper)
fi
ROOTFS=$BUSYBOX_ROOTFS

# shellcheck disable=SC2034 # used by the test files
MY_UID=$(id -u) MY_GID=$(id -g)

# ---- hooks for tap.sh ----------------------------------------------------

t_hook_setup() {
	export SANDBOX_ROOT=$T_TMP/root
	export SANDBOX_RUNROOT=$T_TMP/run
	unset XDG_RUNTIME_DIR XDG_DATA_HOME
	T_PIDNS=$(readlink /proc/self/ns/pid)
	[ -x "$SANDBOX" ] || t_fail "the sandbox binary $SANDBOX does not exist (run make)"
}

# After every passing test: nothing of the sandbox may outlive it.
t_hook_check() {
	assert_no_stray_processes
	assert_no_leaked_mounts
}

# Remove files owned by subordinate ids (left by a failed --rm) from inside a
# user namespace that maps them.
t_hook_rm() {
	unshare --user --map-root-user --map-auto rm -rf -- "$1" 2>/dev/null
}

# ROOT and RUNROOT as sandbox makes them (yours, mode 0700: it refuses others),
# for tests that put files there before the first command.
sbx_make_state_dirs() {
	mkdir -p "$SANDBOX_ROOT" "$SANDBOX_RUNROOT"
	chmod 700 "$SANDBOX_ROOT" "$SANDBOX_RUNROOT"
}

# ---- running the sandbox --------------------------------------------------

sbx() {
	"$SANDBOX" "$@"
}

# sbx_run OPTIONS... IMAGE CMD...: `sandbox run --rm --network none ...`
sbx_run() {
	"$SANDBOX" run --rm --network none "${SBX_RUN_DEFAULTS[@]}" "$@"
}

# sbx_run_keep OPTIONS... IMAGE CMD...: the same without --rm
sbx_run_keep() {
	"$SANDBOX" run --network none "${SBX_RUN_DEFAULTS[@]}" "$@"
}

# ---- subordinate ids -------------------------------------------------------

# shellcheck source=tests/lib/subid.sh
. "$SBX_TESTS_DIR/lib/subid.sh"

# Why tests that need a subordinate range cannot run here (empty: they can).
no_subuid_reason() {
	if [ -n "${SBX_NO_SUBUID:-}" ]; then
		echo "$SBX_NO_SUBUID"
	else
		subid_missing_reason
	fi
}

# Options every `run` of the tests gets first (sbx_run and friends): without a
# subordinate range, --userns single, the mapping auto falls back to, so that
# the fallback's notice does not show up in outputs the tests compare; a later
# --userns of the test wins. nosub/ tests, which test that fallback, clear it.
SBX_RUN_DEFAULTS=()
if [ -n "$(no_subuid_reason)" ]; then
	SBX_RUN_DEFAULTS=(--userns single)
fi

# require_static_binary WHY: skip unless the binary under test is the static
# one (`make asan` tests a dynamic glibc build, which cannot start inside a
# busybox root filesystem and whose start-up sanitizers slow down)
require_static_binary() {
	LC_ALL=C file -L "$SANDBOX" | grep -q 'statically linked' ||
		t_skip "$SANDBOX is not the static binary (e.g. the ASan build): $1"
}

require_subuid() {
	local why
	why=$(no_subuid_reason)
	[ -z "$why" ] || t_skip "$why"
}

require_no_subuid() {
	[ -n "$(no_subuid_reason)" ] || t_skip "the caller has a subordinate id range"
}

# ---- assertions -------------------------------------------------------------

# assert_error_line [REGEX]: stderr ($T_ERR) has exactly one `sandbox: WHAT: WHY`
# line (plus at most one hint line and, with T_ERR_EXTRA=N, N more lines such
# as a helper's own message), and that line matches REGEX (case-insensitive).
assert_error_line() {
	local regex=${1:-} lines errlines first
	lines=$(grep -c '' "$T_ERR" || true)
	errlines=$(grep -c '^sandbox: ' "$T_ERR" || true)
	first=$(grep -m1 '^sandbox: ' "$T_ERR" || true)
	if [ "$errlines" != 1 ]; then
		t_show_output
		t_fail "expected one 'sandbox: WHAT: WHY' line on stderr, got $errlines"
	fi
	if ! [[ $first =~ ^sandbox:\ .+:\ .+ ]]; then
		t_show_output
		t_fail "error line is not 'sandbox: WHAT: WHY': $first"
	fi
	if [ "$lines" -gt $((2 + ${T_ERR_EXTRA:-0})) ]; then
		t_show_output
		t_fail "expected the error line and at most one hint line on stderr, got $lines lines"
	fi
	if [ -n "$regex" ] && ! grep -qiE -e "$regex" <<<"$first"; then
		t_show_output
		t_fail "error line does not match /$regex/: $first"
	fi
}

# assert_exactly_one_stderr_line [REGEX]: for exec failures (126/127).
assert_exactly_one_stderr_line() {
	local regex=${1:-} lines
	lines=$(grep -c '' "$T_ERR" || true)
	if [ "$lines" != 1 ]; then
		t_show_output
		t_fail "expected exactly one line on stderr, got $lines"
	fi
	if [ -n "$regex" ] && ! grep -qiE -e "$regex" "$T_ERR"; then
		t_show_output
		t_fail "stderr does not match /$regex/"
	fi
}

# Directories under DIR (none when DIR is missing).
sbx_subdirs() {
	[ -d "$1" ] || return 0
	find "$1" -mindepth 1 -maxdepth 1 -type d
}

assert_no_sandbox_dirs() {
	local left
	left=$(sbx_subdirs "$SANDBOX_ROOT/sandboxes")
	[ -z "$left" ] || t_fail "sandbox directories left in the store: $left"
}

assert_no_runroot_dirs() {
	local left
	left=$(sbx_subdirs "$SANDBOX_RUNROOT")
	[ -z "$left" ] || t_fail "live state left in the runroot: $left"
}

# No mount of the caller's namespace mentions the test's files.
assert_no_leaked_mounts() {
	local leaked
	leaked=$(grep -F -e "$T_TMP" -e "$ROOTFS" /proc/self/mountinfo || true)
	[ -z "$leaked" ] || t_fail "mounts left in the caller's mount namespace: $leaked"
}

# PIDs of processes left by this test that belong to a sandbox: descendants of
# the test process (a child subreaper, see T_WRAPPER, so orphans stay its
# descendants) named like the binary or living in another PID namespace.
# Zombies do not count.
sbx_stray_pids() {
	local f line pid name rest state ppid base p ns
	local -A parent=() names=() states=()
	base=$(basename "$SANDBOX")
	base=${base:0:15}
	for f in /proc/[0-9]*/stat; do
		read -r line 2>/dev/null <"$f" || continue
		pid=${line%% *}
		name=${line#*\(}
		name=${name%\)*}
		rest=${line##*\) }
		state=${rest%% *}
		rest=${rest#* }
		ppid=${rest%% *}
		parent[$pid]=$ppid
		names[$pid]=$name
		states[$pid]=$state
	done
	for pid in "${!parent[@]}"; do
		[ "$pid" = "$$" ] && continue
		[ "${states[$pid]}" = Z ] && continue
		p=${parent[$pid]}
		while [ -n "$p" ] && [ "$p" != 0 ] && [ "$p" != "$$" ]; do
			p=${parent[$p]:-}
		done
		[ "$p" = "$$" ] || continue
		name=${names[$pid]}
		ns=$(readlink "/proc/$pid/ns/pid" 2>/dev/null || true)
		if [[ $name == "$base"* || $name == sandbox* ]] || { [ -n "$ns" ] && [ "$ns" != "$T_PIDNS" ]; }; then
			echo "$pid"
		fi
	done
}

# sbx_describe_pid PID: "pid PID NAME state S ppid P: CMDLINE" for messages.
sbx_describe_pid() {
	local pid=$1 name state ppid cmd
	name=$(awk '$1 == "Name:" { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
	state=$(awk '$1 == "State:" { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
	ppid=$(awk '$1 == "PPid:" { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
	cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" || true)
	echo "pid $pid $name state $state ppid $ppid: $cmd"
}

assert_no_stray_processes() {
	local pids i pid desc=
	for i in 1 2 3 4 5 6 7 8 9 10; do
		pids=$(sbx_stray_pids)
		[ -z "$pids" ] && return 0
		sleep 0.1
	done
	for pid in $pids; do
		desc+=" [$(sbx_describe_pid "$pid")]"
	done
	for pid in $pids; do
		kill -KILL "$pid" 2>/dev/null || true
	done
	t_fail "stray processes left behind:$desc"
}

# Nothing of a sandbox is left: store entry, live state, mounts, processes.
assert_nothing_left() {
	assert_no_sandbox_dirs
	assert_no_runroot_dirs
	assert_no_leaked_mounts
	assert_no_stray_processes
}

# ---- process helpers -------------------------------------------------------

# wait_for_file FILE REGEX [SECONDS]: poll until FILE matches REGEX.
wait_for_file() {
	local file=$1 regex=$2 secs=${3:-5} i
	for ((i = 0; i < secs * 20; i++)); do
		if [ -f "$file" ] && grep -qE -e "$regex" "$file"; then
			return 0
		fi
		sleep 0.05
	done
	echo "--- $file:" >&2
	cat "$file" >&2 2>/dev/null || true
	t_fail "timed out waiting for /$regex/ in $file"
}

# wait_for_process REGEX [SECONDS]: poll until a process whose command line
# matches REGEX (pgrep -f) runs, e.g. the sandboxed command; prints its pid.
wait_for_process() {
	local regex=$1 secs=${2:-5} i
	for ((i = 0; i < secs * 20; i++)); do
		pgrep -n -f -- "$regex" && return 0
		sleep 0.05
	done
	t_fail "no process matching /$regex/ started within ${secs}s"
}

# Milliseconds since the epoch.
now_ms() {
	local ns
	ns=$(date +%s%N)
	echo $((ns / 1000000))
}
