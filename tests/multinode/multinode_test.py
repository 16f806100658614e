"""Three `voxworks serve` nodes on one PostgreSQL database, as real processes.

Checks the promises that must hold across nodes:
  1. the same idempotency key sent to all nodes at once yields one execution;
  2. a burst over a webhook's rate limit spread over the nodes is limited
     once (global), not once per node;
  3. 2,000 executions of an automation with two http_request steps all
     complete, each step reaching a local receiver once per execution,
     while one node is killed with SIGKILL in the middle: its executions are
     finished by the others, none is lost, and a step is sent twice only if
     it was in flight on the killed node (at most one per worker there).

Usage: python3 tests/multinode/multinode_test.py BINARY DATABASE_URL
Bounded: every wait has a deadline; the processes it starts are stopped.
"""
import functools
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "support"))
from live import Receiver, check, free_port, start_receiver  # noqa: E402
from live import call  # noqa: E402

request = functools.partial(call, timeout=15)  # the nodes share one database: a little more patience

BINARY, DATABASE_URL = sys.argv[1], sys.argv[2]
WORKERS_PER_NODE = 4
EXECUTIONS = 2000


class Node:
    def __init__(self, name, work, env):
        self.name, self.port = name, free_port()
        self.log = open(os.path.join(work, f"{name}.log"), "w")
        self.process = subprocess.Popen([BINARY, "serve", "--port", str(self.port)], cwd=work, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"

    def wait_healthy(self, deadline=60):
        end = time.time() + deadline
        while time.time() < end:
            try:
                if request("GET", self.url + "/api/v1/health", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"{self.name} did not start")

    def stop(self, sig=signal.SIGTERM):
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def main():
    work = tempfile.mkdtemp(prefix="voxworks-multinode-")
    receiver = start_receiver()
    env = dict(os.environ, VOXWORKS_DATABASE_URL=DATABASE_URL, VOXWORKS_MASTER_KEY_FILE=os.path.join(work, "master.key"),
               VOXWORKS_OUTBOUND_ALLOW="127.0.0.1", VOXWORKS_WORKERS=str(WORKERS_PER_NODE), VOXWORKS_LEASE_SECONDS="5",
               VOXWORKS_API_RATE_PER_SECOND="100000", VOXWORKS_API_RATE_BURST="1000000",
               VOXWORKS_TEAM_RATE_PER_SECOND="100000", VOXWORKS_TEAM_RATE_BURST="1000000")
    nodes = [Node(f"node{i}", work, env) for i in range(3)]
    try:
        for node in nodes:
            node.wait_healthy()
        # Output that is not a terminal gets the first key in a 0600 file, named in the log.
        key_files = []
        for node in nodes:
            with open(node.log.name) as log:
                key_files += re.findall(r'(/[^ "]*/first-api-key)', log.read())
        check(len(key_files) == 1, f"three nodes starting at once on one database created one admin key (got {len(key_files)})")
        with open(key_files[0]) as f:
            auth = {"Authorization": "Bearer " + f.read().strip()}

        def automation(name, definition, rate):
            status, body = request("POST", nodes[0].url + "/api/v1/automations", {
                "name": name, "definition": definition, "webhook": {"rate_limit": rate}}, auth)
            assert status == 201, body
            return body["automation"]["webhook"]["token"]

        receiver_url = f"http://127.0.0.1:{receiver.server_address[1]}"
        steps_token = automation("two steps", {"trigger": {"type": "webhook"}, "steps": [
            {"id": "a", "type": "http_request", "url": receiver_url + "/a", "body": {"n": "{{trigger.n}}"}},
            {"id": "b", "type": "http_request", "url": receiver_url + "/b", "body": {"n": "{{trigger.n}}"}}]},
            {"per_second": 100000, "burst": 1000000})

        # 1. One key, every node, at once.
        with ThreadPoolExecutor(30) as pool:
            answers = list(pool.map(lambda i: request("POST", f"{nodes[i % 3].url}/api/v1/hooks/{steps_token}",
                                                      {"n": -1}, {"X-Idempotency-Key": "same-everywhere"}), range(30)))
        ids = {body.get("execution_id") for status, body in answers if status == 202}
        check(all(status == 202 for status, _ in answers) and len(ids) == 1,
              f"the same key sent 30 times across 3 nodes gave one execution ({len(ids)} ids)")

        # 2. One rate limit for all nodes.
        limited = automation("limited", None, {"per_second": 1, "burst": 20})
        started = time.time()
        with ThreadPoolExecutor(30) as pool:
            statuses = list(pool.map(lambda i: request("POST", f"{nodes[i % 3].url}/api/v1/hooks/{limited}", {"i": i})[0], range(90)))
        elapsed = time.time() - started
        accepted = statuses.count(202)
        allowed = 20 + int(elapsed) + 1
        check(accepted <= allowed and statuses.count(429) == 90 - accepted,
              f"a burst of 90 over 3 nodes: {accepted} accepted, within the global limit of {allowed} (burst 20 + 1/s), not 3x")

        # 3. 2,000 executions, one node killed in the middle.
        accepted_ids = {}
        lock = threading.Lock()
        killed = threading.Event()

        def send(n):
            for attempt in range(20):
                alive = [node for node in nodes if not (killed.is_set() and node is nodes[2])]
                node = alive[(n + attempt) % len(alive)]
                try:
                    status, body = request("POST", f"{node.url}/api/v1/hooks/{steps_token}", {"n": n}, {"X-Idempotency-Key": f"run-{n}"})
                except OSError:
                    time.sleep(0.2)
                    continue  # no answer: retry with the same key, on another node
                if status == 202:
                    with lock:
                        accepted_ids[n] = body["execution_id"]
                        if len(accepted_ids) == EXECUTIONS // 3 and not killed.is_set():
                            nodes[2].process.send_signal(signal.SIGKILL)
                            killed.set()
                    return
                time.sleep(0.2)
            raise SystemExit(f"webhook {n} never got a 202")

        with ThreadPoolExecutor(32) as pool:
            list(pool.map(send, range(EXECUTIONS)))
        check(killed.is_set() and nodes[2].process.wait(timeout=10) == -signal.SIGKILL, "node2 was killed with SIGKILL mid-run")
        check(len(set(accepted_ids.values())) == EXECUTIONS, f"{EXECUTIONS} webhooks, {EXECUTIONS} distinct execution ids")

        deadline = time.time() + 240
        while time.time() < deadline:
            counts = {}
            for state in ("pending", "processing", "failed", "dead_letter"):
                _, page = request("GET", nodes[0].url + f"/api/v1/executions?status={state}&limit=1", headers=auth)
                counts[state] = len(page.get("executions", []))
            if counts["failed"] or counts["dead_letter"]:
                raise SystemExit(f"executions failed: {counts}")
            if not counts["pending"] and not counts["processing"]:
                break
            time.sleep(1)
        else:
            raise SystemExit("executions did not all finish in time")
        missing = 0
        for n, execution in accepted_ids.items():
            status, body = request("GET", nodes[0].url + f"/api/v1/executions/{execution}", headers=auth)
            if status != 200 or body["execution"]["status"] != "completed":
                missing += 1
        check(missing == 0, f"every one of the {EXECUTIONS} executions answered with 202 exists and completed")
        sent = [f"{execution}:{step}" for execution in accepted_ids.values() for step in ("a", "b")]
        unsent = [key for key in sent if Receiver.counts.get(key, 0) == 0]
        duplicates = sum(Receiver.counts.get(key, 0) - 1 for key in sent if Receiver.counts.get(key, 0) > 1)
        check(not unsent, f"every step of every execution reached the receiver ({len(sent)} step deliveries)")
        check(duplicates <= WORKERS_PER_NODE,
              f"{duplicates} step(s) sent twice, at most the {WORKERS_PER_NODE} that were in flight on the killed node")
        print(f"multinode: 3 nodes, {EXECUTIONS} executions, 1 node killed: all promises held", flush=True)
    finally:
        for node in nodes:
            node.stop()
        receiver.shutdown()


if __name__ == "__main__":
    main()
