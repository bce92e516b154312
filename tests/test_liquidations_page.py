"""The liquidations page, the CLI and the pack's CoinGlass history."""

import csv
import datetime as dt

import pandas as pd
import pytest

from liquidity import api
from liquidity.cli import main
from liquidity.data.pack import DataPack
from liquidity.data.provenance import Library
from liquidity.data.store import Store
from liquidity.ingest.event_store import EventStore
from liquidity.sources.venues import Liquidation
from tests.apptest import chart_specs, decode, run_page

PAGE = "pages/4_liquidations.py"
PACK_FILE = (
    "liquidations/coinglass_felipeodonnell/"
    "20251114_api_futures_liquidation_aggregated_coin_history_BTC.csv"
)


def test_fixture_pack_history_and_a_collected_feed(app_env, fixture_pack):
    home = app_env(fixture_pack)
    store = EventStore(Store(home).events_path)
    now = pd.Timestamp.now(tz="UTC").floor("s")
    store.append(
        [
            Liquidation(
                now.to_pydatetime() - dt.timedelta(minutes=10),
                "okx",
                "BTC",
                "long",
                2.0,
                100_000.0,
                200_000.0,
            ),
            Liquidation(
                now.to_pydatetime() - dt.timedelta(hours=2),
                "bybit",
                "BTC",
                "short",
                1.0,
                100_000.0,
                100_000.0,
            ),
        ]
    )
    at = run_page(PAGE, {"range": ["2024-12-31", "2025-01-02"]})
    assert not at.error
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Feed, last 1h"] == "$0.2M" and tiles["Feed, last 4h"] == "$0.3M"
    assert tiles["Largest event"] == "$0.20M"
    bars = chart_specs(at)[0]
    # 2025-01-01 04:00: the later snapshot's 2.1M longs win over the earlier 2.0M (fixture README)
    assert decode(bars["data"][0]["y"])[1] == pytest.approx(-2.1)
    assert any("okx" in c.value and "events" in c.value for c in at.caption)


@pytest.mark.pack
def test_the_real_pack_renders_and_finds_the_october_crash(app_env, real_pack):
    app_env(real_pack)
    at = run_page(PAGE, {"range": ["2025-09-01", "2025-11-14"], "bucket": "1D"})
    assert not at.error
    assert len(chart_specs(at)) == 3  # liquidations with price, venues, OI and funding
    episodes = at.dataframe[0].value
    crash = episodes[episodes["start"].astype(str).str.startswith("2025-10-10")]
    assert crash["side"].tolist() == ["both"]
    assert at.selectbox(key="bucket").value == "1D"


@pytest.mark.pack
@pytest.mark.parametrize("time_utc", ["2025-10-10T20:00:00Z", "2025-11-14T16:00:00Z"])
def test_cli_4h_totals_equal_the_pack_rows(real_pack, tmp_path, capsys, time_utc):
    with open(real_pack / PACK_FILE, newline="") as fh:
        row = next(r for r in csv.DictReader(fh) if r["time_utc"] == time_utc)
    library = Library(Store(tmp_path), DataPack(real_pack))
    day = time_utc[:10]
    assert (
        main(["liquidations", "--symbol", "BTC", "--start", day, "--end", day], library=library)
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "bucket_start,long_usd,short_usd,total_usd"
    got = next(line for line in lines if line.startswith(time_utc[:16] + "Z"))
    _, long_usd, short_usd, total = got.split(",")
    assert float(long_usd) == pytest.approx(float(row["aggregated_long_liquidation_usd"]), abs=0.01)
    assert float(short_usd) == pytest.approx(
        float(row["aggregated_short_liquidation_usd"]), abs=0.01
    )


def test_cli_refuses_what_the_data_cannot_answer(fixture_pack, tmp_path, capsys):
    library = Library(Store(tmp_path), DataPack(fixture_pack))
    assert main(["liquidations", "--bucket", "1h"], library=library) == 2
    assert "4-hour buckets" in capsys.readouterr().err
    assert main(["liquidations", "--venue", "okx"], library=library) == 2
    assert "collect" in capsys.readouterr().err


def test_history_buckets_sum_into_days(fixture_pack):
    library = Library(None, DataPack(fixture_pack))
    daily = api.load_liquidation_history("BTC", "1D", library)
    # 00:00 (1.0M + 0.5M), 04:00 from the later capture (2.1M + 0.26M), 08:00 (3.0M + 0)
    assert daily.loc["2025-01-01", "total_usd"].item() == pytest.approx(6_860_000.0)


def test_live_venue_data_comes_only_on_request_and_refusals_are_reported(fixture_pack, tmp_path):
    from liquidity.sources import exchanges, http
    from tests.fakes import FakeSession, make_response

    for name in ("BINANCE_LIMITER", "BYBIT_LIMITER"):
        setattr(exchanges, name, http.RateLimiter(1e9))
    oi = [
        {
            "symbol": "BTCUSDT",
            "sumOpenInterest": "80000.5",
            "sumOpenInterestValue": "8e9",
            "timestamp": 1758000000000,
        }
    ]
    session = FakeSession(
        make_response(200, oi),
        make_response(403, "<html>forbidden</html>"),  # Bybit from a US host
        make_response(451, {"code": 0, "msg": "Service unavailable from a restricted location"}),
    )
    series, problems = api.fetch_venue_open_interest("BTC", session=session)
    assert series["Binance open interest (coin)"].tolist() == [80000.5]
    assert set(problems) == {"Bybit open interest (coin)", "Binance funding (% per 8 h)"}
    assert "451" in problems["Binance funding (% per 8 h)"]


def test_the_venue_button_shows_what_came_back_and_what_did_not(app_env, fixture_pack):
    from unittest.mock import patch

    app_env(fixture_pack)
    at = run_page(PAGE)
    button = next(b for b in at.button if b.label == "Fetch from Binance and Bybit")
    series = {
        "Binance open interest (coin)": pd.Series(
            [80000.5, 81000.0], index=pd.to_datetime(["2025-09-01", "2025-09-02"], utc=True)
        )
    }
    with patch(
        "liquidity.api.fetch_venue_open_interest",
        return_value=(series, {"Bybit open interest (coin)": "Bybit refuses (HTTP 403)"}),
    ):
        button.click()
        at.run()
    assert not at.exception and not at.error
    assert any("HTTP 403" in i.value for i in at.info)
    assert any("open interest, BTC" in c.proto.spec for c in at.get("plotly_chart"))
