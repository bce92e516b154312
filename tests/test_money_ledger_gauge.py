import numpy as np
import pandas as pd
import pytest

from liquidity.analytics.drain_gauge import COMPONENTS, drain_gauge, expanding_zscore
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


def test_expanding_zscore_by_hand():
    z = expanding_zscore(pd.Series([1.0, 2.0, 3.0, 4.0]), min_obs=2)
    assert pd.isna(z.iloc[0])
    assert z.iloc[1] == pytest.approx(0.5 / np.sqrt(0.5))
    assert z.iloc[2] == pytest.approx(1.0)
    assert z.iloc[3] == pytest.approx(1.5 / np.std([1, 2, 3, 4], ddof=1))


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
    assert gauge.loc["2025-04-03", "net_liquidity_13w"] == pytest.approx(100.0)
