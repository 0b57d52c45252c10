#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 18-session-escapes.sh - what a sandbox could reach of the caller's session: descriptors,
# process group, terminal, session keyring
# shellcheck disable=SC2016 # commands for inside the sandbox are single-quoted on purpose
set -u
# shellcheck source=tests/lib/sbx.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sbx.sh"
# shellcheck source=tests/lib/tmux.sh
. "$SBX_TESTS_DIR/lib/tmux.sh"

# The command line of `sandbox run` for a pane script, quoted.
sbx_cmdline() {
	printf '%q ' "$SANDBOX" run --rm --network none "${SBX_RUN_DEFAULTS[@]}" "$@"
}

# start_d OPTIONS... IMAGE CMD...: a detached sandbox, removed at the end; sets ID
start_d() {
	run_cmd "$SANDBOX" run -d --network none "${SBX_RUN_DEFAULTS[@]}" "$@"
	if [ "$T_STATUS" != 0 ]; then
		t_show_output
		t_fail "run -d failed with $T_STATUS"
	fi
	ID=$(cat "$T_OUT")
	t_defer "$SANDBOX" rm -f "$ID"
}

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

# kill(0) inside signals the sandbox's own process group, never the caller's
# shell (here a bash in a session of its own, that then prints the status).
test_kill_process_group() {
	require_cmd setsid
	run_cmd setsid -w bash -c '"$@"; echo "rc=$?"' _ "$SANDBOX" run --rm --network none \
		"${SBX_RUN_DEFAULTS[@]}" "$ROOTFS" sh -c 'kill -TERM 0; sleep 5'
	assert_eq "rc=143" "$(cat "$T_OUT")" "the caller's shell after kill -TERM 0 inside"
	run_cmd setsid -w bash -c '"$@"; echo "rc=$?"' _ "$SANDBOX" run --rm --network none \
		"${SBX_RUN_DEFAULTS[@]}" --init=false "$ROOTFS" sh -c 'kill -TERM 0; echo survived'
	assert_eq "survived
rc=0" "$(cat "$T_OUT")" "the caller's shell after kill -TERM 0 inside (--init=false: PID 1 ignores it)"
	run_cmd setsid -w bash -c '"$@"; echo "rc=$?"' _ "$SANDBOX" run --rm --network none \
		"${SBX_RUN_DEFAULTS[@]}" "$ROOTFS" sh -c 'kill -TERM -1; echo survived'
	assert_eq "survived
rc=0" "$(cat "$T_OUT")" "the caller's shell after kill -TERM -1 inside"
	# exec: the same for the process it starts
	start_d "$ROOTFS" sleep 60
	run_cmd setsid -w bash -c '"$@"; echo "rc=$?"' _ "$SANDBOX" exec "$ID" sh -c 'kill -TERM 0; sleep 5'
	assert_eq "rc=143" "$(cat "$T_OUT")" "the caller's shell after kill -TERM 0 in exec"
	# the sandbox's command is in a session of its own, with no terminal
	assert_status 0 "$SANDBOX" exec "$ID" sh -c 'cut -d" " -f6,7 /proc/1/stat /proc/2/stat /proc/self/stat'
	assert_match '^1 0
1 0
[0-9]+ 0$' "$(cat "$T_OUT")" "session and tty of init, command and exec"
	assert_status 0 "$SANDBOX" rm -f "$ID"
}

# Without -t the caller's terminal is no controlling terminal of the
# sandbox: with no seccomp filter (--privileged, seccomp=unconfined) TIOCSTI
# on it fails, and nothing is typed into the caller's shell.
test_no_typing_into_caller_terminal() {
	require_cmd tmux
	cat >"$T_TMP/pane.sh" <<PANE
$(sbx_cmdline -i --privileged "$ROOTFS" sbx-probe tiocsti "$(printf 'echo injected1\r')") >'$T_TMP/probe1'
read -r -t 1 line; echo "typed1=[\$line]" >'$T_TMP/typed'
$(sbx_cmdline --security-opt seccomp=unconfined "$ROOTFS" sh -c "sbx-probe tiocsti 'echo injected2$(printf '\r')' <&2") >'$T_TMP/probe2'
read -r -t 1 line; echo "typed2=[\$line]" >>'$T_TMP/typed'
echo done >'$T_TMP/done'
exec sleep 60
PANE
	tmux_start 100 30
	wait_for_file "$T_TMP/done" '^done$' 20
	assert_eq "tiocsti: EPERM" "$(cat "$T_TMP/probe1")" "TIOCSTI with --privileged -i"
	assert_eq "tiocsti: EPERM" "$(cat "$T_TMP/probe2")" "TIOCSTI with seccomp=unconfined on stderr"
	assert_eq "typed1=[]
typed2=[]" "$(cat "$T_TMP/typed")" "input typed into the caller's shell"
}

# Job control stays: ^C at the caller's terminal reaches a command without -t
# (through the supervisor: the command is not in the terminal's foreground
# process group any more).
test_ctrl_c_without_tty() {
	require_cmd tmux
	cat >"$T_TMP/pane.sh" <<PANE
$(sbx_cmdline "$ROOTFS" sbx-probe sleep-sig 20) >'$T_TMP/out'
echo "rc=\$?" >'$T_TMP/rc'
exec sleep 60
PANE
	tmux_start 100 30
	wait_for_file "$T_TMP/out" '^ready$' 10
	tmux -S "$TMUX_SOCK" send-keys C-c
	wait_for_file "$T_TMP/rc" '^rc=' 10
	assert_eq "ready
signal 2" "$(cat "$T_TMP/out")" "the command's output"
	assert_eq "rc=2" "$(cat "$T_TMP/rc")" "exit status after ^C"
}

# A sandbox allowed keyctl (--privileged, seccomp=unconfined) neither finds
# nor reads the caller's keys: it has a session keyring of its own.
test_session_keyring() {
	local opts
	for opts in --privileged --security-opt=seccomp=unconfined; do
		assert_status 0 "$SBX_PROBE" keyring-run sbx-test-key "$SANDBOX" run --rm --network none \
			"${SBX_RUN_DEFAULTS[@]}" "$opts" "$ROOTFS" sbx-probe keysearch sbx-test-key KEYID
		assert_match '^key [0-9]+
search: ENOKEY
read: EACCES$' "$(cat "$T_OUT")" "the caller's key inside ($opts)"
	done
	start_d --privileged "$ROOTFS" sleep 60
	assert_status 0 "$SBX_PROBE" keyring-run sbx-test-key "$SANDBOX" exec "$ID" sbx-probe keysearch sbx-test-key KEYID
	assert_match '^key [0-9]+
search: ENOKEY
read: EACCES$' "$(cat "$T_OUT")" "the caller's key in exec"
	assert_status 0 "$SANDBOX" rm -f "$ID"
}

t "descriptors are closed before the seccomp filter" test_fds_closed_before_seccomp
t "kill -TERM 0 inside does not reach the caller" test_kill_process_group
t "no TIOCSTI into the caller's terminal without a filter" test_no_typing_into_caller_terminal
t "^C reaches a command without -t" test_ctrl_c_without_tty
t "the caller's session keyring is not the sandbox's" test_session_keyring
t_main "$@"
