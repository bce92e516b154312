"""The local store: validated frames as content-addressed Parquet objects plus a SQLite manifest.

Layout under the store's home (`LIQUIDITY_HOME`):

    store.sqlite            manifest (one row per dataset) and the last fetch attempt per dataset
    snapshots.sqlite        the snapshots pinned links point at (liquidity/data/snapshots.py)
    objects/ab/abcd….parquet one immutable file per frame version, named by its SHA-256
    http_cache.sqlite       requests-cache responses (FRED CSV, SEC JSON)

Why this shape: a write lands the new object under a fresh name first and then switches the
manifest row in one SQLite transaction, so a crash at any moment leaves either the old or the new
version readable, never a half-written file (at worst a file nothing names, which `sweep`
removes). SQLite runs in WAL mode, so readers (the app) never block the writer (a refresh or,
later, the liquidation collector) and see no lock errors.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import re
import sqlite3
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

from liquidity.core.catalog import Dataset
from liquidity.core.errors import DataNotAvailable
from liquidity.data.frames import is_dated, validate

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
# In a file of its own, so that serving a pinned link (which notes when it was last served) does
# not touch store.sqlite, whose modification time is the app's cache key for the latest data.
_SNAPSHOT_SCHEMA = """
CREATE TABLE IF NOT EXISTS snap.snapshots (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    served_at TEXT NOT NULL,
    evicted_at TEXT,               -- kept as a tombstone so an old link can say what happened
    entries TEXT                   -- JSON list of manifest rows; NULL once evicted
);
CREATE TABLE IF NOT EXISTS snap.snapshot_objects (
    id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (id, sha256)
);
CREATE INDEX IF NOT EXISTS snap.snapshot_objects_sha ON snapshot_objects (sha256);
"""

# What a killed write leaves behind is swept once it is this old (see Store.sweep).
SWEEP_AGE = timedelta(hours=1)
_OBJECT_NAME = re.compile(r"[0-9a-f]{64}\.parquet")


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
    """First and last observation date of a frame (None when it has no dates); for vintages,
    of the vintages, so a newer vintage of old observations counts as newer data."""
    if is_dated(dataset):
        dates = frame.index
    elif "realtime_start" in frame.columns:  # FRED vintages: the first and the newest vintage
        dates = frame["realtime_start"]
    elif "period_end" in frame.columns:
        dates = frame["period_end"]
    elif "end" in frame.columns:
        dates = frame["end"]
    elif "auction_date" in frame.columns:
        dates = frame["auction_date"]
    elif "filed" in frame.columns:  # EDGAR debt filings
        dates = frame["filed"]
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

    snapshot_id: str | None = None  # set when the store is a pinned snapshot's frozen view

    def __init__(self, home: Path | str):
        self.home = Path(home)
        self.objects = self.home / "objects"
        self.db_path = self.home / "store.sqlite"
        self.http_cache_path = self.home / "http_cache.sqlite"
        self.events_path = self.home / "events.sqlite"  # the liquidation collector's table
        self.snapshots_path = self.home / "snapshots.sqlite"

    # -- connection ----------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        self.objects.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.db_path, timeout=30, isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA busy_timeout=30000")
        con.executescript(_SCHEMA)
        con.execute("ATTACH DATABASE ? AS snap", (str(self.snapshots_path),))
        con.execute("PRAGMA snap.journal_mode=WAL")
        con.executescript(_SNAPSHOT_SCHEMA)
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
        for _ in range(3):
            if entry is None:
                raise DataNotAvailable(f"{key} is not in the store at {self.home}")
            try:
                return pd.read_parquet(self._object_path(entry.sha256))
            except FileNotFoundError:
                # A writer replaced this version (and deleted its file) after we read the
                # manifest: the manifest now names the new one.
                fresher = self.entry(key)
                if fresher is not None and fresher.sha256 == entry.sha256:
                    break
                entry = fresher
        raise DataNotAvailable(f"the file of {key} is missing from the store at {self.home}")

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
        entry = self.put_object(dataset, frame, source=source, origin=origin)
        if retrieved_at is not None:
            entry = dataclasses.replace(entry, retrieved_at=retrieved_at)
        sha, first, last = entry.sha256, entry.first, entry.last
        with closing(self._connect()) as con:
            con.execute("BEGIN IMMEDIATE")
            if not self.has_object(sha):
                # The same bytes were an unnamed object a sweep or a collection removed after
                # put_object found them in place: store them again, now under the lock.
                self.put_object(dataset, frame, source=source, origin=origin)
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

    def put_object(
        self, dataset: Dataset, frame: pd.DataFrame, *, source: str, origin: str
    ) -> Entry:
        """Validate `frame` and store it as an object, without making it the current version.

        Returns the manifest row it would have; snapshots keep such rows for data read from a pack.
        """
        validate(frame, dataset)
        payload = _parquet_bytes(frame)
        sha = hashlib.sha256(payload).hexdigest()
        self._put_object(sha, payload)
        first, last = span(frame, dataset)
        return Entry(dataset.key, sha, source, origin, now_utc(), first, last, len(frame))

    def record_attempt(self, key: str, ok: bool, message: str) -> None:
        with closing(self._connect()) as con:
            con.execute(
                "INSERT OR REPLACE INTO attempts VALUES (?,?,?,?)",
                (key, now_utc().isoformat(), int(ok), message),
            )

    def has_object(self, sha: str) -> bool:
        return self._object_path(sha).exists()

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

    def sweep(self, older_than: timedelta = SWEEP_AGE) -> list[Path]:
        """Delete what a killed write left behind; returns the deleted files.

        That is temp files of an object never renamed into place, and objects that neither the
        manifest nor a snapshot names (a kill between the manifest commit and the deletion of the
        version it replaced). Files younger than `older_than` stay: a writer or `pin` running now
        puts its object before it commits the row that names it. The check and the deletes run
        under the write lock, as in `_collect`.
        """
        if not self.exists():
            return []
        cutoff = time.time() - older_than.total_seconds()
        swept = []
        with closing(self._connect()) as con:
            con.execute("BEGIN IMMEDIATE")
            named = {
                sha
                for (sha,) in con.execute(
                    "SELECT sha256 FROM manifest UNION SELECT sha256 FROM snap.snapshot_objects"
                )
            }
            for path in self.objects.glob("*/*.parquet"):
                leftover = path.name.startswith(".tmp-") or (
                    _OBJECT_NAME.fullmatch(path.name) is not None and path.stem not in named
                )
                if leftover and _mtime(path) < cutoff:
                    path.unlink(missing_ok=True)
                    swept.append(path)
            con.execute("COMMIT")
        return swept

    def _collect(self, sha: str) -> None:
        """Delete an object once neither the manifest nor a snapshot points at it.

        The check and the delete run under the write lock, so a snapshot being saved at the same
        moment either sees the object gone (and says so) or keeps it.
        """
        with closing(self._connect()) as con:
            con.execute("BEGIN IMMEDIATE")
            used = con.execute(
                "SELECT 1 FROM manifest WHERE sha256=? "
                "UNION ALL SELECT 1 FROM snap.snapshot_objects WHERE sha256=? LIMIT 1",
                (sha, sha),
            ).fetchone()
            if not used:
                self._object_path(sha).unlink(missing_ok=True)
            con.execute("COMMIT")

    # -- snapshots -------------------------------------------------------------------------------
    def save_snapshot(self, snapshot_id: str, entries: list[Entry], cap_bytes: int) -> list[str]:
        """Keep `entries` under `snapshot_id` (saving the same id again only marks it served), then
        evict the least recently served other snapshots until the objects that only snapshots
        hold fit in `cap_bytes`. Returns the evicted ids.

        Raises DataNotAvailable when an entry's object is gone (a refresh replaced it meanwhile).
        """
        now = now_utc().isoformat()
        rows = json.dumps([_entry_row(e) for e in entries])
        with closing(self._connect()) as con:
            con.execute("BEGIN IMMEDIATE")
            missing = [e.key for e in entries if not self.has_object(e.sha256)]
            if missing:
                con.execute("ROLLBACK")
                raise DataNotAvailable(f"data changed while pinning ({', '.join(missing)})")
            con.execute(
                "INSERT INTO snap.snapshots VALUES (?,?,?,NULL,?) ON CONFLICT(id) DO UPDATE SET "
                "served_at=excluded.served_at, evicted_at=NULL, entries=excluded.entries, "
                "created_at=CASE WHEN evicted_at IS NULL THEN created_at "
                "ELSE excluded.created_at END",
                (snapshot_id, now, now, rows),
            )
            con.executemany(
                "INSERT OR IGNORE INTO snap.snapshot_objects VALUES (?,?)",
                [(snapshot_id, e.sha256) for e in entries],
            )
            con.execute("COMMIT")
        return self._evict_snapshots(cap_bytes, keep=snapshot_id)

    def snapshot(self, snapshot_id: str, *, serve: bool = False) -> SnapshotRow | None:
        """The stored snapshot (a tombstone when evicted), or None when it was never saved here.

        `serve` notes the time for least-recently-served eviction.
        """
        if not self.exists():
            return None
        with closing(self._connect()) as con:
            row = con.execute(
                "SELECT id, created_at, served_at, evicted_at, entries FROM snap.snapshots "
                "WHERE id=?",
                (snapshot_id,),
            ).fetchone()
            if row is not None and serve and row[3] is None:
                con.execute(
                    "UPDATE snap.snapshots SET served_at=? WHERE id=?",
                    (now_utc().isoformat(), snapshot_id),
                )
        return None if row is None else _snapshot_row(row)

    def snapshots(self) -> list[SnapshotRow]:
        """Every snapshot saved here, evicted ones included, most recently served first."""
        if not self.exists():
            return []
        with closing(self._connect()) as con:
            rows = con.execute(
                "SELECT id, created_at, served_at, evicted_at, entries FROM snap.snapshots "
                "ORDER BY served_at DESC"
            ).fetchall()
        return [_snapshot_row(r) for r in rows]

    def snapshot_bytes(self) -> int:
        """Disk used by objects that only snapshots keep (the manifest's current ones are free)."""
        with closing(self._connect()) as con:
            shas = con.execute(
                "SELECT DISTINCT sha256 FROM snap.snapshot_objects "
                "WHERE sha256 NOT IN (SELECT sha256 FROM manifest)"
            ).fetchall()
        return sum(_size(self._object_path(sha)) for (sha,) in shas)

    def _evict_snapshots(self, cap_bytes: int, keep: str) -> list[str]:
        evicted = []
        while self.snapshot_bytes() > cap_bytes:
            with closing(self._connect()) as con:
                con.execute("BEGIN IMMEDIATE")
                oldest = con.execute(
                    "SELECT id FROM snap.snapshots WHERE evicted_at IS NULL AND id != ? "
                    "ORDER BY served_at LIMIT 1",
                    (keep,),
                ).fetchone()
                if oldest is None:  # only the snapshot just saved is left: it stays
                    con.execute("ROLLBACK")
                    break
                shas = con.execute(
                    "SELECT sha256 FROM snap.snapshot_objects WHERE id=?", oldest
                ).fetchall()
                con.execute("DELETE FROM snap.snapshot_objects WHERE id=?", oldest)
                con.execute(
                    "UPDATE snap.snapshots SET evicted_at=?, entries=NULL WHERE id=?",
                    (now_utc().isoformat(), oldest[0]),
                )
                con.execute("COMMIT")
            for (sha,) in shas:
                self._collect(sha)
            evicted.append(oldest[0])
        return evicted


@dataclass(frozen=True)
class SnapshotRow:
    id: str
    created_at: pd.Timestamp
    served_at: pd.Timestamp
    evicted_at: pd.Timestamp | None
    entries: dict[str, Entry] | None  # None once evicted


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


def _entry_row(entry: Entry) -> list:
    return [
        entry.key,
        entry.sha256,
        entry.source,
        entry.origin,
        entry.retrieved_at.isoformat(),
        _iso(entry.first),
        _iso(entry.last),
        entry.rows,
    ]


def _snapshot_row(row) -> SnapshotRow:
    snapshot_id, created, served, evicted, entries = row
    return SnapshotRow(
        snapshot_id,
        pd.Timestamp(created),
        pd.Timestamp(served),
        pd.Timestamp(evicted) if evicted else None,
        None if entries is None else {r[0]: _entry(r) for r in json.loads(entries)},
    )


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # renamed into place or collected meanwhile: nothing to sweep
        return float("inf")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0
