"""The errors the VidiAccess client raises: one small hierarchy.

Callers catch :class:`VidiGatesError` for everything, or tell a hub they
cannot reach (:class:`VidiGatesConnectionError`) from one that answers but not
like a hub (:class:`VidiGatesInvalidResponseError`).
"""

from __future__ import annotations


class VidiGatesError(Exception):
    """Any failure talking to a VidiAccess hub."""


class VidiGatesConnectionError(VidiGatesError):
    """The hub could not be reached, or the connection broke."""


class VidiGatesTimeoutError(VidiGatesConnectionError):
    """The hub did not answer in time."""


class VidiGatesInvalidResponseError(VidiGatesError):
    """The hub answered, but not with what the API documents."""


class VidiGatesHTTPError(VidiGatesInvalidResponseError):
    """The hub answered with an HTTP error status."""

    def __init__(self, status: int, message: str) -> None:
        """Keep the HTTP status for callers that want it."""
        super().__init__(message)
        self.status = status
