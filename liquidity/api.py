"""The one place that joins loading and computing: small arguments in, tidy pandas out.

    load_series("WALCL", start="2025-01-01", unit="USD_B")   -> pd.Series in $ billions
    load_prices(["MU", "BTC-USD"], field="adj_close")         -> one column per ticker
    load_dataset("capex/MSFT")                                -> the stored frame as is
    load_net_liquidity(variant="wednesday")                   -> $ billions and its parts

Every function takes an optional `library`; without one it uses the store and data pack named by
the environment (LIQUIDITY_HOME, LIQUIDITY_DATA_PACK). The calculations themselves live in
`liquidity.analytics` (pure functions over pandas); the data in `liquidity.data`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from liquidity.analytics import (
    auctions,
    baskets,
    capex,
    debt_ledger,
    divergence,
    drain_calendar,
    duration_supply,
    funding,
    scorecard,
    vintages,
)
from liquidity.analytics import liquidations as liq
from liquidity.analytics.drain_gauge import drain_gauge, latest_public
from liquidity.analytics.net_liquidity import (
    INPUTS,
    OPTIONAL_INPUTS,
    RRP_NYFED,
    TGA_DTS,
    WEEKLY_MAX_AGE,
    check_variant,
    net_liquidity,
)
from liquidity.analytics.price_of_money import INPUTS as MONEY_INPUTS
from liquidity.analytics.price_of_money import price_of_money
from liquidity.analytics.supply_demand import supply_demand_ledger
from liquidity.core import catalog, settings, units
from liquidity.core.calendar import H41_LAG, date_window
from liquidity.core.errors import DataNotAvailable, LiquidityError, SourceError
from liquidity.data import snapshots
from liquidity.data.balance_sheet import load_balance_sheet
from liquidity.data.pack import DataPack
from liquidity.data.provenance import Library, Provenance
from liquidity.data.snapshots import Snapshot
from liquidity.data.store import Store
from liquidity.ingest.event_store import EventStore
from liquidity.ingest.refresh import RefreshReport
from liquidity.ingest.refresh import refresh as refresh_store
from liquidity.sources import exchanges, http

PRICE_FIELDS = ("close", "adj_close", "open", "high", "low", "volume")


# -- the library -------------------------------------------------------------------------------
@lru_cache(maxsize=4)
def _library_for(home: str, pack: str) -> Library:
    return Library(Store(home), DataPack(pack) if pack else None)


def default_library() -> Library:
    """The library named by the environment; one instance per (home, pack) so memos are kept."""
    pack = settings.data_pack(os.environ)
    return _library_for(str(settings.home(os.environ)), str(pack) if pack else "")


def status(library: Library | None = None) -> pd.DataFrame:
    """One row per catalog dataset: where it comes from, its span, rows and staleness.

    `stale_since` is the day the copy stopped being current (see provenance.stale_since), empty
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
    """Fetch the live sources ("fred", "prices", "sec", ...) into the store."""
    return refresh_store((library or default_library()).store, only)


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


# -- datasets ----------------------------------------------------------------------------------
def _window(frame: pd.DataFrame | pd.Series, start, end):
    start, end = date_window(start, end)
    return frame.loc[start:end]


def load_dataset(key: str, library: Library | None = None) -> tuple[pd.DataFrame, Provenance]:
    """The frame for a catalog key ("fred/WALCL", "capex/MSFT", ...) and its provenance."""
    return (library or default_library()).load(key)


def load_series(
    series_id: str,
    start=None,
    end=None,
    unit: str | None = None,
    library: Library | None = None,
    asof=None,
) -> pd.Series:
    """A FRED series as a float Series indexed by date, in `unit` (default: native unit).

    Missing observations (FRED's "." days) are dropped. `unit` is a dollar scale (USD, USD_M,
    USD_B, USD_T, or the letters M, B, T); asking to scale a percent series raises. With
    `asof`, the values as known on that day: from the series' stored vintages when there are
    any (`vintages.as_of`), else the latest revised values cut at `asof` (`series_basis` says
    which).
    """
    dataset = catalog.fred(series_id)
    stored = _vintages(dataset.name, library) if asof is not None else None
    if stored is not None:
        values = vintages.as_of(stored, asof)
    else:
        values = load_dataset(dataset.key, library)[0]["value"]
        if asof is not None:
            values = values.loc[: pd.Timestamp(asof)]
    series = _window(values.dropna(), start, end)
    if unit is not None:
        target = units.SHORT.get(unit.upper(), unit.upper())
        series = units.convert(series, dataset.native_unit, target)
    return series.rename(dataset.name)


def _vintages(series_id: str, library: Library | None) -> pd.DataFrame | None:
    frame = _optional_frame(catalog.vintages(series_id).key, library)
    return None if frame is None or frame.empty else frame


def _has_vintages(series_id: str, library: Library | None) -> bool:
    """Whether `_vintages` would find any, from the provenance (a stored frame is not read)."""
    prov = (library or default_library()).provenance(catalog.vintages(series_id).key)
    return prov is not None and prov.rows > 0


POINT_IN_TIME = "point-in-time (FRED vintages)"
REVISED = "revised data cut at the as-of date"
CUT_AT_DATE = f"{REVISED} (no vintages stored)"


def series_basis(series_ids, library: Library | None = None) -> str:
    """What the values of FRED `series_ids` as of a date rest on, in words: their vintages
    when every one has them stored, else the revised data cut at the date (naming the ids
    that have vintages when only some do)."""
    with_vintages = [sid for sid in series_ids if _has_vintages(sid, library)]
    if len(with_vintages) == len(series_ids):
        return POINT_IN_TIME
    if not with_vintages:
        return CUT_AT_DATE
    return f"{REVISED} (vintages only for {', '.join(with_vintages)})"


def load_optional_series(series_id: str, library: Library | None = None, asof=None) -> pd.Series:
    """A FRED series, or an empty one when nobody holds it (for inputs a view can do without;
    the view's provenance strip says which are missing)."""
    try:
        return load_series(series_id, library=library, asof=asof)
    except DataNotAvailable:
        return pd.Series(dtype="float64", index=pd.DatetimeIndex([], name="date"), name=series_id)


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


# -- liquidity ---------------------------------------------------------------------------------
def load_net_liquidity(
    start=None, end=None, variant: str = "wednesday", library=None, asof=None
) -> pd.DataFrame:
    """`net_liquidity` for `variant` from the loaded FRED series, limited to [start, end];
    with `asof`, from the series as known that day (`load_series`)."""
    check_variant(variant)
    start, end = date_window(start, end)
    # Inputs start early enough for RRP's 7-day and the daily variant's 10-day look-back.
    lead = None if start is None else start - WEEKLY_MAX_AGE
    series = {sid: _liquidity_input(sid, lead, end, library, asof) for sid in INPUTS[variant]}
    for sid in OPTIONAL_INPUTS.get(variant, ()):
        try:
            series[sid] = _liquidity_input(sid, lead, end, library, asof)
        except DataNotAvailable:
            pass  # the variant does without (FRED's copy of the NY Fed RRP stands in)
    frame = net_liquidity(variant, series)
    inputs_have_data = all(not s.dropna().empty for s in series.values())
    if inputs_have_data and frame["net_liquidity_b"].dropna().empty:
        # Each input has data, yet no date has all of them: misaligned dates, not a quiet window.
        raise DataNotAvailable(
            f"net liquidity ({variant}) has no date on which all of {', '.join(INPUTS[variant])} "
            "are observed; check the inputs' dates on the Data page"
        )
    return frame.loc[start:end]


# Net-liquidity inputs that are not FRED series: (dataset key, column).
_DAILY_INPUTS = {
    TGA_DTS: (catalog.TGA_DAILY, "close_balance_musd"),
    RRP_NYFED: (catalog.RRP_DAILY, "total_accepted_busd"),
}


def _liquidity_input(name: str, start, end, library, asof) -> pd.Series:
    """A net-liquidity input in its native unit: a FRED series, or a daily Treasury / NY Fed
    one (cut at `asof`: neither is revised, so the cut is its point-in-time value)."""
    if name not in _DAILY_INPUTS:
        return load_series(name, start, end, library=library, asof=asof)
    key, column = _DAILY_INPUTS[name]
    values = load_dataset(key, library)[0][column].dropna()
    if asof is not None:
        values = values.loc[: pd.Timestamp(asof)]
    return _window(values, start, end).rename(name)


def load_tga_daily(start=None, end=None, library=None) -> pd.Series:
    """The Treasury's daily TGA closing balance in $ billions (Daily Treasury Statement)."""
    return units.convert(_liquidity_input(TGA_DTS, start, end, library, None), "USD_M", "USD_B")


def load_price_of_money(
    start=None, end=None, library=None, asof=None
) -> tuple[pd.DataFrame, list[str]]:
    """`price_of_money` from the loaded series (as known on `asof` if given), and the ids that
    are not available."""
    start, end = date_window(start, end)
    series, missing = {}, []
    for sid in MONEY_INPUTS:
        try:
            series[sid] = load_series(sid, start, end, library=library, asof=asof)
        except DataNotAvailable:
            missing.append(sid)
    return price_of_money(series), missing


def load_capex_frames(library: Library | None = None) -> dict[str, pd.DataFrame]:
    """The capex dataset of every hyperscaler that has one, keyed by ticker."""
    frames = {}
    for ticker in catalog.HYPERSCALERS:
        try:
            frames[ticker] = load_dataset(f"{catalog.CAPEX}/{ticker}", library)[0]
        except DataNotAvailable:
            continue
    return frames


def load_capex_table(metric: str = "capex", library: Library | None = None) -> pd.DataFrame:
    """Quarter × ticker table of a capex-file metric in USD (see analytics.capex), memoised."""
    library = library or default_library()
    keys = [d.key for d in catalog.of_kind(catalog.CAPEX)]

    def compute() -> pd.DataFrame:
        frames = load_capex_frames(library)
        return capex.group_table(frames, metric) if frames else pd.DataFrame()

    return library.derived(f"capex_table:{metric}", keys, compute)


def _company_keys() -> list[str]:
    return [k for t in catalog.HYPERSCALERS for k in (f"sec/{t}", f"capex/{t}") if catalog.knows(k)]


# The metrics whose every value is kept with its public date (`load_capex_versions`).
VERSIONED = ("capex", "operating_cash_flow")


def load_capex_quarters(metric: str = "capex", library: Library | None = None) -> pd.DataFrame:
    """Quarter × ticker table of `metric` in USD as the capex page shows it: SEC facts where
    the data have them, the pack's capex files otherwise (`load_companies`), memoised. Capex
    and operating cash flow come from their versions' latest values, which cost a fraction of
    every funding line of `load_companies` and are the same numbers (tested)."""
    library = library or default_library()
    if metric in VERSIONED:
        versions = load_capex_versions(metric, library)
        return capex.as_known(versions, pd.Timestamp.max) if not versions.empty else versions

    def compute() -> pd.DataFrame:
        companies = {}
        for ticker in catalog.HYPERSCALERS:
            try:
                companies |= load_companies([ticker], library)
            except LiquidityError:
                continue
        return funding.group(companies, metric) if companies else pd.DataFrame()

    return library.derived(f"capex_quarters:{metric}", _company_keys(), compute)


def load_capex_versions(metric: str = "capex", library: Library | None = None) -> pd.DataFrame:
    """Every value each hyperscaler's `metric` (capex, operating_cash_flow) has had per quarter,
    with the day it became public (`funding.versions`: SEC filing dates, the pack's
    hand-compiled quarters from quarter end + 45 days), memoised."""
    if metric not in VERSIONED:
        raise LiquidityError(f"no versions of {metric!r}; kept for {', '.join(VERSIONED)}")
    library = library or default_library()

    def compute() -> pd.DataFrame:
        parts = []
        for ticker in catalog.HYPERSCALERS:
            facts = _optional_frame(f"sec/{ticker}", library)
            pack = _optional_frame(f"capex/{ticker}", library)
            packed = None
            if pack is not None:
                packed = capex.quarterly(pack, metric, name=f"capex/{ticker}")["value_usd"]
            if facts is not None or packed is not None:
                parts.append(funding.versions(facts, packed, ticker, metric))
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()

    return library.derived(f"capex_versions:{metric}", _company_keys(), compute)


def _optional_frame(key: str, library: Library | None) -> pd.DataFrame | None:
    try:
        return load_dataset(key, library)[0]
    except DataNotAvailable:
        return None


def load_capex_growth(periods: int = 4, library: Library | None = None) -> pd.DataFrame:
    """`capex.panel_growth` of `load_capex_quarters`: growth with its coverage, memoised."""
    library = library or default_library()
    keys = _company_keys()

    def compute() -> pd.DataFrame:
        return capex.panel_growth(load_capex_quarters(library=library), periods)

    return library.derived(f"capex_growth:{periods}", keys, compute)


def load_ledger(variant: str = "wednesday", library=None) -> pd.DataFrame:
    """The ledger from loaded data: net liquidity (`variant`), M2 and the pack's capex."""
    table = load_capex_table(library=library)
    net = load_net_liquidity(variant=variant, library=library)["net_liquidity_b"]
    return supply_demand_ledger(net, load_optional_series("M2SL", library), table)


def load_drain_gauge(start=None, end=None, library=None) -> pd.DataFrame:
    """The gauge from the loaded series, computed on full history, then limited to the window.

    Computing on the full history first is what keeps the z-scores free of the window choice.
    Capex growth is the covered-panel growth; an uncovered quarter stays in as NaN so that the
    gauge reports capex as missing from its public date instead of carrying the quarter before.
    Besides `drain_gauge`'s columns: `capex_quarter`, `capex_companies`, `capex_missing` and
    `capex_base_share`, the quarter behind `capex_yoy` on each date and its coverage (NaN when
    none is public). Memoised per version of its inputs.
    """
    start, end = date_window(start, end)
    library = library or default_library()
    fred = (*INPUTS["wednesday"], "DFII10", "BAMLH0A0HYM2")
    keys = [f"{catalog.FRED}/{sid}" for sid in fred] + _company_keys()

    def compute() -> pd.DataFrame:
        net = load_net_liquidity(library=library)["net_liquidity_b"]
        panel = load_capex_growth(library=library)
        # Each quarter's growth counts from the day its last company filed it (SEC filing
        # dates; quarter end + 45 days for hand-compiled quarters).
        filed = capex.first_public(load_capex_versions(library=library), pd.Timestamp.max)
        quarters = panel.assign(quarter=panel.index.astype(str))
        public = capex.by_public_date(quarters, filed.reindex(panel.index))
        gauge = drain_gauge(
            net,
            load_optional_series("DFII10", library),
            load_optional_series("BAMLH0A0HYM2", library),
            None if panel.empty else public["growth_pct"],
        )
        coverage = public[["companies", "missing", "base_share", "quarter"]]
        return gauge.join(latest_public(coverage, gauge.index).add_prefix("capex_"))

    return library.derived("drain_gauge", keys, compute).loc[start:end]


# -- companies ---------------------------------------------------------------------------------
def load_company(ticker: str, library=None) -> funding.CompanyQuarters:
    """One company's quarters from live SEC facts in the store and/or the data pack."""
    live, packed = None, None
    try:
        live = funding.from_sec_facts(load_dataset(f"sec/{ticker}", library)[0], ticker)
    except (DataNotAvailable, KeyError):
        pass
    try:
        packed = funding.from_pack(load_dataset(f"capex/{ticker}", library)[0], ticker)
    except (DataNotAvailable, KeyError):
        pass
    if live is None and packed is None:
        raise DataNotAvailable(
            f"no capex data for {ticker}: the data pack has no capex/{ticker}.csv and the store "
            "has no SEC filings for it (run `python -m liquidity refresh --only sec` with "
            "SEC_USER_AGENT set)"
        )
    return funding.combine(live, packed)


def load_companies(tickers, library=None) -> dict[str, funding.CompanyQuarters]:
    """`load_company` for several tickers, memoised per version of their input files."""
    library = library or default_library()
    out = {}
    for ticker in tickers:
        keys = [k for k in (f"sec/{ticker}", f"capex/{ticker}") if catalog.knows(k)]
        out[ticker] = library.derived(
            f"company:{ticker}", keys, lambda t=ticker: load_company(t, library)
        )
    return out


AI_DEBT_MIN_COMPANIES = 3  # of the five: a quarter most of them have filed


# -- the supply channel ------------------------------------------------------------------------
def load_debt_filings(tickers=None, library=None) -> tuple[pd.DataFrame, list[str]]:
    """The EDGAR debt filings of `tickers` (default: the hyperscalers) with a `ticker` column,
    and the tickers whose filings nobody holds (the page names them; they are not zero)."""
    parts, missing = [], []
    for ticker in tickers or catalog.HYPERSCALERS:
        frame = _optional_frame(catalog.filings(ticker).key, library)
        if frame is None:
            missing.append(ticker.upper())
        else:
            parts.append(frame.assign(ticker=ticker.upper()))
    filings = pd.concat(parts, ignore_index=True) if parts else None
    return (filings if filings is not None else pd.DataFrame()), missing


def load_debt_ledger(tickers=None, library=None) -> tuple[pd.DataFrame, list[str]]:
    """`debt_ledger.ledger` of the filings (one row per filing, counted or not) and the
    tickers without filings in the data."""
    library = library or default_library()
    tickers = tuple(t.upper() for t in (tickers or catalog.HYPERSCALERS))
    keys = [catalog.filings(t).key for t in tickers]

    def compute():
        filings, missing = load_debt_filings(tickers, library)
        return debt_ledger.ledger(filings), missing

    return library.derived(f"debt_ledger:{','.join(tickers)}", keys, compute)


def load_debt_reconciliation(tickers=None, library=None) -> pd.DataFrame:
    """Per quarter and company: the filing-level sum beside XBRL's debt issued, repaid and
    commercial paper (`debt_ledger.reconcile`), for the companies with any data."""
    tickers = tuple(t.upper() for t in (tickers or catalog.HYPERSCALERS))
    ledger_frame, _ = load_debt_ledger(tickers, library)
    companies = {}
    for ticker, company in _available_companies(tickers, library).items():
        companies[ticker] = company.values
    return debt_ledger.reconcile(ledger_frame, companies)


TILE_WEEKS = 4  # the Overview's "net Treasury cash raised, next 4 weeks"


@dataclass(frozen=True)
class DrainCalendar:
    """The forward drain calendar as of a date: one row per event, one per week, what the data
    cover, and the "net Treasury cash raised, next 4 weeks" tile with its coverage."""

    events: pd.DataFrame
    weekly: pd.DataFrame
    coverage: str
    net_4w: float
    net_4w_coverage: str


def load_drain_calendar(asof, weeks: int = 4, library=None) -> DrainCalendar:
    """`drain_calendar.calendar` for the `weeks` after `asof` from the auctions, the hyperscaler
    filings, the curated Fed balance-sheet events and the daily TGA (for the tax-day reference),
    each where the data hold it; only what was announced by `asof` counts. Memoised per
    version of its inputs (`compute_drain_calendar` is the calculation itself)."""
    library = library or default_library()
    asof = pd.Timestamp(asof)
    keys = [catalog.AUCTIONS, catalog.TGA_DAILY]
    keys += [catalog.filings(t).key for t in catalog.HYPERSCALERS]
    return library.derived(
        f"drain_calendar:{asof:%Y-%m-%d}:{weeks}",
        keys,
        lambda: compute_drain_calendar(asof, weeks, library),
    )


def compute_drain_calendar(asof: pd.Timestamp, weeks: int, library: Library) -> DrainCalendar:
    """`load_drain_calendar` without the memo."""
    table = _optional_frame(catalog.AUCTIONS, library)
    filings, _ = load_debt_filings(None, library)
    try:
        tga = _liquidity_input(TGA_DTS, None, None, library, None)
    except DataNotAvailable:
        tga = None
    auctions_frame = table if table is not None else pd.DataFrame(columns=catalog.AUCTION_COLUMNS)
    tile = pd.Timedelta(weeks=TILE_WEEKS)
    end = asof + pd.Timedelta(weeks=weeks)
    frame = drain_calendar.calendar(
        auctions_frame,
        asof=asof,
        weeks=max(weeks, TILE_WEEKS),  # the tile reads four weeks whatever the table shows
        balance_sheet=load_balance_sheet(),
        filings=filings if not filings.empty else None,
        tga=tga,
    )
    net_4w, net_text = drain_calendar.net_cash_raised(
        frame,
        asof=asof,
        weeks=TILE_WEEKS,
        maturity_gap=drain_calendar.maturity_gap(auctions_frame, asof, asof + tile),
    )
    gap = drain_calendar.maturity_gap(auctions_frame, asof, end)
    shown = frame[frame["date"] <= end].reset_index(drop=True)
    weekly = drain_calendar.weekly(shown, asof=asof, weeks=weeks, maturity_gap=gap)
    coverage = _calendar_coverage(table, filings, gap)
    return DrainCalendar(shown, weekly, coverage, net_4w, net_text)


def _calendar_coverage(table, filings, maturity_gap) -> str:
    parts = []
    if table is None:
        parts.append("no auction data (refresh the treasury source)")
    else:
        parts.append(
            f"auctions {table['auction_date'].min():%Y-%m-%d} → "
            f"{table['auction_date'].max():%Y-%m-%d}"
        )
    if maturity_gap:
        parts.append(maturity_gap)
    if filings.empty:
        parts.append("no hyperscaler debt filings in the data")
    return "; ".join(parts)


def load_duration_supply(library=None) -> pd.DataFrame:
    """`duration_supply.quarterly` from the auctions, the hyperscalers' XBRL debt issued,
    WRESBAL and the Wednesday net liquidity; inputs nobody holds are empty, so their columns
    are missing (and say so) rather than the call failing."""
    library = library or default_library()
    keys = [catalog.AUCTIONS, "fred/WRESBAL", *(f"fred/{s}" for s in INPUTS["wednesday"])]
    keys += _company_keys()

    def compute() -> pd.DataFrame:
        table = _optional_frame(catalog.AUCTIONS, library)
        empty = pd.DataFrame(columns=auctions.FLOW_COLUMNS)
        try:
            net = load_net_liquidity(library=library)["net_liquidity_b"]
        except LiquidityError:
            net = pd.Series(dtype="float64")
        return duration_supply.quarterly(
            empty if table is None else auctions.settlements(table),
            empty if table is None else auctions.maturities(table),
            auctions_from=None if table is None else table["auction_date"].min(),
            auctions_to=None if table is None else table["auction_date"].max(),
            debt_issued=_debt_issued(library),
            reserves_m=load_optional_series("WRESBAL", library),
            net_liquidity_b=net,
        )

    return library.derived("duration_supply", keys, compute)


def load_ai_debt_last_quarter(library=None) -> tuple[str | None, float | None, str]:
    """(quarter, $ billions, caption) of the hyperscalers' debt issued (XBRL) in the latest
    calendar quarter most of them (AI_DEBT_MIN_COMPANIES) have reported, naming those that
    have not; a newer quarter only some reported is named in the caption, not summed."""
    values = _debt_issued(library)
    if values.dropna(how="all").empty:
        return None, None, "no hyperscaler debt issued in the data (SEC facts)"
    counts = values.notna().sum(axis=1)
    enough = counts[counts >= AI_DEBT_MIN_COMPANIES]
    quarter = enough.index[-1] if not enough.empty else counts[counts > 0].index[-1]
    reported = values.loc[quarter].dropna()
    total = units.convert(reported.sum(), "USD", "USD_B")
    missing = [t for t in catalog.HYPERSCALERS if t not in reported.index]
    caption = f"XBRL debt issued, {len(reported)}/{len(catalog.HYPERSCALERS)} companies"
    if missing:
        caption += f"; not in the data: {', '.join(missing)} (the sum is of those reported)"
    newer = counts[(counts.index > quarter) & (counts > 0)]
    if not newer.empty:
        names = values.loc[newer.index[-1]].dropna().index
        caption += f"; {newer.index[-1]} so far only {', '.join(names)}"
    return str(quarter), total, caption


def _debt_issued(library) -> pd.DataFrame:
    """Quarter × hyperscaler XBRL debt issued in USD; a company whose data have no such line
    (e.g. a hand-compiled pack file) is a column of NaN, not zeros."""
    columns = {
        ticker: company.values["debt_issued"]
        for ticker, company in _available_companies(catalog.HYPERSCALERS, library).items()
        if "debt_issued" in company.values
    }
    table = pd.DataFrame(columns).reindex(columns=list(catalog.HYPERSCALERS))
    quarters = table.index if columns else []
    table.index = pd.PeriodIndex(quarters, freq="Q", name="quarter")
    return table


def _available_companies(tickers, library) -> dict[str, funding.CompanyQuarters]:
    out = {}
    for ticker in tickers:
        try:
            out.update(load_companies([ticker], library))
        except DataNotAvailable:
            pass
    return out


def load_funding_table(tickers, library=None) -> pd.DataFrame:
    """How each company's capex was funded, one row per company and calendar quarter, in US$
    billions with a coverage column (`funding.funding_table`); no tickers: the hyperscalers.
    A line the data do not hold is empty, never zero. Raises DataNotAvailable for a ticker
    with no data at all."""
    tickers = list(dict.fromkeys(t.upper() for t in tickers)) or list(catalog.HYPERSCALERS)
    return funding.funding_table(funding.decompositions(load_companies(tickers, library)))


# -- baskets -----------------------------------------------------------------------------------
def load_panel(tickers, library=None) -> baskets.Panel:
    """Adjusted closes of `tickers` (plus the market) on the NYSE calendar, in dollars: a
    ticker in another currency is converted with its rate (KRW=X for the Korean tickers) or,
    when the library has no such rate, excluded (`Panel.excluded` says why)."""
    raw, missing = {}, {}
    for ticker in dict.fromkeys([*tickers, baskets.MARKET]):
        try:
            raw[ticker] = load_prices([ticker], library=library)[ticker].dropna()
        except LiquidityError as exc:
            missing[ticker] = str(exc)
    fx = {}
    for rate in {c[0] for c in map(baskets.currency, raw) if c is not None and c[0]}:
        try:
            fx[rate] = load_prices([rate], library=library)[rate].dropna()
        except LiquidityError:  # the panel names the tickers this leaves out, and why
            pass
    return baskets.panel(raw, missing, fx)


def analyse(
    panel: baskets.Panel,
    spec,
    memory,
    bench: str,
    start,
    end,
    base,
    window: int,
    mode: str = "ratio",
    library=None,
) -> baskets.Analysis:
    """`baskets.analyse` with net liquidity and the 10-year real yield from the library."""
    return baskets.analyse(
        panel,
        spec,
        memory,
        bench,
        start,
        end,
        base,
        window,
        mode,
        load_net_liquidity(library=library)["net_liquidity_b"],
        load_optional_series("DFII10", library),
    )


# -- crypto derivatives ------------------------------------------------------------------------
def _coinglass(endpoint: str, symbol: str, library=None) -> pd.DataFrame:
    return load_dataset(f"{catalog.COINGLASS}/{endpoint}_{symbol}", library)[0]


def load_liquidation_history(symbol: str, bucket: str = "4h", library=None) -> pd.DataFrame:
    """CoinGlass long/short liquidations (aggregated over the venues it tracks) per UTC bucket
    ("4h" as exported, or "1D"): long_usd, short_usd, total_usd."""
    frame = _coinglass(liq.AGGREGATED, liq.check_symbol(symbol), library)
    out = pd.DataFrame(
        {
            "long_usd": frame["aggregated_long_liquidation_usd"],
            "short_usd": frame["aggregated_short_liquidation_usd"],
        }
    )
    out["total_usd"] = out["long_usd"] + out["short_usd"]
    out.index.name = "bucket_start"
    return liq.resample_history(out, bucket)


def _at_close(bars: pd.DataFrame) -> pd.Series:
    # CoinGlass labels an OHLC bar by its start; its close is the value at the bar's end.
    close = bars["close"]
    return close.set_axis(close.index + pd.Timedelta(liq.HISTORY_BUCKET))


def load_open_interest(symbol: str, library=None) -> pd.Series:
    """Aggregated open interest in USD at the close of each 4-hour bar, stamped at the moment
    it was observed: the bar's end."""
    bars = _coinglass(liq.OPEN_INTEREST, liq.check_symbol(symbol), library)
    return _at_close(bars).rename("open_interest_usd")


def load_funding_rate(symbol: str, library=None) -> pd.Series:
    """OI-weighted funding rate in percent per funding interval at the close of each 4-hour
    bar, stamped at the bar's end."""
    return _at_close(_coinglass(liq.FUNDING, liq.check_symbol(symbol), library)).rename(
        "funding_pct"
    )


def load_exchange_snapshot(symbol: str, library=None) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Per-venue totals of the latest CoinGlass capture (its window is not recorded)."""
    frame = _coinglass(liq.EXCHANGES, symbol, library)
    latest = frame["snapshot"].max()
    rows = frame[(frame["snapshot"] == latest) & (frame["exchange"] != "All")]
    return rows.set_index("exchange").drop(columns="snapshot"), latest


def load_coin_price(symbol: str, library=None) -> pd.Series:
    """The coin's daily close in USD, stamped at the moment it is the price: the end of its
    UTC day (Yahoo labels the close of day D with D; it belongs at D+1 00:00 UTC)."""
    ticker = liq.PRICE_TICKERS[symbol]
    prices = load_prices([ticker], library=library)[ticker].dropna()
    prices.index = prices.index.tz_localize("UTC") + pd.Timedelta(days=1)
    return prices.rename("price_usd")


def load_share_of_oi(symbol: str, bucket: str = "4h", library=None) -> pd.Series:
    """Liquidations per bucket as a percent of the open interest at the bucket's start (the
    last 4-hour close at or before it, at most one bucket old; else NaN)."""
    return liq.share_of_open_interest(
        load_liquidation_history(symbol, bucket, library),
        load_open_interest(symbol, library),
        bucket,
    )


def load_squeezes(symbol: str, move_pct: float, multiple: float, library=None) -> pd.DataFrame:
    """Squeezes on daily buckets (the pack's price is a daily close), see liquidations.squeezes."""
    daily = load_liquidation_history(symbol, "1D", library)
    return liq.squeezes(
        daily,
        load_coin_price(symbol, library),
        move_pct=move_pct,
        multiple=multiple,
        trailing=42,
        bucket="1D",
    )


def event_store(library=None) -> EventStore:
    """The store the liquidation collector appends to."""
    return EventStore((library or default_library()).store.events_path)


def load_collected_events(symbol: str, venues, library=None) -> pd.DataFrame:
    """The collector's events for one coin and the chosen venues (empty if it never ran)."""
    store = event_store(library)
    if not store.path.exists():
        return liq.empty_events()
    return store.read(symbols=[liq.check_symbol(symbol)], venues=list(venues))


def load_collector_status(library=None) -> dict[str, tuple[int, pd.Timestamp]]:
    """Per venue: events collected and the time of the latest one."""
    store = event_store(library)
    if not store.path.exists():
        return {}
    counts, last = store.counts(), store.last_event()
    return {venue: (counts[venue], last[venue]) for venue in counts}


def fetch_venue_open_interest(symbol: str, session=None, library=None) -> tuple[dict, dict]:
    """Live open interest (coin) and funding from Binance and Bybit, fetched on request.

    Returns ({series name: Series}, {venue: problem}); a venue that refuses this machine (Binance
    451 and Bybit 403 for US hosts) or cannot be reached is reported, not raised.
    """
    symbol = liq.check_symbol(symbol)
    session = session or http.cached_session((library or default_library()).store.http_cache_path)
    fetches = {
        "Binance open interest (coin)": lambda: exchanges.get_binance_open_interest(
            session, symbol
        )["open_interest_coin"],
        "Bybit open interest (coin)": lambda: exchanges.get_bybit_open_interest(session, symbol)[
            "open_interest_coin"
        ],
        "Binance funding (% per 8 h)": lambda: exchanges.get_binance_funding(session, symbol)[
            "funding_pct"
        ],
    }
    series, problems = {}, {}
    for name, fetch in fetches.items():
        try:
            series[name] = fetch()
        except SourceError as exc:
            problems[name] = exc.message
    return series, problems


# -- the scorecard -----------------------------------------------------------------------------
def scorecard_inputs(asof=None, library=None) -> tuple[dict, pd.Timestamp]:
    """The scorecard's inputs from a library, cut at `asof` (default: the latest H.4.1's day)."""
    inputs: dict = {}
    try:
        weekly = load_net_liquidity(library=library, asof=asof)
        net = weekly["net_liquidity_b"].dropna()
    except LiquidityError:
        weekly, net = None, None
    if asof is None:
        if net is None or net.empty:
            raise LiquidityError("no net liquidity data to take a default as-of date from")
        asof = net.index[-1] + H41_LAG
    asof = pd.Timestamp(asof)
    if net is not None:
        inputs["net_weekly_b"] = net.loc[: asof - H41_LAG]
        inputs["net_parts"] = weekly[["walcl_b", "tga_b", "rrp_b"]].loc[: asof - H41_LAG]
    spreads = load_price_of_money(library=library, asof=asof)[0].loc[:asof]
    inputs["funding_spreads_bp"] = spreads.reindex(columns=["SOFR_IORB", "EFFR_IORB"])
    for name, metric in (("capex_table", "capex"), ("ocf_table", "operating_cash_flow")):
        versions = load_capex_versions(metric, library)
        if not versions.empty:
            inputs[name] = versions[versions["known"] <= asof]
    inputs["basis"] = replay_basis(asof, library)
    inputs["real_yield_daily"] = load_optional_series("DFII10", library, asof).loc[:asof]
    inputs["hy_daily"] = load_optional_series("BAMLH0A0HYM2", library, asof).loc[:asof]
    try:
        panel = load_panel([*baskets.SPECULATIVE, *baskets.MEMORY], library)
    except LiquidityError:
        panel = None
    if panel is not None:
        prices = panel.prices.loc[:asof]
        spec = [t for t in baskets.SPECULATIVE if t in prices]
        memory = [t for t in baskets.MEMORY if t in prices]
        if spec and memory:
            levels = baskets.basket_levels(prices, spec, memory)
            returns = divergence.weekly_returns(levels)
            daily = divergence.daily_returns(prices)
            tracked = {*baskets.SPECULATIVE, *baskets.MEMORY}
            inputs.update(
                memory_level=levels[baskets.MEMORY_NAME],
                spec_level=levels[baskets.SPEC_NAME],
                spec_weekly=returns[baskets.SPEC_NAME],
                memory_weekly=returns[baskets.MEMORY_NAME],
                basket_members={
                    "memory": divergence.membership(daily, memory),
                    "speculative": divergence.membership(daily, spec),
                },
                basket_excluded={t: why for t, why in panel.excluded.items() if t in tracked},
            )
            if baskets.MARKET in prices:
                market = divergence.weekly_returns(prices[[baskets.MARKET]])[baskets.MARKET]
                inputs["market_weekly"] = market
            if net is not None:
                inputs["factors"] = divergence.liquidity_factors(
                    inputs["net_weekly_b"], inputs["real_yield_daily"], returns.index
                )
    buckets = {}
    for symbol in catalog.COIN_SYMBOLS:
        try:
            frame = load_liquidation_history(symbol, library=library)
        except LiquidityError:
            continue
        buckets[symbol] = frame["total_usd"]
    if buckets:
        # A bucket counts only when every coin has it: BTC alone is not "BTC + ETH".
        total = pd.concat(buckets, axis=1).sum(axis=1, min_count=len(buckets))
        if total.index.tz is not None:
            total.index = total.index.tz_convert(None)
        width = pd.Timedelta(liq.HISTORY_BUCKET)
        inputs["liquidation_buckets"] = total.rename("total_usd").to_frame()[
            total.index + width <= asof
        ]
        inputs["liquidation_bucket"] = width
        inputs["liquidation_source"] = "+".join(buckets) + ", CoinGlass aggregated history"
    inputs["duration_supply"] = load_duration_supply(library)  # the claim cuts it at asof
    return inputs, asof


def replay_basis(asof, library=None) -> dict[str, str]:
    """Per scorecard input (`scorecard.CLAIM_INPUTS` names), what its values as of `asof` rest
    on: SEC filing dates, FRED vintages, or the revised data cut at the date."""
    basis = {
        "net liquidity": series_basis(INPUTS["wednesday"], library),
        "funding rates": series_basis(("SOFR", "EFFR", "IORB"), library),
        "real yield": series_basis(("DFII10",), library),
        "HY OAS": series_basis(("BAMLH0A0HYM2",), library),
        "prices": "closes as recorded (not revised)",
        "liquidations": "buckets as recorded (not revised)",
        # Auction results are final; XBRL debt issued is today's value of each quarter, public
        # from 45 days after the quarter ends.
        "debt supply": f"{REVISED} (auctions as recorded; a quarter from its end + 45 days)",
        "reserves": series_basis(("WRESBAL",), library),
    }
    for label, metric in (("capex", "capex"), ("operating cash flow", "operating_cash_flow")):
        versions = load_capex_versions(metric, library)
        public = versions[versions["known"] <= pd.Timestamp(asof)] if not versions.empty else None
        if public is not None and not public.empty:
            basis[label] = capex.version_basis(public)
    return basis


def load_scorecard(asof=None, library=None) -> pd.DataFrame:
    """`scorecard` on the library's data as it stood at `asof`.

    Default `asof`: the publication date of the latest H.4.1 in the data. Every input is cut at
    `asof` before anything is computed from it (capex quarters at their filing dates).
    """
    inputs, asof = scorecard_inputs(asof, library)
    return scorecard.scorecard(inputs, asof)


def load_scorecard_trends(asof=None, library=None) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    """`load_scorecard` and the `trends` behind it, from one evaluation of the claims."""
    inputs, asof = scorecard_inputs(asof, library)
    return scorecard.scorecard_with_trends(inputs, asof)


def load_scorecard_history(asof=None, library=None, months: int = 24, extra=()) -> pd.DataFrame:
    """`scorecard_history` on the library's data at `history_dates(asof, months, extra)`.

    One set of inputs cut at each date serves every date, except where FRED vintages are
    stored: then each date reads the series as known on it, so the history is point-in-time
    too (and costs one gathering of inputs per date).
    """
    inputs, asof = scorecard_inputs(asof, library)
    dates = scorecard.history_dates(asof, months, extra)
    if not any(_has_vintages(sid, library) for sid in catalog.VINTAGE_SERIES):
        return scorecard.scorecard_history(inputs, dates)
    rows = [scorecard.scorecard_history(scorecard_inputs(d, library)[0], [d]) for d in dates]
    return pd.concat(rows)


def load_scorecard_placebo(library=None) -> pd.DataFrame:
    """`placebo`: every claim at the quarter-ends of 2017–2019, from inputs cut at the last."""
    inputs, _ = scorecard_inputs(scorecard.PLACEBO_DATES[-1], library)
    return scorecard.placebo(inputs)


def newest_macro(library=None) -> tuple[str, pd.Timestamp] | None:
    """The FRED series with the newest observation and its date; None without FRED data."""
    library = library or default_library()
    lasts = {}
    for dataset in catalog.of_kind(catalog.FRED):
        prov = library.provenance(dataset.key)
        if prov is not None and prov.last is not None:
            lasts[dataset.name] = prov.last
    if not lasts:
        return None
    name = max(lasts, key=lasts.get)
    return name, lasts[name]
