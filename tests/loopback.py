"""A scripted HTTP server on 127.0.0.1 for fault tests, and a transport that sends the sources'
real URLs to it.

The sources build their own `https://<host>/<path>` URLs and take the HTTP session as their seam,
so nothing in them changes for a test: `LoopbackServer.session()` mounts `LoopbackAdapter` on a
session, which sends `https://fred.stlouisfed.org/graph/fredgraph.csv?id=X` over a real socket as
`http://127.0.0.1:<port>/fred.stlouisfed.org/graph/fredgraph.csv?id=X` and hands back the answer
under the original URL (so requests-cache keys and stores the real URL, as in production).

Each URL (scheme and query ignored) has a queue of answers: they are played in order and the
last one repeats. An answer is an `Answer` or a function of the request that returns one:

    server.route(fred.FRED_CSV_URL, too_many(retry_after=1), ok(csv, "text/csv"))
    server.route(sec_url, lambda seen: ok(payload_for(seen.query["id"])))

Faults: `hang` (answers after a delay: a timeout for the client), `status` (e.g. 500, or 429 with
Retry-After), `truncated` (announces the whole body, sends part of it, closes), `chunked_cut`
(chunked transfer that stops mid-chunk), `html` (a block page, 200 unless told).

The server is also an HTTPS proxy that refuses every tunnel (CONNECT gets `tunnel_status`), for
clients that bring their own transport (yfinance's curl_cffi) and honour HTTPS_PROXY.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import requests
from requests.adapters import HTTPAdapter

BLOCK_PAGE = (
    b"<!DOCTYPE html><html><head><title>Access Denied</title></head>"
    b"<body><h1>Access Denied</h1><p>Reference #18.5f3b</p></body></html>"
)


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0  # seconds before the status line is sent
    cut: int | None = None  # send only this many body bytes, then close the connection
    chunked: bool = False  # Transfer-Encoding: chunked instead of Content-Length


@dataclass(frozen=True)
class Seen:
    """One request as the server received it."""

    at: float  # time.monotonic() on arrival
    url: str  # the original https URL, without the query
    query: dict[str, str]
    headers: dict[str, str]
    raw_path: str  # the request target on the wire, query included


Responder = Answer | Callable[[Seen], Answer]


def ok(body: bytes | str, content_type: str = "application/json") -> Answer:
    return Answer(200, _bytes(body), (("Content-Type", content_type),))


def status(code: int, body: bytes | str = b"", **headers: str) -> Answer:
    """`status(429, Retry_After="2")`: underscores in header names become dashes."""
    pairs = tuple((name.replace("_", "-"), value) for name, value in headers.items())
    return Answer(code, _bytes(body), (("Content-Type", "text/plain"), *pairs))


def too_many(retry_after: int | None = None) -> Answer:
    headers = {} if retry_after is None else {"Retry_After": str(retry_after)}
    return status(429, "Too Many Requests", **headers)


def hang(seconds: float) -> Answer:
    """A 200 with an empty body, sent only after `seconds`."""
    return Answer(delay=seconds)


def truncated(body: bytes | str) -> Answer:
    """Content-Length of the whole body, then half of it and a closed socket."""
    data = _bytes(body)
    return Answer(200, data, (("Content-Type", "text/plain"),), cut=len(data) // 2)


def chunked_cut(body: bytes | str) -> Answer:
    """One chunk announced at the body's length, half of it sent, then a closed socket."""
    return replace(truncated(body), chunked=True)


def html(code: int = 200) -> Answer:
    return Answer(code, BLOCK_PAGE, (("Content-Type", "text/html; charset=utf-8"),))


def _bytes(body: bytes | str) -> bytes:
    return body.encode() if isinstance(body, str) else body


def url_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}{parts.path}"


@dataclass
class _Route:
    answers: list[Responder] = field(default_factory=list)

    def next(self) -> Responder:
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


class LoopbackServer:
    """A ThreadingHTTPServer on a free 127.0.0.1 port; use as a context manager."""

    def __init__(self):
        self._routes: dict[str, _Route] = {}
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self.seen: list[Seen] = []
        self.tunnel_status = 403
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                owner._serve(self)

            def do_CONNECT(self):  # noqa: N802
                owner._refuse_tunnel(self)

            def log_message(self, format, *args):  # noqa: A002  (keep test output quiet)
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        # A client that gave up (a timeout) leaves the handler writing into a closed socket.
        self._httpd.handle_error = lambda request, address: None
        self.base = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        # A short poll interval: shutdown() waits up to one interval, once per test.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._closing.set()  # wakes handlers that are still delaying an answer
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    # -- scripting -----------------------------------------------------------------------------
    def route(self, url: str, *answers: Responder) -> None:
        """Answer requests for `url` (any query) with `answers` in order; the last one repeats."""
        if not answers:
            raise ValueError("a route needs at least one answer")
        with self._lock:
            self._routes[url_key(url)] = _Route(list(answers))

    def requests_for(self, url: str) -> list[Seen]:
        key = url_key(url)
        return [s for s in self.seen if url_key(s.url) == key]

    def session(self, session: requests.Session | None = None, **adapter) -> requests.Session:
        """`session` (default a plain one) with every https URL sent to this server."""
        session = session or requests.Session()
        session.mount("https://", LoopbackAdapter(self.base, **adapter))
        return session

    # -- serving -------------------------------------------------------------------------------
    def _refuse_tunnel(self, handler: BaseHTTPRequestHandler) -> None:
        seen = Seen(time.monotonic(), f"connect://{handler.path}", {}, dict(handler.headers), "")
        with self._lock:
            self.seen.append(seen)
        handler.send_response(self.tunnel_status)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
        handler.close_connection = True

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        target = urlsplit(handler.path)
        host, _, path = target.path.lstrip("/").partition("/")
        seen = Seen(
            at=time.monotonic(),
            url=f"https://{host}/{path}",
            query=dict(parse_qsl(target.query)),
            headers=dict(handler.headers.items()),
            raw_path=handler.path,
        )
        with self._lock:
            self.seen.append(seen)
            route = self._routes.get(f"{host}/{path}")
            responder = route.next() if route else status(404, f"no route for {host}/{path}")
        answer = responder(seen) if callable(responder) else responder
        if answer.delay and self._closing.wait(answer.delay):
            return
        handler.send_response(answer.status)
        for name, value in answer.headers:
            handler.send_header(name, value)
        if answer.chunked:
            handler.send_header("Transfer-Encoding", "chunked")
        else:
            handler.send_header("Content-Length", str(len(answer.body)))
        handler.send_header("Connection", "close")
        handler.end_headers()
        body = answer.body if answer.cut is None else answer.body[: answer.cut]
        if answer.chunked:
            # One chunk announced at full length, cut short when `cut` is set.
            handler.wfile.write(f"{len(answer.body):x}\r\n".encode() + body)
            if answer.cut is None:
                handler.wfile.write(b"\r\n0\r\n\r\n")
        else:
            handler.wfile.write(body)
        handler.wfile.flush()
        handler.close_connection = True


class LoopbackAdapter(HTTPAdapter):
    """Sends each https request to the loopback server over a real socket.

    `max_timeout` caps the read timeout the caller asked for, so a hung answer is detected in a
    fraction of a second instead of the production 20 s; the timeouts asked for are kept in
    `timeouts`, so a test can check that a source never sends a request without one. `sent`
    holds the time.monotonic() of each send: the spacing the client's rate limiter produced,
    free of the server threads' scheduling delays.
    """

    def __init__(self, base: str, max_timeout: float = 0.3):
        super().__init__()
        self.base = base
        self.max_timeout = max_timeout
        self.timeouts: list[object] = []
        self.sent: list[float] = []

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        self.sent.append(time.monotonic())
        self.timeouts.append(timeout)
        original = request.url
        parts = urlsplit(original)
        routed = request.copy()
        routed.url = f"{self.base}/{parts.hostname}{parts.path}" + (
            f"?{parts.query}" if parts.query else ""
        )
        connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
        capped = (
            min(connect or self.max_timeout, self.max_timeout),
            min(read or self.max_timeout, self.max_timeout),
        )
        response = super().send(routed, stream, capped, verify, cert, proxies)
        response.url = original
        response.request = request
        return response
