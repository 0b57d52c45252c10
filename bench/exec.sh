#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# exec.sh - `sandbox exec SANDBOX true` next to nsenter (the floor) and `podman exec`
#
# Usage: bench/exec.sh [--runs N] [--sandbox PATH] [--keep]
#
#   --runs N        timed runs per row (default 50, after 5 warm-up runs)
#   --sandbox PATH  the binary to measure (default: ./sandbox of this checkout)
#   --keep          keep the temporary directory and print it
#
# One busybox sandbox runs `sleep` in the background (`run -d`); each row runs
# /bin/true inside it, as the same unprivileged user:
#   sandbox exec    `sandbox exec ID true`: user, mount, PID, UTS, IPC, network,
#                   cgroup namespaces, capabilities, seccomp, no_new_privs, fork
#   nsenter         `nsenter -t PID -U -m -p -u -i -n -C --preserve-credentials true`
#                   into the same sandbox: setns and exec, nothing else (the floor)
#   podman exec     a container of the same rootfs (private store, runc, cgroupfs)
# As root the script copies what it needs to a temporary directory owned by the
# user `sbxtest` and runs again as that user. Timing: hyperfine --shell=none when
# installed, else a loop on $EPOCHREALTIME. Medians and ratios are printed, not judged.
set -euo pipefail

BENCH_USER=sbxtest
runs=50
keep=0
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sbx=$src/sandbox
while [ "$#" -gt 0 ]; do
	case $1 in
	--runs) runs=$2; shift ;;
	--sandbox) sbx=$(realpath "$2"); shift ;;
	--keep) keep=1 ;;
	--as-user) ;;
	-h | --help) sed -n '5,9s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
	*) echo "exec.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
[ -x "$sbx" ] || { echo "exec.sh: $sbx is missing (run make)" >&2; exit 2; }
have() { command -v "$1" >/dev/null 2>&1; }

if [ "$(id -u)" = 0 ]; then
	id "$BENCH_USER" >/dev/null 2>&1 || bash "$src/tests/setup-root.sh" >/dev/null
	stage=$(mktemp -d /tmp/sbx-bench-exec.XXXXXX)
	chmod 755 "$stage"
	cp "$sbx" "$stage/sandbox"
	mkdir -p "$stage/bench" "$stage/tests/helpers" "$stage/rootfs-tools"
	cp "${BASH_SOURCE[0]}" "$src/bench/prompt.py" "$stage/bench/"
	cp -r "$src/rootfs-tools/." "$stage/rootfs-tools/"
	cp -r "$src/tests/helpers/." "$stage/tests/helpers/" 2>/dev/null || true
	chown -R "$BENCH_USER" "$stage"
	args=(--runs "$runs" --sandbox "$stage/sandbox")
	[ "$keep" = 1 ] && args+=(--keep)
	rc=0
	runuser -u "$BENCH_USER" -- env -i PATH="$PATH" HOME="$stage" bash "$stage/bench/exec.sh" "${args[@]}" || rc=$?
	[ "$keep" = 1 ] || rm -rf "$stage"
	exit "$rc"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/sbx-exec.XXXXXX")
podman_cmd=()
cleanup() {
	if [ -n "${ID:-}" ]; then "$sbx" rm -f "$ID" >/dev/null 2>&1 || true; fi
	if [ "${#podman_cmd[@]}" -gt 0 ]; then
		"${podman_cmd[@]}" rm -f -t 0 bench >/dev/null 2>&1 || true
		# podman's rootless pause process (catatonit) of this private store: ours alone
		pauses=$(cat "$work/podman/tmp/pause.pid" "$work/xdg/libpod/tmp/pause.pid" 2>/dev/null || true)
		"${podman_cmd[@]}" unshare rm -rf -- "$work/podman" >/dev/null 2>&1 || true
		for pause in $pauses; do
			case $pause in *[!0-9]*) ;; *) kill "$pause" 2>/dev/null || true ;; esac
		done
	fi
	if [ "$keep" = 1 ]; then echo "exec.sh: kept $work"; else rm -rf -- "$work" 2>/dev/null || true; fi
}
trap cleanup EXIT
export SANDBOX_ROOT=$work/root SANDBOX_RUNROOT=$work/run XDG_RUNTIME_DIR=$work/xdg
mkdir -p "$work/xdg" && chmod 700 "$work/xdg"
rootfs=$work/rootfs
probe=$src/tests/helpers/sbx-probe
[ -x "$probe" ] || probe=$(dirname "$sbx")/tests/helpers/sbx-probe
if [ -x "$probe" ]; then
	bash "$(dirname "$sbx")/rootfs-tools/mk-busybox-rootfs.sh" --probe "$probe" "$rootfs" >/dev/null 2>&1 ||
		bash "$src/rootfs-tools/mk-busybox-rootfs.sh" --probe "$probe" "$rootfs" >/dev/null
else
	bash "$src/rootfs-tools/mk-busybox-rootfs.sh" "$rootfs" >/dev/null
fi

ID=$("$sbx" run -d --network none "$rootfs" sleep 3600)
read -r pid1 _ <"$SANDBOX_RUNROOT/$ID/pid"
cmdpid=
for _ in $(seq 100); do
	cmdpid=$(cut -d' ' -f1 "/proc/$pid1/task/$pid1/children")
	[ -n "$cmdpid" ] && [ "$(cat "/proc/$cmdpid/comm")" = sleep ] && break
	sleep 0.02
done

declare -A MED
# measure KEY CMD...: median in ms into MED[KEY]
measure() {
	local key=$1 json=$work/$1.json
	shift
	if have hyperfine && have jq; then
		hyperfine -N --warmup 5 --runs "$runs" --export-json "$json" -- "$(printf '%q ' "$@")" >/dev/null 2>&1 || return 1
		MED[$key]=$(jq -r '.results[0].median * 1000' "$json")
	else
		local i t0 t1 times=()
		for ((i = 0; i < 5; i++)); do "$@" >/dev/null 2>&1 || return 1; done
		for ((i = 0; i < runs; i++)); do
			t0=${EPOCHREALTIME/[.,]/}
			"$@" >/dev/null 2>&1 || return 1
			t1=${EPOCHREALTIME/[.,]/}
			times+=($((t1 - t0)))
		done
		MED[$key]=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "%.3f", a[int((NR + 1) / 2)] / 1000 }')
	fi
}

measure sandbox "$sbx" exec "$ID" true || { echo "exec.sh: sandbox exec failed" >&2; exit 1; }
measure nsenter nsenter -t "$cmdpid" -U -m -p -u -i -n -C --preserve-credentials true || MED[nsenter]=
if have podman; then
	podman_cmd=(podman --root "$work/podman/root" --runroot "$work/podman/run" --tmpdir "$work/podman/tmp"
		--storage-driver overlay --cgroup-manager=cgroupfs --events-backend=none)
	have runc && podman_cmd+=(--runtime runc)
	if (tar -C "$rootfs" -c . | "${podman_cmd[@]}" import - localhost/bench-busybox) >"$work/podman-import.log" 2>&1 &&
		"${podman_cmd[@]}" run -d --name bench --network=none localhost/bench-busybox sleep 3600 >"$work/podman-run.log" 2>&1; then
		measure podman "${podman_cmd[@]}" exec bench true || MED[podman]=
	else
		echo "# podman: could not start a container: $(tail -1 "$work/podman-run.log" "$work/podman-import.log" 2>/dev/null | tail -1)"
	fi
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }'; }
printf '%-16s %10s %12s\n' row "median ms" "x nsenter"
for key in sandbox nsenter podman; do
	[ -n "${MED[$key]:-}" ] || { printf '%-16s %10s\n' "$key exec" "n/a"; continue; }
	printf '%-16s %10.2f %12s\n' "$key exec" "${MED[$key]}" "$(ratio "${MED[$key]}" "${MED[nsenter]:-0}")"
done
[ -n "${MED[podman]:-}" ] && echo "podman exec / sandbox exec: $(ratio "${MED[podman]}" "${MED[sandbox]}")"
echo "target: sandbox exec < 20 ms"

# `shell` start to its first prompt on a pty (bench/prompt.py), next to a
# toolbox-style `podman run -it` of the same rootfs; the shells differ (the
# host's login shell with its profile for `sandbox shell`, busybox sh for the
# others), so a `sandbox run -it` of busybox sh is shown too.
echo
shell_runs=$(( runs < 20 ? runs : 20 ))
p_shell=$(python3 "$src/bench/prompt.py" "$shell_runs" "$sbx" shell 2>/dev/null || echo n/a)
p_run=$(python3 "$src/bench/prompt.py" "$shell_runs" "$sbx" run --rm -it --network none "$rootfs" sh 2>/dev/null || echo n/a)
p_podman=n/a
if [ -n "${MED[podman]:-}" ]; then
	p_podman=$(python3 "$src/bench/prompt.py" "$shell_runs" "${podman_cmd[@]}" run -it --rm --network=none localhost/bench-busybox sh 2>/dev/null || echo n/a)
fi
printf '%-34s %10s\n' "start to first prompt" "median ms"
printf '%-34s %10s\n' "sandbox shell (host, login shell)" "$p_shell" "sandbox run -it ROOTFS sh" "$p_run" "podman run -it --rm IMAGE sh" "$p_podman"
[ "$p_podman" != n/a ] && [ "$p_run" != n/a ] && echo "podman run -it / sandbox run -it: $(ratio "$p_podman" "$p_run")"
echo "target: sandbox shell start to prompt < 20 ms"
