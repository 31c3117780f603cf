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
    entry_state,
    entry_states,
    serve_instances,
    setup_integration,
    state_of,
    wait,
)

ENTRY_ID = "01JVIDIGATESTESTENTRY00000"
INSTANCE = "VidiGates instance"


async def test_setup_and_unload(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_hub: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A loaded hub unloads cleanly: entities go unavailable, polling stops."""
    assert init_integration.state is ConfigEntryState.LOADED
    assert STATE_UNAVAILABLE not in entry_states(hass, init_integration).values()
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()

    assert entry_state(init_integration) is ConfigEntryState.NOT_LOADED
    assert set(entry_states(hass, init_integration).values()) == {STATE_UNAVAILABLE}
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
    assert "VidiAccess hub" in (mock_config_entry.reason or "")

    await answer(hass, aioclient_mock, freezer, vendor_sample, timedelta(minutes=1))
    assert entry_state(mock_config_entry) is ConfigEntryState.LOADED
    assert state_of(hass, "sensor.vidiaccess_hub_192_0_2_10_occupancy") == "40"


@pytest.mark.usefixtures("init_integration")
async def test_devices(hass: HomeAssistant, device_registry: dr.DeviceRegistry) -> None:
    """One device for the hub, one per instance, linked to the hub's.

    Hub values sit on the hub device, instance and gate values on theirs. The
    hub has a JSON API and no web page: no "Visit" link to a 404.
    """
    hub = device_registry.async_get_device_by_identifier((DOMAIN, ENTRY_ID), ENTRY_ID)
    assert hub is not None
    assert {
        identifier: (d.name, d.manufacturer, d.model, d.serial_number, d.via_device_id)
        for d in dr.async_entries_for_config_entry(device_registry, ENTRY_ID)
        for _domain, identifier in d.identifiers
    } == {
        ENTRY_ID: (
            "VidiAccess hub 192.0.2.10",
            "Quividi",
            "VidiAccess hub",
            None,
            None,
        ),
        f"{ENTRY_ID}-52190-0": ("Box #52190", "Quividi", INSTANCE, "52190", hub.id),
        f"{ENTRY_ID}-74117-1": ("Box #74117", "Quividi", INSTANCE, "74117", hub.id),
    }
    assert hub.configuration_url is None
    for entity_id, identifier in (
        ("sensor.vidiaccess_hub_192_0_2_10_occupancy", ENTRY_ID),
        ("binary_sensor.vidiaccess_hub_192_0_2_10_limit_reached", ENTRY_ID),
        ("sensor.box_52190_status", f"{ENTRY_ID}-52190-0"),
        ("binary_sensor.box_52190_problem", f"{ENTRY_ID}-52190-0"),
        ("sensor.box_52190_gate_2_out", f"{ENTRY_ID}-52190-0"),
    ):
        entry = er.async_get(hass).async_get(entity_id)
        assert entry is not None, entity_id
        device = device_registry.async_get(entry.device_id or "")
        assert device is not None
        assert device.identifiers == {(DOMAIN, identifier)}, entity_id


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
    mock_config_entry.add_to_hass(hass)
    device_registry.async_get_or_create(
        config_entry_id=ENTRY_ID,
        identifiers={(DOMAIN, ENTRY_ID)},
        configuration_url="http://192.0.2.10:8080",
    )

    def stale_device() -> dr.DeviceEntry:
        return device_registry.async_get_or_create(
            config_entry_id=ENTRY_ID,
            identifiers={(DOMAIN, f"{ENTRY_ID}-99999-0")},
            name="Box #99999",
        )

    async def delete_button(device_id: str) -> bool:
        await client.send_json_auto_id(remove_device_command(hass, device_id))
        success: bool = (await client.receive_json())["success"]
        return success

    # Vanished while Home Assistant was off.
    stale = stale_device()
    assert await hass.config_entries.async_setup(ENTRY_ID)
    await hass.async_block_till_done()
    assert device_registry.async_get(stale.id) is None

    assert await async_setup_component(hass, "config", {})
    client = await hass_ws_client(hass)
    for identifier in (ENTRY_ID, f"{ENTRY_ID}-52190-0", f"{ENTRY_ID}-74117-1"):
        device = device_registry.async_get_device_by_identifier(
            (DOMAIN, identifier), ENTRY_ID
        )
        assert device is not None
        assert not await delete_button(device.id)
        assert device_registry.async_get(device.id) is not None
        if identifier == ENTRY_ID:
            assert device.configuration_url is None

    stale = stale_device()
    assert await delete_button(stale.id)
    assert device_registry.async_get(stale.id) is None


def instance_devices(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, str]:
    """The entry's instance devices' ids, by serial number (the BoxID)."""
    return {
        device.serial_number: device.id
        for device in dr.async_entries_for_config_entry(
            dr.async_get(hass), entry.entry_id
        )
        if device.serial_number is not None
    }


async def test_two_hubs_listing_one_instance(
    hass: HomeAssistant,
    *,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A spare hub that sees the same cameras gets its own devices and entities.

    Each hub's device of an instance comes and goes with that hub's list only.
    """
    entries = []
    for host in ("192.0.2.10", "192.0.2.20"):
        aioclient_mock.get(f"http://{host}:8080/api/v1/instances", json=vendor_sample)
        entries.append(
            MockConfigEntry(
                domain=DOMAIN,
                title=f"VidiAccess hub {host}",
                data={CONF_HOST: host, CONF_PORT: 8080},
                version=VidiGatesConfigFlow.VERSION,
                minor_version=VidiGatesConfigFlow.MINOR_VERSION,
            )
        )
        await setup_integration(hass, entries[-1])
    main, spare = entries

    assert "does not generate unique IDs" not in caplog.text
    devices = {entry.entry_id: instance_devices(hass, entry) for entry in entries}
    counts = set()
    for entry in entries:
        assert set(devices[entry.entry_id]) == {"52190", "74117"}
        entities = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        on_devices = [e.device_id for e in entities]
        counts.add(len(entities))
        # Status, problem, gate type, and two counters per gate: 7 + 5.
        assert sum(on_devices.count(i) for i in devices[entry.entry_id].values()) == 12
    assert len(counts) == 1
    assert devices[main.entry_id]["52190"] != devices[spare.entry_id]["52190"]
    assert state_of(hass, "sensor.box_52190_gate_1_in") == "10"
    assert state_of(hass, "sensor.box_52190_gate_1_in_2") == "10"

    # The spare hub stops listing box 74117; the main hub still does.
    payload = copy.deepcopy(vendor_sample)
    del payload["instances"][0]
    aioclient_mock.clear_requests()
    aioclient_mock.get("http://192.0.2.10:8080/api/v1/instances", json=vendor_sample)
    aioclient_mock.get("http://192.0.2.20:8080/api/v1/instances", json=payload)
    await async_poll(hass, freezer)

    assert set(instance_devices(hass, spare)) == {"52190"}
    assert instance_devices(hass, main) == devices[main.entry_id]
    assert state_of(hass, "sensor.box_74117_gate_1_in") == "0"
    assert hass.states.get("sensor.box_74117_gate_1_in_2") is None


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
    device_updates = async_capture_events(hass, dr.EVENT_DEVICE_REGISTRY_UPDATED)

    async def hub_says(name: str, status: str = "ok") -> tuple[dr.DeviceEntry, str]:
        payload = copy.deepcopy(vendor_sample)
        payload["instances"][1]["name"] = name
        payload["instances"][1]["status"] = status
        serve_instances(aioclient_mock, json=payload)
        await async_poll(hass, freezer)
        device = device_registry.async_get_device_by_identifier(
            (DOMAIN, f"{ENTRY_ID}-52190-0"), ENTRY_ID
        )
        assert device is not None
        # Entity ids stay; the names shown follow the device's.
        state = hass.states.get("sensor.box_52190_status")
        assert state is not None
        return device, state.attributes["friendly_name"]

    # Other news of the instance leave its device alone.
    await hub_says("Box #52190", status="not-capturing")
    assert device_updates == []

    device, shown = await hub_says("Front door")
    assert (device.name, shown) == ("Front door", "Front door Status")
    assert [dict(event.data) for event in device_updates] == [
        {"action": "update", "device_id": device.id, "changes": {"name": "Box #52190"}}
    ]

    device_registry.async_update_device(device.id, name_by_user="Shop entrance")
    device, shown = await hub_says("Main door")
    assert (device.name_by_user, shown) == ("Shop entrance", "Shop entrance Status")
