"""Tests of the VidiGates binary sensors: limit reached, instance problems."""

from __future__ import annotations

from collections.abc import Generator
import copy
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import (
    ATTR_DEVICE_CLASS,
    ATTR_FRIENDLY_NAME,
    STATE_OFF,
    STATE_ON,
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

from custom_components.vidigates.compat import BinarySensorDeviceClass

from .conftest import async_poll, serve_instances, state_of

LIMIT = "binary_sensor.vidiaccess_hub_192_0_2_10_limit_reached"
BOX_PROBLEM = "binary_sensor.box_52190_problem"
OTHER_BOX_PROBLEM = "binary_sensor.box_74117_problem"


@pytest.fixture(autouse=True)
def only_binary_sensors() -> Generator[None]:
    """Set up the binary sensor platform alone."""
    with patch("custom_components.vidigates.PLATFORMS", [Platform.BINARY_SENSOR]):
        yield


async def test_snapshot(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Every binary sensor's registry entry and state, pinned."""
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


@pytest.mark.usefixtures("init_integration")
async def test_vendor_sample(hass: HomeAssistant) -> None:
    """The sample: below the limit, box 52190 fine, box 74117 with a problem."""
    assert state_of(hass, LIMIT) == STATE_OFF
    assert state_of(hass, BOX_PROBLEM) == STATE_OFF
    assert state_of(hass, OTHER_BOX_PROBLEM) == STATE_ON


async def test_metadata(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Translated names; problems are diagnostics of class problem."""
    limit = hass.states.get(LIMIT)
    assert limit is not None
    assert (
        limit.attributes[ATTR_FRIENDLY_NAME]
        == "VidiAccess hub 192.0.2.10 Limit reached"
    )
    problem = hass.states.get(OTHER_BOX_PROBLEM)
    assert problem is not None
    assert problem.attributes[ATTR_FRIENDLY_NAME] == "Box #74117 Problem"
    assert problem.attributes[ATTR_DEVICE_CLASS] == BinarySensorDeviceClass.PROBLEM

    entries = {
        entry.entity_id: entry
        for entry in er.async_entries_for_config_entry(
            entity_registry, init_integration.entry_id
        )
    }
    assert entries[LIMIT].unique_id == f"{init_integration.entry_id}-limit_reached"
    assert entries[LIMIT].entity_category is None
    assert (
        entries[BOX_PROBLEM].unique_id == f"{init_integration.entry_id}-52190-0-problem"
    )
    assert (
        entries[OTHER_BOX_PROBLEM].unique_id
        == f"{init_integration.entry_id}-74117-1-problem"
    )
    assert entries[OTHER_BOX_PROBLEM].entity_category is EntityCategory.DIAGNOSTIC


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({"status": "ko"}, STATE_ON, id="hub-says-ko"),
        pytest.param({"status": "ok", "current": 60}, STATE_OFF, id="hub-says-ok"),
        # Without a status, the limit is reached at the threshold.
        pytest.param({"status": None, "current": 50}, STATE_ON, id="derived-at-limit"),
        pytest.param({"status": None, "current": 49}, STATE_OFF, id="derived-below"),
    ],
)
async def test_limit_reached_follows_the_hub(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    changes: dict[str, Any],
    expected: str,
) -> None:
    """The hub's own ok/ko is what counts; without it, current >= threshold."""
    payload = {**vendor_sample, **changes}
    if changes.get("status", "") is None:
        del payload["status"]
    serve_instances(aioclient_mock, json=payload)

    await async_poll(hass, freezer)

    assert state_of(hass, LIMIT) == expected


@pytest.mark.parametrize(
    ("hub_status", "expected"),
    [
        ("ok", STATE_OFF),
        ("OK", STATE_OFF),
        ("not-capturing", STATE_ON),
        ("unstable", STATE_ON),
        ("no-gates", STATE_ON),
        ("something-new", STATE_ON),
    ],
)
async def test_problem_follows_the_status(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    hub_status: str,
    expected: str,
) -> None:
    """Anything but ok is a problem, including a status we do not know."""
    payload = copy.deepcopy(vendor_sample)
    payload["instances"][1]["status"] = hub_status
    serve_instances(aioclient_mock, json=payload)

    await async_poll(hass, freezer)

    assert state_of(hass, BOX_PROBLEM) == expected
    assert state_of(hass, OTHER_BOX_PROBLEM) == STATE_ON
