"""The thesis scorecard: one pre-declared, look-ahead-free test per claim (issues #7, #13).

Each claim is a pure function of plain pandas inputs and an `asof` date. It uses only what was
public at `asof`: capex quarters from the filing that reported them (a restatement from its
own filing; hand-compiled quarters without a filing date from quarter end + 45 days), net
liquidity from the day after its H.4.1 Wednesday (`known_at`), market prices and yields at
their own close, liquidation buckets once they have ended; FRED series as their vintages knew
them when the caller stored vintages (`basis` says which). Each returns a `Verdict`:
"supported", "not supported" or "inconclusive", an effect size with its unit, a 95% interval
where the rule has one (moving-block bootstrap over weeks or days, HAC for the regression;
`stats`), the number of observations, the evidence window, the basis and the rule.

Coverage is part of every verdict. A claim whose inputs fail their coverage rule (a capex
quarter without companies holding 80% of the base capex, a week without all its liquidation
buckets, a yield that stopped) is inconclusive and `reason` names the input and where its data
end; `coverage` says what the evidence covers ("4/5 companies …", "BTC+ETH … to 2025-11-14")
and `data_end` is the last observation of the input that binds.

Each claim computes the quantity its rule tests once, as a series known at each date up to
`asof`; the verdict reads it and the same series is the card's sparkline (`Verdict.trend`).
`scorecard` evaluates every claim from a dict of inputs; `liquidity.api.load_scorecard` gathers
those inputs from a library, truncated at `asof`, and calls it. `placebo` replays every claim on
2017–2019, before the AI capex cycle, and flags a test that "supports" the thesis there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from liquidity.analytics import capex, stats, xbrl
from liquidity.analytics import liquidations as liq
from liquidity.analytics.divergence import (
    MAX_CARRY,
    liquidity_factors,
    rolling_sensitivity,
    sensitivity,
)
from liquidity.analytics.drain_gauge import CAPEX_MAX_AGE, change_over_weeks
from liquidity.core.calendar import H41_LAG, known_at, latest_on_or_before

SUPPORTED, NOT_SUPPORTED, INCONCLUSIVE = "supported", "not supported", "inconclusive"
VERDICTS = (SUPPORTED, NOT_SUPPORTED, INCONCLUSIVE)
COLUMNS = [
    "claim",
    "verdict",
    "effect",
    "unit",
    "ci_low",
    "ci_high",
    "n",
    "window_start",
    "window_end",
    "coverage",
    "data_end",
    "basis",
    "reason",
    "rule",
]

WEEKS = 13
NET_MAX_AGE = pd.Timedelta(days=14)  # a weekly print known at asof may be at most two weeks old
MIN_SENSITIVITY_WEEKS = 52
SENSITIVITY_WEEKS = 104
FLUSH_RATIO = 1.2
MIN_FLUSH_WEEKS = 20
FLUSH_WEEKS = 104
MIN_MEMBER_SHARE = 2 / 3  # of a basket's members trading, on the day a return is read
CASH_MIN_SHARE = 0.8  # of the window's capex held by the companies complete in all 8 quarters
SCARCITY_RECENT = pd.Timedelta(days=28)
SCARCITY_HISTORY = pd.Timedelta(days=730)
MIN_SCARCITY_RECENT, MIN_SCARCITY_HISTORY = 15, 250  # business days
SCARCITY_BLOCK = 5  # days: a week of funding-market prints moves together
NET_SCALE = 1e4  # weekly fraction per $1B -> % weekly return per $100B (baskets.FACTOR_SCALES)
DEFAULT_BUCKET = pd.Timedelta(hours=4)  # CoinGlass aggregated history
TREND_QUARTERS = 12
TREND_WEEKS = 26
PLACEBO_DATES = pd.date_range("2017-03-31", "2019-12-31", freq="QE")
PLACEBO_FLAG_SHARE = 0.25  # a 95% test should say "supported" by chance far less often

CLAIMS = {
    "capex_accelerating": "Hyperscaler capex is accelerating",
    "capex_outruns_cash": "Capex is outrunning operating cash flow",
    "tub_draining": "The tub drains while capex grows",
    "reserve_scarcity": "Reserves are getting scarce",
    "money_dearer": "Money is getting dearer",
    "divergence": "Memory makers beat speculative assets",
    "liquidity_sensitivity": "Speculative assets are more liquidity-sensitive than memory",
    "leverage_flushes": "Leverage flushes cluster in draining weeks",
    "supply_channel": "Hyperscaler + Treasury duration supply rises while reserves fall",
}

RULES = {
    "capex_accelerating": (
        "On the latest quarter whose panel is covered (companies holding ≥ 80% of the base "
        "year's capex report both quarters), supported when the group's trailing-four-quarter "
        "capex grows year over year and faster than the same panel a year earlier; quarters "
        "count from the filing that reported them (hand-compiled ones from their end + 45 days)."
    ),
    "capex_outruns_cash": (
        "Supported when group capex ÷ operating cash flow over the last 4 known quarters exceeds "
        "the same ratio over the 4 quarters before, for the companies reporting both in all 8 "
        "(quarters known from their filing dates); inconclusive unless those companies hold "
        "≥ 80% of the window's capex."
    ),
    "tub_draining": (
        "Over the 13 weeks of net liquidity known at the as-of date (H.4.1 public the day after "
        "its Wednesday), supported when the 95% block-bootstrap interval of the 13-week drift is "
        "below zero while covered capex growth is positive; not supported when the interval is "
        "at or above zero or capex is not growing. The card names which part drained: Fed "
        "assets, the Treasury account or reverse repo."
    ),
    "reserve_scarcity": (
        "Supported when the 4-week mean of SOFR − IORB is above its trailing 2-year median "
        "(95% block-bootstrap interval above zero) and EFFR − IORB is above its own median too; "
        "not supported when the interval is below zero."
    ),
    "money_dearer": (
        "Supported when the 13-week changes of the 10-year real yield (DFII10) and of the "
        "high-yield spread (HY OAS) are both above zero, not supported when both are below "
        "zero, inconclusive when they disagree or either stopped more than 7 days before."
    ),
    "divergence": (
        "Supported when the memory basket's return beats the speculative basket's over both the "
        "last 3 and the last 6 calendar months to the as-of date (closes at most 7 days old); "
        "inconclusive unless each basket holds 2/3 of its members on the as-of date's close."
    ),
    "liquidity_sensitivity": (
        "One regression over the last 104 weeks (at least 52): the weekly memory − speculative "
        "return spread on Δ net liquidity, Δ real yield and the S&P 500, Newey-West errors. "
        "Supported when the 95% interval of speculative − memory beta to Δ net liquidity is "
        "above zero, not supported when below, inconclusive when it includes zero."
    ),
    "leverage_flushes": (
        "Over up to 104 weeks whose liquidation buckets are all present (at least 20), "
        "supported when mean weekly liquidations in weeks opening after a known fall in net "
        "liquidity ÷ those in other weeks has a 95% block-bootstrap interval above 1; not "
        "supported when the interval is below 1.2."
    ),
    "supply_channel": (
        "On the latest calendar quarter public at the as-of date (45 days after it ends) and the "
        "one before, supply = the Treasury's net marketable cash raised (auction settlements − "
        "maturities, only where the auction data give both for the whole quarter) + the "
        "hyperscalers' debt issued (XBRL, every company reporting). Supported when supply rose "
        "and reserves (WRESBAL, quarter-end Wednesdays) fell over the quarter; not supported "
        "when supply did not rise or reserves did not fall; inconclusive when either quarter's "
        "supply or the reserves change is missing. One quarter pair: no interval."
    ),
}


SUPPLY_PUBLIC_LAG = pd.Timedelta(days=45)  # a quarter's 10-Qs are filed within 40-45 days

# The inputs each claim reads, by the names `inputs["basis"]` uses to say what an input's
# values as of a date rest on (filing dates, vintages, or revised data cut at the date).
CLAIM_INPUTS = {
    "capex_accelerating": ("capex",),
    "capex_outruns_cash": ("capex", "operating cash flow"),
    "tub_draining": ("net liquidity", "capex"),
    "reserve_scarcity": ("funding rates",),
    "money_dearer": ("real yield", "HY OAS"),
    "divergence": ("prices",),
    "liquidity_sensitivity": ("prices", "net liquidity", "real yield"),
    "leverage_flushes": ("liquidations", "net liquidity"),
    "supply_channel": ("debt supply", "reserves"),
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
    ci_low: float | None = None
    ci_high: float | None = None
    n: int | None = None  # observations behind the effect (weeks, days, companies)
    coverage: str = ""  # what the evidence covers
    data_end: pd.Timestamp | None = None  # last observation of the input that binds
    basis: str = ""  # per input, what its values as of the date rest on (CLAIM_INPUTS)
    reason: str = ""  # why the verdict is inconclusive, or what decided it
    # The quantity the rule tests, as known at each date up to the as-of date (TRENDS' unit).
    trend: pd.Series = field(default_factory=_no_trend, compare=False, repr=False)

    def row(self) -> dict:
        return {c: getattr(self, c) for c in COLUMNS}


def _number(value) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _when(value) -> pd.Timestamp | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value)


def _verdict(key, verdict, effect=None, unit="", start=None, end=None, **extra) -> Verdict:
    trend = extra.pop("trend", None)
    ci = extra.pop("ci", (None, None))
    n = extra.pop("n", None)
    return Verdict(
        CLAIMS[key],
        verdict,
        _number(effect),
        unit,
        _when(start),
        _when(end),
        RULES[key],
        ci_low=_number(ci[0]),
        ci_high=_number(ci[1]),
        n=None if n is None else int(n),
        coverage=extra.pop("coverage", ""),
        data_end=_when(extra.pop("data_end", None)),
        reason=extra.pop("reason", ""),
        trend=_no_trend() if trend is None else trend,
        **extra,
    )


def _inconclusive(key, unit="", start=None, end=None, **extra) -> Verdict:
    return _verdict(key, INCONCLUSIVE, None, unit, start, end, **extra)


def _day(ts) -> str:
    return f"{pd.Timestamp(ts):%Y-%m-%d}"


def _interval_verdict(low: float, high: float, above: float, below: float) -> str:
    """Supported when the whole interval is above `above`, not supported when it is below
    `below`, inconclusive otherwise (or when it is undefined)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return INCONCLUSIVE
    if low > above:
        return SUPPORTED
    if high < below:
        return NOT_SUPPORTED
    return INCONCLUSIVE


# -- capex ---------------------------------------------------------------------------------------


def known_quarters(table: pd.DataFrame | None, asof: pd.Timestamp) -> pd.DataFrame:
    """Quarter × ticker values public at `asof`. `table` is either versions
    (`capex.VERSION_COLUMNS`: each value from the day its filing was made, restatements from
    theirs) or a quarter × ticker table of values without filing dates, public from quarter
    end + 45 days."""
    if table is None or table.empty:
        return pd.DataFrame()
    return capex.as_known(_versions(table), asof)


def public_dates(table: pd.DataFrame | None, quarters, asof) -> pd.DatetimeIndex:
    """The day each of `quarters` became public as a group quarter (`capex.first_public`),
    for `table` in either form `known_quarters` takes."""
    quarters = pd.PeriodIndex(quarters, freq="Q")
    if table is None or table.empty:
        return capex.available_at(quarters)
    public = capex.first_public(_versions(table), asof).reindex(quarters)
    return pd.DatetimeIndex(public.to_numpy(), name="public")


def _versions(table: pd.DataFrame) -> pd.DataFrame:
    return table if "known" in table.columns else capex.assumed_versions(table)


def ttm_panel(capex_table: pd.DataFrame | None, asof) -> pd.DataFrame:
    """`capex.panel_growth` of the companies' TTM capex, for quarters known at `asof`, with
    `public`: the day each quarter became public as a group quarter (`public_dates`)."""
    table = known_quarters(capex_table, pd.Timestamp(asof))
    if table.empty:
        empty = capex.panel_growth(pd.DataFrame(index=pd.PeriodIndex([], freq="Q")))
        return empty.assign(public=pd.Series(dtype="datetime64[us]"))
    ttms = pd.DataFrame({t: xbrl.ttm(table[t]) for t in table.columns}, index=table.index)
    panel = capex.panel_growth(ttms)
    return panel.assign(public=public_dates(capex_table, panel.index, asof))


def covered_growth(
    capex_table: pd.DataFrame | None, asof, panel: pd.DataFrame | None = None
) -> pd.Series:
    """Covered-panel TTM capex growth (%), indexed by the date each quarter became public;
    `panel` is `ttm_panel(capex_table, asof)` when the caller has it already."""
    panel = ttm_panel(capex_table, asof) if panel is None else panel
    covered = panel[panel["covered"] & panel["growth_pct"].notna()]
    return capex.by_public_date(covered["growth_pct"], covered["public"])


def capex_accelerating(
    capex_table: pd.DataFrame | None, asof, panel: pd.DataFrame | None = None
) -> Verdict:
    """`panel`: `ttm_panel(capex_table, asof)` when the caller has it already."""
    key, unit = "capex_accelerating", "pp (TTM YoY growth now − a year earlier, same panel)"
    asof = pd.Timestamp(asof)
    panel = ttm_panel(capex_table, asof) if panel is None else panel
    covered_rows = panel[panel["covered"] & panel["growth_pct"].notna()].iloc[-TREND_QUARTERS:]
    trend = capex.by_public_date(covered_rows["growth_pct"], covered_rows["public"])
    if panel.empty:
        return _inconclusive(key, unit, trend=trend, reason="no capex quarters known")
    latest = panel.index[-1]
    covered = panel[panel["accel_covered"]]
    if covered.empty:
        return _inconclusive(
            key, unit, trend=trend, data_end=panel.loc[latest, "public"],
            reason=f"no quarter to {latest} where companies holding 80% of base capex "
            "report both years",
        )  # fmt: skip
    last = covered.index[-1]
    row = covered.loc[last]
    end = panel.loc[last, "public"]
    names = [t for t in str(row["accel_companies"]).split(",") if t]
    coverage = f"{last}: {len(names)} companies ({', '.join(names)}), {row['accel_share']:.0%} "
    coverage += "of base capex" + ("" if last == latest else f"; {latest} not yet covered")
    start = (last - 11).start_time  # the year-earlier growth's base TTM starts 12 quarters back
    extra = {"trend": trend, "coverage": coverage, "data_end": end, "n": len(names)}
    if asof - end > CAPEX_MAX_AGE:
        reason = f"the latest covered quarter, {last}, is older than {CAPEX_MAX_AGE.days} days"
        return _inconclusive(key, unit, start, end, reason=reason, **extra)
    now, accel = row["accel_now_pct"], row["accel_pp"]
    verdict = SUPPORTED if now > 0 and accel > 0 else NOT_SUPPORTED
    reason = f"TTM growth {now:+.1f} % in {last} vs {row['accel_then_pct']:+.1f} % a year earlier"
    return _verdict(key, verdict, accel, unit, start, end, reason=reason, **extra)


def capex_outruns_cash(capex_table: pd.DataFrame | None, ocf_table: pd.DataFrame | None, asof):
    key, unit = "capex_outruns_cash", "pp of OCF (capex/OCF last 4Q − prior 4Q)"
    asof = pd.Timestamp(asof)
    cap, ocf = known_quarters(capex_table, asof), known_quarters(ocf_table, asof)
    if cap.empty or ocf.empty:
        missing = "capex" if cap.empty else "operating cash flow"
        return _inconclusive(key, unit, reason=f"no {missing} quarters known")
    quarters, complete = _cash_window(cap, ocf)
    start, end = quarters[0].start_time, public_dates(capex_table, quarters[-1:], asof)[0]
    held = cap.reindex(quarters)
    total = held.sum().sum()
    share = held[complete].sum().sum() / total if total > 0 else 0.0
    coverage = (
        f"{len(complete)}/{cap.shape[1]} companies ({', '.join(complete) or 'none'}) in all 8 "
        f"quarters {quarters[0]}–{quarters[-1]}, {share:.0%} of their capex"
    )
    if not complete or share < CASH_MIN_SHARE:
        return _inconclusive(
            key, unit, start, end, coverage=coverage, data_end=end,
            reason=f"companies reporting all 8 quarters hold {share:.0%} of capex (< 80%)",
        )  # fmt: skip
    # Per quarter, the companies' 4-quarter sums of capex and of OCF, for the whole history of
    # the companies complete in the window: the verdict reads two of them, the card all.
    span = pd.period_range(min(cap.index.min(), ocf.index.min()), quarters[-1], freq="Q")
    cap_4q, ocf_4q = (
        table.reindex(span)[complete].sum(axis=1, min_count=len(complete)).rolling(4).sum()
        for table in (cap, ocf)
    )
    ratio = (100.0 * cap_4q / ocf_4q).dropna().iloc[-TREND_QUARTERS:]
    trend = capex.by_public_date(ratio, public_dates(capex_table, ratio.index, asof))
    before, now = quarters[3], quarters[-1]
    extra = {"trend": trend, "coverage": coverage, "data_end": end, "n": len(complete)}
    if ocf_4q[before] <= 0 or ocf_4q[now] <= 0:
        return _inconclusive(key, unit, start, end, reason="operating cash flow ≤ 0", **extra)
    ratio_before = cap_4q[before] / ocf_4q[before]
    ratio_now = cap_4q[now] / ocf_4q[now]
    effect = 100.0 * (ratio_now - ratio_before)
    verdict = SUPPORTED if ratio_now > ratio_before else NOT_SUPPORTED
    return _verdict(key, verdict, effect, unit, start, end, **extra)


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


# -- net liquidity and the funding market ----------------------------------------------------


def known_net(net_weekly_b: pd.Series | None, asof) -> pd.Series:
    """Net liquidity by observation Wednesday, only the prints public at `asof`."""
    if net_weekly_b is None:
        return pd.Series(dtype="float64", index=pd.DatetimeIndex([]))
    net = net_weekly_b.dropna().sort_index()
    return net[net.index + H41_LAG <= pd.Timestamp(asof)]


PARTS = {
    "walcl_b": ("Fed assets", 1.0),
    "tga_b": ("Treasury account", -1.0),
    "rrp_b": ("RRP", -1.0),
}


def _drained_by(parts: pd.DataFrame | None, base, latest) -> str:
    """Each part's contribution to the change in net liquidity from `base` to `latest` ($B;
    a rising Treasury account or reverse repo drains), largest drain first."""
    if parts is None or base not in parts.index or latest not in parts.index:
        return "parts not in the data"
    moves = {  # + 0.0 turns −0.0 (a flat RRP) into 0.0
        label: sign * (parts.at[latest, column] - parts.at[base, column]) + 0.0
        for column, (label, sign) in PARTS.items()
        if column in parts
    }
    moves = {k: v for k, v in moves.items() if math.isfinite(v)}
    if not moves:
        return "parts not in the data"
    return ", ".join(f"{k} {v:+,.0f}" for k, v in sorted(moves.items(), key=lambda kv: kv[1]))


def tub_draining(
    net_weekly_b: pd.Series | None,
    capex_table: pd.DataFrame | None,
    asof,
    net_parts: pd.DataFrame | None = None,
    panel: pd.DataFrame | None = None,
) -> Verdict:
    """`panel`: `ttm_panel(capex_table, asof)` when the caller has it already."""
    key = "tub_draining"
    unit = "$B (13-week change in known net liquidity)"
    asof = pd.Timestamp(asof)
    known = known_net(net_weekly_b, asof)
    trend = known_at(known).iloc[-TREND_WEEKS - 1 :] if not known.empty else None
    if known.empty:
        return _inconclusive(key, unit, end=asof, trend=trend, reason="no net liquidity known")
    latest = known.index[-1]
    if asof - (latest + H41_LAG) > NET_MAX_AGE:
        return _inconclusive(
            key, unit, end=asof, trend=trend, data_end=latest,
            reason=f"net liquidity ends {_day(latest)} (H.4.1 older than two weeks)",
        )  # fmt: skip
    base = latest - pd.Timedelta(weeks=WEEKS)
    weeks = pd.date_range(base, latest, freq="7D")
    window = known.reindex(weeks)
    coverage = f"{int(window.notna().sum())}/{len(weeks)} Wednesdays {_day(base)}–{_day(latest)}"
    extra = {"trend": trend, "data_end": latest, "coverage": coverage}
    if window.isna().any():
        gaps = ", ".join(_day(d) for d in window.index[window.isna()][:3])
        return _inconclusive(key, unit, base, latest + H41_LAG, reason=f"no print {gaps}", **extra)
    changes = window.diff().dropna().to_numpy()
    drift, low, high = (WEEKS * v for v in stats.mean_interval(changes))
    growth = latest_on_or_before(
        covered_growth(capex_table, asof, panel), pd.DatetimeIndex([asof]), CAPEX_MAX_AGE
    ).iloc[0]
    unit = f"$B (13-week change in known net liquidity: {_drained_by(net_parts, base, latest)})"
    extra |= {"ci": (low, high), "n": len(changes)}
    if not math.isfinite(growth):
        return _inconclusive(
            key, unit, base, latest + H41_LAG, reason="no covered capex growth known", **extra
        )
    if growth <= 0 or low >= 0:
        verdict = NOT_SUPPORTED
    else:
        verdict = SUPPORTED if high < 0 else INCONCLUSIVE
    reason = f"covered capex growth {growth:+.1f} %"
    if verdict == INCONCLUSIVE:
        reason = f"the 13-week drift's 95% interval includes zero; {reason}"
    return _verdict(key, verdict, drift, unit, base, latest + H41_LAG, reason=reason, **extra)


def reserve_scarcity(spreads_bp: pd.DataFrame | None, asof) -> Verdict:
    """`spreads_bp`: daily SOFR − IORB and EFFR − IORB in basis points (price_of_money)."""
    key = "reserve_scarcity"
    unit = "bp (SOFR − IORB, 4-week mean − trailing 2-year median)"
    asof = pd.Timestamp(asof)
    frame = pd.DataFrame() if spreads_bp is None else spreads_bp.loc[:asof]
    sofr = frame["SOFR_IORB"].dropna() if "SOFR_IORB" in frame else pd.Series(dtype=float)
    if sofr.empty:
        return _inconclusive(key, unit, reason="SOFR − IORB not in the data (IORB from 2021-07-29)")
    trend = sofr.loc[asof - pd.Timedelta(weeks=TREND_WEEKS) :]
    last = sofr.index[-1]
    if asof - last > MAX_CARRY:
        return _inconclusive(
            key, unit, trend=trend, data_end=last, reason=f"SOFR − IORB ends {_day(last)}"
        )
    cut = asof - SCARCITY_RECENT  # recent: after it; history: the two years up to it
    recent = sofr[sofr.index > cut]
    history = sofr[(sofr.index > cut - SCARCITY_HISTORY) & (sofr.index <= cut)]
    coverage = f"{len(recent)} days vs {len(history)} days before, to {_day(last)}"
    extra = {"trend": trend, "data_end": last, "coverage": coverage, "n": len(recent)}
    start = history.index[0] if len(history) else cut
    if len(recent) < MIN_SCARCITY_RECENT or len(history) < MIN_SCARCITY_HISTORY:
        return _inconclusive(key, unit, start, last, reason="too few daily prints", **extra)
    median = float(history.median())
    mean, low, high = stats.mean_interval(recent.to_numpy(), block=SCARCITY_BLOCK)
    effr = frame["EFFR_IORB"].dropna() if "EFFR_IORB" in frame else pd.Series(dtype=float)
    effr_before = effr[(effr.index > cut - SCARCITY_HISTORY) & (effr.index <= cut)]
    effr_gap = float(effr[effr.index > cut].mean() - effr_before.median())
    unit += f"; EFFR − IORB {effr_gap:+.1f} bp" if math.isfinite(effr_gap) else "; no EFFR − IORB"
    verdict = _interval_verdict(low - median, high - median, 0.0, 0.0)
    reason = f"SOFR − IORB {mean:+.1f} bp vs median {median:+.1f} bp"
    if verdict == SUPPORTED and not effr_gap > 0:
        verdict, reason = INCONCLUSIVE, f"{reason}, but EFFR − IORB is not above its median"
    elif verdict == INCONCLUSIVE:
        reason += "; the 95% interval includes zero"
    extra["ci"] = (low - median, high - median)
    return _verdict(key, verdict, mean - median, unit, start, last, reason=reason, **extra)


def money_dearer(real_yield_daily: pd.Series | None, hy_daily: pd.Series | None, asof):
    key = "money_dearer"
    unit = "pp (13-week Δ 10y real yield)"
    asof = pd.Timestamp(asof)
    start = asof - pd.Timedelta(weeks=WEEKS)
    dates = pd.DatetimeIndex([asof])
    trend = None if real_yield_daily is None else real_yield_daily.dropna().loc[start:asof]
    inputs = {"10-year real yield": real_yield_daily, "HY OAS": hy_daily}
    ends = {}
    for label, series in inputs.items():
        known = pd.Series(dtype=float) if series is None else series.dropna().loc[:asof]
        if known.empty:
            return _inconclusive(key, unit, start, asof, trend=trend, reason=f"no {label} data")
        ends[label] = known.index[-1]
    coverage = "; ".join(f"{label} to {_day(end)}" for label, end in ends.items())
    data_end = min(ends.values())
    extra = {"trend": trend, "coverage": coverage, "data_end": data_end}
    stale = [label for label, end in ends.items() if asof - end > MAX_CARRY]
    if stale:
        reason = "; ".join(f"{label} ends {_day(ends[label])}" for label in stale)
        return _inconclusive(key, unit, start, asof, reason=reason, **extra)
    real = float(change_over_weeks(real_yield_daily.loc[:asof], dates).iloc[0])
    hy = float(change_over_weeks(hy_daily.loc[:asof], dates).iloc[0])
    if not (math.isfinite(real) and math.isfinite(hy)):
        return _inconclusive(key, unit, start, asof, reason="no print 13 weeks earlier", **extra)
    unit = f"pp (13-week Δ 10y real yield; Δ HY OAS {hy:+.2f} pp)"
    if real > 0 and hy > 0:
        verdict = SUPPORTED
    elif real < 0 and hy < 0:
        verdict = NOT_SUPPORTED
    else:
        verdict = INCONCLUSIVE
        extra["reason"] = "the real yield and the HY spread moved in opposite directions"
    return _verdict(key, verdict, real, unit, start, asof, **extra)


# -- baskets -------------------------------------------------------------------------------------


def _return_pct(level: pd.Series, asof: pd.Timestamp, start: pd.Timestamp) -> float:
    values = latest_on_or_before(level.loc[:asof], pd.DatetimeIndex([asof, start]), MAX_CARRY)
    return 100.0 * (values.iloc[0] / values.iloc[1] - 1.0)


def _basket_shortfall(members: pd.DataFrame | None, name: str, day) -> tuple[str, str | None]:
    """(coverage, problem) of one basket on the last close on or before `day`: how many of the
    members that had begun trading count that day; a problem when fewer than 2/3 do."""
    if members is None or members.empty:
        return f"{name}: membership unknown", None
    upto = members.loc[:day]
    if upto.empty or day - upto.index[-1] > MAX_CARRY:
        return f"{name}: no close", f"no {name} basket close within 7 days of {_day(day)}"
    begun = upto.columns[upto.any()]
    present = [t for t in begun if upto.iloc[-1][t]]
    text = f"{name} {len(present)}/{len(begun)}"
    if len(present) < MIN_MEMBER_SHARE * len(begun):
        missing = ", ".join(t for t in begun if t not in present)
        return text, (
            f"the {name} basket holds {len(present)} of {len(begun)} members on "
            f"{_day(upto.index[-1])} ({missing} not in the data)"
        )
    return text, None


def divergence(
    memory_level: pd.Series | None,
    spec_level: pd.Series | None,
    asof,
    members: dict[str, pd.DataFrame] | None = None,
    excluded: dict[str, str] | None = None,
) -> Verdict:
    """`members`: {"memory": …, "speculative": …} date × ticker, True where the ticker's
    return counts that day (`divergence.membership`); `excluded`: tickers left out, and why."""
    key = "divergence"
    unit = "pp (smaller of the 3- and 6-month memory − speculative return gaps)"
    asof = pd.Timestamp(asof)
    start = asof - pd.DateOffset(months=6)
    if memory_level is None or spec_level is None:
        missing = "memory" if memory_level is None else "speculative"
        return _inconclusive(key, unit, start, asof, reason=f"no {missing} basket prices")
    ratio = (memory_level / spec_level).dropna().loc[start:asof]
    trend = 100.0 * ratio / ratio.iloc[0] if not ratio.empty else None
    ends = [s.dropna().loc[:asof].index.max() for s in (memory_level, spec_level)]
    data_end = min(ends) if all(pd.notna(e) for e in ends) else None
    members = members or {}
    texts, problems = [], []
    for name in ("memory", "speculative"):
        text, problem = _basket_shortfall(members.get(name), name, asof)
        texts.append(text)
        problems += [problem] if problem else []
    coverage = ", ".join(texts) + " members on the as-of date's close"
    if excluded:
        coverage += "; excluded: " + "; ".join(f"{t} ({why})" for t, why in excluded.items())
    extra = {"trend": trend, "coverage": coverage, "data_end": data_end}
    if problems:
        return _inconclusive(key, unit, start, asof, reason="; ".join(problems), **extra)
    gaps = [
        _return_pct(memory_level, asof, asof - pd.DateOffset(months=m))
        - _return_pct(spec_level, asof, asof - pd.DateOffset(months=m))
        for m in (3, 6)
    ]
    if not all(math.isfinite(g) for g in gaps):
        why = f"basket prices end {_day(data_end)}" if data_end is not None else "no prices"
        if data_end is not None and asof - data_end <= MAX_CARRY:
            why = f"no basket close within 7 days of {_day(start)}"
        return _inconclusive(key, unit, start, asof, reason=why, **extra)
    effect = min(gaps)
    verdict = SUPPORTED if effect > 0 else NOT_SUPPORTED
    reason = f"3 months {gaps[0]:+.1f} pp, 6 months {gaps[1]:+.1f} pp"
    return _verdict(key, verdict, effect, unit, start, asof, reason=reason, **extra)


def liquidity_sensitivity(
    spec_weekly: pd.Series | None,
    memory_weekly: pd.Series | None,
    factors: pd.DataFrame | None,
    asof,
    market_weekly: pd.Series | None = None,
    weeks: int = SENSITIVITY_WEEKS,
) -> Verdict:
    """One HAC regression of the weekly memory − speculative spread on Δ net liquidity, Δ real
    yield and the market (METHODS.md §5.4–5.5); the effect is speculative − memory beta."""
    key = "liquidity_sensitivity"
    unit = "% weekly return per $100B (speculative − memory beta, market-controlled)"
    asof = pd.Timestamp(asof)
    needed = {
        "speculative basket": spec_weekly,
        "memory basket": memory_weekly,
        "liquidity factors": factors,
        "S&P 500 returns": market_weekly,
    }
    missing = [name for name, value in needed.items() if value is None or len(value) == 0]
    if missing or "d_net_liquidity_b" not in factors:
        return _inconclusive(key, unit, reason="no " + ", ".join(missing or ["Δ net liquidity"]))
    spread = (memory_weekly - spec_weekly).rename("spread")
    regressors = factors.assign(market=market_weekly).loc[:asof]
    data = pd.concat([spread, regressors], axis=1).loc[:asof].dropna().iloc[-weeks:]
    fit = rolling_sensitivity(data["spread"], data[regressors.columns], MIN_SENSITIVITY_WEEKS)
    trend = (-NET_SCALE * fit["beta_d_net_liquidity_b"]).dropna().iloc[-TREND_WEEKS:]
    extra = {"trend": trend, "n": len(data)}
    if len(data):
        extra |= {"data_end": data.index[-1], "coverage": f"{len(data)} complete weeks"}
    if len(data) < MIN_SENSITIVITY_WEEKS:
        start = data.index[0] if len(data) else None
        end = data.index[-1] if len(data) else None
        reason = f"{len(data)} complete weeks (< {MIN_SENSITIVITY_WEEKS})"
        return _inconclusive(key, unit, start, end, reason=reason, **extra)
    row = sensitivity(data["spread"], data[regressors.columns]).loc["d_net_liquidity_b"]
    effect = -NET_SCALE * row["beta"]
    low, high = -NET_SCALE * row["ci_high"], -NET_SCALE * row["ci_low"]
    verdict = _interval_verdict(low, high, 0.0, 0.0)
    if verdict == INCONCLUSIVE:
        extra["reason"] = "the 95% interval includes zero"
    return _verdict(
        key, verdict, effect, unit, data.index[0], data.index[-1], ci=(low, high), **extra
    )


# -- liquidations --------------------------------------------------------------------------------


def leverage_flushes(
    liquidation_buckets: pd.DataFrame | None,
    net_weekly_b: pd.Series | None,
    asof,
    weeks: int = FLUSH_WEEKS,
    bucket: pd.Timedelta = DEFAULT_BUCKET,
    source: str = "",
) -> Verdict:
    """Weeks run Wednesday to Wednesday; a week is "draining" when the change in net liquidity
    known at its opening Wednesday (`liquidity_factors`) is below zero. Only weeks that ended by
    `asof` with every bucket present count (`liquidations.weekly_totals`): a week after the data
    stop is missing, not a week without liquidations."""
    key = "leverage_flushes"
    unit = "× (mean weekly liquidations, draining ÷ other weeks)"
    asof = pd.Timestamp(asof)
    if liquidation_buckets is None or liquidation_buckets.empty:
        return _inconclusive(key, unit, reason="no liquidation history")
    total = liquidation_buckets["total_usd"].astype("float64")
    if total.index.tz is not None:
        total.index = total.index.tz_convert(None)
    bucket = pd.Timedelta(bucket)
    total = total[total.index + bucket <= asof].dropna()
    if total.empty:
        return _inconclusive(key, unit, reason="no liquidation bucket ended by the as-of date")
    data_end = total.index[-1] + bucket
    weekly = liq.weekly_totals(total, bucket)
    weekly = weekly[weekly["covered"] & (weekly.index + pd.Timedelta(days=7) <= asof)]
    trend = weekly["total_usd"].iloc[-TREND_WEEKS:] / 1e6
    label = source or "liquidations"
    extra = {"trend": trend, "data_end": data_end}
    if net_weekly_b is None or weekly.empty:
        reason = "no net liquidity" if net_weekly_b is None else "no week with every bucket"
        return _inconclusive(key, unit, reason=reason, **extra)
    empty_yield = pd.Series(dtype="float64", index=pd.DatetimeIndex([]))
    change = liquidity_factors(net_weekly_b, empty_yield, weekly.index)["d_net_liquidity_b"]
    both = pd.concat([weekly["total_usd"], change], axis=1).dropna().iloc[-weeks:]
    start, end = (
        (both.index[0], both.index[-1] + pd.Timedelta(days=7)) if len(both) else (None,) * 2
    )
    extra |= {
        "n": len(both),
        "coverage": f"{label}, lower bound; {len(both)} complete weeks to {_day(data_end)}",
    }
    draining = both["d_net_liquidity_b"].to_numpy() < 0
    if len(both) < MIN_FLUSH_WEEKS or draining.all() or not draining.any():
        reason = f"{len(both)} complete weeks, {int(draining.sum())} draining"
        return _inconclusive(key, unit, start, end, reason=reason, **extra)
    ratio, low, high = stats.ratio_of_means_interval(both["total_usd"].to_numpy(), draining)
    verdict = _interval_verdict(low, high, 1.0, FLUSH_RATIO)
    reason = f"{int(draining.sum())} of {len(both)} weeks draining"
    if verdict == INCONCLUSIVE:
        reason += f"; the 95% interval reaches both 1× and {FLUSH_RATIO}×"
    return _verdict(key, verdict, ratio, unit, start, end, ci=(low, high), reason=reason, **extra)


# -- the supply channel ------------------------------------------------------------------------


def supply_channel(supply: pd.DataFrame | None, asof) -> Verdict:
    """`supply`: `duration_supply.quarterly` (quarter × COLUMNS)."""
    key, unit = "supply_channel", "$B (Δ duration supply, quarter on quarter)"
    asof = pd.Timestamp(asof)
    if supply is None or supply.empty:
        return _inconclusive(key, unit, reason="no auction, debt or reserves data")
    public = supply.index.end_time.normalize() + SUPPLY_PUBLIC_LAG
    known = supply[public <= asof]
    trend_rows = known["supply_b"].dropna().iloc[-TREND_QUARTERS:]
    trend = pd.Series(
        trend_rows.to_numpy(),
        index=pd.DatetimeIndex(trend_rows.index.end_time.normalize() + SUPPLY_PUBLIC_LAG),
        dtype="float64",
    )
    if len(known) < 2:
        return _inconclusive(key, unit, trend=trend, reason="fewer than two quarters public")
    last, before = known.index[-1], known.index[-2]
    row, prev = known.loc[last], known.loc[before]
    start, end = before.start_time, last.end_time.normalize()
    data_end = end + SUPPLY_PUBLIC_LAG
    coverage = (
        f"{last}: Treasury net {_b(row['treasury_net_b'])}, hyperscalers "
        f"{_b(row['hyperscaler_b'])} ({int(row['companies'])}/{int(row['hyperscalers'])} "
        "companies)"
    )
    extra = {"trend": trend, "coverage": coverage, "data_end": data_end, "n": 2}
    for quarter, values in ((last, row), (before, prev)):
        if pd.isna(values["treasury_net_b"]):
            reason = f"Treasury net cash raised in {quarter} unknown: {values['treasury_note']}"
            return _inconclusive(key, unit, start, end, reason=reason, **extra)
        if pd.isna(values["hyperscaler_b"]):
            reason = (
                f"hyperscaler debt issued in {quarter}: only {int(values['companies'])} of "
                f"{int(values['hyperscalers'])} companies report it"
            )
            return _inconclusive(key, unit, start, end, reason=reason, **extra)
    if pd.isna(row["d_reserves_b"]):
        reason = f"no reserves (WRESBAL) at the ends of {before} and {last}"
        return _inconclusive(key, unit, start, end, reason=reason, **extra)
    change = row["supply_b"] - prev["supply_b"]
    rose, fell = change > 0, row["d_reserves_b"] < 0
    verdict = SUPPORTED if rose and fell else NOT_SUPPORTED
    reason = (
        f"supply {prev['supply_b']:,.0f} → {row['supply_b']:,.0f} $B ({before} → {last}); "
        f"reserves {row['d_reserves_b']:+,.0f} $B over {last}"
    )
    return _verdict(key, verdict, change, unit, start, end, reason=reason, **extra)


def _b(value) -> str:
    return "n/a" if pd.isna(value) else f"{value:,.0f} $B"


# -- the card ------------------------------------------------------------------------------------


def evaluate(inputs: dict, asof) -> list[Verdict]:
    """Every claim's verdict (with its trend) on `asof`, in CLAIMS order; an input missing from
    `inputs` makes its claims inconclusive.

    Keys: capex_table, ocf_table (versions with filing dates, or quarter × ticker in USD; see
    `known_quarters`), net_weekly_b (by H.4.1 Wednesday),
    net_parts (walcl_b, tga_b, rrp_b by Wednesday), funding_spreads_bp (SOFR_IORB, EFFR_IORB
    daily), real_yield_daily, hy_daily, memory_level, spec_level (daily), basket_members
    ({"memory", "speculative"} → date × ticker membership), basket_excluded (ticker → reason),
    spec_weekly, memory_weekly, market_weekly, factors (`divergence.liquidity_factors`),
    liquidation_buckets (total_usd per bucket start), liquidation_bucket (their width, default
    4 hours), liquidation_source (what the buckets cover, in words), duration_supply
    (`duration_supply.quarterly`) and basis (input name in
    CLAIM_INPUTS → what its values as of a date rest on, in words).
    """
    asof = pd.Timestamp(asof)
    get = inputs.get
    bucket = get("liquidation_bucket", DEFAULT_BUCKET)
    panel = ttm_panel(get("capex_table"), asof)  # two claims read it: built once
    verdicts = [
        capex_accelerating(get("capex_table"), asof, panel),
        capex_outruns_cash(get("capex_table"), get("ocf_table"), asof),
        tub_draining(get("net_weekly_b"), get("capex_table"), asof, get("net_parts"), panel),
        reserve_scarcity(get("funding_spreads_bp"), asof),
        money_dearer(get("real_yield_daily"), get("hy_daily"), asof),
        divergence(
            get("memory_level"),
            get("spec_level"),
            asof,
            get("basket_members"),
            get("basket_excluded"),
        ),
        liquidity_sensitivity(
            get("spec_weekly"), get("memory_weekly"), get("factors"), asof, get("market_weekly")
        ),
        leverage_flushes(
            get("liquidation_buckets"),
            get("net_weekly_b"),
            asof,
            bucket=bucket,
            source=get("liquidation_source", ""),
        ),
        supply_channel(get("duration_supply"), asof),
    ]
    return [
        replace(v, basis=claim_basis(key, get("basis", {})))
        for key, v in zip(CLAIMS, verdicts, strict=True)
    ]


def claim_basis(key: str, basis: dict[str, str]) -> str:
    """What the claim's inputs as of a date rest on, input by input ("capex: point-in-time
    (SEC filing dates); net liquidity: revised data cut at the as-of date …")."""
    return "; ".join(f"{name}: {basis[name]}" for name in CLAIM_INPUTS[key] if name in basis)


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

    They illustrate direction; the verdict comes from the rule alone.
    """
    return scorecard_with_trends(inputs, asof)[1]


# What each card's sparkline draws, the quantity its rule tests as known at each date:
# (short label, unit, description).
TRENDS = {
    "capex_accelerating": ("TTM capex, YoY", "%", "covered-panel TTM capex growth year over year"),
    "capex_outruns_cash": ("Capex ÷ OCF, 4Q", "%", "group capex ÷ operating cash flow, 4Q"),
    "tub_draining": ("Net liquidity, 26 wk", "$B", "Fed net liquidity, last 26 weeks"),
    "reserve_scarcity": ("SOFR − IORB, 26 wk", "bp", "SOFR − IORB, daily"),
    "money_dearer": ("10y real yield, 13 wk", "%", "10-year real yield (DFII10)"),
    "divergence": (
        "Memory ÷ spec, 6 mo",
        "index",
        "memory basket ÷ speculative basket, 100 six months before the as-of date",
    ),
    "liquidity_sensitivity": (
        "Beta gap, 52 wk",
        "% per $100B",
        "speculative − memory beta to Δ net liquidity, the same regression on 52-week windows",
    ),
    "leverage_flushes": ("Liquidations / wk", "$M", "BTC + ETH liquidations per complete week"),
    "supply_channel": (
        "Duration supply, 12 q",
        "$B",
        "Treasury net cash raised + hyperscaler debt issued, per quarter",
    ),
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


def placebo(inputs: dict, dates=PLACEBO_DATES) -> pd.DataFrame:
    """Every claim replayed at the quarter-ends of 2017–2019, before the AI capex cycle.

    One row per claim key: supported, not_supported, inconclusive (counts of dates) and
    `flagged`, true when the claim is supported on at least a quarter of the dates: a test
    that finds the thesis before the cycle existed does not single out AI capex.
    """
    history = scorecard_history(inputs, dates)
    counts = pd.DataFrame(
        {
            "supported": (history == SUPPORTED).sum(),
            "not_supported": (history == NOT_SUPPORTED).sum(),
            "inconclusive": (history == INCONCLUSIVE).sum(),
        }
    )
    counts["flagged"] = counts["supported"] >= np.ceil(PLACEBO_FLAG_SHARE * len(history))
    counts.index.name = "claim"
    return counts


def changes_since(now: pd.DataFrame, before: pd.DataFrame) -> list[tuple[str, str, str]]:
    """(claim, verdict before, verdict now) for every claim whose verdict changed."""
    return [
        (claim, was, is_)
        for claim, was, is_ in zip(now["claim"], before["verdict"], now["verdict"], strict=True)
        if was != is_
    ]


def tally(table: pd.DataFrame) -> dict[str, int]:
    """How many claims have each verdict, in VERDICTS order."""
    counts = table["verdict"].value_counts()
    return {v: int(counts.get(v, 0)) for v in VERDICTS}


__all__ = [
    "CLAIMS",
    "CLAIM_INPUTS",
    "COLUMNS",
    "RULES",
    "TRENDS",
    "VERDICTS",
    "Verdict",
    "capex_accelerating",
    "capex_outruns_cash",
    "changes_since",
    "claim_basis",
    "divergence",
    "evaluate",
    "history_dates",
    "leverage_flushes",
    "liquidity_sensitivity",
    "money_dearer",
    "placebo",
    "reserve_scarcity",
    "scorecard",
    "scorecard_history",
    "scorecard_with_trends",
    "tally",
    "trends",
    "tub_draining",
]
