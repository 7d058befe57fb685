#!/usr/bin/env python3
"""What can be checked of deploy/ here: every YAML file is well-formed;
the Grafana dashboard is JSON and each of its queries is valid PromQL
(promtool checks them as recording rules); the Kubernetes Deployment runs
two replicas, probes /healthz and /readyz and exposes the metrics port;
the compose file has PostgreSQL, yekuo and a mail catcher; every metric
the alerts and the dashboard use is one yekuo writes."""
import glob
import json
import re
import subprocess
import sys
import tempfile

import yaml

problems = []
docs = {}
for path in sorted(glob.glob("deploy/**/*.yaml", recursive=True)):
    try:
        docs[path] = list(yaml.safe_load_all(open(path, encoding="utf-8")))
    except yaml.YAMLError as e:
        problems.append(f"{path}: {e}")

dash = json.load(open("deploy/grafana/yekuo.json", encoding="utf-8"))
exprs = [t["expr"] for p in dash["panels"] for t in p.get("targets", [])]
rules = {"groups": [{"name": "dashboard", "rules": [
    {"record": f"dashboard:query_{i}", "expr": e.replace("$bureau", ".*")} for i, e in enumerate(exprs)]}]}
with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
    yaml.safe_dump(rules, f)
out = subprocess.run(["promtool", "check", "rules", f.name], capture_output=True, text=True)
if out.returncode != 0:
    problems.append("dashboard queries: " + out.stdout + out.stderr)

deployment = docs["deploy/kubernetes/deployment.yaml"][0]
spec = deployment["spec"]
container = spec["template"]["spec"]["containers"][0]
if spec.get("replicas") != 2:
    problems.append("the Deployment should run two replicas")
if container["readinessProbe"]["httpGet"]["path"] != "/readyz":
    problems.append("the readiness probe should ask /readyz")
if container["livenessProbe"]["httpGet"]["path"] != "/healthz":
    problems.append("the liveness probe should ask /healthz")
if "metrics" not in [p["name"] for p in container["ports"]]:
    problems.append("the Deployment should expose the metrics port")
config = docs["deploy/kubernetes/configmap.yaml"][0]["data"]["yekuo.toml"]
if "postgres://" not in config:
    problems.append("the Kubernetes config should point at PostgreSQL")
services = docs["deploy/compose.yaml"][0]["services"]
for name in ("postgres", "yekuo", "mailcatcher"):
    if name not in services:
        problems.append(f"compose has no {name}")

written = set()
for path in glob.glob("src/**/*.rs", recursive=True):
    written |= set(re.findall(r'"(yekuo_[a-z_]+)"', open(path, encoding="utf-8").read()))
used = set(re.findall(r"yekuo_[a-z_]+", open("deploy/prometheus/alerts.yaml").read() + "\n".join(exprs)))
for name in sorted(used):
    base = re.sub(r"_(bucket|sum|count)$", "", name)
    if name not in written and base not in written:
        problems.append(f"{name} is used in deploy/ but yekuo writes no such metric")

for p in problems:
    print(p)
print(f"deploy: {len(docs)} YAML files, {len(exprs)} dashboard queries, {len(used)} metrics used, {len(problems)} problems")
sys.exit(1 if problems else 0)
