"""The dashboard, end to end (run: python3 -m pytest -q scripts/test_dashboard.py).

Starts `gridshell demo` (1,000 simulated miners through Winter Storm Uri, one 15-minute
interval every 0.5 s), opens the dashboard in headless Chromium with the operator's token,
and checks that the numbers render and move, that Chart.js drew the charts, that a
curtailment made through the page reaches the API with its reason and shows in the
overrides list, that a viewer sees no controls, and that the demo stops cleanly on SIGTERM.
A screenshot goes to out/dashboard.png.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BINARIES = [ROOT / ".build/debug/gridshell", ROOT / ".build/release/gridshell"]
CHROMEDRIVER = "/usr/bin/chromedriver"
GROUP = "s19jpro-stock"


def wait_for(what, check, timeout=30.0, interval=0.2):
    """Polls `check` until it returns something truthy; fails naming `what` at the deadline."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = check()
            if value:
                return value
        except Exception as e:  # noqa: BLE001 - a page mid-render may raise; retry until the deadline
            last_error = e
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}" + (f" (last error: {last_error!r})" if last_error else ""))


class Demo:
    def __init__(self, binary: Path, workdir: Path):
        self.ready_file = workdir / "ready.json"
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [str(binary), "demo", "--port", "0", "--ready-file", str(self.ready_file), "--db", str(workdir / "d.sqlite"), "--seconds", "120",
             "--rpc-port", "24228", "--web-port", "28280"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line)

    def output(self) -> str:
        return "".join(self.lines)

    def field(self, pattern: str) -> str | None:
        m = re.search(pattern, self.output())
        return m.group(1) if m else None

    def start(self):
        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"gridshell demo exited with {self.proc.returncode}:\n{self.output()}")
            return self.ready_file.exists() and self.field(r"Viewer token:\s+(\S+)")
        wait_for("the demo's ready file and tokens", ready, timeout=120)
        self.url = json.loads(self.ready_file.read_text())["url"].rstrip("/") + "/"
        self.dashboard = self.field(r"Dashboard \(operator\):\s+(\S+)")
        self.operator = self.dashboard.split("#token=", 1)[1]
        self.admin = self.field(r"Admin token:\s+(\S+)")
        self.viewer = self.field(r"Viewer token:\s+(\S+)")
        assert self.dashboard.startswith(self.url), (self.dashboard, self.url)

    def api(self, method: str, path: str, token: str | None, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url.rstrip("/") + path, data=data, method=method)
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    binary = next((b for b in BINARIES if b.exists()), None)
    if binary is None:
        pytest.skip("no gridshell binary: build it first (swift build --product gridshell, or make test)")
    d = Demo(binary, tmp_path_factory.mktemp("dashboard"))
    try:
        d.start()
        yield d
    finally:
        if d.proc.poll() is None:
            d.proc.kill()
            d.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    if not os.path.exists(CHROMEDRIVER):
        pytest.skip(f"no chromedriver at {CHROMEDRIVER} (apt-get install chromium-driver)")
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1440,1000", "--force-device-scale-factor=1"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def text(driver, element_id: str) -> str:
    return driver.find_element("id", element_id).text.strip()


def rendered(driver, element_id: str) -> str | None:
    t = text(driver, element_id)
    return t if t and t != "—" else None


def test_api_rejects_an_action_without_a_token(demo):
    with pytest.raises(urllib.error.HTTPError) as caught:
        demo.api("POST", "/api/v1/actions/curtail", None, {"group": GROUP, "reason": "no token"})
    assert caught.value.code == 401
    error = json.loads(caught.value.read())["error"]
    assert error["status"] == 401 and error["message"]


def test_dashboard_live_charts_and_operator_action(demo, browser):
    from selenium.webdriver.support.ui import Select

    browser.get(demo.dashboard)
    # The token leaves the address bar once read.
    wait_for("the token to leave the URL", lambda: "token=" not in browser.current_url)
    wait_for("the caller's role", lambda: text(browser, "who-role") == "operator")

    first = wait_for("the numbers to render", lambda: all(rendered(browser, i) for i in ("site-time", "interval", "net-today"))
                     and {i: text(browser, i) for i in ("site-time", "interval", "net-today")})
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", first["site-time"]), first
    assert re.fullmatch(r"\d+ of \d+", first["interval"]), first
    for i in ("site-time", "interval", "net-today"):
        wait_for(f"#{i} to move on from {first[i]!r}", lambda i=i: text(browser, i) != first[i], timeout=30)
    assert int(wait_for("miners counted", lambda: rendered(browser, "miners-total"))) == 1000

    # Chart.js drew every chart, with data in the time series.
    charts = wait_for("the charts to have data", lambda: (lambda c: c if c["power"] > 2 and c["price"] > 2 else None)(browser.execute_script("""
        const n = (id) => { const c = Chart.getChart(document.getElementById(id)); return c ? c.data.datasets[0].data.length : -1; };
        return {power: n('chart-power'), price: n('chart-price'), miners: n('chart-miners'), ledger: n('chart-ledger'),
                events: Chart.getChart(document.getElementById('chart-events')) ? 1 : -1,
                version: Chart.version};
    """)))
    assert charts["version"].startswith("3."), charts
    assert charts["miners"] == 6 and charts["ledger"] >= 0 and charts["events"] == 1, charts

    # An operator curtails a group through the page.
    assert browser.find_element("id", "controls").is_displayed()
    reason = f"dashboard test {uuid.uuid4().hex[:8]}: transformer check"
    wait_for("the group picker", lambda: GROUP in [o.get_attribute("value") for o in Select(browser.find_element("id", "curtail-group")).options])
    Select(browser.find_element("id", "curtail-group")).select_by_value(GROUP)
    minutes = browser.find_element("id", "curtail-minutes")
    minutes.clear()
    minutes.send_keys("1440")
    browser.find_element("id", "curtail-reason").send_keys(reason)
    browser.find_element("id", "curtail-submit").click()
    result = wait_for("the action's result", lambda: rendered(browser, "action-result"))
    assert "Curtailed " + GROUP in result and "ok" in browser.find_element("id", "action-result").get_attribute("class"), result

    # The API has it, with the reason, made by the operator.
    status, overrides = demo.api("GET", "/api/v1/overrides", demo.admin)
    assert status == 200
    mine = [o for o in overrides if o["reason"] == reason]
    assert len(mine) == 1, overrides
    assert mine[0]["kind"] == "curtail-group" and mine[0]["group"] == GROUP and mine[0]["createdBy"] == "demo-operator", mine
    assert not mine[0].get("cancelledAt")
    wait_for("the override in #overrides", lambda: reason in text(browser, "overrides") and "in force" in text(browser, "overrides"))

    # A screenshot of the whole page, charts drawn.
    height, chrome = browser.execute_script(
        "return [Math.ceil(document.documentElement.scrollHeight), window.outerHeight - window.innerHeight]")
    browser.set_window_size(1440, min(max(height + chrome + 8, 1000), 4000))
    browser.execute_script("window.scrollTo(0, 0)")
    wait_for("the charts to settle at the new size", lambda: browser.execute_script(
        "return Chart.getChart(document.getElementById('chart-power')).width > 0"))
    out = ROOT / "out"
    out.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(out / "dashboard.png"))
    browser.set_window_size(1440, 1000)

    # The same again is refused (409), and the page says why.
    browser.find_element("id", "curtail-submit").click()
    wait_for("the API's refusal on the page", lambda: "409" in text(browser, "action-result") and "curtailed already" in text(browser, "action-result"))
    assert "error" in browser.find_element("id", "action-result").get_attribute("class")

    # The plan puts the group to sleep.
    wait_for("the curtailed group's miners asleep", lambda: int(text(browser, "miners-sleep") or 0) >= 250, timeout=30)


def test_viewer_sees_no_controls(demo, browser):
    # Another path, so the page loads afresh with the viewer's token in its fragment.
    browser.get(demo.url + "dashboard#token=" + demo.viewer)
    wait_for("the viewer's role", lambda: text(browser, "who-role") == "viewer")
    wait_for("the numbers to render", lambda: rendered(browser, "site-time"))
    assert not browser.find_element("id", "controls").is_displayed()
    assert not browser.find_element("id", "curtail-submit").is_displayed()
    # The viewer still sees the overrides.
    wait_for("overrides listed for the viewer", lambda: GROUP in text(browser, "overrides"))


def test_page_script_raised_no_errors(browser):
    # The refused curtailment (409) shows as a failed load; anything else is a fault in the page.
    errors = [e["message"] for e in browser.get_log("browser")
              if e["level"] == "SEVERE" and "Failed to load resource" not in e["message"]]
    assert not errors, errors


def test_demo_stops_cleanly_on_sigterm(demo):
    if demo.proc.poll() is None:
        demo.proc.send_signal(signal.SIGTERM)
    try:
        code = demo.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("gridshell demo did not stop within 30 s of SIGTERM")
    assert code == 0, demo.output()[-4000:]
