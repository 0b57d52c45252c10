#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# unpack.sh - import+unpack of a multi-layer gzip image: sandbox vs `umoci unpack --rootless` vs `tar -xzf`
#
# Usage: bench/unpack.sh [--runs N] [--mb N] [--sandbox PATH] [--keep]
#
#   --runs N        timed runs per row (default 3; the median is printed)
#   --mb N          uncompressed size of the image in MB (default 200), in 3 layers
#   --sandbox PATH  the binary to measure (default: ./sandbox of this checkout)
#   --keep          keep the work directory and print it
#
# The image is made from files of the host's /usr/share, then /usr/lib (sorted, so the same host
# gives the same image) as an OCI layout with gzip layers (`gzip -6`). Rows:
#   sandbox import   the whole import: manifest and config stored, every layer
#                    archive hashed (digest, diff_id) while unpacked (owners kept,
#                    in a user namespace)
#   umoci unpack     `umoci unpack --rootless` of the same layout (if installed)
#   tar -xzf         GNU tar of the same layers, one after the other
# Every run writes to a fresh directory and nothing is deleted until all the
# timings are done: on ext4 without a journal, inodes freed minutes ago make
# new allocations 3-25x slower. As root the script runs itself as `sbxtest`
# (created by tests/setup-root.sh) in a directory that user owns.
# A benchmark, not a test: figures and the issue's targets are printed, never judged.
set -euo pipefail

runs=3 mb=200 keep=0
sandbox=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/sandbox
while [ "$#" -gt 0 ]; do
	case $1 in
	--runs) runs=$2; shift ;;
	--mb) mb=$2; shift ;;
	--sandbox) sandbox=$(realpath "$2"); shift ;;
	--keep) keep=1 ;;
	*) echo "usage: $0 [--runs N] [--mb N] [--sandbox PATH] [--keep]" >&2; exit 2 ;;
	esac
	shift
done
[ -x "$sandbox" ] || { echo "unpack.sh: no binary at $sandbox (run make)" >&2; exit 2; }

if [ "$(id -u)" -eq 0 ] && [ -z "${SBX_BENCH_AS_USER:-}" ]; then
	id sbxtest >/dev/null 2>&1 || { echo "unpack.sh: as root it needs the user sbxtest (tests/setup-root.sh)" >&2; exit 2; }
	work=$(mktemp -d /tmp/sbx-bench-unpack.XXXXXX)
	cp "$sandbox" "$work/sandbox"
	cp "${BASH_SOURCE[0]}" "$work/unpack.sh"
	chown -R sbxtest: "$work"
	chmod 755 "$work"
	args=(--runs "$runs" --mb "$mb" --sandbox "$work/sandbox")
	[ "$keep" = 1 ] && args+=(--keep)
	runuser -u sbxtest -- env SBX_BENCH_AS_USER=1 SBX_BENCH_WORK="$work" PATH="$PATH" HOME="$work" \
		bash "$work/unpack.sh" "${args[@]}"
	rc=$?
	[ "$keep" = 1 ] || unshare --user --map-root-user --map-auto rm -rf "$work" 2>/dev/null || rm -rf "$work"
	exit "$rc"
fi

work=${SBX_BENCH_WORK:-$(mktemp -d /tmp/sbx-bench-unpack.XXXXXX)}
img=$work/image
echo "# making a ${mb} MB image (3 gzip layers) from /usr in $img"
python3 - "$img" "$mb" <<'PY'
import hashlib, json, os, subprocess, sys, tarfile
img, mb = sys.argv[1], int(sys.argv[2])
os.makedirs(os.path.join(img, "blobs", "sha256"), exist_ok=True)
budget = mb * 1000 * 1000 // 3
files = []
for top in ("/usr/share", "/usr/lib"):
    for d, dirs, fs in os.walk(top):
        dirs.sort()
        for f in sorted(fs):
            p = os.path.join(d, f)
            if os.path.islink(p) or not os.path.isfile(p) or not os.access(p, os.R_OK):
                continue
            files.append(p)
layers, cur, size, i = [], [], 0, 0
for p in files:
    s = os.path.getsize(p)
    cur.append(p)
    size += s
    if size >= budget:
        layers.append(cur)
        cur, size = [], 0
        if len(layers) == 3:
            break
def put(b):
    d = hashlib.sha256(b).hexdigest()
    open(os.path.join(img, "blobs", "sha256", d), "wb").write(b)
    return "sha256:" + d
descs, diffs = [], []
for n, fl in enumerate(layers):
    tp = os.path.join(img, "layer%d.tar" % n)
    with tarfile.open(tp, "w", format=tarfile.PAX_FORMAT) as tf:
        for p in fl:
            tf.add(p, arcname=p.lstrip("/"), recursive=False)
    raw = open(tp, "rb").read()
    diffs.append("sha256:" + hashlib.sha256(raw).hexdigest())
    gz = subprocess.run(["gzip", "-6", "-n", "-c", tp], stdout=subprocess.PIPE, check=True).stdout
    open(os.path.join(img, "layer%d.tar.gz" % n), "wb").write(gz)
    os.unlink(tp)
    descs.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": put(gz), "size": len(gz)})
cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                  "rootfs": {"type": "layers", "diff_ids": diffs}}).encode()
m = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": put(cfg), "size": len(cfg)},
                "layers": descs}).encode()
md = put(m)
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
           "digest": md, "size": len(m), "annotations": {"org.opencontainers.image.ref.name": "bench"}}]},
          open(os.path.join(img, "index.json"), "w"))
open(os.path.join(img, "oci-layout"), "w").write('{"imageLayoutVersion": "1.0.0"}')
PY
raw=0
for l in "$img"/layer*.tar.gz; do raw=$((raw + $(gzip -l "$l" | awk 'NR==2 {print $2}'))); done
comp=$(cat "$img"/layer*.tar.gz | wc -c)
nfiles=$(for l in "$img"/layer*.tar.gz; do tar -tzf "$l"; done | wc -l)
echo "# image: $((raw / 1000000)) MB uncompressed, $((comp / 1000000)) MB gzip, $nfiles files"

now() { echo "${EPOCHREALTIME/./}"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }

sandbox_import() { SANDBOX_ROOT=$work/store-$1 "$sandbox" import "$img" bench; }
tar_xzf() {
	mkdir "$work/tar-$1"
	for l in "$img"/layer*.tar.gz; do tar -C "$work/tar-$1" -xzf "$l"; done
}
umoci_unpack() { umoci unpack --rootless --image "$img:bench" "$work/umoci-$1"; }

names=("sandbox import" "tar -xzf")
funcs=(sandbox_import tar_xzf)
if command -v umoci >/dev/null; then
	names+=("umoci unpack")
	funcs+=(umoci_unpack)
else
	echo "# umoci unpack: not installed (apt-get install umoci)"
fi
# The rows take turns run by run, so that a slow stretch of the disk (or of
# the machine) hits all of them alike.
declare -A times result
for ((i = 0; i < runs; i++)); do
	for k in "${!funcs[@]}"; do
		[ "${times[$k]:-}" = failed ] && continue
		sync
		t0=$(now)
		if ! "${funcs[$k]}" "$i" >/dev/null 2>"$work/err"; then
			echo "# ${names[$k]} failed: $(head -3 "$work/err")"
			times[$k]=failed
			continue
		fi
		t1=$(now)
		times[$k]="${times[$k]:-} $(((t1 - t0) / 1000))"
	done
done
for k in "${!funcs[@]}"; do
	[ "${times[$k]:-failed}" = failed ] && continue
	# shellcheck disable=SC2086 # the list of times is split on purpose
	result[${names[$k]}]=$(printf '%s\n' ${times[$k]} | median)
	printf '%-18s %6d ms  (%s)  %5.0f MB/s\n' "${names[$k]}" "${result[${names[$k]}]}" "${times[$k]# }" \
		"$(echo "$raw ${result[${names[$k]}]}" | awk '{print $1 / 1000 / $2}')"
done
s=${result[sandbox import]:-0} t=${result[tar -xzf]:-0} u=${result[umoci unpack]:-0}
if [ "$s" -gt 0 ] && [ "$t" -gt 0 ]; then
	echo "# sandbox import / tar -xzf: $(echo "$s $t" | awk '{printf "%.2f", $1 / $2}')x (target <= 1.3x)"
fi
if [ "$s" -gt 0 ] && [ "$u" -gt 0 ]; then
	echo "# umoci unpack / sandbox import: $(echo "$u $s" | awk '{printf "%.2f", $1 / $2}')x (target >= 3x)"
fi
if [ "$keep" = 1 ]; then
	echo "# kept $work"
elif [ -z "${SBX_BENCH_WORK:-}" ]; then
	unshare --user --map-root-user --map-auto rm -rf "$work" 2>/dev/null || rm -rf "$work"
fi
