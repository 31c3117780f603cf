"""Tests of upgrading an entry, and its registry entries, from an older release.

Version 1 keyed an instance's entities and device on BoxID and number alone;
version 2 puts the hub's entry id in front. The registries below are written
as version 1 wrote them, then the entry is set up with this release.
"""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from yarl import URL

from custom_components.vidigates.compat import HA_VERSION
from custom_components.vidigates.const import DOMAIN

from .compat import config_entry_ids
from .conftest import HOST, PORT, state_of

OTHER_HOST = "192.0.2.20"


def old_entry(host: str = HOST, version: int = 1) -> MockConfigEntry:
    """A config entry as version 1 created it."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=f"VidiAccess hub {host}",
        data={CONF_HOST: host, CONF_PORT: PORT},
        version=version,
        minor_version=1,
    )


# Entity registry entries as version 1 wrote them: (platform, instance, key,
# entity id); version 1's unique id was "{instance}-{key}".
BOX_ENTITIES = [
    ("sensor", "52190-0", "status", "sensor.box_52190_status"),
    ("sensor", "52190-0", "gate-1-in", "sensor.box_52190_gate_1_in"),
    # Renamed by the user: the entity id is the user's, not one we would make.
    ("sensor", "52190-0", "gate-2-out", "sensor.shop_exit_count"),
    ("binary_sensor", "52190-0", "problem", "binary_sensor.box_52190_problem"),
    ("select", "52190-0", "gate_type", "select.box_52190_gate_type"),
    ("sensor", "74117-1", "status", "sensor.box_74117_status"),
]


def write_old_registry(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    old_entities: list[tuple[str, str, str, str]],
) -> dict[str, dr.DeviceEntry]:
    """Write the hub's and instances' devices, and some entities, as version 1.

    Returns the devices by their version 1 identifier.
    """
    devices = dr.async_get(hass)
    hub = devices.async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, entry.entry_id)},
        manufacturer="Quividi",
        model="VidiAccess hub",
        name=entry.title,
        configuration_url=f"http://{entry.data[CONF_HOST]}:{PORT}",
    )
    written = {entry.entry_id: hub}
    for boxid, number in ((52190, 0), (74117, 1)):
        device = devices.async_get_or_create(
            config_entry_id=entry.entry_id,
            identifiers={(DOMAIN, f"{boxid}-{number}")},
            manufacturer="Quividi",
            model="VidiGates instance",
            name=f"Box #{boxid}",
            serial_number=str(boxid),
        )
        # The compat way (via_device_id is refused before 2026.8); the same link.
        written[f"{boxid}-{number}"] = (
            devices.async_update_device(device.id, via_device_id=hub.id) or device
        )
    object_id = entry.title.lower().replace(" ", "_").replace(".", "_")
    hub_entity = (
        "sensor",
        entry.entry_id,
        "occupancy",
        f"sensor.{object_id}_occupancy",
    )
    for platform, instance, key, entity_id in [hub_entity, *old_entities]:
        er.async_get(hass).async_get_or_create(
            platform,
            DOMAIN,
            f"{instance}-{key}",
            config_entry=entry,
            device_id=written[instance].id,
            suggested_object_id=entity_id.split(".", 1)[1],
            has_entity_name=True,
        )
    return written


def registry_snapshot(
    hass: HomeAssistant, entry: MockConfigEntry
) -> dict[str, tuple[str, str | None]]:
    """The entry's entities: entity id -> (unique id, device id)."""
    return {
        entity.entity_id: (entity.unique_id, entity.device_id)
        for entity in er.async_entries_for_config_entry(
            er.async_get(hass), entry.entry_id
        )
    }


async def test_upgrade_keeps_entity_ids_devices_and_links(
    hass: HomeAssistant,
    mock_hub: AiohttpClientMocker,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Every entity keeps its entity id (so its history) and its device.

    Only the unique ids and device identifiers change; no entity is added
    twice beside its old self.
    """
    entry = old_entry()
    entry.add_to_hass(hass)
    old_devices = write_old_registry(hass, entry, BOX_ENTITIES)
    before = registry_snapshot(hass, entry)

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.LOADED
    assert (entry.version, entry.minor_version) == (2, 1)
    after = registry_snapshot(hass, entry)
    prefix = entry.entry_id
    for entity_id, (unique_id, device_id) in before.items():
        expected = (
            unique_id if unique_id.startswith(prefix) else f"{prefix}-{unique_id}"
        )
        assert after[entity_id] == (expected, device_id), entity_id
    # The entities version 1 had not written are added, once each, and a
    # renamed one is not added again under the name we would give it.
    assert len(after) == 24
    assert not [entity_id for entity_id in after if entity_id.endswith("_2")]
    assert "sensor.box_52190_gate_2_out" not in after
    assert state_of(hass, "sensor.shop_exit_count") == "20"
    assert state_of(hass, "sensor.box_52190_gate_1_in") == "10"

    kept = {
        old: device_registry.async_get(device.id) for old, device in old_devices.items()
    }
    assert {old: device and device.identifiers for old, device in kept.items()} == {
        prefix: {(DOMAIN, prefix)},
        "52190-0": {(DOMAIN, f"{prefix}-52190-0")},
        "74117-1": {(DOMAIN, f"{prefix}-74117-1")},
    }
    assert len(dr.async_entries_for_config_entry(device_registry, entry.entry_id)) == 3


async def test_upgrade_of_two_hubs_with_devices_for_one_instance(
    hass: HomeAssistant,
    *,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    device_registry: dr.DeviceRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Two entries that both had a device for one instance keep one each.

    With version 1 the first hub to add an instance's entity won it, so a
    second hub could own some entities of an instance, on its own device with
    the same identifiers (a device belongs to one config entry). Before
    2026.8 the second hub joined the first hub's device instead: each entry
    still ends with a device of its own, the shared one kept by one of them.
    """
    aioclient_mock.get(f"http://{HOST}:{PORT}/api/v1/instances", json=vendor_sample)
    aioclient_mock.get(
        f"http://{OTHER_HOST}:{PORT}/api/v1/instances", json=vendor_sample
    )
    main, spare = old_entry(), old_entry(OTHER_HOST)
    main.add_to_hass(hass)
    spare.add_to_hass(hass)
    main_devices = write_old_registry(hass, main, [BOX_ENTITIES[0]])
    spare_devices = write_old_registry(hass, spare, [BOX_ENTITIES[3]])
    shared = main_devices["52190-0"].id == spare_devices["52190-0"].id
    assert shared == (HA_VERSION < (2026, 8))

    # Setting up the integration sets up both entries.
    assert await hass.config_entries.async_setup(main.entry_id)
    await hass.async_block_till_done()

    assert "does not generate unique IDs" not in caplog.text
    boxes = set()
    for entry, devices, kept_entity_id in (
        (main, main_devices, "sensor.box_52190_status"),
        (spare, spare_devices, "binary_sensor.box_52190_problem"),
    ):
        assert entry.state is ConfigEntryState.LOADED
        box = device_registry.async_get_device_by_identifier(
            (DOMAIN, f"{entry.entry_id}-52190-0"), entry.entry_id
        )
        assert box is not None
        if not shared:
            assert box.id == devices["52190-0"].id
        boxes.add(box.id)
        assert config_entry_ids(box) == {entry.entry_id}
        assert box.identifiers == {(DOMAIN, f"{entry.entry_id}-52190-0")}
        entities = registry_snapshot(hass, entry)
        assert len(entities) == 24
        unique_id, device_id = entities[kept_entity_id]
        assert unique_id.startswith(f"{entry.entry_id}-52190-0-")
        assert device_id == box.id
        # The entities the entry never had are added on its own device.
        assert (
            sum(device_id == box.id for _unique_id, device_id in entities.values()) == 7
        )
    assert len(boxes) == 2
    assert main_devices["52190-0"].id in boxes
    assert spare_devices["52190-0"].id in boxes
    # The entity each entry had keeps its id; the other's copy is named beside it.
    assert state_of(hass, "sensor.box_52190_status") == "ok"
    assert state_of(hass, "sensor.box_52190_status_2") == "ok"
    assert state_of(hass, "binary_sensor.box_52190_problem_2") == "off"


@pytest.mark.parametrize(
    ("stored", "canonical"),
    [
        pytest.param("hub.example.", "hub.example", id="trailing-dot"),
        pytest.param("2001:db8::a", "2001:db8::a", id="ipv6"),
    ],
)
async def test_upgrade_stores_one_spelling_of_the_host(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    stored: str,
    canonical: str,
) -> None:
    """Version 1 kept a trailing dot; the entry now has the one spelling."""
    aioclient_mock.get(
        URL.build(scheme="http", host=canonical, port=PORT, path="/api/v1/instances"),
        json=vendor_sample,
    )
    entry = old_entry(stored)
    entry.add_to_hass(hass)

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.LOADED
    assert dict(entry.data) == {CONF_HOST: canonical, CONF_PORT: PORT}


@pytest.mark.parametrize(
    ("version", "minor_version", "state"),
    [
        # A newer minor version promises to stay readable: nothing to migrate.
        pytest.param(2, 2, ConfigEntryState.LOADED, id="newer-minor"),
        # After a downgrade, an entry this release cannot read is left alone.
        pytest.param(3, 1, ConfigEntryState.MIGRATION_ERROR, id="newer-major"),
    ],
)
async def test_entry_of_a_newer_release(
    hass: HomeAssistant,
    mock_hub: AiohttpClientMocker,
    version: int,
    minor_version: int,
    state: ConfigEntryState,
) -> None:
    entry = old_entry(version=version)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, minor_version=minor_version)
    write_old_registry(hass, entry, BOX_ENTITIES)
    before = registry_snapshot(hass, entry)

    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is state
    assert (entry.version, entry.minor_version) == (version, minor_version)
    if state is ConfigEntryState.LOADED:
        assert er.async_get(hass).async_get_entity_id(
            "sensor", DOMAIN, f"{entry.entry_id}-52190-0-status"
        )
    else:
        assert registry_snapshot(hass, entry) == before
        assert mock_hub.call_count == 0
