#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 18-exec-escapes.sh - what enters a sandbox exposes nothing of the host: its binary
# (#!/proc/self/exe), a descriptor under -w, a name that shadows an id, a fake root
# shellcheck disable=SC2016 # commands for inside the sandbox are single-quoted on purpose
set -u
# shellcheck source=tests/lib/sbx.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sbx.sh"

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

# ---- #!/proc/self/exe (CVE-2019-5736) ----------------------------------------

# self_exe_script: $T_TMP/s/x, a script whose interpreter is the caller's own
# binary; the directory is bound as /s
self_exe_script() {
	mkdir -p "$T_TMP/s"
	printf '#!/proc/self/exe\n' >"$T_TMP/s/x"
	chmod 755 "$T_TMP/s/x"
}

# full_pipe_on_fd3: fd 3 is a FIFO whose buffer is full, so that a process
# writing its error message there blocks and can be looked at
full_pipe_on_fd3() {
	require_cmd python3
	mkfifo "$T_TMP/pipe"
	exec 3<>"$T_TMP/pipe"
	python3 -c '
import fcntl, os
fl = fcntl.fcntl(3, fcntl.F_GETFL)
fcntl.fcntl(3, fcntl.F_SETFL, fl | os.O_NONBLOCK)
for chunk in (b"x" * 4096, b"x"):
    try:
        while True:
            os.write(3, chunk)
    except BlockingIOError:
        pass
fcntl.fcntl(3, fcntl.F_SETFL, fl)'
}

# The dev:ino of every process's executable visible in sandbox $1, one
# `PID DEV:INO CMDLINE` line each (none for those whose exe cannot be opened).
inside_exes() {
	"$SANDBOX" exec "$1" sh -c 'for p in /proc/[0-9]*; do
		d=$(stat -L -c %d:%i "$p/exe" 2>/dev/null) || continue
		echo "${p#/proc/} $d $(tr "\0" " " <"$p/cmdline")"
	done'
}

# assert_interpreter_not_host SANDBOX: the script's interpreter (blocked on
# fd 3) runs in SANDBOX, and neither it nor any other process there has the
# host's binary as its executable
assert_interpreter_not_host() {
	local host found="" i
	host=$(stat -L -c %d:%i "$SANDBOX")
	for ((i = 0; i < 100; i++)); do
		inside_exes "$1" >"$T_TMP/exes" 2>/dev/null || true
		if grep -q ' /proc/self/exe /s/x' "$T_TMP/exes"; then
			found=1
			break
		fi
		sleep 0.05
	done
	t_note "processes: $(cat "$T_TMP/exes")"
	[ -n "$found" ] || t_fail "the script's interpreter never ran in the sandbox"
	if grep -q " $host " "$T_TMP/exes"; then
		t_fail "a process in the sandbox has the host's binary ($host) as its exe"
	fi
}

test_exec_self_exe_script() {
	self_exe_script
	start_d -v "$T_TMP/s:/s" "$ROOTFS" sleep 60
	full_pipe_on_fd3
	"$SANDBOX" exec "$ID" /s/x 2>&3 &
	t_defer kill -9 $!
	assert_interpreter_not_host "$ID"
	assert_status 0 "$SANDBOX" rm -f "$ID"
	wait
	assert_nothing_left
}

test_run_self_exe_script() {
	local init
	self_exe_script
	full_pipe_on_fd3
	for init in true false; do
		"$SANDBOX" run --rm --network none "${SBX_RUN_DEFAULTS[@]}" --init="$init" --name "s-$init" \
			-v "$T_TMP/s:/s" "$ROOTFS" /s/x 2>&3 &
		t_defer kill -9 $!
		assert_interpreter_not_host "s-$init"
		assert_status 0 "$SANDBOX" rm -f "s-$init"
		wait
	done
	assert_nothing_left
}

test_start_self_exe_script() {
	self_exe_script
	full_pipe_on_fd3
	assert_status 0 "$SANDBOX" create --network none "${SBX_RUN_DEFAULTS[@]}" --name st -v "$T_TMP/s:/s" \
		"$ROOTFS" /s/x
	t_defer "$SANDBOX" rm -f st
	"$SANDBOX" start -a st 2>&3 &
	t_defer kill -9 $!
	assert_interpreter_not_host st
	assert_status 0 "$SANDBOX" rm -f st
	wait
	assert_nothing_left
}

t "exec of a #!/proc/self/exe script does not expose the host's binary" test_exec_self_exe_script
t "run (init, --init=false) of a #!/proc/self/exe script does not expose it" test_run_self_exe_script
t "start -a of a #!/proc/self/exe script does not expose it" test_start_self_exe_script
t_main "$@"
