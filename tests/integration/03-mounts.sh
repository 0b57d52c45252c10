#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 03-mounts.sh - the root filesystem: host image, writable layer, --rm, --read-only,
# -v, --tmpfs, /dev, /sys
# shellcheck disable=SC2016 # commands for inside the sandbox are single-quoted on purpose
set -u
# shellcheck source=tests/lib/sbx.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sbx.sh"

# The host image is the host's / : files of other owners stay unwritable and
# nothing reaches the host.
test_host_root_unwritable() {
	assert_not_exists /etc/sbx-test
	run_cmd sbx_run host sh -c 'echo x > /etc/sbx-test'
	if [ "$T_STATUS" = 0 ] || [ "$T_STATUS" -ge 125 ]; then
		t_show_output
		t_fail "writing /etc/sbx-test: expected the command to fail by itself, got status $T_STATUS"
	fi
	assert_file_has_content "$T_ERR" 'Permission denied|Read-only file system'
	assert_not_exists /etc/sbx-test
	assert_nothing_left
}

# The caller may write its own files inside, but the writes go to the private
# layer: the host copy is untouched (`run` binds nothing by itself). The files
# are under $HOME (the host image gives /tmp a tmpfs of its own); skipped when
# $HOME is not on the host's root filesystem.
test_host_writes_stay_private() {
	{ [ -d "$HOME" ] && [ -w "$HOME" ]; } || t_skip "no writable \$HOME"
	[ "$(stat -c %d /)" = "$(stat -c %d "$HOME")" ] || t_skip "\$HOME is not on the root filesystem"
	local dir
	dir=$(mktemp -d "$HOME/.sbx-test.XXXXXX")
	t_defer rm -rf "$dir"
	echo original >"$dir/f"
	assert_status 0 sbx_run host sh -c \
		"cat '$dir/f' && echo changed > '$dir/f' && cat '$dir/f' && echo new > '$dir/g' && rm '$dir/f' && ! test -e '$dir/f'"
	assert_eq "original
changed" "$(cat "$T_OUT")" "inside"
	assert_eq "original" "$(cat "$dir/f")" "host file after the sandbox"
	assert_not_exists "$dir/g"
	assert_nothing_left
}

# --rm: no store entry, no live state, no mounts, no processes.
test_rm_leaves_nothing() {
	assert_status 0 sbx_run host sh -c 'echo data > /tmp/sbx-rm-test'
	assert_nothing_left
	assert_status 0 sbx_run "$ROOTFS" sh -c 'echo data > /tmp/x; mkdir -p /a/b'
	assert_nothing_left
	assert_not_exists "$ROOTFS/a"
	assert_not_exists "$ROOTFS/tmp/x"
}

# Without --rm the writable layer stays in ROOT/sandboxes/<id>/upper; the live
# state in RUNROOT goes away when the sandbox exits.
test_no_rm_keeps_layer() {
	assert_status 0 sbx_run_keep "$ROOTFS" sh -c 'echo kept > /tmp/marker'
	assert_no_runroot_dirs
	local found
	# (find fails on overlay's unreadable work/work directory: ignore that)
	found=$(find "$SANDBOX_ROOT/sandboxes" -path '*/upper/tmp/marker' 2>/dev/null || true)
	[ -n "$found" ] || t_fail "no upper/tmp/marker under $SANDBOX_ROOT/sandboxes"
	assert_eq "kept" "$(cat "$found")" "marker in the writable layer"
	assert_not_exists "$ROOTFS/tmp/marker"
}

test_read_only() {
	run_cmd sbx_run --read-only "$ROOTFS" touch /newfile
	if [ "$T_STATUS" = 0 ] || [ "$T_STATUS" -ge 125 ]; then
		t_show_output
		t_fail "touch /newfile with --read-only: expected the command to fail, got status $T_STATUS"
	fi
	assert_file_has_content "$T_ERR" 'Read-only file system'
	assert_status 0 sbx_run --read-only "$ROOTFS" sh -c "awk '\$2 == \"/\" { print \$4 }' /proc/self/mounts"
	assert_match '^ro(,|$)' "$(tail -n 1 "$T_OUT")" "options of /"
	assert_nothing_left
}

# --read-only on an image without the mount points: docker and podman create
# them before the root turns read-only; here they come from outside the image
# (-v and --tmpfs targets, a bound file, the generated /etc files), and the
# root itself stays read-only.
test_read_only_mount_points() {
	mkdir "$T_TMP/vol"
	echo from-host >"$T_TMP/vol/h"
	echo conf >"$T_TMP/file"
	assert_status 0 sbx_run --read-only --hostname ro-box --tmpfs /scratch -v "$T_TMP/vol:/newdir" \
		-v "$T_TMP/file:/etc/myconf:ro" "$ROOTFS" sh -c '
		echo x > /scratch/f && cat /scratch/f /newdir/h /etc/myconf /etc/hostname
		grep -c "[[:space:]]ro-box$" /etc/hosts
		test -f /etc/resolv.conf && echo resolv.conf
		touch /newfile /etc/newfile 2>&1 || echo "touch: status $?"'
	assert_eq "x
from-host
conf
ro-box
1
resolv.conf
touch: /newfile: Read-only file system
touch: /etc/newfile: Read-only file system
touch: status 1" "$(cat "$T_OUT")" "mount points and the root"
	local p
	for p in scratch newdir etc/myconf etc/hostname etc/hosts etc/resolv.conf; do
		assert_not_exists "$ROOTFS/$p"
	done
	assert_nothing_left
}

# The mount points go where the image's symlinks lead, as the mounts do: a
# systemd-style /var/run -> ../run and a dangling /etc/resolv.conf ->
# ../run/systemd/resolve/stub-resolv.conf in a read-only root.
test_read_only_mount_points_through_symlinks() {
	local img=$T_TMP/img
	cp -a "$ROOTFS" "$img"
	ln -s ../run "$img/var/run"
	ln -s ../run/systemd/resolve/stub-resolv.conf "$img/etc/resolv.conf"
	assert_status 0 sbx_run --read-only --dns 192.0.2.53 --tmpfs /var/run/sub "$img" sh -c \
		'cat /etc/resolv.conf; awk "\$2 == \"/run/sub\" { print \$3 }" /proc/self/mounts'
	assert_eq "nameserver 192.0.2.53
tmpfs" "$(cat "$T_OUT")" "resolv.conf through the link, /var/run/sub on /run/sub"
	assert_not_exists "$img/run/sub"
	assert_not_exists "$img/run/systemd"
	assert_nothing_left
}

test_volume_rw() {
	mkdir "$T_TMP/vol"
	echo from-host >"$T_TMP/vol/h"
	assert_status 0 sbx_run -v "$T_TMP/vol:/mnt" "$ROOTFS" sh -c 'cat /mnt/h; echo from-inside > /mnt/f'
	assert_eq "from-host" "$(cat "$T_OUT")" "host file read inside"
	assert_eq "from-inside" "$(cat "$T_TMP/vol/f")" "file written inside, on the host"
	# :rw spelled out
	assert_status 0 sbx_run -v "$T_TMP/vol:/mnt:rw" "$ROOTFS" sh -c 'echo again > /mnt/f'
	assert_eq "again" "$(cat "$T_TMP/vol/f")" "with :rw"
	assert_nothing_left
}

test_volume_ro() {
	mkdir "$T_TMP/vol"
	echo from-host >"$T_TMP/vol/h"
	run_cmd sbx_run -v "$T_TMP/vol:/mnt:ro" "$ROOTFS" sh -c 'cat /mnt/h; echo x > /mnt/f'
	if [ "$T_STATUS" = 0 ] || [ "$T_STATUS" -ge 125 ]; then
		t_show_output
		t_fail "write to a :ro volume: expected the command to fail, got status $T_STATUS"
	fi
	assert_eq "from-host" "$(cat "$T_OUT")" "host file read inside"
	assert_file_has_content "$T_ERR" 'Read-only file system'
	assert_not_exists "$T_TMP/vol/f"
	assert_nothing_left
}

# A target missing inside is created (in the sandbox, not in the image).
test_volume_target_created() {
	mkdir "$T_TMP/vol"
	echo deep >"$T_TMP/vol/h"
	echo conf >"$T_TMP/file"
	assert_status 0 sbx_run -v "$T_TMP/vol:/new/dir/deep" -v "$T_TMP/file:/etc/myconf:ro" \
		"$ROOTFS" sh -c 'cat /new/dir/deep/h /etc/myconf'
	assert_eq "deep
conf" "$(cat "$T_OUT")" "bound directory and file"
	assert_not_exists "$ROOTFS/new"
	assert_not_exists "$ROOTFS/etc/myconf"
	assert_nothing_left
}

test_tmpfs() {
	assert_status 0 sbx_run --tmpfs /run:size=1m "$ROOTFS" sh -c \
		"awk '\$2 == \"/run\" { m = \$3 \" \" \$4 } END { print m }' /proc/self/mounts; echo x > /run/file && cat /run/file"
	assert_match '^tmpfs rw,.*size=1024k' "$(sed -n 1p "$T_OUT")" "/run mount"
	assert_eq "x" "$(sed -n 2p "$T_OUT")" "write to the tmpfs"
	# a missing target is created, docker's option syntax with mode
	assert_status 0 sbx_run --tmpfs /scratch:rw,size=2m,mode=1777 "$ROOTFS" sh -c \
		"awk '\$2 == \"/scratch\" { m = \$3 } END { print m }' /proc/self/mounts; stat -c %a /scratch"
	assert_eq "tmpfs
1777" "$(cat "$T_OUT")" "/scratch mount and mode"
	assert_not_exists "$ROOTFS/scratch"
}

# /proc is the sandbox's own: only its processes are visible.
test_proc_is_private() {
	assert_status 0 sbx_run "$ROOTFS" sh -c 'ls -d /proc/[0-9]* | wc -l'
	local n
	n=$(cat "$T_OUT")
	{ [ "$n" -ge 2 ] && [ "$n" -le 6 ]; } || t_fail "expected 2 to 6 processes in /proc, saw $n"
}

# A minimal /dev: the usual character devices, devpts with ptmx, /dev/shm, and
# no block devices.
test_dev_minimal() {
	assert_status 0 sbx_run "$ROOTFS" sh -c '
		for d in null zero full random urandom tty ptmx; do test -c /dev/$d && echo "$d c"; done
		test -d /dev/pts && echo "pts d"
		test -d /dev/shm && echo "shm d"
		echo discard > /dev/null && echo "null w"
		test "$(head -c 4 /dev/zero | od -An -tx1 | tr -d " ")" = 00000000 && echo "zero r"
		find /dev -type b | wc -l
		awk "\$2 == \"/dev/pts\" { m = \$3 } END { print m }" /proc/self/mounts'
	assert_eq "null c
zero c
full c
random c
urandom c
tty c
ptmx c
pts d
shm d
null w
zero r
0
devpts" "$(cat "$T_OUT")" "/dev"
}

test_sys_read_only() {
	assert_status 0 sbx_run "$ROOTFS" sh -c "awk '\$2 == \"/sys\" { m = \$3 \" \" \$4 } END { print m }' /proc/self/mounts"
	assert_match '^sysfs ro(,|$)' "$(cat "$T_OUT")" "/sys mount"
}

# The old root is detached: the host's mounts are not in the sandbox's mount
# table (they would show the host's layout and devices).
test_host_mounts_hidden() {
	assert_status 0 sbx_run "$ROOTFS" sh -c 'awk "{ print \$5 }" /proc/self/mountinfo'
	local roots
	roots=$(grep -c '^/$' "$T_OUT" || true)
	assert_eq 1 "$roots" "mounts on / in the sandbox's mount table"
	local hostonly
	hostonly=$(awk '$5 != "/" && $5 !~ "^/(proc|sys|dev|run|tmp|etc)(/|$)" { print $5 }' /proc/self/mountinfo | sort -u)
	local m
	for m in $hostonly; do
		assert_not_file_has_content "$T_OUT" "^$m\$"
	done
}

t "host image: root-owned host files stay unwritable" test_host_root_unwritable
t "host image: writes never reach the host" test_host_writes_stay_private
t "--rm leaves nothing behind" test_rm_leaves_nothing
t "without --rm the writable layer is kept" test_no_rm_keeps_layer
t "--read-only root" test_read_only
t "--read-only: missing mount points are made outside the image" test_read_only_mount_points
t "--read-only: mount points through the image's symlinks" test_read_only_mount_points_through_symlinks
t "-v HOST:PATH is read-write" test_volume_rw
t "-v HOST:PATH:ro is read-only" test_volume_ro
t "-v creates a missing target inside" test_volume_target_created
t "--tmpfs mounts a tmpfs" test_tmpfs
t "/proc shows only the sandbox" test_proc_is_private
t "/dev is minimal" test_dev_minimal
t "/sys is read-only" test_sys_read_only
t "the host's mounts are not visible inside" test_host_mounts_hidden
t_main "$@"
