#!/usr/bin/env python3
"""USB import end to end, with real files under fake mount roots in a temp
folder: `--import DIR` for each hostile case, and a running player (SDL
offscreen driver) that watches the roots.

    usb_test.py BIN PNG_CHECK CASE

After every failure the test checks that the old set in media_dir is whole
(same manifest, same bytes) and that nothing was written outside media_dir
(but the report on the stick).
"""
import hashlib
import json
import threading
import random
import os
import re
import resource
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib

from harness import Fail, check, run_case

BIN, PNG_CHECK, CASE = sys.argv[1], sys.argv[2], sys.argv[3]
RUNNER = os.environ.get("USB_TEST_RUNNER", "").split()
SLOW = 4 if RUNNER else 1


# --- real picture files ------------------------------------------------------

def png_bytes(w, h, rgb=(200, 30, 30), declared=None):
    """A real PNG of w x h in one colour; `declared` overrides the header's size."""
    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    dw, dh = declared or (w, h)
    row = b"\0" + bytes(rgb) * w
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", dw, dh, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(row * h)) + chunk(b"IEND", b""))


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def magick(path, *args):
    subprocess.run(["convert", *args, path], check=True)


def pictures(w, h, seed, *paths):
    """Real pictures made by SDL_image (JPEG for .jpg, else PNG), one per path,
    each different."""
    subprocess.run([PNG_CHECK, "make", str(w), str(h), str(seed), *paths], check=True)


def jpeg(path, w, h, seed=0):
    pictures(w, h, seed, path)


def size_of(path):
    out = subprocess.run([PNG_CHECK, "shot", path, "1"], capture_output=True, text=True).stdout
    return out.split(":")[1].split(",")[0].strip()


class World:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="misato-usb-")
        self.media = os.path.join(self.dir, "data", "media")
        self.roots = os.path.join(self.dir, "roots")
        os.makedirs(os.path.join(self.roots, "pi"))
        self.key = b"misato-it-key-2026\n"
        self.conf = os.path.join(self.dir, "signage.conf")
        self.write_conf(key=True)
        self.player = None

    def write_conf(self, key=True, extra=""):
        with open(self.conf, "w") as f:
            f.write(f"media_dir = {self.media}\nstate_dir = {self.dir}/state\n"
                    f"cache_dir = {self.dir}/cache\nusb_roots = {self.roots}\nslide_seconds = 3\n")
            if key:
                f.write(f"usb_key_sha256 = {hashlib.sha256(self.key).hexdigest()}\n")
            f.write(extra)

    def stick(self, name, key=None):
        """An empty stick folder (not under the roots yet) with its signage/."""
        root = os.path.join(self.dir, "sticks", name)
        os.makedirs(os.path.join(root, "signage"))
        if key is not None:
            write(os.path.join(root, "signage", "import.key"), key)
        return root

    def run_import(self, stick, expect, runner=None, **kw):
        env = dict(os.environ, HOME=self.dir)
        r = subprocess.run((runner or RUNNER) + [BIN, "--config", self.conf, "--import", stick],
                           capture_output=True, text=True, env=env, **kw)
        print(r.stdout[-3000:])
        if expect is None:  # any outcome but a crash
            check(r.returncode in (0, 1, 2), f"--import ran (exit {r.returncode})")
            return r.stdout
        if r.returncode != expect:
            print(r.stderr[-3000:])
        check(r.returncode == expect, f"--import exits {expect} (got {r.returncode})")
        return r.stdout

    def set_state(self):
        """The imported set as it is on disk: manifest and the bytes of each file."""
        cur = os.path.join(self.media, "current")
        if not os.path.islink(cur):
            return None
        d = os.path.join(self.media, os.readlink(cur))
        man = json.load(open(os.path.join(d, "playlist.json")))
        files = {i["file"]: hashlib.sha256(open(os.path.join(d, i["file"]), "rb").read()).hexdigest()
                 for i in man["items"]}
        return man, files

    def outside_snapshot(self):
        """Every path outside media_dir with its size and mtime."""
        out = {}
        for base, dirs, files in os.walk(self.dir):
            if base.startswith(self.media):
                continue
            for n in files + dirs:
                p = os.path.join(base, n)
                if p.startswith(self.media) or n == "import-report.txt":
                    continue
                st = os.lstat(p)
                # Folders by mode only: the report on the stick touches its folder.
                out[p] = (st.st_mode,) if os.path.isdir(p) else (st.st_size, st.st_mtime_ns, st.st_mode)
        return out

    def leftovers(self):
        return [n for n in os.listdir(self.media) if n.startswith(".staging") or n == ".current.tmp"]

    def report(self, stick):
        return open(os.path.join(stick, "signage", "import-report.txt"), encoding="utf-8", newline="").read()

    def close(self):
        if self.player and self.player.poll() is None:
            self.player.kill()
            self.player.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    # --- a running player ---

    def start_player(self):
        env = dict(os.environ, SDL_VIDEODRIVER="offscreen", HOME=self.dir)
        self.logpath = os.path.join(self.dir, "player.log")
        self.log = open(self.logpath, "w")
        self.player = subprocess.Popen(RUNNER + [BIN, "--config", self.conf, "--windowed", "--size", "640x360"],
                                       stderr=self.log, env=env)
        self.wait_log("first frame on screen", 30)

    def log_text(self):
        self.log.flush()
        return open(self.logpath, encoding="utf-8", errors="replace").read()

    def wait_log(self, text, timeout, after=0):
        end = time.time() + timeout * SLOW
        while time.time() < end:
            t = self.log_text()
            i = t.find(text, after)
            if i >= 0:
                return i + len(text)
            if self.player.poll() is not None:
                raise Fail(f"the player exited ({self.player.returncode}) waiting for {text!r}")
            time.sleep(0.05)
        raise Fail(f"timed out waiting for {text!r}; log tail:\n{self.log_text()[-3000:]}")

    def stop_player(self):
        self.player.send_signal(signal.SIGTERM)
        rc = self.player.wait(timeout=30 * SLOW)
        check(rc == 0, f"the player stops on SIGTERM with 0 (got {rc})")


def first_set(w):
    """Set A: a PNG and a JPEG, imported as the base every hostile case keeps."""
    s = w.stick("A")
    write(os.path.join(s, "signage", "poster-2.png"), png_bytes(800, 600, (20, 120, 200)))
    jpeg(os.path.join(s, "signage", "poster-10.jpg"), 3000, 2000)
    out = w.run_import(s, 0)
    check("2件を取り込みました" in out, "the report says 2 were imported")
    state = w.set_state()
    check(state is not None and len(state[0]["items"]) == 2, "set A holds 2 pictures")
    return state


def check_unchanged(w, state, before, what):
    check(w.set_state() == state, f"{what}: the old set is whole (same manifest and bytes)")
    check(w.outside_snapshot() == before, f"{what}: nothing was written outside media_dir")
    check(w.leftovers() == [], f"{what}: no staging folder left behind")


# --- cases --------------------------------------------------------------------

def case_good(w):
    s = w.stick("GOOD")
    sig = os.path.join(s, "signage")
    write(os.path.join(sig, "poster-2.png"), png_bytes(800, 600, (20, 120, 200)))
    jpeg(os.path.join(sig, "poster-10.jpg"), 3000, 2000)
    jpeg(os.path.join(sig, "photo-named.jpg"), 1200, 1600, seed=7)  # a JPEG with the wrong extension
    os.rename(os.path.join(sig, "photo-named.jpg"), os.path.join(sig, "photo-named.png"))
    out = w.run_import(s, 0)
    check("3件を取り込みました" in out, "three pictures imported")
    man, files = w.set_state()
    names = [i["name"] for i in man["items"]]
    check(names == ["photo-named.png", "poster-2.png", "poster-10.jpg"],
          f"version order: poster-2 before poster-10 ({names})")
    stored = {i["name"]: i["file"] for i in man["items"]}
    check(stored["photo-named.png"].endswith(".jpg"), "a JPEG named .png is told by its bytes and kept as JPEG")
    check(stored["poster-2.png"].endswith(".png"), "a PNG stays PNG")
    cur = os.path.join(w.media, os.readlink(os.path.join(w.media, "current")))
    big = os.path.join(cur, stored["poster-10.jpg"])
    ident = size_of(big)
    check(ident == "1920x1280", f"3000x2000 scaled to cover 1920x1080 without distortion ({ident})")
    for f in files:
        check(len(f) == 20 and all(c in "0123456789abcdef" for c in f[:16]), f"own name {f}")
    rep = w.report(s)
    check("poster-10.jpg" in rep and "\r\n" in rep and "取り外せます" in rep, "the report is on the stick")
    # The pictures are slides.
    out = os.path.join(w.dir, "render")
    subprocess.run([BIN, "--config", w.conf, "--render", out, "--size", "640x360", "--at", "2026-11-24T10:00"],
                   check=True, capture_output=True, env=dict(os.environ, HOME=w.dir, SDL_VIDEODRIVER="offscreen"))
    slides = sorted(n for n in os.listdir(out) if "image-local" in n)
    check(len(slides) == 3, f"three image slides rendered: {slides}")
    # Again, in add mode from the config: the new picture joins, old ones are kept (hard links).
    w.write_conf(extra="usb_import_mode = add\n")
    s2 = w.stick("ADD")
    write(os.path.join(s2, "signage", "new.png"), png_bytes(640, 480, (250, 200, 0)))
    out = w.run_import(s2, 0)
    man2, files2 = w.set_state()
    check(len(man2["items"]) == 4 and man2["items"][-1]["name"] == "new.png", "add mode appends to the set")
    check(all(files2[k] == v for k, v in files.items()), "add mode keeps the old pictures byte for byte")
    sets = sorted(n for n in os.listdir(w.media) if n.startswith("set-"))
    check(len(sets) == 2, f"the set before stays one generation, older ones go ({sets})")


HOSTILE = {
    # name: (bytes or a maker, a phrase of the refusal in the report)
    "xcf-named.png": (b"gimp xcf v011\0" + b"\0\0\x10\0\0\0\x10\0" + b"\x00" * 200, "PNG でも JPEG でもありません"),
    "empty.png": (b"", "空のファイル"),
    "huge.png": (png_bytes(4, 4, declared=(100000, 100000)), "画素数が多すぎます"),
    "notes.txt": (b"hello\n", "PNG でも JPEG でもありません"),
}


def hostile_stick(w):
    s = w.stick("HOSTILE")
    sig = os.path.join(s, "signage")
    for name, (data, _) in HOSTILE.items():
        write(os.path.join(sig, name), data)
    magick(os.path.join(w.dir, "x.tga"), "-size", "64x64", "xc:red")
    shutil.move(os.path.join(w.dir, "x.tga"), os.path.join(sig, "tga-named.png"))
    magick(os.path.join(w.dir, "x.gif"), "-size", "64x64", "xc:green")
    shutil.move(os.path.join(w.dir, "x.gif"), os.path.join(sig, "gif-named.png"))
    jpeg(os.path.join(w.dir, "whole.jpg"), 800, 600, seed=3)
    data = open(os.path.join(w.dir, "whole.jpg"), "rb").read()
    os.unlink(os.path.join(w.dir, "whole.jpg"))
    write(os.path.join(sig, "cut.jpg"), data[: len(data) // 2])
    os.makedirs(os.path.join(w.dir, "outside"))
    write(os.path.join(w.dir, "outside", "secret.png"), png_bytes(32, 32))
    os.symlink(os.path.join(w.dir, "outside", "secret.png"), os.path.join(sig, "link.png"))
    os.link(os.path.join(w.dir, "outside", "secret.png"), os.path.join(sig, "hardlink.png"))
    try:  # a hard link to a file of the system's, where the filesystem allows one
        os.link("/etc/shadow", os.path.join(sig, "shadow.png"))
    except OSError:
        pass
    os.mkfifo(os.path.join(sig, "fifo.png"))
    write(os.path.join(sig.encode(), b"bad-\xff\xfe-name.png"), png_bytes(40, 40, (1, 2, 3)))
    os.mkdir(os.path.join(sig, "subfolder"))
    return s


def case_hostile(w):
    state = first_set(w)
    s = hostile_stick(w)
    before = w.outside_snapshot()
    w.run_import(s, 1, timeout=60)
    rep = w.report(s)
    expect = {n: why for n, (_, why) in HOSTILE.items()}
    expect.update({"tga-named.png": "PNG でも JPEG でもありません", "gif-named.png": "PNG でも JPEG でもありません",
                   "cut.jpg": "途中で切れています", "link.png": "普通のファイルではありません",
                   "fifo.png": "普通のファイルではありません", "bad-\\xFF\\xFE-name.png": "UTF-8 ではありません",
                   "hardlink.png": "普通のファイルではありません (リンク",
                   "subfolder": "普通のファイルではありません"})
    if os.path.exists(os.path.join(s, "signage", "shadow.png")):
        expect["shadow.png"] = "普通のファイルではありません (リンク"
    for name, why in expect.items():
        line = next((l for l in rep.splitlines() if l.startswith(f"  × {name}:")), "")
        check(why in line, f"{name} refused: {line.strip()}")
    check("hard link" in rep, "the hard links are named as such")
    check("取り込める画像がありませんでした" in rep, "the report says nothing was taken")
    check_unchanged(w, state, before, "hostile files")


def case_playlist(w):
    state = first_set(w)
    s = w.stick("PL")
    sig = os.path.join(s, "signage")
    write(os.path.join(sig, "b.png"), png_bytes(300, 200, (0, 90, 0)))
    write(os.path.join(sig, "a.png"), png_bytes(300, 200, (90, 0, 0)))
    write(os.path.join(sig, "unlisted.png"), png_bytes(300, 200, (0, 0, 90)))
    write(os.path.join(w.dir, "passwd.png"), png_bytes(30, 20))
    pl = {"mode": "replace", "items": [
        {"file": "b.png", "caption": "年末年始の窓口のご案内", "seconds": 20,
         "valid_from": "2026-11-01", "valid_until": "2026-12-28"},
        {"file": "../passwd.png"},
        {"file": "/etc/passwd"},
        {"file": "missing.png"},
        {"file": "a.png", "seconds": 2},
        "a.png",
    ]}
    write(os.path.join(sig, "playlist.json"), json.dumps(pl, ensure_ascii=False).encode())
    before = w.outside_snapshot()
    w.run_import(s, 1)
    rep = w.report(s)
    for name, why in [("../passwd.png", "フォルダやパスは指定できません"), ("/etc/passwd", "フォルダやパスは指定できません"),
                      ("missing.png", "見つかりません"), ("a.png", "秒数"),
                      ("unlisted.png", "プレイリストに書かれていない")]:
        line = next((l for l in rep.splitlines() if l.startswith(f"  × {name}:")), "")
        check(why in line, f"{name} refused: {line.strip()}")
    man, _ = w.set_state()
    # a.png's second line is good: taken (a bad line before it is not a "listed twice").
    check([i["name"] for i in man["items"]] == ["b.png", "a.png"], "only the good playlist lines were taken")
    item = man["items"][0]
    check(item.get("caption") == "年末年始の窓口のご案内" and item.get("seconds") == 20, "caption and seconds kept")
    check(item.get("until", 0) - item.get("from", 0) == (58 * 86400), "validity dates kept (until = end of day)")
    check(w.outside_snapshot() == before, "nothing written outside media_dir")
    # The same as text, adding; then a playlist that is not JSON stops everything.
    state = w.set_state()
    s2 = w.stick("TXT")
    write(os.path.join(s2, "signage", "c.png"), png_bytes(100, 100, (5, 5, 5)))
    write(os.path.join(s2, "signage", "playlist.txt"),
          "\ufeff# IT のメモ\nmode = add\nc.png | 15 | お知らせ |  | 2026-12-31\n".encode())
    w.run_import(s2, 0)
    man, _ = w.set_state()
    check([i["name"] for i in man["items"]] == ["b.png", "a.png", "c.png"] and man["items"][2]["caption"] == "お知らせ",
          "playlist.txt in add mode")
    # A bad line, then a good one for the same file: the good one is taken
    # (it used to be refused as "listed twice").
    s5 = w.stick("RETRY")
    write(os.path.join(s5, "signage", "e.png"), png_bytes(100, 100, (7, 70, 7)))
    write(os.path.join(s5, "signage", "playlist.txt"),
          "mode = add\ne.png | abc | 悪い行\ne.png | 10 | 良い行\n".encode())
    w.run_import(s5, 1)
    man, _ = w.set_state()
    check(man["items"][-1]["name"] == "e.png" and man["items"][-1]["caption"] == "良い行",
          "the good line after a bad one for the same file is taken")
    check("2回書かれています" not in w.report(s5), "and not refused as listed twice")
    state = w.set_state()
    s3 = w.stick("BADJSON")
    write(os.path.join(s3, "signage", "d.png"), png_bytes(100, 100, (9, 9, 9)))
    write(os.path.join(s3, "signage", "playlist.json"), b'{"items": [ "d.png", ')
    before = w.outside_snapshot()
    w.run_import(s3, 2)
    check("中止" in w.report(s3), "a broken playlist stops the import")
    check_unchanged(w, state, before, "broken playlist")
    # An empty playlist clears the set, on purpose.
    s4 = w.stick("CLEAR")
    write(os.path.join(s4, "signage", "playlist.json"), b'{"items": []}')
    w.run_import(s4, 0)
    check(w.set_state()[0]["items"] == [], "an empty playlist clears the set")


def case_many_files(w):
    state = first_set(w)
    s = w.stick("MANY")
    sig = os.path.join(s, "signage")
    for i in range(1000):
        write(os.path.join(sig, f"p{i:04d}.png"), png_bytes(8, 8, (i % 256, i // 256, 77)))
    t0 = time.time()
    w.run_import(s, 1, timeout=300)
    took = time.time() - t0
    print(f"figure: 1000 files imported (100 kept) in {took:.1f} s")
    man, _ = w.set_state()
    check(len(man["items"]) == 100, "the set is capped at 100 pictures")
    check(man["items"][0]["name"] == "p0000.png" and man["items"][-1]["name"] == "p0099.png", "the first 100 by name")
    rep = w.report(s)
    check(rep.count("画像は 100 枚まで") == 900, "900 refused for the cap, each named")
    check(state != w.set_state(), "the new set replaced the old")


def case_over_5000(w):
    """More entries than an import looks at (5,000): the first by NAME are
    looked at, whatever the directory order, and the report says how many
    were not (54 of p00000-p00099 used to be skipped)."""
    first_set(w)
    s = w.stick("HUGE")
    sig = os.path.join(s, "signage")
    good = png_bytes(8, 8, (10, 200, 10))
    # Created last-name-first and in a shuffled middle, so that no directory
    # order is name order.
    names = [f"p{i:05d}.png" for i in range(6000)]
    order = names[::-1]
    random.Random(7).shuffle(order)
    for i, n in enumerate(order):
        write(os.path.join(sig, n), png_bytes(8, 8, (i % 256, (i // 256) % 256, 9)) if n < "p00100" else good)
    w.run_import(s, 1, timeout=300)
    man, _ = w.set_state()
    got = [i["name"] for i in man["items"]]
    check(got == names[:100], f"the 100 pictures taken are p00000..p00099 in order (got {got[:3]}..{got[-2:]})")
    rep = w.report(s)
    check("○ p00000.png" in rep, "p00000 is in the report")
    check("残りの 1000 件は見ていません" in rep and "1000 were not" in rep,
          "the report says 1,000 entries were not looked at")


def case_rewritten(w):
    """A JPEG rewritten in place while imports read it (4 of 24 stored a
    banded mix): what is checked, hashed and decoded is one read that a
    second read confirmed, and a spliced file is refused when libjpeg warns
    (asserted at two splice points). The race itself is a figure."""
    first_set(w)
    a, b = os.path.join(w.dir, "a.jpg"), os.path.join(w.dir, "b.jpg")
    # Noisy, so that the files are large (a read takes a while) and every
    # block of the scan differs between the two.
    magick(a, "-size", "2400x1800", "xc:#d02020", "-attenuate", "0.4", "+noise", "Uniform", "-quality", "95")
    magick(b, "-size", "2400x1800", "xc:#2040d0", "-attenuate", "0.4", "+noise", "Uniform", "-quality", "95")
    da, db = open(a, "rb").read(), open(b, "rb").read()
    n = max(len(da), len(db))
    da, db = da + b"\0" * (n - len(da)), db + b"\0" * (n - len(db))  # bytes after EOI are allowed
    # What a read during a rewrite sees: the new version's first part and the
    # old one's rest. Deterministically, at three page-aligned points.
    for frac in (0.25, 0.5):
        cut = int(n * frac) // 4096 * 4096
        sp = w.stick(f"SPLICE{int(frac * 100)}")
        write(os.path.join(sp, "signage", "spliced.jpg"), db[:cut] + da[cut:])
        w.run_import(sp, 1, timeout=120)
        rep = w.report(sp)
        check("× spliced.jpg: 画像のデータが壊れています" in rep, f"a JPEG spliced at {frac:.0%} is refused as corrupt")
    s = w.stick("RACE")
    target = os.path.join(s, "signage", "poster.jpg")
    write(target, da)
    stop = threading.Event()

    def rewrite():
        k = 0
        fd = os.open(target, os.O_WRONLY)
        while not stop.is_set():
            os.pwrite(fd, db if k % 2 else da, 0)  # in place, whole, as one write
            k += 1
        os.close(fd)
    t = threading.Thread(target=rewrite)
    t.start()
    bad, stored_n = [], 0
    try:
        for i in range(12):
            out = w.run_import(s, None, timeout=120)
            man, _ = w.set_state()
            if man["items"][0]["name"] != "poster.jpg" or "changed while it was read" in out:
                continue  # refused this time (it kept changing): the set before stays
            stored_n += 1
            d = os.path.join(w.media, os.readlink(os.path.join(w.media, "current")))
            stored = os.path.join(d, man["items"][0]["file"])
            # Mean colour of the top and bottom tenth: one version is one colour.
            out = subprocess.run(["convert", stored, "-resize", "1x10!", "-depth", "8", "txt:-"],
                                 capture_output=True, text=True, check=True).stdout
            rows = [l.split("#")[1][:6] for l in out.splitlines()[1:]]
            if len({r[:2] > "80" for r in rows}) > 1:
                bad.append(rows)
    finally:
        stop.set()
        t.join()
    # Not asserted: a file that is itself a mix on disk while it is read twice
    # (the writer preempted mid-write) decodes without a warning about half
    # the time, and JPEG has no checksum to tell. A figure, for the note.
    print(f"figure: {stored_n} of 12 racing imports stored the picture, {len(bad)} of them a mix; "
          "the others refused it")


def case_keys(w):
    """No key configured: import off; a wrong key and no key file: ignored."""
    w.write_conf(key=False)
    w.start_player()
    s = w.stick("NOKEYCONF", key=w.key)
    write(os.path.join(s, "signage", "p.png"), png_bytes(64, 64))
    os.rename(s, os.path.join(w.roots, "pi", "NOKEYCONF"))
    w.wait_log("import is off (usb_key_sha256 is not set)", 15)
    w.stop_player()
    os.rename(os.path.join(w.roots, "pi", "NOKEYCONF"), s)  # taken out before the key is set
    s_nokeyconf = s
    w.write_conf(key=True)
    w.start_player()
    s = w.stick("WRONG", key=b"someone else's key\n")
    write(os.path.join(s, "signage", "p.png"), png_bytes(64, 64))
    os.rename(s, os.path.join(w.roots, "pi", "WRONG"))
    w.wait_log("import.key does not match usb_key_sha256", 15)
    s = w.stick("NOKEY")
    write(os.path.join(s, "signage", "p.png"), png_bytes(64, 64))
    os.rename(s, os.path.join(w.roots, "NOKEY"))
    w.wait_log("import.key: none on the stick", 15)
    time.sleep(2.5)  # one more scan: still nothing
    check(not os.path.exists(os.path.join(s_nokeyconf, "signage", "import-report.txt")),
          "NOKEYCONF: nothing written on the stick while import is off")
    check(not os.path.exists(os.path.join(w.roots, "pi", "WRONG", "signage", "import-report.txt")),
          "WRONG: nothing written on a stick that is not IT's")
    check(not os.path.exists(os.path.join(w.roots, "NOKEY", "signage", "import-report.txt")),
          "NOKEY: nothing written on the stick")
    check(w.set_state() is None and "import from" not in w.log_text(), "nothing imported")
    w.stop_player()


def case_live(w):
    w.start_player()
    s = w.stick("IT", key=w.key)
    sig = os.path.join(s, "signage")
    jpeg(os.path.join(sig, "01-poster.jpg"), 1600, 900, seed=5)
    write(os.path.join(sig, "02-map.png"), png_bytes(900, 600, (0, 100, 160)))
    write(os.path.join(sig, "03-broken.png"), b"\x89PNG\r\n\x1a\n broken")
    t0 = time.time()
    os.rename(s, os.path.join(w.roots, "pi", "IT"))  # udisks: /media/<user>/<LABEL>
    at = w.wait_log("import from", 15)
    seen = time.time() - t0
    at = w.wait_log("pictures on screen: 2 from", 15, at)
    shown = time.time() - t0
    print(f"figure: stick seen and imported in {seen:.2f} s, on screen in {shown:.2f} s")
    w.wait_log("on screen: USBから画像を2件取り込みました。1件は取り込めませんでした。USBメモリを取り外せます", 5)
    rep = os.path.join(w.roots, "pi", "IT", "signage", "import-report.txt")
    check(os.path.exists(rep), "the report is written on the stick")
    st = {}
    for _ in range(100 * SLOW):
        st = json.load(open(os.path.join(w.dir, "state", "status.json"))).get("media", {})
        if st.get("pictures") == 2 and "2 imported, 1 refused" in st.get("last_import", ""):
            break
        time.sleep(0.1)
    check(st.get("pictures") == 2 and "2 imported, 1 refused" in st.get("last_import", ""),
          f"status file: {st}")
    words = subprocess.run([BIN, "--config", w.conf, "--status"], capture_output=True, text=True).stdout
    check("最後の USB 取り込み" in words, "--status tells the last import")
    # The same stick stays in: not imported again; pulled and put back: imported again.
    time.sleep(2.5 * SLOW)
    check(w.log_text().count("import from") == 1, "a stick left in is imported once")
    if not RUNNER:
        # (Not under valgrind: it runs one thread at a time, and while the
        # loader decodes for a minute the 2 s scan may not see the gap.)
        os.rename(os.path.join(w.roots, "pi", "IT"), s)
        time.sleep(2.5)
        os.rename(s, os.path.join(w.roots, "pi", "IT"))
        w.wait_log("import from", 15, at)
    # --import from a shell while the player runs: the player shows the new set.
    s2 = w.stick("SHELL")
    write(os.path.join(s2, "signage", "extra.png"), png_bytes(500, 500, (200, 0, 120)))
    w.write_conf(extra="usb_import_mode = add\n")
    w.run_import(s2, 0, runner=[])
    w.wait_log("pictures on screen: 3 from", 15)
    check(w.player.poll() is None, "the player kept running")
    w.stop_player()


def in_tmpfs(w, size_kib):
    """Runs the rest of this test in a mount namespace where media_dir's
    parent is a small tmpfs; returns how the disk was limited."""
    parent = os.path.dirname(w.media)
    os.makedirs(parent, exist_ok=True)
    if os.environ.get("USB_TEST_NO_NAMESPACE") == "1" or not shutil.which("unshare"):
        return None  # the file-size-limit fallback (tested this way too)
    for cmd in (["unshare", "-rm"], ["unshare", "-m"]):
        probe = subprocess.run(cmd + ["sh", "-c", f"mount -t tmpfs -o size={size_kib}k tmpfs {parent}"],
                               capture_output=True)
        if probe.returncode == 0:
            return cmd
    return None


def case_disk_full(w):
    """A small tmpfs under media_dir (a mount namespace, so no root needed
    where user namespaces are allowed); else a file size limit."""
    script = os.path.join(w.dir, "full.sh")
    a = w.stick("A")
    write(os.path.join(a, "signage", "small.png"), png_bytes(200, 200, (10, 10, 200)))
    big = w.stick("BIG")
    pictures(1920, 1080, 0, *[os.path.join(big, "signage", f"big{i}.jpg") for i in range(6)])
    parent = os.path.dirname(w.media)
    os.makedirs(parent, exist_ok=True)
    env = dict(os.environ, HOME=w.dir)
    prefix = in_tmpfs(w, 700)
    if prefix:
        with open(script, "w") as f:
            f.write(f"""set -e
mount -t tmpfs -o size=700k tmpfs {parent}
{BIN} --config {w.conf} --import {a} >/dev/null
sha() {{ (cd {w.media} && find . -type f | sort | xargs -d '\\n' sha256sum; readlink current); }}
sha > {w.dir}/before.txt
set +e
{BIN} --config {w.conf} --import {big} > {w.dir}/big.out 2>&1
echo $? > {w.dir}/big.rc
sha > {w.dir}/after.txt
ls -a {w.media} > {w.dir}/after.ls
df -k {parent} | tail -1 > {w.dir}/df.txt
""")
        subprocess.run(prefix + ["sh", script], check=True, env=env, timeout=300)
        how = "a 700 KiB tmpfs (" + " ".join(prefix) + ")"
    else:
        w.run_import(a, 0)
        open(os.path.join(w.dir, "before.txt"), "w").write(repr(w.set_state()))

        def limit():
            resource.setrlimit(resource.RLIMIT_FSIZE, (100 * 1024, 100 * 1024))
        r = subprocess.run([BIN, "--config", w.conf, "--import", big], capture_output=True, text=True,
                           env=env, preexec_fn=limit)
        open(os.path.join(w.dir, "big.out"), "w").write(r.stdout + r.stderr)
        open(os.path.join(w.dir, "big.rc"), "w").write(str(r.returncode))
        open(os.path.join(w.dir, "after.txt"), "w").write(repr(w.set_state()))
        open(os.path.join(w.dir, "after.ls"), "w").write("\n".join(os.listdir(w.media)))
        how = "a 100 KiB file size limit (no mount namespace here)"
    print("disk limited by", how)
    out = open(os.path.join(w.dir, "big.out")).read()
    print(out[-1500:])
    check(open(os.path.join(w.dir, "big.rc")).read().strip() == "2", "the import stops (exit 2)")
    check("空き容量が足りません" in out, "the report says the disk is full")
    check(re.search(r"Reason: big[0-5]\.jpg \(stored as [0-9a-f]{16}\.jpg\)", out) is not None,
          "the report names the picture as on the stick, not only its stored name (#13)")
    check(open(os.path.join(w.dir, "before.txt")).read() == open(os.path.join(w.dir, "after.txt")).read(),
          "the old set is whole")
    left = [n for n in open(os.path.join(w.dir, "after.ls")).read().split() if n.startswith(".staging")]
    check(left == [], "no staging folder left behind")


def case_vanish(w):
    # The first picture taken: the importer is frozen (SIGSTOP), the stick goes,
    # as if pulled out, and the importer carries on. On a loaded machine the
    # test may read that line after the import already finished; then the
    # removal did not happen mid-import, and the case is run again.
    for attempt in range(3):
        state = first_set(w)
        s = w.stick(f"GONE{attempt}")
        sig = os.path.join(s, "signage")
        pictures(1920, 1080, 0, *[os.path.join(sig, f"photo{i:02d}.jpg") for i in range(40)])
        before = w.outside_snapshot()
        env = dict(os.environ, HOME=w.dir, MISATO_LOG_LEVEL="info")
        p = subprocess.Popen(RUNNER + [BIN, "--config", w.conf, "--import", s], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
        for line in p.stderr:
            if "import: photo00.jpg ->" in line:
                p.send_signal(signal.SIGSTOP)
                shutil.rmtree(s)
                p.send_signal(signal.SIGCONT)
                break
        out, err = p.communicate(timeout=120)
        print(out[-1500:], err[-1500:])
        if p.returncode != 2 and "aborted" not in err and "40 pictures taken" in err:
            print(f"attempt {attempt + 1}: the import had finished before the stick went; again")
            continue
        check(p.returncode == 2, f"the import stops (exit 2, got {p.returncode})")
        check("中止" in out, "the report says it stopped")
        check("取り込んだ画像 / imported" not in out and "保存していません" in out,
              "pictures read before the stop are not reported as imported")
        after = w.outside_snapshot()
        check({k: v for k, v in after.items() if not k.startswith(s)} ==
              {k: v for k, v in before.items() if not k.startswith(s)}, "nothing written outside media_dir")
        check(w.set_state() == state, "the old set is whole")
        check(w.leftovers() == [], "no staging folder left behind")
        return
    raise Fail("the stick never went mid-import in three attempts")


CASES = {
    "good": case_good,
    "hostile": case_hostile,
    "playlist": case_playlist,
    "many_files": case_many_files,
    "keys": case_keys,
    "live": case_live,
    "disk_full": case_disk_full,
    "vanish": case_vanish,
    "over_5000": case_over_5000,
    "rewritten": case_rewritten,
}


def main():
    w = World()
    return run_case(CASE, w, CASES[CASE], lambda: w.log_text() if w.player else "",
                    (Fail, subprocess.CalledProcessError, subprocess.TimeoutExpired))


if __name__ == "__main__":
    sys.exit(main())
