#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# net.sh - throughput and CPU of sandbox's libslirp helper next to slirp4netns (and pasta)
#
# Usage: bench/net.sh [--sandbox PATH] [--seconds N] [--mtu N]
#
# Rows (iperf3, one TCP stream, N seconds each, MTU 65520 unless --mtu):
#   out   sandbox -> iperf3 server on the host's 127.0.0.1 (through 10.0.2.2)
#   in    the same with -R (host -> sandbox)
#   fwd   host client -> 127.0.0.1:PORT forwarded (-p) to a server inside
# for `sandbox run --network slirp` (the `host` image, so the host's iperf3 runs
# inside), slirp4netns attached to an `unshare -Urn` namespace, and pasta's
# forward (its splice path) when installed. TCP forwards of sandbox splice
# between the host's client and a socket made inside the sandbox (portfwd.c). CPU seconds (user+sys) and peak RSS of the forwarder process are read
# from /proc while it runs. Started as root, the script runs itself again as the
# unprivileged user sbxtest (tests/setup-root.sh makes it).
#
# A benchmark, not a test: it prints figures and ratios, it judges nothing.
set -euo pipefail

SECONDS_PER_RUN=5
MTU=65520
SBX=
while [ $# -gt 0 ]; do
	case $1 in
	--sandbox) SBX=$2; shift 2 ;;
	--seconds) SECONDS_PER_RUN=$2; shift 2 ;;
	--mtu) MTU=$2; shift 2 ;;
	*) echo "usage: $0 [--sandbox PATH] [--seconds N] [--mtu N]" >&2; exit 2 ;;
	esac
done
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SBX=${SBX:-$here/../sandbox}
SBX=$(realpath "$SBX")
for c in iperf3 python3; do
	command -v "$c" >/dev/null || { echo "net.sh: $c is not installed (apt-get install $c)" >&2; exit 2; }
done

if [ "$(id -u)" = 0 ]; then
	id sbxtest >/dev/null 2>&1 || { echo "net.sh: run tests/setup-root.sh first (user sbxtest)" >&2; exit 2; }
	tmp=$(mktemp -d /tmp/bench-net.XXXXXX)
	chmod 755 "$tmp"
	cp "$SBX" "$tmp/sandbox"
	cp "${BASH_SOURCE[0]}" "$tmp/net.sh"
	chmod -R a+rX "$tmp"
	rc=0
	runuser -u sbxtest -- bash "$tmp/net.sh" --sandbox "$tmp/sandbox" --seconds "$SECONDS_PER_RUN" --mtu "$MTU" || rc=$?
	rm -rf "$tmp"
	exit "$rc"
fi

work=$(mktemp -d /tmp/bench-net-u.XXXXXX)
export SANDBOX_ROOT=$work/root SANDBOX_RUNROOT=$work/run
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# gbits FILE: receiver's bits/s of an iperf3 -J run, in Gbit/s
gbits() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%.2f" % (d["end"]["sum_received"]["bits_per_second"]/1e9))' "$1" 2>/dev/null || echo 0
}

# watch_cpu PID OUT: until PID exits, write "CPU_SECONDS RSS_KB" to OUT
watch_cpu() {
	local pid=$1 out=$2 tck
	tck=$(getconf CLK_TCK)
	while [ -e "/proc/$pid/stat" ]; do
		local st hwm
		st=$(cut -d' ' -f14,15 "/proc/$pid/stat" 2>/dev/null) || break
		hwm=$(awk '$1 == "VmHWM:" { print $2 }' "/proc/$pid/status" 2>/dev/null) || break
		[ -n "$st" ] && [ -n "$hwm" ] && echo "$(echo "$st" | awk -v t="$tck" '{ printf "%.2f", ($1 + $2) / t }') $hwm" >"$out"
		sleep 0.2
	done
}

# wait_new_helper BEFORE: the pid of a sandbox-net process not in BEFORE
wait_new_helper() {
	local p
	for _ in $(seq 1 100); do
		for p in $(pgrep -u "$(id -u)" -x sandbox-net || true); do
			[[ " $1 " == *" $p "* ]] || { echo "$p"; return 0; }
		done
		sleep 0.05
	done
	return 1
}

declare -A RES CPU RSS

# --- sandbox ------------------------------------------------------------------
sbx_row() { # ROW IPERF_CLIENT_ARGS... (client inside, server on host loopback)
	local row=$1 port hp before
	shift
	port=$(free_port)
	iperf3 -s -B 127.0.0.1 -p "$port" -1 >/dev/null 2>&1 &
	pids+=("$!")
	sleep 0.3
	before=$(pgrep -u "$(id -u)" -x sandbox-net | tr '\n' ' ' || true)
	"$SBX" run --rm --network "slirp:mtu=$MTU" --allow-host-loopback host \
		iperf3 -c 10.0.2.2 -p "$port" -t "$SECONDS_PER_RUN" -J "$@" >"$work/sbx.$row.json" 2>"$work/sbx.$row.err" &
	local box=$!
	hp=$(wait_new_helper "$before") && watch_cpu "$hp" "$work/sbx.$row.cpu" &
	wait "$box" || true
	wait 2>/dev/null || true
	RES[sbx.$row]=$(gbits "$work/sbx.$row.json")
	read -r "CPU[sbx.$row]" "RSS[sbx.$row]" <"$work/sbx.$row.cpu" 2>/dev/null || true
}

sbx_fwd() {
	local hp before box
	hp=$(free_port)
	before=$(pgrep -u "$(id -u)" -x sandbox-net | tr '\n' ' ' || true)
	"$SBX" run --rm --network "slirp:mtu=$MTU" -p "127.0.0.1:$hp:5201" host iperf3 -s -1 >/dev/null 2>&1 &
	box=$!
	local helper
	helper=$(wait_new_helper "$before")
	watch_cpu "$helper" "$work/sbx.fwd.cpu" &
	sleep 0.5
	iperf3 -c 127.0.0.1 -p "$hp" -t "$SECONDS_PER_RUN" -J >"$work/sbx.fwd.json" 2>/dev/null || true
	wait "$box" || true
	wait 2>/dev/null || true
	RES[sbx.fwd]=$(gbits "$work/sbx.fwd.json")
	read -r "CPU[sbx.fwd]" "RSS[sbx.fwd]" <"$work/sbx.fwd.cpu" 2>/dev/null || true
}

# --- slirp4netns ----------------------------------------------------------------
s4_row() { # ROW CMD-IN-NAMESPACE (a shell snippet; $PORT is the host server's port)
	local row=$1 snippet=$2 port ns s4 api=$work/s4.$1.sock hp=${3:-}
	port=$(free_port)
	rm -f "$work/go.$row"
	local out=$work/s4.$row.json
	[ "$row" != fwd ] || out=/dev/null
	unshare -Urn sh -c "while [ ! -e $work/go.$row ]; do sleep 0.02; done; PORT=$port; $snippet" \
		>"$out" 2>/dev/null &
	ns=$!
	pids+=("$ns")
	sleep 0.2
	slirp4netns --configure --mtu="$MTU" --api-socket "$api" "$ns" tap0 >/dev/null 2>&1 &
	s4=$!
	pids+=("$s4")
	sleep 0.5
	if [ "$row" = fwd ]; then
		python3 - "$api" "$hp" <<'EOF'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(json.dumps({"execute": "add_hostfwd", "arguments": {"proto": "tcp", "host_addr": "127.0.0.1", "host_port": int(sys.argv[2]), "guest_port": 5201}}).encode())
s.recv(1024)
EOF
	else
		iperf3 -s -B 127.0.0.1 -p "$port" -1 >/dev/null 2>&1 &
		pids+=("$!")
		sleep 0.3
	fi
	watch_cpu "$s4" "$work/s4.$row.cpu" &
	touch "$work/go.$row"
	if [ "$row" = fwd ]; then
		sleep 0.5
		iperf3 -c 127.0.0.1 -p "$hp" -t "$SECONDS_PER_RUN" -J >"$work/s4.$row.json" 2>/dev/null || true
	fi
	wait "$ns" || true
	kill "$s4" 2>/dev/null || true
	wait 2>/dev/null || true
	RES[s4.$row]=$(gbits "$work/s4.$row.json")
	read -r "CPU[s4.$row]" "RSS[s4.$row]" <"$work/s4.$row.cpu" 2>/dev/null || true
}

echo "net.sh: iperf3, ${SECONDS_PER_RUN}s per row, MTU $MTU, $(nproc) CPUs, $(uname -r)"
sbx_row out
sbx_row in -R
sbx_fwd
if command -v slirp4netns >/dev/null; then
	# shellcheck disable=SC2016 # $PORT expands in the namespace's shell
	s4_row out 'iperf3 -c 10.0.2.2 -p $PORT -t '"$SECONDS_PER_RUN"' -J'
	# shellcheck disable=SC2016
	s4_row in 'iperf3 -c 10.0.2.2 -p $PORT -t '"$SECONDS_PER_RUN"' -J -R'
	s4_row fwd 'ip link set lo up; iperf3 -s -1' "$(free_port)"
else
	echo "# slirp4netns is not installed (apt-get install slirp4netns): no comparison"
fi

# pasta (passt package): only the forward, through its splice path
pasta_fwd() {
	local hp box p
	hp=$(free_port)
	pasta --config-net -t "$hp:5201" -- iperf3 -s -1 >/dev/null 2>&1 &
	box=$!
	pids+=("$box")
	sleep 1
	p=$(pgrep -n -u "$(id -u)" -x pasta || pgrep -n -u "$(id -u)" -x pasta.avx2 || true)
	[ -z "$p" ] || watch_cpu "$p" "$work/pasta.fwd.cpu" &
	iperf3 -c 127.0.0.1 -p "$hp" -t "$SECONDS_PER_RUN" -J >"$work/pasta.fwd.json" 2>/dev/null || true
	wait "$box" || true
	RES[pasta.fwd]=$(gbits "$work/pasta.fwd.json")
	read -r "CPU[pasta.fwd]" "RSS[pasta.fwd]" <"$work/pasta.fwd.cpu" 2>/dev/null || true
}
if command -v pasta >/dev/null; then
	pasta_fwd
fi

ratio() {
	python3 -c 'import sys; a, b = float(sys.argv[1] or 0), float(sys.argv[2] or 0); print("%.2fx" % (a / b) if b else "n/a")' "$1" "$2"
}

printf '\n%-6s %-24s %-24s %s\n' row "sandbox Gbit/s (cpu s, rss KB)" "slirp4netns Gbit/s (cpu s, rss KB)" "ratio"
for row in out in fwd; do
	printf '%-6s %-34s %-34s %s\n' "$row" \
		"${RES[sbx.$row]:-0} (${CPU[sbx.$row]:-?} s, ${RSS[sbx.$row]:-?} KB)" \
		"${RES[s4.$row]:-n/a} (${CPU[s4.$row]:-?} s, ${RSS[s4.$row]:-?} KB)" \
		"$(ratio "${RES[sbx.$row]:-0}" "${RES[s4.$row]:-0}")"
done
[ -z "${RES[pasta.fwd]:-}" ] || echo "pasta fwd: ${RES[pasta.fwd]} Gbit/s (${CPU[pasta.fwd]:-?} s, ${RSS[pasta.fwd]:-?} KB); sandbox/pasta $(ratio "${RES[sbx.fwd]:-0}" "${RES[pasta.fwd]}")"
echo "# out: sandbox -> host loopback; in: host -> sandbox (iperf3 -R); fwd: host -> -p forward -> sandbox"
echo "# targets (issue 4): >= 1.0x slirp4netns both directions at no more CPU; fwd >= 2x slirp4netns; helper RSS <= 4096 KB"
