"""Intervals for the scorecard's tests: a moving-block bootstrap over consecutive periods.

Weekly liquidity changes and liquidation totals are autocorrelated (a drain lasts weeks, a
cascade spills into the next week), so resampling single weeks would make intervals too narrow.
Blocks of `BLOCK` consecutive periods keep that dependence (METHODS.md §5: the block bootstrap
of Künsch 1989). The generator is seeded, so a verdict is the same on every run and machine.
"""

from __future__ import annotations

import math

import numpy as np

BLOCK = 4  # periods per block: about a month of weeks
DRAWS = 2000
SEED = 20_171_231  # any fixed number; the date of the placebo window's end
LEVEL = 0.95


def block_indices(n: int, block: int = BLOCK, draws: int = DRAWS, seed: int = SEED) -> np.ndarray:
    """`draws` × `n` positions: each row is n consecutive-block picks from range(n).

    Blocks start anywhere in 0 … n − block and are laid end to end, then cut to n. With
    block ≥ n every row is the sample itself (one block), which the tests use.
    """
    block = max(1, min(block, n))
    per_row = math.ceil(n / block)
    starts = np.random.default_rng(seed).integers(0, n - block + 1, size=(draws, per_row))
    return (starts[:, :, None] + np.arange(block)).reshape(draws, -1)[:, :n]


def interval(draws: np.ndarray, level: float = LEVEL) -> tuple[float, float]:
    """The central `level` percentile interval of bootstrap draws (NaN draws ignored)."""
    finite = draws[np.isfinite(draws)]
    if finite.size == 0:
        return math.nan, math.nan
    tail = 100.0 * (1.0 - level) / 2.0
    low, high = np.percentile(finite, [tail, 100.0 - tail])
    return float(low), float(high)


def mean_interval(values, block: int = BLOCK, draws: int = DRAWS, seed: int = SEED):
    """(mean, low, high) of `values` (consecutive periods, no NaN) with a block-bootstrap 95%
    interval for the mean."""
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return math.nan, math.nan, math.nan
    resampled = values[block_indices(values.size, block, draws, seed)]
    return (float(values.mean()), *interval(resampled.mean(axis=1)))


def ratio_of_means_interval(
    values, flags, block: int = BLOCK, draws: int = DRAWS, seed: int = SEED
):
    """(ratio, low, high): mean of `values` where `flags` is true ÷ mean where it is false, with
    a block-bootstrap 95% interval; values and flags are resampled together. A draw with no
    flagged or no unflagged period, or a zero denominator, is dropped."""
    values = np.asarray(values, dtype=float)
    flags = np.asarray(flags, dtype=bool)
    if values.size == 0 or flags.all() or not flags.any():
        return math.nan, math.nan, math.nan
    ratio = _ratio(values[None, :], flags[None, :])[0]
    idx = block_indices(values.size, block, draws, seed)
    return (float(ratio), *interval(_ratio(values[idx], flags[idx])))


def _ratio(values: np.ndarray, flags: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        inside = np.where(flags, values, 0.0).sum(axis=1) / flags.sum(axis=1)
        outside = np.where(flags, 0.0, values).sum(axis=1) / (~flags).sum(axis=1)
        ratio = inside / outside
    return np.where(np.isfinite(ratio), ratio, np.nan)
