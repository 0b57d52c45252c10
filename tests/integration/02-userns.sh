#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 02-userns.sh - user namespace mappings: auto (subordinate range), single, keep-id
# shellcheck disable=SC2016 # commands for inside the sandbox are single-quoted on purpose
set -u
# shellcheck source=tests/lib/sbx.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sbx.sh"

# The caller's range as "START COUNT".
my_subuid() { subid_range /etc/subuid; }
my_subgid() { subid_range /etc/subgid; }

# Normalise a uid_map/gid_map: one "INSIDE OUTSIDE COUNT" per line.
norm_map() {
	awk '{ $1 = $1; print }' "$@"
}

test_uid_map_auto() {
	require_subuid
	local uid_start uid_count gid_start gid_count
	read -r uid_start uid_count <<<"$(my_subuid)"
	read -r gid_start gid_count <<<"$(my_subgid)"
	assert_status 0 sbx_run --userns auto "$ROOTFS" cat /proc/self/uid_map
	assert_eq "0 $MY_UID 1
1 $uid_start $uid_count" "$(norm_map "$T_OUT")" uid_map
	assert_status 0 sbx_run --userns auto "$ROOTFS" cat /proc/self/gid_map
	assert_eq "0 $MY_GID 1
1 $gid_start $gid_count" "$(norm_map "$T_OUT")" gid_map
	# and auto is the default
	assert_status 0 sbx_run "$ROOTFS" cat /proc/self/uid_map
	assert_eq "0 $MY_UID 1
1 $uid_start $uid_count" "$(norm_map "$T_OUT")" "default uid_map"
	assert_file_empty "$T_ERR"
}

test_uid_map_single() {
	assert_status 0 sbx_run --userns single "$ROOTFS" sh -c 'cat /proc/self/uid_map; cat /proc/self/gid_map'
	assert_eq "0 $MY_UID 1
0 $MY_GID 1" "$(norm_map "$T_OUT")" "uid_map and gid_map"
}

test_keep_id() {
	require_subuid
	assert_status 0 sbx_run --userns keep-id "$ROOTFS" sh -c 'id -u; id -g'
	assert_eq "$MY_UID
$MY_GID" "$(cat "$T_OUT")" "id inside with keep-id"
}

test_whoami_root() {
	assert_status 0 sbx_run "$ROOTFS" id -u
	assert_eq 0 "$(cat "$T_OUT")" "id -u"
}

# A chown to a subordinate id works in auto mode and is visible on the host as
# the mapped id (here through a bind mount).
test_chown_auto() {
	require_subuid
	local uid_start gid_start _
	read -r uid_start _ <<<"$(my_subuid)"
	read -r gid_start _ <<<"$(my_subgid)"
	mkdir "$T_TMP/vol"
	assert_status 0 sbx_run "$ROOTFS" sh -c \
		'touch /tmp/x && sbx-probe chown /tmp/x 1000 1000 && stat -c %u:%g /tmp/x'
	assert_eq "chown: ok
1000:1000" "$(cat "$T_OUT")" "chown in the writable layer"
	assert_status 0 sbx_run -v "$T_TMP/vol:/vol" "$ROOTFS" sh -c \
		'touch /vol/y && sbx-probe chown /vol/y 1000 1000'
	assert_eq "$((uid_start + 999)):$((gid_start + 999))" "$(stat -c %u:%g "$T_TMP/vol/y")" \
		"owner on the host"
}

test_setuid_auto() {
	require_subuid
	assert_status 0 sbx_run "$ROOTFS" sbx-probe setuid 1000
	assert_eq "setuid 1000: ok uid=1000 gid=0" "$(cat "$T_OUT")" setuid
	assert_status 0 sbx_run "$ROOTFS" sbx-probe setgid 2000
	assert_eq "setgid 2000: ok uid=0 gid=2000" "$(cat "$T_OUT")" setgid
}

# Single mode: 1000 is not mapped, the kernel says EINVAL; no crash, the
# command's own status comes back.
test_chown_single_fails_cleanly() {
	assert_status 1 sbx_run --userns single "$ROOTFS" sh -c 'touch /tmp/x && sbx-probe chown /tmp/x 1000 1000'
	assert_eq "chown: EINVAL" "$(cat "$T_OUT")" chown
	assert_status 1 sbx_run --userns single "$ROOTFS" sbx-probe setuid 1000
	assert_eq "setuid 1000: EINVAL" "$(cat "$T_OUT")" setuid
	assert_nothing_left
}

# Files the caller owns on the host belong to root inside (bind mount).
test_host_owner_is_root() {
	mkdir "$T_TMP/vol"
	touch "$T_TMP/vol/mine"
	assert_status 0 sbx_run -v "$T_TMP/vol:/vol" "$ROOTFS" stat -c %u:%g /vol/mine
	assert_eq "0:0" "$(cat "$T_OUT")" "owner inside"
}

t "uid_map/gid_map show the subordinate range (auto)" test_uid_map_auto
t "--userns single maps only root" test_uid_map_single
t "--userns keep-id keeps the caller's ids" test_keep_id
t "the command runs as root inside" test_whoami_root
t "chown to 1000 works in auto mode" test_chown_auto
t "setresuid/setresgid to mapped ids work" test_setuid_auto
t "chown/setuid to 1000 fail cleanly in single mode" test_chown_single_fails_cleanly
t "the caller's files belong to root inside" test_host_owner_is_root
t_main "$@"
