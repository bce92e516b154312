"""The thesis scorecard on hand-built series whose verdicts are known, and on the real pack."""

from __future__ import annotations

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
    capex = capex.join(pd.Series(9.0, index=ahead, name="C"), how="outer")
    ocf = ocf.join(pd.Series(1.0, index=ahead, name="C"), how="outer")
    v = sc.capex_outruns_cash(capex, ocf, "2026-06-01")
    assert v.verdict == SUP and v.effect == pytest.approx(50.0)  # A and B only, as on paper
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
    net = pd.Series(5000.0, index=weds(pd.Timestamp("2026-02-25")))
    net.iloc[-1] = 4000.0  # the Wednesday 2026-02-25 print, public on the 26th
    assert sc.tub_draining(net, ACCELERATING, pd.Timestamp("2026-02-25")).verdict == NOT
    assert sc.tub_draining(net, ACCELERATING, pd.Timestamp("2026-02-26")).verdict == SUP


# money_dearer


def test_money_dearer():
    up, down = daily(np.linspace(1, 2, 200)), daily(np.linspace(2, 1, 200))
    v = sc.money_dearer(up, up, ASOF)
    assert v.verdict == SUP and v.effect > 0
    assert sc.money_dearer(down, down, ASOF).verdict == NOT
    assert sc.money_dearer(up, down, ASOF).verdict == INC
    assert sc.money_dearer(up.iloc[:20], up, ASOF).verdict == INC  # stale


# divergence


def test_divergence():
    rising, flat = daily(np.exp(np.linspace(0, 1, 400))), daily(np.full(400, 100.0))
    v = sc.divergence(rising, flat, ASOF)
    assert v.verdict == SUP and v.effect > 0
    assert v.window_start == ASOF - pd.DateOffset(months=6)
    assert sc.divergence(flat, rising, ASOF).verdict == NOT
    assert sc.divergence(rising.iloc[-100:], flat, ASOF).verdict == INC


def test_divergence_needs_both_horizons():
    # Memory wins over 6 months but loses over the last 3.
    t = np.arange(400)
    memory = daily(np.where(t < 330, 100 + t, 430 - (t - 330)))
    assert sc.divergence(memory, daily(np.full(400, 100.0)), ASOF).verdict == NOT


# liquidity_sensitivity


def sensitivity_inputs(spec_beta, memory_beta, n=104, noise=0.002):
    rng = np.random.default_rng(7)
    index = weds(ASOF, n)
    factors = pd.DataFrame({"d_net_liquidity_b": rng.normal(0, 50, n)}, index=index)
    d = factors["d_net_liquidity_b"]
    spec = spec_beta * d + rng.normal(0, noise, n)
    memory = memory_beta * d + rng.normal(0, noise, n)
    return spec, memory, factors


def test_liquidity_sensitivity():
    v = sc.liquidity_sensitivity(*sensitivity_inputs(2e-4, 0.0), ASOF)
    assert v.verdict == SUP and v.effect == pytest.approx(2.0, abs=0.1)
    assert sc.liquidity_sensitivity(*sensitivity_inputs(0.0, 2e-4), ASOF).verdict == NOT
    same = sensitivity_inputs(1e-4, 1e-4, noise=0.05)
    assert sc.liquidity_sensitivity(*same, ASOF).verdict == INC
    short = sensitivity_inputs(2e-4, 0.0, n=40)
    assert sc.liquidity_sensitivity(*short, ASOF).verdict == INC


# leverage_flushes


def flush_inputs(weight_in_draining: float, weeks: int = 60):
    end = pd.Timestamp("2026-02-25")
    net = pd.Series(5000 + 100 * np.sin(np.arange(weeks + 3)), index=weeks_ending(end, weeks + 3))
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


def all_inputs() -> dict:
    spec_w, memory_w, factors = sensitivity_inputs(2e-4, 0.0)
    buckets, net = flush_inputs(5.0)
    return {
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
    }


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
        return obj  # a parameter such as the bucket width, not data
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
    assert list(frame.columns) == sc.COLUMNS and len(frame) == 7
    assert frame["verdict"].isin(sc.VERDICTS).all()
    earlier = api.load_scorecard("2025-06-30", library=library)
    assert len(earlier) == 7 and (earlier["window_end"].dropna() <= "2025-06-30").all()


@pytest.mark.pack
def test_cli_scorecard_prints_every_claim(real_pack, tmp_path, capsys):
    from liquidity.cli import main
    from liquidity.data.pack import DataPack
    from liquidity.data.provenance import Library
    from liquidity.data.store import Store

    library = Library(Store(tmp_path), DataPack(real_pack))
    assert main(["scorecard", "--as-of", "2025-12-31"], library=library) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "claim,verdict,effect,window_start,window_end,rule"
    assert len(lines) == 8
    assert main(["scorecard", "--as-of", "2025-02-30"], library=library) == 2
