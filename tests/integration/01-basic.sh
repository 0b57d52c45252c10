#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 01-basic.sh - run a command: exit status, stdio, environment, workdir, hostname, users
# shellcheck disable=SC2016 # commands for inside the sandbox are single-quoted on purpose
set -u
# shellcheck source=tests/lib/sbx.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sbx.sh"

test_true() {
	assert_status 0 sbx_run "$ROOTFS" true
	assert_file_empty "$T_OUT"
	assert_nothing_left
}

test_exit_status() {
	assert_status 3 sbx_run "$ROOTFS" sh -c 'exit 3'
	assert_status 42 sbx_run "$ROOTFS" sh -c 'exit 42'
	assert_status 1 sbx_run "$ROOTFS" false
	assert_nothing_left
}

# Killed by signal N: 128+N, as a shell reports it.
test_killed_by_signal() {
	assert_status 137 sbx_run "$ROOTFS" sh -c 'kill -KILL $$'
	assert_status 143 sbx_run "$ROOTFS" sh -c 'kill -TERM $$'
	assert_nothing_left
}

test_stdout_stderr() {
	assert_status 0 sbx_run "$ROOTFS" sh -c 'echo to-stdout; echo to-stderr >&2'
	assert_eq "to-stdout" "$(cat "$T_OUT")" stdout
	assert_eq "to-stderr" "$(cat "$T_ERR")" stderr
}

# Arguments reach the command unchanged (no shell re-parsing).
test_argv() {
	assert_status 0 sbx_run "$ROOTFS" printf '[%s]' 'a b' '' '$HOME' "it's" '*'
	assert_eq "[a b][][\$HOME][it's][*]" "$(cat "$T_OUT")" argv
}

# -i keeps stdin open; without it the command reads nothing (as podman).
test_stdin() {
	run_cmd sbx_run -i "$ROOTFS" cat <<<"hello from stdin"
	assert_eq 0 "$T_STATUS" "exit status with -i"
	assert_eq "hello from stdin" "$(cat "$T_OUT")" "stdin with -i"
	run_cmd sbx_run "$ROOTFS" cat <<<"not for the sandbox"
	assert_eq 0 "$T_STATUS" "exit status without -i"
	assert_file_empty "$T_OUT"
}

# Default hostname: the first 12 hex characters of the sandbox id (the name of
# its directory in the store).
test_hostname_default() {
	local ids
	assert_status 0 sbx_run_keep "$ROOTFS" sh -c 'hostname; cat /etc/hostname'
	ids=$(ls "$SANDBOX_ROOT/sandboxes")
	assert_match '^[0-9a-f]{12,}$' "$ids" "sandbox id in $SANDBOX_ROOT/sandboxes"
	assert_eq "${ids:0:12}" "$(sed -n 1p "$T_OUT")" hostname
	assert_eq "${ids:0:12}" "$(sed -n 2p "$T_OUT")" /etc/hostname
	# without --rm the writable layer stays; the live state does not
	assert_no_runroot_dirs
}

test_hostname_flag() {
	assert_status 0 sbx_run --hostname foo "$ROOTFS" sh -c 'hostname; cat /etc/hostname'
	assert_eq "foo
foo" "$(cat "$T_OUT")" hostname
}

# /etc/hostname, /etc/hosts, /etc/resolv.conf are generated inside; the image
# directory is not written to.
test_etc_files_generated() {
	assert_status 0 sbx_run --hostname box1 "$ROOTFS" sh -c \
		'for f in /etc/hostname /etc/hosts /etc/resolv.conf; do test -f $f && echo "$f ok"; done; cat /etc/hosts'
	assert_file_has_content "$T_OUT" '^/etc/hostname ok$'
	assert_file_has_content "$T_OUT" '^/etc/hosts ok$'
	assert_file_has_content "$T_OUT" '^/etc/resolv.conf ok$'
	assert_file_has_content "$T_OUT" '^127\.0\.0\.1[[:space:]].*localhost'
	assert_file_has_content "$T_OUT" '[[:space:]]box1([[:space:]]|$)'
	assert_not_exists "$ROOTFS/etc/hosts"
	assert_not_exists "$ROOTFS/etc/resolv.conf"
	assert_not_exists "$ROOTFS/etc/hostname"
}

test_env_flag() {
	assert_status 0 sbx_run -e A=B -e 'C=with space' "$ROOTFS" sh -c 'echo "$A|$C"'
	assert_eq "B|with space" "$(cat "$T_OUT")" env
	# later wins
	assert_status 0 sbx_run -e A=first --env A=second "$ROOTFS" sh -c 'echo "$A"'
	assert_eq "second" "$(cat "$T_OUT")" "repeated -e"
}

# docker's env-file format: KEY=VALUE lines, # comments and blank lines ignored.
test_env_file() {
	printf '%s\n' '# a comment' 'X=1' '' 'Y=two words' >"$T_TMP/env"
	assert_status 0 sbx_run --env-file "$T_TMP/env" "$ROOTFS" sh -c 'echo "$X|$Y"'
	assert_eq "1|two words" "$(cat "$T_OUT")" env-file
	# -e given after --env-file wins
	assert_status 0 sbx_run --env-file "$T_TMP/env" -e X=9 "$ROOTFS" sh -c 'echo "$X"'
	assert_eq "9" "$(cat "$T_OUT")" "-e after --env-file"
}

# The caller's environment does not leak in; PATH is set.
test_env_isolated() {
	SBX_LEAK_CHECK=secret assert_status 0 sbx_run "$ROOTFS" sh -c 'echo "${SBX_LEAK_CHECK-unset} $PATH"'
	assert_match '^unset .*/bin' "$(cat "$T_OUT")" "environment inside"
}

test_workdir() {
	assert_status 0 sbx_run -w /tmp "$ROOTFS" pwd
	assert_eq "/tmp" "$(cat "$T_OUT")" "pwd with -w /tmp"
	assert_status 0 sbx_run --workdir /home/tester "$ROOTFS" pwd
	assert_eq "/home/tester" "$(cat "$T_OUT")" "pwd with --workdir"
}

# -u NAME is resolved in the image's /etc/passwd, with its groups from /etc/group.
test_user_by_name() {
	require_subuid
	assert_status 0 sbx_run -u tester "$ROOTFS" sh -c 'id -u; id -g; id -G; echo "$HOME"'
	assert_eq "1000" "$(sed -n 1p "$T_OUT")" "id -u"
	assert_eq "1000" "$(sed -n 2p "$T_OUT")" "id -g"
	assert_match '(^| )2000( |$)' "$(sed -n 3p "$T_OUT")" "supplementary groups (extra)"
	assert_eq "/home/tester" "$(sed -n 4p "$T_OUT")" HOME
}

test_user_by_uid() {
	require_subuid
	assert_status 0 sbx_run -u 1000:2000 "$ROOTFS" sh -c 'id -u; id -g'
	assert_eq "1000
2000" "$(cat "$T_OUT")" "uid and gid"
}

# `shell` binds the current directory (and $HOME); without a TTY it reads
# commands from stdin.
test_shell_binds_cwd() {
	mkdir "$T_TMP/work"
	echo original >"$T_TMP/work/file"
	cd "$T_TMP/work" || exit 1
	run_cmd sbx shell --network none "${SBX_RUN_DEFAULTS[@]}" <<<'pwd; cat file; echo written-inside > file; echo new > created'
	cd "$T_TMP" || exit 1
	assert_eq 0 "$T_STATUS" "exit status of shell"
	assert_file_has_content "$T_OUT" "^$T_TMP/work\$"
	assert_file_has_content "$T_OUT" '^original$'
	assert_eq "written-inside" "$(cat "$T_TMP/work/file")" "bound file after shell"
	assert_eq "new" "$(cat "$T_TMP/work/created")" "file created in the bound directory"
}

t "run true exits 0" test_true
t "exit status of the command propagates" test_exit_status
t "killed by signal N exits 128+N" test_killed_by_signal
t "stdout and stderr pass through" test_stdout_stderr
t "arguments are passed unchanged" test_argv
t "stdin only with -i" test_stdin
t "default hostname is the short id" test_hostname_default
t "--hostname sets the hostname" test_hostname_flag
t "/etc/hostname, hosts, resolv.conf generated" test_etc_files_generated
t "-e sets the environment" test_env_flag
t "--env-file reads KEY=VALUE lines" test_env_file
t "caller environment does not leak" test_env_isolated
t "-w sets the working directory" test_workdir
t "-u NAME resolves in the image" test_user_by_name
t "-u UID:GID" test_user_by_uid
t "shell binds the current directory" test_shell_binds_cwd
t_main "$@"
