"""The shared page frame: config, navigation, data-status strip, share box and error guard.

In Streamlit's `pages/` layout every page is its own script, so each one calls `start()` first
and `view.finish()` last:

    view = page.start("Overview", path="")
    with view.guard():
        rng = filters.date_range(view, default=(...))
        ...
    view.finish()
"""

from __future__ import annotations

import contextlib
import logging
from urllib.parse import urlencode, urlsplit

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from components import cache
from liquidity.core import units
from liquidity.core.errors import DataNotAvailable, LiquidityError
from liquidity.data.snapshots import Snapshot, SnapshotUnavailable

log = logging.getLogger("liquidity.app")

APP_NAME = "Liquidity Drain Monitor"
PIN_KEY = "pin"
PIN_PROBLEM_KEY = "pin_problem"
FAVICON = "💧"

# (script path relative to app.py, menu label, icon). Only pages that exist are listed.
PAGES = (
    ("app.py", "Overview", ":material/dashboard:"),
    ("pages/1_capex.py", "Hyperscaler capex", ":material/factory:"),
    ("pages/2_liquidity.py", "Liquidity balance", ":material/water_drop:"),
    ("pages/3_divergence.py", "Asset divergence", ":material/call_split:"),
    ("pages/4_liquidations.py", "Liquidations", ":material/bolt:"),
    ("pages/5_data.py", "Data", ":material/database:"),
)

EMPTY_HELP = """No data yet. Either:

- **Use a data pack** (offline, reproducible): start the app with
  `LIQUIDITY_DATA_PACK=/path/to/pack streamlit run app.py`, or copy a pack into the store with
  `python -m liquidity import-pack /path/to/pack`.
- **Fetch live data**: run `python -m liquidity refresh` (needs internet; FRED and Yahoo need no
  key, SEC filings need `SEC_USER_AGENT`), or use the refresh button on the Data page.
"""


class Page:
    """One run of one page: the filters it bound to the URL and where notices go."""

    def __init__(self, title: str, path: str, pin: tuple[str, ...] = ()):
        self.title = title
        self.path = path
        self.pin_kinds = pin  # the dataset kinds a pinned link of this page freezes
        self.snapshot: Snapshot | None = None
        # The query string as the user sent it, before widgets drop values they reject.
        self.raw_params = {k: st.query_params.get_all(k) for k in st.query_params}
        self.bound: dict[str, list[str]] = {}
        self.notices: list[str] = []
        self._notice_slot = None

    def bind(self, key: str, values: list[str]) -> None:
        """Record a filter's current value as it should appear in a shared link."""
        self.bound[key] = values

    def notice(self, text: str) -> None:
        self.notices.append(text)

    @contextlib.contextmanager
    def guard(self):
        """Show errors as short messages, never as tracebacks, and log unexpected ones."""
        try:
            yield
        except DataNotAvailable as exc:  # missing input: say which and how to get it
            st.info(f"{exc}", icon=":material/database_off:")
        except LiquidityError as exc:
            st.error(f"{exc}", icon=":material/error:")
        except Exception as exc:  # noqa: BLE001  (the UI must never show a traceback)
            log.exception("page %s failed", self.path or "overview")
            st.error(
                f"Something went wrong while building this view ({type(exc).__name__}: "
                f"{exc}). The details are in the server log.",
                icon=":material/error:",
            )

    def share_url(self) -> str:
        base = st.context.url or f"http://localhost:8501/{self.path}"
        if not urlsplit(base).path:  # the landing page comes back as "http://host"
            base += "/"
        pairs = [(k, v) for k, values in self.bound.items() for v in values]
        return f"{base}?{urlencode(pairs)}" if pairs else base

    def finish(self) -> None:
        """Report ignored link parameters and draw the share box; call at the end of a page."""
        self._report_ignored_params()
        if self.notices and self._notice_slot is not None:
            self._notice_slot.caption(" · ".join(self.notices))
        with st.sidebar:
            st.markdown("**Share this view**")
            if self.pin_kinds:
                self._pin_switch()
            # One line (scrolls): wrapping would break the link mid-date; the copy button
            # copies it whole either way.
            st.code(self.share_url(), language=None, wrap_lines=False)
            if self.snapshot is not None:
                st.caption(
                    "The link holds every filter and the pinned data: it shows these numbers "
                    "even after the data is revised."
                )
            else:
                st.caption(
                    "The link holds every filter on this page; it opens the same view for "
                    "anyone, with the data of the day it is opened."
                    + (" Pin the data to freeze it." if self.pin_kinds else "")
                )

    def _pin_switch(self) -> None:
        # The switch follows the link: a pinned link shows it on, a plain one off, whatever
        # this session clicked on another page.
        st.session_state[PIN_KEY] = self.snapshot is not None
        st.toggle(
            "Pin data",
            key=PIN_KEY,
            on_change=_toggle_pin,
            args=(self.pin_kinds,),
            help="Freeze the data this page uses into a snapshot kept on this server; the link "
            "then shows the same numbers even after FRED revises a series or a filing lands.",
        )
        problem = st.session_state.pop(PIN_PROBLEM_KEY, None)
        if problem:
            st.warning(problem, icon=":material/warning:")

    def _show_pinned(self) -> None:
        """Switch this run to the snapshot the link pins, or stop with why it cannot be shown."""
        raw = self.raw_params.get(cache.SNAPSHOT_PARAM)
        if not raw:
            return
        if not self.pin_kinds:  # dropped before any loader reads it; reported as ignored
            del st.query_params[cache.SNAPSHOT_PARAM]
            return
        try:
            self.snapshot = cache.snapshot(raw[-1])
        except SnapshotUnavailable as exc:
            st.warning(
                f"This link is pinned to data this server cannot show: {exc}. Showing the "
                "latest data instead would change the numbers, so nothing is shown.",
                icon=":material/push_pin:",
            )
            st.button("Show the latest data", on_click=_unpin, type="primary")
            st.stop()
        self.bind(cache.SNAPSHOT_PARAM, [self.snapshot.id])
        as_of = self.snapshot.data_as_of
        headline = f"Pinned to data as of {as_of:%Y-%m-%d}" if as_of is not None else "Pinned data"
        with st.container(border=True):
            left, right = st.columns([5, 1], vertical_alignment="center")
            left.markdown(
                f":material/push_pin: **{headline}** · snapshot `{self.snapshot.id}`, taken "
                f"{self.snapshot.created_at:%Y-%m-%d %H:%M} UTC. Later revisions and new filings "
                "are not shown."
            )
            right.button("Show latest", on_click=_unpin, key="show_latest")

    def _report_ignored_params(self) -> None:
        ignored = []
        for key, raw in self.raw_params.items():
            if key not in self.bound:
                ignored.append(f"{key}={','.join(raw)}")
                # Unknown keys would otherwise stick to shared links.
                st.query_params.pop(key, None)
            elif raw != self.bound[key]:
                dropped = self._dropped(raw, self.bound[key], st.query_params.get_all(key))
                if dropped:
                    ignored.append(f"{key}={','.join(dropped)}")
        if ignored:
            shown = ", ".join(literal(s) for s in ignored[:5])
            shown += f" and {len(ignored) - 5} more" if len(ignored) > 5 else ""
            self.notices.insert(
                0,
                f":material/info: Ignored invalid link parameter(s): {shown}; the rest of the "
                "link applies.",
            )

    def _dropped(self, raw: list[str], shown: list[str], kept: list[str]) -> list[str]:
        """The link values of one filter that the view does not show: a widget keeps only the
        valid part of a link (a select box the last of repeated values, a date input the
        first), and Streamlit removes the parameter when it rejects all of it."""
        if kept:  # accepted, maybe re-spelled ("2024-3-1" → 2024-03-01, "nvda" → NVDA)
            spelled = {v.strip().casefold() for v in shown}
            read = kept if len(kept) == len(raw) else raw  # Streamlit's spelling, one for one
            dropped = [
                v for v, r in zip(raw, read, strict=True) if r.strip().casefold() not in spelled
            ]
        else:
            dropped = [v for v in raw if v not in shown]
        told = " ".join(self.notices)  # e.g. "Not a ticker, ignored: …"
        return [v for v in dropped if literal(v) not in told]


def start(title: str, *, path: str, intro: str | None = None, pin: tuple[str, ...] = ()) -> Page:
    """Configure the page, draw navigation and the data-status strip; returns the Page.

    `pin`: the dataset kinds the page reads; with them the share box offers to pin the data,
    and a link with `?snap=` renders that snapshot instead of the latest data.
    """
    # An emoji favicon is drawn locally; a :material/…: one is fetched from Google Fonts.
    st.set_page_config(page_title=f"{title} · {APP_NAME}", page_icon=FAVICON, layout="wide")
    page = Page(title, path, pin)
    _navigation()
    st.title(title)
    if intro:
        st.caption(intro)
    page._show_pinned()
    page._notice_slot = st.empty()
    _status_strip()
    return page


def _toggle_pin(kinds: tuple[str, ...]) -> None:
    if not st.session_state[PIN_KEY]:
        _unpin()
        return
    try:
        st.query_params[cache.SNAPSHOT_PARAM] = cache.pin(kinds).id
    except LiquidityError as exc:
        st.session_state[PIN_PROBLEM_KEY] = f"Could not pin the data: {exc}"


def _unpin() -> None:
    if cache.SNAPSHOT_PARAM in st.query_params:
        del st.query_params[cache.SNAPSHOT_PARAM]


def require_data(page: Page) -> None:
    """Stop the page with instructions when there is no data at all."""
    _, mode = cache.statuses(cache.version())
    if mode == "empty":
        st.info(EMPTY_HELP, icon=":material/database_off:")
        page.finish()
        st.stop()


def _navigation() -> None:
    with st.sidebar:
        st.markdown(f"### {APP_NAME}")
        try:
            for script, label, icon in PAGES:
                st.page_link(script, label=label, icon=icon)
        except StreamlitPageNotFoundError:  # a page run alone (AppTest.from_file) has no menu
            pass
        st.divider()


def _status_strip() -> None:
    rows, mode = cache.statuses(cache.version())
    lib = cache.library()
    if lib.missing_pack is not None:
        st.warning(
            f"LIQUIDITY_DATA_PACK points to `{lib.missing_pack}`, which is not a folder; "
            "it is ignored.",
            icon=":material/warning:",
        )
    if mode == "empty":
        return
    present = [r for r in rows if r.provenance]
    stale = [r for r in present if r.stale]
    broken = [r for r in rows if r.error]
    latest = max(
        (
            r.provenance.last
            for r in present
            if r.dataset.kind == "fred" and r.provenance.last is not None
        ),
        default=None,
    )
    where = {
        "data pack": f"data pack `{lib.pack.root}`" if lib.pack else "data pack",
        "pinned": "pinned snapshot (see above)",
        "live": "live (refreshed in the last 24 h)",
        "cached": "cached (last refresh over 24 h ago)",
    }[mode]
    parts = [f":material/storage: **Data:** {where}"]
    if latest is not None:
        parts.append(f"latest macro observation **{latest:%Y-%m-%d}**")
    parts.append(f"{len(present)} datasets")
    if stale:
        since = min((r.stale_since for r in stale if r.stale_since is not None), default=None)
        oldest = f", the oldest since {since:%Y-%m-%d}" if since is not None else ""
        parts.append(f":orange[:material/schedule: {len(stale)} stale{oldest}]")
    failed = sum(r.fetch_failed for r in rows)
    if failed:
        parts.append(f":red[:material/sync_problem: {failed} failed to refresh: see the Data page]")
    if broken:
        parts.append(f":red[:material/error: {len(broken)} unreadable: see the Data page]")
    st.caption(" · ".join(parts))


def provenance_strip(keys: list[str], note: str | None = None) -> None:
    """One caption under a chart: each input's id, native unit, convention, as-of and origin."""
    rows, _ = cache.statuses(cache.version())
    by_key = {r.dataset.key: r for r in rows}
    parts = []
    for key in keys:
        row = by_key.get(key)  # another filer's datasets are not in the status list
        if row is None:
            parts.append(f"{key}: not listed")
            continue
        dataset, prov = row.dataset, row.provenance
        name = f"{dataset.kind.upper() if dataset.kind == 'fred' else dataset.kind} {dataset.name}"
        if prov is None or prov.last is None:
            parts.append(f"{name}: not available")
            continue
        since = row.stale_since
        stale = f" :orange-badge[stale since {since:%Y-%m-%d}]" if since is not None else ""
        parts.append(
            f"**{name}** ({units.label(dataset.native_unit)}, {dataset.convention}) "
            f"to {prov.last:%Y-%m-%d}{stale}, {prov.origin}"
        )
    text = ":material/info: " + " · ".join(parts) + (f". {note}" if note else "")
    st.caption(escape_dollars(text))


def literal(text: str, limit: int = 60) -> str:
    """User text (e.g. from a link) shown verbatim: a code span, so no markdown or HTML in it
    is ever interpreted; shortened so a huge parameter cannot flood the page."""
    text = " ".join(text.splitlines())  # any line break, "\r" too, would end the code span
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return "`" + text.replace("`", "'") + "`"


def escape_dollars(text: str) -> str:
    """Markdown reads a pair of "$" as LaTeX; unit labels like "$ millions" must stay text."""
    return text.replace("$", "\\$")
