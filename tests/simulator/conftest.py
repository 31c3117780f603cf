"""Fixtures for the simulator tests: a hub, a server on 127.0.0.1, a client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest

from simulator import Hub, SimulatorServer

# A Monday noon, far from the default 23:00 reset. The hub's clock is simulated
# wall-clock time, so any tzinfo (or none) works; UTC keeps the tests simple.
START = datetime(2026, 1, 5, 12, 0, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override tests/conftest.py: the simulator needs no Home Assistant."""


@pytest.fixture
def hub() -> Hub:
    """Return a small hub, already past its unstable minute, at a fixed time."""
    return Hub(seed=7, start=START, unstable_seconds=0.0)


@pytest.fixture
async def server(hub: Hub, socket_enabled: None) -> AsyncIterator[SimulatorServer]:
    """Serve ``hub`` on 127.0.0.1, on a free port."""
    async with SimulatorServer(hub) as server:
        yield server


@pytest.fixture
async def session(socket_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    """Return a plain aiohttp session, closed after the test."""
    async with aiohttp.ClientSession() as session:
        yield session
