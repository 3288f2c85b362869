#!/usr/bin/env python3
"""#14.4: with no display the service waits for one instead of exiting 3
and being restarted every RestartSec. The real player, as systemd runs it
(NOTIFY_SOCKET and WATCHDOG_USEC on a socket the test owns), on SDL's x11
driver pointed at an X display that does not exist yet; then Xvfb starts on
it, as a monitor plugged in. Run by hand (not under systemd) it still ends
with 3 at once, which scripts/run relies on.

    display_wait_test.py BIN CASE      CASE: appears | sigterm | interactive | extend | distinct
"""
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import Fail, check  # noqa: E402

BIN, CASE = sys.argv[1], sys.argv[2]


def reserve_display():
    """A display number nobody uses (no socket in /tmp/.X11-unix, no X
    lock), held for this test with flock on a file of its own. The cases run
    side by side under ctest -j: without the hold, "sigterm" and "appears"
    picked the same free number, and the player that was to wait for ever
    found the Xvfb that "appears" started (CI, session 5)."""
    for n in range(170, 400):
        if os.path.exists(f"/tmp/.X11-unix/X{n}") or os.path.exists(f"/tmp/.X{n}-lock"):
            continue
        fd = os.open(f"/tmp/misato-display-wait-{n}.lock", os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        return n, fd
    raise Fail("no free X display number in 170..399")


class World:
    def __init__(self):
        self.d = tempfile.mkdtemp(prefix="misato-display-wait-")
        self.sock_path = os.path.join(self.d, "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.sock_path)
        self.sock.settimeout(0.1)
        self.conf = os.path.join(self.d, "signage.conf")
        with open(self.conf, "w") as f:
            f.write(f"state_dir = {self.d}/state\ncache_dir = {self.d}/cache\n"
                    f"media_dir = {self.d}/media\nusb_roots = none\nslide_seconds = 30\n")
        self.disp, self._reservation = reserve_display()
        self.log_path = os.path.join(self.d, "player.log")
        self.msgs = []
        self.player = self.xvfb = None

    def start(self, managed=True, driver="x11"):
        env = dict(os.environ, HOME=self.d, SDL_VIDEODRIVER=driver, DISPLAY=f":{self.disp}")
        for k in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "XAUTHORITY", "WAYLAND_DISPLAY"):
            env.pop(k, None)
        if managed:
            env.update(NOTIFY_SOCKET=self.sock_path, WATCHDOG_USEC="1000000")
        self.t0 = time.time()
        self.player = subprocess.Popen([BIN, "--config", self.conf, "--size", "640x360"],
                                       stderr=open(self.log_path, "w"), env=env)

    def collect(self, seconds, until=None):
        end = time.time() + seconds
        while time.time() < end:
            try:
                m = self.sock.recv(4096).decode()
                self.msgs.append((time.time(), m))
                if until and until in m:
                    return True
            except socket.timeout:
                pass
        return False

    def log(self):
        if not os.path.exists(self.log_path):
            return "(no player was started)"
        return open(self.log_path, encoding="utf-8").read()

    def close(self):
        for p in (self.player, self.xvfb):
            if p and p.poll() is None:
                p.kill()
                p.wait()
        os.close(self._reservation)
        shutil.rmtree(self.d, ignore_errors=True)


def wait_and_watchdog(w):
    """Three seconds with no display: still running, said once, alive."""
    w.collect(3.0)
    check(w.player.poll() is None, f"no display: still running after 3 s (exit {w.player.poll()})")
    check(not any("READY=1" in m for _, m in w.msgs), "no READY=1 while nothing is on screen")
    check(w.log().count("no display yet: waiting") == 1, "the wait is said once in the log")
    pings = [t for t, m in w.msgs if "WATCHDOG=1" in m]
    check(len(pings) >= 4, f"the watchdog is fed while waiting ({len(pings)} pings in 3 s)")
    gaps = [b - a for a, b in zip(pings, pings[1:])]
    check(max(gaps) < 0.9, f"no gap reaches WatchdogSec=1 (longest {max(gaps):.2f} s)")
    check(any("EXTEND_TIMEOUT_USEC=" in m for _, m in w.msgs), "the start timeout is extended")


def case_appears(w):
    w.start()
    wait_and_watchdog(w)
    w.collect(4.0)  # let the back-off reach its longest step
    check(w.log().count("no display yet: waiting") == 1, "still said once after 7 s of retries")
    check(w.log().count("error") <= 1, "the retries are quiet (one error line, the first)")
    plugged = time.time()
    w.xvfb = subprocess.Popen(["Xvfb", f":{w.disp}", "-screen", "0", "800x600x24", "-nolisten", "tcp"],
                              stderr=subprocess.DEVNULL)
    check(w.collect(20, "READY=1"), "READY=1 once the display is there")
    took = w.msgs[-1][0] - plugged
    print(f"figure: first frame {took:.1f} s after the display appeared (back-off at most 5 s)")
    check(took < 8, "the display is used within the back-off's longest step (+ start)")
    check("display found after" in w.log(), "the log says the display was found")
    check("first frame on screen" in w.log(), "READY=1 follows the first frame")
    w.player.send_signal(signal.SIGTERM)
    check(w.player.wait(5) == 0, "SIGTERM then ends it with 0")


def case_sigterm(w):
    w.start()
    wait_and_watchdog(w)
    t = time.time()
    w.player.send_signal(signal.SIGTERM)
    try:
        rc = w.player.wait(5)
    except subprocess.TimeoutExpired:
        raise Fail("SIGTERM while waiting: still running after 5 s")
    took = time.time() - t
    check(rc == 0, f"SIGTERM while waiting for a display: exit 0 (got {rc})")
    check(took < 1.0, f"... within a second ({took:.2f} s)")


def case_interactive(w):
    w.start(managed=False)
    try:
        rc = w.player.wait(10)
    except subprocess.TimeoutExpired:
        raise Fail("run by hand with no display: still running after 10 s")
    check(rc == 3, f"run by hand with no display: exit 3 at once (got {rc})")
    check("waiting" not in w.log(), "... without waiting")


def case_extend(w):
    """A display that is there but slow to open (KMS, EGL and GLES2 took 41 s
    on a loaded VM with llvmpipe, and systemd's 90 s start timeout killed
    the player just before its first frame): opening the display and the
    first frame after it each push the start timeout on."""
    w.start(driver="offscreen")
    check(w.collect(30, "READY=1"), "READY=1 arrives")
    before = [m for _, m in w.msgs[:-1]]
    ext = [m for m in before if "EXTEND_TIMEOUT_USEC=" in m]
    check(len(ext) >= 2, f"the start timeout is extended while the display opens and before the first "
                         f"frame ({len(ext)} times before READY=1)")
    check(all(int(m.split("=")[1]) >= 60_000_000 for m in ext), "by at least 60 s each time")
    w.player.send_signal(signal.SIGTERM)
    check(w.player.wait(5) == 0, "SIGTERM ends it with 0")


def case_distinct(w):
    """Two cases at once get two display numbers (the CI race of session 5)."""
    other = World()
    try:
        check(other.disp != w.disp, f"two tests at once: two displays (:{w.disp} and :{other.disp})")
    finally:
        other.close()


def main():
    if shutil.which("Xvfb") is None:
        print("Xvfb missing: install xvfb")
        return 1
    w = World()
    try:
        {"appears": case_appears, "sigterm": case_sigterm, "interactive": case_interactive,
         "extend": case_extend, "distinct": case_distinct}[CASE](w)
    except Fail as e:
        print("FAIL:", e)
        print(w.log()[-3000:])
        return 1
    finally:
        w.close()
    print("passed:", CASE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
