"""The thesis scorecard on hand-built series whose verdicts are known, and on the real pack."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

from liquidity import api
from liquidity.analytics import scorecard as sc
from liquidity.analytics.divergence import liquidity_factors

SUP, NOT, INC = sc.SUPPORTED, sc.NOT_SUPPORTED, sc.INCONCLUSIVE
QUARTERS = pd.period_range("2022Q1", "2025Q4", freq="Q", name="quarter")
ASOF = pd.Timestamp("2026-03-02")  # 2025Q4 is public from 2026-02-14 (end + 45 days)


def table(values, quarters=QUARTERS) -> pd.DataFrame:
    values = np.asarray(values, dtype=float)
    return pd.DataFrame({"A": values, "B": 2 * values}, index=quarters[: len(values)])


ACCELERATING = table(100 * np.exp(0.004 * np.arange(16) ** 2))
DECELERATING = table(100 + 10 * np.arange(16))


def weds(end=ASOF, periods=60) -> pd.DatetimeIndex:
    return pd.date_range(end=end, periods=periods, freq="W-WED", name="date")


def daily(values, end=ASOF) -> pd.Series:
    return pd.Series(values, index=pd.date_range(end=end, periods=len(values), freq="D"))


# capex_accelerating


@pytest.mark.parametrize(
    "capex_table, expected",
    [(ACCELERATING, SUP), (DECELERATING, NOT), (ACCELERATING.iloc[:10], INC), (None, INC)],
)
def test_capex_accelerating(capex_table, expected):
    v = sc.capex_accelerating(capex_table, ASOF)
    assert v.verdict == expected and v.rule == sc.RULES["capex_accelerating"]
    if expected != INC:
        assert v.window_end == pd.Timestamp("2026-02-14") and v.effect is not None


def test_capex_quarter_counts_only_from_its_filing_date():
    before = sc.capex_accelerating(ACCELERATING, pd.Timestamp("2026-02-13"))
    after = sc.capex_accelerating(ACCELERATING, pd.Timestamp("2026-02-14"))
    assert before.window_end == pd.Timestamp("2025-11-14")
    assert after.window_end == pd.Timestamp("2026-02-14")


def test_a_company_reporting_ahead_is_not_the_group():
    # A and B (2/3 of the capex) report to 2025Q3; O (1/3) also has 2025Q4, public 2026-02-14.
    # On 2026-03-02 the 2025Q4 "group" would be O alone: the claim rests on 2025Q3 instead
    # (public 2025-11-14) and says that 2025Q4 is not yet covered.
    late = ACCELERATING.iloc[:-1].assign(O=ACCELERATING["A"])
    late.loc[QUARTERS[-1]] = [np.nan, np.nan, 1e6]
    v = sc.capex_accelerating(late, ASOF)
    assert v.window_end == pd.Timestamp("2025-11-14")
    assert v.coverage.startswith("2025Q3: 3 companies (A, B, O), 100% of base capex")
    assert "2025Q4 not yet covered" in v.coverage and v.n == 3


def test_no_covered_quarter_within_200_days_is_inconclusive():
    # B (2/3 of the capex) stops after 2024Q4; A alone has 2025Q1-Q4 but holds 1/3 < 80%. The
    # last covered quarter, 2024Q4, became public 2025-02-14: 381 days before ASOF (> 200).
    stale = ACCELERATING.copy()
    stale.loc[QUARTERS[-4] :, "B"] = np.nan
    v = sc.capex_accelerating(stale, ASOF)
    assert v.verdict == INC and v.data_end == pd.Timestamp("2025-02-14")
    assert v.reason == "the latest covered quarter, 2024Q4, is older than 200 days"


# capex_outruns_cash


def test_capex_outruns_cash():
    flat = table(np.full(16, 100.0))
    assert sc.capex_outruns_cash(ACCELERATING, flat, ASOF).verdict == SUP
    v = sc.capex_outruns_cash(flat, ACCELERATING, ASOF)
    assert v.verdict == NOT and v.effect < 0
    assert v.window_start == pd.Timestamp("2024-01-01")
    assert sc.capex_outruns_cash(ACCELERATING.iloc[:7], flat, ASOF).verdict == INC
    assert sc.capex_outruns_cash(ACCELERATING, None, ASOF).verdict == INC


def test_capex_outruns_cash_effect_on_paper():
    capex = table([1.0] * 4 + [2.0] * 4, QUARTERS[-8:])
    ocf = table([2.0] * 8, QUARTERS[-8:])
    v = sc.capex_outruns_cash(capex, ocf, ASOF)
    assert v.verdict == SUP and v.effect == pytest.approx(50.0)  # 100% − 50% of OCF


def test_a_company_a_quarter_ahead_does_not_shrink_the_group_to_itself():
    # A and B report 2024Q1-2025Q4 (capex 1 then 2, OCF 2); C also has 2026Q1 but only from
    # 2024Q2. Known on 2026-06-01, 2026Q1 alone would leave C as the group; 2025Q4 keeps A and B.
    capex = table([1.0] * 4 + [2.0] * 4, QUARTERS[-8:])
    ocf = table([2.0] * 8, QUARTERS[-8:])
    ahead = pd.period_range("2024Q2", "2026Q1", freq="Q", name="quarter")
    ocf = ocf.join(pd.Series(1.0, index=ahead, name="C"), how="outer")
    # A and B spend 3 × (4 × 1 + 4 × 2) = 36 in 2024Q1-2025Q4; a big C (9 a quarter, 7 of those
    # quarters = 63) leaves them 36/99 = 36% of it: too little to stand for the group.
    big = sc.capex_outruns_cash(
        capex.join(pd.Series(9.0, index=ahead, name="C"), how="outer"), ocf, "2026-06-01"
    )
    assert big.verdict == INC and big.reason.startswith(
        "companies reporting all 8 quarters hold 36%"
    )
    # A small C (0.5 a quarter, 3.5 in the window): A and B hold 36/39.5 = 91%.
    capex = capex.join(pd.Series(0.5, index=ahead, name="C"), how="outer")
    v = sc.capex_outruns_cash(capex, ocf, "2026-06-01")
    assert v.verdict == SUP and v.effect == pytest.approx(50.0)  # A and B only, as on paper
    assert v.coverage.startswith("2/3 companies (A, B) in all 8 quarters 2024Q1–2025Q4, 91%")
    assert v.window_start == pd.Timestamp("2024-01-01")
    assert v.window_end == pd.Timestamp("2026-02-14")  # 2025Q4's end + 45 days
    trend = sc.trends({"capex_table": capex, "ocf_table": ocf}, "2026-06-01")
    assert trend["capex_outruns_cash"].round(6).tolist() == [50.0, 62.5, 75.0, 87.5, 100.0]


# tub_draining


def test_tub_draining():
    falling = pd.Series(np.linspace(6000, 5000, 60), index=weds(ASOF - pd.Timedelta(days=1)))
    v = sc.tub_draining(falling, ACCELERATING, ASOF)
    assert v.verdict == SUP and v.effect < 0
    assert v.window_end <= ASOF
    assert sc.tub_draining(falling[::-1].set_axis(falling.index), ACCELERATING, ASOF).verdict == NOT
    shrinking = table(100 - np.arange(16))
    assert sc.tub_draining(falling, shrinking, ASOF).verdict == NOT
    stale = falling.iloc[:-5]
    assert sc.tub_draining(stale, ACCELERATING, ASOF).verdict == INC
    assert sc.tub_draining(falling, None, ASOF).verdict == INC


def test_tub_draining_waits_for_the_h41():
    # A steady drain of 10 $B a week, then a +1,000 $B jump in the 2026-02-25 print, which is
    # public on the 26th: the drain holds until then, and the jump counts only from that day.
    net = pd.Series(5000.0 - 10.0 * np.arange(60), index=weds(pd.Timestamp("2026-02-25")))
    net.iloc[-1] += 1000.0
    before = sc.tub_draining(net, ACCELERATING, pd.Timestamp("2026-02-25"))
    assert before.verdict == SUP and before.effect == pytest.approx(-130.0)
    after = sc.tub_draining(net, ACCELERATING, pd.Timestamp("2026-02-26"))
    assert after.verdict != SUP and after.effect == pytest.approx(
        -120.0 + 990.0
    )  # 12 × −10, then −10 + 1,000


def test_tub_draining_names_the_part_that_drained_and_gives_an_interval():
    # 14 Wednesdays; WALCL flat at 7,000, the TGA rises 10 $B a week, RRP flat at 5: net
    # liquidity falls 10 a week, so the 13-week change is −130 with every weekly change −10
    # and the block-bootstrap interval is exactly (−130, −130).
    days = weds(ASOF - pd.Timedelta(days=6), 14)
    tga = pd.Series(500.0 + 10.0 * np.arange(14), index=days)
    parts = pd.DataFrame({"walcl_b": 7000.0, "tga_b": tga, "rrp_b": 5.0}, index=days)
    net = parts["walcl_b"] - parts["tga_b"] - parts["rrp_b"]
    v = sc.tub_draining(net, ACCELERATING, ASOF, parts)
    assert v.verdict == SUP and v.effect == pytest.approx(-130.0)
    assert (v.ci_low, v.ci_high) == pytest.approx((-130.0, -130.0)) and v.n == 13
    assert "Treasury account -130, Fed assets +0, RRP +0" in v.unit
    assert v.coverage == f"14/14 Wednesdays {days[0]:%Y-%m-%d}–{days[-1]:%Y-%m-%d}"


def test_tub_draining_with_a_missing_week_names_it():
    net = pd.Series(np.linspace(6000, 5000, 60), index=weds(ASOF - pd.Timedelta(days=1)))
    gap = net.index[-5]
    v = sc.tub_draining(net.drop(gap), ACCELERATING, ASOF)
    assert v.verdict == INC and v.reason == f"no print {gap:%Y-%m-%d}"


def test_tub_draining_interval_including_zero_is_inconclusive():
    # Weekly changes alternate +100 and −100 with a net −100 over 13 weeks: the drift's
    # interval spans zero.
    steps = np.array([100.0, -100.0] * 6 + [-100.0])
    values = 5000 + np.concatenate([[0.0], np.cumsum(steps)])
    net = pd.Series(values, index=weds(ASOF - pd.Timedelta(days=6), 14))
    v = sc.tub_draining(net, ACCELERATING, ASOF)
    assert v.effect == pytest.approx(-100.0) and v.ci_low < 0 < v.ci_high
    assert v.verdict == INC


# reserve_scarcity


def test_reserve_scarcity_on_paper():
    # Two years at 0 bp, the last four weeks at +10 bp: the 4-week mean − median is 10 bp and
    # every bootstrap draw of the recent mean is 10, so the interval is (10, 10).
    v = sc.reserve_scarcity(funding_spreads(10.0), ASOF)
    assert v.verdict == SUP and v.effect == pytest.approx(10.0)
    assert (v.ci_low, v.ci_high) == pytest.approx((10.0, 10.0))
    assert v.n == 20  # business days from 2026-02-03 to 2026-03-02
    assert sc.reserve_scarcity(funding_spreads(-5.0), ASOF).verdict == NOT
    no_effr = funding_spreads(10.0).assign(EFFR_IORB=np.nan)
    assert sc.reserve_scarcity(no_effr, ASOF).verdict == INC


def test_reserve_scarcity_names_a_stopped_series():
    stopped = funding_spreads(10.0).loc[:"2026-02-10"]
    v = sc.reserve_scarcity(stopped, ASOF)
    assert v.verdict == INC and v.reason == "SOFR − IORB ends 2026-02-10"
    assert sc.reserve_scarcity(None, ASOF).reason.startswith("SOFR − IORB not in the data")


# money_dearer


def test_money_dearer():
    up, down = daily(np.linspace(1, 2, 200)), daily(np.linspace(2, 1, 200))
    v = sc.money_dearer(up, up, ASOF)
    assert v.verdict == SUP and v.effect > 0
    assert sc.money_dearer(down, down, ASOF).verdict == NOT
    assert sc.money_dearer(up, down, ASOF).verdict == INC
    stale = sc.money_dearer(up.iloc[:20], up, ASOF)  # day 20 of 200 ending ASOF: 2025-09-03
    assert stale.verdict == INC and stale.reason == "10-year real yield ends 2025-09-03"
    assert stale.data_end == pd.Timestamp("2025-09-03")


# divergence


def test_divergence():
    rising, flat = daily(np.exp(np.linspace(0, 1, 400))), daily(np.full(400, 100.0))
    v = sc.divergence(rising, flat, ASOF)
    assert v.verdict == SUP and v.effect > 0
    assert v.window_start == ASOF - pd.DateOffset(months=6)
    assert sc.divergence(flat, rising, ASOF).verdict == NOT
    assert sc.divergence(rising.iloc[-100:], flat, ASOF).verdict == INC


def test_divergence_needs_two_thirds_of_each_basket_on_the_day():
    # Memory members M1-M3 trade all 400 days but M2 and M3 stop 30 days before ASOF: on the
    # as-of close the basket holds 1 of 3 (< 2/3) and the verdict waits; the speculative basket
    # keeps 2 of 3 (= 2/3), which is enough.
    rising, flat = daily(np.exp(np.linspace(0, 1, 400))), daily(np.full(400, 100.0))
    days = rising.index
    memory = pd.DataFrame({"M1": True, "M2": days < ASOF - pd.Timedelta(days=30)}, index=days)
    memory["M3"] = memory["M2"]
    spec = pd.DataFrame({"S1": True, "S2": True, "S3": days < ASOF - pd.Timedelta(days=30)},
                        index=days)  # fmt: skip
    v = sc.divergence(rising, flat, ASOF, {"memory": memory, "speculative": spec})
    assert v.verdict == INC
    assert v.reason == (
        "the memory basket holds 1 of 3 members on 2026-03-02 (M2, M3 not in the data)"
    )
    assert v.coverage.startswith("memory 1/3, speculative 2/3 members")
    ok = sc.divergence(rising, flat, ASOF, {"memory": spec, "speculative": spec}, {"K": "won"})
    assert ok.verdict == SUP and ok.coverage.endswith("; excluded: K (won)")


def test_divergence_needs_both_horizons():
    # Memory wins over 6 months but loses over the last 3.
    t = np.arange(400)
    memory = daily(np.where(t < 330, 100 + t, 430 - (t - 330)))
    assert sc.divergence(memory, daily(np.full(400, 100.0)), ASOF).verdict == NOT


# liquidity_sensitivity


def sensitivity_inputs(spec_beta, memory_beta, n=104, noise=0.002, market_beta=1.0):
    """Weekly returns: each basket = beta × Δ net liquidity + its market beta × the market +
    noise; the real-yield factor is independent noise."""
    rng = np.random.default_rng(7)
    index = weds(ASOF, n)
    factors = pd.DataFrame(
        {"d_net_liquidity_b": rng.normal(0, 50, n), "d_real_yield": rng.normal(0, 0.1, n)},
        index=index,
    )
    market = pd.Series(rng.normal(0, 0.02, n), index=index)
    d = factors["d_net_liquidity_b"]
    spec = spec_beta * d + market_beta * market + rng.normal(0, noise, n)
    memory = memory_beta * d + rng.normal(0, noise, n)
    return spec, memory, factors, market


def sensitivity(spec, memory, factors, market, asof=ASOF):
    return sc.liquidity_sensitivity(spec, memory, factors, asof, market_weekly=market)


def test_liquidity_sensitivity():
    # Speculative beta 2e-4 per $1B, memory 0: the gap is 2e-4 × 1e4 = 2.0 % per $100B.
    v = sensitivity(*sensitivity_inputs(2e-4, 0.0))
    assert v.verdict == SUP and v.effect == pytest.approx(2.0, abs=0.1)
    assert v.ci_low < 2.0 < v.ci_high and v.n == 104
    assert sensitivity(*sensitivity_inputs(0.0, 2e-4)).verdict == NOT
    same = sensitivity_inputs(1e-4, 1e-4, noise=0.05)
    assert sensitivity(*same).verdict == INC
    short = sensitivity_inputs(2e-4, 0.0, n=40)
    v = sensitivity(*short)
    assert v.verdict == INC and v.reason == "40 complete weeks (< 52)"


def test_liquidity_sensitivity_is_one_regression_with_the_market_control():
    # The speculative basket loads on the market (beta 1), memory does not; with the market
    # in the regression the liquidity gap is still 2.0, and without market data there is no
    # verdict rather than one that is mostly market beta.
    spec, memory, factors, market = sensitivity_inputs(2e-4, 0.0, market_beta=3.0)
    assert sensitivity(spec, memory, factors, market).effect == pytest.approx(2.0, abs=0.15)
    v = sc.liquidity_sensitivity(spec, memory, factors, ASOF)
    assert v.verdict == INC and "S&P 500" in v.reason


# leverage_flushes


def flush_inputs(weight_in_draining: float, weeks: int = 60):
    end = pd.Timestamp("2026-02-25")
    # A drain of 60 $B a week with ±100 $B swings: most weeks drain, some do not.
    t = np.arange(weeks + 3)
    net = pd.Series(5000 - 60 * t + 100 * np.sin(t), index=weeks_ending(end, weeks + 3))
    opens = weeks_ending(end - pd.Timedelta(days=7), weeks)
    change = liquidity_factors(net, pd.Series(dtype=float, index=pd.DatetimeIndex([])), opens)
    change = change["d_net_liquidity_b"]
    days = pd.date_range(opens[0], end - pd.Timedelta(days=1), freq="D")
    week_open = opens[opens.searchsorted(days, side="right") - 1]
    values = np.where(change.reindex(week_open).to_numpy() < 0, weight_in_draining, 1.0)
    buckets = pd.DataFrame({"total_usd": values}, index=days.tz_localize("UTC"))
    return buckets, net


def weeks_ending(end, n):
    return pd.date_range(end=end, periods=n, freq="W-WED")


DAY = pd.Timedelta("1D")  # flush_inputs' buckets are daily


def test_leverage_flushes():
    v = sc.leverage_flushes(*flush_inputs(5.0), ASOF, bucket=DAY)
    assert v.verdict == SUP and v.effect > sc.FLUSH_RATIO
    v = sc.leverage_flushes(*flush_inputs(1.0), ASOF, bucket=DAY)
    assert v.verdict == NOT and v.effect == pytest.approx(1.0)
    assert sc.leverage_flushes(*flush_inputs(5.0, weeks=15), ASOF, bucket=DAY).verdict == INC
    assert sc.leverage_flushes(None, flush_inputs(5.0)[1], ASOF, bucket=DAY).verdict == INC


# scorecard and look-ahead


def funding_spreads(recent_bp: float, end=ASOF) -> pd.DataFrame:
    """Business-day SOFR − IORB and EFFR − IORB: 0 bp for two years, `recent_bp` in the last
    four weeks."""
    days = pd.bdate_range(end=end, periods=600)
    values = np.where(days > end - pd.Timedelta(days=28), recent_bp, 0.0)
    return pd.DataFrame({"SOFR_IORB": values, "EFFR_IORB": values}, index=days)


def supply_table(treasury, hyperscalers, reserves_change, companies=5) -> pd.DataFrame:
    """Quarters 2025Q1–2025Q4 in `duration_supply.COLUMNS`, $ billions."""
    quarters = pd.period_range("2025Q1", periods=4, freq="Q", name="quarter")
    treasury = pd.Series(treasury, index=quarters, dtype="float64")
    hyperscalers = pd.Series(hyperscalers, index=quarters, dtype="float64")
    return pd.DataFrame(
        {
            "treasury_settled_b": treasury + 1000.0,
            "treasury_unsized": 0,
            "treasury_matured_b": 1000.0,
            "treasury_net_b": treasury,
            "treasury_note": ["" if pd.notna(v) else "no auction data" for v in treasury],
            "hyperscaler_b": hyperscalers,
            "companies": companies,
            "hyperscalers": 5,
            "supply_b": treasury + hyperscalers,
            "d_reserves_b": pd.Series(reserves_change, index=quarters, dtype="float64"),
            "d_net_liquidity_b": 0.0,
        },
        index=quarters,
    )


# Supply 300, 320, 350, 420 $B (Treasury 250, 260, 280, 330 + hyperscalers 50, 60, 70, 90);
# reserves fall 40 $B over 2025Q4.
RISING_SUPPLY = supply_table([250, 260, 280, 330], [50, 60, 70, 90], [10, -5, 20, -40])


def all_inputs() -> dict:
    spec_w, memory_w, factors, market = sensitivity_inputs(2e-4, 0.0)
    buckets, net = flush_inputs(5.0)
    return {
        "market_weekly": market,
        "funding_spreads_bp": funding_spreads(10.0),
        "capex_table": ACCELERATING,
        "ocf_table": table(np.full(16, 100.0)),
        "net_weekly_b": net,
        "real_yield_daily": daily(np.linspace(1, 2, 400)),
        "hy_daily": daily(np.linspace(3, 4, 400)),
        "memory_level": daily(np.exp(np.linspace(0, 1, 400))),
        "spec_level": daily(np.full(400, 100.0)),
        "spec_weekly": spec_w,
        "memory_weekly": memory_w,
        "factors": factors,
        "liquidation_buckets": buckets,
        "liquidation_bucket": DAY,
        "duration_supply": RISING_SUPPLY,
    }


def test_supply_channel_on_paper():
    verdict = sc.supply_channel(RISING_SUPPLY, ASOF)
    # 2025Q4 is public from 2025-12-31 + 45 days = 2026-02-14 ≤ ASOF: supply 350 → 420 $B
    # (+70), reserves −40 $B over the quarter: supported.
    assert verdict.verdict == "supported" and verdict.effect == pytest.approx(70.0)
    assert verdict.window_start == pd.Timestamp("2025-07-01")
    assert verdict.data_end == pd.Timestamp("2026-02-14")
    assert "Treasury net 330 $B, hyperscalers 90 $B (5/5 companies)" in verdict.coverage
    assert verdict.trend.tolist() == [300.0, 320.0, 350.0, 420.0]
    # On 2026-02-13 2025Q4 is not public yet: 2025Q2 → 2025Q3, 320 → 350 with reserves +20.
    earlier = sc.supply_channel(RISING_SUPPLY, "2026-02-13")
    assert earlier.verdict == "not supported" and earlier.effect == pytest.approx(30.0)


def test_supply_channel_falling_supply_is_not_supported():
    falling = supply_table([250, 260, 300, 250], [50, 60, 70, 60], [0, 0, 0, -40])
    verdict = sc.supply_channel(falling, ASOF)
    assert verdict.verdict == "not supported" and verdict.effect == pytest.approx(-60.0)


@pytest.mark.parametrize(
    "table, reason",
    [
        (supply_table([250, 260, 280, None], [50, 60, 70, 90], [0, 0, 0, -40]), "Treasury net"),
        (supply_table([250, 260, 280, 330], [50, 60, None, 90], [0, 0, 0, -40]), "2025Q3"),
        (supply_table([250, 260, 280, 330], [50, 60, 70, 90], [0, 0, 0, None]), "WRESBAL"),
    ],
)
def test_supply_channel_missing_inputs_are_inconclusive(table, reason):
    verdict = sc.supply_channel(table, ASOF)
    assert verdict.verdict == "inconclusive" and reason in verdict.reason


def test_scorecard_has_one_row_per_claim():
    frame = sc.scorecard(all_inputs(), ASOF)
    assert list(frame.columns) == sc.COLUMNS and len(frame) == len(sc.CLAIMS)
    assert set(frame["verdict"]) <= set(sc.VERDICTS)
    assert frame["rule"].str.len().gt(20).all()
    assert (frame["verdict"] != INC).all()
    empty = sc.scorecard({}, ASOF)
    assert (empty["verdict"] == INC).all() and len(empty) == len(sc.CLAIMS)


def with_future(obj):
    """The same input with wild rows appended after ASOF (or after its last quarter)."""
    if not isinstance(obj, pd.Series | pd.DataFrame):
        return obj  # a parameter such as the bucket width or a label, not data
    if isinstance(obj.index, pd.PeriodIndex):
        later = pd.period_range(obj.index[-1] + 1, periods=4, freq="Q", name=obj.index.name)
        return pd.concat([obj, pd.DataFrame(1e6, index=later, columns=obj.columns)])
    tz = obj.index.tz
    start = ASOF + pd.Timedelta(days=1)
    later = pd.date_range(start.tz_localize(tz) if tz else start, periods=30, freq="D")
    if isinstance(obj, pd.Series):
        return pd.concat([obj, pd.Series(-1e4, index=later)])
    return pd.concat([obj, pd.DataFrame(-1e4, index=later, columns=obj.columns)])


def test_appending_future_rows_changes_no_verdict():
    inputs = all_inputs()
    before = sc.scorecard(inputs, ASOF)
    after = sc.scorecard({k: with_future(v) for k, v in inputs.items()}, ASOF)
    pd.testing.assert_frame_equal(before, after)


def test_trends_use_no_later_data_and_cover_every_claim():
    inputs = all_inputs()
    before = sc.trends(inputs, ASOF)
    after = sc.trends({k: with_future(v) for k, v in inputs.items()}, ASOF)
    assert list(before) == list(sc.CLAIMS) == list(sc.TRENDS)
    for key in sc.CLAIMS:
        assert len(before[key]) >= 2, key
        assert before[key].index.max() <= ASOF, key
        pd.testing.assert_series_equal(
            before[key], after[key], check_names=False, check_freq=False, obj=key
        )
    assert all(s.empty for s in sc.trends({}, ASOF).values())


def test_trends_on_paper():
    inputs = all_inputs()
    trends = sc.trends(inputs, ASOF)
    # OCF is 100 a quarter for A and 200 for B, capex is ACCELERATING (A) and twice it (B):
    # the last point is 4 quarters of capex over 4 quarters of OCF, 2025Q4 public 2026-02-14.
    capex4 = ACCELERATING["A"].iloc[-4:].sum()
    assert trends["capex_outruns_cash"].iloc[-1] == pytest.approx(100 * 3 * capex4 / 1200)
    assert trends["capex_outruns_cash"].index[-1] == pd.Timestamp("2026-02-14")
    # Net liquidity: the last 27 prints, indexed by the day after each Wednesday.
    net = trends["tub_draining"]
    assert len(net) == sc.TREND_WEEKS + 1 and net.iloc[-1] == inputs["net_weekly_b"].iloc[-1]
    assert net.index[-1] == inputs["net_weekly_b"].index[-1] + pd.Timedelta(days=1)
    # Memory ÷ speculative rebased to 100 six months before ASOF.
    ratio = trends["divergence"]
    assert ratio.iloc[0] == pytest.approx(100.0) and ratio.index[0] >= ASOF - pd.DateOffset(
        months=6
    )
    memory = inputs["memory_level"]
    expected = 100 * memory.loc[ASOF] / memory.loc[ratio.index[0]]
    assert ratio.iloc[-1] == pytest.approx(expected)
    # Liquidations: whole Wednesday-to-Wednesday weeks of daily buckets (5 a day in draining
    # weeks, 1 otherwise), in $ millions.
    weekly = trends["leverage_flushes"]
    assert set((weekly * 1e6).round(9)) == {35.0, 7.0}
    assert (weekly.index.day_of_week == 2).all() and len(weekly) == sc.TREND_WEEKS


def test_history_dates_are_month_ends_events_and_the_asof_date():
    dates = sc.history_dates("2024-06-15", months=2, extra=["2024-05-10", "2024-07-01"])
    expected = ["2024-03-31", "2024-04-30", "2024-05-10", "2024-05-31", "2024-06-15"]
    assert list(dates) == list(pd.to_datetime(expected))  # 2024-07-01 is after the as-of date


def test_history_is_the_scorecard_replayed_at_each_date():
    inputs = all_inputs()
    dates = pd.to_datetime(["2025-06-30", "2025-12-31", ASOF])
    history = sc.scorecard_history(inputs, dates)
    assert list(history.columns) == list(sc.CLAIMS) and list(history.index) == list(dates)
    for date in dates:
        assert history.loc[date].to_list() == sc.scorecard(inputs, date)["verdict"].to_list()
    # ACCELERATING's 2025Q4 is public from 2026-02-14; at the end of 2025 it was not yet.
    assert history.loc[ASOF, "capex_accelerating"] == SUP


@pytest.mark.pack
def test_load_scorecard_on_the_real_pack(real_pack, tmp_path):
    from liquidity.data.pack import DataPack
    from liquidity.data.provenance import Library
    from liquidity.data.store import Store

    library = Library(Store(tmp_path / "home"), DataPack(real_pack))
    frame = api.load_scorecard(library=library)
    assert list(frame.columns) == sc.COLUMNS and len(frame) == len(sc.CLAIMS)
    assert frame["verdict"].isin(sc.VERDICTS).all()
    earlier = api.load_scorecard("2025-06-30", library=library)
    assert len(earlier) == len(sc.CLAIMS) and (earlier["window_end"].dropna() <= "2025-06-30").all()


@pytest.mark.pack
def test_cli_scorecard_prints_every_claim(real_pack, tmp_path, capsys):
    from liquidity.cli import main
    from liquidity.data.pack import DataPack
    from liquidity.data.provenance import Library
    from liquidity.data.store import Store

    library = Library(Store(tmp_path), DataPack(real_pack))
    assert main(["scorecard", "--as-of", "2025-12-31"], library=library) == 0
    lines = capsys.readouterr().out.splitlines()
    header = "claim,verdict,effect,unit,ci_low,ci_high,n,window_start,window_end,coverage,"
    assert lines[0] == header + "data_end,basis,reason,rule"
    assert len(lines) == 1 + len(sc.CLAIMS)
    rows = {r["claim"]: r for r in csv.DictReader(lines)}
    # The pack has SEC facts with filing dates, hand-compiled quarters before 2018 and no FRED
    # vintages: the capex claim says so, the tub claim names both of its inputs' bases.
    capex_basis = rows[sc.CLAIMS["capex_accelerating"]]["basis"]
    assert capex_basis.startswith("capex: point-in-time (SEC filing dates); ")
    assert "public from quarter end + 45 days" in capex_basis
    assert rows[sc.CLAIMS["tub_draining"]]["basis"].startswith(
        "net liquidity: revised data cut at the as-of date (no vintages stored); capex: "
    )
    assert main(["scorecard", "--as-of", "2025-02-30"], library=library) == 2


def test_placebo_flags_a_test_that_finds_the_thesis_before_the_ai_cycle():
    # Capex that accelerates every quarter from 2013 on: the capex claim is supported at every
    # 2017–2019 quarter-end, far above the quarter of dates that flags it. Without liquidity
    # data the tub claim is inconclusive at all 12 and is not flagged.
    quarters = pd.period_range("2013Q1", "2019Q4", freq="Q", name="quarter")
    capex = table(100 * np.exp(0.004 * np.arange(len(quarters)) ** 2), quarters)
    result = sc.placebo({"capex_table": capex})
    assert list(result.index) == list(sc.CLAIMS)
    row = result.loc["capex_accelerating"]
    assert (row["supported"], row["not_supported"], row["inconclusive"]) == (12, 0, 0)
    assert bool(row["flagged"]) is True
    assert result.loc["tub_draining", "inconclusive"] == 12
    assert not result.loc["tub_draining", "flagged"]


@pytest.mark.pack
def test_no_verdict_of_the_last_24_months_rests_on_data_that_are_not_there(real_pack, tmp_path):
    from liquidity.data.pack import DataPack
    from liquidity.data.provenance import Library
    from liquidity.data.store import Store

    library = Library(Store(tmp_path / "home"), DataPack(real_pack))
    inputs, asof = api.scorecard_inputs(None, library)
    for date in sc.history_dates(asof, 24):
        for key, v in zip(sc.CLAIMS, sc.evaluate(inputs, date), strict=True):
            where = (f"{date:%Y-%m-%d}", key)
            if v.verdict == INC:
                assert v.reason, where  # an inconclusive card says why
                continue
            # A verdict names what it covers and ends on data that exist at that date.
            assert v.coverage and v.data_end is not None and v.data_end <= date, where
            assert v.window_end is None or v.window_end <= date, where
            if key == "leverage_flushes":  # no week after the last liquidation bucket
                assert v.window_end <= v.data_end, where
            if key in ("money_dearer", "reserve_scarcity", "divergence"):  # daily: fresh
                assert date - v.data_end <= sc.MAX_CARRY, where
            if key == "capex_accelerating":  # a panel holding ≥ 80% of the base capex
                share = int(v.coverage.split("%")[0].rsplit(" ", 1)[-1])
                assert share >= 80, where


@pytest.mark.pack
def test_the_latest_verdicts_on_the_pack_worked_by_hand(real_pack, tmp_path):
    from liquidity.data.pack import DataPack
    from liquidity.data.provenance import Library
    from liquidity.data.store import Store

    library = Library(Store(tmp_path / "home"), DataPack(real_pack))
    frame = api.load_scorecard("2026-08-27", library=library).set_index("claim")
    # Capex ($B per quarter, the five companies summed from the capex page's table):
    # TTM 2024Q1 = 35.3 + 38.3 + 44.0 + 46.0 = 163.6; TTM 2025Q1 = 55.7 + 61.2 + 76.3 + 77.7 =
    # 270.9; TTM 2026Q1 = 97.3 + 105.8 + 130.7 + 148.4 = 482.2. Growth 482.2/270.9 − 1 = 78.0 %
    # now and 270.9/163.6 − 1 = 65.6 % a year earlier: +12.4 pp, all five covering 100%.
    capex_row = frame.loc[sc.CLAIMS["capex_accelerating"]]
    assert capex_row["verdict"] == SUP and capex_row["effect"] == pytest.approx(12.4, abs=0.1)
    assert capex_row["coverage"].startswith("2026Q1: 5 companies")
    # Net liquidity from the FRED CSVs: 2026-05-27 6,704,383 − 842,660 $M − 1.853 $B = 5,859.870
    # and 2026-08-26 6,730,912 − 959,435 $M − 0.702 $B = 5,770.775: −89.095 $B in 13 weeks, of
    # which Fed assets +26.5, Treasury account −116.8 (it rose) and RRP +1.2.
    tub = frame.loc[sc.CLAIMS["tub_draining"]]
    assert tub["effect"] == pytest.approx(-89.095)
    assert "Treasury account -117, RRP +1, Fed assets +27" in tub["unit"]
    assert tub["ci_low"] < 0 < tub["ci_high"] and tub["verdict"] == INC  # a drift within noise
    # DFII10 in the pack ends 2026-07-28, 30 days before the as-of date.
    money = frame.loc[sc.CLAIMS["money_dearer"]]
    assert money["verdict"] == INC and money["reason"] == "10-year real yield ends 2026-07-28"


def test_each_claim_states_the_basis_of_the_inputs_it_reads():
    basis = {"capex": "point-in-time (SEC filing dates)", "net liquidity": "cut at date"}
    frame = sc.scorecard(all_inputs() | {"basis": basis}, ASOF).set_index("claim")["basis"]
    assert frame[sc.CLAIMS["capex_accelerating"]] == "capex: point-in-time (SEC filing dates)"
    assert frame[sc.CLAIMS["tub_draining"]] == (
        "net liquidity: cut at date; capex: point-in-time (SEC filing dates)"
    )
    assert frame[sc.CLAIMS["divergence"]] == ""  # no basis given for prices


def test_a_capex_quarter_filed_late_is_absent_until_its_filing():
    # Versions for two companies: B's 2025Q1 is filed on 2025-07-01, 91 days after its end
    # (end + 45 days would be 2025-05-15); A restates 2024Q4 from 10 to 12 on 2025-05-01.
    versions = pd.DataFrame(
        {
            "quarter": pd.PeriodIndex(["2024Q4", "2024Q4", "2025Q1", "2025Q1"], freq="Q"),
            "ticker": ["A", "A", "A", "B"],
            "known": pd.to_datetime(["2025-02-01", "2025-05-01", "2025-04-30", "2025-07-01"]),
            "value_usd": [10.0, 12.0, 20.0, 30.0],
            "basis": "filing date",
        }
    )
    may = sc.known_quarters(versions, pd.Timestamp("2025-05-20"))
    assert may.to_dict() == {"A": {pd.Period("2024Q4", "Q"): 12.0, pd.Period("2025Q1", "Q"): 20.0}}
    april = sc.known_quarters(versions, pd.Timestamp("2025-04-30"))
    assert april["A"].to_dict() == {pd.Period("2024Q4", "Q"): 10.0, pd.Period("2025Q1", "Q"): 20.0}
    july = sc.known_quarters(versions, pd.Timestamp("2025-07-01"))
    assert july.loc[pd.Period("2025Q1", "Q"), "B"] == 30.0
