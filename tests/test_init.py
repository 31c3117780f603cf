"""Tests of setting up and unloading a hub, and of its devices."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import aiohttp
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.vidigates.const import DOMAIN

from .compat import remove_device_command
from .conftest import INSTANCES_URL


def entry_state(entry: MockConfigEntry) -> ConfigEntryState:
    """An entry's state, read afresh (keeps type checkers from narrowing it)."""
    return entry.state


async def test_setup_and_unload(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_hub: AiohttpClientMocker,
    entity_registry: er.EntityRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A loaded hub unloads cleanly: entities go unavailable, polling stops."""
    assert init_integration.state is ConfigEntryState.LOADED
    assert hass.states.get("sensor.vidiaccess_hub_192_0_2_10_occupancy") is not None

    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()

    assert entry_state(init_integration) is ConfigEntryState.NOT_LOADED
    entities = er.async_entries_for_config_entry(
        entity_registry, init_integration.entry_id
    )
    assert entities
    for entity in entities:
        state = hass.states.get(entity.entity_id)
        assert state is not None
        assert state.state == STATE_UNAVAILABLE

    calls = mock_hub.call_count
    freezer.tick(timedelta(seconds=10))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert mock_hub.call_count == calls


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param({"exc": aiohttp.ClientConnectionError()}, id="refused"),
        pytest.param({"exc": TimeoutError()}, id="timeout"),
        pytest.param({"status": 500, "text": "Internal error"}, id="http-500"),
        pytest.param({"json": {"instances": "none"}}, id="not-a-hub"),
        pytest.param(
            {"text": "<html></html>", "headers": {"Content-Type": "text/html"}},
            id="html",
        ),
    ],
)
async def test_setup_retries_while_the_hub_fails(
    hass: HomeAssistant,
    *,
    mock_config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    answer: dict[str, Any],
) -> None:
    """A hub that is down or answers garbage at start-up is retried, then loads."""
    aioclient_mock.get(INSTANCES_URL, **answer)
    mock_config_entry.add_to_hass(hass)

    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert hass.states.async_entity_ids() == []
    # The reason shown in the UI is the translated message, not a class name.
    assert mock_config_entry.reason is not None
    assert "VidiAccess hub" in mock_config_entry.reason

    aioclient_mock.clear_requests()
    aioclient_mock.get(INSTANCES_URL, json=vendor_sample)
    freezer.tick(timedelta(minutes=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert entry_state(mock_config_entry) is ConfigEntryState.LOADED
    state = hass.states.get("sensor.vidiaccess_hub_192_0_2_10_occupancy")
    assert state is not None
    assert state.state == "40"


async def test_devices(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """One device for the hub, one per instance, linked to the hub's."""
    hub = device_registry.async_get_device_by_identifier(
        (DOMAIN, init_integration.entry_id), init_integration.entry_id
    )
    assert hub is not None
    assert hub.manufacturer == "Quividi"
    assert hub.model == "VidiAccess hub"
    assert hub.name == "VidiAccess hub 192.0.2.10"
    assert hub.configuration_url == "http://192.0.2.10:8080"
    assert hub.via_device_id is None

    instances = {
        device.serial_number: device
        for device in dr.async_entries_for_config_entry(
            device_registry, init_integration.entry_id
        )
        if device.id != hub.id
    }
    assert set(instances) == {"52190", "74117"}
    for boxid, number in (("52190", 0), ("74117", 1)):
        device = instances[boxid]
        assert device.name == f"Box #{boxid}"
        assert device.identifiers == {(DOMAIN, f"{boxid}-{number}")}
        assert device.manufacturer == "Quividi"
        assert device.via_device_id == hub.id


async def test_entities_belong_to_their_device(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Hub values sit on the hub device, instance and gate values on theirs."""
    hub = device_registry.async_get_device_by_identifier(
        (DOMAIN, init_integration.entry_id), init_integration.entry_id
    )
    box = device_registry.async_get_device_by_identifier(
        (DOMAIN, "52190-0"), init_integration.entry_id
    )
    assert hub is not None
    assert box is not None
    for entity_id, device in (
        ("sensor.vidiaccess_hub_192_0_2_10_occupancy", hub),
        ("binary_sensor.vidiaccess_hub_192_0_2_10_limit_reached", hub),
        ("sensor.box_52190_status", box),
        ("binary_sensor.box_52190_problem", box),
        ("sensor.box_52190_gate_2_out", box),
    ):
        entry = entity_registry.async_get(entity_id)
        assert entry is not None, entity_id
        assert entry.device_id == device.id, entity_id


async def test_stale_device_is_removed_at_setup(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    mock_hub: AiohttpClientMocker,
    device_registry: dr.DeviceRegistry,
) -> None:
    """An instance that vanished while Home Assistant was off loses its device."""
    mock_config_entry.add_to_hass(hass)
    stale = device_registry.async_get_or_create(
        config_entry_id=mock_config_entry.entry_id,
        identifiers={(DOMAIN, "99999-0")},
        name="Box #99999",
    )

    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert device_registry.async_get(stale.id) is None
    assert device_registry.async_get_device_by_identifier(
        (DOMAIN, "52190-0"), mock_config_entry.entry_id
    )


async def _remove_device(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, device_id: str
) -> bool:
    """Ask, as the device page's delete button does, to remove a device."""
    assert await async_setup_component(hass, "config", {})
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(remove_device_command(hass, device_id))
    response = await client.receive_json()
    success: bool = response["success"]
    return success


async def test_remove_device_refuses_hub_and_present_instances(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """The hub, and instances the hub still lists, cannot be deleted."""
    for identifier in (init_integration.entry_id, "52190-0", "74117-1"):
        device = device_registry.async_get_device_by_identifier(
            (DOMAIN, identifier), init_integration.entry_id
        )
        assert device is not None
        assert not await _remove_device(hass, hass_ws_client, device.id)
        assert device_registry.async_get(device.id) is not None


async def test_remove_device_allows_a_vanished_instance(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A device whose instance the hub no longer lists can be deleted."""
    stale = device_registry.async_get_or_create(
        config_entry_id=init_integration.entry_id,
        identifiers={(DOMAIN, "99999-0")},
        name="Box #99999",
    )

    assert await _remove_device(hass, hass_ws_client, stale.id)

    assert device_registry.async_get(stale.id) is None
    assert device_registry.async_get_device_by_identifier(
        (DOMAIN, "52190-0"), init_integration.entry_id
    )
