#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 14-images.sh - the image store: import (docker-archive, OCI layout, rootfs tarballs), images,
# rmi, inspect, prune, layer semantics under overlayfs, 128 layers, hostile and broken inputs
# shellcheck disable=SC2016 # commands for inside the sandbox are single-quoted on purpose
set -u
# shellcheck source=tests/lib/sbx.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sbx.sh"

# The archives are made once per file run (rootfs-tools/mk-test-images.sh) from
# the busybox rootfs; the hostile ones aim at $SBX_TEST_IMAGES/victim.
if [ -z "${SBX_TEST_IMAGES:-}" ] && [ "${1:-}" != "--t-run-one" ]; then
	SBX_TEST_IMAGES=$(mktemp -d /tmp/sandbox-test-images.XXXXXX)
	trap 'rm -rf "$SBX_TEST_IMAGES"' EXIT
	if ! command -v python3 >/dev/null; then
		SBX_TEST_IMAGES_SKIP="python3 is not installed (rootfs-tools/mk-test-images.sh needs it)"
	elif ! bash "$SBX_SRC_DIR/rootfs-tools/mk-test-images.sh" "$ROOTFS" "$SBX_TEST_IMAGES" >/dev/null; then
		echo "Bail out! cannot make the test images"
		exit 1
	fi
	export SBX_TEST_IMAGES SBX_TEST_IMAGES_SKIP
fi
IMG=${SBX_TEST_IMAGES:-}

need_images() {
	[ -z "${SBX_TEST_IMAGES_SKIP:-}" ] || t_skip "$SBX_TEST_IMAGES_SKIP"
}

# import ARGS...: `sandbox import`, which must succeed
import() {
	assert_status 0 sbx import "$@"
}

n_layers() {
	find "$SANDBOX_ROOT/layers" -mindepth 1 -maxdepth 1 | wc -l
}

n_blobs() {
	find "$SANDBOX_ROOT/blobs/sha256" -mindepth 1 -maxdepth 1 | wc -l
}

# what a reader of the store can see (tmp/ is the writers' scratch space)
store_listing() {
	(cd "$SANDBOX_ROOT" && find . -path ./tmp -prune -o -print | sort && cat images.json 2>/dev/null)
}

test_import_rootfs_tarball() {
	need_images
	import "$IMG/rootfs.tar.gz" busy
	assert_file_has_content "$T_OUT" '^Loaded image: localhost/busy:latest$'
	assert_status 0 sbx images
	assert_file_has_content "$T_OUT" '^localhost/busy +latest +[0-9a-f]{12} '
	assert_status 0 sbx_run busy cat /data/a
	assert_eq "hardlinked" "$(cat "$T_OUT")" "file of the imported rootfs"
	assert_eq 1 "$(n_layers)" "unpacked layers"
	assert_eq 0 "$(find "$SANDBOX_ROOT/tmp" -mindepth 1 | wc -l)" "entries left in tmp/"
	# SIZE is the unpacked size (the uncompressed tar and the config), as docker shows it
	local tar size
	tar=$(stat -c %s "$IMG/rootfs.tar")
	assert_status 0 sbx images --format json
	size=$(grep -o '"Size": [0-9]*' "$T_OUT" | grep -o '[0-9]*$')
	if ! { [ "$size" -ge "$tar" ] && [ "$size" -lt $((tar + 4096)) ]; }; then
		t_fail "images: Size $size for an uncompressed tar of $tar bytes"
	fi
	assert_status 0 sbx rmi busy
	assert_eq "" "$(ls -A "$SANDBOX_ROOT/layer-sizes")" "layer sizes left after rmi"
	assert_nothing_left
}

# gzip, zstd and plain tar of one rootfs: one diff_id, one unpacked layer.
test_compressions_share_a_layer() {
	need_images
	import "$IMG/rootfs.tar" plain
	import "$IMG/rootfs.tar.gz" gz
	[ -f "$IMG/rootfs.tar.zst" ] && import "$IMG/rootfs.tar.zst" zst
	assert_eq 1 "$(n_layers)" "unpacked layers"
	assert_status 0 sbx_run plain true
	[ -f "$IMG/rootfs.tar.zst" ] || t_skip "the zstd tool is not installed: zstd layers untested"
	assert_status 0 sbx_run zst cat /data/a
	assert_eq "hardlinked" "$(cat "$T_OUT")" "file of the zstd layer"
}

test_docker_archive_config() {
	need_images
	require_subuid
	import "$IMG/docker.tar"
	assert_file_has_content "$T_OUT" '^Loaded image: localhost/testimg:v1$'
	# Entrypoint + Cmd, Env, WorkingDir, User (`tester`, resolved in the image)
	assert_status 0 sbx_run testimg:v1
	assert_eq "default:bar:/data:1000" "$(cat "$T_OUT")" "image config defaults"
	# the command line wins: -u, -w, -e, operands replace Cmd
	assert_status 0 sbx_run -u 0 -w / -e FOO=cli testimg:v1 'echo $FOO:$(pwd):$(id -u)'
	assert_eq "cli:/:0" "$(cat "$T_OUT")" "options over the image config"
	assert_status 0 sbx_run --entrypoint /bin/echo testimg:v1 hello
	assert_eq "hello" "$(cat "$T_OUT")" "--entrypoint drops Entrypoint and Cmd"
	assert_nothing_left
}

# Whiteouts, opaque directories, hardlinks, setuid bits, owners, long names.
test_layer_semantics() {
	need_images
	require_subuid
	import "$IMG/docker.tar"
	assert_status 0 sbx_run -u 0 testimg:v1 '
		ls -A /data/dir | tr "\n" " "; echo
		test -e /data/gone && echo gone-exists || echo gone-whited-out
		[ /data/a -ef /data/b ] && echo hardlinked
		stat -c "%A %u:%g" /bin/suid /home/tester/owned
		readlink /data/abslink
		cat /data/l*; printf %s /data/l* | wc -c
		cat /data/g*
		rm -rf /data/dir && echo removed-lower-dir
		cat /etc/layer3'
	assert_eq "z " "$(sed -n 1p "$T_OUT")" "opaque directory shows only the upper layer's entry"
	assert_eq "gone-whited-out" "$(sed -n 2p "$T_OUT")" "whiteout"
	assert_eq "hardlinked" "$(sed -n 3p "$T_OUT")" "hardlink within the layer"
	assert_eq "-rwsr-xr-x 0:0" "$(sed -n 4p "$T_OUT")" "setuid bit kept"
	assert_eq "-rw-r--r-- 1000:1000" "$(sed -n 5p "$T_OUT")" "uid 1000 kept"
	assert_eq "/etc/passwd" "$(sed -n 6p "$T_OUT")" "absolute symlink stored as it is"
	assert_eq "long pax name" "$(sed -n 7p "$T_OUT")" "pax long name"
	assert_eq 206 "$(sed -n 8p "$T_OUT" | tr -d ' ')" "length of the pax long name"
	assert_eq "long gnu name" "$(sed -n 9p "$T_OUT")" "GNU long name"
	assert_eq "removed-lower-dir" "$(sed -n 10p "$T_OUT")" "a directory of a lower layer can be removed"
	assert_eq "layer3" "$(sed -n 11p "$T_OUT")" "topmost layer"
	if command -v python3 >/dev/null; then
		local f
		f=$(find "$SANDBOX_ROOT/layers" -name xattr -path '*/data/*' | head -1)
		assert_eq "hello" "$(python3 -c 'import os,sys; print(os.getxattr(sys.argv[1], "user.test").decode())' "$f")" \
			"pax xattr"
	fi
	assert_nothing_left
}

# --read-only on a layered image: the mount points it lacks are looked up in
# its merged layers and made outside them (-v, --tmpfs, /etc/hostname).
test_read_only_layered() {
	need_images
	import "$IMG/docker.tar"
	mkdir "$T_TMP/vol"
	echo from-host >"$T_TMP/vol/h"
	assert_status 0 sbx_run --read-only --hostname layered -v "$T_TMP/vol:/data/new" --tmpfs /srv/cache \
		testimg:v1 'cat /data/new/h /etc/hostname /etc/layer3; ls -A /data/dir; test -d /srv/cache && echo cache'
	assert_eq "from-host
layered
layer3
z
cache" "$(cat "$T_OUT")" "mount points and the image's layers"
	assert_nothing_left
}

test_oci_layout() {
	need_images
	import "$IMG/oci"
	assert_file_has_content "$T_OUT" '^Loaded image: localhost/oci:v1$'
	import "$IMG/oci.tar" ocitar:1
	assert_file_has_content "$T_OUT" '^Loaded image: localhost/ocitar:1$'
	assert_eq 3 "$(n_layers)" "unpacked layers (one copy)"
	assert_status 0 sbx_run -u 0 oci:v1 'cat /etc/layer3'
	assert_eq "layer3" "$(cat "$T_OUT")" "layer 3 (zstd when the tool exists)"
	assert_status 0 sbx images --format json
	assert_eq 2 "$(grep -c '"Id": ' "$T_OUT")" "images in the JSON list"
}

test_128_layers() {
	need_images
	import "$IMG/many.tar" many
	assert_eq 128 "$(n_layers)" "unpacked layers"
	assert_status 0 sbx_run many sh -c 'ls /layers | wc -l; cat /layers/001 /layers/127'
	assert_eq "127 1 127" "$(tr '\n' ' ' <"$T_OUT" | sed 's/ $//')" "files of 127 layers over the base"
	assert_nothing_left
}

test_inspect() {
	need_images
	import "$IMG/oci"
	assert_status 0 sbx inspect oci:v1
	assert_file_has_content "$T_OUT" '"Digest": "sha256:[0-9a-f]{64}"'
	assert_file_has_content "$T_OUT" '"org.example.test": "yes"'
	assert_file_has_content "$T_OUT" '"Entrypoint": \['
	assert_eq 3 "$(grep -c '"DiffID": "sha256:' "$T_OUT")" "layers with their diff_id"
	assert_eq 4 "$(grep -c '"Size": [0-9]' "$T_OUT")" "sizes: the image's and each layer's"
	assert_status 125 sbx inspect nosuchimage
	assert_error_line 'nosuchimage.*not in the local store'
}

test_rmi_keeps_shared_layers() {
	need_images
	import "$IMG/docker.tar"
	import "$IMG/oci"
	assert_eq 3 "$(n_layers)" "docker-archive and OCI layout share their diff_ids"
	assert_status 0 sbx rmi testimg:v1
	assert_file_has_content "$T_OUT" '^Untagged: localhost/testimg:v1$'
	assert_eq 3 "$(n_layers)" "layers still used by oci:v1"
	assert_status 0 sbx_run -u 0 oci:v1 true
	assert_status 0 sbx rmi oci:v1
	assert_eq 0 "$(n_layers)" "layers after the last image went"
	assert_eq 0 "$(n_blobs)" "blobs after the last image went"
	assert_status 125 sbx rmi oci:v1
	assert_error_line 'not in the local store'
}

# An image a kept sandbox was made from needs rmi -f.
test_rmi_in_use() {
	need_images
	import "$IMG/rootfs.tar.gz" busy
	assert_status 0 sbx_run_keep --name keeper busy true
	assert_status 125 sbx rmi busy
	assert_error_line 'image `localhost/busy:latest`: used by sandbox [0-9a-f]{12}'
	assert_status 0 sbx rm keeper
	assert_status 0 sbx_run_keep --name keeper2 busy true
	assert_status 0 sbx rmi -f busy
	assert_file_has_content "$T_OUT" '^Untagged: localhost/busy:latest$'
	# untagged, but what keeper2 was made from stays while it exists, and it starts
	assert_eq 1 "$(n_layers)" "layers after rmi -f"
	assert_status 0 sbx start -a keeper2
	assert_status 0 sbx rm keeper2
	assert_status 0 sbx prune
	assert_eq 0 "$(n_layers)" "layers after the sandbox went"
}

# A sandbox keeps the image it was made from (NAME@DIGEST), as podman pins the image id:
# a tag that moves on does not change what it starts, and prune keeps it.
test_image_pinned() {
	need_images
	import "$IMG/rootfs.tar.gz" moving
	assert_status 0 sbx create --name pin --network none -u 0 moving sh -c 'cat /etc/layer3 2>/dev/null || echo old'
	assert_status 0 sbx inspect pin
	assert_file_has_content "$T_OUT" '"image_digest": "sha256:[0-9a-f]{64}"'
	import "$IMG/docker.tar" moving
	assert_status 0 sbx run --rm --network none -u 0 --entrypoint /bin/cat moving /etc/layer3
	assert_eq layer3 "$(cat "$T_OUT")" "the tag's new image"
	# removing the tag's image collects what no image and no sandbox uses
	assert_status 0 sbx rmi moving
	assert_eq 1 "$(n_layers)" "layers kept for the sandbox"
	assert_status 0 sbx start -a pin
	assert_eq old "$(cat "$T_OUT")" "what the sandbox was made from"
	assert_status 0 sbx rm pin
	assert_status 0 sbx prune
	assert_eq 0 "$(n_layers)" "layers after the sandbox went"
}


# A running sandbox's image is never removed: its layers are that sandbox's root.
test_rmi_running() {
	need_images
	import "$IMG/rootfs.tar.gz" live
	assert_status 0 sbx run -d --rm --name runner --network none live sleep 60
	t_defer "$SANDBOX" kill runner
	# ps shows a reference whole (a path is cut from the left)
	assert_status 0 sbx ps
	assert_file_has_content "$T_OUT" ' localhost/live:latest '
	assert_status 125 sbx rmi live
	assert_error_line 'image `localhost/live:latest`: in use by running sandbox [0-9a-f]{12}'
	assert_status 125 sbx rmi -f live
	assert_error_line 'in use by running sandbox'
	assert_eq 1 "$(n_layers)" "layers while it runs"
	assert_status 0 sbx exec runner cat /etc/passwd
	assert_status 0 sbx stop -t 1 runner
	assert_status 0 sbx rmi live
	assert_eq 0 "$(n_layers)" "layers after it stopped"
}

test_prune_unused() {
	need_images
	import "$IMG/rootfs.tar.gz" busy
	echo junk >"$SANDBOX_ROOT/blobs/sha256/$(printf '%064d' 0)"
	assert_status 0 sbx prune
	assert_file_has_content "$T_OUT" 'Deleted: 0 layers, 1 blobs'
	assert_status 0 sbx_run busy true
}

test_not_in_store() {
	assert_status 125 sbx run --rm --network none localhost/alpine true
	assert_error_line 'image `localhost/alpine`: not in the local store'
	# a registry name is pulled on demand; nothing listens on port 1
	assert_status 125 sbx run --rm --network none 127.0.0.1:1/alpine true
	assert_error_line 'pull `127.0.0.1:1/alpine`'
	assert_status 125 sbx run --rm --network none 'Bad:Ref' true
	assert_error_line 'invalid'
	assert_nothing_left
}

# Digest or diff_id mismatch, bad JSON, schema 1, truncated stream: 125, one
# line, the store exactly as before.
test_bad_inputs_leave_store_unchanged() {
	need_images
	import "$IMG/rootfs.tar" base
	store_listing >"$T_TMP/before"
	local b want
	for b in digest-mismatch diffid-mismatch badjson schema1 truncated.tar.gz; do
		case $b in
		digest-mismatch) want='digest mismatch' ;;
		diffid-mismatch) want='diff_id mismatch' ;;
		badjson) want='bad JSON' ;;
		schema1) want='schema version 1' ;;
		*) want='truncated' ;;
		esac
		assert_status 125 sbx import "$IMG/bad/$b" bad
		assert_error_line "$want"
		store_listing >"$T_TMP/after"
		diff "$T_TMP/before" "$T_TMP/after" >&2 || t_fail "$b changed the store"
	done
}

# Each hostile tarball either imports (its names cleaned into the layer) or
# fails with one line; nothing is written outside the store either way.
test_hostile_tars() {
	need_images
	local h
	for h in dotdot absolute symlink-through symlink-up hardlink-out whiteout-dotdot; do
		run_cmd sbx import "$IMG/hostile/$h.tar" "h-$h"
		case $T_STATUS in
		0) ;;
		125) assert_error_line "" ;;
		*) t_fail "$h: exit status $T_STATUS" ;;
		esac
		assert_eq "secret" "$(find "$IMG/victim" -mindepth 1 -printf '%f ' | sed 's/ $//')" "$h: victim directory"
		assert_eq 1 "$(stat -c %h "$IMG/victim/secret")" "$h: link count of the victim's file"
		assert_eq "" "$(find "$T_TMP" "$IMG" -path "$SANDBOX_ROOT" -prune -o \
			\( -name dotdot -o -name absolute -o -name through -o -name up -o -name hl \) -print)" \
			"$h: files outside the store"
		assert_eq 0 "$(find "$SANDBOX_ROOT/tmp" -mindepth 1 | wc -l)" "$h: entries left in tmp/"
	done
	assert_status 125 sbx import "$IMG/hostile/whiteout-dotdot.tar" x
	assert_error_line 'whiteout .*not a file name'
}

# A FIFO or a device given to import, or a member of a layout or archive that is
# one, is refused at once: reading it would block forever with the store's lock
# held. The store is left as it was, and unlocked.
test_special_file_inputs() {
	need_images
	import "$IMG/rootfs.tar" base
	store_listing >"$T_TMP/before"
	mkfifo "$T_TMP/fifo"
	# an OCI layout whose last layer (not in the store yet) is a FIFO, as a directory and as a tar
	cp -a "$IMG/oci" "$T_TMP/oci"
	local blob f want
	blob=$(python3 -c 'import json, sys
d = sys.argv[1]
m = json.load(open(d + "/index.json"))["manifests"][0]["digest"][7:]
print(json.load(open(d + "/blobs/sha256/" + m))["layers"][-1]["digest"][7:])' "$T_TMP/oci")
	rm "$T_TMP/oci/blobs/sha256/$blob"
	mkfifo "$T_TMP/oci/blobs/sha256/$blob"
	tar -C "$T_TMP/oci" -cf "$T_TMP/oci-fifo.tar" .
	# and one whose index.json is a FIFO
	cp -a "$IMG/oci" "$T_TMP/oci-index"
	rm "$T_TMP/oci-index/index.json"
	mkfifo "$T_TMP/oci-index/index.json"
	for f in "$T_TMP/fifo" /dev/null "$T_TMP/oci" "$T_TMP/oci-fifo.tar" "$T_TMP/oci-index"; do
		case $f in
		/dev/null) want="import \`$f\`: not a regular file \(a device\)" ;;
		*/fifo) want="import \`$f\`: not a regular file \(a FIFO\)" ;;
		*/oci-index) want="archive member \`index.json\`: not a regular file \(a FIFO\)" ;;
		*) want="archive member \`blobs/sha256/$blob\`: not a regular file \(a FIFO\)" ;;
		esac
		assert_status 125 timeout 10 "$SANDBOX" import "$f" special
		assert_error_line "$want"
		store_listing >"$T_TMP/after"
		diff "$T_TMP/before" "$T_TMP/after" >&2 || t_fail "$f changed the store"
		assert_eq 0 "$(find "$SANDBOX_ROOT/tmp" -mindepth 1 | wc -l)" "$f: entries left in tmp/"
	done
	# the lock is free: the next import does not wait
	assert_status 0 timeout 10 "$SANDBOX" import "$IMG/oci" fine
}

test_concurrent_imports() {
	need_images
	sbx import "$IMG/docker.tar" >"$T_TMP/a.out" 2>"$T_TMP/a.err" &
	local a=$!
	sbx import "$IMG/docker.tar" >"$T_TMP/b.out" 2>"$T_TMP/b.err" &
	local b=$!
	wait "$a" || t_fail "first import: $(cat "$T_TMP/a.err")"
	wait "$b" || t_fail "second import: $(cat "$T_TMP/b.err")"
	assert_eq 3 "$(n_layers)" "one copy of each layer"
	assert_eq 2 "$(n_blobs)" "one copy of each blob (config, manifest; layer archives are not kept)"
	assert_status 0 sbx images
	assert_eq 1 "$(grep -c testimg "$T_OUT")" "image names"
}

# A killed import (at a few points in its run): the image is either whole
# (listed and runnable) or not there at all, every blob is whole (it hashes
# to its name), and the next import works.
test_killed_import() {
	need_images
	local delay f pid
	for delay in 0.02 0.05 0.1 0.15; do
		"$SANDBOX" import "$IMG/many.tar" "many$delay" >/dev/null 2>&1 &
		pid=$!
		sleep "$delay"
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	sleep 0.2
	assert_status 0 sbx images
	for delay in 0.02 0.05 0.1 0.15; do
		if grep -q "many$delay" "$T_OUT"; then
			run_cmd sbx_run "many$delay" cat /layers/127
			assert_eq "127" "$(cat "$T_OUT")" "image many$delay, listed after the kill, is whole"
			assert_status 0 sbx images
		fi
	done
	for f in "$SANDBOX_ROOT"/blobs/sha256/*; do
		[ -e "$f" ] || continue
		assert_eq "$(basename "$f")" "$(sha256sum <"$f" | cut -d' ' -f1)" "blob $f is whole"
	done
	import "$IMG/many.tar" many
	assert_eq 128 "$(n_layers)" "layers after a clean import"
	assert_eq 0 "$(find "$SANDBOX_ROOT/tmp" -mindepth 1 | wc -l)" "entries left in tmp/"
}

test_usage_errors() {
	assert_status 125 sbx import
	assert_error_line 'missing FILE'
	assert_status 125 sbx import "$T_TMP/nonexistent.tar"
	assert_error_line 'nonexistent.tar'
	assert_status 125 sbx images --format yaml
	assert_error_line 'yaml'
	assert_status 125 sbx rmi
	assert_error_line 'missing IMAGE'
}

t "import a rootfs tarball and run it" test_import_rootfs_tarball
t "gzip, zstd and plain layers share one unpacked layer" test_compressions_share_a_layer
t "docker-archive: Entrypoint, Cmd, Env, WorkingDir, User; options win" test_docker_archive_config
t "whiteouts, opaque dirs, hardlinks, setuid, owners, long names, xattrs" test_layer_semantics
t "--read-only layered image: missing mount points" test_read_only_layered
t "OCI layout directory and tar" test_oci_layout
t "an image with 128 layers runs" test_128_layers
t "inspect: digest, layers, labels" test_inspect
t "rmi removes only what no other image uses" test_rmi_keeps_shared_layers
t "rmi refuses an image a sandbox uses, unless -f" test_rmi_in_use
t "rmi never removes the image of a running sandbox, even -f" test_rmi_running
t "a sandbox keeps the image it was made from when the tag moves" test_image_pinned
t "prune removes unused blobs" test_prune_unused
t "an image that is not in the store: 125, one line" test_not_in_store
t "broken inputs: 125, one line, store unchanged" test_bad_inputs_leave_store_unchanged
t "hostile tars write nothing outside the store" test_hostile_tars
t "a FIFO or device as import input or archive member: refused at once" test_special_file_inputs
t "two concurrent imports store one copy" test_concurrent_imports
t "a killed import leaves nothing visible" test_killed_import
t "usage errors" test_usage_errors
t_main "$@"
