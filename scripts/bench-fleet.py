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
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    player, src = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 180
    poll = int(sys.argv[5]) if len(sys.argv) > 5 else 60
    busy = int(sys.argv[6]) if len(sys.argv) > 6 else 0
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    d = tempfile.mkdtemp(prefix="bench-fleet-")
    os.chmod(d, 0o755)  # nginx's workers (www-data, nobody) read the feed
    www = os.path.join(d, "www")
    os.makedirs(www)
    os.makedirs(os.path.join(d, "tmp"))
    shutil.copy(os.path.join(src, "config", "default-feed.json"), os.path.join(www, "feed.json"))
    os.chmod(os.path.join(www, "feed.json"), 0o644)
    port = free_port()
    conf = os.path.join(d, "nginx.conf")

    def write_conf(retry_after):
        """The server's configuration; retry_after > 0: every feed request
        is answered 503 with that Retry-After (an overloaded server)."""
        over = ("location = /feed.json { add_header Retry-After %d always; return 503; }" % retry_after
                if retry_after else "")
        with open(conf + ".tmp", "w") as f:
            f.write(template % {"d": d, "port": port, "over": over})
        os.rename(conf + ".tmp", conf)
    template = ("""daemon off;
worker_processes 1;
pid %(d)s/nginx.pid;
error_log %(d)s/error.log warn;
events { worker_connections 1024; }
http {
    log_format fleet '$msec $status $body_bytes_sent $arg_screen';
    access_log %(d)s/access.log fleet;
    client_body_temp_path %(d)s/tmp/body;
    proxy_temp_path %(d)s/tmp/proxy;
    fastcgi_temp_path %(d)s/tmp/fastcgi;
    uwsgi_temp_path %(d)s/tmp/uwsgi;
    scgi_temp_path %(d)s/tmp/scgi;
    types { application/json json; }
    server {
        listen 127.0.0.1:%(port)d;
        root %(d)s/www;
        %(over)s
    }
}
""")
    write_conf(0)
    procs = []
    ngx = subprocess.Popen([nginx, "-c", conf, "-p", d], stderr=subprocess.DEVNULL)
    procs.append(ngx)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            print("nginx did not start (see %s/error.log)" % d)
            return 1
        env = dict(os.environ, SDL_VIDEODRIVER="offscreen")
        for k in ("XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "CACHE_DIRECTORY",
                  "STATE_DIRECTORY", "NOTIFY_SOCKET", "DISPLAY", "WAYLAND_DISPLAY"):
            env.pop(k, None)
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
            out = []
            for p, c in confs:
                e = dict(env, HOME=p)
                out.append(subprocess.Popen([player, "--config", c, "--windowed", "--size", "320x180"],
                                            env=e, stderr=open(os.path.join(p, tag + ".log"), "w")))
            return out
        # The day before: every screen fetched the feed once and keeps it,
        # with its ETag, in its cache.
        warm = start_all("warm")
        procs.extend(warm)
        end = time.time() + 120
        while time.time() < end and not all(os.path.exists(os.path.join(p, "cache", "feed.meta.json"))
                                            for p, _ in confs):
            time.sleep(0.5)
        for pr in warm:
            pr.send_signal(signal.SIGTERM)
        for pr in warm:
            pr.wait(30)
        time.sleep(2)
        if busy:
            write_conf(busy)
            ngx.send_signal(signal.SIGHUP)
            time.sleep(1)
        # The power comes back: every screen starts in the same second.
        t0 = time.time()
        procs.extend(start_all("run"))
        launched = time.time() - t0
        if busy:
            # Busy until every screen was told to come back later.
            end = t0 + seconds
            while time.time() < end:
                with open(os.path.join(d, "access.log")) as f:
                    told = {ln.split(" ", 3)[3].strip() for ln in f
                            if float(ln.split(" ", 1)[0]) >= t0 and ln.split(" ", 2)[1] == "503"}
                if len(told) >= n:
                    break
                time.sleep(0.2)
            write_conf(0)
            ngx.send_signal(signal.SIGHUP)
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
        for pr in reversed(procs):
            if pr.poll() is None:
                pr.send_signal(signal.SIGTERM)
        for pr in procs:
            try:
                pr.wait(15)
            except subprocess.TimeoutExpired:
                pr.kill()
    rows = []
    with open(os.path.join(d, "access.log")) as f:
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
          % (n, launched, poll, seconds, subprocess.run([nginx, "-v"], capture_output=True, text=True)
             .stderr.strip().split("/")[-1]))
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
