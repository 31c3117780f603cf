"""What visitors leave in Home Assistant's logbook and database.

A shop sees hundreds of people a day. With the recorder and the logbook really
running, a person crossing a gate must add no logbook entry, and store each
value that changed once: no entity repeats another's value.
"""

from __future__ import annotations

import copy
from functools import partial
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder.core import Recorder
from homeassistant.components.recorder.history import get_significant_states
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from .conftest import async_poll, serve_instances, setup_integration

HUB = "vidiaccess_hub_192_0_2_10"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_db_url: str, enable_custom_integrations: None
) -> None:
    """Prepare the database before Home Assistant (conftest's sets it up first)."""


async def test_a_visitor_is_stored_once_and_not_logged(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    *,
    mock_config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    entity_registry: er.EntityRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """One person in: one row per value that changed, and no logbook entry."""
    assert await async_setup_component(hass, "logbook", {})
    serve_instances(aioclient_mock, json=vendor_sample)
    await setup_integration(hass, mock_config_entry)
    await async_wait_recording_done(hass)
    entries = er.async_entries_for_config_entry(
        entity_registry, mock_config_entry.entry_id
    )
    start = dt_util.utcnow()

    # One person in through gate 1 of box 52190, an entrance: 41 of 50 inside.
    payload = copy.deepcopy(vendor_sample)
    payload["instances"][1]["gates"][0]["in"] += 1
    payload["current"] += 1
    serve_instances(aioclient_mock, json=payload)
    await async_poll(hass, freezer)
    await async_wait_recording_done(hass)

    stored = await recorder_mock.async_add_executor_job(
        partial(
            get_significant_states,
            hass,
            start,
            entity_ids=[entry.entity_id for entry in entries],
            include_start_time_state=False,
            significant_changes_only=False,
        )
    )
    assert {
        entity_id: [state.state for state in states]  # type: ignore[union-attr]
        for entity_id, states in stored.items()
    } == {
        f"sensor.{HUB}_occupancy": ["41"],
        f"sensor.{HUB}_remaining_capacity": ["9"],
        f"sensor.{HUB}_occupancy_ratio": ["82.0"],
        f"sensor.{HUB}_entries": ["41"],
        "sensor.box_52190_gate_1_in": ["11"],
    }

    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {"type": "logbook/get_events", "start_time": start.isoformat()}
    )
    response = await client.receive_json()
    assert (response["success"], response["result"]) == (True, [])


async def test_occupancy_number_is_off_by_default(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """The number that repeats the Occupancy sensor waits for a user to enable it.

    The limit's number stays: it is changed rarely, and on purpose. (The reset
    button, on too, is pinned by test_button's snapshot.)
    """
    number = entity_registry.async_get(f"number.{HUB}_occupancy")
    assert number is not None
    assert number.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert hass.states.get(f"number.{HUB}_occupancy") is None
    assert hass.states.get(f"number.{HUB}_occupancy_limit") is not None
