#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# prompt.py - milliseconds from starting an interactive command on a pty to its
#             first shell prompt (`$ ` or `# ` at the end of the output)
#
# Usage: prompt.py RUNS CMD [ARG...]   prints the median in ms, or "n/a"
import os
import pty
import re
import select
import statistics
import sys
import time

PROMPT = re.compile(rb"[$#>] ?$")
ESCAPES = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def once(argv, timeout=20.0):
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    start = time.monotonic()
    buf = b""
    took = None
    while time.monotonic() - start < timeout:
        r, _, _ = select.select([fd], [], [], 0.5)
        if not r:
            continue
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        buf += data
        if b"\x1b[6n" in data:
            os.write(fd, b"\x1b[1;1R")  # answer a cursor position query (busybox sh)
        text = ESCAPES.sub(b"", buf).rstrip(b"\r\n ")
        if PROMPT.search(text):
            took = (time.monotonic() - start) * 1000
            break
    try:
        os.write(fd, b"exit\r")
    except OSError:
        pass
    end = time.monotonic() + 10
    while time.monotonic() < end:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        try:
            r, _, _ = select.select([fd], [], [], 0.2)
            if r:
                os.read(fd, 4096)
        except OSError:
            pass
    else:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    os.close(fd)
    return took


def main():
    runs = int(sys.argv[1])
    argv = sys.argv[2:]
    times = [t for t in (once(argv) for _ in range(runs)) if t is not None]
    print("%.2f" % statistics.median(times) if len(times) >= max(1, runs // 2) else "n/a")


main()
