import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from liquidity.analytics import baskets
from liquidity.analytics.divergence import (
    DATA_END,
    DATA_START,
    GAP,
    IN_USD,
    JOINS,
    LEAVES,
    NOT_USD,
    RESUMED,
    basket_members,
    basket_returns,
    daily_returns,
    default_maxlags,
    drawdown,
    event_returns,
    joined,
    level,
    liquidity_factors,
    membership,
    membership_changes,
    on_calendar,
    on_calendar_to_end,
    period_returns,
    rebase,
    relative,
    rolling_sensitivity,
    sensitivity,
    weekly_returns,
)
from liquidity.core.errors import DataNotAvailable

NAN = float("nan")


def days(start, n):
    return pd.date_range(start, periods=n, freq="D")


def frame(index, **cols):
    return pd.DataFrame(cols, index=pd.DatetimeIndex(index), dtype="float64")


def s(pairs):
    return pd.Series({pd.Timestamp(d): v for d, v in pairs}, dtype="float64")


# --- alignment -------------------------------------------------------------------------------


def test_weekend_crypto_move_lands_in_monday_and_us_gets_no_weekend_days():
    # Fri 01-03 … Tue 01-07 on the union calendar. KRX is closed Monday (a holiday there).
    prices = frame(
        ["2025-01-03", "2025-01-04", "2025-01-05", "2025-01-06", "2025-01-07"],
        BTC=[100, 104, 108, 110, 99],
        SPX=[50, NAN, NAN, 51, 52],
        KS=[10, NAN, NAN, NAN, 12],
    )
    nyse = prices["SPX"].dropna().index
    rets = daily_returns(on_calendar(prices, nyse))
    assert list(rets.index) == list(nyse)  # no Saturday/Sunday rows: no invented 0 returns
    mon, tue = pd.Timestamp("2025-01-06"), pd.Timestamp("2025-01-07")
    assert rets.loc[mon, "BTC"] == pytest.approx(0.10)  # 110/100: Friday to Monday, weekend in
    assert rets.loc[mon, "SPX"] == pytest.approx(0.02)  # 51/50
    # KRX holiday: 0 on Monday (Friday's price carried), the move 10 -> 12 on Tuesday.
    assert rets.loc[mon, "KS"] == 0.0
    assert rets.loc[tue, "KS"] == pytest.approx(0.20)


def test_on_calendar_never_before_first_observation_nor_older_than_seven_days():
    prices = frame(["2025-01-03"], A=[100.0])
    cal = pd.DatetimeIndex(["2025-01-02", "2025-01-03", "2025-01-10", "2025-01-13"])
    got = on_calendar(prices, cal)["A"]
    # 01-02: before the first price; 01-10: 7 days old, kept; 01-13: 10 days old, dropped
    assert got.isna().tolist() == [True, False, False, True]
    assert got.loc["2025-01-10"] == 100.0


# --- baskets ---------------------------------------------------------------------------------


def test_daily_rebalanced_basket_differs_from_buy_and_hold():
    prices = frame(days("2025-01-01", 3), A=[100, 110, 99], B=[100, 90, 99])
    rets = daily_returns(prices)
    # A: +10%, -10%; B: -10%, +10%. Rebalanced daily the basket earns the mean: 0%, 0%,
    # so its level stays 100, 100, 100.
    basket = basket_returns(rets, ["A", "B"])
    assert basket.iloc[1:].tolist() == pytest.approx([0.0, 0.0])
    assert level(basket).tolist() == pytest.approx([100.0, 100.0, 100.0])
    # Buy and hold $50 each: A 50 -> 55 -> 49.5, B 50 -> 45 -> 49.5: 100, 100, 99.
    held = rebase(prices, "2025-01-01")[0].mean(axis=1)
    assert held.tolist() == pytest.approx([100.0, 100.0, 99.0])


def test_a_constituent_joins_on_its_first_return():
    prices = frame(days("2025-02-10", 4), A=[100, 110, 121, 121], C=[NAN, NAN, 50, 55])
    rets = daily_returns(prices)
    basket = basket_returns(rets, ["A", "C"])
    # C's first price is day 2, its first return day 3 (+10%); A: +10%, +10%, 0%
    assert basket.iloc[1:].tolist() == pytest.approx([0.10, 0.10, 0.05])
    assert basket_members(rets, ["A", "C"]).tolist() == [0, 1, 1, 2]
    assert level(basket).tolist() == pytest.approx([100.0, 110.0, 121.0, 127.05])
    assert joined(prices, ["A", "C"], "2025-02-10") == {"C": pd.Timestamp("2025-02-12")}
    # Per-column levels start at 100 on each column's first price.
    levels = level(rets)
    assert levels["C"].isna().tolist() == [True, True, False, False]
    assert levels["C"].iloc[2:].tolist() == pytest.approx([100.0, 110.0])


def test_a_member_whose_data_end_leaves_on_its_last_close():
    # Mon 03-03 … Fri 03-07; B's data end on Wednesday.
    raw = frame(days("2025-03-03", 5), A=[100, 110, 99, 108.9, 119.79], B=[100, 90, 99, NAN, NAN])
    prices = on_calendar_to_end(raw, raw.index)
    assert prices["B"].isna().tolist() == [False, False, False, True, True]
    rets = daily_returns(prices)
    # A: +10%, -10%, +10%, +10%; B: -10%, +10%, then gone. Equal weight among those present:
    # 0, 0, then A alone: +10%, +10%, so 100, 100, 100, 110, 121. Carrying B's 99 (the
    # 7-day limit alone) would average in two zero days: 105, 110.25.
    assert level(basket_returns(rets, ["A", "B"])).tolist() == pytest.approx(
        [100.0, 100.0, 100.0, 110.0, 121.0]
    )
    assert membership(rets, ["A", "B"])["B"].tolist() == [False, True, True, False, False]
    assert basket_members(rets, ["A", "B"]).tolist() == [0, 2, 2, 1, 1]
    got = membership_changes(prices)
    assert got.values.tolist() == [
        [pd.Timestamp("2025-03-03"), "A", JOINS, DATA_START],
        [pd.Timestamp("2025-03-03"), "B", JOINS, DATA_START],
        [pd.Timestamp("2025-03-05"), "B", LEAVES, DATA_END],
    ]


def test_inside_its_history_a_closed_market_is_still_bridged():
    # KRX shut on Monday 01-06 (an NYSE day): Friday's 10 is carried, as `on_calendar` does.
    raw = frame(["2025-01-03", "2025-01-07"], KS=[10, 12])
    nyse = pd.DatetimeIndex(["2025-01-03", "2025-01-06", "2025-01-07"])
    assert on_calendar_to_end(raw, nyse)["KS"].tolist() == [10.0, 10.0, 12.0]


def test_membership_changes_say_why():
    cal = days("2025-01-01", 20)
    present = {  # rows with a price in dollars, then in the ticker's own currency
        "W": (range(2, 16), range(2, 16)),  # its own data start on day 2 and end on day 15
        "X": (range(0, 10), range(0, 20)),  # the rate ends after day 9, the price does not
        "Y": ([*range(0, 4), *range(13, 20)],) * 2,  # no price on days 4–12
        "Z": (range(5, 20), range(0, 20)),  # a rate only from day 5 on
    }
    usd = pd.DataFrame(NAN, index=cal, columns=list(present))
    local = usd.copy()
    for col, (in_usd, own) in present.items():
        usd.iloc[list(in_usd), usd.columns.get_loc(col)] = 1.0
        local.iloc[list(own), local.columns.get_loc(col)] = 1.0
    got = membership_changes(usd, local)
    day = {i: cal[i] for i in range(20)}
    assert got.values.tolist() == [
        [day[0], "X", JOINS, DATA_START],
        [day[0], "Y", JOINS, DATA_START],
        [day[2], "W", JOINS, DATA_START],
        [day[3], "Y", LEAVES, GAP],
        [day[5], "Z", JOINS, IN_USD],
        [day[9], "X", LEAVES, NOT_USD],
        [day[13], "Y", JOINS, RESUMED],
        [day[15], "W", LEAVES, DATA_END],
    ]


# --- currencies ------------------------------------------------------------------------------

NYSE3 = days("2025-03-03", 3)  # Mon … Wed


def korean_raw():
    return {
        "^GSPC": pd.Series([5000.0, 5010.0, 5020.0], index=NYSE3),
        "MU": pd.Series([50.0, 50.0, 55.0], index=NYSE3),
        "000660.KS": pd.Series([130000.0, 143000.0, 145200.0], index=NYSE3),
        "005930.KS": pd.Series([60000.0, 61000.0, 62000.0], index=NYSE3),
        "7203.T": pd.Series([2500.0, 2600.0, 2700.0], index=NYSE3),
    }


def test_korean_members_without_a_rate_are_excluded_and_named():
    panel = baskets.panel(korean_raw(), {}, {})
    won = "KRW=X missing, prices are in won"
    assert panel.excluded == {
        "000660.KS": won,
        "005930.KS": won,
        "7203.T": "prices are in the currency of the .T exchange, which no rate here converts",
    }
    assert list(panel.prices.columns) == ["^GSPC", "MU"]
    assert panel.raw.loc["2025-03-03", "000660.KS"] == 130000.0  # event days: in won, as filed
    assert baskets.excluded_notes(panel.excluded)[0] == (
        "000660.KS, 005930.KS excluded: KRW=X missing, prices are in won"
    )
    # MU alone: 50, 50, 55 -> 100, 100, 110.
    memory = baskets.basket_levels(panel.prices, ["MU"], ["MU"])[baskets.MEMORY_NAME]
    assert memory.tolist() == pytest.approx([100.0, 100.0, 110.0])


def test_korean_members_are_converted_with_krw_x():
    fx = {"KRW=X": pd.Series([1300.0, 1300.0, 1320.0], index=NYSE3)}
    panel = baskets.panel(korean_raw(), {}, fx)
    assert set(panel.excluded) == {"7203.T"}
    # 130000/1300 = 100, 143000/1300 = 110, 145200/1320 = 110: +10%, then 0% in dollars
    # (+1.5% in won, all of it the won's fall).
    assert panel.prices["000660.KS"].tolist() == pytest.approx([100.0, 110.0, 110.0])
    # MU 0%, +10%; SK hynix +10%, 0%: the basket +5%, +5% -> 100, 105, 110.25.
    memory = baskets.basket_levels(panel.prices, ["MU"], ["MU", "000660.KS"])
    assert memory[baskets.MEMORY_NAME].tolist() == pytest.approx([100.0, 105.0, 110.25])


def test_a_member_whose_rate_ends_leaves_not_in_usd():
    nyse = pd.bdate_range("2025-01-02", "2025-01-24")
    raw = {"^GSPC": pd.Series(5000.0, index=nyse), "000660.KS": pd.Series(1000.0, index=nyse)}
    fx = {"KRW=X": pd.Series(1000.0, index=nyse[:2])}  # Thu 01-02 and Fri 01-03 only
    panel = baskets.panel(raw, {}, fx)
    # A rate is used up to 7 days old: Friday 01-03's carries to Friday 01-10, not beyond.
    assert panel.prices["000660.KS"].last_valid_index() == pd.Timestamp("2025-01-10")
    rows = panel.changes[panel.changes["member"] == "000660.KS"]
    assert rows[["date", "change", "reason"]].values.tolist() == [
        [pd.Timestamp("2025-01-02"), JOINS, DATA_START],
        [pd.Timestamp("2025-01-10"), LEAVES, NOT_USD],
    ]


def analysis_inputs():
    """^GSPC, A (speculative) and B, C (memory) on weekdays from 2025-01-02 to 2025-06-30.

    Flat at 100 except: C +20% on Fri 03-14, its last close; B +10% on Mon 03-17.
    """
    nyse = pd.bdate_range("2025-01-02", "2025-06-30")
    flat = pd.Series(100.0, index=nyse)
    c = flat.loc[:"2025-03-14"].copy()
    c.loc["2025-03-14"] = 120.0
    b = flat.copy()
    b.loc["2025-03-17":] = 110.0
    raw = {"^GSPC": flat, "A": flat, "B": b, "C": c, "005930.KS": flat * 600}
    weds = pd.date_range("2024-12-04", "2025-06-25", freq="W-WED")
    net = pd.Series(np.arange(len(weds), dtype=float), index=weds)
    real = pd.Series(np.resize([2.0, 2.1], len(nyse)), index=nyse)
    return baskets.panel(raw, {}, {}), net, real


def test_analyse_says_who_is_in_each_basket_each_day():
    panel, net, real = analysis_inputs()
    got = baskets.analyse(
        panel, ["A"], ["B", "C", "005930.KS"], "^GSPC", "2025-01-02", "2025-06-30",
        "2025-01-02", 26, "ratio", net, real,
    )  # fmt: skip
    memory = got.levels[baskets.MEMORY_NAME]
    # 03-14: (B 0% + C +20%)/2 = +10% -> 110; 03-17: C has left, B +10% alone -> 121
    # (C carried at 120 would have made it (10% + 0%)/2 -> 115.5).
    assert memory.loc["2025-03-13":"2025-03-18"].tolist() == pytest.approx(
        [100.0, 110.0, 121.0, 121.0]
    )
    held = got.membership[baskets.MEMORY_NAME]
    assert list(held.columns) == ["B", "C"]
    assert held.loc["2025-03-14"].tolist() == [True, True]
    assert held.loc["2025-03-17"].tolist() == [True, False]
    assert held.loc["2025-01-02"].tolist() == [False, False]  # the first close has no return
    assert got.membership[baskets.SPEC_NAME]["A"].loc["2025-01-03":].all()
    # Everyone's data start on 2025-01-02, the range start: only C's end changes membership.
    assert got.changes.values.tolist() == [
        [pd.Timestamp("2025-03-14"), baskets.MEMORY_NAME, "C", LEAVES, DATA_END]
    ]
    assert got.excluded == {"005930.KS": "KRW=X missing, prices are in won"}


def test_a_basket_of_excluded_members_is_explained():
    panel, net, real = analysis_inputs()
    with pytest.raises(DataNotAvailable) as raised:
        baskets.analyse(
            panel, ["A"], ["005930.KS"], "^GSPC", "2025-01-02", "2025-06-30", "2025-01-02",
            26, "ratio", net, real,
        )  # fmt: skip
    assert str(raised.value) == (
        "each basket needs at least one ticker with prices in US dollars "
        "(005930.KS excluded: KRW=X missing, prices are in won)"
    )


# --- rebasing and relative performance -------------------------------------------------------


def test_rebase_reports_late_columns():
    levels = frame(days("2025-01-01", 5), A=[50, NAN, 60, 66, 72], B=[NAN, NAN, NAN, 20, 25])
    rebased, late = rebase(levels, "2025-01-02")
    assert rebased.index[0] == pd.Timestamp("2025-01-02")  # from the base date on
    # A has no price on the base date: its base is the next one (60), and it is not late.
    assert rebased["A"].tolist()[1:] == pytest.approx([100.0, 110.0, 120.0])
    # B starts after the base date: rebased at its own first value and reported.
    assert rebased["B"].tolist()[2:] == pytest.approx([100.0, 125.0])
    assert late == {"B": pd.Timestamp("2025-01-04")}


def test_ratio_and_spread_from_the_base_date():
    idx = days("2025-01-01", 3)
    a = pd.Series([100.0, 120.0, 150.0], index=idx)
    b = pd.Series([50.0, 40.0, 60.0], index=idx)
    # A/A0 = 1, 1.2, 1.5; B/B0 = 1, 0.8, 1.2
    # ratio = 100 × 1.2/0.8 = 150, 100 × 1.5/1.2 = 125; spread = 100 × (0.2 + 0.2) = 40, 30
    assert relative(a, b, "2025-01-01", "ratio").tolist() == pytest.approx([100, 150, 125])
    assert relative(a, b, "2025-01-01", "spread").tolist() == pytest.approx([0, 40, 30])
    # From day 1: A 1, 1.25; B 1, 1.5 -> ratio 83.33, spread -25
    assert relative(a, b, "2025-01-02", "ratio").tolist() == pytest.approx([100, 250 / 3])
    assert relative(a, b, "2025-01-02", "spread").tolist() == pytest.approx([0, -25])
    with pytest.raises(ValueError, match="unknown mode"):
        relative(a, b, "2025-01-01", "log")


# --- summaries -------------------------------------------------------------------------------


def test_drawdown_below_running_peak():
    levels = frame(days("2025-01-01", 5), A=[100, 120, 90, 130, 117])
    # peaks 100, 120, 120, 130, 130
    assert drawdown(levels)["A"].tolist() == pytest.approx([0, 0, -25, 0, -10])


def test_period_returns_by_calendar_date():
    x = s(
        [
            ("2024-03-14", 50),  # 1Y reference
            ("2024-12-13", 80),  # 3M reference 2024-12-14 is a Saturday: Friday's close
            ("2024-12-31", 90),  # YTD: the previous year's last close
            ("2025-02-14", 96),  # 1M; first value after the base date
            ("2025-03-07", 100),  # 1W
            ("2025-03-14", 120),  # as of
        ]
    )
    y = s([("2025-02-14", 60), ("2025-03-14", 66)])  # short history
    got = period_returns(pd.DataFrame({"X": x, "Y": y}), "2025-03-14", "2025-01-01")
    assert list(got.columns) == ["1W", "1M", "3M", "YTD", "1Y", "since base"]
    assert got.loc["X"].tolist() == pytest.approx([20.0, 25.0, 50.0, 100 / 3, 140.0, 25.0])
    assert got.loc["Y", "1M"] == pytest.approx(10.0)
    assert got.loc["Y", "since base"] == pytest.approx(10.0)
    assert got.loc["Y", ["1W", "3M", "YTD", "1Y"]].isna().all()


def test_weekly_returns_wednesday_to_wednesday():
    prices = pd.DataFrame(
        {
            "US": s(
                [
                    ("2024-12-31", 99),
                    ("2025-01-01", 100),  # Wednesday
                    ("2025-01-02", 101),
                    ("2025-01-07", 110),  # Tuesday before a Wednesday holiday
                    ("2025-01-09", 108),
                    ("2025-01-15", 121),  # Wednesday
                    ("2025-01-16", 130),
                ]
            ),
            "BTC": s([("2025-01-01", 200), ("2025-01-08", 220), ("2025-01-15", 198)]),
        }
    )
    got = weekly_returns(prices)
    assert list(got.index) == list(pd.DatetimeIndex(["2025-01-01", "2025-01-08", "2025-01-15"]))
    assert got["US"].iloc[1:].tolist() == pytest.approx([0.10, 0.10])  # 100 -> 110 -> 121
    assert got["BTC"].iloc[1:].tolist() == pytest.approx([0.10, -0.10])
    assert got.iloc[0].isna().all()


# --- liquidity factors -----------------------------------------------------------------------

WEEKS = pd.DatetimeIndex(["2025-01-15", "2025-01-22", "2025-01-29"])
NET = s([("2025-01-01", 6000), ("2025-01-08", 6010), ("2025-01-15", 6030), ("2025-01-22", 6060)])
DFII10 = s(
    [
        ("2025-01-08", 1.95),
        ("2025-01-14", 2.00),
        ("2025-01-15", 2.10),
        ("2025-01-21", 2.05),
        ("2025-01-22", NAN),
        ("2025-01-29", 2.30),
    ]
)


def test_liquidity_factor_uses_only_the_h41_known_at_each_wednesday():
    got = liquidity_factors(NET, DFII10, WEEKS)["d_net_liquidity_b"]
    # At Wed 01-15 the latest public H.4.1 is 01-08 (6010; 01-15's comes out Thursday);
    # a week earlier it was 01-01 (6000): +10. Then 6030 - 6010 and 6060 - 6030.
    assert got.tolist() == pytest.approx([10.0, 20.0, 30.0])
    later = pd.concat([NET, s([("2025-01-29", 9999), ("2025-02-05", 1)])])
    assert liquidity_factors(later, DFII10, WEEKS)["d_net_liquidity_b"].tolist() == got.tolist()


def test_a_missing_h41_print_is_not_bridged():
    got = liquidity_factors(NET.drop(pd.Timestamp("2025-01-08")), DFII10, WEEKS)
    # 01-15 and 01-22 need the 01-08 print (as the new or the old value)
    assert got["d_net_liquidity_b"].isna().tolist() == [True, True, False]


def test_real_yield_change_between_wednesdays():
    got = liquidity_factors(NET, DFII10, WEEKS)["d_real_yield"]
    # 2.10 - 1.95; 2.05 (01-21, 01-22 missing) - 2.10; 2.30 - 2.05
    assert got.tolist() == pytest.approx([0.15, -0.05, 0.25])


# --- regressions -----------------------------------------------------------------------------


def synthetic(n, seed=7):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    noise = np.zeros(n)
    for i in range(1, n):  # AR(1) errors: plain OLS errors would be too small
        noise[i] = 0.5 * noise[i - 1] + rng.normal()
    idx = pd.date_range("2015-01-07", periods=n, freq="W-WED")
    factors = pd.DataFrame(x, index=idx, columns=["liq", "mkt"])
    y = pd.Series(0.5 + 2.0 * x[:, 0] - 1.0 * x[:, 1] + noise, index=idx, name="ret")
    return y, factors


def statsmodels_fit(y, factors, maxlags):
    return sm.OLS(y.to_numpy(), sm.add_constant(factors.to_numpy())).fit(
        cov_type="HAC", cov_kwds={"maxlags": maxlags}
    )


def test_sensitivity_recovers_beta_with_newey_west_errors():
    y, factors = synthetic(520)
    y.iloc[[10, 300]] = NAN  # rows with a gap are left out
    got = sensitivity(y, factors)
    assert got.loc["liq", "beta"] == pytest.approx(2.0, abs=0.2)
    assert got.loc["mkt", "beta"] == pytest.approx(-1.0, abs=0.2)
    assert (got["n"] == 518).all()
    # floor(4 × 5.18^(2/9)) = floor(5.77) = 5 lags
    assert default_maxlags(518) == 5
    keep = y.notna()
    fit = statsmodels_fit(y[keep], factors[keep], 5)
    assert got["beta"].tolist() == pytest.approx(fit.params[1:].tolist(), rel=1e-12)
    assert got["se"].tolist() == pytest.approx(fit.bse[1:].tolist(), rel=1e-12)
    assert got["ci_low"].tolist() == pytest.approx(fit.conf_int()[1:, 0].tolist(), rel=1e-12)
    assert got["t"].tolist() == pytest.approx((got["beta"] / got["se"]).tolist())


def test_rolling_matches_statsmodels_on_windows_and_needs_full_windows():
    y, factors = synthetic(120, seed=3)
    y.iloc[60] = NAN
    got = rolling_sensitivity(y, factors, 52)
    assert got.index[0] == y.index[51]
    lags = default_maxlags(52)
    assert lags == 3  # floor(4 × 0.52^(2/9)) = floor(3.46)
    for end in (51, 59, 119):
        rows = slice(end - 51, end + 1)
        fit = statsmodels_fit(y.iloc[rows], factors.iloc[rows], lags)
        row = got.loc[y.index[end]]
        for i, f in enumerate(["liq", "mkt"], start=1):
            assert row[f"beta_{f}"] == pytest.approx(fit.params[i], rel=1e-9)
            assert row[f"se_{f}"] == pytest.approx(fit.bse[i], rel=1e-9)
            assert row[f"t_{f}"] == pytest.approx(fit.tvalues[i], rel=1e-9)
            assert row[f"ci_low_{f}"] == pytest.approx(fit.conf_int()[i, 0], rel=1e-9)
            assert row[f"ci_high_{f}"] == pytest.approx(fit.conf_int()[i, 1], rel=1e-9)
    # windows ending 60 … 111 contain the missing week
    missing = got["beta_liq"].isna()
    assert missing.tolist() == [60 <= end <= 111 for end in range(51, 120)]
    last = sensitivity(y.iloc[68:], factors.iloc[68:])
    assert got.iloc[-1]["se_mkt"] == pytest.approx(last.loc["mkt", "se"], rel=1e-9)


# --- events ----------------------------------------------------------------------------------


def test_event_returns_on_each_assets_own_days_from_a_weekend_date():
    prices = pd.DataFrame(
        {
            "BTC": s(
                [
                    ("2025-01-02", 95),
                    ("2025-01-03", 100),
                    ("2025-01-04", 105),  # Saturday: the event date
                    ("2025-01-05", 84),
                    ("2025-01-06", 88.2),
                    ("2025-01-07", 88.2),
                    ("2025-01-08", 97.02),
                ]
            ),
            "SPX": s(
                [
                    ("2025-01-02", 49),
                    ("2025-01-03", 50),
                    ("2025-01-06", 55),
                    ("2025-01-07", 44),
                    ("2025-01-08", 44),
                    ("2025-01-09", 46.2),
                ]
            ),
            "NEW": s([("2025-01-06", 10), ("2025-01-07", 11), ("2025-01-08", 12.1)]),
        }
    )
    got = event_returns(prices, "2025-01-04", days=2)
    assert list(got.index) == ["SPX", "BTC", "NEW"]  # by day 0; no day 0 ranks last
    assert list(got.columns) == ["first_day", "day_0", "day_1", "day_2", "cumulative"]
    # BTC trades Saturday: 105/100, 84/105, 88.2/84; cumulative 88.2/100
    assert got.loc["BTC", "first_day"] == pd.Timestamp("2025-01-04")
    assert got.loc["BTC", ["day_0", "day_1", "day_2", "cumulative"]].tolist() == pytest.approx(
        [5.0, -20.0, 5.0, -11.8]
    )
    # SPX starts Monday, from Friday's close: 55/50, 44/55, 44/44; cumulative 44/50
    assert got.loc["SPX", "first_day"] == pd.Timestamp("2025-01-06")
    assert got.loc["SPX", ["day_0", "day_1", "day_2", "cumulative"]].tolist() == pytest.approx(
        [10.0, -20.0, 0.0, -12.0]
    )
    # NEW has no close before its first day: no day 0; 1.1 × 1.1 over the days it has
    assert math.isnan(got.loc["NEW", "day_0"])
    assert got.loc["NEW", "cumulative"] == pytest.approx(21.0)
    # Near the end of the data the missing days are NaN and the cumulative covers the rest.
    longer = event_returns(prices, "2025-01-04", days=5)
    assert longer.loc["BTC", ["day_3", "day_4"]].tolist() == pytest.approx([0.0, 10.0])
    assert math.isnan(longer.loc["BTC", "day_5"])
    assert longer.loc["BTC", "cumulative"] == pytest.approx(-2.98)
