#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mk-test-images.sh - image archives for the image store tests, made from the busybox rootfs
#
# Usage: rootfs-tools/mk-test-images.sh ROOTFS DEST [VICTIM]
#
# ROOTFS is a directory made by mk-busybox-rootfs.sh. Everything is written with
# python3's tarfile (plain tar, gzip) and the `zstd` tool when it is installed;
# nothing is downloaded. DEST gets:
#   docker.tar        docker-archive (`docker save` layout), RepoTags testimg:v1, 3 layers:
#                     1 the rootfs (pax: a 200-character name, user.* xattr, a uid-1000
#                     file, a setuid file, a hardlink, an absolute symlink), 2 (GNU long
#                     names) a whiteout and an opaque directory, 3 one file; a config with
#                     Entrypoint, Cmd, Env, WorkingDir, User, Labels
#   oci/, oci.tar     the same image as an OCI layout (gzip layers; layer 3 zstd when the
#                     zstd tool exists), ref.name `v1`
#   many.tar          OCI layout tar with 128 layers (the rootfs, then one file each)
#   rootfs.tar.gz, rootfs.tar.zst (if zstd), rootfs.tar   plain rootfs tarballs
#   bad/              digest-mismatch/, diffid-mismatch/ (OCI layouts), badjson/ (OCI layout
#                     with a broken index.json), truncated.tar.gz, schema1/ (OCI layout whose
#                     manifest is schema 1)
#   hostile/          rootfs tarballs that try to write to VICTIM (default DEST/victim, which
#                     gets one file `secret`): dotdot, absolute, symlink-through, symlink-up,
#                     hardlink-out, whiteout-dotdot
set -euo pipefail

[ "$#" -ge 2 ] || { echo "usage: $0 ROOTFS DEST [VICTIM]" >&2; exit 2; }
rootfs=$1
dest=$2
victim=${3:-$2/victim}
mkdir -p "$dest" "$victim"
dest=$(cd "$dest" && pwd)
victim=$(cd "$victim" && pwd)
echo "secret" >"$victim/secret"
zstd_bin=$(command -v zstd || true)

python3 - "$rootfs" "$dest" "$victim" "$zstd_bin" <<'PY'
import gzip, hashlib, io, json, os, shutil, subprocess, sys, tarfile

rootfs, dest, victim, zstd = sys.argv[1:5]

def sha(b):
    return hashlib.sha256(b).hexdigest()

def info(name, typ=tarfile.REGTYPE, size=0, mode=0o644, uid=0, gid=0, link=""):
    t = tarfile.TarInfo(name)
    t.type, t.size, t.mode, t.uid, t.gid, t.linkname = typ, size, mode, uid, gid, link
    t.mtime = 1700000000
    t.uname = t.gname = ""
    return t

def add_file(tf, name, data=b"", **kw):
    tf.addfile(info(name, size=len(data), **kw), io.BytesIO(data))

def base_layer():
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        def reset(t):
            t.uid = t.gid = 0
            t.uname = t.gname = ""
            return t
        tf.add(rootfs, arcname=".", filter=reset)
        tf.addfile(info("data", tarfile.DIRTYPE, mode=0o755))
        add_file(tf, "data/a", b"hardlinked\n")
        tf.addfile(info("data/b", tarfile.LNKTYPE, link="data/a"))
        tf.addfile(info("data/dir", tarfile.DIRTYPE, mode=0o755))
        add_file(tf, "data/dir/x", b"x\n")
        add_file(tf, "data/dir/y", b"y\n")
        add_file(tf, "data/gone", b"gone\n")
        tf.addfile(info("data/abslink", tarfile.SYMTYPE, link="/etc/passwd"))
        add_file(tf, "home/tester/owned", b"mine\n", uid=1000, gid=1000)
        add_file(tf, "bin/suid", b"#!/bin/sh\necho suid\n", mode=0o4755)
        add_file(tf, "data/" + "l" * 200, b"long pax name\n")
        t = info("data/xattr", size=3)
        t.pax_headers = {"SCHILY.xattr.user.test": "hello"}
        tf.addfile(t, io.BytesIO(b"xa\n"))
    return buf.getvalue()

def layer2():
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
        add_file(tf, "data/.wh.gone")
        tf.addfile(info("data/dir", tarfile.DIRTYPE, mode=0o755))
        add_file(tf, "data/dir/.wh..wh..opq")
        add_file(tf, "data/dir/z", b"z\n")
        add_file(tf, "etc/layer2", b"layer2\n")
        add_file(tf, "data/" + "g" * 150, b"long gnu name\n")
    return buf.getvalue()

def layer3():
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        add_file(tf, "etc/layer3", b"layer3\n")
    return buf.getvalue()

def gz(b):
    return gzip.compress(b, compresslevel=6, mtime=0)

def zst(b):
    return subprocess.run([zstd, "-q", "-c"], input=b, stdout=subprocess.PIPE, check=True).stdout

def config(diff_ids, extra=None):
    c = {"created": "2026-01-01T00:00:00Z", "architecture": "amd64", "os": "linux",
         "config": {"Entrypoint": ["/bin/sh", "-c"],
                    "Cmd": ["echo default:$FOO:$(pwd):$(id -u)"],
                    "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "FOO=bar"],
                    "WorkingDir": "/data", "User": "tester",
                    "Labels": {"org.example.test": "yes"}},
         "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha(d) for d in diff_ids]}}
    if extra:
        c.update(extra)
    return json.dumps(c).encode()

plain = [base_layer(), layer2(), layer3()]

# docker-archive
d = os.path.join(dest, "docker.tar")
with tarfile.open(d, "w") as tf:
    cfg = config(plain)
    cname = sha(cfg) + ".json"
    add_file(tf, cname, cfg)
    names = []
    for i, l in enumerate(plain):
        n = "%s/layer.tar" % sha(l)
        tf.addfile(info(sha(l), tarfile.DIRTYPE, mode=0o755))
        add_file(tf, n, l)
        names.append(n)
    add_file(tf, "manifest.json", json.dumps([{"Config": cname, "RepoTags": ["testimg:v1"], "Layers": names}]).encode())
    add_file(tf, "repositories", b"{}")

def oci_layout(path, layers, comp, cfg=None, manifest_hook=None, ref="v1", index_text=None):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(os.path.join(path, "blobs", "sha256"))
    def put(b):
        with open(os.path.join(path, "blobs", "sha256", sha(b)), "wb") as f:
            f.write(b)
        return "sha256:" + sha(b)
    descs = []
    for l, c in zip(layers, comp):
        blob = gz(l) if c == "gzip" else zst(l) if c == "zstd" else l
        mt = "application/vnd.oci.image.layer.v1.tar" + ("+" + c if c else "")
        descs.append({"mediaType": mt, "digest": put(blob), "size": len(blob)})
    cfg = cfg if cfg is not None else config(layers)
    m = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
         "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": put(cfg), "size": len(cfg)},
         "layers": descs}
    if manifest_hook:
        manifest_hook(m)
    mb = json.dumps(m).encode()
    idx = {"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
           "digest": put(mb), "size": len(mb), "annotations": {"org.opencontainers.image.ref.name": ref},
           "platform": {"architecture": "amd64", "os": "linux"}}]}
    with open(os.path.join(path, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion": "1.0.0"}')
    with open(os.path.join(path, "index.json"), "w") as f:
        f.write(index_text if index_text is not None else json.dumps(idx))

def tar_dir(src, out):
    with tarfile.open(out, "w") as tf:
        for e in sorted(os.listdir(src)):
            tf.add(os.path.join(src, e), arcname=e)

comp = ["gzip", "gzip", "zstd" if zstd else "gzip"]
oci_layout(os.path.join(dest, "oci"), plain, comp)
tar_dir(os.path.join(dest, "oci"), os.path.join(dest, "oci.tar"))

# 128 layers
many = [plain[0]]
for i in range(1, 128):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        add_file(tf, "layers/%03d" % i, b"%d\n" % i)
    many.append(buf.getvalue())
oci_layout(os.path.join(dest, "many"), many, ["gzip"] * 128,
           cfg=json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                           "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha(l) for l in many]}}).encode(),
           ref="latest")
tar_dir(os.path.join(dest, "many"), os.path.join(dest, "many.tar"))
shutil.rmtree(os.path.join(dest, "many"))

# plain rootfs tarballs
with open(os.path.join(dest, "rootfs.tar"), "wb") as f:
    f.write(plain[0])
with open(os.path.join(dest, "rootfs.tar.gz"), "wb") as f:
    f.write(gz(plain[0]))
if zstd:
    with open(os.path.join(dest, "rootfs.tar.zst"), "wb") as f:
        f.write(zst(plain[0]))

# bad inputs
bad = os.path.join(dest, "bad")
os.makedirs(bad, exist_ok=True)
small = [layer3()]
oci_layout(os.path.join(bad, "digest-mismatch"), small, ["gzip"])
blobdir = os.path.join(bad, "digest-mismatch", "blobs", "sha256")
lay = "sha256:" + sha(gz(small[0]))
with open(os.path.join(blobdir, lay[7:]), "ab") as f:
    f.write(b"tampered")
oci_layout(os.path.join(bad, "diffid-mismatch"), small, ["gzip"],
           cfg=config([b"something else"]))
oci_layout(os.path.join(bad, "badjson"), small, ["gzip"], index_text='{"schemaVersion": 2, "manifests": [')
def schema1(m):
    m["schemaVersion"] = 1
oci_layout(os.path.join(bad, "schema1"), small, ["gzip"], manifest_hook=schema1)
g = gz(plain[0])
with open(os.path.join(bad, "truncated.tar.gz"), "wb") as f:
    f.write(g[: len(g) // 2])

# hostile rootfs tarballs
h = os.path.join(dest, "hostile")
os.makedirs(h, exist_ok=True)
v = victim.lstrip("/")
def hostile(name, entries):
    with tarfile.open(os.path.join(h, name + ".tar"), "w", format=tarfile.PAX_FORMAT) as tf:
        add_file(tf, "bin/ok", b"ok\n")
        for e in entries:
            e(tf)
hostile("dotdot", [lambda tf: add_file(tf, "../" * 12 + v + "/dotdot", b"pwned\n")])
hostile("absolute", [lambda tf: add_file(tf, "/" + v + "/absolute", b"pwned\n")])
hostile("symlink-through", [lambda tf: tf.addfile(info("evil", tarfile.SYMTYPE, link="/" + v)),
                            lambda tf: add_file(tf, "evil/through", b"pwned\n")])
hostile("symlink-up", [lambda tf: tf.addfile(info("up", tarfile.SYMTYPE, link="../" * 12)),
                       lambda tf: add_file(tf, "up/" + v + "/up", b"pwned\n")])
hostile("hardlink-out", [lambda tf: tf.addfile(info("hl", tarfile.LNKTYPE, link="../" * 12 + v + "/secret"))])
hostile("whiteout-dotdot", [lambda tf: tf.addfile(info("sub", tarfile.DIRTYPE, mode=0o755)),
                            lambda tf: add_file(tf, "sub/.wh..")])
PY
echo "mk-test-images: images in $dest"
