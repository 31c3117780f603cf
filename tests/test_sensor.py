"""Tests of the VidiGates sensors: values, metadata and unique ids."""

from __future__ import annotations

from collections.abc import Generator
import copy
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.sensor import (
    ATTR_OPTIONS,
    ATTR_STATE_CLASS,
    SensorDeviceClass,
    SensorStateClass,
)
from homeassistant.const import (
    ATTR_DEVICE_CLASS,
    ATTR_FRIENDLY_NAME,
    ATTR_UNIT_OF_MEASUREMENT,
    CONF_HOST,
    PERCENTAGE,
    STATE_UNKNOWN,
    EntityCategory,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from syrupy.assertion import SnapshotAssertion

from .conftest import async_poll, record_state_writes, serve_instances, state_of

HUB = "sensor.vidiaccess_hub_192_0_2_10"
BOX = "sensor.box_52190"
OTHER_BOX = "sensor.box_74117"


@pytest.fixture(autouse=True)
def only_sensors() -> Generator[None]:
    """Set up the sensor platform alone."""
    with patch("custom_components.vidigates.PLATFORMS", [Platform.SENSOR]):
        yield


def attributes_of(hass: HomeAssistant, entity_id: str) -> dict[str, Any]:
    """The attributes of an entity, which must exist."""
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return dict(state.attributes)


def registry_ids(
    entity_registry: er.EntityRegistry, entry: MockConfigEntry
) -> dict[str, str]:
    """Entity id -> unique id, for the entry's entities."""
    return {
        entity.entity_id: entity.unique_id
        for entity in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    }


async def test_snapshot(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Every sensor's registry entry and state, pinned."""
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("entity_id", "expected"),
    [
        (f"{HUB}_occupancy", "40"),
        (f"{HUB}_occupancy_limit", "50"),
        (f"{HUB}_remaining_capacity", "10"),
        (f"{HUB}_entries", "40"),
        (f"{HUB}_exits", "0"),
        (f"{BOX}_gate_1_in", "10"),
        (f"{BOX}_gate_1_out", "30"),
        (f"{BOX}_gate_2_in", "30"),
        (f"{BOX}_gate_2_out", "20"),
        (f"{OTHER_BOX}_gate_1_in", "0"),
        (f"{OTHER_BOX}_gate_1_out", "0"),
        (f"{BOX}_status", "ok"),
        # No "status" in the sample: derived from "restricted": true.
        (f"{OTHER_BOX}_status", "restricted"),
    ],
)
async def test_vendor_sample_values(
    hass: HomeAssistant, entity_id: str, expected: str
) -> None:
    """The vendor's sample shows the numbers the API document works out."""
    assert state_of(hass, entity_id) == expected


@pytest.mark.usefixtures("init_integration")
async def test_occupancy_ratio(hass: HomeAssistant) -> None:
    """40 people for a limit of 50 is 80 %."""
    assert float(state_of(hass, f"{HUB}_occupancy_ratio")) == 80
    attributes = attributes_of(hass, f"{HUB}_occupancy_ratio")
    assert attributes[ATTR_UNIT_OF_MEASUREMENT] == PERCENTAGE
    assert attributes[ATTR_STATE_CLASS] is SensorStateClass.MEASUREMENT


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("suffix", "state_class"),
    [
        (f"{HUB}_occupancy", SensorStateClass.MEASUREMENT),
        (f"{HUB}_occupancy_limit", SensorStateClass.MEASUREMENT),
        (f"{HUB}_remaining_capacity", SensorStateClass.MEASUREMENT),
        (f"{HUB}_entries", SensorStateClass.TOTAL_INCREASING),
        (f"{HUB}_exits", SensorStateClass.TOTAL_INCREASING),
        (f"{BOX}_gate_1_in", SensorStateClass.TOTAL_INCREASING),
        (f"{BOX}_gate_2_out", SensorStateClass.TOTAL_INCREASING),
    ],
)
async def test_counts_have_unit_and_state_class(
    hass: HomeAssistant, suffix: str, state_class: SensorStateClass
) -> None:
    """Counts are in people, with a state class that statistics can use."""
    attributes = attributes_of(hass, suffix)
    assert attributes[ATTR_UNIT_OF_MEASUREMENT] == "people"
    assert attributes[ATTR_STATE_CLASS] is state_class


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("entity_id", "name"),
    [
        (f"{HUB}_occupancy", "VidiAccess hub 192.0.2.10 Occupancy"),
        (f"{HUB}_occupancy_limit", "VidiAccess hub 192.0.2.10 Occupancy limit"),
        (f"{HUB}_remaining_capacity", "VidiAccess hub 192.0.2.10 Remaining capacity"),
        (f"{HUB}_occupancy_ratio", "VidiAccess hub 192.0.2.10 Occupancy ratio"),
        (f"{HUB}_entries", "VidiAccess hub 192.0.2.10 Entries"),
        (f"{HUB}_exits", "VidiAccess hub 192.0.2.10 Exits"),
        (f"{BOX}_status", "Box #52190 Status"),
        (f"{BOX}_gate_1_in", "Box #52190 Gate 1 in"),
        (f"{BOX}_gate_2_out", "Box #52190 Gate 2 out"),
        (f"{OTHER_BOX}_gate_1_out", "Box #74117 Gate 1 out"),
    ],
)
async def test_translated_names(hass: HomeAssistant, entity_id: str, name: str) -> None:
    """Names come from the translations, gate ids through placeholders."""
    assert attributes_of(hass, entity_id)[ATTR_FRIENDLY_NAME] == name


async def test_status_sensor_is_a_translated_enum(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """The status is an enum of the normalized statuses, a diagnostic."""
    attributes = attributes_of(hass, f"{BOX}_status")
    assert attributes[ATTR_DEVICE_CLASS] == SensorDeviceClass.ENUM
    assert attributes[ATTR_OPTIONS] == [
        "ok",
        "not_capturing",
        "disabled",
        "restricted",
        "no_gates",
        "unstable",
        "not_configured",
        "unknown",
    ]
    entry = entity_registry.async_get(f"{BOX}_status")
    assert entry is not None
    assert entry.entity_category is EntityCategory.DIAGNOSTIC
    assert entry.translation_key == "status"


@pytest.mark.parametrize(
    ("hub_status", "expected"),
    [
        ("not-capturing", "not_capturing"),
        ("no-gates", "no_gates"),
        ("no_gates", "no_gates"),
        ("disabled", "disabled"),
        ("unstable", "unstable"),
        ("Restricted", "restricted"),
        ("rebooting", "unknown"),
    ],
)
async def test_status_follows_the_hub(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    hub_status: str,
    expected: str,
) -> None:
    """Hyphen and underscore spellings end as one option; unknown ones too."""
    payload = copy.deepcopy(vendor_sample)
    payload["instances"][1]["status"] = hub_status
    serve_instances(aioclient_mock, json=payload)

    await async_poll(hass, freezer)

    assert state_of(hass, f"{BOX}_status") == expected


async def test_unique_ids(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Every unique id starts with the entry's; instances add BoxID and number."""
    entry_id = init_integration.entry_id
    assert registry_ids(entity_registry, init_integration) == {
        f"{HUB}_occupancy": f"{entry_id}-occupancy",
        f"{HUB}_occupancy_limit": f"{entry_id}-threshold",
        f"{HUB}_remaining_capacity": f"{entry_id}-remaining_capacity",
        f"{HUB}_occupancy_ratio": f"{entry_id}-occupancy_ratio",
        f"{HUB}_entries": f"{entry_id}-entries",
        f"{HUB}_exits": f"{entry_id}-exits",
        f"{BOX}_status": f"{entry_id}-52190-0-status",
        f"{BOX}_gate_1_in": f"{entry_id}-52190-0-gate-1-in",
        f"{BOX}_gate_1_out": f"{entry_id}-52190-0-gate-1-out",
        f"{BOX}_gate_2_in": f"{entry_id}-52190-0-gate-2-in",
        f"{BOX}_gate_2_out": f"{entry_id}-52190-0-gate-2-out",
        f"{OTHER_BOX}_status": f"{entry_id}-74117-1-status",
        f"{OTHER_BOX}_gate_1_in": f"{entry_id}-74117-1-gate-1-in",
        f"{OTHER_BOX}_gate_1_out": f"{entry_id}-74117-1-gate-1-out",
    }


async def test_reordering_the_hub_list_changes_nothing(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    entity_registry: er.EntityRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Instances and gates are found by key: their order in the list is noise."""
    ids_before = registry_ids(entity_registry, init_integration)
    states_before = {entity_id: state_of(hass, entity_id) for entity_id in ids_before}
    writes = record_state_writes(hass)

    payload = copy.deepcopy(vendor_sample)
    payload["instances"].reverse()
    payload["instances"][0]["gates"].reverse()
    serve_instances(aioclient_mock, json=payload)
    await async_poll(hass, freezer)

    assert registry_ids(entity_registry, init_integration) == ids_before
    assert {
        entity_id: state_of(hass, entity_id) for entity_id in ids_before
    } == states_before
    assert writes == []


async def test_unique_ids_survive_a_new_address(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    entity_registry: er.EntityRegistry,
) -> None:
    """Moving the hub to another address keeps every entity and its history."""
    ids_before = registry_ids(entity_registry, init_integration)
    aioclient_mock.get("http://192.0.2.99:8080/api/v1/instances", json=vendor_sample)

    hass.config_entries.async_update_entry(
        init_integration, data={**init_integration.data, CONF_HOST: "192.0.2.99"}
    )
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()

    assert registry_ids(entity_registry, init_integration) == ids_before
    assert state_of(hass, f"{HUB}_occupancy") == "40"


@pytest.mark.parametrize(
    ("current", "threshold", "remaining", "ratio"),
    [
        pytest.param(0, 50, "50", "0.0", id="empty"),
        pytest.param(50, 50, "0", "100.0", id="full"),
        pytest.param(61, 50, "0", "122.0", id="over-never-negative"),
        pytest.param(1, 3, "2", "33.3", id="rounded"),
        pytest.param(5, 0, "0", STATE_UNKNOWN, id="no-limit"),
    ],
)
async def test_remaining_capacity_and_ratio(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    current: int,
    threshold: int,
    remaining: str,
    ratio: str,
) -> None:
    """Remaining capacity never goes below 0; no limit means no ratio."""
    payload = {**vendor_sample, "current": current, "threshold": threshold}
    serve_instances(aioclient_mock, json=payload)

    await async_poll(hass, freezer)

    assert state_of(hass, f"{HUB}_occupancy") == str(current)
    assert state_of(hass, f"{HUB}_remaining_capacity") == remaining
    assert state_of(hass, f"{HUB}_occupancy_ratio") == ratio


@pytest.mark.parametrize(
    ("gate_type", "entries", "exits"),
    [("in", "80", "0"), ("out", "10", "50"), ("both", "80", "50")],
)
async def test_totals_honour_gate_type(
    hass: HomeAssistant,
    *,
    mock_config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    gate_type: str,
    entries: str,
    exits: str,
) -> None:
    """Entries count "in" crossings of in/both instances, exits "out" of out/both.

    (A gate type that changes later changes what counts from then on:
    test_statistics.py.)
    """
    payload = copy.deepcopy(vendor_sample)
    # Box 74117 ("both") gets 10 in and 0 out so both instances count.
    payload["instances"][0]["gates"] = [{"id": 1, "in": 10, "out": 0}]
    payload["instances"][1]["gate_type"] = gate_type
    payload["instances"][1]["gates"] = [
        {"id": 1, "in": 40, "out": 20},
        {"id": 2, "in": 30, "out": 30},
    ]
    serve_instances(aioclient_mock, json=payload)
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert state_of(hass, f"{HUB}_entries") == entries
    assert state_of(hass, f"{HUB}_exits") == exits
    # Gate counters are raw crossings whatever the gate type.
    assert state_of(hass, f"{BOX}_gate_1_in") == "40"
    assert state_of(hass, f"{BOX}_gate_1_out") == "20"
