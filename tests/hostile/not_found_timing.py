#!/usr/bin/env python3
"""A `404` costs the same whatever the token (scripts/not-found-timing).

Starts the real binary on a fresh SQLite store (the 404 throttle off, so
every request reaches the lookup), creates a webhook, then sends unknown
tokens of five kinds over one keep-alive connection, interleaved round by
round so that machine noise falls on all kinds alike: the real token with
its last character changed (everything but one character matches), with its
first character changed, a random token of the same length, a one-character
token and a 256-character one. Passes when every kind's median is within
25 % of the others' (and prints the medians, p90s and their ratio).
"""

import http.client
import os
import random
import statistics
import string
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
import harness  # noqa: E402

ROUNDS = int(os.environ.get("TIMING_ROUNDS", "400"))


def flip(char):
    return "A" if char != "A" else "B"


def main():
    harness.BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build", "debug", "voxworks")
    store = harness.Store("sqlite", None, "timing")
    store.env["VOXWORKS_NOT_FOUND_RATE_PER_MINUTE"] = "0"
    server = harness.Server(store, role="api")
    token = server.create_automation()["url"].rsplit("/", 1)[1]
    alphabet = string.ascii_letters + string.digits
    kinds = {
        "all but the last character": token[:-1] + flip(token[-1]),
        "all but the first character": flip(token[0]) + token[1:],
        "random, same length": "".join(random.choice(alphabet) for _ in token),
        "one character": "x",
        "256 characters": "".join(random.choice(alphabet) for _ in range(256)),
    }
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    times = {name: [] for name in kinds}
    order = list(kinds)
    for round_index in range(ROUNDS + 20):
        random.shuffle(order)
        for name in order:
            started = time.perf_counter()
            connection.request("POST", f"/api/v1/hooks/{kinds[name]}", body=b"{}", headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            if response.status != 404:
                raise SystemExit(f"FAILED: {name} answered {response.status}, not 404")
            if round_index >= 20:  # the first rounds warm up
                times[name].append(elapsed * 1000)
    connection.close()
    server.stop()
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, values in times.items():
        values.sort()
        p90 = values[int(len(values) * 0.9) - 1]
        print(f"  {name:<30} median {medians[name]:.3f} ms  p90 {p90:.3f} ms  ({len(values)} requests)")
    ratio = max(medians.values()) / min(medians.values())
    ok = ratio <= 1.25
    print(("ok: " if ok else "FAILED: ") + f"404 timing does not depend on the token: slowest median / fastest = {ratio:.3f} (at most 1.25)")
    return 0 if ok else 1


if __name__ == "__main__":
    harness.run_main(main)
