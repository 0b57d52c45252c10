#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 18-rootfs-dirs.sh - a root filesystem directory owned by someone else: a tree owned by
# root (as debootstrap or an admin leaves one, shared read-only) runs in every --userns mode
# shellcheck disable=SC2016 # commands for inside the sandbox are single-quoted on purpose
set -u
# shellcheck source=tests/lib/sbx.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sbx.sh"

# The tree is made by root (tests/run.sh as root): the test user cannot chown.
ROOTOWNED=${SBX_ROOTOWNED_ROOTFS:-}

require_rootowned() {
	if [ -z "$ROOTOWNED" ] || [ ! -d "$ROOTOWNED" ]; then
		t_skip "needs a rootfs owned by root, which only root can make (run tests/run.sh as root)"
	fi
	[ "$(stat -c %u:%g "$ROOTOWNED/etc")" = 0:0 ] || t_skip "$ROOTOWNED/etc is not owned by root"
}

# require_userns_mode MODE: auto and keep-id map more than the caller.
require_userns_mode() {
	[ "$1" = single ] || require_subuid
}

# What runs inside: the generated /etc files are in place, the tree's files are
# readable where their modes say so and unwritable where their owners say so,
# /tmp and /var/tmp (1777) take files.
PROBE_SCRIPT='
cat /etc/hostname
grep -c "[[:space:]]$(cat /etc/hostname)\$" /etc/hosts
test -f /etc/resolv.conf && echo resolv.conf
head -n 1 /etc/passwd
echo x >>/etc/passwd 2>/dev/null || echo "/etc/passwd: unwritable"
touch /etc/new 2>/dev/null || echo "/etc: unwritable"
echo t >/tmp/t && cat /tmp/t
echo v >/var/tmp/v && cat /var/tmp/v'

# rootowned_runs MODE: the tree runs with --userns MODE.
rootowned_runs() {
	require_rootowned
	require_userns_mode "$1"
	assert_status 0 sbx_run --userns "$1" --hostname "box-$1" "$ROOTOWNED" sh -c "$PROBE_SCRIPT"
	assert_eq "box-$1
1
resolv.conf
root:x:0:0:root:/root:/bin/sh
/etc/passwd: unwritable
/etc: unwritable
t
v" "$(cat "$T_OUT")" "inside the root-owned tree, --userns $1"
	assert_nothing_left
}

test_auto() { rootowned_runs auto; }
test_keep_id() { rootowned_runs keep-id; }
test_single() { rootowned_runs single; }

# rootowned_read_only MODE: the same with --read-only: the generated files are
# there, nothing takes writes (/tmp included: no writable layer was asked for).
rootowned_read_only() {
	require_rootowned
	require_userns_mode "$1"
	assert_status 0 sbx_run --read-only --userns "$1" --hostname "ro-$1" "$ROOTOWNED" sh -c '
		cat /etc/hostname; grep -c "[[:space:]]ro-'"$1"'\$" /etc/hosts; test -f /etc/resolv.conf && echo resolv.conf
		touch /tmp/t 2>&1 || echo "touch: status $?"'
	assert_eq "ro-$1
1
resolv.conf
touch: /tmp/t: Read-only file system
touch: status 1" "$(cat "$T_OUT")" "--read-only root-owned tree, --userns $1"
	assert_nothing_left
}

test_read_only_auto() { rootowned_read_only auto; }
test_read_only_keep_id() { rootowned_read_only keep-id; }
test_read_only_single() { rootowned_read_only single; }

# -v and --tmpfs targets the tree lacks, below directories nobody inside may
# write: made outside the tree.
test_mount_points() {
	require_rootowned
	mkdir "$T_TMP/vol"
	echo from-host >"$T_TMP/vol/h"
	assert_status 0 sbx_run -v "$T_TMP/vol:/srv/data" --tmpfs /etc/conf.d "$ROOTOWNED" sh -c \
		'cat /srv/data/h; echo c >/etc/conf.d/c && cat /etc/conf.d/c; echo w >/srv/data/w'
	assert_eq "from-host
c" "$(cat "$T_OUT")" "volume and tmpfs in the root-owned tree"
	assert_eq "w" "$(cat "$T_TMP/vol/w")" "written through the volume"
	assert_not_exists "$ROOTOWNED/srv"
	assert_not_exists "$ROOTOWNED/etc/conf.d"
	assert_nothing_left
}

t "root-owned rootfs directory, --userns auto" test_auto
t "root-owned rootfs directory, --userns keep-id" test_keep_id
t "root-owned rootfs directory, --userns single" test_single
t "root-owned rootfs directory, --read-only --userns auto" test_read_only_auto
t "root-owned rootfs directory, --read-only --userns keep-id" test_read_only_keep_id
t "root-owned rootfs directory, --read-only --userns single" test_read_only_single
t "root-owned rootfs directory: -v and --tmpfs targets it lacks" test_mount_points
t_main "$@"
