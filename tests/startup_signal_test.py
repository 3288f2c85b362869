#!/usr/bin/env python3
"""SIGTERM (and SIGINT) while the player is still starting ends it at once,
with exit 0: systemd once waited out its 20 s stop timeout on a VM where
SDL took that long to open the display.

The start-up is held in SDL's display set-up by a real X connection that
never answers: a socket on 127.0.0.1:6000+N that accepts and says nothing
(an X server that hangs), SDL_VIDEODRIVER=x11, DISPLAY=127.0.0.1:N. Before
the fix the signal waited, blocked, until the signal thread started after
the display opened: here, until the socket closed.

    startup_signal_test.py PLAYER CASE    (CASE: term | int | hup_then_term)
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Fail, check, run_case  # noqa: E402


class HungXServer:
    """Listens on 127.0.0.1:6000+N, accepts, reads and never answers."""

    def __init__(self):
        self.sock = None
        for n in range(60, 100):
            s = socket.socket()
            try:
                s.bind(("127.0.0.1", 6000 + n))
            except OSError:
                s.close()
                continue
            self.sock, self.display = s, n
            break
        if self.sock is None:
            raise Fail("no free X display number 60..99 on 127.0.0.1")
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.conns = []
        self.done = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.done:
            try:
                c, _ = self.sock.accept()
                self.conns.append(c)
            except OSError:
                pass

    def close(self):
        self.done = True
        self.thread.join(5)
        for c in self.conns:
            c.close()
        self.sock.close()


class World:
    def __init__(self, player):
        self.dir = tempfile.mkdtemp(prefix="startup-signal-")
        self.x = HungXServer()
        env = dict(os.environ, SDL_VIDEODRIVER="x11", DISPLAY="127.0.0.1:%d" % self.x.display,
                   HOME=self.dir)
        for k in ("XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "CACHE_DIRECTORY",
                  "STATE_DIRECTORY", "NOTIFY_SOCKET", "WAYLAND_DISPLAY", "XAUTHORITY"):
            env.pop(k, None)
        self.log_path = os.path.join(self.dir, "player.log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([player, "--windowed", "--size", "320x180"], env=env,
                                     stderr=self.log)

    def log_text(self):
        try:
            return open(self.log_path, encoding="utf-8", errors="replace").read()
        except OSError:
            return ""

    def wait_in_x_setup(self):
        """Until the player is held in SDL's X connection set-up."""
        end = time.time() + 60
        while time.time() < end:
            if self.proc.poll() is not None:
                raise Fail("the player ended before it reached the display (%s)" % self.proc.returncode)
            if self.x.conns and "fonts:" in self.log_text():
                time.sleep(0.5)  # well inside XOpenDisplay, waiting for the answer
                check(self.proc.poll() is None and "video driver" not in self.log_text(),
                      "the player is held in SDL's display set-up (an X server that does not answer)")
                return
            time.sleep(0.05)
        raise Fail("the player did not connect to the X server within 60 s")

    def stop_with(self, sig):
        t0 = time.time()
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(5)
        except subprocess.TimeoutExpired:
            raise Fail("still running 5 s after %s during start-up" % sig.name)
        ms = (time.time() - t0) * 1000
        print("%s during start-up: exit %d after %.0f ms" % (sig.name, rc, ms))
        check(rc == 0, "%s during start-up ends the player with exit 0" % sig.name)
        check(ms < 2500, "promptly (%.0f ms)" % ms)
        check("stopping (%s) during start-up" % sig.name in self.log_text(), "the stop is logged")

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        self.x.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def case_term(w):
    w.wait_in_x_setup()
    w.stop_with(signal.SIGTERM)


def case_int(w):
    w.wait_in_x_setup()
    w.stop_with(signal.SIGINT)


def case_hup_then_term(w):
    # A SIGHUP during start-up neither ends the player nor is lost in a way
    # that keeps a later SIGTERM from working.
    w.wait_in_x_setup()
    w.proc.send_signal(signal.SIGHUP)
    time.sleep(0.5)
    check(w.proc.poll() is None, "SIGHUP during start-up does not end the player")
    w.stop_with(signal.SIGTERM)


def main():
    player, case = sys.argv[1:3]
    cases = {"term": case_term, "int": case_int, "hup_then_term": case_hup_then_term}
    w = World(player)
    return run_case(case, w, cases[case], w.log_text)


if __name__ == "__main__":
    sys.exit(main())
