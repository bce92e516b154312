"""Figures of the Liquidity balance page: the tub, its flows, the price of money,
the ledger and the drain gauge.

All figures use the app's one Plotly template (components.charts.TEMPLATE)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.charts import RANGE_BUTTONS, TEMPLATE, thin_for_display
from liquidity.analytics.drain_gauge import COMPONENTS, EX_CAPEX
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


def build_gauge_figure(gauge: pd.DataFrame, with_capex: bool = True) -> go.Figure:
    """Each component's contribution as stacked bars; the gauge (their sum) as a line.

    Dates on which a component is missing are `partial`: their bars are faded and the gauge is
    drawn as a separate grey line whose hover names the missing components, so a mean of fewer
    components never passes for the full gauge. `with_capex` picks `gauge` or `gauge_ex_capex`.
    """
    suffix = "" if with_capex else "_ex_capex"
    members = COMPONENTS if with_capex else {c: COMPONENTS[c] for c in EX_CAPEX}
    partial = gauge[f"partial{suffix}"].astype(bool)
    missing = [
        ", ".join(COMPONENTS[c][0] for c in names.split(",") if c in members)
        for names in gauge["missing"]
    ]
    fig = go.Figure()
    for column, (label, sign, _) in members.items():
        fig.add_trace(
            go.Bar(
                x=gauge.index,
                y=gauge[f"contrib{suffix}_{column}"],
                name=f"{'−' if sign < 0 else '+'} {label}",
                marker={"opacity": [0.3 if p else 1.0 for p in partial]},
            )
        )
    line = gauge[f"gauge{suffix}"]
    fig.add_trace(
        go.Scatter(
            x=gauge.index,
            y=line.where(~partial),
            name="Drain gauge" if with_capex else "Drain gauge without capex",
            mode="lines",
            line={"width": 2.2, "color": "black"},
        )
    )
    if partial.any():
        fig.add_trace(
            go.Scatter(
                x=gauge.index,
                y=line.where(partial),
                name="Partial: a component is missing",
                mode="lines+markers",
                line={"width": 2, "color": "#9e9e9e", "dash": "dot"},
                marker={"size": 3, "color": "#9e9e9e"},
                customdata=missing,
                hovertemplate="%{y:.2f} σ, partial, missing: %{customdata}<extra></extra>",
            )
        )
    fig.add_hline(y=0, line_width=1, line_color="gray", opacity=0.5)
    fig.update_layout(template=TEMPLATE, barmode="relative", height=400, bargap=0)
    fig.update_yaxes(title_text="standard deviations (z-score)", hoverformat=",.2f")
    fig.update_xaxes(
        rangeselector={"buttons": RANGE_BUTTONS, "x": 0, "y": 1.0, "yanchor": "bottom"}
    )
    return fig


def build_tga_daily_figure(tga_daily_b: pd.Series, tga_weekly_b: pd.Series, unit: str) -> go.Figure:
    """The Treasury account day by day (Daily Treasury Statement), with the Wednesday level the
    weekly variants use as markers: tax days and settlements show between the Wednesdays."""
    fig = go.Figure()
    daily = _scale(tga_daily_b.dropna(), unit)
    fig.add_trace(go.Scatter(x=daily.index, y=daily, name="TGA, daily close (DTS)", mode="lines"))
    weekly = _scale(tga_weekly_b.dropna(), unit)
    if not weekly.empty:
        fig.add_trace(
            go.Scatter(
                x=weekly.index,
                y=weekly,
                name="TGA, Wednesday (WDTGAL)",
                mode="markers",
                marker={"size": 5},
            )
        )
    fig.update_layout(template=TEMPLATE, height=320)
    fig.update_yaxes(
        title_text=units.label(unit), hoverformat=",.3f" if unit == "USD_T" else ",.1f"
    )
    return fig


# Weekly bars of the drain calendar: (column, name, sign on the reserves axis).
CALENDAR_BARS = (
    ("settlements_busd", "Auction settlements (drain)", -1),
    ("maturities_busd", "Maturities paid out (add)", 1),
)


def build_calendar_figure(weekly: pd.DataFrame) -> go.Figure:
    """Per week ahead: settlements down, maturities up (effect on reserves, $ billions), the
    net Treasury cash raised as a line (above zero = reserves drained), and tax days marked."""
    fig = go.Figure()
    x = weekly["week"].dt.strftime("%b %d")
    for column, name, sign in CALENDAR_BARS:
        fig.add_trace(go.Bar(x=x, y=sign * weekly[column], name=name))
    fig.add_trace(
        go.Scatter(
            x=x,
            y=-weekly["net_cash_raised_busd"],
            name="Net effect on reserves",
            mode="lines+markers",
            line={"color": "black", "width": 2},
        )
    )
    for label, row in zip(x, weekly.itertuples(), strict=True):
        marks = []
        if row.n_settlements_sized < row.n_settlements or not row.n_settlements:
            # Bills roll every week: a week without sized settlements is one not yet announced,
            # so its maturities alone would read as a flood of cash.
            marks.append("?")  # short marks: five weeks must fit a phone; the caption explains
        if row.tax_days:
            marks.append("tax")
        if row.fed_events:
            marks.append("Fed")
        if marks:
            fig.add_annotation(
                x=label,
                y=1,
                yref="paper",
                yanchor="bottom",
                text=", ".join(marks),
                showarrow=False,
                font={"size": 11},
            )
    fig.add_hline(y=0, line_width=1, line_color="gray", opacity=0.4)
    fig.update_layout(template=TEMPLATE, barmode="relative", height=360)
    fig.update_yaxes(title_text="effect on reserves, $ billions", hoverformat=",.1f")
    fig.update_xaxes(title_text="week starting")
    return fig
