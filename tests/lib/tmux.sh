# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# tmux.sh - a terminal for the TTY tests (sourced after sbx.sh): one private tmux server
# per test, running $T_TMP/pane.sh with the test's SANDBOX_ROOT and SANDBOX_RUNROOT

tmux_start() {
	TMUX_SOCK=$T_TMP/tmux.sock
	tmux -S "$TMUX_SOCK" new-session -d -x "$1" -y "$2" \
		"$(printf '%q ' env SANDBOX_ROOT="$SANDBOX_ROOT" SANDBOX_RUNROOT="$SANDBOX_RUNROOT" bash "$T_TMP/pane.sh")"
	t_defer tmux -S "$TMUX_SOCK" kill-server
}

tmux_screen() {
	tmux -S "$TMUX_SOCK" capture-pane -p -S -100 -J
}

# wait_for_screen REGEX [SECONDS]
wait_for_screen() {
	local regex=$1 secs=${2:-10} i
	for ((i = 0; i < secs * 20; i++)); do
		tmux_screen 2>/dev/null | grep -qE -e "$regex" && return 0
		sleep 0.05
	done
	echo "--- screen:" >&2
	tmux_screen >&2 2>/dev/null || true
	t_fail "timed out waiting for /$regex/ on the screen"
}
