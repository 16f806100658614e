"""Crash test: nothing answered with 202 is lost, no key runs twice.

Clients send signed webhooks with unique idempotency keys at 64 concurrent
connections to one `voxworks serve`; the server is killed with SIGKILL at
random moments, several times, and restarted on the same store; clients
retry every request that got no answer, with the same key. With
PostgreSQL, the database server is also stopped (immediate shutdown, like a
crash) once mid-run: the service must answer 500/503 while it is down and
recover by itself when it is back.

Checks: every execution id ever answered with 202 exists; each key has
exactly one execution; every execution reaches a final status (completed);
a step whose completion was recorded is never sent again (the receiver sees
a step twice only if it was in flight at a kill: at most workers × kills).

Usage: python3 tests/crash/crash_test.py BINARY (sqlite|postgres) [REQUESTS]
Bounded: every wait has a deadline; it stops every process it started.
"""
import hashlib
import hmac
import base64
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "support"))
from live import Receiver, call, check, free_port, start_receiver  # noqa: E402

BINARY, STORE = sys.argv[1], sys.argv[2]
REQUESTS = int(sys.argv[3]) if len(sys.argv) > 3 else 5000
WORKERS = 8
KILLS = 3
rng = random.Random(int(os.environ.get("CRASH_SEED", "7")))


def main():
    work = tempfile.mkdtemp(prefix="voxworks-crash-")
    receiver = start_receiver()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, VOXWORKS_OUTBOUND_ALLOW="127.0.0.1", VOXWORKS_WORKERS=str(WORKERS), VOXWORKS_LEASE_SECONDS="3",
               VOXWORKS_TEAM_RATE_PER_SECOND="100000", VOXWORKS_TEAM_RATE_BURST="1000000", VOXWORKS_API_RATE_PER_SECOND="100000",
               VOXWORKS_API_RATE_BURST="1000000", VOXWORKS_DATABASE=os.path.join(work, "voxworks.sqlite"))
    if STORE == "postgres":
        env["VOXWORKS_DATABASE_URL"] = os.environ["CRASH_DATABASE_URL"]
    state = {"process": None, "log": open(os.path.join(work, "server.log"), "a")}

    def start():
        state["process"] = subprocess.Popen([BINARY, "serve", "--port", str(port)], cwd=work, env=env, stdout=state["log"], stderr=subprocess.STDOUT)
        end = time.time() + 60
        while time.time() < end:
            try:
                if call("GET", base + "/api/v1/health", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise SystemExit("server did not start")

    try:
        start()
        with open(state["log"].name) as log:
            # Output that is not a terminal gets the key in a 0600 file, named in the log.
            key_file = re.search(r'(/[^ "]*/first-api-key)', log.read()).group(1)
        with open(key_file) as f:
            key = f.read().strip()
        auth = {"Authorization": "Bearer " + key}
        status, created = call("POST", base + "/api/v1/automations", {
            "name": "crash", "webhook": {"signing": True, "rate_limit": {"per_second": 100000, "burst": 1000000}},
            "definition": {"trigger": {"type": "webhook"}, "steps": [
                {"id": "deliver", "type": "http_request", "url": f"http://127.0.0.1:{receiver.server_address[1]}/deliver",
                 "body": {"n": "{{trigger.n}}"}}]}}, auth)
        assert status == 201, created
        token = created["automation"]["webhook"]["token"]
        secret = base64.b64decode(created["automation"]["webhook"]["signing_secret"][len("whsec_"):])

        answered = {}
        lock = threading.Lock()
        down_answers = []
        # The whole load, chaos included, takes a minute or two: a node that
        # stops answering for good (its database pool never reconnecting)
        # fails the run within ten minutes instead of holding every sender
        # for its own four minutes in turn.
        load_deadline = time.time() + 600

        def send(n):
            body = json.dumps({"n": n}).encode()
            signature = hmac.new(secret, body, hashlib.sha256).hexdigest()
            last = "no answer"
            # Bounded by time, not tries: an answer may take the commit deadline (10 s).
            give_up = min(time.time() + 240, load_deadline)
            while time.time() < give_up:
                try:
                    status, reply = call("POST", f"{base}/api/v1/hooks/{token}", raw=body,
                                         headers={"X-Webhook-Signature": signature, "X-Idempotency-Key": f"crash-{n}"}, timeout=10)
                except OSError as error:
                    last = f"no answer ({error})"
                    time.sleep(0.1)  # no answer: the server is down; retry with the same key
                    continue
                last = f"{status} {reply}"
                if status == 202:
                    with lock:
                        previous = answered.setdefault(n, reply["execution_id"])
                    if previous != reply["execution_id"]:
                        raise SystemExit(f"key crash-{n} answered with two execution ids")
                    return
                if status >= 500:
                    with lock:
                        down_answers.append(status)
                time.sleep(0.1)
            state["log"].flush()
            with open(state["log"].name, errors="replace") as log:
                tail = log.read()[-4000:]
            raise SystemExit(f"webhook {n} never got a 202 in time (240 s, or the load's 600 s; last answer: {last}); the server log ends:\n{tail}")

        failures = []

        def chaos():
            try:
                run_chaos()
            except BaseException as error:  # report it in the main thread, and let the clients finish
                failures.append(error)
                if state["process"].poll() is not None:
                    start()

        def run_chaos():
            marks = sorted(rng.sample(range(REQUESTS // 10, REQUESTS * 9 // 10), KILLS))
            for index, mark in enumerate(marks):
                while len(answered) < mark:
                    time.sleep(0.01)
                state["process"].send_signal(signal.SIGKILL)
                state["process"].wait()
                print(f"killed the server with SIGKILL after {len(answered)} answers", flush=True)
                if STORE == "postgres" and index == 0:
                    pg_ctl, options = os.environ["VOXWORKS_TEST_PG_CTL"].split(), os.environ["VOXWORKS_TEST_PG_OPTIONS"]
                    start()
                    subprocess.run(pg_ctl + ["-m", "immediate", "stop"], check=True, stdout=subprocess.DEVNULL)
                    print("stopped PostgreSQL (immediate)", flush=True)
                    health = []
                    for _ in range(5):
                        try:
                            health.append(call("GET", base + "/api/v1/health", timeout=10)[0])
                        except OSError as error:
                            health.append(str(error))
                        time.sleep(0.5)
                    subprocess.run(pg_ctl + ["-o", options, "start"], check=True, stdout=subprocess.DEVNULL)
                    print("started PostgreSQL again", flush=True)
                    check(all(code == 503 for code in health), f"health answers 503 while the database is down ({health})")
                    end = time.time() + 60
                    while call("GET", base + "/api/v1/health", timeout=5)[0] != 200:
                        if time.time() > end:
                            raise SystemExit("the service did not recover after the database came back")
                        time.sleep(0.2)
                    check(True, "the service recovered by itself when PostgreSQL came back")
                    continue
                start()

        chaos_thread = threading.Thread(target=chaos)
        chaos_thread.start()
        with ThreadPoolExecutor(64) as pool:
            list(pool.map(send, range(REQUESTS)))
        chaos_thread.join(timeout=120)
        if failures:
            raise SystemExit(f"FAILED: {failures[0]}")
        check(len(answered) == REQUESTS and len(set(answered.values())) == REQUESTS,
              f"{REQUESTS} keys answered with 202, {len(set(answered.values()))} distinct execution ids")
        if STORE == "postgres":
            # Requests sent while the database is down usually wait for it (a
            # commit has a 10 s deadline) and are answered once it is back, so
            # there may be no 5xx to look at: say so rather than pass on nothing.
            if down_answers:
                check(all(code in (500, 503) for code in down_answers),
                      f"while PostgreSQL was down the webhook answered only 500/503 ({len(down_answers)} answers: {sorted(set(down_answers))})")
            else:
                print("note: no webhook got a 5xx while PostgreSQL was down (they waited for it and got their 202 after)", flush=True)

        # Every execution reaches a final status.
        deadline = time.time() + 300
        while time.time() < deadline:
            open_states = [len(call("GET", base + f"/api/v1/executions?status={s}&limit=1", headers=auth)[1].get("executions", []))
                           for s in ("pending", "processing")]
            if not any(open_states):
                break
            time.sleep(0.5)
        else:
            raise SystemExit("executions did not all finish in time")
        statuses = {}
        for n, execution in answered.items():
            status, body = call("GET", base + f"/api/v1/executions/{execution}", headers=auth)
            statuses[n] = body["execution"]["status"] if status == 200 else "missing"
        check(all(s == "completed" for s in statuses.values()),
              f"every execution answered with 202 exists and completed ({sum(s == 'completed' for s in statuses.values())}/{REQUESTS})")
        all_ids, cursor = set(), None
        while True:
            _, page = call("GET", base + "/api/v1/executions?limit=100" + (f"&cursor={cursor}" if cursor else ""), headers=auth)
            all_ids.update(e["id"] for e in page["executions"])
            cursor = page["meta"]["next_cursor"]
            if not cursor:
                break
        check(all_ids == set(answered.values()), f"each key has exactly one execution ({len(all_ids)} in the store)")
        keys = [f"{execution}:deliver" for execution in answered.values()]
        check(all(Receiver.counts.get(k, 0) >= 1 for k in keys), "every step reached the receiver")
        duplicates = sum(Receiver.counts.get(k, 0) - 1 for k in keys if Receiver.counts.get(k, 0) > 1)
        check(duplicates <= WORKERS * KILLS,
              f"{duplicates} step(s) sent twice: only steps in flight at a kill (at most {WORKERS} workers × {KILLS} kills)")
        print(f"crash ({STORE}): {REQUESTS} webhooks, {KILLS} SIGKILLs: nothing lost, nothing doubled", flush=True)
    finally:
        if state["process"] and state["process"].poll() is None:
            state["process"].terminate()
            try:
                state["process"].wait(timeout=30)
            except subprocess.TimeoutExpired:
                state["process"].kill()
        receiver.shutdown()


if __name__ == "__main__":
    main()
