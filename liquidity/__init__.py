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

The layers, from the bottom: `core` (units, errors, settings, the catalog, dates and time
alignment), `sources` (one module per network source), `data` (validation, store, packs,
which copy to use, snapshots), `analytics` (pure calculations), `ingest` (jobs that write:
refresh, the collector, the event store) and `api` (the one module joining loading and
computing, re-exported here).
"""

from __future__ import annotations

from liquidity.analytics.drain_gauge import drain_gauge
from liquidity.analytics.net_liquidity import VARIANTS, net_liquidity, weekly_flows
from liquidity.analytics.price_of_money import price_of_money
from liquidity.analytics.supply_demand import supply_demand_ledger
from liquidity.api import (
    analyse,
    default_library,
    export_pack,
    import_pack,
    load_companies,
    load_dataset,
    load_drain_gauge,
    load_ledger,
    load_net_liquidity,
    load_panel,
    load_price_of_money,
    load_prices,
    load_scorecard,
    load_scorecard_history,
    load_scorecard_trends,
    load_series,
    pin,
    pinned,
    refresh,
    status,
)
from liquidity.core import catalog
from liquidity.core.catalog import CATALOG, Dataset
from liquidity.core.errors import (
    DataNotAvailable,
    LiquidityError,
    SourceError,
    UnknownDataset,
    ValidationError,
)
from liquidity.data import snapshots
from liquidity.data.pack import DataPack
from liquidity.data.provenance import Library, Provenance
from liquidity.data.snapshots import Snapshot
from liquidity.data.store import Store
from liquidity.ingest.refresh import RefreshReport

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
    "default_library",
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
