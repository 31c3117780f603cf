"""Settings for the newest-release test: skipped in the normal test session.

It needs Home Assistant's newest release in .venv-newest (requirements_newest.txt),
which ``scripts/test-newest`` installs and then runs this folder with
``VIDIGATES_NEWEST=1``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ENABLE_ENV = "VIDIGATES_NEWEST"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip this folder's tests unless the newest-release run was asked for."""
    if os.environ.get(ENABLE_ENV) == "1":
        return
    skip = pytest.mark.skip(
        reason=f"newest release: run scripts/test-newest (or set {ENABLE_ENV}=1)"
    )
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the suite's fixture: no in-process Home Assistant here."""
