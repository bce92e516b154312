"""Structural rules the project depends on, checked on the source tree."""

import ast
import re
import sys
from pathlib import Path

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


def test_every_page_uses_the_shared_page_frame():
    for page in [REPO / "app.py", *sorted((REPO / "pages").glob("*.py"))]:
        text = page.read_text()
        assert "page.start(" in text and "view.finish()" in text, page.name


# -- the layers of `liquidity/`, read from the import graph ------------------------------------

PACKAGE = REPO / "liquidity"
LAYERS = ("core", "sources", "data", "analytics", "ingest")
# layer -> the layers (and top-level modules) its modules may import from `liquidity`
ALLOWED = {
    "core": {"core"},
    "sources": {"core", "sources", "analytics"},
    "data": {"core", "data"},
    "analytics": {"core", "analytics"},
    "ingest": {"core", "sources", "data", "analytics", "ingest"},
}
# Third-party packages the pure calculations may use.
ANALYTICS_THIRD_PARTY = {"pandas", "numpy"}
LAZY_MARKER = "# Lazy:"


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        yield path, ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, module: str):
    """(line, imported module, whether at module level) for every import in a file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    top = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from liquidity.core import catalog` imports the module liquidity.core.catalog
            names = [f"{base}.{alias.name}" for alias in node.names] if base else []
            names = names + [base]
        else:
            continue
        yield node.lineno, names, id(node) in top


def _layer(name: str) -> str | None:
    parts = name.split(".")
    if parts[0] != "liquidity" or len(parts) < 2:
        return None
    return parts[1]


def test_each_layer_imports_only_the_layers_below_it():
    offenders = []
    for path, module in _modules():
        layer = _layer(module)
        if layer not in ALLOWED:
            continue
        for line, names, _ in _imports(path, module):
            for name in names:
                target = _layer(name)
                if target is not None and target not in ALLOWED[layer]:
                    offenders.append(f"{module}:{line} imports {name}")
    assert offenders == []


def test_analytics_uses_only_pandas_numpy_and_the_standard_library():
    offenders = []
    for path, module in _modules():
        if _layer(module) != "analytics":
            continue
        for line, names, _ in _imports(path, module):
            for name in names:
                root = name.split(".")[0]
                if root in ("", "liquidity", "__future__") or root in ANALYTICS_THIRD_PARTY:
                    continue
                if root not in sys.stdlib_module_names:
                    offenders.append(f"{module}:{line} imports {name}")
    assert offenders == []


def test_no_function_local_imports_in_the_package():
    # A lazy import is allowed only where a comment just above it says why ("# Lazy: ...").
    offenders = []
    for path, module in _modules():
        lines = path.read_text().splitlines()
        for line, names, at_top in _imports(path, module):
            if at_top:
                continue
            above = lines[line - 2].strip() if line >= 2 else ""
            if not above.startswith(LAZY_MARKER):
                offenders.append(f"{module}:{line} imports {', '.join(names)} inside a function")
    assert offenders == []


def test_the_layer_rules_catch_a_violation(tmp_path):
    # The checks above must be able to fail: a data module importing analytics, and a local import.
    bad = tmp_path / "liquidity" / "data" / "bad.py"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "from liquidity.analytics import capex\n\ndef f():\n    from liquidity.core import units\n"
    )
    found = list(_imports(bad, "liquidity.data.bad"))
    assert [(line, at_top) for line, _, at_top in found] == [(1, True), (4, False)]
    assert _layer(found[0][1][0]) == "analytics" and "analytics" not in ALLOWED["data"]


def test_no_dataframe_attrs_carry_meaning_between_modules():
    # pandas drops .attrs in most operations; what a frame means is passed as an argument.
    pattern = re.compile(r"\.attrs\b")
    offenders = [
        f"{p.relative_to(REPO)}"
        for p in [*PACKAGE.rglob("*.py"), *UI_FILES]
        if pattern.search(p.read_text())
    ]
    assert offenders == []


def test_no_module_is_left_behind_from_the_flat_layout():
    flat = {p.stem for p in PACKAGE.glob("*.py")}
    assert flat == {"__init__", "__main__", "api", "cli"}
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"} == {
        *LAYERS
    }
