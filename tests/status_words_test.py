#!/usr/bin/env python3
"""What IT reads in `--status` after a failed fetch (#13 item 8): a redirect
loop is called a loop (not a refused URL), libcurl's English comes after the
Japanese, an invalid feed's error has no empty path or leading space, and
the status file's times are written as +09:00.

    status_words_test.py BIN

A real player (offscreen) polls a server on 127.0.0.1 that answers first
with a redirect to itself, then with a Shift_JIS feed.
"""
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

BIN = sys.argv[1]
failures = 0
mode = {"now": "loop"}
GOOD = json.dumps({"schema_version": 1, "measures": [
    {"id": "1-1", "name": "行政手続きのオンライン化", "field": "住民DX",
     "metric": {"name": "オンライン手続数", "unit": "件"}, "targets": {"R6": 60}, "actuals": {"R6": 63}}]},
    ensure_ascii=False).encode("utf-8")


def check(cond, what):
    global failures
    print(("ok: " if cond else "FAIL: ") + what)
    failures += 0 if cond else 1


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if mode["now"] == "loop":
            self.send_response(302)
            self.send_header("Location", "/feed.json")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = GOOD if mode["now"] == "good" else \
            '{\n  "schema_version": 1,\n  "publisher": "美郷町"\n}\n'.encode("shift_jis")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
d = tempfile.mkdtemp(prefix="status-words-")
state, cache = os.path.join(d, "state"), os.path.join(d, "cache")
conf = os.path.join(d, "signage.conf")
with open(conf, "w") as f:
    f.write(f"feed_url = http://127.0.0.1:{server.server_port}/feed.json\nallow_http = yes\n"
            f"poll_seconds = 600\nfetch_timeout = 10\ncache_dir = {cache}\nstate_dir = {state}\n"
            "timezone = Asia/Tokyo\n")
env = dict(os.environ, SDL_VIDEODRIVER="offscreen", HOME=d, MISATO_LOG_LEVEL="warn")
log = open(os.path.join(d, "player.log"), "w")
player = subprocess.Popen([BIN, "--config", conf, "--windowed", "--size", "480x270"],
                          stderr=log, env=env)


def wait_status(pred, timeout, what):
    end = time.time() + timeout
    while time.time() < end:
        try:
            s = json.load(open(os.path.join(state, "status.json")))
            if pred(s):
                return s
        except (OSError, ValueError):
            pass
        time.sleep(0.2)
    check(False, f"waited {timeout} s for {what}")
    return None


def status_text():
    return subprocess.run([BIN, "--config", conf, "--status"], capture_output=True, text=True,
                          env=env, timeout=30).stdout


try:
    s = wait_status(lambda s: s.get("result") == "refused", 60, "the redirect loop")
    if s:
        check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00", s["last_attempt"]) is not None,
              f"times are written with +09:00 ({s['last_attempt']})")
        out = status_text()
        print(out, end="")
        check("リダイレクトのループ (refused" in out, "a loop is called a loop, not a refused URL")
        check("、組み込みのアクションプランを表示中 (showing the embedded plan)" in out
              and "保存データを表示中" not in out, "the embedded plan is not called saved data")
        check(re.search(r"^  エラー / error:             リダイレクトが多すぎます \(ループしていませんか。"
                        r"許可されていない URL ではありません\) \(redirect loop or too many redirects: ",
                        out, re.M) is not None, "the error is in Japanese first, libcurl's English after")
    # A good fetch, then a loop again: the data shown is the saved copy.
    mode["now"] = "good"
    player.send_signal(signal.SIGHUP)
    wait_status(lambda s: s.get("result") == "ok", 60, "a good fetch")
    mode["now"] = "loop"
    player.send_signal(signal.SIGHUP)
    if wait_status(lambda s: s.get("result") == "refused" and s.get("last_success", "-") != "-", 60,
                   "the loop after a good fetch"):
        out = status_text()
        check("前に取得して保存したデータ (network, saved)" in out and "ネットワークから取得" not in out
              and "、保存データを表示中 (showing saved data)" in out,
              "after a failed fetch the data is the saved copy, not \"from the network\"")
    mode["now"] = "sjis"
    player.send_signal(signal.SIGHUP)
    s = wait_status(lambda s: s.get("result") == "invalid feed", 60, "the Shift_JIS feed")
    if s:
        check(not s["error"].startswith(" ") and s["error"].startswith("not UTF-8: 3行目 17文字目"),
              f"the error has no empty path or leading space ({s['error']!r})")
        out = status_text()
        print(out, end="")
        check("エラー / error:             フィードの文字コードが UTF-8 ではありません (not UTF-8: 3行目 17文字目 "
              "(line 3, column 17): the file is Shift_JIS" in out, "the invalid feed is told in Japanese first")
finally:
    player.send_signal(signal.SIGTERM)
    try:
        player.wait(timeout=10)
    except subprocess.TimeoutExpired:
        player.kill()
    server.shutdown()
    log.close()
    text = open(os.path.join(d, "player.log")).read()
    check("feed : " not in text and "feed: 3行目 17文字目" in text,
          "the log names the place of the problem, never an empty path")
    shutil.rmtree(d, ignore_errors=True)
print(f"{failures} failed")
sys.exit(1 if failures else 0)
