"""The VidiGates sensors: snapshot, what follows the hub, what survives.

Every sensor's name, unit, state class, options, unique id (the entry's id and
the instance's keys, never the address) and the vendor sample's values are
pinned by the snapshot; test_values_shown covers the binary sensors too, and
the occupancy number's default is here.
"""

from __future__ import annotations

import copy
from functools import partial
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    mock_restore_cache_with_extra_data,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from syrupy.assertion import SnapshotAssertion

from .conftest import (
    assert_platform_snapshot,
    async_poll,
    record_state_writes,
    serve_instances,
    setup_integration,
    state_of,
)

HUB_NAME = "vidiaccess_hub_192_0_2_10"
HUB = f"sensor.{HUB_NAME}"
BOX = "sensor.box_52190"
LIMIT = f"binary_sensor.{HUB_NAME}_limit_reached"
BOX_PROBLEM = "binary_sensor.box_52190_problem"


async def test_snapshot(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    mock_hub: AiohttpClientMocker,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    await assert_platform_snapshot(
        hass, mock_config_entry, Platform.SENSOR, entity_registry, snapshot
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    # The spellings, rules and arithmetic are test_models.py's; here, what the
    # sensors and binary sensors show of them.
    [
        # Hyphen and underscore spellings end as one option; unknown ones too.
        # Anything but ok is a problem, including a status we do not know.
        (
            {"box_status": "not-capturing"},
            {f"{BOX}_status": "not_capturing", BOX_PROBLEM: STATE_ON},
        ),
        (
            {"box_status": "rebooting"},
            {f"{BOX}_status": "unknown", BOX_PROBLEM: STATE_ON},
        ),
        # Remaining capacity never goes below 0; no limit means no ratio. The
        # hub's own ok/ko says whether the limit is reached...
        (
            {"current": 61, "threshold": 50},
            {
                f"{HUB}_occupancy": "61",
                f"{HUB}_remaining_capacity": "0",
                f"{HUB}_occupancy_ratio": "122.0",
                LIMIT: STATE_OFF,
            },
        ),
        (
            {"current": 5, "threshold": 0},
            {
                f"{HUB}_occupancy": "5",
                f"{HUB}_remaining_capacity": "0",
                f"{HUB}_occupancy_ratio": STATE_UNKNOWN,
            },
        ),
        # ...and without one, the threshold.
        ({"status": None, "current": 50}, {LIMIT: STATE_ON}),
    ],
)
async def test_values_shown(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    changes: dict[str, Any],
    expected: dict[str, str],
) -> None:
    payload = copy.deepcopy(vendor_sample)
    for key, value in changes.items():
        if key == "box_status":
            payload["instances"][1]["status"] = value
        elif value is None:
            del payload[key]
        else:
            payload[key] = value
    serve_instances(aioclient_mock, json=payload)

    await async_poll(hass, freezer)

    assert {entity_id: state_of(hass, entity_id) for entity_id in expected} == expected


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
    entries = partial(
        er.async_entries_for_config_entry, entity_registry, init_integration.entry_id
    )
    before = entries()
    writes = record_state_writes(hass)

    payload = copy.deepcopy(vendor_sample)
    payload["instances"].reverse()
    payload["instances"][0]["gates"].reverse()
    serve_instances(aioclient_mock, json=payload)
    await async_poll(hass, freezer)

    assert entries() == before
    # No state written: none changed, none came or went.
    assert writes == []


async def test_totals_honour_gate_type(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
) -> None:
    """Entries count "in" crossings of in/both instances, exits "out" of out/both.

    Every gate type is test_models.py's; a gate type that changes later:
    test_statistics.py.
    """
    payload = copy.deepcopy(vendor_sample)
    # Box 74117 ("both") gets 10 in and 0 out so both instances count.
    payload["instances"][0]["gates"] = [{"id": 1, "in": 10, "out": 0}]
    payload["instances"][1]["gate_type"] = "out"
    payload["instances"][1]["gates"] = [
        {"id": 1, "in": 40, "out": 20},
        {"id": 2, "in": 30, "out": 30},
    ]
    serve_instances(aioclient_mock, json=payload)
    await setup_integration(hass, mock_config_entry)

    assert state_of(hass, f"{HUB}_entries") == "10"
    assert state_of(hass, f"{HUB}_exits") == "50"
    # Gate counters are raw crossings whatever the gate type.
    assert state_of(hass, f"{BOX}_gate_1_in") == "40"
    assert state_of(hass, f"{BOX}_gate_1_out") == "20"


@pytest.mark.parametrize(
    "stored",
    [
        {"total": "50", "counters": []},
        {"total": 50, "counters": [[1, 0, 1]]},
        {"total": 50, "counters": "none"},
        {"total": 50},
    ],
)
async def test_unreadable_stored_total_starts_from_the_hub(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    mock_hub: AiohttpClientMocker,
    stored: dict[str, Any],
) -> None:
    """Stored data this release did not write: the hub's sum, as on a first start.

    (What it did write carries on: test_statistics.py.)
    """
    mock_restore_cache_with_extra_data(hass, [(State(f"{HUB}_entries", "50"), stored)])
    await setup_integration(hass, mock_config_entry)

    assert state_of(hass, f"{HUB}_entries") == "40"


async def test_occupancy_number_is_off_by_default(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """The number that repeats the Occupancy sensor waits for a user to enable it.

    The limit's number stays: it is changed rarely, and on purpose. (The reset
    button, on too, is pinned by test_button's snapshot.)
    """
    number = entity_registry.async_get(f"number.{HUB_NAME}_occupancy")
    assert number is not None
    assert number.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert hass.states.get(f"number.{HUB_NAME}_occupancy") is None
    assert hass.states.get(f"number.{HUB_NAME}_occupancy_limit") is not None
