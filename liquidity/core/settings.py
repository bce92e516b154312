"""Settings read from the environment (Streamlit copies root-level secrets into it).

LIQUIDITY_HOME       where the local store lives (default: .liquidity/ in the checkout)
LIQUIDITY_DATA_PACK  a folder in the data-pack layout to read with no import step
FRED_API_KEY         optional: use the keyed FRED API instead of fredgraph.csv
SEC_USER_AGENT       required for live SEC requests: "Name email@example.com"
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def home(environ=os.environ) -> Path:
    value = environ.get("LIQUIDITY_HOME", "").strip()
    return Path(value).expanduser() if value else REPO_ROOT / ".liquidity"


def data_pack(environ=os.environ) -> Path | None:
    """The data-pack folder named by LIQUIDITY_DATA_PACK, or None when unset."""
    value = environ.get("LIQUIDITY_DATA_PACK", "").strip()
    return Path(value).expanduser() if value else None


def secret(name: str, environ=os.environ) -> str | None:
    value = environ.get(name, "").strip()
    return value or None
