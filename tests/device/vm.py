"""The lobby device in QEMU (#15): one machine, spoken to through the QEMU
monitor (QMP: screendump, device_add, quit) and a root shell on the virtio
console (hvc0). TCG only (no KVM here), under nice. Every wait is bounded.

    vm = VM(image_dir, work_dir, arch="amd64", net_port=None)
    vm.boot(); vm.wait_shell(); rc, out = vm.sh("systemctl is-active misato-signage")
    shot = vm.screendump("boot")      # a Shot: pixels, saved as work_dir/boot.png
    vm.power_cut()                    # SIGKILL: the guest's fsyncs reached the disk (cache=none)
"""
import json
import os
import random
import re
import signal
import socket
import subprocess
import time


class Fail(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)
    print("ok:", what, flush=True)


def figure(text):
    print("figure:", text, flush=True)


# The slides' colours (src/render_internal.h): the header's blue and the
# footer's grey; an emergency alert fills the screen with its red.
HEADER = (0x0F, 0x35, 0x56)
FOOTER = (0xE4, 0xE9, 0xEF)
ALERT_RED = (0xB0, 0x00, 0x20)
BLACK = (0, 0, 0)


def near(a, b, tol=12):
    return all(abs(x - y) <= tol for x, y in zip(a, b))


class Shot:
    """A screendump (PPM from QEMU) and the PNG made of it for people."""

    def __init__(self, ppm, png):
        with open(ppm, "rb") as f:
            data = f.read()
        m = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
        if not m:
            raise Fail(f"screendump {ppm} is not a PPM")
        self.w, self.h = int(m.group(1)), int(m.group(2))
        self.px = data[m.end():]
        self.png = png

    def at(self, x, y):
        x = x if x >= 0 else self.w + x
        y = y if y >= 0 else self.h + y
        i = (y * self.w + x) * 3
        return tuple(self.px[i:i + 3])

    def share(self, colour, step=8, tol=12):
        """The share of sampled pixels near colour (0..1)."""
        n = hit = 0
        for y in range(0, self.h, step):
            for x in range(0, self.w, step):
                n += 1
                hit += near(self.at(x, y), colour, tol)
        return hit / max(n, 1)

    def is_slide(self):
        """The frame of a slide: the header's blue in both top corners and
        the footer's grey at the bottom."""
        return (self.w > 100 and near(self.at(2, 2), HEADER) and near(self.at(-3, 2), HEADER)
                and near(self.at(2, -3), FOOTER))

    def describe(self):
        return f"{self.w}x{self.h}, corners {self.at(2, 2)} {self.at(-3, 2)} {self.at(2, -3)}"


class VM:
    def __init__(self, image_dir, work, arch="amd64", net_port=None, mem=1024, name="vm"):
        self.image_dir, self.work, self.arch, self.net_port = image_dir, work, arch, net_port
        self.mem, self.name = mem, name
        self.disk = os.path.join(work, f"{name}.qcow2")
        self.qmp_path = os.path.join(work, f"{name}.qmp")
        self.sh_path = os.path.join(work, f"{name}.sh")
        self.console = os.path.join(work, f"{name}-console.log")
        self.proc = self.qmp_sock = self.sh_sock = None
        self.shots = 0
        self.boots = 0
        os.makedirs(work, exist_ok=True)

    # --- the machine ------------------------------------------------------
    def new_disk(self):
        """A copy-on-write disk over the cached image (the image stays clean)."""
        if os.path.exists(self.disk):
            os.unlink(self.disk)
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b",
                        os.path.join(self.image_dir, "disk.img"), self.disk], check=True)

    def command(self):
        if self.arch == "amd64":
            q = ["qemu-system-x86_64", "-accel", "tcg", "-M", "pc", "-vga", "none"]
            console = "ttyS0"
        else:
            q = ["qemu-system-aarch64", "-accel", "tcg", "-M", "virt", "-cpu", "cortex-a57"]
            console = "ttyAMA0"
        q += ["-m", str(self.mem), "-smp", "1", "-nodefaults", "-no-user-config",
              "-kernel", os.path.join(self.image_dir, "vmlinuz"),
              "-initrd", os.path.join(self.image_dir, "initrd.img"),
              "-append", f"root=/dev/vda rw console={console} quiet loglevel=4 "
                         "systemd.show_status=0 rd.udev.log_level=3",
              # cache=none: what the guest fsyncs is on the image when QEMU dies.
              "-drive", f"file={self.disk},if=virtio,format=qcow2,cache=none,discard=unmap",
              "-device", "virtio-gpu-pci", "-display", "none",
              "-serial", f"file:{self.console}",
              "-device", "virtio-serial-pci",
              "-chardev", f"socket,id=sh,path={self.sh_path},server=on,wait=off",
              "-device", "virtconsole,chardev=sh",
              "-qmp", f"unix:{self.qmp_path},server=on,wait=off",
              "-device", "qemu-xhci,id=xhci"]
        if self.net_port:
            # User networking, restricted: the guest reaches only the feed
            # server on the host's loopback, as http://10.0.2.100/.
            q += ["-nic", f"user,model=virtio-net-pci,restrict=on,"
                          f"guestfwd=tcp:10.0.2.100:80-tcp:127.0.0.1:{self.net_port}"]
        else:
            q += ["-nic", "none"]
        return ["nice", "-n", "10"] + q

    def boot(self):
        if not os.path.exists(self.disk):
            self.new_disk()
        for p in (self.qmp_path, self.sh_path):
            if os.path.exists(p):
                os.unlink(p)
        self.boots += 1
        self.qemu_log = open(os.path.join(self.work, f"{self.name}-qemu.log"), "a")
        self.t_start = time.time()
        self.proc = subprocess.Popen(self.command(), stdout=self.qemu_log, stderr=subprocess.STDOUT)
        self.qmp_sock = self._connect(self.qmp_path, 30)
        self.qmp_buf = b""
        self._qmp_read()  # greeting
        self.qmp("qmp_capabilities")
        self.sh_sock = self._connect(self.sh_path, 30)
        self.sh_buf = b""
        self.sh_ready = False

    def _connect(self, path, timeout):
        end = time.time() + timeout
        while time.time() < end:
            if self.proc.poll() is not None:
                raise Fail(f"QEMU exited with {self.proc.returncode}: {self.tail_qemu()}")
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(path)
                return s
            except OSError:
                time.sleep(0.1)
        raise Fail(f"QEMU's {path} did not appear in {timeout} s")

    def tail_qemu(self):
        try:
            return open(os.path.join(self.work, f"{self.name}-qemu.log")).read()[-2000:]
        except OSError:
            return ""

    def power_cut(self):
        """The plug pulled: QEMU killed at once, no shutdown."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(30)
        self._close_socks()

    def shutdown(self, timeout=120):
        """A clean power-off from inside (systemctl poweroff), bounded."""
        if not self.proc or self.proc.poll() is not None:
            return
        try:
            self.sh_sock.sendall(b"systemctl poweroff\n")
            self.proc.wait(timeout)
        except (OSError, subprocess.TimeoutExpired):
            self.power_cut()
        self._close_socks()

    def _close_socks(self):
        for s in (self.qmp_sock, self.sh_sock):
            if s:
                s.close()
        self.qmp_sock = self.sh_sock = None

    def close(self):
        self.power_cut()

    # --- QMP ---------------------------------------------------------------
    def _qmp_read(self, timeout=60):
        end = time.time() + timeout
        while b"\n" not in self.qmp_buf:
            left = end - time.time()
            if left <= 0:
                raise Fail("QMP: no answer")
            self.qmp_sock.settimeout(left)
            chunk = self.qmp_sock.recv(65536)
            if not chunk:
                raise Fail("QMP: QEMU went away")
            self.qmp_buf += chunk
        line, self.qmp_buf = self.qmp_buf.split(b"\n", 1)
        return json.loads(line)

    def qmp(self, cmd, **args):
        self.qmp_sock.sendall(json.dumps({"execute": cmd, "arguments": args}).encode() + b"\n")
        while True:
            r = self._qmp_read()
            if "event" in r:
                continue
            if "error" in r:
                raise Fail(f"QMP {cmd}: {r['error'].get('desc')}")
            return r.get("return")

    def hmp(self, line):
        return self.qmp("human-monitor-command", **{"command-line": line})

    def screendump(self, label=None):
        self.shots += 1
        label = label or f"shot-{self.shots}"
        ppm = os.path.join(self.work, f"{self.name}-{label}.ppm")
        png = os.path.join(self.work, f"{self.name}-{label}.png")
        self.qmp("screendump", filename=ppm)
        shot = Shot(ppm, png)
        if label:
            subprocess.run(["convert", ppm, png], check=False, stderr=subprocess.DEVNULL)
        os.unlink(ppm)
        return shot

    def wait_screen(self, want, timeout, label, every=1.0):
        """Screendumps until want(shot) holds; the shot, saved as label."""
        end = time.time() + timeout
        last = None
        while time.time() < end:
            last = self.screendump("_poll")
            if want(last):
                return self.screendump(label), time.time()
            time.sleep(every)
        if last:
            self.screendump(label + "-timeout")
        raise Fail(f"{label}: the screen did not show it in {timeout} s "
                   f"(last: {last.describe() if last else 'none'})")

    def usb_plug(self, image, id="stick"):
        self.hmp(f"drive_add 0 if=none,id={id}-drive,file={image},format=raw,cache=none")
        self.qmp("device_add", driver="usb-storage", id=id, drive=f"{id}-drive",
                 bus="xhci.0", removable=True)

    def usb_pull(self, id="stick"):
        self.qmp("device_del", id=id)
        # The drive goes with the device; wait until QEMU lets go of the file.
        end = time.time() + 30
        while time.time() < end:
            if f"{id}-drive" not in self.hmp("info block"):
                return
            time.sleep(0.5)
        raise Fail(f"USB {id}: QEMU still holds the drive 30 s after device_del")

    # --- the shell on hvc0 --------------------------------------------------
    def _sh_recv(self, end):
        left = end - time.time()
        if left <= 0:
            return False
        self.sh_sock.settimeout(min(left, 1.0))
        try:
            chunk = self.sh_sock.recv(65536)
        except socket.timeout:
            return True
        if not chunk:
            raise Fail("shell: the console closed")
        self.sh_buf += chunk
        return True

    def wait_shell(self, timeout=600):
        """Until root's shell on hvc0 answers (the getty logs in by itself)."""
        end = time.time() + timeout
        nxt = 0
        while time.time() < end:
            if self.proc.poll() is not None:
                raise Fail(f"QEMU exited with {self.proc.returncode}")
            if time.time() >= nxt:
                self.sh_sock.sendall(b"\nstty -echo; PS1=; echo __UP$((40+2))__\n")
                nxt = time.time() + 5
            self._sh_recv(min(end, nxt))
            if b"__UP42__" in self.sh_buf:
                self.sh_buf = b""
                self.sh_ready = True
                # Drain what the other tries printed.
                self._sh_recv(time.time() + 0.5)
                self.sh_buf = b""
                return time.time()
        raise Fail(f"no shell on hvc0 in {timeout} s; console:\n{self.tail_console()}")

    def tail_console(self):
        try:
            return open(self.console, errors="replace").read()[-3000:]
        except OSError:
            return ""

    def sh(self, cmd, timeout=120, ok=False):
        """Runs cmd in the guest's root shell; (exit code, output)."""
        tag = "%08x" % random.getrandbits(32)
        self.sh_buf = b""
        # A subshell: an `exit` or `cd` in cmd cannot end or move the shell itself.
        line = f"( {cmd} ) </dev/null 2>&1; echo __E$?_{tag}__\n"
        if len(line) > 3500:
            raise Fail("shell: command too long for the tty (use put())")
        self.sh_sock.sendall(line.encode())
        end = time.time() + timeout
        pat = re.compile(rb"__E(\d+)_" + tag.encode() + rb"__")
        while True:
            m = pat.search(self.sh_buf)
            if m:
                out = self.sh_buf[:m.start()].decode("utf-8", "replace").strip("\r\n")
                out = out.replace("\r\n", "\n")
                rc = int(m.group(1))
                if ok and rc != 0:
                    raise Fail(f"guest: {cmd!r} failed ({rc}): {out[-1500:]}")
                return rc, out
            if not self._sh_recv(end):
                raise Fail(f"guest: {cmd!r} gave no answer in {timeout} s")

    def put(self, path, data, mode="644"):
        """Writes data to path in the guest (base64 through the shell)."""
        import base64
        b = base64.b64encode(data if isinstance(data, bytes) else data.encode()).decode()
        self.sh(f": > {path}.b64", ok=True)
        for i in range(0, len(b), 2000):
            self.sh(f"printf %s '{b[i:i + 2000]}' >> {path}.b64", ok=True)
        self.sh(f"base64 -d {path}.b64 > {path}.tmp && rm {path}.b64 && chmod {mode} {path}.tmp "
                f"&& sync {path}.tmp && mv {path}.tmp {path}", ok=True)

    # --- the player in the guest ------------------------------------------
    def unit(self, *props):
        _, out = self.sh("systemctl show misato-signage -p " + ",".join(props), ok=True)
        return dict(l.split("=", 1) for l in out.splitlines() if "=" in l)

    def wait_active(self, timeout=300, after_pid=None):
        """Until the unit is active (READY=1 came) with a new main PID."""
        end = time.time() + timeout
        while time.time() < end:
            u = self.unit("ActiveState", "SubState", "MainPID")
            if u.get("ActiveState") == "active" and u.get("MainPID", "0") not in ("0", after_pid):
                return u
            time.sleep(1)
        _, j = self.sh("journalctl -b --no-pager -u misato-signage | tail -n 30")
        raise Fail(f"misato-signage not active in {timeout} s: {u}\n{j}")

    def journal(self, grep=None):
        cmd = "journalctl -b --no-pager -o short-monotonic -u misato-signage"
        if grep:
            cmd += f" | grep -e '{grep}'"
        return self.sh(cmd)[1]

    def settings(self, text):
        """A drop-in (signage.conf.d/50-test.conf), then a restart."""
        self.sh("mkdir -p /etc/misato-signage/signage.conf.d", ok=True)
        self.put("/etc/misato-signage/signage.conf.d/50-test.conf", text)
        pid = self.unit("MainPID")["MainPID"]
        self.sh("systemctl restart misato-signage", ok=True, timeout=300)
        return self.wait_active(after_pid=pid)
