"""Test folders that run only when asked: the browser test, the newest release."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def skip_folder_unless_asked(
    items: list[pytest.Item], folder: Path, env: str, reason: str
) -> None:
    """Skip the tests under ``folder`` unless ``env`` is set to 1."""
    if os.environ.get(env) == "1":
        return
    skip = pytest.mark.skip(reason=f"{reason} (or set {env}=1)")
    for item in items:
        if folder in item.path.parents:
            item.add_marker(skip)
