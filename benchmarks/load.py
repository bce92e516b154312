"""Load: N concurrent sessions open random views of every page on one server, for a fixed time.

    .venv/bin/python benchmarks/load.py [--sessions 20] [--seconds 60] [--clients websocket|browser]
        [--think 10] [--seed 1] [--pack PATH] [--out benchmarks/RESULTS.md] [--no-write]

Starts `streamlit run app.py` on a loopback port (headless, the data pack, a fresh store of its
own, no secrets), opens each page once so every view after that runs on a started server, then
runs --sessions concurrent sessions for --seconds. Each session repeatedly opens a random page
with random valid filters in the URL (as a shared link would), waits until the page finished,
notes the time and any error, then pauses a random 0 … 2 × --think seconds: a reader, 10 s on
average by default. (Every view costs the server about 0.3 s of its one busy core, see RESULTS.md,
so with pauses of 1 s twenty sessions ask for more views than one Streamlit process can serve
and view times grow with the queue: `--think 1` shows that saturation.)

- `--clients browser`: each session is a headless Chromium tab (Playwright, Debian's Chromium,
  one browser, a context per session). A view is timed from navigation until the script finished
  and every Plotly chart drew (STREAMLIT.md §4.3); errors are exception and error-alert elements,
  JavaScript errors and timeouts.
- `--clients websocket`: each session speaks Streamlit's own protocol (BackMsg/ForwardMsg over
  /_stcore/stream) the way the frontend does: a new connection per view, a rerun request with the
  page and query string, then every message until "script finished". Nothing is drawn, so this
  measures the server alone. Errors are exception and error-alert elements, "page not found" and
  timeouts.

Both count a new Streamlit session per view, like opening a link. Every 0.5 s the server's
resident memory (its whole process tree, /proc) is sampled, with the CPU time used by the server,
by the clients (this process and its children: Playwright, Chromium) and by everything else on
the machine, so the report says where the time went. Targets (issue 8): 20 concurrent sessions,
zero errors, p95 under 3 s, server memory under 1 GB (Community Cloud's smaller tier). Session
count and view times are judged on the websocket run only: Chromium tabs run on the server's own
cores here, so their times measure the browsers as much as the app.

Writes its tables under "## Load (websocket clients)" or "## Load (Chromium)" in --out.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import datetime as dt
import functools
import os
import platform
import random
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
from common import RESULTS, check, default_pack, publish

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from liquidity import DataPack
from liquidity.analytics import baskets
from liquidity.analytics.divergence import RELATIVE_MODES
from liquidity.analytics.net_liquidity import VARIANTS
from liquidity.analytics.price_of_money import LINES
from liquidity.core import catalog
from tests.appserver import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    ERROR_ALERT,
    EXCEPTION,
    READY,
    RUNNING_ICON,
    VIEWPORT,
    is_local,
    machine_busy,
    process_tree,
    streamlit_server,
    usage,
)

HEADINGS = {"websocket": "## Load (websocket clients)", "browser": "## Load (Chromium)"}
TIMEOUT_S = 60.0
TODAY = dt.date.today()
# Every Plotly chart on the page has drawn its SVG.
CHARTS_DRAWN = (
    "() => [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
    ".every(c => c.querySelector('.main-svg'))"
)
# Seconds from navigation until the page's HTML and scripts were loaded (Navigation Timing).
LOADED_S = "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd / 1000"


@functools.cache
def page_constant(script: str, name: str):
    """A literal constant of a page script, read from its source (running it needs a server)."""
    for node in ast.parse((REPO / script).read_text()).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == name:
            return ast.literal_eval(node.value)
    raise LookupError(f"{script} has no literal {name}")


# -- random valid views -----------------------------------------------------------------------


def some(rng: random.Random, options, at_least: int = 1) -> list[str]:
    options = list(options)
    return rng.sample(options, rng.randint(at_least, len(options)))


def day_between(rng: random.Random, lo: dt.date, hi: dt.date) -> dt.date:
    return lo + dt.timedelta(days=rng.randint(0, (hi - lo).days))


def date_range(rng: random.Random, lo: dt.date) -> list[tuple[str, str]]:
    start = day_between(rng, lo, TODAY - dt.timedelta(days=30))
    end = day_between(rng, start + dt.timedelta(days=30), TODAY)
    return [("range", start.isoformat()), ("range", end.isoformat())]


def multi(key: str, values: list[str]) -> list[tuple[str, str]]:
    return [(key, v) for v in values]


def overview(rng):
    asof = day_between(rng, dt.date(2015, 1, 1), TODAY)
    return [*date_range(rng, dt.date(2003, 1, 1)), ("asof", asof.isoformat())]


def capex(rng):
    return [
        *multi("companies", some(rng, catalog.HYPERSCALERS)),
        ("metric", rng.choice(page_constant("pages/1_capex.py", "METRICS"))),
        ("mode", rng.choice(["quarterly", "ttm"])),
        ("basis", rng.choice(["gross", "net"])),
        *date_range(rng, dt.date(2008, 1, 1)),
    ]


def liquidity(rng):
    script = "pages/2_liquidity.py"
    return [
        *date_range(rng, dt.date(2003, 1, 1)),
        ("variant", rng.choice(list(VARIANTS))),
        ("unit", rng.choice(list(page_constant(script, "UNITS")))),
        ("smooth", rng.choice(list(page_constant(script, "SMOOTHING")))),
        *multi("lines", some(rng, LINES)),
    ]


def divergence(rng):
    window = date_range(rng, dt.date(2010, 1, 1))
    base = day_between(rng, dt.date.fromisoformat(window[0][1]), TODAY)
    return [
        *window,
        ("base", base.isoformat()),
        *multi("spec", some(rng, baskets.SPECULATIVE)),
        *multi("memory", some(rng, baskets.MEMORY)),
        ("bench", rng.choice(baskets.BENCHMARKS)),
        ("relative", rng.choice(list(RELATIVE_MODES))),
        ("window", rng.choice(page_constant("pages/3_divergence.py", "WINDOWS"))),
        ("constituents", rng.choice(["true", "false"])),
        ("event", day_between(rng, dt.date(2020, 1, 1), TODAY).isoformat()),
    ]


def liquidations(rng):
    script = "pages/4_liquidations.py"
    return [
        ("symbol", rng.choice(liquidations.SYMBOLS)),
        ("bucket", rng.choice(list(page_constant(script, "BUCKETS")))),
        *date_range(rng, dt.date(2024, 1, 1)),
        *multi("venues", some(rng, page_constant(script, "VENUES"))),
        ("move", rng.choice(page_constant(script, "MOVES"))),
        ("multiple", rng.choice(page_constant(script, "MULTIPLES"))),
    ]


def data(rng, keys: list[str]):
    kinds = some(rng, catalog.KINDS)
    shown = [k for k in keys if k.split("/")[0] in kinds]
    params = multi("kinds", kinds)
    if shown:
        params += [("dataset", rng.choice(shown)), *date_range(rng, dt.date(2000, 1, 1))]
    return params


# URL path -> random filters for it (the path is the page's name in Streamlit's pages/ layout).
VIEWS = {
    "": overview,
    "capex": capex,
    "liquidity": liquidity,
    "divergence": divergence,
    "liquidations": liquidations,
    "data": None,  # needs the pack's keys: bound in main()
}


# -- measurements ------------------------------------------------------------------------------


@dataclass
class View:
    path: str
    query: str
    seconds: float
    errors: list[str]
    # Browser only, seconds from navigation: HTML and scripts loaded, script finished running.
    phases: tuple[float, float] | None = None


@dataclass
class Monitor:
    """Samples the server's memory and everyone's CPU time in a thread while the load runs."""

    server_pid: int
    interval: float = 0.5
    rss_mb: list[float] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def cpu(self) -> tuple[float, float, float]:
        """CPU seconds so far: (server tree, client tree, the whole machine)."""
        server = set(process_tree(self.server_pid))
        clients = set(process_tree(os.getpid())) - server
        return usage(server)[1], usage(clients)[1], machine_busy()

    def __enter__(self) -> Monitor:
        self.start_cpu, self.start_t = self.cpu(), time.monotonic()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.rss_mb.append(usage(process_tree(self.server_pid))[0])

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.rss_mb.append(usage(process_tree(self.server_pid))[0])
        end = self.cpu()
        self.elapsed = time.monotonic() - self.start_t
        self.cpu_s = [b - a for a, b in zip(self.start_cpu, end, strict=True)]


# -- websocket clients -------------------------------------------------------------------------


async def websocket_view(base: str, path: str, query: str) -> View:
    """Open one view as the frontend would: new session, rerun request, read to the end."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.asyncio.client import connect

    errors: list[str] = []
    t0 = time.perf_counter()
    try:
        async with asyncio.timeout(TIMEOUT_S):
            url = base.replace("http://", "ws://") + "/_stcore/stream"
            async with connect(url, subprotocols=["streamlit"], max_size=None) as ws:
                request = BackMsg()
                request.rerun_script.query_string = query
                request.rerun_script.page_name = path
                await ws.send(request.SerializeToString())
                while True:
                    msg = ForwardMsg()
                    msg.ParseFromString(await ws.recv())
                    kind = msg.WhichOneof("type")
                    if kind == "page_not_found":
                        errors.append(f"page not found: {path!r}")
                    elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                        errors.extend(element_errors(msg.delta.new_element))
                    elif kind == "script_finished":
                        if msg.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                            errors.append(f"script finished with status {msg.script_finished}")
                        break
    except TimeoutError:
        errors.append(f"timeout after {TIMEOUT_S:.0f} s")
    except OSError as exc:
        errors.append(f"connection failed: {exc}")
    return View(path, query, time.perf_counter() - t0, errors)


def element_errors(element) -> list[str]:
    from streamlit.proto.Alert_pb2 import Alert

    kind = element.WhichOneof("type")
    if kind == "exception":
        return [f"exception: {element.exception.type}: {element.exception.message}"]
    if kind == "alert" and element.alert.format == Alert.ERROR:
        return [f"error alert: {element.alert.body}"]
    return []


async def websocket_session(base, deadline, rng, think, views) -> None:
    await asyncio.sleep(rng.uniform(0, think))  # arrivals spread over the first moments
    while time.monotonic() < deadline:
        path, query = random_view(rng)
        views.append(await websocket_view(base, path, query))
        await asyncio.sleep(rng.uniform(0, 2 * think))


# -- Chromium ----------------------------------------------------------------------------------


async def offline(route) -> None:
    if is_local(route.request.url):
        await route.continue_()
    else:
        await route.abort("internetdisconnected")


async def browser_view(tab, base: str, path: str, query: str, js_errors: list[str]) -> View:
    errors: list[str] = []
    js_errors.clear()
    phases = None
    timeout_ms = TIMEOUT_S * 1000
    t0 = time.perf_counter()
    try:
        await tab.goto(f"{base}/{path}?{query}", wait_until="commit", timeout=timeout_ms)
        await tab.wait_for_selector(READY, timeout=timeout_ms)
        await tab.wait_for_selector(RUNNING_ICON, state="detached", timeout=timeout_ms)
        finished = time.perf_counter() - t0
        await tab.wait_for_function(CHARTS_DRAWN, timeout=timeout_ms)
        seconds = time.perf_counter() - t0
        loaded = await tab.evaluate(LOADED_S)
        phases = (loaded, finished)
        errors += [f"exception: {t}" for t in await tab.locator(EXCEPTION).all_inner_texts()]
        errors += [f"error alert: {t}" for t in await tab.locator(ERROR_ALERT).all_inner_texts()]
    except Exception as exc:  # noqa: BLE001  (Playwright's timeout and navigation errors)
        seconds = time.perf_counter() - t0
        errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
    errors += [f"JavaScript: {e}" for e in js_errors]
    return View(path, query, seconds, errors, phases)


async def browser_session(browser, base, deadline, rng, think, views) -> None:
    context = await browser.new_context(viewport=VIEWPORT)
    await context.route("**/*", offline)
    tab = await context.new_page()
    js_errors: list[str] = []
    tab.on("pageerror", lambda exc: js_errors.append(str(exc)))
    try:
        await asyncio.sleep(rng.uniform(0, think))
        while time.monotonic() < deadline:
            path, query = random_view(rng)
            views.append(await browser_view(tab, base, path, query, js_errors))
            await asyncio.sleep(rng.uniform(0, 2 * think))
    finally:
        await context.close()


# -- the run -----------------------------------------------------------------------------------


def random_view(rng: random.Random) -> tuple[str, str]:
    path = rng.choice(list(VIEWS))
    return path, urlencode(VIEWS[path](rng))


async def drive(args, base: str) -> tuple[list[View], list[View], Monitor]:
    first = [await websocket_view(base, path, "") for path in VIEWS]
    views: list[View] = []
    rngs = [random.Random(f"{args.seed}-{i}") for i in range(args.sessions)]
    if args.clients == "websocket":
        with Monitor(args.server_pid) as monitor:
            deadline = time.monotonic() + args.seconds
            await asyncio.gather(
                *(websocket_session(base, deadline, r, args.think, views) for r in rngs)
            )
        return first, views, monitor
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        try:
            with Monitor(args.server_pid) as monitor:
                deadline = time.monotonic() + args.seconds
                await asyncio.gather(
                    *(browser_session(browser, base, deadline, r, args.think, views) for r in rngs)
                )
        finally:
            await browser.close()
    return first, views, monitor


def seconds_text(values) -> str:
    return " / ".join(f"{v:.2f}" for v in values) + " s"


def phase_rows(views: list[View]) -> list[str]:
    """Where a browser view's time goes, as medians: loading the page, running the script
    (server, with the frontend's connection and rendering of its messages), drawing charts."""
    phases = np.array([(*v.phases, v.seconds) for v in views if v.phases])
    if not len(phases):
        return []
    loaded, finished, drawn = np.median(phases, axis=0)
    return [
        row(
            "browser view, median: HTML and scripts loaded / script finished / charts drawn",
            "–",
            f"{seconds_text((loaded, finished, drawn))} after navigation",
            None,
        )
    ]


def row(what: str, target: str, measured: str, ok: bool | None) -> str:
    """A target row, or an informational one (target "–") when `ok` is None."""
    return f"| {what} | – | {measured} | – |" if ok is None else check(what, target, measured, ok)


def render(args, first: list[View], views: list[View], monitor: Monitor) -> str:
    times = np.array([v.seconds for v in views])
    failed = [v for v in views if v.errors]
    median, p95, worst = np.percentile(times, 50), np.percentile(times, 95), times.max()
    peak = max(monitor.rss_mb)
    cores = os.cpu_count() or 1
    server, clients, machine = (s / monitor.elapsed / cores * 100 for s in monitor.cpu_s)
    others = max(0.0, machine - server - clients)
    # Timing targets are the server's: judged on the websocket run. Chromium tabs share this
    # machine's cores with the server, so their times measure the browsers as much as the app.
    judged = args.clients == "websocket"
    label = {"websocket": "websocket clients", "browser": "Chromium tabs"}[args.clients]
    lines = [
        HEADINGS[args.clients],
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M %Z')} · Python {platform.python_version()} · "
        f"{cores} CPU(s), shared by the server, the clients and anyone else on the machine · "
        f"pack `{args.pack}`. {args.sessions} {label} for {args.seconds:g} s, each opening random "
        f"pages with random valid filters and pausing 0–{2 * args.think:g} s between views (a "
        "reader); every view is a new Streamlit session, like opening a shared link. The server "
        "had opened each page once before (first visits below)."
        + (
            ""
            if judged
            else " View times here are not judged against the target: the browsers run on the "
            "server's cores (CPU row); the websocket run measures the server alone."
        ),
        "",
        "| what | target | measured | pass |",
        "|---|---|---|---|",
        row(
            f"concurrent sessions ({label})",
            "20",
            str(args.sessions),
            args.sessions >= 20 if judged else None,
        ),
        row(
            "views completed, all six pages",
            "–",
            f"{len(views)} ({len(views) / monitor.elapsed:.1f} per second)",
            None,
        ),
        row(
            "views with an error (exception, error alert, JavaScript error, timeout)",
            "0",
            f"{len(failed)}",
            not failed,
        ),
        row(
            "view time, median / p95 / max",
            "p95 < 3 s",
            seconds_text((median, p95, worst)),
            p95 < 3.0 if judged else None,
        ),
        row(
            "server resident memory, peak (process tree)", "< 1 GB", f"{peak:,.0f} MB", peak < 1024
        ),
        row(
            f"CPU used during the run, % of {cores} cores: server / clients / rest of machine",
            "–",
            f"{server:.0f} / {clients:.0f} / {others:.0f} %",
            None,
        ),
        *phase_rows(views),
        row(
            "first view of each page on the started server (cold caches)",
            "–",
            ", ".join(f"/{v.path} {v.seconds:.2f} s" for v in first),
            None,
        ),
        "",
        "| page | views | median | p95 | max | errors |",
        "|---|---|---|---|---|---|",
    ]
    for path in VIEWS:
        mine = np.array([v.seconds for v in views if v.path == path])
        if len(mine):
            stats = np.percentile(mine, [50, 95]).tolist() + [mine.max()]
            bad = sum(1 for v in views if v.path == path and v.errors)
            lines.append(
                f"| /{path} | {len(mine)} | "
                + " | ".join(f"{s:.2f} s" for s in stats)
                + f" | {bad} |"
            )
    for view in [*first, *failed][:10]:
        if view.errors:
            lines += ["", f"Error on `/{view.path}?{view.query}`: {view.errors[0][:300]}"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", choices=("websocket", "browser"), default="websocket")
    parser.add_argument("--think", type=float, default=10.0, help="mean pause between views, s")
    parser.add_argument("--seed", default="1")
    parser.add_argument("--pack", type=Path, default=default_pack())
    parser.add_argument("--out", type=Path, default=RESULTS, help="markdown file to update")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    if args.pack is None or not args.pack.is_dir():
        parser.error("no data pack: set LIQUIDITY_DATA_PACK or pass --pack")
    args.pack = args.pack.resolve()
    keys = DataPack(args.pack).keys()
    VIEWS["data"] = functools.partial(data, keys=keys)

    with tempfile.TemporaryDirectory(prefix="liquidity-load-") as workdir:
        with streamlit_server(args.pack, Path(workdir)) as server:
            args.server_pid = server.proc.pid
            print(
                f"server on {server.url}; {args.sessions} {args.clients} sessions …",
                file=sys.stderr,
            )
            first, views, monitor = asyncio.run(drive(args, server.url))
    section = render(args, first, views, monitor)
    publish(HEADINGS[args.clients], section, not args.no_write, args.out)
    return 0 if "**no**" not in section else 1


if __name__ == "__main__":
    sys.exit(main())
