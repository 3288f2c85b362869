#!/usr/bin/env python3
"""#16: libcurl (and the TLS libraries it brings: 5 MiB of PSS) is mapped
only once the player fetches. With no feed_url it never is; with one it is
after the first poll. The real player, offscreen, its /proc/PID/maps read.

    lazy_curl_test.py BIN
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Fail, check, run_case  # noqa: E402

BIN = sys.argv[1]


class World:
    def __init__(self):
        self.d = tempfile.mkdtemp(prefix="misato-lazy-curl-")
        self.p = None
        self.log_path = os.path.join(self.d, "player.log")

    def start(self, extra=""):
        conf = os.path.join(self.d, "signage.conf")
        with open(conf, "w") as f:
            f.write(f"state_dir = {self.d}/state\ncache_dir = {self.d}/cache\nmedia_dir = {self.d}/media\n"
                    f"usb_roots = none\nmetrics_file = none\n{extra}")
        env = dict(os.environ, SDL_VIDEODRIVER="offscreen", HOME=self.d)
        for k in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "DISPLAY", "WAYLAND_DISPLAY"):
            env.pop(k, None)
        self.p = subprocess.Popen([BIN, "--config", conf, "--size", "640x360"],
                                  stderr=open(self.log_path, "w"), env=env)

    def wait_log(self, text, timeout=30):
        end = time.time() + timeout
        while time.time() < end:
            if text in self.log():
                return True
            check(self.p.poll() is None, f"the player still runs (exit {self.p.poll()})")
            time.sleep(0.1)
        return False

    def mapped(self, lib):
        with open(f"/proc/{self.p.pid}/maps") as f:
            return any(lib in line for line in f)

    def log(self):
        return open(self.log_path, encoding="utf-8").read() if os.path.exists(self.log_path) else ""

    def stop(self):
        if self.p and self.p.poll() is None:
            self.p.terminate()
            self.p.wait(10)

    def close(self):
        if self.p and self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        shutil.rmtree(self.d, ignore_errors=True)


def case(w):
    w.start()
    check(w.wait_log("first frame on screen"), "the first frame is on screen")
    check(w.wait_log("USB import is off"), "the workers have started")
    time.sleep(2)
    check(not w.mapped("libcurl"), "no feed_url: libcurl is not mapped")
    w.stop()
    # A feed URL that refuses at once (nothing listens on port 9 of 127.0.0.1).
    w.start("feed_url = http://127.0.0.1:9/feed.json\nallow_http = yes\npoll_seconds = 60\n")
    check(w.wait_log("first frame on screen"), "with a feed_url: the first frame is on screen")
    end = time.time() + 20
    while time.time() < end and not w.mapped("libcurl"):
        time.sleep(0.2)
    check(w.mapped("libcurl"), "with a feed_url: libcurl is mapped once the worker fetches")
    w.stop()


if __name__ == "__main__":
    w = World()
    sys.exit(run_case("lazy_curl", w, case, w.log))
