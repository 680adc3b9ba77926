#!/usr/bin/env bash
# JMH benchmarks of the pieces of one call (docs/performance.md, "The pieces of a call"): policy evaluation (Chicory
# compiled and interpreted), the policy input, canonical JSON and its SHA-256, schema validation, one audit record, and
# the whole in-process pipeline on the allow path. Builds and installs toolgate (tests skipped), then runs every
# benchmark in one fork with the short warm-up and measurement their classes set (1-2 s iterations): about 7 minutes
# on a 2-core machine, build included. It prints the load (uptime) before and after, since the machine may be shared.
# Extra arguments go to both Maven runs, e.g. -o to stay offline.
# Results: loadtest/target/jmh-pieces.json, and a table of p50/p99 per benchmark on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/prereqs.sh
./mvnw -B -ntp -q install -DskipTests "$@"
echo "before: $(uptime)"
./mvnw -B -ntp -q -f loadtest/pom.xml "$@" compile exec:exec \
    -Djmh.args="dev.toolgate.loadtest.(PolicyEvaluation|PolicyInput|CanonicalJson|SchemaValidation|AuditRecord|Pipeline)Benchmark -rf json -rff target/jmh-pieces.json"
echo "after: $(uptime)"
python3 - loadtest/target/jmh-pieces.json <<'PY'
import json, sys
print("\n| benchmark | params | p50 | p99 | mean | unit |\n|---|---|---|---|---|---|")
for r in json.load(open(sys.argv[1])):
    m = r["primaryMetric"]
    params = ", ".join(f"{k}={v}" for k, v in (r.get("params") or {}).items())
    name = r["benchmark"].rsplit(".", 2)[-2] + "." + r["benchmark"].rsplit(".", 1)[-1]
    p = m.get("scorePercentiles", {})
    if r["mode"] == "sample":
        print(f"| {name} | {params} | {p['50.0']:.2f} | {p['99.0']:.2f} | {m['score']:.2f} | {m['scoreUnit']} |")
    else:
        print(f"| {name} | {params} | | | {m['score']:.0f} ± {m['scoreError']:.0f} | {m['scoreUnit']} |")
PY
