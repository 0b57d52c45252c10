#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# nosub/01-single-id.sh - a user without subordinate ranges (run as sbxnosub):
# the default run falls back to a single-ID mapping and says so once
# shellcheck disable=SC2016 # commands for inside the sandbox are single-quoted on purpose
set -u
# shellcheck source=tests/lib/sbx.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../lib/sbx.sh"

# These tests are about what the default does without ranges.
SBX_RUN_DEFAULTS=()

# Squeeze the blanks of uid_map/gid_map lines: "INSIDE OUTSIDE COUNT".
norm_map() {
	awk '{ $1 = $1; print }' "$@"
}

test_default_run_works() {
	require_no_subuid
	assert_status 0 sbx_run "$ROOTFS" sh -c 'cat /proc/self/uid_map /proc/self/gid_map; cat /proc/self/setgroups; id -u'
	assert_eq "0 $MY_UID 1
0 $MY_GID 1
deny
0" "$(norm_map "$T_OUT")" "uid_map, gid_map, setgroups, id -u"
	# said once on stderr, and nothing else
	local n
	n=$(grep -ciE 'single' "$T_ERR" || true)
	if [ "$n" != 1 ]; then
		t_show_output
		t_fail "expected one stderr line about the single-ID mapping, got $n"
	fi
	[ "$(grep -c '' "$T_ERR")" -le 2 ] || { t_show_output; t_fail "more than a notice and a hint on stderr"; }
	assert_nothing_left
}

test_explicit_auto_falls_back() {
	require_no_subuid
	assert_status 0 sbx_run --userns auto "$ROOTFS" cat /proc/self/uid_map
	assert_eq "0 $MY_UID 1" "$(norm_map "$T_OUT")" uid_map
	assert_file_has_content "$T_ERR" '[Ss]ingle'
}

test_single_mode_is_quiet() {
	assert_status 0 sbx_run --userns single "$ROOTFS" true
	assert_file_empty "$T_ERR"
}

test_unmapped_ids_fail_cleanly() {
	require_no_subuid
	assert_status 1 sbx_run "$ROOTFS" sh -c 'touch /tmp/x && sbx-probe chown /tmp/x 1000 1000'
	assert_eq "chown: EINVAL" "$(cat "$T_OUT")" chown
	assert_status 1 sbx_run "$ROOTFS" sbx-probe setuid 1000
	assert_eq "setuid 1000: EINVAL" "$(cat "$T_OUT")" setuid
	assert_nothing_left
}

test_host_image_works() {
	require_no_subuid
	assert_status 0 sbx_run host sh -c 'echo ok'
	assert_eq ok "$(cat "$T_OUT")" "output"
	assert_nothing_left
}

t "default run works with a single-ID mapping, said once" test_default_run_works
t "--userns auto falls back to a single ID" test_explicit_auto_falls_back
t "--userns single says nothing" test_single_mode_is_quiet
t "chown/setuid to unmapped ids fail cleanly" test_unmapped_ids_fail_cleanly
t "the host image works without ranges" test_host_image_works
t_main "$@"
