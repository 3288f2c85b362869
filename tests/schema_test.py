#!/usr/bin/env python3
"""config/feed.schema.json (for editors) and the player's validator agree:
the shipped feeds pass both; each broken feed below fails both; and on a
generated corpus of mutated feeds (type, length, date, enum, missing key,
extra key, repeated key) both say the same. A repeated key counts as refused
on the schema's side because editors flag it (VS Code: "Duplicate object
key") though JSON Schema cannot state it. Every problem the player prints
ends with what it leaves out. The shipped feeds' "$schema" finds the schema.

    schema_test.py BIN SOURCE_DIR [MUTANTS [FEED_VERDICTS]]   (MUTANTS: 1200 by default)

FEED_VERDICTS (tests/feed_verdicts.c) runs the player's validator over the
whole corpus in one process; every 25th mutant also goes through
`misato-signage --validate`, which must give the same exit code.
"""
import copy
import json
import os
import random
import re
import subprocess
import sys
import tempfile

import jsonschema

BIN, SRC = sys.argv[1], sys.argv[2]
schema = json.load(open(os.path.join(SRC, "config", "feed.schema.json")))
jsonschema.Draft7Validator.check_schema(schema)
validator = jsonschema.Draft7Validator(schema)
failures = 0


# A time before every date of the shipped feeds: "already ended" (a matter
# of the clock, not of the schema) never comes up.
AT = "1999-06-01T00:00"


def player_run(text):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        f.write(text)
    p = subprocess.run([BIN, "--validate", f.name, "--at", AT], capture_output=True, timeout=60)
    os.unlink(f.name)
    return p.returncode, p.stdout.decode("utf-8", "replace")


def player_rc(doc):
    return player_run(json.dumps(doc, ensure_ascii=False))[0]


def expect(name, doc, valid):
    global failures
    schema_ok = not list(validator.iter_errors(doc))
    rc = player_rc(doc)
    player_ok = rc == 0
    if schema_ok == valid and player_ok == valid:
        print(f"ok: {name}: {'valid' if valid else 'refused'} by both")
    else:
        failures += 1
        print(f"FAIL: {name}: schema says {schema_ok}, player exit {rc}, expected valid={valid}")


base = json.load(open(os.path.join(SRC, "config", "default-feed.json")))
expect("config/default-feed.json", base, True)
expect("docs/feed-example.json", json.load(open(os.path.join(SRC, "docs", "feed-example.json"))), True)


def broken(name, change):
    doc = copy.deepcopy(base)
    change(doc)
    expect(name, doc, False)


broken("a target as a string", lambda d: d["measures"][0]["targets"].update(R8="120"))
broken("a negative actual", lambda d: d["measures"][0]["actuals"].update(R6=-1))
broken("a year key 2026", lambda d: d["measures"][0]["targets"].update({"2026": 1}))
broken("an unknown field", lambda d: d["measures"][0].update(field="観光DX"))
broken("a measure id 1.1", lambda d: d["measures"][0].update(id="1.1"))
broken("a misspelt key", lambda d: d["measures"][0].update(target={"R6": 1}))
broken("schema_version 2", lambda d: d.update(schema_version=2))
broken("an announcement without title", lambda d: d.update(announcements=[{"body": "x"}]))
broken("a media sha256 in capitals", lambda d: d.update(
    media=[{"id": "a", "url": "https://x/a.png", "sha256": "A" * 64}]))
broken("an alert level panic", lambda d: d.update(alert={"level": "panic", "text": "x"}))
broken("a date 2026/11/24", lambda d: d.update(updated_at="2026/11/24"))

# --- "$schema" in the shipped feeds finds the schema (as VS Code resolves a
# relative "$schema": against the feed's own folder).
for rel in ("config/default-feed.json", "docs/feed-example.json"):
    doc = json.load(open(os.path.join(SRC, rel)))
    target = os.path.normpath(os.path.join(SRC, os.path.dirname(rel), doc.get("$schema", "")))
    if not doc.get("$schema", "").startswith(".") or \
            os.path.normpath(os.path.join(SRC, "config", "feed.schema.json")) != target:
        failures += 1
        print(f"FAIL: {rel}: \"$schema\" {doc.get('$schema')!r} does not find config/feed.schema.json")
    else:
        print(f"ok: {rel}: \"$schema\" finds the schema")
broken("a $schema that is not a string", lambda d: d.update({"$schema": 5}))
expect("a full-width title of 120 characters", dict(base, announcements=[{"title": "あ" * 120}]), True)
broken("a full-width title of 121 characters", lambda d: d.update(announcements=[{"title": "あ" * 121}]))

# --- the generated corpus -------------------------------------------------------


class Dup:
    """An object with a repeated key, for the text of a mutant."""

    def __init__(self, pairs):
        self.pairs = pairs


def dumps(v):
    if isinstance(v, Dup):
        return "{" + ", ".join(json.dumps(k, ensure_ascii=False) + ": " + dumps(x)
                               for k, x in v.pairs) + "}"
    if isinstance(v, dict):
        return "{" + ", ".join(json.dumps(k, ensure_ascii=False) + ": " + dumps(x)
                               for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(dumps(x) for x in v) + "]"
    return json.dumps(v, ensure_ascii=False)


def no_dup_pairs(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key")
    return dict(pairs)


def schema_verdict(text):
    try:
        doc = json.loads(text, object_pairs_hook=no_dup_pairs)
    except ValueError:
        return False
    return not list(validator.iter_errors(doc))


def places(v, path=()):
    """Every (path, value) in v."""
    yield path, v
    if isinstance(v, dict):
        for k, x in v.items():
            yield from places(x, path + (k,))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from places(x, path + (i,))


def get(doc, path):
    for k in path:
        doc = doc[k]
    return doc


def put(doc, path, value):
    get(doc, path[:-1])[path[-1]] = value


OTHER_TYPES = [0, 7, 1.5, -3, "x", "120", "１２０", True, False, None, [], ["x"], {}, {"R6": 1}]
DATES = ["2026/12/07", "2026-12-07", "2026-02-29", "2028-02-29", "2026-13-01", "2026-04-31",
         "2026-12-07T09:00", "2026-12-07T24:00", "2026-12-07 09:00", "2026-12-07T09:00:00+09:00",
         "2026-12-07T09:00+0900", "2026-12-07T09:00Z", "2026-12-07Z", "令和8年12月7日", "2026-1-7",
         "2201-01-01", "2100-02-29", "2000-02-29", "2026-12-07T09:00:60", "2026-12-07T09:00:00+15:00",
         "2026-12-07T9:00", "2026-12-07T09:00:00.5", "２０２６-１２-０７", "2026-12-07T09:00:00-03:30"]
ENUMS = {"field": ["住民DX", "庁内DX", "地域DX", "住民", "住民ＤＸ", "観光DX", ""],
         "priority": ["high", "normal", "low", "High", "urgent", ""],
         "level": ["info", "warning", "emergency", "panic", "Warning"]}
DAYS = ["mon", "sun", "Mon", "月", "monday", ""]
LENGTHS = [0, 1, 8, 9, 16, 17, 32, 33, 40, 41, 120, 121, 200, 201, 300, 301, 500, 501, 1000, 1001]
DATE_KEYS = {"valid_from", "valid_until", "from", "until", "updated_at"}


def misspell(rng, k):
    if len(k) < 3:
        return k + "s"
    i = rng.randrange(len(k) - 1)
    return rng.choice([k + "s", k[:-1], k[:i] + k[i + 1] + k[i] + k[i + 2:], k.upper(),
                       k[:i] + k[i] + k[i:], "note", "備考"])


def mutate(rng, base_doc, kind):
    """A mutated copy of base_doc as JSON text, and a short description."""
    doc = copy.deepcopy(base_doc)
    spots = [(p, v) for p, v in places(doc) if p]
    objects = [(p, v) for p, v in places(doc) if isinstance(v, dict)]
    if kind == "type":
        p, v = rng.choice(spots)
        new = rng.choice([t for t in OTHER_TYPES if type(t) is not type(v)])
        put(doc, p, new)
        return dumps(doc), f"{kind} {p} = {new!r}"
    if kind == "length":
        p, v = rng.choice([(p, v) for p, v in spots if isinstance(v, str)])
        n = rng.choice(LENGTHS)
        new = "".join(rng.choice("あ美郷町aZ1 ") for _ in range(n)) if n else ""
        if rng.random() < 0.3 and n > 2:
            new = new[: n // 2] + "\n" + new[n // 2 + 1:]
        put(doc, p, new)
        return dumps(doc), f"{kind} {p} = {n} characters"
    if kind == "date":
        dated = [(p, v) for p, v in spots if p[-1] in DATE_KEYS]
        p, v = rng.choice(dated) if dated and rng.random() < 0.8 else rng.choice(spots)
        new = rng.choice(DATES)
        put(doc, p, new)
        return dumps(doc), f"{kind} {p} = {new}"
    if kind == "enum":
        cands = [(p, v) for p, v in spots if p[-1] in ENUMS or (len(p) > 1 and p[-2] == "show_days")]
        if not cands:
            return None, None
        p, v = rng.choice(cands)
        new = rng.choice(ENUMS.get(p[-1], DAYS))
        put(doc, p, new)
        return dumps(doc), f"{kind} {p} = {new}"
    if kind == "missing":
        p, v = rng.choice([(p, v) for p, v in objects if v])
        k = rng.choice(list(v))
        del v[k]
        return dumps(doc), f"{kind} {p + (k,)}"
    if kind == "extra":
        p, v = rng.choice(objects)
        k = misspell(rng, rng.choice(list(v))) if v else "note"
        if k in v:
            k = k + "_x"
        v[k] = rng.choice(["x", 1, "2026-12-31"])
        return dumps(doc), f"{kind} {p + (k,)}"
    if kind == "duplicate":
        p, v = rng.choice([(p, v) for p, v in objects if v])
        k = rng.choice(list(v))
        pairs = list(v.items())
        pairs.insert(rng.randrange(len(pairs) + 1), (k, rng.choice([v[k], 999, "x"])))
        if p:
            put(doc, p, Dup(pairs))
            return dumps(doc), f"{kind} {p + (k,)}"
        return dumps(Dup(pairs)), f"{kind} {(k,)}"
    raise ValueError(kind)


# What the player checks that JSON Schema cannot state: an end before its
# start, an image that names no media entry, ids that repeat, hours that
# end before they start, a plan that ends before it starts.
SEMANTIC = ["より前です", "media にない画像の id です", "同じ施策番号が前にもあります",
            "同じ id が前にもあります", "時間は 08:30-17:15 の形"]
JA_LINE = re.compile(r"^(?P<path>[^:]+): (?P<rest>.*)$")


def problem_lines(out):
    return [l for l in out.splitlines()
            if JA_LINE.match(l) and not l.startswith(("結果:", "お知らせ ", "  ", "UTF-8 で保存"))
            and not re.match(r"^\s+\d+ \|", l)]


def ends_with_outcome(line):
    """The Japanese of a problem ends with what is left out, in parentheses
    (or, for a repeated key, with the value that is not used)."""
    return bool(re.search(r"(ません|ます)\) \(|は使いません \(", line))


rng = random.Random(20261124)
docs = [base, json.load(open(os.path.join(SRC, "docs", "feed-example.json")))]
kinds = ["type", "length", "date", "enum", "missing", "extra", "duplicate"]
total = int(sys.argv[3]) if len(sys.argv) > 3 else 1200
VERDICTS = sys.argv[4] if len(sys.argv) > 4 else None
by_kind = {k: 0 for k in kinds}
mutants = []
while len(mutants) < total:
    kind = kinds[len(mutants) % len(kinds)]
    text, what = mutate(rng, rng.choice(docs), kind)
    if text is None:
        text, what = mutate(rng, docs[1], kind)
    by_kind[kind] += 1
    mutants.append((what, text))

workdir = tempfile.mkdtemp(prefix="feed-corpus-")
paths = []
for i, (what, text) in enumerate(mutants):
    paths.append(os.path.join(workdir, f"{i:05d}.json"))
    with open(paths[-1], "w", encoding="utf-8") as f:
        f.write(text)
verdicts = {}
if VERDICTS:
    out = subprocess.run([VERDICTS] + paths, capture_output=True, timeout=300).stdout.decode()
    current = None
    for line in out.splitlines():
        if line.startswith("= "):
            rc, path = line[2:].split(" ", 1)
            current = verdicts[path] = [int(rc), []]
        elif current is not None:
            current[1].append(line)

agree = semantic = lines_checked = cli_checked = 0
disagreements = []
for i, (what, text) in enumerate(mutants):
    path = paths[i]
    if path in verdicts and i % 25:
        rc, lines = verdicts[path]
    else:
        rc, out = player_run(text)
        lines = problem_lines(out)
        cli_checked += 1
        if path in verdicts and verdicts[path][0] != rc:
            disagreements.append(f"{what}: feed-verdicts says {verdicts[path][0]}, --validate {rc}")
    schema_ok = schema_verdict(text)
    for line in lines:
        lines_checked += 1
        if not ends_with_outcome(line):
            disagreements.append(f"message without what is left out: {line}")
    if schema_ok == (rc == 0):
        agree += 1
    elif schema_ok and rc == 1 and all(any(s in l for s in SEMANTIC) for l in lines):
        semantic += 1
    else:
        disagreements.append(f"{what}: schema {'accepts' if schema_ok else 'refuses'}, player exit {rc}\n"
                             + "\n".join("    " + l for l in lines[:3]))
for p in paths:
    os.unlink(p)
os.rmdir(workdir)
print(f"corpus: {len(mutants)} mutated feeds ({', '.join(f'{k} {v}' for k, v in by_kind.items())}): "
      f"{agree} agree, {semantic} refused by the player for what the schema cannot state, "
      f"{len(disagreements)} disagreements; {cli_checked} also through --validate; "
      f"{lines_checked} problem lines, each ending with what is left out")
for d in disagreements[:40]:
    print("FAIL: " + d)
failures += len(disagreements)
print(f"{failures} failed")
sys.exit(1 if failures else 0)
