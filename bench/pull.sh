#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pull.sh - pull from a loopback TLS registry: `sandbox pull` vs `skopeo copy` vs `podman pull`
#
# Usage: bench/pull.sh [--runs N] [--mb N] [--sandbox PATH] [--keep]
#
#   --runs N        timed runs per row (default 3; the median is printed)
#   --mb N          uncompressed size of the image in MB (default 200), in 3 layers
#   --sandbox PATH  the binary to measure (default: ./sandbox of this checkout)
#   --keep          keep the work directory (logs, stores, registry) and print it
#
# The image is the one of bench/unpack.sh (bench/lib-image.sh: 3 gzip layers of the
# host's /usr files). Debian's docker-registry serves it on 127.0.0.1 with TLS (a CA
# and a server certificate made here by openssl); `skopeo copy --dest-cert-dir` pushes it.
# Rows, each run into a fresh destination:
#   sandbox pull   SANDBOX_ROOT=fresh store, SSL_CERT_FILE=the CA: download, every
#                  blob checked against its digest, every layer unpacked into the store
#   skopeo copy    docker://... to oci:FRESH-DIR (--src-cert-dir): download and
#                  digest check, no unpack
#   podman pull    a fresh rootless store (--root, --runroot, overlay, --cert-dir):
#                  download and unpack, the peer that does the same work
#   sandbox import the same layout from the local disk: the unpack alone, no network
#                  (pull minus import is roughly what the download costs)
# Each row is printed with the MB/s of the compressed bytes; the ratios are times
# (a row's median / sandbox pull's median). Nothing is deleted until all the timings are
# done (bench/unpack.sh: on ext4 without a journal freed inodes slow new ones down).
# As root the script runs itself as `sbxtest` (created by tests/setup-root.sh) in a
# directory that user owns. A benchmark, not a test: figures are printed, never judged.
set -euo pipefail

runs=3 mb=200 keep=0
sandbox=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/sandbox
# shellcheck source=bench/lib-image.sh disable=SC1091 # followed with shellcheck -x
. "$(dirname "${BASH_SOURCE[0]}")/lib-image.sh"
bench_options pull.sh "$@"
for c in docker-registry skopeo openssl curl python3; do
	command -v "$c" >/dev/null || { echo "pull.sh: needs $c (apt-get install docker-registry skopeo openssl curl python3)" >&2; exit 2; }
done
bench_as_sbxtest pull.sh "${BASH_SOURCE[0]}"

comp=0 # set by bench_make_image
work=${SBX_BENCH_WORK:-$(mktemp -d /tmp/sbx-bench-pull.XXXXXX)}
img=$work/image
reg_pid=
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	local f pid
	[ -z "$reg_pid" ] || kill "$reg_pid" 2>/dev/null || true
	# podman's rootless pause process of this private set-up; ours alone
	for f in "$work/podman-tmp/pause.pid" "$work/xdg/libpod/tmp/pause.pid"; do
		pid=$(cat "$f" 2>/dev/null || true)
		case $pid in '' | *[!0-9]*) ;; *) kill "$pid" 2>/dev/null || true ;; esac
	done
	if [ "$keep" = 1 ]; then
		echo "# kept $work"
	elif [ -z "${SBX_BENCH_WORK:-}" ]; then
		unshare --user --map-root-user --map-auto rm -rf "$work" 2>/dev/null || rm -rf "$work"
	fi
}
trap cleanup EXIT
# Nothing of the user's own state: credentials, certificates, podman's run-time files.
unset REGISTRY_AUTH_FILE SSL_CERT_FILE SSL_CERT_DIR
export XDG_RUNTIME_DIR=$work/xdg TMPDIR=$work/tmp HOME=${SBX_BENCH_WORK:-$work}
mkdir -p "$work/xdg" "$work/tmp" "$work/log" "$work/ca" "$work/registry"
chmod 700 "$work/xdg"

bench_make_image "$img" "$mb"

(
	cd "$work/ca" &&
		openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=sbx-bench-ca &&
		openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=127.0.0.1 &&
		# mbedTLS 2.28 (sandbox) matches a host name only against DNS names: 127.0.0.1 is one too
		printf 'subjectAltName=IP:127.0.0.1,DNS:127.0.0.1\nbasicConstraints=CA:FALSE\n' >ext &&
		openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out srv.crt -days 2 -extfile ext
) >"$work/log/openssl" 2>&1 || { echo "pull.sh: openssl failed: $(tail -2 "$work/log/openssl")" >&2; exit 2; }
# --src-cert-dir/--dest-cert-dir/--cert-dir take every *.crt of a directory as a CA
mkdir "$work/certs"
cp "$work/ca/ca.crt" "$work/certs/"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
reg=127.0.0.1:$port
cat >"$work/registry.yml" <<EOC
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: "$work/registry"}}
http: {addr: "$reg", tls: {certificate: "$work/ca/srv.crt", key: "$work/ca/srv.key"}}
EOC
registry_up() { curl -s -o /dev/null --cacert "$work/ca/ca.crt" "https://$reg/v2/"; }
start_registry() {
	local j
	docker-registry serve "$work/registry.yml" >>"$work/log/registry" 2>&1 &
	reg_pid=$!
	for ((j = 0; j < 100; j++)); do
		registry_up && return 0
		sleep 0.1
	done
	echo "pull.sh: docker-registry did not start: $(tail -3 "$work/log/registry")" >&2
	exit 2
}
# On a shared machine the registry was once seen gone in the middle of the runs (no
# message in its log): it is started again, on the same port and store, and said so.
ensure_registry() {
	registry_up && return 0
	echo "# note: docker-registry (pid $reg_pid) stopped answering; started again"
	kill "$reg_pid" 2>/dev/null || true
	start_registry
}
start_registry
ref=$reg/bench:latest
skopeo copy -q --dest-cert-dir "$work/certs" "oci:$img:bench" "docker://$ref" >"$work/log/push" 2>&1 ||
	{ echo "pull.sh: skopeo could not push: $(tail -3 "$work/log/push")" >&2; exit 2; }
echo "# registry: docker-registry $(docker-registry --version 2>&1 | awk '{print $NF}') on https://$reg (TLS, loopback)"


sandbox_pull() {
	SANDBOX_ROOT=$work/sandbox-$1 SANDBOX_RUNROOT=$work/sandbox-run-$1 SSL_CERT_FILE=$work/ca/ca.crt \
		"$sandbox" pull "$ref"
}
skopeo_copy() { skopeo copy --src-cert-dir "$work/certs" "docker://$ref" "oci:$work/skopeo-$1:bench"; }
# one --tmpdir for all runs: the rootless pause process is started once, before the timings
podman_cmd() {
	podman --root "$work/podman-$1/root" --runroot "$work/podman-$1/run" --tmpdir "$work/podman-tmp" \
		--storage-driver overlay "${@:2}"
}
podman_pull() { podman_cmd "$1" pull --cert-dir "$work/certs" "$ref"; }
sandbox_import() { SANDBOX_ROOT=$work/import-$1 "$sandbox" import "$img" bench; }

names=("sandbox pull" "skopeo copy" "sandbox import")
funcs=(sandbox_pull skopeo_copy sandbox_import)
if ! command -v podman >/dev/null; then
	echo "# podman pull: skipped (not installed: apt-get install podman uidmap)"
elif ! podman_cmd check unshare true >"$work/log/podman-check" 2>&1; then
	echo "# podman pull: skipped (podman fails as $(id -un): $(tail -1 "$work/log/podman-check"))"
else
	names+=("podman pull")
	funcs+=(podman_pull)
fi
# The rows take turns run by run, so that a slow stretch of the disk (or of
# the machine) hits all of them alike.
declare -A times result
for ((i = 0; i < runs; i++)); do
	for k in "${!funcs[@]}"; do
		[ "${times[$k]:-}" = failed ] && continue
		ensure_registry
		sync
		t0=$(now)
		if ! "${funcs[$k]}" "$i" >/dev/null 2>"$work/log/${funcs[$k]}-$i"; then
			if ! registry_up; then
				# the registry's fault, not the row's: once more into another fresh destination
				ensure_registry
				sync
				t0=$(now)
				"${funcs[$k]}" "$i-again" >/dev/null 2>"$work/log/${funcs[$k]}-$i" && t1=$(now)
			fi
			if [ -z "${t1:-}" ]; then
				echo "# ${names[$k]} failed: $(tail -3 "$work/log/${funcs[$k]}-$i" | tr '\r' '\n' | tail -3)"
				times[$k]=failed
				continue
			fi
		else
			t1=$(now)
		fi
		times[$k]="${times[$k]:-} $(((t1 - t0) / 1000))"
		t1=
	done
done
# The store sandbox filled, as a check that the pull really happened.
if [ "${times[0]:-failed}" != failed ]; then
	SANDBOX_ROOT=$work/sandbox-0 SANDBOX_RUNROOT=$work/sandbox-run-0 "$sandbox" images 2>&1 | sed 's/^/# /'
fi
for k in "${!funcs[@]}"; do
	[ "${times[$k]:-failed}" = failed ] && continue
	# shellcheck disable=SC2086 # the list of times is split on purpose
	result[${names[$k]}]=$(printf '%s\n' ${times[$k]} | median)
	printf '%-14s %6d ms  (%s)  %5.0f MB/s gzip\n' "${names[$k]}" "${result[${names[$k]}]}" "${times[$k]# }" \
		"$(echo "$comp ${result[${names[$k]}]}" | awk '{print $1 / 1000 / $2}')"
done
s=${result[sandbox pull]:-0}
for peer in "skopeo copy" "podman pull" "sandbox import"; do
	p=${result[$peer]:-0}
	if [ "$s" -gt 0 ] && [ "$p" -gt 0 ]; then
		echo "# $peer / sandbox pull: $(echo "$p $s" | awk '{printf "%.2f", $1 / $2}')x (time)"
	fi
done
