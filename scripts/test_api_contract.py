"""The API against its own OpenAPI document, fuzzed by schemathesis, with a live `gridshell demo`
behind it (1,000 simulated miners, the control loop running): no server error, every status
and content type as documented. Also the document's paths against the routes the server
really answers."""
import json
import os
import signal
import subprocess
import tempfile
import time
import urllib.request
import urllib.error

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def binary():
    for b in (".build/debug/gridshell", ".build/release/gridshell"):
        path = os.path.join(ROOT, b)
        if os.access(path, os.X_OK):
            return path
    pytest.fail("no gridshell binary: make test builds it first")


@pytest.fixture(scope="module")
def demo():
    tmp = tempfile.mkdtemp()
    ready = os.path.join(tmp, "ready")
    out = open(os.path.join(tmp, "out"), "w+")
    proc = subprocess.Popen(
        [binary(), "demo", "--port", "0", "--ready-file", ready, "--db", os.path.join(tmp, "d.sqlite"), "--seconds", "300",
         "--rpc-port", "24128", "--web-port", "28180"],
        cwd=ROOT, stdout=out, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while not (os.path.exists(ready) and os.path.getsize(ready) > 0):
        assert proc.poll() is None, "gridshell demo stopped before it listened"
        assert time.time() < deadline, "gridshell demo did not listen within 120 s"
        time.sleep(0.1)
    url = json.load(open(ready))["url"]
    tokens = {}
    while len(tokens) < 2 and time.time() < deadline:
        out.seek(0)
        for line in out.read().splitlines():
            if "Admin token:" in line:
                tokens["admin"] = line.split()[-1]
            if "Viewer token:" in line:
                tokens["viewer"] = line.split()[-1]
        time.sleep(0.1)
    yield url, tokens
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 0


def get(url, token=None):
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def test_schemathesis_finds_no_server_error_and_no_undocumented_status(demo):
    url, tokens = demo
    result = subprocess.run(
        ["st", "run", url + "api/v1/openapi.json", "--url", url, "-H", f"Authorization: Bearer {tokens['admin']}",
         "--checks", "not_a_server_error,status_code_conformance,content_type_conformance",
         "--max-examples", "15", "--seed", "1", "--no-color"],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout


def test_the_live_server_refuses_what_it_should(demo):
    url, tokens = demo
    status, body = get(url + "api/v1/state")
    assert status == 401 and body["error"]["code"] == "unauthenticated"
    status, body = get(url + "api/v1/audit", tokens["viewer"])
    assert status == 403 and "admin" in body["error"]["message"]
    status, body = get(url + "api/v1/state", tokens["viewer"])
    assert status == 200 and body["site"].startswith("Demo hybrid campus")
    req = urllib.request.Request(url + "api/v1/actions/cap", data=b'{"mw": -1, "minutes": 5, "reason": "x"}', method="POST",
                                 headers={"Authorization": f"Bearer {tokens['admin']}", "Content-Type": "application/json"})
    try:
        urllib.request.urlopen(req, timeout=10)
        assert False, "a negative cap was accepted"
    except urllib.error.HTTPError as e:
        assert e.code == 422 and "mw must be" in json.loads(e.read())["error"]["message"]
