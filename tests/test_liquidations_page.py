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
COVERAGE = ":violet-badge[:material/fact_check: Coverage] "


def coverage(at) -> list[str]:
    """The page's coverage statements, in page order."""
    return [m.value.removeprefix(COVERAGE) for m in at.markdown if m.value.startswith(COVERAGE)]


def tiles(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


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
    assert not at.warning  # the feed is minutes old: the tiles are about the hours before now
    feed = [c for c in coverage(at) if "live feed" in c]
    assert feed  # the tiles, the venue table and the live feed section each say it
    assert all(
        "venues with events: bybit, okx (no events from binance)" in c and "lower bound" in c
        for c in feed
    )


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
    # 2025-11-14 holds five 4-hour buckets (00:00 to 16:00): not a whole day.
    history = coverage(at)[1]
    assert "daily UTC buckets" in history and "2025-09-01 to 2025-11-13 (whole UTC days)" in history


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


def test_a_day_missing_any_4h_bucket_is_not_a_day_of_the_history(fixture_pack):
    # The fixture holds 00:00, 04:00 and 08:00 of 2025-01-01 only: three of six buckets, so the
    # day is missing, not a $6.86M day (1.0 + 0.5 + 2.1 + 0.26 + 3.0 + 0; until issue 13 the
    # partial sum was shown as the day's total). Whole days are summed in test_liquidations.
    library = Library(None, DataPack(fixture_pack))
    assert api.load_liquidation_history("BTC", "1D", library).empty
    assert len(api.load_liquidation_history("BTC", "4h", library)) == 3


def oi_pack(root):
    """A pack with 4-hour CoinGlass liquidations and open interest written by hand."""
    folder = root / "liquidations" / "coinglass_hand"
    folder.mkdir(parents=True)
    hours = (0, 4, 8)
    ms = [1735689600000 + h * 3_600_000 for h in hours]  # 2025-01-01 00:00, 04:00, 08:00 UTC
    liq = ["time,time_utc,aggregated_long_liquidation_usd,aggregated_short_liquidation_usd"]
    oi = ["time,time_utc,open,high,low,close"]
    for t, h, (lo, sh), (o, c) in zip(
        ms,
        hours,
        [(6e6, 4e6), (3e7, 1e7), (5e6, 5e6)],
        [(5e8, 1e9), (1e9, 2e9), (2e9, 4e8)],
        strict=True,
    ):
        stamp = f"2025-01-01T{h:02d}:00:00Z"
        liq.append(f"{t},{stamp},{lo},{sh}")
        oi.append(f"{t},{stamp},{o},{max(o, c)},{min(o, c)},{c}")
    name = "20250102_api_futures_{}_BTC.csv"
    (folder / name.format("liquidation_aggregated_coin_history")).write_text("\n".join(liq))
    (folder / name.format("openInterest_ohlc_aggregated_history")).write_text("\n".join(oi))
    return root


def test_share_of_oi_divides_by_the_open_interest_at_the_bucket_start(tmp_path):
    library = Library(Store(tmp_path / "home"), DataPack(oi_pack(tmp_path / "pack")))
    # CoinGlass stamps an OHLC bar with its start: the 00:00 bar's close ($1B) is the OI at
    # 04:00, the 04:00 bar's close ($2B) the OI at 08:00.
    oi = api.load_open_interest("BTC", library)
    assert oi.index.strftime("%H:%M").tolist() == ["04:00", "08:00", "12:00"]
    assert oi.tolist() == [1e9, 2e9, 4e8]
    share = api.load_share_of_oi("BTC", "4h", library)
    # 00:00: no OI observed at or before it: missing. 04:00: $40M / $1B = 4 %. 08:00:
    # $10M / $2B = 0.5 %. (Dividing by the bucket's own close gave 2 % and 2.5 %.)
    assert share.isna().tolist() == [True, False, False]
    assert share.iloc[1:].tolist() == pytest.approx([4.0, 0.5])


def test_old_history_tiles_name_the_hours_they_show(app_env, fixture_pack):
    app_env(fixture_pack)
    at = run_page(PAGE, {"range": ["2024-12-31", "2025-01-02"]})
    assert not at.error
    # The last bucket is 08:00–12:00 on 2025-01-01: $3.0M of longs and $0 of shorts; the 24 h
    # before its end hold only three of six buckets; 08:00 ($3.0M) beats 04:00 ($2.36M).
    assert tiles(at) == {
        "4 h to 2025-01-01 12:00 UTC": "$3.0M",
        "Longs' share of those 4 h": "100 %",
        "24 h to 2025-01-01 12:00 UTC": "n/a",
        "Largest 4 h, 2025-01-01": "$3M",
    }
    (warning,) = at.warning
    assert "CoinGlass history ends 2025-01-01 12:00 UTC" in warning.value
    statements = coverage(at)
    # tiles, history chart, venue list, squeezes (no OI in the fixture: a notice instead)
    assert len(statements) == 4
    assert all("BTC" in c and "lower bound" in c for c in statements)
    history = "BTC, CoinGlass aggregated history (exchanges in its 2025-01-02 list: Binance)"
    assert statements[0].startswith(history)
    assert "2025-01-01 00:00 to 2025-01-01 12:00 UTC" in statements[1]
    # Weeks in the range (Wed 2024-12-25 and Wed 2025-01-01) hold 0 and 3 of 42 buckets.
    assert "Whole weeks (Wednesday to Wednesday, all 42 buckets): 0 of 2" in statements[1]
    # The range runs 2024-12-31 00:00 to 2025-01-03 00:00: grey before and after the data.
    shapes = chart_specs(at)[0]["layout"]["shapes"]
    grey = [(s["x0"][:16], s["x1"][:16]) for s in shapes if s.get("fillcolor") == "#9CA3AF"]
    assert grey == [
        ("2024-12-31T00:00", "2025-01-01T00:00"),
        ("2025-01-01T12:00", "2025-01-03T00:00"),
    ]


def test_daily_buckets_without_a_whole_day_say_so(app_env, fixture_pack):
    app_env(fixture_pack)
    at = run_page(PAGE, {"bucket": "1D"})
    assert not at.error
    assert any("No complete day (all six 4-hour buckets)" in i.value for i in at.info)
    assert "$3.0M" in tiles(at).values()  # the tiles read the 4-hour buckets whatever the view


def test_a_stale_feed_shows_the_hours_up_to_its_last_event(app_env, fixture_pack):
    home = app_env(fixture_pack)
    last = pd.Timestamp("2025-03-01 10:30", tz="UTC")
    EventStore(Store(home).events_path).append(
        [
            Liquidation(last.to_pydatetime(), "okx", "BTC", "long", 1.0, 90_000.0, 90_000.0),
            Liquidation(
                (last - pd.Timedelta(hours=3)).to_pydatetime(),
                "okx",
                "BTC",
                "short",
                1.0,
                90_000.0,
                90_000.0,
            ),
        ]
    )
    at = run_page(PAGE)
    assert not at.error
    # 1 h to 10:30 holds the $90k long; 4 h also the 07:30 short: $0.18M.
    shown = tiles(at)
    assert shown["1 h to 2025-03-01 10:30 UTC"] == "$0.1M"
    assert shown["4 h to 2025-03-01 10:30 UTC"] == "$0.2M"
    assert any("newest event is 2025-03-01 10:30 UTC" in w.value for w in at.warning)
    assert any("venues with events: okx (no events from bybit, binance)" in c for c in coverage(at))


@pytest.mark.pack
def test_the_real_pack_tiles_and_coverage(app_env, real_pack):
    app_env(real_pack)
    at = run_page(PAGE)
    assert not at.error
    shown = tiles(at)
    # From the CSV rows by hand: the 2025-11-14 16:00 bucket is $178,901.74 of longs and $0 of
    # shorts; the six buckets from 2025-11-13 20:00 sum to $22,042,609.30 of longs and
    # $13,182,397.10 of shorts = $35,225,006.40; the largest is 2025-10-10 20:00, $343.06M.
    assert shown["4 h to 2025-11-14 20:00 UTC"] == "$0.2M"
    assert shown["Longs' share of those 4 h"] == "100 %"
    assert shown["24 h to 2025-11-14 20:00 UTC"] == "$35.2M"
    assert shown["Largest 4 h, 2025-10-10"] == "$343M"
    assert any("ends 2025-11-14 20:00 UTC" in w.value for w in at.warning)
    statements = coverage(at)
    assert len(statements) == 5  # tiles, history, venues, OI and funding, squeezes
    assert all("lower bound" in c for c in statements)
    spans = "2024-11-13 20:00 to 2025-05-12 20:00 and 2025-05-18 20:00 to 2025-11-14 20:00 UTC"
    assert spans in statements[0] and spans in statements[1]
    assert "Hyperliquid" in statements[0]
    assert "open interest bars 2025-05-18 20:00 to 2025-11-14 20:00 UTC" in statements[3]
    assert f"funding bars {spans}" in statements[3]  # funding has both snapshots, OI the later
    # Liquidations ÷ OI at 2025-10-10 20:00: ($235,601,013.09 + $107,461,506.04) over the OI at
    # 20:00, the close of the 16:00 bar ($85,765,445,784) = 0.40000086 % (the bucket's own close,
    # $70,505,795,930, gave 0.4866 %).
    oi_fig = chart_specs(at)[2]
    share = next(t for t in oi_fig["data"] if t["name"] == "Liquidations ÷ OI")
    at_crash = share["x"].index("2025-10-10T20:00:00+00:00")
    assert decode(share["y"])[at_crash] == pytest.approx(0.40000086, rel=1e-6)
    assert (
        min(share["x"]) == "2025-05-19T00:00:00+00:00"
    )  # the first bucket with an OI at its start


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
