"""Plotly figures, one module per page. Each builds `go.Figure`s from frames the analytics
computed and never calls Streamlit; the shared template, range buttons, thinning and event lines
live in components.charts, so every figure looks the same in light and dark."""

from components.figures import capex, divergence, liquidations, liquidity, scorecard

__all__ = ["capex", "divergence", "liquidations", "liquidity", "scorecard"]
