#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 18-session-escapes.sh - what a sandbox could reach of the caller's session: descriptors,
# process group, terminal, session keyring
# shellcheck disable=SC2016 # commands for inside the sandbox are single-quoted on purpose
set -u
# shellcheck source=tests/lib/sbx.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sbx.sh"

# A descriptor the caller leaks (no close-on-exec) does not reach the command,
# even under a profile whose filter refuses close_range(2).
test_fds_closed_before_seccomp() {
	cat >"$T_TMP/profile.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["close_range"], "action": "SCMP_ACT_ERRNO"}]}
JSON
	echo secret >"$T_TMP/secret"
	assert_status 0 sbx_run "$ROOTFS" sbx-probe fds 7<"$T_TMP/secret"
	assert_status 0 sbx_run --security-opt "seccomp=$T_TMP/profile.json" "$ROOTFS" sbx-probe fds 7<"$T_TMP/secret"
	assert_eq "" "$(cat "$T_OUT")" "descriptors open in the command"
	# the profile is in force: close_range fails inside
	assert_status 0 sbx_run --security-opt "seccomp=$T_TMP/profile.json" "$ROOTFS" sbx-probe denied close_range
	assert_eq "close_range: EPERM" "$(cat "$T_OUT")" "close_range under the profile"
}

t "descriptors are closed before the seccomp filter" test_fds_closed_before_seccomp
t_main "$@"
