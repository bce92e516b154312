import numpy as np
import pandas as pd
import pytest

from liquidity.analytics.drain_gauge import (
    COMPONENTS,
    EX_CAPEX,
    drain_gauge,
    missing_runs,
    percent_change,
    trailing_zscore,
)
from liquidity.analytics.price_of_money import funding_spread_bp, price_of_money, yoy_growth
from liquidity.analytics.supply_demand import quarterly_change, supply_demand_ledger


def s(pairs):
    return pd.Series({pd.Timestamp(d): v for d, v in pairs}, dtype="float64")


# -- price of money ---------------------------------------------------------------------------


def test_funding_spread_in_basis_points_on_common_days_only():
    sofr = s([("2025-01-02", 4.30), ("2025-01-03", 4.35), ("2025-01-06", 4.41)])
    iorb = s([("2025-01-02", 4.40), ("2025-01-03", 4.40), ("2025-01-04", 4.40)])
    spread = funding_spread_bp(sofr, iorb)
    assert spread.index.tolist() == [pd.Timestamp("2025-01-02"), pd.Timestamp("2025-01-03")]
    assert spread.tolist() == pytest.approx([-10.0, -5.0])


def test_price_of_money_has_percent_lines_and_bp_spreads():
    frame = price_of_money(
        {
            "DGS10": s([("2025-01-02", 4.5)]),
            "SOFR": s([("2025-01-02", 4.3)]),
            "IORB": s([("2025-01-02", 4.4)]),
            "EFFR": s([("2025-01-02", 4.33)]),
            "M2SL": s([("2024-01-01", 100.0), ("2025-01-01", 105.0)]),
        }
    )
    assert frame.loc["2025-01-01", "M2SL_YOY"] == pytest.approx(5.0)
    assert frame.loc["2025-01-02", "DGS10"] == 4.5
    assert frame.loc["2025-01-02", "SOFR_IORB"] == pytest.approx(-10.0)
    assert frame.loc["2025-01-02", "EFFR_IORB"] == pytest.approx(-7.0)
    assert "DFII10" not in frame  # not given, not invented


def test_m2_year_over_year_matches_months_by_date():
    m2 = s(
        [("2024-01-01", 100.0), ("2024-02-01", 200.0), ("2025-01-01", 110.0), ("2025-03-01", 300.0)]
    )
    growth = yoy_growth(m2)
    assert growth["2025-01-01"] == pytest.approx(10.0)
    assert pd.isna(growth["2025-03-01"])  # no March 2024


# -- ledger -----------------------------------------------------------------------------------


def test_quarterly_change_uses_the_last_observation_of_each_quarter():
    weekly = s(
        [
            ("2025-01-01", 5000.0),
            ("2025-03-26", 5100.0),
            ("2025-04-02", 5050.0),
            ("2025-06-25", 4900.0),
            ("2025-07-02", np.nan),
        ]
    )
    change = quarterly_change(weekly)
    assert change[pd.Period("2025Q2")] == pytest.approx(-200.0)  # 4900 − 5100
    assert pd.isna(change[pd.Period("2025Q1")])  # nothing before to compare with


def test_ledger_puts_capex_next_to_supply():
    net = s([("2025-03-26", 5000.0), ("2025-06-25", 5200.0), ("2025-09-24", 5200.5)])
    m2 = s([("2025-03-01", 21_000.0), ("2025-06-01", 21_400.0), ("2025-09-01", 21_500.0)])
    capex = pd.DataFrame(
        {"MSFT": [20e9, 21e9], "GOOGL": [22e9, np.nan]},
        index=pd.PeriodIndex(["2025Q2", "2025Q3"], freq="Q"),
    )
    ledger = supply_demand_ledger(net, m2, capex)
    q2, q3 = ledger.loc[pd.Period("2025Q2")], ledger.loc[pd.Period("2025Q3")]
    assert (q2["d_net_liquidity_b"], q2["capex_b"], q2["companies"]) == pytest.approx((200, 42, 2))
    assert q2["capex_pct_of_d_net_liquidity"] == pytest.approx(21.0)  # 42 / 200
    assert q2["capex_pct_of_d_m2"] == pytest.approx(10.5)  # 42 / 400
    assert q3["capex_b"] == pytest.approx(21.0) and q3["companies"] == 1
    assert pd.isna(q3["capex_pct_of_d_net_liquidity"])  # Δ = 0.5 $B: too close to zero


# -- drain gauge ------------------------------------------------------------------------------


def weekly(values, start="2025-01-02"):
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="7D"))


def test_trailing_zscore_by_hand():
    # Window of 3 weeks (21 days: this value and the two before), at least 2 values.
    z = trailing_zscore(weekly([1.0, 2.0, 3.0, 10.0]), pd.Timedelta(weeks=3), min_obs=2)
    assert pd.isna(z.iloc[0])
    assert z.iloc[1] == pytest.approx(0.5 / np.sqrt(0.5))  # {1, 2}: mean 1.5, sd √0.5
    assert z.iloc[2] == pytest.approx(1.0)  # {1, 2, 3}: mean 2, sd 1
    # {2, 3, 10}: mean 5, sd √((9 + 4 + 25) / 2) = √19. An expanding window over {1, 2, 3, 10}
    # would give (10 − 4) / √(50/3) = 1.470: the 1 has left the window.
    assert z.iloc[3] == pytest.approx(5 / np.sqrt(19))


def test_trailing_zscore_gap_shortens_the_window_and_flat_window_has_none():
    # The window of the last value holds weeks 1-3, of which week 1 is missing: {3, 4} only,
    # mean 3.5, sd √0.5; reaching back for a third value would pull in the 1.
    z = trailing_zscore(weekly([1.0, np.nan, 3.0, 4.0]), pd.Timedelta(weeks=3), min_obs=2)
    assert z.iloc[3] == pytest.approx(0.5 / np.sqrt(0.5))
    assert pd.isna(z.iloc[1])  # a missing value has no z-score
    flat = trailing_zscore(weekly([5.0, 5.0, 5.0]), pd.Timedelta(weeks=3), min_obs=2)
    assert flat.isna().all()  # no spread: no z-score, not ±inf


def test_percent_change_sizes_a_drain_by_the_tub():
    # A $10B drain of a $1,000B tub and a $500B drain of a $50,000B tub are both −1 %.
    small = weekly([1000.0] * 13 + [990.0])
    large = weekly([50_000.0] * 13 + [49_500.0])
    assert percent_change(small).iloc[-1] == pytest.approx(-1.0)
    assert percent_change(large).iloc[-1] == pytest.approx(-1.0)
    assert percent_change(small).iloc[:13].isna().all()  # nothing 13 weeks earlier
    assert pd.isna(percent_change(weekly([0.0] * 13 + [5.0])).iloc[-1])  # no percent of 0


def tiny():
    """16 Wednesdays; the 13-week changes exist on weeks 13-15 only (publication Thursdays).

    net liquidity 1000 → 1010, 990, 1030: +1, −1, +3 %;  real yield 1.0 → 1.1, 1.3, 1.2:
    +0.1, +0.3, +0.2 pp;  HY spread 3.0 → 3.0, 3.2, 3.4: 0, +0.2, +0.4 pp;  capex 10, 30, 40 %.
    """
    weds = pd.date_range("2025-01-01", periods=16, freq="7D")
    thu = weds + pd.Timedelta(days=1)
    net = pd.Series([1000.0] * 13 + [1010.0, 990.0, 1030.0], index=weds)
    real = pd.Series([1.0, 1.0, 1.0, 1.1, 1.3, 1.2], index=thu[[0, 1, 2, 13, 14, 15]])
    hy = pd.Series([3.0, 3.0, 3.0, 3.0, 3.2, 3.4], index=thu[[0, 1, 2, 13, 14, 15]])
    capex = pd.Series([10.0, 30.0, 40.0], index=thu[13:])
    return net, real, hy, capex, thu


def tiny_gauge(net, real, hy, capex):
    return drain_gauge(net, real, hy, capex, min_obs=2, window=pd.Timedelta(weeks=10))


def test_gauge_with_and_without_capex_by_hand():
    net, real, hy, capex, thu = tiny()
    gauge = tiny_gauge(net, real, hy, capex)
    # Week 14: each component has two values, the second above the first: z = +1/√2 for all
    # but net liquidity (−1 %: z = −1/√2, signed +1/√2). Both gauges are 0.7071.
    week14 = gauge.loc[thu[14]]
    assert week14["gauge"] == pytest.approx(1 / np.sqrt(2))
    assert week14["gauge_ex_capex"] == pytest.approx(1 / np.sqrt(2))
    # Week 15: net {1, −1, 3} → z (3 − 1)/2 = 1, signed −1; real {.1, .3, .2} → 0;
    # HY {0, .2, .4} → (0.4 − 0.2)/0.2 = 1; capex {10, 30, 40}: mean 26.667,
    # sd √((16.667² + 3.333² + 13.333²)/2) = 15.275 → 0.8729.
    week15 = gauge.loc[thu[15]]
    assert week15["net_liquidity_13w"] == pytest.approx(3.0)  # percent, not $30B
    assert week15["z_capex_yoy"] == pytest.approx(13.3333 / 15.2753, abs=1e-4)
    assert week15["gauge"] == pytest.approx((-1 + 0 + 1 + 0.87287) / 4, abs=1e-5)
    assert week15["gauge_ex_capex"] == pytest.approx(0.0, abs=1e-12)  # (−1 + 0 + 1) / 3
    assert week15["contrib_capex_yoy"] == pytest.approx(0.87287 / 4, abs=1e-5)
    assert week15["contrib_ex_capex_net_liquidity_13w"] == pytest.approx(-1 / 3)
    assert (week15["components"], week15["components_ex_capex"]) == (4, 3)
    assert week15["missing"] == "" and not week15["partial"] and not week15["partial_ex_capex"]
    # Week 13: one value each, fewer than min_obs: no gauge, all four named, not "partial".
    week13 = gauge.loc[thu[13]]
    assert np.isnan(week13["gauge"]) and not week13["partial"]
    assert week13["missing"] == ",".join(COMPONENTS)


def test_stale_component_is_named_not_silently_dropped():
    net, real, hy, capex, thu = tiny()
    # The real yield's last print is week 13: on week 15 it is 14 days old (> 7).
    gauge = tiny_gauge(net, real.loc[: thu[13]], hy, capex)
    week15 = gauge.loc[thu[15]]
    assert np.isnan(week15["real_yield_13w"]) and np.isnan(week15["z_real_yield_13w"])
    assert week15["missing"] == "real_yield_13w"
    assert week15["partial"] and week15["partial_ex_capex"]
    assert week15["components"] == 3 and week15["components_ex_capex"] == 2
    # The mean of the three present, (−1 + 1 + 0.8729) / 3, marked partial; without capex
    # (−1 + 1) / 2 = 0.
    assert week15["gauge"] == pytest.approx(0.87287 / 3, abs=1e-5)
    assert week15["gauge_ex_capex"] == pytest.approx(0.0, abs=1e-12)


def test_uncovered_capex_quarter_is_missing_not_the_quarter_before():
    net, real, hy, capex, thu = tiny()
    capex.iloc[-1] = np.nan  # week 15's quarter is public but not covered
    week15 = tiny_gauge(net, real, hy, capex).loc[thu[15]]
    assert np.isnan(week15["capex_yoy"])  # not week 14's 30 %
    assert week15["missing"] == "capex_yoy"
    assert week15["partial"] and not week15["partial_ex_capex"]
    assert week15["gauge"] == pytest.approx(0.0, abs=1e-12)  # (−1 + 0 + 1) / 3
    assert week15["gauge"] == week15["gauge_ex_capex"]


def test_eras_fifty_times_apart_read_the_same():
    # 13-week changes follow +1, −1, +1, −3 % in both eras; between them the tub grows 50×
    # (13 weeks of +4,900 %). With a 4-week window and 4 values, every window inside an era holds
    # one full cycle: mean −0.5, sd √((1.5² + 0.5² + 1.5² + 2.5²)/3) = √(11/3) = 1.9149, so a
    # −3 % week has z = −2.5 / 1.9149 = −1.3056 in 2005-like and 2025-like levels alike.
    pattern = [1.0, -1.0, 1.0, -3.0]
    changes = pattern * 10 + [4900.0] * 13 + pattern * 10
    levels = [1000.0] * 13
    for change in changes:
        levels.append(levels[-13] * (1 + change / 100))
    weds = pd.date_range("2005-01-05", periods=len(levels), freq="7D")
    net = pd.Series(levels, index=weds)
    days = pd.date_range(weds[0], weds[-1] + pd.Timedelta(days=1))
    flat = pd.Series(1.0, index=days)
    gauge = drain_gauge(net, flat, flat, min_obs=4, window=pd.Timedelta(weeks=4))
    z = gauge["z_net_liquidity_13w"]
    era1 = z.iloc[13 + 3 : 13 + 40]  # windows inside era 1
    era2 = z.iloc[13 + 53 + 3 :]  # windows after the jump has left them
    for era in (era1, era2):
        drains = gauge.loc[era.index, "net_liquidity_13w"].round(9) == -3.0
        assert drains.sum() >= 9
        assert era[drains].to_numpy() == pytest.approx(-2.5 / np.sqrt(11 / 3))
    assert net.iloc[-1] / net.iloc[20] > 40  # the tub did grow ~50× in between


def test_missing_runs_by_hand():
    dates = pd.date_range("2025-01-02", periods=6, freq="7D")
    frame = pd.DataFrame(
        {
            "z_real_yield_13w": [1.0, np.nan, np.nan, 1.0, np.nan, 1.0],
            "z_capex_yoy": [1.0] * 6,
        },
        index=dates,
    )
    runs = missing_runs(frame, ["real_yield_13w", "capex_yoy"])
    assert runs.to_dict("records") == [
        {"component": "real_yield_13w", "first": dates[1], "last": dates[2], "dates": 2},
        {"component": "real_yield_13w", "first": dates[4], "last": dates[4], "dates": 1},
    ]


def synthetic(weeks=220, seed=7):
    rng = np.random.default_rng(seed)
    weds = pd.date_range("2015-01-07", periods=weeks, freq="7D")
    net = pd.Series(5000 + np.cumsum(rng.normal(0, 20, weeks)), index=weds)
    days = pd.bdate_range(weds[0] - pd.Timedelta(days=100), weds[-1] + pd.Timedelta(days=3))
    real = pd.Series(1 + np.cumsum(rng.normal(0, 0.02, len(days))), index=days)
    hy = pd.Series(4 + np.cumsum(rng.normal(0, 0.02, len(days))), index=days)
    quarters = pd.date_range("2014-05-15", weds[-1], freq="91D")
    capex = pd.Series(rng.normal(20, 10, len(quarters)), index=quarters)
    return net, real, hy, capex


def test_gauge_is_dated_when_public_and_contributions_add_up():
    net, real, hy, capex = synthetic()
    gauge = drain_gauge(net, real, hy, capex)
    assert (gauge.index == net.index + pd.Timedelta(days=1)).all()  # Thursday after the H.4.1
    ready = gauge.dropna(subset=["gauge"])
    contributions = ready[[f"contrib_{c}" for c in COMPONENTS]].sum(axis=1)
    assert contributions.to_numpy() == pytest.approx(ready["gauge"].to_numpy())
    ex = ready[[f"contrib_ex_capex_{c}" for c in EX_CAPEX]].sum(axis=1)
    assert ex.to_numpy() == pytest.approx(ready["gauge_ex_capex"].to_numpy())
    assert ready["components"].max() == 4
    # 13 weeks of change, then 104 observations before the first z-score of net liquidity.
    assert gauge["z_net_liquidity_13w"].first_valid_index() == gauge.index[13 + 103]


def test_falling_liquidity_raises_the_gauge():
    net, real, hy, _ = synthetic()
    falling = net.copy()
    falling.iloc[-13:] = falling.iloc[-14] - np.arange(1, 14) * 100  # a sharp drain at the end
    base = drain_gauge(net, real, hy)
    drained = drain_gauge(falling, real, hy)
    assert drained["contrib_net_liquidity_13w"].iloc[-1] > 0
    assert drained["gauge"].iloc[-1] > base["gauge"].iloc[-1]


def test_no_look_ahead_appending_data_changes_nothing_before():
    net, real, hy, capex = synthetic()
    cut = net.index[180]
    early = drain_gauge(
        net.loc[:cut],
        real.loc[: cut + pd.Timedelta(days=1)],
        hy.loc[: cut + pd.Timedelta(days=1)],
        capex.loc[:cut],
    )
    full = drain_gauge(net, real, hy, capex)
    pd.testing.assert_frame_equal(early, full.loc[early.index])


def test_real_yield_change_uses_the_print_of_the_publication_day():
    weds = pd.DatetimeIndex(["2025-01-01", "2025-04-02"])
    net = pd.Series([5000.0, 5100.0], index=weds)
    real = s([("2025-01-02", 1.0), ("2025-04-03", 1.5), ("2025-04-04", 9.0)])
    hy = s([("2025-01-02", 3.0), ("2025-04-03", 3.0)])
    gauge = drain_gauge(net, real, hy, min_obs=1)
    assert gauge.loc["2025-04-03", "real_yield_13w"] == pytest.approx(0.5)  # not Friday's 9.0
    # 5000 → 5100 $B is +2 % of the level 13 weeks earlier.
    assert gauge.loc["2025-04-03", "net_liquidity_13w"] == pytest.approx(2.0)
