"""The scorecard's history figure (Overview): each claim's verdict at each replay date.

All figures use the app's one Plotly template (components.charts.TEMPLATE)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components.charts import TEMPLATE

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
