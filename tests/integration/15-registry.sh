#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 15-registry.sh - the registry client (against a python3 fake registry and Debian's
# docker-registry): pull over TLS with a test CA, Bearer-token and
# Basic auth, wrong passwords, --tls-verify=false, a multi-platform index, schema 1,
# redirected blobs, login/logout, and run pulling on demand
#
# The registry is tests/helpers/fake-registry.py (python3's http.server + ssl): it serves
# the OCI layout made by rootfs-tools/mk-test-images.sh on a free 127.0.0.1 port, with a
# CA and a server certificate made here with openssl, and a Bearer realm (/token) on the
# same server, so the Docker Hub token flow is exercised. Blobs are answered with a
# redirect to https://localhost:PORT/ (another host name), which refuses requests that
# still carry the Authorization header.
# shellcheck disable=SC2016 # commands for inside the sandbox are single-quoted on purpose
set -u
# shellcheck source=tests/lib/sbx.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sbx.sh"

# shellcheck source=tests/lib/registry.sh
. "$SBX_TESTS_DIR/lib/registry.sh"

test_acceptance() {
	require_subuid
	start_registry
	trust_ca
	assert_status 0 sbx pull "$REG/debian:bookworm"
	assert_file_has_content "$T_OUT" '^sha256:[0-9a-f]{64}$'
	assert_file_has_content "$T_ERR" '^Copying blob sha256:[0-9a-f]{12} done'
	assert_status 0 sbx run --rm --network none "$REG/debian:bookworm" cat /etc/os-release
	assert_file_has_content "$T_OUT" '^VERSION_CODENAME=bookworm$'
	assert_status 0 sbx images
	assert_file_has_content "$T_OUT" "^$REG/debian +bookworm "
	assert_eq 0 "$(find "$SANDBOX_ROOT/tmp" -mindepth 1 | wc -l)" "entries left in tmp/"
	assert_nothing_left
}

test_tls_ca() {
	start_registry
	assert_status 125 sbx pull "$REG/busybox:v1"
	assert_error_line 'cert'
	assert_status 0 env SSL_CERT_FILE="$D/ca.crt" "$SANDBOX" pull "$REG/busybox:v1"
	assert_status 0 sbx pull --tls-verify=false "$REG/busybox:v1"
	assert_status 125 sbx pull --tls-verify=maybe "$REG/busybox:v1"
	assert_error_line 'tls-verify'
}

# The server certificate names 127.0.0.1 and ::1 as iPAddress subjectAltNames only (what
# `openssl req -addext subjectAltName=IP:...` makes): mbedTLS 2.28 alone refuses them
# (BADCERT_CN_MISMATCH). A certificate for another address, or one that spells
# 127.0.0.1 as a DNS name, is refused for 127.0.0.1; the latter is good for localhost.
test_tls_ip_san() {
	start_registry
	trust_ca
	assert_status 0 sbx pull "$REG/busybox:v1"
	grep -q 'GET /_blob/sha256:' "$T_TMP/registry.log" || t_fail "no redirected blob download"
}

test_tls_ip_san_ipv6() {
	python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null ||
		t_skip "the host has no IPv6 loopback"
	start_registry --bind ::1
	REG="[::1]:$PORT"
	trust_ca
	assert_status 0 sbx pull "$REG/busybox:v1"
	grep -q 'GET /_blob/sha256:' "$T_TMP/registry.log" || t_fail "no redirected blob download"
	assert_status 0 sbx images
	assert_file_has_content "$T_OUT" '^\[::1\]:[0-9]+/busybox +v1 '
}

test_tls_ip_san_refused() {
	start_registry --cert "$D/other.crt"
	trust_ca
	assert_status 125 sbx pull "$REG/busybox:v1"
	assert_error_line 'CN_MISMATCH|subject.*name'
	assert_nothing_left
}

test_tls_dns_name_is_no_address() {
	start_registry --cert "$D/dnsip.crt"
	trust_ca
	assert_status 125 sbx pull "$REG/busybox:v1"
	assert_error_line 'CN_MISMATCH|subject.*name'
	REG=localhost:$PORT
	trust_ca
	assert_status 0 sbx pull "$REG/busybox:v1"
}

test_bearer_flow() {
	start_registry --auth bearer --user tester:s3cret
	trust_ca
	assert_status 125 sbx pull "$REG/busybox:v1"
	assert_error_line 'anonymous token|authentication'
	assert_status 125 sbx pull --creds tester:wrong "$REG/busybox:v1"
	assert_error_line 'invalid username or password'
	assert_status 0 sbx pull --creds tester:s3cret "$REG/busybox:v1"
	grep -q 'GET /token?service=fake-registry&scope=repository%3Abusybox%3Apull' "$T_TMP/registry.log" ||
		t_fail "no token request with service and scope"
	grep -q 'GET /_blob/sha256:' "$T_TMP/registry.log" || t_fail "no redirected blob download"
	! grep -q 'Authorization at the blob host' "$T_TMP/registry.log" || t_fail "credentials sent to the blob host"
}

# Credentials go only to the registry's own host, port and scheme: a blob redirect to
# the same host name on another port gets none (curl's rule since CVE-2022-27776).
test_no_credentials_across_redirect() {
	local a
	for a in "--auth bearer" "--auth basic"; do
		# shellcheck disable=SC2086 # two words
		start_registry $a --user tester:s3cret --blob-host port
		trust_ca
		assert_status 0 sbx pull --creds tester:s3cret "$REG/busybox:v1"
		grep -q 'GET /_blob/sha256:' "$T_TMP/registry.log" || t_fail "$a: no redirected blob download"
		! grep -q 'Authorization at the blob host' "$T_TMP/registry.log" ||
			t_fail "$a: credentials sent to the blob host on another port"
		assert_status 0 sbx rmi "$REG/busybox:v1" # the next pull downloads every blob again
	done
}

# A 401 from the host a blob is redirected to is no reason to authenticate: its
# `Bearer realm=` would choose where the registry's Basic credentials go.
test_no_credentials_to_a_redirect_realm() {
	local a which
	for a in "--auth bearer" "--auth basic"; do
		# the config (one request) and the layers (parallel downloads)
		for which in all layers; do
			# shellcheck disable=SC2086 # two words
			start_registry $a --user tester:s3cret --blob-host port --evil-blob-realm $which
			trust_ca
			"$SANDBOX" pull --creds tester:s3cret "$REG/busybox:v1" >"$T_OUT" 2>"$T_ERR" || true
			grep -q 'GET /_blob/sha256:' "$T_TMP/registry.log" || t_fail "$a $which: no redirected blob download"
			! grep -q 'evil realm got Authorization=.Basic' "$T_TMP/registry.log" ||
				t_fail "$a $which: Basic credentials sent to the realm the blob host named"
			! grep -q 'evil realm' "$T_TMP/registry.log" ||
				t_fail "$a $which: the realm the blob host named was asked"
			assert_status 125 sbx pull --creds tester:s3cret "$REG/busybox:v1"
			assert_error_line 'redirected to a host that asks for credentials'
		done
	done
}

# A redirect from https down to plain http is not followed while TLS is checked
# (the blob could be changed on the way, its digest aside, and a token would
# travel in clear to the same host); --tls-verify=false allows it.
test_no_redirect_to_http() {
	start_registry --blob-host http
	trust_ca
	assert_status 125 sbx pull "$REG/busybox:v1"
	assert_error_line 'blob|config'
	! grep -q 'GET /_blob/sha256:' "$T_TMP/registry.log" || t_fail "a blob was fetched over plain http"
	assert_status 0 sbx pull --tls-verify=false "$REG/busybox:v1"
	grep -q 'GET /_blob/sha256:' "$T_TMP/registry.log" || t_fail "no blob over http with --tls-verify=false"
}

test_anonymous_token() {
	start_registry --auth bearer
	trust_ca
	assert_status 0 sbx pull "$REG/busybox:v1"
}

test_basic_and_login() {
	start_registry --auth basic --user tester:s3cret
	trust_ca
	assert_status 125 sbx pull "$REG/busybox:v1"
	assert_error_line 'authentication required'
	assert_status 125 sh -c "echo wrong | '$SANDBOX' login -u tester --password-stdin $REG"
	assert_error_line 'invalid username or password'
	[ ! -e "$XDG_RUNTIME_DIR/containers/auth.json" ] || t_fail "a failed login stored credentials"
	assert_status 0 sh -c "echo s3cret | '$SANDBOX' login -u tester --password-stdin $REG"
	assert_file_has_content "$T_OUT" 'Login Succeeded'
	assert_eq 600 "$(stat -c %a "$XDG_RUNTIME_DIR/containers/auth.json")" "auth.json mode"
	assert_eq "$(printf tester:s3cret | base64)" \
		"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["auths"][sys.argv[2]]["auth"])' \
			"$XDG_RUNTIME_DIR/containers/auth.json" "$REG")" "podman's auth.json format"
	assert_status 0 sbx pull "$REG/busybox:v1"
	assert_status 0 sbx logout "$REG"
	assert_status 125 sbx pull "$REG/busybox:v2"
	assert_error_line 'authentication required'
	assert_status 125 sbx logout "$REG"
	assert_error_line 'not logged into'
	# ~/.docker/config.json is read too
	mkdir -p "$HOME/.docker"
	printf '{"auths":{"https://%s":{"auth":"%s"}}}\n' "$REG" "$(printf tester:s3cret | base64)" \
		>"$HOME/.docker/config.json"
	assert_status 0 sbx pull "$REG/busybox:v3"
	# and $REGISTRY_AUTH_FILE first
	printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$REG" "$(printf tester:bad | base64)" >"$T_TMP/auth.json"
	assert_status 125 env REGISTRY_AUTH_FILE="$T_TMP/auth.json" "$SANDBOX" pull "$REG/busybox:v4"
	assert_error_line 'invalid username or password'
}

test_multiarch_and_schema1() {
	start_registry --multiarch --schema1-tag old
	trust_ca
	assert_status 0 sbx pull "$REG/busybox:multi"
	local d
	d=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][0]["digest"])' \
		"$D/img/oci/index.json")
	assert_file_has_content "$T_OUT" "^$d\$"
	assert_status 125 sbx pull "$REG/busybox:old"
	assert_error_line 'schema 1'
	assert_status 125 sbx pull "$REG/busybox@sha256:$(printf '%064d' 0)"
	assert_error_line 'not found'
	assert_status 125 sbx pull "$REG/nosuch:v1"
	assert_error_line 'not found'
}

test_retry_on_5xx() {
	start_registry --flaky
	trust_ca
	assert_status 0 sbx pull "$REG/busybox:v1"
	local b
	b=$(grep -m1 -o 'GET /_blob/sha256:[0-9a-f]*' "$T_TMP/registry.log")
	assert_eq 2 "$(grep -c "$b\$" "$T_TMP/registry.log")" "downloads of a blob that failed once with 503"
}

test_run_pulls_on_demand() {
	require_subuid
	start_registry --auth bearer
	trust_ca
	assert_status 0 sbx run --rm --network none --entrypoint /bin/cat "$REG/busybox:v1" /etc/layer3
	assert_file_has_content "$T_OUT" 'layer3'
	assert_nothing_left
}

# Debian's docker-registry with TLS and htpasswd (bcrypt) auth; the image pushed with skopeo.
test_docker_registry() {
	require_subuid
	htpasswd -Bbn tester s3cret >"$T_TMP/htpasswd" 2>/dev/null || t_skip "htpasswd is not installed (Debian: apache2-utils)"
	start_docker_registry "{htpasswd: {realm: sandbox-test, path: \"$T_TMP/htpasswd\"}}"
	assert_status 0 skopeo copy -q --dest-creds tester:s3cret --dest-cert-dir "$T_TMP/dr/certs" \
		"oci:$D/debian" "docker://$REG/debian:bookworm"
	assert_status 125 sbx pull "$REG/debian:bookworm"
	assert_error_line 'cert'
	trust_ca
	assert_status 125 sbx pull --creds tester:wrong "$REG/debian:bookworm"
	assert_error_line 'invalid username or password'
	assert_status 0 sh -c "echo s3cret | '$SANDBOX' login -u tester --password-stdin $REG"
	assert_status 0 sbx pull "$REG/debian:bookworm"
	assert_status 0 sbx run --rm --network none "$REG/debian:bookworm" cat /etc/os-release
	assert_file_has_content "$T_OUT" '^VERSION_CODENAME=bookworm$'
	rm -rf "$HOME/.config/containers/certs.d"
	assert_status 0 sbx pull --tls-verify=false "$REG/debian:bookworm"
	assert_nothing_left
}

# docker-registry on [::1] with the test server certificate (::1 as an IP subjectAltName).
# skopeo 1.9 takes no IPv6 references: it pushes to a first docker-registry on 127.0.0.1
# whose storage the second one, on [::1], serves.
test_docker_registry_ipv6() {
	python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null ||
		t_skip "the host has no IPv6 loopback"
	start_docker_registry
	assert_status 0 skopeo copy -q --dest-cert-dir "$T_TMP/dr/certs" "oci:$D/img/oci" "docker://$REG/busybox:v1"
	SBX_DR_HOST=::1 start_docker_registry
	trust_ca
	assert_status 0 sbx pull "$REG/busybox:v1"
	assert_file_has_content "$T_OUT" '^sha256:[0-9a-f]{64}$'
	assert_nothing_left
}

test_usage_errors() {
	assert_status 125 sbx pull
	assert_error_line 'missing IMAGE'
	assert_status 125 sbx pull --creds nocolon 127.0.0.1:1/x
	assert_error_line 'creds'
	assert_status 125 sbx login 127.0.0.1:1
	assert_error_line 'missing -u'
	assert_status 125 sbx logout
	assert_error_line 'missing REGISTRY'
	assert_status 125 sbx pull 127.0.0.1:1/x
	assert_error_line 'pull `127.0.0.1:1/x`'
}

t "pull REG/debian:bookworm and run it (the acceptance line)" test_acceptance
t "TLS: the test CA via certs.d and SSL_CERT_FILE, none, --tls-verify=false" test_tls_ca
t "TLS: a certificate for 127.0.0.1 as an IP subjectAltName only" test_tls_ip_san
t "TLS: [::1] and a certificate for it as an IP subjectAltName" test_tls_ip_san_ipv6
t "TLS: a certificate for another address is refused (125)" test_tls_ip_san_refused
t "TLS: 127.0.0.1 as a DNS subjectAltName is refused for the address, good for localhost" test_tls_dns_name_is_no_address
t "Bearer token flow with credentials; wrong password; redirected blobs" test_bearer_flow
t "anonymous Bearer token" test_anonymous_token
t "no credentials to a token realm named by the host a blob is redirected to" test_no_credentials_to_a_redirect_realm
t "no redirect from https to http while TLS is checked" test_no_redirect_to_http
t "no credentials across a blob redirect to another port" test_no_credentials_across_redirect
t "Basic auth, login/logout, auth.json and ~/.docker/config.json" test_basic_and_login
t "an index with several platforms; schema 1 refused; unknown names" test_multiarch_and_schema1
t "a 503 is retried" test_retry_on_5xx
t "run pulls an image that is not local" test_run_pulls_on_demand
t "Debian's docker-registry (TLS, htpasswd), image pushed with skopeo" test_docker_registry
t "docker-registry on [::1] with ::1 as an IP subjectAltName" test_docker_registry_ipv6
t "usage errors" test_usage_errors
t_main "$@"
