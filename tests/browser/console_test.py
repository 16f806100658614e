"""The web console in headless Chromium: sign in, create an automation, send
a test webhook, find the execution in the log, open it, replay it from the
failed step; a sender's hostile Unicode (a refresh tag behind U+0600, quotes
with combining marks) stays text on every page. A screenshot of each page goes to $ARTIFACTS.

Run by scripts/browser-test, which starts the server and passes
VOXWORKS_URL, VOXWORKS_KEY and ARTIFACTS.
"""
import http.server
import json
import os
import re
import sys
import threading
import time
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

BASE = os.environ["VOXWORKS_URL"]
KEY = os.environ["VOXWORKS_KEY"]
ARTIFACTS = os.environ.get("ARTIFACTS", "tests/browser/artifacts")


class Receiver(http.server.BaseHTTPRequestHandler):
    """Answers 400 to the first lead and 200 afterwards: a failure to replay."""
    calls = 0

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        Receiver.calls += 1
        status = 400 if Receiver.calls == 1 else 200
        body = b'{"error":"CRM rejected the lead"}' if status == 400 else b'{"ok":true}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def start_receiver(handler=None):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler or Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


class Bait(http.server.BaseHTTPRequestHandler):
    """Counts every request: where an injected refresh tag would send the browser."""
    hits = 0

    def do_GET(self):
        Bait.hits += 1
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


# HTML syntax clustered with a combining mark (after it) or a prepended
# concatenation mark (U+0600, before it): escaping one grapheme cluster at a
# time let each of these through raw.
HOSTILE_NAME = ("Lead \"\u0301 onmouseover=alert(1) x=\"\u0301 '\u0301 onclick=alert(3) '\u0301 "
                "<\u20d2svg onload=alert(4)> \u0600<b id=injected>bold\u0600>")


def refresh_key(bait_port):
    """A sender's key that, unescaped, is a refresh tag sending the browser to the bait."""
    return f"\u0600<meta http-equiv=refresh content=0;url=http://127.0.0.1:{bait_port}/x \u0600>"


def injected_elements(driver):
    return driver.execute_script(
        "return document.querySelectorAll('meta[http-equiv], [onmouseover], [onclick], [onload], svg, #injected').length")


def wait_unless_navigated(driver, fragment, what):
    """Waits for `fragment` in the URL, failing at once, and clearly, if the bait was reached instead."""
    WebDriverWait(driver, 30).until(lambda d: fragment in d.current_url or Bait.hits > 0)
    check(Bait.hits == 0, f"{what}: an injected refresh sent the browser to {driver.current_url}")


def hostile_unicode(driver, wait, bait_port):
    """A sender's webhook whose key carries a refresh tag, and an automation
    named with every hostile pattern: opening its pages must not navigate,
    and the edit form's name field must hold the name exactly."""
    name = HOSTILE_NAME
    driver.get(BASE + "/app/automations/new")
    wait.until(EC.presence_of_element_located((By.ID, "definition")))
    # Typed through the DOM: a keyboard cannot type U+0600 or a lone combining mark.
    driver.execute_script("arguments[0].value = arguments[1]", driver.find_element(By.ID, "name"), name)
    area = driver.find_element(By.ID, "definition")
    driver.execute_script("arguments[0].value = arguments[1]", area, json.dumps({
        "trigger": {"type": "webhook"},
        "steps": [{"id": "map", "type": "transform", "mappings": [{"source": "trigger.x", "target": "x"}]}]}))
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit].primary").click()
    wait_unless_navigated(driver, "done=created", "the new automation's page")
    automation_url = driver.current_url.split("?")[0]
    webhook_url = driver.find_element(By.ID, "webhook-url").text
    # The sender: unauthenticated, as anyone on the internet.
    body = json.dumps({refresh_key(bait_port): 1, "name": name}, ensure_ascii=False).encode()
    request = urllib.request.Request(BASE + urllib.parse.urlparse(webhook_url).path, data=body,
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        check(response.status == 202, f"webhook answered {response.status}")
        execution_id = json.loads(response.read())["execution_id"]
    pages = [(automation_url, "sample"), (BASE + "/app/automations", "list"), (automation_url + "/edit", "edit"),
             (BASE + "/app/executions", "log"), (BASE + f"/app/executions/{execution_id}", "execution")]
    for url, what in pages:
        driver.get(url)
        # A refresh with content=0 navigates at once; give it time to.
        time.sleep(2.5)
        check(Bait.hits == 0, f"{what}: the injected refresh reached the bait {Bait.hits} times ({driver.current_url})")
        check(driver.current_url.startswith(url), f"{what}: navigated to {driver.current_url}")
        check(injected_elements(driver) == 0, f"{what}: an injected element is in the DOM")
        if what == "sample":
            payload = driver.find_element(By.ID, "payload").get_attribute("value")
            check("\u0600<meta http-equiv=refresh" in payload, f"the sample does not show its key: {payload[:200]!r}")
            paths = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "ul.paths code")]
            check(any("<meta http-equiv=refresh" in path for path in paths), f"the field path is not shown: {paths}")
        if what == "edit":
            value = driver.find_element(By.ID, "name").get_attribute("value")
            check(value == name, f"the name field holds {value!r}, not the name")
        if what == "execution":
            check("<meta http-equiv=refresh" in driver.find_element(By.TAG_NAME, "body").text, "the payload is not shown")
        shot(driver, f"hostile-unicode-{what}")
    print(f"hostile Unicode: {len(pages)} pages, no navigation, no injected element, the bait was hit {Bait.hits} times")


def make_driver():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    return driver


step = 0


def shot(driver, name):
    global step
    step += 1
    path = os.path.join(ARTIFACTS, f"{step:02d}-{name}.png")
    # The whole page, not only the viewport.
    height = driver.execute_script("return Math.max(document.body.scrollHeight, 600)")
    width = driver.get_window_size()["width"]
    driver.set_window_size(width, min(height + 120, 4000))
    driver.save_screenshot(path)
    print(f"  screenshot {path}")


def wait_for_text(driver, text, timeout=30, reload=False):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if text in driver.find_element(By.TAG_NAME, "body").text:
                return
        except (StaleElementReferenceException, NoSuchElementException):
            pass  # the page is being replaced (a navigation or a refresh): look again
        except WebDriverException as error:
            # Chromium's way of saying the same when the body is replaced
            # between finding it and reading its text.
            if "does not belong to the document" not in str(error):
                raise
        if reload:
            driver.refresh()
        time.sleep(0.5)
    raise AssertionError(f"'{text}' did not appear on {driver.current_url}")


def retry(action, attempts=5):
    """Runs `action` again when the element it used was replaced under it
    (the log and a running execution refresh themselves)."""
    for attempt in range(attempts):
        try:
            return action()
        except (StaleElementReferenceException, WebDriverException) as error:
            replaced = isinstance(error, StaleElementReferenceException) or "does not belong to the document" in str(error)
            if not replaced or attempt == attempts - 1:
                raise
            time.sleep(0.3)



def call(method, path, body=None, key=None):
    """The API with the run's key (or another), JSON in and out."""
    request = urllib.request.Request(BASE + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": "Bearer " + (key or KEY), "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")

def check(condition, message):
    if not condition:
        raise AssertionError(message)


def csp_violations(driver):
    return [entry["message"] for entry in driver.get_log("browser") if "Content Security Policy" in entry["message"]]


def main():
    os.makedirs(ARTIFACTS, exist_ok=True)
    receiver_port = start_receiver()
    bait_port = start_receiver(Bait)
    driver = make_driver()
    wait = WebDriverWait(driver, 30)
    try:
        # 1. Unauthenticated: redirected to sign-in. A wrong key is refused.
        driver.get(BASE + "/app/automations")
        wait.until(EC.url_contains("/app/sign-in"))
        driver.find_element(By.ID, "api_key").send_keys("vx_wrong")
        driver.find_element(By.CSS_SELECTOR, "button[type=submit].primary").click()
        wait_for_text(driver, "That API key is not valid")
        shot(driver, "sign-in-error")
        # The keyboard alone: the key, then Enter.
        driver.find_element(By.ID, "api_key").send_keys(KEY + Keys.ENTER)
        # The overview is the landing page.
        wait.until(EC.url_contains("/app/overview"))
        check(driver.find_element(By.ID, "requests-accepted").text == "0", "a fresh store's overview counts requests")
        # Tab reaches the skip link first, then the navigation.
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
        focused = driver.switch_to.active_element
        check(focused.text == "Skip to content", f"first Tab focused {focused.text!r}")
        cookie = driver.get_cookie("vx_session")
        check(cookie is not None and cookie["httpOnly"] and cookie.get("sameSite") == "Strict", f"session cookie: {cookie}")
        print("signed in")
        shot(driver, "overview-first-start")
        driver.find_element(By.LINK_TEXT, "Automations").click()
        wait.until(EC.url_contains("/app/automations"))
        shot(driver, "automations-first-start")

        # 2. A new automation, with signing on, edited as JSON.
        driver.find_element(By.LINK_TEXT, "New automation").click()
        wait.until(EC.presence_of_element_located((By.ID, "definition")))
        driver.find_element(By.ID, "name").send_keys("Lead to CRM")
        definition = {
            "trigger": {"type": "webhook"},
            "steps": [
                {"id": "map", "type": "transform", "mappings": [
                    {"source": "trigger.contact.email", "target": "email"},
                    {"source": "trigger.first_name", "target": "first_name", "transform": "uppercase"}]},
                {"id": "crm", "type": "http_request", "url": f"http://127.0.0.1:{receiver_port}/leads",
                 "body": {"email": "{{mapped.email}}", "name": "{{mapped.first_name}}"}},
            ],
        }
        area = driver.find_element(By.ID, "definition")
        area.clear()
        # First an invalid step: the error shows beside the field.
        area.send_keys('{"trigger":{"type":"webhook"},"steps":[{"id":"crm","type":"http_request"}]}')
        driver.find_element(By.ID, "signing").click()
        driver.find_element(By.CSS_SELECTOR, "form button[type=submit].primary").click()
        wait.until(EC.presence_of_element_located((By.ID, "definition_error")))
        check('field "url"' in driver.find_element(By.ID, "definition_error").text, "validation error not beside the definition")
        shot(driver, "new-automation-validation-error")
        area = driver.find_element(By.ID, "definition")
        area.clear()
        area.send_keys(json.dumps(definition, indent=2))
        driver.find_element(By.CSS_SELECTOR, "form button[type=submit].primary").click()
        wait_for_text(driver, "shown only this once")
        secret = driver.find_element(By.ID, "secret-value").text
        check(secret.startswith("whsec_"), f"secret: {secret}")
        print("automation created with a signing secret")
        shot(driver, "automation-created-secret")

        # 3. Test Webhook: signed, through the real endpoint, to the execution.
        driver.find_element(By.ID, "send-test").click()
        wait.until(EC.url_contains("/app/executions/"))
        execution_url = driver.current_url.split("?")[0]
        execution_id = execution_url.rsplit("/", 1)[1]
        print(f"test webhook accepted: execution {execution_id}")
        # The page refreshes itself and reloads when the execution finishes.
        wait_for_text(driver, "Replay from failed step", timeout=40)
        wait_for_text(driver, "answered 400")
        shot(driver, "execution-failed")

        # 4. The log: find it, open it.
        driver.find_element(By.LINK_TEXT, "Executions").click()
        wait.until(EC.presence_of_element_located((By.ID, "log")))
        selector = f'a[href="/app/executions/{execution_id}"]'
        row_text = retry(lambda: driver.find_element(By.CSS_SELECTOR, selector).find_element(By.XPATH, "./ancestor::tr").text)
        check("Failed" in row_text and "Lead to CRM" in row_text, f"log row: {row_text}")
        shot(driver, "execution-log")
        retry(lambda: driver.find_element(By.CSS_SELECTOR, selector).click())
        wait.until(EC.url_contains(execution_id))
        wait_for_text(driver, "answered 400")
        shot(driver, "execution-detail")

        # 5. Replay from the failed step: the receiver now answers 200.
        retry(lambda: driver.find_element(By.ID, "replay-failed").click())
        wait.until(lambda d: execution_id not in d.current_url)
        wait_for_text(driver, "Replay started")
        def replay_status():
            try:
                return driver.find_element(By.CSS_SELECTOR, "#live dl dd .badge").text
            except (StaleElementReferenceException, NoSuchElementException):
                return ""
        deadline = time.time() + 40
        while time.time() < deadline and replay_status() not in ("✓ Completed", "✗ Failed", "☠ Dead Letter"):
            time.sleep(0.5)
        status = replay_status()
        check("Completed" in status, f"the replay ended as {status}")
        wait_for_text(driver, "2/2")
        check(Receiver.calls == 2, f"the receiver was called {Receiver.calls} times")
        print("replayed from the failed step: completed")
        shot(driver, "execution-replayed")

        # 6. The automations list with its executions; the sample's field paths.
        driver.find_element(By.LINK_TEXT, "Automations").click()
        wait_for_text(driver, "2 executions")
        shot(driver, "automations")
        driver.find_element(By.LINK_TEXT, "Lead to CRM").click()
        wait_for_text(driver, "trigger.contact.email")
        shot(driver, "automation-sample-fields")

        # 6b. The overview: the test webhook was one accepted request; its execution
        # failed and its replay completed, both charted as server-side SVG.
        driver.find_element(By.LINK_TEXT, "Overview").click()
        wait.until(EC.presence_of_element_located((By.ID, "executions-failed")))
        numbers = {name: driver.find_element(By.ID, name).text for name in
                   ("requests-accepted", "executions-received", "executions-completed", "executions-failed")}
        check(numbers == {"requests-accepted": "1", "executions-received": "2", "executions-completed": "1",
                          "executions-failed": "1"}, f"overview numbers: {numbers}")
        bars = driver.find_elements(By.CSS_SELECTOR, "svg.chart-svg rect")
        check(len(bars) >= 3, f"overview chart bars: {len(bars)}")
        check(driver.find_element(By.ID, "duration-p50").text not in ("", "—"), "no p50 on the overview")
        print(f"overview: {numbers}, {len(bars)} bars")
        shot(driver, "overview")

        # 6c. The request log: a sender's request (not the console's Test
        # webhook, which is no HTTP request) is there with its answer, and opens.
        status, listed = call("GET", "/api/v1/automations")
        check(status == 200 and listed["automations"], f"automations over the API: {status}")
        hook = listed["automations"][0]["webhook"]["url"]
        hook_path = urllib.parse.urlparse(hook).path
        sent = urllib.request.Request(BASE + hook_path, method="POST", data=b'{"contact":{"email":"ada@example.com"}}',
                                      headers={"Content-Type": "application/json", "User-Agent": "browser-test-sender"})
        try:
            with urllib.request.urlopen(sent, timeout=10) as response:
                hook_status = response.status
        except urllib.error.HTTPError as error:
            hook_status = error.code
        check(hook_status in (202, 401), f"the sender's request answered {hook_status}")
        driver.find_element(By.LINK_TEXT, "Requests").click()
        wait.until(EC.url_contains("/app/requests"))
        wait_for_text(driver, "Open ", reload=True)
        check(str(hook_status) in driver.find_element(By.CSS_SELECTOR, "td[data-label=Status]").text, "the log shows the answer")
        shot(driver, "request-log")
        driver.find_element(By.CSS_SELECTOR, "a.open-request").click()
        wait_for_text(driver, "ada@example.com")
        check("browser-test-sender" in driver.page_source, "the request's headers are shown")
        shot(driver, "request-detail")

        # 6d. Keys: create one (shown once), then revoke it after confirming.
        driver.find_element(By.LINK_TEXT, "API keys").click()
        driver.find_element(By.ID, "key-name").send_keys("browser-ci")
        driver.find_element(By.ID, "create-key").click()
        new_key = wait.until(EC.presence_of_element_located((By.ID, "new-key"))).text
        check(new_key.startswith("vx_"), f"the new key is shown once: {new_key[:3]}…")
        shot(driver, "keys-created")
        driver.get(BASE + "/app/keys")
        check(new_key not in driver.page_source, "the key is not shown again")
        revoke = [b for b in driver.find_elements(By.CSS_SELECTOR, "button[id^='revoke-']")
                  if "browser-ci" in b.find_element(By.XPATH, "./ancestor::tr").text]
        check(len(revoke) == 1, f"one revoke button for the new key: {len(revoke)}")
        revoke[0].click()
        wait.until(EC.alert_is_present()).accept()
        wait_for_text(driver, "Key revoked")
        status, _ = call("GET", "/api/v1/automations", key=new_key)
        check(status == 401, f"the revoked key answers {status}")
        shot(driver, "keys-revoked")

        # 6e. A bulk replay job (made over the API: the console offers one for
        # failed and dead-lettered work, and this run has none left), its page
        # refreshing until the job ends.
        status, body = call("POST", "/api/v1/executions/bulk-replay",
                            {"filter": {"status": ["completed"]}, "from": "start"})
        check(status == 202, f"bulk replay answered {status}: {body}")
        driver.get(BASE + "/app/bulk/" + body["bulk"]["id"])
        deadline = time.time() + 40
        while time.time() < deadline and driver.find_element(By.ID, "bulk-status").text == "running":
            time.sleep(0.5)
        check(driver.find_element(By.ID, "bulk-status").text == "completed", "the bulk replay completed")
        check(driver.find_element(By.ID, "bulk-progress").text == f"{body['bulk']['total']} of {body['bulk']['total']}",
              "the job's progress reached its total")
        print(f"bulk replay: {body['bulk']['total']} replayed")
        shot(driver, "bulk-replay")

        # 7. A phone's width: the log still reads as cards.
        driver.set_window_size(360, 800)
        driver.get(BASE + "/app/executions")
        wait.until(EC.presence_of_element_located((By.ID, "log")))
        overflow = driver.execute_script("return document.documentElement.scrollWidth > window.innerWidth + 1")
        check(not overflow, "the log scrolls sideways at 360 px")
        shot(driver, "execution-log-360px")
        driver.get(BASE + "/app/overview")
        wait.until(EC.presence_of_element_located((By.ID, "executions-failed")))
        overflow = driver.execute_script("return document.documentElement.scrollWidth > window.innerWidth + 1")
        check(not overflow, "the overview scrolls sideways at 360 px")
        shot(driver, "overview-360px")

        # 8. Hostile Unicode from a sender and in a name: escaped, never markup.
        driver.set_window_size(1280, 900)
        hostile_unicode(driver, wait, bait_port)

        violations = csp_violations(driver)
        check(not violations, f"CSP violations: {violations}")

        # 9. Sign out: the session ends.
        driver.set_window_size(1280, 900)
        driver.find_element(By.CSS_SELECTOR, "form.sign-out button").click()
        wait_for_text(driver, "You are signed out")
        driver.get(BASE + "/app/automations")
        wait.until(EC.url_contains("/app/sign-in"))
        print("signed out")
    except Exception:
        try:
            driver.save_screenshot(os.path.join(ARTIFACTS, "failure.png"))
            with open(os.path.join(ARTIFACTS, "failure.html"), "w") as handle:
                handle.write(driver.page_source)
        except Exception:
            pass
        raise
    finally:
        driver.quit()
    print("console browser test passed")


if __name__ == "__main__":
    sys.exit(main())
