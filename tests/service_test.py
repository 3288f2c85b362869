#!/usr/bin/env python3
"""The player as systemd runs it: sd_notify messages on a datagram socket
the test creates (NOTIFY_SOCKET, WATCHDOG_USEC), SIGUSR1 (screenshot),
SIGHUP (settings reloaded, feed fetched) and SIGTERM (STOPPING=1, exit 0),
on the real binary with the offscreen driver.

    service_test.py BIN PNG_CHECK
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from harness import Fail, check

BIN, PNG_CHECK = sys.argv[1], sys.argv[2]


def main():
    d = tempfile.mkdtemp(prefix="misato-service-")
    sock_path = os.path.join(d, "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sock_path)
    sock.settimeout(0.2)
    conf = os.path.join(d, "signage.conf")

    def write_conf(extra=""):
        with open(conf, "w") as f:
            f.write(f"state_dir = {d}/state\ncache_dir = {d}/cache\nmedia_dir = {d}/media\n"
                    f"usb_roots = none\nslide_seconds = 30\n{extra}")
    write_conf()
    log_path = os.path.join(d, "player.log")
    log = open(log_path, "w")
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", HOME=d, NOTIFY_SOCKET=sock_path,
               WATCHDOG_USEC="1000000")
    p = subprocess.Popen([BIN, "--config", conf, "--windowed", "--size", "640x360"], stderr=log, env=env)
    msgs = []

    def collect(seconds, until=None):
        end = time.time() + seconds
        while time.time() < end:
            try:
                m = sock.recv(4096).decode()
                msgs.append((time.time(), m))
                if until and until in m:
                    return True
            except socket.timeout:
                pass
        return False

    def log_text():
        log.flush()
        return open(log_path, encoding="utf-8").read()

    def wait_log(text, timeout=15):
        end = time.time() + timeout
        while time.time() < end:
            collect(0.2)
            if text in log_text():
                return
        raise Fail(f"timed out waiting for {text!r}:\n{log_text()[-2000:]}")

    try:
        check(collect(30, "READY=1"), "READY=1 arrives")
        ready_at = next(t for t, m in msgs if "READY=1" in m)
        check("first frame on screen" in log_text(), "READY=1 only after the first frame is on screen")
        check(any("STATUS=showing" in m for _, m in msgs), "a STATUS= line for systemctl status")
        collect(3.2)
        pings = [t for t, m in msgs if "WATCHDOG=1" in m and t > ready_at]
        print(f"figure: {len(pings)} watchdog pings in {time.time() - ready_at:.1f} s (WatchdogSec=1)")
        check(len(pings) >= 4, "WATCHDOG=1 keeps coming while the loop runs (every half interval)")
        gaps = [b - a for a, b in zip(pings, pings[1:])]
        check(max(gaps) < 0.9, f"no gap reaches the watchdog's interval (longest {max(gaps):.2f} s)")

        # Frozen (SIGSTOP): the pings stop, which is what makes systemd kill and
        # restart it; thawed, they come back.
        p.send_signal(signal.SIGSTOP)
        collect(0.3)
        stopped_at = time.time()
        collect(1.5)
        p.send_signal(signal.SIGCONT)
        frozen = [t for t, m in msgs if "WATCHDOG=1" in m and t > stopped_at]
        check(not frozen, "a frozen player sends no WATCHDOG=1 (systemd would restart it)")
        thawed_at = time.time()
        collect(1.5)
        check(any("WATCHDOG=1" in m and t > thawed_at for t, m in msgs), "pings resume when it runs again")

        # SIGUSR1: a screenshot of what is on screen.
        p.send_signal(signal.SIGUSR1)
        shot = os.path.join(d, "state", "screenshot.png")
        wait_log("screenshot saved")
        r = subprocess.run([PNG_CHECK, "shot", shot, "50", "10", "10", "0f3556"], capture_output=True, text=True)
        print(r.stdout)
        check(r.returncode == 0 and "640x360" in r.stdout, "the screenshot is the 640x360 screen, header and all")

        # SIGHUP: new settings; folders only after a restart.
        write_conf("town_name = テスト町\nslide_seconds = 5\n")
        with open(conf, "a") as f:
            f.write(f"media_dir = {d}/elsewhere\n")
        p.send_signal(signal.SIGHUP)
        wait_log("reloaded (0 problems); fetching the feed now")
        check("media_dir changed; that takes a restart" in log_text(), "a changed folder asks for a restart")
        p.send_signal(signal.SIGUSR1)
        n = log_text().count("screenshot saved")
        end = time.time() + 15
        while log_text().count("screenshot saved") == n and time.time() < end:
            collect(0.2)
        check(log_text().count("screenshot saved") > n, "a second screenshot after the reload")
        check(p.poll() is None, "still running after SIGHUP and SIGUSR1")

        p.send_signal(signal.SIGTERM)
        rc = p.wait(timeout=20)
        collect(0.5)
        check(rc == 0, "SIGTERM: exit 0")
        check(any("STOPPING=1" in m for _, m in msgs), "STOPPING=1 on the way out")
    except Fail as e:
        print("FAIL:", e)
        print(log_text()[-3000:])
        return 1
    finally:
        if p.poll() is None:
            p.kill()
        sock.close()
        shutil.rmtree(d, ignore_errors=True)
    print("passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
