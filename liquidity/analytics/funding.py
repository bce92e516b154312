"""Hyperscaler capex and how it is funded, per company and calendar quarter.

Two sources feed one table per company:

- SEC XBRL facts in the store (`sec/TICKER`, from `refresh --only sec`), quarterized by
  `liquidity.analytics.xbrl` (true quarters from YTD chains, Amazon's TTM columns ignored,
  restatements resolved to the latest filing, calendar quarter by midpoint);
- the data pack's capex file (`capex/TICKER`, see `liquidity.analytics.capex`): capex, and
  hand-compiled operating cash flow and buybacks.

SEC facts win wherever they have a value; the pack fills the quarters (and the metrics) they
lack, and every cell keeps its provenance (source, concept, form, accession, filing date, whether
it was reported or derived). Values are whole US dollars, outflows positive as filed.

The funding decomposition follows the cash-flow identity loosely: capex is paid from operating
cash flow, new debt and cash drawn from the balance sheet, after debt repaid, shareholder
returns and finance-lease principal; what the tracked lines do not explain is "other"
(acquisitions, other investing, FX). A line the data do not hold for a company-quarter is
missing, never zero, and then "other" is missing too: a residual next to an unknown line would
pass that line off as "other".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from liquidity.analytics import capex, xbrl
from liquidity.core import units

PPE = "PaymentsToAcquirePropertyPlantAndEquipment"
PRODUCTIVE = "PaymentsToAcquireProductiveAssets"

# metric -> XBRL tags in priority order (SOURCES.md §1.6). Capex priority is per company:
# Amazon files PaymentsToAcquireProductiveAssets since 2017 and the older tag before.
FLOW_TAGS: dict[str, tuple[str, ...]] = {
    "capex": (PPE, PRODUCTIVE),
    "capex_proceeds": (
        "ProceedsFromSaleOfProductiveAssets",
        "ProceedsFromSaleOfPropertyPlantAndEquipment",
    ),
    "operating_cash_flow": (
        "NetCashProvidedByUsedInOperatingActivities",
        "NetCashProvidedByUsedInOperatingActivitiesContinuingOperations",
    ),
    "debt_issued": (
        "ProceedsFromIssuanceOfLongTermDebt",
        "ProceedsFromIssuanceOfDebt",
        "ProceedsFromIssuanceOfSeniorLongTermDebt",
        # Microsoft's "Proceeds from issuance of debt" (sec/MSFT.csv: FY2018-FY2025 10-Qs/10-Ks).
        "ProceedsFromDebtMaturingInMoreThanThreeMonths",
        # Alphabet's "Proceeds from issuance of debt, net of costs" (sec/GOOGL.csv, every year
        # since 2018), and Oracle's tag for the same line in FY2018-FY2022 (sec/ORCL.csv).
        "ProceedsFromDebtNetOfIssuanceCosts",
    ),
    "debt_repaid": (
        "RepaymentsOfLongTermDebt",
        "RepaymentsOfDebt",
        # Microsoft's "Repayments of debt" (sec/MSFT.csv, FY2018 to the 10-Q of Dec 2025).
        "RepaymentsOfDebtMaturingInMoreThanThreeMonths",
        # Alphabet's "Repayments of debt" (sec/GOOGL.csv): it holds finance-lease principal too,
        # which `from_sec_facts` takes out (LEASE_INCLUSIVE).
        "RepaymentsOfDebtAndCapitalLeaseObligations",
    ),
    "commercial_paper": ("ProceedsFromRepaymentsOfCommercialPaper",),
    "buybacks": ("PaymentsForRepurchaseOfCommonStock",),
    "dividends": ("PaymentsOfDividends", "PaymentsOfDividendsCommonStock"),
    "finance_lease_principal": ("FinanceLeasePrincipalPayments",),
    "revenue": ("RevenueFromContractWithCustomerExcludingAssessedTax", "Revenues"),
}
CAPEX_TAGS = {"AMZN": (PRODUCTIVE, PPE)}
# Cash and marketable securities: the combined line when filed, else cash plus current securities.
COMBINED_CASH = ("CashCashEquivalentsAndShortTermInvestments",)
CASH = ("CashAndCashEquivalentsAtCarryingValue",)
SECURITIES = (
    "MarketableSecuritiesCurrent",
    "ShortTermInvestments",
    # Oracle's balance-sheet "Marketable securities" (sec/ORCL.csv; $207M at 2024-05-31).
    "AvailableForSaleSecuritiesDebtSecuritiesCurrent",
    "AvailableForSaleSecuritiesCurrent",
)
# A repayment tag that includes finance-lease principal (Alphabet): the debt line is that total
# less the principal, else the principal would be counted twice, once in each bar.
LEASE_INCLUSIVE = "RepaymentsOfDebtAndCapitalLeaseObligations"
LEASE_TAG = "FinanceLeasePrincipalPayments"
# Every tag kept from a companyfacts download (the rest of a filing is not stored).
TRACKED_TAGS = tuple(
    dict.fromkeys(
        [t for tags in FLOW_TAGS.values() for t in tags] + [*COMBINED_CASH, *CASH, *SECURITIES]
    )
)

METRIC_LABELS = {
    "capex": "Capex (gross)",
    "net_capex": "Capex net of asset-sale proceeds",
    "operating_cash_flow": "Operating cash flow",
    "buybacks": "Share buybacks",
    "dividends": "Dividends",
    "revenue": "Revenue",
}
SEC_LIVE = "SEC filing"
PACK = {
    capex.SEC: "data pack (SEC)",
    capex.DERIVED: "data pack (SEC, derived Q4)",
    capex.HAND: "data pack (hand-compiled)",
}


@dataclass
class CompanyQuarters:
    """Quarter × metric values in USD, and one provenance row per (quarter, metric)."""

    ticker: str
    values: pd.DataFrame
    provenance: pd.DataFrame


def metric_tags(ticker: str, metric: str) -> tuple[str, ...]:
    """The XBRL tags of `metric` for `ticker`, in priority order (a company's own capex tags
    where it files others)."""
    if metric == "capex":
        return CAPEX_TAGS.get(ticker, FLOW_TAGS[metric])
    return FLOW_TAGS[metric]


def from_sec_facts(facts: pd.DataFrame, ticker: str) -> CompanyQuarters:
    """Every tracked metric of one company from its parsed XBRL facts."""
    tables = {metric: xbrl.quarterize(facts, metric_tags(ticker, metric)) for metric in FLOW_TAGS}
    tables["debt_repaid"] = _without_leases(
        tables["debt_repaid"], tables["finance_lease_principal"]["value_usd"]
    )
    columns = {metric: table["value_usd"] for metric, table in tables.items()}
    records = [_provenance(table, metric, SEC_LIVE) for metric, table in tables.items()]
    cash = _cash_and_securities(facts)
    columns["cash_and_securities"] = cash["value_usd"]
    records.append(_provenance(cash, "cash_and_securities", SEC_LIVE))
    values = pd.DataFrame(columns).sort_index()
    values.index.name = "quarter"
    return CompanyQuarters(ticker, values, pd.concat(records, ignore_index=True))


def versions(
    facts: pd.DataFrame | None, packed: pd.Series | None, ticker: str, metric: str
) -> pd.DataFrame:
    """Every value of one company's `metric` (capex or operating_cash_flow) with the day it
    became public (`capex.VERSION_COLUMNS`): SEC quarters from their filings
    (`xbrl.versions`), the pack's quarters that SEC lacks from quarter end + 45 days."""
    tags = metric_tags(ticker, metric)
    parts = []
    filed_quarters = pd.PeriodIndex([], freq="Q")
    if facts is not None:
        filed = xbrl.versions(facts, tags).assign(ticker=ticker, basis=capex.FILED)
        filed_quarters = pd.PeriodIndex(filed["quarter"].unique(), freq="Q")
        parts.append(filed.loc[:, list(capex.VERSION_COLUMNS)])
    if packed is not None:
        rest = packed.dropna()
        rest = rest[~pd.PeriodIndex(rest.index, freq="Q").isin(filed_quarters)]
        parts.append(capex.assumed_versions(rest.to_frame(ticker)))
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=list(capex.VERSION_COLUMNS))
    return pd.concat(parts, ignore_index=True).sort_values(["quarter", "known"], ignore_index=True)


def _without_leases(repaid: pd.DataFrame, leases: pd.Series) -> pd.DataFrame:
    """Debt repaid with the finance-lease principal taken out where the tag includes it; a
    quarter whose principal is not in the data cannot be split and drops out (missing)."""
    inclusive = repaid["tag"].fillna("").str.contains(LEASE_INCLUSIVE)
    if not inclusive.any():
        return repaid
    out = repaid.copy()
    out.loc[inclusive, "value_usd"] -= leases.reindex(out.index[inclusive])
    out.loc[inclusive, "method"] = xbrl.DERIVED
    out.loc[inclusive, "tag"] = out.loc[inclusive, "tag"] + f" - {LEASE_TAG}"
    return out.dropna(subset=["value_usd"])


def _cash_and_securities(facts: pd.DataFrame) -> pd.DataFrame:
    combined = xbrl.balances(facts, COMBINED_CASH)
    cash = xbrl.balances(facts, CASH)
    securities = xbrl.balances(facts, SECURITIES)
    summed = cash.copy()
    summed["value_usd"] = cash["value_usd"] + securities["value_usd"].reindex(cash.index)
    summed = summed.dropna(subset=["value_usd"])
    extra = summed.loc[~summed.index.isin(combined.index)]
    return pd.concat([combined, extra]).sort_index()


def from_pack(frame: pd.DataFrame, ticker: str) -> CompanyQuarters:
    """The metrics a data-pack capex file holds (capex, operating cash flow, buybacks)."""
    columns, records = {}, []
    for metric in capex.METRICS:
        table = capex.quarterly(frame, metric, name=f"capex/{ticker}")
        columns[metric] = table["value_usd"]
        prov = table.assign(
            metric=metric,
            source=table["source"].map(PACK),
            method=np.where(table["source"] == capex.DERIVED, "derived", "reported"),
            tag=table["concept"],
            form="",
            accn="",
            filed=pd.NaT,
        )
        records.append(prov.reset_index()[PROVENANCE_COLUMNS])
    values = pd.DataFrame(columns).sort_index()
    values.index.name = "quarter"
    return CompanyQuarters(ticker, values, pd.concat(records, ignore_index=True))


PROVENANCE_COLUMNS = ["quarter", "metric", "source", "method", "tag", "form", "accn", "filed"]


def _provenance(table: pd.DataFrame, metric: str, source: str) -> pd.DataFrame:
    method = table["method"] if "method" in table else "reported"
    out = table.assign(metric=metric, source=source, method=method).reset_index()
    out["method"] = out["method"].replace({"direct": "reported"})
    return out[PROVENANCE_COLUMNS]


def combine(primary: CompanyQuarters | None, fallback: CompanyQuarters | None) -> CompanyQuarters:
    """`primary` where it has a value, `fallback` for the cells it lacks (provenance follows)."""
    if primary is None or fallback is None:
        return primary or fallback
    values = primary.values.combine_first(fallback.values)
    taken = primary.provenance.set_index(["quarter", "metric"])
    extra = fallback.provenance.set_index(["quarter", "metric"])
    extra = extra.loc[~extra.index.isin(taken.index)]
    prov = pd.concat([taken, extra]).reset_index()
    return CompanyQuarters(primary.ticker, values[sorted(values.columns)], prov)


def with_derived(values: pd.DataFrame) -> pd.DataFrame:
    """Add net capex and the change in cash and securities, where computable.

    Net capex is gross capex less asset-sale proceeds, so it is missing wherever the proceeds
    are (Microsoft files none): a proceeds line absent from the data is not a zero.
    """
    out = values.copy()
    for metric in (*FLOW_TAGS, "cash_and_securities"):
        if metric not in out:
            out[metric] = np.nan
    out["net_capex"] = out["capex"] - out["capex_proceeds"]
    previous = out["cash_and_securities"].reindex(out.index - 1)
    out["change_in_cash"] = out["cash_and_securities"] - previous.to_numpy()
    return out


# The tracked funding lines, sources of cash positive and uses negative (METHODS.md, funding
# leg): line -> (metric of `with_derived`, sign, label).
LINES: dict[str, tuple[str, int, str]] = {
    "operating_cash_flow": ("operating_cash_flow", 1, "operating cash flow"),
    "debt_issued": ("debt_issued", 1, "debt issued"),
    "debt_repaid": ("debt_repaid", -1, "debt repaid"),
    "commercial_paper": ("commercial_paper", 1, "net commercial paper"),
    "cash_drawdown": ("change_in_cash", -1, "cash and securities drawn"),
    "buybacks": ("buybacks", -1, "buybacks"),
    "dividends": ("dividends", -1, "dividends"),
    "finance_leases": ("finance_lease_principal", -1, "finance-lease principal"),
    "capex": ("capex", -1, "capex"),
}


def funding_decomposition(values: pd.DataFrame, basis: str = "capex") -> pd.DataFrame:
    """Per quarter with capex, in USD: where the money came from (+) and where it went (−).

    Columns: the LINES (cash_drawdown is + when cash and securities fell; capex is on `basis`,
    "capex" or "net_capex"), each NaN where the data do not hold it; other, the residual that
    makes the quarter add up to zero, only where every line is present; internal_share_pct,
    the share of capex covered by operating cash flow left after buybacks and dividends (0–100),
    only where those four are present.
    """
    v = with_derived(values)
    metrics = {line: (basis if line == "capex" else m) for line, (m, _, _) in LINES.items()}
    # + 0.0 turns the −0.0 of a negated zero into 0.0, so a CSV never reads "-0.00".
    out = pd.DataFrame(
        {line: LINES[line][1] * v[metric] + 0.0 for line, metric in metrics.items()},
        index=v.index,
    ).dropna(subset=["capex"])
    out.index = pd.PeriodIndex(out.index, freq="Q", name="quarter")
    out["other"] = _residual(out)
    out["internal_share_pct"] = _internal_share(out)
    return out


def _residual(parts: pd.DataFrame) -> pd.Series:
    lines = parts[list(LINES)]
    return (-lines.sum(axis=1)).where(lines.notna().all(axis=1))


def _internal_share(parts: pd.DataFrame) -> pd.Series:
    """Percent of capex covered by operating cash flow left after buybacks and dividends."""
    internal = (parts["operating_cash_flow"] + parts["buybacks"] + parts["dividends"]).clip(lower=0)
    return 100.0 * np.minimum(internal, -parts["capex"]) / -parts["capex"]


def decompositions(
    companies: dict[str, CompanyQuarters], basis: str = "capex"
) -> dict[str, pd.DataFrame]:
    """`funding_decomposition` of each company, in the panel's order."""
    return {t: funding_decomposition(c.values, basis) for t, c in companies.items()}


def group_decomposition(parts: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The panel's funding per quarter: each line summed only where every company has it.

    A partial sum would show a dip or a jump where a company's line is missing, so a line one
    company lacks is NaN for the group; "other" and the internal share follow from the summed
    lines under the same rule. Coverage columns: `companies` (with capex that quarter),
    `panel` (companies asked for) and `coverage` ("4/5 companies"). Empty when no company has
    a quarter with capex.
    """
    quarters = sorted(set().union(*(p.index for p in parts.values())))
    if not quarters:
        return pd.DataFrame()
    index = pd.PeriodIndex(quarters, freq="Q", name="quarter")
    out = pd.DataFrame(index=index)
    for line in LINES:
        block = pd.DataFrame({t: p[line] for t, p in parts.items()}, index=index)
        out[line] = block.sum(axis=1).where(block.notna().all(axis=1))
    out["other"] = _residual(out)
    out["internal_share_pct"] = _internal_share(out)
    reporting = pd.DataFrame({t: p["capex"] for t, p in parts.items()}, index=index).notna()
    out["companies"] = reporting.sum(axis=1)
    out["panel"] = len(parts)
    out["coverage"] = [f"{n}/{len(parts)} companies" for n in out["companies"]]
    return out


def funding_table(parts: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The decomposition as a flat table, one row per company and quarter (CSV form).

    Columns: quarter, ticker, `<line>_usd_b` for each line and `other_usd_b` (US$ billions per
    quarter, sources + and uses −; empty where the data do not hold the line),
    internal_share_pct (percent of capex), coverage ("9/9 lines" or "7/9 lines; missing:
    dividends, finance_leases").
    """
    rows = []
    for ticker, part in parts.items():
        lines = part[list(LINES)]
        table = units.convert(part[[*LINES, "other"]], "USD", "USD_B").add_suffix("_usd_b")
        table.insert(0, "ticker", ticker)
        table.insert(0, "quarter", part.index.astype(str))
        table["internal_share_pct"] = part["internal_share_pct"]
        table["coverage"] = [_line_coverage(row) for row in lines.notna().to_numpy()]
        rows.append(table)
    columns = ["quarter", "ticker", *(f"{c}_usd_b" for c in [*LINES, "other"])]
    if not rows:
        return pd.DataFrame(columns=[*columns, "internal_share_pct", "coverage"])
    return pd.concat(rows, ignore_index=True)


def _line_coverage(present) -> str:
    missing = [line for line, here in zip(LINES, present, strict=True) if not here]
    text = f"{len(LINES) - len(missing)}/{len(LINES)} lines"
    return f"{text}; missing: {', '.join(missing)}" if missing else text


def missing_lines(parts: dict[str, pd.DataFrame]) -> list[str]:
    """Per company, which lines the data lack and when, lines with the same gaps together:
    "ORCL: finance-lease principal (all quarters); debt issued, dividends (2025Q3–2026Q2)".

    "All quarters" means every quarter the company has capex in `parts` (slice them to the
    window shown first); up to two runs of quarters are written first–last, more as a count
    ("10 of 18 quarters"), so the text stays short where the gaps are scattered.
    """
    out = []
    for ticker, part in parts.items():
        gaps: dict[str, list[str]] = {}
        for line, (_, _, label) in LINES.items():
            quarters = part.index[part[line].isna()]
            if len(quarters) == 0:
                continue
            runs = _runs(quarters)
            if len(quarters) == len(part):
                when = "all quarters"
            elif len(runs) <= 2:
                when = ", ".join(runs)
            else:
                when = f"{len(quarters)} of {len(part)} quarters"
            gaps.setdefault(when, []).append(label)
        if gaps:
            out.append(f"{ticker}: " + "; ".join(f"{', '.join(v)} ({k})" for k, v in gaps.items()))
    return out


def _runs(quarters: pd.PeriodIndex) -> list[str]:
    """Consecutive quarters as "2024Q1–2024Q3", single ones as "2025Q2"."""
    runs: list[list[pd.Period]] = []
    for quarter in sorted(quarters):
        if runs and quarter == runs[-1][1] + 1:
            runs[-1][1] = quarter
        else:
            runs.append([quarter, quarter])
    return [str(a) if a == b else f"{a}–{b}" for a, b in runs]


def run_rate(series: pd.Series) -> tuple[pd.Period, float] | None:
    """The latest quarter and its value annualised (× 4)."""
    series = series.dropna()
    if series.empty:
        return None
    return series.index[-1], 4.0 * float(series.iloc[-1])


def group(companies: dict[str, CompanyQuarters], metric: str) -> pd.DataFrame:
    """Quarter × ticker table of one metric (derived metrics included) in USD."""
    table = pd.DataFrame(
        {t: with_derived(c.values)[metric] for t, c in companies.items()},
        columns=list(companies),
    )
    table.index = pd.PeriodIndex(table.index, freq="Q", name="quarter")
    return table.sort_index()


def group_ttm(table: pd.DataFrame) -> pd.DataFrame:
    """Per quarter: the sum of the companies' trailing-twelve-month values and how many had one."""
    ttms = pd.DataFrame({t: xbrl.ttm(table[t]) for t in table.columns}, index=table.index)
    return pd.DataFrame(
        {"ttm_usd": ttms.sum(axis=1, min_count=1), "companies": ttms.notna().sum(axis=1)}
    )


def source_table(companies: dict[str, CompanyQuarters], metric: str) -> pd.DataFrame:
    """Quarter × ticker: where each value of `metric` comes from ("SEC filing", "data pack …")."""
    base = "capex" if metric == "net_capex" else metric
    columns = {}
    for ticker, company in companies.items():
        prov = company.provenance[company.provenance["metric"] == base]
        labels = prov["source"] + np.where(prov["method"] == "derived", ", derived", "")
        columns[ticker] = pd.Series(
            labels.to_numpy(), index=pd.PeriodIndex(prov["quarter"], freq="Q")
        )
    table = pd.DataFrame(columns, columns=list(companies))
    table.index.name = "quarter"
    return table.sort_index()


def latest(companies: dict[str, CompanyQuarters], metric: str = "capex") -> pd.DataFrame:
    """Each company's latest quarter of `metric` with its provenance (one row per company)."""
    rows = []
    for ticker, company in companies.items():
        prov = company.provenance[company.provenance["metric"] == metric]
        values = company.values[metric].dropna() if metric in company.values else pd.Series()
        if values.empty:
            continue
        quarter = values.index[-1]
        row = prov[prov["quarter"] == quarter].iloc[0]
        rows.append(
            {
                "ticker": ticker,
                "quarter": str(quarter),
                "value_usd": values.iloc[-1],
                **{k: row[k] for k in ("source", "method", "tag", "form", "accn", "filed")},
            }
        )
    return pd.DataFrame(rows)


VIEW_METRICS = ("capex", "operating_cash_flow", "buybacks", "revenue")


@dataclass
class CapexView:
    """Every table the capex page draws for a set of companies, computed once per data version.

    `tables[m]` is quarter × ticker in USD for each of VIEW_METRICS ("capex" on the chosen
    basis), `sources[m]` where each value comes from (`provenance` in full: concept, form,
    accession, filing date, reported or derived); `growth` the like-for-like year-over-year
    growth of capex, `ttm` the group's trailing-twelve-month capex with its company count,
    `funding` each company's funding decomposition, `decomposition` the group's (with its
    coverage), `latest` each company's latest capex quarter with its filing.
    """

    tables: dict[str, pd.DataFrame]
    sources: dict[str, pd.DataFrame]
    provenance: pd.DataFrame  # one row per (ticker, quarter, metric): source, tag, filing
    growth: pd.DataFrame
    ttm: pd.DataFrame
    funding: dict[str, pd.DataFrame]
    decomposition: pd.DataFrame
    latest: pd.DataFrame


def capex_view(companies: dict[str, CompanyQuarters], basis: str = "capex") -> CapexView:
    """The CapexView of `companies`; `basis` is "capex" (gross) or "net_capex"."""
    tables = {m: group(companies, basis if m == "capex" else m) for m in VIEW_METRICS}
    parts = decompositions(companies, basis)
    return CapexView(
        tables=tables,
        sources={m: source_table(companies, basis if m == "capex" else m) for m in VIEW_METRICS},
        provenance=pd.concat(
            [c.provenance.assign(ticker=t) for t, c in companies.items()], ignore_index=True
        ),
        growth=capex.panel_growth(tables["capex"]),
        ttm=group_ttm(tables["capex"]),
        funding=parts,
        decomposition=group_decomposition(parts),
        latest=latest(companies, "capex"),
    )
