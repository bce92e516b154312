"""Loading functions for notebooks, the CLI and the app: small arguments in, tidy pandas out.

    load_series("WALCL", start="2025-01-01", unit="USD_B")   -> pd.Series in $ billions
    load_prices(["MU", "BTC-USD"], field="adj_close")         -> one column per ticker
    load_dataset("capex/MSFT")                                -> the stored frame as is

Every function takes an optional `library`; without one it uses the store and data pack named by
the environment (LIQUIDITY_HOME, LIQUIDITY_DATA_PACK).
"""

from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache

import pandas as pd

from liquidity import catalog, units
from liquidity.errors import LiquidityError
from liquidity.library import Library, Provenance
from liquidity.pack import DataPack
from liquidity.store import Store

PRICE_FIELDS = ("close", "adj_close", "open", "high", "low", "volume")


@lru_cache(maxsize=4)
def _library_for(home: str, pack: str) -> Library:
    return Library(Store(home), DataPack(pack) if pack else None)


def default_library() -> Library:
    """The library named by the environment; one instance per (home, pack) so memos are kept."""
    from liquidity import settings

    pack = settings.data_pack(os.environ)
    return _library_for(str(settings.home(os.environ)), str(pack) if pack else "")


def parse_date(
    value: str | dt.date | pd.Timestamp | None, name: str = "date"
) -> pd.Timestamp | None:
    """A day as a Timestamp; LiquidityError with a one-line message for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, (dt.date, pd.Timestamp)):
        return pd.Timestamp(value).normalize()
    try:
        return pd.Timestamp(dt.date.fromisoformat(str(value).strip()))
    except ValueError:
        raise LiquidityError(f"malformed {name} {value!r}: use YYYY-MM-DD") from None


def date_window(start=None, end=None) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    start, end = parse_date(start, "start date"), parse_date(end, "end date")
    if start is not None and end is not None and end < start:
        raise LiquidityError(f"end date {end.date()} is before start date {start.date()}")
    return start, end


def _window(frame: pd.DataFrame | pd.Series, start, end):
    start, end = date_window(start, end)
    return frame.loc[start:end]


def load_dataset(key: str, library: Library | None = None) -> tuple[pd.DataFrame, Provenance]:
    """The frame for a catalog key ("fred/WALCL", "capex/MSFT", ...) and its provenance."""
    return (library or default_library()).load(key)


def load_series(
    series_id: str, start=None, end=None, unit: str | None = None, library: Library | None = None
) -> pd.Series:
    """A FRED series as a float Series indexed by date, in `unit` (default: native unit).

    Missing observations (FRED's "." days) are dropped. `unit` is a dollar scale (USD, USD_M,
    USD_B, USD_T, or the letters M, B, T); asking to scale a percent series raises.
    """
    dataset = catalog.fred(series_id)
    frame, _ = load_dataset(dataset.key, library)
    series = _window(frame["value"].dropna(), start, end)
    if unit is not None:
        target = units.SHORT.get(unit.upper(), unit.upper())
        series = units.convert(series, dataset.native_unit, target)
    return series.rename(dataset.name)


def load_prices(
    tickers,
    start=None,
    end=None,
    field: str = "adj_close",
    returns: bool = False,
    library: Library | None = None,
) -> pd.DataFrame:
    """One column per ticker of daily prices (or simple daily returns in percent).

    `adj_close` is the split- and dividend-adjusted close. Where a source publishes no adjusted
    column at all (indices, crypto, gold: nothing to adjust for) the close is used instead; a
    ticker that has both is never mixed row by row, so no jump appears where one column ends.
    Each ticker keeps its own trading calendar: the union of dates has NaN where a market was
    closed, and returns are computed per ticker over its own previous trading day.
    """
    if field not in PRICE_FIELDS:
        raise LiquidityError(f"unknown price field {field!r}; use one of {', '.join(PRICE_FIELDS)}")
    if isinstance(tickers, str):
        tickers = [tickers]
    columns = {}
    for ticker in tickers:
        dataset = catalog.price(ticker)
        frame, _ = load_dataset(dataset.key, library)
        column = frame[field]
        if field == "adj_close" and column.isna().all():
            column = frame["close"]
        column = column.dropna()
        if returns:
            column = column.pct_change().mul(100).iloc[1:]
        columns[dataset.name] = _window(column, start, end)
    return pd.DataFrame(columns).sort_index()


def load_optional_series(series_id: str, library: Library | None = None) -> pd.Series:
    """A FRED series, or an empty one when nobody holds it (for inputs a view can do without;
    the view's provenance strip says which are missing)."""
    from liquidity.errors import DataNotAvailable

    try:
        return load_series(series_id, library=library)
    except DataNotAvailable:
        return pd.Series(dtype="float64", index=pd.DatetimeIndex([], name="date"), name=series_id)


def load_capex_table(metric: str = "capex", library: Library | None = None) -> pd.DataFrame:
    """Quarter × ticker table of a capex-file metric in USD (see liquidity.capex), memoised."""
    from liquidity import capex

    library = library or default_library()
    keys = [d.key for d in catalog.of_kind(catalog.CAPEX)]

    def compute() -> pd.DataFrame:
        frames = load_capex_frames(library)
        return capex.group_table(frames, metric) if frames else pd.DataFrame()

    return library.derived(f"capex_table:{metric}", keys, compute)


def load_capex_frames(library: Library | None = None) -> dict[str, pd.DataFrame]:
    """The capex dataset of every hyperscaler that has one, keyed by ticker."""
    from liquidity.errors import DataNotAvailable

    frames = {}
    for ticker in catalog.HYPERSCALERS:
        try:
            frames[ticker] = load_dataset(f"{catalog.CAPEX}/{ticker}", library)[0]
        except DataNotAvailable:
            continue
    return frames
