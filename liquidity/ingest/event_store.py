"""The collector's liquidation events: an append-only SQLite store (WAL) that a collector process
appends to while the app reads."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path

import pandas as pd

from liquidity.analytics.liquidations import COLUMNS, empty_events
from liquidity.core.calendar import utc
from liquidity.sources.venues import Liquidation

# -- the store ---------------------------------------------------------------------------------
BUSY_SECONDS = 30
_SCHEMA = """
CREATE TABLE IF NOT EXISTS liquidations (
    event_id TEXT PRIMARY KEY,
    ts_ms INTEGER NOT NULL,        -- UTC epoch milliseconds
    venue TEXT NOT NULL,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,            -- liquidated position: long | short
    qty REAL NOT NULL,             -- coin
    price REAL NOT NULL,           -- USD
    notional_usd REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS liquidations_ts ON liquidations (ts_ms);
"""


class EventStore:
    """Append-only liquidation events in SQLite (WAL) at `path`; a collector writes, the app reads.

    Each call opens a fresh connection (WAL, busy_timeout), so threads and processes may share it.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self._ready = False

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)
        con.execute(f"PRAGMA busy_timeout={BUSY_SECONDS * 1000}")
        if not self._ready:
            self._prepare(con)
        return con

    def _prepare(self, con: sqlite3.Connection) -> None:
        """WAL and the schema, once per instance (WAL is a lasting property of the file).

        Switching a new file to WAL, or creating its table, while another connection opens it
        can answer "database is locked" at once, without waiting on the busy handler: the
        likeliest cause of the one a reader met in a CI run while the collector started (not
        reproduced here). Retry them here; every later connection only reads and writes rows.
        """
        deadline = time.monotonic() + BUSY_SECONDS
        while True:
            try:
                con.execute("PRAGMA journal_mode=WAL")
                con.executescript(_SCHEMA)
                self._ready = True
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def append(self, events: Iterable[Liquidation]) -> int:
        """Insert events in one transaction, ignoring known event ids; the number of new rows."""
        rows = [
            (e.event_id, e.ts_ms, e.venue, e.symbol, e.side, e.qty, e.price, e.notional_usd)
            for e in events
        ]
        if not rows:
            return 0
        with closing(self._connect()) as con:
            before = con.total_changes
            con.execute("BEGIN IMMEDIATE")
            try:
                con.executemany(
                    "INSERT OR IGNORE INTO liquidations VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows
                )
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            return con.total_changes - before

    def read(self, start=None, end=None, symbols=None, venues=None) -> pd.DataFrame:
        """Events with start <= ts < end (UTC; naive times read as UTC), optionally filtered."""
        if not self.path.exists():
            return empty_events()
        where, params = [], []
        if start is not None:
            where.append("ts_ms >= ?")
            params.append(utc(start).value // 1_000_000)
        if end is not None:
            where.append("ts_ms < ?")
            params.append(utc(end).value // 1_000_000)
        for column, wanted in (("symbol", symbols), ("venue", venues)):
            if wanted is not None:
                wanted = [wanted] if isinstance(wanted, str) else list(wanted)
                if not wanted:
                    return empty_events()
                where.append(f"{column} IN ({', '.join('?' * len(wanted))})")
                params.extend(wanted)
        sql = "SELECT ts_ms, venue, symbol, side, qty, price, notional_usd FROM liquidations"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY ts_ms, event_id"
        with closing(self._connect()) as con:
            rows = con.execute(sql, params).fetchall()
        if not rows:
            return empty_events()
        frame = pd.DataFrame(rows, columns=["ts_ms", *COLUMNS[1:]])
        ts = pd.to_datetime(frame.pop("ts_ms").to_numpy(dtype="int64"), unit="ms", utc=True)
        frame.insert(0, "ts", ts.as_unit("ns"))
        return frame.astype({"qty": "float64", "price": "float64", "notional_usd": "float64"})

    def counts(self) -> dict[str, int]:
        """Events per venue."""
        if not self.path.exists():
            return {}
        with closing(self._connect()) as con:
            rows = con.execute("SELECT venue, COUNT(*) FROM liquidations GROUP BY venue").fetchall()
        return {venue: int(n) for venue, n in rows}

    def last_event(self) -> dict[str, pd.Timestamp]:
        """Latest event time per venue (UTC)."""
        if not self.path.exists():
            return {}
        with closing(self._connect()) as con:
            rows = con.execute(
                "SELECT venue, MAX(ts_ms) FROM liquidations GROUP BY venue"
            ).fetchall()
        return {venue: pd.Timestamp(int(ms), unit="ms", tz="UTC") for venue, ms in rows}
