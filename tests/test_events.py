import pandas as pd
import pytest

from liquidity.core.errors import ValidationError
from liquidity.data.events import load_events


def test_curated_events_load_sorted_and_filtered():
    events = load_events()
    assert events["date"].is_monotonic_increasing
    assert {"date", "category", "label", "detail"} <= set(events.columns)
    selloff = load_events(start="2025-12-17", end="2025-12-17")
    assert selloff["label"].tolist() == ["AI-infrastructure selloff"]


def test_a_malformed_events_file_is_rejected(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("date,category,label,detail\n2025-13-01,x,y,z\n")
    with pytest.raises(ValidationError, match="malformed date"):
        load_events(path)
    path.write_text("date,label\n2025-01-01,y\n")
    with pytest.raises(ValidationError, match="missing column"):
        load_events(path)
    assert isinstance(load_events(start=pd.Timestamp("2030-01-01")), pd.DataFrame)
