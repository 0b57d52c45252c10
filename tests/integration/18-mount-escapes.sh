#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 18-mount-escapes.sh - what the sandbox's mounts must not give away: the
# caller's unix sockets and FIFOs (host image), host mounts made after the
# start, and (with CAP_SYS_ADMIN) the masks and read-only binds themselves
# shellcheck disable=SC2016 # commands for inside the sandbox are single-quoted on purpose
set -u
# shellcheck source=tests/lib/sbx.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sbx.sh"

# ---- mount propagation -----------------------------------------------------

# A mount the host makes under a :ro volume after the start does not appear
# inside (it would bring its own, writable flags). The test's "host" is an
# `unshare -Urm --propagation shared` namespace the sandbox starts from.
test_later_host_mount_not_propagated() {
	require_cmd unshare mount
	unshare -Urm --propagation shared true 2>/dev/null ||
		t_skip "unshare -Urm --propagation shared does not work here"
	mkdir -p "$T_TMP/vol/sub" "$T_TMP/ctl"
	# shellcheck disable=SC2154 # $1, $2 are the inner sh's
	run_cmd unshare -Urm --propagation shared sh -c '
		"$SANDBOX" run --rm --network none -v "$1/vol:/vol:ro" -v "$1/ctl:/ctl" "$2" sh -c "
			touch /ctl/started
			i=0; while [ ! -e /ctl/go ] && [ \$i -lt 200 ]; do sleep 0.05; i=\$((i + 1)); done
			echo mounts: \$(grep -c \" /vol/sub \" /proc/self/mountinfo)
			echo x > /vol/sub/f && echo wrote; true" &
		i=0; while [ ! -e "$1/ctl/started" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
		mount -t tmpfs sbx-late "$1/vol/sub" || echo "host mount failed"
		touch "$1/ctl/go"
		wait $!
		echo host: $(ls "$1/vol/sub")' sh "$T_TMP" "$ROOTFS"
	assert_eq "mounts: 0
host:" "$(cat "$T_OUT")" "the late mount inside, and on its host side"
	assert_nothing_left
}

# ---- CAP_SYS_ADMIN: the mounts are locked ----------------------------------

# Masks and read-only /proc paths stay, and a mount of its own still works.
test_sys_admin_keeps_masks() {
	assert_status 0 sbx_run --cap-add SYS_ADMIN "$ROOTFS" sh -c '
		for p in /proc/acpi /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug /proc/sys /proc/sysrq-trigger; do
			grep -q " $p " /proc/self/mountinfo || continue
			if umount "$p" 2>/dev/null; then echo "unmounted $p"; else echo "kept $p"; fi
		done
		mkdir -p /tmp/m && mount -t tmpfs own /tmp/m && echo "mounted a tmpfs"
		hostname renamed && hostname'
	assert_not_file_has_content "$T_OUT" unmounted
	assert_file_has_content "$T_OUT" "kept /proc/sys"
	assert_file_has_content "$T_OUT" "kept /proc/keys"
	assert_file_has_content "$T_OUT" "mounted a tmpfs"
	assert_eq renamed "$(tail -n 1 "$T_OUT")" "hostname set with CAP_SYS_ADMIN"
	assert_nothing_left
}

# A :ro volume, a --read-only root and the host image's binds cannot be
# remounted read-write or unmounted.
test_sys_admin_keeps_read_only() {
	mkdir "$T_TMP/vol"
	assert_status 0 sbx_run --cap-add SYS_ADMIN -v "$T_TMP/vol:/vol:ro" "$ROOTFS" sh -c '
		mount -o remount,rw,bind /vol 2>/dev/null && echo remounted
		umount /vol 2>/dev/null && echo unmounted
		echo x 2>/dev/null >/vol/f && echo wrote; true'
	assert_file_empty "$T_OUT"
	assert_not_exists "$T_TMP/vol/f"
	assert_status 0 sbx_run --cap-add SYS_ADMIN --read-only "$ROOTFS" sh -c '
		mount -o remount,rw / 2>/dev/null && echo remounted
		touch /newfile 2>/dev/null && echo wrote; true'
	assert_file_empty "$T_OUT"
	assert_not_exists "$ROOTFS/newfile"
	assert_status 0 sbx_run --cap-add SYS_ADMIN host sh -c '
		mount -o remount,rw,bind /etc 2>/dev/null && echo remounted
		umount -l /etc 2>/dev/null && echo unmounted; true'
	assert_file_empty "$T_OUT"
	assert_nothing_left
}

# Capabilities over the network still count (the network namespace belongs
# to the command's user namespace), and `exec` joins the locked mounts, with
# and without the sandbox's init.
test_sys_admin_exec_and_network() {
	local init
	assert_status 0 sbx_run --cap-add SYS_ADMIN --cap-add NET_ADMIN "$ROOTFS" sh -c \
		'ip link set lo down && ip link show lo | grep -c "<LOOPBACK>"'
	assert_eq 1 "$(cat "$T_OUT")" "lo set down with NET_ADMIN"
	for init in true false; do
		run_cmd "$SANDBOX" run -d --network none --init=$init --cap-add SYS_ADMIN "${SBX_RUN_DEFAULTS[@]}" \
			"$ROOTFS" sleep 60
		[ "$T_STATUS" = 0 ] || { t_show_output; t_fail "run -d failed with $T_STATUS"; }
		ID=$(cat "$T_OUT")
		t_defer "$SANDBOX" rm -f "$ID"
		assert_status 0 "$SANDBOX" exec "$ID" sh -c '
			umount /proc/sys 2>/dev/null && echo unmounted
			mount -o remount,rw / 2>/dev/null && echo remounted
			awk "\$1 != \$2" /proc/self/uid_map | wc -l'
		assert_eq 0 "$(cat "$T_OUT")" "exec --init=$init: no unmount, no remount, the nested (identity) map"
		assert_status 0 "$SANDBOX" rm -f "$ID"
	done
	assert_nothing_left
}

t "a host mount made after the start does not propagate" test_later_host_mount_not_propagated
t "CAP_SYS_ADMIN cannot unmount the masks" test_sys_admin_keeps_masks
t "CAP_SYS_ADMIN cannot remount read-only binds" test_sys_admin_keeps_read_only
t "CAP_SYS_ADMIN: exec and network capabilities" test_sys_admin_exec_and_network
t_main "$@"
