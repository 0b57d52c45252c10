#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 09-doctor.sh - `sandbox doctor`: one line per check, what this host has and lacks, JSON, exit status
set -u
# shellcheck source=tests/lib/sbx.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sbx.sh"

DOCTOR_CHECKS="kernel userns newuidmap newgidmap subuid subgid overlay xattr cgroup tun ping seccomp landlock"

# doctor_line NAME: the line of check NAME in $T_OUT
doctor_line() {
	grep -E "^(ok|warn|missing) +$1 " "$T_OUT" || true
}

# assert_doctor_line NAME REGEX: check NAME's line matches REGEX
assert_doctor_line() {
	local line
	line=$(doctor_line "$1")
	[ -n "$line" ] || { t_show_output; t_fail "no line for the $1 check"; }
	assert_match "$2" "$line" "the $1 line"
}

# Every line is `STATUS NAME DETAIL[; fix: FIX]`, one per check, each check once.
test_one_line_per_check() {
	local c n
	assert_status 0 "$SANDBOX" doctor
	if grep -vqE '^(ok|warn|missing) +[a-z]+ +[^ ]' "$T_OUT"; then
		t_show_output
		t_fail "a line is not STATUS NAME DETAIL"
	fi
	for c in $DOCTOR_CHECKS; do
		n=$(grep -cE "^(ok|warn|missing) +$c " "$T_OUT" || true)
		[ "$n" = 1 ] || { t_show_output; t_fail "check $c: $n lines"; }
	done
	assert_eq "$(echo "$DOCTOR_CHECKS" | wc -w)" "$(grep -c '' "$T_OUT")" "number of lines"
	# a problem says how to fix it; what is ok has nothing to fix
	if grep -E '^(warn|missing) ' "$T_OUT" | grep -vq '; fix: '; then
		t_show_output
		t_fail "a warn/missing line without a fix"
	fi
	if grep -E '^ok ' "$T_OUT" | grep -q '; fix: '; then
		t_show_output
		t_fail "an ok line with a fix"
	fi
	assert_file_empty "$T_ERR"
}

# What `run` needs works here (the other tests run sandboxes), so exit 0.
test_what_run_needs_is_ok() {
	assert_status 0 "$SANDBOX" doctor
	assert_doctor_line kernel '^ok +kernel +Linux '
	assert_doctor_line userns '^ok +userns +created one'
	assert_doctor_line overlay '^ok +overlay +mounted in a user namespace.*mount_setattr works'
	assert_doctor_line seccomp '^ok +seccomp '
	# optional: ok with the kernel's ABI version, or a warning with the fix
	assert_doctor_line landlock '^(ok +landlock +ABI [0-9]+: |warn +landlock +no Landlock .*; fix: )'
}

test_subids_of_the_caller() {
	local start count
	read -r start count <<<"$(subid_range /etc/subuid)"
	[ -n "${start:-}" ] || t_skip "$(id -un) has no /etc/subuid range"
	assert_status 0 "$SANDBOX" doctor
	assert_doctor_line subuid "^ok +subuid +\`$(id -un)\`: $count ids from $start\$"
	read -r start count <<<"$(subid_range /etc/subgid)"
	[ -n "${start:-}" ] || t_skip "$(id -un) has no /etc/subgid range"
	assert_doctor_line subgid "^ok +subgid +\`$(id -un)\`: $count ids from $start\$"
}

test_helpers() {
	local f st
	assert_status 0 "$SANDBOX" doctor
	for f in newuidmap newgidmap; do
		if ! command -v "$f" >/dev/null; then
			assert_doctor_line "$f" "^warn +$f .*; fix: .*(apt-get install uidmap|dnf install shadow-utils)"
			continue
		fi
		st=$(stat -L -c '%u %A' "$(command -v "$f")")
		if [[ $st == "0 "???s* ]]; then
			assert_doctor_line "$f" "^ok +$f +\`/.*/$f\` \\(setuid root\\)\$"
		fi
	done
}

# The cgroup line follows the host's layout: this host's hybrid layout (cgroup v1
# controllers, cgroup2 without them) cannot enforce limits.
test_cgroup_matches_host() {
	local fstype
	assert_status 0 "$SANDBOX" doctor
	fstype=$(stat -f -c %T /sys/fs/cgroup 2>/dev/null || echo none)
	if [ "$fstype" = cgroup2fs ]; then
		assert_doctor_line cgroup '^(ok|warn) +cgroup +cgroup v2'
	elif grep -q ' - cgroup2 ' /proc/self/mountinfo; then
		# shellcheck disable=SC2016 # backticks are literal here
		assert_doctor_line cgroup '^warn +cgroup +hybrid layout: cgroup2 at `[^`]+` lacks .*--memory, --pids-limit and --cpus cannot be enforced; fix: boot with systemd.unified_cgroup_hierarchy=1'
	else
		assert_doctor_line cgroup '^warn +cgroup +no cgroup2 mount.*; fix: boot with systemd.unified_cgroup_hierarchy=1'
	fi
}

test_tun_and_ping_match_host() {
	local lo hi
	assert_status 0 "$SANDBOX" doctor
	if exec 3<>/dev/net/tun; then
		exec 3>&-
		assert_doctor_line tun '^ok +tun '
	else
		assert_doctor_line tun '^warn +tun .*; fix: as root: '
	fi 2>/dev/null
	read -r lo hi </proc/sys/net/ipv4/ping_group_range
	if [ "$(id -g)" -ge "$lo" ] && [ "$(id -g)" -le "$hi" ]; then
		assert_doctor_line ping '^ok +ping '
	else
		assert_doctor_line ping "^warn +ping +net.ipv4.ping_group_range = $lo $hi excludes .*; fix: as root: sysctl -w net.ipv4.ping_group_range="
	fi
}

# User xattrs are tried in the store's directory, or its nearest existing
# ancestor, and nothing is left there.
test_xattr_in_store() {
	assert_status 0 "$SANDBOX" doctor
	assert_doctor_line xattr "^(ok|warn) +xattr +\`$T_TMP\` "
	assert_not_exists "$SANDBOX_ROOT"
	[ -z "$(find "$T_TMP" -name '.sandbox-doctor*' -print -quit)" ] || t_fail "a test file was left"
	mkdir -p "$SANDBOX_ROOT"
	assert_status 0 "$SANDBOX" --root "$SANDBOX_ROOT" doctor
	assert_doctor_line xattr "^(ok|warn) +xattr +\`$SANDBOX_ROOT\` "
	assert_eq "" "$(ls -A "$SANDBOX_ROOT")" "store after doctor"
}

test_json() {
	require_cmd python3
	assert_status 0 "$SANDBOX" doctor --format json
	python3 -m json.tool "$T_OUT" >/dev/null || { t_show_output; t_fail "not JSON"; }
	cp "$T_OUT" doctor.json
	assert_status 0 "$SANDBOX" doctor
	python3 - doctor.json "$T_OUT" <<'EOF' || t_fail "the JSON does not match the text"
import json, re, sys
checks = json.load(open(sys.argv[1]))
text = open(sys.argv[2]).read().splitlines()
assert isinstance(checks, list) and len(checks) == len(text), (len(checks), len(text))
for c, line in zip(checks, text):
    assert set(c) >= {"check", "status", "detail", "fix"}, c
    assert c["status"] in ("ok", "warn", "missing"), c
    assert (c["fix"] is None) == (c["status"] == "ok"), c
    m = re.match(r"(\S+) +(\S+) +(.*)$", line)
    assert m and m.group(1) == c["status"] and m.group(2) == c["check"], (line, c)
    if c["status"] == "ok":
        assert m.group(3) == c["detail"], (line, c)
EOF
}

test_help_and_bad_flags() {
	assert_status 0 "$SANDBOX" help doctor
	assert_file_has_content "$T_OUT" '^Usage: sandbox doctor'
	assert_file_has_content "$T_OUT" '--format'
	assert_status 0 "$SANDBOX" doctor --help
	assert_file_has_content "$T_OUT" '^Usage: sandbox doctor'
	assert_status 125 "$SANDBOX" doctor --format yaml
	assert_error_line 'doctor: invalid --format'
	assert_status 125 "$SANDBOX" doctor --bogus
	assert_error_line 'doctor: unknown flag'
	assert_status 125 "$SANDBOX" doctor extra
	assert_error_line 'doctor: unexpected argument'
}

# Every command has `help COMMAND` and `COMMAND --help`.
test_help_for_every_command() {
	local cmd
	assert_status 0 "$SANDBOX" help
	# shellcheck disable=SC2013 # command names are words
	for cmd in $(awk '/^Commands:/ { f = 1; next } f && /^  [a-z]/ { print $1; next } f { exit }' "$T_OUT"); do
		assert_status 0 "$SANDBOX" help "$cmd"
		assert_file_has_content "$T_OUT" "^Usage: sandbox $cmd"
		assert_status 0 "$SANDBOX" "$cmd" --help
		assert_file_has_content "$T_OUT" "^Usage: sandbox $cmd"
	done
}

# The whole report takes well under a second (the target is 50 ms; the bound
# here leaves room for a loaded machine).
test_fast() {
	local t0 t1
	t0=$(now_ms)
	assert_status 0 "$SANDBOX" doctor
	t1=$(now_ms)
	t_note "doctor took $((t1 - t0)) ms"
	[ $((t1 - t0)) -lt 1000 ] || t_fail "doctor took $((t1 - t0)) ms"
}

# A sandbox has no way to mount anything or create namespaces of its own
# (seccomp, no capabilities over the host): doctor inside says what is missing
# and exits 1.
test_inside_a_sandbox() {
	# the busybox rootfs has no libc: only the static product binary runs there
	LC_ALL=C file -L "$SANDBOX" | grep -q 'statically linked' ||
		t_skip "$SANDBOX is not a static binary (e.g. the ASan build)"
	cp "$SANDBOX" "$T_TMP/sandbox-bin"
	assert_status 1 sbx_run -v "$T_TMP/sandbox-bin:/sandbox-bin:ro" "$ROOTFS" /sandbox-bin doctor
	assert_file_has_content "$T_OUT" '^missing +(userns|overlay) '
	assert_nothing_left
}

t "one line per check, each check once, a fix for each problem" test_one_line_per_check
t "kernel, user namespaces, overlay in a userns, seccomp: ok, exit 0" test_what_run_needs_is_ok
t "the caller's /etc/subuid and /etc/subgid ranges" test_subids_of_the_caller
t "newuidmap/newgidmap: setuid root" test_helpers
t "cgroup: the host's layout (hybrid here: warn, with the fix)" test_cgroup_matches_host
t "/dev/net/tun and ping_group_range as on the host" test_tun_and_ping_match_host
t "user xattrs tried in the store, nothing left" test_xattr_in_store
t "--format json: the same checks as JSON" test_json
t "help doctor, doctor --help, bad flags" test_help_and_bad_flags
t "help COMMAND and COMMAND --help for every command" test_help_for_every_command
t "doctor is fast" test_fast
t "doctor inside a sandbox reports what is missing" test_inside_a_sandbox
t_main "$@"
