#!/usr/bin/env python3
"""A fault-injecting feed server for the tests, on 127.0.0.1 only.

    feed_server.py --feed-file FEED.json --port-file PORT [--mode ok]

Serves GET /feed.json according to the current mode; POST /mode with a mode
name as the body switches it; GET /stats returns request counts as JSON.
It exits when its parent (the test) goes away or after --lifetime seconds.

Modes:
  ok            the feed file (re-read on every request), ETag and Last-Modified,
                304 on a matching If-None-Match
  alternate     a different valid feed on every request (no validators)
  404, 500      that status
  503-retry     503 with Retry-After: 120
  silence       accept the request, then say nothing
  slow          headers, then one byte every 3 seconds
  endless       a chunked body that never ends
  big           a 2 MiB body
  gzip-bomb     Content-Encoding: gzip that inflates to 64 MiB
  truncated     the first half of the feed
  bad-utf8      the feed with an invalid UTF-8 byte inside a string
  deep          100,000 nested arrays
  redirect-file, redirect-ftp, redirect-loop, redirect-ok
GET /media/NAME serves the file NAME from --media-dir in every mode.
"""
import argparse
import gzip
import hashlib
import json
import os
import socketserver
import sys
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE = {"mode": "ok", "requests": 0, "not_modified": 0, "served": 0, "counter": 0}
LOCK = threading.Lock()
BOMB = None


def bomb():
    global BOMB
    if BOMB is None:
        BOMB = gzip.compress(b"\0" * (64 << 20), compresslevel=9)
    return BOMB


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "misato-test-server"

    def log_message(self, fmt, *args):  # quiet unless asked
        if os.environ.get("FEED_SERVER_VERBOSE"):
            sys.stderr.write("feed_server: " + fmt % args + "\n")

    def send(self, status, body=b"", headers=None):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n).decode()
        if self.path == "/mode":
            with LOCK:
                STATE["mode"] = body.strip()
            self.send(200, b"ok")
        else:
            self.send(404)

    def do_GET(self):
        if self.path == "/stats":
            with LOCK:
                self.send(200, json.dumps(STATE).encode(), {"Content-Type": "application/json"})
            return
        with LOCK:
            STATE["requests"] += 1
            mode = STATE["mode"]
            STATE["counter"] += 1
            counter = STATE["counter"]
        if self.path.startswith("/media/"):
            name = os.path.basename(self.path)
            path = os.path.join(self.server.media_dir or "/nonexistent", name)
            if os.path.isfile(path):
                self.send(200, open(path, "rb").read(), {"Content-Type": "image/png"})
            else:
                self.send(404, b"no such media")
            return
        feed = open(self.server.feed_file, "rb").read()
        if self.path == "/redirected" or mode == "ok" and self.path == "/feed.json":
            etag = '"' + hashlib.sha256(feed).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                with LOCK:
                    STATE["not_modified"] += 1
                self.send(304, b"", {"ETag": etag})
                return
            with LOCK:
                STATE["served"] += 1
            self.send(200, feed, {"Content-Type": "application/json", "ETag": etag,
                                  "Last-Modified": formatdate(usegmt=True)})
        elif mode == "alternate":
            doc = json.loads(feed)
            doc["publisher"] = "generation %d" % counter
            doc["updated_at"] = "2026-11-%02dT09:00:00+09:00" % (1 + counter % 28)
            self.send(200, json.dumps(doc, ensure_ascii=False).encode())
        elif mode in ("404", "500"):
            self.send(int(mode), b"no")
        elif mode == "503-retry":
            self.send(503, b"busy", {"Retry-After": "120"})
        elif mode == "silence":
            time.sleep(30)
        elif mode == "slow":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            for _ in range(20):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(3)
        elif mode == "endless":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b" " * 65536
            for _ in range(2000):  # 128 MiB at most, then give up
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        elif mode == "big":
            self.send(200, b" " * (2 << 20) + feed)
        elif mode == "gzip-bomb":
            self.send(200, bomb(), {"Content-Encoding": "gzip"})
        elif mode == "truncated":
            self.send(200, feed[: len(feed) // 2])
        elif mode == "bad-utf8":
            self.send(200, feed.replace("美郷町".encode(), b"\xff\xfe", 1))
        elif mode == "deep":
            self.send(200, b'{"schema_version":1,"x":' + b"[" * 100000 + b"]" * 100000 + b"}")
        elif mode == "redirect-file":
            self.send(302, b"", {"Location": "file:///etc/passwd"})
        elif mode == "redirect-ftp":
            self.send(302, b"", {"Location": "ftp://127.0.0.1/feed.json"})
        elif mode == "redirect-loop":
            self.send(302, b"", {"Location": "/feed.json"})
        elif mode == "redirect-ok":
            self.send(302, b"", {"Location": "/redirected"})
        else:
            self.send(400, b"unknown mode")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--feed-file", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--mode", default="ok")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--lifetime", type=float, default=600)
    ap.add_argument("--media-dir")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="serve https")
    a = ap.parse_args()
    STATE["mode"] = a.mode
    srv = Server(("127.0.0.1", a.port), Handler)
    if a.tls:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls[0], a.tls[1])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.feed_file = a.feed_file
    srv.media_dir = a.media_dir
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, a.port_file)
    parent = os.getppid()
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    end = time.time() + a.lifetime
    while time.time() < end and os.getppid() == parent:
        time.sleep(0.2)
    srv.shutdown()


if __name__ == "__main__":
    main()
