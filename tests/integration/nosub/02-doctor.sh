#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# nosub/02-doctor.sh - `sandbox doctor` for a user without subordinate ranges (run as
# sbxnosub): the subuid/subgid lines warn with the usermod command that fixes them,
# and doctor still exits 0 (run works, with a single-ID mapping)
set -u
# shellcheck source=tests/lib/sbx.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../lib/sbx.sh"

test_subid_lines_warn_with_usermod() {
	local me line n
	require_no_subuid
	[ -z "$(subid_range /etc/subuid)" ] || t_skip "$(id -un) has an /etc/subuid range"
	[ -z "$(subid_range /etc/subgid)" ] || t_skip "$(id -un) has an /etc/subgid range"
	me=$(id -un)
	assert_status 0 "$SANDBOX" doctor
	line=$(grep -E '^(warn|missing) +subuid ' "$T_OUT" || true)
	[ -n "$line" ] || { t_show_output; t_fail "no warn/missing subuid line"; }
	assert_match "^warn +subuid +no range in /etc/subuid for \`$me\`: sandboxes get a single-ID mapping" "$line" "subuid line"
	assert_match "; fix: as root: usermod --add-subuids ([0-9]+)-([0-9]+) --add-subgids ([0-9]+)-([0-9]+) $me\$" "$line" "subuid fix"
	# the suggested ranges are 65536 ids that overlap no one's range
	local s=${BASH_REMATCH[1]} e=${BASH_REMATCH[2]} gs=${BASH_REMATCH[3]} ge=${BASH_REMATCH[4]}
	assert_eq 65535 $((e - s)) "size of the suggested subuid range"
	assert_eq 65535 $((ge - gs)) "size of the suggested subgid range"
	while IFS=: read -r _ start count; do
		[ -n "$count" ] || continue
		if [ "$s" -lt $((start + count)) ] && [ "$start" -le "$e" ]; then
			t_fail "suggested $s-$e overlaps $start:$count in /etc/subuid"
		fi
	done </etc/subuid
	line=$(grep -E '^warn +subgid ' "$T_OUT" || true)
	assert_match "^warn +subgid +no range in /etc/subgid for \`$me\`.*; fix: " "$line" "subgid line"
	# everything run needs is there
	for n in kernel userns overlay seccomp; do
		grep -qE "^ok +$n " "$T_OUT" || { t_show_output; t_fail "$n is not ok"; }
	done
}

test_json_has_the_fix() {
	require_no_subuid
	require_cmd python3
	[ -z "$(subid_range /etc/subuid)" ] || t_skip "$(id -un) has an /etc/subuid range"
	assert_status 0 "$SANDBOX" doctor --format json
	python3 - "$T_OUT" "$(id -un)" <<'PY' || { t_show_output; t_fail "JSON subuid entry"; }
import json, sys
c = {x["check"]: x for x in json.load(open(sys.argv[1]))}
s = c["subuid"]
assert s["status"] == "warn", s
assert s["fix"].startswith("as root: usermod --add-subuids ") and s["fix"].endswith(" " + sys.argv[2]), s
PY
}

t "subuid/subgid: warn, with a usermod command and a free range" test_subid_lines_warn_with_usermod
t "--format json: the subuid entry with its fix" test_json_has_the_fix
t_main "$@"
