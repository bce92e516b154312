"""Figures of the Liquidations page: liquidation buckets against price, venues,
open interest and funding.

All figures use the app's one Plotly template (components.charts.TEMPLATE). Stretches the data
do not cover are grey bands labelled "no data": a gap, never a run of zero bars."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.charts import RANGE_BUTTONS, TEMPLATE

LONG_RED, SHORT_GREEN = "#DC2626", "#16A34A"
NO_DATA_GREY = "#9CA3AF"
BAR = "4h"  # CoinGlass's open interest and funding bars


def shade_missing(
    fig: go.Figure, missing: pd.DataFrame | None, text: str | None = None, **subplot
) -> None:
    """Grey bands over the [start, end) rows of `missing`, labelled with `text` if given
    (`row=`, `col=` put them on one subplot)."""
    if missing is None:
        return
    label = (
        {
            "annotation_text": text,
            "annotation_position": "top left",
            "annotation_font": {"size": 11, "color": "#4B5563"},
        }
        if text
        else {}
    )
    for start, end in zip(missing["start"], missing["end"], strict=True):
        fig.add_vrect(
            **subplot,
            **label,
            x0=start,
            x1=end,
            fillcolor=NO_DATA_GREY,
            opacity=0.2,
            line_width=0,
            layer="below",
        )


def build_liquidations_figure(
    buckets_m: pd.DataFrame, price: pd.Series | None, missing: pd.DataFrame | None = None
) -> go.Figure:
    """Longs liquidated as red bars below zero, shorts as green bars above, price on the right;
    `missing` (start, end) stretches without liquidation data shaded grey."""
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
    if missing is not None and not missing.empty:
        # Labels on the bands collide with each other and the range buttons on a phone; the
        # legend names the grey once.
        shade_missing(fig, missing)
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name="No data (missing, not zero)",
                marker={"symbol": "square", "size": 12, "color": NO_DATA_GREY, "opacity": 0.5},
                hoverinfo="skip",
            )
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
    oi_b: pd.Series,
    funding_pct: pd.Series,
    share_pct: pd.Series | None,
    oi_missing: pd.DataFrame | None = None,
) -> go.Figure:
    """Open interest ($B), funding (percent per interval) and liquidations as % of OI; the
    stretches without open interest (`oi_missing`) shaded grey on the OI and share panels."""
    rows = 3 if share_pct is not None else 2
    titles = ["Open interest", "Funding rate (OI-weighted)", "Liquidations as % of open interest"]
    fig = make_subplots(
        rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.07, subplot_titles=titles[:rows]
    )
    # On the 4-hour grid a bar missing from the data is NaN, so the line breaks there instead
    # of bridging the hole.
    oi_b, funding_pct = oi_b.asfreq(BAR), funding_pct.asfreq(BAR)
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
        shade_missing(fig, oi_missing, "no open interest", row=3, col=1)
    shade_missing(fig, oi_missing, "no open interest", row=1, col=1)
    fig.update_layout(template=TEMPLATE, height=240 * rows + 60, showlegend=False)
    return fig
