"""Data: every dataset the app knows, where it comes from, how fresh it is, and a refresh."""

import datetime as dt

import pandas as pd
import streamlit as st

from components import cache, charts, filters, page, previews
from liquidity.core import catalog, units
from liquidity.core.errors import LiquidityError
from liquidity.ingest.refresh import SOURCES, refresh

TODAY = dt.date.today()
REFRESHED = "data_page_refresh_outcome"  # session state: the last refresh, shown after the rerun
KIND_LABELS = {
    "fred": "FRED macro series",
    "fred_vintages": "FRED vintages (values as first published and revised)",
    "prices": "Prices",
    "capex": "Hyperscaler capex",
    "sec": "SEC XBRL facts",
    "coinglass": "Crypto derivatives (CoinGlass)",
}

view = page.start(
    "Data",
    path="data",
    intro="The catalog of datasets, their provenance and freshness, and a live "
    "refresh. The same code runs behind `python -m liquidity status` and "
    "`python -m liquidity refresh`.",
)

with view.guard():
    kinds = filters.choices(
        view,
        key="kinds",
        label="Dataset kinds",
        options=catalog.KINDS,
        default=catalog.KINDS,
        help=" · ".join(f"**{k}**: {v}" for k, v in KIND_LABELS.items()),
    )
    rows, mode = cache.statuses(cache.version())
    shown = [r for r in rows if r.dataset.kind in kinds]

    c1, c2, c3, c4 = st.columns(4)
    present = [r for r in rows if r.provenance]
    c1.metric("Mode", mode)
    c2.metric("Datasets with data", f"{len(present)} / {len(rows)}")
    c3.metric("Stale", sum(r.stale for r in present))
    c4.metric("Unreadable", sum(bool(r.error) for r in rows))

    failed = [r for r in rows if r.fetch_failed]
    if failed:
        st.warning(
            f"The last refresh of {len(failed)} dataset(s) failed; each keeps its last good "
            "data, marked stale since the day it was last known current.",
            icon=":material/sync_problem:",
        )
        # A table, not markdown: the messages quote what the servers answered.
        st.dataframe(
            pd.DataFrame(
                {
                    "dataset": [r.dataset.key for r in failed],
                    "stale since": [r.stale_since for r in failed],
                    "last attempt": [r.last_attempt for r in failed],
                }
            ),
            width="stretch",
            hide_index=True,
            column_config={
                "stale since": st.column_config.DateColumn(format="YYYY-MM-DD"),
                "last attempt": st.column_config.TextColumn(width="large"),
            },
        )

    st.subheader("Catalog")
    if not shown:  # e.g. only FRED vintages chosen, and none are held
        st.info(
            f"No dataset of the kind(s) {', '.join(kinds) or '(none)'} here; pick more kinds in "
            "the sidebar."
        )
    else:
        table = pd.DataFrame(
            [
                {
                    "dataset": r.dataset.key,
                    "label": r.dataset.label,
                    "origin": r.provenance.origin
                    if r.provenance
                    else ("error" if r.error else "missing"),
                    "unit": units.label(r.dataset.native_unit),
                    "frequency": r.dataset.frequency,
                    "convention": r.dataset.convention,
                    "first": r.provenance.first if r.provenance else None,
                    "last": r.provenance.last if r.provenance else None,
                    "rows": r.provenance.rows if r.provenance else 0,
                    "retrieved (UTC)": r.provenance.retrieved_at if r.provenance else None,
                    "stale since": r.stale_since,
                    "note": r.error or r.last_attempt or "",
                    "source": r.dataset.source,
                }
                for r in shown
            ]
        )
        st.dataframe(
            table,
            width="stretch",
            hide_index=True,
            height=420,
            # Convention and source are in the CSV and under the chart below; on screen they would
            # push the dates and the note out of view.
            column_order=[c for c in table.columns if c not in ("convention", "source")],
            column_config={
                "label": st.column_config.TextColumn(width="medium"),
                "rows": st.column_config.NumberColumn(width="small", format="localized"),
                "note": st.column_config.TextColumn(width="large"),
                "first": st.column_config.DateColumn(format="YYYY-MM-DD"),
                "last": st.column_config.DateColumn(format="YYYY-MM-DD"),
                "retrieved (UTC)": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
                "stale since": st.column_config.DateColumn(
                    format="YYYY-MM-DD",
                    help="Empty while current. Past the usual publication gap: the day the next "
                    "observation was due. Last refresh failed: the day of the last good fetch.",
                ),
            },
        )
        charts.download(table.set_index("dataset"), name="catalog", label="Download catalog CSV")

    st.subheader("Look at one dataset")
    available = [r.dataset.key for r in shown if r.provenance]
    if not available:
        st.info(page.EMPTY_HELP, icon=":material/database_off:")
    else:
        default = "fred/WALCL" if "fred/WALCL" in available else available[0]
        key = filters.choice(
            view,
            key="dataset",
            label="Dataset",
            options=available,
            default=default,
            sidebar=False,
            help="Catalog key: kind/name (FRED id, ticker or company)",
        )
        start, end = filters.date_range(
            view,
            default=(dt.date(2015, 1, 1), TODAY),
            min_value=dt.date(1900, 1, 1),
            max_value=TODAY,
        )
        dataset = catalog.get(key)
        data, prov = cache.dataset(key, cache.version())
        plotted = previews.plot_frame(dataset, data)
        if plotted is None:
            st.dataframe(data, width="stretch", height=320)
        else:
            values, y_title = plotted
            index = values.index.tz_localize(None) if values.index.tz is not None else values.index
            window = values[(index >= pd.Timestamp(start)) & (index <= pd.Timestamp(end))]
            if window.empty:
                st.info(
                    f"{key} has no observations between {start} and {end}; it runs from "
                    f"{prov['first']} to {prov['last']}. Widen the date range in the sidebar."
                )
            else:
                fig = charts.time_series_figure(window, y_title)
                charts.show_chart(
                    fig,
                    window,
                    name=key.replace("/", "_"),
                    alt=f"{dataset.label} from {start} to {end}",
                )
        st.caption(
            page.escape_dollars(
                f"**{dataset.label}** · origin {prov['origin']} · {prov['source']} · native unit "
                f"{units.label(dataset.native_unit)} · {dataset.frequency}, {dataset.convention} · "
                f"{prov['first'][:10] if prov['first'] else '?'} → "
                f"{prov['last'][:10] if prov['last'] else '?'} · {prov['rows']:,} rows · "
                f"sha256 {prov['checksum'][:12]}… · location `{prov['location']}`"
            )
        )

    st.subheader("Refresh live data")
    st.caption(
        "Fetches FRED series (keyless, or with FRED_API_KEY), Yahoo Finance prices and SEC "
        "filings (needs SEC_USER_AGENT) into the local store at "
        f"`{cache.library().store.home}`. Failed sources keep their last good data."
    )
    chosen = st.multiselect("Sources", SOURCES, default=list(SOURCES), key="refresh_sources")
    if st.button("Refresh now", icon=":material/refresh:", disabled=not chosen):
        bar = st.progress(0.0, text="Starting…")

        def show(done: int, total: int, label: str) -> None:
            bar.progress(done / total, text=f"{done}/{total} · {label}")

        try:
            report = refresh(
                cache.library().store,
                tuple(chosen),
                progress=show,
                environ=cache.environ_with_secrets(),
            )
        except LiquidityError as exc:
            outcome = str(exc)
        else:
            outcome = (report, tuple(chosen))
        st.cache_data.clear()
        # The tables above were drawn before the refresh: run the page again so they show the
        # new state, and say there how the refresh went.
        st.session_state[REFRESHED] = outcome
        st.rerun()

    outcome = st.session_state.pop(REFRESHED, None)
    if isinstance(outcome, str):
        st.error(outcome)
    elif outcome is not None:
        report, sources = outcome
        for source in sources:
            st.write(report.summary(source))
        if report.offline:
            st.warning(
                "The sources could not be reached: this machine looks offline, or a firewall "
                "blocks them. Nothing in the store was changed. To work offline, start the "
                "app with a data pack: `LIQUIDITY_DATA_PACK=/path/to/pack streamlit run "
                "app.py`.",
                icon=":material/wifi_off:",
            )
        elif report.failed:
            st.warning(
                "Some datasets failed; they keep their last good data. The catalog's "
                "note column shows each one's last attempt."
            )
        else:
            st.success("Refresh complete.")

view.finish()
