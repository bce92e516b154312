"""The thesis scorecard grid on the Overview: one card per claim, with its verdict, effect, the
evidence window and a link to the page that shows the evidence, filtered to that window."""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from components.charts import show_chart
from components.figures.scorecard import build_scorecard_history_figure
from components.page import escape_dollars
from liquidity.analytics.scorecard import CLAIMS, NOT_SUPPORTED, SUPPORTED, TRENDS

BADGES = {
    SUPPORTED: ("green", ":material/check_circle:"),
    NOT_SUPPORTED: ("red", ":material/cancel:"),
}
INCONCLUSIVE_BADGE = ("gray", ":material/help:")

# The page (its URL path) where each claim's evidence is drawn, and the filters that show it;
# the evidence window is added as the page's date range.
EVIDENCE = {
    "capex_accelerating": ("capex", {"metric": "capex", "mode": "ttm"}),
    "capex_outruns_cash": ("capex", {"metric": "operating_cash_flow", "mode": "ttm"}),
    "tub_draining": ("liquidity", {}),
    "money_dearer": ("liquidity", {"lines": ["DFII10", "BAMLH0A0HYM2"]}),
    "divergence": ("divergence", {}),
    "liquidity_sensitivity": ("divergence", {"window": "104"}),
    "leverage_flushes": ("liquidations", {"bucket": "1D"}),
}
COLUMNS = 4
SHORT = {  # row labels of the history chart and columns of the events table
    "capex_accelerating": "Capex accelerating",
    "capex_outruns_cash": "Capex outruns cash",
    "tub_draining": "Tub draining",
    "money_dearer": "Money dearer",
    "divergence": "Memory beats spec",
    "liquidity_sensitivity": "Spec more sensitive",
    "leverage_flushes": "Flushes in drains",
}
MARKS = {SUPPORTED: "✔ supported", NOT_SUPPORTED: "✘ not supported"}


def evidence_url(key: str, row) -> str:
    """A relative link to the page that shows a claim's evidence, filtered to its window.

    A plain link, opened in a new tab (a fresh session), rather than st.page_link: within one
    session a bound widget keeps its value across pages under its key, so the target page would
    keep this session's date range and drop the link's (streamlit#14374).
    """
    page, params = EVIDENCE[key]
    params = dict(params)
    window = window_dates(row.window_start, row.window_end)
    if window:
        params["range"] = list(window)
        if page == "divergence":
            params["base"] = window[0]
    return f"{page}?{urlencode(params, doseq=True)}" if params else page


def window_dates(start, end) -> tuple[str, str] | None:
    """A claim's evidence window as ISO dates; None when it has none (None or NaT)."""
    if pd.isna(start) or pd.isna(end):
        return None
    return f"{pd.Timestamp(start):%Y-%m-%d}", f"{pd.Timestamp(end):%Y-%m-%d}"


def effect_text(effect, unit: str) -> str:
    if pd.isna(effect):
        return "no effect size: data missing, stale or too short at this date"
    return f"**{effect:+,.2f}** {unit}"


def window_text(start, end) -> str:
    window = window_dates(start, end)
    return f"evidence {window[0]} → {window[1]}" if window else "no evidence window"


def trend_value(value: float, unit: str) -> str:
    """The last point of a card's sparkline, in its TRENDS unit."""
    if unit.startswith("$"):
        return f"${value:,.0f} {unit[1:]}"
    if unit == "index":
        return f"{value:.1f}"
    if unit == "%":
        return f"{value:.2f} %" if abs(value) < 10 else f"{value:.1f} %"
    return f"{value:+.2f}"  # a beta gap; its unit is in the help


def show_scorecard(table: pd.DataFrame, trends: dict[str, pd.Series]) -> None:
    """`table`: `liquidity.analytics.scorecard.scorecard` output, one row per claim in CLAIMS order;
    `trends`: `liquidity.analytics.scorecard.trends`, drawn as each card's sparkline."""
    rows = list(zip(CLAIMS, table.itertuples(index=False), strict=True))
    for first in range(0, len(rows), COLUMNS):
        cols = st.columns(COLUMNS)
        for col, (key, row) in zip(cols, rows[first : first + COLUMNS], strict=False):
            color, icon = BADGES.get(row.verdict, INCONCLUSIVE_BADGE)
            with col.container(border=True, height="stretch"):
                st.markdown(f"**{row.claim}**", help=row.rule)
                st.badge(row.verdict, color=color, icon=icon)
                st.markdown(escape_dollars(effect_text(row.effect, row.unit)))
                st.caption(window_text(row.window_start, row.window_end))
                trend = trends[key]
                if len(trend) >= 2:
                    label, unit, description = TRENDS[key]
                    st.metric(
                        label,
                        trend_value(trend.iloc[-1], unit),
                        help=escape_dollars(
                            f"{description.capitalize()} ({unit}): {len(trend)} points from "
                            f"{trend.index[0]:%Y-%m-%d} to {trend.index[-1]:%Y-%m-%d}, each as "
                            "known on its date. It shows the direction; the verdict comes from "
                            "the rule."
                        ),
                        chart_data=trend.round(3).tolist(),
                        chart_type="line",
                    )
                st.markdown(f"[See the evidence]({evidence_url(key, row)}) :material/open_in_new:")


def show_history(history: pd.DataFrame, events: pd.DataFrame) -> None:
    """How each verdict evolved (month-ends), then every curated event with the verdicts of
    that day; `history` from `liquidity.api.load_scorecard_history`, covering the event dates."""
    keep = history.index.is_month_end
    keep[-1] = True  # the as-of date
    monthly = history[keep]
    fig = build_scorecard_history_figure(monthly, SHORT)
    show_chart(
        fig,
        monthly.rename(columns=SHORT),
        name="scorecard_history",
        alt="Verdict of each claim at each month-end: green supported, red not supported, "
        "grey inconclusive.",
    )
    st.caption(
        "Each cell is the verdict computed with only the data public on that date (month-ends, "
        "and the as-of date last): green supported, red not supported, grey inconclusive."
    )
    if events.empty:
        return
    st.markdown("**At each curated event**")
    at_events = history.reindex(pd.DatetimeIndex(events["date"]))
    table = pd.DataFrame(
        {"Date": events["date"].dt.date.to_numpy(), "Event": events["label"].to_numpy()}
    )
    for key, label in SHORT.items():
        table[label] = [MARKS.get(v, "· inconclusive") for v in at_events[key]]
    st.dataframe(table, hide_index=True, width="stretch")
