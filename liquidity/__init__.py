"""Liquidity Drain Monitor: data, store and calculations (no UI code; never imports streamlit).

Public API for notebooks and scripts::

    import liquidity as lq
    lq.load_series("WALCL", start="2025-01-01", unit="B")     # pd.Series, $ billions
    lq.load_prices(["MU", "BTC-USD"], start="2025-01-01")     # adjusted closes, one column each
    lq.load_net_liquidity(start="2025-01-01", variant="wednesday")  # $ billions, see VARIANTS
    lq.load_price_of_money(start="2025-01-01")                # yields, spreads, funding stress
    lq.load_ledger()                                          # quarterly Δ liquidity vs capex
    lq.load_drain_gauge()                                     # composite and its components
    lq.load_companies(["MSFT"])                               # capex and funding, per quarter
    lq.load_dataset("capex/MSFT")                             # (frame, provenance)
    lq.status()                                               # one row per catalog dataset
    lq.refresh(only=("fred",))                                # live fetch into the store
    lq.import_pack("../shared/data"); lq.export_pack("/tmp/my-pack")
    lq.load_scorecard("2026-06-30")                           # the thesis scorecard on a date
    sid = lq.pin().id; lq.load_ledger(library=lq.pinned(sid)) # frozen data, as pinned links
"""

from __future__ import annotations

import pandas as pd

from liquidity import catalog, snapshots
from liquidity.baskets import analyse, load_panel
from liquidity.catalog import CATALOG, Dataset
from liquidity.errors import (
    DataNotAvailable,
    LiquidityError,
    SourceError,
    UnknownDataset,
    ValidationError,
)
from liquidity.funding import load_companies
from liquidity.gauge import drain_gauge, load_drain_gauge
from liquidity.ledger import load_ledger, supply_demand_ledger
from liquidity.library import Library, Provenance
from liquidity.loaders import default_library, load_dataset, load_prices, load_series
from liquidity.money import load_price_of_money, price_of_money
from liquidity.netliq import VARIANTS, load_net_liquidity, net_liquidity, weekly_flows
from liquidity.pack import DataPack
from liquidity.refresh import RefreshReport
from liquidity.refresh import refresh as _refresh
from liquidity.scorecard import load_scorecard, load_scorecard_history, load_scorecard_trends
from liquidity.snapshots import Snapshot
from liquidity.store import Store


def status(library: Library | None = None) -> pd.DataFrame:
    """One row per catalog dataset: where it comes from, its span, rows and staleness.

    `stale_since` is the day the copy stopped being current (see library.stale_since), empty
    while it is; `fetch_failed` says the last live fetch failed.
    """
    rows = []
    for s in (library or default_library()).status():
        p = s.provenance
        rows.append(
            {
                "id": s.dataset.key,
                "label": s.dataset.label,
                "origin": p.origin if p else None,
                "unit": s.dataset.native_unit,
                "first": p.first if p else None,
                "last": p.last if p else None,
                "rows": p.rows if p else 0,
                "retrieved_at": p.retrieved_at if p else None,
                "stale": s.stale,
                "stale_since": s.stale_since,
                "fetch_failed": s.fetch_failed,
                "error": s.error,
            }
        )
    return pd.DataFrame(rows)


def refresh(only: tuple[str, ...] | None = None, library: Library | None = None) -> RefreshReport:
    """Fetch the live sources ("fred", "prices", "sec") into the store."""
    return _refresh((library or default_library()).store, only)


def import_pack(path, library: Library | None = None):
    """Validate the data pack at `path` and copy it into the store; returns (keys, rejected)."""
    return (library or default_library()).import_pack(DataPack(path))


def export_pack(path, library: Library | None = None):
    """Write every dataset as the app sees it to `path` as a data pack; returns (files, skipped)."""
    return (library or default_library()).export_pack(path)


def pin(kinds: tuple[str, ...] = catalog.KINDS, library: Library | None = None) -> Snapshot:
    """Freeze the data of `kinds` into a snapshot, as the share box's "Pin data" does; a page
    link with `?snap=<id>` then shows exactly this data."""
    return snapshots.pin(library or default_library(), kinds)


def pinned(snapshot_id: str, library: Library | None = None) -> Library:
    """A library serving exactly a snapshot's data: pass it as `library=` to any loader."""
    store = (library or default_library()).store
    return snapshots.pinned_library(store, snapshots.open_snapshot(store, snapshot_id))


__all__ = [
    "CATALOG",
    "DataNotAvailable",
    "DataPack",
    "Dataset",
    "Library",
    "LiquidityError",
    "Provenance",
    "RefreshReport",
    "Snapshot",
    "SourceError",
    "Store",
    "UnknownDataset",
    "ValidationError",
    "VARIANTS",
    "analyse",
    "catalog",
    "drain_gauge",
    "export_pack",
    "import_pack",
    "load_dataset",
    "load_companies",
    "load_drain_gauge",
    "load_ledger",
    "load_net_liquidity",
    "load_panel",
    "load_price_of_money",
    "load_prices",
    "load_scorecard",
    "load_scorecard_history",
    "load_scorecard_trends",
    "load_series",
    "net_liquidity",
    "pin",
    "pinned",
    "price_of_money",
    "refresh",
    "snapshots",
    "status",
    "supply_demand_ledger",
    "weekly_flows",
]
