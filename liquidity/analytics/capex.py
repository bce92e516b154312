"""Calendar-quarter capex and cash-flow lines per company, from a data-pack capex frame.

A capex frame (`liquidity.load_dataset("capex/MSFT")`) mixes two sources, told apart by
`concept` (data/PROVENANCE.md §3):

- `us-gaap:*` rows from SEC XBRL frames: `fiscal_period` is `CYyyyyQn` (a calendar quarter) or
  `CYyyyy` (a 12-month calendar-year total, never a quarter by itself);
- `hand-compiled:*` rows from a spreadsheet: `fiscal_period` is `label:Qn yyyy`, a company's
  own quarter label, which for Oracle is a fiscal quarter.

Everything here is labelled by CALENDAR quarter so that companies with different fiscal years
can be added up (docs/SOURCES.md §1.9). The output of `quarterly` is deliberately generic
(quarter, value, source, concept, period_end) so that quarters derived from raw SEC facts can
later sit beside these with no change for the callers.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from liquidity.core.errors import ValidationError

# metric name -> concepts that measure it. For capex, MSFT and GOOGL file
# PaymentsToAcquirePropertyPlantAndEquipment, AMZN files PaymentsToAcquireProductiveAssets
# (gross of PP&E proceeds); the hand-compiled column carries no XBRL concept. The cash-flow lines
# exist only hand-compiled so far.
METRICS: dict[str, tuple[str, ...]] = {
    "capex": (
        "us-gaap:PaymentsToAcquirePropertyPlantAndEquipment",
        "us-gaap:PaymentsToAcquireProductiveAssets",
        "hand-compiled:Capital Expenditure",
    ),
    "operating_cash_flow": ("hand-compiled:Operating Cash Flow",),
    "buybacks": ("hand-compiled:Share Buybacks",),
}

SEC = "sec"
DERIVED = "derived"
HAND = "hand-compiled"
# Where sources cover the same quarter one is kept, never the sum: SEC wins because it is the
# filing itself; a Q4 derived from SEC annual and quarter rows still beats the spreadsheet.
_PRIORITY = {SEC: 0, DERIVED: 1, HAND: 2}
COLUMNS = ("value_usd", "source", "concept", "period_end")

_CY_QUARTER = re.compile(r"^CY(\d{4})Q([1-4])$")
_CY_YEAR = re.compile(r"^CY(\d{4})$")
# A fiscal quarter is ~91 days long, so its midpoint is ~45 days before it ends.
_HALF_QUARTER = pd.Timedelta(days=45)


def quarterly(frame: pd.DataFrame, metric: str = "capex", *, name: str = "capex") -> pd.DataFrame:
    """One row per calendar quarter with a value for `metric`, sorted by quarter.

    Index: `PeriodIndex(freq="Q")` named `quarter`. Columns: `value_usd` (float), `source`
    (`sec`, `hand-compiled`, or `derived` for a Q4 = calendar-year total minus Q1+Q2+Q3 of the same
    concept), `concept`, `period_end`. A quarter nobody reports is absent, never zero or filled.
    `name` only labels errors (e.g. "capex/MSFT"). Raises ValidationError when two rows of the same
    source land in one quarter with different values.
    """
    rows = _candidates(frame, metric, name)
    if rows.empty:
        return _empty()
    rows = rows.assign(_rank=rows["source"].map(_PRIORITY))
    best = rows.sort_values(["quarter", "_rank"]).drop_duplicates("quarter", keep="first")
    out = best.set_index("quarter")[list(COLUMNS)]
    out.index = pd.PeriodIndex(out.index, freq="Q", name="quarter")
    return out


def disagreements(
    frame: pd.DataFrame, metric: str = "capex", tolerance: float = 0.005, *, name: str = "capex"
) -> pd.DataFrame:
    """Quarters where an SEC (or SEC-derived) value and a hand-compiled value differ.

    The relative difference is |sec - hand| / max(|sec|, |hand|), symmetric so it does not matter
    which source is taken as right. Columns: `sec_usd`, `sec_source`, `hand_compiled_usd`,
    `relative_difference`; empty when the sources agree within `tolerance`.
    """
    rows = _candidates(frame, metric, name)
    sec = rows[rows["source"] != HAND].copy()
    sec["_rank"] = sec["source"].map(_PRIORITY)
    sec = sec.sort_values(["quarter", "_rank"]).drop_duplicates("quarter").set_index("quarter")
    hand = rows[rows["source"] == HAND].drop_duplicates("quarter").set_index("quarter")
    both = sec.index.intersection(hand.index).sort_values()
    a = sec.loc[both, "value_usd"].astype("float64")
    b = hand.loc[both, "value_usd"].astype("float64")
    scale = np.maximum(a.abs(), b.abs()).replace(0.0, np.nan)
    rel = ((a - b).abs() / scale).fillna(0.0)  # true zero: both values are 0, they agree
    out = pd.DataFrame(
        {
            "sec_usd": a,
            "sec_source": sec.loc[both, "source"],
            "hand_compiled_usd": b,
            "relative_difference": rel,
        }
    )
    out = out[out["relative_difference"] > tolerance]
    out.index = pd.PeriodIndex(out.index, freq="Q", name="quarter")
    return out


def group_table(frames: dict[str, pd.DataFrame], metric: str = "capex") -> pd.DataFrame:
    """Quarter x ticker table of `metric` in USD; NaN where a company has no value."""
    columns = {
        ticker: quarterly(frame, metric, name=f"capex/{ticker}")["value_usd"]
        for ticker, frame in frames.items()
    }
    table = pd.DataFrame(columns, columns=list(frames), dtype="float64")
    table.index = pd.PeriodIndex(table.index, freq="Q", name="quarter")
    return table.sort_index()


PANEL_MIN_SHARE = 0.8


def panel_growth(
    table: pd.DataFrame, periods: int = 4, min_share: float = PANEL_MIN_SHARE
) -> pd.DataFrame:
    """Group growth against `periods` quarters earlier, on a panel that covers the group.

    The panel of a quarter is every company whose series has begun and not yet ended there
    (first to last quarter it reports); a company the data do not track yet is not in it. A
    quarter counts (`covered`) only when the companies reporting in BOTH it and its base quarter
    hold at least `min_share` of the panel's capex in the base quarter. Weighing by the base
    stops a company that reports early (Oracle's fiscal quarter ends a month before the others')
    from standing for the group. A panel company with no base value has an unknown weight, so
    the share is unknown (NaN) and the quarter is not covered rather than weighed as zero.

    Acceleration compares growth now with growth a year earlier on ONE panel: the companies
    reporting in all three quarters (q, q − periods, q − 2·periods), which must hold
    `min_share` of the panel's capex in both base quarters. Otherwise growth now and growth then
    would describe different groups.

    Index: every quarter from the table's first to its last (a quarter nobody reports is a row,
    uncovered). Columns:
    `growth_pct` (percent; NaN unless `covered`), `companies` (comma-joined tickers used),
    `missing` (panel companies left out: no value now or in the base quarter), `base_share`
    (fraction 0-1 of the panel's base-quarter capex held by `companies`), `covered`;
    `accel_pp` (percentage points: `accel_now_pct` − `accel_then_pct`; NaN unless
    `accel_covered`), `accel_now_pct` and `accel_then_pct` (percent, growth now and a year
    earlier on `accel_companies`), `accel_companies`, `accel_share` (the smaller of the two base
    quarters' shares), `accel_covered`.
    """
    index = pd.PeriodIndex(table.index, freq="Q", name="quarter")
    quarters = (
        pd.period_range(index.min(), index.max(), freq="Q", name="quarter") if len(index) else index
    )
    now = table.set_axis(index).reindex(quarters).astype("float64")
    span = _in_span(now)
    base, base_span = _lagged(now, periods), _lagged(span, periods, False)
    then, then_span = _lagged(now, 2 * periods), _lagged(span, 2 * periods, False)

    used = now.notna() & base.notna()
    share = _share(base, used, base_span)
    covered = share >= min_share
    growth = _growth(now, base, used).where(covered)

    used3 = used & then.notna()
    accel_share = pd.concat(
        [_share(base, used3, base_span), _share(then, used3, then_span)], axis=1
    ).min(axis=1, skipna=False)
    accel_covered = accel_share >= min_share
    accel_now = _growth(now, base, used3).where(accel_covered)
    accel_then = _growth(base, then, used3).where(accel_covered)
    return pd.DataFrame(
        {
            "growth_pct": growth,
            "companies": _names(used),
            "missing": _names((span | base_span) & ~used),
            "base_share": share,
            "covered": covered,
            "accel_pp": accel_now - accel_then,
            "accel_now_pct": accel_now,
            "accel_then_pct": accel_then,
            "accel_companies": _names(used3),
            "accel_share": accel_share,
            "accel_covered": accel_covered,
        },
        index=quarters,
    )


def _in_span(table: pd.DataFrame) -> pd.DataFrame:
    """True from a company's first reported quarter to its last, gaps included."""
    reported = table.notna()
    return (reported.cummax() & reported[::-1].cummax()[::-1]).astype(bool)


def _lagged(frame: pd.DataFrame, periods: int, fill_value=np.nan) -> pd.DataFrame:
    """The row `periods` quarters earlier on each row, found by quarter arithmetic."""
    earlier = frame.reindex(frame.index - periods, fill_value=fill_value)
    earlier.index = frame.index
    return earlier


def _share(base: pd.DataFrame, used: pd.DataFrame, in_panel: pd.DataFrame) -> pd.Series:
    """Fraction of the panel's base capex held by `used`; NaN when a panel weight is unknown."""
    unknown = (in_panel & base.isna()).any(axis=1)
    panel = base.sum(axis=1, min_count=1)
    share = base.where(used).sum(axis=1) / panel.where(panel > 0)
    return share.where(~unknown)


def _growth(now: pd.DataFrame, base: pd.DataFrame, used: pd.DataFrame) -> pd.Series:
    total = now.where(used).sum(axis=1, min_count=1)
    base_total = base.where(used).sum(axis=1, min_count=1)
    return (total / base_total.where(base_total > 0) - 1.0) * 100.0


def _names(mask: pd.DataFrame) -> list[str]:
    names = mask.columns.astype(str).to_numpy()
    return [",".join(names[row]) for row in mask.to_numpy()]


def available_at(quarters: pd.PeriodIndex, lag_days: int = 45) -> pd.DatetimeIndex:
    """The date each quarter's value is assumed public: calendar quarter end + `lag_days`.

    Assumption, for look-ahead-free statistics: large accelerated filers must file a 10-Q within
    40 days of quarter end and usually publish the cash-flow statement earlier with earnings, so
    45 days covers Q1-Q3. The 10-K deadline is 60 days, so a Q4 (and a derived Q4, which needs
    the annual figure) may be public a little later than 45 days if the earnings release lacks the
    cash-flow statement; pass `lag_days=60` to be strict. A quarter placed by midpoint ends on or
    before the calendar quarter end for the pack's companies (ORCL's end a month early), so the
    lag only errs late for them; a fiscal quarter ending after the calendar one (NVDA, late
    January) would need a larger lag.
    """
    ends = pd.PeriodIndex(quarters, freq="Q").end_time.normalize()
    return pd.DatetimeIndex(ends + pd.Timedelta(days=lag_days), name="available_at")


# What a quarter's public date rests on: the filing that reported it, or the rule above.
FILED = "filing date"
ASSUMED = "quarter end + 45 days"
VERSION_COLUMNS = ("quarter", "ticker", "known", "value_usd", "basis")


def assumed_versions(table: pd.DataFrame, lag_days: int = 45) -> pd.DataFrame:
    """A quarter × ticker table of values without filing dates as versions (VERSION_COLUMNS),
    each public from `available_at` (hand-compiled rows: the 45-day rule, basis ASSUMED)."""
    quarters = pd.PeriodIndex(table.index, freq="Q", name="quarter")
    long = table.set_axis(quarters).rename_axis(columns="ticker").stack(future_stack=True)
    long = long.dropna().rename("value_usd").reset_index()
    long["known"] = available_at(pd.PeriodIndex(long["quarter"], freq="Q"), lag_days)
    return long.assign(basis=ASSUMED).loc[:, list(VERSION_COLUMNS)]


def as_known(versions: pd.DataFrame, asof) -> pd.DataFrame:
    """Quarter × ticker table of the values public at `asof`: per cell, the latest version with
    `known` ≤ `asof` (a quarter filed later is absent, a restatement filed later is not seen)."""
    public = versions[versions["known"] <= pd.Timestamp(asof)]
    latest = public.sort_values("known", kind="stable").drop_duplicates(
        ["quarter", "ticker"], keep="last"
    )
    table = latest.pivot(index="quarter", columns="ticker", values="value_usd")
    tickers = list(dict.fromkeys(versions["ticker"]))
    table = table.reindex(columns=[t for t in tickers if t in table.columns])
    table.index = pd.PeriodIndex(table.index, freq="Q", name="quarter")
    table.columns.name = None
    return table.sort_index().astype("float64")


def first_public(versions: pd.DataFrame, asof) -> pd.Series:
    """Per quarter, the day its last reporting company (of those public at `asof`) first made
    it public: from then on the quarter reads as the group's, indexed by quarter."""
    public = versions[versions["known"] <= pd.Timestamp(asof)]
    first = public.groupby(["quarter", "ticker"], observed=True)["known"].min()
    out = first.groupby(level="quarter").max().rename("public")
    out.index = pd.PeriodIndex(out.index, freq="Q", name="quarter")
    return out.sort_index()


def by_public_date(frame: pd.DataFrame | pd.Series, public) -> pd.DataFrame | pd.Series:
    """Quarter-indexed rows re-indexed by the day each quarter became public (`public`, one
    per row), for "the latest public on a date" lookups: a filing can make several quarters
    public on one day, and only the newest quarter public on a day counts. A row without a
    public day (a quarter no company reported) is left out."""
    ordinals = pd.PeriodIndex(frame.index, freq="Q").asi8
    out = frame.set_axis(pd.DatetimeIndex(public, name="public"))
    dated = out.index.notna()
    out, ordinals = out[dated], ordinals[dated]
    order = np.argsort(out.index.to_numpy(), kind="stable")
    out, ordinals = out.iloc[order], ordinals[order]
    newest = ordinals >= np.maximum.accumulate(ordinals) if len(ordinals) else ordinals.astype(bool)
    out = out[newest]
    return out[~out.index.duplicated(keep="last")]


def version_basis(versions: pd.DataFrame) -> str:
    """In words, what the public dates of `versions` rest on (the scorecard's `basis`)."""
    assumed = versions[versions["basis"] == ASSUMED]
    if assumed.empty:
        return "point-in-time (SEC filing dates)"
    if len(assumed) == len(versions):
        return f"{ASSUMED} (no filing dates)"
    first, last = assumed["quarter"].min(), assumed["quarter"].max()
    return (
        f"point-in-time (SEC filing dates); {len(assumed)} hand-compiled company-quarters "
        f"({first}–{last}) public from {ASSUMED}"
    )


def _empty() -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "value_usd": pd.Series(dtype="float64"),
            "source": pd.Series(dtype=str),
            "concept": pd.Series(dtype=str),
            "period_end": pd.Series(dtype="datetime64[ns]"),
        }
    )
    out.index = pd.PeriodIndex([], freq="Q", name="quarter")
    return out


def _source(concept: str) -> str:
    return SEC if concept.startswith("us-gaap:") else HAND


def _candidates(frame: pd.DataFrame, metric: str, name: str) -> pd.DataFrame:
    """Every value that could stand for a quarter, one per (quarter, source), checked."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; expected one of {', '.join(METRICS)}")
    rows = frame[frame["concept"].isin(METRICS[metric]) & frame["value_usd"].notna()]
    fp = rows["fiscal_period"].astype(str)
    cy_quarter = fp.str.extract(_CY_QUARTER)
    cy_year = fp.str.extract(_CY_YEAR)[0]
    label = fp.str.startswith("label:")
    unknown = cy_quarter[0].isna() & cy_year.isna() & ~label
    if unknown.any():
        i = unknown.to_numpy().argmax()
        raise ValidationError(
            name, f"unrecognised fiscal_period {fp.iloc[i]!r} for {rows['concept'].iloc[i]}"
        )
    record = pd.DataFrame(
        {
            "value_usd": rows["value_usd"].astype("float64"),
            "source": np.where(rows["concept"].str.startswith("us-gaap:"), SEC, HAND),
            "concept": rows["concept"],
            "period_end": pd.to_datetime(rows["period_end"]),
        }
    )
    quarter = pd.Series(pd.NaT, index=rows.index, dtype="period[Q-DEC]")
    is_cyq = cy_quarter[0].notna()
    quarter[is_cyq] = pd.PeriodIndex(
        (cy_quarter.loc[is_cyq, 0] + "Q" + cy_quarter.loc[is_cyq, 1]).tolist(), freq="Q"
    )
    # A label may be a fiscal quarter (ORCL), so place it by where it lies in time.
    quarter[label] = (record.loc[label, "period_end"] - _HALF_QUARTER).dt.to_period("Q")
    quarters = record[is_cyq | label].assign(quarter=quarter[is_cyq | label])
    annual = record[cy_year.notna()].assign(year=cy_year.dropna().astype(int))
    quarters = quarters[["quarter", *COLUMNS]].reset_index(drop=True)
    annual = annual[["year", *COLUMNS]].reset_index(drop=True)
    found = _one_per(quarters, ["quarter", "source"], name)
    years = _one_per(annual, ["year", "concept"], name)
    derived = _one_per(_derive_q4(found, years), ["quarter", "source"], name)
    found = found.drop_duplicates(["quarter", "source"]).reset_index(drop=True)
    parts = [d for d in (found, derived) if not d.empty]
    return pd.concat(parts, ignore_index=True) if parts else found


def _one_per(rows: pd.DataFrame, key: list[str], name: str) -> pd.DataFrame:
    """Refuse repeats that disagree, since neither can be preferred; keep agreeing ones.

    Agreeing repeats stay (one per concept) so that a Q4 can be derived from either concept.
    """
    distinct = rows.groupby(key, sort=True)["value_usd"].nunique()
    conflicts = distinct[distinct > 1]
    if not conflicts.empty:
        ident = (
            conflicts.index[0] if isinstance(conflicts.index[0], tuple) else (conflicts.index[0],)
        )
        mask = (rows[key] == pd.Series(ident, index=key)).all(axis=1)
        values = ", ".join(f"{v:,.0f}" for v in rows.loc[mask, "value_usd"])
        raise ValidationError(name, f"conflicting values for {' '.join(map(str, ident))}: {values}")
    return rows.drop_duplicates(list(dict.fromkeys([*key, "concept"]))).reset_index(drop=True)


def _derive_q4(quarters: pd.DataFrame, years: pd.DataFrame) -> pd.DataFrame:
    """Q4 = calendar-year total - (Q1+Q2+Q3) of the same concept, never bridging a gap."""
    columns = ["quarter", *COLUMNS]
    if quarters.empty or years.empty:
        return pd.DataFrame(columns=columns)
    periods = pd.PeriodIndex(quarters["quarter"], freq="Q")
    first_three = quarters[periods.quarter <= 3].assign(year=periods.year[periods.quarter <= 3])
    sums = first_three.groupby(["concept", "year"])["value_usd"].agg(["sum", "size"]).reset_index()
    merged = years.merge(sums, on=["concept", "year"])
    merged = merged[merged["size"] == 3]  # all three quarters, or no Q4 at all
    reported = set(quarters.loc[quarters["source"] == SEC, "quarter"])
    merged = merged.assign(quarter=[pd.Period(f"{y}Q4", freq="Q") for y in merged["year"]])
    merged = merged[~merged["quarter"].isin(reported)]  # a reported quarter beats arithmetic
    return pd.DataFrame(
        {
            "quarter": merged["quarter"],
            "value_usd": merged["value_usd"] - merged["sum"],
            "source": DERIVED,
            "concept": merged["concept"],
            "period_end": merged["period_end"],
        },
        columns=columns,
    ).reset_index(drop=True)
