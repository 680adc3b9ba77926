"""The figures of loadtest/side-by-side.sh: one row's from vegeta's results, and the table with the ratios.

    side_by_side.py row NAME LABEL OUT CPU_TICKS SAT_CPU_TICKS CLK_TCK
                                                        prints the row as one JSON line
    side_by_side.py ghz-row NAME LABEL OUT CPU_TICKS SAT_CPU_TICKS CLK_TCK ALLOWED
                                                        the same from ghz's reports (gRPC), ALLOWED the checks of
                                                        the fixed phase that toolgate allowed (from its audit log)
    side_by_side.py table OUT RATE FIXED SAT WORKERS BLOCKED SMOKE
                                                        prints the table; with SMOKE=1 exits 1 unless every row ran
                                                        and every answer of every phase was 2xx
    side_by_side.py heap OUT                            prints each soaked row's heap samples and its growth
"""
import csv
import io
import json
import math
import subprocess
import sys

ROWS = ["upstream", "nginx", "toolgate", "toolgate-traced", "toolgate-redis", "opa-sidecar", "mcp-upstream", "toolgate-mcp",
        "toolgate-check", "opa-server", "toolgate-ext-authz"]


def results(path):
    """(status, latency in ms) of every call in a vegeta results file."""
    encoded = subprocess.run(["vegeta", "encode", "--to", "csv", path], check=True, capture_output=True, text=True)
    return [(int(line[1]), int(line[2]) / 1e6) for line in csv.reader(io.StringIO(encoded.stdout))]


def percentile(sorted_values, p):
    """The nearest-rank percentile."""
    if not sorted_values:
        return float("nan")
    return sorted_values[max(0, math.ceil(p / 100 * len(sorted_values)) - 1)]


def phase(path):
    calls = results(path)
    ok = [latency for status, latency in calls if 200 <= status < 300]
    statuses = {}
    for status, _ in calls:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return calls, ok, statuses


def row(name, label, out, cpu_ticks, sat_cpu_ticks, clk_tck):
    warm_calls, warm_ok, warm_statuses = phase(f"{out}/{name}.warm.bin")
    calls, ok, statuses = phase(f"{out}/{name}.fixed.bin")
    latencies = sorted(latency for _, latency in calls)
    sat_calls, sat_ok, sat_statuses = phase(f"{out}/{name}.sat.bin")
    report = json.loads(subprocess.run(["vegeta", "report", "-type", "json", f"{out}/{name}.sat.bin"], check=True,
                                       capture_output=True, text=True).stdout)
    print(json.dumps({
        "name": name, "label": label,
        "warm": {"calls": len(warm_calls), "ok": len(warm_ok), "statuses": warm_statuses},
        "fixed": {"calls": len(calls), "ok": len(ok), "statuses": statuses,
                  "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99),
                  "p999_ms": percentile(latencies, 99.9), "max_ms": latencies[-1] if latencies else float("nan"),
                  "cpu_us_per_call": cpu_ticks / clk_tck * 1e6 / len(calls) if calls else float("nan")},
        "sat": {"calls": len(sat_calls), "ok": len(sat_ok), "statuses": sat_statuses,
                "throughput": report["throughput"],
                "cpu_us_per_call": sat_cpu_ticks / clk_tck * 1e6 / len(sat_ok) if sat_ok else float("nan")},
    }))


def ghz_phase(path):
    """(calls, latencies in ms of the calls answered OK, statuses) of one ghz JSON report."""
    with open(path) as f:
        report = json.load(f)
    # when a phase's time is up ghz closes its connections under the calls still in flight; Go reports those as the
    # local "use of closed network connection": cut off by the generator, not answered by the server
    details = [d for d in report.get("details") or [] if "use of closed network connection" not in d.get("error", "")]
    statuses = {}
    for d in details:
        statuses[d["status"]] = statuses.get(d["status"], 0) + 1
    ok = [d["latency"] / 1e6 for d in details if d["status"] == "OK"]
    return details, ok, statuses, report


def ghz_row(name, label, out, cpu_ticks, sat_cpu_ticks, clk_tck, allowed):
    warm_calls, warm_ok, warm_statuses, _ = ghz_phase(f"{out}/{name}.warm.json")
    calls, ok, statuses, _ = ghz_phase(f"{out}/{name}.fixed.json")
    latencies = sorted(d["latency"] / 1e6 for d in calls)
    sat_calls, sat_ok, sat_statuses, sat_report = ghz_phase(f"{out}/{name}.sat.json")
    print(json.dumps({
        "name": name, "label": label,
        "warm": {"calls": len(warm_calls), "ok": len(warm_ok), "statuses": warm_statuses},
        # a check is "ok" when toolgate allowed it: an Envoy denial is a gRPC OK too
        "fixed": {"calls": len(calls), "ok": min(len(ok), allowed), "statuses": statuses, "allowed": allowed,
                  "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99),
                  "p999_ms": percentile(latencies, 99.9), "max_ms": latencies[-1] if latencies else float("nan"),
                  "cpu_us_per_call": cpu_ticks / clk_tck * 1e6 / len(calls) if calls else float("nan")},
        "sat": {"calls": len(sat_calls), "ok": len(sat_ok), "statuses": sat_statuses,
                "throughput": len(sat_ok) / (sat_report["total"] / 1e9) if sat_report.get("total") else 0,
                "cpu_us_per_call": sat_cpu_ticks / clk_tck * 1e6 / len(sat_ok) if sat_ok else float("nan")},
    }))


def fmt(value, digits=2):
    return "n/a" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:,.{digits}f}"


def table(out, rate, fixed, sat, workers, blocked, smoke):
    rows = {}
    with open(f"{out}/rows.jsonl") as lines:
        for line in lines:
            r = json.loads(line)
            rows[r["name"]] = r
    print(f"\nFixed rate: {rate} calls/s for {fixed} s (latency, CPU); saturation: {workers} workers for {sat} s.\n")
    print("| path | p50 ms | p99 ms | p99.9 ms | 2xx at the fixed rate | CPU µs/call | saturation 2xx/s "
          "| CPU µs/call at saturation |")
    print("|---|---|---|---|---|---|---|---|")
    for name in ROWS:
        if name not in rows:
            print(f"| {name} | did not run | | | | | | |")
            continue
        r, f = rows[name], rows[name]["fixed"]
        print(f"| {r['label']} | {fmt(f['p50_ms'])} | {fmt(f['p99_ms'])} | {fmt(f['p999_ms'])} "
              f"| {f['ok']:,}/{f['calls']:,} | {fmt(f['cpu_us_per_call'], 0)} | {fmt(r['sat']['throughput'], 0)} "
              f"| {fmt(r['sat']['cpu_us_per_call'], 0)} |")

    def get(name, *path):
        value = rows.get(name)
        for key in path:
            value = None if value is None else value.get(key)
        return value

    def ratio(a, b):
        return None if a is None or b is None or b == 0 else a / b

    def diff(a, b):
        return None if a is None or b is None else a - b

    checks = [
        ("toolgate HTTP saturation / nginx hop saturation", ratio(get("toolgate", "sat", "throughput"),
                                                                  get("nginx", "sat", "throughput")), ">=", 0.5, ""),
        ("toolgate HTTP p50 added over the upstream (ms)", diff(get("toolgate", "fixed", "p50_ms"),
                                                                get("upstream", "fixed", "p50_ms")), "<=", 0.3, ""),
        ("toolgate HTTP p99 added over the upstream (ms)", diff(get("toolgate", "fixed", "p99_ms"),
                                                                get("upstream", "fixed", "p99_ms")), "<=", 1.0, ""),
        ("toolgate HTTP with Redis p99 added over the upstream (ms)",
         diff(get("toolgate-redis", "fixed", "p99_ms"), get("upstream", "fixed", "p99_ms")), "<=", 1.5, ""),
        ("toolgate /v1/check saturation / opa run --server saturation",
         ratio(get("toolgate-check", "sat", "throughput"), get("opa-server", "sat", "throughput")), ">=", 2.0, ""),
        ("MCP tools/call / HTTP call, toolgate CPU per call",
         ratio(get("toolgate-mcp", "fixed", "cpu_us_per_call"), get("toolgate", "fixed", "cpu_us_per_call")),
         "<=", 1.3, ""),
        ("toolgate CPU per allowed HTTP call (µs)", get("toolgate", "fixed", "cpu_us_per_call"), "<=", 150, ""),
        ("Vert.x blocked-thread warnings (both toolgate logs)", float(blocked), "<=", 0, ""),
        ("Envoy ext_authz Check p99 at its fixed rate (ms)", get("toolgate-ext-authz", "fixed", "p99_ms"), "<=", 1.0,
         ""),
    ]
    print("\n| ratio | measured | target | met |\n|---|---|---|---|")
    for label, value, op, target, _ in checks:
        met = "n/a" if value is None else ("yes" if (value >= target if op == ">=" else value <= target) else "no")
        print(f"| {label} | {fmt(value)} | {op} {target:g} | {met} |")
    print("\nFor reference (no target):\n\n| ratio | measured |\n|---|---|")
    for label, value in [
        ("toolgate HTTP saturation / OPA-sidecar saturation",
         ratio(get("toolgate", "sat", "throughput"), get("opa-sidecar", "sat", "throughput"))),
        ("OPA sidecar p50 added over the upstream (ms)",
         diff(get("opa-sidecar", "fixed", "p50_ms"), get("upstream", "fixed", "p50_ms"))),
        ("MCP tools/call / HTTP call, p50 added by toolgate",
         ratio(diff(get("toolgate-mcp", "fixed", "p50_ms"), get("mcp-upstream", "fixed", "p50_ms")),
               diff(get("toolgate", "fixed", "p50_ms"), get("upstream", "fixed", "p50_ms")))),
        ("toolgate CPU per call with Redis (toolgate + redis-server, µs)",
         get("toolgate-redis", "fixed", "cpu_us_per_call")),
        ("tracing on / off, toolgate CPU per call at the fixed rate",
         ratio(get("toolgate-traced", "fixed", "cpu_us_per_call"), get("toolgate", "fixed", "cpu_us_per_call"))),
        ("tracing on / off, saturation",
         ratio(get("toolgate-traced", "sat", "throughput"), get("toolgate", "sat", "throughput"))),
        ("tracing on minus off, p50 (ms)",
         diff(get("toolgate-traced", "fixed", "p50_ms"), get("toolgate", "fixed", "p50_ms"))),
        ("tracing on minus off, p99 (ms)",
         diff(get("toolgate-traced", "fixed", "p99_ms"), get("toolgate", "fixed", "p99_ms"))),
    ]:
        print(f"| {label} | {fmt(value)} |")

    if smoke:
        failures = [name for name in ROWS if name not in rows]
        for name, r in rows.items():
            for key in ("warm", "fixed", "sat"):
                if r[key]["calls"] == 0 or r[key]["ok"] != r[key]["calls"]:
                    failures.append(f"{name} {key}: {r[key]['ok']}/{r[key]['calls']} 2xx, {r[key]['statuses']}")
        if failures:
            print("\nsmoke FAILED:\n  " + "\n  ".join(failures))
            sys.exit(1)
        print(f"\nsmoke passed: {len(rows)} rows ran, every answer 2xx")


def heap(out):
    """The heap left in use after each full GC during a soak, and how much it grew from the first sample to the last."""
    for name in ROWS:
        try:
            with open(f"{out}/{name}.heap") as samples:
                points = [(int(t), int(kib)) for t, kib in (line.split() for line in samples if len(line.split()) == 2)]
        except FileNotFoundError:
            continue
        if len(points) < 2:
            print(f"\n{name}: fewer than two heap samples")
            continue
        start = points[0][0]
        print(f"\n{name}: heap in use after a full GC\n\n| s | MiB |\n|---|---|")
        for t, kib in points:
            print(f"| {t - start} | {kib / 1024:.1f} |")
        first, last = points[0][1], points[-1][1]
        print(f"\ngrowth from the first sample to the last: {(last - first) / 1024:+.1f} MiB "
              f"({(last - first) / first * 100:+.1f} %), peak {max(k for _, k in points) / 1024:.1f} MiB")


if __name__ == "__main__":
    if sys.argv[1] == "row":
        row(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7]))
    elif sys.argv[1] == "ghz-row":
        ghz_row(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7]),
                int(sys.argv[8]))
    elif sys.argv[1] == "table":
        table(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6], int(sys.argv[7]), sys.argv[8] == "1")
    elif sys.argv[1] == "heap":
        heap(sys.argv[2])
    else:
        sys.exit(__doc__)
