"""Filters bound to the URL: every widget that changes what a chart shows goes through here.

Each helper creates a widget with `bind="query-params"` and a stable key (the key is the URL
parameter name), records its value on the Page for the share box, and returns the value.
Defaults are fixed arguments, never a session's last choice, so a link means the same to everyone.
Streamlit itself drops URL values a widget rejects; `Page.finish` tells the user it did.
Bound widgets take no `format_func`: Streamlit writes the formatted label into the URL, so
relabelling an option would silently break every link shared before.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

import streamlit as st

from components.page import Page, literal
from liquidity.core.catalog import TICKER_PATTERN


def date_range(
    page: Page,
    *,
    default: tuple[dt.date, dt.date],
    min_value: dt.date,
    max_value: dt.date,
    key: str = "range",
    label: str = "Date range",
) -> tuple[dt.date, dt.date]:
    """A (start, end) date pair; a one-date value runs to the default end, a reversed one is
    swapped (with a notice) so a hand-edited link still shows something sensible. A one-day
    range is written as the same date twice, which Streamlit reads back as one date."""
    value = st.sidebar.date_input(
        label,
        value=default,
        min_value=min_value,
        max_value=max_value,
        key=key,
        bind="query-params",
        format="YYYY-MM-DD",
    )
    value = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    start = value[0] if value else default[0]
    end = value[1] if len(value) > 1 else default[1]
    if len(value) == 1 and page.raw_params.get(key) == [start.isoformat()] * 2:
        end = start
    if end < start:
        page.notice(f":material/swap_horiz: The date range was reversed; showing {end} to {start}.")
        start, end = end, start
    page.bind(key, [start.isoformat(), end.isoformat()])
    return start, end


def choice(
    page: Page,
    *,
    key: str,
    label: str,
    options: Sequence[str],
    default: str,
    help: str | None = None,
    sidebar: bool = True,
) -> str:
    """One of `options` (a selectbox)."""
    where = st.sidebar if sidebar else st
    value = where.selectbox(
        label,
        list(options),
        index=list(options).index(default),
        key=key,
        help=help,
        bind="query-params",
    )
    page.bind(key, [value])
    return value


def choices(
    page: Page,
    *,
    key: str,
    label: str,
    options: Sequence[str],
    default: Sequence[str],
    help: str | None = None,
) -> list[str]:
    """A subset of `options` (a multiselect), in the order the user picked them."""
    value = st.sidebar.multiselect(
        label,
        list(options),
        default=list(default),
        key=key,
        help=help,
        bind="query-params",
    )
    page.bind(key, list(value) or [""])  # "key=" keeps an empty selection empty in a link
    return list(value)


def tickers(
    page: Page,
    *,
    key: str,
    label: str,
    default: Sequence[str],
    help: str | None = None,
    pattern: re.Pattern = TICKER_PATTERN,
) -> list[str]:
    """`default` tickers plus any the user types; anything that is not a ticker is ignored
    with a notice (the text is shown verbatim, never interpreted)."""
    value = st.sidebar.multiselect(
        label,
        list(default),
        default=list(default),
        key=key,
        help=help,
        bind="query-params",
        accept_new_options=True,
    )
    valid, rejected = [], []
    for item in value:
        ticker = str(item).strip().upper()
        if pattern.fullmatch(ticker):
            if ticker not in valid:
                valid.append(ticker)
        else:
            rejected.append(str(item))
    if rejected:
        page.notice(
            ":material/info: Not a ticker, ignored: " + ", ".join(literal(r) for r in rejected[:5])
        )
    page.bind(key, list(valid) or [""])  # a copy: the page may drop tickers it cannot load
    return valid


def day(
    page: Page,
    *,
    key: str,
    label: str,
    default: dt.date,
    min_value: dt.date,
    max_value: dt.date,
    help: str | None = None,
    sidebar: bool = True,
) -> dt.date:
    """A single date (e.g. a base date or an event date)."""
    where = st.sidebar if sidebar else st
    value = where.date_input(
        label,
        value=default,
        min_value=min_value,
        max_value=max_value,
        key=key,
        help=help,
        bind="query-params",
        format="YYYY-MM-DD",
    )
    page.bind(key, [value.isoformat()])
    return value


def toggle(
    page: Page, *, key: str, label: str, default: bool = False, help: str | None = None
) -> bool:
    value = st.sidebar.checkbox(label, value=default, key=key, help=help, bind="query-params")
    page.bind(key, ["true" if value else "false"])
    return value
