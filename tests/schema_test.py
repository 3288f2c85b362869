#!/usr/bin/env python3
"""config/feed.schema.json (for editors) and the player's validator agree:
the shipped feeds pass both; each broken feed below fails both.

    schema_test.py BIN SOURCE_DIR
"""
import copy
import json
import os
import subprocess
import sys
import tempfile

import jsonschema

BIN, SRC = sys.argv[1], sys.argv[2]
schema = json.load(open(os.path.join(SRC, "config", "feed.schema.json")))
jsonschema.Draft7Validator.check_schema(schema)
validator = jsonschema.Draft7Validator(schema)
failures = 0


def player_rc(doc):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(doc, f, ensure_ascii=False)
    rc = subprocess.run([BIN, "--validate", f.name], capture_output=True).returncode
    os.unlink(f.name)
    return rc


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
print(f"{13 - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
