#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 06-tty.sh - -t: a pty in the sandbox's devpts, window size, input, terminal restored
# shellcheck disable=SC2016 # commands for inside the sandbox are single-quoted on purpose
set -u
# shellcheck source=tests/lib/sbx.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sbx.sh"
# shellcheck source=tests/lib/tmux.sh
. "$SBX_TESTS_DIR/lib/tmux.sh"

# The sandbox command line for a shell string, quoted.
sbx_cmdline() {
	printf '%q ' "$SANDBOX" run --rm --network none "${SBX_RUN_DEFAULTS[@]}" "$@"
}

# Under script(1): the command sees a pty of the sandbox's own devpts.
test_tty_under_script() {
	require_cmd script
	run_cmd script -qec "$(sbx_cmdline -t "$ROOTFS" sh -c 'tty; test -t 0 && test -t 1 && test -t 2 && echo all-tty')" /dev/null
	assert_eq 0 "$T_STATUS" "exit status under script"
	local out
	out=$(tr -d '\r' <"$T_OUT")
	assert_match '^/dev/pts/[0-9]+
all-tty$' "$out" "tty inside"
	# the exit status comes through the pty too
	run_cmd script -qec "$(sbx_cmdline -t "$ROOTFS" sh -c 'exit 5')" /dev/null
	assert_eq 5 "$T_STATUS" "exit status of a -t sandbox"
}

# The pty is the sandbox's: devpts newinstance, only its own ptys.
test_tty_private_devpts() {
	require_cmd script
	run_cmd script -qec "$(sbx_cmdline -t "$ROOTFS" sh -c 'ls /dev/pts | grep -v ptmx | wc -l')" /dev/null
	assert_eq 0 "$T_STATUS" "exit status under script"
	assert_eq 1 "$(tr -d '\r' <"$T_OUT")" "ptys in the sandbox's /dev/pts"
}

# Window size: the pty starts with the caller's size and follows changes.
test_tty_window_size() {
	require_cmd tmux
	cat >"$T_TMP/pane.sh" <<EOF
$(sbx_cmdline -t "$ROOTFS" sh -c 'echo "S1=$(stty size)"; i=0; while [ "$(stty size)" = "30 100" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done; echo "S2=$(stty size)"')
echo "rc=\$?" > "$T_TMP/rc"
exec sleep 60
EOF
	tmux_start 100 30
	wait_for_screen '^S1=' 10
	tmux_screen | grep -q '^S1=30 100' || { tmux_screen >&2; t_fail "initial size is not 30 100"; }
	tmux -S "$TMUX_SOCK" resize-window -x 120 -y 40
	wait_for_file "$T_TMP/rc" '^rc=' 10
	assert_eq "rc=0" "$(cat "$T_TMP/rc")" "exit status"
	tmux_screen | grep -q '^S2=40 120' || { tmux_screen >&2; t_fail "size after the resize is not 40 120"; }
}

# Typed input reaches the command through the raw-mode caller terminal.
test_tty_input() {
	require_cmd tmux
	cat >"$T_TMP/pane.sh" <<EOF
$(sbx_cmdline -i -t "$ROOTFS" sh -c 'echo READY; read line; echo "GOT=$line"')
echo "rc=\$?" > "$T_TMP/rc"
exec sleep 60
EOF
	tmux_start 100 30
	wait_for_screen '^READY' 10
	tmux -S "$TMUX_SOCK" send-keys -l 'hello tty'
	tmux -S "$TMUX_SOCK" send-keys Enter
	wait_for_file "$T_TMP/rc" '^rc=' 10
	assert_eq "rc=0" "$(cat "$T_TMP/rc")" "exit status"
	tmux_screen | grep -q '^GOT=hello tty' || { tmux_screen >&2; t_fail "input did not arrive"; }
}

# The caller's terminal mode (raw while -i -t runs) is restored on every exit path.
test_tty_mode_restored() {
	require_cmd tmux
	local cases=("true" "sh -c 'exit 3'" "/nonexistent" "sh -c 'kill -KILL \$\$'")
	{
		local c i=0
		for c in "${cases[@]}"; do
			echo "stty -g > '$T_TMP/before.$i'"
			echo "$(sbx_cmdline -i -t "$ROOTFS") $c"
			echo "echo \$? > '$T_TMP/rc.$i'"
			echo "stty -g > '$T_TMP/after.$i'"
			i=$((i + 1))
		done
		echo "echo done > '$T_TMP/done'"
		echo "exec sleep 60"
	} >"$T_TMP/pane.sh"
	tmux_start 100 30
	wait_for_file "$T_TMP/done" '^done$' 20
	local expected=(0 3 127 137) i
	for i in "${!cases[@]}"; do
		assert_eq "${expected[$i]}" "$(cat "$T_TMP/rc.$i")" "exit status of ${cases[$i]}"
		assert_eq "$(cat "$T_TMP/before.$i")" "$(cat "$T_TMP/after.$i")" "terminal mode after ${cases[$i]}"
	done
}

# While a -i -t sandbox runs, the caller's terminal is in raw mode (no echo, no
# line editing: keys go to the sandbox's pty as typed); afterwards it is back.
# (-i: as with podman, only an attached stdin needs the caller's terminal raw.)
test_tty_raw_while_running() {
	require_cmd tmux
	cat >"$T_TMP/pane.sh" <<EOF
t=\$(tty)
stty -a < "\$t" > '$T_TMP/before'
( sleep 0.4; stty -a < "\$t" > '$T_TMP/during' ) &
$(sbx_cmdline -i -t "$ROOTFS" sleep 1)
echo "rc=\$?" > '$T_TMP/rc'
stty -a < "\$t" > '$T_TMP/after'
exec sleep 60
EOF
	tmux_start 100 30
	wait_for_file "$T_TMP/rc" '^rc=' 10
	assert_eq "rc=0" "$(cat "$T_TMP/rc")" "exit status"
	assert_file_has_content "$T_TMP/before" '(^| )icanon( |$)'
	assert_file_has_content "$T_TMP/during" '(^| )-icanon( |$)'
	assert_file_has_content "$T_TMP/during" '(^| )-echo( |$)'
	assert_eq "$(cat "$T_TMP/before")" "$(cat "$T_TMP/after")" "terminal settings after the sandbox"
}

t "-t under script: tty is /dev/pts/N" test_tty_under_script
t "-i -t puts the caller's terminal in raw mode" test_tty_raw_while_running
t "-t uses the sandbox's own devpts" test_tty_private_devpts
t "-t window size starts right and follows resizes" test_tty_window_size
t "-i -t forwards typed input" test_tty_input
t "-i -t restores the terminal mode on every exit" test_tty_mode_restored
t_main "$@"
