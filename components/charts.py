"""Plotly figures: one structural template for the app and the helpers every chart goes through.

The template carries layout only (hover, margins, legend, grid) and is layered on Streamlit's own
("streamlit+liq"), so Streamlit keeps choosing colours and fonts and dark mode works.
"""

from __future__ import annotations

from functools import partial

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st  # noqa: F401  (registers the "streamlit" template this one layers on)

TEMPLATE = "streamlit+liq"
PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}

pio.templates["liq"] = go.layout.Template(
    layout={
        "hovermode": "x unified",
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "legend": {"orientation": "h", "x": 0, "y": -0.15, "yanchor": "top"},
        "xaxis": {"showgrid": False},
        "yaxis": {"hoverformat": ",.2f"},
    }
)

RANGE_BUTTONS = [
    {"count": 6, "label": "6M", "step": "month", "stepmode": "backward"},
    {"count": 1, "label": "YTD", "step": "year", "stepmode": "todate"},
    {"count": 1, "label": "1Y", "step": "year", "stepmode": "backward"},
    {"count": 5, "label": "5Y", "step": "year", "stepmode": "backward"},
    {"step": "all", "label": "All"},
]

# Daily series longer than this are drawn with WebGL, which stays smooth at tens of thousands
# of points (the data sent is never thinned, so downloads and hovers stay exact).
WEBGL_POINTS = 5000
SPARSE_POINTS = 120
DISPLAY_POINTS = 2500
MAX_EVENT_LINES = 6


def time_series_figure(
    frame: pd.DataFrame,
    y_title: str,
    *,
    hoverformat: str = ",.2f",
    tickformat: str | None = None,
    labels: dict[str, str] | None = None,
    height: int = 380,
) -> go.Figure:
    """Lines over time, one per column, with a range selector and the unit in the axis title."""
    fig = go.Figure()
    trace = go.Scattergl if len(frame) > WEBGL_POINTS else go.Scatter
    for col in frame.columns:
        series = frame[col].dropna()
        fig.add_trace(
            trace(
                x=series.index,
                y=series.to_numpy(),
                # Sparse series (quarters) get markers, so a line across a missing quarter
                # does not pass for an observation.
                mode="lines+markers" if len(series) <= SPARSE_POINTS else "lines",
                name=(labels or {}).get(col, str(col)),
            )
        )
    fig.update_layout(template=TEMPLATE, height=height, showlegend=len(frame.columns) > 1)
    fig.update_yaxes(title_text=y_title, hoverformat=hoverformat, tickformat=tickformat)
    fig.update_xaxes(
        rangeselector={"buttons": RANGE_BUTTONS, "x": 0, "y": 1.0, "yanchor": "bottom"}
    )
    return fig


def thin_for_display(frame: pd.DataFrame, max_points: int = DISPLAY_POINTS) -> pd.DataFrame:
    """Weekly (Wednesday) last values when a window holds more days than a chart can show.

    Only for drawing: calculations and CSV downloads always use every observation.
    """
    if len(frame) <= max_points:
        return frame
    return frame.resample("W-WED").last()


def add_events(fig: go.Figure, events: pd.DataFrame) -> go.Figure:
    """Mark dated events: faint dotted lines, and a marker on top whose hover names the event.

    Labels are not printed on the plot: events cluster (several in a few weeks) and their
    texts would overlap into an unreadable smudge; the unified hover shows them on demand.
    """
    if events.empty:
        return fig
    if len(events) <= MAX_EVENT_LINES:  # more would merge into a grey band over the data
        for date in events["date"]:
            fig.add_vline(x=date, line_dash="dot", line_color="gray", opacity=0.5)
    fig.add_trace(
        go.Scatter(
            x=events["date"],
            y=[1.0] * len(events),
            yaxis="y9",  # its own hidden axis: y2 is a chart's right-hand axis
            mode="markers",
            marker={"symbol": "triangle-down", "size": 9, "color": "gray"},
            name="Events",
            text=events["label"],
            customdata=events["detail"],
            hovertemplate="<b>%{text}</b><br>%{customdata}<extra>event</extra>",
        )
    )
    fig.update_layout(
        yaxis9={"overlaying": "y", "range": [0, 1.04], "visible": False, "fixedrange": True}
    )
    return fig


def show_chart(fig: go.Figure, data: pd.DataFrame, *, name: str, alt: str) -> None:
    """Render a figure full width with a CSV download of exactly the data it plots."""
    st.plotly_chart(fig, width="stretch", config=PLOTLY_CONFIG, alt=alt)
    download(data, name=name)


def download(data: pd.DataFrame, *, name: str, label: str = "Download CSV") -> None:
    """A CSV download of `data` as `<name>.csv` (no rerun when clicked).

    The CSV is written when someone clicks, not on every run: building every chart's CSV took
    about a tenth of each rerun of the liquidity page."""
    st.download_button(
        label,
        data=partial(to_csv, data),
        file_name=f"{name}.csv",
        mime="text/csv",
        icon=":material/download:",
        key=f"download-{name}",
        on_click="ignore",
    )


def to_csv(data: pd.DataFrame) -> bytes:
    out = data.copy()
    if isinstance(out.index, pd.DatetimeIndex):
        out.index = out.index.strftime("%Y-%m-%d")
    return out.to_csv(index=True).encode("utf-8")
