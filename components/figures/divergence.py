"""Figures of the Divergence page: rebased baskets, relative strength, drawdowns,
betas, rolling betas and correlation.

All figures use the app's one Plotly template (components.charts.TEMPLATE)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.charts import RANGE_BUTTONS, TEMPLATE, thin_for_display

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
    levels: pd.DataFrame,
    baskets: list[str],
    bench: str,
    constituents: bool,
    membership: pd.DataFrame,
    changes: pd.DataFrame,
    sizes: dict[str, int],
) -> go.Figure:
    """Rebased lines on a log scale: baskets bold, the benchmark dashed, constituents thin.

    Each basket's hover says how many of its `sizes[basket]` members it averaged that day
    (`membership`: date × (basket, member)); a marker on the basket's line at each close where
    members join (▲) or leave (✕), named in its hover (`changes`: date, basket, member,
    change, reason).
    """
    fig = go.Figure()
    shown = thin_for_display(levels)
    # Thinned exactly as the lines are (same index, same rule), so each hover's count is the
    # count of the close it shows.
    counts = thin_for_display(membership.T.groupby(level=0).sum().T.reindex(levels.index))
    names = [*baskets, bench] + (
        [c for c in levels if c not in (*baskets, bench)] if constituents else []
    )
    for name in names:
        series = shown[name].dropna()
        extra = {}
        if name in baskets:
            line, opacity = {"width": 3, "color": BASKET_COLORS.get(name)}, 1.0
            extra = {
                "customdata": counts[name].reindex(series.index).to_numpy(),
                "hovertemplate": f"%{{y:,.1f}} (%{{customdata:.0f}} of {sizes[name]} members)",
            }
        elif name == bench:
            line, opacity = {"width": 1.8, "dash": "dash"}, 1.0
        else:
            line, opacity = {"width": 1}, 0.6
        fig.add_trace(
            go.Scatter(
                x=series.index,
                y=series,
                name=name,
                mode="lines",
                line=line,
                opacity=opacity,
                **extra,
            )
        )
    _add_membership_markers(fig, levels, baskets, changes)
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


# Not the ▼ that marks dated events along the top (charts.add_events).
MEMBERSHIP_SYMBOLS = {"joins": "triangle-up", "leaves": "x"}


def _add_membership_markers(
    fig: go.Figure, levels: pd.DataFrame, baskets: list[str], changes: pd.DataFrame
) -> None:
    """One marker per basket, close and direction, on the basket's own line (unthinned, so it
    sits on the close it names); closes before the base date have no line to sit on."""
    for change, symbol in MEMBERSHIP_SYMBOLS.items():
        legend = True
        for name in baskets:
            rows = changes[(changes["basket"] == name) & (changes["change"] == change)]
            dates, texts = [], []
            for date, group in rows.groupby("date"):
                if pd.notna(levels[name].get(date)):
                    dates.append(date)
                    texts.append(
                        "<br>".join(
                            f"{m} {change} ({r})" for m, r in group[["member", "reason"]].values
                        )
                    )
            if not dates:
                continue
            fig.add_trace(
                go.Scatter(
                    x=dates,
                    y=levels[name].reindex(dates),
                    mode="markers",
                    name=f"members {change[:-1]}",
                    legendgroup=change,
                    showlegend=legend,
                    marker={
                        "symbol": symbol,
                        "size": 14,
                        "color": BASKET_COLORS.get(name, "gray"),
                        "line": {"width": 1.5, "color": "white"},
                    },
                    text=texts,
                    hovertemplate="%{text}<extra></extra>",
                )
            )
            legend = False


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
