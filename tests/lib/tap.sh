# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# tap.sh - a small TAP test library for shell test files (sourced, not run)
#
# A test file registers shell functions and hands over to t_main:
#
#   . "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"
#   test_true() { assert_status 0 true; }
#   t "true exits 0" test_true
#   t_main "$@"
#
# t_main runs every registered test in its own process (the file is executed again
# with --t-run-one FUNC under `timeout`), so a failing assertion, `exit`, or a hang
# only ends that test. Each test gets a fresh temporary directory $T_TMP (its
# current directory, removed afterwards) and stdin from /dev/null.
# A test passes when its function returns 0, is skipped when it exits 77
# (t_skip REASON), and fails otherwise; the output of a failed test is shown as
# TAP diagnostics ("# ..." lines). The file prints "ok N - NAME" lines, then
# "1..N", then "# N passed, N failed, N skipped", and exits 1 if anything failed.
#
# Optional hooks a file (or a library it sources) may define:
#   t_hook_setup   runs in the test process before the test function
#   t_hook_check   runs in the test process after a passing test function; may fail it
#   t_hook_rm DIR  called when plain `rm -rf` cannot remove a temporary directory
# and the array T_WRAPPER: a command prefix for each test process.
#
# Environment:
#   T_FILTER       only run tests whose name or function contains this text
#                  (also: arguments to the file, e.g. `bash 01-basic.sh hostname`)
#   T_TIMEOUT      seconds one test may take (default 30)
#   T_SKIP_ALL     report every test of the file as skipped with this reason
#   T_KEEP         1: keep the temporary directories (their paths are printed)
#   T_VERBOSE      1: show the output of passing tests too
#   T_TMPDIR       where temporary directories go (default ${TMPDIR:-/tmp})

set -u

T_NAMES=()
T_FUNCS=()
T_WRAPPER=() # command prefix for each test process (e.g. a subreaper helper)
T_FILE=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")

# Register a test: t NAME FUNCTION
t() {
	if [ "$#" -ne 2 ]; then
		echo "tap.sh: usage: t NAME FUNCTION" >&2
		exit 2
	fi
	T_NAMES+=("$1")
	T_FUNCS+=("$2")
}

# ---- inside a test -------------------------------------------------------

# Print a diagnostic line (shown when the test fails or T_VERBOSE=1).
t_note() {
	printf '# %s\n' "$*" >&2
}

# Fail the current test with a message.
t_fail() {
	printf 'FAIL: %s\n' "$*" >&2
	exit 1
}

# Skip the current test: t_skip REASON
t_skip() {
	printf '%s\n' "$*" >"$T_TMP/.t-skip"
	exit 77
}

# Run a command at the end of the test process, whatever the outcome
# (last registered first), e.g. t_defer tmux -S "$sock" kill-server
T_DEFERRED=()
t_defer() {
	T_DEFERRED+=("$(printf '%q ' "$@")")
}

t_run_deferred() {
	local i
	for ((i = ${#T_DEFERRED[@]} - 1; i >= 0; i--)); do
		eval "${T_DEFERRED[$i]}" >/dev/null 2>&1 || true
	done
	T_DEFERRED=()
}

# Skip unless every named command exists.
require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || t_skip "$c is not installed"
	done
}

# Run a command, capturing stdout in $T_OUT and stderr in $T_ERR (files) and
# the exit status in $T_STATUS. Never fails by itself.
run_cmd() {
	T_STATUS=0
	"$@" >"$T_OUT" 2>"$T_ERR" || T_STATUS=$?
	return 0
}

# assert_status EXPECTED CMD...: run CMD as run_cmd does, and fail unless it
# exited with EXPECTED; the captured output is shown on failure.
assert_status() {
	local expected=$1
	shift
	run_cmd "$@"
	if [ "$T_STATUS" != "$expected" ]; then
		t_show_output
		t_fail "expected exit status $expected, got $T_STATUS: $(printf '%q ' "$@")"
	fi
}

# Show what the last run_cmd/assert_status captured (as diagnostics).
t_show_output() {
	{
		echo "--- stdout:"
		head -c 4000 "$T_OUT" 2>/dev/null
		echo "--- stderr:"
		head -c 4000 "$T_ERR" 2>/dev/null
		echo "---"
	} >&2
}

assert_eq() {
	local expected=$1 actual=$2 what=${3:-value}
	if [ "$expected" != "$actual" ]; then
		t_fail "$what: expected '$expected', got '$actual'"
	fi
}

assert_ne() {
	local unexpected=$1 actual=$2 what=${3:-value}
	if [ "$unexpected" = "$actual" ]; then
		t_fail "$what: did not expect '$actual'"
	fi
}

# assert_match EXTENDED-REGEX STRING [WHAT]
assert_match() {
	local regex=$1 actual=$2 what=${3:-value}
	if ! [[ $actual =~ $regex ]]; then
		t_fail "$what: '$actual' does not match /$regex/"
	fi
}

assert_file_has_content() {
	local file=$1 regex=$2
	if ! grep -q -E -e "$regex" "$file"; then
		echo "--- $file:" >&2
		head -c 4000 "$file" >&2 2>/dev/null
		t_fail "file $file does not match /$regex/"
	fi
}

assert_not_file_has_content() {
	local file=$1 regex=$2
	if grep -q -E -e "$regex" "$file"; then
		echo "--- $file:" >&2
		head -c 4000 "$file" >&2
		t_fail "file $file matches /$regex/ but should not"
	fi
}

assert_file_empty() {
	local file=$1
	if [ -s "$file" ]; then
		echo "--- $file:" >&2
		head -c 4000 "$file" >&2
		t_fail "file $file is not empty"
	fi
}

assert_file_exists() {
	[ -e "$1" ] || t_fail "$1 does not exist"
}

assert_not_exists() {
	if [ -e "$1" ] || [ -L "$1" ]; then
		t_fail "$1 exists but should not"
	fi
}

# ---- runner --------------------------------------------------------------

# A test's directory; its name also goes to $T_TMP_LIST when set (tests/run.sh
# removes exactly those after a run, not another run's).
t_mktemp() {
	local d
	d=$(mktemp -d "${T_TMPDIR:-${TMPDIR:-/tmp}}/sbxt.XXXXXX") || return
	[ -z "${T_TMP_LIST:-}" ] || echo "$d" >>"$T_TMP_LIST"
	echo "$d"
}

# Remove a temporary directory, also when a test left read-only or foreign
# (subordinate-uid) files in it.
t_rm_rf() {
	local dir=$1
	[ -e "$dir" ] || return 0
	rm -rf -- "$dir" 2>/dev/null && return 0
	chmod -R u+rwX -- "$dir" 2>/dev/null
	rm -rf -- "$dir" 2>/dev/null && return 0
	if declare -F t_hook_rm >/dev/null; then
		t_hook_rm "$dir" && [ ! -e "$dir" ] && return 0
	fi
	printf '# warning: could not remove %s\n' "$dir"
	return 1
}

# The test process: t_main --t-run-one FUNC (started by t_main itself).
t_run_one() {
	local func=$1 rc
	T_OUT=$T_TMP/.t-stdout
	T_ERR=$T_TMP/.t-stderr
	: >"$T_OUT"
	: >"$T_ERR"
	cd "$T_TMP" || exit 1
	trap t_run_deferred EXIT
	# An unexpected failing command ends the test and says where.
	set -eE -o pipefail
	trap 'printf "FAIL: command exited %s at %s:%s: %s\n" "$?" "${BASH_SOURCE[0]##*/}" "$LINENO" "$BASH_COMMAND" >&2' ERR
	if declare -F t_hook_setup >/dev/null; then
		t_hook_setup
	fi
	"$func"
	rc=$?
	if [ "$rc" -eq 0 ] && declare -F t_hook_check >/dev/null; then
		t_hook_check
	fi
	exit "$rc"
}

# Print a file as TAP diagnostics.
t_diag_file() {
	local line
	while IFS= read -r line || [ -n "$line" ]; do
		printf '#   %s\n' "$line"
	done <"$1"
}

t_main() {
	if [ "${1:-}" = "--t-run-one" ]; then
		t_run_one "$2"
	fi

	local filter=${T_FILTER:-} name func i n=0 passed=0 failed=0 skipped=0 rc log reason
	[ "$#" -gt 0 ] && filter=$*
	T_CURRENT_TMP=
	trap '[ -n "$T_CURRENT_TMP" ] && [ "${T_KEEP:-0}" != 1 ] && t_rm_rf "$T_CURRENT_TMP" >/dev/null; exit 130' INT TERM

	printf '# %s\n' "${T_FILE#*/tests/}"
	for i in "${!T_NAMES[@]}"; do
		name=${T_NAMES[$i]}
		func=${T_FUNCS[$i]}
		if [ -n "$filter" ] && [[ $name != *"$filter"* ]] && [[ $func != *"$filter"* ]]; then
			continue
		fi
		n=$((n + 1))
		if [ -n "${T_SKIP_ALL:-}" ]; then
			printf 'ok %d - %s # SKIP %s\n' "$n" "$name" "$T_SKIP_ALL"
			skipped=$((skipped + 1))
			continue
		fi

		T_CURRENT_TMP=$(t_mktemp) || {
			printf 'not ok %d - %s\n# cannot create a temporary directory\n' "$n" "$name"
			failed=$((failed + 1))
			continue
		}
		log=$T_CURRENT_TMP.log
		rc=0
		T_TMP=$T_CURRENT_TMP T_NAME=$name \
			timeout -k 5 "${T_TIMEOUT:-30}" "${T_WRAPPER[@]}" bash "$T_FILE" --t-run-one "$func" \
			</dev/null >"$log" 2>&1 || rc=$?

		case $rc in
		0)
			printf 'ok %d - %s\n' "$n" "$name"
			passed=$((passed + 1))
			[ "${T_VERBOSE:-0}" = 1 ] && t_diag_file "$log"
			;;
		77)
			reason=$(cat "$T_CURRENT_TMP/.t-skip" 2>/dev/null || echo "skipped")
			printf 'ok %d - %s # SKIP %s\n' "$n" "$name" "$reason"
			skipped=$((skipped + 1))
			;;
		*)
			printf 'not ok %d - %s\n' "$n" "$name"
			failed=$((failed + 1))
			if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
				printf '#   timed out after %ss\n' "${T_TIMEOUT:-30}"
			fi
			t_diag_file "$log"
			;;
		esac

		if [ "${T_KEEP:-0}" = 1 ]; then
			printf '#   kept %s\n' "$T_CURRENT_TMP"
		else
			t_rm_rf "$T_CURRENT_TMP"
			rm -f -- "$log"
		fi
		T_CURRENT_TMP=
	done

	printf '1..%d\n' "$n"
	printf '# %d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
	[ "$failed" -eq 0 ]
}
