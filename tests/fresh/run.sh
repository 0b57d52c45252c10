#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh - the README's first command, ./deps/bootstrap.sh, on a really fresh Debian 12
#
# Usage (as root, with network access to the Debian archive): bash tests/fresh/run.sh
#
# A `debootstrap --variant=minbase bookworm` root (build/test-cache, made by
# rootfs-tools/mk-debian-rootfs.sh like the Debian test image and shared with
# it), the committed tree copied in with `git archive HEAD` (as a clone has
# it) at /src/sandbox, this machine's resolv.conf and Debian mirrors (bookworm,
# bookworm-updates, bookworm-security; no deb-src entry). The root is entered
# the way a booted system is, not with chroot (a chrooted process may not make
# user namespaces, and the demo needs them): a private mount and PID namespace,
# the root bound onto itself, /dev and /sys rbound, pivot_root into it, a fresh
# /proc and /run, the old root lazily unmounted. In it:
#   1. deps/bootstrap.sh as a normal user (nobody) prints the exact apt-get
#      line of deps/packages-build.txt and stops, exit status not 0, nothing
#      installed;
#   2. deps/bootstrap.sh as root installs the packages, builds ./sandbox and
#      runs the demo, whose lines must appear.
# Prints `ok N - ...` lines, `N passed, N failed, N skipped` and the time of
# each step. The root is a temporary directory under ${TMPDIR:-/var/tmp},
# removed at the end (FRESH_KEEP=1 keeps it); nothing stays mounted.
# FRESH_TIMEOUT: seconds the root bootstrap may take (default 2400).
# FRESH_REV: the commit to copy in (default HEAD), e.g. an older one to see it fail.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
SUITE=bookworm
CACHE=build/test-cache/debian-$SUITE-minbase.tar.gz

if [ "$(id -u)" -ne 0 ]; then
	echo "tests/fresh/run.sh: must run as root (debootstrap, mount namespaces, pivot_root)" >&2
	exit 1
fi
for tool in debootstrap unshare git tar setpriv; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "tests/fresh/run.sh: $tool is not installed" >&2
		echo "0 passed, 1 failed, 0 skipped"
		exit 1
	fi
done

P=0 F=0 N=0
ok() {
	N=$((N + 1)) P=$((P + 1))
	echo "ok $N - $*"
}
not_ok() {
	N=$((N + 1)) F=$((F + 1))
	echo "not ok $N - $*"
}
# check NAME CMD...: one result line for a command's exit status
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}
finish() {
	echo "1..$N"
	echo "# time: ${SECONDS}s in all"
	echo "$P passed, $F failed, 0 skipped"
	[ "$F" -eq 0 ]
	exit
}

# host_uri SUITE: the first URI this machine's apt sources use for SUITE
# (one-line and deb822 entries of Types deb), nothing if none
host_uri() {
	local f
	{
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[ -f "$f" ] || continue
			sed -n -E 's/^[[:space:]]*deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+)[[:space:]]+([^[:space:]]+).*/\2 \3/p' "$f"
		done
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] || continue
			awk 'function flush() { if (deb && on) for (i in s) for (j in u) print u[j], s[i]
					deb = 0; on = 1; split("", s); split("", u) }
				BEGIN { on = 1 }
				/^[[:space:]]*$/ { flush(); next }
				/^Types:/ { deb = ($0 ~ /[[:space:]]deb([[:space:]]|$)/) }
				/^Enabled:[[:space:]]*no/ { on = 0 }
				/^URIs:/ { for (i = 2; i <= NF; i++) u[i] = $i }
				/^Suites:/ { for (i = 2; i <= NF; i++) s[i] = $i }
				END { flush() }' "$f"
		done
	} | awk -v s="$1" '$2 == s { print $1; exit }'
}

# build_pkgs: deps/packages-build.txt's names in order, each once (read here on
# its own, not with bootstrap.sh's code)
build_pkgs() {
	local line words w out=() seen=" "
	while IFS= read -r line; do
		read -r -a words <<<"${line%%#*}"
		for w in "${words[@]}"; do
			case $seen in *" $w "*) continue ;; esac
			seen="$seen$w "
			out+=("$w")
		done
	done <deps/packages-build.txt
	echo "${out[*]}"
}

# in_root SECONDS ROOT SCRIPT: run the sh code SCRIPT in ROOT entered as
# described above, with a clean environment, in /src/sandbox, for at most
# SECONDS (all of its processes die with its PID namespace); returns its status
in_root() {
	# shellcheck disable=SC2016 # expanded by the inner shell
	timeout "$1" unshare --mount --pid --fork --kill-child --propagation private -- /bin/sh -ec '
		r=$1
		mount --bind "$r" "$r"
		mount --rbind /dev "$r/dev"
		mount --rbind /sys "$r/sys"
		mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$r/run"
		cd "$r"
		mkdir -p .oldroot
		pivot_root . .oldroot
		cd /
		mount -t proc -o nosuid,nodev,noexec proc /proc
		umount -l /.oldroot
		rmdir /.oldroot
		cd /src/sandbox
		env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 /bin/sh -ec "$2"
	' sh "$2" "$3"
}

step_start=0
step() {
	echo "# $* ($((SECONDS - step_start))s)"
	step_start=$SECONDS
}

# --- the fresh root ---------------------------------------------------------
mkdir -p "$(dirname "$CACHE")"
if [ ! -f "$CACHE" ]; then
	echo "# making $CACHE (once, a minute or two)"
fi
# one builder at a time: tests/run.sh may be making it too (30 days, as there)
if ! (
	flock 9
	[ -n "$(find "$CACHE" -maxdepth 0 -mtime -30 2>/dev/null)" ] ||
		bash rootfs-tools/mk-debian-rootfs.sh "$CACHE" "$SUITE"
) 9>"$CACHE.lock" && [ ! -f "$CACHE" ]; then
	not_ok "debootstrap --variant=minbase $SUITE (rootfs-tools/mk-debian-rootfs.sh)"
	finish
fi

work=$(mktemp -d "${TMPDIR:-/var/tmp}/sandbox-fresh.XXXXXX")
# shellcheck disable=SC2317 # the EXIT trap calls it
cleanup() {
	if [ "${FRESH_KEEP:-0}" = 1 ]; then
		echo "# kept: $work"
	else
		rm -rf -- "$work"
	fi
}
trap cleanup EXIT
R=$work/root
mkdir -m 0755 "$R"
tar -xzf "$CACHE" -C "$R" --numeric-owner -p
mkdir -p "$R/src/sandbox"
rev=${FRESH_REV:-HEAD}
git archive "$rev" | tar -x -C "$R/src/sandbox"
if [ "$rev" = HEAD ] && [ -n "$(git status --porcelain --untracked-files=no)" ]; then
	echo "# note: uncommitted changes are not in the copy (git archive HEAD)"
fi
cp -L /etc/resolv.conf "$R/etc/resolv.conf"
main=$(host_uri "$SUITE")
main=${main:-http://deb.debian.org/debian}
sec=$(host_uri "$SUITE-security")
sec=${sec:-http://deb.debian.org/debian-security}
rm -f "$R"/etc/apt/sources.list.d/*
cat >"$R/etc/apt/sources.list" <<EOF
deb $main $SUITE main
deb $main $SUITE-updates main
deb $sec $SUITE-security main
EOF
step "fresh root: $CACHE unpacked, $(git rev-parse --short "$rev") copied in, mirrors $main $sec"

# --- 1: as a normal user -----------------------------------------------------
before=$(dpkg-query --admindir="$R/var/lib/dpkg" -W -f='${Package} ${Status}\n' | sort)
rc=0
# shellcheck disable=SC2016 # expanded by the inner shell
in_root 300 "$R" 'rc=0
	setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/nonexistent \
		./deps/bootstrap.sh >/tmp/fresh-user.out 2>&1 || rc=$?
	echo "$rc" >/tmp/fresh-user.rc' || rc=$?
user_rc=$(cat "$R/tmp/fresh-user.rc" 2>/dev/null || echo none)
want="  apt-get update && apt-get install -y --no-install-recommends $(build_pkgs)"
after=$(dpkg-query --admindir="$R/var/lib/dpkg" -W -f='${Package} ${Status}\n' | sort)
if [ "$rc" -eq 0 ] && [ "$user_rc" != none ] && [ "$user_rc" != 0 ]; then
	ok "bootstrap.sh as nobody exits non-zero (status $user_rc)"
else
	not_ok "bootstrap.sh as nobody exits non-zero (status $user_rc, namespace $rc)"
fi
check "bootstrap.sh as nobody prints the exact apt-get line of deps/packages-build.txt" \
	grep -qxF -- "$want" "$R/tmp/fresh-user.out"
check "bootstrap.sh as nobody installed nothing" test "$before" = "$after"
if [ "$F" -ne 0 ]; then
	sed 's/^/# /' "$R/tmp/fresh-user.out"
fi
step "bootstrap.sh as nobody"

# --- 2: as root --------------------------------------------------------------
log=$work/bootstrap.log
rc=0
in_root "${FRESH_TIMEOUT:-2400}" "$R" ./deps/bootstrap.sh >"$log" 2>&1 || rc=$?
boot_time=$((SECONDS - step_start))
check "bootstrap.sh as root exits 0 (status $rc, ${boot_time}s)" test "$rc" -eq 0
check "./sandbox is built static" grep -qE '^sandbox: [0-9]+ bytes stripped, statically linked$' "$log"
# the demo's lines (deps/bootstrap.sh's main job)
check "demo: inside is root of a user namespace" grep -qE '^inside: uid=0\(root\) gid=0\(root\)' "$log"
check "demo: the uid map is shown" grep -qA1 '^uid map:$' "$log"
check "demo: writes go to the private layer" grep -qxF 'wrote /usr/sandbox-demo (private layer only)' "$log"
check "demo: no_new_privs and a seccomp filter" \
	sh -c "grep -qE '^NoNewPrivs:[[:space:]]+1$' \"\$1\" && grep -qE '^Seccomp:[[:space:]]+2$' \"\$1\"" sh "$log"
check "demo: the host was not touched" \
	sh -c "grep -qxF 'host: /usr/sandbox-demo does not exist: the host was not touched' \"\$1\" && test ! -e \"\$2\"" \
	sh "$log" "$R/usr/sandbox-demo"
if [ "$F" -ne 0 ]; then
	tail -n 60 "$log" | sed 's/^/# /'
else
	sed -n '/^bootstrap: the main job/,$p' "$log" | sed 's/^/# /'
fi
step "bootstrap.sh as root"
finish
