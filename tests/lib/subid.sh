# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# subid.sh - the caller's subordinate id ranges, for tests/run.sh and tests/lib/sbx.sh

# subid_range FILE: "START COUNT" of the caller's first range in /etc/subuid or
# /etc/subgid (matched by user name or by uid, as newuidmap does); nothing when
# there is none.
subid_range() {
	local file=$1 user uid name start count
	user=$(id -un)
	uid=$(id -u)
	[ -r "$file" ] || return 0
	while IFS=: read -r name start count; do
		if [ "$name" = "$user" ] || [ "$name" = "$uid" ]; then
			echo "$start $count"
			return 0
		fi
	done <"$file"
}

# subid_missing_reason: why tests that need a subordinate range cannot run for
# the caller (nothing when they can).
subid_missing_reason() {
	if [ -z "$(subid_range /etc/subuid)" ] || [ -z "$(subid_range /etc/subgid)" ]; then
		echo "needs root to prepare (no /etc/subuid and /etc/subgid range for $(id -un): run tests/run.sh as root)"
	elif ! command -v newuidmap >/dev/null 2>&1 || ! command -v newgidmap >/dev/null 2>&1; then
		echo "needs root to prepare (newuidmap/newgidmap missing: apt-get install uidmap)"
	fi
}
