"""Hypothesis strategies for hostile input, shared by the link fuzzer and the CLI tests."""

from __future__ import annotations

from hypothesis import strategies as st

# Markup that must never be interpreted, line breaks that end a code span or a log line, and
# text that is merely unusual.
HOSTILE = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<iframe src=//example.invalid>",
    "[click](javascript:alert(1))",
    "![pixel](https://example.invalid/p.png)",
    "**bold** _it_ ~~x~~ # h",
    "$x^2$ \\(y\\)",
    ":red[red] :material/warning: :smile:",
    "a\r\r[link](https://example.invalid)",
    "a\n\n# heading",
    "a\r\n\r\n<b>b</b>",
    "`code` ``two``",
    "&lt;b&gt; &#60;",
    "' OR 1=1 --",
    "../../etc/passwd",
    "\x00\x1b[31m",
    "\u202egnp.exe",
    "😀" * 3,
)
IMPOSSIBLE_DATES = (
    "2025-02-30",
    "2025-13-01",
    "2023-02-29",
    "0000-01-01",
    "2025-00-10",
    "9999-99-99",
)


def texts() -> st.SearchStrategy[str]:
    """Markup, random unicode and very long strings."""
    return st.one_of(
        st.sampled_from(HOSTILE),
        st.text(max_size=30),
        st.text(min_size=1, max_size=4).map(lambda s: s * 1000),
    )


def numbers() -> st.SearchStrategy[str]:
    """Huge, negative, fractional and non-finite numbers, as text."""
    return st.one_of(
        st.integers(-(10**30), 10**30).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.sampled_from(["-1", "0", "1e308", "-0", "0x10", "1_000", "NaN", "inf"]),
    )


def bad_dates() -> st.SearchStrategy[str]:
    """Impossible dates and dates in other formats (never a valid YYYY-MM-DD)."""
    return st.one_of(
        st.sampled_from(IMPOSSIBLE_DATES),
        st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
        st.dates().map(lambda d: f"{d.year}{d.month:02}{d.day:02}"),
        st.dates().map(lambda d: f"{d.isoformat()}T12:00"),
        numbers(),
        texts(),
    )
