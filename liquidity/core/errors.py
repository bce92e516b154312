"""Exceptions shared by the data layer.

Every error a user can cause or meet carries a message that says what happened and what to do
next; the CLI prints it on one line and the app shows it in a notice, never as a traceback.
"""

from __future__ import annotations


class LiquidityError(Exception):
    """Base class for every error raised on purpose by the `liquidity` package."""


class UnknownDataset(LiquidityError, KeyError):
    """An id or ticker that the catalog does not know."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "unknown dataset"


class DataNotAvailable(LiquidityError):
    """The dataset is known but neither the store nor the data pack holds it."""


class ValidationError(LiquidityError):
    """A frame failed validation (schema, dates, magnitude); it is never written."""

    def __init__(self, dataset: str, problem: str):
        super().__init__(f"{dataset}: {problem}")
        self.dataset = dataset
        self.problem = problem


class SourceError(LiquidityError):
    """A live source failed. `source` names it (fred, yahoo, sec, ...)."""

    def __init__(self, source: str, message: str):
        super().__init__(f"{source}: {message}")
        self.source = source
        self.message = message


class SourceUnavailable(SourceError):
    """The host could not be reached (offline, DNS, timeout, connection refused)."""


class RateLimited(SourceError):
    """The source answered 429 or an equivalent; `retry_after` is in seconds when known."""

    def __init__(self, source: str, message: str, retry_after: float | None = None):
        super().__init__(source, message)
        self.retry_after = retry_after


class NotConfigured(SourceError):
    """A required setting (e.g. SEC_USER_AGENT) is missing for a live request."""
