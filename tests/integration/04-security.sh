#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 04-security.sh - capabilities, no_new_privs, seccomp, masked paths, descriptors
# shellcheck disable=SC2016 # commands for inside the sandbox are single-quoted on purpose
set -u
# shellcheck source=tests/lib/sbx.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sbx.sh"

# Capability numbers (linux/capability.h).
declare -A CAP=(
	[CHOWN]=0 [DAC_OVERRIDE]=1 [DAC_READ_SEARCH]=2 [FOWNER]=3 [FSETID]=4 [KILL]=5
	[SETGID]=6 [SETUID]=7 [SETPCAP]=8 [NET_BIND_SERVICE]=10 [NET_RAW]=13
	[SYS_CHROOT]=18 [SYS_PTRACE]=19 [SYS_ADMIN]=21 [MKNOD]=27 [AUDIT_WRITE]=29 [SETFCAP]=31
)

# podman's default capability set (containers.conf default_capabilities).
DEFAULT_CAPS=(CHOWN DAC_OVERRIDE FOWNER FSETID KILL NET_BIND_SERVICE SETFCAP SETGID SETPCAP
	SETUID SYS_CHROOT)

# cap_mask NAME...: the mask as the kernel prints it in /proc/PID/status.
cap_mask() {
	local m=0 c
	for c in "$@"; do
		m=$((m | (1 << ${CAP[$c]})))
	done
	printf '%016x' "$m"
}

# Every capability the running kernel knows, as in a fresh user namespace.
full_mask() {
	local last
	last=$(cat /proc/sys/kernel/cap_last_cap)
	printf '%016x' $(((1 << (last + 1)) - 1))
}

# status_field NAME: value of a line printed by `sbx-probe status` ($T_OUT).
status_field() {
	awk -v k="$1:" '$1 == k { print $2 }' "$T_OUT"
}

test_capbnd_default() {
	local want
	want=$(cap_mask "${DEFAULT_CAPS[@]}")
	assert_eq 00000000800405fb "$want" "computed default mask"
	assert_status 0 sbx_run "$ROOTFS" sbx-probe status
	assert_eq "$want" "$(status_field CapBnd)" CapBnd
	assert_eq "$want" "$(status_field CapEff)" "CapEff of root"
	assert_eq "$want" "$(status_field CapPrm)" "CapPrm of root"
	assert_eq 0000000000000000 "$(status_field CapAmb)" CapAmb
	(((0x$(status_field CapBnd) >> CAP[SYS_ADMIN]) & 1)) && t_fail "CAP_SYS_ADMIN is in the bounding set"
	return 0
}

test_cap_add() {
	assert_status 0 sbx_run --cap-add SYS_ADMIN "$ROOTFS" sbx-probe status
	assert_eq "$(cap_mask "${DEFAULT_CAPS[@]}" SYS_ADMIN)" "$(status_field CapBnd)" "CapBnd with --cap-add SYS_ADMIN"
	assert_eq "$(cap_mask "${DEFAULT_CAPS[@]}" SYS_ADMIN)" "$(status_field CapEff)" "CapEff with --cap-add SYS_ADMIN"
	# the CAP_ prefix is accepted too
	assert_status 0 sbx_run --cap-add CAP_NET_RAW "$ROOTFS" sbx-probe status
	assert_eq "$(cap_mask "${DEFAULT_CAPS[@]}" NET_RAW)" "$(status_field CapBnd)" "CapBnd with --cap-add CAP_NET_RAW"
}

test_cap_drop() {
	assert_status 0 sbx_run --cap-drop ALL "$ROOTFS" sbx-probe status
	assert_eq 0000000000000000 "$(status_field CapBnd)" "CapBnd with --cap-drop ALL"
	assert_eq 0000000000000000 "$(status_field CapEff)" "CapEff with --cap-drop ALL"
	local rest=()
	for c in "${DEFAULT_CAPS[@]}"; do [ "$c" = CHOWN ] || rest+=("$c"); done
	assert_status 0 sbx_run --cap-drop CHOWN "$ROOTFS" sbx-probe status
	assert_eq "$(cap_mask "${rest[@]}")" "$(status_field CapBnd)" "CapBnd with --cap-drop CHOWN"
	# drop ALL, then add one back (docker's order)
	assert_status 0 sbx_run --cap-drop ALL --cap-add CHOWN "$ROOTFS" sbx-probe status
	assert_eq "$(cap_mask CHOWN)" "$(status_field CapBnd)" "CapBnd with --cap-drop ALL --cap-add CHOWN"
}

# A non-root user inside has no effective or permitted capabilities.
test_nonroot_no_caps() {
	require_subuid
	assert_status 0 sbx_run -u 1000 "$ROOTFS" sbx-probe status
	assert_eq 0000000000000000 "$(status_field CapEff)" "CapEff of uid 1000"
	assert_eq 0000000000000000 "$(status_field CapPrm)" "CapPrm of uid 1000"
	assert_eq 0000000000000000 "$(status_field CapAmb)" "CapAmb of uid 1000"
}

test_no_new_privs() {
	assert_status 0 sbx_run "$ROOTFS" sbx-probe status
	assert_eq 1 "$(status_field NoNewPrivs)" NoNewPrivs
	assert_status 0 sbx_run --security-opt no-new-privileges=false "$ROOTFS" sbx-probe status
	assert_eq 0 "$(status_field NoNewPrivs)" "NoNewPrivs with no-new-privileges=false"
}

test_seccomp_default() {
	assert_status 0 sbx_run "$ROOTFS" sbx-probe status
	assert_eq 2 "$(status_field Seccomp)" Seccomp
	assert_status 0 sbx_run "$ROOTFS" sbx-probe keyctl
	assert_eq "keyctl: EPERM" "$(cat "$T_OUT")" keyctl
}

# What docker's default profile blocks is refused with EPERM (not ENOSYS, not
# a kill).
test_seccomp_denies() {
	local calls=(keyctl add_key request_key bpf perf_event_open userfaultfd kexec_load
		init_module finit_module delete_module open_by_handle_at reboot swapon acct
		clock_settime iopl ioperm)
	run_cmd sbx_run "$ROOTFS" sbx-probe denied "${calls[@]}"
	local c expected=''
	for c in "${calls[@]}"; do expected+="$c: EPERM"$'\n'; done
	assert_eq "${expected%$'\n'}" "$(cat "$T_OUT")" "denied syscalls"
	assert_eq 0 "$T_STATUS" "exit status of sbx-probe denied"
}

# TIOCSTI is refused whatever fd 0 is (here /dev/null: ENOTTY without a filter).
test_seccomp_tiocsti() {
	assert_status 0 sbx_run "$ROOTFS" sbx-probe tiocsti
	assert_eq "tiocsti: EPERM" "$(cat "$T_OUT")" tiocsti
}

test_seccomp_unconfined() {
	assert_status 0 sbx_run --security-opt seccomp=unconfined "$ROOTFS" sbx-probe status
	assert_eq 0 "$(status_field Seccomp)" "Seccomp with seccomp=unconfined"
	run_cmd sbx_run --security-opt seccomp=unconfined "$ROOTFS" sbx-probe keyctl
	assert_not_file_has_content "$T_OUT" 'EPERM'
	assert_status 1 sbx_run --security-opt seccomp=unconfined "$ROOTFS" sbx-probe tiocsti
	assert_eq "tiocsti: ENOTTY" "$(cat "$T_OUT")" "tiocsti without a filter"
}

# Masked paths as podman masks them: an empty file or directory mounted over
# them; /proc/sys and friends read-only.
test_masked_paths() {
	local p expect_masked=()
	for p in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug /proc/acpi /proc/scsi \
		/proc/latency_stats /sys/firmware; do
		[ -e "$p" ] && expect_masked+=("$p")
	done
	assert_status 0 sbx_run "$ROOTFS" sh -c '
		echo "kcore $(cat /proc/kcore 2>/dev/null | wc -c)"
		echo "keys $(cat /proc/keys 2>/dev/null | wc -c)"
		echo "firmware $(ls -A /sys/firmware 2>/dev/null | wc -l)"
		awk "{ print \"mount\", \$5, \$6 }" /proc/self/mountinfo'
	assert_file_has_content "$T_OUT" '^kcore 0$'
	assert_file_has_content "$T_OUT" '^keys 0$'
	assert_file_has_content "$T_OUT" '^firmware 0$'
	for p in "${expect_masked[@]}"; do
		assert_file_has_content "$T_OUT" "^mount $p "
	done
	assert_file_has_content "$T_OUT" '^mount /proc/sys ro(,|$)'
	if [ -e /proc/sysrq-trigger ]; then
		assert_file_has_content "$T_OUT" '^mount /proc/sysrq-trigger ro(,|$)'
	fi
	# /proc/sys is read-only even where the sandbox's root could write (the
	# sysctls of its own network namespace)
	run_cmd sbx_run "$ROOTFS" sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'
	assert_ne 0 "$T_STATUS" "write to /proc/sys/net/ipv4/ip_forward"
	assert_file_has_content "$T_ERR" 'Read-only file system'
}

# --privileged: every capability of the user namespace, no seccomp filter, no
# masks, /proc/sys writable where the sandbox's namespaces own the value.
test_privileged() {
	assert_status 0 sbx_run --privileged "$ROOTFS" sbx-probe status
	assert_eq "$(full_mask)" "$(status_field CapBnd)" "CapBnd with --privileged"
	assert_eq "$(full_mask)" "$(status_field CapEff)" "CapEff with --privileged"
	assert_eq 0 "$(status_field Seccomp)" "Seccomp with --privileged"
	assert_status 0 sbx_run --privileged "$ROOTFS" sh -c '
		awk "{ print \"mount\", \$5 }" /proc/self/mountinfo
		echo "firmware $(ls -A /sys/firmware 2>/dev/null | wc -l)"
		echo 1 > /proc/sys/net/ipv4/ip_forward && echo "ip_forward $(cat /proc/sys/net/ipv4/ip_forward)"'
	assert_not_file_has_content "$T_OUT" '^mount /proc/kcore$'
	assert_not_file_has_content "$T_OUT" '^mount /proc/keys$'
	assert_not_file_has_content "$T_OUT" '^mount /sys/firmware$'
	if [ -n "$(ls -A /sys/firmware 2>/dev/null)" ]; then
		assert_not_file_has_content "$T_OUT" '^firmware 0$'
	fi
	assert_eq "ip_forward 1" "$(tail -n 1 "$T_OUT")" "/proc/sys/net/ipv4/ip_forward after writing it"
}

# No descriptor of the caller leaks in.
test_no_fd_leak() {
	run_cmd sbx_run "$ROOTFS" sbx-probe fds 3</dev/null 7</dev/null 9>"$T_TMP/fd9"
	assert_file_empty "$T_OUT"
	assert_eq 0 "$T_STATUS" "exit status of sbx-probe fds"
	run_cmd sbx_run -i "$ROOTFS" sbx-probe fds 4</dev/null <<<""
	assert_file_empty "$T_OUT"
	assert_eq 0 "$T_STATUS" "exit status of sbx-probe fds with -i"
}

# PID 1 (the init) cannot be inspected through ptrace-guarded /proc files.
test_init_not_ptraceable() {
	assert_status 0 sbx_run "$ROOTFS" sh -c 'if readlink /proc/1/exe; then echo readable; else echo denied; fi; cat /proc/1/comm'
	assert_file_has_content "$T_OUT" '^denied$'
}

# The supervisor reads the image's /etc/hosts on the host side to build the
# sandbox's: a symlink in the image (etc/hosts, or etc itself, pointing to an
# absolute path) names a file of the image, never the host's.
test_image_hosts_symlink() {
	local img=$T_TMP/img secret=$T_TMP/secret
	mkdir -p "$secret"
	echo "10.66.66.66 host-secret" >"$secret/hosts"
	cp -a "$ROOTFS" "$img"
	# etc/hosts -> an absolute path of a host file
	ln -sfn "$secret/hosts" "$img/etc/hosts"
	assert_status 0 sbx_run "$img" cat /etc/hosts
	assert_not_file_has_content "$T_OUT" host-secret
	assert_file_has_content "$T_OUT" '^127\.0\.0\.1[[:space:]].*localhost'
	# etc -> an absolute path: the image's own directory of that name is used
	mkdir -p "$img/$secret"
	mv "$img/etc" "$img/$secret/etc"
	rm "$img/$secret/etc/hosts"
	echo "10.77.77.77 image-entry" >"$img/$secret/etc/hosts"
	ln -s "$secret/etc" "$img/etc"
	mkdir -p "$secret/etc"
	echo "10.66.66.66 host-secret" >"$secret/etc/hosts"
	assert_status 0 sbx_run "$img" cat /etc/hosts
	assert_not_file_has_content "$T_OUT" host-secret
	assert_file_has_content "$T_OUT" '^10\.77\.77\.77 image-entry$'
}

t "CapBnd is podman's default set, no CAP_SYS_ADMIN" test_capbnd_default
t "--cap-add adds to the set" test_cap_add
t "--cap-drop removes from the set" test_cap_drop
t "-u 1000 has no effective capabilities" test_nonroot_no_caps
t "NoNewPrivs is 1 by default" test_no_new_privs
t "Seccomp is 2 and keyctl is EPERM" test_seccomp_default
t "the default filter denies docker's blocked syscalls" test_seccomp_denies
t "the default filter denies TIOCSTI" test_seccomp_tiocsti
t "an image's /etc/hosts symlinks resolve inside the image" test_image_hosts_symlink
t "--security-opt seccomp=unconfined" test_seccomp_unconfined
t "masked and read-only paths" test_masked_paths
t "--privileged lifts caps, seccomp and masks" test_privileged
t "no caller descriptor leaks in" test_no_fd_leak
t "the init is not ptrace-able from inside" test_init_not_ptraceable
t_main "$@"
