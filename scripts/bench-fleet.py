#!/usr/bin/env python3
"""A town's screens after a power cut (#17): N real players (offscreen,
small windows, one machine) with a warm
cache (each fetched the feed once "the day before") started again in the
same second against one real nginx on 127.0.0.1 serving the feed, as a
town's web server would. Prints
requests per second at the server over the first minutes, the share of 304s
after each player's first fetch, and the spread of the first fetches; then
what 300 screens would give the server with the same schedule.

    bench-fleet.py PLAYER SOURCE_DIR [PLAYERS [SECONDS [POLL [BUSY]]]]

With BUSY > 0 the server is overloaded when the power comes back: it
answers the first round 503 with Retry-After: BUSY, then serves again, and
the bench says how the screens came back.

A benchmark: it prints figures and fails only when it cannot run."""
import os
import random
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from fleetlib import Nginx, start_player, stop_all  # noqa: E402


def main():
    player, src = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 180
    poll = int(sys.argv[5]) if len(sys.argv) > 5 else 60
    busy = int(sys.argv[6]) if len(sys.argv) > 6 else 0
    d = tempfile.mkdtemp(prefix="bench-fleet-")
    ngx = Nginx(d)
    ngx.serve(os.path.join(src, "config", "default-feed.json"), "feed.json")
    port = ngx.port

    def write_conf(retry_after):
        """The server's configuration; retry_after > 0: every feed request
        is answered 503 with that Retry-After (an overloaded server)."""
        ngx.configure("location = /feed.json { add_header Retry-After %d always; return 503; }" % retry_after
                      if retry_after else "")
    procs = []
    try:
        ok = ngx.start()
        procs.append(ngx.proc)
        if not ok:
            print("nginx did not start (see %s/error.log)" % d)
            return 1
        confs = []
        for i in range(n):
            p = os.path.join(d, "p%02d" % i)
            os.makedirs(p)
            c = os.path.join(p, "signage.conf")
            with open(c, "w") as f:
                # One still slide (no transitions): what is measured is the network.
                # ?screen=N tells the players apart in the access log.
                f.write("feed_url = http://127.0.0.1:%d/feed.json?screen=%d\nallow_http = yes\npoll_seconds = %d\n"
                        "cache_dir = %s/cache\nstate_dir = %s/state\nmedia_dir = %s/media\n"
                        "usb_roots = none\nslide_seconds = 600\ntransition = none\n" % (port, i, poll, p, p, p))
            confs.append((p, c))
        def start_all(tag):
            return [start_player(player, c, p, os.path.join(p, tag + ".log")) for p, c in confs]
        # The day before: every screen fetched the feed once and keeps it,
        # with its ETag, in its cache.
        warm = start_all("warm")
        procs.extend(warm)
        end = time.time() + 120
        while time.time() < end and not all(os.path.exists(os.path.join(p, "cache", "feed.meta.json"))
                                            for p, _ in confs):
            time.sleep(0.5)
        stop_all(warm, 30)
        time.sleep(2)
        if busy:
            write_conf(busy)
            ngx.reload()
            time.sleep(1)
        # The power comes back: every screen starts in the same second.
        t0 = time.time()
        procs.extend(start_all("run"))
        launched = time.time() - t0
        if busy:
            # Busy until every screen was told to come back later.
            end = t0 + seconds
            while time.time() < end:
                with open(ngx.access_log) as f:
                    told = {ln.split(" ", 3)[3].strip() for ln in f
                            if float(ln.split(" ", 1)[0]) >= t0 and ln.split(" ", 2)[1] == "503"}
                if len(told) >= n:
                    break
                time.sleep(0.2)
            write_conf(0)
            ngx.reload()
        time.sleep(max(0.0, t0 + seconds - time.time()))
        rss = []
        for pr in procs[1 + n:]:
            try:
                with open("/proc/%d/status" % pr.pid) as f:
                    for line in f:
                        if line.startswith("VmRSS"):
                            rss.append(int(line.split()[1]) / 1024)
            except OSError:
                pass
    finally:
        stop_all(procs)
    rows = []
    with open(ngx.access_log) as f:
        for line in f:
            parts = line.split(" ", 3)
            if float(parts[0]) >= t0:
                rows.append((float(parts[0]) - t0, int(parts[1]), int(parts[2]), parts[3].strip()))
    rows.sort()
    total = len(rows)
    first_of = {}
    for r in rows:
        first_of.setdefault(r[3], r)
    firsts = sorted(r[0] for r in first_of.values())
    later = [r for r in rows if first_of[r[3]] is not r]
    s304 = sum(1 for r in later if r[1] == 304)
    print("players: %d (launched within %.2f s), poll_seconds %d, measured %.0f s at nginx %s on 127.0.0.1"
          % (n, launched, poll, seconds, ngx.version()))
    if firsts:
        print("first fetches: from %.1f s to %.1f s after the launch (spread %.1f s, median %.1f s)"
              % (min(firsts), max(firsts), max(firsts) - min(firsts), statistics.median(firsts)))
        per_s = {}
        for t in firsts:
            per_s[int(t)] = per_s.get(int(t), 0) + 1
        print("first round: at most %d requests in one second; %d of %d answered 304 (the cached feed is current)"
              % (max(per_s.values()), sum(1 for r in first_of.values() if r[1] == 304), len(first_of)))
    print("requests in all: %d (%d x 200 = %d KiB, %d x 304, %d other)"
          % (total, sum(1 for r in rows if r[1] == 200), sum(r[2] for r in rows if r[1] == 200) // 1024,
             sum(1 for r in rows if r[1] == 304), sum(1 for r in rows if r[1] not in (200, 304))))
    if later:
        print("after the first round: %d requests, %.0f%% of them 304 (not modified)"
              % (len(later), 100.0 * s304 / len(later)))
    if busy:
        # How each screen came back after its 503.
        back, per_s1, per_s2 = [], {}, {}
        for scr, r0 in first_of.items():
            nxt = [r for r in rows if r[3] == scr and r[0] > r0[0]]
            per_s1[int(r0[0])] = per_s1.get(int(r0[0]), 0) + 1
            if nxt:
                back.append((nxt[0][0], nxt[0][0] - r0[0]))
                per_s2[int(nxt[0][0])] = per_s2.get(int(nxt[0][0]), 0) + 1
        if back:
            print("overloaded server (503, Retry-After: %d): the screens came back %.1f to %.1f s after their 503"
                  " (spread %.1f s, first round's %.1f s); at most %d in one second (first round: %d)"
                  % (busy, min(b[1] for b in back), max(b[1] for b in back),
                     max(b[0] for b in back) - min(b[0] for b in back), max(firsts) - min(firsts),
                     max(per_s2.values()), max(per_s1.values())))
    print("requests per second at the server, by 10 s:")
    for b in range(0, int(seconds), 10):
        in_b = [r for r in rows if b <= r[0] < b + 10]
        if in_b or b < 30:
            print("  %3d-%3d s: %4.1f/s  (%d x 200, %d x 304)"
                  % (b, b + 10, len(in_b) / 10.0, sum(1 for r in in_b if r[1] == 200),
                     sum(1 for r in in_b if r[1] == 304)))
    if rss:
        print("player memory: %.0f MiB resident each (median), %.0f MiB for all" % (statistics.median(rss), sum(rss)))
    # 300 screens, same schedule as the updater's (first fetch 1 s + the
    # measured spread, then the poll interval +/-20%): what the server sees.
    spread = max(firsts) - min(firsts) if firsts else 10
    rnd = random.Random(17)
    times = []
    for _ in range(300):
        t = min(firsts) + rnd.random() * spread if firsts else 1 + rnd.random() * 10
        while t < seconds:
            times.append(t)
            t += poll * (0.8 + 0.4 * rnd.random())
    peak = {}
    for t in times:
        peak[int(t)] = peak.get(int(t), 0) + 1
    first300 = [t for t in times if t <= min(firsts or [1]) + spread]
    print("300 screens on this schedule (computed from the measured spread): first round %d requests in %.0f s,"
          " at most %d in one second; then about %.0f requests/s, 304s without a body while the feed is unchanged"
          % (len(first300), spread, max(peak.values()), 300.0 / poll))
    if os.environ.get('KEEP'): print(d)
    else: shutil.rmtree(d, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
