#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 18-mount-escapes.sh - what the sandbox's mounts must not give away: the
# caller's unix sockets and FIFOs (host image), host mounts made after the
# start, and (with CAP_SYS_ADMIN) the masks and read-only binds themselves
# shellcheck disable=SC2016 # commands for inside the sandbox are single-quoted on purpose
set -u
# shellcheck source=tests/lib/sbx.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sbx.sh"

# ---- mount propagation -----------------------------------------------------

# A mount the host makes under a :ro volume after the start does not appear
# inside (it would bring its own, writable flags). The test's "host" is an
# `unshare -Urm --propagation shared` namespace the sandbox starts from.
test_later_host_mount_not_propagated() {
	require_cmd unshare mount
	unshare -Urm --propagation shared true 2>/dev/null ||
		t_skip "unshare -Urm --propagation shared does not work here"
	mkdir -p "$T_TMP/vol/sub" "$T_TMP/ctl"
	# shellcheck disable=SC2154 # $1, $2 are the inner sh's
	run_cmd unshare -Urm --propagation shared sh -c '
		"$SANDBOX" run --rm --network none -v "$1/vol:/vol:ro" -v "$1/ctl:/ctl" "$2" sh -c "
			touch /ctl/started
			i=0; while [ ! -e /ctl/go ] && [ \$i -lt 200 ]; do sleep 0.05; i=\$((i + 1)); done
			echo mounts: \$(grep -c \" /vol/sub \" /proc/self/mountinfo)
			echo x > /vol/sub/f && echo wrote; true" &
		i=0; while [ ! -e "$1/ctl/started" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
		mount -t tmpfs sbx-late "$1/vol/sub" || echo "host mount failed"
		touch "$1/ctl/go"
		wait $!
		echo host: $(ls "$1/vol/sub")' sh "$T_TMP" "$ROOTFS"
	assert_eq "mounts: 0
host:" "$(cat "$T_OUT")" "the late mount inside, and on its host side"
	assert_nothing_left
}

t "a host mount made after the start does not propagate" test_later_host_mount_not_propagated
t_main "$@"
