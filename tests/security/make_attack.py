#!/usr/bin/env python3
"""Builds the archives of the extraction attack cases (tests/security).

One subcommand per case of tests/security/README.md: `make_attack.py <case> OUT [options]`
writes the archive to OUT. Everything is made at test time from Python's tarfile and
zipfile, with raw header edits where those modules refuse to express an attack, and the
real compressors or 7z where a case needs them. Nothing here is a committed binary.
"""

import argparse
import io
import os
import struct
import subprocess
import sys
import tarfile
import tempfile
import warnings
import zipfile

# Duplicate names are the point of case 17.
warnings.filterwarnings("ignore", "Duplicate name", UserWarning)

PWNED = b"pwned\n"


# --- building blocks ------------------------------------------------------------------

def tar_member(name, kind="file", data=b"", mode=0o644, target="", pax=None, devmajor=0, devminor=0):
    """A TarInfo plus its body, ready for TarFile.addfile."""
    info = tarfile.TarInfo(name)
    info.mode = mode
    info.mtime = 1_000_000_000
    info.type = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE,
                 "hardlink": tarfile.LNKTYPE, "fifo": tarfile.FIFOTYPE, "char": tarfile.CHRTYPE,
                 "block": tarfile.BLKTYPE}[kind]
    info.linkname = target
    info.size = len(data)
    info.devmajor, info.devminor = devmajor, devminor
    if pax:
        info.pax_headers = dict(pax)
    return info, data


def write_tar(out, members, fmt=tarfile.PAX_FORMAT, encoding="utf-8"):
    with tarfile.open(out, "w", format=fmt, encoding=encoding) as tf:
        for info, data in members:
            tf.addfile(info, io.BytesIO(data) if data else None)


def zip_member(name, kind="file", data=b"", mode=0o644, target=""):
    """A (ZipInfo, bytes) pair; symlinks are Unix-made entries with S_IFLNK in external_attr."""
    info = zipfile.ZipInfo(name, date_time=(2001, 9, 9, 1, 46, 40))
    info.create_system = 3  # Unix, so libarchive honours the mode bits in external_attr
    if kind == "symlink":
        info.external_attr = (0o120777 << 16)
        data = target.encode()
    elif kind == "dir":
        info.external_attr = ((0o040000 | mode) << 16) | 0x10
    else:
        info.external_attr = (0o100000 | mode) << 16
    return info, data


def write_zip(out, members, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(out, "w", compression=compression) as zf:
        for info, data in members:
            info.compress_type = compression
            zf.writestr(info, data)


def write_members(args, specs):
    """Writes `specs` (name, kind, data, mode, target) as a tar or a zip, per --kind."""
    if args.kind == "zip":
        write_zip(args.out, [zip_member(n, k, d, m, t) for n, k, d, m, t in specs])
    else:
        write_tar(args.out, [tar_member(n, k, d, m, t) for n, k, d, m, t in specs])


def f(name, data=PWNED, mode=0o644):
    return (name, "file", data, mode, "")


def link(name, target):
    return (name, "symlink", b"", 0o777, target)


def checksum(block):
    """Recomputes a ustar header checksum after a raw edit."""
    block = bytearray(block)
    block[148:156] = b" " * 8
    block[148:156] = b"%06o\0 " % sum(block)
    return bytes(block)


def raw_header(name, size_field=None, size=0, typeflag=b"0"):
    """A ustar header block; `size_field` (12 raw bytes) overrides the octal size."""
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = 1_000_000_000
    block = bytearray(info.tobuf(format=tarfile.USTAR_FORMAT))
    block[156:157] = typeflag
    if size_field is not None:
        block[124:136] = size_field
    return checksum(block)


def pad512(data):
    return data + b"\0" * (-len(data) % 512)


def pax_record(key, value):
    """One pax record "LEN key=value\\n", LEN counting itself."""
    body = b" " + key.encode() + b"=" + value + b"\n"
    n = len(body) + 1
    while len(str(n)) + len(body) != n:
        n += 1
    return str(n).encode() + body


def replace_once(blob, old, new, count):
    """Replaces exactly `count` occurrences of `old` (fails loudly if the layout changed)."""
    if blob.count(old) != count:
        sys.exit("layout changed: %r occurs %d times, expected %d" % (old, blob.count(old), count))
    return blob.replace(old, new)


# --- the cases ------------------------------------------------------------------------

def case01_dotdot(a):
    write_members(a, [f("ok.txt", b"ok\n"), f("../outside/pwned")])


def case02_absolute(a):
    write_members(a, [f("ok.txt", b"ok\n"), f(os.path.join(a.outside, "pwned"))])


def case03_inner_dotdot(a):
    write_members(a, [f("a/.."), f("sub/../ok")])


def case04_backslash(a):
    write_members(a, [f("a\\b"), f("C:x"), f("\\\\srv\\s\\x")])


def case05_empty_and_dot(a):
    name = "" if a.variant == "empty" else "."
    write_members(a, [f(name)])


def case06_pax_nul(a):
    info, data = tar_member("safe", data=PWNED, pax={"path": "safe\0../../x"})
    write_tar(a.out, [(info, data)])


def case07_deep(a):
    path = "/".join(["d" * 20] * 220) + "/deep.txt"
    write_members(a, [f(path, b"deep\n")])


def case08_names(a):
    if a.variant == "pax_utf8":
        write_tar(a.out, [tar_member("caf\u00e9-\u65e5\u672c.txt", data=b"name\n")])
    elif a.variant == "zip_utf8":
        write_zip(a.out, [zip_member("caf\u00e9-\u65e5\u672c.txt", data=b"name\n")])
    elif a.variant == "zip_cp437":
        # zipfile would store a non-ASCII name as UTF-8 with flag 0x800: write a placeholder,
        # then put CP437 0x82 ('é') in the local and central names, flag bit 11 left clear.
        buf = io.BytesIO()
        write_zip(buf, [zip_member("cafX.txt", data=b"name\n")])
        blob = replace_once(buf.getvalue(), b"cafX.txt", b"caf\x82.txt", 2)
        open(a.out, "wb").write(blob)
    elif a.variant == "gnu_latin1":
        write_tar(a.out, [tar_member("caf\u00e9.txt", data=b"name\n")], fmt=tarfile.GNU_FORMAT,
                  encoding="latin-1")


def case09_link_then_write(a):
    target = "../outside" if a.variant == "relative" else a.outside
    write_members(a, [link("lnk", target), f("lnk/pwned")])


def case10_link_alone(a):
    target = "../outside/sentinel" if a.variant == "relative" else "/etc/passwd"
    write_members(a, [link("esc", target)])


def case11_chain(a):
    if a.variant == "chain":
        write_members(a, [link("a", "b"), link("b", "../outside"), f("a/pwned")])
    else:
        # x/.. looks like "." to a lexical check, but x is dest itself, so y is dest/..
        write_members(a, [link("x", "."), link("y", "x/.."), f("y/outside/pwned")])


def case12_two_archives(a):
    if a.variant == "link":
        write_members(a, [link("x", "../outside")])
    else:
        write_members(a, [f("x/pwned")])


def case13_hardlink(a):
    target = "../outside/sentinel" if a.variant == "relative" else os.path.join(a.outside, "sentinel")
    write_tar(a.out, [tar_member("hl", "hardlink", target=target)])


def case14_hardlink_body(a):
    # pax allows a hardlink to carry data, which libarchive writes into the link target.
    info, data = tar_member("hl", "hardlink", data=PWNED, target="../outside/sentinel",
                            pax={"size": str(len(PWNED))})
    write_tar(a.out, [(info, data)])


def case15_link_then_hardlink(a):
    write_tar(a.out, [tar_member("d", "symlink", target="../outside"),
                      tar_member("hl", "hardlink", target="d/sentinel"),
                      tar_member("hl", data=PWNED)])


def case16_dir_mode(a):
    d = tar_member("foo", "dir", mode=0o777)
    l = tar_member("foo", "symlink", target="../outside")
    write_tar(a.out, [l, d] if a.variant == "link_first" else [d, l])


def case17_same_name(a):
    write_members(a, [f("x", b"one\n"), link("x", "../outside/sentinel"), f("x", b"three\n")])


def case18_existing_link(a):
    write_members(a, [f("x/pwned")] if a.variant == "dir" else [f("f")])


def case19_modes(a):
    write_tar(a.out, [tar_member("setuid", data=b"#!/bin/sh\n", mode=0o4755),
                      tar_member("setgid", "dir", mode=0o2777),
                      tar_member("open", data=b"open\n", mode=0o666)])


def case20_devices(a):
    members = {"fifo": tar_member("fifo", "fifo"),
               "char": tar_member("char", "char", devmajor=1, devminor=3),
               "block": tar_member("block", "block", devmajor=7, devminor=0)}
    write_tar(a.out, [members[a.variant]] if a.variant in members else list(members.values()))


class Zeros(io.RawIOBase):
    """A readable stream of `n` zero bytes, so bombs never sit in memory."""

    def __init__(self, n):
        self.left = n

    def readable(self):
        return True

    def readinto(self, b):
        k = min(len(b), self.left)
        b[:k] = bytes(k)
        self.left -= k
        return k


def case21_bomb(a):
    """A tar of --entries files of --mib MiB zeros each, through the real compressor."""
    tool = {"gzip": ["gzip", "-9c"], "xz": ["xz", "-T1", "-c"], "bzip2": ["bzip2", "-9c"],
            "zstd": ["zstd", "-19", "-q", "-c"]}[a.compressor]
    size = a.mib << 20
    with open(a.out, "wb") as out:
        proc = subprocess.Popen(tool, stdin=subprocess.PIPE, stdout=out)
        with tarfile.open(fileobj=proc.stdin, mode="w|", format=tarfile.PAX_FORMAT) as tf:
            for i in range(a.entries):
                info = tarfile.TarInfo("zeros%04d" % i)
                info.size = size
                tf.addfile(info, io.BufferedReader(Zeros(size)))
        proc.stdin.close()
        if proc.wait() != 0:
            sys.exit("%s failed" % tool[0])


def case22_lying_size(a):
    if a.variant == "zip":
        # Deflated 1 MiB whose local and central headers both declare 10 bytes.
        payload = bytes(range(256)) * 4096
        buf = io.BytesIO()
        write_zip(buf, [zip_member("big.bin", data=payload)], compression=zipfile.ZIP_DEFLATED)
        blob = bytearray(buf.getvalue())
        declared = struct.pack("<I", len(payload))
        blob = replace_once(bytes(blob), declared, struct.pack("<I", 10), 2)
        open(a.out, "wb").write(blob)
    elif a.variant == "tar_huge":
        # GNU base-256 size field: 2^40 bytes declared, 4 KiB follow, then the file ends.
        field = b"\x80" + (1 << 40).to_bytes(11, "big")
        open(a.out, "wb").write(raw_header("huge.bin", field) + b"x" * 4096)
    else:
        # Base-256 with the sign bit set: -1.
        blob = raw_header("negative.bin", b"\xff" * 12) + b"x" * 512 + b"\0" * 1024
        open(a.out, "wb").write(blob)


def case23_pax_smuggle(a):
    """An entry whose pax size and ustar size disagree, with a whole header in between."""
    hidden = raw_header("hidden.txt", size=len(PWNED)) + pad512(PWNED)
    if a.variant == "larger":
        pax_size, ustar_size = len(hidden), 0
    else:
        pax_size, ustar_size = 0, len(hidden)
    pax = pax_record("size", str(pax_size).encode())
    out = raw_header("PaxHeader/visible.txt", size=len(pax), typeflag=b"x") + pad512(pax)
    out += raw_header("visible.txt", size=ustar_size) + hidden
    out += raw_header("after.txt", size=3) + pad512(b"ok\n") + b"\0" * 1024
    open(a.out, "wb").write(out)


MARKER = b"FLIPME-" * 64


def case24_flipped(a):
    """A stored zip or a 7z (-mx0) with good.txt and data.bin; one byte of data.bin flipped."""
    data = bytes((i * 7 + 3) % 251 for i in range(32768)) + MARKER + bytes(range(256)) * 32
    with tempfile.TemporaryDirectory() as tmp:
        if a.kind == "zip":
            write_zip(a.out, [zip_member("good.txt", data=b"good\n"), zip_member("data.bin", data=data)])
        else:
            open(os.path.join(tmp, "good.txt"), "wb").write(b"good\n")
            open(os.path.join(tmp, "data.bin"), "wb").write(data)
            subprocess.run(["7z", "a", "-mx0", "-bd", "-bso0", os.path.abspath(a.out), "good.txt", "data.bin"],
                           cwd=tmp, check=True)
    blob = bytearray(open(a.out, "rb").read())
    at = blob.find(MARKER)
    if at < 0 or blob.find(MARKER, at + 1) >= 0:
        sys.exit("marker not found exactly once")
    blob[at + 100] ^= 0x20
    open(a.out, "wb").write(blob)


def case25_sample(a):
    """A small valid archive (a few entries of each type) for truncation and mutation."""
    if a.kind == "tar":
        members = [tar_member("dir", "dir", mode=0o755), tar_member("dir/a.txt", data=b"alpha\n" * 20),
                   tar_member("dir/link", "symlink", target="a.txt"), tar_member("b.txt", data=b"beta\n")]
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tf:
            for info, data in members:
                tf.addfile(info, io.BytesIO(data) if data else None)
        # Drop tarfile's record padding: two end blocks are enough and every offset counts.
        blob = buf.getvalue()
        end = len(blob)
        while end >= 1024 and blob[end - 1024:end] == b"\0" * 1024 and blob[end - 1536:end - 1024] == b"\0" * 512:
            end -= 512
        open(a.out, "wb").write(blob[:end])
    elif a.kind == "zip":
        write_zip(a.out, [zip_member("dir/", "dir", mode=0o755), zip_member("dir/a.txt", data=b"alpha\n" * 20),
                          zip_member("b.txt", data=b"beta\n")], compression=zipfile.ZIP_DEFLATED)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            os.mkdir(os.path.join(tmp, "dir"))
            open(os.path.join(tmp, "dir", "a.txt"), "wb").write(b"alpha\n" * 20)
            open(os.path.join(tmp, "b.txt"), "wb").write(b"beta\n")
            subprocess.run(["7z", "a", "-mx1", "-bd", "-bso0", os.path.abspath(a.out), "dir", "b.txt"],
                           cwd=tmp, check=True)


def newc_member(name, mode, ino, nlink, data=b""):
    """One newc cpio member, written by hand (no Python module writes cpio)."""
    name_b = name.encode() + b"\0"
    fields = (ino, mode, 0, 0, nlink, 1_000_000_000, len(data), 0, 0, 0, 0, len(name_b), 0)
    out = b"070701" + b"".join(b"%08X" % v for v in fields) + name_b
    out += b"\0" * (-len(out) % 4)
    return out + data + b"\0" * (-len(data) % 4)


def case26_confused_fields(a):
    """An entry whose link fields disagree with its type. libarchive's disk writer decides by
    the link fields, so a "regular file" became a symlink and was then chmod()ed through:
    an mtree `type=file link=...`, a Rock Ridge file with a symlink record (bsdtar writes the
    ISO, then the symlink's PX mode is patched to a file's), and a newc cpio FIFO followed by
    a symlink sharing its inode."""
    target = "../outside/sentinel"
    if a.variant == "mtree":
        open(a.out, "w").write("#mtree\nok type=file mode=0644\nlnk type=file link=%s mode=0777\n" % target)
    elif a.variant == "mtree_absolute":
        path = os.path.join(a.outside, "sentinel")
        open(a.out, "w").write("#mtree\nlnk type=file link=%s mode=0777\n" % path)
    elif a.variant == "iso":
        with tempfile.TemporaryDirectory() as tmp:
            open(os.path.join(tmp, "f"), "wb").write(b"ok\n")
            os.symlink(target, os.path.join(tmp, "lnk"))
            subprocess.run(["bsdtar", "--format", "iso9660", "-cf", os.path.abspath(a.out), "-C", tmp, "."],
                           check=True)
        blob = open(a.out, "rb").read()
        px = b"PX\x2c\x01" + struct.pack("<I", 0o120755) + struct.pack(">I", 0o120755)
        if blob.count(px) != 1:  # bsdtar writes a symlink's mode as 0555 or 0755 by version
            px = b"PX\x2c\x01" + struct.pack("<I", 0o120555) + struct.pack(">I", 0o120555)
        patched = b"PX\x2c\x01" + struct.pack("<I", 0o100777) + struct.pack(">I", 0o100777)
        open(a.out, "wb").write(replace_once(blob, px, patched, 1))
    elif a.variant == "cpio":
        blob = newc_member("fifo", 0o010644, 7, 2) + newc_member("lnk", 0o120777, 7, 2, target.encode())
        open(a.out, "wb").write(blob + newc_member("TRAILER!!!", 0, 0, 1))
    else:
        sys.exit("unknown variant")


def case27_through_existing_link(a):
    """Symlinks that look harmless as text but resolve through a link already in dest
    (the test plants dest/pre -> ../outside first)."""
    if a.variant == "folder":
        write_tar(a.out, [tar_member("l", "symlink", target="pre")])
    else:
        write_tar(a.out, [tar_member("l", "symlink", target="pre/sentinel")])


def case28_many_files(a):
    """--entries folders d0, d1, ... of 300 small files each, for the race tests."""
    members = []
    for d in range(a.entries):
        members.append(tar_member("d%d" % d, "dir", mode=0o755))
        members.extend(tar_member("d%d/f%d" % (d, i), data=b"%d-%d\n" % (d, i)) for i in range(300))
    write_tar(a.out, members)


def main():
    cases = {name: fn for name, fn in globals().items() if name.startswith("case") and callable(fn)}
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("case", choices=sorted(cases))
    parser.add_argument("out")
    parser.add_argument("--kind", default="tar", choices=["tar", "zip", "7z"])
    parser.add_argument("--variant", default="")
    parser.add_argument("--outside", default="", help="absolute path of work/outside")
    parser.add_argument("--compressor", default="gzip")
    parser.add_argument("--mib", type=int, default=1)
    parser.add_argument("--entries", type=int, default=1)
    args = parser.parse_args()
    cases[args.case](args)


if __name__ == "__main__":
    main()
