"""Block-bootstrap intervals on samples small enough to check on paper."""

import math

import numpy as np
import pytest

from liquidity.analytics import stats


def test_a_block_as_long_as_the_sample_resamples_the_sample_itself():
    idx = stats.block_indices(5, block=5, draws=3)
    assert idx.tolist() == [[0, 1, 2, 3, 4]] * 3


def test_blocks_are_consecutive_runs():
    idx = stats.block_indices(10, block=4, draws=50)
    assert idx.shape == (50, 10)
    # Within each row, positions 0-3, 4-7 and 8-9 are runs of +1 steps (three blocks, cut to 10).
    for start, stop in ((0, 4), (4, 8), (8, 10)):
        assert (np.diff(idx[:, start:stop], axis=1) == 1).all()
    assert idx.min() >= 0 and idx.max() <= 9


def test_interval_is_the_central_percentiles():
    # numpy's linear percentile of 1..1000: rank 0.025 × 999 = 24.975 → 25 + 0.975 = 25.975,
    # and rank 0.975 × 999 = 974.025 → 975 + 0.025 = 975.025.
    low, high = stats.interval(np.arange(1.0, 1001.0))
    assert (low, high) == pytest.approx((25.975, 975.025))
    assert all(math.isnan(v) for v in stats.interval(np.array([np.nan])))


def test_mean_interval_of_one_block_is_the_mean():
    # (1 + 2 + 3 + 4) / 4 = 2.5; with one block every draw is the sample, so the interval is 2.5.
    assert stats.mean_interval([1.0, 2.0, 3.0, 4.0], block=4) == pytest.approx((2.5, 2.5, 2.5))
    assert stats.mean_interval([7.0] * 30) == pytest.approx((7.0, 7.0, 7.0))


def test_mean_interval_is_seeded_and_brackets_the_mean():
    values = np.sin(np.arange(60.0))
    first, again = stats.mean_interval(values), stats.mean_interval(values)
    assert first == again
    mean, low, high = first
    assert low < mean < high


def test_ratio_of_means_on_paper():
    # Flagged weeks hold 4 and 4 (mean 4), the others 1 and 1 (mean 1): ratio 4; one block.
    ratio, low, high = stats.ratio_of_means_interval([4, 4, 1, 1], [1, 1, 0, 0], block=4)
    assert (ratio, low, high) == pytest.approx((4.0, 4.0, 4.0))
    assert all(math.isnan(v) for v in stats.ratio_of_means_interval([1, 2], [1, 1]))
