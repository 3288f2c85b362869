"""studio_cdp: starts misato-studio and a real headless Debian chromium, and
drives the browser through the DevTools protocol (python3-websocket). Shared
by the studio's tests; everything talks to 127.0.0.1 and every wait is
bounded."""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket  # python3-websocket

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fleetlib import free_port  # noqa: E402
from harness import Fail, check  # noqa: E402,F401  (re-exported for the studio's tests)


class Studio:
    """A misato-studio on 127.0.0.1 with its own feed, users and versions."""

    def __init__(self, binary, src, feed=None, extra=()):
        self.dir = tempfile.mkdtemp(prefix="studio-test-")
        self.feed = os.path.join(self.dir, "feed.json")
        shutil.copy(feed or os.path.join(src, "docs", "feed-example.json"), self.feed)
        self.users = os.path.join(self.dir, "users")
        self.versions = os.path.join(self.dir, "versions")
        self.binary = binary
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.add_user("tanaka", "hanabi-2026")
        self.add_user("sato", "kamakura-77")
        self.log = open(os.path.join(self.dir, "studio.log"), "w")
        self.proc = subprocess.Popen(
            [binary, "--feed", self.feed, "--users", self.users, "--versions", self.versions,
             "--listen", f"127.0.0.1:{self.port}", *extra],
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()  # the URL, once it listens
        if not line.startswith("http://"):
            raise Fail("misato-studio did not start: " + open(self.log.name).read())

    def add_user(self, name, password):
        r = subprocess.run([self.binary, "--users", self.users, "--add-user", name],
                           input=password + "\n", capture_output=True, text=True, timeout=30)
        if r.returncode != 0:
            raise Fail(f"--add-user {name}: {r.stderr}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                raise Fail("misato-studio did not stop on SIGTERM within 10 s")
        return self.proc.returncode

    def sanitizer_report(self):
        """What ASan, UBSan or LeakSanitizer said in the studio's log, or ''."""
        self.log.flush()
        text = open(self.log.name, errors="replace").read()
        for mark in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            if mark in text:
                return text[text.index(mark) - 200 if text.index(mark) > 200 else 0:][:4000]
        return ""

    def cleanup(self):
        self.stop()
        report = self.sanitizer_report()
        if report:
            raise Fail("the sanitizers reported:\n" + report)
        shutil.rmtree(self.dir, ignore_errors=True)


class Client:
    """An HTTP client as the page is one: a cookie, the CSRF token, Origin."""

    def __init__(self, studio):
        self.s = studio
        self.cookie = None
        self.csrf = ""

    def request(self, method, path, body=None, headers=None, raw=None):
        h = {"Origin": self.s.base}
        if self.cookie:
            h["Cookie"] = "misato_session=" + self.cookie
        if method == "POST":
            h["Content-Type"] = "application/json"
            h["X-CSRF-Token"] = self.csrf
        h.update(headers or {})
        h = {k: v for k, v in h.items() if v is not None}
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else
                                            (b"{}" if method == "POST" else None))
        req = urllib.request.Request(self.s.base + path, data=data, method=method, headers=h)
        try:
            r = urllib.request.urlopen(req, timeout=60)
            status, hdrs, payload = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            status, hdrs, payload = e.code, e.headers, e.read()
        for c in hdrs.get_all("Set-Cookie") or []:
            if c.startswith("misato_session="):
                self.cookie = c.split(";")[0].split("=", 1)[1] or None
                self.set_cookie = c
        ctype = hdrs.get("Content-Type", "")
        if ctype.startswith("application/json"):
            return status, json.loads(payload), hdrs
        return status, payload, hdrs

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def login(self, user="tanaka", password="hanabi-2026"):
        st, j, _ = self.post("/api/login", {"user": user, "password": password})
        if st == 200:
            self.csrf = j["csrf"]
        return st, j


class Browser:
    """Debian's chromium, headless, with one page driven over CDP."""

    def __init__(self, shots_dir=None):
        self.profile = tempfile.mkdtemp(prefix="studio-chromium-")
        self.shots = shots_dir
        exe = shutil.which("chromium") or shutil.which("chromium-browser")
        if exe is None:
            raise Fail("chromium is not installed (scripts/lib.sh TEST_PACKAGES)")
        self.proc = subprocess.Popen(
            [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-features=Translate,MediaRouter", "--lang=ja-JP", "--disable-dev-shm-usage",
             "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
             f"--user-data-dir={self.profile}", "--window-size=1400,1000", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        end = time.time() + 60
        while not os.path.exists(port_file) or not open(port_file).read().strip():
            if time.time() > end or self.proc.poll() is not None:
                raise Fail("chromium did not start its DevTools endpoint")
            time.sleep(0.1)
        port = int(open(port_file).read().split()[0])
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10))
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30,
                                              suppress_origin=True)
        self.seq = 0
        self.events = []
        self.call("Page.enable")
        self.call("Runtime.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=1400, height=1000,
                  deviceScaleFactor=1, mobile=False)

    def call(self, method, **params):
        self.seq += 1
        my = self.seq
        self.ws.send(json.dumps({"id": my, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my:
                if "error" in msg:
                    raise Fail(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def js(self, expr):
        """Evaluates expr in the page (awaiting a promise) and returns its value."""
        r = self.call("Runtime.evaluate", expression=expr, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in r:
            raise Fail(f"page script failed: {expr[:80]}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def goto(self, url):
        self.call("Page.navigate", url=url)
        self.wait("document.readyState === 'complete'", 30, "the page to load")

    def wait(self, expr, timeout, what):
        end = time.time() + timeout
        while time.time() < end:
            if self.js(expr):
                return True
            time.sleep(0.1)
        raise Fail(f"timed out ({timeout} s) waiting for {what}")

    def type_into(self, selector, text):
        """Focuses the element and types text as key events (like a person)."""
        self.js(f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
                f" e.scrollIntoView({{block: 'center'}}); e.focus(); e.select && e.select(); }})()")
        self.call("Input.dispatchKeyEvent", type="keyDown", key="Backspace", code="Backspace",
                  windowsVirtualKeyCode=8)
        self.call("Input.dispatchKeyEvent", type="keyUp", key="Backspace", code="Backspace",
                  windowsVirtualKeyCode=8)
        for ch in text:
            self.call("Input.insertText", text=ch)

    def click(self, selector):
        """A real mouse click on the element's centre, once the layout has
        settled there (images arriving above may still move it)."""
        sel = json.dumps(selector)
        for _ in range(20):
            box = self.js(f"new Promise(ok => {{ const e = document.querySelector({sel});"
                          f" e.scrollIntoView({{block: 'center'}});"
                          f" requestAnimationFrame(() => requestAnimationFrame(() => {{"
                          f" const r = e.getBoundingClientRect(); const x = r.x + r.width / 2,"
                          f" y = r.y + r.height / 2; const hit = document.elementFromPoint(x, y);"
                          f" ok([x, y, !!hit && (hit === e || e.contains(hit))]); }})); }})")
            if box[2]:
                break
            time.sleep(0.1)
        else:
            raise Fail(f"{selector} stays covered or moving; cannot click it")
        for t in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=t, x=box[0], y=box[1], button="left",
                      clickCount=1)

    def screenshot(self, name, full=False):
        if not self.shots:
            return None
        os.makedirs(self.shots, exist_ok=True)
        params = {"format": "png"}
        if full:
            m = self.call("Page.getLayoutMetrics")["cssContentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": m["width"], "height": min(m["height"], 6000),
                              "scale": 1}
            params["captureBeyondViewport"] = True
        data = self.call("Page.captureScreenshot", **params)["data"]
        path = os.path.join(self.shots, name)
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        print("screenshot:", path)
        return path

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        shutil.rmtree(self.profile, ignore_errors=True)
