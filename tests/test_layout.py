"""Structural rules the project depends on, checked on the source tree."""

import re

from tests.conftest import REPO

UI_FILES = [
    REPO / "app.py",
    *sorted((REPO / "pages").glob("*.py")),
    *sorted((REPO / "components").glob("*.py")),
]


def test_liquidity_package_never_imports_streamlit():
    pattern = re.compile(r"^\s*(import streamlit|from streamlit)", re.M)
    offenders = [
        p.name for p in (REPO / "liquidity").rglob("*.py") if pattern.search(p.read_text())
    ]
    assert offenders == []


def test_no_st_navigation_beside_the_pages_folder():
    # st.navigation flips Streamlit out of pages/ mode for every session (STREAMLIT.md §1.2).
    pattern = re.compile(r"\bst\.(navigation|Page)\b")
    assert [p.name for p in UI_FILES if pattern.search(p.read_text())] == []


def test_pages_do_not_fetch_from_the_network():
    pattern = re.compile(r"^\s*(import|from) (requests|yfinance|fredapi|websockets)\b", re.M)
    assert [p.name for p in UI_FILES if pattern.search(p.read_text())] == []


def test_every_page_uses_the_shared_frame():
    for page in [REPO / "app.py", *sorted((REPO / "pages").glob("*.py"))]:
        text = page.read_text()
        assert "frame.start(" in text and "page.finish()" in text, page.name
