#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# token-service.py - a Docker-style token service (the Bearer realm) for Debian's docker-registry
#
# Usage: token-service.py --cert C --key K --port-file F --sign-key SK --sign-cert SC
#                         [--service S] [--issuer I] [--user U:P]
#
# Serves GET /token?service=S&scope=...(repeatable) over HTTPS on 127.0.0.1 (a free port,
# written to F) and answers {"token", "access_token", "expires_in", "issued_at"}: a JWT
# signed RS256 with SK by the openssl CLI, whose header's x5c is SC (SK's self-signed
# certificate, the registry's `auth: token: rootcertbundle`), claims iss I, aud S.
# Policy: Basic U:P (default tester:s3cret) gets pull and push on every repository;
# anonymous requests get pull on repositories not under `private/` (and a token without
# that access otherwise, as Docker Hub does); other Basic credentials get a 401.
# Every request is logged to stderr (method, path and query).
import argparse, base64, http.server, json, os, pathlib, ssl, subprocess, sys, time, urllib.parse

ap = argparse.ArgumentParser()
ap.add_argument("--cert", required=True)
ap.add_argument("--key", required=True)
ap.add_argument("--port-file", required=True)
ap.add_argument("--sign-key", required=True)
ap.add_argument("--sign-cert", required=True)
ap.add_argument("--service", default="sandbox-test-registry")
ap.add_argument("--issuer", default="sandbox-test-issuer")
ap.add_argument("--user", default="tester:s3cret")
a = ap.parse_args()

# the PEM body is the base64 of the DER certificate, what x5c holds
pem = open(a.sign_cert).read()
X5C = "".join(pem.split("-----BEGIN CERTIFICATE-----")[1].split("-----END CERTIFICATE-----")[0].split())


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def jwt(claims):
    head = b64url(json.dumps({"typ": "JWT", "alg": "RS256", "x5c": [X5C]}).encode())
    body = b64url(json.dumps(claims).encode())
    signed = (head + "." + body).encode()
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", a.sign_key], input=signed,
                         stdout=subprocess.PIPE, check=True).stdout
    return head + "." + body + "." + b64url(sig)


def grant(scope, user):
    """The access entry for one `type:name:actions` scope, or None."""
    parts = scope.split(":")
    if len(parts) < 3 or parts[0] != "repository":
        return None
    name, wanted = ":".join(parts[1:-1]), parts[-1].split(",")
    if user:
        allowed = {"pull", "push"}
    elif not name.startswith("private/"):
        allowed = {"pull"}
    else:
        allowed = set()
    return {"type": "repository", "name": name, "actions": [x for x in wanted if x in allowed]}


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("token-service: %s %s\n" % (self.command, self.path))

    def send(self, code, body, headers=()):
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        if u.path != "/token":
            return self.send(404, b'{"details":"not found"}')
        q = urllib.parse.parse_qs(u.query)
        if q.get("service") != [a.service]:
            return self.send(400, b'{"details":"unknown service"}')
        user = None
        h = self.headers.get("Authorization")
        if h:
            if h != "Basic " + base64.b64encode(a.user.encode()).decode():
                return self.send(401, b'{"details":"incorrect username or password"}',
                                 [("WWW-Authenticate", 'Basic realm="sandbox-test-token"')])
            user = a.user.split(":")[0]
        now = int(time.time())
        access = [g for s in q.get("scope", []) for g in [grant(s, user)] if g]
        tok = jwt({"iss": a.issuer, "sub": user or "", "aud": a.service, "exp": now + 300,
                   "nbf": now - 10, "iat": now, "jti": b64url(os.urandom(12)), "access": access})
        sys.stderr.write("token-service: granted %s to %s\n" % (json.dumps(access), user or "anonymous"))
        self.send(200, json.dumps({"token": tok, "access_token": tok, "expires_in": 300,
                                   "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))}).encode())


ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(a.cert, a.key)
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
# written whole (renamed into place): the test polls for it
pathlib.Path(a.port_file + ".tmp").write_text(str(srv.server_port))
os.replace(a.port_file + ".tmp", a.port_file)
srv.serve_forever()
