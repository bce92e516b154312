"""Refresh against replayed payloads: incremental fetches, failures that keep good data."""

import pandas as pd
import pytest
import requests

from liquidity.core import catalog
from liquidity.data.provenance import Library
from liquidity.data.store import Store
from liquidity.ingest.refresh import NO_VINTAGES, Seams, refresh
from liquidity.sources import fred, http, sec, yahoo
from tests.alfred import Alfred, vintage_frame
from tests.fakes import make_response
from tests.loopback import LoopbackServer

FRED_IDS = [d.name for d in catalog.of_kind(catalog.FRED)]
# A plausible latest value per native unit, so every series passes its magnitude check.
LEVEL = {"USD_M": 900_000.0, "USD_B": 20_000.0, "PCT": 4.0, "INDEX": 20.0}


def level(series_id):
    """A plausible value of the series in its native unit (it passes the magnitude checks)."""
    return {
        "WALCL": 6_700_000.0,
        "TREAST": 4_000_000.0,
        "WRESBAL": 3_000_000.0,
        "RRPONTSYD": 1.0,
        "SP500": 6_000.0,
        "NFCI": -0.5,
    }.get(series_id, LEVEL[catalog.fred(series_id).native_unit])


def fred_csv(series_id, dates, bump=0.0):
    rows = "\n".join(f"{d},{level(series_id) + bump + i}" for i, d in enumerate(dates))
    return f"observation_date,{series_id}\n{rows}\n"


class FredServer:
    """A fake session answering fredgraph.csv requests per id; records what was asked."""

    def __init__(self, dates, fail=(), offline=False, bump=0.0):
        self.dates, self.fail, self.offline, self.bump = dates, set(fail), offline, bump
        self.params = []

    def get(self, url, params=None, **kwargs):
        self.params.append(dict(params))
        if self.offline:
            raise requests.ConnectionError("network is unreachable")
        if params["id"] in self.fail:
            return make_response(500, "oops")
        dates = [d for d in self.dates if "cosd" not in params or d >= params["cosd"]]
        return make_response(200, fred_csv(params["id"], dates, self.bump))


@pytest.fixture(autouse=True)
def no_throttle(monkeypatch):
    # No sleeping either: a failing answer is retried after a backoff taken through the limiter.
    monkeypatch.setattr(fred, "LIMITER", http.RateLimiter(1e9, sleep=lambda seconds: None))
    monkeypatch.setattr(sec, "LIMITER", http.RateLimiter(1e9, sleep=lambda seconds: None))


@pytest.fixture
def server():
    with LoopbackServer() as loopback:
        yield loopback


def test_first_refresh_fetches_everything_and_writes_the_store(tmp_path):
    store = Store(tmp_path)
    server = FredServer(["2025-01-01", "2025-01-08"])
    progress = []
    report = refresh(
        store,
        ("fred",),
        seams=Seams(fred_session=server),
        progress=lambda done, total, label: progress.append((done, total)),
    )
    assert not report.failed
    assert [p["id"] for p in server.params] == FRED_IDS
    assert all("cosd" not in p for p in server.params)
    # One step per series, and one per series whose vintages a key would fetch (skipped here).
    steps = len(FRED_IDS) + len(catalog.VINTAGE_SERIES)
    assert progress[-1] == (steps, steps)
    assert store.read("fred/WALCL")["value"].tolist() == [6_700_000.0, 6_700_001.0]
    assert report.summary("fred").startswith(f"fred: {len(FRED_IDS)}/{len(FRED_IDS)} datasets ok")


def test_second_refresh_is_incremental_and_counts_revisions(tmp_path):
    store = Store(tmp_path)
    refresh(store, ("fred",), seams=Seams(fred_session=FredServer(["2025-06-04", "2025-06-11"])))
    server = FredServer(["2025-06-04", "2025-06-11", "2025-06-18"], bump=0.5)
    report = refresh(store, ("fred",), seams=Seams(fred_session=server))
    asked = server.params[0]
    assert asked["cosd"] == "2025-02-11"  # last date minus the 120-day revision window
    walcl = [o for o in report.outcomes["fred"] if o.key == "fred/WALCL"][0]
    assert (walcl.added, walcl.revised) == (1, 2)
    assert store.read("fred/WALCL").index[-1] == pd.Timestamp("2025-06-18")


def test_a_failing_series_keeps_its_last_good_data(tmp_path):
    store = Store(tmp_path)
    refresh(store, ("fred",), seams=Seams(fred_session=FredServer(["2025-01-01"])))
    report = refresh(
        store, ("fred",), seams=Seams(fred_session=FredServer(["2025-01-08"], fail={"DGS10"}))
    )
    assert report.failed and not report.offline
    failed = [o for o in report.outcomes["fred"] if not o.ok]
    assert [o.key for o in failed] == ["fred/DGS10"]
    assert "HTTP 500" in failed[0].message
    assert store.read("fred/DGS10").index.tolist() == [pd.Timestamp("2025-01-01")]
    assert "HTTP 500" in store.attempts()["fred/DGS10"].message


def test_offline_fails_fast_and_changes_nothing(tmp_path):
    store = Store(tmp_path)
    server = FredServer([], offline=True)
    report = refresh(store, ("fred",), seams=Seams(fred_session=server))
    assert report.failed and report.offline
    assert len(server.params) == 1  # no 20 timeouts in a row
    assert store.entries() == {}
    assert "could not reach" in report.summary("fred")


def test_an_empty_answer_never_replaces_data(tmp_path):
    store = Store(tmp_path)
    refresh(store, ("fred",), seams=Seams(fred_session=FredServer(["2025-01-01"])))
    before = store.entry("fred/WALCL")
    report = refresh(store, ("fred",), seams=Seams(fred_session=FredServer([])))
    assert report.failed and not report.offline
    assert "no observations" in store.attempts()["fred/WALCL"].message
    assert store.entry("fred/WALCL").sha256 == before.sha256


# -- FRED vintages (with a key, through fredapi) ------------------------------------------------
KEY = "refresh0123456789abcdef0123456789"
# One revision history given to every series at its own level (value offsets small enough for
# the spreads' ±5 bounds): the first refresh sees two Wednesdays, each published the next day ...
FIRST = [
    ("2025-01-01", "2025-01-02", None, 0.0),
    ("2025-01-08", "2025-01-09", None, 0.25),
]
# ... the second, a week later, a revision of 2025-01-08 and a new Wednesday, both 2025-01-16.
SECOND = [
    ("2025-01-01", "2025-01-02", None, 0.0),
    ("2025-01-08", "2025-01-09", "2025-01-15", 0.25),
    ("2025-01-08", "2025-01-16", None, 0.5),
    ("2025-01-15", "2025-01-16", None, 0.75),
]
WALCL_LEVEL = 6_700_000.0


def keyed_refresh(store, server, history):
    alfred = Alfred(history, base=level)
    server.route(fred.FRED_OBSERVATIONS_URL, alfred)
    server.route(fred.FRED_VINTAGE_DATES_URL, alfred)
    opener = fred.Opener(server.session())
    seams = Seams(fred_opener=opener)
    return refresh(store, ("fred",), seams=seams, environ={"FRED_API_KEY": KEY})


def outcome(report, key):
    return next(o for o in report.outcomes["fred"] if o.key == key)


def test_a_keyed_refresh_stores_the_vintages_of_each_vintage_series(tmp_path, server):
    store = Store(tmp_path)
    report = keyed_refresh(store, server, FIRST)
    assert not report.failed and "fred" not in report.notes
    held = {key for key in store.entries() if key.startswith("fred_vintages/")}
    assert held == {f"fred_vintages/{series_id}" for series_id in catalog.VINTAGE_SERIES}
    expected = vintage_frame(
        [
            ("2025-01-01", "2025-01-02", None, WALCL_LEVEL),
            ("2025-01-08", "2025-01-09", None, WALCL_LEVEL + 0.25),
        ]
    )
    pd.testing.assert_frame_equal(store.read("fred_vintages/WALCL"), expected)
    assert store.read("fred/WALCL")["value"].tolist() == [WALCL_LEVEL, WALCL_LEVEL + 0.25]
    walcl = outcome(report, "fred_vintages/WALCL")
    assert (walcl.added, walcl.revised) == (2, 0)
    # Each history fits FRED's row limit: one request per series, over all of realtime.
    windows = [s for s in server.seen if "realtime_start" in s.query]
    assert sorted(s.query["series_id"] for s in windows) == sorted(catalog.VINTAGE_SERIES)
    assert {(s.query["realtime_start"], s.query["realtime_end"]) for s in windows} == {
        ("1776-07-04", "9999-12-31")
    }
    assert not server.requests_for(fred.FRED_VINTAGE_DATES_URL)
    assert all(s.query["api_key"] == KEY for s in server.seen)


def test_a_second_refresh_asks_only_for_newer_vintages_and_closes_the_revised_row(tmp_path, server):
    store = Store(tmp_path)
    keyed_refresh(store, server, FIRST)
    before = len(server.seen)
    report = keyed_refresh(store, server, SECOND)
    assert not report.failed
    asked = [
        s.query["realtime_start"]
        for s in server.seen[before:]
        if s.query.get("series_id") == "WALCL" and "realtime_start" in s.query
    ]
    # The newest stored vintage is 2025-01-09: FRED is asked from the day after, once.
    assert asked == ["2025-01-10"]
    assert not [s for s in server.seen[before:] if s.url == fred.FRED_VINTAGE_DATES_URL]
    expected = vintage_frame(
        [
            ("2025-01-01", "2025-01-02", None, WALCL_LEVEL),
            ("2025-01-08", "2025-01-09", "2025-01-15", WALCL_LEVEL + 0.25),
            ("2025-01-08", "2025-01-16", None, WALCL_LEVEL + 0.5),
            ("2025-01-15", "2025-01-16", None, WALCL_LEVEL + 0.75),
        ]
    )
    pd.testing.assert_frame_equal(store.read("fred_vintages/WALCL"), expected)
    walcl = outcome(report, "fred_vintages/WALCL")
    assert (walcl.added, walcl.revised) == (2, 1)  # two new vintage rows, one row closed
    sha = store.entry("fred_vintages/WALCL").sha256
    again = keyed_refresh(store, server, SECOND)
    assert outcome(again, "fred_vintages/WALCL").message == "unchanged"
    assert store.entry("fred_vintages/WALCL").sha256 == sha


def test_a_keyless_refresh_skips_vintages_and_says_why(tmp_path):
    store = Store(tmp_path)
    server = FredServer(["2025-01-01"])
    report = refresh(store, ("fred",), seams=Seams(fred_session=server), environ={})
    assert not report.failed
    assert report.notes["fred"] == NO_VINTAGES
    assert "vintages need FRED_API_KEY" in report.summary("fred")
    assert len(server.params) == len(FRED_IDS)  # one fredgraph.csv request per series, no more
    assert not [k for k in store.entries() if k.startswith("fred_vintages/")]
    assert not [k for k in store.attempts() if k.startswith("fred_vintages/")]


def yahoo_frame(tickers, dates, adj_scale=1.0):
    cols = pd.MultiIndex.from_product(
        [["Adj Close", "Close", "High", "Low", "Open", "Volume"], tickers],
        names=["Price", "Ticker"],
    )
    index = pd.DatetimeIndex(dates, name="Date")
    data = {}
    for price, ticker in cols:
        base = {"BTC-USD": 50_000.0, "KRW=X": 1_400.0}.get(ticker, 100.0)
        value = base * (adj_scale if price == "Adj Close" else 1.0)
        data[(price, ticker)] = [value + i for i in range(len(dates))]
    return pd.DataFrame(data, index=index, columns=cols)


class FakeDownload:
    def __init__(self, dates, missing=(), adj_scale=1.0):
        self.dates, self.missing, self.adj_scale, self.calls = dates, set(missing), adj_scale, []

    def __call__(self, tickers, **kwargs):
        self.calls.append((list(tickers), kwargs))
        present = [t for t in tickers if t not in self.missing]
        return yahoo_frame(present, self.dates, self.adj_scale)


def test_prices_one_batch_and_per_ticker_errors(tmp_path):
    store = Store(tmp_path)
    download = FakeDownload(["2025-01-02", "2025-01-03"], missing={"SNDK"})
    report = refresh(store, ("prices",), seams=Seams(download=download))
    assert len(download.calls) == 1
    assert download.calls[0][1]["auto_adjust"] is False
    failed = {o.key: o.message for o in report.outcomes["prices"] if not o.ok}
    assert failed == {"prices/SNDK": yahoo.NO_DATA}
    assert store.read("prices/MU")["adj_close"].tolist() == [100.0, 101.0]


def test_a_new_dividend_triggers_a_full_refetch_of_that_history(tmp_path):
    store = Store(tmp_path)
    dates = ["2025-01-02", "2025-01-03"]
    refresh(store, ("prices",), seams=Seams(download=FakeDownload(dates)))
    rescaled = FakeDownload(dates + ["2025-01-06"], adj_scale=0.99)
    refresh(store, ("prices",), seams=Seams(download=rescaled))
    starts = [kwargs.get("start") for _, kwargs in rescaled.calls]
    assert starts[0] is not None and "period" in rescaled.calls[1][1]  # incremental, then full
    adj = store.read("prices/MU")["adj_close"]
    assert adj.tolist() == pytest.approx([99.0, 100.0 * 0.99 + 1, 99.0 + 2])


def test_sec_without_user_agent_is_skipped_unless_asked_for(tmp_path):
    store = Store(tmp_path)
    everything = refresh(
        store, ("fred", "sec"), seams=Seams(fred_session=FredServer([])), environ={}
    )
    # "fred,sec" was asked for explicitly, so the missing agent is a failure.
    assert any("SEC_USER_AGENT" in o.message for o in everything.outcomes["sec"])
    implicit = refresh(
        store,
        None,
        seams=Seams(
            fred_session=FredServer([]),
            download=FakeDownload(["2025-01-02"]),
            exchange_session=ExchangeServer(),
        ),
        environ={},
    )
    assert "SEC_USER_AGENT" in implicit.skipped["sec"]
    assert "skipped" in implicit.summary("sec")


def test_sec_facts_are_stored_with_filing_provenance(tmp_path):
    payload = {
        "cik": 789019,
        "entityName": "MICROSOFT CORP",
        "facts": {
            "us-gaap": {
                "PaymentsToAcquirePropertyPlantAndEquipment": {
                    "label": "capex",
                    "units": {
                        "USD": [
                            {
                                "start": "2024-07-01",
                                "end": "2024-09-30",
                                "val": 14_923_000_000,
                                "accn": "0000950170-24-118967",
                                "fy": 2025,
                                "fp": "Q1",
                                "form": "10-Q",
                                "filed": "2024-10-30",
                                "frame": "CY2024Q3",
                            }
                        ]
                    },
                },
                "AccountsPayableCurrent": {
                    "label": "ignored",
                    "units": {
                        "USD": [
                            {
                                "end": "2024-09-30",
                                "val": 1,
                                "accn": "x",
                                "fy": 2025,
                                "fp": "Q1",
                                "form": "10-Q",
                                "filed": "2024-10-30",
                            }
                        ]
                    },
                },
            }
        },
    }

    class SecServer:
        def __init__(self):
            self.headers = []

        def get(self, url, headers=None, **kwargs):
            self.headers.append(headers)
            if "/submissions/CIK" in url:  # the filings index: one 8-K item 2.03 per company
                return make_response(200, submissions(int(url.split("CIK")[1][:10])))
            if "/Archives/" in url:  # its document, whose cover the parser cannot read
                return make_response(200, "<html><body>No amounts here.</body></html>")
            return make_response(200, payload)

    def submissions(cik: int) -> dict:
        recent = {
            "accessionNumber": ["0000950170-25-000001"],
            "filingDate": ["2025-11-03"],
            "reportDate": ["2025-11-03"],
            "form": ["8-K"],
            "items": ["2.03,9.01"],
            "primaryDocument": ["d8k.htm"],
        }
        return {"cik": str(cik), "filings": {"recent": recent, "files": []}}

    server = SecServer()
    store = Store(tmp_path)
    report = refresh(
        store,
        ("sec",),
        seams=Seams(sec_session=server),
        environ={"SEC_USER_AGENT": "Jane Doe jane@example.com"},
    )
    assert not report.failed
    assert server.headers[0]["User-Agent"] == "Jane Doe jane@example.com"
    # Per company: one companyfacts request (every concept in it), its filings index and the
    # index's one debt document; every request declares the agent.
    assert len(server.headers) == 3 * 5
    assert all(h["User-Agent"] == "Jane Doe jane@example.com" for h in server.headers)
    filings = store.read("filings/MSFT")
    assert filings["accn"].tolist() == ["0000950170-25-000001"]
    assert filings["principal_usd"].isna().all()  # not read from the document: not zero
    assert filings["parse_note"].iloc[0].startswith("amount not parsed")
    facts = store.read("sec/MSFT")
    assert facts["tag"].tolist() == ["PaymentsToAcquirePropertyPlantAndEquipment"]
    assert facts["accn"].iloc[0] == "0000950170-24-118967" and facts["val"].iloc[0] == 14.923e9
    assert Library(store).provenance("sec/MSFT").origin == "live"


def test_fetch_prices_stores_new_symbols_and_reports_unknown_ones(tmp_path):
    from liquidity.ingest.prices import fetch_prices

    store = Store(tmp_path)
    download = FakeDownload(["2025-01-02", "2025-01-03"], missing={"NOPE"})
    problems = fetch_prices(["pltr", "NOPE"], store, download=download)
    assert problems == {"NOPE": yahoo.NO_DATA}
    assert store.read("prices/PLTR")["adj_close"].tolist() == [100.0, 101.0]
    assert not store.attempts()["prices/NOPE"].ok
    assert len(download.calls) == 1  # one batched download


class ExchangeServer:
    """OKX liquidation orders (one page, then empty) and CoinGlass histories, by URL."""

    def __init__(self):
        self.urls, self.headers = [], []

    def get(self, url, params=None, headers=None, **kwargs):
        self.urls.append(url)
        self.headers.append(headers or {})
        if "okx.com" in url:
            if params.get("after"):
                return make_response(200, {"code": "0", "msg": "", "data": []})
            coin = params["instId"].split("-")[0]
            detail = {
                "side": "sell",
                "posSide": "long",
                "bkPx": "100000",
                "bkLoss": "0",
                "sz": "10",
                "ccy": "",
                "ts": "1758000300000",
            }
            return make_response(
                200,
                {
                    "code": "0",
                    "msg": "",
                    "data": [
                        {"instId": f"{coin}-USDT-SWAP", "instType": "SWAP", "details": [detail]}
                    ],
                },
            )
        rows = [
            {
                "time": 1758000000000 + i * 14_400_000,
                "open": 1.0,
                "high": 2.0,
                "low": 0.5,
                "close": 1.5,
                "aggregated_long_liquidation_usd": 1e6,
                "aggregated_short_liquidation_usd": 2e6,
            }
            for i in range(3)
        ]
        if "open-interest" in url:
            rows = [{**r, "open": 7e10, "high": 7.1e10, "low": 6.9e10, "close": 7e10} for r in rows]
        return make_response(200, {"code": "0", "msg": "", "data": rows})


def test_liquidations_refresh_backfills_okx_and_uses_coinglass_with_a_key(tmp_path, monkeypatch):
    from liquidity.ingest.event_store import EventStore
    from liquidity.sources import coinglass, exchanges

    monkeypatch.setattr(exchanges, "OKX_LIMITER", http.RateLimiter(1e9))
    monkeypatch.setattr(coinglass, "LIMITER", http.RateLimiter(1e9))
    store = Store(tmp_path)
    server = ExchangeServer()
    keyless = refresh(store, ("liquidations",), seams=Seams(exchange_session=server), environ={})
    events = EventStore(store.events_path).read()
    assert len(events) == 2 and set(events["symbol"]) == {"BTC", "ETH"}
    assert events["side"].tolist() == ["long", "long"]
    assert "COINGLASS_API_KEY" in keyless.summary("liquidations")
    assert not keyless.failed
    keyed = refresh(
        store,
        ("liquidations",),
        seams=Seams(exchange_session=server),
        environ={"COINGLASS_API_KEY": "secret-marker"},
    )
    assert not keyed.failed
    frame = store.read("coinglass/liquidation_aggregated_coin_history_BTC")
    assert frame["aggregated_short_liquidation_usd"].tolist() == [2e6] * 3
    assert all("secret-marker" not in url for url in server.urls)  # the key travels as a header
    assert EventStore(store.events_path).counts() == {"okx": 2}  # the backfill did not duplicate
