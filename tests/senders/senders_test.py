"""Real senders, end to end: the real `voxworks` binary on a socket, an
automation per scheme created through the API, and requests signed by the
providers' own SDKs from PyPI (stripe, svix, standardwebhooks, twilio,
slack-sdk, hubspot-api-client; Discord's Ed25519 with PyNaCl, which
Discord's docs use; SendGrid's ECDSA with `ecdsa`, checked first by the
sendgrid SDK's own verifier; Square's signature checked first by the
squareup SDK's verifier). Each signed request must be accepted (202), a
forged one refused (401 with the contract's message), a provider's
delivery id must deduplicate, and the handshakes must be answered.

Usage: python3 tests/senders/senders_test.py BINARY
Bounded: every wait has a deadline; the server it starts is stopped.
"""
import base64
import datetime
import hashlib
import hmac
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "support"))
from live import check, free_port  # noqa: E402

BINARY = os.path.abspath(sys.argv[1])
SDKS = []


def send(method, url, body=b"", headers=None, timeout=15):
    """(status, headers, raw body bytes)."""
    request = urllib.request.Request(url, data=body if method != "GET" else None, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def api(base, key, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else b""
    status, _, raw = send(method, base + path, data, {"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    return status, json.loads(raw or b"{}")


def message(raw):
    try:
        return json.loads(raw).get("message")
    except ValueError:
        return None


class Server:
    def __init__(self):
        self.work = tempfile.mkdtemp(prefix="voxworks-senders-")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(self.work, "server.log"), "w")
        env = dict(os.environ, VOXWORKS_PUBLIC_URL=self.url, VOXWORKS_API_RATE_PER_SECOND="100000", VOXWORKS_API_RATE_BURST="1000000")
        self.process = subprocess.Popen([BINARY, "serve", "--port", str(self.port)], cwd=self.work, env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT)

    def start(self):
        end = time.time() + 60
        while time.time() < end:
            try:
                if send("GET", self.url + "/api/v1/health", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            raise SystemExit("the server did not start")
        # Output that is not a terminal gets no key: the first start writes
        # it to a 0600 file in the data directory instead.
        key_file = os.path.join(self.work, "voxworks-data", "first-api-key")
        check(os.path.exists(key_file), "the first start wrote its API key file")
        with open(key_file) as file:
            self.key = file.read().strip()
        check(self.key.startswith("vx_"), "the key file holds an API key")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def automation(self, name, verification, accept=None):
        webhook = {"verification": verification}
        if accept is not None:
            webhook["accept"] = accept
        status, body = api(self.url, self.key, "POST", "/api/v1/automations", {"name": name, "webhook": webhook})
        check(status == 201, f"{name}: created with scheme {verification['scheme']} (got {status} {body.get('message')})")
        shown = body["automation"]["webhook"]
        secret_values = [v for k, v in verification.items() if k in ("secret", "public_key", "password", "value", "verify_token")]
        check(not any(value in json.dumps(body) for value in secret_values), f"{name}: the response shows no credential")
        check(shown["verification"]["scheme"] == verification["scheme"] or verification["scheme"] == "svix",
              f"{name}: the response names the scheme")
        return shown["url"]

    def execution(self, execution_id):
        status, body = api(self.url, self.key, "GET", f"/api/v1/executions/{execution_id}")
        check(status == 200, f"execution {execution_id} is readable")
        return body["execution"]


def accepted(name, result, signer="the SDK"):
    status, headers, raw = result
    check(status == 202, f"{name}: a request signed by {signer} is accepted (got {status} {raw[:200]!r})")
    return json.loads(raw)["execution_id"], headers


def refused(name, result, expected="Invalid webhook signature"):
    status, _, raw = result
    check(status == 401 and message(raw) == expected, f"{name}: refused with 401 {expected!r} (got {status} {message(raw)!r})")


def stripe_case(server):
    import stripe
    SDKS.append(f"stripe {stripe.VERSION}")
    secret = "whsec_" + secrets.token_hex(16)
    url = server.automation("stripe", {"scheme": "stripe", "secret": secret, "tolerance_seconds": 300})
    payload = json.dumps({"id": "evt_" + secrets.token_hex(8), "object": "event", "type": "invoice.paid"})
    header = stripe.WebhookSignature.generate_signature_header(payload, secret)
    first, _ = accepted("stripe", send("POST", url, payload.encode(), {"Content-Type": "application/json", "Stripe-Signature": header}))
    # The event's id is the key: the same event again is the same execution.
    again, headers = accepted("stripe", send("POST", url, payload.encode(), {"Content-Type": "application/json", "Stripe-Signature": header}))
    check(again == first and headers.get("Idempotent-Replayed") == "true", "stripe: the event id deduplicates a redelivery")
    forged = stripe.WebhookSignature.generate_signature_header(payload, "whsec_" + secrets.token_hex(16))
    refused("stripe", send("POST", url, payload.encode(), {"Content-Type": "application/json", "Stripe-Signature": forged}))
    refused("stripe", send("POST", url, payload.encode(), {"Content-Type": "application/json"}), "Missing webhook signature")
    old = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=int(time.time()) - 3600)
    refused("stripe", send("POST", url, payload.encode(), {"Content-Type": "application/json", "Stripe-Signature": old}),
            "Webhook timestamp outside the allowed window")
    # Not a GET scheme: 405 with Allow: POST, as before.
    status, headers, _ = send("GET", url)
    check(status == 405 and headers.get("Allow") == "POST", f"stripe: GET is 405 with Allow: POST (got {status})")


def svix_case(server):
    import svix
    from svix.webhooks import Webhook
    SDKS.append(f"svix {getattr(svix, '__version__', '?')}")
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    url = server.automation("svix", {"scheme": "svix", "secret": secret})
    payload = json.dumps({"type": "user.created", "data": {"id": "u_1"}})
    msg_id = "msg_" + secrets.token_hex(8)
    now = datetime.datetime.now(tz=datetime.timezone.utc)
    signature = Webhook(secret).sign(msg_id, now, payload)
    headers = {"Content-Type": "application/json", "svix-id": msg_id, "svix-timestamp": str(int(now.timestamp())), "svix-signature": signature}
    first, _ = accepted("svix", send("POST", url, payload.encode(), headers))
    again, replayed = accepted("svix", send("POST", url, payload.encode(), headers))
    check(again == first and replayed.get("Idempotent-Replayed") == "true", "svix: svix-id deduplicates a redelivery")
    headers["svix-signature"] = Webhook("whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()).sign(msg_id, now, payload)
    refused("svix", send("POST", url, payload.encode(), headers))


def standardwebhooks_case(server):
    from standardwebhooks.webhooks import Webhook
    SDKS.append("standardwebhooks")
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    url = server.automation("standard_webhooks", {"scheme": "standard_webhooks", "secret": secret})
    payload = json.dumps({"type": "email.sent", "data": {"to": "ada@example.com"}})
    msg_id = "msg_" + secrets.token_hex(8)
    now = datetime.datetime.now(tz=datetime.timezone.utc)
    headers = {"Content-Type": "application/json", "webhook-id": msg_id, "webhook-timestamp": str(int(now.timestamp())),
               "webhook-signature": Webhook(secret).sign(msg_id, now, payload)}
    accepted("standard_webhooks", send("POST", url, payload.encode(), headers))
    headers["webhook-signature"] = Webhook("whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()).sign(msg_id, now, payload)
    refused("standard_webhooks", send("POST", url, payload.encode(), headers))


def twilio_case(server):
    import twilio
    from twilio.request_validator import RequestValidator
    SDKS.append(f"twilio {twilio.__version__}")
    token = secrets.token_hex(16)
    url = server.automation("twilio", {"scheme": "twilio", "secret": token})
    params = {"From": "+61400000001", "To": "+61400000002", "Body": "hello there", "MessageSid": "SM" + secrets.token_hex(16)}
    body = urllib.parse.urlencode(params).encode()
    signature = RequestValidator(token).compute_signature(url, params)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
    execution_id, _ = accepted("twilio", send("POST", url, body, headers))
    trigger = server.execution(execution_id)["trigger"]
    check(trigger.get("Body") == "hello there" and trigger.get("From") == "+61400000001", "twilio: the form's fields are the trigger")
    headers["X-Twilio-Signature"] = RequestValidator(secrets.token_hex(16)).compute_signature(url, params)
    refused("twilio", send("POST", url, body, headers))


def slack_case(server):
    import slack_sdk
    from slack_sdk.signature import SignatureVerifier
    SDKS.append(f"slack-sdk {slack_sdk.version.__version__}")
    secret = secrets.token_hex(16)
    url = server.automation("slack", {"scheme": "slack", "secret": secret})
    verifier = SignatureVerifier(secret)

    def signed(body):
        timestamp = str(int(time.time()))
        return {"Content-Type": "application/json", "X-Slack-Request-Timestamp": timestamp,
                "X-Slack-Signature": verifier.generate_signature(timestamp=timestamp, body=body)}

    challenge = secrets.token_hex(8)
    handshake = json.dumps({"token": "x", "challenge": challenge, "type": "url_verification"})
    status, _, raw = send("POST", url, handshake.encode(), signed(handshake))
    check(status == 200 and json.loads(raw).get("challenge") == challenge, f"slack: url_verification is answered (got {status} {raw[:100]!r})")
    event = json.dumps({"type": "event_callback", "event_id": "Ev" + secrets.token_hex(6), "event": {"type": "message", "text": "hi"}})
    accepted("slack", send("POST", url, event.encode(), signed(event)))
    # A slash command is a form.
    form = urllib.parse.urlencode({"command": "/deploy", "text": "prod", "user_id": "U1"})
    execution_id, _ = accepted("slack", send("POST", url, form.encode(), dict(signed(form), **{"Content-Type": "application/x-www-form-urlencoded"})))
    check(server.execution(execution_id)["trigger"].get("command") == "/deploy", "slack: a slash command's form is the trigger")
    forged = SignatureVerifier(secrets.token_hex(16))
    timestamp = str(int(time.time()))
    refused("slack", send("POST", url, event.encode(), {"Content-Type": "application/json", "X-Slack-Request-Timestamp": timestamp,
                                                         "X-Slack-Signature": forged.generate_signature(timestamp=timestamp, body=event)}))


def discord_case(server):
    import nacl
    from nacl.signing import SigningKey
    SDKS.append(f"pynacl {nacl.__version__}")
    key = SigningKey.generate()
    url = server.automation("discord", {"scheme": "discord", "public_key": key.verify_key.encode().hex()})

    def signed(body, signer=key):
        timestamp = str(int(time.time()))
        signature = signer.sign((timestamp + body).encode()).signature.hex()
        return {"Content-Type": "application/json", "X-Signature-Ed25519": signature, "X-Signature-Timestamp": timestamp}

    ping = json.dumps({"type": 1, "id": "1", "application_id": "2"})
    status, _, raw = send("POST", url, ping.encode(), signed(ping))
    check(status == 200 and json.loads(raw) == {"type": 1}, f"discord: PING is answered with PONG (got {status} {raw[:100]!r})")
    command = json.dumps({"type": 2, "id": "3", "data": {"name": "hello"}})
    accepted("discord", send("POST", url, command.encode(), signed(command)))
    refused("discord", send("POST", url, command.encode(), signed(command, SigningKey.generate())))


def sendgrid_case(server):
    import ecdsa
    import sendgrid
    from sendgrid.helpers.eventwebhook import EventWebhook
    SDKS.append(f"ecdsa {ecdsa.__version__} + sendgrid {sendgrid.__version__} (verifier)")
    key = ecdsa.SigningKey.generate(curve=ecdsa.NIST256p, hashfunc=hashlib.sha256)
    public_key = base64.b64encode(key.get_verifying_key().to_der()).decode()
    url = server.automation("sendgrid", {"scheme": "sendgrid", "public_key": public_key})
    payload = json.dumps([{"email": "ada@example.com", "event": "open", "sg_event_id": "e1"},
                          {"email": "bob@example.com", "event": "click", "sg_event_id": "e2"}])
    timestamp = str(int(time.time()))

    def signature(signer):
        return base64.b64encode(signer.sign((timestamp + payload).encode(), hashfunc=hashlib.sha256,
                                            sigencode=ecdsa.util.sigencode_der)).decode()

    good = signature(key)
    sdk = EventWebhook()
    check(sdk.verify_signature(payload, good, timestamp, sdk.convert_public_key_to_ecdsa(public_key)),
          "sendgrid: the SDK's own verifier accepts the request first")
    headers = {"Content-Type": "application/json", "X-Twilio-Email-Event-Webhook-Signature": good,
               "X-Twilio-Email-Event-Webhook-Timestamp": timestamp}
    execution_id, _ = accepted("sendgrid", send("POST", url, payload.encode(), headers))
    items = server.execution(execution_id)["trigger"].get("items")
    check(isinstance(items, list) and len(items) == 2, "sendgrid: the JSON array is the trigger's items")
    headers["X-Twilio-Email-Event-Webhook-Signature"] = signature(ecdsa.SigningKey.generate(curve=ecdsa.NIST256p, hashfunc=hashlib.sha256))
    refused("sendgrid", send("POST", url, payload.encode(), headers))


def hubspot_case(server):
    from hubspot.utils.signature import Signature
    SDKS.append("hubspot-api-client (v3 signature)")
    secret = secrets.token_hex(16)
    url = server.automation("hubspot", {"scheme": "hubspot", "secret": secret})
    payload = json.dumps([{"eventId": 1, "subscriptionType": "contact.creation", "objectId": 42}])
    timestamp = str(int(time.time() * 1000))
    signature = Signature.get_signature(secret, payload, "v3", http_uri=url, http_method="POST", timestamp=timestamp)
    headers = {"Content-Type": "application/json", "X-HubSpot-Signature-v3": signature, "X-HubSpot-Request-Timestamp": timestamp}
    # HubSpot posts a JSON array, which its scheme accepts by default.
    accepted("hubspot", send("POST", url, payload.encode(), headers))
    headers["X-HubSpot-Signature-v3"] = Signature.get_signature(secrets.token_hex(16), payload, "v3", http_uri=url, timestamp=timestamp)
    refused("hubspot", send("POST", url, payload.encode(), headers))


def square_case(server):
    from square.utils.webhooks_helper import verify_signature
    SDKS.append("squareup (verifier)")
    key = secrets.token_urlsafe(16)
    url = server.automation("square", {"scheme": "square", "secret": key})
    payload = json.dumps({"merchant_id": "M1", "type": "payment.updated", "event_id": secrets.token_hex(8)})
    signature = base64.b64encode(hmac.new(key.encode(), (url + payload).encode(), hashlib.sha256).digest()).decode()
    check(verify_signature(request_body=payload, signature_header=signature, signature_key=key, notification_url=url),
          "square: the SDK's own verifier accepts the request first")
    headers = {"Content-Type": "application/json", "x-square-hmacsha256-signature": signature}
    accepted("square", send("POST", url, payload.encode(), headers))
    headers["x-square-hmacsha256-signature"] = base64.b64encode(hmac.new(b"forged", (url + payload).encode(), hashlib.sha256).digest()).decode()
    refused("square", send("POST", url, payload.encode(), headers))


def github_case(server):
    # No signing helper in GitHub's SDKs: the algorithm of GitHub's docs, with the standard library.
    secret = secrets.token_hex(12)
    url = server.automation("github", {"scheme": "github", "secret": secret})
    payload = json.dumps({"zen": "Design for failure.", "hook_id": 1})
    delivery = "d-" + secrets.token_hex(8)
    headers = {"Content-Type": "application/json", "X-GitHub-Event": "ping", "X-GitHub-Delivery": delivery,
               "X-Hub-Signature-256": "sha256=" + hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()}
    first, _ = accepted("github", send("POST", url, payload.encode(), headers), "GitHub's documented algorithm")
    again, replayed = accepted("github", send("POST", url, payload.encode(), headers), "GitHub's documented algorithm")
    check(again == first and replayed.get("Idempotent-Replayed") == "true", "github: X-GitHub-Delivery deduplicates a redelivery")
    headers["X-Hub-Signature-256"] = "sha256=" + hmac.new(b"forged", payload.encode(), hashlib.sha256).hexdigest()
    refused("github", send("POST", url, payload.encode(), headers))


def main():
    server = Server()
    try:
        server.start()
        cases = [stripe_case, svix_case, standardwebhooks_case, twilio_case, slack_case, discord_case, sendgrid_case, hubspot_case,
                 square_case, github_case]
        for case in cases:
            case(server)
        print("senders: " + str(len(cases)) + " cases passed; SDKs: " + ", ".join(SDKS), flush=True)
    except BaseException:
        server.stop()
        with open(server.log.name) as log:
            sys.stderr.write("server log (last lines):\n" + "".join(log.readlines()[-30:]))
        raise
    server.stop()


if __name__ == "__main__":
    main()
