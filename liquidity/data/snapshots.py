"""Pinned snapshots: the exact dataset versions a shared link was made from.

A snapshot is a list of manifest rows (dataset → content-addressed Parquet object). Its id is the
first 12 hex digits of the SHA-256 over its sorted (key, object hash) pairs, so pinning the same
data twice gives the same id and costs nothing more, and a FRED revision or a new filing gives a
new id while the old one keeps showing the old numbers. Objects are shared with the store's
manifest and between snapshots; data read from a pack in place is copied in once.

Objects that only snapshots keep count against a size cap (`LIQUIDITY_SNAPSHOT_CAP_MB`, default
500). Beyond it the least recently served snapshots are evicted; each leaves a tombstone, so an old
link can say it was evicted rather than that it never existed.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from liquidity.core import catalog
from liquidity.core.errors import DataNotAvailable, LiquidityError
from liquidity.data.provenance import Library
from liquidity.data.store import Entry, Store

ID_PATTERN = re.compile(r"[0-9a-f]{12}")
DEFAULT_CAP_MB = 500


class SnapshotUnavailable(DataNotAvailable):
    """A pinned link names a snapshot this server does not (or no longer) keep."""


@dataclass(frozen=True)
class Snapshot:
    id: str
    created_at: pd.Timestamp
    entries: dict[str, Entry]

    @property
    def data_as_of(self) -> pd.Timestamp | None:
        """The latest macro observation in it (any dataset's when it has no FRED series)."""
        lasts = [e.last for e in self.entries.values() if e.last is not None]
        macro = [
            e.last
            for e in self.entries.values()
            if e.last is not None and e.key.startswith(f"{catalog.FRED}/")
        ]
        return max(macro or lasts, default=None)


class PinnedStore(Store):
    """The store as a snapshot froze it: reads resolve to the snapshot's objects; no writes."""

    def __init__(self, home, snapshot: Snapshot):
        super().__init__(home)
        self.snapshot_id = snapshot.id
        self._entries = dict(snapshot.entries)

    def entries(self) -> dict[str, Entry]:
        return dict(self._entries)

    def attempts(self) -> dict:
        return {}

    def write(self, dataset, frame, **kwargs) -> Entry:
        raise LiquidityError(
            f"snapshot {self.snapshot_id} is pinned: it cannot change; show the latest data first"
        )


def snapshot_id(entries: Iterable[Entry]) -> str:
    pairs = sorted(f"{e.key} {e.sha256}" for e in entries)
    return hashlib.sha256("\n".join(pairs).encode()).hexdigest()[:12]


def cap_bytes(environ=os.environ) -> int:
    value = environ.get("LIQUIDITY_SNAPSHOT_CAP_MB", "").strip()
    try:
        megabytes = float(value) if value else DEFAULT_CAP_MB
    except ValueError:
        megabytes = DEFAULT_CAP_MB
    return int(max(megabytes, 0) * 1_000_000)


def pin(library: Library, kinds: Iterable[str] = catalog.KINDS) -> Snapshot:
    """Freeze every dataset of `kinds` that `library` serves now; returns the saved snapshot.

    Datasets that cannot be read (a broken pack file) are left out; the page shows them as
    unavailable either way.
    """
    if library.store is None:
        raise LiquidityError("pinning needs a local store (LIQUIDITY_HOME)")
    if library.store.snapshot_id:
        return open_snapshot(library.store, library.store.snapshot_id)
    kinds = tuple(kinds)
    stored = library.store.entries()
    keys = sorted(
        {d.key for d in library.datasets(stored) if d.kind in kinds}
        | {k for k in stored if k.partition("/")[0] in kinds}
    )
    # Memoised on the inputs' checksums: pinning unchanged data again serialises nothing.
    entries = library.derived("snapshot", keys, lambda: _entries(library, keys, stored))
    if not entries:
        raise DataNotAvailable("nothing to pin: no data is loaded")
    try:
        library.store.save_snapshot(snapshot_id(entries), entries, cap_bytes())
    except DataNotAvailable:  # a pack object of the memo was evicted since: copy it in again
        entries = _entries(library, keys, stored)
        library.store.save_snapshot(snapshot_id(entries), entries, cap_bytes())
    return open_snapshot(library.store, snapshot_id(entries))


def _entries(library: Library, keys: list[str], stored: dict[str, Entry]) -> list[Entry]:
    out = []
    for key in keys:
        try:
            prov = library.provenance(key, stored)
        except LiquidityError:
            continue
        if prov is None:
            continue
        if prov.origin == "pack":
            dataset = catalog.get(key)
            out.append(
                library.store.put_object(
                    dataset, library.pack.read(dataset), source=prov.source, origin="pack"
                )
            )
        else:
            out.append(stored[key])
    return out


def open_snapshot(store: Store, sid: str) -> Snapshot:
    """The snapshot `sid`, marked as served; SnapshotUnavailable with the reason if it is gone."""
    if not ID_PATTERN.fullmatch(sid or ""):
        raise SnapshotUnavailable(  # not quoted: the page shows this as markdown
            "the given id is not a snapshot id (12 lowercase hex digits, as in a pinned link)"
        )
    row = store.snapshot(sid, serve=True)
    if row is None:
        raise SnapshotUnavailable(
            f"snapshot {sid} is not on this server: the link was pinned on another installation, "
            "or its store was reset"
        )
    if row.entries is None:
        raise SnapshotUnavailable(
            f"snapshot {sid} was removed on {row.evicted_at:%Y-%m-%d} to keep pinned data under "
            f"{cap_bytes() / 1e6:,.0f} MB (the least recently opened links go first)"
        )
    if not all(store.has_object(e.sha256) for e in row.entries.values()):
        raise SnapshotUnavailable(f"snapshot {sid} is incomplete on this server (files removed)")
    return Snapshot(row.id, row.created_at, row.entries)


def pinned_library(store: Store, snapshot: Snapshot) -> Library:
    """A library that serves exactly the snapshot's data (no pack, no newer store rows)."""
    return Library(PinnedStore(store.home, snapshot))
