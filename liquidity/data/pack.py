"""Data packs: a folder of CSV files in a fixed layout that the app can read directly.

    fred/<SERIES_ID>.csv             date,value            (FRED native units)
    fred_vintages/<SERIES_ID>.csv    date,realtime_start,realtime_end,value  (ALFRED vintages;
                                     realtime_end empty while current; optional)
    prices/<TICKER>.csv              date,open,high,low,close,adj_close,volume
    capex/<TICKER>.csv               period_end,fiscal_period,form,value_usd,concept
    sec/<TICKER>.csv                 XBRL facts (written by export-pack when the store has them)
    filings/<TICKER>.csv             EDGAR debt filings (catalog.FILING_COLUMNS; optional)
    treasury/tga_daily.csv           date,close_balance_musd (Daily Treasury Statement)
    treasury/auctions.csv            catalog.AUCTION_COLUMNS (maturity_date and
                                     announcement_date may be left out)
    nyfed/rrp_daily.csv              date,total_accepted_busd,total_amt_accepted_usd,operation_id
    nyfed/SOFR.csv, nyfed/EFFR.csv   date,rate_pct,volume_busd
    liquidations/<folder>/<YYYYMMDD>_api_futures_<endpoint>_<SYMBOL>.csv
                                     CoinGlass API v4 exports; snapshots are merged by time
    events.csv                       dated annotations (date,category,label,detail)

Files the catalog does not know are ignored. Every file is validated when read; a broken file is
reported by name and the rest of the pack still loads.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from liquidity.core import catalog
from liquidity.core.catalog import COINGLASS, Dataset
from liquidity.core.errors import DataNotAvailable, LiquidityError, ValidationError
from liquidity.data.frames import is_snapshot, read_csv, validate, write_csv

_COINGLASS_FILE = re.compile(r"^(?P<snap>\d{8})_api_futures_(?P<name>.+)\.csv$")
EXPORT_FOLDER = "coinglass"  # liquidations/<EXPORT_FOLDER>/ in exported packs


@dataclass(frozen=True)
class PackFile:
    path: Path
    mtime_ns: int
    size: int


class DataPack:
    """Read-only view of a data-pack folder, with parsed files memoised by (path, mtime, size)."""

    def __init__(self, root: Path | str):
        self.root = Path(root)
        self._memo: dict[tuple, pd.DataFrame | str] = {}

    def exists(self) -> bool:
        try:
            return self.root.is_dir()
        except OSError:  # e.g. a name too long for the file system: no pack there either
            return False

    def files(self, dataset: Dataset) -> list[PackFile]:
        """The pack files that hold `dataset` (several for merged CoinGlass snapshots)."""
        if dataset.kind == COINGLASS:
            paths = sorted(
                p
                for p in self.root.glob("liquidations/*/*_api_futures_*.csv")
                if (m := _COINGLASS_FILE.match(p.name)) and m["name"] == dataset.name
            )
        else:
            path = self.root / f"{dataset.key}.csv"
            paths = [path] if path.is_file() else []
        out = []
        for p in paths:
            st = p.stat()
            out.append(PackFile(p, st.st_mtime_ns, st.st_size))
        return out

    def keys(self) -> list[str]:
        return [d.key for d in catalog.CATALOG if self.files(d)] + self.vintage_keys()

    def vintage_keys(self) -> list[str]:
        """The FRED vintages the pack carries (not catalogued: most packs have none)."""
        return [d.key for d in catalog.vintage_datasets() if self.files(d)]

    def listed(self) -> set[str]:
        """The dataset keys the pack's manifest.json names (packs written by export-pack); empty
        without one, so a hand-made pack is never blamed for what it does not hold."""
        try:
            return set(json.loads((self.root / "manifest.json").read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return set()

    def read(self, dataset: Dataset) -> pd.DataFrame:
        """The validated frame for `dataset`; ValidationError names a broken file."""
        files = self.files(dataset)
        if not files:
            raise DataNotAvailable(f"{dataset.key} is not in the data pack {self.root}")
        memo_key = (dataset.key, tuple(files))
        if memo_key not in self._memo:
            self._memo[memo_key] = validate(self._parse(dataset, files), dataset)
        return self._memo[memo_key].copy()

    def checksum(self, dataset: Dataset) -> str:
        """SHA-256 over the dataset's files, memoised like the parsed frames."""
        files = tuple(self.files(dataset))
        memo_key = ("sha256", files)
        if memo_key not in self._memo:
            digest = hashlib.sha256()
            for f in files:
                digest.update(f.path.read_bytes())
            self._memo[memo_key] = digest.hexdigest()
        return self._memo[memo_key]

    def _parse(self, dataset: Dataset, files: list[PackFile]) -> pd.DataFrame:
        try:
            if dataset.kind != COINGLASS:
                return read_csv(files[0].path.read_bytes(), dataset)
            parts = []
            for f in files:  # oldest snapshot first, so a later capture wins on overlap
                snap = pd.Timestamp(_COINGLASS_FILE.match(f.path.name)["snap"])
                parts.append(read_csv(f.path.read_bytes(), dataset, snapshot=snap))
            frame = pd.concat(parts)
        except OSError as exc:
            raise ValidationError(
                dataset.key, f"cannot read {exc.filename}: {exc.strerror}"
            ) from None
        except UnicodeDecodeError as exc:  # e.g. a spreadsheet saved over the CSV
            raise ValidationError(
                dataset.key, f"not a UTF-8 text file (byte {exc.start}); save it as CSV UTF-8"
            ) from None
        if is_snapshot(dataset):
            return frame.reset_index(drop=True)
        return frame[~frame.index.duplicated(keep="last")].sort_index()


def export_path(
    root: Path, dataset: Dataset, frame: pd.DataFrame
) -> list[tuple[Path, pd.DataFrame]]:
    """Where each part of a frame goes in an exported pack (one file per CoinGlass snapshot)."""
    if dataset.kind != COINGLASS:
        return [(root / f"{dataset.key}.csv", frame)]
    folder = root / "liquidations" / EXPORT_FOLDER
    if is_snapshot(dataset):
        return [
            (folder / f"{snap:%Y%m%d}_api_futures_{dataset.name}.csv", part)
            for snap, part in frame.groupby("snapshot", sort=True)
        ]
    return [(folder / f"{frame.index.max():%Y%m%d}_api_futures_{dataset.name}.csv", frame)]


def write_pack(
    root: Path | str, frames: dict[str, tuple[pd.DataFrame, dict]], events: Path | None = None
) -> list[Path]:
    """Write frames (key → (frame, provenance dict)) as a data pack at `root`.

    Also writes `manifest.json` with the provenance of every dataset, so whoever opens the pack
    can tell where each file came from. Refuses to write into a non-empty folder that is not a
    pack, so a typo cannot scatter files over someone's home directory.
    """
    root = Path(root)
    if (
        root.exists()
        and any(root.iterdir())
        and not (root / "manifest.json").exists()
        and not (root / "fred").is_dir()
    ):
        raise LiquidityError(f"{root} exists and is not a data pack; choose an empty folder")
    written = []
    for key, (frame, _) in sorted(frames.items()):
        dataset = catalog.get(key)
        for path, part in export_path(root, dataset, frame):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(write_csv(part, dataset), encoding="utf-8")
            written.append(path)
    if events is not None and events.is_file():
        (root / "events.csv").write_bytes(events.read_bytes())
        written.append(root / "events.csv")
    manifest = {key: prov for key, (_, prov) in sorted(frames.items())}
    (root / "manifest.json").write_text(json.dumps(manifest, indent=1, default=str) + "\n")
    written.append(root / "manifest.json")
    return written
