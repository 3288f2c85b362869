#!/usr/bin/env python3
"""The table of issue #16 from one series written by bench/vs-chromium/run.sh: the same rows, one column
per program (Chromium kiosk, then each path of the player), every cell "median (min-max)" over the
interleaved runs, the load average of the runs beside, and the first-frame breakdown.
Usage: table.py RUNDIR   (prints markdown; also writes RUNDIR/table.md)"""
import glob, json, os, re, statistics, sys

D = sys.argv[1]
meta = json.load(open(os.path.join(D, 'meta.json'))) if os.path.exists(os.path.join(D, 'meta.json')) else {}
PROGS = [p for p in ('chromium', 'player-auto', 'player-gpu', 'player-software', 'player-gl', 'player-sw',
                     'player-swx') if glob.glob(os.path.join(D, '*-%s-*.json' % p))]
HEAD = {'chromium': 'Chromium kiosk', 'player-auto': 'player, default (renderer = auto)',
        'player-gpu': 'player, renderer = gpu (GL)', 'player-software': 'player, renderer = software (no GL)',
        'player-gl': 'player, SDL default (GL)', 'player-sw': 'player, SDL_RENDER_DRIVER=software',
        'player-swx': 'player, software + SDL_FRAMEBUFFER_ACCELERATION=0'}


def runs(kind, prog, mode=None):
    out = []
    for f in sorted(glob.glob(os.path.join(D, '%s-%s-%s*.json' % (kind, prog, (mode + '-') if mode else '')))):
        if f.endswith('.samples.json') or f.endswith('.startup.json'):
            continue
        if mode is None and kind == 'live':
            continue
        out.append(json.load(open(f)))
    return out


def num(x):
    if x is None:
        return None
    a = abs(x)
    return '%.4f' % x if a < 0.01 else '%.3f' % x if a < 1 else '%.2f' % x if a < 10 else '%.1f' % x if a < 100 else '%.0f' % x


def cell(vals, unit=''):
    v = [x for x in vals if x is not None]
    if not v:
        return 'n/a'
    s = num(statistics.median(v)) + unit
    if len(v) > 1:
        s += ' (%s-%s)' % (num(min(v)), num(max(v)))
    return s


def per_crossfade(r):
    s_ = r.get('split_by_damage_episodes', {}).get('in', {})
    n = len(r['animation_episodes'])
    return s_['avg_cores'] * s_['seconds'] / n if n and s_.get('avg_cores') is not None else None


def updates_per_cf(r):
    e = r['animation_episodes']
    return sum(x['updates'] for x in e) / len(e) if e else None


def max_gap(r):
    e = r['animation_episodes']
    return max(x['max_interval_ms'] for x in e) if e else None


def la(r):
    return float(r['loadavg_start'].split()[0])


win = meta.get('windows', '')
m = re.search(r'memory at (\S+) s', win)
memat = m.group(1) if m else '60'
ROWS = [
    ('exec → first frame on screen, s', lambda p: cell([r['colours_on_screen_s'] for r in runs('shot', p)], ' s')),
    ('PSS at %s s, static slide, MiB' % memat, lambda p: cell([r['pss_MiB_at'] for r in runs('live', p, 'static')])),
    ('cores, static slide', lambda p: cell([r['avg_cores'] for r in runs('live', p, 'static')])),
    ('cores, slides with 1 s crossfades every 8 s', lambda p: cell([r['avg_cores'] for r in runs('live', p, 'noticker')])),
    ('CPU-seconds per 1 s crossfade', lambda p: cell([per_crossfade(r) for r in runs('live', p, 'noticker')])),
    ('screen updates per crossfade (60 Hz = 60), max gap', lambda p: '%s, max gap %s' % (
        cell([updates_per_cf(r) for r in runs('live', p, 'noticker')]),
        cell([max_gap(r) for r in runs('live', p, 'noticker')], ' ms'))),
    ('cores, ticker + clock + slides', lambda p: cell([r['avg_cores'] for r in runs('live', p, 'full')])),
    ('pixels pushed to the screen, ticker state, Mpx/s', lambda p: cell([r['screen_Mpx_per_s'] for r in runs('live', p, 'full')])),
    ('(beside) Xvfb cores, ticker state', lambda p: cell([r['xvfb_avg_cores'] for r in runs('live', p, 'full')])),
    ('(beside) PSS at %s s, ticker state, MiB' % memat, lambda p: cell([r['pss_MiB_at'] for r in runs('live', p, 'full')])),
    ('load average (1 min) at the start of these runs', lambda p: cell(
        [la(r) for r in runs('shot', p) + runs('live', p, 'static') + runs('live', p, 'noticker') + runs('live', p, 'full')])),
    ('runs (first frame / each live state)', lambda p: '%d / %d' % (len(runs('shot', p)), len(runs('live', p, 'full')))),
]

out = []
out.append('### misato-signage vs Chromium kiosk, %s' % os.path.basename(D.rstrip('/')))
out.append('')
out.append('Xvfb 1920x1080x24, one series, programs interleaved (order rotated every repetition); %s. '
           'Every cell: median (min-max) over the runs; all processes of each program.' % win)
out.append('')
out.append('| state | ' + ' | '.join(HEAD[p] for p in PROGS) + ' |')
out.append('|---|' + '---|' * len(PROGS))
for label, fn in ROWS:
    out.append('| %s | %s |' % (label, ' | '.join(fn(p) for p in PROGS)))
out.append('')
chosen = {}
for p in PROGS:
    if p == 'chromium':
        continue
    for r in runs('live', p, 'static') + runs('shot', p):
        line = r.get('own_marks_s_after_exec', {}).get('renderer_line')
        if line:
            chosen[p] = line
            break
for p, line in chosen.items():
    out.append('- %s: log says "%s"' % (HEAD[p], line))
if chosen:
    out.append('')

ST = {p: runs('startup', p) for p in PROGS if p != 'chromium'}
if any(ST.values()):
    keys = [('load_s', 'exec → main (ld.so: launcher + player, 65 libraries; libcurl and the others load later)'),
            ('curl_s', 'curl_global_init (before the first frame until #16 round 2)'),
            ('cache_s', 'cache read + feed parse (cJSON)'),
            ('fontconfig_s', 'fontconfig (FcInit, matching the faces)'), ('fonts_s', 'font loading (TTF_OpenFont, TTF_OpenFontRW)'),
            ('sdl_s', 'SDL/GL initialisation (SDL_InitSubSystem, window, renderer)'),
            ('raster_s', 'first rasterisation (TTF_RenderUTF8_Blended, TTF_SizeUTF8, textures)'),
            ('present_s', 'the first present'), ('other_s', "the player's own code (layout, config, deck) and waits"),
            ('first_frame_s', 'total: exec → first present returns'),
            ('cpu_s', "CPU time of the player's threads to the first present (the work, without the waiting)")]
    cols = [p for p in PROGS if ST.get(p)]
    out.append('First frame, where the time goes (bin/startup_spy.so; s; median (min-max))')
    out.append('')
    out.append('| part | ' + ' | '.join(HEAD[p] for p in cols) + ' |')
    out.append('|---|' + '---|' * len(cols))
    for k, label in keys:
        out.append('| %s | %s |' % (label, ' | '.join(cell([r.get(k) for r in ST[p]]) for p in cols)))
    for k, label in [('load_faults', 'page faults in ld.so (mapping and relocating the libraries)'),
                     ('minor_faults', 'page faults to the first present (~15 us each in this VM)')]:
        out.append('| %s | %s |' % (label, ' | '.join(cell([r.get(k) for r in ST[p]]) for p in cols)))
    out.append('| threads started before the first frame | %s |' % ' | '.join(
        cell([r.get('threads_before_first_frame') for r in ST[p]]) for p in cols))
    out.append('| load average (1 min) | %s |' % ' | '.join(cell([la(r) for r in ST[p]]) for p in cols))
    out.append('')
text = '\n'.join(out) + '\n'
open(os.path.join(D, 'table.md'), 'w').write(text)
print(text)
