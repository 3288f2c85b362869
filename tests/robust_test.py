#!/usr/bin/env python3
"""What a hostile or unlucky outside world does to a real player: text that
Debian's libraries mishandle, signals at the worst moment, stalled transfers,
crash loops. Each case runs the real binary.

    robust_test.py BIN SOURCE_DIR CASE
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

from feed_test import World, first_good_fetch, FEED
from harness import Fail, check, run_case

BIN, SRC, CASE = sys.argv[1], sys.argv[2], sys.argv[3]
AT = "2026-11-24T09:00"
FLAG = "\U0001F1EF\U0001F1F5"  # 🇯🇵
HOSTILE = [FLAG, FLAG + FLAG + "\U0001F1EF", "\U0001F44D\U0001F3FB",
           "\U0001F468\u200d\U0001F469\u200d\U0001F467", "e\u0301\u0301\u0301",
           "\u0645\u0631\u062d\u0628\u0627", "\u05e9\u05dc\u05d5\u05dd", "\u2764\ufe0f",
           "\U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F"]


def hostile_feed(path, alert=True):
    f = json.load(open(FEED))
    text = " ".join(HOSTILE)
    f["measures"][0]["name"] = FLAG + f["measures"][0]["name"]
    f["announcements"] = [{"title": FLAG + " お知らせ " + HOSTILE[2], "body": "日本" + text}]
    f["ticker"] = ["テロップ " + text]
    if alert:
        f["alert"] = {"level": "warning", "title": FLAG + "大雨警報", "text": text}
    with open(path, "w") as out:
        json.dump(f, out, ensure_ascii=False)


def run(args, **kw):
    r = subprocess.run([BIN] + args, capture_output=True, text=True, timeout=300, **kw)
    return r


def case_emoji(w):
    """A flag emoji (and other sequences Debian 12's libunibreak 1.1 does not
    know) in every text field: --validate, --render and the live player
    survive, also with the feed in the cache at the next start."""
    feed = os.path.join(w.dir, "hostile.json")
    hostile_feed(feed)
    with open(w.conf, "a") as f:
        f.write(f"town_name = {FLAG}美郷町\nmedia_dir = {w.dir}/media\n")
    # A USB playlist caption with the flag, imported into media_dir.
    stick = os.path.join(w.dir, "stick", "signage")
    os.makedirs(stick)
    shutil.copy(os.path.join(SRC, "tests", "golden", "kpi-1-2-1920x1080.png"),
                os.path.join(stick, "poster.png"))
    with open(os.path.join(stick, "playlist.json"), "w") as f:
        json.dump({"items": [{"file": "poster.png", "caption": FLAG + " 旗のポスター"}]}, f,
                  ensure_ascii=False)
    r = run(["--config", w.conf, "--import", stick, "--size", "480x270"])
    check(r.returncode == 0, f"--import of a playlist with a flag caption (exit {r.returncode})")
    r = run(["--validate", feed])
    check(r.returncode in (0, 1), f"--validate does not crash (exit {r.returncode})")
    out = os.path.join(w.dir, "out")
    r = run(["--config", w.conf, "--render", out, "--feed", feed, "--at", AT])
    check(r.returncode == 0, f"--render of every slide survives (exit {r.returncode}, "
          f"{r.stderr.strip().splitlines()[-1:] if r.stderr else ''})")
    names = sorted(os.listdir(out))
    check("00-alert.png" in names and any("news" in n for n in names) and
          any("image-local" in n for n in names), f"alert, announcement and picture drawn ({len(names)} PNGs)")
    # Live: the player takes the hostile feed, shows it, and it is cached.
    os.makedirs(w.cache, exist_ok=True)
    shutil.copy(feed, w.feed)
    w.start_player()
    first_good_fetch_after_start(w)
    time.sleep(2)
    check(w.player.poll() is None, "the live player shows the hostile feed and runs on")
    w.player.send_signal(signal.SIGTERM)
    check(w.player.wait(timeout=30) == 0, "and stops cleanly")
    # The next start reads the cached copy (no server needed): it must not die.
    w.server.kill()
    w.server.wait()
    w.server = None
    w.start_player()
    time.sleep(2)
    check(w.player.poll() is None, "the next start from the cached hostile feed runs on")


def first_good_fetch_after_start(w):
    w.player.send_signal(signal.SIGHUP)
    w.wait(lambda s: s and s["result"] == "ok", 30, "the hostile feed fetched")


def hup_blocked(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("SigBlk:"):
                return int(line.split()[1], 16) & (1 << (signal.SIGHUP - 1)) != 0
    except OSError:
        return True  # gone: let the check below say so
    return False


def case_early_signals(w):
    """SIGHUP (systemctl reload) and SIGUSR1 (screenshot) right after a start
    used to kill the player: it was still loading its ~100 shared libraries,
    and their default action is to terminate. Each start gets both signals
    at the worst moment found from outside (while the dynamic loader maps
    SDL) or at a set delay; every player must live and stop cleanly."""
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", HOME=w.dir, MISATO_LOG_LEVEL="error")
    args = [BIN, "--config", w.conf, "--windowed", "--size", "320x180"]
    players = []
    w.extra.append(players)
    for delay in ["loading", "loading", "loading", 0, 0.005, 0.02, 0.05, 0.1, 0.2, 0.3]:
        p = subprocess.Popen(args, env=env, stderr=subprocess.DEVNULL)
        if delay == "loading":
            end = time.time() + 10
            while time.time() < end:
                try:
                    if "libSDL2" in open(f"/proc/{p.pid}/maps").read():
                        break
                except OSError:
                    break
        else:
            # From the moment the first instruction of ours has run (the
            # launcher blocks the signals), plus the delay. Before that, only
            # the kernel and the scheduler are at work: no program can take
            # a signal there.
            end = time.time() + 10
            while time.time() < end and not hup_blocked(p.pid):
                pass
            time.sleep(delay)
        p.send_signal(signal.SIGHUP)
        p.send_signal(signal.SIGUSR1)
        players.append((delay, p))
    time.sleep(1.5)
    for delay, p in players:
        check(p.poll() is None, f"signalled at {delay}: still running (exit {p.poll()})")
    for delay, p in players:
        p.send_signal(signal.SIGTERM)
        check(p.wait(timeout=30) == 0, f"signalled at {delay}: stops cleanly with exit 0")


def frames_drawn(w, feed, seconds, conf_extra=""):
    """Runs the player on feed for `seconds`; returns the frames it drew."""
    conf = os.path.join(w.dir, "frames.conf")
    with open(conf, "w") as f:
        f.write(f"slide_seconds = 60\ntransition = none\ncache_dir = {w.cache}\n"
                f"state_dir = {w.state}\n{conf_extra}")
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", HOME=w.dir, MISATO_LOG_LEVEL="info")
    log = os.path.join(w.dir, "frames.log")
    with open(log, "w") as err:
        p = subprocess.Popen([BIN, "--config", conf, "--feed", feed, "--windowed", "--size", "640x360"],
                             env=env, stderr=err)
        time.sleep(seconds)
        p.send_signal(signal.SIGTERM)
        check(p.wait(timeout=30) == 0, "the player stops cleanly")
    for line in open(log):
        if "frames drawn" in line:
            return int(line.split("info: ")[1].split()[0])
    raise Fail("no 'frames drawn' line in the log")


def case_ticker_expired(w):
    """A ticker whose lines have all expired is not on screen, so nothing
    moves: the loop must sleep (it drew 207 frames in 4 s)."""
    f = json.load(open(FEED))
    f["ticker"] = [{"text": "終わったお知らせ", "valid_until": "2020-01-01"},
                   {"text": "これも終わった", "valid_from": "2019-01-01", "valid_until": "2019-02-01"}]
    feed = os.path.join(w.dir, "expired.json")
    json.dump(f, open(feed, "w"), ensure_ascii=False)
    n = frames_drawn(w, feed, 4)
    check(n <= 6, f"all ticker lines expired: {n} frames in 4 s (at most 6)")
    f["ticker"].append("いま有効なテロップ")
    json.dump(f, open(feed, "w"), ensure_ascii=False)
    n = frames_drawn(w, feed, 4)
    check(n >= 40, f"one valid line: the ticker moves ({n} frames in 4 s)")


class Silent:
    """A TCP server on 127.0.0.1 that accepts and then says nothing."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(c)

    def wait_connected(self, timeout):
        end = time.time() + timeout
        while time.time() < end and not self.conns:
            time.sleep(0.05)
        check(self.conns, "the player's transfer is connected (and stalled)")


def stop_within(w, seconds, what):
    time.sleep(0.5)  # well inside the transfer
    t0 = time.time()
    w.player.send_signal(signal.SIGTERM)
    rc = w.player.wait(timeout=60)
    took = time.time() - t0
    print(f"figure: SIGTERM during {what}: exit {rc} after {took:.2f} s")
    check(rc == 0 and took <= seconds, f"SIGTERM during {what} ends the player with 0 within {seconds} s")
    w.player = None


def case_stop_stalled_feed(w):
    """A fetch that stalls (the server accepts and never answers) with
    fetch_timeout = 60: SIGTERM must not wait for it (TimeoutStopSec)."""
    silent = Silent()
    with open(w.conf, "a") as f:
        f.write(f"feed_url = http://127.0.0.1:{silent.port}/feed.json\nfetch_timeout = 60\n")
    w.start_player()
    w.player.send_signal(signal.SIGHUP)
    silent.wait_connected(20)
    stop_within(w, 2, "a stalled feed fetch")


def case_stop_stalled_media(w):
    """The media sync (up to 50 files x 2 x fetch_timeout) stalls on a
    picture: SIGTERM ends the player within 2 s all the same."""
    silent = Silent()
    f = json.load(open(FEED))
    f["media"] = [{"id": f"p{i}", "url": f"http://127.0.0.1:{silent.port}/p{i}.png", "sha256": "0" * 64}
                  for i in range(5)]
    json.dump(f, open(w.feed, "w"), ensure_ascii=False)
    with open(w.conf, "a") as c:
        c.write("fetch_timeout = 60\n")
    w.start_player()
    w.player.send_signal(signal.SIGHUP)
    silent.wait_connected(20)
    stop_within(w, 2, "a stalled media download")


def case_poison_feed(w):
    """A feed on screen when the player died abnormally twice in a row is set
    aside: the previous good one is shown, the server's copy is refused, and
    the status file, --status and the log say so. A clean stop in between
    counts nothing."""
    good = first_good_fetch(w)["feed"]["updated_at"]
    f = json.load(open(w.feed))
    f["updated_at"] = "2026-11-30T08:00:00+09:00"
    f["announcements"] = [{"title": "この版で落ちるとします", "body": "poison"}]
    json.dump(f, open(w.feed, "w"), ensure_ascii=False)
    s = w.fetch_now()
    check(s["result"] == "ok" and s["feed"]["updated_at"] != good, "the new feed is on screen")
    bad = s["feed"]["updated_at"]
    guard = os.path.join(w.state, "guard.json")
    check(os.path.exists(guard), "guard.json names what is on screen")
    # A clean stop: nothing suspect.
    w.player.send_signal(signal.SIGTERM)
    check(w.player.wait(timeout=30) == 0 and not os.path.exists(guard), "a clean exit removes guard.json")
    for death in (1, 2):
        w.start_player()
        s = w.wait(lambda s: s and s["feed"].get("updated_at") == bad, 30, "the new feed from the cache")
        time.sleep(0.5)
        w.player.send_signal(signal.SIGABRT if death == 1 else signal.SIGKILL)
        w.player.wait(timeout=30)
        check(os.path.exists(guard), f"abnormal death {death}: guard.json stays behind")
    w.start_player()
    s = w.wait(lambda s: s and "quarantine" in s, 30, "the quarantine in the status file")
    check(s["quarantine"]["what"] == "feed", "the feed was set aside")
    check(s["feed"]["updated_at"] == good, "the previous good feed is on screen")
    qdir = os.path.join(w.cache, "quarantine")
    check(len(os.listdir(qdir)) == 1, "the poison feed is kept in cache_dir/quarantine/")
    words = w.status_words()
    check("隔離" in words and "フィード" in words, "--status says what was quarantined")
    w.log.flush()
    check("poison guard: feed" in open(os.path.join(w.dir, "player.log")).read(), "the log says it")
    # The server still serves it: refused unparsed, the good feed stays.
    s = w.fetch_now()
    check(s["result"] == "quarantined" and s["feed"]["updated_at"] == good,
          f"the server's copy is refused (result {s['result']})")
    # Staff publish a corrected feed: it is taken.
    f["announcements"][0]["body"] = "直しました"
    json.dump(f, open(w.feed, "w"), ensure_ascii=False)
    s = w.fetch_now()
    check(s["result"] == "ok", "a corrected feed is taken again")


def case_poison_pictures(w):
    """A picture set on screen when the player died abnormally twice in a
    row (the embedded plan, so the set is the only suspect) is put aside in
    media_dir: the next start shows no pictures and says why."""
    media = os.path.join(w.dir, "media")
    stick = os.path.join(w.dir, "stick")
    os.makedirs(stick)
    golden = os.path.join(SRC, "tests", "golden")
    for i, name in enumerate(sorted(n for n in os.listdir(golden) if n.endswith("1920x1080.png"))[:2]):
        shutil.copy(os.path.join(golden, name), os.path.join(stick, f"0{i + 1}.png"))
    with open(w.conf, "a") as f:
        f.write(f"media_dir = {media}\n")
    r = run(["--config", w.conf, "--import", stick], env=dict(os.environ, HOME=w.dir))
    check(r.returncode == 0, f"--import took the pictures (exit {r.returncode})")
    for death, sig in ((1, signal.SIGABRT), (2, signal.SIGKILL)):
        w.start_player()
        w.wait(lambda s: s and s["media"]["pictures"] == 2, 30, "the pictures on screen")
        time.sleep(0.5)
        w.player.send_signal(sig)
        w.player.wait(timeout=30)
        check(os.path.exists(os.path.join(w.state, "guard.json")), f"abnormal death {death}: guard.json stays")
    w.start_player()
    s = w.wait(lambda s: s and "quarantine" in s, 30, "the quarantine in the status file")
    check(s["quarantine"]["what"] == "pictures", f"the picture set was set aside ({s['quarantine']['what']})")
    check(s["media"]["pictures"] == 0, "no picture of that set is on screen")
    aside = [n for n in os.listdir(media) if n.startswith("quarantined-")]
    check(len(aside) == 1, f"the set is kept aside in media_dir ({aside})")
    words = w.status_words()
    check("隔離" in words and "USB の画像セット" in words, "--status says the USB picture set was quarantined")


CASES = {
    "emoji": (case_emoji, {}),
    "early_signals": (case_early_signals, {}),
    "ticker_expired": (case_ticker_expired, {}),
    "stop_stalled_feed": (case_stop_stalled_feed, {}),
    "stop_stalled_media": (case_stop_stalled_media, {}),
    "poison_feed": (case_poison_feed, {}),
    "poison_pictures": (case_poison_pictures, {"server": False}),
}


def main():
    fn, kw = CASES[CASE]
    w = World(**kw)
    w.extra = []  # lists of (what, Popen) a case started beside w.player

    close = w.close

    def close_all():
        for group in w.extra:
            for _, p in group:
                if p.poll() is None:
                    p.kill()
                    p.wait()
        close()
    w.close = close_all

    def log_tail():
        if not w.player:
            return ""
        w.log.flush()
        return open(os.path.join(w.dir, "player.log")).read()

    return run_case(CASE, w, lambda world: (fn(world), world.finish()), log_tail)


if __name__ == "__main__":
    sys.exit(main())
