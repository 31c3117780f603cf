"""Tests of setting up and unloading a hub, and of its devices."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import aiohttp
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PORT, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.vidigates.config_flow import VidiGatesConfigFlow
from custom_components.vidigates.const import DOMAIN

from .compat import remove_device_command
from .conftest import (
    INSTANCES_URL,
    answer,
    async_poll,
    serve_instances,
    setup_integration,
    state_of,
    wait,
)


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
        if entity.disabled:
            continue
        state = hass.states.get(entity.entity_id)
        assert state is not None
        assert state.state == STATE_UNAVAILABLE

    calls = mock_hub.call_count
    await wait(hass, freezer, timedelta(seconds=10))
    assert mock_hub.call_count == calls


@pytest.mark.parametrize(
    "failure",
    # Which failure is which is the client's (test_api.py): one of each kind.
    [
        pytest.param({"exc": aiohttp.ClientConnectionError()}, id="refused"),
        pytest.param({"json": {"instances": "none"}}, id="not-a-hub"),
    ],
)
async def test_setup_retries_while_the_hub_fails(
    hass: HomeAssistant,
    *,
    mock_config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    failure: dict[str, Any],
) -> None:
    """A hub that is down or answers garbage at start-up is retried, then loads."""
    aioclient_mock.get(INSTANCES_URL, **failure)
    mock_config_entry.add_to_hass(hass)

    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert hass.states.async_entity_ids() == []
    # The reason shown in the UI is the translated message, not a class name.
    assert mock_config_entry.reason is not None
    assert "VidiAccess hub" in mock_config_entry.reason

    await answer(hass, aioclient_mock, freezer, vendor_sample, timedelta(minutes=1))

    assert entry_state(mock_config_entry) is ConfigEntryState.LOADED
    state = hass.states.get("sensor.vidiaccess_hub_192_0_2_10_occupancy")
    assert state is not None
    assert state.state == "40"


async def test_devices(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """One device for the hub, one per instance, linked to the hub's.

    Hub values sit on the hub device, instance and gate values on theirs.
    """
    hub = device_registry.async_get_device_by_identifier(
        (DOMAIN, init_integration.entry_id), init_integration.entry_id
    )
    assert hub is not None
    assert hub.manufacturer == "Quividi"
    assert hub.model == "VidiAccess hub"
    assert hub.name == "VidiAccess hub 192.0.2.10"
    # The hub has a JSON API and no web page: no "Visit" link to a 404.
    assert hub.configuration_url is None
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
        assert device.identifiers == {
            (DOMAIN, f"{init_integration.entry_id}-{boxid}-{number}")
        }
        assert device.manufacturer == "Quividi"
        assert device.via_device_id == hub.id
    for entity_id, device in (
        ("sensor.vidiaccess_hub_192_0_2_10_occupancy", hub),
        ("binary_sensor.vidiaccess_hub_192_0_2_10_limit_reached", hub),
        ("sensor.box_52190_status", instances["52190"]),
        ("binary_sensor.box_52190_problem", instances["52190"]),
        ("sensor.box_52190_gate_2_out", instances["52190"]),
    ):
        entry = entity_registry.async_get(entity_id)
        assert entry is not None, entity_id
        assert entry.device_id == device.id, entity_id


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


async def test_devices_of_vanished_instances_go(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    mock_hub: AiohttpClientMocker,
    device_registry: dr.DeviceRegistry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """At setup, or by the delete button; the hub and listed instances stay.

    The hub's device made by an older version loses its link to the API root.
    """
    entry_id = mock_config_entry.entry_id
    mock_config_entry.add_to_hass(hass)
    device_registry.async_get_or_create(
        config_entry_id=entry_id,
        identifiers={(DOMAIN, entry_id)},
        configuration_url="http://192.0.2.10:8080",
    )

    def stale_device() -> dr.DeviceEntry:
        return device_registry.async_get_or_create(
            config_entry_id=entry_id,
            identifiers={(DOMAIN, f"{entry_id}-99999-0")},
            name="Box #99999",
        )

    # Vanished while Home Assistant was off.
    stale = stale_device()
    assert await hass.config_entries.async_setup(entry_id)
    await hass.async_block_till_done()
    assert device_registry.async_get(stale.id) is None

    for identifier in (entry_id, f"{entry_id}-52190-0", f"{entry_id}-74117-1"):
        device = device_registry.async_get_device_by_identifier(
            (DOMAIN, identifier), entry_id
        )
        assert device is not None
        assert not await _remove_device(hass, hass_ws_client, device.id)
        assert device_registry.async_get(device.id) is not None
        if identifier == entry_id:
            assert device.configuration_url is None

    stale = stale_device()
    assert await _remove_device(hass, hass_ws_client, stale.id)
    assert device_registry.async_get(stale.id) is None


# --- two hubs listing the same instances ----------------------------------------

OTHER_HOST = "192.0.2.20"


async def _add_hub(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    host: str,
    answer: dict[str, Any],
) -> MockConfigEntry:
    """Set up the hub at ``host``, answering ``answer``."""
    aioclient_mock.get(f"http://{host}:8080/api/v1/instances", json=answer)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=f"VidiAccess hub {host}",
        data={CONF_HOST: host, CONF_PORT: 8080},
        version=VidiGatesConfigFlow.VERSION,
        minor_version=VidiGatesConfigFlow.MINOR_VERSION,
    )
    await setup_integration(hass, entry)
    return entry


def _instance_devices(
    device_registry: dr.DeviceRegistry, entry: MockConfigEntry
) -> dict[str, dr.DeviceEntry]:
    """The entry's instance devices, by serial number (the BoxID)."""
    return {
        device.serial_number: device
        for device in dr.async_entries_for_config_entry(device_registry, entry.entry_id)
        if device.serial_number is not None
    }


async def test_two_hubs_listing_one_instance(
    hass: HomeAssistant,
    *,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A spare hub that sees the same cameras gets its own devices and entities.

    Each hub's device of an instance comes and goes with that hub's list only.
    """
    main = await _add_hub(hass, aioclient_mock, "192.0.2.10", vendor_sample)
    spare = await _add_hub(hass, aioclient_mock, OTHER_HOST, vendor_sample)

    assert "does not generate unique IDs" not in caplog.text
    entities = {
        entry.entry_id: er.async_entries_for_config_entry(
            entity_registry, entry.entry_id
        )
        for entry in (main, spare)
    }
    assert len(entities[spare.entry_id]) == len(entities[main.entry_id])
    devices = {
        entry.entry_id: _instance_devices(device_registry, entry)
        for entry in (main, spare)
    }
    for entry in (main, spare):
        assert set(devices[entry.entry_id]) == {"52190", "74117"}
        instance_device_ids = {device.id for device in devices[entry.entry_id].values()}
        on_instances = [
            entity
            for entity in entities[entry.entry_id]
            if entity.device_id in instance_device_ids
        ]
        # Status, problem, gate type, and two counters per gate: 7 + 5.
        assert len(on_instances) == 12
    assert devices[main.entry_id]["52190"].id != devices[spare.entry_id]["52190"].id
    assert state_of(hass, "sensor.box_52190_gate_1_in") == "10"
    assert state_of(hass, "sensor.box_52190_gate_1_in_2") == "10"

    # The spare hub stops listing box 74117; the main hub still does.
    payload = copy.deepcopy(vendor_sample)
    del payload["instances"][0]
    aioclient_mock.clear_requests()
    aioclient_mock.get("http://192.0.2.10:8080/api/v1/instances", json=vendor_sample)
    aioclient_mock.get(f"http://{OTHER_HOST}:8080/api/v1/instances", json=payload)
    await async_poll(hass, freezer)

    assert set(_instance_devices(device_registry, spare)) == {"52190"}
    assert _instance_devices(device_registry, main)["74117"].id == (
        devices[main.entry_id]["74117"].id
    )
    assert state_of(hass, "sensor.box_74117_gate_1_in") == "0"
    assert hass.states.get("sensor.box_74117_gate_1_in_2") is None


# --- an instance renamed at the hub -----------------------------------------------


async def test_instance_renamed_at_the_hub_renames_its_device(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    device_registry: dr.DeviceRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The device takes the hub's new name at once; a name the user gave stays."""
    identifier = (DOMAIN, f"{init_integration.entry_id}-52190-0")
    device_updates = async_capture_events(hass, dr.EVENT_DEVICE_REGISTRY_UPDATED)

    async def hub_says(name: str, status: str = "ok") -> None:
        payload = copy.deepcopy(vendor_sample)
        payload["instances"][1]["name"] = name
        payload["instances"][1]["status"] = status
        serve_instances(aioclient_mock, json=payload)
        await async_poll(hass, freezer)

    # Other news of the instance leave its device alone.
    await hub_says("Box #52190", status="not-capturing")
    assert device_updates == []

    await hub_says("Front door")

    device = device_registry.async_get_device_by_identifier(
        identifier, init_integration.entry_id
    )
    assert device is not None
    assert device.name == "Front door"
    assert [dict(event.data) for event in device_updates] == [
        {"action": "update", "device_id": device.id, "changes": {"name": "Box #52190"}}
    ]
    # Entity ids stay; the names shown follow the device's.
    state = hass.states.get("sensor.box_52190_status")
    assert state is not None
    assert state.attributes["friendly_name"] == "Front door Status"

    device_registry.async_update_device(device.id, name_by_user="Shop entrance")
    await hub_says("Main door")

    device = device_registry.async_get_device_by_identifier(
        identifier, init_integration.entry_id
    )
    assert device is not None
    assert device.name_by_user == "Shop entrance"
    state = hass.states.get("sensor.box_52190_status")
    assert state is not None
    assert state.attributes["friendly_name"] == "Shop entrance Status"
