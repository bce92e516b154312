"""Liquidity balance: the bathtub of supply (Fed, Treasury), demand (capex), price of money."""

import datetime as dt

import pandas as pd
import streamlit as st

from components import cache, charts, figures, filters, page, tiles
from liquidity.analytics.capex import PANEL_MIN_SHARE
from liquidity.analytics.drain_gauge import (
    CAPEX,
    CAPEX_MAX_AGE,
    COMPONENTS,
    DAILY_MAX_AGE,
    EX_CAPEX,
    MIN_OBS,
    WEEKS,
    WINDOW,
    missing_runs,
)
from liquidity.analytics.net_liquidity import INPUTS, TGA_DTS, VARIANTS, weekly_flows
from liquidity.analytics.price_of_money import DERIVED_INPUTS, LINES
from liquidity.core import catalog, units
from liquidity.core.calendar import H41_LAG
from liquidity.core.errors import LiquidityError

INPUT_KEYS = {TGA_DTS: catalog.TGA_DAILY}  # net-liquidity inputs that are not FRED series

TODAY = dt.date.today()
DEFAULT_RANGE = (dt.date(2020, 1, 1), TODAY)
UNITS = {"B": "USD_B", "T": "USD_T"}
SMOOTHING = {"none": 0, "4w": 4, "13w": 13}
FREQUENCIES = {
    "weekly": "the variant chosen above, one value per H.4.1 Wednesday",
    "daily": "every business day: WALCL carried from its Wednesday (≤ 10 days) − the Treasury's "
    "daily TGA (Daily Treasury Statement) − the day's RRP (NY Fed, else FRED)",
}
DEFAULT_LINES = ["DGS10", "DFII10", "BAMLH0A0HYM2", "SOFR_IORB", "M2SL_YOY"]
WINDOW_WEEKS = WINDOW.days // 7
GAUGE_OPTIONS = {"included": True, "excluded": False}
GAUGE_FORMULA = f"""
Each week, on the day the Fed's H.4.1 is public (the Thursday after its Wednesday), four inputs:

| component | sign | raw value |
|---|---|---|
| {WEEKS}-week change in net liquidity (Wednesday) | − | percent of its level {WEEKS} weeks before |
| {WEEKS}-week change in the 10-year real yield (DFII10) | + | percentage points |
| {WEEKS}-week change in the high-yield spread (BAMLH0A0HYM2) | + | percentage points |
| hyperscaler capex growth, year over year, on a covered panel | + | percent |

Each becomes a **trailing z-score**: its value minus the mean of its own weekly values over the
last {WINDOW_WEEKS} weeks (three years), divided by their standard deviation, once {MIN_OBS} values
exist in that window. Why: the tub held about \\$0.7 trillion in 2003 and \\$6 trillion in 2022,
and the spread of its 13-week changes in dollars grew about 50× from 2003–07 to 2020–22. Taken as a
percent of the level and measured against its own last three years, a reading in 2005 means what
one in 2025 means. The price: a drain that lasts longer than three years becomes the norm and the
gauge drifts back to zero, so read the raw values too (CSV).

The gauge is the mean of the signed z-scores present; each bar is one component's share of it, so
the bars add up to the line. **Capex growth excluded** leaves it out: it is the thesis's proposed
cause, so the state of the tub is shown on its own too.

**Capex growth** counts a quarter only when the companies reporting in both it and the same quarter
a year earlier held at least {PANEL_MIN_SHARE:.0%} of the panel's capex in that earlier quarter
(the panel: every company whose series has begun by then); otherwise it is missing, never the
growth of the few that reported (Oracle's quarter ends a month before the others'). A panel
company with no value in that earlier quarter leaves the share unknown, and the quarter missing
too. A quarter counts from the day its last company filed it (SEC filing dates; hand-compiled
quarters from 45 days after they end) and is stale after {CAPEX_MAX_AGE.days} days. The FRED inputs
are today's revised values: the gauge is a history, not a replay (the Overview's scorecard is).

**Partial dates.** When a component is missing on a date (an input older than {DAILY_MAX_AGE.days}
days, a capex quarter not covered, fewer than {MIN_OBS} values in its window), the gauge is the mean
of the others: its line turns grey and dotted, the bars fade, and the hover names what is missing.
Nothing uses data published after the date it is shown at, and the gauge is always computed on the
full history, so the date range never changes its values.
"""


def why_missing(row: pd.Series, column: str, history: pd.DataFrame) -> str:
    """Why `column` has no z-score on `row`'s date, in words."""
    if pd.notna(row[column]):
        return f"fewer than {MIN_OBS} weekly values in its {WINDOW_WEEKS}-week window"
    if column == CAPEX:
        quarter = row["capex_quarter"]
        if pd.isna(quarter):
            return f"no quarter public in the last {CAPEX_MAX_AGE.days} days"
        if pd.isna(row["capex_base_share"]):
            return (
                f"{quarter}: no value for {row['capex_missing'].replace(',', ', ')} in it or a "
                "year earlier, so the group's growth is not known"
            )
        return (
            f"{quarter}: {row['capex_companies'].replace(',', ', ') or 'no company'} held "
            f"{row['capex_base_share']:.0%} of the panel's capex a year earlier, under "
            f"{PANEL_MIN_SHARE:.0%}"
        )
    last = history[column].loc[: row.name].last_valid_index()
    since = f"; last reading {last:%Y-%m-%d}" if last is not None else ""
    return f"no input print within {DAILY_MAX_AGE.days} days{since}"


def gauge_headline(shown: pd.DataFrame, history: pd.DataFrame, members, suffix: str) -> str:
    """The latest reading, and when it is partial what is missing and why."""
    date, row = shown.index[-1], shown.iloc[-1]
    value = row[f"gauge{suffix}"]
    if not row[f"partial{suffix}"]:
        return (
            f"Latest: **{value:+.2f} σ** on {date:%Y-%m-%d}, all {len(members)} components "
            f"(above zero: the tub drains faster than over its last {WINDOW_WEEKS} weeks)."
        )
    gone = [c for c in row["missing"].split(",") if c in members]
    reasons = "; ".join(f"**{COMPONENTS[c][0]}** ({why_missing(row, c, history)})" for c in gone)
    full = shown[~shown[f"partial{suffix}"].astype(bool)]
    previous = (
        f" Latest complete reading: **{full[f'gauge{suffix}'].iloc[-1]:+.2f} σ** on "
        f"{full.index[-1]:%Y-%m-%d}."
        if not full.empty
        else ""
    )
    return (
        f":material/warning: Latest: {value:+.2f} σ on {date:%Y-%m-%d} is **partial**, from "
        f"{len(members) - len(gone)} of {len(members)} components; missing: {reasons}.{previous}"
    )


def partial_summary(runs: pd.DataFrame) -> str:
    """Which components are missing where in the shown range (the grey dates of the chart)."""
    parts = []
    for column, group in runs.groupby("component", sort=False):
        last = group.iloc[-1]
        span = f"{last['first']:%Y-%m-%d} → {last['last']:%Y-%m-%d}"
        runs_text = f" in {len(group)} runs, latest {span}" if len(group) > 1 else f", {span}"
        parts.append(f"{COMPONENTS[column][0]} on {group['dates'].sum()} dates{runs_text}")
    return "Grey (partial) dates in this range: missing " + "; ".join(parts) + "."


view = page.start(
    "Liquidity balance",
    path="liquidity",
    pin=(catalog.FRED, catalog.CAPEX, catalog.SEC, catalog.TREASURY, catalog.NYFED),
    intro="Liquidity as water in a bathtub: the Fed and the Treasury's cash management set the "
    "supply, capital spending pulls it out, and yields and spreads are its price. Is the tub "
    "draining?",
)
page.require_data(view)

with view.guard():
    start, end = filters.date_range(
        view, default=DEFAULT_RANGE, min_value=dt.date(2003, 1, 1), max_value=TODAY
    )
    variant = filters.choice(
        view,
        key="variant",
        label="Net-liquidity variant",
        # The daily TGA variant is the weekly/daily switch's "daily".
        options=[v for v in VARIANTS if v != "daily_tga"],
        default="wednesday",
        help=" · ".join(f"**{k}**: {v}" for k, v in VARIANTS.items()),
    )
    frequency = filters.choice(
        view,
        key="freq",
        label="Net liquidity: weekly or daily",
        options=list(FREQUENCIES),
        default="weekly",
        help=" · ".join(f"**{k}**: {v}" for k, v in FREQUENCIES.items()),
    )
    unit = UNITS[
        filters.choice(
            view,
            key="unit",
            label="Unit",
            options=list(UNITS),
            default="B",
            help="B = $ billions, T = $ trillions",
        )
    ]
    smoothing = SMOOTHING[
        filters.choice(
            view,
            key="smooth",
            label="Smoothing",
            options=list(SMOOTHING),
            default="none",
            help="Moving average of net liquidity over N weeks",
        )
    ]
    lines = filters.choices(
        view,
        key="lines",
        label="Price-of-money lines",
        options=list(LINES),
        default=DEFAULT_LINES,
        help=" · ".join(f"**{k}**: {v[0]}" for k, v in LINES.items()),
    )
    version = cache.version()
    lo, hi = start.isoformat(), end.isoformat()
    weekly_history = cache.net_liquidity(None, None, version, variant)
    history = weekly_history
    shown_variant = variant
    if frequency == "daily":
        try:
            history = cache.net_liquidity(None, None, version, "daily_tga")
            shown_variant = "daily_tga"
        except LiquidityError as exc:
            view.notice(
                f":material/info: Daily net liquidity is not available ({exc}); showing the "
                f"weekly {variant} variant."
            )
    window = history.loc[pd.Timestamp(start) : pd.Timestamp(end)]
    money, missing_money = cache.price_of_money(None, None, version)
    money_window = money.loc[pd.Timestamp(start) : pd.Timestamp(end)]
    inputs = [INPUT_KEYS.get(sid, f"fred/{sid}") for sid in INPUTS[shown_variant]]
    if shown_variant == "daily_tga":
        inputs.append(catalog.RRP_DAILY)

    # -- headline tiles ------------------------------------------------------------------------
    net = history["net_liquidity_b"].dropna()
    cols = st.columns(5)
    with cols[0]:
        tiles.net_liquidity_detail(
            net,
            unit,
            "Net liquidity" if variant != "reserves" else "Reserve balances",
            help=f"{VARIANTS[shown_variant]}. Changes over 1, 4 and 13 weeks in "
            f"{units.label(unit)}.",
            weekly=shown_variant not in ("daily", "daily_tga"),
        )
    for col, column, label in (
        (cols[1], "DGS10", "10y yield"),
        (cols[2], "DFII10", "10y real yield"),
        (cols[3], "BAMLH0A0HYM2", "HY OAS"),
        (cols[4], "SOFR_IORB", "SOFR − IORB"),
    ):
        with col:
            series = money[column] if column in money else pd.Series(dtype="float64")
            tiles.rate(series, label, unit=LINES[column][1])

    # -- the tub -------------------------------------------------------------------------------
    with view.guard():
        st.subheader("The tub: net liquidity and its parts")
        if window["net_liquidity_b"].dropna().empty:
            st.info(
                f"No {shown_variant} net-liquidity values between {start} and {end}; the series "
                f"runs from {net.index[0]:%Y-%m-%d} to {net.index[-1]:%Y-%m-%d}. Widen the range."
            )
        else:
            fig = figures.liquidity.build_bathtub_figure(window, unit, smoothing)
            charts.add_events(fig, cache.events(lo, hi))
            charts.show_chart(
                fig,
                window,
                name=f"net_liquidity_{shown_variant}",
                alt=f"Net liquidity ({shown_variant}) and its parts, {start} to {end}",
            )
            page.provenance_strip(inputs, note=VARIANTS[shown_variant])

            # -- flows ---------------------------------------------------------------------------
            st.subheader("Where the water went")
            weekly = (
                weekly_history if variant != "daily" else cache.net_liquidity(None, None, version)
            )
            flows = weekly_flows(weekly).loc[pd.Timestamp(start) : pd.Timestamp(end)]
            left, right = st.columns([2, 3])
            with left:
                st.markdown(f"**Over the window**, {units.label(unit)}")
                part = weekly.loc[pd.Timestamp(start) : pd.Timestamp(end)]
                fig = figures.liquidity.build_waterfall_figure(part, unit)
                charts.show_chart(
                    fig,
                    part,
                    name=f"waterfall_{variant}",
                    alt="Change in net liquidity over the window, by part",
                )
            with right:
                st.markdown(f"**Week by week**, {units.label(unit)} per week")
                fig = figures.liquidity.build_flows_figure(flows.iloc[-104:], unit)
                charts.show_chart(
                    fig,
                    flows,
                    name=f"weekly_flows_{variant}",
                    alt="Weekly change in net liquidity and its parts",
                )
            st.caption(
                (
                    "Reserves already net out the Treasury account and reverse repo, so the "
                    "change in reserves is the whole story."
                    if variant == "reserves"
                    else "A rising Treasury account or reverse repo drains the tub, so their "
                    "changes count with a minus sign; the parts add up to the change in net "
                    "liquidity."
                )
                + " Weekly bars show the last 104 weeks of the window; the CSV has all of them."
                + (
                    " The daily variants' flows are computed on Wednesday levels."
                    if variant == "daily" or shown_variant == "daily_tga"
                    else ""
                )
            )
            try:
                tga_daily = cache.tga_daily(version)
            except LiquidityError:  # no Daily Treasury Statement in the data: said below
                tga_daily = pd.Series(dtype="float64", index=pd.DatetimeIndex([]))
            tga_window = tga_daily.loc[pd.Timestamp(start) : pd.Timestamp(end)]
            st.markdown(f"**The Treasury account day by day**, {units.label(unit)}")
            if tga_window.empty:
                st.caption(
                    "No daily TGA (Daily Treasury Statement) in this range"
                    + (
                        f"; it runs from {tga_daily.index[0]:%Y-%m-%d} to "
                        f"{tga_daily.index[-1]:%Y-%m-%d}."
                        if not tga_daily.empty
                        else ": refresh the treasury source (Data page)."
                    )
                )
            else:
                wednesdays = cache.series("WDTGAL", lo, hi, version, "B")
                fig = figures.liquidity.build_tga_daily_figure(tga_window, wednesdays, unit)
                charts.add_events(fig, cache.events(lo, hi))
                charts.show_chart(
                    fig,
                    tga_window.to_frame("tga_close_b"),
                    name="tga_daily",
                    alt="The Treasury General Account, daily close and Wednesday level",
                )
                page.provenance_strip(
                    [catalog.TGA_DAILY, "fred/WDTGAL"],
                    note="Between Wednesdays the TGA jumps on tax days and auction settlements; "
                    "the weekly variants see only the Wednesday",
                )

    # -- next weeks ----------------------------------------------------------------------------
    with view.guard():
        st.subheader("Next weeks: the drain calendar")
        left, right = st.columns([1, 1])
        with left:
            calendar_from = filters.day(
                view,
                key="cal_from",
                label="From",
                default=TODAY,
                min_value=dt.date(2015, 1, 1),
                max_value=TODAY,
                help="Only what was announced by this date is shown, so a past date replays "
                "what the calendar said then",
                sidebar=False,
            )
        with right:
            calendar_weeks = int(
                filters.choice(
                    view,
                    key="cal_weeks",
                    label="Weeks ahead",
                    options=[str(n) for n in range(1, 9)],
                    default="4",
                    sidebar=False,
                )
            )
        drain = cache.drain_calendar(calendar_from.isoformat(), calendar_weeks, version)
        if drain.events.empty:
            st.info(
                f"No known event in the {calendar_weeks} weeks after {calendar_from}. "
                + drain.coverage
            )
        else:
            fig = figures.liquidity.build_calendar_figure(drain.weekly)
            charts.show_chart(
                fig,
                drain.weekly,
                name=f"drain_calendar_{calendar_from}",
                alt=f"Known drains and additions to reserves, {calendar_weeks} weeks after "
                f"{calendar_from}",
            )
            st.caption(
                "Below zero drains reserves: auction settlements move buyers' cash into the "
                "Treasury account; maturities pay it back out. The line is their net, where the "
                "settlements are known. **?** above a week: not all its settlements are "
                "announced yet (bills roll every week), so its maturities are not offset and "
                "its bars overstate what reserves gain. **tax**: a tax day swells the Treasury "
                "account by an amount the data do not give (the table shows last year's move "
                f"on the same day). **Fed**: a balance-sheet change. Coverage: {drain.coverage}"
            )
            st.dataframe(
                drain.events,
                width="stretch",
                hide_index=True,
                height=300,
                column_config={
                    "date": st.column_config.DateColumn(format="YYYY-MM-DD"),
                    "week": st.column_config.DateColumn(format="YYYY-MM-DD"),
                    "known_since": st.column_config.DateColumn(format="YYYY-MM-DD"),
                    "amount_busd": st.column_config.NumberColumn("amount ($B)", format="%.1f"),
                    "effect_busd": st.column_config.NumberColumn(
                        "effect on reserves ($B)", format="%+.1f"
                    ),
                },
            )
        page.provenance_strip(
            [catalog.AUCTIONS, catalog.TGA_DAILY],
            note="Fed balance-sheet events are curated (liquidity/data/balance_sheet.csv); "
            "hyperscaler bond settlements come from EDGAR filings when they are in the data",
        )

    # -- price of money ------------------------------------------------------------------------
    with view.guard():
        st.subheader("The price of money")
        if not lines:
            st.info("Pick at least one line in the sidebar (Price-of-money lines).")
        elif money_window.empty:
            st.info("No yields or spreads in the selected range.")
        elif not any(c in money_window for c in lines):  # e.g. a pack without these series
            absent = {s for line in lines for s in DERIVED_INPUTS.get(line, (line,))}
            st.info(
                "None of the chosen lines has data; not available: "
                f"{', '.join(s for s in missing_money if s in absent)}. Pick other lines."
            )
        else:
            fig = figures.liquidity.build_price_of_money_figure(money_window, lines)
            charts.show_chart(
                fig,
                money_window[[c for c in lines if c in money_window]],
                name="price_of_money",
                alt="Yields, credit spreads and funding stress",
            )
            shown_inputs = sorted(
                {f"fred/{s}" for line in lines for s in DERIVED_INPUTS.get(line, (line,))}
            )
            note = "Funding stress = rate − IORB on days both are published, in basis points"
            if missing_money:
                note += f"; not available: {', '.join(missing_money)}"
            page.provenance_strip(shown_inputs, note=note + ". Long windows are drawn weekly.")

    # -- demand vs supply ----------------------------------------------------------------------
    with view.guard():
        st.subheader("Demand vs supply, per quarter")
        ledger = cache.ledger(variant, version)
        quarters = ledger.loc[pd.Period(start, "Q") : pd.Period(end, "Q")].dropna(
            subset=["capex_b"]
        )
        if quarters.empty:
            st.info(
                "No quarter in the selected range has both hyperscaler capex and net liquidity."
            )
        else:
            fig = figures.liquidity.build_ledger_figure(quarters, len(catalog.HYPERSCALERS))
            charts.show_chart(
                fig,
                quarters,
                name=f"ledger_{variant}",
                alt="Quarterly change in net liquidity next to hyperscaler capex",
            )
            table = quarters.rename(
                columns={
                    "d_net_liquidity_b": "Δ net liquidity ($B)",
                    "capex_b": "capex ($B)",
                    "companies": "companies",
                    "d_m2_b": "Δ M2 ($B)",
                    "capex_pct_of_d_net_liquidity": "capex ÷ Δ net liquidity (%)",
                    "capex_pct_of_d_m2": "capex ÷ Δ M2 (%)",
                }
            )
            table.index = table.index.astype(str)
            st.dataframe(
                table.iloc[::-1],
                width="stretch",
                height=250,
                column_config={
                    c: st.column_config.NumberColumn(format="%.1f")
                    for c in table.columns
                    if c != "companies"
                },
            )
            with st.expander("Duration supply against reserves, per quarter ($ billions)"):
                supply = cache.duration_supply(version)
                supply = supply.loc[pd.Period(start, "Q") : pd.Period(end, "Q")]
                table = supply.assign(quarter=supply.index.astype(str)).iloc[::-1]
                st.dataframe(
                    table.set_index("quarter"),
                    width="stretch",
                    column_config={
                        c: st.column_config.NumberColumn(format="%.1f")
                        for c in table.columns
                        if c.endswith("_b")
                    },
                )
                st.caption(
                    "Supply = the Treasury's net marketable cash raised (auction settlements − "
                    "maturities; empty where the auction data do not hold both for the whole "
                    "quarter, and treasury_note says why) + the hyperscalers' debt issued (XBRL; "
                    "empty unless every company reports the quarter). Δ reserves and Δ net "
                    "liquidity run from the last Wednesday of the quarter before. The Overview's "
                    "supply claim reads this table."
                )
            page.provenance_strip(
                [f"capex/{t}" for t in catalog.HYPERSCALERS] + ["fred/M2SL"],
                note="Capex is calendar-quarter cash capex (SEC rows, else hand-compiled; never "
                "both), summed over the companies that report it: faded bars and n/5 mark quarters "
                "where some are missing. Ratios are empty when the change is within $1B of zero",
            )

    # -- drain gauge ---------------------------------------------------------------------------
    with view.guard():
        st.subheader("Drain gauge")
        left, right = st.columns([1, 3], vertical_alignment="bottom")
        with left:
            with_capex = GAUGE_OPTIONS[
                filters.choice(
                    view,
                    key="gauge",
                    label="Capex growth in the gauge",
                    options=list(GAUGE_OPTIONS),
                    default="included",
                    help="**excluded**: the gauge of the other three components, the tub alone",
                    sidebar=False,
                )
            ]
        suffix = "" if with_capex else "_ex_capex"
        members = list(COMPONENTS) if with_capex else list(EX_CAPEX)
        gauge = cache.drain_gauge(version)
        shown = gauge.loc[pd.Timestamp(start) : pd.Timestamp(end) + H41_LAG].dropna(
            subset=[f"gauge{suffix}"]
        )
        if shown.empty:
            st.info(
                f"No drain-gauge values in the selected range (each component needs {MIN_OBS} "
                f"weekly values in its {WINDOW_WEEKS}-week window before its first z-score)."
            )
        else:
            right.caption(gauge_headline(shown, gauge, members, suffix))
            fig = figures.liquidity.build_gauge_figure(shown, with_capex)
            charts.show_chart(
                fig,
                shown,
                name=f"drain_gauge{suffix}",
                alt="Drain gauge with each component's contribution; partial dates in grey",
            )
            runs = missing_runs(shown, members)
            if not runs.empty:
                st.caption(partial_summary(runs))
            with st.expander("How the drain gauge is computed"):
                st.markdown(GAUGE_FORMULA)
            page.provenance_strip(
                ["fred/WALCL", "fred/WDTGAL", "fred/RRPONTSYD", "fred/DFII10", "fred/BAMLH0A0HYM2"]
                + ([f"capex/{t}" for t in catalog.HYPERSCALERS] if with_capex else []),
                note="A component whose input is older than its maximum age, or a capex quarter "
                "that is not covered, is named and its dates greyed, never silently dropped",
            )

view.finish()
