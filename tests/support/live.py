"""What the process-level tests (tests/crash, tests/multinode) share: a free
port, a JSON call over HTTP, a local receiver that counts deliveries per
Idempotency-Key (the steps' `http_request` target), and a check that prints
or stops. Standard library only."""
import json
import socket
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(method, url, body=None, headers=None, timeout=10, raw=None):
    """(status, parsed JSON body); `raw` sends those bytes instead of `body` as JSON."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


class Receiver(BaseHTTPRequestHandler):
    """Counts each delivery by its Idempotency-Key (`<execution>:<step>`)."""
    counts, lock = {}, threading.Lock()

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        key = self.headers.get("Idempotency-Key", "")
        with Receiver.lock:
            Receiver.counts[key] = Receiver.counts.get(key, 0) + 1
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ok":true}')

    def log_message(self, *args):
        pass


def start_receiver():
    """The receiver on a free port, served from a daemon thread."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def check(condition, message):
    if not condition:
        raise SystemExit("FAILED: " + message)
    print("ok:", message, flush=True)
