"""Child processes for tests/test_crash_safety.py: each writes until the test kills it with
SIGKILL, and prints one line per step (flushed) so the test knows how far it got.

    python -m tests.crash_child store-loop HOME START
        write fred/WALCL versions START, START + 1, ... forever ("wrote N" after each)
    python -m tests.crash_child refresh HOME BASE POINT
        a FRED refresh against the loopback server at BASE that stops at POINT of its first
        write: "object" (object file written, not yet renamed into place), "commit" (manifest
        row inserted, transaction not committed) or "collect" (committed, the old object not
        yet deleted); prints "paused at POINT" and sleeps there
    python -m tests.crash_child collect PATH URL [K]
        the liquidation collector, OKX feed at URL, into the event store at PATH; with K it stops
        inside its K-th commit of liquidation rows

Stopping means sleeping inside the real code path, so the kill lands exactly there.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import sqlite3
import sys
import time

import pandas as pd

WALCL_DATES = pd.date_range("2025-01-01", periods=8, freq="7D", name="date").as_unit("us")


def walcl_version(version: int) -> pd.DataFrame:
    """Version N of fred/WALCL: every value says N, so a frame mixing versions is detectable."""
    values = [6_700_000.0 + 10.0 * version + row for row in range(len(WALCL_DATES))]
    return pd.DataFrame({"value": values}, index=WALCL_DATES)


def version_of(frame: pd.DataFrame) -> int:
    return round((frame["value"].iloc[0] - 6_700_000.0) / 10.0)


def pause(point: str) -> None:
    print(f"paused at {point}", flush=True)
    time.sleep(600)


def pause_at_commit(insert_prefix: str, nth: int = 1) -> None:
    """Every new SQLite connection stops at the `nth` COMMIT that follows `insert_prefix`."""
    connect = sqlite3.connect
    commits = itertools.count(1)

    def traced(*args, **kwargs):
        con = connect(*args, **kwargs)
        inserted = False

        def on_statement(sql: str) -> None:
            nonlocal inserted
            if sql.startswith(insert_prefix):
                inserted = True
            elif sql == "COMMIT" and inserted:
                inserted = False
                if next(commits) == nth:
                    pause("commit")

        con.set_trace_callback(on_statement)
        return con

    sqlite3.connect = traced


def store_loop(home: str, start: str) -> None:
    from liquidity.core import catalog
    from liquidity.data.store import Store

    store, dataset = Store(home), catalog.get("fred/WALCL")
    for version in itertools.count(int(start)):
        store.write(dataset, walcl_version(version), source=f"store-loop v{version}")
        print(f"wrote {version}", flush=True)


def refresh(home: str, base: str, point: str) -> None:
    import requests

    from liquidity.data.store import Store
    from liquidity.ingest.refresh import Seams
    from liquidity.ingest.refresh import refresh as run_refresh
    from tests.loopback import LoopbackAdapter

    if point == "object":
        replace = os.replace

        def replace_later(src, dst):
            if str(dst).endswith(".parquet"):
                pause("object")
            replace(src, dst)

        os.replace = replace_later
    elif point == "commit":
        pause_at_commit("INSERT OR REPLACE INTO manifest")
    elif point == "collect":
        Store._collect = lambda self, sha: pause("collect")
    else:
        raise SystemExit(f"unknown point {point!r}")
    session = requests.Session()
    session.mount("https://", LoopbackAdapter(base, max_timeout=5.0))
    run_refresh(Store(home), ("fred",), seams=Seams(fred_session=session), environ={})
    print("finished without pausing", flush=True)


def collect(path: str, url: str, nth: str | None = None) -> None:
    from liquidity.ingest.collector import collect as run_collector
    from liquidity.ingest.event_store import EventStore

    if nth is not None:
        pause_at_commit("INSERT OR IGNORE INTO liquidations", int(nth))
    asyncio.run(
        run_collector(
            "okx",
            "BTC,ETH",
            EventStore(path),
            urls={"okx": url},
            heartbeat_s=3600,
            backoff=(0.05,),
            flush_s=0.02,
            max_batch=25,
            jitter=0.0,
            log=lambda line: print(line, flush=True),
        )
    )


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    {"store-loop": store_loop, "refresh": refresh, "collect": collect}[command](*arguments)
