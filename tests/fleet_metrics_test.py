#!/usr/bin/env python3
"""The fleet's view of one screen (#17): the real player (offscreen) polls a
feed on 127.0.0.1 and writes its metrics file; Debian's real node_exporter,
started here on 127.0.0.1 with only the textfile collector, is scraped over
HTTP, as Prometheus would.

    fleet_metrics_test.py PLAYER SOURCE_DIR CASE

CASE scrape: the fetch facts (200, then 304 on the next poll, then a 500
counted as a failure), frames, the slide, the panel, memory.
CASE panel: outside display hours the panel is off on purpose (screen_on 0,
state black with no CEC/DPMS here); `misato-signage --panel on` turns it on
for maintenance (metrics, status.json and --status say so), `--panel auto`
gives it back to the schedule.
Exit 77 (skipped) when prometheus-node-exporter is not installed."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Fail, check, run_case  # noqa: E402
from fleetlib import free_port, player_env, start_player, stop_all  # noqa: E402
import fleetlib  # noqa: E402

NODE_EXPORTER = shutil.which("prometheus-node-exporter") or shutil.which("node_exporter")


def wait_for(what, fn, timeout):
    return fleetlib.wait_for(what, fn, timeout, Fail)


class World:
    def __init__(self, player, src, at):
        self.player = player
        self.src = src
        self.dir = tempfile.mkdtemp(prefix="fleet-metrics-")
        self.procs = []
        self.textfile = os.path.join(self.dir, "textfile")
        self.state = os.path.join(self.dir, "state")
        port_file = os.path.join(self.dir, "port")
        self.server = subprocess.Popen(
            [sys.executable, os.path.join(src, "tests", "feed_server.py"), "--feed-file",
             os.path.join(src, "docs", "feed-example.json"), "--port-file", port_file,
             "--lifetime", "300"])
        self.procs.append(self.server)
        self.port = int(wait_for("the feed server", lambda: os.path.exists(port_file) and
                                 open(port_file).read(), 10))
        self.conf = os.path.join(self.dir, "signage.conf")
        with open(self.conf, "w") as f:
            f.write("feed_url = http://127.0.0.1:%d/feed.json\nallow_http = yes\npoll_seconds = 10\n"
                    "state_dir = %s\ncache_dir = %s/cache\nmedia_dir = %s/media\n"
                    "display_hours = 07:30-19:00\nmetrics_seconds = 10\nusb_roots = none\n"
                    % (self.port, self.state, self.dir, self.dir))
        # As docs/deploy.md sets it up: the metrics in state_dir (the
        # default), and a symbolic link to them in node_exporter's folder.
        os.makedirs(self.textfile)
        os.symlink(os.path.join(self.state, "misato-signage.prom"),
                   os.path.join(self.textfile, "misato-signage.prom"))
        # node_exporter first: the player's first fetch (a 200, then a 304 one
        # poll later) is not missed while node_exporter starts on a busy machine.
        self.ne_port = free_port()
        self.ne_log = open(os.path.join(self.dir, "node_exporter.log"), "w")
        self.ne = subprocess.Popen([NODE_EXPORTER, "--web.listen-address=127.0.0.1:%d" % self.ne_port,
                                    "--collector.disable-defaults", "--collector.textfile",
                                    "--collector.textfile.directory=" + self.textfile],
                                   stdout=self.ne_log, stderr=self.ne_log)
        self.procs.append(self.ne)
        wait_for("node_exporter", lambda: self.try_scrape() is not None, 15)
        self.env = player_env(self.dir)
        self.log_path = os.path.join(self.dir, "player.log")
        self.proc = start_player(player, self.conf, self.dir, self.log_path, "--at", at, env=self.env)
        self.procs.append(self.proc)
        wait_for("the metrics file", lambda: os.path.exists(
            os.path.join(self.state, "misato-signage.prom")), 60)

    def try_scrape(self):
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % self.ne_port, timeout=5) as r:
                return r.read().decode()
        except OSError:
            return None

    def scrape(self):
        """The scraped samples as {name{labels}: value} (our metrics and
        the textfile collector's own)."""
        text = self.try_scrape() or ""
        out = {}
        for line in text.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            m = re.match(r"^(\S+?(?:\{.*\})?) (\S+)$", line)
            if m:
                out[m.group(1)] = float(m.group(2))
        return out

    def wait_metric(self, what, pred, timeout=25):
        return wait_for(what, lambda: (lambda s: s if pred(s) else None)(self.scrape()), timeout)

    def cli(self, *args):
        return subprocess.run([self.player, "--config", self.conf, *args], env=self.env,
                              capture_output=True, text=True, timeout=30)

    def mode(self, m):
        req = urllib.request.Request("http://127.0.0.1:%d/mode" % self.port, data=m.encode(),
                                     method="POST")
        urllib.request.urlopen(req, timeout=5).read()

    def log_tail(self):
        try:
            return open(self.log_path, encoding="utf-8", errors="replace").read()
        except OSError:
            return ""

    def close(self):
        stop_all(self.procs, 10)
        self.ne_log.close() if hasattr(self, "ne_log") else None
        shutil.rmtree(self.dir, ignore_errors=True)


def labelled(s, name):
    """The labels of the one sample of name{...} that is 1, as a dict
    (node_exporter sorts them by name)."""
    for k, v in s.items():
        if k.startswith(name + "{") and v == 1:
            return dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', k[len(name):]))
    return None


def case_scrape(w):
    # (a sanitizer build on a busy machine takes a while to start)
    s = w.wait_metric("a first fetch (HTTP 200)",
                      lambda s: s.get("misato_signage_fetch_last_http_status") == 200, 90)
    check(s.get('node_textfile_scrape_error') == 0, "node_exporter read the file without error")
    check(s.get('misato_signage_feed_source{source="network"}') == 1, "the feed on screen came from the network")
    check(labelled(s, "misato_signage_fetch_last_result") == {'result': 'ok'}, "the last result is ok")
    check(s.get("misato_signage_fetch_failures_total") == 0, "no failed fetch yet")
    check(s.get("misato_signage_feed_age_seconds", 99) < 15, "the feed is fresh")
    check(s.get("misato_signage_poll_interval_seconds") == 10, "the poll interval is there for the alert rule")
    check(s.get("misato_signage_screen_on") == 1, "slides are on screen")
    check(labelled(s, "misato_signage_panel_info") == {'method': 'none', 'state': 'on', 'override': 'none'},
          "the panel: no CEC or DPMS here, on")
    pres = labelled(s, "misato_signage_presentation_info") or {}
    check(pres.get("path") == "software" and pres.get("renderer", "").startswith("software"),
          "how frames reach the screen: SDL's software renderer here (offscreen, no GPU) (%s)" % pres)
    check(s.get("misato_signage_presentation_cpu") == 1, "and the CPU draws them")
    check(s.get("misato_signage_resident_memory_bytes", 0) > 10e6, "memory is reported")
    check(s.get("misato_signage_start_time_seconds", 0) > 1.7e9, "the start time is reported")
    check((labelled(s, "misato_signage_info") or {}).get("version", "") != "", "the version is reported")
    check(s.get("misato_signage_slides", 0) > 3, "the deck's size is reported")
    check(labelled(s, "misato_signage_slide_info") is not None, "the slide on screen is reported")
    f0 = s.get("misato_signage_frames_drawn_total", 0)
    check(f0 > 0, "frames are counted (%d)" % f0)
    s = w.wait_metric("the next poll (HTTP 304)",
                      lambda s: s.get("misato_signage_fetch_last_http_status") == 304)
    check(labelled(s, "misato_signage_fetch_last_result") == {'result': 'not modified'}, "a 304 is 'not modified'")
    check(s.get("misato_signage_fetch_attempts_total", 0) >= 2, "two attempts counted")
    check(s.get("misato_signage_frames_drawn_total", 0) > f0, "frames go on being drawn")
    w.mode("500")
    s = w.wait_metric("a failed fetch (HTTP 500)",
                      lambda s: s.get("misato_signage_fetch_last_http_status") == 500)
    check(s.get("misato_signage_fetch_failures_total") >= 1, "the failure is counted")
    check(s.get("misato_signage_fetch_consecutive_failures") >= 1, "failures in a row")
    check(labelled(s, "misato_signage_fetch_last_result") == {'result': 'HTTP error'}, "the result says HTTP error")
    check(s.get("misato_signage_fetch_last_success_timestamp_seconds", 0) > 1.7e9,
          "the last success stays what it was")


def case_panel(w):
    # (the file is rewritten within a second of each change: wait for all three)
    s = w.wait_metric("the screen off outside display hours",
                      lambda s: s.get("misato_signage_screen_on") == 0 and
                      (labelled(s, "misato_signage_panel_info") or {}).get("state") == "black" and
                      labelled(s, "misato_signage_slide_info") == {"slide": "off"}, 30)
    check(labelled(s, "misato_signage_panel_info") == {'method': 'none', 'state': 'black', 'override': 'none'},
          "off on purpose: the panel is drawn black (no CEC or DPMS here)")
    check(s.get("misato_signage_panel_wanted_on") == 0, "the schedule wants it off")
    check(labelled(s, "misato_signage_slide_info") == {'slide': 'off'}, "the slide says off")
    r = w.cli("--status")
    check(r.returncode == 0 and "表示時間外 (outside display hours)" in r.stdout,
          "--status says the panel is off because of the display hours")
    r = w.cli("--panel", "on")
    print(r.stdout, r.stderr)
    check(r.returncode == 0 and "保守のためオン" in r.stdout, "--panel on is confirmed in words")
    st = json.load(open(os.path.join(w.state, "status.json")))
    check(st["panel"]["override"] == "on" and st["panel"]["wanted_on"] is True,
          "status.json has the override")
    s = w.wait_metric("the override in the metrics", lambda s: s.get("misato_signage_screen_on") == 1, 10)
    check(labelled(s, "misato_signage_panel_info") == {'method': 'none', 'state': 'on', 'override': 'on'},
          "the metrics say: on, by IT's override")
    check(not os.path.exists(os.path.join(w.state, "panel-request")), "the request file was taken")
    r = w.cli("--panel", "auto")
    check(r.returncode == 0 and "表示時間外" in r.stdout, "--panel auto gives it back to the schedule")
    s = w.wait_metric("the schedule again", lambda s: s.get("misato_signage_screen_on") == 0, 10)
    check(labelled(s, "misato_signage_panel_info") == {'method': 'none', 'state': 'black', 'override': 'none'},
          "off again, as scheduled")
    r = w.cli("--panel", "sideways")
    check(r.returncode == 64, "a wrong word is a usage error")
    check(w.proc.poll() is None, "the player is still running")
    w.proc.send_signal(signal.SIGTERM)
    check(w.proc.wait(10) == 0, "SIGTERM ends it cleanly (exit 0)")
    text = open(os.path.join(w.state, "misato-signage.prom")).read()
    check("misato_signage_frames_drawn_total" in text and text.endswith("\n"),
          "the metrics file is whole after the last write at exit")


def main():
    player, src, case = sys.argv[1:4]
    if not NODE_EXPORTER:
        print("SKIP: prometheus-node-exporter is not installed")
        return 77
    at = {"scrape": "2026-11-24T09:00", "panel": "2026-11-24T22:00"}[case]
    w = World(player, src, at)
    return run_case(case, w, {"scrape": case_scrape, "panel": case_panel}[case], w.log_tail)


if __name__ == "__main__":
    sys.exit(main())
