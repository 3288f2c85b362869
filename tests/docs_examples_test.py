#!/usr/bin/env python3
"""Every settings and feed example in the Markdown docs (README.md, docs/*.md),
taken out of the Markdown as a reader would copy it, through the player itself
(#13.9): so an example can never rot.

- A fenced block tagged ini/conf, or an untagged one whose lines are all
  `key = value` or comments, is a settings file: read by the player's parser
  (tests/config_check.c); any problem fails.
- A json block that is a whole feed (it has "schema_version") goes through
  `misato-signage --validate` and must be valid (exit 0). A fragment of a
  feed's top-level keys ("announcements": [...], ...) is put into
  docs/feed-example.json in place of those keys, a single measure ({"id",
  "metric"...}) in place of its measures, and validated the same way.
- A json block with `...` in place of values is an outline of the file's
  shape and is listed as such; a USB playlist ("items") is not a feed (the
  USB tests cover playlists), nor are VS Code's settings (json.* keys). Any
  other json block fails.

usage: docs_examples_test.py SOURCE_DIR PLAYER CONFIG_CHECK WORK_DIR
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys

src, player, config_check, work = sys.argv[1:5]
AT = "2026-11-24T09:00"  # the day the docs' examples are written for
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)

FENCE = re.compile(r"^(\s*)```\s*([A-Za-z0-9_+-]*)\s*$")
KEY_LINE = re.compile(r"^[a-z_][a-z0-9_]*\s*=")


def blocks(path):
    """(language, first line number, text) of each fenced block."""
    out, cur = [], None
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            m = FENCE.match(line)
            if cur is None and m:
                cur = (m.group(2).lower(), n + 1, [], len(m.group(1)))
            elif cur is not None and m and not m.group(2):
                out.append((cur[0], cur[1], "".join(cur[2])))
                cur = None
            elif cur is not None:
                cur[2].append(line[cur[3]:] if line[:cur[3]].strip() == "" else line)
    return out


def is_config(lang, text):
    if lang in ("ini", "conf"):
        return True
    if lang:
        return False
    lines = [l for l in text.splitlines() if l.strip() and not l.lstrip().startswith(("#", ";"))]
    return bool(lines) and all(KEY_LINE.match(l) for l in lines)


def is_outline(text):
    """`...` or `…` standing for values, outside strings."""
    no_strings = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)
    return "..." in no_strings or "…" in no_strings


failures, counts = [], {"config": 0, "feed": 0, "fragment": 0, "outline": 0, "playlist": 0, "editor": 0}
base = json.load(open(os.path.join(src, "docs", "feed-example.json"), encoding="utf-8"))
docs = [os.path.join(src, "README.md")] + sorted(glob.glob(os.path.join(src, "docs", "*.md")))


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, SDL_VIDEODRIVER="offscreen"))


def validate(where, feed):
    path = os.path.join(work, "feed-%d.json" % (counts["feed"] + counts["fragment"]))
    with open(path, "w", encoding="utf-8") as f:
        json.dump(feed, f, ensure_ascii=False, indent=1)
    r = run([player, "--at", AT, "--validate", path])
    if r.returncode != 0:
        failures.append("%s: --validate exits %d:\n%s%s" % (where, r.returncode, r.stdout, r.stderr))
    else:
        print("ok: %s: valid feed" % where)


for doc in docs:
    rel = os.path.relpath(doc, src)
    for lang, line, text in blocks(doc):
        where = "%s:%d" % (rel, line)
        if is_config(lang, text):
            counts["config"] += 1
            path = os.path.join(work, "signage-%d.conf" % counts["config"])
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            r = run([config_check, path])
            if r.returncode != 0:
                failures.append("%s: the settings example has problems:\n%s" % (where, r.stderr))
            else:
                print("ok: %s: settings read without problems: %s" % (where, r.stdout.split(": ", 1)[1].strip()))
            continue
        if lang != "json":
            continue
        try:
            value = json.loads(text)
        except ValueError:
            try:
                value = json.loads("{" + text.strip().rstrip(",") + "}")
                value = ("fragment", value)
            except ValueError:
                if is_outline(text):
                    counts["outline"] += 1
                    print("outline: %s: the shape of a file with ... for values (not run)" % where)
                else:
                    failures.append("%s: a json block that is not JSON" % where)
                continue
        if isinstance(value, tuple):
            counts["fragment"] += 1
            feed = dict(base)
            feed.update(value[1])
            validate(where + " (top-level keys in docs/feed-example.json)", feed)
        elif isinstance(value, dict) and "schema_version" in value:
            counts["feed"] += 1
            validate(where, value)
        elif isinstance(value, dict) and "id" in value and ("metric" in value or "targets" in value):
            counts["fragment"] += 1
            feed = dict(base)
            feed["measures"] = [value]
            validate(where + " (a measure, in docs/feed-example.json)", feed)
        elif isinstance(value, dict) and value and all(k.startswith("json.") for k in value):
            counts["editor"] += 1
            print("editor settings: %s: VS Code's json.* settings, not a feed" % where)
        elif isinstance(value, dict) and "items" in value:
            counts["playlist"] += 1
            print("playlist: %s: a USB playlist, not a feed (tests/usb_test.py covers playlists)" % where)
        else:
            failures.append("%s: a json block that is neither a feed, a part of one nor a playlist" % where)

# The shipped settings file and example feed are examples too.
r = run([config_check, os.path.join(src, "config", "signage.conf")])
if r.returncode != 0:
    failures.append("config/signage.conf has problems:\n" + r.stderr)
counts["feed"] += 1
validate("docs/feed-example.json", base)

print("examples: %s" % ", ".join("%d %s" % (v, k) for k, v in counts.items()))
if counts["config"] == 0 or counts["feed"] + counts["fragment"] < 2:
    failures.append("too few examples found: the extraction is broken")
for f in failures:
    print("FAIL: " + f)
print("%d passed, %d failed" % (0 if failures else 1, 1 if failures else 0))
sys.exit(1 if failures else 0)
