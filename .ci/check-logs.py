#!/usr/bin/env python3
"""Checks the JSON log of a whole test run (YEKUO_TEST_LOG): every line
parses, requests have their line (id, route, status, latency), and no
email address or mainland mobile number appears unmasked."""
import json
import re
import sys

EMAIL = re.compile(r"[A-Za-z0-9._%+-]{2,}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
path = sys.argv[1]
lines = requests = 0
bad = []
for n, line in enumerate(open(path, encoding="utf-8"), 1):
    lines += 1
    try:
        event = json.loads(line)
    except ValueError as e:
        bad.append(f"line {n} is not JSON ({e}): {line[:200]}")
        continue
    for key in ("timestamp", "level", "target"):
        if key not in event:
            bad.append(f"line {n} has no {key}: {line[:200]}")
    if event.get("target") == "yekuo::request":
        requests += 1
        for key in ("request_id", "route", "status", "latency_ms"):
            if key not in event:
                bad.append(f"line {n}, a request, has no {key}: {line[:200]}")
    for m in EMAIL.finditer(line):
        if not m.group(0).split("@")[0].endswith("***"):
            bad.append(f"line {n} shows an address: {m.group(0)}")
    if MOBILE.search(line):
        bad.append(f"line {n} shows a mobile number: {line[:200]}")
if requests == 0:
    bad.append("no request lines at all")
for b in bad[:20]:
    print(b)
print(f"{lines} log lines, {requests} requests, {len(bad)} problems")
sys.exit(1 if bad else 0)
