"""Headless Chromium over the DevTools protocol (onestop.report.chromium, which makes the report's PDF), with what
tests also read: every request the page began, and the bodies of the responses it received."""

from __future__ import annotations

import base64

from onestop.report import chromium


class Page(chromium.Page):
    def outbound(self, base_url: str) -> list[tuple[str, str | None]]:
        """Every request the page began for anything but `base_url` (and inline data), with the reason the browser
        blocked it before it left (e.g. 'csp'), or None if it went out."""
        self.evaluate("1")  # collect the events that arrived since the last command
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
