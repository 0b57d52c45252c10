# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# registry.sh - registries for the pull tests (sourced after sbx.sh)
#
# Once per test file (not per test): a test CA and a server certificate for 127.0.0.1, ::1
# and localhost made with openssl (and two that do not fit 127.0.0.1), the OCI layout made
# by rootfs-tools/mk-test-images.sh ($SBX_REG_DIR/img/oci) and the acceptance image `debian` ($SBX_REG_DIR/debian: the busybox rootfs plus an
# /etc/os-release); with SBX_DEBIAN_TAR (see tests/run.sh), `debian-real` from that
# debootstrapped tarball. Per test: start_registry starts tests/helpers/fake-registry.py,
# start_docker_registry Debian's docker-registry; both set PORT and REG.
# shellcheck disable=SC2016 # commands for inside the sandbox are single-quoted on purpose

if [ -z "${SBX_REG_DIR:-}" ] && [ "${1:-}" != "--t-run-one" ]; then
	SBX_REG_DIR=$(mktemp -d /tmp/sandbox-test-registry.XXXXXX)
	trap 'rm -rf "$SBX_REG_DIR"' EXIT
	if ! command -v python3 >/dev/null || ! command -v openssl >/dev/null; then
		SBX_REG_SKIP="python3 or openssl is not installed"
	elif ! bash "$SBX_SRC_DIR/rootfs-tools/mk-test-images.sh" "$ROOTFS" "$SBX_REG_DIR/img" >/dev/null; then
		echo "Bail out! cannot make the test images"
		exit 1
	else
		# shellcheck disable=SC2015 # the block handles a failure of either
		(
			cd "$SBX_REG_DIR" &&
				openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 \
					-subj /CN=sandbox-test-ca &&
				openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=sandbox-test-registry &&
				# the addresses as iPAddress names only, as `openssl req -addext` makes them;
				# other.crt: another address; dnsip.crt: the address spelt as a DNS name (with
				# localhost, so it is good for that name); all with srv.key
				for c in "srv IP:127.0.0.1,IP:::1,DNS:localhost" "other IP:192.0.2.1" \
					"dnsip DNS:localhost,DNS:127.0.0.1"; do
					printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\n' "${c#* }" >ext &&
						openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
							-out "${c%% *}.crt" -days 2 -extfile ext || exit 1
				done
		) >/dev/null 2>&1 &&
			# the acceptance image: the busybox rootfs and an /etc/os-release, no entrypoint
			python3 - "$SBX_REG_DIR" <<'PY' || {
import gzip, hashlib, io, json, os, sys, tarfile
d = sys.argv[1]
out = os.path.join(d, "debian")
os.makedirs(os.path.join(out, "blobs", "sha256"))
def put(b):
    h = hashlib.sha256(b).hexdigest()
    open(os.path.join(out, "blobs", "sha256", h), "wb").write(b)
    return "sha256:" + h
base = open(os.path.join(d, "img", "rootfs.tar"), "rb").read()
bio = io.BytesIO()
with tarfile.open(fileobj=bio, mode="w") as tf:
    text = b'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_CODENAME=bookworm\n'
    ti = tarfile.TarInfo("etc/os-release"); ti.size = len(text); ti.mode = 0o644
    tf.addfile(ti, io.BytesIO(text))
layers = [base, bio.getvalue()]
cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/sh"]},
                  "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(l).hexdigest() for l in layers]}}).encode()
descs = []
for l in layers:
    z = gzip.compress(l)
    descs.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": put(z), "size": len(z)})
m = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": put(cfg), "size": len(cfg)},
                "layers": descs}).encode()
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
           "digest": put(m), "size": len(m)}]}, open(os.path.join(out, "index.json"), "w"))
PY
			echo "Bail out! cannot make the test certificates or the acceptance image"
			exit 1
		}
	fi
	# SBX_DEBIAN_TAR (tests/run.sh): the debootstrapped Debian image `debian-real`, one
	# layer whose blob is that .tar.gz as it is (diff_id: the hash of its uncompressed tar)
	if [ -z "${SBX_REG_SKIP:-}" ] && [ -n "${SBX_DEBIAN_TAR:-}" ] &&
		! python3 - "$SBX_REG_DIR" "$SBX_DEBIAN_TAR" <<'PY'; then
import gzip, hashlib, json, os, shutil, sys
d, tgz = sys.argv[1:3]
out = os.path.join(d, "debian-real")
os.makedirs(os.path.join(out, "blobs", "sha256"))
def put(b):
    h = hashlib.sha256(b).hexdigest()
    open(os.path.join(out, "blobs", "sha256", h), "wb").write(b)
    return "sha256:" + h
zh, uh = hashlib.sha256(), hashlib.sha256()
with open(tgz, "rb") as f:
    for chunk in iter(lambda: f.read(1 << 20), b""):
        zh.update(chunk)
with gzip.open(tgz, "rb") as f:
    for chunk in iter(lambda: f.read(1 << 20), b""):
        uh.update(chunk)
shutil.copyfile(tgz, os.path.join(out, "blobs", "sha256", zh.hexdigest()))
cfg = json.dumps({"architecture": "amd64", "os": "linux",
                  "config": {"Cmd": ["bash"], "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
                  "rootfs": {"type": "layers", "diff_ids": ["sha256:" + uh.hexdigest()]}}).encode()
m = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": put(cfg), "size": len(cfg)},
                "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                            "digest": "sha256:" + zh.hexdigest(), "size": os.path.getsize(tgz)}]}).encode()
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
           "digest": put(m), "size": len(m)}]}, open(os.path.join(out, "index.json"), "w"))
PY
		export SBX_DEBIAN_BROKEN="cannot make an OCI layout of $SBX_DEBIAN_TAR"
	fi
	export SBX_REG_DIR SBX_REG_SKIP
fi
D=${SBX_REG_DIR:-}

need_registry() {
	[ -z "${SBX_REG_SKIP:-}" ] || t_skip "$SBX_REG_SKIP"
}

# start_registry ARGS...: a fake registry for this test; sets PORT and REG
start_registry() {
	need_registry
	rm -f "$T_TMP/port"
	python3 "$SBX_SRC_DIR/tests/helpers/fake-registry.py" --layout "$D/img/oci" --cert "$D/srv.crt" \
		--key "$D/srv.key" --port-file "$T_TMP/port" --debian-layout "$D/debian" "$@" 2>"$T_TMP/registry.log" &
	local pid=$!
	t_defer kill "$pid"
	wait_for_file "$T_TMP/port" "^[0-9]+$" 10 || t_fail "the fake registry did not start"
	PORT=$(cat "$T_TMP/port")
	REG=127.0.0.1:$PORT
	export HOME=$T_TMP/home XDG_RUNTIME_DIR=$T_TMP/xdg
	mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
	unset REGISTRY_AUTH_FILE SSL_CERT_FILE SSL_CERT_DIR
}

trust_ca() {
	mkdir -p "$HOME/.config/containers/certs.d/$REG"
	cp "$D/ca.crt" "$HOME/.config/containers/certs.d/$REG/ca.crt"
}


# start_docker_registry [AUTH-YAML]: Debian's docker-registry with TLS (the test CA) on a
# free port, its config's `auth:` section AUTH-YAML (default: none); sets PORT and REG.
# SBX_DR_PLAIN=1: plain HTTP, no TLS. SBX_DR_HOST=::1: on [::1] instead of 127.0.0.1.
start_docker_registry() {
	need_registry
	local c
	for c in docker-registry skopeo htpasswd; do
		command -v "$c" >/dev/null || t_skip "$c is not installed (Debian: docker-registry, skopeo, apache2-utils)"
	done
	export HOME=$T_TMP/home XDG_RUNTIME_DIR=$T_TMP/xdg
	mkdir -p "$HOME" "$XDG_RUNTIME_DIR" "$T_TMP/dr/store" "$T_TMP/dr/certs"
	unset REGISTRY_AUTH_FILE SSL_CERT_FILE SSL_CERT_DIR
	local host=${SBX_DR_HOST:-127.0.0.1}
	PORT=$(python3 -c 'import socket, sys; h = sys.argv[1]
s = socket.socket(socket.AF_INET6 if ":" in h else socket.AF_INET); s.bind((h, 0)); print(s.getsockname()[1])' "$host")
	REG=$host:$PORT
	case $host in *:*) REG="[$host]:$PORT" ;; esac
	cp "$D/ca.crt" "$T_TMP/dr/certs/"
	local tls=", tls: {certificate: \"$D/srv.crt\", key: \"$D/srv.key\"}" scheme=https
	if [ -n "${SBX_DR_PLAIN:-}" ]; then
		tls="" scheme=http
	fi
	cat >"$T_TMP/dr/config.yml" <<EOC
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: "$T_TMP/dr/store"}}
http: {addr: "$REG"$tls}
${1:+auth: $1}
EOC
	docker-registry serve "$T_TMP/dr/config.yml" >"$T_TMP/dr/log" 2>&1 &
	t_defer kill "$!"
	local i
	for ((i = 0; i < 50; i++)); do
		curl -g -s -o /dev/null --cacert "$D/ca.crt" "$scheme://$REG/v2/" && return 0
		sleep 0.1
	done
	t_fail "docker-registry did not start: $(tail -3 "$T_TMP/dr/log")"
}
