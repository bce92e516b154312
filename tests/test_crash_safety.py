"""Crash safety: SIGKILL a process while it writes, then reopen what it wrote.

The store (manifest in SQLite + content-addressed Parquet objects) must still open with every
dataset at its previous or its new version, never a mix, and every manifest row must name an
object that exists and hashes to its name. The collector's event store must hold whole batches
only (no half-written transaction, no duplicate), and a restarted collector must carry on.

Kills are aimed two ways: at exact points (the child sleeps inside the real code path: object
written but not renamed, manifest row inserted but not committed, committed but the old object not
yet deleted; a liquidation batch inserted but not committed) and at random moments of a tight
write loop. The children live in tests/crash_child.py. The exact points leak one file each (a
temp file, a version never named, a replaced version not deleted): `Store.sweep` must remove
exactly that file once it is old, and keep what the manifest and a pinned snapshot name.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing, contextmanager
from pathlib import Path

import pandas as pd
import pytest

from liquidity.core import catalog
from liquidity.data.provenance import Library
from liquidity.data.snapshots import open_snapshot, pin
from liquidity.data.store import Store
from liquidity.ingest.event_store import EventStore
from liquidity.ingest.refresh import Seams, refresh
from liquidity.sources import fred, http
from liquidity.sources.venues import parse_okx
from tests.conftest import REPO
from tests.crash_child import version_of, walcl_version
from tests.loopback import LoopbackServer, ok
from tests.test_collector import HOLD, OKX_ACK, PAUSE, RECV, ScriptedServer, okx
from tests.test_refresh import fred_csv

FRED_IDS = [d.name for d in catalog.of_kind(catalog.FRED)]


@pytest.fixture
def child():
    """Start `python -m tests.crash_child ...`; whatever still runs at the end is killed."""
    started: list[subprocess.Popen] = []

    def start(*arguments: str) -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.crash_child", *arguments],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=30)


def wait_for(process: subprocess.Popen, prefix: str, timeout: float = 60) -> str:
    """Read the child's output until a line starts with `prefix`; fail if it exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith(prefix):
            return line.strip()
        if not line and process.poll() is not None:
            pytest.fail(f"child exited with {process.returncode}: {process.stderr.read()[-2000:]}")
    pytest.fail(f"child printed no {prefix!r} within {timeout} s")


def kill(process: subprocess.Popen) -> str:
    """SIGKILL, reap, and return what the child printed that was not read yet."""
    process.kill()
    rest, _ = process.communicate(timeout=30)
    assert process.returncode == -9
    return rest


def check_store(store: Store) -> dict[str, pd.DataFrame]:
    """The store opens, SQLite is sound, every manifest row's object exists and hashes to its
    name and reads back with the row count the manifest gives. Returns every frame."""
    with closing(sqlite3.connect(store.db_path)) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    frames = {}
    for key, entry in store.entries().items():
        path = store._object_path(entry.sha256)
        assert path.is_file(), f"{key}: manifest names a missing object"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry.sha256, key
        frames[key] = store.read(key, entry)
        assert len(frames[key]) == entry.rows, key
    return frames


# -- the store, killed at exact points of a refresh -----------------------------------------------
OLD_DATES, NEW_DATES = ["2025-01-01", "2025-01-08"], ["2025-01-08", "2025-01-15"]


def fred_server(server: LoopbackServer, dates: list[str], bump: float) -> None:
    server.route(
        fred.FRED_CSV_URL,
        lambda seen: ok(fred_csv(seen.query["id"], dates, bump), "text/csv"),
    )


def object_files(store: Store) -> set[Path]:
    return set(store.objects.glob("*/*.parquet"))  # temp files (".tmp-…") included


def named_files(store: Store) -> set[Path]:
    """The object files the manifest or a kept snapshot names."""
    shas = {entry.sha256 for entry in store.entries().values()}
    for snap in store.snapshots():
        shas |= {entry.sha256 for entry in (snap.entries or {}).values()}
    return {store._object_path(sha) for sha in shas}


@pytest.mark.parametrize(
    ("point", "walcl_updated", "leftover"),
    [
        ("object", False, r"\.tmp-\w+\.parquet"),  # the new version's temp file
        ("commit", False, r"[0-9a-f]{64}\.parquet"),  # the new version, never named
        ("collect", True, r"[0-9a-f]{64}\.parquet"),  # the replaced version, not yet deleted
    ],
)
def test_a_refresh_killed_mid_write_leaves_every_dataset_whole(
    point, walcl_updated, leftover, child, tmp_path, monkeypatch
):
    monkeypatch.setattr(fred, "LIMITER", http.RateLimiter(1000))
    store = Store(tmp_path)
    with LoopbackServer() as server:
        fred_server(server, OLD_DATES, bump=0.0)
        assert not refresh(store, ("fred",), seams=Seams(fred_session=server.session())).failed
        # A pinned link keeps this first version of every series after the refresh below.
        pinned = pin(Library(store), kinds=(catalog.FRED,))
        fred_server(server, OLD_DATES, bump=-0.25)
        assert not refresh(store, ("fred",), seams=Seams(fred_session=server.session())).failed
        before = check_store(store)
        fred_server(server, NEW_DATES, bump=-0.5)
        process = child("refresh", str(tmp_path), server.base, point)
        wait_for(process, f"paused at {point}")
        kill(process)

        after = check_store(store)
        assert set(after) == set(before)
        walcl_old, walcl_new = before["fred/WALCL"], after["fred/WALCL"]
        if walcl_updated:  # killed after the commit: the new version is whole
            assert walcl_new.index.strftime("%Y-%m-%d").tolist() == NEW_DATES
            assert walcl_new["value"].tolist() == [6_699_999.5, 6_700_000.5]
        else:
            pd.testing.assert_frame_equal(walcl_new, walcl_old)
        for key in set(before) - {"fred/WALCL"}:  # never reached
            pd.testing.assert_frame_equal(after[key], before[key])

        # The kill leaked exactly one file; a sweep takes it once it is old, and nothing else.
        (leaked,) = object_files(store) - named_files(store)
        assert re.fullmatch(leftover, leaked.name)
        assert len(pinned.entries) == len(FRED_IDS)
        held = {entry.sha256 for entry in pinned.entries.values()}
        assert not held & {entry.sha256 for entry in store.entries().values()}  # snapshot only
        assert store.sweep() == []  # young: a running writer may be about to name it
        an_hour_ago = time.time() - 3601
        for path in object_files(store):
            os.utime(path, (an_hour_ago, an_hour_ago))
        assert store.sweep() == [leaked]
        assert object_files(store) == named_files(store)
        assert check_store(store).keys() == after.keys()
        for entry in open_snapshot(store, pinned.id).entries.values():
            path = store._object_path(entry.sha256)
            assert hashlib.sha256(path.read_bytes()).hexdigest() == entry.sha256, entry.key

        # The next refresh carries on from there.
        assert not refresh(store, ("fred",), seams=Seams(fred_session=server.session())).failed
    final = check_store(store)
    assert {frame.index[-1] for frame in final.values()} == {pd.Timestamp(NEW_DATES[-1])}
    assert len(final) == len(FRED_IDS)


def test_a_write_whose_unnamed_object_is_swept_before_its_commit_stores_it_again(
    tmp_path, monkeypatch
):
    # put_object finds the bytes already there (a version a kill left unnamed, an hour old) and
    # returns; a sweep removes them before write takes the lock to name them.
    store, dataset = Store(tmp_path), catalog.get("fred/WALCL")
    store.write(dataset, walcl_version(1), source="v1")
    leaked = store.put_object(dataset, walcl_version(2), source="v2", origin="live")
    put = store.put_object

    def put_then_sweep(*args, **kwargs):
        entry = put(*args, **kwargs)
        monkeypatch.setattr(store, "put_object", put)  # once
        an_hour_ago = time.time() - 3601
        os.utime(store._object_path(entry.sha256), (an_hour_ago, an_hour_ago))
        assert store.sweep() == [store._object_path(leaked.sha256)]
        return entry

    monkeypatch.setattr(store, "put_object", put_then_sweep)
    assert store.write(dataset, walcl_version(2), source="v2").sha256 == leaked.sha256
    frames = check_store(store)
    pd.testing.assert_frame_equal(frames["fred/WALCL"], walcl_version(2), check_freq=False)


# -- the store, killed at random moments of a write loop ----------------------------------------
def test_a_write_loop_killed_at_random_moments_always_reopens_whole(child, tmp_path):
    store, rng = Store(tmp_path), random.Random(8)
    start = 1
    for _ in range(5):
        process = child("store-loop", str(tmp_path), str(start))
        first = wait_for(process, "wrote")
        time.sleep(rng.uniform(0.0, 0.15))  # a write takes a few ms: anywhere inside one
        lines = [first, *kill(process).splitlines()]
        printed = [int(line.split()[1]) for line in lines if line.startswith("wrote")]
        frames = check_store(store)
        entry = store.entry("fred/WALCL")
        version = version_of(frames["fred/WALCL"])
        pd.testing.assert_frame_equal(
            frames["fred/WALCL"], walcl_version(version), check_freq=False
        )
        assert entry.source == f"store-loop v{version}"  # the manifest row and its object agree
        last_printed = max(printed)
        assert last_printed <= version <= last_printed + 1  # the write under way, or the last
        start = version + 1
    assert start > 5


# -- the liquidation collector -----------------------------------------------------------------
EVENTS = 1200
STREAM = [RECV, OKX_ACK]
for i in range(1, EVENTS + 1):
    STREAM.append(okx(i, "ETH-USDT-SWAP" if i % 3 == 0 else "BTC-USDT-SWAP"))
    if i % 5 == 0:
        STREAM.append(PAUSE)  # about 1.2 s of feed: long enough to be killed mid-stream
EXPECTED = [
    event.event_id
    for i in range(1, EVENTS + 1)
    for event in parse_okx(json.loads(okx(i, "ETH-USDT-SWAP" if i % 3 == 0 else "BTC-USDT-SWAP")))
]


@contextmanager
def okx_feed():
    """A scripted OKX websocket on 127.0.0.1 replaying the whole stream on every connection."""
    started, stop = threading.Event(), None
    box = {}

    async def serve():
        nonlocal stop
        stop = asyncio.Event()
        async with ScriptedServer([[*STREAM, HOLD]]) as server:
            box["url"] = server.url
            started.set()
            await stop.wait()

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    assert started.wait(10)
    try:
        yield box["url"]
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()


def stored_ids(path: Path) -> list[str]:
    """Event ids in the store, read-only (never takes a lock a paused writer holds)."""
    if not path.exists():
        return []
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        if not con.execute("SELECT 1 FROM sqlite_master WHERE name='liquidations'").fetchone():
            return []  # the collector has not created its table yet
        return [row[0] for row in con.execute("SELECT event_id FROM liquidations ORDER BY ts_ms")]


def wait_until(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def check_events(path: Path) -> list[str]:
    """Whole batches only: the stored events are exactly the first n of the feed, each once."""
    ids = stored_ids(path)
    assert len(ids) == len(set(ids))
    assert sorted(ids) == sorted(EXPECTED[: len(ids)])
    events = EventStore(path).read()
    assert events[["qty", "price", "notional_usd"]].notna().all().all()
    assert not events.duplicated(["ts", "venue", "symbol", "side", "qty", "price"]).any()
    return ids


def test_the_collector_killed_mid_ingest_keeps_whole_batches_and_resumes(child, tmp_path):
    path = tmp_path / "events.sqlite"
    with okx_feed() as url:
        process = child("collect", str(path), url)
        wait_until(lambda: len(stored_ids(path)) >= 200)
        kill(process)
        kept = check_events(path)
        assert 200 <= len(kept) < EVENTS  # killed mid-stream

        # Restarted, it reads the whole feed again: the events it holds are not added twice.
        process = child("collect", str(path), url)
        wait_until(lambda: len(stored_ids(path)) == EVENTS)
        time.sleep(0.2)  # a duplicate would land in the next flush (every 20 ms)
        kill(process)
    assert sorted(check_events(path)) == sorted(EXPECTED)


def test_a_liquidation_batch_killed_before_its_commit_is_not_half_written(child, tmp_path):
    path = tmp_path / "events.sqlite"
    with okx_feed() as url:
        process = child("collect", str(path), url, "3")
        wait_for(process, "paused at commit")
        committed = stored_ids(path)  # what readers see while the third batch is uncommitted
        kill(process)
    assert committed and check_events(path) == committed
    assert EventStore(path).counts() == {"okx": len(committed)}
