#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# fake-registry.py - the few OCI distribution v2 endpoints a pull needs, for the tests
#
# Usage: fake-registry.py --layout DIR --cert C --key K --port-file F [--auth none|basic|bearer]
#                         [--user U:P] [--multiarch] [--schema1-tag TAG]
#
# --debian-layout DIR2 serves DIR2's image as `debian` and `library/debian` instead.
# Serves the OCI layout DIR over HTTPS on 127.0.0.1 (a free port, written to F) as
# repositories `busybox` and `library/debian`, every tag naming the layout's image:
# GET /v2/, /v2/REPO/manifests/REF (tag or digest), /v2/REPO/blobs/DIGEST (answered with
# a 307 redirect to https://localhost:PORT/_blob/DIGEST (another host name), as registries that hand blobs to a CDN do; the
# redirect target refuses requests that carry an Authorization header, and logs
# "Authorization at the blob host"); with --blob-host port the redirect goes to the same
# host name on another port (a second listener of this server) instead. Auth: `basic`
# asks for Basic credentials U:P; `bearer` answers 401 with a WWW-Authenticate Bearer
# challenge whose realm is /token on this server (Basic U:P there, or anonymous when no
# --user), and takes only the token it handed out. --multiarch serves, for tag `multi`,
# an OCI index with linux/arm64, linux/amd64 and linux/s390x entries (only amd64's is the
# real image; the others name a missing manifest). --schema1-tag TAG answers TAG with a
# schema 1 manifest. --flaky answers the first download of each blob with a 503.
# Blob downloads honour `Range: bytes=N-` (206 with Content-Range) unless --no-range.
# --truncate-once: the first download of each blob sends half of it and closes the
# connection. --stall-once: the first download of each blob over 4 kB sends half of it
# and then nothing for two minutes (a test kills the client meanwhile). --blob-delay S:
# every blob download waits S seconds before its body. --foreign: tag `foreign` names an
# image whose last layer is non-distributable, with a URL https://localhost:PORT/_foreign/
# DIGEST (the registry itself answers 404 for that blob). --token-uses N: a Bearer token
# is good for N requests, then the next one gets a 401 and a new token is handed out.
# --http-realm: the Bearer challenge names an http:// realm. Tag `nosize` names the image
# with its layer descriptors' sizes left out.
# --bind ADDR: listen on ADDR instead of 127.0.0.1 (::1: the redirects go to https://[::1]:PORT,
# the other name of that host being localhost, which may not resolve to ::1).
# Every request is logged to stderr, blob downloads with their Range header and how many
# blob downloads were in flight when they began ("in-flight N").
import argparse, base64, hashlib, http.server, json, os, socket, ssl, sys, threading, time

ap = argparse.ArgumentParser()
ap.add_argument("--layout", required=True)
ap.add_argument("--debian-layout")
ap.add_argument("--cert", required=True)
ap.add_argument("--key", required=True)
ap.add_argument("--port-file", required=True)
ap.add_argument("--auth", default="none")
ap.add_argument("--user")
ap.add_argument("--multiarch", action="store_true")
ap.add_argument("--flaky", action="store_true")
ap.add_argument("--schema1-tag")
ap.add_argument("--no-range", action="store_true")
ap.add_argument("--truncate-once", action="store_true")
ap.add_argument("--stall-once", action="store_true")
ap.add_argument("--blob-delay", type=float, default=0)
ap.add_argument("--foreign", action="store_true")
ap.add_argument("--token-uses", type=int, default=0)
ap.add_argument("--http-realm", action="store_true")
ap.add_argument("--blob-host", choices=("localhost", "port", "http"), default="localhost")
ap.add_argument("--evil-blob-realm", choices=("all", "layers"))
ap.add_argument("--bind", default="127.0.0.1")
a = ap.parse_args()
other_host = "localhost" if a.bind == "127.0.0.1" else "[%s]" % a.bind

blobs = os.path.join(a.layout, "blobs", "sha256")
idx = json.load(open(os.path.join(a.layout, "index.json")))
top = idx["manifests"][0]["digest"]
extra = {}
if a.multiarch:
    def plat(arch, digest):
        return {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest,
                "size": 100, "platform": {"architecture": arch, "os": "linux"}}
    missing = "sha256:" + "0" * 64
    mi = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                     "manifests": [plat("arm64", missing), dict(plat("arm", missing), platform={"architecture": "arm", "os": "linux", "variant": "v7"}),
                                   plat("amd64", top), plat("s390x", missing)]}).encode()
    extra["multi"] = ("application/vnd.oci.image.index.v1+json", mi)
if a.schema1_tag:
    s1 = json.dumps({"schemaVersion": 1, "name": "busybox", "tag": a.schema1_tag, "fsLayers": []}).encode()
    extra[a.schema1_tag] = ("application/vnd.docker.distribution.manifest.v1+prettyjws", s1)
failed = set()
cut = set()
inflight = [0]
lock = threading.Lock()
TOKEN = "tok-" + hashlib.sha256(os.urandom(16)).hexdigest()[:16]
uses = [0]


def blob(d):
    if not d.startswith("sha256:") or "/" in d:
        return None
    for b in (blobs, os.path.join(a.debian_layout or a.layout, "blobs", "sha256")):
        p = os.path.join(b, d[7:])
        if os.path.exists(p):
            return open(p, "rb").read()
    return None


def top_for(repo):
    if a.debian_layout and repo.endswith("debian"):
        return json.load(open(os.path.join(a.debian_layout, "index.json")))["manifests"][0]["digest"]
    return top


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("fake-registry: %s %s\n" % (self.command, self.path))

    def send(self, code, body=b"", ctype="application/json", headers=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def basic_ok(self):
        h = self.headers.get("Authorization", "")
        return a.user and h == "Basic " + base64.b64encode(a.user.encode()).decode()

    def authorised(self, scope):
        h = self.headers.get("Authorization", "")
        if a.auth == "none":
            return True
        if a.auth == "basic":
            if self.basic_ok():
                return True
            self.send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}', headers=[("WWW-Authenticate", 'Basic realm="fake"')])
            return False
        global TOKEN
        if h == "Bearer " + TOKEN:
            with lock:
                uses[0] += 1
                if not a.token_uses or uses[0] <= a.token_uses:
                    return True
                # expired: a new token from now on
                TOKEN = "tok-" + hashlib.sha256(os.urandom(16)).hexdigest()[:16]
                uses[0] = 0
        ch = 'Bearer realm="%s://127.0.0.1:%d/token",service="fake-registry"' % (
            "http" if a.http_realm else "https", self.server.server_port)
        if scope:
            ch += ',scope="%s"' % scope
        self.send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}', headers=[("WWW-Authenticate", ch)])
        return False

    def send_blob(self, path, b):
        rng = self.headers.get("Range")
        with lock:
            inflight[0] += 1
            sys.stderr.write("fake-registry: blob %s range %s in-flight %d\n" % (path, rng, inflight[0]))
        try:
            if a.blob_delay:
                time.sleep(a.blob_delay)
            start = 0
            if rng and not a.no_range and rng.startswith("bytes=") and rng.endswith("-"):
                start = int(rng[6:-1])
                if start >= len(b):
                    return self.send(416, headers=[("Content-Range", "bytes */%d" % len(b))])
            first = path not in cut
            if first and (a.truncate_once or (a.stall_once and len(b) > 4096)):
                cut.add(path)
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(b)))
                self.end_headers()
                self.wfile.write(b[:len(b) // 2])
                self.wfile.flush()
                if a.stall_once:
                    time.sleep(120)
                self.close_connection = True
                return
            if start:
                return self.send(206, b[start:], "application/octet-stream",
                                 [("Content-Range", "bytes %d-%d/%d" % (start, len(b) - 1, len(b)))])
            return self.send(200, b, "application/octet-stream")
        finally:
            with lock:
                inflight[0] -= 1

    def foreign_manifest(self):
        m = json.loads(blob(top))
        l = m["layers"][-1]
        l["mediaType"] = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
        l["urls"] = ["https://%s:%d/_foreign/%s" % (other_host, self.server.server_port, l["digest"])]
        return json.dumps(m).encode(), l["digest"]

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/token":
            if a.user and not self.basic_ok():
                return self.send(401, b'{"details":"bad credentials"}')
            return self.send(200, json.dumps({"token": TOKEN, "expires_in": 300}).encode())
        if path == "/evil-token":
            sys.stderr.write("fake-registry: evil realm got Authorization=%r\n" % self.headers.get("Authorization"))
            return self.send(200, json.dumps({"token": "eviltoken"}).encode())
        if a.evil_blob_realm and path.startswith("/_blob/") and (
                a.evil_blob_realm == "all" or len(blob(path.split("/")[-1]) or b"") > 4096):
            # the storage host a blob (all, or only the layers: not the config) is
            # redirected to names a token realm of its own
            realm = 'Bearer realm="https://127.0.0.1:%d/evil-token"' % self.server.server_port
            return self.send(401, b"{}", headers=[("WWW-Authenticate", realm)])
        if path.startswith("/_blob/") or path.startswith("/_foreign/"):
            if a.flaky and path not in failed:
                failed.add(path)
                return self.send(503, b'{"error":"try again"}')
            if "Authorization" in self.headers:
                sys.stderr.write("fake-registry: Authorization at the blob host: %s\n" % path)
                return self.send(400, b'{"error":"Authorization sent to the blob host"}')
            b = blob(path.split("/")[-1])
            if b is None:
                return self.send(404)
            return self.send_blob(path, b)
        if path in ("/v2/", "/v2"):
            if self.authorised(None):
                self.send(200, b"{}")
            return
        parts = path[4:].split("/")
        if not path.startswith("/v2/") or len(parts) < 3:
            return self.send(404)
        repo, kind, ref = "/".join(parts[:-2]), parts[-2], parts[-1]
        if repo not in ("busybox", "debian", "library/debian"):
            return self.send(404, b'{"errors":[{"code":"NAME_UNKNOWN"}]}')
        if not self.authorised("repository:%s:pull" % repo):
            return
        if kind == "manifests" and ref == "nosize":
            m = json.loads(blob(top))
            for l in m["layers"]:
                del l["size"]
            return self.send(200, json.dumps(m).encode(), "application/vnd.oci.image.manifest.v1+json")
        if a.foreign and kind == "manifests" and ref == "foreign":
            return self.send(200, self.foreign_manifest()[0], "application/vnd.oci.image.manifest.v1+json")
        if a.foreign and kind == "blobs" and ref == self.foreign_manifest()[1]:
            return self.send(404, b'{"errors":[{"code":"BLOB_UNKNOWN"}]}')
        if kind == "manifests":
            if ref in extra:
                ct, body = extra[ref]
                return self.send(200, body, ct)
            if ref.startswith("sha256:"):
                b = blob(ref)
                if b is None:
                    for ct, body in extra.values():
                        if "sha256:" + hashlib.sha256(body).hexdigest() == ref:
                            return self.send(200, body, ct)
                    return self.send(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN"}]}')
            else:
                b = blob(top_for(repo))
            ct = json.loads(b).get("mediaType", "application/vnd.oci.image.manifest.v1+json")
            return self.send(200, b, ct)
        if kind == "blobs":
            if blob(ref) is None:
                return self.send(404, b'{"errors":[{"code":"BLOB_UNKNOWN"}]}')
            if a.blob_host == "port":
                loc = "https://127.0.0.1:%d/_blob/%s" % (blob_srv.server_port, ref)
            elif a.blob_host == "http":
                loc = "http://127.0.0.1:%d/_blob/%s" % (plain_srv.server_port, ref)
            else:
                loc = "https://%s:%d/_blob/%s" % (other_host, self.server.server_port, ref)
            return self.send(307, b"", headers=[("Location", loc)])
        self.send(404)


class Server6(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6


srv = (Server6 if ":" in a.bind else http.server.ThreadingHTTPServer)((a.bind, 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(a.cert, a.key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
# the blob host of --blob-host port: this server on another port
blob_srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
blob_srv.socket = ctx.wrap_socket(blob_srv.socket, server_side=True)
threading.Thread(target=blob_srv.serve_forever, daemon=True).start()
# the blob host of --blob-host http: plain HTTP
plain_srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
threading.Thread(target=plain_srv.serve_forever, daemon=True).start()
with open(a.port_file + ".tmp", "w") as f:
    f.write(str(srv.server_port))
os.rename(a.port_file + ".tmp", a.port_file)
srv.serve_forever()
