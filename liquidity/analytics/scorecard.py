"""The thesis scorecard: one pre-declared, look-ahead-free test per claim (issue #7).

Each claim is a pure function of plain pandas inputs and an `asof` date. It uses only what was
public at `asof`: capex quarters from their assumed filing date (`capex.available_at`, quarter
end + 45 days), net liquidity from the day after its H.4.1 Wednesday (`netliq.known_at`), market
prices and yields at their own close, liquidation buckets once they have ended. Each returns a
`Verdict`: "supported", "not supported" or "inconclusive" (data missing, stale or too short),
an effect size with its unit, the evidence window and the rule in one sentence.

Each claim computes the quantity its rule tests once, as a series known at each date up to
`asof`; the verdict reads it and the same series is the card's sparkline (`Verdict.trend`).
`scorecard` evaluates every claim from a dict of inputs; `liquidity.api.load_scorecard` gathers
those inputs from a library, truncated at `asof`, and calls it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from liquidity.analytics import capex, xbrl
from liquidity.analytics.divergence import MAX_CARRY, liquidity_factors, sensitivity
from liquidity.analytics.drain_gauge import CAPEX_MAX_AGE, change_over_weeks
from liquidity.core.calendar import H41_LAG, known_at, latest_on_or_before

SUPPORTED, NOT_SUPPORTED, INCONCLUSIVE = "supported", "not supported", "inconclusive"
VERDICTS = (SUPPORTED, NOT_SUPPORTED, INCONCLUSIVE)
COLUMNS = ["claim", "verdict", "effect", "unit", "window_start", "window_end", "rule"]

WEEKS = 13
NET_MAX_AGE = pd.Timedelta(days=14)  # a weekly print known at asof may be at most two weeks old
MIN_SENSITIVITY_WEEKS = 52
FLUSH_RATIO = 1.2
MIN_FLUSH_WEEKS = 20
FLUSH_WEEKS = 104
NET_SCALE = 1e4  # weekly fraction per $1B -> % weekly return per $100B (baskets.FACTOR_SCALES)
DEFAULT_BUCKET = pd.Timedelta(hours=4)  # CoinGlass aggregated history
TREND_QUARTERS = 12
TREND_WEEKS = 26

CLAIMS = {
    "capex_accelerating": "Hyperscaler capex is accelerating",
    "capex_outruns_cash": "Capex is outrunning operating cash flow",
    "tub_draining": "The tub drains while capex grows",
    "money_dearer": "Money is getting dearer",
    "divergence": "Memory makers beat speculative assets",
    "liquidity_sensitivity": "Speculative assets are more liquidity-sensitive than memory",
    "leverage_flushes": "Leverage flushes cluster in draining weeks",
}

RULES = {
    "capex_accelerating": (
        "Supported when the latest known like-for-like year-over-year growth of the group's "
        "trailing-four-quarter capex is above zero and above its value four quarters earlier, "
        "each quarter counted from its end + 45 days."
    ),
    "capex_outruns_cash": (
        "Supported when group capex ÷ operating cash flow over the last 4 known quarters exceeds "
        "the same ratio over the 4 quarters before, for the companies reporting both in all 8 "
        "(quarters known from end + 45 days); inconclusive with fewer than 8."
    ),
    "tub_draining": (
        "Supported when the 13-week change of net liquidity known at the as-of date (H.4.1 "
        "published the day after its Wednesday) is below zero while the latest known capex "
        "growth is above zero; not supported when either fails."
    ),
    "money_dearer": (
        "Supported when the 13-week changes of the 10-year real yield (DFII10) and of the "
        "high-yield spread (HY OAS) are both above zero, not supported when both are below "
        "zero, inconclusive when they disagree."
    ),
    "divergence": (
        "Supported when the memory basket's return beats the speculative basket's over both the "
        "last 3 and the last 6 calendar months to the as-of date (closes at most 7 days old)."
    ),
    "liquidity_sensitivity": (
        "Over the last 104 weeks (at least 52), supported when the speculative basket's "
        "Newey-West 95% interval for its beta to Δ net liquidity lies entirely above the "
        "memory basket's, not supported when entirely below, inconclusive when they overlap."
    ),
    "leverage_flushes": (
        "Over up to 104 complete weeks (at least 20), supported when the share of crypto "
        "liquidations in weeks opening after a known fall in net liquidity is at least 1.2 "
        "times the share of such weeks."
    ),
}


def _no_trend() -> pd.Series:
    return pd.Series(dtype="float64", index=pd.DatetimeIndex([]))


@dataclass(frozen=True)
class Verdict:
    claim: str
    verdict: str
    effect: float | None
    unit: str
    window_start: pd.Timestamp | None
    window_end: pd.Timestamp | None
    rule: str
    # The quantity the rule tests, as known at each date up to the as-of date (TRENDS' unit).
    trend: pd.Series = field(default_factory=_no_trend, compare=False, repr=False)

    def row(self) -> dict:
        return {c: getattr(self, c) for c in COLUMNS}


def _verdict(key, verdict, effect=None, unit="", start=None, end=None, trend=None) -> Verdict:
    effect = None if effect is None or not math.isfinite(effect) else float(effect)
    start = None if pd.isna(start) else pd.Timestamp(start)
    end = None if pd.isna(end) else pd.Timestamp(end)
    trend = _no_trend() if trend is None else trend
    return Verdict(CLAIMS[key], verdict, effect, unit, start, end, RULES[key], trend)


def _inconclusive(key, unit="", start=None, end=None, trend=None) -> Verdict:
    return _verdict(key, INCONCLUSIVE, None, unit, start, end, trend)


def known_quarters(table: pd.DataFrame | None, asof: pd.Timestamp) -> pd.DataFrame:
    """The rows of a quarter × ticker table public at `asof` (quarter end + 45 days)."""
    if table is None or table.empty:
        return pd.DataFrame()
    table = table.copy()
    table.index = pd.PeriodIndex(table.index, freq="Q", name="quarter")
    return table[capex.available_at(table.index) <= asof].sort_index()


def ttm_growth(capex_table: pd.DataFrame | None, asof) -> pd.Series:
    """Like-for-like YoY growth (%) of the group's TTM capex, for quarters known at `asof`."""
    table = known_quarters(capex_table, pd.Timestamp(asof))
    if table.empty:
        return pd.Series(dtype="float64", index=pd.PeriodIndex([], freq="Q", name="quarter"))
    ttms = pd.DataFrame({t: xbrl.ttm(table[t]) for t in table.columns}, index=table.index)
    return capex.like_for_like_growth(ttms)["growth_pct"].dropna()


def capex_accelerating(capex_table: pd.DataFrame | None, asof) -> Verdict:
    key, unit = "capex_accelerating", "pp (TTM YoY growth now − a year earlier)"
    asof = pd.Timestamp(asof)
    growth = ttm_growth(capex_table, asof)
    shown = growth.iloc[-TREND_QUARTERS:]
    trend = pd.Series(shown.to_numpy(), capex.available_at(shown.index))
    if growth.empty:
        return _inconclusive(key, unit, trend=trend)
    last = growth.index[-1]
    before = last - 4
    end = capex.available_at(pd.PeriodIndex([last]))[0]
    if before not in growth.index:
        return _inconclusive(key, unit, end=end, trend=trend)
    now, then = float(growth[last]), float(growth[before])
    ok = now > 0 and now > then
    start = (before - 7).start_time  # the first quarter in the year-earlier growth's base TTM
    verdict = SUPPORTED if ok else NOT_SUPPORTED
    return _verdict(key, verdict, now - then, unit, start, end, trend)


def capex_outruns_cash(capex_table: pd.DataFrame | None, ocf_table: pd.DataFrame | None, asof):
    key, unit = "capex_outruns_cash", "pp of OCF (capex/OCF last 4Q − prior 4Q)"
    asof = pd.Timestamp(asof)
    cap, ocf = known_quarters(capex_table, asof), known_quarters(ocf_table, asof)
    if cap.empty or ocf.empty:
        return _inconclusive(key, unit)
    quarters, complete = _cash_window(cap, ocf)
    start, end = quarters[0].start_time, capex.available_at(quarters[-1:])[0]
    if not complete:
        return _inconclusive(key, unit, start, end)
    # Per quarter, the companies' 4-quarter sums of capex and of OCF, for the whole history of
    # the companies complete in the window: the verdict reads two of them, the card all.
    span = pd.period_range(min(cap.index.min(), ocf.index.min()), quarters[-1], freq="Q")
    cap_4q, ocf_4q = (
        table.reindex(span)[complete].sum(axis=1, min_count=len(complete)).rolling(4).sum()
        for table in (cap, ocf)
    )
    ratio = (100.0 * cap_4q / ocf_4q).dropna().iloc[-TREND_QUARTERS:]
    trend = pd.Series(ratio.to_numpy(), capex.available_at(ratio.index))
    before, now = quarters[3], quarters[-1]
    if ocf_4q[before] <= 0 or ocf_4q[now] <= 0:
        return _inconclusive(key, unit, start, end, trend)
    ratio_before = cap_4q[before] / ocf_4q[before]
    ratio_now = cap_4q[now] / ocf_4q[now]
    effect = 100.0 * (ratio_now - ratio_before)
    verdict = SUPPORTED if ratio_now > ratio_before else NOT_SUPPORTED
    return _verdict(key, verdict, effect, unit, start, end, trend)


def _cash_window(cap: pd.DataFrame, ocf: pd.DataFrame) -> tuple[pd.PeriodIndex, list[str]]:
    """The 8 quarters ending at the quarter (within the last year) after which the most
    companies report capex and OCF in all 8, and those companies. A company one filing ahead
    of the others (Oracle's fiscal quarters end a month earlier) must not shrink the group to
    itself; ties go to the later end."""
    tickers = [t for t in cap.columns if t in ocf.columns]
    latest = max(cap.index.max(), ocf.index.max())
    best: tuple[pd.PeriodIndex, list[str]] | None = None
    for last in (latest - lag for lag in range(4)):
        quarters = pd.period_range(last - 7, last, freq="Q")
        reported = cap.reindex(index=quarters, columns=tickers).notna()
        reported &= ocf.reindex(index=quarters, columns=tickers).notna()
        complete = [t for t in tickers if reported[t].all()]
        if best is None or len(complete) > len(best[1]):
            best = (quarters, complete)
    return best


def net_change_known(net_weekly_b: pd.Series | None, asof, weeks: int = WEEKS):
    """(change in $B, base Wednesday, latest Wednesday) of net liquidity known at `asof`."""
    asof = pd.Timestamp(asof)
    if net_weekly_b is None:
        return None
    known = known_at(net_weekly_b.dropna().sort_index()).loc[:asof]
    if known.empty or asof - known.index[-1] > NET_MAX_AGE:
        return None
    latest = known.index[-1] - H41_LAG
    base = latest - pd.Timedelta(weeks=weeks)
    net = net_weekly_b.dropna()
    if base not in net.index:
        return None
    return float(net[latest] - net[base]), base, latest


def tub_draining(net_weekly_b: pd.Series | None, capex_table: pd.DataFrame | None, asof):
    key, unit = "tub_draining", "$B (13-week change in known net liquidity)"
    asof = pd.Timestamp(asof)
    change = net_change_known(net_weekly_b, asof)
    trend = None
    if net_weekly_b is not None:
        trend = known_at(net_weekly_b.dropna()).loc[:asof].iloc[-TREND_WEEKS - 1 :]
    growth = ttm_growth(capex_table, asof)
    if not growth.empty:
        dated = pd.Series(growth.to_numpy(), index=capex.available_at(growth.index))
        growth_now = latest_on_or_before(dated, pd.DatetimeIndex([asof]), CAPEX_MAX_AGE).iloc[0]
    else:
        growth_now = math.nan
    if change is None or not math.isfinite(growth_now):
        return _inconclusive(key, unit, end=asof, trend=trend)
    delta, base, latest = change
    verdict = SUPPORTED if delta < 0 and growth_now > 0 else NOT_SUPPORTED
    return _verdict(key, verdict, delta, unit, base, latest + H41_LAG, trend)


def money_dearer(real_yield_daily: pd.Series | None, hy_daily: pd.Series | None, asof):
    key = "money_dearer"
    asof = pd.Timestamp(asof)
    start = asof - pd.Timedelta(weeks=WEEKS)
    dates = pd.DatetimeIndex([asof])
    trend = None if real_yield_daily is None else real_yield_daily.dropna().loc[start:asof]
    if real_yield_daily is None or hy_daily is None:
        return _inconclusive(key, "pp (13-week Δ 10y real yield)", start, asof, trend)
    real = float(change_over_weeks(real_yield_daily.loc[:asof], dates).iloc[0])
    hy = float(change_over_weeks(hy_daily.loc[:asof], dates).iloc[0])
    if not (math.isfinite(real) and math.isfinite(hy)):
        return _inconclusive(key, "pp (13-week Δ 10y real yield)", start, asof, trend)
    unit = f"pp (13-week Δ 10y real yield; Δ HY OAS {hy:+.2f} pp)"
    if real > 0 and hy > 0:
        verdict = SUPPORTED
    elif real < 0 and hy < 0:
        verdict = NOT_SUPPORTED
    else:
        verdict = INCONCLUSIVE
    return _verdict(key, verdict, real, unit, start, asof, trend)


def _return_pct(level: pd.Series, asof: pd.Timestamp, start: pd.Timestamp) -> float:
    values = latest_on_or_before(level.loc[:asof], pd.DatetimeIndex([asof, start]), MAX_CARRY)
    return 100.0 * (values.iloc[0] / values.iloc[1] - 1.0)


def divergence(memory_level: pd.Series | None, spec_level: pd.Series | None, asof) -> Verdict:
    key = "divergence"
    unit = "pp (smaller of the 3- and 6-month memory − speculative return gaps)"
    asof = pd.Timestamp(asof)
    start = asof - pd.DateOffset(months=6)
    if memory_level is None or spec_level is None:
        return _inconclusive(key, unit, start, asof)
    ratio = (memory_level / spec_level).dropna().loc[start:asof]
    trend = 100.0 * ratio / ratio.iloc[0] if not ratio.empty else None
    gaps = [
        _return_pct(memory_level, asof, asof - pd.DateOffset(months=m))
        - _return_pct(spec_level, asof, asof - pd.DateOffset(months=m))
        for m in (3, 6)
    ]
    if not all(math.isfinite(g) for g in gaps):
        return _inconclusive(key, unit, start, asof, trend)
    effect = min(gaps)
    verdict = SUPPORTED if effect > 0 else NOT_SUPPORTED
    return _verdict(key, verdict, effect, unit, start, asof, trend)


def liquidity_sensitivity(
    spec_weekly: pd.Series | None,
    memory_weekly: pd.Series | None,
    factors: pd.DataFrame | None,
    asof,
    weeks: int = 104,
) -> Verdict:
    key = "liquidity_sensitivity"
    unit = "% weekly return per $100B (speculative beta − memory beta)"
    asof = pd.Timestamp(asof)
    if spec_weekly is None or memory_weekly is None or factors is None or factors.empty:
        return _inconclusive(key, unit)
    if "d_net_liquidity_b" not in factors:
        return _inconclusive(key, unit)
    trend = _beta_gap(spec_weekly, memory_weekly, factors["d_net_liquidity_b"], asof, weeks)
    data = pd.concat(
        [spec_weekly.rename("spec"), memory_weekly.rename("memory"), factors], axis=1
    ).loc[:asof]
    data = data.dropna().iloc[-weeks:]
    if len(data) < MIN_SENSITIVITY_WEEKS:
        start = data.index[0] if len(data) else None
        end = data.index[-1] if len(data) else None
        return _inconclusive(key, unit, start, end, trend)
    fac = data[factors.columns]
    spec = sensitivity(data["spec"], fac).loc["d_net_liquidity_b"]
    memory = sensitivity(data["memory"], fac).loc["d_net_liquidity_b"]
    effect = NET_SCALE * (spec["beta"] - memory["beta"])
    if spec["ci_low"] > memory["ci_high"]:
        verdict = SUPPORTED
    elif spec["ci_high"] < memory["ci_low"]:
        verdict = NOT_SUPPORTED
    else:
        verdict = INCONCLUSIVE
    return _verdict(key, verdict, effect, unit, data.index[0], data.index[-1], trend)


def _beta_gap(spec: pd.Series, memory: pd.Series, d_net: pd.Series, asof, weeks: int):
    """Speculative − memory simple OLS beta to Δ net liquidity over rolling 26 weeks (an
    illustration of direction for the card; the verdict is the Newey-West regression)."""
    data = pd.concat([spec.rename("spec"), memory.rename("memory"), d_net], axis=1).loc[:asof]
    data = data.dropna().iloc[-weeks:]
    x = data[d_net.name]
    var = x.rolling(TREND_WEEKS).var()
    gap = data["spec"].rolling(TREND_WEEKS).cov(x) - data["memory"].rolling(TREND_WEEKS).cov(x)
    return (NET_SCALE * gap / var).dropna()


def leverage_flushes(
    liquidation_buckets: pd.DataFrame | None,
    net_weekly_b: pd.Series | None,
    asof,
    weeks: int = FLUSH_WEEKS,
    bucket: pd.Timedelta = DEFAULT_BUCKET,
) -> Verdict:
    """Weeks run Wednesday to Wednesday; a week is "draining" when the change in net liquidity
    known at its opening Wednesday (`liquidity_factors`) is below zero. Only weeks that ended by
    `asof` count, and a bucket (`bucket` long) counts once it has ended."""
    key = "leverage_flushes"
    unit = "× (liquidation share in draining weeks ÷ share of draining weeks)"
    asof = pd.Timestamp(asof)
    if liquidation_buckets is None or liquidation_buckets.empty:
        return _inconclusive(key, unit)
    total = liquidation_buckets["total_usd"].astype("float64")
    if total.index.tz is not None:
        total.index = total.index.tz_convert(None)
    bucket = pd.Timedelta(bucket)
    total = total[total.index + bucket <= asof].dropna()
    if total.empty:
        return _inconclusive(key, unit)
    trend = _whole_weeks(total, bucket)
    if net_weekly_b is None:
        return _inconclusive(key, unit, trend=trend)
    first = total.index.min()
    opens = pd.date_range(first.normalize(), asof, freq="W-WED")
    opens = opens[(opens >= first) & (opens + pd.Timedelta(days=7) <= asof)]
    empty_yield = pd.Series(dtype="float64", index=pd.DatetimeIndex([]))
    change = liquidity_factors(net_weekly_b, empty_yield, opens)["d_net_liquidity_b"].dropna()
    change = change.iloc[-weeks:]
    if change.empty:
        return _inconclusive(key, unit, trend=trend)
    week = change.index[change.index.searchsorted(total.index, side="right") - 1]
    inside = (total.index >= change.index[0]) & (
        total.index < change.index[-1] + pd.Timedelta(days=7)
    )
    per_week = total[inside].groupby(week[inside]).sum().reindex(change.index, fill_value=0.0)
    start, end = change.index[0], change.index[-1] + pd.Timedelta(days=7)
    draining = change < 0
    if len(change) < MIN_FLUSH_WEEKS or draining.all() or not draining.any():
        return _inconclusive(key, unit, start, end, trend)
    if per_week.sum() <= 0:
        return _inconclusive(key, unit, start, end, trend)
    ratio = (per_week[draining].sum() / per_week.sum()) / draining.mean()
    verdict = SUPPORTED if ratio >= FLUSH_RATIO else NOT_SUPPORTED
    return _verdict(key, verdict, ratio, unit, start, end, trend)


def _whole_weeks(ended: pd.Series, bucket: pd.Timedelta) -> pd.Series:
    """Liquidations ($M) per Wednesday-to-Wednesday week, only the weeks the buckets cover
    whole: a week the data start or stop in would look like a lull."""
    weekly = ended.resample("W-WED", label="right", closed="left").sum()
    whole = (weekly.index - pd.Timedelta(days=7) >= ended.index[0]) & (
        weekly.index <= ended.index[-1] + bucket
    )
    return (weekly[whole] / 1e6).iloc[-TREND_WEEKS:]


def evaluate(inputs: dict, asof) -> list[Verdict]:
    """Every claim's verdict (with its trend) on `asof`, in CLAIMS order; an input missing from
    `inputs` makes its claims inconclusive.

    Keys: capex_table, ocf_table (quarter × ticker, USD), net_weekly_b (by H.4.1 Wednesday),
    real_yield_daily, hy_daily, memory_level, spec_level (daily), spec_weekly, memory_weekly,
    factors (`divergence.liquidity_factors`), liquidation_buckets (total_usd per bucket start)
    and liquidation_bucket (their width, default 4 hours).
    """
    asof = pd.Timestamp(asof)
    get = inputs.get
    bucket = get("liquidation_bucket", DEFAULT_BUCKET)
    return [
        capex_accelerating(get("capex_table"), asof),
        capex_outruns_cash(get("capex_table"), get("ocf_table"), asof),
        tub_draining(get("net_weekly_b"), get("capex_table"), asof),
        money_dearer(get("real_yield_daily"), get("hy_daily"), asof),
        divergence(get("memory_level"), get("spec_level"), asof),
        liquidity_sensitivity(get("spec_weekly"), get("memory_weekly"), get("factors"), asof),
        leverage_flushes(get("liquidation_buckets"), get("net_weekly_b"), asof, bucket=bucket),
    ]


def _frame(verdicts: list[Verdict]) -> pd.DataFrame:
    return pd.DataFrame([v.row() for v in verdicts], columns=COLUMNS)


def scorecard(inputs: dict, asof) -> pd.DataFrame:
    """One row per claim (COLUMNS), see `evaluate`."""
    return _frame(evaluate(inputs, asof))


def scorecard_with_trends(inputs: dict, asof) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    """`scorecard` and, per claim key, the trend its verdict read (see `Verdict.trend`)."""
    verdicts = evaluate(inputs, asof)
    return _frame(verdicts), {key: v.trend for key, v in zip(CLAIMS, verdicts, strict=True)}


def trends(inputs: dict, asof) -> dict[str, pd.Series]:
    """Per claim, the series behind its verdict up to `asof` (only what was public by then),
    indexed by date, in the unit of TRENDS; empty when the inputs are missing.

    They illustrate direction; the verdict comes from the rule alone (for the sensitivity claim
    the sparkline is a simple 26-week OLS beta gap, the verdict a Newey-West regression).
    """
    return scorecard_with_trends(inputs, asof)[1]


# What each card's sparkline draws, the quantity its rule tests as known at each date:
# (short label, unit, description).
TRENDS = {
    "capex_accelerating": ("TTM capex, YoY", "%", "group TTM capex growth year over year"),
    "capex_outruns_cash": ("Capex ÷ OCF, 4Q", "%", "group capex ÷ operating cash flow, 4Q"),
    "tub_draining": ("Net liquidity, 26 wk", "$B", "Fed net liquidity, last 26 weeks"),
    "money_dearer": ("10y real yield, 13 wk", "%", "10-year real yield (DFII10)"),
    "divergence": (
        "Memory ÷ spec, 6 mo",
        "index",
        "memory basket ÷ speculative basket, 100 six months before the as-of date",
    ),
    "liquidity_sensitivity": (
        "Beta gap, 26 wk",
        "% per $100B",
        "speculative − memory beta to Δ net liquidity, simple 26-week OLS",
    ),
    "leverage_flushes": ("Liquidations / wk", "$M", "BTC + ETH liquidations per whole week"),
}


def scorecard_history(inputs: dict, dates) -> pd.DataFrame:
    """The verdict of every claim on each date: dates × claim keys (CLAIMS order).

    Every claim uses only what was public on its date, so one set of inputs serves all dates.
    """
    rows = {pd.Timestamp(d): scorecard(inputs, d)["verdict"].to_list() for d in dates}
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(CLAIMS))
    frame.index.name = "date"
    return frame


def history_dates(asof, months: int = 24, extra=()) -> pd.DatetimeIndex:
    """The last `months` month-ends before `asof`, `asof` itself and any `extra` dates up to it."""
    asof = pd.Timestamp(asof)
    month_ends = pd.date_range(end=asof, periods=months + 1, freq="ME")
    extra = pd.DatetimeIndex(pd.to_datetime(list(extra)))
    return month_ends.union(extra[extra <= asof]).union(pd.DatetimeIndex([asof]))


__all__ = [
    "CLAIMS",
    "COLUMNS",
    "RULES",
    "TRENDS",
    "VERDICTS",
    "Verdict",
    "capex_accelerating",
    "capex_outruns_cash",
    "divergence",
    "evaluate",
    "history_dates",
    "leverage_flushes",
    "liquidity_sensitivity",
    "money_dearer",
    "scorecard",
    "scorecard_history",
    "scorecard_with_trends",
    "trends",
    "tub_draining",
]
