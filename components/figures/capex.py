"""Figures of the Hyperscaler capex page: capex by company, growth, capex against
cash flow, funding, intensity and guidance.

All figures use the app's one Plotly template (components.charts.TEMPLATE)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.charts import TEMPLATE


def build_capex_figure(
    table_b: pd.DataFrame, group_ttm_b: pd.Series | None, label: str, sources: pd.DataFrame
) -> go.Figure:
    """Stacked bars per company (hover: the source of each value), group TTM on a right axis."""
    fig = go.Figure()
    x = table_b.index.astype(str)
    for ticker in table_b.columns:
        fig.add_trace(
            go.Bar(
                x=x,
                y=table_b[ticker],
                name=ticker,
                customdata=sources.reindex(table_b.index)[ticker].fillna("").to_numpy(),
                hovertemplate="%{y:,.1f} $B · %{customdata}<extra>" + ticker + "</extra>",
            )
        )
    if group_ttm_b is not None:
        fig.add_trace(
            go.Scatter(
                x=x,
                y=group_ttm_b.reindex(table_b.index),
                name="Group TTM",
                yaxis="y2",
                mode="lines+markers",
                line={"width": 2.4, "color": "black"},
            )
        )
        fig.update_layout(
            yaxis2={
                "title": {"text": "$ billions, trailing 12 months"},
                "overlaying": "y",
                "side": "right",
                "showgrid": False,
                "rangemode": "tozero",
            }
        )
    fig.update_layout(template=TEMPLATE, barmode="stack", height=420)
    fig.update_layout(yaxis={"title": {"text": f"{label}, $ billions"}, "hoverformat": ",.1f"})
    return fig


def build_growth_figure(growth: pd.DataFrame) -> go.Figure:
    """Year-over-year growth in percent: the like-for-like group line and each company."""
    fig = go.Figure()
    x = growth.index.astype(str)
    for column in growth.columns:
        group_line = column == "Group (like for like)"
        fig.add_trace(
            go.Scatter(
                x=x,
                y=growth[column],
                name=column,
                mode="lines+markers",
                line={
                    "width": 3 if group_line else 1.3,
                    **({"color": "black"} if group_line else {}),
                },
            )
        )
    fig.add_hline(y=0, line_width=1, line_color="gray", opacity=0.5)
    fig.update_layout(template=TEMPLATE, height=360)
    fig.update_yaxes(title_text="percent, year over year", hoverformat=",.1f")
    return fig


def build_capex_vs_ocf_figure(pairs: dict[str, pd.DataFrame]) -> go.Figure:
    """Small multiples: per company, capex bars against operating cash flow (both $ billions)."""
    tickers = list(pairs)
    fig = make_subplots(
        rows=1,
        cols=len(tickers),
        shared_yaxes=True,
        subplot_titles=tickers,
        horizontal_spacing=0.02,
    )
    for i, ticker in enumerate(tickers, start=1):
        frame = pairs[ticker]
        x = frame.index.astype(str)
        fig.add_trace(
            go.Bar(
                x=x,
                y=frame["capex"],
                name="Capex",
                legendgroup="capex",
                showlegend=i == 1,
                marker={"color": "#B45309"},
            ),
            row=1,
            col=i,
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=frame["operating_cash_flow"],
                name="Operating cash flow",
                legendgroup="ocf",
                showlegend=i == 1,
                mode="lines+markers",
                line={"color": "#0F766E"},
            ),
            row=1,
            col=i,
        )
    fig.update_layout(template=TEMPLATE, height=340, hovermode="x")
    fig.update_xaxes(nticks=3, tickangle=0)  # narrow panels: a few quarter labels, not all
    fig.update_yaxes(title_text="$ billions per quarter", row=1, col=1, hoverformat=",.1f")
    return fig


# line -> (legend name, colour): sources in greens and blues, uses in reds and browns.
FUNDING_PARTS = {
    "operating_cash_flow": ("Operating cash flow", "#0F766E"),
    "debt_issued": ("Debt issued", "#2563EB"),
    "commercial_paper": ("Commercial paper, net", "#93C5FD"),
    "cash_drawdown": ("Cash and securities drawn (−Δ)", "#65A30D"),
    "debt_repaid": ("Debt repaid", "#7C3AED"),
    "buybacks": ("Buybacks", "#DC2626"),
    "dividends": ("Dividends", "#F97316"),
    "finance_leases": ("Finance-lease principal", "#A16207"),
    "capex": ("Capex", "#B45309"),
    "other": ("Other (not tracked)", "#9CA3AF"),
}


def build_funding_figure(decomposition_b: pd.DataFrame) -> go.Figure:
    """Sources (up) and uses (down) of cash per quarter, $ billions, with the internal share.

    A line missing from the data stays a gap (NaN, no bar), and a line missing in every quarter
    shown gets no trace at all; "other" has bars only where it could be computed. With the
    group's coverage columns (`companies`, `panel`, `coverage`) a quarter short of companies
    says so above its slot ("2/5"), and every bar's hover names the coverage.
    """
    fig = go.Figure()
    x = decomposition_b.index.astype(str)
    coverage = decomposition_b.get("coverage", pd.Series("", index=decomposition_b.index))
    for column, (name, colour) in FUNDING_PARTS.items():
        if decomposition_b[column].isna().all():
            continue
        fig.add_trace(
            go.Bar(
                x=x,
                y=decomposition_b[column],
                name=name,
                marker={"color": colour},
                customdata=coverage.to_numpy(),
                hovertemplate="%{y:,.1f} $B · %{customdata}<extra>" + name + "</extra>",
            )
        )
    share = decomposition_b["internal_share_pct"]
    if share.notna().any():
        fig.add_trace(
            go.Scatter(
                x=x,
                y=share,
                yaxis="y2",
                name="Capex paid from internal cash (%)",
                mode="lines+markers",
                line={"color": "black", "width": 2},
            )
        )
        fig.update_layout(
            yaxis2={
                "title": {"text": "percent of capex"},
                "overlaying": "y",
                "side": "right",
                "range": [0, 105],
                "dtick": 25,
                "tickformat": ".0f",
                "showgrid": False,
            }
        )
    if {"companies", "panel"} <= set(decomposition_b.columns):
        short = decomposition_b[decomposition_b["companies"] < decomposition_b["panel"]]
        for quarter, row in short.iterrows():
            fig.add_annotation(
                x=str(quarter),
                y=1,
                yref="paper",
                yanchor="bottom",
                text=f"{row['companies']}/{row['panel']}",
                showarrow=False,
                font={"size": 11},
            )
    fig.update_layout(template=TEMPLATE, barmode="relative", height=440)
    fig.update_layout(yaxis={"title": {"text": "$ billions per quarter"}, "hoverformat": ",.1f"})
    return fig


def build_intensity_figure(ratios: pd.DataFrame) -> go.Figure:
    """Capex as a percent of operating cash flow and of revenue, per company."""
    fig = go.Figure()
    x = ratios.index.astype(str)
    for column in ratios.columns:
        fig.add_trace(
            go.Scatter(
                x=x,
                y=ratios[column],
                name=column,
                mode="lines+markers",
                line={"dash": "dot" if "revenue" in column else "solid"},
            )
        )
    fig.update_layout(template=TEMPLATE, height=360)
    fig.update_yaxes(title_text="percent", hoverformat=",.1f")
    return fig


def build_guidance_figure(guidance: pd.DataFrame, ttm_b: pd.DataFrame) -> go.Figure:
    """Each statement of full-year guidance (low–high range) over time, next to trailing capex."""
    fig = go.Figure()
    for company, rows in guidance.groupby("company"):
        mid = (rows["low_usd_b"] + rows["high_usd_b"]) / 2
        fig.add_trace(
            go.Scatter(
                x=rows["date_stated"],
                y=mid,
                mode="markers",
                name=f"{company} guidance",
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": rows["high_usd_b"] - mid,
                    "arrayminus": mid - rows["low_usd_b"],
                },
                customdata=rows[["fiscal_year", "low_usd_b", "high_usd_b", "basis"]].to_numpy(),
                hovertemplate="FY%{customdata[0]}: %{customdata[1]}–%{customdata[2]} $B "
                "(%{customdata[3]})<extra>" + company + "</extra>",
            )
        )
        if company in ttm_b:
            series = ttm_b[company].dropna()
            fig.add_trace(
                go.Scatter(
                    x=series.index.end_time,
                    y=series,
                    mode="lines",
                    name=f"{company} capex, trailing 12 months",
                    line={"dash": "dot"},
                )
            )
    fig.update_layout(template=TEMPLATE, height=360)
    fig.update_yaxes(title_text="$ billions per year", hoverformat=",.1f")
    return fig


def build_debt_raised_figure(quarters: pd.DataFrame) -> go.Figure:
    """Per quarter: XBRL's debt issued per company (stacked bars; a company that did not report
    the quarter has no bar, and the quarter says n/N above it) and the sum of the filings'
    stated principals as markers, where any filing was read."""
    fig = go.Figure()
    issued = quarters.pivot(index="quarter", columns="ticker", values="debt_issued_b")
    x = issued.index.astype(str)
    for ticker in issued.columns:
        if issued[ticker].notna().any():
            fig.add_trace(go.Bar(x=x, y=issued[ticker], name=f"{ticker} (XBRL debt issued)"))
    raised = quarters.pivot(index="quarter", columns="ticker", values="raised_b")
    filed = raised.sum(axis=1, min_count=1).reindex(issued.index)
    if filed.notna().any():
        fig.add_trace(
            go.Scatter(
                x=x,
                y=filed,
                name="Filings: principal stated (counted deals)",
                mode="markers",
                marker={"color": "black", "size": 9, "symbol": "diamond"},
            )
        )
    reporting = issued.notna().sum(axis=1)
    for quarter, count in reporting.items():
        if 0 < count < issued.shape[1]:
            fig.add_annotation(
                x=str(quarter),
                y=1,
                yref="paper",
                yanchor="bottom",
                text=f"{count}/{issued.shape[1]}",
                showarrow=False,
                font={"size": 11},
            )
    fig.update_layout(template=TEMPLATE, barmode="stack", height=400)
    fig.update_layout(yaxis={"title": {"text": "$ billions per quarter"}, "hoverformat": ",.1f"})
    return fig
