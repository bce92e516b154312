"""Liquidation collector benchmark: sustained events/s and memory growth against a loopback feed.

    .venv/bin/python benchmarks/collector.py [--seconds 20] [--no-write]

A websocket server on 127.0.0.1, in a child process (so its memory and CPU are not the
collector's), pushes synthetic Binance `forceOrder` messages (SOURCES.md §5.3 shape, BTC and ETH,
every one a distinct event) as fast as the collector reads them, for --seconds. The collector runs
exactly as `python -m liquidity collect --venues binance` would (1-second flushes, batches of
1,000) into a fresh SQLite event store. No network and no data pack are needed.

Targets: at least 2,000 events/s written; resident memory growth under 100 MB over 60 s (from
1 s after the start to the end; shorter runs are scaled to 60 s linearly, which can only
overstate the growth).

Writes its table under "## Liquidation collector" in benchmarks/RESULTS.md unless --no-write.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from pathlib import Path

from common import check, publish

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from liquidity.ingest.collector import collect
from liquidity.ingest.event_store import EventStore

HEADING = "## Liquidation collector"
T0 = 1_790_000_000_000
TEMPLATE = (
    '{{"e":"forceOrder","E":{E},"o":{{"s":"{s}","S":"{S}","o":"LIMIT","f":"IOC",'
    '"q":"{q}","p":"{p}","ap":"{p}","X":"FILLED","l":"{q}","z":"{q}","T":{T}}}}}'
)


def message(i: int) -> str:
    symbol, price = ("BTCUSDT", 61_000 + i % 997) if i % 3 else ("ETHUSDT", 2_400 + i % 97)
    return TEMPLATE.format(
        E=T0 + i + 2,
        s=symbol,
        S="SELL" if i % 2 else "BUY",
        q=f"{0.001 * (1 + i % 50):.3f}",
        p=f"{price:.2f}",
        T=T0 + i,  # one millisecond apart: every message is a new event
    )


def serve_forever(port_out) -> None:
    """Child process: push messages on every connection as fast as the client takes them."""
    from websockets.asyncio.server import serve
    from websockets.exceptions import ConnectionClosed

    async def handler(ws) -> None:
        i = 0
        try:
            while True:
                await ws.send(message(i))  # waits while the client's buffers are full
                i += 1
        except ConnectionClosed:
            pass

    async def main() -> None:
        async with serve(handler, "127.0.0.1", 0, compression=None) as server:
            port_out.send(server.sockets[0].getsockname()[1])
            await asyncio.Future()

    asyncio.run(main())


def rss_mb() -> float:
    """Current resident set size (VmRSS), falling back to the peak on systems without /proc."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


async def bench(url: str, seconds: float, home: Path) -> dict:
    store = EventStore(home / "events.sqlite")
    stop = asyncio.Event()
    lines: list[str] = []
    samples: list[tuple[float, float]] = []

    async def sample() -> None:
        while True:
            samples.append((time.perf_counter(), rss_mb()))
            await asyncio.sleep(1.0)

    stopped_at: list[float] = []

    def stop_now() -> None:
        stopped_at.append(time.perf_counter())
        stop.set()

    sampler = asyncio.create_task(sample())
    asyncio.get_running_loop().call_later(seconds, stop_now)
    t0 = time.perf_counter()
    counts = await collect(
        "binance",
        "BTC,ETH",
        store,
        urls={"binance": url},
        stop=stop,
        heartbeat_s=10,
        log=lines.append,
        backoff=(0.1,),
    )
    done = time.perf_counter()
    sampler.cancel()
    samples.append((time.perf_counter(), rss_mb()))
    after_warmup = [mb for t, mb in samples if t - t0 >= 1.0] or [samples[-1][1]]
    return {
        "events": counts["binance"],
        "stored": store.counts().get("binance", 0),
        "elapsed": stopped_at[0] - t0,  # events received until stop, all written by the end
        "shutdown": done - stopped_at[0],
        "rss_start": after_warmup[0],
        "rss_end": samples[-1][1],
        "rss_peak": max(mb for _, mb in samples),
        "problems": [ln for ln in lines if "malformed" in ln or "reconnecting" in ln],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="how long to collect")
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args(argv)

    ctx = mp.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    server = ctx.Process(target=serve_forever, args=(send,), daemon=True)
    server.start()
    try:
        if not receive.poll(30):
            raise SystemExit("the loopback server did not start")
        url = f"ws://127.0.0.1:{receive.recv()}/ws"
        with tempfile.TemporaryDirectory(prefix="liquidity-bench-collector-") as home:
            result = asyncio.run(bench(url, args.seconds, Path(home)))
    finally:
        server.terminate()
        server.join(10)

    rate = result["events"] / result["elapsed"]
    growth = result["rss_end"] - result["rss_start"]
    scaled = growth * max(1.0, 60.0 / args.seconds)
    lines = [
        HEADING,
        "",
        f"Loopback websocket server (child process) pushing synthetic Binance `forceOrder` "
        f"messages as fast as the collector reads them, {args.seconds:g} s; the collector as "
        "the CLI runs it (1 s flushes, batches of 1,000) into a fresh SQLite event store.",
        "",
        "| what | target | measured | pass |",
        "|---|---|---|---|",
        check(
            "events written per second, sustained",
            "≥ 2,000/s",
            f"{rate:,.0f}/s ({result['events']:,} events in {result['elapsed']:.1f} s)",
            rate >= 2000,
        ),
        f"| clean stop: last flush and websocket close | – | {result['shutdown']:.2f} s | – |",
        check(
            f"resident memory growth, 1 s → {args.seconds:g} s (scaled to 60 s)",
            "< 100 MB / 60 s",
            f"{growth:+.1f} MB ({scaled:+.1f} MB / 60 s; peak {result['rss_peak']:.0f} MB)",
            scaled < 100,
        ),
        check(
            "events in the store = events reported written; no errors or reconnects",
            "equal, none",
            f"{result['stored']:,} vs {result['events']:,}; {len(result['problems'])} problems",
            result["stored"] == result["events"] and not result["problems"],
        ),
        "",
    ]
    publish(HEADING, "\n".join(lines), not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
