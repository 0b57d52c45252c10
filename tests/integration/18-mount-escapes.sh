#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 18-mount-escapes.sh - what the sandbox's mounts must not give away: the
# caller's unix sockets and FIFOs (host image), host mounts made after the
# start, and (with CAP_SYS_ADMIN) the masks and read-only binds themselves
# shellcheck disable=SC2016 # commands for inside the sandbox are single-quoted on purpose
set -u
# shellcheck source=tests/lib/sbx.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sbx.sh"

# ---- the caller's unix sockets and FIFOs (host image) ----------------------

# Run inside (python3 of the host image): connect to the unix socket $1 and
# open the FIFO $2 for writing without blocking; one line each.
PEEK_PY='import os, socket, sys
try:
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    print("connect: reached", s.recv(64).decode().strip())
except OSError as e:
    print("connect:", e.strerror)
try:
    os.open(sys.argv[2], os.O_WRONLY | os.O_NONBLOCK)
    print("fifo: reached")
except OSError as e:
    print("fifo:", e.strerror)'

# caller_endpoints DIR: a unix socket server (DIR/agent.sock, answers
# "secret") and a FIFO with a reader (DIR/fifo) of the caller's, as an
# ssh or gpg agent would have them.
caller_endpoints() {
	local dir=$1 i
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(8)
while True:
    c, _ = s.accept()
    c.sendall(b"secret\n")
    c.close()' "$dir/agent.sock" &
	t_defer kill $!
	mkfifo "$dir/fifo"
	sleep 60 <>"$dir/fifo" &
	t_defer kill $!
	for ((i = 0; i < 100; i++)); do
		[ -S "$dir/agent.sock" ] && break
		sleep 0.05
	done
	[ -S "$dir/agent.sock" ] || t_fail "the test's socket server did not start"
	# the host side reaches both
	python3 -c "$PEEK_PY" "$dir/agent.sock" "$dir/fifo" >"$T_TMP/host-peek"
	assert_eq "connect: reached secret
fifo: reached" "$(cat "$T_TMP/host-peek")" "on the host"
}

# assert_unreached: the last PEEK_PY run reached neither.
assert_unreached() {
	assert_eq "connect: Connection refused
fifo: No such device or address" "$(cat "$T_OUT")" "$1"
}

# A socket and a FIFO of the caller's deep in $HOME: not reachable from the
# host image, with its writable layer or with --read-only (read-only binds
# of the caller's files would not stop connect() or a FIFO's open()).
test_host_sockets_fifos_unreachable() {
	require_cmd python3
	{ [ -d "$HOME" ] && [ -w "$HOME" ]; } || t_skip "no writable \$HOME"
	[ "$(stat -c %u "$HOME")" = "$MY_UID" ] || t_skip "\$HOME is not the caller's"
	local dir
	dir=$(mktemp -d "$HOME/.sbx-test.XXXXXX")
	t_defer rm -rf "$dir"
	mkdir "$dir/x"
	caller_endpoints "$dir/x"
	assert_status 0 sbx_run host python3 -c "$PEEK_PY" "$dir/x/agent.sock" "$dir/x/fifo"
	assert_unreached "host image"
	assert_status 0 sbx_run --read-only host python3 -c "$PEEK_PY" "$dir/x/agent.sock" "$dir/x/fifo"
	assert_unreached "host image, --read-only"
	assert_nothing_left
}

# staged_home NAME: $SBX_HOMES_DIR/NAME, staged by tests/run.sh as root
# (SBX_HOMES_DIR: root-owned, mode 0711; USER, and link -> deep/USER).
staged_home() {
	{ [ -n "${SBX_HOMES_DIR:-}" ] && [ -d "$SBX_HOMES_DIR/$(id -un)" ]; } ||
		t_skip "no staged homes (tests/run.sh run as root stages SBX_HOMES_DIR)"
	[ "$(stat -c %u "$(realpath "$SBX_HOMES_DIR/$1")")" = "$MY_UID" ] || t_skip "$SBX_HOMES_DIR/$1 is not ours"
	echo "$SBX_HOMES_DIR/$1"
}

# assert_home_covered HOME: with HOME set so, the sockets and FIFOs in it
# are unreachable from the host image (with and without --read-only), and
# it is writable, to the private layer, as the caller's home must be.
assert_home_covered() {
	local home=$1 dir ro
	dir=$(mktemp -d "$home/.sbx-test.XXXXXX")
	t_defer rm -rf "$dir"
	caller_endpoints "$dir"
	for ro in "" --read-only; do
		HOME=$home assert_status 0 sbx_run ${ro:+"$ro"} host python3 -c "$PEEK_PY" "$dir/agent.sock" "$dir/fifo"
		assert_unreached "HOME=$home $ro"
	done
	HOME=$home assert_status 0 sbx_run host sh -c 'echo x >"$1/w" && cat "$1/w"' sh "$dir"
	assert_eq x "$(cat "$T_OUT")" "a file written in HOME=$home"
	assert_not_exists "$dir/w"
}

# $HOME in a directory the caller cannot list (/home with mode 0711) has its
# overlay as any other: a read-only bind would not stop connect().
test_home_in_unlistable_parent() {
	require_cmd python3
	local home
	home=$(staged_home "$(id -un)") || exit
	ls "$SBX_HOMES_DIR" >/dev/null 2>&1 && t_skip "$SBX_HOMES_DIR is listable"
	assert_home_covered "$home"
	assert_nothing_left
}

# $HOME reached through a symlink (/home -> var/home, /home/USER ->
# /data/users/USER) has its overlay where it really is.
test_home_through_symlink() {
	require_cmd python3
	local home
	home=$(staged_home link) || exit
	[ -L "$home" ] || t_skip "$home is not a symlink"
	assert_home_covered "$home"
	assert_nothing_left
}

# A home overlayfs refuses (here: a stack of two overlays already, one more
# is past the kernel's stacking depth) is an empty directory inside, said in
# one line, not a read-only bind showing its sockets; -v still binds it. The
# "host" is an `unshare -Urm` namespace with the stack mounted on the home.
test_home_overlay_refused_is_empty() {
	require_cmd unshare mount
	local home
	home=$(staged_home "$(id -un)") || exit
	unshare -Urm true 2>/dev/null || t_skip "unshare -Urm does not work here"
	mkdir -p "$T_TMP"/{l1,u1,w1,a,u2,w2}
	echo mine >"$T_TMP/l1/file"
	# shellcheck disable=SC2154 # $1, $2 are the inner sh's
	run_cmd unshare -Urm sh -c '
		t=$1 h=$2; shift 2
		mount -t overlay -o "lowerdir=$t/l1,upperdir=$t/u1,workdir=$t/w1" sbx-o1 "$t/a" &&
			mount -t overlay -o "lowerdir=$t/a,upperdir=$t/u2,workdir=$t/w2" sbx-o2 "$h" || exit 99
		for ro in "" --read-only; do
			HOME=$h "$SANDBOX" run --rm --network none --userns single $ro host ls -A "$h" 2>>"$t/warned"
			echo "ls $ro: $?"
		done
		HOME=$h "$SANDBOX" run --rm --network none --userns single -v "$h:$h" host ls -A "$h" 2>>"$t/bound"
		echo "ls -v: $?"' sh "$T_TMP" "$home"
	[ "$T_STATUS" != 99 ] || t_skip "no stack of two overlays in an unshare -Urm namespace"
	assert_eq "ls : 0
ls --read-only: 0
file
ls -v: 0" "$(cat "$T_OUT")" "the home inside: empty, empty, bound"
	assert_eq 2 "$(grep -c "^sandbox: warn: \`$home\` is empty inside: overlayfs refused it (.*); bind it with -v to see it$" "$T_TMP/warned")" \
		"one warning a run"
	assert_eq 2 "$(wc -l <"$T_TMP/warned")" "nothing else on stderr"
	assert_file_empty "$T_TMP/bound"
	assert_nothing_left
}

# /var/tmp is a fresh tmpfs, as /tmp, also with --read-only: sockets and FIFOs
# left there on the host are not the sandbox's.
test_host_var_tmp_is_private() {
	require_cmd python3
	{ [ -d /var/tmp ] && [ -w /var/tmp ]; } || t_skip "no writable /var/tmp"
	local dir
	dir=$(mktemp -d /var/tmp/sbx-test.XXXXXX)
	t_defer rm -rf "$dir"
	caller_endpoints "$dir"
	assert_status 0 sbx_run --read-only host sh -c 'ls -A /var/tmp | wc -l'
	assert_eq 0 "$(cat "$T_OUT")" "entries of /var/tmp inside"
	assert_nothing_left
}

# A -v naming the socket shares it, with and without --read-only, at its own
# path or another one.
test_host_socket_by_volume() {
	require_cmd python3
	{ [ -d "$HOME" ] && [ -w "$HOME" ]; } || t_skip "no writable \$HOME"
	local dir ro target
	dir=$(mktemp -d "$HOME/.sbx-test.XXXXXX")
	t_defer rm -rf "$dir"
	caller_endpoints "$dir"
	for ro in "" --read-only; do
		for target in "$dir/agent.sock" /agent.sock; do
			assert_status 0 sbx_run ${ro:+"$ro"} -v "$dir/agent.sock:$target" -v "$dir/fifo:/fifo" \
				host python3 -c "$PEEK_PY" "$target" /fifo
			assert_eq "connect: reached secret
fifo: reached" "$(cat "$T_OUT")" "-v $dir/agent.sock:$target $ro"
		done
	done
	assert_nothing_left
}

# --userns single keeps the caller's supplementary groups (setgroups is denied
# without newgidmap), which still count on the host's files: said once.
test_single_warns_kept_groups() {
	local groups
	groups=$(id -G | awk -v g="$MY_GID" '{ n = 0; for (i = 1; i <= NF; i++) n += $i != g; print n }')
	[ "$groups" -gt 0 ] || t_skip "the test user has no supplementary groups"
	assert_status 0 sbx_run --userns single "$ROOTFS" true
	assert_eq 1 "$(grep -c "keeps your $groups supplementary group" "$T_ERR")" "the warning, the first time"
	assert_status 0 sbx_run --userns single "$ROOTFS" true
	assert_file_empty "$T_ERR"
	assert_nothing_left
}

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

t "host image: the caller's sockets and FIFOs are unreachable" test_host_sockets_fifos_unreachable
t "host image: \$HOME in a directory the caller cannot list" test_home_in_unlistable_parent
t "host image: \$HOME reached through a symlink" test_home_through_symlink
t "host image: a home overlayfs refuses is empty inside, with a warning" test_home_overlay_refused_is_empty
t "host image: /var/tmp is private, also with --read-only" test_host_var_tmp_is_private
t "host image: -v naming a socket shares it" test_host_socket_by_volume
t "--userns single warns once that it keeps the caller's groups" test_single_warns_kept_groups
t "a host mount made after the start does not propagate" test_later_host_mount_not_propagated
t "CAP_SYS_ADMIN cannot unmount the masks" test_sys_admin_keeps_masks
t "CAP_SYS_ADMIN cannot remount read-only binds" test_sys_admin_keeps_read_only
t "CAP_SYS_ADMIN: exec and network capabilities" test_sys_admin_exec_and_network
t_main "$@"
