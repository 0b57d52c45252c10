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
# shellcheck source=bench/lib-image.sh disable=SC1091 # followed with shellcheck -x
. "$(dirname "${BASH_SOURCE[0]}")/lib-image.sh"
bench_options unpack.sh "$@"
bench_as_sbxtest unpack.sh "${BASH_SOURCE[0]}"

raw=0 # set by bench_make_image
work=${SBX_BENCH_WORK:-$(mktemp -d /tmp/sbx-bench-unpack.XXXXXX)}
img=$work/image
bench_make_image "$img" "$mb"

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
