#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# setup-root.sh - prepare this machine for the test suite (root only; idempotent)
#
# - user `sbxtest` (home /home/sbxtest) with exactly the range 300000:65536 in
#   /etc/subuid and /etc/subgid: the suite runs as this user;
# - user `sbxnosub` with NO subordinate ranges: the single-ID fallback tests;
# - /dev/net/tun mode 0666, as distributions ship it;
# - checks that newuidmap/newgidmap are installed setuid (package uidmap).
# It changes nothing else. tests/run.sh calls it when run as root.
set -euo pipefail

TEST_USER=${SBX_TEST_USER:-sbxtest}
NOSUB_USER=${SBX_NOSUB_USER:-sbxnosub}
SUB_START=300000
SUB_COUNT=65536

if [ "$(id -u)" -ne 0 ]; then
	echo "setup-root.sh: must run as root" >&2
	exit 1
fi

ensure_user() {
	local user=$1
	if ! getent passwd "$user" >/dev/null; then
		useradd --create-home --home-dir "/home/$user" --shell /bin/bash --user-group "$user"
	fi
	local home
	home=$(getent passwd "$user" | cut -d: -f6)
	if [ ! -d "$home" ]; then
		mkdir -p "$home"
		chown "$user:" "$home"
		chmod 700 "$home"
	fi
}

# set_subid FILE USER [START COUNT]: leave exactly this line for USER (none without START).
set_subid() {
	local file=$1 user=$2 start=${3:-} count=${4:-} uid want tmp
	uid=$(id -u "$user")
	touch "$file"
	want=
	[ -n "$start" ] && want="$user:$start:$count"
	if [ -n "$want" ] && [ "$(grep -E "^($user|$uid):" "$file" || true)" = "$want" ]; then
		return 0
	fi
	tmp=$(mktemp "$file.XXXXXX")
	grep -v -E "^($user|$uid):" "$file" >"$tmp" || true
	[ -n "$want" ] && echo "$want" >>"$tmp"
	chmod 644 "$tmp"
	mv -f "$tmp" "$file"
}

ensure_user "$TEST_USER"
ensure_user "$NOSUB_USER"
# useradd may have allocated ranges of its own (SUB_UID_COUNT in login.defs): replace them.
for f in /etc/subuid /etc/subgid; do
	set_subid "$f" "$TEST_USER" "$SUB_START" "$SUB_COUNT"
	set_subid "$f" "$NOSUB_USER"
done

if [ ! -e /dev/net/tun ]; then
	mkdir -p /dev/net
	mknod -m 0666 /dev/net/tun c 10 200 2>/dev/null || echo "setup-root.sh: warning: cannot create /dev/net/tun" >&2
fi
[ -e /dev/net/tun ] && chmod 0666 /dev/net/tun

for helper in newuidmap newgidmap; do
	path=$(command -v "$helper" || true)
	if [ -z "$path" ]; then
		echo "setup-root.sh: $helper is missing: apt-get install uidmap" >&2
		exit 1
	fi
	if [ ! -u "$path" ] && ! getcap "$path" 2>/dev/null | grep -q cap_set; then
		echo "setup-root.sh: $path is neither setuid nor has file capabilities" >&2
		exit 1
	fi
done

max=$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo unknown)
if [ "$max" = 0 ]; then
	echo "setup-root.sh: warning: user.max_user_namespaces is 0: user namespaces are disabled" >&2
fi
