"""The catalog: one declarative list of every dataset the app knows.

A dataset's key is also its path inside a data pack and the store (`fred/WALCL` lives in
`fred/WALCL.csv`), so the catalog, the store and the pack layout never disagree about names.
`bounds` is a plausible range for every value in the native unit and `latest_bounds` a tighter one
for the newest value: together they catch unit slips (millions read as billions, percent as basis
points, KRW as USD) before anything is stored or plotted.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from liquidity.core.errors import UnknownDataset

# Kinds, in the order the Data page lists them.
FRED = "fred"
FRED_VINTAGES = "fred_vintages"
PRICES = "prices"
CAPEX = "capex"
SEC = "sec"
COINGLASS = "coinglass"
TREASURY = "treasury"
NYFED = "nyfed"
FILINGS = "filings"
KINDS = (FRED, FRED_VINTAGES, PRICES, CAPEX, SEC, FILINGS, TREASURY, NYFED, COINGLASS)
# SEC companyfacts, one row per fact: the columns of `sec/<TICKER>` (source and pack alike).
SEC_COLUMNS = (
    "taxonomy",
    "tag",
    "unit",
    "start",
    "end",
    "val",
    "accn",
    "fy",
    "fp",
    "form",
    "filed",
    "frame",
)
# ALFRED vintages, one row per (observation date, realtime period): the columns of
# `fred_vintages/<ID>`; realtime_end is NaT (empty in a pack) while the value is current.
VINTAGE_COLUMNS = ("date", "realtime_start", "realtime_end", "value")
# Daily Treasury Statement: the TGA's closing balance per business day ($ millions), dated.
TGA_COLUMNS = ("close_balance_musd",)
# Treasury auctions, one row per security auctioned or announced (amounts in dollars; issue_date
# is the settlement day, when the cash leaves the buyers). maturity_date and announcement_date
# are empty where a source does not give them; status is auctioned, "auctioned(no result
# record)", announced (offering known) or upcoming (offering not yet announced: empty, never 0).
AUCTION_COLUMNS = (
    "auction_date",
    "issue_date",
    "maturity_date",
    "announcement_date",
    "security_type",
    "security_term",
    "cusip",
    "offering_amt_usd",
    "total_accepted_usd",
    "status",
    "source",
)
# The columns a pack's auctions.csv may leave out (older packs, copies without them).
AUCTION_OPTIONAL = ("maturity_date", "announcement_date")
# NY Fed overnight reverse repo, one row per operation day (the largest overnight operation).
RRP_COLUMNS = ("total_accepted_busd", "total_amt_accepted_usd", "operation_id")
# NY Fed reference rates (SOFR, EFFR), dated: the rate in percent and the volume in $ billions.
RATE_COLUMNS = ("rate_pct", "volume_busd")
# EDGAR debt filings of one company (8-K item 2.03, 424B2, 424B5): one row per filing.
# principal_usd is empty where the document's cover does not state it in a form the parser
# reads; parse_note then says why ("amount not parsed: ...").
FILING_COLUMNS = (
    "accn",
    "form",
    "filed",
    "report_date",
    "items",
    "document",
    "url",
    "principal_usd",
    "settlement_date",
    "parse_note",
)


@dataclass(frozen=True)
class Dataset:
    key: str  # "<kind>/<name>"; the file is "<key>.csv" in a pack
    kind: str
    name: str  # FRED id, ticker or "<endpoint>_<symbol>"
    label: str
    source: str  # where live data comes from
    native_unit: str  # a key of liquidity.core.units.UNITS
    display_unit: str
    frequency: str  # daily, weekly, monthly, quarterly, 4-hourly, snapshot
    convention: str  # what one observation means
    bounds: tuple[float, float]
    latest_bounds: tuple[float, float] | None = None
    stale_after_days: int = 4

    @property
    def live(self) -> bool:
        """Whether `refresh` can fetch this dataset (pack-only datasets cannot)."""
        return self.kind in (FRED, FRED_VINTAGES, PRICES, SEC, FILINGS, TREASURY, NYFED)


_STALE = {
    "daily": 4,
    "weekly": 10,
    "monthly": 62,
    "quarterly": 135,
    "4-hourly": 2,
    "snapshot": 2,
    "auctions": 8,  # the Treasury auctions bills every week
    "filings": 120,  # a company files at least a 10-Q a quarter; debt filings come in bursts
}


def _fred(name, label, unit, display, frequency, convention, bounds, latest=None) -> Dataset:
    return Dataset(
        key=f"{FRED}/{name}",
        kind=FRED,
        name=name,
        label=label,
        source=f"FRED {name} (fredgraph.csv; the FRED API with FRED_API_KEY)",
        native_unit=unit,
        display_unit=display,
        frequency=frequency,
        convention=convention,
        bounds=bounds,
        latest_bounds=latest,
        stale_after_days=_STALE[frequency],
    )


_PCT = (-5.0, 25.0)

FRED_SERIES: tuple[Dataset, ...] = (
    _fred(
        "WALCL",
        "Fed total assets",
        "USD_M",
        "USD_T",
        "weekly",
        "Wednesday level",
        (5e5, 1.2e7),
        (3e6, 1.2e7),
    ),
    _fred(
        "WDTGAL",
        "Treasury General Account",
        "USD_M",
        "USD_B",
        "weekly",
        "Wednesday level",
        (1e2, 2e6),
        (1e4, 2e6),
    ),
    _fred(
        "WTREGEN",
        "Treasury General Account (week average)",
        "USD_M",
        "USD_B",
        "weekly",
        "week average, stamped on the Wednesday ending the week",
        (1e2, 2e6),
        (1e4, 2e6),
    ),
    _fred(
        "RRPONTSYD",
        "Overnight reverse repo (Treasuries)",
        "USD_B",
        "USD_B",
        "daily",
        "daily level (business days)",
        (0.0, 3e3),
    ),
    _fred(
        "WRESBAL",
        "Reserve balances (week average)",
        "USD_M",
        "USD_T",
        "weekly",
        "week average, stamped on the Wednesday ending the week",
        (1e3, 1e7),
        (1e5, 1e7),
    ),
    _fred(
        "TREAST",
        "Fed holdings of Treasuries",
        "USD_M",
        "USD_T",
        "weekly",
        "Wednesday level",
        (1e5, 1e7),
        (1e6, 1e7),
    ),
    _fred(
        "M2SL",
        "M2 money stock",
        "USD_B",
        "USD_T",
        "monthly",
        "monthly average, SA",
        (1e3, 1e5),
        (1e4, 1e5),
    ),
    _fred("DGS10", "10-year Treasury yield", "PCT", "PCT", "daily", "daily close", _PCT),
    _fred("DGS2", "2-year Treasury yield", "PCT", "PCT", "daily", "daily close", _PCT),
    _fred("DFII10", "10-year real yield (TIPS)", "PCT", "PCT", "daily", "daily close", _PCT),
    _fred("T10Y2Y", "10y − 2y Treasury spread", "PCT", "PCT", "daily", "daily close", (-5.0, 5.0)),
    _fred("T10Y3M", "10y − 3m Treasury spread", "PCT", "PCT", "daily", "daily close", (-5.0, 5.0)),
    _fred("SOFR", "Secured overnight financing rate", "PCT", "PCT", "daily", "daily", _PCT),
    _fred("IORB", "Interest on reserve balances", "PCT", "PCT", "daily", "daily", _PCT),
    _fred("EFFR", "Effective federal funds rate", "PCT", "PCT", "daily", "daily", _PCT),
    _fred(
        "BAMLH0A0HYM2",
        "High-yield option-adjusted spread",
        "PCT",
        "PCT",
        "daily",
        "daily close",
        (0.0, 30.0),
    ),
    _fred(
        "BAMLC0A0CM",
        "Investment-grade option-adjusted spread",
        "PCT",
        "PCT",
        "daily",
        "daily close",
        (0.0, 10.0),
    ),
    _fred("VIXCLS", "VIX", "INDEX", "INDEX", "daily", "daily close", (5.0, 100.0)),
    _fred(
        "NFCI",
        "Chicago Fed financial conditions",
        "INDEX",
        "INDEX",
        "weekly",
        "week ending Friday",
        (-3.0, 10.0),
    ),
    _fred("SP500", "S&P 500 (FRED)", "INDEX", "INDEX", "daily", "daily close", (100.0, 2e4)),
)


def _price(ticker, label, unit="USD", bounds=(1e-3, 1e5), frequency="daily") -> Dataset:
    return Dataset(
        key=f"{PRICES}/{ticker}",
        kind=PRICES,
        name=ticker,
        label=label,
        source=f"Yahoo Finance {ticker} (yfinance)",
        native_unit=unit,
        display_unit=unit,
        frequency=frequency,
        convention="daily bar, exchange-local date",
        bounds=bounds,
        stale_after_days=_STALE[frequency],
    )


PRICE_TICKERS: tuple[Dataset, ...] = (
    _price("^GSPC", "S&P 500", bounds=(1.0, 1e5)),
    _price("^IXIC", "Nasdaq Composite", bounds=(1.0, 1e5)),
    _price("^DJI", "Dow Jones Industrial Average", bounds=(10.0, 1e6)),
    _price("SPY", "SPDR S&P 500 ETF"),
    _price("QQQ", "Invesco QQQ"),
    _price("TLT", "iShares 20+ Year Treasury ETF"),
    _price("GLD", "SPDR Gold Shares"),
    _price("BTC-USD", "Bitcoin", bounds=(1.0, 1e7)),
    _price("ETH-USD", "Ether", bounds=(1e-2, 1e6)),
    _price("MSTR", "Strategy (MicroStrategy)"),
    _price("COIN", "Coinbase"),
    _price("IGV", "iShares Expanded Tech-Software ETF"),
    _price("CRM", "Salesforce"),
    _price("NOW", "ServiceNow"),
    _price("ADBE", "Adobe"),
    _price("ARKK", "ARK Innovation ETF"),
    _price("GME", "GameStop"),
    _price("AMC", "AMC Entertainment"),
    _price("MU", "Micron"),
    _price("SNDK", "Sandisk"),
    _price("WDC", "Western Digital"),
    _price("000660.KS", "SK hynix", unit="KRW", bounds=(100.0, 1e8)),
    _price("005930.KS", "Samsung Electronics", unit="KRW", bounds=(100.0, 1e8)),
    _price("NVDA", "Nvidia"),
    _price("AVGO", "Broadcom"),
    _price("MSFT", "Microsoft"),
    _price("GOOGL", "Alphabet"),
    _price("AMZN", "Amazon"),
    _price("META", "Meta Platforms"),
    _price("ORCL", "Oracle"),
    # Converts the Korean memory makers to dollars (METHODS.md §5.7) when it is in the store.
    _price("KRW=X", "US dollar in Korean won", unit="KRW", bounds=(200.0, 5000.0)),
)

HYPERSCALERS = ("MSFT", "GOOGL", "AMZN", "META", "ORCL")
_COMPANY = {
    "MSFT": "Microsoft",
    "GOOGL": "Alphabet",
    "AMZN": "Amazon",
    "META": "Meta",
    "ORCL": "Oracle",
}


def _company(
    kind: str, ticker: str, label: str, source: str, convention: str, bounds: tuple[float, float]
) -> Dataset:
    return Dataset(
        key=f"{kind}/{ticker}",
        kind=kind,
        name=ticker,
        label=f"{_COMPANY.get(ticker, ticker)} {label}",
        source=source,
        native_unit="USD",
        display_unit="USD_B",
        frequency="quarterly",
        convention=convention,
        bounds=bounds,
        stale_after_days=_STALE["quarterly"],
    )


CAPEX_SETS: tuple[Dataset, ...] = tuple(
    _company(
        CAPEX,
        t,
        "capex and cash flows",
        "SEC XBRL quarters and hand-compiled rows",
        "quarterly flow; rows by concept (us-gaap: SEC, hand-compiled: spreadsheet)",
        (0.0, 5e11),
    )
    for t in HYPERSCALERS
)


def _sec_dataset(ticker: str) -> Dataset:
    return _company(
        SEC,
        ticker,
        "XBRL facts",
        "SEC EDGAR companyfacts (needs SEC_USER_AGENT)",
        "as filed: durations and instants with filing provenance",
        (-5e12, 5e12),
    )


SEC_FACTS: tuple[Dataset, ...] = tuple(_sec_dataset(t) for t in HYPERSCALERS)

# CoinGlass API v4 endpoints as named in exported files: (endpoint, label, unit, bounds, frequency).
COINGLASS_ENDPOINTS = (
    (
        "liquidation_aggregated_coin_history",
        "liquidations, long vs short (all venues)",
        "USD",
        (0.0, 5e10),
        "4-hourly",
    ),
    (
        "openInterest_ohlc_aggregated_history",
        "open interest OHLC (all venues)",
        "USD",
        (1e6, 5e12),
        "4-hourly",
    ),
    (
        "fundingRate_oi_weight_ohlc_history",
        "OI-weighted funding rate OHLC",
        "PCT",
        (-5.0, 5.0),
        "4-hourly",
    ),
    (
        "liquidation_exchange_list",
        "liquidations by exchange (capture-time totals)",
        "USD",
        (0.0, 5e10),
        "snapshot",
    ),
)
COIN_SYMBOLS = ("BTC", "ETH")

COINGLASS_SETS: tuple[Dataset, ...] = tuple(
    Dataset(
        key=f"{COINGLASS}/{endpoint}_{sym}",
        kind=COINGLASS,
        name=f"{endpoint}_{sym}",
        label=f"{sym} {label}",
        source="CoinGlass API v4 export (data pack)",
        native_unit=unit,
        display_unit=unit,
        frequency=frequency,
        convention="4-hour UTC buckets" if frequency == "4-hourly" else "totals at capture time",
        bounds=bounds,
        stale_after_days=_STALE[frequency],
    )
    for endpoint, label, unit, bounds, frequency in COINGLASS_ENDPOINTS
    for sym in COIN_SYMBOLS
)

TGA_DAILY = "treasury/tga_daily"
AUCTIONS = "treasury/auctions"
RRP_DAILY = "nyfed/rrp_daily"
TREASURY_SETS: tuple[Dataset, ...] = (
    Dataset(
        key=TGA_DAILY,
        kind=TREASURY,
        name="tga_daily",
        label="Treasury General Account (daily close)",
        source="Treasury FiscalData, Daily Treasury Statement operating cash balance",
        native_unit="USD_M",
        display_unit="USD_B",
        frequency="daily",
        convention="closing balance of each business day (published the next business day)",
        bounds=(0.0, 3e6),
        latest_bounds=(1e4, 3e6),
        stale_after_days=_STALE["daily"],
    ),
    Dataset(
        key=AUCTIONS,
        kind=TREASURY,
        name="auctions",
        label="Treasury auctions (results and announced offerings)",
        source="Treasury FiscalData auctions_query and upcoming_auctions",
        native_unit="USD",
        display_unit="USD_B",
        frequency="auctions",
        convention="one row per security; issue_date is the settlement day",
        bounds=(0.0, 5e11),
        stale_after_days=_STALE["auctions"],
    ),
)


def _nyfed(name, label, unit, convention, bounds) -> Dataset:
    return Dataset(
        key=f"{NYFED}/{name}",
        kind=NYFED,
        name=name,
        label=label,
        source="NY Fed Markets API (keyless)",
        native_unit=unit,
        display_unit=unit,
        frequency="daily",
        convention=convention,
        bounds=bounds,
        stale_after_days=_STALE["daily"],
    )


NYFED_SETS: tuple[Dataset, ...] = (
    _nyfed(
        "rrp_daily",
        "Overnight reverse repo (NY Fed operations)",
        "USD_B",
        "total accepted at the day's overnight operation",
        (0.0, 3e3),
    ),
    _nyfed("SOFR", "SOFR (NY Fed)", "PCT", "rate of the business day, published the next", _PCT),
    _nyfed("EFFR", "EFFR (NY Fed)", "PCT", "rate of the business day, published the next", _PCT),
)


def _filings_dataset(ticker: str) -> Dataset:
    return Dataset(
        key=f"{FILINGS}/{ticker}",
        kind=FILINGS,
        name=ticker,
        label=f"{_COMPANY.get(ticker, ticker)} debt filings",
        source="SEC EDGAR filings index (8-K item 2.03, 424B2, 424B5; needs SEC_USER_AGENT)",
        native_unit="USD",
        display_unit="USD_B",
        frequency="filings",
        convention="one row per filing; principal as stated on the document's cover",
        bounds=(0.0, 1e11),
        stale_after_days=_STALE["filings"],
    )


FILING_SETS: tuple[Dataset, ...] = tuple(_filings_dataset(t) for t in HYPERSCALERS)

CATALOG: tuple[Dataset, ...] = (
    FRED_SERIES
    + PRICE_TICKERS
    + CAPEX_SETS
    + SEC_FACTS
    + FILING_SETS
    + TREASURY_SETS
    + NYFED_SETS
    + COINGLASS_SETS
)
_BY_KEY = {d.key: d for d in CATALOG}
KEYS = frozenset(_BY_KEY)


def get(key: str) -> Dataset:
    """The dataset for `key` ("fred/WALCL"); raises UnknownDataset for keys it does not know.

    SEC facts exist for any US filer, so "sec/<TICKER>" is known for every valid ticker, and
    "fred_vintages/<ID>" for every catalogued FRED id.
    """
    if key in _BY_KEY:
        return _BY_KEY[key]
    kind, _, name = key.partition("/")
    if kind == SEC and TICKER_PATTERN.fullmatch(name):
        return sec_facts(name)
    if kind == FILINGS and TICKER_PATTERN.fullmatch(name):
        return filings(name)
    if kind == PRICES and YAHOO_PATTERN.fullmatch(name):
        return price(name)
    if kind == FRED_VINTAGES and f"{FRED}/{name}" in _BY_KEY:
        return vintages(name)
    raise UnknownDataset(f"unknown dataset {key!r}; `python -m liquidity status` lists them")


def knows(key: str) -> bool:
    """Whether `get(key)` names a dataset."""
    try:
        get(key)
    except UnknownDataset:
        return False
    return True


# US listings: letters first, then letters, digits, "." or "-" (BRK.B, BF-B).
TICKER_PATTERN = re.compile(r"[A-Z][A-Z0-9.\-]{0,9}")


def sec_facts(ticker: str) -> Dataset:
    """The SEC XBRL facts dataset of any filer (catalogued for the big five, built for others)."""
    ticker = ticker.strip().upper()
    key = f"{SEC}/{ticker}"
    if key in _BY_KEY:
        return _BY_KEY[key]
    if not TICKER_PATTERN.fullmatch(ticker):
        raise UnknownDataset(f"{ticker!r} is not a ticker (letters, digits, '.' or '-')")
    return _sec_dataset(ticker)


def filings(ticker: str) -> Dataset:
    """The EDGAR debt filings dataset of any filer (catalogued for the big five)."""
    ticker = ticker.strip().upper()
    key = f"{FILINGS}/{ticker}"
    if key in _BY_KEY:
        return _BY_KEY[key]
    if not TICKER_PATTERN.fullmatch(ticker):
        raise UnknownDataset(f"{ticker!r} is not a ticker (letters, digits, '.' or '-')")
    return _filings_dataset(ticker)


def fred(series_id: str) -> Dataset:
    """The FRED dataset with this id (case-insensitive)."""
    key = f"{FRED}/{series_id.strip().upper()}"
    if key not in _BY_KEY:
        known = ", ".join(d.name for d in FRED_SERIES)
        raise UnknownDataset(f"unknown FRED series {series_id!r}; known: {known}")
    return _BY_KEY[key]


# The FRED series whose vintages `refresh` keeps (with FRED_API_KEY): the inputs of the
# scorecard, the drain gauge and the ledger (net liquidity's Wednesday variant, M2, the real
# yield, the HY spread, the funding rates). Not NFCI: nothing replays it, and FRED revises its
# whole history weekly (~2 million vintage rows, ~42 requests for a first fetch).
VINTAGE_SERIES = (
    "WALCL",
    "WDTGAL",
    "RRPONTSYD",
    "M2SL",
    "DFII10",
    "BAMLH0A0HYM2",
    "SOFR",
    "IORB",
    "EFFR",
)


def vintages(series_id: str) -> Dataset:
    """The vintages of a catalogued FRED series (case-insensitive), as their own dataset.

    Built on demand like the SEC facts of other filers, not listed in CATALOG: most packs and
    stores hold no vintages, and the Data page should not list them as missing. The bounds are
    the series' own, so a unit slip in a vintage fails like one in the latest values.
    """
    series = fred(series_id)
    return dataclasses.replace(
        series,
        key=f"{FRED_VINTAGES}/{series.name}",
        kind=FRED_VINTAGES,
        label=f"{series.label} (vintages)",
        source=f"ALFRED vintages of {series.name} through fredapi (needs FRED_API_KEY)",
        convention=f"{series.convention}; one row per vintage (realtime period) of each date",
    )


def vintage_datasets() -> tuple[Dataset, ...]:
    """The vintages of every catalogued FRED series: what a pack or a store may hold."""
    return tuple(vintages(d.name) for d in FRED_SERIES)


# Yahoo symbols: indices (^GSPC), exchange suffixes (000660.KS), crypto pairs and FX (KRW=X).
YAHOO_PATTERN = re.compile(r"\^?[A-Z0-9][A-Z0-9.\-=]{0,14}")


def price(ticker: str) -> Dataset:
    """The price dataset for a ticker (case-insensitive): catalogued, or built for any other
    Yahoo symbol so a user's own tickers can be fetched and stored like the rest."""
    ticker = ticker.strip().upper()
    key = f"{PRICES}/{ticker}"
    if key in _BY_KEY:
        return _BY_KEY[key]
    if not YAHOO_PATTERN.fullmatch(ticker):
        raise UnknownDataset(
            f"{ticker!r} is not a ticker (e.g. MU, 000660.KS, BTC-USD, ^GSPC, KRW=X)"
        )
    return _price(ticker, ticker, unit="LOCAL", bounds=(1e-6, 1e9))


def of_kind(kind: str) -> tuple[Dataset, ...]:
    return tuple(d for d in CATALOG if d.kind == kind)
