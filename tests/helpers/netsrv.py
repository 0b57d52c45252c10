#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# netsrv.py - tiny servers and clients for the network tests (loopback only)
#
#   netsrv.py freeport                     print a free TCP+UDP port on 127.0.0.1
#   netsrv.py tcpecho ADDR PORT READY      answer one line with "echo:LINE", forever
#   netsrv.py dns ADDR PORT READY          DNS: every A query gets 192.0.2.42
#   netsrv.py dnsquery ADDR PORT NAME      ask ADDR:PORT for NAME's A record, print it
#   netsrv.py ping ADDR                    one ICMP echo over a ping socket (no raw socket), print "reply"
#   netsrv.py udpsink ADDR PORT READY OUT  append every datagram received, and a newline, to OUT
# READY is a file written once the socket is bound.
import socket
import struct
import sys


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def ready(path):
    with open(path, "w") as f:
        f.write("ready\n")


def freeport():
    # free for TCP on every IPv4 and IPv6 address and for UDP on 127.0.0.1
    for _ in range(50):
        t = socket.socket()
        t.bind(("0.0.0.0", 0))
        port = t.getsockname()[1]
        try:
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            u.bind(("127.0.0.1", port))
            try:
                t6 = socket.socket(socket.AF_INET6)
            except OSError:
                t6 = None
            if t6:
                t6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                t6.bind(("::", port))
        except OSError:
            continue
        print(port)
        return
    sys.exit(1)


def tcpecho(addr, port, rd):
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, int(port)))
    s.listen(16)
    ready(rd)
    while True:
        c, _ = s.accept()
        c.settimeout(5)
        try:
            c.sendall(b"echo:" + c.recv(4096))
        except OSError:
            pass
        c.close()


def dns(addr, port, rd):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.bind((addr, int(port)))
    ready(rd)
    while True:
        q, peer = s.recvfrom(512)
        if len(q) < 17:
            continue
        qid = struct.unpack("!H", q[:2])[0]
        i = 12
        while i < len(q) and q[i]:
            i += q[i] + 1
        qtype = struct.unpack("!H", q[i + 1:i + 3])[0]
        ans, n = b"", 0
        if qtype == 1:
            ans = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton("192.0.2.42")
            n = 1
        s.sendto(struct.pack("!HHHHHH", qid, 0x8180, 1, n, 0, 0) + q[12:i + 5] + ans, peer)


def dnsquery(addr, port, name):
    q = struct.pack("!HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack("!HH", 1, 1)
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.settimeout(3)
    for _ in range(3):
        s.sendto(q, (addr, int(port)))
        try:
            r = s.recv(512)
        except socket.timeout:
            continue
        an = struct.unpack("!H", r[6:8])[0]
        if an and len(r) >= 4:
            print(socket.inet_ntoa(r[-4:]))
            return
        sys.exit(2)
    sys.exit(1)


def udpsink(addr, port, rd, out):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.bind((addr, int(port)))
    ready(rd)
    while True:
        d = s.recv(2048)
        with open(out, "ab") as f:
            f.write(d + b"\n")


def ping(addr):
    v6 = ":" in addr
    if v6:
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM, socket.IPPROTO_ICMPV6)
        req = struct.pack("!BBHHH", 128, 0, 0, 0, 1) + b"sandbox"
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP)
        req = struct.pack("!BBHHH", 8, 0, 0, 0, 1) + b"sandbox"
    s.settimeout(3)
    s.sendto(req, (addr, 0))
    r = s.recv(512)
    if r[0] in (0, 129):
        print("reply")
        return
    sys.exit(1)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"freeport": freeport, "tcpecho": tcpecho, "dns": dns, "dnsquery": dnsquery, "ping": ping, "udpsink": udpsink}[cmd](*args)
