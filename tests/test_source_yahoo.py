"""Yahoo adapter: ticker checks, the one batched download, per-ticker shaping and failures."""

from __future__ import annotations

import datetime
import inspect

import pandas as pd
import pytest
import requests
import yfinance
import yfinance.multi
from yfinance.exceptions import YFRateLimitError

from liquidity.sources import yahoo
from tests.test_source_payloads import payload

PRICE_NAMES = ["Adj Close", "Close", "High", "Low", "Open", "Volume"]
# A download() answer in yfinance 1.7's shape, columns ('Price', 'Ticker'), for MU, BTC-USD and
# SNDK from Fri 2024-01-05 to Mon 01-08: MU's weekend rows exist only because BTC-USD trades
# every day; SNDK's columns are all NaN, what yfinance leaves for a failed ticker.
MIXED = payload("yahoo/download.csv")


class FakeDownload:
    def __init__(self, answer=None, error=None):
        self.answer = answer
        self.error = error
        self.calls: list[tuple[tuple, dict]] = []

    def __call__(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        if self.error is not None:
            raise self.error
        return self.answer


# --- validate_request ------------------------------------------------------------------------


def test_validate_request_uppercases_and_dedupes_in_order():
    request = yahoo.validate_request(["mu", "BTC-USD", "MU", " sndk "])
    assert request.tickers == ("MU", "BTC-USD", "SNDK")
    assert request.start is None


@pytest.mark.parametrize("ticker", ["^GSPC", "005930.KS", "000660.KS", "BTC-USD", "KRW=X", "BRK-B"])
def test_validate_request_accepts_real_symbols(ticker):
    assert yahoo.validate_request([ticker]).tickers == (ticker,)


def test_validate_request_accepts_a_single_string():
    assert yahoo.validate_request("nvda").tickers == ("NVDA",)


@pytest.mark.parametrize("bad", ["NV DA", "$MU", "-MU", "A" * 16, "^", "MU;DROP"])
def test_validate_request_names_the_bad_ticker(bad):
    with pytest.raises(ValueError, match="invalid ticker") as caught:
        yahoo.validate_request(["MU", bad])
    assert repr(bad.strip().upper()) in str(caught.value)


def test_validate_request_needs_a_ticker():
    with pytest.raises(ValueError, match="at least one ticker"):
        yahoo.validate_request([])


def test_validate_request_rejects_a_future_start():
    with pytest.raises(ValueError, match="future"):
        yahoo.validate_request(["MU"], datetime.date.today() + datetime.timedelta(days=2))


# --- get_prices ------------------------------------------------------------------------------


def test_download_is_one_batched_call_with_explicit_settings():
    download = FakeDownload(MIXED)
    yahoo.get_prices(["MU", "BTC-USD", "SNDK"], datetime.date(2024, 1, 1), download=download)
    assert download.calls == [
        (
            (["MU", "BTC-USD", "SNDK"],),
            {
                "start": datetime.date(2024, 1, 1),
                "auto_adjust": False,
                "actions": False,
                "group_by": "column",
                "progress": False,
                "threads": True,
                "multi_level_index": True,
            },
        )
    ]


def test_download_without_start_asks_for_full_history():
    download = FakeDownload(MIXED)
    yahoo.get_prices(["MU"], download=download)
    kwargs = download.calls[0][1]
    assert kwargs["period"] == "max"
    assert "start" not in kwargs


def test_download_kwargs_exist_in_the_installed_yfinance():
    download = FakeDownload(MIXED)
    yahoo.get_prices(["MU"], datetime.date(2024, 1, 1), download=download)
    yahoo.get_prices(["MU"], download=download)
    accepted = set(inspect.signature(yfinance.download).parameters)
    for _, kwargs in download.calls:
        assert set(kwargs) <= accepted


def test_equity_loses_the_weekend_rows_of_a_mixed_download():
    batch = yahoo.get_prices(["MU", "BTC-USD", "SNDK"], download=FakeDownload(MIXED))
    mu = batch.frames["MU"]
    assert list(mu.columns) == ["open", "high", "low", "close", "adj_close", "volume"]
    assert mu.index.strftime("%Y-%m-%d").tolist() == ["2024-01-05", "2024-01-08"]
    assert mu.loc["2024-01-08"].tolist() == [86.0, 88.0, 85.5, 87.5, 87.3, 1.6e7]
    assert (mu.dtypes == "float64").all()
    assert mu.index.name == "date" and mu.index.tz is None


def test_crypto_keeps_every_day():
    batch = yahoo.get_prices(["MU", "BTC-USD", "SNDK"], download=FakeDownload(MIXED))
    btc = batch.frames["BTC-USD"]
    assert len(btc) == 4
    assert btc["close"].tolist() == [43900.0, 43950.0, 44100.0, 46900.0]
    assert btc["volume"].iloc[-1] == 3.0e10


def test_an_all_nan_ticker_is_an_error_not_a_frame():
    batch = yahoo.get_prices(["MU", "BTC-USD", "SNDK"], download=FakeDownload(MIXED))
    assert set(batch.frames) == {"MU", "BTC-USD"}
    assert batch.errors == {"SNDK": "no data returned (unknown, delisted or rate-limited)"}


def test_a_ticker_missing_from_the_answer_is_an_error():
    batch = yahoo.get_prices(["MU", "NVDA"], download=FakeDownload(MIXED))
    assert "MU" in batch.frames
    assert batch.errors == {"NVDA": yahoo.NO_DATA}


@pytest.mark.parametrize("answer", [None, pd.DataFrame()])
def test_an_empty_answer_fails_every_ticker_without_raising(answer):
    batch = yahoo.get_prices(["MU", "SNDK"], download=FakeDownload(answer))
    assert batch.frames == {}
    assert batch.errors == {"MU": yahoo.NO_DATA, "SNDK": yahoo.NO_DATA}


def test_rows_are_sorted_and_tz_naive():
    shuffled = MIXED.iloc[::-1].copy()
    shuffled.index = shuffled.index.tz_localize("Asia/Seoul")
    batch = yahoo.get_prices(["BTC-USD"], download=FakeDownload(shuffled))
    index = batch.frames["BTC-USD"].index
    assert index.is_monotonic_increasing
    assert index.tz is None
    assert index[0] == pd.Timestamp("2024-01-05")


def test_rate_limit_error_fails_every_ticker_with_a_clear_message():
    batch = yahoo.get_prices(["MU", "BTC-USD"], download=FakeDownload(error=YFRateLimitError()))
    assert batch.frames == {}
    assert batch.errors == {
        "MU": "rate limited by Yahoo Finance; try again in a few minutes",
        "BTC-USD": "rate limited by Yahoo Finance; try again in a few minutes",
    }


def test_network_failure_fails_every_ticker_with_a_clear_message():
    error = requests.ConnectionError("Failed to resolve query2.finance.yahoo.com")
    batch = yahoo.get_prices(["MU", "BTC-USD"], download=FakeDownload(error=error))
    assert batch.frames == {}
    assert set(batch.errors.values()) == {"could not reach Yahoo Finance — you may be offline"}


def test_yfinance_exceptions_are_not_hidden():
    # yf.config hands out a fresh view per attribute access, so monkeypatch cannot undo it.
    before = yfinance.config.debug.hide_exceptions
    yfinance.config.debug.hide_exceptions = True
    try:
        yahoo.get_prices(["MU"], download=FakeDownload(MIXED))
        assert yfinance.config.debug.hide_exceptions is False
    finally:
        yfinance.config.debug.hide_exceptions = before


# --- real yfinance.download, with its per-ticker fetch replaced ------------------------------


class OfflineTicker:
    """Replaces yfinance.Ticker inside download(): each symbol fails or answers without a socket."""

    def __init__(self, ticker):
        self.ticker = ticker
        self._price_history = None

    def history(self, **kwargs):
        if self.ticker == "MU":
            raise YFRateLimitError()
        if self.ticker == "SNDK":
            from curl_cffi.requests.exceptions import DNSError

            raise DNSError("Failed to perform, curl: (6) Could not resolve host")
        index = pd.DatetimeIndex(["2024-01-05", "2024-01-08"], name="Date").tz_localize(
            "America/New_York"
        )
        return pd.DataFrame(
            {name: [1.0, 2.0] for name in PRICE_NAMES},
            index=index,
        )


# yfinance 1.7 still uses pandas' deprecated inplace= keywords.
@pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")
def test_real_download_reports_per_ticker_reasons_only_in_its_log(monkeypatch):
    monkeypatch.setattr(yfinance.multi, "Ticker", OfflineTicker)
    batch = yahoo.get_prices(["NVDA", "MU", "SNDK"], datetime.date(2024, 1, 1))
    assert batch.frames["NVDA"]["close"].tolist() == [1.0, 2.0]
    assert batch.errors == {"MU": yahoo.RATE_LIMITED, "SNDK": yahoo.UNREACHABLE}


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        (None, yahoo.NO_DATA),
        (
            "YFRateLimitError('Too Many Requests. Rate limited. Try after a while.')",
            yahoo.RATE_LIMITED,
        ),
        ("ConnectionError('Failed to perform, curl: (7)')", yahoo.UNREACHABLE),
        ("ReadTimeout('curl: (28) Operation timed out')", yahoo.UNREACHABLE),
        ("YFPricesMissingError('$SNDK: possibly delisted; no price data found')", yahoo.NO_DATA),
    ],
)
def test_explain_failure(reason, expected):
    assert yahoo.explain_failure(reason) == expected
