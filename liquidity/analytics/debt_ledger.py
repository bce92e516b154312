"""The AI-debt ledger: hyperscaler debt raised, filing by filing, beside what XBRL reports.

Two views of the same money. EDGAR's filings index gives each deal when it happens: a 424B2 or
424B5 prospectus supplement states the principal on its cover, an 8-K item 2.03 reports a new
direct financial obligation (a term loan, a private placement, the closing of a bond deal). The
quarterly cash-flow statement (XBRL `debt_issued`, `debt_repaid`, `commercial_paper`, from
`liquidity.analytics.funding`) gives the total a quarter later. The ledger sums the first and
reconciles it with the second.

Counting rules (one deal counted once):
- A filing whose principal was not parsed stays in the ledger with its date, form and link and
  is counted in `unparsed`, never as zero.
- 424B filings of one company within DEAL_DAYS of each other stating the same principal are one
  deal (a preliminary and a final supplement, or a supplement filed under two forms).
- An 8-K item 2.03 filed within DEAL_DAYS after a counted 424B of the same company is that
  deal's closing: listed, marked `same deal as <accession>`, not added again.
- A deal's quarter is the calendar quarter of its settlement date, else of its filing date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from liquidity.core import units

DEAL_DAYS = pd.Timedelta(days=10)
PROSPECTUS = ("424B2", "424B5")
# Quarterly totals reconcile when the filing-level sum is within both of these of XBRL's.
RECONCILE_ABS_B = 0.5
RECONCILE_SHARE = 0.05
LEDGER_COLUMNS = [
    "ticker",
    "filed",
    "settled",
    "quarter",
    "week",
    "form",
    "principal_b",
    "counted",
    "note",
    "url",
    "accn",
]


def ledger(filings: pd.DataFrame) -> pd.DataFrame:
    """One row per filing (LEDGER_COLUMNS), from filings with a `ticker` column and
    `catalog.FILING_COLUMNS`; `counted` says whether its principal enters the sums."""
    if filings is None or filings.empty:
        return pd.DataFrame(columns=LEDGER_COLUMNS)
    rows = filings.sort_values(["ticker", "filed", "accn"], kind="stable").reset_index(drop=True)
    settled = rows["settlement_date"].where(rows["settlement_date"].notna(), rows["filed"])
    out = pd.DataFrame(
        {
            "ticker": rows["ticker"],
            "filed": rows["filed"],
            "settled": settled,
            "quarter": pd.PeriodIndex(settled, freq="Q"),
            "week": settled.dt.to_period("W-SUN").dt.start_time,
            "form": rows["form"],
            "principal_b": units.convert(rows["principal_usd"], "USD", "USD_B"),
            "counted": False,
            "note": rows["parse_note"].fillna("").astype(str),
            "url": rows["url"],
            "accn": rows["accn"],
        }
    )
    for _, company in out.groupby("ticker", sort=False):
        _mark_deals(out, company.index)
    return out[LEDGER_COLUMNS]


def _mark_deals(out: pd.DataFrame, index: pd.Index) -> None:
    """Set `counted` and the duplicate notes for one company's filings, oldest first."""
    counted: list[int] = []  # rows of 424B deals already counted
    for i in index:
        row = out.loc[i]
        if pd.isna(row["principal_b"]):
            continue
        recent = [j for j in counted if row["filed"] - out.at[j, "filed"] <= DEAL_DAYS]
        if row["form"] in PROSPECTUS:
            same = [j for j in recent if np.isclose(out.at[j, "principal_b"], row["principal_b"])]
            if same:
                out.at[i, "note"] = _join(
                    out.at[i, "note"], f"same deal as {out.at[same[0], 'accn']}"
                )
                continue
            out.at[i, "counted"] = True
            counted.append(i)
        elif recent:  # an 8-K item 2.03 closing a deal its 424B already counted
            out.at[i, "note"] = _join(
                out.at[i, "note"], f"same deal as {out.at[recent[0], 'accn']}"
            )
        else:
            out.at[i, "counted"] = True


def _join(note: str, extra: str) -> str:
    return f"{note}; {extra}" if note else extra


def weekly(ledger_frame: pd.DataFrame) -> pd.DataFrame:
    """Per week (Monday) and company: raised_b (counted principal), filings, unparsed."""
    return _totals(ledger_frame, "week")


def quarterly(ledger_frame: pd.DataFrame) -> pd.DataFrame:
    """Per calendar quarter and company: raised_b, filings, unparsed."""
    return _totals(ledger_frame, "quarter")


def _totals(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    columns = [by, "ticker", "raised_b", "filings", "unparsed"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    grouped = frame.assign(
        raised=frame["principal_b"].where(frame["counted"]),
        unparsed=frame["principal_b"].isna(),
    ).groupby([by, "ticker"], sort=True)
    out = pd.DataFrame(
        {
            # min_count: a period whose filings all lack a parsed amount has no sum, not 0.
            "raised_b": grouped["raised"].sum(min_count=1),
            "filings": grouped.size(),
            "unparsed": grouped["unparsed"].sum().astype(int),
        }
    )
    return out.reset_index()[columns]


def reconcile(ledger_frame: pd.DataFrame, xbrl: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per quarter and company: the filing-level sum beside XBRL's debt issued, repaid and net
    commercial paper ($ billions), their difference and a status.

    `xbrl` maps ticker → quarter × metric values in USD (`funding.CompanyQuarters.values`).
    status: "reconciles" (within RECONCILE_ABS_B or RECONCILE_SHARE), "differs" (the
    difference is shown), "filings incomplete" (an unparsed filing in the quarter),
    "no XBRL total" or "no filings".
    """
    filings = quarterly(ledger_frame).set_index(["quarter", "ticker"])
    parts = []
    for ticker, values in xbrl.items():
        cols = [c for c in ("debt_issued", "debt_repaid", "commercial_paper") if c in values]
        table = units.convert(values[cols], "USD", "USD_B").add_suffix("_b")
        table.index = pd.MultiIndex.from_arrays(
            [pd.PeriodIndex(table.index, freq="Q"), [ticker] * len(table)],
            names=["quarter", "ticker"],
        )
        parts.append(table)
    reported = pd.concat(parts) if parts else pd.DataFrame()
    index = filings.index.union(reported.index) if len(reported) else filings.index
    out = pd.DataFrame(index=index)
    for col in ("raised_b", "filings", "unparsed"):
        out[col] = filings[col].reindex(index) if len(filings) else np.nan
    for col in ("debt_issued_b", "debt_repaid_b", "commercial_paper_b"):
        out[col] = reported[col].reindex(index) if col in reported else np.nan
    out["difference_b"] = out["debt_issued_b"] - out["raised_b"]
    out["status"] = [_status(row) for row in out.itertuples()]
    return out.reset_index()


def _status(row) -> str:
    if pd.isna(row.debt_issued_b):
        return "no XBRL total"
    if pd.isna(row.filings) or row.filings == 0:
        return "no filings"
    if row.unparsed:
        return "filings incomplete"
    if pd.isna(row.raised_b):
        return "no filings"
    tolerance = max(RECONCILE_ABS_B, RECONCILE_SHARE * abs(row.debt_issued_b))
    return "reconciles" if abs(row.difference_b) <= tolerance else "differs"
