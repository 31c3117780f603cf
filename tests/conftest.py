"""Fixtures for the VidiGates tests."""

from __future__ import annotations

# Imported first so pytest-homeassistant-custom-component uses this repository's
# custom_components instead of mounting its own testing_config.
import custom_components.vidigates  # noqa: F401  # isort: skip

import asyncio
from collections.abc import Generator
from datetime import timedelta
import json
import logging
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, PropertyMock, patch

import aiohttp
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import (
    CONF_HOST,
    CONF_PORT,
    EVENT_STATE_CHANGED,
    EVENT_STATE_REPORTED,
    Platform,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    snapshot_platform,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from syrupy.assertion import SnapshotAssertion

from custom_components.vidigates.config_flow import VidiGatesConfigFlow
from custom_components.vidigates.const import DOMAIN, SCAN_INTERVAL

from .compat import SnapshotExtension

FIXTURES = Path(__file__).parent / "fixtures"
HOST = "192.0.2.10"
PORT = 8080
BASE_URL = f"http://{HOST}:{PORT}"
INSTANCES_URL = f"{BASE_URL}/api/v1/instances"
SET_URL = f"{BASE_URL}/api/v1/set"
SET_TYPE_URL = f"{BASE_URL}/api/v1/set_type"


def serve_instances(aioclient_mock: AiohttpClientMocker, **answer: Any) -> None:
    """Answer GET /api/v1/instances with ``json=``, ``exc=``... from now on."""
    aioclient_mock._mocks[:] = [
        mock
        for mock in aioclient_mock._mocks
        if not (mock.method == "get" and str(mock.url) == INSTANCES_URL)
    ]
    aioclient_mock.get(INSTANCES_URL, **answer)


async def async_poll(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Let one poll interval pass and wait for the poll and its effects."""
    freezer.tick(SCAN_INTERVAL)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def wait(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, duration: timedelta
) -> None:
    """Let ``duration`` pass in steps of 10 seconds, each with a poll."""
    step = timedelta(seconds=10)
    while duration > timedelta(0):
        freezer.tick(min(step, duration))
        duration -= step
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)


async def answer(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
    payload: dict[str, Any] | None,
    after: timedelta = timedelta(seconds=2),
) -> None:
    """Let the hub answer ``payload`` (None: refuse) from now on; wait ``after``."""
    aioclient_mock.clear_requests()
    if payload is None:
        aioclient_mock.get(INSTANCES_URL, exc=aiohttp.ClientConnectionError())
    else:
        aioclient_mock.get(INSTANCES_URL, json=payload)
    await wait(hass, freezer, after)


def record_state_writes(hass: HomeAssistant) -> list[Event[Any]]:
    """Record every state write: changes, and same-state reports (state_reported)."""
    writes: list[Event[Any]] = []

    @callback
    def _record(event: Event[Any]) -> None:
        writes.append(event)

    @callback
    def _every(event_data: Any) -> bool:
        return True

    hass.bus.async_listen(EVENT_STATE_CHANGED, _record)
    hass.bus.async_listen(EVENT_STATE_REPORTED, _record, event_filter=_every)
    return writes


def written_entity_ids(writes: list[Event[Any]]) -> set[str]:
    return {event.data["entity_id"] for event in writes}


def hub_requests(aioclient_mock: AiohttpClientMocker) -> list[tuple[str, str, Any]]:
    """The requests the mocked hub received: (method, URL, JSON body)."""
    return [
        (method.upper(), str(url), body)
        for method, url, body, _headers in aioclient_mock.mock_calls
    ]


def load_fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/vidigates."""


@pytest.fixture
def entity_registry_enabled_by_default() -> Generator[None]:
    """Create every entity enabled, as core's fixture of that name does."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Home Assistant's serializer (syrupy's own fixture can win the lookup)."""
    return snapshot.use_extension(SnapshotExtension)


@pytest.fixture
def vendor_sample() -> dict[str, Any]:
    data: dict[str, Any] = load_fixture("vendor_sample.json")
    return data


@pytest.fixture
def mock_config_entry() -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        title=f"VidiAccess hub {HOST}",
        data={CONF_HOST: HOST, CONF_PORT: PORT},
        entry_id="01JVIDIGATESTESTENTRY00000",
        version=VidiGatesConfigFlow.VERSION,
        minor_version=VidiGatesConfigFlow.MINOR_VERSION,
    )


@pytest.fixture
def mock_setup_entry() -> Generator[AsyncMock]:
    """Keep a config flow's new entry from being set up."""
    with patch(
        "custom_components.vidigates.async_setup_entry", return_value=True
    ) as mock_setup:
        yield mock_setup


@pytest.fixture
def mock_hub(
    aioclient_mock: AiohttpClientMocker, vendor_sample: dict[str, Any]
) -> AiohttpClientMocker:
    aioclient_mock.get(INSTANCES_URL, json=vendor_sample)
    return aioclient_mock


@pytest.fixture
async def init_integration(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    mock_hub: AiohttpClientMocker,
) -> MockConfigEntry:
    await setup_integration(hass, mock_config_entry)
    return mock_config_entry


async def setup_integration(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def assert_platform_snapshot(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    platform: Platform,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    with patch("custom_components.vidigates.PLATFORMS", [platform]):
        await setup_integration(hass, entry)
    await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)


def entity_id(hass: HomeAssistant, platform: str, unique_id: str) -> str:
    found = er.async_get(hass).async_get_entity_id(platform, DOMAIN, unique_id)
    assert found is not None, unique_id
    return found


def state_of(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


def entry_state(entry: ConfigEntry) -> ConfigEntryState:
    """An entry's state, read afresh (keeps type checkers from narrowing it)."""
    return entry.state


def entry_states(hass: HomeAssistant, entry: ConfigEntry) -> dict[str, str]:
    """Every enabled entity of the entry, and its state (there must be some)."""
    registered = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    assert registered, entry.entry_id
    return {
        e.entity_id: state_of(hass, e.entity_id) for e in registered if not e.disabled
    }


async def async_spin(turns: int = 100) -> None:
    """Let the event loop go round ``turns`` times, so loopback requests arrive."""
    for _ in range(turns):
        await asyncio.sleep(0)


@pytest.fixture
def quiet_access_log() -> Generator[None]:
    """Keep a loopback server's access log out of the test log.

    With the clock frozen, aiohttp logs an error for each access log line; a
    connection keeps the level its server saw when it opened.
    """
    access = logging.getLogger("aiohttp.access")
    level = access.level
    access.setLevel(logging.WARNING)
    yield
    access.setLevel(level)
