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
import subprocess
import sys
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
    shutil.copy(os.path.join(SRC, "tests", "golden", "kpi-1-1-1920x1080.png"),
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


CASES = {
    "emoji": (case_emoji, {}),
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
