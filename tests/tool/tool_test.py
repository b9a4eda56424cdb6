#!/usr/bin/env python3
"""cbound-tar against bsdtar: archives made here by real tools, outputs compared byte for byte.

    tool_test.py CBOUND_TAR CHECK     CHECK is one of the functions named in CHECKS below

Each check prints what it compared and exits non-zero at the first difference. Archives
come from bsdtar (several formats and filters), GNU tar, python3's tarfile and zipfile,
zip, 7z and cpio; a tool that is missing is reported and its archives left out.
"""
import gzip
import io
import json
import os
import pty
import random
import shutil
import socket
import stat
import subprocess
import sys
import tarfile
import time
import tempfile
import zipfile

TOOL = ""
ENV = dict(os.environ, LC_ALL="C.UTF-8", TZ="UTC")
MTIME = 1_600_000_000  # whole seconds: zip keeps no more
failures = []


def run(cmd, cwd=None, env=None, stdin=None):
    """Runs cmd; returns (exit code, stdout bytes, stderr text)."""
    p = subprocess.run(cmd, cwd=cwd, env=env or ENV, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def check(ok, what):
    """Records a failed expectation (the check goes on, to show every difference at once)."""
    if not ok:
        failures.append(what)
        print("FAIL:", what)


def make_tree(root):
    """The source tree: nested folders, empty and executable files, UTF-8 and odd names, links."""
    src = os.path.join(root, "src")
    os.makedirs(os.path.join(src, "a", "b", "c"))
    os.makedirs(os.path.join(src, "ünïcødé", "вложенная"))
    os.makedirs(os.path.join(src, "empty-dir"))
    files = {
        "a/one.txt": b"one\n",
        "a/b/two.txt": b"two\n" * 1000,
        "a/b/c/deep.bin": bytes(range(256)) * 64,
        "empty.txt": b"",
        "ünïcødé/файл.txt": "текст\n".encode(),
        "ünïcødé/вложенная/日本語.txt": "日本語\n".encode(),
        "with space.txt": b"space\n",
        "l" * 60 + "/" + "n" * 90 + ".txt": b"a long name\n",  # over 100 bytes: ustar prefix, GNU longname
    }
    for name, data in files.items():
        path = os.path.join(src, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    os.chmod(os.path.join(src, "a/one.txt"), 0o755)
    os.symlink("b/two.txt", os.path.join(src, "a", "to-two"))
    os.symlink("../ünïcødé/файл.txt", os.path.join(src, "a", "to-utf8"))
    os.link(os.path.join(src, "a/one.txt"), os.path.join(src, "a", "hard-one"))
    for dirpath, dirnames, filenames in os.walk(src, topdown=False):
        for n in filenames + dirnames:
            os.utime(os.path.join(dirpath, n), (MTIME, MTIME), follow_symlinks=False)
    os.utime(src, (MTIME, MTIME))
    return src


def odd_tree(root):
    """Names bsdtar escapes when listing: tab, newline, backslash, a control character."""
    src = os.path.join(root, "odd")
    os.makedirs(src)
    for name in ["tab\there", "new\nline", "back\\slash", "bell\x07", "plain"]:
        with open(os.path.join(src, name), "wb") as f:
            f.write(name.encode())
    return src


def have(tool):
    if shutil.which(tool):
        return True
    print("skipped archives made with", tool, "(not installed)")
    return False


def make_archives(root, src):
    """Every archive the tools can make of src (relative names "src/..."); {label: path}."""
    out = {}
    parent, base = os.path.dirname(src), os.path.basename(src)

    def shell(label, cmd):
        path = os.path.join(root, label)
        code, _, err = run(["sh", "-c", cmd.format(out=path, src=base)], cwd=parent)
        if code == 0:
            out[label] = path
        else:
            check(False, f"making {label}: {err.strip()}")

    if have("bsdtar"):
        for fmt in ["pax", "ustar", "gnutar", "cpio", "newc", "zip", "7zip"]:
            shell(f"bsdtar-{fmt}", "bsdtar --format " + fmt + " -cf {out} {src}")
        for flag, ext in [("-z", "gz"), ("-j", "bz2"), ("-J", "xz"), ("--zstd", "zst"), ("--lz4", "lz4")]:
            shell(f"bsdtar-pax.{ext}", "bsdtar " + flag + " -cf {out} {src}")
    if have("tar"):
        for fmt in ["gnu", "posix", "ustar"]:
            shell(f"gnutar-{fmt}", "tar --format=" + fmt + " -cf {out} {src}")
        shell("gnutar-gnu.gz", "tar --format=gnu -czf {out} {src}")
    for label, fmt in [("tarfile-pax", tarfile.PAX_FORMAT), ("tarfile-gnu", tarfile.GNU_FORMAT)]:
        path = os.path.join(root, label)
        with tarfile.open(path, "w", format=fmt) as t:
            t.add(src, arcname=base)
        out[label] = path
    path = os.path.join(root, "zipfile.zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(src, base)  # the folder itself, so both extractions restore its time
        for dirpath, dirnames, filenames in sorted(os.walk(src)):
            for n in sorted(dirnames + filenames):
                full = os.path.join(dirpath, n)
                if not os.path.islink(full):  # zipfile cannot store symlinks
                    z.write(full, os.path.relpath(full, parent))
    out["zipfile.zip"] = path
    if have("zip"):
        shell("zip.zip", "zip -q -r -y {out} {src}")
    if have("7z"):
        shell("7z.7z", "7z a -snl -bd {out} {src} >/dev/null")
    if have("cpio"):
        for fmt in ["newc", "odc"]:
            shell(f"cpio-{fmt}", "find {src} | cpio --quiet -o -H " + fmt + " > {out}")
    return out


def snapshot(root):
    """{relative path: (type, perms, mtime, content or link target, hard-link group)} of a tree."""
    tree, inodes = {}, {}
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            full = os.path.join(dirpath, n)
            st = os.lstat(full)
            rel = os.path.relpath(full, root)
            if stat.S_ISLNK(st.st_mode):
                tree[rel] = ("symlink", None, st.st_mtime_ns, os.readlink(full))
            elif stat.S_ISDIR(st.st_mode):
                tree[rel] = ("dir", stat.S_IMODE(st.st_mode), st.st_mtime_ns, None)
            else:
                with open(full, "rb") as f:
                    tree[rel] = ("file", stat.S_IMODE(st.st_mode), st.st_mtime_ns, f.read())
                if st.st_nlink > 1:
                    inodes.setdefault(st.st_ino, []).append(rel)
    groups = sorted(sorted(g) for g in inodes.values())
    return tree, groups


def compare_trees(label, expected_root, got_root, links=True):
    want, want_links = snapshot(expected_root)
    have_, have_links = snapshot(got_root)
    for path in sorted(set(want) | set(have_)):
        check(want.get(path) == have_.get(path),
              f"{label}: {path!r}: expected {str(want.get(path))[:80]}, got {str(have_.get(path))[:80]}")
    if links:
        check(want_links == have_links, f"{label}: hard links {want_links} != {have_links}")


# --- checks ----------------------------------------------------------------------------

def check_list(root):
    """cbound-tar list == bsdtar -tf, byte for byte, for every archive (and escaped odd names)."""
    archives = make_archives(root, make_tree(root))
    odd = odd_tree(root)
    for fmt in ["pax", "gnutar", "zip", "cpio"]:
        path = os.path.join(root, "odd-" + fmt)
        run(["bsdtar", "--format", fmt, "-cf", path, "odd"], cwd=root)
        archives["odd-" + fmt] = path
    # Names that are not UTF-8: a latin-1 GNU tar name and raw bytes in cpio, printed as octal escapes.
    latin1 = os.path.join(root, "latin1-gnu")
    with tarfile.open(latin1, "w", format=tarfile.GNU_FORMAT, encoding="latin-1") as t:
        info = tarfile.TarInfo("caf\u00e9-latin1.txt")
        t.addfile(info)
    archives["latin1-gnu"] = latin1
    raw = os.path.join(root, "raw-names")
    os.makedirs(os.path.join(root, os.fsdecode(b"raw-\xff\xfe")))
    run(["sh", "-c", "find raw-* | cpio --quiet -o -H newc > raw-names"], cwd=root)
    archives["raw-names"] = raw
    for locale in ["C.UTF-8", "C"]:
        env = dict(ENV, LC_ALL=locale)
        for label, path in sorted(archives.items()):
            if locale == "C" and (label.startswith("7z") or label.endswith(("zip", "7zip"))):
                # zip and 7z names are Unicode: in ASCII bsdtar drops the ones it cannot convert,
                # while cbound always reads names as UTF-8 (and escapes them like bsdtar).
                continue
            want_code, want, err = run(["bsdtar", "-tf", path], env=env)
            code, got, err2 = run([TOOL, "list", path], env=env)
            check(code == 0, f"list {label} ({locale}) exits {code}: {err2}")
            check(got == want, f"list {label} ({locale}) differs from bsdtar -tf:\n{want!r}\n{got!r}")
            print(f"list {label} ({locale}): {len(got.splitlines())} names, bsdtar exit {want_code}")
    assert os.path.isdir(odd)


def metadata_archive(root):
    """A tar of what -l shows differently: devices, FIFO, special mode bits, missing or long
    owner names, recent, old and future times (the time column switches format)."""
    path = os.path.join(root, "metadata.tar")
    now = int(time.time())
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as t:
        def add(name, kind=tarfile.REGTYPE, mode=0o644, mtime=MTIME, uname="user", gname="group", uid=1000,
                data=b"", **extra):
            info = tarfile.TarInfo(name)
            info.type, info.mode, info.mtime, info.uname, info.gname, info.uid = kind, mode, mtime, uname, gname, uid
            info.size = len(data)
            for k, v in extra.items():
                setattr(info, k, v)
            t.addfile(info, io.BytesIO(data))
        add("fifo", tarfile.FIFOTYPE)
        add("char", tarfile.CHRTYPE, devmajor=4, devminor=64)
        add("block", tarfile.BLKTYPE, devmajor=8, devminor=1)
        add("setuid", mode=0o4755, data=b"x")
        add("setgid-no-exec", mode=0o2644)
        add("sticky", tarfile.DIRTYPE, mode=0o1777)
        add("sticky-no-exec", tarfile.DIRTYPE, mode=0o1776)
        add("no-owner-names", uname="", gname="", uid=4321, gid=8765, data=b"abc")
        add("long-owner", uname="a-very-long-user-name", gname="an-even-longer-group-name", data=b"1" * 123456)
        add("recent", mtime=now - 3600)
        add("future", mtime=now + 400 * 86400)
        add("link", tarfile.SYMTYPE, linkname="setuid")
        add("hard", tarfile.LNKTYPE, linkname="setuid")
    return path


def check_long_and_json(root):
    """list -l == bsdtar -tvf byte for byte (TZ=UTC); list --json parses and agrees with bsdtar's names."""
    archives = make_archives(root, make_tree(root))
    archives["metadata.tar"] = metadata_archive(root)
    for label, path in sorted(archives.items()):
        _, want, _ = run(["bsdtar", "-tvf", path])
        code, got, err = run([TOOL, "list", "-l", path])
        check(code == 0 and got == want, f"list -l {label} (exit {code} {err}) differs from bsdtar -tvf:\n"
              + want.decode(errors="replace") + "\n" + got.decode(errors="replace"))
        _, names, _ = run(["bsdtar", "-tf", path])
        code, out, err = run([TOOL, "list", "--json", path])
        check(code == 0, f"list --json {label} exits {code}: {err}")
        entries = json.loads(out)
        check(len(entries) == len(names.splitlines()), f"list --json {label}: {len(entries)} entries")
        by_name = {e["path"]: e for e in entries}
        if label != "metadata.tar":
            one = by_name.get("src/a/one.txt")
            check(one is not None and one["type"] in ("regular", "hardlink") and one["mode"] == 0o755,
                  f"list --json {label}: src/a/one.txt is {one}")
            data = by_name.get("src/a/b/c/deep.bin")
            check(data is not None and data["size"] == 256 * 64 and data["mtime"] == MTIME,
                  f"list --json {label}: src/a/b/c/deep.bin is {data}")
            link = by_name.get("src/a/to-two")
            if link is not None:
                check(link.get("symlink") == "b/two.txt", f"list --json {label}: symlink {link}")
        print(f"list -l and --json {label}: {len(entries)} entries")
    meta = {e["path"]: e for e in json.loads(run([TOOL, "list", "--json", archives["metadata.tar"]])[1])}
    check(meta["setuid"]["mode"] == 0o4755 and meta["fifo"]["type"] == "fifo" and meta["hard"]["hardlink"] == "setuid"
          and meta["no-owner-names"]["uid"] == 4321 and meta["no-owner-names"].get("uname", "") == "",
          f"list --json metadata.tar: {meta}")
    # Owner names that would drive a terminal: bsdtar 3.6 prints them raw, cbound-tar escapes
    # them as bsdtar escapes pathnames (so here, and only here, the two differ).
    path = os.path.join(root, "odd-owner.tar")
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as t:
        info = tarfile.TarInfo("odd-owner")
        info.uname, info.gname, info.mtime = "u\x1b[31m\nx", "g\x07\\", MTIME
        t.addfile(info)
    code, got, _ = run([TOOL, "list", "-l", path])
    check(code == 0 and b"\x1b" not in got and b"\x07" not in got and got.count(b"\n") == 1
          and b" u\\033[31m\\nx g\\a\\\\ " in got, f"list -l prints owner names raw: {got!r}")
    # JSON strings stay valid for names with quotes and control characters.
    odd = odd_tree(root)
    with open(os.path.join(odd, 'quote"and\x01'), "w") as f:
        f.write("q")
    path = os.path.join(root, "odd.tar")
    run(["bsdtar", "-cf", path, "odd"], cwd=root)
    code, out, _ = run([TOOL, "list", "--json", path])
    names = {e["path"] for e in json.loads(out)}
    check('odd/quote"and\x01' in names and "odd/new\nline" in names, f"list --json odd names: {names}")


def check_extract(root):
    """cbound-tar extract gives the tree bsdtar -xpf gives: names, types, contents, modes, links, mtimes."""
    archives = make_archives(root, make_tree(root))
    for label, path in sorted(archives.items()):
        ref, got = os.path.join(root, "ref-" + label), os.path.join(root, "got-" + label)
        os.makedirs(ref)
        code, _, err = run(["bsdtar", "-xpf", path, "-C", ref])
        check(code == 0, f"bsdtar -xpf {label}: {err}")
        code, out, err = run([TOOL, "extract", path, "-C", got])
        check(code == 0 and err == "" and out == b"", f"extract {label} exits {code}, says {err!r}")
        # newc stores a hard link's data with its last name only, and odc repeats it with every
        # name: like bsdtar, cbound links each name to the first and writes the data through
        # the link, so every name has the data and the group shares one inode.
        if label in ("bsdtar-newc", "cpio-newc"):
            first = os.path.join(got, "src/a/hard-one")
            check(os.path.getsize(first) > 0 and os.stat(first).st_nlink > 1, f"{label}: newc hard link lost data")
        compare_trees("extract " + label, ref, got)
        print(f"extract {label}: {len(snapshot(got)[0])} paths compared")
    for policy in ["tar", "fully_trusted"]:
        got = os.path.join(root, "policy-" + policy)
        code, _, err = run([TOOL, "extract", archives["tarfile-pax"], "-C", got, "--policy", policy])
        check(code == 0, f"extract --policy {policy}: {err}")
        compare_trees("extract --policy " + policy, os.path.join(root, "ref-tarfile-pax"), got)


def check_unsafe(root):
    """The default policy refuses an escaping entry, names it, extracts the rest and exits 1."""
    path = os.path.join(root, "evil.tar")
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as t:
        for name, data in [("good.txt", b"good"), ("../escaped.txt", b"evil"), ("../\x1b]0;owned\x07\nforged", b"x")]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("out-link")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        t.addfile(link)
    dest = os.path.join(root, "dest", "inside")
    code, _, err = run([TOOL, "extract", path, "-C", dest])
    check(code == 1, f"unsafe extract exits {code}")
    check("evil.tar" in err and "../escaped.txt" in err and "out-link" in err, f"unsafe extract says {err!r}")
    # A name's control bytes never reach the terminal: escaped as bsdtar escapes them.
    check("\x1b" not in err and "\x07" not in err and "../\\033]0;owned\\a\\nforged" in err,
          f"unsafe extract prints a name raw: {err!r}")
    check(not os.path.exists(os.path.join(root, "dest", "escaped.txt")), "../escaped.txt escaped")
    check(not os.path.lexists(os.path.join(dest, "out-link")), "the absolute symlink was created")
    with open(os.path.join(dest, "good.txt"), "rb") as f:
        check(f.read() == b"good", "the safe entry was not extracted")
    # A FIFO: refused by the default policy (named on stderr), created under --policy tar.
    fifo = os.path.join(root, "fifo.tar")
    with tarfile.open(fifo, "w") as t:
        info = tarfile.TarInfo("pipe")
        info.type = tarfile.FIFOTYPE
        t.addfile(info)
    code, _, err = run([TOOL, "extract", fifo, "-C", os.path.join(root, "fifo-data")])
    check(code == 1 and "pipe" in err and "refused" in err, f"FIFO under data: exit {code}, says {err!r}")
    check(not os.path.lexists(os.path.join(root, "fifo-data", "pipe")), "the data policy created a FIFO")
    code, _, err = run([TOOL, "extract", fifo, "-C", os.path.join(root, "fifo-tar"), "--policy", "tar"])
    made = os.path.join(root, "fifo-tar", "pipe")
    check(code == 0 and os.path.lexists(made) and stat.S_ISFIFO(os.lstat(made).st_mode),
          f"FIFO under --policy tar: exit {code}, says {err!r}")


def cat_cases(archive):
    """(name, name bsdtar -xOf gives the same bytes for) for every file entry of the archive."""
    _, out, _ = run([TOOL, "list", "--json", archive])
    cases = []
    for e in json.loads(out):
        if e["type"] == "regular" or (e["type"] == "hardlink" and e.get("size", 0) > 0):
            cases.append((e["path"], e["path"]))
        elif e["type"] == "hardlink":  # tar: the link has no data of its own; cat gives its target's
            cases.append((e["path"], e["hardlink"]))
    return cases


def check_cat(root):
    """cbound-tar cat == bsdtar -xOf for every file of every archive; several names in argument order."""
    archives = make_archives(root, make_tree(root))
    for label, path in sorted(archives.items()):
        cases = cat_cases(path)
        check(len(cases) >= 8, f"cat {label}: only {len(cases)} files")
        for name, source in cases:
            _, want, _ = run(["bsdtar", "-xOf", path, source])
            code, got, err = run([TOOL, "cat", path, name])
            check(code == 0 and got == want, f"cat {label} {name!r}: exit {code} {err!r}, {len(got)} vs {len(want)} bytes")
        names = [c[0] for c in cases if c[0] == c[1]][:3][::-1]
        want = b"".join(run(["bsdtar", "-xOf", path, n])[1] for n in names)
        code, got, _ = run([TOOL, "cat", path] + names)
        check(code == 0 and got == want, f"cat {label} of {names}: not the files in argument order")
        print(f"cat {label}: {len(cases)} files")
    # A damaged archive cannot be indexed: cat streams, prints what comes before the damage
    # (as bsdtar -xOf does), then names the damage and exits 1.
    whole = os.path.join(root, "whole.tar")
    with tarfile.open(whole, "w") as t:
        for i in range(4):
            info = tarfile.TarInfo(f"part{i}")
            info.size = 100_000
            t.addfile(info, io.BytesIO(random.Random(i).randbytes(info.size)))  # gzip cannot shrink it
    with open(whole, "rb") as f:
        data = f.read()
    for label, cut in [("truncated.tar", data[:250_000]), ("truncated.tar.gz", gzip.compress(data)[:250_000])]:
        path = os.path.join(root, label)
        with open(path, "wb") as f:
            f.write(cut)
        _, want, _ = run(["bsdtar", "-xOf", path, "part0"])
        code, got, err = run([TOOL, "cat", path, "part0"])
        check(len(want) == 100_000 and got == want, f"cat {label} part0: {len(got)} bytes, bsdtar {len(want)}")
        check(code == 1 and label in err and "runcated" in err, f"cat {label}: exit {code}, says {err!r}")


def check_create(root):
    """cbound-tar create, then bsdtar reads the archive back: same names, same tree."""
    src = make_tree(root)
    for name in ["x.tar", "x.tar.gz", "x.tgz", "x.tar.bz2", "x.tar.xz", "x.tar.zst", "x.zip", "x.7z", "x.cpio",
                 "x.custom"]:
        path = os.path.join(root, name)
        extra = ["--format", "ustar", "--filter", "gzip"] if name.endswith(".custom") else []
        code, _, err = run([TOOL, "create", path] + extra + ["src"], cwd=root)
        check(code == 0 and err == "", f"create {name} exits {code}: {err}")
        want_code, want, _ = run(["bsdtar", "-tf", path])
        _, got, _ = run([TOOL, "list", path])
        check(want_code == 0 and got == want, f"create {name}: cbound-tar list differs from bsdtar -tf")
        check(b"src/a/b/c/deep.bin\n" in want, f"create {name}: bsdtar lists {want[:200]!r}")
        _, content, _ = run(["bsdtar", "-xOf", path, "src/a/b/c/deep.bin"])
        check(content == bytes(range(256)) * 64, f"create {name}: bsdtar -xOf gives {len(content)} bytes")
        out = os.path.join(root, "back-" + name)
        os.makedirs(out)
        code, _, err = run(["bsdtar", "-xpf", path, "-C", out])
        check(code == 0, f"bsdtar -xpf {name}: {err}")
        want_tree, want_links = snapshot(src)
        got_tree, got_links = snapshot(os.path.join(out, "src"))
        # Hard links come back as links from tar (and cpio, whose reader links equal inodes);
        # zip and 7z have no hard links: each name holds its own copy there.
        if not name.endswith((".zip", ".7z")):
            check(got_links == want_links, f"create {name}: hard links {got_links} != {want_links}")
        else:
            check(got_links == [], f"create {name}: hard links {got_links} where the format has none")
        for p in sorted(set(want_tree) | set(got_tree)):
            w, g = want_tree.get(p), got_tree.get(p)
            if name.endswith((".zip", ".7z")) and w and g and w[0] == "dir":
                w, g = w[:2], g[:2]  # zip and 7z writers keep no folder times bsdtar restores
            check(w == g, f"create {name}: {p!r}: {str(w)[:80]} vs {str(g)[:80]}")
        print(f"create {name}: {len(got_tree)} paths round-tripped")
    # Paths given with '../' or '/' are stored without them, as tar stores them.
    os.makedirs(os.path.join(root, "elsewhere"))
    up = os.path.join(root, "up.tar")
    code, _, err = run([TOOL, "create", up, "../src", os.path.join(src, "empty.txt")], cwd=os.path.join(root, "elsewhere"))
    _, names, _ = run(["bsdtar", "-tf", up])
    names = names.decode().splitlines()
    check(code == 0 and "src/a/one.txt" in names and src.lstrip("/") + "/empty.txt" in names
          and not any(n.startswith(("/", "..")) for n in names), f"create with ../ and / paths: {names}")
    # An archive written inside the folder it archives is left out of itself; a socket is left out
    # with a warning, as tar does; both say so on stderr and the archive is made.
    inside = os.path.join(src, "inside.tar")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(os.path.join(src, "s.sock"))
        code, _, err = run([TOOL, "create", inside, "src"], cwd=root)
    _, names, _ = run(["bsdtar", "-tf", inside])
    names = names.decode().splitlines()
    check(code == 0 and "src/a/one.txt" in names and "src/inside.tar" not in names and "src/s.sock" not in names,
          f"create into the folder itself, with a socket: exit {code}, {names}")
    check("s.sock: socket ignored" in err and "inside.tar: the archive being written is not added to itself" in err,
          f"create with a socket: stderr {err!r}")
    os.remove(inside)
    os.remove(os.path.join(src, "s.sock"))


def check_errors(root):
    """Bad input: the right exit code and a message naming the archive, the entry or the flag."""
    good = os.path.join(root, "good.tar")
    with tarfile.open(good, "w") as t:
        info = tarfile.TarInfo("there.txt")
        t.addfile(info)
    garbage = os.path.join(root, "garbage.tar")
    with open(garbage, "wb") as f:
        f.write(bytes((i * 37 + 11) % 256 for i in range(5000)))
    missing = os.path.join(root, "missing.tar")
    cut = os.path.join(root, "cut.tar")  # the data of its second entry ends early
    with tarfile.open(cut, "w") as t:
        for name in ["first.bin", "second.bin"]:
            info = tarfile.TarInfo(name)
            info.size = 50_000
            t.addfile(info, io.BytesIO(bytes(info.size)))
    with open(cut, "r+b") as f:
        f.truncate(80_000)
    cases = [
        ([TOOL, "list", missing], 1, ["missing.tar", "No such file"]),
        ([TOOL, "extract", missing, "-C", root + "/x"], 1, ["missing.tar"]),
        ([TOOL, "cat", missing, "a"], 1, ["missing.tar"]),
        ([TOOL, "list", garbage], 1, ["garbage.tar", "Unrecognized archive format"]),
        ([TOOL, "cat", garbage, "x"], 1, ["garbage.tar", "Unrecognized archive format"]),
        ([TOOL, "extract", garbage, "-C", root + "/y"], 1, ["garbage.tar", "Unrecognized archive format"]),
        ([TOOL, "cat", good, "not-there.txt"], 1, ["good.tar", "not-there.txt", "not found"]),
        ([TOOL, "extract", cut, "-C", root + "/z"], 1, ["cut.tar", "second.bin", "runcated"]),
        ([TOOL, "list", cut], 1, ["cut.tar", "runcated"]),
        ([TOOL, "list", "--bogus", good], 2, ["--bogus"]),
        ([TOOL, "cat", good, "there.txt", "-z"], 2, ["-z"]),
        ([TOOL, "frobnicate", good], 2, ["frobnicate"]),
        ([TOOL], 2, ["usage"]),
        ([TOOL, "list"], 2, ["ARCHIVE"]),
        ([TOOL, "cat", good], 2, ["PATH"]),
        ([TOOL, "extract", good, "-C"], 2, ["-C"]),
        ([TOOL, "extract", good, "--policy", "lax"], 2, ["lax"]),
        ([TOOL, "create", os.path.join(root, "new.unknown"), good], 2, ["--format"]),
        ([TOOL, "create", os.path.join(root, "new.tar"), "--format", "nope", good], 2, ["nope"]),
        ([TOOL, "create", os.path.join(root, "new2.tar"), os.path.join(root, "absent")], 1, ["absent"]),
    ]
    for cmd, want_code, words in cases:
        code, out, err = run(cmd)
        shown = " ".join(os.path.basename(c) for c in cmd)
        check(code == want_code, f"{shown}: exit {code}, expected {want_code} ({err.strip()})")
        for w in words:
            check(w in err, f"{shown}: stderr {err!r} does not mention {w!r}")
    check(not os.path.exists(os.path.join(root, "new2.tar")), "a failed create left an archive behind")
    check(os.path.getsize(os.path.join(root, "z", "first.bin")) == 50_000
          and not os.path.exists(os.path.join(root, "z", "second.bin")),
          "extracting a truncated tar: the whole first file, and no partial second file, should be on disk")
    code, out, _ = run([TOOL, "--help"])
    check(code == 0 and b"usage: cbound-tar" in out and b"extract" in out, "--help")
    code, out, _ = run([TOOL, "help"])
    check(code == 0 and b"usage: cbound-tar" in out, "help")


def check_progress(root):
    """The progress bar appears on a terminal and never when stderr is a file or pipe."""
    make_tree(root)
    path = os.path.join(root, "p.tar")
    run(["bsdtar", "-cf", path, "src"], cwd=root)
    code, _, err = run([TOOL, "extract", path, "-C", os.path.join(root, "piped")])
    check(code == 0 and err == "", f"extract to a pipe wrote {err!r} on stderr")
    master, slave = pty.openpty()
    p = subprocess.Popen([TOOL, "extract", path, "-C", os.path.join(root, "tty")], env=ENV, stderr=slave,
                         stdout=subprocess.DEVNULL)
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the other side closed
            break
        if not chunk:
            break
        shown += chunk
    check(p.wait() == 0, "extract with a terminal failed")
    os.close(master)
    entries = len(snapshot(os.path.join(root, "tty"))[0])
    check(f"{entries} entries".encode() in shown and b"/s" in shown,
          f"no progress line with {entries} entries on the terminal: {shown!r}")
    check(b"100% of the archive read" in shown, f"no share of the archive file on the terminal: {shown!r}")


def as_unprivileged(cmd):
    """cmd as a user who is refused what chmod 000 refuses: as is, or under setpriv when run as root.
    None when running as root without setpriv (root reads every file)."""
    if os.geteuid() != 0:
        return cmd
    if shutil.which("setpriv") is None:
        return None
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + cmd


def check_create_status(root):
    """create finishes the archive past what it leaves out; exit 1 for a file it could not read
    (as bsdtar), 0 for a socket or the archive itself (as bsdtar and GNU tar)."""
    src = os.path.join(root, "src")
    os.makedirs(os.path.join(src, "sub"))
    for name in ["a.txt", "sub/b.txt"]:
        with open(os.path.join(src, name), "w") as f:
            f.write(name)
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(os.path.join(src, "s.sock"))
        out = os.path.join(root, "sock.tar")
        code, _, err = run([TOOL, "create", out, "src"], cwd=root)
        want_code, _, _ = run(["bsdtar", "-cf", os.path.join(root, "sock-bsdtar.tar"), "src"], cwd=root)
    _, names, _ = run(["bsdtar", "-tf", out])
    check(code == 0 and want_code == 0 and "s.sock: socket ignored" in err and b"src/sub/b.txt" in names,
          f"create with a socket: exit {code} (bsdtar {want_code}), stderr {err!r}")
    os.remove(os.path.join(src, "s.sock"))

    # Unreadable file and folder: the run needs a user chmod 000 stops, in a place that user reaches.
    work = tempfile.mkdtemp(prefix="cbound-create-status-")
    try:
        os.chmod(work, 0o777)
        tool = os.path.join(work, "cbound-tar")
        shutil.copy(TOOL, tool)
        os.chmod(tool, 0o755)
        shutil.copytree(src, os.path.join(work, "src"))
        for dirpath, dirnames, filenames in os.walk(os.path.join(work, "src")):
            os.chmod(dirpath, 0o777)
            for n in filenames:
                os.chmod(os.path.join(dirpath, n), 0o666)
        os.chmod(os.path.join(work, "src", "a.txt"), 0)
        os.chmod(os.path.join(work, "src", "sub"), 0)
        ours = as_unprivileged([tool, "create", os.path.join(work, "ours.tar"), "src"])
        if ours is None:
            print("create_status: running as root without setpriv; the unreadable-file half is skipped")
            return
        # A tool linked to a libarchive built in a folder the unprivileged user cannot enter (a
        # clone under a private temporary folder) cannot even start as that user: nothing to test.
        probe_code, _, probe_err = run(ours, cwd=work)
        if probe_code == 127 and "error while loading shared libraries" in probe_err:
            print("create_status: the unprivileged user cannot load the tool's libarchive; that half is skipped")
            return
        theirs = as_unprivileged(["bsdtar", "-cf", os.path.join(work, "theirs.tar"), "src"])
        code, _, err = run(ours, cwd=work)
        want_code, _, want_err = run(theirs, cwd=work)
        _, names, _ = run(["bsdtar", "-tf", os.path.join(work, "ours.tar")])
        names = names.decode().splitlines()
        check(code == 1 and want_code == 1, f"create with unreadable files: exit {code} (bsdtar {want_code})")
        check("src/a.txt: cannot be read (Permission denied); left out" in err and "src/sub: " in err,
              f"create with unreadable files: stderr {err!r} (bsdtar said {want_err!r})")
        check(names[:1] == ["src/"] and "src/a.txt" not in names, f"create with unreadable files: archive holds {names}")
        print(f"create_status: exit {code} as bsdtar's {want_code}; {names}")
    finally:
        for dirpath, dirnames, filenames in os.walk(work):
            for n in dirnames:
                os.chmod(os.path.join(dirpath, n), 0o755)
        os.chmod(os.path.join(work, "src", "sub"), 0o755)
        shutil.rmtree(work)


def check_reproducible(root):
    """create under SOURCE_DATE_EPOCH: later times clamped to it, as GNU tar's --clamp-mtime --mtime=@N."""
    src = make_tree(root)
    epoch = MTIME - 1000  # earlier than the tree's times, so they are all clamped
    old = os.path.join(src, "a", "b", "two.txt")
    os.utime(old, (epoch - 50, epoch - 50))  # earlier still: kept
    env = dict(ENV, SOURCE_DATE_EPOCH=str(epoch))
    ours = os.path.join(root, "ours.tar")
    code, _, err = run([TOOL, "create", ours, "src"], cwd=root, env=env)
    check(code == 0 and err == "", f"create under SOURCE_DATE_EPOCH: exit {code}, {err!r}")
    with tarfile.open(ours) as t:
        times = {m.name: int(m.mtime) for m in t.getmembers()}
    check(times.get("src/a/b/two.txt") == epoch - 50 and times.get("src/a/one.txt") == epoch
          and times.get("src") == epoch and max(times.values()) == epoch, f"clamped times: {times}")
    theirs = os.path.join(root, "theirs.tar")
    code, _, _ = run(["tar", "--sort=name", f"--mtime=@{epoch}", "--clamp-mtime", "-cf", theirs, "src"], cwd=root)
    if code == 0:
        with tarfile.open(theirs) as t:
            want = {m.name.rstrip("/"): int(m.mtime) for m in t.getmembers()}
        check(times == want, f"clamped times differ from GNU tar's: {set(times.items()) ^ set(want.items())}")
    else:
        print("reproducible: GNU tar cannot --clamp-mtime here; compared with the expected times only")
    code, _, err = run([TOOL, "create", os.path.join(root, "bad.tar"), "src"], cwd=root,
                       env=dict(ENV, SOURCE_DATE_EPOCH="yesterday"))
    check(code == 2 and "SOURCE_DATE_EPOCH='yesterday' is not a number of seconds" in err,
          f"a malformed SOURCE_DATE_EPOCH: exit {code}, {err!r}")
    check(not os.path.exists(os.path.join(root, "bad.tar")), "a malformed SOURCE_DATE_EPOCH left an archive")


CHECKS = {f.__name__[len("check_"):]: f for f in [check_list, check_long_and_json, check_extract, check_unsafe,
                                                    check_cat, check_create, check_errors, check_progress,
                                                    check_create_status, check_reproducible]}


def main():
    global TOOL
    TOOL = os.path.abspath(sys.argv[1])
    name = sys.argv[2]
    base = os.environ.get("CBOUND_TEST_TMP") or tempfile.gettempdir()
    os.makedirs(base, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tool-" + name + "-", dir=base) as root:
        CHECKS[name](root)
    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
