#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 16-docker-registry.sh - the registry client against Debian's docker-registry with a real
# Docker-style token service: anonymous and credentialed Bearer tokens, a private
# repository, a wrong password, and a multi-platform OCI index pushed with `skopeo copy --all`
# (the host's platform by default, others with --platform, an unknown one refused), and the
# issue's acceptance line with a debootstrapped Debian bookworm (SBX_DEBIAN_TAR, see run.sh)
#
# The realm is tests/helpers/token-service.py (python3's http.server + ssl, the test server
# certificate): it signs RS256 JWTs with the openssl CLI, the key's self-signed certificate
# in the header's x5c and in the registry's `auth: token: rootcertbundle`, so
# docker-registry verifies them as it does Docker Hub's. tester:s3cret may pull and push
# everywhere, anonymous requests may pull what is not under private/. Once per file: the
# signing key, and an OCI layout `multi` (an index of linux/amd64, linux/arm64/v8 and
# linux/arm/v7 images: the busybox rootfs plus an /etc/platform naming the platform; all
# of them run here).
# shellcheck disable=SC2016 # commands for inside the sandbox are single-quoted on purpose
set -u
# shellcheck source=tests/lib/sbx.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sbx.sh"

# shellcheck source=tests/lib/registry.sh
. "$SBX_TESTS_DIR/lib/registry.sh"

if [ "${1:-}" != "--t-run-one" ] && [ -z "${SBX_REG_SKIP:-}" ] && [ ! -e "$D/multi/index.json" ]; then
	if ! openssl req -x509 -newkey rsa:2048 -nodes -keyout "$D/token.key" -out "$D/token.crt" -days 2 \
		-subj /CN=sandbox-test-token-signer >/dev/null 2>&1 || ! python3 - "$D" <<'PY'
import gzip, hashlib, io, json, os, sys, tarfile
OCI = "application/vnd.oci.image."
d, blobs = sys.argv[1], {}
def desc(media, b, **extra):
    """the OCI descriptor of blob b (kept for the layout)"""
    digest = "sha256:" + hashlib.sha256(b).hexdigest()
    blobs[digest] = b
    return dict(extra, mediaType=OCI + media, digest=digest, size=len(b))
def tar1(name, text):
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode="w") as tf:
        ti = tarfile.TarInfo(name); ti.size = len(text); ti.mode = 0o644
        tf.addfile(ti, io.BytesIO(text))
    return bio.getvalue()
base = open(os.path.join(d, "img", "rootfs.tar"), "rb").read()
zbase = gzip.compress(base, mtime=0)
entries = []
for p in ("linux/amd64", "linux/arm64/v8", "linux/arm/v7"):
    plat = dict(zip(("os", "architecture", "variant"), p.split("/")))
    top = tar1("etc/platform", (p + "\n").encode())
    cfg = dict(plat, config={"Cmd": ["/bin/sh"]}, rootfs={"type": "layers", "diff_ids": [
        "sha256:" + hashlib.sha256(l).hexdigest() for l in (base, top)]})
    m = {"schemaVersion": 2, "mediaType": OCI + "manifest.v1+json",
         "config": desc("config.v1+json", json.dumps(cfg).encode()),
         "layers": [desc("layer.v1.tar+gzip", z) for z in (zbase, gzip.compress(top, mtime=0))]}
    entries.append(desc("manifest.v1+json", json.dumps(m).encode(), platform=plat))
ix = {"schemaVersion": 2, "mediaType": OCI + "index.v1+json", "manifests": entries}
ixd = desc("index.v1+json", json.dumps(ix).encode(), annotations={"org.opencontainers.image.ref.name": "multi"})
os.makedirs(os.path.join(d, "multi", "blobs", "sha256"))
for digest, b in blobs.items():
    open(os.path.join(d, "multi", "blobs", "sha256", digest[7:]), "wb").write(b)
json.dump({"schemaVersion": 2, "manifests": [ixd]}, open(os.path.join(d, "multi", "index.json"), "w"))
# PLATFORM DIGEST lines, for the tests
open(os.path.join(d, "multi.digests"), "w").write("".join(
    "/".join(e["platform"].values()) + " " + e["digest"] + "\n" for e in entries))
PY
	then
		echo "Bail out! cannot make the token signing key or the multi-platform layout"
		exit 1
	fi
fi

# start_token_registry: tests/helpers/token-service.py (log: $T_TMP/token.log) and
# docker-registry with token auth pointing at it; the test CA trusted; sets PORT and REG
start_token_registry() {
	need_registry
	python3 "$SBX_SRC_DIR/tests/helpers/token-service.py" --cert "$D/srv.crt" --key "$D/srv.key" \
		--sign-key "$D/token.key" --sign-cert "$D/token.crt" --port-file "$T_TMP/tport" \
		2>"$T_TMP/token.log" &
	t_defer kill "$!"
	wait_for_file "$T_TMP/tport" "^[0-9]+$" 10
	start_docker_registry "{token: {realm: \"https://127.0.0.1:$(cat "$T_TMP/tport")/token\",
  service: sandbox-test-registry, issuer: sandbox-test-issuer, rootcertbundle: \"$D/token.crt\"}}"
	trust_ca
}

# push_as_tester SRC NAME:TAG [SKOPEO-OPTIONS...]: skopeo copy SRC to $REG/NAME:TAG as tester
push_as_tester() {
	assert_status 0 skopeo copy -q "${@:3}" --dest-creds tester:s3cret --dest-cert-dir "$T_TMP/dr/certs" \
		"$1" "docker://$REG/$2"
}

# run_platform_is PLATFORM: the local $REG/multi:1 is PLATFORM's image (its digest was
# the pull's output) and /etc/platform inside says PLATFORM
run_platform_is() {
	assert_file_has_content "$T_OUT" "^$(awk -v p="$1" '$1 == p { print $2 }' "$D/multi.digests")\$"
	assert_status 0 sbx run --rm --network none "$REG/multi:1" cat /etc/platform
	assert_eq "$1" "$(cat "$T_OUT")" "/etc/platform of the image run"
}

test_token_flow() {
	require_subuid
	start_token_registry
	push_as_tester "oci:$D/debian" public/debian:bookworm
	push_as_tester "oci:$D/debian" private/debian:bookworm
	assert_status 0 sbx pull "$REG/public/debian:bookworm"
	assert_file_has_content "$T_OUT" '^sha256:[0-9a-f]{64}$'
	assert_status 0 sbx run --rm --network none "$REG/public/debian:bookworm" cat /etc/os-release
	assert_file_has_content "$T_OUT" '^VERSION_CODENAME=bookworm$'
	assert_status 125 sbx pull "$REG/private/debian:bookworm"
	assert_error_line 'authentication required'
	assert_status 125 sbx pull --creds tester:wrong "$REG/private/debian:bookworm"
	assert_error_line 'invalid username or password'
	assert_status 0 sbx pull --creds tester:s3cret "$REG/private/debian:bookworm"
	assert_file_has_content "$T_TMP/token.log" \
		'^token-service: GET /token\?service=sandbox-test-registry&scope=repository%3Aprivate%2Fdebian%3Apull$'
	assert_file_has_content "$T_TMP/token.log" \
		'granted \[\{"type": "repository", "name": "private/debian", "actions": \[\]\}\] to anonymous'
	assert_file_has_content "$T_TMP/token.log" \
		'granted \[\{"type": "repository", "name": "private/debian", "actions": \["pull"\]\}\] to tester'
	assert_status 0 sbx images
	assert_file_has_content "$T_OUT" "^$REG/private/debian +bookworm "
	assert_nothing_left
}

test_multiarch_default() {
	require_subuid
	start_token_registry
	push_as_tester "oci:$D/multi:multi" multi:1 --all
	assert_status 0 sbx pull "$REG/multi:1"
	run_platform_is linux/amd64
	assert_nothing_left
}

test_platform() {
	require_subuid
	start_token_registry
	push_as_tester "oci:$D/multi:multi" multi:1 --all
	assert_status 0 sbx pull --platform linux/arm/v7 "$REG/multi:1"
	run_platform_is linux/arm/v7
	# the index's arm64 entry has variant v8: it matches when no variant is asked for
	assert_status 0 sbx pull --platform linux/arm64 "$REG/multi:1"
	run_platform_is linux/arm64/v8
	assert_status 0 sbx pull --platform linux/amd64 "$REG/multi:1"
	run_platform_is linux/amd64
	assert_status 125 sbx pull --platform linux/mips64le "$REG/multi:1"
	assert_error_line 'linux/mips64le'
	# run and create --platform: the local image (amd64 now) is pulled again for another
	# platform, used as it is for its own
	assert_status 0 sbx run --rm --network none --platform linux/arm/v7 "$REG/multi:1" cat /etc/platform
	assert_eq linux/arm/v7 "$(cat "$T_OUT")" "run --platform linux/arm/v7"
	assert_status 0 sbx run --rm --network none --platform linux/arm/v7 "$REG/multi:1" cat /etc/platform
	assert_eq linux/arm/v7 "$(cat "$T_OUT")" "run --platform of the local image"
	assert_status 0 sbx create --name plat --network none --platform linux/amd64 "$REG/multi:1" cat /etc/platform
	assert_status 0 sbx start -a plat
	assert_eq linux/amd64 "$(cat "$T_OUT")" "create --platform linux/amd64, then start -a"
	assert_status 0 sbx rm plat
	assert_status 125 sbx run --rm --platform linux "$REG/multi:1" true
	assert_error_line 'platform.*OS/ARCH'
	assert_nothing_left
}

# The issue's acceptance line with a real image: `debootstrap --variant=minbase bookworm`
# (tests/run.sh caches it as root; SBX_DEBIAN_TAR), pushed with skopeo to docker-registry
# (TLS, no auth), pulled and run as the test user.
test_debian_real() {
	[ -n "${SBX_DEBIAN_TAR:-}" ] ||
		t_skip "no debootstrapped image: run tests/run.sh as root once (needs debootstrap)"
	[ -z "${SBX_DEBIAN_BROKEN:-}" ] || t_fail "$SBX_DEBIAN_BROKEN"
	require_subuid
	start_docker_registry
	trust_ca
	assert_status 0 skopeo copy -q --dest-cert-dir "$T_TMP/dr/certs" "oci:$D/debian-real" \
		"docker://$REG/debian:bookworm"
	assert_status 0 sbx pull "$REG/debian:bookworm"
	assert_file_has_content "$T_OUT" '^sha256:[0-9a-f]{64}$'
	assert_status 0 sbx run --rm --network none "$REG/debian:bookworm" cat /etc/os-release
	assert_file_has_content "$T_OUT" '^PRETTY_NAME="Debian GNU/Linux 12 \(bookworm\)"$'
	assert_status 0 sbx run --rm --network none "$REG/debian:bookworm" dpkg-query -W -f '${Package}\n'
	local p
	for p in base-files dpkg apt; do
		assert_file_has_content "$T_OUT" "^$p\$"
	done
	[ "$(grep -c '' "$T_OUT")" -gt 50 ] || t_fail "only $(grep -c '' "$T_OUT") packages installed"
	# setuid root and setgid shadow (42): the owners need the subordinate range
	assert_status 0 sbx run --rm --network none "$REG/debian:bookworm" \
		stat -c '%n %a %u:%g' /usr/bin/su /usr/bin/chage
	assert_eq "/usr/bin/su 4755 0:0
/usr/bin/chage 2755 0:42" "$(cat "$T_OUT")" "modes and owners"
	assert_status 0 sbx run --rm --network none -u 0 "$REG/debian:bookworm" id -u
	assert_eq 0 "$(cat "$T_OUT")" "id -u"
	assert_status 0 sbx run --rm --network none -u 0 "$REG/debian:bookworm" \
		sh -c 'echo written >/etc/sbx-written && cat /etc/sbx-written'
	assert_eq written "$(cat "$T_OUT")" "/etc/sbx-written in the first run"
	assert_status 1 sbx run --rm --network none -u 0 "$REG/debian:bookworm" test -e /etc/sbx-written
	assert_eq "" "$(find "$SANDBOX_ROOT" -name sbx-written 2>/dev/null || true)" "/etc/sbx-written in the store"
	assert_status 0 sbx images
	assert_file_has_content "$T_OUT" "^$REG/debian +bookworm "
	assert_nothing_left
}

t "token service: anonymous pull and run, a private repository, wrong and right password" test_token_flow
t "a multi-platform index pushed with skopeo --all: the host's platform by default" test_multiarch_default
t "pull, run and create --platform: arm/v7, arm64 (variant v8), amd64; an unknown platform refused" test_platform
t "the acceptance line with a debootstrapped Debian bookworm" test_debian_real
t_main "$@"
