"""The thesis scorecard grid on the Overview: one card per claim, with its verdict, effect, the
evidence window and a link to the page that shows the evidence, filtered to that window."""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from components.charts import show_chart
from components.figures.scorecard import build_scorecard_history_figure
from components.page import escape_dollars
from liquidity.analytics.scorecard import (
    CLAIM_INPUTS,
    CLAIMS,
    INCONCLUSIVE,
    NOT_SUPPORTED,
    SUPPORTED,
    TRENDS,
    changes_since,
    tally,
)

# How a card names the basis of an input (`liquidity.api.replay_basis` text → short label).
REPLAY_KINDS = (
    ("point-in-time", "point-in-time"),
    ("revised", "revised, cut at the date"),
    ("closes as recorded", "as recorded"),
    ("buckets as recorded", "as recorded"),
)
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
    "reserve_scarcity": ("liquidity", {"lines": ["SOFR_IORB", "EFFR_IORB"]}),
    "money_dearer": ("liquidity", {"lines": ["DFII10", "BAMLH0A0HYM2"]}),
    "divergence": ("divergence", {}),
    "liquidity_sensitivity": ("divergence", {"window": "104"}),
    "leverage_flushes": ("liquidations", {"bucket": "1D"}),
    "supply_channel": ("capex", {"metric": "capex"}),
}
COLUMNS = 3  # nine claims: a 3 × 3 grid
SHORT = {  # row labels of the history chart and columns of the events table
    "capex_accelerating": "Capex accelerating",
    "capex_outruns_cash": "Capex outruns cash",
    "tub_draining": "Tub draining",
    "reserve_scarcity": "Reserves scarce",
    "money_dearer": "Money dearer",
    "divergence": "Memory beats spec",
    "liquidity_sensitivity": "Spec more sensitive",
    "leverage_flushes": "Flushes in drains",
    "supply_channel": "Supply up, reserves down",
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


STALE_DAYS = 14  # the newest macro observation older than this makes the strip loud


def effect_text(effect, unit: str) -> str:
    if pd.isna(effect):
        return "no effect size: data missing, stale or too short at this date"
    return f"**{effect:+,.2f}** {unit}"


def interval_text(row) -> str | None:
    """ "95% interval −12.0 to −3.4 · n = 13" when the rule has an interval."""
    parts = []
    if pd.notna(row.ci_low) and pd.notna(row.ci_high):
        parts.append(f"95% interval {row.ci_low:+,.2f} to {row.ci_high:+,.2f}")
    if pd.notna(row.n):
        parts.append(f"n = {int(row.n)}")
    return " · ".join(parts) or None


def placebo_text(counts) -> str:
    total = int(counts.supported + counts.not_supported + counts.inconclusive)
    text = f"Placebo 2017–19: supported at {int(counts.supported)} of {total} quarter-ends"
    return f":orange[:material/warning: {text}, flagged]" if counts.flagged else text


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


def card_basis(key: str, basis: dict[str, str]) -> str:
    """A card's short replay line: its inputs grouped as point-in-time, revised data cut at the
    date, or data that are never revised (the Overview's basis line has the details)."""
    groups: dict[str, list[str]] = {}
    for name in CLAIM_INPUTS[key]:
        text = basis.get(name, "")
        kind = next((label for prefix, label in REPLAY_KINDS if text.startswith(prefix)), None)
        if kind:
            groups.setdefault(kind, []).append(name)
    return ":material/history: " + " · ".join(
        f"{kind}: {', '.join(names)}" for kind, names in groups.items()
    )


def show_scorecard(
    table: pd.DataFrame,
    trends: dict[str, pd.Series],
    placebo: pd.DataFrame | None = None,
    basis: dict[str, str] | None = None,
) -> None:
    """`table`: `liquidity.analytics.scorecard.scorecard` output, one row per claim in CLAIMS order;
    `trends`: `liquidity.analytics.scorecard.trends`, drawn as each card's sparkline; `placebo`:
    `scorecard.placebo`, a line per card when given; `basis`: `liquidity.api.replay_basis`,
    a short replay line per card when given."""
    rows = list(zip(CLAIMS, table.itertuples(index=False), strict=True))
    for first in range(0, len(rows), COLUMNS):
        cols = st.columns(COLUMNS)
        for col, (key, row) in zip(cols, rows[first : first + COLUMNS], strict=False):
            color, icon = BADGES.get(row.verdict, INCONCLUSIVE_BADGE)
            with col.container(border=True, height="stretch"):
                st.markdown(f"**{row.claim}**", help=row.rule)
                st.badge(row.verdict, color=color, icon=icon)
                if row.verdict == INCONCLUSIVE and row.reason:
                    st.markdown(escape_dollars(f":gray[:material/info:] {row.reason}"))
                st.markdown(escape_dollars(effect_text(row.effect, row.unit)))
                detail = interval_text(row)
                if detail:
                    st.caption(detail)
                if row.coverage:
                    st.caption(escape_dollars(f"Covers {row.coverage}"))
                st.caption(window_text(row.window_start, row.window_end))
                if basis:
                    st.caption(card_basis(key, basis))
                if placebo is not None and key in placebo.index:
                    st.caption(placebo_text(placebo.loc[key]))
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


def basis_text(basis: dict[str, str]) -> str:
    """One line saying what the replay rests on, grouping the inputs that share a basis."""
    groups: dict[str, list[str]] = {}
    for name, text in basis.items():
        groups.setdefault(text, []).append(name)
    return " · ".join(f"{', '.join(names)}: {text}" for text, names in groups.items())


def show_verdict_strip(
    table: pd.DataFrame,
    before: pd.DataFrame | None,
    before_date,
    newest: tuple[str, pd.Timestamp] | None,
    today,
) -> None:
    """The answer at a glance: verdict counts, what changed since `before_date`, and how old
    the newest macro observation is (loud when older than two weeks)."""
    counts = tally(table)
    total = len(table)
    strip = (
        f"**{counts[SUPPORTED]} of {total} supported** · {counts[NOT_SUPPORTED]} not · "
        f"{counts[INCONCLUSIVE]} inconclusive"
    )
    with st.container(border=True):
        cols = st.columns([2, 3, 2])
        cols[0].markdown(strip)
        if before is None:
            cols[1].caption(f"No verdicts to compare on {before_date:%Y-%m-%d}.")
        else:
            changed = changes_since(table, before)
            if changed:
                lines = "  \n".join(f"{claim}: {was} → **{now}**" for claim, was, now in changed)
                cols[1].markdown(f"Changed since {before_date:%Y-%m-%d}:  \n{lines}")
            else:
                cols[1].markdown(f"No verdict changed since {before_date:%Y-%m-%d}.")
        if newest is None:
            cols[2].warning("No macro data: open the Data page to refresh or load a pack.")
            return
        name, last = newest
        age = (pd.Timestamp(today).normalize() - pd.Timestamp(last).normalize()).days
        if age > STALE_DAYS:
            cols[2].warning(
                f"**Data {age} days old.** Newest macro observation: {name} on "
                f"{last:%Y-%m-%d}. Refresh on the Data page.",
                icon=":material/schedule:",
            )
        else:
            cols[2].markdown(
                f":material/schedule: Newest macro observation: {name} on {last:%Y-%m-%d}, "
                f"{age} days old."
            )


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
