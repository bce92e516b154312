"""Capex: hyperscaler capital expenditure from SEC filings and the data pack, and its funding."""

import datetime as dt

import pandas as pd
import streamlit as st

from components import cache, charts, figures, filters, page
from liquidity.analytics import funding, xbrl
from liquidity.core import catalog, units
from liquidity.core.errors import LiquidityError
from liquidity.data.guidance import load_guidance
from liquidity.sources import sec

TODAY = dt.date.today()
DEFAULT_RANGE = (dt.date(2022, 1, 1), TODAY)
METRICS = ("capex", "operating_cash_flow", "buybacks", "revenue")


def billions(frame_or_series):
    return units.convert(frame_or_series, "USD", "USD_B")


view = page.start(
    "Hyperscaler capex",
    path="capex",
    pin=(catalog.CAPEX, catalog.SEC, catalog.FILINGS),
    intro="How much the hyperscalers spend on data centres and equipment each quarter, how fast "
    "it grows, and where the money comes from: operating cash, new debt, or cash drawn from the "
    "balance sheet.",
)
page.require_data(view)
ready = False

with view.guard():
    chosen = filters.tickers(
        view,
        key="companies",
        label="Companies",
        default=catalog.HYPERSCALERS,
        help="The big five by default; type any US ticker to add an SEC filer "
        "(needs SEC_USER_AGENT and internet the first time).",
    )
    metric = filters.choice(
        view,
        key="metric",
        label="Metric",
        options=METRICS,
        default="capex",
        help=" · ".join(f"**{m}**: {funding.METRIC_LABELS[m]}" for m in METRICS),
    )
    mode = filters.choice(
        view,
        key="mode",
        label="Quarterly or trailing 12 months",
        options=("quarterly", "ttm"),
        default="quarterly",
    )
    basis = filters.choice(
        view,
        key="basis",
        label="Capex basis",
        options=("gross", "net"),
        default="gross",
        help="net = gross capex minus proceeds from selling property and equipment; a quarter "
        "whose proceeds are not in the data has no net figure",
    )
    start, end = filters.date_range(
        view, default=DEFAULT_RANGE, min_value=dt.date(2008, 1, 1), max_value=TODAY
    )
    capex_metric = "net_capex" if basis == "net" else "capex"
    shown_metric = capex_metric if metric == "capex" else metric

    # A ticker beyond the data pack needs its filings once; after that the store has them.
    for ticker in [t for t in chosen if t not in catalog.HYPERSCALERS]:
        try:
            cache.capex_view((ticker,), capex_metric, cache.version())
        except LiquidityError:
            with st.spinner(f"Fetching {ticker}'s filings from SEC EDGAR…"):
                try:
                    cache.fetch_filer(ticker)
                except LiquidityError as exc:
                    view.notice(f":material/info: {page.literal(ticker)} left out: {exc}")
                    chosen.remove(ticker)
    if not chosen:
        st.info("Pick at least one company in the sidebar.")
        view.finish()
        st.stop()

    version = cache.version()
    quarters = cache.capex_view(tuple(chosen), capex_metric, version)
    lo, hi = pd.Period(start, "Q"), pd.Period(end, "Q")
    label = funding.METRIC_LABELS[shown_metric]
    table = quarters.tables[metric]
    capex_table = quarters.tables["capex"]
    growth, ttm = quarters.growth, quarters.ttm

    # -- tiles ---------------------------------------------------------------------------------
    complete = capex_table.dropna()  # the latest quarter every chosen company has reported
    cols = st.columns(4)
    if complete.empty:
        cols[0].metric("Capex, latest quarter", "n/a", border=True)
    else:
        quarter = complete.index[-1]
        quarter_rate = funding.run_rate(complete.sum(axis=1))
        yoy = growth["growth_pct"].get(quarter)
        cols[0].metric(
            f"Capex {quarter}",
            units.amount(complete.iloc[-1].sum(), "USD", "USD_B"),
            border=True,
            help=f"{funding.METRIC_LABELS[capex_metric]}, "
            f"{len(chosen)} companies, latest quarter all of them reported.",
        )
        cols[1].metric(
            "Annualised run-rate",
            units.amount(quarter_rate[1], "USD", "USD_B", decimals=0),
            border=True,
            help=f"{quarter_rate[0]} × 4",
        )
        cols[2].metric(
            "Growth, year over year",
            "n/a" if pd.isna(yoy) else f"{yoy:+.0f} %",
            border=True,
            help="Companies reporting both quarters, when they held at least 80% of the "
            f"group's capex a year earlier: {growth['companies'].get(quarter) or 'none'}",
        )
        cols[3].metric(
            "Trailing 12 months",
            units.amount(ttm.loc[quarter, "ttm_usd"], "USD", "USD_B", decimals=0),
            border=True,
            help=f"{int(ttm.loc[quarter, 'companies'])} companies' last four quarters",
        )
    ready = True

if not ready:  # the setup failed and said why; nothing below can be drawn
    view.finish()
    st.stop()

# -- by company ------------------------------------------------------------------------------------
with view.guard():
    st.subheader(f"{label} by company" + (", trailing 12 months" if mode == "ttm" else ""))
    values = table.apply(xbrl.ttm) if mode == "ttm" else table
    shown = billions(values.loc[lo:hi])
    if shown.dropna(how="all").empty:
        st.info(f"No {label.lower()} for the selected companies between {start} and {end}.")
    else:
        line = None
        if metric == "capex" and mode == "quarterly":
            # Only where every selected company has four quarters: a partial sum would dip.
            full = ttm["ttm_usd"].where(ttm["companies"] == len(chosen))
            line = billions(full).loc[lo:hi]
        sources = quarters.sources[metric]
        fig = figures.capex.build_capex_figure(shown, line, label, sources)
        data = shown.assign(group_ttm_b=line) if line is not None else shown
        charts.show_chart(
            fig,
            data,
            name=f"{shown_metric}_{mode}",
            alt=f"{label} per quarter by company, $ billions",
        )
        st.caption(
            "Calendar quarters: a fiscal quarter counts in the calendar quarter that holds its "
            "midpoint (Microsoft's June and Oracle's May fiscal years). Hover a bar for where "
            "the value comes from. The group line adds up each company's last four quarters, "
            "where all selected companies have them."
        )
        with st.expander("Where each value comes from"):
            base = "capex" if metric == "capex" else metric
            detail = quarters.provenance[quarters.provenance["metric"] == base]
            detail = detail[detail["quarter"].between(lo, hi)].sort_values(
                ["quarter", "ticker"], ascending=[False, True]
            )
            st.dataframe(
                detail.assign(quarter=detail["quarter"].astype(str))[
                    ["quarter", "ticker", "source", "method", "tag", "form", "accn", "filed"]
                ],
                width="stretch",
                hide_index=True,
                column_config={"filed": st.column_config.DateColumn(format="YYYY-MM-DD")},
            )

# -- growth ----------------------------------------------------------------------------------------
with view.guard():
    st.subheader("Capex growth, year over year")
    per_company = capex_table.apply(lambda s: 100 * (s / s.reindex(s.index - 4).to_numpy() - 1))
    group_line = growth["growth_pct"]  # NaN where the reporting companies cover too little
    growth_view = per_company.assign(**{"Group (like for like)": group_line}).loc[lo:hi]
    if growth_view.dropna(how="all").empty:
        st.info("Growth needs the same quarter a year earlier; widen the range.")
    else:
        charts.show_chart(
            figures.capex.build_growth_figure(growth_view),
            growth_view,
            name="capex_growth",
            alt="Capex growth year over year",
        )
        st.caption(
            "The group line counts the companies that report both quarters, and only where "
            "they held at least 80% of the group's capex a year earlier: one company reporting "
            "early (Oracle's quarter ends a month before the others') is never the group."
        )

# -- capex vs operating cash flow ------------------------------------------------------------------
with view.guard():
    st.subheader("Capex against operating cash flow")
    ocf = quarters.tables["operating_cash_flow"]
    pairs = {
        t: billions(pd.DataFrame({"capex": capex_table[t], "operating_cash_flow": ocf[t]}))
        .loc[lo:hi]
        .dropna(how="all")
        for t in chosen
    }
    pairs = {t: p for t, p in pairs.items() if not p.empty}
    if not pairs:
        st.info("No operating cash flow for the selected companies and range.")
    else:
        flat = pd.concat(pairs, axis=1)
        flat.columns = [f"{t}_{c}" for t, c in flat.columns]
        charts.show_chart(
            figures.capex.build_capex_vs_ocf_figure(pairs),
            flat,
            name="capex_vs_ocf",
            alt="Capex and operating cash flow per company",
        )

# -- funding ---------------------------------------------------------------------------------------
with view.guard():
    st.subheader("How the capex was funded")
    window = quarters.decomposition.loc[lo:hi] if not quarters.decomposition.empty else None
    if window is None or window.empty:
        st.info(
            f"No {funding.METRIC_LABELS[capex_metric].lower()} for the selected companies "
            f"between {start} and {end}, so no funding to show."
        )
    else:
        amounts = [*funding.LINES, "other"]
        parts_b = billions(window[amounts]).join(
            window[["internal_share_pct", "companies", "panel", "coverage"]]
        )
        if parts_b[amounts].isna().all().all():
            st.info(
                f"No quarter between {start} and {end} has capex from all {len(chosen)} "
                "selected companies; the table below has each company's lines."
            )
        else:
            charts.show_chart(
                figures.capex.build_funding_figure(parts_b),
                parts_b.rename(columns={c: f"{c}_usd_b" for c in amounts}),
                name="funding",
                alt="Sources and uses of cash per quarter, selected companies, $ billions",
            )
        panel = "the company" if len(chosen) == 1 else f"all {len(chosen)} selected companies"
        note = (
            "Bars above zero are where the money came from, bars below where it went. A bar "
            f"needs the line from {panel} for that quarter; a line the data do not hold is a gap, "
            "never zero. 'Other' (what the tracked lines leave unexplained: acquisitions, other "
            "investments, FX) and the black line (share of capex covered by operating cash flow "
            "after buybacks and dividends) appear only where all their lines are there."
        )
        if (window["companies"] < window["panel"]).any():
            note += (
                f" A quarter marked n/{len(chosen)} has capex from only n of the companies, so "
                "it has no group bars."
            )
        st.caption(note)
        by_company = {t: d.loc[lo:hi] for t, d in quarters.funding.items()}
        missing = funding.missing_lines(by_company)
        if missing:
            st.caption("  \n".join(["**Not in the data** (gaps, not zeros):", *missing]))
        with st.expander("Per company and quarter ($ billions)"):
            table = funding.funding_table(by_company)
            st.dataframe(
                table.sort_values(["quarter", "ticker"], ascending=[False, True]),
                width="stretch",
                hide_index=True,
                column_config={
                    c: st.column_config.NumberColumn(format="%.2f")
                    for c in table.columns
                    if c.endswith(("_usd_b", "_pct"))
                },
            )

# -- debt raised -----------------------------------------------------------------------------------
with view.guard():
    st.subheader("Debt raised")
    ledger, without_filings = cache.debt_ledger(tuple(chosen), version)
    reconciled = cache.debt_reconciliation(tuple(chosen), version)
    shown = reconciled[(reconciled["quarter"] >= lo) & (reconciled["quarter"] <= hi)]
    if shown[["raised_b", "debt_issued_b"]].isna().all().all():
        st.info(
            f"No debt raised by {', '.join(chosen)} between {start} and {end} in the data: "
            "neither EDGAR debt filings nor XBRL's debt issued. Refresh with SEC_USER_AGENT set "
            "(Data page, or `python -m liquidity refresh --only sec`)."
        )
    else:
        charts.show_chart(
            figures.capex.build_debt_raised_figure(shown),
            shown,
            name="debt_raised",
            alt="Debt raised per quarter from filings, with XBRL's debt issued",
        )
        note = (
            "Bars: the cash-flow statement's debt issued (XBRL) per company; a quarter marked "
            "n/N has it from only n of the companies (the others are missing, not zero). "
            "Diamonds: the principal stated on each 424B2/424B5 prospectus supplement or 8-K "
            "item 2.03 of the quarter, one deal counted once (a closing 8-K after its supplement "
            "is not added again). A quarter whose filings could not all be read is marked "
            "'filings incomplete' below, never counted as zero."
        )
        if without_filings:
            note += (
                f" **No filings index in the data for {', '.join(without_filings)}**: only "
                "their XBRL totals show; refresh with SEC_USER_AGENT set to list their filings."
            )
        st.caption(note)
        with st.expander("Per quarter and company: filings beside XBRL ($ billions)"):
            table = shown.assign(quarter=shown["quarter"].astype(str))
            st.dataframe(
                table.sort_values(["quarter", "ticker"], ascending=[False, True]),
                width="stretch",
                hide_index=True,
                column_config={
                    c: st.column_config.NumberColumn(format="%.2f")
                    for c in table.columns
                    if c.endswith("_b")
                },
            )
        window_ledger = ledger[(ledger["quarter"] >= lo) & (ledger["quarter"] <= hi)]
        if not window_ledger.empty:
            with st.expander(f"Every filing ({len(window_ledger)}), with links"):
                st.dataframe(
                    window_ledger.assign(quarter=window_ledger["quarter"].astype(str))
                    .drop(columns=["week"])
                    .sort_values("filed", ascending=False),
                    width="stretch",
                    hide_index=True,
                    column_config={
                        "url": st.column_config.LinkColumn("document", display_text="open"),
                        "principal_b": st.column_config.NumberColumn(
                            "principal ($B)", format="%.3f"
                        ),
                        "filed": st.column_config.DateColumn(format="YYYY-MM-DD"),
                        "settled": st.column_config.DateColumn(format="YYYY-MM-DD"),
                    },
                )
    page.provenance_strip(
        [f"filings/{t}" for t in chosen] + [f"sec/{t}" for t in chosen],
        note="Filings: SEC EDGAR filings index; amounts as stated on the document, empty where "
        "the cover could not be read",
    )

# -- intensity -------------------------------------------------------------------------------------
with view.guard():
    st.subheader("Capex intensity")
    revenue = quarters.tables["revenue"]
    ratios = {}
    for t in chosen:
        ratios[f"{t} capex ÷ operating cash flow"] = 100 * capex_table[t] / ocf[t]
        ratios[f"{t} capex ÷ revenue"] = 100 * capex_table[t] / revenue[t]
    ratios = pd.DataFrame(ratios).loc[lo:hi].dropna(axis=1, how="all")
    if ratios.empty:
        st.info("No operating cash flow or revenue to compare capex with in this range.")
    else:
        charts.show_chart(
            figures.capex.build_intensity_figure(ratios),
            ratios,
            name="capex_intensity",
            alt="Capex as a percent of operating cash flow and of revenue",
        )
        if revenue.isna().all().all():
            st.caption("Revenue comes from SEC filings only; the data pack has none.")

# -- guidance --------------------------------------------------------------------------------------
with view.guard():
    guidance = load_guidance(companies=chosen)
    if not guidance.empty:
        st.subheader("Company guidance for the year")
        ttm_b = billions(capex_table.apply(xbrl.ttm))
        charts.show_chart(
            figures.capex.build_guidance_figure(guidance, ttm_b),
            guidance.set_index("company"),
            name="capex_guidance",
            alt="Full-year capex guidance statements and trailing capex",
        )
        st.caption(
            "From `liquidity/data/guidance.csv` (extend it: one row per statement). Guidance "
            "bases differ: Meta includes finance-lease principal."
        )

# -- latest quarter --------------------------------------------------------------------------------
with view.guard():
    st.subheader("Latest quarter per company")
    latest = quarters.latest.copy()
    if latest.empty:
        st.info("No capex for the selected companies.")
    else:
        latest["capex ($B)"] = billions(latest.pop("value_usd"))
        latest["filing"] = [
            sec.filing_index_url(t, a)
            for t, a in zip(latest["ticker"], latest["accn"], strict=True)
        ]
        # Data-pack rows have no filing: drop the columns that would only say "None".
        latest = latest.loc[:, latest.replace("", None).notna().any()]
        st.dataframe(
            latest,
            width="stretch",
            hide_index=True,
            column_config={
                "capex ($B)": st.column_config.NumberColumn(format="%.2f"),
                "filing": st.column_config.LinkColumn(display_text="SEC filing"),
                "filed": st.column_config.DateColumn(format="YYYY-MM-DD"),
            },
        )
        page.provenance_strip(
            [f"capex/{t}" for t in chosen if t in catalog.HYPERSCALERS]
            + [f"sec/{t}" for t in catalog.HYPERSCALERS if t in chosen],
            note="SEC filings, where the store has them, win over the data pack's rows",
        )

view.finish()
