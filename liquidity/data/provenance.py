"""The library: where each dataset is read from, with its provenance and freshness.

Two places can hold a dataset: the local store (live fetches and imported packs) and a data pack
named by LIQUIDITY_DATA_PACK (read in place). When both hold it, the copy whose last observation
is later wins, and the store wins a tie, so a refresh always shows up and a pack never hides newer
data. Everything the app, the CLI and the Python API load goes through here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypeVar

import pandas as pd

from liquidity.core import catalog, settings
from liquidity.core.catalog import Dataset
from liquidity.core.errors import DataNotAvailable, LiquidityError, ValidationError
from liquidity.data.events import EVENTS_CSV
from liquidity.data.pack import DataPack, write_pack
from liquidity.data.store import Attempt, Entry, Store, now_utc, span

LIVE_FRESH = pd.Timedelta(hours=24)
T = TypeVar("T")  # a live fetch younger than this makes the mode "live"


@dataclass(frozen=True)
class Provenance:
    """Where a loaded frame came from; shown in status strips and written into exported packs."""

    key: str
    origin: str  # "live" (fetched), "pack" (data pack read in place), "imported" (pack in store)
    source: str
    location: str  # store home or pack folder
    retrieved_at: pd.Timestamp | None
    first: pd.Timestamp | None
    last: pd.Timestamp | None
    rows: int
    checksum: str

    def stale(self, dataset: Dataset, now: pd.Timestamp | None = None) -> bool:
        """Whether the last observation is older than the dataset's expected publication gap."""
        if self.last is None:
            return True
        return age_days(self.last, now) > dataset.stale_after_days

    def as_dict(self) -> dict:
        return {
            k: (v.isoformat() if isinstance(v, pd.Timestamp) else v)
            for k, v in asdict(self).items()
        }


@dataclass(frozen=True)
class DatasetStatus:
    dataset: Dataset
    provenance: Provenance | None
    error: str | None  # why the dataset cannot be read (broken pack file), if it cannot
    stale: bool  # no copy, a copy past its publication gap, or one whose refresh failed
    last_attempt: str | None  # last live fetch attempt, e.g. "failed 2026-11-22 10:00: offline"
    stale_since: pd.Timestamp | None = None  # see `stale_since`
    fetch_failed: bool = False  # the last live fetch attempt failed (the copy shown is older)


class Library:
    def __init__(self, store: Store | None = None, pack: DataPack | None = None):
        self.store = store
        self.pack = pack if pack is not None and pack.exists() else None
        # A LIQUIDITY_DATA_PACK that is not a folder is ignored, and said so in the UI.
        self.missing_pack = pack.root if pack is not None and not pack.exists() else None
        self._derived: dict[tuple, object] = {}

    @classmethod
    def from_env(cls) -> Library:
        pack_root = settings.data_pack()
        return cls(Store(settings.home()), DataPack(pack_root) if pack_root else None)

    # -- resolution ------------------------------------------------------------------------------
    def _pack_provenance(self, dataset: Dataset) -> Provenance | None:
        files = self.pack.files(dataset) if self.pack is not None else []
        if not files:
            if self.pack is not None and dataset.key in self.pack.listed():
                raise ValidationError(
                    dataset.key, "the pack's manifest.json lists it, but its file is missing"
                )
            return None
        frame = self.pack.read(dataset)  # memoised; raises ValidationError for a broken file
        first, last = span(frame, dataset)
        names = ", ".join(str(f.path.relative_to(self.pack.root)) for f in files)
        return Provenance(
            dataset.key,
            "pack",
            f"data pack file {names}",
            str(self.pack.root),
            None,
            first,
            last,
            len(frame),
            self.pack.checksum(dataset),
        )

    def _store_provenance(self, entry: Entry, home: Path) -> Provenance:
        if self.store.snapshot_id:
            origin = f"pinned snapshot {self.store.snapshot_id}"
        else:
            origin = "imported" if entry.origin == "pack" else "live"
        return Provenance(
            entry.key,
            origin,
            entry.source,
            str(home),
            entry.retrieved_at,
            entry.first,
            entry.last,
            entry.rows,
            entry.sha256,
        )

    def provenance(self, key: str, entries: dict[str, Entry] | None = None) -> Provenance | None:
        """Provenance of the copy `load` would return, or None when no copy exists."""
        dataset = catalog.get(key)
        entries = self.store.entries() if entries is None and self.store else (entries or {})
        stored = entries.get(key)
        packed = self._pack_provenance(dataset)
        if stored is None:
            return packed
        from_store = self._store_provenance(stored, self.store.home)
        if packed is not None and _later(packed.last, from_store.last):
            return packed
        return from_store

    def datasets(self, entries: dict[str, Entry] | None = None) -> tuple[Dataset, ...]:
        """The catalog, then the FRED vintages the store or the pack holds (or its manifest
        lists): built on demand like other filers' SEC facts, so a pack or store without
        vintages lists none instead of ten missing datasets."""
        entries = self.store.entries() if entries is None and self.store else (entries or {})
        held = set(entries)
        if self.pack is not None:
            held |= set(self.pack.vintage_keys()) | self.pack.listed()
        return catalog.CATALOG + tuple(d for d in catalog.vintage_datasets() if d.key in held)

    def load(self, key: str) -> tuple[pd.DataFrame, Provenance]:
        """The frame for a catalog key with its provenance; DataNotAvailable if nobody holds it."""
        dataset = catalog.get(key)
        prov = self.provenance(key)
        if prov is None:
            raise DataNotAvailable(self.missing_message(dataset))
        if prov.origin == "pack":
            return self.pack.read(dataset), prov
        return self.store.read(key), prov

    def derived(self, name: str, keys: list[str], compute: Callable[[], T]) -> T:
        """Memoise a calculation over datasets, keyed by the checksums of its inputs.

        Several views share the same derived table (the capex group table feeds both the ledger
        and the drain gauge); it is computed once per version of its inputs.
        """
        entries = self.store.entries() if self.store else {}
        stamp = []
        for key in keys:
            prov = self.provenance(key, entries)
            stamp.append((key, prov.checksum if prov else None))
        memo_key = (name, tuple(stamp))
        if memo_key not in self._derived:
            if len(self._derived) >= 32:  # a long-running app sees many versions: keep recent
                self._derived.pop(next(iter(self._derived)))
            self._derived[memo_key] = compute()
        return self._derived[memo_key]

    def missing_message(self, dataset: Dataset) -> str:
        where = f"the data pack {self.pack.root} and " if self.pack else ""
        if dataset.kind == catalog.FRED_VINTAGES:
            fix = "set FRED_API_KEY and run `python -m liquidity refresh --only fred`"
        elif dataset.key not in catalog.KEYS:
            fix = (
                f"fetch it with `python -m liquidity fetch-prices {dataset.name}`"
                if (dataset.kind == catalog.PRICES)
                else "fetch its filings from the capex page"
            )
        elif dataset.live:
            fix = "run `python -m liquidity refresh`"
        else:
            fix = "point LIQUIDITY_DATA_PACK at a data pack that has it"
        return f"{dataset.key} ({dataset.label}) is not in {where}the local store; {fix}"

    # -- status ----------------------------------------------------------------------------------
    def status(self, now: pd.Timestamp | None = None) -> list[DatasetStatus]:
        entries = self.store.entries() if self.store else {}
        attempts = self.store.attempts() if self.store else {}
        out = []
        for dataset in self.datasets(entries):
            prov, error = None, None
            try:
                prov = self.provenance(dataset.key, entries)
            except LiquidityError as exc:
                error = str(exc)
            attempt = attempts.get(dataset.key)
            last_attempt = None
            if attempt is not None:
                verdict = "ok" if attempt.ok else "failed"
                last_attempt = f"{verdict} {attempt.at:%Y-%m-%d %H:%M} UTC: {attempt.message}"
            since = stale_since(dataset, prov, attempt, now) if prov else None
            failed = attempt is not None and not attempt.ok
            stale = prov is None or prov.stale(dataset, now) or since is not None
            out.append(DatasetStatus(dataset, prov, error, stale, last_attempt, since, failed))
        return out

    def mode(self, statuses: list[DatasetStatus] | None = None) -> str:
        """Where the data on screen comes from: data pack, pinned, live, cached or empty."""
        statuses = statuses if statuses is not None else self.status()
        origins = {s.provenance.origin for s in statuses if s.provenance}
        if not origins:
            return "empty"
        if self.store.snapshot_id:
            return "pinned"
        if "pack" in origins:
            return "data pack"
        fresh = any(
            s.provenance
            and s.provenance.origin == "live"
            and s.provenance.retrieved_at
            and now_utc() - s.provenance.retrieved_at < LIVE_FRESH
            for s in statuses
        )
        return "live" if fresh else "cached"

    def version(self) -> str:
        """A cheap token that changes whenever any data the library serves changes.

        The app keys its caches on it, so a refresh or a new pack is picked up at once.
        """
        if self.store and self.store.snapshot_id:  # a snapshot never changes
            return f"snapshot:{self.store.snapshot_id}"
        parts = []
        if self.store and self.store.db_path.exists():
            st = self.store.db_path.stat()
            wal = self.store.db_path.with_name(self.store.db_path.name + "-wal")
            parts.append(f"{st.st_mtime_ns}:{wal.stat().st_mtime_ns if wal.exists() else 0}")
        if self.pack:
            parts.append(f"{self.pack.root}:{self.pack.root.stat().st_mtime_ns}")
        return "|".join(parts) or "empty"

    def events_version(self) -> str:
        """Like `version`, for the collector's event table alone: it changes every second while
        the collector runs, and only the views of collected events should follow it."""
        if not self.store:
            return "none"
        paths = (
            self.store.events_path,
            self.store.events_path.with_name(self.store.events_path.name + "-wal"),
        )
        return "|".join(str(p.stat().st_mtime_ns) for p in paths if p.exists()) or "none"

    # -- packs -----------------------------------------------------------------------------------
    def import_pack(self, pack: DataPack) -> tuple[list[str], dict[str, str]]:
        """Validate every dataset in `pack` and copy the good ones into the store.

        Returns (imported keys, {key: problem} for files that were rejected).
        """
        if not pack.exists():
            raise LiquidityError(f"no data pack at {pack.root}")
        imported, rejected = [], {}
        for key in pack.keys():
            dataset = catalog.get(key)
            try:
                frame = pack.read(dataset)
                self.store.write(
                    dataset, frame, source=f"pack:{pack.root.resolve()}", origin="pack"
                )
                imported.append(key)
            except LiquidityError as exc:
                rejected[key] = str(exc)
        return imported, rejected

    def export_pack(self, root: Path | str) -> tuple[list[Path], dict[str, str]]:
        """Write every dataset this library can load (as the app sees it) as a data pack."""
        frames, skipped = {}, {}
        for dataset in self.datasets():
            try:
                frame, prov = self.load(dataset.key)
            except DataNotAvailable:
                continue
            except LiquidityError as exc:
                skipped[dataset.key] = str(exc)
                continue
            frames[dataset.key] = (frame, prov.as_dict())
        if not frames:
            raise LiquidityError("nothing to export: the store is empty and no data pack is set")
        return write_pack(root, frames, EVENTS_CSV), skipped


def stale_since(
    dataset: Dataset,
    prov: Provenance,
    attempt: Attempt | None,
    now: pd.Timestamp | None = None,
) -> pd.Timestamp | None:
    """The day (UTC) the copy shown stopped being current, or None while it is current.

    Two things make a copy stale, and each dates it differently:
    - its last observation is older than the dataset's publication gap: stale since the day a
      newer observation was due (last observation + `stale_after_days`);
    - the latest live fetch failed after the copy was stored: stale since the last good fetch
      (`retrieved_at`), the last time the copy was known to be current; a copy never fetched
      (a data pack) since the failed attempt.
    When both hold, the earlier day: the copy has been stale at least that long.
    """
    days = []
    if prov.last is not None and prov.stale(dataset, now):
        days.append(prov.last + pd.Timedelta(days=dataset.stale_after_days))
    fetched = prov.retrieved_at
    if attempt is not None and not attempt.ok and (fetched is None or attempt.at >= fetched):
        days.append(_utc_day(fetched if fetched is not None else attempt.at))
    return min(days).normalize() if days else None


def _utc_day(ts: pd.Timestamp) -> pd.Timestamp:
    return ts.tz_convert("UTC").tz_localize(None) if ts.tzinfo else ts


def age_days(last: pd.Timestamp, now: pd.Timestamp | None = None) -> int:
    """Whole days between an observation date and today (UTC)."""
    now = now or now_utc()
    today = _utc_day(now).normalize()
    return (today - last).days


def _later(a: pd.Timestamp | None, b: pd.Timestamp | None) -> bool:
    return a is not None and (b is None or a > b)
