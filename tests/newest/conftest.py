"""Settings for the newest-release test: skipped in the normal test session.

It needs Home Assistant's newest release in .venv-newest (requirements_newest.txt),
which ``scripts/test-newest`` installs and then runs this folder with
``VIDIGATES_NEWEST=1``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.opt_in import skip_folder_unless_asked

ENABLE_ENV = "VIDIGATES_NEWEST"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip this folder's tests unless the newest-release run was asked for."""
    skip_folder_unless_asked(
        items,
        Path(__file__).parent,
        ENABLE_ENV,
        "newest release: run scripts/test-newest",
    )


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the suite's fixture: no in-process Home Assistant here."""
