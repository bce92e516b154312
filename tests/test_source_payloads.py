"""Every source's parse step over its recorded payloads (tests/fixtures/payloads/<source>/).

The payloads are the documented formats of SOURCES.md (verbatim excerpts where it has one, else
written in the documented shape); each is read back as its fetch step returns it, so a parse
step sees here what it sees in production. The expectations are worked out by hand from the
payload files, never by running the code under test: the comment on each case says how.
Epoch milliseconds were turned into dates by hand (days since 1970-01-01, then the calendar)
and checked with `date -u -d @<seconds>`.
"""

from __future__ import annotations

import dataclasses
import json
import math
import pathlib
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

from liquidity.core.catalog import VINTAGE_COLUMNS
from liquidity.core.errors import SourceError
from liquidity.sources import coinglass, exchanges, fred, http, sec, venues, yahoo
from tests.fakes import FakeSession, make_response

PAYLOADS = pathlib.Path(__file__).parent / "fixtures" / "payloads"
UTC = "datetime64[us, UTC]"
NAIVE = "datetime64[us]"
NAN = float("nan")


def payload(name: str) -> Any:
    """A recorded payload as its fetch step returns it: parsed JSON for .json, text for .csv,
    for yahoo/ the `yfinance.download` frame (two header rows, Price and Ticker), and for FRED's
    XML (`<id>_<endpoint>.xml`) fredapi's reading of it, the file served to the real fetch step
    (fredapi sending through the project's Opener) by a fake session."""
    path = PAYLOADS / name
    if path.suffix == ".json":
        return json.loads(path.read_text())
    if path.parent.name == "yahoo":
        return pd.read_csv(path, header=[0, 1], index_col=0, parse_dates=True)
    if path.suffix == ".xml":
        return fred_fetched(path)
    return path.read_text()


FRED_KEY = "0123456789abcdef0123456789abcdef"
FRED_FETCHES = {
    "observations": lambda opener, sid: fred.fetch_observations(
        opener, fred.FredRequest(sid, None), FRED_KEY
    ),
    "series": lambda opener, sid: fred.fetch_series_info(
        opener, fred.FredRequest(sid, None), FRED_KEY
    ),
    "vintagedates": lambda opener, sid: fred.fetch_vintage_dates(
        opener, fred.VintageRequest(sid, None), FRED_KEY
    ),
    "vintages": lambda opener, sid: fred.fetch_vintages(
        opener, fred.VintageRequest(sid, None), FRED_KEY
    ),
}


def fred_fetched(path: pathlib.Path) -> Any:
    series_id, _, endpoint = path.stem.rpartition("_")
    session = FakeSession(make_response(200, path.read_bytes()))
    opener = fred.Opener(session, limiter=http.RateLimiter(1e9))
    return FRED_FETCHES[endpoint](opener, series_id.upper())


@dataclasses.dataclass(frozen=True, kw_only=True)
class Case:
    payload: str
    parse: Callable[..., Any]
    args: tuple = ()
    kwargs: dict = dataclasses.field(default_factory=dict)
    rows: int
    columns: list[str] | None = None  # frames only, with `index` = (name, dtype)
    index: tuple[str | None, str] | None = None
    first: dict = dataclasses.field(default_factory=dict)  # "index" or a column / field → value
    last: dict = dataclasses.field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.payload + (f"[{self.args[0]}]" if self.args else "")


def ts(text: str, tz: str | None = None) -> pd.Timestamp:
    return pd.Timestamp(text, tz=tz)


OHLC = ["open", "high", "low", "close"]
BARS = ["open", "high", "low", "close", "adj_close", "volume"]
CASES = [
    # -- FRED: fredgraph.csv (SOURCES.md §3.1) and the keyed API's XML through fredapi (§3.2) ----
    # Three weekly rows as written in the file.
    Case(
        payload="fred/walcl.csv",
        parse=fred.parse_csv,
        args=("WALCL",),
        rows=3,
        columns=["value"],
        index=("date", NAIVE),
        first={"index": ts("2023-12-27"), "value": 7_712_781.0},
        last={"index": ts("2024-01-10"), "value": 7_686_710.0},
    ),
    # Four rows; 2024-01-01 has an empty field and stays as a NaN row.
    Case(
        payload="fred/rrpontsyd.csv",
        parse=fred.parse_csv,
        args=("RRPONTSYD",),
        rows=4,
        columns=["value"],
        index=("date", NAIVE),
        first={"index": ts("2023-12-29"), "value": 1018.483},
        last={"index": ts("2024-01-03"), "value": 719.897},
    ),
    # The pre-2024 header "DATE,DGS10" and '.' for 2024-01-01: three rows, read by position.
    Case(
        payload="fred/dgs10_old_header.csv",
        parse=fred.parse_csv,
        args=("DGS10",),
        rows=3,
        columns=["value"],
        index=("date", NAIVE),
        first={"index": ts("2023-12-29"), "value": 3.88},
        last={"index": ts("2024-01-02"), "value": 3.95},
    ),
    # Out of date order in the file: sorted, 2023-12-27 comes first; 2024-01-10 is "." → NaN.
    Case(
        payload="fred/walcl_observations.xml",
        parse=fred.parse_observations,
        args=("WALCL",),
        rows=3,
        columns=["value"],
        index=("date", NAIVE),
        first={"index": ts("2023-12-27"), "value": 7_712_781.0},
        last={"index": ts("2024-01-10"), "value": NAN},
    ),
    # Five M2 vintages sorted by date then realtime_start: January's first (2025-02-25, closed
    # the day before the next, 2025-03-25) first; March, first published 2025-04-22 as ".",
    # current (NaT) and NaN last.
    Case(
        payload="fred/m2sl_vintages.xml",
        parse=fred.parse_vintages,
        args=("M2SL",),
        rows=5,
        columns=list(VINTAGE_COLUMNS),
        index=(None, "int64"),
        first={
            "date": ts("2025-01-01"),
            "realtime_start": ts("2025-02-25"),
            "realtime_end": ts("2025-03-24"),
            "value": 21_561.4,
        },
        last={
            "date": ts("2025-03-01"),
            "realtime_start": ts("2025-04-22"),
            "realtime_end": pd.NaT,
            "value": NAN,
        },
    ),
    # -- Yahoo: one yfinance 1.7 download of MU, BTC-USD, SNDK, Fri 2024-01-05 to Mon 01-08 -----
    # MU's weekend rows are all NaN (only BTC-USD trades then) and are dropped: Fri and Mon left.
    Case(
        payload="yahoo/download.csv",
        parse=yahoo.parse_prices,
        args=("MU",),
        rows=2,
        columns=BARS,
        index=("date", NAIVE),
        first={"index": ts("2024-01-05"), "close": 86.5, "adj_close": 86.3, "volume": 1.5e7},
        last={"index": ts("2024-01-08"), "open": 86.0, "close": 87.5},
    ),
    # BTC-USD keeps all four days.
    Case(
        payload="yahoo/download.csv",
        parse=yahoo.parse_prices,
        args=("BTC-USD",),
        rows=4,
        columns=BARS,
        index=("date", NAIVE),
        first={"index": ts("2024-01-05"), "close": 43_900.0},
        last={"index": ts("2024-01-08"), "high": 47_000.0, "close": 46_900.0, "volume": 3e10},
    ),
    # SNDK's columns are empty throughout (a failed ticker): no rows, the same columns.
    Case(
        payload="yahoo/download.csv",
        parse=yahoo.parse_prices,
        args=("SNDK",),
        rows=0,
        columns=BARS,
        index=("date", NAIVE),
    ),
    # -- SEC: companyconcept (SOURCES.md §1.3, verbatim) and companyfacts (§1.3's nesting) -------
    # Five facts sorted by end then filed: the FY2024 10-K (end 2024-09-28, filed 2024-11-01)
    # first, the FY2025 total (end 2025-09-27) last.
    Case(
        payload="sec/companyconcept_revenue.json",
        parse=sec.parse_facts,
        rows=5,
        columns=list(sec.SEC_COLUMNS),
        index=(None, "int64"),
        first={"end": ts("2024-09-28"), "filed": ts("2024-11-01"), "val": 391_035_000_000.0},
        last={"end": ts("2025-09-27"), "val": 416_161_000_000.0, "frame": "CY2025"},
    ),
    # Four facts sorted by tag: Assets (an instant fact, no start) first; the later of the two
    # capex years (end 2025-06-30) last.
    Case(
        payload="sec/companyfacts.json",
        parse=sec.parse_facts,
        rows=4,
        columns=list(sec.SEC_COLUMNS),
        index=(None, "int64"),
        first={"tag": "Assets", "start": pd.NaT, "val": 619_003_000_000.0},
        last={
            "tag": "PaymentsToAcquirePropertyPlantAndEquipment",
            "end": ts("2025-06-30"),
            "val": 64_551_000_000.0,
        },
    ),
    # Three entries in file order; "googl" is upper-cased, CIKs stay unpadded integers.
    Case(
        payload="sec/company_tickers.json",
        parse=sec.parse_company_tickers,
        rows=3,
        first={"key": "AAPL", "value": 320193},
        last={"key": "GOOGL", "value": 1652044},
    ),
    # -- CoinGlass v4 (SOURCES.md §5.8) ----------------------------------------------------------
    # 1731542400000 ms = 20041 days = 2024-11-14 00:00 UTC; the other row is 4 h earlier
    # (1731528000000). The file is newest first; the frame ascending.
    Case(
        payload="coinglass/liquidations.json",
        parse=coinglass.parse_history,
        args=(coinglass.LIQUIDATION_COLUMNS, "BTC 4h"),
        rows=2,
        columns=list(coinglass.LIQUIDATION_COLUMNS),
        index=("time", UTC),
        first={
            "index": ts("2024-11-13 20:00", "UTC"),
            "aggregated_long_liquidation_usd": 21_069_771.35833,
            "aggregated_short_liquidation_usd": 2_661_796.3081,
        },
        last={
            "index": ts("2024-11-14 00:00", "UTC"),
            "aggregated_long_liquidation_usd": 1_136_092.35699,
        },
    ),
    # The same two times; OHLC values come as strings.
    Case(
        payload="coinglass/funding.json",
        parse=coinglass.parse_history,
        args=(coinglass.OHLC_COLUMNS, "BTC 4h"),
        rows=2,
        columns=OHLC,
        index=("time", UTC),
        first={"index": ts("2024-11-13 20:00", "UTC"), "open": 0.020235, "close": 0.01639},
        last={"index": ts("2024-11-14 00:00", "UTC"), "high": 0.018498, "close": 0.018331},
    ),
    Case(
        payload="coinglass/open_interest.json",
        parse=coinglass.parse_history,
        args=(coinglass.OHLC_COLUMNS, "BTC 4h"),
        rows=1,
        columns=OHLC,
        index=("time", UTC),
        first={"index": ts("2024-11-13 20:00", "UTC"), "low": 6.0e10, "close": 6.15e10},
        last={"index": ts("2024-11-13 20:00", "UTC"), "high": 6.2e10},
    ),
    # -- Exchange REST (SOURCES.md §5.3–§5.5) ----------------------------------------------------
    # Two BTC-USDT-SWAP orders in file order; sz is in contracts of 0.01 BTC: 10 → 0.1, 5 → 0.05.
    # 1758000300000 ms = 20347 days + 19500 s = 2025-09-16 05:25:00 UTC; the second 100 s earlier.
    Case(
        payload="exchanges/okx_liquidations.json",
        parse=exchanges.parse_okx_liquidations,
        args=("BTC",),
        rows=2,
        first={
            "ts": ts("2025-09-16 05:25:00", "UTC"),
            "venue": "okx",
            "symbol": "BTC",
            "side": "long",
            "qty": 0.1,
            "price": 60_000.0,
            "notional_usd": 6_000.0,
        },
        last={"ts": ts("2025-09-16 05:23:20", "UTC"), "side": "short", "qty": 0.05},
    ),
    # 1616438700000 ms = 18708 days + 67500 s = 2021-03-22 18:45 UTC, the other 4 h later; the
    # file is newest first.
    Case(
        payload="exchanges/binance_open_interest.json",
        parse=exchanges.parse_binance_open_interest,
        args=("BTC",),
        rows=2,
        columns=["open_interest_coin", "open_interest_usd"],
        index=("ts", UTC),
        first={
            "index": ts("2021-03-22 18:45", "UTC"),
            "open_interest_coin": 34_085.0,
            "open_interest_usd": 1_927_265_695.27131325,
        },
        last={"index": ts("2021-03-22 22:45", "UTC"), "open_interest_coin": 34_100.5},
    ),
    # fundingRate is a fraction: -0.0375 → -3.75 %, 0.0001 → 0.01 %. 1570608000000 ms = 18178
    # days + 8 h = 2019-10-09 08:00 UTC; the next funding 8 h later.
    Case(
        payload="exchanges/binance_funding.json",
        parse=exchanges.parse_binance_funding,
        args=("BTC",),
        rows=2,
        columns=["funding_pct"],
        index=("fundingTime", UTC),
        first={"index": ts("2019-10-09 08:00", "UTC"), "funding_pct": -3.75},
        last={"index": ts("2019-10-09 16:00", "UTC"), "funding_pct": 0.01},
    ),
    # 1757995200000 ms = 20347 days + 4 h = 2025-09-16 04:00 UTC; the newer row 4 h later.
    Case(
        payload="exchanges/bybit_open_interest.json",
        parse=exchanges.parse_bybit_open_interest,
        args=("BTC",),
        rows=2,
        columns=["open_interest_coin"],
        index=("ts", UTC),
        first={"index": ts("2025-09-16 04:00", "UTC"), "open_interest_coin": 51_000.25},
        last={"index": ts("2025-09-16 08:00", "UTC"), "open_interest_coin": 52_000.5},
    ),
    # -- Venue websocket messages (SOURCES.md §5.3–§5.5, verbatim; side rules §5.10) ------------
    # S=BUY is the liquidation order: a short was liquidated. Size z=1.437 at ap=34959.70;
    # T=1698871323059 ms. The notional 1.437 × 34959.70 = 50237.0889.
    Case(
        payload="venues/binance_force_order.json",
        parse=venues.parse_binance,
        rows=1,
        first={
            "ts": ts("2023-11-01 20:42:03.059", "UTC"),
            "venue": "binance",
            "symbol": "BTC",
            "side": "short",
            "qty": 1.437,
            "price": 34_959.70,
            "notional_usd": 50_237.0889,
        },
    ),
    # S=Sell is the position side at Bybit: a short. 20000 ROSE × 0.04499 = 899.8 USD.
    Case(
        payload="venues/bybit_all_liquidation.json",
        parse=venues.parse_bybit,
        rows=1,
        first={
            "ts": ts("2025-02-14 03:05:02.929", "UTC"),
            "symbol": "ROSE",
            "side": "short",
            "qty": 20_000.0,
            "price": 0.04499,
            "notional_usd": 899.8,
        },
    ),
    # posSide short; sz=13 contracts of 1000 IOST (a ctVal the caller supplies) = 13000 IOST,
    # × 0.007831 = 101.803 USD.
    Case(
        payload="venues/okx_liquidation_orders.json",
        parse=venues.parse_okx,
        kwargs={"contract_values": {"IOST-USDT-SWAP": 1000.0}},
        rows=1,
        first={
            "ts": ts("2023-08-17 10:00:34.010", "UTC"),
            "symbol": "IOST",
            "side": "short",
            "qty": 13_000.0,
            "price": 0.007831,
            "notional_usd": 101.803,
        },
    ),
]


def record(result: Any, i: int) -> dict:
    """Row `i` of a parse result as field → value: a frame row with its "index", an event's
    fields, or a mapping's i-th "key" and "value"."""
    if isinstance(result, pd.DataFrame):
        return {"index": result.index[i], **result.iloc[i].to_dict()}
    if isinstance(result, dict):
        key = list(result)[i]
        return {"key": key, "value": result[key]}
    return dataclasses.asdict(result[i])


def same(actual: Any, expected: Any) -> bool:
    if expected is pd.NaT or (isinstance(expected, float) and math.isnan(expected)):
        return pd.isna(actual)
    if isinstance(expected, float):
        return actual == pytest.approx(expected, rel=1e-12)
    return actual == expected


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_each_parse_step_reads_its_recorded_payload(case):
    result = case.parse(payload(case.payload), *case.args, **case.kwargs)
    assert len(result) == case.rows
    if case.columns is not None:
        assert list(result.columns) == case.columns
        assert (result.index.name, str(result.index.dtype)) == case.index
        assert result.index.is_monotonic_increasing
    for i, expected in ((0, case.first), (-1, case.last)):
        actual = record(result, i) if expected else {}
        for field, value in expected.items():
            assert same(actual[field], value), (i, field, actual[field], value)


# Malformed payloads, one per parse step that has no such test beside its source's own tests
# (FRED's and the SEC's are in tests/test_source_fred.py and tests/test_source_sec.py).
MALFORMED = [
    # A row without its "time".
    (
        "coinglass/malformed_row_without_time.json",
        coinglass.parse_history,
        (coinglass.LIQUIDATION_COLUMNS, "BTC 4h"),
        SourceError,
        r"BTC 4h: unreadable row \(KeyError\('time'\)\)",
    ),
    # Binance's error object where the rows should be.
    (
        "exchanges/malformed_binance_error_object.json",
        exchanges.parse_binance_open_interest,
        ("BTC",),
        SourceError,
        "BTCUSDT openInterestHist: expected a list of rows, got dict",
    ),
    (
        "exchanges/malformed_bybit_without_list.json",
        exchanges.parse_bybit_open_interest,
        ("BTC",),
        SourceError,
        "BTCUSDT open-interest: expected a list of rows, got NoneType",
    ),
    (
        "exchanges/malformed_okx_without_details.json",
        exchanges.parse_okx_liquidations,
        ("BTC",),
        SourceError,
        "BTC-USDT-SWAP: unreadable liquidation page .*details missing",
    ),
    # A liquidation without its size "v".
    (
        "venues/malformed_bybit_without_size.json",
        venues.parse_bybit,
        (),
        ValueError,
        "bybit allLiquidation: missing field 'v'",
    ),
]


@pytest.mark.parametrize(
    ("name", "parse", "args", "error", "message"), MALFORMED, ids=[m[0] for m in MALFORMED]
)
def test_each_parse_step_rejects_a_malformed_payload(name, parse, args, error, message):
    with pytest.raises(error, match=message):
        parse(payload(name), *args)
