"""Figures of the liquidity balance page, built on the app's one template (components.charts)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.charts import RANGE_BUTTONS, TEMPLATE, thin_for_display
from liquidity.analytics.drain_gauge import COMPONENTS
from liquidity.analytics.price_of_money import LINES
from liquidity.core import units

PANELS = (  # price-of-money rows: (title, unit label, members)
    ("Yields and curve", "percent", ("DGS10", "DFII10", "DGS2", "T10Y2Y")),
    ("Credit spreads", "percent", ("BAMLH0A0HYM2", "BAMLC0A0CM")),
    ("Funding stress", "basis points", ("SOFR_IORB", "EFFR_IORB")),
    ("Money supply", "percent, year over year", ("M2SL_YOY",)),
)


def _scale(values: pd.Series | pd.DataFrame, unit: str):
    return units.convert(values, "USD_B", unit)


def build_bathtub_figure(frame: pd.DataFrame, unit: str, smoothing_weeks: int = 0) -> go.Figure:
    """Net liquidity with the Fed's assets filling the tub and the TGA and RRP draining it."""
    label = units.label(unit)
    fig = go.Figure()
    if "reserves_b" in frame:  # reserves are the whole measure: one line
        parts, net_name = [], "Reserve balances (WRESBAL)"
    else:
        parts = [
            ("walcl_b", "Fed assets (WALCL)", 1),
            ("tga_b", "− Treasury account (TGA)", -1),
            ("rrp_b", "− Reverse repo (RRP)", -1),
        ]
        net_name = "Net liquidity"
    for column, name, sign in parts:
        series = _scale(sign * frame[column].dropna(), unit)
        fig.add_trace(
            go.Scatter(x=series.index, y=series, name=name, mode="lines", line={"width": 1.2})
        )
    net = _scale(frame["net_liquidity_b"].dropna(), unit)
    fig.add_trace(go.Scatter(x=net.index, y=net, name=net_name, mode="lines", line={"width": 2.6}))
    if smoothing_weeks:
        smooth = net.rolling(smoothing_weeks, min_periods=smoothing_weeks).mean()
        fig.add_trace(
            go.Scatter(
                x=smooth.index,
                y=smooth,
                name=f"{smoothing_weeks}-week average",
                mode="lines",
                line={"width": 2, "dash": "dash"},
            )
        )
    fig.add_hline(y=0, line_width=1, line_color="gray", opacity=0.4)
    fig.update_layout(template=TEMPLATE, height=420)
    fig.update_yaxes(title_text=label, hoverformat=",.2f" if unit == "USD_T" else ",.0f")
    fig.update_xaxes(
        rangeselector={"buttons": RANGE_BUTTONS, "x": 0, "y": 1.0, "yanchor": "bottom"}
    )
    return fig


def build_waterfall_figure(frame: pd.DataFrame, unit: str) -> go.Figure:
    """From net liquidity at the window's first Wednesday to its last, through each part."""
    complete = frame.dropna(subset=["net_liquidity_b"])
    first, last = complete.iloc[0], complete.iloc[-1]
    if "reserves_b" in frame:
        steps = [("Δreserves", last["net_liquidity_b"] - first["net_liquidity_b"])]
    else:
        steps = [
            ("ΔWALCL", last["walcl_b"] - first["walcl_b"]),
            ("−ΔTGA", -(last["tga_b"] - first["tga_b"])),
            ("−ΔRRP", -(last["rrp_b"] - first["rrp_b"])),
        ]
    labels = [
        f"{complete.index[0]:%Y-%m-%d}",
        *(s[0] for s in steps),
        f"{complete.index[-1]:%Y-%m-%d}",
    ]
    values = [first["net_liquidity_b"], *(s[1] for s in steps), last["net_liquidity_b"]]
    values = [float(_scale(v, unit)) for v in values]
    fmt = ",.2f" if unit == "USD_T" else ",.0f"
    fig = go.Figure(
        go.Waterfall(
            x=labels,
            y=values,
            measure=["absolute", *["relative"] * len(steps), "total"],
            text=[
                f"{v:{fmt}}" if i in (0, len(values) - 1) else f"{v:+{fmt}}"
                for i, v in enumerate(values)
            ],
            textposition="outside",
            connector={"line": {"color": "gray", "width": 1}},
            hovertemplate=f"%{{x}}: %{{y:{fmt}}}<extra></extra>",
            name="",
        )
    )
    low = min(values[0], values[-1])
    fig.update_layout(template=TEMPLATE, height=380, showlegend=False, hovermode="closest")
    fig.update_xaxes(type="category")  # the first and last labels are dates, the rest are not
    fig.update_yaxes(
        title_text=units.label(unit), range=[low * 0.9, max(values) * 1.05] if low > 0 else None
    )
    return fig


def build_flows_figure(flows: pd.DataFrame, unit: str) -> go.Figure:
    """Weekly changes as stacked bars, with the change in net liquidity as a line."""
    fig = go.Figure()
    names = {
        "d_walcl_b": "ΔWALCL",
        "neg_d_tga_b": "−ΔTGA",
        "neg_d_rrp_b": "−ΔRRP",
        "d_reserves_b": "Δreserves",
    }
    for column, name in names.items():
        if column in flows:
            fig.add_trace(go.Bar(x=flows.index, y=_scale(flows[column], unit), name=name))
    net = _scale(flows["d_net_liquidity_b"], unit)
    fig.add_trace(
        go.Scatter(
            x=net.index,
            y=net,
            name="Δ net liquidity",
            mode="lines+markers",
            line={"width": 1.5, "color": "black"},
            marker={"size": 4},
        )
    )
    fig.update_layout(template=TEMPLATE, barmode="relative", height=380)
    fig.update_yaxes(
        title_text=f"{units.label(unit)} per week",
        hoverformat=",.3f" if unit == "USD_T" else ",.1f",
    )
    return fig


def build_price_of_money_figure(frame: pd.DataFrame, lines: list[str]) -> go.Figure:
    """One row per kind of price (yields, spreads, funding stress), sharing the date axis."""
    panels = [(t, u, [m for m in members if m in lines and m in frame]) for t, u, members in PANELS]
    panels = [p for p in panels if p[2]]
    fig = make_subplots(
        rows=len(panels),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        subplot_titles=[p[0] for p in panels],
    )
    shown = thin_for_display(frame[[m for p in panels for m in p[2]]])
    for row, (_, unit_label, members) in enumerate(panels, start=1):
        for member in members:
            series = shown[member].dropna()
            fig.add_trace(
                go.Scatter(
                    x=series.index,
                    y=series,
                    name=LINES[member][0],
                    mode="lines",
                    line={"width": 1.4},
                ),
                row=row,
                col=1,
            )
        fig.update_yaxes(
            title_text=unit_label,
            row=row,
            col=1,
            hoverformat=",.0f" if unit_label == "basis points" else ",.2f",
        )
    fig.update_layout(template=TEMPLATE, height=260 * len(panels) + 60)
    return fig


def build_ledger_figure(ledger: pd.DataFrame, expected_companies: int) -> go.Figure:
    """Per quarter: change in net liquidity next to hyperscaler capex, in $ billions."""
    x = ledger.index.astype(str)
    fig = go.Figure()
    fig.add_trace(go.Bar(x=x, y=ledger["d_net_liquidity_b"], name="Δ net liquidity (supply)"))
    partial = ledger["companies"] < expected_companies
    fig.add_trace(
        go.Bar(
            x=x,
            y=ledger["capex_b"],
            name="Hyperscaler capex (demand)",
            text=[
                f"{n}/{expected_companies}" if p else ""
                for n, p in zip(ledger["companies"], partial, strict=True)
            ],
            textposition="outside",
            marker={"opacity": [0.45 if p else 1.0 for p in partial]},
            customdata=ledger["companies"],
            hovertemplate="%{y:,.1f} $B from %{customdata} companies<extra>capex</extra>",
        )
    )
    fig.update_layout(template=TEMPLATE, barmode="group", height=380, hovermode="x unified")
    fig.update_yaxes(title_text="$ billions per quarter", hoverformat=",.1f")
    return fig


def build_gauge_figure(gauge: pd.DataFrame) -> go.Figure:
    """Each component's contribution as stacked bars; the gauge (their sum) as a line."""
    fig = go.Figure()
    for column, (label, sign, _) in COMPONENTS.items():
        fig.add_trace(
            go.Bar(
                x=gauge.index,
                y=gauge[f"contrib_{column}"],
                name=f"{'−' if sign < 0 else '+'} {label}",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=gauge.index,
            y=gauge["gauge"],
            name="Drain gauge",
            mode="lines",
            line={"width": 2.2, "color": "black"},
        )
    )
    fig.add_hline(y=0, line_width=1, line_color="gray", opacity=0.5)
    fig.update_layout(template=TEMPLATE, barmode="relative", height=400, bargap=0)
    fig.update_yaxes(title_text="standard deviations (z-score)", hoverformat=",.2f")
    fig.update_xaxes(
        rangeselector={"buttons": RANGE_BUTTONS, "x": 0, "y": 1.0, "yanchor": "bottom"}
    )
    return fig


# -- capex page ----------------------------------------------------------------------------------


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


FUNDING_PARTS = {
    "operating_cash_flow": "Operating cash flow",
    "net_debt": "Net debt issued",
    "cash_drawdown": "Cash and securities drawn (−Δ)",
    "shareholder_returns": "Buybacks and dividends",
    "finance_leases": "Finance-lease principal",
    "capex": "Capex",
    "other": "Other (not tracked)",
}


def build_funding_figure(decomposition_b: pd.DataFrame) -> go.Figure:
    """Sources (up) and uses (down) of cash per quarter; each quarter's bars sum to zero."""
    fig = go.Figure()
    x = decomposition_b.index.astype(str)
    for column, name in FUNDING_PARTS.items():
        fig.add_trace(go.Bar(x=x, y=decomposition_b[column], name=name))
    fig.add_trace(
        go.Scatter(
            x=x,
            y=decomposition_b["internal_share_pct"],
            yaxis="y2",
            name="Capex paid from internal cash (%)",
            mode="lines+markers",
            line={"color": "black", "width": 2},
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        barmode="relative",
        height=440,
        yaxis2={
            "title": {"text": "percent of capex"},
            "overlaying": "y",
            "side": "right",
            "range": [0, 105],
            "dtick": 25,
            "tickformat": ".0f",
            "showgrid": False,
        },
    )
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


# -- divergence page ---------------------------------------------------------------------------

# The two baskets keep one colour on every chart of the page.
BASKET_COLORS = {"Speculative basket": "#0F766E", "Memory basket": "#B45309"}
BAND_COLORS = {
    "Speculative basket": "rgba(15,118,110,0.18)",
    "Memory basket": "rgba(180,83,9,0.18)",
}


def _log_ticks(levels: pd.DataFrame) -> list[float]:
    """Round tick values (…, 50, 100, 200, 500, 1,000, …) spanning the plotted range."""
    values = levels.to_numpy(dtype="float64")
    lo, hi = np.nanmin(values), np.nanmax(values)
    ticks = [m * 10.0**e for e in range(-2, 7) for m in (1, 2, 5)]
    return [t for t in ticks if lo / 2 <= t <= hi * 2]


def build_rebased_figure(
    levels: pd.DataFrame, baskets: list[str], bench: str, constituents: bool
) -> go.Figure:
    """Rebased lines on a log scale: baskets bold, the benchmark dashed, constituents thin."""
    fig = go.Figure()
    shown = thin_for_display(levels)
    names = [*baskets, bench] + (
        [c for c in levels if c not in (*baskets, bench)] if constituents else []
    )
    for name in names:
        series = shown[name].dropna()
        if name in baskets:
            line, opacity = {"width": 3, "color": BASKET_COLORS.get(name)}, 1.0
        elif name == bench:
            line, opacity = {"width": 1.8, "dash": "dash"}, 1.0
        else:
            line, opacity = {"width": 1}, 0.6
        fig.add_trace(
            go.Scatter(
                x=series.index, y=series, name=name, mode="lines", line=line, opacity=opacity
            )
        )
    fig.add_hline(y=100, line_width=1, line_color="gray", opacity=0.4)
    fig.update_layout(template=TEMPLATE, height=440)
    fig.update_yaxes(
        title_text="index, 100 at the base date (log scale)",
        type="log",
        hoverformat=",.1f",
        tickvals=_log_ticks(shown[names]),
        tickformat=",.0f",
    )
    fig.update_xaxes(
        rangeselector={"buttons": RANGE_BUTTONS, "x": 0, "y": 1.0, "yanchor": "bottom"}
    )
    return fig


def build_relative_figure(relative: pd.Series, title: str) -> go.Figure:
    fig = go.Figure(
        go.Scatter(x=relative.index, y=relative, name=title, mode="lines", line={"width": 2.2})
    )
    fig.update_layout(template=TEMPLATE, height=340, showlegend=False)
    fig.update_yaxes(title_text=title, hoverformat=",.1f")
    return fig


def build_drawdown_figure(drawdowns: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    shown = thin_for_display(drawdowns)
    for name in shown:
        series = shown[name].dropna()
        fig.add_trace(
            go.Scatter(
                x=series.index,
                y=series,
                name=name,
                mode="lines",
                fill="tozeroy",
                line={"width": 1.2},
                opacity=0.7,
            )
        )
    fig.update_layout(template=TEMPLATE, height=320)
    fig.update_yaxes(title_text="percent below the running peak", hoverformat=",.1f")
    return fig


def build_beta_figure(betas: pd.DataFrame, scales: dict, labels: dict) -> go.Figure:
    """One panel per factor: each series' beta with its 95% interval (HAC errors); faded bars
    are those with |t| < 2."""
    factors = list(scales)
    fig = make_subplots(
        rows=1,
        cols=len(factors),
        subplot_titles=[labels[f] for f in factors],
        horizontal_spacing=0.12,
        shared_yaxes=True,
    )
    for col, factor in enumerate(factors, start=1):
        scale, unit = scales[factor]
        rows = betas.xs(factor, level="factor")
        fig.add_trace(
            go.Bar(
                y=rows.index,
                x=rows["beta"] * scale,
                orientation="h",
                showlegend=False,
                error_x={
                    "type": "data",
                    "array": (rows["ci_high"] - rows["beta"]) * scale,
                    "arrayminus": (rows["beta"] - rows["ci_low"]) * scale,
                },
                marker={"opacity": [1.0 if abs(t) >= 2 else 0.4 for t in rows["t"]]},
                customdata=rows[["t", "n"]].to_numpy(),
                hovertemplate="%{y}: %{x:,.3f} "
                + unit
                + " (t = %{customdata[0]:.1f}, n = %{customdata[1]})<extra></extra>",
            ),
            row=1,
            col=col,
        )
        fig.update_xaxes(title_text=unit, row=1, col=col)
    fig.update_yaxes(autorange="reversed")
    height = max(320, 24 * len(betas.index.get_level_values(0).unique()) + 140)
    fig.update_layout(template=TEMPLATE, height=height, hovermode="closest")
    return fig


def build_rolling_beta_figure(
    rolling: dict[str, pd.DataFrame], factor: str, scale: float, unit: str
) -> go.Figure:
    """Rolling beta per basket with its 95% band; weeks where no basket has |t| ≥ 2 are grey."""
    fig = go.Figure()
    for name, frame in rolling.items():
        for bound, fill in ((f"ci_high_{factor}", None), (f"ci_low_{factor}", "tonexty")):
            fig.add_trace(  # the band: upper edge, then the lower edge filled up to it
                go.Scatter(
                    x=frame.index,
                    y=frame[bound] * scale,
                    mode="lines",
                    line={"width": 0},
                    fill=fill,
                    fillcolor=BAND_COLORS.get(name) if fill else None,
                    showlegend=False,
                    hoverinfo="skip",
                    legendgroup=name,
                )
            )
        fig.add_trace(
            go.Scatter(
                x=frame.index,
                y=frame[f"beta_{factor}"] * scale,
                mode="lines",
                name=name,
                legendgroup=name,
                line={"width": 2, "color": BASKET_COLORS.get(name)},
            )
        )
    weak = pd.concat([f[f"t_{factor}"].abs() < 2 for f in rolling.values()], axis=1, sort=True).all(
        axis=1
    )
    for first, last in _runs(weak):
        fig.add_vrect(x0=first, x1=last, fillcolor="gray", opacity=0.08, line_width=0)
    fig.add_hline(y=0, line_width=1, line_color="gray", opacity=0.5)
    fig.update_layout(template=TEMPLATE, height=360)
    fig.update_yaxes(title_text=unit, hoverformat=",.3f")
    return fig


def _runs(flags: pd.Series) -> list[tuple]:
    """(first, last) index label of each run of True values."""
    runs, first, previous = [], None, None
    for when, flag in flags.items():
        if flag and first is None:
            first = when
        if not flag and first is not None:
            runs.append((first, previous))
            first = None
        previous = when
    if first is not None:
        runs.append((first, previous))
    return runs


def build_correlation_figure(correlation: pd.DataFrame) -> go.Figure:
    fig = go.Figure(
        go.Heatmap(
            z=correlation.to_numpy(),
            x=correlation.columns,
            y=correlation.index,
            zmin=-1,
            zmax=1,
            colorscale="RdBu",
            hovertemplate="%{y} vs %{x}: %{z:.2f}<extra></extra>",
        )
    )
    fig.update_layout(
        template=TEMPLATE, height=max(360, 22 * len(correlation) + 140), hovermode="closest"
    )
    fig.update_yaxes(autorange="reversed")
    return fig


# -- liquidations page -------------------------------------------------------------------------

LONG_RED, SHORT_GREEN = "#DC2626", "#16A34A"


def build_liquidations_figure(buckets_m: pd.DataFrame, price: pd.Series | None) -> go.Figure:
    """Longs liquidated as red bars below zero, shorts as green bars above, price on the right."""
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=buckets_m.index,
            y=-buckets_m["long_usd"],
            name="Longs liquidated",
            marker={"color": LONG_RED},
            customdata=buckets_m["long_usd"],
            hovertemplate="%{customdata:,.1f} $M<extra>longs</extra>",
        )
    )
    fig.add_trace(
        go.Bar(
            x=buckets_m.index,
            y=buckets_m["short_usd"],
            name="Shorts liquidated",
            marker={"color": SHORT_GREEN},
            hovertemplate="%{y:,.1f} $M<extra>shorts</extra>",
        )
    )
    if price is not None and not price.empty:
        fig.add_trace(
            go.Scatter(
                x=price.index,
                y=price,
                name="Price (daily close)",
                yaxis="y2",
                mode="lines",
                line={"color": "black", "width": 1.5},
            )
        )
        fig.update_layout(
            yaxis2={
                "title": {"text": "US dollars"},
                "overlaying": "y",
                "side": "right",
                "showgrid": False,
            }
        )
    fig.update_layout(template=TEMPLATE, barmode="relative", height=420, bargap=0.05)
    fig.update_layout(
        yaxis={"title": {"text": "$ millions per bucket (longs below zero)"}, "hoverformat": ",.1f"}
    )
    fig.update_xaxes(
        rangeselector={"buttons": RANGE_BUTTONS, "x": 0, "y": 1.0, "yanchor": "bottom"}
    )
    return fig


def build_venue_figure(venues_m: pd.DataFrame) -> go.Figure:
    """Per venue: longs and shorts liquidated, $ millions, largest first."""
    ordered = venues_m.sort_values("total_usd")
    fig = go.Figure()
    for column, name, colour in (
        ("long_usd", "Longs", LONG_RED),
        ("short_usd", "Shorts", SHORT_GREEN),
    ):
        fig.add_trace(
            go.Bar(
                y=ordered.index,
                x=ordered[column],
                orientation="h",
                name=name,
                marker={"color": colour},
            )
        )
    fig.update_layout(
        template=TEMPLATE,
        barmode="stack",
        height=max(260, 34 * len(ordered) + 120),
        hovermode="y unified",
    )
    fig.update_xaxes(title_text="$ millions", hoverformat=",.1f")
    return fig


def build_oi_funding_figure(
    oi_b: pd.Series, funding_pct: pd.Series, share_pct: pd.Series | None
) -> go.Figure:
    """Open interest ($B), funding (percent per interval) and liquidations as % of OI."""
    rows = 3 if share_pct is not None else 2
    titles = ["Open interest", "Funding rate (OI-weighted)", "Liquidations as % of open interest"]
    fig = make_subplots(
        rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.07, subplot_titles=titles[:rows]
    )
    fig.add_trace(
        go.Scatter(x=oi_b.index, y=oi_b, name="Open interest", mode="lines"), row=1, col=1
    )
    fig.add_trace(
        go.Scatter(x=funding_pct.index, y=funding_pct, name="Funding", mode="lines"), row=2, col=1
    )
    fig.update_yaxes(title_text="$ billions", row=1, col=1, hoverformat=",.2f")
    fig.update_yaxes(title_text="percent per interval", row=2, col=1, hoverformat=",.4f")
    if share_pct is not None:
        fig.add_trace(
            go.Bar(x=share_pct.index, y=share_pct, name="Liquidations ÷ OI"), row=3, col=1
        )
        fig.update_yaxes(title_text="percent", row=3, col=1, hoverformat=",.3f")
    fig.update_layout(template=TEMPLATE, height=240 * rows + 60, showlegend=False)
    return fig


VERDICT_COLOURS = {"supported": "#2e9e5b", "not supported": "#d64545", "inconclusive": "#c9ccd1"}
VERDICT_CODES = {"not supported": 0, "inconclusive": 1, "supported": 2}


def build_scorecard_history_figure(history: pd.DataFrame, labels: dict[str, str]) -> go.Figure:
    """Each claim's verdict on each date (a row of coloured cells per claim), first claim on top."""
    claims = list(history.columns)[::-1]
    codes = history[claims].map(VERDICT_CODES.get).astype(float).T
    colours = [VERDICT_COLOURS[v] for v in VERDICT_CODES]
    colorscale = [[0, colours[0]], [0.33, colours[0]], [0.34, colours[1]], [0.66, colours[1]]]
    colorscale += [[0.67, colours[2]], [1, colours[2]]]
    fig = go.Figure(
        go.Heatmap(
            z=codes.to_numpy(),
            x=history.index,
            y=[labels[c] for c in claims],
            zmin=0,
            zmax=2,
            colorscale=colorscale,
            showscale=False,
            xgap=2,
            ygap=2,
            customdata=history[claims].T.to_numpy(),
            hovertemplate="%{y}<br>as of %{x|%Y-%m-%d}: <b>%{customdata}</b><extra></extra>",
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        height=60 + 34 * len(claims),
        hovermode="closest",
        margin={"l": 10, "r": 10, "t": 10, "b": 30},
        xaxis={"showgrid": False},
        yaxis={"showgrid": False, "fixedrange": True},
    )
    return fig
