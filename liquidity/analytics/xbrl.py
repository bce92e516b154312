"""True calendar quarters from SEC XBRL facts, with provenance (docs/SOURCES.md §1.7).

Input is the flat fact table of `liquidity.sources.sec.parse_facts` (or the stored SEC frame of
`liquidity.data.frames.sec_frame`): one row per reported fact with `tag, unit, start, end, val,
accn, fy, fp, form, filed`. Companies report cash-flow lines as a mix of 3-month columns,
year-to-date columns and annual totals, repeat earlier periods as comparatives in later filings,
restate them, switch tags, and (Amazon) add trailing-twelve-month columns to 10-Qs. Only
`start`/`end` tell these apart; `fy`/`fp` describe the filing, not the period, and are never
used here.

- `quarterize` turns DURATION facts (capex, operating cash flow, revenue) into one value per
  calendar quarter, either reported directly or derived as the difference of two YTD facts.
- `balances` picks one INSTANT fact (cash, marketable securities) per calendar quarter.
- `versions` lists every value a quarter has had as the filings came in, each with the day it
  became public (point-in-time replays).
- `ttm` adds four consecutive quarters.

Everything is pure pandas: no I/O, no network, no streamlit. A quarter that cannot be computed
from what was filed is absent from the output, never zero and never interpolated.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import pandas as pd

UNIT = "USD"
# Periodic reports only: 8-Ks, S-1s and proxy statements carry facts too, but they are not the
# audited/reviewed statements a quarter series should rest on.
PERIODIC_FORMS = frozenset({"10-K", "10-K/A", "10-KT", "10-Q", "10-Q/A", "20-F", "40-F"})
# Forms that may legitimately carry a fiscal-year total. A year-long fact in any other periodic
# form (a 10-Q) is a trailing-twelve-month column (Amazon), not a fiscal year.
ANNUAL_FORMS = frozenset({"10-K", "10-K/A", "10-KT", "20-F", "40-F"})
# Inclusive day counts (end - start + 1). 77-105 covers 13- and 14-week quarters of 52/53-week
# years (and a one-week slack either way); 350-380 covers 52- and 53-week years.
QUARTER_DAYS = (77, 105)
YEAR_DAYS = (350, 380)
# Longest fact that can take part in a YTD chain: a (53-week) fiscal year.
MAX_CHAIN_DAYS = YEAR_DAYS[1]

DIRECT = "direct"
DERIVED = "derived"
QUARTER_COLUMNS = (
    "value_usd",
    "start",
    "end",
    "days",
    "method",
    "tag",
    "form",
    "accn",
    "filed",
    "derived_from",
)
BALANCE_COLUMNS = ("value_usd", "end", "tag", "form", "accn", "filed")
FACT_COLUMNS = ("tag", "unit", "start", "end", "val", "accn", "form", "filed")
_DAY = pd.Timedelta(days=1)


def duration_days(start: pd.Timestamp, end: pd.Timestamp) -> int:
    """Inclusive length of a reported period: SEC periods name their first and last day.

    Jan 1 - Mar 31 is 90 days apart but covers 91 days, and the quarter/year windows
    (`QUARTER_DAYS`, `YEAR_DAYS`) are stated in covered days.
    """
    return int((pd.Timestamp(end) - pd.Timestamp(start)).days) + 1


def is_quarter_length(days: int) -> bool:
    """True for a ~3-month period (13 or 14 weeks, with slack)."""
    return QUARTER_DAYS[0] <= days <= QUARTER_DAYS[1]


def is_year_length(days: int) -> bool:
    """True for a ~12-month period (52 or 53 weeks, with slack), fiscal year or TTM alike."""
    return YEAR_DAYS[0] <= days <= YEAR_DAYS[1]


def calendar_quarter(start: pd.Timestamp, end: pd.Timestamp) -> pd.Period:
    """The calendar quarter that contains the midpoint `start + (end - start) / 2`.

    Fiscal quarters of MSFT (Apr-Jun fiscal Q4 -> CY Q2), ORCL (Jun-Aug -> CY Q3) and NVDA
    (Oct 28 - Jan 26 -> CY Q4) straddle or trail calendar quarters; labelling by the midpoint puts
    each in the calendar quarter it mostly covers (the intent of the SEC's frames), so that
    companies with different fiscal years can be added up quarter by quarter. Labelling by `end`
    would push NVDA's Nov-Jan quarter into Q1 of the next year.
    """
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    return (start + (end - start) / 2).to_period("Q")


def quarterize(facts: pd.DataFrame, tags: Sequence[str]) -> pd.DataFrame:
    """One value per calendar quarter for a DURATION concept, per SOURCES.md §1.7.

    `tags` lists the concept's tags in priority order (e.g. AMZN capex:
    `["PaymentsToAcquireProductiveAssets", "PaymentsToAcquirePropertyPlantAndEquipment"]`).

    Steps:

    1. Keep USD duration facts (a `start` date) of the listed tags from periodic forms
       (`PERIODIC_FORMS`).
    2. Drop year-length facts (350-380 days) that come from a 10-Q: those are trailing-twelve-
       month columns (Amazon) and must neither pose as a fiscal year nor join a YTD chain. This
       runs before the dedupe so that a TTM column can never displace a 10-K's annual value.
    3. Per (tag, start, end) keep the fact filed last: restatements win, comparatives repeated in
       later filings collapse into one fact whatever their `fy`/`fp` stamps.
    4. Per (start, end) keep the first tag in `tags` order, so a company that switched tags
       between years yields one continuous series; the `tag` column records which one.
    5. Every quarter-length fact (77-105 days) is a quarter, `method="direct"`. When two
       quarter-length facts end on the same day, the one filed last is kept.
    6. Facts of at most 380 days that share a `start` form one fiscal year's YTD chain (3M, 6M,
       9M, FY). For consecutive (prev, cur) in `end` order whose ends are 77-105 days apart and
       where no quarter ending on `cur.end` exists yet, the quarter `prev.end + 1 day ... cur.end`
       is `cur.val - prev.val`, `method="derived"` (Q2 = 6M - 3M, Q3 = 9M - 6M, Q4 = FY - 9M).
       Gaps longer than one quarter are never bridged, so a missing YTD step leaves the quarter
       absent. Chains are walked in `start` order; the first quarter found for an end date stays.
    7. Each quarter is labelled by `calendar_quarter` (the midpoint). If two fiscal quarters land
       in the same calendar quarter (52/53-week calendars, a changed fiscal year end), the one
       with the LATER `end` is kept and the other dropped.

    Returns a frame indexed by a sorted `PeriodIndex(freq="Q", name="quarter")` with columns
    `QUARTER_COLUMNS`:

    - `value_usd` float, whole USD as filed (cash outflows such as capex are positive in XBRL);
    - `start`, `end`, `days` (inclusive) of the quarter itself (for a derived quarter,
      `start = prev.end + 1 day`);
    - `method` `"direct"` or `"derived"`;
    - `tag` the tag of the fact(s) used; for a derived quarter whose two facts carry different
      tags (a tag switch inside a fiscal year) it reads `"<cur tag> - <prev tag>"`, mirroring the
      subtraction, so the mix is visible rather than hidden;
    - `form`, `accn`, `filed` of the fact that supplies the quarter, for a derived quarter the
      later (longer) YTD fact, e.g. the 10-K for a fiscal Q4;
    - `derived_from` the accession of the subtracted (earlier) fact, None for direct quarters.

    A quarter with no value is absent. Raises ValueError when `facts` lacks a fact column or
    `tags` is empty, TypeError when `tags` is a single string.
    """
    tags = _tag_list(tags)
    return _quarters(_select(facts, tags, instant=False), tags)


def _quarters(selected: pd.DataFrame, tags: list[str]) -> pd.DataFrame:
    """Steps 3-7 of `quarterize`, on facts `_select` kept."""
    chosen = _choose(selected, tags, key=["start", "end"])

    found: dict[pd.Timestamp, dict] = {}
    quarters = chosen[chosen["days"].between(*QUARTER_DAYS)]
    for fact in quarters.sort_values(["filed", "accn", "start"], kind="stable").itertuples():
        found[fact.end] = _direct(fact)  # later filed overwrites: the restated view wins

    chains = chosen[chosen["days"] <= MAX_CHAIN_DAYS].sort_values(["start", "end"], kind="stable")
    # One pass over plain tuples: a pandas groupby per fiscal year costs more than the arithmetic.
    by_start: dict[pd.Timestamp, list] = {}
    for fact in chains.itertuples(index=False):
        by_start.setdefault(fact.start, []).append(fact)
    for start in sorted(by_start):
        for prev, cur in pairwise(by_start[start]):
            gap = int((cur.end - prev.end).days)
            if is_quarter_length(gap) and cur.end not in found:
                found[cur.end] = _derived(prev, cur)

    if not found:
        return _empty(QUARTER_COLUMNS)
    out = pd.DataFrame(list(found.values()))
    out["quarter"] = [calendar_quarter(s, e) for s, e in zip(out["start"], out["end"], strict=True)]
    return _one_per_quarter(out, QUARTER_COLUMNS)


VERSION_COLUMNS = ("quarter", "known", "value_usd")


def versions(facts: pd.DataFrame, tags: Sequence[str]) -> pd.DataFrame:
    """Every value each quarter of `quarterize(facts, tags)` has had, and when it became public.

    A quarter is public from the filing that first reported a period ending on its last day
    (the 10-Q or 10-K's `filed`), and a restated value from the filing that restated it, so
    the value as of a day D is the one `quarterize` gives on the facts filed by D.

    Rerunning `quarterize` at each of a company's ~30 filings costs a second; only two kinds of
    filing can change a quarter that is already public: one where a (tag, start, end) takes a
    new value (a restatement), and one that brings a fact for a period ending before the
    filing's own latest period that no earlier filing had (a new comparative, e.g. after a tag
    switch). So `quarterize` runs on the facts filed before each such filing and on all of
    them, and between those filings a quarter keeps its value.

    Returns columns `VERSION_COLUMNS`: `quarter` (Period, Q), `known` (the day this value became
    public) and `value_usd`, one row per quarter and value, sorted by quarter and `known`.
    """
    tags = _tag_list(tags)
    # `_select`'s rules are row by row, so cutting the selected facts by filing date equals
    # selecting from the facts filed before the cut.
    chosen = _select(facts, tags, instant=False)
    first_report = chosen.groupby("end")["filed"].min()
    rows, current, since = [], {}, None
    for cut in [*_revision_dates(chosen), None]:
        table = _quarters(chosen if cut is None else chosen[chosen["filed"] < cut], tags)
        for quarter, value, end in zip(table.index, table["value_usd"], table["end"], strict=True):
            if current.get(quarter) == value:
                continue
            known = first_report[end] if since is None else max(first_report[end], since)
            rows.append((quarter, known, value))
            current[quarter] = value
        since = cut
    out = pd.DataFrame(rows, columns=list(VERSION_COLUMNS))
    out["quarter"] = pd.PeriodIndex(out["quarter"], freq="Q")
    out["known"] = pd.to_datetime(out["known"]).astype("datetime64[us]")
    out["value_usd"] = out["value_usd"].astype("float64")
    return out.sort_values(["quarter", "known"], ignore_index=True)


def _revision_dates(chosen: pd.DataFrame) -> list[pd.Timestamp]:
    """Filing days that can change a quarter already public (see `versions`), ascending."""
    ordered = chosen.sort_values(["filed", "accn"], kind="stable")
    before = ordered.groupby(["tag", "start", "end"])["val"].shift()
    restated = before.notna() & ordered["val"].ne(before)
    late = before.isna() & ordered["end"].lt(ordered.groupby("accn")["end"].transform("max"))
    # Before the first filing nothing is public, so it needs no cut of its own.
    dates = set(ordered.loc[restated | late, "filed"]) - {ordered["filed"].min()}
    return sorted(dates)


def balances(facts: pd.DataFrame, tags: Sequence[str]) -> pd.DataFrame:
    """One balance per calendar quarter for an INSTANT concept (cash, marketable securities).

    Keeps USD instant facts (no `start`) of the listed tags from periodic forms; per (tag, end)
    the fact filed last (restatements win, comparatives collapse); per `end` the first tag in
    `tags` order. Each balance is labelled by the calendar quarter of its `end`; when a quarter
    holds several dates (a 52/53-week quarter end plus a mid-quarter balance from a note, or a
    changed fiscal year end) the LATEST date is kept, being the closest to the quarter's close.

    Returns a frame indexed by a sorted `PeriodIndex(freq="Q", name="quarter")` with columns
    `BALANCE_COLUMNS` (`value_usd, end, tag, form, accn, filed`). Quarters without a balance are
    absent.
    """
    tags = _tag_list(tags)
    chosen = _choose(_select(facts, tags, instant=True), tags, key=["end"])
    if chosen.empty:
        return _empty(BALANCE_COLUMNS)
    out = chosen.rename(columns={"val": "value_usd"})
    out["quarter"] = out["end"].dt.to_period("Q")
    return _one_per_quarter(out, BALANCE_COLUMNS)


def ttm(quarterly_values: pd.Series) -> pd.Series:
    """Trailing four-quarter sum, only where the quarter and the three before it all have values.

    Consecutiveness is checked by period arithmetic (the series is laid out on the full quarter
    range first), not by row position: a missing quarter must not let four rows spanning five
    quarters pass as a year. NaN values count as missing. The index must be a quarterly
    `PeriodIndex` without duplicates (e.g. `quarterize(...)["value_usd"]`); the result keeps its
    name and index name and holds only the quarters where a sum exists.
    """
    index = quarterly_values.index
    if not isinstance(index, pd.PeriodIndex) or not index.freqstr.startswith("Q"):
        raise TypeError("ttm needs a Series indexed by a quarterly PeriodIndex")
    if index.has_duplicates:
        raise ValueError("ttm needs one value per quarter; the index has duplicates")
    values = quarterly_values.dropna().astype("float64")
    if values.empty:
        return pd.Series([], index=index[:0], dtype="float64", name=quarterly_values.name)
    values = values.sort_index()
    full = values.reindex(pd.period_range(values.index[0], values.index[-1], freq=index.freq))
    # Shifted sums rather than rolling(): exact for whole-dollar values, NaN if any quarter is.
    total = full + full.shift(1) + full.shift(2) + full.shift(3)
    total = total.dropna()
    total.index.name = index.name
    return total.rename(quarterly_values.name)


# --- internals --------------------------------------------------------------------------------


def _tag_list(tags: Sequence[str]) -> list[str]:
    if isinstance(tags, str):  # a lone tag would otherwise be read as a list of characters
        raise TypeError(f"tags must be a sequence of tag names, not the string {tags!r}")
    unique = list(dict.fromkeys(tags))
    if not unique:
        raise ValueError("tags is empty: name at least one XBRL tag")
    return unique


def _select(facts: pd.DataFrame, tags: list[str], *, instant: bool) -> pd.DataFrame:
    """Facts of the wanted tags in USD from periodic forms, with `days` for duration facts."""
    missing = [column for column in FACT_COLUMNS if column not in facts.columns]
    if missing:
        raise ValueError(f"facts lack column(s) {', '.join(missing)}: expected parse_facts output")
    frame = facts.loc[:, list(FACT_COLUMNS)].copy()
    for column in ("start", "end", "filed"):
        frame[column] = pd.to_datetime(frame[column])
    frame["val"] = pd.to_numeric(frame["val"], errors="coerce").astype("float64")
    keep = (
        frame["unit"].eq(UNIT)
        & frame["form"].isin(PERIODIC_FORMS)
        & frame["tag"].isin(tags)
        & frame["val"].notna()
        & frame["end"].notna()
        & (frame["start"].isna() if instant else frame["start"].notna())
    )
    frame = frame[keep]
    if instant:
        return frame.drop(columns="start")
    frame["days"] = (frame["end"] - frame["start"]).dt.days.astype("int64") + 1
    ttm_column = frame["days"].between(*YEAR_DAYS) & ~frame["form"].isin(ANNUAL_FORMS)
    return frame[~ttm_column]


def _choose(frame: pd.DataFrame, tags: list[str], *, key: list[str]) -> pd.DataFrame:
    """Latest-filed fact per (tag, *key), then the highest-priority tag per key."""
    priority = {tag: rank for rank, tag in enumerate(tags)}
    latest = frame.sort_values(["filed", "accn"], kind="stable").drop_duplicates(
        ["tag", *key], keep="last"
    )
    ranked = latest.assign(_rank=latest["tag"].map(priority))
    first = ranked.sort_values("_rank", kind="stable").drop_duplicates(key, keep="first")
    return first.drop(columns="_rank").sort_values(key, kind="stable", ignore_index=True)


def _direct(fact) -> dict:
    return {
        "value_usd": fact.val,
        "start": fact.start,
        "end": fact.end,
        "days": fact.days,
        "method": DIRECT,
        "tag": fact.tag,
        "form": fact.form,
        "accn": fact.accn,
        "filed": fact.filed,
        "derived_from": None,
    }


def _derived(prev, cur) -> dict:
    start = prev.end + _DAY
    return {
        "value_usd": cur.val - prev.val,
        "start": start,
        "end": cur.end,
        "days": duration_days(start, cur.end),
        "method": DERIVED,
        "tag": cur.tag if cur.tag == prev.tag else f"{cur.tag} - {prev.tag}",
        "form": cur.form,
        "accn": cur.accn,
        "filed": cur.filed,
        "derived_from": prev.accn,
    }


def _one_per_quarter(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """Latest `end` per calendar quarter, indexed by quarter, with plain-object text columns."""
    frame = frame.sort_values("end", kind="stable").drop_duplicates("quarter", keep="last")
    out = frame.set_index(pd.PeriodIndex(frame["quarter"], freq="Q", name="quarter"))
    out = out.loc[:, list(columns)].sort_index()
    out["value_usd"] = out["value_usd"].astype("float64")
    if "days" in out:
        out["days"] = out["days"].astype("int64")
    for column in ("method", "tag", "form", "accn", "derived_from"):
        if column in out:
            out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    index = pd.PeriodIndex([], freq="Q", name="quarter")
    frame = pd.DataFrame(index=index, columns=list(columns))
    frame["value_usd"] = frame["value_usd"].astype("float64")
    for column in ("start", "end", "filed"):
        if column in frame:
            frame[column] = frame[column].astype("datetime64[us]")
    if "days" in frame:
        frame["days"] = frame["days"].astype("int64")
    return frame
