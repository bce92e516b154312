"""Helpers for AppTest page tests: run a page with link parameters, read its Plotly charts."""

from __future__ import annotations

import base64
import json

import numpy as np
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO


def page_path(script: str) -> str:
    return str(REPO / script)


def run_page(script: str, params: dict | None = None) -> AppTest:
    """Run `script` (relative to the repo) with query parameters; it must not raise."""
    at = AppTest.from_file(page_path(script), default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def chart_specs(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def decode(values):
    """Plotly 7 sends numeric arrays as base64 typed arrays; plain lists pass through."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return values
