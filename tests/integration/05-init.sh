#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 05-init.sh - PID 1: the built-in init, orphan reaping, signal forwarding, exit status
# shellcheck disable=SC2016 # commands for inside the sandbox are single-quoted on purpose
set -u
# shellcheck source=tests/lib/sbx.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sbx.sh"

test_init_is_pid1() {
	assert_status 0 sbx_run "$ROOTFS" sh -c 'cat /proc/1/comm; echo $$'
	local comm
	comm=$(sed -n 1p "$T_OUT")
	[ -n "$comm" ] || t_fail "empty /proc/1/comm"
	assert_ne sh "$comm" "PID 1 (must be the init, not the command)"
	assert_ne cat "$comm" "PID 1 (must be the init, not the command)"
	assert_eq 2 "$(sed -n 2p "$T_OUT")" "PID of the command"
	# --init=true is the default spelled out
	assert_status 0 sbx_run --init=true "$ROOTFS" sh -c 'echo $$'
	assert_eq 2 "$(cat "$T_OUT")" "PID of the command with --init=true"
}

test_init_false() {
	# (the shell must not exec cat as its last command: exit 0 comes after)
	assert_status 0 sbx_run --init=false "$ROOTFS" sh -c 'echo $$; cat /proc/1/comm; exit 0'
	assert_eq "1
sh" "$(cat "$T_OUT")" "PID and comm with --init=false"
	assert_status 7 sbx_run --init=false "$ROOTFS" sh -c 'exit 7'
}

# An orphan re-parented to PID 1 is reaped.
test_orphans_reaped() {
	assert_status 0 sbx_run "$ROOTFS" sh -c 'sbx-probe doublefork; sleep 0.5; sbx-probe zombies'
	assert_eq 0 "$(cat "$T_OUT")" "zombies after a double fork"
	# many at once
	assert_status 0 sbx_run "$ROOTFS" sh -c \
		'for i in 1 2 3 4 5 6 7 8; do sbx-probe doublefork; done; sleep 0.5; sbx-probe zombies'
	assert_eq 0 "$(cat "$T_OUT")" "zombies after eight double forks"
}

# SIGTERM to the sandbox process reaches the command: 143, quickly.
test_sigterm_forwarded() {
	local pid start elapsed rc=0
	"$SANDBOX" run --rm --network none "${SBX_RUN_DEFAULTS[@]}" "$ROOTFS" sleep 101 >"$T_OUT" 2>"$T_ERR" &
	pid=$!
	t_defer kill -KILL "$pid"
	wait_for_process '^sleep 101$' 5 >/dev/null
	start=$(now_ms)
	kill -TERM "$pid"
	wait "$pid" || rc=$?
	elapsed=$(($(now_ms) - start))
	assert_eq 143 "$rc" "exit status after SIGTERM"
	[ "$elapsed" -lt 3000 ] || t_fail "the sandbox took ${elapsed} ms to exit after SIGTERM"
	assert_nothing_left
}

# Each forwarded signal reaches the command's handler (it exits with N).
test_signals_forwarded() {
	local sig num pid rc
	for sig in HUP INT QUIT USR1 USR2 TERM; do
		num=$(kill -l "$sig")
		"$SANDBOX" run --rm --network none "${SBX_RUN_DEFAULTS[@]}" "$ROOTFS" sbx-probe sleep-sig 20 >"$T_TMP/out.$sig" 2>"$T_TMP/err.$sig" &
		pid=$!
		t_defer kill -KILL "$pid"
		wait_for_file "$T_TMP/out.$sig" '^ready$' 5
		kill -"$sig" "$pid"
		rc=0
		wait "$pid" || rc=$?
		assert_eq "ready
signal $num" "$(cat "$T_TMP/out.$sig")" "output of sleep-sig after SIG$sig"
		assert_eq "$num" "$rc" "exit status after SIG$sig"
	done
	assert_nothing_left
}

# SIGKILL to the sandbox process: the whole sandbox goes with it.
test_sigkill_kills_everything() {
	local pid _
	"$SANDBOX" run --rm --network none "${SBX_RUN_DEFAULTS[@]}" "$ROOTFS" sleep 97 >"$T_OUT" 2>"$T_ERR" &
	pid=$!
	wait_for_process '^sleep 97$' 5 >/dev/null
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null || true
	for _ in $(seq 1 40); do
		pgrep -u "$MY_UID" -f '^sleep 97$' >/dev/null || break
		sleep 0.05
	done
	if pgrep -u "$MY_UID" -f '^sleep 97$' >/dev/null; then
		pkill -KILL -u "$MY_UID" -f '^sleep 97$' || true
		t_fail "the sandboxed command survived SIGKILL of the sandbox process"
	fi
	assert_no_stray_processes
	assert_no_leaked_mounts
}

# The status of the command comes back through the init, including signals.
test_exit_status_through_init() {
	assert_status 5 sbx_run "$ROOTFS" sh -c 'exit 5'
	assert_status 0 sbx_run "$ROOTFS" sh -c 'sleep 0.1 & exit 0'
	assert_status 130 sbx_run "$ROOTFS" sh -c 'kill -INT $$; sleep 1'
	assert_status 137 sbx_run "$ROOTFS" sh -c 'kill -KILL $$'
	# the init waits for the command, not for its background children
	local start elapsed
	start=$(now_ms)
	assert_status 4 sbx_run "$ROOTFS" sh -c 'sleep 30 & exit 4'
	elapsed=$(($(now_ms) - start))
	[ "$elapsed" -lt 5000 ] || t_fail "run waited ${elapsed} ms for a background child"
	assert_nothing_left
}

t "the init is PID 1, the command PID 2" test_init_is_pid1
t "--init=false makes the command PID 1" test_init_false
t "orphans are reaped (no zombies)" test_orphans_reaped
t "SIGTERM to sandbox is forwarded: 143" test_sigterm_forwarded
t "HUP INT QUIT USR1 USR2 TERM reach the command" test_signals_forwarded
t "SIGKILL to sandbox leaves no process" test_sigkill_kills_everything
t "exit status through the init" test_exit_status_through_init
t_main "$@"
