#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 07-errors.sh - bad input and failures: one clear line, the right exit code
# (125 sandbox, 126 not executable, 127 not found), and nothing left behind
# shellcheck disable=SC2016 # commands for inside the sandbox are single-quoted on purpose
set -u
# shellcheck source=tests/lib/sbx.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sbx.sh"

# expect_125 REGEX ARGS...: `sandbox ARGS` fails with 125, one error line
# matching REGEX, nothing left behind.
expect_125() {
	local regex=$1
	shift
	if [ "${1:-}" = run ]; then
		shift
		set -- run "${SBX_RUN_DEFAULTS[@]}" "$@"
	fi
	assert_status 125 "$SANDBOX" "$@"
	assert_error_line "$regex"
	assert_nothing_left
}

test_bad_flag() {
	expect_125 'no-such-flag' run --no-such-flag --network none "$ROOTFS" true
	expect_125 'no-such-global' --no-such-global run --network none "$ROOTFS" true
	expect_125 'no-such-command' no-such-command
	expect_125 '' run
}

test_bad_option_values() {
	expect_125 'bogus' run --userns bogus --network none "$ROOTFS" true
	expect_125 'bogus' run --network bogus "$ROOTFS" true
	expect_125 'maybe' run --init=maybe --network none "$ROOTFS" true
	expect_125 'NOT_A_CAP' run --cap-add NOT_A_CAP --network none "$ROOTFS" true
	expect_125 'bogus' run --security-opt bogus=1 --network none "$ROOTFS" true
}

test_rootfs_missing() {
	expect_125 "$T_TMP/no-such-rootfs" run --network none "$T_TMP/no-such-rootfs" true
}

# The kernel refuses an overlay whose lower directory has mounts locked
# below it (the host's / in a user namespace): the error names overlayfs.
test_overlay_refused() {
	expect_125 "overlay" run --network none / true
	assert_file_has_content "$T_ERR" '^hint: '
}

test_rootfs_not_a_directory() {
	echo "not a rootfs" >"$T_TMP/afile"
	expect_125 "$T_TMP/afile" run --network none "$T_TMP/afile" true
}

test_command_not_found() {
	assert_status 127 sbx_run "$ROOTFS" /nonexistent
	assert_exactly_one_stderr_line '/nonexistent'
	assert_nothing_left
	assert_status 127 sbx_run "$ROOTFS" no-such-command-in-path
	assert_exactly_one_stderr_line 'no-such-command-in-path'
	assert_nothing_left
}

test_not_executable() {
	assert_status 126 sbx_run "$ROOTFS" /etc/passwd
	assert_exactly_one_stderr_line '/etc/passwd'
	assert_nothing_left
	assert_status 126 sbx_run "$ROOTFS" /tmp
	assert_exactly_one_stderr_line '/tmp'
	assert_nothing_left
}

test_unknown_user() {
	expect_125 'nosuchuser' run --rm --network none -u nosuchuser "$ROOTFS" true
	expect_125 'nosuchgroup' run --rm --network none -u tester:nosuchgroup "$ROOTFS" true
}

test_bad_volume_specs() {
	mkdir "$T_TMP/vol"
	expect_125 'bogus' run --network none -v "$T_TMP/vol:/mnt:bogus" "$ROOTFS" true
	expect_125 'relative' run --network none -v "$T_TMP/vol:relative" "$ROOTFS" true
	expect_125 '' run --network none -v "" "$ROOTFS" true
	expect_125 '' run --network none -v ":/mnt" "$ROOTFS" true
	expect_125 "$T_TMP/no-such-dir" run --network none -v "$T_TMP/no-such-dir:/mnt" "$ROOTFS" true
}

test_bad_tmpfs() {
	expect_125 'relative' run --network none --tmpfs relative "$ROOTFS" true
	expect_125 '/run' run --network none --tmpfs /run:size=banana "$ROOTFS" true
}

test_missing_files() {
	expect_125 "$T_TMP/no-such-env" run --network none --env-file "$T_TMP/no-such-env" "$ROOTFS" true
	expect_125 "$T_TMP/no-such-profile.json" run --network none \
		--security-opt "seccomp=$T_TMP/no-such-profile.json" "$ROOTFS" true
}

# newuidmap refuses: 125 and the error line names it. The tool only runs
# helpers that are setuid root (or have file capabilities), so root prepares
# failing fakes that look like that (setuid-root shell scripts, which the kernel
# runs without privilege) in $SBX_FAKE_IDMAP_DIR, and they come first in PATH.
test_newuidmap_refusing() {
	require_subuid
	local dir=${SBX_FAKE_IDMAP_DIR:-}
	{ [ -n "$dir" ] && [ -u "$dir/newuidmap" ]; } ||
		t_skip "needs root to prepare (setuid-root failing newuidmap/newgidmap fakes: run tests/run.sh as root)"
	PATH="$dir:$PATH" assert_status 125 "$SANDBOX" run --network none --userns auto "$ROOTFS" true
	# the helper's own message may be passed on: allow two more lines
	T_ERR_EXTRA=2 assert_error_line 'new[ug]idmap'
	assert_nothing_left
}

# User namespaces disabled (user.max_user_namespaces=0, set in a user namespace
# of our own, which the limit is per): 125 and the line names the setting.
test_userns_disabled() {
	require_cmd unshare
	unshare -Ur sh -c 'echo 0 > /proc/sys/user/max_user_namespaces' 2>/dev/null ||
		t_skip "user.max_user_namespaces cannot be set inside a user namespace here"
	assert_status 125 unshare -Ur sh -c \
		'echo 0 > /proc/sys/user/max_user_namespaces && exec "$0" run --network none --userns single "$1" true' \
		"$SANDBOX" "$ROOTFS"
	assert_error_line 'user\.max_user_namespaces'
	assert_nothing_left
}

t "unknown flag or command: 125" test_bad_flag
t "bad option values: 125" test_bad_option_values
t "missing rootfs: 125" test_rootfs_missing
t "rootfs not a directory: 125" test_rootfs_not_a_directory
t "overlay refused by the kernel: 125 naming overlay" test_overlay_refused
t "command not found: 127, one line" test_command_not_found
t "not executable: 126, one line" test_not_executable
t "-u unknown in the image: 125" test_unknown_user
t "bad -v specs: 125" test_bad_volume_specs
t "bad --tmpfs: 125" test_bad_tmpfs
t "missing --env-file / seccomp profile: 125" test_missing_files
t "newuidmap refusing: 125 naming newuidmap" test_newuidmap_refusing
t "user namespaces disabled: 125 naming the sysctl" test_userns_disabled
t_main "$@"
