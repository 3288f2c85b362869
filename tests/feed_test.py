#!/usr/bin/env python3
"""The live feed end to end: a real player (SDL offscreen driver) polling a
real HTTP server on 127.0.0.1 (tests/feed_server.py), checked through its
status file and its cache on disk.

    feed_test.py BIN SOURCE_DIR CASE

Every case ends by checking that the player is still running (the display
never stops) and that the cache on disk validates with --validate.
"""
import json
import re
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

from harness import Fail, check, run_case

BIN, SRC, CASE = sys.argv[1], sys.argv[2], sys.argv[3]
# FEED_TEST_RUNNER: a command the player runs under (valgrind ...), and then
# every wait is longer.
RUNNER = os.environ.get("FEED_TEST_RUNNER", "").split()
SLOW = 4 if RUNNER else 1
FEED = os.path.join(SRC, "config", "default-feed.json")


class World:
    """A temp folder with a server, a config and (once started) a player."""

    def __init__(self, mode="ok", server=True, poll=60, fetch_timeout=3, tls=False):
        self.tls = tls
        self.dir = tempfile.mkdtemp(prefix="misato-feed-")
        self.cache = os.path.join(self.dir, "cache")
        self.state = os.path.join(self.dir, "state")
        self.feed = os.path.join(self.dir, "served.json")
        shutil.copy(FEED, self.feed)
        self.media = os.path.join(self.dir, "served-media")
        os.mkdir(self.media)
        self.server = self.player = None
        if tls:
            self.cert = os.path.join(self.dir, "cert.pem")
            self.key = os.path.join(self.dir, "key.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                            "-keyout", self.key, "-out", self.cert], check=True,
                           capture_output=True)
        self.port = 9 if not server else self.start_server(mode)
        self.conf = os.path.join(self.dir, "signage.conf")
        scheme = "https" if tls else "http"
        with open(self.conf, "w") as f:
            f.write(f"feed_url = {scheme}://127.0.0.1:{self.port}/feed.json\n"
                    f"allow_http = yes\npoll_seconds = {poll}\n"
                    f"fetch_timeout = {fetch_timeout}\nslide_seconds = 3\n"
                    f"cache_dir = {self.cache}\nstate_dir = {self.state}\n")

    def start_server(self, mode):
        port_file = os.path.join(self.dir, "port")
        self.server = subprocess.Popen(
            [sys.executable, os.path.join(SRC, "tests", "feed_server.py"),
             "--feed-file", self.feed, "--port-file", port_file, "--mode", mode,
             "--media-dir", self.media] + (["--tls", self.cert, self.key] if self.tls else []))
        for _ in range(100):
            if os.path.exists(port_file):
                return int(open(port_file).read())
            time.sleep(0.05)
        raise Fail("the test server did not start")

    def mode(self, mode):
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/mode", data=mode.encode())
        urllib.request.urlopen(req, timeout=5).read()

    def stats(self):
        return json.load(urllib.request.urlopen(f"http://127.0.0.1:{self.port}/stats", timeout=5))

    def start_player(self):
        try:
            os.unlink(os.path.join(self.state, "status.json"))
        except FileNotFoundError:
            pass
        env = dict(os.environ, SDL_VIDEODRIVER="offscreen", HOME=self.dir)
        self.log = open(os.path.join(self.dir, "player.log"), "w")
        self.player = subprocess.Popen(
            RUNNER + [BIN, "--config", self.conf, "--windowed", "--size", "480x270"] +
            getattr(self, "start_player_args", []),
            stderr=self.log, env=env)
        self.wait(lambda s: s is not None, 30, "a status file")

    def status(self):
        try:
            with open(os.path.join(self.state, "status.json")) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def wait(self, pred, timeout, what):
        end = time.time() + timeout * SLOW
        while time.time() < end:
            s = self.status()
            if pred(s):
                return s
            if self.player and self.player.poll() is not None:
                raise Fail(f"the player exited ({self.player.returncode}) waiting for {what}")
            time.sleep(0.1)
        raise Fail(f"timed out waiting for {what}; status: {json.dumps(self.status())}")

    def fetch_now(self, timeout=20):
        """SIGHUP, then wait for the attempt it causes to be reported."""
        n = (self.status() or {}).get("attempts", 0)
        self.player.send_signal(signal.SIGHUP)
        return self.wait(lambda s: s and s.get("attempts", 0) > n, timeout, "a fetch after SIGHUP")

    def status_words(self):
        r = subprocess.run([BIN, "--config", self.conf, "--status"], capture_output=True, text=True)
        print(r.stdout)
        check(r.returncode == 0, "--status exits 0")
        return r.stdout

    def cache_files(self):
        out = {}
        for name in ("feed.json", "feed.prev.json", "feed.meta.json"):
            p = os.path.join(self.cache, name)
            if os.path.exists(p):
                st = os.stat(p)
                out[name] = (st.st_ino, st.st_mtime_ns, st.st_size)
        return out

    def check_cache_valid(self):
        p = os.path.join(self.cache, "feed.json")
        if not os.path.exists(p):
            return
        rc = subprocess.run([BIN, "--validate", p], capture_output=True).returncode
        check(rc in (0, 1), f"the cached feed validates (--validate exit {rc})")

    def finish(self):
        if self.player:
            check(self.player.poll() is None, "the player is still running")
            self.player.send_signal(signal.SIGTERM)
            rc = self.player.wait(timeout=30 * SLOW)
            check(rc == 0, f"the player stopped cleanly (exit {rc}{', see valgrind above' if RUNNER else ''})")
        self.check_cache_valid()

    def close(self):
        for p in (self.player, self.server):
            if p and p.poll() is None:
                p.kill()
                p.wait()
        if os.environ.get("KEEP_TMP"):
            print("kept", self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


def first_good_fetch(w):
    w.start_player()
    w.player.send_signal(signal.SIGHUP)
    s = w.wait(lambda s: s and s["result"] == "ok", 30, "the first fetch")
    check(s["feed"]["source"] == "network", "the feed on screen came from the network")
    return s


def fault_case(mode, want_result, http_status=None, timeout=20):
    """A good feed is cached and shown; then the server misbehaves: the
    last good data stays, nothing in the cache changes, and the status says
    what went wrong."""
    def run(w):
        first_good_fetch(w)
        before = w.cache_files()
        w.mode(mode)
        t0 = time.time()
        # A scheduled fetch that started before the switch may land first
        # (slow under valgrind): ask again until the server's new mode answers.
        for _ in range(3):
            s = w.fetch_now(timeout)
            if s["result"] not in ("ok", "not modified"):
                break
        took = time.time() - t0
        check(s["result"] == want_result, f"{mode}: result is '{want_result}' (got '{s['result']}', "
              f"error '{s['error']}', {took:.1f} s)")
        if http_status is not None:
            check(s["http_status"] == http_status, f"HTTP status {http_status} recorded")
        check(s["showing_saved_data"] is True, "the screen says it shows saved data")
        check(s["consecutive_failures"] >= 1, "the failure is counted")
        check(w.cache_files() == before, "the cache was not touched")
        check(s["feed"]["source"] == "network", "the last good feed stays on screen")
        w.mode("ok")
        # As above: a fetch asked for earlier (a SIGHUP still queued behind a
        # slow main thread under valgrind) may answer first.
        for _ in range(3):
            s = w.fetch_now()
            if s["result"] in ("ok", "not modified"):
                break
        check(s["result"] in ("ok", "not modified") and not s["showing_saved_data"],
              "recovers when the server does")
    return run


def case_ok(w):
    s = first_good_fetch(w)
    served = open(w.feed, "rb").read()
    check(open(os.path.join(w.cache, "feed.json"), "rb").read() == served,
          "the cache holds exactly the served feed")
    meta = json.load(open(os.path.join(w.cache, "feed.meta.json")))
    check(meta["etag"].startswith('"'), "the ETag is kept for the next request")
    check(s["http_status"] == 200 and s["error"] == "", "status: HTTP 200, no error")
    check(s["feed"]["measures"] == 18, "status: 18 measures")
    check(s["showing"]["count"] == 22, "status: 22 slides on screen")
    out = w.status_words()
    check("成功" in out and "HTTP 200" in out and "ネットワークから取得" in out,
          "--status says in words that the last fetch worked")


def case_not_modified(w):
    first_good_fetch(w)
    before = w.cache_files()
    time.sleep(0.05)
    s = w.fetch_now()
    check(s["result"] == "not modified", "the second fetch is a 304")
    check(w.stats()["not_modified"] >= 1, "the server answered 304 to If-None-Match")
    check(w.cache_files() == before, "a 304 writes nothing to the cache")


def case_edit_within_one_poll(w):
    first_good_fetch(w)
    doc = json.load(open(w.feed))
    doc["updated_at"] = "2026-11-24T10:30:00+09:00"
    doc["measures"] = [m for m in doc["measures"] if m["id"] != "1-8"]
    tmp = w.feed + ".tmp"
    json.dump(doc, open(tmp, "w"), ensure_ascii=False)
    os.rename(tmp, w.feed)
    t0 = time.time()
    s = w.wait(lambda s: s and s["feed"]["measures"] == 17 and s["showing"]["count"] == 21,
               10 * 1.2 + 5, "the edited feed")
    print(f"edited feed on screen after {time.time() - t0:.1f} s (poll_seconds = 10)")
    check(s["feed"]["updated_at"].startswith("2026-11-24T10:30"), "its updated_at is shown")
    check(s["showing"]["count"] == 21, "the deck lost the slide of the removed measure")
    prev = os.path.join(w.cache, "feed.prev.json")
    check(os.path.exists(prev), "the previous generation is kept")


def case_no_server_at_start(w):
    # A first run fills the cache; the second starts with the server gone.
    first_good_fetch(w)
    w.finish()
    w.server.kill()
    w.server.wait()
    w.server = None
    w.start_player()
    s = w.wait(lambda s: s and s["last_attempt"], 30, "a failed attempt")
    check(s["feed"]["source"] == "cache", "the cached feed is on screen")
    check(s["result"] == "network error", f"the fetch failed: {s['error']}")
    check(s["showing_saved_data"], "the screen says it shows saved data")
    out = w.status_words()
    check("ネットワークのエラー" in out and "保存データを表示中" in out,
          "--status says the network failed and saved data is shown")


def case_corrupt_cache(w):
    first_good_fetch(w)
    w.mode("alternate")
    w.fetch_now()  # a second generation, so feed.prev.json exists
    w.finish()
    w.server.kill()
    w.server.wait()
    w.server = None
    with open(os.path.join(w.cache, "feed.json"), "wb") as f:
        f.write(b'{"schema_version": 1, "measures": [{"id": "1-1", "na')
    w.start_player()
    s = w.status()
    check(s["feed"]["source"] == "previous", "a corrupt feed.json: the previous generation is shown")
    w.player.send_signal(signal.SIGTERM)
    w.player.wait(timeout=30)
    check(os.path.exists(os.path.join(w.cache, "feed.json.corrupt")),
          "the corrupt feed.json is kept aside for IT")
    w.check_cache_valid()  # feed.json was restored from the previous generation
    for name in ("feed.json", "feed.prev.json"):
        with open(os.path.join(w.cache, name), "wb") as f:
            f.write(b"\xff\xfe not json")
    w.start_player()
    s = w.status()
    check(s["feed"]["source"] == "embedded", "both generations corrupt: the embedded plan is shown")
    check(os.path.exists(os.path.join(w.cache, "feed.prev.json.corrupt")),
          "the corrupt file is kept aside for IT")


def case_kill_loop(w):
    """SIGKILL at random moments while the player replaces its cache: every
    time, what is on disk validates and the next start uses it."""
    import random
    first_good_fetch(w)
    w.mode("alternate")
    rnd = random.Random(7)
    for i in range(15):
        if i:
            w.start_player()
        for _ in range(rnd.randint(1, 4)):
            w.player.send_signal(signal.SIGHUP)
            time.sleep(rnd.uniform(0.0, 0.15))
        w.player.send_signal(signal.SIGKILL)
        w.player.wait()
        for name in ("feed.json", "feed.prev.json"):
            p = os.path.join(w.cache, name)
            if os.path.exists(p):
                rc = subprocess.run([BIN, "--validate", p], capture_output=True).returncode
                if rc not in (0, 1):
                    raise Fail(f"round {i}: {name} does not validate after SIGKILL")
    print("ok: 15 SIGKILLs during cache replacement, the cache always validated")
    w.start_player()
    s = w.status()
    # Under a heavy load two kills can land before a new feed reached the
    # screen: then the poison guard rightly sets that feed aside and the
    # cache's previous generation is shown (still the cache, never the plan).
    q = s.get("quarantine")
    want = ("cache",) if q is None else ("previous", "cache")
    check(s["feed"]["source"] in want,
          f"the next start shows the cached feed ({s['feed']['source']}; guard: {q and q.get('what')})")
    leftovers = [n for n in os.listdir(w.cache) if ".tmp-" in n or n.endswith(".link")]
    check(leftovers == [], "no temporary files left after start-up")


def case_retry_after(w):
    first_good_fetch(w)
    w.mode("503-retry")
    s = w.fetch_now()
    check(s["http_status"] == 503, "503 recorded")
    def epoch(t):
        return time.mktime(time.strptime(t[:19], "%Y-%m-%dT%H:%M:%S"))
    wait = epoch(s["next_attempt"]) - epoch(s["last_attempt"])
    check(wait >= 119, f"the next attempt waits for Retry-After (in {wait:.0f} s)")


def case_redirect_ok(w):
    first_good_fetch(w)
    w.mode("redirect-ok")
    os.unlink(os.path.join(w.cache, "feed.meta.json"))
    s = w.fetch_now()
    check(s["result"] in ("ok", "not modified"), f"an http redirect is followed ({s['result']})")


def case_media(w):
    """Media in the feed are fetched into the cache, checked by sha256 and
    magic bytes: a wrong hash or a file that is not PNG/JPEG is refused."""
    import hashlib
    png = open(os.path.join(SRC, "tests", "golden", "kpi-1-2-1920x1080.png"), "rb").read()
    open(os.path.join(w.media, "poster.png"), "wb").write(png)
    open(os.path.join(w.media, "other.png"), "wb").write(png[:-1] + b"x")
    fake = b"GIF89a pretending to be a png"
    open(os.path.join(w.media, "fake.png"), "wb").write(fake)
    good = hashlib.sha256(png).hexdigest()
    doc = json.load(open(w.feed))
    base = f"http://127.0.0.1:{w.port}/media/"
    doc["media"] = [
        {"id": "good", "url": base + "poster.png", "sha256": good},
        {"id": "wrong-hash", "url": base + "other.png", "sha256": good[::-1]},
        {"id": "not-an-image", "url": base + "fake.png", "sha256": hashlib.sha256(fake).hexdigest()},
        {"id": "missing", "url": base + "nothing.png", "sha256": "0" * 64},
    ]
    json.dump(doc, open(w.feed, "w"), ensure_ascii=False)
    s = first_good_fetch(w)
    media = sorted(os.listdir(os.path.join(w.cache, "media")))
    check(media == [good + ".png"], f"only the verified image is stored ({media})")
    check(open(os.path.join(w.cache, "media", good + ".png"), "rb").read() == png,
          "stored byte for byte")
    check(s["feed"]["media_failed"] == 3, "a wrong hash, a GIF named .png and a 404 are refused")


def case_tls(w):
    """https is verified: a server whose certificate no CA vouches for is
    refused; with that certificate as ca_file it is trusted; plain http is
    refused unless allow_http says yes."""
    w.start_player()
    w.player.send_signal(signal.SIGHUP)
    s = w.wait(lambda s: s and s["attempts"] >= 1, 30, "a first attempt")
    check(s["result"] == "network error" and "certificate" in s["error"].lower(),
          f"an unknown certificate is refused ({s['error']})")
    check(not os.path.exists(os.path.join(w.cache, "feed.json")), "nothing was cached")
    w.finish()
    with open(w.conf, "a") as f:
        f.write(f"ca_file = {w.cert}\n")
    first_good_fetch(w)
    check(os.path.exists(os.path.join(w.cache, "feed.json")), "with ca_file the feed is fetched")
    w.finish()
    conf = open(w.conf).read().replace("https://", "http://").replace("allow_http = yes", "allow_http = no")
    open(w.conf, "w").write(conf)
    w.start_player()
    w.player.send_signal(signal.SIGHUP)
    s = w.wait(lambda s: s and s["attempts"] >= 1, 30, "an attempt over http")
    check(s["result"] == "refused", f"http:// without allow_http is refused ({s['error']})")


def case_alert(w):
    """An alert added to the served feed takes the screen within one poll,
    and leaves when withdrawn; the rotation then resumes."""
    first_good_fetch(w)
    doc = json.load(open(w.feed))
    doc["alert"] = {"level": "emergency", "title": "大雨警報", "text": "不要不急の外出は控えてください"}
    json.dump(doc, open(w.feed + ".tmp", "w"), ensure_ascii=False)
    os.rename(w.feed + ".tmp", w.feed)
    t0 = time.time()
    w.wait(lambda s: s and s["showing"]["slide"] == "alert", 10 * 1.2 + 5, "the alert on screen")
    print(f"alert on screen after {time.time() - t0:.1f} s (poll_seconds = 10)")
    doc["alert"] = None
    json.dump(doc, open(w.feed + ".tmp", "w"), ensure_ascii=False)
    os.rename(w.feed + ".tmp", w.feed)
    t0 = time.time()
    s = w.wait(lambda s: s and s["showing"]["slide"] not in ("alert", ""), 10 * 1.2 + 5,
               "the rotation back")
    print(f"alert gone after {time.time() - t0:.1f} s; showing {s['showing']['slide']}")
    check(True, "the alert came within one poll and left when withdrawn")


def case_feed_option(w):
    """--feed URL: fetched once for --render (a preview of the served feed),
    polled like feed_url by the running player, http:// allowed."""
    url = f"http://127.0.0.1:{w.port}/feed.json"
    doc = json.load(open(w.feed))
    doc["measures"] = [m for m in doc["measures"] if m["id"] in ("1-1", "3-2")]
    json.dump(doc, open(w.feed, "w"), ensure_ascii=False)
    out = os.path.join(w.dir, "preview")
    env = dict(os.environ, HOME=w.dir)
    r = subprocess.run([BIN, "--feed", url, "--render", out], capture_output=True, text=True, env=env)
    check(r.returncode == 0, f"--render --feed URL exits 0 ({r.stderr[-300:]})")
    names = sorted(os.listdir(out))
    check(len(names) == 5 and "02-kpi-1-1.png" in names,
          f"the served feed was rendered: summary, 2 KPI slides, 2 roadmaps ({names})")
    conf = open(w.conf).read().replace(f"feed_url = {url}", "").replace("allow_http = yes", "")
    open(w.conf, "w").write(conf)
    w.start_player_args = ["--feed", url]
    w.start_player()
    w.player.send_signal(signal.SIGHUP)
    s = w.wait(lambda s: s and s["result"] == "ok", 30, "a fetch of the --feed URL")
    check(s["feed_url"] == url and s["feed"]["measures"] == 2, "the running player polls the --feed URL")


def case_embedded_footer(w):
    """No server and no cache: the embedded plan is on screen, and after the
    failed fetch its footer must not claim 「保存データを表示中」 (it is not
    saved data): the live screen equals --render of the embedded plan."""
    at = "2026-11-24T09:00"
    with open(w.conf, "a") as f:
        f.write("slide_seconds = 600\n")
    w.start_player_args = ["--at", at, "--size", "960x540"]
    w.start_player()
    s = w.wait(lambda s: s and s["last_attempt"] and s["showing_saved_data"], 30, "a failed fetch")
    check(s["feed"]["source"] == "embedded", "the embedded plan is on screen")
    shot = os.path.join(w.state, "screenshot.png")
    w.player.send_signal(signal.SIGUSR1)
    end = time.time() + 20 * SLOW
    while not os.path.exists(shot) and time.time() < end:
        time.sleep(0.1)
    check(os.path.exists(shot), "SIGUSR1 saved a screenshot")
    ref = os.path.join(w.dir, "ref")
    env = dict(os.environ, HOME=w.dir)
    subprocess.run([BIN, "--render", ref, "--size", "960x540", "--at", at], check=True,
                   capture_output=True, env=env)
    first = sorted(n for n in os.listdir(ref) if n.startswith("01-"))[0]
    here = os.path.dirname(os.path.abspath(BIN))  # build/ (launcher) or build/player/
    png_check = next(p for p in (os.path.join(here, "tests", "png-check"),
                                 os.path.join(here, "..", "tests", "png-check")) if os.path.exists(p))
    r = subprocess.run([png_check, "diff", shot, os.path.join(ref, first)], capture_output=True, text=True)
    print(r.stdout.strip(), r.stderr.strip())
    differ = int(re.search(r"(\d+) of \d+ pixels differ", r.stdout + r.stderr).group(1))
    # Same build, same renderer: the same pixels (the words add ~1,200).
    check(differ <= 50, f"the live screen is the embedded plan without 保存データを表示中 ({differ} pixels differ)")
    out = w.status_words()
    check("組み込みのアクションプラン" in out, "--status says the embedded plan is shown")



def case_status_slide(w):
    """--status names the slide on screen, not the one of the last fetch:
    slides change every 3 s, the status file follows within 5 s, with no
    fetch in between (poll_seconds = 60)."""
    s = first_good_fetch(w)
    attempts, first = s["attempts"], s["showing"]["index"]
    s = w.wait(lambda s: s and s["showing"]["index"] != first, 12, "the next slide in the status file")
    check(s["attempts"] == attempts, "no fetch in between")
    seen = {s["showing"]["slide"]}
    for _ in range(2):
        s = w.wait(lambda s: s and s["showing"]["slide"] not in seen, 12, "another slide")
        seen.add(s["showing"]["slide"])
    words = w.status_words()
    check(s["showing"]["slide"] in words or any(x in words for x in seen), "--status names a slide shown")
    print(f"figure: status file follows the slides: {sorted(seen)}")

CASES = {
    "ok": (case_ok, {}),
    "not_modified": (case_not_modified, {}),
    "edit_within_one_poll": (case_edit_within_one_poll, {"poll": 10}),
    "http_404": (fault_case("404", "HTTP error", 404), {}),
    "http_500": (fault_case("500", "HTTP error", 500), {}),
    "retry_after": (case_retry_after, {}),
    "silence": (fault_case("silence", "timed out"), {}),
    "slow": (fault_case("slow", "timed out"), {}),
    "endless_chunked": (fault_case("endless", "too big"), {}),
    "too_big": (fault_case("big", "too big"), {}),
    "gzip_bomb": (fault_case("gzip-bomb", "too big"), {}),
    "truncated": (fault_case("truncated", "invalid feed"), {}),
    "bad_utf8": (fault_case("bad-utf8", "invalid feed"), {}),
    "deep_nesting": (fault_case("deep", "invalid feed"), {}),
    "redirect_file": (fault_case("redirect-file", "refused"), {}),
    "redirect_ftp": (fault_case("redirect-ftp", "refused"), {}),
    "redirect_loop": (fault_case("redirect-loop", "refused"), {}),
    "redirect_ok": (case_redirect_ok, {}),
    "media": (case_media, {}),
    "feed_option": (case_feed_option, {}),
    "alert": (case_alert, {"poll": 10}),
    "tls": (case_tls, {"tls": True}),
    "no_server_at_start": (case_no_server_at_start, {}),
    "corrupt_cache": (case_corrupt_cache, {}),
    "kill_loop": (case_kill_loop, {}),
    "embedded_footer": (case_embedded_footer, {"server": False}),
    "status_slide": (case_status_slide, {}),
}


def main():
    fn, kw = CASES[CASE]
    w = World(**kw)

    def log_tail():
        if not w.player:
            return ""
        w.log.flush()
        return open(os.path.join(w.dir, "player.log")).read()

    return run_case(CASE, w, lambda world: (fn(world), world.finish()), log_tail)


if __name__ == "__main__":
    sys.exit(main())
