"""Property-based link tests: every page opened with hostile query strings.

Each page's parameters are read from the page itself (the keys in its share link and the options
of the widget bound to each), then hypothesis mixes valid values with wrong types, huge and
negative numbers, reversed and impossible dates, unknown tickers, very long strings, unicode,
markdown/HTML fragments, repeated and unknown keys. For every link:

- no exception and no error element: the page renders;
- every parameter is either honoured (the share link carries it) or named in a notice, and a
  dropped one falls back to the page's default;
- user text reaches markdown only inside one-line code spans (`page.literal`), never as
  markdown or HTML;
- the share link is itself a clean link: opening it shows the same view without a notice.

300 examples per page when CI=true, FUZZ_EXAMPLES (default 25) locally.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from components.page import literal
from tests.apptest import page_path
from tests.conftest import IN_CI
from tests.hostile import HOSTILE, IMPOSSIBLE_DATES, numbers, texts

EXAMPLES = 300 if IN_CI else int(os.environ.get("FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same cases on every run, so a red CI run reproduces on any machine
    database=None,  # no .hypothesis/ folder in the checkout; failures print their example
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Page → the keys its link must have. Capex and divergence need the real pack: the fixture pack
# lacks most hyperscalers and ^GSPC, so they would stop before most of their code.
PAGES = {
    "app.py": ({"range", "asof", "placebo"}, "fixture"),
    "pages/1_capex.py": ({"companies", "metric", "mode", "basis", "range"}, "real"),
    "pages/2_liquidity.py": (
        {"range", "variant", "freq", "unit", "smooth", "lines", "gauge", "cal_from", "cal_weeks"},
        "fixture",
    ),
    "pages/3_divergence.py": (
        {
            "range",
            "base",
            "spec",
            "memory",
            "bench",
            "relative",
            "window",
            "constituents",
            "event",
        },
        "real",
    ),
    "pages/4_liquidations.py": (
        {"symbol", "bucket", "range", "venues", "move", "multiple"},
        "fixture",
    ),
    "pages/5_data.py": ({"kinds", "dataset", "range"}, "fixture"),
}
ALL_KEYS = sorted(set().union(*(keys for keys, _ in PAGES.values())))
STREAMLIT_RESERVED = {"embed", "embed_options"}  # Streamlit hides these from the app
SNAP = "snap"  # a pinned link's snapshot id (page.start(pin=...)); never in a default link
STATUS_STRIP = ":material/storage:"
UNKNOWN_SNAPSHOT = "This link is pinned to data this server cannot show"

# Recognisable in any rendered text; every free-text value carries it.
MARK = "⚑fz"
TYPED_SYMBOLS = ("NVDA", "nvda", " mu ", "BRK.B", "ZZZQ", "^VIX", "X" * 20)
ACTIVE_HTML = re.compile(r"<\s*(script|img|iframe|b)\b|javascript:", re.IGNORECASE)


# -- strategies --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Valid:
    """The i-th valid value of the widget a key is bound to (resolved when the page is known);
    `near` writes it the way a person might mistype it (case, spaces, another date format)."""

    i: int
    near: bool = False


def free_text() -> st.SearchStrategy[str]:
    return st.tuples(texts(), st.booleans()).map(lambda t: t[0] + MARK if t[1] else MARK + t[0])


def tokens() -> st.SearchStrategy[str | Valid]:
    valid = st.builds(Valid, st.integers(0, 10**6))
    return st.one_of(
        valid,
        valid,
        st.builds(Valid, st.integers(0, 10**6), st.just(True)),
        st.dates().map(dt.date.isoformat),  # year 1 … 9999: mostly out of bounds
        st.sampled_from(IMPOSSIBLE_DATES + TYPED_SYMBOLS + ("", "true", "false")),
        numbers(),
        free_text(),
    )


def links(keys) -> st.SearchStrategy[dict]:
    """A query string as {key: [values]}: the page's own keys and a few foreign ones."""
    own = st.fixed_dictionaries(
        {}, optional={k: st.lists(tokens(), max_size=3) for k in sorted(keys)}
    )
    foreign_key = st.one_of(
        st.sampled_from([k for k in ALL_KEYS if k not in keys] + [SNAP]),
        st.text(min_size=1, max_size=20),
    ).filter(lambda k: k not in keys and k.lower() not in STREAMLIT_RESERVED)
    foreign_value = st.one_of(free_text(), numbers(), st.just("0123456789ab"))  # a well-formed id
    foreign = st.dictionaries(
        foreign_key, st.lists(foreign_value, min_size=1, max_size=2), max_size=2
    )
    return st.tuples(own, foreign).map(lambda t: {**t[0], **t[1]})


def resolve(widget, token: str | Valid) -> str:
    if isinstance(token, str):
        return token
    if widget is None:
        return str(token.i)
    i = token.i
    if widget.kind == "date_input":
        lo, hi = widget.bounds
        day = lo + dt.timedelta(days=i % ((hi - lo).days + 1))
        if not token.near:
            return day.isoformat()
        return (
            day.strftime("%d/%m/%Y"),
            day.strftime("%Y%m%d"),
            f"{day.year}-{day.month}-{day.day}",
            f" {day.isoformat()} ",
            f"{day.isoformat()}T12:00:00",
        )[i % 5]
    if widget.kind == "checkbox":
        return ("True", "1", "yes", "FALSE")[i % 4] if token.near else ("true", "false")[i % 2]
    option = widget.options[i % len(widget.options)]
    if token.near:
        return option.lower() if option != option.lower() else f" {option.upper()} "
    return option


# -- reading a page ----------------------------------------------------------------------------


def open_page(script: str, params: dict[str, list[str]]) -> AppTest:
    at = AppTest.from_file(page_path(script), default_timeout=60)
    for key, values in params.items():
        at.query_params[key] = values
    at.run()
    return at


def share_link(at: AppTest) -> dict[str, list[str]]:
    url = at.sidebar.code[-1].value
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


@dataclass(frozen=True)
class Widget:
    """What a link may say about one bound widget."""

    kind: str  # selectbox, multiselect, date_input or checkbox
    options: tuple[str, ...] = ()
    free: bool = False  # a multiselect that takes typed values (tickers)
    bounds: tuple[dt.date, dt.date] | None = None


def bound_widgets(at: AppTest) -> dict[str, Widget]:
    """The widget behind each key of the share link."""
    keys = set(share_link(at))
    widgets = {}
    for node in at._tree:
        kind, key = getattr(node, "type", None), getattr(node, "key", None)
        if key not in keys:
            continue
        if kind == "date_input":
            widgets[key] = Widget(kind, bounds=(node.min, node.max))
        elif kind in ("selectbox", "multiselect"):
            free = kind == "multiselect" and node.proto.accept_new_options
            widgets[key] = Widget(kind, tuple(node.options), free)
        elif kind == "checkbox":
            widgets[key] = Widget(kind)
    return widgets


def notice(at: AppTest) -> str:
    """The notice line under the page title, just above the data-status strip ('' if none)."""
    children = list(at.main.children.values())
    strip = next(
        (
            i
            for i, n in enumerate(children)
            if n.type == "caption" and n.value.startswith(STATUS_STRIP)
        ),
        None,
    )
    slot = children[strip - 1] if strip else None
    return slot.value if slot is not None and slot.type == "caption" else ""


def markdown_texts(at: AppTest) -> list[str]:
    """Every string the frontend renders as markdown: bodies, labels and help texts."""
    texts = []
    for node in at._tree:
        kind, proto = getattr(node, "type", None), getattr(node, "proto", None)
        if proto is None or kind == "code":  # code is shown verbatim
            continue
        if kind == "expandable":
            texts.append(proto.expandable.label)
            continue
        for field in ("body", "label", "help"):
            value = getattr(proto, field, None)
            if isinstance(value, str) and value:
                texts.append(value)
    return texts


CODE_SPAN = re.compile(r"`[^`\r\n]*`")  # a one-line code span, as page.literal writes them


def outside_code(text: str) -> str:
    return CODE_SPAN.sub("", text)


# -- the property ------------------------------------------------------------------------------


def check_link(page, link: dict) -> None:
    script, defaults, widgets = page
    params = {k: [resolve(widgets.get(k), t) for t in tokens_] for k, tokens_ in link.items()}
    note(f"link: {params}")
    at = open_page(script, params)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    for text in markdown_texts(at):
        bare = outside_code(text)
        assert MARK not in bare, f"user text rendered as markdown: {text!r}"
        assert not ACTIVE_HTML.search(bare), f"HTML in markdown: {text!r}"
    if any(UNKNOWN_SNAPSHOT in w.value for w in at.warning):
        assert SNAP in params  # a pinned link to a snapshot this server lacks stops the page
        return
    shared = share_link(at)
    told = notice(at)

    for key, sent in params.items():
        if not sent:
            continue
        if key not in shared:  # not a filter of this page, or of the part that was drawn
            named = literal(f"{key}={','.join(sent)}")[:20]
            assert named in told or " more; " in told, (key, told)
            assert key not in at.query_params, key
            continue
        widget, now = widgets[key], shared[key]
        if honoured(widget, sent, now, defaults[key]):
            continue
        assert told, f"{key}={sent} became {now} without a notice"
        if widget.kind == "selectbox":  # the last value the link names, else a default
            assert now == [sent[-1]] or now[0] in widget.options, (key, sent, now)
        if widget.kind == "multiselect":  # the valid part of the link, else the default
            assert set(fold(now)) - {""} <= set(fold(sent)) or now == defaults[key], (sent, now)

    again = open_page(script, shared)
    assert not again.exception and not again.error
    assert share_link(again) == shared, "the share link does not reopen the same view"
    assert "Ignored invalid link parameter" not in notice(again), notice(again)


def fold(values) -> list[str]:
    """Values as a person means them: trimmed, any case, each once."""
    return list(dict.fromkeys(v.strip().casefold() for v in values))


def honoured(widget: Widget, sent: list[str], now: list[str], default: list[str]) -> bool:
    """The link's value is shown as sent, up to spelling (fold); a one-date range runs to the
    default end, as filters.date_range says."""
    if widget.kind == "date_input" and len(sent) == 1 and len(default) == 2:
        return now == [sent[0], default[1]]
    return fold(now) == fold(sent)


@pytest.fixture
def page(app_env, fixture_pack, request):
    """(script, default share link, widget per key) for `request.param`, on its pack."""
    script = request.param
    keys, pack = PAGES[script]
    app_env(fixture_pack if pack == "fixture" else request.getfixturevalue("real_pack"))
    at = open_page(script, {})
    assert not at.exception and not at.error
    widgets = bound_widgets(at)
    assert set(widgets) == keys == set(share_link(at))
    return script, share_link(at), widgets


def on(script: str):
    return pytest.mark.parametrize("page", [script], indirect=True)


# One test per page, so that each carries its own regression examples: each @example is a link
# that once broke the page or its notice.


@on("app.py")
@FUZZ
@given(link=links(PAGES["app.py"][0]))
# page.literal kept "\r": a blank line ended the code span and the link below it rendered
@example(link={"junk": ["a\r\r[link](https://example.invalid)" + MARK]})
# a malformed pinned-snapshot id was quoted in the warning as markdown
@example(link={"snap": ["[click](https://example.invalid)" + MARK]})
# a one-day range (the share box writes the day twice) reopened as that day to today
@example(link={"range": ["2024-12-04", "2024-12-04"]})
# only the first five ignored parameters were named, the rest silently
@example(link={f"k{i}": ["1"] for i in range(7)})
def test_overview_links(page, link):
    check_link(page, link)


@pytest.mark.pack
@on("pages/1_capex.py")
@FUZZ
@given(link=links(PAGES["pages/1_capex.py"][0]))
@example(link={"companies": ["0306-03-08"]})  # nothing left to show: a notice, no error
def test_capex_links(page, link):
    check_link(page, link)


@on("pages/2_liquidity.py")
@FUZZ
@given(link=links(PAGES["pages/2_liquidity.py"][0]))
# lines the pack has no data for: make_subplots(rows=0) raised, an error box instead of a note
@example(link={"lines": ["DGS2"]})
# a partly valid multiselect keeps its valid part; the notice said "showing the defaults"
@example(link={"lines": [MARK, "DGS10"]})
def test_liquidity_links(page, link):
    check_link(page, link)


@pytest.mark.pack
@on("pages/3_divergence.py")
@FUZZ
@given(link=links(PAGES["pages/3_divergence.py"][0]))
# a repeated key: the select box shows the last value, the first was dropped without a notice
@example(link={"relative": ["ratio", "spread"]})
@example(link={"range": ["2024-03-01", "2024-04-01", "2024-05-01"]})
def test_divergence_links(page, link):
    check_link(page, link)


@on("pages/4_liquidations.py")
@FUZZ
@given(link=links(PAGES["pages/4_liquidations.py"][0]))
def test_liquidations_links(page, link):
    check_link(page, link)


@on("pages/5_data.py")
@FUZZ
@given(link=links(PAGES["pages/5_data.py"][0]))
@example(link={"dataset": ["1e308"], "kinds": ["capex"]})  # the fallback follows the kinds
@example(link={"kinds": ["fred_vintages"]})  # no dataset of that kind: the catalog table failed
def test_data_links(page, link):
    check_link(page, link)


# -- deterministic companions --------------------------------------------------------------------


@pytest.mark.parametrize(
    "script,key", [(s, k) for s, (keys, pack) in PAGES.items() if pack == "fixture" for k in keys]
)
def test_a_junk_value_falls_back_to_the_default_with_a_notice(app_env, fixture_pack, script, key):
    app_env(fixture_pack)
    defaults = share_link(open_page(script, {}))
    at = open_page(script, {key: ["<b>" + MARK]})
    assert not at.exception and not at.error
    assert share_link(at) == defaults
    assert f"`{key}=<b>{MARK}`" in notice(at)


def test_a_partly_valid_link_names_only_what_was_dropped(app_env, fixture_pack):
    app_env(fixture_pack)
    at = open_page("pages/2_liquidity.py", {"lines": ["DGS10", "junk", "BAMLH0A0HYM2"]})
    assert share_link(at)["lines"] == ["DGS10", "BAMLH0A0HYM2"]
    assert notice(at) == (
        ":material/info: Ignored invalid link parameter(s): `lines=junk`; the rest of the link "
        "applies."
    )
    at = open_page("pages/3_divergence.py", {"relative": ["ratio", "spread"]})
    assert "`relative=ratio`" in notice(at)  # the select box shows the last one, spread


def test_a_one_day_range_survives_its_share_link(app_env, fixture_pack):
    app_env(fixture_pack)
    at = open_page("app.py", {"range": ["2025-01-15", "2025-01-15"]})
    assert share_link(at)["range"] == ["2025-01-15", "2025-01-15"]
    assert not notice(at)
    at = open_page("app.py", {"range": ["2025-01-15"]})  # one date: to the default end
    assert share_link(at)["range"] == ["2025-01-15", dt.date.today().isoformat()]


def test_literal_keeps_user_text_on_one_line():
    for text in HOSTILE:
        assert CODE_SPAN.fullmatch(literal(text)), repr(literal(text))
    assert literal("a\r\rb\u2028c") == "`a  b c`"
    assert literal("x" * 100) == "`" + "x" * 59 + "…`"
