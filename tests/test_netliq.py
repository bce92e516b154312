import shutil

import pandas as pd
import pytest

from liquidity.analytics.changes import change_over
from liquidity.analytics.net_liquidity import net_liquidity, wednesday_net_liquidity, weekly_flows
from liquidity.api import load_net_liquidity
from liquidity.core.calendar import known_at, latest_on_or_before
from liquidity.core.errors import DataNotAvailable, LiquidityError
from liquidity.data.pack import DataPack
from liquidity.data.provenance import Library
from liquidity.data.store import Store


def s(pairs):
    return pd.Series(dict((pd.Timestamp(d), v) for d, v in pairs), dtype="float64")


def test_rrp_takes_the_last_print_at_most_seven_days_old():
    rrp = s([("2025-01-03", 10.0), ("2025-01-10", 20.0), ("2025-01-13", float("nan"))])
    weds = pd.DatetimeIndex(["2025-01-01", "2025-01-08", "2025-01-15", "2025-01-22"])
    got = latest_on_or_before(rrp, weds, pd.Timedelta(days=7))
    # 01-01: nothing yet; 01-08: 01-03 (5 days); 01-15: 01-10 (5 days); 01-22: 12 days -> none
    assert got.isna().tolist() == [True, False, False, True]
    assert got.iloc[1:3].tolist() == [10.0, 20.0]


def test_an_rrp_print_exactly_seven_days_old_counts_and_eight_does_not():
    # Wednesdays 2026-08-19 and 2026-08-26; the only RRP print is Wed 08-12 (0.5 $B) for the
    # first (7 days) and Tue 08-18 for the second (8 days): 6,730,912 − 959,435 $M = 5,771.477
    # $B, minus 0.5 on 08-19; no value at all on 08-26.
    walcl = s([("2026-08-19", 6_730_912.0), ("2026-08-26", 6_730_912.0)])
    tga = s([("2026-08-19", 959_435.0), ("2026-08-26", 959_435.0)])
    week_old = wednesday_net_liquidity(walcl.iloc[:1], tga.iloc[:1], s([("2026-08-12", 0.5)]))
    assert week_old["net_liquidity_b"].iloc[0] == pytest.approx(5_770.977)
    eight = wednesday_net_liquidity(walcl.iloc[1:], tga.iloc[1:], s([("2026-08-18", 0.5)]))
    assert len(eight) == 1 and pd.isna(eight["net_liquidity_b"].iloc[0])


def test_fixture_pack_net_liquidity_worked_by_hand(fixture_pack, tmp_path):
    frame = load_net_liquidity(library=Library(None, DataPack(fixture_pack)))
    net = frame["net_liquidity_b"]
    assert net["2025-01-01"] == pytest.approx(6800 - 800 - 150.0)  # RRP from 2024-12-31
    assert net["2025-01-08"] == pytest.approx(6810 - 810 - 130.5)
    assert pd.isna(net["2025-01-15"])  # WDTGAL has no print that Wednesday: no fill
    assert pd.isna(net["2025-01-22"])  # last RRP (01-10) is 12 days old
    assert net["2025-02-05"] == pytest.approx(6850 - 770 - 100.0)
    assert frame.loc["2025-02-05", "rrp_b"] == 100.0  # 02-04 is empty, 02-03 is used


def test_components_are_in_billions_and_sum():
    walcl = s([("2026-08-26", 6_730_912.0)])
    tga = s([("2026-08-26", 959_435.0)])
    rrp = s([("2026-08-26", 0.702)])
    row = wednesday_net_liquidity(walcl, tga, rrp).iloc[0]
    assert row["walcl_b"] - row["tga_b"] - row["rrp_b"] == pytest.approx(row["net_liquidity_b"])
    assert row["net_liquidity_b"] == pytest.approx(5_770.775)


def test_a_unit_slip_fails_loudly():
    walcl = s([("2026-08-26", 6_730_912.0)])
    rrp = s([("2026-08-26", 0.702)])
    with pytest.raises(LiquidityError, match="wrong unit"):
        wednesday_net_liquidity(walcl, s([("2026-08-26", 959.435)]) * 1e6, rrp)  # TGA in dollars
    with pytest.raises(LiquidityError, match="wrong unit"):
        wednesday_net_liquidity(walcl / 1000, s([("2026-08-26", 959_435.0)]), rrp)  # WALCL in $B


def test_change_over_uses_dates_not_rows():
    daily = s(
        [("2025-01-06", 4.50), ("2025-01-07", 4.55), ("2025-02-04", 4.62), ("2025-02-05", 4.60)]
    )
    change = change_over(daily, 28)  # base: last value on or before 2025-01-08
    assert change.base_date == pd.Timestamp("2025-01-07")
    assert change.absolute == pytest.approx(0.05)
    assert change_over(daily, 28, max_gap_days=0) is None  # no print exactly on 01-08
    prices = s([("2025-01-08", 100.0), ("2025-02-05", 110.0)])
    assert change_over(prices, 28).percent == pytest.approx(10.0)
    assert change_over(pd.Series(dtype="float64"), 28) is None


def fixture_variant(fixture_pack, variant):
    return load_net_liquidity(variant=variant, library=Library(None, DataPack(fixture_pack)))


def test_week_average_variant_uses_wtregen(fixture_pack):
    net = fixture_variant(fixture_pack, "week_average")["net_liquidity_b"]
    assert net["2025-01-08"] == pytest.approx(6810 - 815 - 130.5)
    assert net["2025-01-15"] == pytest.approx(6820 - 820 - 120.0)  # WTREGEN has this week
    assert pd.isna(net["2025-01-29"])  # no WTREGEN print


def test_reserves_variant_does_not_subtract_again(fixture_pack):
    frame = fixture_variant(fixture_pack, "reserves")
    assert list(frame.columns) == ["reserves_b", "net_liquidity_b"]
    assert frame.loc["2025-01-08", "net_liquidity_b"] == pytest.approx(3250.0)
    assert pd.Timestamp("2025-01-15") not in frame.index  # no print that week: no row


def test_daily_variant_carries_the_wednesday_balance_sheet_at_most_ten_days(fixture_pack):
    frame = fixture_variant(fixture_pack, "daily")
    net = frame["net_liquidity_b"]
    assert pd.isna(net["2024-12-31"])  # no Wednesday WALCL yet
    assert net["2025-01-02"] == pytest.approx(6800 - 800 - 140.0)
    assert net["2025-01-10"] == pytest.approx(6810 - 810 - 120.0)  # not Thursday 01-09's TGA
    assert frame.loc["2025-01-10", "walcl_date"] == pd.Timestamp("2025-01-08")
    assert net["2025-02-03"] == pytest.approx(6840 - 780 - 100.0)  # Wednesday 01-29
    assert "2025-02-04" not in net.index  # no RRP print that day


def test_weekly_flows_sum_to_the_change(fixture_pack):
    flows = weekly_flows(fixture_variant(fixture_pack, "wednesday"))
    week = flows.loc["2025-01-08"]
    assert (week["d_walcl_b"], week["neg_d_tga_b"], week["neg_d_rrp_b"]) == pytest.approx(
        (10.0, -10.0, 19.5)
    )
    parts = flows[["d_walcl_b", "neg_d_tga_b", "neg_d_rrp_b"]].sum(axis=1, min_count=3)
    both = flows["d_net_liquidity_b"].notna()
    assert parts[both].to_numpy() == pytest.approx(flows.loc[both, "d_net_liquidity_b"].to_numpy())
    assert pd.isna(flows.loc["2025-01-15", "d_net_liquidity_b"])  # TGA missing that week
    assert flows.loc["2025-02-05", "d_walcl_b"] == pytest.approx(10.0)


def test_known_at_moves_h41_values_to_the_next_day():
    frame = pd.DataFrame({"v": [1.0]}, index=pd.DatetimeIndex(["2025-01-08"]))
    assert known_at(frame).index[0] == pd.Timestamp("2025-01-09")


def test_unknown_variant_and_missing_inputs(fixture_pack):
    with pytest.raises(LiquidityError, match="unknown variant 'monthly'"):
        fixture_variant(fixture_pack, "monthly")
    with pytest.raises(LiquidityError, match="needs WDTGAL, RRPONTSYD"):
        net_liquidity("wednesday", {"WALCL": pd.Series(dtype="float64")})


def test_inputs_that_share_no_date_are_reported_not_returned_empty(fixture_pack, tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(fixture_pack, pack)
    walcl = pack / "fred" / "WALCL.csv"
    frame = pd.read_csv(walcl, parse_dates=["date"])
    frame.assign(date=frame["date"] + pd.Timedelta(days=1)).to_csv(walcl, index=False)  # Thursdays
    library = Library(Store(tmp_path / "home"), DataPack(pack))
    with pytest.raises(DataNotAvailable, match="no date on which all of WALCL, WDTGAL, RRPONTSYD"):
        load_net_liquidity(library=library)
    # A window before any data is simply empty, not an error.
    assert load_net_liquidity("2024-12-01", "2024-12-20", library=library).empty
