"""Offline stand-ins for HTTP: replay hand-written payloads without opening a socket.

`FakeSession` replaces the session argument of the source functions; `FakeAdapter` sits under a
real (cached) session so requests-cache runs its own code on top of a canned answer.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import Any

import requests
import urllib3
from requests.adapters import BaseAdapter, HTTPAdapter


def make_response(
    status: int = 200,
    body: str | bytes | dict | list = "",
    *,
    headers: Mapping[str, str] | None = None,
    url: str = "https://example.test/",
) -> requests.Response:
    """A real `requests.Response`, so `.text`, `.json()` and `.headers` behave as in production."""
    if isinstance(body, dict | list):
        body = json.dumps(body)
    content = body.encode() if isinstance(body, str) else body
    response = requests.Response()
    response.status_code = status
    response._content = content
    response.headers.update(headers or {})
    response.encoding = "utf-8"
    response.url = url
    return response


class FakeSession:
    """Answers each `get` with the next queued response (or raises it if it is an exception)."""

    def __init__(self, *answers: requests.Response | Exception):
        self.answers = list(answers)
        self.calls: list[dict[str, Any]] = []

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        self.calls.append({"url": url, **kwargs})
        if not self.answers:
            raise AssertionError(f"unexpected request to {url}")
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


class FakeAdapter(BaseAdapter):
    """A transport adapter that serves a fixed body and counts how often it was reached."""

    def __init__(self, body: bytes, status: int = 200, content_type: str = "text/csv"):
        super().__init__()
        self.body = body
        self.status = status
        self.content_type = content_type
        self.sent: list[requests.PreparedRequest] = []
        self.fail_with: Exception | None = None

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.sent.append(request)
        if self.fail_with is not None:
            raise self.fail_with
        raw = urllib3.HTTPResponse(
            body=io.BytesIO(self.body),
            headers={"Content-Type": self.content_type},
            status=self.status,
            preload_content=False,
            request_url=request.url,
        )
        return HTTPAdapter().build_response(request, raw)

    def close(self) -> None:
        pass
