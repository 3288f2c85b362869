#!/usr/bin/env python3
"""Side-by-side harness: misato-signage (C/SDL2) vs Chromium kiosk showing signage.html, on the same Xvfb.

Copied from ../shared/bench/bench2.py (the issue #16 anchors) into the project so that
`scripts/bench --vs-chromium` works from a checkout alone; changed here: the player's paths are chosen
with its own `renderer = auto | gpu | software` key (BENCH_LEGACY_RENDERER=1: the SDL environment
variables the anchors used, for a player that predates the key), and the sub-commands `startup`
(where the time to the first frame goes, bin/startup_spy.so) and `soak` (memory over a long run).

Extended from the anchor page's original harness (same methods, applied to both programs):
  - processes: the launched pid and all its descendants (+ for Chromium, the chrome_crashpad_handler
    processes that appear after the launch; they re-parent to init). Only these are counted and killed
    (bench.py counted/killed every chromium on the machine; other jobs may run one here).
  - memory: Pss / Rss from /proc/PID/smaps_rollup summed over those processes, snapshot at --memat s;
    at the snapshot every process's smaps is saved (gzipped) for a per-mapping breakdown.
  - CPU: utime+stime from /proc/PID/stat (all threads) summed over the processes, between the first
    0.25 s sample at/after --cpu0 and the first at/after --cpu0+--win; Xvfb's and the damage monitor's
    CPU separately; whole-system busy cores over the same window; /proc/loadavg at start and end.
  - screen updates: bin/xdamage_mon records every DAMAGE rectangle on the root window (what reached
    the screen, whoever drew it), for updates/s and pixels/s, and crossfade episodes.
  - first frame: 1x1 XGetImage probes (checked against xwd) every ~20 ms until the program's own
    colours are at four points (header, header, body, bottom strip).

Sub-commands: live | shot | pacing | headless | deckrender   (see main()).
"""
import argparse, glob, gzip, json, os, re, signal, statistics, struct, subprocess, sys, tempfile, threading, time

HERE = os.environ.get('BENCH_WORK') or os.getcwd()   # writable work folder (run.sh sets it)
TMP = os.path.join(HERE, 'tmp')
PAGE = 'file://' + os.path.join(HERE, 'anchor', 'signage.html')
PLAYER = os.environ.get('PLAYER', 'build/misato-signage')
DAMAGE_MON = os.path.join(HERE, 'bin', 'xdamage_mon')
SPY = os.path.join(HERE, 'bin', 'present_spy.so')
TICKER_FEED = os.path.join(HERE, 'conf', 'ticker-feed.json')
TCK = os.sysconf('SC_CLK_TCK')
PAGE_SIZE_KB = os.sysconf('SC_PAGE_SIZE') // 1024
KIOSK_FLAGS = ['--no-sandbox', '--kiosk', '--no-first-run', '--disable-background-networking',
               '--disable-component-update', '--disable-sync', '--disable-quic', '--disable-gpu',
               '--window-position=0,0', '--window-size=1920,1080',
               '--enable-logging=stderr', '--v=0']
# Player settings per state. Chromium's page: static = nothing moves; noticker = slide every 8 s
# with a 1 s CSS opacity crossfade (+ clock text every 1 s); full = that + 45 s ticker loop.
# The player: 7 s + 1 s crossfade = the same 8 s period (its roadmap slides stay 1.5x = 10 s + 1 s),
# its clock changes once a minute; full adds five ticker lines (the page's five) through --feed.
PLAYER_CONF = {
    'static': 'slide_seconds = 600\ntransition = crossfade\ntransition_ms = 1000\n',
    'noticker': 'slide_seconds = 7\ntransition = crossfade\ntransition_ms = 1000\n',
    'full': 'slide_seconds = 7\ntransition = crossfade\ntransition_ms = 1000\n',
    'pacing': 'slide_seconds = 3\ntransition = crossfade\ntransition_ms = 1000\n',
    'pacing-ticker': 'slide_seconds = 3\ntransition = crossfade\ntransition_ms = 1000\n',
    'soak': 'slide_seconds = 7\ntransition = crossfade\ntransition_ms = 1000\n',
}
# probe points and the colours each program paints there (header, header, body, bottom strip)
PTS = [(20, 20), (1200, 100), (30, 600), (1000, 1075)]
WANT = {'chromium': [(0x0b, 0x3d, 0x91), (0x0b, 0x3d, 0x91), (0xf3, 0xf6, 0xfa), (0x10, 0x2a, 0x43)],
        'player': [(15, 53, 86), (15, 53, 86), (245, 247, 250), (228, 233, 239)]}


# ---------------------------------------------------------------- /proc helpers (from bench.py)
def read(path, mode='r'):
    try:
        with open(path, mode) as f:
            return f.read()
    except OSError:
        return None


def stat_fields(pid):
    s = read('/proc/%d/stat' % pid)
    if not s:
        return None
    return s[s.rindex(')') + 2:].split()  # fields[0] = state (field 3)


def cpu_ticks(pid):
    f = stat_fields(pid)
    if not f:
        return None
    return int(f[11]) + int(f[12])  # utime, stime (all threads)


def all_procs():
    out = {}
    for d in os.listdir('/proc'):
        if d.isdigit():
            f = stat_fields(int(d))
            if f:
                out[int(d)] = (int(f[1]), int(f[19]))  # ppid, starttime (ticks since boot)
    return out


def exe(pid):
    try:
        return os.readlink('/proc/%d/exe' % pid)
    except OSError:
        return ''


class ProcSet:
    """The launched pid, its descendants, and (Chromium) crashpad handlers born after the launch."""
    def __init__(self, root, crashpad):
        self.root, self.crashpad = root, crashpad
        self.before = set(all_procs())
        self.pids = {root}

    def refresh(self):
        procs = all_procs()
        kids = {}
        for p, (pp, _) in procs.items():
            kids.setdefault(pp, []).append(p)
        seen, todo = set(), [self.root]
        while todo:
            p = todo.pop()
            if p in seen:
                continue
            seen.add(p)
            todo += kids.get(p, [])
        if self.crashpad:
            for p in procs:
                if p not in self.before and exe(p).endswith('/chrome_crashpad_handler'):
                    seen.add(p)
        self.pids |= {p for p in seen if p in procs}
        return {p for p in self.pids if p in procs}


def ptype(pid):
    # chromium rewrites its argv (setproctitle), so parse the cmdline as text, not NUL-split
    c = read('/proc/%d/cmdline' % pid, 'rb')
    if c is None:
        return '?'
    c = c.replace(b'\0', b' ').decode(errors='replace')
    name = os.path.basename(c.split(' ', 1)[0])
    if name != 'chromium':
        return name
    m = re.search(r'--type=(\S+)', c)
    t = m.group(1) if m else 'browser'
    m = re.search(r'--utility-sub-type=(\S+)', c)
    if m:
        t = 'utility:' + m.group(1).split('.')[0]
    if '--top-chrome-webui' in c:
        t = 'renderer(top-chrome-webui)'
    if t == 'zygote' and '--no-zygote-sandbox' in c:
        t = 'zygote(no-zygote-sandbox)'
    if t == 'renderer' and '--extension-process' in c:
        t = 'renderer(extension)'
    return t


def rollup(pid):
    s = read('/proc/%d/smaps_rollup' % pid)
    if not s:
        return None
    r = {}
    for line in s.splitlines()[1:]:
        k, _, v = line.partition(':')
        v = v.split()
        if v and v[0].isdigit():
            r[k.strip()] = int(v[0])
    return r


def status(pid):
    s = read('/proc/%d/status' % pid)
    if not s:
        return {}
    r = {}
    for line in s.splitlines():
        k, _, v = line.partition(':')
        if k in ('VmRSS', 'VmHWM', 'RssAnon', 'RssFile', 'RssShmem', 'Threads', 'VmSize'):
            r[k] = int(v.split()[0])
    return r


def sys_busy():
    with open('/proc/stat') as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v) - v[3] - v[4], sum(v)  # busy ticks (excl idle+iowait), total


def loadavg():
    return read('/proc/loadavg').strip()


def xvfb_pid(display):
    n = display.lstrip(':').split('.')[0]
    for p in os.listdir('/proc'):
        if p.isdigit():
            c = read('/proc/%s/cmdline' % p, 'rb')
            if c and c.split(b'\0')[0].endswith(b'Xvfb') and (b'\0:' + n.encode() + b'\0') in c:
                return int(p)
    raise SystemExit('no Xvfb on ' + display)


def alive(pid):
    f = stat_fields(pid)
    return f is not None and f[0] not in ('Z', 'X')


def kill_set(ps, popen, grace=10):
    """SIGTERM the launched pid, wait for it and its whole set to go, then SIGKILL what is left of
    *our* set (never anything by name)."""
    ps.refresh()
    try:
        os.kill(ps.root, signal.SIGTERM)
    except ProcessLookupError:
        pass
    t = time.time()
    while time.time() - t < grace:
        ps.refresh()
        if popen.poll() is not None and not any(alive(p) for p in ps.pids - {ps.root}):
            break
        time.sleep(0.2)
    left = sorted(p for p in ps.pids if alive(p))
    for p in left:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return left


# ---------------------------------------------------------------- programs
class Prog:
    """How to launch one of the two programs in a given state."""
    def __init__(self, prog, mode, renderer='gl', display=':99', spy=None):
        self.prog, self.mode, self.renderer, self.display = prog, mode, renderer, display
        self.scratch = tempfile.mkdtemp(prefix='%s-' % prog, dir=TMP)
        self.env = dict(os.environ, DISPLAY=display)
        for k in ('SDL_RENDER_DRIVER', 'SDL_FRAMEBUFFER_ACCELERATION', 'LD_PRELOAD', 'SDL_VIDEODRIVER'):
            self.env.pop(k, None)
        if prog == 'chromium':
            self.cmd = ['chromium'] + KIOSK_FLAGS + ['--user-data-dir=' + self.scratch,
                                                     PAGE + '?mode=' + mode]
        else:
            conf = os.path.join(self.scratch, 'signage.conf')
            with open(conf, 'w') as f:
                f.write(PLAYER_CONF[mode])
                for k in ('cache_dir', 'state_dir', 'media_dir'):
                    os.makedirs(os.path.join(self.scratch, k), exist_ok=True)
                    f.write('%s = %s\n' % (k, os.path.join(self.scratch, k)))
            self.cmd = [PLAYER, '--config', conf]
            if mode in ('full', 'pacing-ticker', 'soak'):
                self.cmd += ['--feed', TICKER_FEED]
            legacy = os.environ.get('BENCH_LEGACY_RENDERER') == '1'
            if renderer in ('auto', 'gpu', 'software') and not legacy:
                with open(conf, 'a') as f:
                    f.write('renderer = %s\n' % renderer)
            if renderer in ('sw', 'swx') or (legacy and renderer == 'software'):
                self.env['SDL_RENDER_DRIVER'] = 'software'
            if renderer == 'swx' or (legacy and renderer == 'software'):
                # SDL 2.26 on X11 presents a software renderer's window surface through an OpenGL
                # renderer (a "texture framebuffer", i.e. Mesa llvmpipe) unless this hint says no;
                # with it, the surface goes to X with MIT-SHM and Mesa is never loaded.
                self.env['SDL_FRAMEBUFFER_ACCELERATION'] = '0'
            if spy:
                self.env['LD_PRELOAD'] = SPY
                self.env['PRESENT_SPY_OUT'] = spy
        self.label = prog if prog == 'chromium' else 'player-' + renderer

    def start(self, errpath):
        self.errpath = errpath
        self.lines = []  # (arrival epoch, line) for the player
        if self.prog == 'chromium':
            self.errf = open(errpath, 'w')
            self.t0 = time.time()
            self.p = subprocess.Popen(self.cmd, stdout=subprocess.DEVNULL, stderr=self.errf, env=self.env,
                                      start_new_session=True)
        else:
            self.errf = open(errpath, 'w')
            self.t0 = time.time()
            self.p = subprocess.Popen(self.cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                      env=self.env, start_new_session=True)

            def reader():
                for raw in self.p.stderr:
                    t = time.time()
                    line = raw.decode(errors='replace')
                    self.lines.append((t, line))
                    self.errf.write('%.3f %s' % (t, line))
                    self.errf.flush()
            self.th = threading.Thread(target=reader, daemon=True)
            self.th.start()
        self.ps = ProcSet(self.p.pid, self.prog == 'chromium')
        return self.t0

    def stop(self):
        left = kill_set(self.ps, self.p)
        try:
            self.p.wait(5)
        except subprocess.TimeoutExpired:
            pass
        if self.prog != 'chromium':
            self.th.join(3)
        self.errf.close()
        subprocess.run(['rm', '-rf', self.scratch])
        return left

    # what the program itself says
    def own_marks(self):
        """Chromium: BENCH console marks (epoch) -> s after exec. Player: its log lines."""
        out = {}
        if self.prog == 'chromium':
            for n, t in parse_marks(self.errpath):
                if n != 'transition' and n not in out:
                    out[n] = round(t - self.t0, 3)
            return out
        for t, line in self.lines:
            m = re.match(r'(\d\d):(\d\d):(\d\d)\.(\d\d\d) misato-signage \w+: (.*) \(', line)
            if not m:
                continue
            msg = m.group(5)
            key = None
            if msg.startswith('first frame on screen'):
                key = 'first frame on screen'
            elif msg.startswith('video driver'):
                key = 'video driver'
                out['renderer_line'] = msg
            elif msg.startswith('fonts:'):
                key = 'fonts'
            elif re.match(r'\d+ frames drawn', msg):
                out['frames_drawn'] = int(msg.split()[0])
            if key and key not in out:
                out[key + ' (log clock)'] = round(log_epoch(m, t) - self.t0, 3)
                out[key + ' (line arrival)'] = round(t - self.t0, 3)
        return out


def log_epoch(m, arrival):
    """The player stamps lines with local time in its own zone (Asia/Tokyo by default): rebuild the
    epoch from H:M:S.ms by taking the candidate nearest to when the line arrived."""
    sec = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3)) + int(m.group(4)) / 1000.0
    best = None
    for off_h in range(-14, 15):
        for half in (0, 30):
            base = arrival - ((arrival + off_h * 3600 + half * 60) % 86400)
            c = base + sec
            for cand in (c - 86400, c, c + 86400):
                if best is None or abs(cand - arrival) < abs(best - arrival):
                    best = cand
    return best


def parse_marks(path):
    marks = []
    with open(path, errors='replace') as f:
        for line in f:
            m = re.search(r'"BENCH (\S+) ([0-9.]+)"', line)
            if m:
                marks.append((m.group(1), float(m.group(2)) / 1000.0))
    return marks


class DamageMon:
    def __init__(self, display, out):
        self.out = out
        self.p = subprocess.Popen([DAMAGE_MON, display, out], start_new_session=True)
        t = time.time()
        while time.time() - t < 5:
            if os.path.exists(out) and os.path.getsize(out) > 0:
                break
            time.sleep(0.02)

    def ticks(self):
        return cpu_ticks(self.p.pid) or 0

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        self.p.wait(5)


def load_damage(path):
    ev = []
    for line in open(path):
        if line.startswith('#'):
            continue
        v = line.split()
        if len(v) == 7:
            ev.append((float(v[0]) / 1000.0, int(v[1]), int(v[4]) * int(v[5])))
    return ev  # (recv epoch s, server ms, area px)


def damage_updates(ev, gap_ms=3):
    """Group rectangles into screen updates: consecutive rects within gap_ms of server time."""
    ups = []  # [first recv epoch, server ms first, server ms last, area]
    for t, sms, a in ev:
        if ups and sms - ups[-1][2] <= gap_ms:
            ups[-1][2] = sms
            ups[-1][3] += a
        else:
            ups.append([t, sms, sms, a])
    return ups


def episodes(ups, t_lo, t_hi, max_gap=0.3, min_n=5, min_px=200000):
    """Runs of big screen updates (>= min_px, ~10% of the screen: not a clock or a 1-px edge) less
    than max_gap apart: an animation such as a crossfade."""
    sel = [u for u in ups if t_lo <= u[0] <= t_hi and u[3] >= min_px]
    eps, cur = [], []
    for u in sel:
        if cur and u[0] - cur[-1][0] > max_gap:
            if len(cur) >= min_n:
                eps.append(cur)
            cur = []
        cur.append(u)
    if len(cur) >= min_n:
        eps.append(cur)
    out = []
    for e in eps:
        iv = [(b[1] - a[1]) for a, b in zip(e, e[1:])]  # server ms between updates
        out.append({'start': e[0][0], 'dur_s': round(e[-1][0] - e[0][0], 3), 'updates': len(e),
                    'median_interval_ms': statistics.median(iv), 'max_interval_ms': max(iv),
                    'mpx': round(sum(u[3] for u in e) / 1e6, 2)})
    return out


def smaps_top(text, n=25):
    """Aggregate an smaps dump by mapping name: Pss/Rss kB, largest first."""
    agg, name = {}, None
    for line in text.splitlines():
        if re.match(r'^[0-9a-f]+-[0-9a-f]+ ', line):
            parts = line.split(None, 5)
            name = parts[5].strip() if len(parts) > 5 else '[anon]'
            lo, hi = [int(x, 16) for x in parts[0].split('-')]
            size_kb = (hi - lo) // 1024
            a = agg.setdefault(name, {'Pss': 0, 'Rss': 0, 'Size': 0, 'n': 0, 'sizes': []})
            a['Size'] += size_kb
            a['n'] += 1
            a['sizes'].append(size_kb)
        elif name is not None:
            k, _, v = line.partition(':')
            if k in ('Pss', 'Rss'):
                agg[name][k] += int(v.split()[0])
            if k == 'Rss' and name == '[anon]':
                agg[name].setdefault('anon_rss_each', []).append(int(v.split()[0]))
    rows = sorted(agg.items(), key=lambda kv: -kv[1]['Pss'])
    return [(k, v['Pss'], v['Rss'], v['Size'], v['n'], sorted(v.get('anon_rss_each', []), reverse=True)[:12])
            for k, v in rows[:n]]


def footprint(smaps_by_pid):
    """Resident pages counted once across the whole process set (unique physical page frames from
    /proc/PID/pagemap; needs root): what the program keeps in RAM however it is split into processes
    and whatever else on the machine maps the same files. PSS instead splits a shared page among all
    processes mapping it, including other programs' (another job's player sharing libLLVM, say)."""
    from array import array
    seen = {'file': set(), 'anon': set(), 'shm': set()}
    ok = True
    for pid, text in smaps_by_pid.items():
        ranges, cur = [], None
        for line in text.splitlines():
            if re.match(r'^[0-9a-f]+-[0-9a-f]+ ', line):
                parts = line.split(None, 5)
                lo, hi = [int(x, 16) for x in parts[0].split('-')]
                name = parts[5].strip() if len(parts) > 5 else ''
                cur = [lo, hi, name, 0]
                ranges.append(cur)
            elif cur is not None and line.startswith('Rss:'):
                cur[3] = int(line.split()[1])
        try:
            pm = open('/proc/%d/pagemap' % pid, 'rb')
        except OSError:
            continue
        with pm:
            for lo, hi, name, rss in ranges:
                if rss == 0 or name == '[vsyscall]':
                    continue
                kind = ('shm' if name.startswith(('/SYSV', '/memfd:', '/dev/shm', '/drm')) else
                        'anon' if name == '' or name.startswith('[') else 'file')
                try:
                    pm.seek(lo // 4096 * 8)
                    a = array('Q')
                    a.frombytes(pm.read((hi - lo) // 4096 * 8))
                except (OSError, ValueError):
                    continue
                st = seen[kind]
                for e in a:
                    if e >> 63:
                        pfn = e & 0x7FFFFFFFFFFFFF
                        if pfn == 0:
                            ok = False
                        st.add(pfn)
    if not ok:
        return None  # PFNs hidden (not root)
    allp = seen['file'] | seen['anon'] | seen['shm']
    kb = PAGE_SIZE_KB
    return {'total': round(len(allp) * kb / 1024, 1), 'file': round(len(seen['file']) * kb / 1024, 1),
            'anon': round(len(seen['anon']) * kb / 1024, 1), 'shm': round(len(seen['shm']) * kb / 1024, 1)}


# ---------------------------------------------------------------- live: memory, CPU, screen updates
def run_live(a):
    os.makedirs(TMP, exist_ok=True)
    prog = Prog(a.prog, a.mode, a.renderer, a.display)
    xvfb = xvfb_pid(a.display)
    x_mem0 = rollup(xvfb)
    la0 = loadavg()
    mon = DamageMon(a.display, a.out + '.damage.txt')
    t0 = prog.start(a.out + '.stderr.log')
    ps = prog.ps
    last, types, samples, memsamples = {}, {}, [], []
    next_mem, next_scan, snap, edge = 0.0, 0.0, None, {}
    pids = {ps.root}
    while True:
        now = time.time() - t0
        if now > a.dur:
            break
        if now >= next_scan:
            pids = ps.refresh() | {ps.root}
            next_scan = now + (0.25 if now < 10 else 1.0)
        if now >= next_mem:
            pss = rss = 0
            bytype = {}
            for pid in pids:
                types[pid] = ptype(pid)
                m = rollup(pid)
                if m:
                    pss += m.get('Pss', 0)
                    rss += m.get('Rss', 0)
                    t = types.get(pid, '?')
                    bytype[t] = bytype.get(t, 0) + m.get('Pss', 0)
            memsamples.append((now, pss, rss, bytype, len(pids)))
            if snap is None and now >= a.memat:
                snap = memsamples[-1]
                detail, texts = {}, {}
                with gzip.open(a.out + '.smaps.gz', 'wt') as z:
                    for pid in sorted(pids):
                        sm = read('/proc/%d/smaps' % pid)
                        if sm:
                            texts[pid] = sm
                            z.write('#### pid %d %s\n' % (pid, types.get(pid, '?')))
                            z.write(sm)
                        detail[pid] = {'type': types.get(pid), 'rollup': rollup(pid), 'status': status(pid)}
                xsnap = rollup(xvfb)
                snap_t = now
                fp = footprint(texts)
                now = time.time() - t0  # the CPU window starts after this snapshot
            next_mem += 1.0
        for pid in pids:
            c = cpu_ticks(pid)
            if c is not None:
                last[pid] = c
                if pid not in types or types[pid] in ('?', 'sh'):
                    types[pid] = ptype(pid)
        xb = cpu_ticks(xvfb)
        sb, st = sys_busy()
        samples.append((now, sum(last.values()), xb, sb, st, mon.ticks()))
        if 'w0' not in edge and now >= a.cpu0:
            edge['w0'] = (len(samples) - 1, dict(last))
        if 'w1' not in edge and now >= a.cpu0 + a.win:
            edge['w1'] = (len(samples) - 1, dict(last))
        time.sleep(max(0.0, 0.25 - ((time.time() - t0) - now)))
    la1 = loadavg()
    leftover = prog.stop()
    time.sleep(0.5)
    mon.stop()
    own = prog.own_marks()

    w0, w1 = samples[edge['w0'][0]], samples[edge['w1'][0]]
    span = w1[0] - w0[0]
    bt = {}
    for pid, c in edge['w1'][1].items():
        t = types.get(pid, '?')
        bt[t] = bt.get(t, 0) + c - edge['w0'][1].get(pid, 0)
    res = {'prog': prog.label, 'mode': a.mode, 'cmd': prog.cmd,
           'env': {k: prog.env[k] for k in ('DISPLAY', 'SDL_RENDER_DRIVER', 'SDL_FRAMEBUFFER_ACCELERATION')
                   if k in prog.env},
           'exec_epoch': t0, 'loadavg_start': la0, 'loadavg_end': la1, 'leftover_killed': leftover,
           'own_marks_s_after_exec': own}
    res['mem_at_s'] = round(snap_t, 2)
    res['pss_MiB_at'] = round(snap[1] / 1024, 1)
    res['rss_MiB_at'] = round(snap[2] / 1024, 1)
    res['nproc_at'] = snap[4]
    res['threads_at'] = sum(d['status'].get('Threads', 0) for d in detail.values())
    res['pss_MiB_by_type_at'] = {k: round(v / 1024, 1) for k, v in sorted(snap[3].items())}
    res['pss_split_MiB_at'] = {k: round(sum((d['rollup'] or {}).get(k, 0) for d in detail.values()) / 1024, 1)
                               for k in ('Pss_Anon', 'Pss_File', 'Pss_Shmem', 'Private_Dirty', 'Shared_Clean')}
    res['xvfb_pss_MiB_before'] = round(x_mem0['Pss'] / 1024, 1)
    res['xvfb_pss_MiB_at'] = round(xsnap['Pss'] / 1024, 1)
    res['xvfb_rss_MiB_before'] = round(x_mem0['Rss'] / 1024, 1)
    res['xvfb_rss_MiB_at'] = round(xsnap['Rss'] / 1024, 1)
    res['footprint_MiB_at'] = fp
    res['uss_MiB_at'] = round(sum((d['rollup'] or {}).get('Private_Clean', 0) + (d['rollup'] or {}).get('Private_Dirty', 0)
                                  for d in detail.values()) / 1024, 1)
    res['pss_MiB_peak'] = round(max(m[1] for m in memsamples) / 1024, 1)
    res['rss_MiB_peak'] = round(max(m[2] for m in memsamples) / 1024, 1)
    res['cpu_window_s'] = [round(w0[0], 2), round(w1[0], 2)]
    res['cpu_s'] = round((w1[1] - w0[1]) / TCK, 2)
    res['avg_cores'] = round((w1[1] - w0[1]) / TCK / span, 4)
    res['cpu_s_by_type'] = {k: round(v / TCK, 2) for k, v in sorted(bt.items())}
    res['xvfb_cpu_s'] = round((w1[2] - w0[2]) / TCK, 2)
    res['xvfb_avg_cores'] = round((w1[2] - w0[2]) / TCK / span, 4)
    res['damage_mon_cpu_s'] = round((w1[5] - w0[5]) / TCK, 2)
    res['system_busy_cores'] = round((w1[3] - w0[3]) / TCK / span, 4)
    res['other_load_cores'] = round(res['system_busy_cores'] - res['avg_cores'] - res['xvfb_avg_cores']
                                    - res['damage_mon_cpu_s'] / span, 4)
    res['cpu_s_0_to_window'] = round((w0[1] - samples[0][1]) / TCK, 2)

    # screen updates in the window (DAMAGE on the root window)
    ev = load_damage(a.out + '.damage.txt')
    ups = damage_updates(ev)
    lo, hi = t0 + w0[0], t0 + w1[0]
    inw = [u for u in ups if lo <= u[0] <= hi]
    res['screen_updates_per_s'] = round(len(inw) / span, 2)
    res['screen_Mpx_per_s'] = round(sum(u[3] for u in inw) / 1e6 / span, 2)
    res['screen_frames_equiv_per_s'] = round(sum(u[3] for u in inw) / (1920 * 1080) / span, 2)
    eps = episodes(ups, lo, hi)
    res['animation_episodes'] = [dict(e, start=round(e['start'] - t0, 2)) for e in eps]

    # transition / other split of the program's CPU: Chromium's BENCH transition marks (as bench.py),
    # for both programs also the DAMAGE episodes (same method for both)
    def split(intervals):
        acc = {'in': [0.0, 0, 0], 'out': [0.0, 0, 0]}
        for s0, s1 in zip(samples, samples[1:]):
            if s0[0] < w0[0] or s1[0] > w1[0]:
                continue
            mid = t0 + (s0[0] + s1[0]) / 2
            k = 'in' if any(b0 - 0.05 <= mid <= b1 + 0.05 for b0, b1 in intervals) else 'out'
            acc[k][0] += s1[0] - s0[0]
            acc[k][1] += s1[1] - s0[1]
            acc[k][2] += s1[2] - s0[2]
        return {k: {'seconds': round(dt, 2), 'avg_cores': round(tk / TCK / dt, 4) if dt else None,
                    'xvfb_avg_cores': round(xk / TCK / dt, 4) if dt else None}
                for k, (dt, tk, xk) in acc.items()}
    if a.prog == 'chromium':
        trs = [t for n, t in parse_marks(a.out + '.stderr.log') if n == 'transition']
        res['n_transitions_marked'] = sum(1 for tr in trs if lo <= tr <= hi)
        res['split_by_marks'] = split([(tr, tr + 1.25) for tr in trs])
    if a.mode == 'noticker':
        res['split_by_damage_episodes'] = split([(e['start'], e['start'] + e['dur_s']) for e in eps])
    with open(a.out + '.json', 'w') as f:
        json.dump(res, f, indent=1, ensure_ascii=False)
    with open(a.out + '.samples.json', 'w') as f:
        json.dump({'cpu': samples, 'mem': [(m[0], m[1], m[2], m[4]) for m in memsamples],
                   'types': {str(k): v for k, v in types.items()}, 'detail_at': detail}, f)
    print(json.dumps({k: res[k] for k in ('prog', 'mode', 'pss_MiB_at', 'rss_MiB_at', 'avg_cores',
                                         'xvfb_avg_cores', 'screen_updates_per_s', 'loadavg_start')}))


# ---------------------------------------------------------------- shot: exec -> first frame on screen
def xwd_pixels(display, pts, save=None):
    raw = subprocess.run(['xwd', '-root', '-silent', '-display', display], capture_output=True).stdout
    if save:
        with open(save, 'wb') as f:
            f.write(raw)
    h = struct.unpack('>25I', raw[:100])
    hsize, bpp, bpl, ncol, order = h[0], h[11], h[12], h[19], h[7]
    base = hsize + ncol * 12
    out = []
    for x, y in pts:
        off = base + y * bpl + x * (bpp // 8)
        v = int.from_bytes(raw[off:off + 4], 'little' if order == 0 else 'big')
        out.append(((v >> 16) & 255, (v >> 8) & 255, v & 255))
    return out


class XProbe:
    """Read single pixels of the root window with XGetImage(1x1) via ctypes: cheap enough to poll every ~20 ms."""
    def __init__(self, display):
        import ctypes, ctypes.util
        self.c = ctypes
        x = ctypes.CDLL(ctypes.util.find_library('X11') or 'libX11.so.6')
        x.XOpenDisplay.restype = ctypes.c_void_p
        x.XOpenDisplay.argtypes = [ctypes.c_char_p]
        x.XDefaultRootWindow.restype = ctypes.c_ulong
        x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        x.XGetImage.restype = ctypes.c_void_p
        x.XGetImage.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_int,
                                ctypes.c_uint, ctypes.c_uint, ctypes.c_ulong, ctypes.c_int]
        x.XFree.argtypes = [ctypes.c_void_p]
        x.XCloseDisplay.argtypes = [ctypes.c_void_p]
        self.x = x
        self.d = x.XOpenDisplay(display.encode())
        self.root = x.XDefaultRootWindow(self.d)

    def pixels(self, pts):
        c, out = self.c, []
        for px, py in pts:
            img = self.x.XGetImage(self.d, self.root, px, py, 1, 1, 0xffffffff, 2)  # ZPixmap
            data = c.cast(img + 16, c.POINTER(c.c_void_p))[0]  # XImage.data (x86_64 layout)
            v = c.cast(data, c.POINTER(c.c_uint32))[0]
            self.x.XFree(data)
            self.x.XFree(img)
            out.append(((v >> 16) & 255, (v >> 8) & 255, v & 255))
        return out

    def close(self):
        self.x.XCloseDisplay(self.d)


def close(c, ref, tol=12):
    return all(abs(x - y) <= tol for x, y in zip(c, ref))


def run_shot(a):
    os.makedirs(TMP, exist_ok=True)
    prog = Prog(a.prog, a.mode, a.renderer, a.display)
    want = WANT[a.prog]
    probe = XProbe(a.display)
    base = probe.pixels(PTS)
    assert base == xwd_pixels(a.display, PTS), 'XProbe disagrees with xwd'
    la0 = loadavg()
    t0 = prog.start(a.out + '.stderr.log')
    t_any = t_all = px_any = None
    polls, gaps, last_poll = 0, [], None
    while time.time() - t0 < 30:
        ts = time.time()
        px = probe.pixels(PTS)
        polls += 1
        if last_poll:
            gaps.append(ts - last_poll)
        last_poll = ts
        if t_any is None and px != base:
            t_any, px_any = ts - t0, px
        if all(close(c, w) for c, w in zip(px, want)):
            t_all = ts - t0
            break
        time.sleep(max(0.0, 0.020 - (time.time() - ts)))
    time.sleep(3)
    shot = xwd_pixels(a.display, PTS, save=a.out + '.xwd')
    subprocess.run(['convert', 'xwd:' + a.out + '.xwd', a.out + '.png'], capture_output=True)
    os.unlink(a.out + '.xwd')
    probe.close()
    leftover = prog.stop()
    res = {'prog': prog.label, 'mode': a.mode, 'cmd': prog.cmd, 'loadavg_start': la0,
           'screen_changed_s': round(t_any, 3) if t_any else None,
           'colours_on_screen_s': round(t_all, 3) if t_all else None, 'polls': polls,
           'poll_interval_median_ms': round(statistics.median(gaps) * 1000, 1) if gaps else None,
           'first_changed_pixels': px_any, 'pixels_3s_later_xwd': shot,
           'own_marks_s_after_exec': prog.own_marks(), 'leftover_killed': leftover}
    with open(a.out + '.json', 'w') as f:
        json.dump(res, f, indent=1, ensure_ascii=False)
    print(json.dumps({k: res[k] for k in ('prog', 'screen_changed_s', 'colours_on_screen_s', 'loadavg_start')}))


# ---------------------------------------------------------------- pacing: the player's presents (LD_PRELOAD spy)
def run_pacing(a):
    os.makedirs(TMP, exist_ok=True)
    spy_out = a.out + '.presents.txt'
    prog = Prog('player', a.mode, a.renderer, a.display, spy=spy_out)
    xvfb = xvfb_pid(a.display)
    la0 = loadavg()
    mon = DamageMon(a.display, a.out + '.damage.txt')
    t0 = prog.start(a.out + '.stderr.log')
    samples = []
    while time.time() - t0 < a.dur:
        now = time.time()
        samples.append((now, cpu_ticks(prog.ps.root) or 0, cpu_ticks(xvfb) or 0))
        time.sleep(max(0.0, 0.1 - (time.time() - now)))
    la1 = loadavg()
    prog.stop()
    mon.stop()
    P, W, A = [], [], []
    for line in open(spy_out):
        v = line.split()
        if v[0] == 'P':
            P.append((float(v[1]), float(v[2]) / 1000.0))
        elif v[0] == 'W':
            W.append((float(v[1]), float(v[2]) / 1000.0, int(v[3])))
        elif v[0] == 'A':
            A.append((float(v[1]), int(v[2])))
    # tag each present: crossfade frame if an alpha < 255 was set since the previous present
    tagged, ai, prev = [], 0, 0.0
    for t, d in P:
        fade = False
        while ai < len(A) and A[ai][0] <= t:
            if A[ai][0] >= prev and A[ai][1] < 255:
                fade = True
            ai += 1
        tagged.append((t, d, fade))
        prev = t
    settle = t0 + 2.0
    # crossfades: consecutive crossfade-tagged presents
    fades, cur = [], []
    for t, d, fade in tagged:
        if t < settle:
            continue
        if fade:
            cur.append((t, d))
        elif cur:
            fades.append(cur)
            cur = []
    if cur:
        fades.append(cur)
    # still frames (ticker only): intervals between consecutive non-crossfade presents < 0.5 s apart
    still_iv = [(b[0] - x[0]) * 1000 for x, b in zip(tagged, tagged[1:])
                if x[0] >= settle and not x[2] and not b[2] and b[0] - x[0] < 0.5]
    iv_all, pres_all, per = [], [], []
    for r in fades:
        iv = [(b[0] - x[0]) * 1000 for x, b in zip(r, r[1:])]
        iv_all += iv
        pres_all += [d for _, d in r]
        s = [x for x in samples if r[0][0] <= x[0] <= r[-1][0] + r[-1][1] / 1000]
        cores = ((s[-1][1] - s[0][1]) / TCK / (s[-1][0] - s[0][0])) if len(s) > 2 else None
        xcores = ((s[-1][2] - s[0][2]) / TCK / (s[-1][0] - s[0][0])) if len(s) > 2 else None
        span = r[-1][0] + r[-1][1] / 1000 - r[0][0]
        per.append({'start_s': round(r[0][0] - t0, 2), 'frames': len(r), 'span_s': round(span, 3),
                    'fps': round(len(r) / span, 1) if span > 0 else None,
                    'median_interval_ms': round(statistics.median(iv), 1) if iv else None,
                    'max_interval_ms': round(max(iv), 1) if iv else None,
                    'median_present_ms': round(statistics.median(d for _, d in r), 1),
                    'player_cores': round(cores, 3) if cores is not None else None,
                    'xvfb_cores': round(xcores, 3) if xcores is not None else None})

    def pct(v, q):
        v = sorted(v)
        return round(v[min(len(v) - 1, int(q * len(v)))], 1) if v else None
    still_pres = [d for t, d, fade in tagged if t >= settle and not fade]
    res = {'prog': prog.label, 'mode': a.mode, 'cmd': prog.cmd, 'loadavg_start': la0, 'loadavg_end': la1,
           'own_marks_s_after_exec': prog.own_marks(), 'presents': len(P), 'crossfades': len(fades),
           'crossfade_frames_median': statistics.median(len(r) for r in fades) if fades else None,
           'crossfade_interval_ms_p50_p95_max': [pct(iv_all, .5), pct(iv_all, .95),
                                                 round(max(iv_all), 1) if iv_all else None],
           'crossfade_present_call_ms_p50_p95_max': [pct(pres_all, .5), pct(pres_all, .95),
                                                     round(max(pres_all), 1) if pres_all else None],
           'crossfade_fps_median': statistics.median(p['fps'] for p in per if p['fps']) if per else None,
           'player_cores_during_crossfade_median':
               statistics.median(p['player_cores'] for p in per if p['player_cores'] is not None) if per else None,
           'xvfb_cores_during_crossfade_median':
               statistics.median(p['xvfb_cores'] for p in per if p['xvfb_cores'] is not None) if per else None,
           'still_frames': len(still_pres),
           'still_interval_ms_p50_p95_max': [pct(still_iv, .5), pct(still_iv, .95),
                                             round(max(still_iv), 1) if still_iv else None],
           'still_fps': round(1000 / statistics.median(still_iv), 1) if still_iv else None,
           'still_present_call_ms_p50_p95': [pct(still_pres, .5), pct(still_pres, .95)],
           'per_crossfade': per}
    if len(samples) > 2:
        s0, s1 = [x for x in samples if x[0] >= settle][0], samples[-1]
        res['player_cores_whole_run_after_2s'] = round((s1[1] - s0[1]) / TCK / (s1[0] - s0[0]), 3)
        res['xvfb_cores_whole_run_after_2s'] = round((s1[2] - s0[2]) / TCK / (s1[0] - s0[0]), 3)
    with open(a.out + '.json', 'w') as f:
        json.dump(res, f, indent=1, ensure_ascii=False)
    print(json.dumps({k: res[k] for k in ('prog', 'mode', 'crossfades', 'crossfade_fps_median',
                                         'crossfade_interval_ms_p50_p95_max', 'crossfade_present_call_ms_p50_p95_max',
                                         'still_fps', 'loadavg_start')}))


# ---------------------------------------------------------------- one-shot renders
def run_oneshot(cmd, out, env=None, crashpad=False, png_check=None):
    """Run cmd to exit; wall time, CPU of the whole tree (sampled ~0.1 s, plus wait4 of the child),
    peak PSS/RSS sum (~0.3 s samples), peak RSS of the largest process."""
    la0 = loadavg()
    errf = open(out + '.stderr.log', 'w')
    t0 = time.time()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errf, env=env, start_new_session=True)
    ps = ProcSet(p.pid, crashpad)
    last, pss_pk, rss_pk, n = {}, 0, 0, 0
    ru = None
    while True:
        r = os.wait4(p.pid, os.WNOHANG)
        if r[0] == p.pid:
            ru, rc = r[2], os.waitstatus_to_exitcode(r[1])
            break
        pids = ps.refresh()
        pss = rss = 0
        for pid in pids:
            c = cpu_ticks(pid)
            if c is not None:
                last[pid] = c
            if n % 3 == 0:
                m = rollup(pid)
                if m:
                    pss += m.get('Pss', 0)
                    rss += m.get('Rss', 0)
        n += 1
        pss_pk, rss_pk = max(pss_pk, pss), max(rss_pk, rss)
        time.sleep(0.1)
    t_exit = time.time() - t0
    errf.close()
    t = time.time()  # helpers (crashpad handlers) may outlive the main process briefly
    while time.time() - t < 5 and any(alive(q) for q in ps.refresh()):
        time.sleep(0.1)
    outlived_s = round(time.time() - t, 2)
    leftover = []
    for q in ps.refresh():
        if alive(q):
            try:
                os.kill(q, signal.SIGKILL)
                leftover.append(q)
            except ProcessLookupError:
                pass
    return {'cmd': cmd, 'loadavg_start': la0, 'exit_s': round(t_exit, 3), 'rc': rc,
            'cpu_s_sampled_tree': round(sum(last.values()) / TCK, 2),
            'cpu_s_wait4_child_and_reaped': round(ru.ru_utime + ru.ru_stime, 2),
            'maxrss_MiB_largest_process': round(ru.ru_maxrss / 1024, 1),
            'pss_MiB_peak_sampled': round(pss_pk / 1024, 1), 'rss_MiB_peak_sampled': round(rss_pk / 1024, 1),
            'helpers_outlived_main_s': outlived_s, 'leftover_killed': leftover}


def run_headless(a):
    os.makedirs(TMP, exist_ok=True)
    prof = tempfile.mkdtemp(prefix='headless-', dir=TMP)
    png = os.path.abspath(a.out + '.png')
    if os.path.exists(png):
        os.unlink(png)
    cmd = ['chromium', '--headless=new', '--no-sandbox', '--disable-gpu', '--user-data-dir=' + prof,
           '--screenshot=' + png, '--window-size=1920,1080', PAGE + '?mode=full']
    env = dict(os.environ)
    env.pop('DISPLAY', None)
    res = run_oneshot(cmd, a.out, env, crashpad=True)
    res['prog'] = 'chromium-headless'
    res['images'] = 1 if os.path.exists(png) else 0
    subprocess.run(['rm', '-rf', prof])
    with open(a.out + '.json', 'w') as f:
        json.dump(res, f, indent=1)
    print(json.dumps(res))


def run_deckrender(a):
    os.makedirs(TMP, exist_ok=True)
    d = a.out + '.pngs'
    subprocess.run(['rm', '-rf', d])
    scratch = tempfile.mkdtemp(prefix='render-', dir=TMP)
    conf = os.path.join(scratch, 'signage.conf')
    with open(conf, 'w') as f:
        for k in ('cache_dir', 'state_dir', 'media_dir'):
            os.makedirs(os.path.join(scratch, k), exist_ok=True)
            f.write('%s = %s\n' % (k, os.path.join(scratch, k)))
    cmd = [PLAYER, '--config', conf, '--render', d, '--at', '2026-11-24T09:00']
    env = dict(os.environ)
    env.pop('DISPLAY', None)
    env.pop('SDL_RENDER_DRIVER', None)
    res = run_oneshot(cmd, a.out, env)
    res['prog'] = 'player-render'
    res['images'] = len(glob.glob(os.path.join(d, '*.png')))
    res['png_MiB'] = round(sum(os.path.getsize(x) for x in glob.glob(os.path.join(d, '*.png'))) / 2**20, 2)
    subprocess.run(['rm', '-rf', scratch])
    with open(a.out + '.json', 'w') as f:
        json.dump(res, f, indent=1)
    print(json.dumps(res))


def run_textures(a):
    """The player with texture_spy.so: live SDL texture bytes at --memat s next to its smaps_rollup, to say
    how much of its memory is textures (frame-sized render targets vs text). Not a measured run."""
    os.makedirs(TMP, exist_ok=True)
    spy = a.out + '.textures.txt'
    prog = Prog('player', a.mode, a.renderer, a.display)
    prog.env['LD_PRELOAD'] = os.path.join(HERE, 'bin', 'texture_spy.so')
    prog.env['TEXTURE_SPY_OUT'] = spy
    la0 = loadavg()
    t0 = prog.start(a.out + '.stderr.log')
    while time.time() - t0 < a.memat:
        time.sleep(0.2)
    t_snap = time.time()
    roll, st = rollup(prog.ps.root), status(prog.ps.root)
    sm = read('/proc/%d/smaps' % prog.ps.root)
    with gzip.open(a.out + '.smaps.gz', 'wt') as z:
        z.write('#### pid %d misato-signage\n' % prog.ps.root)
        z.write(sm or '')
    prog.stop()
    live = {}
    made = 0
    for line in open(spy):
        v = line.split()
        if float(v[1]) > t_snap:
            break
        if v[0] == 'C':
            live[v[2]] = (int(v[3]), int(v[4]), int(v[5]))
            made += 1
        elif v[0] == 'D':
            live.pop(v[2], None)
    big = [x for x in live.values() if x[0] * x[1] >= 1920 * 1080]
    small = [x for x in live.values() if x[0] * x[1] < 1920 * 1080]
    res = {'prog': prog.label, 'mode': a.mode, 'at_s': round(t_snap - t0, 1), 'loadavg_start': la0,
           'textures_created': made, 'textures_live': len(live),
           'live_MiB': round(sum(x[2] for x in live.values()) / 2**20, 1),
           'frame_sized_live': len(big), 'frame_sized_MiB': round(sum(x[2] for x in big) / 2**20, 1),
           'other_live': len(small), 'other_MiB': round(sum(x[2] for x in small) / 2**20, 1),
           'largest_other': sorted(((x[0], x[1]) for x in small), key=lambda wh: -wh[0] * wh[1])[:5],
           'rss_MiB': round(roll['Rss'] / 1024, 1), 'pss_MiB': round(roll['Pss'] / 1024, 1),
           'anon_MiB': round(st.get('RssAnon', 0) / 1024, 1), 'file_MiB': round(st.get('RssFile', 0) / 1024, 1),
           'shmem_MiB': round(st.get('RssShmem', 0) / 1024, 1)}
    with open(a.out + '.json', 'w') as f:
        json.dump(res, f, indent=1)
    print(json.dumps(res))


def run_smaps(a):
    """Print the top mappings by Pss of a saved .smaps.gz (per process)."""
    text = gzip.open(a.out, 'rt').read()
    for chunk in text.split('#### pid ')[1:]:
        head, _, body = chunk.partition('\n')
        print('== pid', head)
        for name, pss, rss, size, n, anon in smaps_top(body, a.top):
            print('%9d kB Pss %9d kB Rss %9d kB size %4d maps  %s %s' % (pss, rss, size, n, name,
                                                                        ('anon rss each: %s' % anon) if anon else ''))


# ---------------------------------------------------------------- startup: where the time to the first frame goes
def run_startup(a):
    """The player with bin/startup_spy.so: exec -> first present, split into buckets (see the shim)."""
    os.makedirs(TMP, exist_ok=True)
    prog = Prog('player', a.mode, a.renderer, a.display)
    spy = a.out + '.startup.json'
    if os.path.exists(spy):
        os.unlink(spy)
    prog.env['LD_PRELOAD'] = os.path.join(HERE, 'bin', 'startup_spy.so')
    prog.env['STARTUP_SPY_OUT'] = spy
    la0 = loadavg()
    prog.env['STARTUP_SPY_T0'] = str(time.time_ns())
    t0 = prog.start(a.out + '.stderr.log')
    while time.time() - t0 < 30 and not os.path.exists(spy):
        time.sleep(0.05)
    time.sleep(0.3)
    prog.stop()
    res = json.load(open(spy)) if os.path.exists(spy) else {}
    res.update({'prog': prog.label, 'mode': a.mode, 'loadavg_start': la0,
                'own_marks_s_after_exec': prog.own_marks()})
    with open(a.out + '.json', 'w') as f:
        json.dump(res, f, indent=1, ensure_ascii=False)
    print(json.dumps(res))


# ---------------------------------------------------------------- soak: memory over a long run
def run_soak(a):
    """The player in the ticker + crossfade state for --dur seconds, sampled every --every s: RSS and
    PSS (smaps_rollup), open fds, threads, live SDL textures (bin/texture_spy.so) and CPU. Writes
    OUT.tsv (one line per sample) and OUT.json (first sample after the first minute, last, peak, and
    the least-squares slope per hour of each)."""
    os.makedirs(TMP, exist_ok=True)
    prog = Prog('player', 'soak', a.renderer, a.display)
    spy = a.out + '.textures.txt'
    prog.env['LD_PRELOAD'] = os.path.join(HERE, 'bin', 'texture_spy.so')
    prog.env['TEXTURE_SPY_OUT'] = spy
    la0 = loadavg()
    t0 = prog.start(a.out + '.stderr.log')
    pid = prog.ps.root
    live, off, rows = {}, 0, []
    tsv = open(a.out + '.tsv', 'w')
    tsv.write('t_s\trss_MiB\tpss_MiB\tanon_MiB\tfds\tthreads\ttextures\ttexture_MiB\tcpu_s\tloadavg1\n')
    nxt = 0.0
    while True:
        now = time.time() - t0
        if now >= a.dur or not alive(pid):
            break
        if now >= nxt:
            try:
                with open(spy) as f:
                    f.seek(off)
                    chunk = f.read()
                cut = chunk.rfind('\n') + 1
                off += cut
                for line in chunk[:cut].splitlines():
                    v = line.split()
                    if v and v[0] == 'C':
                        live[v[2]] = int(v[5])
                    elif v and v[0] == 'D':
                        live.pop(v[2], None)
            except OSError:
                pass
            r, st = rollup(pid) or {}, status(pid)
            try:
                fds = len(os.listdir('/proc/%d/fd' % pid))
            except OSError:
                fds = None
            row = (round(now, 1), round(r.get('Rss', 0) / 1024, 2), round(r.get('Pss', 0) / 1024, 2),
                   round(st.get('RssAnon', 0) / 1024, 2), fds, st.get('Threads'), len(live),
                   round(sum(live.values()) / 2**20, 2), round((cpu_ticks(pid) or 0) / TCK, 2),
                   float(loadavg().split()[0]))
            rows.append(row)
            tsv.write('\t'.join(str(x) for x in row) + '\n')
            tsv.flush()
            nxt += a.every
        time.sleep(0.2)
    tsv.close()
    la1 = loadavg()
    prog.stop()
    names = ['rss_MiB', 'pss_MiB', 'anon_MiB', 'fds', 'threads', 'textures', 'texture_MiB']
    steady = [x for x in rows if x[0] >= 60] or rows

    def slope(i):
        pts = [(x[0] / 3600.0, x[i]) for x in steady if x[i] is not None]
        if len(pts) < 3:
            return None
        mx = sum(p[0] for p in pts) / len(pts)
        my = sum(p[1] for p in pts) / len(pts)
        d = sum((p[0] - mx) ** 2 for p in pts)
        return round(sum((p[0] - mx) * (p[1] - my) for p in pts) / d, 3) if d else None
    res = {'prog': prog.label, 'mode': 'soak (ticker + 1 s crossfades every 8 s)', 'dur_s': a.dur,
           'every_s': a.every, 'samples': len(rows), 'loadavg_start': la0, 'loadavg_end': la1,
           'cpu_cores': round((rows[-1][8] - steady[0][8]) / max(1, rows[-1][0] - steady[0][0]), 4) if rows else None,
           'own_marks_s_after_exec': prog.own_marks()}
    for i, n in enumerate(names, 1):
        v = [x[i] for x in steady if x[i] is not None]
        if v:
            res[n] = {'first': v[0], 'last': v[-1], 'min': min(v), 'max': max(v), 'slope_per_hour': slope(i)}
    with open(a.out + '.json', 'w') as f:
        json.dump(res, f, indent=1, ensure_ascii=False)
    print(json.dumps(res, ensure_ascii=False))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('what', choices=['live', 'shot', 'pacing', 'headless', 'deckrender', 'smaps', 'textures',
                                     'startup', 'soak'])
    ap.add_argument('--prog', choices=['chromium', 'player'], default='player')
    ap.add_argument('--renderer', choices=['auto', 'gpu', 'software', 'gl', 'sw', 'swx'], default='auto')
    ap.add_argument('--mode', default='full')
    ap.add_argument('--dur', type=float, default=121)
    ap.add_argument('--memat', type=float, default=60)
    ap.add_argument('--cpu0', type=float, default=60)
    ap.add_argument('--win', type=float, default=60)
    ap.add_argument('--top', type=int, default=25)
    ap.add_argument('--every', type=float, default=10)
    ap.add_argument('--display', default=':99')
    ap.add_argument('--out', required=True)
    a = ap.parse_args()
    {'live': run_live, 'shot': run_shot, 'pacing': run_pacing, 'headless': run_headless,
     'deckrender': run_deckrender, 'smaps': run_smaps, 'textures': run_textures, 'startup': run_startup,
     'soak': run_soak}[a.what](a)


if __name__ == '__main__':
    main()
