"""Live liquidation collector: the venues' public websocket feeds into the `EventStore`.

One asyncio task per venue connects, subscribes, reads, normalises each message with the venue's
adapter (`liquidity.sources.venues`), keeps the chosen coins and hands the events to one writer task
that appends them in small batches (at least every second, one SQLite transaction each), so the
app can read the store while the collector writes. Feeds (SOURCES.md §5.3–§5.5):

    okx      wss://ws.okx.com:8443/ws/v5/public            liquidation-orders (all swaps), ping 25 s
    bybit    wss://stream.bybit.com/v5/public/linear       allLiquidation.<COIN>USDT, ping 20 s
    binance  wss://fstream.binance.com/ws/!forceOrder@arr  all symbols, no subscribe message

Behaviour worth knowing:

- a malformed message is logged on one line (venue and reason) and skipped;
- a dropped connection is reopened with exponential backoff (plus jitter); the store ignores
  events it already holds (`event_id`), so a message resent after a reconnect is counted once;
- a venue that refuses the websocket upgrade with HTTP 403 or 451 (Bybit and Binance block US
  hosts, SOURCES.md §5.1) is reported once and stops; the other venues carry on;
- a heartbeat line every `heartbeat_s`: new events per venue and the time of the last one;
- on stop everything already received is written before `collect` returns.

Raw-feed sums are lower bounds (Binance pushes at most one order per symbol per second; METHODS.md
§7), and the history starts when the collector starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import signal
import sqlite3
import sys
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from liquidity.ingest.event_store import EventStore
from liquidity.sources.venues import ADAPTERS, OKX_CONTRACT_VALUES, Liquidation, unified_symbol

# Coins every venue can size (OKX needs a contract value per instrument).
SYMBOLS: tuple[str, ...] = tuple(sorted({unified_symbol(i) for i in OKX_CONTRACT_VALUES} - {None}))
# HTTP answers to the websocket upgrade that mean "not from this host": stop, do not retry.
BLOCKED_STATUSES = frozenset({403, 451})
# Bybit accepts at most 10 topics per subscribe request.
_BYBIT_TOPICS_PER_REQUEST = 10


# -- feeds ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class VenueFeed:
    """How to listen to one venue: where, what to send first, how to keep the connection alive."""

    venue: str
    url: str
    subscribe: Callable[[Sequence[str]], list[str]]  # coins → text frames to send after connecting
    adapter: Callable[[dict], list[Liquidation]]  # one decoded message → events ([] for acks)
    keepalive: str | None = None  # application-level ping (on top of websocket pings)
    keepalive_s: float | None = None


def _okx_subscribe(symbols: Sequence[str]) -> list[str]:
    # The channel streams every swap; the coins are filtered after normalisation.
    args = [{"channel": "liquidation-orders", "instType": "SWAP"}]
    return [json.dumps({"op": "subscribe", "args": args})]


def _bybit_subscribe(symbols: Sequence[str]) -> list[str]:
    topics = [f"allLiquidation.{s}USDT" for s in symbols]
    step = _BYBIT_TOPICS_PER_REQUEST
    return [
        json.dumps({"op": "subscribe", "args": topics[i : i + step]})
        for i in range(0, len(topics), step)
    ]


def _no_subscribe(symbols: Sequence[str]) -> list[str]:
    return []


FEEDS: dict[str, VenueFeed] = {
    "okx": VenueFeed(
        "okx",
        "wss://ws.okx.com:8443/ws/v5/public",
        _okx_subscribe,
        ADAPTERS["okx"],
        keepalive="ping",
        keepalive_s=25.0,
    ),
    "bybit": VenueFeed(
        "bybit",
        "wss://stream.bybit.com/v5/public/linear",
        _bybit_subscribe,
        ADAPTERS["bybit"],
        keepalive=json.dumps({"op": "ping"}),
        keepalive_s=20.0,
    ),
    "binance": VenueFeed(
        "binance",
        "wss://fstream.binance.com/ws/!forceOrder@arr",
        _no_subscribe,
        ADAPTERS["binance"],
    ),
}


def parse_venues(venues: str | Iterable[str]) -> tuple[str, ...]:
    """'okx,bybit' or ["okx", "bybit"] → ("okx", "bybit"); ValueError names the valid choices."""
    return _choose(venues, str.lower, FEEDS, "venue")


def parse_symbols(symbols: str | Iterable[str]) -> tuple[str, ...]:
    """'btc,ETH' → ("BTC", "ETH"); ValueError names the supported coins."""
    return _choose(symbols, str.upper, SYMBOLS, "symbol")


def _choose(
    values: str | Iterable[str], case: Callable[[str], str], valid, what: str
) -> tuple[str, ...]:
    """Comma-separated or listed values, cased, blanks and repeats dropped, each in `valid`."""
    items = values.split(",") if isinstance(values, str) else list(values)
    chosen: list[str] = []
    for item in items:
        item = case(str(item).strip())
        if item and item not in chosen:
            chosen.append(item)
    unknown = [v for v in chosen if v not in valid]
    if unknown:
        raise ValueError(f"unknown {what} {unknown[0]!r}: choose from {', '.join(valid)}")
    if not chosen:
        raise ValueError(f"no {what} given: choose from {', '.join(valid)}")
    return tuple(chosen)


def _one_line(text: object, limit: int = 160) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _iso(ts: datetime | None) -> str:
    if ts is None:
        return "none yet"
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- the collector -------------------------------------------------------------------------------
class _Collector:
    def __init__(
        self,
        feeds: dict[str, VenueFeed],
        symbols: tuple[str, ...],
        store: EventStore,
        *,
        urls: dict[str, str],
        stop: asyncio.Event,
        heartbeat_s: float,
        backoff: Sequence[float],
        log: Callable[[str], object],
        flush_s: float,
        max_batch: int,
        jitter: float,
        open_timeout: float,
    ):
        self.feeds = feeds
        self.symbols = frozenset(symbols)
        self.subscribed = symbols
        self.store = store
        self.urls = urls
        self.stop = stop
        self.heartbeat_s = heartbeat_s
        self.backoff = tuple(backoff) or (1.0,)
        self.log = log
        self.flush_s = flush_s
        self.max_batch = max(1, max_batch)
        self.max_pending = 20 * self.max_batch
        self.jitter = jitter
        self.open_timeout = open_timeout
        self.pending: list[Liquidation] = []
        self.inserted = dict.fromkeys(feeds, 0)
        self.last: dict[str, datetime | None] = dict.fromkeys(feeds)
        self.state = dict.fromkeys(feeds, "starting")
        self.blocked: dict[str, int] = {}
        self.failed: set[str] = set()
        self.flush_now = asyncio.Event()
        self.room = asyncio.Event()
        self.room.set()
        self.closing = False
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="liquidation-writer")

    # -- lifecycle ---------------------------------------------------------------------------
    async def run(self) -> dict[str, int]:
        names = ", ".join(self.feeds)
        self.log(f"collecting {', '.join(self.subscribed)} liquidations from {names}")
        venues = {}
        for venue, feed in self.feeds.items():
            task = asyncio.create_task(self._venue(feed), name=f"collector-{venue}")
            task.add_done_callback(self._venue_done)
            venues[venue] = task
        writer = asyncio.create_task(self._writer(), name="collector-writer")
        heartbeat = asyncio.create_task(self._heartbeat(), name="collector-heartbeat")
        stopped = asyncio.create_task(self.stop.wait())
        try:
            # Until stop is set, or every venue has stopped by itself (refused or failed).
            while not stopped.done() and not all(t.done() for t in venues.values()):
                await asyncio.wait(
                    [stopped, *[t for t in venues.values() if not t.done()]],
                    return_when=asyncio.FIRST_COMPLETED,
                )
        finally:
            for task in (*venues.values(), heartbeat, stopped):
                task.cancel()
            await asyncio.gather(*venues.values(), heartbeat, stopped, return_exceptions=True)
            self.closing = True
            self.flush_now.set()
            await asyncio.shield(writer)
            self.executor.shutdown(wait=True)
            if self.pending:
                self.log(f"stopped with {len(self.pending)} events NOT written (see errors above)")
            self.log("stopped; " + self.status_line())
        return dict(self.inserted)

    def _venue_done(self, task: asyncio.Task) -> None:
        if task.cancelled() or task.exception() is None:
            return
        venue = task.get_name().removeprefix("collector-")
        self.failed.add(venue)
        self.state[venue] = "failed"
        self.log(f"{venue}: stopped by an unexpected error: {_one_line(repr(task.exception()))}")

    # -- one venue ---------------------------------------------------------------------------
    async def _venue(self, feed: VenueFeed) -> None:
        venue = feed.venue
        url = self.urls.get(venue, feed.url)
        failures = 0
        while not self.stop.is_set():
            self.state[venue] = "connecting"
            try:
                ws = await connect(
                    url, open_timeout=self.open_timeout, close_timeout=1, max_queue=256
                )
                try:
                    self.state[venue] = "connected"
                    self.log(f"{venue}: connected to {url}")
                    for message in feed.subscribe(self.subscribed):
                        await ws.send(message)
                    if await self._read(feed, ws):
                        failures = 0
                finally:  # a normal close (1000), also when cancelled by stop
                    await ws.close()
                reason = f"closed by the server (code {ws.close_code})"
            except InvalidStatus as exc:
                status = exc.response.status_code
                if status in BLOCKED_STATUSES:
                    self.blocked[venue] = status
                    self.state[venue] = f"refused (HTTP {status})"
                    self.log(
                        f"{venue}: the server refused the connection with HTTP {status} "
                        "(blocked from this host's location?); "
                        f"{venue} stopped, other venues continue"
                    )
                    return
                reason = f"HTTP {status}"
            except ConnectionClosed as exc:
                reason = f"connection lost ({_one_line(exc)})"
            except (OSError, TimeoutError, InvalidHandshake) as exc:
                reason = f"cannot connect ({type(exc).__name__}: {_one_line(exc)})"
            if self.stop.is_set():
                return
            delay = self.backoff[min(failures, len(self.backoff) - 1)]
            delay *= 1 + self.jitter * random.random()
            failures += 1
            self.state[venue] = "reconnecting"
            self.log(f"{venue}: {reason}; reconnecting in {delay:.2f} s")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), delay)

    async def _read(self, feed: VenueFeed, ws: ClientConnection) -> bool:
        """Read until the connection closes; True when at least one message arrived."""
        keeper = None
        if feed.keepalive and feed.keepalive_s:
            keeper = asyncio.create_task(self._keepalive(ws, feed.keepalive, feed.keepalive_s))
        received = False
        try:
            async for raw in ws:
                received = True
                self._handle(feed, raw)
                if len(self.pending) >= self.max_batch:
                    self.flush_now.set()
                    if len(self.pending) >= self.max_pending:
                        self.room.clear()
                        await self.room.wait()
        finally:
            if keeper is not None:
                keeper.cancel()
        return received

    @staticmethod
    async def _keepalive(ws: ClientConnection, message: str, every: float) -> None:
        with contextlib.suppress(ConnectionClosed):
            while True:
                await asyncio.sleep(every)
                await ws.send(message)

    def _handle(self, feed: VenueFeed, raw: str | bytes) -> None:
        """Decode, normalise and queue one message; malformed ones are logged and skipped."""
        venue = feed.venue
        try:
            text = raw.decode() if isinstance(raw, bytes) else raw
            if text.strip() == "pong":  # OKX answers the text ping with a text pong
                return
            message = json.loads(text)
            if isinstance(message, dict) and (
                message.get("event") == "error" or message.get("success") is False
            ):
                said = message.get("msg") or message.get("ret_msg") or text
                self.log(f"{venue}: the server reported an error: {_one_line(said)}")
                return
            events = feed.adapter(message)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
            self.log(f"{venue}: skipped a malformed message: {_one_line(exc)}")
            return
        for event in events:
            if event.symbol in self.symbols:
                self.pending.append(event)
                last = self.last[venue]
                if last is None or event.ts > last:
                    self.last[venue] = event.ts

    # -- writing -----------------------------------------------------------------------------
    async def _writer(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.flush_now.wait(), self.flush_s)
            self.flush_now.clear()
            await self._flush()
            if self.closing:
                return

    async def _flush(self) -> None:
        if not self.pending:
            self.room.set()
            return
        batch, self.pending = self.pending, []
        by_venue: dict[str, list[Liquidation]] = {}
        for event in batch:
            by_venue.setdefault(event.venue, []).append(event)
        loop = asyncio.get_running_loop()
        groups = list(by_venue.items())
        for i, (venue, events) in enumerate(groups):
            try:
                added = await loop.run_in_executor(self.executor, self.store.append, events)
            except (sqlite3.Error, OSError) as exc:
                # Keep what is not written for the next flush (appending again is idempotent).
                self.pending[:0] = [e for _, rest in groups[i:] for e in rest]
                self.log(f"writing {len(events)} {venue} events failed, will retry: {exc}")
                break
            self.inserted[venue] += added
        self.room.set()

    # -- reporting ---------------------------------------------------------------------------
    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_s)
            self.log("heartbeat: " + self.status_line())

    def status_line(self) -> str:
        parts = []
        for venue in self.feeds:
            parts.append(
                f"{venue} {self.inserted[venue]} new, last event {_iso(self.last[venue])}, "
                f"{self.state[venue]}"
            )
        return "; ".join(parts)


async def collect(
    venues: str | Iterable[str],
    symbols: str | Iterable[str],
    store: EventStore,
    *,
    urls: dict[str, str] | None = None,
    stop: asyncio.Event | None = None,
    heartbeat_s: float = 60,
    backoff: Sequence[float] = (1, 2, 4, 8, 16, 30),
    log: Callable[[str], object] = print,
    flush_s: float = 1.0,
    max_batch: int = 1000,
    jitter: float = 0.25,
    feeds: dict[str, VenueFeed] | None = None,
    open_timeout: float = 10,
) -> dict[str, int]:
    """Collect live liquidations of `symbols` from `venues` into `store` until `stop` is set.

    Returns the number of new events written per venue. It also returns, without `stop`, once
    every venue has stopped (refused with HTTP 403/451). `urls` overrides a venue's URL, `feeds`
    a whole `VenueFeed` (tests); `flush_s` is the longest an event waits before it is written,
    `max_batch` the batch size that triggers an early write; each reconnect delay is the next
    `backoff` value times a random factor in [1, 1 + jitter].
    """
    collector = _new_collector(
        venues,
        symbols,
        store,
        urls=dict(urls or {}),
        stop=stop if stop is not None else asyncio.Event(),
        heartbeat_s=heartbeat_s,
        backoff=backoff,
        log=log,
        flush_s=flush_s,
        max_batch=max_batch,
        jitter=jitter,
        feeds=feeds,
        open_timeout=open_timeout,
    )
    return await collector.run()


def _new_collector(venues, symbols, store, *, feeds=None, **options) -> _Collector:
    chosen = parse_venues(venues)
    coins = parse_symbols(symbols)
    table = {**FEEDS, **(feeds or {})}
    return _Collector({v: table[v] for v in chosen}, coins, store, **options)


def _stamped(line: str) -> None:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    print(f"{now} {line}", file=sys.stderr, flush=True)


def run(
    venues: str | Iterable[str],
    symbols: str | Iterable[str],
    home: Path,
    *,
    log: Callable[[str], object] = _stamped,
) -> int:
    """CLI entry (`python -m liquidity collect`): collect into `home/events.sqlite` until stopped.

    SIGINT or SIGTERM stops it cleanly (pending events are written first). Exit code 0 after a
    clean stop, 1 when a venue refused the connection or failed (the others still ran). Bad
    venues or symbols raise ValueError before anything connects.
    """
    parse_venues(venues), parse_symbols(symbols)  # fail before anything starts
    path = Path(home) / "events.sqlite"
    log(f"writing to {path}")

    async def main() -> _Collector:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):  # not on Windows
                loop.add_signal_handler(sig, stop.set)
        collector = _new_collector(
            venues,
            symbols,
            EventStore(path),
            urls={},
            stop=stop,
            heartbeat_s=60,
            backoff=(1, 2, 4, 8, 16, 30),
            log=log,
            flush_s=1.0,
            max_batch=1000,
            jitter=0.25,
            open_timeout=10,
        )
        await collector.run()
        return collector

    try:
        collector = asyncio.run(main())
    except KeyboardInterrupt:  # interrupted before the signal handlers were installed
        return 130
    return 1 if collector.blocked or collector.failed else 0
