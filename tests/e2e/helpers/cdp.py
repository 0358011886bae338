"""Headless Chromium driven over the DevTools protocol (websockets, already in the environment): for pages that need
a login, JavaScript to finish and their network watched — the Superset dashboard. Every request the page makes is
recorded, so a test can say it fetched nothing from outside the machine."""

from __future__ import annotations

import base64
import json
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.sync.client import connect

from tests.e2e.helpers.browser import FLAGS, chromium


class Page:
    def __init__(self, width: int = 1600, height: int = 1800):
        self._profile = tempfile.TemporaryDirectory(ignore_cleanup_errors=True)
        self._process = subprocess.Popen(
            [
                chromium(),
                *FLAGS,
                f"--user-data-dir={self._profile.name}",
                f"--window-size={width},{height}",
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self._profile.name) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            assert time.monotonic() < deadline, "Chromium did not open its DevTools port"
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        target = next(t for t in httpx.get(f"http://127.0.0.1:{port}/json").json() if t["type"] == "page")
        self._ws = connect(target["webSocketDebuggerUrl"], max_size=None).__enter__()
        self._next = 0
        self.events: list[dict] = []
        self.send("Page.enable")
        self.send("Network.enable")
        self.send("Runtime.enable")

    def send(self, method: str, **params: Any) -> dict:
        self._next += 1
        ident = self._next
        self._ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self._ws.recv(timeout=120))
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def goto(self, url: str) -> None:
        self.send("Page.navigate", url=url)
        self.wait_for("document.readyState === 'complete'")

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:80]}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 90) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.5)
        raise TimeoutError(f"the page never satisfied: {expression}")

    def outbound(self, base_url: str) -> list[tuple[str, str | None]]:
        """Every request the page began for anything but `base_url` (and inline data), with the reason the browser
        blocked it before it left (e.g. 'csp'), or None if it went out."""
        self.evaluate("1")
        blocked = {
            e["params"]["requestId"]: e["params"].get("blockedReason")
            for e in self.events
            if e.get("method") == "Network.loadingFailed"
        }
        return [
            (e["params"]["request"]["url"], blocked.get(e["params"]["requestId"]))
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent"
            and not e["params"]["request"]["url"].startswith((base_url, "data:", "blob:", "about:"))
        ]

    def response_bodies(self, url_part: str) -> list[str]:
        """The bodies of the responses whose URL holds `url_part`, in the order they arrived."""
        self.evaluate("1")
        ids = [
            e["params"]["requestId"]
            for e in self.events
            if e.get("method") == "Network.responseReceived" and url_part in e["params"]["response"]["url"]
        ]
        bodies = []
        for request_id in ids:
            body = self.send("Network.getResponseBody", requestId=request_id)
            bodies.append(base64.b64decode(body["body"]).decode() if body["base64Encoded"] else body["body"])
        return bodies

    def screenshot(self, png: Path) -> Path:
        png.write_bytes(base64.b64decode(self.send("Page.captureScreenshot", format="png")["data"]))
        return png

    def close(self) -> None:
        self._ws.close()
        self._process.terminate()
        self._process.wait(timeout=30)
        self._profile.cleanup()

    def __enter__(self) -> Page:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
