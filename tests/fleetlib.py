"""What the fleet's test (tests/fleet_metrics_test.py) and benchmark
(scripts/bench-fleet.py) share: free ports and bounded waits on 127.0.0.1,
a real nginx serving a folder, and real players started the same way
(SDL's offscreen driver, a small window, a HOME and folders of their own,
nothing of the caller's systemd or desktop), then stopped with SIGTERM."""
import os
import shutil
import signal
import socket
import subprocess
import time

# The player's environment that must not leak in from the caller: its
# folders would be the user's, READY=1 would go to the caller's systemd, a
# desktop would be drawn on.
_NOT_INHERITED = ("XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "CACHE_DIRECTORY",
                  "STATE_DIRECTORY", "NOTIFY_SOCKET", "DISPLAY", "WAYLAND_DISPLAY")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(what, fn, timeout, fail=RuntimeError):
    """fn() until it is true (returned), every 0.2 s for at most timeout
    seconds; then fail("timed out ...") is raised."""
    end = time.time() + timeout
    while time.time() < end:
        v = fn()
        if v:
            return v
        time.sleep(0.2)
    raise fail("timed out (%g s) waiting for %s" % (timeout, what))


def wait_port(port, timeout=5):
    """True once something accepts connections on 127.0.0.1:port."""
    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def player_env(home, **extra):
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", HOME=home, **extra)
    for k in _NOT_INHERITED:
        env.pop(k, None)
    return env


def start_player(player, conf, home, log_path, *args, env=None):
    """One player on conf, offscreen in a 320x180 window, its log (stderr)
    to log_path; args after the window's."""
    log = open(log_path, "w")
    try:
        return subprocess.Popen([player, "--config", conf, "--windowed", "--size", "320x180", *args],
                                env=env or player_env(home), stderr=log)
    finally:
        log.close()  # the child has its own descriptor


def stop_all(procs, timeout=15):
    """SIGTERM to every process still running (the last started first),
    then a bounded wait for each; a process that outlives it is killed."""
    for p in reversed(procs):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


NGINX_CONF = """daemon off;
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
        %(extra)s
    }
}
"""


class Nginx:
    """Debian's nginx on a free port of 127.0.0.1, serving d/www, its access
    log (d/access.log) one line a request: time, status, body bytes and the
    request's ?screen= (which player asked)."""

    def __init__(self, d):
        self.binary = shutil.which("nginx") or "/usr/sbin/nginx"
        self.dir = d
        self.www = os.path.join(d, "www")
        self.access_log = os.path.join(d, "access.log")
        os.makedirs(self.www, exist_ok=True)
        os.makedirs(os.path.join(d, "tmp"), exist_ok=True)
        os.chmod(d, 0o755)  # nginx's workers (www-data, nobody) read the files
        self.port = free_port()
        self.conf = os.path.join(d, "nginx.conf")
        self.configure("")
        self.proc = None

    def serve(self, src, name):
        """Copies src to www/name, readable by nginx's workers."""
        dst = os.path.join(self.www, name)
        shutil.copy(src, dst)
        os.chmod(dst, 0o644)

    def configure(self, extra):
        """The server's configuration with extra in its server block,
        replaced atomically; a running nginx takes it on reload()."""
        with open(self.conf + ".tmp", "w") as f:
            f.write(NGINX_CONF % {"d": self.dir, "port": self.port, "extra": extra})
        os.rename(self.conf + ".tmp", self.conf)

    def start(self):
        """Starts it; False when it does not accept connections within 5 s."""
        self.proc = subprocess.Popen([self.binary, "-c", self.conf, "-p", self.dir],
                                     stderr=subprocess.DEVNULL)
        return wait_port(self.port)

    def reload(self):
        self.proc.send_signal(signal.SIGHUP)

    def version(self):
        return subprocess.run([self.binary, "-v"], capture_output=True, text=True).stderr.strip().split("/")[-1]
