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
	require_static_binary "the sealed copy runs as the script's interpreter inside a busybox root"
	self_exe_script
	start_d -v "$T_TMP/s:/s" "$ROOTFS" sleep 60
	full_pipe_on_fd3
	"$SANDBOX" exec "$ID" /s/x 2>&3 &
	t_defer kill -9 $!
	assert_interpreter_not_host "$ID"
	# what it runs from can have its mode changed, not its bytes; exec goes on
	assert_status 0 "$SANDBOX" exec "$ID" sh -c 'for p in /proc/[0-9]*; do
		[ "$(tr "\0" " " <$p/cmdline)" = "/proc/self/exe /s/x " ] && chmod 0 $p/exe && echo changed
	done; true'
	assert_eq changed "$(cat "$T_OUT")" "chmod of the interpreter's exe"
	assert_status 0 "$SANDBOX" exec "$ID" true
	assert_status 0 "$SANDBOX" rm -f "$ID"
	wait
	assert_nothing_left
}

test_run_self_exe_script() {
	require_static_binary "the sealed copy runs as the script's interpreter inside a busybox root"
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

test_shell_self_exe_script() {
	require_static_binary "the sealed copy runs as the script's interpreter inside a busybox root"
	self_exe_script
	full_pipe_on_fd3
	"$SANDBOX" shell --name sh1 --network none -v "$T_TMP/s:/s" -e SHELL=/s/x "$ROOTFS" 2>&3 </dev/null &
	t_defer kill -9 $!
	t_defer "$SANDBOX" rm -f sh1
	assert_interpreter_not_host sh1
	assert_status 0 "$SANDBOX" rm -f sh1
	wait
	assert_nothing_left
}

test_start_self_exe_script() {
	require_static_binary "the sealed copy runs as the script's interpreter inside a busybox root"
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

# ---- -w through a descriptor of the host (CVE-2024-21626) --------------------

# wd_escape_probe CMD...: run CMD (which ends with `ls`) for -w /proc/self/fd/N,
# N = 3..15 in turn (or the numbers in $WD_FDS), from a host directory holding `host-marker`: each must be
# refused with 125 and none may list the host directory. `{}` in CMD is N.
wd_escape_probe() {
	local n args a
	mkdir -p "$T_TMP/hostcwd"
	touch "$T_TMP/hostcwd/host-marker"
	for n in ${WD_FDS:-$(seq 3 15)}; do
		args=()
		for a in "$@"; do
			args+=("${a//\{\}/$n}")
		done
		run_cmd sh -c 'cd "$1" && shift && exec "$@"' sh "$T_TMP/hostcwd" "${args[@]}"
		if grep -q host-marker "$T_OUT"; then
			t_fail "-w /proc/self/fd/$n: the command ran in the host's directory"
		fi
		if [ "$T_STATUS" != 125 ]; then
			t_show_output
			t_fail "-w /proc/self/fd/$n: status $T_STATUS, not 125"
		fi
		assert_error_line 'working directory'
	done
}

test_exec_workdir_fd() {
	start_d "$ROOTFS" sleep 60
	wd_escape_probe "$SANDBOX" exec -w '/proc/self/fd/{}' "$ID" ls
	# a directory inside, also through a symlink, still works
	assert_status 0 "$SANDBOX" exec -w /proc/self "$ID" true
	assert_status 0 "$SANDBOX" exec -w /etc "$ID" pwd
	assert_eq /etc "$(cat "$T_OUT")" "-w /etc"
	assert_status 0 "$SANDBOX" rm -f "$ID"
	assert_nothing_left
}

test_run_workdir_fd() {
	wd_escape_probe "$SANDBOX" run --rm --network none "${SBX_RUN_DEFAULTS[@]}" -w '/proc/self/fd/{}' "$ROOTFS" ls
	wd_escape_probe "$SANDBOX" run --rm --network none "${SBX_RUN_DEFAULTS[@]}" --init=false \
		-w '/proc/self/fd/{}' "$ROOTFS" ls
	assert_nothing_left
}

# A docker-archive of the busybox rootfs whose config's WorkingDir is $2, as $1:v1.
mk_workdir_image() {
	require_cmd python3
	python3 - "$ROOTFS" "$T_TMP/img-$1.tar" "$1" "$2" <<'PY'
import hashlib, io, json, sys, tarfile
rootfs, out, name, wd = sys.argv[1:5]
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w") as tf:
    def owned_by_root(ti):
        ti.uid = ti.gid = 0
        ti.uname = ti.gname = ""
        return ti
    tf.add(rootfs, arcname=".", filter=owned_by_root)
layer = buf.getvalue()
sha = lambda b: hashlib.sha256(b).hexdigest()
cfg = json.dumps({"architecture": "amd64", "os": "linux",
                  "config": {"Cmd": ["ls"], "WorkingDir": wd},
                  "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha(layer)]}}).encode()
def add(tf, n, b):
    ti = tarfile.TarInfo(n)
    ti.size = len(b)
    tf.addfile(ti, io.BytesIO(b))
with tarfile.open(out, "w") as tf:
    add(tf, sha(cfg) + ".json", cfg)
    add(tf, sha(layer) + "/layer.tar", layer)
    add(tf, "manifest.json", json.dumps([{"Config": sha(cfg) + ".json", "RepoTags": [name + ":v1"],
                                         "Layers": [sha(layer) + "/layer.tar"]}]).encode())
PY
	assert_status 0 "$SANDBOX" import "$T_TMP/img-$1.tar"
}

test_image_workdir_fd() {
	local n
	WD_FDS=$(seq 3 10)
	for n in $WD_FDS; do
		mk_workdir_image "wd$n" "/proc/self/fd/$n"
	done
	wd_escape_probe "$SANDBOX" run --rm --network none "${SBX_RUN_DEFAULTS[@]}" "wd{}:v1"
	assert_nothing_left
}

# ---- names that shadow ids ---------------------------------------------------

# impostor_pair: sandbox A, and an impostor B (-t) whose name is A's full id, as
# an older sandbox or a hand-made link in the store could leave; sets A and B
impostor_pair() {
	start_d "$ROOTFS" sh -c 'echo i-am-A; exec sleep 60'
	A=$ID
	start_d -t --name imp "$ROOTFS" sh -c 'echo i-am-B; exec sleep 60'
	B=$ID
	ln -s "$B" "$SANDBOX_ROOT/names/$A"
	wait_for_file "$SANDBOX_ROOT/sandboxes/$A/ctr.log" i-am-A
	wait_for_file "$SANDBOX_ROOT/sandboxes/$B/ctr.log" i-am-B
}

# impostor_done: both removed (A may be gone already), nothing left
impostor_done() {
	run_cmd "$SANDBOX" rm -f "$A" "$B"
	rm -f "$SANDBOX_ROOT/names/$A" "$SANDBOX_ROOT/names/${A:0:4}"
	assert_nothing_left
}

# assert_runs ID: ID's own sandbox is running (its hostname is its short id)
assert_runs() {
	assert_status 0 "$SANDBOX" exec "$1" hostname
	assert_eq "${1:0:12}" "$(cat "$T_OUT")" "hostname of the sandbox exec reached as $1"
}

assert_not_running() {
	assert_status 125 "$SANDBOX" exec "$1" true
	assert_error_line 'not running'
}

test_id_over_name_exec_logs_inspect() {
	impostor_pair
	assert_runs "$A"
	assert_status 0 "$SANDBOX" logs "$A"
	assert_eq i-am-A "$(cat "$T_OUT")" "logs of $A"
	assert_status 0 "$SANDBOX" inspect "$A"
	assert_file_has_content "$T_OUT" "$A"
	assert_not_file_has_content "$T_OUT" "$B"
	impostor_done
}

test_id_over_name_attach() {
	impostor_pair
	# A was not started with -t: attach must say so, not attach to B
	assert_status 125 timeout 10 "$SANDBOX" attach "$A" </dev/null
	assert_error_line 'not started with -t'
	impostor_done
}

test_id_over_name_kill() {
	impostor_pair
	local i
	assert_status 0 "$SANDBOX" kill "$A"
	for ((i = 0; i < 100; i++)); do
		"$SANDBOX" ps -a | grep -q "^${A:0:12} .*exited" && break
		sleep 0.05
	done
	assert_not_running "$A"
	assert_runs "$B"
	impostor_done
}

test_id_over_name_stop_start_rm() {
	impostor_pair
	assert_status 0 "$SANDBOX" stop -t 1 "$A"
	assert_not_running "$A"
	assert_runs "$B"
	assert_status 0 "$SANDBOX" start "$A"
	assert_runs "$A"
	assert_status 0 "$SANDBOX" rm -f "$A"
	assert_not_exists "$SANDBOX_ROOT/sandboxes/$A"
	assert_runs "$B"
	assert_file_exists "$SANDBOX_ROOT/sandboxes/$B"
	impostor_done
}

# A name that is also the start of another sandbox's id is refused as
# ambiguous; --name takes no name of hex digits only.
test_name_prefix_ambiguous() {
	impostor_pair
	ln -s "$B" "$SANDBOX_ROOT/names/${A:0:4}"
	local cmd name
	for cmd in "exec ${A:0:4} true" "rm -f ${A:0:4}" "stop ${A:0:4}" "start -a ${A:0:4}"; do
		# shellcheck disable=SC2086 # split on purpose
		assert_status 125 "$SANDBOX" $cmd
		assert_error_line 'ambiguous'
	done
	assert_runs "$A"
	assert_runs "$B"
	for name in "${A:0:4}" "$A" f 123; do
		assert_status 125 "$SANDBOX" run --rm --network none --name "$name" "$ROOTFS" true
		assert_error_line 'hex digits'
	done
	assert_status 0 sbx_run --name "cafe-1" "$ROOTFS" true
	impostor_done
}

# ---- exec lands in PID 1's root and namespaces --------------------------------

# A tree for a command to chroot into: busybox, and a passwd of its own.
fake_tree='mkdir -p /fake/bin /fake/etc /fake/proc && cp /bin/busybox /fake/bin/ &&
	for a in sh sleep ls cat grep; do ln -s busybox /fake/bin/$a; done &&
	echo "root:x:0:0:FAKE:/:/bin/sh" >/fake/etc/passwd && echo fake >/fake/FAKE'

test_exec_after_chroot() {
	start_d "$ROOTFS" sh -c "$fake_tree"' && echo ready && exec chroot /fake sleep 60'
	wait_for_file "$SANDBOX_ROOT/sandboxes/$ID/ctr.log" ready
	assert_status 0 "$SANDBOX" exec "$ID" sh -c 'ls /; grep "^root:" /etc/passwd'
	assert_not_file_has_content "$T_OUT" '^FAKE$'
	assert_not_file_has_content "$T_OUT" 'FAKE:/'
	assert_file_has_content "$T_OUT" '^fake$'
	assert_file_has_content "$T_OUT" '^root:'
	assert_status 0 "$SANDBOX" rm -f "$ID"
	assert_nothing_left
}

# A command in namespaces of its own (a nested user namespace needs no
# privilege) with its own /etc: exec refuses to follow it.
test_exec_after_unshare() {
	local init
	for init in true false; do
		start_d --init="$init" --security-opt seccomp=unconfined "$ROOTFS" \
			unshare -r -m sh -c 'mount -t tmpfs fake /etc && echo "root:x:0:0:FAKE:/:/bin/sh" >/etc/passwd &&
				echo ready && exec sleep 60'
		wait_for_file "$SANDBOX_ROOT/sandboxes/$ID/ctr.log" ready
		run_cmd "$SANDBOX" exec "$ID" cat /etc/passwd
		assert_not_file_has_content "$T_OUT" FAKE
		[ "$T_STATUS" = 125 ] || { t_show_output; t_fail "--init=$init: exec status $T_STATUS, not 125"; }
		assert_error_line 'namespace'
		assert_status 0 "$SANDBOX" rm -f "$ID"
	done
	assert_nothing_left
}

# Something mounted over the sandbox's root after it started: exec still
# enters PID 1's root (the command's, which is the same), not the mount on top.
test_exec_root_covered() {
	start_d --cap-add SYS_ADMIN --security-opt seccomp=unconfined "$ROOTFS" sh -c \
		"$fake_tree"' && mount --bind /fake / && echo ready && exec sleep 60'
	wait_for_file "$SANDBOX_ROOT/sandboxes/$ID/ctr.log" ready
	assert_status 0 "$SANDBOX" exec "$ID" sh -c 'ls /; grep "^root:" /etc/passwd'
	assert_not_file_has_content "$T_OUT" FAKE
	assert_file_has_content "$T_OUT" '^fake$'
	assert_status 0 "$SANDBOX" rm -f "$ID"
	assert_nothing_left
}

# With CAP_SYS_ADMIN the sandbox's user and mount namespaces are the nested,
# locked ones PID 1 moved into at start (mntlock.c). A command that unshares
# a mount namespace (and a user namespace) of its own, with a fake /etc, does
# not take exec there: exec goes through another child of PID 1 still in the
# sandbox's (an orphan here), or is refused when there is none (--init=false).
test_exec_sys_admin_unshare() {
	local how init
	for how in "-m" "-r -m"; do
		for init in true false; do
			start_d --init="$init" --cap-add SYS_ADMIN "$ROOTFS" sh -c '(sleep 60 &)
				exec unshare '"$how"' sh -c "mount -t tmpfs fake /etc &&
					echo root:x:0:0:FAKE:/:/bin/sh >/etc/passwd && echo ready && exec sleep 60"'
			wait_for_file "$SANDBOX_ROOT/sandboxes/$ID/ctr.log" ready
			run_cmd "$SANDBOX" exec "$ID" cat /etc/passwd
			assert_not_file_has_content "$T_OUT" FAKE
			if [ "$init" = true ]; then
				[ "$T_STATUS" = 0 ] || { t_show_output; t_fail "unshare $how: exec status $T_STATUS, not 0"; }
				assert_file_has_content "$T_OUT" '^root:x:0:0:'
			else
				[ "$T_STATUS" = 125 ] ||
					{ t_show_output; t_fail "unshare $how, --init=false: exec status $T_STATUS, not 125"; }
				assert_error_line 'namespace'
			fi
			assert_status 0 "$SANDBOX" rm -f "$ID"
		done
	done
	assert_nothing_left
}

t "exec of a #!/proc/self/exe script does not expose the host's binary" test_exec_self_exe_script
t "run (init, --init=false) of a #!/proc/self/exe script does not expose it" test_run_self_exe_script
t "start -a of a #!/proc/self/exe script does not expose it" test_start_self_exe_script
t "shell with a #!/proc/self/exe script as its SHELL does not expose it" test_shell_self_exe_script
t "exec -w /proc/self/fd/N stays in the sandbox" test_exec_workdir_fd
t "run -w /proc/self/fd/N stays in the sandbox (init, --init=false)" test_run_workdir_fd
t "an image's WorkingDir /proc/self/fd/N stays in the sandbox" test_image_workdir_fd
t "an exact id wins over a name: exec, logs, inspect" test_id_over_name_exec_logs_inspect
t "an exact id wins over a name: attach" test_id_over_name_attach
t "an exact id wins over a name: kill" test_id_over_name_kill
t "an exact id wins over a name: stop, start, rm" test_id_over_name_stop_start_rm
t "a name that is another's id prefix is ambiguous; hex names refused" test_name_prefix_ambiguous
t "exec after the command chroot()ed: the sandbox's root and passwd" test_exec_after_chroot
t "exec does not follow a command into namespaces of its own" test_exec_after_unshare
t "exec enters PID 1's root when one was mounted over it" test_exec_root_covered
t "CAP_SYS_ADMIN: exec does not follow a command into namespaces of its own" test_exec_sys_admin_unshare
t_main "$@"
