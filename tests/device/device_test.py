#!/usr/bin/env python3
"""The lobby device, tested whole (#15): Debian 12 with the package booted
in QEMU (tests/device/image.sh makes the disk), watched through screendumps.
Each case is a short function; what it asserts is in its check() lines.

    device_test.py IMAGE_DIR WORK_DIR SOURCE_DIR CASE...
    CASE: boot watchdog usb hours panel nolibgl bench network powercut[=N]

boot, watchdog, usb, hours, panel and nolibgl share one machine booted with no
network (-nic none), in that order (boot first); network and powercut boot
machines of their own. Screendumps are left in WORK_DIR as PNG.
"""
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vm import ALERT_RED, BLACK, VM, Fail, check, figure  # noqa: E402

IMAGE, WORK, SRC = sys.argv[1], sys.argv[2], sys.argv[3]
ARCH = os.environ.get("MISATO_DEVICE_ARCH", "amd64")
WATCHDOG_SEC, RESTART_SEC = 30, 3  # config/systemd/misato-signage.service
TCG_START = 30  # the player's own start under TCG (fonts, first draw), generous
# Power-on to the first slide under TCG: 224-385 s on this 2-core machine at
# load 15 (one QEMU); the bound is for a machine busier still.
BOOT_TIMEOUT = int(os.environ.get("MISATO_DEVICE_BOOT_TIMEOUT", "1500"))


def mono(line):
    """The monotonic seconds of a journalctl -o short-monotonic line."""
    m = re.match(r"\[\s*([0-9.]+)\]", line)
    return float(m.group(1)) if m else None


def is_slide(shot):
    return shot.is_slide()


# --- the machine with no network -------------------------------------------------

def case_boot(vm):
    """Power-on with no network: the unit starts at boot on KMSDRM, READY=1
    after the first frame, and the screendump shows a slide."""
    vm.new_disk()
    vm.boot()
    shot, t_shown = vm.wait_screen(is_slide, BOOT_TIMEOUT, "boot-first-frame", every=0.5)
    figure(f"QEMU start -> slide on the screendump: {t_shown - vm.t_start:.1f} s (TCG, host clock)")
    check(shot.is_slide(), f"the screen shows a slide: header and footer colours ({shot.describe()})")
    vm.wait_shell()
    vm.wait_active(timeout=60)  # the slide can be on the screendump a moment before READY=1 is read
    u = vm.unit("ActiveState", "NRestarts", "ExecMainStartTimestampMonotonic",
                "ActiveEnterTimestampMonotonic")
    start_s = int(u["ExecMainStartTimestampMonotonic"]) / 1e6
    ready_s = int(u["ActiveEnterTimestampMonotonic"]) / 1e6
    frame = [mono(l) for l in vm.journal("first frame on screen").splitlines() if mono(l)]
    figure(f"kernel start -> player started {start_s:.1f} s -> first frame "
           f"{frame[0] if frame else float('nan'):.1f} s -> READY=1 {ready_s:.1f} s (guest monotonic)")
    check(u["ActiveState"] == "active", "misato-signage is active (READY=1 came)")
    check(u["NRestarts"] == "0", f"the first start worked, no restart (NRestarts={u['NRestarts']}; #14.4)")
    check(bool(frame) and frame[0] <= ready_s + 0.01, "READY=1 only after the first frame")
    _, w = vm.sh("systemctl show systemd-networkd-wait-online -p ExecMainExitTimestampMonotonic --value")
    wait_end = int(w.strip() or 0) / 1e6
    figure(f"systemd-networkd-wait-online gave up at {wait_end:.1f} s" if wait_end else
           "systemd-networkd-wait-online still waiting")
    check(wait_end == 0 or start_s < wait_end,
          "the player started before network-online.target gave up: no wait for it (#14.1)")
    j = vm.journal()
    check("video driver KMSDRM" in j, "the console's display: KMS")
    check("on a KMS dumb buffer" in j and "renderer software" in j,
          "no GPU (virtio-gpu without virgl): SDL's software renderer on the player's own KMS dumb buffer "
          "(#16), not SDL's GLES2 texture composed by llvmpipe")
    _, maps = vm.sh(f"grep -c -e libEGL -e libGLES -e _dri.so -e libgallium /proc/{vm.unit('MainPID')['MainPID']}/maps; true",
                    ok=True)
    check(maps.strip() == "0", f"Mesa is not loaded in the player ({maps.strip()} mappings of EGL/GLES/DRI)")
    check("does not draw" not in j, "the renderer drew into a render target")
    check("Fontconfig error" not in j, "no fontconfig error (#14.3)")
    check("Can't read /proc/cpuinfo" not in j, "LLVM (llvmpipe) can read /proc/cpuinfo: no ProcSubset=pid")
    vm.boot_ready_s = ready_s
    later = vm.screendump("boot-later")  # for people: the screen some seconds on
    print(f"later: {later.describe()}")
    print("\n".join(l for l in j.splitlines() if "misato-signage[" in l)[-2500:])


def case_watchdog(vm):
    """SIGSTOP the player: systemd's watchdog kills it and starts it again;
    the new one's first frame within WatchdogSec + RestartSec (+ its start)."""
    u = vm.unit("MainPID", "NRestarts")
    pid, n0 = u["MainPID"], int(u["NRestarts"])
    _, up = vm.sh(f"cat /proc/uptime; kill -STOP {pid}", ok=True)
    t_stop = float(up.split()[0])
    vm.wait_active(timeout=WATCHDOG_SEC + RESTART_SEC + 240, after_pid=pid)
    u = vm.unit("MainPID", "NRestarts")
    j = vm.journal()
    frames = [mono(l) for l in j.splitlines() if "first frame on screen" in l and mono(l) > t_stop]
    kills = [mono(l) for l in j.splitlines() if "atchdog timeout" in l and mono(l) > t_stop]
    check(int(u["NRestarts"]) == n0 + 1, "systemd restarted the frozen player once")
    check(bool(kills), "the journal says the watchdog timed out")
    check(bool(frames), "the new player put a frame on the screen")
    back = frames[0] - t_stop
    figure(f"SIGSTOP -> watchdog kill {kills[0] - t_stop:.1f} s -> new first frame {back:.1f} s "
           f"(WatchdogSec={WATCHDOG_SEC}, RestartSec={RESTART_SEC})")
    check(kills[0] - t_stop <= WATCHDOG_SEC + 2, "killed within WatchdogSec")
    check(back <= WATCHDOG_SEC + RESTART_SEC + TCG_START, "the screen is back within "
          f"WatchdogSec + RestartSec + the start ({back:.1f} s)")
    vm.wait_screen(is_slide, 60, "watchdog-back")


def fat_stick(path, files, mb=32):
    """A FAT stick image with files {name on the stick: bytes} (mtools)."""
    if os.path.exists(path):
        os.unlink(path)
    subprocess.run(["mkfs.fat", "-C", "-n", "STICK", path, str(mb * 1024)], check=True,
                   stdout=subprocess.DEVNULL)
    dirs = sorted({os.path.dirname(n) for n in files if os.path.dirname(n)})
    for d in dirs:
        subprocess.run(["mmd", "-i", path, "::" + d], check=True)
    tmp = path + ".files"
    os.makedirs(tmp, exist_ok=True)
    for name, data in files.items():
        local = os.path.join(tmp, name.replace("/", "_"))
        with open(local, "wb") as f:
            f.write(data)
        subprocess.run(["mcopy", "-i", path, local, "::" + name], check=True)
    shutil.rmtree(tmp)


def stick_read(path, name):
    r = subprocess.run(["mtype", "-i", path, "::" + name], capture_output=True)
    return r.stdout.decode("utf-8", "replace") if r.returncode == 0 else None


def picture(colour, size="1280x720", noise=False):
    args = ["convert", "-size", size, "xc:" + colour]
    if noise:
        args += ["+noise", "Random"]
    r = subprocess.run(args + ["png:-"], capture_output=True, check=True)
    return r.stdout


KEY = b"misato-device-test-key-" + b"k" * 24 + b"\n"
PICS = {"signage/import.key": KEY,
        "signage/01-red.png": picture("#c03020"),
        "signage/02-green.png": picture("#20a040")}


def media_state(vm):
    """What the player's picture folder holds (names and sizes), one string."""
    return vm.sh("cd /var/lib/misato-signage/media 2>/dev/null && find . -type f -printf '%p %s\\n' "
                 "| sort | md5sum", ok=True)[1]


def case_usb(vm):
    """IT's stick, hot-plugged: udev mounts it, the player imports it (toast,
    then the picture slide), the report is on the stick; a stick without the
    key changes nothing; a stick pulled mid-import leaves the old set."""
    vm.settings(f"usb_key_sha256 = {hashlib.sha256(KEY).hexdigest()}\nslide_seconds = 3\n"
                "transition = none\n")
    stick = os.path.join(WORK, "stick.img")
    fat_stick(stick, PICS)
    vm.usb_plug(stick)
    t = time.time()
    shot, _ = vm.wait_screen(lambda s: s.share((0xc0, 0x30, 0x20), tol=16) > 0.25, 240, "usb-picture")
    figure(f"stick plugged -> its picture on screen {time.time() - t:.1f} s")
    j = vm.journal()
    check("key accepted; importing" in j, "the udev rule mounted the stick and the player took its key")
    check(re.search(r"2 pictures taken, 0 refused", j) is not None, "both pictures imported")
    _, mounts = vm.sh("grep /media/misato /proc/mounts")
    check("nosuid" in mounts and "noexec" in mounts, f"mounted nosuid,noexec: {mounts}")
    toast = vm.sh("ls /var/lib/misato-signage/media/")[1]
    print("media_dir:", toast.replace("\n", " "))
    vm.sh("sync; sleep 2")
    vm.usb_pull()
    report = stick_read(stick, "signage/import-report.txt")
    check(report is not None, "the import report is on the stick (read back with mtools)")
    check("01-red.png" in report and "02-green.png" in report, "the report names both pictures")
    print(report[:600])
    before = media_state(vm)

    # Without the key: nothing changes.
    nokey = os.path.join(WORK, "stick-nokey.img")
    fat_stick(nokey, {"signage/03-blue.png": picture("#2040c0")})
    vm.usb_plug(nokey, "nokey")
    time.sleep(20)
    check(media_state(vm) == before, "a stick without the key: the picture set is unchanged")
    vm.usb_pull("nokey")

    # Pulled while the import runs: the old set stays.
    big = {"signage/import.key": KEY}
    for i in range(8):
        big[f"signage/big-{i}.png"] = picture("#808080", "1920x1080", noise=True)
    bigimg = os.path.join(WORK, "stick-big.img")
    fat_stick(bigimg, big, mb=96)
    n0 = vm.journal().count("key accepted; importing")
    vm.usb_plug(bigimg, "big")
    end = time.time() + 120
    while time.time() < end and vm.journal().count("key accepted; importing") == n0:
        time.sleep(0.5)
    check(time.time() < end, "the big stick's import began")
    vm.usb_pull("big")
    time.sleep(15)
    j = vm.journal()
    print("\n".join(l for l in j.splitlines()[-8:]))
    check(media_state(vm) == before, "a stick pulled mid-import: the old set stays, byte for byte")
    check(vm.unit("ActiveState")["ActiveState"] == "active", "the player still runs")
    vm.wait_screen(is_slide, 120, "usb-after-pull")


def jst_now():
    return time.gmtime(time.time() + 9 * 3600)


def case_hours(vm):
    """The end of display hours: the screen goes black (and, with #17's
    panel power in src/panel.c, the connector's DPMS goes Off); a reload
    with hours that include now brings it back."""
    now = jst_now()
    start = "00:00"
    end_min = now.tm_hour * 60 + now.tm_min + 2
    if end_min >= 24 * 60 - 1:
        print("skip: too close to midnight for a display-hours window")
        return
    end = f"{end_min // 60:02d}:{end_min % 60:02d}"
    # A reload (SIGHUP), not a restart: under load a restart can take most
    # of the two minutes, and the hours would end before the first frame.
    vm.put("/etc/misato-signage/signage.conf.d/50-test.conf", f"display_hours = {start}-{end}\n")
    vm.sh("systemctl reload misato-signage", ok=True)
    vm.wait_screen(is_slide, 60, "hours-on")
    _, dpms_on = vm.sh("cat /sys/class/drm/card*-*/dpms", ok=True)
    shot, t_off = vm.wait_screen(lambda s: s.share(BLACK, tol=4) > 0.97, 200, "hours-off")
    figure(f"display hours ended at {end} JST; black screen at {time.strftime('%H:%M:%S', jst_now())}")
    _, dpms_off = vm.sh("cat /sys/class/drm/card*-*/dpms", ok=True)
    check("outside display hours" in vm.journal(), "the log says the screen is off until the next start")
    panel = os.path.exists(os.path.join(SRC, "src", "panel.c"))
    figure(f"connector DPMS: {dpms_on.strip()} while on, {dpms_off.strip()} while off"
           f" (panel power {'present' if panel else 'not built yet (#17: src/panel.c)'})")
    if panel:
        check(dpms_off.strip() == "Off", "outside display hours the connector's DPMS is Off (#17)")
    vm.put("/etc/misato-signage/signage.conf.d/50-test.conf", "display_hours = 00:00-24:00\n")
    vm.sh("systemctl reload misato-signage", ok=True)
    vm.wait_screen(is_slide, 120, "hours-back")
    _, dpms_back = vm.sh("cat /sys/class/drm/card*-*/dpms", ok=True)
    check(dpms_back.strip() == "On", f"the screen is back on, DPMS {dpms_back.strip()}")


def case_panel(vm):
    """#17 on the device, read back from it: tests/panel_device_test.sh in
    the guest, the player run by hand on the console (the unit stopped, so
    it can be DRM master), started at 22:00 (outside display hours): KMS
    DPMS read from /sys/class/drm; then CEC on the kernel's vivid, where
    /dev/cec0 plays the TV (cec-follower) and /dev/cec1 is the player's
    HDMI output. Each: Off at night, On after --panel on, Off after --panel auto."""
    vm.put("/root/panel_device_test.sh", open(os.path.join(SRC, "tests", "panel_device_test.sh")).read(), "755")
    vm.sh("systemctl stop misato-signage", ok=True, timeout=120)
    try:
        rc, out = vm.sh("/root/panel_device_test.sh /usr/bin/misato-signage kms", timeout=300)
        print(out[-3000:])
        check(rc == 0 and "passed: panel kms" in out,
              "KMS: the connector's DPMS reads Off at night, On after --panel on, Off after --panel auto")
        rc, out = vm.sh("modprobe vivid && udevadm settle && ls /dev/cec*")
        if rc != 0 and "not found" in out:
            print(f"skip: no vivid in this kernel ({out.strip()})")
            return
        check(rc == 0 and "/dev/cec1" in out, f"vivid gives /dev/cec0 and /dev/cec1 ({out.strip()})")
        rc, out = vm.sh("SDL_VIDEODRIVER=kmsdrm /root/panel_device_test.sh /usr/bin/misato-signage cec",
                        timeout=300)
        print(out[-3000:])
        check(rc == 0 and "passed: panel cec" in out,
              "CEC: the TV (cec-follower) reports standby at night, on after --panel on, standby after --panel auto")
    finally:
        pid = vm.unit("MainPID")["MainPID"]
        vm.sh("systemctl start misato-signage", timeout=300)
        vm.wait_active(after_pid=pid)
    j = vm.journal()
    check("panel: CEC on /dev/cec1" in j or "panel: CEC" not in j,
          "the service, with vivid loaded, takes /dev/cec1 (the player's side), never the TV's /dev/cec0")


def case_nolibgl(vm):
    """#14.6 on a minimal system: libgl1 gone (the old Depends), the player
    still draws its slides (on its KMS dumb buffer; with a GPU, GLES2 on
    KMSDRM), and its screenshot is not black."""
    vm.sh("dpkg --force-depends -r libgl1 >/dev/null 2>&1; ls /usr/lib/*/libGL.so.1 2>&1 | head -1")
    pid = vm.unit("MainPID")["MainPID"]
    vm.sh("systemctl restart misato-signage", ok=True, timeout=300)
    vm.wait_active(after_pid=pid)
    shot, _ = vm.wait_screen(is_slide, 120, "nolibgl")
    check(shot.is_slide(), "without libGL the screen shows a slide")
    vm.sh("rm -f /var/lib/misato-signage/screenshot.png; systemctl kill -s USR1 misato-signage; sleep 5", ok=True)
    rc, out = vm.sh("od -An -tx1 -N24 /var/lib/misato-signage/screenshot.png; "
                    "stat -c %s /var/lib/misato-signage/screenshot.png")
    check(rc == 0 and int(out.split()[-1]) > 20000, "the SIGUSR1 screenshot is a real picture, not black")


TICKER = ["マイナンバーカードがあれば全国のコンビニで住民票の写し・印鑑登録証明書が取得できます（6:30〜23:00）",
          "役場窓口では「書かない窓口」タブレットで申請書の記入が不要になりました",
          "各種証明書の手数料はキャッシュレス決済（クレジット・電子マネー・QR）に対応しています",
          "オンライン手続きは町ホームページの「電子申請」からご利用いただけます",
          "ご不明な点は総務課DX推進係（内線 123）までお問い合わせください"]
BENCH_STATES = [  # the states of bench/vs-chromium (its harness.py), on the device
    ("static", "slide_seconds = 600\ntransition = crossfade\ntransition_ms = 1000\n"),
    ("crossfades", "slide_seconds = 7\ntransition = crossfade\ntransition_ms = 1000\n"),
    ("ticker", "slide_seconds = 7\ntransition = crossfade\ntransition_ms = 1000\n"
               "feed_url = file:///var/lib/misato-signage/bench-feed.json\n")]


def sample(vm, pid):
    """(guest seconds, the player's CPU seconds, frames drawn, when the metrics were written)."""
    _, out = vm.sh(f"cat /proc/uptime; cut -d' ' -f14,15 /proc/{pid}/stat; getconf CLK_TCK; "
                   "f=/var/lib/misato-signage/misato-signage.prom; date -r $f +%s.%N; cat /proc/uptime; "
                   "date +%s.%N; grep '^misato_signage_frames_drawn_total' $f", ok=True)
    l = out.split("\n")
    up = float(l[0].split()[0])
    ut, st = (int(x) for x in l[1].split())
    hz = int(l[2])
    written, up2, now = float(l[3]), float(l[4].split()[0]), float(l[5])
    frames = float(l[6].split()[1])
    return up, (ut + st) / hz, frames, up2 - (now - written)


def case_bench(vm):
    """#16's figures on the device (KMSDRM on virtio-gpu, TCG): the
    player's cores on a still slide, with 1 s crossfades every 8 s, and with
    the ticker; CPU seconds and screen updates per crossfade; its start."""
    doc = json.load(open(os.path.join(SRC, "config", "default-feed.json"), encoding="utf-8"))
    doc["ticker"] = TICKER
    vm.put("/var/lib/misato-signage/bench-feed.json", json.dumps(doc, ensure_ascii=False))
    window = 64
    rows = []
    for name, conf in BENCH_STATES:
        u = vm.settings(conf + "metrics_seconds = 10\n")
        pid = u["MainPID"]
        time.sleep(25)  # the start and the first metrics write
        a = sample(vm, pid)
        time.sleep(window)
        b = sample(vm, pid)
        cores = (b[1] - a[1]) / (b[0] - a[0])
        fps = (b[2] - a[2]) / max(b[3] - a[3], 1)
        row = f"{name}: {cores:.4f} cores, {fps:.1f} frames/s (guest clock, over {b[0] - a[0]:.0f} s)"
        if name == "crossfades":  # (the ticker state has both: its frames are the ticker's)
            fades = (b[0] - a[0]) / 8.0
            still = rows[0][1] if rows else 0
            row += (f"; per 1 s crossfade {(cores - still) * 8:.3f} CPU-s, "
                    f"{(b[2] - a[2]) / fades:.1f} screen updates")
        rows.append((name, cores))
        figure("device bench, " + row)
    _, j = vm.sh("journalctl -b --no-pager -o short-monotonic -u misato-signage "
                 "| grep -e 'config .* read' -e 'first frame on screen' | tail -n 2")
    t = [mono(line) for line in j.splitlines() if mono(line)]
    if len(t) == 2:
        figure(f"device bench: config read -> first frame {t[1] - t[0]:.2f} s (TCG)")
    vm.settings("")


# --- the machines with a network ----------------------------------------------

class FeedServer:
    def __init__(self, mode="ok"):
        self.feed = os.path.join(WORK, "served-feed.json")
        doc = json.load(open(os.path.join(SRC, "config", "default-feed.json"), encoding="utf-8"))
        doc["updated_at"] = "2026-11-30T09:00:00+09:00"
        self.doc = doc
        self.write()
        port_file = os.path.join(WORK, "server.port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        self.proc = subprocess.Popen([sys.executable, os.path.join(SRC, "tests", "feed_server.py"),
                                      "--feed-file", self.feed, "--port-file", port_file, "--mode", mode,
                                      "--lifetime", "7200"])
        end = time.time() + 20
        while time.time() < end and not (os.path.exists(port_file) and open(port_file).read().strip()):
            time.sleep(0.1)
        self.port = int(open(port_file).read())

    def write(self):
        tmp = self.feed + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(self.doc, f, ensure_ascii=False)
        os.replace(tmp, self.feed)

    def close(self):
        self.proc.kill()
        self.proc.wait()


NET_SETTINGS = "feed_url = http://10.0.2.100/feed.json\nallow_http = yes\npoll_seconds = 10\n"


def case_network(server):
    """Boot, then the network: the feed server on the host's loopback
    through QEMU's user networking; an edited feed (an emergency alert and a
    new actual) is on the screen within one poll."""
    vm = VM(IMAGE, WORK, ARCH, net_port=server.port, name="net")
    try:
        vm.new_disk()
        vm.boot()
        vm.wait_screen(is_slide, BOOT_TIMEOUT, "net-boot")
        vm.wait_shell()
        vm.settings(NET_SETTINGS)
        end = time.time() + 120
        while time.time() < end:
            rc, _ = vm.sh("grep -q 2026-11-30T09:00 /var/cache/misato-signage/feed.json")
            if rc == 0:
                break
            time.sleep(2)
        check(rc == 0, "the served feed reached the guest's cache through user networking")
        m = server.doc["measures"][0]
        m.setdefault("actuals", {})
        server.doc["alert"] = {"level": "emergency", "title": "訓練", "text": "これは試験の表示です"}
        server.doc["updated_at"] = "2026-12-01T09:00:00+09:00"
        server.write()
        t = time.time()
        shot, t_on = vm.wait_screen(lambda s: s.share(ALERT_RED) > 0.5, 10 * 1.2 + TCG_START + 30,
                                    "net-alert")
        figure(f"feed edited on the server -> alert on the screen {t_on - t:.1f} s (poll_seconds=10)")
        check(t_on - t <= 10 * 1.2 + TCG_START, "the changed feed is on the screen within one poll")
        rc, _ = vm.sh("grep -q 'これは試験の表示です' /var/cache/misato-signage/feed.json")
        check(rc == 0, "the new feed is the cached feed.json")
    finally:
        vm.close()


def media_valid(vm):
    """Every picture the current set names exists with the hash in its name."""
    rc, out = vm.sh(
        "cd /var/lib/misato-signage/media 2>/dev/null || exit 0; "  # vm.sh runs it in a subshell
        "k=0; for f in $(find . -name '*.png' -path './set*' -o -name '*.png' -path './current*'); do "
        "k=$((k+1)); n=$(basename $f .png); h=$(sha256sum $f | cut -c1-${#n}); "
        "[ \"$n\" = \"$h\" ] || echo BAD $f; done; "
        # and every picture a set's playlist names is there
        "for p in set-*/playlist.json; do [ -f \"$p\" ] || continue; d=${p%/*}; "
        "for f in $(grep -o '[0-9a-f]\\{16\\}\\.png' $p); do [ -f $d/$f ] || echo BAD missing $d/$f; done; done; "
        "echo $k pictures checked")
    return "BAD" not in out, out


def case_powercut(server, cuts):
    """The plug pulled at random moments while the player stores a changing
    feed (a new one every poll) and imports pictures from a stick: after
    every boot the cache and the picture set are valid and a slide is on
    the screen; the corrupt path is taken at most once in all."""
    vm = VM(IMAGE, WORK, ARCH, net_port=server.port, name="cut")
    sticks = []
    for k, colour in enumerate(("#c03020", "#20a040")):
        files = {"signage/import.key": KEY}
        for i in range(3):
            files[f"signage/p{k}-{i}.png"] = picture(colour, "1920x1080", noise=True)
        path = os.path.join(WORK, f"cut-stick-{k}.img")
        fat_stick(path, files, mb=64)
        sticks.append(path)
    rng = random.Random(1515)
    corrupt_boots = 0
    times = []
    try:
        vm.new_disk()
        vm.boot()
        vm.wait_screen(is_slide, BOOT_TIMEOUT, "cut-first")
        vm.wait_shell()
        vm.settings(NET_SETTINGS + f"usb_key_sha256 = {hashlib.sha256(KEY).hexdigest()}\n")
        for n in range(1, cuts + 1):
            # Storing feeds and importing a stick, then the plug at a random moment.
            stick = os.path.join(WORK, "cut-stick.img")
            shutil.copy(sticks[n % 2], stick)
            vm.usb_plug(stick)
            delay = rng.uniform(0.5, 14.0)
            time.sleep(delay)
            vm.power_cut()
            t = time.time()
            vm.boot()
            shot, t_shown = vm.wait_screen(lambda s: s.is_slide() or s.share(ALERT_RED) > 0.5, BOOT_TIMEOUT,
                                           f"cut-{n:02d}", every=1.0)
            times.append(t_shown - t)
            vm.wait_shell()
            j = vm.journal()
            src = re.search(r"showing the (\S+) feed", j)
            rc_cur, _ = vm.sh("misato-signage --validate /var/cache/misato-signage/feed.json >/dev/null")
            rc_prev, _ = vm.sh("misato-signage --validate /var/cache/misato-signage/feed.prev.json >/dev/null")
            ok_media, media_out = media_valid(vm)
            corrupt = "corrupt" in j
            corrupt_boots += corrupt
            print(f"cut {n}: after {delay:.1f} s; boot to screen {t_shown - t:.0f} s; showing "
                  f"{src.group(1) if src else '?'}; feed.json {rc_cur}, feed.prev.json {rc_prev}; "
                  f"corrupt: {corrupt}", flush=True)
            check(rc_cur in (0, 1) or rc_prev in (0, 1), f"cut {n}: a cached generation validates")
            check(src is not None and src.group(1) != "embedded" or n == 1 and rc_cur > 1,
                  f"cut {n}: the screen shows saved data (feed.json or feed.prev.json)")
            check(ok_media, f"cut {n}: the picture set is whole ({media_out.strip()[:200]})")
            check(corrupt_boots <= 1, f"cut {n}: the corrupt path taken at most once in all")
        figure(f"{cuts} power cuts: every boot showed saved data; corrupt path {corrupt_boots} time(s); "
               f"power-on to screen {min(times):.0f}-{max(times):.0f} s")
    finally:
        vm.close()


def main():
    cases = sys.argv[4:]
    local = [c for c in cases if c in ("boot", "watchdog", "usb", "hours", "panel", "nolibgl", "bench")]
    failed = []

    def run(name, fn, *args):
        print(f"\n== {name}", flush=True)
        t = time.time()
        try:
            fn(*args)
            print(f"passed: {name} ({time.time() - t:.0f} s)", flush=True)
            return True
        except (Fail, OSError, subprocess.SubprocessError) as e:
            print(f"FAIL: {name}: {e}", flush=True)
            failed.append(name)
            return False

    if local:
        vm = VM(IMAGE, WORK, ARCH, name="lobby")
        try:
            if run("boot", case_boot, vm):
                for c in ("watchdog", "usb", "hours", "panel", "nolibgl", "bench"):
                    if c in local and not run(c, globals()["case_" + c], vm):
                        try:  # the next case starts from the package's settings
                            vm.settings("")
                        except (Fail, OSError):
                            pass
        finally:
            if failed and vm.sh_sock:
                try:
                    if not vm.sh_ready:
                        vm.wait_shell(300)
                    print(vm.sh("systemctl list-jobs --no-pager; uptime")[1])
                    print(vm.journal()[-3000:])
                except (Fail, OSError):
                    pass
            vm.close()
    net = [c for c in cases if c == "network" or c.startswith("powercut")]
    if net:
        server = FeedServer()
        try:
            for c in net:
                if c == "network":
                    run("network", case_network, server)
                else:
                    cuts = int(c.split("=", 1)[1]) if "=" in c else 30
                    server.proc.kill()
                    server.proc.wait()
                    server = FeedServer(mode="alternate")
                    run(f"powercut ({cuts})", case_powercut, server, cuts)
        finally:
            server.close()
    print("\nscreendumps:", WORK)
    if failed:
        print("FAILED:", " ".join(failed))
        return 1
    print("passed:", " ".join(cases))
    return 0


if __name__ == "__main__":
    sys.exit(main())
