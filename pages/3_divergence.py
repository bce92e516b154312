"""Asset divergence: speculative long-duration assets against near-cash-flow memory makers."""

import datetime as dt

import pandas as pd
import streamlit as st

from components import cache, charts, figures, filters, page
from liquidity.analytics import baskets, divergence
from liquidity.core import catalog

TODAY = dt.date.today()
DEFAULT_RANGE = (dt.date(2024, 1, 1), TODAY)
DEFAULT_BASE = dt.date(2024, 1, 2)
DEFAULT_EVENT = dt.date(2025, 12, 17)  # the AI-infrastructure selloff (events.csv)
WINDOWS = ("26", "52", "104")


def members_now(result, sizes: dict[str, int]) -> str:
    """Who each basket holds at the last close: the coverage of every number above."""
    last = result.membership.loc[: result.asof].iloc[-1]
    parts, thin = [], False
    for name, size in sizes.items():
        present = [m for m, held in last[name].items() if held]
        parts.append(f"{name.lower()} {len(present)} of {size} ({', '.join(present) or 'none'})")
        thin = thin or 2 * len(present) < size
    text = f"Members on {result.asof:%Y-%m-%d}, the last close: " + "; ".join(parts) + "."
    # A basket down to under half its names is a different basket: say so in colour.
    return f":orange[:material/group_remove: {text}]" if thin else text


def membership_notes(changes: pd.DataFrame, names: list[str]) -> list[str]:
    """One sentence per basket naming who joined (▲) and left (✕) in the range, and why."""
    notes = []
    for name in names:
        rows = changes[changes["basket"] == name]
        if rows.empty:
            continue
        events = []
        for (date, change, reason), group in rows.groupby(["date", "change", "reason"]):
            who = list(group["member"])
            verb = change if len(who) == 1 else change.removesuffix("s")
            mark = "▲" if change == divergence.JOINS else "✕"
            events.append(f"{mark} {', '.join(who)} {verb} {date:%Y-%m-%d} ({reason})")
        notes.append(f"**{name}:** " + "; ".join(events) + ".")
    return notes


view = page.start(
    "Asset divergence",
    path="divergence",
    pin=(catalog.PRICES, catalog.FRED),
    intro="When capital gets scarce, assets whose value lies far in the future (crypto, SaaS, "
    "meme stocks) should lose and near-cash-flow memory makers should win. Do they, and do "
    "liquidity and real yields explain the split once the market is controlled for?",
)
page.require_data(view)
ready = False

with view.guard():
    start, end = filters.date_range(
        view, default=DEFAULT_RANGE, min_value=dt.date(2000, 1, 1), max_value=TODAY
    )
    base = filters.day(
        view,
        key="base",
        label="Base date (= 100)",
        default=DEFAULT_BASE,
        min_value=dt.date(2000, 1, 1),
        max_value=TODAY,
        help="Every line is 100 on this date (or on its first day after it)",
    )
    spec = filters.tickers(
        view,
        key="spec",
        label="Speculative / long duration",
        default=baskets.SPECULATIVE,
        help="Type any Yahoo symbol to add it",
        pattern=catalog.YAHOO_PATTERN,
    )
    memory = filters.tickers(
        view,
        key="memory",
        label="Near cash flow / memory",
        default=baskets.MEMORY,
        pattern=catalog.YAHOO_PATTERN,
    )
    bench = filters.choice(
        view, key="bench", label="Benchmark", options=baskets.BENCHMARKS, default="^GSPC"
    )
    mode = filters.choice(
        view,
        key="relative",
        label="Relative line",
        options=divergence.RELATIVE_MODES,
        default="ratio",
        help=" · ".join(f"**{k}**: {v}" for k, v in divergence.RELATIVE_MODES.items()),
    )
    window = int(
        filters.choice(
            view, key="window", label="Regression window (weeks)", options=WINDOWS, default="52"
        )
    )
    constituents = filters.toggle(
        view, key="constituents", label="Show constituents", default=False
    )
    if base < start or base > end:
        view.notice(
            f":material/info: The base date {base} lies outside the range; using {start} instead."
        )
        base = start
    if not spec or not memory:
        st.info("Each basket needs at least one ticker (sidebar).")
        view.finish()
        st.stop()

    def compute(version: str):
        return cache.divergence(
            tuple(spec),
            tuple(memory),
            bench,
            start.isoformat(),
            end.isoformat(),
            base.isoformat(),
            window,
            mode,
            version,
        )

    version = cache.version()
    missing, result = compute(version)
    # A symbol the data has never seen is fetched once per session (it needs internet).
    unseen = [
        t
        for t in missing
        if f"prices/{t}" not in catalog.KEYS
        and t not in st.session_state.setdefault("fetched_symbols", set())
    ]
    if unseen:
        st.session_state["fetched_symbols"].update(unseen)
        with st.spinner(f"Fetching {', '.join(unseen)} from Yahoo Finance…"):
            cache.fetch_prices(tuple(unseen))
        version = cache.version()
        missing, result = compute(version)
    for ticker, reason in missing.items():
        view.notice(f":material/info: {page.literal(ticker)} has no prices: {reason}")
    for note in baskets.excluded_notes(result.excluded):
        view.notice(f":material/currency_exchange: {note}")
    names = [baskets.SPEC_NAME, baskets.MEMORY_NAME]
    sizes = {baskets.SPEC_NAME: len(spec), baskets.MEMORY_NAME: len(memory)}
    periods = result.periods
    cols = st.columns(4)
    gap = periods.iloc[0]
    for col, period in zip(cols, ("1M", "3M", "YTD", "since base"), strict=True):
        value = gap[period]
        col.metric(
            f"Memory − speculative, {period}",
            "n/a" if pd.isna(value) else f"{value:+,.1f} pp",
            border=True,
            help="Difference of the two baskets' returns over the period, percentage "
            "points (positive: memory ahead, as the thesis predicts)",
        )
    st.caption(members_now(result, sizes))
    ready = True

if not ready:
    view.finish()
    st.stop()

with view.guard():
    st.subheader("Rebased performance")
    fig = figures.divergence.build_rebased_figure(
        result.levels, names, bench, constituents, result.membership, result.changes, sizes
    )
    charts.add_events(fig, cache.events(start.isoformat(), end.isoformat()))
    charts.show_chart(
        fig, result.levels, name="divergence_rebased", alt="Baskets and benchmark rebased to 100"
    )
    charts.download(
        result.membership.set_axis(
            [f"{b}: {m}" for b, m in result.membership.columns], axis=1
        ).astype(int),
        name="basket_membership",
        label="Download membership CSV",
    )
    notes = [
        "Equal-weighted baskets, rebalanced daily among the members present, on NYSE trading "
        "days (crypto's weekend moves count in Monday's return). A member joins at its first "
        "close and counts from the next day's return; it leaves at its last close, with no "
        "carried price after it."
    ]
    if result.late:
        notes[0] += (
            " Rebased at their first day after the base date: "
            + ", ".join(f"{t} ({d:%Y-%m-%d})" for t, d in result.late.items())
            + "."
        )
    notes.extend(membership_notes(result.changes, names))
    notes.extend(f"**{note}**." for note in baskets.excluded_notes(result.excluded))
    # One line per basket: a run-on paragraph of dates is unreadable at phone width.
    st.caption("  \n".join(notes))

with view.guard():
    st.subheader("Memory against speculative")
    title = (
        "Ratio memory ÷ speculative (100 at base)"
        if mode == "ratio"
        else "Spread memory − speculative (pp since base)"
    )
    fig = figures.divergence.build_relative_figure(result.relative, title)
    charts.add_events(fig, cache.events(start.isoformat(), end.isoformat()))
    charts.show_chart(
        fig, result.relative.rename(mode).to_frame(), name=f"relative_{mode}", alt=title
    )
    st.caption(divergence.RELATIVE_MODES[mode])

with view.guard():
    st.subheader("Period returns")
    table = periods.copy()
    table.index.name = "series"
    st.dataframe(
        table,
        width="stretch",
        column_config={
            c: st.column_config.NumberColumn(format="%.1f") for c in table.columns if c != "as of"
        },
    )
    charts.download(table, name="period_returns")
    st.caption(
        f"Percent, as of each series' last close on or before {result.asof:%Y-%m-%d} (the "
        "as-of column); the first row is the "
        "memory basket minus the speculative basket in percentage points. Each basket "
        "averages the members present each day (named under the rebased chart). Click a "
        "column to sort."
    )

with view.guard():
    st.subheader("Drawdowns")
    charts.show_chart(
        figures.divergence.build_drawdown_figure(result.drawdowns),
        result.drawdowns,
        name="drawdowns",
        alt="Drawdown from the running peak",
    )

with view.guard():
    st.subheader("Sensitivities: liquidity, real yields and the market")
    if result.betas.empty:
        st.info("Too few weeks in the range for a regression; widen it.")
    else:
        charts.show_chart(
            figures.divergence.build_beta_figure(
                result.betas, baskets.FACTOR_SCALES, baskets.FACTOR_LABELS
            ),
            result.betas,
            name="sensitivities",
            alt="Betas to net liquidity, real yields and the market with 95% intervals",
        )
        st.caption(
            f"Weekly returns, Wednesday to Wednesday, over {result.weeks} weeks, regressed on "
            "the change in net liquidity known that Wednesday (the H.4.1 comes a day after its "
            "Wednesday), the change in the 10-year real yield, and the market's return, "
            "together: each beta holds the others fixed. Bars show 95% intervals from "
            "Newey-West (HAC) errors; faded bars have |t| < 2."
        )
        factor = st.segmented_control(
            "Rolling beta to",
            list(baskets.FACTOR_SCALES),
            default="d_net_liquidity_b",
            format_func=baskets.FACTOR_LABELS.get,
            key="rolling_factor",
            required=True,
        )
        scale, unit = baskets.FACTOR_SCALES[factor]
        rolling = {k: v.dropna(how="all") for k, v in result.rolling.items()}
        if all(v.empty for v in rolling.values()):
            st.info(f"A {window}-week window needs more history than the range holds.")
        else:
            charts.show_chart(
                figures.divergence.build_rolling_beta_figure(rolling, factor, scale, unit),
                pd.concat(rolling, axis=1, sort=True),
                name=f"rolling_beta_{factor}",
                alt=f"Rolling {window}-week beta to {baskets.FACTOR_LABELS[factor]}",
            )
            st.caption(
                f"{window}-week windows ending on each Wednesday; bands are 95% "
                "intervals; grey where neither basket's beta is distinguishable from "
                "zero (|t| < 2). Rolling betas move a lot: read the band, not the line."
            )

with view.guard():
    st.subheader("Correlation of weekly returns")
    corr = result.correlation.dropna(how="all").dropna(axis=1, how="all")
    if corr.empty:
        st.info("Too few weeks in the range for correlations.")
    else:
        charts.show_chart(
            figures.divergence.build_correlation_figure(corr),
            corr,
            name="correlation",
            alt="Correlation matrix of weekly returns",
        )

with view.guard():
    st.subheader("Event day")
    event = filters.day(
        view,
        key="event",
        label="Event date",
        default=DEFAULT_EVENT,
        min_value=dt.date(2000, 1, 1),
        max_value=TODAY,
        sidebar=False,
        help="Returns that day and the next five trading days, ranked",
    )
    # Every asset the app knows, plus the baskets' own additions (e.g. ORCL, NVDA, AVGO on the
    # AI-infrastructure selloff of 2025-12-17).
    tickers = tuple(
        dict.fromkeys(
            [
                *spec,
                *memory,
                *(d.name for d in catalog.of_kind(catalog.PRICES) if d.name != "KRW=X"),
            ]
        )
    )
    moves, local = cache.event_day(tickers, event.isoformat(), 5, version)
    if moves.empty:
        st.info(f"No prices around {event}.")
    else:
        st.dataframe(
            moves,
            width="stretch",
            column_config={
                c: st.column_config.NumberColumn(format="%.2f")
                for c in moves.columns
                if c != "first_day"
            },
        )
        charts.download(moves, name="event_day")
        st.caption(
            "Percent, each asset on its own trading calendar; first_day shows the day "
            "used when the event date was not a trading day for it."
            + "".join(
                f" {', '.join(tickers)}: {reason}, so their returns here are in that currency."
                for reason, tickers in baskets.by_reason(local).items()
            )
        )

view.finish()
