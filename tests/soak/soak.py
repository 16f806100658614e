#!/usr/bin/env python3
"""Soak test (scripts/soak): the real binary on a fresh SQLite store with its
workers draining, signed webhooks with unique idempotency keys at half the
ingest maximum measured at the start of the same run, for a fixed time, in
windows. After each window: accepted/s, p50/p99, errors, the server's RSS,
executions completed and pending. Passes when nothing failed and memory and
latency stayed flat (second half against first half). Reuses the benchmark
harness (benchmarks/harness.py) for processes, wrk and the automation.
"""

import argparse
import json
import math
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
import harness  # noqa: E402


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    parser = argparse.ArgumentParser(description="Voxworks soak test")
    parser.add_argument("seconds", type=int, nargs="?", default=600, help="length of the paced run (default 600)")
    parser.add_argument("--window", type=int, default=10, help="seconds per measured window (default 10)")
    parser.add_argument("--probe", type=int, default=5, help="seconds of the maximum-rate probe (default 5)")
    parser.add_argument("--binary", default=None, help="server binary (default: release build if present, else debug)")
    parser.add_argument("--output", default=None, help="write the curve as JSON here")
    args = parser.parse_args()

    release = os.path.join(ROOT, ".build", "release", "voxworks")
    debug = os.path.join(ROOT, ".build", "debug", "voxworks")
    harness.BIN = os.path.abspath(args.binary) if args.binary else (release if os.access(release, os.X_OK) else debug)
    harness.CONFIG.wrk_threads = 2
    harness.CONFIG.wrk_timeout = 5
    if not os.access(harness.BIN, os.X_OK) or not os.access(harness.WRK, os.X_OK):
        raise harness.BenchError(f"needs {harness.BIN} and wrk (apt-get install wrk)")

    store = harness.Store("sqlite", None, "soak")
    server = harness.Server(store)
    automation = server.create_automation()
    harness.log(f"soak: {harness.BIN}, pid {server.pid}")

    probe = harness.wrk(automation["url"], 64, args.probe, automation["signature"], f"probe{int(time.time())}")
    maximum = probe["rps"]
    target = maximum / 2
    # Each connection sends one request every 20 ms or more, so that wrk's
    # delay (on top of the response time) has room to steer the rate.
    connections = min(512, max(16, math.ceil(target * 0.02)))
    delay_ms = max(1, round(1000 * connections / target))
    harness.log(f"soak: maximum {maximum:.0f} accepted/s; pacing {connections} connections at one request "
                f"per {delay_ms} ms each (~{1000 * connections / delay_ms:.0f}/s) for {args.seconds} s")

    windows = []
    started = time.time()
    index = 0
    while time.time() - started < args.seconds:
        result = harness.wrk(automation["url"], connections, args.window, automation["signature"],
                             f"soak{int(started)}-{index}", delay_ms=delay_ms)
        completed, pending = store.query(
            "SELECT SUM(status = 'completed'), SUM(status IN ('pending', 'processing')) FROM executions")
        window = {
            "t_s": round(time.time() - started), "rps": result["rps"], "p50_ms": result["p50_ms"],
            "p99_ms": result["p99_ms"], "errors": result["errors"], "rss_mb": round(rss_kb(server.pid) / 1024, 1),
            "completed": completed or 0, "pending": pending or 0,
        }
        windows.append(window)
        # wrk's delay comes on top of each response's latency: steer the
        # pause so that the paced rate meets the target.
        if result["rps"] > 0:
            delay_ms = max(1, round(delay_ms + 1000 * connections / target - 1000 * connections / result["rps"]))
        harness.log("soak: t={t_s:>4}s  {rps:>7.0f}/s  p50 {p50_ms:6.2f} ms  p99 {p99_ms:7.2f} ms  errors {errors}  "
                    "RSS {rss_mb:6.1f} MB  completed {completed}  pending {pending}".format(**window))
        index += 1
    server.stop()

    half = max(1, len(windows) // 2)
    first, second = windows[:half], windows[half:] or windows[-1:]
    rss_first, rss_second = max(w["rss_mb"] for w in first), max(w["rss_mb"] for w in second)
    p99_first = statistics.median(w["p99_ms"] for w in first)
    p99_second = statistics.median(w["p99_ms"] for w in second)
    errors = sum(w["errors"] for w in windows)
    drained = windows[-1]["completed"] > windows[0]["completed"]
    checks = [
        (errors == 0, f"no errors ({errors})"),
        (rss_second <= rss_first * 1.25 + 16, f"memory flat: peak RSS {rss_first} MB in the first half, {rss_second} MB in the second"),
        (p99_second <= p99_first * 2 + 10, f"latency flat: median p99 {p99_first:.2f} ms in the first half, {p99_second:.2f} ms in the second"),
        (drained, f"the engine drained while ingesting ({windows[0]['completed']} → {windows[-1]['completed']} completed)"),
    ]
    report = {"binary": harness.BIN, "seconds": args.seconds, "window_s": args.window, "maximum_rps": maximum,
              "target_rps": round(target), "connections": connections, "delay_ms": delay_ms,
              "windows": windows, "checks": [{"ok": ok, "what": what} for ok, what in checks]}
    if args.output:
        with open(args.output, "w") as f:
            json.dump(report, f, indent=2)
            f.write("\n")
    for ok, what in checks:
        print(("ok: " if ok else "FAILED: ") + what, flush=True)
    if not all(ok for ok, _ in checks):
        return 1
    paced = statistics.median(w["rps"] for w in windows)
    print(f"soak: {args.seconds} s at a median {paced:.0f}/s (target {target:.0f}/s, half the maximum): "
          "memory and latency flat, nothing failed", flush=True)
    return 0


if __name__ == "__main__":
    harness.run_main(main)
