#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# connect-proxy.py - an HTTP CONNECT proxy on 127.0.0.1 for the HTTPS_PROXY tests
#
# Usage: connect-proxy.py --port-file F
#
# Listens on a free 127.0.0.1 port (written to F), answers `CONNECT HOST:PORT` by
# connecting to HOST:PORT (loopback names only: 127.0.0.1, localhost, ::1) and relaying
# both ways; anything else gets a 405. Logs "connect-proxy: CONNECT HOST:PORT" to stderr.
import argparse, os, select, socket, socketserver, sys

ap = argparse.ArgumentParser()
ap.add_argument("--port-file", required=True)
a = ap.parse_args()


class H(socketserver.StreamRequestHandler):
    def handle(self):
        line = self.rfile.readline(4096).decode("latin-1").strip()
        while self.rfile.readline(4096) not in (b"\r\n", b"\n", b""):
            pass
        parts = line.split()
        if len(parts) != 3 or parts[0] != "CONNECT":
            self.wfile.write(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        host, _, port = parts[1].rpartition(":")
        sys.stderr.write("connect-proxy: CONNECT %s\n" % parts[1])
        sys.stderr.flush()
        if host.strip("[]") not in ("127.0.0.1", "localhost", "::1"):
            self.wfile.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return
        try:
            up = socket.create_connection((host.strip("[]"), int(port)), timeout=10)
        except OSError:
            self.wfile.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        self.wfile.flush()
        c = self.connection
        socks = [c, up]
        while True:
            r, _, _ = select.select(socks, [], [], 60)
            if not r:
                break
            for s in r:
                data = s.recv(65536)
                if not data:
                    up.close()
                    return
                (up if s is c else c).sendall(data)


class S(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


srv = S(("127.0.0.1", 0), H)
with open(a.port_file + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(a.port_file + ".tmp", a.port_file)
srv.serve_forever()
