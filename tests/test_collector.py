"""The live liquidation collector against scripted websocket servers on 127.0.0.1.

Each server plays a script per connection in the venue's documented message shape (SOURCES.md
§5.3–§5.5, payloads written by hand after the recorded excerpts): acks, liquidations, one
malformed message, a dropped connection, a resent message after the reconnect, pongs.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import json
import threading
import time
from http import HTTPStatus

import pytest
from websockets.asyncio.server import serve

from liquidity.ingest.collector import FEEDS, collect, parse_symbols, parse_venues, run
from liquidity.ingest.event_store import EventStore


def run_in_thread(coro):
    """asyncio.run in a thread of its own: another test's library (Playwright's sync API) may
    keep an event loop running in the main thread for the whole session."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


T0 = 1_790_000_000_000  # 2026-09-21T14:13:20Z in ms
DROP, CLOSE, HOLD, PAUSE = "<drop>", "<close>", "<hold>", "<pause>"
RECV = "<recv>"  # wait for one message from the client (the subscribe request)


# -- payloads in each venue's shape ------------------------------------------------------------
def binance(i: int, symbol: str = "BTCUSDT", side: str = "SELL", qty: str = "0.014") -> str:
    price = f"{61_000 + i * 7.5:.2f}"
    order = {
        "s": symbol,
        "S": side,
        "o": "LIMIT",
        "f": "IOC",
        "q": qty,
        "p": price,
        "ap": price,
        "X": "FILLED",
        "l": qty,
        "z": qty,
        "T": T0 + i,
    }
    return json.dumps({"e": "forceOrder", "E": T0 + i + 2, "o": order})


def bybit(i: int, symbol: str = "BTCUSDT", side: str = "Buy") -> str:
    item = {"T": T0 + i, "s": symbol, "S": side, "v": "0.05", "p": f"{60_950 + i:.1f}"}
    topic = f"allLiquidation.{symbol}"
    return json.dumps({"topic": topic, "type": "snapshot", "ts": T0 + i + 300, "data": [item]})


def okx(i: int, inst: str = "BTC-USDT-SWAP", pos: str = "long") -> str:
    detail = {
        "bkLoss": "0",
        "bkPx": f"{61_000 + i:.1f}",
        "ccy": "",
        "posSide": pos,
        "side": "sell" if pos == "long" else "buy",
        "sz": "3",
        "ts": str(T0 + i),
    }
    family = inst.removesuffix("-SWAP")
    data = [
        {
            "details": [detail],
            "instFamily": family,
            "instId": inst,
            "instType": "SWAP",
            "uly": family,
        }
    ]
    return json.dumps({"arg": {"channel": "liquidation-orders", "instType": "SWAP"}, "data": data})


OKX_ACK = json.dumps(
    {
        "event": "subscribe",
        "arg": {"channel": "liquidation-orders", "instType": "SWAP"},
        "connId": "a4d3ae55",
    }
)
BYBIT_ACK = json.dumps(
    {"success": True, "ret_msg": "", "conn_id": "cbd7c0e1", "req_id": "", "op": "subscribe"}
)
BYBIT_PONG = json.dumps(
    {"success": True, "ret_msg": "pong", "conn_id": "cbd7c0e1", "req_id": "", "op": "ping"}
)

# One malformed liquidation per venue: cut-off JSON, a missing size, a negative size.
MALFORMED = {
    "binance": '{"e":"forceOrder","E":1790000000100,"o":{"s":"BTCUSDT","S":"SELL","q":"0.0',
    "bybit": json.dumps(
        {
            "topic": "allLiquidation.BTCUSDT",
            "type": "snapshot",
            "ts": T0,
            "data": [{"T": T0, "s": "BTCUSDT", "S": "Sell", "p": "60950.0"}],
        }
    ),
    "okx": okx(99).replace('"sz": "3"', '"sz": "-3"'),
}
MAKE = {"binance": binance, "bybit": bybit, "okx": okx}
ACK = {"binance": None, "bybit": BYBIT_ACK, "okx": OKX_ACK}


def stream_scripts(venue: str) -> list[list[str]]:
    """Connection 1: events 1–2, a malformed one, event 3, then the socket drops.
    Connection 2: event 3 again (resent), event 4, a coin outside BTC/ETH, then stays open."""
    make, ack = MAKE[venue], ACK[venue]
    first = [RECV, ack] if ack else []
    other = {
        "binance": binance(5, "SOLUSDT"),
        "bybit": bybit(5, "ETHUSDT", "Sell"),
        "okx": okx(5, "IOST-USDT-SWAP"),
    }
    return [
        [*first, make(1), make(2), MALFORMED[venue], make(3), DROP],
        [*first, make(3), make(4), other[venue], HOLD],
    ]


# -- a scripted server --------------------------------------------------------------------------
class ScriptedServer:
    """A websocket server on 127.0.0.1 (free port) playing one script per connection (the last
    script repeats). `status` answers the HTTP upgrade instead, for the first `refuse` attempts."""

    def __init__(self, scripts=None, status: int | None = None, refuse: int = 10**9):
        self.scripts = scripts or [[HOLD]]
        self.status, self.refuse = status, refuse
        self.attempts = 0  # HTTP upgrade requests
        self.connections = 0  # accepted websocket connections
        self.received: list[str] = []

    async def __aenter__(self) -> ScriptedServer:
        self.server = await serve(self._handler, "127.0.0.1", 0, process_request=self._process)
        port = self.server.sockets[0].getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}/ws"
        return self

    async def __aexit__(self, *exc) -> None:
        self.server.close()
        await self.server.wait_closed()

    def _process(self, connection, request):
        self.attempts += 1
        if self.status is not None and self.attempts <= self.refuse:
            return connection.respond(HTTPStatus(self.status), "blocked from your location\n")
        return None

    async def _handler(self, ws) -> None:
        script = self.scripts[min(self.connections, len(self.scripts) - 1)]
        self.connections += 1
        for step in script:
            if step == RECV:
                self.received.append(await ws.recv())
            elif step == DROP:
                ws.transport.abort()  # no close frame: the client sees an abnormal closure
                return
            elif step == PAUSE:
                await asyncio.sleep(0.005)
            elif step == CLOSE:
                await ws.close()
                return
            elif step == HOLD:
                async for message in ws:  # answer keepalive pings like the venues do
                    self.received.append(message)
                    if message == "ping":
                        await ws.send("pong")
                    elif message == json.dumps({"op": "ping"}):
                        await ws.send(BYBIT_PONG)
                return
            else:
                await ws.send(step)


class Log(list):
    def __call__(self, line: str) -> None:
        assert "\n" not in line
        self.append(line)

    def having(self, *words: str) -> list[str]:
        return [line for line in self if all(w in line for w in words)]


async def until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the collector")
        await asyncio.sleep(0.01)


FAST = {"heartbeat_s": 0.05, "backoff": (0.01, 0.02), "flush_s": 0.02, "jitter": 0.0}
FAST_FEEDS = {v: dataclasses.replace(f, keepalive_s=0.05) for v, f in FEEDS.items() if f.keepalive}


# -- tests --------------------------------------------------------------------------------------
def test_streams_reconnect_skip_malformed_and_store_each_event_once(tmp_path):
    store, log = EventStore(tmp_path / "events.sqlite"), Log()
    venues = ("okx", "bybit", "binance")
    # 4 BTC events each (one resent after the reconnect); Bybit also streams ETH, which is kept,
    # while Binance's SOL and OKX's IOST are outside BTC/ETH.
    expected = {"okx": 4, "bybit": 5, "binance": 4}

    async def scenario():
        servers = {v: ScriptedServer(stream_scripts(v)) for v in venues}
        async with servers["okx"], servers["bybit"], servers["binance"]:
            stop = asyncio.Event()
            urls = {v: s.url for v, s in servers.items()}
            task = asyncio.create_task(
                collect(
                    venues,
                    ["BTC", "ETH"],
                    store,
                    urls=urls,
                    stop=stop,
                    log=log,
                    feeds=FAST_FEEDS,
                    **FAST,
                )
            )
            await until(
                lambda: (
                    store.counts() == expected
                    and "ping" in servers["okx"].received
                    and json.dumps({"op": "ping"}) in servers["bybit"].received
                    and log.having("heartbeat:", "binance 4 new")
                )
            )
            stop.set()
            return await asyncio.wait_for(task, 5), servers

    result, servers = run_in_thread(scenario())

    assert result == expected
    events = store.read()
    assert len(events) == 13 and sorted(events["venue"].unique()) == sorted(venues)
    for venue in venues:
        assert servers[venue].connections == 2  # the drop was followed by one reconnect
        assert len(log.having(venue, "malformed")) == 1
        assert log.having(venue, "reconnecting in 0.01 s")
    # Both subscriptions were renewed after the reconnect; pongs and acks are not "malformed".
    assert servers["okx"].received.count(FEEDS["okx"].subscribe(["BTC", "ETH"])[0]) == 2
    assert servers["bybit"].received[:1] == [
        '{"op": "subscribe", "args": ["allLiquidation.BTCUSDT", "allLiquidation.ETHUSDT"]}'
    ]
    # Normalised per venue conventions: Binance SELL, Bybit Buy, OKX posSide long → long.
    first = events[events["ts"] == events["ts"].min()]
    assert set(first["side"]) == {"long"} and set(first["symbol"]) == {"BTC"}
    okx_row = events[events["venue"] == "okx"].iloc[0]
    assert okx_row["qty"] == pytest.approx(0.03)  # 3 contracts × 0.01 BTC
    assert okx_row["notional_usd"] == pytest.approx(0.03 * 61_001.0)
    assert set(events["symbol"]) == {"BTC", "ETH"}
    assert log.having("heartbeat:", "last event 2026-09-21T14:13:20Z")


def test_refused_venues_are_reported_once_and_the_others_keep_collecting(tmp_path):
    store, log = EventStore(tmp_path / "events.sqlite"), Log()

    async def scenario():
        stream = [[*(binance(i, "ETHUSDT", "BUY") for i in range(1, 6)), HOLD]]
        async with (
            ScriptedServer(status=403) as bybit_server,
            ScriptedServer(status=451) as okx_server,
            ScriptedServer(stream) as binance_server,
        ):
            stop = asyncio.Event()
            urls = {"bybit": bybit_server.url, "okx": okx_server.url, "binance": binance_server.url}
            task = asyncio.create_task(
                collect(
                    ["bybit", "okx", "binance"], "ETH", store, urls=urls, stop=stop, log=log, **FAST
                )
            )
            await until(lambda: store.counts().get("binance") == 5)
            await asyncio.sleep(0.2)  # many backoff periods: a refused venue must not retry
            assert not task.done()
            stop.set()
            result = await asyncio.wait_for(task, 5)
            return result, bybit_server.attempts, okx_server.attempts

    result, bybit_attempts, okx_attempts = run_in_thread(scenario())
    assert result == {"bybit": 0, "okx": 0, "binance": 5}
    assert (bybit_attempts, okx_attempts) == (1, 1)
    assert len(log.having("bybit: the server refused", "HTTP 403", "bybit stopped")) == 1
    assert len(log.having("okx: the server refused", "HTTP 451", "okx stopped")) == 1
    assert set(store.read()["side"]) == {"short"}  # Binance BUY order → a short was liquidated


def test_collect_returns_by_itself_when_every_venue_is_refused(tmp_path):
    log = Log()

    async def scenario():
        async with ScriptedServer(status=451) as server:
            urls = {"binance": server.url}
            return await asyncio.wait_for(
                collect(
                    "binance", "BTC", EventStore(tmp_path / "e.sqlite"), urls=urls, log=log, **FAST
                ),
                5,
            )

    assert run_in_thread(scenario()) == {"binance": 0}
    assert log.having("binance", "HTTP 451")


def test_other_http_errors_and_refused_sockets_are_retried_with_backoff(tmp_path):
    store, log = EventStore(tmp_path / "events.sqlite"), Log()
    backoff = (0.01, 0.02, 0.04)

    async def scenario():
        scripts = [[binance(1), binance(2), HOLD]]
        async with ScriptedServer(scripts, status=503, refuse=4) as server:
            stop = asyncio.Event()
            task = asyncio.create_task(
                collect(
                    "binance",
                    "BTC",
                    store,
                    urls={"binance": server.url},
                    stop=stop,
                    log=log,
                    **{**FAST, "backoff": backoff},
                )
            )
            await until(lambda: store.counts().get("binance") == 2)
            stop.set()
            return await asyncio.wait_for(task, 5), server.attempts

    result, attempts = run_in_thread(scenario())
    assert result == {"binance": 2} and attempts == 5
    delays = [line.rsplit("reconnecting in ", 1)[1] for line in log.having("reconnecting in")]
    assert delays == ["0.01 s", "0.02 s", "0.04 s", "0.04 s"]
    assert all("HTTP 503" in line for line in log.having("reconnecting in"))


def test_a_reader_sees_consistent_growing_counts_while_the_collector_writes(tmp_path):
    path = tmp_path / "events.sqlite"
    total = 3000
    seen: list[int] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def reader():
        reader_store = EventStore(path)  # its own handle, as the app would have
        while not done.is_set():
            try:
                n = reader_store.counts().get("binance", 0)
                frame = reader_store.read(venues=["binance"])
                assert len(frame) >= n and frame["ts"].is_monotonic_increasing
                seen.append(n)
            except BaseException as exc:  # noqa: BLE001 - any failure is the finding
                errors.append(exc)
                return
            time.sleep(0.002)  # a busy app, not a spin loop starving the event loop of the GIL

    async def scenario():
        # Bursts of 100 messages, 5 ms apart: about 30 batches, so the reader sees them land.
        script = [m for i in range(total) for m in ([PAUSE] if i % 100 == 0 else []) + [binance(i)]]
        script.append(HOLD)
        async with ScriptedServer([script]) as server:
            stop = asyncio.Event()
            task = asyncio.create_task(
                collect(
                    "binance",
                    "BTC",
                    EventStore(path),
                    urls={"binance": server.url},
                    stop=stop,
                    log=Log(),
                    max_batch=100,
                    **FAST,
                )
            )
            await until(lambda: EventStore(path).counts().get("binance") == total, timeout=10)
            await asyncio.sleep(0.05)
            stop.set()
            return await asyncio.wait_for(task, 5)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        result = run_in_thread(scenario())
    finally:
        done.set()
        thread.join(10)
    assert errors == []
    assert result == {"binance": total}
    assert len(seen) > 3 and seen == sorted(seen)  # never shrinks, never errors
    assert len(set(seen)) > 2  # the reader saw intermediate states, not only empty and full


def test_a_clean_stop_writes_the_last_batch(tmp_path):
    store, log = EventStore(tmp_path / "events.sqlite"), Log()

    async def scenario():
        scripts = [[*(binance(i) for i in range(25)), CLOSE], [HOLD]]
        async with ScriptedServer(scripts) as server:
            stop = asyncio.Event()
            task = asyncio.create_task(
                collect(
                    "binance",
                    ["btc"],
                    store,
                    urls={"binance": server.url},
                    stop=stop,
                    log=log,
                    **{**FAST, "flush_s": 60.0},
                )
            )
            # The reconnect proves the client has read every message of the first connection.
            await until(lambda: server.connections == 2)
            assert store.counts() == {}  # nothing written yet: the batch is still pending
            stop.set()
            return await asyncio.wait_for(task, 5)

    assert run_in_thread(scenario()) == {"binance": 25}
    assert store.counts() == {"binance": 25}
    assert log.having("stopped;", "binance 25 new")


def test_venues_and_symbols_are_validated_before_anything_connects(tmp_path):
    assert parse_venues("okx, BYBIT,okx") == ("okx", "bybit")
    assert parse_symbols(["btc", "ETH"]) == ("BTC", "ETH")
    with pytest.raises(
        ValueError, match=r"unknown venue 'kraken': choose from okx, bybit, binance"
    ):
        run(["okx", "kraken"], ["BTC"], tmp_path)
    with pytest.raises(ValueError, match=r"unknown symbol 'DOGE': choose from BTC, ETH"):
        run("okx", "BTC,DOGE", tmp_path)
    with pytest.raises(ValueError, match="no venue given"):
        run("", "BTC", tmp_path)
    assert not (tmp_path / "events.sqlite").exists()
