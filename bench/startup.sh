#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# startup.sh - start-up latency and peak memory of `sandbox` next to bwrap, crun, podman and unshare
#
# Usage: bench/startup.sh [--runs N] [--warmup N] [--rounds N] [--sandbox PATH] [--keep]
#                         [--no-hyperfine]
#
#   --runs N        timed runs per row, in all (default 30)
#   --warmup N      untimed runs before each round of a row (default 3)
#   --rounds N      rounds the runs are split into, the rows taking turns (default 3)
#   --sandbox PATH  the binary to measure (default: ./sandbox of this checkout)
#   --keep          keep the temporary directory (logs, hyperfine JSON) and print it
#   --no-hyperfine  time with the script's own loop even when hyperfine is installed
#
# Every row runs `/bin/true` of the same busybox root filesystem, as the same
# unprivileged user: when started as root the script copies the binary, itself and
# the rootfs into a temporary directory owned by the user `sbxtest` (created with
# subordinate ids when missing) and runs again as that user with runuser(1).
# Timing uses hyperfine (--shell=none, so no shell start-up is counted) when it is
# installed, else a loop on bash's $EPOCHREALTIME. The stores of sandbox and podman
# live in that temporary directory, so the user's real state is never touched.
#
# A benchmark, not a test: the figures and the issue's targets are printed, never
# judged. Exit status: 0 when the sandbox rows could be measured, 1 when a sandbox
# row failed to run at all, 2 on bad usage or a missing binary.
set -euo pipefail

BENCH_USER=sbxtest
SUBID_LINE="$BENCH_USER:300000:65536"
IMAGE_NAME=localhost/bench-busybox
RSS_TARGET_KB=4096

# --- internal mode: the timing loop used when hyperfine is missing ------------
# startup.sh --time-loop WARMUP RUNS OUT CMD...: OUT gets one duration (s) a line.
if [ "${1:-}" = --time-loop ]; then
	shift
	warm=$1 runs=$2 out=$3
	shift 3
	for ((i = 0; i < warm; i++)); do
		"$@" </dev/null >/dev/null 2>&1 || exit 1
	done
	: >"$out"
	for ((i = 0; i < runs; i++)); do
		t0=${EPOCHREALTIME/[.,]/}
		"$@" </dev/null >/dev/null 2>&1 || exit 1
		t1=${EPOCHREALTIME/[.,]/}
		printf '%d.%06d\n' $(((t1 - t0) / 1000000)) $(((t1 - t0) % 1000000)) >>"$out"
	done
	exit 0
fi

usage() {
	if [ "${1:-2}" = 0 ]; then
		sed -n '5,13s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
	else
		sed -n '5,13s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
	fi
	exit "${1:-2}"
}

say() { printf '%s\n' "$*" >&2; }
die() {
	say "startup.sh: $*"
	exit 2
}

runs=30
warmup=3
rounds=3
keep=0
no_hyperfine=0
sandbox_arg=
while [ "$#" -gt 0 ]; do
	case $1 in
	--runs) [ "$#" -ge 2 ] || usage; runs=$2; shift ;;
	--runs=*) runs=${1#--runs=} ;;
	--warmup) [ "$#" -ge 2 ] || usage; warmup=$2; shift ;;
	--warmup=*) warmup=${1#--warmup=} ;;
	--rounds) [ "$#" -ge 2 ] || usage; rounds=$2; shift ;;
	--rounds=*) rounds=${1#--rounds=} ;;
	--keep) keep=1 ;;
	--no-hyperfine) no_hyperfine=1 ;;
	--sandbox) [ "$#" -ge 2 ] || usage; sandbox_arg=$2; shift ;;
	--sandbox=*) sandbox_arg=${1#--sandbox=} ;;
	-h | --help) usage 0 ;;
	*) usage ;;
	esac
	shift
done
case $runs in '' | *[!0-9]* | 0) die "--runs wants a positive number, not '$runs'" ;; esac
case $warmup in '' | *[!0-9]*) die "--warmup wants a number, not '$warmup'" ;; esac
case $rounds in '' | *[!0-9]* | 0) die "--rounds wants a positive number, not '$rounds'" ;; esac
[ "$rounds" -le "$runs" ] || rounds=$runs

self=$(readlink -f "${BASH_SOURCE[0]}")
repo=${SBX_BENCH_REPO:-$(cd "$(dirname "$self")/.." && pwd)}

if [ -n "$sandbox_arg" ]; then
	sandbox=$(readlink -f -- "$sandbox_arg" || true)
	[ -n "$sandbox" ] || sandbox=$sandbox_arg
else
	sandbox=$repo/sandbox
fi
if [ ! -f "$sandbox" ] || [ ! -x "$sandbox" ]; then
	die "no sandbox binary at $sandbox (run make, or pass --sandbox PATH)"
fi

have() { command -v "$1" >/dev/null 2>&1; }

# --- the busybox root filesystem ---------------------------------------------
is_static() {
	[ -f "$1" ] && ! grep -qa -m1 -E '/lib(64)?/ld-(linux|musl)' "$1"
}

# Minimal rootfs from Debian's busybox-static, when rootfs-tools/ has no builder.
mk_rootfs_fallback() {
	local dest=$1 bb='' cand applet
	for cand in /bin/busybox /usr/bin/busybox; do
		if is_static "$cand"; then
			bb=$cand
			break
		fi
	done
	[ -n "$bb" ] || die "no static busybox found (apt-get install busybox-static)"
	mkdir -p "$dest"/{bin,sbin,usr/bin,usr/sbin,etc,root,tmp,proc,sys,dev,run}
	chmod 1777 "$dest/tmp"
	cp "$bb" "$dest/bin/busybox"
	chmod 755 "$dest/bin/busybox"
	# --list-full names busybox itself too: never replace the binary by a link to itself.
	"$bb" --list-full | while IFS= read -r applet; do
		case $applet in
		"" | /* | *..* | bin/busybox | busybox) continue ;;
		esac
		mkdir -p "$dest/$(dirname "$applet")"
		[ -e "$dest/$applet" ] || [ -L "$dest/$applet" ] || ln -s /bin/busybox "$dest/$applet"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$dest/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$dest/etc/group"
}

make_rootfs() {
	local dest=$1 tool=$repo/rootfs-tools/mk-busybox-rootfs.sh
	if [ -f "$tool" ]; then
		if bash "$tool" "$dest" >"$dest.log" 2>&1; then
			rm -f "$dest.log"
			return 0
		fi
		say "startup.sh: $tool failed ($(tail -n 1 "$dest.log")); building a minimal rootfs instead"
		rm -rf "$dest"
	fi
	mk_rootfs_fallback "$dest"
}

# --- as root: prepare, then run again as the unprivileged user -----------------
if [ "$(id -u)" = 0 ] && [ -z "${SBX_BENCH_WORK:-}" ]; then
	have runuser || die "runuser (util-linux) is needed to drop to $BENCH_USER"
	if ! id "$BENCH_USER" >/dev/null 2>&1; then
		useradd -m "$BENCH_USER"
	fi
	for f in /etc/subuid /etc/subgid; do
		grep -q "^$BENCH_USER:" "$f" 2>/dev/null || printf '%s\n' "$SUBID_LINE" >>"$f"
	done
	work=$(mktemp -d "${TMPDIR:-/tmp}/sbx-bench.XXXXXX")
	if [ "$keep" = 1 ]; then
		trap 'say "startup.sh: kept $work"' EXIT
	else
		trap 'rm -rf -- "$work"' EXIT
	fi
	install -m 0755 "$sandbox" "$work/sandbox"
	install -m 0644 "$self" "$work/startup.sh"
	make_rootfs "$work/rootfs"
	chown -R "$BENCH_USER:" "$work"
	chmod 0755 "$work"
	pass_on=()
	[ "$no_hyperfine" = 0 ] || pass_on+=(--no-hyperfine)
	# The user gets no variable of root's that points to root's files.
	rc=0
	(cd "$work" && runuser -u "$BENCH_USER" -- env -u XDG_RUNTIME_DIR -u XDG_DATA_HOME \
		-u XDG_CONFIG_HOME -u TMPDIR -u SANDBOX_ROOT -u SANDBOX_RUNROOT \
		PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin \
		SBX_BENCH_WORK="$work" SBX_BENCH_REPO="$repo" \
		bash "$work/startup.sh" --runs "$runs" --warmup "$warmup" --rounds "$rounds" \
		--sandbox "$work/sandbox" "${pass_on[@]}") || rc=$?
	exit "$rc"
fi

# --- as the unprivileged user --------------------------------------------------
me=$(id -un)
if [ -n "${SBX_BENCH_WORK:-}" ]; then
	work=$SBX_BENCH_WORK
	own_work=0
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/sbx-bench.XXXXXX")
	own_work=1
fi
podman_cmd=()

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	local pidf pid
	# podman's rootless pause process (catatonit) of this private store; ours alone.
	if [ "${#podman_cmd[@]}" -gt 0 ] && [ "$own_work" = 1 ]; then
		"${podman_cmd[@]}" unshare rm -rf -- "$work/podman/root" >/dev/null 2>&1 || true
	fi
	for pidf in "$work/podman/tmp/pause.pid" "$work/xdg/libpod/tmp/pause.pid"; do
		if [ -f "$pidf" ]; then
			pid=$(cat "$pidf" 2>/dev/null || true)
			case $pid in '' | *[!0-9]*) ;; *) kill "$pid" 2>/dev/null || true ;; esac
		fi
	done
	if [ "$own_work" = 1 ] && [ "$keep" = 1 ]; then
		say "startup.sh: kept $work"
	elif [ "$own_work" = 1 ]; then
		rm -rf -- "$work" 2>/dev/null || true
	fi
}
trap cleanup EXIT
cd "$work"

rootfs=$work/rootfs
if [ ! -x "$rootfs/bin/busybox" ]; then
	make_rootfs "$rootfs"
fi
[ -x "$rootfs/bin/true" ] || [ -L "$rootfs/bin/true" ] || die "$rootfs has no /bin/true"

# sandbox's store and live state, and podman's runtime directory: private to this run.
export SANDBOX_ROOT=$work/sandbox-root SANDBOX_RUNROOT=$work/sandbox-run
export XDG_RUNTIME_DIR=$work/xdg
mkdir -p "$work/xdg" "$work/log"
chmod 0700 "$work/xdg"

# json_times FILE: the run times (s) of hyperfine's --export-json, one a line.
if have jq; then
	json_times() { jq -r '.results[0].times[]' "$1"; }
elif have python3; then
	json_times() { python3 -c 'import json,sys; print(*json.load(open(sys.argv[1]))["results"][0]["times"], sep="\n")' "$1"; }
else
	json_times() { return 1; }
fi
if [ "$no_hyperfine" = 0 ] && have hyperfine && (have jq || have python3); then
	timer="hyperfine $(hyperfine --version | awk '{print $2}') --shell=none; $runs runs in $rounds rounds, --warmup $warmup each"
	use_hyperfine=1
else
	timer="bash \$EPOCHREALTIME loop, $runs runs in $rounds rounds, $warmup warm-up runs each (apt-get install hyperfine jq for hyperfine)"
	use_hyperfine=0
fi

declare -A MED MIN NRUNS NOTE CMDLINE LABEL
ids=()

# skip ID LABEL WHY: a row that could not be measured.
skip() {
	ids+=("$1")
	LABEL[$1]=$2
	NOTE[$1]=$3
}

# Short form of a command line for the report: ROOTFS and WORK stand for the paths.
show_cmd() {
	local s='' w q="'" e="'\\''"
	for w in "$@"; do
		if [[ ! $w =~ ^[][A-Za-z0-9_./=:,@+%-]+$ ]]; then
			w="'${w//$q/$e}'"
		fi
		s+="${s:+ }$w"
	done
	s=${s//"$rootfs"/ROOTFS}
	s=${s//"$work"/WORK}
	printf '%s' "$s"
}

# The last line that the failed command wrote, shortened.
reason_of() {
	local line
	line=$(grep -v '^[[:space:]]*$' "$1" 2>/dev/null | grep -v 'level=warning' | tail -n 1 || true)
	line=${line//"$rootfs"/ROOTFS}
	line=${line//"$work"/WORK}
	[ -n "$line" ] || line="exit status $2, no message"
	printf '%.160s' "$line"
}

# measure ID LABEL [WRAP... --] -- CMD...
# Checks that CMD runs once and queues it for timing; WRAP is a prefix run around
# both the check and the timer (e.g. an unshare that the timer does not count).
timed=()
killed_from_outside=() # runs killed by a signal and tried again
measure() {
	local id=$1 label=$2 rc=0 err
	shift 2
	declare -ga "WRAP_$id=()" "CMD_$id=()"
	local -n wrap_ref="WRAP_$id" cmd_ref="CMD_$id"
	while [ "$1" != -- ]; do
		wrap_ref+=("$1")
		shift
	done
	shift
	# shellcheck disable=SC2034 # read through a nameref in time_round
	cmd_ref=("$@")
	ids+=("$id")
	LABEL[$id]=$label
	CMDLINE[$id]="$label: $(show_cmd "$@")"
	if [ "${#wrap_ref[@]}" -gt 0 ]; then
		CMDLINE[$id]+="   (timer run under: $(show_cmd "${wrap_ref[@]}") TIMER...)"
	fi
	err=$work/log/$id.err
	"${wrap_ref[@]}" timeout 60 "$@" </dev/null >/dev/null 2>"$err" || rc=$?
	if [ "$rc" -ge 128 ]; then
		killed_from_outside+=("check of $label: exit $rc, tried again")
		rc=0
		"${wrap_ref[@]}" timeout 60 "$@" </dev/null >/dev/null 2>"$err" || rc=$?
	fi
	if [ "$rc" != 0 ]; then
		NOTE[$id]="failed: $(reason_of "$err" "$rc")"
		say "  $label: fails (exit $rc), not timed"
		return 0
	fi
	: >"$work/log/$id.times"
	timed+=("$id")
}

# time_round ID N: N more timed runs of a queued row, appended to its .times file.
time_round() {
	local id=$1 n=$2 json=$work/log/$1.json out=$work/log/$1.timer
	local -n twrap="WRAP_$id" tcmd="CMD_$id"
	if [ "$use_hyperfine" = 1 ]; then
		"${twrap[@]}" hyperfine --shell=none --warmup "$warmup" --runs "$n" --style basic \
			--export-json "$json" "$(show_cmd_raw "${tcmd[@]}")" >"$out" 2>&1 &&
			json_times "$json" >>"$work/log/$id.times"
	else
		"${twrap[@]}" bash "$self" --time-loop "$warmup" "$n" "$json" "${tcmd[@]}" >"$out" 2>&1 &&
			cat "$json" >>"$work/log/$id.times"
	fi
}

# retry_note ID: record that a round of ID failed and is tried once more (a process
# of the same user elsewhere on the machine may have killed it).
retry_note() {
	killed_from_outside+=("timing of ${LABEL[$1]}: a round failed ($(reason_of "$work/log/$1.timer" 1)), tried again")
}

# The rows are timed in ROUNDS interleaved rounds, so that a load that comes and
# goes on the machine falls on all of them alike.
time_rows() {
	local r id n left=() still
	for ((r = 0; r < rounds; r++)); do
		n=$((runs / rounds + (r < runs % rounds ? 1 : 0)))
		[ "$n" -gt 0 ] || continue
		say "  round $((r + 1))/$rounds: $n runs of each row"
		left=()
		for id in "${timed[@]}"; do
			if time_round "$id" "$n" || { retry_note "$id" && time_round "$id" "$n"; }; then
				left+=("$id")
			else
				NOTE[$id]="failed during timing: $(reason_of "$work/log/$id.timer" 1)"
				say "  ${LABEL[$id]}: failed during timing"
			fi
		done
		timed=("${left[@]}")
	done
	for id in "${timed[@]}"; do
		still=$(sort -g "$work/log/$id.times")
		MED[$id]=$(awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}' <<<"$still")
		MIN[$id]=$(head -n 1 <<<"$still")
		NRUNS[$id]=$(wc -l <<<"$still")
	done
}

# hyperfine's --shell=none splits its argument the way a POSIX shell would.
show_cmd_raw() {
	local s
	s=$(printf '%q ' "$@")
	printf '%s' "${s% }"
}

cgroup_hybrid() {
	[ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" = tmpfs ] &&
		[ "$(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]
}
# unshare -Urm with an empty tmpfs over the cgroup v2 part of a hybrid layout.
# shellcheck disable=SC2016 # "$@" is the inner sh's.
hide_unified=(unshare -Urm sh -c 'mount -t tmpfs none /sys/fs/cgroup/unified && exec "$@"' sh)

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
load_start=$(loadavg)
notes=()
say "startup.sh: as $me (uid $(id -u)); timer: $timer"
say "  sandbox: $("$sandbox" --version 2>/dev/null | head -n 1 || echo '?') ($sandbox)"
if ! grep -q "^$me:" /etc/subuid 2>/dev/null; then
	notes+=("$me has no /etc/subuid range: the auto row falls back to a single id")
fi
say "checking each row once:"

# 1, 2: sandbox
measure single "sandbox --userns single" -- \
	"$sandbox" run --rm --network none --userns single "$rootfs" /bin/true
measure auto "sandbox (userns auto)" -- \
	"$sandbox" run --rm --network none "$rootfs" /bin/true
# 2b: the same with user-mode networking (tap, libslirp helper)
if [ -w /dev/net/tun ]; then
	measure slirp "sandbox --network slirp" -- \
		"$sandbox" run --rm --network slirp "$rootfs" /bin/true
else
	skip slirp "sandbox --network slirp" "skipped (/dev/net/tun is not accessible)"
fi

# 3: bubblewrap; --unshare-user --uid 0 --gid 0 makes the caller root inside, as sandbox does.
if have bwrap; then
	measure bwrap "bwrap" -- bwrap --unshare-all --unshare-user --uid 0 --gid 0 \
		--bind "$rootfs" / --proc /proc --dev /dev /bin/true
else
	skip bwrap bwrap "skipped (bwrap not installed: apt-get install bubblewrap)"
fi

# 4: crun on a rootless OCI bundle whose root is the same rootfs.
# make_bundle DIR: `crun spec --rootless` with args /bin/true, no terminal, root ROOTFS.
make_bundle() {
	mkdir -p "$1" && (cd "$1" && crun spec --rootless) || return 1
	if have jq; then
		jq --arg root "$rootfs" '.process.args = ["/bin/true"] | .process.terminal = false
			| .root.path = $root' "$1/config.json" >"$1/config.new" || return 1
	else
		python3 - "$1/config.json" "$rootfs" >"$1/config.new" <<'EOF' || return 1
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["args"] = ["/bin/true"]
c["process"]["terminal"] = False
c["root"]["path"] = sys.argv[2]
print(json.dumps(c, indent=2))
EOF
	fi
	mv "$1/config.new" "$1/config.json"
}

bundle=$work/crun-bundle
if ! have crun || ! { have jq || have python3; }; then
	skip crun crun "skipped (crun, or jq/python3 to edit its config, not installed: apt-get install crun jq)"
elif ! make_bundle "$bundle" >"$work/log/crun-spec.log" 2>&1; then
	skip crun crun "skipped (crun spec --rootless failed: $(reason_of "$work/log/crun-spec.log" 1))"
else
	crun_cmd=(crun --root "$work/crun-state")
	if crun --cgroup-manager=disabled --version >/dev/null 2>&1; then
		crun_cmd+=(--cgroup-manager=disabled)
	fi
	crun_cmd+=(run --bundle "$bundle" sbx-bench-crun)
	# A crun that refuses a hybrid cgroup layout runs where cgroup v2 is hidden.
	if cgroup_hybrid && ! timeout 30 "${crun_cmd[@]}" </dev/null >/dev/null 2>"$work/log/crun-plain.err" &&
		grep -q 'hybrid mode' "$work/log/crun-plain.err"; then
		notes+=("crun refuses the hybrid cgroup layout of this host (\"$(reason_of "$work/log/crun-plain.err" 1)\"): it runs inside \`unshare -Urm\` with a tmpfs mounted over /sys/fs/cgroup/unified (the unshare and the mount are not timed)")
		measure crun "crun (in unshare -Urm)" "${hide_unified[@]}" -- "${crun_cmd[@]}"
	else
		measure crun "crun" -- "${crun_cmd[@]}"
	fi
fi

# 5: podman, with a private store imported from the same rootfs.
podman_label=podman
if ! have podman; then
	skip podman podman "skipped (podman not installed: apt-get install podman uidmap)"
else
	podman_cmd=(podman --root "$work/podman/root"
		--runroot "$work/podman/run" --tmpdir "$work/podman/tmp" --storage-driver overlay
		--cgroup-manager=cgroupfs)
	podman_run=(run --rm --network=none "$IMAGE_NAME" /bin/true)
	if ! (tar -C "$rootfs" -c . | "${podman_cmd[@]}" import - "$IMAGE_NAME") \
		>"$work/log/podman-import.log" 2>&1; then
		skip podman podman "skipped (import failed: $(reason_of "$work/log/podman-import.log" 1))"
	else
		rc=0
		"${podman_cmd[@]}" "${podman_run[@]}" </dev/null >/dev/null 2>"$work/log/podman-check.err" || rc=$?
		if [ "$rc" != 0 ] && grep -q 'hybrid mode' "$work/log/podman-check.err" && have runc; then
			notes+=("podman's runtime crun refuses the hybrid cgroup layout: podman runs with --runtime runc")
			podman_cmd+=(--runtime runc)
			podman_label="podman (runc)"
			rc=0
			"${podman_cmd[@]}" "${podman_run[@]}" </dev/null >/dev/null 2>"$work/log/podman-check.err" || rc=$?
		fi
		if [ "$rc" != 0 ]; then
			skip podman "$podman_label" "skipped ($(reason_of "$work/log/podman-check.err" "$rc"))"
			if grep -q 'hybrid mode' "$work/log/podman-check.err"; then
				NOTE[podman]+="; apt-get install runc lets podman run here"
			fi
		else
			measure podman "$podman_label" -- "${podman_cmd[@]}" "${podman_run[@]}"
		fi
	fi
fi

# 6: the floor: namespaces and a /proc, no root filesystem at all.
measure unshare "unshare -Urmpf (floor)" -- unshare -Urmpf --mount-proc /bin/true
if unshare --help 2>&1 | grep -q -- '--map-auto'; then
	measure unshare_auto "unshare --map-auto -Urmpf" -- unshare --map-auto -Urmpf --mount-proc true
else
	skip unshare_auto "unshare --map-auto -Urmpf" "skipped (this util-linux has no --map-auto)"
fi

say "timing start-to-exit of /bin/true:"
time_rows

# --- peak memory -----------------------------------------------------------------
# Sum, over the started process and all its descendants (found through
# /proc/PID/task/*/children every 20 ms), of each one's VmHWM; also the largest
# sampled sum of VmRSS. A process that lives less than one sample is missed.
declare -A RSS_HWM RSS_MAX RSS_N RSS_NOTE RSS_PARTS
proc_state() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	printf '%s' "${s%% *}"
}

peak_rss_once() {
	local id=$1 pid p f k v st rc=0 sum_rss deadline
	local -A hwm=() name=()
	local queue=() all=() kids=()
	shift
	local max_rss=0
	"$@" </dev/null >/dev/null 2>"$work/log/rss-$id.err" &
	pid=$!
	deadline=$((SECONDS + 20))
	while st=$(proc_state "$pid") && [ "$st" != Z ] && [ "$SECONDS" -lt "$deadline" ]; do
		queue=("$pid")
		all=()
		while [ "${#queue[@]}" -gt 0 ]; do
			p=${queue[0]}
			queue=("${queue[@]:1}")
			all+=("$p")
			for f in /proc/"$p"/task/*/children; do
				kids=()
				read -r -a kids 2>/dev/null <"$f" || true
				queue+=("${kids[@]}")
			done
		done
		sum_rss=0
		for p in "${all[@]}"; do
			while read -r k v _; do
				case $k in
				Name:) name[$p]=$v ;;
				VmHWM:) [ "$v" -le "${hwm[$p]:-0}" ] || hwm[$p]=$v ;;
				VmRSS:) sum_rss=$((sum_rss + v)) ;;
				esac
			done 2>/dev/null <"/proc/$p/status" || true
		done
		[ "$sum_rss" -le "$max_rss" ] || max_rss=$sum_rss
		sleep 0.02
	done
	if [ "$SECONDS" -ge "$deadline" ]; then
		kill "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || rc=$?
	local total=0 parts=''
	for p in $(printf '%s\n' "${!hwm[@]}" | sort -n); do
		total=$((total + hwm[$p]))
		parts+="${parts:+ + }${name[$p]:-?} ${hwm[$p]}"
	done
	RSS_PARTS[$id]=$parts
	RSS_HWM[$id]=$total
	RSS_MAX[$id]=$max_rss
	RSS_N[$id]=${#hwm[@]}
	RSS_NOTE[$id]=
	if [ "$rc" != 0 ]; then
		RSS_NOTE[$id]="exit $rc: $(reason_of "$work/log/rss-$id.err" "$rc")"
	fi
	return "$rc"
}

# peak_rss ID CMD...: as peak_rss_once, again (up to 3 tries) when a signal from
# outside killed the run.
peak_rss() {
	local try rc
	for try in 1 2 3; do
		rc=0
		peak_rss_once "$@" || rc=$?
		[ "$rc" -ge 128 ] || return 0
		killed_from_outside+=("peak memory of ${LABEL[$1]}: exit $rc on try $try")
	done
}

say "measuring peak memory of \`sleep 1\`:"
rss_ids=(single auto bwrap)
peak_rss single "$sandbox" run --rm --network none --userns single "$rootfs" /bin/sleep 1
peak_rss auto "$sandbox" run --rm --network none "$rootfs" /bin/sleep 1
if have bwrap; then
	peak_rss bwrap bwrap --unshare-all --unshare-user --uid 0 --gid 0 \
		--bind "$rootfs" / --proc /proc --dev /dev /bin/sleep 1
fi

# --- report --------------------------------------------------------------------------
ms() { awk -v s="$1" 'BEGIN {printf "%.2f", s * 1000}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "-"}'; }
mib() { awk -v k="$1" 'BEGIN {printf "%.2f MiB", k / 1024}'; }

echo
echo "sandbox start-up: median of $runs runs of /bin/true on one busybox rootfs, as $me"
echo "timer: $timer"
echo "host: $(uname -r), $(nproc) CPUs; load average $load_start at the start, $(loadavg) at the end"
echo
printf '%-28s %10s %10s %5s %9s %11s\n' "row" "median ms" "min ms" "runs" "x bwrap" "podman / x"
printf '%-28s %10s %10s %5s %9s %11s\n' "---" "---------" "------" "----" "-------" "----------"
for id in "${ids[@]}"; do
	if [ -n "${MED[$id]:-}" ]; then
		rb=-
		[ -z "${MED[bwrap]:-}" ] || rb=$(ratio "${MED[$id]}" "${MED[bwrap]}")
		rp=-
		[ -z "${MED[podman]:-}" ] || rp=$(ratio "${MED[podman]}" "${MED[$id]}")
		printf '%-28s %10s %10s %5s %9s %11s\n' "${LABEL[$id]}" "$(ms "${MED[$id]}")" \
			"$(ms "${MIN[$id]}")" "${NRUNS[$id]}" "$rb" "$rp"
	else
		printf '%-28s %s\n' "${LABEL[$id]}" "${NOTE[$id]:-not measured}"
	fi
done
if [ -z "${MED[podman]:-}" ]; then
	echo "podman: ${NOTE[podman]:-skipped}"
fi

echo
echo "peak memory of \`... sleep 1\` (sum over the launcher and all its descendants):"
for id in "${rss_ids[@]}"; do
	[ -n "${RSS_HWM[$id]:-}" ] || continue
	printf '  %-26s sum VmHWM %s, max sampled sum VmRSS %s\n' \
		"${LABEL[$id]}" "$(mib "${RSS_HWM[$id]}")" "$(mib "${RSS_MAX[$id]}")"
	printf '  %-26s   %d processes, VmHWM kB by pid order: %s\n' "" "${RSS_N[$id]}" "${RSS_PARTS[$id]}"
	[ -z "${RSS_NOTE[$id]:-}" ] || printf '  %-26s   (%s)\n' "" "${RSS_NOTE[$id]}"
done

# The issue's targets: printed, never enforced.
verdict() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN {
	ok = (op == "<=") ? (v <= t) : (v >= t); printf "%s", ok ? "met" : "MISSED" }'; }
echo
echo "targets (from the issue; informational):"
for id in single auto; do
	limit=1.0
	[ "$id" = auto ] && limit=1.5
	if [ -n "${MED[$id]:-}" ] && [ -n "${MED[bwrap]:-}" ]; then
		r=$(ratio "${MED[$id]}" "${MED[bwrap]}")
		printf '  %-50s %8sx  %s\n' "${LABEL[$id]} <= ${limit}x bwrap" "$r" "$(verdict "$r" "<=" "$limit")"
	else
		printf '  %-50s %8s\n' "${LABEL[$id]} <= ${limit}x bwrap" "n/a"
	fi
	if [ -n "${MED[$id]:-}" ] && [ -n "${MED[podman]:-}" ]; then
		r=$(ratio "${MED[podman]}" "${MED[$id]}")
		printf '  %-50s %8sx  %s\n' "${LABEL[$id]} >= 25x faster than podman" "$r" "$(verdict "$r" ">=" 25)"
	else
		printf '  %-50s %8s\n' "${LABEL[$id]} >= 25x faster than podman" "n/a"
	fi
done
for id in single auto; do
	if [ -n "${RSS_HWM[$id]:-}" ] && [ -z "${RSS_NOTE[$id]:-}" ]; then
		printf '  %-50s %8s   %s\n' "${LABEL[$id]} peak RSS <= 4 MiB" \
			"$(mib "${RSS_HWM[$id]}")" "$(verdict "${RSS_HWM[$id]}" "<=" "$RSS_TARGET_KB")"
	else
		printf '  %-50s %8s\n' "${LABEL[$id]} peak RSS <= 4 MiB" "n/a"
	fi
done

echo
echo "commands (ROOTFS = the busybox rootfs, WORK = this run's temporary directory):"
for id in "${ids[@]}"; do
	[ -z "${CMDLINE[$id]:-}" ] || echo "  ${CMDLINE[$id]}"
done
status=0
for id in single auto; do
	if [ -n "${NOTE[$id]:-}" ]; then
		notes+=("${LABEL[$id]} could not be measured: ${NOTE[$id]}")
		status=1
	fi
done
for n in "${killed_from_outside[@]}"; do
	notes+=("retried: $n")
done
if [ "${#notes[@]}" -gt 0 ]; then
	echo
	echo "notes:"
	for n in "${notes[@]}"; do
		echo "  - $n"
	done
fi
exit "$status"
