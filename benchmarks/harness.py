#!/usr/bin/env python3
"""The measuring half of benchmarks/run (which builds, installs wrk/nginx if
missing and provides PostgreSQL). Standard library only.

Starts the release binary on fresh stores, creates a signed automation through
the API, drives it with wrk over 127.0.0.1, and prints a table and writes a
JSON file. Every process it starts is stopped by pid at the end, temporary
directories and PostgreSQL schemas are removed. docs/PERFORMANCE.md explains
each figure.
"""

import argparse
import base64
import concurrent.futures
import datetime
import hashlib
import hmac
import http.server
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("VOXWORKS_BENCH_BIN") or os.path.join(ROOT, ".build", "release", "voxworks")
# VOXWORKS_BENCH_BIN_B: a second build measured in the same run, figure by
# figure (an interleaved A/B). A server runs SERVER_BIN while an A/B figure
# sets it, else BIN (which scripts importing the harness set themselves).
BIN_B = os.environ.get("VOXWORKS_BENCH_BIN_B") or None
SERVER_BIN = None
LUA = os.path.join(ROOT, "benchmarks", "signed.lua")
WRK = shutil.which("wrk") or "/usr/bin/wrk"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
FLOOR = os.environ.get("VOXWORKS_BENCH_FLOOR_BIN") or os.path.join(ROOT, ".build", "release", "voxworks-http-floor")

# The constant body of every webhook (also in signed.lua): signed once.
BODY = b'{"contact_phone":"0429069971","first_name":"Ada","source":"crm","crm_id":1234567}'

# The three-step automation of the drain figure (as in benchmarks/quick-drain),
# used for every figure so the workers do the same work throughout.
AUTOMATION = {
    "name": "bench",
    "webhook": {"signing": True, "rate_limit": {"per_second": 100000, "burst": 1000000}},
    "definition": {"trigger": {"type": "webhook"}, "steps": [
        {"id": "map", "type": "transform", "mappings": [
            {"source": "trigger.contact_phone", "target": "phone"},
            {"source": "trigger.first_name", "target": "first_name", "transform": "uppercase"}]},
        {"id": "route", "type": "condition", "field": "trigger.source", "operator": "equals", "value": "crm"},
        {"id": "contact", "type": "upsert_contact",
         "fields": {"phone_number": "{{mapped.phone}}", "first_name": "{{mapped.first_name}}"}}]},
}

# Limits lifted so that the benchmark measures the service, not its throttles.
LIFTED = {
    "VOXWORKS_TEAM_RATE_PER_SECOND": "1000000",
    "VOXWORKS_TEAM_RATE_BURST": "10000000",
    "VOXWORKS_BACKLOG_LIMIT": "100000000",
    # wrk opens up to 512 connections from one address (the default cap is 256).
    "VOXWORKS_MAX_CONNECTIONS_PER_ADDRESS": "0",
}

# Executions pending in the store (the backlog counter each store keeps).
PENDING_SQL = {
    "sqlite": "SELECT COALESCE(SUM(pending_count), 0) FROM teams",
    "postgres": "SELECT COALESCE(SUM(count), 0) FROM team_pending_slots",
}

STARTED = []  # every subprocess.Popen this script started (servers, nginx, the floor, wrk, pgbench)
TEMPS = []    # temporary directories to remove
SCHEMAS = []  # PostgreSQL schemas to drop (base URL, schema)


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


# ---------------------------------------------------------------- processes

def spawn(args, **kwargs):
    process = subprocess.Popen(args, **kwargs)
    STARTED.append(process)
    return process


def stop(process, sig=signal.SIGTERM, grace=60):
    """Stops one process we started, by its pid: `sig`, then SIGKILL after `grace` s."""
    if process is None:
        return
    if process.poll() is None:
        try:
            os.kill(process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            log(f"pid {process.pid} did not stop in {grace} s: SIGKILL")
            try:
                os.kill(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()
    if process in STARTED:
        STARTED.remove(process)


def cleanup():
    for process in list(STARTED):
        stop(process, grace=20)
    for base, schema in list(SCHEMAS):
        psql(base, f"DROP SCHEMA IF EXISTS {schema} CASCADE", check=False)
        SCHEMAS.remove((base, schema))
    for path in list(TEMPS):
        shutil.rmtree(path, ignore_errors=True)
        TEMPS.remove(path)


def on_signal(signum, frame):
    log(f"signal {signum}: stopping")
    raise KeyboardInterrupt


def run(args, timeout, **kwargs):
    """Runs a bounded command we start; killed by pid if it overruns."""
    process = spawn(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop(process, signal.SIGKILL, grace=5)
        raise BenchError(f"{os.path.basename(args[0])} took more than {timeout} s")
    finally:
        if process in STARTED and process.poll() is not None:
            STARTED.remove(process)
    return process.returncode, out, err


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def vm_hwm_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    index = max(0, math.ceil(p / 100 * len(sorted_values)) - 1)
    return sorted_values[index]


# ---------------------------------------------------------------- PostgreSQL

def psql(url, sql, check=True, timeout=900):
    code, out, err = run(["psql", url, "-qAtX", "-v", "ON_ERROR_STOP=1", "-c", sql], timeout=timeout)
    if code != 0 and check:
        raise BenchError(f"psql failed: {err.strip()}")
    return out.strip()


# ---------------------------------------------------------------- stores

class Store:
    """A fresh store for one phase: a SQLite file in a temp dir, or a new
    PostgreSQL schema. Servers started on it share its directory and key."""

    def __init__(self, kind, pg_base, phase):
        self.kind = kind
        self.dir = tempfile.mkdtemp(prefix=f"voxworks-bench-{kind}-{phase}-")
        TEMPS.append(self.dir)
        self.env = dict(LIFTED)
        self.env["VOXWORKS_MASTER_KEY_FILE"] = os.path.join(self.dir, "master.key")
        self.pg_base = pg_base
        if kind == "sqlite":
            self.path = os.path.join(self.dir, "voxworks.sqlite")
            self.env["VOXWORKS_DATABASE"] = self.path
        else:
            self.schema = f"bench_{phase}_{os.getpid()}_{int(time.time())}"
            psql(pg_base, f"CREATE SCHEMA {self.schema}")
            SCHEMAS.append((pg_base, self.schema))
            separator = "&" if "?" in pg_base else "?"
            self.env["VOXWORKS_DATABASE_URL"] = f"{pg_base}{separator}search_path={self.schema}"
        self.key = None
        # One port per store: the webhook URLs (which carry it) stay valid across restarts.
        self.port = free_port()

    def query(self, sql):
        """One row of a read-only query, as a tuple of strings/ints."""
        if self.kind == "sqlite":
            connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
            try:
                return connection.execute(sql).fetchone()
            finally:
                connection.close()
        out = psql(self.pg_base, f"SET search_path = {self.schema}; {sql}")
        row = out.splitlines()[-1].split("|") if out else []
        return tuple(int(v) if re.fullmatch(r"-?\d+", v) else (None if v == "" else v) for v in row)

    def column(self, sql):
        """All values of a one-column read-only query."""
        if self.kind == "sqlite":
            connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
            try:
                return [row[0] for row in connection.execute(sql)]
            finally:
                connection.close()
        out = psql(self.pg_base, f"SET search_path = {self.schema}; COPY ({sql}) TO STDOUT")
        return [int(v) for v in out.split()]

    def drop(self):
        if self.kind == "postgres":
            psql(self.pg_base, f"DROP SCHEMA IF EXISTS {self.schema} CASCADE", check=False)
            SCHEMAS.remove((self.pg_base, self.schema))
        shutil.rmtree(self.dir, ignore_errors=True)
        TEMPS.remove(self.dir)


class Server:
    def __init__(self, store, role="all", workers=None, name="server"):
        self.store = store
        self.port = store.port
        env = dict(os.environ)
        for variable in [v for v in env if v.startswith("VOXWORKS_")]:
            del env[variable]
        env.update(store.env)
        env["VOXWORKS_ROLE"] = role
        if workers:
            env["VOXWORKS_WORKERS"] = str(workers)
        self.log_path = os.path.join(store.dir, f"{name}.log")
        self.log_file = open(self.log_path, "ab")
        self.process = spawn([SERVER_BIN or BIN, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                             cwd=store.dir, env=env, stdout=self.log_file, stderr=subprocess.STDOUT)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"the server exited at start:\n{self.tail()}")
            try:
                with urllib.request.urlopen(f"{self.base}/api/v1/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        else:
            raise BenchError(f"the server did not answer /api/v1/health in 120 s:\n{self.tail()}")
        if store.key is None:
            with open(self.log_path, "rb") as f:
                banner = f.read()
            # Output that is not a terminal gets the key in a 0600 file, named in the banner;
            # builds from before that printed the key itself (an A/B run may measure one).
            found = re.search(rb'(/[^ "]*/first-api-key)', banner)
            printed = re.search(rb'^ {4}(vx_[A-Za-z0-9_-]{20,})$', banner, re.MULTILINE)
            if found:
                with open(found.group(1), "rb") as f:
                    store.key = f.read().decode().strip()
            elif printed:
                store.key = printed.group(1).decode()
            else:
                raise BenchError(f"no API key (or its file) in the first-start banner:\n{self.tail()}")

    @property
    def pid(self):
        return self.process.pid

    def tail(self, lines=20):
        try:
            with open(self.log_path, "rb") as f:
                return b"\n".join(f.read().splitlines()[-lines:]).decode(errors="replace")
        except OSError:
            return ""

    def peak_rss_kb(self):
        return vm_hwm_kb(self.pid)

    def stop(self):
        stop(self.process, grace=120)
        self.log_file.close()

    def create_automation(self):
        request = urllib.request.Request(
            f"{self.base}/api/v1/automations", data=json.dumps(AUTOMATION).encode(), method="POST",
            headers={"Authorization": f"Bearer {self.store.key}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            automation = json.load(response)["automation"]
        secret = automation["webhook"]["signing_secret"]
        if not secret.startswith("whsec_"):
            raise BenchError(f"unexpected signing secret format: {secret[:8]}…")
        key = base64.b64decode(secret[len("whsec_"):])
        signature = "sha256=" + hmac.new(key, BODY, hashlib.sha256).hexdigest()
        return {"id": automation["id"], "url": automation["webhook"]["url"], "signature": signature}


# ---------------------------------------------------------------- wrk

RESULT = re.compile(r"^RESULT (.*)$", re.M)


def wrk(url, connections, seconds, signature="-", prefix="bench", max_per_thread=0, delay_ms=0, threads=None,
        rate=0.0):
    """One wrk run. rate > 0: a constant offered rate (requests/s, split over the threads)."""
    threads = min(connections, threads or CONFIG.wrk_threads)
    args = [WRK, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", f"{CONFIG.wrk_timeout}s",
            "--latency", "-s", LUA, url, "--", signature, prefix, str(max_per_thread), str(delay_ms),
            f"{rate / threads:.3f}"]
    code, out, err = run(args, timeout=seconds + 60)
    found = RESULT.search(out)
    if code != 0 or not found:
        raise BenchError(f"wrk failed ({code}): {err.strip()} {out.strip()[-500:]}")
    values = dict(pair.split("=") for pair in found.group(1).split())
    result = {k: (int(v) if k in ("requests", "non2xx", "socket_errors", "late") else float(v)) for k, v in values.items()}
    result["connections"] = connections
    result["threads"] = threads
    result["accepted"] = result["requests"] - result["non2xx"]
    result["errors"] = result["non2xx"] + result["socket_errors"]
    result["rps"] = round(result["accepted"] / result["duration_s"], 1) if result["duration_s"] > 0 else 0.0
    return result


def measure_ingest(server, automation, connections, seconds, prefix):
    result = wrk(automation["url"], connections, seconds, automation["signature"], prefix)
    result["peak_rss_mb"] = round((server.peak_rss_kb() or 0) / 1024, 1)
    # The smoke run (a debug binary on a busy CI machine) may see no answer in
    # a few seconds at one load; phase_ingest still requires some at all.
    if result["accepted"] == 0 and not CONFIG.smoke:
        raise BenchError(f"no webhook was accepted at {connections} connections: {result}\n{server.tail()}")
    log(f"  {connections:>4} connections: {result['rps']:>9.0f} accepted/s  p50 {result['p50_ms']:.2f} ms  "
        f"p99 {result['p99_ms']:.2f} ms  p99.9 {result['p999_ms']:.2f} ms  errors {result['errors']}  "
        f"peak RSS {result['peak_rss_mb']} MB")
    return result


def warm_up(automation, seconds):
    if seconds > 0:
        wrk(automation["url"], 32, seconds, automation["signature"], f"warm{int(time.time() * 1000)}")


# ---------------------------------------------------------------- phases

def phase_nginx(connection_counts):
    """The reference: nginx answering a static 202 with the same body shape."""
    directory = tempfile.mkdtemp(prefix="voxworks-bench-nginx-")
    TEMPS.append(directory)
    port = free_port()
    config = os.path.join(directory, "nginx.conf")
    with open(config, "w") as f:
        f.write(f"""daemon off;
worker_processes auto;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    default_type application/json;
    keepalive_requests 10000000;
    client_body_temp_path {directory}/body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            return 202 '{{"success":true,"execution_id":"0192d3c4-7e6a-7c4b-9a51-3f0e2b8c4d71"}}';
        }}
    }}
}}
""")
    process = spawn([NGINX, "-p", directory, "-c", config, "-e", f"{directory}/error.log"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_listening(process, port, lambda: "nginx exited at start: " + open(f"{directory}/error.log").read())
    try:
        log("nginx reference (static 202)")
        return measure_reference(port, connection_counts, "nginx", process=None)
    finally:
        stop(process, signal.SIGTERM, grace=20)


def wait_listening(process, port, exited_message, attempts=200):
    """Until something accepts connections on port; BenchError if process exits first."""
    for _ in range(attempts):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if process.poll() is not None:
                raise BenchError(exited_message())
            time.sleep(0.05)
    raise BenchError(f"nothing listened on 127.0.0.1:{port} after {attempts * 0.05:.0f} s")


def measure_reference(port, connection_counts, prefix, process):
    """A reference server's figures: a warm-up, then wrk at each connection
    count (the signature header is sent and ignored). With process, its peak RSS too."""
    url = f"http://127.0.0.1:{port}/api/v1/hooks/reference"
    wrk(url, 32, CONFIG.warmup, "sha256=" + "0" * 64, "warm") if CONFIG.warmup else None
    results = {}
    for c in connection_counts:
        r = wrk(url, c, CONFIG.seconds, "sha256=" + "0" * 64, f"{prefix}{c}")
        if r["accepted"] == 0:
            raise BenchError(f"the {prefix} reference answered no 202 at {c} connections")
        if process is not None:
            r["peak_rss_mb"] = round((vm_hwm_kb(process.pid) or 0) / 1024, 1)
        log(f"  {c:>4} connections: {r['rps']:>9.0f} responses/s  p50 {r['p50_ms']:.2f} ms  p99 {r['p99_ms']:.2f} ms  errors {r['errors']}")
        results[str(c)] = r
    return results


def phase_floor(connection_counts):
    """The second reference: Hummingbird alone answering a static 202
    (benchmarks/HTTPFloor), the framework's own ceiling on this machine."""
    port = free_port()
    process = spawn([FLOOR, str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_listening(process, port, lambda: f"{FLOOR} exited at start with status {process.returncode}")
    try:
        log("framework reference (Hummingbird alone, static 202)")
        return measure_reference(port, connection_counts, "floor", process=process)
    finally:
        stop(process, signal.SIGTERM, grace=20)


def phase_ingest(kind, pg_base, connection_counts):
    log(f"[{kind}] ingest: fresh store, signed requests, unique idempotency keys")
    store = Store(kind, pg_base, "ingest")
    server = Server(store)
    try:
        automation = server.create_automation()
        warm_up(automation, CONFIG.warmup)
        results = {}
        for c in connection_counts:
            results[str(c)] = measure_ingest(server, automation, c, CONFIG.seconds, f"in{c}")
        accepted = sum(r["accepted"] for r in results.values())
        if accepted == 0:
            raise BenchError(f"no webhook was accepted at any load\n{server.tail()}")
        stored = store.query("SELECT count(*) FROM executions WHERE idempotency_key NOT LIKE 'warm%'")[0]
        if stored < accepted:
            raise BenchError(f"wrk saw {accepted} accepted webhooks but the store holds {stored}")
        peak = server.peak_rss_kb()
        return {"by_connections": results, "stored_executions": stored,
                "peak_rss_mb": round((peak or 0) / 1024, 1)}
    finally:
        server.stop()
        store.drop()


def merge_ingest(rounds):
    """One ingest result of an A/B build's rounds: the mean of each rate and
    latency per connection count, errors added, the highest RSS; the rounds
    themselves kept under `rounds`."""
    merged = {"by_connections": {}, "stored_executions": sum(r["stored_executions"] for r in rounds),
              "peak_rss_mb": max(r["peak_rss_mb"] for r in rounds), "rounds": rounds}
    for c in rounds[0]["by_connections"]:
        samples = [r["by_connections"][c] for r in rounds]
        result = dict(samples[0])
        for field in ("rps", "p50_ms", "p99_ms", "p999_ms", "max_ms", "duration_s"):
            if all(isinstance(x.get(field), (int, float)) for x in samples):
                result[field] = round(sum(x[field] for x in samples) / len(samples), 3)
        for field in ("requests", "accepted", "errors"):
            if all(isinstance(x.get(field), int) for x in samples):
                result[field] = sum(x[field] for x in samples)
        result["peak_rss_mb"] = max(x.get("peak_rss_mb") or 0 for x in samples)
        merged["by_connections"][c] = result
    log("  mean of the rounds: " + ", ".join(f"{c} connections {r['rps']:.0f}/s" for c, r in merged["by_connections"].items()))
    return merged


def phase_pgbench(pg_base):
    log("[postgres] pgbench: one-row insert, 64 clients")
    schema = f"bench_pgbench_{os.getpid()}_{int(time.time())}"
    psql(pg_base, f"CREATE SCHEMA {schema}; CREATE TABLE {schema}.bench (id bigserial PRIMARY KEY, body bytea)")
    SCHEMAS.append((pg_base, schema))
    directory = tempfile.mkdtemp(prefix="voxworks-bench-pgbench-")
    TEMPS.append(directory)
    script = os.path.join(directory, "insert.sql")
    with open(script, "w") as f:
        f.write(f"INSERT INTO {schema}.bench (body) VALUES ('\\x{BODY.hex()}'::bytea);\n")
    try:
        code, out, err = run(["pgbench", "-n", "-c", "64", "-j", "2", "-T", str(CONFIG.seconds), "-f", script, pg_base],
                             timeout=CONFIG.seconds + 120)
        found = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out) or re.search(r"tps = ([\d.]+)", out)
        if code != 0 or not found:
            raise BenchError(f"pgbench failed ({code}): {err.strip()[-500:]} {out.strip()[-500:]}")
        latency = re.search(r"latency average = ([\d.]+) ms", out)
        failed = re.search(r"number of failed transactions: (\d+)", out)
        rows = int(psql(pg_base, f"SELECT count(*) FROM {schema}.bench"))
        result = {"clients": 64, "threads": 2, "seconds": CONFIG.seconds, "tps": round(float(found.group(1)), 1),
                  "latency_avg_ms": float(latency.group(1)) if latency else None,
                  "failed": int(failed.group(1)) if failed else 0, "rows": rows}
        log(f"  64 clients: {result['tps']:.0f} tps, latency avg {result['latency_avg_ms']} ms")
        return result
    finally:
        psql(pg_base, f"DROP SCHEMA IF EXISTS {schema} CASCADE", check=False)
        SCHEMAS.remove((pg_base, schema))
        shutil.rmtree(directory, ignore_errors=True)
        TEMPS.remove(directory)


def wait_until(predicate, timeout, interval, what):
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.time() > deadline:
            raise BenchError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def phase_drain(kind, pg_base, count, workers, ingest_rate):
    log(f"[{kind}] drain: queue {count} executions with VOXWORKS_ROLE=api, then run them with {workers} workers")
    store = Store(kind, pg_base, "drain")
    server = Server(store, role="api", name="api")
    try:
        automation = server.create_automation()
        # wrk always runs for its whole duration, so queue in rounds sized from
        # the rate seen so far, each stopping after its share of responses;
        # bounded in rounds and in time.
        connections = 64
        threads = min(connections, CONFIG.wrk_threads)
        began = time.time()
        errors, rate, queued, rounds = 0, max(100.0, ingest_rate), 0, 0
        while queued < count and rounds < 20 and time.time() - began < max(300, count / 100):
            rounds += 1
            missing = count - queued
            seconds = max(1, min(120, math.ceil(missing / rate * 1.2)))
            result = wrk(automation["url"], connections, seconds, automation["signature"], f"drain{rounds}",
                         max_per_thread=math.ceil(missing / threads), threads=threads)
            errors += result["errors"]
            queued = store.query("SELECT count(*) FROM executions WHERE status = 'pending'")[0]
            rate = max(100.0, result["rps"])
        enqueue_seconds = time.time() - began
        enqueue_peak = server.peak_rss_kb()
    finally:
        server.stop()
    queued = store.query("SELECT count(*) FROM executions WHERE status = 'pending'")[0]
    if queued < count:
        raise BenchError(f"only {queued} of {count} executions were queued")
    log(f"  queued {queued} in {enqueue_seconds:.1f} s ({rounds} wrk rounds, {errors} errors); starting {workers} workers")
    # Bounded: after `timeout` the figure is what completed so far (marked incomplete).
    timeout = max(300, queued / 100)
    spawned = time.time()
    complete = True
    server = Server(store, role="all", workers=workers, name="workers")
    try:
        # Cheap poll (the team's pending count is one row) every 0.1 s (0.25 s
        # on PostgreSQL, a psql each time); the full count, and the check for
        # failures, once nothing is pending or every 5 s, so that polling
        # does not load the machine being measured.
        checked = [0.0]

        def done():
            if store.query(PENDING_SQL[store.kind])[0] and time.time() - checked[0] < 5:
                return False
            checked[0] = time.time()
            finished, bad = store.query(
                "SELECT count(*) FILTER (WHERE status = 'completed'), count(*) FILTER (WHERE status IN ('failed','dead_letter')) FROM executions"
                if kind == "postgres" else
                "SELECT sum(status = 'completed'), sum(status IN ('failed','dead_letter')) FROM executions")
            if bad:
                raise BenchError(f"{bad} executions failed:\n{server.tail()}")
            return (finished or 0) >= queued
        try:
            wait_until(done, timeout, 0.1 if kind == "sqlite" else 0.25, f"{queued} executions to complete")
        except BenchError as error:
            if "timed out" not in str(error):
                raise
            complete = False
            log(f"  not all executions completed in {timeout:.0f} s: the figure covers those that did")
        wall = time.time() - spawned
        peak = server.peak_rss_kb()
    finally:
        server.stop()
    completed, first_start, last_finish = store.query(
        "SELECT count(*), min(started_at), max(finished_at) FROM executions WHERE status = 'completed'")
    span = (last_finish - first_start) / 1000
    store.drop()
    figure = {
        "executions": completed, "queued": queued, "complete": complete, "workers": workers,
        "seconds": round(span, 3), "per_second": round(completed / span, 1) if span > 0 else None,
        "wall_seconds_from_spawn": round(wall, 3), "per_second_wall": round(completed / wall, 1),
        "enqueue_seconds": round(enqueue_seconds, 2), "enqueue_errors": errors,
        # Both servers of the figure: the one that queued (api role) and the one that drained.
        "peak_rss_mb": round(max(peak or 0, enqueue_peak or 0) / 1024, 1),
        "workers_peak_rss_mb": round((peak or 0) / 1024, 1), "enqueue_peak_rss_mb": round((enqueue_peak or 0) / 1024, 1),
    }
    log(f"  {completed} executions in {span:.2f} s (first start → last finish) = {figure['per_second']:.0f}/s; "
        f"{figure['per_second_wall']:.0f}/s from process spawn")
    return figure


def phase_end_to_end(kind, pg_base, ingest_max, workers):
    target = max(1.0, ingest_max / 2)
    # Paced: each connection waits `delay_ms` before each request, so a
    # connection sends one request per (delay + response time). A short
    # calibration run measures the rate that gives and scales the number of
    # connections to reach the target.
    delay_ms = 20
    connections = max(1, round(target * (delay_ms + 1) / 1000))
    store = Store(kind, pg_base, "e2e")
    # The drain's workers: the default (2 x cores, 4 here) cannot run half the
    # ingest maximum (each worker waits for a commit at every write), and the
    # figure would be the length of a queue rather than a latency.
    server = Server(store, workers=workers)
    try:
        automation = server.create_automation()
        calibration = wrk(automation["url"], connections, max(2, CONFIG.seconds // 3), automation["signature"],
                          "cal", delay_ms=delay_ms)
        if calibration["rps"] > 0:
            connections = max(1, min(2048, round(connections * target / calibration["rps"])))
        log(f"[{kind}] end to end, {workers} workers: {target:.0f}/s target (half of {ingest_max:.0f}/s): calibration gave "
            f"{calibration['rps']:.0f}/s, so {connections} connections × 1 request per {delay_ms} ms + response time")
        try:
            wait_until(lambda: store.query("SELECT count(*) FROM executions WHERE status IN ('pending','processing')")[0] == 0,
                       60, 0.5, "the calibration executions to finish")
        except BenchError:
            log("  (the calibration executions were still queued after 60 s; measuring anyway)")
        result = wrk(automation["url"], connections, CONFIG.seconds, automation["signature"], "e2e", delay_ms=delay_ms)
        backlog_at_end = store.query("SELECT count(*) FROM executions WHERE status IN ('pending','processing')")[0]
        wait_until(lambda: store.query("SELECT count(*) FROM executions WHERE status IN ('pending','processing')")[0] == 0,
                   max(300, backlog_at_end / 50), 0.5, "the end-to-end executions to finish")
        peak = server.peak_rss_kb()
    finally:
        server.stop()
    latencies = sorted(store.column(
        "SELECT finished_at - received_at FROM executions WHERE status = 'completed' AND idempotency_key LIKE 'e2e-%'"))
    bad = store.query("SELECT count(*) FROM executions WHERE status <> 'completed' AND idempotency_key LIKE 'e2e-%'")[0]
    store.drop()
    if not latencies:
        raise BenchError("no end-to-end execution completed")
    figure = {
        "target_per_second": round(target, 1), "connections": connections, "delay_ms": delay_ms, "workers": workers,
        "achieved_per_second": result["rps"], "ingest_p50_ms": result["p50_ms"], "ingest_p99_ms": result["p99_ms"],
        "errors": result["errors"], "executions": len(latencies), "not_completed": bad,
        "queued_when_load_stopped": backlog_at_end,
        "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99), "max_ms": latencies[-1],
        "peak_rss_mb": round((peak or 0) / 1024, 1),
    }
    log(f"  {result['rps']:.0f}/s achieved; 202 → completed p50 {figure['p50_ms']} ms, p99 {figure['p99_ms']} ms "
        f"({len(latencies)} executions, {backlog_at_end} still queued when the load stopped)")
    return figure


# Targets of the sustained end-to-end figure (issue #23), and where its search starts.
SUSTAINED_TARGET = {"sqlite": 4000, "postgres": 1500}


def cpu_seconds(pid):
    """User + system CPU time of a process so far, from /proc/<pid>/stat."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def sustained_probe(kind, pg_base, rate, seconds, workers, number):
    """One probe of the sustained figure: a fresh store and server (the
    end-to-end figure's configuration), `rate` requests/s offered at a
    constant rate for `seconds`, then received -> finished of every
    execution the probe sent, read from the store."""
    store = Store(kind, pg_base, f"sustained{number}")
    server = Server(store, workers=workers, name=f"sustained{number}")
    threads = CONFIG.wrk_threads
    # Enough connections that one is idle at each send time: about 50 ms of
    # arrivals (a durable 202 takes a few ms); more than a wrk thread's share
    # of the load would only add idle sockets.
    connections = min(1024, max(32, math.ceil(rate / 20 / threads) * threads))
    pending_sql = "SELECT count(*) FROM executions WHERE status IN ('pending','processing')"
    poll = 0.25 if kind == "sqlite" else 0.5
    prefix = f"sus{number}"
    try:
        automation = server.create_automation()
        if CONFIG.warmup:
            wrk(automation["url"], connections, CONFIG.warmup, automation["signature"], f"warm{number}", rate=rate)
            try:
                # A rate whose warm-up takes more than 10 s to drain is far beyond
                # what the node carries: the probe will fail; do not wait longer.
                wait_until(lambda: store.query(pending_sql)[0] == 0, 10, poll, "the warm-up executions to finish")
            except BenchError:
                log("  (the warm-up executions were still queued after 10 s; measuring anyway)")
        cpu_before = cpu_seconds(server.pid)
        result = wrk(automation["url"], connections, seconds, automation["signature"], prefix, rate=rate)
        queued_at_end = store.query(pending_sql)[0]
        # Bounded: an execution still queued this long after the load stopped
        # is far past 1 s anyway, and counts as such below.
        waited = time.time()
        try:
            wait_until(lambda: store.query(pending_sql)[0] == 0, CONFIG.sustained_wait, poll,
                       "the probe's executions to finish")
        except BenchError:
            pass
        waited = time.time() - waited
        cpu_after = cpu_seconds(server.pid)
        peak = server.peak_rss_kb()
    finally:
        server.stop()
    latencies = sorted(store.column(
        f"SELECT finished_at - received_at FROM executions WHERE status = 'completed' AND idempotency_key LIKE '{prefix}-%'"))
    unfinished, failed = store.query(
        f"SELECT count(*) FILTER (WHERE status IN ('pending','processing')), "
        f"count(*) FILTER (WHERE status NOT IN ('pending','processing','completed')) "
        f"FROM executions WHERE idempotency_key LIKE '{prefix}-%'"
        if kind == "postgres" else
        f"SELECT coalesce(sum(status IN ('pending','processing')), 0), "
        f"coalesce(sum(status NOT IN ('pending','processing','completed')), 0) "
        f"FROM executions WHERE idempotency_key LIKE '{prefix}-%'")
    store.drop()
    stored = len(latencies) + unfinished + failed
    if stored < result["accepted"]:
        raise BenchError(f"wrk saw {result['accepted']} accepted webhooks but the store holds {stored}")
    # An unfinished execution is later than any finished one: it sorts last.
    everything = latencies + [math.inf] * unfinished
    p50, p99 = percentile(everything, 50), percentile(everything, 99)
    achieved = result["rps"]
    checks = {
        "p99_within_1s": p99 is not None and p99 <= 1000,
        "rate_held": achieved >= 0.95 * rate,
        "nothing_failed": result["errors"] == 0 and failed == 0,
        # In a steady state the queue holds what arrived in the last mean
        # latency (< 1 s); more than one second of arrivals is a queue growing.
        "queue_bounded": queued_at_end <= rate,
        # Sends more than 100 ms behind their schedule are load the server
        # did not see when it should have (no idle connection, or wrk starved).
        "schedule_held": result.get("late", 0) <= 0.01 * max(1, result["requests"]),
    }
    cpu = (cpu_after - cpu_before) if cpu_before is not None and cpu_after is not None else None
    probe = {
        "offered_per_second": rate, "achieved_per_second": achieved, "seconds": seconds,
        "connections": connections, "threads": threads, "passed": all(checks.values()), "checks": checks,
        "executions": stored, "completed": len(latencies), "unfinished": unfinished, "failed": failed,
        "errors": result["errors"], "late_sends": result.get("late", 0), "queued_when_load_stopped": queued_at_end,
        "waited_after_load_s": round(waited, 1),
        "p50_ms": None if p50 in (None, math.inf) else p50, "p99_ms": None if p99 in (None, math.inf) else p99,
        "max_ms": latencies[-1] if latencies and not unfinished else None,
        "ingest_p50_ms": result["p50_ms"], "ingest_p99_ms": result["p99_ms"],
        "cpu_us_per_execution": round(cpu * 1e6 / stored) if cpu is not None and stored else None,
        "peak_rss_mb": round((peak or 0) / 1024, 1),
    }
    failing = [name for name, ok in checks.items() if not ok]
    def shown(value):
        # None: at that rank an execution was still unfinished when the wait ended.
        return f"{value} ms" if value is not None else f"> {waited:.0f} s after the load (unfinished)"
    log(f"  {rate:>6.0f}/s offered: {achieved:.0f}/s achieved, received -> finished p50 {shown(probe['p50_ms'])}, "
        f"p99 {shown(probe['p99_ms'])}, "
        f"{queued_at_end} queued at the end, {unfinished} unfinished, {failed} failed, {result['errors']} errors, "
        f"{probe['late_sends']} late sends, {probe['cpu_us_per_execution']} µs CPU/execution, "
        f"RSS {probe['peak_rss_mb']} MB: " + ("passed" if not failing else "failed (" + ", ".join(failing) + ")"))
    return probe


def phase_sustained(kind, pg_base, workers):
    """The highest constant offered rate at which received -> finished p99
    stays <= 1 s, searched with a bounded number of probes: from the start
    rate up by half again while probes pass, down by half while they fail,
    then bisecting between the highest pass and the lowest fail until they
    are within 10 % of each other (or the probes run out)."""
    target = SUSTAINED_TARGET[kind]
    rate = CONFIG.sustained_start or (target if not CONFIG.smoke else target / 4)
    seconds, budget = CONFIG.sustained_seconds, CONFIG.sustained_probes
    log(f"[{kind}] sustained end to end, {workers} workers: {seconds} s probes at a constant rate, from {rate:.0f}/s, "
        f"at most {budget} probes")

    def rounded(value):
        return max(50, int(round(value / 50.0)) * 50)

    rate = rounded(rate)
    probes, passed, failed = [], None, None
    while len(probes) < budget:
        probe = sustained_probe(kind, pg_base, rate, seconds, workers, len(probes) + 1)
        probes.append(probe)
        if probe["passed"]:
            passed = rate if passed is None else max(passed, rate)
        else:
            failed = rate if failed is None else min(failed, rate)
        if passed is not None and failed is not None:
            if failed <= passed * 1.1:
                break
            following = rounded((passed + failed) / 2)
        elif passed is not None:
            following = rounded(passed * 1.5)
        else:
            following = rounded(failed / 2)
        if following in (p["offered_per_second"] for p in probes):
            break
        rate = following
    best = next((p for p in probes if p["offered_per_second"] == passed), None)
    if passed is not None and failed is not None:
        resolution = f"passes at {passed:,}/s, fails at {failed:,}/s"
    elif passed is not None:
        resolution = f"passes at {passed:,}/s; no higher rate tried failed"
    else:
        resolution = f"no rate passed, down to {failed:,}/s"
    log(f"  sustained: {resolution} ({len(probes)} probes)")
    return {
        "target_per_second": target, "seconds": seconds, "workers": workers,
        "highest_passing_per_second": passed, "lowest_failing_per_second": failed, "resolution": resolution,
        "best": best, "probes": probes,
        # Every probe's server counts (a failing probe's too).
        "peak_rss_mb": max(p["peak_rss_mb"] for p in probes),
    }


class IsolationReceiver(http.server.BaseHTTPRequestHandler):
    """A receiver for the isolation figure: answers after `delay` seconds, and
    counts each delivery by its Idempotency-Key (a key seen twice is a step
    that ran twice)."""
    protocol_version = "HTTP/1.1"
    delay = 0.0
    counts = None
    lock = None

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        key = self.headers.get("Idempotency-Key", "")
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + 1
        if self.delay:
            time.sleep(self.delay)
        body = b'{"ok":true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def start_isolation_receiver(delay):
    handler = type("Receiver", (IsolationReceiver,), {"delay": delay, "counts": {}, "lock": threading.Lock()})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.request_queue_size = 4096
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, handler


def post_webhook(url, body, key):
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json", "X-Idempotency-Key": key})
    with urllib.request.urlopen(request, timeout=30) as response:
        if response.status != 202:
            raise BenchError(f"webhook answered {response.status}")
        return json.load(response)["execution_id"]


def phase_isolation(kind, pg_base, dead_count, slow_count, healthy_count, healthy_rate):
    """The healthy automation's received -> finished latency while
    `dead_count` executions target a refusing port and `slow_count` a
    receiver that answers after 8 s, on one node with the default
    configuration (only loopback allowed for the receivers). Also: how fast a
    refused connection fails its attempt, and that nothing was lost or ran twice."""
    store = Store(kind, pg_base, "isolation")
    store.env["VOXWORKS_OUTBOUND_ALLOW"] = "127.0.0.1"
    healthy_server, healthy = start_isolation_receiver(0)
    slow_server, slow = start_isolation_receiver(8)
    refusing_port = free_port()  # nothing listens there
    server = Server(store)
    try:
        def create(name, url):
            request = urllib.request.Request(
                f"{server.base}/api/v1/automations", method="POST",
                data=json.dumps({"name": name, "webhook": {"rate_limit": {"per_second": 100000, "burst": 1000000}},
                                 "definition": {"trigger": {"type": "webhook"}, "steps": [
                                     {"id": "deliver", "type": "http_request", "url": url, "body": {"n": "{{trigger.n}}"}}]}}).encode(),
                headers={"Authorization": f"Bearer {store.key}", "Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=30) as response:
                automation = json.load(response)["automation"]
            return automation["id"], automation["webhook"]["url"]

        dead_id, dead_url = create("dead", f"http://127.0.0.1:{refusing_port}/crm")
        slow_id, slow_url = create("slow", f"http://127.0.0.1:{slow_server.server_address[1]}/crm")
        healthy_id, healthy_url = create("healthy", f"http://127.0.0.1:{healthy_server.server_address[1]}/crm")
        started = time.time()
        with concurrent.futures.ThreadPoolExecutor(32) as pool:
            list(pool.map(lambda n: post_webhook(dead_url, json.dumps({"n": n}).encode(), f"dead-{n}"), range(dead_count)))
            list(pool.map(lambda n: post_webhook(slow_url, json.dumps({"n": n}).encode(), f"slow-{n}"), range(slow_count)))
        log(f"[{kind}] isolation: queued {dead_count} to a refusing port and {slow_count} to an 8 s receiver "
            f"in {time.time() - started:.1f} s; now {healthy_count} healthy at {healthy_rate}/s")
        healthy_ids = []
        next_at = time.time()
        for n in range(healthy_count):
            next_at += 1 / healthy_rate
            healthy_ids.append(post_webhook(healthy_url, json.dumps({"n": n}).encode(), f"healthy-{n}"))
            time.sleep(max(0, next_at - time.time()))
        try:
            wait_until(lambda: store.query(
                f"SELECT count(*) FROM executions WHERE automation_id = '{healthy_id}' AND status = 'completed'")[0] >= healthy_count,
                120, 0.2, "the healthy executions to complete")
        except BenchError:
            log("  (not every healthy execution completed within 120 s of the last one)")
        peak = server.peak_rss_kb()
        in_flight_dead = store.query(f"SELECT count(*) FROM executions WHERE automation_id = '{dead_id}'")[0]
        in_flight_slow = store.query(f"SELECT count(*) FROM executions WHERE automation_id = '{slow_id}'")[0]
    finally:
        server.stop()
        healthy_server.shutdown()
        slow_server.shutdown()
    latencies = sorted(store.column(
        f"SELECT finished_at - received_at FROM executions WHERE automation_id = '{healthy_id}' AND status = 'completed'"))
    # Every attempt of the dead automation's step, from the step's attempt log.
    if kind == "sqlite":
        attempts_sql = ("SELECT {} FROM execution_steps s JOIN executions e ON e.id = s.execution_id, "
                        "json_each(s.attempt_log, '$.attempts') a WHERE e.automation_id = '" + dead_id + "' {}")
        duration, outcome = "json_extract(a.value, '$.duration_ms')", "json_extract(a.value, '$.outcome')"
    else:
        attempts_sql = ("SELECT {} FROM execution_steps s JOIN executions e ON e.id = s.execution_id, "
                        "jsonb_array_elements(s.attempt_log::jsonb -> 'attempts') a WHERE e.automation_id = '" + dead_id + "' {}")
        duration, outcome = "(a ->> 'duration_ms')::bigint", "a ->> 'outcome'"
    refused = sorted(store.column(attempts_sql.format(duration, f"AND {outcome} = 'refused'")))
    all_attempts = store.column(attempts_sql.format("count(*)", ""))[0]
    outcomes = {"refused": len(refused), "other": all_attempts - len(refused)}
    store.drop()
    healthy_twice = sum(1 for count in healthy.counts.values() if count > 1)
    slow_twice = sum(1 for count in slow.counts.values() if count > 1)
    figure = {
        "dead": dead_count, "slow": slow_count, "healthy": healthy_count, "healthy_rate_per_second": healthy_rate,
        "stored": {"dead": in_flight_dead, "slow": in_flight_slow},
        "healthy_completed": len(latencies), "healthy_delivered": len(healthy.counts),
        "p50_ms": percentile(latencies, 50) if latencies else None,
        "p99_ms": percentile(latencies, 99) if latencies else None,
        "max_ms": latencies[-1] if latencies else None,
        "refused_attempts": len(refused), "dead_attempt_outcomes": outcomes,
        "refused_p50_ms": percentile(refused, 50) if refused else None,
        "refused_max_ms": refused[-1] if refused else None,
        "run_twice": {"healthy": healthy_twice, "slow": slow_twice},
        "slow_delivered": len(slow.counts),
        "peak_rss_mb": round((peak or 0) / 1024, 1),
    }
    log(f"  healthy received -> finished p50 {figure['p50_ms']} ms, p99 {figure['p99_ms']} ms "
        f"({len(latencies)}/{healthy_count} completed); refused attempt p50 {figure['refused_p50_ms']} ms "
        f"over {len(refused)} attempts ({outcomes}); run twice: {healthy_twice} healthy, {slow_twice} slow")
    return figure


def fill_backlog(store, automation_id, count):
    """Inserts `count` pending executions straight into the stopped server's store."""
    now = int(time.time() * 1000) - 3_600_000  # an hour old: queued before anything the benchmark sends
    if store.kind == "sqlite":
        connection = sqlite3.connect(store.path, timeout=60)
        try:
            team, webhook = connection.execute(
                "SELECT a.team_id, w.id FROM automations a JOIN webhooks w ON w.automation_id = a.id WHERE a.id = ?",
                (automation_id,)).fetchone()
            rows = ((f"{(now >> 16) & 0xffffffff:08x}-{now & 0xffff:04x}-7000-8000-{i:012x}", team, automation_id, webhook,
                     BODY, "application/json", now, now) for i in range(count))
            with connection:
                # The triggers keep teams.pending_count, as for a normal insert.
                connection.executemany(
                    "INSERT INTO executions (id, team_id, automation_id, webhook_id, status, body, content_type, received_at, run_at) "
                    "VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?)", rows)
            pending = connection.execute("SELECT pending_count FROM teams WHERE id = ?", (team,)).fetchone()[0]
        finally:
            connection.close()
        return pending
    s = store.schema
    prefix = f"{(now >> 16) & 0xffffffff:08x}-{now & 0xffff:04x}-7000-8000-"
    psql(store.pg_base, f"""
        SET search_path = {s};
        BEGIN;
        -- One statement: the backlog counter's trigger runs once for it.
        INSERT INTO executions (id, team_id, automation_id, webhook_id, status, body, content_type, received_at, run_at)
          SELECT '{prefix}' || lpad(to_hex(g), 12, '0'), a.team_id, a.id, w.id, 'pending', '\\x{BODY.hex()}'::bytea,
                 'application/json', {now}, {now}
          FROM automations a JOIN webhooks w ON w.automation_id = a.id, generate_series(0, {count - 1}) g
          WHERE a.id = '{automation_id}';
        COMMIT;
        """, timeout=1800)
    return int(psql(store.pg_base, f"SELECT COALESCE(SUM(p.count), 0) FROM {s}.team_pending_slots p "
                                   f"JOIN {s}.automations a ON a.team_id = p.team_id WHERE a.id = '{automation_id}'"))


def settle(store, vacuum):
    """Writes out what earlier work left dirty before a figure is measured, so
    that the figure is the store's and not the flush of what came before it.
    PostgreSQL: a checkpoint, and after the bulk load a VACUUM (it sets the
    hint bits and the visibility map that autovacuum would otherwise set on
    the million new rows: a monitored run had autovacuum and the
    checkpointer working inside the measured 30 s). SQLite: the WAL is
    copied into the database file."""
    if store.kind == "sqlite":
        connection = sqlite3.connect(store.path, timeout=60)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        finally:
            connection.close()
        return
    if vacuum:
        psql(store.pg_base, f"VACUUM (ANALYZE) {store.schema}.executions", timeout=1800)
    # Needs a superuser (or pg_checkpoint): true of the throwaway server, maybe not of a server given by URL.
    code, _, err = run(["psql", store.pg_base, "-qAtX", "-c", "CHECKPOINT"], timeout=1800)
    if code != 0:
        log(f"  no checkpoint before the figure: {err.strip()}")


def phase_backlog(kind, pg_base, count, connections=128):
    """Ingest on an empty store against a store holding `count` pending
    executions, measured in alternating rounds (empty then full, full then
    empty, …) and compared by their medians: one figure of each, taken a
    minute apart, moved by more than the 15 % band in both directions on
    this shared machine. Every empty round is a new store, so that it stays empty; the
    full store keeps its backlog (and what each round adds to it)."""
    rounds = CONFIG.backlog_rounds
    log(f"[{kind}] backlog: {connections} connections, {rounds} round(s) of an empty store and of one with {count} pending executions")
    full_store = Store(kind, pg_base, "backlog")
    server = Server(full_store)
    try:
        automation = server.create_automation()
    finally:
        server.stop()
    began = time.time()
    pending = fill_backlog(full_store, automation["id"], count)
    fill_seconds = time.time() - began
    log(f"  filled {count} pending executions in {fill_seconds:.1f} s (team pending_count now {pending})")
    settle(full_store, vacuum=True)
    empties, fulls, pending_after = [], [], []

    def measure_empty(round_number):
        empty_store = Store(kind, pg_base, "backlog_empty")
        server = Server(empty_store, name="server-empty")
        try:
            empty_automation = server.create_automation()
            if kind == "postgres":
                settle(empty_store, vacuum=False)
            warm_up(empty_automation, CONFIG.warmup)
            empties.append(measure_ingest(server, empty_automation, connections, CONFIG.seconds, f"empty{round_number}"))
        finally:
            server.stop()
            empty_store.drop()

    def measure_full(round_number):
        if kind == "postgres":
            settle(full_store, vacuum=False)
        server = Server(full_store, name="server-backlog")
        try:
            warm_up(automation, CONFIG.warmup)
            fulls.append(measure_ingest(server, automation, connections, CONFIG.seconds, f"backlog{round_number}"))
            pending_after.append(full_store.query(PENDING_SQL[full_store.kind])[0])
        finally:
            server.stop()

    try:
        for round_number in range(1, rounds + 1):
            # Which side goes first alternates too: a machine that slows (or
            # speeds up) through the phase must not always favour one side.
            order = (measure_empty, measure_full) if round_number % 2 else (measure_full, measure_empty)
            for measure in order:
                measure(round_number)
    finally:
        full_store.drop()

    def median(samples):
        """The middle figure (the lower of the two middle ones for an even count)."""
        return sorted(samples, key=lambda r: r["rps"])[(len(samples) - 1) // 2]
    empty, full = median(empties), median(fulls)
    ratio = full["rps"] / empty["rps"] if empty["rps"] else None
    log(f"  backlog/empty = {ratio:.3f} (medians; empty {[round(r['rps']) for r in empties]}, "
        f"backlog {[round(r['rps']) for r in fulls]})")
    return {"pending": count, "connections": connections, "fill_seconds": round(fill_seconds, 1), "rounds": rounds,
            "pending_when_measured": pending_after[-1], "pending_after_each_round": pending_after,
            "empty": empty, "with_backlog": full,
            "empty_rounds": [r["rps"] for r in empties], "backlog_rounds": [r["rps"] for r in fulls],
            "peak_rss_mb": max(r["peak_rss_mb"] for r in empties + fulls),
            "ratio": round(ratio, 3) if ratio else None}


# ---------------------------------------------------------------- machine, table, targets

def machine(pg_base):
    def first_line(args):
        try:
            out = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60).stdout
            return out.strip().splitlines()[0] if out.strip() else None
        except (OSError, subprocess.TimeoutExpired):
            return None
    cpu = None
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = None
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                memory = round(int(line.split()[1]) / 1024 / 1024, 1)
    details = {
        "nproc": int(subprocess.run(["nproc"], stdout=subprocess.PIPE, text=True).stdout),
        "memory_gib": memory, "kernel": platform.release(), "cpu": cpu,
        "swift": first_line(["swift", "--version"]),
        "wrk": first_line([WRK, "--version"]), "nginx": first_line([NGINX, "-v"]),
        "postgresql": None, "sqlite": sqlite3.sqlite_version,
    }
    if pg_base:
        details["postgresql"] = psql(pg_base, "SHOW server_version")
    return details


def binary_identity(path, asks_version):
    """Which binary is measured (benchmarks/run may be handed an old build for
    an A/B): its path, sha256 and modification time, and its `--version`
    output when asks_version and it answers one (older builds may not: an
    unknown flag exits non-zero, and anything longer than 10 s is stopped)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    version = None
    if asks_version:
        try:
            code, out, _ = run([path, "--version"], timeout=10)
            line = out.strip().splitlines()[0] if out.strip() else ""
            if code == 0 and line and len(line) < 80:
                version = line
        except (BenchError, OSError):
            pass
    modified = datetime.datetime.fromtimestamp(os.path.getmtime(path), datetime.timezone.utc)
    return {"path": path, "version": version, "sha256": digest.hexdigest(),
            "modified": modified.strftime("%Y-%m-%d %H:%M UTC")}


def describe_binary(identity):
    return (f"{identity['path']} (" + (f"version {identity['version']}, " if identity["version"] else "no --version, ")
            + f"sha256 {identity['sha256'][:12]}, modified {identity['modified']})")


def fmt(value, digits=0):
    if value is None:
        return "-"
    if isinstance(value, float) or digits:
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def evaluate(results):
    targets = []

    def target(name, measured, met, detail):
        targets.append({"target": name, "measured": measured, "met": bool(met), "detail": detail})

    nginx = results.get("nginx", {})
    sqlite = results.get("sqlite", {})
    postgres = results.get("postgres", {})
    if sqlite.get("ingest") and "128" in nginx:
        r = sqlite["ingest"]["by_connections"]["128"]
        ratio = r["rps"] / nginx["128"]["rps"]
        ok = ratio >= 0.35 and r["p99_ms"] <= 25 and r["errors"] == 0
        ratio_note = "met" if ratio >= 0.35 else "%.0f %% of the 0.35 target" % (ratio / 0.35 * 100)
        p99_note = "met" if r["p99_ms"] <= 25 else "%.2f ms over" % (r["p99_ms"] - 25)
        floor = results.get("http_floor", {}).get("128")
        floor_note = ("; Hummingbird alone (static 202): %s/s = %.3f x nginx, ingest = %.3f x that"
                      % (fmt(floor["rps"]), floor["rps"] / nginx["128"]["rps"], r["rps"] / floor["rps"])) if floor else ""
        target("SQLite ingest at 128 connections >= 0.35 x nginx, p99 <= 25 ms, no errors",
               {"ratio": round(ratio, 3), "p99_ms": r["p99_ms"], "errors": r["errors"],
                "framework_ratio": round(floor["rps"] / nginx["128"]["rps"], 3) if floor else None}, ok,
               "%.3f x nginx (%s vs %s/s; %s), p99 %.2f ms (%s), %d errors%s"
               % (ratio, fmt(r["rps"]), fmt(nginx["128"]["rps"]), ratio_note, r["p99_ms"], p99_note, r["errors"], floor_note))
    # Issue #23's targets, beside the earlier ones: ratios to floors measured in the same run.
    floor128 = results.get("http_floor", {}).get("128")
    if sqlite.get("ingest") and floor128 and "128" in sqlite["ingest"]["by_connections"]:
        r = sqlite["ingest"]["by_connections"]["128"]
        ratio = r["rps"] / floor128["rps"]
        target("SQLite ingest at 128 connections >= 0.5 x Hummingbird static 202 in the same run, p99 <= 20 ms",
               {"ratio": round(ratio, 3), "p99_ms": r["p99_ms"]}, ratio >= 0.5 and r["p99_ms"] <= 20,
               "%.3f x Hummingbird (%s vs %s/s; %s), p99 %.2f ms (%s)"
               % (ratio, fmt(r["rps"]), fmt(floor128["rps"]),
                  "met" if ratio >= 0.5 else "%.0f %% of the target" % (ratio / 0.5 * 100), r["p99_ms"],
                  "met" if r["p99_ms"] <= 20 else "%.2f ms over" % (r["p99_ms"] - 20)))
    if postgres.get("ingest") and postgres.get("pgbench") and "64" in postgres["ingest"]["by_connections"]:
        r = postgres["ingest"]["by_connections"]["64"]
        ratio = r["rps"] / postgres["pgbench"]["tps"]
        target("PostgreSQL ingest at 64 connections >= 0.5 x pgbench one-row insert tps at 64 clients, p99 <= 30 ms",
               {"ratio": round(ratio, 3), "p99_ms": r["p99_ms"]}, ratio >= 0.5 and r["p99_ms"] <= 30,
               "%.3f x pgbench (%s/s vs %s tps; %s), p99 %.2f ms (%s)"
               % (ratio, fmt(r["rps"]), fmt(postgres["pgbench"]["tps"]),
                  "met" if ratio >= 0.5 else "%.0f %% of the target" % (ratio / 0.5 * 100), r["p99_ms"],
                  "met" if r["p99_ms"] <= 30 else "%.2f ms over" % (r["p99_ms"] - 30)))
    if postgres.get("drain"):
        rate = postgres["drain"]["per_second"] or 0
        sqlite_rate = (sqlite.get("drain") or {}).get("per_second")
        ratio = rate / sqlite_rate if sqlite_rate else None
        target("PostgreSQL drain >= 3,000 executions/s and >= 0.5 x the SQLite drain in the same run",
               {"per_second": postgres["drain"]["per_second"], "ratio_to_sqlite": round(ratio, 3) if ratio else None},
               rate >= 3000 and ratio is not None and ratio >= 0.5,
               "%s/s (%s), %s" % (fmt(rate), "met" if rate >= 3000 else "%.0f %% of 3,000" % (rate / 30),
                                  "%.3f x SQLite's %s/s" % (ratio, fmt(sqlite_rate)) if ratio else "no SQLite drain measured"))
    if postgres.get("ingest") and postgres.get("pgbench") and "64" in postgres["ingest"]["by_connections"]:
        r = postgres["ingest"]["by_connections"]["64"]
        ratio = r["rps"] / postgres["pgbench"]["tps"]
        note = "" if ratio >= 1.5 else "; %.0f %% of the target" % (ratio / 1.5 * 100)
        target("PostgreSQL ingest at 64 connections >= 1.5 x pgbench one-row insert tps at 64 clients",
               {"ratio": round(ratio, 3)}, ratio >= 1.5,
               "%.3f x pgbench (%s/s vs %s tps%s)" % (ratio, fmt(r["rps"]), fmt(postgres["pgbench"]["tps"]), note))
    if sqlite.get("drain"):
        d = sqlite["drain"]
        rate = d["per_second"] or 0
        note = "" if rate >= 5000 else "; %.0f %% of the target" % (rate / 50)
        target("Drain >= 5,000 executions/s on SQLite (transform + condition + upsert_contact)",
               {"per_second": d["per_second"]}, rate >= 5000,
               "%s/s over %s executions%s" % (fmt(rate), fmt(d["executions"]), note))
    for kind, data in (("SQLite", sqlite), ("PostgreSQL", postgres)):
        s = data.get("sustained")
        if s:
            rate = s["highest_passing_per_second"] or 0
            goal = s["target_per_second"]
            best = s["best"]
            target(f"{kind} sustained end to end >= {goal:,}/s with received -> finished p99 <= 1 s for {s['seconds']} s",
                   {"per_second": s["highest_passing_per_second"], "p99_ms": best["p99_ms"] if best else None},
                   rate >= goal,
                   (f"{rate:,}/s (p50 {best['p50_ms']} ms, p99 {best['p99_ms']} ms)" if best else "no probe passed")
                   + f"; {s['resolution']}" + ("" if rate >= goal else f"; {rate / goal * 100:.0f} % of the target"))
    for kind, data in (("SQLite", sqlite), ("PostgreSQL", postgres)):
        if data.get("backlog"):
            b = data["backlog"]
            ratio = b["ratio"] or 0
            target(f"{kind} backlog: ingest with >= {b['pending']:,} pending within 15 % of the empty store",
                   {"ratio": b["ratio"], "pending": b["pending"]}, ratio >= 0.85,
                   f"{b['with_backlog']['rps']:,.0f} vs {b['empty']['rps']:,.0f}/s = {ratio:.3f} x empty "
                   f"({(ratio - 1) * 100:+.1f} %; medians of {b.get('rounds', 1)} round(s))" + (" [reduced backlog, not 1,000,000]" if b["pending"] < 1_000_000 else ""))
    for kind, data in (("SQLite", sqlite), ("PostgreSQL", postgres)):
        i = data.get("isolation")
        if i:
            complete = i["healthy_completed"] == i["healthy"]
            ok = complete and i["p50_ms"] is not None and i["p50_ms"] <= 200 and i["p99_ms"] <= 1000
            target(f"{kind} isolation: healthy automation p50 <= 200 ms, p99 <= 1 s with {i['dead']:,} dead and "
                   f"{i['slow']:,} slow executions queued",
                   {"p50_ms": i["p50_ms"], "p99_ms": i["p99_ms"], "completed": i["healthy_completed"]}, ok,
                   f"p50 {i['p50_ms']} ms, p99 {i['p99_ms']} ms, {i['healthy_completed']}/{i['healthy']} completed")
            refused_ok = i["refused_p50_ms"] is not None and i["refused_p50_ms"] < 100
            target(f"{kind} isolation: a refused connection fails its attempt in < 100 ms (median)",
                   {"refused_p50_ms": i["refused_p50_ms"]}, refused_ok,
                   f"median {i['refused_p50_ms']} ms, max {i['refused_max_ms']} ms over {i['refused_attempts']} refused attempts")
            twice = i["run_twice"]["healthy"] + i["run_twice"]["slow"]
            lost = i["stored"]["dead"] != i["dead"] or i["stored"]["slow"] != i["slow"]
            target(f"{kind} isolation: nothing lost, nothing run twice", {"run_twice": i["run_twice"], "stored": i["stored"]},
                   twice == 0 and not lost and i["healthy_delivered"] == i["healthy"],
                   f"{i['stored']['dead']}/{i['dead']} dead and {i['stored']['slow']}/{i['slow']} slow stored, "
                   f"{i['healthy_delivered']}/{i['healthy']} healthy delivered, {twice} key(s) delivered twice")
    for kind, data in (("SQLite", sqlite), ("PostgreSQL", postgres)):
        # Every server the harness started on this store, figure by figure (VmHWM).
        peaks = {name: data[key]["peak_rss_mb"] for name, key in (
            ("ingest", "ingest"), ("drain", "drain"), ("end to end", "end_to_end"), ("sustained", "sustained"),
            ("backlog", "backlog"), ("isolation", "isolation")) if data.get(key) and data[key].get("peak_rss_mb") is not None}
        if peaks:
            worst = max(peaks, key=peaks.get)
            target(f"{kind} peak RSS <= 100 MB in every figure",
                   {"peak_rss_mb": peaks}, peaks[worst] <= 100,
                   f"max {peaks[worst]:.1f} MB ({worst}); " + ", ".join(f"{n} {v:.1f}" for n, v in peaks.items()))
    for kind, data in (("SQLite", sqlite), ("PostgreSQL", postgres)):
        if data.get("ingest"):
            peak = max([data["ingest"]["peak_rss_mb"]] + ([data["backlog"].get("peak_rss_mb", data["backlog"]["with_backlog"]["peak_rss_mb"])] if data.get("backlog") else []))
            target(f"{kind} peak RSS during the ingest benchmark <= 150 MB", {"peak_rss_mb": peak}, peak <= 150,
                   f"{peak:.1f} MB" + ("" if peak <= 150 else f" ({peak - 150:.1f} MB over)"))
    return targets


def table(report):
    m = report["machine"]
    lines = []
    lines.append(f"Voxworks benchmarks, {report['mode']} mode, {report['date']}")
    lines.append(f"command: {report['command']}")
    if report.get("binaries"):
        lines.append(f"server binary: {describe_binary(report['binaries']['server'])}")
        lines.append(f"framework reference binary: {describe_binary(report['binaries']['framework_reference'])}")
    lines.append(f"machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory_gib']} GiB, Linux {m['kernel']}, "
                 f"{m['swift']}, PostgreSQL {m['postgresql'] or 'not measured'}, SQLite {m['sqlite']}, {m['nginx']}")
    lines.append(f"each figure: {report['config']['seconds']} s of wrk ({report['config']['wrk_threads']} threads, "
                 f"timeout {report['config']['wrk_timeout']} s) after a {report['config']['warmup']} s warm-up; loopback; "
                 f"sustained: {report['config']['sustained_seconds']} s probes at a constant rate, "
                 f"at most {report['config']['sustained_probes']} per store")
    lines.append("")
    header = f"| {'figure':<34} | {'store':<10} | {'conns':>5} | {'req/s':>9} | {'p50 ms':>7} | {'p99 ms':>7} | {'p99.9 ms':>8} | {'errors':>6} | {'RSS MB':>6} | {'ratio':<36} |"
    lines.append(header)
    lines.append("|" + "|".join("-" * (len(part)) for part in header.split("|")[1:-1]) + "|")

    def row(figure, store, conns, rps, p50, p99, p999, errors, rss, ratio):
        lines.append(f"| {figure:<34} | {store:<10} | {conns:>5} | {rps:>9} | {p50:>7} | {p99:>7} | {p999:>8} | {errors:>6} | {rss:>6} | {ratio:<36} |")

    nginx = report["results"].get("nginx", {})
    for c, r in nginx.items():
        row("reference: nginx static 202", "-", c, fmt(r["rps"]), fmt(r["p50_ms"], 2), fmt(r["p99_ms"], 2),
            fmt(r["p999_ms"], 2), fmt(r["errors"]), "-", "")
    floor = report["results"].get("http_floor", {})
    for c, r in floor.items():
        row("reference: Hummingbird static 202", "-", c, fmt(r["rps"]), fmt(r["p50_ms"], 2), fmt(r["p99_ms"], 2),
            fmt(r["p999_ms"], 2), fmt(r["errors"]), fmt(r["peak_rss_mb"], 1),
            f"{r['rps'] / nginx[c]['rps']:.3f} x nginx" if c in nginx else "")
    for kind in ("sqlite", "postgres"):
        data = report["results"].get(kind)
        if not data:
            continue
        for c, r in data.get("ingest", {}).get("by_connections", {}).items():
            ratio = f"{r['rps'] / nginx[c]['rps']:.3f} x nginx" if c in nginx else ""
            if c in floor:
                ratio += f", {r['rps'] / floor[c]['rps']:.2f} x Hummingbird"
            row("ingest, signed, unique keys", kind, c, fmt(r["rps"]), fmt(r["p50_ms"], 2), fmt(r["p99_ms"], 2),
                fmt(r["p999_ms"], 2), fmt(r["errors"]), fmt(r["peak_rss_mb"], 1), ratio)
        if data.get("pgbench"):
            p = data["pgbench"]
            ingest64 = data.get("ingest", {}).get("by_connections", {}).get("64")
            row("reference: pgbench 1-row insert", kind, "64", fmt(p["tps"]), "-", "-", "-", fmt(p["failed"]), "-",
                f"ingest {ingest64['rps'] / p['tps']:.3f} x pgbench" if ingest64 else "")
        if data.get("drain"):
            d = data["drain"]
            row(f"drain, {d['executions']:,} queued, {d['workers']} workers", kind, "-", fmt(d["per_second"]),
                "-", "-", "-", "-", fmt(d["peak_rss_mb"], 1),
                f"{d['seconds']} s" + ("" if d["complete"] else f", INCOMPLETE: {d['executions']:,}/{d['queued']:,}"))
        if data.get("end_to_end"):
            e = data["end_to_end"]
            row(f"end to end 202->completed @{e['target_per_second']:,.0f}/s", kind, fmt(e["connections"]),
                fmt(e["achieved_per_second"]), fmt(e["p50_ms"]), fmt(e["p99_ms"]), "-", fmt(e["errors"]),
                fmt(e["peak_rss_mb"], 1),
                (f"{e['workers']} workers, " if e.get("workers") else "")
                + f"{e['queued_when_load_stopped']:,}/{e['executions']:,} queued at end")
        if data.get("sustained"):
            s = data["sustained"]
            best = s["best"] or {}
            row(f"sustained end to end, p99 <= 1 s", kind, fmt(best.get("connections")),
                fmt(s["highest_passing_per_second"]), fmt(best.get("p50_ms")), fmt(best.get("p99_ms")), "-",
                fmt(best.get("errors")), fmt(best.get("peak_rss_mb"), 1),
                f"{s['seconds']} s, {len(s['probes'])} probes; "
                + (f"fails at {s['lowest_failing_per_second']:,}/s" if s["lowest_failing_per_second"] else "no fail")
                + (f"; {best['cpu_us_per_execution']} µs CPU/ex" if best.get("cpu_us_per_execution") else ""))
        if data.get("backlog"):
            b = data["backlog"]
            for label, r in (("backlog: empty store", b["empty"]), (f"backlog: >= {b['pending']:,} pending", b["with_backlog"])):
                row(label, kind, b["connections"], fmt(r["rps"]), fmt(r["p50_ms"], 2), fmt(r["p99_ms"], 2),
                    fmt(r["p999_ms"], 2), fmt(r["errors"]), fmt(r["peak_rss_mb"], 1),
                    f"{b['ratio']:.3f} x empty" if r is b["with_backlog"] else "")
        if data.get("isolation"):
            i = data["isolation"]
            row(f"isolation: healthy, {i['dead']:,} dead + {i['slow']:,} slow", kind, "-",
                f"{i['healthy_rate_per_second']}/s", fmt(i["p50_ms"]), fmt(i["p99_ms"]), "-", "-", fmt(i["peak_rss_mb"], 1),
                f"refused attempt p50 {i['refused_p50_ms']} ms")
    lines.append("")
    lines.append("targets:")
    for t in report["targets"]:
        lines.append(f"  [{'met' if t['met'] else 'NOT MET'}] {t['target']}: {t['detail']}")
    for kind, reason in report.get("skipped", {}).items():
        lines.append(f"  (not measured: {kind}: {reason})")
    return "\n".join(lines)


# ---------------------------------------------------------------- main

class Config:
    pass


CONFIG = Config()


def main():
    parser = argparse.ArgumentParser(description="Voxworks benchmarks (run through benchmarks/run)")
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--command", default="benchmarks/run")
    parser.add_argument("--output", default=None, help="default: results/latest.json (full), results/smoke.json (smoke)")
    parser.add_argument("--check-targets", action="store_true")
    args = parser.parse_args()

    env = os.environ
    smoke = args.smoke
    CONFIG.smoke = smoke
    # A smoke run's figures mean nothing: it never replaces the full run's file.
    args.output = args.output or os.path.join(ROOT, "benchmarks", "results", "smoke.json" if smoke else "latest.json")
    CONFIG.seconds = int(env.get("VOXWORKS_BENCH_SECONDS") or (3 if smoke else 30))
    CONFIG.warmup = int(env.get("VOXWORKS_BENCH_WARMUP_SECONDS") or (1 if smoke else 5))
    CONFIG.drain = int(env.get("VOXWORKS_BENCH_DRAIN") or (2_000 if smoke else 100_000))
    CONFIG.backlog = int(env.get("VOXWORKS_BENCH_BACKLOG") or (50_000 if smoke else 1_000_000))
    CONFIG.workers = int(env.get("VOXWORKS_BENCH_DRAIN_WORKERS") or 64)
    CONFIG.isolation = int(env.get("VOXWORKS_BENCH_ISOLATION") or (100 if smoke else 1_000))
    CONFIG.isolation_healthy = int(env.get("VOXWORKS_BENCH_ISOLATION_HEALTHY") or (20 if smoke else 300))
    CONFIG.backlog_rounds = max(1, int(env.get("VOXWORKS_BENCH_BACKLOG_ROUNDS") or (1 if smoke else 3)))
    CONFIG.wrk_threads = int(env.get("VOXWORKS_BENCH_WRK_THREADS") or max(2, (os.cpu_count() or 2) // 2))
    CONFIG.wrk_timeout = int(env.get("VOXWORKS_BENCH_WRK_TIMEOUT") or 5)
    CONFIG.sustained_seconds = int(env.get("VOXWORKS_BENCH_SUSTAINED_SECONDS") or (3 if smoke else 60))
    # 0 leaves the figure out (an A/B run against a build measured before it existed).
    CONFIG.sustained_probes = max(0, int(env.get("VOXWORKS_BENCH_SUSTAINED_PROBES") or (2 if smoke else 5)))
    CONFIG.sustained_start = float(env.get("VOXWORKS_BENCH_SUSTAINED_START") or 0)
    # How long a probe waits for its executions after the load stops.
    CONFIG.sustained_wait = 15 if smoke else 30
    stores = [s for s in (env.get("VOXWORKS_BENCH_STORES") or "sqlite,postgres").split(",") if s]
    pg_base = env.get("VOXWORKS_TEST_DATABASE_URL") or None
    skipped = {}
    if "postgres" in stores and not pg_base:
        stores.remove("postgres")
        skipped["postgres"] = "no PostgreSQL server (VOXWORKS_TEST_DATABASE_URL unset, no PostgreSQL binaries)"

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    for tool in (BIN, FLOOR, WRK, NGINX) + ((BIN_B,) if BIN_B else ()):
        if not os.access(tool, os.X_OK):
            raise BenchError(f"{tool} is missing (benchmarks/run builds and installs what is needed)")

    report = {
        "mode": "smoke" if smoke else "full",
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": args.command.strip(),
        "binary": BIN, "framework_reference_binary": FLOOR,
        # Given from outside (VOXWORKS_BENCH_BIN / _FLOOR_BIN) or just built: which build each figure measured.
        "binaries": {"server": binary_identity(BIN, True), "framework_reference": binary_identity(FLOOR, False)},
        "config": {"seconds": CONFIG.seconds, "warmup": CONFIG.warmup, "drain_executions": CONFIG.drain,
                   "backlog_pending": CONFIG.backlog, "backlog_rounds": CONFIG.backlog_rounds, "drain_workers": CONFIG.workers,
                   "wrk_threads": CONFIG.wrk_threads, "wrk_timeout": CONFIG.wrk_timeout,
                   "sustained_seconds": CONFIG.sustained_seconds, "sustained_probes": CONFIG.sustained_probes,
                   "sustained_start": CONFIG.sustained_start or None, "sustained_wait": CONFIG.sustained_wait,
                   "stores": stores, "limits": LIFTED, "body_bytes": len(BODY)},
        "machine": machine(pg_base if "postgres" in stores else None),
        "results": {}, "skipped": skipped,
    }
    started = time.time()
    sqlite_connections = [32, 128, 512]
    postgres_connections = [32, 64, 128, 512]
    nginx_connections = sorted(set(sqlite_connections + (postgres_connections if "postgres" in stores else [])))
    only = [p for p in (env.get("VOXWORKS_BENCH_ONLY") or "").split(",") if p]
    if only:
        # Figures alone (e.g. VOXWORKS_BENCH_ONLY=isolation while working on it); never a full report.
        if set(only) - {"isolation", "sustained"}:
            raise BenchError("VOXWORKS_BENCH_ONLY supports: isolation, sustained")
        report["mode"] += "-partial"
        args.output = os.path.join(ROOT, "benchmarks", "results", "partial.json")
        for kind in stores:
            base = pg_base if kind == "postgres" else None
            data = report["results"][kind] = {}
            if "sustained" in only:
                data["sustained"] = phase_sustained(kind, base, CONFIG.workers)
            if "isolation" in only:
                data["isolation"] = phase_isolation(kind, base, CONFIG.isolation, CONFIG.isolation,
                                                    CONFIG.isolation_healthy, 10)
        report["targets"] = evaluate(report["results"])
        print(table(report), flush=True)
        with open(args.output, "w") as f:
            json.dump(report, f, indent=2)
            f.write("\n")
        return 0 if all(t["met"] for t in report["targets"]) or not args.check_targets else 3
    # One report per build. With VOXWORKS_BENCH_BIN_B each figure is measured
    # for both builds back to back, the first of the pair alternating from
    # figure to figure, so that what the shared machine does over the half
    # hour of a run falls on both alike; the references (nginx, Hummingbird,
    # pgbench) are measured once and stand in both reports.
    builds = [("a", BIN)] + ([("b", BIN_B)] if BIN_B else [])
    reports = {}
    for label, path in builds:
        built = json.loads(json.dumps(report))
        built["binary"] = path
        built["binaries"]["server"] = binary_identity(path, True)
        if BIN_B:
            built["mode"] += "-ab"
            built["ab"] = {"build": label, "a": BIN, "b": BIN_B,
                           "order": "each figure measured for both builds back to back, the first alternating"}
        reports[label] = built
    turns = [0]

    def each(figure, kind, measure, rounds=1, merge=None):
        """Measures one figure for every build; with two builds and rounds=2
        in the order ABBA (or BAAB), and `merge` makes one result of each
        build's two (a single 30-s sample of ingest moved by 10-20 % from one
        run to the next on the 2-core machine)."""
        first = builds if turns[0] % 2 == 0 else builds[::-1]
        turns[0] += 1
        order = first
        if BIN_B and rounds == 2:
            order = first + first[::-1]
        global SERVER_BIN
        measured = {label: [] for label, _ in builds}
        for label, path in order:
            SERVER_BIN = path
            if BIN_B:
                log(f"{kind} {figure}: build {label.upper()} ({path})")
            measured[label].append(measure(reports[label]["results"][kind]))
        SERVER_BIN = None
        for label, results in measured.items():
            reports[label]["results"][kind][figure] = merge(results) if len(results) > 1 else results[0]

    nginx = phase_nginx(nginx_connections)
    floor = phase_floor(nginx_connections)
    for built in reports.values():
        built["results"]["nginx"] = nginx
        built["results"]["http_floor"] = floor
    for kind in stores:
        base = pg_base if kind == "postgres" else None
        for built in reports.values():
            built["results"][kind] = {}
        connections = postgres_connections if kind == "postgres" else sqlite_connections
        each("ingest", kind, lambda data: phase_ingest(kind, base, connections), rounds=2, merge=merge_ingest)
        if kind == "postgres":
            pgbench = phase_pgbench(base)
            for built in reports.values():
                built["results"][kind]["pgbench"] = pgbench

        def ingest_max(data):
            # An A/B offers both builds the same end-to-end rate (half the
            # lower of their maxima), so that "achieved" compares like with like.
            maxima = [max(r["rps"] for r in built["results"][kind]["ingest"]["by_connections"].values())
                      for built in reports.values()]
            return min(maxima)

        each("drain", kind, lambda data: phase_drain(kind, base, CONFIG.drain, CONFIG.workers, ingest_max(data)))
        each("end_to_end", kind, lambda data: phase_end_to_end(kind, base, ingest_max(data), CONFIG.workers))
        if CONFIG.sustained_probes > 0:
            each("sustained", kind, lambda data: phase_sustained(kind, base, CONFIG.workers))
        each("backlog", kind, lambda data: phase_backlog(kind, base, CONFIG.backlog))
        each("isolation", kind, lambda data: phase_isolation(kind, base, CONFIG.isolation, CONFIG.isolation,
                                                             CONFIG.isolation_healthy, 10))
    elapsed = round(time.time() - started, 1)
    results_dir = os.path.dirname(args.output)
    os.makedirs(results_dir, exist_ok=True)
    met = True
    for label, built in reports.items():
        built["elapsed_seconds"] = elapsed
        built["targets"] = evaluate(built["results"])
        met = met and all(t["met"] for t in built["targets"])
        if BIN_B:
            print(f"\n== build {label.upper()}: {built['binary']}", flush=True)
        print(table(built), flush=True)
        # An A/B run never replaces the single run's files.
        paths = ([os.path.join(results_dir, f"ab-{label}.json")] if BIN_B else
                 sorted({args.output, os.path.join(results_dir, f"{built['mode']}.json")}))
        for path in paths:
            with open(path, "w") as f:
                json.dump(built, f, indent=2)
                f.write("\n")
            log(f"wrote {path} ({elapsed} s of measuring)")
    if BIN_B:
        compare = os.path.join(ROOT, "benchmarks", "compare")
        subprocess.run([sys.executable, compare, os.path.join(results_dir, "ab-a.json"), os.path.join(results_dir, "ab-b.json")])
    if args.check_targets and not met:
        return 3
    return 0


def run_main(main):
    """Runs `main` (which returns an exit code), stops whatever it started, and exits."""
    code = 1
    try:
        code = main()
    except BenchError as error:
        log(f"FAILED: {error}")
    except KeyboardInterrupt:
        log("interrupted")
        code = 130
    finally:
        cleanup()
    sys.exit(code)


if __name__ == "__main__":
    run_main(main)
