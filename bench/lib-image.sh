# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# lib-image.sh - what bench/unpack.sh and bench/pull.sh share: their options, running as
# sbxtest when started as root, the test image, and the median
#
# bench_options NAME ARGS...: parses --runs N, --mb N, --sandbox PATH and --keep into runs,
# mb, sandbox and keep (the caller sets their defaults); exits 2 on bad usage or no binary.
bench_options() {
	local name=$1
	shift
	while [ "$#" -gt 0 ]; do
		case $1 in
		--runs) runs=$2; shift ;;
		--mb) mb=$2; shift ;;
		--sandbox) sandbox=$(realpath "$2"); shift ;;
		--keep) keep=1 ;;
		*) echo "usage: $name [--runs N] [--mb N] [--sandbox PATH] [--keep]" >&2; exit 2 ;;
		esac
		shift
	done
	[ -x "$sandbox" ] || { echo "$name: no binary at $sandbox (run make)" >&2; exit 2; }
}

# bench_as_sbxtest NAME SCRIPT: as root, copies the binary, SCRIPT and this file into a new
# directory owned by sbxtest, runs SCRIPT there as that user (SBX_BENCH_WORK = that
# directory, also its HOME), removes the directory (unless --keep) and exits with its
# status. Does nothing when not root or already run so.
bench_as_sbxtest() {
	local name=$1 script=$2 work rc=0 args
	[ "$(id -u)" -eq 0 ] && [ -z "${SBX_BENCH_AS_USER:-}" ] || return 0
	id sbxtest >/dev/null 2>&1 || { echo "$name: as root it needs the user sbxtest (tests/setup-root.sh)" >&2; exit 2; }
	work=$(mktemp -d "/tmp/sbx-bench-${name%.sh}.XXXXXX")
	cp "$sandbox" "$work/sandbox"
	cp "$script" "$work/$name"
	cp "${BASH_SOURCE[0]}" "$work/lib-image.sh"
	chown -R sbxtest: "$work"
	chmod 755 "$work"
	args=(--runs "$runs" --mb "$mb" --sandbox "$work/sandbox")
	[ "$keep" = 1 ] && args+=(--keep)
	runuser -u sbxtest -- env SBX_BENCH_AS_USER=1 SBX_BENCH_WORK="$work" PATH="$PATH" HOME="$work" \
		bash "$work/$name" "${args[@]}" || rc=$?
	[ "$keep" = 1 ] || unshare --user --map-root-user --map-auto rm -rf "$work" 2>/dev/null || rm -rf "$work"
	exit "$rc"
}

now() { echo "${EPOCHREALTIME/./}"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }

# bench_make_image DIR MB: an OCI layout in DIR (tag `bench`) of 3 gzip layers (`gzip -6 -n`)
# holding about MB MB of the host's /usr/share, then /usr/lib (files sorted, so the same host
# gives the same image); the layers are also left as DIR/layerN.tar.gz. Sets raw (uncompressed
# bytes), comp (gzip bytes) and nfiles, and prints what it made.
bench_make_image() {
	local img=$1 mb=$2 l
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
}
