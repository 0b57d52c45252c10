#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 17-pull.sh - how `pull` downloads: layers in parallel, HTTP Range resume (a dropped
# connection, a killed pull, a corrupt or unrangeable leftover), progress bars on a
# terminal and quiet pipes, a token renewed mid-pull, concurrent pulls, foreign layers
# only when asked, HTTPS_PROXY/NO_PROXY (tests/helpers/connect-proxy.py), plain HTTP
# only with --tls-verify=false, and a resume against Debian's docker-registry
#
# The registry is tests/helpers/fake-registry.py (see its header for --blob-delay,
# --truncate-once, --stall-once, --no-range, --foreign) with the image of
# rootfs-tools/mk-test-images.sh (3 layers; the first, the busybox rootfs, is the large one).
# shellcheck disable=SC2016 # commands for inside the sandbox are single-quoted on purpose
set -u
# shellcheck source=tests/lib/sbx.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sbx.sh"
# shellcheck source=tests/lib/registry.sh
. "$SBX_TESTS_DIR/lib/registry.sh"

# big_layer LAYOUT: "DIGEST SIZE" of the largest layer of LAYOUT's image
big_layer() {
	python3 - "$1" <<'PY'
import json, os, sys
d = sys.argv[1]
b = lambda dg: os.path.join(d, "blobs", "sha256", dg[7:])
top = json.load(open(os.path.join(d, "index.json")))["manifests"][0]["digest"]
m = json.load(open(b(top)))
l = max(m["layers"], key=lambda l: l["size"])
print(l["digest"], l["size"])
PY
}

# seed_download LAYOUT DIGEST BYTES [garbage]: put the first BYTES of the blob (or as many
# bytes of garbage) into the store's downloads/, as a killed pull leaves them
seed_download() {
	sbx_make_state_dirs
	mkdir -p "$SANDBOX_ROOT/downloads"
	if [ "${4:-}" = garbage ]; then
		head -c "$3" /dev/urandom >"$SANDBOX_ROOT/downloads/${2#sha256:}"
	else
		head -c "$3" "$1/blobs/sha256/${2#sha256:}" >"$SANDBOX_ROOT/downloads/${2#sha256:}"
	fi
}

downloads_left() {
	find "$SANDBOX_ROOT/downloads" -type f 2>/dev/null | wc -l
}

test_parallel_downloads() {
	start_registry --blob-delay 0.7
	trust_ca
	assert_status 0 sbx pull "$REG/busybox:v1"
	assert_eq 3 "$(grep -c '^Copying blob sha256:[0-9a-f]\{12\} done' "$T_ERR")" "one line per layer"
	local max
	max=$(grep -o 'in-flight [0-9]*' "$T_TMP/registry.log" | awk '{print $2}' | sort -n | tail -1)
	[ "${max:-0}" -ge 2 ] || t_fail "at most ${max:-0} blob downloads were in flight at once"
	assert_eq 0 "$(downloads_left)" "download files left"
}

test_dropped_connection_resumes() {
	require_subuid
	start_registry --truncate-once
	trust_ca
	assert_status 0 sbx pull "$REG/busybox:v1"
	# every blob was cut in half once, and continued from there
	assert_eq 3 "$(grep -c 'range bytes=[1-9][0-9]*- ' "$T_TMP/registry.log")" "Range requests"
	assert_status 0 sbx run --rm --network none --entrypoint /bin/cat "$REG/busybox:v1" /etc/layer3
	assert_file_has_content "$T_OUT" '^layer3$'
	assert_eq 0 "$(downloads_left)" "download files left"
	assert_nothing_left
}

test_killed_pull_resumes() {
	require_subuid
	start_registry --stall-once
	trust_ca
	local dg size half f i pid
	read -r dg size < <(big_layer "$D/img/oci")
	half=$((size / 2))
	f=$SANDBOX_ROOT/downloads/${dg#sha256:}
	"$SANDBOX" pull "$REG/busybox:v1" >"$T_TMP/pull.out" 2>"$T_TMP/pull.err" &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		[ "$(stat -c %s "$f" 2>/dev/null || echo 0)" -ge "$half" ] && break
		sleep 0.1
	done
	assert_eq "$half" "$(stat -c %s "$f")" "bytes in the download file when the pull is killed"
	kill -KILL "$pid"
	wait "$pid" || true
	# nothing of it is visible: no name, no layer of that blob, the store's tmp/ holds the rest
	assert_status 0 sbx images --format json
	assert_not_file_has_content "$T_OUT" 'busybox'
	assert_status 0 sbx pull "$REG/busybox:v1"
	assert_file_has_content "$T_ERR" "^Copying blob ${dg:0:19} done \\($size bytes, resumed\\)"
	grep -q "blob /_blob/$dg range bytes=$half- " "$T_TMP/registry.log" ||
		t_fail "no Range request from byte $half"
	assert_eq 0 "$(downloads_left)" "download files left"
	assert_eq 0 "$(find "$SANDBOX_ROOT/tmp" -mindepth 1 | wc -l)" "entries left in tmp/"
	assert_status 0 sbx run --rm --network none --entrypoint /bin/cat "$REG/busybox:v1" /etc/layer2
	assert_nothing_left
}

test_corrupt_leftover() {
	start_registry
	trust_ca
	local dg size
	read -r dg size < <(big_layer "$D/img/oci")
	seed_download "$D/img/oci" "$dg" $((size / 2)) garbage
	assert_status 0 sbx pull "$REG/busybox:v1"
	# continued from the garbage, found wrong, then downloaded whole
	grep -q "blob /_blob/$dg range bytes=$((size / 2))- " "$T_TMP/registry.log" || t_fail "no Range request"
	grep -q "blob /_blob/$dg range None " "$T_TMP/registry.log" || t_fail "no fresh download"
	assert_file_has_content "$T_ERR" "^Copying blob ${dg:0:19} done \\($size bytes\\)"
	assert_eq 0 "$(downloads_left)" "download files left"
}

test_server_without_ranges() {
	start_registry --no-range
	trust_ca
	local dg size
	read -r dg size < <(big_layer "$D/img/oci")
	seed_download "$D/img/oci" "$dg" $((size / 3))
	assert_status 0 sbx pull "$REG/busybox:v1"
	assert_file_has_content "$T_ERR" "^Copying blob ${dg:0:19} done \\($size bytes\\)"
	assert_eq 0 "$(downloads_left)" "download files left"
	# a leftover longer than the blob is not trusted either
	assert_status 0 sbx rmi "$REG/busybox:v1"
	seed_download "$D/img/oci" "$dg" $((size + 10)) garbage
	assert_status 0 sbx pull "$REG/busybox:v1"
	assert_eq 0 "$(downloads_left)" "download files left"
}

test_progress_on_a_terminal() {
	command -v script >/dev/null || t_skip "script(1) is not installed (Debian: bsdutils)"
	start_registry --blob-delay 0.5
	trust_ca
	script -qfec "'$SANDBOX' pull '$REG/busybox:v1'" "$T_TMP/typescript" >/dev/null </dev/null
	# bars redrawn in place (cursor up, erase), then one line per layer
	grep -q $'\e\\[[0-9]*A\e\\[J' "$T_TMP/typescript" || t_fail "no bars redrawn in place"
	grep -q 'Copying blob sha256:[0-9a-f]\{12\} \[[#.]\{20\}\]' "$T_TMP/typescript" || t_fail "no progress bar"
	assert_eq 3 "$(grep -c 'Copying blob sha256:[0-9a-f]\{12\} done' "$T_TMP/typescript")" "lines per layer"
	# and never in a pipe
	assert_status 0 sbx rmi "$REG/busybox:v1"
	assert_status 0 sbx pull "$REG/busybox:v1"
	assert_not_file_has_content "$T_ERR" $'\e'
	assert_not_file_has_content "$T_ERR" '\[[#.]{20}\]'
	assert_status 0 sbx rmi "$REG/busybox:v1"
	assert_status 0 sbx pull -q "$REG/busybox:v1"
	assert_file_empty "$T_ERR"
	assert_file_has_content "$T_OUT" '^sha256:[0-9a-f]{64}$'
}

test_token_expires_mid_pull() {
	start_registry --auth bearer --token-uses 3
	trust_ca
	assert_status 0 sbx pull "$REG/busybox:v1"
	[ "$(grep -c 'GET /token?' "$T_TMP/registry.log")" -ge 2 ] || t_fail "the token was not renewed"
	assert_eq 3 "$(grep -c '^Copying blob sha256:[0-9a-f]\{12\} done' "$T_ERR")" "one line per layer"
}

test_untrusted_manifests() {
	start_registry --auth bearer --http-realm
	trust_ca
	assert_status 125 sbx pull "$REG/busybox:v1"
	assert_error_line 'token service .http://127.0.0.1.* is not HTTPS'
	start_registry
	trust_ca
	# no size: nothing would bound what the registry sends
	assert_status 125 sbx pull "$REG/busybox:nosize"
	assert_error_line 'the manifest gives no size'
	assert_eq 0 "$(find "$SANDBOX_ROOT/layers" -mindepth 1 2>/dev/null | wc -l)" "layers stored"
}

test_concurrent_pulls() {
	start_registry --blob-delay 0.3
	trust_ca
	"$SANDBOX" pull "$REG/busybox:v1" >"$T_TMP/a.out" 2>"$T_TMP/a.err" &
	local a=$!
	"$SANDBOX" pull "$REG/busybox:v1" >"$T_TMP/b.out" 2>"$T_TMP/b.err" &
	local b=$!
	wait "$a" || t_fail "the first pull failed: $(cat "$T_TMP/a.err")"
	wait "$b" || t_fail "the second pull failed: $(cat "$T_TMP/b.err")"
	assert_eq "$(cat "$T_TMP/a.out")" "$(cat "$T_TMP/b.out")" "manifest digests"
	assert_eq 3 "$(find "$SANDBOX_ROOT/layers" -mindepth 1 -maxdepth 1 | wc -l)" "layers stored"
	assert_status 0 sbx images --format json
	assert_eq 1 "$(grep -o '"Digest": *"sha256:' "$T_OUT" | wc -l)" "images in the store"
	assert_eq 0 "$(downloads_left)" "download files left"
}

test_foreign_layers() {
	start_registry --foreign
	trust_ca
	assert_status 125 sbx pull "$REG/busybox:foreign"
	assert_error_line 'non-distributable.*--allow-foreign-layers'
	assert_eq 0 "$(find "$SANDBOX_ROOT/layers" -mindepth 1 2>/dev/null | wc -l)" "layers stored by a refused pull"
	assert_status 0 sbx pull --allow-foreign-layers "$REG/busybox:foreign"
	grep -q 'blob /_foreign/sha256:' "$T_TMP/registry.log" || t_fail "not fetched from the layer's URL"
	assert_eq 0 "$(downloads_left)" "download files left"
}

test_https_proxy() {
	start_registry
	trust_ca
	python3 "$SBX_SRC_DIR/tests/helpers/connect-proxy.py" --port-file "$T_TMP/pport" 2>"$T_TMP/proxy.log" &
	t_defer kill "$!"
	wait_for_file "$T_TMP/pport" "^[0-9]+$" 10 || t_fail "the proxy did not start"
	local proxy
	proxy=http://127.0.0.1:$(cat "$T_TMP/pport")
	assert_status 0 env HTTPS_PROXY="$proxy" "$SANDBOX" pull "$REG/busybox:v1"
	grep -q "CONNECT 127.0.0.1:$PORT" "$T_TMP/proxy.log" || t_fail "the registry was not reached through the proxy"
	grep -q "CONNECT localhost:$PORT" "$T_TMP/proxy.log" || t_fail "the redirected blobs were not fetched through it"
	# NO_PROXY wins (lower-case names too)
	assert_status 0 sbx rmi "$REG/busybox:v1"
	: >"$T_TMP/proxy.log"
	assert_status 0 env https_proxy="$proxy" no_proxy=127.0.0.1,localhost "$SANDBOX" pull "$REG/busybox:v1"
	assert_file_empty "$T_TMP/proxy.log"
	# a proxy that is not there: one line, 125
	assert_status 125 env HTTPS_PROXY=http://127.0.0.1:1 "$SANDBOX" pull "$REG/busybox:v2"
	assert_exactly_one_stderr_line
}

test_pull_policy() {
	require_subuid
	start_registry
	trust_ca
	local img=$REG/busybox:v1 n
	assert_status 125 sbx run --rm --network none --pull=never "$img" true
	assert_error_line 'not in the local store'
	assert_file_has_content "$T_ERR" '^hint: .*--pull=never'
	assert_status 125 sbx run --rm --pull=sometimes "$img" true
	assert_error_line 'invalid --pull'
	assert_status 0 sbx run --rm --network none --entrypoint /bin/true "$img"
	n=$(grep -c 'GET /v2/busybox/manifests/v1' "$T_TMP/registry.log")
	assert_status 0 sbx run --rm --network none --pull=never --entrypoint /bin/true "$img"
	assert_status 0 sbx run --rm --network none --entrypoint /bin/true "$img"
	assert_eq "$n" "$(grep -c 'GET /v2/busybox/manifests/v1' "$T_TMP/registry.log")" "manifest fetches (missing, never)"
	assert_status 0 sbx run --rm --network none --pull=always --entrypoint /bin/true "$img"
	assert_eq $((n + 1)) "$(grep -c 'GET /v2/busybox/manifests/v1' "$T_TMP/registry.log")" "manifest fetches (always)"
	assert_nothing_left
}

test_platform_errors() {
	assert_status 125 sbx pull --platform linux 127.0.0.1:1/x
	assert_error_line 'platform.*OS/ARCH'
	start_registry --multiarch
	trust_ca
	assert_status 125 sbx pull --platform linux/riscv64 "$REG/busybox:multi"
	assert_error_line 'no image for linux/riscv64 .*linux/amd64'
	assert_status 0 sbx pull --platform linux/amd64 "$REG/busybox:multi"
}

test_plain_http_fallback() {
	require_subuid
	SBX_DR_PLAIN=1 start_docker_registry
	assert_status 0 skopeo copy -q --dest-tls-verify=false "oci:$D/debian" "docker://$REG/debian:bookworm"
	assert_status 125 sbx pull "$REG/debian:bookworm"
	assert_exactly_one_stderr_line
	assert_status 0 sbx pull --tls-verify=false "$REG/debian:bookworm"
	assert_status 0 sbx run --rm --network none "$REG/debian:bookworm" cat /etc/os-release
	assert_file_has_content "$T_OUT" '^VERSION_CODENAME=bookworm$'
	assert_nothing_left
}

test_docker_registry_resume() {
	start_docker_registry
	trust_ca
	assert_status 0 skopeo copy -q --dest-cert-dir "$T_TMP/dr/certs" "oci:$D/img/oci" "docker://$REG/busybox:v1"
	local dg size
	read -r dg size < <(big_layer "$D/img/oci")
	seed_download "$D/img/oci" "$dg" $((size / 2))
	assert_status 0 sbx pull "$REG/busybox:v1"
	assert_file_has_content "$T_ERR" "^Copying blob ${dg:0:19} done \\($size bytes, resumed\\)"
	assert_eq 0 "$(downloads_left)" "download files left"
	# prune removes what a killed pull left
	seed_download "$D/img/oci" "$dg" 100
	assert_status 0 sbx prune
	assert_eq 0 "$(downloads_left)" "download files left after prune"
}

t "layers download in parallel" test_parallel_downloads
t "a dropped connection is continued with a Range request" test_dropped_connection_resumes
t "a pull killed mid-blob shows nothing; the next one resumes it" test_killed_pull_resumes
t "a corrupt leftover download is found out and downloaded again" test_corrupt_leftover
t "a server that ignores Range; a leftover longer than the blob" test_server_without_ranges
t "progress bars on a terminal, one line per layer in a pipe, none with -q" test_progress_on_a_terminal
t "a token that expires mid-pull is renewed" test_token_expires_mid_pull
t "an http:// token realm and layers without a size are refused" test_untrusted_manifests
t "two pulls of one image at once: both succeed, one copy" test_concurrent_pulls
t "foreign layers only with --allow-foreign-layers" test_foreign_layers
t "HTTPS_PROXY and NO_PROXY are honoured" test_https_proxy
t "run --pull=missing|always|never" test_pull_policy
t "--platform errors" test_platform_errors
t "plain HTTP only with --tls-verify=false (docker-registry without TLS)" test_plain_http_fallback
t "Range resume against Debian's docker-registry; prune clears downloads" test_docker_registry_resume
t_main "$@"
