#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 08-cgroup.sh - --memory, --pids-limit, --cpus on this host: enforced, or exit 125 with the reason
#
# The enforcement itself (fork bomb, OOM kill, throttling, cleanup) is tested in the
# VM suite (tests/vm/), on a pure cgroup v2 tree with a delegated subtree. Here: a
# host whose cgroup v2 hierarchy lacks the controllers (hybrid, like the CI machine)
# or does not delegate them must refuse every limit flag with one error line naming
# the controller, a hint, and exit 125, and leave nothing behind; without limit
# flags the sandbox runs as before. Where the limits can be enforced (a delegated
# pure v2 host), the limits must be visible inside instead.
# shellcheck disable=SC2016 # commands for inside the sandbox are single-quoted on purpose
set -u
# shellcheck source=tests/lib/sbx.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sbx.sh"

# limit_case FLAG VALUE CONTROLLER FILE EXPECTED
limit_case() {
	local flag=$1 value=$2 ctl=$3 file=$4 expected=$5
	run_cmd sbx_run "$flag" "$value" "$ROOTFS" sh -c "cat /proc/self/cgroup /sys/fs/cgroup/$file"
	case $T_STATUS in
	125)
		assert_error_line "^sandbox: $flag: .*($ctl controller|not delegated|cannot be enforced)"
		assert_file_has_content "$T_ERR" '^hint: .*(Delegate=yes|unified_cgroup_hierarchy)'
		;;
	0)
		t_note "limits are enforced on this host"
		assert_eq "0::/" "$(head -n 1 "$T_OUT")" "/proc/self/cgroup inside"
		assert_eq "$expected" "$(tail -n 1 "$T_OUT" | cut -d' ' -f1)" "$file inside"
		;;
	*)
		t_show_output
		t_fail "expected 125 (not enforceable) or 0 (enforced), got $T_STATUS"
		;;
	esac
	assert_no_sandbox_dirs
	assert_no_runroot_dirs
}

# On a hybrid host (memory on cgroup v1) the message must say exactly that.
test_hybrid_message() {
	local v2
	v2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
	if [ -z "$v2" ] || [ "$v2" = /sys/fs/cgroup ]; then
		t_skip "not a hybrid cgroup host"
	fi
	grep -qw memory "$v2/cgroup.controllers" && t_skip "memory is on cgroup v2 here"
	assert_status 125 sbx_run --memory 64m "$ROOTFS" true
	assert_error_line '^sandbox: --memory: .*memory controller is not available in cgroup v2 .*hybrid'
	assert_file_has_content "$T_ERR" 'systemd.unified_cgroup_hierarchy=1'
}

test_memory() { limit_case --memory 64m memory memory.max 67108864; }
test_pids() { limit_case --pids-limit 20 pids pids.max 20; }
test_cpus() { limit_case --cpus 0.5 cpu cpu.max 50000; }

test_bad_values() {
	assert_status 125 sbx_run --memory lots "$ROOTFS" true
	assert_status 125 sbx_run --cpus -1 "$ROOTFS" true
}

test_no_limits_runs() {
	assert_status 0 sbx_run "$ROOTFS" sh -c 'echo ran'
	assert_eq ran "$(cat "$T_OUT")" "output"
	assert_no_sandbox_dirs
}

t "on a hybrid host --memory names the v1-bound controller" test_hybrid_message
t "--memory: enforced or exit 125 with the reason" test_memory
t "--pids-limit: enforced or exit 125 with the reason" test_pids
t "--cpus: enforced or exit 125 with the reason" test_cpus
t "bad limit values: exit 125" test_bad_values
t "without limit flags the sandbox runs" test_no_limits_runs
t_main "$@"
