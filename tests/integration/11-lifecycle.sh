#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 11-lifecycle.sh - run -d, ps, logs, stop, kill, rm, prune, names and ids, supervisor crashes
# shellcheck disable=SC2016 # commands for inside the sandbox are single-quoted on purpose
set -u
# shellcheck source=tests/lib/sbx.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sbx.sh"
# shellcheck source=tests/lib/tmux.sh
. "$SBX_TESTS_DIR/lib/tmux.sh"

# sbx_run_d OPTIONS... IMAGE CMD...: `sandbox run -d --network none ...`, id on stdout
sbx_run_d() {
	"$SANDBOX" run -d --network none "${SBX_RUN_DEFAULTS[@]}" "$@"
}

# start_d OPTIONS... IMAGE CMD...: start a detached sandbox, fail unless it did; sets ID
start_d() {
	run_cmd sbx_run_d "$@"
	if [ "$T_STATUS" != 0 ]; then
		t_show_output
		t_fail "run -d failed with $T_STATUS"
	fi
	ID=$(cat "$T_OUT")
	assert_match '^[0-9a-f]{64}$' "$ID" "id printed by run -d"
	t_defer "$SANDBOX" rm -f "$ID"
}

# status_of SANDBOX: its STATUS column in `ps -a` (SANDBOX: a name or an id)
status_of() {
	"$SANDBOX" ps -a | awk -v id="${1:0:12}" -v name="$1" '$1 == id || $2 == name' |
		grep -oE 'running|created|exited \([^)]*\)|OOM-killed'
}

# wait_status SANDBOX STATUS: until `ps -a` shows STATUS (5 s at most), then assert it
wait_status() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(status_of "$1")" = "$2" ] && break
		sleep 0.05
	done
	assert_eq "$2" "$(status_of "$1")" "status of $1"
}

# Nothing of any sandbox is left: store, runroot, names, processes, mounts.
assert_all_gone() {
	assert_nothing_left
	local names
	names=$(ls -A "$SANDBOX_ROOT/names" 2>/dev/null || true)
	[ -z "$names" ] || t_fail "names left: $names"
}

# run -d -t (-dit, as users type it for docker): the pty's output goes to the log; the
# shell waits for input that never comes, so it keeps running until stopped
test_detach_tty() {
	start_d -i -t --name dt "$ROOTFS" sh -c 'tty; stty size; exec sh'
	local i
	for ((i = 0; i < 100; i++)); do
		grep -q '^24 80' "$SANDBOX_ROOT/sandboxes/$ID/ctr.log" 2>/dev/null && break
		sleep 0.05
	done
	assert_status 0 sbx logs dt
	assert_file_has_content "$T_OUT" '^/dev/pts/0'
	assert_file_has_content "$T_OUT" '^24 80'
	sleep 0.3
	assert_eq running "$(status_of dt)" "status of the waiting shell"
	assert_status 0 sbx exec dt sh -c 'ps -o comm | grep -c "^sh$"'
	assert_status 0 sbx stop -t 1 dt
	assert_match '^exited' "$(status_of dt)" "status after stop"
	assert_status 0 sbx rm dt
	assert_all_gone
}

# attach to a run -dit shell: input, output, window size, one client at a time,
# ctrl-p ctrl-q detaches (exit 0, still running), the command's status when it ends
test_attach() {
	command -v tmux >/dev/null || t_skip "tmux is not installed"
	start_d -i -t --name at "$ROOTFS" sh
	cat >"$T_TMP/pane.sh" <<EOF
$(printf '%q ' "$SANDBOX") attach at
echo "rc=\$?" > '$T_TMP/rc1'
while [ ! -e '$T_TMP/go' ]; do sleep 0.05; done
$(printf '%q ' "$SANDBOX") attach at
echo "rc=\$?" > '$T_TMP/rc2'
exec sleep 60
EOF
	tmux_start 100 30
	tmux -S "$TMUX_SOCK" send-keys -l 'echo hi-$((1+1))'
	tmux -S "$TMUX_SOCK" send-keys Enter
	wait_for_screen '^hi-2' 10
	# one client at a time
	assert_status 125 sbx attach at </dev/null
	assert_error_line 'attach: at: already attached$'
	tmux -S "$TMUX_SOCK" resize-window -x 120 -y 40
	sleep 0.2
	tmux -S "$TMUX_SOCK" send-keys -l 'echo "size=$(stty size)"'
	tmux -S "$TMUX_SOCK" send-keys Enter
	wait_for_screen '^size=40 120' 10
	tmux -S "$TMUX_SOCK" send-keys C-p C-q
	wait_for_file "$T_TMP/rc1" '^rc=' 10
	assert_eq "rc=0" "$(cat "$T_TMP/rc1")" "exit status after the detach keys"
	assert_eq running "$(status_of at)" "status after detaching"
	# again: the shell's exit status is attach's
	touch "$T_TMP/go"
	tmux -S "$TMUX_SOCK" send-keys -l 'echo again-$((2+2))'
	tmux -S "$TMUX_SOCK" send-keys Enter
	wait_for_screen '^again-4' 10
	tmux -S "$TMUX_SOCK" send-keys -l 'exit 3'
	tmux -S "$TMUX_SOCK" send-keys Enter
	wait_for_file "$T_TMP/rc2" '^rc=' 10
	assert_eq "rc=3" "$(cat "$T_TMP/rc2")" "exit status of attach when the shell exits"
	assert_eq "exited (3)" "$(status_of at)" "status after exit 3"
	assert_status 0 sbx rm at
	assert_all_gone
}

# attach: errors are one line and 125
test_attach_errors() {
	start_d --name nt "$ROOTFS" sleep 60
	assert_status 125 sbx attach nt
	assert_error_line 'attach: nt: not started with -t: use `sandbox logs -f`$'
	assert_status 125 sbx attach no-such-sandbox
	assert_error_line
	assert_status 125 sbx attach --detach-keys ctrl-1 nt
	assert_error_line 'invalid --detach-keys'
	assert_status 125 sbx attach
	assert_error_line 'missing SANDBOX'
	assert_status 0 sbx rm -f nt
	assert_all_gone
}

# create + start: the flags and operands are kept (environment values as they were),
# the writable layer survives between starts, ps -a says created, then exited.
test_create_start() {
	require_subuid
	export SBX_CS_VAR=from-create
	assert_status 0 sbx create --name cs --network none -e SBX_CS_VAR -e B=2 "$ROOTFS" \
		sh -c 'echo "$SBX_CS_VAR $B"; cat /kept 2>/dev/null; echo run >>/kept'
	local id
	id=$(cat "$T_OUT")
	assert_match '^[0-9a-f]{64}$' "$id" "id printed by create"
	t_defer "$SANDBOX" rm -f cs
	assert_eq created "$(status_of cs)" "status after create"
	assert_status 0 sbx ps
	assert_not_file_has_content "$T_OUT" "${id:0:12}"
	assert_status 0 sbx ps -a --format json
	assert_file_has_content "$T_OUT" '"status": "created"'
	# the name is taken
	assert_status 125 sbx create --name cs "$ROOTFS" true
	assert_error_line 'already in use'
	# start -a: in the foreground, its output and status; the variable's value of create time
	export SBX_CS_VAR=changed
	assert_status 0 sbx start -a cs
	assert_eq "from-create 2" "$(cat "$T_OUT")" "output of the first start"
	assert_match '^exited \(0\)$' "$(status_of cs)" "status after start -a"
	# start (detached, from another directory) and the file of the first start is there
	cd /
	assert_status 0 sbx start cs
	assert_eq cs "$(cat "$T_OUT")" "start prints what it was given"
	wait_status cs "exited (0)"
	assert_status 0 sbx logs cs
	assert_file_has_content "$T_OUT" '^run$'
	assert_status 0 sbx rm cs
	# a relative volume source is kept as the absolute path it named
	mkdir -p "$T_TMP/vol" && echo in-vol >"$T_TMP/vol/f"
	cd "$T_TMP"
	assert_status 0 sbx create --name rel --network none -v ./vol:/mnt:ro "$ROOTFS" cat /mnt/f
	cd /
	assert_status 0 sbx start -a rel
	assert_eq in-vol "$(cat "$T_OUT")" "the volume of create, started from /"
	assert_status 0 sbx rm rel
	assert_all_gone
}

test_start_errors() {
	assert_status 125 sbx start
	assert_error_line 'missing SANDBOX'
	assert_status 125 sbx start nosuch
	assert_error_line 'nosuch'
	assert_status 125 sbx create --rm "$ROOTFS" true
	assert_error_line '[-]-rm'
	assert_status 125 sbx create -d "$ROOTFS" true
	assert_error_line 'sandbox start'
	assert_status 125 sbx create "$T_TMP/nodir" true
	assert_error_line 'nodir'
	assert_status 125 sbx create localhost/nosuchimage true
	assert_error_line 'nosuchimage'
	assert_eq "" "$(ls -A "$SANDBOX_ROOT/sandboxes" 2>/dev/null)" "sandboxes left by failed creates"
	# a sandbox with a terminal starts in the background too; its output goes to the log
	assert_status 0 sbx create --name tty -t --network none "$ROOTFS" sh -c 'tty; stty size'
	t_defer "$SANDBOX" rm -f tty
	assert_status 0 sbx start tty
	wait_status tty "exited (0)"
	assert_status 0 sbx logs tty
	assert_file_has_content "$T_OUT" '^/dev/pts/0'
	assert_status 125 sbx start -a tty cs
	assert_error_line 'one sandbox'
	# a kept sandbox of `run` starts again, with its writable layer
	assert_status 0 sbx run --name again --network none "$ROOTFS" sh -c 'echo x >>/f; wc -l </f'
	assert_eq 1 "$(cat "$T_OUT")" "first run"
	assert_status 0 sbx start -a again
	assert_eq 2 "$(cat "$T_OUT")" "start -a of the exited sandbox"
	assert_status 0 sbx rm again
	# one made by shell starts with `shell --name`, not start
	assert_status 0 sh -c "echo exit | '$SANDBOX' shell --name sh1 '$ROOTFS'"
	assert_status 125 sbx start sh1
	assert_error_line 'made by `sandbox shell`'
	assert_status 0 sbx rm sh1
	# a sandbox whose supervisor was killed starts again (its stale live state goes)
	start_d --name phoenix "$ROOTFS" sh -c 'test -e /started && exit 0; touch /started; exec sleep 30'
	local sup
	sup=$(awk '{ print $3 }' "$SANDBOX_RUNROOT/$ID/pid")
	kill -KILL "$sup"
	"$SANDBOX" kill phoenix >/dev/null 2>&1 || true
	for ((i = 0; i < 100; i++)); do
		[ "$(status_of phoenix)" = running ] || break
		sleep 0.05
	done
	assert_status 0 sbx start -a phoenix
	assert_status 0 sbx rm phoenix
	# a running sandbox: start says its name, as podman does
	start_d --name busy "$ROOTFS" sleep 30
	assert_status 0 sbx start busy
	assert_eq busy "$(cat "$T_OUT")" "start of a running sandbox"
	assert_status 0 sbx rm -f busy tty
	assert_all_gone
}

test_detach_round_trip() {
	start_d --name web "$ROOTFS" sh -c 'echo started; echo to-stderr >&2; exec sleep 60'
	assert_file_empty "$T_ERR"
	assert_eq running "$(status_of "$ID")" "status after run -d"
	# ps without -a lists it; id (12), name, image, command
	assert_status 0 "$SANDBOX" ps
	assert_file_has_content "$T_OUT" "^${ID:0:12}  web  .*sh -c echo started.*running"
	wait_for_file "$SANDBOX_ROOT/sandboxes/$ID/ctr.log" 'to-stderr'
	assert_status 0 "$SANDBOX" logs web
	assert_eq "started
to-stderr" "$(cat "$T_OUT")" "logs"
	assert_status 0 "$SANDBOX" stop -t 5 web
	assert_eq "exited (143)" "$(status_of "$ID")" "status after stop"
	assert_status 0 "$SANDBOX" ps
	assert_not_file_has_content "$T_OUT" "${ID:0:12}"
	# the log outlives the sandbox
	assert_status 0 "$SANDBOX" logs "${ID:0:8}"
	assert_file_has_content "$T_OUT" '^started$'
	assert_status 0 "$SANDBOX" rm web
	assert_all_gone
}

# The exit status is recorded: ps -a, ps --format json.
test_exit_status_recorded() {
	start_d "$ROOTFS" sh -c 'exit 3'
	wait_status "$ID" "exited (3)"
	assert_status 0 "$SANDBOX" ps -a --format json
	command -v jq >/dev/null || t_skip "jq is not installed"
	assert_eq "exited 3 null" "$(jq -r ".[] | select(.id == \"$ID\") | \"\(.status) \(.exit_code) \(.pid)\"" "$T_OUT")" "json"
	assert_eq 0 "$(jq 'length' < <("$SANDBOX" ps --format json))" "ps --format json without -a"
	assert_status 0 "$SANDBOX" rm "$ID"
	assert_all_gone
}

test_json_running() {
	command -v jq >/dev/null || t_skip "jq is not installed"
	start_d --name j "$ROOTFS" sleep 60
	assert_status 0 "$SANDBOX" ps --format json
	assert_eq "$ID j running sleep,60 $ROOTFS" \
		"$(jq -r '.[0] | "\(.id) \(.name) \(.status) \(.command | join(",")) \(.image)"' "$T_OUT")" "json"
	assert_match '^[0-9]+$' "$(jq -r '.[0].pid' "$T_OUT")" "pid"
	assert_match '^[0-9]{10}$' "$(jq -r '.[0].created' "$T_OUT")" "created"
	assert_status 0 "$SANDBOX" rm -f j
	assert_all_gone
}

# Names and ids: full id, unique prefix, name; unknown and ambiguous ones.
test_names_and_ids() {
	local fake1 fake2
	start_d --name alpha "$ROOTFS" sleep 60
	assert_status 0 "$SANDBOX" kill -s 0 "$ID"
	assert_status 0 "$SANDBOX" kill -s 0 "${ID:0:3}"
	assert_status 0 "$SANDBOX" kill -s 0 alpha
	assert_status 125 "$SANDBOX" kill -s 0 nosuch
	assert_error_line 'nosuch: no such sandbox'
	assert_status 125 "$SANDBOX" stop 0123456789abcdef0123
	assert_error_line 'no such sandbox'
	# two stored sandboxes that share a prefix
	fake1=$(printf 'abcabc1%057d' 1) fake2=$(printf 'abcabc2%057d' 2)
	mkdir -p "$SANDBOX_ROOT/sandboxes/$fake1" "$SANDBOX_ROOT/sandboxes/$fake2"
	assert_status 125 "$SANDBOX" rm abcabc
	assert_error_line 'abcabc: ambiguous'
	[ -d "$SANDBOX_ROOT/sandboxes/$fake1" ] || t_fail "an ambiguous rm removed something"
	assert_status 0 "$SANDBOX" rm abcabc1
	[ -d "$SANDBOX_ROOT/sandboxes/$fake1" ] && t_fail "rm did not remove $fake1"
	assert_status 0 "$SANDBOX" rm "${fake2:0:20}"
	# a duplicate name is refused; the first keeps running
	assert_status 125 sbx_run_d --name alpha "$ROOTFS" true
	assert_error_line 'alpha.*already in use'
	assert_eq running "$(status_of alpha)" "first sandbox"
	assert_eq 1 "$(find "$SANDBOX_ROOT/sandboxes" -mindepth 1 -maxdepth 1 | wc -l)" "sandboxes in the store"
	assert_status 0 "$SANDBOX" rm -f alpha
	assert_all_gone
}

# Bad input: one line, 125, nothing changed.
test_bad_input() {
	start_d --name busy "$ROOTFS" sleep 60
	assert_status 125 "$SANDBOX" rm busy
	assert_error_line 'busy: the sandbox is running'
	assert_eq running "$(status_of busy)" "after a refused rm"
	assert_status 125 "$SANDBOX" logs nosuch
	assert_error_line 'no such sandbox'
	assert_status 0 sbx_run_keep --name fg "$ROOTFS" true
	assert_status 125 "$SANDBOX" logs fg
	assert_error_line 'fg: the sandbox has no log'
	assert_status 125 "$SANDBOX" kill fg
	assert_error_line 'not running'
	assert_status 125 "$SANDBOX" kill -s NOSIG busy
	assert_error_line 'invalid --signal'
	assert_status 125 "$SANDBOX" stop
	assert_error_line 'missing SANDBOX'
	assert_status 125 "$SANDBOX" ps --format yaml
	assert_error_line 'invalid --format'
	# a sandbox that cannot start: run -d reports its error and leaves nothing
	assert_status 125 sbx_run_d --name broken "$T_TMP/no-such-rootfs" true
	assert_error_line 'no-such-rootfs'
	assert_not_exists "$SANDBOX_ROOT/names/broken"
	assert_status 0 "$SANDBOX" rm -f busy fg
	assert_all_gone
}

test_kill_signals() {
	start_d "$ROOTFS" sh -c 'trap "echo got-usr1" USR1; echo ready; while :; do sleep 0.05; done'
	wait_for_file "$SANDBOX_ROOT/sandboxes/$ID/ctr.log" ready
	assert_status 0 "$SANDBOX" kill -s USR1 "$ID"
	wait_for_file "$SANDBOX_ROOT/sandboxes/$ID/ctr.log" got-usr1
	assert_status 0 "$SANDBOX" kill -s SIGTERM "$ID"
	wait_status "$ID" "exited (143)"
	# default: SIGKILL
	start_d "$ROOTFS" sleep 60
	assert_status 0 "$SANDBOX" kill "$ID"
	wait_status "$ID" "exited (137)"
	assert_status 0 "$SANDBOX" prune
	assert_all_gone
}

# stop: SIGTERM, then SIGKILL after the timeout when the command ignores it.
test_stop_timeout() {
	local t0 t1
	start_d "$ROOTFS" sh -c 'trap "" TERM; echo ready; while :; do sleep 0.05; done'
	wait_for_file "$SANDBOX_ROOT/sandboxes/$ID/ctr.log" ready
	t0=$(now_ms)
	assert_status 0 "$SANDBOX" stop -t 1 "$ID"
	t1=$(now_ms)
	assert_eq "exited (137)" "$(status_of "$ID")" "status"
	[ $((t1 - t0)) -ge 900 ] || t_fail "stop returned after $((t1 - t0)) ms, before the timeout"
	[ $((t1 - t0)) -lt 5000 ] || t_fail "stop took $((t1 - t0)) ms"
	# stopping a stopped sandbox is fine
	assert_status 0 "$SANDBOX" stop "$ID"
	assert_status 0 "$SANDBOX" rm "$ID"
	assert_all_gone
}

# kill -9 of the supervisor: PID 1 dies with it; ps never says running.
test_supervisor_crash() {
	local pid start sup
	start_d --name crash "$ROOTFS" sleep 60
	read -r pid start sup _ <"$SANDBOX_RUNROOT/$ID/pid"
	assert_match '^[0-9]+$' "$sup" "supervisor pid"
	kill -KILL "$sup"
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(status_of crash)" != running ] && break
		sleep 0.05
	done
	assert_eq "exited (unknown)" "$(status_of crash)" "status after the supervisor died"
	assert_status 0 "$SANDBOX" ps
	assert_not_file_has_content "$T_OUT" "${ID:0:12}"
	assert_status 125 "$SANDBOX" exec crash true
	assert_error_line 'not running'
	# rm cleans up what the supervisor could not
	assert_status 0 "$SANDBOX" rm crash
	assert_all_gone
}

# A pid in the state file that belongs to another process (reused) is not taken
# for the sandbox: the start time differs.
test_pid_reuse() {
	local id
	id=$(printf 'feed%060d' 7)
	sbx_make_state_dirs
	mkdir -p "$SANDBOX_RUNROOT/$id" "$SANDBOX_ROOT/sandboxes/$id"
	echo '{"id":"'"$id"'","name":null,"image":"host","command":["sleep"],"created":1}' >"$SANDBOX_ROOT/sandboxes/$id/config.json"
	echo "$$ 1 $$ 1" >"$SANDBOX_RUNROOT/$id/pid"
	assert_eq "exited (unknown)" "$(status_of "$id")" "status with a reused pid"
	assert_status 125 "$SANDBOX" kill feed
	assert_error_line 'not running'
	kill -0 $$ || t_fail "the test process got a signal"
	assert_status 0 "$SANDBOX" rm feed
	# starting (no PID 1 yet): created while the supervisor lives, exited once it is gone
	id=$(printf 'beef%060d' 8)
	mkdir -p "$SANDBOX_RUNROOT/$id"
	echo '{"id":"'"$id"'","name":null,"image":"host","command":[],"created":1}' >"$SANDBOX_RUNROOT/$id/config.json"
	echo "$$ $(cut -d' ' -f22 <"/proc/$$/stat")" >"$SANDBOX_RUNROOT/$id/supervisor"
	assert_eq created "$(status_of "$id")" "status while starting"
	assert_status 125 "$SANDBOX" rm beef
	assert_error_line 'starting'
	echo "$$ 1" >"$SANDBOX_RUNROOT/$id/supervisor"
	assert_eq "exited (unknown)" "$(status_of "$id")" "status after the supervisor died in set-up"
	assert_status 0 "$SANDBOX" rm beef
	assert_all_gone
}

test_rm_force() {
	start_d --name rmf "$ROOTFS" sh -c 'sleep 60 & sleep 60'
	assert_status 0 "$SANDBOX" rm -f rmf
	assert_eq "rmf" "$(cat "$T_OUT")" "rm -f prints what it removed"
	assert_all_gone
}

# rm removes a writable layer holding files of subordinate ids (from a user
# namespace that maps them).
test_rm_subuid_files() {
	require_subuid
	assert_status 0 sbx_run_keep --name own "$ROOTFS" sh -c 'mkdir -p /d/e && touch /d/e/f && chmod 700 /d/e && chown -R 1000:1000 /d'
	assert_status 0 "$SANDBOX" rm own
	assert_all_gone
}

# shell --name NAME keeps its writable layer for the next shell --name NAME.
test_shell_name_persists() {
	run_cmd "$SANDBOX" shell --name dev "${SBX_RUN_DEFAULTS[@]}" "$ROOTFS" <<<'echo one >/etc/marker'
	[ "$T_STATUS" = 0 ] || { t_show_output; t_fail "first shell: $T_STATUS"; }
	assert_not_exists "$ROOTFS/etc/marker"
	assert_eq "exited (0)" "$(status_of dev)" "after the first shell"
	run_cmd "$SANDBOX" shell --name dev "${SBX_RUN_DEFAULTS[@]}" "$ROOTFS" <<<'cat /etc/marker; echo two >>/etc/marker'
	[ "$T_STATUS" = 0 ] || { t_show_output; t_fail "second shell: $T_STATUS"; }
	assert_eq one "$(cat "$T_OUT")" "what the first shell wrote"
	assert_eq 1 "$(find "$SANDBOX_ROOT/sandboxes" -mindepth 1 -maxdepth 1 | wc -l)" "sandboxes in the store"
	# another image under the same name is refused, nothing changes
	assert_status 125 "$SANDBOX" shell --name dev host
	assert_error_line 'dev: the sandbox was made from the image'
	# run --name does not reuse: the name is taken
	assert_status 125 sbx_run_keep --name dev "$ROOTFS" true
	assert_error_line 'already in use'
	run_cmd "$SANDBOX" shell --name dev "${SBX_RUN_DEFAULTS[@]}" "$ROOTFS" <<<'cat /etc/marker'
	assert_eq "one
two" "$(cat "$T_OUT")" "third shell"
	# a second shell while the first runs: refused, with the way in
	mkfifo in.fifo
	"$SANDBOX" shell --name dev "${SBX_RUN_DEFAULTS[@]}" "$ROOTFS" <in.fifo >/dev/null 2>&1 &
	exec 7>in.fifo
	wait_status dev running
	assert_status 125 "$SANDBOX" shell --name dev "${SBX_RUN_DEFAULTS[@]}" "$ROOTFS"
	assert_error_line 'dev: the sandbox is running'
	assert_file_has_content "$T_ERR" 'sandbox exec -it dev'
	exec 7>&-
	wait
	assert_status 0 "$SANDBOX" rm dev
	assert_all_gone
	# without --name, shell is --rm
	run_cmd "$SANDBOX" shell "${SBX_RUN_DEFAULTS[@]}" "$ROOTFS" <<<'true'
	assert_all_gone
}

# The host image: the writable layers over the caller's directories go to the
# store (ROOT/sandboxes/ID/upper) and come back with the name.
test_shell_name_host() {
	local home
	home=$(getent passwd "$(id -un)" | cut -d: -f6)
	if [ -z "$home" ] || [ ! -d "$home" ] || [ "$(stat -c %u "$home")" != "$(id -u)" ]; then
		t_skip "no home directory of our own"
	fi
	case $home in /tmp | /tmp/*) t_skip "the home directory is under /tmp (a fresh tmpfs inside)" ;; esac
	mkdir -p fakehome
	run_cmd env HOME="$T_TMP/fakehome" "$SANDBOX" shell --name hdev "${SBX_RUN_DEFAULTS[@]}" <<<"echo kept >$home/.sbx-persist-$$"
	[ "$T_STATUS" = 0 ] || { t_show_output; t_fail "first shell: $T_STATUS"; }
	assert_not_exists "$home/.sbx-persist-$$"
	run_cmd env HOME="$T_TMP/fakehome" "$SANDBOX" shell --name hdev "${SBX_RUN_DEFAULTS[@]}" <<<"cat $home/.sbx-persist-$$"
	assert_eq kept "$(cat "$T_OUT")" "second shell on host"
	assert_status 0 "$SANDBOX" rm hdev
	assert_not_exists "$home/.sbx-persist-$$"
	assert_all_gone
}

# --rm -d: listed from the runroot while it runs, gone entirely when stopped.
test_detach_rm() {
	start_d --rm "$ROOTFS" sh -c 'echo hi; exec sleep 60'
	assert_eq running "$(status_of "$ID")" "status"
	assert_not_exists "$SANDBOX_ROOT/sandboxes/$ID"
	wait_for_file "$SANDBOX_RUNROOT/$ID/ctr.log" hi
	assert_status 0 "$SANDBOX" logs "$ID"
	assert_eq hi "$(cat "$T_OUT")" logs
	assert_status 0 "$SANDBOX" stop "$ID"
	assert_eq "" "$(status_of "$ID")" "after stop"
	assert_all_gone
}

test_logs_follow() {
	start_d "$ROOTFS" sh -c 'for i in 1 2 3; do echo line$i; sleep 0.1; done'
	assert_status 0 timeout 10 "$SANDBOX" logs -f "$ID"
	assert_eq "line1
line2
line3" "$(cat "$T_OUT")" "logs -f"
	assert_status 0 "$SANDBOX" rm "$ID"
	assert_all_gone
}

# prune removes what is stopped, nothing that runs.
test_prune() {
	local running
	start_d --name keep "$ROOTFS" sleep 60
	running=$ID
	assert_status 0 sbx_run_keep --name done1 "$ROOTFS" true
	assert_status 0 sbx_run_keep "$ROOTFS" true
	assert_status 0 "$SANDBOX" prune
	assert_eq 2 "$(grep -cE '^[0-9a-f]{64}$' "$T_OUT")" "pruned"
	assert_eq "$running" "$(ls "$SANDBOX_ROOT/sandboxes")" "left in the store"
	assert_eq keep "$(ls "$SANDBOX_ROOT/names")" "names left"
	assert_status 0 "$SANDBOX" rm -f keep
	assert_all_gone
}

# 50 detached sandboxes started in parallel all run and all stop cleanly.
test_fifty_parallel() {
	local i ids n
	for ((i = 0; i < 50; i++)); do
		sbx_run_d --name "p$i" "$ROOTFS" sleep 60 >"id.$i" 2>"err.$i" &
	done
	wait
	for ((i = 0; i < 50; i++)); do
		[ -s "err.$i" ] && t_fail "sandbox p$i: $(cat "err.$i")"
		assert_match '^[0-9a-f]{64}$' "$(cat "id.$i")" "id of p$i"
	done
	n=$("$SANDBOX" ps | grep -c ' running ')
	assert_eq 50 "$n" "running sandboxes"
	ids=$(cat id.*)
	# shellcheck disable=SC2086 # one id per word
	assert_status 0 "$SANDBOX" stop -t 5 $ids
	assert_eq 50 "$("$SANDBOX" ps -a | grep -c 'exited (143)')" "stopped cleanly"
	assert_status 0 "$SANDBOX" prune
	assert_eq 50 "$(grep -cE '^[0-9a-f]{64}$' "$T_OUT")" "pruned"
	assert_all_gone
}

# inspect of a sandbox (by name): its status and the configuration exec reapplies.
test_inspect_sandbox() {
	start_d --name insp "$ROOTFS" sleep 60
	run_cmd "$SANDBOX" inspect insp
	assert_eq 0 "$T_STATUS" "inspect exit status"
	python3 - "$T_OUT" "$ID" <<'PY' || t_fail "inspect output: $(cat "$T_OUT")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["id"] == sys.argv[2] and d["name"] == "insp" and d["status"] == "running", d
c = d["config"]
caps = int(c["caps"], 16)  # the bounding set as a hex mask
assert caps & 1 and not caps & (1 << 21), c["caps"]  # CAP_CHOWN, no CAP_SYS_ADMIN
assert c["memory"] is None and c["pids_limit"] is None and c["cpus"] is None, c
PY
	assert_status 125 "$SANDBOX" inspect no-such-thing-xyz
	assert_status 0 "$SANDBOX" rm -f insp
}

t "run -dit: a shell on a pty in the background; exec into it, logs, stop" test_detach_tty
t "attach to run -dit: input, output, resize, busy, detach keys, exit status" test_attach
t "attach: not a -t sandbox, unknown sandbox, bad flags" test_attach_errors
t "create, start, start -a, start again with the writable layer" test_create_start
t "start: errors, an exited run, a sandbox made by shell" test_start_errors
t "run -d, ps, logs, stop, rm" test_detach_round_trip
t "inspect SANDBOX: status and config (capabilities, limits)" test_inspect_sandbox
t "the exit status is recorded (ps -a, json)" test_exit_status_recorded
t "ps --format json of a running sandbox" test_json_running
t "names, ids, unique prefixes; unknown and ambiguous ones" test_names_and_ids
t "bad input: one line, 125, nothing changed" test_bad_input
t "kill -s SIG is forwarded to the command; default SIGKILL" test_kill_signals
t "stop: SIGKILL after the timeout" test_stop_timeout
t "supervisor killed: exited, never running; rm cleans up" test_supervisor_crash
t "a reused pid is not taken for the sandbox" test_pid_reuse
t "rm -f kills a running sandbox" test_rm_force
t "rm removes files of subordinate ids" test_rm_subuid_files
t "shell --name keeps its writable layer" test_shell_name_persists
t "shell --name on the host image keeps its writable layer" test_shell_name_host
t "run -d --rm: listed while it runs, gone after" test_detach_rm
t "logs -f follows until the sandbox exits" test_logs_follow
t "prune removes stopped sandboxes only" test_prune
t "50 detached sandboxes in parallel" test_fifty_parallel
T_TIMEOUT=${T_TIMEOUT:-60}
t_main "$@"
