#!/usr/bin/env python3
"""The studio in a real browser: Debian's chromium, headless, driven over the
DevTools protocol. A member of staff logs in, types a bad actual and sees the
player's message beside the field, corrects it and sees the preview change,
reviews the change in words and publishes; then adds an announcement, a
ticker line and an urgent alert (behind its confirmation). The feed file and
a running misato-signage that follows it (--feed file:///...) show each
edit within one poll. Screenshots go to $STUDIO_SHOTS (default: the test's
temporary folder).
usage: studio_browser_test.py STUDIO PLAYER SRC"""
import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from studio_cdp import Browser, Client, Fail, Studio, check  # noqa: E402

STUDIO, PLAYER, SRC = sys.argv[1:4]
POLL = 10


class Player:
    def __init__(self, d, feed):
        self.dir = d
        self.state = os.path.join(d, "state")
        self.conf = os.path.join(d, "signage.conf")
        with open(self.conf, "w") as f:
            f.write(f"poll_seconds = {POLL}\nslide_seconds = 3\ncache_dir = {d}/cache\n"
                    f"state_dir = {self.state}\nmedia_dir = {d}/media\n")
        env = dict(os.environ, SDL_VIDEODRIVER="offscreen", HOME=d)
        self.log = open(os.path.join(d, "player.log"), "w")
        self.proc = subprocess.Popen([PLAYER, "--config", self.conf, "--feed", "file://" + feed,
                                      "--windowed", "--size", "480x270"], stderr=self.log, env=env)
        want = json.load(open(feed))["updated_at"][:16]
        self.wait(lambda s: s and s.get("feed", {}).get("updated_at", "")[:16] == want, 30,
                  "the player showing the feed file")

    def status(self):
        try:
            return json.load(open(os.path.join(self.state, "status.json")))
        except (OSError, ValueError):
            return None

    def wait(self, pred, timeout, what):
        end = time.time() + timeout
        while time.time() < end:
            s = self.status()
            if pred(s):
                return s
            if self.proc.poll() is not None:
                raise Fail(f"the player exited ({self.proc.returncode})")
            time.sleep(0.2)
        raise Fail(f"timed out waiting for {what}; status: {json.dumps(self.status(), ensure_ascii=False)}")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(10)


def measure_r7(path, i):
    return json.load(open(path))["measures"][i].get("actuals", {}).get("R7")


def text(b, sel):
    return b.js(f"(document.querySelector({json.dumps(sel)}) || {{}}).textContent || ''")


def set_value(b, sel, value):
    """For inputs a person fills with a picker (date-time): set and announce it."""
    b.js(f"(() => {{ const e = document.querySelector({json.dumps(sel)}); e.value = {json.dumps(value)};"
         f" e.dispatchEvent(new Event('input', {{bubbles: true}})); }})()")


def publish(b, shots, name, expect):
    b.wait("!document.getElementById('btn-review').disabled", 20, "the publish button")
    b.click("#btn-review")
    b.wait("document.getElementById('dlg').open", 20, "the review dialog")
    changes = b.js("[...document.querySelectorAll('#dlg-body li')].map(e => e.textContent)")
    print("changes:", changes)
    for e in expect:
        check(any(e in c for c in changes), f"the review says 「{e}」")
    b.screenshot(name)
    b.click("#dlg-ok")
    b.wait("document.getElementById('status-text').textContent.startsWith('公開しました')", 20,
           "公開しました")
    return changes


def main():
    shots = os.environ.get("STUDIO_SHOTS")
    s = Studio(STUDIO, SRC)
    shots = shots or os.path.join(s.dir, "shots")
    player = b = None
    try:
        player = Player(s.dir, s.feed)
        b = Browser(shots)
        first = player.status()
        n0 = first["showing"]["count"]
        b.goto(s.base + "/")
        b.wait("!document.getElementById('login-box').hidden", 20, "the login form")
        b.screenshot("studio-00-login.png")
        b.type_into("#login-user", "tanaka")
        b.type_into("#login-pass", "wrong-one")
        b.click("#login-form button[type=submit]")
        b.wait("document.getElementById('login-error').textContent !== ''", 20, "the login error")
        check("パスワードが違います" in text(b, "#login-error"), "a wrong password is told in Japanese")
        b.type_into("#login-pass", "hanabi-2026")
        b.click("#login-form button[type=submit]")
        b.wait("!document.getElementById('app').hidden", 20, "the editor after login")
        b.wait("document.querySelectorAll('#sheet figure img').length > 0 && "
               "document.getElementById('sheet').dataset.loaded > 0", 60, "the first preview")
        key0 = b.js("document.getElementById('sheet').dataset.key")
        n_slides = b.js("document.querySelectorAll('#sheet figure').length")
        check(n_slides == n0, f"the preview has the lobby's {n0} slides")
        check(b.js("document.cookie") == "", "the session cookie is not readable by the page's script")

        # A bad actual: the player's own message appears beside the field.
        field = '[data-path="measures[0].actuals.R7"]'
        b.type_into(field, "百四")
        b.wait(f"document.querySelector('.msg[data-for=\"measures[0].actuals.R7\"]') !== null", 20,
               "the message beside the field")
        msg = text(b, '.msg[data-for="measures[0].actuals.R7"]')
        check("数値を指定してください" in msg, f"the message is the validator's: {msg}")
        check(b.js("document.getElementById('btn-review').disabled"), "publishing is not possible meanwhile")
        check("直すところ" in text(b, "#status-text"), "the status bar says what stands in the way")
        b.js(f"document.querySelector('{field}').scrollIntoView({{block: 'center'}})")
        b.screenshot("studio-01-validation.png")

        # Corrected: the message goes and the preview changes.
        b.type_into(field, "104")
        b.wait("document.querySelectorAll('.msg').length === 0", 20, "the message to go")
        b.wait(f"document.getElementById('sheet').dataset.key !== '{key0}' && "
               "document.querySelector('#sheet figure.changed[data-slide=\"kpi-1-1\"]') !== null", 60,
               "the preview with the KPI slide of 1-1 marked changed")
        changed = b.js("[...document.querySelectorAll('#sheet figure.changed')].map(e => e.dataset.slide)")
        check(changed == ["summary", "kpi-1-1"], f"exactly the changed slides are marked: {changed}")
        b.js("document.getElementById('sec-preview').scrollIntoView()")
        b.screenshot("studio-02-preview.png")
        b.click('#sheet figure[data-slide="kpi-1-1"]')
        b.wait("document.getElementById('big-img').complete && "
               "document.getElementById('big-img').naturalWidth === 1920", 20, "the big preview")
        b.screenshot("studio-03-big.png")

        publish(b, shots, "studio-04-review.png", ["1-1 R7年度の実績: なし → 104件"])
        doc = json.load(open(s.feed))
        check(doc["measures"][0]["actuals"]["R7"] == 104, "the feed file holds 104")
        t0 = time.time()
        player.wait(lambda st: st and st["feed"]["updated_at"][:16] == doc["updated_at"][:16],
                    POLL * 1.2 + 8, "the player to take the published feed")
        print(f"player took the edit after {time.time() - t0:.1f} s (poll_seconds = {POLL})")
        cached = json.load(open(os.path.join(s.dir, "cache", "feed.json")))
        check(cached["measures"][0]["actuals"]["R7"] == 104, "the player's cache holds the new actual")

        # Two staff at once: sato publishes while tanaka's page still holds the old version.
        other = Client(s)
        check(other.login("sato", "kamakura-77")[0] == 200, "sato logs in over HTTP")
        j = other.get("/api/feed")[1]
        j["feed"]["measures"][1].setdefault("actuals", {})["R7"] = 280
        check(other.post("/api/publish", {"feed": j["feed"], "etag": j["etag"]})[0] == 200,
              "sato publishes 1-2 R7 = 280")
        f13 = '[data-path="measures[2].actuals.R7"]'
        b.type_into(f13, "2000")
        b.wait("!document.getElementById('btn-review').disabled", 20, "the publish button")
        b.click("#btn-review")
        b.wait("document.getElementById('dlg').open", 20, "the review dialog")
        b.click("#dlg-ok")
        b.wait("document.getElementById('dlg-title').textContent === 'ほかの人が先に公開しました'", 20,
               "the conflict dialog")
        said = b.js("[...document.querySelectorAll('#dlg-body li')].map(e => e.textContent)")
        check("1-2 R7年度の実績: なし → 280件" in said, f"tanaka sees sato's change: {said}")
        check("1-3 R7年度の実績: なし → 2,000件" in said, "and their own, not yet published")
        check(not any(x.startswith("1-2") and x.endswith("なし") for x in said),
              "their own changes are told against the version they started from (no undoing sato's)")
        check("sato" in text(b, "#dlg-body"), "and who made it")
        b.screenshot("studio-05-conflict.png")
        b.click("#dlg-ok")
        b.wait("document.querySelector('[data-path=\"measures[1].actuals.R7\"]').value === '280'", 20,
               "sato's value in the page")
        check(measure_r7(s.feed, 1) == 280 and measure_r7(s.feed, 2) is None,
              "the file has sato's change and nothing half-saved")
        b.type_into(f13, "2000")
        publish(b, shots, "studio-06-review-again.png", ["1-3 R7年度の実績: なし → 2,000件"])
        check(measure_r7(s.feed, 1) == 280 and measure_r7(s.feed, 2) == 2000, "both changes are kept")

        # The other two usual edits: an announcement and a ticker line.
        b.click("#news-add")
        b.wait("document.querySelector('.msg[data-for^=\"announcements[\"]') !== null", 20,
               "an empty title reported")
        n_news = b.js("document.querySelectorAll('#news-list .item').length")
        b.type_into(f'[data-path="announcements[{n_news - 1}].title"]', "年末年始の窓口のご案内")
        b.type_into(f'[data-path="announcements[{n_news - 1}].body"]', "12月29日から1月3日まで窓口はお休みです。")
        # The session runs out mid-edit (here: ended behind the page's back): logging in
        # again keeps what was typed.
        b.js("fetch('/api/logout', {method: 'POST', headers: {'X-CSRF-Token': S.csrf}})")
        b.click("#ticker-add")
        b.wait("!document.getElementById('login-box').hidden", 20, "the login form after the session ended")
        check("そのまま残ります" in text(b, "#login-error"), "it says the draft is kept")
        b.type_into("#login-user", "tanaka")
        b.type_into("#login-pass", "hanabi-2026")
        b.click("#login-form button[type=submit]")
        b.wait("!document.getElementById('app').hidden", 20, "the editor again")
        check(b.js(f"document.querySelector('[data-path=\"announcements[{n_news - 1}].title\"]').value")
              == "年末年始の窓口のご案内", "the announcement typed before is still there")
        n_tick = b.js("document.querySelectorAll('#ticker-list .item').length")
        b.type_into(f'[data-path="ticker[{n_tick - 1}]"]', "マイナンバーカードの申請はお早めに")
        b.wait("document.querySelectorAll('.msg').length === 0 && "
               "!document.getElementById('btn-review').disabled", 20, "no problem left")
        b.screenshot("studio-07-news.png", full=True)
        publish(b, shots, "studio-08-review.png",
                ["お知らせを追加: 「年末年始の窓口のご案内」", "テロップを追加: 「マイナンバーカードの申請はお早めに」"])
        t0 = time.time()
        player.wait(lambda st: st and st["showing"]["count"] == n0 + 1, POLL * 1.2 + 8,
                    "the new announcement's slide in the player's deck")
        print(f"announcement on screen after {time.time() - t0:.1f} s")

        # The alert is behind a confirmation.
        b.click("#alert-new")
        b.wait("document.getElementById('dlg').open", 10, "the alert's confirmation")
        b.screenshot("studio-09-alert-confirm.png")
        b.click("#dlg-cancel")
        b.wait("!document.getElementById('dlg').open", 10, "the dialog closed")
        check(b.js("document.querySelector('[data-path=\"alert.text\"]') === null"),
              "cancelling creates no alert")
        b.click("#alert-new")
        b.wait("document.getElementById('dlg').open", 10, "the alert's confirmation")
        b.click("#dlg-ok")
        b.wait("document.querySelector('[data-path=\"alert.text\"]') !== null", 10, "the alert form")
        b.type_into('[data-path="alert.title"]', "大雨警報")
        b.type_into('[data-path="alert.text"]', "不要不急の外出は控えてください")
        until = (datetime.now(timezone(timedelta(hours=9))) + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
        set_value(b, '[data-path="alert.until"]', until)
        b.wait("document.querySelectorAll('.msg').length === 0 && "
               "!document.getElementById('btn-review').disabled", 20, "the alert checks")
        publish(b, shots, "studio-10-alert-review.png", ["緊急のお知らせを出す: 「大雨警報」"])
        t0 = time.time()
        player.wait(lambda st: st and st["showing"]["slide"] == "alert", POLL * 1.2 + 8,
                    "the alert on the player's screen")
        print(f"alert on screen after {time.time() - t0:.1f} s")
        b.js("document.getElementById('sec-preview').scrollIntoView()")
        b.wait("document.querySelector('#sheet figure[data-slide=\"alert\"]') !== null", 60,
               "the alert in the preview")
        b.screenshot("studio-11-alert-preview.png")

        # Versions: one click back to the first, and the player follows.
        b.js("document.getElementById('sec-versions').scrollIntoView()")
        b.wait("document.querySelectorAll('#versions button').length >= 3", 20, "the versions list")
        b.screenshot("studio-12-versions.png")
        b.click("#versions tr:last-child button")
        b.wait("document.getElementById('dlg').open", 10, "the restore confirmation")
        b.click("#dlg-ok")
        b.wait("document.getElementById('status-text').textContent.startsWith('版 1 に戻しました')", 20,
               "restored")
        check(open(s.feed).read() == open(os.path.join(SRC, "docs", "feed-example.json")).read(),
              "the file is the original again, byte for byte")
        player.wait(lambda st: st and st["showing"]["slide"] != "alert" and st["showing"]["count"] == n0,
                    POLL * 1.2 + 8, "the player back to the original")
        check(s.proc.poll() is None and player.proc.poll() is None, "studio and player still run")
        print("screenshots in", shots)
    finally:
        if b:
            if sys.exc_info()[0] is not None:  # what the page looked like when it failed
                try:
                    b.screenshot("failure.png")
                    print("page status:", text(b, "#status-text"), "| login:", text(b, "#login-error"))
                except Exception:  # noqa: BLE001
                    pass
            b.close()
        if player:
            player.stop()
        s.stop()
    s.cleanup()
    print("PASS studio_browser")


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001
        print("FAIL:", type(e).__name__, e)
        sys.exit(1)
