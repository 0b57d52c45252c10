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
	# -i: stdin is the supervisor's pipe, no terminal at all
	assert_eq "tiocsti: ENOTTY" "$(cat "$T_TMP/probe1")" "TIOCSTI with --privileged -i"
	assert_eq "tiocsti: EPERM" "$(cat "$T_TMP/probe2")" "TIOCSTI with seccomp=unconfined on stderr"
	assert_eq "typed1=[]
typed2=[]" "$(cat "$T_TMP/typed")" "input typed into the caller's shell"
}

# Without -t, the caller's terminal as stderr is for writing only: what the
# user types goes to the shell, not to a read on fd 2 inside.
test_terminal_output_write_only() {
	require_cmd tmux
	cat >"$T_TMP/pane.sh" <<PANE
$(sbx_cmdline "$ROOTFS" sh -c 'echo ready >&2; sleep 1; read -r line <&2; echo "rc=$? line=[$line]"') >'$T_TMP/out'
read -r -t 5 line; echo "shell got: \$line" >'$T_TMP/shell'
exec sleep 60
PANE
	tmux_start 100 30
	wait_for_screen '^ready' 10
	tmux -S "$TMUX_SOCK" send-keys -l 'typed-at-the-terminal'
	tmux -S "$TMUX_SOCK" send-keys Enter
	wait_for_file "$T_TMP/shell" '^shell got' 10
	assert_match '^rc=[1-9][0-9]* line=\[\]$' "$(cat "$T_TMP/out")" "a read on the sandbox's fd 2"
	assert_eq "shell got: typed-at-the-terminal" "$(cat "$T_TMP/shell")" "what the shell read"
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

# ^Z at the caller's shell stops a sandbox without -t, which then reads none
# of what is typed at the shell; `fg` resumes it, with the terminal again.
test_ctrl_z_without_tty() {
	require_cmd tmux
	cat >"$T_TMP/pane.sh" <<PANE
set -m
$(sbx_cmdline -i "$ROOTFS" sh -c 'echo ready; while read -r line; do echo "sandbox got: $line"; done; echo eof')
echo "rc=\$?" >'$T_TMP/stopped'
read -r line
echo "shell got: \$line" >'$T_TMP/shell'
fg %1 >/dev/null
echo "rc=\$?" >'$T_TMP/rc'
exec sleep 60
PANE
	tmux_start 100 30
	wait_for_screen '^ready' 10
	tmux -S "$TMUX_SOCK" send-keys C-z
	wait_for_file "$T_TMP/stopped" '^rc=' 10
	assert_eq "rc=148" "$(cat "$T_TMP/stopped")" "status of the stopped job"
	tmux -S "$TMUX_SOCK" send-keys -l 'for-the-shell'
	tmux -S "$TMUX_SOCK" send-keys Enter
	wait_for_file "$T_TMP/shell" '^shell got' 10
	assert_eq "shell got: for-the-shell" "$(cat "$T_TMP/shell")" "what the shell read while the sandbox was stopped"
	tmux -S "$TMUX_SOCK" send-keys -l 'for-the-sandbox'
	tmux -S "$TMUX_SOCK" send-keys Enter C-d
	wait_for_file "$T_TMP/rc" '^rc=' 10
	assert_eq "rc=0" "$(cat "$T_TMP/rc")" "exit status after fg"
	tmux_screen | grep -q '^sandbox got: for-the-sandbox' || { tmux_screen >&2; t_fail "the resumed sandbox did not read its line"; }
	tmux_screen | grep -q 'sandbox got: for-the-shell' && { tmux_screen >&2; t_fail "the stopped sandbox read the shell's line"; }
	return 0
}

# -i without -t: a sandbox in the background reads none of the keys typed at
# the caller's shell (its stdin is a pipe the supervisor fills from the
# terminal; the supervisor's read stops it with SIGTTIN, as for any job);
# `fg` gives it the terminal's input, ^D its EOF. $1: run, exec into a
# running sandbox, or start -a -i of a created one. tmux starts the pane with SIGTTIN ignored, which bash
# keeps for its jobs: the job gets it back as in an interactive shell (with
# it ignored, the read fails with EIO and the command gets EOF).
background_input() {
	local cmd
	if [ "$1" = exec ]; then
		start_d "$ROOTFS" sleep 60
		cmd=$(printf '%q ' "$SANDBOX" exec -i "$ID" sh -c 'echo ready >&2; cat')
	elif [ "$1" = start ]; then
		run_cmd "$SANDBOX" create --network none "${SBX_RUN_DEFAULTS[@]}" "$ROOTFS" sh -c 'echo ready >&2; cat'
		[ "$T_STATUS" = 0 ] || t_fail "create failed with $T_STATUS: $(cat "$T_ERR")"
		ID=$(cat "$T_OUT")
		t_defer "$SANDBOX" rm -f "$ID"
		cmd=$(printf '%q ' "$SANDBOX" start -a -i "$ID")
	else
		cmd=$(sbx_cmdline -i "$ROOTFS" sh -c 'echo ready >&2; cat')
	fi
	cmd="env --default-signal=TTIN $cmd"
	cat >"$T_TMP/pane.sh" <<PANE
set -m
$cmd >'$T_TMP/file' &
until [ -e '$T_TMP/typed' ]; do sleep 0.1; done
read -r -t 5 line
echo "shell got: \$line" >'$T_TMP/shell'
jobs >'$T_TMP/jobs'
echo fg >'$T_TMP/fg'
fg %1 >/dev/null
echo "rc=\$?" >'$T_TMP/rc'
exec sleep 60
PANE
	tmux_start 100 30
	wait_for_screen '^ready' 10
	sleep 0.5 # the sandbox's cat is waiting for input now
	tmux -S "$TMUX_SOCK" send-keys -l 'echo-for-the-shell'
	tmux -S "$TMUX_SOCK" send-keys Enter
	sleep 1 # time to take it, if it could
	touch "$T_TMP/typed"
	wait_for_file "$T_TMP/fg" '^fg$' 10
	assert_eq "shell got: echo-for-the-shell" "$(cat "$T_TMP/shell")" "what the shell read ($1)"
	assert_eq "" "$(cat "$T_TMP/file")" "what the sandbox in the background read ($1)"
	assert_match 'Stopped' "$(cat "$T_TMP/jobs")" "the job after its read of the terminal ($1)"
	sleep 0.5
	tmux -S "$TMUX_SOCK" send-keys -l 'for-the-sandbox'
	tmux -S "$TMUX_SOCK" send-keys Enter C-d
	wait_for_file "$T_TMP/rc" '^rc=' 10
	assert_eq "rc=0" "$(cat "$T_TMP/rc")" "exit status after fg and ^D ($1)"
	assert_eq "for-the-sandbox" "$(cat "$T_TMP/file")" "what the sandbox read in the foreground ($1)"
}

test_background_input_run() {
	require_cmd tmux
	background_input run
}

test_background_input_exec() {
	require_cmd tmux
	background_input exec
	assert_status 0 "$SANDBOX" rm -f "$ID"
}

test_background_input_start() {
	require_cmd tmux
	background_input start
}

# -i without -t in the foreground: typed lines reach the command, ^D ends
# its input. A file as stdin of `sandbox run` stays the command's own (no
# relay).
test_foreground_input() {
	require_cmd tmux
	cat >"$T_TMP/pane.sh" <<PANE
$(sbx_cmdline -i "$ROOTFS" sh -c 'echo ready; while read -r line; do echo "sandbox got: $line"; done; echo eof') >'$T_TMP/out'
echo "rc=\$?" >'$T_TMP/rc'
exec sleep 60
PANE
	tmux_start 100 30
	wait_for_file "$T_TMP/out" '^ready$' 10
	tmux -S "$TMUX_SOCK" send-keys -l 'typed line'
	tmux -S "$TMUX_SOCK" send-keys Enter C-d
	wait_for_file "$T_TMP/rc" '^rc=' 10
	assert_eq "rc=0" "$(cat "$T_TMP/rc")" "exit status after ^D"
	assert_eq "ready
sandbox got: typed line
eof" "$(cat "$T_TMP/out")" "what the command read"
	echo from-a-file >"$T_TMP/in"
	assert_status 0 sbx_run -i "$ROOTFS" sh -c 'cat; readlink /proc/self/fd/0' <"$T_TMP/in"
	assert_eq "from-a-file
$T_TMP/in" "$(cat "$T_OUT")" "a file as stdin, read by the command itself"
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

require_net() {
	require_cmd python3
	if ! [ -r /dev/net/tun ] || ! [ -w /dev/net/tun ]; then
		t_skip "/dev/net/tun is not accessible"
	fi
}

# stat_field PID N: field N of /proc/PID/stat (after the command name)
stat_field() {
	local line f
	line=$(cat "/proc/$1/stat")
	read -ra f <<<"${line##*) }"
	echo "${f[$2 - 3]}"
}

# helper_pids SUPERVISOR: "WAITER HELPER" once the network helper runs (the
# waiter is the supervisor's child, the helper PID 1 of its own namespace)
helper_pids() {
	local sup=$1 w h _
	for _ in $(seq 1 100); do
		for w in $(pgrep -P "$sup" -x sandbox-net || true); do
			h=$(pgrep -P "$w" -x sandbox-net || true)
			if [ -n "$h" ]; then
				echo "$w $h"
				return 0
			fi
		done
		sleep 0.05
	done
	t_fail "no network helper in a PID namespace of its own under the supervisor $sup"
}

# The network helper (libslirp parses the sandbox's packets): a session of its
# own without a terminal, stderr a pipe to the supervisor, a PID namespace of
# its own, seccomp; its log lines reach the user through the supervisor. With a
# UDP forward (the helper relays it through sockets the socket factory makes in
# the sandbox's namespace) the factory has seccomp and no capability either.
test_network_helper_isolated() {
	require_net
	local box pids waiter helper fd target port fwd
	port=$(python3 "$SBX_TESTS_DIR/helpers/netsrv.py" freeport)
	"$SANDBOX" run --rm "${SBX_RUN_DEFAULTS[@]}" -p "127.0.0.1:$port:5353/udp" "$ROOTFS" sleep 30 \
		>"$T_TMP/box.out" 2>"$T_TMP/box.err" &
	box=$!
	t_defer kill -KILL "$box"
	pids=$(helper_pids "$box")
	waiter=${pids% *} helper=${pids#* }
	assert_eq "$waiter" "$(stat_field "$helper" 6)" "the helper's session (its waiter's, not the caller's $(stat_field $$ 6))"
	assert_eq 0 "$(stat_field "$helper" 7)" "the helper's controlling terminal"
	assert_match '^pipe:' "$(readlink "/proc/$helper/fd/2")" "the helper's stderr"
	for fd in /proc/"$helper"/fd/*; do
		target=$(readlink "$fd" || true)
		[[ $target == /dev/pts/* || $target == /dev/tty* ]] && t_fail "the helper holds a terminal: $fd -> $target"
	done
	assert_ne "$(readlink /proc/self/ns/pid)" "$(readlink "/proc/$helper/ns/pid")" "the helper's PID namespace"
	assert_match '[[:space:]]1$' "$(grep '^NSpid:' "/proc/$helper/status")" "the helper's pid in its namespace"
	assert_eq 2 "$(awk '$1 == "Seccomp:" { print $2 }' "/proc/$helper/status")" "the helper's seccomp mode"
	assert_eq 2 "$(awk '$1 == "Seccomp:" { print $2 }' "/proc/$waiter/status")" "the waiter's seccomp mode"
	assert_eq 0000000000000000 "$(awk '$1 == "CapEff:" { print $2 }' "/proc/$helper/status")" "the helper's capabilities"
	assert_eq 0000000000000000 "$(awk '$1 == "CapEff:" { print $2 }' "/proc/$waiter/status")" "the waiter's capabilities"
	fwd=$(pgrep -P "$waiter" -x sandbox-netfwd || true)
	[ -n "$fwd" ] || t_fail "no socket factory (sandbox-netfwd) for the UDP forward"
	assert_eq 2 "$(awk '$1 == "Seccomp:" { print $2 }' "/proc/$fwd/status")" "the socket factory's seccomp mode"
	assert_eq 0000000000000000 "$(awk '$1 == "CapEff:" { print $2 }' "/proc/$fwd/status")" "the socket factory's capabilities"
	kill -TERM "$box"
	wait "$box" || true
	assert_nothing_left
}

# Frames the sandbox writes itself (AF_PACKET) for 127.0.0.1 do not make
# libslirp connect to the host's loopback; 10.0.2.2 with --allow-host-loopback
# still does. With --log-level debug the helper's note comes through its log.
test_network_helper_no_loopback_frames() {
	require_net
	local port
	port=$(python3 "$SBX_TESTS_DIR/helpers/netsrv.py" freeport)
	# a listener on the host's loopback that counts connections for 6 s
	python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
open(sys.argv[2], "w").write("ready")
s.settimeout(0.2)
n, end = 0, time.time() + 6
while time.time() < end:
    try:
        s.accept()[0].close()
        n += 1
    except socket.timeout:
        pass
print(n)' "$port" "$T_TMP/ready" >"$T_TMP/count" &
	local lsn=$!
	t_defer kill "$lsn"
	wait_for_file "$T_TMP/ready" ready
	assert_status 0 "$SANDBOX" run --rm "${SBX_RUN_DEFAULTS[@]}" --cap-add NET_RAW "$ROOTFS" \
		sbx-probe rawsyn 127.0.0.1 "$port"
	wait "$lsn"
	assert_eq 0 "$(cat "$T_TMP/count")" "connections to 127.0.0.1:$port from frames of the sandbox"
}

# The positive control: the same frames for 10.0.2.2 reach the host's
# loopback when the user allows it.
test_network_helper_allowed_loopback() {
	require_net
	local port
	port=$(python3 "$SBX_TESTS_DIR/helpers/netsrv.py" freeport)
	python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
open(sys.argv[2], "w").write("ready")
s.settimeout(4)
try:
    s.accept()[0].close()
    print("connected")
except socket.timeout:
    print("none")' "$port" "$T_TMP/ready" >"$T_TMP/result" &
	local lsn=$!
	t_defer kill "$lsn"
	wait_for_file "$T_TMP/ready" ready
	assert_status 0 "$SANDBOX" run --rm "${SBX_RUN_DEFAULTS[@]}" --allow-host-loopback --cap-add NET_RAW \
		"$ROOTFS" sbx-probe rawsyn 10.0.2.2 "$port"
	wait "$lsn"
	assert_eq connected "$(cat "$T_TMP/result")" "a connection through 10.0.2.2"
}

t "descriptors are closed before the seccomp filter" test_fds_closed_before_seccomp
t "kill -TERM 0 inside does not reach the caller" test_kill_process_group
t "no TIOCSTI into the caller's terminal without a filter" test_no_typing_into_caller_terminal
t "without -t the terminal on fd 1 and 2 is write-only" test_terminal_output_write_only
t "^C reaches a command without -t" test_ctrl_c_without_tty
t "^Z stops a sandbox without -t, fg resumes it" test_ctrl_z_without_tty
t "-i in the background reads nothing typed at the shell (run)" test_background_input_run
t "-i in the background reads nothing typed at the shell (exec)" test_background_input_exec
t "-i in the background reads nothing typed at the shell (start -a -i)" test_background_input_start
t "-i in the foreground: typed input and ^D" test_foreground_input
t "the caller's session keyring is not the sandbox's" test_session_keyring
t "the network helper: own session and PID namespace, no terminal" test_network_helper_isolated
t "the network helper drops frames for the host's loopback" test_network_helper_no_loopback_frames
t "frames for 10.0.2.2 reach loopback with --allow-host-loopback" test_network_helper_allowed_loopback
t_main "$@"
