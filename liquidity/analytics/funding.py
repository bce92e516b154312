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
cash flow, new net debt and cash drawn from the balance sheet, after shareholder returns and
finance-lease principal; what the tracked lines do not explain is "other" (acquisitions, other
investing, FX), so the bars of a quarter always add up to zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from liquidity.analytics import capex, xbrl

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
    ),
    "debt_repaid": ("RepaymentsOfLongTermDebt", "RepaymentsOfDebt"),
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
SECURITIES = ("MarketableSecuritiesCurrent", "ShortTermInvestments")
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
    "net_debt": "Net debt issued",
    "cash_and_securities": "Cash and marketable securities",
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


def from_sec_facts(facts: pd.DataFrame, ticker: str) -> CompanyQuarters:
    """Every tracked metric of one company from its parsed XBRL facts."""
    columns, records = {}, []
    for metric, tags in FLOW_TAGS.items():
        tags = CAPEX_TAGS.get(ticker, tags) if metric == "capex" else tags
        table = xbrl.quarterize(facts, tags)
        columns[metric] = table["value_usd"]
        records.append(_provenance(table, metric, SEC_LIVE))
    cash = _cash_and_securities(facts)
    columns["cash_and_securities"] = cash["value_usd"]
    records.append(_provenance(cash, "cash_and_securities", SEC_LIVE))
    values = pd.DataFrame(columns).sort_index()
    values.index.name = "quarter"
    return CompanyQuarters(ticker, values, pd.concat(records, ignore_index=True))


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
    """Add net capex, net debt, shareholder returns and the change in cash, where computable.

    A line a company never files (e.g. asset-sale proceeds at Microsoft) counts as zero in a sum;
    a line it files but not for that quarter leaves the sum missing, so nothing is guessed.
    """
    out = values.copy()
    for metric in (*FLOW_TAGS, "cash_and_securities"):
        if metric not in out:
            out[metric] = np.nan
    out["net_capex"] = out["capex"] - _filed_or_zero(out["capex_proceeds"])
    out["net_debt"] = (
        _filed_or_zero(out["debt_issued"])
        - _filed_or_zero(out["debt_repaid"])
        + _filed_or_zero(out["commercial_paper"])
    ).where(out[["debt_issued", "debt_repaid", "commercial_paper"]].notna().any(axis=1))
    out["shareholder_returns"] = (
        _filed_or_zero(out["buybacks"]) + _filed_or_zero(out["dividends"])
    ).where(out[["buybacks", "dividends"]].notna().any(axis=1))
    previous = out["cash_and_securities"].reindex(out.index - 1)
    out["change_in_cash"] = out["cash_and_securities"] - previous.to_numpy()
    return out


def _filed_or_zero(series: pd.Series) -> pd.Series:
    return series.fillna(0.0) if series.isna().all() else series


def funding_decomposition(values: pd.DataFrame, basis: str = "capex") -> pd.DataFrame:
    """Per quarter, in USD: where the money for capex came from (positive) and went (negative).

    Columns: operating_cash_flow, net_debt, cash_drawdown (+ when cash and securities fell),
    shareholder_returns (−), finance_leases (−), capex (−), other (the residual, so each row sums
    to zero), and internal_share_pct: the share of capex covered by operating cash flow left after
    shareholder returns (0–100). A component a company does not report is zero in the sum only if
    it never reports it; quarters lacking capex or operating cash flow are dropped.
    """
    v = with_derived(values)
    out = pd.DataFrame(
        {
            "operating_cash_flow": v["operating_cash_flow"],
            "net_debt": _filed_or_zero(v["net_debt"]),
            "cash_drawdown": -_filed_or_zero(v["change_in_cash"]),
            "shareholder_returns": -_filed_or_zero(v["shareholder_returns"]),
            "finance_leases": -_filed_or_zero(v["finance_lease_principal"]),
            "capex": -v[basis],
        }
    ).dropna(subset=["operating_cash_flow", "capex"])
    out["other"] = -out.sum(axis=1, min_count=1)
    out["internal_share_pct"] = _internal_share(out)
    return out


def _internal_share(parts: pd.DataFrame) -> pd.Series:
    """Percent of capex covered by operating cash flow left after shareholder returns."""
    internal = (parts["operating_cash_flow"] + parts["shareholder_returns"]).clip(lower=0)
    return 100.0 * np.minimum(internal, -parts["capex"]) / -parts["capex"]


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


def group_decomposition(
    companies: dict[str, CompanyQuarters], basis: str = "capex"
) -> pd.DataFrame:
    """`funding_decomposition` summed over companies, with the group's internal share."""
    parts = [funding_decomposition(c.values, basis) for c in companies.values()]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame()
    summed = pd.concat(parts).groupby(level=0).sum(min_count=1)
    summed["internal_share_pct"] = _internal_share(summed)
    summed.index = pd.PeriodIndex(summed.index, freq="Q", name="quarter")
    return summed


def unreported(companies: dict[str, CompanyQuarters], metrics) -> list[str]:
    """The metrics none of the companies has a single value for."""
    derived = [with_derived(c.values) for c in companies.values()]
    return [m for m in metrics if all(d[m].isna().all() for d in derived)]


VIEW_METRICS = ("capex", "operating_cash_flow", "buybacks", "revenue")


@dataclass
class CapexView:
    """Every table the capex page draws for a set of companies, computed once per data version.

    `tables[m]` is quarter × ticker in USD for each of VIEW_METRICS ("capex" on the chosen
    basis), `sources[m]` where each value comes from (`provenance` in full: concept, form,
    accession, filing date, reported or derived); `growth` the like-for-like year-over-year
    growth of capex, `ttm` the group's trailing-twelve-month capex with its company count,
    `decomposition` the group's funding per quarter, `unreported` the funding lines no company
    reports, `latest` each company's latest capex quarter with its filing.
    """

    tables: dict[str, pd.DataFrame]
    sources: dict[str, pd.DataFrame]
    provenance: pd.DataFrame  # one row per (ticker, quarter, metric): source, tag, filing
    growth: pd.DataFrame
    ttm: pd.DataFrame
    decomposition: pd.DataFrame
    unreported: list[str]
    latest: pd.DataFrame


def capex_view(companies: dict[str, CompanyQuarters], basis: str = "capex") -> CapexView:
    """The CapexView of `companies`; `basis` is "capex" (gross) or "net_capex"."""
    tables = {m: group(companies, basis if m == "capex" else m) for m in VIEW_METRICS}
    return CapexView(
        tables=tables,
        sources={m: source_table(companies, basis if m == "capex" else m) for m in VIEW_METRICS},
        provenance=pd.concat(
            [c.provenance.assign(ticker=t) for t, c in companies.items()], ignore_index=True
        ),
        growth=capex.like_for_like_growth(tables["capex"]),
        ttm=group_ttm(tables["capex"]),
        decomposition=group_decomposition(companies, basis),
        unreported=unreported(companies, ("net_debt", "change_in_cash")),
        latest=latest(companies, "capex"),
    )
