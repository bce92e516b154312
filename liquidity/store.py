"""The local store: validated frames as content-addressed Parquet objects plus a SQLite manifest.

Layout under the store's home (`LIQUIDITY_HOME`):

    store.sqlite            manifest (one row per dataset) and the last fetch attempt per dataset
    objects/ab/abcd….parquet one immutable file per frame version, named by its SHA-256
    http_cache.sqlite       requests-cache responses (FRED CSV, SEC JSON)

Why this shape: a write lands the new object under a fresh name first and then switches the
manifest row in one SQLite transaction, so a crash at any moment leaves either the old or the new
version readable, never a half-written file. SQLite runs in WAL mode, so readers (the app) never
block the writer (a refresh or, later, the liquidation collector) and see no lock errors.
"""

from __future__ import annotations

import hashlib
import io
import os
import sqlite3
import tempfile
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from liquidity.catalog import Dataset
from liquidity.errors import DataNotAvailable
from liquidity.frames import is_dated, validate

_SCHEMA = """
CREATE TABLE IF NOT EXISTS manifest (
    key TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    source TEXT NOT NULL,
    origin TEXT NOT NULL,          -- live | pack
    retrieved_at TEXT NOT NULL,    -- ISO-8601 UTC
    first TEXT, last TEXT,
    rows INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS attempts (
    key TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    ok INTEGER NOT NULL,
    message TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Entry:
    """One manifest row: what the store holds for a dataset and where it came from."""

    key: str
    sha256: str
    source: str
    origin: str
    retrieved_at: pd.Timestamp
    first: pd.Timestamp | None
    last: pd.Timestamp | None
    rows: int


@dataclass(frozen=True)
class Attempt:
    key: str
    at: pd.Timestamp
    ok: bool
    message: str


def now_utc() -> pd.Timestamp:
    return pd.Timestamp(datetime.now(UTC))


def span(frame: pd.DataFrame, dataset: Dataset) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """First and last observation date of a frame (None when it has no dates)."""
    if is_dated(dataset):
        dates = frame.index
    elif "period_end" in frame.columns:
        dates = frame["period_end"]
    elif "end" in frame.columns:
        dates = frame["end"]
    else:
        dates = frame["snapshot"]
    dates = pd.DatetimeIndex(dates).dropna()
    if dates.empty:
        return None, None
    if dates.tz is not None:
        dates = dates.tz_convert("UTC").tz_localize(None)
    return dates.min(), dates.max()


class Store:
    """An embedded store rooted at `home`; safe to share between processes and threads."""

    def __init__(self, home: Path | str):
        self.home = Path(home)
        self.objects = self.home / "objects"
        self.db_path = self.home / "store.sqlite"
        self.http_cache_path = self.home / "http_cache.sqlite"
        self.events_path = self.home / "events.sqlite"  # the liquidation collector's table

    # -- connection ----------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        self.objects.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.db_path, timeout=30, isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA busy_timeout=30000")
        con.executescript(_SCHEMA)
        return con

    def exists(self) -> bool:
        return self.db_path.exists()

    # -- reading -------------------------------------------------------------------------------
    def entries(self) -> dict[str, Entry]:
        if not self.exists():
            return {}
        with closing(self._connect()) as con:
            rows = con.execute(
                "SELECT key, sha256, source, origin, retrieved_at, first, last, rows FROM manifest"
            ).fetchall()
        return {r[0]: _entry(r) for r in rows}

    def entry(self, key: str) -> Entry | None:
        return self.entries().get(key)

    def read(self, key: str, entry: Entry | None = None) -> pd.DataFrame:
        """The stored frame for `key`; DataNotAvailable when the store has none."""
        entry = entry or self.entry(key)
        if entry is None:
            raise DataNotAvailable(f"{key} is not in the store at {self.home}")
        return pd.read_parquet(self._object_path(entry.sha256))

    def attempts(self) -> dict[str, Attempt]:
        if not self.exists():
            return {}
        with closing(self._connect()) as con:
            rows = con.execute("SELECT key, at, ok, message FROM attempts").fetchall()
        return {k: Attempt(k, pd.Timestamp(at), bool(ok), msg) for k, at, ok, msg in rows}

    # -- writing -------------------------------------------------------------------------------
    def write(
        self,
        dataset: Dataset,
        frame: pd.DataFrame,
        *,
        source: str,
        origin: str = "live",
        retrieved_at: pd.Timestamp | None = None,
    ) -> Entry:
        """Validate and store `frame` as the current version of `dataset`.

        Raises ValidationError (and changes nothing) when the frame is unfit: a failed or empty
        fetch never replaces good data.
        """
        validate(frame, dataset)
        payload = _parquet_bytes(frame)
        sha = hashlib.sha256(payload).hexdigest()
        self._put_object(sha, payload)
        first, last = span(frame, dataset)
        entry = Entry(
            dataset.key, sha, source, origin, retrieved_at or now_utc(), first, last, len(frame)
        )
        with closing(self._connect()) as con:
            con.execute("BEGIN IMMEDIATE")
            old = con.execute("SELECT sha256 FROM manifest WHERE key=?", (dataset.key,)).fetchone()
            con.execute(
                "INSERT OR REPLACE INTO manifest VALUES (?,?,?,?,?,?,?,?)",
                (
                    entry.key,
                    sha,
                    source,
                    origin,
                    entry.retrieved_at.isoformat(),
                    _iso(first),
                    _iso(last),
                    entry.rows,
                ),
            )
            con.execute("COMMIT")
        if old and old[0] != sha:
            self._collect(old[0])
        return entry

    def record_attempt(self, key: str, ok: bool, message: str) -> None:
        with closing(self._connect()) as con:
            con.execute(
                "INSERT OR REPLACE INTO attempts VALUES (?,?,?,?)",
                (key, now_utc().isoformat(), int(ok), message),
            )

    def _object_path(self, sha: str) -> Path:
        return self.objects / sha[:2] / f"{sha}.parquet"

    def _put_object(self, sha: str, payload: bytes) -> None:
        path = self._object_path(sha)
        if path.exists():  # content-addressed: same bytes, nothing to do
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".parquet")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _collect(self, sha: str) -> None:
        """Delete an object once no manifest row points at it."""
        with closing(self._connect()) as con:
            used = con.execute("SELECT 1 FROM manifest WHERE sha256=?", (sha,)).fetchone()
        if not used:
            self._object_path(sha).unlink(missing_ok=True)


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, engine="pyarrow", compression="zstd")
    return buf.getvalue()


def _iso(ts: pd.Timestamp | None) -> str | None:
    return None if ts is None else ts.date().isoformat()


def _entry(row) -> Entry:
    key, sha, source, origin, retrieved, first, last, rows = row
    return Entry(
        key,
        sha,
        source,
        origin,
        pd.Timestamp(retrieved),
        pd.Timestamp(first) if first else None,
        pd.Timestamp(last) if last else None,
        rows,
    )
