#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 18-runroot.sh - the runroot and the store are checked before anything in them is read
#
# RUNROOT defaults to /tmp/sandbox-$UID without XDG_RUNTIME_DIR, a name any local
# user can take first. A directory that is not the caller's, not mode 0700, a
# symlink, or one that others may move away, is refused by every command with one
# line naming it, before a sandbox planted there is listed, signalled, entered or
# removed. As root, tests/run.sh stages SBX_FOREIGN_DIR: a directory of another
# user (sbxnosub) that anyone may write to, as an attacker would leave it.
set -u
# shellcheck source=tests/lib/sbx.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sbx.sh"

PLANTED_ID=$(printf 'bad0%060d' 1)

# plant DIR: a "running" sandbox in the runroot DIR whose pid file names a process
# of ours (a sleep, started here; `stop` would signal it); sets VICTIM
plant() {
	local dir=$1 start
	sleep 300 &
	VICTIM=$!
	t_defer kill -KILL "$VICTIM"
	t_defer rm -rf "$dir/$PLANTED_ID"
	start=$(cut -d' ' -f22 "/proc/$VICTIM/stat")
	mkdir -p "$dir/$PLANTED_ID"
	echo "$VICTIM $start $VICTIM $start" >"$dir/$PLANTED_ID/pid"
	printf '{"id":"%s","name":"planted","image":"host","command":["sleep"],"created":1,"cgroup":"%s"}\n' \
		"$PLANTED_ID" "$dir" >"$dir/$PLANTED_ID/config.json"
	echo "planted log" >"$dir/$PLANTED_ID/ctr.log"
}

# assert_refused WHAT REGEX GLOBAL-FLAGS...: every command that reads the runroot
# refuses, with one error line matching REGEX; the planted sandbox is untouched
assert_refused() {
	local what=$1 regex=$2 cmd
	shift 2
	local -a cmds=("ps" "ps -a" "stop -t 1 bad0" "kill -s TERM bad0" "rm -f bad0" "exec bad0 true"
		"attach bad0" "logs bad0" "inspect bad0" "prune" "start bad0" "run --rm --network none $ROOTFS true")
	for cmd in "${cmds[@]}"; do
		# shellcheck disable=SC2086 # the command's words
		assert_status 125 "$SANDBOX" "$@" $cmd
		assert_error_line "$regex"
		grep -q '^hint: .*--runroot' "$T_ERR" || t_fail "$what: \`$cmd\`: no hint"
		if grep -q 'planted\|bad0' "$T_OUT"; then
			t_show_output
			t_fail "$what: \`$cmd\` shows the planted sandbox"
		fi
	done
	kill -0 "$VICTIM" 2>/dev/null || t_fail "$what: the process named by the planted pid file got a signal"
	assert_file_exists "$RUNROOT_DIR/$PLANTED_ID/pid"
}

# Another user's directory, writable by all: refused as not ours.
test_foreign_runroot() {
	if [ -z "${SBX_FOREIGN_DIR:-}" ] || [ ! -d "$SBX_FOREIGN_DIR" ]; then
		t_skip "no directory of another user (tests/run.sh stages one when run as root)"
	fi
	RUNROOT_DIR=$SBX_FOREIGN_DIR
	plant "$RUNROOT_DIR"
	local owner
	owner=$(stat -c %u "$RUNROOT_DIR")
	[ "$owner" != "$MY_UID" ] || t_fail "the staged directory is ours"
	assert_refused "another user's" "runroot \`$RUNROOT_DIR\`: owned by uid $owner, not you" \
		--runroot "$RUNROOT_DIR"
	# the same through $SANDBOX_RUNROOT
	SANDBOX_RUNROOT=$RUNROOT_DIR assert_status 125 "$SANDBOX" ps
	assert_error_line "runroot \`$RUNROOT_DIR\`: owned by uid $owner"
}

# Our own directory, but others may write to it (0777) or read it (0755).
test_wide_runroot() {
	RUNROOT_DIR=$T_TMP/wide
	mkdir -m 0777 "$RUNROOT_DIR"
	chmod 0777 "$RUNROOT_DIR" # whatever the umask
	plant "$RUNROOT_DIR"
	assert_refused "mode 0777" "runroot \`$RUNROOT_DIR\`: mode 0777, must be 0700" --runroot "$RUNROOT_DIR"
	chmod 0755 "$RUNROOT_DIR"
	assert_status 125 "$SANDBOX" --runroot "$RUNROOT_DIR" ps
	assert_error_line "runroot \`$RUNROOT_DIR\`: mode 0755, must be 0700"
	# once it is 0700, it is used as it is
	chmod 0700 "$RUNROOT_DIR"
	assert_status 0 "$SANDBOX" --runroot "$RUNROOT_DIR" ps
	grep -q planted "$T_OUT" || t_fail "a 0700 runroot of ours is not read"
}

# A symlink is refused, never followed; so is a directory whose parent others may
# write to without the sticky bit (they could move it away after the check).
test_symlink_and_parent() {
	RUNROOT_DIR=$T_TMP/real
	mkdir -m 0700 "$RUNROOT_DIR"
	plant "$RUNROOT_DIR"
	ln -s "$RUNROOT_DIR" "$T_TMP/link"
	assert_refused "a symlink" "runroot \`$T_TMP/link\`: is a symlink" --runroot "$T_TMP/link"
	mkdir -m 0777 "$T_TMP/open"
	chmod 0777 "$T_TMP/open"
	mv "$RUNROOT_DIR" "$T_TMP/open/run"
	RUNROOT_DIR=$T_TMP/open/run
	t_defer rm -rf "$RUNROOT_DIR/$PLANTED_ID"
	assert_refused "a parent of mode 0777" "runroot \`$RUNROOT_DIR\`: its parent \`$T_TMP/open\` has mode 0777" \
		--runroot "$RUNROOT_DIR"
	# with the sticky bit (as /tmp has), others cannot move it: it is used
	chmod 1777 "$T_TMP/open"
	assert_status 0 "$SANDBOX" --runroot "$RUNROOT_DIR" ps
	grep -q planted "$T_OUT" || t_fail "a runroot in a sticky directory is not read"
}

# The store (--root) gets the same checks; a missing one is created 0700, as a
# missing runroot is.
test_store_root() {
	local dir
	if [ -n "${SBX_FOREIGN_DIR:-}" ] && [ -d "$SBX_FOREIGN_DIR" ]; then
		for cmd in images "rmi x" "import $T_TMP/none" "pull localhost:1/x" "run --rm $ROOTFS true" ps; do
			# shellcheck disable=SC2086 # the command's words
			assert_status 125 "$SANDBOX" --root "$SBX_FOREIGN_DIR" $cmd
			assert_error_line "store \`$SBX_FOREIGN_DIR\`: owned by uid [0-9]+, not you"
		done
	fi
	dir=$T_TMP/store
	mkdir -m 0755 "$dir"
	chmod 0755 "$dir"
	assert_status 125 "$SANDBOX" --root "$dir" images
	assert_error_line "store \`$dir\`: mode 0755, must be 0700"
	grep -q '^hint: .*--root' "$T_ERR" || t_fail "no hint"
	ln -s "$dir" "$T_TMP/store-link"
	chmod 0700 "$dir"
	assert_status 125 "$SANDBOX" --root "$T_TMP/store-link" images
	assert_error_line "store \`$T_TMP/store-link\`: is a symlink"
	assert_status 0 "$SANDBOX" --root "$dir" images
	# commands that only read the store do not make it: a missing one is empty
	for cmd in images ps "ps -a" "inspect x" "rmi x"; do
		# shellcheck disable=SC2086 # the command's words
		"$SANDBOX" --root "$T_TMP/new/store" --runroot "$T_TMP/new/run" $cmd >/dev/null 2>&1 || true
		assert_not_exists "$T_TMP/new/store"
	done
	assert_status 0 "$SANDBOX" --root "$T_TMP/new/store" --runroot "$T_TMP/new/run" images
	# missing: made by run, mode 0700, with its parents; and a sandbox runs with them
	assert_status 0 "$SANDBOX" --root "$T_TMP/new/store" --runroot "$T_TMP/new/run" \
		run --rm --network none "${SBX_RUN_DEFAULTS[@]}" "$ROOTFS" echo ok
	assert_eq ok "$(cat "$T_OUT")" "output"
	assert_eq "700 700" "$(stat -c %a "$T_TMP/new/store" "$T_TMP/new/run" | tr '\n' ' ' | sed 's/ $//')" \
		"modes of a new store and runroot"
}

# A parent of the store that only our own user private group may also write to
# (umask 002 on Fedora/RHEL: ~/.local/share is 0775) is fine; one that is ours
# but group-writable for a group with others in it, or 0777, is not.
test_private_group_parent() {
	local share=$T_TMP/share gname
	gname=$(id -gn)
	getent group "$gname" | grep -q ':$' || t_skip "the primary group $gname lists members"
	mkdir -p "$share/sandbox"
	chmod 0775 "$share"
	chmod 0700 "$share/sandbox"
	assert_status 0 "$SANDBOX" --root "$share/sandbox" --runroot "$share/run" images
	assert_status 0 "$SANDBOX" --root "$share/sandbox" --runroot "$share/run" ps
	assert_eq 700 "$(stat -c %a "$share/run" 2>/dev/null || echo none)" "mode of the runroot made"
	chmod 0777 "$share"
	assert_status 125 "$SANDBOX" --root "$share/sandbox" --runroot "$share/run" images
	assert_error_line "store \`$share/sandbox\`: its parent \`$share\` has mode 0777"
	grep -q "^hint: make \`$share\` writable by you and root only" "$T_ERR" || t_fail "the hint does not name the parent"
	grep -q '^hint: .*--root DIR' "$T_ERR" || t_fail "the hint has no way out"
	chmod 2775 "$share"
	assert_status 0 "$SANDBOX" --root "$share/sandbox" --runroot "$share/run" ps
}

# Entries of a runroot of ours that are not ours, or symlinks, are not read: another
# user may have put them there before the directory became 0700 (run.sh stages
# SBX_PLANTED_RUNROOT: ours, 0700, holding a sandbox directory of sbxnosub's).
test_planted_entries() {
	local run=$T_TMP/run id2
	mkdir -m 0700 "$run" "$T_TMP/elsewhere"
	plant "$T_TMP/elsewhere"
	ln -s "$T_TMP/elsewhere/$PLANTED_ID" "$run/$PLANTED_ID"
	assert_status 0 "$SANDBOX" --runroot "$run" ps -a
	! grep -q planted "$T_OUT" || t_fail "ps lists a sandbox through a symlink in the runroot"
	assert_status 125 "$SANDBOX" --runroot "$run" stop -t 1 "$PLANTED_ID"
	kill -0 "$VICTIM" 2>/dev/null || t_fail "stop signalled the pid named through a symlinked entry"
	rm "$run/$PLANTED_ID"
	# a directory of ours whose pid file is a symlink to one that names our process
	id2=$(printf 'bad2%060d' 1)
	mkdir "$run/$id2"
	ln -s "$T_TMP/elsewhere/$PLANTED_ID/pid" "$run/$id2/pid"
	ln -s "$T_TMP/elsewhere/$PLANTED_ID/config.json" "$run/$id2/config.json"
	assert_status 0 "$SANDBOX" --runroot "$run" ps
	! grep -q planted "$T_OUT" || t_fail "ps read a config.json through a symlink"
	"$SANDBOX" --runroot "$run" stop -t 1 "$id2" >/dev/null 2>&1 || true
	kill -0 "$VICTIM" 2>/dev/null || t_fail "stop signalled the pid read through a symlinked pid file"
	if [ -z "${SBX_PLANTED_RUNROOT:-}" ] || [ ! -d "$SBX_PLANTED_RUNROOT" ]; then
		t_skip "no runroot with another user's entry (tests/run.sh stages one when run as root)"
	fi
	assert_status 0 "$SANDBOX" --runroot "$SBX_PLANTED_RUNROOT" ps -a
	! grep -q planted-foreign "$T_OUT" || t_fail "ps lists another user's sandbox directory"
	"$SANDBOX" --runroot "$SBX_PLANTED_RUNROOT" rm -f bad1 >/dev/null 2>&1 || true
	assert_file_exists "$SBX_PLANTED_RUNROOT/bad1$(printf '%060d' 1)/pid"
}

# Nested in a user namespace, every unmapped owner shows as the overflow uid
# (65534): the namespace's root and any user outside look the same. A sticky
# directory of such an owner (run.sh stages SBX_FOREIGN_STICKY, sbxnosub's,
# mode 1777) may be another user's, who may move ours out of it: refused; /tmp,
# right below / (which only its owner could make), is used.
test_nested_unmapped_owner() {
	command -v unshare >/dev/null || t_skip "no unshare(1)"
	unshare -U -c true 2>/dev/null || t_skip "no unprivileged user namespace with --map-current-user"
	local owner dir
	owner=$(unshare -U -c stat -c %u /tmp)
	[ "$owner" = 65534 ] || t_skip "/tmp is owned by $owner in a new user namespace, not the overflow uid"
	mkdir -m 0700 "$T_TMP/run" "$T_TMP/store"
	assert_status 0 unshare -U -c "$SANDBOX" --root "$T_TMP/store" --runroot "$T_TMP/run" ps
	if [ -z "${SBX_FOREIGN_STICKY:-}" ] || [ ! -d "$SBX_FOREIGN_STICKY" ]; then
		t_skip "no sticky directory of another user (tests/run.sh stages one when run as root)"
	fi
	dir=$SBX_FOREIGN_STICKY/run-$$
	mkdir -m 0700 "$dir"
	t_defer rm -rf "$dir"
	plant "$dir"
	assert_status 125 unshare -U -c "$SANDBOX" --root "$T_TMP/store" --runroot "$dir" ps
	assert_error_line "its parent \`$SBX_FOREIGN_STICKY\` has mode 1777, uid 65534, .*unmapped user"
	! grep -q planted "$T_OUT" || t_fail "the planted sandbox is listed"
	grep -q '^hint: .*--runroot DIR' "$T_ERR" || t_fail "no hint"
}

# Help and bad flags neither check nor create anything.
test_help_creates_nothing() {
	assert_status 0 "$SANDBOX" --runroot "$T_TMP/x/run" --root "$T_TMP/x/store" ps --help
	assert_status 125 "$SANDBOX" --runroot "$T_TMP/x/run" --root "$T_TMP/x/store" ps --bad-flag
	assert_not_exists "$T_TMP/x"
}

t "another user's runroot is refused by every command" test_foreign_runroot
t "a runroot others may write to or read is refused" test_wide_runroot
t "a symlinked runroot, or one in a directory others may write to, is refused" test_symlink_and_parent
t "the store: another user's, mode, symlink; made 0700 when missing" test_store_root
t "entries of the runroot that are symlinks or another user's are not read" test_planted_entries
t "a parent writable by our own private group is fine, by all is not" test_private_group_parent
t "nested: a sticky directory of an unmapped owner is refused" test_nested_unmapped_owner
t "help and bad flags create nothing" test_help_creates_nothing
t_main "$@"
